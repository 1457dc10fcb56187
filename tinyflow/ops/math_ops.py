"""Element-wise math, reductions and matrix products — each op with its gradient beside it.

Binary ops share one shape rule (numpy broadcasting) and never cast: ``float32 *
int32`` is an error, as in TensorFlow. Gradients undo broadcasting with
:func:`~tinyflow.ops._grad_util.unbroadcast`.

>>> import tinyflow as tf
>>> x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
>>> tf.reduce_sum(x * x, axis=1).numpy()
array([ 5., 25.], dtype=float32)
"""
from __future__ import annotations

import builtins

from tinyflow.framework import dtypes
from tinyflow.framework.dispatch import apply_binary, apply_op, convert_to_tensor
from tinyflow.framework.registry import ShapeError, not_differentiable, register_gradient, register_op
from tinyflow.framework.tensor_shape import TensorShape, broadcast_shapes
from tinyflow.ops._grad_util import unbroadcast

__all__ = [
    "add", "add_n", "cast", "divide", "equal", "exp", "floordiv", "floormod", "greater", "greater_equal",
    "less", "less_equal", "log", "logical_and", "logical_not", "logical_or", "matmul", "maximum", "minimum",
    "mod", "multiply", "negative", "not_equal", "ones_like", "pow", "reduce_mean", "reduce_sum", "square",
    "subtract", "truediv", "zeros_like",
]

FLOATS = ("float16", "float32", "float64")
NUMBERS = FLOATS + ("int8", "int16", "int32", "int64", "uint8")


# -- shape rules -------------------------------------------------------------------------------
def _broadcast_shape(x, y):
    out = broadcast_shapes(x.shape, y.shape)
    if out is None:
        a, b = x.shape.as_list(), y.shape.as_list()
        n = builtins.max(len(a), len(b))
        a, b = [1] * (n - len(a)) + a, [1] * (n - len(b)) + b
        i = next(i for i in range(n) if a[i] != b[i] and 1 not in (a[i], b[i]))
        raise ShapeError(f"Dimensions must be equal, but are {a[i]} and {b[i]}")
    return out


def _binary_shape(x, y):
    return (_broadcast_shape(x, y), x.dtype)


def _compare_shape(x, y):
    return (_broadcast_shape(x, y), dtypes.bool)


def _unary_shape(x):
    return (x.shape, x.dtype)


def _binary(op_type: str, kernel, allowed=NUMBERS, compare=False):
    register_op(op_type, kernel=kernel, shape=_compare_shape if compare else _binary_shape, same_dtype=True,
                allowed=allowed, ufunc=getattr(kernel, "_xp_name", None))


def _xp(name: str):
    """Kernel ``xp.<name>(...)``, marked so the plan binds the array function directly."""

    def kernel(xp, *arrays):
        return getattr(xp, name)(*arrays)

    kernel._xp_name = name
    return kernel


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


def truediv(x, y, name=None):
    """x / y. Integers are first converted to float64, as in TensorFlow."""
    x = convert_to_tensor(x) if not hasattr(x, "dtype") else x
    y = convert_to_tensor(y, dtype=x.dtype if not hasattr(y, "dtype") else None)
    if x.dtype.is_integer and y.dtype is x.dtype:
        x, y = cast(x, dtypes.float64), cast(y, dtypes.float64)
    return apply_op("RealDiv", [x, y], name=name or "truediv")


divide = truediv


def _floordiv_kernel(xp, x, y):
    return xp.floor_divide(x, y)


_binary("FloorDiv", _floordiv_kernel)
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
not_differentiable("SelectPositive")


def _maximum_kernel(xp, x, y):
    return xp.maximum(x, y)


_binary("Maximum", _maximum_kernel)


@register_gradient("Maximum")
def _maximum_grad(op, grad):
    x, y = op.inputs
    mask = cast(greater_equal(x, y), grad.dtype)  # ties go to x, as in TF
    return [unbroadcast(grad * mask, x), unbroadcast(grad * (1 - mask), y)]


def maximum(x, y, name=None):
    """Element-wise max."""
    return apply_binary("Maximum", x, y, name, "Maximum")


def _minimum_kernel(xp, x, y):
    return xp.minimum(x, y)


_binary("Minimum", _minimum_kernel)


@register_gradient("Minimum")
def _minimum_grad(op, grad):
    x, y = op.inputs
    mask = cast(less_equal(x, y), grad.dtype)
    return [unbroadcast(grad * mask, x), unbroadcast(grad * (1 - mask), y)]


def minimum(x, y, name=None):
    """Element-wise min."""
    return apply_binary("Minimum", x, y, name, "Minimum")


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
register_op("LogicalNot", kernel=_xp("logical_not"), shape=_unary_shape, allowed=("bool",), ufunc="logical_not")
not_differentiable("LogicalNot")


def logical_and(x, y, name=None):
    return apply_binary("LogicalAnd", x, y, name, "LogicalAnd")


def logical_or(x, y, name=None):
    return apply_binary("LogicalOr", x, y, name, "LogicalOr")


def logical_not(x, name=None):
    return apply_op("LogicalNot", [x], name=name or "LogicalNot")


# -- unary ---------------------------------------------------------------------------------------
def _unary(op_type: str, xp_name: str, allowed=NUMBERS):
    register_op(op_type, kernel=_xp(xp_name), shape=_unary_shape, allowed=allowed, ufunc=xp_name)


_unary("Neg", "negative")


@register_gradient("Neg")
def _neg_grad(op, grad):
    return [-grad]


def negative(x, name=None):
    """-x."""
    return apply_op("Neg", [x], name=name or "Neg")


_unary("Square", "square")


@register_gradient("Square")
def _square_grad(op, grad):
    return [grad * 2 * op.inputs[0]]  # d(x²) = 2x


def square(x, name=None):
    """x²."""
    return apply_op("Square", [x], name=name or "Square")


_unary("Exp", "exp", FLOATS)


@register_gradient("Exp")
def _exp_grad(op, grad):
    return [grad * op.outputs[0]]  # d(eˣ) = eˣ


def exp(x, name=None):
    """eˣ."""
    return apply_op("Exp", [x], name=name or "Exp")


_unary("Log", "log", FLOATS)


@register_gradient("Log")
def _log_grad(op, grad):
    return [grad / op.inputs[0]]  # d(ln x) = 1/x


def log(x, name=None):
    """Natural logarithm."""
    return apply_op("Log", [x], name=name or "Log")


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
    x = convert_to_tensor(x) if not hasattr(x, "_as_tensor") else x
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


def _zeros_like_kernel(xp, x):
    return xp.zeros_like(x)


def _ones_like_kernel(xp, x):
    return xp.ones_like(x)


register_op("ZerosLike", kernel=_zeros_like_kernel, shape=_unary_shape)
register_op("OnesLike", kernel=_ones_like_kernel, shape=_unary_shape)
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


# -- reductions ----------------------------------------------------------------------------------
def _norm_axis(axis, rank):
    if axis is None:
        return None
    axes = [axis] if isinstance(axis, int) else [int(a) for a in axis]
    if rank is not None:
        for a in axes:
            if not -rank <= a < rank:
                raise ShapeError(f"Invalid reduction dimension {a} for input with {rank} dimensions.")
        axes = [a % rank for a in axes]
    return tuple(sorted(set(axes)))


def _reduce_shape(x, axis, keepdims):
    if x.shape.rank is None:
        return (TensorShape(None), x.dtype)
    dims = x.shape.as_list()
    axes = range(len(dims)) if axis is None else axis
    out = [1 if i in axes else d for i, d in enumerate(dims)] if keepdims else \
        [d for i, d in enumerate(dims) if i not in axes]
    return (TensorShape(out), x.dtype)


def _sum_kernel(xp, x, axis, keepdims):
    return xp.asarray(xp.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype))


register_op("Sum", kernel=_sum_kernel, shape=_reduce_shape, allowed=NUMBERS)


@register_gradient("Sum")
def _sum_grad(op, grad):
    x = op.inputs[0]
    return [_expand_reduced(grad, op) * ones_like(x)]


def _expand_reduced(grad, op):
    """Put back the reduced axes as size-1 dims, so grad broadcasts against the input."""
    from tinyflow.ops import array_ops  # noqa: PLC0415

    if op.get_attr("keepdims"):
        return grad
    x = op.inputs[0]
    axis = op.get_attr("axis")
    rank = x.shape.rank
    axes = range(rank) if axis is None else axis
    shape = [1 if i in axes else -1 if x.shape[i] is None else x.shape[i] for i in range(rank)]
    if shape.count(-1) > 1:
        return array_ops.expand_dims_many(grad, sorted(axes))
    return array_ops.reshape(grad, shape)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sum over ``axis`` (all axes when None)."""
    x = convert_to_tensor(input_tensor)
    return apply_op("Sum", [x], {"axis": _norm_axis(axis, x.shape.rank), "keepdims": bool(keepdims)},
                    name=name or "Sum")


def _mean_kernel(xp, x, axis, keepdims):
    return xp.asarray(xp.mean(x, axis=axis, keepdims=keepdims)).astype(x.dtype, copy=False)


register_op("Mean", kernel=_mean_kernel, shape=_reduce_shape, allowed=NUMBERS)


@register_gradient("Mean")
def _mean_grad(op, grad):
    from tinyflow.ops import array_ops  # noqa: PLC0415

    x, y = op.inputs[0], op.outputs[0]
    count = cast(array_ops.size(x), grad.dtype) / cast(array_ops.size(y), grad.dtype)
    return [_expand_reduced(grad, op) * ones_like(x) / count]


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """Mean over ``axis``. Integer inputs give an integer (truncated) mean, as in TF."""
    x = convert_to_tensor(input_tensor)
    return apply_op("Mean", [x], {"axis": _norm_axis(axis, x.shape.rank), "keepdims": bool(keepdims)},
                    name=name or "Mean")


# -- matmul --------------------------------------------------------------------------------------
def _matmul_kernel(xp, a, b, transpose_a, transpose_b):
    if transpose_a:
        a = xp.swapaxes(a, -1, -2)
    if transpose_b:
        b = xp.swapaxes(b, -1, -2)
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
        raise ShapeError(f"Dimensions must be equal, but are {k1} and {k2}")
    batch = broadcast_shapes(sa[:-2], sb[:-2])
    if batch is None:
        raise ShapeError(f"Batch dimensions must broadcast, but are {sa[:-2]} and {sb[:-2]}")
    return (batch.concatenate([m, n]), a.dtype)


register_op("MatMul", kernel=_matmul_kernel, shape=_matmul_shape, same_dtype=True, allowed=NUMBERS)


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
