"""The meeting-room display (会议大屏): full-screen panels read from across a room.

大屏 conventions: every panel is drawn on a 1920×1080 design canvas (sizes below are design
pixels, written `28u`) that the browser scales to the screen — 2× on a 4K screen, letterboxed on
other shapes — with a header (title, clock, "n/N" indicator), KPI cards, a centre figure and
lists that roll when they are longer than their box. Smallest text 24 px at 1080p, body 28 px.

Two parts:

* reads (`panel_reports`, `panel_volunteer`): SQL with bound parameters for what the other
  modules do not already read; the page calls them through its cache;
* builders: pure functions data → HTML. Every value from the data goes through one escaping
  helper (`h`): templates are our own literals, their arguments are escaped unless they are
  HTML built here (`Html`). Charts are HTML/CSS (bars) or inline SVG (lines).

`PANELS` is the registry of panel names and titles; the page keeps the builders in a dict keyed
by the same names, so a new panel is one entry in each.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from etl.output import gridmap
from etl.rules import lamps, queries
from etl.safetext import html_text

PANELS: dict[str, str] = {
    "ranking": "本月排名",
    "warnings": "末位与预警",
    "reports": "信息报送",
    "volunteer": "志愿服务",
    "problems": "问题整改",
    "map": "网格分布",
    "trend": "趋势",
    "lamps": "路灯",
}

WEEKDAYS = "一二三四五六日"
GREEN, RED, AMBER, BLUE, GREY = "#7ee2a8", "#ff8a80", "#ffd666", "#4f8fe8", "#8796ad"


# ------------------------------------------------------------------------------------------
# Escaping: the one helper


class Html(str):
    """Markup built by this module; `h` inserts it as it is."""


def _text(value: object) -> str:
    if isinstance(value, Html):
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    # Escaped, on one line, '$' as an entity (etl.safetext: never markdown or LaTeX).
    return html_text(value).replace('"', "&quot;")


def h(template: str, *args: object, **kwargs: object) -> Html:
    """template.format(...) with every argument escaped (Html arguments kept as they are).
    Templates are literals of this module, never data."""
    return Html(template.format(*(_text(a) for a in args), **{k: _text(v) for k, v in kwargs.items()}))


def join(parts: Iterable[Html], sep: str = "") -> Html:
    return Html(sep.join(_text(p) for p in parts))


# ------------------------------------------------------------------------------------------
# Style: design pixels (u) on a 1920×1080 canvas


def _units(css: str) -> str:
    """'28u' → 'calc(28 * var(--u))': one design pixel of the 1920×1080 canvas."""
    return re.sub(r"(?<![\w#.-])(\d+(?:\.\d+)?)u\b", r"calc(\1 * var(--u))", css)


CSS = Html(
    "<style>\n"
    + _units("""
:root { --u: min(calc(100vw / 1920), calc(100vh / 1080)); }
html, body, .stApp, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {
  background: #0b1526 !important; color: #f1f5fb !important; overflow: hidden !important; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"], footer,
[data-testid="stBottom"], [data-testid="stSkeleton"], [data-testid="stConnectionStatus"] {
  display: none !important; }
/* While the server restarts, Streamlit puts a "Connection error" dialog over the page and
   reconnects by itself: the wall screen keeps its panel instead of showing that dialog. */
[data-testid="stDialog"] { display: none !important; }
/* Streamlit dims the elements of a running script (stale-content fade) and may show a skeleton:
   the wall screen keeps the last panel at full strength until the next one replaces it. */
[data-stale], [data-stale="true"], [data-stale="true"] * { opacity: 1 !important; transition: none !important; }
.gd { position: fixed; left: 50%; top: 50%; width: 1920u; height: 1080u; transform: translate(-50%, -50%);
  display: flex; flex-direction: column; overflow: hidden; background: #0b1526; color: #f1f5fb;
  font-family: 'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif;
  font-size: 30u; line-height: 1.3; z-index: 999990; }
.gd * { box-sizing: border-box; }
.gd-head { height: 104u; flex: none; display: flex; align-items: center; gap: 24u; padding: 0 40u;
  background: linear-gradient(90deg, #10254a, #0b1526 70%); border-bottom: 3u solid #2f6fd0; }
.gd-title { flex: 1; min-width: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.gd-title .t1 { font-size: 28u; color: #b8c7dd; }
.gd-title .t2 { font-size: 46u; font-weight: 800; letter-spacing: 2u; line-height: 1.15; }
.gd-clock { text-align: right; white-space: nowrap; }
.gd-clock .c1 { font-size: 44u; font-weight: 700; font-variant-numeric: tabular-nums; line-height: 1.1; }
.gd-clock .c2 { font-size: 24u; color: #b8c7dd; }
.gd-pos { min-width: 120u; text-align: center; }
.gd-pos .n { font-size: 40u; font-weight: 800; color: #ffd666; font-variant-numeric: tabular-nums; line-height: 1.1; }
.gd-pos .bar { height: 8u; background: #23324a; border-radius: 4u; overflow: hidden; margin-top: 6u; }
.gd-pos .bar > i { display: block; height: 100%; background: #2f6fd0; animation: gd-shrink linear forwards; }
@keyframes gd-shrink { from { width: 100%; } to { width: 0%; } }
.gd-body { flex: 1; min-height: 0; padding: 20u 40u 8u 40u; display: flex; flex-direction: column; gap: 18u; }
.gd-foot { height: 52u; flex: none; display: flex; align-items: center; justify-content: space-between;
  gap: 24u; padding: 0 40u; font-size: 24u; color: #a9b8cf; border-top: 1u solid #22314a; white-space: nowrap; }
.gd-foot > span { overflow: hidden; text-overflow: ellipsis; }
.gd-warn { color: #ffd666; }
.gd-h { font-size: 34u; font-weight: 700; color: #ffd666; margin: 0; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.gd-kpis { display: flex; gap: 20u; flex: none; }
.gd-kpi { flex: 1; min-width: 0; background: #13223a; border-radius: 12u; padding: 10u 22u;
  border-left: 8u solid #2f6fd0; }
.gd-kpi .l { font-size: 28u; color: #b8c7dd; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.gd-kpi .v { font-size: 64u; font-weight: 800; line-height: 1.1; white-space: nowrap; font-variant-numeric: tabular-nums; }
.gd-kpi .v small { font-size: 30u; font-weight: 600; color: #b8c7dd; margin-left: 6u; }
.gd-kpi .s { font-size: 26u; color: #b8c7dd; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.gd-kpi.red { border-left-color: #e05252; } .gd-kpi.red .v { color: #ff8a80; }
.gd-kpi.green { border-left-color: #3fa66b; } .gd-kpi.green .v { color: #7ee2a8; }
.gd-kpi.amber { border-left-color: #e0a800; } .gd-kpi.amber .v { color: #ffd666; }
.gd-red { color: #ff8a80 !important; } .gd-green { color: #7ee2a8 !important; } .gd-amber { color: #ffd666 !important; }
.gd-grey { color: #8796ad !important; }
.gd-fill { flex: 1; min-height: 0; }
.gd-cols { display: flex; gap: 32u; flex: 1; min-height: 0; }
.gd-cols > div { flex: 1; min-width: 0; display: flex; flex-direction: column; gap: 10u; min-height: 0; }
/* ranking rows with bars */
.gd-rank { display: grid; grid-auto-flow: column; gap: 0 32u; flex: 1; min-height: 0; }
.gd-row { display: flex; align-items: center; gap: 12u; border-bottom: 1u solid #22314a; min-width: 0;
  font-size: 32u; white-space: nowrap; }
.gd-row .r { width: 64u; text-align: right; font-weight: 700; font-variant-numeric: tabular-nums; flex: none; }
.gd-row .c { width: 64u; flex: none; font-size: 28u; }
.gd-row .g { width: 300u; flex: none; overflow: hidden; text-overflow: ellipsis; }
.gd-row .b { flex: 1; height: 26u; background: #16253d; border-radius: 4u; overflow: hidden; min-width: 40u; }
.gd-row .b > i { display: block; height: 100%; background: #2f6fd0; }
.gd-row .s { width: 96u; text-align: right; flex: none; font-variant-numeric: tabular-nums; font-weight: 700; }
.gd-row.top .r, .gd-row.top .g, .gd-row.top .s { color: #7ee2a8; } .gd-row.top .b > i { background: #3fa66b; }
.gd-row.bottom { background: #3a1518; } .gd-row.bottom .r, .gd-row.bottom .g, .gd-row.bottom .s { color: #ff8a80; }
.gd-row.bottom .b > i { background: #e05252; }
.gd-row.missing { color: #8796ad; }
.gd-up { color: #7ee2a8; } .gd-down { color: #ff8a80; } .gd-same { color: #8796ad; }
/* alert cards */
.gd-alerts { display: grid; gap: 24u; flex: 1; min-height: 0; }
.gd-alert { background: #2a1216; border: 3u solid #e05252; border-radius: 16u; padding: 18u 28u;
  display: flex; flex-direction: column; justify-content: space-between; min-height: 0; min-width: 0; overflow: hidden; }
.gd-alert .top { display: flex; justify-content: space-between; font-size: 34u; color: #ffb3ad; font-weight: 700; white-space: nowrap; }
.gd-alert .grid { font-size: 50u; font-weight: 800; color: #fff; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.gd-alert .lbl { font-size: 28u; color: #ffb3ad; }
.gd-alert .leader { font-size: 64u; font-weight: 800; color: #ffd666; line-height: 1.1; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.gd-alert .leader small { font-size: 32u; color: #ffe9a8; font-weight: 600; margin-left: 12u; }
.gd-alert .unit { font-size: 30u; color: #f1f5fb; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.gd-alert .badge { font-size: 32u; font-weight: 800; border-radius: 10u; padding: 8u 16u; background: #4a2226; color: #ffb3ad; }
.gd-alert.streak { background: #5a1116; border-color: #ff5252; box-shadow: 0 0 24u #ff525266; }
.gd-alert.streak .badge { background: #ff5252; color: #fff; }
.gd-alert.two .badge { background: #6b4a00; color: #ffe08a; }
.gd-alert.small .grid { font-size: 40u; } .gd-alert.small .leader { font-size: 48u; }
.gd-alert.small .top { font-size: 28u; } .gd-alert.small .badge { font-size: 28u; }
.gd-rule { flex: none; font-size: 30u; background: #13223a; border-radius: 12u; padding: 14u 24u; line-height: 1.4; }
/* lists (roll when longer than their box) */
.gd-list { flex: 1; min-height: 0; overflow: hidden; position: relative; }
.gd-list ul { list-style: none; margin: 0; padding: 0; }
.gd-list li { font-size: 30u; padding: 6u 4u; border-bottom: 1u solid #22314a; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.gd-list li b { font-weight: 700; }
.gd-list.roll ul { animation: gd-roll linear infinite; }
@keyframes gd-roll { from { transform: translateY(0); } to { transform: translateY(-50%); } }
.gd-empty { font-size: 40u; font-weight: 700; padding: 24u 0; }
.gd-chips { display: grid; gap: 10u; grid-auto-rows: 1fr; flex: 1; min-height: 0; margin-top: 10u; }
.gd-chip { border-radius: 8u; padding: 2u 14u; display: flex; flex-direction: column; justify-content: center;
  background: #3a4456; white-space: nowrap; overflow: hidden; min-width: 0; line-height: 1.2; }
.gd-chip .n { font-size: 28u; font-weight: 700; overflow: hidden; text-overflow: ellipsis; }
.gd-chip .d { font-size: 24u; color: #e6edf7; }
.gd-chip.ok { background: #1f6e45; } .gd-chip.late { background: #8a6400; }
.gd-chip.miss { background: #8e1c1c; outline: 3u solid #ff8a80; }
/* column charts (HTML) */
.gd-chart { flex: 1; min-height: 0; display: flex; flex-direction: column; }
.gd-legend { display: flex; gap: 32u; font-size: 26u; color: #dbe4f2; flex: none; }
.gd-legend i { display: inline-block; width: 22u; height: 22u; margin-right: 8u; vertical-align: -3u; border-radius: 3u; }
.gd-plot { flex: 1; min-height: 0; display: flex; position: relative; border-bottom: 2u solid #3a4b66; margin-left: 56u; }
.gd-grid-line { position: absolute; left: 0; right: 0; height: 0; border-top: 1u solid #22314a; }
.gd-grid-line span { position: absolute; right: calc(100% + 10u); top: -17u; font-size: 24u; color: #a9b8cf; }
.gd-col { flex: 1; min-width: 0; display: flex; flex-direction: column; justify-content: flex-end; align-items: center; position: relative; }
.gd-col .v { font-size: 24u; color: #dbe4f2; font-variant-numeric: tabular-nums; }
.gd-col .stack { width: 70%; display: flex; flex-direction: column-reverse; }
.gd-col .stack > i { display: block; width: 100%; }
.gd-xlab { display: flex; margin-left: 56u; flex: none; }
.gd-xlab > div { flex: 1; min-width: 0; display: flex; flex-direction: column; align-items: center; font-size: 24u; line-height: 1.05; }
.gd-xlab .code { font-weight: 700; font-variant-numeric: tabular-nums; }
.gd-xlab .name { writing-mode: vertical-rl; text-orientation: upright; letter-spacing: -1u; max-height: 130u; overflow: hidden; margin-top: 4u; }
.gd-xlab .zero { color: #ff8a80; }
/* map */
.gd-map { position: relative; flex: 1; min-height: 0; }
.gd-cell { position: absolute; border-radius: 8u; display: flex; flex-direction: column; justify-content: center;
  align-items: center; text-align: center; color: #fff; overflow: hidden; padding: 2u 4u; }
.gd-cell .n { font-size: 26u; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 100%; }
.gd-cell .s { font-size: 36u; font-weight: 800; line-height: 1.1; }
.gd-cell.bottom { outline: 4u solid #ff5252; }
.gd-block { position: absolute; font-size: 28u; font-weight: 700; color: #ffd666; text-align: center; }
.gd-road { position: absolute; background: #2b3445; display: flex; align-items: center; justify-content: center; }
.gd-road span { writing-mode: vertical-rl; font-size: 26u; color: #dbe4f2; letter-spacing: 8u; }
/* svg line charts (viewBox in design pixels) */
.gd svg { display: block; width: 100%; }
.gd svg text { font-family: inherit; fill: #dbe4f2; }
""")
    + "\n</style>"
)


# Runs in the page (st.html with JavaScript): moves the clock every second between reruns.
SCRIPT = Html("""<script>
(function () {
  if (!window.__gdClock) {
    window.__gdClock = window.setInterval(function () {
      const el = document.querySelector('.gd [data-role="clock"]');
      if (!el) return;
      const d = new Date();
      const t = String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
      if (el.textContent !== t) el.textContent = t;
    }, 1000);
  }
})();
</script>""")


# ------------------------------------------------------------------------------------------
# Small formatters


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _num(x: object, digits: int = 1) -> str:
    return "—" if _missing(x) else f"{float(x):.{digits}f}"  # type: ignore[arg-type]


def _score(x: object) -> str:
    """84 → '84', 83.5 → '83.5', 88.25 → '88.25'."""
    return "—" if _missing(x) else f"{float(x):.2f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]


def short_name(name: object) -> str:
    text = str(name or "")
    return text[:-2] if text.endswith("网格") and len(text) > 2 else text


def grid_label(code: object, name: object) -> str:
    return f"{code} {short_name(name)}".strip()


def md(d: object) -> str:
    """'3月25日'."""
    t = pd.Timestamp(d)  # type: ignore[arg-type]
    return f"{t.month}月{t.day}日"


def ymd(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _kpi(label: str, value: object, unit: str = "", sub: object = "", cls: str = "") -> Html:
    unit_html = h("<small>{}</small>", unit) if unit else Html("")
    sub_html = h('<div class="s">{}</div>', sub) if sub != "" else Html("")
    return h('<div class="gd-kpi {}"><div class="l">{}</div><div class="v">{}{}</div>{}</div>', cls, label, value,
             unit_html, sub_html)  # fmt: skip


def kpis(cards: Sequence[Html]) -> Html:
    return h('<div class="gd-kpis">{}</div>', join(cards))


def rolling_list(items: Sequence[Html], capacity: int, seconds_per_item: float = 2.5) -> Html:
    """A list in a box that holds `capacity` rows; a longer list scrolls slowly and endlessly
    (the items twice in a row, moved up by half its height)."""
    lis = join(h("<li>{}</li>", it) for it in items)
    if len(items) <= capacity:
        return h('<div class="gd-list"><ul>{}</ul></div>', lis)
    duration = f"{len(items) * seconds_per_item:.0f}s"
    return h(
        '<div class="gd-list roll"><ul style="animation-duration:{}">{}{}</ul></div>', duration, lis, lis
    )


# ------------------------------------------------------------------------------------------
# Frame: header, body, footer


@dataclass(frozen=True)
class Header:
    area: str
    month: date | None
    panel: str
    now: datetime  # the wall clock
    as_of: date  # the date the statuses are computed for (grid_today)
    position: int = 1  # 1-based place of the panel in the rotation
    count: int = 1
    rotate: int = 0  # seconds per panel; 0 = held
    remaining: float = 0.0  # seconds to the next panel


def frame(head: Header, body: Html, foot_left: object = "", notice: object = "") -> Html:
    """The whole screen: header (title, clock, n/N with a shrinking bar), body, footer."""
    month = f"{head.month.year}年{head.month.month}月" if head.month else ""
    t1 = " · ".join(x for x in ("翁源县城市网格化管理", head.area, month) if x)
    bar = Html("")
    if head.rotate > 0:
        # A shrinking bar instead of a ticking number: no rerun every second.
        bar = h('<div class="bar"><i style="animation-duration:{}s;animation-delay:-{}s"></i></div>',
                head.rotate, f"{max(0.0, head.rotate - head.remaining):.1f}")  # fmt: skip
    wd = WEEKDAYS[head.now.weekday()]
    header = h(
        '<div class="gd-head"><div class="gd-title"><div class="t1">{}</div><div class="t2">{}</div></div>'
        '<div class="gd-pos"><div class="n" data-role="position">{}/{}</div>{}</div>'
        '<div class="gd-clock"><div class="c1" data-role="clock">{}</div><div class="c2">{}年{}月{}日 星期{}</div></div>'
        "</div>",
        t1, PANELS.get(head.panel, ""), head.position, head.count, bar, f"{head.now:%H:%M}",
        head.now.year, head.now.month, head.now.day, wd,
    )  # fmt: skip
    right = f"数据截至 {ymd(head.as_of)} · 更新于 {head.now:%H:%M}"
    notice_html = h('<span class="gd-warn">{}</span>', notice) if notice else Html("")
    footer = h('<div class="gd-foot"><span>{}{}</span><span>{}</span></div>', notice_html, foot_left, right)
    return h('<div class="gd" data-panel="{}">{}<div class="gd-body">{}</div>{}</div>', head.panel, header, body,
             footer)  # fmt: skip


def message_body(text: str) -> Html:
    return h('<div class="gd-empty gd-amber">{}</div>', text)


# ------------------------------------------------------------------------------------------
# 本月排名: KPI cards and every grid as a bar (from 0 to 100), top three green, bottom red


def _change(change: object, prev: object, missing: bool) -> Html:
    if missing:
        return Html("")
    if _missing(change):
        return (
            Html('<span class="gd-same">新</span>')
            if _missing(prev)
            else Html('<span class="gd-same">—</span>')
        )
    c = int(change)  # type: ignore[call-overload]
    if c > 0:
        return h('<span class="gd-up">▲{}</span>', c)
    if c < 0:
        return h('<span class="gd-down">▼{}</span>', -c)
    return Html('<span class="gd-same">—</span>')


def ranking_panel(table: pd.DataFrame) -> tuple[Html, str]:
    """table: queries.month_ranking. (body, footer note)."""
    ranked = table[~table["missing"].astype(bool)]
    n = len(table)
    cards = [_kpi("参与排名", len(ranked), f"/ {n} 个网格")]
    if len(ranked):
        best = ranked.sort_values("rank").iloc[0]
        worst = ranked.sort_values("rank").iloc[-1]
        cards += [
            _kpi("平均分", _num(ranked["total"].astype(float).mean(), 2), "分"),
            _kpi(
                "最高分",
                _score(best["total"]),
                "分",
                grid_label(best["grid_code"], best["grid_name"]),
                "green",
            ),
            _kpi(
                "最低分",
                _score(worst["total"]),
                "分",
                grid_label(worst["grid_code"], worst["grid_name"]),
                "red",
            ),
        ]
    rows = []
    for r in table.to_dict("records"):
        missing = bool(r["missing"])
        cls = "missing" if missing else ("bottom" if r["bottom_three"] else ("top" if r["top_three"] else ""))
        width = 0.0 if missing else max(0.0, min(100.0, float(r["total"])))
        rows.append(
            h('<div class="gd-row {}"><span class="r">{}</span><span class="c">{}</span><span class="g">{}</span>'
              '<span class="b"><i style="width:{}%"></i></span><span class="s">{}</span></div>',
              cls, "缺检" if missing else int(r["rank"]), _change(r.get("rank_change"), r.get("prev_rank"), missing),
              grid_label(r["grid_code"], r["grid_name"]), f"{width:.1f}", "" if missing else _score(r["total"]))
        )  # fmt: skip
    columns = 1 if n <= 10 else (2 if n <= 30 else 3)
    per_col = max(1, math.ceil(n / columns))
    small = ' style="font-size:calc(28 * var(--u))"' if columns > 2 else ""
    grid = h('<div class="gd-rank" style="grid-template-rows:repeat({},1fr)"{}>{}</div>', per_col, Html(small),
             join(rows))  # fmt: skip
    note = "绿色：前三名　红色：末位三名（并列全部计入）　条长：总分（满分100）　▲▼：较上次名次变化"
    return join([kpis(cards), grid]), note


# ------------------------------------------------------------------------------------------
# 末位与预警: the bottom three as large alert cards with the leader's name


def warnings_panel(table: pd.DataFrame) -> tuple[Html, str]:
    """table: queries.month_ranking (bottom_three, streak, leader_name, leader_title, lead_unit)."""
    ranked = table[~table["missing"].astype(bool)]
    bottom = ranked[ranked["bottom_three"].astype(bool)].sort_values(["rank", "grid_code"])
    if bottom.empty:
        return message_body("本月没有排名结果"), ""
    n = len(bottom)
    shown = bottom.head(6)
    small = len(shown) > 3
    cards = []
    for r in shown.to_dict("records"):
        streak = int(r["streak"] or 0)
        if streak >= 3:
            cls, badge = "streak", f"连续{streak}次末位 · 须向县主要领导书面说明"
        elif streak == 2:
            cls, badge = "two", "连续2次末位 · 下次再列末位即预警"
        else:
            cls, badge = "", "本月列末位 · 限期整改"
        title = r.get("leader_title")
        cards.append(
            h('<div class="gd-alert {}{}" data-grid="{}"><div class="top"><span>第{}名</span><span>{}分</span></div>'
              '<div class="grid">{}</div><div><div class="lbl">挂点县领导</div><div class="leader">{}{}</div></div>'
              '<div class="unit">牵头单位：{}</div><div class="badge">{}</div></div>',
              cls, " small" if small else "", r["grid_code"], int(r["rank"]), _score(r["total"]),
              f"{r['grid_code']} {r['grid_name']}", r["leader_name"],
              h("<small>{}</small>", title) if isinstance(title, str) and title else Html(""),
              r["lead_unit"], badge)
        )  # fmt: skip
    columns = min(3, len(shown))
    rows = math.ceil(len(shown) / columns)
    heading = f"末位（含并列）共{n}个网格" if n > 3 else "本月末位三名"
    streaks = bottom[bottom["streak"].astype(int) >= 3]
    if len(streaks):
        rule = h(
            '<div class="gd-rule"><b class="gd-red">连续三次末位预警 {} 个：</b>{}。按《实施方案》，连续3次检查排在末位三名的网格，'
            "挂点县领导须向县主要领导作出书面说明。</div>",
            len(streaks), "、".join(f"{grid_label(c, g)}（{lead}）" for c, g, lead in
                                   zip(streaks["grid_code"], streaks["grid_name"], streaks["leader_name"], strict=True)),
        )  # fmt: skip
    else:
        rule = Html('<div class="gd-rule"><b class="gd-green">本月没有连续三次末位的网格。</b>'
                    "连续3次检查排在末位三名的网格，挂点县领导须向县主要领导作出书面说明。</div>")  # fmt: skip
    more = Html("")
    if n > len(shown):
        rest = bottom.iloc[len(shown) :]
        more = h('<div class="gd-rule">另有{}个并列末位网格：{}</div>', len(rest),
                 "、".join(f"{grid_label(c, g)}（{lead}）" for c, g, lead in
                          zip(rest["grid_code"], rest["grid_name"], rest["leader_name"], strict=True)))  # fmt: skip
    body = h('<div class="gd-h">{}</div><div class="gd-alerts" style="grid-template-columns:repeat({},1fr);'
             'grid-template-rows:repeat({},1fr)">{}</div>{}{}', heading, columns, rows, join(cards), more, rule)  # fmt: skip
    return body, "末位三名按总分从低到高，并列全部计入；连续次数按各次检查连续排在末位三名计"


# ------------------------------------------------------------------------------------------
# 信息报送: counts by status and the late and missing grids by name, as of a date


@dataclass(frozen=True)
class ReportBoard:
    """Every registry grid's report status for the month as of `today` (report_status)."""

    rows: pd.DataFrame  # grid_code, grid_name, …, status, submitted_on, deadline
    deadline: date
    today: date


def panel_reports(con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike) -> ReportBoard:
    m = queries.month_start(month)
    rows = queries.report_roster(con, area, m)
    deadline, today = con.execute(
        "SELECT report_deadline(?::DATE, report_deadline_day), grid_today() FROM rule_setting", [m]
    ).fetchall()[0]
    if rows.empty:  # a month beyond the data range: every registry grid still to report
        missing = queries.missing_reports(con, area, m)
        rows = missing.assign(submitted_on=None)
    return ReportBoard(rows=rows, deadline=deadline, today=today)


def reports_panel(board: ReportBoard) -> tuple[Html, str]:
    rows, deadline, today = board.rows, board.deadline, board.today
    status = rows["status"]
    on_time, late = int((status == "按时").sum()), int((status == "逾期").sum())
    missing, pending = int((status == "未报送").sum()), int((status == "待报送").sum())
    days = (deadline - today).days
    if days > 0:
        due, due_sub, due_cls = f"还有{days}天", f"{md(deadline)}截止，临时结果", "amber"
    elif days == 0:
        due, due_sub, due_cls = "今天截止", f"{md(deadline)}截止，临时结果", "amber"
    else:
        due, due_sub, due_cls = "已截止", f"{md(deadline)}，最终结果", ""
    not_in = missing + pending
    cards = [
        _kpi("应报送网格", len(rows), "个"),
        _kpi("按时报送", on_time, "个", "", "green"),
        _kpi("逾期报送", late, "个", "晚于截止日报送" if late else "", "amber" if late else ""),
        _kpi("未报送" if missing or not pending else "尚未报送", not_in, "个",
             f"截至{md(today)}" if not_in else "", "red" if missing else ("amber" if pending else "green")),
        _kpi("报送截止", due, "", due_sub, due_cls),
    ]  # fmt: skip
    late_rows = rows[status == "逾期"]
    late_items = [
        h('<b>{}</b>　<span class="gd-amber">{}报送</span>，晚{}天', grid_label(r["grid_code"], r["grid_name"]),
          md(r["submitted_on"]), (pd.Timestamp(r["submitted_on"]).date() - deadline).days)
        for r in late_rows.to_dict("records")
    ]  # fmt: skip
    out_rows = rows[status.isin(["未报送", "待报送"])]
    out_items = [
        h('<b>{}</b>　{} {}', grid_label(r["grid_code"], r["grid_name"]), r["contact_name"], r["contact_phone"])
        for r in out_rows.to_dict("records")
    ]  # fmt: skip
    chips = []
    for r in rows.to_dict("records"):
        st_ = r["status"]
        cls = {"按时": "ok", "逾期": "late", "未报送": "miss", "待报送": "wait"}.get(st_, "")
        when = f"{md(r['submitted_on'])}报送" if st_ in ("按时", "逾期") else st_
        chips.append(h('<div class="gd-chip {}"><span class="n">{}</span><span class="d">{}</span></div>', cls,
                       grid_label(r["grid_code"], r["grid_name"]), when))  # fmt: skip
    ncols = 4 if len(chips) > 24 else 3
    legend = Html(
        '<div class="gd-legend"><span><i style="background:#1f6e45"></i>按时</span>'
        '<span><i style="background:#8a6400"></i>逾期报送</span><span><i style="background:#8e1c1c"></i>未报送</span>'
        '<span><i style="background:#3a4456"></i>尚未报送（截止前）</span></div>'
    )
    chip_box = h('<div style="flex:1.5">{}<div class="gd-chips" style="grid-template-columns:repeat({},1fr)">{}</div></div>',
                 legend, ncols, join(chips))  # fmt: skip
    late_box = h(
        '<div class="gd-h">逾期报送（{}个）</div>{}',
        len(late_items),
        rolling_list(late_items, 5) if late_items else Html('<div class="gd-rule gd-green">无</div>'),
    )
    out_title = "未报送" if missing else "尚未报送"
    out_box = h(
        '<div class="gd-h">{}（{}个，截至{}）</div>{}',
        out_title,
        len(out_items),
        md(today),
        rolling_list(out_items, 5) if out_items else Html('<div class="gd-rule gd-green">无，均已报送</div>'),
    )
    lists = h(
        '<div><div style="flex:1;display:flex;flex-direction:column;min-height:0">{}</div>'
        '<div style="flex:1;display:flex;flex-direction:column;min-height:0">{}</div></div>',
        late_box,
        out_box,
    )
    body = h('{}<div class="gd-cols">{}{}</div>', kpis(cards), chip_box, lists)
    return (
        body,
        "逾期：截止日后才报送；未报送：截止日已过仍未报送；尚未报送：截止日前还未报送（请联系人尽快报送）",
    )


# ------------------------------------------------------------------------------------------
# Column charts in HTML (names under the bars, written top to bottom)


def _nice_max(v: float) -> float:
    """A round axis maximum divisible into four ticks: 1 → 4, 7 → 8, 23 → 24, 130 → 160."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if v <= step * 4:
            return float(step * 4)
    return float(v)


def columns_chart(
    codes: Sequence[object], names: Sequence[object], series: Sequence[tuple[str, Sequence[float], str]],
    *, red_zero: bool = False, show_totals: bool = True,
) -> Html:  # fmt: skip
    """Stacked columns from zero, one per grid, with the grid code and its name (vertical)
    under each column. series: (legend name, values, colour)."""
    n = len(codes)
    totals = [sum(float(v[i] or 0) for _, v, _ in series) for i in range(n)]
    vmax = _nice_max(max([*totals, 1.0]))
    legend = join(h('<span><i style="background:{}"></i>{}</span>', c, name) for name, _, c in series)
    axis = join(
        h(
            '<div class="gd-grid-line" style="bottom:{}%"><span>{}</span></div>',
            f"{100 * k / 4:.0f}",
            f"{vmax * k / 4:g}",
        )
        for k in range(5)
    )
    cols = []
    for i in range(n):
        parts = join(
            h(
                '<i style="height:{}%;background:{}"></i>',
                f"{100 * float(v[i] or 0) / (totals[i] or 1):.2f}",
                c,
            )
            for _, v, c in series
            if float(v[i] or 0) > 0
        )
        zero = red_zero and totals[i] == 0
        label = (
            h('<span class="v{}">{}</span>', " gd-red" if zero else "", f"{totals[i]:g}")
            if show_totals
            else ""
        )
        cols.append(
            h('<div class="gd-col">{}<div class="stack" style="height:{}%">{}</div></div>', label,
              f"{100 * totals[i] / vmax:.2f}", parts)
        )  # fmt: skip
    labels = join(
        h('<div class="{}"><span class="code">{}</span><span class="name">{}</span></div>',
          "zero" if red_zero and totals[i] == 0 else "", codes[i], short_name(names[i]))
        for i in range(n)
    )  # fmt: skip
    return h('<div class="gd-chart"><div class="gd-legend">{}</div><div class="gd-plot" style="margin-top:calc(36 * var(--u))">'
             '{}{}</div><div class="gd-xlab">{}</div></div>', legend, axis, join(cols),
             labels)  # fmt: skip


# ------------------------------------------------------------------------------------------
# 志愿服务

VOLUNTEER = """
SELECT v.grid_code, g.grid_name, g.leader_name, g.lead_unit, v.activities, v.participants, v.hours
FROM volunteer_monthly v
JOIN grid g ON g.area = v.area AND g.grid_code = v.grid_code
WHERE v.area = ? AND v.month = ?
ORDER BY g.sort_order
"""


def panel_volunteer(con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike) -> pd.DataFrame:
    """Per registry grid: activities, participants and hours of the month (DOMAIN §7)."""
    return con.execute(VOLUNTEER, [area, queries.month_start(month)]).df()


def volunteer_panel(frame_: pd.DataFrame) -> tuple[Html, str]:
    if frame_.empty:
        return message_body("本月没有志愿服务数据"), ""
    acts = frame_["activities"].fillna(0).astype(float).tolist()
    none = frame_[frame_["activities"].fillna(0) == 0]
    cards = [
        _kpi("本月活动", int(sum(acts)), "次"),
        _kpi("参与", int(frame_["participants"].fillna(0).sum()), "人次"),
        _kpi("服务时长", _score(float(frame_["hours"].fillna(0).sum())), "小时"),
        _kpi("未开展活动的网格", len(none), "个", "每月至少一次" if len(none) else "全部达到每月一次",
             "red" if len(none) else "green"),
    ]  # fmt: skip
    chart = columns_chart(frame_["grid_code"].tolist(), frame_["grid_name"].tolist(),
                          [("开展活动（次）", acts, "#2f6fd0")], red_zero=True)  # fmt: skip
    if len(none):
        names = "、".join(
            f"{grid_label(c, n)}（{lead}）"
            for c, n, lead in zip(none["grid_code"], none["grid_name"], none["leader_name"], strict=True)
        )
        text = h(
            '<div class="gd-rule"><b class="gd-red">本月未开展志愿服务（{}个）：</b>{}</div>',
            len(none),
            names,
        )
    else:
        text = Html('<div class="gd-rule gd-green">全部网格本月均已开展志愿服务</div>')
    return join(
        [kpis(cards), chart, text]
    ), "《实施方案》：每个网格每月至少开展一次志愿服务活动；括号内为挂点县领导"


# ------------------------------------------------------------------------------------------
# 问题整改


def problems_panel(figures: pd.DataFrame, overdue: pd.DataFrame, today: date) -> tuple[Html, str]:
    """figures: queries.problem_figures for the month; overdue: queries.overdue_problems (every
    month, as of today)."""
    found, fixed, month_overdue = (int(figures[c].sum()) for c in ("found", "rectified", "overdue"))
    cards = [
        _kpi("本月发现问题", found, "个"),
        _kpi("已整改", fixed, "个", f"整改率 {fixed / found * 100:.1f}%" if found else "", "green"),
        _kpi("本月问题逾期未整改", month_overdue, "个", "", "red" if month_overdue else "green"),
        _kpi(
            "逾期未整改（全部月份）",
            len(overdue),
            "个",
            f"截至{md(today)}",
            "red" if len(overdue) else "green",
        ),
    ]
    chart = columns_chart(
        figures["grid_code"].tolist(), figures["grid_name"].tolist(),
        [("已整改", figures["rectified"].tolist(), "#3fa66b"), ("整改中", figures["open"].tolist(), "#2f6fd0"),
         ("逾期未整改", figures["overdue"].tolist(), "#e05252")],
    )  # fmt: skip
    items = [
        h('<b>{}</b>　{}：{}　{}到期　<span class="gd-red">逾期{}天</span>', grid_label(r["grid_code"], r["grid_name"]),
          r["category"], r["description"] or r["location"] or "（未填写描述）", md(r["deadline"]),
          int(r["days_overdue"]))
        for r in overdue.to_dict("records")
    ]  # fmt: skip
    listing = (
        h(
            '<div class="gd-h">逾期未整改问题（{}个，逾期最久的在前）</div>{}',
            len(items),
            rolling_list(items, 3),
        )
        if items
        else Html('<div class="gd-rule gd-green">没有逾期未整改的问题</div>')
    )
    return join([kpis(cards), chart, h('<div style="flex:none;height:calc(190 * var(--u));display:flex;'
                                       'flex-direction:column">{}</div>', listing)]), \
        "柱：本月发现的问题按整改状态；逾期：过了整改期限仍未整改"  # fmt: skip


# ------------------------------------------------------------------------------------------
# 路灯 (DOMAIN §10) and the month's meetings (DOMAIN §11)


def _compact_shortfall(row: object, targets: lamps.LampTargets) -> str:
    """'装灯 99.5% · 亮灯 87.7%' naming only the rates that fall short (未装 when none is); a rate
    that shows as its target gets its exact value: '亮灯 94.96%'."""
    r = dict(row)  # type: ignore[call-overload]
    if r["lit_rate"] is None or pd.isna(r["lit_rate"]):
        return f"未装路灯（应装 {int(r['required'])} 盏）"
    parts = []
    for ok, rate, target, name in ((r["install_ok"], r["install_rate"], targets.install, "装灯"),
                                   (r["lit_ok"], r["lit_rate"], targets.lit, "亮灯")):  # fmt: skip
        if not bool(ok):
            shown = lamps.percent(rate)
            parts.append(f"{name} {lamps.exact_percent(rate) if shown == lamps.percent(target) else shown}")
    return " · ".join(parts)


def lamps_panel(
    frame: pd.DataFrame, month: date, targets: lamps.LampTargets, work: lamps.WorkFigures | None = None
) -> tuple[Html, str]:
    """frame: etl.rules.lamps.lamp_month of the check's month (every registry grid, checked or not).
    KPI cards, each checked grid's 亮灯率 from zero (green meets both targets, red does not),
    the grids below target worst first, the grids not checked, and the month's meetings
    shortfall when the area tracks meetings."""
    label = f"{month.year}年{month.month}月"
    fig = lamps.lamp_figures(frame)
    if fig.checked == 0:
        return message_body(f"{label}暂无路灯检查记录"), ""
    checked = frame[frame["checked"].astype(bool)]
    rates = [0.0 if _missing(x) else float(x) * 100 for x in checked["lit_rate"]]
    meets = checked["meets_target"].fillna(False).astype(bool).tolist()
    cards = [
        _kpi(f"{label}检查网格", f"{fig.checked}/{fig.grids}", "个"),
        _kpi("未达标网格", fig.below, "个", targets.text, "red" if fig.below else "green"),
        _kpi("全片区亮灯率", lamps.percent(fig.lit_rate)),
        _kpi("全片区装灯率", lamps.percent(fig.install_rate)),
    ]
    if work is not None and work.tracked:
        cards.append(
            _kpi(f"例会不足{work.expected}次的网格", work.short, "个", "", "red" if work.short else "green")
        )
    chart = columns_chart(
        checked["grid_code"].tolist(), checked["grid_name"].tolist(),
        [("达标（亮灯率 %）", [r if m else 0 for r, m in zip(rates, meets, strict=True)], "#3fa66b"),
         ("未达标（亮灯率 %）", [0 if m else r for r, m in zip(rates, meets, strict=True)], "#e05252")],
        show_totals=False,
    )  # fmt: skip
    below = lamps.below_target(frame)
    items = [
        h('<b>{}</b>　<span class="gd-red">{}</span>', grid_label(r["grid_code"], r["grid_name"]),
          lamps.shortfall_text(r, targets))
        for r in below.to_dict("records")
    ]  # fmt: skip
    unchecked = lamps.unchecked_names(frame)
    rest = h('<div class="gd-rule">未检查：{}</div>', "、".join(unchecked)) if unchecked else Html("")
    listing = (
        h(
            '<div class="gd-h">未达标网格（{}个，亮灯率、装灯率从低到高）</div>{}',
            len(items),
            rolling_list(items, 3),
        )
        if items
        else h('<div class="gd-rule gd-green">检查的网格全部达到{}</div>', targets.text)
    )
    box = h(
        '<div style="flex:none;height:calc(190 * var(--u));display:flex;flex-direction:column">{}</div>',
        listing,
    )
    return join([kpis(cards), chart, box, rest]), f"目标：{targets.text}；柱高：各网格亮灯率（从0起）"


# ------------------------------------------------------------------------------------------
# 网格分布: the schematic map coloured by the month's score


def _cell_colour(total: float, lo: float, hi: float) -> str:
    """Blue from light (low) to deep (high) for grids neither top three nor bottom three."""
    frac = 0.5 if hi <= lo else (total - lo) / (hi - lo)
    light, deep = (110, 150, 205), (22, 70, 160)
    rgb = [round(a + (b - a) * frac) for a, b in zip(light, deep, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def map_panel(
    registry: pd.DataFrame, table: pd.DataFrame, box: tuple[float, float] = (1840, 760)
) -> tuple[Html, str]:
    """registry: board.registry; table: queries.month_ranking. The cells are laid out by
    etl.output.gridmap with as many cells per row as make them largest in the box (design px)."""
    if registry.empty:
        return message_body("网格名录为空"), ""
    best: tuple[float, gridmap.GridMap] | None = None
    for cols in range(1, 9):
        layout = gridmap.layout_cells(registry, columns=cols)
        scale = min(box[0] / layout.width, box[1] / layout.height)
        if best is None or scale > best[0] + 1e-9:
            best = (scale, layout)
    assert best is not None
    scale, layout = best
    x_off = (box[0] - layout.width * scale) / 2
    by_code = {r["grid_code"]: r for r in table.to_dict("records")}
    ranked = table[~table["missing"].astype(bool)]
    lo = float(ranked["total"].min()) if len(ranked) else 0.0
    hi = float(ranked["total"].max()) if len(ranked) else 100.0

    def px(v: float) -> str:
        return f"calc({v:.1f} * var(--u))"

    parts = []
    for r in layout.roads.to_dict("records"):
        label = h("<span>{}</span>", r["label"]) if isinstance(r["label"], str) and r["label"] else Html("")
        parts.append(h('<div class="gd-road" style="left:{};top:{};width:{};height:{}">{}</div>',
                       px(x_off + r["x0"] * scale), px(r["y0"] * scale), px((r["x1"] - r["x0"]) * scale),
                       px((r["y1"] - r["y0"]) * scale), label))  # fmt: skip
    for b in layout.blocks.to_dict("records"):
        if isinstance(b["block"], str):
            parts.append(h('<div class="gd-block" style="left:{};top:0;width:{}">{}</div>', px(x_off + b["x0"] * scale),
                           px((b["x1"] - b["x0"]) * scale), b["block"]))  # fmt: skip
    for c in layout.cells.to_dict("records"):
        r = by_code.get(c["grid_code"])
        missing = r is None or bool(r["missing"])
        if missing:
            colour, cls, score = "#3a4456", "", "缺检"
        elif r["bottom_three"]:
            colour, cls, score = "#c62828", " bottom", _score(r["total"])
        elif r["top_three"]:
            colour, cls, score = "#2e7d32", "", _score(r["total"])
        else:
            colour, cls, score = _cell_colour(float(r["total"]), lo, hi), "", _score(r["total"])
        rank = "" if missing else f"第{int(r['rank'])}名 "
        w, ht = (c["x1"] - c["x0"]) * scale, (c["y1"] - c["y0"]) * scale
        parts.append(
            h('<div class="gd-cell{}" data-grid="{}" style="left:{};top:{};width:{};height:{};background:{}">'
              '<div class="n">{}</div><div class="s">{}{}</div></div>',
              cls, c["grid_code"], px(x_off + c["x0"] * scale), px(c["y0"] * scale), px(w), px(ht), colour,
              grid_label(c["grid_code"], c["grid_name"]), h('<span style="font-size:calc(24 * var(--u));font-weight:600">{}</span>', rank), score)
        )  # fmt: skip
    legend = h(
        '<div class="gd-legend"><span><i style="background:#2e7d32"></i>前三名</span>'
        '<span><i style="background:#c62828"></i>末位三名</span>'
        '<span><i style="background:{}"></i><i style="background:{}"></i>其他网格（颜色越深得分越高）</span>'
        '<span><i style="background:#3a4456"></i>缺检</span></div>',
        _cell_colour(lo, lo, hi),
        _cell_colour(hi, lo, hi),
    )
    body = h('{}<div class="gd-map" style="height:{}">{}</div>', legend, px(box[1]), join(parts))
    return body, "网格示意图（非比例），按网格名录排列；格内为总分"


# ------------------------------------------------------------------------------------------
# 趋势: line charts in SVG (viewBox in design pixels)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]: steps of 1, 2, 2.5 or 5 × 10^k."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(1, count - 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while v < hi + step * 0.999:
        ticks.append(round(v, 6))
        v += step
    return ticks


def lines_svg(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], *, width: int = 1840,
    height: int = 300, reverse: bool = False, y_label: str = "",
) -> Html:  # fmt: skip
    """A line chart; font sizes are design px (24 or more). reverse=True: rank 1 on top."""
    left, right, top, bottom = 80, 70, 44, 44
    w, ht = width - left - right, height - top - bottom
    values = [v for _, vs, _ in series for v in vs if v is not None]
    if reverse:
        hi_rank = max([*values, 4.0])
        ticks = sorted({1.0, *[float(t) for t in nice_ticks(0, hi_rank, 5) if t >= 1]})
        lo, hi = 1.0, max(ticks[-1], hi_rank)
    else:
        vlo, vhi = (min(values), max(values)) if values else (0.0, 1.0)
        ticks = nice_ticks(vlo - 0.5, vhi + 0.5, 5)
        lo, hi = ticks[0], ticks[-1]
    n = max(1, len(labels) - 1)

    def y_of(v: float) -> float:
        frac = (v - lo) / (hi - lo) if hi > lo else 0.5
        return top + (frac * ht if reverse else ht - frac * ht)

    def x_of(i: int) -> float:
        return left + (w * i / n if len(labels) > 1 else w / 2)

    parts = [h('<svg viewBox="0 0 {} {}" preserveAspectRatio="xMidYMid meet">', width, height)]
    for v in ticks:
        y = y_of(v)
        parts.append(h('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#22314a"/>', left, width - right, f"{y:.1f}",
                       f"{y:.1f}"))  # fmt: skip
        parts.append(h('<text x="{}" y="{}" font-size="24" text-anchor="end">{}</text>', left - 10, f"{y + 8:.1f}",
                       f"{v:g}"))  # fmt: skip
    step = max(1, math.ceil(len(labels) / 12))
    for i, m in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            parts.append(h('<text x="{}" y="{}" font-size="24" text-anchor="middle">{}</text>', f"{x_of(i):.1f}",
                           height - 10, m))  # fmt: skip
    legend_x = left
    for name, vs, color in series:
        pts = [(x_of(i), y_of(v)) for i, v in enumerate(vs) if v is not None]
        if pts:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            parts.append(h('<polyline points="{}" fill="none" stroke="{}" stroke-width="5"/>', path, color))
            parts.extend(
                h('<circle cx="{}" cy="{}" r="7" fill="{}"/>', f"{x:.1f}", f"{y:.1f}", color) for x, y in pts
            )
            x, y = pts[-1]
            last = [v for v in vs if v is not None][-1]
            parts.append(h('<text x="{}" y="{}" font-size="26" text-anchor="end" font-weight="700" fill="{}">{}</text>',
                           f"{x - 12:.1f}", f"{y - 14:.1f}", color, f"{last:g}"))  # fmt: skip
        parts.append(h('<rect x="{}" y="8" width="22" height="22" fill="{}"/>', legend_x, color))
        parts.append(h('<text x="{}" y="28" font-size="26">{}</text>', legend_x + 30, name))
        legend_x += 70 + 27 * len(name)
    if y_label:
        parts.append(
            h('<text x="{}" y="28" font-size="24" text-anchor="end">{}</text>', width - right, y_label)
        )
    parts.append(Html("</svg>"))
    return join(parts)


def trend_panel(
    averages: pd.DataFrame, ranks: pd.DataFrame, month: date, codes: Sequence[str] = ()
) -> tuple[Html, str]:
    """averages: queries.grid_history(...).averages; ranks: its totals for `codes` (the month's
    first and last grid). The area's average at each check up to the month (last 24), and this
    year's ranks of the two grids."""
    avg = averages.copy()
    avg["month"] = [pd.Timestamp(m).date() for m in avg["month"]]
    avg = avg[avg["month"] <= month].sort_values("month").tail(24)
    months = [f"{m.year % 100:02d}年{m.month}月" for m in avg["month"]]
    values = avg["area_avg"].astype(float).tolist()
    cards = []
    if values:
        cards.append(_kpi("本月平均分", _num(values[-1], 2), "分"))
        if len(values) >= 2:
            d = values[-1] - values[-2]
            cards.append(_kpi("较上次检查", f"{'+' if d > 0 else ''}{d:.2f}", "分", "",
                              "green" if d > 0 else ("red" if d < 0 else "")))  # fmt: skip
        cards.append(_kpi(f"近{len(values)}次最高", _num(max(values), 2), "分",
                          months[values.index(max(values))]))  # fmt: skip
        cards.append(
            _kpi(f"近{len(values)}次最低", _num(min(values), 2), "分", months[values.index(min(values))])
        )
    avg_chart = lines_svg(months, [("片区平均分", values, "#ffd666")], height=330, y_label="单位：分")
    r = ranks[
        [pd.Timestamp(m).year == month.year and pd.Timestamp(m).date() <= month for m in ranks["month"]]
    ]
    month_nums = sorted({pd.Timestamp(m).month for m in r["month"]})
    labels = [f"{m}月" for m in month_nums]
    colors = [GREEN, RED, "#8fb3ff", "#ffb870"]
    series = []
    order = [c for c in codes if c in set(r["grid_code"])] or list(dict.fromkeys(r["grid_code"]))
    for k, code in enumerate(order):
        part = r[r["grid_code"] == code]
        by_month = {pd.Timestamp(m).month: v for m, v in zip(part["month"], part["rank"], strict=True)}
        vals = [None if _missing(by_month.get(m)) else float(by_month[m]) for m in month_nums]
        series.append((grid_label(code, part["grid_name"].iloc[0]), vals, colors[k % len(colors)]))
    rank_chart = lines_svg(labels, series, height=250, reverse=True)
    body = join([
        kpis(cards),
        h('<div class="gd-h">片区各次检查平均分</div>{}', avg_chart),
        h('<div class="gd-h">{}年本月第一名与最后一名网格的名次变化（第1名在上）</div>{}', month.year, rank_chart),
    ])  # fmt: skip
    return body, "平均分：参与排名网格的平均总分；纵轴刻度取整，不从零开始"


# ------------------------------------------------------------------------------------------
# URL parameters


def panel_order(raw: str | None) -> list[str]:
    """Panel ids from the URL (?panels=ranking,reports), unknown ids dropped; all by default."""
    if not raw:
        return list(PANELS)
    ids = [p.strip() for p in raw.split(",") if p.strip() in PANELS]
    return list(dict.fromkeys(ids)) or list(PANELS)


def rotate_seconds(raw: str | None, default: int = 20) -> int:
    """?rotate=N seconds (0 holds one panel); bad values give the default; at least 5 s."""
    try:
        n = int(float(raw)) if raw not in (None, "") else default
    except ValueError:
        return default
    return 0 if n <= 0 else max(5, min(n, 3600))
