"""A new registry must not silently drop grids that have history (issue 10, part 6).

The registry is replaced whole by each grids batch; a grid left out of the new one would take
its past rankings, reports and problems off every page. Such a file is refused unless the user
says so on purpose (`python -m etl load --allow-drop`, or the confirmation on the upload page),
which store.Options carries as `allow_drop` and the archive log keeps for rebuild. Renaming an
area moves all its grids to a new (area, code) and is caught the same way.
"""

from __future__ import annotations

from typing import Any

import duckdb

from etl.load.extraction import Extraction
from etl.load.issues import Issue
from etl.load.kinds import vocabulary

# Months (or years) of history per current grid, in any table that keeps rows by grid.
HISTORY_SQL = """
WITH months AS (
    SELECT area, grid_code, month FROM cur_monthly_score
    UNION SELECT area, grid_code, month FROM cur_report
    UNION SELECT area, grid_code, month FROM cur_volunteer
    UNION SELECT area, grid_code, month FROM cur_problem
    UNION SELECT area, grid_code, month FROM cur_lamp_check
), scored AS (
    SELECT area, grid_code, count(DISTINCT month) AS n FROM cur_monthly_score GROUP BY ALL
), other AS (
    SELECT area, grid_code, count(DISTINCT month) AS n FROM months GROUP BY ALL
), years AS (
    SELECT area, grid_code, count(DISTINCT year) AS n FROM cur_annual_score GROUP BY ALL
)
SELECT g.area, g.grid_code, g.grid_name, coalesce(s.n, 0), coalesce(o.n, 0), coalesce(y.n, 0)
FROM cur_grid_registry g
LEFT JOIN scored s USING (area, grid_code)
LEFT JOIN other o USING (area, grid_code)
LEFT JOIN years y USING (area, grid_code)
WHERE coalesce(o.n, 0) + coalesce(y.n, 0) > 0
ORDER BY g.sort_order
"""

DROP_PREFIX = "新名册缺少网格"
CONFIRM_HINT = (
    "新名册去掉这些网格后，它们过去的排名、报送和问题记录将不再显示。若确要删除，请在上传页勾选"
    "「我确认删除这些网格」后再导入（命令行加 --allow-drop）；否则请在名册中补上这些网格"
)


def _history_text(scored: int, months: int, years: int) -> str:
    if scored:
        text = f"已有 {scored} 个月的考核记录"
    elif months:
        text = f"已有 {months} 个月的报送、志愿服务、问题或路灯记录"
    else:
        text = ""
    if years:
        text = f"{text}，{years} 个年度的年终考核得分" if text else f"已有 {years} 个年度的年终考核得分"
    return text


def dropped_grids(con: duckdb.DuckDBPyConnection, extraction: Extraction, allow_drop: bool) -> list[Issue]:
    """Issues for every grid with history that the file's new registry leaves out: errors by
    default, warnings (for the record) when the user allowed it. Empty when the file carries
    no registry."""
    new: set[tuple[str, str]] = set()
    sheet_name = None
    for s in extraction.sheets:
        spec = vocabulary().kinds[s.kind]
        if spec.shape == "registry":
            sheet_name = sheet_name or s.sheet
            new |= {(str(r["area"]), str(r["grid_code"])) for r in s.tables.get(spec.table, [])}
    if sheet_name is None or not new:
        return []
    new_areas = {a for a, _ in new}
    rows: list[Any] = con.execute(HISTORY_SQL).fetchall()
    severity = "warning" if allow_drop else "error"
    out: list[Issue] = []
    for area, code, name, scored, months, years in rows:
        if (area, code) in new:
            continue
        where = f"（片区「{area}」不在新名册中）" if area not in new_areas else ""
        what = f"{code} {name}（{area}，{_history_text(scored, months, years)}）"
        if allow_drop:
            out.append(Issue(f"已确认删除：新名册不含网格 {what}{where}", severity, sheet_name))
        else:
            out.append(Issue(f"{DROP_PREFIX} {what}{where}", severity, sheet_name))
    if out and not allow_drop:
        out.append(Issue(CONFIRM_HINT, "error", sheet_name))
    return out


def refuses_drop(extraction: Extraction) -> bool:
    """True when the file was refused (also) because its registry drops grids with history."""
    return any(i.severity == "error" and i.message.startswith(DROP_PREFIX) for i in extraction.issues)
