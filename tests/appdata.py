"""A small but complete database for page tests: 28 + 3 grids, three checked months of 2019,
reports, volunteer activities, problems and year-end scores, loaded through the real loader."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

from etl.load import store
from tests.conftest import monthly_rows, registry_rows, rubric_rows, write_xlsx

MONTHS = ["2019-01", "2019-02", "2019-03"]


_TEMPLATE: list[Path] = []  # the first build of this test session, copied by later ones


def build(db_file: Path, folder: Path) -> Path:
    """The fixture database at db_file (its archive and log beside it) and the fixture files in
    folder. The first call of a session loads the files through the real loader; later calls
    copy what it produced, which is the same and takes a fraction of the time."""
    if not _TEMPLATE:
        root = Path(tempfile.mkdtemp(prefix="appdata-"))
        atexit.register(shutil.rmtree, root, True)
        load(root / "db" / "grid.duckdb", root / "files")
        _TEMPLATE.append(root)
    root = _TEMPLATE[0]
    db_file.parent.mkdir(parents=True, exist_ok=True)
    for item in (root / "db").iterdir():
        target = db_file.parent / item.name.replace("grid.duckdb", db_file.name)
        if item.is_dir():
            shutil.copytree(item, target, dirs_exist_ok=True)
        elif not item.name.endswith(".lock"):
            shutil.copy2(item, target)
    shutil.copytree(root / "files", folder, dirs_exist_ok=True)
    return db_file


def load(db_file: Path, folder: Path) -> Path:
    """Load the fixture files into db_file (created); returns db_file."""
    folder.mkdir(parents=True, exist_ok=True)
    store.load_path(write_xlsx(folder / "网格划分表.xlsx", {"网格划分": registry_rows()}), path=db_file)
    store.load_path(write_xlsx(folder / "评分细则.xlsx", {"评分细则": rubric_rows()}), path=db_file)
    for i, month in enumerate(MONTHS):
        # Grid g loses (g + 3*i) % 40 half points: ranks shift a little every month; grid 05
        # is missing in February (缺检).
        grids = [g for g in range(1, 29) if not (month == "2019-02" and g == 5)]
        rows = monthly_rows(month, totals_shift=3 * i, grids=grids)
        store.load_path(write_xlsx(folder / f"{month}_月度考核.xlsx", {"月度考核": rows}), path=db_file)
    reports = [["网格", "所属月份", "报送日期", "信息标题"]]
    volunteer = [["网格", "活动日期", "活动名称", "组织单位", "参与人数", "服务时长"]]
    problems = [["网格", "发现日期", "问题类别", "问题描述", "整改期限", "整改完成日期"]]
    for month in MONTHS:
        y, m = int(month[:4]), int(month[5:])
        for g in range(1, 29):
            if not (g == 7 and m == 3):  # grid 07 never reports in March
                day = 20 if g % 5 else 27  # every fifth grid late
                reports.append([f"{g:02d}", month, date(y, m, day), f"网格{g}工作动态"])
            if g % 4:  # every fourth grid has no volunteer activity
                volunteer.append([f"{g:02d}", date(y, m, 10), "清洁家园", "县文明办", 12, 2.5])
            found = date(y, m, 5)
            done = found + timedelta(days=3) if g % 3 else None
            problems.append([f"{g:02d}", found, "环境卫生", "垃圾堆放", found + timedelta(days=7), done])
    store.load_path(write_xlsx(folder / "信息报送.xlsx", {"信息报送": reports}), path=db_file)
    store.load_path(
        write_xlsx(folder / "志愿服务与问题.xlsx", {"志愿服务": volunteer, "问题台账": problems}),
        path=db_file,
    )
    annual = [["2019年度年终考核得分"], ["网格", "年终考核得分"]]
    annual += [[f"{g:02d}", 95 - g] for g in range(1, 28)]  # grid 28 has no year-end score
    store.load_path(write_xlsx(folder / "2019年终考核.xlsx", {"年终考核": annual}), path=db_file)
    return db_file
