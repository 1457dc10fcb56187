"""``Playground``: the TensorFlow Playground, trained by tinyflow, driven from code or from its widget.

Every control of the original is an attribute (``pg.noise = 20``, ``pg.hidden = [8, 8]``); setting it
has the original's effect: data settings make new data and reset, network settings reset (the graph
is rebuilt only when its shape changes), the learning rate takes effect at the next batch, and the
view settings only redraw. One frame (``pg.step()``) is one epoch over the training data in
mini-batches, then the training and test losses, exactly as ``oneStep`` in ``playground.ts``.

Example:
    >>> pg = Playground(dataset="circle", seed=0)
    >>> pg.step(epochs=100)
    >>> pg.epoch, pg.test_loss < 0.05
    (100, True)
    >>> pg.hidden = [9]
    Traceback (most recent call last):
    ...
    ValueError: hidden: each layer has 1 to 8 neurons (max_neurons=8). Received: hidden=[9]
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tinyflow.datasets.features import FEATURES, make_features
from tinyflow.playground import frame as _frame
from tinyflow.playground.data import CustomData, make_split, read_custom_data
from tinyflow.playground.network import Network
from tinyflow.playground.state import (
    CUSTOM,
    DEFAULT_DATASET,
    PlaygroundState,
    Setting,
    check_setting,
    parse_config,
    problem_of,
)

DIVERGED = "Diverged: the loss is no longer a number. Reset, or lower the learning rate."
NETWORK_WIDTH = 420  # px between the input column and the output heatmap


class Playground:
    """The TensorFlow Playground as a notebook widget whose network is a tinyflow graph.

    Args:
        dataset: "circle", "xor", "gauss", "spiral", "reg-plane" or "reg-gauss" (default "circle");
            ignored when ``data`` is given.
        data: your own points: a CSV path or an array with columns x1, x2, label (see ``load_data``).
        hidden: hidden layer sizes, 0 to ``max_layers`` layers of 1 to ``max_neurons`` (default [4, 2]).
        **settings: any other setting of :class:`~tinyflow.playground.state.PlaygroundState`
            (``activation``, ``learning_rate``, ``noise``, ``train_ratio``, ``batch_size``, ``features``,
            ``regularization``, ``regularization_rate``, ``problem``, ``loss``, ``seed``, ...).

    Attributes:
        epoch: epochs trained since the last reset.
        history: ``(training loss, test loss)`` after every epoch, from epoch 0.
        split: the training and test points (``x_train``, ``y_train``, ``x_test``, ``y_test``).
        diverged, message: whether the loss stopped being a number, and what the widget says.

    Example:
        >>> pg = Playground(dataset="spiral", hidden=[8, 8], features=["x1", "x2"], seed=0)
        >>> pg.step(epochs=2)
        >>> pg.predict([[0.0, 0.0], [3.0, -2.0]]).shape
        (2,)
    """

    dataset = Setting("data")
    problem = Setting("data")
    noise = Setting("data")
    train_ratio = Setting("data")
    seed = Setting("data")
    batch_size = Setting("reset")
    features = Setting("reset")
    hidden = Setting("reset")
    activation = Setting("reset")
    regularization = Setting("reset")
    regularization_rate = Setting("reset")
    loss = Setting("reset")
    init_zero = Setting("reset")
    learning_rate = Setting("feed")
    discretize = Setting("view")
    show_test_data = Setting("view")
    max_layers = Setting("view")
    max_neurons = Setting("view")

    def __init__(self, dataset: str = "circle", *, data=None, hidden: Sequence[int] = (4, 2), **settings: Any):
        self.state = PlaygroundState.from_dict({"dataset": dataset, "hidden": list(hidden), **settings}
                                               if data is None else {"hidden": list(hidden), **settings})
        self._custom: CustomData | None = None
        self._last_dataset = dict(DEFAULT_DATASET)
        self._networks: dict[tuple, Network] = {}
        self._network: Network | None = None
        self._view = None
        self._task: asyncio.Task | None = None
        if data is not None:
            self.load_data(data)
        else:
            self._new_data()

    # -- settings ----------------------------------------------------------------------------------
    def _set(self, name: str, value, effect: str) -> None:
        value = check_setting(self.state, name, value)
        if name == "dataset":
            if value == CUSTOM and self._custom is None:
                raise ValueError("dataset='custom' needs your data first: pg.load_data('points.csv').")
            self.state.problem = problem_of(value) or self._custom.problem
        if name == "problem" and value != self.state.problem:
            self.state.dataset = self._last_dataset[value]
        setattr(self.state, name, value)
        self._last_dataset[self.state.problem] = self.state.dataset
        switched = self.state.problem == "regression" and self.state.loss == "cross_entropy"
        if switched:
            self.state.loss = "square"
        if effect == "data":
            self._new_data()
        elif effect == "reset":
            self.reset()
        if switched:
            self.message = "Cross-entropy needs labels -1/+1: the loss is back to square for regression."
        if self._view is not None and (switched or effect in ("feed", "view")):
            self._view.refresh()

    def load_data(self, source: str | Path | np.ndarray | tuple) -> None:
        """Train on your own points: a CSV path, an (n, 3) array ``x1, x2, label`` or a pair ``(x, y)``.

        Labels -1/+1 (or 0/1) make a classification problem, other numbers a regression problem.
        Raises ValueError with a message that says what is wrong with the data.
        """
        self._custom = read_custom_data(source)
        self.state.dataset, self.state.problem = CUSTOM, self._custom.problem
        if self.state.problem == "regression":
            self.state.loss = "square"
        self._new_data()

    def regenerate(self) -> None:
        """New data: a new seed (drawn from the current one), as the original's "Regenerate" button."""
        self.state.seed = int(np.random.default_rng(self.state.seed).integers(2**31))
        self._new_data()

    def _new_data(self) -> None:
        s = self.state
        self.split = make_split(s.dataset, s.noise, s.train_ratio, s.seed,
                                self._custom if s.dataset == CUSTOM else None)
        self.reset()

    # -- the network ---------------------------------------------------------------------------------
    def reset(self) -> None:
        """New initial weights (the same ones for the same settings and seed); epoch 0; stop playing."""
        self.pause()
        s = self.state
        output = "linear" if s.problem == "regression" else "tanh"
        key = (len(s.features), tuple(s.hidden), s.activation, output, s.regularization, s.loss)
        if key not in self._networks:
            if len(self._networks) >= 16:
                self._networks.pop(next(iter(self._networks))).session.close()
            self._networks[key] = Network(*key)
        self._network = self._networks[key]
        self._network.initialize(np.random.default_rng([s.seed, 1]), s.init_zero)
        x_tr, x_te = make_features(self.split.x_train, s.features), make_features(self.split.x_test, s.features)
        self._x_train, self._y_train = x_tr, self.split.y_train
        self._x_eval = np.concatenate([x_tr, x_te])  # (train + test, inputs)
        self._y_eval = np.concatenate([self.split.y_train, self.split.y_test])
        self._x_grid_eval = np.concatenate([make_features(_frame.grid_points(), s.features), self._x_eval])
        self._y_grid_eval = np.concatenate([np.zeros(_frame.DENSITY ** 2), self._y_eval])
        self.epoch, self.history, self._carry, self.diverged, self.message = 0, [], 0, False, ""
        self._evaluate(with_grid=self._view is not None)
        if self._view is not None:
            self._view.refresh()

    def _train_epoch(self) -> None:
        """oneStep's loop: update after every ``batch_size`` points; leftovers join the next epoch's first batch."""
        x, y, b = self._x_train, self._y_train, self.state.batch_size
        n = len(x)
        if n == 0:
            self.message = "There are no training points: raise the ratio of training data."
            return
        if b > n:
            self.message = f"The batch size ({b}) is larger than the training set ({n} points): using {n}."
            b = n
        self._carry = self._network.train_epoch(x, y, b, self.state.learning_rate, self.state.regularization_rate,
                                                self._carry)

    def _evaluate(self, with_grid: bool, record: bool = True) -> None:
        """One plan run over (grid,) training and test points: losses, weights and every layer's activations."""
        x, y = (self._x_grid_eval, self._y_grid_eval) if with_grid else (self._x_eval, self._y_eval)
        with np.errstate(all="ignore"):
            self._layers, losses, self._weights = self._network.evaluate(x, y)
        losses = losses[len(x) - len(self._x_eval):]
        n_train = len(self._x_train)
        train = float(losses[:n_train].mean()) if n_train else float("nan")
        test = float(losses[n_train:].mean()) if len(losses) > n_train else float("nan")
        if record:
            self.history.append((train, test))
        finite = np.isfinite(losses).all() and all(np.isfinite(w).all() for w in self._weights)
        if not finite and not self.diverged:
            self.diverged, self.message = True, DIVERGED
        self._layers_have_grid = with_grid

    def step(self, epochs: int = 1) -> None:
        """Train ``epochs`` epochs (the original's step button trains one). Stops early once diverged."""
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"step(epochs=...) takes a whole number >= 0. Received: epochs={epochs!r}")
        for k in range(epochs):
            if self.diverged:
                break
            with np.errstate(all="ignore"):
                self._train_epoch()
            self.epoch += 1
            self._evaluate(with_grid=self._view is not None and k == epochs - 1)
        if self._view is not None:
            self._view.refresh()

    @property
    def train_loss(self) -> float:
        """The training loss after the last epoch (the mean of ½(out − y)², or of the cross-entropy)."""
        return self.history[-1][0]

    @property
    def test_loss(self) -> float:
        return self.history[-1][1]

    def predict(self, points) -> np.ndarray:
        """The network's output at ``points`` (m, 2): in [-1, 1] for classification (its sign is the class)."""
        points = np.asarray(points, dtype=np.float64)
        with np.errstate(all="ignore"):
            return self._network.predict(make_features(points, self.state.features))

    def get_weights(self) -> list[np.ndarray]:
        """``[W1, b1, W2, b2, ...]``: ``W_k`` has shape (inputs of layer k, units)."""
        return self._network.get_weights()

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Load ``[W1, b1, ...]`` into the network (the epoch counter and history stay)."""
        self._network.set_weights(weights)
        self._evaluate(with_grid=self._view is not None, record=False)
        if self._view is not None:
            self._view.refresh()

    def frame(self) -> _frame.Frame:
        """The pictures of the current state (heatmap PNG, network and loss-chart SVGs), as the widget shows them."""
        if not self._layers_have_grid:
            self._evaluate(with_grid=True, record=False)
        rows = [list(FEATURES).index(f) for f in self.state.features]
        return _frame.render_frame(self.epoch, self._layers, self._weights, self.history, rows, self.state.hidden,
                                   self.state.discretize, NETWORK_WIDTH)

    # -- play / pause ----------------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        """True while the play loop runs; set it to play (True) or pause (False), like the play button."""
        return self._task is not None and not self._task.done()

    @playing.setter
    def playing(self, value: bool) -> None:
        self.play() if value else self.pause()

    def play(self) -> None:
        """Train one epoch per frame on the running event loop (Jupyter's) until ``pause()``."""
        if self.playing or self.diverged:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError("play() trains on a running event loop, as in Jupyter; in a script, "
                               "call pg.step(epochs=...) instead.") from None
        self._task = loop.create_task(self._play_loop())
        if self._view is not None:
            self._view.refresh()

    def pause(self) -> None:
        """Stop playing (the task ends at its next frame boundary)."""
        if self._task is None:
            return
        self._task.cancel()
        self._task = None
        if self._view is not None:
            self._view.refresh()

    async def _play_loop(self) -> None:
        try:
            while not self.diverged:
                self.step(1)  # trains, evaluates the grid and redraws when a view is shown
                await asyncio.sleep(0)  # let the kernel handle widget messages (pause, sliders) between frames
        except Exception as e:  # shown in the widget: the task has no caller to raise to
            self.message = f"Stopped playing: {type(e).__name__}: {e}"
        finally:
            if self._task is asyncio.current_task():  # ended by itself (diverged or failed), not by pause()
                self._task = None
                if self._view is not None:
                    self._view.refresh()

    # -- configuration, export, display ------------------------------------------------------------------
    def to_config(self) -> dict[str, Any]:
        """All settings as a JSON-ready dict (your own data included as lists)."""
        config = self.state.to_dict()
        if self.state.dataset == CUSTOM:
            config["data"] = {"x": self._custom.x.tolist(), "y": self._custom.y.tolist()}
        return config

    @classmethod
    def from_config(cls, config: dict | str | Path) -> Playground:
        """A Playground from ``to_config()``'s dict, its JSON text, or the path of a JSON file."""
        settings, data = parse_config(config)
        return cls(**settings) if data is None else cls(data=data, **settings)

    def set_config(self, config: dict | str | Path) -> None:
        """Take every setting (and your data, if any) from a config dict, JSON text or JSON file; then reset."""
        settings, data = parse_config(config)
        state = PlaygroundState.from_dict(settings)
        custom = read_custom_data(data) if data is not None else None
        self.state, self._custom = state, custom
        if custom is not None:
            self.state.dataset, self.state.problem = CUSTOM, custom.problem
        self._new_data()

    def save_config(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_config(), indent=1), encoding="utf-8")

    def export_code(self, style: str = "keras") -> str:
        """Python source that rebuilds the trained network with tinyflow ("keras" or "tf") and its weights."""
        from tinyflow.playground.export import export_code  # noqa: PLC0415

        return export_code(self, style)

    @property
    def widget(self):
        """The ipywidgets view (made on first use)."""
        if self._view is None:
            from tinyflow.playground.widget import PlaygroundWidget  # noqa: PLC0415

            self._view = PlaygroundWidget(self)
        return self._view.root

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        s = self.state
        return (f"Playground(dataset={s.dataset!r}, features={s.features}, hidden={s.hidden}, "
                f"activation={s.activation!r}, learning_rate={s.learning_rate:g}, epoch={self.epoch})")

