"""Character clusters: BookNLP's name clustering and gender inference, plus pronoun links.

1. BookNLP's `NameCoref`: the first-person narrator ("I", "me", "my" outside quotes is
   character 0), identical non-person names, and person names clustered by their
   variants and aliases ("Lizzy" ~ "Elizabeth", "Mr. Darcy" ~ "Darcy").
2. Every other person noun phrase ("the old man") starts its own cluster.
3. BookNLP's `GenderEM` infers each cluster's referential gender (he/she/they...) from
   the pronouns near its mentions and its name prior.
4. Third-person pronouns (he/him/his..., she/her..., they/them...), we/us/our, I and
   you inside quotes, and common-noun phrases ("his wife") join the cluster of the
   earlier person mention the trained pronoun model picks (`coref_model`), or start a
   character of their own. Without its weights, he/she pronouns join the nearest
   preceding person mention (within ``PRONOUN_WINDOW`` tokens) whose cluster's gender
   agrees (`rule_pronouns`).
5. After quote attribution, first-person pronouns in a quote join the speaker's cluster
   (`link_speakers`); "you" in a quote joins the cluster of the person it is said to
   (`link_addressees`): the person addressed by name inside it ("Lizzy, you..."), else
   the speaker of the quote just before, else just after, when that is someone else
   and the quotes are one exchange; so does a "sir" or "my dear" said to them. A
   first-person narrator takes the name others call them by (`name_the_narrator`).
6. Then `cluster_rules` joins the kin phrases of one possessor ("her father" ... "her
   father", and Emma Woodhouse's father to Mr. Woodhouse), "the doctor" to the book's
   one Dr. Archie, names that differ only in case or an epithet ("old Cotter", "Old
   Cotter"), and nameless fragments ("the farmer" ... "he") to the one named
   character of their gender just before; and moves he/she pronouns out of clusters
   whose pronouns are mostly of the other gender; the narration's "we" is one group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from .booknlp_parts import GENDER_CATS, data_path, gender_em_class, name_coref
from .entities import Mentions
from .given_names import split_given_names, split_pet_names
from .tokens import BookTokens, TokenColumns
from .words import FIRST_PERSON, HE, NOUN_HE, NOUN_SHE, SECOND_PERSON, SHE, TITLES

PRONOUN_WINDOW = 120
#: The most tokens between two quotes of one exchange (`link_addressees`).
EXCHANGE_GAP = 60
NARRATOR = 0
#: How often the narrator must be addressed by one name to take it (`name_the_narrator`).
NARRATOR_VOCATIVES = 2
#: How many mentions outside quotes make a first-person narrator (`name_the_narrator`).
NARRATOR_MENTIONS = 20
#: Words that address someone without naming them (`link_addressees`).
ADDRESS_TERMS = frozenset(
    [
        "sir",
        "madam",
        "madame",
        "ma'am",
        "mum",
        "miss",
        "lord",
        "lady",
        "master",
        "mistress",
        "mister",
        "dear",
        "darling",
        "love",
        "friend",
        "child",
        "boy",
        "girl",
        "man",
        "sirs",
    ]
)
_HE_SHE = HE | SHE
#: Capitalised words before a title that are no name ("Poor Miss Taylor").
_NOT_NAMES = TITLES | {"poor", "dear", "old", "young", "little", "good", "great", "dearest"}
#: Marks that cannot stand inside one person's name.
_BETWEEN_TWO = frozenset(("!", "?", ",", ";", ":", "&"))
#: Lowercase words inside one person's name ("Lady Catherine de Bourgh").
NAME_PARTICLES = frozenset(
    ("de", "van", "von", "of", "la", "le", "du", "da", "di", "del", "der", "den", "the", "y")
)


def booknlp_entities(cols: TokenColumns, mentions: Mentions) -> list[tuple[int, int, str, str]]:
    """Mentions as BookNLP's ``(start, end, "PROP_PER", text)`` tuples. A name holding two
    people (`holds_two_people`) goes as a noun phrase ("NOM_PER"): BookNLP's name
    clustering would make one character of both."""
    out = []
    for s, e, p, c in zip(
        mentions.starts, mentions.ends, mentions.props, mentions.cats, strict=False
    ):
        prop = "NOM" if p == "PROP" and holds_two_people(cols, s, e) else p
        out.append((s, e, f"{prop}_{c}", cols.text(s, e)))
    return out


def holds_two_people(cols: TokenColumns, s: int, e: int) -> bool:
    """Whether the name ``s..e`` joins two people, as a parse can run them together:
    between its first and last proper noun a verb, a conjunction, a mark ending a
    clause or a lowercase word that is no `NAME_PARTICLES` ("Mr. and Mrs. Weston", "Mr.
    Elton's marrying Harriet", "Mary! Dickon", "Mrs. Elton engross Jane Fairfax"), or a
    title after a name ("Miss Woodhouse Miss Taylor")."""
    names = [i for i in range(s, e + 1) if cols.pos[i] == "PROPN"]
    if len(names) < 2:
        return False
    for i in range(names[0] + 1, names[-1]):
        word = cols.words[i]
        if cols.pos[i] in ("VERB", "AUX", "CCONJ") or word in _BETWEEN_TWO:
            return True
        if len(word) > 1 and word.isalpha() and word.islower() and word not in NAME_PARTICLES:
            return True
    for i in names[1:]:
        word, before = cols.words[i], cols.words[i - 1]
        name_before = cols.pos[i - 1] == "PROPN" and before.isalpha() and len(before) > 2
        if word.lower() in TITLES and name_before and before.lower() not in _NOT_NAMES:
            return True
    return False


def name_clusters(
    cols: TokenColumns, entities: list[tuple[int, int, str, str]], in_quote: bytearray
) -> list[int]:
    """Cluster ids from BookNLP's name coreference (then `given_names.split_given_names`
    and `given_names.split_pet_names`); every other mention gets a new id."""
    tokens = BookTokens(cols)
    resolver = name_coref()
    quoted = [1 if in_quote[s] or in_quote[e] else 0 for s, e, _, _ in entities]
    refs = resolver.cluster_narrator(entities, quoted, tokens)
    narrated = NARRATOR in refs
    refs = resolver.cluster_identical_propers(entities, refs)
    refs = resolver.cluster_only_nouns(entities, refs, tokens)
    if not narrated:  # BookNLP numbers from 0 then: the first name is no narrator
        refs = [r + 1 if r >= NARRATOR else r for r in refs]
    nxt = max(refs, default=0) + 1
    for k, r in enumerate(refs):
        if r == -1:
            refs[k] = nxt
            nxt += 1
    return split_pet_names(entities, split_given_names(entities, refs), quoted)


def infer_gender(
    cols: TokenColumns,
    entities: list[tuple[int, int, str, str]],
    refs: list[int],
    em_class: type | None = None,
) -> tuple[Any, dict[int, dict[str, Any]]]:
    """BookNLP's gender EM over the clusters: (the model, {cluster: BookNLP ``g``});
    ``em_class`` defaults to `booknlp_parts.gender_em_class`'s."""
    cls = em_class or gender_em_class()
    # only person clusters that have a name or a noun phrase take part (pronouns alone
    # carry no prior; BookNLP passes -1 for them)
    em_refs = [
        r if r == 0 or not cat.startswith("PRON") else -1
        for r, (_, _, cat, _) in zip(refs, entities, strict=False)
    ]
    em = cls(
        tokens=BookTokens(cols),
        entities=entities,
        refs=em_refs,
        genders=GENDER_CATS,
        hyperparameterFile=data_path("gutenberg_prop_gender_terms.txt"),
    )
    genders = em.tag(entities, BookTokens(cols), em_refs)
    return em, genders


def known_name(em: Any) -> Callable[[str], bool]:
    """Whether a lowercased word is a proper name in BookNLP's gender priors (``em``'s,
    from `infer_gender`): "watson" and "pip" are, "madman" is not."""
    priors = em.hyperparameters
    return lambda word: f"{word}\tprop" in priors


def link_pronouns(
    cols: TokenColumns,
    mentions: Mentions,
    refs: list[int],
    genders: dict[int, dict[str, Any]],
    in_quote: bytearray,
) -> list[int]:
    """Join he/she/they pronouns to the clusters they refer to: by the trained model
    (`coref_model`) when its weights are there, else by the rules (`rule_pronouns`)."""
    from .coref_model import Anaphora, default_model

    model = default_model()
    if model is None:
        return rule_pronouns(cols, mentions, refs, genders, in_quote)
    return model.resolve(Anaphora(cols, mentions, refs, genders, in_quote))


def rule_pronouns(
    cols: TokenColumns,
    mentions: Mentions,
    refs: list[int],
    genders: dict[int, dict[str, Any]],
    in_quote: bytearray,
) -> list[int]:
    """Join he/she pronouns to the nearest gender-agreeing person mention before them."""
    out = list(refs)
    recent: list[int] = []  # person mentions seen so far (ids), most recent last
    for k in range(len(mentions)):
        if mentions.cats[k] != "PER":
            continue
        word = cols.words[mentions.starts[k]].lower() if mentions.props[k] == "PRON" else ""
        want = "he/him/his" if word in HE else "she/her" if word in SHE else None
        if want is not None:
            start = mentions.starts[k]
            for j in reversed(recent):
                if start - mentions.ends[j] > PRONOUN_WINDOW:
                    break
                if mentions.ends[j] >= start or out[j] == NARRATOR:
                    continue
                if (
                    mentions.props[j] == "PRON"
                    and cols.words[mentions.starts[j]].lower() not in _HE_SHE
                ):
                    continue
                if _gender(cols, mentions, j, out[j], genders) == want:
                    out[k] = out[j]
                    break
        recent.append(k)
        if len(recent) > 64:
            del recent[:32]
    return out


def _quoted_mentions(
    mentions: Mentions, quotes: list[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    """(quote index, mention id) of each mention starting inside each quote, in order
    (one pass over the mentions: quotes are sorted)."""
    k = 0
    n = len(mentions)
    for q, (start, end) in enumerate(quotes):
        while k < n and mentions.starts[k] < start:
            k += 1
        j = k
        while j < n and mentions.starts[j] <= end:
            yield q, j
            j += 1


def _quoted_pronouns(
    cols: TokenColumns, mentions: Mentions, quotes: list[tuple[int, int]], words: frozenset[str]
) -> Iterator[tuple[int, int]]:
    """(quote index, mention id) of each pronoun in ``words`` inside each quote."""
    for q, j in _quoted_mentions(mentions, quotes):
        if mentions.props[j] == "PRON" and cols.words[mentions.starts[j]].lower() in words:
            yield q, j


def link_speakers(
    cols: TokenColumns,
    mentions: Mentions,
    refs: list[int],
    quotes: list[tuple[int, int]],
    speakers: list[int | None],
) -> list[int]:
    """First-person pronouns inside a quote join its speaker's cluster."""
    out = list(refs)
    for q, j in _quoted_pronouns(cols, mentions, quotes, FIRST_PERSON):
        m = speakers[q]
        if m is not None:
            out[j] = out[m]
    return out


def _addressee(quotes: list[tuple[int, int]], who: list[int | None], q: int) -> int | None:
    """The cluster quote ``q`` is said to (see `link_addressees`), or None."""
    if who[q] is None:
        return None
    start, end = quotes[q]
    for r in (q - 1, q + 1):
        if not 0 <= r < len(quotes) or who[r] is None or who[r] == who[q]:
            continue
        gap = start - quotes[r][1] if r < q else quotes[r][0] - end
        if gap <= EXCHANGE_GAP:
            return who[r]
    return None


def link_addressees(
    cols: TokenColumns,
    mentions: Mentions,
    refs: list[int],
    quotes: list[tuple[int, int]],
    speakers: list[int | None],
) -> list[int]:
    """Second-person pronouns inside a quote join the cluster of its addressee: the
    first person addressed inside the quote (a vocative: a name or noun phrase set off
    by punctuation) unless that is the speaker, else the speaker of the previous quote,
    else of the next, when that speaker is another character and at most
    ``EXCHANGE_GAP`` tokens separate the two quotes. A bare term of address
    (`ADDRESS_TERMS`: "sir", "my dear") names no one: it joins the exchange's addressee."""
    out = list(refs)
    who = [out[m] if m is not None else None for m in speakers]
    voc, terms = _vocatives(cols, mentions, quotes)
    for q, j in _quoted_pronouns(cols, mentions, quotes, SECOND_PERSON):
        v = voc.get(q)
        addressee = out[v] if v is not None and out[v] != who[q] else _addressee(quotes, who, q)
        if addressee is not None:
            out[j] = addressee
    for q, j in terms:
        addressee = _addressee(quotes, who, q)
        if addressee is not None:
            out[j] = addressee
    return out


def _gender(
    cols: TokenColumns, mentions: Mentions, k: int, cluster: int, genders: dict[int, dict[str, Any]]
) -> str | None:
    """The referential gender of mention ``k`` (its cluster's, else its head noun's)."""
    g = genders.get(cluster)
    if g is not None and g.get("argmax"):
        return g["argmax"]
    if mentions.props[k] == "NOM":
        word = cols.lemmas[cols.span_head(mentions.starts[k], mentions.ends[k])].lower()
        if word in NOUN_HE:
            return "he/him/his"
        if word in NOUN_SHE:
            return "she/her"
    elif mentions.props[k] == "PRON":
        word = cols.words[mentions.starts[k]].lower()
        return "he/him/his" if word in HE else "she/her" if word in SHE else None
    return None


def _vocatives(
    cols: TokenColumns, mentions: Mentions, quotes: list[tuple[int, int]]
) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """Quote index -> the first person named or described as addressed inside it; and
    (quote index, mention) of each bare term of address ("sir", "madam", "my dear")."""
    from .speaker_features import is_vocative

    out: dict[int, int] = {}
    terms: list[tuple[int, int]] = []
    for q, j in _quoted_mentions(mentions, quotes):
        start, end = quotes[q]
        if (
            mentions.cats[j] == "PER"
            and mentions.props[j] != "PRON"
            and is_vocative(cols.words, start, end, mentions.starts[j], mentions.ends[j])
        ):
            if _is_address_term(cols, mentions.starts[j], mentions.ends[j]):
                terms.append((q, j))
            elif q not in out:
                out[q] = j
    return out, terms


def _is_address_term(cols: TokenColumns, s: int, e: int) -> bool:
    """Whether ``s..e`` is a term of address that names no one ("sir", "my dear")."""
    words = [w.lower() for w in cols.words[s : e + 1]]
    if len(words) == 2 and words[0] in ("my", "dear", "good"):
        words = words[1:]
    return len(words) == 1 and words[0] in ADDRESS_TERMS


def name_the_narrator(
    cols: TokenColumns,
    mentions: Mentions,
    refs: list[int],
    quotes: list[tuple[int, int]],
    in_quote: bytearray,
    is_name: Callable[[str], bool],
) -> list[int]:
    """A first-person narrator (at least ``NARRATOR_MENTIONS`` mentions outside quotes)
    takes the name others call them by: the named character addressed in quotes at
    least ``NARRATOR_VOCATIVES`` times, twice as often as any other so addressed, and
    never named in the narration ("My dear Watson," says Holmes; "I" tells the rest).
    ``is_name`` tells a name from an outburst ("Madman! I tell you...") by its last word.
    """
    narrated = Counter(refs[k] for k in range(len(mentions)) if not in_quote[mentions.starts[k]])
    if narrated[NARRATOR] < NARRATOR_MENTIONS:
        return refs
    voc, _ = _vocatives(cols, mentions, quotes)
    named = Counter(
        refs[v]
        for v in voc.values()
        if mentions.props[v] == "PROP"
        and refs[v] != NARRATOR
        and not narrated[refs[v]]
        and is_name(cols.words[mentions.ends[v]].lower())
    )
    top = named.most_common(2)
    if not top or top[0][1] < NARRATOR_VOCATIVES or (len(top) > 1 and top[0][1] < 2 * top[1][1]):
        return refs
    name = top[0][0]
    return [NARRATOR if r == name else r for r in refs]
