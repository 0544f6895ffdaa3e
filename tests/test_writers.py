"""One writer at a time, crash safety of the database and its archive log, rebuild, and a
DuckDB file held by another program (issue 10, parts 2, 3 and 7).

The crash tests stop a real `python -m etl load` / `revert` process with SIGKILL at each step
of the write (GRID_FAULT), then let the next writer reconcile and check that the log, the
archive folder and a rebuilt database all agree with the live database, view by view."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import monthly_rows, registry_rows, rubric_rows, write_xlsx
from test_store import views

from etl import cli, db
from etl.load import eventlog, rebuild, store

ROOT = Path(__file__).resolve().parent.parent
KILLED = -signal.SIGKILL if hasattr(signal, "SIGKILL") else 137


# ---- A database with some history, copied for each test ---------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Registry, rubric, March and April, a correction that is then reverted, a setting."""
    root = tmp_path_factory.mktemp("writers")
    p = root / "db" / "grid.duckdb"
    f = root / "files"
    f.mkdir()
    store.load_path(write_xlsx(f / "网格划分表.xlsx", {"网格划分": registry_rows()}), path=p)
    store.load_path(write_xlsx(f / "评分细则.xlsx", {"评分细则": rubric_rows()}), path=p)
    store.load_path(write_xlsx(f / "2019年3月.xlsx", {"3月": monthly_rows("2019-03")}), path=p)
    store.load_path(write_xlsx(f / "2019年4月.xlsx", {"4月": monthly_rows("2019-04", 1)}), path=p)
    fix = store.load_path(write_xlsx(f / "3月更正.xlsx", {"3月": monthly_rows("2019-03", 7, [2, 5])}), path=p)
    eventlog.change_setting("pass_mark", "65", path=p)
    assert fix.batch_id is not None
    store.revert(fix.batch_id, path=p)
    return p


@pytest.fixture
def live(template: Path, db_file: Path) -> Path:
    shutil.copytree(template.parent, db_file.parent)
    return db_file


def may_file(files: Path, shift: int = 0) -> Path:
    return write_xlsx(files / f"2019年5月_{shift}.xlsx", {"5月": monthly_rows("2019-05", shift)})


def etl(*args: str, db_path: Path, **env: str) -> subprocess.Popen[str]:
    """`python -m etl ARGS --db DB` started in its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "etl", *args, "--db", str(db_path)],
        cwd=ROOT, env={**os.environ, **env}, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str]:
    out, err = proc.communicate(timeout=timeout)
    assert "Traceback" not in out + err, out + err
    return proc.returncode, out


def batches(p: Path) -> list[tuple[Any, ...]]:
    with db.connect(p) as con:
        return con.execute(
            "SELECT batch_id, file_name, sha256, status FROM batch ORDER BY batch_id"
        ).fetchall()


def archived(p: Path) -> set[str]:
    return {f.name for f in db.archive_dir(p).iterdir() if f.name != eventlog.LOG_NAME}


def assert_log_agrees(p: Path) -> None:
    """Nothing pending; the confirmed loads and reverts are exactly the database's; the archive
    holds exactly the files of the batches."""
    entries = eventlog.read_log(p)
    assert eventlog._outcomes(entries)[1] == []
    events = eventlog.committed_events(p)
    rows = batches(p)
    assert [(e["batch_id"], e["sha256"]) for e in events if e["event"] == "load"] == [
        (b, s) for b, _, s, _ in rows
    ]
    assert sorted(e["batch_id"] for e in events if e["event"] == "revert") == [
        b for b, _, _, status in rows if status == "reverted"
    ]
    with db.connect(p) as con:
        names = {r[0] for r in con.execute("SELECT archive_name FROM batch").fetchall()}
    assert archived(p) == names


def wait_for_writer(p: Path, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    """Until proc holds the writer lock (or has ended)."""
    deadline = time.monotonic() + timeout
    while not db.writer_active(p):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


# ---- Crash at every step of a load and of a revert ------------------------------------------------

LOAD_STEPS = ["after_archive", "after_pending", "after_commit", "after_confirm"]
REVERT_STEPS = ["after_pending", "after_commit", "after_confirm"]


@pytest.mark.parametrize("step", LOAD_STEPS)
def test_load_killed_at_each_step_then_rebuild_reproduces_the_views(
    live: Path, files: Path, step: str
) -> None:
    before = batches(live)
    may = may_file(files)
    code, out = finish(etl("load", str(may), db_path=live, GRID_FAULT=step))
    assert code == KILLED and "✓" not in out  # never reported as loaded
    committed = step in ("after_commit", "after_confirm")
    assert len(batches(live)) == len(before) + committed
    # The next writer reconciles the log with the database.
    eventlog.change_setting("notice_due_days", "9", path=live)
    assert_log_agrees(live)  # and the archive: a copy written before the crash is gone
    expected = views(live, setting_times=True)
    listing = batches(live)
    rebuild.rebuild(live)
    assert views(live, setting_times=True) == expected
    assert batches(live) == listing
    assert_log_agrees(live)
    # The same file loads afterwards (again a new batch when the first attempt was lost).
    res = store.load_path(may, path=live)
    assert res.status == ("skipped" if committed else "loaded")


@pytest.mark.parametrize("step", REVERT_STEPS)
def test_revert_killed_at_each_step_then_rebuild_reproduces_the_views(live: Path, step: str) -> None:
    code, out = finish(etl("revert", "3", db_path=live, GRID_FAULT=step))
    assert code == KILLED and "✓" not in out
    reverted = step in ("after_commit", "after_confirm")
    assert batches(live)[2][3] == ("reverted" if reverted else "active")
    fixed = eventlog.recover(live)
    assert (fixed["confirmed"], fixed["aborted"]) == {
        "after_pending": (0, 1), "after_commit": (1, 0), "after_confirm": (0, 0)
    }[step]  # fmt: skip
    assert_log_agrees(live)
    expected, listing = views(live, setting_times=True), batches(live)
    assert rebuild.rebuild(live)["reverts"] == 1 + reverted
    assert (views(live, setting_times=True), batches(live)) == (expected, listing)


def test_a_cut_log_line_and_an_orphan_file_are_cleaned_up(live: Path, files: Path) -> None:
    """A crash in the middle of writing a log line, and a half-written archive copy."""
    log = db.archive_dir(live) / eventlog.LOG_NAME
    with open(log, "ab") as fh:
        fh.write(b'{"event": "load", "batch_id": 99, "txn": "cut sho')
    (db.archive_dir(live) / "0123456789abcdef0123.xlsx.tmp").write_bytes(b"half")
    (db.archive_dir(live) / "0123456789abcdef0123.xlsx").write_bytes(b"orphan")
    assert eventlog.recover(live)["removed"] == 2
    res = store.load_path(may_file(files), path=live)
    assert res.status == "loaded"
    assert_log_agrees(live)
    assert eventlog.committed_events(live)[-1]["batch_id"] == res.batch_id


def test_an_event_logged_twice_is_replayed_once(live: Path) -> None:
    log = db.archive_dir(live) / eventlog.LOG_NAME
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    log.write_text("".join(lines[:6] + lines[4:]), encoding="utf-8")  # batch #3 and its commit again
    expected, listing = views(live, setting_times=True), batches(live)
    assert rebuild.rebuild(live)["loads"] == 5
    assert (views(live, setting_times=True), batches(live)) == (expected, listing)


def test_a_log_written_before_transaction_ids_still_rebuilds(live: Path) -> None:
    """Archives of earlier versions (one line per event, no ids, no commit lines)."""
    import json

    log = db.archive_dir(live) / eventlog.LOG_NAME
    old = [
        {k: v for k, v in e.items() if k != "txn"}
        for e in map(json.loads, log.read_text(encoding="utf-8").splitlines())
        if e["event"] != "commit"
    ]
    log.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in old), encoding="utf-8")
    expected, listing = views(live, setting_times=True), batches(live)
    assert rebuild.rebuild(live) == {"loads": 5, "reverts": 1, "settings": 1, "notices": 0}
    assert (views(live, setting_times=True), batches(live)) == (expected, listing)
    assert eventlog.recover(live) == {"confirmed": 0, "aborted": 0, "removed": 0}


# ---- One writer at a time -------------------------------------------------------------------------


def test_two_rebuilds_at_once_keep_every_batch(live: Path) -> None:
    expected, listing = views(live, setting_times=True), batches(live)
    first = etl("rebuild", db_path=live, GRID_PAUSE="rebuild_replayed:2")
    wait_for_writer(live, first)
    second = etl("rebuild", db_path=live)
    for proc in (first, second):
        code, out = finish(proc)
        assert code == 0 and "✓ 已从存档重建数据库" in out, out
    assert (views(live, setting_times=True), batches(live)) == (expected, listing)
    assert not live.with_name(live.name + ".rebuild").exists()
    assert len(list(live.parent.glob("backup-rebuild-*"))) == 2


def test_a_load_during_a_rebuild_waits_and_is_kept(live: Path, files: Path) -> None:
    rebuilding = etl("rebuild", db_path=live, GRID_PAUSE="rebuild_replayed:2")
    wait_for_writer(live, rebuilding)
    load = etl("load", str(may_file(files)), db_path=live)
    code, out = finish(load)
    assert code == 0 and "已导入为批次 #6" in out, out
    assert finish(rebuilding)[0] == 0
    assert batches(live)[-1][:2] == (6, "2019年5月_0.xlsx")
    assert_log_agrees(live)
    expected = views(live, setting_times=True)
    rebuild.rebuild(live)
    assert views(live, setting_times=True) == expected


def test_a_load_that_cannot_wait_is_refused_in_chinese_and_leaves_nothing(live: Path, files: Path) -> None:
    before = batches(live)
    rebuilding = etl("rebuild", db_path=live, GRID_PAUSE="rebuild_replayed:8")
    wait_for_writer(live, rebuilding)
    code, out = finish(etl("load", str(may_file(files)), db_path=live, GRID_BUSY_WAIT="0.5"))
    assert code == 1 and "数据库正忙：另一个导入、重建或修改正在进行，请稍后重试" in out, out
    assert "已导入" not in out
    assert finish(rebuilding)[0] == 0
    assert batches(live) == before
    assert_log_agrees(live)


def test_two_loads_at_once_are_both_kept(live: Path, files: Path) -> None:
    procs = [etl("load", str(may_file(files, shift)), db_path=live) for shift in (0, 3)]
    outs = [finish(p) for p in procs]
    assert [code for code, _ in outs] == [0, 0], outs
    assert sorted(b[1] for b in batches(live)[-2:]) == ["2019年5月_0.xlsx", "2019年5月_3.xlsx"]
    assert_log_agrees(live)


def test_every_writer_takes_the_same_lock(live: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While another process holds the writer lock, each writing function says "busy"."""
    from etl import auth
    from etl.load import notice_events, sample

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from filelock import FileLock; l = FileLock(sys.argv[1]);"
         " l.acquire(); print('held', flush=True); time.sleep(60)", str(live) + ".lock"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(db, "BUSY_WAIT_SECONDS", 0.3)
        writes = [
            lambda: store.load_path(may_file(files), path=live),
            lambda: store.revert(3, path=live),
            lambda: eventlog.change_setting("pass_mark", "70", path=live),
            lambda: rebuild.rebuild(live),
            lambda: notice_events.issue_notices("县城", "2019-03", path=live),
            lambda: notice_events.record_response("x", path=live),
            lambda: sample.build_sample_db(live, force=True),
            lambda: sample.clear_sample_db(live),
        ]
        for write in writes:
            with pytest.raises(db.DatabaseBusy) as caught:
                write()
            assert not isinstance(caught.value, db.DatabaseLocked)
        code, out = finish(etl("passwd", "张三", "--password-stdin", db_path=live, GRID_BUSY_WAIT="0.3"))
        assert (code, out.strip()) == (1, f"✗ {db.BUSY_MESSAGE}")
        assert not auth.users_path(live).exists()
    finally:
        holder.kill()
        holder.wait()
    assert len(batches(live)) == 5


# ---- Rebuild failures -----------------------------------------------------------------------------


def test_rebuild_with_a_missing_archive_file_changes_nothing(live: Path) -> None:
    expected, listing = views(live, setting_times=True), batches(live)
    gone = db.archive_dir(live) / eventlog.committed_events(live)[2]["archive_name"]
    gone.unlink()
    code, out = finish(etl("rebuild", db_path=live))
    assert code == 1
    assert out.strip() == (
        f"✗ 存档文件缺失：{gone}（批次 #3「2019年3月.xlsx」），无法重建；数据库未作任何改动"
    )
    assert (views(live, setting_times=True), batches(live)) == (expected, listing)
    assert [f.name for f in live.parent.iterdir() if f.is_file() and f.suffix != ".lock"] == ["grid.duckdb"]
    assert not list(live.parent.glob("backup-*"))


def test_rebuild_refuses_to_drop_batches_the_log_does_not_know(live: Path) -> None:
    expected, listing = views(live, setting_times=True), batches(live)
    log = db.archive_dir(live) / eventlog.LOG_NAME
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    log.write_text("".join(lines[:4] + lines[6:]), encoding="utf-8")  # batch #3 left out
    with pytest.raises(rebuild.RebuildFailed) as caught:
        rebuild.rebuild(live)
    assert str(caught.value) == (
        f"存档日志 {log} 中没有批次 #3「2019年3月.xlsx」的记录，重建会丢失它们，已停止；数据库未作任何改动"
    )
    assert (views(live, setting_times=True), batches(live)) == (expected, listing)
    log.unlink()
    with pytest.raises(rebuild.RebuildFailed, match="等 5 个批次|#1「网格划分表.xlsx」"):
        rebuild.rebuild(live)
    assert batches(live) == listing


# ---- A DuckDB file held by another program --------------------------------------------------------


@pytest.fixture
def shell(live: Path, request: pytest.FixtureRequest) -> Iterator[subprocess.Popen[str]]:
    """Another program with the database open (read-only, as `duckdb -readonly` does, or
    read-write), holding it until killed."""
    read_only = getattr(request, "param", True)
    proc = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == '1');"
         " print('open', flush=True); time.sleep(120)", str(live), "1" if read_only else "0"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
    yield proc
    proc.kill()
    proc.wait()


@pytest.mark.parametrize("shell", [True, False], ids=["read_only", "read_write"], indirect=True)
def test_a_file_held_by_another_program_is_named_within_five_seconds(
    live: Path, shell: subprocess.Popen[str]
) -> None:
    start = time.monotonic()
    with pytest.raises(db.DatabaseLocked) as caught, db.connect(live):
        pass
    took = time.monotonic() - start
    assert took < 5.0, took
    assert str(caught.value).startswith(db.LOCKED_MESSAGE)
    assert f"进程号 {shell.pid}" in str(caught.value)
    # Asked again at once (a page reads several times), it answers without waiting again.
    start = time.monotonic()
    with pytest.raises(db.DatabaseLocked):
        store.history(live)
    assert time.monotonic() - start < 1.0
    shell.kill()
    shell.wait()
    assert len(store.history(live)) == 5


def test_the_command_line_names_the_other_program(live: Path, shell: subprocess.Popen[str]) -> None:
    code, out = finish(etl("revert", "3", db_path=live))
    assert code == 1
    assert out.startswith(f"✗ {db.LOCKED_MESSAGE}（占用程序：python")
    shell.kill()
    shell.wait()
    assert batches(live)[2][3] == "active"
    assert_log_agrees(live)


OUR_HOLDERS = {
    # A writer of ours between taking the writer lock and finishing its transaction.
    "writer": "from filelock import FileLock; l = FileLock(p + '.lock'); l.acquire(); c = duckdb.connect(p)",
    # A reader of ours taking its time (the command line writing a bulletin, a slow page).
    "reader": "from etl import db; cm = db.connect(p); c = cm.__enter__()",
}


@pytest.mark.parametrize("holder", OUR_HOLDERS)
def test_our_own_writer_or_reader_is_not_blamed_on_another_program(
    live: Path, monkeypatch: pytest.MonkeyPatch, holder: str
) -> None:
    """A locked file held by one of our processes means "busy" after the wait, not "another
    program"."""
    proc = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys, time; p = sys.argv[1]; {OUR_HOLDERS[holder]};"
         " print('held', flush=True); time.sleep(60)", str(live)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        monkeypatch.setattr(db, "BUSY_WAIT_SECONDS", 5.0)
        start = time.monotonic()
        with pytest.raises(db.DatabaseBusy) as caught:
            store.history(live)
        assert type(caught.value) is db.DatabaseBusy
        assert str(caught.value) == db.BUSY_MESSAGE
        assert time.monotonic() - start > 4.5  # it waited for us, past the 3 s rule for others
    finally:
        proc.kill()
        proc.wait()
    assert len(store.history(live)) == 5


def test_a_page_says_so_within_five_seconds(
    live: Path, template: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    def ranking_page() -> tuple[AppTest, float]:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        at.switch_page("pages/ranking.py")
        start = time.monotonic()
        at.run()
        return at, time.monotonic() - start

    waits: list[float] = []
    real_open = db._open

    def timed_open(p: Path, **kwargs: Any) -> Any:
        start = time.monotonic()
        try:
            return real_open(p, **kwargs)
        finally:
            waits.append(time.monotonic() - start)

    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    try:
        # Once on another database, so that the imports of a first run are not counted.
        monkeypatch.setenv("GRID_DB", str(template))
        ranking_page()
        monkeypatch.setenv("GRID_DB", str(live))
        holder = request.getfixturevalue("shell")
        monkeypatch.setattr(db, "_open", timed_open)
        at, took = ranking_page()
    finally:
        config.set_option("server.address", before)
    assert not at.exception
    shown = [w.value for w in at.warning]
    assert len(shown) == 1 and shown[0].startswith(db.LOCKED_MESSAGE), shown
    assert f"进程号 {holder.pid}" in shown[0]
    # Not 61 s: one wait of about 3 s for the lock, then the message at once. (The wall time
    # adds the page's own run, slow on a busy test machine.)
    assert 0 < sum(waits) < 5.0, waits
    assert took < 15.0, took


# ---- python -m etl sql, history | head ------------------------------------------------------------


def test_sql_reads_without_locking_and_refuses_writes(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = finish(etl("sql", "SELECT grid_code, total, rank FROM monthly_ranking WHERE month = '2019-04-01'"
                           " ORDER BY rank LIMIT 3", db_path=live))  # fmt: skip
    assert code == 0
    assert out.split("\n")[0].split() == ["grid_code", "total", "rank"]
    assert [line.split()[0] for line in out.strip().split("\n")[1:]] == ["01", "02", "03"]
    csv = tmp_path / "out" / "排名.csv"
    code, out = finish(etl("sql", "FROM grid", "--csv", str(csv), db_path=live))
    assert (code, out.strip()) == (0, f"✓ 已导出 31 行到 {csv}（UTF-8 CSV，可用 Excel 打开）")
    assert csv.read_bytes().startswith(b"\xef\xbb\xbfarea,grid_code,")
    before = views(live, setting_times=True)
    refused = {
        "DELETE FROM batch": "（收到 DELETE 语句）",
        "UPDATE batch SET status = 'reverted'": "（收到 UPDATE 语句）",
        "SELECT 1; DROP TABLE batch": "一次只能执行一条查询语句，收到 2 条",
        f"COPY batch TO '{tmp_path / 'x.csv'}'": "（收到 COPY 语句）",
        f"ATTACH '{tmp_path / 'other.duckdb'}'": "（收到 ATTACH 语句）",
        "SELEC 1": "查询语句有语法错误",
    }
    for query, message in refused.items():
        code = cli.main(["sql", query, "--db", str(live)])
        out = capsys.readouterr().out
        assert code == 1 and out.startswith("✗ ") and message in out, (query, out)
    assert views(live, setting_times=True) == before
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "other.duckdb").exists()


def test_history_into_a_closed_pipe_prints_no_traceback(live: Path) -> None:
    """`python -m etl history | head -0`: the reader has gone before the listing is written."""
    r, w = os.pipe()
    proc = subprocess.Popen([sys.executable, "-m", "etl", "history", "--db", str(live)], cwd=ROOT,
                            stdout=w, stderr=subprocess.PIPE, text=True)  # fmt: skip
    os.close(w)
    os.close(r)
    _, err = proc.communicate(timeout=120)
    assert err == ""
    assert proc.returncode == 0
