"""The main job (`make grade`): release every chapter, grade a simulated class whose expected
scores are known, and check that grades and failure messages are what they should be."""

from __future__ import annotations

import shutil
from pathlib import Path

from .. import ROOT, notebooks
from . import classroom
from .analytics import write_class_reports
from .engine import grade, max_scores
from .nbgrader_cli import release
from .reports import format_table, where_it_went, write_reports


def demo(course_dir: Path = ROOT, assignments: list[str] | None = None, workers: int | None = None,
         work_dir: Path | None = None, publish: bool = True) -> int:
    """The main job: regenerate release/, grade a simulated class, write feedback and grades.csv.

    The class is graded in its own course directory (`demo/` by default) so simulated
    learners never mix with an instructor's real submissions and gradebook. Exit status 1
    when any learner's grade differs from the expected one.
    """
    course_dir = course_dir.resolve()
    work = (work_dir or course_dir / "demo").resolve()
    assignments = assignments or notebooks.assignments(course_dir / "source")
    stale = [p for p in notebooks.build_all(course_dir / "source", check=True)
             if p.parent.name in assignments]
    if stale:
        print("Source notebooks are out of date with their masters: run `python -m course build`.")
        return 1
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    shutil.copy(course_dir / "nbgrader_config.py", work)
    for a in assignments:
        shutil.copytree(course_dir / "source" / a, work / "source" / a)
    release(work, assignments)
    # Publish the fresh release: release/ in the repository is generated, never hand-edited.
    for a in assignments if publish else []:
        target = course_dir / "release" / a
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(work / "release" / a, target)

    expected = {}
    for a in assignments:
        graded, _ = max_scores(work, a)
        for learner in classroom.build_submissions(work, a, graded, course_dir / "classroom"):
            for name in graded:
                score, _, _ = classroom.expected_scores(
                    learner, work / "source" / a / f"{name}.ipynb")
                status = learner.status if learner.notebook in (None, name) else "graded"
                expected[(learner.learner, a, name)] = (score, status)

    results = grade(work, assignments, workers=workers)
    csv_path = write_reports(work, results)
    print()
    print(format_table(results, expected))
    print(where_it_went(work, csv_path))
    for report in write_class_reports(work, assignments):
        print(f"class report: {report.paths['html']}")
    named_ok = _report_messages(work, assignments, course_dir / "classroom")
    unwritten = [r for r in results if r.feedback]
    if unwritten:
        print(f"\nFeedback was not written for {len(unwritten)} notebook(s): "
              f"{[(r.student, r.notebook, r.feedback) for r in unwritten[:3]]}")
        return 1
    wrong = [k for k, (score, status) in expected.items()
             if not any(r.student == k[0] and r.assignment == k[1] and r.notebook == k[2]
                        and abs(r.score - score) < 1e-9 and r.status == status for r in results)]
    if wrong:
        print(f"\n{len(wrong)} grade(s) differ from the simulated class's expected scores: {wrong}")
        return 1
    print(f"\nAll {len(expected)} grades match the simulated class's expected scores and statuses.")
    return 0 if named_ok else 1


# At least this share of the simulated mistakes' failing cells must name the mistake.
NAMED_SHARE = 0.9


def _report_messages(work: Path, assignments: list[str], classroom_dir: Path) -> bool:
    """Print, per chapter, how many failing cells of the simulated mistakes name the mistake
    (the learner's `says` in the message), and the cells that do not. True when the share
    is at least NAMED_SHARE and every mistake is named by at least one of its cells."""
    print("\nFailure messages that name the simulated mistake:")
    total = named = 0
    unnamed_mistakes = []
    for a in assignments:
        graded, _ = max_scores(work, a)
        checks = classroom.message_report(work, a, classroom.load_class(a, classroom_dir), graded)
        learners = sorted({c.learner for c in checks})
        for who in learners:
            if not any(c.named for c in checks if c.learner == who):
                unnamed_mistakes.append(who)
        n = sum(c.named for c in checks)
        total, named = total + len(checks), named + n
        print(f"  {a}: {len(learners)} mistakes, {n} of {len(checks)} failing cells name them")
        for c in checks:
            if not c.named:
                print(f"    {c.learner} {c.grade_id}: expected {c.says!r}, said {c.message[:160]!r}")
    share = named / total if total else 1.0
    print(f"  all chapters: {named} of {total} ({share:.0%})")
    if unnamed_mistakes:
        print(f"  mistakes no message names: {unnamed_mistakes}")
    return share >= NAMED_SHARE and not unnamed_mistakes
