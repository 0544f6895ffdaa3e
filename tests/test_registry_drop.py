"""Issue 10 §6: a registry that leaves out grids with history is refused unless allowed on
purpose (--allow-drop, the page's confirmation); an area renamed counts the same; rebuild
replays an allowed drop with the same option."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import monthly_rows, registry_rows, write_xlsx
from streamlit.testing.v1 import AppTest

from etl import cli, db
from etl.load import eventlog, rebuild, registry_guard, store
from etl.load.issues import FileRejected

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def history_db(seeded_copy: Path, files: Path) -> Path:
    """Three checked months for the 28 county-seat grids, one report month for 官渡1."""
    for month in ("2019-01", "2019-02", "2019-03"):
        store.load_path(
            write_xlsx(files / f"{month}.xlsx", {"月度考核": monthly_rows(month)}), path=seeded_copy
        )
    reports = [["网格", "所属月份", "报送日期", "信息标题"], ["官渡1", "2019-03", date(2019, 3, 20), "动态"]]
    store.load_path(write_xlsx(files / "报送.xlsx", {"信息报送": reports}), path=seeded_copy)
    return seeded_copy


def registry_without(*codes: str, area: str | None = None) -> list[list[Any]]:
    rows = registry_rows()
    out = rows[:2]
    for r in rows[2:]:
        if len(r) > 1 and str(r[1]) in codes:
            continue
        if area and len(r) > 3 and r[3] == "县城":
            r = [*r[:3], area, *r[4:]]
        out.append(r)
    return out


def registry_codes(path: Path) -> set[tuple[str, str]]:
    with db.connect(path) as con:
        return set(con.execute("SELECT area, grid_code FROM cur_grid_registry").fetchall())


def test_dropping_grids_with_history_is_refused_naming_each(history_db: Path, files: Path) -> None:
    f = write_xlsx(files / "新名册.xlsx", {"网格划分": registry_without("07", "官渡1", "官渡3")})
    with pytest.raises(FileRejected) as info:
        store.load_path(f, path=history_db)
    messages = [(i.sheet, i.message) for i in info.value.errors]
    assert messages == [
        ("网格划分", "新名册缺少网格 07 测试7路网格（县城，已有 3 个月的考核记录）"),
        (
            "网格划分",
            "新名册缺少网格 官渡1 官渡1片网格（官渡镇，已有 1 个月的报送、志愿服务、问题或路灯记录）",
        ),
        ("网格划分", registry_guard.CONFIRM_HINT),
    ]  # 官渡3 has no history: dropping it needs no confirmation
    assert len(registry_codes(history_db)) == 31


def test_allow_drop_loads_and_rebuild_replays_it(history_db: Path, files: Path, tmp_path: Path) -> None:
    f = write_xlsx(files / "新名册.xlsx", {"网格划分": registry_without("07")})
    res = store.load_path(f, path=history_db, options=store.Options(allow_drop=True))
    assert [i.message for i in res.issues] == [
        "已确认删除：新名册不含网格 07 测试7路网格（县城，已有 3 个月的考核记录）"
    ]
    assert ("县城", "07") not in registry_codes(history_db)
    logged = [e for e in eventlog.read_log(history_db) if e["event"] == "load"][-1]
    assert json.loads(logged["options"])["allow_drop"] is True
    target = tmp_path / "rebuilt" / "grid.duckdb"
    rebuild.rebuild(history_db, target)
    assert registry_codes(target) == registry_codes(history_db)


def test_renaming_an_area_is_a_drop_too(history_db: Path, files: Path) -> None:
    f = write_xlsx(files / "新名册.xlsx", {"网格划分": registry_without(area="城区")})
    with pytest.raises(FileRejected) as info:
        store.load_path(f, path=history_db)
    dropped = [i.message for i in info.value.errors if i.message.startswith(registry_guard.DROP_PREFIX)]
    assert len(dropped) == 28
    assert (
        dropped[0]
        == "新名册缺少网格 01 测试1路网格（县城，已有 3 个月的考核记录）（片区「县城」不在新名册中）"
    )


def test_same_registry_again_or_with_a_new_grid_is_fine(history_db: Path, files: Path) -> None:
    rows = registry_rows()
    rows.insert(30, [29, "29", "新增网格", "县城", "东片", "新领导", "副县长", "县29局", "", "", "", ""])
    res = store.load_path(write_xlsx(files / "扩充名册.xlsx", {"网格划分": rows}), path=history_db)
    assert res.status == "loaded" and not res.issues


def test_cli_refuses_then_allow_drop_accepts(
    history_db: Path, files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = write_xlsx(files / "新名册.xlsx", {"网格划分": registry_without("07")})
    assert cli.main(["load", str(f), "--db", str(history_db)]) == 1
    out = capsys.readouterr().out
    assert "新名册缺少网格 07 测试7路网格（县城，已有 3 个月的考核记录）" in out and "--allow-drop" in out
    assert cli.main(["load", str(f), "--db", str(history_db), "--allow-drop"]) == 0
    assert "已导入为批次" in capsys.readouterr().out
    assert ("县城", "07") not in registry_codes(history_db)


def test_upload_page_needs_the_extra_confirmation(
    history_db: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit import config

    monkeypatch.setenv("GRID_DB", str(history_db))
    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    try:
        data = write_xlsx(files / "新名册.xlsx", {"网格划分": registry_without("07")}).read_bytes()
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        at.switch_page("pages/upload.py").run()
        at.file_uploader[0].set_value([("新名册.xlsx", data, "application/octet-stream")]).run()
        assert not at.exception
        issues = at.table[0].value
        assert any("新名册缺少网格 07 测试7路网格" in str(v) for v in issues["说明"])
        assert [b.label for b in at.button if b.label == "确认导入"] == []
        box = [c for c in at.checkbox if c.label.startswith("我确认删除这些网格")]
        assert len(box) == 1
        box[0].check().run()
        assert not at.exception
        assert [b.label for b in at.button if b.label == "确认导入"] == ["确认导入"]
        next(b for b in at.button if b.label == "确认导入").click().run()
        assert not at.exception
        assert any("已导入为批次" in s.value for s in at.success)
    finally:
        config.set_option("server.address", before)
    assert ("县城", "07") not in registry_codes(history_db)
