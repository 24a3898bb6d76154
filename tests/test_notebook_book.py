"""Looking at a book: the character table, dialogue shares, mentions over narrative time,
the networks, the plots and the highlighted text, on a real ``lite`` result (checked
against the frames themselves, computed another way)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from itertools import combinations, pairwise

import matplotlib
import pytest

from booknlp_jupyter.client import Client
from booknlp_jupyter.notebook.text import Pages

from .procs import ROOT, ServerProcess

matplotlib.use("agg")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    server = ServerProcess(
        tmp_path_factory.mktemp("book") / "data", token="book-t", default_model="lite"
    ).start()
    try:
        client = Client(server.url, server.token)
        job = client.submit((ROOT / "tests/fixtures/usher.txt").read_text(), book_id="usher")
        assert job.wait(timeout=300)["status"] == "completed"
        yield job.book()
    finally:
        server.stop()


pytestmark = pytest.mark.slow


def test_frames_are_typed(book):
    assert str(book.tokens["token_ID_within_document"].dtype) == "Int32"
    assert str(book.tokens["word"].dtype) == "string"
    assert str(book.tokens["POS_tag"].dtype) == "category"
    assert str(book.entities["COREF"].dtype) == "Int64"
    assert str(book.quotes["char_id"].dtype) == "Int64"
    chars = book.frames["characters"]
    assert [str(chars[c].dtype) for c in ("id", "name", "count")] == ["Int64", "string", "Int64"]


def test_character_table(book):
    table = book.characters()
    assert list(table.columns) == [
        "id",
        "name",
        "gender",
        "mentions",
        "quotes",
        "agent",
        "patient",
        "mod",
        "poss",
    ]
    assert list(table["mentions"]) == sorted(table["mentions"], reverse=True)
    ents = book.entities
    for row in table.head(5).itertuples():
        per = ents[(ents["COREF"] == row.id) & (ents["cat"] == "PER")]
        assert row.mentions == len(per)
        spoken = (book.quotes["char_id"] == row.id).sum()
        assert row.quotes == spoken
        assert all(isinstance(w, str) and w == w.lower() for w in row.agent)
    usher = table[table["name"] == "Usher"].iloc[0]
    assert usher["gender"] == "he/him/his" and usher["mentions"] > 10 and usher["agent"]


def test_dialogue_share(book):
    share = book.dialogue(top=None)
    attributed = book.quotes.dropna(subset=["char_id"])
    assert share["quotes"].sum() == len(attributed)
    words = (attributed["quote_end"] - attributed["quote_start"] + 1).sum()
    assert share["words"].sum() == words
    assert share["share"].sum() == pytest.approx(1)
    assert list(share["words"]) == sorted(share["words"], reverse=True)


def test_mentions_across_the_book(book):
    timeline = book.timeline(top=4, bins=10)
    assert timeline.shape == (10, 4) and timeline.index[0] == 0
    top = book.characters(top=4)
    for name, cid in zip(top["name"], top["id"], strict=True):
        assert timeline[name].sum() == (book.entities["COREF"] == cid).sum()


def test_cooccurrence_network_matches_brute_force(book):
    graph = book.cooccurrence(window=40, top=10, min_weight=1)
    ids = set(book.characters(top=10)["id"])
    ents = book.entities[book.entities["COREF"].isin(ids)]
    mentions = list(zip(ents["start_token"], ents["COREF"], strict=True))
    expected: dict[tuple[int, int], int] = {}
    for (p, a), (q, b) in combinations(mentions, 2):
        if a != b and abs(p - q) <= 40:
            key = (min(a, b), max(a, b))
            expected[key] = expected.get(key, 0) + 1
    got = {(min(a, b), max(a, b)): d["weight"] for a, b, d in graph.edges(data=True)}
    assert got == expected and got
    usher = book.characters(top=10).set_index("name").loc["Usher", "id"]
    assert graph.nodes[usher]["name"] == "Usher"


def test_conversation_network(book):
    graph = book.conversations(window=10_000)
    quotes = book.quotes.dropna(subset=["char_id"]).sort_values("quote_start")
    speakers = list(quotes["char_id"])
    turns = sum(1 for a, b in pairwise(speakers) if a != b)
    assert graph.is_directed() and sum(d["weight"] for *_, d in graph.edges(data=True)) == turns
    assert set(graph) == set(speakers)


def test_plots_render(book):
    import matplotlib.pyplot as plt

    from booknlp_jupyter.notebook.characters import named_characters

    figs = [
        book.plot_mentions(top=5),
        book.plot_dialogue(top=5),
        book.plot_network(),
        book.plot_network("conversation", window=10_000),
    ]
    panels = [ax for ax in figs[0].axes if ax.get_visible()]
    named = list(book.timeline(top=5, named=True).columns)
    assert [ax.get_title(loc="left").rsplit("  (", 1)[0] for ax in panels] == named
    speakers = set(book.dialogue(top=None)["char_id"]) & set(named_characters(book.frames)["id"])
    assert len(figs[1].axes[0].patches) == min(5, len(speakers))
    for fig in figs:
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        assert buf.getvalue()[:4] == b"\x89PNG" and len(buf.getvalue()) > 5000
    plt.close("all")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth, self.text, self.labels = 0, [], []
        self._in = []

    def handle_starttag(self, tag, attrs):
        self._in.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self._in and self._in[-1][0] == tag, f"unbalanced </{tag}>"
        self._in.pop()

    def handle_data(self, data):
        if self._in and self._in[-1][1].get("class") == "who":
            self.labels.append(data)
        elif not any(t == "style" for t, _ in self._in):
            self.text.append(data)


def test_text_pages_hold_every_word_in_order_with_speakers(book):
    pages = Pages(book.frames, paragraphs_per_page=5)
    assert len(pages) > 3
    checker = _Checker()
    for n in range(len(pages)):
        checker.feed(pages.html(n))
    text = re.sub(r"\s+", "", "".join(checker.text))
    assert text == "".join(book.tokens["word"])
    names = dict(
        zip(book.frames["characters"]["id"], book.frames["characters"]["name"], strict=True)
    )
    attributed = book.quotes["char_id"].dropna()
    assert checker.labels == [names[c] for c in attributed]  # every attributed quote, in order
    assert "background:#fde2b5" in book.html(0)  # a PER entity on the first page
