"""The calendar of the data: which areas, months and years there are to pick, months as
dates, and the one "as of" (the rules' today) of every status figure.

Months are passed as a date (any day of the month) or 'YYYY-MM' text and come back as the
first day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

MonthLike = date | str


def month_start(value: MonthLike) -> date:
    """First day of the month of a date, a datetime, or 'YYYY-MM' / 'YYYY-MM-DD' text."""
    if isinstance(value, datetime):
        return date(value.year, value.month, 1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value).strip()
    try:
        year, month = int(text[:4]), int(text[5:7])
        return date(year, month, 1)
    except ValueError:
        raise ValueError(f"月份应写成 2018-05 或日期，收到 {value!r}") from None


def _month_label(d: date | datetime | pd.Timestamp) -> str:
    return f"{d.year:04d}-{d.month:02d}"


AREAS = """
SELECT area FROM grid GROUP BY area ORDER BY min(sort_order), area
"""


CHECKED_MONTHS = """
SELECT month FROM area_month WHERE area = ? ORDER BY month
"""


DATA_MONTHS = """
SELECT month FROM area_data_month WHERE area = ? ORDER BY month
"""


YEARS = """
SELECT DISTINCT year(month)::INTEGER AS year FROM area_data_month WHERE area = ?
UNION
SELECT DISTINCT year FROM cur_annual_score WHERE area = ?
ORDER BY year
"""


def areas(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Areas of the current registry, in registry order (县城 first in the default data)."""
    return [r[0] for r in con.execute(AREAS).fetchall()]


def months(con: duckdb.DuckDBPyConnection, area: str) -> list[date]:
    """The area's checked months (months with any monthly score), oldest first."""
    return [r[0] for r in con.execute(CHECKED_MONTHS, [area]).fetchall()]


def data_months(con: duckdb.DuckDBPyConnection, area: str) -> list[date]:
    """Every month of the area's data range (reports, volunteer, problems, scores)."""
    return [r[0] for r in con.execute(DATA_MONTHS, [area]).fetchall()]


def years(con: duckdb.DuckDBPyConnection, area: str) -> list[int]:
    """Years with any data of the area, oldest first."""
    return [r[0] for r in con.execute(YEARS, [area, area]).fetchall()]


def pivot_months(
    df: pd.DataFrame, value: str, keys: Sequence[str] = ("grid_code", "grid_name")
) -> pd.DataFrame:
    """grid rows × 'YYYY-MM' columns, registry order kept."""
    if df.empty:
        return pd.DataFrame(columns=list(keys))
    df = df.assign(month_label=[_month_label(m) for m in df["month"]])
    order = df.drop_duplicates("grid_code")[list(keys)].reset_index(drop=True)
    wide = df.pivot(index="grid_code", columns="month_label", values=value)
    wide = wide[sorted(wide.columns)]
    wide.columns = [str(c) for c in wide.columns]
    return order.merge(wide, left_on="grid_code", right_index=True, how="left")


@dataclass(frozen=True)
class AsOf:
    """The one "as of" of every status figure on a page (issue 12): the rules' today
    (grid_today(), GRID_TODAY pins it) and whether the chosen month is over, so that its
    statuses are final, or still running, so that they are provisional."""

    today: date
    month: date

    @property
    def final(self) -> bool:
        return (self.month.year, self.month.month) < (self.today.year, self.today.month)

    @property
    def text(self) -> str:
        t, m = self.today, self.month
        day = f"{t.year}年{t.month}月{t.day}日"
        if self.final:
            return f"状态截至{day} · {m.year}年{m.month}月已结束，状态为最终结果"
        if (m.year, m.month) == (t.year, t.month):
            return f"状态截至{day} · {m.month}月为本月，尚未结束，状态为暂定"
        return f"状态截至{day} · {m.year}年{m.month}月尚未开始，状态为暂定"


def as_of(con: duckdb.DuckDBPyConnection, month: MonthLike) -> AsOf:
    today = con.execute("SELECT grid_today()").fetchall()[0][0]
    return AsOf(today=today, month=month_start(month))
