"""DATA_CONTRACT §4: the command line. Exit codes and messages, as a user at a terminal sees them.

Exit codes of `python -m etl` are checked in real processes (a few, ~1 s each); the rest call
etl.cli.main in-process with the same arguments.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import RUBRIC, item_scores, monthly_rows, registry_rows, write_xlsx
from openpyxl import load_workbook

from etl import cli, db
from etl.load import store

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b[a-z]{3,}\b")


@pytest.fixture
def seeded(seeded_copy: Path) -> Path:
    """conftest's `seeded` (registry + rubric), copied from one built per session: faster."""
    return seeded_copy


def run(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """`python -m etl ARGS` from the project root, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, **kwargs
    )


def main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """etl.cli.main in-process: (exit code, stdout + stderr)."""
    try:
        code = cli.main(list(args))
    except SystemExit as exc:  # argparse: --help and usage errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out + out.err


def query(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with db.connect(path) as con:
        return con.execute(sql, params or []).fetchall()


def bad_file(files: Path) -> Path:
    rows = [["月份", "网格", *[c for c, _, _ in RUBRIC]],
            ["2019-03", "第99网格", *item_scores(1)],
            ["2019-03", "02", 11, *item_scores(2)[1:]]]  # fmt: skip
    return write_xlsx(files / "坏.xlsx", {"S": rows})


BAD_FILE_OUTPUT = [
    "✗ 坏.xlsx：发现 2 个错误，整个文件未导入（数据库没有任何改动）",
    "  [错误] 工作表「S」第2行「网格」列，值「第99网格」："
    "网格名册中没有这个网格；最接近的是：28 测试28路网格、27 测试27路网格、26 测试26路网格。请改为名册中的网格编号或名称（模板中可从下拉列表选择）",
    "  [错误] 工作表「S」第3行「A1」列，值「11」：「A1 公益宣传」得分 11 超过满分 10（网格 02 测试2路网格）",
]


# ---- Help: every command, both languages -----------------------------------------------------


def subcommand_parsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_is_in_the_parser() -> None:
    assert set(subcommand_parsers()) == set(cli.COMMANDS)
    assert {"load", "sample", "history", "revert", "rebuild", "template"} <= set(cli.COMMANDS)


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_every_command_has_help_in_chinese_and_english(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out = main(capsys, command, "--help")
    assert code == 0
    described = cli.COMMANDS[command][1]
    assert described in out
    chinese, english = re.split(r"\s*/\s*", described, maxsplit=1)
    assert CJK.search(chinese) and ENGLISH.search(english)
    assert "--db" in out


SETTINGS_HELP_BUG: tuple = ()


@pytest.mark.parametrize(
    "command",
    [pytest.param(c, marks=SETTINGS_HELP_BUG) if c == "settings" else c for c in sorted(cli.COMMANDS)],
)
def test_every_argument_help_is_in_chinese_and_english(command: str) -> None:
    parser = subcommand_parsers()[command]
    for action in parser._actions:
        if action.help in (None, argparse.SUPPRESS) or isinstance(action, argparse._HelpAction):
            continue
        assert CJK.search(action.help) and re.search(r"[A-Za-z]{3,}", action.help), (action.dest, action.help)


def test_top_level_help_lists_every_command() -> None:
    res = run("--help")
    assert res.returncode == 0
    assert "网格化管理考核看板" in res.stdout and "Grid assessment dashboard" in res.stdout
    for name, (_, text) in cli.COMMANDS.items():
        assert name in res.stdout and text in res.stdout


# ---- load: exit codes -----------------------------------------------------------------------------


def test_load_exit_0_for_loaded_and_skipped(seeded: Path, files: Path) -> None:
    f = write_xlsx(files / "2019年3月.xlsx", {"3月": monthly_rows("2019-03")})
    res = run("load", str(f), str(f), "--db", str(seeded), "--by", "张三")
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.splitlines() == [
        "✓ 2019年3月.xlsx：已导入为批次 #3（月度考核得分，2019-03，28 行）",
        "= 2019年3月.xlsx：与已导入的批次 #3 完全相同，已跳过",
    ]
    assert query(seeded, "SELECT loaded_by, row_count FROM batch WHERE batch_id = 3") == [("张三", 28)]


def test_load_exit_1_for_a_rejected_file_with_its_errors_in_chinese(seeded: Path, files: Path) -> None:
    good = write_xlsx(files / "2019年3月.xlsx", {"3月": monthly_rows("2019-03")})
    res = run("load", str(bad_file(files)), str(good), "--db", str(seeded))
    assert res.returncode == 1
    assert res.stdout.splitlines() == [
        *BAD_FILE_OUTPUT,
        "✓ 2019年3月.xlsx：已导入为批次 #3（月度考核得分，2019-03，28 行）",
    ]
    assert "Traceback" not in res.stderr
    assert query(seeded, "SELECT file_name FROM batch WHERE batch_id > 2") == [("2019年3月.xlsx",)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2019-13"], "月份格式不对：2019-13（应为 YYYY-MM，如 2018-05）"),
        (["--month", "五月"], "月份格式不对：五月（应为 YYYY-MM，如 2018-05）"),
        (["--year", "18"], "年度格式不对：18（应为 YYYY，如 2018）"),
        (["--kind", "scores"], "invalid choice: 'scores'"),
    ],
)
def test_load_exit_2_for_usage_errors(
    capsys: pytest.CaptureFixture[str], files: Path, args: list[str], message: str
) -> None:
    code, out = main(capsys, "load", str(files / "x.xlsx"), *args)
    assert code == 2
    assert message in out


def test_load_exit_2_in_a_real_process(files: Path) -> None:
    res = run("load", str(files / "x.xlsx"), "--month", "2019-13")
    assert res.returncode == 2
    assert "月份格式不对：2019-13（应为 YYYY-MM，如 2018-05）" in res.stderr
    assert "Traceback" not in res.stderr
    assert run().returncode == 2  # no command at all


def test_rejected_file_errors_go_to_the_current_stdout(
    capsys: pytest.CaptureFixture[str], seeded: Path, files: Path
) -> None:
    code, out = main(capsys, "load", str(bad_file(files)), "--db", str(seeded))
    assert code == 1
    assert out.splitlines() == BAD_FILE_OUTPUT


def test_load_month_year_and_kind_options(
    capsys: pytest.CaptureFixture[str], seeded: Path, files: Path
) -> None:
    rows = [r[1:] for r in monthly_rows("", grids=range(1, 4))]  # no 月份 column, no month anywhere
    code, out = main(capsys, "load", str(write_xlsx(files / "考核表.xlsx", {"S": rows})), "--month", "2019.5")
    assert (code, out) == (0, "✓ 考核表.xlsx：已导入为批次 #3（月度考核得分，2019-05，3 行）\n")
    annual = write_xlsx(files / "年终.xlsx", {"S": [["网格", "得分"], ["01", 91], ["02", 92]]})
    code, out = main(capsys, "load", str(annual), "--year", "2018年", "--kind", "annual_scores")
    assert (code, out) == (0, "✓ 年终.xlsx：已导入为批次 #4（年终考核得分，2018，2 行）\n")
    assert query(seeded, "SELECT year, grid_code, year_end FROM cur_annual_score ORDER BY 2") == [
        (2018, "01", 91.0),
        (2018, "02", 92.0),
    ]
    # The options are kept with the batch, so that rebuild repeats them.
    options = store.Options.from_json(query(seeded, "SELECT options FROM batch WHERE batch_id = 3")[0][0])
    assert options == store.Options(month=date(2019, 5, 1))


# ---- history, revert, rebuild, template ----------------------------------------------------------


def test_history_lists_batches(capsys: pytest.CaptureFixture[str], seeded: Path, files: Path) -> None:
    f = write_xlsx(files / "2019年3月.xlsx", {"3月": monthly_rows("2019-03")})
    store.load_path(f, path=seeded, loaded_by="张三")
    store.revert(3, path=seeded)
    code, out = main(capsys, "history", "--db", str(seeded))
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["#3", "#2", "#1"]
    assert re.fullmatch(r"#3 +\d{4}-\d\d-\d\d \d\d:\d\d +已撤销 +张三 +2019年3月\.xlsx +\[月度考核得分\] 县城 2019-03 +28 行",
                        lines[0])  # fmt: skip
    assert (
        "有效" in lines[1] and "评分细则.xlsx" in lines[1] and "[评分细则]" in lines[1] and "9 行" in lines[1]
    )
    assert "[网格名册] 县城,官渡镇" in lines[2] and "31 行" in lines[2]


def test_history_of_an_empty_and_of_a_missing_database(
    capsys: pytest.CaptureFixture[str], db_file: Path, tmp_path: Path
) -> None:
    store.init_db(db_file)
    assert main(capsys, "history") == (0, "还没有导入任何文件。\n")
    missing = tmp_path / "nowhere" / "grid.duckdb"
    # DATA_CONTRACT §4: history exits 0; a database not built yet simply has no batches.
    assert main(capsys, "history", "--db", str(missing)) == (0, "还没有导入任何文件（数据库尚未建立）。\n")
    assert not missing.exists()


def test_revert_exit_0_and_1(capsys: pytest.CaptureFixture[str], seeded: Path, files: Path) -> None:
    store.load_path(write_xlsx(files / "2019年3月.xlsx", {"3月": monthly_rows("2019-03")}), path=seeded)
    assert main(capsys, "revert", "3", "--db", str(seeded), "--by", "李四") == (
        0, "✓ 已撤销批次 #3（2019年3月.xlsx）：其数据不再计入，被它替换的数据恢复有效\n"
    )  # fmt: skip
    assert query(seeded, "SELECT status, reverted_by FROM batch WHERE batch_id = 3") == [("reverted", "李四")]
    assert query(seeded, "SELECT count(*) FROM cur_monthly_score") == [(0,)]
    assert main(capsys, "revert", "3", "--db", str(seeded)) == (
        0,
        "批次 #3（2019年3月.xlsx）此前已撤销，未作改动\n",
    )
    assert main(capsys, "revert", "99", "--db", str(seeded)) == (
        1, "没有编号为 #99 的批次（用 python -m etl history 查看批次）\n"
    )  # fmt: skip
    code, out = main(capsys, "revert", "三", "--db", str(seeded))
    assert code == 2 and "invalid int value: '三'" in out


def test_rebuild_command(capsys: pytest.CaptureFixture[str], seeded: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy" / "grid.duckdb"
    assert main(capsys, "rebuild", "--db", str(seeded), "--to", str(target)) == (
        0, f"✓ 已从存档重建数据库 {target}：重放 2 次导入、0 次撤销、0 次设置修改\n"
    )  # fmt: skip
    assert query(target, "SELECT count(*) FROM cur_grid_registry") == [(31,)]


def test_template_writes_a_workbook(capsys: pytest.CaptureFixture[str], seeded: Path, files: Path) -> None:
    out_file = files / "模板" / "志愿服务模板.xlsx"
    code, out = main(capsys, "template", "volunteer", "-o", str(out_file), "--db", str(seeded))
    assert (code, out) == (0, f"✓ 已生成「志愿服务」模板：{out_file}\n")
    wb = load_workbook(out_file)
    assert wb.sheetnames == ["填写说明", "志愿服务", "选项"]
    assert [c.value for c in wb["志愿服务"][1]] == [
        "网格",
        "活动日期",
        "活动名称",
        "组织单位",
        "参与人数",
        "服务时长",
    ]
    code, out = main(capsys, "template", "nonsense", "-o", str(out_file))
    assert code == 2 and "invalid choice: 'nonsense'" in out


def test_template_in_a_real_process(files: Path, db_file: Path) -> None:
    out_file = files / "月度模板.xlsx"
    res = run("template", "monthly_scores", "-o", str(out_file))
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout == f"✓ 已生成「月度考核得分」模板：{out_file}\n"
    assert load_workbook(out_file).sheetnames == ["填写说明", "月度考核", "选项"]
    assert not db_file.exists()  # writing a template creates no database


# ---- Which database: --db and GRID_DB ---------------------------------------------------------------


def test_db_option_and_grid_db_variable_are_honoured(
    capsys: pytest.CaptureFixture[str],
    seeded: Path,
    files: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    f = write_xlsx(files / "2019年3月.xlsx", {"3月": monthly_rows("2019-03")})
    # GRID_DB (conftest points it at the seeded database) is used when --db is absent.
    assert main(capsys, "load", str(f))[0] == 0
    assert query(seeded, "SELECT count(*) FROM cur_monthly_score") == [(28,)]
    # --db wins over GRID_DB: the batch goes to that file, the GRID_DB database is untouched.
    other = tmp_path / "other" / "grid.duckdb"
    registry = write_xlsx(files / "网格划分表.xlsx", {"网格划分": registry_rows()})
    assert main(capsys, "load", str(registry), "--db", str(other))[0] == 0
    assert query(other, "SELECT batch_id, file_name FROM batch") == [(1, "网格划分表.xlsx")]
    assert query(seeded, "SELECT count(*) FROM batch") == [(3,)]
    assert (other.parent / "archive" / "batches.jsonl").exists()
    monkeypatch.setenv("GRID_DB", str(other))
    assert [line.split()[0] for line in main(capsys, "history")[1].splitlines()] == ["#1"]
    monkeypatch.delenv("GRID_DB")
    assert db.db_path() == db.DEFAULT_DB


def test_grid_db_variable_in_a_real_process(seeded: Path, files: Path) -> None:
    res = run("history", env={**os.environ, "GRID_DB": str(seeded)})
    assert res.returncode == 0
    assert [line.split()[0] for line in res.stdout.splitlines()] == ["#2", "#1"]
