"""The TensorFlow Playground in JupyterLab, trained by tinyflow.

>>> from tinyflow.playground import Playground
>>> pg = Playground(dataset="xor", hidden=[4], seed=0)
>>> pg.step(epochs=3)
>>> pg.epoch
3
"""
from tinyflow.playground.playground import Playground
from tinyflow.playground.state import PlaygroundState

__all__ = ["Playground", "PlaygroundState"]
