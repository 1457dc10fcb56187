"""The probe runtime: run a learner's object on the hidden cases and turn the results into plain data.

This module is self-contained on purpose (standard library and numpy only, no tinyflow imports).
`check()` imports it as a normal module. The grader instead sends this file's *source text* into the
learner's kernel and executes it there, so a cell that patches `tinyflow.grading` cannot change what
the grader runs.

Plain data is: None, bool, int, float, str, list, tuple, dict, numpy arrays, `Opaque` (an object we
could not convert) and `Raised` (an exception, recorded as data). Anything with `.numpy()` or
`__array__` becomes a numpy array.

    >>> run_cases(lambda x: x * 2, call, [((np.arange(3),), {})])
    [array([0, 2, 4])]
"""

import base64
import copy
import io
import json
import math
import os
import secrets

import numpy as np

MAX_DEPTH = 32
MAX_ITEMS = 100_000  # per list / dict
MAX_ARRAY_SIZE = 10_000_000  # elements
MAX_TEXT = 300  # characters kept from messages and reprs


class Opaque:
    """A value the probe could not turn into plain data, kept as its type name and a short repr."""

    def __init__(self, type_name, text):
        self.type_name = str(type_name)
        self.text = str(text)[:MAX_TEXT]

    def __eq__(self, other):
        return isinstance(other, Opaque) and (self.type_name, self.text) == (other.type_name, other.text)

    def __repr__(self):
        return f"<{self.type_name} object>"


class Raised:
    """An exception raised by the learner's code, recorded as data: type name, base names, message."""

    def __init__(self, type_name, bases, message):
        self.type_name = str(type_name)
        self.bases = [str(b) for b in bases]  # type names along the MRO, e.g. ["ValueError", "Exception"]
        self.message = str(message)[:MAX_TEXT]

    def is_a(self, type_name):
        """True if the exception was `type_name` or a subclass of it."""
        return type_name == self.type_name or type_name in self.bases

    def __eq__(self, other):
        return isinstance(other, Raised) and self.type_name == other.type_name

    def __repr__(self):
        return f"{self.type_name}: {self.message}" if self.message else self.type_name


def to_plain(x, depth=0):
    """Convert `x` to plain data (see the module docstring). Never raises for ordinary objects."""
    if depth > MAX_DEPTH:
        return Opaque(type(x).__name__, "nested too deeply")
    if x is None or type(x) in (bool, int, float, str):
        return x
    if isinstance(x, bool):
        return bool(x)
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return float(x)
    if isinstance(x, str):
        return str(x)
    if isinstance(x, (complex, np.generic)):
        return _plain_array(np.asarray(x), depth)
    if isinstance(x, np.ndarray):
        return _plain_array(x, depth)
    if isinstance(x, (list, tuple, set, frozenset, dict)):
        if len(x) > MAX_ITEMS:
            return Opaque(type(x).__name__, f"too long ({len(x)} items)")
        if isinstance(x, dict):
            return {_plain_key(k, depth): to_plain(v, depth + 1) for k, v in x.items()}
        if isinstance(x, (set, frozenset)):
            return sorted((to_plain(v, depth + 1) for v in x), key=repr)
        items = [to_plain(v, depth + 1) for v in x]
        return tuple(items) if isinstance(x, tuple) else items
    try:
        if callable(getattr(x, "numpy", None)) and not isinstance(x, type):
            return _plain_array(np.asarray(x.numpy()), depth)
        if hasattr(x, "__array__") and not isinstance(x, type):
            return _plain_array(np.asarray(x), depth)
    except Exception as e:  # a broken __array__ is the learner's bug, reported as an opaque value
        return Opaque(type(x).__name__, f"could not convert to an array: {e}")
    return Opaque(type(x).__name__, _safe_repr(x))


def _plain_array(a, depth):
    if a.size > MAX_ARRAY_SIZE:
        return Opaque("ndarray", f"too large ({a.size} elements)")
    if a.dtype.hasobject:
        return to_plain(a.tolist(), depth + 1)
    return np.array(a)  # a copy, and a plain ndarray even for subclasses


def _plain_key(k, depth):
    k = to_plain(k, depth + 1)
    try:
        hash(k)
        return k
    except TypeError:
        return repr(k)


def _safe_repr(x):
    try:
        return repr(x)[:MAX_TEXT]
    except Exception:
        return "<repr failed>"


# -- probes: how the learner's object is exercised on one case ---------------------------------------


def call(obj, *args, **kwargs):
    """The default probe: call the learner's function with the case's arguments."""
    return obj(*args, **kwargs)


def value(obj):
    """A probe for exercises whose answer is a value, not a function."""
    return obj


BUILTIN_PROBES = {"call": call, "value": value}


def run_cases(obj, probe, cases):
    """Run `probe(obj, *args, **kwargs)` for each `(args, kwargs)` case; return plain results.

    Each result is plain data, or a `Raised` when the learner's code raised. KeyboardInterrupt is not
    caught, so an interrupt from the grader (a timeout) stops the whole probe.
    """
    results = []
    for args, kwargs in cases:
        args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)  # a case cannot leak into the next one
        try:
            results.append(to_plain(probe(obj, *args, **kwargs)))
        except (Exception, SystemExit) as e:
            results.append(_raised(e))
    return results


def _raised(e):
    try:
        message = str(e)
    except Exception:
        message = "<message could not be printed>"
    return Raised(type(e).__name__, [t.__name__ for t in type(e).__mro__[1:]], message)


# -- encoding: plain data <-> JSON with arrays kept apart (npz, no pickle) ----------------------------


def encode(x, arrays):
    """Turn plain data into JSON-able data; arrays go into the `arrays` dict and are referenced by key."""
    if x is None or type(x) in (bool, int, str):
        return x
    if type(x) is float:
        return x if math.isfinite(x) else {"f": repr(x)}
    if isinstance(x, np.ndarray):
        key = f"a{len(arrays)}"
        arrays[key] = x
        return {"a": key}
    if type(x) is list:
        return [encode(v, arrays) for v in x]
    if type(x) is tuple:
        return {"t": [encode(v, arrays) for v in x]}
    if type(x) is dict:
        return {"d": [[encode(k, arrays), encode(v, arrays)] for k, v in x.items()]}
    if isinstance(x, Raised):
        return {"r": [x.type_name, x.bases, x.message]}
    if isinstance(x, Opaque):
        return {"o": [x.type_name, x.text]}
    raise TypeError(f"not plain data: {type(x).__name__}")


def decode(x, arrays):
    """Inverse of `encode`. Raises ValueError on anything malformed."""
    if x is None or type(x) in (bool, int, float, str):
        return x
    if type(x) is list:
        return [decode(v, arrays) for v in x]
    if type(x) is not dict or len(x) != 1:
        raise ValueError("malformed plain data")
    (tag, body), = x.items()
    if tag == "f" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "a" and body in arrays:
        return np.array(arrays[body])
    if tag == "t" and type(body) is list:
        return tuple(decode(v, arrays) for v in body)
    if tag == "d" and type(body) is list:
        return {_hashable(decode(k, arrays)): decode(v, arrays) for k, v in body}
    if tag == "r" and type(body) is list and len(body) == 3:
        return Raised(body[0], body[1], body[2])
    if tag == "o" and type(body) is list and len(body) == 2:
        return Opaque(body[0], body[1])
    raise ValueError(f"malformed plain data (tag {tag!r})")


def _hashable(k):
    hash(k)  # raises TypeError for a malformed key
    return k


def pack_cases(cases):
    """Cases as one JSON string; arrays travel as base64 .npy bytes (no pickle)."""
    arrays = {}
    data = [[encode(tuple(args), arrays), encode(dict(kwargs), arrays)] for args, kwargs in cases]
    blobs = {}
    for key, a in arrays.items():
        buf = io.BytesIO()
        np.save(buf, a, allow_pickle=False)
        blobs[key] = base64.b64encode(buf.getvalue()).decode("ascii")
    return json.dumps({"cases": data, "arrays": blobs})


def unpack_cases(text):
    """Inverse of `pack_cases`: a list of `(args, kwargs)`."""
    data = json.loads(text)
    arrays = {}
    for key, blob in data["arrays"].items():
        arrays[key] = np.load(io.BytesIO(base64.b64decode(blob)), allow_pickle=False)
    return [(decode(a, arrays), decode(k, arrays)) for a, k in data["cases"]]


def write_results(outdir, header, results):
    """Write `results` (a list of plain data, or None) to a new randomly named .npz file in `outdir`.

    The JSON part (header + encoded results) is stored as bytes under the key "__meta__".
    """
    arrays = {}
    meta = dict(header, results=None if results is None else [encode(r, arrays) for r in results])
    arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    name = f"results-{secrets.token_hex(8)}.npz"
    tmp = os.path.join(outdir, f".{name}.part")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
    os.replace(tmp, os.path.join(outdir, name))


def read_results(path):
    """Read a file written by `write_results`: (header dict, results list or None)."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(arrays.pop("__meta__").tobytes().decode("utf-8"))
    results = meta.pop("results")
    if results is not None:
        results = [decode(r, arrays) for r in results]
    return meta, results


def _main(user_ns, request_json):
    """Entry point inside the learner's kernel (the grader runs this module's source there)."""
    request = json.loads(request_json)
    header = {"nonce": request["nonce"], "exercise": request["exercise"]}
    if request["name"] not in user_ns:
        return write_results(request["outdir"], header, None)
    if request["probe_source"]:
        ns = {"np": np, "to_plain": to_plain}
        exec(compile(request["probe_source"], "<probe>", "exec", dont_inherit=True), ns)
        probe = ns[request["probe"]]
    else:
        probe = BUILTIN_PROBES[request["probe"]]
    results = run_cases(user_ns[request["name"]], probe, unpack_cases(request["cases"]))
    write_results(request["outdir"], header, results)


if __name__ == "__tinyflow_grader__":
    _main(_USER_NS, _REQUEST_JSON)  # noqa: F821 -- both names are provided by the grader
