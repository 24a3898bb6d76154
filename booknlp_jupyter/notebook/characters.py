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


#: Words a proper-name mention must not be (a tagger's slip: "I", "Sir").
NOT_NAMES = frozenset(
    {
        *("i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "you", "your"),
        *("yours", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it"),
        *("its", "they", "them", "their", "theirs", "one", "sir", "madam", "mr", "mrs"),
        *("miss", "god"),
    }
)


def proper_name(character: Mapping[str, Any], min_proper: int = 2) -> str | None:
    """A character's most frequent proper-name mention, when its proper-name mentions
    number at least ``min_proper`` and it is a name (capitalised, not a pronoun)."""
    mentions = character.get("mentions")
    proper = mentions.get("proper") if isinstance(mentions, Mapping) else None
    if not isinstance(proper, list | tuple) or not proper:
        return None
    best = max(proper, key=lambda m: int(m.get("c") or 0))
    name = str(best.get("n") or "").strip()
    total = sum(int(m.get("c") or 0) for m in proper)
    if total < min_proper or not name[:1].isupper() or name.lower() in NOT_NAMES:
        return None
    return name


def given_name(character: Mapping[str, Any]) -> str | None:
    """The name a curation gave the character (`Book.rename`, ``merge(name=)``), if any."""
    name = character.get("renamed")
    return name if isinstance(name, str) and name else None


def named_characters(
    frames: Mapping[str, pd.DataFrame],
    top: int | None = None,
    min_proper: int = 2,
    narrator: bool = True,
) -> pd.DataFrame:
    """The characters known by a proper name (`proper_name`) or given one (`given_name`),
    and the narrator (id 0) when ``narrator``, most mentioned first: ``id``, ``label``
    (the name, made unique: "Lydia (2)"; the narrator's "narrator" or "Pip (narrator)"),
    ``mentions``, ``gender`` (`plots.gender_group`). Pronoun-only and generic characters
    ("her friend") are left out."""
    from .plots import gender_group

    rows, seen = [], Counter()
    chars = frames["characters"]
    records = chars.sort_values("count", ascending=False).to_dict("records") if len(chars) else []
    for c in records:
        name = given_name(c) or proper_name(c, min_proper)
        if int(c["id"]) == 0 and narrator:
            name = f"{name} (narrator)" if name else "narrator"
        if not name:
            continue
        seen[name] += 1
        label = name if seen[name] == 1 else f"{name} ({seen[name]})"
        mentions = int(c.get("count") or 0)
        rows.append((int(c["id"]), label, mentions, gender_group(gender(c.get("g")))))
        if top and len(rows) == top:
            break
    return pd.DataFrame(rows, columns=["id", "label", "mentions", "gender"])


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


#: `plot_dialogue_share`'s measures: the column, and how its axis reads.
MEASURES = {
    "words": "share of attributed dialogue (% of quoted words)",
    "quotes": "share of attributed quotes (%)",
}


def plot_dialogue_share(
    frames: Mapping[str, pd.DataFrame],
    top: int = 10,
    ax: Any = None,
    by: str = "words",
    named: bool = True,
) -> Any:
    """Who speaks: each speaker's share of all attributed dialogue, measured ``by``
    ``"words"`` or ``"quotes"``; bars are sorted, drawn and labelled by that one
    measure, coloured by gender. ``named`` keeps the speakers `named_characters` knows
    (shares stay of all attributed dialogue). Returns the matplotlib Figure."""
    from .plots import GENDER_COLORS, GENDERS, figure_and_axes, tidy

    if by not in MEASURES:
        raise ValueError(f"by: one of {sorted(MEASURES)}")
    table = dialogue_share(frames, top=None)
    total = table[by].sum() if len(table) else 0
    table = table.assign(value=table[by] / total if total else 0.0)
    labels = {}
    if named:
        known = named_characters(frames)
        labels = dict(zip(known["id"], known["label"], strict=True))
        table = table[table["char_id"].isin(labels)]
    genders = dict(zip(*_ids_genders(frames), strict=True))
    table = table.sort_values(["value", "char_id"], ascending=[False, True]).head(top)
    fig, ax = figure_and_axes(ax, (7, 0.32 * max(len(table), 3) + 1.2))
    names_ = [labels.get(c, n) for c, n in zip(table["char_id"], table["name"], strict=True)]
    colors = [GENDER_COLORS[genders.get(int(c), "unknown")] for c in table["char_id"]]
    y = range(len(table))[::-1]
    bars = ax.barh(list(y), 100 * table["value"].to_numpy(float), color=colors, height=0.7)
    ax.set_yticks(list(y), names_)
    ax.bar_label(bars, labels=[f" {100 * v:.1f}%" for v in table["value"]], fontsize=8)
    ax.set_xlabel(MEASURES[by])
    ax.set_title(f"Who speaks: top {len(table)} speakers by {MEASURES[by].split(' (')[0]}")
    ax.set_xlim(0, 100 * float(table["value"].max() if len(table) else 0.1) * 1.15)
    tidy(ax, "x")
    present = [g for g in GENDERS if GENDER_COLORS[g] in colors]
    if present:
        from matplotlib.patches import Patch

        handles = [Patch(color=GENDER_COLORS[g], label=g) for g in present]
        ax.legend(handles=handles, title="gender", loc="lower right", frameon=False, fontsize=8)
    return fig


def _ids_genders(frames: Mapping[str, pd.DataFrame]) -> tuple[list[int], list[str]]:
    from .plots import gender_group

    chars = frames["characters"]
    if not len(chars):
        return [], []
    gs = chars["g"] if "g" in chars else [None] * len(chars)
    return [int(i) for i in chars["id"]], [gender_group(gender(g)) for g in gs]
