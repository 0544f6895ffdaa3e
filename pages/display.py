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

from etl.output.display import figures, frame, reads, render, standing, work
from etl.output.display.frame import Body
from etl.output.display.render import Html
from etl.rules import calendar, headline, rankings, registry
from pages import common

log = logging.getLogger("dashboard.display")
HOLD_REFRESH = 15  # seconds between refreshes (clock, data) when one panel is held (rotate=0)


def _params() -> tuple[str | None, str | None, int, list[str], int]:
    qp = st.query_params
    order = frame.panel_order(qp.get("panels"))
    panel = qp.get("panel")
    start = order.index(panel) if panel in order else 0
    if panel in frame.PANELS and panel not in order:
        order, start = [panel], 0
    return qp.get("area"), qp.get("month"), frame.rotate_seconds(qp.get("rotate")), order, start


# ---- one builder per panel, keyed like frame.PANELS: a cached read, then the builder --------


def _ranking(area: str, month: date) -> Body:
    return standing.ranking_panel(common.read(rankings.month_ranking, area, month))


def _warnings(area: str, month: date) -> Body:
    return standing.warnings_panel(common.read(rankings.month_ranking, area, month))


def _reports(area: str, month: date) -> Body:
    return work.reports_panel(common.read(reads.panel_reports, area, month))


def _volunteer(area: str, month: date) -> Body:
    return work.volunteer_panel(common.read(reads.panel_volunteer, area, month))


def _problems(area: str, month: date) -> Body:
    data: reads.ProblemsData = common.read(reads.panel_problems, area, month)
    return work.problems_panel(data.figures, data.overdue, data.today)


def _map(area: str, month: date) -> Body:
    return figures.map_panel(
        common.read(registry.registry, area), common.read(rankings.month_ranking, area, month)
    )


def _trend(area: str, month: date) -> Body:
    data: reads.TrendData = common.read(reads.panel_trend, area, month)
    return figures.trend_panel(data.averages, data.ranks, month, data.codes)


def _lamps(area: str, month: date) -> Body:
    data: reads.LampsData = common.read(reads.panel_lamps, area, month)
    return work.lamps_panel(data.frame, data.check, data.targets, data.work)


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


def _panel(panel: str, area: str, month_text: str | None) -> tuple[date, date, Html, str]:
    """(month, as-of date, body, footer note) for the area's chosen or latest checked month."""
    months: list[date] = common.read(calendar.months, area)
    if not months:
        raise common.NoData
    month = frame.pick_month(months, month_text)
    body, note = BUILDERS[panel](area, month)
    return month, common.read(headline.month_figures, area, month).today, body, note


def body() -> None:
    # (render.CSS is the entry script's first element on this page.) A clock that ticks
    # between reruns.
    st.html(render.SCRIPT, unsafe_allow_javascript=True)
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
            areas = common.read(calendar.areas)
            if not areas:
                raise common.NoData
            area = area_param if area_param in areas else ("县城" if "县城" in areas else areas[0])
            month, as_of, html_body, note = _panel(panel, area, month_param)
            # Only the last good panel of each kind is kept: memory stays flat over a day.
            last[panel] = (area, month, as_of, html_body, note)
        except common.NoData:
            html_body = frame.message_body("暂无考核数据，请先在「数据上传」页导入。")
        except Exception:  # keep the screen up: the last good panel and a small notice
            log.exception("display panel %s failed", panel)
            if panel in last:
                area, month, as_of, html_body, note = last[panel]
            else:
                html_body = frame.message_body("数据暂时无法读取，稍后自动重试。")
            notice = "⚠ 数据暂时无法读取，显示的是上一次的内容，稍后自动重试。　"
        header = frame.Header(area=area, month=month, panel=panel, now=datetime.now(), as_of=as_of,
                              position=ss.gd_index + 1, count=len(order), rotate=rotate,
                              remaining=rotate if fresh else max(0.0, ss.gd_next - time.time()))  # fmt: skip
        # One element, built completely before it replaces the previous panel. st.markdown
        # keeps inline SVG (st.html would strip it); every data value is escaped (the
        # templates' autoescape, etl.output.display.render).
        st.markdown(frame.frame(header, html_body, note, notice), unsafe_allow_html=True)
        if fresh:
            # Counted from the moment the panel is on the screen: a slow read (a busy server)
            # shortens nothing, and a timer run queued behind it does not skip the panel.
            ss.gd_next = time.time() + rotate

    screen()


common.run_page(body)
