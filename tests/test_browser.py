"""The interactive tools in a real JupyterLab, driven through a real Chromium (Debian's
/usr/bin/chromium, launched by Playwright with executable_path).

A fixture starts JupyterLab on 127.0.0.1 with a random token, serving a temporary copy of the
course's notebooks, and stops it by its PID. Each test opens a notebook, runs all its cells,
presses buttons of a tool and checks that its readout and its picture change, then saves a
screenshot into test-artifacts/ (the path is printed).

The real chapter notebooks are used when they exist (02_gradient_descent, 10_playground); a
student's copy has unfinished exercises that raise, so every code cell of the copy is tagged
"raises-exception" and Run All goes on past them, as it would for a student who skipped them.
Until a chapter exists, the fixture writes a small notebook with the tool's cell instead.

Without Chromium these tests skip and say why, unless COURSE_REQUIRE_BROWSER=1: then they fail.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat
import processes
import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
STEPPER_NOTEBOOK = Path("02_gradient_descent/02_gradient_descent.ipynb")
PLAYGROUND_DIR = Path("10_playground")
INIT_EXPLORER_NOTEBOOK = Path("11_initialization/11_initialization.ipynb")
TIMEOUT_MS = 180_000  # running a whole chapter on a busy 2-core machine can take a while

pytestmark = [pytest.mark.browser, pytest.mark.slow]


# --- the notebooks -------------------------------------------------------------------------------

def code_notebook(title: str, *cells: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_markdown_cell(f"# {title}")]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    return notebook


# Stand-ins while the chapters are being written; the first code cell raises like an unfinished
# exercise, so the stand-ins also prove that Run All goes on past such a cell.
UNFINISHED_EXERCISE = "def exercise():\n    raise NotImplementedError()\n\nexercise()"
FALLBACKS = {
    "stepper": (Path("02_gradient_descent/stepper.ipynb"), code_notebook(
        "Gradient descent, step by step", UNFINISHED_EXERCISE,
        "from course_lib.widgets import GradientDescentStepper\n\n"
        "stepper = GradientDescentStepper('ill_conditioned', 'sgd')\nstepper")),
    "playground": (Path("10_playground/playground.ipynb"), code_notebook(
        "Network playground", UNFINISHED_EXERCISE,
        "from course_lib.widgets import NetworkPlayground\n\n"
        "playground = NetworkPlayground('moons', lr=0.05)\nplayground")),
    "init_explorer": (Path("11_initialization/explorer.ipynb"), code_notebook(
        "Initialization explorer", UNFINISHED_EXERCISE,
        "from course_lib.init_explorer import InitExplorer\n\n"
        "explorer = InitExplorer(depth=6, activation='relu', weight_init_std=0.05)\nexplorer")),
}


def real_notebook(tool: str) -> Path | None:
    """The chapter's own notebook, relative to notebooks/, when it has been written."""
    if tool in ("stepper", "init_explorer"):
        path = STEPPER_NOTEBOOK if tool == "stepper" else INIT_EXPLORER_NOTEBOOK
        return path if (ROOT / "notebooks" / path).exists() else None
    found = sorted((ROOT / "notebooks" / PLAYGROUND_DIR).glob("*.ipynb"))
    return found[0].relative_to(ROOT / "notebooks") if found else None


def prepare_notebooks(root: Path) -> dict[str, Path]:
    """Copy notebooks/ into `root`, tag code cells raises-exception, add stand-ins if needed.

    Returns tool -> notebook path relative to `root`.
    """
    if (ROOT / "notebooks").exists():
        shutil.copytree(ROOT / "notebooks", root, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    chosen = {}
    for tool, (fallback_path, fallback) in FALLBACKS.items():
        path = real_notebook(tool)
        if path is None:
            path = fallback_path
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(fallback, root / path)
        notebook = nbformat.read(root / path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                tags = cell.metadata.setdefault("tags", [])
                if "raises-exception" not in tags:
                    tags.append("raises-exception")
        nbformat.write(notebook, root / path)
        chosen[tool] = path
    return chosen


# --- JupyterLab ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_lab_settings(settings_dir: Path) -> None:
    """No news or update checks (no internet here) and every cell in the DOM (no windowing)."""
    settings = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }
    for name, values in settings.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@pytest.fixture(scope="module")
def jupyter_lab(tmp_path_factory):
    """A running JupyterLab: yields (base URL, token, notebooks) and stops it afterwards."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    root.mkdir()
    notebooks = prepare_notebooks(root)
    write_lab_settings(base / "settings")
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(base / "config"),
           "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces")}
    log = open(base / "jupyter.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--allow-root", "--no-browser",
         "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=base)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(url, token, server, base / "jupyter.log")
        yield url, token, notebooks
    finally:
        processes.stop(server)
        log.close()


def wait_for_server(url: str, token: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not answer within 120 s:\n{log.read_text()}")


# --- driving the page ----------------------------------------------------------------------------

def open_and_run_all(chromium, jupyter_lab, tool: str):
    url, token, notebooks = jupyter_lab
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    path = notebooks[tool].as_posix()
    print(f"\nopening {path} in JupyterLab")
    # A workspace of its own, reset: only this notebook is open, so Run All runs this one.
    page.goto(f"{url}/lab/workspaces/{tool}/tree/{path}?reset&token={token}")
    page.locator(".jp-Notebook").first.wait_for()
    page.locator("#jp-main-statusbar").get_by_text("Idle").first.wait_for()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    return page


def wait_until_all_cells_ran(page, tool_class: str):
    """Wait for the tool to be drawn and for no cell to be queued or running ("[*]")."""
    page.locator(f".{tool_class} img.course-figure").first.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
        ".every(prompt => !prompt.textContent.includes('*'))")
    tool = page.locator(f".{tool_class}").first
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=tool.locator("img.course-figure").element_handle())
    return tool


def button(tool, label: str):
    """A widget button by its label (its accessible name starts with the icon's glyph)."""
    return tool.get_by_role("button", name=re.compile(rf"^(.*\W)?{label}$"))


def readout_step(readout_text: str, row_pattern: str) -> int:
    match = re.search(row_pattern, readout_text)
    assert match, f"no {row_pattern!r} in the readout:\n{readout_text}"
    return int(match.group(1))


def wait_for_text_change(locator, old: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = locator.inner_text()
        if text != old:
            return text
        time.sleep(0.1)
    raise AssertionError(f"the text stayed {old!r}")


def save_screenshot(page, tool, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    tool.scroll_into_view_if_needed()
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    tool.screenshot(path=str(path.with_name(path.stem + "_widget.png")))
    print(f"screenshots: {path} and {path.with_name(path.stem + '_widget.png')}")
    return path


@contextmanager
def screenshot_on_failure(page, name: str):
    """Keep what the page showed when a step failed, for the one reading the test output."""
    try:
        yield
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / name))
        print(f"failure screenshot: {ARTIFACTS / name}")
        raise


def press(page, tool, label: str, step_pattern: str) -> int:
    """Press a button of the tool, wait until its readout and its picture have changed, and
    return the step number the readout now shows."""
    readout, figure = tool.locator(".course-readout"), tool.locator("img.course-figure")
    text, source, pixels = readout.inner_text(), figure.get_attribute("src"), figure.screenshot()
    button(tool, label).click()
    text = wait_for_text_change(readout, text)
    page.wait_for_function("([img, old]) => img.src !== old && img.complete",
                           arg=[figure.element_handle(), source])
    assert figure.screenshot() != pixels, f"{label}: the picture did not change"
    return readout_step(text, step_pattern)


RUN_A = r"\bA\s+\S+\s+\S+\s+(\d+)\s+\("  # the stepper's row of run A: optimizer, lr, step, x
PLAYGROUND_STEP = r"\bstep\s+(\d+)"


def drive(chromium, jupyter_lab, notebook: str, check, failure_screenshot: str) -> None:
    """Open `notebook`, run all its cells, then `check(page)`; a screenshot if the check fails."""
    page = open_and_run_all(chromium, jupyter_lab, notebook)
    with screenshot_on_failure(page, failure_screenshot):
        check(page)
    page.close()


def test_gradient_descent_stepper_in_jupyterlab(chromium, jupyter_lab):
    drive(chromium, jupyter_lab, "stepper", check_stepper, "browser_gradient_descent_failure.png")


def check_stepper(page):
    stepper = wait_until_all_cells_ran(page, "course-GradientDescentStepper")
    readout = stepper.locator(".course-readout")
    start = readout_step(readout.inner_text(), RUN_A)
    assert press(page, stepper, "Step", RUN_A) == start + 1

    # Play runs in a kernel thread; Pause must stop it.
    button(stepper, "Play").click()
    page.wait_for_function(
        "([el, n]) => { const m = el.innerText.match(/\\bA\\s+\\S+\\s+\\S+\\s+(\\d+)\\s+\\(/);"
        " return m && Number(m[1]) >= n; }", arg=[readout.element_handle(), start + 4])
    button(stepper, "Pause").click()
    button(stepper, "Play").wait_for()
    paused = readout_step(readout.inner_text(), RUN_A)
    time.sleep(1.0)
    assert readout_step(readout.inner_text(), RUN_A) == paused
    save_screenshot(page, stepper, "browser_gradient_descent.png")


def test_network_playground_in_jupyterlab(chromium, jupyter_lab):
    drive(chromium, jupyter_lab, "playground", check_playground, "browser_playground_failure.png")


def check_playground(page):
    playground = wait_until_all_cells_ran(page, "course-NetworkPlayground")
    start = readout_step(playground.locator(".course-readout").inner_text(), PLAYGROUND_STEP)
    assert press(page, playground, "Step", PLAYGROUND_STEP) == start + 1
    n_steps = int(playground.get_by_role("spinbutton").input_value())
    assert press(page, playground, "Run N", PLAYGROUND_STEP) == start + 1 + n_steps
    save_screenshot(page, playground, "browser_playground.png")


def test_init_explorer_in_jupyterlab(chromium, jupyter_lab):
    drive(chromium, jupyter_lab, "init_explorer", check_init_explorer, "browser_init_explorer_failure.png")


def check_init_explorer(page):
    """Ticking "batch norm" recomputes the network: the readout's numbers and the picture change."""
    explorer = wait_until_all_cells_ran(page, "course-InitExplorer")
    readout, figure = explorer.locator(".course-readout"), explorer.locator("img.course-figure")
    text, source = readout.inner_text(), figure.get_attribute("src")
    assert "loss at init" in text and "ln K = 2.303" in text
    explorer.get_by_role("checkbox", name="batch norm").check()
    new_text = wait_for_text_change(readout, text)
    page.wait_for_function("([img, old]) => img.src !== old && img.complete",
                           arg=[figure.element_handle(), source])
    stds = re.search(r"activation std, layer 1 .. last\s+([^\n]+)", new_text).group(1).split()
    assert len(stds) == 6 and all(0.3 < float(s) < 1.0 for s in stds), new_text  # batch norm's scale
    save_screenshot(page, explorer, "browser_init_explorer.png")


# --- issue 15: what a learner meets first ------------------------------------------------------

def table_lr(readout_text: str) -> float:
    """Run A's learning rate in the stepper's readout."""
    return float(re.search(r"\bA\s+\S+\s+(\S+)\s+\d+\s+\(", readout_text).group(1))


def line_count(page, locator) -> int:
    """How many lines the text of an element takes on the screen."""
    return page.evaluate("el => { const range = document.createRange(); range.selectNodeContents(el);"
                         " return new Set([...range.getClientRects()].map(r => Math.round(r.top)))"
                         ".size; }", locator.element_handle())


def test_stepper_details_in_jupyterlab(chromium, jupyter_lab):
    drive(chromium, jupyter_lab, "stepper", check_stepper_details,
          "browser_stepper_details_failure.png")


def check_stepper_details(page):
    """02: one picture (the widget's), a fine log slider that keeps a typed value, settings kept
    on a new surface (unless they diverge there, said in the readout), numbers on one line."""
    stepper = wait_until_all_cells_ran(page, "course-GradientDescentStepper")
    cell = page.locator(".jp-CodeCell", has=stepper)
    assert cell.locator(".jp-OutputArea-output img").count() == 1, "a second, static picture"
    readout = stepper.locator(".course-readout")
    slider = stepper.locator(".widget-hslider", has=page.get_by_text("learning rate", exact=True))
    value = slider.locator(".widget-readout")
    assert table_lr(readout.inner_text()) == 0.3

    text = readout.inner_text()
    stepper.scroll_into_view_if_needed()
    handle = slider.locator(".noUi-handle").first.bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 25, y, steps=5)
    page.mouse.up()
    dragged = table_lr(wait_for_text_change(readout, text))
    assert 1.2 < dragged / 0.3 < 2.2, f"a 25-pixel drag moved lr from 0.3 to {dragged}"

    for typed, kept in (("0.3", 0.3), ("0.9", 0.9)):  # 0.3 would snap to 0.302 on the slider
        text = readout.inner_text()
        value.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(typed)
        page.keyboard.press("Enter")
        assert table_lr(wait_for_text_change(readout, text)) == kept

    surface = stepper.locator("select").first
    text = readout.inner_text()
    surface.select_option("bowl")  # 0.9 converges on the bowl (lr < 1): kept
    text = wait_for_text_change(readout, text)
    assert table_lr(text) == 0.9 and "Note:" not in text
    surface.select_option("rosenbrock")  # 0.9 diverges there: the surface's default, and why
    text = wait_for_text_change(readout, text)
    assert "the learning rate 0.9 diverges on rosenbrock" in text and table_lr(text) < 0.01

    surface.select_option("bowl")
    text = wait_for_text_change(readout, text)
    button(stepper, "Run N").click()
    page.wait_for_function(  # every widget message is handled: the readout shows step 50
        "el => /\\bA\\s+\\S+\\s+\\S+\\s+50\\s+\\(/.test(el.innerText)", arg=readout.element_handle())
    text = readout.inner_text()
    row = readout.locator("tr").nth(1)
    point = row.locator("td").nth(4)
    assert re.fullmatch(r"\(\S+, \S+\)", point.inner_text()) and "e-0" not in text, text
    assert all(line_count(page, row.locator("td").nth(i)) == 1 for i in range(7)), text
    save_screenshot(page, stepper, "browser_stepper_details.png")


def test_playground_shows_the_optimizer_in_jupyterlab(chromium, jupyter_lab):
    drive(chromium, jupyter_lab, "playground", check_playground_optimizer,
          "browser_playground_optimizer_failure.png")


def check_playground_optimizer(page):
    """10: the readout names the optimizer and its rate; another optimizer at step 0 shows."""
    playground = wait_until_all_cells_ran(page, "course-NetworkPlayground")
    readout, figure = playground.locator(".course-readout"), playground.locator("img.course-figure")
    text, source = readout.inner_text(), figure.get_attribute("src")
    assert re.search(r"optimizer\s+adam", text) and re.search(r"learning rate\s+\S+", text)
    menus = playground.locator("select")
    optimizer = next(menus.nth(i) for i in range(menus.count())
                     if "rmsprop" in menus.nth(i).inner_text())
    optimizer.select_option("rmsprop")
    text = wait_for_text_change(readout, text)
    assert re.search(r"optimizer\s+rmsprop", text) and readout_step(text, PLAYGROUND_STEP) == 0
    page.wait_for_function("([img, old]) => img.src !== old && img.complete",
                           arg=[figure.element_handle(), source])
    save_screenshot(page, playground, "browser_playground_optimizer.png")


def test_failures_show_plain_messages_in_jupyterlab(chromium, jupyter_lab):
    """01: a test cell run first says which cell to run; after Run All the failing test shows
    its message and its own line, not the library's frames."""
    url, token, _ = jupyter_lab
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    with screenshot_on_failure(page, "browser_failure_display_failure.png"):
        page.goto(f"{url}/lab/workspaces/failures/tree/01_derivatives/01_derivatives.ipynb"
                  f"?reset&token={token}")
        page.locator(".jp-Notebook").first.wait_for()
        page.locator("#jp-main-statusbar").get_by_text("Idle").first.wait_for()
        test_cell = page.locator(".jp-CodeCell", has_text="# Exercise 1 (2 points)").first
        test_cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        output = test_cell.locator(".jp-OutputArea-output")
        output.get_by_text("Not run yet").wait_for()
        shown = output.inner_text()
        assert "`numerical_derivative` is not defined" in shown
        assert "Run the answer cell of Exercise 1" in shown and "Traceback" not in shown
        page.locator("#jp-main-statusbar").get_by_text("Idle").first.wait_for()

        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        output.get_by_text("Test failed").wait_for()
        shown = output.inner_text()
        assert "numerical_derivative is not implemented yet" in shown
        assert "checks.py" not in shown and "Traceback" not in shown
        assert len(shown.splitlines()) <= 4, shown
        test_cell.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        test_cell.screenshot(path=str(ARTIFACTS / "browser_failure_display.png"))
    page.close()
