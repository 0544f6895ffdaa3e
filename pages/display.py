"""会议大屏: full-screen rotating panels for the meeting-room screen.

Everything the screen needs is in the URL (area, month, rotate, panels, panel), so a reload or
a lost connection restores it. The next panel is built completely before it replaces the
current one (one element, swapped in one go); new data shows at the next rotation (within
HOLD_REFRESH seconds when a panel is held); a failing read keeps the last good panel with a
small notice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, datetime

import streamlit as st

from etl.output import display
from etl.rules import board, lamps, queries
from pages import common

log = logging.getLogger("dashboard.display")
HOLD_REFRESH = 15  # seconds between refreshes (clock, data) when one panel is held (rotate=0)

Body = tuple[display.Html, str]


def _params() -> tuple[str | None, str | None, int, list[str], int]:
    qp = st.query_params
    order = display.panel_order(qp.get("panels"))
    panel = qp.get("panel")
    start = order.index(panel) if panel in order else 0
    if panel in display.PANELS and panel not in order:
        order, start = [panel], 0
    return qp.get("area"), qp.get("month"), display.rotate_seconds(qp.get("rotate")), order, start


# ---- one builder per panel, keyed like display.PANELS ----------------------------------------


def _ranking(area: str, month: date) -> Body:
    return display.ranking_panel(common.read(queries.month_ranking, area, month))


def _warnings(area: str, month: date) -> Body:
    return display.warnings_panel(common.read(queries.month_ranking, area, month))


def _reports(area: str, month: date) -> Body:
    return display.reports_panel(common.read(display.panel_reports, area, month))


def _volunteer(area: str, month: date) -> Body:
    return display.volunteer_panel(common.read(display.panel_volunteer, area, month))


def _problems(area: str, month: date) -> Body:
    figures = common.read(queries.problem_figures, area, month.year, month)
    today = common.read(board.month_figures, area, month).today
    return display.problems_panel(figures, common.read(queries.overdue_problems, area), today)


def _map(area: str, month: date) -> Body:
    return display.map_panel(
        common.read(board.registry, area), common.read(queries.month_ranking, area, month)
    )


def _trend(area: str, month: date) -> Body:
    ranking = common.read(queries.month_ranking, area, month)
    ranked = ranking[~ranking["missing"].astype(bool)].sort_values("rank")
    codes = (
        tuple(dict.fromkeys([ranked["grid_code"].iloc[0], ranked["grid_code"].iloc[-1]]))
        if len(ranked)
        else ()
    )
    history = common.read(queries.grid_history, area, codes)
    return display.trend_panel(history.averages, history.totals, month, codes)


def _lamps(area: str, month: date) -> Body:
    # The check of the shown month, else the latest check before it, else the latest.
    checks = common.read(lamps.lamp_months, area)
    earlier = [m for m in checks if m <= month]
    check = earlier[-1] if earlier else (checks[-1] if checks else month)
    return display.lamps_panel(
        common.read(lamps.lamp_month, area, check),
        check,
        common.read(lamps.targets),
        lamps.work_figures(common.read(lamps.work_month, area, check)),
    )


BUILDERS: dict[str, Callable[[str, date], Body]] = {
    "ranking": _ranking,
    "warnings": _warnings,
    "reports": _reports,
    "volunteer": _volunteer,
    "problems": _problems,
    "map": _map,
    "trend": _trend,
    "lamps": _lamps,
}


def _panel(panel: str, area: str, month_text: str | None) -> tuple[date, date, display.Html, str]:
    """(month, as-of date, body, footer note) for the area's chosen or latest checked month."""
    months = common.read(queries.months, area)
    if not months:
        raise common.NoData
    wanted = [m for m in months if m.strftime("%Y-%m") == month_text]
    month = wanted[0] if wanted else months[-1]
    body, note = BUILDERS[panel](area, month)
    return month, common.read(board.month_figures, area, month).today, body, note


def body() -> None:
    # (display.CSS is the entry script's first element on this page.) A clock that ticks
    # between reruns.
    st.html(display.SCRIPT, unsafe_allow_javascript=True)
    area_param, month_param, rotate, order, start = _params()

    @st.fragment(run_every=rotate or HOLD_REFRESH)
    def screen() -> None:
        ss = st.session_state
        now = time.time()
        fresh = False
        if "gd_index" not in ss or ss.get("gd_order") != order:
            ss.gd_index, ss.gd_order, fresh = start, order, True
        elif rotate and now >= ss.gd_next - 1.0:
            ss.gd_index = (ss.gd_index + 1) % len(order)
            fresh = True
        panel = order[ss.gd_index]
        last = ss.setdefault("gd_last", {})
        notice = ""
        area = area_param or ""
        month: date | None = None
        as_of = common.today()
        note = ""
        try:
            areas = common.read(queries.areas)
            if not areas:
                raise common.NoData
            area = area_param if area_param in areas else ("县城" if "县城" in areas else areas[0])
            month, as_of, html_body, note = _panel(panel, area, month_param)
            # Only the last good panel of each kind is kept: memory stays flat over a day.
            last[panel] = (area, month, as_of, html_body, note)
        except common.NoData:
            html_body = display.message_body("暂无考核数据，请先在「数据上传」页导入。")
        except Exception:  # keep the screen up: the last good panel and a small notice
            log.exception("display panel %s failed", panel)
            if panel in last:
                area, month, as_of, html_body, note = last[panel]
            else:
                html_body = display.message_body("数据暂时无法读取，稍后自动重试。")
            notice = "⚠ 数据暂时无法读取，显示的是上一次的内容，稍后自动重试。　"
        header = display.Header(area=area, month=month, panel=panel, now=datetime.now(), as_of=as_of,
                                position=ss.gd_index + 1, count=len(order), rotate=rotate,
                                remaining=rotate if fresh else max(0.0, ss.gd_next - time.time()))  # fmt: skip
        # One element, built completely before it replaces the previous panel. st.markdown
        # keeps inline SVG (st.html would strip it); every data value is escaped (display.h).
        st.markdown(display.frame(header, html_body, note, notice), unsafe_allow_html=True)
        if fresh:
            # Counted from the moment the panel is on the screen: a slow read (a busy server)
            # shortens nothing, and a timer run queued behind it does not skip the panel.
            ss.gd_next = time.time() + rotate

    screen()


common.run_page(body)
