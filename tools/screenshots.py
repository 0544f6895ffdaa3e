"""Screenshots to look at, one by one: every page at 1366×768 (laptop) and 390×844 (phone),
first screen and whole page, and every display panel at 1920×1080 and 3840×2160, taken in
headless Chromium on the sample database (or --db) once each page is complete (the same test
as bench/bench_pages.py: script run finished, charts drawn, nothing changing for 200 ms).

    .venv/bin/python tools/screenshots.py [--db data/grid.duckdb] [--out test-output/review]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import PAGES, render  # noqa: E402

from etl import db  # noqa: E402
from etl.load.sample import build_sample_db  # noqa: E402
from etl.output.display.frame import PANELS  # noqa: E402
from etl.rules import calendar  # noqa: E402
from tests.browser import browser, running_app  # noqa: E402

SIZES = {"laptop": (1366, 768), "phone": (390, 844)}
SCREENS = {"1080p": (1920, 1080), "4k": (3840, 2160)}
MAIN_HEIGHT = """() => { const m = document.querySelector('[data-testid="stMain"]');
  return m ? m.scrollHeight : document.body.scrollHeight; }"""


def pages(base: str, query: str, out: Path) -> None:
    with browser() as b:
        for size, (w, h) in SIZES.items():
            page = b.new_page(viewport={"width": w, "height": h})
            for path in PAGES:
                name = path or "overview"
                secs = render(page, f"{base}/{path}{query}")
                page.screenshot(path=str(out / f"{name}-{size}.png"))
                # Streamlit scrolls inside its main block: a tall window shows the whole page.
                full = min(int(page.evaluate(MAIN_HEIGHT)), 12_000)
                page.set_viewport_size({"width": w, "height": max(h, full)})
                time.sleep(0.5)
                page.screenshot(path=str(out / f"{name}-{size}-full.png"))
                page.set_viewport_size({"width": w, "height": h})
                print(f"{name:<10} {size:<6} {secs:5.2f} 秒  整页高 {full} px", flush=True)


def display(base: str, month: str, out: Path) -> None:
    with browser() as b:
        for size, (w, h) in SCREENS.items():
            page = b.new_page(viewport={"width": w, "height": h})
            for panel in PANELS:
                page.goto(f"{base}/display?panel={panel}&rotate=0&month={month}")
                page.wait_for_selector(f'.gd[data-panel="{panel}"]', timeout=60_000)
                time.sleep(1.0)  # fonts and layout
                page.screenshot(path=str(out / f"display-{panel}-{size}.png"))
                print(f"display {panel:<10} {size}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, help="a database to show (default: a fresh sample database)")
    ap.add_argument("--out", type=Path, default=ROOT / "test-output" / "review")
    ap.add_argument("--today", default="2020-01-10", help="GRID_TODAY for the server")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db_file = args.db
        if db_file is None:
            db_file = Path(tmp) / "grid.duckdb"
            build_sample_db(db_file)
        with db.connect(db_file) as con:
            area = calendar.areas(con)[0]
            month = calendar.months(con, area)[-1]
        query = f"?area={area}&year={month.year}&month={month:%Y-%m}"
        with running_app(db_file, today=args.today) as base:
            pages(base, query, args.out)
            display(base, f"{month:%Y-%m}", args.out)
    print(f"截图保存在 {args.out}")


if __name__ == "__main__":
    main()
