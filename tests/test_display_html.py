"""The wall screen's HTML (etl/output/display): every panel built from the fixture data with
hostile text in every name, leader, contact and problem field. Templates have autoescape on and
every value goes through etl.safetext.html_text: no markup, no markdown or LaTeX ('$'), no line
break (a blank line would end st.markdown's HTML block), and the text shows as written."""

from __future__ import annotations

import html
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from etl import db
from etl.output.display import figures, frame, reads, render, standing, work
from etl.rules import rankings, registry
from tests import appdata

AREA, MARCH = "县城", date(2019, 3, 1)
EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)> $x$ \"q\" 'a' & **b** \n\n# h"
TEXT_COLUMNS = ("grid_name", "leader_name", "leader_title", "lead_unit", "contact_name", "contact_phone",
                "category", "description", "location", "block", "label")  # fmt: skip


def evil(frame_: pd.DataFrame) -> pd.DataFrame:
    out = frame_.copy()
    for c in out.columns:
        if c in TEXT_COLUMNS:
            out[c] = [None if i % 7 == 3 else f"{EVIL}{i}" for i in range(len(out))]
    return out


@pytest.fixture(scope="module")
def bodies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("display-html")
    db_file = appdata.build(folder / "grid.duckdb", folder / "files")
    with db.connect(db_file) as con:
        ranking = evil(rankings.month_ranking(con, AREA, MARCH))
        ranking.loc[ranking.index[-5:], ["bottom_three", "streak"]] = [True, 3]  # six alert cards and more
        rep = reads.panel_reports(con, AREA, MARCH)
        prob = reads.panel_problems(con, AREA, MARCH)
        trend = reads.panel_trend(con, AREA, MARCH)
        lamp = reads.panel_lamps(con, AREA, MARCH)
        built = {
            "ranking": standing.ranking_panel(ranking),
            "warnings": standing.warnings_panel(ranking),
            "reports": work.reports_panel(reads.ReportBoard(evil(rep.rows), rep.deadline, date(2019, 3, 21))),
            "volunteer": work.volunteer_panel(evil(reads.panel_volunteer(con, AREA, MARCH))),
            "problems": work.problems_panel(evil(prob.figures), evil(prob.overdue), prob.today),
            "map": figures.map_panel(evil(registry.registry(con, AREA)), ranking),
            "trend": figures.trend_panel(trend.averages, evil(trend.ranks), MARCH, trend.codes),
            "lamps": work.lamps_panel(evil(lamp.frame), lamp.check, lamp.targets, lamp.work),
        }
    head = frame.Header(area=EVIL, month=MARCH, panel="ranking", now=datetime(2019, 4, 10, 9, 5),
                        as_of=date(2019, 4, 10), rotate=20, remaining=5)  # fmt: skip
    out = {name: str(frame.frame(head, body, note, EVIL)) for name, (body, note) in built.items()}
    out["message"] = str(frame.frame(head, frame.message_body(EVIL)))
    return out


def test_every_panel_escapes_hostile_text(bodies: dict[str, str]) -> None:
    shown = html.escape(" ".join(EVIL.split())).replace("$", "&#36;")
    for name, text in bodies.items():
        assert "<script" not in text and "<img" not in text, name
        assert "$" not in text and "\n" not in text, name
        assert shown in text, name  # the name shows exactly as written, on one line


def test_templates_escape_by_default() -> None:
    assert (
        render.render("message.html", text="<b>x</b>")
        == '<div class="gd-empty gd-amber">&lt;b&gt;x&lt;/b&gt;</div>'
    )
    assert (
        render.render("message.html", text=render.Html("<b>x</b>"))
        == '<div class="gd-empty gd-amber"><b>x</b></div>'
    )
    assert all(Path(render.HERE, "templates", t).exists() for t in ("frame.html", "macros.html"))


def test_trend_panel_without_any_ranks() -> None:
    """A month before the first check: the area's average line alone, no error (an empty
    ranks table, with or without its columns)."""
    averages = pd.DataFrame({"month": [date(2019, 1, 1), date(2019, 2, 1)], "area_avg": [80.0, 82.5]})
    for ranks in (pd.DataFrame(), pd.DataFrame(columns=["month", "grid_code", "grid_name", "rank"])):
        body, note = figures.trend_panel(averages, ranks, MARCH)
        assert "82.50" in str(body) and "+2.50" in str(body)
        assert note


def test_more_than_thirty_grids_rank_in_three_smaller_columns() -> None:
    """A town of 40 grids: three columns at the smaller size, written as one style attribute
    (a second one would be dropped by the browser)."""
    n = 40
    table = pd.DataFrame({
        "grid_code": [f"{i:02d}" for i in range(1, n + 1)], "grid_name": [f"第{i}网格" for i in range(1, n + 1)],
        "rank": range(1, n + 1), "total": [99.0 - i * 0.5 for i in range(n)], "missing": False,
        "bottom_three": [i >= n - 3 for i in range(n)], "top_three": [i < 3 for i in range(n)],
        "rank_change": None, "prev_rank": None,
    })  # fmt: skip
    body, _ = standing.ranking_panel(table)
    opening = str(body).split('class="gd-rank"', 1)[1].split(">", 1)[0]
    assert opening.count("style=") == 1
    assert "repeat(14,1fr)" in opening and "font-size:calc(28 * var(--u))" in opening


def test_every_class_a_panel_writes_is_styled(bodies: dict[str, str]) -> None:
    """Class names are written as separate words (a value printed by a template is stripped, so
    '{{ " bottom" }}' once glued 'gd-cellbottom' and the bottom three's map cells lost their
    place); every word is a class of display.css."""
    import re

    css = (Path(render.HERE) / "display.css").read_text(encoding="utf-8")
    styled = set(re.findall(r"\.([A-Za-z][\w-]*)", css))
    written = {
        w for text in bodies.values() for attr in re.findall(r'class="([^"]*)"', text) for w in attr.split()
    }
    assert written - styled == set()
    assert 'class="gd-cell bottom"' in bodies["map"]
