"""Sheet kinds as data: what etl/load/columns.toml (read by etl/declared.py) declares for each kind (label, shape, columns
and their aliases, storage table, period, template note, row checks) and the shared vocabulary
(ignored headers, duty categories, footer prefixes). Recognising, previewing, storing and the
templates read a kind from here; nothing else names a kind's columns or table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from etl.declared import declarations
from etl.load import parse

DEFAULT_AREA = "县城"


@dataclass(frozen=True)
class ColumnSpec:
    field: str
    header: str
    keys: tuple[str, ...]  # normalised header and aliases, canonical first
    required: bool
    type: str
    min: float | None = None  # lower bound; a value below it is a row error
    min_message: str = ""


@dataclass(frozen=True)
class CheckSpec:
    """A row rule declared with the kind: `field` may not exceed `not_above` (records) or may not
    come before `not_before` (events)."""

    field: str
    message: str  # with {value} and {limit} (not_above)
    not_above: str = ""
    not_before: str = ""


@dataclass(frozen=True)
class KindSpec:
    """A sheet kind as columns.toml declares it (see the comment at the top of that file)."""

    name: str
    label: str  # the name users see (KIND_LABELS)
    columns: tuple[ColumnSpec, ...]
    sheet: str = ""  # the template's sheet name
    shape: str = "events"
    table: str = ""
    item_table: str = ""  # (scores) the table of the per-item scores
    period: str = "month"  # whole | month | year
    period_from: str = ""
    after_today: str = ""  # (events) the warning for a date after today, with {today}
    page: str = ""  # the page the upload links to after a load (pages/*.py)
    page_label: str = ""  # what that page shows, in the link text
    record_name: str = ""  # (events, records) what a row is called after 条 or 行 (default: label)
    noun: str = "行"
    note: str = ""
    prefill_grids: bool = False
    rule_macro: str = ""
    rule_flag: str = ""
    rule_short: str = ""
    current: str = ""  # the cur_* view of the rows in force
    checks: tuple[CheckSpec, ...] = ()

    def column(self, field: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.field == field), None)


@dataclass(frozen=True)
class Vocabulary:
    kinds: dict[str, KindSpec]
    ignored: frozenset[str]
    duties: tuple[str, ...]
    extra_categories: tuple[str, ...]
    footer_prefixes: tuple[str, ...]
    ignored_sheets: frozenset[str]


@cache
def vocabulary() -> Vocabulary:
    """The alias tables of columns.toml."""
    raw = declarations()
    grid_aliases = raw["grid_aliases"]["aliases"]
    kinds: dict[str, KindSpec] = {}
    for name, spec in raw["kinds"].items():  # in the order declared (also the order of recognition ties)
        cols = []
        for c in spec["columns"]:
            names = [c["header"], *c.get("aliases", [])]
            if c["type"] == "grid":
                names += grid_aliases
            keys = tuple(dict.fromkeys(parse.header_key(n) for n in names))
            cols.append(ColumnSpec(c["field"], c["header"], keys, c.get("required", False), c["type"],
                                   c.get("min"), c.get("min_message", "")))  # fmt: skip
        checks = tuple(
            CheckSpec(k["field"], k["message"], k.get("not_above", ""), k.get("not_before", ""))
            for k in spec.get("checks", [])
        )
        kinds[name] = KindSpec(
            name, spec["label"], tuple(cols), sheet=spec.get("sheet", spec["label"]),
            shape=spec["shape"], table=spec["table"], item_table=spec.get("item_table", ""), period=spec["period"], period_from=spec.get("period_from", ""),
            after_today=spec.get("after_today", ""), page=spec.get("page", ""),
            page_label=spec.get("page_label", ""), record_name=spec.get("record_name", ""),
            noun=spec.get("noun", "行"), note=spec.get("note", ""),
            prefill_grids=spec.get("prefill_grids", False), rule_macro=spec.get("rule_macro", ""),
            rule_flag=spec.get("rule_flag", ""), rule_short=spec.get("rule_short", ""),
            current=spec["current"], checks=checks,
        )  # fmt: skip
    return Vocabulary(
        kinds=kinds,
        ignored=frozenset(parse.header_key(h) for h in raw["ignored"]["headers"]),
        duties=tuple(raw["categories"]["duties"]),
        extra_categories=tuple(raw["categories"]["extra"]),
        footer_prefixes=tuple(raw["footer"]["prefixes"]),
        ignored_sheets=frozenset(parse.header_key(h) for h in raw["ignored"]["sheets"]),
    )


# The kinds and the names users see, as declared when the program started.
KINDS: tuple[str, ...] = tuple(vocabulary().kinds)
KIND_LABELS: dict[str, str] = {k.name: k.label for k in vocabulary().kinds.values()}
