"""Charts drawn as plain HTML and SVG on the server (no Streamlit, no Plotly): the bars of 月度排名
(总分排行), 问题台账 (per grid and per category) and 年度考评 (综合得分), and the 总览's
片区平均分走势 line. They draw at once, have no toolbar, and a page without a Plotly chart does
not load Plotly in the browser at all (0.4 s less to open 月度排名). Their axes follow the Plotly charts' rules (charts_theme: bars from 0, round score
ticks that say where a line chart's axis starts, month labels with the year on its own line).
Every value is escaped: the results are safe to hand to st.html."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from etl.output.charts_theme import (
    AMBER,
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
from etl.rules.calendar import MonthLike, month_start
from etl.safetext import html_text as escape

# The charts' look (classes rank-bars/rb-*, line-chart/lc-*); pages/common.py puts it in every page.
CSS = (Path(__file__).resolve().parent / "htmlcharts.css").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Bar:
    """One row of hbars_html: a label, stacked parts (value, colour) from 0, the figure written
    on the right, a tooltip, a kind (row class: top, bottom, plain), an optional rank, and
    whether it starts a group (trends' categories and months)."""

    label: str
    parts: tuple[tuple[float, str], ...]
    value: str
    title: str
    kind: str = "plain"
    rank: int | None = None
    group: bool = False  # the first row of a group (a little space above it)


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
            f'<div class="rb-row rb-{b.kind}{" rb-group" if b.group else ""}" title="{escape(b.title)}">{rank}'
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
    # The value column as wide as its longest value (digits and signs are 1ch each) so that
    # "100.0%" is not cut on a phone; all rows keep one width, so the bars stay comparable.
    values = [b.value for b in bars]
    width = (
        f";--rb-val:{max(map(len, values)) + 0.3:g}ch" if values and all(v.isascii() for v in values) else ""
    )
    return (
        f'<div class="rank-bars{" rb-wide" if wide_value else ""}{" rb-dense" if top / tick > 6 else ""}"'
        f' style="--rb-step:{step:.4f}%{width}">'
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


@dataclass(frozen=True)
class Line:
    """One line of lines_html: (month, value, tooltip) points in any order (a None value is a
    gap: the line breaks there), its colour, a dash ('' solid, 'dot', 'dash'), width, dots
    (size in px, 0 for none; `dot_colors` gives each point its own), whether the legend
    names it, and `texts` to write under (or above) the points (the lamp trend's rates)."""

    name: str
    color: str
    points: tuple[tuple[pd.Timestamp, float | None, str], ...]
    dash: str = ""
    width: float = 2.5
    dot: int = 9
    dot_colors: tuple[str, ...] = ()
    legend: bool = True
    texts: tuple[str, ...] = ()  # written by each dot ('' for none)
    texts_above: bool = False  # above the dots (else under them)


DASHES = {"": "", "dot": "1 5", "dash": "7 5"}


def lines_html(
    lines: list[Line],
    *,
    top: float,
    bottom: float,
    ticks: list[tuple[float, str]],
    note: str,
    height: int = 220,
    last_value: str = "",
    value_month: pd.Timestamp | None = None,
) -> str:
    """Lines over the months in HTML and SVG: the value `top` at the top edge and `bottom` at
    the bottom one (a rank axis has 0.5 on top), a gridline and a label per tick, month labels
    of charts_theme.month_ticks, a dot per point with its tooltip, a legend of the named lines,
    and `last_value` written above the first line's last point (its point at `value_month`
    when given: the month a page is showing). "" without a known point.

    st.html drops inline <svg>, so the gridlines and the lines are an SVG image (x from 0 to
    100 = per cent of the width, stretched, strokes not scaled) under HTML dots and labels;
    the width follows the page and text keeps its size."""
    known = sorted({m for ln in lines for m, v, _ in ln.points if v is not None and not pd.isna(v)})
    if not known:
        return ""
    months = sorted({m for ln in lines for m, _, _ in ln.points})
    n = len(months)
    where = {m: 50.0 if n == 1 else 4 + i * 92 / (n - 1) for i, m in enumerate(months)}

    def y(v: float) -> float:
        return (top - v) / (top - bottom) * height

    strokes = [f'<path d="M0 {y(t):.1f}H100" stroke="#e3e6ea"/>' for t, _ in ticks]
    labels = [f'<span style="top:{y(t):.1f}px">{escape(text)}</span>' for t, text in ticks]
    dots = []
    for ln in lines:
        order = sorted(range(len(ln.points)), key=lambda k: ln.points[k][0])
        known_at = [k for k in order if ln.points[k][1] is not None and not pd.isna(ln.points[k][1])]
        path, pen = [], "M"
        for k in order:
            m, v, tip = ln.points[k]
            if v is None or pd.isna(v):
                pen = "M"
                continue
            at = f"left:{where[m]:.2f}%;top:{y(float(v)):.1f}px"
            path.append(f"{pen}{where[m]:.2f} {y(float(v)):.1f}")
            pen = "L"
            if ln.dot:
                color = ln.dot_colors[k] if ln.dot_colors else ln.color
                half = f"{ln.dot / 2:g}px"
                dots.append(
                    f'<span class="lc-dot" style="{at};width:{ln.dot}px;height:{ln.dot}px;'
                    f'margin:-{half} 0 0 -{half};background:{color}" title="{escape(tip)}"></span>'
                )
            if ln.texts and ln.texts[k]:
                # On a phone only the last value of a line is written (lc-end): they would overlap.
                kind = ("lc-val lc-above" if ln.texts_above else "lc-val") + (
                    " lc-end" if k == known_at[-1] else ""
                )
                dots.append(
                    f'<span class="{kind}" style="{at};color:{ln.color}">{escape(ln.texts[k])}</span>'
                )
        if path:
            dash = f' stroke-dasharray="{DASHES[ln.dash]}"' if DASHES.get(ln.dash) else ""
            strokes.append(
                f'<path d="{" ".join(path)}" stroke="{ln.color}" stroke-width="{ln.width:g}"{dash}'
                ' stroke-linejoin="round" stroke-linecap="round" fill="none"/>'
            )
    if last_value:
        # Above the point, or below it when the line comes down to it (above, the label would
        # sit on the line from the point before), or, for the first point, goes up from it.
        known_points = sorted((m, v, t) for m, v, t in lines[0].points if v is not None and not pd.isna(v))
        at = [i for i, (m, _, _) in enumerate(known_points) if value_month is not None and m == value_month]
        i = at[0] if at else len(known_points) - 1
        m, v, _ = known_points[i]
        near = known_points[i - 1] if i > 0 else known_points[i + 1] if i + 1 < len(known_points) else None
        below = near is not None and y(float(near[1])) < y(float(v))
        # By the plot's left edge (an early month chosen) the label leans right: centred it
        # would run over the axis labels.
        edge = " lc-left" if where[m] < 10 else ""
        dots.append(
            f'<span class="lc-last{" lc-below" if below else ""}{edge}" style="left:{where[m]:.2f}%;'
            f'top:{y(float(v)):.1f}px;color:{lines[0].color}">{escape(last_value)}</span>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 {height}" preserveAspectRatio="none">'
        f'<g fill="none">{"".join(strokes)}</g></svg>'
    ).replace("<path ", '<path vector-effect="non-scaling-stroke" ')
    month_labels = "".join(
        f'<span style="left:{where[d]:.2f}%">{escape(text).replace("&lt;br&gt;", "<br>")}</span>'
        for d, text in month_ticks(months)
        if d in where
    )
    keys = "".join(
        f'<span><i style="border-top:3px {"dotted" if ln.dash == "dot" else "dashed" if ln.dash else "solid"}'
        f' {ln.color}"></i>{escape(ln.name)}</span>'
        for ln in lines
        if ln.legend
    )
    return (
        f'<div class="line-chart" style="--lc-h:{height}px">'
        + (f'<div class="lc-legend">{keys}</div>' if keys else "")
        + f'<div class="lc-row"><div class="lc-y">{"".join(labels)}</div>'
        f'<div class="lc-plot"><img alt="" src="data:image/svg+xml,{quote(svg)}">{"".join(dots)}</div></div>'
        f'<div class="lc-row"><div class="lc-y"></div><div class="lc-x">{month_labels}</div></div>'
        f'<div class="lc-note">{escape(note)}</div></div>'
    )


def score_ticks(values: list[float], title: str) -> tuple[float, float, list[tuple[float, str]], str] | None:
    """(top, bottom, ticks, note) of a score line chart (charts_theme.score_axis: round ticks
    over at least 10 points, the note says where the axis starts); None without a value."""
    axis = score_axis(values)
    if axis is None:
        return None
    ticks, t = [], axis.low
    while t <= axis.high + 1e-9:
        ticks.append((t, f"{t:g}"))
        t += axis.step
    pad = axis.step * 0.15
    return axis.high + pad, axis.low - pad, ticks, f"{title}{axis.note}"


def area_trend_html(averages: pd.DataFrame, height: int = 220, month: MonthLike | None = None) -> str:
    """The area's average total per checked month (trends.grid_history().averages: month,
    area_avg) as a line on a score axis, the value of `month` (the month the page shows; the
    last one without it) written by its dot, which is ringed when it is not the last."""
    rows = tuple(
        (
            pd.Timestamp(m),
            float(v),
            f"{pd.Timestamp(m).year}年{pd.Timestamp(m).month}月 平均分 {float(v):.2f} 分",
        )
        for m, v in zip(averages["month"], averages["area_avg"], strict=True)
        if m is not None and not pd.isna(m) and v is not None and not pd.isna(v)
    )
    axis = score_ticks([v for _, v, _ in rows], "平均分（分）")
    if axis is None:
        return ""
    top, bottom, ticks, note = axis
    shown = [r for r in rows if month is not None and r[0] == pd.Timestamp(month_start(month))]
    point = shown[0] if shown else max(rows)
    lines = [Line("片区平均分", BLUE, rows, width=3, dot=10, legend=False)]
    if point != max(rows):
        # The chosen month's dot, ringed: the headline's average is this one, not the last.
        lines.append(Line("所选月份", BLUE, (point,), width=0, dot=18, dot_colors=(AMBER,), legend=False))
        note += f"；标出的是{point[0].year}年{point[0].month}月"
    return lines_html(
        lines,
        top=top,
        bottom=bottom,
        ticks=ticks,
        note=note,
        height=height,
        last_value=f"{point[1]:.2f}",
        value_month=point[0],
    )
