"""A learner's personal workspace: `python -m course workspace` (or `make learn`).

Sets up `workspace/` in the clone (git-ignored) and opens JupyterLab on it with learner
settings, on this server only (nothing global changes):

    workspace/01_minibatch/...      the learner's copies of the assignments (their work)
    workspace/updates/<a>/...       new course versions of notebooks the learner has changed
    workspace/feedback/<a>/...      feedback HTML of `python -m course check --full`
    workspace/.exchange/            a local nbgrader exchange: the course's assignments are
                                    released into it, so the Assignment List works
    workspace/.jupyter/             this server's JUPYTER_CONFIG_DIR: nbgrader_config.py (the
                                    course's settings plus the exchange), formgrader, create
                                    assignment and course list disabled, no news pop-up
    workspace/.course/received.json what the learner received (hash of each file), so a
                                    re-run after `git pull` can tell a changed assignment

A re-run (after `git pull`) never overwrites a learner's notebook: new assignments and new
files are added; a notebook whose course version changed is replaced only when the learner's
copy is still byte for byte the version they received, otherwise the new version goes to
`workspace/updates/<a>/` and the change is reported.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from . import ROOT

COURSE_ID = "optdl"
WORKSPACE = ROOT / "workspace"
# nbgrader's JupyterLab plugins (labextension @jupyter/nbgrader 0.9.6) and server extensions
# that only instructors use.
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list")
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader",
                                "nbgrader.server_extensions.course_list")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def jupyter_env(workspace: Path = WORKSPACE) -> dict:
    """Environment of the learner's JupyterLab server and nbgrader commands."""
    jupyter = workspace / ".jupyter"
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(jupyter),
        "JUPYTER_DATA_DIR": str(jupyter / "data"),
        "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(jupyter / "lab" / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(jupyter / "lab" / "workspaces"),
        # nbgrader runs `alembic` from PATH; the venv's bin/ comes first.
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
    })
    return env


def _write_config(workspace: Path, exchange: Path) -> None:
    jupyter = workspace / ".jupyter"
    (jupyter / "labconfig").mkdir(parents=True, exist_ok=True)
    # The course's nbgrader settings (timeouts, ignored warnings) for Validate, plus the local
    # exchange. Validate and the Assignment List read nbgrader_config.py from the Jupyter
    # config path, which starts with this folder.
    (jupyter / "nbgrader_config.py").write_text(
        "# Written by `python -m course workspace`; rewritten at every start.\n"
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig('nbgrader_config.py', path={str(ROOT)!r})  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.root = {str(workspace)!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        "c.Exchange.path_includes_course = False\n")
    (jupyter / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {p: True for p in INSTRUCTOR_PLUGINS}}, indent=1))
    (jupyter / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {e: False for e in INSTRUCTOR_SERVER_EXTENSIONS}}},
        indent=1))
    settings = jupyter / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    news = settings / "notification.jupyterlab-settings"
    if not news.exists():
        news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


def _release_to_exchange(exchange: Path, release: Path, assignments: list[str]) -> None:
    """What `nbgrader release_assignment` does, without an instructor gradebook: copy
    release/<a>/ into <exchange>/optdl/outbound/<a>/ (readable by everyone)."""
    outbound = exchange / COURSE_ID / "outbound"
    inbound = exchange / COURSE_ID / "inbound"
    outbound.mkdir(parents=True, exist_ok=True)
    inbound.mkdir(parents=True, exist_ok=True)
    for d in (exchange, exchange / COURSE_ID, outbound):
        d.chmod(0o755)
    inbound.chmod(0o1777)  # nbgrader's permissions: learners submit, instructors collect
    for a in assignments:
        target = outbound / a
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(release / a, target,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.py", "*.md"))


def sync(workspace: Path = WORKSPACE, release: Path = ROOT / "release",
         quiet: bool = False) -> dict[str, list[str]]:
    """Set up or update the workspace from release/; never overwrite a learner's changes.

    Returns {"added": [...], "updated": [...], "changed": [...], "unchanged": [...]} of
    "<assignment>/<file>" entries (changed: the course version changed and the learner's copy
    was kept; the new version is in workspace/updates/).
    """
    from . import notebooks

    workspace = workspace.resolve()
    exchange = workspace / ".exchange"
    assignments = [a for a in notebooks.assignments(release)
                   if any((release / a).glob("*.ipynb"))]
    workspace.mkdir(parents=True, exist_ok=True)
    _write_config(workspace, exchange)
    _release_to_exchange(exchange, release, assignments)
    record_path = workspace / ".course" / "received.json"
    try:
        received = json.loads(record_path.read_text())
    except (OSError, ValueError):
        received = {}
    report: dict[str, list[str]] = {"added": [], "updated": [], "changed": [], "unchanged": []}
    for a in assignments:
        for src in sorted((release / a).glob("*.ipynb")):
            key = f"{a}/{src.name}"
            mine = workspace / a / src.name
            new = _sha(src)
            if not mine.exists():
                # A notebook the learner deleted comes back (as on a first fetch).
                mine.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, mine)
                received[key] = new
                report["added"].append(key)
                continue
            old = received.get(key)
            if old == new:
                report["unchanged"].append(key)
                continue
            if old is not None and _sha(mine) == old:
                # The learner never changed this copy: take the new course version.
                shutil.copy2(src, mine)
                received[key] = new
                report["updated"].append(key)
                continue
            if _sha(mine) == new:  # already the course version (e.g. record lost)
                received[key] = new
                report["unchanged"].append(key)
                continue
            update = workspace / "updates" / a / src.name
            update.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, update)
            report["changed"].append(key)
    record_path.parent.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(received, indent=1, sort_keys=True))
    if not quiet:
        print_report(workspace, report)
    return report


def print_report(workspace: Path, report: dict[str, list[str]]) -> None:
    rel = os.path.relpath(workspace)
    if report["added"]:
        chapters = sorted({k.split("/")[0] for k in report["added"]})
        print(f"added to {rel}/: {len(report['added'])} notebook(s) of " + ", ".join(chapters))
    if report["updated"]:
        print("updated (you had not changed them): " + ", ".join(report["updated"]))
    for key in report["changed"]:
        print(f"CHANGED in the course: {key}. Your copy {rel}/{key} is kept; the new version is "
              f"{rel}/updates/{key} (compare, copy what you need; `python -m course check` "
              "always uses the current tests)")
    if not (report["added"] or report["updated"] or report["changed"]):
        print(f"{rel}/ is up to date ({len(report['unchanged'])} notebooks)")


def lab_command(workspace: Path = WORKSPACE, port: int | None = None,
                open_browser: bool = True, token: str | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={workspace}",
           "--ServerApp.ip=127.0.0.1"]
    if port:
        cmd.append(f"--ServerApp.port={port}")
    if not open_browser:
        cmd.append("--no-browser")
    if token is not None:
        cmd.append(f"--IdentityProvider.token={token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def main(args) -> int:
    workspace = Path(args.dir).resolve() if getattr(args, "dir", None) else WORKSPACE
    sync(workspace)
    if args.setup_only:
        return 0
    cmd = lab_command(workspace, port=args.port, open_browser=not args.no_browser)
    print(f"JupyterLab on {os.path.relpath(workspace)}/ (learner settings); stop it with Ctrl+C")
    sys.stdout.flush()
    # The server's working directory is the workspace: Validate reads its nbgrader settings
    # from there and from JUPYTER_CONFIG_DIR. The server replaces this process (same pid:
    # Ctrl+C or a kill stops the server itself).
    os.chdir(workspace)
    os.execve(cmd[0], cmd, jupyter_env(workspace))
