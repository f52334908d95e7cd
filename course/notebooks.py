"""Notebook masters and the notebooks built from them.

Each chapter notebook is written as a jupytext percent file, `source/<assignment>/<name>.py`
(diffable, lintable), and built into `source/<assignment>/<name>.ipynb` for nbgrader.
Cell headers carry the nbgrader role in short form:

    # %% solution="update_parameters_with_gd"     an exercise cell (solution region inside)
    # %% test="test_gd_updates_all_layers" points=2  a grade cell (locked, autograded)
    # %% readonly="checkers_minibatch"             a locked cell (test fixtures, checkers):
                                                  nbgrader restores its source at grading
    # %% readonly="toolbox" pieces="01_minibatch:random_mini_batches 05_adam:initialize_adam"
                                                  a locked cell the build fills with the
                                                  solution code of other chapters' functions
                                                  (see `toolbox_source`); the master's body
                                                  holds comments only and is dropped

The build is deterministic (cell ids from grade ids or positions, no outputs), so
`check_sync` can compare the committed notebooks with a fresh build byte for byte.
"""

from __future__ import annotations

import ast
import json
import re
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


SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def _function_source(master: Path, name: str) -> str:
    """The full definition of the top-level function `name` in `master` (decorators,
    signature, docstring, body), with the ### BEGIN/END SOLUTION lines removed."""
    text = master.read_text(encoding="utf-8")
    # Jupyter magics (`%matplotlib inline`) are commented out in a percent master: it parses.
    nodes = [n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == name]
    if len(nodes) != 1:
        raise ValueError(f"toolbox: {master.name} defines {name!r} {len(nodes)} times at top "
                         "level (expected once)")
    node = nodes[0]
    start = min([node.lineno] + [d.lineno for d in node.decorator_list])
    lines = text.splitlines()[start - 1:node.end_lineno]
    if any("HIDDEN TESTS" in line for line in lines):
        raise ValueError(f"toolbox: {master.name}:{name} contains hidden tests")
    return "\n".join(line for line in lines if not SOLUTION_MARKER.match(line))


def toolbox_source(pieces: str, source_dir: Path | None = None) -> str:
    """The code of a toolbox cell: `pieces` is "NN_topic:f1,f2 MM_other:g" (whitespace
    between chapters, commas between functions); each function's definition is taken from
    the graded master `source/NN_topic/<topic>.py` (the solution code, markers removed), in
    the order given, under one comment line per chapter saying where it comes from."""
    source_dir = source_dir or ROOT / "source"
    blocks = []
    for group in pieces.split():
        chapter, _, names = group.partition(":")
        candidates = [m for m in sorted((source_dir / chapter).glob("*.py"))
                      if not m.stem.endswith("_keras")]
        if len(candidates) != 1 or not names:
            raise ValueError(f"toolbox: {group!r} should be 'NN_topic:func[,func...]' naming a "
                             f"chapter with one graded master (found {candidates})")
        master = candidates[0]
        functions = [_function_source(master, n) for n in names.split(",") if n]
        header = f"# From {chapter}/{master.name}: {', '.join(n for n in names.split(',') if n)}"
        blocks.append(header + "\n" + "\n\n\n".join(functions))
    return "\n\n\n".join(blocks)


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
        pieces = meta.pop("pieces", None)
        grader = _nbgrader_meta(cell.cell_type, meta)
        source = cell.source
        if pieces is not None:
            if cell.cell_type != "code" or not grader or grader["grade"] or grader["solution"]:
                raise ValueError(f"{master.name}: pieces= belongs on a read-only code cell")
            if any(line.strip() and not line.lstrip().startswith("#")
                   for line in source.splitlines()):
                raise ValueError(f"{master.name}: the toolbox cell {grader['grade_id']!r} is "
                                 "filled by the build; its master body holds comments only")
            source = toolbox_source(pieces, master.parent.parent)
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(source)
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
