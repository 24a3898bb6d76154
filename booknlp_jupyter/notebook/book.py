"""`Book`: one result's frames, with the ways to look at them in one place.

book = job.book()                # or Book(job.frames())
book.characters()                # name, gender, mentions, quotes, top actions
book.plot_mentions(); book.plot_dialogue(); book.plot_network("conversation")
book.text_view()                 # the text, entities and speakers highlighted, paged
book.quote_table()               # the quotes as written, with their speakers
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .._frames import add_quote_text
from . import characters, network, text, timeline


class Book:
    """A result's DataFrames (``book.frames``, also ``book.tokens``...) and views of them."""

    def __init__(self, frames: Mapping[str, pd.DataFrame], job: Any = None):
        self.frames, self.job = dict(frames), job

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name != "frames" and name in self.frames:
            return self.frames[name]
        raise AttributeError(name)

    def characters(self, top: int | None = None, actions: int = 5) -> pd.DataFrame:
        return characters.character_table(self.frames, top, actions)

    def dialogue(self, top: int | None = 10) -> pd.DataFrame:
        return characters.dialogue_share(self.frames, top)

    def timeline(self, top: int = 8, bins: int = 20, named: bool = False) -> pd.DataFrame:
        return timeline.mention_timeline(self.frames, top, bins, named)

    def cooccurrence(
        self, window: int = 50, top: int = 20, min_weight: int = 2, named: bool = False
    ) -> Any:
        return network.cooccurrence_graph(self.frames, window, top, min_weight, named)

    def conversations(
        self, window: int = 200, min_weight: int = 1, top: int | None = None, named: bool = False
    ) -> Any:
        return network.conversation_graph(self.frames, window, min_weight, top, named)

    def plot_mentions(
        self, top: int = 8, bins: int = 20, axes: Any = None, named: bool = True, ncols: int = 2
    ) -> Any:
        """Small multiples: one panel per named character; returns the Figure."""
        return timeline.plot_mentions(self.frames, top, bins, axes, named, ncols)

    def plot_dialogue(
        self, top: int = 10, ax: Any = None, by: str = "words", named: bool = True
    ) -> Any:
        """Who speaks, sorted and labelled by one measure (``by``); returns the Figure."""
        return characters.plot_dialogue_share(self.frames, top, ax, by, named)

    def plot_network(
        self,
        kind: str = "cooccurrence",
        ax: Any = None,
        top: int = 15,
        named: bool = True,
        **options: Any,
    ) -> Any:
        """``kind``: ``"cooccurrence"`` (mentions near each other) or ``"conversation"``
        (who speaks after whom), of the ``top`` characters (``named``: only those known
        by a proper name, and the narrator); ``options`` go to the graph's builder
        (``window``, ``min_weight``) or to `network.plot_network` (``seed``,
        ``label_edges``, ``max_edges``, ``max_nodes``, ``title``). Returns the Figure."""
        keys = ("seed", "label_edges", "max_edges", "max_nodes", "title")
        drawing = {k: options.pop(k) for k in keys if k in options}
        if kind == "cooccurrence":
            graph = self.cooccurrence(top=top, named=named, **options)
            title = "Characters mentioned together"
        elif kind == "conversation":
            graph = self.conversations(top=top, named=named, **options)
            title = "Who speaks after whom"
        else:
            raise ValueError("kind: 'cooccurrence' or 'conversation'")
        shown = "named characters" if named else "characters"
        drawing.setdefault("title", f"{title}: top {graph.number_of_nodes()} {shown}")
        return network.plot_network(graph, ax=ax, **drawing)

    def html(self, page: int = 0, paragraphs_per_page: int = 20) -> str:
        """Page ``page`` of the text as HTML (spacing from the byte offsets, ``_italics_``
        as ``<em>``, entities and speakers marked)."""
        return text.render_html(self.frames, page, paragraphs_per_page)

    def text_view(self, paragraphs_per_page: int = 20) -> text.TextView:
        """The text paged: a plain-HTML page and a pager widget (`text.TextView`)."""
        return text.text_view(self.frames, paragraphs_per_page)

    def quote_table(self, speaker: int | str | None = None, top: int | None = None) -> pd.DataFrame:
        """The quotes in order, as written, with their speakers: ``quote_start``,
        ``quote_end``, ``char_id``, ``speaker`` (the character's name),
        ``mention_phrase`` and ``quote_text`` (rebuilt from the byte offsets; BookNLP's
        tokenised ``quote`` stays in ``book.quotes``). ``speaker``: only one
        character's quotes (an id or a name); ``top``: only the first ones."""
        add_quote_text(self.frames)
        if "quote_text" not in self.frames["quotes"].columns:
            raise ValueError("the quotes as written need the tokens table")
        quotes = self.frames["quotes"].sort_values("quote_start", kind="stable")
        who = characters.names(self.frames)
        table = pd.DataFrame(
            {
                "quote_start": quotes["quote_start"],
                "quote_end": quotes["quote_end"],
                "char_id": quotes["char_id"],
                "speaker": quotes["char_id"].map(who).astype("string"),
                "mention_phrase": quotes["mention_phrase"],
                "quote_text": quotes["quote_text"],
            }
        )
        if isinstance(speaker, str):
            table = table[table["speaker"] == speaker]
        elif speaker is not None:
            table = table[table["char_id"] == speaker]
        return table.head(top).reset_index(drop=True) if top else table.reset_index(drop=True)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{len(df):,}</td></tr>"
            for name, df in self.frames.items()
        )
        top = self.characters(top=5)
        who = ", ".join(
            f"{html.escape(str(n))} ({m})"
            for n, m in zip(top["name"], top["mentions"], strict=True)
        )
        return (
            f"<b>Book</b> {html.escape(repr(self.job) if self.job else '')}"
            f"<table>{rows}</table><p>Top characters: {who or '—'}</p>"
        )
