"""Rendering the wall screen's HTML: Jinja2 templates (templates/) with autoescape on.

Templates are files of this package, never data. Every value a template prints goes through
`_finalize`: markup a template made (a macro call, a rendered sub-template: `Html`) is kept;
anything else is data and is escaped by `etl.safetext.html_text` (on one line, '$' as an
entity), so a name can neither inject markup nor be read as markdown or LaTeX by st.markdown.
Python code builds plain values (text, numbers, formatted figures); templates build markup.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from etl.safetext import html_text

Html = Markup  # markup rendered from a template of this package
HERE = Path(__file__).resolve().parent


def _finalize(value: object) -> object:
    if isinstance(value, Markup):
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return Markup("")
    return Markup(html_text(value))


_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    finalize=_finalize,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# Templates are written on several lines for reading; the HTML is one line (a blank line would
# end st.markdown's HTML block). Template lines break only between tags.
_LINE_BREAKS = re.compile(r"\n\s*")


def render(name: str, **context: object) -> Html:
    """templates/<name> rendered with the context, on one line."""
    return Html(_LINE_BREAKS.sub("", _ENV.get_template(name).render(**context)))


def units(css: str) -> str:
    """'28u' → 'calc(28 * var(--u))': one design pixel of the 1920×1080 canvas."""
    return re.sub(r"(?<![\w#.-])(\d+(?:\.\d+)?)u\b", r"calc(\1 * var(--u))", css)


def px(v: float) -> str:
    """A length in design pixels for an inline style: 'calc(12.5 * var(--u))'."""
    return f"calc({v:.1f} * var(--u))"


def _css() -> Html:
    text = (HERE / "display.css").read_text(encoding="utf-8")
    text = re.sub(r"\A/\*.*?\*/\n", "", text, flags=re.S)  # the file's own header comment
    return Html("<style>\n\n" + units(text) + "\n</style>")


def _script() -> Html:
    text = (HERE / "clock.js").read_text(encoding="utf-8")
    text = re.sub(r"\A//[^\n]*\n", "", text)  # the file's own header comment
    return Html("<script>\n" + text + "</script>")


CSS = _css()  # the page frame's style: dark screen, no Streamlit chrome, no stale-content fade
SCRIPT = _script()  # a clock that ticks between reruns
