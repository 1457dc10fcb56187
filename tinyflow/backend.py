"""Array backends: numpy on ``/CPU:0``, CuPy on ``/GPU:0``.

Kernels never import numpy for array math; they receive ``xp``, the array module of
the device they run on. ``with tf.device("/GPU:0"):`` switches new ops to CuPy; the
environment variable ``TINYFLOW_DEVICE=/GPU:0`` makes the GPU the default.

>>> from tinyflow import backend
>>> backend.xp.__name__
'numpy'
"""
from __future__ import annotations

import contextlib
import os
from types import ModuleType

import numpy

xp: ModuleType = numpy  # the array module of the current device; read by every op
_device: str = "/CPU:0"


def _cupy() -> ModuleType | None:
    try:
        import cupy  # noqa: PLC0415  (optional dependency)

        cupy.cuda.runtime.getDeviceCount()
        return cupy
    except Exception:  # ImportError, or CUDA without a device
        return None


def gpu_available() -> bool:
    """True when CuPy imports and sees at least one CUDA device."""
    return _cupy() is not None


def canonical_device(name: str) -> str:
    """``'gpu:0'``, ``'/device:GPU:0'`` and ``'/GPU:0'`` all become ``'/GPU:0'``."""
    n = name.upper().replace("/DEVICE:", "/").strip()
    if not n.startswith("/"):
        n = "/" + n
    if n.count(":") == 0:
        n += ":0"
    if n.split(":")[0] not in ("/CPU", "/GPU"):
        raise ValueError(f"Unknown device {name!r}: tinyflow knows '/CPU:0' and '/GPU:0'.")
    return n


def module_for(device: str) -> ModuleType:
    if canonical_device(device).startswith("/GPU"):
        cp = _cupy()
        if cp is None:
            raise RuntimeError(
                f"Device {device!r} was requested but no GPU is usable: install CuPy "
                "(pip install -r requirements-gpu.txt) on a machine with an NVIDIA GPU, or use '/CPU:0'."
            )
        return cp
    return numpy


@contextlib.contextmanager
def use_device(name: str):
    """Run the ops created inside on ``name`` (``'/CPU:0'`` or ``'/GPU:0'``)."""
    global xp, _device
    saved = (xp, _device)
    xp, _device = module_for(name), canonical_device(name)
    try:
        yield
    finally:
        xp, _device = saved


def current_device() -> str:
    return _device


def to_numpy(value):
    """Copy an array of any backend to a numpy array (a no-op for numpy)."""
    if type(value).__module__.startswith("cupy"):
        return value.get()
    return numpy.asarray(value)


def array_module(value) -> ModuleType:
    """The module that owns ``value`` (numpy or cupy)."""
    if type(value).__module__.startswith("cupy"):
        return module_for("/GPU:0")
    return numpy


if os.environ.get("TINYFLOW_DEVICE"):
    xp, _device = module_for(os.environ["TINYFLOW_DEVICE"]), canonical_device(os.environ["TINYFLOW_DEVICE"])
