"""Isolation of grading kernels: learners who attack other learners or the grader through
the machine, graded in one run between honest learners (`classroom.isolation_class()`).

The graded run needs root and bubblewrap (`sandbox.mode() == "bwrap"`, what `.ci/run` sets
up): without them the cheats would succeed (and the leftover daemon would run as the grader's
own user), which the driver says at the start of its run. No stopwatch anywhere.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import html
import io
import re
from pathlib import Path

import gradingclass as gc
import nbformat
import pytest

from course import ROOT, grader
from course.grader import classroom, sandbox
from course.grader.autograde import grade_one
from course.grader.engine import max_scores
from course.grader.preprocessors import RemoveHiddenTestText

LEFTOVERS = ("/tmp/optdl-leftover-*", "/dev/shm/optdl-leftover-*")
HONEST = [x.learner for x in classroom.isolation_class() if x.learner.endswith("_honest")]


def _outputs(course: Path, learner: str) -> str:
    path = course / "autograded" / learner / gc.ASSIGNMENT / f"{gc.NOTEBOOK}.ipynb"
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                   for c in nb.cells for o in c.get("outputs", []))


def _hidden_lines() -> set[str]:
    """Lines of the chapter's hidden tests that appear nowhere else in its notebook."""
    nb = nbformat.read(ROOT / "source" / gc.ASSIGNMENT / f"{gc.NOTEBOOK}.ipynb", as_version=4)
    hidden = RemoveHiddenTestText().hidden_lines(nb)
    rest = "\n".join(re.sub(r"(?s)BEGIN HIDDEN TESTS.*?END HIDDEN TESTS", "", c.source)
                     for c in nb.cells)
    return {h for h in hidden if len(h) >= 16 and h not in rest}


def _daemons() -> list[str]:
    found = []
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            if b"optdl-leftover-daemon" in Path(cmdline).read_bytes():
                found.append(cmdline)
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def isolated(tmp_path_factory):
    if sandbox.mode() != "bwrap":
        pytest.skip(f"sandbox mode {sandbox.mode()!r}: the isolation catalogue needs root and "
                    "bubblewrap (.ci/run installs it)")
    for pattern in LEFTOVERS:  # an earlier, broken run's
        for p in glob.glob(pattern):
            Path(p).unlink()
    course = gc.make_course(tmp_path_factory.mktemp("isolation"))
    learners = classroom.isolation_class()
    gc.build(course, learners)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        results = grader.grade(course, [gc.ASSIGNMENT], workers=1, progress=True)
    grader.write_reports(course, results)
    return course, learners, {r.student: r for r in results}, printed.getvalue(), results


@pytest.mark.slow
def test_every_cheat_scores_zero_or_is_flagged_and_honest_learners_keep_their_grades(isolated):
    """Checks status, score and flags of each cheat, and full marks for the honest learners
    graded before and after each of them on the same uid."""
    course, learners, by_student, _, _ = isolated
    expected = gc.expected(course, learners)
    problems = []
    for x in learners:
        r = by_student[x.learner]
        score, status = expected[x.learner]
        if (r.score, r.status) != (score, status):
            problems.append(f"{x.learner}: {r.score} {r.status!r} ({r.message}), expected "
                            f"{score} {status!r}")
        for word in x.flags:
            if word not in r.flags:
                problems.append(f"{x.learner}: flags {r.flags!r} lack {word!r}")
        if not x.learner.endswith("_honest") and r.score and not r.flags:
            problems.append(f"{x.learner}: points without a flag")
    for name in HONEST:
        r = by_student[name]
        if (r.score, r.max_score, r.status, r.flags) != (11, 11, "graded", ""):
            problems.append(f"{name}: {r}")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_the_attacks_ran_and_saw_nothing(isolated):
    """Checks each attack did run in its kernel, and found nothing: no files of another
    learner, nothing outside the allow-list, no grader process."""
    course, _, _, _, _ = isolated
    assert "DAEMON-STARTED" in _outputs(course, "i01_leftover_daemon")
    assert "TAMPER-LEFT /tmp/" in _outputs(course, "i03_leave_tmp_files")
    for name in ("i04_take_tmp_files", "i06_read_outside"):
        text = _outputs(course, name)
        assert "TAMPER-BLOCKED" in text and "TAMPER-READ" not in text, (name, text)
    assert "TAMPER-PROCS 0" in _outputs(course, "i06_read_outside")


@pytest.mark.slow
def test_nothing_outlives_a_learner(isolated):
    """Checks no file left in /tmp or /dev/shm and no leftover process survive the run."""
    assert not [p for pattern in LEFTOVERS for p in glob.glob(pattern)]
    assert not _daemons()


@pytest.mark.slow
def test_output_written_to_fd_1_is_bounded(isolated):
    """Checks 300 MiB written to fds 1 and 2 stop at the kernel's file-size cap, away from
    nbgrader: the autograded notebook and every grading log stay small."""
    course, _, _, _, _ = isolated
    text = _outputs(course, "i08_flood_fd1")
    assert "FLOOD-STOPPED 1" in text, text
    nb = course / "autograded" / "i08_flood_fd1" / gc.ASSIGNMENT / f"{gc.NOTEBOOK}.ipynb"
    assert nb.stat().st_size < 1_000_000
    logs = list((course / ".grading" / "logs").rglob("*.log"))
    assert logs and max(p.stat().st_size for p in logs) < 1_000_000


@pytest.mark.slow
def test_no_hidden_test_text_in_any_feedback(isolated):
    """Checks a learner's functions printed their caller's source (linecache) and an added
    cell printed the input history, and that no feedback file has a line of a hidden test.
    With trusted judging the hidden tests never reach the kernel (the caller is the judge's
    stub); should they, RemoveHiddenTestText takes them out of the feedback (unit test
    below): either way the feedback must be clean."""
    course, learners, _, _, _ = isolated
    hidden = _hidden_lines()
    assert hidden
    leaked = _outputs(course, "i10_leak_test_source")
    assert "LEAK-LINECACHE" in leaked and "LEAK-HISTORY" in leaked, "the attack did not run"
    for x in learners:
        pages = list((course / "feedback" / x.learner).rglob("*.html"))
        assert pages, x.learner
        for page in pages:
            text = html.unescape(re.sub(r"<[^>]*>", "", page.read_text()))
            found = sorted(h for h in hidden if h in text)
            assert not found, (x.learner, found[:3])


@pytest.mark.slow
def test_flags_show_whatever_the_status(isolated):
    """Checks a flagged submission whose last cell runs out of memory has both its status
    and its flags, in results.csv and in the printed table."""
    course, _, by_student, _, results = isolated
    r = by_student["i12_flagged_memory_error"]
    assert r.status == "out of memory" and "imports os" in r.flags, r
    rows = {row["student"]: row for row in csv.DictReader((course / "results.csv").open())}
    row = rows["i12_flagged_memory_error"]
    assert row["status"] == "out of memory" and "imports os" in row["flags"], row
    table = grader.format_table(results).splitlines()
    at = next(i for i, line in enumerate(table) if "i12_flagged_memory_error" in line)
    assert "out of memory" in table[at] and "imports os" in table[at + 1], table[at:at + 2]


@pytest.mark.slow
def test_run_starts_by_saying_what_is_protected(isolated):
    """Checks the driver's first lines list each guarantee of the bubblewrap sandbox."""
    printed = isolated[3]
    assert printed.startswith("grading sandbox: bubblewrap\n"), printed[:300]
    for line in sandbox.Settings().describe().splitlines()[1:]:
        assert line in printed
    assert "[ ]" not in printed.split("[1/")[0]


@pytest.mark.slow
def test_launcher_without_bubblewrap_still_grades(tmp_path):
    """Checks the older path (no bubblewrap: the launcher's own namespaces when root, limits
    only otherwise) grades a correct and an untouched submission as before."""
    course = gc.make_course(tmp_path / "nobwrap")
    learners = classroom.load_class(gc.ASSIGNMENT)[:2]
    gc.build(course, learners)
    graded, maxima = max_scores(course, gc.ASSIGNMENT)
    box = sandbox.Settings(bwrap=False, hide=(str(ROOT),))
    got = {x.learner: grade_one(course, gc.ASSIGNMENT, x.learner, graded, maxima, box=box)[0]
           for x in learners}
    assert (got["full_marks"].score, got["full_marks"].status) == (11, "graded"), got
    assert (got["untouched"].score, got["untouched"].status) == (0, "graded"), got
    assert not glob.glob(str(course / ".grading" / "jupyter" / "kernels"
                             / sandbox.BWRAP_KERNEL_NAME))


# ------------------------------------------------------------------ fast, no nbgrader


def test_bwrap_command_line(tmp_path):
    """Checks the kernel's bubblewrap: every namespace but the user one (the sandbox uid is
    the same uid on the host), dies with its parent, a new session, private /tmp and
    /dev/shm, read-only allow-list, read-write scratch and IPC folders only, setpriv to the
    uid with no capabilities."""
    ipc = tmp_path / "ipc"
    argv = sandbox.bwrap_argv(("/usr/bin/bwrap", "/usr/bin/setpriv"), 61234, tmp_path,
                              [ipc], ["python", "-m", "ipykernel_launcher"])
    for flag in ("--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts",
                 "--die-with-parent", "--new-session"):
        assert flag in argv
    assert "--unshare-all" not in argv and "--unshare-user" not in argv
    binds = [argv[i + 1] for i, a in enumerate(argv) if a == "--bind"]
    assert binds == [str(tmp_path), str(ipc)]
    ro = [argv[i + 1] for i, a in enumerate(argv) if a == "--ro-bind"]
    assert str(ROOT / "course") in ro and str(ROOT) not in ro and "/etc" not in ro
    assert not any(p == "/" or str(ROOT / "source").startswith(p + "/") for p in ro)
    tmpfs = [argv[i + 1] for i, a in enumerate(argv) if a == "--tmpfs"]
    assert tmpfs == ["/tmp", "/dev/shm"]
    tail = argv[argv.index("--") + 1:]
    assert tail[0] == "/usr/bin/setpriv" and "--reuid=61234" in tail and "--bounding-set=-all" in tail
    assert tail[-3:] == ["python", "-m", "ipykernel_launcher"]
    assert "--unshare-net" not in sandbox.bwrap_argv(("b", "s"), 1, tmp_path, [], ["k"],
                                                     network=True)


@pytest.mark.parametrize("mode", ["bwrap", "namespaces", "limits", "off"])
def test_describe_says_what_is_not_protected(monkeypatch, mode):
    """Checks one line per guarantee, and that each mode says what it lacks."""
    monkeypatch.setattr(sandbox.Settings, "mode", lambda self: mode)
    lines = sandbox.Settings().describe().splitlines()
    missing = [line for line in lines if line.startswith("  [ ]")]
    expected = {"bwrap": 0, "namespaces": 3, "limits": 5, "off": 1}[mode]
    assert len(missing) == expected, lines


def test_feedback_loses_every_line_quoting_a_hidden_test():
    """Checks output lines quoting hidden tests go (streams, results, HTML, errors, reprs
    of the input history, colour codes), and other lines stay."""
    grade = nbformat.v4.new_code_cell(
        "check(f)\n### BEGIN HIDDEN TESTS\nassert f(3) == 0.123456, 'secret'\nx = f(2)\n)\n"
        "### END HIDDEN TESTS\n")
    grade.outputs = [nbformat.v4.new_output(
        "stream", name="stdout", text="ok\nLEAK assert f(3) == 0.123456, 'secret'\nmore\n")]
    added = nbformat.v4.new_code_cell("print(In)")
    added.outputs = [
        nbformat.v4.new_output("execute_result", data={
            "text/plain": repr(["check(f)\n### BEGIN HIDDEN TESTS\nassert f(3) == 0.123456, "
                                "'secret'\n"]),
            "text/html": "<pre>x = f(2)</pre>", "image/png": "AAAA"}),
        nbformat.v4.new_output("error", ename="E", evalue="x = f(2)", traceback=[
            "\x1b[0;32m----> 3\x1b[0m x \x1b[38;5;241m=\x1b[39m f(2)\nother"]),
        nbformat.v4.new_output("stream", name="stdout", text="a )\nx = f(1)\n"),
    ]
    nb = nbformat.v4.new_notebook(cells=[grade, added])
    nb, _ = RemoveHiddenTestText().preprocess(nb, {})
    gone = RemoveHiddenTestText.replacement
    assert nb.cells[0].outputs[0].text == f"ok\n{gone}\nmore\n"
    result, error, stream = nb.cells[1].outputs
    assert result.data["text/plain"] == gone and result.data["text/html"] == gone
    assert result.data["image/png"] == "AAAA"
    assert error.evalue == gone and error.traceback == [f"{gone}\nother"]
    assert stream.text == "a )\nx = f(1)\n"  # ")" has no letter; f(1) is not a hidden line


def test_isolation_catalogue_builds(tmp_path):
    """Checks every isolation kind turns into a notebook: stubs for the ones who copy,
    solutions otherwise, the attack before the first test and the end cell last."""
    release = nbformat.read(ROOT / "source" / gc.ASSIGNMENT / f"{gc.NOTEBOOK}.ipynb",
                            as_version=4)
    context = {"course_dir": tmp_path, "assignment": gc.ASSIGNMENT, "name": gc.NOTEBOOK,
               "repo": ROOT, "course_package": ROOT / "course"}
    for x in classroom.isolation_class():
        nb = nbformat.reads(classroom.submission_bytes(x, release, release, context).decode(),
                            as_version=4)
        code = "\n".join(c.source for c in nb.cells)
        assert "{name}" not in code and "{repo}" not in code and "{base_uid}" not in code
        if x.kind in classroom.ISOLATION_SABOTAGE_END:
            assert nb.cells[-1].source == classroom.ISOLATION_SABOTAGE_END[x.kind].replace(
                "{base_uid}", str(sandbox.BASE_UID))
