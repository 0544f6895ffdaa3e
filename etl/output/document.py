"""Word documents in the house style of county official papers (党政机关公文格式, GB/T 9704 in
spirit): A4, 仿宋 body with first-line indent, 黑体 / 楷体 headings, a red masthead rule, page
numbers as "— 1 —". Shared by the bulletin (etl/output/bulletin_docx.py) and the notices
(etl/output/notice_doc.py).

Font names are those of a Chinese Windows/WPS install (宋体, 黑体, 仿宋, 楷体); Word and
LibreOffice substitute where one is missing. East Asian text needs the w:eastAsia font set
explicitly, which python-docx does not do by itself: `style_run` does it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from etl.safetext import xml_text

SONG = "宋体"
HEI = "黑体"
FANGSONG = "仿宋"
KAI = "楷体"
RED = RGBColor(0xC0, 0x00, 0x00)
BLACK = RGBColor(0, 0, 0)
LIGHT_RED = "FBE4E4"
HEADER_GREY = "E7E6E6"

# Chinese type sizes (字号) in points.
SIZE_2 = 22.0  # 二号
SIZE_3 = 16.0  # 三号
SIZE_4 = 14.0  # 四号
SIZE_SMALL_4 = 12.0  # 小四
SIZE_5 = 10.5  # 五号
SIZE_SMALL_5 = 9.0  # 小五


def chinese_date(d: date) -> str:
    """2019年4月5日 (no leading zeros, as official papers write dates)."""
    return f"{d.year}年{d.month}月{d.day}日"


def month_day(d: date, year: int) -> str:
    """'3月25日' within `year` (the year the document is about), '2020年1月3日' outside it."""
    return f"{d.month}月{d.day}日" if d.year == year else chinese_date(d)


def chinese_month(d: date) -> str:
    return f"{d.year}年{d.month}月"


def number(x: float | int | None, digits: int = 2) -> str:
    """85.5 → '85.5', 86.0 → '86', None → '—': scores as a person writes them."""
    if x is None or x != x:
        return "—"
    text = f"{float(x):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def new_document(landscape: bool = False) -> DocxDocument:
    """An A4 document with official-paper margins, 仿宋 body and page numbers at the foot."""
    doc = Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(28)
    section.bottom_margin = Mm(25)
    section.left_margin = Mm(26)
    section.right_margin = Mm(24)
    section.footer_distance = Mm(15)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(SIZE_4)
    _set_fonts(normal.element.get_or_add_rPr(), FANGSONG)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    _page_number_footer(section.footer.paragraphs[0])
    return doc


def text_width(doc: DocxDocument) -> int:
    section = doc.sections[-1]
    return int(section.page_width - section.left_margin - section.right_margin)


def _set_fonts(rpr: OxmlElement, font: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


def style_run(
    run: Run,
    font: str = FANGSONG,
    size: float | None = None,
    bold: bool = False,
    color: RGBColor | None = None,
) -> Run:
    _set_fonts(run._element.get_or_add_rPr(), font)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    return run


def paragraph(
    doc: DocxDocument,
    text: str = "",
    *,
    font: str = FANGSONG,
    size: float = SIZE_4,
    bold: bool = False,
    color: RGBColor | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = True,
    line: float | None = None,
    before: float = 0,
    after: float = 0,
) -> Paragraph:
    """A paragraph of one run; body text is indented two characters (首行缩进2字符)."""
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    if align is not None:
        p.alignment = align
    elif indent:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent and align is None:
        fmt.first_line_indent = Pt(size * 2)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line or size * 1.75)
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if text:
        style_run(p.add_run(xml_text(text)), font, size, bold, color)
    return p


def runs(p: Paragraph, parts: Sequence[tuple[str, str]], size: float = SIZE_4) -> Paragraph:
    """Append runs of (text, font) to a paragraph: a 黑体 lead-in followed by 仿宋 text."""
    for text, font in parts:
        style_run(p.add_run(xml_text(text)), font, size)
    return p


def heading(doc: DocxDocument, text: str, level: int = 1, size: float = SIZE_4) -> Paragraph:
    """一、 in 黑体; （一） in 楷体; indented like body text."""
    font = HEI if level == 1 else KAI
    p = paragraph(doc, text, font=font, size=size, bold=False)
    p.paragraph_format.keep_with_next = True
    return p


def rule(p: Paragraph, color: str = "C00000", size_eighths: int = 18, where: str = "bottom") -> Paragraph:
    """A horizontal line under (or over) a paragraph: the red masthead rule (红色分隔线)."""
    ppr = p._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{where}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)
    return p


def left_right(
    doc: DocxDocument, left: str, right: str, size: float = SIZE_4, font: str = FANGSONG
) -> Paragraph:
    """One line with text at both margins (masthead: issuer left, date right)."""
    p = paragraph(doc, indent=False, size=size)
    p.paragraph_format.tab_stops.add_tab_stop(text_width(doc), WD_TAB_ALIGNMENT.RIGHT)
    style_run(p.add_run(xml_text(f"{left}\t{right}")), font, size)
    return p


def _page_number_footer(p: Paragraph) -> None:
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style_run(p.add_run("— "), SONG, SIZE_4)
    run = style_run(p.add_run(), SONG, SIZE_4)
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    style_run(p.add_run(" —"), SONG, SIZE_4)


def shade(cell: object, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def table(
    doc: DocxDocument,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths_mm: Sequence[float],
    *,
    size: float = SIZE_SMALL_5,
    highlight: Sequence[bool] | None = None,
    grey: Sequence[bool] | None = None,
    left_columns: Sequence[int] = (),
) -> Table:
    """A bordered table: header row repeated on every page, 宋体 small type, centred cells,
    rows flagged in `highlight` shaded light red and bold (bottom three), `grey` in grey."""
    t = doc.add_table(rows=1 + len(rows), cols=len(header))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    hdr = t.rows[0]
    trpr = hdr._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    cant_split = OxmlElement("w:cantSplit")
    trpr.append(cant_split)
    for i, row in enumerate([list(header), *[list(r) for r in rows]]):
        red = i > 0 and highlight is not None and bool(highlight[i - 1])
        dim = i > 0 and grey is not None and bool(grey[i - 1])
        for j, value in enumerate(row):
            cell = t.rows[i].cells[j]
            cell.width = Mm(widths_mm[j])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if (i and j in left_columns) else WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.line_spacing = 1.0
            text = "" if value is None else str(value)
            style_run(
                p.add_run(xml_text(text)), HEI if i == 0 else SONG, size, bold=red, color=RED if red else None
            )
            if i == 0:
                shade(cell, HEADER_GREY)
            elif red:
                shade(cell, LIGHT_RED)
            elif dim:
                shade(cell, "F2F2F2")
    for j, w in enumerate(widths_mm):
        t.columns[j].width = Mm(w)
    return t


def picture(doc: DocxDocument, png: bytes, width_mm: float, caption: str | None = None) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
    p.paragraph_format.keep_with_next = caption is not None
    if caption:
        paragraph(doc, caption, font=KAI, size=SIZE_SMALL_4, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)


def to_bytes(doc: DocxDocument) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def core_properties(doc: DocxDocument, title: str, author: str) -> None:
    props = doc.core_properties
    # Core properties hold at most 255 characters (python-docx refuses more).
    props.title = xml_text(title)[:255]
    props.author = xml_text(author)[:255]
    props.last_modified_by = xml_text(author)[:255]
    props.comments = "由网格化管理考核看板生成，可直接编辑"
