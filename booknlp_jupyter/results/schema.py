"""The one result schema every engine produces, in BookNLP's own column names."""

from __future__ import annotations

import pyarrow as pa

_i32 = pa.int32()
_i64 = pa.int64()
_str = pa.string()

#: Tabular results, each a typed Arrow schema. Nullable columns hold null for "none".
TABLE_SCHEMAS: dict[str, pa.Schema] = {
    "tokens": pa.schema(
        [
            ("paragraph_ID", _i32),
            ("sentence_ID", _i32),
            ("token_ID_within_sentence", _i32),
            ("token_ID_within_document", _i32),
            ("word", _str),
            ("lemma", _str),
            ("byte_onset", _i64),
            ("byte_offset", _i64),
            ("POS_tag", _str),
            ("fine_POS_tag", _str),
            ("dependency_relation", _str),
            ("syntactic_head_ID", _i32),
            ("event", _str),
        ]
    ),
    "entities": pa.schema(
        [
            ("COREF", _i64),
            ("start_token", _i32),
            ("end_token", _i32),
            ("prop", _str),
            ("cat", _str),
            ("text", _str),
        ]
    ),
    "quotes": pa.schema(
        [
            ("quote_start", _i32),
            ("quote_end", _i32),
            ("mention_start", _i32),
            ("mention_end", _i32),
            ("mention_phrase", _str),
            ("char_id", _i64),
            ("quote", _str),
        ]
    ),
    "supersenses": pa.schema(
        [
            ("start_token", _i32),
            ("end_token", _i32),
            ("supersense_category", _str),
            ("text", _str),
        ]
    ),
    "events": pa.schema(
        [
            ("token_ID_within_document", _i32),
            ("sentence_ID", _i32),
            ("word", _str),
        ]
    ),
}

#: ``characters`` is nested (BookNLP's ``.book`` JSON) and stored as JSON.
CHARACTERS = "characters"

#: Every table of a result, in the order the API writes them.
TABLES: tuple[str, ...] = ("tokens", "entities", "quotes", "characters", "events", "supersenses")

#: Formats a single table can be fetched in.
TABLE_FORMATS: tuple[str, ...] = ("json", "csv", "parquet")
