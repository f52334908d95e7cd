"""Notebook masters and the notebooks built from them.

Each chapter notebook is written as a jupytext percent file, `source/<assignment>/<name>.py`
(diffable, lintable), and built into `source/<assignment>/<name>.ipynb` for nbgrader.
Cell headers carry the nbgrader role in short form:

    # %% solution="update_parameters_with_gd"     an exercise cell (solution region inside)
    # %% test="test_gd_updates_all_layers" points=2  a grade cell (locked, autograded)
    # %% readonly="checkers_minibatch"             a locked cell (test fixtures, checkers):
                                                  nbgrader restores its source at grading

The build is deterministic (cell ids from grade ids or positions, no outputs), so
`check_sync` can compare the committed notebooks with a fresh build byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from . import ROOT

SCHEMA_VERSION = 3
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def masters(source_dir: Path | None = None) -> list[Path]:
    """All notebook masters, sorted: `source/<assignment>/*.py`."""
    return sorted((source_dir or ROOT / "source").glob("*/*.py"))


def assignments(source_dir: Path | None = None) -> list[str]:
    """Assignment folder names (`01_minibatch`, ...), sorted."""
    return sorted(p.name for p in (source_dir or ROOT / "source").iterdir() if p.is_dir()
                  and not p.name.startswith("."))


def _nbgrader_meta(cell_type: str, meta: dict) -> dict | None:
    solution, test = meta.pop("solution", None), meta.pop("test", None)
    readonly, points = meta.pop("readonly", None), meta.pop("points", None)
    if sum(bool(x) for x in (solution, test, readonly)) > 1:
        raise ValueError(f"a cell has more than one role: {solution=}, {test=}, {readonly=}")
    if readonly:
        if points:
            raise ValueError(f"read-only cell {readonly!r} cannot carry points")
        return {"grade": False, "grade_id": readonly, "locked": True,
                "schema_version": SCHEMA_VERSION, "solution": False}
    if test:
        if not points:
            raise ValueError(f"grade cell {test!r} needs points=N (every grade cell has points)")
        return {"grade": True, "grade_id": test, "locked": True, "points": points,
                "schema_version": SCHEMA_VERSION, "solution": False}
    if solution:
        # A markdown answer with points is manually graded; a code exercise carries no points
        # itself: its grade cells do.
        graded = cell_type == "markdown" and bool(points)
        out = {"grade": graded, "grade_id": solution, "locked": False,
               "schema_version": SCHEMA_VERSION, "solution": True}
        if graded:
            out["points"] = points
        return out
    if points:
        raise ValueError("points=N given on a cell that is neither a test nor a solution")
    return None


def build_notebook(master: Path) -> nbformat.NotebookNode:
    """Read a percent master and return the nbgrader-ready notebook (no outputs)."""
    import jupytext

    nb = jupytext.read(master, fmt="py:percent")
    cells = []
    for i, cell in enumerate(nb.cells):
        meta = dict(cell.metadata)
        meta.pop("lines_to_next_cell", None)
        grader = _nbgrader_meta(cell.cell_type, meta)
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source)
        else:
            new = nbformat.v4.new_raw_cell(cell.source)
        new.metadata = {k: v for k, v in meta.items()}
        if grader:
            new.metadata["nbgrader"] = grader
        new.id = grader["grade_id"] if grader else f"cell-{i:03d}"
        cells.append(new)
    out = nbformat.v4.new_notebook(cells=cells)
    out.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    out.nbformat, out.nbformat_minor = 4, 5
    nbformat.validate(out)
    return out


def dumps(nb) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def build_all(source_dir: Path | None = None, check: bool = False) -> list[Path]:
    """Build every master's notebook. With `check`, write nothing and return the stale ones."""
    stale = []
    for master in masters(source_dir):
        target = master.with_suffix(".ipynb")
        text = dumps(build_notebook(master))
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            stale.append(target)
            if not check:
                target.write_text(text, encoding="utf-8")
    return stale


def grade_cells(nb) -> list:
    """Cells nbgrader scores (code tests and manually graded answers)."""
    return [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def is_graded(path: Path) -> bool:
    """True for a notebook with at least one grade cell (the ones autograde runs)."""
    return bool(grade_cells(nbformat.read(path, as_version=4)))


def graded_notebooks(assignment_dir: Path) -> list[Path]:
    return [p for p in sorted(assignment_dir.glob("*.ipynb")) if is_graded(p)]


def execute(path: Path, timeout: int = 120, allow_errors: bool = True, cwd: Path | None = None):
    """Run a notebook in a fresh kernel and return the executed notebook (errors stay in outputs)."""
    import tempfile

    from nbclient import NotebookClient
    from traitlets.config import Config

    nb = nbformat.read(path, as_version=4)
    # IPC sockets in a private folder: no TCP port race between parallel runs.
    with tempfile.TemporaryDirectory(prefix="optdl-kernel-") as sockets:
        config = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets) / "kernel")}})
        client = NotebookClient(nb, config=config, timeout=timeout, allow_errors=allow_errors,
                                kernel_name="python3",
                                resources={"metadata": {"path": str(cwd or path.parent)}})
        client.execute()
    return nb


def cell_errors(nb) -> dict[int, str]:
    """{cell index: 'EName: value'} for every code cell that raised."""
    errors = {}
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors[i] = f"{out.get('ename')}: {out.get('evalue')}"
    return errors
