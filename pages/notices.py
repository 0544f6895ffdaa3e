"""整改通知: the notices the rules call for in the month, issuing them (as Word files), and
recording responses and closing. Drafting and reading live in etl/rules/notices.py, recording in
etl/load/notice_events.py, the documents in etl/output/notice_doc.py."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import db
from etl.errors import GridError
from etl.load import notice_events
from etl.output import notice_doc
from etl.rules import notices
from etl.safetext import md
from pages import common

STATUS_STYLE = {
    "逾期未回复": "background-color: #fdecea; color: #8e1c1c; font-weight: 600",
    "待回复": "background-color: #fff8e1",
    "已回复": "background-color: #e3f2fd",
    "已办结": "color: #2e7d32",
}


def _paint_status(row: pd.Series) -> list[str]:
    return [STATUS_STYLE.get(row["状态"], "")] * len(row)


def _label(n: dict) -> str:
    return f"{n['notice_no']} · {n['grid_code']} {n['grid_name']} · {n['kind']} · {n['status']}"


def _flash() -> None:
    message = st.session_state.pop("notice_message", None)
    if message:
        st.success(message)


def drafts_section(f: common.Filters, drafts: pd.DataFrame, user: str | None) -> None:
    st.subheader("① 本月应发通知")
    if drafts.empty:
        st.success("按规则本月没有需要下发的整改通知或书面说明通知。")
        return
    counts = drafts["kind"].value_counts()
    st.caption("按规则：" + "，".join(f"{k} {int(counts[k])} 份" for k in notices.KINDS if k in counts))
    shown = notice_doc.drafts_display(drafts)
    st.dataframe(
        shown.style.apply(
            lambda r: ["color: #757575"] * len(r) if r["下发情况"] == "已下发" else [""] * len(r), axis=1
        ),
        hide_index=True,
        width="stretch",
    )
    pending = drafts[~drafts["issued"].astype(bool)]
    if pending.empty:
        st.info("本月应发的通知已全部下发，见下方「已下发通知」。")
        return
    st.download_button(
        f"下载待下发通知草稿（{len(pending)} 份 .docx，zip）",
        common.deferred(notice_doc.month_zip, f.area, f.month, "draft"),
        file_name=f"{f.area}_{f.month:%Y-%m}_整改通知_草稿.zip",
        mime="application/zip",
        icon=":material/folder_zip:",
        on_click="ignore",
    )
    st.subheader("② 下发")
    if user is None:
        st.caption("登录后可登记下发。")
        return
    names = dict(zip(pending["notice_id"], pending["grid_code"] + " " + pending["grid_name"] + " · " + pending["kind"],
                     strict=True))  # fmt: skip
    chosen = st.multiselect(
        "要下发的通知（默认全部）", list(names), default=list(names), format_func=lambda x: names[x]
    )
    c1, c2 = st.columns([1, 2])
    on = c1.date_input("下发日期", value=notices.today(), format="YYYY-MM-DD")
    c2.caption(f"回复期限为下发后 {common.read(notices.due_days)} 天；登记后编号、日期和通知内容即固定下来。")
    if st.button(
        f"登记下发（{len(chosen)} 份）", type="primary", disabled=not chosen, icon=":material/send:"
    ):
        try:
            done = notice_events.issue_notices(f.area, f.month, on=on, by=user, ids=chosen)
        except GridError as exc:  # a date before the month, a busy database
            st.error(exc.message)
            return
        st.session_state["notice_message"] = f"已登记下发 {len(done)} 份通知，可在「已下发通知」中下载。"
        st.rerun()


def issued_section(f: common.Filters, issued: pd.DataFrame) -> None:
    st.subheader("③ 已下发通知")
    if issued.empty:
        st.info(f"{common.month_label(f.month)}还没有下发通知。")
        return
    shown = notice_doc.notices_display(issued)
    st.dataframe(shown.style.apply(_paint_status, axis=1), hide_index=True, width="stretch")
    st.download_button(
        f"下载已下发通知（{len(issued)} 份 .docx，zip）",
        common.deferred(notice_doc.month_zip, f.area, f.month, "issued"),
        file_name=f"{f.area}_{f.month:%Y-%m}_整改通知.zip",
        mime="application/zip",
        icon=":material/folder_zip:",
        on_click="ignore",
    )


def response_section(f: common.Filters, user: str | None) -> None:
    st.subheader("④ 登记回复 / 办结")
    every_month = st.toggle("包括其他月份未办结的通知", value=False)
    month = None if every_month else f.month
    open_ = common.read(notices.list_notices, f.area, month, True)
    if open_.empty:
        st.caption("没有未办结的通知。")
        return
    if user is None:
        st.caption("登录后可登记回复和办结。")
        return
    records = {r["notice_id"]: r for r in open_.to_dict("records")}
    pick = st.selectbox("通知", list(records), format_func=lambda x: _label(records[x]))
    n = records[pick]
    st.caption(
        f"下发 {pd.Timestamp(n['issued_on']):%Y-%m-%d}，回复期限 {pd.Timestamp(n['due_on']):%Y-%m-%d}"
        + (
            f"，已于 {pd.Timestamp(n['responded_on']):%Y-%m-%d} 回复"
            if not pd.isna(n["responded_on"])
            else ""
        )
    )
    c1, c2 = st.columns([1, 2])
    on = c1.date_input("日期", value=notices.today(), format="YYYY-MM-DD", key="notice_date")
    note = c2.text_input("备注（如：收到整改报告、已现场复查）", key="notice_note")
    b1, b2, _ = st.columns([1, 1, 3])
    action = None
    if b1.button("登记收到回复", icon=":material/mark_email_read:"):
        action = notice_events.record_response
    if b2.button("验收办结", icon=":material/task_alt:"):
        action = notice_events.close_notice
    if action is None:
        return
    try:
        action(pick, on=on, by=user, note=note)
    except db.DatabaseBusy as exc:
        st.error(f"{exc}（未登记）")
        return
    except GridError as exc:  # a wrong date, a closed or unknown notice
        st.error(exc.message)
        return
    done = "回复" if action is notice_events.record_response else "办结"
    st.session_state["notice_message"] = f"已登记{done}：{md(_label(n))}"
    st.rerun()


def body() -> None:
    f = common.filters()
    common.sample_banner()
    st.title("整改通知")
    if common.empty_month(f):
        return
    label = common.month_label(f.month)
    st.caption(
        f"{md(f.area)} · {label} · 督查整改通知书和书面说明通知：末位三名、未按时报送、未开展志愿服务、"
        "问题逾期未整改、连续三次末位（书面说明）、路灯未达标、年度不达标（12月）"
    )
    _flash()
    drafts = common.read(notices.draft_notices, f.area, f.month)
    issued = common.read(notices.list_notices, f.area, f.month)
    figures = common.read(notices.notice_figures, f.area)
    pending = common.read(notices.pending_count, f.area, f.month)
    c = st.columns(4)
    c[0].metric("本月应发", f"{len(drafts)} 份")
    c[1].metric("本月待下发", f"{pending} 份")
    c[2].metric("未办结（全部月份）", f"{figures.open} 份")
    c[3].metric("逾期未回复", f"{figures.overdue} 份", delta="需催办" if figures.overdue else None,
                delta_color="inverse", delta_arrow="off")  # fmt: skip
    user = common.sign_in("下发通知和登记回复") if pending or not issued.empty or figures.open else None
    drafts_section(f, drafts, user)
    issued_section(f, issued)
    response_section(f, user)


common.run_page(body)
