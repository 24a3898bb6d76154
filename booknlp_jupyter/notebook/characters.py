"""The character table (name, gender, mentions, top actions) and each speaker's share of
the dialogue, from a result's frames."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import pandas as pd


def gender(g: Any) -> str | None:
    """BookNLP's ``g`` (``{"argmax": "he/him/his", ...}``) as its best guess."""
    if isinstance(g, Mapping):
        return g.get("argmax")
    return None


def _top(items: Any, n: int) -> list[str]:
    if not isinstance(items, list | tuple):
        return []
    words = Counter(str(item.get("w", "")).lower() for item in items if isinstance(item, Mapping))
    return [w for w, _ in words.most_common(n) if w]


def character_table(
    frames: Mapping[str, pd.DataFrame], top: int | None = None, actions: int = 5
) -> pd.DataFrame:
    """One row per character, most mentioned first: ``id``, ``name``, ``gender``,
    ``mentions``, ``quotes`` (spoken), and the ``actions`` most frequent words of each
    role: ``agent`` (what they do), ``patient`` (done to them), ``mod``, ``poss``."""
    chars = frames["characters"]
    spoken = frames["quotes"]["char_id"].value_counts() if len(frames["quotes"]) else {}
    rows = []
    for c in chars.to_dict("records"):
        rows.append(
            {
                "id": int(c["id"]),
                "name": c.get("name") or str(c["id"]),
                "gender": gender(c.get("g")),
                "mentions": int(c.get("count") or 0),
                "quotes": int(spoken.get(c["id"], 0)) if len(spoken) else 0,
                **{
                    role: _top(c.get(role), actions) for role in ("agent", "patient", "mod", "poss")
                },
            }
        )
    table = pd.DataFrame(
        rows,
        columns=["id", "name", "gender", "mentions", "quotes", "agent", "patient", "mod", "poss"],
    )
    table = table.astype(
        {
            "id": "Int64",
            "mentions": "Int64",
            "quotes": "Int64",
            "name": "string",
            "gender": "string",
        }
    )
    table = table.sort_values("mentions", ascending=False, kind="stable")
    return table.head(top).reset_index(drop=True) if top else table.reset_index(drop=True)


def names(frames: Mapping[str, pd.DataFrame]) -> dict[int, str]:
    """Character id → display name."""
    chars = frames["characters"]
    if not len(chars):
        return {}
    return {int(i): str(n) for i, n in zip(chars["id"], chars["name"], strict=True)}


def dialogue_share(frames: Mapping[str, pd.DataFrame], top: int | None = 10) -> pd.DataFrame:
    """Each speaker's quotes and words (tokens inside quotes), and their share of all
    attributed dialogue, most words first; unattributed quotes are left out."""
    quotes = frames["quotes"].dropna(subset=["char_id"])
    cols = ["char_id", "name", "quotes", "words", "share"]
    if not len(quotes):
        return pd.DataFrame(columns=cols)
    words = (quotes["quote_end"] - quotes["quote_start"] + 1).astype("int64")
    table = (
        pd.DataFrame({"char_id": quotes["char_id"].astype("int64"), "words": words})
        .groupby("char_id")
        .agg(quotes=("words", "size"), words=("words", "sum"))
        .reset_index()
    )
    table["share"] = table["words"] / table["words"].sum()
    who = names(frames)
    table.insert(1, "name", [who.get(int(c), f"#{c}") for c in table["char_id"]])
    table = table.sort_values("words", ascending=False, kind="stable").reset_index(drop=True)
    return table.head(top) if top else table


def plot_dialogue_share(frames: Mapping[str, pd.DataFrame], top: int = 10, ax: Any = None) -> Any:
    """A horizontal bar chart of `dialogue_share`; returns the matplotlib Axes."""
    import matplotlib.pyplot as plt

    table = dialogue_share(frames, top)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.35 * max(len(table), 3) + 1))
    ax.barh(table["name"][::-1], 100 * table["share"][::-1], color="#4c78a8")
    ax.set_xlabel("share of attributed dialogue (% of words)")
    ax.set_title("Who speaks")
    for y, (share, n) in enumerate(zip(table["share"][::-1], table["quotes"][::-1], strict=True)):
        ax.text(100 * share, y, f" {n} quotes", va="center", fontsize=8)
    return ax
