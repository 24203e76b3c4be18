"""The function package's modules import each other in one direction only: no circle, not even one
that only type checking follows (a circle makes both modules harder to read and to change alone)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "functions/voip_rooms/voip_rooms"


def _imports(source: str) -> set[str]:
    """The package's modules that this source imports, anywhere in it (lazy and TYPE_CHECKING ones too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:  # relative: from . import x, from .x import y
            found.update([node.module.split(".")[0]] if node.module else [a.name for a in node.names])
        elif isinstance(node, ast.ImportFrom) and node.module == "voip_rooms":
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("voip_rooms."):
            found.add(str(node.module).split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("voip_rooms."))
    return found


def import_graph(package: Path) -> dict[str, set[str]]:
    modules = {path.stem for path in package.glob("*.py")} - {"__init__"}
    return {
        module: _imports((package / f"{module}.py").read_text(encoding="utf-8")) & modules
        for module in modules
    }


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each circle once, as the path that closes it (a -> b -> a)."""
    found: list[list[str]] = []
    finished: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        for imported in sorted(graph[module]):
            if imported in path:
                found.append([*path[path.index(imported) :], imported])
            elif imported not in finished:
                visit(imported, [*path, imported])
        finished.add(module)

    for module in sorted(graph):
        if module not in finished:
            visit(module, [module])
    return found


def test_no_module_of_the_function_package_imports_one_that_imports_it_back() -> None:
    assert circles(import_graph(PACKAGE)) == []


def test_the_circle_check_finds_a_circle_through_a_type_checking_import(tmp_path: Path) -> None:
    (tmp_path / "low.py").write_text("from voip_rooms import high\n")
    (tmp_path / "high.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from voip_rooms.low import X\n"
    )
    (tmp_path / "alone.py").write_text("import voip_rooms.low\n")
    assert circles(import_graph(tmp_path)) == [["low", "high", "low"]]


def test_the_circle_check_follows_relative_imports(tmp_path: Path) -> None:
    (tmp_path / "first.py").write_text("from .second import thing\n")
    (tmp_path / "second.py").write_text("from . import first\n")
    assert circles(import_graph(tmp_path)) == [["first", "second", "first"]]
