"""2-D convolution and pooling (NHWC), written with array slices so the index arithmetic stays visible.

A convolution gathers, for each output position, the input window behind it (``im2col``:
one slice of the padded input per filter tap) and multiplies by the filter as a matrix.
Its gradients are two more ops, ``Conv2DBackpropInput`` (scatter the columns back) and
``Conv2DBackpropFilter`` (columns ᵀ × output gradient); each is linear in its arguments,
so their own gradients are convolutions again and higher orders work.

>>> import tinyflow as tf
>>> x = tf.ones([1, 4, 4, 1])
>>> tf.nn.conv2d(x, tf.ones([3, 3, 1, 2]), strides=1, padding="VALID").shape
TensorShape([1, 2, 2, 2])
>>> tf.nn.max_pool2d(x, ksize=2, strides=2, padding="SAME").shape
TensorShape([1, 2, 2, 1])
"""
from __future__ import annotations

from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.registry import ShapeError, register_gradient, register_op
from tinyflow.framework.tensor_shape import TensorShape
from tinyflow.ops.math_ops import FLOATS

__all__ = ["avg_pool", "avg_pool2d", "conv2d", "max_pool", "max_pool2d"]


# -- geometry shared by convolution and pooling ---------------------------------------------------
def _out_size(size, k, stride, dilation, padding):
    """Output length and (pad_before, pad_after) along one spatial axis, by TF's rules."""
    span = (k - 1) * dilation + 1  # the "effective filter size"
    if padding == "VALID":
        out = int((size - span + stride) / stride)  # C division, truncating toward zero
        if out < 0:
            raise ShapeError(f"Computed output size would be negative: {out} [input_size: {size}, "
                             f"effective_filter_size: {span}, stride: {stride}]")
        return out, 0, 0
    out = -(-size // stride)  # SAME: ceil(size / stride)
    total = max((out - 1) * stride + span - size, 0)
    return out, total // 2, total - total // 2  # the extra pixel goes after, as in TF


def _geometry(x_shape, kh, kw, strides, dilations, padding):
    """((oh, ow), padding widths for xp.pad) for an NHWC input of static shape ``x_shape``."""
    oh, top, bottom = _out_size(x_shape[1], kh, strides[1], dilations[1], padding)
    ow, left, right = _out_size(x_shape[2], kw, strides[2], dilations[2], padding)
    return (oh, ow), ((0, 0), (top, bottom), (left, right), (0, 0))


def _every(start, count, step):
    """``count`` indices start, start+step, ... as a slice (empty for count 0)."""
    return slice(start, start + (count - 1) * step + 1, step) if count > 0 else slice(0, 0)


def _windows(x, kh, kw, strides, dilations, oh, ow):
    """For each tap (i, j) of a kh×kw window: the (N, oh, ow, C) slice of padded ``x`` it sees."""
    sh, sw, dh, dw = strides[1], strides[2], dilations[1], dilations[2]
    for i in range(kh):
        for j in range(kw):
            yield (slice(None), _every(i * dh, oh, sh), _every(j * dw, ow, sw), slice(None))


def _crop(xp, padded, pads):
    (_, _), (top, bottom), (left, right), (_, _) = pads
    return padded[:, top:padded.shape[1] - bottom, left:padded.shape[2] - right, :]


def _columns(xp, x, kh, kw, strides, dilations, padding):
    """im2col: (N·oh·ow, kh·kw·C) rows of input windows, and (oh, ow)."""
    (oh, ow), pads = _geometry(x.shape, kh, kw, strides, dilations, padding)
    xpad = xp.pad(x, pads)
    taps = [xpad[s] for s in _windows(xpad, kh, kw, strides, dilations, oh, ow)]
    cols = xp.stack(taps, axis=3)  # (N, oh, ow, kh·kw, C)
    return cols.reshape(x.shape[0] * oh * ow, kh * kw * x.shape[3]), (oh, ow)


# -- Conv2D ----------------------------------------------------------------------------------------
def _conv2d_kernel(xp, x, filters, strides, padding, dilations, data_format):
    kh, kw, cin, cout = filters.shape
    cols, (oh, ow) = _columns(xp, x, kh, kw, strides, dilations, padding)
    out = cols @ filters.reshape(kh * kw * cin, cout)  # (N·oh·ow, cout)
    return out.reshape(x.shape[0], oh, ow, cout)


def _conv2d_shape(x, filters, strides, padding, dilations, data_format):
    if x.shape.rank is not None and x.shape.rank != 4:
        raise ShapeError(f"Shape must be rank 4 but is rank {x.shape.rank}")
    if filters.shape.rank is not None and filters.shape.rank != 4:
        raise ShapeError(f"Shape must be rank 4 but is rank {filters.shape.rank}")
    n, h, w, c = x.shape.as_list() if x.shape.rank else [None] * 4
    kh, kw, fc, cout = filters.shape.as_list() if filters.shape.rank else [None] * 4
    if c is not None and fc is not None and c != fc:
        if c % fc:
            raise ShapeError(f"Depth of input ({c}) is not a multiple of input depth of filter ({fc})")
        raise ShapeError(f"Depth of input ({c}) differs from the input depth of the filter ({fc}): grouped "
                         "convolutions are not supported by tinyflow")
    oh = None if h is None or kh is None else _out_size(h, kh, strides[1], dilations[1], padding)[0]
    ow = None if w is None or kw is None else _out_size(w, kw, strides[2], dilations[2], padding)[0]
    return (TensorShape([n, oh, ow, cout]), x.dtype)


register_op("Conv2D", kernel=_conv2d_kernel, shape=_conv2d_shape, same_dtype=True, allowed=FLOATS)


@register_gradient("Conv2D")
def _conv2d_grad(op, grad):
    x, filters = op.inputs
    return [apply_op("Conv2DBackpropInput", [x, filters, grad], op.attrs),
            apply_op("Conv2DBackpropFilter", [x, filters, grad], op.attrs)]


# NOTE: TF's backprop ops take the *shape* of the input (or filter) as a tensor. Here the
# tensor itself stands in for its shape, so static shapes stay known while a graph is built;
# its values are never read (its gradient is None).
def _backprop_input_kernel(xp, x, filters, dy, strides, padding, dilations, data_format):
    kh, kw, cin, cout = filters.shape
    (oh, ow), pads = _geometry(x.shape, kh, kw, strides, dilations, padding)
    cols = dy.reshape(-1, cout) @ filters.reshape(kh * kw * cin, cout).T  # (N·oh·ow, kh·kw·cin)
    cols = cols.reshape(x.shape[0], oh, ow, kh * kw, cin)
    padded = [x.shape[0], x.shape[1] + sum(pads[1]), x.shape[2] + sum(pads[2]), cin]
    dx = xp.zeros(padded, dtype=dy.dtype)
    for t, s in enumerate(_windows(dx, kh, kw, strides, dilations, oh, ow)):
        dx[s] += cols[:, :, :, t, :]  # each tap sends its share back to the pixels it read
    return _crop(xp, dx, pads)


register_op("Conv2DBackpropInput", kernel=_backprop_input_kernel, shape=lambda x, f, dy, **a: (x.shape, dy.dtype))


@register_gradient("Conv2DBackpropInput")
def _backprop_input_grad(op, grad):
    x, filters, dy = op.inputs
    return [None, apply_op("Conv2DBackpropFilter", [grad, filters, dy], op.attrs),
            apply_op("Conv2D", [grad, filters], op.attrs)]


def _backprop_filter_kernel(xp, x, filters, dy, strides, padding, dilations, data_format):
    kh, kw, cin, cout = filters.shape
    cols, _ = _columns(xp, x, kh, kw, strides, dilations, padding)
    return (cols.T @ dy.reshape(-1, cout)).reshape(kh, kw, cin, cout)


register_op("Conv2DBackpropFilter", kernel=_backprop_filter_kernel,
            shape=lambda x, f, dy, **a: (f.shape, dy.dtype))


@register_gradient("Conv2DBackpropFilter")
def _backprop_filter_grad(op, grad):
    x, filters, dy = op.inputs
    return [apply_op("Conv2DBackpropInput", [x, grad, dy], op.attrs), None,
            apply_op("Conv2D", [x, grad], op.attrs)]


def _spatial(value, name, data_format):
    """TF's rule for ``strides``/``ksize``/``dilations``: an int, or 1, 2 or 4 numbers → (1, h, w, 1)."""
    if value is None:
        return (1, 1, 1, 1)
    seq = [value] if isinstance(value, int) else [int(v) for v in value]
    if len(seq) == 1:
        seq = seq * 2
    if len(seq) == 2:
        return (1, seq[0], seq[1], 1)
    if len(seq) == 4:
        if seq[0] != 1 or seq[3] != 1:
            raise ValueError(f"{name} in the batch and depth dimensions must be 1, got {seq}")
        return tuple(seq)
    raise ValueError(f"{name} should be of length 1, 2 or 4 but was {len(seq)}")


def _check_format(padding, data_format):
    if padding not in ("SAME", "VALID"):
        raise ValueError(f'Value for attr \'padding\' of "{padding}" is not in the list of allowed values: '
                         '"SAME", "VALID" (write it in capitals).')
    if data_format not in (None, "NHWC"):
        raise ValueError(f"tinyflow's convolution and pooling ops support data_format='NHWC' only (as TF on "
                         f"the CPU); got {data_format!r}. Transpose the input to NHWC first.")


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):  # noqa: A002
    """2-D convolution (cross-correlation, as in every framework) of NHWC ``input`` with ``filters``.

    out[n, y, x, o] = Σ_{i, j, c} input[n, y·sh + i·dh, x·sw + j·dw, c] · filters[i, j, c, o]

    Args:
      input: [batch, height, width, in_channels].
      filters: [filter_height, filter_width, in_channels, out_channels].
      strides: int or list of 1, 2 or 4 ints (the window step).
      padding: "VALID" (no padding) or "SAME" (zero-pad so out = ceil(in / stride)).
      data_format: "NHWC" (default; the only one supported).
      dilations: int or list (default 1): spacing between filter taps.
    """
    _check_format(padding, data_format)
    attrs = {"strides": _spatial(strides, "strides", data_format), "padding": padding,
             "dilations": _spatial(dilations, "dilations", data_format), "data_format": "NHWC"}
    return apply_op("Conv2D", [input, filters], attrs, name=name or "Conv2D")


# -- max pooling --------------------------------------------------------------------------------------
def _pool_geometry(x_shape, ksize, strides, padding):
    return _geometry(x_shape, ksize[1], ksize[2], strides, (1, 1, 1, 1), padding)


def _pool_taps(x, ksize, strides, oh, ow):
    return _windows(x, ksize[1], ksize[2], strides, (1, 1, 1, 1), oh, ow)


def _padded_for_max(xp, x, pads):
    lowest = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
    return xp.pad(x, pads, constant_values=lowest)  # padding never wins the max


def _max_pool_kernel(xp, x, ksize, strides, padding, data_format):
    (oh, ow), pads = _pool_geometry(x.shape, ksize, strides, padding)
    xpad = _padded_for_max(xp, x, pads)
    out = None
    for s in _pool_taps(xpad, ksize, strides, oh, ow):
        out = xpad[s] if out is None else xp.maximum(out, xpad[s])
    return out


def _pool_shape(x, ksize, strides, padding, data_format):
    if x.shape.rank is not None and x.shape.rank != 4:
        raise ShapeError(f"Shape must be rank 4 but is rank {x.shape.rank}")
    n, h, w, c = x.shape.as_list() if x.shape.rank else [None] * 4
    oh = None if h is None else _out_size(h, ksize[1], strides[1], 1, padding)[0]
    ow = None if w is None else _out_size(w, ksize[2], strides[2], 1, padding)[0]
    return (TensorShape([n, oh, ow, c]), x.dtype)


register_op("MaxPool", kernel=_max_pool_kernel, shape=_pool_shape)


def _argmax_taps(xp, x, y, ksize, strides, padding):
    """(padding widths, [(tap slice, hit mask)]): a hit marks the outputs whose max came from that
    tap (the first such tap when several inputs tie, as in TF)."""
    (oh, ow), pads = _pool_geometry(x.shape, ksize, strides, padding)
    xpad = _padded_for_max(xp, x, pads)
    taken = xp.zeros(y.shape, dtype=bool)
    taps = []
    for s in _pool_taps(xpad, ksize, strides, oh, ow):
        hit = (xpad[s] == y) & ~taken
        taken |= hit
        taps.append((s, hit))
    return pads, xpad.shape, taps


def _max_pool_grad_kernel(xp, x, y, grad, ksize, strides, padding, data_format):
    pads, padded_shape, taps = _argmax_taps(xp, x, y, ksize, strides, padding)
    dx = xp.zeros(padded_shape, dtype=grad.dtype)
    for s, hit in taps:
        dx[s] += xp.where(hit, grad, 0)  # the gradient goes to the input that was the max
    return _crop(xp, dx, pads)


register_op("MaxPoolGrad", kernel=_max_pool_grad_kernel, shape=lambda x, y, g, **a: (x.shape, g.dtype))


@register_gradient("MaxPool")
def _max_pool_grad(op, grad):
    return [apply_op("MaxPoolGrad", [op.inputs[0], op.outputs[0], grad], op.attrs)]


def _max_pool_grad_grad_kernel(xp, x, y, gg, ksize, strides, padding, data_format):
    pads, _, taps = _argmax_taps(xp, x, y, ksize, strides, padding)
    ggpad = xp.pad(gg, pads)
    out = xp.zeros(y.shape, dtype=gg.dtype)
    for s, hit in taps:
        out += xp.where(hit, ggpad[s], 0)  # read gg back at each window's argmax
    return out


register_op("MaxPoolGradGrad", kernel=_max_pool_grad_grad_kernel, shape=lambda x, y, g, **a: (y.shape, g.dtype))


@register_gradient("MaxPoolGrad")
def _max_pool_grad_grad(op, grad):
    x, y, _ = op.inputs
    return [None, None, apply_op("MaxPoolGradGrad", [x, y, grad], op.attrs)]


@register_gradient("MaxPoolGradGrad")
def _max_pool_grad_grad_grad(op, grad):
    x, y, _ = op.inputs
    return [None, None, apply_op("MaxPoolGrad", [x, y, grad], op.attrs)]


def _pool_attrs(ksize, strides, padding, data_format):
    _check_format(padding, data_format)
    return {"ksize": _spatial(ksize, "ksize", data_format), "strides": _spatial(strides, "strides", data_format),
            "padding": padding, "data_format": "NHWC"}


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Max over each ksize window of NHWC ``input``, moving by ``strides``.

    The gradient goes to the window's maximum (the first one when several are equal).
    """
    return apply_op("MaxPool", [input], _pool_attrs(ksize, strides, padding, data_format), name=name or "MaxPool2d")


# -- average pooling ------------------------------------------------------------------------------------
def _window_counts(xp, x_shape, ksize, strides, padding, dtype):
    """How many real (not padded) inputs each output window covers: TF's SAME average ignores padding."""
    (oh, ow), pads = _pool_geometry(x_shape, ksize, strides, padding)
    ones = xp.pad(xp.ones((1, x_shape[1], x_shape[2], 1), dtype=dtype), pads)
    return sum(ones[s] for s in _pool_taps(ones, ksize, strides, oh, ow))


def _avg_pool_kernel(xp, x, ksize, strides, padding, data_format):
    (oh, ow), pads = _pool_geometry(x.shape, ksize, strides, padding)
    xpad = xp.pad(x, pads)
    total = sum(xpad[s] for s in _pool_taps(xpad, ksize, strides, oh, ow))
    return (total / _window_counts(xp, x.shape, ksize, strides, padding, x.dtype)).astype(x.dtype, copy=False)


register_op("AvgPool", kernel=_avg_pool_kernel, shape=_pool_shape, allowed=FLOATS)


@register_gradient("AvgPool")
def _avg_pool_grad(op, grad):
    return [apply_op("AvgPoolGrad", [op.inputs[0], grad], op.attrs)]


def _avg_pool_grad_kernel(xp, x, grad, ksize, strides, padding, data_format):
    (oh, ow), pads = _pool_geometry(x.shape, ksize, strides, padding)
    share = grad / _window_counts(xp, x.shape, ksize, strides, padding, grad.dtype)
    padded = [x.shape[0], x.shape[1] + sum(pads[1]), x.shape[2] + sum(pads[2]), x.shape[3]]
    dx = xp.zeros(padded, dtype=grad.dtype)
    for s in _pool_taps(dx, ksize, strides, oh, ow):
        dx[s] += share  # every input of the window gets an equal share
    return _crop(xp, dx, pads)


register_op("AvgPoolGrad", kernel=_avg_pool_grad_kernel, shape=lambda x, g, **a: (x.shape, g.dtype))


@register_gradient("AvgPoolGrad")
def _avg_pool_grad_grad(op, grad):
    return [None, apply_op("AvgPool", [grad], op.attrs)]  # AvgPoolGrad is AvgPool's adjoint


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Mean over each ksize window of NHWC ``input``; with "SAME", padded cells are not counted."""
    return apply_op("AvgPool", [input], _pool_attrs(ksize, strides, padding, data_format), name=name or "AvgPool2D")


def _rank4(input, what):  # noqa: A002
    x = convert_to_tensor(input)
    if x.shape.rank is not None and x.shape.rank != 4:
        raise NotImplementedError(f"tf.nn.{what} supports 4-D (NHWC) inputs only in tinyflow; got rank "
                                  f"{x.shape.rank}.")
    return x


def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """``tf.nn.max_pool`` (N-D in TF): 2-D max pooling of an NHWC input."""
    return max_pool2d(_rank4(input, "max_pool"), ksize, strides, padding, data_format, name)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """``tf.nn.avg_pool`` (N-D in TF): 2-D average pooling of an NHWC input."""
    return avg_pool2d(_rank4(input, "avg_pool"), ksize, strides, padding, data_format, name)
