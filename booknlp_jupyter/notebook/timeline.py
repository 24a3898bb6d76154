"""Character mentions across the book's narrative time (its token positions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .characters import names


def mention_timeline(
    frames: Mapping[str, pd.DataFrame], top: int = 8, bins: int = 20
) -> pd.DataFrame:
    """Mentions of the ``top`` characters in each of ``bins`` equal slices of the book:
    a frame indexed by slice (its start as a fraction of the book), one column per name."""
    entities, tokens = frames["entities"], frames["tokens"]
    chars = frames["characters"].sort_values("count", ascending=False).head(top)
    ids = [int(i) for i in chars["id"]]
    n_tokens = max(len(tokens), int(entities["end_token"].max() + 1) if len(entities) else 1)
    edges = np.linspace(0, n_tokens, bins + 1)
    who = names(frames)
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
    frames: Mapping[str, pd.DataFrame], top: int = 8, bins: int = 20, ax: Any = None
) -> Any:
    """Lines of `mention_timeline`; returns the matplotlib Axes."""
    import matplotlib.pyplot as plt

    counts = mention_timeline(frames, top, bins)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4))
    x = 100 * counts.index.to_numpy(float) + 50 / bins
    for name in counts.columns:
        ax.plot(x, counts[name].to_numpy(), marker="o", markersize=3, label=name)
    ax.set_xlabel("narrative time (% of the book)")
    ax.set_ylabel(f"mentions per {100 / bins:.0f}%")
    ax.set_title("Character mentions across the book")
    ax.set_xlim(0, 100)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return ax
