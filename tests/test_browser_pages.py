"""Every page of the real app in headless Chromium, at laptop and phone size (issue 4): what a
user looks for, no error, no English (issue 12 §3); links, downloads, navigation."""

from __future__ import annotations

import re
import time
from pathlib import Path

import openpyxl
import pytest

from pages.zh_ui import STREAMLIT_ZH
from tests import appdata
from tests.browser import browser, download, errors_on, navigate, running_app, screenshot, settle

pytestmark = pytest.mark.browser

# URL path → labels a user must see on that page (with the fixture data, March 2019); the
# first is the page's title.
PAGES = {
    "": ["网格化管理总览", "平均分", "信息报送", "本月末位三名"],
    "ranking": ["月度排名", "总分排行", "下载 Excel"],
    "trends": ["网格趋势", "名次"],
    "annual": ["年度考评", "综合得分"],
    "volunteer": ["志愿服务", "活动次数"],
    "reports": ["信息报送", "未报送"],
    "problems": ["问题台账", "整改率"],
    "grids": ["网格档案", "挂点县领导"],
    "upload": ["数据上传", "下载模板", "导入历史"],
    "notices": ["整改通知"],
}
SIZES = {"laptop": (1366, 768), "phone": (390, 844)}
QUERY = "?area=县城&year=2019&month=2019-03"
# Words that may stay Latin: file formats, units, the signed-in user's name.
ALLOWED = {"CSV", "Excel", "xlsx", "XLSX", "XLSM", "XLS", "xlsm", "xls", "csv", "Word", "PNG", "docx", "zip", "root", "WPS", "etl",
           "python", "passwd", "Plotly"}  # fmt: skip
VISIBLE_LATIN = """() => {
  const out = [];
  const seen = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walk.nextNode())) {
    const p = n.parentElement;
    if (!p || p.closest('script,style,code,pre') || !seen(p)) continue;
    if (/Material/.test(getComputedStyle(p).fontFamily)) continue;   // icon ligatures
    if (/[A-Za-z]{3,}/.test(n.nodeValue)) out.push(n.nodeValue.trim());
  }
  for (const el of document.querySelectorAll('[title],[placeholder],[data-title],[aria-label]'))
    for (const a of ['title', 'placeholder', 'data-title', 'aria-label']) {
      const v = el.getAttribute(a);
      if (v && /[A-Za-z]{3,}/.test(v)) out.push(v);
    }
  return out;
}"""


CUT_VALUES = """() => [...document.querySelectorAll('.rank-bars .rb-val')]
  .filter(e => e.innerText && (e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > innerWidth + 1))
  .map(e => e.innerText)"""


def english(texts: list[str]) -> list[str]:
    """Texts with a Latin word that is not a file format, unit or the user's name."""
    bad = []
    for t in texts:
        words = re.findall(r"[A-Za-z]{3,}", t)
        if any(w not in ALLOWED for w in words):
            bad.append(t)
    return bad


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("app")
    db_file = appdata.build(folder / "grid.duckdb", folder / "files")
    with running_app(db_file) as url:
        yield url


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_renders_in_chinese(app_url: str, size: str) -> None:
    """One walk through every page at laptop and at phone size (issue 4, issue 12 §3): the
    labels a user looks for, no error box, a screenshot; and every visible text, the tooltips
    of the table and chart toolbars (hovered), the uploader, placeholders and labels are
    Chinese. The walk goes through the sidebar, as a leader does (opening a bookmarked URL is
    test_browser_coldstart's)."""
    w, h = SIZES[size]
    found: dict[str, list[str]] = {}
    hovered: set[str] = set()
    with browser() as b:
        page = b.new_page(viewport={"width": w, "height": h})
        page.goto(f"{app_url}/{QUERY}")
        settle(page)
        for path, labels in PAGES.items():
            if path:
                navigate(page, path)
            main = page.locator('[data-testid="stMain"]')
            main.locator("h1").filter(has_text=labels[0]).first.wait_for(timeout=15_000)
            if path != "upload":  # the one page without the month picker
                assert "month=2019-03" in page.url, (path, page.url)  # the choice came along
            for label in labels:
                # Elements below a chart may arrive a moment after the script run ends.
                main.get_by_text(label).first.wait_for(timeout=15_000)
            screenshot(page, f"{path or 'overview'}-{size}")
            assert errors_on(page) == [], path
            # Bar values are written whole, inside the window ("100.0%" on a phone).
            cut = page.evaluate(CUT_VALUES)
            assert cut == [], (path, size, cut)
            # The translating script arrives with the first script run (pages/common.py).
            page.wait_for_function("() => window.__gridZhUi === true", timeout=30_000)
            time.sleep(0.5)  # late widgets (toolbars, tooltips) mount after the script run
            texts = page.evaluate(VISIBLE_LATIN)
            for selector in ('[data-testid="stElementToolbar"] button', ".modebar-btn"):
                buttons = page.locator(selector)
                for i in range(min(buttons.count(), 4)):
                    # Each kind of button once per walk: the same button on the next page shows
                    # the same tooltip (a hover costs Chromium a redraw and the walk a pause).
                    button = buttons.nth(i)
                    kind = selector + (button.get_attribute("aria-label") or button.get_attribute("data-title")
                                       or button.inner_html())  # fmt: skip
                    if kind in hovered:
                        continue
                    try:
                        button.hover(timeout=2000, force=True)
                    except Exception:  # noqa: BLE001 - a toolbar hidden on this size
                        continue
                    hovered.add(kind)
                    time.sleep(0.2)
                    texts += page.evaluate(VISIBLE_LATIN)
            bad = english(texts)
            if bad:
                found[path or "overview"] = sorted(set(bad))
            if path == "upload":
                text = page.locator('[data-testid="stFileUploader"]').first.inner_text()
                assert "单个文件不超过" in text and "per file" not in text
    assert found == {}
    assert not any(k in str(found) for k in STREAMLIT_ZH)


def test_link_selects_month(app_url: str) -> None:
    """Opening a link with ?month= shows exactly that month; the URL keeps the choice."""
    with browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{app_url}/ranking?area=县城&month=2019-02")
        settle(page)
        assert "2019年2月" in page.locator('[data-testid="stMain"]').inner_text()
        assert "month=2019-02" in page.url and "year=2019" in page.url


def test_ranking_download_matches_table(app_url: str, tmp_path: Path) -> None:
    with browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True)
        page.goto(f"{app_url}/ranking?area=县城&year=2019&month=2019-03")
        settle(page)
        target = download(page, page.get_by_text("下载 CSV"), tmp_path)
        # Files are written when their button is clicked: the Excel twin, and a template.
        workbook = download(page, page.get_by_text("下载 Excel（.xlsx）"), tmp_path)
        page.goto(f"{app_url}/upload")
        settle(page)
        blank = download(page, page.get_by_role("button", name="月度考核得分"), tmp_path)
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(workbook).worksheets[0].iter_rows()]
    head = next(i for i, r in enumerate(rows) if r[:4] == ["排名", "变化", "网格编号", "网格名称"])
    assert [r[2] for r in rows[head + 1 :]] == [f"{g:02d}" for g in range(1, 29)]
    assert blank.name == "模板_月度考核得分.xlsx"
    book = openpyxl.load_workbook(blank)
    filled = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert {"01", "28"} <= filled  # prefilled with the registry's grids
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese correctly
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("排名,变化,网格编号,网格名称")
    assert len(lines) == 1 + 28
    assert lines[1].split(",")[:3] == ["1", "↑1", "01"] or lines[1].split(",")[2] == "01"


def test_choice_survives_navigation(app_url: str) -> None:
    """The month chosen on one page stays when the user moves on through the sidebar, also
    through a page without the picker (数据上传)."""
    with browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{app_url}/ranking?area=县城&year=2019&month=2019-02")
        settle(page)
        nav = page.locator('[data-testid="stSidebarNav"]')
        for name, path in (("网格档案", "/grids"), ("数据上传", "/upload"), ("月度排名", "/ranking")):
            nav.get_by_text(name).click()
            page.wait_for_url(f"**{path}*")
            settle(page)
        assert "month=2019-02" in page.url
        page.get_by_text("县城 · 2019年2月").first.wait_for(timeout=15_000)
