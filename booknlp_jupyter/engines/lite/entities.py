"""Entity mentions (PROP, NOM, PRON) in LitBank's categories, found in each spaCy Doc.

PROP and NOM mentions come from the trained entity model (`entity_model`, shipped in the
package); without its weights, from these rules:

* PROP: spaCy's named entities mapped to LitBank (PERSON->PER, GPE, LOC, FAC, ORG;
  NORP, dates, numbers etc. are dropped), widened left over titles ("Mr.", "Lady");
  plus title + proper-noun runs that spaCy's NER missed ("Mrs. Bennet") and proper
  nouns that are the subject of a speech verb ("said Meg").
* NOM: every common noun whose head lemma maps to a category (`lexicon.nominal_category`),
  spanning its syntactic subtree minus coordinated conjuncts and edge punctuation (LitBank
  marks maximal phrases: "a man who ... never took up any book").
* PRON: personal pronouns (I, you, he, she, we, they and their forms), all PER; "it" is
  left out (in LitBank it mostly refers to places and things).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import entity_model
from .lexicon import FirstSenseLexicon
from .noun_categories import nominal_category
from .words import PRONOUNS, SPEECH_VERBS, TITLES

NER_TO_LITBANK = {"PERSON": "PER", "GPE": "GPE", "LOC": "LOC", "FAC": "FAC", "ORG": "ORG"}

#: The longest mention kept, in tokens (LitBank's and novels' longest are about 60). A noun
#: phrase longer than this is cut to its head noun; a longer name is dropped. This keeps the
#: mention tables linear in the text's length whatever spaCy makes of it.
MAX_MENTION_TOKENS = 100

_EDGE_PUNCT = frozenset(",;:.!?-\"'()[]\u2014\u2013\u201c\u201d\u2018\u2019")


@dataclass
class Mentions:
    """Mentions as parallel lists, in document token ids (``end`` inclusive)."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    props: list[str] = field(default_factory=list)
    cats: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.starts)

    def add(self, start: int, end: int, prop: str, cat: str) -> None:
        if end - start >= MAX_MENTION_TOKENS:
            return
        self.starts.append(start)
        self.ends.append(end)
        self.props.append(prop)
        self.cats.append(cat)

    def sorted(self) -> Mentions:
        """Mentions ordered by (start, end), one per span (PROP over NOM over PRON)."""
        rank = {"PROP": 0, "NOM": 1, "PRON": 2}
        order = sorted(
            range(len(self)), key=lambda k: (self.starts[k], self.ends[k], rank[self.props[k]])
        )
        out = Mentions()
        last = None
        for k in order:
            span = (self.starts[k], self.ends[k])
            if span != last:
                out.add(self.starts[k], self.ends[k], self.props[k], self.cats[k])
            last = span
        return out


def _trim(doc: Any, start: int, end: int) -> tuple[int, int]:
    """Drop edge punctuation, spaces and a trailing possessive 's from ``doc[start:end+1]``."""
    while start <= end and (doc[start].is_space or doc[start].text in _EDGE_PUNCT):
        start += 1
    while end >= start and (
        doc[end].is_space or doc[end].text in _EDGE_PUNCT or doc[end].tag_ == "POS"
    ):
        end -= 1
    return start, end


def _is_title(tok: Any) -> bool:
    return tok.lower_ in TITLES and tok.text[:1].isupper()


def _is_propn(tok: Any) -> bool:
    return tok.pos_ == "PROPN"


def _nominal_extent(tok: Any) -> tuple[int, int]:
    left = tok.left_edge.i
    right = tok.right_edge.i
    for child in tok.rights:
        if child.dep_ in ("conj", "cc") or (child.dep_ == "punct" and child.i > tok.i):
            right = min(right, child.left_edge.i - 1)
            break
    for child in tok.lefts:
        if child.dep_ in ("conj", "cc"):
            left = max(left, child.right_edge.i + 1)
    return left, max(right, tok.i)


def doc_mentions(doc: Any, gid: list[int], lexicon: FirstSenseLexicon, out: Mentions) -> None:
    """Add the mentions of one parsed ``doc`` to ``out`` (``gid`` maps to document ids):
    PROP and NOM ones by the trained model (`entity_model`) when it ships, else by the
    rules below; pronouns by rule."""
    model = entity_model.default_model()
    if model is None:
        taken = _rule_mentions(doc, gid, lexicon, out)
    else:
        taken = bytearray(len(doc))
        for start, end, prop, cat in model.doc_mentions(doc, lexicon):
            if gid[start] < 0 or gid[end] < 0:
                continue
            if prop == "PROP":
                taken[start : end + 1] = b"\x01" * (end - start + 1)
            out.add(gid[start], gid[end], prop, cat)
    for tok in doc:
        pronoun = tok.lower_ in PRONOUNS and tok.tag_ in ("PRP", "PRP$")
        if pronoun and gid[tok.i] >= 0 and not taken[tok.i]:
            out.add(gid[tok.i], gid[tok.i], "PRON", "PER")


def _rule_mentions(
    doc: Any, gid: list[int], lexicon: FirstSenseLexicon, out: Mentions
) -> bytearray:
    """The rules' PROP and NOM mentions; returns the tokens inside PROP ones."""
    taken = bytearray(len(doc))
    for ent in doc.ents:
        cat = NER_TO_LITBANK.get(ent.label_)
        if cat is None:
            continue
        start, end = _trim(doc, ent.start, ent.end - 1)
        while (
            start > 0
            and end - start < MAX_MENTION_TOKENS  # no scan past the longest mention kept
            and doc[start - 1].lower_ in TITLES
            and doc[start - 1].text[:1].isupper()
        ):
            start -= 1
        if start > end or not any(doc[i].text[:1].isupper() for i in range(start, end + 1)):
            continue
        for i in range(start, end + 1):
            taken[i] = 1
        out.add(gid[start], gid[end], "PROP", cat)

    n = len(doc)
    i = 0
    while i < n:  # "Mrs. Bennet" missed by the NER
        tok = doc[i]
        if (
            not taken[i]
            and tok.lower_ in TITLES
            and tok.text[:1].isupper()
            and i + 1 < n
            and doc[i + 1].pos_ == "PROPN"
            and not taken[i + 1]
        ):
            j = i + 1
            while j + 1 < n and doc[j + 1].pos_ == "PROPN" and not taken[j + 1]:
                j += 1
            for k in range(i, j + 1):
                taken[k] = 1
            out.add(gid[i], gid[j], "PROP", "PER")
            i = j + 1
            continue
        i += 1

    for tok in doc:  # "said Meg": the named subject of a speech verb is a person
        if (
            tok.pos_ == "PROPN"
            and not taken[tok.i]
            and tok.dep_ == "nsubj"
            and tok.text[:1].isupper()
            and tok.head.pos_ == "VERB"
            and tok.head.lemma_.lower() in SPEECH_VERBS
        ):
            start = tok.i
            while (
                start > 0
                and tok.i - start < MAX_MENTION_TOKENS
                and doc[start - 1].dep_ == "compound"
                and _is_propn(doc[start - 1])
            ):
                start -= 1
            while start > 0 and tok.i - start < MAX_MENTION_TOKENS and _is_title(doc[start - 1]):
                start -= 1
            if any(taken[start : tok.i + 1]):
                continue
            for i in range(start, tok.i + 1):
                taken[i] = 1
            out.add(gid[start], gid[tok.i], "PROP", "PER")

    for tok in doc:
        if gid[tok.i] < 0 or taken[tok.i]:
            continue
        if tok.pos_ == "NOUN" and not (tok.lower_ in PRONOUNS and tok.tag_ in ("PRP", "PRP$")):
            cat = nominal_category(tok.lemma_, lexicon)
            if cat is None:
                continue
            start, end = _nominal_extent(tok)
            start, end = _trim(doc, start, end)
            if end - start >= MAX_MENTION_TOKENS:
                start = end = tok.i
            if start <= tok.i <= end and gid[start] >= 0 and gid[end] >= 0:
                out.add(gid[start], gid[end], "NOM", cat)
    return taken


def title_mentions(cols: Any, mentions: Mentions) -> list[int]:
    """Token ids of capitalized titles that open a PER name of two or more tokens
    ("Mr." in "Mr. Bennet", "Lady" in "Lady Catherine") and are not mentions already."""
    spans = set(zip(mentions.starts, mentions.ends, strict=False))
    out = []
    for k in range(len(mentions)):
        s, e = mentions.starts[k], mentions.ends[k]
        if mentions.cats[k] != "PER" or mentions.props[k] != "PROP" or e <= s:
            continue
        w = cols.words[s]
        if (
            w.lower() in TITLES
            and w[:1].isupper()
            and cols.words[s + 1][:1].isupper()
            and (s, s) not in spans
        ):
            out.append(s)
    return out
