"""Ad-hoc queries for `python -m etl sql`: read the views without locking the dashboard out.

A DuckDB shell left open on the database file locks every other process out (even when it
was opened read-only, the dashboard cannot write, and a read-write shell blocks reading too).
This command instead opens the file read-only for the moment of one query, under the writer
lock (so pages and writers know the holder is this tool and wait a moment instead of
reporting another program), and refuses anything but a single SELECT.
"""

from __future__ import annotations

import os

import duckdb
import pandas as pd

from etl import db
from etl.errors import GridError

# Statement types that only read. DESCRIBE, SHOW, SUMMARIZE and FROM-first queries are SELECTs.
READING = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}


class BadQuery(GridError):
    """The text is not one reading statement, or DuckDB refused it; str() is Chinese."""


def run_select(sql: str, path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The result of one SELECT on the database, opened read-only for the moment of the query."""
    text = sql.strip()
    if not text:
        raise BadQuery('没有给出查询语句，例如：python -m etl sql "SELECT * FROM monthly_ranking LIMIT 10"')
    p = db.db_path(path)
    with db.write_lock(p), db.read_only(p) as con:
        try:
            statements = con.extract_statements(text)
        except duckdb.Error as exc:
            raise BadQuery(f"查询语句有语法错误（DuckDB 的说明：{_first_line(exc)}）") from None
        if len(statements) != 1:
            raise BadQuery(f"一次只能执行一条查询语句，收到 {len(statements)} 条")
        kind = statements[0].type
        if kind not in READING:
            raise BadQuery(
                f"只允许查询（SELECT），不允许修改数据库（收到 {kind.name} 语句）。"
                "导入、撤销和设置请用 load、revert、settings 等命令"
            )
        try:
            return con.execute(text).df()
        except duckdb.Error as exc:
            raise BadQuery(f"查询未能执行（DuckDB 的说明：{_first_line(exc)}）") from None


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
