"""Honest charts (issue 12): bars from zero, round score ticks that say where the axis starts,
month labels that cannot run together, Plotly's words in Chinese."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from etl.output import charts_scores, charts_theme, htmlcharts
from etl.output.display import plots


def ranking(totals: list[float]) -> pd.DataFrame:
    n = len(totals)
    return pd.DataFrame({
        "rank": list(range(1, n + 1)), "grid_code": [f"{i:02d}" for i in range(1, n + 1)],
        "grid_name": [f"网格{i}" for i in range(1, n + 1)], "total": totals, "missing": [False] * n,
        "bottom_three": [i >= n - 3 for i in range(n)], "top_three": [i < 3 for i in range(n)],
    })  # fmt: skip


def bars(html: str) -> list[tuple[str, str, str, float, str]]:
    """(class, rank, grid, width %, value) of each bar row of htmlcharts.ranking_bars_html."""
    rows = re.findall(r'<div class="rb-row rb-(\w+)"[^>]*><span class="rb-rank">(\d+)</span>'
                      r'<span class="rb-grid">([^<]*)</span><span class="rb-track"><i style="width:([\d.]+)%;background:#\w+">'
                      r'</i></span><span class="rb-val">([^<]*)</span>', html)  # fmt: skip
    return [(k, r, g, float(w), v) for k, r, g, w, v in rows]


def test_ranking_bars_start_at_zero() -> None:
    """A bar is as long as the score on a 0-100 scale (70 is not drawn as half of 95), rank 1
    on top, front three green and bottom three red, a label every 20 points from 0."""
    table = ranking([97.0, 95.5, 80.0, 72.0, 71.5, 70.0])
    table.loc[5, ["missing", "rank", "total"]] = [True, None, None]  # 缺检: not a bar
    html = htmlcharts.ranking_bars_html(table)
    assert bars(html) == [("top", "1", "01 网格1", 97.0, "97.0"), ("top", "2", "02 网格2", 95.5, "95.5"),
                          ("top", "3", "03 网格3", 80.0, "80.0"), ("bottom", "4", "04 网格4", 72.0, "72.0"),
                          ("bottom", "5", "05 网格5", 71.5, "71.5")]  # fmt: skip
    ticks = re.findall(r'<span style="left:([\d.]+)%">(\d+)</span>', html)
    assert ticks == [(f"{k * 20:.2f}", str(k * 20)) for k in range(6)]
    assert "横条从 0 分起" in html


def test_ranking_bars_scale_past_100_and_escape_names() -> None:
    table = ranking([112.0, 90.0, 60.0])
    table.loc[0, "grid_name"] = '<img src=x onerror="alert(1)">网格'
    html = htmlcharts.ranking_bars_html(table)
    assert [w for *_, w, _ in bars(html)] == [pytest.approx(112 / 120 * 100, abs=0.01), 75.0, 50.0]
    assert re.findall(r">(\d+)</span>(?=<span style|</span>)", html.split("rb-ticks")[1])[-1] == "120"
    assert "<img" not in html and "&lt;img" in html


def test_annual_bars_start_at_zero() -> None:
    """Composite bars from 0 on a 0-100 scale, coloured by tier, the pass mark a dashed line
    at its place on every row, composite and tier written on the right."""
    table = pd.DataFrame({"rank": [1, 2, None], "grid_code": ["01", "02", "03"],
                          "grid_name": ["甲网格", "乙网格", "丙网格"],
                          "composite": [88.4, 52.0, None], "tier": ["一类", "不达标", None]})  # fmt: skip
    html = htmlcharts.annual_bars_html(table, pass_mark=60)
    rows = re.findall(r'<span class="rb-rank">(\d+)</span><span class="rb-grid">([^<]*)</span><span class="rb-track">'
                      r'<i style="width:([\d.]+)%;background:(#\w+)"></i><b class="rb-mark" style="left:([\d.]+)%">'
                      r'</b></span><span class="rb-val">([^<]*)</span>', html)  # fmt: skip
    tier = charts_theme.TIER_COLORS
    assert rows == [("1", "01 甲", "88.40", tier["一类"], "60.00", "88.40 · 一类"),
                    ("2", "02 乙", "52.00", tier["不达标"], "60.00", "52.00 · 不达标")]  # fmt: skip
    assert ">达标线 60</span>" in html and "横条从 0 分起" in html
    assert htmlcharts.annual_bars_html(table.iloc[2:], pass_mark=60) == ""  # nobody has a composite yet


def test_reward_tiers_are_told_apart_at_a_glance() -> None:
    def luminance(color: str) -> float:  # WCAG relative luminance
        rgb = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    greens = [luminance(charts_theme.TIER_COLORS[t]) for t in ("一类", "二类", "三类")]
    for darker, lighter in zip(greens, greens[1:], strict=False):
        assert (lighter + 0.05) / (darker + 0.05) >= 2.0, greens
    assert len(set(charts_theme.TIER_COLORS.values())) == len(charts_theme.TIER_COLORS)


def test_problem_bars_stack_from_zero_and_leave_out_grids_without_problems() -> None:
    figures = pd.DataFrame({"grid_code": ["01", "02", "03"], "grid_name": ["甲网格", "乙网格", "<b>丙</b>"],
                            "found": [12, 0, 3], "rectified": [6, 0, 1], "open": [4, 0, 2],
                            "overdue": [2, 0, 0]})  # fmt: skip
    html = htmlcharts.problem_bars_html(figures)
    rows = re.findall(r'<div class="rb-row rb-(\w+)" title="([^"]*)"><span class="rb-grid">([^<]*)</span>'
                      r'<span class="rb-track">((?:<i [^>]*></i>)*)</span><span class="rb-val">(\d+)</span>', html)  # fmt: skip
    assert [(k, g, v) for k, _, g, _, v in rows] == [
        ("plain", "01 甲", "12"),
        ("plain", "03 &lt;b&gt;丙&lt;/b&gt;", "3"),
    ]
    widths = [re.findall(r"width:([\d.]+)%;background:(#\w+)", parts) for *_, parts, _ in rows]
    # count_step(12) = 2: a label every 2 problems, the scale to 12.
    g, b, r = charts_theme.GREEN, charts_theme.LIGHT_BLUE, charts_theme.RED
    assert widths == [[("50.00", g), ("33.33", b), ("16.67", r)], [("8.33", g), ("16.67", b)]]
    assert "已整改 6 个，整改中 4 个，逾期未整改 2 个" in rows[0][1]
    assert [t for t in re.findall(r'<span style="left:[\d.]+%">(\d+)</span>', html)] == [
        str(k) for k in range(0, 13, 2)
    ]
    assert all(f"{name}</span>" in html for name in ("已整改", "整改中", "逾期未整改"))  # the legend
    cats = pd.DataFrame(
        {"category": ["环境卫生"], "found": [0], "rectified": [0], "open": [0], "overdue": [0]}
    )
    assert htmlcharts.problem_bars_html(cats) == ""


def test_category_bars_start_at_zero() -> None:
    comparison = pd.DataFrame({
        "grid_code": ["01", "01"], "grid_name": ["甲网格"] * 2, "category": ["环境卫生", "公共秩序"],
        "ratio": [0.9, 0.75], "score": [18.0, 11.25], "max_points": [20.0, 15.0],
        "area_ratio": [0.85, 0.8], "area_score": [17.0, 12.0],
    })  # fmt: skip
    html = charts_scores.category_bars(comparison)
    widths = re.findall(
        r'<span class="rb-grid">([^<]*)</span><span class="rb-track"><i style="width:([\d.]+)%', html
    )
    # Each category: the grid's rate, then the area average, as long as the rate on 0-100 %.
    assert widths == [("环境卫生", "90.00"), ("", "85.00"), ("公共秩序", "75.00"), ("", "80.00")]
    ticks = re.findall(r'<span style="left:[\d.]+%">(\d+)</span>', html)
    assert ticks == ["0", "20", "40", "60", "80", "100"] and "得分率（%），横条从 0 起" in html


@pytest.mark.parametrize("values", [[84.1, 84.6, 85.0], [60.0, 99.5], [3.0, 4.0], [88.0]])
def test_score_line_axis_is_round_and_not_dramatic(values: list[float]) -> None:
    axis = charts_theme.score_axis(values)
    assert axis is not None and axis.step in (1, 2, 5, 10, 20)
    assert axis.high - axis.low >= 10  # a one-point change does not fill the chart
    assert axis.low <= min(values) and axis.high >= max(values)
    months = [date(2019, m, 1) for m in range(1, len(values) + 1)]
    html = htmlcharts.area_trend_html(pd.DataFrame({"month": months, "area_avg": values}))
    ticks = [float(t) for t in re.findall(r'<span style="top:[\d.]+px">([\d.]+)</span>', html)]
    assert ticks[0] == axis.low and ticks[-1] == axis.high
    assert all(t % axis.step == 0 for t in ticks)
    if axis.low > 0:
        assert f"平均分（分），纵轴自 {axis.low:g} 分起" in html
    else:
        assert "纵轴自" not in html
    assert f">{values[-1]:.2f}</span>" in html  # the last value above its dot


def test_the_last_value_keeps_off_the_line_coming_to_it() -> None:
    """The last average is written above its dot, or below it when the line comes down to it
    (the label above would sit on the segment from the month before): 总览 and the wall screen."""
    months = [date(2019, m, 1) for m in range(1, 4)]

    def label(values: list[float]) -> str:
        html = htmlcharts.area_trend_html(pd.DataFrame({"month": months, "area_avg": values}))
        return re.findall(r'<span class="(lc-last[^"]*)"', html)[0]

    assert label([84.0, 85.3, 84.75]) == "lc-last lc-below"
    assert label([84.0, 84.2, 84.75]) == "lc-last"
    assert label([84.0, 84.75, 84.75]) == "lc-last"

    def baseline(values: list[float]) -> tuple[float, float]:
        svg = str(plots.lines_svg(["1月", "2月", "3月"], [("平均", values, "#fff")]))
        dot = float(re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)[-1])
        text = float(re.findall(r'<text x="[\d.]+" y="([\d.]+)"[^>]*font-weight="700"', svg)[0])
        return dot, text

    dot, text = baseline([84.0, 85.3, 84.75])
    assert text > dot + 20  # below the dot
    dot, text = baseline([84.0, 84.2, 84.75])
    assert text < dot  # above it


def test_the_area_line_labels_the_month_the_page_shows() -> None:
    """总览 for an earlier month: the headline's average is that month's, so the chart writes
    and rings that month's value, not the last one."""
    months = [date(2019, m, 1) for m in range(1, 5)]
    frame = pd.DataFrame({"month": months, "area_avg": [84.89, 85.3, 86.0, 84.75]})
    html = htmlcharts.area_trend_html(frame, month="2019-01")
    assert re.findall(r'<span class="lc-last[^"]*" style="left:([\d.]+)%[^>]*>([\d.]+)</span>', html) == [
        ("4.00", "84.89")
    ]
    assert f"background:{charts_theme.AMBER}" in html and "标出的是2019年1月" in html
    # By the left edge it leans right (off the axis labels); below the dot, as the line goes up
    # from it to February.
    assert 'class="lc-last lc-below lc-left"' in html
    latest = htmlcharts.area_trend_html(frame, month="2019-04")
    assert latest == htmlcharts.area_trend_html(frame)  # the last month: as before, no ring
    assert ">84.75</span>" in latest and charts_theme.AMBER not in latest and "标出的是" not in latest


def test_area_line_without_a_known_average_is_empty() -> None:
    """The overview then shows no chart (st.html refuses an empty body)."""
    empty = pd.DataFrame(
        {"month": pd.Series([], dtype="datetime64[ns]"), "area_avg": pd.Series([], dtype=float)}
    )
    assert htmlcharts.area_trend_html(empty) == ""
    nothing = pd.DataFrame({"month": [date(2019, 3, 1)], "area_avg": [None]})
    assert htmlcharts.area_trend_html(nothing) == ""
    one = htmlcharts.area_trend_html(pd.DataFrame({"month": [date(2019, 3, 1)], "area_avg": [85.0]}))
    assert "left:50.00%" in one and ">85.00</span>" in one


def test_month_ticks_put_the_year_on_its_own_line() -> None:
    months = [date(2018, m, 1) for m in range(9, 13)] + [date(2019, m, 1) for m in range(1, 4)]
    text = [t for _, t in charts_theme.month_ticks(months)]
    assert text[0] == "9月<br>2018年" and "1月<br>2019年" in text
    assert all(len(t.split("<br>")[0]) <= 3 for t in text)  # '10月' at most on the first line
    html = htmlcharts.area_trend_html(pd.DataFrame({"month": months, "area_avg": [80.0] * 7}))
    assert ">9月<br>2018年</span>" in html and ">12月</span>" in html


def test_plotly_words_are_chinese() -> None:
    config = charts_theme.PLOTLY_CONFIG
    words = config["locales"][config["locale"]]["dictionary"]
    for english in ("Download plot as a PNG", "Zoom in", "Zoom out", "Reset axes", "Pan", "Zoom"):
        assert words[english] and not any(
            c.isascii() and c.isalpha() for c in words[english].replace("PNG", "")
        )
    assert config["displaylogo"] is False


def test_ranking_bars_take_the_charts_colours() -> None:
    html = htmlcharts.ranking_bars_html(ranking([97.0, 95.5, 80.0, 79.0, 72.0, 71.5, 70.0]))
    colours = re.findall(r"background:(#\w+)", html)
    assert colours == [charts_theme.GREEN] * 3 + [charts_theme.BLUE] + [charts_theme.RED] * 3


def history(
    ranks: list[float | None], totals: list[float | None], bottom: list[bool], streak: list[int]
) -> pd.DataFrame:
    n = len(ranks)
    return pd.DataFrame({
        "grid_code": ["05"] * n, "grid_name": ["中山路网格"] * n,
        "month": [pd.Timestamp(2019, m, 1) for m in range(1, n + 1)],
        "rank": ranks, "total": totals, "bottom_three": bottom, "streak": streak,
    })  # fmt: skip


def svg_paths(html: str) -> list[str]:
    from urllib.parse import unquote

    svg = unquote(re.search(r'src="data:image/svg\+xml,([^"]+)"', html).group(1))
    return re.findall(r'd="([^"]+)" stroke="(?!#e3e6ea)', svg)


def test_rank_line_puts_rank_one_on_top_marks_the_bottom_three_and_breaks_at_a_missed_check() -> None:
    totals = history([1, None, 26, 28], [97.0, None, 72.0, 70.0], [False, False, True, True], [0, 0, 1, 2])
    html = charts_scores.grid_ranks(totals, n_grids=28)
    dots = re.findall(
        r'<span class="lc-dot" style="left:([\d.]+)%;top:([\d.]+)px;[^"]*background:(#\w+)" title="([^"]*)"',
        html,
    )
    assert [(d[3], d[2]) for d in dots] == [
        ("05 中山路 2019年1月：第 1 名", charts_theme.PALETTE[0]),
        ("05 中山路 2019年3月：第 26 名", charts_theme.RED),
        ("05 中山路 2019年4月：第 28 名", charts_theme.RED),
    ]
    tops = [float(d[1]) for d in dots]
    assert tops[0] < tops[1] < tops[2]  # rank 1 highest on screen
    assert tops[0] == pytest.approx(0.5 / 28 * 300, abs=0.1)
    # February (缺检) is a gap: the line starts again after it.
    (path,) = svg_paths(html)
    assert path.count("M") == 2
    labels = re.findall(r'<span style="top:[\d.]+px">(\d+)</span>', html)
    assert labels == ["1", "5", "10", "15", "20", "25"]


def test_streak_bars_mark_where_a_written_explanation_is_due() -> None:
    totals = history([20, 26, 27, 28], [80.0, 72.0, 71.0, 70.0], [False, True, True, True], [0, 1, 2, 3])
    html = charts_scores.streak_bars(totals)
    rows = re.findall(
        r'<div class="rb-row rb-(\w+)[^"]*" title="([^"]*)"><span class="rb-grid">([^<]*)</span>', html
    )
    assert [(k, label) for k, _, label in rows] == [
        ("plain", "2019年2月"),
        ("plain", "2019年3月"),
        ("bottom", "2019年4月"),
    ]
    assert "连续末位 3 次，当月第 28 名" in rows[2][1]
    assert 'class="rb-mark" style="left:75.00%"' in html and "≥3 次须书面说明" in html  # 3 on a 0-4 scale
    assert charts_scores.streak_bars(history([5], [90.0], [False], [0])) == ""


def test_work_lines_start_at_zero_and_break_where_a_count_is_missing() -> None:
    from etl.output import charts_reports

    work = pd.DataFrame({
        "grid_code": ["05"] * 3, "month": [pd.Timestamp(2019, m, 1) for m in (1, 2, 3)],
        "meetings": [4, None, 3], "patrols": [12, 9, 0], "pictures": [None, None, None],
    })  # fmt: skip
    html = charts_reports.work_lines(work, {"05": "05 中山路网格"})
    labels = [int(t) for t in re.findall(r'<span style="top:[\d.]+px">(\d+)</span>', html)]
    assert labels[0] == 0 and labels[-1] >= 12 and "纵轴从 0 起" in html
    # One small chart per measure: meetings, patrols, and pictures (never filled in) says so.
    cells = html.split('class="wk-cell"')[1:]
    assert len(cells) == 3 and "所选网格均未填写图片张数" in cells[2] and "image/svg" not in cells[2]
    (meetings,), (patrols,) = svg_paths(cells[0]), svg_paths(cells[1])
    assert meetings.count("M") == 2 and patrols.count("M") == 1  # February's meetings not reported
    assert "05 中山路网格 2019年2月：例会 未填写" not in html  # a gap has no dot
    assert "05 中山路网格 2019年3月：巡查 0 次" in html
    assert "05 中山路网格" in html.split('class="wk-grid"')[0]  # one legend above the three
    # The monthly minimum of meetings, a grey dashed line at 4 on the meetings chart only.
    guided = charts_reports.work_lines(work, {"05": "05 中山路网格"}, expected=4)
    first, second, _ = guided.split('class="wk-cell"')[1:]
    assert len(svg_paths(first)) == 2 and "每月应≥4次" in first and len(svg_paths(second)) == 1
    nothing = work.assign(meetings=None, patrols=None)
    assert charts_reports.work_lines(nothing, {"05": "05 中山路网格"}) == ""


def test_lamp_bars_and_trend_are_drawn_from_zero_with_their_targets() -> None:
    from etl.output import charts_lamps

    month = pd.DataFrame({
        "grid_code": ["01", "02", "03", "04"], "grid_name": ["甲网格", "乙网格", "丙网格", "丁网格"],
        "checked": [True, True, True, False], "lit_rate": [0.986, 0.9496, None, None],
        "install_rate": [1.0, 1.0, 0.0, None], "meets_target": [True, False, False, False],
    })  # fmt: skip
    html = charts_lamps.lamp_grid_bars(month, 0.95)
    rows = re.findall(r'<div class="rb-row rb-(\w+)" title="([^"]*)"><span class="rb-grid">([^<]*)</span>'
                      r'<span class="rb-track">(?:<i style="width:([\d.]+)%;background:(#\w+)"></i>)?<b class="rb-mark" '
                      r'style="left:95.00%"></b></span><span class="rb-val">([^<]*)</span>', html)  # fmt: skip
    assert [(k, g, w, c, v) for k, _, g, w, c, v in rows] == [
        ("plain", "01 甲", "98.60", charts_theme.GREEN, "98.6%"),
        ("bottom", "02 乙", "94.96", charts_theme.RED, "95.0%"),  # shown rounded, judged unrounded
        ("bottom", "03 丙", "0.00", charts_theme.RED, "未装灯"),
    ]  # 04 not checked: no bar
    assert "亮灯率目标 95%" in html
    trend = pd.DataFrame({"month": [pd.Timestamp(2019, m, 1) for m in (3, 1, 2)],  # any order
                          "install_rate": [1.0, 0.981, 0.99], "lit_rate": [0.971, 0.956, None]})  # fmt: skip
    html = charts_lamps.lamp_trend(trend, 1.0, 0.95)
    vals = re.findall(r'<span class="(lc-val[^"]*)" style="left:([\d.]+)%;[^"]*">([^<]*)</span>', html)
    assert [(k, x, t) for k, x, t in vals] == [
        ("lc-val lc-above", "4.00", "98.1%"), ("lc-val lc-above", "50.00", "99.0%"),
        ("lc-val lc-above lc-end", "96.00", "100.0%"),
        ("lc-val", "4.00", "95.6%"), ("lc-val lc-end", "96.00", "97.1%"),
    ]  # fmt: skip
    assert "装灯率目标 100%" in html and "亮灯率目标 95%" in html and "纵轴从 0 起" in html
    labels = re.findall(r'<span style="top:[\d.]+px">(\d+)</span>', html)
    assert labels == ["0", "20", "40", "60", "80", "100"]
