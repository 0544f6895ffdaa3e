"""A bookmarked page opened as the very first visit after the server starts shows that page
(issue 12): no legacy file-name navigation (dashboard, common …), no blank page. Each case
needs its own cold server. pages/common.py leave_legacy_page_mode() is what makes it pass."""

from __future__ import annotations

import re

import pytest

from tests import appdata
from tests.browser import browser, errors_on, running_apps, settle

pytestmark = pytest.mark.browser


CASES = [("upload", "数据上传"), ("ranking", "月度排名"), ("grids", "网格档案")]


@pytest.fixture(scope="module")
def cold_servers(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """One cold server per case, started together (start-ups overlap); each is visited only by
    its own case, so that visit is its very first."""
    dbs = []
    for path, _ in CASES:
        folder = tmp_path_factory.mktemp(f"cold-{path}")
        dbs.append(appdata.build(folder / "grid.duckdb", folder / "files"))
    with running_apps(dbs) as urls:
        yield dict(zip([path for path, _ in CASES], urls, strict=True))


@pytest.mark.parametrize(("path", "title"), CASES)
def test_bookmark_is_first_visit(cold_servers, path: str, title: str) -> None:  # noqa: ANN001
    url = cold_servers[path]
    with browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{url}/{path}?area=县城&year=2019&month=2019-03")
        settle(page)
        assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip().startswith(title)
        # The legacy navigation names pages after their files (dashboard, common, annual …);
        # ours are Chinese titles (each link also carries an icon ligature such as "tv").
        links = page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()
        assert all(re.search(r"[\u4e00-\u9fff]", text) for text in links), links
        assert any("数据上传" in text for text in links) and any("总览" in text for text in links)
        assert f"/{path}" in page.url
        assert errors_on(page) == []
