"""The work mechanism (DOMAIN §11): meetings, patrols and pictures per grid and month, read from
work_mechanism_monthly (views.sql decides what falls short)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from etl.rules.calendar import MonthLike, month_start

WORK_YEAR = """
SELECT w.grid_code, g.grid_name, w.month, w.meetings, w.patrols, w.pictures, w.meetings_short,
    w.meetings_tracked, w.meetings_expected, w.n_reports
FROM work_mechanism_monthly w
JOIN grid g ON g.area = w.area AND g.grid_code = w.grid_code
WHERE w.area = ? AND year(w.month) = ?
ORDER BY g.sort_order, w.month
"""


WORK_MONTH = """
SELECT w.grid_code, g.grid_name, w.meetings, w.patrols, w.pictures, w.meetings_short,
    w.meetings_tracked, w.patrols_tracked, w.pictures_tracked, w.meetings_expected, w.n_reports
FROM work_mechanism_monthly w
JOIN grid g ON g.area = w.area AND g.grid_code = w.grid_code
WHERE w.area = ? AND w.month = ?
ORDER BY g.sort_order
"""


WORK_GRIDS = """
SELECT w.grid_code, w.month, w.meetings, w.patrols, w.pictures, w.meetings_short, w.meetings_tracked,
    w.meetings_expected
FROM work_mechanism_monthly w
WHERE w.area = ? AND list_contains(?::VARCHAR[], w.grid_code)
ORDER BY w.grid_code, w.month
"""


def work_year(con: duckdb.DuckDBPyConnection, area: str, year: int) -> pd.DataFrame:
    """work_mechanism_monthly for every grid and month of the year (long form)."""
    return con.execute(WORK_YEAR, [area, int(year)]).df()


def work_month(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike) -> pd.DataFrame:
    """work_mechanism_monthly for every grid of the month."""
    return con.execute(WORK_MONTH, [area, month_start(month)]).df()


def work_history(con: duckdb.DuckDBPyConnection, area: str, grid_codes: tuple[str, ...]) -> pd.DataFrame:
    """work_mechanism_monthly of some grids over the whole data range."""
    return con.execute(WORK_GRIDS, [area, list(grid_codes)]).df()


def any_counts(frame: pd.DataFrame) -> bool:
    """Does any row carry a meetings, patrols or pictures count?"""
    return bool(len(frame)) and bool(frame[["meetings", "patrols", "pictures"]].notna().any().any())


def expected_meetings(frame: pd.DataFrame) -> int:
    return int(frame["meetings_expected"].iloc[0]) if len(frame) else 4


def tracked(frame: pd.DataFrame) -> bool:
    """Does the area report meetings at all (meetings_short not NULL)?"""
    return bool(len(frame)) and bool(frame["meetings_tracked"].astype(bool).any())


def meetings_guide(frame: pd.DataFrame) -> int | None:
    """The monthly minimum of meetings to draw beside the counts; None where the area does not
    report meetings (there is nothing to fall short of)."""
    return expected_meetings(frame) if tracked(frame) else None


@dataclass(frozen=True)
class WorkFigures:
    grids: int
    tracked: bool
    short: int  # grids below meetings_expected (0 when not tracked)
    expected: int
    meetings: int
    patrols: int
    pictures: int


def work_figures(frame: pd.DataFrame) -> WorkFigures:
    is_tracked = tracked(frame)
    expected = expected_meetings(frame)
    return WorkFigures(
        grids=len(frame),
        tracked=is_tracked,
        short=int(frame["meetings_short"].fillna(False).astype(bool).sum()) if is_tracked else 0,
        expected=expected,
        meetings=int(frame["meetings"].fillna(0).sum()) if len(frame) else 0,
        patrols=int(frame["patrols"].fillna(0).sum()) if len(frame) else 0,
        pictures=int(frame["pictures"].fillna(0).sum()) if len(frame) else 0,
    )
