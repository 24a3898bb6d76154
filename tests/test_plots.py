"""The plots fit for a paper, on real lite results of Pride and Prejudice's first
chapters (the engine run here, no server): each returns its Figure, draws into a given
``ax``/``axes``, saves to SVG and PDF; networks of named characters only, labels apart;
who speaks sorted and labelled by one measure; mentions as small multiples; corpus
plots over two books written as BookNLP's files and read back with `read_output`."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import matplotlib
import pytest

matplotlib.use("Agg")

pytest.importorskip("spacy")
pytest.importorskip("booknlp")

import matplotlib.pyplot as plt
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from booknlp_jupyter.corpus import Corpus
from booknlp_jupyter.engines.lite import LiteEngine
from booknlp_jupyter.notebook import corpus_plots, plots
from booknlp_jupyter.notebook.book import Book
from booknlp_jupyter.notebook.characters import NOT_NAMES, proper_name
from booknlp_jupyter.results.booknlp_files import write_booknlp_files
from booknlp_jupyter.results.booknlp_read import read_output
from booknlp_jupyter.results.schema import TABLE_SCHEMAS
from booknlp_jupyter.results.store import to_arrow

FIXTURES = Path(__file__).parent / "fixtures"
FULL = ["entity", "quote", "supersense", "event", "coref"]
PALETTE = {c.lower() for c in (*plots.PALETTE, plots.GREY)}


class _Source:
    """An engine's result as `write_booknlp_files` reads one."""

    def __init__(self, result: Any):
        self.result = result

    def arrow(self, name: str) -> Any:
        return to_arrow(getattr(self.result, name), TABLE_SCHEMAS[name])

    def characters(self) -> list[dict[str, Any]]:
        return self.result.characters


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    """A BookNLP output folder: the excerpt's chapters 1-2 and 3-5 as two books."""
    engine = LiteEngine()
    engine.load("lite", FULL)
    text = (FIXTURES / "pride_excerpt.txt").read_text(encoding="utf-8")
    cut = text.index("Chapter 3")
    folder = tmp_path_factory.mktemp("booknlp-out")
    for book_id, part in (("pride_1-2", text[:cut]), ("pride_3-5", text[cut:])):
        result = engine.run(part, model="lite", pipeline=FULL, progress=lambda *a: None)
        write_booknlp_files(_Source(result), folder, book_id, FULL)
    return folder


@pytest.fixture(scope="module")
def frames(output) -> dict[str, Any]:
    return read_output(output)


@pytest.fixture(scope="module")
def book(frames) -> Book:
    """One book: chapters 3-5 (the ball, the most talk)."""
    return Book({name: df[df["book_id"] == "pride_3-5"] for name, df in frames.items()})


@pytest.fixture(scope="module")
def two_books(frames) -> dict[str, Any]:
    return frames


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _proper_names(frames) -> dict[int, str | None]:
    chars = frames["characters"]
    return {
        int(i): proper_name(c) for i, c in zip(chars["id"], chars.to_dict("records"), strict=True)
    }


PLOTS = {
    "cooccurrence": lambda b, **kw: b.plot_network("cooccurrence", top=8, **kw),
    "conversation": lambda b, **kw: b.plot_network("conversation", top=8, window=400, **kw),
    "dialogue": lambda b, **kw: b.plot_dialogue(top=6, **kw),
}
CORPUS_PLOTS = {
    "corpus_dialogue": corpus_plots.plot_dialogue_by_gender,
    "corpus_characters": corpus_plots.plot_characters,
}


@pytest.mark.parametrize("kind", [*PLOTS, "mentions", *CORPUS_PLOTS])
def test_each_plot_returns_its_figure_and_saves_svg_and_pdf(kind, book, two_books, tmp_path):
    if kind in PLOTS:
        fig = PLOTS[kind](book)
    elif kind == "mentions":
        fig = book.plot_mentions(top=4)
    else:
        fig = CORPUS_PLOTS[kind](two_books)
    assert isinstance(fig, Figure)
    files = plots.save(fig, tmp_path / kind)
    assert [f.name for f in files] == [f"{kind}.svg", f"{kind}.pdf"]
    svg, pdf = (f.read_bytes() for f in files)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = "".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert texts.strip()  # text kept as text (svg.fonttype none), so journals can edit it
    used = {
        to_hex(c).lower()
        for ax in fig.axes
        for artist in (*ax.patches, *ax.collections)
        for c in _facecolors(artist)
    }
    assert used and used <= PALETTE | {"#ffffff"}, used - PALETTE  # the one palette


def _facecolors(artist) -> list[Any]:
    colors = artist.get_facecolor()
    rows = [colors] if len(colors) == 4 and not hasattr(colors[0], "__len__") else list(colors)
    return [c for c in rows if c[3] > 0]


@pytest.mark.parametrize("kind", [*PLOTS, *CORPUS_PLOTS])
def test_plots_draw_into_the_given_ax(kind, book, two_books):
    fig, (left, right) = plt.subplots(1, 2)
    draw = PLOTS[kind] if kind in PLOTS else CORPUS_PLOTS[kind]
    assert draw(book if kind in PLOTS else two_books, ax=right) is fig
    assert not left.has_data() and (right.patches or right.collections)


def test_network_shows_at_most_top_named_characters(book):
    names = _proper_names(book.frames)
    everyone = book.cooccurrence(top=15, min_weight=1)
    generic = [everyone.nodes[n]["name"] for n in everyone if not names.get(n) and n != 0]
    assert generic, "the excerpt has pronoun-only or generic characters among its top 15"
    for graph in (
        book.cooccurrence(top=8, min_weight=1, named=True),
        book.conversations(top=8, window=400, named=True),
    ):
        assert 0 < graph.number_of_nodes() <= 8
        for n, data in graph.nodes(data=True):
            label = data["name"]
            assert n == 0 or (names.get(n) and re.sub(r" \(\d+\)$", "", label) == names[n])
            assert label.lower() not in NOT_NAMES and label[0].isupper()
    fig = book.plot_network("cooccurrence", top=8)
    labels = [t for t in fig.axes[0].texts if t.get_gid() == "node-label"]
    top8 = book.cooccurrence(top=8, named=True)
    shown = {t.get_text() for t in labels}
    assert 0 < len(labels) <= 8 and shown <= {top8.nodes[n]["name"] for n in top8}
    assert not shown & set(generic)
    assert plots.overlaps(labels) == 0


def test_network_edges_scaled_with_a_legend(book):
    graph = book.cooccurrence(top=8, min_weight=1, named=True)
    fig = book.plot_network("cooccurrence", top=8, min_weight=1, label_edges=2)
    ax = fig.axes[0]
    legends = [c for c in ax.get_children() if isinstance(c, matplotlib.legend.Legend)]
    edge_legend = next(leg for leg in legends if "tokens" in leg.get_title().get_text())
    samples = [int(t.get_text()) for t in edge_legend.get_texts()]
    weights = sorted(w for *_, w in graph.edges(data="weight"))
    assert samples[0] == weights[0] and samples[-1] == weights[-1]
    widths = [line.get_linewidth() for line in edge_legend.get_lines()]
    assert widths == sorted(widths) and widths[0] < widths[-1]
    labelled = [t.get_text() for t in ax.texts if t.get_gid() == "edge-weight"]
    assert labelled == [f"{w:,}" for w in weights[::-1][:2]]


@pytest.mark.parametrize("by", ["words", "quotes"])
def test_who_speaks_sorted_and_labelled_by_one_measure(by, book):
    fig = book.plot_dialogue(top=6, by=by)
    ax = fig.axes[0]
    quotes = book.quotes.dropna(subset=["char_id"])
    size = quotes["quote_end"] - quotes["quote_start"] + 1 if by == "words" else 1
    per = quotes.assign(v=size).groupby("char_id")["v"].sum()
    names = _proper_names(book.frames)
    named = per[[names.get(int(c)) is not None or int(c) == 0 for c in per.index]]
    share = 100 * named / per.sum()
    # the plot's order: largest first, ties by character id
    expected = share[sorted(share.index, key=lambda c: (-share[c], c))[:6]]
    bars = sorted(ax.patches, key=lambda p: -p.get_y())  # top to bottom
    widths = [p.get_width() for p in bars]
    assert widths == pytest.approx(list(expected)) and widths == sorted(widths, reverse=True)
    assert [t.get_text().strip() for t in ax.texts] == [f"{w:.1f}%" for w in widths]
    word = "words" if by == "words" else "quotes"
    assert word in ax.get_xlabel() and "share" in ax.get_xlabel()
    ticks = [t.get_text() for t in ax.get_yticklabels()]  # as set: top to bottom
    assert ticks == [names.get(int(c)) or "narrator" for c in expected.index]


def test_mentions_as_small_multiples_with_shared_axes(book):
    fig = book.plot_mentions(top=4, bins=10)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 4
    ents = book.entities
    for ax in panels:
        (steps,) = ax.patches
        name = ax.get_title(loc="left").rsplit("  (", 1)[0]
        ids = [i for i, n in _proper_names(book.frames).items() if n == name]
        values, edges, _ = steps.get_data()
        assert len(values) == 10 and edges[0] == 0 and edges[-1] == 100
        assert values.sum() == ents["COREF"].isin(ids[:1]).sum()
        assert ax.get_ylim() == panels[0].get_ylim() and ax.get_xlim() == (0, 100)
    given = plt.subplots(2, 2)[1]
    assert book.plot_mentions(top=4, axes=given) is given[0, 0].figure
    assert all(len(ax.patches) == 1 for ax in given.ravel())


def test_corpus_plots_over_two_books(two_books):
    table = corpus_plots.dialogue_by_gender(two_books)
    assert list(table.index) == ["pride_1-2", "pride_3-5"]
    quotes = two_books["quotes"].dropna(subset=["char_id"])
    chars = two_books["characters"]
    for book_id, row in table.iterrows():
        q = quotes[quotes["book_id"] == book_id]
        c = chars[chars["book_id"] == book_id]
        she = set(c["id"][[(g or {}).get("argmax") == "she/her" for g in c["g"]]])
        words = q["quote_end"] - q["quote_start"] + 1
        assert row["total"] == words.sum()
        assert row["she/her"] == pytest.approx(words[q["char_id"].isin(she)].sum() / words.sum())
        assert sum(row[g] for g in plots.GENDERS) == pytest.approx(1)
    counts = corpus_plots.characters_per_book(two_books)
    for book_id, row in counts.iterrows():
        c = chars[chars["book_id"] == book_id]
        named = sum(proper_name(r) is not None or r["id"] == 0 for r in c.to_dict("records"))
        assert row["total"] == named > 0
    corpus = Corpus(None, "c1")  # type: ignore[arg-type]  # its plots need only frames
    for fig in (
        corpus.plot_dialogue_by_gender(two_books),
        corpus.plot_characters(two_books, labels={"pride_1-2": "Chapters 1-2"}),
    ):
        ticks = [t.get_text().split("\n")[0] for t in fig.axes[0].get_yticklabels()]
        assert set(ticks) <= {"pride_1-2", "pride_3-5", "Chapters 1-2"} and len(ticks) == 2


def test_save_writes_the_formats_asked(book, tmp_path):
    fig = book.plot_dialogue(top=3)
    assert plots.save(fig, tmp_path / "who.pdf") == [tmp_path / "who.pdf"]
    files = plots.save(fig, tmp_path / "sub" / "who", formats=["svg", "png"], dpi=72)
    assert [f.suffix for f in files] == [".svg", ".png"] and all(f.stat().st_size for f in files)


def test_repel_labels_separates_labels_drawn_on_one_spot():
    _, ax = plt.subplots(figsize=(4, 3))
    ax.set(xlim=(0, 1), ylim=(0, 1))
    texts = [ax.text(0.5, 0.5, f"Character {i}", ha="center", va="center") for i in range(8)]
    assert plots.overlaps(texts) == 28
    assert plots.repel_labels(ax, texts, points=[(0.5, 0.5, 10)]) == 0
    assert plots.overlaps(texts) == 0
