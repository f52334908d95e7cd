"""The class report (`python -m course report`): its numbers on a hand-made graded course, and
the simulated class's known mistakes recovered from real autograding."""

from __future__ import annotations

import csv
import json

import nbformat
import pytest
from conftest import ASSIGNMENTS

from course.grader import analytics, classroom
from course.grader.reports import write_reports
from course.grader.status import Result
from course.testing import MISTAKE, OR, check_close

A = "01_a"


def _error_cell(grade_id: str, points: float, evalue: str | None, ename="AssertionError"):
    cell = nbformat.v4.new_code_cell("check()")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "points": points,
                                 "solution": False, "locked": True}
    if evalue is not None:
        cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                               traceback=[])]
    return cell


def _course(tmp_path, learners: dict[str, dict[str, str | None]]):
    """A graded course directory: source/01_a/nb.ipynb with cells t1 (2 points) and t2 (1),
    and for each learner {grade id: error message, None for a pass} an autograded notebook
    and a result in .grading/results.json."""
    points = {"t1": 2.0, "t2": 1.0}
    src = nbformat.v4.new_notebook(cells=[_error_cell(g, p, None) for g, p in points.items()])
    (tmp_path / "source" / A).mkdir(parents=True)
    nbformat.write(src, tmp_path / "source" / A / "nb.ipynb")
    results = []
    for who, cells in learners.items():
        nb = nbformat.v4.new_notebook(cells=[_error_cell(g, points[g], cells.get(g))
                                             for g in points])
        path = tmp_path / "autograded" / who / A / "nb.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
        scores = {g: 0.0 if cells.get(g) is not None else points[g] for g in points}
        results.append(Result(A, who, "nb", sum(scores.values()), 3.0, "graded", cells=scores))
    results.append(Result(A, "gone", "nb", 0.0, 3.0, "missing", "no nb.ipynb"))
    write_reports(tmp_path, results)
    return tmp_path


def _kit_message(diagnoses: list[str]) -> str:
    """The message course.testing writes for a value that matches these mistakes."""
    try:
        check_close(1.0, 2.0, "v", mistakes={d: 1.0 for d in diagnoses})
    except AssertionError as err:
        return str(err)
    raise AssertionError("check_close passed")


def test_diagnoses_parse_the_kits_marker_and_fall_back_to_the_message():
    """Checks named diagnoses are read after the kit's marker (several split on ' Or: '), and
    a message without one is keyed by its first line with learner-specific values stripped
    (code such as len(parameters) // 2 kept)."""
    msg = _kit_message(["bias correction missing: divide by 1 - beta**t.", "t - 1 used."])
    assert MISTAKE in msg and OR in msg
    assert analytics.diagnoses("AssertionError: " + msg) == (
        ["bias correction missing: divide by 1 - beta**t.", "t - 1 used."], True)
    a = analytics.diagnoses("AssertionError: v['dW1'] is wrong at index (0, 1): got 0.123, "
                            "expected -1.5e-08 (3 of 6 entries differ).\nmore")
    b = analytics.diagnoses("AssertionError: v['dW2'] is wrong at index (1, 0): got 7.5, "
                            "expected 2.25 (1 of 6 entries differ).")
    assert a == b == (["v['dW#'] is wrong at index (#): got #, expected # "
                       "(# of # entries differ)."], False)
    keyed = analytics.diagnoses("AssertionError: f asked for 'dW4' of a network with 3 layers: "
                                "L = len(parameters) // 2.")
    assert keyed == (["f asked for 'dW#' of a network with 3 layers: L = len(parameters) // 2."],
                     False)
    assert analytics.diagnoses("AssertionError: p['W1'] contains NaN or inf. Got nan at t = 1")[0] \
        == ["p['W#'] contains NaN or inf. Got nan at t = 1"]
    assert analytics.diagnoses("AssertionError: x is wrong: got nan, expected 2")[0] == [
        "x is wrong: got #, expected #"]
    assert analytics.diagnoses("NameError: name 'x' is not defined")[0] == [
        "NameError: name 'x' is not defined"]
    assert analytics.diagnoses("") == (["no diagnosis"], False)


def test_report_counts_a_hand_made_class(tmp_path):
    """Checks statuses, cell pass rates, the histogram and the mistakes (named, a message
    without a diagnosis, a lost point without a message) in the HTML, CSV and JSON."""
    named = _kit_message(["bias correction missing: divide by 1 - beta**t."])
    course = _course(tmp_path, {
        "ann": {},
        "bob": {"t1": named, "t2": "v is wrong at index (0, 0): got 1.5, expected 2.5"},
        "cat": {"t1": named.replace("v is", "s is")},
        "dan": {"t1": "v is wrong at index (2, 0): got 0.5, expected 0.25", "t2": ""},
    })
    report = analytics.write_report(course, A)
    data = json.loads(report.paths["json"].read_text())
    assert data["learners"] == 5 and data["max_score"] == 3
    assert data["statuses"] == {"graded": 4, "missing": 1}
    assert [(c["grade_id"], c["passed"], c["autograded"]) for c in data["cells"]] == [
        ("t1", 1, 4), ("t2", 2, 4)]
    assert [h["learners"] for h in data["histogram"]] == [3, 1, 0, 1]  # bob dan gone; cat; -; ann
    counts = {m["diagnosis"]: (m["learners"], m["named"]) for m in data["mistakes"]}
    assert counts == {
        "bias correction missing: divide by 1 - beta**t.": (["bob", "cat"], True),
        "v is wrong at index (#): got #, expected #": (["bob", "dan"], False),
        "no diagnosis": (["dan"], False),
    }
    rows = list(csv.DictReader(report.paths["csv"].open()))
    assert {"summary", "score", "status", "cell", "mistake", "message"} == {r["section"]
                                                                           for r in rows}
    mistake = next(r for r in rows if r["section"] == "mistake")
    assert (mistake["count"], mistake["detail"]) == ("2", "bob cat")
    page = report.paths["html"].read_text()
    assert page.count("data:image/png;base64,") == 3
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")
    assert "bias correction missing" in page
    text = analytics.summary(report)
    assert "2 bias correction missing" in text and str(report.paths["html"]) in text
    assert max(map(len, text.splitlines())) <= 100


def test_report_without_results_says_what_to_run(tmp_path):
    """Checks a course directory with no grading results stops with the command to run."""
    with pytest.raises(SystemExit, match="python -m course grade 01_a"):
        analytics.build_report(tmp_path, A)


@pytest.mark.slow
def test_report_recovers_the_simulated_classs_mistakes(simulated_class):
    """Checks the report written by the main job counts every simulated mistake learner under a
    diagnosis that says its mistake (`says`), and never counts full_marks."""
    work, _ = simulated_class
    problems = []
    for a in ASSIGNMENTS:
        data = json.loads((work / "reports" / a / "report.json").read_text())
        assert (work / "reports" / a / "report.html").exists()
        learners = classroom.load_class(a)
        assert data["learners"] == len(learners)
        assert sum(data["statuses"].values()) >= len(learners)
        for m in data["mistakes"]:
            if "full_marks" in m["learners"]:
                problems.append(f"{a}: full_marks counted under {m['diagnosis']!r}")
        for learner in learners:
            if learner.kind != "mistake" or not learner.fails:
                continue
            if not any(learner.says.lower() in m["diagnosis"].lower()
                       and learner.learner in m["learners"] for m in data["mistakes"]):
                mine = [m["diagnosis"][:120] for m in data["mistakes"]
                        if learner.learner in m["learners"]]
                problems.append(f"{a}: {learner.learner} ({learner.says!r}) not counted; "
                                f"counted under {mine}")
    assert not problems, "\n".join(problems)
