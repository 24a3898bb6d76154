"""BookNLP's own output files from our stored results: byte-identical to bare BookNLP's,
read back into pandas, written atomically.

Bare BookNLP (``process()``, in a subprocess) and our engine run the same random-weight
models of BookNLP's architecture (`tests/booknlp_models.py`) on the same text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import booknlp_jupyter
from booknlp_jupyter.engines.booknlp import BookNLPEngine
from booknlp_jupyter.results import ResultReader, booknlp_files, write_result
from booknlp_jupyter.results.booknlp_files import write_booknlp_files
from booknlp_jupyter.results.booknlp_read import CHARACTER_COLUMNS, character_name, read_output
from booknlp_jupyter.results.schema import TABLE_SCHEMAS
from booknlp_jupyter.testing.waiting import wait_until
from tests.test_booknlp_api import (
    FULL,
    ROOT,
    SHORT,
    TEXT,
    bare_booknlps,
    options,
    tiny_models,  # noqa: F401  (a fixture)
)


def quotations(text: str, words: int) -> str:
    """``text``'s first quotations, one a paragraph, until ``words`` words."""
    out, n = [], 0
    for quote in re.findall(r"\u201c[^\u201d]+\u201d", text):
        if n >= words:
            break
        out.append(quote)
        n += len(quote.split())
    return "\n\n".join(out)


#: Quotations alone: BookNLP looks for speakers among the 50 nearest tokens outside quotes,
#: and there are none, so every quote's speaker is None.
QUOTED = quotations(TEXT, 150)
#: Pipelines BookNLP runs to the end, with the text each runs on.
CASES = {
    "full": (FULL, TEXT),
    "entity-quote": (["entity", "quote"], SHORT),
    "no-speakers": (["entity", "quote", "coref"], QUOTED),
    "entity-supersense-event": (["entity", "supersense", "event"], SHORT),
}
#: The files bare BookNLP writes for each case.
FILES = {
    "full": {"tokens", "entities", "quotes", "supersense", "book", "book.html"},
    "entity-quote": {"tokens", "entities", "quotes"},
    "no-speakers": {"tokens", "entities", "quotes", "book", "book.html"},
    "entity-supersense-event": {"supersense", "tokens", "entities"},
}


@pytest.fixture(scope="module")
def runs(tiny_models, tmp_path_factory) -> dict[str, tuple[Path, ResultReader]]:  # noqa: F811
    """Each case: bare BookNLP's folder, and our engine's stored result (in this process)."""
    root = tmp_path_factory.mktemp("runs")
    engine = BookNLPEngine(**options(tiny_models)["booknlp"])
    out = {}
    bare_runs = [(text, root / name / "bare", pipeline) for name, (pipeline, text) in CASES.items()]
    assert bare_booknlps(tiny_models, bare_runs) == [0] * len(CASES)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("HF_HOME", str(root / "empty-hf"))
        for name, (pipeline, text) in CASES.items():
            bare = root / name / "bare"
            (bare / "input.txt").unlink()
            result = engine.run(
                text, model="custom", pipeline=pipeline, progress=lambda f, s=None: None
            )
            write_result(result, root / name / "result")
            out[name] = (bare, ResultReader(root / name / "result"))
    return out


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("case", list(CASES))
def test_files_are_bare_booknlps_byte_for_byte(runs, case, tmp_path):
    bare, reader = runs[case]
    pipeline = CASES[case][0]
    written = write_booknlp_files(reader, tmp_path, "book", pipeline)
    assert names(tmp_path) == names(bare) == {p.name for p in written}
    assert names(bare) == {f"book.{s}" for s in FILES[case]}
    for path in written:
        assert path.read_bytes() == (bare / path.name).read_bytes(), path.name
        assert path.stat().st_mode & 0o777 == (bare / path.name).stat().st_mode & 0o777
    if case == "no-speakers":
        assert "\tNone\tNone\tNone\tNone\t" in (bare / "book.quotes").read_text("utf-8")
        assert "<sub>[None-None]</sub>" in (bare / "book.book.html").read_text("utf-8")
    else:
        assert (tmp_path / "book.tokens").stat().st_size > 10_000


def test_plural_and_string_pipelines_write_the_same_files(runs, tmp_path):
    _, reader = runs["entity-supersense-event"]
    a = write_booknlp_files(reader, tmp_path / "a", "x", ["entities", "supersenses", "events"])
    b = write_booknlp_files(reader, tmp_path / "b", "x", "entity,supersense,event")
    assert [p.name for p in a] == [p.name for p in b] == ["x.supersense", "x.tokens", "x.entities"]
    with pytest.raises(ValueError, match="file name"):
        write_booknlp_files(reader, tmp_path, "../escape", FULL)


#: Books of one folder: ``a`` all files, ``b`` no ``.book``, ``c`` quotes without speakers.
BOOKS = (("a", "full"), ("b", "entity-quote"), ("c", "no-speakers"))


def _books(runs, folder: Path, ours: bool) -> None:
    """`BOOKS` in ``folder``: bare BookNLP's files (renamed), or ours."""
    folder.mkdir()
    for book_id, case in BOOKS:
        bare, reader = runs[case]
        if ours:
            write_booknlp_files(reader, folder, book_id, CASES[case][0])
        else:
            for path in bare.iterdir():
                shutil.copy(path, folder / path.name.replace("book.", f"{book_id}.", 1))


def test_read_output_of_bare_booknlp_equals_ours(runs, tmp_path):
    _books(runs, tmp_path / "bare", ours=False)
    _books(runs, tmp_path / "ours", ours=True)
    bare, ours = read_output(tmp_path / "bare"), read_output(tmp_path / "ours")
    assert list(bare) == ["tokens", "entities", "quotes", "supersenses", "events", "characters"]
    for name, frame in bare.items():
        pd.testing.assert_frame_equal(frame, ours[name], check_exact=True, obj=name)
        assert frame.columns[0] == "book_id" and frame["book_id"].dtype == "string"
    # the public reader adds the quotes as written beside BookNLP's tokenised column
    public = booknlp_jupyter.read_output(tmp_path / "ours")
    quotes = public["quotes"]
    assert list(quotes.columns).index("quote_text") == list(quotes.columns).index("quote") + 1
    pd.testing.assert_frame_equal(quotes.drop(columns="quote_text"), ours["quotes"])
    for name in ("tokens", "entities", "supersenses", "events", "characters"):
        pd.testing.assert_frame_equal(public[name], ours[name], obj=name)
    books = {name: set(frame["book_id"]) for name, frame in bare.items()}
    assert books["tokens"] == books["entities"] == books["quotes"] == {"a", "b", "c"}
    assert books["supersenses"] == books["events"] == {"a"}
    assert books["characters"] == {"a", "c"}
    assert bare["tokens"]["paragraph_ID"].dtype == "Int32"
    assert bare["entities"]["COREF"].dtype == "Int64"
    assert bare["tokens"]["POS_tag"].dtype == "category"

    for book_id, case in BOOKS:  # the stored tables, typed
        reader = runs[case][1]
        for name in ("tokens", "entities", "quotes", "supersenses", "events"):
            frame = bare[name][bare[name]["book_id"] == book_id].drop(columns="book_id")
            stored = reader.arrow(name).to_pylist()
            assert frame.astype(object).where(frame.notna(), None).to_dict("records") == stored
        chars = bare["characters"][bare["characters"]["book_id"] == book_id]
        stored = reader.characters()
        assert len(chars) == len(stored) and (len(stored) > 0) == (case != "entity-quote")
        for row, char in zip(chars.to_dict("records"), stored, strict=True):
            assert list(row) == ["book_id", *CHARACTER_COLUMNS]
            assert {k: row[k] for k in CHARACTER_COLUMNS} == char
            assert row["name"] == character_name(char)
    speakers = bare["quotes"].groupby("book_id")["mention_phrase"].count().to_dict()
    assert speakers["a"] > 0 and speakers["c"] == 0  # None read as null


def test_read_output_of_an_empty_folder_has_typed_empty_tables(tmp_path):
    frames = read_output(tmp_path)
    for name, schema in TABLE_SCHEMAS.items():
        assert list(frames[name].columns) == ["book_id", *schema.names] and frames[name].empty
    assert list(frames["characters"].columns) == ["book_id", *CHARACTER_COLUMNS]
    assert frames["tokens"]["sentence_ID"].dtype == "Int32"


class FailingOn:
    """A stored result whose ``arrow`` raises on its ``n``-th call."""

    def __init__(self, reader: ResultReader, n: int):
        self.reader, self.n, self.calls = reader, n, 0

    def arrow(self, table: str) -> pa.Table:
        self.calls += 1
        if self.calls == self.n:
            raise OSError(f"disk went away reading {table}")
        return self.reader.arrow(table)

    def characters(self) -> list[dict]:
        return self.reader.characters()


def test_a_failed_write_leaves_no_partial_file(runs, tmp_path):
    """Failing on the third table read: the files staged so far are removed, an older
    file under a final name is left as it was, nothing new appears."""
    _, reader = runs["full"]
    (tmp_path / "book.tokens").write_text("older run\n", encoding="utf-8")
    source = FailingOn(reader, 3)
    with pytest.raises(OSError, match="disk went away"):
        write_booknlp_files(source, tmp_path, "book", FULL)
    assert source.calls == 3
    assert names(tmp_path) == {"book.tokens"}
    assert (tmp_path / "book.tokens").read_text(encoding="utf-8") == "older run\n"
    written = write_booknlp_files(reader, tmp_path, "book", FULL)  # and then it works
    assert names(tmp_path) == {p.name for p in written} and len(written) == 6


def test_a_write_failing_inside_a_file_leaves_nothing(runs, tmp_path, monkeypatch):
    """Failing halfway through a file (a few batches in its temporary file already): no
    file under any final name, no temporary file."""
    _, reader = runs["full"]
    monkeypatch.setattr(booknlp_files, "BATCH_ROWS", 500)
    plain, calls = booknlp_files.pc.binary_join_element_wise, []
    staged: dict[str, int] = {}

    def failing(*args):
        calls.append(1)
        if len(calls) == 4:
            staged.update({p.name: p.stat().st_size for p in tmp_path.iterdir()})
            raise OSError("no space left on device")
        return plain(*args)

    monkeypatch.setattr(booknlp_files.pc, "binary_join_element_wise", failing)
    with pytest.raises(OSError, match="no space"):
        write_booknlp_files(reader, tmp_path, "book", FULL)
    assert all(n.startswith(".book.") and n.endswith(".tmp") for n in staged), staged
    assert max(staged.values()) > 0, staged  # it did fail inside a file, part written
    assert names(tmp_path) == set()


def _tiled(reader: ResultReader, tokens: int) -> dict[str, pa.Table]:
    """The stored tables repeated until ``tokens`` tokens, token positions shifted."""
    shifted = {
        "tokens": {"token_ID_within_document", "byte_onset", "byte_offset", "syntactic_head_ID"},
        "entities": {"start_token", "end_token"},
        "quotes": {"quote_start", "quote_end", "mention_start", "mention_end"},
        "supersenses": {"start_token", "end_token"},
    }
    n = reader.arrow("tokens").num_rows
    out = {}
    for name, columns in shifted.items():
        table = reader.arrow(name)
        copies = []
        for i in range(-(-tokens // n)):
            copy = {
                c: pc.add(table[c], pa.scalar(i * n, table[c].type)) if c in columns else table[c]
                for c in table.column_names
            }
            copies.append(pa.table(copy, schema=table.schema))
        out[name] = pa.concat_tables(copies)
    return out


class Tables:
    def __init__(self, tables: dict[str, pa.Table], characters: list[dict]):
        self.tables, self.chars = tables, characters

    def arrow(self, table: str) -> pa.Table:
        return self.tables[table]

    def characters(self) -> list[dict]:
        return self.chars


def test_a_million_token_book_round_trips(runs, tmp_path):
    _, reader = runs["full"]
    big = _tiled(reader, 1_000_000)
    written = write_booknlp_files(Tables(big, reader.characters()), tmp_path, "big", FULL)
    assert len(written) == 6
    with open(tmp_path / "big.tokens", encoding="utf-8") as f:
        assert sum(1 for _ in f) == big["tokens"].num_rows + 1 >= 1_000_001
    html = (tmp_path / "big.book.html").read_text(encoding="utf-8")
    paragraphs = big["tokens"]["paragraph_ID"].to_pylist()
    changes = sum(1 for i, p in enumerate(paragraphs) if i == 0 or p != paragraphs[i - 1])
    assert html.count("<p />") == changes and html.endswith(" </html>")
    frames = read_output(tmp_path)
    for name, table in big.items():
        frame = frames[name].drop(columns="book_id")
        back = pa.Table.from_pandas(frame, preserve_index=False).cast(TABLE_SCHEMAS[name])
        assert back.equals(table.combine_chunks()), name


def test_a_writer_killed_midway_leaves_no_final_file(runs, tmp_path):
    """``kill -9`` while a file is half written: no final name exists (only hidden
    temporary files, which `read_output` ignores), and the next write is whole."""
    bare, reader = runs["full"]
    out, marker = tmp_path / "out", tmp_path / "stopped"
    code = (
        "import pathlib, time\n"
        "import booknlp_jupyter.results.booknlp_files as f\n"
        "from booknlp_jupyter.results import ResultReader\n"
        "f.BATCH_ROWS, plain, calls = 200, f.pc.binary_join_element_wise, []\n"
        "def slow(*args):\n"
        "    calls.append(1)\n"
        "    if len(calls) == 6:\n"
        f"        pathlib.Path({str(marker)!r}).touch()\n"
        "        time.sleep(300)\n"
        "    return plain(*args)\n"
        "f.pc.binary_join_element_wise = slow\n"
        f"f.write_booknlp_files(ResultReader({str(reader.directory)!r}), {str(out)!r}, 'book',"
        f" {FULL!r})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        wait_until(lambda: marker.exists() or proc.poll() is not None, timeout=120)
        assert proc.poll() is None, "the writer ended before it was killed"
    finally:
        proc.kill()
        proc.wait()
    left = names(out)
    assert left and all(n.startswith(".book.") and n.endswith(".tmp") for n in left), left
    assert max((out / n).stat().st_size for n in left) > 0
    assert all(frame.empty for frame in read_output(out).values())
    for path in write_booknlp_files(reader, out, "book", FULL):
        assert path.read_bytes() == (bare / path.name).read_bytes(), path.name
