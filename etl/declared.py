"""etl/load/columns.toml, read once: the declarations of the sheet kinds (etl/load/kinds.py
turns them into KindSpecs for loading) and what the read side needs too, the problem
categories (the duties of DOMAIN §2, then the extra categories) in their order. The file stays
the one home of both; this module has no dependencies so that either side may import it."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

COLUMNS_FILE = Path(__file__).resolve().parent / "load" / "columns.toml"


@cache
def declarations() -> dict[str, Any]:
    """The whole of columns.toml, parsed."""
    return tomllib.loads(COLUMNS_FILE.read_text(encoding="utf-8"))


def problem_categories() -> tuple[str, ...]:
    """The duties (DOMAIN §2) then the extra categories, as columns.toml lists them."""
    categories = declarations()["categories"]
    return tuple(categories["duties"]) + tuple(categories["extra"])
