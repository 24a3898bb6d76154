"""BookNLP 1.0.8's own output files, written from a stored result.

`write_booknlp_files` writes what ``EnglishBookNLP.process`` (english_booknlp.py, lines
330-605) writes for a pipeline, byte for byte: ``{book_id}.tokens``, ``.entities``,
``.quotes``, ``.supersense``, ``.book`` and ``.book.html``, each only when BookNLP writes
it. Tables are written in batches (a million-token book never becomes one string); every
file goes to a temporary name in the folder, is fsynced, and all are renamed into place
at the end, so a failure leaves no partial file under a final name. `read_output`
(`booknlp_read`) reads such folders back.
"""

# ruff: noqa: UP031  (BookNLP's own %-formatting, kept verbatim so the bytes match)

from __future__ import annotations

import json
import os
import secrets
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from html import escape
from pathlib import Path
from typing import Any, Protocol, TextIO

import pyarrow as pa
import pyarrow.compute as pc

from ..api.models import PIPELINE_ALIASES, PIPELINE_COMPONENTS
from .booknlp_read import booknlp_character, read_output
from .schema import TABLE_SCHEMAS

__all__ = ["ResultSource", "booknlp_suffixes", "read_output", "write_booknlp_files"]

BATCH_ROWS = 50_000
#: The entity types of BookNLP's "Major entities" section, in its order.
_HTML_CATS = ("FAC", "GPE", "LOC", "PER", "ORG", "VEH")
_HEAD = '<head>\n\t\t  <meta charset="UTF-8">\n\t\t</head>'


class ResultSource(Protocol):
    """A stored result: e.g. `booknlp_jupyter.results.ResultReader`."""

    def arrow(self, table: str) -> pa.Table: ...

    def characters(self) -> list[dict[str, Any]]: ...


def booknlp_suffixes(pipeline: Sequence[str] | str | None) -> list[str]:
    """The files BookNLP's ``process`` writes for ``pipeline``, in its order of writing.

    ``pipeline`` as the API takes it (plural names too) or BookNLP's comma-separated
    string; None is BookNLP's full pipeline."""
    if pipeline is None:
        pipeline = PIPELINE_COMPONENTS
    elif isinstance(pipeline, str):
        pipeline = [p for p in pipeline.split(",") if p]
    wanted = {PIPELINE_ALIASES.get(p, p) for p in pipeline}
    do_entities, do_event, do_ss = "entity" in wanted, "event" in wanted, "supersense" in wanted
    do_quote, do_coref = "quote" in wanted, "coref" in wanted
    rules = [
        ("supersense", do_ss),
        ("tokens", do_event or do_entities or do_ss),
        ("book", do_coref),
        ("entities", do_entities),
        ("quotes", do_quote),
        ("book.html", do_quote and do_coref),
    ]
    return [suffix for suffix, written in rules if written]


class _Tables:
    """Each table read once from the source, on first use."""

    def __init__(self, source: ResultSource):
        self.source = source
        self._cache: dict[str, Any] = {}

    def __getitem__(self, name: str) -> pa.Table:
        if name not in self._cache:
            table = self.source.arrow(name)
            self._cache[name] = table.select(TABLE_SCHEMAS[name].names)
        return self._cache[name]

    def characters(self) -> list[dict[str, Any]]:
        if "characters" not in self._cache:
            self._cache["characters"] = [booknlp_character(c) for c in self.source.characters()]
        return self._cache["characters"]


class _Staged:
    """Files written under temporary names in one folder, renamed into place together."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.pending: list[tuple[Path, Path]] = []

    @contextmanager
    def open(self, name: str) -> Iterator[TextIO]:
        temp = self.folder / f".{name}.{secrets.token_hex(6)}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask as open()
        self.pending.append((temp, self.folder / name))
        with open(fd, "w", encoding="utf-8") as out:  # text mode, as BookNLP
            yield out
            out.flush()
            os.fsync(out.fileno())

    def commit(self) -> list[Path]:
        for temp, final in self.pending:
            os.replace(temp, final)
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return [final for _, final in self.pending]

    def discard(self) -> None:
        for temp, _ in self.pending:
            temp.unlink(missing_ok=True)


def _write_tsv(out: TextIO, table: pa.Table) -> None:
    """BookNLP's TSV: a header, then ``"%s\\t%s..." % row`` per row (None as ``None``)."""
    out.write("\t".join(table.column_names) + "\n")
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        if batch.num_rows == 0:
            continue
        texts = [pc.fill_null(pc.cast(col, pa.string()), "None") for col in batch.columns]
        joined = pc.binary_join_element_wise(*texts, "\t") if len(texts) > 1 else texts[0]
        out.write("\n".join(joined.to_pylist()))
        out.write("\n")


def _write_book(out: TextIO, tables: _Tables) -> None:
    json.dump({"characters": tables.characters()}, out)


def _columns(table: pa.Table, *names: str) -> list[list[Any]]:
    return [table.column(n).to_pylist() for n in names]


def _named_characters(out: TextIO, characters: list[dict[str, Any]]) -> None:
    out.write("<h2>Named characters</h2>\n")
    for character in characters:
        char_id = character["id"]
        proper_names = character["mentions"]["proper"]
        if len(proper_names) > 0 or char_id == 0:  # 0=narrator
            proper_name_list = "/".join("%s (%s)" % (n["n"], n["c"]) for n in proper_names)
            common_names = character["mentions"]["common"]
            common_name_list = "/".join("%s (%s)" % (n["n"], n["c"]) for n in common_names)
            if char_id == 0:
                if len(proper_name_list) == 0:
                    proper_name_list = "[NARRATOR]"
                else:
                    proper_name_list += "/[NARRATOR]"
            out.write(
                "%s %s %s <br />\n" % (character["count"], proper_name_list, common_name_list)
            )


def _major_entities(
    out: TextIO, corefs: list[int], props: list[str], cats: list[str], texts: list[str]
) -> None:
    out.write("<h2>Major entities (proper, common)</h2>")
    major: dict[str, dict[str, dict[int, Counter[str]]]] = {
        prop: {cat: {} for cat in _HTML_CATS} for prop in ("PROP", "NOM")
    }
    for coref, prop, cat, text in zip(corefs, props, cats, texts, strict=True):
        if prop != "PRON" and prop in major and cat in major[prop]:
            major[prop][cat].setdefault(coref, Counter())[text] += 1
    for cat in _HTML_CATS:
        out.write("<h3>%s</h3>" % cat)
        for prop in ("PROP", "NOM"):
            freqs = {coref: sum(c.values()) for coref, c in major[prop][cat].items()}
            for k, v in sorted(freqs.items(), key=lambda x: x[1], reverse=True)[:10]:
                ent_names = [name for name, _ in major[prop][cat][k].most_common()]
                out.write("%s %s <br />" % (v, "/".join(ent_names)))
            out.write("<p>")


def _canonical_names(corefs: list[int], props: list[str], texts: list[str]) -> Callable[[Any], str]:
    """Each coref's display name, BookNLP's ``names`` Counter (PROP 10, NOM 1, else .001)."""
    names: dict[int, Counter[str]] = {}
    for coref, prop, text in zip(corefs, props, texts, strict=True):
        counter = names.setdefault(coref, Counter())
        if prop == "PROP":
            counter[text.lower()] += 10
        elif prop == "NOM":
            counter[text.lower()] += 1
        else:
            counter[text.lower()] += 0.001
    best: dict[int, str] = {}

    def name(coref: Any) -> str:
        if coref not in best:
            best[coref] = names[coref].most_common(1)[0][0] if coref in names else "None"
        return best[coref]

    return name


def _write_html(out: TextIO, tables: _Tables) -> None:
    """``.book.html`` as BookNLP builds it from its entities, quotes and characters."""
    entities, quotes, tokens = tables["entities"], tables["quotes"], tables["tokens"]
    corefs, starts, ends, props, cats, texts = _columns(
        entities, "COREF", "start_token", "end_token", "prop", "cat", "text"
    )
    name = _canonical_names(corefs, props, texts)
    out.write("<html>")
    out.write(_HEAD)
    _named_characters(out, tables.characters())
    out.write("<p>\n")
    _major_entities(out, corefs, props, cats, texts)
    out.write("<h2>Text</h2>\n")

    before: dict[int, str] = {}
    after: dict[int, str] = {}
    for coref, start, end in zip(corefs, starts, ends, strict=True):
        before[start] = before.get(start, "") + '<font color="#D0D0D0">[</font>'
        after[end] = (
            '<font color="#D0D0D0">]</font><font color="#FF00FF"><sub>%s-%s</sub></font>'
            % (coref, name(coref))
        ) + after.get(end, "")
    del corefs, starts, ends, props, cats, texts
    for start, end, speaker in zip(
        *_columns(quotes, "quote_start", "quote_end", "char_id"), strict=True
    ):
        speaker_id, speaker_name = ("None", "None") if speaker is None else (speaker, name(speaker))
        before[start] = before.get(start, "") + '<font color="#666699">'
        after[end] = after.get(end, "") + "</font><sub>[%s-%s]</sub>" % (speaker_id, speaker_name)

    last_p: Any = None
    idx = 0
    for batch in tokens.select(["paragraph_ID", "word"]).to_batches(max_chunksize=BATCH_ROWS):
        parts: list[str] = []
        for paragraph, word in zip(*(col.to_pylist() for col in batch.columns), strict=True):
            if paragraph != last_p:
                parts.append("<p />")
            parts.append("%s%s%s " % (before.get(idx, ""), escape(word), after.get(idx, "")))
            last_p = paragraph
            idx += 1
        out.write("".join(parts))
    out.write("</html>")


_WRITERS: dict[str, Callable[[TextIO, _Tables], None]] = {
    "supersense": lambda out, t: _write_tsv(out, t["supersenses"]),
    "tokens": lambda out, t: _write_tsv(out, t["tokens"]),
    "book": _write_book,
    "entities": lambda out, t: _write_tsv(out, t["entities"]),
    "quotes": lambda out, t: _write_tsv(out, t["quotes"]),
    "book.html": _write_html,
}


def write_booknlp_files(
    result: ResultSource,
    folder: str | os.PathLike[str],
    book_id: str,
    pipeline: Sequence[str] | str | None,
) -> list[Path]:
    """Write ``result`` into ``folder`` as the files BookNLP writes for ``pipeline``.

    Returns the paths written, in BookNLP's order. A result without tokens writes none
    (BookNLP writes nothing for an empty book). All files appear together: on any error
    the temporary files are removed and no final name has been touched.
    """
    if not book_id or book_id in (".", "..") or "/" in book_id or os.sep in book_id:
        raise ValueError(f"book_id {book_id!r} is not a file name")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = _Tables(result)
    suffixes = booknlp_suffixes(pipeline)
    if not suffixes or tables["tokens"].num_rows == 0:
        return []
    staged = _Staged(folder)
    try:
        for suffix in suffixes:
            with staged.open(f"{book_id}.{suffix}") as out:
                _WRITERS[suffix](out, tables)
        return staged.commit()
    except BaseException:
        staged.discard()
        raise


def zip_booknlp_files(
    result: ResultSource, book_id: str, pipeline: Sequence[str] | str | None
) -> Path:
    """``result`` as BookNLP's files in one zip archive (a temporary file the caller
    deletes): what `write_booknlp_files` writes, under the same names. Blocking."""
    import shutil
    import tempfile
    import zipfile

    folder = Path(tempfile.mkdtemp(prefix="booknlp-files-"))
    fd, archive = tempfile.mkstemp(prefix="booknlp-", suffix=".zip")
    os.close(fd)
    try:
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
            for path in write_booknlp_files(result, folder, book_id, pipeline):
                z.write(path, path.name)
    except BaseException:
        os.unlink(archive)
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Path(archive)
