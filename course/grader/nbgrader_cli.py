"""Running nbgrader: as a subprocess (release, feedback) or forked from a warm process
(autograde, once per learner).

Starting `python -m nbgrader` costs about 2.8 s on a 2-core machine, almost all of it
imports (nbgrader's server extensions pull in jupyter_server, sqlalchemy, nbconvert). The
driver pays that once: `WarmNbgrader` keeps a fork server with nbgrader imported, and every
learner's autograde runs in a fresh process forked from it (a crash or hang still costs that
learner only, and each run starts with nbgrader's application state untouched).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import turns

COURSE_ID = "optdl"
# Imported once in the fork server: nbgrader, and what the judge (course.grader.judge) imports
# to run the course's checkers beside it (numpy, matplotlib, the course's library); last,
# course.grader.warm renders one feedback page so that forked runs inherit its caches.
PRELOAD = ["nbgrader.apps.nbgraderapp", "nbgrader.converters.autograde", "nbgrader.api",
           "nbgrader.converters.generate_feedback", "nbconvert.exporters.html",
           "nbclient", "jupyter_client.manager", "ipykernel.kernelspec", "course.grader.judge",
           "cloudpickle", "matplotlib", "course.testing", "course.fixtures", "course.nn",
           "course.data", "course.plots",
           "course.grader.warm"]


def gradebook_url(course_dir: Path, db_url: str | None = None) -> str:
    """The gradebook: `db_url`, else $NBGRADER_DB_URL, else gradebook.db in the course."""
    return db_url or os.environ.get("NBGRADER_DB_URL") or \
        f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}"


def environment(extra: dict | None = None) -> dict:
    """The environment nbgrader runs in."""
    env = dict(os.environ)
    # nbgrader runs `alembic` from PATH to create the gradebook: the venv's bin/ comes first.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("MPLBACKEND", "Agg")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.update(extra or {})
    return env


def db_arguments(course_dir: Path, db_url: str | None, env: dict) -> list[str]:
    """Hand nbgrader the gradebook URL: in the environment when nbgrader_config.py reads
    NBGRADER_DB_URL (a password in a URL on the command line is visible in `ps`)."""
    if not db_url:
        return []
    config = Path(course_dir) / "nbgrader_config.py"
    if config.exists() and "NBGRADER_DB_URL" in config.read_text():
        env["NBGRADER_DB_URL"] = db_url
        return []
    return [f"--CourseDirectory.db_url={db_url}"]


# What the driver reads of one nbgrader run's output (a kernel can write to its inherited
# descriptors directly): the head and the tail, so the grader's memory and logs stay bounded.
OUTPUT_KEPT = 256 * 1024


def read_bounded(path: str | Path, keep: int = OUTPUT_KEPT) -> str:
    """The first and last `keep` bytes of a file, with a note of what was cut between."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        if size <= 2 * keep:
            return f.read().decode(errors="replace")
        head = f.read(keep)
        f.seek(size - keep)
        tail = f.read(keep)
    cut = f"\n[... {size - 2 * keep} bytes of output cut ...]\n"
    return head.decode(errors="replace") + cut + tail.decode(errors="replace")


def _write_log(log: Path | None, argv: list[str], code: int | None, output: str) -> None:
    if log is None:
        return
    log.parent.mkdir(parents=True, exist_ok=True)
    shown = " ".join(a if not a.startswith("--CourseDirectory.db_url") else "--db-url=***"
                     for a in argv)
    log.write_text(f"$ nbgrader {shown}\n[exit {code}]\n{output}")


def nbgrader(course_dir: Path, *args: str, timeout: float | None = None, log: Path | None = None,
             db_url: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `nbgrader <args>` in `course_dir` (which holds nbgrader_config.py) as a subprocess."""
    env = environment(env)
    argv = [*args, *db_arguments(course_dir, db_url, env)]
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *argv], cwd=course_dir, env=env,
                          capture_output=True, text=True, timeout=timeout)
    _write_log(log, argv, proc.returncode, proc.stdout + proc.stderr)
    return proc


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent (the fork server) exits. The fork server
    exits with the grader or Dask worker that owns it, so a killed grader never leaves an
    autograde running that would race the rerun of the same learner."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _run_app(course_dir: str, argv: list[str], env: dict, output: str, conn=None) -> None:
    """In the forked child: become `nbgrader <argv>` run in `course_dir`, output to a file.
    `conn`: the driver's end of the execution turns (`course.grader.turns`), if gated."""
    os.setsid()  # its own process group: a timeout kills nbgrader and what it started
    _die_with_parent()
    os.chdir(course_dir)
    os.environ.clear()
    os.environ.update(env)
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.argv = ["nbgrader", *argv]
    from nbgrader.apps.nbgraderapp import NbGraderApp

    turns.attach(conn)
    NbGraderApp.launch_instance(argv=argv)


def _start_even_in_a_daemon(child) -> None:
    """Start `child` from a daemonic process too (a Dask worker is one). multiprocessing
    refuses because a daemon's children would outlive it; ours die with their parent
    (`_die_with_parent`), so the refusal does not apply."""
    me = multiprocessing.current_process()
    daemon = me._config.get("daemon")
    me._config["daemon"] = False
    try:
        child.start()
    finally:
        if daemon:
            me._config["daemon"] = daemon


class Run:
    """One nbgrader run forked from the warm process (`WarmNbgrader.start`).

    Gated (`course.grader.turns`), it stops once its kernel is up: `wait_ready()` returns
    then, `execute()` gives it its turn and returns once the cells have run, `finish()`
    waits for nbgrader to write its results. Ungated, `finish()` is all there is."""

    def __init__(self, child, conn, output: str, argv: list[str], log: Path | None):
        self.child, self.conn, self.output, self.argv, self.log = child, conn, output, argv, log
        self.deadline: float | None = None  # time.monotonic() by which the run must end
        self.never_ready = False  # wait_ready timed out: no cell of the learner's ever ran
        self.limit: float | None = None  # the seconds that deadline allowed (for messages)

    def _receive(self, expected: str, timeout: float | None) -> bool:
        """True once the child says `expected`; False if it ended (or said something else)
        first; TimeoutError after `timeout` seconds."""
        from multiprocessing.connection import wait

        if not wait([self.conn, self.child.sentinel], timeout):
            raise TimeoutError(expected)
        try:
            return self.conn.recv() == expected if self.conn.poll() else False
        except (EOFError, OSError):  # it exited: its end of the pipe closed
            return False

    def wait_ready(self, timeout: float) -> bool:
        """Block until the kernel is up and waiting for its turn (True) or the run ended
        (False). Past `timeout` seconds the run is due: `finish()` kills it and raises."""
        if self.conn is None:
            return False
        try:
            return self._receive(turns.READY, timeout)
        except TimeoutError:
            self.deadline, self.limit = time.monotonic(), timeout
            self.never_ready = True
            return False

    def execute(self, timeout: float) -> None:
        """Give the run its turn; return once its cells have run or it ended. `timeout`
        (seconds from now) bounds the rest of the run, `finish()` included."""
        if self.deadline is not None:  # already due (wait_ready timed out)
            return
        self.deadline, self.limit = time.monotonic() + timeout, timeout
        if self.conn is None:
            return
        try:
            self.conn.send(turns.GO)
            self._receive(turns.EXECUTED, timeout)
        except (BrokenPipeError, OSError, TimeoutError):  # it ended, or ran out of time
            pass

    def kill(self) -> None:
        for target in (lambda: os.killpg(self.child.pid, signal.SIGKILL), self.child.kill):
            try:
                target()
            except (OSError, ValueError):  # already gone
                pass

    def finish(self, timeout: float | None = None) -> subprocess.CompletedProcess:
        """Wait for the run to end, by its deadline (else `timeout` seconds from now, else
        for ever): a CompletedProcess with the output in `stdout`. Raises
        subprocess.TimeoutExpired after killing the run's process group."""
        if self.deadline is None and timeout is not None:
            self.deadline, self.limit = time.monotonic() + timeout, timeout
        try:
            self.child.join(None if self.deadline is None
                            else max(0.0, self.deadline - time.monotonic()))
            if self.child.exitcode is None:
                self.kill()
                self.child.join()
                text = read_bounded(self.output)
                _write_log(self.log, self.argv, None, text)
                raise subprocess.TimeoutExpired(["nbgrader", *self.argv], self.limit or 0.0,
                                                output=text)
            text = read_bounded(self.output)
        finally:
            self.close()
        _write_log(self.log, self.argv, self.child.exitcode, text)
        return subprocess.CompletedProcess(["nbgrader", *self.argv], self.child.exitcode,
                                           text, "")

    def close(self) -> None:
        """Release what the run holds, killing it if it still runs."""
        if self.child.exitcode is None:
            self.kill()
            self.child.join()
        if self.conn is not None:
            self.conn.close()
        try:
            os.unlink(self.output)
        except FileNotFoundError:
            pass


class WarmNbgrader:
    """nbgrader imported once; each `run` (or `start`) forks a fresh process from it.

    Falls back to a subprocess per call where fork servers do not exist (not POSIX)."""

    def __init__(self):
        self.context = None
        if "forkserver" in multiprocessing.get_all_start_methods():
            self.context = multiprocessing.get_context("forkserver")
            self.context.set_forkserver_preload(PRELOAD)

    def start(self, course_dir: Path, *args: str, log: Path | None = None,
              db_url: str | None = None, env: dict | None = None,
              gated: bool = False) -> Run:
        """Fork `nbgrader <args>` and return at once. `gated`: the run waits for its turn
        once its kernel is up (`Run.execute`); needs a fork server."""
        if self.context is None:
            raise RuntimeError("no fork server on this platform: use run()")
        env = environment(env)
        argv = [*args, *db_arguments(course_dir, db_url, env)]
        fd, output = tempfile.mkstemp(prefix="optdl-nbgrader-", suffix=".log")
        os.close(fd)
        mine = theirs = None
        if gated:
            mine, theirs = self.context.Pipe()
        child = self.context.Process(target=_run_app, daemon=False,
                                     args=(str(course_dir), argv, env, output, theirs))
        try:
            _start_even_in_a_daemon(child)
        except BaseException:
            os.unlink(output)
            if mine is not None:
                mine.close()
            raise
        finally:
            if theirs is not None:
                theirs.close()  # the child has its own copy: EOF here when it exits
        return Run(child, mine, output, argv, log)

    def run(self, course_dir: Path, *args: str, timeout: float | None = None,
            log: Path | None = None, db_url: str | None = None,
            env: dict | None = None) -> subprocess.CompletedProcess:
        """Like `nbgrader()`: a CompletedProcess with the output in `stdout`; raises
        subprocess.TimeoutExpired after killing the run's process group."""
        if self.context is None:
            return nbgrader(course_dir, *args, timeout=timeout, log=log, db_url=db_url, env=env)
        return self.start(course_dir, *args, log=log, db_url=db_url, env=env).finish(timeout)


_WARM: WarmNbgrader | None = None


def warm_nbgrader() -> WarmNbgrader:
    """This process's warm nbgrader (one fork server per process: the driver, a Dask worker),
    started on first use and shared by releasing, grading and feedback."""
    global _WARM
    if _WARM is None:
        _WARM = WarmNbgrader()
    return _WARM


def released(course_dir: Path, assignment: str, db_url: str | None = None) -> bool:
    """True when the gradebook knows `assignment` (nbgrader autogrades nothing otherwise)."""
    from nbgrader.api import Gradebook, MissingEntry

    try:
        with Gradebook(gradebook_url(course_dir, db_url), course_id=COURSE_ID) as gb:
            gb.find_assignment(assignment)
    except MissingEntry:
        return False
    return True


def release(course_dir: Path, assignments: list[str], db_url: str | None = None,
            quiet: bool = False, duedate: str | None = None) -> None:
    """Regenerate release/<a>/ from source/<a>/ and register the assignment in the gradebook.

    `duedate` ("2025-03-01 23:59:00 UTC") is stored in the gradebook: autograde then compares
    each submission's timestamp.txt with it (late_seconds, nbgrader's late penalty plugin).
    """
    # Several assignments: forked from the warm nbgrader, one start-up (2.8 s) for them all.
    run = warm_nbgrader().run if len(assignments) > 1 else nbgrader
    for a in assignments:
        proc = run(course_dir, "generate_assignment", a, "--force", db_url=db_url)
        if proc.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment {a} failed:\n"
                               f"{proc.stdout}{proc.stderr}")
        if duedate:
            proc = run(course_dir, "db", "assignment", "add", a, f"--duedate={duedate}",
                       db_url=db_url)
            if proc.returncode != 0:
                raise RuntimeError(f"setting the due date of {a} failed:\n{proc.stderr}")
        if not quiet:
            print(f"released {a} -> release/{a}/")
