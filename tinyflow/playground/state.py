"""The Playground's settings: one dataclass with the original's ranges and defaults, checked and saved as JSON.

Defaults, ranges and option lists come from the TensorFlow Playground (``src/state.ts`` and the
controls in ``index.html``): data set "circle", noise 0 (0 to 50), 50 % training data (10 to 90),
batch size 10 (1 to 30), features X1 and X2, hidden layers [4, 2] (0 to 6 layers of 1 to 8
neurons), Tanh, learning rate 0.03, no regularisation, rate 0.

Beyond the original: ``loss`` ("square", the original's ½(out − y)², or "cross_entropy"),
``max_layers`` and ``max_neurons`` (the limits on the network's size), and ``seed`` as an integer.

Example:
    >>> s = PlaygroundState(hidden=[8, 8])
    >>> PlaygroundState.from_json(s.to_json()) == s
    True
    >>> check_setting(s, "batch_size", 0)
    Traceback (most recent call last):
    ...
    ValueError: batch_size must be an integer from 1 to 30. Received: batch_size=0
"""
from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from tinyflow.datasets.features import FEATURES
from tinyflow.datasets.playground import CLASSIFICATION_DATASETS, DATASETS, REGRESSION_DATASETS

# index.html: the options of the "Learning rate" and "Regularization rate" menus.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")  # state.ts: activations
REGULARIZATIONS = ("none", "L1", "L2")  # state.ts: regularizations
PROBLEMS = ("classification", "regression")  # state.ts: problems
LOSSES = ("square", "cross_entropy")  # ours: "square" is the original's Errors.SQUARE
DEFAULT_DATASET = {"classification": "circle", "regression": "reg-plane"}  # state.ts: dataset, regDataset
CUSTOM = "custom"  # the data set name for data a learner brings (see data.py)

# index.html: slider ranges (min, max) of the data column; playground.ts: the layer and neuron limits.
NOISE_RANGE = (0, 50)
TRAIN_RATIO_RANGE = (10, 90)
BATCH_SIZE_RANGE = (1, 30)
MAX_LAYERS = 6
MAX_NEURONS = 8

# The names the UI shows for our ids, as the original labels them.
DATASET_TITLES = {"circle": "Circle", "xor": "Exclusive or", "gauss": "Gaussian", "spiral": "Spiral",
                  "reg-plane": "Plane", "reg-gauss": "Multi gaussian", CUSTOM: "Your data"}
FEATURE_LABELS = {"x1": "X₁", "x2": "X₂", "x1^2": "X₁²", "x2^2": "X₂²", "x1*x2": "X₁X₂",
                  "sin(x1)": "sin(X₁)", "sin(x2)": "sin(X₂)"}


@dataclasses.dataclass
class PlaygroundState:
    """Every setting of a Playground, with the original's defaults.

    Example:
        >>> PlaygroundState().hidden, PlaygroundState().learning_rate
        ([4, 2], 0.03)
    """

    dataset: str = "circle"
    problem: str = "classification"
    noise: int = 0
    train_ratio: int = 50
    batch_size: int = 10
    seed: int = 0
    features: list[str] = dataclasses.field(default_factory=lambda: ["x1", "x2"])
    hidden: list[int] = dataclasses.field(default_factory=lambda: [4, 2])
    activation: str = "tanh"
    learning_rate: float = 0.03
    regularization: str = "none"
    regularization_rate: float = 0.0
    discretize: bool = False
    show_test_data: bool = False
    init_zero: bool = False
    loss: str = "square"
    max_layers: int = MAX_LAYERS
    max_neurons: int = MAX_NEURONS

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (lists copied), ready for ``json.dumps``."""
        return {f.name: _copy(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, config: dict[str, Any]) -> PlaygroundState:
        """Check every entry of ``config`` (unknown keys are refused) and build the state."""
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(config) - set(names))
        if unknown:
            raise ValueError(f"Unknown Playground setting(s) {unknown}. Expected some of {names}.")
        state = cls()
        # Limits first (they bound `hidden`), the data set before the problem type.
        for name in ["max_layers", "max_neurons", "dataset", *names]:
            if name in config:
                setattr(state, name, check_setting(state, name, config[name]))
            if name == "dataset" and "problem" not in config:  # the data set decides the problem type
                state.problem = problem_of(state.dataset) or state.problem
            if name == "problem" and "dataset" not in config:  # the problem type picks its default data set
                state.dataset = DEFAULT_DATASET[state.problem]
        if problem_of(state.dataset) not in (None, state.problem):
            raise ValueError(f"dataset={state.dataset!r} is a {problem_of(state.dataset)} data set, "
                             f"but problem={state.problem!r}.")
        return state

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1)

    @classmethod
    def from_json(cls, text: str) -> PlaygroundState:
        return cls.from_dict(json.loads(text))


def _copy(value):
    return list(value) if isinstance(value, list | tuple) else value


def _integer(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}. Received: {name}={value!r}")
    return int(value)


def _choice(name: str, value, options) -> str:
    if value not in options:
        raise ValueError(f"{name} must be one of {list(options)}. Received: {name}={value!r}")
    return value


def _rate(name: str, value, menu) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number >= 0 (the Playground's menu: {list(menu)}). "
                         f"Received: {name}={value!r}")
    if name == "learning_rate" and value == 0:
        raise ValueError("learning_rate must be positive: with 0 nothing is learned. Received: learning_rate=0")
    return float(value)


def _hidden(state: PlaygroundState, value) -> list[int]:
    if isinstance(value, int | str) or not hasattr(value, "__iter__"):
        raise ValueError(f"hidden is a list of layer sizes, e.g. [4, 2]. Received: hidden={value!r}")
    value = list(value)
    if len(value) > state.max_layers:
        raise ValueError(f"hidden: at most {state.max_layers} hidden layers (max_layers={state.max_layers}). "
                         f"Received: hidden={value} ({len(value)} layers)")
    for units in value:
        if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= state.max_neurons:
            raise ValueError(f"hidden: each layer has 1 to {state.max_neurons} neurons "
                             f"(max_neurons={state.max_neurons}). Received: hidden={value}")
    return [int(u) for u in value]


def _features(value) -> list[str]:
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise ValueError(f"features is a list of feature ids from {list(FEATURES)}. Received: features={value!r}")
    value = list(value)
    unknown = [f for f in value if f not in FEATURES]
    if unknown:
        raise ValueError(f"features: unknown id(s) {unknown}. Expected ids from {list(FEATURES)}.")
    return [f for f in FEATURES if f in value]  # the original's order, each once


def _limit(state: PlaygroundState, name: str, value, ceiling: int) -> int:
    value = _integer(name, value, 1 if name == "max_neurons" else 0, ceiling)
    too_big = len(state.hidden) > value if name == "max_layers" else any(u > value for u in state.hidden)
    if too_big:
        raise ValueError(f"{name}={value} is below the current network, hidden={state.hidden}: "
                         "make the network smaller first.")
    return value


def check_setting(state: PlaygroundState, name: str, value) -> Any:
    """Validate ``value`` for setting ``name`` of ``state``; return it normalised or raise ValueError.

    Example:
        >>> check_setting(PlaygroundState(), "features", ["x2", "x1"])
        ['x1', 'x2']
    """
    if name == "dataset":
        return _choice(name, value, [*DATASETS, CUSTOM])
    if name == "problem":
        value = _choice(name, value, PROBLEMS)
        if state.dataset == CUSTOM and value != state.problem:
            raise ValueError(f"problem: your own data set is a {state.problem} problem (read off its labels); "
                             "load other data to change it.")
        return value
    if name == "loss":
        value = _choice(name, value, LOSSES)
        if value == "cross_entropy" and state.problem == "regression":
            raise ValueError("loss='cross_entropy' needs labels -1/+1 (classification); "
                             "regression uses loss='square'.")
        return value
    if name == "noise":
        return _integer(name, value, *NOISE_RANGE)
    if name == "train_ratio":
        return _integer(name, value, *TRAIN_RATIO_RANGE)
    if name == "batch_size":
        return _integer(name, value, *BATCH_SIZE_RANGE)
    if name == "seed":
        return _integer(name, value, 0, 2**32 - 1)
    if name == "features":
        return _features(value)
    if name == "hidden":
        return _hidden(state, value)
    if name == "activation":
        return _choice(name, value, ACTIVATIONS)
    if name == "regularization":
        return _choice(name, "none" if value is None else value, REGULARIZATIONS)
    if name == "learning_rate":
        return _rate(name, value, LEARNING_RATES)
    if name == "regularization_rate":
        return _rate(name, value, REGULARIZATION_RATES)
    if name in ("discretize", "show_test_data", "init_zero"):
        if not isinstance(value, bool):
            raise ValueError(f"{name} is True or False. Received: {name}={value!r}")
        return value
    if name == "max_layers":
        return _limit(state, name, value, 64)
    if name == "max_neurons":
        return _limit(state, name, value, 256)
    raise AttributeError(f"Unknown Playground setting {name!r}. Settings: "
                         f"{[f.name for f in dataclasses.fields(PlaygroundState)]}")


def problem_of(dataset: str) -> str | None:
    """The problem type a built-in data set belongs to (None for your own data).

    Example:
        >>> problem_of("reg-gauss"), problem_of("spiral")
        ('regression', 'classification')
    """
    if dataset in CLASSIFICATION_DATASETS:
        return "classification"
    if dataset in REGRESSION_DATASETS:
        return "regression"
    return None


class Setting:
    """A Playground attribute backed by its state: read from ``pg.state``; written through ``pg._set``.

    ``effect`` says what a change does, as in the original's event handlers: "data" (new data,
    then reset), "reset" (new weights; a new graph if the shape changed), "feed" (used at the next
    batch) or "view" (redraw only).
    """

    def __init__(self, effect: str):
        self.effect = effect

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, pg, owner=None):
        if pg is None:
            return self
        value = getattr(pg.state, self.name)
        return list(value) if isinstance(value, list) else value

    def __set__(self, pg, value) -> None:
        pg._set(self.name, value, self.effect)


def parse_config(config) -> tuple[dict, tuple | None]:
    """(settings, your data as (x, y) or None) from a dict, JSON text or a JSON file's path."""
    if isinstance(config, str | Path) and not str(config).lstrip().startswith("{"):
        path = Path(config)
        if not path.is_file():
            raise ValueError(f"No configuration file at {str(path)!r}: save one with pg.save_config(path).")
        config = path.read_text(encoding="utf-8")
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except json.JSONDecodeError as e:
            raise ValueError(f"A Playground configuration is JSON; this text is not ({e}).") from None
    settings = dict(config)
    data = settings.pop("data", None)
    if data is not None:
        settings.pop("dataset", None)
        settings.pop("problem", None)
        data = (np.asarray(data["x"], dtype=np.float64), np.asarray(data["y"], dtype=np.float64))
    return settings, data
