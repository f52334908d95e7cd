"""nbgrader settings for the Optimization for Deep Learning course.

The grading driver (`python -m course grade`) and plain `nbgrader` commands both read
this file, so an instructor who prefers the stock CLI gets the same behaviour.
"""

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "optdl"
# An absolute root (nbgrader warns "root '.' is not absolute" on every command otherwise):
# the folder of this file, which traitlets passes as __file__ when it loads the config.
import os  # noqa: E402

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# Notebook masters (`source/<a>/*.py`, jupytext percent files) hold the solutions: they
# must never be copied into release/ nor into a learner's autograded folder.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    "*.py",
    "*.md",
]

# Stubs say what to do; the exercise's docstring above says what to write.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE (replace this line and the next)\n"
    'raise NotImplementedError("Write your solution here")',
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Every graded notebook's slowest cell takes under 3 s on a 2-core CPU (see
# benchmarks/RESULTS.md); 15 s leaves margin for a loaded grading machine while an infinite
# loop costs 15 s, not nbgrader's 30 s.
c.Execute.timeout = 15
c.Execute.startup_timeout = 60
# Once the last cell has run, the kernel is killed rather than asked to shut down: every
# output is already collected, and a graceful shutdown cost about 1 s per learner.
c.Execute.shutdown_kernel = "immediate"

# Learner-deleted test cells come back from the source version.
c.OverwriteCells.add_missing_cells = True

# Warnings on stderr (numpy RuntimeWarning, matplotlib, tqdm bars) must not zero a correct
# answer: nbgrader counts any stderr output in a grade cell as a failure otherwise.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?i)(warning|warn|it/s|%\|)"

from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402

# Feedback never shows hidden tests: not their code, nor a traceback quoting it. Tracebacks
# name course/testing.py, not the grading machine's folders; formulas are MathML, drawn by
# the browser offline (nbconvert's MathJax comes from a CDN).
try:
    from course.grader.preprocessors import (  # noqa: E402
        HideHiddenTestTracebacks,
        MathToMathML,
        RemoveHiddenTestText,
        ShortenPaths,
    )
except ImportError:  # the course package is not installed: hidden sources are still cleared
    HideHiddenTestTracebacks = MathToMathML = RemoveHiddenTestText = ShortenPaths = None
# No output line that quotes a hidden test either (a learner's code printing the calling
# grade cell's source), in any cell: RemoveHiddenTestText.
c.GenerateFeedback.preprocessors = [
    p for p in (GetGrades, CSSHTMLHeaderPreprocessor, HideHiddenTestTracebacks,
                RemoveHiddenTestText, ShortenPaths, MathToMathML, ClearHiddenTests) if p
]

# Huge outputs (a learner printing megabytes) are cut before they reach the gradebook.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# ...and a single huge line (LimitOutput counts lines only) is cut to 100,000 characters.
# A copy-pasted test cell (duplicate grade id), or a deleted test cell that followed a
# read-only checker cell, no longer crashes the learner's autograde
# (course.grader.preprocessors.DeduplicateIds, OverwriteCells).
try:
    from nbgrader.converters.autograde import Autograde  # noqa: E402

    from course.grader.judge import JudgedExecute  # noqa: E402
    from course.grader.preprocessors import DeduplicateIds, LimitOutputSize, OverwriteCells  # noqa: E402
except ImportError:  # the course package is not installed: nbgrader's defaults
    pass
else:
    _traits = Autograde.class_traits()
    # Grade cells are judged in nbgrader's process, not in the learner's kernel
    # (course/grader/judge.py): no learner code can change a verdict.
    _steps = [JudgedExecute if p.__name__ == "Execute" else p
              for p in _traits["autograde_preprocessors"].default()]
    _steps.insert([p.__name__ for p in _steps].index("LimitOutput") + 1, LimitOutputSize)
    c.Autograde.autograde_preprocessors = _steps
    _fixed = {"DeduplicateIds": DeduplicateIds, "OverwriteCells": OverwriteCells}
    c.Autograde.sanitize_preprocessors = [
        _fixed.get(p.__name__, p) for p in _traits["sanitize_preprocessors"].default()]

# The gradebook: SQLite in the course directory by default; a shared PostgreSQL gradebook
# when NBGRADER_DB_URL is set (an environment variable, so its password never shows in `ps`).
if os.environ.get("NBGRADER_DB_URL"):
    c.CourseDirectory.db_url = os.environ["NBGRADER_DB_URL"]
