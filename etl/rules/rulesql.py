"""Ask the rule macros of views.sql about values that are not in a database.

The ranking rules of DOMAIN §4–§5 live in SQL only (the "pure rule macros" block at the top of
etl/rules/sql/views.sql, used by the views). Code that must apply a rule to values of its own, such
as the in-file check of a stated 排名 column or the sample generator, runs that same block on
a throw-away in-memory DuckDB instead of re-implementing the rule in Python.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping
from functools import cache
from pathlib import Path

import duckdb

VIEWS_SQL = Path(__file__).resolve().parent / "sql" / "views.sql"
BEGIN = "-- >>> pure rule macros"
END = "-- <<< pure rule macros"


@cache
def pure_macros() -> str:
    """The text of the pure rule macros block of views.sql."""
    text = VIEWS_SQL.read_text(encoding="utf-8")
    return text[text.index(BEGIN) : text.index(END)]


_local = threading.local()


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory connection holding the pure rule macros, one per thread (a DuckDB
    connection must not be shared by threads; opening one costs tens of milliseconds)."""
    con = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect(":memory:")
        con.execute(pure_macros())
        _local.con = con
    return con


def competition_ranks(totals: Mapping[Hashable, float]) -> dict[Hashable, int]:
    """DOMAIN §4 competition rank ("1, 2, 2, 4") of each key's value, by the SQL macro."""
    keys = list(totals)
    if not keys:
        return {}
    rows = (
        connect()
        .execute(
            "SELECT i, competition_rank(0, 0, v) FROM (SELECT unnest(?::DOUBLE[]) AS v, unnest(range(1, ? + 1)) AS i)",
            [[float(totals[k]) for k in keys], len(keys)],
        )
        .fetchall()
    )
    return {keys[i - 1]: int(r) for i, r in rows}


def bottom_three(totals: Mapping[Hashable, float]) -> set[Hashable]:
    """DOMAIN §4 bottom three (ties at the edge all in) of the keys' values, by the SQL macro."""
    keys = list(totals)
    if not keys:
        return set()
    rows = (
        connect()
        .execute(
            "SELECT i FROM (SELECT i, bottom_three(0, 0, v) AS b FROM"
            " (SELECT unnest(?::DOUBLE[]) AS v, unnest(range(1, ? + 1)) AS i)) WHERE b",
            [[float(totals[k]) for k in keys], len(keys)],
        )
        .fetchall()
    )
    return {keys[i - 1] for (i,) in rows}


def composite_score(routine_avg: float, year_end: float, w_routine: float, w_year_end: float) -> float:
    """DOMAIN §5 composite of one grid, by the SQL macro the annual_ranking view uses."""
    row = (
        connect()
        .execute(
            "SELECT composite_score(?::DOUBLE, ?::DOUBLE, ?::DOUBLE, ?::DOUBLE)",
            [routine_avg, year_end, w_routine, w_year_end],
        )
        .fetchall()
    )
    return float(row[0][0])
