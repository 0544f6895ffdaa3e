"""Rule settings: defaults, validation with Chinese messages, effect on the views at once."""

from __future__ import annotations

import pytest
from test_rules_support import Store, store_fixture  # noqa: F401

from etl.rules import settings
from etl.rules.settings import InvalidSetting, get_setting, list_settings, reset_setting, set_setting


def rule(store: Store, name: str) -> object:
    return store.one(f"SELECT {name} FROM rule_setting")


# DOMAIN §5 and §6 defaults; their one home is setting_default in views.sql.
DOMAIN_DEFAULTS = {
    "weight_routine": 0.6, "weight_year_end": 0.4, "pass_mark": 60, "tier1_ranks": 2, "tier2_ranks": 6,
    "tier3_ranks": 12, "reward_tier1": 20000, "reward_tier2": 15000, "reward_tier3": 10000,
    "reward_pass": 5000, "report_deadline_day": 25, "notice_due_days": 7,
    "lamp_install_target": 1.0, "lamp_lit_target": 0.95, "meetings_expected": 4,  # DOMAIN §10, §11
}  # fmt: skip


def test_defaults_are_the_domain_values_and_every_setting_has_one(store: Store) -> None:
    assert settings.defaults(store.con) == DOMAIN_DEFAULTS
    assert [s.key for s in settings.SETTINGS] == list(DOMAIN_DEFAULTS)  # a label for each default
    for key, value in DOMAIN_DEFAULTS.items():
        assert float(rule(store, key)) == value, key  # type: ignore[arg-type]


def test_list_settings_on_a_fresh_database(store: Store) -> None:
    frame = list_settings(store.con)
    assert list(frame["key"]) == [s.key for s in settings.SETTINGS]
    row = frame.set_index("key").loc["pass_mark"]
    assert row["value"] == "60" and row["label"] == "达标线（综合得分）" and row["is_default"]
    assert frame.set_index("key").loc["weight_routine", "value"] == "0.6"
    assert get_setting(store.con, "report_deadline_day") == 25


def test_setting_one_weight_sets_the_other(store: Store) -> None:
    set_setting(store.con, "weight_routine", "0.7")
    assert get_setting(store.con, "weight_year_end") == 0.3
    assert (rule(store, "weight_routine"), rule(store, "weight_year_end")) == (0.7, 0.3)
    set_setting(store.con, "weight_year_end", 0.25)
    assert get_setting(store.con, "weight_routine") == 0.75
    frame = list_settings(store.con).set_index("key")
    assert frame.loc["weight_routine", "value"] == "0.75" and not frame.loc["weight_routine", "is_default"]
    reset_setting(store.con, "weight_year_end")
    assert (get_setting(store.con, "weight_routine"), get_setting(store.con, "weight_year_end")) == (0.6, 0.4)


def test_values_are_parsed_leniently(store: Store) -> None:
    set_setting(store.con, "report_deadline_day", "２６")  # full-width digits
    assert get_setting(store.con, "report_deadline_day") == 26
    set_setting(store.con, "pass_mark", " 62.5 ")
    assert get_setting(store.con, "pass_mark") == 62.5
    set_setting(store.con, "reward_tier1", 25000.0)
    assert rule(store, "reward_tier1") == 25000


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("weight_routine", "1.5", "「常规检查权重」的值 '1.5' 不合规：0 到 1 之间的小数，最多 4 位小数"),
        ("weight_routine", "0.12345", "最多 4 位小数"),
        ("pass_mark", "abc", "「达标线（综合得分）」的值 'abc' 不合规：0 到 100 之间的数"),
        ("pass_mark", -1, "0 到 100 之间的数"),
        ("report_deadline_day", 29, "「信息报送截止日（每月几号）」的值 29 不合规：1 到 28 之间的整数"),
        ("report_deadline_day", "25.5", "1 到 28 之间的整数"),
        ("reward_pass", -5000, "0 到 10000000 之间的整数（元）"),
        ("notice_due_days", True, "1 到 365 之间的整数"),
        ("tier1_ranks", "nan", "1 到 1000 之间的整数"),
    ],
)
def test_invalid_values_are_refused_with_a_chinese_message(
    store: Store, key: str, value: object, message: str
) -> None:
    before = get_setting(store.con, key)
    with pytest.raises(InvalidSetting) as err:
        set_setting(store.con, key, value)
    assert message in str(err.value)
    assert get_setting(store.con, key) == before


def test_tier_limits_must_stay_increasing(store: Store) -> None:
    with pytest.raises(InvalidSetting) as err:
        set_setting(store.con, "tier2_ranks", 2)
    assert str(err.value) == (
        "「二类名次上限」设为 2 后名次上限不再递增（一类名次上限当前为 2，三类名次上限当前为 12）："
        "须一类 < 二类 < 三类，请先调整相邻的名次上限。"
    )
    with pytest.raises(InvalidSetting):
        set_setting(store.con, "tier3_ranks", 6)
    set_setting(store.con, "tier3_ranks", 20)
    set_setting(store.con, "tier2_ranks", 15)
    assert (rule(store, "tier2_ranks"), rule(store, "tier3_ranks")) == (15, 20)


def test_unknown_key_lists_the_known_ones(store: Store) -> None:
    with pytest.raises(InvalidSetting) as err:
        set_setting(store.con, "pass", 60)
    text = str(err.value)
    assert text.startswith("没有名为 'pass' 的设置项。可用的设置项：weight_routine（常规检查权重）")
    assert "pass_mark（达标线（综合得分））" in text


def test_a_hand_written_bad_value_falls_back_to_the_default(store: Store) -> None:
    store.con.execute("INSERT INTO setting VALUES ('pass_mark', 'sixty', now()::TIMESTAMP)")
    assert get_setting(store.con, "pass_mark") == 60
    assert rule(store, "pass_mark") == 60
