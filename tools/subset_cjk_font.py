"""Build etl/output/fonts/GridSansSC-Regular.otf: a subset of Noto Sans CJK SC for chart images.

Development-time only (needs fontTools, which matplotlib already brings, and the system's
Noto Sans CJK: `apt-get install fonts-noto-cjk`). The result is committed, so charts render
Chinese on any machine, offline, without a system CJK font.

Coverage: printable ASCII and Latin-1, GB2312 (all 6,763 hanzi and its symbols), CJK
punctuation and full-width forms, arrows and a few marks the documents use, and every CJK
character that appears in the project's own text (code, SQL, TOML, sample data). Characters
outside it fall back to a system CJK font when one is installed (etl/output/fonts.py).

Licence: Noto Sans CJK is under the SIL Open Font License 1.1, which allows modified
(subset) copies to be redistributed with software under the same licence. The subset gets
its own family name ("Grid Sans SC") so that it never passes for the full font; the OFL
text and the original copyright go beside it as OFL.txt.

    .venv/bin/python tools/subset_cjk_font.py [--source PATH.ttc]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "etl" / "fonts"
OUT_FILE = OUT_DIR / "GridSansSC-Regular.otf"
FAMILY = "Grid Sans SC"
PS_NAME = "GridSansSC-Regular"
SOURCES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
)
WANTED_FACE = "Noto Sans CJK SC"
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
MAX_BYTES = 5 * 1024 * 1024
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def gb2312_chars() -> set[str]:
    """Every character of GB2312 (rows 0xA1–0xF7, cells 0xA1–0xFE)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def project_chars() -> set[str]:
    """CJK characters used anywhere in the project's own text files."""
    chars: set[str] = set()
    for pattern in ("etl/**/*.py", "etl/**/*.sql", "etl/**/*.toml", "pages/*.py", "*.py", "README.md"):
        for f in ROOT.glob(pattern):
            chars |= set(CJK.findall(f.read_text(encoding="utf-8", errors="ignore")))
    for f in (ROOT / "data" / "sample").glob("**/*"):
        if f.suffix.lower() in {".csv", ".txt", ".md"}:
            chars |= set(CJK.findall(f.read_text(encoding="utf-8-sig", errors="ignore")))
    return chars


def wanted_chars() -> set[str]:
    chars = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)}
    chars |= {chr(c) for c in range(0x3000, 0x3040)}  # CJK symbols and punctuation
    chars |= {chr(c) for c in range(0xFF01, 0xFF5F)}  # full-width forms
    chars |= {chr(c) for c in range(0x2010, 0x2070)}  # dashes, quotes, ‰, ※
    chars |= {chr(c) for c in range(0x2190, 0x21A0)}  # arrows ↑ ↓
    chars |= {chr(c) for c in range(0x2460, 0x2474)}  # ①–⑳
    chars |= set("℃№×÷±≤≥≠√∞°·—…￥¥✓✗⚠●○■□▲△◆◇★☆")
    return chars | gb2312_chars() | project_chars()


def open_source(path: str | None) -> TTFont:
    candidates = [path] if path else list(SOURCES)
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            if candidate.endswith(".ttc"):
                for font in TTCollection(candidate).fonts:
                    if font["name"].getDebugName(1) == WANTED_FACE:
                        return font
                raise SystemExit(f"{candidate} 中没有 {WANTED_FACE}")
            return TTFont(candidate)
    raise SystemExit("找不到 Noto Sans CJK：先运行 apt-get install fonts-noto-cjk，或用 --source 指定文件")


def rename(font: TTFont) -> None:
    """Own family name (a Modified Version), original copyright and licence kept."""
    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 21, 22):
            name.removeNames(nameID=record.nameID)
    for name_id, value in (
        (1, FAMILY),
        (2, "Regular"),
        (3, f"{PS_NAME};subset of Noto Sans CJK SC 2.004"),
        (4, FAMILY),
        (6, PS_NAME),
    ):
        name.setName(value, name_id, 3, 1, 0x409)
        name.setName(value, name_id, 1, 0, 0)
    cff = font["CFF "].cff
    cff.fontNames = [PS_NAME]
    top = cff.topDictIndex[0]
    for attr in ("FullName", "FamilyName"):
        if hasattr(top, attr):
            setattr(top, attr, FAMILY)


def write_licence(font: TTFont) -> None:
    copyright_line = font["name"].getDebugName(0) or "© 2014-2021 Adobe (http://www.adobe.com/)."
    ofl = ""
    if DEBIAN_COPYRIGHT.exists():
        text = DEBIAN_COPYRIGHT.read_text(encoding="utf-8")
        block = text.split("License: SIL-1.1\n", 2)[-1].split("\nLicense: ", 1)[0]
        ofl = "\n".join("" if line.strip() == "." else line[1:] for line in block.splitlines())
    if "SIL OPEN FONT LICENSE" not in ofl:
        raise SystemExit("找不到 OFL 许可文本（/usr/share/doc/fonts-noto-cjk/copyright）")
    (OUT_DIR / "OFL.txt").write_text(
        f"{FAMILY} ({OUT_FILE.name}) is a subset of Noto Sans CJK SC, made by\n"
        "tools/subset_cjk_font.py (GB2312 + ASCII + CJK punctuation + the project's own text).\n"
        "It is a Modified Version under the SIL Open Font License 1.1 and renamed accordingly.\n\n"
        f"Noto Sans CJK: {copyright_line}\nNoto is a trademark of Google Inc.\n\n" + ofl.strip() + "\n",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="子集化 Noto Sans CJK SC / subset the CJK font for charts")
    parser.add_argument("--source", help="Noto Sans CJK .ttc/.otf 文件 / source font file")
    args = parser.parse_args(argv)
    font = open_source(args.source)
    chars = wanted_chars()
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = True
    options.desubroutinize = False
    sub = subset.Subsetter(options)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    # Vertical metrics tables are for vertical text, which charts never use.
    for tag in ("VORG", "vhea", "vmtx"):
        if tag in font:
            del font[tag]
    rename(font)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    font.save(OUT_FILE)
    write_licence(font)
    size = OUT_FILE.stat().st_size
    covered = set(chr(c) for c in TTFont(OUT_FILE)["cmap"].getBestCmap())
    print(f"{OUT_FILE}: {size / 1024 / 1024:.2f} MB, {len(covered)} characters")
    missing = sorted(gb2312_chars() - covered)
    if missing:
        print(f"GB2312 characters the source lacks: {''.join(missing[:40])}", file=sys.stderr)
    if size > MAX_BYTES:
        print(f"too big: {size} bytes > {MAX_BYTES}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
