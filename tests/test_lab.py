"""`python3 course.py lab` as a student meets it: the URL it prints, the student mode, the terminal.

The server is started exactly as `course.py lab` starts it (`course.lab_invocation`), on
127.0.0.1 with a random token and private Jupyter runtime/settings folders, serving this checkout,
and stopped by its PID. The terminal is driven over the same websocket JupyterLab's terminal uses;
the page is driven in Chromium (skipped without it, unless COURSE_REQUIRE_BROWSER=1).
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import processes
import pytest
import websocket
from grading_tools import hidden_test_lines, read, release_notebook, source_notebook

ROOT = Path(__file__).resolve().parents[1]
START = "notebooks/00_start_here/00_start_here.ipynb"

pytestmark = pytest.mark.slow

spec = importlib.util.spec_from_file_location("course_entry", ROOT / "course.py")
course = importlib.util.module_from_spec(spec)
spec.loader.exec_module(course)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def course_lab(tmp_path: Path, *options: str):
    """Start JupyterLab as `course.py lab [options]` does; yield (printed URL, base URL, token)."""
    port = free_port()
    # no token given: JupyterLab makes a random one and prints it, as for a student
    args, env = course.lab_invocation(["--no-browser", "--ip=127.0.0.1", f"--port={port}",
                                       *options])
    private = {name: str(tmp_path / name.lower()) for name in
               ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR",
                "JUPYTERLAB_WORKSPACES_DIR")}
    log_path = tmp_path / "lab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([sys.executable, *args], stdout=log, stderr=subprocess.STDOUT,
                                  env={**os.environ, **env, **private}, cwd=tmp_path)
        base = f"http://127.0.0.1:{port}"
        try:
            printed = wait_for_printed_url(log_path, server, port)
            yield printed, base, printed.rsplit("token=", 1)[1]
        finally:
            processes.stop(server)


def wait_for_printed_url(log_path: Path, server: subprocess.Popen, port: int) -> str:
    pattern = re.compile(rf"http://127\.0\.0\.1:{port}/\S*\?token=[0-9a-f]+")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {server.returncode}:\n"
                               f"{log_path.read_text()}")
        found = pattern.search(log_path.read_text())
        if found:
            return found.group(0)
        time.sleep(0.5)
    raise RuntimeError(f"JupyterLab printed no URL within 120 s:\n{log_path.read_text()}")


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def terminal_says(base: str, token: str, command: str, cwd: str) -> str:
    """Open a terminal as JupyterLab does from a file-browser folder, run `command`, return its
    output line (marked, so the prompt and the echo of the command are skipped)."""
    request = urllib.request.Request(f"{base}/api/terminals?token={token}", method="POST",
                                     data=json.dumps({"cwd": cwd}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        name = json.load(reply)["name"]
    socket_url = base.replace("http", "ws") + f"/terminals/websocket/{name}?token={token}"
    connection = websocket.create_connection(socket_url, timeout=30)
    try:
        # RE""SULT: the terminal echoes the command line, and only the answer says RESULT
        connection.send(json.dumps(["stdin", f'echo RE""SULT:$({command}):END\r']))
        output, deadline = "", time.monotonic() + 60
        while time.monotonic() < deadline:
            message = json.loads(connection.recv())
            if message[0] == "stdout":
                output += message[1]
                found = re.search(r"RESULT:([^\r\n]*?):END", output)
                if found:
                    return found.group(1)
        raise AssertionError(f"no answer from the terminal:\n{output}")
    finally:
        connection.close()


def test_student_lab_opens_start_here_without_instructor_tools_and_a_course_terminal(tmp_path):
    with course_lab(tmp_path) as (printed, base, token):
        # the URL printed for --no-browser opens 00_start_here, not the Launcher
        assert printed.startswith(f"{base}/lab/tree/{START}?token=")
        with urllib.request.urlopen(printed, timeout=30) as reply:
            assert "Token authentication is enabled" not in reply.read().decode()
        assert status_of(f"{base}/formgrader?token={token}") == 404
        assert status_of(f"{base}/assignments?token={token}") == 404
        # a terminal opened beside a chapter's notebook starts in the course folder, with the
        # course's environment first on PATH: the commands of 00 work as written
        where = terminal_says(base, token, "pwd; command -v nbgrader", "notebooks/01_derivatives")
        folder, nbgrader = where.split(" ", 1) if " " in where else (where, "")
        assert Path(folder).resolve() == ROOT
        assert Path(nbgrader).parent == course.venv_python().parent


def test_instructor_lab_keeps_nbgrader_tools(tmp_path):
    with course_lab(tmp_path, "--instructor") as (_, base, token):
        assert status_of(f"{base}/formgrader?token={token}") != 404


def test_lab_as_root_adds_allow_root_once_and_says_so(capsys):
    args, _ = course.lab_invocation(["--no-browser"])
    said = capsys.readouterr().out
    if os.geteuid() == 0:
        assert args.count("--allow-root") == 1 and "Running as root" in said
        assert course.lab_invocation(["--allow-root"])[0].count("--allow-root") == 1
    else:
        assert "--allow-root" not in args and said == ""


@pytest.mark.browser
def test_the_student_page_shows_start_here_and_no_nbgrader_menu(tmp_path, chromium):
    menus = {}
    for mode, options in (("student", ()), ("instructor", ("--instructor",))):
        (tmp_path / mode).mkdir()
        with course_lab(tmp_path / mode, *options) as (printed, _, _):
            page = chromium.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            page.goto(printed)
            page.locator(".jp-Notebook").first.wait_for()
            tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")
            assert "00_start_here.ipynb" in tab.first.inner_text()
            page.locator("#jp-menu-panel").first.wait_for()
            menus[mode] = page.locator("#jp-menu-panel").first.inner_text()
            page.close()
    assert "Nbgrader" not in menus["student"] and "Nbgrader" in menus["instructor"]


def set_lab_language(base: str, token: str, locale: str) -> None:
    """What Settings > Language does: JupyterLab's translation setting, through its REST API."""
    request = urllib.request.Request(
        f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin", method="PUT",
        data=json.dumps({"raw": json.dumps({"locale": locale})}).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.status == 204


@pytest.mark.browser
def test_jupyterlab_switches_to_korean_and_back_and_opens_a_korean_edition(tmp_path, chromium):
    korean = "notebooks/11_initialization_ko/11_initialization_ko.ipynb"
    with course_lab(tmp_path) as (_, base, token):
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)
        menus = {}
        for locale in ("ko_KR", "en"):
            set_lab_language(base, token, locale)
            page.goto(f"{base}/lab/tree/{korean}?token={token}")
            page.locator(".jp-Notebook").first.wait_for()
            page.locator("#jp-menu-panel").first.wait_for()
            menus[locale] = page.locator("#jp-menu-panel").first.inner_text()
            heading = page.locator(".jp-RenderedMarkdown h1").first
            assert "가중치 초깃값과 정규화" in heading.inner_text()
        page.close()
    assert "파일" in menus["ko_KR"] and "File" not in menus["ko_KR"], menus["ko_KR"]
    assert "File" in menus["en"] and "파일" not in menus["en"], menus["en"]


@pytest.mark.browser
def test_the_self_check_runs_in_the_students_terminal_in_the_browser(tmp_path, chromium):
    """00's command, typed into a terminal opened from JupyterLab's menu: the scores and the
    messages, no hidden test, and the learner's notebook unchanged."""
    # the terminal keeps its text in the page (for screen readers), where the test can read it
    # and no autosave: the notebooks opened here are the checkout's own
    settings = tmp_path / "jupyterlab_settings_dir" / "@jupyterlab"
    for plugin, values in (("terminal-extension", {"screenReaderMode": True}),
                           ("docmanager-extension", {"autosave": False})):
        (settings / plugin).mkdir(parents=True)
        (settings / plugin / "plugin.jupyterlab-settings").write_text(json.dumps(values))
    notebook = release_notebook("01_derivatives")
    before = notebook.read_bytes()
    command = "python3 course.py check notebooks/01_derivatives/01_derivatives.ipynb"
    with course_lab(tmp_path) as (printed, _, _):
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(180_000)
        page.goto(printed)
        page.locator(".jp-Notebook").first.wait_for()
        page.get_by_role("menuitem", name="File", exact=True).click()
        page.locator(".lm-Menu-item", has_text="New").first.hover()
        page.get_by_role("menuitem", name="Terminal", exact=True).click()
        terminal = page.locator(".jp-Terminal").first
        terminal.locator(".xterm").first.wait_for()
        page.wait_for_function(  # the prompt, in the course folder
            "name => (document.querySelector('.jp-Terminal .xterm-accessibility-tree')"
            " || {}).innerText?.includes(name)", arg=ROOT.name)
        terminal.click()
        page.keyboard.type(command + "\n")
        page.wait_for_function(
            "() => (document.querySelector('.jp-Terminal .xterm-accessibility-tree')"
            " || {}).innerText?.includes('Autograded tests:')")
        text = page.evaluate("() => document.querySelector("
                             "'.jp-Terminal .xterm-accessibility-tree').innerText")
        artifacts = ROOT / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / "browser_self_check_terminal.png"))
        # offline, so no question about Jupyter's news either
        asked = page.get_by_text("Would you like to get notified about official Jupyter news?")
        assert asked.count() == 0
        # a solution opened beside it says what it is, first thing, and its tab's
        # tooltip gives its folder (the file names are the same)
        page.goto(printed.replace(START, "solutions/01_derivatives/01_derivatives.ipynb"))
        shown = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        first_cell = shown.locator(".jp-Cell").first
        try:
            first_cell.locator(".jp-RenderedMarkdown strong",
                               has_text="SOLUTION notebook").wait_for(timeout=60_000)
        finally:
            page.screenshot(path=str(artifacts / "browser_solution_tab.png"))
        solution = first_cell.locator(".jp-RenderedMarkdown").inner_text()
        tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current").first
        caption = tab.get_attribute("title") or ""
        page.close()
    assert "Exercise 1 (test_numerical_derivative): 0 of 2 points, not yet" in text, text
    assert "numerical_derivative is not implemented yet" in text
    assert "Autograded tests: 0 of 9 points" in text and "Traceback" not in text
    hidden = [line for line in hidden_test_lines(read(source_notebook("01_derivatives")))
              if line in text]
    assert not hidden, hidden
    assert notebook.read_bytes() == before
    assert "notebooks/01_derivatives/01_derivatives.ipynb" in solution
    assert "solutions/01_derivatives/01_derivatives.ipynb" in caption, caption
