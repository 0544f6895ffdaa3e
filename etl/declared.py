"""What etl/load/columns.toml declares that the read side needs too: the problem categories
(the duties of DOMAIN §2, then the extra categories) in their order. The file stays the one
home of the list; etl/load/kinds.py reads the rest of it for loading."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

COLUMNS_FILE = Path(__file__).resolve().parent / "load" / "columns.toml"


@cache
def problem_categories() -> tuple[str, ...]:
    """The duties (DOMAIN §2) then the extra categories, as columns.toml lists them."""
    categories = tomllib.loads(COLUMNS_FILE.read_text(encoding="utf-8"))["categories"]
    return tuple(categories["duties"]) + tuple(categories["extra"])
