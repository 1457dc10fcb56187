"""TensorFlow's error classes (``tf.errors.*``), with the same names and hierarchy.

>>> import tinyflow as tf
>>> issubclass(tf.errors.InvalidArgumentError, tf.errors.OpError)
True
"""
from __future__ import annotations


class OpError(Exception):
    """Base class of errors raised while running an op. ``op`` names the node when known."""

    def __init__(self, node_def=None, op=None, message: str = "", *args):
        if not message and isinstance(node_def, str) and op is None:
            message, node_def = node_def, None  # allow OpError("text")
        super().__init__(message)
        self.message = message
        self.op = op
        self.node_def = node_def

    def __str__(self) -> str:
        return self.message


class InvalidArgumentError(OpError, ValueError):
    """An op received an argument of the wrong dtype, shape or value."""


class FailedPreconditionError(OpError):
    """The system is not in a state to run the op (e.g. an uninitialized variable)."""


class NotFoundError(OpError):
    """A file or name was not found."""


class OutOfRangeError(OpError):
    """Iterated past the end of a sequence."""


class UnimplementedError(OpError):
    """The operation is not implemented by tinyflow."""


class InternalError(OpError):
    """An internal invariant was broken; please report it."""


class ResourceExhaustedError(OpError):
    """Out of memory or another resource."""


class UnknownError(OpError):
    """An error that fits no other class."""


class AbortedError(OpError):
    """The operation was aborted."""


class CancelledError(OpError):
    """The operation was cancelled."""


class DeadlineExceededError(OpError):
    """The deadline expired."""


class AlreadyExistsError(OpError):
    """The entity already exists."""


class PermissionDeniedError(OpError):
    """No permission."""


class UnavailableError(OpError):
    """The service is unavailable."""
