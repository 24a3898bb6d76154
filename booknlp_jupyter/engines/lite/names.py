"""Document-level repair of spaCy's proper-name mentions.

spaCy's small model labels each occurrence of a name on its own, so "Usher" may be a
PERSON once, an ORG next, and nothing the time after. Over the whole document:

* a one-word name that spaCy did not tag as a proper noun ("Hitherto", "Bending"), or
  that the text mostly writes in lower case, is dropped;
* one-word named mentions vote for their word's category; a one-word mention takes its
  word's majority category when that has at least two votes and outnumbers its own; a
  word that is part of a full person name at least twice ("Roderick Usher") is a person
  when it stands alone ("Usher"), whatever spaCy said;
* a run of proper nouns (spaCy ``PROPN``) outside any named mention whose words all
  have votes becomes a named mention of its last word's majority category (with a
  title before it: "Mr. Usher").
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .entities import MAX_MENTION_TOKENS, Mentions
from .tokens import TokenColumns
from .words import TITLES


def repair_names(cols: TokenColumns, mentions: Mentions) -> Mentions:
    words, pos = cols.words, cols.pos
    lower = Counter()
    upper = Counter()
    for w in words:
        if w[:1].isupper():
            upper[w] += 1
        elif w[:1].islower():
            lower[w] += 1
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    in_full_name: Counter[str] = Counter()
    keep = []
    for k in range(len(mentions)):
        s, e = mentions.starts[k], mentions.ends[k]
        if mentions.props[k] == "PROP":
            if s == e and (pos[s] != "PROPN" or lower[words[s].lower()] > upper[words[s]]):
                continue
            if s == e:
                votes[words[s]][mentions.cats[k]] += 1
            elif mentions.cats[k] == "PER":
                for i in range(s, e + 1):
                    if words[i][:1].isupper() and words[i].lower() not in TITLES:
                        in_full_name[words[i]] += 1
                        votes[words[i]]["PER"] += 1
        keep.append(k)

    out = Mentions()
    covered = bytearray(len(cols))
    for k in keep:
        s, e, p, c = mentions.starts[k], mentions.ends[k], mentions.props[k], mentions.cats[k]
        if p == "PROP":
            covered[s : e + 1] = b"\x01" * (e - s + 1)
            if s == e and in_full_name[words[s]] >= 2:
                c = "PER"
            elif s == e and votes[words[s]]:
                best, n = votes[words[s]].most_common(1)[0]
                if best != c and n >= 2 and n > votes[words[s]][c]:
                    c = best
        out.add(s, e, p, c)

    n = len(cols)
    i = 0
    while i < n:
        if covered[i] or pos[i] != "PROPN" or not votes.get(words[i]):
            i += 1
            continue
        j = i
        while (
            j + 1 < n
            and not covered[j + 1]
            and pos[j + 1] == "PROPN"
            and votes.get(words[j + 1])
            and cols.sent_ids[j + 1] == cols.sent_ids[i]
        ):
            j += 1
        cat, count = votes[words[j]].most_common(1)[0]
        if in_full_name[words[j]] >= 2:
            cat, count = "PER", 2
        if count >= 2:
            s = i
            while (
                s > 0
                and j - s < MAX_MENTION_TOKENS
                and not covered[s - 1]
                and words[s - 1].lower() in TITLES
                and words[s - 1][:1].isupper()
            ):
                s -= 1
            out.add(s, j, "PROP", cat)
        i = j + 1
    return out.sorted()
