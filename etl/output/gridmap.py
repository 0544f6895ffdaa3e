"""The schematic map of an area's grids: a drawing shipped with the app, no map tiles.

The county seat is split by the median strip of 建设路 into 西片 (left) and 东片 (right)
(DOMAIN §1); each big grid is drawn as a block of equal rectangles, one per small grid, in
registry order, row by row. Any number of grids per big grid works, and so does an area
without big grids (a town): one block, no road. A real GeoJSON can replace this later; the
chart only needs cell rectangles.

Coordinates are abstract units with y growing downwards (row 0 at the top): the chart
reverses its y axis. A cell is CELL_W × CELL_H; blocks are side by side, ROAD_W apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

CELL_W = 1.0
CELL_H = 0.7
GAP = 0.06  # white margin inside each cell's slot, so neighbours do not touch
ROAD_W = 0.42
HEADER_H = 0.32  # room above each block for its name
OTHERS = "其他网格"  # block of grids without a big grid in an area that has big grids


@dataclass(frozen=True)
class GridMap:
    """cells: grid_code, grid_name, block, row, col, x0, x1, y0, y1, cx, cy (one per grid,
    registry order). blocks: block, n_grids, x0, x1, y0, y1 (label row above y0 … bottom).
    roads: label, x0, x1, y0, y1 (the strips between blocks). width, height: the extent."""

    cells: pd.DataFrame
    blocks: pd.DataFrame
    roads: pd.DataFrame
    width: float
    height: float


def _block_order(name: str) -> tuple[int, str]:
    """West on the left, east on the right (as on the ground), others in between."""
    if "西" in name:
        return (0, "")
    if "东" in name:
        return (2, "")
    if name == OTHERS:
        return (3, "")
    return (1, "")


def _blocks(registry: pd.DataFrame) -> list[tuple[str | None, pd.DataFrame]]:
    """(block name, its grids in registry order); one unnamed block when no big grids."""
    reg = registry.copy()
    if "sort_order" in reg.columns:
        reg = reg.sort_values(["sort_order", "grid_code"], kind="stable")
    big = reg["big_grid"] if "big_grid" in reg.columns else pd.Series([None] * len(reg), index=reg.index)
    names = [str(b).strip() if isinstance(b, str) and b.strip() else None for b in big]
    if all(n is None for n in names):
        return [(None, reg)]
    keyed = [n or OTHERS for n in names]
    reg = reg.assign(_block=keyed)
    order = list(dict.fromkeys(keyed))
    order.sort(key=_block_order)  # stable: registry order within the same side
    return [(name, reg[reg["_block"] == name].drop(columns="_block")) for name in order]


def default_columns(n_blocks: int, n_grids: int) -> int:
    """Cells per row in a block: 2 when blocks stand side by side (readable on a 390-px
    phone: 4 cells and a road across), up to 3 for a single block."""
    if n_blocks > 1:
        return 2
    return max(1, min(3, n_grids))


def layout_cells(
    registry: pd.DataFrame, *, columns: int | None = None, road_label: str | None = "建设路"
) -> GridMap:
    """Cell rectangles for a registry DataFrame (grid_code, grid_name, big_grid[, sort_order]).

    Blocks (big grids) stand side by side, west left and east right; between two blocks runs
    a road strip, labelled road_label when the area has exactly two blocks (the county seat's
    建设路) and unlabelled otherwise. columns: cells per row in every block (default
    default_columns()).
    """
    blocks = _blocks(registry) if len(registry) else []
    cols = columns or default_columns(len(blocks), max((len(g) for _, g in blocks), default=0))
    cells: list[dict[str, object]] = []
    block_rows: list[dict[str, object]] = []
    road_rows: list[dict[str, object]] = []
    has_header = any(name is not None for name, _ in blocks)
    top = HEADER_H if has_header else 0.0
    max_rows = max((math.ceil(len(g) / cols) for _, g in blocks), default=0)
    bottom = top + max_rows * CELL_H
    x = 0.0
    for b, (name, grids) in enumerate(blocks):
        if b > 0:
            label = road_label if len(blocks) == 2 else None
            road_rows.append({"label": label, "x0": x, "x1": x + ROAD_W, "y0": 0.0, "y1": bottom})
            x += ROAD_W
        width = min(cols, max(1, len(grids))) * CELL_W
        for i, g in enumerate(grids.to_dict("records")):
            row, col = divmod(i, cols)
            x0 = x + col * CELL_W + GAP / 2
            y0 = top + row * CELL_H + GAP / 2
            x1, y1 = x0 + CELL_W - GAP, y0 + CELL_H - GAP
            cells.append(
                {
                    "grid_code": g["grid_code"],
                    "grid_name": g.get("grid_name"),
                    "block": name,
                    "row": row,
                    "col": col,
                    "x0": x0,
                    "x1": x1,
                    "y0": y0,
                    "y1": y1,
                    "cx": (x0 + x1) / 2,
                    "cy": (y0 + y1) / 2,
                }
            )
        block_rows.append({"block": name, "n_grids": len(grids), "x0": x, "x1": x + width, "y0": 0.0,
                           "y1": bottom})  # fmt: skip
        x += width
    cell_cols = ["grid_code", "grid_name", "block", "row", "col", "x0", "x1", "y0", "y1", "cx", "cy"]
    return GridMap(
        cells=pd.DataFrame(cells, columns=cell_cols),
        blocks=pd.DataFrame(block_rows, columns=["block", "n_grids", "x0", "x1", "y0", "y1"]),
        roads=pd.DataFrame(road_rows, columns=["label", "x0", "x1", "y0", "y1"]),
        width=x,
        height=bottom,
    )
