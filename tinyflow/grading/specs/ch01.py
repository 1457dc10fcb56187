"""Chapter 01 (tensors): shapes, broadcasting, reductions and dtypes.

- ex01_1 `broadcast_shape(shape_a, shape_b)`: numpy/TF broadcasting of two static shapes, as a tuple,
  or `ValueError("Incompatible shapes: [2,3] vs. [4]")` (TF's eager text) when they cannot broadcast.
- ex01_2 `normalize_rows(x)`: scale every row of a float32 matrix to unit Euclidean length, with tf ops
  only (the probe runs it inside `tf.function`, where numpy cannot see the values).
- ex01_3 `pairwise_sq_distances(a, b)`: the (n, m) matrix of squared distances between the rows of
  a (n, d) and b (m, d), by broadcasting or by the |a|^2 - 2ab^T + |b|^2 expansion (also in tf.function).
- ex01_4 `accuracy(labels, predictions)`: the fraction of equal entries of two int32 tensors, as a
  float32 scalar tensor: the integer-mean dtype bug and its tf.cast fix.

The references and the wrong versions of ex01_2..4 are written with tinyflow ops, because the probe
runs them (like the learner's function) inside `tf.function`; tinyflow is imported inside each one.
"""

import numpy as np

from tinyflow.grading.compare import close, equal, fmt
from tinyflow.grading.spec import Case, Exercise, Mistake

# -- ex01_1: broadcasting two shapes ---------------------------------------------------------------------


def broadcast_probe(fn, shape_a, shape_b):
    """Call the learner's function on two tuples; a ValueError becomes data, so its message is graded."""
    try:
        out = fn(tuple(shape_a), tuple(shape_b))
    except ValueError as e:
        return {"raised": "ValueError", "message": str(e)}
    return out


def _tf_shape(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _broadcast_shape(shape_a, shape_b):
    # Walk both shapes from the right; a missing leading dimension counts as 1.
    n = max(len(shape_a), len(shape_b))
    out = []
    for i in range(1, n + 1):
        p = shape_a[-i] if i <= len(shape_a) else 1
        q = shape_b[-i] if i <= len(shape_b) else 1
        if p != q and 1 not in (p, q):
            raise ValueError(f"Incompatible shapes: {_tf_shape(shape_a)} vs. {_tf_shape(shape_b)}")
        out.append(q if p == 1 else p)
    return tuple(reversed(out))


def _compare_broadcast(got, expected):
    if isinstance(expected, dict):  # the shapes cannot broadcast: a ValueError with TF's message
        if not (isinstance(got, dict) and got.get("raised") == "ValueError"):
            return f"returned {fmt(got)}, but these shapes cannot broadcast: raise ValueError"
        if got["message"].strip() != expected["message"]:
            return f"raised ValueError({got['message']!r}), expected ValueError({expected['message']!r})"
        return None
    if isinstance(got, dict):
        return f"raised ValueError({got['message']!r}), but the shapes broadcast to {fmt(expected)}"
    return equal()(got, expected)


def _left_aligned(shape_a, shape_b):
    """Broadcasting with the shapes aligned on the LEFT (the classic mistake); None when that fails."""
    n = max(len(shape_a), len(shape_b))
    a = tuple(shape_a) + (1,) * (n - len(shape_a))
    b = tuple(shape_b) + (1,) * (n - len(shape_b))
    if any(p != q and 1 not in (p, q) for p, q in zip(a, b)):
        return None
    return tuple(q if p == 1 else p for p, q in zip(a, b))


def _aligned_left(case, got, expected):
    if len(case.args[0]) == len(case.args[1]):
        return None  # alignment only matters when the ranks differ
    left = _left_aligned(*case.args)
    if isinstance(expected, dict):  # cannot broadcast; left alignment may wrongly accept the shapes
        wrong = left is not None and got == left
    else:  # left alignment gives another shape, or wrongly rejects the shapes
        raised = isinstance(got, dict) and got.get("raised") == "ValueError"
        wrong = left != expected and ((left is None and raised) or (left is not None and got == left))
    rank = max(len(shape) for shape in case.args)
    a, b = (tuple(shape) + (1,) * (rank - len(shape)) for shape in case.args)
    if wrong or got == tuple(max(p, q) for p, q in zip(a, b)) != expected:  # left-aligned, and unchecked
        return ("you aligned the shapes on the left. Broadcasting compares dimensions from the RIGHT "
                "(trailing dimensions first); the shorter shape gets 1s added at the front.")
    return None


def _dropped_leading(case, got, expected):
    if isinstance(got, tuple) and isinstance(expected, tuple) and 0 < len(got) < len(expected) \
            and got == expected[len(expected) - len(got):]:
        return ("the extra leading dimensions of the longer shape are missing (zip() stops at the shorter "
                "shape): pad the shorter shape with 1s on the left first.")
    return None


def _unchecked(case, got, expected):
    if isinstance(expected, dict) and isinstance(got, tuple):
        return ("two sizes broadcast only if they are equal or one of them is 1: check every pair, and "
                "raise ValueError when neither holds (taking the larger size is not enough).")
    return None


def _max_of_zero(case, got, expected):
    if not (isinstance(expected, tuple) and 0 in expected):
        return None
    rank = max(len(shape) for shape in case.args)
    a, b = ((1,) * (rank - len(shape)) + tuple(shape) for shape in case.args)
    if got == tuple(max(p, q) for p, q in zip(a, b)):
        return "a size-1 dimension stretches to the other size, even when that is 0: use the other size, not max()."
    return None


def _message_format(case, got, expected):
    if isinstance(got, dict) and isinstance(expected, dict) and got.get("raised") == "ValueError":
        return ("TF prints shapes in square brackets with no spaces, e.g. "
                "f\"Incompatible shapes: [{','.join(map(str, shape_a))}] vs. [...]\", "
                "shape_a first. Build the text from the shapes you were given.")
    return None


def _used_assert(case, got, expected):
    if getattr(got, "type_name", None) == "AssertionError":
        return "raise ValueError(...) yourself: `assert` raises the wrong type and vanishes under python -O."
    return None


def _not_a_tuple(case, got, expected):
    if isinstance(got, (list, np.ndarray)) and np.array_equal(got, expected):
        return f"return a tuple of ints, like a numpy `.shape`: {fmt(expected)}, not {fmt(got)}."
    return None


# -- ex01_2: normalise rows ------------------------------------------------------------------------------


def tf_function_probe(fn, *arrays):
    """Run the learner's function on float32 tensors inside tf.function (tf ops only), return numpy."""
    import tinyflow as tf

    tensors = [tf.constant(np.asarray(a, dtype=np.float32)) for a in arrays]
    try:
        return tf.function(fn)(*tensors)
    except NotImplementedError as e:
        if "symbolic" not in str(e):
            raise  # "not attempted yet"
        # TF raises NotImplementedError when numpy meets a symbolic tensor; report it as a real error
        raise TypeError(str(e)) from None


def _normalize_rows(x):
    import tinyflow as tf

    return x / tf.math.reduce_euclidean_norm(x, axis=-1, keepdims=True)  # (n, d) / (n, 1)


def _rows_axis0(x):
    import tinyflow as tf

    return x / tf.sqrt(tf.reduce_sum(tf.square(x), axis=0, keepdims=True))


def _rows_no_keepdims(x):
    import tinyflow as tf

    return x / tf.sqrt(tf.reduce_sum(tf.square(x), axis=1))


def _rows_no_sqrt(x):
    import tinyflow as tf

    return x / tf.reduce_sum(tf.square(x), axis=1, keepdims=True)


def _rows_sum_to_one(x):
    import tinyflow as tf

    return x / tf.reduce_sum(x, axis=1, keepdims=True)


def _rows_rms(x):
    import tinyflow as tf

    return x / tf.sqrt(tf.reduce_mean(tf.square(x), axis=1, keepdims=True))


def _used_numpy(case, got, expected):
    text = getattr(got, "message", "")
    if getattr(got, "type_name", None) is not None and ("numpy" in text.lower() or "symbolic" in text):
        return ("use tf ops only (tf.reduce_sum, tf.sqrt, tf.square ...): the grader runs your function "
                "inside tf.function, where tensors are symbolic and numpy functions cannot see their values.")
    return None


def _missing_name(case, got, expected):
    if getattr(got, "type_name", None) == "AttributeError" and "has no attribute" in getattr(got, "message", ""):
        return ("tinyflow does not have that function: build the row norm from tf.sqrt, tf.reduce_sum and "
                "tf.square, or use tf.norm(x, axis=1, keepdims=True).")
    return None


# -- ex01_3: pairwise squared distances ------------------------------------------------------------------


def _pairwise(a, b):
    import tinyflow as tf

    # The expansion |a_i - b_j|^2 = |a_i|^2 - 2 a_i.b_j + |b_j|^2, written as three broadcast terms.
    aa = tf.reduce_sum(a * a, axis=1)[:, tf.newaxis]  # (n, 1)
    bb = tf.reduce_sum(b * b, axis=1)[tf.newaxis, :]  # (1, m)
    return aa - 2.0 * tf.matmul(a, b, transpose_b=True) + bb  # (n, m)


def _pairwise_diff(a, b):
    import tinyflow as tf

    return a[:, tf.newaxis, :] - b[tf.newaxis, :, :]  # (n, m, d)


def _pw_not_squared(a, b):
    import tinyflow as tf

    return tf.reduce_sum(_pairwise_diff(a, b), axis=-1)


def _pw_sqrt(a, b):
    import tinyflow as tf

    return tf.sqrt(tf.reduce_sum(tf.square(_pairwise_diff(a, b)), axis=-1))


def _pw_wrong_axis(a, b):
    import tinyflow as tf

    return tf.reduce_sum(tf.square(_pairwise_diff(a, b)), axis=1)


def _pw_transposed(a, b):
    import tinyflow as tf

    return tf.transpose(tf.reduce_sum(tf.square(_pairwise_diff(a, b)), axis=-1))


def _pw_bb_column(a, b):
    import tinyflow as tf

    aa = tf.reduce_sum(a * a, axis=1, keepdims=True)  # (n, 1)
    bb = tf.reduce_sum(b * b, axis=1, keepdims=True)  # (m, 1): a column, but it should be a row
    return aa - 2.0 * tf.matmul(a, b, transpose_b=True) + bb


def _pw_no_two(a, b):
    import tinyflow as tf

    aa = tf.reduce_sum(a * a, axis=1, keepdims=True)
    bb = tf.transpose(tf.reduce_sum(b * b, axis=1, keepdims=True))
    return aa - tf.matmul(a, b, transpose_b=True) + bb


def _forgot_transpose(case, got, expected):
    text = getattr(got, "message", "")
    if getattr(got, "type_name", None) is not None and ("MatMul" in text or "matmul" in text):
        return ("a @ b multiplies (n, d) by (m, d): the inner sizes d and m differ. You need a_i . b_j for all "
                "i, j, which is a @ transpose(b): tf.matmul(a, b, transpose_b=True).")
    return None


def _wrong_pair_axes(case, got, expected):
    text = getattr(got, "message", "")
    if getattr(got, "type_name", None) is not None and ("Dimensions must be equal" in text or "Incompatible" in text):
        return ("two shapes did not broadcast. Give a the shape (n, 1, d) and b the shape (1, m, d) "
                "(tf.newaxis), so their difference is (n, m, d), then reduce over the last axis.")
    return None


# -- ex01_4: accuracy and the integer mean ---------------------------------------------------------------


def accuracy_probe(fn, labels, predictions):
    """Call the learner's function on int32 tensors; report the dtype and value of the tensor it returns."""
    import tinyflow as tf

    out = fn(tf.constant(labels, dtype=tf.int32), tf.constant(predictions, dtype=tf.int32))
    if not isinstance(out, tf.Tensor):
        raise TypeError(f"return a tf.Tensor, not {type(out).__name__}")
    return {"dtype": out.dtype.name, "value": out.numpy()}


def _accuracy(labels, predictions):
    import tinyflow as tf

    hits = tf.reduce_sum(tf.cast(tf.equal(labels, predictions), tf.float32))
    return hits / tf.cast(tf.size(labels), tf.float32)


def _acc_int_mean(labels, predictions):  # the bug the exercise asks to fix
    import tinyflow as tf

    return tf.reduce_mean(tf.cast(tf.equal(labels, predictions), tf.int32))


def _acc_cast_after_mean(labels, predictions):
    import tinyflow as tf

    return tf.cast(tf.reduce_mean(tf.cast(tf.equal(labels, predictions), tf.int32)), tf.float32)


def _acc_float64(labels, predictions):
    import tinyflow as tf

    return tf.reduce_mean(tf.cast(tf.equal(labels, predictions), tf.float64))


def _acc_count_errors(labels, predictions):
    import tinyflow as tf

    return tf.reduce_mean(tf.cast(tf.not_equal(labels, predictions), tf.float32))


def _returned_non_tensor(case, got, expected):
    if getattr(got, "type_name", None) == "TypeError" and "return a tf.Tensor" in getattr(got, "message", ""):
        return (f"{got.message}: keep the result a tensor (no .numpy(), float() or Python arithmetic on "
                "lists), so it can stay inside a graph.")
    return None


def _reduced_a_bool(case, got, expected):
    text = getattr(got, "message", "")
    if getattr(got, "type_name", None) is not None and "bool" in text:
        return ("tf.equal gives a bool tensor, and reductions do not accept bool: tf.cast it to tf.float32 "
                "first (True -> 1.0, False -> 0.0).")
    return None


EXERCISES = [
    Exercise(
        id="ex01_1",
        name="broadcast_shape",
        title="Broadcast two shapes (or raise TF's error)",
        points=3,
        cases=[
            Case((3, 1), (1, 4)),
            Case((2, 3), (3,)),
            Case((8, 1, 6, 1), (7, 1, 5)),
            Case((4, 1), (4,), label="shape_a=(4, 1), shape_b=(4,): align from the right"),
            Case((5,), (), label="shape_a=(5,), shape_b=() (a scalar)"),
            Case((2, 3), (4,), label="shape_a=(2, 3), shape_b=(4,): cannot broadcast"),
            Case((2, 1), (8, 4, 3), label="shape_a=(2, 1), shape_b=(8, 4, 3): cannot broadcast"),
            Case((0,), (1,), label="shape_a=(0,), shape_b=(1,): a size-0 dimension"),
        ],
        reference=_broadcast_shape,
        probe=broadcast_probe,
        compare=_compare_broadcast,
        hints=[
            _aligned_left,
            _dropped_leading,
            _unchecked,
            _max_of_zero,
            _message_format,
            _used_assert,
            _not_a_tuple,
        ],
    ),
    Exercise(
        id="ex01_2",
        name="normalize_rows",
        title="Scale every row to unit length, with tf ops",
        points=2,
        cases=[
            Case(np.array([[3.0, 4.0], [1.0, 0.0]]), label="a 2x2 matrix"),
            Case(np.array([[1.0, 2.0, 2.0], [0.0, -3.0, 4.0]]), label="a 2x3 matrix"),
            Case(np.array([[2.0, 0.0], [0.0, -5.0], [6.0, 8.0]]), label="a 3x2 matrix"),
            Case(np.array([[1.0, 1.0, 1.0, 1.0]]), label="a single row"),
        ],
        reference=_normalize_rows,
        probe=tf_function_probe,
        compare=close(rtol=1e-5, atol=1e-6),
        hints=[
            Mistake(_rows_axis0, "your columns have length 1, not your rows: reduce over axis=1 (or -1), the "
                    "axis that runs along a row."),
            Mistake(_rows_no_keepdims, "the row norms have shape (n,) without keepdims, and (n, d) / (n,) "
                    "lines them up with the COLUMNS (it fails when n != d, and is silently wrong when "
                    "n == d): pass keepdims=True so the norms have shape (n, 1)."),
            Mistake(_rows_no_sqrt, "you divided by the sum of squares; the Euclidean length is its square "
                    "root: tf.sqrt(...)."),
            Mistake(_rows_sum_to_one, "your rows sum to 1; the task asks for rows of unit LENGTH: divide by "
                    "sqrt(sum of squares)."),
            Mistake(_rows_rms, "reduce_mean divides by the row length d: the norm uses reduce_sum."),
            _used_numpy,
            _missing_name,
        ],
    ),
    Exercise(
        id="ex01_3",
        name="pairwise_sq_distances",
        title="All pairwise squared distances, by broadcasting",
        points=3,
        cases=[
            Case(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[1.0, 0.0], [3.0, 4.0], [0.0, 2.0]]),
                 label="a: 2x2, b: 3x2"),
            Case(np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0], [2.0, -1.0, 1.0]]),
                 np.array([[0.0, 0.0, 1.0], [1.0, 2.0, 3.0], [-1.0, 0.0, 2.0]]), label="a: 3x3, b: 3x3"),
            Case(np.array([[1.0], [4.0], [-2.0], [0.5]]), np.array([[0.0], [2.0]]), label="a: 4x1, b: 2x1"),
            Case(np.array([[1.0, -1.0, 0.0, 2.0]]), np.array([[0.0, 1.0, 1.0, 2.0], [1.0, -1.0, 0.0, 2.0]]),
                 label="a: 1x4, b: 2x4"),
        ],
        reference=_pairwise,
        probe=tf_function_probe,
        compare=close(rtol=1e-4, atol=1e-4),
        hints=[
            Mistake(_pw_not_squared, "you summed the differences themselves; square them first (the "
                    "positive and negative differences cancel)."),
            Mistake(_pw_sqrt, "that is the Euclidean distance; the task asks for its SQUARE: drop tf.sqrt."),
            Mistake(_pw_wrong_axis, "you reduced over axis 1 (the m axis of b); sum over the LAST axis, "
                    "the d coordinates, to get an (n, m) result."),
            Mistake(_pw_transposed, "your result is the transpose: row i must hold the distances from a[i] "
                    "to every row of b, so its shape is (n, m)."),
            Mistake(_pw_bb_column, "|b_j|^2 must vary along the columns: give it the shape (1, m), not "
                    "(m, 1) (transpose it, or index [tf.newaxis, :])."),
            Mistake(_pw_no_two, "the expansion is |a|^2 - 2 a.b + |b|^2: you forgot the factor 2."),
            _forgot_transpose,
            _wrong_pair_axes,
            _used_numpy,
        ],
    ),
    Exercise(
        id="ex01_4",
        name="accuracy",
        title="Fix the integer-mean dtype bug with tf.cast",
        points=2,
        cases=[
            Case([1, 0, 2, 2], [1, 0, 1, 2], label="3 of 4 right"),
            Case([0, 1, 1], [1, 0, 0], label="none right"),
            Case([4, 4, 4, 4, 4], [4, 4, 4, 4, 4], label="all right"),
            Case([3, 1, 2, 0, 1, 1, 2, 0], [3, 1, 0, 0, 2, 1, 2, 1], label="5 of 8 right"),
        ],
        reference=_accuracy,
        probe=accuracy_probe,
        compare=close(rtol=1e-6, atol=1e-7),
        hints=[
            Mistake(_acc_int_mean, "this is the bug: the mean of an int32 tensor is computed in int32, so "
                    "0.75 is truncated to 0. tf.cast the bool tensor to tf.float32 before reduce_mean."),
            Mistake(_acc_cast_after_mean, "casting AFTER reduce_mean is too late: the int32 mean has already "
                    "been truncated. Cast the comparison to tf.float32, then take the mean."),
            Mistake(_acc_float64, "the value is right but the dtype is float64 (a cast to tf.float64 does "
                    "that, and so does int32 / int32, which is true division in TF): cast the comparison to "
                    "tf.float32, the dtype TensorFlow uses for metrics, and take its mean."),
            Mistake(_acc_count_errors, "you computed the error rate (the fraction of DIFFERENT entries): use "
                    "tf.equal, not tf.not_equal."),
            _returned_non_tensor,
            _reduced_a_bool,
        ],
    ),
]
