"""The grading driver: nbgrader's steps in order, with a status for every learner and notebook.

`nbgrader autograde` reports a broken submission (invalid JSON, a kernel that died) by
removing it, so its export shows 0, the same as a real zero. This driver checks each
submission before nbgrader sees it, runs nbgrader once per learner in its own process, forked from a warm
one (a crash or a hung kernel costs that learner only), in a sandboxed kernel
(`course.grader.sandbox`: memory and CPU limits, no course files in reach), and records
what happened:

    graded            autograded; the score is the learner's
    flagged           autograded, but the learner's code contains something that can subvert
                      the tests (see `flags`): review before releasing the grade
    timed out         a cell hit the per-cell timeout (the rest was graded) or the whole
                      notebook hit the grading time limit
    out of memory     a cell hit the kernel's memory limit (MemoryError; the rest was graded)
    kernel died       the kernel exited (e.g. os._exit) and nbgrader dropped the notebook
    invalid notebook  not JSON, or JSON that is not a notebook
    missing           no such notebook in the submission
    refused           not a regular file (a symlink, hard link, device or FIFO): not read
    error             the grader failed (infrastructure, see the log named in the message):
                      never stored, retried by the next run, and the run exits non-zero

`flags` (their own column, shown whatever the status) lists what the driver noticed and
nbgrader undid or ignored (deleted, edited or copied test cells, reordered cells, a changed
kernelspec, extra files, output cut to size) and what it only detected (the code scan's
findings). `late_seconds`/`penalty` follow nbgrader's rules: the submission's timestamp.txt
against the assignment's due date.

Results are written per learner (`.grading/status/<assignment>/<learner>.json`, atomically,
keyed by a hash of the submission, the source notebooks and the config): a run that was
interrupted resumes where it stopped, and a re-run regrades only what changed
(`force=True` regrades everything). See docs/grading.md.

Only notebooks with grade cells are autograded: the Keras reference notebooks never run here,
so TensorFlow stays out of the graded path.

One module per concern:

    status.py         Status (an Enum) and Result
    nbgrader_cli.py   running nbgrader: subprocess, or forked from a warm process; release
    precheck.py       is it a notebook; what changed; the code scan (outside the kernel)
    sandbox.py        the grading kernel's launcher (limits, isolation) and its settings
    autograde.py      one learner and assignment: pre-checks, autograde, a Result per
                      notebook, that learner's feedback page
    turns.py          learners started ahead of need wait for a turn to run their cells
    warm.py           what the warm nbgrader does once, before it forks anything
    store.py          the resume store (.grading/status/), definitive results only
    engine.py         a whole run: local threads (kernels started ahead of need) or a
                      Dask cluster
    reports.py        results.csv, the printed summary
    analytics.py      the class report (`python -m course report`)
    preprocessors.py  nbgrader preprocessors configured in nbgrader_config.py
    classroom.py      the simulated class (classroom/*.toml) and its expected scores
    main_job.py       the main job (`make grade`): the simulated class, graded and checked
    bench.py          `python -m course bench-grading`

This package imports nothing at import time: `course.grader.sandbox` starts every grading
kernel and must stay light. Import what you need from the modules, or the names below.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Status": "status", "Result": "status",
    "grade": "engine", "max_scores": "engine",
    "release": "nbgrader_cli", "nbgrader": "nbgrader_cli", "gradebook_url": "nbgrader_cli",
    "grade_one": "autograde",
    "write_reports": "reports", "format_table": "reports",
    "demo": "main_job",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
