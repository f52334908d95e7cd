"""Every chapter notebook: built from its master, clean, valid, and graded the way it should be."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from conftest import ASSIGNMENTS, GRADED, REFERENCE, ROOT, distinctive, split_region

from course import notebooks

ids = lambda paths: [f"{p.parent.name}/{p.stem}" for p in paths]  # noqa: E731


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def test_chapters_exist():
    """Checks the course has chapters and each has a graded and a Keras reference notebook."""
    assert ASSIGNMENTS, "no assignments found in source/"
    for a in ASSIGNMENTS:
        graded = notebooks.graded_notebooks(ROOT / "source" / a)
        assert graded, f"{a} has no graded notebook"
        assert list((ROOT / "source" / a).glob("*_keras.ipynb")), f"{a} has no Keras notebook"


def test_notebooks_match_their_masters():
    """Checks each committed source/*.ipynb equals a fresh build of its percent master."""
    stale = notebooks.build_all(check=True)
    assert not stale, f"rebuild with `python -m course build`: {[str(p) for p in stale]}"
    orphans = [p for p in (ROOT / "source").glob("*/*.ipynb") if not p.with_suffix(".py").exists()]
    assert not orphans, f"notebooks without a master: {orphans}"


def test_source_notebooks_have_no_outputs():
    """Checks source notebooks are stripped (no outputs, no execution counts)."""
    dirty = [str(p) for p in (ROOT / "source").rglob("*.ipynb")
             if any(c.get("outputs") or c.get("execution_count") for c in _cells(p)
                    if c.cell_type == "code")]
    assert not dirty, f"outputs in: {dirty}"


def test_grade_ids_unique_and_points_set():
    """Checks grade ids are unique course-wide, every grade cell has points, and exercises exist."""
    seen = {}
    for path in sorted((ROOT / "source").glob("*/*.ipynb")):
        for cell in _cells(path):
            meta = cell.metadata.get("nbgrader")
            if not meta:
                continue
            gid = meta["grade_id"]
            assert gid not in seen, f"grade_id {gid!r} in {path} and {seen[gid]}"
            seen[gid] = path
            if meta.get("grade"):
                assert meta.get("points", 0) > 0, f"grade cell {gid} in {path} has no points"
                first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
                assert first.startswith('"""'), f"grade cell {gid} should open with a docstring"
    for path in GRADED:
        assert any(c.metadata.get("nbgrader", {}).get("solution") for c in _cells(path)), path


def _normalise(nb_json: str) -> dict:
    nb = json.loads(nb_json)
    nb.get("metadata", {}).pop("language_info", None)
    return nb


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_in_sync(released, assignment):
    """Checks the committed release/ equals what nbgrader generates from source/ now."""
    fresh_dir, committed_dir = released / "release" / assignment, ROOT / "release" / assignment
    fresh = sorted(p.name for p in fresh_dir.iterdir())
    assert committed_dir.exists(), f"release/{assignment} missing: run `python -m course release`"
    assert sorted(p.name for p in committed_dir.iterdir()) == fresh
    for name in fresh:
        a, b = (fresh_dir / name).read_text(), (committed_dir / name).read_text()
        assert _normalise(a) == _normalise(b), (
            f"release/{assignment}/{name} is stale: run `make grade` or `python -m course release`")


def _solution_lines(source_nb) -> set[str]:
    """Distinctive code lines of the solution regions: long, and not also in public code
    (a loop header like `for l in range(1, L + 1):` that a visible helper uses is no leak)."""
    lines, public = set(), []
    for cell in source_nb.cells:
        inside, outside = split_region(cell.source, "SOLUTION")
        lines |= distinctive(inside, 25)
        public += outside
    public_text = "\n".join(public)
    return {line for line in lines if line not in public_text}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_leaks_nothing(released, assignment):
    """Checks no solution markers, hidden tests, solution code or masters reach the release."""
    for path in (released / "release" / assignment).rglob("*"):
        assert path.suffix == ".ipynb", f"non-notebook file released: {path.name}"
        text = path.read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in text, f"{marker!r} in release {path.name}"
        source = nbformat.read(ROOT / "source" / assignment / path.name, as_version=4)
        # Code cells only: instructions may quote a one-line hint on purpose.
        released_code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                                  if c.cell_type == "code")
        leaked = [line for line in _solution_lines(source) if line in released_code]
        assert not leaked, f"solution code in release {path.name}: {leaked[:3]}"


@pytest.mark.slow
@pytest.mark.parametrize("path", GRADED, ids=ids(GRADED))
def test_source_validates_with_full_marks(path):
    """Checks nbgrader's Validator passes every grade cell of the instructor's notebook."""
    from nbgrader.validator import Validator

    class Keeping(Validator):
        """nbgrader's Validator, keeping the notebook it executed (one execution, not two)."""

        def _preprocess(self, nb):
            self.executed = super()._preprocess(nb)
            return self.executed

    validator = Keeping()
    results = validator.validate(str(path))
    assert not results.get("failed"), f"failing grade cells: {results['failed']}"
    assert not results.get("type_changed"), results.get("type_changed")
    errors = notebooks.cell_errors(validator.executed)
    assert not errors, f"cells raising in the solution notebook: {errors}"


@pytest.mark.slow
@pytest.mark.parametrize("path", GRADED, ids=ids(GRADED))
def test_every_grade_cell_fails_on_the_stubs(released, path):
    """Checks each grade cell of the untouched release fails, so an empty submission scores 0."""
    release_path = released / "release" / path.parent.name / path.name
    nb = notebooks.execute(release_path)
    errors = notebooks.cell_errors(nb)
    passing = [c.metadata["nbgrader"]["grade_id"] for i, c in enumerate(nb.cells)
               if c.metadata.get("nbgrader", {}).get("grade") and i not in errors]
    assert not passing, f"grade cells that pass on the stubs: {passing}"
    stubs = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")
             and c.cell_type == "code"]
    assert stubs and all(re.search(r"raise NotImplementedError", c.source) for c in stubs)


@pytest.mark.slow
@pytest.mark.parametrize("path", REFERENCE, ids=ids(REFERENCE))
def test_keras_reference_notebook_runs(path):
    """Checks a Keras notebook runs on this machine (CPU here) and its numeric checks pass."""
    nb = notebooks.execute(path, timeout=300)
    errors = notebooks.cell_errors(nb)
    assert not errors, f"{path.name}: {errors}"
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "running on /" in printed, "the notebook should report the device it ran on"


def _loaded_names(keras_master) -> list[tuple[str, list[str]]]:
    """(graded notebook, function names) of every `exercises.load(...)` call in a Keras master."""
    import ast

    calls = []
    for node in ast.walk(ast.parse(keras_master.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "load" \
                and getattr(node.func.value, "id", "") == "exercises":
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            calls.append((args[0], args[1:]))
    return calls


@pytest.mark.parametrize("path", REFERENCE, ids=ids(REFERENCE))
def test_keras_notebook_loads_the_learners_functions(path, tmp_path):
    """Checks a Keras notebook holds no copy of a graded solution and loads the learner's
    functions: all of them from the reference, and a message naming each stub from the release."""
    from course import exercises

    master = path.with_suffix(".py")
    assert not re.search(r'^# %% solution=', master.read_text(), re.M), (
        f"{master.name} has a 'your code' cell: load the learner's functions with exercises.load")
    calls = _loaded_names(master)
    assert calls, f"{master.name} does not load the learner's functions (exercises.load)"
    graded = {c.metadata["nbgrader"]["grade_id"] for g in GRADED if g.parent == path.parent
              for c in _cells(g) if c.metadata.get("nbgrader", {}).get("solution")}
    assert graded & {n for _, names in calls for n in names}, (
        f"{master.name} loads none of the graded exercises")
    for notebook, names in calls:
        names = [n for n in names if n in graded]  # given code of the notebook may load too
        if not names:
            continue
        loaded = exercises.load(path.parent / notebook, *names)
        assert all(callable(getattr(loaded, n)) for n in names)
        # The release (stubs) stops with a message naming every unwritten function.
        stub = tmp_path / notebook
        stub.write_text(nbformat.writes(_stubbed(path.parent / notebook)))
        with pytest.raises(exercises.NotDoneYet) as err:
            exercises.load(stub, *names)
        assert all(n in str(err.value) for n in names), str(err.value)


def _stubbed(graded_path):
    """The graded notebook with every solution region replaced by the release's stub."""
    nb = nbformat.read(graded_path, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            lines, skipping = [], False
            for line in cell.source.splitlines():
                if "BEGIN SOLUTION" in line:
                    indent = line[: len(line) - len(line.lstrip())]
                    lines += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
                    skipping = True
                elif "END SOLUTION" in line:
                    skipping = False
                elif not skipping:
                    lines.append(line)
            cell.source = "\n".join(lines)
    return nb
