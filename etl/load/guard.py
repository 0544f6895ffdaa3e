"""Limits of a sane office sheet, checked before and after a workbook is read.

`check_xlsx` looks at an .xlsx/.xlsm zip without building any cell: the number of entries, every
entry's unpacked size and compression ratio, each worksheet's declared range (<dimension>) and
the cells it really contains, the shared strings (longest text, how much text the cells
reference). It streams every part in chunks, so a hostile file costs little memory here.
`check_sheets` checks what a reader returned (for .xls, .xlsb and CSV the structure cannot be
inspected as cheaply). Both raise FileUnreadable with a Chinese message naming the sheet, what
is too large and the limit. It runs inside the reader's child process (etl.load.sandbox): keep
its imports light.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from array import array
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import IO, Any

from etl.errors import FileUnreadable

# Limits (README "可靠性"). Excel itself allows 1,048,576 rows, 16,384 columns, 32,767 characters.
MAX_ROWS = 100_000
MAX_COLS = 300
MAX_CELL_CHARS = 32_767
MAX_CELLS = 3_000_000  # rows × columns of every sheet's used range, summed over the workbook
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # all entries of the zip, unpacked
MAX_TEXT_BYTES = 100 * 1024 * 1024  # the text the cells reference (one long text used by many cells)
MAX_ENTRIES = 5_000  # files inside the zip (a workbook has tens; with pictures, hundreds)
MAX_RATIO = 500  # unpacked / packed size of one entry larger than RATIO_MIN_BYTES
RATIO_MIN_BYTES = 1024 * 1024
MAX_FILE_BYTES = 100 * 1024 * 1024  # an .xls or CSV file as it is

CHUNK = 1024 * 1024
MAX_RUN = 4 * 1024 * 1024  # a single tag or text longer than this (bytes) is refused outright


def _refuse(message: str) -> BaseException:
    return FileUnreadable(message)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.0f} KB"


def column_letters(col: int) -> str:
    """1 → A, 300 → KN, 16384 → XFD."""
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + ord(ch) - 64
    return n


_ENTITY = re.compile(r"&(?:#[0-9]{1,10}|#x[0-9A-Fa-f]{1,10}|[A-Za-z]{2,8});")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _text_chars(raw: bytes) -> int:
    """Characters of XML text content: UTF-8 decoded, entities counted as one character."""
    text = raw.decode("utf-8", "replace")
    return len(text) - sum(len(e) - 1 for e in _ENTITY.findall(text))


def _unescape(text: str) -> str:
    """XML's entities (html.unescape would import a 2,000-entry table into the child)."""

    def one(m: re.Match[str]) -> str:
        body = m.group()[1:-1]
        try:
            if body.startswith(("#x", "#X")):
                return chr(int(body[2:], 16))
            if body.startswith("#"):
                return chr(int(body[1:]))
        except (ValueError, OverflowError):
            return m.group()
        return _NAMED.get(body, m.group())

    return _ENTITY.sub(one, text)


# --- sheet and range limits --------------------------------------------------------------


def _range_message(
    sheet: str, rows: int, cols: int, row_ref: str, col_ref: str, declared: bool
) -> str | None:
    def what(ref: str) -> str:
        return f"声明的使用范围为 {ref}" if declared else f"有单元格位于 {ref}"

    fix = "请在 Excel 中删除多余的行和列（或把数据复制到新工作簿）后重新保存再导入"
    if rows > MAX_ROWS:
        return f"工作表「{sheet}」{what(row_ref)}（第 {rows:,} 行），超过上限 {MAX_ROWS:,} 行。{fix}"
    if cols > MAX_COLS:
        return (
            f"工作表「{sheet}」{what(col_ref)}（第 {cols:,} 列，即 {column_letters(cols)} 列），"
            f"超过上限 {MAX_COLS} 列（{column_letters(MAX_COLS)} 列）。{fix}"
        )
    return None


def _cells_message(sheet: str | None, cells: int) -> str:
    where = f"工作表「{sheet}」的表格范围" if sheet else "整个工作簿的表格范围合计"
    return (
        f"{where}达 {cells:,} 个单元格（行数 × 列数），超过上限 {MAX_CELLS:,} 个单元格。"
        "请删除多余的行和列，或把数据拆成几个文件后再导入"
    )


def _long_text_message(sheet: str | None, chars: int | None, cell: str | None = None) -> str:
    where = f"工作表「{sheet}」" if sheet else "工作簿"
    where += f"单元格 {cell} " if cell else "中有单元格"
    size = f"长达 {chars:,} 个字符" if chars is not None else "过长"
    return f"{where}的文字{size}，超过 Excel 允许的上限 {MAX_CELL_CHARS:,} 个字符，疑似异常文件，已拒绝"


def check_sheets(sheets: Sequence[Any]) -> None:
    """Limits on sheets as a reader returned them (objects with .name and .rows)."""
    total = 0
    for s in sheets:
        rows = len(s.rows)
        cols = max((len(r) for r in s.rows), default=0)
        where = f"{column_letters(max(cols, 1))}{rows}"
        msg = _range_message(s.name, rows, cols, where, where, declared=False)
        if msg:
            raise _refuse(msg)
        total += rows * cols
        if rows * cols > MAX_CELLS:
            raise _refuse(_cells_message(s.name, rows * cols))
        for i, row in enumerate(s.rows):
            for j, value in enumerate(row):
                if type(value) is str and len(value) > MAX_CELL_CHARS:
                    raise _refuse(_long_text_message(s.name, len(value), f"{column_letters(j + 1)}{i + 1}"))
    if total > MAX_CELLS:
        raise _refuse(_cells_message(None, total))


def check_file_size(data: bytes, kind: str) -> None:
    """.xls and CSV: the file itself is bounded (their cells are checked after reading)."""
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(f"{kind} 文件有 {_mb(len(data))}，超过上限 {_mb(MAX_FILE_BYTES)}，请拆分后再导入")


# --- streaming over zip entries ----------------------------------------------------------


def _pieces(
    stream: IO[bytes],
    cut_at: bytes,
    what: str,
    overflow: Callable[[bytes, IO[bytes]], None] | None = None,
    whole: bool = False,
) -> Iterator[bytes]:
    """Chunks of an XML stream, each ending just before the last `cut_at` (else a tag start),
    so that tags and (for cut_at=b"<si") whole elements are never split. A run with no cut
    point longer than MAX_RUN is refused: no sane cell holds megabytes (`overflow`, given the
    run so far and the stream, may raise a more precise refusal first). `whole`: never cut
    inside an element that starts with `cut_at` (shared strings are measured whole)."""
    carry = b""
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            if carry:
                yield carry
            return
        buf = carry + chunk
        cut = buf.rfind(cut_at)
        if cut <= 0 and not whole:
            cut = buf.rfind(b"<")
        if cut <= 0:
            if len(buf) > MAX_RUN:
                if overflow:
                    overflow(buf, stream)
                raise _refuse(what)
            carry = buf
            continue
        yield buf[:cut]
        carry = buf[cut:]
        if len(carry) > MAX_RUN:
            if overflow:
                overflow(carry, stream)
            raise _refuse(what)


class _SheetScan:
    """What the scan of one worksheet found (a plain class: dataclasses cost the child ~10 ms)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.declared: tuple[int, int, str] | None = None  # rows, cols, ref as written
        self.max_row = 0
        self.max_col = 0
        self.row_at = ""  # a cell on the last row / in the last column (for the message)
        self.col_at = ""
        self.row = 0  # position of the last cell seen (cells without a reference follow it)
        self.col = 0
        self.cells = 0
        self.shared_refs = 0  # cells of type "s"


_DIMENSION = re.compile(rb'<dimension\s+ref="([^"]{1,64})"')
_REF = re.compile(r"^\$?([A-Za-z]{1,4})\$?(\d{1,9})$")
_CELL_FAST = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"')
_TAG = re.compile(rb"<(row|c)(?=[\s/>])([^>]*)>|</row>")
_ATTR_R = re.compile(rb'\br\s*=\s*["\']([^"\']*)["\']')
_LONG_RUN = re.compile(rb"<[^<]{%d,}" % MAX_CELL_CHARS)


def _parse_ref(text: str) -> tuple[int, int] | None:
    m = _REF.match(text.strip())
    return (int(m.group(2)), column_number(m.group(1))) if m else None


def _declared(name: str, head: bytes) -> tuple[int, int, str] | None:
    m = _DIMENSION.search(head)
    if not m:
        return None
    ref = m.group(1).decode("ascii", "replace")
    first, _, last = ref.partition(":")
    if first == last:  # "XFD1048576:XFD1048576" reads better as one cell
        ref = first
    corner = _parse_ref(ref.split(":")[-1])
    if corner is None:
        return None
    return corner[0], corner[1], ref


def _scan_sheet(zf: zipfile.ZipFile, entry: str, name: str) -> _SheetScan:
    scan = _SheetScan(name)
    long_text = _long_text_message(name, None)
    with zf.open(entry) as stream:
        first = True
        for piece in _pieces(stream, b"<c", long_text):
            if first:
                scan.declared = _declared(name, piece[:65536])
                first = False
                if scan.declared:
                    rows, cols, ref = scan.declared
                    msg = _range_message(name, rows, cols, ref, ref, declared=True)
                    if msg:
                        raise _refuse(msg)
            n_cells = piece.count(b"<c ") + piece.count(b"<c>") + piece.count(b"<c/>")
            refs = _CELL_FAST.findall(piece)
            if len(refs) == n_cells:
                if refs:
                    col_b = max(set(map(itemgetter(0), refs)), key=lambda c: (len(c), c))
                    row = max(map(int, set(map(itemgetter(1), refs))))  # int: "0000001" is row 1
                    col = column_number(col_b)
                    # The cell's reference is only looked up for a message (a Python loop).
                    if row > scan.max_row:
                        scan.max_row = row
                        if row > MAX_ROWS:
                            scan.row_at = next(f"{c.decode()}{r.decode()}" for c, r in refs if int(r) == row)
                    if col > scan.max_col:
                        scan.max_col = col
                        if col > MAX_COLS:
                            scan.col_at = next(f"{c.decode()}{r.decode()}" for c, r in refs if c == col_b)
                    scan.row, scan.col = int(refs[-1][1]), column_number(refs[-1][0])
            else:
                # Cells without r="" first (not what Excel writes): follow the positions exactly.
                _scan_positions(scan, piece)
            scan.cells += n_cells
            scan.shared_refs += piece.count(b't="s"')
            for m in _LONG_RUN.finditer(piece):
                run = m.group()
                text = run[run.find(b">") + 1 :] if b">" in run else b""
                if len(text) > MAX_CELL_CHARS and (chars := _text_chars(text)) > MAX_CELL_CHARS:
                    raise _refuse(_long_text_message(name, chars))
            if scan.max_row > MAX_ROWS or scan.max_col > MAX_COLS:
                break
    return scan


def _scan_positions(scan: _SheetScan, piece: bytes) -> None:
    """Exact positions when cells (or rows) omit their reference: a row without one follows the
    previous row, a cell without one the previous cell of its row (as readers place them)."""
    for m in _TAG.finditer(piece):
        tag = m.group(1)
        if tag is None:  # </row>
            continue
        r = _ATTR_R.search(m.group(2))
        if tag == b"row":
            scan.row = int(r.group(1)) if r and r.group(1).isdigit() else scan.row + 1
            scan.col = 0
            continue
        pos = _parse_ref(r.group(1).decode("ascii", "replace")) if r else None
        if pos is not None:
            scan.row, scan.col = pos
        else:
            scan.row, scan.col = max(scan.row, 1), scan.col + 1
        ref = f"{column_letters(scan.col)}{scan.row}"
        if scan.row > scan.max_row:
            scan.max_row, scan.row_at = scan.row, ref
        if scan.col > scan.max_col:
            scan.max_col, scan.col_at = scan.col, ref


# --- shared strings ------------------------------------------------------------------------

_SI = re.compile(rb"<si\b[^>]*?(?:/>|>(.*?)</si>)", re.DOTALL)
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.DOTALL)
_T = re.compile(rb"<t\b[^>]*>([^<]*)</t>")


class _LongString(Exception):
    def __init__(self, index: int, chars: int) -> None:
        self.index, self.chars = index, chars


_MARKUP = re.compile(rb"<[^>]*>")


class _GiantCounter:
    """Called with a run of megabytes (a shared string that does not end): counts its
    characters to its end, streaming, then reports it as the next string's index."""

    def __init__(self, sizes: array[int]) -> None:
        self.sizes = sizes

    def __call__(self, start: bytes, stream: IO[bytes]) -> None:
        chars, piece = 0, start[start.find(b">") + 1 :] if start.startswith(b"<si") else start
        while piece:
            end = piece.find(b"</si>")
            part = piece if end < 0 else piece[:end]
            chars += _text_chars(_MARKUP.sub(b"", part))
            if end >= 0:
                break
            piece = stream.read(CHUNK)
        raise _LongString(len(self.sizes), chars)


def _scan_shared_strings(zf: zipfile.ZipFile, entry: str) -> tuple[array[int], int | None, int]:
    """Byte size of every shared string (for the text-volume check) and the first string longer
    than Excel allows: (sizes, index of the long string or None, its length in characters)."""
    sizes: array[int] = array("Q")
    too_long = _long_text_message(None, None)
    try:
        return _scan_shared_pieces(zf, entry, sizes, too_long)
    except _LongString as long:
        return sizes, long.index, long.chars


def _scan_shared_pieces(
    zf: zipfile.ZipFile, entry: str, sizes: array[int], too_long: str
) -> tuple[array[int], int | None, int]:
    with zf.open(entry) as stream:
        for piece in _pieces(stream, b"<si", too_long, _GiantCounter(sizes), whole=True):
            for m in _SI.finditer(piece):
                inner = m.group(1) or b""
                sizes.append(len(inner))
                if len(inner) > MAX_CELL_CHARS:
                    body = _PHONETIC.sub(b"", inner)
                    chars = sum(_text_chars(t) for t in _T.findall(body))
                    if chars > MAX_CELL_CHARS:
                        return sizes, len(sizes) - 1, chars
            if len(sizes) > MAX_CELLS:
                raise _refuse(f"工作簿中不同文字的数量超过 {MAX_CELLS:,} 个的上限，疑似异常文件，已拒绝")
    return sizes, None, 0


def _cells_using(zf: zipfile.ZipFile, sheets: list[tuple[str, str]], index: int) -> tuple[str, str] | None:
    """The first cell (sheet, reference) that shows shared string `index`."""
    pattern = re.compile(rb'<c r="([A-Z]{1,3}\d{1,7})"[^>]*?t="s"[^>]*><v>%d</v>' % index)
    for entry, name in sheets:
        with zf.open(entry) as stream:
            for piece in _pieces(stream, b"<c", _long_text_message(name, None)):
                m = pattern.search(piece)
                if m:
                    return name, m.group(1).decode("ascii")
    return None


def _shared_text_bytes(zf: zipfile.ZipFile, sheets: list[tuple[str, str]], sizes: array[int]) -> int:
    """Bytes of shared text all cells reference (a long text used by many cells counts each time)."""
    pattern = re.compile(rb't="s"[^>]*><v>(\d{1,9})</v>')
    total = 0
    n = len(sizes)
    for entry, name in sheets:
        with zf.open(entry) as stream:
            for piece in _pieces(stream, b"<c", _long_text_message(name, None)):
                for idx in map(int, pattern.findall(piece)):
                    if idx < n:
                        total += sizes[idx]
    return total


# --- the workbook --------------------------------------------------------------------------

_SHEET = re.compile(rb"<sheet\b([^>]*)>")
_REL = re.compile(rb"<Relationship\b([^>]*)>")
_NAME_ATTR = re.compile(rb'\bname\s*=\s*"([^"]*)"')
_RID_ATTR = re.compile(rb'\b[\w]+:id\s*=\s*"([^"]*)"')
_ID_ATTR = re.compile(rb'\bId\s*=\s*"([^"]*)"')
_TARGET_ATTR = re.compile(rb'\bTarget\s*=\s*"([^"]*)"')
_SMALL_PART = 8 * 1024 * 1024


def _small(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return b""
    if info.file_size > _SMALL_PART:
        raise _refuse(f"文件中的「{name}」有 {_mb(info.file_size)}，不像正常的 Excel 工作簿，已拒绝")
    return zf.read(name)


def _attr(pattern: re.Pattern[bytes], attrs: bytes) -> str | None:
    m = pattern.search(attrs)
    return _unescape(m.group(1).decode("utf-8", "replace")) if m else None


def _worksheets(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(zip entry, sheet name) of every worksheet: the ones the workbook lists, then any other
    part under xl/worksheets/ (a reader may find it by its own rules)."""
    rels: dict[str, str] = {}
    for m in _REL.finditer(_small(zf, "xl/_rels/workbook.xml.rels")):
        rid, target = _attr(_ID_ATTR, m.group(1)), _attr(_TARGET_ATTR, m.group(1))
        if rid and target:
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            rels[rid] = posixpath.normpath(path)
    names = set(zf.namelist())
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for m in _SHEET.finditer(_small(zf, "xl/workbook.xml")):
        name, rid = _attr(_NAME_ATTR, m.group(1)), _attr(_RID_ATTR, m.group(1))
        entry = rels.get(rid or "")
        if name is not None and entry in names and entry not in seen:
            out.append((entry, name))
            seen.add(entry)
    for entry in sorted(names):
        if entry.startswith("xl/worksheets/") and entry.endswith(".xml") and entry not in seen:
            out.append((entry, posixpath.basename(entry)))
    return out


def check_xlsx(data: bytes) -> None:
    """Refuse an .xlsx/.xlsm/.xlsb zip that exceeds the limits, before any cell is read."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # the reader reports a damaged file in its own words
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _refuse(
                f"压缩包中有 {len(infos):,} 个文件，超过上限 {MAX_ENTRIES:,} 个，不像正常的 Excel 工作簿，已拒绝"
            )
        for i in infos:
            if i.file_size > RATIO_MIN_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                ratio = i.file_size // max(i.compress_size, 1)
                raise _refuse(
                    f"文件中的「{i.filename}」压缩比异常（{ratio:,}∶1，解压后 {_mb(i.file_size)}），"
                    "疑似“压缩炸弹”，已拒绝"
                )
        total = sum(i.file_size for i in infos)
        if total > MAX_UNPACKED_BYTES:
            raise _refuse(
                f"文件解压后达 {_mb(total)}，超过上限 {_mb(MAX_UNPACKED_BYTES)}，疑似异常文件，已拒绝"
            )
        sheets = _worksheets(zf)
        scans: list[_SheetScan] = []
        for entry, name in sheets:
            scan = _scan_sheet(zf, entry, name)
            msg = _range_message(name, scan.max_row, scan.max_col, scan.row_at, scan.col_at, declared=False)
            if msg:
                raise _refuse(msg)
            if scan.max_row * scan.max_col > MAX_CELLS:
                raise _refuse(_cells_message(name, scan.max_row * scan.max_col))
            scans.append(scan)
        area = sum(s.max_row * s.max_col for s in scans)
        if area > MAX_CELLS:
            raise _refuse(_cells_message(None, area))
        sst = "xl/sharedStrings.xml"
        if sst not in zf.namelist():
            return
        sizes, long_index, chars = _scan_shared_strings(zf, sst)
        if long_index is not None:
            where = _cells_using(zf, sheets, long_index)
            sheet, cell = where if where else (None, None)
            raise _refuse(_long_text_message(sheet, chars, cell))
        refs = sum(s.shared_refs for s in scans)
        if sizes and refs * max(sizes) > MAX_TEXT_BYTES:
            volume = _shared_text_bytes(zf, sheets, sizes)
            if volume > MAX_TEXT_BYTES:
                raise _refuse(
                    f"工作簿各单元格引用的文字合计约 {_mb(volume)}（同一段长文字被许多单元格重复使用），"
                    f"超过上限 {_mb(MAX_TEXT_BYTES)}，疑似异常文件，已拒绝"
                )
