"""Blank templates: one workbook per kind, with an instructions sheet, the registry's grids and
the rubric's items filled in where they exist, and drop-downs on grid and category cells."""

from __future__ import annotations

import io
import os
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from etl import db
from etl.load.extraction import Context
from etl.load.kinds import KIND_LABELS, vocabulary
from etl.load.store import current_context
from etl.rules import reporting
from etl.safetext import set_cell

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def _columns(kind: str, ctx: Context) -> list[tuple[str, bool]]:
    spec = vocabulary().kinds[kind]
    cols = [(c.header, c.required) for c in spec.columns if not c.field.endswith("_hint")]
    if spec.shape == "scores":
        cols = [(h, r) for h, r in cols if h not in ("排名",)]
        items = [(f"{i.code} {i.category}（{i.max_points:g}分）", True) for i in ctx.rubric]
        if not items:
            items = [("A1（请按评分细则填写项目编号）", True)]
        month = [c for c in cols if c[0] == "月份"]
        rest = [c for c in cols if c[0] not in ("网格", "月份")]
        cols = [("网格", True), *month, *items, *rest]
    return cols


def build_template(kind: str, ctx: Context, deadline_day: int) -> bytes:
    """The template workbook for a kind as .xlsx bytes (deadline_day: the report deadline
    setting, reporting.report_deadline_day)."""
    voc = vocabulary()
    wb = Workbook()
    info = wb.active
    info.title = "填写说明"
    label = KIND_LABELS[kind]
    lines = [
        f"翁源县城市网格化管理 · {label} 模板",
        "",
        "1. 在「" + voc.kinds[kind].sheet + "」工作表中从第2行开始填写，不要修改第1行的列名。",
        "2. 橙色列名为必填列。网格可填编号（如 07）、名称或挂点县领导姓名。",
        "3. 日期写成 2018-05-03 或 Excel 日期；月份写成 2018-05。",
        "4. " + voc.kinds[kind].note.replace("{deadline_day}", str(deadline_day)),
        "5. 上传后系统会先检查，列出每一处问题（工作表、行、列、值）；有错误的文件整份不导入。",
    ]
    for i, text in enumerate(lines, start=1):
        set_cell(info, i, 1, text).font = Font(bold=(i == 1), size=14 if i == 1 else 11)
    info.column_dimensions["A"].width = 110

    ws = wb.create_sheet(voc.kinds[kind].sheet)
    cols = _columns(kind, ctx)
    for j, (header, required) in enumerate(cols, start=1):
        cell = set_cell(ws, 1, j, header)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if required else HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = max(10, min(30, len(header) * 2 + 2))
    ws.freeze_panes = "A2"

    # Lists for drop-downs live on a hidden sheet (a list longer than 255 characters cannot be
    # written inline in a validation rule).
    lists = wb.create_sheet("选项")
    lists.sheet_state = "hidden"
    headers = [h for h, _ in cols]
    max_rows = 1000
    grid_col = headers.index("网格") + 1 if "网格" in headers else None
    spec = voc.kinds[kind]
    if spec.shape == "registry" and ctx.grids:
        for i, g in enumerate(ctx.grids, start=2):
            values = {"网格编号": g.code, "网格名称": g.name, "片区": g.area, "挂点县领导": g.leader}
            for j, h in enumerate(headers, start=1):
                if h in values:
                    set_cell(ws, i, j, values[h])
    if spec.shape == "rubric" and ctx.rubric:
        for i, item in enumerate(ctx.rubric, start=2):
            values = {"项目编号": item.code, "考核类别": item.category, "考核内容": item.content,
                      "分值": item.max_points}  # fmt: skip
            for j, h in enumerate(headers, start=1):
                if h in values:
                    set_cell(ws, i, j, values[h])
    if grid_col and ctx.grids:
        for i, g in enumerate(ctx.grids, start=1):
            set_cell(lists, i, 1, g.code)
            set_cell(lists, i, 2, f"{g.code} {g.name}")
        if voc.kinds[kind].prefill_grids:
            # One row per grid of the first area, pre-filled.
            area = ctx.grids[0].area
            for i, g in enumerate([g for g in ctx.grids if g.area == area], start=2):
                set_cell(ws, i, grid_col, g.code)
        dv = DataValidation(type="list", formula1=f"=选项!$A$1:$A${len(ctx.grids)}", allow_blank=True)
        dv.error = "请从下拉列表选择网格编号"
        dv.errorTitle = "网格不在名册中"
        dv.prompt = "选择网格编号"
        ws.add_data_validation(dv)
        letter = get_column_letter(grid_col)
        dv.add(f"{letter}2:{letter}{max_rows}")
    # A category column (problems) offers the duties as a drop-down.
    category_cols = [c.header for c in spec.columns if c.type == "category" and c.header in headers]
    cats = list(voc.duties + voc.extra_categories)
    for i, c in enumerate(cats if category_cols else [], start=1):
        set_cell(lists, i, 3, c)
    for header in category_cols:
        dv = DataValidation(type="list", formula1=f"=选项!$C$1:$C${len(cats)}", allow_blank=False)
        dv.error = "问题类别应为八项职责之一或工作机制"
        ws.add_data_validation(dv)
        letter = get_column_letter(headers.index(header) + 1)
        dv.add(f"{letter}2:{letter}{max_rows}")
    wb.active = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_bytes(kind: str, db_file: str | os.PathLike[str] | None = None) -> bytes:
    """The template for a kind, filled from the database's registry and rubric when it exists."""
    p = db.db_path(db_file)
    ctx = Context()
    if p.exists():
        with db.connect(p) as con:
            try:
                ctx = current_context(con)
            except Exception:  # an empty or foreign file: a blank template still helps
                ctx = Context()
            day = reporting.report_deadline_day(con)
    else:  # no database yet: the default, from the same views.sql
        con = duckdb.connect(":memory:")
        try:
            db.ensure_schema(con)
            day = reporting.report_deadline_day(con)
        finally:
            con.close()
    return build_template(kind, ctx, day)


def write_template(kind: str, output: Path, db_file: str | os.PathLike[str] | None = None) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(template_bytes(kind, db_file))
    return output
