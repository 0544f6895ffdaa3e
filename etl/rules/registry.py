"""The grid registry (DOMAIN §1): the area's grids and their people, the schematic map's
scores, and whether the database holds only the shipped sample data."""

from __future__ import annotations

import duckdb
import pandas as pd

from etl.constants import SAMPLE_USER
from etl.rules.calendar import MonthLike, month_start

IS_SAMPLE = """
SELECT count(*) > 0 AND bool_and(loaded_by = ?) FROM batch WHERE status = 'active'
"""


def is_sample_data(con: duckdb.DuckDBPyConnection) -> bool:
    """True while every active batch came from the sample data (the 示例数据 banner)."""
    return bool(con.execute(IS_SAMPLE, [SAMPLE_USER]).fetchall()[0][0])


REGISTRY = """
SELECT grid_code, grid_name, big_grid, leader_name, leader_title, lead_unit,
    responsible_units, scope, contact_name, contact_phone, sort_order
FROM grid
WHERE area = ?
ORDER BY sort_order, grid_code
"""


def registry(con: duckdb.DuckDBPyConnection, area: str) -> pd.DataFrame:
    """The area's grids as the current registry lists them (DOMAIN §1), registry order."""
    return con.execute(REGISTRY, [area]).df()


MAP_SCORES = """
SELECT g.grid_code, g.grid_name, g.big_grid, g.leader_name, g.lead_unit, g.sort_order,
    r.total, r.rank, r.n_ranked, r.bottom_three, coalesce(r.missing, true) AS missing,
    coalesce(r.top_three, false) AS top_three
FROM grid g
LEFT JOIN (SELECT * FROM monthly_ranking WHERE area = $area AND month = $month) r
    ON r.grid_code = g.grid_code
WHERE g.area = $area
ORDER BY g.sort_order, g.grid_code
"""


def map_scores(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike | None) -> pd.DataFrame:
    """Every registry grid with its total and rank in the month (NaN when missing or when
    no month is chosen), for the schematic map."""
    m = month_start(month) if month is not None else None
    return con.execute(MAP_SCORES, {"area": area, "month": m}).df()
