"""One record for every problem found in a file, and the exception that carries them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from etl.errors import GridError

Severity = Literal["error", "warning"]


def show_value(value: Any) -> str:
    """A cell value as a user would recognise it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Issue:
    """A problem in a file: where (sheet, Excel row, column header), the value and what is wrong."""

    message: str
    severity: Severity = "error"
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        label = "错误" if self.severity == "error" else "提示"
        where = []
        if self.sheet:
            where.append(f"工作表「{self.sheet}」")
        if self.row:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"「{self.column}」列")
        place = "".join(where)
        shown = show_value(self.value)
        value = f"，值「{shown}」" if shown else ""
        sep = "：" if place or value else ""
        return f"[{label}] {place}{value}{sep}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "级别": "错误" if self.severity == "error" else "提示",
            "工作表": self.sheet or "",
            "行": self.row,
            "列": self.column or "",
            "值": show_value(self.value),
            "说明": self.message,
        }


class FileRejected(GridError):
    """The file has errors; nothing of it was loaded."""

    def __init__(self, file_name: str, issues: list[Issue]) -> None:
        self.file_name = file_name
        self.issues = sorted(issues, key=lambda i: (i.severity != "error",))
        errors = sum(1 for i in issues if i.severity == "error")
        super().__init__(f"{file_name}：发现 {errors} 个错误，整个文件未导入")

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]
