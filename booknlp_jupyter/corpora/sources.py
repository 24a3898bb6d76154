"""Which files make up a corpus, where its output goes, and how a book's text is read.

Pure functions: no server, no event loop. Refused requests raise `InvalidRequest` (HTTP
400) with a detail that starts with the field name; a book that cannot be read as text
raises `BadBook` (that book fails, the others go on).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import posixpath
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..jobs.errors import InvalidRequest

MAX_BOOKS = 10_000
"""The most books one corpus may hold."""

DEFAULT_OUTPUT_PARENT = "booknlp_output"

_OUTSIDE = "is outside the server's root directory"
# Control bytes that plain text does not hold: C0 except tab, LF, VT, FF, CR; and DEL.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r") + b"\x7f"
_MAX_CONTROL_SHARE = 0.05


@dataclass(frozen=True)
class BookSource:
    """One book of a corpus: its id (the file name without extension), its path relative
    to the server's root (posix), its resolved absolute path and its size in bytes."""

    book_id: str
    path: str
    abs_path: Path
    size: int


class BadBook(Exception):
    """A book that cannot be read as text; the message says why, for a person."""


# --- where things are -------------------------------------------------------------------


def _root(root: Path) -> Path:
    return Path(root).resolve()


def _confined(base: Path, field: str, rel: object) -> tuple[str, Path]:
    """``rel`` as (normalized posix path relative to ``base``, resolved absolute path);
    `InvalidRequest` when it is not a relative path or resolves outside ``base``."""
    if not isinstance(rel, str):
        raise InvalidRequest(f"{field}: must be a string (a path relative to the root)")
    if "\x00" in rel:
        raise InvalidRequest(f"{field}: {rel!r} is not a valid path")
    if rel.startswith("/") or Path(rel).is_absolute():
        raise InvalidRequest(
            f"{field}: {rel!r} is an absolute path; give a path relative to the server's "
            "root directory"
        )
    try:
        resolved = (base / rel).resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop
        raise InvalidRequest(f"{field}: {rel!r} cannot be resolved ({exc})") from exc
    if not resolved.is_relative_to(base):
        raise InvalidRequest(f"{field}: {rel!r} {_OUTSIDE}")
    norm = posixpath.normpath(Path(rel).as_posix())
    if norm.startswith(".."):  # inside only thanks to symlinks: name the real place
        norm = resolved.relative_to(base).as_posix()
    return ("" if norm == "." else norm), resolved


def _stat(field: str, shown: str, path: Path) -> os.stat_result | None:
    """``path``'s status (links followed), None when it does not exist."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise InvalidRequest(f"{field}: {shown!r} cannot be read ({exc.strerror})") from exc


def _folder_books(base: Path, folder: object) -> list[BookSource]:
    rel, folder_abs = _confined(base, "folder", folder)
    shown = rel or "."
    status = _stat("folder", shown, folder_abs)
    if status is None:
        raise InvalidRequest(f"folder: {shown!r} does not exist")
    if not stat.S_ISDIR(status.st_mode):
        raise InvalidRequest(f"folder: {shown!r} is not a folder")
    try:
        with os.scandir(folder_abs) as entries:
            names = sorted(
                e.name
                for e in entries
                if not e.name.startswith(".") and e.name.lower().endswith(".txt")
            )
    except OSError as exc:
        raise InvalidRequest(f"folder: {shown!r} cannot be read ({exc.strerror})") from exc
    if len(names) > MAX_BOOKS:
        raise InvalidRequest(
            f"folder: {shown!r} holds {len(names):,} .txt files; a corpus holds at most "
            f"{MAX_BOOKS:,} books"
        )
    books = []
    for name in names:
        path = posixpath.join(rel, name)
        try:
            resolved = (folder_abs / name).resolve()
        except (OSError, RuntimeError, ValueError) as exc:
            raise InvalidRequest(f"folder: {path!r} cannot be resolved ({exc})") from exc
        if not resolved.is_relative_to(base):
            raise InvalidRequest(
                f"folder: {path!r} is a link to a file outside the server's root directory"
            )
        status = _stat("folder", path, resolved)
        if status is not None and stat.S_ISREG(status.st_mode):  # not folders, pipes, ...
            books.append(BookSource(Path(name).stem, path, resolved, status.st_size))
    if not books:
        raise InvalidRequest(f"folder: {shown!r} holds no .txt files")
    return books


def _listed_books(base: Path, paths: object) -> list[BookSource]:
    if isinstance(paths, str | bytes) or not isinstance(paths, Sequence):
        raise InvalidRequest("paths: must be a list of file paths")
    if not paths:
        raise InvalidRequest("paths: must list at least one file")
    if len(paths) > MAX_BOOKS:
        raise InvalidRequest(
            f"paths: lists {len(paths):,} files; a corpus holds at most {MAX_BOOKS:,} books"
        )
    books = []
    for item in paths:
        rel, resolved = _confined(base, "paths", item)
        status = _stat("paths", str(item), resolved)
        if status is None:
            raise InvalidRequest(f"paths: {item!r} does not exist")
        if stat.S_ISDIR(status.st_mode):
            raise InvalidRequest(
                f"paths: {item!r} is a folder, not a file (give a folder as 'folder')"
            )
        if not stat.S_ISREG(status.st_mode):
            raise InvalidRequest(f"paths: {item!r} is not a regular file")
        books.append(BookSource(Path(rel).stem, rel, resolved, status.st_size))
    return books


def _refuse_clashes(field: str, books: list[BookSource]) -> None:
    """Two books may not share an id (their output files would collide; compared without
    case, since many file systems ignore it)."""
    seen: dict[str, BookSource] = {}
    for book in books:
        other = seen.setdefault(book.book_id.casefold(), book)
        if other is book:
            continue
        if other.path == book.path:
            raise InvalidRequest(f"{field}: {book.path!r} is listed twice")
        raise InvalidRequest(
            f"{field}: {other.path!r} and {book.path!r} would both be book "
            f"{book.book_id!r} (a book is named after its file); rename one of them"
        )


def resolve_books(
    root: Path, folder: str | None = None, paths: Sequence[str] | None = None
) -> list[BookSource]:
    """The books of a corpus: the ``*.txt`` files directly inside ``folder`` (sorted by
    name; hidden and non-regular files skipped), or the files ``paths`` lists (in order).
    Both are relative to ``root`` and must stay inside it. `InvalidRequest` otherwise."""
    if folder is None and paths is None:
        raise InvalidRequest("folder: give a folder, or a list of files as 'paths'")
    if folder is not None and paths is not None:
        raise InvalidRequest("paths: give either 'folder' or 'paths', not both")
    base = _root(root)
    if folder is not None:
        books, field = _folder_books(base, folder), "folder"
    else:
        books, field = _listed_books(base, paths), "paths"
    _refuse_clashes(field, books)
    return books


def resolve_output_dir(root: Path, output_dir: str | None, default_name: str) -> tuple[str, Path]:
    """Where a corpus's files go: (path relative to ``root``, posix; absolute path),
    ``booknlp_output/<default_name>`` by default. Must be inside ``root`` (not ``root``
    itself) and, if it exists, a folder. Creates nothing."""
    base = _root(root)
    if output_dir is None:
        output_dir = f"{DEFAULT_OUTPUT_PARENT}/{default_name}"
    elif not isinstance(output_dir, str) or not output_dir.strip():
        raise InvalidRequest("output_dir: must be a folder path relative to the root")
    _, resolved = _confined(base, "output_dir", output_dir)
    if resolved == base:
        raise InvalidRequest(
            f"output_dir: {output_dir!r} is the server's root directory; give a folder inside it"
        )
    probe = resolved
    while (status := _stat("output_dir", output_dir, probe)) is None:
        probe = probe.parent
    if not stat.S_ISDIR(status.st_mode):
        if probe == resolved:
            raise InvalidRequest(f"output_dir: {output_dir!r} exists and is not a folder")
        blocker = probe.relative_to(base).as_posix()
        raise InvalidRequest(
            f"output_dir: {output_dir!r} cannot be created: {blocker!r} is a file, not a folder"
        )
    return resolved.relative_to(base).as_posix(), resolved


def default_output_name(folder: str | None, books: Sequence[BookSource]) -> str:
    """The default output folder's name: the folder's; for listed files, their common
    parent folder's, or ``"corpus"`` when that is the root."""
    if folder is not None:
        name = posixpath.basename(posixpath.normpath(Path(folder).as_posix()))
    else:
        parents = [posixpath.dirname(book.path) for book in books]
        name = posixpath.basename(posixpath.commonpath(parents)) if parents else ""
    return name if name not in ("", ".", "..") else "corpus"


# --- reading a book ---------------------------------------------------------------------


def read_book(path: Path, strip_gutenberg: bool = False) -> tuple[str, str]:
    """(text, sha256 hex of the file's bytes). The text is what BookNLP reads: UTF-8 with
    any BOM removed, CRLF and CR turned into LF; with ``strip_gutenberg``, without Project
    Gutenberg's header and licence. `BadBook` (only) when it is not readable text."""
    try:
        data = Path(path).read_bytes()
    except PermissionError as exc:
        raise BadBook("the file cannot be read: permission denied") from exc
    except IsADirectoryError as exc:
        raise BadBook("it is a folder, not a file") from exc
    except FileNotFoundError as exc:
        raise BadBook("the file no longer exists") from exc
    except OSError as exc:
        raise BadBook(f"the file cannot be read: {exc.strerror or exc}") from exc
    except MemoryError as exc:
        raise BadBook("the file is too large to read into memory") from exc
    text = _decode(data)
    if strip_gutenberg:
        text = strip_gutenberg_boilerplate(text)
        if not text.strip():
            raise BadBook(
                "the book is empty once Project Gutenberg's header and licence are removed"
            )
    return text, hashlib.sha256(data).hexdigest()


def _decode(data: bytes) -> str:
    if not data:
        raise BadBook("the file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BadBook("the file is saved as UTF-16 (or UTF-32); save it as UTF-8")
    if b"\x00" in data:
        raise BadBook(
            "the file is binary, not text (it contains NUL bytes); if it is text saved as "
            "UTF-16 or UTF-32, save it as UTF-8"
        )
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(data):
        raise BadBook(
            f"the file is binary, not text ({controls / len(data):.0%} of its bytes are "
            "control characters)"
        )
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        line = len(re.findall(rb"\r\n|\r|\n", data[:offset])) + 1
        raise BadBook(
            f"the file is not valid UTF-8: byte 0x{data[offset]:02X} at byte offset {offset} "
            f"(line {line}) cannot be decoded; save the file as UTF-8 (it may be in "
            "Latin-1 or Windows-1252)"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise BadBook("the file is empty (it holds only whitespace)")
    return text


# --- Project Gutenberg ------------------------------------------------------------------

_FLAGS = re.IGNORECASE | re.MULTILINE
_EBOOK = r"PROJECT[ \t]+GUTENBERG[ \t]+E-?(?:BOOK|TEXT)\b"
_START = re.compile(
    rf"^[ \t]*\*+[ \t]*START[ \t]+OF[ \t]+(?:(?:THE|THIS)[ \t]+)?{_EBOOK}.*$"
    r"|^[ \t]*\*END\*[ \t]*THE[ \t]+SMALL[ \t]+PRINT.*$",
    _FLAGS,
)
_END = re.compile(rf"^[ \t]*\*+[ \t]*END[ \t]+OF[ \t]+(?:(?:THE|THIS)[ \t]+)?{_EBOOK}.*$", _FLAGS)
# "End of the Project Gutenberg EBook of Emma, by Jane Austen" / "End of Project Gutenberg's ..."
_END_LINE = re.compile(r"^[ \t]*End[ \t]+of[ \t]+(?:the[ \t]+)?Project[ \t]+Gutenberg\b.*$", _FLAGS)
_PRODUCED_BY = re.compile(
    r"\A\s*(?:Produced|E-?text prepared|Transcribed)[ \t]+by\b.*?(?:\n[ \t]*\n|\Z)", re.S | re.I
)


def strip_gutenberg_boilerplate(text: str) -> str:
    """``text`` without Project Gutenberg's header (up to and including the ``*** START OF
    THE/THIS PROJECT GUTENBERG EBOOK`` or ``*END*THE SMALL PRINT`` line, and a "Produced
    by" credit right after it) and licence (from the ``*** END OF ...`` line, or the
    "End of the Project Gutenberg EBook" line before it, on). Unchanged without markers."""
    end = _END.search(text)
    footer = end.start() if end else len(text)
    if not end:  # very old files end with just "End of the Project Gutenberg Etext ..."
        closing = list(_END_LINE.finditer(text))
        if closing:
            footer = closing[-1].start()
    headers = list(_START.finditer(text, 0, footer))
    if not headers and footer == len(text):
        return text
    body = text[headers[-1].end() if headers else 0 : footer]
    if headers:
        body = _PRODUCED_BY.sub("", body, count=1)
    last = list(_END_LINE.finditer(body))
    if last and not body[last[-1].end() :].strip():
        body = body[: last[-1].start()]
    body = re.sub(r"\A\s*\n", "", body).rstrip()
    return body + "\n" if body else ""
