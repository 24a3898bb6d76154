"""Split a text into paragraphs (at blank lines) without losing character offsets."""

from __future__ import annotations

import re
from collections.abc import Iterator

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_WS_ONLY = re.compile(r"\s*\Z")
#: Characters replaced by a space before parsing (the replacement keeps every offset).
_INLINE_BREAKS = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\f": " ", "\v": " "})


def iter_paragraphs(text: str, max_chars: int) -> Iterator[tuple[int, str, bool]]:
    """Yield ``(offset, piece, new_paragraph)`` for each paragraph of ``text``.

    A paragraph ends at a blank line. Line breaks inside a paragraph become spaces
    (same length, so offsets stay exact): hard-wrapped lines then parse as prose.
    A paragraph longer than ``max_chars`` is cut into pieces at a line break, else at a
    sentence end, else at a space near the limit; ``new_paragraph`` is False for the
    continuation pieces so they keep the paragraph's id.
    """
    start = 0
    n = len(text)
    while start < n:
        m = _BLANK_LINE.search(text, start)
        end = m.start() if m else n
        nxt = m.end() if m else n
        if not _WS_ONLY.match(text, start, end):
            first = True
            for off, piece in _cut(text, start, end, max_chars):
                yield off, piece.translate(_INLINE_BREAKS), first
                first = False
        start = nxt


def _cut(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, str]]:
    while end - start > max_chars:
        limit = start + max_chars
        cut = text.rfind("\n", start + max_chars // 2, limit)
        if cut < 0:
            cut = max(text.rfind(". ", start + max_chars // 2, limit) + 1, 0)
        if cut <= start:
            cut = text.rfind(" ", start + max_chars // 2, limit)
        if cut <= start:
            cut = limit
        yield start, text[start:cut]
        start = cut
    if start < end:
        yield start, text[start:end]
