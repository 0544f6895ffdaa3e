"""From raw sheets to validated rows: locate header → recognise kind → map columns → parse cells.

Nothing here touches the database: `extract_file` returns the rows each table would receive and
every problem found, so that a file can be checked (and shown to the user) before any write.
The steps live in their own modules: kinds (the declarations), recognise (header and kind),
rowreader (cells), records (rows to records by shape); this module runs them over a file.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from etl.errors import FileUnreadable
from etl.load import parse
from etl.load.extraction import Context, Extraction, RubricItem, SheetResult
from etl.load.issues import Issue
from etl.load.kinds import vocabulary
from etl.load.read import Sheet
from etl.load.recognise import NOTHING_RECOGNISED, Layout, locate, why_unrecognised
from etl.load.records import EXTRACTORS, extract_grids, extract_rubric
from etl.load.rowreader import RowReader
from etl.load.sandbox import read_workbook
from etl.safetext import strip_controls


def extract_sheets(sheets: list[Sheet], ctx: Context) -> Extraction:
    """Recognise and parse every sheet; registry and rubric sheets apply to the later sheets."""
    out = Extraction(ctx.file_name)
    skip = vocabulary().ignored_sheets
    for s in sheets:  # sheet names are stored with each row and shown in messages
        s.name = strip_controls(s.name)
    filled = [
        s
        for s in sheets
        if parse.header_key(s.name) not in skip and any(not parse.is_blank(v) for row in s.rows for v in row)
    ]
    if not filled:
        out.issues.append(Issue("工作表是空的，没有数据", "error", sheets[0].name if sheets else None))
        return out
    # Registry and rubric first: a workbook may carry them with the scores that use them, so
    # the other sheets are recognised (their item columns) and resolved against the new ones.
    pending = list(filled)
    kinds = vocabulary().kinds
    # A sheet's layout depends on the rubric (its item columns): located again only when a
    # rubric sheet of this workbook replaced it.
    located: dict[int, tuple[list[RubricItem], Layout | None]] = {}

    def layout_of(sheet: Sheet) -> Layout | None:
        hit = located.get(id(sheet))
        if hit is None or hit[0] is not ctx.rubric:
            hit = located[id(sheet)] = (ctx.rubric, locate(sheet, ctx))
        return hit[1]

    for shape in ("registry", "rubric"):
        for sheet in list(pending):
            layout = layout_of(sheet)
            if layout is None or kinds[layout.kind].shape != shape:
                continue
            pending.remove(sheet)
            result = SheetResult(sheet=sheet.name, kind=layout.kind)
            reader = RowReader(sheet, layout, ctx, parse.GridIndex(ctx.grids))
            table = kinds[layout.kind].table
            if shape == "registry":
                extract_grids(reader, result)
                rows = result.tables[table]
                ctx.grids = [
                    parse.GridEntry(r["area"], str(r["grid_code"]), str(r["grid_name"]),
                                    str(r["leader_name"] or ""))
                    for r in rows if r["grid_code"] and r["grid_name"]
                ]  # fmt: skip
            else:
                extract_rubric(reader, result)
                rows = result.tables[table]
                ctx.rubric = [
                    RubricItem(str(r["item_code"]), str(r["category"]), r["content"] or "",
                               float(r["max_points"]))
                    for r in rows if r["item_code"] and r["category"] and r["max_points"]
                ]  # fmt: skip
            result.row_count = len(rows)
            out.issues += reader.issues
            out.sheets.append(result)
    for sheet in pending:
        layout = layout_of(sheet)
        if layout is None:
            out.issues.append(why_unrecognised(sheet, ctx))
            continue
        result = SheetResult(sheet=sheet.name, kind=layout.kind)
        reader = RowReader(sheet, layout, ctx, parse.GridIndex(ctx.grids))
        if not ctx.grids:
            reader.issues.append(
                Issue(
                    "尚未导入网格名册：请先导入网格划分表（网格名册），再导入其他数据", "error", sheet.name
                )  # fmt: skip
            )
        else:
            EXTRACTORS[kinds[layout.kind].shape](reader, result, sheet)
        _finish_sheet(reader, result)
        out.issues += reader.issues
        if result.row_count == 0 and not any(i.severity == "error" for i in reader.issues):
            out.issues.append(Issue("工作表没有数据行", "warning", sheet.name))
        out.sheets.append(result)
    _cross_sheet_duplicates(out)
    out.issues = compact_issues(out.issues)
    if out.sheets and not out.errors and out.row_count == 0:
        out.issues.insert(0, Issue("文件中没有任何数据行（只有表头），没有可导入的内容", "error"))
    if not out.sheets and not out.errors:
        out.issues.insert(
            0,
            Issue(NOTHING_RECOGNISED, "error"),
        )
    return out


def _finish_sheet(reader: RowReader, result: SheetResult) -> None:
    """Conversions noted while reading, and unknown-grid suggestions that put the registry
    grids the sheet lacks first (known only once every row has been read)."""
    for kind, found in reader.conversions.items():
        result.conversions[kind].update(found)
    areas = {a for a, _ in reader.seen}
    if not areas:
        return
    if result.needs_month or result.needs_year:
        result.areas |= areas  # the month picker starts from the area's latest month
    absent = [e for e in reader.index.entries if e.area in areas and (e.area, e.code) not in reader.seen]
    grid_col = reader.layout.fields.get("grid")
    header = reader.layout.headers[grid_col] if grid_col is not None else None
    for i, issue in enumerate(reader.issues):
        if issue.column == header and issue.message.startswith(parse.GridIndex.UNKNOWN):
            text = reader.index.closest_text(parse.grid_key(issue.value), absent)
            reader.issues[i] = Issue(f"{parse.GridIndex.UNKNOWN}{text}{parse.HINT}", issue.severity,
                                     issue.sheet, issue.row, issue.column, issue.value)  # fmt: skip


def compact_issues(issues: list[Issue], at_least: int = 3) -> list[Issue]:
    """The same problem with the same value in many rows of a column (a month left blank in
    every row) is one line naming the rows, not 28 identical lines."""
    groups: dict[tuple[Any, ...], list[Issue]] = {}
    order: list[tuple[Any, ...]] = []
    for i in issues:
        key = (i.severity, i.sheet, i.column, i.message, repr(i.value)) if i.row else (id(i),)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(i)
    out: list[Issue] = []
    for key in order:
        group = groups[key]
        if len(group) < at_least:
            out += group
            continue
        rows = sorted(i.row for i in group if i.row)
        first = group[0]
        out.append(Issue(f"{first.message}（第{rows[0]}–{rows[-1]}行中共 {len(rows)} 行相同）", first.severity,
                         first.sheet, rows[0], first.column, first.value))  # fmt: skip
    return out


def _cross_sheet_duplicates(out: Extraction) -> None:
    """The same grid and period on two sheets of one workbook: which one counts is unclear."""
    # Kinds with one row per grid and period (scores, annual, records), as declared.
    keyed = [(k.table, k.period, {"month": "月份", "year": "年度"}[k.period])
             for k in vocabulary().kinds.values() if k.shape in ("scores", "annual", "records")]  # fmt: skip
    for table, period, label in keyed:
        seen: dict[tuple[Any, ...], tuple[str, int]] = {}
        for s in out.sheets:
            for r in s.tables.get(table, []):
                key = (r["area"], r[period], r["grid_code"])
                if key in seen and seen[key][0] != s.sheet:
                    first_sheet, first_row = seen[key]
                    out.issues.append(Issue(
                        f"同一{label}网格重复：网格{r['grid_code']} 已在工作表「{first_sheet}」第{first_row}行出现",
                        "error", s.sheet, r["excel_row"], "网格", r["grid_code"],
                    ))  # fmt: skip
                seen.setdefault(key, (s.sheet, r["excel_row"]))


def extract_file(data: bytes, file_name: str, ctx: Context) -> Extraction:
    """Read and extract a whole file; unreadable files give one error issue."""
    ctx.file_name = PurePath(file_name).name
    try:
        sheets = read_workbook(data, file_name)
    except FileUnreadable as exc:
        return Extraction(ctx.file_name, issues=[Issue(str(exc), "error")])
    return extract_sheets(sheets, ctx)
