"""The class report (`python -m course report <assignment>`): what a whole class did.

From a graded course directory, for one assignment:

* the score histogram (each learner's total over the assignment's graded notebooks);
* the status counts (one per learner and notebook, as in results.csv);
* the pass rate of every grade cell: learners whose cell got its full points, out of the
  learners whose notebook was autograded (a missing or invalid notebook has no cell scores);
* the learners' mistakes, counted by the diagnosis the tests named. The kit's comparisons
  (`course.testing.check_close`, `check_dict_close`) write a diagnosis from a `mistakes`
  table after `course.testing.MISTAKE` ("Likely mistake: "), several joined by
  `course.testing.OR` (" Or: "); each one counts. A failing cell without such a diagnosis
  is counted under its message's first line with the values that differ from learner to
  learner stripped (numbers with a fraction, tuples such as shapes and indices, the got and
  expected values, digits in quoted keys such as 'dW1'), or under "no diagnosis" when the
  cell lost points without an error message. A learner counts once per diagnosis.

Where the numbers come from: the results of the latest run (.grading/results.json, written by
`reports.write_reports`) over the resume store (.grading/status/<assignment>/), so a run of
another assignment or of a few `--student`s does not hide earlier results; the points of each
grade cell from source/<assignment>/; the messages from autograded/<learner>/<assignment>/.

Written to reports/<assignment>/ of the course directory: report.html (self-contained: plots
as inline PNG, no script, no stylesheet or font from the internet), report.csv and report.json
with the same numbers.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .. import notebooks
from ..testing import MISTAKE, OR
from .classroom import failure_messages
from .status import Result, Status
from .store import write_atomic

NO_DIAGNOSIS = "no diagnosis"
WIDTH = 100


# ---------------------------------------------------------------------------- diagnoses

_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
_FLOAT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d+|\.\d+|\d+(?=[eE][-+]?\d))(?:[eE][-+]?\d+)?"
                    r"(?![\w.])")
_TUPLE = re.compile(r"([(\[])\s*[-+#\d]+(?:\s*,\s*[-+#\d]+)*\s*,?\s*([)\]])")
_GOT = re.compile(r"\b(got|expected) (?:[-+]?\d+|[-+]?inf|nan)\b")
_OF = re.compile(r"\b\d+ of \d+ (entries|values)")
_SPACES = re.compile(r"\s+")


def strip_values(line: str) -> str:
    """A message line with what differs from learner to learner replaced by #: numbers with a
    fraction, tuples and lists of numbers (shapes, indices), the got/expected values, counts
    of differing entries, and digits in quoted keys ('dW1'). Integers in code such as
    `len(parameters) // 2` or `t - 1` stay."""
    line = _QUOTED.sub(lambda m: re.sub(r"\d+", "#", m.group()), line)
    line = _FLOAT.sub("#", line)
    line = _TUPLE.sub(r"\1#\2", line)
    line = _GOT.sub(r"\1 #", line)
    line = _OF.sub(r"# of # \1", line)
    return _SPACES.sub(" ", line).strip()


def diagnoses(message: str) -> tuple[list[str], bool]:
    """([diagnosis, ...], named) of one failing cell's message ("ErrorName: text").

    named: the kit wrote the diagnoses from a `mistakes` table (after MISTAKE, split on OR).
    Otherwise the one entry is the message's first line with values stripped, or
    NO_DIAGNOSIS for an empty message.
    """
    text = message.strip()
    if text.startswith("AssertionError:"):
        text = text[len("AssertionError:"):].strip()
    if MISTAKE in text:
        tail = text.split(MISTAKE, 1)[1].splitlines()[0]
        named = [d.strip() for d in tail.split(OR) if d.strip()]
        if named:
            return named, True
    first = next((x for x in text.splitlines() if x.strip()), "")
    return [strip_values(first) or NO_DIAGNOSIS], False


# ---------------------------------------------------------------------------- the numbers

@dataclass
class CellRate:
    notebook: str
    grade_id: str
    points: float
    passed: int = 0
    autograded: int = 0  # learners whose notebook has cell scores

    @property
    def rate(self) -> float | None:
        return self.passed / self.autograded if self.autograded else None


@dataclass
class Mistake:
    diagnosis: str
    named: bool  # from a mistakes table (the kit's MISTAKE marker), else a message line
    learners: set = field(default_factory=set)
    cells: int = 0  # failing cells that said it

    def to_json(self) -> dict:
        return {"diagnosis": self.diagnosis, "named": self.named,
                "learners": sorted(self.learners), "count": len(self.learners),
                "cells": self.cells}


@dataclass
class Report:
    assignment: str
    max_score: float
    scores: dict  # learner -> total score over the graded notebooks
    statuses: Counter  # status -> rows (learner and notebook)
    cells: list  # CellRate
    mistakes: list  # Mistake, most learners first
    paths: dict = field(default_factory=dict)  # "html", "csv", "json" -> Path

    @property
    def learners(self) -> int:
        return len(self.scores)

    def histogram(self) -> list[tuple[float, float, int]]:
        """[(low, high, learners)], low <= score < high: one bin per whole point from 0 to full
        marks (its own bin) up to 40 points, else 20 bins with full marks in the last."""
        top = self.max_score or 1.0
        if top <= 40 and float(top).is_integer():
            n, width = int(top) + 1, 1.0
        else:
            n, width = 20, top / 20
        counts = [0] * n
        for s in self.scores.values():
            counts[min(max(int(s / width + 1e-9), 0), n - 1)] += 1
        return [(i * width, (i + 1) * width, c) for i, c in enumerate(counts)]

    def to_json(self) -> dict:
        values = list(self.scores.values())
        return {
            "assignment": self.assignment, "learners": self.learners,
            "max_score": self.max_score,
            "mean": statistics.fmean(values) if values else None,
            "median": statistics.median(values) if values else None,
            "scores": dict(sorted(self.scores.items())),
            "histogram": [{"low": lo, "high": hi, "learners": c}
                          for lo, hi, c in self.histogram()],
            "statuses": dict(self.statuses.most_common()),
            "cells": [{"notebook": c.notebook, "grade_id": c.grade_id, "points": c.points,
                       "passed": c.passed, "autograded": c.autograded, "pass_rate": c.rate}
                      for c in self.cells],
            "mistakes": [m.to_json() for m in self.mistakes],
        }


def load_results(course_dir: Path, assignment: str) -> list[Result]:
    """The assignment's results: the resume store, overridden by the latest run's
    .grading/results.json (which also holds errors, never stored)."""
    course_dir = Path(course_dir)
    found: dict[tuple[str, str], Result] = {}
    for path in sorted((course_dir / ".grading" / "status" / assignment).glob("*.json")):
        try:
            for r in json.loads(path.read_text())["results"]:
                res = Result(**r)
                found[(res.student, res.notebook)] = res
        except (OSError, ValueError, KeyError, TypeError):
            continue
    latest = course_dir / ".grading" / "results.json"
    if latest.exists():
        for r in json.loads(latest.read_text()):
            if r["assignment"] == assignment:
                res = Result(**r)
                found[(res.student, res.notebook)] = res
    return sorted(found.values(), key=lambda r: (r.student, r.notebook))


def grade_cell_points(course_dir: Path, assignment: str) -> dict[str, dict[str, float]]:
    """{notebook: {grade id: points}} from the source notebooks, in notebook order."""
    out = {}
    for path in notebooks.graded_notebooks(Path(course_dir) / "source" / assignment):
        nb = nbformat.read(path, as_version=4)
        out[path.stem] = {c.metadata["nbgrader"]["grade_id"]:
                          float(c.metadata["nbgrader"].get("points", 0))
                          for c in notebooks.grade_cells(nb)}
    return out


AUTOGRADED = (Status.GRADED, Status.FLAGGED, Status.TIMED_OUT, Status.OUT_OF_MEMORY)


def build_report(course_dir: Path, assignment: str, results: list[Result] | None = None
                 ) -> Report:
    """The class report's numbers for one assignment (see the module's docstring)."""
    course_dir = Path(course_dir)
    results = load_results(course_dir, assignment) if results is None else \
        [r for r in results if r.assignment == assignment]
    if not results:
        raise SystemExit(f"no grading results for {assignment!r} in {course_dir}: run "
                         f"`python -m course grade {assignment}` first")
    points = grade_cell_points(course_dir, assignment)
    rates = {(nb, g): CellRate(nb, g, p) for nb, cells in points.items() for g, p in cells.items()}
    maxima = {nb: sum(cells.values()) for nb, cells in points.items()}
    scores: dict[str, float] = {}
    statuses: Counter = Counter()
    mistakes: dict[str, Mistake] = {}
    for r in results:
        scores[r.student] = scores.get(r.student, 0.0) + r.score
        maxima.setdefault(r.notebook, r.max_score)
        statuses[str(r.status)] += 1
        if not r.cells or r.status not in AUTOGRADED:
            continue
        path = course_dir / "autograded" / r.student / assignment / f"{r.notebook}.ipynb"
        messages = failure_messages(path) if path.exists() else {}
        for gid, score in r.cells.items():
            rate = rates.setdefault((r.notebook, gid), CellRate(r.notebook, gid, score))
            rate.autograded += 1
            if score >= rate.points - 1e-9:
                rate.passed += 1
                continue
            found, named = diagnoses(messages.get(gid, ""))
            for d in found:
                m = mistakes.setdefault(d, Mistake(d, named))
                m.learners.add(r.student)
                m.cells += 1
    ordered = sorted(mistakes.values(), key=lambda m: (-len(m.learners), not m.named,
                                                       m.diagnosis))
    return Report(assignment, float(sum(maxima.values())), scores, statuses,
                  list(rates.values()), ordered)


# ---------------------------------------------------------------------------- outputs

def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def plots(report: Report) -> dict[str, str]:
    """{name: base64 PNG}: score histogram, cell pass rates, mistakes (Agg, no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = {}
    fig = Figure(figsize=(7, 3))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    bins = report.histogram()
    if bins[0][1] - bins[0][0] == 1:  # one bar per whole score, centred on it
        ax.bar([lo for lo, _, _ in bins], [c for _, _, c in bins], width=0.8, color="#4c72b0")
        ax.set_xticks(range(0, len(bins), max(1, len(bins) // 20)))
        ax.set_xlim(-0.6, len(bins) - 0.4)
    else:
        ax.bar([lo for lo, _, _ in bins], [c for _, _, c in bins],
               width=[hi - lo for lo, hi, _ in bins], align="edge", color="#4c72b0",
               edgecolor="white")
        ax.set_xlim(0, bins[-1][1])
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(f"score (out of {report.max_score:g})")
    ax.set_ylabel("learners")
    ax.set_title(f"{report.assignment}: scores of {report.learners} learners")
    out["scores"] = _png(fig)

    cells = [c for c in report.cells if c.rate is not None]
    if cells:
        fig = Figure(figsize=(7, 0.5 + 0.3 * len(cells)))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        ax.barh(range(len(cells)), [100 * c.rate for c in cells], color="#55a868")
        ax.set_yticks(range(len(cells)), [c.grade_id for c in cells])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of autograded learners with full points")
        out["cells"] = _png(fig)

    top = report.mistakes[:20]
    if top:
        fig = Figure(figsize=(7, 0.5 + 0.3 * len(top)))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        ax.barh(range(len(top)), [len(m.learners) for m in top],
                color=["#c44e52" if m.named else "#8c8c8c" for m in top])
        ax.set_yticks(range(len(top)), [_clip(m.diagnosis, 60) for m in top], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("learners (red: a named diagnosis; grey: a message line)")
        ax.xaxis.get_major_locator().set_params(integer=True)
        out["mistakes"] = _png(fig)
    return out


CSS = """body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;
text-align:left;vertical-align:top}td.n{text-align:right}small{color:#666}img{max-width:100%}"""


def render_html(report: Report) -> str:
    """The self-contained page: inline CSS and PNGs, nothing fetched."""
    e = html.escape
    data = report.to_json()
    imgs = plots(report)

    def img(name):
        return f'<p><img alt="{name}" src="data:image/png;base64,{imgs[name]}"></p>' \
            if name in imgs else ""

    mean = "" if data["mean"] is None else \
        f"mean {data['mean']:.2f}, median {data['median']:.2f} of {report.max_score:g}"
    status_rows = "".join(f"<tr><td>{e(s)}</td><td class=n>{n}</td></tr>"
                          for s, n in data["statuses"].items())
    cell_rows = "".join(
        f"<tr><td>{e(c.notebook)}</td><td>{e(c.grade_id)}</td><td class=n>{c.points:g}</td>"
        f"<td class=n>{c.passed}/{c.autograded}</td><td class=n>"
        f"{'' if c.rate is None else f'{c.rate:.0%}'}</td></tr>" for c in report.cells)
    mistake_rows = "".join(
        f"<tr><td class=n>{len(m.learners)}</td><td class=n>{m.cells}</td><td>{e(m.diagnosis)}"
        f"{'' if m.named else ' <small>(message)</small>'}</td>"
        f"<td><small>{e(', '.join(sorted(m.learners)))}</small></td></tr>"
        for m in report.mistakes)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Class report: {e(report.assignment)}</title>
<style>{CSS}</style></head><body>
<h1>Class report: {e(report.assignment)}</h1>
<p>{report.learners} learners; {mean}. Generated by <code>python -m course report
{e(report.assignment)}</code>; the same numbers are in report.csv and report.json.</p>
<h2>Scores</h2>{img("scores")}
<h2>Statuses</h2><p><small>One per learner and graded notebook (see docs/grading.md).</small></p>
<table><tr><th>status</th><th>notebooks</th></tr>{status_rows}</table>
<h2>Grade cells</h2><p><small>Pass rate: learners whose cell got its full points, out of the
learners whose notebook was autograded.</small></p>{img("cells")}
<table><tr><th>notebook</th><th>grade cell</th><th>points</th><th>passed</th><th>rate</th></tr>
{cell_rows}</table>
<h2>Mistakes</h2><p><small>Failing cells counted by the diagnosis the tests named (a learner
counts once per diagnosis); a cell that names none counts under its message's first line,
marked (message).</small></p>{img("mistakes")}
<table><tr><th>learners</th><th>cells</th><th>diagnosis</th><th>who</th></tr>
{mistake_rows}</table>
</body></html>
"""


def csv_rows(report: Report) -> list[dict]:
    """section, item, count, total, share, detail: the page's numbers, one row each."""
    data = report.to_json()
    rows = [{"section": "summary", "item": k, "count": "", "total": "", "share": "",
             "detail": "" if data[k] is None else f"{data[k]:g}"}
            for k in ("learners", "max_score", "mean", "median")]
    rows += [{"section": "score", "item": f"{lo:g}" if hi - lo == 1 else f"{lo:g}-{hi:g}",
              "count": c, "total": report.learners,
              "share": f"{c / report.learners:.4f}" if report.learners else "", "detail": ""}
             for lo, hi, c in report.histogram()]
    total = sum(report.statuses.values())
    rows += [{"section": "status", "item": s, "count": n, "total": total,
              "share": f"{n / total:.4f}", "detail": ""} for s, n in data["statuses"].items()]
    rows += [{"section": "cell", "item": f"{c.notebook}/{c.grade_id}", "count": c.passed,
              "total": c.autograded, "share": "" if c.rate is None else f"{c.rate:.4f}",
              "detail": f"{c.points:g} points"} for c in report.cells]
    rows += [{"section": "mistake" if m.named else "message", "item": m.diagnosis,
              "count": len(m.learners), "total": report.learners,
              "share": f"{len(m.learners) / report.learners:.4f}",
              "detail": " ".join(sorted(m.learners))} for m in report.mistakes]
    return rows


def write_report(course_dir: Path, assignment: str, results: list[Result] | None = None
                 ) -> Report:
    """Write reports/<assignment>/report.{html,csv,json}; return the Report (with paths)."""
    report = build_report(course_dir, assignment, results)
    out = Path(course_dir) / "reports" / assignment
    report.paths = {"html": out / "report.html", "csv": out / "report.csv",
                    "json": out / "report.json"}
    write_atomic(report.paths["json"], json.dumps(report.to_json(), indent=1))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["section", "item", "count", "total", "share",
                                             "detail"])
    writer.writeheader()
    writer.writerows(csv_rows(report))
    write_atomic(report.paths["csv"], buf.getvalue())
    write_atomic(report.paths["html"], render_html(report))
    return report


def summary(report: Report, mistakes: int = 10) -> str:
    """A short text summary within 100 columns, then the paths."""
    data = report.to_json()
    lines = [f"{report.assignment}: {report.learners} learners, mean {data['mean']:.2f} and "
             f"median {data['median']:.2f} of {report.max_score:g}",
             "statuses: " + ", ".join(f"{n} {s}" for s, n in data["statuses"].items())]
    rated = [c for c in report.cells if c.rate is not None]
    if rated:
        lines.append("grade cells, learners with full points:")
        lines += [_clip(f"  {c.rate:4.0%} {c.passed:>4}/{c.autograded:<4} {c.grade_id}", WIDTH)
                  for c in rated]
    if report.mistakes:
        lines.append("mistakes, by the diagnosis the tests named (learners):")
        for m in report.mistakes[:mistakes]:
            mark = " " if m.named else "~"
            lines.append(_clip(f"  {len(m.learners):>4}{mark}{m.diagnosis}", WIDTH))
        if len(report.mistakes) > mistakes:
            lines.append(f"  ... {len(report.mistakes) - mistakes} more in the report")
        if any(not m.named for m in report.mistakes[:mistakes]):
            lines.append("  (~: no named diagnosis; the message's first line, values stripped)")
    lines += [f"report: {p}" for p in report.paths.values()]
    return "\n".join(lines)


def write_class_reports(course_dir: Path, assignments) -> list[Report]:
    """At the end of a grading run: the report of every assignment that has results."""
    return [write_report(course_dir, a) for a in sorted(set(assignments))
            if load_results(course_dir, a)]
