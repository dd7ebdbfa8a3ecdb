"""The student's JupyterLab in a real browser: Debian's chromium driven headless by Playwright.

One JupyterLab (started by ``make lab``, so with the student's configuration) serves a temporary
copy of the release; one browser session walks through what a student does in notebook 1: a
typical wrong answer gets its diagnosis, the fix gets the success line, nbgrader's Validate button
gives its verdict, figures render inline. Screenshots and timings go to .grading/browser/
(git-ignored); ``VITLAB_DOCS_SCREENSHOTS=1`` also refreshes the two pictures of the README in docs/.
Skipped only where Debian's chromium is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from playwright import sync_api

from grader import samples

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = ROOT / ".grading" / "browser"
DOCS = ROOT / "docs"
NOTEBOOK = "01_patchify/patchify.ipynb"
MISTAKE = samples.SAMPLES / "01_patchify" / "patchify--column_major.py"  # a typical wrong answer
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TIMINGS: dict[str, float] = {}

if not CHROMIUM.exists():
    pytest.skip(
        f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does)",
        allow_module_level=True,
    )


# --------------------------------------------------------------------------------------------------
# JupyterLab and the browser: started once for the module, stopped whatever happens


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    pytest.fail(f"JupyterLab did not answer within {timeout:g} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen, base: str, token: str) -> None:
    """Ask the server to shut down (it stops its kernels), then end the process group it runs in."""
    if proc.poll() is None:
        try:
            request = urllib.request.Request(
                f"{base}/api/shutdown", method="POST", headers={"Authorization": f"token {token}"}
            )
            urllib.request.urlopen(request, timeout=5).close()
            proc.wait(timeout=15)
        except (urllib.error.URLError, OSError, subprocess.TimeoutExpired):
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`make lab` on a temporary copy of the release, on a free port, with a token."""
    home = tmp_path_factory.mktemp("lab")
    notebooks = home / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    # JupyterLab's own run-time state goes to the temporary folder, not to the repository. Cells are
    # all rendered (no windowing) so that the test can find them without scrolling.
    settings = home / "settings"
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"})
    )
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "ws"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        VITLAB_FAST="1",
        PYTHONPATH=str(ROOT),
    )  # kernels import vitlab from this checkout, whatever else is installed
    port, token = _free_port(), secrets.token_hex(16)
    venv = Path(sys.prefix)  # the interpreter running the tests is the course's environment
    command = [
        "make",
        "--no-print-directory",
        "-o",
        f"{venv}/.vitlab-installed",
        f"VENV={venv}",
        "lab",
        f"NOTEBOOKS={notebooks}",
        f"LAB_ARGS=--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
        f"--ServerApp.port_retries=0 --IdentityProvider.token={token}",
    ]
    log = home / "jupyterlab.log"
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(f"{base}/api/status?token={token}", proc, log)
        TIMINGS["JupyterLab started"] = time.monotonic() - start
        yield {"base": base, "token": token, "notebooks": notebooks, "log": log}
    finally:
        _stop(proc, base, token)
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, ARTEFACTS / "jupyterlab.log")
        TIMINGS["whole module, server start to stop"] = time.monotonic() - start
        summary = "browser test timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in TIMINGS.items())
        (ARTEFACTS / "timings.txt").write_text(summary + "\n")
        print("\n" + summary)


@pytest.fixture(scope="module")
def page(lab):
    """One headless chromium session for the whole module, closed whatever happens."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 860})
            page.set_default_timeout(60_000)
            start = time.monotonic()
            page.goto(f"{lab['base']}/lab/tree/{NOTEBOOK}?token={lab['token']}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
            _wait_idle(page)
            TIMINGS["notebook opened"] = time.monotonic() - start
            yield page
        finally:
            browser.close()


# --------------------------------------------------------------------------------------------------
# What a student does, in DOM terms (JupyterLab 4.6)


def _wait_idle(page, timeout: float = 120_000) -> None:
    page.wait_for_selector(
        '.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=timeout
    )


def _cell(page, text: str):
    """The code cell whose source contains ``text``."""
    cell = page.locator(".jp-NotebookPanel .jp-CodeCell").filter(
        has=page.locator(".jp-InputArea .cm-content", has_text=text)
    )
    assert cell.count() == 1, f"expected one cell containing {text!r}, found {cell.count()}"
    return cell


def _replace_source(page, cell, source: str) -> None:
    """Select the cell's text and insert the new text in one go (typing would be auto-indented)."""
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(source)
    page.keyboard.press("Escape")  # back to command mode


def _run_all(page, watch) -> None:
    """Run > Run All Cells, then wait until the cell ``watch`` has run again and the kernel is idle."""
    before = _executed(watch)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    start = time.monotonic()
    while _executed(watch) <= before:
        queued = page.locator(".jp-NotebookPanel .jp-InputPrompt", has_text="*").count()
        if time.monotonic() - start > (180 if queued else 10):
            errors = page.locator(".jp-NotebookPanel .jp-OutputArea-output[data-mime-type*='stderr']")
            pytest.fail(
                "Run All stopped before the test cell ran; errors shown:\n"
                + "\n".join(errors.all_inner_texts())[-2000:]
            )
        time.sleep(0.2)
    _wait_idle(page)


def _answer_written_questions(page) -> None:
    """Every markdown answer cell still showing nbgrader's placeholder: edit it, type an answer, render it."""
    unanswered = page.locator(".jp-NotebookPanel .jp-MarkdownCell").filter(has_text="YOUR ANSWER HERE")
    for _ in range(unanswered.count()):
        cell = unanswered.first
        cell.scroll_into_view_if_needed()
        cell.dblclick()  # a rendered markdown cell opens its editor on a double click
        _replace_source(page, cell, "Fewer, larger patches make fewer tokens: attention's cost falls.")
        page.keyboard.press("Shift+Enter")  # render it again


def _executed(cell) -> int:
    """The execution count in the cell's prompt ('[7]:' -> 7; '[ ]:' or '[*]:' -> 0)."""
    prompt = cell.locator(".jp-InputPrompt").first.inner_text()
    digits = "".join(ch for ch in prompt if ch.isdigit())
    return int(digits) if digits else 0


def _outputs(cell) -> str:
    return cell.locator(".jp-OutputArea").inner_text()


def _for_docs(shot: Path, name: str) -> None:
    """With VITLAB_DOCS_SCREENSHOTS=1, a small copy of a screenshot for the README (256 colours)."""
    if os.environ.get("VITLAB_DOCS_SCREENSHOTS") != "1":
        return
    from PIL import Image

    DOCS.mkdir(exist_ok=True)
    with Image.open(shot) as image:
        image.convert("RGB").quantize(colors=256).save(DOCS / name, optimize=True)


# --------------------------------------------------------------------------------------------------
# The steps


def test_instructor_panels_are_off_and_validate_is_on(lab, page):
    assert page.locator(".validate-button").count() == 1, "nbgrader's Validate button is missing"
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    items = page.locator(".lm-Menu-content .lm-Menu-itemLabel").all_inner_texts()
    page.keyboard.press("Escape")
    # with nbgrader's defaults this menu also holds Course List, Formgrader, Formgrader (local) and
    # Create assignment, and the right sidebar a "Nbgrader Create Assignment" tab
    assert "Assignment List" in items
    assert not {"Course List", "Formgrader", "Formgrader (local)", "Create assignment"} & set(items), items
    tabs = page.locator(".jp-SideBar .lm-TabBar-tab").evaluate_all("tabs => tabs.map(t => t.title)")
    assert not any("Create Assignment" in t for t in tabs), tabs
    for route in ("formgrader", "formgrader/api/assignments"):  # the server side is off too
        try:
            urllib.request.urlopen(f"{lab['base']}/{route}?token={lab['token']}", timeout=10).close()
            status = 200
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == 404, f"/{route} answered {status}: the formgrader server extension is on"


def test_student_flow_in_notebook_1(lab, page):
    mistake = samples.load(MISTAKE)
    expected = dict(mistake.expects)["test_patchify"]  # the mistake's name, as the check states it
    solution = nbformat.read(ROOT / "solutions" / NOTEBOOK, as_version=4)
    reference = samples.reference_answers(solution)
    answer, test = _cell(page, "def patchify("), _cell(page, 'checks.run("test_patchify"')

    # 1. a typical wrong answer: the public test names the mistake, with no traceback
    start = time.monotonic()
    _replace_source(page, answer, mistake.cells["patchify"])
    _run_all(page, watch=test)
    shown = _outputs(test)
    assert expected in shown, f"the diagnosis does not name '{expected}':\n{shown}"
    assert "Traceback" not in shown and 'File "' not in shown and "CheckFailure" not in shown, shown
    test.screenshot(path=str(ARTEFACTS / "diagnosis.png"))
    _for_docs(ARTEFACTS / "diagnosis.png", "lab-diagnosis.png")
    TIMINGS["wrong answer run"] = time.monotonic() - start

    # 2. the correct answer: the success line
    start = time.monotonic()
    _replace_source(page, answer, reference["patchify"])
    _run_all(page, watch=test)
    shown = _outputs(test)
    assert "✓ patchify: all" in shown and "checks passed" in shown, shown
    TIMINGS["correct answer run"] = time.monotonic() - start

    # 4. figures render inline: images in output areas, actually drawn
    images = page.locator(".jp-NotebookPanel .jp-OutputArea-output img")
    assert images.count() >= 2, "no figure rendered in the notebook"
    assert images.first.evaluate("img => img.complete && img.naturalWidth > 100"), "the figure is empty"
    page.screenshot(path=str(ARTEFACTS / "lab.png"))
    # the README's picture of a notebook: its first figures, never an answer (the README ships to students)
    _cell(page, "data.as_tensors(").evaluate("cell => cell.scrollIntoView({block: 'start'})")
    page.locator(".jp-NotebookPanel").screenshot(path=str(ARTEFACTS / "notebook.png"))
    _for_docs(ARTEFACTS / "notebook.png", "lab-notebook.png")
    _cell(page, "show_patches(").screenshot(path=str(ARTEFACTS / "figure.png"))

    # 3. the other answers filled in too, the written questions answered (nbgrader's Validate fails an
    # unanswered one), then nbgrader's Validate button: its verdict is a success
    start = time.monotonic()
    for grade_id, marker in (
        ("unpatchify", "def unpatchify("),
        ("patch_embedding", "class PatchEmbedding("),
        ("as_conv", "def patch_embedding_as_conv("),
    ):
        _replace_source(page, _cell(page, marker), reference[grade_id])
    _answer_written_questions(page)
    page.locator(".validate-button").click()  # it saves the notebook first
    verdict = page.locator("#validation-message")
    verdict.wait_for(timeout=180_000)
    page.screenshot(path=str(ARTEFACTS / "validate.png"))
    classes = verdict.evaluate("m => [m.className, ...Array.from(m.querySelectorAll('*'), e => e.className)]")
    text = verdict.inner_text()
    assert any("validation-success" in str(c) for c in classes), f"Validate says:\n{text}"
    assert not any("validation-failed" in str(c) for c in classes), text
    TIMINGS["validate"] = time.monotonic() - start
    page.keyboard.press("Escape")

    # 5. the screenshots are there
    for name in ("diagnosis.png", "lab.png", "notebook.png", "figure.png", "validate.png"):
        assert (ARTEFACTS / name).stat().st_size > 1000, name
    saved = nbformat.read(lab["notebooks"] / NOTEBOOK, as_version=4)  # Validate saved the student's work
    assert any(reference["as_conv"].strip() in c.source for c in saved.cells)
