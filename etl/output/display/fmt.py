"""Small formatters of the wall screen: plain text, escaped later by the templates."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

WEEKDAYS = "一二三四五六日"


def missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def num(x: object, digits: int = 1) -> str:
    return "—" if missing(x) else f"{float(x):.{digits}f}"  # type: ignore[arg-type]


def score(x: object) -> str:
    """84 → '84', 83.5 → '83.5', 88.25 → '88.25'."""
    return "—" if missing(x) else f"{float(x):.2f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]


def short_name(name: object) -> str:
    text = str(name or "")
    return text[:-2] if text.endswith("网格") and len(text) > 2 else text


def grid_label(code: object, name: object) -> str:
    return f"{code} {short_name(name)}".strip()


def md(d: object) -> str:
    """'3月25日'."""
    t = pd.Timestamp(d)  # type: ignore[arg-type]
    return f"{t.month}月{t.day}日"


def ymd(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def month_label(d: date) -> str:
    return f"{d.year}年{d.month}月"
