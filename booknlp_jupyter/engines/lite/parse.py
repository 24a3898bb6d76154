"""The spaCy stage: paragraphs through ``nlp.pipe`` into token columns and mentions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .entities import Mentions, doc_mentions
from .lexicon import FirstSenseLexicon
from .names import repair_names
from .paragraphs import iter_paragraphs
from .tokens import TokenColumns


def parse(
    text: str,
    nlp: Any,
    lexicon: FirstSenseLexicon,
    *,
    batch_size: int,
    chunk_chars: int,
    max_doc_chars: int,
    on_chunk: Callable[[int], None],
) -> tuple[TokenColumns, Mentions]:
    """Parse ``text`` paragraph by paragraph; ``on_chunk(chars_done)`` every chunk.

    Only one batch of Docs is alive at a time: each Doc is reduced to columns and
    mention spans as soon as it comes out of the pipe.
    """
    cols = TokenColumns()
    mentions = Mentions()
    pieces: list[tuple[int, bool]] = []  # (offset, new paragraph) of pieces in flight

    def texts() -> Any:
        for off, piece, new_para in iter_paragraphs(text, max_doc_chars):
            pieces.append((off, new_para))
            yield piece

    next_report = chunk_chars
    k = 0
    for doc in nlp.pipe(texts(), batch_size=batch_size):
        off, new_para = pieces[k]
        pieces[k] = None  # type: ignore[call-overload]
        k += 1
        gid = cols.add_doc(doc, text, off, new_para)
        doc_mentions(doc, gid, lexicon, mentions)
        end = off + len(doc.text)
        if end >= next_report:
            on_chunk(end)
            next_report = end + chunk_chars
        if k >= 4096 and k == len(pieces):
            pieces.clear()
            k = 0
    return cols, repair_names(cols, mentions.sorted())
