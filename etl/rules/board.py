"""Read functions for the overview page and the chrome around every page: headline figures
of a month and whether the database holds only the shipped sample data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from etl.load.sample import SAMPLE_USER
from etl.rules import queries

IS_SAMPLE = """
SELECT count(*) > 0 AND bool_and(loaded_by = ?) FROM batch WHERE status = 'active'
"""


def is_sample_data(con: duckdb.DuckDBPyConnection) -> bool:
    """True while every active batch came from the sample data (the 示例数据 banner)."""
    return bool(con.execute(IS_SAMPLE, [SAMPLE_USER]).fetchall()[0][0])


def podium(ranking: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The month's front and its bottom three (the view's top_three and bottom_three flags,
    DOMAIN §4), each in rank order, from queries.month_ranking."""
    ranked = ranking[~ranking["missing"].astype(bool)].sort_values(["rank", "grid_code"])
    return ranked[ranked["top_three"].astype(bool)], ranked[ranked["bottom_three"].astype(bool)]


def ranking_cards_html(table: pd.DataFrame, *, leader: bool = False) -> str:
    """Rows of queries.month_ranking as a card list for a phone (and the overview's podium):
    rank and movement, grid, total, status; bottom three red, front three green, 缺检 grey.
    Every value is escaped: the result is safe to hand to st.html."""
    from etl.output.export import rank_change_text, ranking_status
    from etl.safetext import html_text as escape

    cards = []
    for r in table.to_dict("records"):
        missing = bool(r["missing"])
        bottom = bool(r["bottom_three"]) and not missing
        ranked = not missing and r["rank"] is not None and not pd.isna(r["rank"])
        top = ranked and (bool(r["top_three"]) if "top_three" in r else r["rank"] <= 3)  # the view's flag
        kind = "missing" if missing else "bottom" if bottom else "top" if top else "plain"
        change = rank_change_text(r.get("rank_change"), r.get("prev_rank"), missing)
        status = ranking_status(missing, bool(r["bottom_three"]), r["streak"])
        sub = [escape(change)] if change not in ("", "—") else []
        if status and not missing:
            sub.append(f"<em>{escape(status)}</em>")
        if leader:
            sub.append(f'<span class="rc-who">挂点县领导 {escape(str(r["leader_name"] or ""))}</span>')
        rank = "—" if missing else str(int(r["rank"]))
        total = "缺检" if missing else f"{float(r['total']):.1f}<small>分</small>"
        name = f"{escape(str(r['grid_code']))} {escape(str(r['grid_name']))}"
        cards.append(
            f'<div class="rc rc-{kind}"><span class="rc-rank">{rank}</span>'
            f'<span class="rc-grid"><b>{name}</b><span class="rc-sub">{" ".join(sub)}</span></span>'
            f'<span class="rc-total">{total}</span></div>'
        )
    return '<div class="rank-cards">' + "".join(cards) + "</div>"


@dataclass(frozen=True)
class MonthFigures:
    """Headline figures of (area, month) for the overview."""

    n_grids: int
    n_ranked: int
    n_missing: int
    average: float | None
    prev_average: float | None
    reported: int  # 按时 + 逾期
    on_time: int
    not_reported: int  # 未报送 + 待报送
    deadline: date
    days_to_deadline: int  # negative: days past the deadline
    no_volunteer: int
    problems_open: int  # 整改中, whole ledger of the area as of today
    problems_overdue: int  # 逾期未整改
    streak_warnings: int
    today: date
    future_dated: int = 0  # first report dated after today: suspect, not in `reported` (issue 12)


FIGURES = """
WITH r AS (
    SELECT count(*)::INTEGER AS n_grids,
        count(rank)::INTEGER AS n_ranked,
        count(*) FILTER (WHERE missing)::INTEGER AS n_missing,
        avg(total) AS average,
        count(*) FILTER (WHERE streak >= 3)::INTEGER AS streaks
    FROM monthly_ranking WHERE area = $area AND month = $month
),
prev AS (
    SELECT avg(total) AS prev_average FROM monthly_ranking
    WHERE area = $area AND month = (
        SELECT max(month) FROM area_month WHERE area = $area AND month < $month)
),
rep AS (
    SELECT count(*) FILTER (WHERE status IN ('按时', '逾期'))::INTEGER AS reported,
        count(*) FILTER (WHERE status = '按时')::INTEGER AS on_time,
        count(*) FILTER (WHERE submitted_on > grid_today())::INTEGER AS future_dated
    FROM report_status WHERE area = $area AND month = $month
),
vol AS (
    SELECT count(*) FILTER (WHERE activities = 0)::INTEGER AS no_volunteer
    FROM volunteer_monthly WHERE area = $area AND month = $month
),
prob AS (
    SELECT count(*) FILTER (WHERE status = '整改中')::INTEGER AS open,
        count(*) FILTER (WHERE status = '逾期未整改')::INTEGER AS overdue
    FROM problem_status WHERE area = $area
)
SELECT r.n_grids, r.n_ranked, r.n_missing, r.average, prev.prev_average,
    coalesce(rep.reported, 0), coalesce(rep.on_time, 0),
    report_deadline($month, s.report_deadline_day) AS deadline,
    coalesce(vol.no_volunteer, 0), prob.open, prob.overdue, r.streaks, grid_today(),
    (SELECT count(*) FROM grid WHERE area = $area)::INTEGER AS registry_grids,
    coalesce(rep.future_dated, 0)
FROM r, prev, rep, vol, prob, rule_setting s
"""


def month_figures(con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike) -> MonthFigures:
    m = queries.month_start(month)
    row = con.execute(FIGURES, {"area": area, "month": m}).fetchall()[0]
    (n_grids, n_ranked, n_missing, average, prev_average, reported, on_time, deadline,
     no_volunteer, open_, overdue, streaks, today, registry_grids, future_dated) = row  # fmt: skip
    n_grids = n_grids or registry_grids
    return MonthFigures(
        n_grids=n_grids,
        n_ranked=n_ranked,
        n_missing=n_missing,
        average=average,
        prev_average=prev_average,
        reported=reported,
        on_time=on_time,
        not_reported=n_grids - reported,
        deadline=deadline,
        days_to_deadline=(deadline - today).days,
        no_volunteer=no_volunteer,
        problems_open=open_ or 0,
        problems_overdue=overdue or 0,
        streak_warnings=streaks,
        today=today,
        future_dated=future_dated,
    )


@dataclass(frozen=True)
class AsOf:
    """The one "as of" of every status figure on a page (issue 12): the rules' today
    (grid_today(), GRID_TODAY pins it) and whether the chosen month is over, so that its
    statuses are final, or still running, so that they are provisional."""

    today: date
    month: date

    @property
    def final(self) -> bool:
        return (self.month.year, self.month.month) < (self.today.year, self.today.month)

    @property
    def text(self) -> str:
        t, m = self.today, self.month
        day = f"{t.year}年{t.month}月{t.day}日"
        if self.final:
            return f"状态截至{day} · {m.year}年{m.month}月已结束，状态为最终结果"
        if (m.year, m.month) == (t.year, t.month):
            return f"状态截至{day} · {m.month}月为本月，尚未结束，状态为暂定"
        return f"状态截至{day} · {m.year}年{m.month}月尚未开始，状态为暂定"


def as_of(con: duckdb.DuckDBPyConnection, month: queries.MonthLike) -> AsOf:
    today = con.execute("SELECT grid_today()").fetchall()[0][0]
    return AsOf(today=today, month=queries.month_start(month))


FUTURE_REPORTS = """
SELECT r.grid_code, g.grid_name, r.submitted_on
FROM report_status r
JOIN grid g ON g.area = r.area AND g.grid_code = r.grid_code
WHERE r.area = ? AND r.month = ? AND r.submitted_on > grid_today()
ORDER BY r.submitted_on, r.grid_code
"""


def future_reports(con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike) -> pd.DataFrame:
    """The month's first reports dated after today: impossible as of today, most likely a typo;
    the pages flag them (grid_code, grid_name, submitted_on)."""
    return con.execute(FUTURE_REPORTS, [area, queries.month_start(month)]).df()


# ------------------------------------------------------------------------------------------
# Issue 4 pages: trends, annual, volunteer, reports, problems, grids. Read functions (SQL with
# bound parameters) and pure table builders, so that the pages only lay out what they get.

REGISTRY = """
SELECT grid_code, grid_name, big_grid, leader_name, leader_title, lead_unit,
    responsible_units, scope, contact_name, contact_phone, sort_order
FROM grid
WHERE area = ?
ORDER BY sort_order, grid_code
"""


def registry(con: duckdb.DuckDBPyConnection, area: str) -> pd.DataFrame:
    """The area's grids as the current registry lists them (DOMAIN §1), registry order."""
    return con.execute(REGISTRY, [area]).df()


def grid_label(code: object, name: object) -> str:
    """'07 华园路' : the code and the name without the trailing 网格, for axes and cells."""
    short = str(name or "")
    if short.endswith("网格") and len(short) > 2:
        short = short[:-2]
    return f"{code} {short}".strip()


def registry_display(reg: pd.DataFrame) -> pd.DataFrame:
    """The registry with Chinese headers; responsible units joined with 、."""

    def units(value: object) -> str:  # a DuckDB list arrives as a numpy array
        if isinstance(value, str):
            return value
        if value is None or not hasattr(value, "__iter__"):
            return ""
        return "、".join(str(v) for v in value if v is not None)

    return pd.DataFrame(
        {
            "编号": reg["grid_code"],
            "网格名称": reg["grid_name"],
            "大网格": reg["big_grid"].fillna(""),
            "挂点县领导": reg["leader_name"],
            "职务": reg["leader_title"].fillna(""),
            "牵头单位": reg["lead_unit"],
            "责任单位": [units(v) for v in reg["responsible_units"]],
            "网格范围": reg["scope"].fillna(""),
            "联系人": reg["contact_name"].fillna(""),
            "联系电话": reg["contact_phone"].fillna(""),
        }
    )


# ---- 网格趋势 ------------------------------------------------------------------------------

RANK_HISTORY = """
SELECT r.month, r.grid_code, g.grid_name, r.total, r.rank, r.n_ranked, r.missing,
    r.bottom_three, r.streak, r.top_three
FROM monthly_ranking r
JOIN grid g ON g.area = r.area AND g.grid_code = r.grid_code
WHERE r.area = ? AND year(r.month) = ?
ORDER BY r.month, g.sort_order
"""


def rank_history(con: duckdb.DuckDBPyConnection, area: str, year: int) -> pd.DataFrame:
    """Every grid's total and rank at each check of the year (for the bump chart)."""
    return con.execute(RANK_HISTORY, [area, int(year)]).df()


CATEGORY_COMPARISON = """
WITH chosen AS (
    SELECT grid_code, grid_name, sort_order FROM grid
    WHERE area = $area AND list_contains($codes::VARCHAR[], grid_code)
),
scores AS (
    SELECT c.* FROM monthly_category_score c
    SEMI JOIN grid g ON g.area = c.area AND g.grid_code = c.grid_code
    WHERE c.area = $area AND c.month = $month
),
area_avg AS (
    SELECT category, min(category_order) AS category_order, min(first_item) AS first_item,
        sum(score) / nullif(sum(max_points), 0) AS area_ratio, avg(score) AS area_score,
        max(max_points) AS max_points
    FROM scores
    GROUP BY category
)
SELECT ch.grid_code, ch.grid_name, a.category, s.score, a.max_points, s.ratio,
    a.area_score, a.area_ratio
FROM area_avg a
CROSS JOIN chosen ch
LEFT JOIN scores s ON s.category = a.category AND s.grid_code = ch.grid_code
ORDER BY a.category_order, a.first_item, ch.sort_order
"""


def category_comparison(
    con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike, grid_codes: Sequence[str]
) -> pd.DataFrame:
    """Score rate per category of the chosen grids against the area average for one month:
    grid_code, grid_name, category, score, max_points, ratio (NaN when the grid was not
    scored), area_score, area_ratio (sum of scores / sum of maxima over the area's grids)."""
    params = {"area": area, "month": queries.month_start(month), "codes": list(grid_codes)}
    return con.execute(CATEGORY_COMPARISON, params).df()


def streak_summary(totals: pd.DataFrame, month: queries.MonthLike | None = None) -> pd.DataFrame:
    """Per grid of a grid_history totals frame: checks, times in the bottom three, longest
    streak, streak at `month` (DOMAIN §4) and the months in the bottom three, as shown."""
    rows = []
    m = queries.month_start(month) if month is not None else None
    for code, part in totals.groupby("grid_code", sort=False):
        bottom = part[part["bottom_three"].astype(bool)]
        now = part[[queries.month_start(x) == m for x in part["month"]]] if m else part.iloc[0:0]
        current = int(now["streak"].iloc[0]) if len(now) else 0
        rows.append(
            {
                "网格": grid_label(code, part["grid_name"].iloc[0]),
                "当前连续": current,
                "最长连续": int(part["streak"].max() or 0) if len(part) else 0,
                "进入末位三名": int(len(bottom)),
                "末位月份": "、".join(f"{x.year}年{x.month}月" for x in bottom["month"]),
                "考核次数": int(len(part)),
                "缺检次数": int(part["missing"].astype(bool).sum()),
            }
        )
    columns = ["网格", "当前连续", "最长连续", "进入末位三名", "末位月份", "考核次数", "缺检次数"]
    return pd.DataFrame(rows, columns=columns)


def chart_matrix(wide: pd.DataFrame, grid_codes: Sequence[str] | None = None) -> pd.DataFrame:
    """A report_matrix / volunteer_matrix (grid rows × 'YYYY-MM' columns) as a chart wants it:
    index '07 华园路', columns '1月' … '12月' (one year), optionally only some grids."""
    if wide.empty or "grid_code" not in wide.columns:
        return pd.DataFrame()
    rows = wide if grid_codes is None else wide[wide["grid_code"].isin(list(grid_codes))]
    months = [c for c in wide.columns if len(str(c)) == 7 and str(c)[4] == "-"]
    out = rows[months].copy()
    out.index = [grid_label(c, n) for c, n in zip(rows["grid_code"], rows["grid_name"], strict=True)]
    out.columns = [f"{int(str(c)[5:])}月" for c in months]
    return out


# ---- 年度考评 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnualRules:
    """The settings behind DOMAIN §5 (stored in `setting`, defaults in views.sql)."""

    w_routine: float
    w_year_end: float
    pass_mark: float
    limits: tuple[int, int, int]  # last rank of 一类, 二类, 三类
    amounts: tuple[int, int, int, int]  # reward per grid: 一类, 二类, 三类, 达标


RULES = """
SELECT weight_routine, weight_year_end, pass_mark, tier1_ranks, tier2_ranks, tier3_ranks,
    reward_tier1, reward_tier2, reward_tier3, reward_pass
FROM rule_setting
"""


def annual_rules(con: duckdb.DuckDBPyConnection) -> AnnualRules:
    """The stored (effective) annual assessment settings."""
    r = con.execute(RULES).fetchall()[0]
    return AnnualRules(
        w_routine=float(r[0]),
        w_year_end=float(r[1]),
        pass_mark=float(r[2]),
        limits=(int(r[3]), int(r[4]), int(r[5])),
        amounts=(int(r[6]), int(r[7]), int(r[8]), int(r[9])),
    )


def yuan_text(yuan: float) -> str:
    """Money the Chinese way: 23.5 万元 from ten thousand up (24 万元 when whole), else 5,000 元."""
    amount = int(yuan)
    if amount >= 10000:
        return f"{amount / 10000:,.1f} 万元".replace(".0 万", " 万")
    return f"{amount:,} 元"


def tier_summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """annual_summary / annual_what_if_summary with Chinese headers, amounts as text and a 合计 row."""
    rows = [
        {
            "等次": r.tier,
            "网格数": int(r.grids),
            "名额": "—" if pd.isna(r.quota) else str(int(r.quota)),
            "每个奖励（元）": "—" if pd.isna(r.reward_each) else f"{int(r.reward_each):,}",
            "金额（元）": f"{int(r.total_yuan):,}",
            "名额冲突": "是" if r.over_quota else "",
        }
        for r in summary.itertuples()
    ]
    total = f"{int(summary['total_yuan'].sum()):,}"
    rows.append({"等次": "合计", "网格数": int(summary["grids"].sum()), "名额": "", "每个奖励（元）": "",
                 "金额（元）": total, "名额冲突": ""})  # fmt: skip
    return pd.DataFrame(rows)


def annual_note(row: dict[str, object]) -> str:
    """What the committee must see beside a grid: quota conflict, incomplete, notice."""
    if row.get("incomplete"):
        n_months = row.get("n_months")
        if n_months is not None and not pd.isna(n_months) and int(n_months) == 0:  # type: ignore[call-overload]
            return "未完成：本年无月度考核得分"
        return "未完成：缺年终考核得分"
    if row.get("over_quota"):
        over = int(row["tier_count"]) - int(row["tier_quota"])  # type: ignore[call-overload]
        return f"名额冲突：{row['tier']}超出{over}个"
    if row.get("tier") == "不达标":
        return "发督查整改通知书"
    return ""


def annual_display(table: pd.DataFrame) -> pd.DataFrame:
    """An annual table (view or what-if) with Chinese headers, as shown and downloaded."""
    records = table.to_dict("records")

    def num(v: object) -> float | None:
        # Rounded as the page shows them, so that a download reads 80.56, not 80.55555555555556.
        return None if v is None or pd.isna(v) else round(float(v), 2)  # type: ignore[arg-type]

    return pd.DataFrame(
        {
            "排名": pd.array(
                [None if pd.isna(r["rank"]) else int(r["rank"]) for r in records], dtype="Int64"
            ),
            "网格": [f"{r['grid_code']} {r.get('grid_name') or ''}".strip() for r in records],
            "等次": [r["tier"] if isinstance(r["tier"], str) else "未完成" for r in records],
            "综合得分": [num(r["composite"]) for r in records],
            "奖励（元）": pd.array(
                [None if pd.isna(r["reward_yuan"]) else int(r["reward_yuan"]) for r in records], dtype="Int64"
            ),
            "常规考核平均分": [num(r["routine_avg"]) for r in records],
            "年终考核得分": [num(r["year_end"]) for r in records],
            "挂点县领导": [r.get("leader_name", "") for r in records],
            "备注": [annual_note(r) for r in records],
        }
    )


def provisional_display(prov: pd.DataFrame, pending_only: bool = False) -> pd.DataFrame:
    """queries.provisional_standing as shown: what each grid needs at the year-end check;
    pending_only keeps the grids that have monthly scores but no year-end score yet."""
    rows = []
    for r in prov.to_dict("records"):
        if pending_only and (pd.isna(r["routine_avg"]) or not pd.isna(r["year_end"])):
            continue
        final = not pd.isna(r["year_end"])
        if pd.isna(r["routine_avg"]):
            need = "无月度得分，无法测算"
        elif final:
            need = "年终得分已录入"
        elif r["next_tier"] is None or pd.isna(r["next_tier"]):
            need = "保持即可（已是一类）"
        elif pd.isna(r["needed_next"]):
            need = f"满分也难进入{r['next_tier']}"
        else:
            need = f"≥ {float(r['needed_next']):.2f} 分可进入{r['next_tier']}"
        keep = ""
        if not final and not pd.isna(r["routine_avg"]) and not pd.isna(r["needed_pass"]):
            keep = f"{float(r['needed_pass']):.2f}"
        rows.append(
            {
                "暂定排名": None if pd.isna(r["provisional_rank"]) else int(r["provisional_rank"]),
                "网格": grid_label(r["grid_code"], r["grid_name"]),
                "暂定等次": r["provisional_tier"] if isinstance(r["provisional_tier"], str) else "未完成",
                "冲击上一等次所需年终得分": need,
                "达标所需年终得分": keep,
                "预计综合得分": None
                if pd.isna(r["projected_composite"])
                else float(r["projected_composite"]),
                "常规考核平均分": None if pd.isna(r["routine_avg"]) else float(r["routine_avg"]),
                "已考核月数": int(r["n_months"]),
                "年终考核得分": None if pd.isna(r["year_end"]) else float(r["year_end"]),
                "挂点县领导": r["leader_name"],
            }
        )
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["暂定排名"] = pd.array(frame["暂定排名"].tolist(), dtype="Int64")
    return frame


# ---- 志愿服务 ------------------------------------------------------------------------------

VOLUNTEER_TOTALS = """
SELECT
    coalesce(sum(activities) FILTER (WHERE month = $month), 0)::INTEGER AS month_activities,
    coalesce(sum(participants) FILTER (WHERE month = $month), 0)::INTEGER AS month_participants,
    coalesce(sum(hours) FILTER (WHERE month = $month), 0)::DOUBLE AS month_hours,
    count(*) FILTER (WHERE month = $month AND falls_short)::INTEGER AS month_short,
    count(*) FILTER (WHERE month = $month)::INTEGER AS month_grids,
    coalesce(sum(activities), 0)::INTEGER AS year_activities,
    coalesce(sum(participants), 0)::INTEGER AS year_participants,
    coalesce(sum(hours), 0)::DOUBLE AS year_hours,
    count(*) FILTER (WHERE falls_short)::INTEGER AS year_short_months
FROM volunteer_monthly v
SEMI JOIN grid g ON g.area = v.area AND g.grid_code = v.grid_code
WHERE v.area = $area AND year(v.month) = $year
"""


@dataclass(frozen=True)
class VolunteerTotals:
    """Activities, participants (人次) and hours of the month and of its year (DOMAIN §7)."""

    month_activities: int
    month_participants: int
    month_hours: float
    month_short: int  # grids with no activity in the month
    month_grids: int  # grids with a row for the month (0: month outside the data range)
    year_activities: int
    year_participants: int
    year_hours: float
    year_short_months: int  # grid-months with no activity


def volunteer_totals(con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike) -> VolunteerTotals:
    m = queries.month_start(month)
    row = con.execute(VOLUNTEER_TOTALS, {"area": area, "month": m, "year": m.year}).fetchall()[0]
    return VolunteerTotals(*row)


VOLUNTEER_SHORT = """
SELECT v.grid_code, g.grid_name, g.big_grid, g.leader_name, g.lead_unit, g.contact_name,
    g.contact_phone
FROM volunteer_monthly v
JOIN grid g ON g.area = v.area AND g.grid_code = v.grid_code
WHERE v.area = ? AND v.month = ? AND v.falls_short
ORDER BY g.sort_order
"""


def volunteer_short(con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike) -> pd.DataFrame:
    """Grids with no volunteer activity in the month: short of one-a-month (DOMAIN §7)."""
    return con.execute(VOLUNTEER_SHORT, [area, queries.month_start(month)]).df()


def volunteer_display(wide: pd.DataFrame) -> pd.DataFrame:
    """Year totals per grid from queries.volunteer_matrix, Chinese headers."""
    if wide.empty or "total_activities" not in wide.columns:
        return pd.DataFrame(columns=["网格", "活动次数", "参与人次", "服务时长（小时）", "未开展活动月数"])
    return pd.DataFrame(
        {
            "网格": [grid_label(c, n) for c, n in zip(wide["grid_code"], wide["grid_name"], strict=True)],
            "活动次数": wide["total_activities"].astype("int64"),
            "参与人次": wide["total_participants"].astype("int64"),
            "服务时长（小时）": wide["total_hours"].astype(float),
            "未开展活动月数": wide["months_short"].astype("int64"),
        }
    )


# ---- 信息报送 ------------------------------------------------------------------------------

REPORT_MONTH = """
SELECT
    count(*) FILTER (WHERE r.status = '按时')::INTEGER AS on_time,
    count(*) FILTER (WHERE r.status = '逾期')::INTEGER AS late,
    count(*) FILTER (WHERE r.status = '未报送')::INTEGER AS missing,
    count(*) FILTER (WHERE r.status = '待报送')::INTEGER AS pending,
    count(*)::INTEGER AS grids
FROM report_status r
SEMI JOIN grid g ON g.area = r.area AND g.grid_code = r.grid_code
WHERE r.area = ? AND r.month = ?
"""


@dataclass(frozen=True)
class ReportCounts:
    """Grids per report status (DOMAIN §6) for one month; grids = 0 outside the data range."""

    on_time: int
    late: int
    missing: int
    pending: int
    grids: int


def report_counts(con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike) -> ReportCounts:
    row = con.execute(REPORT_MONTH, [area, queries.month_start(month)]).fetchall()[0]
    return ReportCounts(*row)


def chase_list(missing: pd.DataFrame) -> pd.DataFrame:
    """queries.missing_reports as the 催报名单 shown and downloaded, contact first; also any
    list of grids with the registry's people (volunteer_short), 状态 only when it has one."""
    status = {"状态": missing["status"]} if "status" in missing.columns else {}
    return pd.DataFrame(
        {
            "网格": [f"{c} {n}" for c, n in zip(missing["grid_code"], missing["grid_name"], strict=True)],
            **status,
            "联系人": missing["contact_name"].fillna(""),
            "联系电话": missing["contact_phone"].fillna(""),
            "挂点县领导": missing["leader_name"],
            "牵头单位": missing["lead_unit"],
        }
    )


def report_year_display(matrix: pd.DataFrame) -> pd.DataFrame:
    """Per grid of queries.report_matrix: counts of each status in the year."""
    cols = ["网格", "按时", "逾期", "未报送", "待报送"]
    if matrix.empty or "on_time" not in matrix.columns:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(
        {
            "网格": [grid_label(c, n) for c, n in zip(matrix["grid_code"], matrix["grid_name"], strict=True)],
            "按时": matrix["on_time"].astype("int64"),
            "逾期": matrix["late"].astype("int64"),
            "未报送": matrix["missing"].astype("int64"),
            "待报送": matrix["pending"].astype("int64"),
        }
    )


# ---- 问题台账 ------------------------------------------------------------------------------

SMALL_SAMPLE = 5  # rates from fewer problems than this are marked 样本少

PROBLEM_CATEGORIES = """
SELECT p.category,
    sum(p.found)::INTEGER AS found,
    sum(p.rectified)::INTEGER AS rectified,
    sum(p.rectified_on_time)::INTEGER AS rectified_on_time,
    sum(p.overdue)::INTEGER AS overdue,
    sum(p.open)::INTEGER AS open
FROM problem_monthly p
SEMI JOIN grid g ON g.area = p.area AND g.grid_code = p.grid_code
WHERE p.area = $area AND year(p.month) = $year AND ($month::DATE IS NULL OR p.month = $month::DATE)
GROUP BY p.category
ORDER BY coalesce(list_position($order::VARCHAR[], p.category), 1000), p.category
"""


def problem_categories(
    con: duckdb.DuckDBPyConnection, area: str, year: int, month: queries.MonthLike | None = None
) -> pd.DataFrame:
    """Problems found in the year (or one month of it) per duty category (DOMAIN §8), in the
    order of the duties: category, found, rectified, rectified_on_time, overdue, open."""
    from etl.load.kinds import vocabulary

    voc = vocabulary()
    params = {
        "area": area,
        "year": int(year),
        "month": queries.month_start(month) if month is not None else None,
        "order": list(voc.duties + voc.extra_categories),
    }
    return con.execute(PROBLEM_CATEGORIES, params).df()


def rate_text(part: object, whole: object, small: int = SMALL_SAMPLE) -> str:
    """'85.0%（17/20）'; '—' when there is no base; ' 样本少' when the base is under `small`."""
    n = 0 if whole is None or pd.isna(whole) else int(whole)  # type: ignore[call-overload]
    k = 0 if part is None or pd.isna(part) else int(part)  # type: ignore[call-overload]
    if n == 0:
        return "—"
    text = f"{k / n * 100:.1f}%（{k}/{n}）"
    return text + " 样本少" if n < small else text


def problem_display(figures: pd.DataFrame, by: str = "grid") -> pd.DataFrame:
    """problem_figures (by='grid') or problem_categories (by='category') as shown: counts and
    rates with the count beside every rate."""
    if by == "grid":
        labels = [grid_label(c, n) for c, n in zip(figures["grid_code"], figures["grid_name"], strict=True)]
        lead: dict[str, object] = {"网格": labels}
        tail: dict[str, object] = {"挂点县领导": figures["leader_name"]}
    else:
        lead, tail = {"问题类别": figures["category"]}, {}
    on_time = zip(figures["rectified_on_time"], figures["rectified"], strict=True)
    return pd.DataFrame(
        {
            **lead,
            "整改率": [rate_text(k, n) for k, n in zip(figures["rectified"], figures["found"], strict=True)],
            "按时整改率": [rate_text(k, n) for k, n in on_time],
            "逾期未整改": figures["overdue"].astype("int64"),
            "发现": figures["found"].astype("int64"),
            "已整改": figures["rectified"].astype("int64"),
            "整改中": figures["open"].astype("int64"),
            **tail,
        }
    )


def overdue_display(overdue: pd.DataFrame) -> pd.DataFrame:
    """queries.overdue_problems as shown and downloaded: what a phone shows first comes first."""

    def day(v: object) -> str:
        return "" if v is None or pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d}"  # type: ignore[arg-type]

    return pd.DataFrame(
        {
            "网格": [
                grid_label(c, n) for c, n in zip(overdue["grid_code"], overdue["grid_name"], strict=True)
            ],
            "逾期天数": overdue["days_overdue"].astype("int64"),
            "问题类别": overdue["category"],
            "问题描述": overdue["description"].fillna(""),
            "地点": overdue["location"].fillna(""),
            "整改期限": [day(v) for v in overdue["deadline"]],
            "交办单位": overdue["handler"].fillna(""),
            "发现日期": [day(v) for v in overdue["found_on"]],
            "子类": overdue["subcategory"].fillna(""),
            "挂点县领导": overdue["leader_name"],
        }
    )


# ---- 网格档案 ------------------------------------------------------------------------------

MAP_SCORES = """
SELECT g.grid_code, g.grid_name, g.big_grid, g.leader_name, g.lead_unit, g.sort_order,
    r.total, r.rank, r.n_ranked, r.bottom_three, coalesce(r.missing, true) AS missing,
    coalesce(r.top_three, false) AS top_three
FROM grid g
LEFT JOIN (SELECT * FROM monthly_ranking WHERE area = $area AND month = $month) r
    ON r.grid_code = g.grid_code
WHERE g.area = $area
ORDER BY g.sort_order, g.grid_code
"""


def map_scores(con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike | None) -> pd.DataFrame:
    """Every registry grid with its total and rank in the month (NaN when missing or when
    no month is chosen), for the schematic map."""
    m = queries.month_start(month) if month is not None else None
    return con.execute(MAP_SCORES, {"area": area, "month": m}).df()


def screen_text(frame: pd.DataFrame, formats: dict[str, str]) -> pd.DataFrame:
    """The frame with the given columns as text ('{:.2f}'-style formats), '—' for a missing
    value. For the screen only (downloads keep numbers): st.dataframe writes a missing number
    as the English 'None' and has no setting to change that."""
    out = frame.copy()
    for column, fmt in formats.items():
        if column in out.columns:
            out[column] = [
                "—" if v is None or pd.isna(v) else fmt.format(v)  # type: ignore[arg-type]
                for v in out[column].tolist()
            ]
    return out


def history_display(frame: pd.DataFrame) -> pd.DataFrame:
    """store.history() as the upload page shows it: Chinese headers, kinds and periods in words,
    the revert folded into 状态 ('已撤销（2019-04-02 10:15 张三）') so nothing reads 'None'."""
    from etl.load.kinds import KIND_LABELS
    from etl.load.store import periods_text

    def status(r: dict) -> str:
        if r["status"] != "reverted":
            return "有效"
        when = (
            f"{r['reverted_at']:%Y-%m-%d %H:%M}"
            if r["reverted_at"] is not None and not pd.isna(r["reverted_at"])
            else ""
        )
        return f"已撤销（{when} {r['reverted_by'] or ''}）".replace(" ）", "）")

    records = frame.to_dict("records")
    return pd.DataFrame({
        "批次": frame["batch_id"],
        "导入时间": frame["loaded_at"],
        "导入人": frame["loaded_by"],
        "文件名": frame["file_name"],
        "类型": ["、".join(KIND_LABELS.get(x, x) for x in str(r["kind"]).split(",")) for r in records],
        "期间": [periods_text(list(r["periods"]) if r["periods"] is not None else []) for r in records],
        "行数": frame["row_count"],
        "状态": [status(r) for r in records],
    })  # fmt: skip
