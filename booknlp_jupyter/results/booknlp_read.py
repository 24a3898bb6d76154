"""Folders of BookNLP output files (BookNLP's own, or `write_booknlp_files`'s) as pandas.

`read_output` reads every book in a folder (its ids: the stems of ``*.tokens``,
``*.entities``, ``*.book``, ``*.quotes`` and ``*.supersense``) into the six result
tables, one DataFrame each with a ``book_id`` column first, typed as a job's frames
(`booknlp_jupyter._frames`): the result schema's integers nullable, text ``string``,
label columns categorical.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .._frames import CATEGORICAL, _nullable_types
from .schema import CHARACTERS, TABLE_SCHEMAS

#: Each tabular table's file suffix (``events`` come from the tokens' ``event`` column).
SUFFIXES: dict[str, str] = {
    "tokens": "tokens",
    "entities": "entities",
    "quotes": "quotes",
    "supersenses": "supersense",
}
#: The six tables `read_output` returns, in its order.
OUTPUT_TABLES: tuple[str, ...] = (
    "tokens",
    "entities",
    "quotes",
    "supersenses",
    "events",
    CHARACTERS,
)
#: A character's keys in BookNLP's ``.book`` file, in its order, then our display ``name``.
CHARACTER_COLUMNS: tuple[str, ...] = (
    "agent",
    "patient",
    "mod",
    "poss",
    "id",
    "g",
    "count",
    "mentions",
    "name",
)
_BOOK_ID = pa.field("book_id", pa.string())


def character_name(character: dict[str, Any]) -> str:
    """A display name: the most frequent proper name, else common noun, else pronoun."""
    mentions = character.get("mentions", {})
    for kind in ("proper", "common", "pronoun"):
        if mentions.get(kind):
            name = mentions[kind][0]["n"]
            return f"{name} [NARRATOR]" if character.get("id") == 0 and kind != "proper" else name
    return "[NARRATOR]" if character.get("id") == 0 else ""


def booknlp_character(character: dict[str, Any]) -> dict[str, Any]:
    """A character exactly as BookNLP's ``.book`` holds it: its keys only, in its order
    (``agent``, ``patient``, ``mod``, ``poss``, ``id``, ``g``, ``count``, ``mentions``)."""
    mentions = character.get("mentions") or {}
    return {
        **{
            k: [{"w": a["w"], "i": a["i"]} for a in character.get(k) or []]
            for k in CHARACTER_COLUMNS[:4]
        },
        "id": character["id"],
        "g": character.get("g"),
        "count": character["count"],
        "mentions": {
            k: [{"c": m["c"], "n": m["n"]} for m in mentions.get(k) or []]
            for k in ("proper", "common", "pronoun")
        },
    }


def book_ids(folder: str | os.PathLike[str]) -> list[str]:
    """The books of a BookNLP output folder, sorted."""
    ids = set()
    for path in Path(folder).iterdir():
        for suffix in (".tokens", ".entities", ".book", ".quotes", ".supersense"):
            if path.name.endswith(suffix) and len(path.name) > len(suffix) and path.is_file():
                ids.add(path.name[: -len(suffix)])
    return sorted(ids)


def _read_tsv(path: Path, schema: pa.Schema) -> pa.Table | None:
    """One BookNLP TSV file, typed by ``schema`` (``None`` in an integer column: null)."""
    if not path.is_file():
        return None
    with open(path, encoding="utf-8", newline="") as f:
        header = f.readline().rstrip("\r\n").split("\t")
    if header != schema.names:
        raise ValueError(f"{path}: columns {header}, not BookNLP's {schema.names}")
    table = pa_csv.read_csv(
        path,
        parse_options=pa_csv.ParseOptions(
            delimiter="\t", quote_char=False, double_quote=False, escape_char=False
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types=schema,
            null_values=["None"],
            strings_can_be_null=False,  # a token "None" stays a word
        ),
    )
    table = table.select(schema.names).cast(schema)
    if "mention_phrase" in schema.names:  # no speaker: BookNLP writes None for all four
        phrase = pc.if_else(
            pc.is_null(table["mention_start"]),
            pa.scalar(None, pa.string()),
            table["mention_phrase"],
        )
        table = table.set_column(schema.get_field_index("mention_phrase"), "mention_phrase", phrase)
    return table


def _events(tokens: pa.Table) -> pa.Table:
    wanted = pc.equal(tokens["event"], "EVENT")
    return tokens.filter(wanted).select(TABLE_SCHEMAS["events"].names)


def _with_book(table: pa.Table, book_id: str) -> pa.Table:
    return table.add_column(0, _BOOK_ID, pa.array([book_id] * table.num_rows, pa.string()))


def _frame(name: str, tables: list[pa.Table]) -> Any:
    schema = TABLE_SCHEMAS[name].insert(0, _BOOK_ID)
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    for column in CATEGORICAL.get(name, []):
        i = table.schema.get_field_index(column)
        table = table.set_column(i, column, pc.dictionary_encode(table[column].combine_chunks()))
    return table.to_pandas(types_mapper=_nullable_types().get)


def _characters_frame(rows: list[dict[str, Any]]) -> Any:
    import pandas as pd

    chars = pd.DataFrame(rows, columns=["book_id", *CHARACTER_COLUMNS])
    types = {"book_id": "string", "id": "Int64", "count": "Int64", "name": "string"}
    return chars.astype(types)


def read_output(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """Every book of a BookNLP output folder as six DataFrames (``tokens``, ``entities``,
    ``quotes``, ``supersenses``, ``events``, ``characters``), each with ``book_id`` first.

    A table no book has is an empty DataFrame with the right columns; ``characters`` is
    one row per character (its ``.book`` keys plus a display ``name``)."""
    folder = Path(folder)
    parts: dict[str, list[pa.Table]] = {name: [] for name in TABLE_SCHEMAS}
    characters: list[dict[str, Any]] = []
    for book_id in book_ids(folder):
        for name, suffix in SUFFIXES.items():
            table = _read_tsv(folder / f"{book_id}.{suffix}", TABLE_SCHEMAS[name])
            if table is not None:
                parts[name].append(_with_book(table, book_id))
                if name == "tokens":
                    parts["events"].append(_with_book(_events(table), book_id))
        book = folder / f"{book_id}.book"
        if book.is_file():
            for c in json.loads(book.read_text(encoding="utf-8"))["characters"]:
                characters.append(
                    {"book_id": book_id, **booknlp_character(c), "name": character_name(c)}
                )
    frames = {name: _frame(name, parts[name]) for name in OUTPUT_TABLES if name != CHARACTERS}
    frames[CHARACTERS] = _characters_frame(characters)
    return frames
