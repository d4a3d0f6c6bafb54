"""Issue 13's size rule for the figure builders: no module over about 400 lines and no function
over about 80 (checked with a margin: 420 and 85). A figure module that grows past it mixes
jobs and should be split (STYLE.md, "Figures")."""

from __future__ import annotations

import ast
from pathlib import Path

FIGURES = Path(__file__).resolve().parent.parent / "figures"
MAX_MODULE_LINES = 420
MAX_FUNCTION_LINES = 85


def sizes(path: Path) -> tuple[int, dict[str, int]]:
    """The module's lines and each function's (methods as Class.name, nested ones too), from
    its ``def`` (decorators included) to its last line."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    functions = {}

    def visit(node, prefix=""):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                functions[prefix + child.name] = child.end_lineno - first + 1
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree)
    return len(text.splitlines()), functions


def test_the_measure_counts_what_it_should(tmp_path):
    module = tmp_path / "m.py"
    body = "\n".join(f"        x{i} = {i}" for i in range(9))
    module.write_text(f"import os\n\n\nclass A:\n    @staticmethod\n    def f():\n{body}\n")
    lines, functions = sizes(module)
    assert lines == 15 and functions == {"A.f": 11}  # the decorator, def and 9 lines


def test_no_figure_module_or_function_is_too_long():
    modules = sorted(FIGURES.glob("*.py"))
    assert len(modules) > 10
    too_long = []
    for path in modules:
        lines, functions = sizes(path)
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{path.name}: {lines} lines")
        too_long += [
            f"{path.name}: {name} {n} lines"
            for name, n in functions.items()
            if n > MAX_FUNCTION_LINES
        ]
    assert not too_long, "\n".join(too_long)
