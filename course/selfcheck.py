"""A learner's self-check: `python -m course check NN_topic [--full]`.

Grades the learner's own notebook (default: their copy in workspace/) the way the course's
autograder does, in a throwaway course directory (a temporary folder with its own nbgrader
config, source/, release/ and SQLite gradebook: no instructor gradebook, works offline):

* plain check: the source is the released notebook, so only the visible tests run (what the
  learner can read in their notebook);
* `--full`: the source is the instructor's notebook, so the test cells are restored from it
  with their hidden tests, exactly as autograding restores them (same nbgrader_config.py),
  and the feedback HTML is written to workspace/feedback/<a>/.

The notebook runs in a fresh sandboxed kernel (the grader's own: `course.grader`). The
learner's file is copied, never modified. Messages come from the error outputs of the
autograded copy (exception name and message); hidden tests' code is never printed.

Exit status: 0 when every test passes, 1 when a test fails (or the notebook timed out,
ran out of memory or crashed its kernel), 2 when the notebook is missing or not a valid
notebook (nothing was graded).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import ROOT, notebooks
from .workspace import WORKSPACE

HIDDEN = "BEGIN HIDDEN TESTS"
EXIT_PASS, EXIT_FAIL, EXIT_NOT_GRADED = 0, 1, 2
CACHE = WORKSPACE / ".course" / "check-cache"  # released course directories, per version
NOT_GRADED = ("missing", "invalid notebook", "refused", "error")  # statuses: nothing was graded


class NotGradable(Exception):
    """The notebook to check is missing or invalid, or the name is unknown (exit 2)."""


@dataclass
class Test:
    grade_id: str
    exercise: str  # the solution cell (exercise) this test follows
    points: float
    score: float
    hidden: bool  # the source version of this test cell has hidden tests
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.score >= self.points


@dataclass
class Report:
    assignment: str
    notebook: Path
    full: bool
    status: str
    message: str
    tests: list
    other_errors: list  # (cell label, message) of non-test cells that raised
    feedback: Path | None = None

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tests)

    @property
    def exit_code(self) -> int:
        if self.status in NOT_GRADED:
            return EXIT_NOT_GRADED
        ok = self.status in ("graded", "flagged") and all(t.passed for t in self.tests)
        return EXIT_PASS if ok else EXIT_FAIL


def resolve(target: str | None, workspace: Path = WORKSPACE,
            source: Path = ROOT / "source") -> list[tuple[str, str, Path]]:
    """[(assignment, notebook name, path of the learner's notebook)] for `target`:
    an assignment (`01_minibatch`, or `01`) -> its graded notebooks in the workspace;
    a notebook path -> that file, graded against the chapter that has a notebook of its name."""
    assignments = notebooks.assignments(source)
    if target and (target.endswith(".ipynb") or os.sep in target or Path(target).is_file()):
        path = Path(target).resolve()
        for a in assignments:
            if path.name in {p.name for p in notebooks.graded_notebooks(source / a)}:
                return [(a, path.stem, path)]
        names = ", ".join(p.name for a in assignments
                          for p in notebooks.graded_notebooks(source / a))
        raise NotGradable(f"{path.name} is not a graded notebook of this course ({names})")
    matches = [a for a in assignments if a == target or a.split("_")[0] == target]
    if not matches:
        raise NotGradable(f"unknown chapter {target!r}; one of: {', '.join(assignments)}")
    a = matches[0]
    return [(a, p.stem, workspace / a / p.name) for p in notebooks.graded_notebooks(source / a)]


def _check_readable(path: Path) -> None:
    if not path.exists():
        hint = (" (run `python -m course workspace` first, or give the notebook's path)"
                if WORKSPACE in path.parents or path.parent.parent == WORKSPACE else "")
        raise NotGradable(f"notebook not found: {path}{hint}")
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as err:  # JSON errors, schema errors
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise NotGradable(f"{path} is not a valid notebook ({first[:200]}); open it in "
                          "JupyterLab and save it again, or restore it") from None


def _error(cell) -> str:
    """A cell's error as `EName: message` (never its traceback, which quotes code)."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            value = str(out.get("evalue", "")).strip()
            text = f"{out.get('ename')}: {value}" if value else str(out.get("ename"))
            lines = [x for x in text.splitlines() if x.strip()]
            text = " / ".join(lines[:3])
            return text if len(text) <= 300 else text[:297] + "..."
    return ""


def _message(cell) -> str:
    """The error of a grade cell, or a note on its stderr output (nbgrader fails both)."""
    error = _error(cell)
    if error:
        return error
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            return "wrote to stderr (counted as a failure): " + str(out.get("text", ""))[:200]
    return ""


def _tests(source_nb, autograded_nb, cells: dict, hidden: set) -> tuple[list, list]:
    graded_outputs = {}
    others = []
    if autograded_nb is not None:
        for i, cell in enumerate(autograded_nb.cells):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade"):
                graded_outputs[meta.get("grade_id")] = cell
            elif cell.cell_type == "code" and _error(cell):
                label = meta.get("grade_id") or f"cell {i + 1}"
                others.append((label, _error(cell)))
    tests, exercise = [], ""
    for cell in source_nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            exercise = meta.get("grade_id", "")
        if not meta.get("grade") or cell.cell_type != "code":
            continue
        gid = meta["grade_id"]
        points = float(meta.get("points", 0))
        score = float(cells.get(gid, 0.0))
        message = ""
        if score < points:
            message = _message(graded_outputs.get(gid, {})) or "failed"
        tests.append(Test(gid, exercise, points, score, gid in hidden, message))
    return tests, others


def _course_template(assignment: str, name: str, origin: Path, release) -> Path:
    """A course directory where `origin` is released as `assignment` (nbgrader_config.py,
    source/, release/, gradebook.db), cached under workspace/.course/check-cache/ by the
    content of the notebook and the config: generate_assignment runs once per version."""
    import nbgrader

    config = ROOT / "nbgrader_config.py"
    key = hashlib.sha256(origin.read_bytes() + b"\0" + config.read_bytes() + b"\0"
                         + nbgrader.__version__.encode()).hexdigest()[:16]
    kind = "full" if origin.parent.parent.name == "source" else "visible"
    cache = CACHE / f"{assignment}-{name}-{kind}-{key}"
    if (cache / "gradebook.db").exists():
        return cache
    build = Path(tempfile.mkdtemp(prefix="optdl-check-template-"))
    shutil.copy2(config, build / "nbgrader_config.py")
    (build / "source" / assignment).mkdir(parents=True)
    shutil.copy2(origin, build / "source" / assignment / f"{name}.ipynb")
    release(build, [assignment], quiet=True)
    for leftover in (".grading", "release" + os.sep + ".ipynb_checkpoints"):
        shutil.rmtree(build / leftover, ignore_errors=True)
    cache.parent.mkdir(parents=True, exist_ok=True)
    for old in cache.parent.glob(f"{assignment}-{name}-{kind}-*"):  # older course versions
        if old != cache:
            shutil.rmtree(old, ignore_errors=True)
    try:
        os.replace(build, cache)
    except OSError:  # another check cached it meanwhile: use the fresh build once
        return build
    return cache


def check(assignment: str, name: str, path: Path, full: bool = False,
          feedback_dir: Path | None = None, keep: bool = False) -> Report:
    """Grade `path` (a copy of it) as notebook `name` of `assignment`; return a Report."""
    from .grader import grade, release

    try:
        _check_readable(path)
    except NotGradable as err:
        status = "missing" if not path.exists() else "invalid notebook"
        return Report(assignment, path, full, status, str(err), [], [])
    source_nb_path = ROOT / "source" / assignment / f"{name}.ipynb"
    # The plain check grades against the release (visible tests only), --full against the
    # instructor's source (hidden tests restored, as autograding does).
    origin = source_nb_path if full else ROOT / "release" / assignment / f"{name}.ipynb"
    tmp = Path(tempfile.mkdtemp(prefix="optdl-check-"))
    try:
        template = _course_template(assignment, name, origin, release)
        for item in ("nbgrader_config.py", "gradebook.db"):
            shutil.copy2(template / item, tmp / item)
        for item in ("source", "release"):
            shutil.copytree(template / item, tmp / item)
        submitted = tmp / "submitted" / "me" / assignment
        submitted.mkdir(parents=True)
        shutil.copy2(path, submitted / f"{name}.ipynb")
        results = grade(tmp, [assignment], students=["me"], workers=1, feedback=full,
                        progress=False)
        result = next(r for r in results if r.notebook == name)
        autograded_path = tmp / "autograded" / "me" / assignment / f"{name}.ipynb"
        autograded_nb = (nbformat.read(autograded_path, as_version=4)
                         if autograded_path.exists() else None)
        source_nb = nbformat.read(tmp / "source" / assignment / f"{name}.ipynb", as_version=4)
        hidden = {c.metadata["nbgrader"]["grade_id"]
                  for c in notebooks.grade_cells(nbformat.read(source_nb_path, as_version=4))
                  if HIDDEN in c.source}
        tests, others = _tests(source_nb, autograded_nb, result.cells, hidden)
        status = getattr(result.status, "value", result.status)  # a Status (str Enum)
        report = Report(assignment, path, full, status, result.message, tests, others)
        html = tmp / "feedback" / "me" / assignment / f"{name}.html"
        if full and html.exists():
            out = (feedback_dir or WORKSPACE / "feedback") / assignment / f"{name}.html"
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(html, out)
            report.feedback = out
        return report
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def _short(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def format_report(r: Report) -> str:
    kind = "visible and hidden tests (as autograding runs them)" if r.full else \
        "visible tests (add --full for the hidden ones)"
    lines = [f"{r.assignment}: {_short(r.notebook)}, {kind}"]
    if r.status in NOT_GRADED:
        lines.append(f"NOT GRADED ({r.status}): {r.message}")
        return "\n".join(lines)
    if r.status not in ("graded", "flagged"):
        lines.append(f"{r.status.upper()}: {r.message}")
    elif r.status == "flagged":
        lines.append(f"note: {r.message}")
    lines.append("  result  points  exercise / test")
    for t in r.tests:
        mark = "pass" if t.passed else "FAIL"
        tag = " (with hidden tests)" if t.hidden and r.full else ""
        lines.append(f"  {mark:<6}  {f'{t.score:g}/{t.points:g}':<6}  "
                     f"{t.exercise + ' / ' if t.exercise else ''}{t.grade_id}{tag}")
        if t.message:
            lines.append(f"{'':18}{t.message}")
    for label, message in r.other_errors:
        lines.append(f"  error outside the tests, in {label}: {message}")
    passed = sum(t.passed for t in r.tests)
    lines.append(f"score: {r.score:g}/{r.max_score:g} ({passed} of {len(r.tests)} tests pass)")
    hidden = sum(t.hidden for t in r.tests)
    if not r.full and hidden:
        lines.append(f"{hidden} of these tests have hidden parts, run when graded: "
                     f"`python -m course check {r.assignment} --full`")
    if r.feedback:
        lines.append(f"feedback: {_short(r.feedback)} (open it in a browser)")
    return "\n".join(lines)


def main(args) -> int:
    try:
        targets = resolve(args.target)
    except NotGradable as err:
        print(f"course check: {err}")
        return EXIT_NOT_GRADED
    code = EXIT_PASS
    for assignment, name, path in targets:
        report = check(assignment, name, path, full=args.full,
                       feedback_dir=Path(args.feedback_dir) if args.feedback_dir else None)
        print(format_report(report))
        code = max(code, report.exit_code)
    return code
