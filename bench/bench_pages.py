"""Page render times in a real browser: request → fully rendered (the server's script run
finished, every chart drawn, nothing changing any more), cold (first visit after the server
starts, empty caches) and warm (the same URL again), on the sample data and on
province-scale data (bench_views.build: 10,000 grids). Each of those visits is a full page
load (a new session), as when a bookmark or a link is opened. "Switch" is what a leader does
most: a click on the page's name in the sidebar of an open session, timed from the click to
the new page complete (median of `--repeat` rounds through every page, caches warm).

    .venv/bin/python bench/bench_pages.py [--sizes sample,province] [--repeat 3] [--pages trends,reports]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_views import SIZES, build  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from etl import db  # noqa: E402
from etl.load.sample import build_sample_db  # noqa: E402
from etl.rules import calendar  # noqa: E402
from tests.browser import SIDEBAR, browser, running_app, settle  # noqa: E402

PAGES = list(SIDEBAR)


READY = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || !main.querySelector('h1')) return -1;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return -1;
  // An element whose code is still loading shows as a grey skeleton (st.html's, the first
  // time in a browser session): the page is not complete while one is on screen.
  if (document.querySelector('[data-testid="stSkeleton"], .stSkeleton')) return -1;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  if (charts.some(c => !c.querySelector('.main-svg'))) return -1;
  return main.querySelectorAll('*').length;
}"""


class ScriptRuns:
    """Counts the server's "script run finished" messages on the page's websocket: a page is
    not complete before its script run is (on a busy machine the server can pause longer
    than the quiet period below, with no chart on screen yet)."""

    def __init__(self, page) -> None:  # noqa: ANN001
        self.finished = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self.frame))

    def frame(self, payload: bytes | str) -> None:
        if isinstance(payload, str):
            return
        msg = ForwardMsg()
        try:
            msg.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - not a ForwardMsg
            return
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished in (
            ForwardMsg.FINISHED_SUCCESSFULLY,
            ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        ):
            self.finished += 1


RUNS: dict[int, ScriptRuns] = {}


def render(page, url: str) -> float:  # noqa: ANN001
    """Seconds from the request until the page is complete: title drawn, the script run
    finished, no script running, every chart drawn, and the element count unchanged over
    200 ms (that last wait is not counted: the time is taken when the final state was first
    seen)."""
    runs = RUNS.setdefault(id(page), ScriptRuns(page))
    before = runs.finished
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    return complete(page, runs, before, t0)


def switch(page, path: str) -> float:  # noqa: ANN001
    """Seconds from a click on the page's name in the sidebar until the new page is complete
    (the same test as render); the session, its websocket and the caches stay."""
    runs = RUNS.setdefault(id(page), ScriptRuns(page))
    link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=SIDEBAR[path]).first
    link.wait_for(timeout=30_000)
    before = runs.finished
    t0 = time.perf_counter()
    link.click()
    return complete(page, runs, before, t0)


def complete(page, runs: ScriptRuns, before: int, t0: float) -> float:  # noqa: ANN001
    seen, since, deadline = None, None, time.perf_counter() + 120
    while time.perf_counter() < deadline:
        n = page.evaluate(READY)  # also lets Playwright deliver the websocket frames
        n = n if runs.finished > before else -1
        now = time.perf_counter()
        if n > 0 and n == seen:
            if now - since >= 0.2:
                return since - t0
        else:
            seen, since = n, now
        time.sleep(0.02)
    settle(page, timeout=1)
    return time.perf_counter() - t0


def bench(db_file: Path, label: str, repeat: int, pages: list[str]) -> list[tuple[str, float, float]]:
    with db.connect(db_file) as con:
        area = calendar.areas(con)[0]
        month = calendar.months(con, area)[-1]
    query = f"?area={area}&year={month.year}&month={month:%Y-%m}"
    rows = []
    with running_app(db_file, today="2020-01-10") as base, browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})
        loads = {}
        for path in pages:
            url = f"{base}/{path}{query}"
            cold = render(page, url)
            warm = statistics.median(render(page, url) for _ in range(repeat))
            loads[path] = (cold, warm)
            print(f"  {label:<10} /{path:<10} 冷 {cold:6.2f} 秒   热 {warm:6.2f} 秒", flush=True)
        # Page switches: one session, every page in turn, `repeat` rounds.
        render(page, f"{base}/{pages[-1]}{query}")
        switches: dict[str, list[float]] = {path: [] for path in pages}
        for _ in range(repeat):
            for path in pages:
                switches[path].append(switch(page, path))
        for path in pages:
            moved = statistics.median(switches[path])
            rows.append((path or "(总览)", *loads[path], moved))
            print(f"  {label:<10} /{path:<10} 切换 {moved:6.2f} 秒", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="sample,province")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pages", default=",".join(PAGES), help="URL paths, e.g. trends,reports (empty: 总览)")
    args = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            path = Path(tmp) / size / "grid.duckdb"
            path.parent.mkdir(parents=True)
            if size == "sample":
                build_sample_db(path)
            else:
                secs = build(path, SIZES[size])
                print(f"生成 {size} 数据：{secs:.1f} 秒")
            results[size] = bench(path, size, args.repeat, args.pages.split(","))
    print("\n页面（数据）           冷启动 秒   热缓存 秒   侧栏切换 秒（中位数）")
    for size, rows in results.items():
        for path, cold, warm, moved in rows:
            print(f"/{path:<12} {size:<10} {cold:8.2f}   {warm:8.2f}   {moved:8.2f}")
    print("\n目标：县级数据页面切换 < 1 秒；省级数据热缓存 < 3 秒。")


if __name__ == "__main__":
    main()
