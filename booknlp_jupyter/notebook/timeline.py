"""Character mentions across the book's narrative time (its token positions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .characters import named_characters, names


def mention_timeline(
    frames: Mapping[str, pd.DataFrame], top: int = 8, bins: int = 20, named: bool = False
) -> pd.DataFrame:
    """Mentions of the ``top`` characters (with ``named``: of those `named_characters`
    knows) in each of ``bins`` equal slices of the book: a frame indexed by slice (its
    start as a fraction of the book), one column per name."""
    entities, tokens = frames["entities"], frames["tokens"]
    if named:
        known = named_characters(frames, top)
        ids, who = (
            [int(i) for i in known["id"]],
            dict(zip(known["id"], known["label"], strict=True)),
        )
    else:
        chars = frames["characters"].sort_values("count", ascending=False).head(top)
        ids, who = [int(i) for i in chars["id"]], names(frames)
    n_tokens = max(len(tokens), int(entities["end_token"].max() + 1) if len(entities) else 1)
    edges = np.linspace(0, n_tokens, bins + 1)
    mentions = entities[entities["COREF"].isin(ids)]
    slice_of = np.clip(
        np.searchsorted(edges, mentions["start_token"].to_numpy(int), side="right") - 1, 0, bins - 1
    )
    counts = pd.crosstab(slice_of, mentions["COREF"].to_numpy(int))
    counts = counts.reindex(index=range(bins), columns=ids, fill_value=0)
    counts.index = pd.Index(np.round(edges[:-1] / n_tokens, 3), name="position")
    counts.columns = [who.get(i, f"#{i}") for i in ids]
    return counts


def plot_mentions(
    frames: Mapping[str, pd.DataFrame],
    top: int = 8,
    bins: int = 20,
    axes: Any = None,
    named: bool = True,
    ncols: int = 2,
) -> Any:
    """Small multiples of `mention_timeline`: one panel per character (most mentioned
    first; ``named``: those `named_characters` knows), its mentions in each slice of
    the book, every panel on the same x and y scales. ``axes``: Axes to draw in (one per
    character at least); else a new figure of ``ncols`` columns. Returns the Figure."""
    from matplotlib.colors import to_rgb

    from .plots import MAIN, grid_axes, tidy

    counts = mention_timeline(frames, top, bins, named=named)
    fig, panels = grid_axes(max(len(counts.columns), 1), ncols, axes, (4.2, 1.35))
    edges = np.linspace(0, 100, bins + 1)  # the slices, as % of the book
    peak = max(float(counts.to_numpy().max()) if counts.size else 0.0, 1.0)
    for ax, name in zip(panels, counts.columns, strict=False):
        y = counts[name].to_numpy(float)
        ax.stairs(y, edges, fill=True, facecolor=(*to_rgb(MAIN), 0.25), edgecolor=MAIN, lw=1.2)
        ax.set_title(f"{name}  ({int(y.sum()):,})", loc="left", fontsize=9)
        ax.set_xlim(0, 100)
        ax.set_ylim(0, peak * 1.1)
        tidy(ax, "y")
    if not len(counts.columns):
        panels[0].text(0.5, 0.5, "no characters", ha="center", transform=panels[0].transAxes)
    xlabel, ylabel = "narrative time (% of the book)", f"mentions per {100 / bins:.0f}% slice"
    if axes is None:
        fig.supxlabel(xlabel, fontsize=9)
        fig.supylabel(ylabel, fontsize=9)
        fig.suptitle("Character mentions across the book (total mentions)", fontsize=10)
    else:
        panels[-1].set_xlabel(xlabel)
        panels[0].set_ylabel(ylabel)
    return fig
