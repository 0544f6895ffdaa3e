"""Loader benchmark: our loader against a naive baseline, measured in the same run.

Generates (1) one 28-grid monthly score sheet and (2) a 100,000-row problems ledger .xlsx,
then times, for each:
  - ours: read (calamine) → recognise → parse → validate → one INSERT … BY NAME per table,
    inside the transaction, as `python -m etl load` does (in process, database pre-seeded with
    the registry and rubric);
  - baseline: pandas.read_excel(engine="openpyxl") + one INSERT per row.
Also times the read step alone with calamine and with openpyxl.

    .venv/bin/python bench/bench_load.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.load import store  # noqa: E402
from etl.load.sample import sample_files  # noqa: E402

DUTIES = ["公益宣传", "环境卫生", "基础设施", "公共秩序", "行业管理", "居民自治", "志愿服务", "其他任务"]


def ledger_xlsx(rows: int) -> bytes:
    rnd = random.Random(7)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("问题台账")
    ws.append(["翁源县城市网格化管理巡查问题台账"])
    ws.append(["序号", "网格", "发现日期", "问题类别", "问题子类", "地点", "问题描述", "交办单位",
               "整改期限", "整改完成日期", "回查结果"])  # fmt: skip
    start = date(2018, 4, 1)
    for i in range(rows):
        found = start + timedelta(days=rnd.randrange(600))
        deadline = found + timedelta(days=rnd.randrange(3, 15))
        done = found + timedelta(days=rnd.randrange(1, 20)) if rnd.random() < 0.85 else None
        ws.append([i + 1, f"{rnd.randrange(1, 29):02d}", found, rnd.choice(DUTIES), "乱摆乱卖",
                   f"建设路{rnd.randrange(1, 300)}号", "占道经营", "县城管局", deadline, done,
                   "已整改" if done else ""])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def monthly_xlsx() -> bytes:
    rnd = random.Random(3)
    wb = Workbook()
    ws = wb.active
    ws.title = "月度考核"
    maxima = [10, 20, 15, 15, 10, 5, 10, 5, 10]
    ws.append(["月份", "网格", *[f"A{i}" for i in range(1, 10)], "总分"])
    for g in range(1, 29):
        scores = [rnd.randrange(int(m * 1.2), int(m * 2) + 1) / 2 for m in maxima]
        ws.append(["2019-11", f"{g:02d}", *scores, sum(scores)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


SEED: list[Path] = []


def seeded_db(folder: Path) -> Path:
    p = folder / "bench.duckdb"
    for f in SEED or sample_files()[:2]:  # registry and rubric
        store.load_path(f, path=p)
    return p


def baseline(data: bytes, db_file: Path, header_row: int) -> int:
    frame = pd.read_excel(io.BytesIO(data), engine="openpyxl", header=header_row)
    con = duckdb.connect(str(db_file))
    con.execute("CREATE TABLE IF NOT EXISTS naive AS SELECT * FROM frame LIMIT 0")
    cols = ", ".join("?" for _ in frame.columns)
    con.execute("BEGIN")
    for row in frame.itertuples(index=False):
        con.execute(f"INSERT INTO naive VALUES ({cols})", [None if pd.isna(v) else v for v in row])
    con.execute("COMMIT")
    con.close()
    return len(frame)


def timed(fn, *args):  # noqa: ANN001, ANN002, ANN201
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser()
    # 99,998 problems + title + header = 100,000 sheet rows: the largest sheet the reader accepts
    # (etl.load.guard refuses more, in Chinese, before reading).
    ap.add_argument("--rows", type=int, default=99_998)
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args()
    print(f"生成测试文件：{args.rows:,} 行问题台账 + 28 个网格的月度考核表 …")
    ledger = ledger_xlsx(args.rows)
    monthly = monthly_xlsx()
    print(f"  问题台账 .xlsx {len(ledger) / 1e6:.1f} MB；月度考核 .xlsx {len(monthly) / 1e3:.0f} KB\n")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for label, data, name, header_row, rows in (
            ("月度考核 28 网格", monthly, "monthly.xlsx", 0, 28),
            (f"问题台账 {args.rows:,} 行", ledger, "ledger.xlsx", 1, args.rows),
        ):
            db_file = seeded_db(folder / label)
            t_read_cal, _ = timed(
                lambda d: CalamineWorkbook.from_filelike(io.BytesIO(d)).get_sheet_by_index(0).to_python(),
                data,
            )
            t_ours, res = timed(lambda d, n, p: store.load_bytes(d, n, path=p), data, name, db_file)
            assert res.row_count == rows, res
            if args.skip_baseline:
                t_base = float("nan")
                t_read_opx = float("nan")
            else:
                t_read_opx, _ = timed(
                    lambda d, h: pd.read_excel(io.BytesIO(d), engine="openpyxl", header=h), data, header_row
                )
                t_base, n = timed(baseline, data, folder / f"naive-{name}.duckdb", header_row)
                assert n == rows
            results.append((label, rows, t_ours, t_base, t_read_cal, t_read_opx))
            shutil.rmtree(folder / label, ignore_errors=True)
    print(f"{'文件':<22}{'行数':>9}{'本工具 秒':>11}{'行/秒':>11}{'基线 秒':>10}{'行/秒':>10}{'倍数':>7}"
          f"{'读取 calamine':>15}{'读取 openpyxl':>15}")  # fmt: skip
    for label, rows, ours, base, rc, ro in results:
        print(f"{label:<22}{rows:>9,}{ours:>11.3f}{rows / ours:>11,.0f}{base:>10.2f}{rows / base:>10,.0f}"
              f"{base / ours:>7.1f}{rc:>15.3f}{ro:>15.3f}")  # fmt: skip
    print("\n目标：10 万行台账 < 5 秒且至少快 5 倍；28 个网格的月度表 < 0.5 秒。")


if __name__ == "__main__":
    main()
