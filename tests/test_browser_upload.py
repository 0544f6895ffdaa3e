"""The upload page in a real browser (issue 5): sign in, a bad file's error table, a good file
confirmed and seen on the ranking page, the same file skipped, revert and back."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import auth
from tests import appdata
from tests.browser import browser, confirm, errors_on, navigate, running_app, screenshot, settle, upload
from tests.conftest import item_scores, write_xlsx

pytestmark = pytest.mark.browser
PASSWORD = "wengyuan-2019"


def _messy_correction(folder: Path) -> Path:
    """March 2019 re-sent for grids 27 and 28 with full marks: title row, merged header,
    grids by 第N网格, a 合计 footer: they move to the top of the ranking."""
    head = ["序号", "网格", "考核项目", "", "", "", "", "", "", "", "", "总分"]
    sub = ["", "", "公益宣传（10分）", "环境卫生（20分）", "基础设施（15分）", "公共秩序（15分）",
           "行业管理（10分）", "居民自治（5分）", "志愿服务（10分）", "其他任务（5分）", "工作机制（10分）", ""]  # fmt: skip
    rows = [["翁源县城市网格化管理月度考核评分表（2019年3月 更正）"], head, sub]
    full = item_scores(0, 0)
    for i, g in enumerate((27, 28), start=1):
        rows.append([i, f"第{g}网格", *full, sum(full)])
    rows.append(["合计", "", *[2 * v for v in full], 2 * sum(full)])
    return write_xlsx(folder / "2019年3月考核表（更正）.xlsx", {"3月": rows},
                      merges={"3月": ["C2:K2", "A2:A3", "B2:B3", "L2:L3"]})  # fmt: skip


def _bad_file(folder: Path) -> Path:
    rows = [["月份", "网格", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9"]]
    rows.append(["2019-04", "第99网格", 10, 20, 15, 15, 10, 5, 10, 5, 10])
    rows.append(["2019-04", "02", 10, 26, 15, 15, 10, 5, 10, 5, 10])
    return write_xlsx(folder / "4月考核（有错）.xlsx", {"月度考核": rows})


def _rank1(page) -> str:  # noqa: ANN001
    """The month's first place as the overview's podium shows it, read off its first card
    ('第 1 名 · 01 测试1路网格 · 97.0 分'). The overview is reached through the sidebar: the
    session, and with it the sign-in and the month picked, stays."""
    navigate(page, "")
    card = page.locator('[data-testid="stMain"] .rank-cards .rc').first
    card.wait_for(timeout=15_000)
    rank = card.locator(".rc-rank").inner_text().strip()
    grid = card.locator(".rc-grid b").inner_text().strip()
    total = card.locator(".rc-total").inner_text().replace("分", "").strip()
    return f"第 {rank} 名 · {grid} · {total} 分"


def signed_in(page) -> None:  # noqa: ANN001
    """After a click on 登录: wait for the rerun it starts (on a busy machine it may begin after
    settle() already saw a quiet page), then check the clerk is signed in."""
    page.get_by_text("当前用户：测试员").first.wait_for(timeout=30_000)
    settle(page)
    assert "当前用户：测试员" in page.locator('[data-testid="stMain"]').inner_text()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    folder = tmp_path_factory.mktemp("upload")
    db_file = appdata.build(folder / "grid.duckdb", folder / "files")
    auth.set_password("测试员", PASSWORD, db_file)
    with running_app(db_file) as url:
        yield url, folder


def test_sign_in_check_confirm_revert(app) -> None:  # noqa: ANN001
    url, folder = app
    good, bad = _messy_correction(folder), _bad_file(folder)
    with browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{url}/upload?area=县城&year=2019&month=2019-03")
        settle(page)
        assert page.locator('[data-testid="stFileUploader"]').count() == 0  # signed out: no upload
        assert "01 测试1路网格" in _rank1(page)
        navigate(page, "upload")
        page.get_by_label("用户名").fill("测试员")
        page.get_by_label("密码").fill("wrong-password")
        page.get_by_role("button", name="登录").click()
        page.get_by_text("用户名或密码不正确").first.wait_for(timeout=30_000)  # the click's rerun
        settle(page)
        assert "用户名或密码不正确" in page.locator('[data-testid="stMain"]').inner_text()
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        signed_in(page)

        upload(page, [bad])
        text = page.locator('[data-testid="stMain"]').inner_text()
        screenshot(page, "upload-bad-file")
        assert "2 个错误，不能导入" in text
        assert "网格名册中没有这个网格" in text and "「A2 环境卫生」得分 26 超过满分 20" in text
        assert "没有可以导入的文件" in text

        # Away and back through the sidebar: still signed in, the uploader empty again.
        assert "01 测试1路网格" in _rank1(page)
        navigate(page, "upload")
        signed_in(page)
        upload(page, [good])
        text = page.locator('[data-testid="stMain"]').inner_text()
        screenshot(page, "upload-good-file")
        assert "可以导入" in text
        assert "替换 县城 2019年3月 的得分：2 个网格有变化（网格27：" in text
        confirm(page, good.name)
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "已导入为批次" in text
        assert errors_on(page) == []

        assert "27 测试27路网格 · 100.0 分" in _rank1(page)

        # The same file again is skipped, not loaded twice.
        navigate(page, "upload")
        upload(page, [good])
        assert "与已导入文件完全相同，将跳过" in page.locator('[data-testid="stMain"]').inner_text()

        # Revert the newest batch: the ranking returns to what it was. A new page load is a
        # new session: the clerk signs in again.
        page.goto(f"{url}/upload")
        settle(page)
        page.get_by_label("用户名").fill("测试员")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        signed_in(page)
        page.get_by_text("撤销此批次").click()
        undo = page.get_by_role("button", name="确认撤销")
        undo.wait_for(state="visible", timeout=15_000)
        settle(page)  # the revert preview (what will change) is drawn before the clerk confirms
        undo.click()
        page.get_by_text("已撤销批次").first.wait_for(timeout=30_000)
        settle(page)
        assert "已撤销批次" in page.locator('[data-testid="stMain"]').inner_text()
        screenshot(page, "upload-reverted")
        assert "01 测试1路网格" in _rank1(page)


def test_network_without_password_refuses_uploads(tmp_path: Path) -> None:
    db_file = appdata.build(tmp_path / "grid.duckdb", tmp_path / "files")
    with running_app(db_file, address="0.0.0.0") as url, browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{url}/upload")
        settle(page)
        # The command is a code block, drawn a moment after the script run ends.
        page.locator('[data-testid="stMain"]').get_by_text("python -m etl passwd").first.wait_for(
            timeout=15_000
        )
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "尚未设置上传密码" in text
        assert "python -m etl passwd" in text
        assert page.locator('[data-testid="stFileUploader"]').count() == 0


def test_password_stored_hashed(tmp_path: Path) -> None:
    f = auth.set_password("张三", "secret-pass-1", tmp_path / "grid.duckdb")
    text = f.read_text(encoding="utf-8")
    assert "secret-pass-1" not in text and "scrypt$" in text
    users = auth.load_users(tmp_path / "grid.duckdb")
    assert auth.verify_password("secret-pass-1", users["张三"])
    assert not auth.verify_password("secret-pass-2", users["张三"])
