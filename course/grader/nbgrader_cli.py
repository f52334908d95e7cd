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
import subprocess
import sys
from pathlib import Path

COURSE_ID = "optdl"
# Imported once in the fork server: nbgrader, and what the judge (course.grader.judge) imports
# to run the course's checkers beside it (numpy, matplotlib, the course's library).
PRELOAD = ["nbgrader.apps.nbgraderapp", "nbgrader.converters.autograde", "nbgrader.api",
           "nbclient", "jupyter_client.manager", "ipykernel.kernelspec", "course.grader.judge",
           "cloudpickle", "matplotlib", "course.testing", "course.fixtures", "course.nn",
           "course.data", "course.plots"]


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
    import signal

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _run_app(course_dir: str, argv: list[str], env: dict, output: str) -> None:
    """In the forked child: become `nbgrader <argv>` run in `course_dir`, output to a file."""
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


class WarmNbgrader:
    """nbgrader imported once; each `run` forks a fresh process from it.

    Falls back to a subprocess per call where fork servers do not exist (not POSIX)."""

    def __init__(self):
        self.context = None
        if "forkserver" in multiprocessing.get_all_start_methods():
            self.context = multiprocessing.get_context("forkserver")
            self.context.set_forkserver_preload(PRELOAD)

    def run(self, course_dir: Path, *args: str, timeout: float | None = None,
            log: Path | None = None, db_url: str | None = None,
            env: dict | None = None) -> subprocess.CompletedProcess:
        """Like `nbgrader()`: a CompletedProcess with the output in `stdout`; raises
        subprocess.TimeoutExpired after killing the run's process group."""
        if self.context is None:
            return nbgrader(course_dir, *args, timeout=timeout, log=log, db_url=db_url, env=env)
        import signal
        import tempfile

        env = environment(env)
        argv = [*args, *db_arguments(course_dir, db_url, env)]
        fd, output = tempfile.mkstemp(prefix="optdl-nbgrader-", suffix=".log")
        os.close(fd)
        try:
            child = self.context.Process(target=_run_app, daemon=False,
                                         args=(str(course_dir), argv, env, output))
            _start_even_in_a_daemon(child)
            child.join(timeout)
            if child.exitcode is None:
                for target in (lambda: os.killpg(child.pid, signal.SIGKILL), child.kill):
                    try:
                        target()
                    except (OSError, ProcessLookupError):
                        pass
                child.join()
                text = read_bounded(output)
                _write_log(log, argv, None, text)
                raise subprocess.TimeoutExpired(["nbgrader", *argv], timeout, output=text)
            text = read_bounded(output)
        finally:
            os.unlink(output)
        _write_log(log, argv, child.exitcode, text)
        return subprocess.CompletedProcess(["nbgrader", *argv], child.exitcode, text, "")


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
    for a in assignments:
        proc = nbgrader(course_dir, "generate_assignment", a, "--force", db_url=db_url)
        if proc.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment {a} failed:\n"
                               f"{proc.stdout}{proc.stderr}")
        if duedate:
            proc = nbgrader(course_dir, "db", "assignment", "add", a, f"--duedate={duedate}",
                            db_url=db_url)
            if proc.returncode != 0:
                raise RuntimeError(f"setting the due date of {a} failed:\n{proc.stderr}")
        if not quiet:
            print(f"released {a} -> release/{a}/")
