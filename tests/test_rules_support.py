"""Shared helpers for the rule tests: a fresh database per test, rows written straight into
the storage tables (one 'active' batch per call, as a load would make), no loader needed."""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from etl import db

AREA = "县城"
DEFAULT_TODAY = "2020-01-15"

from tests.conftest import RUBRIC  # noqa: E402  (code, category, max)


def month(text: str) -> date:
    """'2018-05' → date(2018, 5, 1)."""
    y, m = text.split("-")[:2]
    return date(int(y), int(m), 1)


def day(text: str) -> date:
    return date.fromisoformat(text)


class Store:
    """A temporary database and helpers that write batches of rows."""

    def __init__(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path = path
        self.monkeypatch = monkeypatch
        self._stack = ExitStack()
        self._next = 1
        self.con: Any = None
        self.open(DEFAULT_TODAY)

    # -- connection -------------------------------------------------------------------------
    def open(self, today: str) -> None:
        """(Re)connect with GRID_TODAY pinned, as db.connect reads it."""
        self._stack.close()
        self.monkeypatch.setenv("GRID_TODAY", today)
        self.con = self._stack.enter_context(db.connect(self.path, create=True))  # schema checked

    def close(self) -> None:
        self._stack.close()

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()

    def one(self, sql: str, params: list[Any] | None = None) -> Any:
        rows = self.rows(sql, params)
        assert len(rows) == 1, rows
        return rows[0][0] if len(rows[0]) == 1 else rows[0]

    # -- batches ----------------------------------------------------------------------------
    def batch(self, kind: str, area: str | None = AREA) -> int:
        batch_id = self._next
        self._next += 1
        self.con.execute(
            """
            INSERT INTO batch (batch_id, file_name, sha256, kind, area, periods, grids,
                row_count, loaded_at, loaded_by, status, archive_name)
            VALUES (?, ?, ?, ?, ?, [], [], 0, now()::TIMESTAMP, 'test', 'active', ?)
            """,
            [batch_id, f"{kind}-{batch_id}.xlsx", f"sha{batch_id}", kind, area, f"{batch_id}.xlsx"],
        )
        return batch_id

    def revert(self, batch_id: int) -> None:
        self.con.execute("UPDATE batch SET status = 'reverted' WHERE batch_id = ?", [batch_id])

    def registry(self, codes: list[str] | int, area: str = AREA, start: int = 0) -> int:
        """Grids G01… (or the given codes) named 第N网格, leader 领导N, contact 联系人N."""
        if isinstance(codes, int):
            codes = [f"G{i:02d}" for i in range(1, codes + 1)]
        b = self.batch("grids", None)
        for i, code in enumerate(codes, start=start + 1):
            n = code.lstrip("G")
            self.con.execute(
                """
                INSERT INTO grid_registry (batch_id, area, grid_code, grid_name, big_grid,
                    leader_name, leader_title, lead_unit, responsible_units, scope,
                    contact_name, contact_phone, sort_order)
                VALUES (?, ?, ?, ?, ?, ?, '副县长', ?, ['住建局', '城管局'], '某社区',
                    ?, ?, ?)
                """,
                [b, area, code, f"第{n}网格", "西片" if i % 2 else "东片", f"领导{n}",
                 f"牵头单位{n}", f"联系人{n}", f"1380000{n:0>4}", i],
            )  # fmt: skip
        return b

    def registries(self, areas: dict[str, list[str]]) -> int:
        """One registry batch holding several areas."""
        b = self.batch("grids", None)
        order = 0
        for area, codes in areas.items():
            for code in codes:
                order += 1
                self.con.execute(
                    """
                    INSERT INTO grid_registry (batch_id, area, grid_code, grid_name,
                        leader_name, lead_unit, contact_name, contact_phone, sort_order)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [b, area, code, f"{area}{code}", f"领导{code}", f"单位{code}",
                     f"联系人{code}", "13800000000", order],
                )  # fmt: skip
        return b

    def rubric(self) -> int:
        b = self.batch("rubric", None)
        for i, (code, cat, mx) in enumerate(RUBRIC, start=1):
            self.con.execute(
                "INSERT INTO rubric_item (batch_id, item_code, category, max_points, sort_order)"
                " VALUES (?, ?, ?, ?, ?)",
                [b, code, cat, mx, i],
            )
        return b

    def scores(
        self,
        mon: str,
        totals: dict[str, float],
        area: str = AREA,
        items: dict[str, dict[str, float]] | None = None,
    ) -> int:
        """One monthly-score batch: totals per grid; items per grid {item_code: score}
        (category and max from RUBRIC)."""
        b = self.batch("monthly_scores", area)
        for code, total in totals.items():
            self.con.execute(
                "INSERT INTO monthly_score (batch_id, area, month, grid_code, total) VALUES (?, ?, ?, ?, ?)",
                [b, area, month(mon), code, total],
            )
        rubric = {code: (cat, mx) for code, cat, mx in RUBRIC}
        for code, item_scores in (items or {}).items():
            for item, score in item_scores.items():
                cat, mx = rubric[item]
                self.con.execute(
                    "INSERT INTO monthly_item_score (batch_id, area, month, grid_code, item_code,"
                    " category, max_points, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [b, area, month(mon), code, item, cat, mx, score],
                )
        return b

    def annual(self, year: int, year_end: dict[str, float], area: str = AREA) -> int:
        b = self.batch("annual_scores", area)
        for code, score in year_end.items():
            self.con.execute(
                "INSERT INTO annual_score (batch_id, area, year, grid_code, year_end) VALUES (?, ?, ?, ?, ?)",
                [b, area, year, code, score],
            )
        return b

    def reports(self, rows: list[tuple[str, str, str]], area: str = AREA) -> int:
        """rows: (grid, 'YYYY-MM' month, 'YYYY-MM-DD' submitted)."""
        b = self.batch("reports", area)
        for code, mon, submitted in rows:
            self.con.execute(
                "INSERT INTO report (batch_id, area, month, grid_code, submitted_on, title)"
                " VALUES (?, ?, ?, ?, ?, '工作简报')",
                [b, area, month(mon), code, day(submitted)],
            )
        return b

    def volunteer(self, rows: list[tuple[str, str, int, float]], area: str = AREA) -> int:
        """rows: (grid, 'YYYY-MM-DD' date, participants, hours)."""
        b = self.batch("volunteer", area)
        for code, on, participants, hours in rows:
            d = day(on)
            self.con.execute(
                "INSERT INTO volunteer_activity (batch_id, area, month, grid_code, activity_date,"
                " title, participants, hours) VALUES (?, ?, ?, ?, ?, '清洁家园', ?, ?)",
                [b, area, d.replace(day=1), code, d, participants, hours],
            )
        return b

    def problems(self, rows: list[tuple[str, str, str, str | None, str | None]], area: str = AREA) -> int:
        """rows: (grid, found 'YYYY-MM-DD', category, deadline or None, rectified or None)."""
        b = self.batch("problems", area)
        for code, found, category, deadline, rectified in rows:
            f = day(found)
            self.con.execute(
                "INSERT INTO problem (batch_id, area, month, grid_code, found_on, category,"
                " description, deadline, rectified_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [b, area, f.replace(day=1), code, f, category, f"{code}{found}",
                 day(deadline) if deadline else None, day(rectified) if rectified else None],
            )  # fmt: skip
        return b


# Import as `from test_rules_support import store_fixture`: the fixture is named "store".
@pytest.fixture(name="store")
def store_fixture(empty_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    path = tmp_path / "grid.duckdb"
    shutil.copy2(empty_template, path)  # a copy of the session's empty database: no schema built
    s = Store(path, monkeypatch)
    yield s
    s.close()
