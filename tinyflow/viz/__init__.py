"""Plotting helpers shared by the course notebooks (matplotlib only; no graphviz needed).

* :func:`draw_graph` and :func:`graph_summary`: a computation graph as a picture and as text;
* :func:`plot_history` and :func:`plot_curves`: training curves;
* :func:`plot_decision_boundary`: what a 2-D classifier predicts over the plane;
* :func:`plot_attention`: attention weights as a heatmap;
* :func:`plot_images` and :func:`plot_confusion_matrix`: image grids and classification errors.

Every helper sets a title and labelled axes (a course rule) and returns the matplotlib Axes.

>>> import tinyflow as tf
>>> from tinyflow import viz
>>> with tf.Graph().as_default() as g:
...     y = tf.constant(2.0, name="a") * 3.0
>>> print(viz.graph_summary(g).splitlines()[0])
Computation graph: 3 ops
"""
from tinyflow.viz.attention import plot_attention
from tinyflow.viz.boundary import plot_decision_boundary
from tinyflow.viz.curves import plot_curves, plot_history
from tinyflow.viz.graph import ROLE_STYLE, draw_graph, graph_summary
from tinyflow.viz.images import confusion_matrix, plot_confusion_matrix, plot_images

__all__ = ["draw_graph", "graph_summary", "plot_history", "plot_curves", "plot_decision_boundary",
           "plot_attention", "plot_images", "plot_confusion_matrix", "confusion_matrix", "ROLE_STYLE"]
