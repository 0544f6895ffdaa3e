"""The month's standing: 本月排名 (every grid as a bar, from 0 to 100) and 末位与预警 (the bottom
three as large alert cards with the leader's name). Both read rankings.month_ranking."""

from __future__ import annotations

import math

import pandas as pd

from etl.output import tables
from etl.output.display import fmt
from etl.output.display.frame import Body, Kpi, message_body
from etl.output.display.render import render


def _change(change: object, prev: object, missing: bool) -> tuple[str, int]:
    """('new' | 'same' | 'up' | 'down' | '', places) for the ▲▼ column."""
    if missing:
        return "", 0
    if fmt.missing(change):
        return ("new" if fmt.missing(prev) else "same"), 0
    c = int(change)  # type: ignore[call-overload]
    return ("up", c) if c > 0 else (("down", -c) if c < 0 else ("same", 0))


def ranking_panel(table: pd.DataFrame) -> Body:
    """table: rankings.month_ranking. (body, footer note)."""
    ranked = table[~table["missing"].astype(bool)]
    n = len(table)
    cards = [Kpi("参与排名", len(ranked), f"/ {n} 个网格")]
    if len(ranked):
        best = ranked.sort_values("rank").iloc[0]
        worst = ranked.sort_values("rank").iloc[-1]
        cards += [
            Kpi("平均分", fmt.num(ranked["total"].astype(float).mean(), 2), "分"),
            Kpi("最高分", fmt.score(best["total"]), "分", fmt.grid_label(best["grid_code"], best["grid_name"]),
                "green"),
            Kpi("最低分", fmt.score(worst["total"]), "分", fmt.grid_label(worst["grid_code"], worst["grid_name"]),
                "red"),
        ]  # fmt: skip
    rows = []
    for r in table.to_dict("records"):
        missing = bool(r["missing"])
        change, by = _change(r.get("rank_change"), r.get("prev_rank"), missing)
        rows.append({
            "cls": "missing" if missing else ("bottom" if r["bottom_three"] else ("top" if r["top_three"] else "")),
            "rank": "缺检" if missing else int(r["rank"]),
            "change": change, "by": by,
            "grid": fmt.grid_label(r["grid_code"], r["grid_name"]),
            "width": f"{0.0 if missing else max(0.0, min(100.0, float(r['total']))):.1f}",
            "score": "" if missing else fmt.score(r["total"]),
        })  # fmt: skip
    columns = 1 if n <= 10 else (2 if n <= 30 else 3)
    body = render(
        "ranking.html", cards=cards, rows=rows, per_col=max(1, math.ceil(n / columns)), small=columns > 2
    )
    note = "绿色：前三名　红色：末位三名（并列全部计入）　条长：总分（满分100）　▲▼：较上次名次变化"
    return body, note


def _named(frame: pd.DataFrame) -> str:
    """'26 测试26路（张三）、…': grids with their leaders."""
    return "、".join(
        f"{fmt.grid_label(c, g)}（{lead}）"
        for c, g, lead in zip(frame["grid_code"], frame["grid_name"], frame["leader_name"], strict=True)
    )


def warnings_panel(table: pd.DataFrame) -> Body:
    """table: rankings.month_ranking (bottom_three, streak, leader_name, leader_title, lead_unit)."""
    ranked = table[~table["missing"].astype(bool)]
    bottom = ranked[ranked["bottom_three"].astype(bool)].sort_values(["rank", "grid_code"])
    if bottom.empty:
        return message_body("本月没有排名结果"), ""
    n = len(bottom)
    shown = bottom.head(6)
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
        cards.append({
            "cls": cls, "badge": badge, "code": r["grid_code"], "rank": int(r["rank"]),
            "score": fmt.score(r["total"]), "grid": f"{r['grid_code']} {r['grid_name']}",
            "leader": r["leader_name"], "title": title if isinstance(title, str) and title else "",
            "unit": r["lead_unit"],
        })  # fmt: skip
    columns = min(3, len(shown))
    streaks = bottom[bottom["streak"].astype(int) >= 3]
    rest = bottom.iloc[len(shown) :]
    body = render(
        "warnings.html",
        heading=tables.ties_heading(n) or "本月末位三名",
        columns=columns,
        rows=math.ceil(len(shown) / columns),
        cards=cards,
        small=len(shown) > 3,
        more=_named(rest) if len(rest) else "",
        more_count=len(rest),
        streaks=_named(streaks) if len(streaks) else "",
        streak_count=len(streaks),
    )
    return body, "末位三名按总分从低到高，并列全部计入；连续次数按各次检查连续排在末位三名计"
