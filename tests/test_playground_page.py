"""`python -m tinyflow.playground` serves the Playground as a standalone page (Voilà)."""
import importlib.util
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("voila") is None, reason="voila is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_standalone_page_serves_the_widget(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tinyflow.playground", '{"dataset": "xor"}', f"--port={port}",
                             "--no-browser", "--Voila.ip=127.0.0.1"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        page, deadline = None, time.time() + 90
        while time.time() < deadline and page is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as r:
                    assert r.status == 200
                    page = r.read().decode("utf-8", "replace")
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                time.sleep(1)
        assert page is not None, "the page was not served within 90 s"
        assert "application/vnd.jupyter.widget-view+json" in page  # the executed cell displays the widget
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_bad_settings_are_refused_with_a_message():
    out = subprocess.run([sys.executable, "-m", "tinyflow.playground", '{"hidden": [9]}'], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2 and "Bad Playground settings" in out.stderr
