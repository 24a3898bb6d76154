"""Result tables: their schema, and how they are stored on disk and streamed back."""

from .schema import CHARACTERS, TABLE_FORMATS, TABLE_SCHEMAS, TABLES
from .store import ResultReader, write_result

__all__ = [
    "CHARACTERS",
    "TABLES",
    "TABLE_FORMATS",
    "TABLE_SCHEMAS",
    "ResultReader",
    "write_result",
]
