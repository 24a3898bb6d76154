"""Supersenses from BookNLP's WordNet first-sense lexicon.

Nouns and verbs (not auxiliaries) take the supersense of their lemma's first WordNet
sense; multiword lexicon entries ("living room", "look after") are matched greedily,
longest first, over consecutive lemmas. Proper names take the supersense of their entity
category (PER -> noun.person, LOC/GPE -> noun.location, FAC/VEH -> noun.artifact,
ORG -> noun.group).
"""

from __future__ import annotations

from .entities import Mentions
from .lexicon import FirstSenseLexicon
from .tokens import TokenColumns

CAT_SENSE = {
    "PER": "noun.person",
    "LOC": "noun.location",
    "GPE": "noun.location",
    "FAC": "noun.artifact",
    "VEH": "noun.artifact",
    "ORG": "noun.group",
}
_POS = {"NOUN": "n", "VERB": "v"}


def tag_supersenses(
    cols: TokenColumns, mentions: Mentions, lexicon: FirstSenseLexicon
) -> dict[str, list]:
    """The supersense table as columns (start_token, end_token, category, text)."""
    out: dict[str, list] = {
        "start_token": [],
        "end_token": [],
        "supersense_category": [],
        "text": [],
    }

    def add(s: int, e: int, cat: str) -> None:
        out["start_token"].append(s)
        out["end_token"].append(e)
        out["supersense_category"].append(cat)
        out["text"].append(cols.text(s, e))

    prop_end: dict[int, tuple[int, str]] = {}
    for s, e, p, c in zip(
        mentions.starts, mentions.ends, mentions.props, mentions.cats, strict=False
    ):
        if p == "PROP" and (s not in prop_end or prop_end[s][0] < e):
            prop_end[s] = (e, c)
    n = len(cols)
    lemmas, pos, sents = cols.lemmas, cols.pos, cols.sent_ids
    longest = lexicon.max_words
    i = 0
    while i < n:
        if i in prop_end:
            e, c = prop_end[i]
            add(i, e, CAT_SENSE[c])
            i = e + 1
            continue
        p = _POS.get(pos[i])
        if p is None:
            i += 1
            continue
        found = None
        for size in range(min(longest, 4), 1, -1):
            j = i + size - 1
            if j >= n or sents[j] != sents[i]:
                continue
            sense = lexicon.get("_".join(lemmas[i : j + 1]), p)
            if sense is not None:
                found = (j, sense)
                break
        if found is None:
            sense = lexicon.get(lemmas[i], p)
            if sense is not None:
                found = (i, sense)
        if found is not None:
            add(i, found[0], found[1])
            i = found[0] + 1
        else:
            i += 1
    return out
