"""Shared pytest fixtures."""
from __future__ import annotations

import importlib.util
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import settings
from switches import skip_or_fail

# the `gradient_error_log` fixture: the worst gradient errors of a run, printed at its end
pytest_plugins = ["gradcheck_log"]

ROOT = Path(__file__).resolve().parents[1]

# Hypothesis, the same for every test module: a fixed, repeatable set of examples, no deadline (a
# loaded 2-core machine is slow at times) and no example database in the checkout. Set
# HYPOTHESIS_PROFILE=thorough for a longer, random search.
settings.register_profile("course", max_examples=40, deadline=None, derandomize=True,
                          database=None)
settings.register_profile("thorough", max_examples=1000, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
# Debian's Chromium, driven by Playwright (its own browser download fails here), only ever
# talking to 127.0.0.1
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def pytest_runtest_setup(item):
    """`@pytest.mark.root`: the test needs root (OS users, namespaces, user ids); it skips for an
    ordinary user, or fails under COURSE_REQUIRE_ROOT=1, as CI runs. `@pytest.mark.root(sandbox=
    True)`: it also needs bubblewrap to work (else the fallback would be tested); that skips, or
    fails under COURSE_REQUIRE_SANDBOX=1."""
    marker = item.get_closest_marker("root")
    if marker is None:
        return
    if os.geteuid() != 0:
        skip_or_fail("COURSE_REQUIRE_ROOT", marker.kwargs.get("reason", "this test needs root"))
    if marker.kwargs.get("sandbox"):
        from course_lib.grading.sandbox.kernel import sandbox_mode  # late: Unix only
        if sandbox_mode() != "bubblewrap":
            skip_or_fail("COURSE_REQUIRE_SANDBOX",
                         "bubblewrap (Debian bubblewrap) does not work here")


@pytest.fixture
def shared_mnist() -> Path:
    """The directory of the real MNIST test-set files (../shared/data/mnist).

    Skips, saying why, when they are absent; fails instead with COURSE_REQUIRE_MNIST=1 (CI).
    """
    if not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").exists():
        skip_or_fail("COURSE_REQUIRE_MNIST", f"the real MNIST files are not at {SHARED_MNIST}")
    return SHARED_MNIST


class LoopbackFileServer:
    """A real HTTP server on 127.0.0.1 (an ephemeral port) serving files, in a thread.

    `files` maps URL names to paths, so one file can be served under another name. A name in
    `cut_after` is sent with its full Content-Length but only its first `cut_after[name]` bytes,
    then the connection is closed: a download cut halfway.
    """

    def __init__(self, files: dict[str, Path], cut_after: dict[str, int] | None = None):
        self.files, self.cut_after = dict(files), dict(cut_after or {})
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # a short poll interval makes stop() quick
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.lstrip("/")
                server.requests.append(name)
                if name not in server.files:
                    self.send_error(404, "no such file")
                    return
                body = Path(server.files[name]).read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:server.cut_after.get(name, len(body))])
                self.close_connection = True

            def log_message(self, *args):  # keep the test output quiet
                pass

        return Handler

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def serve_files():
    """Factory: serve_files({name: path}, cut_after=None) -> a started LoopbackFileServer.

    Servers still running at the end of the test are stopped.
    """
    servers = []

    def start(files, cut_after=None):
        servers.append(LoopbackFileServer(files, cut_after))
        return servers[-1]

    yield start
    for server in servers:
        if server._thread.is_alive():
            server.stop()


# ---------------------------------------------------------------------------------------------
# A real headless Chromium (test_browser, test_lab, test_instructor_workflow)
# ---------------------------------------------------------------------------------------------

def missing_browser_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the Python package playwright is not installed"
    return None


@pytest.fixture(scope="module")
def chromium():
    reason = missing_browser_reason()
    if reason:
        skip_or_fail("COURSE_REQUIRE_BROWSER", reason)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
