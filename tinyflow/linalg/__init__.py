"""``tf.linalg``: norms, products and transposes under TensorFlow's namespace."""
from tinyflow.ops.clip_ops import global_norm
from tinyflow.ops.creation_ops import eye
from tinyflow.ops.linalg_ops import matrix_transpose, norm
from tinyflow.ops.math_ops import matmul
from tinyflow.ops.nn_ops import l2_normalize
from tinyflow.ops.reduction_ops import einsum
