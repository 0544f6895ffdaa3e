"""网格化管理考核看板 — entry point: page routing and the shared sidebar only.

Two uses of this one file. Streamlit runs it as the page script (`__name__ == "__main__"`,
every rerun): the navigation below. `streamlit run dashboard.py` finds `app` and the server
imports this module for it: Streamlit on Starlette with webapp.py's middleware (the wall
screen paints dark from its first frame). The server imports nothing of the pages: their
modules are first imported inside a script run (pages/common.py relies on that).
"""

from __future__ import annotations

import streamlit as st

import webapp

if __name__ == "__main__":
    from etl.output.display import render as display_render
    from pages import common, zh_ui

    st.set_page_config(page_title="网格化管理考核看板", page_icon=":material/grid_view:", layout="wide")

    PAGES = {
        "看板": [
            st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
            st.Page("pages/ranking.py", title="月度排名", icon=":material/leaderboard:", url_path="ranking"),
            st.Page("pages/trends.py", title="网格趋势", icon=":material/trending_up:", url_path="trends"),
            st.Page("pages/annual.py", title="年度考评", icon=":material/military_tech:", url_path="annual"),
        ],
        "工作落实": [
            st.Page(
                "pages/volunteer.py",
                title="志愿服务",
                icon=":material/volunteer_activism:",
                url_path="volunteer",
            ),
            st.Page(
                "pages/reports.py", title="信息报送", icon=":material/outgoing_mail:", url_path="reports"
            ),
            st.Page("pages/problems.py", title="问题台账", icon=":material/build:", url_path="problems"),
            st.Page("pages/lamps.py", title="路灯", icon=":material/emoji_objects:", url_path="lamps"),
            st.Page(
                "pages/notices.py", title="整改通知", icon=":material/assignment_late:", url_path="notices"
            ),
            st.Page("pages/grids.py", title="网格档案", icon=":material/map:", url_path="grids"),
        ],
        "管理": [
            st.Page("pages/upload.py", title="数据上传", icon=":material/upload_file:", url_path="upload"),
            st.Page("pages/display.py", title="会议大屏", icon=":material/tv:", url_path="display"),
        ],
    }

    page = st.navigation(PAGES)
    if page.url_path == "display":
        # The wall screen's dark style as the very first element of the page.
        st.html(display_render.CSS)
    st.html(common.CSS)
    st.html(zh_ui.chinese_ui_script(), unsafe_allow_javascript=True)
    if page.url_path not in common.NO_FILTER_PAGES:
        # The picker lives in the entry script so that its state survives a change of page.
        common.remember_filters()
    else:
        st.session_state.pop("_filters", None)
    page.run()

else:
    app = st.App(__file__, middleware=webapp.MIDDLEWARE)
