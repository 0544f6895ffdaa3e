"""What the pages show besides their tables, built from the read functions' frames: counts,
row kinds for colouring, and the sentences that name grids (escaped for st.markdown with
etl.safetext.md, or for HTML with html_text). The pages only lay these out (no pandas there)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from etl.output import export, tables
from etl.rules.headline import MonthFigures
from etl.rules.lamps import LampTargets, shortfall_text
from etl.rules.notices import NoticeFigures
from etl.safetext import html_text, md

# ---- 月度排名 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankingView:
    """rankings.month_ranking as the ranking page shows it."""

    categories: list[str]  # rubric order
    shown: pd.DataFrame  # export.ranking_display: as shown and downloaded
    n_ranked: int
    n_missing: int
    n_bottom: int  # ties can make it more than three
    flags: list[bool]  # bottom three or missing: the red rows of the download
    kinds: list[str]  # per row: "missing", "bottom", "top" or "" (the screen's colours)
    bottom_line: str = ""  # names the bottom grids above the table (plain text)


def ranking_view(table: pd.DataFrame, category_scores: pd.DataFrame) -> RankingView:
    """The month's ranking (rankings.month_ranking) with its category scores
    (rankings.month_category_scores, for the category columns in rubric order)."""
    categories = list(dict.fromkeys(category_scores["category"])) if not category_scores.empty else []
    missing = table["missing"].astype(bool).tolist()
    bottom = table["bottom_three"].astype(bool).tolist()
    top = table["top_three"].astype(bool).tolist()
    n_ranked = missing.count(False)
    kinds = [
        "missing" if m else "bottom" if b else "top" if t else ""
        for m, b, t in zip(missing, bottom, top, strict=True)
    ]
    return RankingView(
        categories=categories,
        shown=export.ranking_display(table, categories),
        n_ranked=n_ranked,
        n_missing=len(table) - n_ranked,
        n_bottom=bottom.count(True),
        flags=[b or m for b, m in zip(bottom, missing, strict=True)],
        kinds=kinds,
        bottom_line=bottom_line(table),
    )


def bottom_line(table: pd.DataFrame) -> str:
    """'末位三名：第26名 18 城东社区 76.5分；…' (tables.grid_label) (or '末位（含并列）共4个网格：' with ties), each
    grid in the bottom three two or more times in a row with its count; '' without any."""
    rows = table[table["bottom_three"].astype(bool)].sort_values("rank")
    if rows.empty:
        return ""
    named = [
        f"第{int(r.rank)}名 {tables.grid_label(r.grid_code, r.grid_name)} {r.total:.1f}分"
        + (f"（连续{int(r.streak)}次）" if pd.notna(r.streak) and int(r.streak) >= 2 else "")
        for r in rows.itertuples()
    ]
    return f"{tables.ties_heading(len(named)) or '末位三名'}：" + "；".join(named)


# ---- 总览 ----------------------------------------------------------------------------------


def streak_banners(warnings: pd.DataFrame) -> list[str]:
    """rankings.streak_warnings as the overview's red banners (HTML, every value escaped)."""
    return [
        f'<div class="grid-banner-red">⚠ {html_text(w.grid_code)} {html_text(w.grid_name)}：'
        f"连续 {w.streak} 次末位（挂点县领导 {html_text(w.leader_name)}），须向县主要领导作书面说明</div>"
        for w in warnings.itertuples()
    ]


def future_report_names(future: pd.DataFrame) -> str:
    """reporting.future_reports as '07 华园路（3月30日）、…' (escaped for st.warning)."""
    return "、".join(
        f"{c} {n}（{d.month}月{d.day}日）"
        for c, n, d in zip(future["grid_code"], future["grid_name"], future["submitted_on"], strict=True)
    )


# ---- 年度考评 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnualView:
    """assessment.annual_table and annual_summary in the figures the annual page shows."""

    n_grids: int
    n_done: int  # complete: ranked and tiered
    n_final: int  # with their year-end score
    waiting: int  # monthly scores but no year-end score yet: the year is in progress
    over_quota: int  # tiers with more grids than places
    failing: int  # 不达标
    total_yuan: int

    @property
    def in_progress(self) -> bool:
        return self.waiting > 0


def annual_view(table: pd.DataFrame, summary: pd.DataFrame) -> AnnualView:
    waiting = table["year_end"].isna() & (table["n_months"] > 0)
    return AnnualView(
        n_grids=len(table),
        n_done=int((~table["incomplete"].astype(bool)).sum()),
        n_final=int(table["year_end"].notna().sum()),
        waiting=int(waiting.sum()),
        over_quota=int(summary["over_quota"].astype(bool).sum()),
        failing=int(summary.loc[summary["tier"] == "不达标", "grids"].sum()),
        total_yuan=int(summary["total_yuan"].sum()),
    )


def quota_conflicts(table: pd.DataFrame, summary: pd.DataFrame) -> list[str]:
    """One sentence (markdown) per tier over its quota, naming its grids, for the committee."""
    out = []
    for r in summary[summary["over_quota"]].itertuples():
        members = table[(table["tier"] == r.tier)]
        names = "、".join(
            f"{md(m.grid_code)} {md(m.grid_name)}（第{m.rank}名，{m.composite:.2f}分）"
            for m in members.itertuples()
        )
        out.append(
            f"名额冲突：{r.tier}名额 {int(r.quota)} 个，因综合得分并列有 {int(r.grids)} 个网格进入：{names}。"
            "请考评委员会研究确定，系统不自动取舍。"
        )
    return out


def incomplete_grids(table: pd.DataFrame, max_named: int) -> str | None:
    """The grids not yet assessed and why (markdown), the first `max_named` named; None if none."""
    incomplete = table[table["incomplete"].astype(bool)]
    if not len(incomplete):
        return None
    parts = [
        f"{md(r.grid_code)} {md(r.grid_name)}（{tables.annual_note(r._asdict()).removeprefix('未完成：')}）"
        for r in incomplete.head(max_named).itertuples()
    ]
    more = f"等 {len(incomplete)} 个网格（见下表）" if len(incomplete) > max_named else ""
    return f"未完成考评 {len(incomplete)} 个网格，暂不排名、不定等次：" + "、".join(parts) + more


def tier_changes(table: pd.DataFrame, test: pd.DataFrame) -> list[str]:
    """Grids whose tier the what-if (assessment.annual_what_if) changes, as markdown:
    '07 华园路：二类 → **一类**'."""
    official = dict(zip(table["grid_code"], table["tier"].astype(object), strict=True))
    return [
        f"{md(r.grid_code)} {md(r.grid_name)}：{official.get(r.grid_code) or '未完成'} → **{r.tier}**"
        for r in test.itertuples()
        if isinstance(r.tier, str) and official.get(r.grid_code) != r.tier
    ]


def total_yuan(summary: pd.DataFrame) -> int:
    """The money of an annual summary (every tier's total)."""
    return int(summary["total_yuan"].sum())


# ---- 问题台账 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemTotals:
    found: int
    rectified: int
    rectified_on_time: int
    overdue: int


def problem_totals(figures: pd.DataFrame) -> ProblemTotals:
    """findings.problem_figures summed over the grids."""
    return ProblemTotals(
        found=int(figures["found"].sum()),
        rectified=int(figures["rectified"].sum()),
        rectified_on_time=int(figures["rectified_on_time"].sum()),
        overdue=int(figures["overdue"].sum()),
    )


# ---- 网格档案 ------------------------------------------------------------------------------


def block_counts(blocks: pd.DataFrame) -> str:
    """'西片 14 个、东片 14 个' from gridmap.layout_cells(...).blocks (unnamed blocks left out)."""
    return "、".join(f"{b.block} {b.n_grids} 个" for b in blocks.itertuples() if b.block)


def scored_count(scores: pd.DataFrame) -> int:
    """Grids with a total in registry.map_scores."""
    return int(scores["total"].notna().sum())


# ---- 路灯 ----------------------------------------------------------------------------------


def checked_months(trend: pd.DataFrame) -> list[date]:
    """The months of lamps.lamp_trend (months with a lamp check), oldest first."""
    return [pd.Timestamp(m).date() for m in trend["month"]]


def below_target_lines(below: pd.DataFrame, targets: LampTargets) -> list[str]:
    """lamps.below_target as a numbered markdown list, each grid with its leader and why."""
    return [
        f"{i}. **{md(r['grid_code'])} {md(r['grid_name'])}**（{md(r['leader_name'])}）：{shortfall_text(r, targets)}"
        for i, r in enumerate(below.to_dict("records"), start=1)
    ]


# ---- 信息报送 ------------------------------------------------------------------------------


def report_deadline(missing: pd.DataFrame) -> date | None:
    """The month's deadline as reporting.missing_reports carries it (None when none is missing)."""
    return missing["deadline"].iloc[0] if len(missing) else None


# ---- 网格趋势 ------------------------------------------------------------------------------


def default_grids(ranking: pd.DataFrame) -> list[str]:
    """The month's rank-1 grid and its last-ranked grid (rankings.month_ranking order)."""
    ranked = ranking[~ranking["missing"].astype(bool)]
    if ranked.empty:
        return list(ranking["grid_code"].head(1))
    top = ranked.iloc[0]["grid_code"]
    bottom = ranked.iloc[-1]["grid_code"]
    return list(dict.fromkeys([top, bottom]))


def grid_labels(reg: pd.DataFrame) -> dict[str, str]:
    """registry.registry as {'07': '07 华园路网格'}, registry order."""
    return {c: f"{c} {n}" for c, n in zip(reg["grid_code"], reg["grid_name"], strict=True)}


def unscored_grids(comparison: pd.DataFrame, labels: dict[str, str]) -> list[str]:
    """The chosen grids without category scores in trends.category_comparison (missing that
    month), sorted by label."""
    return sorted({labels[c] for c in comparison.loc[comparison["ratio"].isna(), "grid_code"]})


def ever_bottom(streaks: pd.DataFrame) -> bool:
    """Did any grid of tables.streak_summary enter the bottom three?"""
    return int(streaks["进入末位三名"].sum()) > 0


def streak_alerts(streaks: pd.DataFrame, label: str) -> list[str]:
    """One warning (plain text) per grid of tables.streak_summary in the bottom three at 3 or
    more consecutive checks up to the month `label`."""
    return [
        f"⚠ {r.网格}：截至{label}连续 {r.当前连续} 次末位，挂点县领导须向县主要领导作书面说明"
        for r in streaks.itertuples()
        if r.当前连续 >= 3
    ]


def any_ranked(ranks: pd.DataFrame) -> bool:
    """Does trends.rank_history hold any rank?"""
    return bool(ranks["rank"].notna().any())


def report_card(fig: MonthFigures) -> tuple[str, str, str]:
    """总览's 信息报送 card: (value, note, colour). Before the deadline: how many reported and the
    days left; after it, the late and missing grids counted (the value alone, 28 / 28, would hide
    five late reports). A report dated after today is suspect and said first."""
    value, due = f"{fig.reported} / {fig.n_grids}", f"{fig.deadline.month}月{fig.deadline.day}日"
    if fig.future_dated:
        return value, f"另有 {fig.future_dated} 个报送日期晚于今天，待核实", "red"
    if fig.days_to_deadline >= 0:
        return value, f"距{due}截止还有 {fig.days_to_deadline} 天", "off"
    late = fig.reported - fig.on_time
    parts = [f"逾期 {late} 个"] * bool(late) + [f"未报送 {fig.not_reported} 个"] * bool(fig.not_reported)
    if not parts:
        return value, f"{due}截止，全部按时", "green"
    return value, f"{due}截止：" + "，".join(parts), "red"


def notice_card(figures: NoticeFigures, pending: int) -> tuple[str, str, str]:
    """总览's 整改通知 card: (value, note, colour). The value counts issued notices (未办结 /
    逾期); the note puts the overdue ones first, then this month's notices the rules call for that
    are not issued yet (0 / 0 alone would read as nothing to do)."""
    value = f"{figures.open} / {figures.overdue}"
    if figures.overdue:
        return value, f"{figures.overdue} 份逾期未回复", "red"
    if pending:
        return value, f"本月待下发 {pending} 份", "orange"
    return value, "无逾期" if figures.issued else "尚未下发", "off"
