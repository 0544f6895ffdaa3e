"""会议大屏: full-screen rotating panels for the meeting-room screen.

Everything the screen needs is in the URL (area, month, rotate, panels, panel), so a reload or
a lost connection restores it. New data shows at the next rotation (at most a minute when a
panel is held); a failing read keeps the last good panel with a small notice.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime

import streamlit as st

from etl import board, display, lamps, queries
from pages import common

log = logging.getLogger("dashboard.display")
HOLD_REFRESH = 30  # seconds between data refreshes when one panel is held (rotate=0)


def _params() -> tuple[str | None, str | None, int, list[str], int]:
    qp = st.query_params
    order = display.panel_order(qp.get("panels"))
    panel = qp.get("panel")
    start = order.index(panel) if panel in order else 0
    if panel in display.PANELS and panel not in order:
        order, start = [panel], 0
    return qp.get("area"), qp.get("month"), display.rotate_seconds(qp.get("rotate")), order, start


def _panel_html(panel: str, area: str, month_text: str | None) -> tuple[str, str]:
    """(header context, panel body) for the area's chosen or latest checked month."""
    months = common.read(queries.months, area)
    if not months:
        raise common.NoData
    wanted = [m for m in months if m.strftime("%Y-%m") == month_text]
    month = wanted[0] if wanted else months[-1]
    if panel == "ranking":
        body = display.ranking_panel(common.read(queries.month_ranking, area, month))
    elif panel == "warnings":
        body = display.warnings_panel(
            common.read(queries.month_ranking, area, month), common.read(queries.streak_warnings, area, month)
        )
    elif panel == "reports":
        fig = common.read(board.month_figures, area, month)
        body = display.reports_panel(
            common.read(queries.missing_reports, area, month),
            fig.n_grids,
            fig.on_time,
            fig.deadline,
            fig.today,
        )
    elif panel == "volunteer":
        frame = common.read(queries.volunteer_matrix, area, month.year)
        body = display.volunteer_panel(frame, month.strftime("%Y-%m"))
    elif panel == "problems":
        body = display.problems_panel(
            common.read(queries.problem_figures, area, month.year, month),
            common.read(queries.overdue_problems, area),
        )
    elif panel == "lamps":
        # The check of the shown month, else the latest check before it, else the latest.
        checks = common.read(lamps.lamp_months, area)
        earlier = [m for m in checks if m <= month]
        check = earlier[-1] if earlier else (checks[-1] if checks else month)
        body = display.lamps_panel(
            common.read(lamps.lamp_month, area, check),
            check,
            common.read(lamps.targets),
            lamps.work_figures(common.read(lamps.work_month, area, check)),
        )
    else:
        ranking = common.read(queries.month_ranking, area, month)
        ranked = ranking[~ranking["missing"].astype(bool)].sort_values("rank")
        codes = (
            tuple(dict.fromkeys([ranked["grid_code"].iloc[0], ranked["grid_code"].iloc[-1]]))
            if len(ranked)
            else ()
        )
        history = common.read(queries.grid_history, area, codes)
        body = display.trend_panel(history.averages, history.totals, month.year, codes)
    return month.strftime("%Y-%m"), body


def body() -> None:
    st.html(display.CSS)
    area_param, month_param, rotate, order, start = _params()

    @st.fragment(run_every=rotate or HOLD_REFRESH)
    def screen() -> None:
        ss = st.session_state
        now = time.time()
        if "gd_index" not in ss or ss.get("gd_order") != order:
            ss.gd_index, ss.gd_order, ss.gd_next = start, order, now + rotate
        elif rotate and now >= ss.gd_next - 1.0:
            ss.gd_index = (ss.gd_index + 1) % len(order)
            ss.gd_next = now + rotate
        panel = order[ss.gd_index]
        last = ss.setdefault("gd_last", {})
        notice = ""
        try:
            areas = common.read(queries.areas)
            if not areas:
                raise common.NoData
            area = area_param if area_param in areas else ("县城" if "县城" in areas else areas[0])
            month_text, html_body = _panel_html(panel, area, month_param)
            last[panel] = (area, month_text, html_body)
        except common.NoData:
            area, month_text = area_param or "", None
            html_body = '<div class="gd-h">暂无考核数据，请先在「数据上传」页导入。</div>'
        except Exception:  # keep the screen up: the last good panel and a small notice
            log.exception("display panel %s failed", panel)
            if panel not in last:
                area, month_text = area_param or "", None
                html_body = '<div class="gd-h">数据暂时无法读取，稍后自动重试。</div>'
            else:
                area, month_text, html_body = last[panel]
            notice = '<div class="gd-warn">⚠ 数据暂时无法读取，显示的是上一次的内容，稍后自动重试。</div>'
        month = date.fromisoformat(month_text + "-01") if month_text else date.today().replace(day=1)
        header = display.Header(area=area, month=month, updated=datetime.now(), panel=panel, rotate=rotate,
                                remaining=max(0.0, ss.gd_next - time.time()))  # fmt: skip
        # st.markdown keeps inline SVG (st.html would strip it); all data text is escaped.
        st.markdown(
            f'<div class="gd" data-panel="{panel}">{display.header_html(header)}{html_body}{notice}</div>',
            unsafe_allow_html=True,
        )

    screen()


common.run_page(body)
