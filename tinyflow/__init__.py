"""tinyflow: a small TensorFlow-style framework, written to be read.

``import tinyflow as tf`` gives TensorFlow's names: eager execution by default,
``GradientTape``, ``function`` tracing, and ``compat.v1`` graphs with ``Session``.

>>> import tinyflow as tf
>>> x = tf.Variable(2.0)
>>> with tf.GradientTape() as tape:
...     y = x ** 3
>>> tape.gradient(y, x).numpy()
12.0
"""
from tinyflow import ops as _ops  # noqa: F401  (registers every op)
from tinyflow.eager.tape import GradientTape
from tinyflow.framework import dtypes, errors
from tinyflow.framework.context import executing_eagerly
from tinyflow.framework.dispatch import convert_to_tensor
from tinyflow.framework.dtypes import (
    DType,
    as_dtype,
    bool,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    uint8,
)
from tinyflow.framework.graph import Graph, Operation, control_dependencies, get_default_graph, name_scope
from tinyflow.framework.registry import RegisterGradient, register_gradient
from tinyflow.framework.tensor import Tensor
from tinyflow.framework.tensor_shape import TensorShape
from tinyflow.function import TensorSpec, function
from tinyflow.gradients import UnconnectedGradients, gradients
from tinyflow.ops.array_ops import *  # noqa: F403  (each op module lists its public names in __all__)
from tinyflow.ops.base_ops import constant, group, identity, no_op, stop_gradient
from tinyflow.ops.clip_ops import *
from tinyflow.ops.control_flow_ops import *
from tinyflow.ops.creation_ops import *
from tinyflow.ops.custom_gradient import *
from tinyflow.ops.indexing_ops import *
from tinyflow.ops.linalg_ops import *
from tinyflow.ops.logging_ops import *
from tinyflow.ops.manip_ops import *
from tinyflow.ops.mask_ops import *
from tinyflow.ops.math_ops import *
from tinyflow.ops.reduction_ops import *
from tinyflow.ops.sort_ops import *
from tinyflow.variables import Variable
from tinyflow import autograph, compat, config, data, keras, linalg, math, nest, nn, random
from tinyflow.module import Module
from tinyflow.config import device
from tinyflow.keras import losses, metrics, optimizers

__version__ = "0.1.0"
