"""The layering of etl/ (ARCHITECTURE.md), read from the source with `ast`: no import cycles,
no imports of etl inside functions, no Streamlit, rules and load below output, modules of a
readable size; and every exception of etl/ that a user can meet is a GridError."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from etl.errors import GridError

ROOT = Path(__file__).resolve().parent.parent
ETL = ROOT / "etl"

# Lines of one module, at most (issue 11: one concern per module, none over about 500 lines).
MAX_LINES = 500

# (importing module, imported module): imports of etl inside a function that are allowed, each
# with its reason. Anything else is an import placed in a function to dodge a cycle.
LAZY_ALLOWED = {
    ("etl.cli", m): "start-up of `python -m etl`: only the commands that write documents pay "
    "for matplotlib, python-docx and openpyxl (0.7 → 1.4 s of CPU for every command otherwise)"
    for m in (
        "etl.output.bulletin_docx",
        "etl.output.bulletin_xlsx",
        "etl.output.notice_doc",
        "etl.output.template",
        "etl.output.export",
    )
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(ETL.rglob("*.py"))}
TREES = {name: ast.parse(p.read_text(encoding="utf-8"), str(p)) for name, p in MODULES.items()}


def resolve(importer: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules an import statement names (for `from a import b`: a.b when b is a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = importer.split(".")
        if MODULES[importer].name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    names = [f"{base}.{alias.name}" for alias in node.names]
    return [n for n in names if n in MODULES] or [base]


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(name: str) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import of the module, but those
    under `if TYPE_CHECKING:` (never run)."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and is_type_checking(child):
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.extend((target, child.lineno, in_function) for target in resolve(name, child))
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, inner)

    visit(TREES[name], False)
    return found


def etl_imports(name: str) -> list[tuple[str, int, bool]]:
    return [(t, line, f) for t, line, f in imports(name) if t == "etl" or t.startswith("etl.")]


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_modules_are_found() -> None:
    assert {"etl.cli", "etl.db", "etl.errors", "etl.load.read", "etl.rules.settings"} <= set(MODULES)


def test_no_import_cycles_between_etl_modules() -> None:
    graph = {
        name: sorted({t for t, _, _ in etl_imports(name) if t in MODULES and t != name}) for name in MODULES
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt)
        path.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name)
    assert cycles == [], "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_no_etl_imports_inside_functions() -> None:
    lazy = [
        f"{name} line {line}: {target}"
        for name in MODULES
        for target, line, in_function in etl_imports(name)
        if in_function and (name, target) not in LAZY_ALLOWED
    ]
    assert lazy == [], "imports of etl inside a function (move them to the top): " + "; ".join(lazy)


def test_the_allowed_lazy_imports_still_exist() -> None:
    present = {(name, target) for name in MODULES for target, _, inside in etl_imports(name) if inside}
    assert set(LAZY_ALLOWED) <= present, set(LAZY_ALLOWED) - present


def test_etl_never_imports_streamlit() -> None:
    found = [
        f"{name} line {line}"
        for name in MODULES
        for target, line, _ in imports(name)
        if in_package(target, "streamlit")
    ]
    assert found == [], found


@pytest.mark.parametrize(
    ("layer", "below"),
    [("etl.rules", "etl.load"), ("etl.rules", "etl.output"), ("etl.load", "etl.output")],
)
def test_a_layer_never_imports_the_layers_it_feeds(layer: str, below: str) -> None:
    found = [
        f"{name} line {line}: {target}"
        for name in MODULES
        if in_package(name, layer)
        for target, line, _ in etl_imports(name)
        if in_package(target, below)
    ]
    assert found == [], f"{layer} imports {below}: " + "; ".join(found)


def test_no_module_is_too_long() -> None:
    long = {
        name: n
        for name, p in MODULES.items()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"modules over {MAX_LINES} lines: {long}"


def test_every_exception_a_user_can_meet_is_a_grid_error() -> None:
    """Private control-flow exceptions (a leading underscore) are the only others."""
    others = []
    for name in MODULES:
        if name == "etl.__main__":
            continue
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name or not issubclass(cls, BaseException) or cls_name.startswith("_"):
                continue
            if not issubclass(cls, GridError):
                others.append(f"{name}.{cls_name}")
    assert others == [], others


def test_every_download_button_leaves_the_page_alone() -> None:
    """A download click must not rerun the page (pages/common.py `table_downloads`): every
    `download_button(...)` call in the pages passes on_click="ignore"."""
    calls = []
    for path in sorted((ROOT / "pages").glob("*.py")) + [ROOT / "dashboard.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "download_button":
                ignore = any(k.arg == "on_click" and isinstance(k.value, ast.Constant) and k.value.value == "ignore"
                             for k in node.keywords)  # fmt: skip
                calls.append((f"{path.name}:{node.lineno}", ignore))
    assert len(calls) >= 8, calls  # the tables, bulletin, notices and upload buttons are all found
    assert [where for where, ignore in calls if not ignore] == []
