"""The real app in a real browser: start Streamlit on a free port, drive Debian's Chromium.

Chromium is installed with apt-get when missing (CI starts from a fresh machine).
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output" / "screenshots"
# Screenshots cost Chromium CPU (a full-page 4K one about a second) and `make test` is CPU-bound:
# tests save their named screenshots only with GRID_SHOTS=1 (`make shots`); a failing test
# always saves every tab it had open (browser() below). tools/screenshots.py takes the review set.
SHOTS = os.environ.get("GRID_SHOTS", "") not in ("", "0")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# URL path → the page's name in the sidebar (dashboard.py), for tests and benchmarks that
# move through the sidebar; the wall screen (/display) is left out.
SIDEBAR = {"": "总览", "ranking": "月度排名", "trends": "网格趋势", "annual": "年度考评", "volunteer": "志愿服务",
           "reports": "信息报送", "problems": "问题台账", "lamps": "路灯", "notices": "整改通知", "grids": "网格档案",
           "upload": "数据上传"}  # fmt: skip
ERROR_SELECTOR = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def chromium_path() -> str:
    """/usr/bin/chromium, installed from Debian's packages if it is not there yet."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        # `make test` runs two pytest workers: one installs while the other waits for it
        # (two apt-get at once would fail on dpkg's lock and skip the browser tests).
        with FileLock(Path(tempfile.gettempdir()) / "grid-test-chromium-install.lock"):
            if not shutil.which("chromium"):
                env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
                subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
                subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "fonts-noto-cjk"], check=False,
                               env=env, capture_output=True)  # fmt: skip
    found = shutil.which("chromium")
    if not found:
        pytest.skip("Chromium is not installed and could not be installed (apt-get)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(db_file: Path, *, address: str = "127.0.0.1", today: str = "2019-04-10",
                extra_env: dict[str, str] | None = None, root: Path = ROOT) -> Iterator[str]:  # fmt: skip
    """Start `streamlit run dashboard.py` against db_file; yields the base URL. root: the
    checkout to serve (another version, for a comparison)."""
    with running_apps([db_file], address=address, today=today, extra_env=extra_env, root=root) as (base,):
        yield base


@contextmanager
def running_apps(db_files: list[Path], *, address: str = "127.0.0.1", today: str = "2019-04-10",
                 extra_env: dict[str, str] | None = None, root: Path = ROOT) -> Iterator[list[str]]:  # fmt: skip
    """One server per database, all started at once (their start-ups overlap); yields the base
    URLs in the same order."""
    host = "127.0.0.1" if address in ("0.0.0.0", "127.0.0.1") else address
    started: list[tuple[subprocess.Popen, object, Path, str]] = []
    try:
        for db_file in db_files:
            port = free_port()
            env = {**os.environ, "GRID_DB": str(db_file), "GRID_TODAY": today, **(extra_env or {})}
            log_path = db_file.parent / f"streamlit-{port}.log"
            log = open(log_path, "wb")  # noqa: SIM115
            proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(root / "dashboard.py"), "--server.headless=true",
                 f"--server.address={address}", f"--server.port={port}", "--server.fileWatcherType=none",
                 "--browser.gatherUsageStats=false"],
                cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            started.append((proc, log, log_path, f"http://{host}:{port}"))
        deadline = time.monotonic() + 60
        for proc, _, log_path, base in started:
            while True:
                try:
                    with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                        if r.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log_path.read_text(errors="replace"))
                time.sleep(0.3)
        yield [base for *_, base in started]
    finally:
        for proc, *_ in started:
            proc.terminate()
        for proc, log, _, _ in started:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()  # type: ignore[attr-defined]


_SHARED: dict[str, object] = {}  # one Playwright and one Chromium for the whole test session


def _close_shared() -> None:
    b, p = _SHARED.pop("browser", None), _SHARED.pop("playwright", None)
    try:
        if b is not None:
            b.close()  # type: ignore[attr-defined]
    finally:
        if p is not None:
            p.stop()  # type: ignore[attr-defined]


def _shared_chromium() -> object:
    """Chromium launched once per session (a launch costs seconds on a busy machine), launched
    again if it went away."""
    b = _SHARED.get("browser")
    if b is not None and b.is_connected():  # type: ignore[attr-defined]
        return b
    from playwright.sync_api import sync_playwright

    if "playwright" not in _SHARED:
        _SHARED["playwright"] = sync_playwright().start()
        atexit.register(_close_shared)
    p = _SHARED["playwright"]
    b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)  # type: ignore[attr-defined]
    _SHARED["browser"] = b
    return b


class Tabs:
    """What a test gets from `browser()`: `new_page(viewport=...)` hands out a tab.

    Tabs are reused. A fresh tab costs Chromium 5-8 CPU-seconds (a renderer process started and
    Streamlit's code compiled again) against about 2 for another page load in a tab that is
    open already, and `make test` is CPU-bound on two cores. Each tab has a context (a window)
    of its own, so two tabs of one test are both visible, as two windows are: a hidden tab
    would not draw. Between tests a tab is reset (the page's storage and the context's cookies
    cleared, about:blank); each `goto` starts a new Streamlit session, as a fresh tab does. A
    tab that fails to reset is closed instead of reused."""

    def __init__(self) -> None:
        self.taken: list[object] = []

    def new_page(self, viewport: dict[str, int] | None = None, accept_downloads: bool = True,
                 fresh: bool = False) -> object:  # fmt: skip
        """A tab of the pool; fresh=True: a new window with an empty cache (a first visit)."""
        del accept_downloads  # every context accepts downloads
        b = _shared_chromium()
        free: list[object] = _SHARED.setdefault("free", [])  # type: ignore[assignment]
        page = None
        while free and page is None and not fresh:
            candidate = free.pop()
            if not candidate.is_closed() and candidate.context in b.contexts:  # type: ignore[attr-defined]
                page = candidate
        if page is None:
            page = b.new_context(accept_downloads=True).new_page()  # type: ignore[attr-defined]
        page.set_viewport_size(viewport or {"width": 1280, "height": 720})  # type: ignore[attr-defined]
        self.taken.append(page)
        return page

    def release(self) -> None:
        free: list[object] = _SHARED.setdefault("free", [])  # type: ignore[assignment]
        for page in self.taken:
            try:
                # The app's storage (e.g. a sidebar closed on a phone) must not reach the next test.
                page.evaluate("() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }")  # type: ignore[attr-defined]
                page.goto("about:blank", timeout=10_000)  # type: ignore[attr-defined]
                page.context.clear_cookies()  # type: ignore[attr-defined]
                free.append(page)
            except Exception:  # noqa: BLE001 - a crashed or stuck tab: not reused
                try:
                    page.context.close()  # type: ignore[attr-defined]
                except Exception:  # noqa: BLE001
                    pass
        self.taken.clear()


@contextmanager
def browser() -> Iterator[Tabs]:
    """The session's Chromium: the tabs opened inside the block (`new_page`) go back to the
    pool when it ends."""
    tabs = Tabs()
    try:
        yield tabs
    except BaseException:
        _failure_shots(tabs)
        raise
    finally:
        tabs.release()


def _failure_shots(tabs: Tabs) -> None:
    """Each open tab as the failing test left it: test-output/screenshots/failed-<test>-<n>.png."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "test").split(" ")[0].split("::", 1)[-1]
    name = "".join(c if c.isalnum() or c in "-_[]" else "_" for c in test)[:120]
    for n, page in enumerate(tabs.taken):
        try:
            OUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUT / f"failed-{name}-{n}.png"), full_page=True, timeout=10_000)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - a crashed tab: the test's own error is what matters
            pass


def settle(page, timeout: float = 30.0) -> None:  # noqa: ANN001
    """Wait until the app has rendered and no script run is in progress, charts drawn."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        busy = page.locator('[data-testid="stStatusWidget"]').count() > 0
        quiet = 0 if busy else quiet + 1
        if quiet >= 4:
            break
        time.sleep(0.25)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    for i in range(charts.count()):
        charts.nth(i).locator(".main-svg").first.wait_for(timeout=timeout * 1000)


def navigate(page, path: str) -> None:  # noqa: ANN001
    """Open another page the way a user does, by its name in the sidebar (on a phone: open the
    sidebar, tap, close it again); the session stays. Much cheaper for the browser than a new
    page load. Returns once the new page is complete (settle)."""
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    opened = expand.is_visible()
    if opened:
        expand.click()
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=SIDEBAR[path]).first.click()
    page.wait_for_function("p => location.pathname === p", arg="/" + path, timeout=30_000)
    settle(page)
    if opened:
        page.locator('[data-testid="stSidebarCollapseButton"] button').click()
        expand.wait_for(timeout=10_000)


def download(page, button, target_dir: Path, attempts: int = 3, timeout: float = 20.0) -> Path:  # noqa: ANN001
    """Click a download button and save what the browser receives. A click that lands while
    the page is still being re-rendered (a busy machine: the button is replaced under the
    pointer) starts nothing; it is clicked again, up to `attempts` times."""
    for attempt in range(attempts):
        try:
            with page.expect_download(timeout=timeout * 1000) as dl:
                button.click()
            target = target_dir / dl.value.suggested_filename
            dl.value.save_as(target)
            return target
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: try the click again
            if attempt == attempts - 1:
                raise
            settle(page)
    raise AssertionError("unreachable")


def upload(page, files: list[Path]) -> None:  # noqa: ANN001
    """Choose files in 数据上传's uploader and wait for each file's check result (its expander
    is headed by the file's name), not only for a quiet page: on a busy machine the upload's
    rerun may begin after settle() already saw one."""
    inputs = page.locator('[data-testid="stFileUploader"] input[type=file]')
    for _ in range(40):  # the previous round's uploader leaves the page after a load
        if inputs.count() == 1:
            break
        time.sleep(0.25)
    inputs.set_input_files([str(f) for f in files])
    time.sleep(1)
    settle(page)
    for f in files:
        page.locator('[data-testid="stExpander"] summary').filter(has_text=f.name).first.wait_for(
            timeout=60_000
        )
    settle(page)


def confirm(page, name: str) -> None:  # noqa: ANN001
    """Click 确认导入 once the page is quiet, until the load's message for the file `name`
    shows (a rerun on a busy machine may replace the button while it is clicked)."""
    done = page.get_by_text(f"{name}：已导入为批次").first
    for _ in range(4):
        settle(page)
        if done.is_visible():
            break
        try:
            page.get_by_role("button", name="确认导入").click(timeout=10_000)
            done.wait_for(timeout=20_000)
            break
        except Exception:  # noqa: BLE001 - detached by a rerun, or not loaded yet: look again
            continue
    done.wait_for(timeout=30_000)
    settle(page)


def errors_on(page) -> list[str]:  # noqa: ANN001
    return page.locator(ERROR_SELECTOR).all_inner_texts()


def screenshot(page, name: str) -> Path | None:  # noqa: ANN001
    """test-output/screenshots/<name>.png, the whole page, when GRID_SHOTS=1 (`make shots`)."""
    if not SHOTS:
        return None
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
