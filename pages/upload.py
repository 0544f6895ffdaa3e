"""数据上传: templates, check before load, what will change, confirm, history and revert."""

from __future__ import annotations

import streamlit as st

from etl import board, db, preview, store, template
from etl.extract import KIND_LABELS, KINDS
from etl.issues import FileRejected
from etl.parse import CellError, parse_month, parse_year
from pages import common

MAX_MB = 20
ISSUE_ROWS = 200
SUFFIXES = ["xlsx", "xlsm", "xls", "csv"]


def templates() -> None:
    st.subheader("① 下载模板")
    st.caption("模板已按当前网格名册和评分细则预先填好网格和考核项目，网格、问题类别单元格带下拉选项。")
    cols = st.columns(4)
    for i, kind in enumerate(KINDS):
        cols[i % 4].download_button(
            KIND_LABELS[kind],
            data=_template(kind, db.data_version()),
            file_name=f"模板_{KIND_LABELS[kind]}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"tpl_{kind}",
            icon=":material/download:",
            width="stretch",
        )


@st.cache_data(show_spinner=False, max_entries=32)
def _template(kind: str, version: str) -> bytes:
    return template.template_bytes(kind)


def choose_and_check() -> tuple[list[tuple[preview.FilePreview, bytes]], store.Options]:
    st.subheader("② 选择文件并检查")
    files = st.file_uploader(
        "选择一个或多个表格文件（.xlsx、.xlsm、.xls、.csv，每个不超过 20 MB）",
        type=SUFFIXES,
        accept_multiple_files=True,
        key=f"files_{st.session_state.get('uploader_round', 0)}",
    )
    c1, c2, c3 = st.columns(3)
    round_ = st.session_state.get("uploader_round", 0)  # new widgets after each load: no stale month
    kind = c1.selectbox(
        "表格类型", [None, *KINDS], format_func=lambda k: "自动识别" if k is None else KIND_LABELS[k],
        key=f"kind_{round_}",
    )  # fmt: skip
    month = c2.text_input("月份（表中没写时使用）", placeholder="如 2019-03", key=f"month_{round_}")
    year = c3.text_input("年度（年终考核表中没写时使用）", placeholder="如 2019", key=f"year_{round_}")
    options = store.Options(kind=kind)
    try:
        options.month = parse_month(month) if month.strip() else None
    except CellError:
        st.error(f"月份「{month}」看不懂，请写成 2019-03")
        return [], options
    try:
        options.year = parse_year(year) if year.strip() else None
    except CellError:
        st.error(f"年度「{year}」看不懂，请写成 2019")
        return [], options
    if not files:
        return [], options
    checked = []
    for f in files:
        data = f.getvalue()
        if len(data) > MAX_MB * 1024 * 1024:
            st.error(
                f"「{f.name}」有 {len(data) / 1024 / 1024:.1f} MB，超过 {MAX_MB} MB 的上限，请拆分后再上传。"
            )
            continue
        key = (f.name, store.sha256_of(data), options.as_json(), db.data_version())
        cache = st.session_state.setdefault("previews", {})
        if key not in cache:
            with st.spinner(f"正在检查「{f.name}」……"):
                cache[key] = preview.preview_bytes(data, f.name, options)
        checked.append((cache[key], data))
    for pv, _ in checked:
        show_preview(pv)
    return checked, options


def show_preview(pv: preview.FilePreview) -> None:
    errors = len(pv.errors)
    warnings = len(pv.extraction.issues) - errors
    if errors:
        head = f"✗ {pv.file_name}：{errors} 个错误，不能导入（整份文件不会写入）"
    elif pv.duplicate_of is not None:
        head = f"= {pv.file_name}：与已导入文件完全相同，将跳过"
    else:
        head = f"✓ {pv.file_name}：可以导入" + (f"（{warnings} 条提示）" if warnings else "")
    with st.expander(head, expanded=True):
        if pv.extraction.sheets:
            st.markdown("**识别结果：**")
            for line in pv.recognised():
                st.text("· " + line)
        # A whole file refused (unreadable, too large, hostile): one plain red message.
        whole = [i for i in pv.errors if not i.sheet and not i.row]
        for issue in whole:
            st.error(issue.message, icon=":material/block:")
        if len(pv.extraction.issues) > len(whole):
            st.markdown("**问题清单**（错误在前；行号与 Excel 中显示的一致）：")
            table = pv.issue_table()
            # A static table wraps long messages (a data grid would cut them off).
            st.table(table.head(ISSUE_ROWS).set_index("级别"))
            if len(table) > ISSUE_ROWS:
                st.caption(f"另有 {len(table) - ISSUE_ROWS} 条未显示；请先改正以上问题后重新检查。")
        if pv.changes:
            st.markdown("**导入后将发生的变化：**")
            for line in pv.changes:
                st.text("· " + line)
        if pv.rank_moves is not None and not pv.rank_moves.empty:
            st.markdown("**排名变化：**")
            st.dataframe(board.screen_text(pv.rank_moves, {"原排名": "{:.0f}"}), hide_index=True)
        if not errors:
            samples = pv.sample_rows()
            if samples:
                with st.popover("查看解析后的数据（前 50 行）"):
                    for name, frame in samples.items():
                        st.caption(name)
                        st.dataframe(frame, hide_index=True)


def confirm(checked: list[tuple[preview.FilePreview, bytes]], options: store.Options, user: str) -> None:
    loadable = [(pv, data) for pv, data in checked if pv.loadable]
    if not checked:
        return
    st.subheader("③ 确认导入")
    if not loadable:
        if all(pv.duplicate_of is not None for pv, _ in checked):
            st.info("所选文件都已导入过，内容完全相同，无需再次导入。")
        else:
            st.info(
                "没有可以导入的文件：请按上面的问题清单改正后，点文件名旁的 ⊗ 移除旧文件，再重新选择改好的文件。"
            )
        return
    names = "、".join(pv.file_name for pv, _ in loadable)
    st.text(f"将导入 {len(loadable)} 个文件：{names}（导入人：{user}）")
    if not st.button("确认导入", type="primary", icon=":material/task_alt:"):
        return
    bar = st.progress(0.0, text="正在导入……")
    results = []
    for i, (pv, data) in enumerate(loadable, start=1):
        try:
            res = store.load_bytes(data, pv.file_name, options=options, loaded_by=user)
            results.append(("ok", res.summary(), pv))
        except FileRejected as exc:
            results.append(("error", f"{exc}；" + "；".join(str(i) for i in exc.errors[:5]), pv))
        except db.DatabaseBusy as exc:  # nothing of this file was loaded
            results.append(("error", f"{pv.file_name}：{exc}（此文件未导入）", pv))
        bar.progress(i / len(loadable), text=f"已处理 {i}/{len(loadable)} 个文件")
    st.session_state["load_results"] = [(s, m, pv.months) for s, m, pv in results]
    st.session_state["_toasted"] = False
    st.session_state["uploader_round"] = st.session_state.get("uploader_round", 0) + 1
    st.session_state.pop("previews", None)
    st.rerun()


def last_results() -> None:
    results = st.session_state.get("load_results")
    if not results:
        return
    for status, message, months in results:
        (st.success if status == "ok" else st.error)(message)
        if not st.session_state.get("_toasted"):
            # The page may be scrolled down at the file list: a toast is seen wherever one is.
            st.toast(message, icon=":material/task_alt:" if status == "ok" else ":material/error:")
        for m in months[:6]:
            st.page_link("pages/ranking.py", label=f"查看 {m.year}年{m.month}月 排名 →",
                         query_params={"month": f"{m:%Y-%m}", "year": str(m.year)})  # fmt: skip
    st.session_state["_toasted"] = True
    if st.button("知道了", key="ack_results"):
        st.session_state.pop("load_results", None)
        st.rerun()


def history(user: str | None) -> None:
    st.subheader("④ 导入历史与撤销")
    try:
        frame = store.history()
    except db.DatabaseMissing:
        st.info("还没有导入任何文件。")
        return
    if frame.empty:
        st.info("还没有导入任何文件。")
        return
    st.dataframe(
        board.history_display(frame),
        hide_index=True,
        width="stretch",
        column_config={"导入时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
    )
    ids = frame["batch_id"].tolist()
    pick = st.selectbox(
        "选择批次", ids, format_func=lambda b: f"#{b} {frame.set_index('batch_id').loc[b, 'file_name']}"
    )
    row = frame.set_index("batch_id").loc[pick]
    c1, c2 = st.columns(2)
    try:
        original = store.archived_file(row["archive_name"]).read_bytes()
        c1.download_button(
            "下载原始文件", original, file_name=str(row["file_name"]), icon=":material/download:"
        )
    except FileNotFoundError:
        c1.warning("存档中找不到该文件")
    if row["status"] == "reverted":
        c2.caption(f"该批次已于 {row['reverted_at']:%Y-%m-%d %H:%M} 撤销")
        return
    if user is None:
        c2.caption("登录后可撤销批次")
        return
    with c2.popover("撤销此批次", icon=":material/undo:"):
        st.markdown(
            f"撤销后，批次 **#{pick}** 的数据不再计入，被它替换的旧数据恢复有效。原始文件和记录都会保留。"
        )
        if st.button(f"确认撤销 #{pick}", type="primary", key=f"revert_{pick}"):
            try:
                store.revert(int(pick), by=user)
            except db.DatabaseBusy as exc:
                st.error(f"{exc}（批次 #{pick} 未撤销）")
                return
            st.session_state["load_results"] = [
                (
                    "ok",
                    f"已撤销批次 #{pick}（{row['file_name']}）：其数据不再计入，被它替换的数据恢复有效",
                    [],
                )
            ]
            st.session_state["_toasted"] = False
            st.rerun()


def body() -> None:
    st.title("数据上传")
    st.caption(
        "查看页面无需登录；导入和撤销需要登录。每个文件整体导入或整体不导入，已导入的数据可以随时撤销。"
    )
    user = common.sign_in()
    if user:
        st.caption(f"当前用户：{user}")
    last_results()
    templates()
    if user:
        checked, options = choose_and_check()
        confirm(checked, options, user)
    history(user)


common.run_page(body)
