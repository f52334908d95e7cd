"""What happened to one learner's notebook: a `Status` and a `Result`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """Every outcome of grading one notebook. The value is what reports and CSVs show."""

    GRADED = "graded"                  # autograded; the score is the learner's
    FLAGGED = "flagged"                # autograded, but something can subvert the tests
    TIMED_OUT = "timed out"            # a cell, or the whole notebook, hit its time limit
    OUT_OF_MEMORY = "out of memory"    # a cell hit the kernel's memory limit
    KERNEL_DIED = "kernel died"        # the kernel exited; nbgrader dropped the notebook
    INVALID = "invalid notebook"       # not JSON, or JSON that is not a notebook
    REFUSED = "refused"                # not a regular file (symlink, hard link, device, FIFO)
    MISSING = "missing"                # no such notebook in the submission
    ERROR = "error"                    # the grader failed (infrastructure): never stored

    @property
    def definitive(self) -> bool:
        """A verdict on the submission itself: stored and reused until the submission changes.
        An infrastructure error is not: the next run retries it."""
        return self is not Status.ERROR


@dataclass
class Result:
    """One learner's result for one graded notebook of one assignment."""

    assignment: str
    student: str
    notebook: str
    score: float
    max_score: float
    status: Status
    message: str = ""
    seconds: float = 0.0
    late_seconds: float = 0.0
    penalty: float = 0.0
    flags: str = ""  # "; "-separated findings, whatever the status (see course.grader)
    cells: dict = field(default_factory=dict)  # grade_id -> score
    feedback: str = ""  # why the feedback page was not written ("": written, or not asked)

    def __post_init__(self):
        self.status = Status(self.status)

    def row(self) -> dict:
        """The CSV row: everything but the per-cell scores."""
        out = asdict(self)
        out.pop("cells")
        out["status"] = str(self.status)
        return out

    def to_json(self) -> dict:
        out = asdict(self)
        out["status"] = str(self.status)
        return out
