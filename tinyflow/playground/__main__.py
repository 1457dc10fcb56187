"""``python -m tinyflow.playground``: the Playground as a standalone page.

How to serve it:

* ``python -m tinyflow.playground`` writes a one-cell notebook (``Playground()``) to a temporary
  folder and serves it with Voilà (``pip install voila``), which shows only the widget, as a page at
  http://localhost:8866. Options after the module name go to the Playground as JSON settings,
  e.g. ``python -m tinyflow.playground '{"dataset": "spiral", "hidden": [8, 8]}'``.
* ``voila notebooks/07_playground.ipynb`` serves the whole chapter (text, figures and widgets).
* Without Voilà, open ``notebooks/07_playground.ipynb`` in JupyterLab, or run
  ``from tinyflow.playground import Playground; Playground()`` in any notebook cell.

Example (checks the settings and writes the notebook, without serving):
    >>> import tempfile, pathlib
    >>> path = write_notebook(pathlib.Path(tempfile.mkdtemp()), "{}")
    >>> path.name
    'playground.ipynb'
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

NO_VOILA = ("The standalone Playground page is served by Voilà, which is not installed.\n"
            "  pip install voila            then run this command again, or\n"
            "  jupyter lab notebooks/07_playground.ipynb   to use it inside JupyterLab.")


def write_notebook(folder: Path, settings_json: str) -> Path:
    """Write ``playground.ipynb`` with one cell that shows a Playground with ``settings_json``."""
    settings = json.loads(settings_json)
    from tinyflow.playground import Playground  # noqa: PLC0415

    Playground.from_config(settings)  # refuse bad settings here, with the Playground's message
    source = ("from tinyflow.playground import Playground\n"
              f"Playground.from_config({json.dumps(settings)!r})")
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "id": "playground", "metadata": {},
                           "outputs": [], "source": source}],
                "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
                "nbformat": 4, "nbformat_minor": 5}
    path = folder / "playground.ipynb"
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    settings = argv[0] if argv else "{}"
    try:
        folder = Path(tempfile.mkdtemp(prefix="tinyflow-playground-"))
        path = write_notebook(folder, settings)
    except (ValueError, json.JSONDecodeError) as e:
        print(f"Bad Playground settings {settings!r}: {e}", file=sys.stderr)
        return 2
    if importlib.util.find_spec("voila") is None:
        print(NO_VOILA, file=sys.stderr)
        return 1
    return subprocess.call([sys.executable, "-m", "voila", str(path), *argv[1:]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
