"""What every page shares: cached reads keyed by the database version, the area/year/month
picker kept in the URL, empty states and formatting. Layout helpers only; no SQL here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from types import FunctionType
from typing import Any, Concatenate, ParamSpec, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from etl import auth, db
from etl.errors import GridError
from etl.load import eventlog
from etl.output import bulletin_docx, bulletin_xlsx, charts_theme, export, htmlcharts, pageparts
from etl.rules import bulletin, calendar, notices, registry, reporting
from etl.safetext import html_text, md

log = logging.getLogger("dashboard")

P = ParamSpec("P")
R = TypeVar("R")


def leave_legacy_page_mode() -> None:
    """Streamlit decides at server start that an app with a pages/ folder beside its entry
    script is a legacy ("v1") multipage app and, until some session has run st.navigation,
    runs a page file alone when the very first visitor opens its URL (a bookmarked /upload):
    no entry script, a file-name navigation (dashboard, common, annual …). There is no
    setting for this in Streamlit 1.67 and the folder name is fixed by the project layout, so
    switch the (private) flag off once and rerun through the entry script, which keeps the
    URL path (a v1 page and our st.Page share the hash of their url path). Every page imports
    this module. tests/test_browser_coldstart.py opens bookmarks on a cold server."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a future Streamlit without the v1 relic
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


leave_legacy_page_mode()

CSS = """
<style>
/* Chinese dashboard look: tighter headings, readable metrics, phone-friendly padding. */
h1 { font-size: 1.7rem !important; }
[data-testid="stMetricValue"] { font-size: 1.8rem; }
[data-testid="stMetricLabel"] p { font-size: 0.95rem; }
@media (max-width: 640px) {
  .block-container { padding-left: 0.8rem; padding-right: 0.8rem; }
  [data-testid="stMetricValue"] { font-size: 1.4rem; }
}
/* The header bar (sidebar button) is about 3.75rem high: start the page below it, so that it
   never covers the first line (the 示例数据 banner). */
.block-container { padding-top: 4rem; }
@media (max-width: 640px) { .block-container { padding-top: 4rem; } }
/* One layout for laptops, another for phones (common.wide_and_narrow). */
[class*="st-key-narrow_"] { display: none; }
@media (max-width: 640px) {
  [class*="st-key-wide_"] { display: none; }
  [class*="st-key-narrow_"] { display: flex; }
}
/* The element that carries the translating script takes no room. */
[data-testid="stElementContainer"]:has(#grid-zh-ui) { display: none; }
/* Plotly's toolbar would cover the legend on a phone: none there. */
@media (max-width: 640px) { .modebar-container { display: none !important; } }
/* Ranking cards (tables.ranking_cards_html): phones and the overview's podium. */
.rank-cards { display: flex; flex-direction: column; gap: 4px; }
.rc { display: flex; align-items: center; gap: 0.6rem; padding: 0.35rem 0.6rem; border-radius: 6px;
  background: #f6f7f9; border-left: 5px solid #c5cbd3; line-height: 1.3; }
.rc-rank { font-size: 1.25rem; font-weight: 700; min-width: 1.8rem; text-align: center; }
.rc-grid { flex: 1; min-width: 0; display: flex; flex-direction: column; }
.rc-sub { font-size: 0.85rem; color: #555; }
.rc-sub em { font-style: normal; font-weight: 700; color: #b71c1c; white-space: nowrap; }
.rc-who { margin-left: 0.2rem; white-space: nowrap; }
.rc-total { font-size: 1.2rem; font-weight: 700; white-space: nowrap; }
.rc-total small { font-size: 0.8rem; font-weight: 400; margin-left: 1px; }
.rc-top { background: #e8f5e9; border-left-color: #2e7d32; }
.rc-bottom { background: #fdecea; border-left-color: #c62828; color: #8e1c1c; }
.rc-missing { color: #757575; }
.rc-conflict { background: #fff3e0; border-left-color: #ef6c00; color: #8a4b00; }
.rc-conflict .rc-sub em { color: #8a4b00; }
.grid-banner-red { background:#fdecea; border-left:6px solid #c62828; padding:0.6rem 0.9rem;
  margin:0.3rem 0; border-radius:4px; color:#8e1c1c; font-weight:600; }
.grid-banner-sample { background:#fff8e1; border-left:6px solid #f9a825; padding:0.4rem 0.9rem;
  margin:0 0 0.6rem 0; border-radius:4px; color:#6d5200; }
</style>
""".replace("</style>", htmlcharts.CSS + "</style>")


class NoData(GridError):
    """The database has nothing to show yet."""

    def __init__(self, message: str = "还没有数据：请先在「数据上传」页导入表格") -> None:
        super().__init__(message)


def _function_key(fn: FunctionType) -> str:
    """A read function in the cache key by its module and name (st.cache_data cannot hash a
    function argument by itself; the bare name could be shared by two modules)."""
    return f"{fn.__module__}.{fn.__qualname__}"


@st.cache_data(show_spinner=False, max_entries=1024, hash_funcs={FunctionType: _function_key})
def _cached(
    fn: Callable[..., R],
    version: str,
    db_file: str,
    args: tuple[object, ...],
    kwargs: tuple[tuple[str, object], ...],
) -> R:
    with db.connect(db_file) as con:
        return fn(con, *args, **dict(kwargs))


def read(fn: Callable[Concatenate[duckdb.DuckDBPyConnection, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """fn(con, *args) for a read function of etl/ (module-level, typed), cached until the
    database file changes (one cache, keyed on the database version): returns what fn returns."""
    p = db.db_path()
    if not p.exists():
        raise NoData
    return _cached(fn, db.data_version(p), str(p), tuple(args), tuple(sorted(kwargs.items())))


def deferred(
    fn: Callable[Concatenate[duckdb.DuckDBPyConnection, P], R], *args: P.args, **kwargs: P.kwargs
) -> Callable[[], R]:
    """read(fn, *args) put off until a download button is clicked (Streamlit then runs it on
    its own thread), so that building a document never slows the page down."""
    return lambda: read(fn, *args, **kwargs)


DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_downloads(
    container: Any,
    stem: str,
    frame: pd.DataFrame,
    *,
    sheet: str,
    title: str,
    sheets: dict[str, pd.DataFrame] | None = None,
    highlight: dict[str, Sequence[bool]] | None = None,
    xlsx_label: str = "下载 Excel（.xlsx）",
) -> None:
    """The table as shown, as .xlsx (formatted; extra sheets if given) and as UTF-8-BOM CSV,
    both written when clicked (a province's 7,000-row overdue list takes 1.3 s as .xlsx).

    Every download button of the app passes on_click="ignore" (tests/test_architecture.py): a
    click that also reran the page gave the button a new deferred file, and on a busy server the
    browser's request for the old one could come after the rerun had dropped it; the download
    then failed ("Deferred file … not found" in the log) and the buttons stayed disabled."""
    container.download_button(
        xlsx_label,
        lambda: export.xlsx_bytes(sheets or {sheet: frame}, title=title, highlight=highlight),
        file_name=f"{stem}.xlsx", mime=XLSX_MIME, icon=":material/download:", on_click="ignore",
    )  # fmt: skip
    container.download_button("下载 CSV", lambda: export.csv_bytes(frame), file_name=f"{stem}.csv",
                              mime="text/csv", icon=":material/download:", on_click="ignore")  # fmt: skip


def bulletin_buttons(f: Filters, columns: Sequence[Any] | None = None) -> None:
    """The month's work bulletin (工作简报) as Word and as Excel, built on click, dated by the
    date picked beside them (default: the bulletin date rule, the 5th of the following month).
    columns: where the date, the Word and the Excel button go (the date shares the first)."""
    if f.month is None:
        return
    boxes = columns if columns is not None else st.columns([1, 1, 1, 2], vertical_alignment="bottom")[:3]
    day_box, left, right = boxes[0], boxes[-2], boxes[-1]
    default = bulletin.bulletin_date(f.month)
    issued = day_box.date_input(
        "简报日期", value=default, min_value=f.month, format="YYYY-MM-DD", key=f"bulletin_date_{f.month:%Y-%m}",
        width=150,
        help=f"简报落款的日期，默认为次月5日（{default:%Y-%m-%d}）：报送截止日为当月25日，简报在次月初编发。"
        "简报中的报送和整改状态都“截至”这一天；日期晚于今天时按今天的情况写。",
    )  # fmt: skip
    stem = f"{f.area}_{f.month:%Y-%m}_工作简报"
    left.download_button("工作简报（Word）", deferred(bulletin_docx.build_bulletin_docx, f.area, f.month, None, issued),
                         file_name=f"{stem}.docx", mime=DOCX_MIME, icon=":material/description:",
                         help="按县“两创”办简报格式生成，可在 Word/WPS 中直接修改", on_click="ignore")  # fmt: skip
    right.download_button("简报表格（Excel）", deferred(bulletin_xlsx.build_bulletin_xlsx, f.area, f.month, None, issued),
                          file_name=f"{stem}.xlsx", mime=XLSX_MIME, icon=":material/table_view:",
                          help="简报中的各张表格，每张一个工作表", on_click="ignore")  # fmt: skip


PAGE_FAILED = "页面加载出错，请刷新重试；如果一直出现，请联系维护人员（服务器日志中有详细信息）。"


def sentence(message: str) -> str:
    """A message as one sentence on the page: ends with a full stop."""
    return message if message.endswith(("。", "！", "？")) else f"{message}。"


def run_page(body: Any) -> None:
    """Run a page body, turning expected conditions into friendly messages (never a traceback)."""
    try:
        body()
    except NoData:
        st.info(
            "还没有数据。请先在「数据上传」页依次导入网格划分表（网格名册）、评分细则和各月考核表；"
            "那里可以下载已填好网格和考核项目的模板。",
            icon=":material/upload_file:",
        )
        st.page_link("pages/upload.py", label="前往「数据上传」页 →", icon=":material/upload:")
    except GridError as exc:  # expected (a busy database, a refused value…): its Chinese message
        st.warning(sentence(exc.message))
    except Exception:  # anything else is a bug: logged for the maintainer, a plain message for the user
        log.exception("page failed")
        st.error(PAGE_FAILED)


def today() -> date:
    """Today as the rules see it: GRID_TODAY, else today in Asia/Shanghai (one definition,
    etl.rules.notices.today, which the SQL macro grid_today() agrees with)."""
    return notices.today()


def month_label(m: date | str) -> str:
    d = calendar.month_start(m)
    return f"{d.year}年{d.month}月"


def fmt_num(x: Any, digits: int = 1) -> str:
    """Chinese-style figures: thousands separators, fixed decimals, — for missing."""
    if x is None or (isinstance(x, float) and x != x):
        return "—"
    if isinstance(x, int) or float(x).is_integer() and digits == 0:
        return f"{int(x):,}"
    return f"{float(x):,.{digits}f}"


def fmt_pct(x: Any) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "—"
    return f"{float(x) * 100:.1f}%"


@dataclass(frozen=True)
class Filters:
    area: str
    year: int
    month: date | None  # None when the area has no data in that year
    checked: bool = True  # the month had a monthly check (scores); False: other data only


def _pick(key: str, options: list[str], default: str | None) -> str | None:
    """Keep st.session_state[key] valid for the options. A new widget starts from the URL,
    else from the last choice (kept while a page without the picker was shown), else default."""
    if not options:
        st.session_state.pop(key, None)
        return None
    if key not in st.session_state:
        for candidate in (st.query_params.get(key), st.session_state.get(f"_kept_{key}")):
            if candidate in options:
                st.session_state[key] = candidate
                break
        else:
            st.session_state[key] = default
    if st.session_state[key] not in options:
        st.session_state[key] = default if default in options else options[-1]
    st.session_state[f"_kept_{key}"] = st.session_state[key]
    return st.session_state[key]


def sidebar_filters() -> Filters:
    """片区 · 年度 · 月份 in the sidebar, mirrored in the URL (?area=县城&year=2018&month=2018-05)."""
    areas = read(calendar.areas)
    if not areas:
        raise NoData
    default_area = "县城" if "县城" in areas else areas[0]
    _pick("area", areas, default_area)
    area = st.sidebar.selectbox("片区", areas, key="area")
    # Every month with data of any kind (reports and volunteer records count too), so that a
    # month's reports can be seen before its scores arrive; the default is the latest check.
    checked = [m.strftime("%Y-%m") for m in read(calendar.months, area)]
    months = sorted(set(checked) | {m.strftime("%Y-%m") for m in read(calendar.data_months, area)})
    years = [str(y) for y in read(calendar.years, area)] or [str(today().year)]
    latest = checked[-1] if checked else (months[-1] if months else None)
    if "month" not in st.session_state and st.query_params.get("month") in months:
        # A link with a month but no year: the year follows the month.
        st.session_state.setdefault("year", st.query_params["month"][:4])
    _pick("year", years, latest[:4] if latest else years[-1])
    year = st.sidebar.selectbox("年度", years, key="year", format_func=lambda y: f"{y}年")
    in_year = [m for m in months if m.startswith(year)]
    checked_in_year = [m for m in checked if m.startswith(year)]
    default = checked_in_year[-1] if checked_in_year else (in_year[-1] if in_year else None)
    month = _pick("month", in_year, default)
    if in_year:
        month = st.sidebar.selectbox("月份", in_year, key="month", format_func=month_label)
    else:
        st.sidebar.caption(f"{year}年暂无数据")
    params = {"area": area, "year": year}
    if month:
        params["month"] = month
    for k, v in params.items():
        if st.query_params.get(k) != v:
            st.query_params[k] = v
    if not month and "month" in st.query_params:
        del st.query_params["month"]
    return Filters(area=area, year=int(year), month=calendar.month_start(month) if month else None,
                   checked=bool(month) and month in checked)  # fmt: skip


NO_FILTER_PAGES = ("upload", "display")


def remember_filters() -> None:
    """Draw the sidebar picker and keep its answer (or the reason there is none) for the page."""
    try:
        st.session_state["_filters"] = sidebar_filters()
    except NoData:
        st.session_state["_filters"] = None
    except db.DatabaseBusy:
        st.session_state["_filters"] = None


def filters() -> Filters:
    """The picker's current choice; NoData when there is nothing to pick from."""
    f = st.session_state.get("_filters")
    if f is None:
        f = sidebar_filters()
    return f


def sample_banner() -> None:
    if read(registry.is_sample_data):
        st.markdown(
            '<div class="grid-banner-sample">示例数据：当前显示的是随软件附带的示例数据（人名均为虚构），'
            "导入本县真实表格后此提示消失。</div>",
            unsafe_allow_html=True,
        )


def as_of(f: Filters) -> calendar.AsOf:
    """The page's one "as of" (calendar.AsOf): the same today for every status on every page."""
    return read(calendar.as_of, f.month or today())


def future_reports_warning(f: Filters) -> None:
    """Reports of the month dated after today cannot be right as of today: name them."""
    future = read(reporting.future_reports, f.area, f.month)
    if future.empty:
        return
    t = as_of(f).today
    names = pageparts.future_report_names(future)
    st.warning(
        f"{len(future)} 个网格的报送日期晚于今天（{t.month}月{t.day}日），可能录错，请核实：{names}。"
        "状态按今天计算，这些网格暂按尚未报送计。",
        icon=":material/event_busy:",
    )


def empty_month(f: Filters, *, need_scores: bool = True) -> bool:
    """Show the empty state when there is nothing for the chosen month; True when empty.
    Pages built on the monthly check (need_scores) also stop at a month without scores."""
    if f.month is None:
        st.info(f"{md(f.area)}{f.year}年暂无数据，请先在「数据上传」页导入。")
        return True
    if need_scores and not f.checked:
        st.info(f"{month_label(f.month)}暂无考核数据，请先在「数据上传」页导入该月的月度考核表；"
                "信息报送、志愿服务、问题台账页可查看该月已导入的其他数据。")  # fmt: skip
        return True
    return False


def wide_and_narrow(key: str) -> tuple[Any, Any]:
    """Two containers: the first shows on laptops and wider, the second on phones (≤ 640 px),
    by CSS (common.CSS); e.g. a table and its card list."""
    return st.container(key=f"wide_{key}"), st.container(key=f"narrow_{key}")


def plot(fig: Any, key: str | None = None) -> None:
    st.plotly_chart(fig, width="stretch", key=key, config=charts_theme.PLOTLY_CONFIG)


def red_banner(text: str) -> None:
    """The dashboard's red warning strip (common.CSS); the text is escaped, never HTML."""
    st.markdown(f'<div class="grid-banner-red">{html_text(text)}</div>', unsafe_allow_html=True)


def chart_html(html: str) -> None:
    """A chart of etl.output.htmlcharts; nothing for "" (no data: st.html refuses an empty body)."""
    if html:
        st.html(html)


# ---- Sign-in for the pages that write (数据上传, 整改通知) ---------------------------------


def _secret_users() -> dict[str, str]:
    try:
        return dict(st.secrets.get("upload", {}).get("users", {}))
    except Exception:  # no secrets.toml: accounts come from users.json only
        return {}


def sign_in(purpose: str = "导入和撤销数据") -> str | None:
    """The signed-in name, or None (the page then explains what to do). One sign-in for every
    page that writes (数据上传, 整改通知): it is kept in the session."""
    if st.session_state.get("upload_user"):
        return st.session_state["upload_user"]
    users = auth.load_users(extra=_secret_users())
    local = auth.is_loopback(st.get_option("server.address"))
    if not users:
        if local:
            return eventlog.default_user() + "（本机）"
        st.error(f"本看板正在局域网上提供服务，但尚未设置上传密码，因此暂不允许{purpose}。")
        st.markdown(
            "请在运行看板的电脑上执行：\n\n```\npython -m etl passwd 你的名字\n```\n"
            "设置后刷新本页即可登录。（或在 `.streamlit/secrets.toml` 的 `[upload.users]` 中配置。）"
        )
        return None
    with st.form("sign_in"):
        st.markdown(f"**登录后才能{purpose}**（查看页面无需登录）")
        name = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        ok = st.form_submit_button("登录", type="primary")
    if ok:
        got = auth.THROTTLE.attempt(users, name, password, client_address())
        if got.ok:
            st.session_state["upload_user"] = name.strip()
            st.rerun()
        if got.wait:
            st.error(f"登录失败次数过多，请 {got.wait:.0f} 秒后再试。")
        else:
            st.error("用户名或密码不正确。")
    return None


def client_address() -> str | None:
    """The visitor's address (None on this machine), for throttling failed sign-ins."""
    try:
        return st.context.ip_address
    except Exception:  # no client context (a script run, a test harness)
        return None


def served_on_network() -> bool:
    """True when the app listens on a network address: then reading archived originals needs
    sign-in too (on this machine's own address only, it does not)."""
    return not auth.is_loopback(st.get_option("server.address"))
