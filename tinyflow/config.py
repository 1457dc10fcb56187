"""``tf.config`` and ``tf.device``: which devices exist, where ops run.

>>> import tinyflow as tf
>>> [d.device_type for d in tf.config.list_physical_devices("CPU")]
['CPU']
>>> tf.config.list_physical_devices("GPU") == [] or tf.config.list_physical_devices("GPU")[0].device_type == "GPU"
True
"""
from __future__ import annotations

import contextlib
from typing import NamedTuple

from tinyflow import backend

_run_functions_eagerly = False


class PhysicalDevice(NamedTuple):
    name: str
    device_type: str


def list_physical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """Devices tinyflow can use: the CPU, and the GPU when CuPy sees one."""
    devices = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    if backend.gpu_available():
        devices.append(PhysicalDevice("/physical_device:GPU:0", "GPU"))
    if device_type is None:
        return devices
    return [d for d in devices if d.device_type == device_type.upper()]


def list_logical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    return [PhysicalDevice(d.name.replace("physical_", ""), d.device_type) for d in list_physical_devices(device_type)]


def run_functions_eagerly(run_eagerly: bool) -> None:
    """Make every ``tf.function`` call its Python body eagerly (for debugging)."""
    global _run_functions_eagerly
    _run_functions_eagerly = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    return _run_functions_eagerly


@contextlib.contextmanager
def device(device_name: str):
    """``with tf.device("/GPU:0"):`` runs the ops created inside on that device (numpy or CuPy)."""
    if device_name is None or device_name == "":
        yield
        return
    with backend.use_device(device_name):
        yield


class experimental:  # noqa: N801  (TF's namespace name)
    """``tf.config.experimental``: memory growth and friends are no-ops here."""

    @staticmethod
    def set_memory_growth(device, enable: bool) -> None:
        return None

    @staticmethod
    def enable_op_determinism() -> None:
        return None
