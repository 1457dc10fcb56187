"""``tf.math``: element-wise math, reductions and running sums under TensorFlow's namespace.

Many of these are also at top level (``tf.exp`` is ``tf.math.exp``); some exist only here
(``tf.math.log1p``, ``tf.math.reduce_variance``, ``tf.math.divide_no_nan`` ...), as in TF 2.

>>> import tinyflow as tf
>>> print(f"{float(tf.math.reduce_std(tf.constant([[1.0, 2.0], [3.0, 4.0]]))):.4f}")
1.1180
"""
from tinyflow.ops.activation_ops import log_softmax, softmax, softplus, softsign
from tinyflow.ops.math_ops import (
    abs,
    add,
    add_n,
    ceil,
    cos,
    divide,
    divide_no_nan,
    equal,
    erf,
    exp,
    expm1,
    floor,
    floordiv,
    floormod,
    greater,
    greater_equal,
    is_finite,
    is_inf,
    is_nan,
    less,
    less_equal,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    maximum,
    minimum,
    mod,
    multiply,
    negative,
    not_equal,
    pow,
    reciprocal,
    reduce_mean,
    reduce_sum,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    squared_difference,
    subtract,
    tan,
    tanh,
    truediv,
)
from tinyflow.ops.nn_ops import l2_normalize
from tinyflow.ops.reduction_ops import (
    argmax,
    argmin,
    count_nonzero,
    cumprod,
    cumsum,
    reduce_all,
    reduce_any,
    reduce_euclidean_norm,
    reduce_logsumexp,
    reduce_max,
    reduce_min,
    reduce_prod,
    reduce_std,
    reduce_variance,
)
from tinyflow.ops.sort_ops import top_k
