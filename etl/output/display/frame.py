"""The frame of every panel: the registry of panels, the URL parameters, the header with the
clock and the "n/N" indicator, the footer, and the KPI card every panel shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from etl.output.display import fmt
from etl.output.display.render import Html, render

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

Body = tuple[Html, str]  # (panel body, footer note)


@dataclass(frozen=True)
class Kpi:
    """One KPI card: label, big value with its unit, a line under it; cls colours it
    ('green', 'red', 'amber' or '')."""

    label: str
    value: object
    unit: str = ""
    sub: object = ""
    cls: str = ""


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
    month = fmt.month_label(head.month) if head.month else ""
    now = head.now
    return render(
        "frame.html",
        panel=head.panel,
        t1=" · ".join(x for x in ("翁源县城市网格化管理", head.area, month) if x),
        title=PANELS.get(head.panel, ""),
        position=head.position,
        count=head.count,
        rotate=head.rotate,
        elapsed=f"{max(0.0, head.rotate - head.remaining):.1f}",
        clock=f"{now:%H:%M}",
        date=f"{now.year}年{now.month}月{now.day}日 星期{fmt.WEEKDAYS[now.weekday()]}",
        body=body,
        notice=notice,
        foot_left=foot_left,
        right=f"数据截至 {fmt.ymd(head.as_of)} · 更新于 {now:%H:%M}",
    )


def message_body(text: str) -> Html:
    return render("message.html", text=text)


def pick_month(months: Sequence[date], wanted: str | None) -> date:
    """The month of ?month=YYYY-MM when the area has it, else the latest (months is not empty)."""
    chosen = [m for m in months if m.strftime("%Y-%m") == wanted]
    return chosen[0] if chosen else months[-1]


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
