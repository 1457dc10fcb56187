"""The progress bar ``fit`` prints: ``Progbar`` draws it, ``ProgbarLogger`` feeds it from the training loop.

With ``verbose=1`` one line per epoch is redrawn in place with ``"\\r"`` (at most every 0.05 s, so a
fast loop does not print thousands of updates; JupyterLab output cells honour ``"\\r"`` too) and
ends with a newline when the epoch finishes::

    Epoch 1/5
    25/25 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.9000 - loss: 0.1000

``verbose=2`` prints only that final line per epoch (``25/25 - 0s - 2ms/step - ...``); 0 is silent.
In a terminal or notebook the done part of the bar is green, as in Keras; in captured output
(files, pipes, tests) the bar is plain text: ``━`` done, ``─`` to go.

>>> from tinyflow.keras.utils import Progbar
>>> bar = Progbar(target=2, interval=0.0)
>>> bar.update(2, [("loss", 0.25)])  # doctest: +ELLIPSIS
2/2 ━━━━━━━━━━━━━━━━━━━━ 0s ...step - loss: 0.2500
"""
from __future__ import annotations

import sys
import time

from tinyflow.keras.callbacks.callback import Callback

_line_open = [False]  # a progress line is on screen without its final newline


def print_msg(message: str) -> None:
    """Print a full line; if a progress bar line is open, finish it first so the text is not overwritten."""
    if _line_open[0]:
        message = "\n" + message
        _line_open[0] = False
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def _styled() -> bool:
    """Use colours where they render: a terminal or a Jupyter kernel's output stream."""
    if type(sys.stdout).__module__.startswith("ipykernel"):
        return True
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


class Progbar:
    """A text progress bar.

    Args:
      target: total number of steps (None if unknown).
      width: bar width in characters (default 20).
      verbose: 1 in-place bar, 2 one line at the end, 0 silent.
      interval: minimum seconds between redraws (default 0.05).
      unit_name: shown in the speed, ``"2ms/step"``.
    """

    def __init__(self, target, width: int = 20, verbose: int = 1, interval: float = 0.05, stateful_metrics=None,
                 unit_name: str = "step"):
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._prev_width = 0
        self._values: dict = {}

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        """Show step ``current`` with ``values`` (``[(name, value), ...]``, or a dict)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.time()
        per_step = self._step_duration(current, now)
        if values:
            for k, v in values.items() if isinstance(values, dict) else values:
                self._values[k] = v
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._draw(current, now, per_step, finalize)
        elif self.verbose == 2 and finalize:
            count = f"{current}/{self.target}" if self.target else f"{current}"
            line = f"{count} - {now - self._start:.0f}s -{_format_time(per_step, self.unit_name)}"
            print_msg(line + self._metrics_text())
        self._last_update = now

    def add(self, n: int, values=None) -> None:
        self.update(self._seen + n, values)

    def _draw(self, current: int, now: float, per_step: float, finalize: bool) -> None:
        if self.target:
            digits = len(str(self.target))
            done = int(self.width * min(current / self.target, 1.0))
            if _styled():
                bar = f"\x1b[32m{'━' * done}\x1b[0m\x1b[37m{'━' * (self.width - done)}\x1b[0m"
            else:
                bar = "━" * done + "─" * (self.width - done)
            text = f"{current:>{digits}}/{self.target} {bar}"
            plain_len = len(text) - (len(bar) - self.width)
        else:
            text = f"{current:7d}/Unknown"
            plain_len = len(text)
        if self.target and not finalize:
            eta = per_step * (self.target - current)
            timing = f" {int(eta) // 3600}:{int(eta) % 3600 // 60:02d}:{int(eta) % 60:02d}" if eta > 3600 else (
                f" {int(eta) // 60}:{int(eta) % 60:02d}" if eta > 60 else f" {eta:.0f}s")
        else:
            timing = f" {now - self._start:.0f}s"
        info = timing + _format_time(per_step, self.unit_name) + self._metrics_text()
        width = plain_len + len(info)
        pad = " " * max(self._prev_width - width, 0)
        start = "\r" if self._prev_width else ""  # go back over the line drawn before
        self._prev_width = width
        sys.stdout.write(start + text + info + pad + ("\n" if finalize else ""))
        sys.stdout.flush()
        _line_open[0] = not finalize

    def _metrics_text(self) -> str:
        parts = []
        for k, v in self._values.items():
            try:
                v = float(v)
            except (TypeError, ValueError):
                parts.append(f" - {k}: {v}")
                continue
            parts.append(f" - {k}: {v:.4f}" if abs(v) > 1e-3 else f" - {k}: {v:.4e}")
        return "".join(parts)

    def _step_duration(self, current: int, now: float) -> float:
        """Seconds per step, ignoring the first step (it includes tracing) once there are others."""
        self._seen = current
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step


def _format_time(seconds: float, unit: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit}"
    return f" {seconds * 1e6:.0f}us/{unit}"


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and a progress bar (``fit(verbose=1)``) or one line per epoch (``verbose=2``).
    ``fit`` adds it by itself when ``verbose`` is not 0; validation inside ``fit`` is silent."""

    def __init__(self):
        super().__init__()
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self.seen = 0
        self._called_in_fit = False

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _wants_batch_hooks(self, mode: str) -> bool:
        if mode == "test" and self._called_in_fit:
            return False
        return self.verbose == 1 or self.target is None

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset()

    def on_predict_begin(self, logs=None):
        self._reset()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch, None)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize(logs)

    def on_predict_end(self, logs=None):
        self._finalize(None)

    def _reset(self) -> None:
        self.seen = 0
        self.progbar = Progbar(target=self.target, verbose=self.verbose) if self.verbose else None

    def _update(self, batch: int, logs) -> None:
        self.seen = batch + 1
        if self.progbar is not None and self.verbose == 1:
            self.progbar.update(self.seen, logs, finalize=False)

    def _finalize(self, logs) -> None:
        if self.progbar is None:
            return
        if self.target is None:
            self.progbar.target = self.target = self.seen or None
        self.progbar.update(self.target or self.seen, logs, finalize=True)
