"""A result's tables as typed pandas DataFrames (decoded from the API's Parquet; the
characters from JSON). pandas and pyarrow are imported on first use."""

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
    """A result's DataFrames by table name; also as attributes (``frames.tokens``)."""

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
