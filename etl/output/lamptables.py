"""Street lighting (DOMAIN §10) and work mechanism (DOMAIN §11) tables as shown: Chinese
headers, results in words, rates rounded (etl.rules.lamps.percent)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from etl.output.tables import grid_label
from etl.rules.lamps import LampTargets, percent, shortfall_text

UNCHECKED = "未检查"


MET = "达标"


SHORT = "未达标"


NOT_TRACKED = "未统计"
MEASURES = {"meetings": "例会", "patrols": "巡查", "pictures": "图片"}


def full_label(code: str, name: str) -> str:
    """'19 河口村网格': the code and the full name (tables.grid_label drops the trailing 网格)."""
    return f"{code} {name}"


def unchecked_names(frame: pd.DataFrame) -> list[str]:
    """'19 河口村网格' for every registry grid without a check in the month."""
    rows = frame[~frame["checked"].astype(bool)]
    return [full_label(c, n) for c, n in zip(rows["grid_code"], rows["grid_name"], strict=True)]


def short_flags(table: pd.DataFrame) -> list[bool]:
    """Rows of lamp_table below target, for the red rows of the Excel download."""
    return [v == SHORT for v in table["结果"]]


def lamp_table(frame: pd.DataFrame, t: LampTargets) -> pd.DataFrame:
    """lamp_month as shown: one row per registry grid, 未检查 for grids without a record."""
    rows = []
    for r in frame.to_dict("records"):
        checked = bool(r["checked"])
        status = UNCHECKED if not checked else (MET if bool(r["meets_target"]) else SHORT)
        rows.append(
            {
                "网格": full_label(r["grid_code"], r["grid_name"]),
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
    # The result and the two rates first: what a phone shows without sideways scrolling.
    out = pd.DataFrame(
        rows, columns=["网格", "结果", "亮灯率", "装灯率", "应装（盏）", "已装（盏）", "亮灯（盏）", "说明"]
    )
    for c in ("应装（盏）", "已装（盏）", "亮灯（盏）"):
        out[c] = out[c].astype("Int64")
    return out


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


def work_matrix(frame: pd.DataFrame, measure: str = "meetings") -> pd.DataFrame:
    """work_year as a chart wants it: index '07 华园路' (tables.grid_label, as in the other
    grid × month tables), columns '1月' … (NaN: not reported)."""
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
                "网格": full_label(r["grid_code"], r["grid_name"]),
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
