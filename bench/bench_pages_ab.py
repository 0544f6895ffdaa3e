"""Two versions of the dashboard side by side: is a page slower than before?

Each checkout builds the sample database with its own command line and is served by its own
Streamlit server; one browser window each (a second tab in one window would be hidden and
would not draw). Full page loads ("热": the same URL again, a new session) and sidebar
switches are interleaved A, B, A, B …, so that both versions see the same state of a busy
machine; each figure is the median of `--repeat`.

    git worktree add ../before 55e319f
    .venv/bin/python bench/bench_pages_ab.py ../before . [--pages ,ranking,annual] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import PAGES, render, switch  # noqa: E402

from tests.browser import browser, running_app  # noqa: E402

QUERY = "?area=县城&year=2019&month=2019-12"  # the sample data's last month


def serve(stack: ExitStack, checkout: Path, db_file: Path) -> str:
    """The checkout's sample database (built by its own code) and its server; the base URL."""
    subprocess.run([sys.executable, "-m", "etl", "sample", "--force", "--db", str(db_file)], cwd=checkout,
                   check=True, capture_output=True)  # fmt: skip
    return stack.enter_context(running_app(db_file, today="2020-01-10", root=checkout))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("before", type=Path, help="the earlier checkout (e.g. a git worktree)")
    ap.add_argument("after", type=Path, help="the checkout to compare with it")
    ap.add_argument("--pages", default=",".join(p for p in PAGES if p not in ("lamps", "notices")),
                    help="URL paths (empty: 总览); both versions must have them")  # fmt: skip
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    pages = args.pages.split(",")
    warm = {p: ([], []) for p in pages}
    moved = {p: ([], []) for p in pages}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        bases = [
            serve(stack, c.resolve(), Path(tmp) / n / "grid.duckdb")
            for n, c in (("a", args.before), ("b", args.after))
        ]
        with browser() as b:
            tabs = [b.new_page(viewport={"width": 1366, "height": 768}) for _ in bases]
            for path in pages:
                for i in range(args.repeat + 1):  # the first round warms the caches
                    for k, (tab, base) in enumerate(zip(tabs, bases, strict=True)):
                        secs = render(tab, f"{base}/{path}{QUERY}")
                        if i:
                            warm[path][k].append(secs)
            for tab, base in zip(tabs, bases, strict=True):
                render(tab, f"{base}/{pages[-1]}{QUERY}")
            for _ in range(args.repeat):
                for path in pages:
                    for k, tab in enumerate(tabs):
                        moved[path][k].append(switch(tab, path))
    med = statistics.median
    print(f"\n页面          热缓存 之前 → 之后      侧栏切换 之前 → 之后（秒，{args.repeat} 次中位数）")
    for path in pages:
        (wa, wb), (sa, sb) = warm[path], moved[path]
        print(f"/{path or '(总览)':<12} {med(wa):6.2f} → {med(wb):5.2f} ({med(wb) - med(wa):+.2f})"
              f"     {med(sa):6.2f} → {med(sb):5.2f} ({med(sb) - med(sa):+.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
