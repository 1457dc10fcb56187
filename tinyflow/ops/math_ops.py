"""Element-wise arithmetic and comparisons, casting, sums and matrix products — each op with its
gradient beside it.

Binary ops share one shape rule (numpy broadcasting) and never cast: ``float32 *
int32`` is an error, as in TensorFlow. Gradients undo broadcasting with
:func:`~tinyflow.ops._grad_util.unbroadcast`. Functions of one tensor (sqrt, exp, tanh ...)
are defined in :mod:`tinyflow.ops.unary_ops` and re-exported here; the other reductions (max,
prod, argmax, cumsum ...) and ``einsum`` live in :mod:`tinyflow.ops.reduction_ops`.

>>> import tinyflow as tf
>>> x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
>>> tf.reduce_sum(x * x, axis=1).numpy()
array([ 5., 25.], dtype=float32)
"""
from __future__ import annotations

import builtins

import numpy as np

from tinyflow.framework import dtypes
from tinyflow.framework.dispatch import apply_binary, apply_op, convert_to_tensor
from tinyflow.framework.registry import ShapeError, not_differentiable, register_gradient, register_op
from tinyflow.framework.tensor import Tensor
from tinyflow.framework.tensor_shape import TensorShape, broadcast_shapes
from tinyflow.ops import unary_ops
from tinyflow.ops._grad_util import unbroadcast
from tinyflow.ops.unary_ops import (  # noqa: F401  (re-exported: math_ops.<name> finds every math op)
    FLOATS,
    NUMBERS,
    _unary,
    _unary_shape,
    _xp,
    abs,
    ceil,
    cos,
    erf,
    exp,
    expm1,
    floor,
    is_finite,
    is_inf,
    is_nan,
    log,
    log1p,
    negative,
    reciprocal,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    tan,
    tanh,
)

# Names TensorFlow 2 has at top level (``tf.add``), and those only in ``tf.math`` (``tf.math.divide_no_nan``).
__all__ = [
    "add", "add_n", "cast", "divide", "equal", "floordiv", "floormod", "greater", "greater_equal", "less",
    "less_equal", "logical_and", "logical_not", "logical_or", "matmul", "maximum", "minimum", "mod", "multiply",
    "not_equal", "ones_like", "pow", "reduce_mean", "reduce_sum", "subtract", "truediv", "zeros_like",
] + unary_ops.__all__
MATH_ONLY = ["divide_no_nan", "logical_xor", "squared_difference"] + unary_ops.MATH_ONLY


# -- shape rules -------------------------------------------------------------------------------
def _broadcast_shape(x, y):
    out = broadcast_shapes(x.shape, y.shape)
    if out is None:
        a, b = x.shape.as_list(), y.shape.as_list()
        n = builtins.max(len(a), len(b))
        a, b = [1] * (n - len(a)) + a, [1] * (n - len(b)) + b
        i = next(i for i in range(n) if a[i] != b[i] and 1 not in (a[i], b[i]))
        raise ShapeError(f"Dimensions must be equal, but are {a[i]} and {b[i]}",
                         eager_message=f"Incompatible shapes: {x.shape._tf_str()} vs. {y.shape._tf_str()}")
    return out


def _binary_shape(x, y):
    return (_broadcast_shape(x, y), x.dtype)


def _compare_shape(x, y):
    return (_broadcast_shape(x, y), dtypes.bool)


def _binary(op_type: str, kernel, allowed=NUMBERS, compare=False):
    register_op(op_type, kernel=kernel, shape=_compare_shape if compare else _binary_shape, same_dtype=True,
                allowed=allowed, ufunc=getattr(kernel, "_xp_name", None))


# -- add, subtract, multiply, divide -----------------------------------------------------------
_binary("AddV2", _xp("add"))


@register_gradient("AddV2")
def _add_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(grad, x), unbroadcast(grad, y)]


def add(x, y, name=None):
    """x + y, element-wise with broadcasting."""
    return apply_binary("AddV2", x, y, name, "Add")


_binary("Sub", _xp("subtract"))


@register_gradient("Sub")
def _sub_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(grad, x), unbroadcast(-grad, y)]


def subtract(x, y, name=None):
    """x - y."""
    return apply_binary("Sub", x, y, name, "Sub")


_binary("Mul", _xp("multiply"))


@register_gradient("Mul")
def _mul_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(grad * y, x), unbroadcast(grad * x, y)]


def multiply(x, y, name=None):
    """x * y."""
    return apply_binary("Mul", x, y, name, "Mul")


_binary("RealDiv", _xp("true_divide"), allowed=FLOATS)


@register_gradient("RealDiv")
def _div_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(grad / y, x), unbroadcast(-grad * x / (y * y), y)]  # d(x/y)/dy = -x/y²


def _is_tensor(v) -> bool:
    return isinstance(v, Tensor) or hasattr(v, "_as_tensor")  # a tensor or a Variable


def _pair(x, y):
    """Both operands as tensors; a Python or numpy value takes the other operand's dtype (``2 / t``)."""
    if _is_tensor(x) or not _is_tensor(y):
        x = convert_to_tensor(x)
        return x, convert_to_tensor(y, dtype=None if _is_tensor(y) else x.dtype)
    y = convert_to_tensor(y)
    return convert_to_tensor(x, dtype=y.dtype), y


_TRUEDIV = {dtypes.int8: dtypes.float32, dtypes.uint8: dtypes.float32, dtypes.int16: dtypes.float32,
            dtypes.int32: dtypes.float64, dtypes.int64: dtypes.float64}


def truediv(x, y, name=None):
    """x / y. Integers are first converted to floats (int8/16 → float32, int32/64 → float64), as in TF."""
    x, y = _pair(x, y)
    if x.dtype is not y.dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != {y.dtype!r}.")
    if x.dtype in _TRUEDIV:
        x, y = cast(x, _TRUEDIV[x.dtype]), cast(y, _TRUEDIV[x.dtype])
    return apply_op("RealDiv", [x, y], name=name or "truediv")


divide = truediv


def _div_no_nan_kernel(xp, x, y):
    zero = y == 0
    return xp.where(zero, xp.zeros_like(x), x / xp.where(zero, xp.ones_like(y), y))


_binary("DivNoNan", _div_no_nan_kernel, allowed=FLOATS)


@register_gradient("DivNoNan")
def _div_no_nan_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(divide_no_nan(grad, y), x), unbroadcast(grad * divide_no_nan(divide_no_nan(-x, y), y), y)]


def divide_no_nan(x, y, name=None):
    """x / y, but 0 where y == 0 (even for x == 0 or inf)."""
    return apply_binary("DivNoNan", x, y, name, "div_no_nan")


_binary("FloorDiv", _xp("floor_divide"))
not_differentiable("FloorDiv")


def floordiv(x, y, name=None):
    """x // y (rounds toward -inf)."""
    return apply_binary("FloorDiv", x, y, name, "FloorDiv")


_binary("FloorMod", _xp("mod"))
not_differentiable("FloorMod")


def floormod(x, y, name=None):
    """x % y with the sign of y."""
    return apply_binary("FloorMod", x, y, name, "FloorMod")


mod = floormod


def _pow_kernel(xp, x, y):
    return xp.power(x, y)


_binary("Pow", _pow_kernel)


@register_gradient("Pow")
def _pow_grad(op, grad):
    x, y = op.inputs
    z = op.outputs[0]
    gx = grad * y * pow(x, y - 1)  # d(x^y)/dx = y·x^(y-1)
    safe_log = log(where_positive(x))
    gy = grad * z * safe_log  # d(x^y)/dy = x^y·ln x  (0 where x <= 0)
    return [unbroadcast(gx, x), unbroadcast(gy, y)]


def pow(x, y, name=None):  # noqa: A001  (TF's name)
    """x ** y."""
    return apply_binary("Pow", x, y, name, "Pow")


def where_positive(x):
    """x where x > 0, else 1 — so that log() of it is finite (used by Pow's gradient)."""
    return apply_op("SelectPositive", [x])


def _select_positive(xp, x):
    return xp.where(x > 0, x, xp.ones_like(x))


register_op("SelectPositive", kernel=_select_positive, shape=_unary_shape)


@register_gradient("SelectPositive")
def _select_positive_grad(op, grad):
    x = op.inputs[0]
    return [grad * cast(greater(x, zeros_like(x)), grad.dtype)]  # identity where x > 0, constant 1 elsewhere


_binary("Maximum", _xp("maximum"))


@register_gradient("Maximum")
def _maximum_grad(op, grad):
    x, y = op.inputs
    mask = cast(greater_equal(x, y), grad.dtype)  # NOTE: a tie sends all of grad to x, as in TF
    return [unbroadcast(grad * mask, x), unbroadcast(grad * (1 - mask), y)]


def maximum(x, y, name=None):
    """Element-wise max."""
    return apply_binary("Maximum", x, y, name, "Maximum")


_binary("Minimum", _xp("minimum"))


@register_gradient("Minimum")
def _minimum_grad(op, grad):
    x, y = op.inputs
    mask = cast(less_equal(x, y), grad.dtype)
    return [unbroadcast(grad * mask, x), unbroadcast(grad * (1 - mask), y)]


def minimum(x, y, name=None):
    """Element-wise min."""
    return apply_binary("Minimum", x, y, name, "Minimum")


def _squared_difference_kernel(xp, x, y):
    return xp.square(x - y)


_binary("SquaredDifference", _squared_difference_kernel, allowed=FLOATS + ("int32", "int64"))


@register_gradient("SquaredDifference")
def _squared_difference_grad(op, grad):
    x, y = op.inputs
    g = 2 * grad * (x - y)  # d(x-y)²/dx = 2(x-y) = -d(x-y)²/dy
    return [unbroadcast(g, x), unbroadcast(-g, y)]


def squared_difference(x, y, name=None):
    """(x - y)², element-wise with broadcasting."""
    return apply_binary("SquaredDifference", x, y, name, "SquaredDifference")


# -- comparisons and logic (no gradients) --------------------------------------------------------
_COMPARISONS = {"Less": "less", "LessEqual": "less_equal", "Greater": "greater",
                "GreaterEqual": "greater_equal", "Equal": "equal", "NotEqual": "not_equal"}
for _op, _fn in _COMPARISONS.items():
    _binary(_op, _xp(_fn), allowed=NUMBERS + ("bool",), compare=True)
    not_differentiable(_op)


def less(x, y, name=None):
    return apply_binary("Less", x, y, name, "Less")


def less_equal(x, y, name=None):
    return apply_binary("LessEqual", x, y, name, "LessEqual")


def greater(x, y, name=None):
    return apply_binary("Greater", x, y, name, "Greater")


def greater_equal(x, y, name=None):
    return apply_binary("GreaterEqual", x, y, name, "GreaterEqual")


def equal(x, y, name=None):
    return apply_binary("Equal", x, y, name, "Equal")


def not_equal(x, y, name=None):
    return apply_binary("NotEqual", x, y, name, "NotEqual")


for _op, _fn in {"LogicalAnd": "logical_and", "LogicalOr": "logical_or"}.items():
    _binary(_op, _xp(_fn), allowed=("bool",))
    not_differentiable(_op)
_unary("LogicalNot", "logical_not", allowed=("bool",))
not_differentiable("LogicalNot")


def logical_and(x, y, name=None):
    return apply_binary("LogicalAnd", x, y, name, "LogicalAnd")


def logical_or(x, y, name=None):
    return apply_binary("LogicalOr", x, y, name, "LogicalOr")


def logical_not(x, name=None):
    return apply_op("LogicalNot", [x], name=name or "LogicalNot")


def logical_xor(x, y, name="LogicalXor"):
    """x XOR y, built as (x OR y) AND NOT (x AND y), as TF does."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


# -- casting -----------------------------------------------------------------------------------
def _cast_kernel(xp, x, DstT):
    return x.astype(DstT.as_numpy_dtype)


register_op("Cast", kernel=_cast_kernel, shape=lambda x, DstT: (x.shape, DstT))


@register_gradient("Cast")
def _cast_grad(op, grad):
    src = op.inputs[0].dtype
    return [cast(grad, src) if src.is_floating else None]


def cast(x, dtype, name=None):
    """Convert to ``dtype`` (the only way to change a tensor's dtype)."""
    dtype = dtypes.as_dtype(dtype)
    if not isinstance(x, Tensor) and not hasattr(x, "_as_tensor"):
        # a Python or numpy value converts straight to a float target (0.999 must not pass through float32)
        x = convert_to_tensor(x, dtype=dtype) if dtype.is_floating else convert_to_tensor(x)
    if getattr(x, "dtype", None) is dtype:
        return x
    return apply_op("Cast", [x], {"DstT": dtype}, name=name or "Cast")


# -- add_n, zeros_like, ones_like ----------------------------------------------------------------
def _add_n_kernel(xp, *xs):
    out = xs[0]
    for x in xs[1:]:
        out = out + x
    return out


def _add_n_shape(*xs):
    shape = xs[0].shape
    for x in xs[1:]:
        if not shape.is_compatible_with(x.shape):
            raise ShapeError(f"Shapes must be equal, but are {shape} and {x.shape}")
        shape = shape.merge_with(x.shape)
    return (shape, xs[0].dtype)


register_op("AddN", kernel=_add_n_kernel, shape=_add_n_shape, same_dtype=True)


@register_gradient("AddN")
def _add_n_grad(op, grad):
    return [grad] * len(op.inputs)


def add_n(inputs, name=None):
    """Sum of a list of same-shaped tensors."""
    inputs = list(inputs)
    if len(inputs) == 1:
        return convert_to_tensor(inputs[0])
    return apply_op("AddN", inputs, name=name or "AddN")


register_op("ZerosLike", kernel=_xp("zeros_like"), shape=_unary_shape)
register_op("OnesLike", kernel=_xp("ones_like"), shape=_unary_shape)
not_differentiable("ZerosLike")
not_differentiable("OnesLike")


def zeros_like(input, dtype=None, name=None):  # noqa: A002
    """Zeros with the shape (and dtype) of ``input``."""
    t = apply_op("ZerosLike", [input], name=name or "zeros_like")
    return t if dtype is None else cast(t, dtype)


def ones_like(input, dtype=None, name=None):  # noqa: A002
    """Ones with the shape (and dtype) of ``input``."""
    t = apply_op("OnesLike", [input], name=name or "ones_like")
    return t if dtype is None else cast(t, dtype)


# -- sum and mean (the other reductions are in reduction_ops) -------------------------------------
def _norm_axis(axis, rank):
    """Reduction axes as a sorted tuple, negative ones made positive when the rank is known.

    ``None`` means all axes. Out-of-range axes are kept, for the shape rule to report."""
    if axis is None:
        return None
    if isinstance(axis, Tensor):
        if not hasattr(axis, "numpy") or not axis.dtype.is_integer:
            raise TypeError(f"axis must be Python ints or an eager integer tensor; got {axis!r}")
        axis = axis.numpy().tolist()
    axes = [int(a) for a in axis] if isinstance(axis, list | tuple) else [int(axis)]
    if rank is not None:
        axes = [a % rank if -rank <= a < rank else a for a in axes]
    return tuple(sorted(set(axes)))


def _check_axes(x, axis):
    rank = x.shape.rank
    for a in axis or ():
        if not -rank <= a < rank:
            raise ShapeError(f"Invalid reduction dimension {a} for input with {rank} dimensions.")


def _reduce_shape(x, axis, keepdims, dtype=None):
    dtype = dtype or x.dtype
    if x.shape.rank is None:
        return (TensorShape(None), dtype)
    _check_axes(x, axis)
    dims = x.shape.as_list()
    axes = range(len(dims)) if axis is None else [a % len(dims) for a in axis]
    out = [1 if i in axes else d for i, d in enumerate(dims)] if keepdims else \
        [d for i, d in enumerate(dims) if i not in axes]
    return (TensorShape(out), dtype)


def _sum_kernel(xp, x, axis, keepdims):
    if xp is np:  # ufunc.reduce skips np.sum's Python wrapper, which dominates on small arrays
        return np.asarray(np.add.reduce(x, axis=axis, dtype=x.dtype, keepdims=keepdims))
    return xp.asarray(xp.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype))


register_op("Sum", kernel=_sum_kernel, shape=_reduce_shape, allowed=NUMBERS)


@register_gradient("Sum")
def _sum_grad(op, grad):
    return [apply_op("BroadcastLike", [_keepdims(grad, op), op.inputs[0]])]  # copy grad to every summed element


def _keepdims(t, op):
    """``t`` (shaped like the output of reduction ``op``) with the reduced axes put back as size-1
    dims, so that it broadcasts against the input. Works when dims are only known at run time."""
    if op.get_attr("keepdims") or (op.get_attr("axis") is None and t.shape.rank == 0):
        return t  # a scalar broadcasts against the input as it is
    return apply_op("ExpandReducedDims", [t, op.inputs[0]], {"axis": op.get_attr("axis")})


def _expand_reduced_kernel(xp, t, x, axis):
    axes = range(x.ndim) if axis is None else [a % x.ndim for a in axis]
    return t.reshape([1 if i in axes else d for i, d in enumerate(x.shape)])


def _expand_reduced_shape(t, x, axis):
    return _reduce_shape(x, axis, keepdims=True, dtype=t.dtype)


register_op("ExpandReducedDims", kernel=_expand_reduced_kernel, shape=_expand_reduced_shape)


@register_gradient("ExpandReducedDims")
def _expand_reduced_grad(op, grad):
    return [reduce_sum(grad, axis=op.get_attr("axis")), None]  # summing size-1 axes = squeezing them


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sum over ``axis`` (an int or list; all axes when None). Integer inputs keep their dtype."""
    x = convert_to_tensor(input_tensor)
    return apply_op("Sum", [x], {"axis": _norm_axis(axis, x.shape.rank), "keepdims": bool(keepdims)},
                    name=name or "Sum")


def _mean_kernel(xp, x, axis, keepdims):
    if x.dtype.kind != "f":
        return xp.asarray(xp.mean(x, axis=axis, keepdims=keepdims)).astype(x.dtype, copy=False)
    # sum / count: skips numpy's slow Python-level mean wrapper, which dominates on small arrays
    total = xp.add.reduce(x, axis=axis, keepdims=keepdims) if xp is np else xp.sum(x, axis=axis, keepdims=keepdims)
    count = x.size // total.size if total.size else 0
    return xp.asarray(total / x.dtype.type(count))


register_op("Mean", kernel=_mean_kernel, shape=_reduce_shape, allowed=NUMBERS)


@register_gradient("Mean")
def _mean_grad(op, grad):
    from tinyflow.ops import array_ops  # noqa: PLC0415

    x, y = op.inputs[0], op.outputs[0]
    spread = apply_op("BroadcastLike", [_keepdims(grad, op), x])
    nx, ny = x.shape.num_elements(), y.shape.num_elements()
    if nx is not None and ny is not None:  # static shapes: the count is a constant
        return [spread * (ny / nx if nx else 0.0)]
    count = cast(array_ops.size(x), grad.dtype) / cast(array_ops.size(y), grad.dtype)
    return [spread / count]


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """Mean over ``axis``. Integer inputs give an integer (truncated) mean, as in TF."""
    x = convert_to_tensor(input_tensor)
    return apply_op("Mean", [x], {"axis": _norm_axis(axis, x.shape.rank), "keepdims": bool(keepdims)},
                    name=name or "Mean")


# -- matmul --------------------------------------------------------------------------------------
def _matmul_kernel(xp, a, b, transpose_a, transpose_b):
    if transpose_a:
        a = a.T if a.ndim == 2 else xp.swapaxes(a, -1, -2)
    if transpose_b:
        b = b.T if b.ndim == 2 else xp.swapaxes(b, -1, -2)
    return xp.matmul(a, b)


def _matmul_shape(a, b, transpose_a, transpose_b):
    sa, sb = a.shape, b.shape
    if sa.rank is None or sb.rank is None:
        return (TensorShape(None), a.dtype)
    if sa.rank < 2 or sb.rank < 2:
        raise ShapeError(f"Shape must be rank >= 2 but is rank {builtins.min(sa.rank, sb.rank)}")
    m, k1 = (sa[-1], sa[-2]) if transpose_a else (sa[-2], sa[-1])
    k2, n = (sb[-1], sb[-2]) if transpose_b else (sb[-2], sb[-1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise ShapeError(f"Dimensions must be equal, but are {k1} and {k2}",
                         eager_message=f"Matrix size-incompatible: In[0]: {sa._tf_str()}, In[1]: {sb._tf_str()}")
    batch = broadcast_shapes(sa[:-2], sb[:-2])
    if batch is None:
        raise ShapeError(f"Batch dimensions must broadcast, but are {sa[:-2]} and {sb[:-2]}")
    return (batch.concatenate([m, n]), a.dtype)


def _matmul_bind(xp, transpose_a, transpose_b):
    """Without transposes the kernel is just ``xp.matmul``: the plan calls it directly."""
    if not transpose_a and not transpose_b:
        return xp.matmul
    return None


register_op("MatMul", kernel=_matmul_kernel, shape=_matmul_shape, same_dtype=True, allowed=NUMBERS,
            bind=_matmul_bind)


@register_gradient("MatMul")
def _matmul_grad(op, grad):
    a, b = op.inputs
    ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    if not ta and not tb:  # C = A B:  dA = G Bᵀ,  dB = Aᵀ G
        ga, gb = matmul(grad, b, transpose_b=True), matmul(a, grad, transpose_a=True)
    elif not ta and tb:  # C = A Bᵀ: dA = G B,   dB = Gᵀ A
        ga, gb = matmul(grad, b), matmul(grad, a, transpose_a=True)
    elif ta and not tb:  # C = Aᵀ B: dA = B Gᵀ,  dB = A G
        ga, gb = matmul(b, grad, transpose_b=True), matmul(a, grad)
    else:  # C = Aᵀ Bᵀ:                          dA = Bᵀ Gᵀ, dB = Gᵀ Aᵀ
        ga, gb = matmul(b, grad, transpose_a=True, transpose_b=True), \
            matmul(grad, a, transpose_a=True, transpose_b=True)
    return [unbroadcast(ga, a), unbroadcast(gb, b)]


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False, name=None):
    """Matrix product ``a @ b`` over the last two axes (leading axes are batch axes and broadcast).

    >>> import tinyflow as tf
    >>> tf.matmul(tf.ones([2, 3]), tf.ones([3, 4])).shape
    TensorShape([2, 4])
    """
    return apply_op("MatMul", [a, b], {"transpose_a": bool(transpose_a or adjoint_a),
                                       "transpose_b": bool(transpose_b or adjoint_b)}, name=name or "MatMul")
