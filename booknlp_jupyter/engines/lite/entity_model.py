"""The trained entity model: which phrase around each noun is a mention, and of what.

Every noun, proper noun, indefinite pronoun ("nobody") and named-entity root of a parsed
spaCy Doc is a *head*. Each head has a few candidate *extents* (`extents`): spaCy's
entity span, the whole noun phrase, the phrase up to the head, up to its first
prepositional phrase, the bare name. Each (extent, category) pair is scored by a linear
model over sparse string features of the head (lemma, WordNet first sense, spaCy's
entity label, tag, dependency, capitalisation, governing word...) and of the extent
(length, first and last words, relative clause, prepositional phrase...); the head takes
its best pair when that scores above *no mention* (score 0), else nothing.

Weights ship as ``models/entities.json`` (written by ``bench/train_entities.py`` from
LitBank; no download at run time), read once, lazily. Without the file (or inside
`use(None)`) the lite engine keeps its rules (`entities.doc_mentions`).
"""

from __future__ import annotations

import json
import re
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from .lexicon import FirstSenseLexicon
from .noun_categories import nominal_category
from .shipped import Shipped
from .words import PRONOUNS, TITLES

MODEL_PATH = Path(__file__).with_name("models") / "entities.json"
CATS = ("PER", "LOC", "GPE", "FAC", "ORG", "VEH")
#: Extent kinds whose mentions are names (PROP); the others are NOM unless the head is a
#: capitalised proper noun that ends the phrase.
NAME_KINDS = frozenset(("ent", "name"))
_EDGE = frozenset(",;:.!?-\"'()[]\u2014\u2013\u201c\u201d\u2018\u2019")
#: Words that open a chapter heading before its number ("CHAPTER I.", "Book 2").
HEADING_WORDS = frozenset(
    ("chapter", "chap", "book", "part", "volume", "vol", "canto", "letter", "section", "stave")
)
_ROMAN = re.compile(r"[IVXLC]+\.?")
_PRE = frozenset(("predet", "preconj", "advmod", "cc", "intj"))
_CUT = frozenset(("conj", "cc", "appos"))
_MAX_TOKENS = 100
#: Adverbs and numerals LitBank often marks as places or people ("went home", "one of
#: them").
_OTHER_HEADS = frozenset(("here", "there", "home", "upstairs", "downstairs", "abroad", "one"))


def _trim(doc: Any, a: int, b: int) -> tuple[int, int]:
    """``doc[a..b]`` without edge punctuation, a trailing 's, or a heading before it."""
    while a <= b and (doc[a].is_space or doc[a].text in _EDGE):
        a += 1
    if a <= b and (after := heading_end(doc, a)) > a:
        a = after  # past b: nothing but a heading, no phrase
        while a <= b and (doc[a].is_space or doc[a].text in _EDGE):
            a += 1
    while b >= a and (doc[b].is_space or doc[b].text in _EDGE or doc[b].tag_ == "POS"):
        b -= 1
    return a, b


def heading_end(doc: Any, a: int) -> int:
    """The first token after a chapter heading at ``doc[a]`` that the parse ran into a
    phrase ("CHAPTER I. Mrs. Rachel Lynde", "CHAP. II.", "Chapter 2 Mr. Bennet", "II Mrs.
    Pontellier"), else ``a``: a capitalised heading word and its number, or a Roman
    numeral opening a sentence or after a heading word ("I" only before a full stop or a
    word in capitals)."""
    first = doc[a]
    heading = first.lower_ in HEADING_WORDS
    if a + 1 >= len(doc) or not (heading or _ROMAN.fullmatch(first.text)):
        return a  # the common case, decided without a second token
    nxt = doc[a + 1]
    if heading and first.text[:1].isupper():
        i = a + 2 if nxt.text == "." and a + 2 < len(doc) else a + 1
        return i + 1 if doc[i].like_num or _ROMAN.fullmatch(doc[i].text) else a
    after_word = a > 0 and doc[a - 1].lower_ in HEADING_WORDS
    initial = first.text.rstrip(".") in ("C", "L")  # "C. Auguste Dupin", not chapter 100
    opens = after_word or (first.is_sent_start and not initial)
    numeral = _ROMAN.fullmatch(first.text) is not None and opens
    if numeral and (first.text != "I" or nxt.text == "." or (nxt.is_upper and len(nxt.text) > 1)):
        return a + 1
    return a


def is_head(tok: Any) -> bool:
    """Whether ``tok`` heads a candidate mention (titles opening a name are left to the
    entity table, `entities.title_mentions`)."""
    if tok.pos_ in ("NOUN", "PROPN"):
        nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
        return not (tok.lower_ in TITLES and nxt is not None and nxt.text[:1].isupper())
    if tok.pos_ == "PRON":
        return tok.tag_ != "PRP" and tok.lower_ not in PRONOUNS
    return tok.lower_ in _OTHER_HEADS


def extents(tok: Any, ent: Any | None) -> list[tuple[str, int, int]]:
    """Candidate (kind, start, end) extents of the mention headed by ``tok`` (Doc ids,
    inclusive, trimmed of edge punctuation; each holds ``tok``)."""
    doc, h = tok.doc, tok.i
    left, right = tok.left_edge.i, tok.right_edge.i
    for child in tok.rights:
        if child.dep_ in _CUT or (child.dep_ == "punct" and child.i > h):
            right = min(right, child.left_edge.i - 1)
            break
    for child in tok.lefts:
        if child.dep_ in _CUT:
            left = max(left, child.right_edge.i + 1)
    out = {"full": (left, max(right, h)), "left": (left, h), "head": (h, h)}
    wide = tok.right_edge.i
    for child in tok.rights:
        if child.dep_ in ("conj", "cc"):
            wide = min(wide, child.left_edge.i - 1)
            break
    out["wide"] = (left, max(wide, h))
    pre = left
    while pre < h and doc[pre].dep_ in _PRE:
        pre += 1
    out["bare"] = (pre, h)
    for child in tok.rights:
        if child.dep_ == "prep" and child.right_edge.i <= right:
            out["pp"] = (left, child.right_edge.i)
            break
    if tok.pos_ == "PROPN":
        a = h
        while a > 0 and doc[a - 1].dep_ == "compound" and doc[a - 1].pos_ == "PROPN":
            a -= 1
        while a > 0 and doc[a - 1].lower_ in TITLES and doc[a - 1].text[:1].isupper():
            a -= 1
        out["name"] = (a, h)
    if ent is not None:
        a, b = ent.start, ent.end - 1
        while a > 0 and doc[a - 1].lower_ in TITLES and doc[a - 1].text[:1].isupper():
            a -= 1
        out["ent"] = (a, b)
    seen: set[tuple[int, int]] = set()
    result = []
    for kind, (a, b) in out.items():
        if b - a >= 2 * _MAX_TOKENS:  # bounded work per head whatever the parse
            continue
        a, b = _trim(doc, a, b)
        if a <= h <= b and b - a < _MAX_TOKENS and (a, b) not in seen:
            seen.add((a, b))
            result.append((kind, a, b))
    return result


def _shape(text: str) -> str:
    if text.isupper() and len(text) > 1:
        return "XX"
    if text[:1].isupper():
        return "X"
    return "x" if text[:1].islower() else "o"


def head_features(tok: Any, ent: Any | None, lexicon: FirstSenseLexicon) -> list[str]:
    """Features of the head, each later crossed with a category."""
    lemma = tok.lemma_.lower()
    doc = tok.doc
    prev = doc[tok.i - 1].lower_ if tok.i else "<s>"
    gov = tok.head
    sense = str(lexicon.get(lemma, "n"))
    label = ent.label_ if ent is not None else "O"
    shape = _shape(tok.text)
    feats = [
        "b",
        "l=" + lemma,
        "w=" + tok.lower_,
        "s=" + sense,
        "lc=" + str(nominal_category(lemma, lexicon)),
        "n=" + label,
        "p=" + tok.tag_,
        "d=" + tok.dep_,
        "c=" + shape,
        "g=" + tok.dep_ + ":" + gov.lemma_.lower(),
        "suf=" + lemma[-3:],
        "pv=" + prev,
        "sd=" + sense + ":" + tok.dep_,
        "cn=" + shape + ":" + label,
    ]
    for child in tok.lefts:
        if child.dep_ in ("det", "poss"):
            feats.append("dl=" + child.lower_)
            break
    if tok.dep_ == "pobj":
        feats.append("pg=" + gov.head.lemma_.lower() + ":" + gov.lower_)
    if ent is not None:
        feats.append("nl=" + ent.label_ + ":" + str(len(ent)))
    return feats


def _bucket(n: int) -> str:
    return str(n) if n <= 4 else "5-6" if n <= 6 else "7-10" if n <= 10 else "11+"


def extent_features(doc: Any, kind: str, a: int, b: int, h: int) -> list[str]:
    """Features of one extent (crossed with its kind, and some with its category)."""
    first, last = doc[a], doc[b]
    feats = [
        "b",
        "len=" + _bucket(b - a + 1),
        "f=" + (first.lower_ if first.is_stop else first.pos_),
        "L=" + (last.lower_ if last.is_stop else last.pos_),
        "hp=" + ("end" if h == b else "mid"),
        "nx=" + (doc[b + 1].lower_ if b + 1 < len(doc) else "</s>"),
    ]
    inner = [t for t in doc[a : b + 1] if t.i != h]
    if any(t.dep_ in ("relcl", "acl") for t in inner):
        feats.append("rel")
    if any(t.dep_ == "prep" and t.head.i == h for t in inner):
        feats.append("pp")
    if any(t.text == "," for t in inner):
        feats.append("cm")
    if any(t.text in _EDGE and t.text not in ",;:.!?-" for t in inner):
        feats.append("q")
    return feats


#: Extent kinds, in the order `extents` tries them.
KINDS = ("full", "left", "head", "wide", "bare", "pp", "name", "ent")
#: The extent features also crossed with the category (all are crossed with the kind).
CAT_EXTENT = ("b", "len=", "rel", "pp", "f=")


def candidate_keys(hf: list[str], kind: str, ef: list[str], cat: str) -> list[str]:
    """The weight keys of one candidate: ``CAT|head feature``, ``kind|extent feature``
    and ``CAT|kind|extent feature`` (for `CAT_EXTENT`)."""
    return (
        [cat + "|" + f for f in hf]
        + [kind + "|" + f for f in ef]
        + [cat + "|" + kind + "|" + f for f in ef if f.startswith(CAT_EXTENT)]
    )


class EntityModel:
    """Feature weights by `candidate_keys`' keys; a head's best candidate by `best`."""

    def __init__(self, weights: dict[str, float], meta: dict[str, Any] | None = None):
        self.weights = dict(weights)
        self.meta = dict(meta or {})
        # the same weights as per-category vectors: a feature costs one lookup, not six
        self._by_cat: dict[str, list[float]] = {}
        self._by_kind: dict[str, float] = {}
        index = {c: i for i, c in enumerate(CATS)}
        for key, value in self.weights.items():
            first, _, rest = key.partition("|")
            if first in index:
                self._by_cat.setdefault(rest, [0.0] * len(CATS))[index[first]] = value
            else:
                self._by_kind[key] = value

    @classmethod
    def load(cls, path: Path) -> EntityModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["weights"], data.get("meta"))

    def save(self, path: Path) -> None:
        data = {"meta": self.meta, "weights": self.weights}
        Path(path).write_text(
            json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8"
        )

    def _cat_scores(self, keys: list[str]) -> list[float]:
        rows = [v for v in map(self._by_cat.get, keys) if v is not None]
        return [sum(col) for col in zip(*rows, strict=True)] if rows else [0.0] * len(CATS)

    def best(
        self, doc: Any, tok: Any, ent: Any | None, lexicon: FirstSenseLexicon
    ) -> tuple[str, int, int, str] | None:
        """The head's best (kind, start, end, category), or None (*no mention* wins)."""
        head = self._cat_scores(head_features(tok, ent, lexicon))
        kind_w = self._by_kind.get
        best, top = None, 0.0
        for kind, a, b in extents(tok, ent):
            ef = extent_features(doc, kind, a, b, tok.i)
            base = sum(kind_w(kind + "|" + f, 0.0) for f in ef)
            crossed = self._cat_scores([kind + "|" + f for f in ef if f.startswith(CAT_EXTENT)])
            for c, cat in enumerate(CATS):
                s = head[c] + base + crossed[c]
                if s > top:
                    best, top = (kind, a, b, cat), s
        return best

    def doc_mentions(self, doc: Any, lexicon: FirstSenseLexicon) -> list[tuple[int, int, str, str]]:
        """(start, end, prop, category) of the mentions of one Doc (Doc token ids)."""
        ent_of = {ent.root.i: ent for ent in doc.ents}
        out = []
        for tok in doc:
            if not is_head(tok) and tok.i not in ent_of:
                continue
            pick = self.best(doc, tok, ent_of.get(tok.i), lexicon)
            if pick is None:
                continue
            kind, a, b, cat = pick
            # a name ends at its head: "Madeline of Usher" is not one name but two
            name = kind in NAME_KINDS or (
                tok.pos_ == "PROPN" and tok.text[:1].isupper() and b == tok.i
            )
            out.append((a, b, "PROP" if name else "NOM", cat))
        return out


_SHIPPED = Shipped(lambda: EntityModel.load(MODEL_PATH) if MODEL_PATH.exists() else None)


def default_model() -> EntityModel | None:
    """The model in use: `use`'s, else the shipped weights (None when absent)."""
    return _SHIPPED.get()


def use(model: EntityModel | None) -> AbstractContextManager[None]:
    """Find entities with ``model`` (None: the rules) inside the block."""
    return _SHIPPED.use(model)
