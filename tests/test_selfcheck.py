"""The learners' commands: `course check` (plain and --full), `course solutions`, `course workspace`.

Chapter 01 stands for every chapter: a learner's notebook is the released notebook with the
exercise cells written (the reference code without its solution markers), as a learner
would leave it in JupyterLab.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course import selfcheck, solutions, workspace

ROOT = Path(__file__).resolve().parent.parent
A, NAME = "01_minibatch", "minibatch"


def _hidden_lines() -> list[str]:
    """The substantial lines of chapter 01's hidden tests (they must never be printed)."""
    nb = nbformat.read(ROOT / "source" / A / f"{NAME}.ipynb", as_version=4)
    out = []
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(line.strip()) > 12:
                out.append(line.strip())
    assert out, "chapter 01 has hidden tests"
    return out


def learner_notebook(path: Path, solved=("update_parameters_with_gd", "random_mini_batches")):
    """The released notebook with the exercises in `solved` written by the learner."""
    reference = solutions.strip(nbformat.read(ROOT / "source" / A / f"{NAME}.ipynb", as_version=4))
    code = {c.metadata["nbgrader"]["grade_id"]: c.source for c in reference.cells
            if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(ROOT / "release" / A / f"{NAME}.ipynb", as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and gid in solved:
            cell.source = code[gid]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def run_check(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep
           + os.environ.get("PATH", "")}
    return subprocess.run([sys.executable, "-m", "course", "check", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_solved_notebook_passes_with_full_points(tmp_path):
    nb = learner_notebook(tmp_path / "mine" / f"{NAME}.ipynb")
    before = _sha(nb)
    proc = run_check(str(nb))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "score: 11/11 (8 of 8 tests pass)" in proc.stdout, proc.stdout
    assert "FAIL" not in proc.stdout
    assert "2 of these tests have hidden parts" in proc.stdout  # and how to run them
    assert f"python -m course check {A} --full" in proc.stdout
    assert _sha(nb) == before  # never modified


@pytest.mark.slow
def test_untouched_notebook_fails_with_messages(tmp_path):
    nb = tmp_path / f"{NAME}.ipynb"
    nb.write_bytes((ROOT / "release" / A / f"{NAME}.ipynb").read_bytes())
    proc = run_check(str(nb))
    assert proc.returncode == selfcheck.EXIT_FAIL, proc.stdout + proc.stderr
    assert "score: 0/11" in proc.stdout
    assert proc.stdout.count("FAIL") == 8
    assert "update_parameters_with_gd is not written yet" in proc.stdout
    assert nb.read_bytes() == (ROOT / "release" / A / f"{NAME}.ipynb").read_bytes()


@pytest.mark.slow
def test_full_check_runs_hidden_tests_without_showing_them(tmp_path):
    nb = learner_notebook(tmp_path / f"{NAME}.ipynb", solved=("update_parameters_with_gd",))
    feedback = tmp_path / "feedback"
    proc = run_check(str(nb), "--full", "--feedback-dir", str(feedback))
    out = proc.stdout
    assert proc.returncode == selfcheck.EXIT_FAIL, out + proc.stderr
    rows = {line.split()[-4]: line.split()[0] for line in out.splitlines()
            if line.endswith("(with hidden tests)")}
    assert rows == {"test_gd_hidden": "pass", "test_batches_hidden": "FAIL"}, out
    assert "score: 3/11" in out
    for line in _hidden_lines():
        assert line not in out, f"hidden test code printed: {line}"
    html = feedback / A / f"{NAME}.html"
    assert html.exists() and str(html.relative_to(tmp_path)) in out.replace(str(tmp_path) + "/", "")
    text = html.read_text()
    assert "test_batches_hidden" in text
    for line in _hidden_lines():
        assert line not in text, f"hidden test code in the feedback: {line}"


def test_missing_and_invalid_notebooks_are_not_graded(tmp_path, capsys):
    def check(target):
        code = selfcheck.main(argparse.Namespace(target=target, full=False, feedback_dir=None))
        return code, capsys.readouterr().out

    code, out = check(str(tmp_path / f"{NAME}.ipynb"))
    assert code == selfcheck.EXIT_NOT_GRADED and "notebook not found" in out
    broken = tmp_path / f"{NAME}.ipynb"
    broken.write_text('{"cells": [')
    code, out = check(str(broken))
    assert code == selfcheck.EXIT_NOT_GRADED and "not a valid notebook" in out
    assert broken.read_text() == '{"cells": ['
    code, out = check("99_nothing")
    assert code == selfcheck.EXIT_NOT_GRADED and "unknown chapter" in out
    code, out = check(str(tmp_path / "notes.ipynb"))
    assert code == selfcheck.EXIT_NOT_GRADED and "not a graded notebook of this course" in out


def test_default_target_is_the_workspace_copy(tmp_path):
    assert selfcheck.resolve("01", workspace=tmp_path) == [(A, NAME, tmp_path / A / f"{NAME}.ipynb")]
    assert selfcheck.resolve(A, workspace=tmp_path)[0][2] == tmp_path / A / f"{NAME}.ipynb"


@pytest.mark.slow
def test_solutions_have_outputs_and_no_hidden_tests(tmp_path):
    (path,) = solutions.write(A, tmp_path)
    assert path == tmp_path / A / f"{NAME}.ipynb"
    nb = nbformat.read(path, as_version=4)
    text = json.dumps([c.source for c in nb.cells])
    assert "HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    for line in _hidden_lines():
        assert line not in text
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert not [o for o in outputs if o.output_type == "error"]
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            assert "def " in cell.source and "NotImplementedError" not in cell.source


def test_workspace_keeps_the_learners_work_across_updates(tmp_path):
    release = tmp_path / "release"
    (release / A).mkdir(parents=True)
    (release / "02_ewma").mkdir()
    original = (ROOT / "release" / A / f"{NAME}.ipynb").read_bytes()
    (release / A / f"{NAME}.ipynb").write_bytes(original)
    (release / A / f"{NAME}_keras.ipynb").write_bytes(original)
    ws = tmp_path / "workspace"
    first = workspace.sync(ws, release, quiet=True)
    assert sorted(first["added"]) == [f"{A}/{NAME}.ipynb", f"{A}/{NAME}_keras.ipynb"]
    assert (ws / ".exchange" / "optdl" / "outbound" / A / f"{NAME}.ipynb").exists()
    config = (ws / ".jupyter" / "nbgrader_config.py").read_text()
    assert str(ws.resolve() / ".exchange") in config
    disabled = json.loads((ws / ".jupyter" / "labconfig" / "page_config.json").read_text())
    assert disabled["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True
    # the learner works on the graded notebook; the course then changes both notebooks
    mine = ws / A / f"{NAME}.ipynb"
    mine.write_bytes(original.replace(b"YOUR CODE HERE", b"my work"))
    changed = original.replace(b"Mini-batch", b"Mini-batch (v2)")
    (release / A / f"{NAME}.ipynb").write_bytes(changed)
    (release / A / f"{NAME}_keras.ipynb").write_bytes(changed)
    (release / "02_ewma" / "ewma.ipynb").write_bytes(original)
    second = workspace.sync(ws, release, quiet=True)
    assert b"my work" in mine.read_bytes()  # never overwritten
    assert second["changed"] == [f"{A}/{NAME}.ipynb"]
    assert (ws / "updates" / A / f"{NAME}.ipynb").read_bytes() == changed
    assert second["updated"] == [f"{A}/{NAME}_keras.ipynb"]  # untouched copy: new version
    assert (ws / A / f"{NAME}_keras.ipynb").read_bytes() == changed
    assert second["added"] == ["02_ewma/ewma.ipynb"]
    third = workspace.sync(ws, release, quiet=True)
    assert third["changed"] == [f"{A}/{NAME}.ipynb"] and not third["added"]
    assert b"my work" in mine.read_bytes()
