"""The text rendered as HTML, entities and speakers highlighted, paged by paragraphs.

The text is rebuilt from the tokens (their offsets give the spacing), so a result is
enough. Entities are tinted by category, quotes by speaker, with the speaker's name;
Gutenberg's ``_italic_`` markup is rendered as ``<em>`` (paired within a paragraph; an
underscore without a partner stays as written).

`TextView` (``book.text_view()``) shows a page as plain HTML and pages with a small
widget beside it, so the text reads without a widget runtime too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .characters import names

ENTITY_COLORS = {
    "PER": "#fde2b5",
    "LOC": "#cde8c8",
    "GPE": "#c9def5",
    "FAC": "#e3d4f2",
    "ORG": "#f7d0d0",
    "VEH": "#d9d9d9",
}
SPEAKER_COLORS = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#ff7f0e",
    "#7f7f7f",
]
STYLE = """<style>
.booknlp-text{font-family:Georgia,serif;line-height:1.6;max-width:46em}
.booknlp-text p{margin:0 0 .7em 0}
.booknlp-text .ent{border-radius:3px;padding:0 1px}
.booknlp-text .quote{border-bottom:2px solid}
.booknlp-text .who{font:bold 0.7em sans-serif;vertical-align:super;margin-right:2px}
</style>"""


class Pages:
    """Paragraph pages of a result: ``len(pages)``, ``pages.html(n)``."""

    def __init__(self, frames: Mapping[str, pd.DataFrame], paragraphs_per_page: int = 20):
        tokens = frames["tokens"]
        self.words = tokens["word"].fillna("").astype(str).to_numpy()
        onsets = tokens["byte_onset"].to_numpy("int64", na_value=0)
        offsets = tokens["byte_offset"].to_numpy("int64", na_value=0)
        self.space = np.r_[False, onsets[1:] > offsets[:-1]]  # a gap before this token
        paragraph = tokens["paragraph_ID"].to_numpy("int64", na_value=0)
        self.paragraph = paragraph
        self.paragraph_starts = np.flatnonzero(np.r_[True, paragraph[1:] != paragraph[:-1]])
        self.per_page = paragraphs_per_page
        who = names(frames)
        spans: list[tuple[int, int, str, str]] = []  # start, end, open tag, close tag
        for q in frames["quotes"].to_dict("records"):
            c = q["char_id"]
            if c is None or pd.isna(c):
                spans.append(
                    (
                        q["quote_start"],
                        q["quote_end"],
                        "<span class='quote' style='border-color:#bbb' title='unattributed'>",
                        "</span>",
                    )
                )
                continue
            color = SPEAKER_COLORS[int(c) % len(SPEAKER_COLORS)]
            name = html.escape(who.get(int(c), f"#{c}"))
            spans.append(
                (
                    q["quote_start"],
                    q["quote_end"],
                    f"<span class='quote' style='border-color:{color}' title='{name}'>"
                    f"<span class='who' style='color:{color}'>{name}</span>",
                    "</span>",
                )
            )
        ents = frames["entities"]
        for s, e, cat, c in zip(
            ents["start_token"], ents["end_token"], ents["cat"], ents["COREF"], strict=True
        ):
            label = html.escape(f"{cat} · {who.get(int(c), '') if not pd.isna(c) else ''}")
            spans.append(
                (
                    int(s),
                    int(e),
                    f"<span class='ent' style='background:"
                    f"{ENTITY_COLORS.get(str(cat), '#eee')}' title='{label}'>",
                    "</span>",
                )
            )
        # outer spans first; a span crossing an open one is dropped (HTML must nest)
        spans.sort(key=lambda sp: (sp[0], -sp[1]))
        self.spans = spans
        self.span_starts = np.array([sp[0] for sp in spans], dtype="int64")

    def __len__(self) -> int:
        return max(1, -(-len(self.paragraph_starts) // self.per_page))

    def token_range(self, page: int) -> tuple[int, int]:
        first = page * self.per_page
        if first >= len(self.paragraph_starts):
            return len(self.words), len(self.words)
        start = int(self.paragraph_starts[first])
        last = first + self.per_page
        stop = (
            int(self.paragraph_starts[last])
            if last < len(self.paragraph_starts)
            else len(self.words)
        )
        return start, stop

    def html(self, page: int = 0) -> str:
        """Page ``page`` (0-based) as HTML."""
        start, stop = self.token_range(page)
        lo, hi = np.searchsorted(self.span_starts, [start, stop])
        opening: dict[int, list[tuple[int, str, str]]] = {}
        for s, e, open_tag, close_tag in self.spans[lo:hi]:
            opening.setdefault(s, []).append((min(e, stop - 1), open_tag, close_tag))
        starts = set(
            self.paragraph_starts[
                (self.paragraph_starts >= start) & (self.paragraph_starts < stop)
            ].tolist()
        )
        marks = self._italic_marks(start, stop)
        out = [STYLE, "<div class='booknlp-text'><p>"]
        stack: list[tuple[int, str]] = []
        italic = False
        for i in range(start, stop):
            if i in starts and i != start:
                out.extend(close for _, close in reversed(stack))
                stack.clear()
                out.append("</p><p>")
                italic = False
            elif self.space[i] and i != start:
                out.append(" ")
            for end, open_tag, close_tag in opening.get(i, ()):
                if stack and end > stack[-1][0]:
                    continue  # crosses the open span
                out.append(open_tag)
                stack.append((end, close_tag))
            word = self.words[i]
            if "_" in word or italic:
                word, italic = _italics(word, italic, marks.get(i, 0))
                out.append(word)
            else:
                out.append(html.escape(word))
            while stack and stack[-1][0] <= i:
                out.append(stack.pop()[1])
        out.extend(close for _, close in reversed(stack))
        out.append("</p></div>")
        return "".join(out)

    def _italic_marks(self, start: int, stop: int) -> dict[int, int]:
        """Token → how many of its underscores are italic marks: in each paragraph, all
        but the last of an odd number (which stays as written)."""
        marks: dict[int, int] = {}
        left: dict[int, int] = {}  # paragraph → marks left to give
        found = [(i, self.words[i].count("_")) for i in range(start, stop) if "_" in self.words[i]]
        for i, n in found:
            p = int(self.paragraph[i])
            left[p] = left.get(p, 0) + n
        left = {p: n - n % 2 for p, n in left.items()}
        for i, n in found:
            p = int(self.paragraph[i])
            marks[i] = min(n, left[p])
            left[p] -= marks[i]
        return marks

    def text(self, page: int = 0) -> str:
        """Page ``page`` as plain text, as written (a blank line between paragraphs)."""
        start, stop = self.token_range(page)
        out: list[str] = []
        for i in range(start, stop):
            if i != start:
                new_paragraph = self.paragraph[i] != self.paragraph[i - 1]
                out.append("\n\n" if new_paragraph else " " if self.space[i] else "")
            out.append(self.words[i])
        return "".join(out)


def _italics(word: str, italic: bool, marks: int) -> tuple[str, bool]:
    """``word`` as HTML, its first ``marks`` underscores turning italics on or off (each
    piece of text inside its own ``<em>``, so the spans around it still nest); returns
    it and whether italics are on after it."""
    out: list[str] = []
    for n, piece in enumerate(re.split("(_)", word)):
        if piece == "_" and n % 2 and marks:
            italic, marks = not italic, marks - 1
        elif piece:
            out.append(f"<em>{html.escape(piece)}</em>" if italic else html.escape(piece))
    return "".join(out), italic


def render_html(
    frames: Mapping[str, pd.DataFrame], page: int = 0, paragraphs_per_page: int = 20
) -> str:
    """One page of the text as HTML (see `Pages`)."""
    return Pages(frames, paragraphs_per_page).html(page)


class TextView:
    """The text a page at a time (``book.text_view()``). Displayed, it is two outputs:
    a pager (previous, a page slider, next) and the page itself as plain HTML, which
    turning the page replaces in place. A saved notebook thus shows the page without a
    widget runtime (nbconvert, GitHub, after a restart); the pager's own display carries
    "page n of N" as HTML beside its widget view. `widget` is the pager as one widget,
    for a layout of your own."""

    def __init__(self, frames: Mapping[str, pd.DataFrame], paragraphs_per_page: int = 20):
        import ipywidgets as widgets

        self.pages = Pages(frames, paragraphs_per_page)
        self.page = 0
        self.slider = widgets.IntSlider(
            value=1, min=1, max=len(self.pages), description="page", continuous_update=False
        )
        back = widgets.Button(icon="chevron-left", layout=widgets.Layout(width="40px"))
        forward = widgets.Button(icon="chevron-right", layout=widgets.Layout(width="40px"))
        back.on_click(lambda _: self.show(self.page - 1))
        forward.on_click(lambda _: self.show(self.page + 1))
        self.slider.observe(lambda change: self.show(change["new"] - 1), names="value")
        self.controls = widgets.HBox(
            [back, self.slider, forward, widgets.Label(f"of {len(self.pages)}")]
        )
        self.controls.add_class("booknlp-text-pager")
        self._page_handles: list[Any] = []
        self._pager_handles: list[Any] = []
        self._widget: Any = None

    def show(self, page: int) -> None:
        """Turn to ``page`` (0-based, clamped): every display of the page follows."""
        page = max(0, min(page, len(self.pages) - 1))
        if page == self.page and self.slider.value == page + 1:
            return
        self.page = page
        self.slider.value = page + 1  # observed: comes back here, a no-op
        bundle = self.page_bundle()
        for handle in self._page_handles:
            handle.update(bundle, raw=True)
        for handle in self._pager_handles:
            handle.update(self.pager_bundle(), raw=True)
        if self._widget is not None:
            self._widget.children[1].value = bundle["text/html"]

    def page_bundle(self) -> dict[str, str]:
        """The page shown, as a display's data: HTML, and the plain text as written."""
        return {"text/html": self.pages.html(self.page), "text/plain": self.pages.text(self.page)}

    def pager_bundle(self) -> dict[str, Any]:
        """The pager's display: its widget view, with "page n of N" beside it."""
        where = f"page {self.page + 1} of {len(self.pages)}"
        return {
            **(self.controls._repr_mimebundle_() or {}),
            "text/html": f"<div class='booknlp-text-pager'>{where}</div>",
            "text/plain": where,
        }

    def _ipython_display_(self, **kwargs: Any) -> None:
        from IPython.display import display

        handle = display(self.pager_bundle(), raw=True, display_id=True)
        if handle is not None:
            self._pager_handles.append(handle)
        handle = display(self.page_bundle(), raw=True, display_id=True)
        if handle is not None:
            self._page_handles.append(handle)

    def _repr_html_(self) -> str:
        return self.pages.html(self.page)

    def widget(self) -> Any:
        """The pager and the page in one ipywidgets box (the page as a widget too)."""
        import ipywidgets as widgets

        if self._widget is None:
            self._widget = widgets.VBox([self.controls, widgets.HTML(self._repr_html_())])
            self._widget.add_class("booknlp-text-view")
        return self._widget


def text_view(frames: Mapping[str, pd.DataFrame], paragraphs_per_page: int = 20) -> TextView:
    """The text paged (`TextView`)."""
    return TextView(frames, paragraphs_per_page)
