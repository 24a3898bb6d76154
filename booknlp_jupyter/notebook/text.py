"""The text rendered as HTML, entities and speakers highlighted, paged by paragraphs.

The text is rebuilt from the tokens (their offsets give the spacing), so a result is
enough. Entities are tinted by category, quotes by speaker, with the speaker's name.
"""

from __future__ import annotations

import html
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
        self.words = tokens["word"].astype(str).to_numpy()
        onsets = tokens["byte_onset"].to_numpy("int64", na_value=0)
        offsets = tokens["byte_offset"].to_numpy("int64", na_value=0)
        self.space = np.r_[False, onsets[1:] > offsets[:-1]]  # a gap before this token
        paragraph = tokens["paragraph_ID"].to_numpy("int64", na_value=0)
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
        out = [STYLE, "<div class='booknlp-text'><p>"]
        stack: list[tuple[int, str]] = []
        for i in range(start, stop):
            if i in starts and i != start:
                out.extend(close for _, close in reversed(stack))
                stack.clear()
                out.append("</p><p>")
            elif self.space[i] and i != start:
                out.append(" ")
            for end, open_tag, close_tag in opening.get(i, ()):
                if stack and end > stack[-1][0]:
                    continue  # crosses the open span
                out.append(open_tag)
                stack.append((end, close_tag))
            out.append(html.escape(self.words[i]))
            while stack and stack[-1][0] <= i:
                out.append(stack.pop()[1])
        out.extend(close for _, close in reversed(stack))
        out.append("</p></div>")
        return "".join(out)


def render_html(
    frames: Mapping[str, pd.DataFrame], page: int = 0, paragraphs_per_page: int = 20
) -> str:
    """One page of the text as HTML (see `Pages`)."""
    return Pages(frames, paragraphs_per_page).html(page)


def text_view(frames: Mapping[str, pd.DataFrame], paragraphs_per_page: int = 20) -> Any:
    """An ipywidgets pager over `Pages`: previous/next buttons and a page slider."""
    import ipywidgets as widgets

    pages = Pages(frames, paragraphs_per_page)
    view = widgets.HTML(pages.html(0))
    slider = widgets.IntSlider(
        value=1, min=1, max=len(pages), description="page", continuous_update=False
    )
    back = widgets.Button(icon="chevron-left", layout=widgets.Layout(width="40px"))
    forward = widgets.Button(icon="chevron-right", layout=widgets.Layout(width="40px"))
    back.on_click(lambda _: setattr(slider, "value", max(1, slider.value - 1)))
    forward.on_click(lambda _: setattr(slider, "value", min(len(pages), slider.value + 1)))
    slider.observe(
        lambda change: setattr(view, "value", pages.html(change["new"] - 1)), names="value"
    )
    box = widgets.VBox(
        [widgets.HBox([back, slider, forward, widgets.Label(f"of {len(pages)}")]), view]
    )
    box.add_class("booknlp-text-view")
    return box
