"""Every op of tinyflow, one family per module. Importing this package registers them all."""
from tinyflow.framework import tensor as _tensor
from tinyflow.framework.dispatch import apply_binary
from tinyflow.ops import (  # noqa: F401  (imported for their registrations)
    array_ops,
    base_ops,
    math_ops,
)

_tensor.bind_operator_modules(math_ops, array_ops, apply_binary)
