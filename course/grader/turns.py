"""Execution turns: a learner's autograde, started ahead of need, waits with its kernel up.

The driver forks a learner's `nbgrader autograde` before a worker is free for it. nbgrader
copies the submission, updates the gradebook and starts the sandboxed kernel (about 1 s on
a 2-core machine) while another learner's cells run; then `JudgedExecute` calls
`wait_for_turn()` and the process blocks until the driver sends `GO`. Once the last cell
has run it calls `turn_over()`: the driver gives the turn to the next learner while this
one's nbgrader writes its results. So at most `workers` notebooks execute at a time, and
the time between two of them is a message, not a process and a kernel starting.

The driver's end is a `multiprocessing` Pipe; the child holds the other end in `_conn`,
set by `nbgrader_cli` before nbgrader starts. Without one (plain `nbgrader autograde`,
the learner's self-check) both functions do nothing.

Messages, child to driver: READY (kernel up, waiting), EXECUTED (last cell run).
Driver to child: GO.
"""

from __future__ import annotations

READY, GO, EXECUTED = "ready", "go", "executed"

_conn = None  # this process's end of the driver's pipe, if the driver gates it


def attach(conn) -> None:
    """In the forked autograde process: wait for the driver's turns on `conn`."""
    global _conn
    _conn = conn


def wait_for_turn() -> None:
    """Say READY, then block until the driver says GO (returns at once when not gated).
    A driver that died closes the pipe: EOFError ends this autograde."""
    if _conn is None:
        return
    _conn.send(READY)
    message = _conn.recv()
    if message != GO:
        raise RuntimeError(f"unexpected message from the grading driver: {message!r}")


def turn_over() -> None:
    """Tell the driver the notebook's cells have run (nothing when not gated)."""
    if _conn is None:
        return
    try:
        _conn.send(EXECUTED)
    except (BrokenPipeError, OSError):  # the driver stopped waiting: nothing to tell
        pass
