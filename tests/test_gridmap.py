"""The schematic grid map: cell rectangles from any registry (etl/output/gridmap.py) and its figure."""

from __future__ import annotations

import pandas as pd
import pytest

from etl.output import charts_map, charts_theme, gridmap


def registry(blocks: dict[str | None, int]) -> pd.DataFrame:
    """Grids numbered 01… in registry order, `n` per big grid (None: no big grid)."""
    rows, i = [], 0
    for block, n in blocks.items():
        for _ in range(n):
            i += 1
            rows.append(
                {"grid_code": f"{i:02d}", "grid_name": f"第{i}网格", "big_grid": block, "sort_order": i}
            )
    return pd.DataFrame(rows)


def overlaps(cells: pd.DataFrame) -> bool:
    boxes = cells[["x0", "x1", "y0", "y1"]].to_numpy()
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            if a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]:
                return True
    return False


def test_county_seat_two_halves_split_by_the_road() -> None:
    # Registry order puts 东片 first: the map still draws 西片 on the left.
    reg = pd.concat([registry({"东片": 14}), registry({"西片": 14})]).reset_index(drop=True)
    reg["grid_code"] = [f"{i:02d}" for i in range(1, 29)]
    m = gridmap.layout_cells(reg)
    assert len(m.cells) == 28 and not overlaps(m.cells)
    assert m.blocks["block"].tolist() == ["西片", "东片"]
    assert m.blocks["n_grids"].tolist() == [14, 14]
    assert m.roads["label"].tolist() == ["建设路"]
    road = m.roads.iloc[0]
    west = m.cells[m.cells["block"] == "西片"]
    east = m.cells[m.cells["block"] == "东片"]
    assert west["x1"].max() <= road["x0"] < road["x1"] <= east["x0"].min()
    assert west["col"].max() == 1 and west["row"].max() == 6  # two across, seven down
    # Registry order inside a half, row by row.
    assert east.sort_values(["row", "col"])["grid_code"].tolist() == [f"{i:02d}" for i in range(1, 15)]
    assert (m.cells["cx"] - (m.cells["x0"] + m.cells["x1"]) / 2).abs().max() < 1e-9


@pytest.mark.parametrize("sizes", [{"西片": 3, "东片": 9}, {"西片": 1, "东片": 1}, {"西片": 15, "东片": 13}])
def test_any_count_of_grids_per_big_grid(sizes: dict[str, int]) -> None:
    m = gridmap.layout_cells(registry(sizes))
    assert len(m.cells) == sum(sizes.values()) and not overlaps(m.cells)
    assert m.cells["y1"].max() <= m.height and m.cells["x1"].max() <= m.width


def test_town_without_big_grids_is_one_block_without_a_road() -> None:
    m = gridmap.layout_cells(registry({None: 5}))
    assert len(m.blocks) == 1 and m.blocks["block"].iloc[0] is None
    assert m.roads.empty
    assert m.cells["col"].max() == 2  # up to three across for a single block
    assert not overlaps(m.cells)


def test_three_big_grids_get_unlabelled_strips_and_stray_grids_a_block() -> None:
    reg = registry({"北片": 2, "西片": 2, "东片": 2, None: 1})
    m = gridmap.layout_cells(reg)
    assert m.blocks["block"].tolist() == ["西片", "北片", "东片", gridmap.OTHERS]
    assert len(m.roads) == 3 and m.roads["label"].isna().all()


def test_empty_registry() -> None:
    m = gridmap.layout_cells(registry({}).reindex(columns=["grid_code", "grid_name", "big_grid"]))
    assert m.cells.empty and m.width == 0


def test_figure_colours_scores_and_greys_missing() -> None:
    reg = registry({"西片": 2, "东片": 2})
    scores = reg.assign(
        leader_name="某领导", total=[95.0, 80.0, None, 88.0], rank=[1, 3, None, 2], n_ranked=3,
        bottom_three=[False, True, False, True],
    )  # fmt: skip
    fig = charts_map.grid_map(gridmap.layout_cells(reg), scores)
    cells = [t for t in fig.data if t.fill == "toself"]
    assert len(cells) == 4
    fills = {t.text.split("</b>")[0].removeprefix("<b>"): t.fillcolor for t in cells}
    assert fills["03 第3网格"] == charts_theme.MISSING_FILL
    assert len(set(fills.values())) == 4
    assert "缺检" in next(t.text for t in cells if t.text.startswith("<b>03 "))
    labels = next(t for t in fig.data if t.mode == "text").text
    assert labels[0].startswith("<b>01</b>") and "95.0分" in labels[0] and labels[2].endswith("缺检")
    assert any(a.text == "建<br>设<br>路" for a in fig.layout.annotations)
