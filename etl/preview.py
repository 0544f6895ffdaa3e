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

from etl import db, store
from etl.extract import DEFAULT_AREA, KIND_LABELS, Extraction, KindSpec, vocabulary
from etl.issues import Issue

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

    @property
    def errors(self) -> list[Issue]:
        return self.extraction.errors

    @property
    def loadable(self) -> bool:
        return not self.errors and self.duplicate_of is None

    def issue_table(self) -> pd.DataFrame:
        return pd.DataFrame([i.as_dict() for i in self.extraction.issues])

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
                out[f"{KIND_LABELS[s.kind]} · {s.sheet}"] = frame.rename(columns=column_labels(s.kind))
        return out


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
        if dup is not None:
            periods = _period_text(store.batch_periods(con, dup))
            pv.changes = [
                f"与已导入的批次 #{dup}（{periods}）完全相同，将跳过。如果当时月份或类型选错了，"
                f"请先在「④ 导入历史与撤销」中撤销批次 #{dup}，再重新导入"
            ]
            return pv
        if extraction.errors:
            return pv
        for s in extraction.sheets:
            if s.kind == "grids":
                old = con.execute("SELECT count(*) FROM cur_grid_registry").fetchall()[0][0]
                n = len(s.tables["grid_registry"])
                pv.changes.append(f"替换网格名册：{n} 个网格（原名册 {old} 个网格，旧版本保留可恢复）")
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
    return pv
