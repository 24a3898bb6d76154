"""Curating a book's characters before counting: merge, drop, rename, keep.

Each function takes a result's frames and returns new frames (the input is left as it
was) and a `Step` saying what changed; `Book.merge` & co. wrap them. Characters are
named by id, by name or by a proper-name mention (`resolve`).

- **merge**: the others' mentions become the first's: entities' ``COREF`` and quotes'
  ``char_id`` take the first's id; its row in ``characters`` sums ``count``, adds up the
  proper/common/pronoun mentions, joins ``agent``/``patient``/``mod``/``poss`` (in text
  order) and pools the gender evidence (``g``: each guess weighted by its ``total``).
- **drop**: the character leaves ``characters``; its quotes become unattributed
  (``char_id`` and the speaker mention null, as BookNLP writes a quote with no speaker).
  Its entities keep their rows and ``COREF``: the spans are still mentions of an entity
  (the text view still marks them, and BookNLP's ``.entities`` has no "no cluster"
  value), but every character view reads its ids from ``characters``, so they no longer
  count as a character's: as BookNLP's own non-character clusters.
- **rename**: a new ``name`` in ``characters``, also kept in a ``renamed`` column that
  the plots' labels (`characters.named_characters`) prefer to the proper-name mentions.
- **keep**: drop every character but those asked for and/or those passing a filter.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .characters import named_characters

Frames = dict[str, pd.DataFrame]
Who = int | str

#: The roles of a character's words (BookNLP's ``.book``), joined by `merge`.
ROLES = ("agent", "patient", "mod", "poss")
MENTION_KINDS = ("proper", "common", "pronoun")


@dataclass(frozen=True)
class Step:
    """One curation step: its ``action``, the character ids it touched (a merge: the
    kept one first; drop and keep: those dropped) and what it did, in words."""

    action: str
    ids: tuple[int, ...]
    detail: str

    def __str__(self) -> str:
        return f"{self.action}: {self.detail}"

    __repr__ = __str__


def _chars(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    chars = frames["characters"]
    if "book_id" in chars.columns and chars["book_id"].nunique() > 1:
        raise ValueError("curate one book at a time: select one book_id first")
    return chars


def resolve(frames: Mapping[str, pd.DataFrame], who: Who) -> int:
    """A character's id from its id, its ``name``, or (when no name matches) one of its
    proper-name mentions, then its name in any case. Raises `KeyError` for none (with
    the closest names) and `ValueError` when several characters answer to it."""
    chars = _chars(frames)
    ids = [int(i) for i in chars["id"]]
    if not isinstance(who, str):
        if int(who) not in ids:
            raise KeyError(f"no character has id {who}")
        return int(who)
    names = [str(n) for n in chars["name"].fillna("")]
    tries = (
        [i for i, n in zip(ids, names, strict=True) if n == who],
        [
            i
            for i, m in zip(ids, chars["mentions"], strict=True)
            if any(p.get("n") == who for p in _mentions(m)["proper"])
        ],
        [i for i, n in zip(ids, names, strict=True) if n.lower() == who.lower()],
    )
    for found in tries:
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(f"{len(found)} characters answer to {who!r} (ids {found}): pass an id")
    close = difflib.get_close_matches(who, names, n=3)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    raise KeyError(f"no character named {who!r}{hint}")


def _label(frames: Mapping[str, pd.DataFrame], cid: int) -> str:
    chars = frames["characters"]
    name = chars.loc[chars["id"] == cid, "name"]
    return f"{name.iloc[0]!r} ({cid})" if len(name) else f"({cid})"


def _mentions(m: Any) -> dict[str, list[dict[str, Any]]]:
    m = m if isinstance(m, Mapping) else {}
    return {k: list(m.get(k) or []) for k in MENTION_KINDS}


def _words(items: Any) -> list[dict[str, Any]]:
    return [dict(x) for x in items] if isinstance(items, list | tuple) else []


def pool_gender(genders: Iterable[Any]) -> Any:
    """BookNLP's gender guesses (``g``) pooled: each guess's ``inference`` weighted by its
    ``total`` evidence, ``argmax``/``max`` recomputed; None when none has a guess."""
    guesses = [g for g in genders if isinstance(g, Mapping) and g.get("inference")]
    if len(guesses) <= 1:
        return dict(guesses[0]) if guesses else None
    weights = [float(g.get("total") or 1.0) for g in guesses]
    total = sum(weights)
    pooled: Counter[str] = Counter()
    for g, w in zip(guesses, weights, strict=True):
        for k, v in g["inference"].items():
            pooled[k] += float(v) * w / total
    inference = {k: round(v, 3) for k, v in pooled.items()}
    best = max(inference, key=inference.__getitem__)
    return {"inference": inference, "argmax": best, "max": inference[best], "total": total}


def _pooled_mentions(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Each kind's mentions summed by phrase over ``rows``, most frequent first."""
    pooled = {}
    for kind in MENTION_KINDS:
        counts: Counter[str] = Counter()
        for r in rows:
            for m in _mentions(r.get("mentions"))[kind]:
                counts[str(m.get("n"))] += int(m.get("c") or 0)
        pooled[kind] = [{"n": n, "c": c} for n, c in counts.most_common()]
    return pooled


def _merged_row(rows: list[dict[str, Any]], name: str | None) -> dict[str, Any]:
    first = dict(rows[0])
    first["mentions"] = _pooled_mentions(rows)
    for role in ROLES:
        words = [w for r in rows for w in _words(r.get(role))]
        first[role] = sorted(words, key=lambda w: int(w.get("i") or 0))
    first["count"] = sum(int(r.get("count") or 0) for r in rows)
    first["g"] = pool_gender(r.get("g") for r in rows)
    if name is not None:
        first["name"], first["renamed"] = name, name
    return first


def _with_row(chars: pd.DataFrame, cid: int, values: Mapping[str, Any]) -> pd.DataFrame:
    """``chars`` with the row of ``cid`` taking ``values`` (a ``renamed`` column added
    when a value needs one); a new frame, typed as before."""
    out = chars.copy()
    if "renamed" in values and "renamed" not in out.columns:
        out["renamed"] = pd.array([pd.NA] * len(out), dtype="string")
    pos = list(out["id"]).index(cid)
    for column, value in values.items():
        if column not in out.columns:
            continue
        cells = out[column].tolist()
        cells[pos] = value
        out[column] = pd.Series(cells, index=out.index, dtype=out[column].dtype)
    return out


def merge(
    frames: Mapping[str, pd.DataFrame], first: Who, *others: Who, name: str | None = None
) -> tuple[Frames, Step]:
    """The ``others`` merged into ``first`` (which keeps its id, and its name unless
    ``name``); see the module's docstring for what follows."""
    keep = resolve(frames, first)
    gone = [resolve(frames, o) for o in others]
    if not gone:
        raise ValueError("merge: name a character to merge into the first")
    if keep in gone or len(set(gone)) < len(gone):
        raise ValueError(f"merge: {_label(frames, keep)} is named twice (the same character)")
    chars = _chars(frames)
    rows = {int(r["id"]): r for r in chars.to_dict("records")}
    merged = _merged_row([rows[keep], *(rows[g] for g in gone)], name)
    out = dict(frames)
    rest = chars[~chars["id"].isin(gone)].reset_index(drop=True)
    out["characters"] = _with_row(rest, keep, merged)
    ents = frames["entities"]
    out["entities"] = ents.assign(COREF=ents["COREF"].mask(ents["COREF"].isin(gone), keep))
    quotes = frames["quotes"]
    moved = int(quotes["char_id"].isin(gone).sum())
    out["quotes"] = quotes.assign(
        char_id=quotes["char_id"].mask(quotes["char_id"].isin(gone), keep)
    )
    joined = " + ".join(_label(frames, g) for g in gone)
    detail = (
        f"{joined} into {_label(frames, keep)}: {merged['count']} mentions, {moved} quotes moved"
    )
    if name is not None:
        detail += f", named {name!r}"
    return out, Step("merge", (keep, *gone), detail)


def drop(frames: Mapping[str, pd.DataFrame], *who: Who) -> tuple[Frames, Step]:
    """The characters ``who`` removed; their quotes unattributed (module docstring)."""
    ids = sorted({resolve(frames, w) for w in who})
    if not ids:
        raise ValueError("drop: name at least one character")
    chars = _chars(frames)
    out = dict(frames)
    out["characters"] = chars[~chars["id"].isin(ids)].reset_index(drop=True)
    quotes = frames["quotes"]
    theirs = quotes["char_id"].isin(ids).fillna(False).astype(bool)
    cleared = ("char_id", "mention_start", "mention_end", "mention_phrase")
    out["quotes"] = quotes.assign(
        **{c: quotes[c].mask(theirs) for c in cleared if c in quotes.columns}
    )
    names = ", ".join(_label(frames, i) for i in ids)
    detail = f"{names}: {int(theirs.sum())} quotes now unattributed"
    return out, Step("drop", tuple(ids), detail)


def rename(frames: Mapping[str, pd.DataFrame], who: Who, name: str) -> tuple[Frames, Step]:
    """Character ``who`` called ``name`` in every table and plot."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("rename: the new name must be a non-empty string")
    cid = resolve(frames, who)
    out = dict(frames)
    out["characters"] = _with_row(_chars(frames), cid, {"name": name, "renamed": name})
    return out, Step("rename", (cid,), f"{_label(frames, cid)} is now {name!r}")


def named_ids(frames: Mapping[str, pd.DataFrame]) -> set[int]:
    """The characters the plots call named (`characters.named_characters`: a proper
    name at least twice, a name you gave them, or the narrator)."""
    return {int(i) for i in named_characters(frames)["id"]}


def select(
    frames: Mapping[str, pd.DataFrame], named_only: bool = False, min_mentions: int = 0
) -> pd.Series:
    """A boolean mask over ``characters``' rows: named (`named_ids`, if ``named_only``)
    and mentioned at least ``min_mentions`` times."""
    chars = _chars(frames)
    mask = chars["count"].fillna(0).astype("int64") >= min_mentions
    if named_only:
        mask &= chars["id"].isin(named_ids(frames))
    return mask.astype(bool)


def keep(
    frames: Mapping[str, pd.DataFrame],
    *who: Who,
    named_only: bool = False,
    min_mentions: int = 0,
) -> tuple[Frames, Step]:
    """Only the characters ``who`` (all if none named) that pass `select`; the others
    dropped, as `drop` drops."""
    chars = _chars(frames)
    mask = select(frames, named_only, min_mentions)
    if who:
        mask &= chars["id"].isin({resolve(frames, w) for w in who})
    gone = [int(i) for i in chars.loc[~mask, "id"]]
    what = [f"{len(who)} named" if who else ""]
    what += [
        "named only" if named_only else "",
        f"≥ {min_mentions} mentions" if min_mentions else "",
    ]
    rule = ", ".join(w for w in what if w) or "all"
    if not gone:
        return dict(frames), Step("keep", (), f"{rule}: no character dropped")
    out, _ = drop(frames, *gone)
    unattributed = int(frames["quotes"]["char_id"].isin(gone).sum())
    detail = f"{rule}: {int(mask.sum())} kept, {len(gone)} dropped"
    detail += f" ({unattributed} quotes now unattributed)"
    return out, Step("keep", tuple(gone), detail)
