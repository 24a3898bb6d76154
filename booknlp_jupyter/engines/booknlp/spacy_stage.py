"""BookNLP's spaCy stage, in chunks: same tokens, bounded memory, progress per chunk.

BookNLP parses a whole book as one spaCy Doc (about 2.8 GB peak for Pride and Prejudice).
`parse` cuts the text after paragraph breaks into pieces of at most ``chunk_chars``,
parses them with ``nlp.pipe``, joins them with ``Doc.from_docs`` (text, offsets and parses
kept exactly) and hands the joined Doc to BookNLP's own ``SpacyPipeline.process_doc``.
Tokens, offsets and paragraph numbers equal BookNLP's; a sentence that spaCy would run
across a cut is split there. ``chunk_chars=0`` parses the text whole, as BookNLP does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def split_text(text: str, chunk_chars: int) -> list[str]:
    """Pieces of ``text`` (concatenating to it) cut after blank-line runs, ≤ ``chunk_chars``.

    A piece with no blank line inside the limit is cut at the next blank line after it.
    """
    if chunk_chars <= 0 or len(text) <= chunk_chars:
        return [text]
    pieces, start = [], 0
    while len(text) - start > chunk_chars:
        cut = None
        for m in _BREAK.finditer(text, start + 1, start + chunk_chars):
            cut = m.end()
        if cut is None:
            m = _BREAK.search(text, start + chunk_chars)
            if m is None:
                break
            cut = m.end()
        if cut >= len(text):
            break
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def parse(text: str, nlp: Any, chunk_chars: int,
          progress: Callable[[float, float], None]) -> list[Any]:
    """BookNLP ``Token`` objects for ``text``; ``progress(done_chars, total_chars)`` per piece."""
    from booknlp.common.pipelines import SpacyPipeline
    from spacy.tokens import Doc

    pipeline = SpacyPipeline(nlp)  # also sets nlp.max_length as BookNLP does
    pieces = split_text(text, chunk_chars)
    if len(pieces) == 1:
        doc = nlp(text)
        progress(len(text), len(text))
    else:
        docs, done = [], 0
        for piece, doc in zip(pieces, nlp.pipe(pieces, batch_size=1), strict=True):
            docs.append(doc)
            done += len(piece)
            progress(done, len(text))
        doc = Doc.from_docs(docs, ensure_whitespace=False)
        del docs
    tokens = pipeline.process_doc(doc)
    return tokens
