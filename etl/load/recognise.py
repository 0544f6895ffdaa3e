"""Which kind a sheet is: find the header row(s), match its columns against each kind's
declaration (etl/load/kinds.py) and the rubric in force, and say why a sheet matched none. Also
the sheet's default month or year (title, sheet name, file name, the user's choice) and the
messages that ask for one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from etl.load import parse
from etl.load.extraction import Context, RubricItem
from etl.load.issues import Issue
from etl.load.kinds import KindSpec, vocabulary
from etl.load.read import Sheet

HEADER_SCAN_ROWS = 25


# Messages whose fix differs between the page and the command line: the page shows them as
# they are (it offers a picker), the command line adds the option to use (etl/cli.py).
def month_not_found(title: str = "考核") -> str:
    return (
        f"找不到{title}月份：表中没有「月份」列，标题、工作表名和文件名中也没有月份（如 2018年5月）。"
        f"请加一列「月份」，或{PICK_MONTH}"
    )


PICK_MONTH = "在上传时选择月份"
PICK_YEAR = "在上传时选择年度"
MONTH_NOT_FOUND = month_not_found()
YEAR_NOT_FOUND = (
    f"找不到考核年度：表中没有「年度」列，标题和文件名中也没有年份。请加一列「年度」，或{PICK_YEAR}"
)
MONTH_BLANK = f"月份为空，标题、工作表名和文件名中也没有月份；请在表中填写月份（如 2019-03），或{PICK_MONTH}"
NOTHING_RECOGNISED = (
    "没有识别出任何可导入的工作表。表头应包含模板中的列名，如「网格」「月份」和各考核项目，可先下载模板对照"
)
# A message holding the key gets the hint on the command line.
CLI_HINTS = {
    PICK_MONTH: "命令行：加 --month 2018-05 指定月份",
    PICK_YEAR: "命令行：加 --year 2018 指定年度",
    NOTHING_RECOGNISED: "命令行：python -m etl template monthly_scores -o 模板.xlsx",
}


@dataclass
class Layout:
    kind: str
    header_rows: tuple[int, ...]  # 0-based indexes of the header rows
    headers: list[str]  # combined header text per column (as shown)
    fields: dict[str, int]  # field → column index
    items: dict[int, tuple[RubricItem | None, str, float, bool]]  # col → (item, category, max, deduction)
    unknown: list[int]
    score: int


def _combined_headers(rows: list[list[Any]], r: int, two: bool) -> list[str]:
    upper = rows[r]
    if not two:
        return [parse.clean_text(v) for v in upper]
    lower = rows[r + 1] if r + 1 < len(rows) else []
    width = max(len(upper), len(lower))
    out = []
    for i in range(width):
        u = parse.clean_text(upper[i]) if i < len(upper) else ""
        lo = parse.clean_text(lower[i]) if i < len(lower) else ""
        out.append(lo or u)
    return out


def _rubric_lookup(rubric: list[RubricItem]) -> dict[str, tuple[RubricItem | None, str, float]]:
    """Header key → (item, category, max). A category with several items maps to itself."""
    out: dict[str, tuple[RubricItem | None, str, float]] = {}
    by_cat: dict[str, list[RubricItem]] = defaultdict(list)
    for item in rubric:
        by_cat[item.category].append(item)
    for cat, items in by_cat.items():
        if len(items) == 1:
            out[parse.header_key(cat)] = (items[0], cat, items[0].max_points)
        else:
            out[parse.header_key(cat)] = (None, cat, sum(i.max_points for i in items))
    for item in rubric:
        if item.content:
            out.setdefault(parse.header_key(item.content), (item, item.category, item.max_points))
        out[parse.header_key(item.code)] = (item, item.category, item.max_points)
        # Template headers read "A1 公益宣传（10分）": code and category (or content) together.
        for label in (item.category, item.content):
            if label:
                out.setdefault(parse.header_key(item.code + label), (item, item.category, item.max_points))
    return out


def _match_layout(
    keys: list[str], kind: KindSpec, rubric: dict[str, tuple[RubricItem | None, str, float]]
) -> tuple[dict[str, int], dict[int, tuple[RubricItem | None, str, float, bool]], list[int]]:
    """The columns of `kind` and the rubric items found among the header keys (header_key of
    each column's header), and the columns matching neither."""
    fields: dict[str, int] = {}
    items: dict[int, tuple[RubricItem | None, str, float, bool]] = {}
    unknown: list[int] = []
    voc = vocabulary()
    for i, key in enumerate(keys):
        if not key or key in voc.ignored:
            continue
        hit = next((c for c in kind.columns if key in c.keys and c.field not in fields), None)
        # On a score sheet a header naming a rubric item is an item column, even if a declared alias.
        if hit and not (kind.shape == "scores" and key in rubric):
            fields[hit.field] = i
            continue
        if kind.shape == "scores":
            deduction = key.endswith("扣分") and key[:-2] in rubric
            base = key[:-2] if deduction else key
            if base in rubric:
                item, cat, mx = rubric[base]
                items[i] = (item, cat, mx, deduction)
                continue
        unknown.append(i)
    return fields, items, unknown


def locate(sheet: Sheet, ctx: Context) -> Layout | None:
    """The header row(s) and kind of a sheet: the candidate matching most known columns."""
    voc = vocabulary()
    rubric = _rubric_lookup(ctx.rubric)
    kinds = [ctx.kind] if ctx.kind else list(voc.kinds)
    best: Layout | None = None
    rows = sheet.rows
    for r in range(min(HEADER_SCAN_ROWS, len(rows))):
        if sum(1 for v in rows[r] if not parse.is_blank(v)) < 2:
            continue
        for two in (False, True):
            if two and r + 1 >= len(rows):
                continue
            headers = _combined_headers(rows, r, two)
            keys = [parse.header_key(h) for h in headers]  # once for every kind tried
            for name in kinds:
                spec = voc.kinds[name]
                fields, items, unknown = _match_layout(keys, spec, rubric)
                required = [c.field for c in spec.columns if c.required]
                if any(f not in fields for f in required):
                    continue
                if spec.shape == "scores" and not items:
                    continue  # a score sheet has rubric item columns (only score sheets match them)
                score = len(fields) + len(items)
                if best is None or score > best.score:
                    rows_idx = (r, r + 1) if two else (r,)
                    best = Layout(name, rows_idx, headers, fields, items, unknown, score)
    return best


def why_unrecognised(sheet: Sheet, ctx: Context) -> Issue:
    """A sheet that matched no kind: skipped when it holds no data we know, an error when it
    looks like a data sheet that lacks a required column."""
    voc = vocabulary()
    rubric = _rubric_lookup(ctx.rubric)
    best: tuple[int, str, list[str], int] | None = None
    for r in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
        keys = [parse.header_key(h) for h in _combined_headers(sheet.rows, r, False)]
        for name in [ctx.kind] if ctx.kind else voc.kinds:
            spec = voc.kinds[name]
            fields, items, _ = _match_layout(keys, spec, rubric)
            missing = [c.header for c in spec.columns if c.required and c.field not in fields]
            if spec.shape == "scores" and not items:
                missing.append("考核项目得分列（如 A1 或 公益宣传）")
            hits = len(fields) + len(items)
            if hits and (best is None or hits > best[0]):
                best = (hits, name, missing, r + 1)
    if best is None or best[0] < 2:
        return Issue("未识别的工作表（找不到模板中的表头），已跳过", "warning", sheet.name)
    hits, name, missing, row = best
    spec = voc.kinds[name]
    if spec.shape == "scores" and not ctx.rubric:
        return Issue(f"尚未导入评分细则：请先导入评分细则，再导入{spec.label}", "error", sheet.name)
    return Issue(
        f"像是「{spec.label}」表，但缺少必需的列：{'、'.join(missing)}。"
        "请按模板补齐列名",
        "error", sheet.name, row,
    )  # fmt: skip


# ---- The sheet's default month or year ---------------------------------------------------


def context_text(sheet: Sheet, layout: Layout) -> str:
    """Title rows above the header, joined (where a month or year is often written)."""
    cells = []
    for row in sheet.rows[: layout.header_rows[0]]:
        cells += [parse.clean_text(v) for v in row if not parse.is_blank(v)]
    return " ".join(cells)


def sheet_month(sheet: Sheet, layout: Layout, ctx: Context) -> tuple[date | None, str]:
    """Month for rows without a 月份 cell: title, sheet name, file name, then --month."""
    title = context_text(sheet, layout)
    for text, source in ((title, "标题"), (sheet.name, "工作表名"), (ctx.file_name, "文件名")):
        m = parse.month_in_text(text)
        if m:
            return m, source
    only = parse.month_only_in_text(sheet.name) or parse.month_only_in_text(title)
    if only:
        year = (
            parse.year_in_text(title)
            or parse.year_in_text(ctx.file_name)
            or (ctx.month.year if ctx.month else None)
        )
        if year:
            return date(year, only, 1), "工作表名"
    if ctx.month:
        return ctx.month, "--month"
    return None, ""


def sheet_year(sheet: Sheet, layout: Layout, ctx: Context) -> int | None:
    for text in (context_text(sheet, layout), sheet.name, ctx.file_name):
        y = parse.year_in_text(text)
        if y:
            return y
    return ctx.year
