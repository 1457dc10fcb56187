"""Element-wise functions of one tensor: sqrt, exp, log, sin, tanh, sigmoid, erf, rounding ...

Each op is registered with its gradient beside it; gradients use the op's output y where
that is cheaper (d tanh = 1 - y²). They are written with Tensor operators and the ops of
this module only, so this module imports no other op module; :mod:`tinyflow.ops.math_ops`
re-exports everything here (``math_ops.sqrt`` works, and ``tf.sqrt`` comes from there).

>>> import tinyflow as tf
>>> tf.sqrt(tf.constant([4.0, 9.0])).numpy()
array([2., 3.], dtype=float32)
"""
from __future__ import annotations

import math

from tinyflow.framework import dtypes
from tinyflow.framework.dispatch import apply_op
from tinyflow.framework.registry import not_differentiable, register_gradient, register_op

# Names TensorFlow 2 has at top level (``tf.sqrt``), and those only in ``tf.math`` (``tf.math.log1p``).
__all__ = ["abs", "cos", "exp", "floor", "log", "negative", "round", "sigmoid", "sign", "sin", "sqrt", "square",
           "tan", "tanh"]
MATH_ONLY = ["ceil", "erf", "expm1", "is_finite", "is_inf", "is_nan", "log1p", "reciprocal", "rsqrt"]

FLOATS = ("float16", "float32", "float64")
NUMBERS = FLOATS + ("int8", "int16", "int32", "int64", "uint8")


def _unary_shape(x):
    return (x.shape, x.dtype)


def _predicate_shape(x):
    return (x.shape, dtypes.bool)


def _xp(name: str):
    """Kernel ``xp.<name>(...)``, marked so the plan binds the array function directly."""

    def kernel(xp, *arrays):
        return getattr(xp, name)(*arrays)

    kernel._xp_name = name
    return kernel


def _unary(op_type: str, xp_name: str, allowed=NUMBERS, shape=_unary_shape):
    register_op(op_type, kernel=_xp(xp_name), shape=shape, allowed=allowed, ufunc=xp_name)


_unary("Neg", "negative")


@register_gradient("Neg")
def _neg_grad(op, grad):
    return [-grad]


def negative(x, name=None):
    """-x."""
    return apply_op("Neg", [x], name=name or "Neg")


_unary("Abs", "abs")


@register_gradient("Abs")
def _abs_grad(op, grad):
    return [grad * sign(op.inputs[0])]  # d|x| = sign(x)  (0 at x = 0)


def abs(x, name=None):  # noqa: A001
    """|x|."""
    return apply_op("Abs", [x], name=name or "Abs")


_unary("Sign", "sign")


@register_gradient("Sign")
def _sign_grad(op, grad):
    return [apply_op("ZerosLike", [op.inputs[0]])]  # flat almost everywhere; TF returns zeros, not None


def sign(x, name=None):
    """-1, 0 or 1: the sign of x."""
    return apply_op("Sign", [x], name=name or "Sign")


_unary("Square", "square")


@register_gradient("Square")
def _square_grad(op, grad):
    return [grad * 2 * op.inputs[0]]  # d(x²) = 2x


def square(x, name=None):
    """x²."""
    return apply_op("Square", [x], name=name or "Square")


_unary("Sqrt", "sqrt", FLOATS)


@register_gradient("Sqrt")
def _sqrt_grad(op, grad):
    return [grad * 0.5 / op.outputs[0]]  # d√x = 1/(2√x)


def sqrt(x, name=None):
    """√x."""
    return apply_op("Sqrt", [x], name=name or "Sqrt")


def _rsqrt_kernel(xp, x):
    return xp.reciprocal(xp.sqrt(x))


register_op("Rsqrt", kernel=_rsqrt_kernel, shape=_unary_shape, allowed=FLOATS)


@register_gradient("Rsqrt")
def _rsqrt_grad(op, grad):
    y = op.outputs[0]
    return [grad * -0.5 * y * y * y]  # d(x^-½) = -½·x^-3/2 = -½·y³


def rsqrt(x, name=None):
    """1/√x."""
    return apply_op("Rsqrt", [x], name=name or "Rsqrt")


_unary("Reciprocal", "reciprocal")


@register_gradient("Reciprocal")
def _reciprocal_grad(op, grad):
    y = op.outputs[0]
    return [-grad * y * y]  # d(1/x) = -1/x² = -y²


def reciprocal(x, name=None):
    """1/x."""
    return apply_op("Reciprocal", [x], name=name or "Reciprocal")


_unary("Exp", "exp", FLOATS)


@register_gradient("Exp")
def _exp_grad(op, grad):
    return [grad * op.outputs[0]]  # d(eˣ) = eˣ


def exp(x, name=None):
    """eˣ."""
    return apply_op("Exp", [x], name=name or "Exp")


_unary("Expm1", "expm1", FLOATS)


@register_gradient("Expm1")
def _expm1_grad(op, grad):
    return [grad * exp(op.inputs[0])]  # d(eˣ - 1) = eˣ


def expm1(x, name=None):
    """eˣ - 1, accurate for small x."""
    return apply_op("Expm1", [x], name=name or "Expm1")


_unary("Log", "log", FLOATS)


@register_gradient("Log")
def _log_grad(op, grad):
    return [grad / op.inputs[0]]  # d(ln x) = 1/x


def log(x, name=None):
    """Natural logarithm."""
    return apply_op("Log", [x], name=name or "Log")


_unary("Log1p", "log1p", FLOATS)


@register_gradient("Log1p")
def _log1p_grad(op, grad):
    return [grad / (1 + op.inputs[0])]  # d ln(1 + x) = 1/(1 + x)


def log1p(x, name=None):
    """ln(1 + x), accurate for small x."""
    return apply_op("Log1p", [x], name=name or "Log1p")


_unary("Sin", "sin", FLOATS)


@register_gradient("Sin")
def _sin_grad(op, grad):
    return [grad * cos(op.inputs[0])]


def sin(x, name=None):
    """sin x (radians)."""
    return apply_op("Sin", [x], name=name or "Sin")


_unary("Cos", "cos", FLOATS)


@register_gradient("Cos")
def _cos_grad(op, grad):
    return [-grad * sin(op.inputs[0])]


def cos(x, name=None):
    """cos x (radians)."""
    return apply_op("Cos", [x], name=name or "Cos")


_unary("Tan", "tan", FLOATS)


@register_gradient("Tan")
def _tan_grad(op, grad):
    y = op.outputs[0]
    return [grad * (1 + y * y)]  # d tan x = sec²x = 1 + tan²x


def tan(x, name=None):
    """tan x (radians)."""
    return apply_op("Tan", [x], name=name or "Tan")


_unary("Tanh", "tanh", FLOATS)


@register_gradient("Tanh")
def _tanh_grad(op, grad):
    return [apply_op("TanhGrad", [op.outputs[0], grad])]  # d tanh x = 1 - tanh²x


# TanhGrad(y, dy) = dy·(1 - y²) as one fused op, as TF does: one plan step instead of three.
def _tanh_grad_kernel(xp, y, dy):
    return dy * (1 - y * y)


register_op("TanhGrad", kernel=_tanh_grad_kernel, shape=lambda y, dy: (dy.shape, dy.dtype), same_dtype=True,
            allowed=FLOATS)


@register_gradient("TanhGrad")
def _tanh_grad_grad(op, grad):
    y, dy = op.inputs
    return [-2.0 * grad * dy * y, apply_op("TanhGrad", [y, grad])]  # ∂/∂y = -2·dy·y, ∂/∂dy = 1 - y²


def tanh(x, name=None):
    """Hyperbolic tangent."""
    return apply_op("Tanh", [x], name=name or "Tanh")


def _sigmoid_kernel(xp, x):
    e = xp.exp(-xp.abs(x))  # never overflows: for x < 0 use eˣ/(1 + eˣ)
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


register_op("Sigmoid", kernel=_sigmoid_kernel, shape=_unary_shape, allowed=FLOATS)


@register_gradient("Sigmoid")
def _sigmoid_grad(op, grad):
    return [apply_op("SigmoidGrad", [op.outputs[0], grad])]  # dσ = σ(1 - σ)


def _sigmoid_grad_kernel(xp, y, dy):
    return dy * y * (1 - y)


register_op("SigmoidGrad", kernel=_sigmoid_grad_kernel, shape=lambda y, dy: (dy.shape, dy.dtype),
            same_dtype=True, allowed=FLOATS)


@register_gradient("SigmoidGrad")
def _sigmoid_grad_grad(op, grad):
    y, dy = op.inputs
    return [grad * dy * (1 - 2 * y), apply_op("SigmoidGrad", [y, grad])]  # ∂/∂y = dy(1 - 2y), ∂/∂dy = σ'


def sigmoid(x, name=None):
    """σ(x) = 1 / (1 + e⁻ˣ), computed without overflow.

    >>> import tinyflow as tf
    >>> tf.sigmoid(tf.constant([0.0, -1000.0])).numpy()
    array([0.5, 0. ], dtype=float32)
    """
    return apply_op("Sigmoid", [x], name=name or "Sigmoid")


# erf: Moshier's Cephes rational approximations (the ones scipy uses), accurate to float64 precision.
_ERF_T = (9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
          7.00332514112805075473e3, 5.55923013010394962768e4)
_ERF_U = (1.0, 3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3,
          2.26290000613890934246e4, 4.92673942608635921086e4)
_ERFC_P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
           4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
           9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2)
_ERFC_Q = (1.0, 1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
           9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
           1.65666309194161350182e3, 5.57535340817727675546e2)
_ERFC_R = (5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
           6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0)
_ERFC_S = (1.0, 2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1,
           1.70814450747565897222e1, 9.60896809063285878198e0, 3.36907645100081516050e0)


def _polyval(coefficients, x):
    out = coefficients[0] + 0 * x
    for c in coefficients[1:]:
        out = out * x + c
    return out


def _erf_kernel(xp, x):
    dtype, x = x.dtype, x.astype(xp.float32) if x.dtype.itemsize < 4 else x  # float16 would overflow
    a = xp.minimum(xp.abs(x), 10.0)  # erf(10) is 1 to float64 precision; clamping avoids inf/inf
    s = xp.clip(x, -1.0, 1.0)
    near_zero = s * _polyval(_ERF_T, s * s) / _polyval(_ERF_U, s * s)  # |x| < 1: x·T(x²)/U(x²)
    erfc = xp.exp(-a * a) * xp.where(a < 8, _polyval(_ERFC_P, a) / _polyval(_ERFC_Q, a),
                                     _polyval(_ERFC_R, a) / _polyval(_ERFC_S, a))  # |x| >= 1: erfc(|x|)
    return xp.where(a < 1, near_zero, xp.sign(x) * (1 - erfc)).astype(dtype, copy=False)


register_op("Erf", kernel=_erf_kernel, shape=_unary_shape, allowed=FLOATS)


@register_gradient("Erf")
def _erf_grad(op, grad):
    x = op.inputs[0]
    return [grad * (2 / math.sqrt(math.pi)) * exp(-x * x)]  # d erf(x) = 2/√π · e^(-x²)


def erf(x, name=None):
    """The Gauss error function, erf(x) = 2/√π ∫₀ˣ e^(-t²) dt."""
    return apply_op("Erf", [x], name=name or "Erf")


# Rounding has zero slope almost everywhere; TF registers no useful gradient (None).
for _op, _fn in {"Floor": "floor", "Ceil": "ceil", "Round": "round"}.items():
    _unary(_op, _fn, FLOATS if _op != "Round" else NUMBERS)
    not_differentiable(_op)


def floor(x, name=None):
    """Largest integer not greater than x."""
    return apply_op("Floor", [x], name=name or "Floor")


def ceil(x, name=None):
    """Smallest integer not less than x."""
    return apply_op("Ceil", [x], name=name or "Ceil")


def round(x, name=None):  # noqa: A001
    """Round to the nearest integer; halves go to the even neighbour (banker's rounding), as in TF."""
    return apply_op("Round", [x], name=name or "Round")


for _op, _fn in {"IsNan": "isnan", "IsInf": "isinf", "IsFinite": "isfinite"}.items():
    _unary(_op, _fn, FLOATS, shape=_predicate_shape)
    not_differentiable(_op)


def is_nan(x, name=None):
    return apply_op("IsNan", [x], name=name or "IsNan")


def is_inf(x, name=None):
    return apply_op("IsInf", [x], name=name or "IsInf")


def is_finite(x, name=None):
    return apply_op("IsFinite", [x], name=name or "IsFinite")
