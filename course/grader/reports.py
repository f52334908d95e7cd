"""What a grading run writes and prints for the instructor.

`results.csv` (one row per learner and notebook: score, status, message, lateness, flags) is
the driver's own file: `nbgrader export` writes `grades.csv` with nbgrader's columns and
never overwrites it. The printed table fits 100 columns: one summary line per assignment,
then only the rows that need attention.
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from pathlib import Path

from .status import Result, Status
from .store import write_atomic

CSV_NAME = "results.csv"
WIDTH = 100

LEGEND = """\
Marks: score/max is the autograded score. A row is listed when its status is not `graded`,
when it has flags (review them), or (simulated class) when it differs from the expected
score: `!=7 graded` means the expected score was 7 with status graded. Every learner and
notebook is in the CSV."""


def write_reports(course_dir: Path, results: list[Result]) -> Path:
    """results.csv (one row per learner and notebook, with status) and .grading/results.json."""
    out = Path(course_dir) / CSV_NAME
    fields = [f for f in Result.__dataclass_fields__ if f != "cells"]
    rows = sorted(results, key=lambda r: (r.student, r.assignment, r.notebook))
    tmp = out.with_suffix(".csv.tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow(r.row())
    os.replace(tmp, out)
    write_atomic(Path(course_dir) / ".grading" / "results.json",
                 json.dumps([r.to_json() for r in rows], indent=1))
    return out


def _clip(text: str, width: int = WIDTH) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _matches(r: Result, expected: dict | None) -> bool | None:
    if expected is None or (r.student, r.assignment, r.notebook) not in expected:
        return None
    score, status = expected[(r.student, r.assignment, r.notebook)]
    return abs(r.score - score) < 1e-9 and r.status == status


def format_table(results: list[Result], expected: dict | None = None) -> str:
    """A summary line per assignment, then the rows that need attention, within 100 columns.

    With `expected` ({(student, assignment, notebook): (score, status)}), the summary counts
    the grades that match the simulated learners' expected ones and lists those that do not.
    """
    lines = []
    by_assignment: dict[str, list[Result]] = {}
    for r in results:
        by_assignment.setdefault(r.assignment, []).append(r)
    lines.append(f"{'assignment':<22}{'rows':>5}{'mean':>7}  statuses")
    for a in sorted(by_assignment):
        rs = by_assignment[a]
        mean = sum(r.score / r.max_score for r in rs if r.max_score) / max(len(rs), 1)
        counts = Counter(str(r.status) for r in rs)
        text = ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda x: -x[1]))
        ok = [_matches(r, expected) for r in rs]
        if expected is not None:
            text += f"; {sum(x is True for x in ok)}/{sum(x is not None for x in ok)} as expected"
        lines.append(_clip(f"{a:<22}{len(rs):>5}{mean:>7.0%}  {text}"))
    attention = [r for r in sorted(results, key=lambda r: (r.assignment, r.student, r.notebook))
                 if r.status != Status.GRADED or r.flags or r.feedback
                 or _matches(r, expected) is False]
    if attention:
        lines += ["", f"{len(attention)} row(s) need attention:"]
        for r in attention:
            mark = ""
            if _matches(r, expected) is False:
                want, want_status = expected[(r.student, r.assignment, r.notebook)]
                mark = f" !={want:g} {want_status}"
            head = f"  {r.assignment[:2]} {r.student:<26.26} {r.score:g}/{r.max_score:g}{mark} " \
                   f"{r.status}"
            lines.append(_clip(head + (f": {r.message}" if r.message else "")))
            if r.flags:
                lines.append(_clip(f"      flags: {r.flags}"))
            if r.feedback:
                lines.append(_clip(f"      feedback {r.feedback}"))
    lines += ["", LEGEND]
    return "\n".join(lines)


def where_it_went(course_dir: Path, csv_path: Path) -> str:
    """The closing lines of a run: where grades, feedback and logs are."""
    course_dir = Path(course_dir)
    return "\n".join([
        "",
        f"results:  {csv_path}  (score, status, message and flags per learner and notebook)",
        f"gradebook: nbgrader's database; `nbgrader export` writes {course_dir / 'grades.csv'}",
        f"feedback: {course_dir / 'feedback'}/<learner>/<assignment>/*.html",
        f"logs:     {course_dir / '.grading' / 'logs'}/<assignment>/<learner>.<notebook>.log",
    ])
