"""Street lighting charts in HTML (etl.output.htmlcharts, no Plotly, no Streamlit; DOMAIN §10):
each grid's 亮灯率 and the area's 装灯率 / 亮灯率 over the checked months."""

from __future__ import annotations

import pandas as pd

from etl.output.charts_theme import AMBER, BLUE, GREEN, RED
from etl.output.htmlcharts import Bar, Line, hbars_html, lines_html
from etl.output.tables import grid_label
from etl.rules.lamps import percent


def lamp_grid_bars(frame: pd.DataFrame, lit_target: float) -> str:
    """Horizontal bars of each checked grid's 亮灯率 (etl.rules.lamps.lamp_month rows), from 0 to
    100 %, registry order top down: green when the grid meets both targets, red when it does
    not (a grid with nothing installed has no bar and says 未装灯). The lit target is a dashed
    line. "" when no grid was checked."""
    checked = frame[frame["checked"].astype(bool)]
    if checked.empty:
        return ""
    bars = []
    for r in checked.to_dict("records"):
        lit = None if pd.isna(r["lit_rate"]) else float(r["lit_rate"])
        meets = bool(r["meets_target"])
        label = grid_label(r["grid_code"], r["grid_name"])
        shown = "未装灯" if lit is None else percent(lit)
        bars.append(
            Bar(
                label=label,
                parts=((0.0 if lit is None else lit * 100, GREEN if meets else RED),),
                value=shown,
                title=f"{label}：亮灯率 {shown}，装灯率 {percent(r['install_rate'])}，{'达标' if meets else '未达标'}",
                kind="plain" if meets else "bottom",
            )
        )
    target = float(lit_target) * 100
    return hbars_html(
        bars,
        top=100,
        tick=20,
        note="亮灯率（%），横条从 0 起",
        mark=(target, f"亮灯率目标 {target:g}%"),
        wide_value=True,
    )


def lamp_trend(trend: pd.DataFrame, install_target: float, lit_target: float) -> str:
    """The area's 装灯率 and 亮灯率 per checked month (etl.rules.lamps.lamp_trend), y from 0 to
    100 %, each value written by its dot (up to 12 months: 装灯率 above, 亮灯率 under), the two targets dashed. ""
    without a known rate."""
    months = [pd.Timestamp(m) for m in trend["month"]]
    lines = []
    for col, name, color in (("install_rate", "装灯率", BLUE), ("lit_rate", "亮灯率", AMBER)):
        rates = list(trend[col])
        points = tuple(
            (m, None if pd.isna(x) else float(x) * 100, f"{m.year}年{m.month}月 {name} {percent(x)}")
            for m, x in zip(months, rates, strict=True)
        )
        shown = tuple("" if pd.isna(x) else percent(x) for x in rates) if len(rates) <= 12 else ()
        # 装灯率 (near 100 %) written above its dots, 亮灯率 (a little lower) under them.
        above = col == "install_rate"
        lines.append(Line(name, color, points, width=3, dot=9, texts=shown, texts_above=above))
    if not any(v is not None for ln in lines for _, v, _ in ln.points):
        return ""
    for target, name, color in ((install_target, "装灯率目标", BLUE), (lit_target, "亮灯率目标", AMBER)):
        t = float(target) * 100
        points = tuple((m, t, f"{name} {t:g}%") for m in months)
        lines.append(Line(f"{name} {t:g}%", color, points, dash="dash", width=1.5, dot=0))
    ticks = [(float(v), str(v)) for v in range(0, 101, 20)]
    return lines_html(lines, top=106, bottom=-4, ticks=ticks, note="比率（%），纵轴从 0 起", height=300)
