"""One sheet's data rows read as typed values: which rows hold data, each cell parsed as its
column's type (etl/load/parse.py), grids resolved against the registry, every problem kept as
an Issue naming its sheet, row and column.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from etl.load import parse
from etl.load.extraction import Context
from etl.load.issues import Issue
from etl.load.kinds import vocabulary
from etl.load.read import Sheet
from etl.load.recognise import Layout

# Text columns that hold names (besides every `code` column): at most parse.NAME_MAX characters.
NAME_FIELDS = frozenset(
    {"grid_name", "leader_name", "leader_title", "lead_unit", "responsible_units", "contact_name",
     "organiser", "handler"}
)  # fmt: skip


class RowReader:
    """Parses one sheet's data rows for one kind, collecting issues."""

    def __init__(self, sheet: Sheet, layout: Layout, ctx: Context, index: parse.GridIndex):
        self.sheet = sheet
        self.layout = layout
        self.ctx = ctx
        self.index = index
        self.issues: list[Issue] = []
        spec = vocabulary().kinds[layout.kind]
        self.col_types = {c.field: c.type for c in spec.columns}
        self.prefer_area: str | None = None
        self._memo: dict[str, dict[Any, tuple[bool, Any]]] = {}
        self.conversions: dict[str, dict[str, str]] = defaultdict(dict)
        self.seen: dict[tuple[str, str], parse.GridEntry] = {}  # grids the sheet's rows name
        self._row_grid: tuple[int, parse.GridEntry] | None = None  # (Excel row, its grid)
        # Score sheets hold one row per grid: a bad cell's message names the row's grid too.
        self.name_grid = spec.shape in ("scores", "annual")

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


def resolve_areas(reader: RowReader, rows: list[tuple[int, list[Any]]]) -> None:
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
