"""The simulated class through real `nbgrader autograde`: every learner gets the expected grade."""

from __future__ import annotations

import json

import nbformat
import pytest
from conftest import ASSIGNMENTS, ROOT, distinctive, split_region

from course import grader, notebooks
from course.grader import classroom, precheck


def test_check_submission_statuses(tmp_path):
    """Checks the pre-flight check names missing, non-JSON and non-notebook files."""
    good = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    cases = {
        "ok.ipynb": (nbformat.writes(good), "graded"),
        "bad.ipynb": ("{ not json", "invalid notebook"),
        "empty.ipynb": ("", "invalid notebook"),
        "other.ipynb": (json.dumps({"a": 1}), "invalid notebook"),
    }
    for name, (text, _) in cases.items():
        (tmp_path / name).write_text(text)
    for name, (_, status) in cases.items():
        assert precheck.check_submission(tmp_path / name)[0] == status, name
    assert precheck.check_submission(tmp_path / "absent.ipynb")[0] == "missing"


def test_check_submission_refuses_links_and_special_files(tmp_path):
    """Checks a symlink (to a solution, say), a hard link and a FIFO are refused, not read."""
    import os

    solution = tmp_path / "solution.ipynb"
    solution.write_text(nbformat.writes(nbformat.v4.new_notebook()))
    os.symlink(solution, tmp_path / "sym.ipynb")
    os.link(solution, tmp_path / "hard.ipynb")
    os.mkfifo(tmp_path / "fifo.ipynb")
    for name, word in [("sym.ipynb", "symbolic link"), ("hard.ipynb", "hard link"),
                       ("fifo.ipynb", "not a regular file")]:
        status, message = precheck.check_submission(tmp_path / name)
        assert (status, word in message) == ("refused", True), (name, status, message)


def test_format_table_lists_what_needs_attention_within_100_columns():
    """Checks the summary counts statuses, lists mismatches, non-graded and flagged rows (flags
    shown whatever the status) and never a plain graded row, in lines of at most 100 columns."""
    results = [grader.Result("01_a", "ann", "nb", 3, 4, "graded"),
               grader.Result("01_a", "bob", "nb", 0, 4, "invalid notebook", "not JSON"),
               grader.Result("01_a", "cat", "nb", 4, 4, "graded"),
               grader.Result("01_a", "dan", "nb", 0, 4, "out of memory", "MemoryError",
                             flags="uses exec in an added cell " + "x" * 200)]
    table = grader.format_table(results, {("ann", "01_a", "nb"): (4, "graded"),
                                          ("cat", "01_a", "nb"): (4, "graded")})
    assert "1/2 as expected" in table and "2 graded" in table
    assert "3/4 !=4 graded" in table
    assert "0/4 invalid notebook: not JSON" in table
    assert "flags: uses exec" in table
    assert " cat " not in table
    assert max(map(len, table.splitlines())) <= 100


def test_mistake_edits_must_apply():
    """Checks a mistake whose text is not in the solution is reported, not silently ignored."""
    src = ROOT / "source" / "01_minibatch" / "minibatch.ipynb"
    nb = nbformat.read(src, as_version=4)
    with pytest.raises(ValueError, match="not found"):
        classroom.solved(nb, nb, {"random_mini_batches": [["no such text", "x"]]})


def test_every_simulated_mistake_says_what_its_message_must_name():
    """Checks each mistake learner of the simulated class states the diagnosis (`says`) that the
    main job looks for in its failing cells' messages (checked there, on real autograding)."""
    for a in ASSIGNMENTS:
        for learner in classroom.load_class(a):
            if learner.kind == "mistake" and learner.fails:
                assert len(learner.says.strip()) >= 5, (
                    f"{a}: {learner.learner} needs a `says` naming its mistake")


def test_message_report_counts_named_cells(tmp_path):
    """Checks the message check reads failing cells' errors and matches `says` case-insensitively."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].metadata["nbgrader"] = {"grade": True, "grade_id": "test_a", "points": 1}
    nb.cells[0].outputs = [nbformat.v4.new_output("error", ename="AssertionError",
                                                  evalue="v is wrong: Missing (1 - beta)",
                                                  traceback=[])]
    path = tmp_path / "autograded" / "m_x" / "01_a" / "nb.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    named = classroom.Learner("m_x", notebook="nb", fails=["test_a"], says="missing (1 - beta)")
    vague = classroom.Learner("m_x", notebook="nb", fails=["test_a"], says="bias correction")
    assert [c.named for c in classroom.message_report(tmp_path, "01_a", [named], ["nb"])] == [True]
    assert [c.named for c in classroom.message_report(tmp_path, "01_a", [vague], ["nb"])] == [False]


@pytest.mark.slow
def test_simulated_class_gets_expected_grades(simulated_class):
    """Checks real autograde gives each simulated learner its expected score, status and failing cells."""
    work, code = simulated_class
    results = json.loads((work / ".grading" / "results.json").read_text())
    assert (work / "results.csv").read_text().splitlines()[0].count("status") == 1
    by_key = {(r["student"], r["assignment"], r["notebook"]): r for r in results}
    problems = []
    for a in ASSIGNMENTS:
        for path in notebooks.graded_notebooks(work / "source" / a):
            for learner in classroom.load_class(a):
                score, _, failing = classroom.expected_scores(learner, path)
                r = by_key[(learner.learner, a, path.stem)]
                if r["cells"]:
                    points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
                              for c in notebooks.grade_cells(nbformat.read(path, as_version=4))}
                    failed = {g for g, s in r["cells"].items() if s < points[g]}
                    if failed != failing:
                        problems.append(f"{learner.learner}/{path.stem}: failed {sorted(failed)}, "
                                        f"expected {sorted(failing)}")
                if r["score"] != score:
                    problems.append(f"{learner.learner}/{path.stem}: {r['score']} != {score}")
    assert not problems, "\n".join(problems)
    assert code == 0
    assert list((work / "feedback").rglob("*.html")), "no feedback HTML written"
    _assert_feedback_hides_hidden_tests(work)


def _hidden_lines(source_nb) -> set[str]:
    return {line for cell in notebooks.grade_cells(source_nb)
            for line in distinctive(split_region(cell.source, "HIDDEN TESTS")[0], 20)}


def _assert_feedback_hides_hidden_tests(work):
    """Feedback text (tags stripped: highlighting splits code into spans) quotes no hidden test."""
    import html as html_lib
    import re

    hidden = {}
    for a in ASSIGNMENTS:
        for path in notebooks.graded_notebooks(work / "source" / a):
            visible = nbformat.read(work / "release" / a / path.name, as_version=4)
            shown = "\n".join(c.source for c in visible.cells)  # what learners see anyway
            hidden[(a, path.stem)] = {line for line in _hidden_lines(nbformat.read(path, as_version=4))
                                      if line not in shown}
    failing_feedback = 0
    for page in (work / "feedback").rglob("*.html"):
        text = html_lib.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
        assignment, name = page.parent.name, page.stem
        assert "BEGIN HIDDEN TESTS" not in text, page
        leaked = [line for line in hidden.get((assignment, name), ()) if line in text]
        assert not leaked, f"{page}: hidden test code in feedback: {leaked[:2]}"
        failing_feedback += "Error" in text
    assert failing_feedback, "no feedback page shows a failing test's message"
    pages = [p.read_text() for p in (work / "feedback").rglob("*.html")]
    assert not [p for p in pages if str(ROOT) in p], "feedback shows the grader's folders"
    assert all("<math" in p for p in pages), "feedback formulas are not MathML (offline: raw $)"


def test_feedback_preprocessors_shorten_paths_and_draw_formulas_offline():
    """Checks feedback tracebacks lose the grading machine's folders and Markdown formulas
    become MathML (no CDN needed), while code spans stay as written."""
    import sys

    from course.grader.preprocessors import MathToMathML, ShortenPaths

    tb = f"File {ROOT}/course/testing.py:458, in call(func)"
    error = nbformat.v4.new_output("error", ename="AssertionError", evalue="v is wrong",
                                   traceback=[tb, f"File {sys.prefix}/lib/x.py:1"])
    stream = nbformat.v4.new_output("stream", name="stdout",
                                    text="/tmp/optdl-sandbox-0-ab/kernel-cd/data.csv\n")
    code = nbformat.v4.new_code_cell("x", outputs=[error, stream])
    md = nbformat.v4.new_markdown_cell(
        "Update $v = \\beta v + (1-\\beta)\\theta$ and\n$$\\hat v = \\frac{v}{1-\\beta^t}$$\n"
        "costs `$5` in code.")
    nb = nbformat.v4.new_notebook(cells=[code, md])
    nb, _ = ShortenPaths().preprocess(nb, {})
    nb, _ = MathToMathML().preprocess(nb, {})
    out = nb.cells[0].outputs
    assert out[0].traceback[0] == "File course/testing.py:458, in call(func)"
    assert str(ROOT) not in "".join(out[0].traceback) and sys.prefix not in out[0].traceback[1]
    assert out[1].text == "data.csv\n"
    text = nb.cells[1].source
    assert text.count("<math") == 2 and 'display="block"' in text
    assert "\\beta" not in text.split("`$5`")[0]
    assert "`$5`" in text
