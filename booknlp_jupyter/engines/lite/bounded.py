"""spaCy's tokenizer in linear time on any text: long whitespace-free runs are split by rule.

spaCy strips a whitespace-free run's prefixes and suffixes one at a time, slicing and
searching the rest again each time, so its cost grows with the square of the run's length:
20,000 quote marks (or ``!?.,``, or emoji) in a row take minutes. A run longer than
``LONG_RUN`` characters is therefore split by `split_tokens` (runs of letters and digits,
every other mark alone) and the rest tokenized by spaCy, in one Doc with the text exact.
Shorter runs are tokenized as spaCy does: no novel has a longer one (their longest, words
joined by dashes, are under 50 characters), so their tokens do not change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

LONG_RUN = 64
_LONG = re.compile(rf"\S{{{LONG_RUN + 1},}}")
#: Runs of letters or digits (at most ``LONG_RUN``), and every other non-space character alone.
_TOKENISH = re.compile(rf"[^\W_]{{1,{LONG_RUN}}}|[^\w\s]|_")


def split_tokens(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each token of ``text`` by rule (see ``_TOKENISH``), in linear time."""
    for m in _TOKENISH.finditer(text):
        yield m.span()


def count_tokens(text: str) -> int:
    """How many tokens `split_tokens` finds in ``text`` (about spaCy's count)."""
    return len(_TOKENISH.findall(text))


def make_doc(tokenizer: Any, text: str) -> Any:
    """``tokenizer(text)``, with each run longer than ``LONG_RUN`` split by `split_tokens`."""
    if _LONG.search(text) is None:
        return tokenizer(text)
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []

    def spacy_tokens(segment: str) -> None:
        for tok in tokenizer(segment):
            words.append(tok.text)
            spaces.append(bool(tok.whitespace_))

    pos = 0
    for m in _LONG.finditer(text):
        if m.start() > pos:
            spacy_tokens(text[pos : m.start()])
        for start, end in split_tokens(m.group()):
            words.append(m.group()[start:end])
            spaces.append(False)
        pos = m.end()
    if pos < len(text):
        spacy_tokens(text[pos:])
    return Doc(tokenizer.vocab, words=words, spaces=spaces)
