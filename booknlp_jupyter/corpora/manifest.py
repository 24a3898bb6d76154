"""``corpus.json``: what an output folder holds, book by book, and what made it.

Written atomically beside BookNLP's files each time a book ends, merged over the entries
already there (books of earlier runs into the same folder are kept). A later corpus
reads it to skip books whose files were made from the same text (``sha256``), model,
pipeline, Gutenberg option and engine identity.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

MANIFEST = "corpus.json"
#: Temporary manifests this process is writing now (any other is a killed writer's).
_WRITING: set[str] = set()
_WRITING_LOCK = threading.Lock()

#: The files bare BookNLP writes for a book that completed with the full pipeline.
_FULL_FILES = (".tokens", ".entities", ".quotes", ".supersense", ".book", ".book.html")


def read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """The entries of ``folder``'s manifest by ``book_id`` ({} when there is none, or it
    is unreadable: then nothing is skipped)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return {b["book_id"]: b for b in data["books"] if isinstance(b, dict) and "book_id" in b}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_manifest(folder: Path, entries: Iterable[Mapping[str, Any]]) -> None:
    """Merge ``entries`` (by ``book_id``) over the manifest in ``folder``, atomically."""
    books = read_manifest(folder)
    for entry in entries:
        books[entry["book_id"]] = dict(entry)
    folder.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"books": list(books.values())}, indent=1, ensure_ascii=False)
    with _WRITING_LOCK:
        for stale in folder.glob(f".{MANIFEST}.*"):  # a writer killed mid-write (kill -9)
            if str(stale) not in _WRITING:
                stale.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{MANIFEST}.", dir=folder)
        _WRITING.add(tmp)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / MANIFEST)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        _WRITING.discard(tmp)


def still_valid(
    entry: Mapping[str, Any] | None, made_from: Mapping[str, Any], folder: Path
) -> bool:
    """Whether ``entry`` (from an earlier run) completed from exactly what ``made_from``
    describes (sha256, model, pipeline, strip_gutenberg, engine) and its files are there."""
    if not entry or entry.get("status") != "completed":
        return False
    for key in ("sha256", "model", "pipeline", "strip_gutenberg", "engine"):
        if entry.get(key) != made_from.get(key):
            return False
    files = entry.get("files") or [f"{entry['book_id']}{s}" for s in _FULL_FILES]
    return all((folder / name).is_file() for name in files)
