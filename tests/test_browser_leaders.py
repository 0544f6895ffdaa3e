"""What a leader sees first (issue 12), in headless Chromium on one server: the deciding
columns of the monthly ranking in view at 1366×768, the podium on the first phone screen,
and the 示例数据-free header not covering the page (no English on any page: test_browser_pages)."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from etl.output import charts_reports
from tests import appdata
from tests.browser import browser, running_app, screenshot, settle

pytestmark = pytest.mark.browser

QUERY = "?area=县城&year=2019&month=2019-03"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("leaders")
    db_file = appdata.build(folder / "grid.duckdb", folder / "files")
    with running_app(db_file) as url:
        yield url


SELECTED_CELL = """() => { const a = document.querySelector('[data-testid="stDataFrame"] td[aria-selected=true]');
  return a ? [Number(a.getAttribute('aria-colindex')), a.innerText.trim()] : null; }"""


def column_spans(page, box: dict, y: float, last: int, step: int = 4) -> dict[int, tuple[float, float, str]]:  # noqa: ANN001
    """Click along one row of a glide data grid (drawn on a canvas): the accessible cell that
    gets selected says which column is under the pointer. {column index: (left, right, text)}
    for columns 1..last; the scan stops there (selecting a column cut off at the right edge
    would scroll the grid sideways)."""
    spans: dict[int, tuple[float, float, str]] = {}
    for _ in range(40):  # until the grid answers clicks (it mounts after the script run)
        page.mouse.click(box["x"] + 20, y)
        if page.evaluate(SELECTED_CELL):
            break
        time.sleep(0.5)
    x = box["x"] + 2
    while x < min(box["x"] + box["width"], 1366) - 2:
        page.mouse.click(x, y)
        page.wait_for_timeout(60)  # the grid's accessible cells follow the canvas a moment later
        got = page.evaluate(SELECTED_CELL)
        if got:
            col, text = got
            left, _, _ = spans.get(col, (x, x, text))
            if col > last:
                break
            spans[col] = (left, x, text)
        x += step
    return spans


def test_ranking_deciding_columns_in_view_at_laptop_size(app_url: str) -> None:
    """At 1366×768 the 总分 and 状态 of the bottom grid are on screen without sideways scrolling."""
    with browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{app_url}/ranking{QUERY}")
        settle(page)
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.wait_for()
        time.sleep(1)
        # Bring the last row (the bottom grid: 28 ranked grids in March) into the window.
        grid.evaluate("el => el.scrollIntoView({block: 'end'})")
        time.sleep(0.5)
        box = grid.bounding_box()
        y = box["y"] + box["height"] - 18
        assert 0 < y < 768
        spans = column_spans(page, box, y, last=6, step=10)
        heads = page.evaluate(
            """() => [...document.querySelectorAll('[data-testid="stDataFrame"] th')].map(t => t.innerText.trim())"""
        )
        screenshot(page, "leaders-ranking-laptop-bottom")
    total = spans[heads.index("总分") + 1]
    status = spans[heads.index("状态") + 1]
    print(f"grid x {box['x']:.0f}–{box['x'] + box['width']:.0f}; bottom row y {y:.0f}; "
          f"总分 {total}; 状态 {status}")  # fmt: skip
    assert total[2] and status[2].startswith("末位")  # the bottom grid's total and its status
    assert 0 <= total[0] < total[1] < status[0] < status[1] < 1366
    assert heads[:6] == ["排名", "变化", "编号", "网格", "总分", "状态"]


def test_overview_phone_podium_on_first_screen(app_url: str) -> None:
    """At 390×844 the front and bottom three start on the first screen, above the secondary
    cards, and the header does not cover the page's first line."""
    with browser() as b:
        page = b.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{app_url}/{QUERY}")
        settle(page)
        main = page.locator('[data-testid="stMain"]')
        first = main.get_by_text("本月前三名").first.bounding_box()
        cards = main.locator(".rank-cards").first.bounding_box()
        bottom = main.get_by_text("本月末位三名").first.bounding_box()
        metric = main.locator('[data-testid="stMetric"]').first.bounding_box()
        header = page.locator('[data-testid="stHeader"]').bounding_box()
        title = main.locator("h1").first.bounding_box()
        assert page.locator('[data-testid="stDataFrame"]:visible').count() == 0
        # A leader's name (and a status) moves to the next line whole, never split in two.
        split = page.evaluate("""() => [...document.querySelectorAll('.rank-cards .rc-who, .rank-cards .rc-sub em')]
            .filter(e => e.getClientRects().length > 1).map(e => e.innerText)""")
        screenshot(page, "leaders-overview-phone")
    print(f"header bottom {header['y'] + header['height']:.0f}; h1 top {title['y']:.0f}; 前三名 {first['y']:.0f}; "
          f"末位三名 {bottom['y']:.0f}; first card {metric['y']:.0f}")  # fmt: skip
    assert title["y"] >= header["y"] + header["height"]
    assert first["y"] < 844 and cards["y"] < 844 and bottom["y"] < 844
    assert first["y"] < bottom["y"] < metric["y"]
    assert split == []


def test_ranking_is_a_card_list_on_a_phone(app_url: str) -> None:
    with browser() as b:
        page = b.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{app_url}/ranking{QUERY}")
        settle(page)
        cards = page.locator('[data-testid="stMain"] .rank-cards .rc')
        cards.nth(27).wait_for(timeout=15_000)
        assert cards.count() == 28
        widest = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth")
        last = cards.nth(27).inner_text()
        assert page.locator('[data-testid="stDataFrame"]:visible').count() == 0
    assert widest <= 390  # no sideways scrolling
    assert "末位" in last and "分" in last


# Each grid x month table: its box width, its content width and how many month columns it has.
FIT = """() => [...document.querySelectorAll('.gm-wrap')].map(d => [d.clientWidth, d.scrollWidth,
    d.querySelectorAll('thead th').length])"""


def test_grid_by_month_tables_fit_a_phone(app_url: str) -> None:
    """The grid × month tables (报送状态, 活动次数, 例会次数) show all twelve months at 390 px:
    the current month is the one a leader looks for, and it was cut off at the right edge.
    The pages' own tables (three months of data here) fit and keep their months; a full year
    with the longest names, in the 364-px column a phone gives the page, fits too."""
    with browser() as b:
        page = b.new_page(viewport={"width": 390, "height": 844})
        for path in ("reports", "volunteer", "trends"):
            page.goto(f"{app_url}/{path}{QUERY}")
            settle(page)
            page.locator("table.gm").first.wait_for(timeout=15_000)
            sizes = page.evaluate(FIT)
            assert sizes and all(scroll <= client and heads >= 4 for client, scroll, heads in sizes), (
                path,
                sizes,
            )
        names = [f"{g:02d} 建设南路东片区{g}网格" for g in range(1, 29)]
        year = pd.DataFrame([[4 + (g + m) % 3 for m in range(12)] for g in range(28)], index=names,
                            columns=[f"{m}月" for m in range(1, 13)])  # fmt: skip
        html = charts_reports.meetings_table(year, expected=4)
        page.set_content(f'<div style="width:364px;font-family:sans-serif">{html}</div>')
        [(client, scroll, heads)] = page.evaluate(FIT)
    assert heads == 13 and scroll <= client == 364
