"""Deterministic sample data: the spreadsheets a county "两创" office would send.

`python tools/samplegen.py` (a development tool, not shipped in etl/) rewrites `data/sample/`;
`write_sample_files()` writes them anywhere. People, phones and places are fictional; every section draws from its own seeded
`random.Random`, so each run writes the same data. The files come in the shapes DATA_CONTRACT §1
lists (see SHAPES): title rows, a merged two-row header, 合计/平均分/制表人 footers, a legacy
`.xls`, a GBK CSV naming grids by their leader, full-width digits, a deduction sheet, an
Excel-date month, a town sheet holding six months and a workbook holding two kinds.

Stories in the county seat (县城); `_check_stories` asserts the planned ones on every run
(those marked "by chance" follow from the seed and are not asserted):

- Climber 17 建设南路东网格: ranks 19-24 (bottom third) every month of 2018, then rising
  through 2019 (17th in Jan, 10th in Apr, 5th in Sep) to 3rd in Oct, 2nd in Nov, 1st in Dec.
- Slider 05 中山路网格: ranks 1-3 every month of 2018 (2018 annual rank 1, 一类), then falling
  through 2019 (8th in Jan, 18th in Jun) into the bottom three in Oct, Nov and Dec 2019
  (streak 3 in Dec). A year-end score of 25 puts its 2019 composite at 59.00, under the pass
  mark of 60: 不达标.
- Streak 24 东门路网格: bottom three in Nov 2018, Dec 2018, Jan 2019 and Feb 2019 (ranks 26,
  27, 28, 26: streak 3 in Jan and 4 in Feb 2019, across the new year); 14th in Oct 2018 and
  16th in Mar 2019. It held no volunteer activity in Nov and Dec 2018 and sent no work report
  for Dec 2018 and Jan 2019. By chance 15 建设北路东网格 also reaches streak 4 in Dec 2018 and
  02 建设中路西网格 streak 3 in Jul 2019.
- 缺检: 22 新城区南片网格 is missing from the June 2019 sheet (27 grids ranked).
- Ties: two grids share 1st place in June 2018 (and by chance in Sep 2019); in March 2019 the
  3rd- and 4th-lowest totals tie, so four grids are in the bottom three (five in Dec 2018).
- Annual: 09 沿江西路网格 has no 2018 year-end score (incomplete, not ranked). In 2019, 03
  建设南路西网格 and 12 岭头村网格 have the same composite (87.95) at rank 6, so 二类 holds five
  grids (over quota). Composite = round(0.6 × monthly average + 0.4 × year-end, 2); every
  2019 monthly sum is a whole number, so no composite is a rounding coin toss.
- Volunteer: 02 建设中路西网格 often holds none in a month (11 of 21 months). Reports: 26
  河口村网格 is often late (after the 25th); 08 and 19 sometimes send a second report.
- 官渡镇 (5 grids, codes 官渡1-官渡5) has monthly checks Jan-Jun 2019 only, in one sheet with
  a 月份 column; it has no reports, volunteer records or problems (so its meetings show as
  未统计), and lamp checks for the same months.
- Street lamps (DOMAIN §10), night checks of every month of 2019 in the lamp files 90-95 (one
  sheet holding six months, a titled office sheet, a legacy .xls, a GBK CSV by leader names, a
  town sheet). An installation campaign brings the county seat's 装灯率 up through the year;
  23 环城社区网格 has no lamps installed until April (亮灯率 none, worst first); in July
  08 lights exactly 95 % (meets) and 12 lights 1999 of 2105 (94.96 %, shows 95.0 %, does not
  meet); 19 is not checked in July. Work reports carry 图片数, 例会次数 and 巡查次数.
"""

from __future__ import annotations

import csv
import io
import random
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import mean

import openpyxl
import xlwt
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import tostring

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from etl.rules import rulesql  # noqa: E402

SEED = 20180401
FIXED_TIME = datetime(2020, 1, 6, 9, 0, 0)  # document and zip-entry times of the files


def _words(text: str) -> list[str]:
    return text.split()


def _table(text: str) -> list[list[str]]:
    """Rows of a literal table written one row a line, cells separated by |."""
    return [line.split("|") for line in text.strip().splitlines()]


# (code, category, maximum): the default rubric of DOMAIN.md §2.
ITEMS: list[tuple[str, str, float]] = [
    (code, cat, float(mx))
    for code, cat, mx in _table("""
A1|公益宣传|10
A2|环境卫生|20
A3|基础设施|15
A4|公共秩序|15
A5|行业管理|10
A6|居民自治|5
A7|志愿服务|10
A8|其他任务|5
A9|工作机制|10
""")
]
MAXES = [mx for _, _, mx in ITEMS]
MONTHS = [(2018, m) for m in range(4, 13)] + [(2019, m) for m in range(1, 13)]  # 2018-04..2019-12
TOWN_MONTHS: list[tuple[int, int]] = [(2019, m) for m in range(1, 7)]

CLIMBER, SLIDER, STREAK, NEVER_VOLUNTEERS, OFTEN_LATE = "17", "05", "24", "02", "26"
DOUBLE_SENDERS = ("08", "19")
MISSING = ("22", "2019-06")  # (grid, month) not checked
NO_YEAR_END_2018 = "09"
TIE_PAIR = ("03", "12")  # equal 2019 composite at rank TIE_RANK
TIE_RANK = 6
# Wanted monthly rank, month by month from 2018-04.
SLIDER_RANKS = [2, 1, 3, 2, 1, 3, 2, 3, 3, 8, 10, 12, 14, 16, 18, 20, 22, 24, 27, 26, 28]
CLIMBER_RANKS = [23, 24, 22, 23, 21, 22, 21, 22, 20, 17, 15, 14, 12, 11, 9, 8, 6, 5, 3, 2, 1]
STREAK_RANKS = {"2018-10": 15, "2018-11": 26, "2018-12": 27, "2019-01": 28, "2019-02": 26}
STREAK_RANKS["2019-03"] = 16  # mid-table before and after the run
LOWEST, HIGHEST = 68, 98  # range of a county monthly total
# How each month's score sheet arrives: its shape and how it names the grids (grid_ref).
SHAPES = {
    "2018-04": ("clean", "code"), "2018-05": ("titled", "name"), "2018-06": ("titled", "第N"),
    "2018-07": ("csv", "leader"), "2018-08": ("titled", "第N"), "2018-09": ("clean", "code"),
    "2018-10": ("titled", "第cn"), "2018-11": ("xls", "N号"), "2018-12": ("titled", "name"),
    "2019-01": ("titled", "第N"), "2019-02": ("deduction", "G"), "2019-03": ("clean", "code"),
    "2019-04": ("titled", "name"), "2019-05": ("titled", "第cn"), "2019-06": ("clean", "code"),
    "2019-07": ("titled", "name"), "2019-08": ("titled", "第N"), "2019-09": ("clean", "code"),
    "2019-10": ("titled", "第N"), "2019-11": ("titled", "name"), "2019-12": ("titled", "第cn"),
}  # fmt: skip
EXCEL_DATE_MONTH = "2019-06"  # its 月份 column holds an Excel date


# code | name | scope | places used in problem and volunteer records
COUNTY = _table("""
01|建设北路西|建设路以西，北门桥至人民路段|建设北路 北门桥 北门市场
02|建设中路西|建设路以西，人民路至和平路段|建设中路 县人民医院 百货大楼
03|建设南路西|建设路以西，和平路至南门桥段|建设南路 南门桥 客运站
04|人民路|人民路两侧及翁城小区|人民路 翁城小区 人民广场
05|中山路|中山路、解放路一带|中山路 解放路 中山市场
06|和平路|和平路、文化路一带|和平路 文化路 县图书馆
07|城北社区|城北社区辖区（北园小区、城北小学周边）|城北社区 北园小区 城北小学
08|城西社区|城西社区辖区（西湖公园、城西农贸市场周边）|城西社区 西湖公园 城西农贸市场
09|沿江西路|沿江西路及翁江西岸|沿江西路 滨江公园 翁江西堤
10|车站路|车站路及汽车站、物流园周边|车站路 汽车站 物流园
11|陂下村|龙仙镇陂下村|陂下村 陂下小学 陂下村委会
12|岭头村|龙仙镇岭头村|岭头村 岭头工业区 岭头村委会
13|联群村|龙仙镇联群村|联群村 联群市场 联群村委会
14|翁城大道西|新城区翁城大道以西|翁城大道 县体育馆 翁城大道西侧商铺
15|建设北路东|建设路以东，北门桥至人民路段|建设北路 东风商场 县邮政局
16|建设中路东|建设路以东，人民路至和平路段|建设中路 县电影院 中心市场
17|建设南路东|建设路以东，和平路至南门桥段|建设南路 南门广场 县中医院
18|城东社区|城东社区辖区（东湖小区、城东小学周边）|城东社区 东湖小区 城东小学
19|城南社区|城南社区辖区（南苑小区、城南市场周边）|城南社区 南苑小区 城南市场
20|新城区北片|新城区北片（华园路以北）|华园路 新城小学 新城商业街
21|新城区中片|新城区中片（县政府、行政服务中心周边）|县行政服务中心 文化广场 新城花园
22|新城区南片|新城区南片（南环路、翁源中学周边）|南环路 翁源中学 城南花园
23|朝阳路|朝阳路及朝阳市场周边|朝阳路 朝阳市场 朝阳小区
24|东门路|东门路、老街一带|东门路 东门农贸市场 老街
25|罗坑水村|龙仙镇罗坑水村|罗坑水村 罗坑水桥 罗坑水村委会
26|河口村|龙仙镇河口村|河口村 河口码头 河口村委会
27|长潭村|龙仙镇长潭村|长潭村 长潭小学 长潭村委会
28|沿江东路|沿江东路及翁江东岸|沿江东路 翁江大桥 沿江绿道
""")
TOWN = _table("""
官渡1|圩镇东片|官渡圩镇东片|官渡大街 官渡卫生院 镇政府
官渡2|圩镇西片|官渡圩镇西片|官渡西街 官渡中学 官渡小学
官渡3|官渡墟场|官渡墟场及周边|官渡墟场 墟场停车场 官渡车站
官渡4|新江片|新江村、下坪村|新江村 新江桥 下坪村
官渡5|上坪片|上坪村、石角村|上坪村 石角村 上坪小学
""")
# The 28 hanging leaders: the county's four leadership bodies except 县委书记 and 县长.
TITLES = (
    ["县委副书记"]
    + [f"县委常委、{t}" for t in _words("常务副县长 组织部部长 宣传部部长 纪委书记")]
    + [f"县委常委、{t}" for t in _words("政法委书记 统战部部长 县委办主任 副县长")]
    + ["副县长、县公安局局长"]
    + ["副县长"] * 6
    + ["县人大常委会主任"]
    + ["县人大常委会副主任"] * 5
    + ["县政协主席"]
    + ["县政协副主席"] * 5
)
UNITS = _words("""
县住建局 县城管局 县公安局 县市场监管局 县教育局 县卫健局 县交通运输局 县自然资源局
县生态环境分局 县文广旅体局 县民政局 县人社局 县财政局 县发改局 县水务局 县农业农村局
县供电局 县税务局 县商务局 县司法局 县应急管理局 县退役军人事务局 县医保局 县统计局
县审计局 县信访局 县林业局 县供销社
""")
HELPERS = _words("县总工会 团县委 县妇联 县残联 县交警大队 县城管执法大队 县惜福环卫公司")
SURNAMES = "陈李黄张刘林何罗梁郑谢邓曾朱吴叶赖钟温邱廖潘丘彭周徐袁杨胡巫"
GIVEN = _words("""
建华 志强 国栋 文辉 永红 秀英 丽萍 海燕 伟明 振东 少华 锦荣 玉兰 红梅 晓东 雪梅 卫国 春生
德明 桂英 小平 志明 建平 美玲 国强 惠珍 耀明 宏伟 家豪 淑芬 惠玲 金华 子强 健辉 月娥 瑞芳
晓霞 思敏 伟强 永安 冬梅 兆丰 运来 秋菊
""")
ACTIVITIES = _words("""
清洁家园 文明交通劝导 敬老爱老 垃圾分类宣传 创文知识宣传 清理“牛皮癣” 关爱留守儿童 义诊进社区
河道清漂 禁毒宣传 扫黑除恶宣传 消防安全宣传 文明餐桌宣传 防溺水宣传 健康教育进社区 门前三包劝导
""")
# category | weight | handling department | sub-types
PROBLEMS = {
    cat: (int(weight), dept, _words(subs))
    for cat, weight, dept, subs in _table("""
公益宣传|8|县文明办|公益广告缺失 公益广告破损褪色 宣传栏内容未更新
环境卫生|26|县惜福环卫公司|积存垃圾 牛皮癣小广告 污水积存 卫生死角
基础设施|16|县住建局|路面破损 路灯不亮 井盖缺失 绿化带缺损 公厕设施损坏
公共秩序|28|县城管执法大队|乱摆乱卖 乱停乱放 乱搭乱建 乱扔乱倒 乱牵乱挂 乱涂乱写 门前三包不落实
行业管理|12|县市场监管局|证照未公示 餐饮店卫生不达标 “三小”场所管理不规范
居民自治|3|龙仙镇政府|未成立业主委员会 楼长未落实
志愿服务|3|团县委|志愿服务站无人值守 注册志愿者人数不足
其他任务|2|县“两创”办|专项整治任务未完成
工作机制|2|县“两创”办|周例会记录缺失 巡查记录不全
""")
}
DEPARTMENT_BY_SUBTYPE = {"乱停乱放": "县交警大队", "路灯不亮": "县城管局", "餐饮店卫生不达标": "县卫健局"}

Cell = str | float | int | date | None
Totals = dict[str, dict[str, float]]  # month key "2018-04" -> grid code -> total
Scores = dict[str, list[float]]  # grid code -> nine item scores
Plan = dict[tuple[str, str], list[date]]  # (grid, month) -> report submission dates


@dataclass(frozen=True)
class Grid:
    area: str
    code: str
    name: str
    big: str
    leader: str
    title: str
    lead_unit: str
    units: tuple[str, ...]
    scope: str
    places: tuple[str, ...]
    contact: str
    phone: str


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    date_format: str = "yyyy-mm-dd"
    title_rows: int = 0


def mkey(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def half(x: float) -> float:
    """Round to the nearest multiple of 0.5."""
    return round(x * 2) / 2


def cn_numeral(n: int) -> str:
    """1..99 in Chinese numerals: 7 → 七, 12 → 十二, 28 → 二十八."""
    d = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else d[tens] + "十")
    return head + (d[ones] if ones or not head else "")


def build_grids() -> list[Grid]:
    """The registry: 28 county-seat grids (01-14 西片, 15-28 东片) and 5 grids of 官渡镇."""
    rng = random.Random(f"{SEED}-grids")
    names: set[str] = set()

    def person() -> str:
        while True:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            if name not in names:
                names.add(name)
                return name

    def phone() -> str:
        prefix = rng.choice(_words("135 137 138 139 150 159 183 188 189"))
        return prefix + "".join(rng.choice("0123456789") for _ in range(8))

    lead_units = rng.sample(UNITS, len(UNITS))
    town_titles = _words("镇党委副书记 镇人大主席 副镇长 镇党委委员 镇党委委员、武装部部长")
    grids: list[Grid] = []
    for i, (code, name, scope, places) in enumerate(COUNTY + TOWN):
        if i < len(COUNTY):
            area, big, title, lead = "县城", "西片" if i < 14 else "东片", TITLES[i], lead_units[i]
            units = rng.sample([u for u in UNITS + HELPERS if u != lead], rng.randint(2, 4))
            if name.endswith("村"):
                units = ["龙仙镇政府", *units[:3]]
        else:
            area, big, title, lead = "官渡镇", "", town_titles[i - len(COUNTY)], "官渡镇政府"
            units = ["官渡派出所", "官渡卫生院", rng.choice(_words("官渡中学 官渡供电所 官渡市场监管所"))]
        leader, contact, spots = person(), person(), tuple(places.split())
        grids.append(
            Grid(area, code, f"{name}网格", big, leader, title, lead, tuple(units), scope, spots,
                 contact, phone())
        )  # fmt: skip
    return grids


# ---------------------------------------------------------------- monthly totals and stories


def competition_ranks(totals: dict[str, float]) -> dict[str, int]:
    """Rank 1 = best, ties share the best rank (1, 2, 2, 4): asked of the SQL rule (DOMAIN §4)."""
    return rulesql.competition_ranks(totals)  # type: ignore[return-value]


def bottom_three(totals: dict[str, float]) -> set[str]:
    """Grids with fewer than three strictly lower totals (ties at the edge all included): asked
    of the SQL rule (DOMAIN §4)."""
    return rulesql.bottom_three(totals)  # type: ignore[return-value]


def _place(month: dict[str, float], code: str, rank: int) -> None:
    """Give `code` the total that ranks it closest to `rank`, untied if the others allow."""
    others = sorted((v for c, v in month.items() if c != code), reverse=True)
    if rank == 1:
        anchor = others[0] + 1.0
    elif rank > len(others):
        anchor = others[-1] - 1.0
    else:
        anchor = (others[rank - 2] + others[rank - 1]) / 2
    values = [x / 2 for x in range(2 * LOWEST, 2 * HIGHEST + 1)]
    month[code] = min(
        values,
        key=lambda v: (abs(1 + sum(o > v for o in others) - rank), v in others, abs(v - anchor)),
    )


def _nudge(month: dict[str, float], code: str, step: float) -> bool:
    """Move one total by `step` (±0.5) if that changes no rank, tie or bottom-three set."""
    new = month[code] + step
    if new in month.values() or list(month.values()).count(month[code]) > 1:
        return False
    if not LOWEST <= new <= HIGHEST:
        return False
    month[code] = new
    return True


def _nudge_2019(totals: Totals, code: str, step: float) -> bool:
    return any(_nudge(m, code, step) for k, m in totals.items() if k[:4] == "2019" and code in m)


def build_totals() -> Totals:
    rng = random.Random(f"{SEED}-totals")
    base = {code: rng.uniform(81, 88) for code, *_ in COUNTY}
    base.update({TIE_PAIR[0]: 90.0, TIE_PAIR[1]: 90.0, STREAK: 79.0})
    trend = {code: rng.gauss(0, 0.1) for code in base}
    totals: Totals = {}
    for i, (y, m) in enumerate(MONTHS):
        totals[mkey(y, m)] = {
            c: half(min(96.5, max(72.0, base[c] + trend[c] * i + rng.gauss(0, 3.0)))) for c in base
        }
    del totals[MISSING[1]][MISSING[0]]
    # The tie pair: b's 2019 totals are a's, one month later, so both sums are equal (and
    # whole, see below); build_year_end gives them equal year-end scores.
    a, b = TIE_PAIR
    months19 = [m for k, m in totals.items() if k[:4] == "2019"]
    months19[0][a] += sum(m[a] for m in months19) % 1
    for i, month in enumerate(months19):
        month[b] = months19[i - 1][a]
    for i, (y, m) in enumerate(MONTHS):
        month = totals[mkey(y, m)]
        wanted = {SLIDER: SLIDER_RANKS[i], CLIMBER: CLIMBER_RANKS[i]}
        if mkey(y, m) in STREAK_RANKS:
            wanted[STREAK] = STREAK_RANKS[mkey(y, m)]
        for _ in range(4):  # placing one story grid moves the others by a place: repeat
            for code, rank in wanted.items():
                _place(month, code, rank)
    # June 2018: the two best share 1st place.
    june = totals["2018-06"]
    first, second = sorted(june, key=june.__getitem__, reverse=True)[:2]
    june[second] = june[first]
    # March 2019: 3rd- and 4th-lowest equal, strictly apart from their neighbours.
    march = totals["2019-03"]
    low = sorted(march, key=march.__getitem__)
    _require(not {*low[:5]} & {*TIE_PAIR, SLIDER, CLIMBER, STREAK}, "2019-03 tie hits a story")
    march[low[3]] = march[low[2]]
    while march[low[1]] >= march[low[2]]:
        march[low[1]] -= 0.5
    while march[low[4]] <= march[low[2]]:
        march[low[4]] += 0.5
    # From here on totals only move where no rank, tie or bottom three changes (_nudge).
    # Whole-number 2019 sums: 0.6 × average (= sum / 20) then never ends in an exact 5, so
    # rounding the composite to 2 decimals is never a coin toss between implementations.
    for code, *_ in COUNTY:
        months = [m for k, m in totals.items() if k[:4] == "2019" and code in m]
        odd = sum(m[code] for m in months) % 1 != 0
        if len(months) == 12 and odd and code not in TIE_PAIR:
            _require(_nudge_2019(totals, code, 0.5) or _nudge_2019(totals, code, -0.5), code)
    return totals


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise RuntimeError(f"sample story broken: {message}")


def streaks(totals: Totals) -> dict[str, dict[str, int]]:
    """Consecutive bottom-three checks ending at each month, per grid (missing ends a run)."""
    run: dict[str, int] = {}
    out: dict[str, dict[str, int]] = {}
    for key, month in totals.items():
        bottom = bottom_three(month)
        run = {c: (run.get(c, 0) + 1 if c in bottom else 0) for c in month}
        out[key] = run
    return out


def composites(totals: Totals, year_end: dict[str, float], year: int) -> dict[str, float]:
    """Composites at the default weights (DOMAIN §5), asked of the SQL rule."""
    return {c: rulesql.composite_score(mean(yearly_scores(totals, c, year)), ye, 0.6, 0.4)
            for c, ye in year_end.items()}  # fmt: skip


def yearly_scores(totals: Totals, code: str, year: int) -> list[float]:
    return [m[code] for k, m in totals.items() if k.startswith(str(year)) and code in m]


def build_year_end(totals: Totals) -> dict[int, dict[str, float]]:
    rng = random.Random(f"{SEED}-year-end")
    result: dict[int, dict[str, float]] = {}
    for year in (2018, 2019):
        avg = {c: mean(yearly_scores(totals, c, year)) for c, *_ in COUNTY}
        ye = {c: half(min(98.0, max(62.0, avg[c] + rng.gauss(0, 4)))) for c in avg}
        result[year] = ye
    del result[2018][NO_YEAR_END_2018]
    ye19 = result[2019]
    ye19[SLIDER] = half((59.0 - 0.6 * mean(yearly_scores(totals, SLIDER, 2019))) / 0.4)
    # Put the tie pair strictly between the 5th and 6th composites of the other grids.
    while True:
        others = {c: v for c, v in composites(totals, ye19, 2019).items() if c not in TIE_PAIR}
        order = sorted(others, key=others.__getitem__, reverse=True)
        hi, lo = others[order[TIE_RANK - 2]], others[order[TIE_RANK - 1]]
        if hi - lo >= 0.6:
            break
        ye19[order[TIE_RANK - 1]] -= 0.5
    a, b = TIE_PAIR
    avg_a = mean(yearly_scores(totals, a, 2019))
    ye19[a] = ye19[b] = half(((hi + lo) / 2 - 0.6 * avg_a) / 0.4)
    return result


def _check_stories(totals: Totals, year_end: dict[int, dict[str, float]]) -> None:
    ranks = {k: competition_ranks(m) for k, m in totals.items()}
    runs = streaks(totals)
    keys = list(totals)
    _require(all(ranks[k][CLIMBER] >= 19 for k in keys[:9]), "climber not bottom third in 2018")
    _require(all(ranks[k][CLIMBER] <= 3 for k in keys[-3:]), "climber not top three late 2019")
    _require(all(ranks[k][SLIDER] <= 5 for k in keys[:9]), "slider not top five in 2018")
    _require(runs["2019-12"][SLIDER] >= 3, "slider has no streak in late 2019")
    _require(runs["2019-02"][STREAK] == 4 and runs["2019-03"][STREAK] == 0, "streak is not 4")
    _require(runs["2018-10"][STREAK] == 0, "streak starts before Nov 2018")
    _require(list(ranks["2018-06"].values()).count(1) == 2, "no tie for 1st in June 2018")
    _require(len(bottom_three(totals["2019-03"])) == 4, "no four-grid bottom three in Mar 2019")
    _require(len(totals[MISSING[1]]) == 27, "missing grid present")
    for month in totals.values():
        _require(all(LOWEST <= v <= HIGHEST for v in month.values()), "total out of range")
    comp = composites(totals, year_end[2019], 2019)
    _require(comp[SLIDER] < 60 and min(v for c, v in comp.items() if c != SLIDER) >= 60, "pass")
    rank19 = competition_ranks(comp)
    _require(all(rank19[c] == TIE_RANK for c in TIE_PAIR), f"tie pair not at {TIE_RANK}")
    _require(sum(r == TIE_RANK for r in rank19.values()) == 2, "tie pair not alone at its rank")


# ---------------------------------------------------------------- item scores


def split_total(total: float, rng: random.Random, weak: tuple[int, ...] = ()) -> list[float]:
    """Nine item scores, multiples of 0.5 within [0, max], summing exactly to `total`."""
    frac = total / 100
    scores = [
        half(mx * min(1.0, max(0.3, frac + rng.gauss(0, 0.07) - (0.3 if i in weak else 0))))
        for i, mx in enumerate(MAXES)
    ]
    diff = total - sum(scores)
    while abs(diff) > 1e-9:
        step = 0.5 if diff > 0 else -0.5
        room = [i for i, mx in enumerate(MAXES) if 0 <= scores[i] + step <= mx]
        room = [i for i in room if step < 0 or i not in weak] or room
        i = rng.choices(room, weights=[MAXES[j] for j in room])[0]
        scores[i] += step
        diff -= step
    return scores


# ---------------------------------------------------------------- activity records


def plan_reports(rng: random.Random) -> Plan:
    """Submission dates per (grid, month): on time by the 25th, some late, a few missing."""
    plan: dict[tuple[str, str], list[date]] = {}
    for y, m in MONTHS:
        last = (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)).day
        for code, *_ in COUNTY:
            if (code == STREAK and mkey(y, m) in ("2018-12", "2019-01")) or rng.random() < 0.025:
                continue
            late = rng.random() < (0.45 if code == OFTEN_LATE else 0.1)
            if not late:
                first = date(y, m, rng.randint(5, 25))
            elif rng.random() < 0.6:
                first = date(y, m, rng.randint(26, last))
            else:
                first = date(y, m, last) + timedelta(days=rng.randint(1, 10))
            dates = [first]
            if code in DOUBLE_SENDERS and rng.random() < 0.25:
                dates.append(first + timedelta(days=rng.randint(1, 6)))
            plan[(code, mkey(y, m))] = dates
    return plan


def plan_volunteer(rng: random.Random) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for y, m in MONTHS:
        for code, *_ in COUNTY:
            weights = [50, 35, 15, 0] if code == NEVER_VOLUNTEERS else [5, 50, 30, 15]
            n = rng.choices([0, 1, 2, 3], weights=weights)[0]
            if code == STREAK and mkey(y, m) in ("2018-11", "2018-12"):
                n = 0
            counts[(code, mkey(y, m))] = n
    return counts


def random_day(rng: random.Random, y: int, m: int) -> date:
    return date(y, m, rng.randint(1, 28))


def volunteer_rows(
    grids: list[Grid], year: int, counts: dict[tuple[str, str], int], by: str
) -> list[list[Cell]]:
    rng = random.Random(f"{SEED}-volunteer-{year}")
    rows: list[list[Cell]] = []
    for g in (g for g in grids if g.area == "县城"):
        for y, m in (ym for ym in MONTHS if ym[0] == year):
            for _ in range(counts[(g.code, mkey(y, m))]):
                place = rng.choice(g.places)
                title = f"{place}{rng.choice(ACTIVITIES)}志愿服务活动"
                org = rng.choice([g.lead_unit, f"{g.lead_unit}志愿服务队", *g.units])
                people: Cell = rng.randint(6, 40)
                hours: Cell = rng.choice([1.5, 2, 2, 2.5, 3, 3, 4])
                if year == 2018 and rng.random() < 0.1:  # units typed into the cells
                    people, hours = f"{people}人", f"{hours:g}小时"
                ref = g.name if by == "name" else g.code
                rows.append([ref, random_day(rng, y, m), title, org, people, hours])
    rows.sort(key=lambda r: (r[1], str(r[0])))
    return rows


def problem_rows(grids: list[Grid], year: int, totals: Totals, by: str) -> list[list[Cell]]:
    rng = random.Random(f"{SEED}-problems-{year}")
    cats = list(PROBLEMS)
    weights = [PROBLEMS[c][0] for c in cats]
    rows: list[list[Cell]] = []
    for g in (g for g in grids if g.area == "县城"):
        for y, m in (ym for ym in MONTHS if ym[0] == year):
            total = totals[mkey(y, m)].get(g.code, 85.0)
            for _ in range(rng.randint(1, 4) + (2 if total < 80 else 0)):
                cat = rng.choices(cats, weights=weights)[0]
                sub = rng.choice(PROBLEMS[cat][2])
                dept = DEPARTMENT_BY_SUBTYPE.get(sub, PROBLEMS[cat][1])
                place = rng.choice(g.places) + rng.choice(["", "路口", "旁", "对面", "门前"])
                if cat in ("志愿服务", "其他任务", "工作机制"):  # paperwork, found at the station
                    place = f"{g.lead_unit}网格工作站"
                note = rng.choice(["巡查发现", "群众反映", "已拍照取证", "已现场劝导"])
                found = random_day(rng, y, m)
                deadline = found + timedelta(days=rng.choice([3, 5, 7, 7, 10, 15]))
                if mkey(y, m) >= "2019-10" and rng.random() < 0.25:
                    done, result = None, rng.choice(["未整改，继续督办", "整改中", ""])
                elif rng.random() < 0.85:
                    done = found + timedelta(days=rng.randint(0, (deadline - found).days))
                    result = rng.choice(["已整改到位", "整改到位，回查合格", "已整改"])
                else:
                    done = deadline + timedelta(days=rng.randint(1, 20))
                    result = "逾期整改，已通报"
                ref = g.name if by == "name" else f"第{int(g.code)}网格"
                desc = f"{place}{sub}，{note}"
                rows.append([ref, found, cat, sub, place, desc, dept, deadline, done, result])
    rows.sort(key=lambda r: (r[1], str(r[0])))
    return [[i, *r] for i, r in enumerate(rows, start=1)]


# ---------------------------------------------------------------- sheet builders


def grids_sheet(grids: list[Grid]) -> Sheet:
    header = (
        "序号 网格编号 网格名称 片区 大网格 挂点县领导 领导职务 牵头单位 责任单位 网格范围 联系人 联系电话"
    )
    rows: list[list[Cell]] = [["翁源县城市网格化管理区域划分表"], header.split()]
    for i, g in enumerate(grids, start=1):
        rows.append([i, g.code, g.name, g.area, g.big, g.leader, g.title, g.lead_unit,
                     "、".join(g.units), g.scope, g.contact, g.phone])  # fmt: skip
    rows += [[], ["备注：以建设路中间隔离带为界，县委书记负责西片大网格，县长负责东片大网格。"]]
    return Sheet("网格划分表", rows, [(0, 0, 0, 11)], title_rows=1)


def rubric_sheet() -> Sheet:
    rows: list[list[Cell]] = [["翁源县城市网格化管理考核评分表"], _words("项目编号 考核类别 考核内容 分值")]
    for code, cat, mx in ITEMS:
        rule = f"对照{cat}工作职责及省文国卫实地考察标准检查，发现一处问题扣0.5分，扣完为止"
        rows.append([code, cat, rule, mx])
    rows.append(["合计", "", "", sum(MAXES)])
    return Sheet("评分细则", rows, [(0, 0, 0, 3)], title_rows=1)


def grid_ref(g: Grid, style: str) -> str:
    """How a sheet names a grid: 第7网格, 7号网格, 第七网格, G07, its name, its leader or 07."""
    n = int(g.code)
    return {"第N": f"第{n}网格", "N号": f"{n}号网格", "第cn": f"第{cn_numeral(n)}网格",
            "G": f"G{g.code}", "name": g.name, "leader": g.leader}.get(style, g.code)  # fmt: skip


def titled_sheet(
    y: int, m: int, grids: list[Grid], scores: Scores, style: str, runs: dict[str, int]
) -> Sheet:
    """Title row, merged two-row header (考核项目 over the items), 排名 and footer rows."""
    n = len(ITEMS)
    head1: list[Cell] = ["序号", "网格", "挂点县领导", "考核项目", *[""] * (n - 1), *_words("总分 排名 备注")]
    head2: list[Cell] = ["", "", "", *[f"{cat}（{mx:g}分）" for _, cat, mx in ITEMS], "", "", ""]
    width = len(head1)
    rows: list[list[Cell]] = [[f"翁源县城市网格化管理月度考核评分表（{y}年{m}月）"], head1, head2]
    present = [g for g in grids if g.code in scores]
    ranks = competition_ranks({g.code: sum(scores[g.code]) for g in present})
    for i, g in enumerate(present, start=1):
        items = scores[g.code]
        run = runs.get(g.code, 0)
        note = f"连续{run}次末位三名，挂点县领导须书面说明" if run >= 3 else ""
        rows.append([i, grid_ref(g, style), g.leader, *items, sum(items), ranks[g.code], note])
    sums = [sum(scores[g.code][j] for g in present) for j in range(n)]
    rows.append(["合计", "", "", *sums, sum(sums), "", ""])
    rows.append(["平均分", "", "", *[round(s / len(present), 2) for s in sums],
                 round(sum(sums) / len(present), 2), "", ""])  # fmt: skip
    rows += [[], ["制表人：县“两创”办", "", "", "审核："]]
    merges = [(0, 0, 0, width - 1), (1, 3, 1, 2 + n)]
    merges += [(1, c, 2, c) for c in (0, 1, 2, width - 3, width - 2, width - 1)]
    return Sheet(f"{m}月评分", rows, merges, title_rows=1)


def clean_sheet(y: int, m: int, grids: list[Grid], scores: Scores, excel_date: bool) -> Sheet:
    """The template shape: 月份 column, grid codes, item codes as headers, 总分."""
    rows: list[list[Cell]] = [["月份", "网格", *[c for c, _, _ in ITEMS], "总分"]]
    month: Cell = date(y, m, 1) if excel_date else mkey(y, m)
    for g in (g for g in grids if g.code in scores):
        rows.append([month, g.code, *scores[g.code], sum(scores[g.code])])
    return Sheet("月度考核", rows, date_format='yyyy"年"m"月"')


def deduction_sheet(y: int, m: int, grids: list[Grid], scores: Scores) -> Sheet:
    """Points deducted per item (score = max - deduction), grids as G07."""
    head: list[Cell] = ["序号", "网格", *[f"{cat}扣分" for _, cat, _ in ITEMS], "得分", "备注"]
    rows: list[list[Cell]] = [[f"翁源县城市网格化管理月度考核扣分表（{y}年{m}月）"], head]
    for i, g in enumerate((g for g in grids if g.code in scores), start=1):
        deductions = [mx - s for mx, s in zip(MAXES, scores[g.code], strict=True)]
        rows.append([i, grid_ref(g, "G"), *deductions, sum(scores[g.code]), ""])
    rows += [[], ["制表人：县“两创”办", "", "审核："]]
    return Sheet(f"{y}年{m}月扣分", rows, [(0, 0, 0, len(head) - 1)], title_rows=1)


def csv_rows(grids: list[Grid], scores: Scores, rng: random.Random) -> list[list[str]]:
    """Grids by leader's name, no total column, a few full-width numbers."""
    wide = str.maketrans("0123456789.", "０１２３４５６７８９．")
    rows = [["网格", *[cat for _, cat, _ in ITEMS]]]
    for g in (g for g in grids if g.code in scores):
        cells = [f"{v:g}" for v in scores[g.code]]
        if rng.random() < 0.25:
            j = max(range(len(cells)), key=lambda k: "." in cells[k])
            cells[j] = cells[j].translate(wide)
        rows.append([grid_ref(g, "leader"), *cells])
    return rows


def town_sheet(grids: list[Grid]) -> Sheet:
    """官渡镇: several months in one sheet, told apart by the 月份 column."""
    rng = random.Random(f"{SEED}-town")
    town = [g for g in grids if g.area == "官渡镇"]
    base = {g.code: rng.uniform(74, 90) for g in town}
    head: list[Cell] = ["月份", "网格", *[f"{cat}（{mx:g}分）" for _, cat, mx in ITEMS], "总分"]
    rows: list[list[Cell]] = [head]
    for y, m in TOWN_MONTHS:
        for g in town:
            items = split_total(half(min(97, max(66, base[g.code] + rng.gauss(0, 4)))), rng)
            rows.append([f"{y}年{m}月", g.code, *items, sum(items)])
    return Sheet("官渡镇月度考核", rows)


def annual_sheet(year: int, grids: list[Grid], year_end: dict[str, float]) -> Sheet:
    rows: list[list[Cell]] = [[f"{year}年度网格化管理年终考核得分"], _words("序号 网格 年终考核得分 备注")]
    county = [g for g in grids if g.area == "县城"]
    for i, g in enumerate((g for g in county if g.code in year_end), start=1):
        note = "年终检查问题突出，下达督查整改通知书" if year_end[g.code] < 60 else ""
        rows.append([i, g.name, year_end[g.code], note])
    absent = [g.name for g in county if g.code not in year_end]
    if absent:
        rows += [[], [f"备注：{'、'.join(absent)}未参加年终检查，得分待补录。"]]
    return Sheet(f"{year}年终考核", rows, [(0, 0, 0, 3)], title_rows=1)


def reports_sheet(year: int, grids: list[Grid], plan: Plan, rng: random.Random) -> Sheet:
    head: list[Cell] = _words("网格 所属月份 报送日期 信息标题 图片数 例会次数 巡查次数")
    rows: list[list[Cell]] = []
    topics = ["工作动态", "开展“六乱”整治情况", "网格化管理工作简报", "门前三包督导情况"]
    for g in (g for g in grids if g.area == "县城"):
        for y, m in (ym for ym in MONTHS if ym[0] == year):
            for n, day in enumerate(plan.get((g.code, mkey(y, m)), [])):
                title = f"{g.name}{m}月{rng.choice(topics)}" + ("（补充）" if n else "")
                rows.append([g.code, mkey(y, m), day, title, rng.randint(0, 8),
                             rng.choice([2, 3, 4, 4, 4, 5]), rng.randint(4, 20)])  # fmt: skip
    rows.sort(key=lambda r: (r[2], str(r[0])))
    return Sheet(f"{year}年信息报送", [head, *rows])


# ---------------------------------------------------------------- street lamps (DOMAIN §10)

LampCounts = tuple[int, int, int]  # required, installed, lit
LAMP_MONTHS = [mkey(2019, m) for m in range(1, 13)]


def plan_lamps(grids: list[Grid]) -> dict[tuple[str, str], LampCounts]:
    """(grid code, 'YYYY-MM') → (required, installed, lit) for every grid and month of 2019
    (town grids Jan-Jun). Installed only grows; lit never exceeds installed."""
    rng = random.Random(f"{SEED}-lamps")
    out: dict[tuple[str, str], LampCounts] = {}
    for g in grids:
        required = {"08": 40, "12": 2105}.get(g.code, rng.randint(4, 32) * 10 + rng.randint(0, 9))
        missing = (
            0 if rng.random() < 0.55 or g.code in ("08", "12") else rng.randint(1, max(1, required // 12))
        )
        months = LAMP_MONTHS[:6] if g.area != "县城" else LAMP_MONTHS
        for i, key in enumerate(months):
            # 23 has not a lamp installed until April: the campaign starts there.
            installed = 0 if g.code == "23" and i < 3 else required - max(0, missing - (i * missing) // 8)
            dark = rng.choice([0, 0, 1, 1, 2, 3, 5, 8]) * max(1, installed // 60)
            lit = max(0, installed - dark)
            out[(g.code, key)] = (required, installed, lit)
    out[("08", "2019-07")] = (40, 40, 38)  # exactly 95 %: meets
    out[("12", "2019-07")] = (2105, 2105, 1999)  # 94.96 %: shows 95.0 %, does not meet
    return out


def lamp_sheets(grids: list[Grid], plan: dict[tuple[str, str], LampCounts]) -> dict[str, Sheet]:
    """The lamp check files, each in another office shape."""
    county = [g for g in grids if g.area == "县城"]
    town = [g for g in grids if g.area != "县城"]
    head: list[Cell] = _words("网格 月份 应装路灯数 已装路灯数 亮灯数 备注")
    half_year = [[g.code, key, *plan[(g.code, key)], ""] for key in LAMP_MONTHS[:6] for g in county]
    out = {"90_2019年上半年路灯检查.xlsx": Sheet("上半年", [head, *half_year])}
    title = "翁源县城区路灯夜间检查情况表（2019年7月）"
    rows: list[list[Cell]] = [[title], _words("序号 网格 设计路灯数 装灯数 亮灯 亮灯率 备注")]
    n = 0
    for g in county:
        if g.code == "19":
            continue  # not checked in July
        n += 1
        r, i, lit = plan[(g.code, "2019-07")]
        ref: Cell = f"第{int(g.code)}网格" if n % 2 else g.name
        lit_cell: Cell = (
            str(lit).translate(str.maketrans("0123456789", "０１２３４５６７８９")) if n == 3 else lit
        )
        rows.append([n, ref, r, i, lit_cell, f"{lit / i:.1%}" if i else "—", ""])
    rows += [
        ["合计", "", sum(r[2] for r in rows[2:]), "", "", "", ""],
        [],
        ["制表人：县城管局路灯所", "", "", "审核："],
    ]
    out["91_2019年7月城区路灯夜间检查.xlsx"] = Sheet("7月", rows, [(0, 0, 0, 6)], title_rows=1)
    out["92_2019年8月路灯检查.xls"] = Sheet(
        "2019年8月", [_words("序号 网格编号 应装数 已装数 亮灯盏数"),
                      *[[k, g.code, *plan[(g.code, "2019-08")]] for k, g in enumerate(county, start=1)]],
    )  # fmt: skip
    out["93_2019年9月路灯检查.csv"] = Sheet(
        "csv", [_words("网格 路灯总数 已装路灯数 亮灯数"), *[[g.leader, *map(str, plan[(g.code, "2019-09")])]
                                                           for g in county]],
    )  # fmt: skip
    late = [[g.code, key, *plan[(g.code, key)], ""] for key in LAMP_MONTHS[9:] for g in county]
    out["94_2019年10-12月路灯检查.xlsx"] = Sheet("四季度", [head, *late])
    town_rows = [[g.code, key, *plan[(g.code, key)], ""] for key in LAMP_MONTHS[:6] for g in town]
    out["95_官渡镇路灯检查.xlsx"] = Sheet("官渡镇", [["官渡镇路灯检查情况"], head, *town_rows], title_rows=1)
    return out


# ---------------------------------------------------------------- writers


def save_xlsx(path: Path, sheets: list[Sheet]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for row in sheet.rows:
            ws.append(row)
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, date):
                    ws.cell(r, c).number_format = sheet.date_format
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
            ws.cell(r1 + 1, c1 + 1).alignment = Alignment(horizontal="center", vertical="center")
        for r in range(1, sheet.title_rows + 1):
            ws.cell(r, 1).font = Font(bold=True, size=14)
        body = sheet.rows[sheet.title_rows : sheet.title_rows + 40]
        for c in range(1, max(len(r) for r in sheet.rows) + 1):
            longest = max((len(str(r[c - 1])) for r in body if len(r) >= c), default=4)
            ws.column_dimensions[get_column_letter(c)].width = min(40, 4 + 1.6 * longest)
    wb.properties.creator = "县“两创”办"
    buffer = io.BytesIO()
    wb.save(buffer)
    # Same bytes on every run (stable SHA-256 and git diffs): fixed document and zip times.
    # openpyxl stamps "modified" with the clock while saving, so core.xml is written again.
    wb.properties.created = wb.properties.modified = FIXED_TIME
    core = tostring(wb.properties.to_tree())
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = core if info.filename == "docProps/core.xml" else src.read(info)
            entry = zipfile.ZipInfo(info.filename, FIXED_TIME.timetuple()[:6])
            dst.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)


def save_xls(path: Path, sheet: Sheet) -> None:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet.name)
    covered: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in sheet.merges:
        ws.write_merge(r1, r2, c1, c2, sheet.rows[r1][c1])
        covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if (r, c) not in covered and value not in ("", None):
                ws.write(r, c, value)
    wb.save(str(path))


def save_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows(rows)


# ---------------------------------------------------------------- the files


def write_sample_files(out_dir: Path) -> list[Path]:
    """Write the sample spreadsheets into out_dir and return them in load order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    grids = build_grids()
    county = [g for g in grids if g.area == "县城"]
    totals = build_totals()
    year_end = build_year_end(totals)
    _check_stories(totals, year_end)
    runs = streaks(totals)
    rng = random.Random(f"{SEED}-records")
    reports = plan_reports(rng)
    volunteer = plan_volunteer(rng)
    written: list[Path] = []

    def xlsx(name: str, *sheets: Sheet) -> None:
        save_xlsx(out_dir / name, list(sheets))
        written.append(out_dir / name)

    xlsx("01_网格划分表.xlsx", grids_sheet(grids))
    xlsx("02_考核评分细则.xlsx", rubric_sheet())
    score_rng = random.Random(f"{SEED}-items")
    for i, (y, m) in enumerate(MONTHS):
        key = mkey(y, m)
        scores: Scores = {}
        for code, total in totals[key].items():
            # A month without volunteer activity or on-time report costs points in A7 / A9.
            weak = (6,) if volunteer[(code, key)] == 0 else ()
            if (code, key) not in reports or reports[(code, key)][0] > date(y, m, 25):
                weak += (8,)
            scores[code] = split_total(total, score_rng, weak)
        shape, style = SHAPES[key]
        stem = f"{10 + i}_{y}年{m}月考核"
        if shape == "clean":
            sheet = clean_sheet(y, m, county, scores, key == EXCEL_DATE_MONTH)
            xlsx(f"{10 + i}_{key}_月度考核.xlsx", sheet)
        elif shape == "csv":
            save_csv(out_dir / f"{stem}.csv", csv_rows(county, scores, score_rng))
            written.append(out_dir / f"{stem}.csv")
        elif shape == "xls":
            save_xls(out_dir / f"{stem}表.xls", titled_sheet(y, m, county, scores, style, runs[key]))
            written.append(out_dir / f"{stem}表.xls")
        elif shape == "deduction":
            xlsx(f"{stem}扣分表.xlsx", deduction_sheet(y, m, county, scores))
        else:
            xlsx(f"{stem}表.xlsx", titled_sheet(y, m, county, scores, style, runs[key]))
    xlsx("31_官渡镇网格月度考核汇总.xlsx", town_sheet(grids))
    for n, year in enumerate((2018, 2019)):
        xlsx(f"{40 + n}_{year}年度年终考核得分.xlsx", annual_sheet(year, grids, year_end[year]))
    for n, year in enumerate((2018, 2019)):
        sheet = reports_sheet(year, grids, reports, random.Random(f"{SEED}-reports-{year}"))
        xlsx(f"{50 + n}_{year}年信息报送登记.xlsx", sheet)
    vol_head: list[Cell] = _words("网格 活动日期 活动名称 组织单位 参与人数 服务时长")
    prob_head: list[Cell] = _words("序号 所属网格 发现日期 问题类别 问题子类 地点 问题描述 交办单位")
    prob_head += _words("整改期限 整改完成日期 回查结果")
    vol18 = [["2018年网格志愿服务活动登记表"], vol_head, *volunteer_rows(grids, 2018, volunteer, "name")]
    xlsx("60_2018年志愿服务活动登记.xlsx", Sheet("志愿服务", vol18, [(0, 0, 0, 5)], title_rows=1))
    prob18 = [["2018年网格巡查问题台账"], prob_head, *problem_rows(grids, 2018, totals, "第N")]
    xlsx("70_2018年巡查问题台账.xlsx", Sheet("问题台账", prob18, [(0, 0, 0, 10)], title_rows=1))
    # 2019: both kinds in one workbook, one sheet each; the problems name grids by name.
    vol19 = Sheet("志愿服务", [vol_head, *volunteer_rows(grids, 2019, volunteer, "code")])
    prob19 = Sheet(
        "问题台账", [[prob_head[0], "网格", *prob_head[2:]], *problem_rows(grids, 2019, totals, "name")]
    )
    xlsx("80_2019年志愿服务及巡查问题台账.xlsx", vol19, prob19)
    for name, sheet in lamp_sheets(grids, plan_lamps(grids)).items():
        if name.endswith(".xls"):
            save_xls(out_dir / name, sheet)
        elif name.endswith(".csv"):
            save_csv(out_dir / name, sheet.rows)  # type: ignore[arg-type]
        else:
            save_xlsx(out_dir / name, [sheet])
        written.append(out_dir / name)
    return written


if __name__ == "__main__":
    for p in write_sample_files(ROOT / "data" / "sample"):
        print(f"{p.stat().st_size:>9,}  {p.relative_to(ROOT)}")
