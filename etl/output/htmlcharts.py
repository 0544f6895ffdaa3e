"""Charts drawn as plain HTML and SVG on the server (no Streamlit, no Plotly): the bars of 月度排名
(总分排行), 问题台账 (per grid and per category) and 年度考评 (综合得分), and the 总览's
片区平均分走势 line. They draw at once, have no toolbar, and a page without a Plotly chart does
not load Plotly in the browser at all (0.4 s less to open 月度排名). Their axes follow the Plotly charts' rules (charts_theme: bars from 0, round score
ticks that say where a line chart's axis starts, month labels with the year on its own line).
Every value is escaped: the results are safe to hand to st.html."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pandas as pd

from etl.output.charts_theme import (
    BLUE,
    GREEN,
    GREY,
    LIGHT_BLUE,
    RED,
    TIER_COLORS,
    count_step,
    month_ticks,
    score_axis,
)
from etl.output.tables import grid_label
from etl.safetext import html_text as escape


@dataclass(frozen=True)
class Bar:
    """One row of hbars_html: a label, stacked parts (value, colour) from 0, the figure written
    on the right, a tooltip, a kind (row class: top, bottom, plain) and an optional rank."""

    label: str
    parts: tuple[tuple[float, str], ...]
    value: str
    title: str
    kind: str = "plain"
    rank: int | None = None


def hbars_html(
    bars: list[Bar],
    *,
    top: float,
    tick: float,
    note: str,
    legend: tuple[tuple[str, str], ...] = (),
    mark: tuple[float, str] | None = None,
    wide_value: bool = False,
) -> str:
    """Horizontal bars in HTML, first bar on top: each bar starts at 0 and is as long as its
    value on a scale from 0 to `top`, with a gridline and a label every `tick`; `legend` is
    (name, colour) of the stacked parts, `mark` a dashed red line at a value with its label
    (the pass mark). On a phone every other label of a scale with more than six is left out.
    Every text is escaped: the result is safe to hand to st.html."""
    step = tick / top * 100
    rank_col = any(b.rank is not None for b in bars)
    mark_html = ""
    if mark is not None:
        mark_html = f'<b class="rb-mark" style="left:{mark[0] / top * 100:.2f}%"></b>'
    rows = []
    for b in bars:
        rank = f'<span class="rb-rank">{b.rank}</span>' if rank_col else ""
        parts = "".join(
            f'<i style="width:{v / top * 100:.2f}%;background:{c}"></i>'
            for v, c in b.parts
            if v > 0 or len(b.parts) == 1
        )
        rows.append(
            f'<div class="rb-row rb-{b.kind}" title="{escape(b.title)}">{rank}'
            f'<span class="rb-grid">{escape(b.label)}</span>'
            f'<span class="rb-track">{parts}{mark_html}</span>'
            f'<span class="rb-val">{escape(b.value)}</span></div>'
        )
    ticks = "".join(
        f'<span style="left:{k * step:.2f}%">{k * tick:g}</span>' for k in range(int(round(top / tick)) + 1)
    )
    if mark is not None:
        ticks += (
            f'<span class="rb-marklabel" style="left:{mark[0] / top * 100:.2f}%">{escape(mark[1])}</span>'
        )
    rank_cell = '<span class="rb-rank"></span>' if rank_col else ""
    keys = "".join(f'<span><i style="background:{c}"></i>{escape(n)}</span>' for n, c in legend)
    return (
        f'<div class="rank-bars{" rb-wide" if wide_value else ""}{" rb-dense" if top / tick > 6 else ""}"'
        f' style="--rb-step:{step:.4f}%">'
        + (f'<div class="rb-legend">{keys}</div>' if keys else "")
        + "".join(rows)
        + f'<div class="rb-row rb-axis">{rank_cell}'
        f'<span class="rb-grid"></span><span class="rb-track rb-ticks">{ticks}</span><span class="rb-val"></span></div>'
        f'<div class="rb-note">{escape(note)}</div></div>'
    )


def _round_up(value: float, tick: float) -> float:
    return float(-(-value // tick) * tick)


def ranking_bars_html(table: pd.DataFrame, tick: int = 20) -> str:
    """The month's totals as horizontal bars (the 月度排名 page's 总分排行): rank 1 on top, one
    row per ranked grid (缺检 grids are not ranked), front three green, bottom three (ties
    included) red. Bars start at 0; the scale runs to 100 (further when a total is above 100),
    with a gridline and a label every `tick` points."""
    ranked = table[~table["missing"].astype(bool)].sort_values(["rank", "grid_code"])
    top = _round_up(max([100.0, *[float(t) for t in ranked["total"]]]), tick)
    bars = []
    for r in ranked.to_dict("records"):
        kind = "bottom" if bool(r["bottom_three"]) else "top" if bool(r["top_three"]) else "plain"
        total = float(r["total"])
        bars.append(
            Bar(
                label=grid_label(r["grid_code"], r["grid_name"]),
                parts=((total, {"bottom": RED, "top": GREEN, "plain": BLUE}[kind]),),
                value=f"{total:.1f}",
                title=f"{r['grid_code']} {r['grid_name']}：总分 {total:.1f} 分，第 {int(r['rank'])} 名",
                kind=kind,
                rank=int(r["rank"]),
            )
        )
    return hbars_html(bars, top=top, tick=tick, note="总分（分），横条从 0 分起")


PROBLEM_PARTS = (
    ("rectified", "已整改", GREEN),
    ("open", "整改中", LIGHT_BLUE),
    ("overdue", "逾期未整改", RED),
)


def problem_bars_html(frame: pd.DataFrame) -> str:
    """Problems per grid (findings.problem_figures) or per duty category
    (findings.problem_categories) as stacked bars from 0: 已整改 green, 整改中 light blue,
    逾期未整改 red, the number found on the right. Rows without problems are left out; ""
    when no row has one."""
    frame = frame[frame["found"] > 0]
    if frame.empty:
        return ""
    most = int(frame["found"].max())
    tick = count_step(most)
    bars = []
    for r in frame.to_dict("records"):
        label = (
            str(r["category"]) if "category" in frame.columns else grid_label(r["grid_code"], r["grid_name"])
        )
        counts = "，".join(f"{name} {int(r[col])} 个" for col, name, _ in PROBLEM_PARTS)
        bars.append(
            Bar(
                label=label,
                parts=tuple((float(r[col]), colour) for col, _, colour in PROBLEM_PARTS),
                value=str(int(r["found"])),
                title=f"{label}：发现 {int(r['found'])} 个（{counts}）",
            )
        )
    return hbars_html(
        bars,
        top=_round_up(most, tick),
        tick=tick,
        note="问题数（个），横条从 0 起",
        legend=tuple((name, colour) for _, name, colour in PROBLEM_PARTS),
    )


def annual_bars_html(table: pd.DataFrame, pass_mark: float) -> str:
    """The year's composite per ranked grid (annual standings), rank 1 on top, coloured by tier
    (charts_theme.TIER_COLORS), bars from 0 to 100 with a label every 10 points, the pass
    mark a dashed red line; the composite and the tier on the right. "" when no grid has a
    composite yet."""
    ranked = table[table["composite"].notna()].sort_values(["rank", "grid_code"])
    if ranked.empty:
        return ""
    top = _round_up(max([100.0, *[float(c) for c in ranked["composite"]]]), 10)
    bars = []
    for r in ranked.to_dict("records"):
        tier, composite = str(r["tier"]), float(r["composite"])
        label = grid_label(r["grid_code"], r["grid_name"])
        bars.append(
            Bar(
                label=label,
                parts=((composite, TIER_COLORS.get(tier, GREY)),),
                value=f"{composite:.2f} · {tier}",
                title=f"{label}：综合得分 {composite:.2f} 分，第 {int(r['rank'])} 名 · {tier}",
                kind="bottom" if tier == "不达标" else "plain",
                rank=int(r["rank"]),
            )
        )
    return hbars_html(
        bars,
        top=top,
        tick=10,
        note="综合得分（分），横条从 0 分起；颜色表示等次，红色虚线为达标线",
        legend=tuple((t, c) for t, c in TIER_COLORS.items()),
        mark=(float(pass_mark), f"达标线 {float(pass_mark):g}"),
        wide_value=True,
    )


def area_trend_html(averages: pd.DataFrame, height: int = 220) -> str:
    """The area's average total per checked month (trends.grid_history().averages: month,
    area_avg) as a line: y axis of charts_theme.score_axis with a gridline per tick, month
    labels of charts_theme.month_ticks, a dot per month (its value on hover), the last value
    written above its dot. The width follows the page; text keeps its size.

    st.html drops inline <svg>, so the gridlines and the line are an SVG image (x from 0 to
    100 = per cent of the width, stretched, strokes not scaled) under HTML dots and labels."""
    rows = [
        (pd.Timestamp(m), float(v))
        for m, v in zip(averages["month"], averages["area_avg"], strict=True)
        if m is not None and not pd.isna(m) and v is not None and not pd.isna(v)
    ]
    axis = score_axis([v for _, v in rows])
    if axis is None:
        return ""
    rows.sort()
    low, high = axis.low - axis.step * 0.15, axis.high + axis.step * 0.15

    def y(v: float) -> float:
        return (high - v) / (high - low) * height

    n = len(rows)
    where = {m: 50.0 if n == 1 else 4 + i * 88 / (n - 1) for i, (m, _) in enumerate(rows)}
    strokes, labels = [], []
    tick = axis.low
    while tick <= axis.high + 1e-9:
        strokes.append(f'<path d="M0 {y(tick):.1f}H100" stroke="#e3e6ea"/>')
        labels.append(f'<span style="top:{y(tick):.1f}px">{tick:g}</span>')
        tick += axis.step
    path = " ".join(f"{'M' if i == 0 else 'L'}{where[m]:.2f} {y(v):.1f}" for i, (m, v) in enumerate(rows))
    strokes.append(f'<path d="{path}" stroke="{BLUE}" stroke-width="3" stroke-linejoin="round" fill="none"/>')
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 {height}" preserveAspectRatio="none">'
        f'<g vector-effect="non-scaling-stroke" fill="none">{"".join(strokes)}</g></svg>'
    ).replace("<path ", '<path vector-effect="non-scaling-stroke" ')
    dots = "".join(
        f'<span class="lc-dot" style="left:{where[m]:.2f}%;top:{y(v):.1f}px" '
        f'title="{m.year}年{m.month}月 平均分 {v:.2f} 分"></span>'
        for m, v in rows
    )
    last_m, last_v = rows[-1]
    dots += (
        f'<span class="lc-last" style="left:{where[last_m]:.2f}%;top:{y(last_v):.1f}px">{last_v:.2f}</span>'
    )
    months = "".join(
        f'<span style="left:{where[d]:.2f}%">{escape(text).replace("&lt;br&gt;", "<br>")}</span>'
        for d, text in month_ticks([m for m, _ in rows])
        if d in where
    )
    return (
        f'<div class="line-chart" style="--lc-h:{height}px;--lc-color:{BLUE}">'
        f'<div class="lc-row"><div class="lc-y">{"".join(labels)}</div>'
        f'<div class="lc-plot"><img alt="" src="data:image/svg+xml,{quote(svg)}">{dots}</div></div>'
        f'<div class="lc-row"><div class="lc-y"></div><div class="lc-x">{months}</div></div>'
        f'<div class="lc-note">平均分（分）{escape(axis.note)}</div></div>'
    )
