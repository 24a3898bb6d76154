"""Plots across books, from the frames of `Corpus.frames()` or
`booknlp_jupyter.read_output(folder)` (six DataFrames, each with a ``book_id`` column):
the share of dialogue by speakers' gender, and the named characters of each book."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .characters import gender, named_characters
from .plots import GENDER_COLORS, GENDERS, figure_and_axes, gender_group, tidy


def _books(frames: Mapping[str, pd.DataFrame]) -> list[str]:
    ids: set[str] = set()
    for name in ("tokens", "characters", "quotes"):
        df = frames.get(name)
        if df is not None and "book_id" in df and len(df):
            ids.update(str(b) for b in df["book_id"].dropna().unique())
    return sorted(ids)


def dialogue_by_gender(frames: Mapping[str, pd.DataFrame], by: str = "words") -> pd.DataFrame:
    """Per book (rows, by ``book_id``), the share of its attributed dialogue spoken by
    characters of each gender group (columns `GENDERS`; rows sum to 1), measured
    ``by`` ``"words"`` (tokens inside quotes) or ``"quotes"``; ``total`` holds that
    measure's count. Books without attributed quotes have zeros."""
    if by not in ("words", "quotes"):
        raise ValueError("by: 'words' or 'quotes'")
    quotes = frames["quotes"].dropna(subset=["char_id"])
    chars = frames["characters"]
    g = pd.DataFrame(
        {
            "book_id": chars["book_id"].astype(str),
            "char_id": chars["id"].astype("int64"),
            "gender": [gender_group(gender(x)) for x in chars["g"]] if len(chars) else [],
        }
    )
    q = pd.DataFrame(
        {
            "book_id": quotes["book_id"].astype(str),
            "char_id": quotes["char_id"].astype("int64"),
            "value": (quotes["quote_end"] - quotes["quote_start"] + 1).astype("int64")
            if by == "words"
            else 1,
        }
    )
    q = q.merge(g, on=["book_id", "char_id"], how="left").fillna({"gender": "unknown"})
    sums = q.pivot_table(
        index="book_id", columns="gender", values="value", aggfunc="sum", fill_value=0
    )
    sums = sums.reindex(index=_books(frames), columns=list(GENDERS), fill_value=0)
    total = sums.sum(axis=1)
    shares = sums.div(total.where(total > 0, 1), axis=0).astype(float)
    shares["total"] = total.astype("int64")
    shares.index.name = "book_id"
    return shares


def characters_per_book(frames: Mapping[str, pd.DataFrame], min_proper: int = 2) -> pd.DataFrame:
    """Per book, its named characters (`named_characters`: a proper name at least
    ``min_proper`` times, and the narrator) by gender group, and their ``total``."""
    chars = frames["characters"]
    rows = {}
    for book in _books(frames):
        one = chars[chars["book_id"].astype(str) == book]
        known = named_characters({"characters": one}, min_proper=min_proper)
        rows[book] = known["gender"].value_counts()
    table = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(GENDERS))
    table = table.reindex(_books(frames)).fillna(0).astype("int64")
    table["total"] = table.sum(axis=1)
    table.index.name = "book_id"
    return table


def _stacked(ax: Any, table: pd.DataFrame, scale: float, labels: Mapping[str, str]) -> None:
    books = list(table.index)[::-1]  # first book on top
    y = np.arange(len(books))
    left = np.zeros(len(books))
    for group in GENDERS:
        values = scale * table.loc[books, group].to_numpy(float)
        if not values.any():
            continue
        ax.barh(y, values, left=left, color=GENDER_COLORS[group], height=0.65, label=group)
        left += values
    ax.set_yticks(y, [labels.get(b, b) for b in books])
    if not left.any():
        return
    ax.legend(
        title="gender",
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
        fontsize=8,
        title_fontsize=8,
    )


def plot_dialogue_by_gender(
    frames: Mapping[str, pd.DataFrame],
    ax: Any = None,
    by: str = "words",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """One 100% bar per book: the share of its attributed dialogue (`dialogue_by_gender`)
    by speakers' gender, each part labelled; ``labels`` maps book ids to names.
    Returns the matplotlib Figure."""
    table = dialogue_by_gender(frames, by)
    unit = "quoted words" if by == "words" else "quotes"
    names = {b: f"{(labels or {}).get(b, b)}\n{int(n):,} {unit}" for b, n in table["total"].items()}
    fig, ax = figure_and_axes(ax, (7.5, 0.6 * max(len(table), 2) + 1.3))
    _stacked(ax, table, 100, names)
    for y, book in enumerate(list(table.index)[::-1]):
        left = 0.0
        for group in GENDERS:
            share = 100 * float(table.loc[book, group])
            if share >= 6:  # room for its label
                t = ax.text(left + share / 2, y, f"{share:.0f}%", ha="center", va="center")
                t.set(fontsize=8, color="black" if group == "unknown" else "white")
            left += share
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"share of attributed dialogue (% of {unit})")
    ax.set_title("Dialogue by speaker's gender")
    tidy(ax)
    return fig


def plot_characters(
    frames: Mapping[str, pd.DataFrame],
    ax: Any = None,
    min_proper: int = 2,
    labels: Mapping[str, str] | None = None,
) -> Any:
    """Named characters per book (`characters_per_book`), stacked by gender, the total
    at each bar's end. Returns the matplotlib Figure."""
    table = characters_per_book(frames, min_proper)
    fig, ax = figure_and_axes(ax, (7.5, 0.55 * max(len(table), 2) + 1.3))
    _stacked(ax, table, 1, labels or {})
    for y, total in enumerate(table["total"].to_numpy()[::-1]):
        ax.text(total, y, f" {int(total)}", va="center", fontsize=8)
    ax.set_xlim(0, max(int(table["total"].max()) if len(table) else 1, 1) * 1.12)
    ax.set_xlabel(
        f"named characters (a proper name at least {min_proper} times; narrator included)"
    )
    ax.set_title("Characters per book")
    tidy(ax, "x")
    return fig
