"""A learner's JupyterLab in a real browser: Chromium driven by Playwright.

The learner setup of `python -m course workspace` (a workspace in a temporary folder, its own
Jupyter settings, a local exchange, instructor tools disabled) serves chapter 01 on a free
loopback port. In it, as a learner: run the untouched notebook (the stubs raise their
message), type the two solutions, run everything (plots render), Validate (success), open
the Assignment List (the course's assignments, no error), find no Formgrader in the menus, and
run the Keras notebook, whose numeric check passes with the learner's functions.

Chromium is Debian's (`apt-get install --no-install-recommends chromium`; `.ci/run` installs
it, with the Korean font). Playwright drives it through `executable_path`; never
`playwright install`. Screenshots: tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from course import solutions, workspace

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "tests" / "screenshots"
CHAPTER, GRADED, KERAS = "01_minibatch", "minibatch.ipynb", "minibatch_keras.ipynb"
EXERCISES = ("update_parameters_with_gd", "random_mini_batches")
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LONG = 120_000  # ms: a run on a loaded 2-core machine (never asserted as a duration)

pytestmark = pytest.mark.slow


def _browser() -> str:
    for name in BROWSERS:
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("no Chromium on this machine: `apt-get install -y --no-install-recommends "
                "chromium` (.ci/run does it when it runs as root)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """JupyterLab with the learner setup on a temporary workspace: (base url, token, dir)."""
    _browser()  # skip before starting anything when there is no browser
    ws = tmp_path_factory.mktemp("learner") / "workspace"
    workspace.sync(ws, quiet=True)
    port, token = _free_port(), "optdl-browser-test"
    log = open(ws.parent / "jupyterlab.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(workspace.lab_command(ws, port=port, open_browser=False, token=token),
                            cwd=ws, env=workspace.jupyter_env(ws), stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n"
                                + (ws.parent / "jupyterlab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield base, token, ws
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def page(server):
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is in the dev extras: make setup")
    executable = _browser()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-dev-shm-usage"])
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def _open(page, server, path: str) -> None:
    base, token, _ = server
    page.goto(f"{base}/lab/tree/{path}?reset&token={token}")
    page.locator("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden)").wait_for()
    _wait_idle(page)


def _wait_idle(page) -> None:
    status = page.locator(".jp-StatusBar-TextItem[title^='Change kernel']")
    page.wait_for_function(
        "() => { const s = document.querySelector(\".jp-StatusBar-TextItem[title^='Change "
        "kernel']\"); return s && / Idle$/.test(s.textContent.trim()); }", timeout=LONG)
    assert status.count() == 1


def _notebook(page):
    return page.locator("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden)")


PROMPTS = ("() => [...document.querySelectorAll('#jp-main-dock-panel "
           ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')]"
           ".map(p => p.textContent)")


def _run_all(page) -> None:
    """Run > Run All Cells, then wait until a cell ran and none is queued or running."""
    before = max([int(n) for p in page.evaluate(PROMPTS) for n in re.findall(r"\d+", p)] + [0])
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator(".lm-Menu li[data-command='runmenu:run-all']").click()
    page.wait_for_function(
        f"() => {{ const p = ({PROMPTS})(); return !p.some(t => t.includes('*')) && "
        f"p.some(t => (t.match(/\\d+/) || [0])[0] > {before}); }}", timeout=LONG)
    _wait_idle(page)


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _solution_cells() -> dict[str, str]:
    """{exercise grade id: the reference cell without solution markers} from source/."""
    nb = solutions.strip(nbformat.read(ROOT / "source" / CHAPTER / GRADED, as_version=4))
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def test_untouched_notebook_runs_and_stubs_say_what_to_do(page, server):
    _open(page, server, f"{CHAPTER}/{GRADED}")
    _shot(page, "00_opened")  # the title cell: Korean terms render with a Hangul font
    _run_all(page)
    errors = _notebook(page).locator(".jp-OutputArea-output[data-mime-type="
                                     "'application/vnd.jupyter.stderr']")
    text = " ".join(errors.all_text_contents())
    _shot(page, "01_untouched_run_all")
    assert "not written yet" in text or "Write your solution here" in text, text[:2000]


def test_solving_renders_plots_and_validates(page, server):
    code = _solution_cells()
    cells = _notebook(page).locator(".jp-Cell")
    ids = page.evaluate(
        "() => [...document.querySelectorAll('#jp-main-dock-panel "
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')].map(c => c.textContent)")
    for gid in EXERCISES:
        index = next(i for i, text in enumerate(ids) if f"def {gid}(" in text)
        editor = cells.nth(index).locator(".cm-content")
        editor.scroll_into_view_if_needed()
        editor.click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(code[gid])
    page.keyboard.press("Control+s")
    _run_all(page)
    notebook = _notebook(page)
    images = notebook.locator(".jp-OutputArea-output[data-mime-type='image/png'] img")
    images.first.wait_for()
    assert images.count() >= 2
    errors = notebook.locator(".jp-OutputArea-output[data-mime-type="
                              "'application/vnd.jupyter.stderr']")
    assert not [t for t in errors.all_text_contents() if "Error" in t], errors.all_text_contents()
    images.last.scroll_into_view_if_needed()
    _shot(page, "02_solved_plots")
    page.keyboard.press("Control+s")
    page.locator("jp-button.validate-button, button.validate-button").first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_text("Validation Results").wait_for(timeout=LONG)
    message = page.locator("#validation-message")
    message.wait_for()
    _shot(page, "03_validate")
    assert "validation-success" in (message.get_attribute("class") or ""), message.text_content()
    dialog.locator(".jp-Dialog-button.jp-mod-accept").first.click()


def test_assignment_list_shows_the_course(page, server):
    page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("Assignment List")).click()
    fetched = page.locator("#fetched_assignments_list")
    fetched.get_by_text(CHAPTER).first.wait_for()
    _shot(page, "04_assignment_list")
    body = page.locator(".jp-MainAreaWidget:not(.lm-mod-hidden)").last.text_content()
    assert "10_regularization" in fetched.text_content()
    assert "Error" not in body and "does not exist" not in body, body[:2000]


def test_no_instructor_tools_in_the_menus(page, server):
    page.keyboard.press("Escape")
    names = []
    for menu in ("Nbgrader", "View", "File"):
        if page.get_by_role("menuitem", name=menu, exact=True).count():
            page.get_by_role("menuitem", name=menu, exact=True).click()
            names += page.locator(".lm-Menu .lm-Menu-itemLabel").all_text_contents()
            page.keyboard.press("Escape")
    assert any("Assignment List" in n for n in names), names
    for tool in ("Formgrader", "Create Assignment", "Course List"):
        assert not [n for n in names if tool.lower() in n.lower()], names
    page.keyboard.press("Control+Shift+c")  # the command palette
    palette = page.locator(".lm-CommandPalette-input")
    palette.wait_for()
    palette.fill("assignment list")
    assert page.locator(".lm-CommandPalette-item:visible").count() >= 1
    palette.fill("formgrader")
    assert page.locator(".lm-CommandPalette-item:visible").count() == 0
    page.keyboard.press("Escape")
    # and the server side: formgrader's pages are not served
    base, token, _ = server
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{base}/formgrader?token={token}", timeout=10)
    assert err.value.code == 404


def test_keras_notebook_checks_the_learners_functions(page, server):
    _open(page, server, f"{CHAPTER}/{KERAS}")
    _run_all(page)
    notebook = _notebook(page)
    out = " ".join(notebook.locator(".jp-OutputArea-output").all_text_contents())
    _shot(page, "05_keras")
    assert "Traceback" not in out and "NotDoneYet" not in out, out[-3000:]
    match = re.search(r"max \|W_numpy - W_keras\| = ([0-9.e+-]+)", out)
    assert match and float(match.group(1)) < 1e-10, out[-3000:]


def test_learners_work_is_saved_in_the_workspace(server):
    _, _, ws = server
    nb = nbformat.read(ws / CHAPTER / GRADED, as_version=4)
    assert "raise NotImplementedError" not in "".join(
        c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    assert os.path.exists(ws / ".jupyter" / "nbgrader_config.py")
