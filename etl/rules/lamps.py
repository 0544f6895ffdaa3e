"""Street lighting (DOMAIN §10) and the work mechanism (DOMAIN §11): the read functions the
pages, the display, the bulletin and the notices use, and their Chinese tables.

The rules live in views.sql (lamp_rates / lamp_monthly, lamp_area_monthly,
work_mechanism_monthly); nothing here decides a target or a shortfall again, it only reads the
flags and formats them. Rates are shown rounded to 0.1 % (half up), and a rate that shows as
the target while falling short says so (94.96 % shows 95.0 % and does not meet 95 %)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
import pandas as pd

from etl.rules import queries

UNCHECKED = "未检查"
MET = "达标"
SHORT = "未达标"
NOT_TRACKED = "未统计"


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


def targets(con: duckdb.DuckDBPyConnection) -> LampTargets:
    row = con.execute("SELECT lamp_install_target, lamp_lit_target FROM rule_setting").fetchall()[0]
    return LampTargets(float(row[0]), float(row[1]))


# ---- Lamps per grid and month ---------------------------------------------------------------

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


def lamp_month(con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike) -> pd.DataFrame:
    """Every registry grid of the area for the month, checked or not (checked = False: 未检查),
    with lamp_monthly's counts, rates, meets_target and shortfall_rank."""
    return con.execute(LAMP_MONTH, [queries.month_start(month), area]).df()


def lamp_trend(con: duckdb.DuckDBPyConnection, area: str) -> pd.DataFrame:
    """The area's lamps per checked month (lamp_area_monthly), oldest first."""
    return con.execute(LAMP_TREND, [area]).df()


def lamp_months(con: duckdb.DuckDBPyConnection, area: str) -> list[Any]:
    return [r[0] for r in con.execute(LAMP_MONTHS, [area]).fetchall()]


def below_target(frame: pd.DataFrame) -> pd.DataFrame:
    """The checked grids below target, worst first (shortfall_rank of lamp_monthly)."""
    if frame.empty:
        return frame
    rows = frame[frame["checked"].astype(bool) & ~frame["meets_target"].fillna(False).astype(bool)]
    return rows.sort_values("shortfall_rank").reset_index(drop=True)


def unchecked_names(frame: pd.DataFrame) -> list[str]:
    """'19 河口村网格' for every registry grid without a check in the month."""
    rows = frame[~frame["checked"].astype(bool)]
    return [grid_label(c, n) for c, n in zip(rows["grid_code"], rows["grid_name"], strict=True)]


def short_flags(table: pd.DataFrame) -> list[bool]:
    """Rows of lamp_table below target, for the red rows of the Excel download."""
    return [v == SHORT for v in table["结果"]]


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


def grid_label(code: str, name: str) -> str:
    return f"{code} {name}"


def lamp_table(frame: pd.DataFrame, t: LampTargets) -> pd.DataFrame:
    """lamp_month as shown: one row per registry grid, 未检查 for grids without a record."""
    rows = []
    for r in frame.to_dict("records"):
        checked = bool(r["checked"])
        status = UNCHECKED if not checked else (MET if bool(r["meets_target"]) else SHORT)
        rows.append(
            {
                "网格": grid_label(r["grid_code"], r["grid_name"]),
                "应装（盏）": int(r["required"]) if checked else None,
                "已装（盏）": int(r["installed"]) if checked else None,
                "亮灯（盏）": int(r["lit"]) if checked else None,
                "装灯率": percent(r["install_rate"]) if checked else "—",
                "亮灯率": percent(r["lit_rate"]) if checked else "—",
                "结果": status,
                "说明": shortfall_text(r, t)
                if status == SHORT
                else ("本月无检查记录" if not checked else ""),
            }
        )
    out = pd.DataFrame(
        rows, columns=["网格", "应装（盏）", "已装（盏）", "亮灯（盏）", "装灯率", "亮灯率", "结果", "说明"]
    )
    for c in ("应装（盏）", "已装（盏）", "亮灯（盏）"):
        out[c] = out[c].astype("Int64")
    return out


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


def lamp_trend_table(trend: pd.DataFrame) -> pd.DataFrame:
    """lamp_trend as shown (Chinese headers, rates rounded)."""
    return pd.DataFrame(
        {
            "月份": [f"{m.year}年{m.month}月" for m in pd.to_datetime(trend["month"])],
            "检查网格": trend["grids_checked"].astype(int),
            "达标网格": trend["grids_meeting"].astype(int),
            "装灯率": [percent(x) for x in trend["install_rate"]],
            "亮灯率": [percent(x) for x in trend["lit_rate"]],
        }
    )


# ---- Work mechanism (DOMAIN §11) ------------------------------------------------------------

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

MEASURES = {"meetings": "例会", "patrols": "巡查", "pictures": "图片"}


def work_year(con: duckdb.DuckDBPyConnection, area: str, year: int) -> pd.DataFrame:
    """work_mechanism_monthly for every grid and month of the year (long form)."""
    return con.execute(WORK_YEAR, [area, int(year)]).df()


def work_month(con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike) -> pd.DataFrame:
    """work_mechanism_monthly for every grid of the month."""
    return con.execute(WORK_MONTH, [area, queries.month_start(month)]).df()


def work_history(con: duckdb.DuckDBPyConnection, area: str, grid_codes: tuple[str, ...]) -> pd.DataFrame:
    """work_mechanism_monthly of some grids over the whole data range."""
    return con.execute(WORK_GRIDS, [area, list(grid_codes)]).df()


def work_matrix(frame: pd.DataFrame, measure: str = "meetings") -> pd.DataFrame:
    """work_year as a chart wants it: index '07 华园路', columns '1月' … (NaN: not reported)."""
    if frame.empty:
        return pd.DataFrame()
    if measure not in MEASURES:
        raise ValueError(measure)
    f = frame.assign(label=[grid_label(c, n) for c, n in zip(frame["grid_code"], frame["grid_name"], strict=True)],
                     col=[f"{pd.Timestamp(m).month}月" for m in frame["month"]])  # fmt: skip
    order = list(dict.fromkeys(f["label"]))
    cols = list(dict.fromkeys(f.sort_values("month")["col"]))
    wide = f.pivot(index="label", columns="col", values=measure).astype(float)
    return wide.reindex(index=order, columns=cols)


def short_months(history: pd.DataFrame, labels: dict[str, str]) -> str:
    """'07 华园路：2019年1月、3月；12 …' — the months each grid of work_history fell short."""
    if history.empty:
        return ""
    rows = history[history["meetings_short"].fillna(False).astype(bool)]
    parts = []
    for code, part in rows.groupby("grid_code", sort=False):
        months = "、".join(f"{pd.Timestamp(m).year}年{pd.Timestamp(m).month}月" for m in part["month"])
        parts.append(f"{labels.get(str(code), code)}：{months}")
    return "；".join(parts)


def any_counts(frame: pd.DataFrame) -> bool:
    """Does any row carry a meetings, patrols or pictures count?"""
    return bool(len(frame)) and bool(frame[["meetings", "patrols", "pictures"]].notna().any().any())


def expected_meetings(frame: pd.DataFrame) -> int:
    return int(frame["meetings_expected"].iloc[0]) if len(frame) else 4


def tracked(frame: pd.DataFrame) -> bool:
    """Does the area report meetings at all (meetings_short not NULL)?"""
    return bool(len(frame)) and bool(frame["meetings_tracked"].astype(bool).any())


def _count(x: Any) -> str:
    return "—" if x is None or pd.isna(x) else str(int(x))


def meetings_state(row: Any) -> str:
    if not bool(row["meetings_tracked"]):
        return NOT_TRACKED
    if bool(row["meetings_short"]):
        return f"不足（应≥{int(row['meetings_expected'])}次）"
    return "达标"


def work_table(frame: pd.DataFrame) -> pd.DataFrame:
    """work_month as shown: 例会 / 巡查 / 图片 per grid; '—' where the reports carry no count,
    未统计 where the area does not track the column at all."""
    rows = []
    for r in frame.to_dict("records"):
        rows.append(
            {
                "网格": grid_label(r["grid_code"], r["grid_name"]),
                "例会（次）": _count(r["meetings"]) if r["meetings_tracked"] else NOT_TRACKED,
                "例会情况": meetings_state(r),
                "徒步巡查（次）": _count(r["patrols"]) if r["patrols_tracked"] else NOT_TRACKED,
                "图片（张）": _count(r["pictures"]) if r["pictures_tracked"] else NOT_TRACKED,
                "报送次数": int(r["n_reports"]),
            }
        )
    return pd.DataFrame(
        rows, columns=["网格", "例会（次）", "例会情况", "徒步巡查（次）", "图片（张）", "报送次数"]
    )


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
