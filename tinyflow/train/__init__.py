"""``tf.compat.v1.train``: TF1 optimizers (``minimize`` builds the update ops) and the global step.

>>> import tinyflow as tf
>>> sorted(n for n in dir(tf.compat.v1.train) if n.endswith("Optimizer"))
['AdamOptimizer', 'GradientDescentOptimizer', 'MomentumOptimizer', 'Optimizer']
"""
from tinyflow.train.adam import AdamOptimizer
from tinyflow.train.gradient_descent import GradientDescentOptimizer
from tinyflow.train.momentum import MomentumOptimizer
from tinyflow.train.optimizer import Optimizer
from tinyflow.train.training_util import create_global_step, get_global_step, get_or_create_global_step

__all__ = ["AdamOptimizer", "GradientDescentOptimizer", "MomentumOptimizer", "Optimizer", "create_global_step",
           "get_global_step", "get_or_create_global_step"]
