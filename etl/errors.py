"""The one base of the conditions a user can act on, and the reader's refusal.

Every expected condition of etl/ (a file that cannot be loaded, a value not allowed, a busy
database, a notice already closed, …) is a `GridError`: `str(exc)` and `exc.message` are one
plain-Chinese sentence for the user. The edges (`etl/cli.py`, `pages/common.run_page`) show that
sentence; any other exception is a bug, logged with its traceback.

This module runs inside the reader's child process too (etl.load.sandbox): standard library
only, nothing heavy.
"""

from __future__ import annotations

GENERIC_MESSAGE = "操作未能完成，请检查后重试"


class GridError(Exception):
    """A condition the user can act on, never a bug; str() is a plain-Chinese message."""

    def __init__(self, message: str = GENERIC_MESSAGE) -> None:
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self)


class FileUnreadable(GridError):
    """The file is not a spreadsheet this tool can read; the message says why in Chinese.

    Here rather than in etl.load.read: the limit checks (etl.load.guard), the reader
    (etl.load.read) and the child process around it (etl.load.sandbox) all raise it."""
