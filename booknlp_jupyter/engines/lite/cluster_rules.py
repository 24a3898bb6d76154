"""Rules that join character clusters BookNLP's name clustering and the pronoun model
leave apart (`pipeline.run_pipeline` applies them after quote attribution).

* `join_kin`: kin nouns with the same possessor are one character ("her father" ...
  "her father", both "her" one character; "Emma's mother"; never two named ones), and
  a parent or spouse is the one character titled with the possessor's surname (Emma
  Woodhouse's father is Mr. Woodhouse, Mr. Bennet's wife Mrs. Bennet).
* `join_title_nouns`: "the doctor", "the captain" is the book's one character with
  that title, when it has exactly one ("Dr. Archie").
* `join_name_variants`: "old Cotter" is "Old Cotter", "Farmer Oak" "FARMER OAK".
* `join_fragments`: a nameless cluster ("the old man" ... "he") is the one named
  character of its gender mentioned just before it, or else the one introduced just
  after it begins ("a child" ... "he" ... "Philip").
* `split_genders`: a "she" in a cluster whose pronouns are mostly "he" (or the reverse)
  goes to the nearest earlier character whose pronouns are hers.
* `join_narrated_we`: the narration's "we" is one group.

Measured on LitBank's 80 books (5-fold cross-validation, `bench/lite_quality.py`): see
the README's quality table.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from .coref import NARRATOR
from .entities import Mentions
from .tokens import TokenColumns
from .words import HE, KIN, PARENT_TITLES, POSSESSIVES, SHE, TITLE_NOUNS, WE

#: How far before a fragment its named character may last be mentioned (`join_fragments`).
FRAGMENT_WINDOW = 60
#: How soon after a fragment begins its character may be named (`join_fragments`).
INTRODUCTION_WINDOW = 100
#: First words of the noun phrases that can begin a fragment: "the farmer", "my friend"
#: (not "a farmer": a new person).
FRAGMENT_DETERMINERS = frozenset(("the", "my"))
#: Words before a name that leave it the same name (`join_name_variants`): "Poor
#: Dorothea", "Farmer Oak". Not "old", "young", "little": old and young Osborne are two.
NAME_EPITHETS = frozenset(("the", "poor", "dear", "farmer"))
#: How far back a pronoun of the wrong gender looks for its own (`split_genders`).
RELINK_WINDOW = 400
_APOSTROPHE_S = frozenset(("'s", "\u2019s"))


def join_kin(cols: TokenColumns, mentions: Mentions, refs: list[int]) -> list[int]:
    """Clusters after joining kin phrases with one possessor and noun (`KIN`): each later
    "her father" (possessor: a pronoun, or a name before "'s") brings its whole cluster
    into the first one's, unless both have a name (one "her father" was linked to the
    wrong man: over a novel such joins made one character of half the cast); then
    `_join_kin_names`."""
    span_of = {span: k for k, span in enumerate(zip(mentions.starts, mentions.ends, strict=True))}
    parent: dict[int, int] = {}
    named = _named(mentions, refs)

    first: dict[tuple[int, str], int] = {}
    for k in range(len(mentions)):
        if mentions.props[k] != "NOM" or mentions.cats[k] != "PER":
            continue
        s, e = mentions.starts[k], mentions.ends[k]
        head = cols.span_head(s, e)
        noun = cols.lemmas[head].lower()
        if head != e or noun not in KIN:
            continue
        owner = _possessor(cols, span_of, s, e)
        if owner is None:
            continue
        key = (_root(parent, refs[owner]), noun)
        c = _root(parent, refs[k])
        if c == key[0]:
            continue  # "her father" in her own cluster: a wrong link, not a person to join
        if key not in first:
            first[key] = c
            continue
        host = _root(parent, first[key])
        if host == c or (c in named and host in named):
            continue  # two named characters: one "her father" was linked wrongly
        if c in named:
            host, c = c, host
        parent[c] = host
    out = [_root(parent, r) for r in refs]
    return _join_kin_names(
        cols,
        mentions,
        out,
        {(_root(parent, o), n): _root(parent, c) for (o, n), c in first.items()},
    )


def _join_kin_names(
    cols: TokenColumns, mentions: Mentions, refs: list[int], kin: dict[tuple[int, str], int]
) -> list[int]:
    """Each kin cluster (`PARENT_TITLES`) joins the one titled character bearing its
    possessor's surname, if there is one: Emma Woodhouse's "her father", Mr. Woodhouse."""
    named = _named(mentions, refs)  # a kin phrase linked to another named person stays
    surnames: dict[int, set[str]] = defaultdict(set)  # cluster -> last words of its names
    titles: dict[tuple[str, str], set[int]] = defaultdict(set)  # (title, surname) -> clusters
    for k in range(len(mentions)):
        if mentions.props[k] == "PROP" and mentions.cats[k] == "PER":
            words = [w.lower() for w in cols.words[mentions.starts[k] : mentions.ends[k] + 1]]
            if len(words) >= 2:
                surnames[refs[k]].add(words[-1])
                titles[words[0], words[-1]].add(refs[k])
    moved: dict[int, int] = {}
    for (owner, noun), c in kin.items():
        wanted = PARENT_TITLES.get(noun)
        if wanted is None:
            continue
        targets = {
            t
            for sur in surnames.get(owner, ())
            for title in wanted
            for t in titles.get((title, sur), ())
            if t not in (owner, c)
        }
        if len(targets) == 1 and c != owner and c not in named:
            moved[c] = targets.pop()
    return [moved.get(r, r) for r in refs]


def _named(mentions: Mentions, refs: list[int]) -> set[int]:
    """Clusters holding a person's name."""
    return {
        refs[k]
        for k in range(len(mentions))
        if mentions.props[k] == "PROP" and mentions.cats[k] == "PER"
    }


def _root(parent: dict[int, int], c: int) -> int:
    """The cluster ``c`` ends up in, following ``parent`` (joined cluster -> its host)."""
    while c in parent:
        c = parent[c]
    return c


def _possessor(
    cols: TokenColumns, span_of: dict[tuple[int, int], int], s: int, e: int
) -> int | None:
    """The mention owning the phrase ``s..e``: its first word if a possessive pronoun
    ("her father"), else the mention just before its "'s" ("Emma's father")."""
    if cols.words[s].lower() in POSSESSIVES:
        return span_of.get((s, s))
    for t in range(s + 1, e):
        if cols.words[t] in _APOSTROPHE_S:
            return next((span_of[a, t - 1] for a in range(s, t) if (a, t - 1) in span_of), None)
    return None


def join_title_nouns(cols: TokenColumns, mentions: Mentions, refs: list[int]) -> list[int]:
    """Clusters after joining each "the doctor" (the, then a `TITLE_NOUNS` noun) to the
    book's one character titled so ("Dr. Archie"), when there is exactly one."""
    bearers: dict[str, set[int]] = defaultdict(set)
    for k in range(len(mentions)):
        if mentions.props[k] == "PROP" and mentions.cats[k] == "PER":
            s, e = mentions.starts[k], mentions.ends[k]
            if e > s:
                bearers[cols.words[s].lower()].add(refs[k])
    moved: dict[int, int] = {}
    for k in range(len(mentions)):
        if mentions.props[k] != "NOM" or mentions.cats[k] != "PER":
            continue
        s, e = mentions.starts[k], mentions.ends[k]
        titles = TITLE_NOUNS.get(cols.lemmas[e].lower())
        if e != s + 1 or cols.words[s].lower() != "the" or titles is None:
            continue
        who = set().union(*(bearers.get(t, set()) for t in titles))
        if len(who) == 1 and refs[k] not in who:
            moved.setdefault(refs[k], who.pop())
    return [moved.get(r, r) for r in refs]


def join_name_variants(cols: TokenColumns, mentions: Mentions, refs: list[int]) -> list[int]:
    """Clusters after joining the characters whose names differ only in case or in a
    leading `NAME_EPITHETS` word ("old Cotter" and "Old Cotter", "Farmer Oak" and "FARMER
    OAK", "Poor Dorothea" and "Dorothea"). Two clusters that share a name exactly stay
    apart: BookNLP's name clustering told them apart by context (a bare "Knightley" of
    Mr. Knightley's and one of John Knightley's), and a name two clusters with other names
    share joins none ("poor dear Jane" and the "Jane" of both Jane Fairfax and Miss
    Bates)."""
    clusters: dict[str, set[int]] = defaultdict(set)  # name, lowercased and bare -> clusters
    names: dict[int, set[str]] = defaultdict(set)  # cluster -> its names as written
    bare: dict[int, set[str]] = defaultdict(set)  # cluster -> its names, lowercased and bare
    for k in range(len(mentions)):
        if mentions.props[k] != "PROP" or mentions.cats[k] != "PER" or refs[k] == NARRATOR:
            continue
        s, e = mentions.starts[k], mentions.ends[k]
        words = [w.lower() for w in cols.words[s : e + 1]]
        while len(words) > 1 and words[0] in NAME_EPITHETS:
            words = words[1:]
        clusters[" ".join(words)].add(refs[k])
        bare[refs[k]].add(" ".join(words))
        names[refs[k]].add(cols.text(s, e))
    parent: dict[int, int] = {}

    for key, group in clusters.items():
        if sum(1 for c in group if bare[c] != {key}) > 1:
            continue  # a "poor dear Jane" between Jane Fairfax and Miss Bates, both "Jane"
        ordered = sorted(group)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                ra, rb = _root(parent, a), _root(parent, b)
                if ra != rb and not names[a] & names[b]:
                    parent[max(ra, rb)] = min(ra, rb)
    return [_root(parent, r) for r in refs]


def join_fragments(
    cols: TokenColumns,
    mentions: Mentions,
    refs: list[int],
    window: int = FRAGMENT_WINDOW,
    introduction: int = INTRODUCTION_WINDOW,
) -> list[int]:
    """Clusters after joining each nameless fragment to the character it continues.

    A fragment: a cluster without a name whose he/she pronouns are mostly of one gender.
    Begun by a pronoun or a noun phrase after `FRAGMENT_DETERMINERS` ("the old man" ...
    "he", "my friend" ... "his"), it joins the one named character of that gender
    mentioned in the ``window`` tokens before it begins, when there is exactly one. Any
    other joins the one named character of its gender first mentioned in the
    ``introduction`` tokens after it begins ("a child" ... "Philip"), when there is one.
    """
    votes = _pronoun_genders(cols, mentions, refs)
    named = _named(mentions, refs)
    first: dict[int, int] = {}
    for k, c in enumerate(refs):
        first.setdefault(c, k)

    def of_named(j: int, gender: str) -> bool:
        """Mention ``j`` belongs to a named character (not the narrator) of ``gender``."""
        r = refs[j]
        return r in named and r != NARRATOR and _majority(votes.get(r)) == gender

    moved: dict[int, int] = {}
    for c, k in first.items():
        if c in named or c == NARRATOR or mentions.cats[k] != "PER":
            continue
        begun = mentions.props[k] == "PRON" or (
            mentions.props[k] == "NOM"
            and cols.words[mentions.starts[k]].lower() in FRAGMENT_DETERMINERS
        )
        gender = _majority(votes.get(c))
        if gender is None:
            continue
        before = _mentions_before(mentions, k, window) if begun else ()
        near = {refs[j] for j in before if of_named(j, gender)}
        if len(near) != 1:
            after = _mentions_after(mentions, k, introduction)
            near = {refs[j] for j in after if first[refs[j]] == j and of_named(j, gender)}
        if len(near) == 1:
            moved[c] = near.pop()
    return [moved.get(r, r) for r in refs]


def join_narrated_we(
    cols: TokenColumns, mentions: Mentions, refs: list[int], in_quote: bytearray
) -> list[int]:
    """Clusters after making every "we", "us" and "our" of the narration (outside quotes)
    one new character: the narrator and company, as LitBank annotates them."""
    group = max(refs, default=0) + 1
    return [
        group
        if mentions.props[k] == "PRON"
        and not in_quote[mentions.starts[k]]
        and cols.words[mentions.starts[k]].lower() in WE
        else r
        for k, r in enumerate(refs)
    ]


def split_genders(
    cols: TokenColumns, mentions: Mentions, refs: list[int], window: int = RELINK_WINDOW
) -> list[int]:
    """Clusters after taking out each he/she pronoun whose gender is the minority among
    its cluster's pronouns: it joins the cluster of the nearest person mention in the
    ``window`` tokens before it whose pronouns are mostly of its gender, else stands
    alone. The narrator's cluster is left as it is."""
    votes = _pronoun_genders(cols, mentions, refs)
    out = list(refs)
    nxt = max(refs, default=0) + 1
    for k in range(len(mentions)):
        gender = _gender_of(cols, mentions, refs, k)
        if gender is None or votes[refs[k]][gender] >= votes[refs[k]][_OTHER[gender]]:
            continue
        out[k] = next(
            (
                refs[j]
                for j in _mentions_before(mentions, k, window)
                if mentions.cats[j] == "PER"
                and refs[j] not in (NARRATOR, refs[k])
                and _majority(votes.get(refs[j])) == gender
            ),
            nxt,
        )
        nxt += out[k] == nxt
    return out


_OTHER = {"he": "she", "she": "he"}


def _gender_of(cols: TokenColumns, mentions: Mentions, refs: list[int], k: int) -> str | None:
    """The gender of a he/she pronoun ("he" or "she") outside the narrator's cluster."""
    if mentions.props[k] != "PRON" or mentions.cats[k] != "PER" or refs[k] == NARRATOR:
        return None
    word = cols.words[mentions.starts[k]].lower()
    return "he" if word in HE else "she" if word in SHE else None


def _pronoun_genders(
    cols: TokenColumns, mentions: Mentions, refs: list[int]
) -> defaultdict[int, Counter[str]]:
    """Cluster -> how many of its pronouns are he/him/his and how many she/her."""
    votes: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for k in range(len(mentions)):
        gender = _gender_of(cols, mentions, refs, k)
        if gender is not None:
            votes[refs[k]][gender] += 1
    return votes


def _majority(votes: Counter[str] | None) -> str | None:
    """The gender most of a cluster's he/she pronouns have, if one has more."""
    if not votes or votes["he"] == votes["she"]:
        return None
    return "he" if votes["he"] > votes["she"] else "she"


def _mentions_after(mentions: Mentions, k: int, window: int) -> Iterator[int]:
    """Mentions after ``k``, in order, beginning at most ``window`` tokens after it begins."""
    end = mentions.starts[k] + window
    for j in range(k + 1, len(mentions)):
        if mentions.starts[j] > end:
            return
        yield j


def _mentions_before(mentions: Mentions, k: int, window: int) -> Iterator[int]:
    """Mentions before ``k``, nearest first, ending at most ``window`` tokens before it."""
    start = mentions.starts[k]
    for j in range(k - 1, -1, -1):
        if mentions.ends[j] < start - window:
            return
        yield j
