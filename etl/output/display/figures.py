"""The centre figures: 网格分布 (the schematic map coloured by the month's score) and 趋势 (the
area's average over the checks, and the ranks of the month's first and last grid)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from etl.output import gridmap
from etl.output.display import fmt
from etl.output.display.frame import Body, Kpi, message_body
from etl.output.display.plots import lines_svg
from etl.output.display.render import px, render

GREEN, RED = "#7ee2a8", "#ff8a80"


def cell_colour(total: float, lo: float, hi: float) -> str:
    """Blue from light (low) to deep (high) for grids neither top three nor bottom three."""
    frac = 0.5 if hi <= lo else (total - lo) / (hi - lo)
    light, deep = (110, 150, 205), (22, 70, 160)
    rgb = [round(a + (b - a) * frac) for a, b in zip(light, deep, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def map_panel(registry: pd.DataFrame, table: pd.DataFrame, box: tuple[float, float] = (1840, 760)) -> Body:
    """registry: registry.registry; table: rankings.month_ranking. The cells are laid out by
    etl.output.gridmap with as many cells per row as make them largest in the box (design px)."""
    if registry.empty:
        return message_body("网格名录为空"), ""
    best: tuple[float, gridmap.GridMap] | None = None
    for cols in range(1, 9):
        layout = gridmap.layout_cells(registry, columns=cols)
        scale = min(box[0] / layout.width, box[1] / layout.height)
        if best is None or scale > best[0] + 1e-9:
            best = (scale, layout)
    assert best is not None
    scale, layout = best
    x_off = (box[0] - layout.width * scale) / 2
    by_code = {r["grid_code"]: r for r in table.to_dict("records")}
    ranked = table[~table["missing"].astype(bool)]
    lo = float(ranked["total"].min()) if len(ranked) else 0.0
    hi = float(ranked["total"].max()) if len(ranked) else 100.0

    def place(x0: float, y0: float, x1: float, y1: float) -> dict[str, str]:
        return {"left": px(x_off + x0 * scale), "top": px(y0 * scale), "width": px((x1 - x0) * scale),
                "height": px((y1 - y0) * scale)}  # fmt: skip

    roads = [
        {
            **place(r["x0"], r["y0"], r["x1"], r["y1"]),
            "label": r["label"] if isinstance(r["label"], str) else "",
        }
        for r in layout.roads.to_dict("records")
    ]
    blocks = [
        {"left": px(x_off + b["x0"] * scale), "width": px((b["x1"] - b["x0"]) * scale), "name": b["block"]}
        for b in layout.blocks.to_dict("records")
        if isinstance(b["block"], str)
    ]
    cells = []
    for c in layout.cells.to_dict("records"):
        r = by_code.get(c["grid_code"])
        missing = r is None or bool(r["missing"])
        if r is None or missing:
            colour, cls, score = "#3a4456", "", "缺检"
        elif r["bottom_three"]:
            colour, cls, score = "#c62828", "bottom", fmt.score(r["total"])
        elif r["top_three"]:
            colour, cls, score = "#2e7d32", "", fmt.score(r["total"])
        else:
            colour, cls, score = cell_colour(float(r["total"]), lo, hi), "", fmt.score(r["total"])
        cells.append({
            **place(c["x0"], c["y0"], c["x1"], c["y1"]), "cls": cls, "code": c["grid_code"], "colour": colour,
            "grid": fmt.grid_label(c["grid_code"], c["grid_name"]), "score": score,
            "rank": "" if r is None or missing else f"第{int(r['rank'])}名 ",
        })  # fmt: skip
    body = render(
        "map.html",
        low=cell_colour(lo, lo, hi),
        high=cell_colour(hi, lo, hi),
        height=px(box[1]),
        roads=roads,
        blocks=blocks,
        cells=cells,
    )
    return body, "网格示意图（非比例），按网格名录排列；格内为总分"


def trend_panel(averages: pd.DataFrame, ranks: pd.DataFrame, month: date, codes: Sequence[str] = ()) -> Body:
    """averages: trends.grid_history(...).averages; ranks: its totals for `codes` (the month's
    first and last grid). The area's average at each check up to the month (last 24), and this
    year's ranks of the two grids."""
    avg = averages.copy()
    avg["month"] = [pd.Timestamp(m).date() for m in avg["month"]]
    avg = avg[avg["month"] <= month].sort_values("month").tail(24)
    months = [f"{m.year % 100:02d}年{m.month}月" for m in avg["month"]]
    values = avg["area_avg"].astype(float).tolist()
    cards = []
    if values:
        cards.append(Kpi("本月平均分", fmt.num(values[-1], 2), "分"))
        if len(values) >= 2:
            d = values[-1] - values[-2]
            cards.append(Kpi("较上次检查", f"{'+' if d > 0 else ''}{d:.2f}", "分", "",
                             "green" if d > 0 else ("red" if d < 0 else "")))  # fmt: skip
        cards.append(
            Kpi(f"近{len(values)}次最高", fmt.num(max(values), 2), "分", months[values.index(max(values))])
        )
        cards.append(
            Kpi(f"近{len(values)}次最低", fmt.num(min(values), 2), "分", months[values.index(min(values))])
        )
    average_chart = lines_svg(months, [("片区平均分", values, "#ffd666")], height=330, y_label="单位：分")
    if ranks.empty:  # a month with no checks yet: no rank lines (and maybe no columns at all)
        ranks = pd.DataFrame(columns=["month", "grid_code", "grid_name", "rank"])
    in_year = [pd.Timestamp(m).year == month.year and pd.Timestamp(m).date() <= month for m in ranks["month"]]
    r = ranks.loc[pd.Series(in_year, index=ranks.index, dtype=bool)]
    month_nums = sorted({pd.Timestamp(m).month for m in r["month"]})
    colors = [GREEN, RED, "#8fb3ff", "#ffb870"]
    series = []
    order = [c for c in codes if c in set(r["grid_code"])] or list(dict.fromkeys(r["grid_code"]))
    for k, code in enumerate(order):
        part = r[r["grid_code"] == code]
        by_month = {pd.Timestamp(m).month: v for m, v in zip(part["month"], part["rank"], strict=True)}
        vals = [None if fmt.missing(by_month.get(m)) else float(by_month[m]) for m in month_nums]
        series.append((fmt.grid_label(code, part["grid_name"].iloc[0]), vals, colors[k % len(colors)]))
    rank_chart = lines_svg([f"{m}月" for m in month_nums], series, height=250, reverse=True)
    body = render(
        "trend.html", cards=cards, average_chart=average_chart, year=month.year, rank_chart=rank_chart
    )
    return body, "平均分：参与排名网格的平均总分；纵轴刻度取整，不从零开始"
