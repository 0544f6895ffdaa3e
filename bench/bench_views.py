"""Time the views and the page read functions at county and province scale.

Data are generated straight into the storage tables with SQL (range() and random()), one
batch per kind, area and month as the loader would make them, plus a re-uploaded month
for every tenth area so that superseding is exercised:

    county    1 area × 28 grids, 24 months, 10 rubric items, ~14,000 problems
    province  100 areas × 100 grids (10,000), 24 months, 10 items, 5,000,000 problems

Usage: .venv/bin/python bench/bench_views.py [--sizes county,province] [--repeat 3]
       [--keep DIR]  (keep the generated databases there)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl import db  # noqa: E402
from etl.rules import assessment, calendar, findings, rankings, reporting, trends, volunteering  # noqa: E402


@dataclass(frozen=True)
class Size:
    name: str
    areas: int
    grids_per_area: int
    problems: int
    months: int = 24
    items: int = 10


SIZES = {
    "county": Size("county", 1, 28, 14_000),
    "province": Size("province", 100, 100, 5_000_000),
}

FIRST_MONTH = date(2018, 1, 1)
TODAY = "2020-01-10"

# Batch ids: 1 registry, 2 rubric, then one per (kind, area, month); annual one per (area, year).
BATCH_SQL = """
INSERT INTO batch BY NAME
SELECT
    id AS batch_id, 'bench.xlsx' AS file_name, 'sha-' || id AS sha256, kind, area,
    [] AS periods, [] AS grids, 0 AS row_count, TIMESTAMP '2020-01-01' AS loaded_at,
    'bench' AS loaded_by, 'active' AS status, 'bench-' || id AS archive_name
FROM (
    SELECT 1 AS id, 'grids' AS kind, NULL AS area
    UNION ALL SELECT 2, 'rubric', NULL
    UNION ALL
    SELECT 10 + (k * $areas + a) * $months + m, ['monthly_scores', 'reports', 'volunteer',
        'problems'][k + 1], 'A' || lpad(a::VARCHAR, 3, '0')
    FROM range(4) t(k), range($areas) s(a), range($months) u(m)
    UNION ALL
    SELECT 10 + 4 * $areas * $months + a * 2 + y, 'annual_scores', 'A' || lpad(a::VARCHAR, 3, '0')
    FROM range($areas) s(a), range(2) u(y)
    UNION ALL  -- re-uploaded May 2018 monthly scores for every tenth area (supersedes)
    SELECT 10 + 4 * $areas * $months + 2 * $areas + a, 'monthly_scores',
        'A' || lpad(a::VARCHAR, 3, '0')
    FROM range(0, $areas, 10) s(a)
)
"""

REGISTRY_SQL = """
INSERT INTO grid_registry BY NAME
SELECT 1 AS batch_id,
    CASE WHEN $areas = 1 THEN '县城' ELSE 'A' || lpad(a::VARCHAR, 3, '0') END AS area,
    'G' || lpad(a::VARCHAR, 3, '0') || lpad(g::VARCHAR, 3, '0') AS grid_code,
    '第' || (g + 1) || '网格' AS grid_name,
    CASE WHEN g % 2 = 0 THEN '西片' ELSE '东片' END AS big_grid,
    '领导' || a || '-' || g AS leader_name, '副县长' AS leader_title,
    '单位' || a || '-' || g AS lead_unit, ['责任单位甲', '责任单位乙'] AS responsible_units,
    '某某社区' AS scope, '联系人' || g AS contact_name, '1380000' || lpad(g::VARCHAR, 4, '0')
        AS contact_phone,
    a * $grids + g + 1 AS sort_order
FROM range($areas) s(a), range($grids) t(g)
"""

RUBRIC_SQL = """
INSERT INTO rubric_item BY NAME
SELECT 2 AS batch_id, 'A' || (i + 1) AS item_code,
    ['公益宣传', '环境卫生', '基础设施', '公共秩序', '行业管理', '居民自治', '志愿服务',
     '其他任务', '工作机制', '工作机制'][i + 1] AS category,
    [10, 20, 15, 15, 10, 5, 10, 5, 5, 5][i + 1]::DOUBLE AS max_points, i + 1 AS sort_order
FROM range($items) t(i)
"""

# Areas in the storage tables are named like the registry (县城 at county scale).
AREA_EXPR = "CASE WHEN $areas = 1 THEN '县城' ELSE 'A' || lpad(a::VARCHAR, 3, '0') END"

ITEMS_SQL = f"""
INSERT INTO monthly_item_score BY NAME
SELECT 10 + a * $months + m AS batch_id, {AREA_EXPR} AS area,
    (DATE '2018-01-01' + to_months(m::INTEGER))::DATE AS month,
    'G' || lpad(a::VARCHAR, 3, '0') || lpad(g::VARCHAR, 3, '0') AS grid_code,
    'A' || (i + 1) AS item_code,
    ['公益宣传', '环境卫生', '基础设施', '公共秩序', '行业管理', '居民自治', '志愿服务',
     '其他任务', '工作机制', '工作机制'][i + 1] AS category,
    [10, 20, 15, 15, 10, 5, 10, 5, 5, 5][i + 1]::DOUBLE AS max_points,
    round([10, 20, 15, 15, 10, 5, 10, 5, 5, 5][i + 1] * (0.55 + 0.45 * random()) * 2) / 2
        AS score
FROM range($months) u(m), range($areas) s(a), range($grids) t(g), range($items) v(i)
WHERE hash(a, g, m) % 100 <> 0  -- about 1 % of grid-months missing (缺检)
"""

TOTALS_SQL = """
INSERT INTO monthly_score BY NAME
SELECT batch_id, area, month, grid_code, sum(score) AS total
FROM monthly_item_score
GROUP BY ALL
"""

RESCORE_SQL = """
INSERT INTO monthly_score BY NAME
SELECT 10 + 4 * $areas * $months + 2 * $areas + try_cast(substr(area, 2) AS INTEGER) AS batch_id,
    area, month, grid_code, least(100, total + 1) AS total
FROM monthly_score
WHERE month = DATE '2018-05-01' AND try_cast(substr(area, 2) AS INTEGER) % 10 = 0
"""

ANNUAL_SQL = f"""
INSERT INTO annual_score BY NAME
SELECT 10 + 4 * $areas * $months + a * 2 + y AS batch_id, {AREA_EXPR} AS area,
    2018 + y AS year,
    'G' || lpad(a::VARCHAR, 3, '0') || lpad(g::VARCHAR, 3, '0') AS grid_code,
    round(60 + 40 * random(), 1) AS year_end
FROM range(2) u(y), range($areas) s(a), range($grids) t(g)
"""

REPORTS_SQL = f"""
INSERT INTO report BY NAME
SELECT 10 + ($areas + a) * $months + m AS batch_id, {AREA_EXPR} AS area,
    (DATE '2018-01-01' + to_months(m::INTEGER))::DATE AS month,
    'G' || lpad(a::VARCHAR, 3, '0') || lpad(g::VARCHAR, 3, '0') AS grid_code,
    (DATE '2018-01-01' + to_months(m::INTEGER) + to_days((random() * 30)::INTEGER + k * 3))
        ::DATE AS submitted_on,
    '工作简报' AS title, 3 AS pictures, 4 AS meetings, 12 AS patrols
FROM range($months) u(m), range($areas) s(a), range($grids) t(g), range(2) w(k)
WHERE hash(a, g, m) % 10 <> 0 AND (k = 0 OR hash(g, m, a) % 5 = 0)
"""

VOLUNTEER_SQL = f"""
INSERT INTO volunteer_activity BY NAME
SELECT 10 + (2 * $areas + a) * $months + m AS batch_id, {AREA_EXPR} AS area,
    (DATE '2018-01-01' + to_months(m::INTEGER))::DATE AS month,
    'G' || lpad(a::VARCHAR, 3, '0') || lpad(g::VARCHAR, 3, '0') AS grid_code,
    (DATE '2018-01-01' + to_months(m::INTEGER) + to_days(k * 7))::DATE AS activity_date,
    '志愿活动' AS title, '团县委' AS organiser, (5 + random() * 30)::INTEGER AS participants,
    round(1 + random() * 4, 1) AS hours
FROM range($months) u(m), range($areas) s(a), range($grids) t(g), range(3) w(k)
WHERE k < hash(a, g, m) % 4
"""

PROBLEMS_SQL = f"""
INSERT INTO problem BY NAME
WITH p AS (
    SELECT i,
        (i // ($problems // $months)) % $months AS m,
        (i // $grids) % $areas AS a,
        i % $grids AS g,
        (random() * 27)::INTEGER AS found_day,
        (5 + random() * 25)::INTEGER AS allowed,
        random() AS r
    FROM range($problems) t(i)
)
SELECT 10 + (3 * $areas + a) * $months + m AS batch_id, {AREA_EXPR} AS area,
    (DATE '2018-01-01' + to_months(m::INTEGER))::DATE AS month,
    'G' || lpad(a::VARCHAR, 3, '0') || lpad(g::VARCHAR, 3, '0') AS grid_code,
    (DATE '2018-01-01' + to_months(m::INTEGER) + to_days(found_day))::DATE AS found_on,
    ['公益宣传', '环境卫生', '基础设施', '公共秩序', '行业管理', '居民自治', '志愿服务',
     '其他任务', '工作机制'][(i % 9) + 1] AS category,
    CASE WHEN i % 9 = 3 THEN '乱摆乱卖' END AS subcategory,
    '某路' || (i % 50) || '号' AS location, '发现问题' AS description, '城管局' AS handler,
    (DATE '2018-01-01' + to_months(m::INTEGER) + to_days(found_day + allowed))::DATE
        AS deadline,
    CASE WHEN r < 0.85 THEN (DATE '2018-01-01' + to_months(m::INTEGER)
        + to_days(found_day + (r * 40)::INTEGER))::DATE END AS rectified_on
FROM p
ORDER BY m, a  -- loads arrive month by month
"""


def _sql(template: str, size: Size) -> str:
    values = {
        "$areas": size.areas,
        "$grids": size.grids_per_area,
        "$months": size.months,
        "$items": size.items,
        "$problems": size.problems,
    }
    for name, value in values.items():
        template = template.replace(name, str(value))
    return template


def build(path: Path, size: Size) -> float:
    """Create and fill the database; returns seconds spent."""
    t0 = time.perf_counter()
    with db.connect(path, create=True) as con:
        db.ensure_schema(con)
        for step in (
            BATCH_SQL,
            REGISTRY_SQL,
            RUBRIC_SQL,
            ITEMS_SQL,
            TOTALS_SQL,
            RESCORE_SQL,
            ANNUAL_SQL,
            REPORTS_SQL,
            VOLUNTEER_SQL,
            PROBLEMS_SQL,
        ):
            con.execute(_sql(step, size))
        con.execute("CHECKPOINT")
    return time.perf_counter() - t0


def row_counts(path: Path) -> dict[str, int]:
    tables = ["grid_registry", "monthly_score", "monthly_item_score", "annual_score", "report"]
    tables += ["volunteer_activity", "problem"]
    with db.connect(path) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time in ms (after one warm-up run)."""
    fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


VIEWS = [
    "grid",
    "area_month",
    "area_data_month",
    "monthly_ranking",
    "monthly_category_score",
    "category_extremes",
    "annual_ranking",
    "volunteer_monthly",
    "report_status",
    "problem_status",
    "problem_monthly",
]
# Views keyed by month filter on month too; the yearly ones on year.
MONTH_FILTERED = {
    "monthly_ranking",
    "monthly_category_score",
    "category_extremes",
    "volunteer_monthly",
    "report_status",
    "problem_monthly",
    "problem_status",
}


def bench_size(path: Path, size: Size, repeat: int) -> dict[str, float]:
    """ms per view (full scan, one area, one area-month) and per read function."""
    figures: dict[str, float] = {}
    with db.connect(path) as con:
        db.ensure_schema(con)  # a kept database gets the current views
        con.execute("SET VARIABLE grid_today = ?::DATE", [TODAY])
        area = calendar.areas(con)[0]
        month = calendar.months(con, area)[-1]
        year = month.year
        codes = [
            r[0]
            for r in con.execute(
                "SELECT grid_code FROM grid WHERE area = ? ORDER BY sort_order LIMIT 3", [area]
            ).fetchall()
        ]
        for view in VIEWS:
            figures[f"view {view}: all"] = timed(
                lambda v=view: con.execute(f"SELECT count(*) FROM {v}").fetchall(), repeat
            )
            figures[f"view {view}: area"] = timed(
                lambda v=view: con.execute(f"SELECT * FROM {v} WHERE area = ?", [area]).fetchall(),
                repeat,
            )
            if view in MONTH_FILTERED:
                figures[f"view {view}: area+month"] = timed(
                    lambda v=view: con.execute(
                        f"SELECT * FROM {v} WHERE area = ? AND month = ?", [area, month]
                    ).fetchall(),
                    repeat,
                )
        calls: dict[str, Callable[[], object]] = {
            "areas": lambda: calendar.areas(con),
            "months": lambda: calendar.months(con, area),
            "years": lambda: calendar.years(con, area),
            "month_ranking": lambda: rankings.month_ranking(con, area, month),
            "rank_changes": lambda: rankings.rank_changes(con, area, month),
            "category_extremes": lambda: rankings.category_extremes(con, area, month),
            "streak_warnings": lambda: rankings.streak_warnings(con, area, month),
            "grid_history(3 grids)": lambda: trends.grid_history(con, area, codes),
            "annual_table": lambda: assessment.annual_table(con, area, year),
            "annual_summary": lambda: assessment.annual_summary(con, area, year),
            "provisional_standing": lambda: assessment.provisional_standing(con, area, year),
            "report_matrix": lambda: reporting.report_matrix(con, area, year),
            "missing_reports": lambda: reporting.missing_reports(con, area, month),
            "volunteer_matrix": lambda: volunteering.volunteer_matrix(con, area, year),
            "problem_figures(year)": lambda: findings.problem_figures(con, area, year),
            "problem_figures(month)": lambda: findings.problem_figures(con, area, year, month),
            "overdue_problems": lambda: findings.overdue_problems(con, area),
        }
        for name, fn in calls.items():
            figures[f"read {name}"] = timed(fn, repeat)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="county,province")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="folder to keep the databases in")
    args = parser.parse_args(argv)
    sizes = [SIZES[s] for s in args.sizes.split(",")]

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-views-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, float]] = {}
    for size in sizes:
        path = workdir / f"{size.name}.duckdb"
        if not path.exists():
            seconds = build(path, size)
            print(f"built {size.name} in {seconds:.1f} s: {row_counts(path)}", flush=True)
        results[size.name] = bench_size(path, size, args.repeat)

    names = list(next(iter(results.values())))
    header = f"{'figure (median ms)':<44}" + "".join(f"{s.name:>12}" for s in sizes)
    if len(sizes) == 2:
        header += f"{'growth':>10}"
    print(header)
    print("-" * len(header))
    for name in names:
        line = f"{name:<44}" + "".join(f"{results[s.name][name]:>12.1f}" for s in sizes)
        if len(sizes) == 2:
            a, b = (results[s.name][name] for s in sizes)
            line += f"{b / a:>9.1f}×" if a > 0 else f"{'':>10}"
        print(line)
    read = {s.name: [v for k, v in results[s.name].items() if k.startswith("read ")] for s in sizes}
    for s in sizes:
        limit = 50 if s.name == "county" else 1000
        worst = max(read[s.name])
        verdict = "ok" if worst < limit else "TOO SLOW"
        print(f"{s.name}: slowest read function {worst:.0f} ms (target < {limit} ms): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
