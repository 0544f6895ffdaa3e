"""Cell parsers: text, numbers, months, dates, Chinese numerals and grid references.

Each parser takes one raw cell value (as a reader returns it: str, int, float, bool, date,
datetime, time or None) and returns a clean value, or raises CellError with a Chinese message
that says what was expected.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from etl.errors import GridError
from etl.safetext import has_controls, strip_controls

EXCEL_EPOCH = date(1899, 12, 30)


class CellError(GridError, ValueError):
    """A cell's value cannot be read as the type its column needs (still a ValueError, as a
    failed conversion is)."""


NAME_MAX = 100  # characters in a name (grid, leader, unit, code): a line on a page or a notice


def check_name(text: str) -> str:
    """A name as loaded: refused when longer than NAME_MAX characters."""
    if len(text) > NAME_MAX:
        raise CellError(f"名称过长（{len(text)} 个字符），最多 {NAME_MAX} 个字符；请核对是否填错了列")
    return text


def is_blank(value: Any) -> bool:
    """None, or text that clean_text makes empty (white space and control characters only)."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    # The common case without NFKC and regex: text with a visible character and no control
    # character is not blank (NFKC maps only white space to spaces). 830,000 calls for a
    # 100,000-row ledger.
    stripped = value.strip()
    if stripped and not has_controls(stripped):
        return False
    return clean_text(value) == ""


def clean_text(value: Any) -> str:
    """Full-width → half-width (NFKC), trimmed, inner runs of white space folded."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = strip_controls(unicodedata.normalize("NFKC", str(value)))
    text = text.replace("\u3000", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip()


def tidy_text(value: Any) -> str:
    """Free text as written (Chinese punctuation kept): trimmed, runs of spaces folded."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = strip_controls(str(value)).replace("\u3000", " ").replace("\xa0", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


_SCORE_NOTE = re.compile(r"[(（][^()（）]*[)）]$")


def header_key(value: Any) -> str:
    """Normalise a header for matching: NFKC, no spaces, no trailing score note like （20分）."""
    text = clean_text(value).replace(" ", "")
    while True:
        stripped = _SCORE_NOTE.sub("", text)
        if stripped == text:
            break
        text = stripped
    return text.replace("*", "").replace("★", "").lower()


def score_note_max(value: Any) -> float | None:
    """The maximum written in a header's note: 公益宣传（10分） → 10."""
    m = re.search(r"[(（]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]\s*$", clean_text(value))
    return float(m.group(1)) if m else None


# ---- Chinese numerals --------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_to_int(text: str) -> int | None:
    """十二 → 12, 二十八 → 28, 一百零五 → 105, 二〇一八 → 2018; None when not a numeral."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    if not any(ch in _CN_UNITS for ch in text):  # digit by digit: 二〇一八
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            unit = _CN_UNITS[ch]
            total += (1 if digit is None else digit) * unit
            digit = None
    return total + (digit or 0)


_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千]+")


def replace_chinese_numerals(text: str) -> str:
    """Replace every run of Chinese numerals by its digits: 第十二网格 → 第12网格."""

    def sub(m: re.Match[str]) -> str:
        n = chinese_to_int(m.group(0))
        return m.group(0) if n is None else str(n)

    return _CN_RUN.sub(sub, text)


# ---- Numbers -----------------------------------------------------------------------------

_UNIT_SUFFIX = re.compile(r"(分|人次|人|小时|时|h|H|次|张|个|项|处|天|元|名)$")


def parse_number(value: Any) -> float | None:
    """15, '15', '１５．５', ' 15 分', '12人', '2.5小时' → float; blank → None."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, date | datetime):
        raise CellError("应为数字，这里是日期")
    text = clean_text(value).replace(" ", "").replace(",", "")
    text = _UNIT_SUFFIX.sub("", text)
    try:
        number = float(text)
    except ValueError:
        raise CellError("应为数字") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise CellError("应为数字")
    return number


def parse_int(value: Any) -> int | None:
    number = parse_number(value)
    if number is None:
        return None
    if not float(number).is_integer():
        raise CellError("应为整数")
    return int(number)


# ---- Dates and months --------------------------------------------------------------------


def _excel_serial(number: float) -> date:
    if not 1 <= number < 2958466:
        raise CellError("不是有效的日期")
    return EXCEL_EPOCH + timedelta(days=int(number))


def _ymd(y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise CellError("不是有效的日期") from None


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_date(value: Any) -> date | None:
    """Excel date or serial, 2018-05-03, 2018/5/3, 2018.5.3, 2018年5月3日, 20180503."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellError("应为日期")
    if isinstance(value, int | float):
        if 19000101 <= value <= 29991231 and float(value).is_integer():
            text = str(int(value))
            return _ymd(int(text[:4]), int(text[4:6]), int(text[6:]))
        return _excel_serial(float(value))
    text = clean_text(value)
    if re.match(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T]\d", text):
        text = re.split(r"[ T]", text)[0]  # a time after the date
    text = replace_chinese_numerals(text.replace(" ", ""))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise CellError("应为日期，如 2018-05-03 或 2018年5月3日")


_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?(?:份)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
]


def _ym(y: int, m: int) -> date:
    if not 1 <= m <= 12 or not 1900 <= y <= 2999:
        raise CellError("不是有效的月份")
    return date(y, m, 1)


def parse_month(value: Any) -> date | None:
    """2018年5月, 2018-05, 2018.5, 2018/05, 201805 or an Excel date → first day of the month."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return date(value.year, value.month, 1)
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    if isinstance(value, bool):
        raise CellError("应为月份")
    if isinstance(value, int | float):
        if float(value).is_integer() and 190001 <= value <= 299912:
            return _ym(int(value) // 100, int(value) % 100)
        if 1900 < value < 3000:  # 2018.5 typed as a number
            return parse_month(str(value))
        return parse_month(_excel_serial(float(value)))
    text = replace_chinese_numerals(clean_text(value).replace(" ", ""))
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(text)
        if m:
            return _ym(int(m.group(1)), int(m.group(2)))
    raise CellError("应为月份，如 2018-05 或 2018年5月")


# ---- Plausibility (issue 10 §5): history back to 2000 is welcome, the future is not -------

EARLIEST = date(2000, 1, 1)


def latest_date(today: date) -> date:
    """The last date a file may carry: one year after today (a deadline may lie ahead)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


def check_date(day: date, today: date) -> date:
    if day < EARLIEST:
        raise CellError("日期早于 2000-01-01，不像是真实日期，请核对")
    limit = latest_date(today)
    if day > limit:
        raise CellError(f"日期晚于 {limit.isoformat()}（今天起一年以后），不像是真实日期，请核对")
    return day


def check_month(month: date, today: date) -> date:
    if month < EARLIEST:
        raise CellError("月份早于 2000年1月，不像是真实月份，请核对")
    if (month.year, month.month) > (today.year, today.month):
        raise CellError(f"月份在本月（{today.year}年{today.month}月）之后，尚未到来，请核对")
    return month


def check_year(year: int, today: date) -> int:
    if year < EARLIEST.year:
        raise CellError("年度早于 2000 年，请核对")
    if year > today.year:
        raise CellError(f"年度在今年（{today.year}年）之后，尚未到来，请核对")
    return year


def parse_year(value: Any) -> int | None:
    """2018, '2018', '2018年', '2018年度' → 2018."""
    if is_blank(value):
        return None
    if isinstance(value, date | datetime):
        return value.year
    text = replace_chinese_numerals(clean_text(value).replace(" ", ""))
    m = re.match(r"^(\d{4})(?:\.0)?(?:年度?)?$", text)
    if not m or not 1900 <= int(m.group(1)) <= 2999:
        raise CellError("应为年份，如 2018")
    return int(m.group(1))


_MONTH_IN_TEXT = [
    re.compile(r"(20\d{2}|19\d{2})\s*年\s*(\d{1,2})\s*月"),
    re.compile(r"(20\d{2}|19\d{2})[-_.](\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(20\d{2}|19\d{2})(0[1-9]|1[0-2])(?!\d)"),
]


def month_in_text(text: str) -> date | None:
    """The month named in a title or file name: '考核表（2018年5月）', '2018-04_月度', '201805'."""
    norm = replace_chinese_numerals(clean_text(text))
    for pattern in _MONTH_IN_TEXT:
        m = pattern.search(norm)
        if m and 1 <= int(m.group(2)) <= 12:
            return date(int(m.group(1)), int(m.group(2)), 1)
    return None


def year_in_text(text: str) -> int | None:
    """The year named in a title or file name: '2018年度年终考核' → 2018."""
    norm = replace_chinese_numerals(clean_text(text))
    m = re.search(r"(?<!\d)(20\d{2}|19\d{2})(?!\d)", norm)
    return int(m.group(1)) if m else None


def month_only_in_text(text: str) -> int | None:
    """A month without a year, as in a sheet named '5月评分' → 5."""
    norm = replace_chinese_numerals(clean_text(text))
    m = re.search(r"(?<!\d)(\d{1,2})\s*月", norm)
    return int(m.group(1)) if m and 1 <= int(m.group(1)) <= 12 else None


# ---- Grid references ---------------------------------------------------------------------


def grid_key(value: Any) -> str:
    """Normalise a grid reference or registry entry for matching (DATA_CONTRACT §1).

    Full-width → half-width, Chinese numerals → digits, drop spaces, 第 号 网格 小网格 and
    leading zeros: '第七网格', '网格七', '7号网格', 'G07', '07' all become '7' or 'g7'.
    """
    text = replace_chinese_numerals(clean_text(value)).replace(" ", "").lower()
    for word in ("小网格", "网格", "第", "号"):
        text = text.replace(word, "")
    text = re.sub(r"(?<!\d)0+(?=\d)", "", text)
    return text


def _digits(text: str) -> str:
    found = re.findall(r"\d+", replace_chinese_numerals(clean_text(text)))
    return str(int(found[-1])) if found else ""


HINT = "。请改为名册中的网格编号或名称（模板中可从下拉列表选择）"


@dataclass(frozen=True)
class GridEntry:
    """A grid of the registry, as references are matched against it."""

    area: str
    code: str
    name: str
    leader: str


class GridIndex:
    """Resolves references to grids: code, then name, then leader, then the code's digits."""

    def __init__(self, entries: list[GridEntry]) -> None:
        self.entries = entries
        self.levels: list[dict[str, list[GridEntry]]] = [{}, {}, {}, {}]
        for e in entries:
            for level, key in enumerate(
                (grid_key(e.code), grid_key(e.name), grid_key(e.leader), _digits(e.code))
            ):
                if key:
                    self.levels[level].setdefault(key, []).append(e)

    def resolve(self, value: Any) -> GridEntry:
        """The one registry grid a reference means; CellError naming close entries otherwise."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        key = grid_key(value)
        if not key:
            raise CellError("网格为空")
        digits = key if key.isdigit() else (_digits(key) if re.fullmatch(r"[a-z]*\d+", key) else "")
        for level, lookup in enumerate((key, key, key, digits)):
            if not lookup:
                continue
            found = self.levels[level].get(lookup, [])
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                names = "、".join(f"{e.code} {e.name}（{e.area}）" for e in found[:5])
                raise CellError(f"网格不唯一，可能是：{names}；请写网格编号")
        raise CellError(f"网格名册中没有这个网格{self._closest(key)}{HINT}")

    def resolve_in_area(self, value: Any, area: str) -> GridEntry | None:
        """Like resolve, but an ambiguity settled by preferring grids of one area."""
        key = grid_key(value)
        digits = key if key.isdigit() else (_digits(key) if re.fullmatch(r"[a-z]*\d+", key) else "")
        for level, lookup in enumerate((key, key, key, digits)):
            found = [e for e in self.levels[level].get(lookup, []) if e.area == area] if lookup else []
            if len(found) == 1:
                return found[0]
        return None

    def _closest(self, key: str) -> str:
        return self.closest_text(key)

    UNKNOWN = "网格名册中没有这个网格"

    def closest_text(self, key: str, absent: Sequence[GridEntry] = ()) -> str:
        """'；最接近的是：…' for an unknown reference. Registry grids absent from the sheet come
        first (a row naming no known grid is most often the grid the sheet lacks), then the
        grids nearest by number or by name; a few absent grids are named as such."""
        if not self.entries:
            return "（尚未导入网格名册，请先导入网格划分表）"
        ranked = self._ranked(key)
        missing = set(absent)
        first = [e for e in ranked if e in missing] + [e for e in absent if e not in ranked]
        if first and len(first) <= 3:
            others = [e for e in ranked if e not in missing and self._near(key, e)][: max(0, 3 - len(first))]
            text = (
                "；本表缺少的网格：" + "、".join(f"{e.code} {e.name}" for e in first) + "（可能就是这一行）"
            )
            if others:
                text += "；其他接近的是：" + "、".join(f"{e.code} {e.name}" for e in others)
            return text
        picks = (first + [e for e in ranked if e not in missing and self._near(key, e)])[:3]
        if not picks:
            return ""
        return "；最接近的是：" + "、".join(f"{e.code} {e.name}" for e in picks)

    @staticmethod
    def _numeric(key: str) -> bool:
        return bool(_digits(key)) and (key.isdigit() or re.fullmatch(r"[a-z]*\d+", key) is not None)

    def _similarity(self, key: str, e: GridEntry) -> tuple[float, str]:
        best = (0.0, "")
        for k in (grid_key(e.name), grid_key(e.code), grid_key(e.leader)):
            if k:
                best = max(best, (difflib.SequenceMatcher(None, key, k).ratio(), k))
        return best

    def _near(self, key: str, e: GridEntry) -> bool:
        return bool(_digits(e.code)) if self._numeric(key) else self._similarity(key, e)[0] >= 0.3

    def _ranked(self, key: str) -> list[GridEntry]:
        """Registry grids nearest first: by the distance of the numbers, or by name likeness."""
        if self._numeric(key):
            digits = int(_digits(key))
            numbered = [e for e in self.entries if _digits(e.code)]
            numbered.sort(key=lambda e: (abs(int(_digits(e.code)) - digits), e.code))
            return numbered + [e for e in self.entries if not _digits(e.code)]
        return sorted(self.entries, key=lambda e: self._similarity(key, e), reverse=True)
