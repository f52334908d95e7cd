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
BWRAP_KERNEL_NAME = "optdl-sandbox-bwrap"
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


def kernelspec(directory: Path, name: str = KERNEL_NAME) -> Path:
    """Write `<directory>/kernels/<name>/kernel.json`; put `directory` on JUPYTER_PATH.

    `BWRAP_KERNEL_NAME` asks for interrupts as messages: the kernel runs in its own session
    (`bwrap --new-session`), out of reach of the SIGINT jupyter_client sends to the
    launcher's process group; ipykernel's control thread interrupts itself instead."""
    import json

    spec = directory / "kernels" / name
    spec.mkdir(parents=True, exist_ok=True)
    data = {
        "argv": [sys.executable, "-m", "course.grader.sandbox", "-f", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    if name == BWRAP_KERNEL_NAME:
        data["interrupt_mode"] = "message"
    text = json.dumps(data, indent=1)
    path = spec / "kernel.json"
    if not path.exists() or path.read_text() != text:
        # One temporary name per writer: grading threads of one process write it at once.
        fd, tmp = tempfile.mkstemp(dir=spec, prefix=".kernel.json.")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
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


# ---------------------------------------------------------------- bubblewrap

# Private /tmp and /dev/shm of a bubblewrapped kernel (tmpfs: memory, so bounded).
TMP_SIZE = 256 * 2**20
SHM_SIZE = 64 * 2**20
# What a bubblewrapped kernel sees, read-only, besides the interpreter, the venv and the
# course package: shared libraries, the dynamic loader's cache, fonts and time zones.
SYSTEM_PATHS = ("/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/share/fonts",
                "/usr/share/zoneinfo", "/etc/ld.so.cache", "/etc/fonts", "/etc/localtime")
SYSTEM_LINKS = ("/lib", "/lib64", "/lib32")  # usrmerge symlinks (or directories)
# The kernel's fds 1 and 2 (os.write(1, ...), C libraries, crashes) go to this file in its
# scratch folder, capped by RLIMIT_FSIZE: nothing reaches nbgrader's output or the logs.
OUTPUT_SINK = "kernel-output.txt"


def bwrap_tools() -> tuple[str, str] | None:
    """(bwrap, setpriv) when both are installed, else None."""
    tools = shutil.which("bwrap", path="/usr/bin:/bin:/usr/local/bin"), \
        shutil.which("setpriv", path="/usr/bin:/bin:/usr/sbin:/sbin")
    return tools if all(tools) else None


def mode(bwrap: bool = True) -> str:
    """How grading kernels are isolated on this machine: 'bwrap' (root, bubblewrap and
    setpriv installed), 'namespaces' (root: the launcher's own mount and network
    namespaces and uid drop), or 'limits' (not root: resource limits, scratch, clean
    environment and guard only)."""
    if not can_drop_privileges():
        return "limits"
    return "bwrap" if bwrap and bwrap_tools() else "namespaces"


def allow_list() -> list[str]:
    """The paths a bubblewrapped kernel sees read-only (besides its scratch and IPC folders)."""
    import course

    paths = [*SYSTEM_PATHS, sys.base_prefix, sys.prefix, str(Path(course.__file__).parent),
             os.path.dirname(os.path.realpath(sys.executable))]
    out: list[str] = []
    for p in paths:
        if os.path.exists(p):
            p = os.path.realpath(p) if os.path.isdir(p) else os.path.abspath(p)
            if not any(p == o or p.startswith(o + "/") for o in out):
                out = [o for o in out if not o.startswith(p + "/")] + [p]
    return sorted(out, key=len)


def bwrap_argv(tools: tuple[str, str], uid: int, scratch: Path, writable: list[Path],
               command: list[str], network: bool = False) -> list[str]:
    """bubblewrap's command line for one kernel.

    Every namespace but the user namespace (`--unshare-all` would add one, in which the
    sandbox uid maps to root on the host): pid (the kernel sees its own processes only, and
    all of them die with it), ipc, network (loopback only), uts, cgroup. A filesystem from
    `allow_list()` (read-only), the scratch and IPC folders (read-write), private tmpfs /tmp
    and /dev/shm, a minimal /dev and /proc. bwrap keeps root only to build that; setpriv
    then drops to the leased uid (no groups, no capabilities, an empty bounding set,
    no_new_privs) and execs the kernel, which is therefore that uid on the host too.
    `network`: keep the host's network (a kernel on TCP ports, not IPC sockets)."""
    bwrap, setpriv = tools
    argv = [bwrap, "--unshare-ipc", "--unshare-pid", *([] if network else ["--unshare-net"]),
            "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--hostname", "grading"]
    # /proc, /dev, /tmp and /dev/shm first: an allowed path under /tmp (a venv, a checkout)
    # is then bound on top of the private /tmp, not hidden by it.
    argv += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(TMP_SIZE), "--tmpfs", "/tmp",
             "--perms", "1777", "--size", str(SHM_SIZE), "--tmpfs", "/dev/shm"]
    for link in SYSTEM_LINKS:
        if os.path.islink(link):
            argv += ["--symlink", os.readlink(link), link]
    made: set[str] = {"/", "/proc", "/dev", "/tmp", "/dev/shm"}

    def parents(path) -> list[str]:
        """Create the folders above `path` world-reachable (bwrap copies the host's modes:
        /root would be 0700 and hide the interpreter from the kernel's uid)."""
        out = []
        for parent in reversed(Path(path).parents):
            if str(parent) not in made:
                made.add(str(parent))
                out += ["--perms", "0755", "--dir", str(parent)]
        return out

    for path in allow_list():
        argv += [*parents(path), "--ro-bind", path, path]
    argv += [*parents(setpriv), "--ro-bind", setpriv, setpriv]
    for path in [scratch, *writable]:
        argv += [*parents(path), "--bind", str(path), str(path)]
    argv += ["--chdir", str(scratch),
             "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
             "--cap-add", "CAP_SETPCAP", "--cap-add", "CAP_DAC_OVERRIDE",  # setpriv drops all
             "--", setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
             "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--", *command]
    return argv


def launch(argv: list[str]) -> None:
    """Set up the sandbox, then exec the IPython kernel with `argv` (-f CONNECTION ...):
    inside bubblewrap when root and bwrap is installed (`mode() == 'bwrap'`), else as
    before (own namespaces and uid drop when root; limits only otherwise)."""
    import json

    env = os.environ
    memory = parse_size(env.get("OPTDL_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT))
    cpu = int(env.get("OPTDL_CPU_LIMIT", DEFAULT_CPU_LIMIT))
    root = Path(env.get("OPTDL_SANDBOX_DIR") or tempfile.gettempdir())
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="kernel-", dir=root))
    how = mode(env.get("OPTDL_BWRAP", "1") != "0")
    report = {"memory_limit": memory, "cpu_limit": cpu, "scratch": str(scratch),
              "clean_env": True, "uid": os.getuid(), "hidden": [], "mode": how}

    # The connection file lives in the instructor's runtime dir (0600): hand the kernel a copy.
    args = list(argv)
    conn_index = args.index("-f") + 1
    conn = Path(args[conn_index])
    conn_copy = scratch / conn.name
    shutil.copy(conn, conn_copy)
    args[conn_index] = str(conn_copy)
    info = json.loads(conn_copy.read_text())
    ipc = info.get("transport") == "ipc"
    # Output written to fds 1/2 goes to OUTPUT_SINK, not to the notebook (IOPub) nor to
    # nbgrader's output: ipykernel must not capture those descriptors.
    args.append("--IPKernelApp.capture_fd_output=False")

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
    if how != "limits":
        import course

        if how == "namespaces":
            hide = [p for p in env.get("OPTDL_HIDE", "").split(os.pathsep) if p]
            hide.append(os.path.expanduser("~"))
            keep = [sys.base_prefix, sys.prefix, str(Path(course.__file__).parent),
                    os.path.dirname(os.path.realpath(sys.executable))]
            try:
                isolate_filesystem(hide, keep, scratch / ".stage", no_network=ipc)
                report["hidden"] = sorted(set(hide))
                report["network"] = not ipc
            except OSError as err:
                report["isolation_error"] = str(err)
        needed = [Path(os.path.realpath(sys.executable)), Path(os.__file__),
                  Path(resource.__file__), Path(course.__file__)]
        # bwrap mounts each allowed folder at a world-reachable place: only the files'
        # own permissions matter there.
        reachable = all(os.stat(p).st_mode & 0o004 for p in needed) if how == "bwrap" \
            else all(world_reachable(p) for p in needed)
        if reachable:
            if env.get("OPTDL_SANDBOX_UID"):
                uid = int(env["OPTDL_SANDBOX_UID"])
            else:  # started outside the driver: lease a uid for the kernel's lifetime
                lease = UidLease()
                os.set_inheritable(lease._fd, True)
                uid = lease.uid
        else:
            report["uid_error"] = "the interpreter is not reachable by an unprivileged uid"
            how = report["mode"] = "namespaces" if how == "bwrap" else how

    clean = {k: env[k] for k in KEEP_ENV if k in env}
    clean.update(HOME=str(home), IPYTHONDIR=str(home / ".ipython"),
                 MPLCONFIGDIR=str(home / ".config/matplotlib"), XDG_CACHE_HOME=str(home / ".cache"),
                 JUPYTER_RUNTIME_DIR=str(home), PYTHONDONTWRITEBYTECODE="1",
                 OPTDL_SANDBOX="1", OPTDL_MEMORY_LIMIT=str(memory))
    clean.setdefault("PYTHONHASHSEED", "0")

    sink = os.open(scratch / OUTPUT_SINK, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if uid is not None:
        # IPC sockets are created by the kernel next to the path in the connection file.
        if ipc:
            os.chown(Path(info["ip"]).parent, uid, uid)
        for dirpath, _, files in os.walk(scratch):
            os.chown(dirpath, uid, uid)
            for f in files:
                os.chown(os.path.join(dirpath, f), uid, uid)
        report["uid"] = uid
        if how == "bwrap":
            report["network"] = not ipc
            report["allowed"] = allow_list()
    (root / f"sandbox-{os.getpid()}.json").write_text(json.dumps(report))

    os.chdir(scratch)
    os.umask(0o077)
    _limit(resource.RLIMIT_AS, memory)
    _limit(resource.RLIMIT_CPU, cpu)
    _limit(resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT)
    _limit(resource.RLIMIT_CORE, 0)
    os.dup2(sink, 1)
    os.dup2(sink, 2)
    os.close(sink)
    kernel = [sys.executable, "-m", "ipykernel_launcher", *args]
    if how == "bwrap" and uid is not None:
        _limit(resource.RLIMIT_NPROC, NPROC_LIMIT)  # counts the uid's processes (not root's)
        writable = [Path(info["ip"]).parent] if ipc else []
        command = bwrap_argv(bwrap_tools(), uid, scratch, writable, kernel, network=not ipc)
        # ipykernel would take its parent (bwrap, pid 1 in the namespace) for init and exit:
        # --die-with-parent does that job.
        clean.pop("JPY_PARENT_PID", None)
        os.execve(command[0], command, clean)
    if uid is not None:
        _limit(resource.RLIMIT_NPROC, NPROC_LIMIT)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)  # all capabilities go with uid 0
    os.execve(sys.executable, kernel, clean)


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
    that make nbgrader start every kernel through `launch` with these limits.

    `bwrap`: run kernels in bubblewrap when root and bwrap is installed (False: the older
    launcher-made namespaces, e.g. to measure what bubblewrap costs)."""

    enabled: bool = True
    memory_limit: int = DEFAULT_MEMORY_LIMIT
    cpu_limit: int = DEFAULT_CPU_LIMIT
    hide: tuple = ()
    bwrap: bool = True

    def mode(self) -> str:
        return mode(self.bwrap) if self.enabled else "off"

    def env(self, course_dir: Path, uid: int, scratch: Path,
            handout: Path | None = None) -> tuple[dict, list[str]]:
        """({environment variables}, [nbgrader options]) for one learner's autograde run."""
        if not self.enabled:
            return {}, []
        jupyter = course_dir / ".grading" / "jupyter"
        name = BWRAP_KERNEL_NAME if self.mode() == "bwrap" else KERNEL_NAME
        kernelspec(jupyter, name)
        env = {"JUPYTER_PATH": os.pathsep.join([str(jupyter), os.environ.get("JUPYTER_PATH", "")]),
               "OPTDL_SANDBOX_DIR": str(scratch),
               "OPTDL_SANDBOX_UID": str(uid),
               "OPTDL_MEMORY_LIMIT": str(self.memory_limit),
               "OPTDL_CPU_LIMIT": str(self.cpu_limit),
               "OPTDL_HIDE": os.pathsep.join([str(course_dir), *map(str, self.hide)]),
               "OPTDL_SANDBOX_FILES": str(handout or ""),
               "OPTDL_BWRAP": "1" if self.bwrap else "0"}
        return env, [f"--Execute.kernel_name={name}"]

    def guarantees(self) -> list[tuple[bool, str]]:
        """(holds, what) for each protection of the grading kernels on this machine."""
        how = self.mode()
        if how == "off":
            return [(False, "sandbox off: kernels run as the grader (its files, network, "
                     "processes); only time limits")]
        box, jail, root = how == "bwrap", how in ("bwrap", "namespaces"), how != "limits"
        mem = f"{self.memory_limit / 2**30:g} GiB"
        return [
            (True, f"limits: {mem} memory, {self.cpu_limit} CPU s, {FILE_SIZE_LIMIT // 2**20} "
             "MiB per file, no core dumps, cell and notebook timeouts"),
            (True, "output: fds 1/2 go to a capped file in the kernel's folder; cell outputs "
             "cut to size"),
            (True, "clean environment, own scratch folder as cwd and HOME, in-kernel guard "
             "(defeatable)"),
            (root, "own unprivileged uid per learner graded at once, no capabilities, "
             f"{NPROC_LIMIT} processes"
             if root else f"own uid: no (not root): kernels run as uid {os.getuid()}, read "
             "and write what it can"),
            (box, "own pid namespace: a kernel sees only its own processes; all die with it"
             if box else "own pid namespace: no: kernels see all processes; leftovers killed "
             "by a uid sweep" if root else "own pid namespace: no, and a kernel's leftover "
             "processes are not killed"),
            (box, "filesystem from an allow-list (interpreter, venv, course package, "
             "libraries, fonts)" if box else "filesystem allow-list: no: course dir, "
             "repository and ~ hidden, the rest readable" if jail else
             "filesystem allow-list: no: everything the grader's user can read"),
            (box, f"private /tmp ({TMP_SIZE // 2**20} MiB) and /dev/shm "
             f"({SHM_SIZE // 2**20} MiB), gone with the kernel" if box else
             "private /tmp and /dev/shm: no: shared between learners and kept after them"),
            (jail, "no network (IPC sockets to nbgrader)" if jail else
             "no network: no: kernels can reach the network"),
        ]

    def describe(self) -> str:
        """What is and is not protected, one line per guarantee (printed at a run's start)."""
        names = {"bwrap": "bubblewrap", "namespaces": "root without bubblewrap",
                 "limits": "not root", "off": "off"}
        lines = [f"grading sandbox: {names[self.mode()]}"]
        lines += [f"  [{'x' if ok else ' '}] {what}" for ok, what in self.guarantees()]
        return "\n".join(lines)


if __name__ == "__main__":
    launch(sys.argv[1:])
