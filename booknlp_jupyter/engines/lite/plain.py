"""Pieces that skip spaCy's statistical pipeline: which ones, and their rule-made tags.

spaCy's cost is per token and per Doc, and a text can have five times a novel's tokens
per character (only punctuation or quote marks, one-letter words, one mark a paragraph).
Two rules keep the model's work on any text within that on a novel of the same length:

* a piece longer than ``INERT_CHARS`` with no letter or digit (a run of quote marks,
  dashes or emoji) is never parsed: nothing in it can be an entity, a speaker or an event;
* the model parses at most ``SLACK + length / CHARS_PER_TOKEN`` estimated tokens
  (`estimate_cost`: word-like runs and marks, plus ``DOC_COST`` a piece). Novels cost one
  per 4.0 to 4.9 characters, so all of a novel is parsed; a text over the budget has its
  pieces with the fewest tokens per character parsed first (`choose_parsed`).

A piece that skips the model is tokenized by rule (`bounded.split_tokens`), tagged by rule
(`plain_attrs`) and given a flat parse (`TokenColumns.add_plain`); it has no mentions.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

from .bounded import count_tokens

INERT_CHARS = 64
CHARS_PER_TOKEN = 3.5
DOC_COST = 2
SLACK = 10_000
#: A plain piece's sentences end after these tokens, or after ``PLAIN_SENTENCE`` tokens.
SENTENCE_END = frozenset((".", "!", "?"))
PLAIN_SENTENCE = 64

_WORDLIKE = re.compile(r"[^\W_]")  # a letter or digit
_PUNCT_TAGS = {
    ".": ".",
    "!": ".",
    "?": ".",
    ",": ",",
    ":": ":",
    ";": ":",
    "-": "HYPH",
    "--": ":",
    "\u2013": ":",
    "\u2014": ":",
    "(": "-LRB-",
    "[": "-LRB-",
    "{": "-LRB-",
    ")": "-RRB-",
    "]": "-RRB-",
    "}": "-RRB-",
    '"': "''",
    "'": "''",
    "\u201c": "``",
    "\u2018": "``",
    "\u201d": "''",
    "\u2019": "''",
}


def is_inert(piece: str) -> bool:
    """A piece longer than ``INERT_CHARS`` with no letter or digit."""
    return len(piece) > INERT_CHARS and _WORDLIKE.search(piece) is None


def estimate_cost(piece: str) -> int:
    """What parsing ``piece`` costs the model, in tokens (about spaCy's count, plus the Doc's)."""
    return count_tokens(piece) + DOC_COST


def choose_parsed(costs: Sequence[int], lengths: Sequence[int], total_chars: int) -> bytearray:
    """1 for each piece the model parses, 0 for the others.

    ``costs[i]`` is `estimate_cost` of piece ``i`` (-1: never parse it), ``lengths[i]`` its
    characters. All pieces are parsed when their costs fit the budget; else the cheapest
    per character first (in text order among equals), as many as fit.
    """
    budget = SLACK + total_chars / CHARS_PER_TOKEN
    chosen = bytearray(1 if c >= 0 else 0 for c in costs)
    if sum(c for c in costs if c > 0) <= budget:
        return chosen
    chosen = bytearray(len(costs))
    order = sorted(
        (i for i, c in enumerate(costs) if c >= 0), key=lambda i: costs[i] / max(lengths[i], 1)
    )
    used = 0
    for i in order:
        if used + costs[i] <= budget:
            chosen[i] = 1
            used += costs[i]
    return chosen


@functools.lru_cache(maxsize=8192)
def plain_attrs(word: str) -> tuple[str, str, str, str]:
    """``(lemma, POS, fine tag, dependency)`` of a token that skipped the model."""
    if any(c.isalpha() for c in word):
        return word.lower(), "X", "XX", "dep"
    if any(c.isdigit() for c in word):
        return word, "NUM", "CD", "nummod"
    if all(unicodedata.category(c).startswith("P") for c in word):
        return word, "PUNCT", _PUNCT_TAGS.get(word, "NFP"), "punct"
    return word, "SYM", "NFP", "dep"
