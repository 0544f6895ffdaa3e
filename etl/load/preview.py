"""What a file would change, said in words before anything is written (the upload page's
"what will change" step): what was recognised, every issue, the sentences of
etl/load/changes.py, the months or years to offer when a sheet names none.

The preview keeps the file's extraction (store.Extracted): the load that follows reuses it
when the bytes, options, registry and rubric are still the same, so a file is read once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any

import duckdb
import pandas as pd

from etl import db
from etl.load import changes, parse, store
from etl.load.extraction import Extraction, SheetResult
from etl.load.issues import Issue
from etl.load.kinds import KIND_LABELS, vocabulary


@dataclass
class FilePreview:
    """One checked file: what was recognised, every issue, and what loading it would change."""

    file_name: str
    sha256: str
    size: int
    extraction: Extraction
    duplicate_of: int | None = None
    changes: list[str] = field(default_factory=list)
    rank_moves: pd.DataFrame | None = None
    months: list[date] = field(default_factory=list)  # months of score rows (for links)
    # (kind, area, period) of every row the file holds: the links shown after loading it.
    touched: list[tuple[str, str, date | int]] = field(default_factory=list)
    # The file's extraction before the database checks, for the load to reuse (store.Extracted).
    extracted: store.Extracted | None = None
    month_choices: list[date] = field(default_factory=list)  # when the file names no month
    year_choices: list[int] = field(default_factory=list)  # when a year-end sheet names no year

    @property
    def errors(self) -> list[Issue]:
        return self.extraction.errors

    @property
    def loadable(self) -> bool:
        return not self.errors and self.duplicate_of is None

    def issue_table(self) -> pd.DataFrame:
        frame = pd.DataFrame([i.as_dict() for i in self.extraction.issues])
        if "行" in frame.columns:  # a whole-sheet issue has no row: blank, not 'None'
            frame["行"] = ["" if r is None or pd.isna(r) else str(int(r)) for r in frame["行"]]
        return frame

    def links(self) -> list[tuple[str, str, dict[str, str]]]:
        """(page, label, query parameters) for each area and period the file touched."""
        out = []
        for kind, area, period in self.touched:
            spec = vocabulary().kinds[kind]
            page, noun = spec.page, spec.page_label
            if isinstance(period, date):
                params = {"area": area, "year": str(period.year), "month": f"{period:%Y-%m}"}
                label = f"查看{area} {changes.month_text(period)}{noun} →"
            else:
                params = {"area": area, "year": str(period)}
                label = f"查看{area} {period}年度{noun} →"
            out.append((page, label, params))
        return out

    def recognised(self) -> list[str]:
        """'月度考核得分（工作表「5月评分」，28 行）' per recognised sheet."""
        return [
            f"{KIND_LABELS[s.kind]}（工作表「{s.sheet}」，{s.row_count} 行"
            + (f"，{changes.period_text(sorted(s.periods))}" if s.periods else "")
            + "）"
            for s in self.extraction.sheets
        ]

    def sample_rows(self, limit: int = 50) -> dict[str, pd.DataFrame]:
        out = {}
        for s in self.extraction.sheets:
            table = vocabulary().kinds[s.kind].table
            rows = s.tables.get(table, [])
            if rows:
                frame = pd.DataFrame.from_records(rows[:limit])
                frame = frame.drop(columns=[c for c in ("sheet", "sort_order") if c in frame.columns])
                frame = frame.rename(columns=column_labels(s.kind))
                out[f"{KIND_LABELS[s.kind]} · {s.sheet}"] = _as_text(frame)
        return out


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Parsed rows as the clerk reads them: blanks for missing values (never 'None' or 'nan'),
    dates as 2019-03-01, lists joined with 、, numbers without a trailing .0."""

    def one(v: Any) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return ""
        if isinstance(v, list | tuple):
            return "、".join(str(x) for x in v)
        if isinstance(v, float):
            return f"{v:g}" if v == round(v, 6) else f"{v:.2f}"
        if isinstance(v, date):
            return v.isoformat()
        return str(v)

    return pd.DataFrame({c: [one(v) for v in frame[c].tolist()] for c in frame.columns})


# Headers for parsed rows: the template header of each field, plus the fields the loader adds.
EXTRA_LABELS = {
    "area": "片区", "month": "月份", "year": "年度", "grid_code": "网格", "total": "总分", "excel_row": "Excel行号",
    "item_code": "项目编号", "category": "考核类别", "max_points": "满分", "score": "得分",
}  # fmt: skip


def column_labels(kind: str) -> dict[str, str]:
    labels = {c.field: c.header for c in vocabulary().kinds[kind].columns}
    return {**labels, **EXTRA_LABELS}


def _add_months(m: date, n: int) -> date:
    k = m.year * 12 + m.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


SCHEME_START = date(2018, 1, 1)  # the plan was issued early in 2018 (DOMAIN §3)


def month_choices(
    con: duckdb.DuckDBPyConnection, extraction: Extraction, file_name: str, today: date
) -> list[date]:
    """Months to offer when a sheet names none, likeliest first: the month after each area's
    latest check, the months named (without a year) in the file name, sheet name or title,
    then every month back to the scheme's start."""
    areas = sorted({a for s in extraction.sheets if s.needs_month for a in s.areas})
    if not areas:
        areas = [r[0] for r in con.execute("SELECT DISTINCT area FROM cur_monthly_score").fetchall()]
    latest = [
        r[0]
        for r in con.execute(
            "SELECT max(month) FROM cur_monthly_score WHERE list_contains(?, area)", [areas]
        ).fetchall()
        if r[0] is not None
    ]
    first: list[date] = [_add_months(m, 1) for m in latest]
    texts = [file_name] + [t for s in extraction.sheets if s.needs_month for t in (s.sheet, s.title)]
    named = [m for m in (parse.month_only_in_text(t) for t in texts) if m]
    year_hint = [y for y in (parse.year_in_text(t) for t in texts) if y]
    base = latest[0] if latest else date(today.year, today.month, 1)
    for n in dict.fromkeys(named):
        for y in dict.fromkeys([*year_hint, base.year, base.year + 1, base.year - 1]):
            first.append(date(y, n, 1))
    # No month after today (or after the month following the latest check) is likely.
    end = max([date(today.year, today.month, 1), *(_add_months(m, 1) for m in latest)])
    rest, m = [], end
    while m >= SCHEME_START:
        rest.append(m)
        m = _add_months(m, -1)
    return list(dict.fromkeys([m for m in first if SCHEME_START <= m <= end] + rest))


def year_choices(con: duckdb.DuckDBPyConnection, today: date) -> list[int]:
    """Years to offer when a year-end sheet names none: years with monthly scores but no
    year-end scores yet first, then every year back to the scheme's start."""
    pending = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT year(month) AS y FROM cur_monthly_score WHERE year(month) NOT IN "
            "(SELECT year FROM cur_annual_score) ORDER BY y DESC"
        ).fetchall()
    ]
    return list(dict.fromkeys([*pending, *range(today.year, SCHEME_START.year - 1, -1)]))


def preview_bytes(
    data: bytes,
    file_name: str,
    options: store.Options | None = None,
    path: str | os.PathLike[str] | None = None,
    today: date | None = None,
    reuse: store.Extracted | None = None,
) -> FilePreview:
    """Check a file and describe what loading it would change; writes nothing. `reuse` is an
    earlier extraction of the file (a recheck with other options): used when still valid."""
    options = options or store.Options()
    name = PurePath(file_name).name
    digest = store.sha256_of(data)
    p = db.db_path(path)
    if not p.exists():
        store.init_db(p)
    with db.connect(p) as con:
        dup = store.active_duplicate(con, digest)
        extracted = store.extract(con, data, name, options, reuse)
        extraction = store.validate(con, extracted, options)
        pv = FilePreview(name, digest, len(data), extraction, duplicate_of=dup, extracted=extracted)
        today = today or db.today_override() or date.today()
        if extraction.needs_month:
            pv.month_choices = month_choices(con, extraction, name, today)
        if extraction.needs_year:
            pv.year_choices = year_choices(con, today)
        if dup is not None:
            periods = changes.period_text(store.batch_periods(con, dup))
            pv.changes = [
                f"与已导入的批次 #{dup}（{periods}）完全相同，将跳过。如果当时月份或类型选错了，"
                f"请先在「④ 导入历史与撤销」中撤销批次 #{dup}，再重新导入"
            ]
            return pv
        if extraction.errors:
            return pv
        registry = changes.file_registry(con, extraction)
        for s in extraction.sheets:
            pv.touched += _touched(s)
            spec = vocabulary().kinds[s.kind]
            rows = s.tables[spec.table]
            if spec.shape == "registry":
                old = con.execute("SELECT count(*) FROM cur_grid_registry").fetchall()[0][0]
                n = len(rows)
                pv.changes.append(f"替换网格名册：{n} 个网格（原名册 {old} 个网格，旧版本保留可恢复）")
                pv.changes += changes.registry_sentences(con, s)
            elif spec.shape == "rubric":
                items = rows
                total = sum(float(i["max_points"]) for i in items)
                pv.changes.append(
                    f"替换评分细则：{len(items)} 个考核项目，满分合计 {total:g} 分（旧版本保留）"
                )
            elif spec.shape == "scores":
                sentences, moves = changes.monthly_changes(con, rows)
                pv.changes += sentences
                pv.months += sorted({r["month"] for r in rows})
                if not moves.empty:
                    pv.rank_moves = moves if pv.rank_moves is None else pd.concat([pv.rank_moves, moves])
            elif spec.shape == "annual":
                pv.changes += changes.annual_changes(con, rows)
            elif spec.shape == "records":
                pv.changes += changes.record_changes(con, spec, rows)
            else:
                pv.changes += changes.event_changes(con, s.kind, rows)
            pv.changes += changes.missing_grid_sentences(con, s, registry)
            pv.changes += changes.conversion_sentences(s)
        pv.touched = list(dict.fromkeys(pv.touched))
    return pv


def _touched(sheet: SheetResult) -> list[tuple[str, str, date | int]]:
    spec = vocabulary().kinds[sheet.kind]
    if not spec.page:  # a kind without a page to link to after the load
        return []
    return sorted(
        {(sheet.kind, r["area"], r[spec.period]) for r in sheet.tables[spec.table]},
        key=lambda t: (t[2], t[1]),
    )
