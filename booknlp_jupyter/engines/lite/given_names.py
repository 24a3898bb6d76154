"""Two people BookNLP's name clustering makes one: "Mr. Knightley" and "Mr. John Knightley".

BookNLP gives a titled surname ("Mr. Knightley") to the one full name it fits ("Mr. John
Knightley"), so the brothers of *Emma* are one character. Yet a book writes "Mr. John
Knightley" precisely because "Mr. Knightley" is someone else: when one cluster holds both
"Mr. Knightley" and "Mr. John Knightley", each at least `MIN_USES` times, the rarer side
becomes a character of its own: the mentions carrying the given name ("Mr. John
Knightley", "John Knightley", "John"), or the titled surname ("Miss Bennet", Jane, beside
Elizabeth's 617 "Elizabeth"); a bare surname stays. "Mr. Frank Churchill" and "Mr.
Churchill" (his uncle) part the same way, while a "Miss Harriet Smith" said once leaves
Harriet Smith and Miss Smith one.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .words import TITLES

#: How often both the titled surname and the titled full name must occur.
MIN_USES = 3


def _parts(text: str) -> tuple[str | None, str | None, str | None]:
    """(title, given name, surname) of a name, lowercased, from its capitalised words:
    "my dear Mr. John Knightley" -> (mr., john, knightley); "John" -> (None, john,
    None); "Mr. Knightley" -> (mr., None, knightley)."""
    words = [w.lower() for w in text.split() if w[:1].isupper()]
    title = words.pop(0) if words and words[0] in TITLES else None
    if len(words) >= 2:
        return title, words[0], words[-1]
    if len(words) == 1:
        return (title, None, words[0]) if title else (None, words[0], None)
    return title, None, None


def _is_given(parts: tuple[str | None, ...], title: str, given: str, surname: str) -> bool:
    """Whether a name's parts carry ``given`` (with ``title`` or none, ``surname`` or
    none): "Mr. John Knightley", "John Knightley", "John"."""
    t, g, s = parts
    return g == given and s in (surname, None) and t in (title, None)


def split_given_names(entities: list[tuple[int, int, str, str]], refs: list[int]) -> list[int]:
    """``refs`` (BookNLP's name clusters over ``entities``, its ``(start, end, "PROP_PER",
    text)`` tuples) with each given name used both with and without its cluster's titled
    surname parted from it (the rarer side to a new cluster)."""
    by_cluster: defaultdict[int, list[int]] = defaultdict(list)
    for k, (_s, _e, cat, _text) in enumerate(entities):
        if cat == "PROP_PER" and refs[k] >= 0:
            by_cluster[refs[k]].append(k)
    out = list(refs)
    fresh = max(refs, default=0) + 1
    for ks in by_cluster.values():
        parts = {k: _parts(entities[k][3]) for k in ks}
        bare = Counter((t, s) for t, g, s in parts.values() if t and s and not g)
        full = Counter((t, g, s) for t, g, s in parts.values() if t and g and s)
        for (title, given, surname), n in full.items():
            if n < MIN_USES or bare[title, surname] < MIN_USES:
                continue
            named = [k for k in ks if _is_given(parts[k], title, given, surname)]
            titled = [k for k in ks if parts[k] == (title, None, surname)]
            for k in min(named, titled, key=len):
                out[k] = fresh
            fresh += 1
    return out
