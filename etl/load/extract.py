"""From raw sheets to validated rows: locate header → recognise kind → map columns → parse cells.

Nothing here touches the database: `extract_file` returns the rows each table would receive and
every problem found, so that a file can be checked (and shown to the user) before any write.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path, PurePath
from typing import Any

from etl.db import today as shanghai_today
from etl.errors import FileUnreadable
from etl.load import parse
from etl.load.issues import Issue
from etl.load.read import Sheet
from etl.load.sandbox import read_workbook
from etl.rules import rulesql
from etl.safetext import strip_controls

COLUMNS_FILE = Path(__file__).resolve().parent / "columns.toml"


@cache
def _declarations() -> dict[str, Any]:
    return tomllib.loads(COLUMNS_FILE.read_text(encoding="utf-8"))


# The kinds, in the order columns.toml declares them (also the order of recognition ties).
KINDS: tuple[str, ...] = tuple(_declarations()["kinds"])
KIND_LABELS: dict[str, str] = {
    name: spec.get("title", spec["label"]) for name, spec in _declarations()["kinds"].items()
}
DEFAULT_AREA = "县城"
HEADER_SCAN_ROWS = 25
# Text columns that hold names (besides every `code` column): at most parse.NAME_MAX characters.
NAME_FIELDS = frozenset(
    {"grid_name", "leader_name", "leader_title", "lead_unit", "responsible_units", "contact_name",
     "organiser", "handler"}
)  # fmt: skip
SUM_TOLERANCE = 0.01


@dataclass(frozen=True)
class ColumnSpec:
    field: str
    header: str
    keys: tuple[str, ...]  # normalised header and aliases, canonical first
    required: bool
    type: str
    min: float | None = None  # lower bound; a value below it is a row error
    min_message: str = ""


@dataclass(frozen=True)
class CheckSpec:
    """A row rule declared with the kind: `field` may not exceed `not_above`."""

    field: str
    not_above: str
    message: str  # with {value} and {limit}


@dataclass(frozen=True)
class KindSpec:
    """A sheet kind as columns.toml declares it (see the comment at the top of that file)."""

    name: str
    label: str  # the template's sheet name
    columns: tuple[ColumnSpec, ...]
    title: str = ""  # the name users see
    shape: str = "events"
    table: str = ""
    period: str = "month"  # whole | month | year
    period_from: str = ""
    noun: str = "行"
    note: str = ""
    prefill_grids: bool = False
    rule_macro: str = ""
    rule_flag: str = ""
    rule_short: str = ""
    current: str = ""  # the cur_* view of the rows in force
    checks: tuple[CheckSpec, ...] = ()

    def column(self, field: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.field == field), None)


@dataclass(frozen=True)
class Vocabulary:
    kinds: dict[str, KindSpec]
    ignored: frozenset[str]
    duties: tuple[str, ...]
    extra_categories: tuple[str, ...]
    footer_prefixes: tuple[str, ...]
    ignored_sheets: frozenset[str]


@cache
def vocabulary() -> Vocabulary:
    """The alias tables of columns.toml."""
    raw = _declarations()
    grid_aliases = raw["grid_aliases"]["aliases"]
    kinds: dict[str, KindSpec] = {}
    for name in KINDS:
        spec = raw["kinds"][name]
        cols = []
        for c in spec["columns"]:
            names = [c["header"], *c.get("aliases", [])]
            if c["type"] == "grid":
                names += grid_aliases
            keys = tuple(dict.fromkeys(parse.header_key(n) for n in names))
            cols.append(ColumnSpec(c["field"], c["header"], keys, c.get("required", False), c["type"],
                                   c.get("min"), c.get("min_message", "")))  # fmt: skip
        checks = tuple(CheckSpec(k["field"], k["not_above"], k["message"]) for k in spec.get("checks", []))
        kinds[name] = KindSpec(
            name, spec["label"], tuple(cols), title=KIND_LABELS[name], shape=spec["shape"],
            table=spec["table"], period=spec["period"], period_from=spec.get("period_from", ""),
            noun=spec.get("noun", "行"), note=spec.get("note", ""),
            prefill_grids=spec.get("prefill_grids", False), rule_macro=spec.get("rule_macro", ""),
            rule_flag=spec.get("rule_flag", ""), rule_short=spec.get("rule_short", ""),
            current=spec["current"], checks=checks,
        )  # fmt: skip
    return Vocabulary(
        kinds=kinds,
        ignored=frozenset(parse.header_key(h) for h in raw["ignored"]["headers"]),
        duties=tuple(raw["categories"]["duties"]),
        extra_categories=tuple(raw["categories"]["extra"]),
        footer_prefixes=tuple(raw["footer"]["prefixes"]),
        ignored_sheets=frozenset(parse.header_key(h) for h in raw["ignored"]["sheets"]),
    )


# ---- Context the parsers need from the database --------------------------------------------


@dataclass(frozen=True)
class RubricItem:
    code: str
    category: str
    content: str
    max_points: float


@dataclass
class Context:
    """Registry and rubric in force, plus what the user told us (month, year, kind)."""

    grids: list[parse.GridEntry] = field(default_factory=list)
    rubric: list[RubricItem] = field(default_factory=list)
    month: date | None = None
    year: int | None = None
    kind: str | None = None
    file_name: str = ""
    today: date = field(default_factory=shanghai_today)  # bounds months and dates (parse.check_*)


# ---- Results -----------------------------------------------------------------------------


@dataclass
class SheetResult:
    """What one recognised sheet yields: rows per table and the keys it supersedes."""

    sheet: str
    kind: str
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    row_count: int = 0
    areas: set[str] = field(default_factory=set)
    periods: set[str] = field(default_factory=set)
    grids: set[str] = field(default_factory=set)
    # What the upload preview says before anything is written (DATA_CONTRACT §1 conversions):
    # kind of conversion ('deduction', 'leader', 'written', 'month') → {as written: as read}.
    conversions: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    title: str = ""  # title rows above the header, where a month or year is often written
    needs_month: bool = False  # no month anywhere: the page offers a month picker
    needs_year: bool = False  # no year anywhere (year-end sheets): the page offers a year picker


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
class Extraction:
    """A whole file: the sheets recognised and every issue found."""

    file_name: str
    sheets: list[SheetResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(s.kind for s in self.sheets))

    @property
    def row_count(self) -> int:
        return sum(s.row_count for s in self.sheets)

    @property
    def needs_month(self) -> bool:
        return any(s.needs_month for s in self.sheets)

    @property
    def needs_year(self) -> bool:
        return any(s.needs_year for s in self.sheets)


# ---- Header location and kind recognition -----------------------------------------------


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
    headers: list[str], kind: KindSpec, rubric: dict[str, tuple[RubricItem | None, str, float]]
) -> tuple[dict[str, int], dict[int, tuple[RubricItem | None, str, float, bool]], list[int]]:
    fields: dict[str, int] = {}
    items: dict[int, tuple[RubricItem | None, str, float, bool]] = {}
    unknown: list[int] = []
    voc = vocabulary()
    for i, text in enumerate(headers):
        key = parse.header_key(text)
        if not key or key in voc.ignored:
            continue
        hit = next((c for c in kind.columns if key in c.keys and c.field not in fields), None)
        if hit and not (kind.name == "monthly_scores" and key in rubric):
            fields[hit.field] = i
            continue
        if kind.name == "monthly_scores":
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
    kinds = [ctx.kind] if ctx.kind else list(KINDS)
    best: Layout | None = None
    rows = sheet.rows
    for r in range(min(HEADER_SCAN_ROWS, len(rows))):
        if sum(1 for v in rows[r] if not parse.is_blank(v)) < 2:
            continue
        for two in (False, True):
            if two and r + 1 >= len(rows):
                continue
            headers = _combined_headers(rows, r, two)
            for name in kinds:
                spec = voc.kinds[name]
                fields, items, unknown = _match_layout(headers, spec, rubric)
                required = [c.field for c in spec.columns if c.required]
                if any(f not in fields for f in required):
                    continue
                if name == "monthly_scores" and not items:
                    continue
                score = len(fields) + len(items)
                if name == "annual_scores" and items:
                    continue  # a sheet with rubric item columns is a monthly sheet
                if best is None or score > best.score:
                    rows_idx = (r, r + 1) if two else (r,)
                    best = Layout(name, rows_idx, headers, fields, items, unknown, score)
    return best


# ---- Rows --------------------------------------------------------------------------------


def _is_footer(row: list[Any]) -> bool:
    first = next((parse.clean_text(v) for v in row if not parse.is_blank(v)), "")
    return first.replace(" ", "").startswith(vocabulary().footer_prefixes)


def _context_text(sheet: Sheet, layout: Layout) -> str:
    """Title rows above the header, joined (where a month or year is often written)."""
    cells = []
    for row in sheet.rows[: layout.header_rows[0]]:
        cells += [parse.clean_text(v) for v in row if not parse.is_blank(v)]
    return " ".join(cells)


def _sheet_month(sheet: Sheet, layout: Layout, ctx: Context) -> tuple[date | None, str]:
    """Month for rows without a 月份 cell: title, sheet name, file name, then --month."""
    title = _context_text(sheet, layout)
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


def _sheet_year(sheet: Sheet, layout: Layout, ctx: Context) -> int | None:
    for text in (_context_text(sheet, layout), sheet.name, ctx.file_name):
        y = parse.year_in_text(text)
        if y:
            return y
    return ctx.year


class _RowReader:
    """Parses one sheet's data rows for one kind, collecting issues."""

    def __init__(self, sheet: Sheet, layout: Layout, ctx: Context, index: parse.GridIndex):
        self.sheet = sheet
        self.layout = layout
        self.ctx = ctx
        self.index = index
        self.issues: list[Issue] = []
        self.col_types = {c.field: c.type for c in vocabulary().kinds[layout.kind].columns}
        self.prefer_area: str | None = None
        self._memo: dict[str, dict[Any, tuple[bool, Any]]] = {}
        self.conversions: dict[str, dict[str, str]] = defaultdict(dict)
        self.seen: dict[tuple[str, str], parse.GridEntry] = {}  # grids the sheet's rows name
        self._row_grid: tuple[int, parse.GridEntry] | None = None  # (Excel row, its grid)
        # Score sheets hold one row per grid: a bad cell's message names the row's grid too.
        self.name_grid = layout.kind in ("monthly_scores", "annual_scores")

    def issue(self, row: int, col: int | None, value: Any, message: str, severity: str = "error") -> None:
        header = self.layout.headers[col] if col is not None and col < len(self.layout.headers) else None
        # A bad cell of a grid's row names the grid too (the clerk finds the row by its grid).
        if (
            self.name_grid
            and self._row_grid
            and self._row_grid[0] == row
            and col is not None
            and col not in {self.layout.fields.get(f) for f in ("grid", "month", "year")}
        ):
            g = self._row_grid[1]
            message = f"{message}（网格 {g.code} {g.name}）"
        self.issues.append(
            Issue(message, severity, self.sheet.name, row, header, value)  # type: ignore[arg-type]
        )

    def data_rows(self) -> list[tuple[int, list[Any]]]:
        """(Excel row number, cells) of the data rows: no blanks, footers or repeated headers."""
        start = self.layout.header_rows[-1] + 1
        out = []
        # A header repeated on printed pages: same text as the header in the first two fields.
        probe = sorted(self.layout.fields.values())[:2]
        probe_text = [self.layout.headers[c] for c in probe]
        footers = vocabulary().footer_prefixes
        for i in range(start, len(self.sheet.rows)):
            row = self.sheet.rows[i]
            first = next((v for v in row if v is not None and v != ""), None)
            if first is None:
                continue
            if isinstance(first, str):
                text = parse.clean_text(first)
                if not text and all(parse.is_blank(v) for v in row):
                    continue
                if text.replace(" ", "").startswith(footers):
                    continue
            if all(
                c < len(row) and parse.clean_text(row[c]) == t for c, t in zip(probe, probe_text, strict=True)
            ):
                continue
            out.append((i + 1, row))
        return out

    def cell(self, row: list[Any], name: str) -> tuple[Any, int | None]:
        col = self.layout.fields.get(name)
        if col is None or col >= len(row):
            return None, col
        return row[col], col

    def value(self, excel_row: int, row: list[Any], name: str, required: bool = False) -> Any:
        raw, col = self.cell(row, name)
        if parse.is_blank(raw):
            if required:
                self.issue(excel_row, col, raw, "不能为空")
            return None
        # Values repeat down a column (dates, grids, categories): parse each distinct one once.
        memo = self._memo.setdefault(name, {})
        try:
            ok, parsed = memo[raw]
        except KeyError:
            try:
                ok, parsed = True, self._parse(name, raw)
            except parse.CellError as exc:
                ok, parsed = False, str(exc)
            except TypeError:  # unhashable: never cached
                ok, parsed = True, self._parse(name, raw)
            memo[raw] = (ok, parsed)
        if not ok:
            self.issue(excel_row, col, raw, parsed)
            return None
        if name == "grid":
            self._row_grid = (excel_row, parsed)
            self.seen[(parsed.area, parsed.code)] = parsed
        return parsed

    def _parse(self, name: str, raw: Any) -> Any:
        """One cell as its column's type. Every kind passes here: text loses control characters
        (parse.clean_text / tidy_text), names are bounded, dates and months must be plausible."""
        kind = self.col_types.get(name, "text")
        today = self.ctx.today
        if kind == "text":
            text = parse.tidy_text(raw)
            # A name is one line: a line break in it would end an HTML block on a page.
            return parse.check_name(" ".join(text.split())) if name in NAME_FIELDS else text
        if kind == "code":
            return parse.check_name(parse.clean_text(raw))
        if kind == "list":
            text = parse.tidy_text(raw)
            parts = [p.strip() for p in re.split(r"[、，,;；/\n]+", text) if p.strip()]
            return [parse.check_name(p) for p in parts] if name in NAME_FIELDS else parts
        if kind == "number":
            return parse.parse_number(raw)
        if kind == "int":
            return parse.parse_int(raw)
        if kind == "date":
            day = parse.parse_date(raw)
            return day if day is None else parse.check_date(day, today)
        if kind == "month":
            month = parse.parse_month(raw)
            return month if month is None else parse.check_month(month, today)
        if kind == "year":
            year = parse.parse_year(raw)
            return year if year is None else parse.check_year(year, today)
        if kind == "category":
            return self.category(raw)
        if kind == "grid":
            return self.grid(raw)
        raise AssertionError(kind)

    def grid(self, raw: Any) -> parse.GridEntry:
        try:
            entry = self.index.resolve(raw)
        except parse.CellError:
            found = self.index.resolve_in_area(raw, self.prefer_area) if self.prefer_area else None
            if not found:
                raise
            entry = found
        self._note_conversion(raw, entry)
        return entry

    def _note_conversion(self, raw: Any, entry: parse.GridEntry) -> None:
        """Remember a reference that is not the grid's code as written (for the preview)."""
        text = parse.clean_text(raw)
        key = parse.grid_key(raw)
        if text == entry.code or text.isdigit() or key == parse.grid_key(entry.name):
            return  # the code, a bare number (7 for 07) or the grid's name: nothing to say
        shown = f"{entry.code} {entry.name}"
        if entry.leader and key == parse.grid_key(entry.leader):
            self.conversions["leader"][text] = shown
        else:
            self.conversions["written"][text] = shown

    def category(self, raw: Any) -> str:
        voc = vocabulary()
        allowed = voc.duties + voc.extra_categories
        text = parse.clean_text(raw).replace(" ", "")
        if isinstance(raw, int | float) or text.isdigit():
            if isinstance(raw, float) and not raw.is_integer():
                raise parse.CellError(f"类别编号应为整数 1–{len(voc.duties)}")
            n = int(float(raw)) if not isinstance(raw, str) else int(text)
            if 1 <= n <= len(voc.duties):
                return voc.duties[n - 1]
            raise parse.CellError(f"类别编号应为 1–{len(voc.duties)}")
        for name in allowed:
            if text == name or text.startswith(name) or text.lstrip("0123456789.、") == name:
                return name
        raise parse.CellError("问题类别应为八项职责之一（" + "、".join(allowed) + "）或其编号 1–8")


def _resolve_areas(reader: _RowReader, rows: list[tuple[int, list[Any]]]) -> None:
    """Most rows resolve uniquely; their area settles references that are ambiguous across areas."""
    areas: Counter[str] = Counter()
    raw_col = reader.layout.fields.get("grid")
    if raw_col is None:
        return
    for _, row in rows[:200]:
        if raw_col < len(row) and not parse.is_blank(row[raw_col]):
            try:
                areas[reader.index.resolve(row[raw_col]).area] += 1
            except parse.CellError:
                pass
    if areas:
        reader.prefer_area = areas.most_common(1)[0][0]


# ---- Per-kind extraction ----------------------------------------------------------------


def _extract_grids(reader: _RowReader, result: SheetResult) -> None:
    seen: dict[tuple[str, str], int] = {}
    for order, (n, row) in enumerate(reader.data_rows(), start=1):
        rec = {
            "grid_code": reader.value(n, row, "grid_code", required=True),
            "grid_name": reader.value(n, row, "grid_name", required=True),
            "area": reader.value(n, row, "area") or DEFAULT_AREA,
            "big_grid": reader.value(n, row, "big_grid"),
            "leader_name": reader.value(n, row, "leader_name", required=True),
            "leader_title": reader.value(n, row, "leader_title"),
            "lead_unit": reader.value(n, row, "lead_unit", required=True),
            "responsible_units": reader.value(n, row, "responsible_units") or [],
            "scope": reader.value(n, row, "scope"),
            "contact_name": reader.value(n, row, "contact_name"),
            "contact_phone": reader.value(n, row, "contact_phone"),
            "sort_order": order,
            "sheet": reader.sheet.name,
            "excel_row": n,
        }
        key = (rec["area"], rec["grid_code"])
        if rec["grid_code"] and key in seen:
            col = reader.layout.fields["grid_code"]
            reader.issue(n, col, rec["grid_code"], f"网格编号重复（与第{seen[key]}行相同）")
        seen[key] = n
        result.tables["grid_registry"].append(rec)
        result.areas.add(rec["area"])
        result.grids.add(str(rec["grid_code"]))


def _extract_rubric(reader: _RowReader, result: SheetResult) -> None:
    seen: dict[str, int] = {}
    voc = vocabulary()
    for order, (n, row) in enumerate(reader.data_rows(), start=1):
        code = reader.value(n, row, "item_code", required=True)
        mx = reader.value(n, row, "max_points", required=True)
        cat = reader.value(n, row, "category", required=True)
        if mx is not None and mx <= 0:
            reader.issue(n, reader.layout.fields["max_points"], mx, "分值应大于 0")
        if code and code in seen:
            reader.issue(
                n, reader.layout.fields["item_code"], code, f"项目编号重复（与第{seen[code]}行相同）"
            )
        if cat and cat not in voc.duties + voc.extra_categories:
            reader.issue(
                n, reader.layout.fields["category"], cat,
                "考核类别不是八项职责或工作机制之一，页面将按此名称单列", "warning",
            )  # fmt: skip
        seen[code] = n
        result.tables["rubric_item"].append(
            {
                "item_code": code,
                "category": cat,
                "content": reader.value(n, row, "content"),
                "max_points": mx,
                "sort_order": order,
                "sheet": reader.sheet.name,
                "excel_row": n,
            }
        )


SOURCE_LABELS = {
    "标题": "标题",
    "工作表名": "工作表名",
    "文件名": "文件名",
    "--month": "上传时填写的月份（--month）",
}


def _plausible_default(reader: _RowReader, sheet: Sheet, value: date | int | None, source: str) -> bool:
    """A month or year taken from the title, sheet name, file name or the user's option must be
    plausible like one written in a cell (parse.check_month / check_year); False with an error."""
    if value is None:
        return True
    try:
        if isinstance(value, int):
            parse.check_year(value, reader.ctx.today)
        else:
            parse.check_month(value, reader.ctx.today)
    except parse.CellError as exc:
        shown = f"{value}年" if isinstance(value, int) else f"{value.year}年{value.month}月"
        where = SOURCE_LABELS.get(source, source)
        reader.issues.append(Issue(f"{where}中的{shown}：{exc}", "error", sheet.name))
        return False
    return True


def _flag_blank_month(
    reader: _RowReader, result: SheetResult, layout: Layout, n: int, row: list[Any]
) -> None:
    """A row whose 月份 cell is blank while the sheet gives no month: the page offers a picker."""
    if "month" in layout.fields and parse.is_blank(reader.cell(row, "month")[0]):
        result.needs_month = True
        reader.issue(n, layout.fields["month"], None, MONTH_BLANK)


def _default_month(
    reader: _RowReader, result: SheetResult, sheet: Sheet, not_found: str
) -> tuple[date | None, bool]:
    """The sheet's month when its rows carry none (title, sheet name, file name or the chosen
    month) and whether that month was implausible. A sheet with no month at all is an error and
    asks for the page's month picker; a month read off the title etc. is noted for the preview."""
    layout = reader.layout
    default_month, source = _sheet_month(sheet, layout, reader.ctx)
    bad_default = not _plausible_default(reader, sheet, default_month, source)
    if bad_default:
        default_month = None
    result.title = _context_text(sheet, layout)
    if "month" not in layout.fields and default_month is None and not bad_default:
        result.needs_month = True  # the upload page offers a month picker
        reader.issues.append(Issue(not_found, "error", sheet.name))
    elif default_month is not None and source != "--month" and "month" not in layout.fields:
        text = {"标题": result.title, "工作表名": sheet.name, "文件名": reader.ctx.file_name}[source]
        result.conversions["month"][f"{source}「{text}」"] = f"{default_month.year}年{default_month.month}月"
    return default_month, bad_default


def _extract_monthly(reader: _RowReader, result: SheetResult, sheet: Sheet) -> None:
    layout = reader.layout
    rows = reader.data_rows()
    _resolve_areas(reader, rows)
    default_month, bad_default = _default_month(reader, result, sheet, MONTH_NOT_FOUND)
    for c, (_, _, _, deduction) in layout.items.items():
        if deduction:
            result.conversions["deduction"][layout.headers[c]] = "得分 = 满分 − 扣分"
    # Every rubric category must have a score column, or totals would not compare.
    covered = {cat for (_, cat, _, _) in layout.items.values()}
    for cat in dict.fromkeys(i.category for i in reader.ctx.rubric):
        if cat not in covered:
            reader.issues.append(
                Issue(
                    f"缺少考核类别「{cat}」的得分列（评分细则中有此类别）",
                    "error",
                    sheet.name,
                    layout.header_rows[-1] + 1,
                    cat,
                )  # fmt: skip
            )
    for i in layout.unknown:
        header = layout.headers[i]
        numeric = sum(
            1 for _, row in rows if i < len(row) and isinstance(row[i], int | float) and row[i] != ""
        )
        # A mostly numeric column that is not a rank is a score column the rubric does not know.
        if numeric and numeric >= len(rows) / 2 and "排" not in header and "名次" not in header:
            reader.issue(layout.header_rows[-1] + 1, i, header,
                         "评分细则中没有这个考核项目；请核对列名，或先导入新的评分细则")  # fmt: skip
        else:
            reader.issue(layout.header_rows[-1] + 1, i, header, "未识别的列，已忽略", "warning")
    seen: dict[tuple[str, str, date], int] = {}
    totals: dict[date, dict[tuple[str, str], float]] = defaultdict(dict)
    stated: dict[tuple[str, str, date], tuple[int, int]] = {}
    grid_col = layout.fields["grid"]
    for n, row in rows:
        item_cells = [(c, row[c] if c < len(row) else None) for c in layout.items]
        if all(parse.is_blank(v) for _, v in item_cells):
            total_raw, _ = reader.cell(row, "total")
            if parse.is_blank(total_raw):
                reader.issue(n, grid_col, row[grid_col] if grid_col < len(row) else None,
                             "该行没有任何得分，按缺检处理（未导入）", "warning")  # fmt: skip
                continue
        g = reader.value(n, row, "grid", required=True)
        month = reader.value(n, row, "month") if "month" in layout.fields else None
        raw_month, month_col = reader.cell(row, "month")
        if month is not None and isinstance(raw_month, float) and f"{raw_month}".endswith(".1"):
            # Excel turns a typed 2019.10 into the number 2019.1: October read as January.
            reader.issue(n, month_col, raw_month, f"月份按 {month.year}年1月 读取；如果原意是 {month.year}年10月，"
                         "请把单元格设为文本后写 2019-10", "warning")  # fmt: skip
        month = month or default_month
        scores: list[dict[str, Any]] = []
        item_sum = 0.0
        ok = True
        for c, raw in item_cells:
            item, cat, mx, deduction = layout.items[c]
            mx = item.max_points if item else mx
            try:
                v = parse.parse_number(raw)
            except parse.CellError as exc:
                reader.issue(n, c, raw, str(exc))
                ok = False
                continue
            if v is None:
                reader.issue(n, c, raw, "得分为空；未检查的项目请填 0 或满分，整行未检请删去该行")
                ok = False
                continue
            if deduction:
                if v < 0 or v > mx:
                    reader.issue(
                        n, c, raw, f"扣分 {parse.clean_text(raw)} 超出范围，应在 0 到满分 {mx:g} 之间"
                    )
                    ok = False
                    continue
                v = mx - v
            elif v < 0:
                reader.issue(n, c, raw, f"得分不能为负数（满分 {mx:g}）")
                ok = False
                continue
            elif v > mx + 1e-9:
                label = f"{item.code} {cat}" if item and item.code != cat else cat
                reader.issue(n, c, raw, f"「{label}」得分 {v:g} 超过满分 {mx:g}")
                ok = False
                continue
            item_sum += v
            code = item.code if item else cat
            scores.append({"item_code": code, "category": cat, "max_points": mx, "score": v})
        total = reader.value(n, row, "total")
        if total is not None and ok and abs(total - item_sum) > SUM_TOLERANCE:
            reader.issue(n, layout.fields["total"], total,
                         f"总分与各项得分之和 {item_sum:g} 不一致，请核对")  # fmt: skip
        if month is None and not bad_default:
            _flag_blank_month(reader, result, layout, n, row)
        if g is None or month is None:
            continue
        key = (g.area, g.code, month)
        if key in seen:
            reader.issue(n, grid_col, row[grid_col],
                         f"同一月份网格重复：{g.code} {g.name} 已在第{seen[key]}行出现")  # fmt: skip
            continue
        seen[key] = n
        rank_raw, rank_col = reader.cell(row, "stated_rank")
        try:
            r = parse.parse_int(rank_raw)
            if r is not None:
                stated[key] = (r, n)
        except parse.CellError:
            pass
        total_value = round(item_sum, 4)
        totals[month][(g.area, g.code)] = total_value
        base = {"area": g.area, "month": month, "grid_code": g.code}
        result.tables["monthly_score"].append(
            {
                **base,
                "total": total_value,
                "note": reader.value(n, row, "note"),
                "sheet": sheet.name,
                "excel_row": n,
            }  # fmt: skip
        )
        for s in scores:
            result.tables["monthly_item_score"].append({**base, **s})
        result.areas.add(g.area)
        result.periods.add(month.strftime("%Y-%m"))
        result.grids.add(g.code)
        result.row_count += 1
    # A stated rank that differs from the computed one is worth a look, not a refusal.
    # Only a sheet with a 排名 column needs ranks; they come from the SQL rule (etl/rules/rulesql.py).
    for month, by_grid in totals.items() if stated else ():
        for area in {a for a, _ in by_grid}:
            ranks = rulesql.competition_ranks({k: v for k, v in by_grid.items() if k[0] == area})
            for (a, code), rank in ranks.items():
                st = stated.get((a, code, month))
                if st and st[0] != rank:
                    reader.issue(st[1], layout.fields.get("stated_rank"), st[0],
                                 f"表中排名 {st[0]} 与按总分计算的排名 {rank} 不同；以计算结果为准",
                                 "warning")  # fmt: skip


def _extract_annual(reader: _RowReader, result: SheetResult, sheet: Sheet) -> None:
    rows = reader.data_rows()
    _resolve_areas(reader, rows)
    default_year = _sheet_year(sheet, reader.layout, reader.ctx)
    bad_default = not _plausible_default(
        reader, sheet, default_year, "标题、工作表名、文件名或上传时填写的年度"
    )
    if bad_default:
        default_year = None
    result.title = _context_text(sheet, reader.layout)
    if "year" not in reader.layout.fields and default_year is None and not bad_default:
        result.needs_year = True
        reader.issues.append(Issue(YEAR_NOT_FOUND, "error", sheet.name))
    seen: dict[tuple[str, str, int], int] = {}
    for n, row in rows:
        g = reader.value(n, row, "grid", required=True)
        score = reader.value(n, row, "year_end", required=True)
        year = (reader.value(n, row, "year") if "year" in reader.layout.fields else None) or default_year
        if score is not None and not 0 <= score <= 100:
            reader.issue(n, reader.layout.fields["year_end"], score, "年终考核得分应在 0 到 100 之间")
            continue
        if (
            year is None
            and not bad_default
            and "year" in reader.layout.fields
            and parse.is_blank(reader.cell(row, "year")[0])
        ):
            reader.issue(n, reader.layout.fields["year"], None,
                         "年度为空，标题和文件名中也没有年份；请填写年度（如 2019）")  # fmt: skip
        if g is None or score is None or year is None:
            continue
        key = (g.area, g.code, year)
        if key in seen:
            reader.issue(n, reader.layout.fields["grid"], g.code,
                         f"同一年度网格重复：已在第{seen[key]}行出现")  # fmt: skip
            continue
        seen[key] = n
        result.tables["annual_score"].append(
            {
                "area": g.area,
                "year": year,
                "grid_code": g.code,
                "year_end": score,
                "note": reader.value(n, row, "note"),
                "sheet": sheet.name,
                "excel_row": n,
            }  # fmt: skip
        )
        result.areas.add(g.area)
        result.periods.add(str(year))
        result.grids.add(g.code)
        result.row_count += 1


def _non_negative(reader: _RowReader, n: int, row: list[Any], name: str) -> Any:
    v = reader.value(n, row, name)
    if v is not None and v < 0:
        reader.issue(n, reader.layout.fields[name], v, "不能为负数")
        return None
    return v


def _extract_events(reader: _RowReader, result: SheetResult, sheet: Sheet) -> None:
    """reports, volunteer and problems: one row per event, keyed by the month it belongs to."""
    kind = reader.layout.kind
    rows = reader.data_rows()
    _resolve_areas(reader, rows)
    spec = vocabulary().kinds[kind]
    date_field, table = spec.period_from, spec.table
    for n, row in rows:
        g = reader.value(n, row, "grid", required=True)
        day = reader.value(n, row, date_field, required=True)
        rec: dict[str, Any] = {date_field: day}
        month = None
        if kind == "reports":
            month = reader.value(n, row, "month") if "month" in reader.layout.fields else None
            rec["title"] = reader.value(n, row, "title")
            for f in ("pictures", "meetings", "patrols"):
                rec[f] = _non_negative(reader, n, row, f)
        elif kind == "volunteer":
            rec["title"] = reader.value(n, row, "title", required=True)
            rec["organiser"] = reader.value(n, row, "organiser")
            rec["participants"] = _non_negative(reader, n, row, "participants")
            rec["hours"] = _non_negative(reader, n, row, "hours")
        else:
            rec["category"] = reader.value(n, row, "category", required=True)
            for f in ("subcategory", "location", "description", "handler", "recheck"):
                rec[f] = reader.value(n, row, f)
            rec["deadline"] = reader.value(n, row, "deadline")
            rec["rectified_on"] = reader.value(n, row, "rectified_on")
            if day and rec["deadline"] and rec["deadline"] < day:
                reader.issue(n, reader.layout.fields["deadline"], rec["deadline"],
                             "整改期限早于发现日期，请核对")  # fmt: skip
                continue
            if day and rec["rectified_on"] and rec["rectified_on"] < day:
                reader.issue(n, reader.layout.fields["rectified_on"], rec["rectified_on"],
                             "整改完成日期早于发现日期，请核对")  # fmt: skip
                continue
        if (
            g is None
            or day is None
            or any(rec.get(f) is None for f in ("title",) if kind == "volunteer")
            or (kind == "problems" and rec["category"] is None)
        ):
            continue
        month = month or date(day.year, day.month, 1)
        try:
            parse.check_month(month, reader.ctx.today)
        except parse.CellError as exc:  # a date within the coming year, but of a month to come
            reader.issue(n, reader.layout.fields[date_field], day, f"所属{exc}")
            continue
        if kind == "reports" and day > reader.ctx.today:  # suspect: it cannot have arrived yet
            reader.issue(n, reader.layout.fields[date_field], day,
                         f"报送日期晚于今天（{reader.ctx.today:%Y-%m-%d}），请核对；导入后在该日期到来之前"
                         "按尚未报送计", "warning")  # fmt: skip
        rec.update({"area": g.area, "month": month, "grid_code": g.code,
                    "sheet": sheet.name, "excel_row": n})  # fmt: skip
        result.tables[table].append(rec)
        result.areas.add(g.area)
        result.periods.add(month.strftime("%Y-%m"))
        result.grids.add(g.code)
        result.row_count += 1


def _extract_records(reader: _RowReader, result: SheetResult, sheet: Sheet) -> None:
    """A `records` kind (lamps): one row per grid and month holding the declared columns, checked
    against the declared bounds (min, not_above). A grid twice in one month is an error."""
    layout = reader.layout
    spec = vocabulary().kinds[layout.kind]
    rows = reader.data_rows()
    _resolve_areas(reader, rows)
    default_month, bad_default = _default_month(reader, result, sheet, month_not_found(spec.title))
    values = [c for c in spec.columns if c.field not in ("grid", "month") and not c.field.endswith("_hint")]
    seen: dict[tuple[str, str, date], int] = {}
    measured = [c.field for c in values if c.required and c.field in layout.fields]
    for n, row in rows:
        if measured and all(parse.is_blank(reader.cell(row, f)[0]) for f in measured):
            grid_raw, grid_col = reader.cell(row, "grid")
            reader.issue(n, grid_col, grid_raw, "该行没有检查数据，按未检查处理（未导入）", "warning")
            continue
        g = reader.value(n, row, "grid", required=True)
        month = (reader.value(n, row, "month") if "month" in layout.fields else None) or default_month
        if month is None and not bad_default:
            _flag_blank_month(reader, result, layout, n, row)
        rec: dict[str, Any] = {}
        ok = True
        for c in values:
            if c.field not in layout.fields:
                rec[c.field] = None
                continue
            v = reader.value(n, row, c.field, required=c.required)
            if c.required and v is None:
                ok = False
            if v is not None and c.min is not None and v < c.min:
                reader.issue(n, layout.fields[c.field], reader.cell(row, c.field)[0],
                             "不能为负数" if v < 0 else c.min_message or f"应不小于 {c.min:g}")  # fmt: skip
                ok, v = False, None
            rec[c.field] = v
        for chk in spec.checks:
            value, limit = rec.get(chk.field), rec.get(chk.not_above)
            if value is not None and limit is not None and value > limit:
                col = layout.fields[chk.field]
                reader.issue(n, col, reader.cell(row, chk.field)[0],
                             chk.message.format(value=f"{value:g}", limit=f"{limit:g}"))  # fmt: skip
                ok = False
        if g is None or month is None or not ok:
            continue
        key = (g.area, g.code, month)
        if key in seen:
            reader.issue(n, layout.fields["grid"], reader.cell(row, "grid")[0],
                         f"同一月份网格重复：{g.code} {g.name} 已在第{seen[key]}行出现")  # fmt: skip
            continue
        seen[key] = n
        rec.update({"area": g.area, "month": month, "grid_code": g.code, "sheet": sheet.name, "excel_row": n})
        result.tables[spec.table].append(rec)
        result.areas.add(g.area)
        result.periods.add(month.strftime("%Y-%m"))
        result.grids.add(g.code)
        result.row_count += 1


# How each shape of kind is read (registry and rubric sheets are read first, in extract_sheets).
EXTRACTORS = {
    "scores": _extract_monthly,
    "annual": _extract_annual,
    "events": _extract_events,
    "records": _extract_records,
}


# ---- The file ---------------------------------------------------------------------------


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
    for kind in ("grids", "rubric"):
        for sheet in list(pending):
            layout = locate(sheet, ctx)
            if layout is None or layout.kind != kind:
                continue
            pending.remove(sheet)
            result = SheetResult(sheet=sheet.name, kind=kind)
            reader = _RowReader(sheet, layout, ctx, parse.GridIndex(ctx.grids))
            if kind == "grids":
                _extract_grids(reader, result)
                rows = result.tables["grid_registry"]
                ctx.grids = [
                    parse.GridEntry(r["area"], str(r["grid_code"]), str(r["grid_name"]),
                                    str(r["leader_name"] or ""))
                    for r in rows if r["grid_code"] and r["grid_name"]
                ]  # fmt: skip
            else:
                _extract_rubric(reader, result)
                rows = result.tables["rubric_item"]
                ctx.rubric = [
                    RubricItem(str(r["item_code"]), str(r["category"]), r["content"] or "",
                               float(r["max_points"]))
                    for r in rows if r["item_code"] and r["category"] and r["max_points"]
                ]  # fmt: skip
            result.row_count = len(rows)
            out.issues += reader.issues
            out.sheets.append(result)
    for sheet in pending:
        layout = locate(sheet, ctx)
        if layout is None:
            out.issues.append(_why_unrecognised(sheet, ctx))
            continue
        result = SheetResult(sheet=sheet.name, kind=layout.kind)
        reader = _RowReader(sheet, layout, ctx, parse.GridIndex(ctx.grids))
        if not ctx.grids:
            reader.issues.append(
                Issue(
                    "尚未导入网格名册：请先导入网格划分表（网格名册），再导入其他数据", "error", sheet.name
                )  # fmt: skip
            )
        else:
            EXTRACTORS[vocabulary().kinds[layout.kind].shape](reader, result, sheet)
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


def _finish_sheet(reader: _RowReader, result: SheetResult) -> None:
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


def _why_unrecognised(sheet: Sheet, ctx: Context) -> Issue:
    """A sheet that matched no kind: skipped when it holds no data we know, an error when it
    looks like a data sheet that lacks a required column."""
    voc = vocabulary()
    rubric = _rubric_lookup(ctx.rubric)
    best: tuple[int, str, list[str], int] | None = None
    for r in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
        headers = _combined_headers(sheet.rows, r, False)
        for name in [ctx.kind] if ctx.kind else KINDS:
            spec = voc.kinds[name]
            fields, items, _ = _match_layout(headers, spec, rubric)
            missing = [c.header for c in spec.columns if c.required and c.field not in fields]
            if name == "monthly_scores" and not items:
                missing.append("考核项目得分列（如 A1 或 公益宣传）")
            hits = len(fields) + len(items)
            if hits and (best is None or hits > best[0]):
                best = (hits, name, missing, r + 1)
    if best is None or best[0] < 2:
        return Issue("未识别的工作表（找不到模板中的表头），已跳过", "warning", sheet.name)
    hits, name, missing, row = best
    if name == "monthly_scores" and not ctx.rubric:
        return Issue("尚未导入评分细则：请先导入评分细则，再导入月度考核得分", "error", sheet.name)
    return Issue(
        f"像是「{KIND_LABELS[name]}」表，但缺少必需的列：{'、'.join(missing)}。"
        "请按模板补齐列名",
        "error", sheet.name, row,
    )  # fmt: skip


def extract_file(data: bytes, file_name: str, ctx: Context) -> Extraction:
    """Read and extract a whole file; unreadable files give one error issue."""
    ctx.file_name = PurePath(file_name).name
    try:
        sheets = read_workbook(data, file_name)
    except FileUnreadable as exc:
        return Extraction(ctx.file_name, issues=[Issue(str(exc), "error")])
    return extract_sheets(sheets, ctx)
