"""Score charts of 网格趋势 in HTML (etl.output.htmlcharts, no Plotly): the chosen grids' totals
and ranks through the months, every grid's rank through the year, category score rates and
bottom-three streaks. Each returns "" when it has nothing to draw."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from etl.output.charts_theme import GREY, PALETTE, RED, rank_ticks
from etl.output.htmlcharts import Bar, Line, hbars_html, lines_html, score_ticks
from etl.output.tables import grid_label


def _month(m: object) -> str:
    t = pd.Timestamp(m)
    return f"{t.year}年{t.month}月"


def _value(v: object) -> float | None:
    return None if v is None or pd.isna(v) else float(v)  # type: ignore[arg-type]


def _points(
    part: pd.DataFrame, column: str, name: str, say: Callable[[float], str]
) -> tuple[tuple[pd.Timestamp, float | None, str], ...]:
    """One grid's (month, value, tooltip) points of `column`; a month without a value (not
    checked) is a gap in the line, its tooltip says 缺检."""
    return tuple(
        (
            pd.Timestamp(m),
            _value(v),
            f"{name} {_month(m)}：" + ("缺检" if _value(v) is None else say(float(v))),
        )
        for m, v in zip(part["month"], part[column], strict=True)
    )


def _rank_text(r: float) -> str:
    return f"第 {int(r)} 名"


def grid_totals(totals: pd.DataFrame, averages: pd.DataFrame | None = None) -> str:
    """Total score per month for one or several grids (a colour each), with the area average
    dashed grey; the score axis of charts_theme.score_axis."""
    lines = []
    for i, (code, part) in enumerate(totals.groupby("grid_code", sort=False)):
        name = grid_label(code, part["grid_name"].iloc[0])
        points = _points(part, "total", name, lambda v: f"总分 {v:.1f} 分")
        lines.append(Line(name, PALETTE[i % len(PALETTE)], points))
    if averages is not None and not averages.empty:
        points = tuple(
            (pd.Timestamp(m), _value(v), f"片区平均 {_month(m)}：{v:.2f} 分")
            for m, v in zip(averages["month"], averages["area_avg"], strict=True)
        )
        lines.append(Line("片区平均", GREY, points, dash="dash", width=2, dot=6))
    values = [v for ln in lines for _, v, _ in ln.points if v is not None]
    axis = score_ticks(values, "总分（分）")
    if axis is None:
        return ""
    top, bottom, ticks, note = axis
    return lines_html(lines, top=top, bottom=bottom, ticks=ticks, note=note, height=300)


def _rank_axis(n: int) -> dict[str, object]:
    return {"top": 0.5, "bottom": n + 0.5, "ticks": [(float(v), str(v)) for v in rank_ticks(n)]}


def grid_ranks(totals: pd.DataFrame, n_grids: int | None = None) -> str:
    """Rank per month (rank 1 at the top) of the chosen grids; bottom-three months red dots."""
    lines = []
    for i, (code, part) in enumerate(totals.groupby("grid_code", sort=False)):
        name = grid_label(code, part["grid_name"].iloc[0])
        color = PALETTE[i % len(PALETTE)]
        points = _points(part, "rank", name, _rank_text)
        dots = tuple(RED if bool(b) else color for b in part["bottom_three"].fillna(False))
        lines.append(Line(name, color, points, dot_colors=dots))
    n = n_grids or int(totals["rank"].max() or 1)
    return lines_html(lines, **_rank_axis(n), note="名次（第 1 名在上）", height=300)  # type: ignore[arg-type]


def bump_chart(ranks: pd.DataFrame, highlight: Sequence[str] = ()) -> str:
    """Every grid's rank across the year's checks: the chosen grids in colour (named in the
    legend), the others thin and grey under them (named in their tooltips)."""
    lines = []
    chosen = list(highlight)
    for code, part in ranks.groupby("grid_code", sort=False):
        name = grid_label(code, part["grid_name"].iloc[0])
        points = _points(part, "rank", name, _rank_text)
        if code in chosen:
            lines.append(Line(name, PALETTE[chosen.index(code) % len(PALETTE)], points, width=3, dot=8))
        else:
            lines.insert(0, Line(name, "#c7cdd6", points, width=1, dot=5, legend=False))
    n = int(ranks["rank"].max()) if ranks["rank"].notna().any() else 1
    return lines_html(lines, **_rank_axis(n), note="名次（第 1 名在上）；灰色为其他网格", height=460)  # type: ignore[arg-type]


def category_bars(comparison: pd.DataFrame) -> str:
    """Score rate per category, bars from 0 to 100 %: each chosen grid in its colour and the
    area average in grey under them, grouped by category (trends.category_comparison)."""
    if comparison.empty:
        return ""
    grids = list(dict.fromkeys(comparison["grid_code"]))
    names = dict(zip(comparison["grid_code"], comparison["grid_name"], strict=True))
    bars = []
    for category, part in comparison.groupby("category", sort=False):
        first = True
        for r in part.to_dict("records"):
            name = grid_label(r["grid_code"], names[r["grid_code"]])
            rate = float(r["ratio"]) * 100
            bars.append(
                Bar(
                    label=str(category) if first else "",
                    parts=((rate, PALETTE[grids.index(r["grid_code"]) % len(PALETTE)]),),
                    value=f"{rate:.1f}%",
                    title=f"{name} {category}：{float(r['score']):.1f} / {float(r['max_points']):g} 分，得分率 {rate:.1f}%",
                    group=first,
                )
            )
            first = False
        avg = part.iloc[0]
        rate = float(avg["area_ratio"]) * 100
        bars.append(
            Bar(
                label="",
                parts=((rate, GREY),),
                value=f"{rate:.1f}%",
                title=f"片区平均 {category}：{float(avg['area_score']):.2f} / {float(avg['max_points']):g} 分，"
                f"得分率 {rate:.1f}%",
            )
        )
    legend = tuple((grid_label(c, names[c]), PALETTE[i % len(PALETTE)]) for i, c in enumerate(grids))
    return hbars_html(
        bars, top=100, tick=20, note="得分率（%），横条从 0 起", legend=(*legend, ("片区平均", GREY))
    )


def streak_bars(totals: pd.DataFrame) -> str:
    """Streak length at each check where a chosen grid was in the bottom three, a row per
    month and grid in the grid's colour; the dashed line at 3 is where the leader must
    explain in writing (DOMAIN §4). "" when none was ever in the bottom three."""
    colors = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(dict.fromkeys(totals["grid_code"]))}
    rows = totals[totals["streak"].fillna(0) > 0].sort_values("month", kind="stable")
    if rows.empty:
        return ""
    most = max(3, int(rows["streak"].max()))
    bars, last = [], None
    for r in rows.to_dict("records"):
        name = grid_label(r["grid_code"], r["grid_name"])
        streak = int(r["streak"])
        rank = "" if _value(r["rank"]) is None else f"，当月第 {int(r['rank'])} 名"
        bars.append(
            Bar(
                label=_month(r["month"]) if r["month"] != last else "",
                parts=((float(streak), colors[r["grid_code"]]),),
                value=f"{streak} 次",
                title=f"{name} {_month(r['month'])}：连续末位 {streak} 次{rank}",
                kind="bottom" if streak >= 3 else "plain",
                group=r["month"] != last,
            )
        )
        last = r["month"]
    legend = tuple(
        (grid_label(c, n), colors[c])
        for c, n in dict(zip(rows["grid_code"], rows["grid_name"], strict=True)).items()
    )
    return hbars_html(
        bars, top=most + 1, tick=1, note="连续末位次数（次）", legend=legend, mark=(3, "≥3 次须书面说明")
    )
