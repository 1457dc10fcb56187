"""The Playground in a real browser: JupyterLab on localhost, Debian's chromium driven by Playwright.

The test opens ``notebooks/07_playground.ipynb``, runs all cells from the Run menu, presses Play in the
first Playground widget, checks that the epoch counter advances and the heatmap changes, pauses it (the
kernel must stay responsive while it plays), and saves ``test-output/playground.png``.

Needs ``pip install playwright`` and ``apt-get install chromium``; skipped where either is missing.
JupyterLab's autosave is switched off (a settings folder in tmp), so the committed notebook is untouched.
"""
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "notebooks/07_playground.ipynb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
OUTPUT = ROOT / "test-output"

sync_api = pytest.importorskip("playwright.sync_api", reason="the browser test needs `pip install playwright`")
if not Path(CHROMIUM).exists():
    pytest.skip(f"the browser test needs Chromium at {CHROMIUM} (`apt-get install -y chromium`)",
                allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 rooted at the repository: yields its base URL and token."""
    tmp = tmp_path_factory.mktemp("lab")
    settings = tmp / "settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime")}
    port, token = _free_port(), secrets.token_hex(16)
    log = open(tmp / "lab.log", "w")  # noqa: SIM115  (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.terminate()
                pytest.fail(f"JupyterLab did not start: {(tmp / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.3)
    yield url, token
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def _epoch(widget) -> int:
    return int(widget.locator(".tf-epoch .tf-value").inner_text().replace(",", ""))


def test_play_in_jupyterlab_advances_epochs_and_redraws(lab):
    url, token = lab
    OUTPUT.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1100})
        try:
            _run_notebook_and_play(page, url, token)
        except Exception:
            page.screenshot(path=str(OUTPUT / "playground-failure.png"))
            raise
        finally:
            browser.close()


def _run_notebook_and_play(page, url: str, token: str) -> None:
    page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}&reset")
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    idle_or_dialog = "() => document.querySelector('.jp-Dialog') || /\\| Idle/.test(document.body.innerText)"
    page.wait_for_function(idle_or_dialog, timeout=60_000)
    if page.locator(".jp-Dialog").count():  # "Select Kernel": take the notebook's own (Python 3)
        page.locator(".jp-Dialog .jp-mod-accept").click()
    page.add_style_tag(content=".Toastify { display: none !important; }")  # the "Jupyter news?" toast
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    prompts = "[...document.querySelectorAll('.jp-InputPrompt')].map(e => e.textContent)"
    page.wait_for_function(f"() => {prompts}.some(t => t.includes('[*]'))", timeout=30_000)  # started
    page.wait_for_function(f"() => !{prompts}.some(t => t.includes('[*]'))", timeout=60_000)  # finished
    # The notebook only renders the cells near the viewport: go back up to the first Playground.
    page.evaluate("() => document.querySelectorAll('.jp-WindowedPanel-outer').forEach(e => e.scrollTop = 0)")
    widget = page.locator(".jupyter-widgets.tf-playground").first
    widget.wait_for(state="attached", timeout=20_000)
    widget.scroll_into_view_if_needed()
    heatmap = widget.locator("img.tf-heatmap")
    heatmap.wait_for(timeout=10_000)
    start, before = _epoch(widget), heatmap.screenshot()
    widget.locator("button.tf-play").click()
    page.wait_for_function(
        "n => Number(document.querySelector('.tf-playground .tf-epoch .tf-value').textContent"
        ".replace(/,/g, '')) >= n", arg=start + 30, timeout=30_000)
    page.wait_for_timeout(300)
    widget.screenshot(path=str(OUTPUT / "playground.png"))
    assert heatmap.screenshot() != before, "the heatmap did not change while playing"
    widget.locator("button.tf-play").click()  # pause: the kernel handles it between frames
    page.wait_for_timeout(1500)
    paused = _epoch(widget)
    page.wait_for_timeout(1500)
    assert _epoch(widget) == paused > start + 30, "pausing did not stop the training"
