"""Every op of tinyflow, one family per module. Importing this package registers them all."""
from tinyflow.framework import tensor as _tensor
from tinyflow.framework.dispatch import apply_binary
from tinyflow.ops import (  # noqa: F401  (imported for their registrations)
    activation_ops,
    array_ops,
    base_ops,
    clip_ops,
    control_flow_ops,
    conv_ops,
    creation_ops,
    custom_gradient,
    indexing_ops,
    linalg_ops,
    logging_ops,
    loss_ops,
    manip_ops,
    mask_ops,
    math_ops,
    nn_ops,
    random_ops,
    reduction_ops,
    sort_ops,
    stateless_random_ops,
)

_tensor.bind_operator_modules(math_ops, array_ops, apply_binary)
