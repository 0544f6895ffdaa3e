"""Tables as the pages show and download them: Chinese headers, texts and formatting of the
read functions' frames (etl/rules/), and the ranking card list for phones. No SQL here."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from etl.load.kinds import KIND_LABELS
from etl.load.store import periods_text
from etl.output.export import rank_change_text
from etl.rules.calendar import MonthLike, month_start
from etl.safetext import html_text as escape


def ties_heading(n_bottom: int) -> str | None:
    """'末位（含并列）共5个网格' when ties put more than three grids in the bottom three (DOMAIN §4:
    ties are never broken), else None: the caller says 末位三名 its own way."""
    return f"末位（含并列）共{n_bottom}个网格" if n_bottom > 3 else None


def grid_label(code: object, name: object) -> str:
    """'07 华园路' : the code and the name without the trailing 网格, for axes and cells."""
    short = str(name or "")
    if short.endswith("网格") and len(short) > 2:
        short = short[:-2]
    return f"{code} {short}".strip()


def ranking_cards_html(table: pd.DataFrame, *, leader: bool = False) -> str:
    """Rows of rankings.month_ranking as a card list for a phone (and the overview's podium):
    rank and movement, grid, total, status; bottom three red, front three green, 缺检 grey.
    Every value is escaped: the result is safe to hand to st.html."""

    cards = []
    for r in table.to_dict("records"):
        missing = bool(r["missing"])
        bottom = bool(r["bottom_three"]) and not missing
        ranked = not missing and r["rank"] is not None and not pd.isna(r["rank"])
        top = ranked and (bool(r["top_three"]) if "top_three" in r else r["rank"] <= 3)  # the view's flag
        kind = "missing" if missing else "bottom" if bottom else "top" if top else "plain"
        change = rank_change_text(r.get("rank_change"), r.get("prev_rank"), missing)
        status = str(r["status_text"])  # the view's 状态 (monthly_ranking.status_text)
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


def streak_summary(totals: pd.DataFrame, month: MonthLike | None = None) -> pd.DataFrame:
    """Per grid of a grid_history totals frame: checks, times in the bottom three, longest
    streak, streak at `month` (DOMAIN §4) and the months in the bottom three, as shown."""
    rows = []
    m = month_start(month) if month is not None else None
    for code, part in totals.groupby("grid_code", sort=False):
        bottom = part[part["bottom_three"].astype(bool)]
        now = part[[month_start(x) == m for x in part["month"]]] if m else part.iloc[0:0]
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


def annual_row_kind(row: dict[str, object]) -> str:
    """How a row of annual_display is marked (the table's colours and the phone cards):
    'conflict' (名额冲突, for the committee), 'missing' (未完成), 'bottom' (不达标), 'top'
    (一类 to 三类) or 'plain' (达标)."""
    note, tier = str(row["备注"]), row["等次"]
    if note.startswith("名额冲突"):
        return "conflict"
    if note.startswith("未完成"):
        return "missing"
    if tier == "不达标":
        return "bottom"
    return "top" if tier in ("一类", "二类", "三类") else "plain"


def annual_cards_html(shown: pd.DataFrame) -> str:
    """annual_display rows as a card list for a phone, where the table's reward and note
    columns would be off the screen: rank, grid, composite; tier and reward, the note, the
    leader. Every value is escaped: the result is safe to hand to st.html."""
    cards = []
    for r in shown.to_dict("records"):
        kind = annual_row_kind(r)
        rank = "—" if pd.isna(r["排名"]) else str(int(r["排名"]))
        score = (
            "—"
            if r["综合得分"] is None or pd.isna(r["综合得分"])
            else f"{float(r['综合得分']):.2f}<small>分</small>"
        )
        reward = r["奖励（元）"]
        head = str(r["等次"])
        if reward is not None and not pd.isna(reward) and int(reward) > 0:
            head += f" · 奖励 {int(reward):,} 元"
        sub = [escape(head)]
        if r["备注"]:
            sub.append(f"<em>{escape(str(r['备注']))}</em>")
        if r["挂点县领导"]:
            sub.append(f'<span class="rc-who">挂点县领导 {escape(str(r["挂点县领导"]))}</span>')
        cards.append(
            f'<div class="rc rc-{kind}"><span class="rc-rank">{rank}</span>'
            f'<span class="rc-grid"><b>{escape(str(r["网格"]))}</b><span class="rc-sub">{" ".join(sub)}</span></span>'
            f'<span class="rc-total">{score}</span></div>'
        )
    return '<div class="rank-cards">' + "".join(cards) + "</div>"


def provisional_display(prov: pd.DataFrame, pending_only: bool = False) -> pd.DataFrame:
    """assessment.provisional_standing as shown: what each grid needs at the year-end check;
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


def volunteer_display(wide: pd.DataFrame) -> pd.DataFrame:
    """Year totals per grid from volunteering.volunteer_matrix, Chinese headers."""
    if wide.empty or "total_activities" not in wide.columns:
        return pd.DataFrame(columns=["网格", "未开展活动月数", "活动次数", "参与人次", "服务时长（小时）"])
    # The warning column next to the name: on a phone the last columns are off the screen.
    return pd.DataFrame(
        {
            "网格": [grid_label(c, n) for c, n in zip(wide["grid_code"], wide["grid_name"], strict=True)],
            "未开展活动月数": wide["months_short"].astype("int64"),
            "活动次数": wide["total_activities"].astype("int64"),
            "参与人次": wide["total_participants"].astype("int64"),
            "服务时长（小时）": wide["total_hours"].astype(float),
        }
    )


def chase_list(missing: pd.DataFrame) -> pd.DataFrame:
    """reporting.missing_reports as the 催报名单 shown and downloaded, contact first; also any
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
    """Per grid of reporting.report_matrix: counts of each status in the year."""
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


SMALL_SAMPLE = 5  # rates from fewer problems than this are marked 样本少


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
    rates with the count beside every rate; the overdue count, what a leader chases, next to
    the name (a phone shows the first three columns)."""
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
            "逾期未整改": figures["overdue"].astype("int64"),
            "整改率": [rate_text(k, n) for k, n in zip(figures["rectified"], figures["found"], strict=True)],
            "按时整改率": [rate_text(k, n) for k, n in on_time],
            "发现": figures["found"].astype("int64"),
            "已整改": figures["rectified"].astype("int64"),
            "整改中": figures["open"].astype("int64"),
            **tail,
        }
    )


def overdue_display(overdue: pd.DataFrame) -> pd.DataFrame:
    """findings.overdue_problems as shown and downloaded: what a phone shows first comes first."""

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
