"""Checks of a submission before and beside nbgrader: is it a notebook, and what did the
learner change (structure flags) or write that can subvert the tests (the code scan)?

Both run in the driver, outside the learner's kernel. The scan is a heuristic that lists
findings for a human to review; it is not what keeps a verdict honest (see docs/grading.md).
"""

from __future__ import annotations

import ast
import json
import os
import stat
from pathlib import Path

import nbformat

from .status import Status


def check_submission(path: Path) -> tuple[Status, str]:
    """(status, message) for a submitted notebook before nbgrader touches it.

    Only a regular file with one link is read: a symlink (say, to the source notebook with
    its solutions), a hard link, a device or a FIFO is refused, not followed."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return Status.MISSING, f"{path.name} was not submitted"
    if stat.S_ISLNK(info.st_mode):
        return Status.REFUSED, f"{path.name} is a symbolic link, not a notebook file; not graded"
    if not stat.S_ISREG(info.st_mode):
        return Status.REFUSED, f"{path.name} is not a regular file (a device, FIFO or folder)"
    if info.st_nlink > 1:
        return Status.REFUSED, (f"{path.name} is a hard link shared with another file; "
                                "submit a copy")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return Status.INVALID, (f"{path.name} is not valid JSON "
                                    f"({err.__class__.__name__}: {err})")
    if not isinstance(raw, dict) or "cells" not in raw or "nbformat" not in raw:
        return Status.INVALID, f"{path.name} is JSON but not a notebook (no cells/nbformat)"
    try:
        nbformat.validate(nbformat.reads(json.dumps(raw), as_version=4))
    except Exception as err:  # nbformat raises several validation error types
        return Status.INVALID, f"{path.name} is not a valid notebook: {str(err)[:200]}"
    return Status.GRADED, ""


# Static scan of the learner's code. It runs outside the kernel, so the learner cannot turn it
# off; it can be evaded by code it does not recognise, but the usual ways to hide code (exec,
# eval, getattr with a computed name, __import__, get_ipython, sys.modules) are findings too.
SUSPICIOUS_MODULES = (
    "os", "sys", "subprocess", "shutil", "pathlib", "ctypes", "signal", "socket", "importlib",
    "builtins", "gc", "inspect", "IPython", "ipykernel", "resource", "multiprocessing",
    "threading", "pickle", "marshal", "sqlite3", "sqlalchemy", "psycopg2", "nbgrader",
    "nbformat", "nbclient", "jupyter_client", "glob", "io", "tempfile", "urllib", "requests",
    "http", "course.grader", "unittest.mock", "atexit",
    "sysconfig", "site", "code", "codeop", "types",
)
SUSPICIOUS_NAMES = {"get_ipython", "exec", "eval", "compile", "__import__", "globals", "vars",
                    "locals", "setattr", "delattr", "open", "breakpoint", "__builtins__",
                    "__loader__", "__spec__"}
SUSPICIOUS_ATTRS = {"__globals__", "__code__", "__dict__", "__subclasses__", "__builtins__",
                    "__bases__", "__mro__", "__closure__", "__getattribute__", "__setattr__",
                    "__defaults__", "__kwdefaults__", "f_globals", "f_locals", "f_back"}


def parse_cell(source: str):
    """The cell's AST with IPython magics and shell lines (%, !) blanked; None if invalid."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line
             for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _protected(release_nb) -> tuple[dict, dict]:
    """Names the course cells bind: ({import alias: module}, {function/class name: source})."""
    modules, functions = {}, {}
    for cell in release_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("solution"):
            continue
        tree = parse_cell(cell.source)
        if tree is None:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for a in node.names:
                    modules[a.asname or a.name.split(".")[0]] = a.name if a.asname else \
                        a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom):
                for a in node.names:
                    modules[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.FunctionDef | ast.ClassDef) and not meta.get("grade"):
                functions[node.name] = ast.get_source_segment(cell.source, node)
    return modules, functions


def _root_name(node) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def scan_code(source: str, modules: dict, functions: dict) -> list[str]:
    """Findings for one cell of learner code: what could subvert the tests."""
    tree = parse_cell(source)
    if tree is None:
        return []
    found = []

    def targets(node):
        if isinstance(node, ast.Assign):
            return node.targets
        if isinstance(node, ast.AugAssign | ast.AnnAssign):
            return [node.target]
        if isinstance(node, ast.Delete):
            return node.targets
        return []

    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""])
            for name in names:
                if any(name == m or name.startswith(m + ".") for m in SUSPICIOUS_MODULES):
                    found.append(f"imports {name}")
            for a in node.names:
                bound = a.asname or a.name.split(".")[0]
                full = (a.name if a.asname else a.name.split(".")[0]) \
                    if isinstance(node, ast.Import) else f"{node.module}.{a.name}"
                if bound in modules and modules[bound] != full:
                    found.append(f"rebinds {bound} (imported by the course as {modules[bound]})")
        elif isinstance(node, ast.Name) and node.id in SUSPICIOUS_NAMES:
            found.append(f"uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in SUSPICIOUS_ATTRS:
            found.append(f"uses .{node.attr}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "getattr" and len(node.args) > 1
              and not isinstance(node.args[1], ast.Constant)):
            found.append("uses getattr with a computed name")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name in modules:
                found.append(f"redefines {node.name} (imported by the course)")
            elif (node.name in functions
                  and ast.get_source_segment(source, node) != functions[node.name]):
                found.append(f"redefines {node.name} (a course function the tests use)")
        elif isinstance(node, ast.Global):
            found += [f"rebinds {n} (global)" for n in node.names if n in modules or n in functions]
        for target in targets(node):
            for t in ast.walk(target):
                if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store | ast.Del) and (
                        t.id in modules or t.id in functions):
                    found.append(f"rebinds {t.id}")
            if isinstance(target, ast.Attribute | ast.Subscript):
                root = _root_name(target)
                if root in modules:
                    found.append(f"assigns {ast.unparse(target)} (patches {modules[root]})")
    return list(dict.fromkeys(found))


def inspect_submission(path: Path, release_path: Path) -> tuple[list[str], list[str]]:
    """(flags, findings) of a valid submitted notebook compared with its release version.

    flags: structural changes nbgrader undoes or ignores (deleted/edited/copied test cells,
    reordered cells, kernelspec, edited course cells); findings: the code scan's results on
    every cell the learner wrote or changed (suspicious: the grade needs a review).
    """
    nb = nbformat.read(path, as_version=4)
    rel = nbformat.read(release_path, as_version=4)
    modules, functions = _protected(rel)
    flags, findings = [], []

    def gid(cell):
        return cell.metadata.get("nbgrader", {}).get("grade_id")

    rel_ids = [gid(c) for c in rel.cells if gid(c)]
    rel_by_id = {gid(c): c for c in rel.cells if gid(c)}
    course_cells = [c.source.strip() for c in rel.cells
                    if c.cell_type == "code" and not gid(c)]
    ids = [gid(c) for c in nb.cells if gid(c)]
    seen = set()
    for cell in nb.cells:
        g = gid(cell)
        meta = cell.metadata.get("nbgrader", {})
        if g and g in seen:
            if g in rel_by_id:
                flags.append(f"copied cell {g} (duplicate grade id: only one copy counts)")
            continue
        if g:
            seen.add(g)
        if cell.cell_type != "code":
            continue
        if g in rel_by_id and rel_by_id[g].metadata["nbgrader"].get("locked") and not \
                meta.get("solution"):
            # Test cells and read-only cells (checkers, fixtures): nbgrader restores them.
            if cell.source.strip() != rel_by_id[g].source.strip():
                kind = "test" if rel_by_id[g].metadata["nbgrader"].get("grade") else "read-only"
                flags.append(f"edited {kind} cell {g} (restored from the source)")
            continue
        if not g and cell.source.strip() in course_cells:
            continue  # a course cell, unchanged
        where = g or "an added or edited cell"
        findings += [f"{f} in {where}" for f in scan_code(cell.source, modules, functions)]
    for g in rel_ids:
        if g not in ids:
            m = rel_by_id[g].metadata["nbgrader"]
            kind = "test" if m.get("grade") else "exercise" if m.get("solution") else "read-only"
            flags.append(f"deleted {kind} cell {g} (restored from the source)")
    order = [g for g in dict.fromkeys(ids) if g in rel_by_id]
    if order != [g for g in rel_ids if g in order]:
        flags.append("cells reordered (tests run where the learner put them)")
    present = {c.source.strip() for c in nb.cells if c.cell_type == "code"}
    edited = [s for s in course_cells if s and s not in present]
    if edited:
        flags.append(f"{len(edited)} course cell(s) edited or deleted (not restored)")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != rel.metadata.get("kernelspec", {}).get("name"):
        flags.append(f"kernelspec changed to {kernel!r} (graded with the course's kernel)")
    return flags, list(dict.fromkeys(findings))
