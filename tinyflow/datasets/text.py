"""A small English corpus for the character-level GPT chapter, and its vocabulary.

The corpus (``data/corpus.txt``, about 26 KB of plain ASCII) was written for
tinyflow: an essay on tensors, graphs and gradients, then a few short stories.
It is big enough for a tiny model to learn spelling and common words in
minutes on a CPU, and small enough to read in one sitting.

Example:
    >>> text = load_text()
    >>> chars, stoi, itos = char_vocab(text)
    >>> decode(encode("tensor", stoi), itos)
    'tensor'
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

CORPUS_PATH = Path(__file__).parent / "data" / "corpus.txt"


def load_text() -> str:
    """Return the built-in corpus as one string (ASCII, lines separated by ``"\\n"``).

    Example:
        >>> load_text().startswith("HOW A MACHINE LEARNS")
        True
    """
    return CORPUS_PATH.read_text(encoding="ascii")


def char_vocab(text: str) -> tuple[list[str], dict[str, int], dict[int, str]]:
    """Build a character vocabulary: the sorted distinct characters of ``text``.

    Returns:
        ``(chars, stoi, itos)``: ``chars`` the sorted list of characters,
        ``stoi`` char -> id and ``itos`` id -> char, with ids ``0 .. len(chars) - 1``.

    Example:
        >>> chars, stoi, itos = char_vocab("hello")
        >>> chars, stoi["l"], itos[0]
        (['e', 'h', 'l', 'o'], 2, 'e')
    """
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = dict(enumerate(chars))
    return chars, stoi, itos


def encode(text: str, stoi: dict[str, int]) -> np.ndarray:
    """Turn a string into an int32 array of character ids.

    Example:
        >>> encode("hello", char_vocab("hello")[1]).tolist()
        [1, 0, 2, 2, 3]
    """
    missing = sorted(set(text) - set(stoi))
    if missing:
        raise ValueError(f"encode: characters {missing} are not in the vocabulary of {len(stoi)} characters")
    return np.array([stoi[ch] for ch in text], dtype=np.int32)


def decode(ids: Iterable[int] | np.ndarray, itos: dict[int, str]) -> str:
    """Turn a sequence of character ids back into a string.

    Example:
        >>> decode([1, 0, 2, 2, 3], char_vocab("hello")[2])
        'hello'
    """
    return "".join(itos[int(i)] for i in ids)
