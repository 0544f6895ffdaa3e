"""Sheet kinds are data (issue 11 §2): etl/load/columns.toml declares every kind, and the code
that recognises and reads sheets follows the declaration, so a new kind of an existing shape
needs no code change there."""

from __future__ import annotations

import io
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from etl import cli, db, declared
from etl.load import kinds
from etl.load.extract import extract_sheets
from etl.load.extraction import Context
from etl.load.parse import GridEntry
from etl.load.read import Sheet
from etl.output.template import build_template

DECLARED = tomllib.loads(declared.COLUMNS_FILE.read_text(encoding="utf-8"))["kinds"]
SHAPES = {"registry", "rubric", "scores", "annual", "events", "records"}


@pytest.fixture(scope="module")
def schema() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(":memory:")
    db.ensure_schema(con)
    yield con
    con.close()


def _relations(con: duckdb.DuckDBPyConnection, kind: str) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = ?", [kind]
    ).fetchall()
    return {r[0] for r in rows}


@pytest.mark.parametrize("name", list(DECLARED))
def test_every_kind_has_its_table_and_current_view_in_the_schema(
    name: str, schema: duckdb.DuckDBPyConnection
) -> None:
    spec = kinds.vocabulary().kinds[name]
    assert spec.shape in SHAPES
    tables, views = _relations(schema, "BASE TABLE"), _relations(schema, "VIEW")
    assert spec.table in tables
    assert spec.current in views
    if spec.shape == "scores":
        assert spec.item_table in tables
    # Every declared field is a column of the kind's table (grid → grid_code; a stated rank
    # and *_hint columns are only checked against the sheet).
    columns = {r[0] for r in schema.execute("SELECT column_name FROM information_schema.columns "
                                            "WHERE table_name = ?", [spec.table]).fetchall()}  # fmt: skip
    stored = {c.field for c in spec.columns if not c.field.endswith("_hint")} - {"grid", "stated_rank"}
    assert stored <= columns, stored - columns
    if spec.period_from:
        assert spec.period_from in columns and "month" in columns
    if spec.page:  # the upload links there after a load
        assert (Path(__file__).resolve().parents[1] / spec.page).is_file()
        assert spec.page_label


@pytest.mark.parametrize("name", list(DECLARED))
def test_the_label_users_see_is_the_declared_one(name: str) -> None:
    """KIND_LABELS (upload page, CLI, batch list) is the declared label; the template carries
    that name and the declared sheet name."""
    raw = DECLARED[name]
    shown = raw["label"]
    assert kinds.KIND_LABELS[name] == shown == kinds.vocabulary().kinds[name].label
    wb = load_workbook(io.BytesIO(build_template(name, Context(), 25)))
    assert wb["填写说明"]["A1"].value == f"翁源县城市网格化管理 · {shown} 模板"
    assert raw.get("sheet", shown) in wb.sheetnames


def test_the_cli_offers_every_declared_kind() -> None:
    assert tuple(DECLARED) == kinds.KINDS
    args = cli.build_parser().parse_args(["template", list(DECLARED)[-1], "-o", "x.xlsx"])
    assert args.kind == list(DECLARED)[-1]


# ---- A new kind is a declaration, not code -------------------------------------------------

EXTRA = """
[kinds.water]
current = "cur_water_check"
label = "水表检查记录"
sheet = "水表检查"
shape = "records"
table = "water_check"
period = "month"
noun = "个网格的水表检查记录"
[[kinds.water.columns]]
field = "grid"
header = "网格"
required = true
type = "grid"
[[kinds.water.columns]]
field = "month"
header = "月份"
type = "month"
[[kinds.water.columns]]
field = "meters"
header = "水表数"
required = true
type = "int"
min = 0
[[kinds.water.columns]]
field = "read"
header = "已抄表数"
aliases = ["抄表数"]
required = true
type = "int"
min = 0
[[kinds.water.checks]]
field = "read"
not_above = "meters"
message = "已抄表数 {value} 超过水表数 {limit}"

[kinds.meetings]
current = "cur_meeting"
label = "网格例会"
shape = "events"
table = "meeting"
period = "month"
period_from = "held_on"
[[kinds.meetings.columns]]
field = "grid"
header = "网格"
required = true
type = "grid"
[[kinds.meetings.columns]]
field = "held_on"
header = "例会日期"
required = true
type = "date"
[[kinds.meetings.columns]]
field = "attendees"
header = "参会人数"
type = "int"
min = 0
[[kinds.meetings.columns]]
field = "decided_on"
header = "议定日期"
type = "date"
[[kinds.meetings.checks]]
field = "decided_on"
not_before = "held_on"
message = "议定日期早于例会日期，请核对"
"""


@pytest.fixture
def extra_kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """columns.toml plus two kinds of existing shapes, read as the program would read it."""
    path = tmp_path / "columns.toml"
    text = declared.COLUMNS_FILE.read_text(encoding="utf-8")
    # The new kinds go with the other kinds, before the shared tables of the file.
    cut = text.index("[grid_aliases]")
    path.write_text(text[:cut] + EXTRA + "\n" + text[cut:], encoding="utf-8")
    monkeypatch.setattr(declared, "COLUMNS_FILE", path)
    declared.declarations.cache_clear()
    kinds.vocabulary.cache_clear()
    try:
        yield
    finally:
        monkeypatch.undo()
        declared.declarations.cache_clear()
        kinds.vocabulary.cache_clear()


GRIDS = [GridEntry("县城", "01", "东门", "张三"), GridEntry("县城", "02", "西门", "李四")]


def test_a_new_kind_is_recognised_and_read_from_its_declaration_alone(extra_kinds: None) -> None:
    assert {"water", "meetings"} <= set(kinds.vocabulary().kinds)
    ctx = Context(grids=list(GRIDS), today=date(2019, 12, 31))
    sheets = [
        Sheet(
            "3月水表",
            [["网格", "月份", "水表数", "抄表数"], ["01", "2019-03", 40, 38], ["西门", "2019-03", 10, 10]],
        ),
        Sheet(
            "例会",
            [["网格", "例会日期", "参会人数", "议定日期"], ["01", date(2019, 4, 2), 12, date(2019, 4, 3)]],
        ),
    ]
    out = extract_sheets(sheets, ctx)
    assert not out.errors, [str(i) for i in out.issues]
    assert out.kinds == ["water", "meetings"]
    water, meetings = out.sheets
    assert [(r["grid_code"], r["month"], r["meters"], r["read"]) for r in water.tables["water_check"]] == [
        ("01", date(2019, 3, 1), 40, 38),
        ("02", date(2019, 3, 1), 10, 10),
    ]
    [meeting] = meetings.tables["meeting"]
    assert (meeting["grid_code"], meeting["month"], meeting["attendees"]) == ("01", date(2019, 4, 1), 12)


def test_a_new_kinds_declared_checks_apply(extra_kinds: None) -> None:
    ctx = Context(grids=list(GRIDS), today=date(2019, 12, 31))
    sheets = [
        Sheet("水表", [["网格", "月份", "水表数", "已抄表数"], ["01", "2019-03", 40, 41]]),
        Sheet(
            "例会",
            [["网格", "例会日期", "参会人数", "议定日期"], ["02", date(2019, 4, 2), -1, date(2019, 4, 1)]],
        ),
    ]
    messages = [i.message for i in extract_sheets(sheets, ctx).errors]
    assert "已抄表数 41 超过水表数 40" in messages
    assert "议定日期早于例会日期，请核对" in messages
    assert "不能为负数" in messages


def test_a_sheet_lacking_a_new_kinds_required_column_names_the_kind(extra_kinds: None) -> None:
    ctx = Context(grids=list(GRIDS), today=date(2019, 12, 31))
    out = extract_sheets([Sheet("水表", [["网格", "月份", "水表数"], ["01", "2019-03", 40]])], ctx)
    assert [i.message for i in out.errors] == [
        "像是「水表检查记录」表，但缺少必需的列：已抄表数。请按模板补齐列名"
    ]
