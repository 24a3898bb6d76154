"""BookNLP's spaCy stage, in pieces: the tokens and parses of the whole text, bounded memory.

BookNLP parses a whole book as one spaCy Doc (about 2.8 GB peak for Pride and Prejudice).
`parse` cuts the text after paragraph breaks into pieces of at most ``chunk_chars`` and
parses each ``OVERLAP_CHARS`` into the next. Where two parses overlap, it stitches them at
the first sentence start around which both agree (the sentence before and two after),
so the joined Doc (``Doc.from_docs``) holds what spaCy gives the whole text: a paragraph's
closing quote that spaCy keeps with the next sentence stays there, and every
``sentence_ID`` after it is BookNLP's. BookNLP's own ``SpacyPipeline.process_doc`` then
makes the tokens. A stretch of ``chunk_chars`` with no paragraph break is cut at its last
line break, else sentence end, else space, else at ``chunk_chars``: every piece is
bounded, whatever the text. Each piece is tokenized in linear time
(`lite.bounded.make_doc`). ``chunk_chars=0`` parses the text whole, as BookNLP does.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..lite.bounded import make_doc

_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
#: Where to cut a stretch without paragraph breaks, best first.
_FALLBACKS = (
    re.compile(r"\n\s*"),
    re.compile(r"[.!?][\"')\]\u201d\u2019]*\s+"),
    re.compile(r"\s+"),
)


def _last_end(pattern: re.Pattern[str], text: str, start: int, end: int) -> int | None:
    """The end of the last match of ``pattern`` in ``text[start:end]``, or None."""
    cut = None
    for m in pattern.finditer(text, start, end):
        cut = m.end()
    return cut


def split_text(text: str, chunk_chars: int) -> list[str]:
    """Pieces of ``text`` (concatenating to it), each at most ``chunk_chars`` long.

    Cut after the last blank-line run that fits; in a stretch without one, after the last
    line break, sentence end or space that fits, else at ``chunk_chars``.
    """
    if chunk_chars <= 0 or len(text) <= chunk_chars:
        return [text]
    pieces, start = [], 0
    while len(text) - start > chunk_chars:
        limit = start + chunk_chars
        cut = None
        for pattern in (_BREAK, *_FALLBACKS):
            cut = _last_end(pattern, text, start + 1, limit)
            if cut is not None:
                break
        if cut is None or cut <= start:
            cut = limit
        if cut >= len(text):
            break
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


#: How far each piece's parse runs into the next piece: the stitch is made there.
OVERLAP_CHARS = 3000
#: Sentences around a stitch on which both parses must agree.
_AGREE_BEFORE, _AGREE_AFTER = 1, 2
#: Tokens before a parse's end whose analysis is not trusted (they lack right context).
_END_MARGIN = 16


def _token_key(tok: Any, base: int) -> tuple[Any, ...]:
    """What BookNLP reads of a token, with its offset in the whole text."""
    return (
        base + tok.idx,
        tok.text,
        tok.pos_,
        tok.tag_,
        tok.lemma_,
        tok.dep_,
        tok.head.i - tok.i,
        bool(tok.is_sent_start),
    )


def _sentences(doc: Any, base: int) -> list[tuple[int, int, int]]:
    """``(offset in text, first token, end token)`` of each sentence of ``doc``."""
    return [(base + s[0].idx, s.start, s.end) for s in doc.sents if len(s)]


def _stitch(a: Any, a_base: int, b: Any, b_base: int) -> tuple[int, int] | None:
    """Where to leave parse ``a`` for parse ``b`` (which starts inside ``a``): the first
    sentence start of ``b`` whose sentence before and sentences after are analysed alike
    by both, well before ``a`` ends. ``(token in a, token in b)``, or None."""
    a_sents = {off: (start, end) for off, start, end in _sentences(a, a_base)}
    b_sents = _sentences(b, b_base)
    a_trusted = len(a) - _END_MARGIN
    for k in range(_AGREE_BEFORE, len(b_sents) - _AGREE_AFTER + 1):
        offset = b_sents[k][0]
        if offset not in a_sents:
            continue
        first_b, last_b = b_sents[k - _AGREE_BEFORE][1], b_sents[k + _AGREE_AFTER - 1][2]
        start_a = a_sents[offset][0] - (b_sents[k][1] - first_b)
        end_a = start_a + (last_b - first_b)
        if start_a < 0 or end_a > a_trusted:
            return None  # past what ``a`` can vouch for
        same = all(
            _token_key(a[start_a + i], a_base) == _token_key(b[first_b + i], b_base)
            for i in range(last_b - first_b)
        )
        if same:
            return a_sents[offset][0], b_sents[k][1]
    return None


def _extent(text: str, cut: int, overlap: int) -> int:
    """Where a piece's parse ends: ``overlap`` characters past its ``cut``, at a space."""
    end = min(len(text), cut + overlap)
    if end < len(text):
        space = _last_end(re.compile(r"\s+"), text, cut + 1, end)
        end = space if space is not None else end
    return end


#: Parses texts: their Docs, in order (default: ``nlp.pipe``; `spacy_parallel.parallel_pipe`).
Pipe = Callable[[Sequence[str]], Iterator[Any]]


def parse(
    text: str,
    nlp: Any,
    chunk_chars: int,
    progress: Callable[[float, float], None],
    overlap: int = OVERLAP_CHARS,
    pipe: Pipe | None = None,
) -> list[Any]:
    """BookNLP ``Token`` objects for ``text``; ``progress(done_chars, total_chars)`` per piece.

    Each piece is parsed ``overlap`` characters into the next, and the two parses are
    stitched at a sentence start on which they agree, so the joined analysis is the one
    spaCy gives the whole text (BookNLP's), with memory bounded by one piece. ``pipe``
    parses the pieces (several at once: `spacy_parallel`)."""
    from booknlp.common.pipelines import SpacyPipeline
    from spacy.tokens import Doc

    pipeline = SpacyPipeline(nlp)  # also sets nlp.max_length as BookNLP does
    pieces = split_text(text, chunk_chars)
    if len(pieces) == 1:
        doc = nlp(make_doc(nlp.tokenizer, text))
        progress(len(text), len(text))
        return pipeline.process_doc(doc)
    cuts = [0]
    for piece in pieces:
        cuts.append(cuts[-1] + len(piece))
    spans = [
        (cuts[i], _extent(text, cuts[i + 1], overlap) if i + 2 < len(cuts) else len(text))
        for i in range(len(pieces))
    ]
    texts = [text[start:end] for start, end in spans]
    if pipe is None:
        docs = nlp.pipe((make_doc(nlp.tokenizer, t) for t in texts), batch_size=1)
    else:
        docs = pipe(texts)
    with contextlib.closing(docs):
        kept = _stitched(spans, docs, progress, len(text))
    doc = Doc.from_docs(kept, ensure_whitespace=False)
    del kept, docs
    return pipeline.process_doc(doc)


def _stitched(
    spans: list[tuple[int, int]],
    docs: Iterator[Any],
    progress: Callable[[float, float], None],
    total: int,
) -> list[Any]:
    """The pieces' parses, each cut where it is stitched to the next (`_stitch`)."""
    kept: list[Any] = []
    previous: tuple[Any, int, int] | None = None  # parse, its offset, first token to keep
    for (start, _), doc in zip(spans, docs, strict=True):
        if previous is None:
            previous = (doc, start, 0)
            continue
        prev, prev_base, keep_from = previous
        where = _stitch(prev, prev_base, doc, start)
        if where is None:  # no agreement found: cut where the pieces meet
            at = next((t.i for t in prev if prev_base + t.idx >= start), len(prev))
            where = (at, 0)
        kept.append(prev[keep_from : where[0]].as_doc())
        previous = (doc, start, where[1])
        progress(start, total)
    prev, _, keep_from = previous  # type: ignore[misc]
    kept.append(prev[keep_from:].as_doc())
    progress(total, total)
    return kept
