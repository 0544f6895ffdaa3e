"""The monthly work (DOMAIN §6, §7, §11), no Streamlit: grid × month 信息报送 status, volunteer
activity and meetings, and the meetings / patrols / pictures lines (HTML, etl.output.htmlcharts).

A whole area's grid × month matrix (信息报送 and 志愿服务 pages) is a coloured HTML
table (for st.html): as a Plotly heatmap of 28 grids it cost the server and the browser a
chart's worth of work each (about a tenth of a second) for what is a table of coloured
cells. The table has the same colours, the same one-character cells and the full word on
hover (the cell's title)."""

from __future__ import annotations

import math

import pandas as pd

from etl.output.charts_theme import (
    BLUE,
    FONT,
    GREY,
    PALETTE,
    RED,
    REPORT_STATUS_COLORS,
    count_step,
)
from etl.output.htmlcharts import Line, lines_html
from etl.safetext import html_text

# Dark text on the light colours, white on the strong ones.
LIGHT_INK = "#1a1a1a"
PALE_BLUE = "#dbe8f6"
STYLE = (
    "<style>"
    ".gm-wrap{overflow-x:auto;margin:0 0 0.4rem 0}"
    f"table.gm{{border-collapse:separate;border-spacing:2px;font-family:{FONT};font-size:12px;"
    "line-height:1.25;margin:0;border:none;width:auto}"
    "table.gm th,table.gm td{padding:3px 1px;min-width:1.6em;text-align:center;border:none;"
    "background:none;font-weight:400}"
    "table.gm thead th{color:#555;font-size:11px;padding-bottom:1px}"
    "table.gm tbody th{text-align:left;white-space:nowrap;padding:3px 4px 3px 0;max-width:6.5em;"
    "overflow:hidden;text-overflow:ellipsis;color:#31333f}"
    # Where there is room (a laptop), the whole name; a phone keeps the code and a few characters.
    "@media (min-width:641px){table.gm tbody th{max-width:11em}}"
    "table.gm td.gm-none{background:#f3f4f6}"
    # A phone (390 px) fits twelve months and a shortened name; wider screens get room.
    "@media (min-width:641px){table.gm td,table.gm thead th{min-width:2.3em}"
    "table.gm tbody th{max-width:8.5em;padding-right:6px}}"
    ".gm-legend{display:flex;flex-wrap:wrap;gap:0.3rem 0.9rem;font-size:12px;color:#31333f;margin:0.1rem 0}"
    ".gm-legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;"
    "vertical-align:-1px}"
    "</style>"
)


def _hex(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _mix(low: str, high: str, share: float) -> str:
    """The colour `share` (0 … 1) of the way from low to high."""
    a, b = _hex(low), _hex(high)
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def _table(matrix: pd.DataFrame, cell: object) -> str:
    """matrix (index '07 华园路', columns '1月' …) as a table; cell(row label, column, value)
    gives (text, background, ink, title) or None for an empty cell."""
    months = [str(c) for c in matrix.columns]
    head = "".join(f"<th>{html_text(m[:-1] if m.endswith('月') else m)}</th>" for m in months)
    rows = []
    for label, values in zip(matrix.index, matrix.itertuples(index=False), strict=True):
        cells = []
        for month, value in zip(months, values, strict=True):
            got = cell(str(label), month, value)  # type: ignore[operator]
            if got is None:
                cells.append(
                    f'<td class="gm-none" title="{html_text(label)} · {html_text(month)}：无记录"></td>'
                )
                continue
            text, fill, ink, title = got
            cells.append(
                f'<td style="background:{fill};color:{ink}" title="{html_text(label)} · {html_text(month)}：'
                f'{html_text(title)}">{html_text(text)}</td>'
            )
        rows.append(f'<tr><th title="{html_text(label)}">{html_text(label)}</th>{"".join(cells)}</tr>')
    return (
        f'{STYLE}<div class="gm-wrap"><table class="gm"><thead><tr><th>月份</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))


def report_table(statuses: pd.DataFrame) -> str:
    """Grid × month 信息报送 status (tables.chart_matrix of reporting.report_matrix) in the four
    status colours, one character a cell (按/逾/未/待), the full word on hover, and a legend."""

    def cell(label: str, month: str, status: object) -> tuple[str, str, str, str] | None:
        if _missing(status) or str(status) not in REPORT_STATUS_COLORS:
            return None
        fill = REPORT_STATUS_COLORS[str(status)]
        ink = "white" if fill in (RED, REPORT_STATUS_COLORS["按时"]) else LIGHT_INK
        return str(status)[:1], fill, ink, str(status)

    legend = "".join(
        f'<span><i style="background:{c}"></i>{s}</span>' for s, c in REPORT_STATUS_COLORS.items()
    )
    return _table(statuses, cell) + f'<div class="gm-legend">{legend}</div>'


def count_table(
    matrix: pd.DataFrame, *, enough: float, unit: str, what: str, blank: str | None = None
) -> str:
    """Grid × month counts: a month below `enough` is a strong red cell with white text, other
    months in blues (darker for more). A missing count is an empty cell, or, when `blank` is
    given, a red cell showing `blank` (a month without a reported count falls short too)."""
    known = [float(v) for row in matrix.itertuples(index=False) for v in row if not _missing(v)]
    top = max([float(enough) + 1, *known])

    def cell(label: str, month: str, value: object) -> tuple[str, str, str, str] | None:
        if _missing(value):
            if blank is None:
                return None
            return blank, RED, "white", f"未填写（按不足{enough:g}{unit}计）"
        v = float(value)  # type: ignore[arg-type]
        if v < enough:
            return f"{v:g}", RED, "white", f"{v:g} {unit}{what}，不足{enough:g}{unit}"
        share = min(1.0, v / top)
        return (
            f"{v:g}",
            _mix(PALE_BLUE, BLUE, share),
            "white" if share > 0.55 else LIGHT_INK,
            f"{v:g} {unit}{what}",
        )

    return _table(matrix, cell)


def activity_table(matrix: pd.DataFrame, unit: str = "次") -> str:
    """Grid × month volunteer activity counts (at least one a month): a zero month red."""
    return count_table(matrix, enough=1, unit=unit, what="志愿服务活动")


def meetings_table(matrix: pd.DataFrame, expected: int) -> str:
    """Grid × month meetings (etl.rules.lamps.work_matrix): a month short of `expected`
    meetings red, '—' (also red) for a month without a reported count."""
    return count_table(matrix, enough=expected, unit="次", what="例会", blank="—")


WORK_MEASURES: tuple[tuple[str, str, str, str], ...] = (
    ("meetings", "例会", "次", "例会次数"),
    ("patrols", "巡查", "次", "徒步巡查次数"),
    ("pictures", "图片", "张", "图片张数"),
)


def work_lines(history: pd.DataFrame, labels: dict[str, str], expected: int | None = None) -> str:
    """Meetings, patrols and pictures of one or a few grids over the months (etl.rules.mechanism
    .work_history) in HTML: three small charts, one per measure, side by side where the page is
    wide and one above the other on a phone; one line per grid in the grid's colour (one legend
    above the three), a gap where a month has no count, y from zero; `expected` draws the
    monthly minimum of meetings as a grey dashed line. A measure without any count says so.
    "" without any count at all."""
    groups = [
        (labels.get(str(code), str(code)), part) for code, part in history.groupby("grid_code", sort=False)
    ]
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(groups))]
    cells, drawn = [], False
    for col, name, unit, title in WORK_MEASURES:
        lines = []
        for (label, part), color in zip(groups, colors, strict=True):
            points = []
            for m, v in zip(part["month"], part[col], strict=True):
                t = pd.Timestamp(m)
                known = v is not None and not pd.isna(v)
                text = f"{float(v):g} {unit}" if known else "未填写"
                points.append(
                    (t, float(v) if known else None, f"{label} {t.year}年{t.month}月：{name} {text}")
                )
            lines.append(Line(f"{label} {name}", color, tuple(points), width=2, dot=7, legend=False))
        known = [v for ln in lines for _, v, _ in ln.points if v is not None]
        head = f'<div class="wk-title">{html_text(title)}（{unit}）</div>'
        if not known:
            cells.append(
                f'<div class="wk-cell">{head}<div class="wk-none">所选网格均未填写{title}</div></div>'
            )
            continue
        drawn = True
        guide = expected if col == "meetings" and expected else None
        most = int(max([*known, *([guide] if guide else [])]))
        step = count_step(most, ticks=4)
        top = max(step, -(-most // step) * step)
        if guide:
            months = sorted({m for ln in lines for m, _, _ in ln.points})
            tip = f"每月应≥{guide}次"
            lines.append(Line(tip, GREY, tuple((m, float(guide), tip) for m in months), dash="dash",
                              width=1.5, dot=0, legend=False))  # fmt: skip
        chart = lines_html(
            lines,
            top=top + step * 0.15,
            bottom=-step * 0.15,
            ticks=[(float(k), f"{k:g}") for k in range(0, top + 1, step)],
            note=(f"虚线为每月应≥{guide}次，" if guide else "") + "纵轴从 0 起",
            height=130,
        )
        cells.append(f'<div class="wk-cell">{head}{chart}</div>')
    if not drawn:
        return ""
    keys = "".join(
        f'<span><i style="border-top:3px solid {color}"></i>{html_text(label)}</span>'
        for (label, _), color in zip(groups, colors, strict=True)
    )
    return f'<div class="wk-lines"><div class="lc-legend">{keys}</div><div class="wk-grid">{"".join(cells)}</div></div>'
