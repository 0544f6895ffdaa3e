"""The 路灯 page and the display's 路灯 panel in a real browser (one server for the module):
no error on a laptop, a phone or the meeting-room screen, and the page fits the phone's width."""

from __future__ import annotations

import pytest

from tests.browser import browser, errors_on, running_app, screenshot, settle
from tests.test_lamps_pages import build_lamp_db

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    db_file = build_lamp_db(tmp_path_factory.mktemp("lamp_browser"))
    with running_app(db_file) as url:
        yield url


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_lamps_page(base: str, width: int, height: int) -> None:
    with browser() as b:
        page = b.new_page(viewport={"width": width, "height": height})
        page.goto(f"{base}/lamps?area=县城&year=2019&month=2019-03")
        settle(page)
        main = page.locator('[data-testid="stMain"]')
        # Under load the script can still be running when settle() sees no status widget.
        for label in ("未达标网格", "实为 94.96%"):
            main.get_by_text(label).first.wait_for(timeout=30_000)
        assert errors_on(page) == []
        text = main.inner_text()
        assert "未达标网格" in text and "实为 94.96%" in text
        scroll = page.evaluate("document.querySelector('[data-testid=stMain]').scrollWidth")
        assert scroll <= width + 1, scroll  # nothing wider than the screen
        screenshot(page, f"lamps_{width}x{height}")


def test_lamps_display_panel(base: str) -> None:
    with browser() as b:
        page = b.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{base}/display?panel=lamps&rotate=0&area=县城&month=2019-03")
        page.wait_for_selector('[data-panel="lamps"] .gd-col', timeout=60_000)
        assert errors_on(page) == []
        text = page.locator('[data-panel="lamps"]').inner_text()
        assert "27/28" in text and "未检查：19 测试19路网格" in text
        # The panel fits the screen: nothing below the fold.
        bottom = page.evaluate("document.querySelector('[data-panel=lamps]').getBoundingClientRect().bottom")
        assert bottom <= 1080, bottom
        screenshot(page, "display_lamps_1920x1080")
