"""Hostile-file benchmark (issue 10): time and peak memory of `python -m etl load` on each
hostile workbook, and on a normal monthly sheet from data/sample as the baseline, in one run.

Each load runs as its own process against a copy of a database seeded with the sample registry
and rubric. Peak memory is the largest resident size of the load's whole process tree (the CLI
plus its reader child), sampled every 20 ms from /proc, and at least the largest ru_maxrss of
any process of the tree (wait4). Also measures what isolating the reader costs on a normal file
(the same file read in process and through the child), and the check alone of each file as the
upload page runs it ("check s": in this process, reader zygote already started).

    .venv/bin/python bench/bench_hostile.py [--with-hang]

Targets: every hostile file refused in under 60 s with peak memory under 1.5 GB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.errors import FileUnreadable  # noqa: E402
from etl.load.read import read_in_process  # noqa: E402
from etl.load.sandbox import read_workbook  # noqa: E402
from tests import hostile  # noqa: E402

SAMPLE = ROOT / "data" / "sample"
MONTHLY = SAMPLE / "10_2018-04_月度考核.xlsx"
TIME_TARGET_S = 60
MEMORY_TARGET_MB = 1536


def _tree_rss_kb(pid: int) -> int:
    """Resident KB of pid and its descendants (Linux /proc; 0 elsewhere)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def measure(path: Path, db_file: Path, env: dict[str, str] | None = None) -> dict[str, object]:
    """Run `python -m etl load path` and follow it: exit code, seconds, peak MB, first line."""
    environ = {**os.environ, "GRID_DB": str(db_file), **(env or {})}
    out = db_file.parent / "out.txt"
    with open(out, "wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "etl", "load", str(path)], cwd=ROOT, env=environ, stdout=sink, stderr=sink
        )
        peak_kb = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak_kb = max(peak_kb, _tree_rss_kb(proc.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_kb = max(peak_kb, usage.ru_maxrss)
    text = out.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    message = next((line.strip() for line in text if "[错误]" in line), text[0] if text else "")
    return {"code": proc.returncode, "seconds": seconds, "peak_mb": peak_kb / 1024, "message": message}


def check_seconds(path: Path, env: dict[str, str]) -> float:
    """The check alone, as the upload page runs it (this process, the reader zygote warm)."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        start = time.perf_counter()
        try:
            read_workbook(path.read_bytes(), path.name)
        except FileUnreadable:
            pass
        return time.perf_counter() - start
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def seeded_db(folder: Path) -> Path:
    db_file = folder / "seed" / "grid.duckdb"
    for name in ("01_网格划分表.xlsx", "02_考核评分细则.xlsx"):
        subprocess.run(
            [sys.executable, "-m", "etl", "load", str(SAMPLE / name)],
            cwd=ROOT,
            env={**os.environ, "GRID_DB": str(db_file)},
            check=True,
            capture_output=True,
        )
    return db_file


def fresh_copy(seed: Path, folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copytree(seed.parent, target)
    return target / seed.name


def isolation_overhead(path: Path, repeat: int = 7) -> tuple[float, float, float]:
    """Median ms of reading `path` in process, through the child, and of a bare interpreter."""
    data = path.read_bytes()
    inside, isolated, bare = [], [], []
    for _ in range(repeat):
        t = time.perf_counter()
        read_in_process(data, path.name)
        inside.append(time.perf_counter() - t)
        t = time.perf_counter()
        read_workbook(data, path.name)
        isolated.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - t)
    return tuple(1000 * statistics.median(x) for x in (inside, isolated, bare))  # type: ignore[return-value]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--with-hang", action="store_true", help="also a reader that never ends (45 s)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_hostile_"))
    files = folder / "files"
    files.mkdir()
    cases: list[tuple[str, Callable[[Path], Path], dict[str, str]]] = [
        ("baseline: 月度考核 (data/sample)", lambda _: MONTHLY, {}),
        ("XFD1048576 (openpyxl)", hostile.lone_cell_openpyxl, {}),
        ("XFD1048576, range says A1", hostile.lone_cell_lying, {}),
        ("AAA100000", hostile.far_cell, {}),
        ("shared string 150 MB × 1,120 cells", lambda f: hostile.huge_shared_string(f, megabytes=150), {}),
        ("shared string 40 MB × 1,120 cells", hostile.huge_shared_string, {}),
        ("900,000-char text in 300 runs", hostile.split_long_text, {}),
        ("30,000-char text × 4,000 cells", hostile.repeated_long_text, {}),
        ("zip bomb: sheet XML 1 GB", lambda f: hostile.zip_bomb(f, megabytes=1024), {}),
        ("400 columns without references", hostile.wide_without_references, {}),
        ("CSV named .xlsx", hostile.csv_in_disguise, {}),
        ("reader aborts (SIGABRT)", hostile.normal_workbook, {"GRID_READ_FAULT": "abort"}),
        ("reader runs out of memory", hostile.normal_workbook, {"GRID_READ_FAULT": "memory"}),
    ]
    if args.with_hang:
        cases.append(("reader never ends", hostile.normal_workbook, {"GRID_READ_FAULT": "hang"}))
    try:
        seed = seeded_db(folder)
        read_workbook(MONTHLY.read_bytes(), MONTHLY.name)  # start the reader zygote
        print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        print(f"{'case':<38} {'file':>9} {'exit':>4} {'load s':>7} {'peak MB':>8} {'check s':>8}  message")
        worst_time, worst_mem = 0.0, 0.0
        for i, (label, build, env) in enumerate(cases):
            path = build(files)
            r = measure(path, fresh_copy(seed, folder, f"db{i}"), env)
            check = check_seconds(path, env)
            size = path.stat().st_size
            shown = f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"
            msg = str(r["message"])
            print(
                f"{label:<38} {shown:>9} {r['code']:>4} {r['seconds']:>7.2f} {r['peak_mb']:>8.0f} {check:>8.2f}"
                f"  {msg[:70]}"
            )
            if i:
                worst_time = max(worst_time, float(r["seconds"]))  # type: ignore[arg-type]
                worst_mem = max(worst_mem, float(r["peak_mb"]))  # type: ignore[arg-type]
        inside, isolated, bare = isolation_overhead(MONTHLY)
        print(
            f"\nreading {MONTHLY.name}: in process {inside:.0f} ms, in the child {isolated:.0f} ms "
            f"(overhead {isolated - inside:.0f} ms; a bare `python -c pass` takes {bare:.0f} ms here)"
        )
        ok = worst_time < TIME_TARGET_S and worst_mem < MEMORY_TARGET_MB
        print(
            f"hostile files: slowest {worst_time:.1f} s (target < {TIME_TARGET_S} s), "
            f"largest peak {worst_mem:.0f} MB (target < {MEMORY_TARGET_MB} MB): {'OK' if ok else 'MISSED'}"
        )
        return 0 if ok else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
