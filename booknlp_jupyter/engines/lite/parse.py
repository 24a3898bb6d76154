"""The spaCy stage: paragraphs through ``nlp.pipe`` into token columns and mentions.

Memory and time stay linear in the text's length whatever it looks like: pieces are at
most ``max_doc_chars`` long (`paragraphs.iter_paragraphs`), tokenized in linear time
(`bounded.make_doc`), parsed in batches of at most ``batch_size`` pieces and
``BATCH_TOKENS`` tokens, and a piece the model need not or may not see (`plain`) is kept
as tokenized.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .bounded import make_doc
from .entities import Mentions, doc_mentions
from .lexicon import FirstSenseLexicon
from .names import repair_names
from .paragraphs import iter_paragraphs
from .plain import choose_parsed, estimate_cost, is_inert
from .tokens import TokenColumns

#: The most tokens parsed in one batch (a novel's 64 paragraphs are about 8,000).
BATCH_TOKENS = 16_000


@dataclass
class Piece:
    offset: int
    new_paragraph: bool
    text: str
    doc: Any  # tokenized (parsed once through the pipe); None for a plain piece


def plan(text: str, max_doc_chars: int) -> bytearray:
    """Which pieces of ``text`` the model parses (`plain.choose_parsed`), in piece order."""
    costs, lengths = array("i"), array("i")
    for _, piece, _ in iter_paragraphs(text, max_doc_chars):
        costs.append(-1 if is_inert(piece) else estimate_cost(piece))
        lengths.append(len(piece))
    return choose_parsed(costs, lengths, len(text))


def _pieces(text: str, nlp: Any, max_doc_chars: int) -> Iterator[Piece]:
    parsed = plan(text, max_doc_chars)
    for k, (off, piece, new_para) in enumerate(iter_paragraphs(text, max_doc_chars)):
        doc = make_doc(nlp.tokenizer, piece) if parsed[k] else None
        yield Piece(off, new_para, piece, doc)


def _batches(pieces: Iterator[Piece], size: int, tokens: int) -> Iterator[list[Piece]]:
    batch: list[Piece] = []
    n = 0
    for piece in pieces:
        batch.append(piece)
        n += len(piece.doc) if piece.doc is not None else 0
        if len(batch) >= size or n >= tokens:
            yield batch
            batch, n = [], 0
    if batch:
        yield batch


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
    next_report = chunk_chars
    for batch in _batches(_pieces(text, nlp, max_doc_chars), max(batch_size, 1), BATCH_TOKENS):
        to_parse = [p.doc for p in batch if p.doc is not None]
        parsed = iter(nlp.pipe(to_parse, batch_size=max(len(to_parse), 1)))
        for piece in batch:
            if piece.doc is not None:
                doc = next(parsed)
                gid = cols.add_doc(doc, text, piece.offset, piece.new_paragraph)
                doc_mentions(doc, gid, lexicon, mentions)
            else:
                cols.add_plain(piece.text, text, piece.offset, piece.new_paragraph)
            end = piece.offset + len(piece.text)
            if end >= next_report:
                on_chunk(end)
                next_report = end + chunk_chars
        del batch, to_parse, parsed
    return cols, repair_names(cols, mentions.sorted())
