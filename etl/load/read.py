"""Readers: the bytes of an .xlsx/.xlsm/.xls/.csv file → sheets of raw cell values.

python-calamine reads all three Excel formats (fast, Rust). CSV is decoded as UTF-8 (with or
without BOM), then GB18030 (a superset of GBK, what Excel on Chinese Windows writes).

`read_in_process` is the reader itself, run inside the child process of etl.load.sandbox after
the limits (etl.load.guard); callers use `sandbox.read_workbook`, so that a hostile file can
neither crash nor exhaust the caller (the Streamlit server). Keep this module's imports light
(no pandas): the child imports it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import PurePath
from typing import Any

from etl.errors import FileUnreadable
from etl.load import guard

MAX_UNPACKED_BYTES = guard.MAX_UNPACKED_BYTES

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class Sheet:
    """One sheet's cells as the reader returns them; rows[0] is Excel row 1. (A plain class:
    importing dataclasses would cost every reader child process ~10 ms.)"""

    __slots__ = ("name", "rows")

    def __init__(self, name: str, rows: list[list[Any]]) -> None:
        self.name = name
        self.rows = rows

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sheet) and (self.name, self.rows) == (other.name, other.rows)

    def __repr__(self) -> str:
        return f"Sheet(name={self.name!r}, rows=<{len(self.rows)} rows>)"


def _looks_encrypted_ole(data: bytes) -> bool:
    # An encrypted .xlsx is an OLE container holding EncryptionInfo/EncryptedPackage streams;
    # an encrypted .xls carries a FILEPASS record that calamine refuses.
    return "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in data


def _check_zip(data: bytes) -> set[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileUnreadable("文件已损坏或不完整（无法解压），请重新从 Excel 另存为 .xlsx 后上传") from None
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        if "word/document.xml" in names:
            raise FileUnreadable("这是 Word 文档，不是 Excel 表格，请上传 .xlsx、.xls 或 .csv 文件")
        raise FileUnreadable("不是 Excel 表格文件（压缩包中没有工作簿），请上传 .xlsx、.xls 或 .csv")
    return names


def _read_excel(data: bytes) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several error types for bad files
        text = str(exc).lower()
        if "password" in text or "encrypt" in text or _looks_encrypted_ole(data):
            raise FileUnreadable("工作簿设置了打开密码（已加密），请在 Excel 中取消密码后再上传") from None
        raise FileUnreadable(
            "文件已损坏或格式不对，Excel 读取失败，请用 Excel 打开后另存为 .xlsx 再上传"
        ) from None
    sheets: list[Sheet] = []
    for name in wb.sheet_names:
        try:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception:
            raise FileUnreadable(f"工作表「{name}」已损坏，无法读取") from None
        sheets.append(Sheet(name=name, rows=[list(r) for r in rows]))
    return sheets


RESAVE = "请用 Excel 打开它，点「文件 → 另存为」，保存类型选「CSV UTF-8（逗号分隔）」或「Excel 工作簿（.xlsx）」，再上传另存的文件"


def _utf16(data: bytes) -> bool:
    """UTF-16 text (Excel's 'Unicode text'): a byte-order mark, or a NUL beside every ASCII byte."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            data.decode("utf-16")
            return True
        except UnicodeDecodeError:
            return False
    head = data[:400]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return (
        max(even.count(0) / len(even), odd.count(0) / len(odd)) > 0.3
        and min(even.count(0), odd.count(0)) == 0
    )


# Big5 read as GBK: the commonest traditional characters (Big5 lead bytes A4–A9) land on GBK's
# kana, Greek, Cyrillic, bopomofo and box-drawing rows, which a Chinese table never holds.
_GBK_ODD = ((0x3040, 0x30FF), (0x0370, 0x04FF), (0x3100, 0x312F), (0x2500, 0x257F))


def _looks_big5(data: bytes, as_gbk: str) -> bool:
    odd = sum(1 for ch in as_gbk if any(lo <= ord(ch) <= hi for lo, hi in _GBK_ODD))
    cjk = sum(1 for ch in as_gbk if "\u4e00" <= ch <= "\u9fff")
    if odd < 2 or odd < 0.05 * (odd + cjk):
        return False
    for encoding in ("big5", "cp950"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not), then GB18030; FileUnreadable naming the likely encoding (UTF-16,
    Big5) and how to re-save the file from Excel when neither fits."""
    if _utf16(data):
        raise FileUnreadable(
            f"CSV 文件是 UTF-16（Unicode 文本）编码，本系统读取 UTF-8 或 GBK 编码的 CSV。{RESAVE}"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is None or _looks_big5(data, text):
        likely = (
            "像是 Big5（繁体中文）编码" if text is not None else "编码无法识别（既不是 UTF-8 也不是 GBK）"
        )
        raise FileUnreadable(f"CSV 文件{likely}，本系统读取 UTF-8 或 GBK 编码的 CSV。{RESAVE}")
    return text


def _read_csv(data: bytes, name: str) -> list[Sheet]:
    if b"\x00" in data[:4096] and not _utf16(data):
        raise FileUnreadable("不是文本格式的 CSV 文件，请上传 .xlsx、.xls 或 .csv")
    text = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    sheet = PurePath(name).stem
    rows: list[list[Any]] = []
    csv.field_size_limit(guard.MAX_CELL_CHARS)
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(row)
            if len(rows) > guard.MAX_ROWS or len(row) > guard.MAX_COLS:
                break  # guard.check_sheets names the limit
    except csv.Error:
        raise FileUnreadable(
            f"CSV 文件第 {len(rows) + 1:,} 行有一格文字超过 {guard.MAX_CELL_CHARS:,} 个字符"
            "（或引号不配对），疑似异常文件，已拒绝"
        ) from None
    return [Sheet(name=sheet, rows=rows)]


def sniff(data: bytes, file_name: str) -> str:
    """ "zip", "ole" or "csv" by the bytes; FileUnreadable for anything that is not a table."""
    if not data:
        raise FileUnreadable("文件是空的（0 字节）")
    suffix = PurePath(file_name).suffix.lower()
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE_MAGIC):
        if _looks_encrypted_ole(data):
            raise FileUnreadable("工作簿设置了打开密码（已加密），请在 Excel 中取消密码后再上传")
        return "ole"
    if data[:5] == b"%PDF-":
        raise FileUnreadable("这是 PDF 文件，不是表格，请上传 .xlsx、.xls 或 .csv 文件")
    if data[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1", b"GIF8"):
        raise FileUnreadable("这是图片，不是表格，请上传 .xlsx、.xls 或 .csv 文件")
    if suffix in (".csv", ".txt", ""):
        return "csv"
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raise FileUnreadable("文件扩展名是 Excel，但内容不是 Excel 表格（文件已损坏或被改名）")
    raise FileUnreadable(f"不支持的文件类型「{suffix}」，请上传 .xlsx、.xlsm、.xls 或 .csv 文件")


def read_in_process(data: bytes, file_name: str) -> list[Sheet]:
    """Check the limits, then read every sheet, in this process. Only etl.load.sandbox's child calls
    this: a hostile file may still find a way to crash or exhaust the process that reads it."""
    kind = sniff(data, file_name)
    if kind == "zip":
        _check_zip(data)
        guard.check_xlsx(data)
        sheets = _read_excel(data)
    elif kind == "ole":
        guard.check_file_size(data, ".xls")
        sheets = _read_excel(data)
    else:
        guard.check_file_size(data, "CSV")
        sheets = _read_csv(data, file_name)
    guard.check_sheets(sheets)  # also what the zip checks cannot see (.xls, .xlsb, CSV, rich text)
    if not any(any(str(c).strip() for c in row if c is not None) for s in sheets for row in s.rows):
        raise FileUnreadable("工作簿是空的，没有任何数据")
    return sheets
