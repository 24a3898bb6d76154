"""A bench-only engine (never shipped): the real ``lite`` engine run once on a text,
its result tiled ``N`` times into one long book (``bench/bookview_bench.py``).

The text's first line ``@tile N`` says how many copies; the rest is the book. Copy ``k``
has its tokens, paragraphs, sentences, character offsets, mentions, quotes, events and
supersenses shifted past copy ``k-1``, as if the book were written out ``N`` times with a
blank line between; the characters are the same ones, their counts multiplied by ``N``.
A 145,000-token novel tiled 7 times is a real-looking 1,000,000-token result in the time
of one lite run (about a minute here, against seven for the whole text).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from booknlp_jupyter.engines import EngineResult
from booknlp_jupyter.engines.base import ProgressCallback
from booknlp_jupyter.engines.lite import LiteEngine
from booknlp_jupyter.results.schema import TABLE_SCHEMAS
from booknlp_jupyter.results.store import to_arrow

#: The columns of each table that count tokens, sentences, paragraphs or characters.
SHIFTS: dict[str, dict[str, str]] = {
    "tokens": {
        "paragraph_ID": "paragraph",
        "sentence_ID": "sentence",
        "token_ID_within_document": "token",
        "syntactic_head_ID": "token",
        "byte_onset": "char",
        "byte_offset": "char",
    },
    "entities": {"start_token": "token", "end_token": "token"},
    "quotes": {
        "quote_start": "token",
        "quote_end": "token",
        "mention_start": "token",
        "mention_end": "token",
    },
    "supersenses": {"start_token": "token", "end_token": "token"},
    "events": {"token_ID_within_document": "token", "sentence_ID": "sentence"},
}


def tile_table(table: pa.Table, shifts: Mapping[str, str], sizes: Mapping[str, int], n: int):
    """``n`` copies of ``table``, copy ``k`` with each shifted column plus ``k`` sizes."""
    copies = []
    for k in range(n):
        columns = {}
        for name in table.column_names:
            col = table[name]
            if name in shifts and k:
                col = pc.add(col, pa.scalar(k * sizes[shifts[name]], col.type))
            columns[name] = col
        copies.append(pa.table(columns, schema=table.schema))
    return pa.concat_tables(copies)


def tile_characters(characters: Sequence[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """The same characters, mentioned ``n`` times as often."""
    out = []
    for c in characters:
        mentions = {
            kind: [{**m, "c": m["c"] * n} for m in names]
            for kind, names in (c.get("mentions") or {}).items()
        }
        out.append({**c, "count": c["count"] * n, "mentions": mentions})
    return out


class TiledLiteEngine(LiteEngine):
    """``model: "tiled"``: the lite engine's result of the text, ``@tile N`` times over."""

    name: ClassVar[str] = "tiled"
    models: ClassVar[tuple[str, ...]] = ("tiled",)

    @classmethod
    def identity(cls, model: str, options: Mapping[str, Any]) -> str:
        return "tiled " + super().identity("lite", options)

    def run(
        self, text: str, *, model: str, pipeline: Sequence[str], progress: ProgressCallback
    ) -> EngineResult:
        first, _, book = text.partition("\n")
        match = re.fullmatch(r"@tile (\d+)", first.strip())
        n = int(match.group(1)) if match else 1
        book = book if match else text
        one = super().run(book, model="tiled", pipeline=pipeline, progress=progress)
        tables = {name: to_arrow(getattr(one, name), s) for name, s in TABLE_SCHEMAS.items()}
        tokens = tables["tokens"]
        sizes = {
            "token": tokens.num_rows,
            "sentence": (pc.max(tokens["sentence_ID"]).as_py() or 0) + 1,
            "paragraph": (pc.max(tokens["paragraph_ID"]).as_py() or 0) + 1,
            "char": len(book) + 2,  # the copies are joined by a blank line
        }
        result = EngineResult(characters=tile_characters(one.characters, n))
        for name, table in tables.items():
            setattr(result, name, tile_table(table, SHIFTS[name], sizes, n))
        return result
