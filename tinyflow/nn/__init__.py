"""``tf.nn``: activations, losses on logits, convolution and pooling, normalisation and dropout.

>>> import tinyflow as tf
>>> tf.nn.relu([-1.0, 1.0]).numpy()
array([0., 1.], dtype=float32)
"""
from tinyflow.ops.activation_ops import *
from tinyflow.ops.conv_ops import *
from tinyflow.ops.loss_ops import *
from tinyflow.ops.math_ops import sigmoid, tanh
from tinyflow.ops.nn_ops import *
from tinyflow.ops.sort_ops import top_k
