"""Quotes in Joyce's dash convention (``— Come up, Kinch! Come up, you fearful jesuit!``).

A turn opens with a dash that starts a sentence (or follows ``:``) and runs on through
the paragraph, sentence by sentence, as LitBank marks it:

* a **speech tag** (``he cried briskly``, ``Stephen said with energy``) ends the quote
  where it starts, inside a sentence after ``, ! ? ...`` or as a sentence of its own;
  the speech after it (``That will do nicely.``) is a new quote of the same turn;
* a sentence of **narration** ends the turn: its main verb is in the past tense and no
  first- or second-person word is in it (``He skipped off the gunrest.``), which speech
  rarely is (``You saved men from drowning.``, ``Where is his guncase?``);
* anything else (imperatives, questions, present tense, fragments) is speech.

A paragraph break always ends a turn. Texts with paragraphs seldom need the narration
rule; texts without them (one sentence per line) do.
"""

from __future__ import annotations

from .tokens import TokenColumns
from .words import SPEECH_VERBS

DASH_MARKS = frozenset(("\u2014", "--", "\u2015"))
#: Words that mark speech addressed by a speaker: never in a sentence of narration.
_PERSONAL = "i me my mine myself we us our ours ourselves you your yours yourself yourselves"
PERSONAL = frozenset([*_PERSONAL.split(), "thou", "thee", "thy", "thine", "ye", "'m", "'re"])
#: After these a speech tag may start inside a sentence (``— I was, Stephen said.``).
_TAG_AFTER = frozenset([",", "!", "?", "...", "\u2026", "\u2014", "--", ";"])
_TAG_END = frozenset([".", ",", ":", ";", "!", "?"])
_TAG_SUBJECT_POS = frozenset(["PRON", "PROPN", "DET", "NOUN", "ADJ"])
#: A tag's speech verb is among its first words; the whole tag is short.
TAG_VERB_WITHIN = 4
TAG_MAX = 10


def _tag_end(cols: TokenColumns, a: int, b: int) -> int | None:
    """The last token of a speech tag starting at ``a`` (within ``a..b``), else None."""
    for v in range(a, min(b, a + TAG_VERB_WITHIN) + 1):
        if cols.lemmas[v].lower() in SPEECH_VERBS and cols.pos[v] == "VERB":
            break
        if cols.pos[v] not in _TAG_SUBJECT_POS:
            return None
    else:
        return None
    if cols.tags[v] not in ("VBD", "VBZ"):
        return None
    stop = min(b, a + TAG_MAX)
    end = next((t for t in range(v + 1, stop + 1) if cols.words[t] in _TAG_END), None)
    if end is None and b - a < TAG_MAX:
        end = b
    if end is None or any(cols.words[t].lower() in PERSONAL for t in range(a, end + 1)):
        return None  # "He thinks you're not a gentleman." is speech
    return end


def _is_narration(cols: TokenColumns, a: int, b: int) -> bool:
    """A sentence told by the narrator: a past-tense main verb, no first/second person."""
    words = cols.words
    if any(words[i].lower() in PERSONAL for i in range(a, b + 1)):
        return False
    for i in range(a, b + 1):
        head = cols.heads[i]
        if head == i or not a <= head <= b:  # the segment's root
            if cols.tags[i] == "VBD":
                return True
            if any(cols.heads[j] == i and cols.tags[j] == "VBD" for j in range(a, b + 1)):
                return True
    return False


def _segments(cols: TokenColumns, lo: int, hi: int) -> list[tuple[int, int]]:
    """The paragraph's sentences, split again before each dash that opens a turn."""
    segs: list[tuple[int, int]] = []
    start = lo
    for i in range(lo + 1, hi + 1):
        opens = cols.words[i] in DASH_MARKS and (cols.in_sent[i] == 0 or cols.words[i - 1] == ":")
        if cols.in_sent[i] == 0 or opens:
            segs.append((start, i - 1))
            start = i
    segs.append((start, hi))
    return segs


def dash_quotes(cols: TokenColumns, lo: int, hi: int) -> list[tuple[int, int]]:
    """The quotes of paragraph ``lo..hi`` (token ids) by the rules of the module docstring."""
    quotes: list[tuple[int, int]] = []
    start: int | None = None  # the open quote's first token
    in_turn = False

    def close(end: int) -> None:
        if start is not None and end > start:
            quotes.append((start, end))

    for a, b in _segments(cols, lo, hi):
        i = a
        if cols.words[a] in DASH_MARKS:
            close(a - 1)
            in_turn, start, i = True, a, a + 1
        elif not in_turn:
            continue
        while i <= b:
            fresh = start is None or i == a  # a sentence's first word, or after a tag
            if fresh or cols.words[i - 1] in _TAG_AFTER:
                tag = _tag_end(cols, i, b)
                if tag is not None and (start is None or i > start + 1):
                    close(i - 1)
                    start, i = None, tag + 1
                    continue
            if fresh:
                if _is_narration(cols, i, b):
                    close(i - 1)
                    start, in_turn = None, False
                    break
                if start is None:
                    start = i
            i += 1
    close(hi)
    return quotes
