"""Load a learner's functions from the graded notebook beside a Keras notebook.

The Keras reference notebooks run *your* functions against Keras, so they never carry a copy
of a graded solution: `load("momentum.ipynb", "update_parameters_with_momentum")` reads the
graded notebook (the learner's saved copy; in `source/`, the instructor's reference) and runs
only its imports and definitions (no training, no plots, no tests), in a namespace of its own.

An exercise that still raises `NotImplementedError` stops the notebook with a message naming
what is not done yet.
"""

from __future__ import annotations

import ast
import json
import types
from pathlib import Path

KEEP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)


class NotDoneYet(RuntimeError):
    """An exercise this notebook needs is still a stub (or missing) in the graded notebook."""


def _definitions(source: str) -> list:
    """The top-level imports and definitions of a cell (magics and shell lines dropped).

    Raises SyntaxError when the cell does not parse."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())
    return [node for node in ast.parse(code).body if isinstance(node, KEEP)]


def _is_stub(node: ast.FunctionDef) -> bool:
    """True when the function body raises NotImplementedError (the release's stub)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Raise) and sub.exc is not None:
            target = sub.exc.func if isinstance(sub.exc, ast.Call) else sub.exc
            if isinstance(target, ast.Name) and target.id == "NotImplementedError":
                return True
    return False


def load(notebook: str | Path, *names: str) -> types.SimpleNamespace:
    """The functions `names` defined in `notebook`, as attributes of a namespace.

    Only top-level imports, functions and classes of the notebook's code cells run (test
    cells are skipped), in order, so a helper the learner wrote in a cell of its own is there
    too. Raises `NotDoneYet` naming every requested function that is missing or still raises
    `NotImplementedError`.
    """
    path = Path(notebook)
    if not path.exists():
        raise NotDoneYet(f"{path} not found: keep this notebook in the same folder as the "
                         "graded notebook of the chapter.")
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (ValueError, KeyError, TypeError) as err:
        raise NotDoneYet(f"{path.name} is not a readable notebook ({err}): open it in Jupyter "
                         "and save it again.") from None
    body, stubs, broken = [], set(), []
    for number, cell in enumerate(cells, start=1):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or meta.get("grade"):
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        try:
            nodes = _definitions(source)
        except SyntaxError as err:
            broken.append(f"cell {number}, line {err.lineno}: {err.msg}")
            continue
        for node in nodes:
            body.append(node)
            if isinstance(node, ast.FunctionDef):
                (stubs.add if _is_stub(node) else stubs.discard)(node.name)
    namespace: dict = {"__name__": f"exercises_{path.stem}"}
    exec(compile(ast.Module(body=body, type_ignores=[]), str(path), "exec"), namespace)  # noqa: S102
    missing = [n for n in names if not callable(namespace.get(n))]
    todo = [n for n in names if n in stubs]
    if missing or todo:
        parts = []
        if todo:
            parts.append(f"still to write (they raise NotImplementedError): {', '.join(todo)}")
        if missing:
            parts.append(f"not defined: {', '.join(missing)}")
        if broken:
            parts.append(f"cells with a syntax error: {'; '.join(broken)}")
        raise NotDoneYet(
            f"This notebook runs your functions from {path.name}; " + "; ".join(parts) + ". "
            f"Solve them in {path.name}, save it (Ctrl+S), then run this cell again.")
    return types.SimpleNamespace(**{n: namespace[n] for n in names})
