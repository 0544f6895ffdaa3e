"""The wall screen's charts: columns in HTML/CSS (names under the bars, written top to bottom)
and lines in inline SVG (viewBox in design pixels). Python computes the geometry; the
templates columns.html and lines.html draw it."""

from __future__ import annotations

import math
from collections.abc import Sequence

from etl.output.display import fmt
from etl.output.display.render import Html, render


def nice_max(v: float) -> float:
    """A round axis maximum divisible into four ticks: 1 → 4, 7 → 8, 23 → 24, 130 → 160."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if v <= step * 4:
            return float(step * 4)
    return float(v)


def columns_chart(
    codes: Sequence[object], names: Sequence[object], series: Sequence[tuple[str, Sequence[float], str]],
    *, red_zero: bool = False, show_totals: bool = True,
) -> Html:  # fmt: skip
    """Stacked columns from zero, one per grid, with the grid code and its name (vertical)
    under each column. series: (legend name, values, colour)."""
    n = len(codes)
    totals = [sum(float(v[i] or 0) for _, v, _ in series) for i in range(n)]
    vmax = nice_max(max([*totals, 1.0]))
    columns = [
        {
            "code": codes[i],
            "name": fmt.short_name(names[i]),
            "zero": red_zero and totals[i] == 0,
            "total": f"{totals[i]:g}" if show_totals else None,
            "height": f"{100 * totals[i] / vmax:.2f}",
            "parts": [
                (f"{100 * float(v[i] or 0) / (totals[i] or 1):.2f}", c)
                for _, v, c in series
                if float(v[i] or 0) > 0
            ],
        }
        for i in range(n)
    ]
    return render(
        "columns.html",
        legend=[(name, c) for name, _, c in series],
        axis=[(f"{100 * k / 4:.0f}", f"{vmax * k / 4:g}") for k in range(5)],
        columns=columns,
    )


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]: steps of 1, 2, 2.5 or 5 × 10^k."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(1, count - 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while v < hi + step * 0.999:
        ticks.append(round(v, 6))
        v += step
    return ticks


def _label_y(pts: Sequence[tuple[float, float]], floor: float) -> float:
    """The baseline of the last value's label: above the last point, or below it when the line
    comes down to it (above, the label would sit on the line from the point before) and there
    is room above the month labels."""
    y = pts[-1][1]
    if len(pts) > 1 and pts[-2][1] < y and y + 34 <= floor + 8:
        return y + 34
    return y - 14


def lines_svg(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], *, width: int = 1840,
    height: int = 300, reverse: bool = False, y_label: str = "",
) -> Html:  # fmt: skip
    """A line chart; font sizes are design px (24 or more). reverse=True: rank 1 on top."""
    left, right, top, bottom = 80, 70, 44, 44
    w, ht = width - left - right, height - top - bottom
    values = [v for _, vs, _ in series for v in vs if v is not None]
    if reverse:
        hi_rank = max([*values, 4.0])
        ticks = sorted({1.0, *[float(t) for t in nice_ticks(0, hi_rank, 5) if t >= 1]})
        lo, hi = 1.0, max(ticks[-1], hi_rank)
    else:
        vlo, vhi = (min(values), max(values)) if values else (0.0, 1.0)
        ticks = nice_ticks(vlo - 0.5, vhi + 0.5, 5)
        lo, hi = ticks[0], ticks[-1]
    n = max(1, len(labels) - 1)

    def y_of(v: float) -> float:
        frac = (v - lo) / (hi - lo) if hi > lo else 0.5
        return top + (frac * ht if reverse else ht - frac * ht)

    def x_of(i: int) -> float:
        return left + (w * i / n if len(labels) > 1 else w / 2)

    step = max(1, math.ceil(len(labels) / 12))
    lines = []
    legend_x = left
    for name, vs, colour in series:
        pts = [(x_of(i), y_of(v)) for i, v in enumerate(vs) if v is not None]
        last = [v for v in vs if v is not None]
        lines.append({
            "name": name, "colour": colour, "legend_x": legend_x,
            "points": [(f"{x:.1f}", f"{y:.1f}") for x, y in pts],
            "path": " ".join(f"{x:.1f},{y:.1f}" for x, y in pts),
            "last_x": f"{pts[-1][0] - 12:.1f}" if pts else "", "last_y": f"{_label_y(pts, top + ht):.1f}" if pts else "",
            "last": f"{last[-1]:g}" if last else "",
        })  # fmt: skip
        legend_x += 70 + 27 * len(name)
    return render(
        "lines.html",
        width=width,
        height=height,
        left=left,
        right=width - right,
        ticks=[{"y": f"{y_of(v):.1f}", "text_y": f"{y_of(v) + 8:.1f}", "label": f"{v:g}"} for v in ticks],
        labels=[(f"{x_of(i):.1f}", m) for i, m in enumerate(labels) if i % step == 0 or i == len(labels) - 1],
        series=lines,
        y_label=y_label,
    )
