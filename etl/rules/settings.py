"""Rule settings the plan leaves open (DOMAIN §5, §6, §10, §11): defaults, types and validation.

One table, SETTINGS, says for every key its Chinese label and what is allowed. The defaults
have one home, the `setting_default` view of views.sql: the views fall back to it for an
absent key (`rule_setting`) and this module reads it too. The `setting` table stores only
values someone changed, so a fresh database is ready as soon as ensure_schema has run, and a
change made here shows in every view at once.

Weights: the two composite weights must sum to 1, so setting one of them stores the other as
its complement in the same statement (weight_routine = 0.7 → weight_year_end = 0.3). A set
never leaves the pair inconsistent and never needs two steps.
Tier rank limits must stay increasing (一类 < 二类 < 三类); a set that breaks the order is
refused with the current neighbouring values in the message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import duckdb
import pandas as pd

from etl.errors import GridError

Number = int | float


class InvalidSetting(GridError):
    """A setting key is unknown or its value is not allowed; the message says what is."""


@dataclass(frozen=True)
class Setting:
    """One configurable rule: key, label shown to users, allowed values (the default is in
    views.sql, setting_default)."""

    key: str
    label: str
    allowed: str  # plain-Chinese description of what is allowed, used in messages
    validate: Callable[[Setting, object], Number]


def _parse_number(setting: Setting, raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise InvalidSetting(_refusal(setting, raw))
    text = str(raw).strip().translate(_FULL_WIDTH)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidSetting(_refusal(setting, raw)) from None
    if not value.is_finite():
        raise InvalidSetting(_refusal(setting, raw))
    return value


def _refusal(setting: Setting, raw: object) -> str:
    return f"「{setting.label}」的值 {raw!r} 不合规：{setting.allowed}。"


def _integer(low: int, high: int) -> Callable[[Setting, object], Number]:
    def check(setting: Setting, raw: object) -> Number:
        value = _parse_number(setting, raw)
        if value != value.to_integral_value() or not low <= value <= high:
            raise InvalidSetting(_refusal(setting, raw))
        return int(value)

    return check


def _decimal(low: float, high: float, places: int) -> Callable[[Setting, object], Number]:
    def check(setting: Setting, raw: object) -> Number:
        value = _parse_number(setting, raw)
        if not Decimal(str(low)) <= value <= Decimal(str(high)):
            raise InvalidSetting(_refusal(setting, raw))
        if value.normalize().as_tuple().exponent < -places:  # type: ignore[operator]
            raise InvalidSetting(_refusal(setting, raw))
        return float(value)

    return check


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "weight_routine",
        "常规检查权重",
        "0 到 1 之间的小数，最多 4 位小数；年终考评权重自动取 1 减此值",
        _decimal(0, 1, 4),
    ),
    Setting(
        "weight_year_end",
        "年终考评权重",
        "0 到 1 之间的小数，最多 4 位小数；常规检查权重自动取 1 减此值",
        _decimal(0, 1, 4),
    ),
    Setting("pass_mark", "达标线（综合得分）", "0 到 100 之间的数，最多 2 位小数", _decimal(0, 100, 2)),
    Setting(
        "tier1_ranks",
        "一类名次上限",
        "1 到 1000 之间的整数，且小于二类名次上限",
        _integer(1, 1000),
    ),
    Setting(
        "tier2_ranks",
        "二类名次上限",
        "1 到 1000 之间的整数，且大于一类、小于三类名次上限",
        _integer(1, 1000),
    ),
    Setting(
        "tier3_ranks",
        "三类名次上限",
        "1 到 1000 之间的整数，且大于二类名次上限",
        _integer(1, 1000),
    ),
    Setting(
        "reward_tier1",
        "一类奖励（元/网格）",
        "0 到 10000000 之间的整数（元）",
        _integer(0, 10_000_000),
    ),
    Setting(
        "reward_tier2",
        "二类奖励（元/网格）",
        "0 到 10000000 之间的整数（元）",
        _integer(0, 10_000_000),
    ),
    Setting(
        "reward_tier3",
        "三类奖励（元/网格）",
        "0 到 10000000 之间的整数（元）",
        _integer(0, 10_000_000),
    ),
    Setting("reward_pass", "达标奖励（元/网格）", "0 到 10000000 之间的整数（元）", _integer(0, 10_000_000)),
    Setting(
        "report_deadline_day",
        "信息报送截止日（每月几号）",
        "1 到 28 之间的整数（每个月都有的日子）",
        _integer(1, 28),
    ),
    Setting("notice_due_days", "整改通知书整改期限（天）", "1 到 365 之间的整数（天）", _integer(1, 365)),
    # DOMAIN §10: the plan's street-lamp targets, compared unrounded (views.sql lamp_rates).
    Setting(
        "lamp_install_target",
        "路灯装灯率目标",
        "0 到 1 之间的小数，最多 4 位小数（1 即 100%）",
        _decimal(0, 1, 4),
    ),
    Setting(
        "lamp_lit_target",
        "路灯亮灯率目标",
        "0 到 1 之间的小数，最多 4 位小数（0.95 即 95%）",
        _decimal(0, 1, 4),
    ),
    # DOMAIN §11: weekly meetings, about four a month.
    Setting("meetings_expected", "每月应开例会次数", "0 到 31 之间的整数（次）", _integer(0, 31)),
)

BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}

# The pair whose values must sum to 1: setting one stores the other's complement.
_WEIGHT_PAIR = {"weight_routine": "weight_year_end", "weight_year_end": "weight_routine"}
_TIER_ORDER = ("tier1_ranks", "tier2_ranks", "tier3_ranks")

_SELECT_STORED = "SELECT key, value, updated_at FROM setting"
_SELECT_DEFAULTS = "SELECT key, value FROM setting_default"
_SELECT_ONE = "SELECT value FROM setting WHERE key = ?"
_UPSERT = """
INSERT OR REPLACE INTO setting (key, value, updated_at)
SELECT key, value, coalesce(?::TIMESTAMP, (now() AT TIME ZONE 'Asia/Shanghai')::TIMESTAMP)
FROM (SELECT unnest(?::VARCHAR[]) AS key, unnest(?::VARCHAR[]) AS value)
"""
_DELETE = "DELETE FROM setting WHERE list_contains(?::VARCHAR[], key)"


def _setting(key: str) -> Setting:
    try:
        return BY_KEY[key]
    except KeyError:
        known = "、".join(f"{s.key}（{s.label}）" for s in SETTINGS)
        raise InvalidSetting(f"没有名为 {key!r} 的设置项。可用的设置项：{known}。") from None


def defaults(con: duckdb.DuckDBPyConnection) -> dict[str, Number]:
    """Every setting's default, from setting_default in views.sql (their one home)."""
    raw = dict(con.execute(_SELECT_DEFAULTS).fetchall())
    return {s.key: s.validate(s, raw[s.key]) for s in SETTINGS}


def _stored_or_default(setting: Setting, stored: str | None, default: Number) -> Number:
    """The stored value if it parses as allowed (the views fall back the same way)."""
    if stored is None:
        return default
    try:
        return setting.validate(setting, stored)
    except InvalidSetting:
        return default


def _format(value: Number) -> str:
    if isinstance(value, int):
        return str(value)
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def get_setting(con: duckdb.DuckDBPyConnection, key: str) -> Number:
    """The effective value of one setting: the stored value, else its default."""
    setting = _setting(key)
    rows = con.execute(_SELECT_ONE, [key]).fetchall()
    return _stored_or_default(setting, rows[0][0] if rows else None, defaults(con)[key])


def current_settings(con: duckdb.DuckDBPyConnection) -> dict[str, Number]:
    """Every setting's effective value, by key."""
    stored = {k: v for k, v, _ in con.execute(_SELECT_STORED).fetchall()}
    default = defaults(con)
    return {s.key: _stored_or_default(s, stored.get(s.key), default[s.key]) for s in SETTINGS}


def list_settings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per setting, in table order: key, label, value, default, is_default, allowed,
    updated_at (NULL while the default applies). value and default are text."""
    stored = {k: (v, t) for k, v, t in con.execute(_SELECT_STORED).fetchall()}
    default = defaults(con)
    rows = []
    for s in SETTINGS:
        raw, updated = stored.get(s.key, (None, None))
        value = _stored_or_default(s, raw, default[s.key])
        rows.append(
            {
                "key": s.key,
                "label": s.label,
                "value": _format(value),
                "default": _format(default[s.key]),
                "is_default": raw is None,
                "allowed": s.allowed,
                "updated_at": updated,
            }
        )
    return pd.DataFrame(rows)


def set_setting(con: duckdb.DuckDBPyConnection, key: str, value: object, at: datetime | None = None) -> None:
    """Validate and store one setting; raises InvalidSetting with a Chinese message.

    Setting one composite weight also stores the other as 1 minus it. `at` is the time of the
    change (default now, Asia/Shanghai; rebuild passes the logged time). Writers go through
    etl.load.eventlog.change_setting, which logs the change for rebuild.
    """
    setting = _setting(key)
    parsed = setting.validate(setting, value)
    updates: dict[str, Number] = {key: parsed}
    if key in _WEIGHT_PAIR:
        updates[_WEIGHT_PAIR[key]] = float(Decimal(1) - Decimal(_format(parsed)))
    if key in _TIER_ORDER:
        _check_tier_order(con, key, int(parsed))
    keys = list(updates)
    con.execute(_UPSERT, [at, keys, [_format(updates[k]) for k in keys]])


def reset_setting(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """Go back to the default (both weights together, so that they still sum to 1)."""
    _setting(key)
    keys = [key, _WEIGHT_PAIR[key]] if key in _WEIGHT_PAIR else [key]
    if key in _TIER_ORDER:
        _check_tier_order(con, key, int(defaults(con)[key]))
    con.execute(_DELETE, [keys])


def _check_tier_order(con: duckdb.DuckDBPyConnection, key: str, value: int) -> None:
    current = current_settings(con)
    limits = [value if k == key else int(current[k]) for k in _TIER_ORDER]
    if limits[0] < limits[1] < limits[2]:
        return
    setting = BY_KEY[key]
    others = "，".join(f"{BY_KEY[k].label}当前为 {current[k]}" for k in _TIER_ORDER if k != key)
    raise InvalidSetting(
        f"「{setting.label}」设为 {value} 后名次上限不再递增（{others}）："
        "须一类 < 二类 < 三类，请先调整相邻的名次上限。"
    )
