"""Characters as in BookNLP's ``.book`` file: mentions, gender and syntactic actions.

A port of ``EnglishBookNLP.get_syntax`` (english_booknlp.py, which cannot be imported
without torch) over token columns: for each person mention, the head token's relation
gives ``agent`` (nsubj of a verb, or the by-agent of a passive), ``patient`` (dobj or
nsubjpass), ``mod`` (attr/acomp of "be") and ``poss`` (what it possesses). As in BookNLP,
a character needs at least two mentions.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .entities import Mentions
from .tokens import TokenColumns

NARRATOR = 0


def _head_in_range(cols: TokenColumns, start: int, end: int) -> int | None:
    for i in range(start, end + 1):
        if cols.heads[i] < start or cols.heads[i] > end:
            return i
    return None


def build_characters(
    cols: TokenColumns,
    mentions: Mentions,
    refs: list[int],
    genders: dict[int, Any],
    children: list[list[int]],
) -> list[dict[str, Any]]:
    """The ``.book`` character list (most mentioned first), each with a display ``name``."""
    heads, deps, pos, words, lemmas = cols.heads, cols.deps, cols.pos, cols.words, cols.lemmas
    count: Counter[int] = Counter()
    acts: dict[int, dict[str, list[dict[str, Any]]]] = {}
    names: dict[int, dict[str, Counter[str]]] = {}

    def w(i: int) -> dict[str, Any]:
        return {"w": words[i], "i": i}

    for k in range(len(mentions)):
        if mentions.cats[k] != "PER":
            continue
        c = refs[k]
        count[c] += 1
        if c not in acts:
            acts[c] = {"agent": [], "patient": [], "mod": [], "poss": []}
            names[c] = {"PROP": Counter(), "NOM": Counter(), "PRON": Counter()}
        start, end = mentions.starts[k], mentions.ends[k]
        names[c][mentions.props[k]][cols.text(start, end)] += 1
        tok = _head_in_range(cols, start, end)
        if tok is None:
            continue
        if deps[tok] == "conj" and heads[tok] != tok:
            tok = heads[tok]
        head = heads[tok]
        a = acts[c]
        if deps[tok] == "nsubj" and lemmas[head] == "be":
            for sib in children[head]:
                if deps[sib] in ("attr", "acomp") and pos[sib] in ("NOUN", "ADJ"):
                    a["mod"].append(w(sib))
                    for g in children[sib]:
                        if deps[g] == "conj" and pos[g] in ("NOUN", "ADJ"):
                            a["mod"].append(w(g))
        elif deps[tok] == "nsubj" and pos[head] == "VERB":
            a["agent"].append(w(head))
            for sib in children[head]:
                if deps[sib] == "conj" and pos[sib] == "VERB":
                    a["agent"].append(w(sib))
        elif deps[tok] == "pobj" and deps[head] == "agent":
            grand = heads[head]
            if grand != head and pos[grand].startswith("V"):
                a["agent"].append(w(grand))
        elif deps[tok] in ("dobj", "nsubjpass") and pos[head] == "VERB":
            a["patient"].append(w(head))
        elif deps[tok] == "poss":
            a["poss"].append(w(head))
            for sib in children[head]:
                if deps[sib] == "conj":
                    a["poss"].append(w(sib))

    characters = []
    for c, total in count.most_common():
        if total < 2:
            continue
        ment = {
            key: [{"n": n, "c": v} for n, v in names[c][prop].most_common()]
            for key, prop in (("proper", "PROP"), ("common", "NOM"), ("pronoun", "PRON"))
        }
        characters.append(
            {
                "id": c,
                "name": display_name(c, ment),
                "count": total,
                "g": genders.get(c),
                "mentions": ment,
                **acts[c],
            }
        )
    return characters


def display_name(c: int, mentions: dict[str, list[dict[str, Any]]]) -> str:
    """The most frequent proper name (longest on ties); else common noun; else pronoun."""
    for key in ("proper", "common"):
        if mentions[key]:
            best = max(mentions[key], key=lambda m: (m["c"], len(m["n"])))
            return best["n"]
    if c == NARRATOR:
        return "[NARRATOR]"
    return mentions["pronoun"][0]["n"] if mentions["pronoun"] else str(c)
