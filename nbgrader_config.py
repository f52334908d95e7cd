"""nbgrader settings for the Optimization for Deep Learning course.

The grading driver (`python -m course grade`) and plain `nbgrader` commands both read
this file, so an instructor who prefers the stock CLI gets the same behaviour.
"""

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "optdl"
c.CourseDirectory.root = "."

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

# Learner-deleted test cells come back from the source version.
c.OverwriteCells.add_missing_cells = True

# Warnings on stderr (numpy RuntimeWarning, matplotlib, tqdm bars) must not zero a correct
# answer: nbgrader counts any stderr output in a grade cell as a failure otherwise.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?i)(warning|warn|it/s|%\|)"

# Feedback never shows hidden tests.
from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, ClearHiddenTests]

# Huge outputs (a learner printing megabytes) are cut before they reach the gradebook.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100
