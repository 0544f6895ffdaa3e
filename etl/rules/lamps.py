"""Street lighting (DOMAIN §10): the read functions the pages, the display, the bulletin and the
notices use.

The rules live in views.sql (lamp_rates / lamp_monthly, lamp_area_monthly); nothing here decides
a target or a shortfall again, it only reads the flags. Rates are shown rounded to 0.1 % (half
up), and a rate that shows as the target while falling short says so (94.96 % shows 95.0 % and
does not meet 95 %)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
import pandas as pd

from etl.rules.calendar import MonthLike, month_start


def percent(rate: Any, digits: int = 1) -> str:
    """0.9496 → '95.0%' (half up, 0.1 %); — for none."""
    if rate is None or (isinstance(rate, float) and rate != rate) or pd.isna(rate):
        return "—"
    q = Decimal(1).scaleb(-digits)
    return f"{(Decimal(repr(float(rate))) * 100).quantize(q, rounding=ROUND_HALF_UP)}%"


def exact_percent(rate: float) -> str:
    """Enough digits to show why a rate that rounds to the target falls short: '94.96%'."""
    for digits in (2, 3, 4):
        text = percent(rate, digits)
        if Decimal(text[:-1]) != Decimal(percent(rate, 1)[:-1]):
            return text
    return percent(rate, 4)


@dataclass(frozen=True)
class LampTargets:
    """The settings lamp_install_target and lamp_lit_target (views.sql rule_setting)."""

    install: float
    lit: float

    @property
    def text(self) -> str:
        return f"装灯率 ≥ {percent(self.install, 0)}、亮灯率 ≥ {percent(self.lit, 0)}"

    @property
    def short(self) -> str:
        """The same in a narrow space (the wall screen's card)."""
        return f"装灯≥{percent(self.install, 0)} 亮灯≥{percent(self.lit, 0)}"


def targets(con: duckdb.DuckDBPyConnection) -> LampTargets:
    row = con.execute("SELECT lamp_install_target, lamp_lit_target FROM rule_setting").fetchall()[0]
    return LampTargets(float(row[0]), float(row[1]))


LAMP_MONTH = """
SELECT g.grid_code, g.grid_name, g.leader_name, l.required, l.installed, l.lit, l.install_rate,
    l.lit_rate, l.meets_target, l.install_ok, l.lit_ok, l.shortfall_rank,
    l.grid_code IS NOT NULL AS checked
FROM grid g
LEFT JOIN lamp_monthly l ON l.area = g.area AND l.grid_code = g.grid_code AND l.month = ?
WHERE g.area = ?
ORDER BY g.sort_order
"""


LAMP_TREND = """
SELECT month, grids_checked, grids_meeting, required, installed, lit, install_rate, lit_rate
FROM lamp_area_monthly WHERE area = ? ORDER BY month
"""


LAMP_MONTHS = "SELECT DISTINCT month FROM lamp_monthly WHERE area = ? ORDER BY month"


def lamp_month(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike) -> pd.DataFrame:
    """Every registry grid of the area for the month, checked or not (checked = False: 未检查),
    with lamp_monthly's counts, rates, meets_target and shortfall_rank."""
    return con.execute(LAMP_MONTH, [month_start(month), area]).df()


def lamp_trend(con: duckdb.DuckDBPyConnection, area: str) -> pd.DataFrame:
    """The area's lamps per checked month (lamp_area_monthly), oldest first."""
    return con.execute(LAMP_TREND, [area]).df()


def lamp_months(con: duckdb.DuckDBPyConnection, area: str) -> list[date]:
    """The months with a lamp check in the area, oldest first."""
    return [r[0] for r in con.execute(LAMP_MONTHS, [area]).fetchall()]


def below_target(frame: pd.DataFrame) -> pd.DataFrame:
    """The checked grids below target, worst first (shortfall_rank of lamp_monthly)."""
    if frame.empty:
        return frame
    rows = frame[frame["checked"].astype(bool) & ~frame["meets_target"].fillna(False).astype(bool)]
    return rows.sort_values("shortfall_rank").reset_index(drop=True)


def shortfall_text(row: Any, t: LampTargets) -> str:
    """Why one grid-month is below target, in words: '亮灯率 95.0%（实为 94.96%），低于 95%'."""
    parts = []
    if row["lit_rate"] is None or pd.isna(row["lit_rate"]):
        return f"未装路灯（应装 {int(row['required'])} 盏）"
    if not bool(row["install_ok"]):
        shown = percent(row["install_rate"])
        real = f"（实为 {exact_percent(row['install_rate'])}）" if shown == percent(t.install) else ""
        parts.append(f"装灯率 {shown}{real}，低于 {percent(t.install, 0)}")
    if not bool(row["lit_ok"]):
        shown = percent(row["lit_rate"])
        real = f"（实为 {exact_percent(row['lit_rate'])}）" if shown == percent(t.lit) else ""
        parts.append(f"亮灯率 {shown}{real}，低于 {percent(t.lit, 0)}")
    return "；".join(parts)


@dataclass(frozen=True)
class LampFigures:
    """The month's lamp check in a few numbers."""

    grids: int  # registry grids of the area
    checked: int
    meeting: int
    below: int
    install_rate: float | None  # the area's, over its checked grids
    lit_rate: float | None


def lamp_figures(frame: pd.DataFrame) -> LampFigures:
    checked = frame[frame["checked"].astype(bool)] if not frame.empty else frame
    meeting = int(checked["meets_target"].astype(bool).sum()) if len(checked) else 0
    required = float(checked["required"].sum()) if len(checked) else 0.0
    installed = float(checked["installed"].sum()) if len(checked) else 0.0
    lit = float(checked["lit"].sum()) if len(checked) else 0.0
    return LampFigures(
        grids=len(frame),
        checked=len(checked),
        meeting=meeting,
        below=len(checked) - meeting,
        install_rate=installed / required if required else None,
        lit_rate=lit / installed if installed else None,
    )
