"""Hostile spreadsheets built in code (issue 10): each is small on disk and tries to make the
reader ask for far more than an office sheet needs. Shared by tests/test_hostile_files.py and
bench/bench_hostile.py.

Most are written with zipfile directly, so that what the attacker controls (the declared range,
the cell references, a shared string) is exactly what the test says.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="考核" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET = "考核"  # the sheet name of every hand-built workbook


def _sheet_xml(rows: str, dimension: str = "A1") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}>'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )


def _shared(strings: list[str]) -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return f'<sst {_NS} count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'


def write_workbook(path: Path, sheet_xml: str | None = None, shared: str | None = None) -> Path:
    """A minimal but complete .xlsx (one sheet 「考核」) from the given XML parts."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml or _sheet_xml(""))
        zf.writestr("xl/sharedStrings.xml", shared or _shared([]))
    return path


def lone_cell_openpyxl(folder: Path, ref: str = "XFD1048576") -> Path:
    """What an attacker types in Excel: one value in the last cell (openpyxl declares the
    range honestly, as Excel does)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws[ref] = 1
    path = folder / f"孤立单元格_{ref}.xlsx"
    wb.save(path)
    return path


def lone_cell_lying(folder: Path, ref: str = "XFD1048576") -> Path:
    """The same cell, but the sheet declares its range as A1: only the cells tell the truth."""
    row = "".join(ch for ch in ref if ch.isdigit())
    sheet = _sheet_xml(f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>', dimension="A1")
    return write_workbook(folder / f"谎报范围_{ref}.xlsx", sheet)


def far_cell(folder: Path) -> Path:
    """A normal header in row 1 and one number at AAA100000 (column 703)."""
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="100000"><c r="AAA100000"><v>7</v></c></row>'
    )
    return write_workbook(folder / "远处单元格_AAA100000.xlsx", _sheet_xml(rows), _shared(["月份", "网格"]))


def huge_shared_string(folder: Path, megabytes: int = 40, cells: int = 1120) -> Path:
    """sharedStrings.xml holds one string of `megabytes` MB, shown by `cells` cells. The text
    repeats a random 1,000-letter pattern: it compresses about 100:1, below the ratio a zip bomb
    is refused for, so the string itself must be noticed."""
    rng = random.Random(10)
    pattern = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(1000)).encode()
    path = folder / f"超长文字_{megabytes}MB.xlsx"
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{col}{r}" t="s"><v>0</v></c>' for col in "ABCDEFGH") + "</row>"
        for r in range(1, cells // 8 + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", _sheet_xml(rows, f"A1:H{cells // 8}"))
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(f'<sst {_NS} count="{cells}" uniqueCount="1"><si><t>'.encode())
            block = pattern * 1024  # ~1 MB
            for _ in range(megabytes):
                out.write(block)
            out.write(b"</t></si></sst>")
    return path


def repeated_long_text(folder: Path, chars: int = 30_000, cells: int = 4_000) -> Path:
    """Each string within Excel's limit, but one long text shown by thousands of cells: the text
    the reader would build adds up to ~120 MB."""
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, cells + 1))
    return write_workbook(
        folder / "重复长文字.xlsx", _sheet_xml(rows, f"A1:A{cells}"), _shared(["长" * chars])
    )


def split_long_text(folder: Path, inline: bool = False) -> Path:
    """One text of 900,000 characters cut into 300 formatted runs of 3,000 (each run within
    Excel's limit; the reader joins them). In the shared strings, or inline in the sheet."""
    rng = random.Random(3)
    runs = "".join(
        "<r><t>"
        + "".join(rng.choice("网格管理考核得分月度年终志愿服务问题台账整改") for _ in range(3000))
        + "</t></r>"
        for _ in range(300)
    )
    if inline:
        row = f'<row r="1"><c r="A1" t="inlineStr"><is>{runs}</is></c></row>'
        return write_workbook(folder / "分段长文字_单元格内.xlsx", _sheet_xml(row))
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 50))
    shared = f'<sst {_NS} count="49" uniqueCount="1"><si>{runs}</si></sst>'
    return write_workbook(folder / "分段长文字.xlsx", _sheet_xml(rows, "A1:A49"), shared)


def zip_bomb(folder: Path, megabytes: int = 300) -> Path:
    """A worksheet that unpacks to `megabytes` MB of XML from a file of a few hundred KB."""
    path = folder / f"压缩炸弹_{megabytes}MB.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/sharedStrings.xml", _shared([]))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>'.encode())
            block = b"<row/>" * (1024 * 1024 // 6)
            for _ in range(megabytes):
                out.write(block)
            out.write(b"</sheetData></worksheet>")
    return path


def csv_in_disguise(folder: Path) -> Path:
    """A CSV (what some systems export) saved with an .xlsx name."""
    path = folder / "伪装成xlsx的文本.xlsx"
    path.write_text("月份,网格,A1\n2019-03,01,10\n", encoding="utf-8")
    return path


def zip_in_disguise(folder: Path) -> Path:
    """A zip of photos renamed to .xlsx."""
    path = folder / "照片压缩包.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("DCIM/IMG_0001.jpg", b"\xff\xd8\xff\xe0" + bytes(2000))
    return path


def wide_without_references(folder: Path) -> Path:
    """Cells written without r="" (allowed by the format): 400 of them in one row make it 400
    columns wide, which only following the positions reveals."""
    row = "<row>" + "<c><v>1</v></c>" * 400 + "</row>"
    return write_workbook(folder / "无引用的宽行.xlsx", _sheet_xml(row, dimension="A1"))


def normal_workbook(folder: Path) -> Path:
    """An ordinary small sheet (for the fault-injection tests: the file is fine, the reader is not)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["月份", "网格", "A1"])
    ws.append(["2019-03", "01", 10])
    path = folder / "普通表格.xlsx"
    wb.save(path)
    return path


# name → (builder, words the refusal must contain)
CASES: dict[str, tuple[Callable[[Path], Path], list[str]]] = {
    "xfd1048576": (
        lone_cell_openpyxl,
        [f"工作表「{SHEET}」", "XFD1048576", "1,048,576 行", "上限 100,000 行"],
    ),
    "xfd1048576_lying": (
        lone_cell_lying,
        [f"工作表「{SHEET}」", "有单元格位于 XFD1048576", "上限 100,000 行"],
    ),
    "aaa100000": (far_cell, [f"工作表「{SHEET}」", "AAA100000", "第 703 列", "上限 300 列"]),
    "shared_string_40mb": (
        huge_shared_string,
        [f"工作表「{SHEET}」单元格 A1", "40,960,000 个字符", "上限 32,767 个字符"],
    ),
    "split_long_text": (
        split_long_text,
        [f"工作表「{SHEET}」单元格 A1", "900,000 个字符", "上限 32,767 个字符"],
    ),
    "split_long_inline_text": (
        lambda f: split_long_text(f, inline=True),
        [f"工作表「{SHEET}」单元格 A1", "900,000 个字符", "上限 32,767 个字符"],
    ),
    "repeated_long_text": (repeated_long_text, ["文字合计约 343 MB", "上限 100 MB"]),
    "zip_bomb": (zip_bomb, ["xl/worksheets/sheet1.xml", "压缩炸弹"]),
    "csv_in_disguise": (csv_in_disguise, ["文件扩展名是 Excel，但内容不是 Excel 表格"]),
    "zip_in_disguise": (zip_in_disguise, ["压缩包中没有工作簿"]),
    "wide_without_references": (wide_without_references, [f"工作表「{SHEET}」", "列，即", "上限 300 列"]),
}
