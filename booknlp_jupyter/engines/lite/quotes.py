"""Quotations (BookNLP's `QuoteTagger`) and rule-based speaker attribution.

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
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from .entities import Mentions
from .tokens import BookTokens, TokenColumns

WINDOW = 16

SPEECH_VERBS = frozenset(
    [
        "say",
        "tell",
        "ask",
        "reply",
        "answer",
        "cry",
        "exclaim",
        "add",
        "continue",
        "remark",
        "observe",
        "return",
        "repeat",
        "whisper",
        "shout",
        "call",
        "murmur",
        "mutter",
        "respond",
        "retort",
        "rejoin",
        "declare",
        "insist",
        "protest",
        "explain",
        "inquire",
        "enquire",
        "demand",
        "resume",
        "interrupt",
        "suggest",
        "scream",
        "sob",
        "laugh",
        "sigh",
        "groan",
        "stammer",
        "urge",
        "plead",
        "beg",
        "admit",
        "agree",
        "announce",
        "assert",
        "venture",
        "persist",
        "gasp",
        "growl",
        "roar",
        "yell",
        "snap",
        "bellow",
        "whimper",
        "howl",
        "hiss",
        "drawl",
        "chuckle",
        "stutter",
        "pursue",
        "conclude",
        "thunder",
        "interpose",
        "put",
        "go",
        "begin",
        "breathe",
        "falter",
        "shriek",
        "wail",
        "moan",
        "reason",
        "argue",
        "object",
        "warn",
        "order",
        "command",
        "counter",
        "confess",
        "affirm",
        "maintain",
        "reflect",
        "think",
        "write",
    ]
)
_SUBJ = ("nsubj", "nsubjpass")


def tag_quotes(cols: TokenColumns) -> tuple[list[tuple[int, int]], bytearray]:
    """Quotes as (start, end) token ids, and a per-token in-quote flag."""
    from .booknlp_parts import quote_tagger

    quotes = quote_tagger().tag(BookTokens(cols))
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

    ``cluster_of(mention_id)`` gives a mention's character id, for turn-taking.
    """
    finder = SpeakerFinder(cols, mentions, in_quote, children)
    paras = paragraph_spans(cols)
    para_first = [s for s, _ in paras]
    speakers: list[int | None] = []
    #: paragraph index -> (speaker mention, its cluster) of the paragraph's last quote
    para_speaker: dict[int, tuple[int | None, Any]] = {}
    for q, (start, _end) in enumerate(quotes):
        p = bisect_left(para_first, start + 1) - 1
        m, _ = finder.explicit(q, quotes)
        fallback = subj = None
        if m is None:
            subj, fallback = finder.narration(paras[p])
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
