"""Synthetic sequence tasks for attention models: copy, reverse and sort.

Each task draws ``n`` random sequences of ``length`` tokens from ``0 .. vocab - 1``
and returns ``(inputs, targets)``, both int32 arrays of shape (n, length):

* ``copy_task``: the target is the input itself;
* ``reverse_task``: the target is the input backwards;
* ``sort_task``: the target is the input sorted ascending.

They are quick to learn when the model can look at the right positions, so they
make good first tests of an attention layer. A decoder-only model can be
trained on ``numpy.concatenate([inputs, targets], axis=1)`` and scored on the
second half. The same seed always gives the same data.

Example:
    >>> inputs, targets = reverse_task(2, length=4, vocab=10, seed=0)
    >>> bool((targets == inputs[:, ::-1]).all())
    True
"""

from __future__ import annotations

import numpy as np

TokenPairs = tuple[np.ndarray, np.ndarray]  # (inputs, targets), each (n, length) int32


def _random_tokens(n: int, length: int, vocab: int, seed: int | None, name: str) -> np.ndarray:
    for arg, value in (("n", n), ("length", length), ("vocab", vocab)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name}: {arg} must be a positive integer. Received: {arg}={value!r}")
    rng = np.random.default_rng(seed)
    return rng.integers(0, vocab, size=(n, length)).astype(np.int32)  # (n, length)


def copy_task(n: int = 1000, length: int = 8, vocab: int = 10, seed: int | None = 0) -> TokenPairs:
    """Random sequences and identical targets: learn to repeat the input.

    Args:
        n: number of sequences, default 1000.
        length: tokens per sequence, default 8.
        vocab: tokens are drawn uniformly from ``0 .. vocab - 1``, default 10.
        seed: seed of ``numpy.random.default_rng``, default 0.

    Returns:
        ``(inputs, targets)``, int32 arrays of shape (n, length).

    Example:
        >>> x, y = copy_task(3, length=5, seed=1)
        >>> x.shape, x.dtype, bool((x == y).all())
        ((3, 5), dtype('int32'), True)
    """
    inputs = _random_tokens(n, length, vocab, seed, "copy_task")
    return inputs, inputs.copy()


def reverse_task(n: int = 1000, length: int = 8, vocab: int = 10, seed: int | None = 0) -> TokenPairs:
    """Random sequences and their reversals: ``targets[:, t] == inputs[:, length - 1 - t]``.

    Arguments as for ``copy_task``; returns int32 ``(inputs, targets)`` of shape (n, length).

    Example:
        >>> x, y = reverse_task(1, length=4, seed=3)
        >>> y.tolist() == [x[0][::-1].tolist()]
        True
    """
    inputs = _random_tokens(n, length, vocab, seed, "reverse_task")
    return inputs, inputs[:, ::-1].copy()


def sort_task(n: int = 1000, length: int = 8, vocab: int = 10, seed: int | None = 0) -> TokenPairs:
    """Random sequences and the same tokens sorted ascending.

    Arguments as for ``copy_task``; returns int32 ``(inputs, targets)`` of shape (n, length).

    Example:
        >>> x, y = sort_task(1, length=6, seed=2)
        >>> y.tolist() == [sorted(x[0].tolist())]
        True
    """
    inputs = _random_tokens(n, length, vocab, seed, "sort_task")
    return inputs, np.sort(inputs, axis=1)
