"""Saving and loading: weights files, whole-model files, and the registry of custom classes.

**Formats** (no pickle anywhere; everything is read with ``np.load(..., allow_pickle=False)``):

* ``model.save_weights("m.weights.npz")`` writes a numpy ``.npz`` archive (``np.savez``): one array
  per weight, named by its place in the model — ``"<layer>/<weight>"``, nested layers as
  ``"<outer>/<inner>/<weight>"`` (e.g. ``"dense/kernel"``, ``"dense_1/bias"``,
  ``"batch_normalization/moving_mean"``). Layer names here are the class name in snake case,
  numbered among the layer's siblings in order (as Keras 3 does), so a second model built by the
  same code reads the file even though its layers got other automatic names.
* ``model.save("m.keras")`` writes a zip archive with ``metadata.json`` (versions, date),
  ``config.json`` (``{"class_name", "config", "compile_config", "build_config"}``: the architecture
  as ``get_config`` gives it and the ``compile`` arguments) and ``model.weights.npz`` (as above).
  ``keras.models.load_model("m.keras")`` rebuilds the model, loads the weights and re-compiles it
  (the optimizer starts fresh: its slot variables are not saved).

**Safety.** Every write goes to a temporary file in the target directory, is flushed and
``fsync``-ed, then renamed over the target with ``os.replace`` — so a failed or interrupted save
leaves the previous file intact. Loading checks everything first (the file can be read; every
weight is present, with the right shape; nothing extra) and only then assigns; an error names
the layer, the weight and both shapes, and nothing is half-loaded.

>>> import numpy as np
>>> import os, tempfile
>>> from tinyflow import keras
>>> model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
>>> path = os.path.join(tempfile.mkdtemp(), "m.weights.npz")
>>> model.save_weights(path)
>>> sorted(np.load(path, allow_pickle=False).files)
['dense/bias', 'dense/kernel']
"""
from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import tempfile
import warnings
import zipfile

import numpy as np

_GLOBAL_CUSTOM_OBJECTS: dict = {}
_SCOPES: list = []
_WEIGHTS_EXT, _MODEL_EXT = ".weights.npz", ".keras"
_CONFIG, _METADATA, _WEIGHTS = "config.json", "metadata.json", "model.weights.npz"


# -- custom classes ----------------------------------------------------------------------------------
def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator: make a custom layer/model class loadable by name (``"package>Name"``)."""

    def decorator(cls):
        registered = f"{package}>{name or cls.__name__}"
        _GLOBAL_CUSTOM_OBJECTS[registered] = cls
        cls._registered_name = registered
        return cls

    return decorator


def get_custom_objects() -> dict:
    """The global registry (name -> class); adding to it registers a class."""
    return _GLOBAL_CUSTOM_OBJECTS


@contextlib.contextmanager
def custom_object_scope(custom_objects: dict):
    """``with custom_object_scope({"MyLayer": MyLayer}): load_model(...)``."""
    _SCOPES.append(dict(custom_objects))
    try:
        yield
    finally:
        _SCOPES.pop()


def get_registered_object(name: str, custom_objects: dict | None = None):
    """The class registered (or passed in ``custom_objects`` / a scope) under ``name``, else None."""
    for table in [custom_objects or {}] + _SCOPES[::-1] + [_GLOBAL_CUSTOM_OBJECTS]:
        if name in table:
            return table[name]
    for registered, cls in _GLOBAL_CUSTOM_OBJECTS.items():
        if registered.split(">")[-1] == name:
            return cls
    return None


# -- which array is which weight ----------------------------------------------------------------------
def weight_items(model) -> list:
    """``[(key, variable, layer), ...]`` for every weight of ``model``, in ``model.weights`` order."""
    from tinyflow.keras.layers.layer import to_snake_case  # noqa: PLC0415

    items, seen = [], set()

    def walk(layer, prefix: str):
        used: dict = {}
        for v in layer._own_weights():
            short = getattr(v, "path", v.name.split(":")[0]).split("/")[-1]
            k = used.get(short, 0)
            used[short] = k + 1
            if id(v) not in seen:
                seen.add(id(v))
                items.append((prefix + (short if k == 0 else f"{short}_{k}"), v, layer))
        used = {}
        for sub in layer._direct_sublayers():
            base = to_snake_case(type(sub).__name__)
            k = used.get(base, 0)
            used[base] = k + 1
            walk(sub, prefix + (base if k == 0 else f"{base}_{k}") + "/")

    walk(model, "")
    return items


# -- weights files --------------------------------------------------------------------------------------
def save_weights(model, filepath, overwrite: bool = True) -> None:
    filepath = os.fspath(filepath)
    if not filepath.endswith(_WEIGHTS_EXT):
        raise ValueError(f"The filename must end in `{_WEIGHTS_EXT}` (tinyflow's weights format: a numpy .npz "
                         f"archive). Received: filepath={filepath}")
    _check_overwrite(filepath, overwrite)
    _atomic_write(filepath, _weights_bytes(model))


def load_weights(model, filepath) -> None:
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No weights file at {filepath!r}.")
    if filepath.endswith(_MODEL_EXT):
        with _open_zip(filepath) as archive:
            data = _read_member(archive, _WEIGHTS, filepath)
        arrays = _read_npz(data, filepath)
    elif filepath.endswith(_WEIGHTS_EXT):
        with open(filepath, "rb") as f:
            arrays = _read_npz(f.read(), filepath)
    else:
        raise ValueError(f"File format not supported: filepath={filepath}. tinyflow reads `{_WEIGHTS_EXT}` weights "
                         f"files and `{_MODEL_EXT}` model files.")
    assign_weights(model, arrays, filepath)


def _weights_bytes(model) -> bytes:
    arrays = {key: np.asarray(v.numpy()) for key, v, _ in weight_items(model)}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _read_npz(data: bytes, source: str) -> dict:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}  # reads (and CRC-checks) every array now
    except ValueError as e:
        if "allow_pickle" in str(e):
            raise ValueError(f"The weights file {source!r} contains pickled Python objects; tinyflow never loads "
                             "pickles. Nothing was loaded.") from e
        raise ValueError(f"Cannot read the weights file {source!r}: it is truncated or corrupt ({e}). Nothing was "
                         "loaded.") from e
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise ValueError(f"Cannot read the weights file {source!r}: it is truncated or corrupt "
                         f"({type(e).__name__}: {e}). Nothing was loaded.") from e


def assign_weights(model, arrays: dict, source: str) -> None:
    """Check every array against the model, then assign them all (or nothing)."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built yet, so it has no weights to load into. Build it first: "
                         "start it with keras.Input(shape=...), call it on a batch of data, or call "
                         "model.build(input_shape).")
    items = weight_items(model)
    problems, values = [], []
    for key, v, layer in items:
        want = tuple(v.shape.as_list())
        if key not in arrays:
            problems.append(f"layer '{layer.name}' ({type(layer).__name__}) weight {key!r} of shape {want} is "
                            "missing from the file")
            continue
        got = arrays[key]
        if got.shape != want:
            problems.append(f"layer '{layer.name}' ({type(layer).__name__}) weight {key!r} has shape {want} in the "
                            f"model but {got.shape} in the file")
        elif got.dtype.kind != np.dtype(v.dtype.as_numpy_dtype).kind:
            problems.append(f"layer '{layer.name}' weight {key!r} has dtype {v.dtype.name} in the model but "
                            f"{got.dtype} in the file")
        else:
            values.append((v, got.astype(v.dtype.as_numpy_dtype, copy=False)))
    extra = sorted(set(arrays) - {key for key, _, _ in items})
    if extra:
        problems.append(f"the file has weights the model does not: {extra[:10]}" + (" ..." if len(extra) > 10 else ""))
    if problems:
        shown = "\n  - ".join(problems[:12]) + ("\n  - ..." if len(problems) > 12 else "")
        raise ValueError(f"The weights in {source!r} do not match model '{model.name}' ({len(items)} weights; the "
                         f"file has {len(arrays)} arrays). Nothing was loaded. Problems:\n  - {shown}\nWas the file "
                         "saved from a different architecture?")
    for v, array in values:
        v.assign(array)


# -- whole models ---------------------------------------------------------------------------------------
def save_model(model, filepath, overwrite: bool = True) -> None:
    """Write ``config.json``, ``metadata.json`` and ``model.weights.npz`` into one ``.keras`` zip."""
    import tinyflow  # noqa: PLC0415

    filepath = os.fspath(filepath)
    if not filepath.endswith(_MODEL_EXT):
        raise ValueError(f"Invalid filepath extension for saving. Please add a `{_MODEL_EXT}` extension (tinyflow's "
                         f"model format; use `save_weights` with `{_WEIGHTS_EXT}` for weights only). "
                         f"Received: filepath={filepath}")
    _check_overwrite(filepath, overwrite)
    config = serialize_model(model)
    if model.compiled:
        try:
            config["compile_config"] = model._compile_state.compile_config()
        except Exception as e:  # noqa: BLE001  (a custom loss or optimizer: save without it)
            warnings.warn(f"The compile() arguments of '{model.name}' could not be saved ({e}); load_model will "
                          "return an uncompiled model.", stacklevel=3)
    metadata = {"keras_version": "3 (tinyflow)", "tinyflow_version": tinyflow.__version__,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_METADATA, json.dumps(metadata))
        archive.writestr(_CONFIG, json.dumps(config))
        archive.writestr(_WEIGHTS, _weights_bytes(model))
    _atomic_write(filepath, buffer.getvalue())


def serialize_model(model) -> dict:
    config = {"module": type(model).__module__, "class_name": type(model).__name__, "config": model.get_config()}
    registered = getattr(type(model), "_registered_name", None)
    if registered:
        config["registered_name"] = registered
    build = model.get_build_config() if not hasattr(model, "_nodes") and not hasattr(model, "_functional") else None
    if build is not None:
        config["build_config"] = json.loads(json.dumps(build, default=list))
    return config


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True):
    """Rebuild a model saved with ``model.save`` (architecture, weights, compile settings)."""
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"File not found: filepath={filepath}. Please ensure the file is an accessible "
                                f"`{_MODEL_EXT}` zip file.")
    if not filepath.endswith(_MODEL_EXT):
        raise ValueError(f"File format not supported: filepath={filepath}. tinyflow loads `{_MODEL_EXT}` files "
                         f"written by model.save(); for `{_WEIGHTS_EXT}` files build the model and call "
                         "model.load_weights().")
    with _open_zip(filepath) as archive:
        config = json.loads(_read_member(archive, _CONFIG, filepath))
        arrays = _read_npz(_read_member(archive, _WEIGHTS, filepath), filepath)
    model = deserialize_model(config, custom_objects)
    assign_weights(model, arrays, filepath)
    if compile and config.get("compile_config"):
        _compile_from_config(model, config["compile_config"], custom_objects)
    return model


def deserialize_model(config: dict, custom_objects=None):
    from tinyflow.keras import layers  # noqa: PLC0415

    name = config["class_name"]
    if get_registered_object(config.get("registered_name", name), custom_objects) is None and \
            name not in ("Sequential", "Functional", "Model"):
        raise TypeError(f"Could not locate class '{name}'. Make sure custom classes are decorated with "
                        "`@keras.saving.register_keras_serializable()` or passed in `custom_objects`. Full object "
                        f"config: {config}")
    if config.get("registered_name"):
        config = dict(config, class_name=config["registered_name"])
    model = layers.deserialize(config, custom_objects=custom_objects)
    if not model.built and config.get("build_config"):
        shape = config["build_config"]["input_shape"]
        model.build([tuple(s) for s in shape] if shape and isinstance(shape[0], list) else tuple(shape))
    return model


def _compile_from_config(model, cfg: dict, custom_objects) -> None:
    from tinyflow.keras import losses, metrics, optimizers  # noqa: PLC0415

    def loss_of(x):
        if isinstance(x, dict) and "class_name" in x:
            return losses.deserialize(x, custom_objects)
        if isinstance(x, dict):
            return {k: loss_of(v) for k, v in x.items()}
        if isinstance(x, list):
            return [loss_of(v) for v in x]
        return (custom_objects or {}).get(x, x)

    def metric_of(x):
        if isinstance(x, dict) and "class_name" in x:
            return metrics.get(x)
        if isinstance(x, dict):
            return {k: metric_of(v) for k, v in x.items()}
        if isinstance(x, list):
            return [metric_of(v) for v in x]
        return (custom_objects or {}).get(x, x)

    try:
        model.compile(optimizer=optimizers.deserialize(cfg["optimizer"], custom_objects), loss=loss_of(cfg["loss"]),
                      loss_weights=cfg.get("loss_weights"), metrics=metric_of(cfg.get("metrics")))
    except Exception as e:  # noqa: BLE001  (still return the model with its weights)
        warnings.warn(f"Could not compile the loaded model from its saved compile() arguments ({e}). Call "
                      "model.compile(...) yourself.", stacklevel=3)


def model_from_json(json_string: str, custom_objects: dict | None = None):
    """A new model (fresh weights) from ``model.to_json()``."""
    return deserialize_model(json.loads(json_string), custom_objects)


def clone_model(model, custom_objects: dict | None = None):
    """A model with the same architecture and new, freshly initialized weights."""
    return deserialize_model(json.loads(json.dumps(serialize_model(model))), custom_objects)


# -- file helpers ------------------------------------------------------------------------------------------
def _check_overwrite(filepath: str, overwrite: bool) -> None:
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False.")


def _atomic_write(path: str, data: bytes) -> None:
    """Write ``data`` to a temporary file next to ``path``, fsync it, then rename it over ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _open_zip(filepath: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(filepath)
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise ValueError(f"Cannot read {filepath!r}: it is not a valid {_MODEL_EXT} archive (truncated or corrupt: "
                         f"{e}). Nothing was loaded.") from e


def _read_member(archive: zipfile.ZipFile, member: str, filepath: str) -> bytes:
    try:
        return archive.read(member)
    except KeyError as e:
        raise ValueError(f"{filepath!r} has no {member!r}: it was not written by model.save(). Nothing was "
                         "loaded.") from e
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise ValueError(f"Cannot read {member!r} in {filepath!r}: the file is truncated or corrupt ({e}). Nothing "
                         "was loaded.") from e
