"""数据上传: templates, check before load, what will change, confirm, history and revert."""

from __future__ import annotations

import streamlit as st

from etl import db
from etl.load import preview, registry_guard, revert_preview, sample, store
from etl.load.issues import FileRejected
from etl.load.kinds import KIND_LABELS, KINDS
from etl.output import tables, template
from etl.rules import registry
from etl.safetext import md, md_frame
from pages import common

MAX_MB = 20
ISSUE_ROWS = 200
SUFFIXES = ["xlsx", "xlsm", "xls", "csv"]


def templates() -> None:
    st.subheader("① 下载模板")
    st.caption("模板已按当前网格名册和评分细则预先填好网格和考核项目，网格、问题类别单元格带下拉选项。")
    cols = st.columns(4)
    version = db.data_version()
    for i, kind in enumerate(KINDS):
        cols[i % 4].download_button(
            KIND_LABELS[kind],
            data=lambda kind=kind: _template(kind, version),  # written when clicked
            file_name=f"模板_{KIND_LABELS[kind]}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"tpl_{kind}",
            icon=":material/download:",
            width="stretch",
            on_click="ignore",
        )


@st.cache_data(show_spinner=False, max_entries=32)
def _template(kind: str, version: str) -> bytes:
    return template.template_bytes(kind)


def choose_and_check() -> list[tuple[preview.FilePreview, bytes, store.Options]]:
    st.subheader("② 选择文件并检查")
    round_ = st.session_state.get("uploader_round", 0)  # new widgets after each load: no stale month
    files = st.file_uploader(
        "选择一个或多个表格文件（.xlsx、.xlsm、.xls、.csv，每个不超过 20 MB）",
        type=SUFFIXES,
        accept_multiple_files=True,
        key=f"files_{round_}",
    )
    kind = st.selectbox(
        "表格类型", [None, *KINDS], format_func=lambda k: "自动识别" if k is None else KIND_LABELS[k],
        key=f"kind_{round_}",
        help="通常不用选：系统按表头自动识别。表中没写月份或年度时，检查结果里会请您选择。",
    )  # fmt: skip
    if not files:
        return []
    checked = []
    for f in files:
        data = f.getvalue()
        if len(data) > MAX_MB * 1024 * 1024:
            st.error(
                f"「{f.name}」有 {len(data) / 1024 / 1024:.1f} MB，超过 {MAX_MB} MB 的上限，请拆分后再上传。"
            )
            continue
        sha = store.sha256_of(data)
        options = store.Options(
            kind=kind,
            month=st.session_state.get(_pick_key("month", round_, sha)),
            year=st.session_state.get(_pick_key("year", round_, sha)),
            # The confirmation below (a registry that drops grids with history) re-checks with it.
            allow_drop=bool(st.session_state.get(f"allow_drop_{round_}")),
        )
        key = (f.name, sha, options.as_json(), db.data_version())
        cache = st.session_state.setdefault("previews", {})
        if key not in cache:
            # A recheck (other options, data changed) reuses the file's extraction when still valid.
            earlier = next((pv.extracted for k, pv in reversed(cache.items()) if k[:2] == key[:2]), None)
            with st.spinner(f"正在检查「{md(f.name)}」……"):
                cache[key] = preview.preview_bytes(data, f.name, options, reuse=earlier)
        checked.append((cache[key], data, options))
    for pv, _, options in checked:
        show_preview(pv, options, round_)
    if any(opts.allow_drop or registry_guard.refuses_drop(pv.extraction) for pv, _, opts in checked):
        st.checkbox(
            "我确认删除这些网格：新名册中没有它们，它们过去的排名和记录将不再显示（原始文件和旧名册仍保留，可撤销）",
            key=f"allow_drop_{round_}",
        )
    return checked


def _pick_key(what: str, round_: int, sha: str) -> str:
    return f"pick_{what}_{round_}_{sha[:16]}"


def period_picker(pv: preview.FilePreview, options: store.Options, round_: int) -> None:
    """A month (or year) picker right at the 'no month' message; choosing rechecks at once."""
    for what, choices, chosen in (
        ("month", pv.month_choices, options.month),
        ("year", pv.year_choices, options.year),
    ):
        key = _pick_key(what, round_, pv.sha256)
        kept = f"{key}_choices"
        if choices:
            st.session_state[kept] = choices
        if not choices and chosen is None:
            continue
        noun = "月份" if what == "month" else "年度"
        if chosen is None:
            st.warning(f"表中没有写考核{noun}：请在下面选择，选好后立即重新检查。", icon=":material/event:")
        st.selectbox(
            f"考核{noun}（表中没有写，按所选{noun}导入）",
            st.session_state.get(kept, choices),
            index=None,
            key=key,
            placeholder=f"请选择{noun}",
            format_func=(lambda m: f"{m.year}年{m.month}月") if what == "month" else (lambda y: f"{y}年度"),
        )


def show_preview(pv: preview.FilePreview, options: store.Options, round_: int) -> None:
    errors = len(pv.errors)
    warnings = len(pv.extraction.issues) - errors
    if errors:
        head = f"✗ {md(pv.file_name)}：{errors} 个错误，不能导入（整份文件不会写入）"
    elif pv.duplicate_of is not None:
        head = f"= {md(pv.file_name)}：与已导入文件完全相同，将跳过"
    else:
        head = f"✓ {md(pv.file_name)}：可以导入" + (f"（{warnings} 条提示）" if warnings else "")
    with st.expander(head, expanded=True):
        period_picker(pv, options, round_)
        if pv.extraction.sheets:
            st.markdown("**识别结果：**")
            for line in pv.recognised():
                st.text("· " + line)
        # A whole file refused (unreadable, too large, hostile): one plain red message.
        whole = [i for i in pv.errors if not i.sheet and not i.row]
        for issue in whole:
            st.error(md(issue.message), icon=":material/block:")
        if len(pv.extraction.issues) > len(whole):
            st.markdown("**问题清单**（错误在前；行号与 Excel 中显示的一致）：")
            table = pv.issue_table()
            # A static table wraps long messages (a data grid would cut them off).
            st.table(md_frame(table.head(ISSUE_ROWS)).set_index("级别"))  # cells are markdown: escaped
            if len(table) > ISSUE_ROWS:
                st.caption(f"另有 {len(table) - ISSUE_ROWS} 条未显示；请先改正以上问题后重新检查。")
        if pv.changes:
            st.markdown("**导入后将发生的变化：**")
            for line in pv.changes:
                st.text("· " + line)
        if pv.rank_moves is not None and not pv.rank_moves.empty:
            st.markdown("**排名变化：**")
            st.dataframe(tables.screen_text(pv.rank_moves, {"原排名": "{:.0f}"}), hide_index=True)
        if not errors:
            samples = pv.sample_rows()
            if samples:
                with st.expander("查看解析后的数据（前 50 行）"):
                    for name, frame in samples.items():
                        st.caption(name)
                        st.dataframe(frame, hide_index=True, width="stretch")


def confirm(checked: list[tuple[preview.FilePreview, bytes, store.Options]], user: str) -> None:
    loadable = [(pv, data, opts) for pv, data, opts in checked if pv.loadable]
    if not checked:
        return
    st.subheader("③ 确认导入")
    if not loadable:
        waiting = [pv.file_name for pv, _, opts in checked if (pv.month_choices and opts.month is None)
                   or (pv.year_choices and opts.year is None)]  # fmt: skip
        if all(pv.duplicate_of is not None for pv, _, _ in checked):
            st.info("所选文件都已导入过，内容完全相同，无需再次导入。")
        elif waiting and len(waiting) == len(checked):
            st.info(f"请在上面为「{md('」「'.join(waiting))}」选择考核月份或年度，选好后即可导入。")
        else:
            st.info(
                "没有可以导入的文件：请按上面的问题清单改正后，点文件名旁的 ⊗ 移除旧文件，再重新选择改好的文件。"
            )
        return
    names = "、".join(pv.file_name for pv, _, _ in loadable)
    st.text(f"将导入 {len(loadable)} 个文件：{names}（导入人：{user}）")
    if not st.button("确认导入", type="primary", icon=":material/task_alt:"):
        return
    bar = st.progress(0.0, text="正在导入……")
    results = []
    for i, (pv, data, options) in enumerate(loadable, start=1):
        try:
            res = store.load_bytes(data, pv.file_name, options=options, loaded_by=user, reuse=pv.extracted)
            results.append(("ok", res.summary(), pv.links() if res.status == "loaded" else []))
        except FileRejected as exc:
            results.append(("error", f"{exc}；" + "；".join(str(i) for i in exc.errors[:5]), []))
        except db.DatabaseBusy as exc:  # nothing of this file was loaded
            results.append(("error", f"{pv.file_name}：{exc}（此文件未导入）", []))
        bar.progress(i / len(loadable), text=f"已处理 {i}/{len(loadable)} 个文件")
    st.session_state["load_results"] = results
    st.session_state["_toasted"] = False
    st.session_state["uploader_round"] = st.session_state.get("uploader_round", 0) + 1
    st.session_state.pop("previews", None)
    st.rerun()


def last_results() -> None:
    results = st.session_state.get("load_results")
    if not results:
        return
    for status, message, links in results:
        (st.success if status == "ok" else st.error)(md(message))  # names in it are data
        if not st.session_state.get("_toasted"):
            # The page may be scrolled down at the file list: a toast is seen wherever one is.
            st.toast(md(message), icon=":material/task_alt:" if status == "ok" else ":material/error:")
        if links:
            row = st.container(horizontal=True, gap="small")
            for page, label, params in links:
                row.page_link(page, label=md(label), query_params=params)  # area names are data
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
        tables.history_display(frame),
        hide_index=True,
        width="stretch",
        column_config={"导入时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
    )
    ids = frame["batch_id"].tolist()
    # One label per batch, made once: a province's history has ~10,000 batches.
    labels = {b: f"#{b} {name}" for b, name in zip(ids, frame["file_name"], strict=True)}
    pick = st.selectbox("选择批次", ids, format_func=labels.__getitem__)
    row = frame.set_index("batch_id").loc[pick]
    c1, c2 = st.columns(2)
    if user is None:  # served on a network, not signed in: the archived originals stay closed
        c1.caption("登录后可下载原始文件")
    else:
        try:
            original = store.archived_file(row["archive_name"]).read_bytes()
            c1.download_button(
                "下载原始文件",
                original,
                file_name=str(row["file_name"]),
                icon=":material/download:",
                on_click="ignore",
            )
        except FileNotFoundError:
            c1.warning("存档中找不到该文件")
    if row["status"] == "reverted":
        c2.caption(f"该批次已于 {row['reverted_at']:%Y-%m-%d %H:%M} 撤销")
        return
    if user is None:
        c2.caption("登录后可撤销批次")
        return
    with st.expander(f"撤销此批次（#{pick}）", icon=":material/undo:"):
        rp = revert_preview.revert_preview(int(pick))
        st.markdown("撤销后将发生的变化（原始文件和导入记录都会保留，撤销后也可以重新导入）：")
        for line in rp.changes:
            st.text("· " + line)
        if rp.rank_moves is not None and not rp.rank_moves.empty:
            st.markdown("**排名变化：**")
            st.dataframe(
                tables.screen_text(rp.rank_moves, {"原排名": "{:.0f}", "撤销后排名": "{:.0f}"}),
                hide_index=True,
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


def clean_start(user: str | None) -> None:
    """While only the shipped sample is loaded: one click starts an empty database for the
    county's own files (the sample database is kept aside in a backup folder)."""
    try:
        only_sample = common.read(registry.is_sample_data)
    except common.NoData:
        return
    if not only_sample:
        return
    st.info(
        "当前数据库中是随软件附带的示例数据。准备导入本县的表格时，先清空示例数据："
        "示例数据库会移到 data 文件夹下的备份文件夹中，示例表格保留，不会删除任何文件。",
        icon=":material/info:",
    )
    if user is None:
        st.caption("登录后可清空示例数据")
        return
    if st.button("清空示例数据，开始导入本县数据", icon=":material/restart_alt:", key="clear_sample"):
        try:
            backup = sample.clear_sample_db()
        except sample.NotOnlySample:
            st.error("数据库中已有导入的本县数据，不能清空；如需撤销，请在下方「导入历史与撤销」中逐个撤销。")
            return
        except db.DatabaseBusy:
            st.error("数据库正忙（另一个导入正在进行），请稍后再试。")
            return
        st.session_state["load_results"] = [
            (
                "ok",
                f"已清空示例数据（示例数据库已移到 {backup.name} 文件夹）：请先导入网格划分表和评分细则。",
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
        st.caption(f"当前用户：{md(user)}")
    last_results()
    clean_start(user)
    templates()
    if user:
        checked = choose_and_check()
        confirm(checked, user)
    history(user)


common.run_page(body)
