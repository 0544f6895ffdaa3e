"""Text from data, made safe wherever it goes: into the database, a spreadsheet cell, a CSV
download, a Word document or a Streamlit markdown string.

One home for these rules (issue 10, part 4 and 5):
- control characters are removed on load (`strip_controls`), keeping tab and newline;
- .xlsx cells holding text are always written as text, never as a formula (`set_cell`);
- CSV cells starting with = + - @ tab or carriage return get a leading quote (OWASP);
- names shown in markdown are escaped (`md`), in HTML fragments `html.escape` is used.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

# C0 controls except tab (\x09) and newline (\x0a), DEL, C1 controls, and the two
# non-characters XML refuses. A carriage return becomes a newline first (see strip_controls).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
# XML 1.0 also refuses lone surrogates, which a decoded file can carry.
_SURROGATES = re.compile("[\ud800-\udfff]")
_ANY_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
EXCEL_CELL_MAX = 32767
CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def has_controls(text: str) -> bool:
    """Whether strip_controls would change the text (beyond line ends)."""
    return _ANY_BAD.search(text) is not None


def strip_controls(text: str) -> str:
    """Text without control characters: CR LF and lone CR become LF, tab and LF stay."""
    if not text or not has_controls(text):  # the common case: one scan, nothing to do
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROLS.sub("", text)
    return _SURROGATES.sub("", text)


def xml_text(value: Any) -> str:
    """Any value as text that XML (Word, Excel) accepts."""
    if value is None:
        return ""
    return strip_controls(str(value))


def set_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write one openpyxl cell; text stays text even when it starts with '=' (never a formula).

    openpyxl 3.1 turns any str beginning with '=' into a formula; setting the cell's data type
    back to 's' writes it as an inline string, which Excel shows literally.
    """
    if isinstance(value, str):
        text = xml_text(value)[:EXCEL_CELL_MAX]
        cell = ws.cell(row=row, column=column, value=text)
        cell.data_type = "s"
        return cell
    return ws.cell(row=row, column=column, value=value)


def csv_text(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run: text starting with = + - @ tab or CR is
    prefixed with a single quote. Numbers (also negative ones) are left as numbers."""
    if isinstance(value, str) and value.startswith(CSV_TRIGGERS):
        return "'" + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame whose text cells are neutralised for CSV (see csv_text)."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[col] = series.map(csv_text, na_action="ignore").astype(series.dtype)
    out.columns = [csv_text(str(c)) for c in out.columns]
    return out


# Characters that start markdown syntax in Streamlit: CommonMark punctuation, $ (math),
# : (emoji and colour directives), | (tables), ~ (strike-through), < > (HTML).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$~<>:&])")


def md(value: Any) -> str:
    """Data text inside a Streamlit markdown string (st.markdown, st.caption, st.info, labels…):
    every markup character escaped, line breaks folded, so a name shows exactly as written."""
    text = xml_text(value).replace("\n", " ").replace("\t", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def html_text(value: Any) -> str:
    """Data text inside an HTML fragment given to st.markdown(unsafe_allow_html=True): escaped,
    on one line (a blank line would end the HTML block and let markdown in), '$' as an entity
    (never LaTeX)."""
    text = " ".join(xml_text(value).split())
    return html.escape(text).replace("$", "&#36;")


def md_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy for st.table, whose cells (and headers) are markdown: every text cell escaped."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[col] = series.map(lambda v: md(v) if isinstance(v, str) else v)
    out.columns = [md(c) if isinstance(c, str) else c for c in out.columns]
    return out


def plotly_text(value: Any) -> str:
    """Data text in a Plotly label, legend or hover template: Plotly reads a subset of HTML
    (<a href>, <b>, <br>) and %{…} placeholders; both are shown literally after this."""
    text = " ".join(xml_text(value).split())
    return html.escape(text, quote=False).replace("%{", "%&#123;")
