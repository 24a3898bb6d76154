"""Two people BookNLP's name clustering makes one: "Mr. Knightley" and "Mr. John Knightley",
"Lady Catherine" and "Kitty".

BookNLP gives a titled surname ("Mr. Knightley") to the one full name it fits ("Mr. John
Knightley"), so the brothers of *Emma* are one character. Yet a book writes "Mr. John
Knightley" precisely because "Mr. Knightley" is someone else: when one cluster holds both
"Mr. Knightley" and "Mr. John Knightley", each at least `MIN_USES` times, the rarer side
becomes a character of its own: the mentions carrying the given name ("Mr. John
Knightley", "John Knightley", "John"), or the titled surname ("Miss Bennet", Jane, beside
Elizabeth's 617 "Elizabeth"); a bare surname stays. "Mr. Frank Churchill" and "Mr.
Churchill" (his uncle) part the same way, while a "Miss Harriet Smith" said once leaves
Harriet Smith and Miss Smith one.

`split_pet_names`: BookNLP's aliases make "Kitty" a "Catherine", so in *Pride and
Prejudice* Kitty Bennet and Lady Catherine de Bourgh are one character. A narrator who
calls someone "Lady Catherine" (a title of rank before a given name: `RANK_TITLES`) does
not call her by a pet name: a pet name the narration uses at least `MIN_USES` times, never
with a title, in a cluster holding its given name under such a title as often, is someone
else (friends call Lord Henry "Harry" in quotes; the narrator does not).

`join_titled_surnames` (a cluster rule, after pronouns are linked): BookNLP leaves "Miss
Woodhouse" apart from "Emma Woodhouse" because "Mr. Woodhouse" has the surname too. A
character known only by a titled surname is the one character with a full name of that
surname whose pronouns are of the title's gender ("Miss" and "she": Emma), when there is
exactly one, unless that character is also named with the same title in full at least
`MIN_USES` times ("Mr. John Knightley" is not "Mr. Knightley"). Not a wife's title
(`WIFE_TITLES`): "Mrs. Lennox" is Mary Lennox's mother.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from .entities import Mentions
from .tokens import TokenColumns
from .words import TITLE_GENDER, TITLES

#: How often both the titled surname and the titled full name must occur.
MIN_USES = 3
#: Titles of rank that go before a given name ("Lady Catherine", "Sir Walter", "Lord
#: Henry"): someone so titled is not called by a pet name (`split_pet_names`).
RANK_TITLES = frozenset(("lady", "sir", "lord"))
#: A wife's titles before a surname join no one (`join_titled_surnames`): "Mrs. Lennox"
#: is the mother of the book's "Mary Lennox" (3 of the 5 such joins on LitBank's books
#: were a mother's), "Lady Lucas" Maria Lucas's.
WIFE_TITLES = frozenset(("mrs", "mrs.", "madame", "mme", "mme.", "frau", "signora", "lady"))
#: The largest share of a character's he/she pronouns of the other gender that leaves
#: its gender open to `join_titled_surnames` (pronoun links err).
OTHER_SHARE = 0.8
#: Words before a name that are not part of it ("my dear Miss Woodhouse", "The great
#: Mrs. Churchill").
EPITHETS = frozenset(
    [
        "a",
        "an",
        "the",
        "my",
        "our",
        "dear",
        "dearest",
        "poor",
        "oh",
        "o",
        "ah",
        "good",
        "old",
        "young",
        "little",
        "great",
        "eldest",
        "youngest",
        "elder",
        "younger",
    ]
)


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


def _named_clusters(entities: list[tuple[int, int, str, str]], refs: list[int]) -> list[list[int]]:
    """The indices of each cluster's ``PROP_PER`` entities."""
    by_cluster: defaultdict[int, list[int]] = defaultdict(list)
    for k, (_s, _e, cat, _text) in enumerate(entities):
        if cat == "PROP_PER" and refs[k] >= 0:
            by_cluster[refs[k]].append(k)
    return list(by_cluster.values())


def split_given_names(entities: list[tuple[int, int, str, str]], refs: list[int]) -> list[int]:
    """``refs`` (BookNLP's name clusters over ``entities``, its ``(start, end, "PROP_PER",
    text)`` tuples) with each given name used both with and without its cluster's titled
    surname parted from it (the rarer side to a new cluster)."""
    out = list(refs)
    fresh = max(refs, default=0) + 1
    for ks in _named_clusters(entities, refs):
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


def split_pet_names(
    entities: list[tuple[int, int, str, str]],
    refs: list[int],
    quoted: list[int],
    given_names_of: Callable[[str], frozenset[str]] | None = None,
) -> list[int]:
    """``refs`` with each pet name ("Kitty") parted from a cluster that holds one of its
    given names ("Catherine", from BookNLP's aliases: ``given_names_of``) under a title
    of rank ("Lady Catherine", "Lady Catherine de Bourgh"), both at least `MIN_USES`
    times, the pet name never titled and used that often by the narration (outside
    quotes: ``quoted`` per entity), where friends' "Harry" for Lord Henry is not; its
    mentions go to a new cluster."""
    given_names_of = given_names_of or _given_names_of
    out = list(refs)
    fresh = max(refs, default=0) + 1
    for ks in _named_clusters(entities, refs):
        parts = {k: _parts(entities[k][3]) for k in ks}
        ranked = Counter(g or s for t, g, s in parts.values() if t in RANK_TITLES and (g or s))
        titled = {g or s for t, g, s in parts.values() if t}
        pets = Counter(
            g for k, (t, g, s) in parts.items() if not t and g and not s and not quoted[k]
        )
        for pet, n in pets.items():
            if n < MIN_USES or pet in titled:
                continue
            if sum(ranked[g] for g in given_names_of(pet)) < MIN_USES:
                continue
            for k in ks:
                if parts[k] == (None, pet, None):
                    out[k] = fresh
            fresh += 1
    return out


@functools.cache
def _pet_names() -> dict[str, frozenset[str]]:
    """Pet name -> its given names, lowercased, from BookNLP's ``aliases.txt`` (each line
    a given name, then its pet names: "Catherine ... Kit Kitty")."""
    from .booknlp_parts import data_path

    out: defaultdict[str, set[str]] = defaultdict(set)
    for line in Path(data_path("aliases.txt")).read_text(encoding="utf-8").splitlines():
        names = [n.lower() for n in line.split("\t") if n]
        for pet in names[1:]:
            if pet != names[0]:
                out[pet].add(names[0])
    return {pet: frozenset(given) for pet, given in out.items()}


def _given_names_of(pet: str) -> frozenset[str]:
    return _pet_names().get(pet, frozenset())


def join_titled_surnames(cols: TokenColumns, mentions: Mentions, refs: list[int]) -> list[int]:
    """``refs`` with each cluster named only by a titled surname ("Miss Woodhouse",
    "dear Miss Woodhouse") joined to the one cluster with a full name of that surname
    ("Emma Woodhouse") whose he/she pronouns, and titles, are the title's gender."""
    from .cluster_rules import _OTHER, _majority, _pronoun_genders

    votes = _pronoun_genders(cols, mentions, refs)
    forms: defaultdict[int, Counter[tuple[str | None, str | None, str | None]]]
    forms = defaultdict(Counter)
    for k in range(len(mentions)):
        if mentions.props[k] == "PROP" and mentions.cats[k] == "PER":
            text = cols.text(mentions.starts[k], mentions.ends[k])
            forms[refs[k]][_parts(_letters(text))] += 1
    full: defaultdict[str, set[int]] = defaultdict(set)  # surname -> clusters with it in full
    for c, parts in forms.items():
        for _t, g, s in parts:
            if g and s and s not in TITLES:
                full[s].add(c)

    def may_be(c: int, gender: str) -> bool:
        """Cluster ``c`` may be of ``gender``: a title or a pronoun says so, and no title
        and at most `OTHER_SHARE` of its he/she pronouns say otherwise."""
        said = {TITLE_GENDER.get(t) for t, _g, _s in forms[c] if t} - {None}
        v = votes.get(c) or Counter()
        n = v["he"] + v["she"]
        if said - {gender} or (n and v[_OTHER[gender]] / n > OTHER_SHARE):
            return False
        return gender in said or v[gender] > 0

    moved: dict[int, int] = {}
    for c, parts in forms.items():
        titled = {(t, s) for t, g, s in parts if t and s and not g}
        if len(titled) != 1:
            continue
        ((title, surname),) = titled
        allowed = {(title, None, surname), (None, surname, None), (None, None, None)}
        if any(form not in allowed for form in parts):
            continue  # a given name, or another surname
        gender = TITLE_GENDER.get(title)
        if gender is None or title in WIFE_TITLES or not may_be(c, gender):
            continue
        hosts = [h for h in full.get(surname, ()) if h != c and may_be(h, gender)]
        if len(hosts) != 1 or _majority(votes.get(hosts[0])) != gender:
            continue  # none, two (Charlotte and Maria Lucas), or of unknown gender
        host_forms = forms[hosts[0]]
        if any(t not in (title, None) and s == surname for t, _g, s in host_forms):
            continue  # "Lady Catherine de Bourgh" is not "Miss de Bourgh"
        if any(t == title and g and n >= MIN_USES for (t, g, _s), n in host_forms.items()):
            continue  # "Mr. John Knightley" is said because "Mr. Knightley" is another
        moved[c] = hosts[0]
    return [moved.get(r, r) for r in refs]


def _letters(text: str) -> str:
    """A name without `EPITHETS` and the punctuation glued to its words ("my dear Miss
    Woodhouse?" -> "Miss Woodhouse"), a title's full stop kept."""
    words = (w.strip("?!,;:()\"'\u201c\u201d\u2018\u2019") for w in text.split())
    kept = (w if w.lower() in TITLES else w.rstrip(".") for w in words if w)
    return " ".join(w for w in kept if w and w.lower() not in EPITHETS)
