"""An uploaded file is extracted once: the load reuses the preview's extraction when the bytes,
options, registry and rubric are the same, and extracts again when any of them changed. The
checks against the database's rows run at load time whatever is reused."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import monthly_rows, registry_rows, write_xlsx
from streamlit import config
from streamlit.testing.v1 import AppTest

from etl import db
from etl.load import preview, store
from etl.load.issues import FileRejected

ROOT = Path(__file__).resolve().parent.parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def extractions(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """File name → how many times store extracted it (a spy on extract_file)."""
    seen: Counter[str] = Counter()
    real = store.extract_file

    def spy(data: bytes, file_name: str, ctx: Any) -> Any:
        seen[file_name] += 1
        return real(data, file_name, ctx)

    monkeypatch.setattr(store, "extract_file", spy)
    return seen


def march_totals(path: Path) -> dict[str, float]:
    with db.connect(path) as con:
        sql = "SELECT grid_code, total FROM cur_monthly_score WHERE month = DATE '2019-03-01'"
        return dict(con.execute(sql).fetchall())


def test_preview_then_load_extracts_the_file_once(
    seeded_copy: Path, files: Path, extractions: Counter[str]
) -> None:
    f = write_xlsx(files / "2019年3月.xlsx", {"3月": monthly_rows("2019-03")})
    data = f.read_bytes()
    pv = preview.preview_bytes(data, f.name, path=seeded_copy)
    assert pv.loadable and pv.extracted is not None
    res = store.load_bytes(data, f.name, path=seeded_copy, reuse=pv.extracted)
    assert res.status == "loaded" and res.row_count == 28
    assert extractions[f.name] == 1
    assert len(march_totals(seeded_copy)) == 28
    # A recheck with other options that do not touch extraction (allow_drop) reuses it too.
    again = preview.preview_bytes(
        data, f.name, store.Options(allow_drop=True), seeded_copy, reuse=pv.extracted
    )
    assert again.duplicate_of == res.batch_id and extractions[f.name] == 1


def test_a_load_without_a_database_extracts_once(
    tmp_path: Path, files: Path, extractions: Counter[str]
) -> None:
    f = write_xlsx(files / "网格名册.xlsx", {"网格划分": registry_rows()})
    res = store.load_path(f, path=tmp_path / "new.duckdb")
    assert res.status == "loaded" and extractions[f.name] == 1


def test_a_registry_loaded_after_the_preview_is_checked_against(
    seeded_copy: Path, files: Path, extractions: Counter[str]
) -> None:
    f = write_xlsx(files / "2019年3月.xlsx", {"3月": monthly_rows("2019-03")})
    data = f.read_bytes()
    pv = preview.preview_bytes(data, f.name, path=seeded_copy)
    assert pv.loadable
    # Meanwhile a registry without grid 28 is loaded (28 has no history yet: no confirmation).
    smaller = [r for r in registry_rows() if len(r) < 2 or r[1] != "28"]
    store.load_path(write_xlsx(files / "新名册.xlsx", {"网格划分": smaller}), path=seeded_copy)
    with pytest.raises(FileRejected) as refused:
        store.load_bytes(data, f.name, path=seeded_copy, reuse=pv.extracted)
    assert extractions[f.name] == 2  # the registry changed: extracted again, against the new one
    assert any("28" in str(i) for i in refused.value.errors), refused.value.errors
    assert march_totals(seeded_copy) == {}


def test_rows_loaded_after_the_preview_are_checked_against(
    seeded_copy: Path, files: Path, extractions: Counter[str]
) -> None:
    smaller = [r for r in registry_rows() if len(r) < 2 or r[1] != "28"]
    reg = write_xlsx(files / "新名册.xlsx", {"网格划分": smaller})
    data = reg.read_bytes()
    pv = preview.preview_bytes(data, reg.name, path=seeded_copy)
    assert pv.loadable  # grid 28 has no history yet
    # Meanwhile grid 28 gets a score: dropping it now needs the confirmation.
    store.load_path(write_xlsx(files / "2019年3月.xlsx", {"3月": monthly_rows("2019-03")}), path=seeded_copy)
    with pytest.raises(FileRejected) as refused:
        store.load_bytes(data, reg.name, path=seeded_copy, reuse=pv.extracted)
    assert extractions[reg.name] == 1  # registry and rubric unchanged: the extraction is reused
    assert any("新名册缺少网格 28" in str(i) for i in refused.value.errors), refused.value.errors
    res = store.load_bytes(data, reg.name, path=seeded_copy, reuse=pv.extracted,
                           options=store.Options(allow_drop=True))  # fmt: skip
    assert res.status == "loaded" and extractions[reg.name] == 1


def test_a_file_changed_after_the_preview_is_extracted_again(
    seeded_copy: Path, files: Path, extractions: Counter[str]
) -> None:
    f = write_xlsx(files / "2019年3月.xlsx", {"3月": monthly_rows("2019-03")})
    pv = preview.preview_bytes(f.read_bytes(), f.name, path=seeded_copy)
    changed = write_xlsx(
        files / "2019年3月.xlsx", {"3月": monthly_rows("2019-03", grids=[1, 2])}
    ).read_bytes()
    res = store.load_bytes(changed, f.name, path=seeded_copy, reuse=pv.extracted)
    assert res.row_count == 2 and extractions[f.name] == 2
    assert set(march_totals(seeded_copy)) == {"01", "02"}
    # Other options (a kind the user chose) also extract again.
    other = write_xlsx(files / "2019年4月.xlsx", {"4月": monthly_rows("2019-04")})
    pv = preview.preview_bytes(other.read_bytes(), other.name, path=seeded_copy)
    options = store.Options(kind="monthly_scores")
    store.load_bytes(other.read_bytes(), other.name, path=seeded_copy, reuse=pv.extracted, options=options)
    assert extractions[other.name] == 2


@pytest.fixture
def local_server() -> Iterator[None]:
    """Served on the loopback address, as `make run` does: loading needs no password."""
    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield
    config.set_option("server.address", before)


def test_the_upload_page_checks_and_loads_with_one_extraction(
    seeded_copy: Path,
    files: Path,
    extractions: Counter[str],
    monkeypatch: pytest.MonkeyPatch,
    local_server: None,
) -> None:
    monkeypatch.setenv("GRID_DB", str(seeded_copy))
    monkeypatch.setenv("GRID_TODAY", "2019-04-10")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page("pages/upload.py")
    at.run()
    f = write_xlsx(files / "2019年3月.xlsx", {"3月": monthly_rows("2019-03")})
    at.file_uploader[0].set_value((f.name, f.read_bytes(), XLSX)).run()
    assert not at.exception
    next(b for b in at.button if b.label == "确认导入").click().run()
    assert not at.exception
    assert "已导入为批次" in at.success[0].value
    assert extractions[f.name] == 1
    assert len(march_totals(seeded_copy)) == 28
