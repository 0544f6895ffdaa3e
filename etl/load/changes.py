"""What loading a file would change, in sentences: scores added or replaced (old → new), rank
moves as the monthly_ranking view would give them, records per month, registry changes, grids
a score sheet lacks, and what was read differently from how it is written (the upload preview,
etl/load/preview.py)."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from etl.load.extraction import Extraction, SheetResult
from etl.load.kinds import DEFAULT_AREA, KindSpec, vocabulary

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _identifier(name: str) -> str:
    """A view or macro name declared in columns.toml (never user input), checked before use."""
    if not _IDENTIFIER.match(name):
        raise ValueError(name)
    return name


def month_text(m: date) -> str:
    return f"{m.year}年{m.month}月"


def period_text(periods: list[str]) -> str:
    def one(p: str) -> str:
        return f"{p[:4]}年{int(p[5:7])}月" if len(p) == 7 else f"{p}年度"

    if len(periods) <= 3:
        return "、".join(one(p) for p in periods)
    return f"{one(periods[0])}至{one(periods[-1])}共 {len(periods)} 期"


def grid_list(codes: list[str], limit: int = 8) -> str:
    shown = "、".join(f"网格{c}" for c in codes[:limit])
    return shown + (f" 等 {len(codes)} 个网格" if len(codes) > limit else "")


RANKS = "SELECT grid_code, rank FROM monthly_ranking WHERE area = ? AND month = ? AND rank IS NOT NULL"

# A staged batch id above any real one (batch ids count up from 1), so that the staged rows
# supersede like a new load would; random so that two previews at once never share one.
STAGE_IDS = (2**30, 2**31 - 1)


def ranks(
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
        return ranks(con, keys)
    finally:
        con.execute("ROLLBACK")


def monthly_changes(
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
        where = f"{area} {month_text(month)}"
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
                sentences.append(f"新增 {where} {grid_list(added)} 的得分")
    ranks_now = ranks(con, list(by_month))
    ranks_then = _ranks_if_loaded(con, rows, list(by_month))
    for (area, month), after in sorted(ranks_then.items(), key=lambda kv: kv[0][1]):
        before = ranks_now.get((area, month), {})
        for code, rank in after.items():
            if before.get(code) != rank:
                moves.append({"片区": area, "月份": month_text(month), "网格": code,
                              "原排名": before.get(code), "新排名": rank})  # fmt: skip
    frame = pd.DataFrame(moves)
    if not frame.empty:
        frame["原排名"] = frame["原排名"].astype("Int64")
        # Only grids that had a rank before and whose rank moves are interesting as "moves".
        frame = frame.sort_values(["月份", "新排名", "网格"]).reset_index(drop=True)
    return sentences, frame


def annual_changes(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> list[str]:
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
            out.append(f"替换 {area} {year}年度 {grid_list(replaced)} 的年终考核得分"
                       + ("（" + "；".join(diffs[:10]) + "）" if diffs else "（得分不变）"))  # fmt: skip
    return out


def event_changes(con: duckdb.DuckDBPyConnection, kind: str, rows: list[dict[str, Any]]) -> list[str]:
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
            replaced_grids += [f"{month_text(month)}网格{c}" for c in rep]
        else:
            months_new.append(month)
        new_total += sum(counts.values())
    months = sorted({m for _, m in by_month})
    span = period_text([m.strftime("%Y-%m") for m in months])
    out.append(f"导入 {span} 共 {new_total} {noun}")
    if replaced_grids:
        shown = "、".join(replaced_grids[:6]) + (
            f" 等 {len(replaced_grids)} 处" if len(replaced_grids) > 6 else ""
        )
        out.append(f"其中替换已有的 {shown}（原有 {replaced_total} {noun}，将以本文件为准）")
    return out


def file_registry(con: duckdb.DuckDBPyConnection, extraction: Extraction) -> dict[str, dict[str, str]]:
    """area → {code: name} of the registry the file is checked against (its own grids sheet
    if it carries one, else the registry in force)."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    kinds = vocabulary().kinds
    own = [s for s in extraction.sheets if kinds[s.kind].shape == "registry"]
    if own:
        for r in own[-1].tables[kinds[own[-1].kind].table]:
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
    out: list[str] = []
    spec = vocabulary().kinds[sheet.kind]
    if spec.shape not in ("scores", "annual"):
        return out
    # The view and period come from the declaration (columns.toml), never from input.
    rows, period, view = sheet.tables[spec.table], spec.period, _identifier(spec.current)

    def label(p: Any) -> str:
        return month_text(p) if spec.shape == "scores" else f"{p}年度"

    present: dict[tuple[str, Any], set[str]] = defaultdict(set)
    for r in rows:
        present[(r["area"], r[period])].add(r["grid_code"])
    for (area, when), codes in sorted(present.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        names = registry.get(area, {})
        absent = [c for c in names if c not in codes]
        if not absent:
            continue
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
            if spec.shape == "scores":
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


def record_changes(con: duckdb.DuckDBPyConnection, spec: KindSpec, rows: list[dict[str, Any]]) -> list[str]:
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
        where = ("" if area == DEFAULT_AREA else f"{area} ") + month_text(month)
        text = f"{spec.label} {where} {len(codes)}个网格"
        if spec.rule_short and (area, month) in short:
            text += f"，{short[(area, month)]}个网格{spec.rule_short}"
        old = {c for (c,) in con.execute(
            f"SELECT grid_code FROM {_identifier(spec.current)} WHERE area = ? AND month = ?", [area, month]
        ).fetchall()}  # fmt: skip
        replaced = sorted(c for c in codes if c in old)
        if replaced:
            text += f"；其中替换已导入的 {grid_list(replaced)} 的记录（将以本文件为准）"
        out.append(text)
    return out
