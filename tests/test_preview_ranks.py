"""The upload preview's rank moves come from the monthly_ranking view itself (DOMAIN §4), so
they agree with the ranking the file really gives once loaded, registry filter included."""

from __future__ import annotations

from pathlib import Path

from conftest import monthly_rows, registry_rows, write_xlsx

from etl import db
from etl.load import preview, store

RANKS = "SELECT grid_code, rank FROM monthly_ranking WHERE area = '县城' AND month = DATE '2019-03-01'"


def ranks(path: Path) -> dict[str, int]:
    with db.connect(path) as con:
        return {c: r for c, r in con.execute(RANKS).fetchall() if r is not None}


def test_preview_rank_moves_equal_the_ranking_after_loading(seeded_copy: Path, files: Path) -> None:
    store.load_path(write_xlsx(files / "三月.xlsx", {"3月": monthly_rows("2019-03")}), path=seeded_copy)
    # Grid 02 leaves the registry (on purpose: it has history, so the drop must be allowed):
    # its March score stays stored but no longer ranks.
    smaller = [r for r in registry_rows() if len(r) < 2 or r[1] != "02"]
    store.load_path(write_xlsx(files / "新名册.xlsx", {"网格划分": smaller}), path=seeded_copy,
                    options=store.Options(allow_drop=True))  # fmt: skip
    before = ranks(seeded_copy)
    assert "02" not in before and before["03"] == 2

    # A corrected sheet for grid 28 alone: full marks put it first, everyone else moves down one.
    fix = write_xlsx(files / "三月更正.xlsx", {"3月": monthly_rows("2019-03", totals_shift=-28, grids=[28])})
    pv = preview.preview_bytes(fix.read_bytes(), fix.name, path=seeded_copy)
    assert pv.loadable and pv.rank_moves is not None
    moves = {r["网格"]: (r["原排名"], r["新排名"]) for r in pv.rank_moves.to_dict("records")}
    assert ranks(seeded_copy) == before  # the preview wrote nothing

    store.load_path(fix, path=seeded_copy)
    after = ranks(seeded_copy)
    changed = {c for c in after if before.get(c) != after[c]}
    assert set(moves) == changed and len(changed) == 27
    assert moves == {c: (before.get(c), after[c]) for c in changed}
    assert moves["28"] == (27, 1) and moves["03"] == (2, 3)  # 02 is not counted above 03


def test_preview_of_a_new_month_lists_every_grid_as_new(seeded_copy: Path, files: Path) -> None:
    path = write_xlsx(files / "四月.xlsx", {"4月": monthly_rows("2019-04", grids=range(1, 6))})
    pv = preview.preview_bytes(path.read_bytes(), path.name, path=seeded_copy)
    assert pv.rank_moves is not None
    rows = pv.rank_moves.to_dict("records")
    assert [(r["网格"], r["新排名"]) for r in rows] == [("01", 1), ("02", 2), ("03", 3), ("04", 4), ("05", 5)]
    assert pv.rank_moves["原排名"].isna().all()
    with db.connect(seeded_copy) as con:
        assert con.execute("SELECT count(*) FROM monthly_score").fetchall()[0][0] == 0
        assert con.execute("SELECT count(*) FROM batch WHERE batch_id >= 2 ** 30").fetchall()[0][0] == 0
