"""`Book`: one result's frames, with the ways to look at them in one place.

book = job.book()                # or Book(job.frames())
book.characters()                # name, gender, mentions, quotes, top actions
book.plot_mentions(); book.plot_dialogue(); book.plot_network("conversation")
book.text_view()                 # the text, entities and speakers highlighted, paged
book.quote_table()               # the quotes as written, with their speakers
book.merge("Jane", "Miss Bennet").drop("I").characters(named_only=True, min_mentions=5)

Curation (`merge`, `drop`, `rename`, `keep`) returns a new `Book`, as pandas does, and
leaves the original as it was; ``book.curation`` lists the steps taken. A ``lite``
result says it is a first look (`FIRST_LOOK`) in its HTML and its character table.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .._frames import add_quote_text
from . import characters, curation, network, text, timeline

#: What a ``lite`` result says of itself (HTML: `FIRST_LOOK_HTML`).
FIRST_LOOK = (
    "lite: a first look (spaCy, rules and small models trained on LitBank); for "
    'publication-grade results run BookNLP\'s models (model="small" or "big", see '
    "README 'BookNLP's models')"
)
FIRST_LOOK_HTML = (
    "<p class='booknlp-first-look' style='color:#8a5a00'><b>lite: a first look</b> "
    "(spaCy, rules and small models trained on LitBank); for publication-grade results "
    "run BookNLP's models "
    '(<code>model="small"</code> or <code>"big"</code>, see README '
    "<i>BookNLP's models</i>)</p>"
)


class NotedFrame(pd.DataFrame):
    """A DataFrame shown under a note (``attrs["note"]``), e.g. the first-look note."""

    @property
    def _constructor(self) -> type[NotedFrame]:
        return NotedFrame

    def _repr_html_(self) -> str | None:
        table = super()._repr_html_()
        note = self.attrs.get("note")
        if not table or not note:
            return table
        return (FIRST_LOOK_HTML if note == FIRST_LOOK else f"<p>{html.escape(note)}</p>") + table

    def __repr__(self) -> str:
        note = self.attrs.get("note")
        return f"{note}\n{super().__repr__()}" if note else super().__repr__()


def _model_of(job: Any) -> str | None:
    """``job``'s model: from its last state, else asked of the server once."""
    state = getattr(job, "last", None)
    if not (isinstance(state, Mapping) and state.get("model")) and hasattr(job, "status"):
        try:
            state = job.status()
        except Exception:  # the note is advice: no server, no note
            return None
    return state.get("model") if isinstance(state, Mapping) else None


class _FramesSource:
    """A Book's frames as `write_booknlp_files` reads a result."""

    def __init__(self, frames: Mapping[str, pd.DataFrame]):
        self.frames = frames

    def arrow(self, name: str) -> Any:
        from ..results.schema import TABLE_SCHEMAS
        from ..results.store import to_arrow

        frame = self.frames[name]
        frame = frame.astype({c: "string" for c in frame.columns if frame[c].dtype == "category"})
        return to_arrow(frame, TABLE_SCHEMAS[name])

    def characters(self) -> list[dict[str, Any]]:
        rows = self.frames["characters"].to_dict("records")
        return [{**c, "id": int(c["id"]), "count": int(c.get("count") or 0)} for c in rows]


class Book:
    """A result's DataFrames (``book.frames``, also ``book.tokens``...) and views of them.

    ``model``: the model that made them (default: ``job``'s); ``"lite"`` adds the
    first-look note. ``curation``: the curation steps that made this book (`Step`)."""

    def __init__(
        self,
        frames: Mapping[str, pd.DataFrame],
        job: Any = None,
        model: str | None = None,
        steps: list[curation.Step] | None = None,
    ):
        self.frames, self.job = dict(frames), job
        self.model = model or _model_of(job)
        self.curation: list[curation.Step] = list(steps or [])

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name not in ("frames", "job", "model", "curation") and name in self.frames:
            return self.frames[name]
        raise AttributeError(name)

    @property
    def note(self) -> str | None:
        """`FIRST_LOOK` for a ``lite`` result, else None."""
        return FIRST_LOOK if self.model == "lite" else None

    def characters(
        self,
        top: int | None = None,
        actions: int = 5,
        named_only: bool = False,
        min_mentions: int = 0,
    ) -> pd.DataFrame:
        """The character table (`characters.character_table`), filtered: ``named_only``
        keeps the characters the plots call named (a proper name at least twice, one you
        gave them, or the narrator), ``min_mentions`` those mentioned that often."""
        table = characters.character_table(self.frames, None, actions)
        if named_only or min_mentions:
            chars = self.frames["characters"]
            wanted = chars.loc[curation.select(self.frames, named_only, min_mentions), "id"]
            table = table[table["id"].isin(wanted)].reset_index(drop=True)
        table = table.head(top) if top else table
        if self.note:
            table = NotedFrame(table)
            table.attrs["note"] = self.note
        return table

    # curation: each returns a new Book

    def _curated(self, frames: curation.Frames, step: curation.Step) -> Book:
        return Book(frames, self.job, self.model, [*self.curation, step])

    def character_id(self, who: int | str) -> int:
        """A character's id, from its id, name or a proper-name mention (`curation.resolve`)."""
        return curation.resolve(self.frames, who)

    def merge(self, first: int | str, *others: int | str, name: str | None = None) -> Book:
        """A new Book where the ``others`` (names or ids) are one character with ``first``,
        which keeps its id (and its name, unless ``name``): entities' ``COREF``, quotes'
        ``char_id`` and the characters table (counts, mentions, agent/patient/mod/poss,
        pooled gender) follow. This Book is left as it was."""
        return self._curated(*curation.merge(self.frames, first, *others, name=name))

    def drop(self, *who: int | str) -> Book:
        """A new Book without the characters ``who``: they leave the characters table, so
        no table, plot, network or export counts them; their quotes become unattributed
        (``char_id`` and the speaker mention null). Their entities keep their ``COREF``:
        the spans are still entity mentions (the text view marks them), only not a
        character's, like BookNLP's own non-character clusters."""
        return self._curated(*curation.drop(self.frames, *who))

    def rename(self, who: int | str, name: str) -> Book:
        """A new Book where ``who`` is called ``name``: in the tables, plots' labels and
        networks (BookNLP's ``.book`` file has no name field, so `save` cannot carry it)."""
        return self._curated(*curation.rename(self.frames, who, name))

    def keep(self, *who: int | str, named_only: bool = False, min_mentions: int = 0) -> Book:
        """A new Book keeping only the characters ``who`` (all if none named) that pass the
        `characters` filters; the others dropped, as `drop` drops them."""
        return self._curated(
            *curation.keep(self.frames, *who, named_only=named_only, min_mentions=min_mentions)
        )

    def save(self, folder: Any, book_id: str | None = None) -> list[Any]:
        """Write this (curated) book into ``folder`` as BookNLP's files, as `job.save` does
        (`write_booknlp_files`); ``book_id``: the files' stem (default: the job's or the
        frames' ``book_id``, else "book"). Returns the paths written."""
        from ..results.booknlp_files import write_booknlp_files

        source = _FramesSource(self.frames)
        return write_booknlp_files(source, folder, book_id or self._book_id(), self._pipeline())

    def _book_id(self) -> str:
        state = getattr(self.job, "last", None) or {}
        if isinstance(state, Mapping) and state.get("book_id"):
            return str(state["book_id"])
        ids = self.frames["tokens"].get("book_id") if "tokens" in self.frames else None
        return str(ids.iloc[0]) if ids is not None and len(ids) else "book"

    def _pipeline(self) -> Any:
        state = getattr(self.job, "last", None) or {}
        return state.get("pipeline") if isinstance(state, Mapping) else None

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
        ``quote_end``, ``char_id``, ``speaker`` (the character's name; the mention's
        words when its cluster is not in the characters table),
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
                # a speaker whose cluster is not in the characters table (an unresolved
                # pronoun, say) is shown by its mention
                "speaker": quotes["char_id"]
                .map(who)
                .astype("string")
                .fillna(quotes["mention_phrase"].astype("string")),
                "mention_phrase": quotes["mention_phrase"],
                "quote_text": quotes["quote_text"],
            }
        )
        if isinstance(speaker, str):
            table = table[table["speaker"] == speaker]
        elif speaker is not None:
            table = table[table["char_id"] == speaker]
        return table.head(top).reset_index(drop=True) if top else table.reset_index(drop=True)

    def __repr__(self) -> str:
        model = f" ({self.model})" if self.model else ""
        n = len(self.curation)
        steps = f", {n} curation step{'s' * (n != 1)}" if n else ""
        head = f"<Book{model}: {len(self.frames.get('characters', ()))} characters{steps}>"
        return f"{head}\n{self.note}" if self.note else head

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
        steps = "".join(f"<li>{html.escape(str(step))}</li>" for step in self.curation)
        curated = f"<p>Curated:</p><ol>{steps}</ol>" if steps else ""
        return (
            f"<b>Book</b> {html.escape(repr(self.job) if self.job else '')}"
            f"{FIRST_LOOK_HTML if self.note else ''}"
            f"<table>{rows}</table><p>Top characters: {who or '—'}</p>{curated}"
        )
