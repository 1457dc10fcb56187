"""The global step: a graph's int64 counter of training steps (``tf.compat.v1.train.get_or_create_global_step``).

>>> import tinyflow as tf
>>> with tf.Graph().as_default():
...     step = tf.compat.v1.train.get_or_create_global_step()
...     step is tf.compat.v1.train.get_global_step()
True
"""
from __future__ import annotations

import numpy as np

from tinyflow.framework import context
from tinyflow.variables import Variable

GLOBAL_STEP = "global_step"
_eager_global_step: list = []  # eager mode has no graph collections; keep the one step here


def get_global_step(graph=None):
    """The global step variable of ``graph`` (default graph), or None if there is none."""
    if graph is None and context.executing_eagerly():
        return _eager_global_step[0] if _eager_global_step else None
    graph = graph or context.get_default_graph()
    steps = graph.get_collection(GLOBAL_STEP)
    return steps[0] if steps else None


def create_global_step(graph=None) -> Variable:
    """Create the global step (an int64 variable starting at 0, not trainable)."""
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    if graph is None and context.executing_eagerly():
        step = Variable(np.int64(0), trainable=False, name="global_step")
        _eager_global_step.append(step)
        return step
    graph = graph or context.get_default_graph()
    with graph.as_default(), graph.name_scope(None):
        step = Variable(np.int64(0), trainable=False, name="global_step")
    graph.add_to_collection(GLOBAL_STEP, step)
    return step


def get_or_create_global_step(graph=None) -> Variable:
    """The global step of ``graph``, created on first use."""
    step = get_global_step(graph)
    return step if step is not None else create_global_step(graph)
