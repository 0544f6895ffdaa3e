"""What extraction takes and gives: the Context (registry, rubric and what the user chose), one
SheetResult per recognised sheet, and the Extraction of a whole file. Nothing here touches the
database or reads a cell.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from etl.db import today as shanghai_today
from etl.load import parse
from etl.load.issues import Issue


@dataclass(frozen=True)
class RubricItem:
    code: str
    category: str
    content: str
    max_points: float


@dataclass
class Context:
    """Registry and rubric in force, plus what the user told us (month, year, kind)."""

    grids: list[parse.GridEntry] = field(default_factory=list)
    rubric: list[RubricItem] = field(default_factory=list)
    month: date | None = None
    year: int | None = None
    kind: str | None = None
    file_name: str = ""
    today: date = field(default_factory=shanghai_today)  # bounds months and dates (parse.check_*)


# ---- Results -----------------------------------------------------------------------------


@dataclass
class SheetResult:
    """What one recognised sheet yields: rows per table and the keys it supersedes."""

    sheet: str
    kind: str
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    row_count: int = 0
    areas: set[str] = field(default_factory=set)
    periods: set[str] = field(default_factory=set)
    grids: set[str] = field(default_factory=set)
    # What the upload preview says before anything is written (DATA_CONTRACT §1 conversions):
    # kind of conversion ('deduction', 'leader', 'written', 'month') → {as written: as read}.
    conversions: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    title: str = ""  # title rows above the header, where a month or year is often written
    needs_month: bool = False  # no month anywhere: the page offers a month picker
    needs_year: bool = False  # no year anywhere (year-end sheets): the page offers a year picker


@dataclass
class Extraction:
    """A whole file: the sheets recognised and every issue found."""

    file_name: str
    sheets: list[SheetResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(s.kind for s in self.sheets))

    @property
    def row_count(self) -> int:
        return sum(s.row_count for s in self.sheets)

    @property
    def needs_month(self) -> bool:
        return any(s.needs_month for s in self.sheets)

    @property
    def needs_year(self) -> bool:
        return any(s.needs_year for s in self.sheets)
