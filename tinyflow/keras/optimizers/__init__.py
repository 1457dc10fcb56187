"""``keras.optimizers`` (also ``tf.optimizers``): SGD, RMSprop, Adam, AdamW, Adagrad and ``get``.

>>> import tinyflow as tf
>>> opt = tf.keras.optimizers.get("Adam")
>>> type(opt).__name__, opt.name, opt.get_config()["beta_1"]
('Adam', 'adam', 0.9)
"""
from tinyflow.keras.optimizers import schedules
from tinyflow.keras.optimizers.adagrad import Adagrad
from tinyflow.keras.optimizers.adam import Adam
from tinyflow.keras.optimizers.adamw import AdamW
from tinyflow.keras.optimizers.optimizer import Optimizer
from tinyflow.keras.optimizers.rmsprop import RMSprop
from tinyflow.keras.optimizers.sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "deserialize", "get", "schedules",
           "serialize"]

ALL_OBJECTS = {cls.__name__.lower(): cls for cls in (Adagrad, Adam, AdamW, RMSprop, SGD)}


def serialize(optimizer: Optimizer) -> dict:
    """``{"class_name": ..., "config": ...}``: what ``deserialize`` and ``get`` accept."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects=None) -> Optimizer:
    """The optimizer described by ``serialize``'s dictionary (class names are case-insensitive).
    A bare ``get_config()`` dictionary works too when its ``name`` is the class's default name."""
    if "class_name" not in config and str(config.get("name", "")).lower() in ALL_OBJECTS:
        config = {"class_name": config["name"], "config": config}
    if "class_name" not in config or "config" not in config:
        raise ValueError("An optimizer config must be a dict with 'class_name' and 'config' keys, as made by "
                         f"keras.optimizers.serialize(optimizer). Received: {config!r}")
    custom = {k.lower(): v for k, v in (custom_objects or {}).items()}
    cls = custom.get(config["class_name"].lower()) or ALL_OBJECTS.get(config["class_name"].lower())
    if cls is None:
        raise ValueError(_unknown(config["class_name"]))
    return cls.from_config(config["config"])


def get(identifier) -> Optimizer:
    """An optimizer from a name (``"adam"``, ``"SGD"`` ... with default arguments), a
    ``serialize`` dictionary, or an optimizer instance (returned as is)."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = ALL_OBJECTS.get(identifier.lower())
        if cls is None:
            raise ValueError(_unknown(identifier))
        return cls()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Pass an optimizer name, "
                     f"one of {sorted(ALL_OBJECTS)}, or an optimizer such as tf.keras.optimizers.Adam(0.01).")


def _unknown(name: str) -> str:
    return (f"Could not interpret optimizer identifier: {name!r}. Valid names (case-insensitive): "
            f"{sorted(ALL_OBJECTS)}.")
