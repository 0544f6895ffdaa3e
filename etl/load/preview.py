"""What a file would change, said in words before anything is written (the upload page's
"what will change" step): new or replaced periods and grids, old → new totals, rank moves."""

from __future__ import annotations

import os
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any

import duckdb
import pandas as pd

from etl import db
from etl.load import parse, store
from etl.load.extraction import Extraction, SheetResult
from etl.load.issues import Issue
from etl.load.kinds import DEFAULT_AREA, KIND_LABELS, KindSpec, vocabulary

# kind → the storage table its rows go to (columns.toml declares it).
TABLE_OF_KIND = {k.name: k.table for k in vocabulary().kinds.values()}
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _identifier(name: str) -> str:
    """A view or macro name declared in columns.toml (never user input), checked before use."""
    if not _IDENTIFIER.match(name):
        raise ValueError(name)
    return name


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
            page, noun = LINK_PAGES[kind]
            if isinstance(period, date):
                params = {"area": area, "year": str(period.year), "month": f"{period:%Y-%m}"}
                label = f"查看{area} {_month_text(period)}{noun} →"
            else:
                params = {"area": area, "year": str(period)}
                label = f"查看{area} {period}年度{noun} →"
            out.append((page, label, params))
        return out

    def recognised(self) -> list[str]:
        """'月度考核得分（工作表「5月评分」，28 行）' per recognised sheet."""
        return [
            f"{KIND_LABELS[s.kind]}（工作表「{s.sheet}」，{s.row_count} 行"
            + (f"，{_period_text(sorted(s.periods))}" if s.periods else "")
            + "）"
            for s in self.extraction.sheets
        ]

    def sample_rows(self, limit: int = 50) -> dict[str, pd.DataFrame]:
        out = {}
        for s in self.extraction.sheets:
            table = TABLE_OF_KIND[s.kind]
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


# Where the links after a load go, per kind: (page, what it shows).
LINK_PAGES = {
    "monthly_scores": ("pages/ranking.py", "排名"),
    "annual_scores": ("pages/annual.py", "年度考评"),
    "reports": ("pages/reports.py", "信息报送"),
    "volunteer": ("pages/volunteer.py", "志愿服务"),
    "problems": ("pages/problems.py", "问题台账"),
}


# Headers for parsed rows: the template header of each field, plus the fields the loader adds.
EXTRA_LABELS = {
    "area": "片区", "month": "月份", "year": "年度", "grid_code": "网格", "total": "总分", "excel_row": "Excel行号",
    "item_code": "项目编号", "category": "考核类别", "max_points": "满分", "score": "得分",
}  # fmt: skip


def column_labels(kind: str) -> dict[str, str]:
    labels = {c.field: c.header for c in vocabulary().kinds[kind].columns}
    return {**labels, **EXTRA_LABELS}


def _month_text(m: date) -> str:
    return f"{m.year}年{m.month}月"


def _period_text(periods: list[str]) -> str:
    def one(p: str) -> str:
        return f"{p[:4]}年{int(p[5:7])}月" if len(p) == 7 else f"{p}年度"

    if len(periods) <= 3:
        return "、".join(one(p) for p in periods)
    return f"{one(periods[0])}至{one(periods[-1])}共 {len(periods)} 期"


def _grid_list(codes: list[str], limit: int = 8) -> str:
    shown = "、".join(f"网格{c}" for c in codes[:limit])
    return shown + (f" 等 {len(codes)} 个网格" if len(codes) > limit else "")


RANKS = "SELECT grid_code, rank FROM monthly_ranking WHERE area = ? AND month = ? AND rank IS NOT NULL"

# A staged batch id above any real one (batch ids count up from 1), so that the staged rows
# supersede like a new load would; random so that two previews at once never share one.
STAGE_IDS = (2**30, 2**31 - 1)


def _ranks(
    con: duckdb.DuckDBPyConnection, keys: list[tuple[str, date]]
) -> dict[tuple[str, date], dict[str, int]]:
    """Ranks of (area, month) from the monthly_ranking view: the one home of DOMAIN §4."""
    return {k: dict(con.execute(RANKS, [k[0], k[1]]).fetchall()) for k in keys}


def _ranks_if_loaded(
    con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], keys: list[tuple[str, date]]
) -> dict[tuple[str, date], dict[str, int]]:
    """The ranks the view would give once these score rows are loaded: they are written as a
    new batch inside a transaction, the view is read, and everything is rolled back, so the
    preview applies exactly the rules (registry filter, supersession) of the real result."""
    batch_id = random.randint(*STAGE_IDS)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "INSERT INTO batch (batch_id, file_name, sha256, kind, row_count, loaded_at, loaded_by,"
            " status, archive_name) VALUES (?, 'preview', '', 'monthly_scores', ?, now(), '', 'active', '')",
            [batch_id, len(rows)],
        )
        frame = pd.DataFrame.from_records(
            [{k: r[k] for k in ("area", "month", "grid_code", "total")} for r in rows]
        )
        frame.insert(0, "batch_id", batch_id)
        con.register("_preview_rows", frame)
        try:
            con.execute("INSERT INTO monthly_score BY NAME SELECT * FROM _preview_rows")
        finally:
            con.unregister("_preview_rows")
        return _ranks(con, keys)
    finally:
        con.execute("ROLLBACK")


def _monthly_changes(
    con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]
) -> tuple[list[str], pd.DataFrame]:
    by_month: dict[tuple[str, date], dict[str, float]] = defaultdict(dict)
    for r in rows:
        by_month[(r["area"], r["month"])][r["grid_code"]] = r["total"]
    sentences: list[str] = []
    moves = []
    for (area, month), new in sorted(by_month.items(), key=lambda kv: kv[0][1]):
        old = dict(
            con.execute(
                "SELECT grid_code, total FROM cur_monthly_score WHERE area = ? AND month = ?",
                [area, month],
            ).fetchall()
        )
        replaced = sorted(c for c in new if c in old)
        added = sorted(c for c in new if c not in old)
        where = f"{area} {_month_text(month)}"
        if not replaced:
            sentences.append(f"新增 {where} {len(added)} 个网格的月度考核得分")
        else:
            diffs = [f"网格{c}：{old[c]:g} → {new[c]:g}" for c in replaced if abs(old[c] - new[c]) > 1e-9]
            if not diffs:
                sentences.append(
                    f"{where} {len(replaced)} 个网格的得分与已导入的数据相同，导入后得分不会变化"
                )
            else:
                text = f"替换 {where} 的得分：{len(diffs)} 个网格有变化（" + "；".join(diffs[:10])
                text += ("；…" if len(diffs) > 10 else "") + "）"
                if len(replaced) > len(diffs):
                    text += f"，其余 {len(replaced) - len(diffs)} 个网格不变"
                sentences.append(text)
            if added:
                sentences.append(f"新增 {where} {_grid_list(added)} 的得分")
    ranks_now = _ranks(con, list(by_month))
    ranks_then = _ranks_if_loaded(con, rows, list(by_month))
    for (area, month), after in sorted(ranks_then.items(), key=lambda kv: kv[0][1]):
        before = ranks_now.get((area, month), {})
        for code, rank in after.items():
            if before.get(code) != rank:
                moves.append({"片区": area, "月份": _month_text(month), "网格": code,
                              "原排名": before.get(code), "新排名": rank})  # fmt: skip
    frame = pd.DataFrame(moves)
    if not frame.empty:
        frame["原排名"] = frame["原排名"].astype("Int64")
        # Only grids that had a rank before and whose rank moves are interesting as "moves".
        frame = frame.sort_values(["月份", "新排名", "网格"]).reset_index(drop=True)
    return sentences, frame


def _annual_changes(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> list[str]:
    by_year: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for r in rows:
        by_year[(r["area"], r["year"])][r["grid_code"]] = r["year_end"]
    out = []
    for (area, year), new in sorted(by_year.items()):
        old = dict(con.execute(
            "SELECT grid_code, year_end FROM cur_annual_score WHERE area = ? AND year = ?", [area, year]
        ).fetchall())  # fmt: skip
        replaced = sorted(c for c in new if c in old)
        added = sorted(c for c in new if c not in old)
        if added:
            out.append(f"新增 {area} {year}年度 {len(added)} 个网格的年终考核得分")
        if replaced:
            diffs = [f"网格{c}：{old[c]:g} → {new[c]:g}" for c in replaced if abs(old[c] - new[c]) > 1e-9]
            out.append(f"替换 {area} {year}年度 {_grid_list(replaced)} 的年终考核得分"
                       + ("（" + "；".join(diffs[:10]) + "）" if diffs else "（得分不变）"))  # fmt: skip
    return out


def _event_changes(con: duckdb.DuckDBPyConnection, kind: str, rows: list[dict[str, Any]]) -> list[str]:
    spec = vocabulary().kinds[kind]
    noun = spec.noun
    by_month: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        by_month[(r["area"], r["month"])][r["grid_code"]] += 1
    out = []
    sql = (
        f"SELECT grid_code, count(*) FROM {_identifier(spec.current)} WHERE area = ? AND month = ? GROUP BY 1"
    )
    new_total = replaced_total = 0
    replaced_grids: list[str] = []
    months_new: list[date] = []
    for (area, month), counts in sorted(by_month.items(), key=lambda kv: kv[0][1]):
        old = dict(con.execute(sql, [area, month]).fetchall())
        rep = sorted(c for c in counts if c in old)
        if rep:
            replaced_total += sum(old[c] for c in rep)
            replaced_grids += [f"{_month_text(month)}网格{c}" for c in rep]
        else:
            months_new.append(month)
        new_total += sum(counts.values())
    months = sorted({m for _, m in by_month})
    span = _period_text([m.strftime("%Y-%m") for m in months])
    out.append(f"导入 {span} 共 {new_total} {noun}")
    if replaced_grids:
        shown = "、".join(replaced_grids[:6]) + (
            f" 等 {len(replaced_grids)} 处" if len(replaced_grids) > 6 else ""
        )
        out.append(f"其中替换已有的 {shown}（原有 {replaced_total} {noun}，将以本文件为准）")
    return out


def _registry(con: duckdb.DuckDBPyConnection, extraction: Extraction) -> dict[str, dict[str, str]]:
    """area → {code: name} of the registry the file is checked against (its own grids sheet
    if it carries one, else the registry in force)."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    own = [s for s in extraction.sheets if s.kind == "grids"]
    if own:
        for r in own[-1].tables["grid_registry"]:
            out[r["area"]][str(r["grid_code"])] = str(r["grid_name"])
        return out
    for area, code, name in con.execute(
        "SELECT area, grid_code, grid_name FROM cur_grid_registry ORDER BY sort_order"
    ).fetchall():
        out[area][code] = name
    return out


def _named(codes: list[str], names: dict[str, str], limit: int = 8) -> str:
    shown = "、".join(f"{c} {names.get(c, '')}".strip() for c in codes[:limit])
    return shown + (f" 等 {len(codes)} 个网格" if len(codes) > limit else "")


def missing_grid_sentences(
    con: duckdb.DuckDBPyConnection, sheet: SheetResult, registry: dict[str, dict[str, str]]
) -> list[str]:
    """Per month (or year) of a score sheet: the registry grids the sheet lacks, and what that
    means once loaded (缺检, 未完成), unless an earlier load already holds their score."""
    out = []
    if sheet.kind == "monthly_scores":
        rows, period, view, label = sheet.tables["monthly_score"], "month", "cur_monthly_score", _month_text
    elif sheet.kind == "annual_scores":
        rows, period, view = sheet.tables["annual_score"], "year", "cur_annual_score"

        def label(y: Any) -> str:
            return f"{y}年度"
    else:
        return out
    present: dict[tuple[str, Any], set[str]] = defaultdict(set)
    for r in rows:
        present[(r["area"], r[period])].add(r["grid_code"])
    for (area, when), codes in sorted(present.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        names = registry.get(area, {})
        absent = [c for c in names if c not in codes]
        if not absent:
            continue
        # Table name comes from the fixed choice above, never from input.
        held = {
            r[0]
            for r in con.execute(
                f"SELECT grid_code FROM {view} WHERE area = ? AND {period} = ?", [area, when]
            ).fetchall()
        }
        lost = [c for c in absent if c not in held]
        kept = [c for c in absent if c in held]
        where = f"{area} {label(when)}（工作表「{sheet.sheet}」）"
        if lost:
            if sheet.kind == "monthly_scores":
                after = "导入后该月记为缺检" if len(lost) == 1 else "导入后这些网格该月记为缺检"
            else:
                after = (
                    "导入后该网格年度考评记为未完成" if len(lost) == 1 else "导入后这些网格年度考评记为未完成"
                )
            out.append(f"{where}缺少 {_named(lost, names)}：{after}")
        if kept:
            out.append(f"{where}不含 {_named(kept, names)}：保留已导入的得分")
    return out


def registry_sentences(con: duckdb.DuckDBPyConnection, sheet: SheetResult) -> list[str]:
    """A new registry against the one in force: grids added, renamed or re-assigned."""
    fields = {"grid_name": "名称", "leader_name": "挂点县领导", "lead_unit": "牵头单位", "big_grid": "大网格"}
    old = {
        (r[0], r[1]): dict(zip(fields, r[2:], strict=True))
        for r in con.execute(
            "SELECT area, grid_code, grid_name, leader_name, lead_unit, big_grid FROM cur_grid_registry"
        ).fetchall()
    }
    if not old:
        return []
    new = {(r["area"], str(r["grid_code"])): r for r in sheet.tables["grid_registry"]}
    added = [k for k in new if k not in old]
    out = []
    if added:
        out.append("名册新增网格：" + "、".join(f"{a} {c} {new[(a, c)]['grid_name']}" for a, c in added[:8])
                   + (f" 等 {len(added)} 个" if len(added) > 8 else ""))  # fmt: skip
    changed = []
    for key, rec in new.items():
        if key not in old:
            continue
        diffs = [
            f"{label} {old[key][f] or '（空）'} → {rec.get(f) or '（空）'}"
            for f, label in fields.items()
            if (old[key][f] or "") != (rec.get(f) or "")
        ]
        if diffs:
            changed.append(f"{key[1]} {rec['grid_name']}（" + "，".join(diffs) + "）")
    if changed:
        out.append(
            "名册有变化的网格："
            + "；".join(changed[:8])
            + (f"；等 {len(changed)} 个" if len(changed) > 8 else "")
        )
    dropped = [k for k in old if k not in new]
    if dropped:
        out.append("新名册中没有的网格：" + "、".join(f"{a} {c} {old[(a, c)]['grid_name']}" for a, c in dropped[:8])
                   + (f" 等 {len(dropped)} 个" if len(dropped) > 8 else "") + "（已导入的数据保留，但页面不再列出这些网格）")  # fmt: skip
    return out


def conversion_sentences(sheet: SheetResult) -> list[str]:
    """What was read differently from how it is written: deductions, leaders' names, 第七网格."""
    out = []
    conv = sheet.conversions
    where = f"工作表「{sheet.sheet}」"
    if conv.get("deduction"):
        cols = "、".join(f"「{c}」" for c in conv["deduction"])
        out.append(f"{where}的{cols}是扣分：已按「得分 = 满分 − 扣分」换算为得分")
    if conv.get("leader"):
        pairs = "、".join(f"{k} → {v}" for k, v in list(conv["leader"].items())[:8])
        out.append(f"{where}按挂点县领导姓名认出网格：{pairs}")
    if conv.get("written"):
        pairs = "、".join(f"{k} → {v}" for k, v in list(conv["written"].items())[:8])
        more = f" 等 {len(conv['written'])} 种写法" if len(conv["written"]) > 8 else ""
        out.append(f"{where}网格写法已统一为编号：{pairs}{more}")
    for source, month in conv.get("month", {}).items():
        out.append(f"{where}表中没有月份列：按{source}取月份为 {month}")
    return out


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


def _record_changes(con: duckdb.DuckDBPyConnection, spec: KindSpec, rows: list[dict[str, Any]]) -> list[str]:
    """A `records` kind (one row per grid and month): per month, how many grids, how many of
    them fall short of the kind's rule, and which already-loaded grids it replaces. The rule
    comes from the kind's table macro in views.sql, run on the file's rows (one home)."""
    frame = pd.DataFrame.from_records(rows)
    short: dict[tuple[str, date], int] = {}
    if spec.rule_macro and spec.rule_flag:
        con.register("_candidate_rows", frame)
        try:
            short = {
                (a, m): n
                for a, m, n in con.execute(
                    f"SELECT area, month, count(*) FILTER (WHERE NOT {_identifier(spec.rule_flag)})::INTEGER"
                    f" FROM {_identifier(spec.rule_macro)}('_candidate_rows') GROUP BY area, month"
                ).fetchall()
            }
        finally:
            con.unregister("_candidate_rows")
    by_month: dict[tuple[str, date], list[str]] = defaultdict(list)
    for r in rows:
        by_month[(r["area"], r["month"])].append(r["grid_code"])
    out = []
    for (area, month), codes in sorted(by_month.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        where = ("" if area == DEFAULT_AREA else f"{area} ") + _month_text(month)
        text = f"{spec.title} {where} {len(codes)}个网格"
        if spec.rule_short and (area, month) in short:
            text += f"，{short[(area, month)]}个网格{spec.rule_short}"
        old = {c for (c,) in con.execute(
            f"SELECT grid_code FROM {_identifier(spec.current)} WHERE area = ? AND month = ?", [area, month]
        ).fetchall()}  # fmt: skip
        replaced = sorted(c for c in codes if c in old)
        if replaced:
            text += f"；其中替换已导入的 {_grid_list(replaced)} 的记录（将以本文件为准）"
        out.append(text)
    return out


def preview_bytes(
    data: bytes,
    file_name: str,
    options: store.Options | None = None,
    path: str | os.PathLike[str] | None = None,
    today: date | None = None,
) -> FilePreview:
    """Check a file and describe what loading it would change; writes nothing."""
    options = options or store.Options()
    name = PurePath(file_name).name
    digest = store.sha256_of(data)
    p = db.db_path(path)
    if not p.exists():
        store.init_db(p)
    with db.connect(p) as con:
        dup = store.active_duplicate(con, digest)
        extraction = store.check(con, data, name, options)
        pv = FilePreview(name, digest, len(data), extraction, duplicate_of=dup)
        today = today or db.today_override() or date.today()
        if extraction.needs_month:
            pv.month_choices = month_choices(con, extraction, name, today)
        if extraction.needs_year:
            pv.year_choices = year_choices(con, today)
        if dup is not None:
            periods = _period_text(store.batch_periods(con, dup))
            pv.changes = [
                f"与已导入的批次 #{dup}（{periods}）完全相同，将跳过。如果当时月份或类型选错了，"
                f"请先在「④ 导入历史与撤销」中撤销批次 #{dup}，再重新导入"
            ]
            return pv
        if extraction.errors:
            return pv
        registry = _registry(con, extraction)
        for s in extraction.sheets:
            pv.touched += _touched(s)
            if s.kind == "grids":
                old = con.execute("SELECT count(*) FROM cur_grid_registry").fetchall()[0][0]
                n = len(s.tables["grid_registry"])
                pv.changes.append(f"替换网格名册：{n} 个网格（原名册 {old} 个网格，旧版本保留可恢复）")
                pv.changes += registry_sentences(con, s)
            elif s.kind == "rubric":
                items = s.tables["rubric_item"]
                total = sum(float(i["max_points"]) for i in items)
                pv.changes.append(
                    f"替换评分细则：{len(items)} 个考核项目，满分合计 {total:g} 分（旧版本保留）"
                )
            elif s.kind == "monthly_scores":
                sentences, moves = _monthly_changes(con, s.tables["monthly_score"])
                pv.changes += sentences
                pv.months += sorted({r["month"] for r in s.tables["monthly_score"]})
                if not moves.empty:
                    pv.rank_moves = moves if pv.rank_moves is None else pd.concat([pv.rank_moves, moves])
            elif s.kind == "annual_scores":
                pv.changes += _annual_changes(con, s.tables["annual_score"])
            elif vocabulary().kinds[s.kind].shape == "records":
                spec = vocabulary().kinds[s.kind]
                pv.changes += _record_changes(con, spec, s.tables[spec.table])
            else:
                pv.changes += _event_changes(con, s.kind, s.tables[TABLE_OF_KIND[s.kind]])
            pv.changes += missing_grid_sentences(con, s, registry)
            pv.changes += conversion_sentences(s)
        pv.touched = list(dict.fromkeys(pv.touched))
    return pv


def _touched(sheet: SheetResult) -> list[tuple[str, str, date | int]]:
    if sheet.kind not in LINK_PAGES:
        return []
    table = TABLE_OF_KIND[sheet.kind]
    period = "year" if sheet.kind == "annual_scores" else "month"
    return sorted(
        {(sheet.kind, r["area"], r[period]) for r in sheet.tables[table]}, key=lambda t: (t[2], t[1])
    )


# ---- Revert: what would change, before the clerk confirms --------------------------------------

# table → (period column, value column for score tables, noun, how a period is written)
REVERT_TABLES = {
    "monthly_score": ("month", "total", "月度考核得分"),
    "annual_score": ("year", "year_end", "年终考核得分"),
    "report": ("month", None, "信息报送记录"),
    "volunteer_activity": ("month", None, "志愿服务活动记录"),
    "problem": ("month", None, "巡查问题"),
    "lamp_check": ("month", None, "路灯检查记录"),
}

# Rows of the periods a batch touched: as they count now, and as they would count without it.
# {table}, {period} and {value} come from REVERT_TABLES above, never from input.
REVERT_SQL = """
WITH keys AS (SELECT DISTINCT area, {period} AS p FROM {table} WHERE batch_id = $b),
rows AS (
    SELECT s.area, s.{period} AS p, s.grid_code, s.batch_id, {value} AS v,
           b.status = 'active' AS active
    FROM {table} s JOIN batch b USING (batch_id) JOIN keys k ON s.area = k.area AND s.{period} = k.p
),
now AS (
    SELECT area, p, grid_code, batch_id, v FROM rows WHERE active
    QUALIFY batch_id = max(batch_id) OVER (PARTITION BY area, p, grid_code)
),
later AS (
    SELECT area, p, grid_code, batch_id, v FROM rows WHERE active AND batch_id <> $b
    QUALIFY batch_id = max(batch_id) OVER (PARTITION BY area, p, grid_code)
)
SELECT 'now' AS state, * FROM now UNION ALL SELECT 'later', * FROM later
"""


@dataclass
class RevertPreview:
    """What reverting one batch would change, in sentences and rank moves; writes nothing."""

    batch_id: int
    file_name: str
    already: bool = False
    changes: list[str] = field(default_factory=list)
    rank_moves: pd.DataFrame | None = None


def _period_label(p: Any) -> str:
    return _month_text(p) if isinstance(p, date) else f"{p}年度"


def revert_preview(batch_id: int, path: str | os.PathLike[str] | None = None) -> RevertPreview:
    """Rows that stop counting, rows that count again, grids left without a score, rank moves."""
    with db.connect(path) as con:
        found = con.execute(
            "SELECT file_name, status, kind FROM batch WHERE batch_id = ?", [batch_id]
        ).fetchall()
        if not found:
            raise store.NoSuchBatch(batch_id)
        file_name, status, kinds = found[0]
        out = RevertPreview(batch_id, file_name, already=status == "reverted")
        if out.already:
            return out
        for kind, table in (("grids", "grid_registry"), ("rubric", "rubric_item")):
            if kind in str(kinds).split(","):
                out.changes.append(_whole_table_revert(con, batch_id, kind, table))
        rank_keys: list[tuple[str, date]] = []
        for table, (period, value, noun) in REVERT_TABLES.items():
            sql = REVERT_SQL.format(table=table, period=period, value=f"s.{value}" if value else "NULL")
            frame = con.execute(sql, {"b": batch_id}).df()
            if frame.empty:
                continue
            now = frame[frame["state"] == "now"]
            later = frame[frame["state"] == "later"]
            for (area, p), cur in now.groupby(["area", "p"], sort=True):
                p = p.date() if hasattr(p, "date") else p
                mine = cur[cur["batch_id"] == batch_id]
                if mine.empty:
                    continue
                after = later[(later["area"] == area) & (later["p"] == cur["p"].iloc[0])]
                back = after[after["grid_code"].isin(mine["grid_code"])]
                gone = sorted(set(mine["grid_code"]) - set(back["grid_code"]))
                where = f"{area} {_period_label(p)}"
                if value is None:
                    text = f"{where}：本批次的 {len(mine)} 条{noun}不再计入"
                    if not back.empty:
                        text += (
                            f"，恢复此前导入的 {len(back)} 条（批次 "
                            + "、".join(f"#{b}" for b in sorted(set(back["batch_id"])))
                            + "）"
                        )
                    out.changes.append(text)
                    continue
                text = f"{where}：{len(mine)} 个网格的{noun}不再计入"
                if not back.empty:
                    olds = "、".join(f"#{b}" for b in sorted(set(back["batch_id"])))
                    text += f"，其中 {len(back)} 个网格恢复批次 {olds} 的得分"
                if gone:
                    left = "该月记为缺检" if period == "month" else "年度考评记为未完成"
                    if after.empty:
                        left = "该月不再有考核" if period == "month" else "该年度不再有年终考核得分"
                    text += f"；{_grid_list(gone)} 将没有得分（{left}）"
                out.changes.append(text)
                if period == "month" and not after.empty:  # a month that vanishes has no ranks to move
                    rank_keys.append((area, p))
            superseded = con.execute(
                f"SELECT count(*) FROM {table} s WHERE batch_id = ? AND NOT EXISTS ("
                f"SELECT 1 FROM cur_{'volunteer' if table == 'volunteer_activity' else table} c "
                f"WHERE c.batch_id = s.batch_id AND c.area = s.area AND c.{period} = s.{period} "
                "AND c.grid_code = s.grid_code)",
                [batch_id],
            ).fetchall()[0][0]
            if superseded:
                out.changes.append(
                    f"本批次另有 {superseded} 行{noun}已被后来导入的批次取代，撤销对它们没有影响"
                )
        out.changes = _fold_months(out.changes)
        moves = _revert_rank_moves(con, batch_id, rank_keys)
        if moves:
            frame = pd.DataFrame(moves)
            for c in ("原排名", "撤销后排名"):
                frame[c] = frame[c].astype("Int64")
            out.rank_moves = frame
        if not out.changes:
            out.changes.append("本批次的数据都已被后来导入的批次取代，撤销后页面显示不变")
    return out


def _revert_rank_moves(
    con: duckdb.DuckDBPyConnection, batch_id: int, keys: list[tuple[str, date]]
) -> list[dict[str, Any]]:
    """Rank moves as the monthly_ranking view (the one home of DOMAIN §4) would give them once
    the batch is reverted: the revert is made inside a transaction, read, and rolled back."""
    if not keys:
        return []
    now = _ranks(con, keys)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("UPDATE batch SET status = 'reverted' WHERE batch_id = ?", [batch_id])
        then = _ranks(con, keys)
    finally:
        con.execute("ROLLBACK")
    moves = []
    for area, month in keys:
        r0, r1 = now[(area, month)], then[(area, month)]
        for code in sorted(r0, key=lambda c: (r0[c], c)):
            if r0.get(code) != r1.get(code):
                moves.append({"片区": area, "月份": _month_text(month), "网格": code,
                              "原排名": r0.get(code), "撤销后排名": r1.get(code)})  # fmt: skip
    return moves


_MONTH_SENTENCE = re.compile(r"^(\S+) (\d{4})年(\d{1,2})月：(.*)$")


def _fold_months(sentences: list[str]) -> list[str]:
    """Consecutive sentences that differ only in the month become one: '官渡镇 2019年1月至9月
    （共 9 个月，每月）：3 个网格…' rather than nine lines."""
    out: list[str] = []
    run: list[tuple[str, int, int, str]] = []

    def flush() -> None:
        if len(run) >= 3:
            area, y0, m0, tail = run[0]
            y1, m1 = run[-1][1], run[-1][2]
            end = f"{m1}月" if y1 == y0 else f"{y1}年{m1}月"
            out.append(f"{area} {y0}年{m0}月至{end}（共 {len(run)} 个月，每月）：{tail}")
        else:
            out.extend(f"{a} {y}年{m}月：{t}" for a, y, m, t in run)
        run.clear()

    for text in sentences:
        m = _MONTH_SENTENCE.match(text)
        if not m:
            flush()
            out.append(text)
            continue
        item = (m.group(1), int(m.group(2)), int(m.group(3)), m.group(4))
        if run and (run[-1][0], run[-1][3]) != (item[0], item[3]):
            flush()
        run.append(item)
    flush()
    return out


def _whole_table_revert(con: duckdb.DuckDBPyConnection, batch_id: int, kind: str, table: str) -> str:
    noun = KIND_LABELS[kind]
    current = con.execute(
        f"SELECT max(t.batch_id) FROM {table} t JOIN active_batch USING (batch_id)"  # table: fixed names
    ).fetchall()[0][0]
    if current != batch_id:
        return f"{noun}：本批次已被批次 #{current} 取代，撤销后{noun}不变"
    prev = con.execute(
        f"SELECT t.batch_id, count(*) FROM {table} t JOIN active_batch USING (batch_id) "
        "WHERE t.batch_id <> ? GROUP BY 1 ORDER BY 1 DESC LIMIT 1",
        [batch_id],
    ).fetchall()
    if not prev:
        return f"{noun}将为空：撤销后没有有效的{noun}，请再导入一份"
    unit = "个网格" if kind == "grids" else "个考核项目"
    return f"{noun}恢复为批次 #{prev[0][0]} 的版本（{prev[0][1]} {unit}）"
