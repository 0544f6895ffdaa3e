"""What reverting a batch would change, before the clerk confirms: rows that stop counting,
rows that count again, grids left without a score, and rank moves from the monthly_ranking
view (the revert is made inside a transaction, read and rolled back)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from etl import db
from etl.load import store
from etl.load.changes import grid_list, month_text, ranks
from etl.load.kinds import KIND_LABELS, vocabulary

# The value a score shape's rows carry (per grid and period); other shapes count rows.
SCORE_VALUES = {"scores": "total", "annual": "year_end"}
# table → (period column, value column for score tables, noun, its cur_* view), for every kind
# whose batches supersede by month or year, as columns.toml declares them.
REVERT_TABLES = {
    k.table: (k.period, SCORE_VALUES.get(k.shape), k.record_name or k.label, k.current)
    for k in vocabulary().kinds.values()
    if k.period != "whole"
}

# Rows of the periods a batch touched: as they count now, and as they would count without it.
# {table}, {period} and {value} come from REVERT_TABLES above (declared names), never from input.
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
    return month_text(p) if isinstance(p, date) else f"{p}年度"


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
        for spec in vocabulary().kinds.values():  # the registry and the rubric replace whole tables
            if spec.shape in ("registry", "rubric") and spec.name in str(kinds).split(","):
                out.changes.append(_whole_table_revert(con, batch_id, spec.name, spec.table))
        rank_keys: list[tuple[str, date]] = []
        for table, (period, value, noun, current) in REVERT_TABLES.items():
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
                    text += f"；{grid_list(gone)} 将没有得分（{left}）"
                out.changes.append(text)
                if period == "month" and not after.empty:  # a month that vanishes has no ranks to move
                    rank_keys.append((area, p))
            superseded = con.execute(
                f"SELECT count(*) FROM {table} s WHERE batch_id = ? AND NOT EXISTS ("
                f"SELECT 1 FROM {current} c "
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
    now = ranks(con, keys)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("UPDATE batch SET status = 'reverted' WHERE batch_id = ?", [batch_id])
        then = ranks(con, keys)
    finally:
        con.execute("ROLLBACK")
    moves = []
    for area, month in keys:
        r0, r1 = now[(area, month)], then[(area, month)]
        for code in sorted(r0, key=lambda c: (r0[c], c)):
            if r0.get(code) != r1.get(code):
                moves.append({"片区": area, "月份": month_text(month), "网格": code,
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
        f"SELECT max(t.batch_id) FROM {table} t JOIN active_batch USING (batch_id)"  # table: declared names
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
    unit = "个网格" if vocabulary().kinds[kind].shape == "registry" else "个考核项目"
    return f"{noun}恢复为批次 #{prev[0][0]} 的版本（{prev[0][1]} {unit}）"
