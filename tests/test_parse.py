"""Table-driven tests for every cell parser (DATA_CONTRACT §1)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from etl.load import parse
from etl.load.parse import CellError, GridEntry, GridIndex


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2018年5月", date(2018, 5, 1)),
        ("2018年05月", date(2018, 5, 1)),
        ("2018-05", date(2018, 5, 1)),
        ("2018.5", date(2018, 5, 1)),
        ("2018/05", date(2018, 5, 1)),
        ("201805", date(2018, 5, 1)),
        (201805, date(2018, 5, 1)),
        (201805.0, date(2018, 5, 1)),
        (2018.5, date(2018, 5, 1)),
        (2018.12, date(2018, 12, 1)),
        (2018.3, date(2018, 3, 1)),
        ("２０１８－０５", date(2018, 5, 1)),
        ("二〇一八年五月", date(2018, 5, 1)),
        ("2018年十二月", date(2018, 12, 1)),
        (datetime(2018, 5, 17, 8, 30), date(2018, 5, 1)),
        (date(2018, 5, 17), date(2018, 5, 1)),
        (43221.0, date(2018, 5, 1)),  # Excel serial of 2018-05-01
        ("2018-05-03", date(2018, 5, 1)),
        ("", None),
        (None, None),
    ],
)
def test_parse_month(raw, expected):
    assert parse.parse_month(raw) == expected


@pytest.mark.parametrize("raw", ["2018-13", "五月", "abc", "2018年", True, "18-05"])
def test_parse_month_refuses(raw):
    with pytest.raises(CellError, match="月份"):
        parse.parse_month(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2018-05-03", date(2018, 5, 3)),
        ("2018/5/3", date(2018, 5, 3)),
        ("2018.5.3", date(2018, 5, 3)),
        ("2018年5月3日", date(2018, 5, 3)),
        ("2018年5月3号", date(2018, 5, 3)),
        ("20180503", date(2018, 5, 3)),
        (20180503, date(2018, 5, 3)),
        (43223.0, date(2018, 5, 3)),
        (datetime(2018, 5, 3, 14, 0), date(2018, 5, 3)),
        (date(2018, 5, 3), date(2018, 5, 3)),
        ("2018-05-03 14:20:00", date(2018, 5, 3)),
        ("２０１８．５．３", date(2018, 5, 3)),
        (" ", None),
    ],
)
def test_parse_date(raw, expected):
    assert parse.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2018-02-30", "明天", "5月3日", "2018-5", True])
def test_parse_date_refuses(raw):
    with pytest.raises(CellError):
        parse.parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (15, 15.0),
        (15.5, 15.5),
        ("15", 15.0),
        ("１５．５", 15.5),
        (" 15 ", 15.0),
        ("15分", 15.0),
        ("12人", 12.0),
        ("2.5小时", 2.5),
        ("1,200", 1200.0),
        ("-3", -3.0),
        ("", None),
        (None, None),
    ],
)
def test_parse_number(raw, expected):
    assert parse.parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["优", "十五", "15-16", True, date(2018, 1, 1), "nan"])
def test_parse_number_refuses(raw):
    with pytest.raises(CellError, match="数字"):
        parse.parse_number(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("一", 1),
        ("七", 7),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十八", 28),
        ("两", 2),
        ("一百零五", 105),
        ("二〇一八", 2018),
        ("网格", None),
        ("", None),
    ],  # fmt: skip
)
def test_chinese_to_int(raw, expected):
    assert parse.chinese_to_int(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2018", 2018),
        (2018, 2018),
        (2018.0, 2018),
        ("2018年", 2018),
        ("2018年度", 2018),
        ("二〇一九年", 2019),
    ],
)
def test_parse_year(raw, expected):
    assert parse.parse_year(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("翁源县城市网格化管理月度考核评分表（2018年5月）", date(2018, 5, 1)),
        ("10_2018-04_月度考核.xlsx", date(2018, 4, 1)),
        ("13_2018年7月考核.csv", date(2018, 7, 1)),
        ("考核表201811.xlsx", date(2018, 11, 1)),
        ("二〇一八年十二月考核", date(2018, 12, 1)),
        ("网格划分表.xlsx", None),
    ],
)
def test_month_in_text(text, expected):
    assert parse.month_in_text(text) == expected


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("公益宣传（10分）", "公益宣传"),
        ("环境卫生 (20)", "环境卫生"),
        ("网格 名称", "网格名称"),
        ("ＡＢ", "ab"),
        ("总分（100分）", "总分"),
    ],  # fmt: skip
)
def test_header_key(header, key):
    assert parse.header_key(header) == key


INDEX = GridIndex(
    [GridEntry("县城", f"{i:02d}", f"测试{i}路网格", f"领导{i}") for i in range(1, 29)]
    + [GridEntry("县城", "29", "新城网格", "张三")]
    + [GridEntry("官渡镇", f"官渡{i}", f"官渡{i}片网格", f"镇领导{i}") for i in range(1, 4)]
    + [GridEntry("官渡镇", "官渡9", "张三网格", "李四")]
)


@pytest.mark.parametrize(
    ("ref", "code"),
    [
        ("7", "07"),
        ("07", "07"),
        (7, "07"),
        (7.0, "07"),
        ("G07", "07"),
        ("第7网格", "07"),
        ("7号网格", "07"),
        ("第七网格", "07"),
        ("网格七", "07"),
        ("第十二网格", "12"),
        ("第１２网格", "12"),
        ("12号小网格", "12"),
        ("测试12路网格", "12"),
        ("领导12", "12"),
        ("官渡2", "官渡2"),
        ("官渡2片网格", "官渡2"),
        ("张三", "官渡9"),  # level 2 (name 张三网格 → 张三) wins over level 3 (leader 张三 of 29)
        ("李四", "官渡9"),
    ],
)
def test_resolve_grid(ref, code):
    assert INDEX.resolve(ref).code == code


def test_resolve_grid_unknown_names_closest():
    with pytest.raises(CellError) as err:
        INDEX.resolve("第99网格")
    assert (
        str(err.value)
        == "网格名册中没有这个网格；最接近的是：29 新城网格、28 测试28路网格、27 测试27路网格。请改为名册中的网格编号或名称（模板中可从下拉列表选择）"
    )


def test_resolve_grid_ambiguous_digits():
    # "G01" matches no code, name or leader; its digits 1 match both 01 and 官渡1.
    with pytest.raises(CellError, match="网格不唯一"):
        INDEX.resolve("G01")
    assert INDEX.resolve_in_area("G01", "县城").code == "01"


def test_is_blank_agrees_with_clean_text_on_tricky_text() -> None:
    """is_blank's fast path (no NFKC, no regex for ordinary text) answers as clean_text does."""
    import random

    from etl.load import parse

    alphabet = [" ", "\u3000", "\xa0", "\t", "\n", "\r", "\x00", "\x0b", "\x1f", "\x7f", "\x85", "\x9f",
                "\u2000", "\u2028", "\u200b", "\ufeff", "\ufffe", "\ud800", "\u00a8", "\uffa0", "a", "网", "０"]  # fmt: skip
    rnd = random.Random(11)
    texts = ["", *alphabet] + [
        "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 5))) for _ in range(5000)
    ]
    for text in texts:
        assert parse.is_blank(text) == (parse.clean_text(text) == ""), repr(text)
