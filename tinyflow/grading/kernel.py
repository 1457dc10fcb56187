"""A fresh Jupyter kernel for grading: run code with a timeout, and survive hangs and crashes.

`execute` never raises for problems in the learner's code. It returns an `Outcome`: "ok", "error"
(the code raised), "timeout" (interrupted after `timeout` seconds) or "dead" (the kernel process
died). When the kernel ignores the interrupt or dies, it is restarted and `restarted` is True: the
caller decides what to re-run.

    >>> with GradingKernel(".") as kernel:
    ...     kernel.execute("x = 1", timeout=10).status
    'ok'
"""

import os
import queue
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_client import KernelManager

_POLL = 0.2  # seconds between checks that the kernel is still alive


@dataclass
class Outcome:
    """How one execute request ended."""

    status: str  # "ok", "error", "timeout" or "dead"
    ename: str = ""
    evalue: str = ""
    restarted: bool = False  # the kernel was restarted, so its namespace is empty now


class GradingKernel:
    """One kernel process, started fresh, in folder `cwd` (where the notebook lives).

    Args:
        cwd: the kernel's working directory.
        kernel_name: a Jupyter kernel name. Default "python3".
        startup_timeout: seconds to wait for the kernel to answer after (re)starting. Default 60.
        interrupt_grace: seconds to wait after an interrupt before restarting the kernel. Default 5.
    """

    def __init__(self, cwd: Path | str, kernel_name: str = "python3", startup_timeout: float = 60.0,
                 interrupt_grace: float = 5.0):
        self.cwd = Path(cwd)
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self.interrupt_grace = interrupt_grace
        self._km = None
        self._kc = None

    def __enter__(self) -> "GradingKernel":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    def start(self, attempts: int = 2) -> None:
        """Start the kernel process and wait until it answers (on a busy machine, try a second time)."""
        for attempt in range(attempts):
            self._km = KernelManager(kernel_name=self.kernel_name)
            self._km.start_kernel(cwd=str(self.cwd), env=_kernel_env(),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                self._connect()
                return
            except RuntimeError:
                self.shutdown()
                if attempt == attempts - 1:
                    raise

    def restart(self) -> None:
        """Kill the kernel (alive or dead) and start a new one with an empty namespace."""
        self._kc.stop_channels()
        self._km.restart_kernel(now=True)
        self._connect()

    def shutdown(self) -> None:
        if self._kc is not None:
            self._kc.stop_channels()
        if self._km is not None and self._km.has_kernel:
            self._km.shutdown_kernel(now=True)
        self._km = self._kc = None

    def execute(self, code: str, timeout: float, silent: bool = False) -> Outcome:
        """Run `code`; interrupt it after `timeout` seconds. `silent` runs it without history or hooks."""
        msg_id = self._kc.execute(code, silent=silent, store_history=not silent, allow_stdin=False,
                                  stop_on_error=False)
        reply = self._wait_for_reply(msg_id, time.monotonic() + timeout)
        if reply == "dead":
            self.restart()
            return Outcome("dead", restarted=True)
        if reply is None:  # still running: interrupt, and restart if the interrupt is ignored
            self._km.interrupt_kernel()
            if self._wait_for_reply(msg_id, time.monotonic() + self.interrupt_grace) in (None, "dead"):
                self.restart()
                return Outcome("timeout", restarted=True)
            return Outcome("timeout")
        content = reply["content"]
        if content.get("status") == "ok":
            return Outcome("ok")
        return Outcome("error", str(content.get("ename", "Error")), str(content.get("evalue", "")))

    def _connect(self):
        self._kc = self._km.client()
        self._kc.start_channels()
        self._kc.wait_for_ready(timeout=self.startup_timeout)

    def _wait_for_reply(self, msg_id, deadline):
        """The execute_reply to `msg_id`, "dead" if the kernel died, or None at the deadline."""
        while True:
            self._drain_iopub()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                msg = self._kc.get_shell_msg(timeout=min(_POLL, left))
            except queue.Empty:
                if not self._km.is_alive():
                    return "dead"
                continue
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_reply":
                return msg

    def _drain_iopub(self):
        """Discard printed output: the grader never trusts what the notebook prints."""
        while True:
            try:
                self._kc.get_iopub_msg(timeout=0)
            except queue.Empty:
                return


def _kernel_env():
    """The grader's environment, with this copy of tinyflow importable from the kernel."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])  # the folder that holds the tinyflow package
    env["PYTHONPATH"] = os.pathsep.join(p for p in [root, env.get("PYTHONPATH", "")] if p)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silence the debugger's frozen-modules warning
    return env
