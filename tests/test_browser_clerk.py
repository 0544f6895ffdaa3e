"""The clerk's import in a real browser (issue 13): a sheet without a month gets a month picker
at the message and loads without re-uploading; a town sheet's links open that town and each of
its nine months; the preview names the missing grid and the conversions; revert shows its
effect before the confirm button. Screenshots at 1366×768 and 390×844."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests import appdata
from tests.browser import browser, confirm, errors_on, running_app, screenshot, settle, upload
from tests.conftest import RUBRIC, leader_of, monthly_rows, write_xlsx

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:  # noqa: ANN001
    screenshot(page, f"clerk-{name}")


def main_text(page) -> str:  # noqa: ANN001
    return page.locator('[data-testid="stMain"]').inner_text()


def no_month_sheet(folder: Path) -> Path:
    rows = [["翁源县城市网格化管理月度考核评分表"], monthly_rows()[0][1:]]
    rows += [r[1:] for r in monthly_rows("2019-04", 2)[1:]]
    return write_xlsx(folder / "考核表.xlsx", {"Sheet1": rows})


def town_sheet(folder: Path) -> Path:
    rows = [["月份", "网格", *[c for c, _, _ in RUBRIC]]]
    for m in range(1, 10):
        for i in (1, 2, 3):
            rows.append([f"2019-{m:02d}", f"官渡{i}", 10, 20, 15, 15, 10, 5, 10, 5, 10 - i])
    return write_xlsx(folder / "官渡镇2019年1-9月考核.xlsx", {"官渡镇": rows})


def may_sheet(folder: Path) -> Path:
    rows = monthly_rows("2019-05", grids=range(1, 28))
    rows[7][1] = "第七网格"
    rows[3][1] = leader_of(3)
    return write_xlsx(folder / "2019年5月考核.xlsx", {"5月": rows})


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    folder = tmp_path_factory.mktemp("clerk")
    db_file = appdata.build(folder / "grid.duckdb", folder / "files")
    with running_app(db_file, today="2019-10-10") as url:  # the town's nine months are past
        yield url, folder


def test_month_picker_links_preview_and_revert(app) -> None:  # noqa: ANN001
    url, folder = app
    with browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{url}/upload")
        settle(page)

        # A sheet with no month: the picker sits at the message, likeliest month first.
        upload(page, [no_month_sheet(folder)])
        text = main_text(page)
        assert "表中没有写考核月份：请在下面选择" in text and "命令行" not in text and "--month" not in text
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text="考核月份")
        box.scroll_into_view_if_needed()
        shot(page, "month-picker-1366")
        page.get_by_label("考核月份（表中没有写，按所选月份导入）").click()
        page.wait_for_selector('[role="option"]')
        options = page.get_by_role("option").all_inner_texts()
        # The month after the latest check first, then back from today's month.
        assert options[:3] == ["2019年4月", "2019年10月", "2019年9月"]
        page.get_by_role("option", name="2019年4月").click()
        settle(page)
        text = main_text(page)
        assert "✓ 考核表.xlsx：可以导入" in text and "新增 县城 2019年4月 28 个网格的月度考核得分" in text
        page.get_by_text("新增 县城 2019年4月").scroll_into_view_if_needed()
        shot(page, "month-chosen-1366")
        confirm(page, "考核表.xlsx")

        # A town's nine months: nine links, each to that town and month.
        page.goto(f"{url}/upload")  # a fresh page: no uploader of the previous round lingers
        settle(page)
        upload(page, [town_sheet(folder)])
        confirm(page, "官渡镇2019年1-9月考核.xlsx")
        links = page.locator('[data-testid="stPageLink"] a').filter(has_text="查看官渡镇")
        assert links.count() == 9
        months = []
        for i in range(9):
            query = parse_qs(urlparse(links.nth(i).get_attribute("href")).query)
            assert query["area"] == ["官渡镇"]
            months.append(query["month"][0])
        assert months == [f"2019-{m:02d}" for m in range(1, 10)]
        links.first.scroll_into_view_if_needed()
        shot(page, "links-1366")
        links.nth(8).click()
        settle(page)
        page.locator('[data-testid="stMain"]').get_by_text("2019年9月").first.wait_for(timeout=30_000)
        assert "官渡镇" in main_text(page) and "2019年9月" in main_text(page)

        # The preview names the missing grid and the conversions before anything is written.
        page.goto(f"{url}/upload")
        settle(page)
        upload(page, [may_sheet(folder)])
        text = main_text(page)
        assert "县城 2019年5月（工作表「5月」）缺少 28 测试28路网格：导入后该月记为缺检" in text
        assert "网格写法已统一为编号：第七网格 → 07 测试7路网格" in text
        assert f"按挂点县领导姓名认出网格：{leader_of(3)} → 03 测试3路网格" in text
        page.get_by_text("缺少 28 测试28路网格").scroll_into_view_if_needed()
        shot(page, "preview-1366")

        # Revert: its effect is listed before the confirm button.
        page.get_by_text("撤销此批次").click()
        settle(page)
        text = main_text(page)
        assert "官渡镇 2019年1月至9月（共 9 个月，每月）：3 个网格的月度考核得分不再计入" in text
        page.get_by_role("button", name="确认撤销").scroll_into_view_if_needed()
        shot(page, "revert-preview-1366")
        assert errors_on(page) == []

        phone = b.new_page(viewport={"width": 390, "height": 844})
        phone.goto(f"{url}/upload")
        settle(phone)
        upload(phone, [no_month_sheet(folder)])
        assert "表中没有写考核月份" in main_text(phone)
        phone.locator('[data-testid="stSelectbox"]').filter(has_text="考核月份").scroll_into_view_if_needed()
        shot(phone, "month-picker-390")
        phone.goto(f"{url}/upload")
        settle(phone)
        upload(phone, [may_sheet(folder)])
        phone.get_by_text("缺少 28 测试28路网格").scroll_into_view_if_needed()
        shot(phone, "preview-390")
        phone.get_by_text("撤销此批次").click()
        settle(phone)
        phone.get_by_role("button", name="确认撤销").scroll_into_view_if_needed()
        shot(phone, "revert-preview-390")
        assert errors_on(phone) == []
