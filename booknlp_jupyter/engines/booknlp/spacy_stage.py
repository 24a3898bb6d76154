"""BookNLP's spaCy stage, in chunks: same tokens, bounded memory, progress per chunk.

BookNLP parses a whole book as one spaCy Doc (about 2.8 GB peak for Pride and Prejudice).
`parse` cuts the text after paragraph breaks into pieces of at most ``chunk_chars``,
parses them with ``nlp.pipe``, joins them with ``Doc.from_docs`` (text, offsets and parses
kept exactly) and hands the joined Doc to BookNLP's own ``SpacyPipeline.process_doc``.
Tokens, offsets and paragraph numbers equal BookNLP's; a sentence that spaCy would run
across a cut is split there. A stretch of ``chunk_chars`` with no paragraph break (one
line, no sentence end, no space) is cut at its last line break, else sentence end, else
space, else at ``chunk_chars``: every piece is bounded, whatever the text. Each piece is
tokenized in linear time (`lite.bounded.make_doc`). ``chunk_chars=0`` parses the text
whole, as BookNLP does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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


def parse(
    text: str, nlp: Any, chunk_chars: int, progress: Callable[[float, float], None]
) -> list[Any]:
    """BookNLP ``Token`` objects for ``text``; ``progress(done_chars, total_chars)`` per piece."""
    from booknlp.common.pipelines import SpacyPipeline
    from spacy.tokens import Doc

    pipeline = SpacyPipeline(nlp)  # also sets nlp.max_length as BookNLP does
    pieces = split_text(text, chunk_chars)
    if len(pieces) == 1:
        doc = nlp(make_doc(nlp.tokenizer, text))
        progress(len(text), len(text))
    else:
        docs, done = [], 0
        tokenized = (make_doc(nlp.tokenizer, piece) for piece in pieces)
        for piece, doc in zip(pieces, nlp.pipe(tokenized, batch_size=1), strict=True):
            docs.append(doc)
            done += len(piece)
            progress(done, len(text))
        doc = Doc.from_docs(docs, ensure_whitespace=False)
        del docs
    tokens = pipeline.process_doc(doc)
    return tokens
