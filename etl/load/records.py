"""From a recognised sheet's rows to records, by the shape its kind declares (registry, rubric,
scores, annual, events, records): every problem is an Issue, the rows each table would receive
go into the SheetResult.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from etl.load import parse
from etl.load.extraction import SheetResult
from etl.load.issues import Issue
from etl.load.kinds import DEFAULT_AREA, vocabulary
from etl.load.read import Sheet
from etl.load.recognise import (
    MONTH_BLANK,
    MONTH_NOT_FOUND,
    YEAR_NOT_FOUND,
    Layout,
    context_text,
    month_not_found,
    sheet_month,
    sheet_year,
)
from etl.load.rowreader import RowReader, resolve_areas
from etl.rules import rulesql

SUM_TOLERANCE = 0.01


def extract_grids(reader: RowReader, result: SheetResult) -> None:
    """The registry: one row per grid; the whole registry replaces the one in force."""
    table = vocabulary().kinds[reader.layout.kind].table
    seen: dict[tuple[str, str], int] = {}
    for order, (n, row) in enumerate(reader.data_rows(), start=1):
        rec = {
            "grid_code": reader.value(n, row, "grid_code", required=True),
            "grid_name": reader.value(n, row, "grid_name", required=True),
            "area": reader.value(n, row, "area") or DEFAULT_AREA,
            "big_grid": reader.value(n, row, "big_grid"),
            "leader_name": reader.value(n, row, "leader_name", required=True),
            "leader_title": reader.value(n, row, "leader_title"),
            "lead_unit": reader.value(n, row, "lead_unit", required=True),
            "responsible_units": reader.value(n, row, "responsible_units") or [],
            "scope": reader.value(n, row, "scope"),
            "contact_name": reader.value(n, row, "contact_name"),
            "contact_phone": reader.value(n, row, "contact_phone"),
            "sort_order": order,
            "sheet": reader.sheet.name,
            "excel_row": n,
        }
        key = (rec["area"], rec["grid_code"])
        if rec["grid_code"] and key in seen:
            col = reader.layout.fields["grid_code"]
            reader.issue(n, col, rec["grid_code"], f"网格编号重复（与第{seen[key]}行相同）")
        seen[key] = n
        result.tables[table].append(rec)
        result.areas.add(rec["area"])
        result.grids.add(str(rec["grid_code"]))


def extract_rubric(reader: RowReader, result: SheetResult) -> None:
    """The rubric: one row per item; the whole rubric replaces the one in force."""
    seen: dict[str, int] = {}
    voc = vocabulary()
    table = voc.kinds[reader.layout.kind].table
    for order, (n, row) in enumerate(reader.data_rows(), start=1):
        code = reader.value(n, row, "item_code", required=True)
        mx = reader.value(n, row, "max_points", required=True)
        cat = reader.value(n, row, "category", required=True)
        if mx is not None and mx <= 0:
            reader.issue(n, reader.layout.fields["max_points"], mx, "分值应大于 0")
        if code and code in seen:
            reader.issue(
                n, reader.layout.fields["item_code"], code, f"项目编号重复（与第{seen[code]}行相同）"
            )
        if cat and cat not in voc.duties + voc.extra_categories:
            reader.issue(
                n, reader.layout.fields["category"], cat,
                "考核类别不是八项职责或工作机制之一，页面将按此名称单列", "warning",
            )  # fmt: skip
        seen[code] = n
        result.tables[table].append(
            {
                "item_code": code,
                "category": cat,
                "content": reader.value(n, row, "content"),
                "max_points": mx,
                "sort_order": order,
                "sheet": reader.sheet.name,
                "excel_row": n,
            }
        )


SOURCE_LABELS = {
    "标题": "标题",
    "工作表名": "工作表名",
    "文件名": "文件名",
    "--month": "上传时填写的月份（--month）",
}


def _plausible_default(reader: RowReader, sheet: Sheet, value: date | int | None, source: str) -> bool:
    """A month or year taken from the title, sheet name, file name or the user's option must be
    plausible like one written in a cell (parse.check_month / check_year); False with an error."""
    if value is None:
        return True
    try:
        if isinstance(value, int):
            parse.check_year(value, reader.ctx.today)
        else:
            parse.check_month(value, reader.ctx.today)
    except parse.CellError as exc:
        shown = f"{value}年" if isinstance(value, int) else f"{value.year}年{value.month}月"
        where = SOURCE_LABELS.get(source, source)
        reader.issues.append(Issue(f"{where}中的{shown}：{exc}", "error", sheet.name))
        return False
    return True


def _flag_blank_month(reader: RowReader, result: SheetResult, layout: Layout, n: int, row: list[Any]) -> None:
    """A row whose 月份 cell is blank while the sheet gives no month: the page offers a picker."""
    if "month" in layout.fields and parse.is_blank(reader.cell(row, "month")[0]):
        result.needs_month = True
        reader.issue(n, layout.fields["month"], None, MONTH_BLANK)


def _default_month(
    reader: RowReader, result: SheetResult, sheet: Sheet, not_found: str
) -> tuple[date | None, bool]:
    """The sheet's month when its rows carry none (title, sheet name, file name or the chosen
    month) and whether that month was implausible. A sheet with no month at all is an error and
    asks for the page's month picker; a month read off the title etc. is noted for the preview."""
    layout = reader.layout
    default_month, source = sheet_month(sheet, layout, reader.ctx)
    bad_default = not _plausible_default(reader, sheet, default_month, source)
    if bad_default:
        default_month = None
    result.title = context_text(sheet, layout)
    if "month" not in layout.fields and default_month is None and not bad_default:
        result.needs_month = True  # the upload page offers a month picker
        reader.issues.append(Issue(not_found, "error", sheet.name))
    elif default_month is not None and source != "--month" and "month" not in layout.fields:
        text = {"标题": result.title, "工作表名": sheet.name, "文件名": reader.ctx.file_name}[source]
        result.conversions["month"][f"{source}「{text}」"] = f"{default_month.year}年{default_month.month}月"
    return default_month, bad_default


def _extract_monthly(reader: RowReader, result: SheetResult, sheet: Sheet) -> None:
    """Scores: one row per grid and month, a column per rubric item (or its deduction)."""
    layout = reader.layout
    spec = vocabulary().kinds[layout.kind]
    rows = reader.data_rows()
    resolve_areas(reader, rows)
    default_month, bad_default = _default_month(reader, result, sheet, MONTH_NOT_FOUND)
    for c, (_, _, _, deduction) in layout.items.items():
        if deduction:
            result.conversions["deduction"][layout.headers[c]] = "得分 = 满分 − 扣分"
    # Every rubric category must have a score column, or totals would not compare.
    covered = {cat for (_, cat, _, _) in layout.items.values()}
    for cat in dict.fromkeys(i.category for i in reader.ctx.rubric):
        if cat not in covered:
            reader.issues.append(
                Issue(
                    f"缺少考核类别「{cat}」的得分列（评分细则中有此类别）",
                    "error",
                    sheet.name,
                    layout.header_rows[-1] + 1,
                    cat,
                )  # fmt: skip
            )
    for i in layout.unknown:
        header = layout.headers[i]
        numeric = sum(
            1 for _, row in rows if i < len(row) and isinstance(row[i], int | float) and row[i] != ""
        )
        # A mostly numeric column that is not a rank is a score column the rubric does not know.
        if numeric and numeric >= len(rows) / 2 and "排" not in header and "名次" not in header:
            reader.issue(layout.header_rows[-1] + 1, i, header,
                         "评分细则中没有这个考核项目；请核对列名，或先导入新的评分细则")  # fmt: skip
        else:
            reader.issue(layout.header_rows[-1] + 1, i, header, "未识别的列，已忽略", "warning")
    seen: dict[tuple[str, str, date], int] = {}
    totals: dict[date, dict[tuple[str, str], float]] = defaultdict(dict)
    stated: dict[tuple[str, str, date], tuple[int, int]] = {}
    grid_col = layout.fields["grid"]
    for n, row in rows:
        item_cells = [(c, row[c] if c < len(row) else None) for c in layout.items]
        if all(parse.is_blank(v) for _, v in item_cells):
            total_raw, _ = reader.cell(row, "total")
            if parse.is_blank(total_raw):
                reader.issue(n, grid_col, row[grid_col] if grid_col < len(row) else None,
                             "该行没有任何得分，按缺检处理（未导入）", "warning")  # fmt: skip
                continue
        g = reader.value(n, row, "grid", required=True)
        month = reader.value(n, row, "month") if "month" in layout.fields else None
        raw_month, month_col = reader.cell(row, "month")
        if month is not None and isinstance(raw_month, float) and f"{raw_month}".endswith(".1"):
            # Excel turns a typed 2019.10 into the number 2019.1: October read as January.
            reader.issue(n, month_col, raw_month, f"月份按 {month.year}年1月 读取；如果原意是 {month.year}年10月，"
                         "请把单元格设为文本后写 2019-10", "warning")  # fmt: skip
        month = month or default_month
        scores: list[dict[str, Any]] = []
        item_sum = 0.0
        ok = True
        for c, raw in item_cells:
            item, cat, mx, deduction = layout.items[c]
            mx = item.max_points if item else mx
            try:
                v = parse.parse_number(raw)
            except parse.CellError as exc:
                reader.issue(n, c, raw, str(exc))
                ok = False
                continue
            if v is None:
                reader.issue(n, c, raw, "得分为空；未检查的项目请填 0 或满分，整行未检请删去该行")
                ok = False
                continue
            if deduction:
                if v < 0 or v > mx:
                    reader.issue(
                        n, c, raw, f"扣分 {parse.clean_text(raw)} 超出范围，应在 0 到满分 {mx:g} 之间"
                    )
                    ok = False
                    continue
                v = mx - v
            elif v < 0:
                reader.issue(n, c, raw, f"得分不能为负数（满分 {mx:g}）")
                ok = False
                continue
            elif v > mx + 1e-9:
                label = f"{item.code} {cat}" if item and item.code != cat else cat
                reader.issue(n, c, raw, f"「{label}」得分 {v:g} 超过满分 {mx:g}")
                ok = False
                continue
            item_sum += v
            code = item.code if item else cat
            scores.append({"item_code": code, "category": cat, "max_points": mx, "score": v})
        total = reader.value(n, row, "total")
        if total is not None and ok and abs(total - item_sum) > SUM_TOLERANCE:
            reader.issue(n, layout.fields["total"], total,
                         f"总分与各项得分之和 {item_sum:g} 不一致，请核对")  # fmt: skip
        if month is None and not bad_default:
            _flag_blank_month(reader, result, layout, n, row)
        if g is None or month is None:
            continue
        key = (g.area, g.code, month)
        if key in seen:
            reader.issue(n, grid_col, row[grid_col],
                         f"同一月份网格重复：{g.code} {g.name} 已在第{seen[key]}行出现")  # fmt: skip
            continue
        seen[key] = n
        rank_raw, rank_col = reader.cell(row, "stated_rank")
        try:
            r = parse.parse_int(rank_raw)
            if r is not None:
                stated[key] = (r, n)
        except parse.CellError:
            pass
        total_value = round(item_sum, 4)
        totals[month][(g.area, g.code)] = total_value
        base = {"area": g.area, "month": month, "grid_code": g.code}
        result.tables[spec.table].append(
            {
                **base,
                "total": total_value,
                "note": reader.value(n, row, "note"),
                "sheet": sheet.name,
                "excel_row": n,
            }  # fmt: skip
        )
        for s in scores:
            result.tables[spec.item_table].append({**base, **s})
        result.areas.add(g.area)
        result.periods.add(month.strftime("%Y-%m"))
        result.grids.add(g.code)
        result.row_count += 1
    # A stated rank that differs from the computed one is worth a look, not a refusal.
    # Only a sheet with a 排名 column needs ranks; they come from the SQL rule (etl/rules/rulesql.py).
    for month, by_grid in totals.items() if stated else ():
        for area in {a for a, _ in by_grid}:
            ranks = rulesql.competition_ranks({k: v for k, v in by_grid.items() if k[0] == area})
            for (a, code), rank in ranks.items():
                st = stated.get((a, code, month))
                if st and st[0] != rank:
                    reader.issue(st[1], layout.fields.get("stated_rank"), st[0],
                                 f"表中排名 {st[0]} 与按总分计算的排名 {rank} 不同；以计算结果为准",
                                 "warning")  # fmt: skip


def _extract_annual(reader: RowReader, result: SheetResult, sheet: Sheet) -> None:
    """Year-end scores: one row per grid and year."""
    table = vocabulary().kinds[reader.layout.kind].table
    rows = reader.data_rows()
    resolve_areas(reader, rows)
    default_year = sheet_year(sheet, reader.layout, reader.ctx)
    bad_default = not _plausible_default(
        reader, sheet, default_year, "标题、工作表名、文件名或上传时填写的年度"
    )
    if bad_default:
        default_year = None
    result.title = context_text(sheet, reader.layout)
    if "year" not in reader.layout.fields and default_year is None and not bad_default:
        result.needs_year = True
        reader.issues.append(Issue(YEAR_NOT_FOUND, "error", sheet.name))
    seen: dict[tuple[str, str, int], int] = {}
    for n, row in rows:
        g = reader.value(n, row, "grid", required=True)
        score = reader.value(n, row, "year_end", required=True)
        year = (reader.value(n, row, "year") if "year" in reader.layout.fields else None) or default_year
        if score is not None and not 0 <= score <= 100:
            reader.issue(n, reader.layout.fields["year_end"], score, "年终考核得分应在 0 到 100 之间")
            continue
        if (
            year is None
            and not bad_default
            and "year" in reader.layout.fields
            and parse.is_blank(reader.cell(row, "year")[0])
        ):
            reader.issue(n, reader.layout.fields["year"], None,
                         "年度为空，标题和文件名中也没有年份；请填写年度（如 2019）")  # fmt: skip
        if g is None or score is None or year is None:
            continue
        key = (g.area, g.code, year)
        if key in seen:
            reader.issue(n, reader.layout.fields["grid"], g.code,
                         f"同一年度网格重复：已在第{seen[key]}行出现")  # fmt: skip
            continue
        seen[key] = n
        result.tables[table].append(
            {
                "area": g.area,
                "year": year,
                "grid_code": g.code,
                "year_end": score,
                "note": reader.value(n, row, "note"),
                "sheet": sheet.name,
                "excel_row": n,
            }  # fmt: skip
        )
        result.areas.add(g.area)
        result.periods.add(str(year))
        result.grids.add(g.code)
        result.row_count += 1


def _extract_events(reader: RowReader, result: SheetResult, sheet: Sheet) -> None:
    """An `events` kind (reports, volunteer, problems): one row per event, keyed by the month of
    its date (the declared period_from) unless a 月份 cell says otherwise. Every declared column
    is read as declared (required, min); a row failing a not_before check is refused, the first
    check naming it; a date after today is warned about when the kind declares after_today."""
    layout = reader.layout
    spec = vocabulary().kinds[layout.kind]
    rows = reader.data_rows()
    resolve_areas(reader, rows)
    date_field = spec.period_from
    values = [c for c in spec.columns if c.field not in ("grid", date_field, "month")]
    today = reader.ctx.today
    for n, row in rows:
        g = reader.value(n, row, "grid", required=True)
        day = reader.value(n, row, date_field, required=True)
        rec: dict[str, Any] = {date_field: day}
        month = reader.value(n, row, "month") if "month" in layout.fields else None
        ok = True
        for c in values:
            v = reader.value(n, row, c.field, required=c.required)
            if v is not None and c.min is not None and v < c.min:
                reader.issue(n, layout.fields[c.field], v,
                             "不能为负数" if v < 0 else c.min_message or f"应不小于 {c.min:g}")  # fmt: skip
                v = None
            ok = ok and not (c.required and v is None)
            rec[c.field] = v
        failed = next(
            (k for k in spec.checks if k.not_before and rec.get(k.field) and rec.get(k.not_before)
             and rec[k.field] < rec[k.not_before]),
            None,
        )  # fmt: skip
        if failed:
            reader.issue(n, layout.fields[failed.field], rec[failed.field], failed.message)
            continue
        if g is None or day is None or not ok:
            continue
        month = month or date(day.year, day.month, 1)
        try:
            parse.check_month(month, today)
        except parse.CellError as exc:  # a date within the coming year, but of a month to come
            reader.issue(n, layout.fields[date_field], day, f"所属{exc}")
            continue
        if spec.after_today and day > today:  # suspect: it cannot have happened yet
            reader.issue(n, layout.fields[date_field], day, spec.after_today.format(today=f"{today:%Y-%m-%d}"),
                         "warning")  # fmt: skip
        rec.update({"area": g.area, "month": month, "grid_code": g.code,
                    "sheet": sheet.name, "excel_row": n})  # fmt: skip
        result.tables[spec.table].append(rec)
        result.areas.add(g.area)
        result.periods.add(month.strftime("%Y-%m"))
        result.grids.add(g.code)
        result.row_count += 1


def _extract_records(reader: RowReader, result: SheetResult, sheet: Sheet) -> None:
    """A `records` kind (lamps): one row per grid and month holding the declared columns, checked
    against the declared bounds (min, not_above). A grid twice in one month is an error."""
    layout = reader.layout
    spec = vocabulary().kinds[layout.kind]
    rows = reader.data_rows()
    resolve_areas(reader, rows)
    default_month, bad_default = _default_month(reader, result, sheet, month_not_found(spec.label))
    values = [c for c in spec.columns if c.field not in ("grid", "month") and not c.field.endswith("_hint")]
    seen: dict[tuple[str, str, date], int] = {}
    measured = [c.field for c in values if c.required and c.field in layout.fields]
    for n, row in rows:
        if measured and all(parse.is_blank(reader.cell(row, f)[0]) for f in measured):
            grid_raw, grid_col = reader.cell(row, "grid")
            reader.issue(n, grid_col, grid_raw, "该行没有检查数据，按未检查处理（未导入）", "warning")
            continue
        g = reader.value(n, row, "grid", required=True)
        month = (reader.value(n, row, "month") if "month" in layout.fields else None) or default_month
        if month is None and not bad_default:
            _flag_blank_month(reader, result, layout, n, row)
        rec: dict[str, Any] = {}
        ok = True
        for c in values:
            if c.field not in layout.fields:
                rec[c.field] = None
                continue
            v = reader.value(n, row, c.field, required=c.required)
            if c.required and v is None:
                ok = False
            if v is not None and c.min is not None and v < c.min:
                reader.issue(n, layout.fields[c.field], reader.cell(row, c.field)[0],
                             "不能为负数" if v < 0 else c.min_message or f"应不小于 {c.min:g}")  # fmt: skip
                ok, v = False, None
            rec[c.field] = v
        for chk in spec.checks:
            if not chk.not_above:
                continue
            value, limit = rec.get(chk.field), rec.get(chk.not_above)
            if value is not None and limit is not None and value > limit:
                col = layout.fields[chk.field]
                reader.issue(n, col, reader.cell(row, chk.field)[0],
                             chk.message.format(value=f"{value:g}", limit=f"{limit:g}"))  # fmt: skip
                ok = False
        if g is None or month is None or not ok:
            continue
        key = (g.area, g.code, month)
        if key in seen:
            reader.issue(n, layout.fields["grid"], reader.cell(row, "grid")[0],
                         f"同一月份网格重复：{g.code} {g.name} 已在第{seen[key]}行出现")  # fmt: skip
            continue
        seen[key] = n
        rec.update({"area": g.area, "month": month, "grid_code": g.code, "sheet": sheet.name, "excel_row": n})
        result.tables[spec.table].append(rec)
        result.areas.add(g.area)
        result.periods.add(month.strftime("%Y-%m"))
        result.grids.add(g.code)
        result.row_count += 1


# How each shape of kind is read (registry and rubric sheets are read first, in extract_sheets).
EXTRACTORS = {
    "scores": _extract_monthly,
    "annual": _extract_annual,
    "events": _extract_events,
    "records": _extract_records,
}
