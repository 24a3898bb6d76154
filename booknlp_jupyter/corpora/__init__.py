"""Corpora: a folder of books analysed as one run.

Where a rule lives: `service` (create, read, cancel, watch), `feeder` (books into the
job queue as slots free, their files written as they end), `sources` (which files,
confined to the root; reading a text as BookNLP users have it), `manifest`
(``corpus.json``, and what may be skipped), `views` (the public document), `store`
(SQLite records).
"""

from .service import CorpusNotFound, CorpusService

__all__ = ["CorpusNotFound", "CorpusService"]
