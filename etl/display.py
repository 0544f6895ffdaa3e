"""The meeting-room display (会议大屏): panels as HTML with inline SVG, sized in viewport
units so that a 1920×1080 design scales cleanly to 3840×2160, read from across a room.

Pure functions (data → HTML string); every piece of text from the data is escaped. The page
(pages/display.py) only picks the panel, rotates and injects the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from etl import lamps
from etl.safetext import html_text

PANELS: dict[str, str] = {
    "ranking": "本月排名",
    "warnings": "末位与预警",
    "reports": "信息报送",
    "volunteer": "志愿服务",
    "problems": "问题整改",
    "trend": "趋势",
    "lamps": "路灯",
}

# Sizes at 1920 px wide: 1vw = 19.2 px. Body 1.6vw ≈ 31 px, tables 1.75vw ≈ 34 px, headline
# numbers 4vw ≈ 77 px, smallest text 1.15vw ≈ 22 px. All scale with the screen.
CSS = """
<style>
html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {
  background: #0b1526 !important; color: #f1f5fb !important; overflow: hidden !important; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"], footer,
[data-testid="stBottom"] { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { padding: 0.8vw 1.6vw 0 1.6vw !important;
  max-width: 100% !important; }
[data-testid="stVerticalBlock"] { gap: 0 !important; }
.gd { font-family: 'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif;
  font-size: 1.6vw; line-height: 1.3; color: #f1f5fb; }
.gd-bar { display: flex; align-items: center; justify-content: space-between;
  border-bottom: 0.2vw solid #2f6fd0; padding-bottom: 0.5vw; margin-bottom: 0.8vw; }
.gd-title { font-size: 2.3vw; font-weight: 700; letter-spacing: 0.1vw; }
.gd-meta { font-size: 1.3vw; color: #b8c7dd; text-align: right; }
.gd-count { display: inline-block; width: 6vw; height: 0.5vw; background: #23324a; vertical-align: middle;
  margin-left: 0.6vw; border-radius: 0.25vw; overflow: hidden; }
.gd-count > i { display: block; height: 100%; background: #2f6fd0; animation: gd-shrink linear forwards; }
@keyframes gd-shrink { from { width: 100%; } to { width: 0%; } }
.gd-h { font-size: 2vw; font-weight: 700; margin: 0 0 0.6vw 0; color: #ffd666; }
.gd-cols { display: flex; gap: 2vw; }
.gd-cols > div { flex: 1; min-width: 0; }
.gd-table { width: 100%; border-collapse: collapse; font-size: 1.9vw; }
.gd-table td { padding: 0.16vw 0.5vw; border-bottom: 0.06vw solid #22314a; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.gd-table td.n { text-align: right; font-variant-numeric: tabular-nums; }
.gd-table tr.top td { color: #7ee2a8; }
.gd-table tr.bottom td { color: #ff8a80; font-weight: 700; background: #3a1518; }
.gd-table tr.missing td { color: #8796ad; }
.gd-up { color: #7ee2a8; } .gd-down { color: #ff8a80; } .gd-same { color: #8796ad; }
.gd-big { font-size: 4vw; font-weight: 800; line-height: 1.1; }
.gd-mid { font-size: 2.6vw; font-weight: 800; line-height: 1.55; }
.gd-cards { display: flex; gap: 1.5vw; margin-bottom: 1vw; }
.gd-card { flex: 1; background: #13223a; border-radius: 0.6vw; padding: 0.8vw 1.2vw; }
.gd-card .l { font-size: 1.4vw; color: #b8c7dd; }
.gd-red { color: #ff8a80 !important; } .gd-green { color: #7ee2a8 !important; } .gd-amber { color: #ffd666 !important; }
.gd-list { font-size: 1.6vw; margin: 0; padding: 0; list-style: none; }
.gd-list li { padding: 0.25vw 0; border-bottom: 0.06vw solid #22314a; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.gd-note { font-size: 1.2vw; color: #8796ad; margin-top: 0.6vw; }
.gd-warn { font-size: 1.2vw; color: #ffd666; }
.gd svg { width: 100%; display: block; }
.gd svg text { font-family: inherit; fill: #dbe4f2; }
</style>
"""


def esc(value: object) -> str:
    """Data text in the screen's HTML: escaped, on one line, never markdown or LaTeX."""
    return html_text(value)


def _num(x: object, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and x != x) or x is pd.NA:
        return "—"
    return f"{float(x):.{digits}f}"


@dataclass(frozen=True)
class Header:
    area: str
    month: date
    updated: datetime
    panel: str
    rotate: int  # seconds; 0 = holds
    remaining: float  # seconds to the next panel


def header_html(h: Header) -> str:
    countdown = ""
    if h.rotate > 0:
        # A shrinking bar instead of a ticking number: no rerun every second.
        countdown = (
            f'下一屏 <span class="gd-count"><i style="animation-duration:{h.rotate}s;'
            f'animation-delay:-{max(0.0, h.rotate - h.remaining):.1f}s"></i></span>'
        )
    return (
        '<div class="gd-bar"><div class="gd-title">翁源县城市网格化管理 · '
        f"{esc(h.area)} · {h.month.year}年{h.month.month}月 · {esc(PANELS.get(h.panel, ''))}</div>"
        f'<div class="gd-meta">更新于 {h.updated:%H:%M}{" · " + countdown if countdown else ""}</div></div>'
    )


def _change(change: object, prev: object, missing: bool) -> str:
    if missing:
        return ""
    if change is None or change is pd.NA or (isinstance(change, float) and change != change):
        return (
            '<span class="gd-same">新</span>'
            if prev is None or prev is pd.NA
            else '<span class="gd-same">—</span>'
        )
    c = int(change)
    if c > 0:
        return f'<span class="gd-up">▲{c}</span>'
    if c < 0:
        return f'<span class="gd-down">▼{-c}</span>'
    return '<span class="gd-same">—</span>'


def ranking_panel(table: pd.DataFrame) -> str:
    """All grids in rank order in two columns; top three green, bottom three red."""
    rows = []
    for r in table.to_dict("records"):
        missing = bool(r["missing"])
        cls = "missing" if missing else ("bottom" if r["bottom_three"] else ("top" if r["top_three"] else ""))
        rank = "缺检" if missing else f"{int(r['rank'])}"
        rows.append(
            f'<tr class="{cls}"><td class="n">{rank}</td><td>{_change(r.get("rank_change"), r.get("prev_rank"), missing)}</td>'
            f'<td>{esc(r["grid_code"])} {esc(r["grid_name"])}</td><td class="n">{"" if missing else _num(r["total"])}</td></tr>'
        )
    half = (len(rows) + 1) // 2
    cols = "".join(
        f'<div><table class="gd-table">{"".join(part)}</table></div>' for part in (rows[:half], rows[half:])
    )
    return f'<div class="gd-cols">{cols}</div><div class="gd-note">绿色：前三名　红色：末位（并列全部计入）　▲▼：较上次名次变化</div>'


def warnings_panel(table: pd.DataFrame, streaks: pd.DataFrame) -> str:
    bottom = table[table["bottom_three"].astype(bool)].sort_values("rank")
    extra = len(bottom) - 8
    bottom = bottom.head(8)
    rows = "".join(
        f'<tr class="bottom"><td class="n">{int(r["rank"])}</td><td>{esc(r["grid_code"])} {esc(r["grid_name"])}</td>'
        f'<td class="n">{_num(r["total"])}</td><td>{esc(r["leader_name"])}</td><td>{esc(r["lead_unit"])}</td></tr>'
        for r in bottom.to_dict("records")
    )
    if streaks.empty:
        streak_html = '<div class="gd-green" style="font-size:1.75vw">本月没有连续三次末位的网格</div>'
    else:
        streak_html = (
            '<ul class="gd-list">'
            + "".join(
                f'<li><span class="gd-red" style="font-weight:800">连续 {int(s["streak"])} 次末位</span>　'
                f"{esc(s['grid_code'])} {esc(s['grid_name'])}　挂点县领导 {esc(s['leader_name'])}　须书面说明</li>"
                for s in streaks.to_dict("records")
            )
            + "</ul>"
        )
    more = f'<div class="gd-note">并列末位共 {extra + 8} 个网格，仅列前 8 个</div>' if extra > 0 else ""
    return (
        '<div class="gd-h">本月末位</div>'
        f'<table class="gd-table">{rows}</table>{more}'
        '<div class="gd-h" style="margin-top:1.6vw">连续三次末位预警</div>'
        f"{streak_html}"
    )


def reports_panel(missing: pd.DataFrame, n_grids: int, on_time: int, deadline: date, today: date) -> str:
    days = (deadline - today).days
    if days > 0:
        due, due_cls = f"距 {deadline.month}月{deadline.day}日 截止还有 {days} 天", "gd-amber"
    elif days == 0:
        due, due_cls = "今天截止", "gd-amber"
    elif days >= -31:
        due, due_cls = f"已过截止日 {-days} 天", "gd-red"
    else:
        due, due_cls = f"{deadline.month}月{deadline.day}日（已截止）", ""
    rate = on_time / n_grids if n_grids else 0
    names = "".join(
        f"<li>{esc(r['grid_code'])} {esc(r['grid_name'])}　{esc(r['contact_name'])} {esc(r['contact_phone'])}"
        f'　<span class="{"gd-red" if r["status"] == "未报送" else "gd-amber"}">{esc(r["status"])}</span></li>'
        for r in missing.head(12).to_dict("records")
    )
    more = f'<div class="gd-note">另有 {len(missing) - 12} 个网格未报送</div>' if len(missing) > 12 else ""
    body = (
        f'<ul class="gd-list">{names}</ul>{more}'
        if len(missing)
        else '<div class="gd-green gd-big">全部已报送</div>'
    )
    return (
        '<div class="gd-cards">'
        f'<div class="gd-card"><div class="l">未报送网格</div><div class="gd-big {"gd-red" if len(missing) else "gd-green"}">{len(missing)}</div></div>'
        f'<div class="gd-card"><div class="l">按时报送率</div><div class="gd-big">{rate * 100:.0f}%</div></div>'
        f'<div class="gd-card"><div class="l">截止日期</div><div class="gd-mid {due_cls}">{due}</div></div>'
        "</div>"
        f'<div class="gd-h">尚未报送（{len(missing)} 个）</div>{body}'
    )


def _nice_max(v: float) -> float:
    """A round axis maximum divisible into four ticks: 1 → 4, 7 → 8, 23 → 24, 130 → 160."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if v <= step * 4:
            return float(step * 4)
    return float(v)


def bars_svg(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float], str]], *, stacked: bool = False,
    height: int = 360, unit: str = "",
) -> str:  # fmt: skip
    """A vertical bar chart as SVG in a 1000-unit-wide viewBox (scales with the screen).
    series: (name, values, colour). Font sizes in viewBox units: 16 ≈ 1.6vw."""
    n = max(1, len(labels))
    left, right, top, bottom = 40, 10, 30, 40
    w = 1000 - left - right
    h = height - top - bottom
    totals = [
        sum(v[i] for _, v, _ in series) if stacked else max((v[i] for _, v, _ in series), default=0)
        for i in range(n)
    ]
    vmax = _nice_max(max([*totals, 1]))
    slot = w / n
    bar_w = slot * (0.7 if stacked else 0.8 / max(1, len(series)))
    parts = [f'<svg viewBox="0 0 1000 {height}" preserveAspectRatio="xMidYMid meet">']
    for k in range(5):
        y = top + h - h * k / 4
        parts.append(
            f'<line x1="{left}" x2="{1000 - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#22314a" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 5:.1f}" font-size="14" text-anchor="end">{vmax * k / 4:g}</text>'
        )
    for i, label in enumerate(labels):
        base = top + h
        for j, (_, values, color) in enumerate(series):
            v = float(values[i] or 0)
            bh = h * v / vmax
            if stacked:
                x = left + slot * i + (slot - bar_w) / 2
                base -= bh
                y = base
            else:
                x = left + slot * i + (slot - bar_w * len(series)) / 2 + j * bar_w
                y = top + h - bh
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bh:.1f}" fill="{color}"/>'
            )
            if not stacked and v == 0:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{top + h - 6:.1f}" font-size="14" text-anchor="middle" fill="#ff8a80">0</text>'
                )
        total = totals[i]
        if stacked or len(series) == 1:
            parts.append(
                f'<text x="{left + slot * (i + 0.5):.1f}" y="{top + h - h * total / vmax - 6:.1f}" font-size="14" text-anchor="middle">{total:g}</text>'
            )
        parts.append(
            f'<text x="{left + slot * (i + 0.5):.1f}" y="{height - bottom + 22}" font-size="15" text-anchor="middle">{esc(label)}</text>'
        )
    legend_x = left
    for name, _, color in series:
        parts.append(f'<rect x="{legend_x}" y="4" width="14" height="14" fill="{color}"/>')
        parts.append(f'<text x="{legend_x + 20}" y="17" font-size="15">{esc(name)}{esc(unit)}</text>')
        legend_x += 30 + 17 * len(name) + 10 * len(unit)
    parts.append("</svg>")
    return "".join(parts)


def volunteer_panel(frame: pd.DataFrame, month_col: str) -> str:
    """frame: volunteer_matrix rows (grid_code, grid_name, <month columns>)."""
    counts = frame[month_col].fillna(0).astype(float).tolist() if month_col in frame else [0.0] * len(frame)
    chart = bars_svg(
        frame["grid_code"].tolist(), [("开展活动", counts, "#2f6fd0")], height=300, unit="（次）"
    )
    none = [
        f"{esc(c)} {esc(n)}"
        for c, n, v in zip(frame["grid_code"], frame["grid_name"], counts, strict=True)
        if v == 0
    ]
    text = (
        '<div class="gd-h">本月未开展志愿服务的网格（每月至少一次）</div>'
        + (f'<div class="gd-red" style="font-size:1.6vw">{"、".join(none)}</div>' if none
           else '<div class="gd-green" style="font-size:1.75vw">全部网格本月均已开展志愿服务</div>')
    )  # fmt: skip
    total = int(sum(counts))
    return (
        f'<div class="gd-cards"><div class="gd-card"><div class="l">本月活动次数</div><div class="gd-big">{total}</div></div>'
        f'<div class="gd-card"><div class="l">未开展的网格</div><div class="gd-big {"gd-red" if none else "gd-green"}">{len(none)}</div></div></div>'
        f'<div class="gd-h">各网格活动次数</div>{chart}{text}'
    )


def _lamp_bars_svg(
    codes: Sequence[str], rates: Sequence[object], meets: Sequence[bool], target: float
) -> str:
    """Each checked grid's 亮灯率 as a bar from 0 to 100 % (green meets both targets, red not;
    a grid with nothing installed has no bar and reads 未装), the lit target a dashed line,
    the rate over each bar rounded to 0.1 % like everywhere else."""
    n = max(1, len(codes))
    left, right, top, bottom, height = 44, 6, 26, 30, 200
    w, h = 1000 - left - right, height - top - bottom
    slot = w / n
    parts = [f'<svg viewBox="0 0 1000 {height}" preserveAspectRatio="xMidYMid meet">']
    for k in (0, 50, 100):
        y = top + h - h * k / 100
        parts.append(f'<line x1="{left}" x2="{1000 - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#22314a"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 5:.1f}" font-size="13" text-anchor="end">{k}%</text>')
    for i, (code, rate, ok) in enumerate(zip(codes, rates, meets, strict=True)):
        x = left + slot * i
        none = rate is None or pd.isna(rate)
        v = 0.0 if none else float(rate) * 100  # type: ignore[arg-type]
        bh = h * v / 100
        color = "#3fa66b" if ok else "#e05252"
        parts.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{top + h - bh:.1f}" width="{slot * 0.7:.1f}" height="{bh:.1f}" fill="{color}"/>'
        )
        label = "未装" if none else lamps.percent(rate)[:-1]
        fill = "#ff8a80" if not ok else "#dbe4f2"
        parts.append(
            f'<text x="{x + slot / 2:.1f}" y="{top + h - bh - 5:.1f}" font-size="12" text-anchor="middle" fill="{fill}">{esc(label)}</text>'
        )
        parts.append(
            f'<text x="{x + slot / 2:.1f}" y="{height - bottom + 20}" font-size="14" text-anchor="middle">{esc(code)}</text>'
        )
    y = top + h - h * target
    parts.append(
        f'<line x1="{left}" x2="{1000 - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ffd666" stroke-dasharray="6 4"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


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
) -> str:
    """路灯 (DOMAIN §10): frame is etl.lamps.lamp_month of the check's month (every registry grid,
    checked or not). Cards, each checked grid's 亮灯率 (green meets both targets, red does not),
    the grids below target worst first, and the month's meetings shortfall (DOMAIN §11) when
    the area tracks meetings. Self-contained: data in, escaped HTML out."""
    label = f"{month.year}年{month.month}月"
    fig = lamps.lamp_figures(frame)
    if fig.checked == 0:
        return f'<div class="gd-h">{esc(label)}暂无路灯检查记录</div>'
    checked = frame[frame["checked"].astype(bool)]
    chart = _lamp_bars_svg(
        checked["grid_code"].tolist(),
        checked["lit_rate"].tolist(),
        checked["meets_target"].astype(bool).tolist(),
        targets.lit,
    )
    below = lamps.below_target(frame)
    shown = 6
    items = "".join(
        f"<li>{esc(r['grid_code'])} {esc(r['grid_name'])}　"
        f'<span class="gd-red">{esc(_compact_shortfall(r, targets))}</span></li>'
        for r in below.head(shown).to_dict("records")
    )
    more = (
        f'<div class="gd-note">共 {len(below)} 个网格未达标，仅列最差的 {shown} 个</div>'
        if len(below) > shown
        else ""
    )
    unchecked = lamps.unchecked_names(frame)
    note = f'<div class="gd-note">未检查：{esc("、".join(unchecked))}</div>' if unchecked else ""
    work_card = ""
    if work is not None and work.tracked:
        work_card = (
            f'<div class="gd-card"><div class="l">例会不足{work.expected}次的网格</div>'
            f'<div class="gd-big {"gd-red" if work.short else "gd-green"}">{work.short}</div></div>'
        )
    red_or_green = "gd-red" if fig.below else "gd-green"
    below_html = (
        f'<div class="gd-h" style="margin-top:0.4vw">未达标网格（亮灯率、装灯率从低到高）</div>'
        f'<ul class="gd-list" style="columns:2;column-gap:2vw">{items}</ul>{more}'
        if len(below)
        else f'<div class="gd-green" style="font-size:1.75vw">检查的网格全部达到{esc(targets.text)}</div>'
    )
    return (
        '<div class="gd-cards">'
        f'<div class="gd-card"><div class="l">{esc(label)}检查网格</div><div class="gd-big">{fig.checked}/{fig.grids}</div></div>'
        f'<div class="gd-card"><div class="l">未达标网格</div><div class="gd-big {red_or_green}">{fig.below}</div></div>'
        f'<div class="gd-card"><div class="l">全片区亮灯率</div><div class="gd-big">{esc(lamps.percent(fig.lit_rate))}</div></div>'
        f'<div class="gd-card"><div class="l">全片区装灯率</div><div class="gd-big">{esc(lamps.percent(fig.install_rate))}</div></div>'
        f"{work_card}</div>"
        f'<div class="gd-h">各网格亮灯率（目标 {esc(targets.text)}）'
        '<span class="gd-note" style="margin-left:1vw">绿色达标；红色未达标（装灯率或亮灯率不足）；虚线为亮灯率目标</span></div>'
        f"{chart}{below_html}{note}"
    )


def problems_panel(figures: pd.DataFrame, overdue: pd.DataFrame) -> str:
    found, rect = (int(figures[c].sum()) for c in ("found", "rectified"))
    chart = bars_svg(
        figures["grid_code"].tolist(),
        [("已整改", figures["rectified"].tolist(), "#3fa66b"), ("整改中", figures["open"].tolist(), "#2f6fd0"),
         ("逾期未整改", figures["overdue"].tolist(), "#e05252")],
        stacked=True, height=220,
    )  # fmt: skip
    items = "".join(
        f"<li>{esc(r['grid_code'])} {esc(r['grid_name'])}　{esc(r['category'])}：{esc(r['description'] or r['location'] or '')}"
        f'　<span class="gd-red">逾期 {int(r["days_overdue"])} 天</span></li>'
        for r in overdue.head(4).to_dict("records")
    )
    more = (
        f'<div class="gd-note">共 {len(overdue)} 个逾期未整改问题，仅列最久的 4 个</div>'
        if len(overdue) > 4
        else ""
    )
    return (
        '<div class="gd-cards">'
        f'<div class="gd-card"><div class="l">本月发现问题</div><div class="gd-big">{found}</div></div>'
        f'<div class="gd-card"><div class="l">已整改</div><div class="gd-big gd-green">{rect}</div></div>'
        f'<div class="gd-card"><div class="l">逾期未整改（全部）</div><div class="gd-big {"gd-red" if len(overdue) else "gd-green"}">{len(overdue)}</div></div>'
        "</div>"
        f"{chart}"
        + (
            f'<div class="gd-h" style="margin-top:0.6vw">逾期未整改</div><ul class="gd-list">{items}</ul>{more}'
            if len(overdue)
            else ""
        )
    )


def lines_svg(
    months: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], *, height: int = 300,
    reverse: bool = False, y_label: str = "",
) -> str:  # fmt: skip
    """A line chart as SVG (viewBox 1000 wide). reverse=True puts the smallest value on top (ranks)."""
    left, right, top, bottom = 60, 20, 34, 40
    w, h = 1000 - left - right, height - top - bottom
    values = [v for _, vs, _ in series for v in vs if v is not None]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    if reverse:  # ranks: from 1 at the top to the largest rank shown
        lo, hi = 1.0, max(hi, 4.0)
    else:
        if hi == lo:
            hi, lo = hi + 1, lo - 1
        pad = (hi - lo) * 0.1
        lo, hi = lo - pad, hi + pad
    n = max(1, len(months) - 1)

    def y_of(v: float) -> float:
        frac = (v - lo) / (hi - lo)
        return top + (frac * h if reverse else h - frac * h)

    parts = [f'<svg viewBox="0 0 1000 {height}" preserveAspectRatio="xMidYMid meet">']
    ticks = [lo + (hi - lo) * k / 4 for k in range(5)]
    if reverse:
        ticks = sorted({round(t) for t in ticks})
    for v in ticks:
        y = y_of(v)
        parts.append(f'<line x1="{left}" x2="{1000 - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#22314a"/>')
        label = f"{v:.0f}" if reverse or hi - lo >= 8 else f"{v:.1f}"
        parts.append(f'<text x="{left - 8}" y="{y + 5:.1f}" font-size="14" text-anchor="end">{label}</text>')
    step = max(1, len(months) // 12)
    for i, m in enumerate(months):
        if i % step == 0:
            parts.append(
                f'<text x="{left + w * i / n:.1f}" y="{height - 12}" font-size="14" text-anchor="middle">{esc(m)}</text>'
            )
    legend_x = left
    for name, vs, color in series:
        pts = [(left + w * i / n, y_of(v)) for i, v in enumerate(vs) if v is not None]
        if pts:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="4"/>')
            for x, y in pts:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{color}"/>')
        parts.append(f'<rect x="{legend_x}" y="6" width="14" height="14" fill="{color}"/>')
        parts.append(f'<text x="{legend_x + 20}" y="19" font-size="15">{esc(name)}</text>')
        legend_x += 40 + 16 * len(name)
    if y_label:
        parts.append(
            f'<text x="{1000 - right}" y="19" font-size="14" text-anchor="end">{esc(y_label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_panel(averages: pd.DataFrame, ranks: pd.DataFrame, year: int, codes: Sequence[str] = ()) -> str:
    """The area's average score by month (all checks), and this year's ranks of the month's
    top grid (green) and bottom grid (red), in the order of codes."""
    avg = averages.sort_values("month")
    months = [f"{m.year % 100:02d}.{m.month:02d}" for m in pd.to_datetime(avg["month"])]
    avg_chart = lines_svg(
        months, [("片区平均分", avg["area_avg"].tolist(), "#ffd666")], height=250, y_label="分"
    )
    r = ranks[pd.to_datetime(ranks["month"]).dt.year == year]
    labels = sorted({f"{m.month}月" for m in pd.to_datetime(r["month"])}, key=lambda s: int(s[:-1]))
    series = []
    colors = ["#7ee2a8", "#ff8a80", "#8fb3ff", "#ffb870"]
    order = [c for c in codes if c in set(r["grid_code"])] or list(dict.fromkeys(r["grid_code"]))
    for k, code in enumerate(order):
        part = r[r["grid_code"] == code]
        by_month = {
            f"{m.month}月": v for m, v in zip(pd.to_datetime(part["month"]), part["rank"], strict=True)
        }
        vals = [
            None if by_month.get(m) is None or pd.isna(by_month.get(m)) else float(by_month[m])
            for m in labels
        ]
        series.append((f"{code} {part['grid_name'].iloc[0]}", vals, colors[k % len(colors)]))
    rank_chart = lines_svg(labels, series, height=200, reverse=True, y_label="名次（第1名在上）")
    return (
        f'<div class="gd-h">片区月度平均分</div>{avg_chart}'
        f'<div class="gd-h" style="margin-top:0.6vw">{year}年本月首末网格的名次变化</div>{rank_chart}'
    )


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
