"""Curating characters before counting (merge, drop, rename, keep and the table's
filters) on a real lite result of Pride and Prejudice's chapters 3-5 (the engine run
here, its tables typed as ``job.frames()`` types them): counts, quotes, COREF, plots,
networks and saved BookNLP files follow, and the original Book is left as it was; a
lite Book says it is a first look."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

pytest.importorskip("spacy")
pytest.importorskip("booknlp")

import matplotlib.pyplot as plt
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from booknlp_jupyter._frames import Frames, to_frame
from booknlp_jupyter.client import Client, Job
from booknlp_jupyter.engines.lite import LiteEngine
from booknlp_jupyter.notebook.book import FIRST_LOOK, Book
from booknlp_jupyter.notebook.characters import named_characters, proper_name
from booknlp_jupyter.results.booknlp_read import read_output
from booknlp_jupyter.results.schema import TABLE_SCHEMAS
from booknlp_jupyter.results.store import to_arrow

FIXTURES = Path(__file__).parent / "fixtures"
FULL = ["entity", "quote", "supersense", "event", "coref"]


def _frames(result: Any) -> Frames:
    """An engine's result as ``job.frames()`` gives it: Parquet per table, characters
    as JSON, each decoded by the client's own `to_frame`."""
    out = {}
    for name, schema in TABLE_SCHEMAS.items():
        buf = pa.BufferOutputStream()
        pq.write_table(to_arrow(getattr(result, name), schema), buf)
        out[name] = to_frame(name, buf.getvalue().to_pybytes())
    out["characters"] = to_frame("characters", orjson.dumps(result.characters))
    return Frames(out)


@pytest.fixture(scope="module")
def frames() -> Frames:
    engine = LiteEngine()
    engine.load("lite", FULL)
    text = (FIXTURES / "pride_excerpt.txt").read_text(encoding="utf-8")
    text = text[text.index("Chapter 3") :]
    return _frames(engine.run(text, model="lite", pipeline=FULL, progress=lambda *a: None))


@pytest.fixture()
def book(frames) -> Book:
    return Book(frames, model="lite")


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _speakers(book: Book) -> pd.DataFrame:
    """Named characters with quotes and a name no other character has, most quotes
    first."""
    table = book.characters()
    unique = table["name"].map(table["name"].value_counts()) == 1
    named = table["id"].isin(named_characters(book.frames)["id"])
    speakers = table[unique & named & (table["quotes"] > 0)]
    return speakers.sort_values("quotes", ascending=False, kind="stable")


def _snapshot(book: Book) -> dict[str, pd.DataFrame]:
    return {name: df.copy(deep=True) for name, df in book.frames.items()}


def _assert_unchanged(book: Book, snapshot: dict[str, pd.DataFrame]) -> None:
    assert book.curation == []
    for name, df in snapshot.items():
        pd.testing.assert_frame_equal(book.frames[name], df, obj=name)


def test_merge_moves_mentions_quotes_and_coref(book):
    speakers = _speakers(book)
    assert len(speakers) >= 2, speakers
    a, b = speakers.iloc[0], speakers.iloc[1]
    before, snapshot = book.characters(), _snapshot(book)
    ents, quotes = book.entities, book.quotes
    merged = book.merge(a["name"], b["name"])

    table = merged.characters()
    row = table[table["id"] == a["id"]].iloc[0]
    assert row["name"] == a["name"] and b["id"] not in set(table["id"])
    assert row["mentions"] == a["mentions"] + b["mentions"]
    assert row["quotes"] == a["quotes"] + b["quotes"]
    assert len(table) == len(before) - 1
    coref = merged.entities["COREF"]
    assert (coref == a["id"]).sum() == ents["COREF"].isin([a["id"], b["id"]]).sum()
    assert not (coref == b["id"]).any()
    others = ~ents["COREF"].isin([a["id"], b["id"]])
    assert coref[others].equals(ents["COREF"][others])
    said = merged.quotes["char_id"]
    assert (said == a["id"]).sum() == a["quotes"] + b["quotes"] and not (said == b["id"]).any()
    assert said.isna().sum() == quotes["char_id"].isna().sum()
    share = merged.dialogue(top=None).set_index("char_id")
    assert share.loc[a["id"], "quotes"] == a["quotes"] + b["quotes"]

    chars = {int(c["id"]): c for c in book.frames["characters"].to_dict("records")}
    new = merged.frames["characters"].set_index("id").loc[a["id"]]
    for kind in ("proper", "common", "pronoun"):
        total = sum(m["c"] for i in (a["id"], b["id"]) for m in chars[i]["mentions"][kind])
        assert sum(m["c"] for m in new["mentions"][kind]) == total
    assert len(new["agent"]) == len(chars[a["id"]]["agent"]) + len(chars[b["id"]]["agent"])
    assert [w["i"] for w in new["agent"]] == sorted(w["i"] for w in new["agent"])
    assert new["g"]["argmax"] == max(new["g"]["inference"], key=new["g"]["inference"].get)

    step = merged.curation[-1]
    assert step.action == "merge" and step.ids == (a["id"], b["id"])
    assert a["name"] in str(step) and b["name"] in str(step)
    by_id = book.merge(int(a["id"]), int(b["id"]))
    pd.testing.assert_frame_equal(by_id.characters(), table)
    _assert_unchanged(book, snapshot)


def test_merge_name_and_mistakes(book):
    a, b = _speakers(book).iloc[0], _speakers(book).iloc[1]
    merged = book.merge(a["name"], b["name"], name="The Pair")
    assert merged.characters().set_index("id").loc[a["id"], "name"] == "The Pair"
    with pytest.raises(ValueError, match="same character"):
        book.merge(a["name"], int(a["id"]))
    with pytest.raises(ValueError, match="name a character"):
        book.merge(a["name"])
    with pytest.raises(KeyError, match="did you mean"):
        book.merge(a["name"] + "x", b["name"])
    with pytest.raises(KeyError, match="no character has id"):
        book.merge(a["name"], 10**9)
    twice = book.rename(b["name"], a["name"])  # now two characters answer to one name
    with pytest.raises(ValueError, match="2 characters answer"):
        twice.merge(a["name"], int(b["id"]))
    assert twice.character_id(int(b["id"])) == b["id"]
    chars = book.frames["characters"]
    c = chars[chars["id"] == a["id"]].iloc[0]
    other_proper = [m["n"] for m in c["mentions"]["proper"] if m["n"] not in set(chars["name"])]
    if other_proper:  # a character also answers to its other proper names
        assert book.character_id(other_proper[0]) == a["id"]


def test_drop_unattributes_quotes_and_leaves_the_views(book):
    a = _speakers(book).iloc[0]
    snapshot = _snapshot(book)
    dropped = book.drop(a["name"])
    assert a["id"] not in set(dropped.characters()["id"])
    quotes, theirs = dropped.quotes, book.quotes["char_id"] == a["id"]
    assert theirs.sum() == a["quotes"] > 0
    for column in ("char_id", "mention_start", "mention_end", "mention_phrase"):
        assert quotes.loc[theirs.fillna(False), column].isna().all(), column
    assert quotes["char_id"].isna().sum() == book.quotes["char_id"].isna().sum() + a["quotes"]
    assert a["id"] not in set(dropped.dialogue(top=None)["char_id"])
    assert a["id"] not in dropped.conversations(window=400)
    assert a["id"] not in dropped.cooccurrence(top=30, min_weight=1)
    assert a["id"] in book.conversations(window=400)
    # its entities stay entities (same rows, same COREF), only no character's
    assert dropped.entities["COREF"].equals(book.entities["COREF"])
    assert dropped.curation[-1].action == "drop" and dropped.curation[-1].ids == (a["id"],)
    _assert_unchanged(book, snapshot)


def test_rename_shows_in_the_table_plots_and_networks(book):
    a = _speakers(book).iloc[0]
    renamed = book.rename(a["name"], "Zebedee Quill")
    assert renamed.characters().set_index("id").loc[a["id"], "name"] == "Zebedee Quill"
    assert "Zebedee Quill" not in set(book.characters()["name"])
    fig = renamed.plot_dialogue(top=30)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Zebedee Quill" in labels
    old = proper_name(book.frames["characters"].set_index("id").loc[a["id"]])
    assert old not in labels
    graph = renamed.cooccurrence(top=30, min_weight=1, named=True)
    assert graph.nodes[a["id"]]["name"] == "Zebedee Quill"
    fig = renamed.plot_network("cooccurrence", top=30, min_weight=1)
    assert "Zebedee Quill" in {t.get_text() for t in fig.axes[0].texts}
    assert set(renamed.quote_table(speaker="Zebedee Quill")["char_id"]) == {a["id"]}
    # a character with no proper name becomes a named one once you name it
    named = set(named_characters(book.frames)["id"])
    table = book.characters()
    unnamed = table[~table["id"].isin(named)].iloc[0]
    lifted = book.rename(int(unnamed["id"]), "Sir Somebody")
    assert unnamed["id"] in set(lifted.characters(named_only=True)["id"])
    assert "Sir Somebody" in set(named_characters(lifted.frames)["label"])


def test_filters_and_keep(book):
    table = book.characters()
    named = set(named_characters(book.frames)["id"])
    only_named = book.characters(named_only=True)
    assert set(only_named["id"]) == named and len(only_named) < len(table)
    frequent = book.characters(min_mentions=5)
    assert set(frequent["id"]) == set(table.loc[table["mentions"] >= 5, "id"])
    both = book.characters(named_only=True, min_mentions=5, top=3)
    expected = table[table["id"].isin(named) & (table["mentions"] >= 5)].head(3)
    assert list(both["id"]) == list(expected["id"])

    cast = book.keep(named_only=True, min_mentions=5)
    kept = set(cast.characters()["id"])
    assert kept == set(expected["id"]) | set(
        table.loc[table["id"].isin(named) & (table["mentions"] >= 5), "id"]
    )
    speakers = set(cast.quotes["char_id"].dropna())
    assert speakers <= kept
    assert set(cast.conversations(window=400)) <= kept
    assert set(cast.timeline(top=50).columns) <= set(cast.characters()["name"])
    step = cast.curation[-1]
    assert step.action == "keep" and set(step.ids) == set(table["id"]) - kept
    two = book.keep(*_speakers(book)["name"].head(2))
    assert set(two.characters()["id"]) == set(_speakers(book)["id"].head(2))


def test_save_writes_the_curated_book(book, tmp_path):
    a, b = _speakers(book).iloc[0], _speakers(book).iloc[1]
    curated = book.merge(a["name"], b["name"]).rename(a["name"], "Zebedee Quill")
    written = curated.save(tmp_path / "curated", book_id="pride")
    assert {p.name for p in written} >= {"pride.entities", "pride.quotes", "pride.book"}
    back = read_output(tmp_path / "curated")
    chars = back["characters"].set_index("id")
    assert b["id"] not in chars.index
    assert chars.loc[a["id"], "count"] == a["mentions"] + b["mentions"]
    assert not (back["entities"]["COREF"] == b["id"]).any()
    assert (back["quotes"]["char_id"] == a["id"]).sum() == a["quotes"] + b["quotes"]
    assert len(back["tokens"]) == len(book.tokens)
    original = read_output(tmp_path / "orig") if book.save(tmp_path / "orig") else None
    assert original is not None and b["id"] in set(original["characters"]["id"])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_lite_book_says_it_is_a_first_look(frames):
    lite = Book(frames, model="lite")
    assert lite.note == FIRST_LOOK
    for shown in (lite._repr_html_(), lite.characters()._repr_html_()):
        assert "a first look" in shown and 'model="small"' in shown
        assert "BookNLP's models" in shown
    assert lite.characters().attrs["note"] == FIRST_LOOK
    assert "a first look" in repr(lite.characters(top=3))
    assert "a first look" in lite.merge(*_speakers(lite)["name"].head(2))._repr_html_()
    small = Book(frames, model="small")
    assert small.note is None and type(small.characters()) is pd.DataFrame
    assert "first look" not in small._repr_html_() + small.characters()._repr_html_()
    assert "first look" not in Book(frames)._repr_html_()

    client = Client(f"http://127.0.0.1:{_closed_port()}", "t")
    job = Job(client, "j1", {"status": "completed", "model": "lite", "book_id": "pride"})
    assert Book(frames, job).note == FIRST_LOOK
    assert Book(frames, Job(client, "j2", {"status": "completed", "model": "big"})).note is None
    assert Book(frames, Job(client, "j3", None)).note is None  # no server: no note, no error
