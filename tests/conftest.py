"""Shared fixtures: a fresh database per test and real spreadsheet files built in code."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from etl import db
from etl.load import store

SHARED_EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"


def require_examples(folder: Path = SHARED_EXAMPLES) -> None:
    """Fail in CI (CI=true, which .ci/run sets), skip elsewhere, when the examples folder is
    missing: the acceptance tests must not pass in CI by not running."""
    if folder.exists():
        return
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail(f"{folder} is missing: the acceptance files must be present in CI")
    pytest.skip("../shared/examples not present")


RUBRIC = [
    ("A1", "公益宣传", 10),
    ("A2", "环境卫生", 20),
    ("A3", "基础设施", 15),
    ("A4", "公共秩序", 15),
    ("A5", "行业管理", 10),
    ("A6", "居民自治", 5),
    ("A7", "志愿服务", 10),
    ("A8", "其他任务", 5),
    ("A9", "工作机制", 10),
]
MAXIMA = [m for _, _, m in RUBRIC]
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华"
GIVEN = "国强建华志明秀英文军海燕丽娟永红"


def leader_of(i: int) -> str:
    return SURNAMES[i - 1] + GIVEN[(i * 2) % len(GIVEN)] + GIVEN[(i * 5 + 1) % len(GIVEN)]


def registry_rows() -> list[list[Any]]:
    """28 county-seat grids and 3 town grids, with a title row and a 备注 footer."""
    rows: list[list[Any]] = [
        ["翁源县城市网格化管理区域划分表"],
        ["序号", "编号", "网格名称", "区域", "所属大网格", "挂点领导", "职务", "牵头单位", "责任单位",
         "包含区域", "工作站联系人", "电话"],
    ]  # fmt: skip
    for i in range(1, 29):
        rows.append([i, f"{i:02d}", f"测试{i}路网格", "县城", "西片" if i <= 14 else "东片", leader_of(i),
                     "副县长", f"县{i}局", "县城管局、县公安局", f"测试{i}路", f"联系人{i}",
                     f"1370000{i:04d}"])  # fmt: skip
    for i in range(1, 4):
        rows.append([28 + i, f"官渡{i}", f"官渡{i}片网格", "官渡镇", "", f"镇干部{i}", "镇党委委员",
                     "官渡镇政府", "官渡派出所", f"官渡{i}片", f"镇联系人{i}", "0751-2800000"])  # fmt: skip
    rows.append([])
    rows.append(["备注：县委书记负责西片大网格，县长负责东片大网格。"])
    return rows


def rubric_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [["考核评分表"], ["编号", "考核项目", "评分标准", "满分"]]
    rows += [[c, cat, f"按{cat}标准评分", m] for c, cat, m in RUBRIC]
    rows.append(["", "合计", "", 100])
    return rows


def write_xlsx(
    path: Path, sheets: dict[str, list[list[Any]]], merges: dict[str, list[str]] | None = None
) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if hasattr(v, "year"):
                    ws.write(r, c, v, date_style)
                else:
                    ws.write(r, c, v)
    wb.save(str(path))
    return path


def write_csv(path: Path, rows: Iterable[list[Any]], encoding: str = "utf-8-sig") -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def monthly_rows(
    month: str = "2019-03", totals_shift: int = 0, grids: Iterable[int] = range(1, 29)
) -> list[list[Any]]:
    """A clean monthly sheet: 月份, 网格 code, A1..A9, 总分; grid g scores decrease with g."""
    rows: list[list[Any]] = [["月份", "网格", *[c for c, _, _ in RUBRIC], "总分"]]
    for g in grids:
        scores = item_scores(g, totals_shift)
        rows.append([month, f"{g:02d}", *scores, sum(scores)])
    return rows


def item_scores(g: int, shift: int = 0) -> list[float]:
    """Deterministic item scores for grid g: full marks minus 0.5 × (g + shift) spread over items."""
    scores = [float(m) for m in MAXIMA]
    lost = (g + shift) % 40
    i = 0
    while lost > 0:
        if scores[i % 9] >= 0.5:
            scores[i % 9] -= 0.5
            lost -= 1
        i += 1
    return scores


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, to prove a refused file changed nothing."""
    if not path.exists():
        return {}
    with db.connect(path) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()]  # fmt: skip
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}


# The slowest modules first (browser, child processes): `make test` runs the suite on two
# workers, one module per worker at a time (--dist loadfile --no-loadscope-reorder), so the
# long ones start at once and the many short ones fill the gaps at the end.
SLOW_FIRST = [
    "test_browser_display.py",
    "test_browser_leaders.py",
    "test_browser_clerk.py",
    "test_writers.py",
    "test_browser_pages.py",
    "test_hostile_files.py",
    "test_browser_upload.py",
    "test_pages_apptest.py",
    "test_browser_coldstart.py",
    "test_browser_lamps.py",
    "test_hostile_text.py",
    "test_bulletin.py",
    "test_notices.py",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: order within a module kept


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test touches data/grid.duckdb: GRID_DB points into the test's own folder."""
    monkeypatch.setenv("GRID_DB", str(tmp_path / "db" / "grid.duckdb"))
    monkeypatch.delenv("GRID_TODAY", raising=False)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return Path(os.environ["GRID_DB"])


@pytest.fixture
def files(tmp_path: Path) -> Path:
    d = tmp_path / "files"
    d.mkdir()
    return d


@pytest.fixture
def seeded(db_file: Path, files: Path) -> Path:
    """A database holding the registry (28 + 3 town grids) and the nine-item rubric."""
    store.load_path(write_xlsx(files / "网格划分表.xlsx", {"网格划分": registry_rows()}), path=db_file)
    store.load_path(write_xlsx(files / "评分细则.xlsx", {"评分细则": rubric_rows()}), path=db_file)
    return db_file


# ---- Appended for test_load_shapes / test_bad_input / test_store / test_cli ----------------


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `seeded` database built once per session (its archive beside it), to be copied."""
    root = tmp_path_factory.mktemp("seeded_template")
    path = root / "db" / "grid.duckdb"
    store.load_path(write_xlsx(root / "网格划分表.xlsx", {"网格划分": registry_rows()}), path=path)
    store.load_path(write_xlsx(root / "评分细则.xlsx", {"评分细则": rubric_rows()}), path=path)
    return path


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the current tables and views and no rows, made once per session, to be
    copied: creating the schema costs about 0.1 CPU-s (DuckDB binds every view), a copy a
    millisecond, and the 89 rule, board and page-part tests (`store`) each start from one."""
    path = tmp_path_factory.mktemp("empty_template") / "grid.duckdb"
    with db.connect(path, create=True):
        pass
    return path


@pytest.fixture
def seeded_copy(seeded_template: Path, db_file: Path) -> Path:
    """Same content as `seeded` (registry, rubric, their archive), copied instead of loaded."""
    import shutil

    shutil.copytree(seeded_template.parent, db_file.parent)
    return db_file
