"""Quotations and rule-based speaker attribution.

Quotes follow BookNLP's `QuoteTagger` rules (marks paired within a paragraph; a quote
left open runs to the paragraph's end) for the document's dialogue convention: double
quotes, single quotes (told from apostrophes by position) or Joyce's dashes
(`quote_convention`). Short quotes after a word inside a sentence (scare quotes, titles)
are dropped: LitBank marks speech only.

A quote's speaker is searched, in order:

1. after the quote, before the next quote and within ``WINDOW`` tokens of the same
   paragraph: a speech verb ("said", "replied", ...) and its subject (``"...," said
   Elizabeth`` / ``"...," she cried``);
2. before the quote, back to the previous quote or ``WINDOW`` tokens in the same
   paragraph: the last speech verb and its subject (``Elizabeth said, "..."``);
3. turn-taking: in a run of consecutive paragraphs with quotes, the speaker of the
   quote two paragraphs back when it differs from the previous paragraph's speaker;
4. the paragraph's narration (outside quotes): its first character that is a subject,
   else its first character mention of any kind.

Steps 1, 2 and 4 give a mention next to the quote; step 3 reuses the earlier quote's mention.

These rules (`rule_speakers`) are the fallback: with the trained weights shipped in
``models/speakers.json``, `attribute` ranks candidate mentions with `speaker_model`
(trained on LitBank by ``bench/train_speakers.py``), the rules' pick being one feature.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from .dashes import DASH_MARKS, dash_quotes
from .entities import Mentions
from .tokens import TokenColumns
from .words import SPEECH_VERBS

WINDOW = 16

_SUBJ = ("nsubj", "nsubjpass")


DOUBLE_MARKS = frozenset('"\u201c\u201d')
SINGLE_MARKS = frozenset(("'", "\u2018", "\u2019"))
_BOUNDARY = frozenset([".", "!", "?", ",", ":", ";", "--", "\u2014"])
_CLOSING_PUNCT = frozenset(",.;:!?-\u2014\u2013")


def quote_convention(cols: TokenColumns) -> str:
    """``"double"``, ``"single"`` or ``"dash"``: how the document marks dialogue.

    Double quotes unless the text has few of them but many single quote marks
    (``'``/``\u2018``/``\u2019``) or dashes (``\u2014``/``--``: Joyce's convention) that
    open a sentence or follow a clause's end (``. , ! ? : ;``). Apostrophes (``don't``,
    ``o' the``, ``the boys' dog``) rarely stand there, so only those marks are counted.
    """
    words = cols.words
    n_double = single = dash = 0
    for i, w in enumerate(words):
        if w[:1] in DOUBLE_MARKS:
            n_double += 1
        elif w in SINGLE_MARKS or w in DASH_MARKS:
            initial = i == 0 or cols.in_sent[i] == 0 or words[i - 1] in _BOUNDARY
            if initial and w in SINGLE_MARKS:
                single += 1
            elif initial and w in DASH_MARKS:
                dash += 1
    if single >= 3 and 2 * n_double < single:
        return "single"
    if dash >= 4 and 4 * n_double < dash and single < dash:
        return "dash"
    return "double"


def _attached(cols: TokenColumns, a: int, b: int) -> bool:
    """Tokens ``a`` and ``b = a + 1`` touch (no space between them in the text)."""
    return cols.offset(a) == cols.onsets[b]


def _single_role(
    cols: TokenColumns, i: int, lo: int, hi: int, is_open: bool, inline: bool = False
) -> int:
    """1: opens a quote, -1: closes one, 0: an apostrophe (``boys'``, ``o' the``).

    ``inline``: the open quote began after a word (``a 'stove-pipe' hat``), so a mark
    after a word closes it even before a lower-case word."""
    words = cols.words
    w = words[i]
    prev = words[i - 1] if i > lo else ""
    nxt = words[i + 1] if i < hi else ""
    prev_word = prev[:1].isalnum()
    next_lower = nxt[:1].islower()
    left = i > lo and _attached(cols, i - 1, i)
    right = i < hi and _attached(cols, i, i + 1)
    if not is_open:
        if w == "\u2019" and (left or not right) and prev_word:
            return 0  # "the boys\u2019 dog", "o\u2019 the"
        if w == "'" and prev_word and (left or next_lower) and not right:
            return 0
        if not nxt or nxt in _CLOSING_PUNCT:
            return 0
        return 1
    if w == "\u2018" and not left:
        return 1  # an opening mark while a quote is open: the last one was not closed
    if prev_word and next_lower and not inline:
        return 0  # "o' the", "the boys' dog" inside a quote
    return -1


def _tag(cols: TokenColumns, mode: str) -> list[tuple[int, int]]:
    """BookNLP's QuoteTagger rules (pair the marks within a paragraph; a quote left open
    runs to the paragraph's end), for the document's convention. In double and single
    modes a curly opening mark met while a quote is open closes the open one first (its
    closing mark is missing); in dash mode `dashes.dash_quotes` finds each paragraph's
    turns and cuts their speech tags out."""
    words, para = cols.words, cols.para_ids
    n = len(cols)
    quotes: list[tuple[int, int]] = []
    lo = 0
    while lo < n:
        hi = lo
        while hi + 1 < n and para[hi + 1] == para[lo]:
            hi += 1
        start = None
        if mode == "dash":
            quotes.extend(dash_quotes(cols, lo, hi))
        else:
            for i in range(lo, hi + 1):
                w = words[i]
                if mode == "double":
                    if w[:1] not in DOUBLE_MARKS:
                        continue
                    role = -1 if start is not None else 1
                    if start is not None and w == "\u201c" and i > start + 1:
                        role = 1
                else:
                    if w not in SINGLE_MARKS:
                        continue
                    inline = start is not None and start > lo and words[start - 1][:1].isalnum()
                    role = _single_role(cols, i, lo, hi, start is not None, inline)
                if role == 1:
                    if start is not None and i > start + 1:
                        quotes.append((start, i - 1))
                    start = i
                elif role == -1 and start is not None:
                    if i > start + 1:
                        quotes.append((start, i))
                    start = None
        if start is not None and hi > start:
            quotes.append((start, hi))
        lo = hi + 1
    return quotes


#: The most words a scare quote or title holds (``called "the hired man's room."``).
SCARE_MAX = 12
#: Speech verbs that also name things (``called "the house,"``): not speech next to a quote.
_NAMING = frozenset(["call", "go", "put", "write", "begin", "order", "object", "reason"])


def _speaks(cols: TokenColumns, i: int) -> bool:
    lemma = cols.lemmas[i].lower()
    return lemma in SPEECH_VERBS and lemma not in _NAMING


def _is_scare_quote(cols: TokenColumns, start: int, end: int) -> bool:
    """A quote inside a sentence after a word (``the "stove-pipe" hat``, ``called "the
    girl's room,"``, a title): LitBank marks speech only. At most `SCARE_MAX` words, no
    ``!``/``?``, no speech verb just before or after it (``said "Good-night"``, ``"Wake
    up," said a voice``), and the token before it a word of the same paragraph."""
    if end - start - 1 > SCARE_MAX or start == 0:
        return False
    if cols.para_ids[start - 1] != cols.para_ids[start]:
        return False
    prev = cols.words[start - 1]
    if not prev[:1].isalnum() or prev.endswith("."):
        return False
    para = cols.para_ids[start]
    after = (t for t in (end + 1, end + 2) if t < len(cols) and cols.para_ids[t] == para)
    near = [start - 1, *after]
    if any(_speaks(cols, t) for t in near):
        return False
    return not any(w in ("!", "?") for w in cols.words[start : end + 1])


def tag_quotes(cols: TokenColumns) -> tuple[list[tuple[int, int]], bytearray]:
    """Quotes as (start, end) token ids, and a per-token in-quote flag."""
    quotes = [q for q in _tag(cols, quote_convention(cols)) if not _is_scare_quote(cols, *q)]
    in_quote = bytearray(len(cols))
    for start, end in quotes:
        in_quote[start : end + 1] = b"\x01" * (end - start + 1)
    return quotes, in_quote


def per_mention_index(mentions: Mentions) -> dict[int, int]:
    """Token id -> the smallest PER mention that contains it."""
    at: dict[int, int] = {}
    order = sorted(
        (k for k in range(len(mentions)) if mentions.cats[k] == "PER"),
        key=lambda k: mentions.starts[k] - mentions.ends[k],
    )
    for k in order:
        for i in range(mentions.starts[k], mentions.ends[k] + 1):
            at[i] = k
    return at


class SpeakerFinder:
    """Finds the speaker mention of each quote (steps 1-3 of the module docstring)."""

    def __init__(
        self, cols: TokenColumns, mentions: Mentions, in_quote: bytearray, children: list[list[int]]
    ):
        self.cols = cols
        self.mentions = mentions
        self.in_quote = in_quote
        self.children = children
        self.at = per_mention_index(mentions)

    def _is_speech(self, i: int) -> bool:
        return self.cols.pos[i] == "VERB" and self.cols.lemmas[i].lower() in SPEECH_VERBS

    def _subject(self, verb: int, lo: int, hi: int) -> int | None:
        for c in self.children[verb]:
            if self.cols.deps[c] in _SUBJ and c in self.at and not self.in_quote[c]:
                return self.at[c]
        # inverted order the parser missed ("said the old man"): nearest mention after
        for i in range(verb + 1, min(hi, verb + 6) + 1):
            if i in self.at and not self.in_quote[i]:
                return self.at[i]
        for i in range(verb - 1, max(lo, verb - 4) - 1, -1):
            if i in self.at and not self.in_quote[i]:
                return self.at[i]
        return None

    def explicit(self, q: int, quotes: list[tuple[int, int]]) -> tuple[int | None, int | None]:
        """(speech-verb speaker, narration fallback) mention ids for quote ``q``."""
        cols, in_quote = self.cols, self.in_quote
        start, end = quotes[q]
        para = cols.para_ids[start]
        n = len(cols)
        hi = end
        while (
            hi + 1 < n
            and cols.para_ids[hi + 1] == para
            and not in_quote[hi + 1]
            and hi - end < WINDOW
        ):
            hi += 1
        for i in range(end + 1, hi + 1):
            if self._is_speech(i):
                m = self._subject(i, end + 1, hi)
                if m is not None:
                    return m, None
        lo = start
        while (
            lo - 1 >= 0
            and cols.para_ids[lo - 1] == para
            and not in_quote[lo - 1]
            and start - lo < WINDOW
        ):
            lo -= 1
        for i in range(start - 1, lo - 1, -1):
            if self._is_speech(i):
                m = self._subject(i, lo, start - 1)
                if m is not None:
                    return m, None
        return None, None

    def narration(self, para_span: tuple[int, int]) -> tuple[int | None, int | None]:
        """(first subject character, first character) mentioned outside quotes."""
        first_any = None
        for i in range(para_span[0], para_span[1] + 1):
            if self.in_quote[i] or i not in self.at:
                continue
            m = self.at[i]
            if self.cols.deps[i] in _SUBJ:
                return m, first_any if first_any is not None else m
            if first_any is None:
                first_any = m
        return None, first_any


def paragraph_spans(cols: TokenColumns) -> list[tuple[int, int]]:
    """First and last token id of each paragraph."""
    spans: list[tuple[int, int]] = []
    para = cols.para_ids
    start = 0
    for i in range(1, len(cols) + 1):
        if i == len(cols) or para[i] != para[i - 1]:
            spans.append((start, i - 1))
            start = i
    return spans


def attribute(
    cols: TokenColumns,
    mentions: Mentions,
    quotes: list[tuple[int, int]],
    in_quote: bytearray,
    children: list[list[int]],
    cluster_of: Any,
) -> list[int | None]:
    """The speaker mention id of each quote (None when none is found).

    The trained model (`speaker_model`, its rule-based picks among its features) when its
    weights are there, else the rules (`rule_speakers`). ``cluster_of(mention_id)`` gives
    a mention's character id, for turn-taking.
    """
    from .speaker_model import default_model

    rules = rule_speakers(cols, mentions, quotes, in_quote, children, cluster_of)
    model = default_model()
    if model is None or not quotes:
        return rules
    from .speaker_features import DocSpeakers

    return model.decode(DocSpeakers(cols, mentions, quotes, in_quote, cluster_of, rules))


def rule_speakers(
    cols: TokenColumns,
    mentions: Mentions,
    quotes: list[tuple[int, int]],
    in_quote: bytearray,
    children: list[list[int]],
    cluster_of: Any,
) -> list[int | None]:
    """The speaker mention id of each quote by the rules of the module docstring."""
    finder = SpeakerFinder(cols, mentions, in_quote, children)
    paras = paragraph_spans(cols)
    para_first = [s for s, _ in paras]
    speakers: list[int | None] = []
    #: paragraph index -> (speaker mention, its cluster) of the paragraph's last quote
    para_speaker: dict[int, tuple[int | None, Any]] = {}
    #: paragraph index -> its narration's characters (one scan per paragraph, not per quote)
    narration: dict[int, tuple[int | None, int | None]] = {}
    for q, (start, _end) in enumerate(quotes):
        p = bisect_left(para_first, start + 1) - 1
        m, _ = finder.explicit(q, quotes)
        fallback = subj = None
        if m is None:
            if p not in narration:
                narration[p] = finder.narration(paras[p])
            subj, fallback = narration[p]
        if m is None and p - 1 in para_speaker and p - 2 in para_speaker:
            _prev_m, prev_c = para_speaker[p - 1]
            back_m, back_c = para_speaker[p - 2]
            if back_m is not None and prev_c is not None and back_c != prev_c:
                m = back_m
        if m is None:
            m = subj if subj is not None else fallback
        speakers.append(m)
        para_speaker[p] = (m, cluster_of(m) if m is not None else None)
    return speakers


def quote_text(cols: TokenColumns, start: int, end: int) -> str:
    return cols.text(start, end)
