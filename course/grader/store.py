"""The resume store: one JSON file per learner and assignment under .grading/status/, written
atomically and keyed by a hash of everything the result depends on. An interrupted run
resumes where it stopped; a re-run regrades only what changed. Only definitive results are
stored: an infrastructure error is retried by the next run."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from .nbgrader_cli import COURSE_ID, gradebook_url
from .status import Result

# Bumped when a change of the driver changes grades: stored results are then regraded.
DRIVER_VERSION = "3"


def submission_hash(course_dir: Path, assignment: str, student: str) -> str:
    """What a stored result depends on: the submitted files, the source notebooks, the config,
    the gradebook location and the driver version."""
    h = hashlib.sha256(DRIVER_VERSION.encode())
    sub_dir = course_dir / "submitted" / student / assignment
    files = sorted(sub_dir.rglob("*")) if sub_dir.is_dir() else []
    files += sorted((course_dir / "source" / assignment).glob("*.ipynb"))
    files.append(course_dir / "nbgrader_config.py")
    for p in files:
        if p.is_symlink():  # refused by the pre-check; its target is never read
            h.update(str(p.relative_to(course_dir)).encode() + b"\0symlink\0")
        elif p.is_file():
            h.update(str(p.relative_to(course_dir)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def status_path(course_dir: Path, assignment: str, student: str) -> Path:
    return course_dir / ".grading" / "status" / assignment / f"{student}.json"


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so that a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def db_key(course_dir: Path, db_url: str | None) -> str:
    url = gradebook_url(course_dir, db_url)
    return hashlib.sha256(url.encode()).hexdigest()[:16]  # no password in the status files


def save(course_dir: Path, assignment: str, student: str, digest: str, db_url: str | None,
         results: list[Result]) -> bool:
    """Store a learner's results if every one is definitive; False when nothing was stored."""
    path = status_path(course_dir, assignment, student)
    if not all(r.status.definitive for r in results):
        path.unlink(missing_ok=True)
        return False
    write_atomic(path, json.dumps({"hash": digest, "db": db_key(course_dir, db_url),
                                   "results": [r.to_json() for r in results]}, indent=1))
    return True


def stored(course_dir: Path, assignment: str, student: str, digest: str,
           db_url: str | None) -> list[Result] | None:
    """The stored results of a learner if they are still valid (same hash, same gradebook)."""
    path = status_path(course_dir, assignment, student)
    try:
        data = json.loads(path.read_text())
        results = [Result(**r) for r in data["results"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for r in results:  # about the run that wrote it, not the submission: the caller checks again
        r.feedback = ""
    if data.get("hash") != digest or data.get("db") != db_key(course_dir, db_url):
        return None
    if not all(r.status.definitive for r in results):
        return None
    if any(r.cells for r in results):  # autograded: the gradebook must still hold the rows
        from nbgrader.api import Gradebook, MissingEntry

        try:
            with Gradebook(gradebook_url(course_dir, db_url), course_id=COURSE_ID) as gb:
                gb.find_submission(assignment, student)
        except MissingEntry:
            return None
    return results
