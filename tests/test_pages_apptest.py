"""Every page of the dashboard in Streamlit's AppTest on the appdata fixture database (issue 4):
no exception, no error box, and the key numbers shown equal what the views say."""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from etl import db
from etl.load import store
from etl.output import export, tables
from etl.rules import assessment, findings, rankings, reporting, volunteering
from tests import appdata

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2019-04-10"
PAGES = ["overview", "ranking", "trends", "annual", "volunteer", "reports", "problems", "grids", "upload"]


@pytest.fixture(scope="module")
def app_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pages")
    return appdata.build(folder / "grid.duckdb", folder / "files")


@pytest.fixture
def env(app_db: Path, monkeypatch: pytest.MonkeyPatch, local_server: None) -> Path:
    monkeypatch.setenv("GRID_DB", str(app_db))
    monkeypatch.setenv("GRID_TODAY", TODAY)
    return app_db


@pytest.fixture
def local_server() -> Any:
    """Serve on the loopback address, as `make run` does: the upload page then lets this
    machine's user load files without a password (on a LAN address it refuses, in red)."""
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield
    config.set_option("server.address", before)


def view(sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    with db.connect(os.environ["GRID_DB"]) as con:
        return con.execute(sql, params or []).df()


def read(fn: Any, *args: Any) -> Any:
    with db.connect(os.environ["GRID_DB"]) as con:
        return fn(con, *args)


def open_page(page: str, **params: str | None) -> AppTest:
    """The app at /page?area=县城&year=2019&month=2019-03 (params override; None leaves a
    parameter out), run once."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    for key, value in {"area": "县城", "year": "2019", "month": "2019-03", **params}.items():
        if value is not None:
            at.query_params[key] = value
    at.run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r} in {[m.label for m in at.metric]}"
    return found[0]


def frame(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first dataframe shown that has these columns (Styler or plain)."""
    for d in at.dataframe:
        value = d.value
        value = value.data if hasattr(value, "data") and not isinstance(value, pd.DataFrame) else value
        if all(c in value.columns for c in columns):
            return value
    raise AssertionError(f"no table with {columns}")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_error(env: Path, page: str) -> None:
    at = open_page(page)
    assert at.title, "every page has a title"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_explains_an_empty_database(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_server: None
) -> None:
    monkeypatch.setenv("GRID_DB", str(tmp_path / "none" / "grid.duckdb"))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    at.run()
    assert_clean(at)
    if page != "upload":
        assert any("还没有数据" in i.value for i in at.info)


@pytest.mark.parametrize("page", ["trends", "annual", "volunteer", "reports", "problems", "grids"])
def test_a_town_without_monthly_checks_shows_an_empty_state(env: Path, page: str) -> None:
    at = open_page(page, area="官渡镇", year="2019", month=None)
    text = " ".join(x.value for x in [*at.info, *at.caption, *at.markdown])
    assert "暂无" in text
    assert "month" not in at.query_params


def test_overview(env: Path) -> None:
    at = open_page("overview")
    ranking = read(rankings.month_ranking, "县城", "2019-03")
    assert metric(at, "参与排名网格") == f"{int((~ranking['missing']).sum())} / {len(ranking)}"
    assert not next(m for m in at.metric if m.label == "参与排名网格").proto.delta  # none missing


def test_overview_names_missing_grids_in_red_without_an_arrow(env: Path) -> None:
    at = open_page("overview", month="2019-02")  # grid 05 is missing in February
    assert metric(at, "参与排名网格") == "27 / 28"
    # Bad news in red, without the "up" arrow Streamlit gives a positive-looking delta.
    card = next(m for m in at.metric if m.label == "参与排名网格").proto
    assert card.delta == "缺检 1 个"
    assert (card.direction, card.color) == (card.MetricDirection.NONE, card.MetricColor.RED)


def test_ranking_rank_one_and_row_count(env: Path) -> None:
    at = open_page("ranking")
    shown = frame(at, "排名", "网格编号")
    ranking = read(rankings.month_ranking, "县城", "2019-03")
    assert len(shown) == len(ranking) == 28
    assert shown.iloc[0]["网格编号"] == ranking.loc[ranking["rank"] == 1, "grid_code"].iloc[0]


def test_trends_link_selects_exactly_its_grids(env: Path) -> None:
    at = open_page("trends", grid="07,12")
    assert at.multiselect[0].value == ["07", "12"]
    assert at.query_params["grid"] == "07,12"
    # Totals, ranks and category scores as (HTML) charts; the year's reports and volunteer activity
    # as the colour tables of their own pages (lighter in the browser than two heatmaps).
    charts = [
        e.proto.body
        for e in at.get("html")
        if 'class="line-chart' in e.proto.body or 'class="rank-bars' in e.proto.body
    ]
    assert len(charts) >= 3
    tables = [e.proto.body for e in at.get("html") if "<table" in e.proto.body]
    assert len(tables) == 2 and all("07" in t and "12" in t for t in tables)


def test_trends_default_is_the_first_and_the_last_grid_and_goes_to_the_url(env: Path) -> None:
    at = open_page("trends")
    ranking = read(rankings.month_ranking, "县城", "2019-03")
    ranked = ranking[~ranking["missing"]]
    expected = [ranked.iloc[0]["grid_code"], ranked.iloc[-1]["grid_code"]]
    assert at.multiselect[0].value == expected == ["01", "28"]
    assert at.query_params["grid"] == "01,28"
    at.multiselect[0].set_value(["05"]).run()
    assert_clean(at)
    assert at.query_params["grid"] == "05"
    # 28 is in the bottom three at all three checks: the red strip says so.
    at = open_page("trends", grid="28")
    assert any("连续 3 次末位" in m.value for m in at.markdown)


def test_trends_unknown_codes_in_a_link_fall_back_to_the_default(env: Path) -> None:
    at = open_page("trends", grid="99,abc")
    assert at.multiselect[0].value == ["01", "28"]


def test_annual_money_matches_the_view(env: Path) -> None:
    at = open_page("annual")
    total = int(view("SELECT coalesce(sum(reward_yuan), 0) FROM annual_ranking WHERE area = '县城' AND year = 2019")
                .iloc[0, 0])  # fmt: skip
    assert total == 235000
    assert metric(at, "奖励总额") == "23.5 万元"
    summary = frame(at, "等次", "金额（元）")
    assert summary.set_index("等次").loc["合计", "金额（元）"] == f"{total:,}"
    shown = frame(at, "排名", "综合得分", "等次")
    table = read(assessment.annual_table, "县城", 2019)
    assert len(shown) == len(table) == 28
    assert shown.iloc[0]["网格"].startswith(table.iloc[0]["grid_code"])
    # Grid 28 has no year-end score: incomplete, flagged, and the year is in progress.
    assert any("28 测试28路网格" in w.value and "未完成" in w.value for w in at.warning)
    assert "年度进行中：暂定名次" in [s.value for s in at.subheader]
    prov = frame(at, "暂定排名", "冲击上一等次所需年终得分")
    standing = read(assessment.provisional_standing, "县城", 2019).set_index("grid_code").loc["28"]
    assert prov["网格"].tolist() == ["28 测试28路"]  # only the grid still waiting
    need = f"≥ {standing['needed_next']:.2f} 分可进入{standing['next_tier']}"
    assert prov.iloc[0]["冲击上一等次所需年终得分"] == need
    assert prov.iloc[0]["暂定排名"] == str(standing["provisional_rank"])


def test_annual_phone_cards_carry_what_the_table_does(env: Path) -> None:
    """On a phone the table's reward and note columns would be off the screen: a card per
    grid carries rank, grid, composite, tier, reward and note, coloured like the table's row."""
    at = open_page("annual")
    [cards] = [h.value for h in at.get("html") if 'class="rank-cards"' in h.value]
    shown = frame(at, "排名", "综合得分", "等次")
    items = re.findall(r'<div class="rc rc-(\w+)"><span class="rc-rank">([^<]+)</span><span class="rc-grid"><b>([^<]+)</b>'
                       r'<span class="rc-sub">(.*?)</span></span><span class="rc-total">([^<]+)', cards)  # fmt: skip
    assert [(rank, grid) for _, rank, grid, _, _ in items] == list(
        zip(shown["排名"], shown["网格"], strict=True)
    )
    for (kind, _, _, sub, score), row in zip(items, shown.to_dict("records"), strict=True):
        assert score == (row["综合得分"] or "—") and sub.startswith(row["等次"])
        if row["奖励（元）"] not in ("", "0", "—"):
            assert f"奖励 {row['奖励（元）']} 元" in sub
        assert row["备注"] in sub
        assert kind == {"一类": "top", "二类": "top", "三类": "top", "达标": "plain", "不达标": "bottom",
                        "未完成": "missing"}[row["等次"]] or kind == "conflict"  # fmt: skip
    assert items[-1][0] == "missing" and "未完成：缺年终考核得分" in items[-1][3]  # grid 28


def test_annual_what_if_recomputes_without_storing(env: Path) -> None:
    at = open_page("annual")
    assert metric(at, "等次变化的网格") == "0 个"  # stored settings: same as the table
    at.number_input(key="whatif_pass_2019").set_value(90.0).run()
    assert_clean(at)
    changed = int(metric(at, "等次变化的网格").split()[0])
    expected = read(assessment.annual_what_if, "县城", 2019, 0.6, 90.0)
    assert changed == int((expected["tier"] == "不达标").sum()) > 0
    assert read(assessment.annual_rules).pass_mark == 60  # nothing stored
    at.slider(key="whatif_weight_2019").set_value(100).run()
    assert_clean(at)


def test_volunteer_falls_short_grids_are_the_fourths(env: Path) -> None:
    at = open_page("volunteer")
    short = frame(at, "网格", "联系电话")
    codes = [s.split()[0] for s in short["网格"]]
    assert codes == [f"{g:02d}" for g in range(4, 29, 4)]
    assert metric(at, "本月未开展活动网格") == "7 个"
    totals = read(volunteering.volunteer_totals, "县城", "2019-03")
    assert metric(at, "3月参与人次") == f"{totals.month_participants:,} 人次" == "252 人次"
    # The year table names the months without activity right after the grid (a phone shows
    # the first columns).
    year = frame(at, "网格", "未开展活动月数", "服务时长（小时）")
    assert list(year.columns[:2]) == ["网格", "未开展活动月数"]


def test_reports_chase_list_names_grid_07(env: Path) -> None:
    at = open_page("reports")
    chase = frame(at, "网格", "联系人", "联系电话")
    assert chase["网格"].tolist() == ["07 测试7路网格"]
    row = chase.iloc[0]
    assert (row["状态"], row["联系人"], row["联系电话"], row["挂点县领导"]) == ("未报送", "联系人7", "13700000007",
                                                                       "郑永志")  # fmt: skip
    assert metric(at, "未报送") == "1 个"
    labels = [b.label for b in at.get("download_button")]
    assert "下载催报名单（.xlsx）" in labels and "下载 CSV" in labels
    # The CSV offered is the table shown, with a BOM for Excel.
    data = export.csv_bytes(tables.chase_list(read(reporting.missing_reports, "县城", "2019-03")))
    assert data.startswith(b"\xef\xbb\xbf") and "07 测试7路网格,未报送,联系人7,13700000007" in data.decode(
        "utf-8-sig"
    )


def test_reports_for_a_fully_reported_month(env: Path) -> None:
    at = open_page("reports", month="2019-02")
    assert any("均已报送" in s.value for s in at.success)


def test_problems_year_and_month_scope(env: Path) -> None:
    at = open_page("problems")
    figures = read(findings.problem_figures, "县城", 2019)
    found, done = int(figures["found"].sum()), int(figures["rectified"].sum())
    assert metric(at, "发现问题") == f"{found} 个" == "84 个"
    assert metric(at, "整改率") == f"{done / found * 100:.1f}%"
    by_grid = frame(at, "网格", "整改率", "按时整改率")
    assert by_grid.iloc[0]["整改率"] == "100.0%（3/3） 样本少"
    assert by_grid.set_index("网格").loc["03 测试3路", "按时整改率"] == "—"
    at.button_group(key="problem_scope").set_value("month").run()
    assert_clean(at)
    assert metric(at, "发现问题") == "28 个"
    overdue = frame(at, "逾期天数", "问题描述")
    assert len(overdue) == len(read(findings.overdue_problems, "县城")) == 27


def test_grids_registry_and_map(env: Path) -> None:
    at = open_page("grids")
    shown = frame(at, "编号", "挂点县领导", "联系电话")
    assert len(shown) == 28 and shown.iloc[6]["联系电话"] == "13700000007"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    cells = [t for t in spec["data"] if t.get("fill") == "toself"]
    assert len(cells) == 28
    notes = [a["text"] for a in spec["layout"]["annotations"]]
    assert "建<br>设<br>路" in notes and any("西片" in n for n in notes)
    scored = {t["text"].split("</b>")[0].removeprefix("<b>") for t in cells if "总分" in t["text"]}
    assert len(scored) == 28


def test_grids_map_follows_the_month_in_the_link(env: Path) -> None:
    # Navigation between pages keeps the choice: tests/test_browser_pages.py drives that in
    # a real browser (AppTest does not keep the entry script's sidebar across switch_page).
    at = open_page("grids", month="2019-02")
    assert any("2019年2月总分" in c.value for c in at.caption)


def test_annual_before_any_year_end_score_shows_the_provisional_standing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_server: None
) -> None:
    db_file = appdata.build(tmp_path / "grid.duckdb", tmp_path / "files")
    with db.connect(db_file) as con:
        annual_batch = con.execute("SELECT max(batch_id) FROM batch WHERE kind = 'annual_scores'").fetchall()[
            0
        ][0]
    store.revert(annual_batch, path=db_file)
    monkeypatch.setenv("GRID_DB", str(db_file))
    monkeypatch.setenv("GRID_TODAY", TODAY)
    at = open_page("annual")
    assert "考评结果" not in [s.value for s in at.subheader]
    prov = frame(at, "暂定排名", "冲击上一等次所需年终得分")
    standing = read(assessment.provisional_standing, "县城", 2019)
    assert len(prov) == len(standing) == 28
    assert prov["网格"].tolist()[:2] == ["01 测试1路", "02 测试2路"]
    assert prov.iloc[0]["冲击上一等次所需年终得分"] == "保持即可（已是一类）"


@pytest.mark.parametrize("page", ["overview", "ranking"])
def test_the_bulletin_date_sits_by_the_bulletin_buttons(env: Path, page: str) -> None:
    """Issue 12 §6: the bulletin's date can be chosen where the buttons are, defaulting to the
    documented rule (the 5th of the following month), with a Chinese label and help."""
    at = open_page(page)
    [picker] = [d for d in at.date_input if d.label == "简报日期"]
    assert picker.value == date(2019, 4, 5)
    assert "次月5日" in picker.help and "截至" in picker.help
    picker.set_value(date(2019, 3, 26)).run()
    assert_clean(at)
    assert [d.value for d in at.date_input if d.label == "简报日期"] == [date(2019, 3, 26)]
