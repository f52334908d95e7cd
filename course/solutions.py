"""Worked solutions: `python -m course solutions [NN_topic ...]`.

For instructors after the deadline, and for self-study learners on request: each chapter's
graded notebook from source/ (the reference solutions), without its hidden tests and without
the solution markers, executed in a fresh kernel so that every plot and number is there,
written to solutions/<a>/ (git-ignored). The visible tests stay and pass.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat

from . import ROOT, notebooks

OUTPUT = ROOT / "solutions"
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?",
                    re.M | re.S)
MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[^\n]*\n?", re.M)


def strip(nb) -> nbformat.NotebookNode:
    """The notebook without hidden tests and solution markers (a copy)."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        source = HIDDEN.sub("", cell.source)
        source = MARKER.sub("", source)
        cell.source = source.rstrip("\n") if source != cell.source else cell.source
        cell.outputs = [] if cell.cell_type == "code" else cell.get("outputs")
        if cell.cell_type != "code":
            cell.pop("outputs", None)
    return nb


def write(assignment: str, output: Path = OUTPUT, source: Path = ROOT / "source") -> list[Path]:
    """Write the executed worked-solution notebooks of `assignment`; return their paths."""
    written = []
    out_dir = output / assignment
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in notebooks.graded_notebooks(source / assignment):
        nb = strip(nbformat.read(path, as_version=4))
        target = out_dir / path.name
        nbformat.write(nb, target)
        executed = notebooks.execute(target, allow_errors=True, cwd=out_dir)
        nbformat.write(executed, target)
        errors = notebooks.cell_errors(executed)
        if errors:
            raise RuntimeError(f"{target}: the reference raised in cell(s) "
                               f"{sorted(errors)}: {next(iter(errors.values()))}")
        written.append(target)
    return written


def _resolve(names: list[str], source: Path = ROOT / "source") -> list[str]:
    known = notebooks.assignments(source)
    if not names:
        return known
    out = []
    for name in names:
        match = [a for a in known if a == name or a.split("_")[0] == name]
        if not match:
            raise SystemExit(f"unknown chapter {name!r}; one of: {', '.join(known)}")
        out.append(match[0])
    return out


def main(args) -> int:
    output = Path(args.output).resolve() if args.output else OUTPUT
    for a in _resolve(args.assignments):
        start = time.monotonic()
        for path in write(a, output):
            try:
                shown = path.relative_to(Path.cwd())
            except ValueError:
                shown = path
            print(f"worked solution: {shown} ({time.monotonic() - start:.0f} s; executed, "
                  "hidden tests removed)")
    print("Open them in JupyterLab. They are git-ignored: the folder is yours.")
    return 0
