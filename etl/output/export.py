"""Tables as users see them (Chinese headers, arrows, statuses) and their downloads:
.xlsx with a frozen header and sensible widths, CSV in UTF-8 with BOM so Excel shows Chinese."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from etl.safetext import csv_frame, set_cell

RED_FILL = PatternFill("solid", fgColor="FDECEA")
GREY_FILL = PatternFill("solid", fgColor="EEEEEE")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

RANKING_FIXED = ["grid_code", "grid_name", "big_grid", "leader_name", "lead_unit"]


def rank_change_text(change: object, prev: object, missing: bool) -> str:
    """↑2 / ↓3 / — (same, or no rank at the previous check) / blank for a missing grid."""
    if missing:
        return ""
    if change is None or pd.isna(change):
        return "—"
    change = int(change)  # type: ignore[call-overload]
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "—"


# The deciding columns first (issue 12): a leader reads rank, movement, grid, total and status
# before any category score; who leads the grid comes last.
RANKING_HEAD = ["排名", "变化", "网格编号", "网格名称", "总分", "状态"]
RANKING_TAIL = ["大网格", "挂点县领导", "牵头单位"]


def ranking_display(table: pd.DataFrame, categories: Sequence[str]) -> pd.DataFrame:
    """rankings.month_ranking as shown and downloaded: one row per grid, missing grids as 缺检;
    columns RANKING_HEAD, then the category scores, then RANKING_TAIL."""
    rows = []
    for r in table.to_dict("records"):
        missing = bool(r["missing"])
        row = {
            "排名": None if missing else int(r["rank"]),
            "变化": rank_change_text(r.get("rank_change"), r.get("prev_rank"), missing),
            "网格编号": r["grid_code"],
            "网格名称": r["grid_name"],
            "总分": None if missing else float(r["total"]),
            "状态": r["status_text"],  # the view's (monthly_ranking.status_text)
        }
        for c in categories:
            v = r.get(c)
            row[c] = None if v is None or pd.isna(v) else float(v)
        row["大网格"] = r.get("big_grid") or ""
        row["挂点县领导"] = r["leader_name"]
        row["牵头单位"] = r["lead_unit"]
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*RANKING_HEAD, *categories, *RANKING_TAIL])
    if not frame.empty:
        frame["排名"] = frame["排名"].astype("Int64")
    return frame


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM: Excel on Chinese Windows opens it with the right characters. Text that a
    spreadsheet would run as a formula (= + - @ …) gets a leading quote (safetext.csv_text)."""
    # CRLF rows (as Excel writes them): a field holding a lone \r is then quoted as well.
    return csv_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def xlsx_bytes(
    sheets: dict[str, pd.DataFrame],
    *,
    title: str | None = None,
    highlight: dict[str, Sequence[bool]] | None = None,
) -> bytes:
    """One formatted sheet per table: optional title row, bold header, frozen panes, widths;
    text always stored as text (never a formula, whatever it starts with); rows flagged in highlight[sheet] get a light red fill (bottom three, overdue…)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        ws = wb.create_sheet(name[:31])
        start = 1
        if title:
            set_cell(ws, 1, 1, title).font = Font(bold=True, size=14)
            start = 2
        for j, col in enumerate(frame.columns, start=1):
            cell = set_cell(ws, start, j, str(col))
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        flags = list((highlight or {}).get(name, []))
        for i, values in enumerate(frame.itertuples(index=False), start=start + 1):
            red = i - start - 1 < len(flags) and flags[i - start - 1]
            for j, v in enumerate(values, start=1):
                if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
                    v = None
                elif hasattr(v, "item"):
                    v = v.item()
                cell = set_cell(ws, i, j, v)
                if red:
                    cell.fill = RED_FILL
        for j, col in enumerate(frame.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in frame.iloc[:200, j - 1]]) * 1.6 + 2
            ws.column_dimensions[get_column_letter(j)].width = min(max(width, 6), 40)
        ws.freeze_panes = ws.cell(row=start + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
