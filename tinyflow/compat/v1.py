"""``tf.compat.v1``: TensorFlow 1's graph-and-session API.

>>> import tinyflow as tf
>>> g = tf.Graph()
>>> with g.as_default():
...     a = tf.compat.v1.placeholder(tf.float32, [2], name="a")
...     b = tf.compat.v1.Variable([1.0, 1.0])
...     c = a + b
>>> with tf.compat.v1.Session(graph=g) as sess:
...     _ = sess.run(tf.compat.v1.global_variables_initializer())
...     print(sess.run(c, {a: [1.0, 2.0]}))
[2. 3.]
"""
from tinyflow import train  # noqa: F401  (tf.compat.v1.train.GradientDescentOptimizer ...)
from tinyflow.framework.context import (  # noqa: F401
    disable_eager_execution,
    enable_eager_execution,
    executing_eagerly,
    get_default_graph,
    reset_default_graph,
)
from tinyflow.gradients import gradients  # noqa: F401
from tinyflow.ops.base_ops import placeholder  # noqa: F401
from tinyflow.ops.random_ops import categorical as multinomial  # noqa: F401
from tinyflow.ops.random_ops import get_seed, truncated_normal  # noqa: F401
from tinyflow.ops.random_ops import normal as random_normal  # noqa: F401
from tinyflow.ops.random_ops import shuffle as random_shuffle  # noqa: F401
from tinyflow.ops.random_ops import uniform as random_uniform  # noqa: F401
from tinyflow.session import InteractiveSession, Session, get_default_session  # noqa: F401
from tinyflow.variables import (  # noqa: F401
    Variable,
    global_variables,
    global_variables_initializer,
    trainable_variables,
    variables_initializer,
)


def set_random_seed(seed: int) -> None:
    """TF1's name for ``tf.random.set_seed``: sets the default graph's seed, or the global seed eagerly."""
    from tinyflow.ops.random_ops import set_seed  # noqa: PLC0415

    set_seed(seed)


def disable_v2_behavior() -> None:
    """TF1 behaviour: graph mode by default."""
    disable_eager_execution()
