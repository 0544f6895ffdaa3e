"""Charts drawn as plain HTML and SVG on the server (no Streamlit, no Plotly): the 月度排名
page's 总分排行 bars and the 总览's 片区平均分走势 line. They draw at once, have no toolbar,
and a page without a Plotly chart does not load Plotly in the browser at all (0.4 s less to
open it). Their axes follow the Plotly charts' rules (charts_theme: bars from 0, round score
ticks that say where a line chart's axis starts, month labels with the year on its own line).
Every value is escaped: the results are safe to hand to st.html."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd

from etl.output.charts_theme import BLUE, GREEN, RED, month_ticks, score_axis
from etl.output.tables import grid_label
from etl.safetext import html_text as escape


def ranking_bars_html(table: pd.DataFrame, tick: int = 20) -> str:
    """The month's totals as horizontal bars in HTML (the 月度排名 page's 总分排行): rank 1 on
    top, one row per ranked grid (缺检 grids are not ranked), front three green, bottom three
    (ties included) red. Bars start at 0 and are as long as the score; the scale runs to 100
    (further when a total is above 100), with a gridline and a label every `tick` points.
    Plain HTML instead of a Plotly chart: it draws at once, has no toolbar, and a page that
    has no other chart does not load Plotly at all (0.4 s less to open 月度排名). Every value
    is escaped: the result is safe to hand to st.html."""
    ranked = table[~table["missing"].astype(bool)].sort_values(["rank", "grid_code"])
    top = max([100.0, *[float(t) for t in ranked["total"]]])
    top = float(-(-top // tick) * tick)  # up to a whole tick
    step = tick / top * 100
    rows = []
    for r in ranked.to_dict("records"):
        kind = "bottom" if bool(r["bottom_three"]) else "top" if bool(r["top_three"]) else "plain"
        color = {"bottom": RED, "top": GREEN, "plain": BLUE}[kind]  # the Plotly charts' colours
        total = float(r["total"])
        label = grid_label(r["grid_code"], r["grid_name"])
        title = f"{r['grid_code']} {r['grid_name']}：总分 {total:.1f} 分，第 {int(r['rank'])} 名"
        rows.append(
            f'<div class="rb-row rb-{kind}" title="{escape(title)}"><span class="rb-rank">{int(r["rank"])}</span>'
            f'<span class="rb-grid">{escape(label)}</span>'
            f'<span class="rb-track"><i style="width:{total / top * 100:.2f}%;background:{color}"></i></span>'
            f'<span class="rb-val">{total:.1f}</span></div>'
        )
    ticks = "".join(
        f'<span style="left:{k * step:.2f}%">{k * tick}</span>' for k in range(int(top // tick) + 1)
    )
    return (
        f'<div class="rank-bars" style="--rb-step:{step:.4f}%">'
        + "".join(rows)
        + f'<div class="rb-row rb-axis"><span class="rb-rank"></span><span class="rb-grid"></span>'
        f'<span class="rb-track rb-ticks">{ticks}</span><span class="rb-val"></span></div>'
        '<div class="rb-note">总分（分），横条从 0 分起</div></div>'
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
