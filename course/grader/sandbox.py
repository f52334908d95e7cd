"""The grading kernel's sandbox: a kernel launcher with resource limits and no course files.

The grading driver (`course.grader`) writes a kernelspec `optdl-sandbox` whose argv runs

    python -m course.grader.sandbox -f {connection_file} [kernel arguments]

and tells nbgrader to use it for every notebook (`--Execute.kernel_name=optdl-sandbox`,
which also ignores a kernelspec edited by the learner). Before it becomes the IPython
kernel (`exec`, same pid, so interrupts and kills reach it), the launcher:

* sets hard resource limits (a learner's cell cannot raise them back without root):
  RLIMIT_AS (address space, `OPTDL_MEMORY_LIMIT`, default 4 GiB: a 64 GB allocation raises
  MemoryError in that cell instead of waking the OOM killer), RLIMIT_CPU (CPU seconds,
  `OPTDL_CPU_LIMIT`, default 600: a loop that ignores interrupts is killed by SIGXCPU at
  the latest), RLIMIT_FSIZE (64 MiB per written file), RLIMIT_NPROC (256 processes and
  threads for the kernel's user) and RLIMIT_CORE (0);
* when root (CAP_SYS_ADMIN), enters private mount and network namespaces: the course
  directory, the repository (solutions) and root's home are covered by empty tmpfs mounts
  (the interpreter, the venv and the course package are bound back, read-only), and the
  kernel has no network (it talks to nbgrader over unix sockets: IPC transport);
* moves to a fresh scratch directory (`OPTDL_SANDBOX_DIR`), outside the course directory,
  which becomes the kernel's cwd and HOME: relative paths such as `../../../gradebook.db`
  lead nowhere;
* replaces the environment with a short allow-list (no database URLs, passwords or tokens
  from the instructor's shell);
* installs the guard (`install_guard`, an IPython startup file): before every cell, numpy's
  and the course helpers' attributes monkeypatched by a learner go back to the originals;
* when started as root (a grading container), drops to an unprivileged uid of its own
  (`OPTDL_SANDBOX_UID`, leased per grading worker with `UidLease`, no groups, no
  capabilities): the kernel then cannot write the course directory, the gradebook or the
  course package, cannot read files that are not world-readable, cannot undo the mounts or
  raise its limits, and cannot signal the kernel of another learner graded at the same
  time. It keeps the grader's uid when the interpreter is not reachable by other users.
  Without root, the limits, scratch directory, clean environment and guard still apply,
  but file permissions are the grader's own. See docs/grading.md.

This module imports nothing heavy: it runs before every grading kernel.
"""

from __future__ import annotations

import glob
import os
import resource
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

KERNEL_NAME = "optdl-sandbox"
DEFAULT_MEMORY_LIMIT = 4 * 2**30  # bytes of address space per grading kernel
DEFAULT_CPU_LIMIT = 600  # CPU seconds per grading kernel
FILE_SIZE_LIMIT = 64 * 2**20
NPROC_LIMIT = 256
BASE_UID = 61000  # sandbox uids: leased from BASE_UID .. BASE_UID + UID_RANGE (no passwd entry)
UID_RANGE = 4000
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONHASHSEED", "MPLBACKEND",
            "TF_CPP_MIN_LOG_LEVEL", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
            "VIRTUAL_ENV", "PYTHONPATH", "JPY_PARENT_PID")


def parse_size(text: str | int) -> int:
    """'4G', '512M', '1048576' -> bytes."""
    if isinstance(text, int):
        return text
    text = str(text).strip().upper().removesuffix("B").removesuffix("I")
    units = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def kernelspec(directory: Path) -> Path:
    """Write `<directory>/kernels/optdl-sandbox/kernel.json`; put `directory` on JUPYTER_PATH."""
    import json

    spec = directory / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "course.grader.sandbox", "-f", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        "metadata": {"debugger": False},
    }, indent=1))
    return spec


def can_drop_privileges() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _limit(which: int, value: int) -> None:
    """Set soft and hard limits (the kernel cannot raise them back); soft only if not allowed."""
    try:
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):
        hard = resource.getrlimit(which)[1]
        if hard == resource.RLIM_INFINITY or value <= hard:
            resource.setrlimit(which, (value, hard))


# ---------------------------------------------------------------- filesystem isolation

_MS_RDONLY, _MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
_CLONE_NEWNS, _CLONE_NEWNET = 0x00020000, 0x40000000


def _libc():
    import ctypes
    import ctypes.util

    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _mount(libc, source: str, target: str, fstype: str | None, flags: int, data: str | None):
    import ctypes

    if libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                  ctypes.c_ulong(flags), data.encode() if data else None) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def isolate_filesystem(hide: list[str], keep: list[str], stage: Path,
                       no_network: bool = False) -> None:
    """In a private mount namespace, cover each `hide` path with an empty tmpfs and bind the
    `keep` paths (interpreter, venv, course package) back inside. Needs CAP_SYS_ADMIN.

    `no_network`: also enter a new network namespace (only a down loopback): the kernel
    cannot reach a database server or the internet. Only with the IPC transport (the kernel
    talks to nbgrader through unix sockets, which a network namespace does not affect)."""
    import ctypes

    libc = _libc()
    if libc.unshare(_CLONE_NEWNS | (_CLONE_NEWNET if no_network else 0)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare: {os.strerror(err)}")
    _mount(libc, "none", "/", None, _MS_REC | _MS_PRIVATE, None)
    hide = sorted({str(Path(h).resolve()) for h in hide if Path(h).exists()}, key=len)
    hide = [h for i, h in enumerate(hide) if not any(h.startswith(o + "/") for o in hide[:i])]
    keep = sorted({str(Path(k).resolve()) for k in keep if Path(k).exists()}, key=len)
    keep = [k for i, k in enumerate(keep) if not any(k.startswith(o + "/") for o in keep[:i])]
    keep = [k for k in keep if any(k == h or k.startswith(h + "/") for h in hide)]
    staged = []
    for i, k in enumerate(keep):
        place = stage / f"keep{i}"
        place.mkdir(parents=True, exist_ok=True)
        _mount(libc, k, str(place), None, _MS_BIND | _MS_REC, None)
        staged.append((k, place))
    for h in hide:
        _mount(libc, "optdl-hidden", h, "tmpfs", 0, "mode=0755,size=1m")
    for k, place in staged:
        Path(k).mkdir(parents=True, exist_ok=True)
        _mount(libc, str(place), k, None, _MS_BIND | _MS_REC, None)
        _mount(libc, "none", k, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY, None)
        libc.umount2(str(place).encode(), 2)  # MNT_DETACH


def world_reachable(path: Path) -> bool:
    """True if a user with no groups can reach and read `path` (o+x on every directory)."""
    path = Path(path).resolve()
    for parent in reversed(path.parents):
        if not os.stat(parent).st_mode & 0o001:
            return False
    return bool(os.stat(path).st_mode & 0o004)


def launch(argv: list[str]) -> None:
    """Set up the sandbox, then exec the IPython kernel with `argv` (-f CONNECTION ...)."""
    import json

    env = os.environ
    memory = parse_size(env.get("OPTDL_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT))
    cpu = int(env.get("OPTDL_CPU_LIMIT", DEFAULT_CPU_LIMIT))
    root = Path(env.get("OPTDL_SANDBOX_DIR") or tempfile.gettempdir())
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="kernel-", dir=root))
    report = {"memory_limit": memory, "cpu_limit": cpu, "scratch": str(scratch),
              "clean_env": True, "uid": os.getuid(), "hidden": []}

    # The connection file lives in the instructor's runtime dir (0600): hand the kernel a copy.
    args = list(argv)
    conn_index = args.index("-f") + 1
    conn = Path(args[conn_index])
    conn_copy = scratch / conn.name
    shutil.copy(conn, conn_copy)
    args[conn_index] = str(conn_copy)

    # Files handed out with the assignment (data, images: not notebooks) sit next to the
    # kernel as they do next to the learner's notebook.
    handout = env.get("OPTDL_SANDBOX_FILES")
    if handout and Path(handout).is_dir():
        shutil.copytree(handout, scratch, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.ipynb", ".*"))
    home = scratch
    for sub in (".ipython/profile_default/startup", ".config/matplotlib", ".cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    # The guard is installed before any cell runs (IPython runs startup files first).
    (home / ".ipython/profile_default/startup/00-optdl-guard.py").write_text(
        "import course.grader.sandbox\ncourse.grader.sandbox.install_guard(get_ipython())\n"
        "del course\n")
    # Copy the font cache so matplotlib does not rebuild it (seconds) in every kernel.
    for cache in glob.glob(os.path.expanduser("~/.cache/matplotlib/fontlist-*.json")):
        shutil.copy(cache, home / ".config/matplotlib")

    uid = None
    if can_drop_privileges():
        import course

        hide = [p for p in env.get("OPTDL_HIDE", "").split(os.pathsep) if p]
        hide.append(os.path.expanduser("~"))
        keep = [sys.base_prefix, sys.prefix, str(Path(course.__file__).parent),
                os.path.dirname(os.path.realpath(sys.executable))]
        ipc = json.loads(conn_copy.read_text()).get("transport") == "ipc"
        try:
            isolate_filesystem(hide, keep, scratch / ".stage", no_network=ipc)
            report["hidden"] = sorted(set(hide))
            report["network"] = not ipc
        except OSError as err:
            report["isolation_error"] = str(err)
        needed = [Path(os.path.realpath(sys.executable)), Path(os.__file__),
                  Path(resource.__file__), Path(course.__file__)]
        if all(world_reachable(p) for p in needed):
            if env.get("OPTDL_SANDBOX_UID"):
                uid = int(env["OPTDL_SANDBOX_UID"])
            else:  # started outside the driver: lease a uid for the kernel's lifetime
                lease = UidLease()
                os.set_inheritable(lease._fd, True)
                uid = lease.uid
        else:
            report["uid_error"] = "the interpreter is not reachable by an unprivileged uid"

    clean = {k: env[k] for k in KEEP_ENV if k in env}
    clean.update(HOME=str(home), IPYTHONDIR=str(home / ".ipython"),
                 MPLCONFIGDIR=str(home / ".config/matplotlib"), XDG_CACHE_HOME=str(home / ".cache"),
                 JUPYTER_RUNTIME_DIR=str(home), PYTHONDONTWRITEBYTECODE="1",
                 OPTDL_SANDBOX="1", OPTDL_MEMORY_LIMIT=str(memory))
    clean.setdefault("PYTHONHASHSEED", "0")

    if uid is not None:
        # IPC sockets are created by the kernel next to the path in the connection file.
        info = json.loads(conn_copy.read_text())
        if info.get("transport") == "ipc":
            os.chown(Path(info["ip"]).parent, uid, uid)
        for dirpath, _, files in os.walk(scratch):
            os.chown(dirpath, uid, uid)
            for f in files:
                os.chown(os.path.join(dirpath, f), uid, uid)
        report["uid"] = uid
    (root / f"sandbox-{os.getpid()}.json").write_text(json.dumps(report))

    os.chdir(scratch)
    os.umask(0o077)
    _limit(resource.RLIMIT_AS, memory)
    _limit(resource.RLIMIT_CPU, cpu)
    _limit(resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT)
    _limit(resource.RLIMIT_CORE, 0)
    if uid is not None:
        _limit(resource.RLIMIT_NPROC, NPROC_LIMIT)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)  # all capabilities go with uid 0
    os.execve(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *args], clean)


GUARDED_MODULES = ("numpy", "numpy.testing", "numpy.linalg", "numpy.random", "math",
                   "course.testing", "course.nn", "course.data")


def install_guard(ip) -> None:
    """Undo monkeypatching before every cell: module attributes of GUARDED_MODULES and the
    test helpers the course imported into the notebook go back to the genuine objects.

    A learner's `np.allclose = lambda *a, **k: True` or `def check_close(*a): pass` in one
    cell is gone when the next cell (a grade cell) starts. This runs inside the kernel, so
    a learner who goes after the guard itself (get_ipython().events, sys.modules, gc, ...)
    can still defeat it: the driver's code scan, outside the kernel, flags those constructs.
    """
    import importlib

    snapshot = []
    for name in GUARDED_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        snapshot.append((module, dict(module.__dict__)))
    testing = importlib.import_module("course.testing")
    helpers = {k: v for k, v in vars(testing).items() if not k.startswith("_") and callable(v)}
    seen: set[str] = set()
    missing = object()

    def restore(*_args):
        for module, saved in snapshot:
            current = module.__dict__
            for key, value in saved.items():
                if current.get(key, missing) is not value:
                    current[key] = value
        ns = ip.user_ns
        for key, value in helpers.items():
            if ns.get(key, missing) is value:
                seen.add(key)
            elif key in seen:
                ns[key] = value

    ip.events.register("pre_run_cell", restore)


class UidLease:
    """An unprivileged uid held for one grading worker, exclusive across every process on the
    machine (two grading runs at once must not share, nor kill, each other's kernels): an
    flock on /tmp/optdl-uids/<uid>.lock, released when the lease closes or the process dies."""

    def __init__(self):
        import fcntl

        locks = Path(tempfile.gettempdir()) / "optdl-uids"
        locks.mkdir(mode=0o700, exist_ok=True)
        start = os.getpid() % UID_RANGE
        for i in range(UID_RANGE):
            uid = BASE_UID + (start + i) % UID_RANGE
            fd = os.open(locks / f"{uid}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            self.uid, self._fd = uid, fd
            kill_uid(uid)  # leftovers of a grader that died holding this uid
            return
        raise RuntimeError("no free sandbox uid")

    def close(self) -> None:
        if self._fd is not None:
            kill_uid(self.uid)
            os.close(self._fd)
            self._fd = None


def kill_uid(uid: int) -> int:
    """SIGKILL every process of `uid` (a grading slot's leftovers, e.g. a daemonised child)."""
    import signal

    killed = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            uids = next(line for line in status.read_text().splitlines() if line.startswith("Uid:"))
        except (OSError, StopIteration):
            continue
        if int(uids.split()[1]) == uid:
            try:
                os.kill(int(status.parent.name), signal.SIGKILL)
                killed += 1
            except OSError:
                pass
    return killed


@dataclass
class Settings:
    """Where and how the driver's grading kernels run: the environment and nbgrader options
    that make nbgrader start every kernel through `launch` with these limits."""

    enabled: bool = True
    memory_limit: int = DEFAULT_MEMORY_LIMIT
    cpu_limit: int = DEFAULT_CPU_LIMIT
    hide: tuple = ()

    def env(self, course_dir: Path, uid: int, scratch: Path,
            handout: Path | None = None) -> tuple[dict, list[str]]:
        """({environment variables}, [nbgrader options]) for one learner's autograde run."""
        if not self.enabled:
            return {}, []
        jupyter = course_dir / ".grading" / "jupyter"
        kernelspec(jupyter)
        env = {"JUPYTER_PATH": os.pathsep.join([str(jupyter), os.environ.get("JUPYTER_PATH", "")]),
               "OPTDL_SANDBOX_DIR": str(scratch),
               "OPTDL_SANDBOX_UID": str(uid),
               "OPTDL_MEMORY_LIMIT": str(self.memory_limit),
               "OPTDL_CPU_LIMIT": str(self.cpu_limit),
               "OPTDL_HIDE": os.pathsep.join([str(course_dir), *map(str, self.hide)]),
               "OPTDL_SANDBOX_FILES": str(handout or "")}
        return env, [f"--Execute.kernel_name={KERNEL_NAME}"]


if __name__ == "__main__":
    launch(sys.argv[1:])
