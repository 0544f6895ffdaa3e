"""Acceptance: the lamp check files and the report file of ../shared/examples give exactly the
independently computed lamp_monthly and work_mechanism_monthly rows of expected_lamps.json
(DOMAIN §10, §11). Skipped where the folder is absent, except in CI (CI=true), where a missing
folder is a failure: the acceptance test must not pass by not running."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from etl import db
from etl.load import store
from etl.load.issues import FileRejected
from tests.conftest import SHARED_EXAMPLES, require_examples, snapshot

LOAD = [
    "01_网格划分表.xlsx",
    "02_考核评分细则.xlsx",
    "22_信息报送登记.xlsx",
    "30_2019-02_路灯检查.xlsx",
    "31_2019年3月城区路灯夜间检查.xlsx",
]


@pytest.fixture(scope="module")
def examples() -> Path:
    require_examples(SHARED_EXAMPLES)
    return SHARED_EXAMPLES


@pytest.fixture(scope="module")
def expected(examples: Path) -> dict[str, Any]:
    return json.loads((examples / "expected_lamps.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def loaded(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lamp_examples") / "db" / "grid.duckdb"
    for name in LOAD:
        res = store.load_path(examples / name, path=path, loaded_by="测试")
        assert res.status == "loaded", name
    return path


def test_expected_settings_are_the_defaults(loaded: Path, expected: dict[str, Any]) -> None:
    with db.connect(loaded) as con:
        row = con.execute(
            "SELECT lamp_install_target, lamp_lit_target, meetings_expected FROM rule_setting"
        ).fetchall()[0]
    want = expected["settings"]
    assert (str(row[0]), str(row[1]), row[2]) == (
        f"{float(want['lamp_install_target']):.4f}",
        f"{float(want['lamp_lit_target']):.4f}",
        want["meetings_expected"],
    )


def test_lamp_files_load_with_their_months(loaded: Path) -> None:
    with db.connect(loaded) as con:
        rows = con.execute(
            "SELECT file_name, kind, periods, row_count FROM batch WHERE kind = 'lamps' ORDER BY batch_id"
        ).fetchall()
    assert rows == [
        ("30_2019-02_路灯检查.xlsx", "lamps", ["2019-02"], 28),
        ("31_2019年3月城区路灯夜间检查.xlsx", "lamps", ["2019-03"], 27),
    ]


def test_lamp_monthly_matches_expected_exactly(loaded: Path, expected: dict[str, Any]) -> None:
    with db.connect(loaded) as con:
        rows = con.execute(
            "SELECT area, strftime(month, '%Y-%m-%d') AS month, grid_code, required, installed, lit,"
            " install_rate, lit_rate, meets_target FROM lamp_monthly"
            " WHERE month IN ('2019-02-01', '2019-03-01') ORDER BY month, grid_code"
        ).df()
    got = rows.astype(object).where(rows.notna(), None).to_dict("records")
    want = sorted(expected["lamp_monthly"], key=lambda r: (r["month"], r["grid_code"]))
    assert len(got) == len(want) == 55
    for g, w in zip(got, want, strict=True):
        assert g == w, (g, w)  # floats compared exactly: both are the correctly rounded quotient


def test_lamp_threshold_cases_of_the_examples(loaded: Path) -> None:
    with db.connect(loaded) as con:
        rows = {
            (m, c): (lr, ok)
            for m, c, lr, ok in con.execute(
                "SELECT strftime(month, '%Y-%m'), grid_code, lit_rate, meets_target FROM lamp_monthly"
            ).fetchall()
        }
    assert rows[("2019-02", "08")] == (0.95, True)  # 38/40 exactly 95 %: meets
    assert rows[("2019-03", "02")] == (0.95, True)  # 19/20
    assert rows[("2019-02", "12")][1] is False  # 1999/2105 = 94.96 %, shows 95.0 %, does not meet
    assert rows[("2019-02", "23")] == (None, False)  # nothing installed
    assert rows[("2019-03", "15")][1] is False  # 2399 of 2400 installed
    assert ("2019-03", "19") not in rows  # not checked in March: no row


def test_work_mechanism_matches_expected(loaded: Path, expected: dict[str, Any]) -> None:
    with db.connect(loaded) as con:
        frame = con.execute(
            "SELECT area, strftime(month, '%Y-%m-%d') AS month, grid_code, meetings, patrols, pictures,"
            " meetings_short FROM work_mechanism_monthly"
            " WHERE area = '县城' AND month IN ('2018-04-01', '2018-05-01') ORDER BY month, grid_code"
        ).df()
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_name = 'work_mechanism_monthly'"
            ).fetchall()
        )
    got = frame.astype(object).where(frame.notna(), None).to_dict("records")
    got = [{k: (int(v) if k in ("meetings", "patrols", "pictures") and v is not None else v)
            for k, v in r.items()} for r in got]  # fmt: skip
    want = sorted(expected["work_mechanism_monthly"], key=lambda r: (r["month"], r["grid_code"]))
    assert len(got) == len(want) == 56
    for g, w in zip(got, want, strict=True):
        assert g == w, (g, w)
    assert types["meetings"] == types["patrols"] == types["pictures"] == "INTEGER"
    assert types["meetings_short"] == "BOOLEAN"


def test_lamp_view_types(loaded: Path) -> None:
    with db.connect(loaded) as con:
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'lamp_monthly'"
            ).fetchall()
        )
    assert {k: types[k] for k in ("area", "month", "grid_code", "required", "installed", "lit",
                                  "install_rate", "lit_rate", "meets_target")} == {
        "area": "VARCHAR", "month": "DATE", "grid_code": "VARCHAR", "required": "INTEGER",
        "installed": "INTEGER", "lit": "INTEGER", "install_rate": "DOUBLE", "lit_rate": "DOUBLE",
        "meets_target": "BOOLEAN",
    }  # fmt: skip


def test_lit_over_installed_file_is_refused_whole(loaded: Path, examples: Path) -> None:
    before = snapshot(loaded)
    with pytest.raises(FileRejected) as exc:
        store.load_path(examples / "bad" / "lamps_lit_over_installed.xlsx", path=loaded)
    errors = [i for i in exc.value.issues if i.severity == "error"]
    assert [(i.row, i.column) for i in errors] == [(11, "亮灯数")]
    assert "超过已装路灯数" in errors[0].message
    assert snapshot(loaded) == before
