"""``tf.compat``: the TF1 API (``tf.compat.v1``) for graphs and sessions."""
from tinyflow.compat import v1  # noqa: F401
