"""`Book`: one result's frames, with the ways to look at them in one place.

book = job.book()                # or Book(job.frames())
book.characters()                # name, gender, mentions, quotes, top actions
book.plot_mentions(); book.plot_dialogue(); book.plot_network("conversation")
book.text_view()                 # the text, entities and speakers highlighted, paged
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pandas as pd

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

    def timeline(self, top: int = 8, bins: int = 20) -> pd.DataFrame:
        return timeline.mention_timeline(self.frames, top, bins)

    def cooccurrence(self, window: int = 50, top: int = 20, min_weight: int = 2) -> Any:
        return network.cooccurrence_graph(self.frames, window, top, min_weight)

    def conversations(self, window: int = 200, min_weight: int = 1) -> Any:
        return network.conversation_graph(self.frames, window, min_weight)

    def plot_mentions(self, top: int = 8, bins: int = 20, ax: Any = None) -> Any:
        return timeline.plot_mentions(self.frames, top, bins, ax)

    def plot_dialogue(self, top: int = 10, ax: Any = None) -> Any:
        return characters.plot_dialogue_share(self.frames, top, ax)

    def plot_network(self, kind: str = "cooccurrence", ax: Any = None, **options: Any) -> Any:
        """``kind``: ``"cooccurrence"`` (mentions near each other) or ``"conversation"``
        (who speaks after whom); ``options`` go to the graph's builder."""
        if kind == "cooccurrence":
            graph, title = self.cooccurrence(**options), "Characters mentioned together"
        elif kind == "conversation":
            graph, title = self.conversations(**options), "Who speaks after whom"
        else:
            raise ValueError("kind: 'cooccurrence' or 'conversation'")
        return network.plot_network(graph, ax=ax, title=title)

    def html(self, page: int = 0, paragraphs_per_page: int = 20) -> str:
        return text.render_html(self.frames, page, paragraphs_per_page)

    def text_view(self, paragraphs_per_page: int = 20) -> Any:
        return text.text_view(self.frames, paragraphs_per_page)

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
