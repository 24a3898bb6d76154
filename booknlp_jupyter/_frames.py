"""A result's tables as typed pandas DataFrames (decoded from the API's Parquet; the
characters from JSON). pandas and pyarrow are imported on first use.

Frames holding both ``tokens`` and ``quotes`` (``job.frames()``) get a ``quote_text``
column after BookNLP's tokenised ``quote``: each quote as written (`quote_text`)."""

from __future__ import annotations

from typing import Any

from .results.schema import CHARACTERS

#: Label columns, loaded as pandas categoricals (decoded from Parquet's dictionaries:
#: faster and smaller than strings); other text columns are ``string``, integers nullable.
CATEGORICAL: dict[str, list[str]] = {
    "tokens": ["POS_tag", "fine_POS_tag", "dependency_relation", "event"],
    "entities": ["prop", "cat"],
    "supersenses": ["supersense_category"],
}


class Frames(dict[str, Any]):
    """A result's DataFrames by table name; also as attributes (``frames.tokens``).
    With the tokens, the quotes get their ``quote_text`` (`add_quote_text`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_quote_text(self)

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def table_params(name: str) -> dict[str, str]:
    """The query of ``GET /jobs/{id}/result/{name}`` for `to_frame`'s input."""
    return {} if name == CHARACTERS else {"format": "parquet"}


def to_frame(name: str, content: bytes) -> Any:
    """A table's response body (Parquet; characters: JSON) as a typed DataFrame."""
    import pandas as pd

    if name == CHARACTERS:
        import orjson

        chars = pd.DataFrame(orjson.loads(content))
        types = {"id": "Int64", "count": "Int64", "name": "string"}
        return chars.astype({k: v for k, v in types.items() if k in chars.columns})
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(pa.BufferReader(content), read_dictionary=CATEGORICAL.get(name))
    return table.to_pandas(
        types_mapper=_nullable_types().get, self_destruct=True, split_blocks=True
    )


def _nullable_types() -> dict[Any, Any]:
    import pandas as pd
    import pyarrow as pa

    return {
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.string(): pd.StringDtype(),
        pa.large_string(): pd.StringDtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.float64(): pd.Float64Dtype(),
    }


def quote_text(tokens: Any, quotes: Any) -> Any:
    """Each quote as written, a ``string`` Series on ``quotes``' index: its tokens'
    words with a space where their byte offsets leave a gap and nothing where they
    touch (``“My dear Mr. Bennet,”`` where BookNLP's ``quote`` column reads
    ``“ My dear Mr. Bennet , ”``); a line break or paragraph break is one space, markup
    such as ``_italic_`` stays. With a ``book_id`` column in both (a corpus's frames),
    each book's quotes are read from its own tokens."""
    import pandas as pd

    if "book_id" not in quotes.columns or "book_id" not in tokens.columns:
        return _quote_text(tokens, quotes)
    books = tokens.groupby("book_id", sort=False, observed=True)
    parts = [
        _quote_text(books.get_group(book_id), part)
        for book_id, part in quotes.groupby("book_id", sort=False, observed=True)
        if book_id in books.groups
    ]
    found = pd.concat(parts) if parts else pd.Series(dtype="string")
    return found.reindex(quotes.index).astype("string").rename("quote_text")


def _quote_text(tokens: Any, quotes: Any) -> Any:
    import numpy as np
    import pandas as pd

    ids = tokens["token_ID_within_document"].to_numpy("int64", na_value=-1)
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    words = tokens["word"].fillna("").astype(str).to_numpy(object)[order]
    onsets = tokens["byte_onset"].to_numpy("int64", na_value=0)[order]
    offsets = tokens["byte_offset"].to_numpy("int64", na_value=0)[order]
    gap = np.r_[False, onsets[1:] > offsets[:-1]]
    starts = quotes["quote_start"].to_numpy("int64", na_value=-1)
    ends = quotes["quote_end"].to_numpy("int64", na_value=-1)
    first = np.searchsorted(ids, starts, side="left")
    stop = np.searchsorted(ids, ends, side="right")
    texts: list[str | None] = []
    for s, a, b in zip(starts, first, stop, strict=True):
        if s < 0 or a >= b:
            texts.append(None)
            continue
        texts.append(
            words[a] + "".join(" " + words[k] if gap[k] else words[k] for k in range(a + 1, b))
        )
    return pd.Series(texts, index=quotes.index, dtype="string", name="quote_text")


def add_quote_text(frames: dict[str, Any]) -> None:
    """Replace ``frames["quotes"]`` by a copy with `quote_text` after ``quote``, when
    ``frames`` hold the tokens too and the quotes have none yet; nothing otherwise."""
    quotes, tokens = frames.get("quotes"), frames.get("tokens")
    if not hasattr(quotes, "columns") or not hasattr(tokens, "columns"):
        return
    if "quote_text" in quotes.columns or not {"quote_start", "quote_end"} <= set(quotes.columns):
        return
    columns = list(quotes.columns)
    columns.insert(columns.index("quote") + 1 if "quote" in columns else len(columns), "quote_text")
    frames["quotes"] = quotes.assign(quote_text=quote_text(tokens, quotes))[columns]
