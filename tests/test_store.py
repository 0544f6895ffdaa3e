"""DATA_CONTRACT §2: batches, supersede, skip, revert, whole-registry batches, the archive,
rebuild, rows never deleted, and two loads at the same moment."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import (
    item_scores,
    monthly_rows,
    registry_rows,
    rubric_rows,
    snapshot,
    write_xlsx,
)

from etl import db
from etl.load import eventlog, rebuild, store
from etl.load.issues import FileRejected

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def seeded(seeded_copy: Path) -> Path:
    """conftest's `seeded` (registry + rubric), copied from one built per session: faster."""
    return seeded_copy


def query(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with db.connect(path) as con:
        return con.execute(sql, params or []).fetchall()


def totals(path: Path, month: str = "2019-03-01") -> dict[str, float]:
    return dict(query(path, "SELECT grid_code, total FROM cur_monthly_score WHERE month = ?", [month]))


def counts(path: Path) -> dict[str, int]:
    """Rows of every storage table (write_txn, one row per write, is bookkeeping)."""
    return {t: len(rows) for t, rows in snapshot(path).items() if t != "write_txn"}


def load(path: Path, db_file: Path, **kwargs: Any) -> store.LoadResult:
    return store.load_path(path, path=db_file, **kwargs)


def march(files: Path, name: str, shift: int = 0, grids: Any = range(1, 29)) -> Path:
    return write_xlsx(files / name, {"3月": monthly_rows("2019-03", shift, grids)})


def expected(shift: int, grids: Any = range(1, 29)) -> dict[str, float]:
    return {f"{g:02d}": sum(item_scores(g, shift)) for g in grids}


# ---- Supersede, skip, revert ----------------------------------------------------------------


def test_corrected_month_for_two_grids_replaces_only_those_two(seeded: Path, files: Path) -> None:
    first = load(march(files, "2019年3月.xlsx"), seeded)
    april = load(write_xlsx(files / "2019年4月.xlsx", {"4月": monthly_rows("2019-04", 1)}), seeded)
    before = counts(seeded)
    fix = load(march(files, "2019年3月（更正）.xlsx", shift=9, grids=[3, 7]), seeded)
    assert (fix.status, fix.row_count, fix.periods) == ("loaded", 2, ["2019-03"])
    assert totals(seeded) == {**expected(0), "03": sum(item_scores(3, 9)), "07": sum(item_scores(7, 9))}
    assert totals(seeded, "2019-04-01") == expected(1)  # another month: untouched
    by_batch = dict(
        query(seeded, "SELECT grid_code, batch_id FROM cur_monthly_score WHERE month = '2019-03-01'")
    )
    assert {g for g, b in by_batch.items() if b == fix.batch_id} == {"03", "07"}
    assert {b for g, b in by_batch.items() if g not in ("03", "07")} == {first.batch_id}
    # The item rows follow their grid's batch: nine items for 03, all from the correction.
    items = query(seeded, "SELECT batch_id, score FROM cur_monthly_item_score WHERE grid_code = '03'"
                  " AND month = '2019-03-01' ORDER BY item_code")  # fmt: skip
    assert items == [(fix.batch_id, s) for s in item_scores(3, 9)]
    # Nothing was deleted: the superseded rows are still stored.
    after = counts(seeded)
    assert after["monthly_score"] == before["monthly_score"] + 2
    assert after["monthly_item_score"] == before["monthly_item_score"] + 18
    assert {
        t: n for t, n in after.items() if t not in ("monthly_score", "monthly_item_score", "batch", "meta")
    } == {
        t: n for t, n in before.items() if t not in ("monthly_score", "monthly_item_score", "batch", "meta")
    }
    assert april.status == "loaded"


def test_identical_file_is_skipped_and_loads_again_after_revert(seeded: Path, files: Path) -> None:
    f = march(files, "2019年3月.xlsx")
    first = load(f, seeded)
    before = snapshot(seeded)
    again = load(f, seeded)
    assert (again.status, again.duplicate_of, again.batch_id, again.row_count) == (
        "skipped",
        first.batch_id,
        None,
        0,
    )
    assert again.summary() == f"2019年3月.xlsx：与已导入的批次 #{first.batch_id} 完全相同，已跳过"
    renamed = files / "三月考核（副本）.xlsx"
    renamed.write_bytes(f.read_bytes())
    assert load(renamed, seeded).status == "skipped"  # the bytes decide, not the name
    assert snapshot(seeded) == before
    store.revert(first.batch_id, path=seeded)
    assert totals(seeded) == {}
    back = load(f, seeded)
    assert (back.status, back.batch_id) == ("loaded", first.batch_id + 1)
    assert totals(seeded) == expected(0)


def test_revert_brings_back_the_superseded_rows(seeded: Path, files: Path) -> None:
    first = load(march(files, "2019年3月.xlsx"), seeded)
    fix = load(march(files, "2019年3月（更正）.xlsx", shift=9, grids=[3, 7]), seeded)
    before = counts(seeded)
    res = store.revert(fix.batch_id, path=seeded, by="张三")
    assert res == {"batch_id": fix.batch_id, "file_name": "2019年3月（更正）.xlsx", "already": False}
    assert totals(seeded) == expected(0)
    assert {b for (b,) in query(seeded, "SELECT DISTINCT batch_id FROM cur_monthly_item_score")} == {
        first.batch_id
    }
    assert query(seeded, "SELECT status, reverted_by, reverted_at IS NOT NULL FROM batch WHERE batch_id = ?",
                 [fix.batch_id]) == [("reverted", "张三", True)]  # fmt: skip
    assert store.revert(fix.batch_id, path=seeded)["already"] is True
    # Rows never deleted: a revert changes only the batch's status.
    assert {t: n for t, n in counts(seeded).items()} == before
    # Reverting the first batch as well leaves March empty.
    store.revert(first.batch_id, path=seeded)
    assert totals(seeded) == {}
    assert counts(seeded) == before


def test_revert_of_an_unknown_batch(seeded: Path) -> None:
    before = snapshot(seeded)
    with pytest.raises(store.NoSuchBatch):
        store.revert(99, path=seeded)
    assert snapshot(seeded) == before


def test_registry_batch_replaces_the_whole_registry_and_keeps_the_old(seeded: Path, files: Path) -> None:
    old = query(seeded, "SELECT batch_id, count(*) FROM grid_registry GROUP BY 1")
    assert [n for _, n in old] == [31]
    rows = registry_rows()[:7]  # title, header and grids 01..05 only
    rows[2][2] = "人民路网格"
    new = load(write_xlsx(files / "网格划分表2020.xlsx", {"网格划分": rows}), seeded)
    assert new.kinds == ["grids"]
    cur = query(seeded, "SELECT grid_code, grid_name FROM cur_grid_registry ORDER BY sort_order")
    assert cur == [("01", "人民路网格"), ("02", "测试2路网格"), ("03", "测试3路网格"), ("04", "测试4路网格"),
                   ("05", "测试5路网格")]  # fmt: skip
    assert query(seeded, "SELECT count(*) FROM grid_registry") == [(36,)]
    assert query(seeded, "SELECT grid_name FROM grid_registry WHERE batch_id = ? AND grid_code = '01'",
                 [old[0][0]]) == [("测试1路网格",)]  # fmt: skip
    # Scores now resolve against the new registry only: grid 06 is no longer known.
    with pytest.raises(FileRejected):
        load(march(files, "2019年3月.xlsx", grids=[6]), seeded)
    store.revert(new.batch_id, path=seeded)
    assert query(seeded, "SELECT count(*) FROM cur_grid_registry") == [(31,)]
    assert load(march(files, "2019年3月.xlsx", grids=[6]), seeded).row_count == 1


def test_rubric_batch_replaces_the_whole_rubric_and_keeps_the_old(seeded: Path, files: Path) -> None:
    rows = rubric_rows()[:5] + [["B1", "工作机制", "新细则", 55]]  # A1..A3 and one new item
    new = load(write_xlsx(files / "评分细则2020.xlsx", {"评分细则": rows}), seeded)
    assert new.row_count == 4
    assert query(seeded, "SELECT item_code, max_points FROM cur_rubric ORDER BY sort_order") == [
        ("A1", 10.0), ("A2", 20.0), ("A3", 15.0), ("B1", 55.0)
    ]  # fmt: skip
    assert query(seeded, "SELECT count(*) FROM rubric_item") == [(13,)]
    store.revert(new.batch_id, path=seeded)
    assert query(seeded, "SELECT count(*) FROM cur_rubric") == [(9,)]


# ---- The archive --------------------------------------------------------------------------------


def test_original_bytes_and_the_log_are_archived_beside_the_database(seeded: Path, files: Path) -> None:
    f = march(files, "2019年3月.xlsx")
    res = load(f, seeded, loaded_by="李四")
    data = f.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    archive = seeded.parent / "archive"
    assert archive == db.archive_dir(seeded)
    name, sha, by = query(seeded, "SELECT archive_name, sha256, loaded_by FROM batch WHERE batch_id = ?",
                          [res.batch_id])[0]  # fmt: skip
    assert (sha, by) == (digest, "李四")
    assert (archive / name).read_bytes() == data
    assert store.archived_file(name, seeded).read_bytes() == data
    store.revert(res.batch_id, path=seeded, by="王五")
    lines = [
        json.loads(line) for line in (archive / "batches.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    # Each event is logged (pending) before its commit, then confirmed by a 'commit' line.
    log = lines[0::2]
    assert [(e["event"], e["batch_id"]) for e in log] == [
        ("load", 1),
        ("load", 2),
        ("load", 3),
        ("revert", 3),
    ]
    assert [(c["event"], c["txn"]) for c in lines[1::2]] == [("commit", e["txn"]) for e in log]
    assert len({e["txn"] for e in log}) == 4
    assert [e["event"] for e in eventlog.committed_events(seeded)] == ["load", "load", "load", "revert"]
    assert {k: log[2][k] for k in ("file_name", "sha256", "archive_name", "loaded_by")} == {
        "file_name": "2019年3月.xlsx", "sha256": digest, "archive_name": name, "loaded_by": "李四"
    }  # fmt: skip
    assert log[3]["by"] == "王五"
    # A refused file is neither archived nor logged.
    with pytest.raises(FileRejected):
        load(
            write_xlsx(files / "坏.xlsx", {"S": [["网格", "A1"], ["第99网格", 5]]}),
            seeded,
            options=store.Options(),
        )
    assert len((archive / "batches.jsonl").read_text(encoding="utf-8").splitlines()) == 8
    names = [r[0] for r in query(seeded, "SELECT DISTINCT archive_name FROM batch")]
    assert sorted(p.name for p in archive.iterdir()) == sorted([*names, "batches.jsonl"])


# ---- Rebuild --------------------------------------------------------------------------------------


def views(path: Path, setting_times: bool = False) -> dict[str, list[str]]:
    """Every view's rows (cur_* and, where they exist, the public views), order-free.

    setting_value.updated_at included."""
    with db.connect(path) as con:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'VIEW' ORDER BY 1"
        ).fetchall()]  # fmt: skip
        out = {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names}
        if "setting_value" in out and not setting_times:
            out["setting_value"] = sorted(
                map(repr, con.execute("SELECT * EXCLUDE (updated_at) FROM setting_value").fetchall())
            )
        return out


def busy_history(seeded: Path, files: Path) -> None:
    """Loads of several kinds, a correction, a setting change and a revert."""
    load(march(files, "2019年3月.xlsx"), seeded)
    load(write_xlsx(files / "2019年4月.xlsx", {"4月": monthly_rows("2019-04", 1)}), seeded, loaded_by="张三")
    fix = load(march(files, "2019年3月（更正）.xlsx", shift=9, grids=[3, 7]), seeded)
    load(march(files, "2019年3月（再更正）.xlsx", shift=11, grids=[7, 8]), seeded)
    load(write_xlsx(files / "志愿服务.xlsx", {"志愿服务": [["网格", "活动日期", "活动名称", "参与人数"],
                                                           ["01", "2019-03-05", "清洁家园", 12]]}), seeded)  # fmt: skip
    load(write_xlsx(files / "年终.xlsx", {"S": [["网格", "年终考核得分"], *[[f"{g:02d}", 80 + g / 2]
                                                                         for g in range(1, 29)]]}),
         seeded, options=store.Options(year=2019))  # fmt: skip
    load(
        write_xlsx(
            files / "报送.xlsx", {"S": [["网格", "报送日期"], ["01", "2019-03-20"], ["02", "2019-04-02"]]}
        ),
        seeded,
    )
    eventlog.change_setting("pass_mark", "65", path=seeded)
    store.revert(fix.batch_id, path=seeded)


def test_rebuild_answers_every_view_alike(seeded: Path, files: Path, tmp_path: Path) -> None:
    busy_history(seeded, files)
    target = tmp_path / "rebuilt" / "grid.duckdb"
    done = rebuild.rebuild(seeded, target)
    assert done == {"loads": 9, "reverts": 1, "settings": 1, "notices": 0}
    original, rebuilt = views(seeded), views(target)
    assert {"cur_monthly_score", "cur_grid_registry", "cur_rubric", "cur_report"} <= set(original)
    assert rebuilt == original
    assert totals(target)["03"] == sum(item_scores(3, 0))  # the reverted correction stays reverted
    assert totals(target)["07"] == sum(item_scores(7, 11))
    # The storage tables match too, apart from when a setting was written and the cache counter.
    a, b = snapshot(seeded), snapshot(target)
    assert {t: r for t, r in a.items() if t not in ("setting", "meta")} == {
        t: r for t, r in b.items() if t not in ("setting", "meta")
    }
    # The copy carries its archive, so it can be rebuilt again.
    assert (target.parent / "archive" / "batches.jsonl").exists()
    # Rebuilt in place (no target), the database still answers every view alike.
    rebuild.rebuild(seeded)
    assert views(seeded) == original
    assert not seeded.with_name(seeded.name + ".rebuild").exists()


def test_rebuild_keeps_when_a_setting_was_changed(seeded: Path, files: Path, tmp_path: Path) -> None:
    eventlog.change_setting("pass_mark", "65", path=seeded)
    target = tmp_path / "rebuilt" / "grid.duckdb"
    rebuild.rebuild(seeded, target)
    assert (
        views(target, setting_times=True)["setting_value"]
        == views(seeded, setting_times=True)["setting_value"]
    )


# ---- Two loads at the same moment -----------------------------------------------------------------


def test_two_processes_loading_at_once(seeded: Path, files: Path) -> None:
    a = march(files, "2019年3月.xlsx")
    b = write_xlsx(files / "2019年4月.xlsx", {"4月": monthly_rows("2019-04", 1)})
    env = {**os.environ, "GRID_DB": str(seeded)}
    procs = [
        subprocess.Popen([sys.executable, "-m", "etl", "load", str(f), "--db", str(seeded)], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for f in (a, b)
    ]  # fmt: skip
    outs = [p.communicate(timeout=60) for p in procs]
    codes = [p.returncode for p in procs]
    for (out, err), code in zip(outs, codes, strict=True):
        assert "Traceback" not in out + err
        assert code == 0 or "数据库正忙" in out, (code, out, err)
    loaded = [r[0] for r in query(seeded, "SELECT file_name FROM batch WHERE batch_id > 2 ORDER BY 1")]
    assert loaded == sorted(f.name for f, code in zip((a, b), codes, strict=True) if code == 0)
    if codes == [0, 0]:
        assert totals(seeded) == expected(0)
        assert totals(seeded, "2019-04-01") == expected(1)
    # The database is whole: it opens and another load works.
    assert (
        load(write_xlsx(files / "2019年5月.xlsx", {"5月": monthly_rows("2019-05")}), seeded).status
        == "loaded"
    )


def test_a_county_database_runs_queries_on_one_thread_a_big_one_on_every_core(
    seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small files: one thread (the parallel operators only cost CPU); big files: all cores.
    The same answers either way."""
    query = "SELECT grid_code, total, rank FROM monthly_ranking ORDER BY month, grid_code"
    with db.connect(seeded) as con:
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
        small = con.execute(query).fetchall()
    monkeypatch.setattr(db, "SMALL_DB_BYTES", 0)
    with db.connect(seeded) as con:
        every_core = duckdb.connect().execute("SELECT current_setting('threads')").fetchone()
        assert con.execute("SELECT current_setting('threads')").fetchone() == every_core
        assert con.execute(query).fetchall() == small
