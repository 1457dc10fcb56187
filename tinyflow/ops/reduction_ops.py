"""Reductions (max, min, prod, any, all, logsumexp, variance ...), arg-max, running sums and ``einsum``.

``reduce_sum`` and ``reduce_mean`` live in :mod:`tinyflow.ops.math_ops` (core code needs them);
the rest of the family is here, with the same ``axis`` / ``keepdims`` conventions: ``axis`` is an
int, a list, negative, or None for all axes.

>>> import tinyflow as tf
>>> x = tf.constant([[1.0, 5.0], [3.0, 2.0]])
>>> tf.reduce_max(x, axis=1).numpy(), tf.argmax(x, axis=1).numpy()
(array([5., 3.], dtype=float32), array([1, 0]))
"""
from __future__ import annotations

import builtins
import functools
import math
import string

import numpy as np

from tinyflow.framework import dtypes
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.graph import name_scope
from tinyflow.framework.registry import ShapeError, not_differentiable, register_gradient, register_op
from tinyflow.framework.tensor_shape import TensorShape
from tinyflow.ops._grad_util import unbroadcast
from tinyflow.ops.base_ops import stop_gradient
from tinyflow.ops.math_ops import (
    NUMBERS,
    _keepdims,
    _norm_axis,
    _reduce_shape,
    _unary_shape,
    cast,
    equal,
    exp,
    log,
    not_equal,
    ones_like,
    reduce_mean,
    reduce_sum,
    sqrt,
    square,
)

__all__ = ["argmax", "argmin", "cumsum", "einsum", "reduce_all", "reduce_any", "reduce_logsumexp", "reduce_max",
           "reduce_min", "reduce_prod"]
MATH_ONLY = ["count_nonzero", "cumprod", "reduce_euclidean_norm", "reduce_std", "reduce_variance"]


def _reduce(op_type, input_tensor, axis, keepdims, name):
    x = convert_to_tensor(input_tensor)
    attrs = {"axis": _norm_axis(axis, x.shape.rank), "keepdims": bool(keepdims)}
    return apply_op(op_type, [x], attrs, name=name or op_type)


# -- max and min: the gradient is shared equally among the elements that tie for the extreme --------
def _max_kernel(xp, x, axis, keepdims):
    return xp.asarray(xp.max(x, axis=axis, keepdims=keepdims))


def _min_kernel(xp, x, axis, keepdims):
    return xp.asarray(xp.min(x, axis=axis, keepdims=keepdims))


register_op("Max", kernel=_max_kernel, shape=_reduce_shape, allowed=NUMBERS)
register_op("Min", kernel=_min_kernel, shape=_reduce_shape, allowed=NUMBERS)


@register_gradient("Max")
@register_gradient("Min")
def _min_or_max_grad(op, grad):
    x = op.inputs[0]
    winners = cast(equal(_keepdims(op.outputs[0], op), x), grad.dtype)  # 1 where x is the extreme
    count = reduce_sum(winners, axis=op.get_attr("axis"), keepdims=True)  # ties split the gradient
    return [winners / count * _keepdims(grad, op)]


def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """Largest element over ``axis``. Gradient: split equally among tied maxima, as in TF."""
    return _reduce("Max", input_tensor, axis, keepdims, name)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """Smallest element over ``axis``. Gradient: split equally among tied minima, as in TF."""
    return _reduce("Min", input_tensor, axis, keepdims, name)


# -- prod ----------------------------------------------------------------------------------------
def _prod_kernel(xp, x, axis, keepdims):
    return xp.asarray(xp.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype))


register_op("Prod", kernel=_prod_kernel, shape=_reduce_shape, allowed=NUMBERS)


@register_gradient("Prod")
def _prod_grad(op, grad):
    x, axes = op.inputs[0], op.get_attr("axis")
    if axes is None:
        if x.shape.rank is None:
            raise NotImplementedError("The gradient of reduce_prod over all axes needs an input of known rank.")
        axes = tuple(range(x.shape.rank))
    if not axes:
        return [grad]
    return [_keepdims(grad, op) * _product_of_others(x, axes)]


def _product_of_others(x, axes):
    """For each element, the product of the *other* elements in its reduction group.

    Built from exclusive running products, not prod / x, so it is right when x has zeros.
    Over several axes: others over (a, b...) = others over a · others over (b...) of the a-products."""
    first, rest = axes[0], axes[1:]
    others = cumprod(x, first, exclusive=True) * cumprod(x, first, exclusive=True, reverse=True)
    if rest:
        others = others * _product_of_others(reduce_prod(x, first, keepdims=True), rest)
    return others


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """Product of the elements over ``axis``."""
    return _reduce("Prod", input_tensor, axis, keepdims, name)


# -- any and all ---------------------------------------------------------------------------------
def _any_kernel(xp, x, axis, keepdims):
    return xp.asarray(xp.any(x, axis=axis, keepdims=keepdims))


def _all_kernel(xp, x, axis, keepdims):
    return xp.asarray(xp.all(x, axis=axis, keepdims=keepdims))


register_op("Any", kernel=_any_kernel, shape=_reduce_shape, allowed=("bool",))
register_op("All", kernel=_all_kernel, shape=_reduce_shape, allowed=("bool",))
not_differentiable("Any")
not_differentiable("All")


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    """Logical OR over ``axis`` (bool input)."""
    return _reduce("Any", input_tensor, axis, keepdims, name)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    """Logical AND over ``axis`` (bool input)."""
    return _reduce("All", input_tensor, axis, keepdims, name)


# -- compositions ----------------------------------------------------------------------------------
def _finite_or_zero(xp, x):
    return xp.where(xp.isfinite(x), x, xp.zeros_like(x))


register_op("FiniteOrZero", kernel=_finite_or_zero, shape=_unary_shape)
not_differentiable("FiniteOrZero")


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """log(Σ exp(x)) over ``axis``, computed stably: m + log(Σ exp(x - m)) with m = max(x).

    >>> import tinyflow as tf
    >>> float(tf.reduce_logsumexp(tf.constant([1000.0, 1000.0])))  # exp(1000) would overflow
    1000.6931762695312
    """
    with name_scope(name, "ReduceLogSumExp"):
        x = convert_to_tensor(input_tensor)
        m = stop_gradient(apply_op("FiniteOrZero", [reduce_max(x, axis, keepdims=True)]))  # shift: no overflow
        result = log(reduce_sum(exp(x - m), axis, keepdims=True)) + m
        return result if keepdims else reduce_sum(result, axis)  # a sum over size-1 axes drops them


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Mean squared deviation from the mean over ``axis`` (the population variance, as np.var)."""
    with name_scope(name or "reduce_variance"):
        x = convert_to_tensor(input_tensor)
        if not x.dtype.is_floating:
            raise TypeError(f"Input must be either real or complex. Received integer type {x.dtype!r}.")
        squared_deviations = square(x - reduce_mean(x, axis, keepdims=True))
        return reduce_mean(squared_deviations, axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Standard deviation over ``axis``: √(reduce_variance)."""
    with name_scope(name or "reduce_std"):
        return sqrt(reduce_variance(input_tensor, axis, keepdims))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """√(Σ x²) over ``axis``."""
    with name_scope(name, "EuclideanNorm"):
        return sqrt(reduce_sum(square(input_tensor), axis, keepdims))


def count_nonzero(input, axis=None, keepdims=None, dtype=dtypes.int64, name=None):  # noqa: A002
    """Number of non-zero (or True) elements over ``axis``, as ``dtype`` (int64 by default)."""
    with name_scope(name, "count_nonzero"):
        x = convert_to_tensor(input)
        zero = convert_to_tensor(False if x.dtype.is_bool else 0, dtype=x.dtype)
        nonzero = cast(not_equal(x, zero), dtypes.int64)
        return cast(reduce_sum(nonzero, axis, keepdims=bool(keepdims)), dtype)


# -- argmax and argmin ---------------------------------------------------------------------------
def _argmax_kernel(xp, x, axis, output_type):
    return xp.asarray(xp.argmax(x, axis=axis)).astype(output_type.as_numpy_dtype)


def _argmin_kernel(xp, x, axis, output_type):
    return xp.asarray(xp.argmin(x, axis=axis)).astype(output_type.as_numpy_dtype)


def _arg_shape(x, axis, output_type):
    if x.shape.rank is None:
        return (TensorShape(None), output_type)
    rank = x.shape.rank
    if not -rank <= axis < rank:
        raise ShapeError(f"Expected dimension in the range [{-rank}, {rank}), but got {axis}")
    dims = x.shape.as_list()
    del dims[axis % rank]
    return (TensorShape(dims), output_type)


register_op("ArgMax", kernel=_argmax_kernel, shape=_arg_shape, allowed=NUMBERS + ("bool",))
register_op("ArgMin", kernel=_argmin_kernel, shape=_arg_shape, allowed=NUMBERS + ("bool",))
not_differentiable("ArgMax")
not_differentiable("ArgMin")


def _arg(op_type, input, axis, output_type, name):  # noqa: A002
    output_type = dtypes.as_dtype(output_type)
    if output_type not in (dtypes.int16, dtypes.int32, dtypes.int64):
        raise TypeError(f"Value passed to parameter 'output_type' has DataType {output_type.name} not in list "
                        "of allowed values: int16, uint16, int32, int64")
    axis = 0 if axis is None else int(axis)
    return apply_op(op_type, [input], {"axis": axis, "output_type": output_type}, name=name or op_type)


def argmax(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
    """Index of the largest value along ``axis`` (0 when None); the first one on ties."""
    return _arg("ArgMax", input, axis, output_type, name)


def argmin(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
    """Index of the smallest value along ``axis`` (0 when None); the first one on ties."""
    return _arg("ArgMin", input, axis, output_type, name)


# -- cumsum and cumprod ----------------------------------------------------------------------------
def _scan(xp, fn, identity, x, axis, exclusive, reverse):
    if reverse:
        x = xp.flip(x, axis)
    out = fn(x, axis=axis, dtype=x.dtype)
    if exclusive:  # shift by one along axis: element k combines x[0..k-1]
        head, body = [slice(None)] * x.ndim, [slice(None)] * x.ndim
        head[axis], body[axis] = slice(0, 1), slice(0, -1)
        out = xp.concatenate([xp.full_like(out[tuple(head)], identity), out[tuple(body)]], axis=axis)
    return xp.flip(out, axis) if reverse else out


def _cumsum_kernel(xp, x, axis, exclusive, reverse):
    return _scan(xp, xp.cumsum, 0, x, axis, exclusive, reverse)


def _cumprod_kernel(xp, x, axis, exclusive, reverse):
    return _scan(xp, xp.cumprod, 1, x, axis, exclusive, reverse)


def _scan_shape(x, axis, exclusive, reverse):
    rank = x.shape.rank
    if rank is not None and not -rank <= axis < rank:
        raise ShapeError(f"Expected scan axis in the range [{-rank}, {rank}), but got {axis}")
    return (x.shape, x.dtype)


register_op("Cumsum", kernel=_cumsum_kernel, shape=_scan_shape, allowed=NUMBERS)
register_op("Cumprod", kernel=_cumprod_kernel, shape=_scan_shape, allowed=NUMBERS)


@register_gradient("Cumsum")
def _cumsum_grad(op, grad):
    axis, exclusive, reverse = op.get_attr("axis"), op.get_attr("exclusive"), op.get_attr("reverse")
    return [cumsum(grad, axis, exclusive=exclusive, reverse=not reverse)]  # each x[i] feeds every later sum


_MASKED_CUMPROD_MAX = 64  # axis lengths up to this use the zero-safe gradient (n³ products)


@register_gradient("Cumprod")
def _cumprod_grad(op, grad):
    x = op.inputs[0]
    axis, exclusive, reverse = op.get_attr("axis"), op.get_attr("exclusive"), op.get_attr("reverse")
    n = x.shape[axis] if x.shape.rank is not None else None
    if n is None or n > _MASKED_CUMPROD_MAX:
        # y[k] = Π x[j≤k]  ⇒  dy[k]/dx[i] = y[k]/x[i] for i ≤ k.  NOTE: like TF, this divides by x,
        # so it is nan/inf where x == 0; short axes take the zero-safe path below instead.
        return [cumsum(op.outputs[0] * grad, axis, exclusive=exclusive, reverse=not reverse) / x]
    return [_cumprod_grad_zero_safe(x, grad, axis % x.shape.rank, exclusive, reverse, n)]


def _cumprod_grad_zero_safe(x, grad, axis, exclusive, reverse, n):
    """dx[j] = Σ_i grad[i] · Π_{k in K(i), k ≠ j} x[k], with K(i) the indices y[i] multiplies.
    Built from masked products instead of y/x, so zeros in x are fine and it is differentiable."""
    from tinyflow.ops import array_ops, manip_ops  # noqa: PLC0415

    rank = x.shape.rank
    perm = [d for d in range(rank) if d != axis] + [axis]  # scan axis last
    inverse = [perm.index(d) for d in range(rank)]
    xt, gt = array_ops.transpose(x, perm), array_ops.transpose(grad, perm)
    if reverse:
        xt, gt = manip_ops.reverse(xt, [-1]), manip_ops.reverse(gt, [-1])
    i, j, k = np.ogrid[:n, :n, :n]
    in_product = (k < i) if exclusive else (k <= i)
    keep = (in_product & (k != j)).astype(x.dtype.as_numpy_dtype)  # [i, j, k]
    active = ((j < i) if exclusive else (j <= i))[:, :, 0].astype(x.dtype.as_numpy_dtype)  # [i, j]
    spread = array_ops.expand_dims(array_ops.expand_dims(xt, -2), -2)  # [..., 1, 1, k]
    partial_products = reduce_prod(spread * keep + (1.0 - keep), axis=-1)  # [..., i, j]
    gx = reduce_sum(array_ops.expand_dims(gt, -1) * partial_products * active, axis=-2)  # [..., j]
    if reverse:
        gx = manip_ops.reverse(gx, [-1])
    return array_ops.transpose(gx, inverse)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sum along ``axis``: [a, b, c] → [a, a+b, a+b+c]; ``exclusive`` → [0, a, a+b];
    ``reverse`` sums from the end."""
    attrs = {"axis": int(axis), "exclusive": bool(exclusive), "reverse": bool(reverse)}
    return apply_op("Cumsum", [x], attrs, name=name or "Cumsum")


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running product along ``axis``: [a, b, c] → [a, ab, abc]; ``exclusive`` → [1, a, ab]."""
    attrs = {"axis": int(axis), "exclusive": bool(exclusive), "reverse": bool(reverse)}
    return apply_op("Cumprod", [x], attrs, name=name or "Cumprod")


# -- einsum ----------------------------------------------------------------------------------------
def _einsum_kernel(xp, *arrays, equation, _broadcast):
    plan = _matmul_plan(equation, *[a.shape for a in arrays]) if len(arrays) == 2 else None
    if plan is None:
        return xp.einsum(equation, *arrays, optimize=len(arrays) > 2)
    (sum_a, perm_a, shape_a), (sum_b, perm_b, shape_b), shape_c, perm_c = plan
    a, b = arrays
    a = xp.transpose(xp.sum(a, axis=sum_a, dtype=a.dtype) if sum_a else a, perm_a).reshape(shape_a)
    b = xp.transpose(xp.sum(b, axis=sum_b, dtype=b.dtype) if sum_b else b, perm_b).reshape(shape_b)
    return xp.transpose(xp.matmul(a, b).reshape(shape_c), perm_c)


@functools.lru_cache(maxsize=256)
def _matmul_plan(equation, shape_a, shape_b):
    """How to compute a two-operand einsum as one batched matmul, as TF does: labels that only one
    operand has and the output lacks are summed first; each operand is then transposed to
    (batch, free, contracted) order and flattened to 3-D; the product is put in output order.
    None for what this does not handle (repeated labels, size-1 broadcasting): numpy's einsum runs."""
    (ta, tb), out = equation.split("->")[0].split(","), equation.split("->")[1]
    if len(set(ta)) < len(ta) or len(set(tb)) < len(tb):
        return None
    size = dict(zip(ta, shape_a))
    for label, d in zip(tb, shape_b):
        if size.setdefault(label, d) != d:
            return None
    only_a = [c for c in ta if c not in tb and c not in out]
    only_b = [c for c in tb if c not in ta and c not in out]
    ta2, tb2 = [c for c in ta if c not in only_a], [c for c in tb if c not in only_b]
    batch = [c for c in out if c in ta2 and c in tb2]
    m, n = [c for c in ta2 if c not in tb2], [c for c in tb2 if c not in ta2]
    k = [c for c in ta2 if c in tb2 and c not in out]
    B, M, K, N = [math.prod(size[c] for c in group) for group in (batch, m, k, n)]
    return ((tuple(ta.index(c) for c in only_a), [ta2.index(c) for c in batch + m + k], (B, M, K)),
            (tuple(tb.index(c) for c in only_b), [tb2.index(c) for c in batch + k + n], (B, K, N)),
            [size[c] for c in batch + m + n], [(batch + m + n).index(c) for c in out])


def _einsum_shape(*inputs, equation, _broadcast):
    terms, out = equation.split("->")
    terms = terms.split(",")
    if len(terms) != len(inputs):
        raise ShapeError(f"Expected {len(terms)} inputs but got: {len(inputs)}")
    sizes: dict = {}  # label -> its dimension
    for i, (term, t) in enumerate(zip(terms, inputs)):
        if t.shape.rank is None:
            continue
        if t.shape.rank != len(term):
            raise ShapeError(f"Expected input {i} to have rank {len(term)} but got: {t.shape.rank}")
        for axis, (label, d) in enumerate(zip(term, t.shape)):
            known = sizes.get(label)
            if known is None or (label in _broadcast and known == 1):
                sizes[label] = d if d is not None else known
            elif d is not None and d != known and not (label in _broadcast and d == 1):
                raise ShapeError(f"Expected dimension {known} at axis {axis} of the input shaped "
                                 f"{t.shape._tf_str()} but got dimension {d}")
    return (TensorShape([sizes.get(label) for label in out]), inputs[0].dtype)


register_op("Einsum", kernel=_einsum_kernel, shape=_einsum_shape, same_dtype=True, allowed=NUMBERS)


@register_gradient("Einsum")
def _einsum_grad(op, grad):
    """For C = einsum('ij,jk->ik', A, B): dA = einsum('ik,jk->ij', G, B), dB = einsum('ik,ij->jk', G, A).

    The gradient of each operand is the einsum of the output gradient with all the other operands,
    written to that operand's subscripts. Labels found only in that operand (summed away) come
    back by broadcasting: a ones tensor shaped like the operand joins the einsum."""
    equation, bcast = op.get_attr("equation"), op.get_attr("_broadcast")
    terms, out = equation.split("->")
    terms = terms.split(",")
    grads = []
    for i, (term, x) in enumerate(zip(terms, op.inputs)):
        if len(set(term)) != len(term):
            raise NotImplementedError(f"einsum gradient: subscripts '{term}' in '{equation}' repeat a label "
                                      "(a diagonal or trace); tinyflow cannot differentiate that yet.")
        subs = [out] + [t for j, t in enumerate(terms) if j != i]
        args = [grad] + [v for j, v in enumerate(op.inputs) if j != i]
        if set(term) - set("".join(subs)):
            subs.append(term)
            args.append(ones_like(x))
        g = apply_op("Einsum", args, {"equation": ",".join(subs) + "->" + term, "_broadcast": bcast})
        grads.append(unbroadcast(g, x))  # undo size-1 broadcasting of '...' dims
    return grads


def _explicit_equation(equation: str, ranks: list) -> tuple[str, str]:
    """'ij,jk' → 'ij,jk->ik', with '...' spelled out as spare letters. Returns (equation, those letters)."""
    eq = equation.replace(" ", "")
    bad = set(eq) - set(string.ascii_letters + ".,->")
    if bad or eq.count("->") > 1:
        raise ValueError(f"Invalid einsum equation '{equation}': use letters, ',', at most one '->', and '...'.")
    lhs, arrow, out = eq.partition("->")
    terms = lhs.split(",")
    labels = [c for c in lhs if c.isalpha()]
    spare = [c for c in string.ascii_letters if c not in eq]
    ell_dims = []
    for i, term in enumerate(terms):
        if "..." not in term:
            continue
        if i >= len(ranks) or ranks[i] is None:
            raise ValueError(f"einsum '{equation}': input {i} has '...' so its rank must be known.")
        ell_dims.append(builtins.max(ranks[i] - (len(term) - 3), 0))
    n = builtins.max(ell_dims, default=0)
    ell = "".join(spare[:n])
    for i, term in enumerate(terms):
        if "..." in term:
            k = builtins.max(ranks[i] - (len(term) - 3), 0)
            terms[i] = term.replace("...", ell[n - k:])
    if not arrow:
        out = "..." + "".join(sorted(c for c in set(labels) if labels.count(c) == 1))
    elif n and "..." not in out:
        raise ValueError(f"Output contains {n} broadcasting dimension(s) but no ellipsis (...) was found in "
                         f"the output subscripts of '{equation}'.")
    out = out.replace("...", ell)
    if len(set(out)) != len(out) or set(out) - set("".join(terms)):
        raise ValueError(f"einsum '{equation}': each output subscript must appear once, and in some input.")
    return ",".join(terms) + "->" + out, ell


def einsum(equation, *inputs, **kwargs):
    """Sums of products named by subscripts: ``einsum('ij,jk->ik', a, b)`` is ``matmul(a, b)``.

    A label in the output is kept; a label only in the inputs is summed over. ``'...'`` stands
    for leading batch dims (these may broadcast). Without ``->`` the output is the labels that
    appear once, in alphabetical order.

    >>> import tinyflow as tf
    >>> tf.einsum('bij,bjk->bik', tf.ones([5, 2, 3]), tf.ones([5, 3, 4])).shape
    TensorShape([5, 2, 4])
    """
    name = kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments for einsum: {', '.join(sorted(kwargs))}")
    tensors = [convert_to_tensor(t) for t in inputs]
    eq, ell = _explicit_equation(equation, [t.shape.rank for t in tensors])
    return apply_op("Einsum", tensors, {"equation": eq, "_broadcast": ell}, name=name or "einsum")
