"""The work panels: 信息报送 (statuses as of a date, late and missing grids named), 志愿服务,
问题整改 and 路灯 (DOMAIN §10, with the month's meetings of §11)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from etl.output import lamptables
from etl.output.display import fmt
from etl.output.display.frame import Body, Kpi, message_body
from etl.output.display.plots import columns_chart
from etl.output.display.reads import ReportBoard
from etl.output.display.render import render
from etl.rules import lamps, mechanism


def reports_panel(board: ReportBoard) -> Body:
    rows, deadline, today = board.rows, board.deadline, board.today
    status = rows["status"]
    on_time, late = int((status == "按时").sum()), int((status == "逾期").sum())
    missing, pending = int((status == "未报送").sum()), int((status == "待报送").sum())
    days = (deadline - today).days
    if days > 0:
        due, due_sub, due_cls = f"还有{days}天", f"{fmt.md(deadline)}截止，临时结果", "amber"
    elif days == 0:
        due, due_sub, due_cls = "今天截止", f"{fmt.md(deadline)}截止，临时结果", "amber"
    else:
        due, due_sub, due_cls = "已截止", f"{fmt.md(deadline)}，最终结果", ""
    not_in = missing + pending
    cards = [
        Kpi("应报送网格", len(rows), "个"),
        Kpi("按时报送", on_time, "个", "", "green"),
        Kpi("逾期报送", late, "个", "晚于截止日报送" if late else "", "amber" if late else ""),
        Kpi("未报送" if missing or not pending else "尚未报送", not_in, "个",
            f"截至{fmt.md(today)}" if not_in else "", "red" if missing else ("amber" if pending else "green")),
        Kpi("报送截止", due, "", due_sub, due_cls),
    ]  # fmt: skip
    late_items = [
        {"grid": fmt.grid_label(r["grid_code"], r["grid_name"]), "on": fmt.md(r["submitted_on"]),
         "days": (pd.Timestamp(r["submitted_on"]).date() - deadline).days}
        for r in rows[status == "逾期"].to_dict("records")
    ]  # fmt: skip
    out_items = [
        {
            "grid": fmt.grid_label(r["grid_code"], r["grid_name"]),
            "name": r["contact_name"],
            "phone": r["contact_phone"],
        }
        for r in rows[status.isin(["未报送", "待报送"])].to_dict("records")
    ]
    chips = []
    for r in rows.to_dict("records"):
        st_ = r["status"]
        chips.append({
            "cls": {"按时": "ok", "逾期": "late", "未报送": "miss", "待报送": "wait"}.get(st_, ""),
            "grid": fmt.grid_label(r["grid_code"], r["grid_name"]),
            "when": f"{fmt.md(r['submitted_on'])}报送" if st_ in ("按时", "逾期") else st_,
        })  # fmt: skip
    body = render(
        "reports.html",
        cards=cards,
        chips=chips,
        chip_columns=4 if len(chips) > 24 else 3,
        late=late_items,
        out=out_items,
        out_title="未报送" if missing else "尚未报送",
        today=fmt.md(today),
    )
    return (
        body,
        "逾期：截止日后才报送；未报送：截止日已过仍未报送；尚未报送：截止日前还未报送（请联系人尽快报送）",
    )


def volunteer_panel(frame_: pd.DataFrame) -> Body:
    """frame_: reads.panel_volunteer (activities, participants, hours per registry grid)."""
    if frame_.empty:
        return message_body("本月没有志愿服务数据"), ""
    acts = frame_["activities"].fillna(0).astype(float).tolist()
    none = frame_[frame_["activities"].fillna(0) == 0]
    cards = [
        Kpi("本月活动", int(sum(acts)), "次"),
        Kpi("参与", int(frame_["participants"].fillna(0).sum()), "人次"),
        Kpi("服务时长", fmt.score(float(frame_["hours"].fillna(0).sum())), "小时"),
        Kpi("未开展活动的网格", len(none), "个", "每月至少一次" if len(none) else "全部达到每月一次",
            "red" if len(none) else "green"),
    ]  # fmt: skip
    chart = columns_chart(frame_["grid_code"].tolist(), frame_["grid_name"].tolist(),
                          [("开展活动（次）", acts, "#2f6fd0")], red_zero=True)  # fmt: skip
    names = "、".join(
        f"{fmt.grid_label(c, n)}（{lead}）"
        for c, n, lead in zip(none["grid_code"], none["grid_name"], none["leader_name"], strict=True)
    )
    body = render("volunteer.html", cards=cards, chart=chart, none_count=len(none), names=names)
    return body, "《实施方案》：每个网格每月至少开展一次志愿服务活动；括号内为挂点县领导"


def problems_panel(figures: pd.DataFrame, overdue: pd.DataFrame, today: date) -> Body:
    """figures: findings.problem_figures for the month; overdue: findings.overdue_problems (every
    month, as of today)."""
    found, fixed, month_overdue = (int(figures[c].sum()) for c in ("found", "rectified", "overdue"))
    cards = [
        Kpi("本月发现问题", found, "个"),
        Kpi("已整改", fixed, "个", f"整改率 {fixed / found * 100:.1f}%" if found else "", "green"),
        Kpi("本月问题逾期未整改", month_overdue, "个", "", "red" if month_overdue else "green"),
        Kpi(
            "逾期未整改（全部月份）",
            len(overdue),
            "个",
            f"截至{fmt.md(today)}",
            "red" if len(overdue) else "green",
        ),
    ]
    chart = columns_chart(
        figures["grid_code"].tolist(), figures["grid_name"].tolist(),
        [("已整改", figures["rectified"].tolist(), "#3fa66b"), ("整改中", figures["open"].tolist(), "#2f6fd0"),
         ("逾期未整改", figures["overdue"].tolist(), "#e05252")],
    )  # fmt: skip
    items = [
        {"grid": fmt.grid_label(r["grid_code"], r["grid_name"]), "category": r["category"],
         "text": r["description"] or r["location"] or "（未填写描述）", "deadline": fmt.md(r["deadline"]),
         "days": int(r["days_overdue"])}
        for r in overdue.to_dict("records")
    ]  # fmt: skip
    body = render("problems.html", cards=cards, chart=chart, items=items)
    return body, "柱：本月发现的问题按整改状态；逾期：过了整改期限仍未整改"


def lamps_panel(
    frame: pd.DataFrame, month: date, targets: lamps.LampTargets, work: mechanism.WorkFigures | None = None
) -> Body:
    """frame: etl.rules.lamps.lamp_month of the check's month (every registry grid, checked or not).
    KPI cards, each checked grid's 亮灯率 from zero (green meets both targets, red does not),
    the grids below target worst first, the grids not checked, and the month's meetings
    shortfall when the area tracks meetings."""
    label = fmt.month_label(month)
    fig = lamps.lamp_figures(frame)
    if fig.checked == 0:
        return message_body(f"{label}暂无路灯检查记录"), ""
    checked = frame[frame["checked"].astype(bool)]
    rates = [0.0 if fmt.missing(x) else float(x) * 100 for x in checked["lit_rate"]]
    meets = checked["meets_target"].fillna(False).astype(bool).tolist()
    cards = [
        Kpi(f"{label}检查网格", f"{fig.checked}/{fig.grids}", "个"),
        Kpi("未达标网格", fig.below, "个", targets.short, "red" if fig.below else "green"),
        Kpi("全片区亮灯率", lamps.percent(fig.lit_rate)),
        Kpi("全片区装灯率", lamps.percent(fig.install_rate)),
    ]
    if work is not None and work.tracked:
        cards.append(
            Kpi(f"例会不足{work.expected}次的网格", work.short, "个", "", "red" if work.short else "green")
        )
    chart = columns_chart(
        checked["grid_code"].tolist(), checked["grid_name"].tolist(),
        [("达标（亮灯率 %）", [r if m else 0 for r, m in zip(rates, meets, strict=True)], "#3fa66b"),
         ("未达标（亮灯率 %）", [0 if m else r for r, m in zip(rates, meets, strict=True)], "#e05252")],
        show_totals=False,
    )  # fmt: skip
    items = [
        {
            "grid": fmt.grid_label(r["grid_code"], r["grid_name"]),
            "shortfall": lamps.shortfall_text(r, targets),
        }
        for r in lamps.below_target(frame).to_dict("records")
    ]
    body = render(
        "lamps.html",
        cards=cards,
        chart=chart,
        items=items,
        target=targets.text,
        unchecked="、".join(lamptables.unchecked_names(frame)),
    )
    return body, f"目标：{targets.text}；柱高：各网格亮灯率（从0起）"
