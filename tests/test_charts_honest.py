"""Honest charts (issue 12): bars from zero, round score ticks that say where the axis starts,
month labels that cannot run together, Plotly's words in Chinese."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from etl.output import charts_scores, charts_theme


def ranking(totals: list[float]) -> pd.DataFrame:
    n = len(totals)
    return pd.DataFrame({
        "rank": list(range(1, n + 1)), "grid_code": [f"{i:02d}" for i in range(1, n + 1)],
        "grid_name": [f"网格{i}" for i in range(1, n + 1)], "total": totals, "missing": [False] * n,
        "bottom_three": [i >= n - 3 for i in range(n)], "top_three": [i < 3 for i in range(n)],
    })  # fmt: skip


def test_ranking_bars_start_at_zero() -> None:
    fig = charts_scores.ranking_bars(ranking([97.0, 95.5, 80.0, 72.0, 71.5]))
    assert fig.layout.xaxis.range[0] == 0
    assert fig.layout.xaxis.dtick == 10


def test_annual_bars_start_at_zero() -> None:
    table = pd.DataFrame({"rank": [1, 2], "grid_code": ["01", "02"], "grid_name": ["甲网格", "乙网格"],
                          "composite": [88.4, 52.0], "tier": ["一类", "不达标"]})  # fmt: skip
    fig = charts_scores.annual_bars(table, pass_mark=60)
    assert fig.layout.xaxis.range[0] == 0


def test_category_bars_start_at_zero() -> None:
    comparison = pd.DataFrame({
        "grid_code": ["01", "01"], "grid_name": ["甲网格"] * 2, "category": ["环境卫生", "公共秩序"],
        "ratio": [0.9, 0.75], "score": [18.0, 11.25], "max_points": [20.0, 15.0],
        "area_ratio": [0.85, 0.8], "area_score": [17.0, 12.0],
    })  # fmt: skip
    assert charts_scores.category_bars(comparison).layout.xaxis.range[0] == 0


@pytest.mark.parametrize("values", [[84.1, 84.6, 85.0], [60.0, 99.5], [3.0, 4.0], [88.0]])
def test_score_line_axis_is_round_and_not_dramatic(values: list[float]) -> None:
    months = [date(2019, m, 1) for m in range(1, len(values) + 1)]
    fig = charts_scores.area_trend(pd.DataFrame({"month": months, "area_avg": values}))
    y = fig.layout.yaxis
    assert y.dtick in (1, 2, 5, 10, 20) and y.tick0 == 0
    low, high = y.range
    assert high - low >= 10  # a one-point change does not fill the chart
    assert low <= min(values) and high >= max(values)
    first_tick = -(-low // y.dtick) * y.dtick
    if first_tick > 0:
        assert f"纵轴自 {first_tick:g} 分起" in y.title.text
    else:
        assert "纵轴自" not in y.title.text


def test_month_ticks_put_the_year_on_its_own_line() -> None:
    months = [date(2018, m, 1) for m in range(9, 13)] + [date(2019, m, 1) for m in range(1, 4)]
    fig = charts_scores.area_trend(pd.DataFrame({"month": months, "area_avg": [80.0] * 7}))
    text = list(fig.layout.xaxis.ticktext)
    assert text[0] == "9月<br>2018年" and "1月<br>2019年" in text
    assert all(len(t.split("<br>")[0]) <= 3 for t in text)  # '10月' at most on the first line


def test_plotly_words_are_chinese() -> None:
    config = charts_theme.PLOTLY_CONFIG
    words = config["locales"][config["locale"]]["dictionary"]
    for english in ("Download plot as a PNG", "Zoom in", "Zoom out", "Reset axes", "Pan", "Zoom"):
        assert words[english] and not any(
            c.isascii() and c.isalpha() for c in words[english].replace("PNG", "")
        )
    assert config["displaylogo"] is False
