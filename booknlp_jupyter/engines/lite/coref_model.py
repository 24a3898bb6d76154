"""The trained pronoun model: which earlier person mention a pronoun or noun phrase means.

An *anaphor* is a third-person pronoun (he/him/his..., she/her..., they/them/their...),
we/us/our..., I/me/my and you/your inside quotes, or a person's common-noun phrase ("his
wife", "the old man"). Each ranks the person mentions before it, at most
`MAX_CANDIDATES` mentions and `WINDOW` tokens back, against *a new character* (score 0
plus a learnt bias). A candidate's score is the sum of the weights of its feature keys
(`Anaphora.keys`): distance, the candidate's kind and word, gender and number agreement
with the cluster it belongs to, its rank among the agreeing candidates (the rules' pick
is rank 0), sentence, paragraph, quote (the same one?) and subject status, the
cluster's size and whether it has a name; for a noun phrase also its head noun and
first word, and whether the candidate has the same head. Each key is counted once for
the anaphor's group (he, she, they, we, i, you, nom) and once shared by all groups.

Weights ship as ``models/coref.json`` (written by ``bench/train_coref.py`` from
LitBank; `coref_train`); without the file the engine keeps its rules
(`coref.rule_pronouns`). Anaphors are resolved left to right, each joining its pick's
cluster as it then stands, so chains grow through them. Speakers come later: an I in a
quote with a known speaker then joins the speaker (`coref.link_speakers`), a you its
addressee (`coref.link_addressees`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from .entities import Mentions
from .shipped import Shipped
from .tokens import TokenColumns
from .words import FIRST_PERSON, HE, NOUN_HE, NOUN_SHE, SECOND_PERSON, SHE, THEY, WE

MODEL_PATH = Path(__file__).with_name("models") / "coref.json"
MAX_CANDIDATES = 20
WINDOW = 250
_GROUP = {
    **dict.fromkeys(HE, "he"),
    **dict.fromkeys(SHE, "she"),
    **dict.fromkeys(THEY, "they"),
    **dict.fromkeys(WE, "we"),
}
#: First and second person are anaphors inside quotes only (outside, "I" is the narrator).
_QUOTED_GROUP = {**dict.fromkeys(FIRST_PERSON, "i"), **dict.fromkeys(SECOND_PERSON, "you")}
_NARRATOR = 0


def _bucket(n: int) -> str:
    return (
        str(n) if n < 4 else "4-7" if n < 8 else "8-15" if n < 16 else "16-31" if n < 32 else "32+"
    )


class Anaphora:
    """One document's person mentions as the pronoun model sees them.

    ``refs``: the clusters before pronoun resolution (names, `coref.name_clusters`);
    ``genders``: BookNLP's gender per cluster (`coref.infer_gender`).
    """

    def __init__(
        self,
        cols: TokenColumns,
        mentions: Mentions,
        refs: Sequence[int],
        genders: dict[int, dict[str, Any]],
        in_quote: bytearray,
    ):
        self.cols, self.mentions, self.refs = cols, mentions, refs
        #: PER mention ids, in order
        self.per = [k for k in range(len(mentions)) if mentions.cats[k] == "PER"]
        size: Counter = Counter(refs[k] for k in self.per)
        quote_of = _quote_ids(in_quote)
        named = {refs[k] for k in self.per if mentions.props[k] == "PROP"}
        self.info = []
        for k in self.per:
            s, e = mentions.starts[k], mentions.ends[k]
            head = cols.span_head(s, e)
            prop = mentions.props[k]
            word = cols.words[s].lower() if prop == "PRON" else ""
            self.info.append(
                {
                    "start": s,
                    "end": e,
                    "prop": prop,
                    "word": word,
                    "group": _group(prop, word, bool(in_quote[s])),
                    "gender": _gender(cols, prop, word, head, genders.get(refs[k])),
                    "plural": word in THEY or word in WE or cols.tags[head] in ("NNS", "NNPS"),
                    "subj": cols.deps[head].startswith("nsubj"),
                    "gov": cols.heads[head],
                    "sent": cols.sent_ids[s],
                    "para": cols.para_ids[s],
                    "quoted": bool(in_quote[s]),
                    "quote": quote_of[s],
                    "lemma": cols.lemmas[head].lower() if prop == "NOM" else "",
                    "det": cols.words[s].lower() if s < head else "",
                    "size": _bucket(size[refs[k]]),
                    "named": refs[k] in named,
                    "narrator": refs[k] == _NARRATOR,
                }
            )

    def anaphors(self) -> Iterator[int]:
        """Positions (in `per`) of the anaphors to resolve."""
        return (p for p, x in enumerate(self.info) if x["group"] is not None)

    def candidates(self, p: int) -> list[int]:
        """Positions of the mentions anaphor ``p`` may refer to, nearest first."""
        start = self.info[p]["start"]
        out: list[int] = []
        q = p - 1
        while q >= 0 and len(out) < MAX_CANDIDATES:
            c = self.info[q]
            if start - c["end"] > WINDOW:
                break
            if c["end"] < start:
                out.append(q)
            q -= 1
        return out

    def candidate_features(self, q: int) -> list[str]:
        """Features of candidate ``q`` alone (the same for every anaphor)."""
        c = self.info[q]
        f = [f"p{c['prop']}", f"c{c['size']}", f"n{int(c['named'])}"]
        if c["word"]:
            f.append(f"w{c['word']}")
        if c["lemma"]:
            f.append(f"h{c['lemma']}")
        if c["narrator"]:
            f.append("narrator")
        return f

    def pair_features(self, p: int, cands: list[int]) -> list[list[str]]:
        """Features of anaphor ``p`` with each candidate, then of *a new character*."""
        a = self.info[p]
        g = a["group"]
        want = a["gender"] if a["gender"] in ("he", "she") else None
        noun = [f"al{a['lemma']}", f"det{a['det']}"] if g == "nom" else []
        rows: list[list[str]] = []
        agreeing = 0
        for n, q in enumerate(cands):
            c = self.info[q]
            gender = c["gender"]
            if g in ("i", "you"):
                agree = "u" if gender is None else "a" if gender == g else "x"
            elif g == "we":
                agree = "a" if c["word"] in WE else "u"
            elif g == "they":
                agree = "a" if c["plural"] else "x" if gender in ("he", "she") else "u"
            elif c["plural"] != a["plural"]:
                agree = "x"
            elif want is None or gender is None:
                agree = "u"
            else:
                agree = "a" if gender == want else "x"
            quotes = f"{int(a['quoted'])}{int(c['quoted'])}"
            f = [
                f"d{_bucket(n)}",
                f"t{_bucket((a['start'] - c['end']) // 8)}",
                f"g{agree}",
                f"g{agree}p{c['prop']}",
                f"q{quotes}",
                f"s{int(a['subj'])}{int(c['subj'])}",
            ]
            if agree == "a":
                f.append(f"r{min(agreeing, 3)}")
                f.append(f"r{min(agreeing, 3)}d{_bucket(n)}")
                agreeing += 1
            if c["word"]:
                f.append(f"w{c['word']}q{quotes}")
            if c["lemma"] and c["lemma"] == a["lemma"]:
                f.append("samehead")
            f.append("ss" if c["sent"] == a["sent"] else "sp" if c["para"] == a["para"] else "op")
            if c["gov"] == a["gov"]:
                f.append("samegov")
            if a["quote"] >= 0 and c["quote"] == a["quote"]:
                f.append("samequote")
                f.append(f"samequote{agree}")
            f.extend(f"{k}|p{c['prop']}|g{agree}" for k in noun)
            rows.append(f)
        new = ["new", f"newq{int(a['quoted'])}", f"newagree{min(agreeing, 2)}"]
        rows.append(new + [f"new{k}" for k in noun])
        return rows

    def keys(self, p: int, cands: list[int]) -> list[list[str]]:
        """Feature keys of each candidate (then of *a new character*, last): every feature
        once for the anaphor's group and once for all groups (``*``)."""
        g = self.info[p]["group"]
        pairs = self.pair_features(p, cands)
        own = [self.candidate_features(q) for q in cands]
        rows = [_keyed(g, c + f) for c, f in zip(own, pairs[:-1], strict=True)]
        rows.append(_keyed(g, pairs[-1]))
        return rows


def _keyed(group: str, features: list[str]) -> list[str]:
    return [f"{group}|{k}" for k in features] + [f"*|{k}" for k in features]


def _group(prop: str, word: str, quoted: bool) -> str | None:
    """The anaphor group of a mention (None: not resolved by the model)."""
    if prop == "NOM":
        return "nom"
    if prop != "PRON":
        return None
    return _GROUP.get(word) or (_QUOTED_GROUP.get(word) if quoted else None)


def _quote_ids(in_quote: bytearray) -> list[int]:
    """Per token: the index of the quote holding it (a run of in-quote tokens), else -1."""
    out = [-1] * len(in_quote)
    q = -1
    for i, flag in enumerate(in_quote):
        if flag:
            if i == 0 or not in_quote[i - 1]:
                q += 1
            out[i] = q
    return out


def _gender(
    cols: TokenColumns, prop: str, word: str, head: int, g: dict[str, Any] | None
) -> str | None:
    """he, she, they or None: a pronoun's own, else its cluster's (BookNLP), else its noun's."""
    if prop == "PRON":
        if word in HE:
            return "he"
        if word in SHE:
            return "she"
        if word in THEY:
            return "they"
        return "i" if word in FIRST_PERSON else "you" if word in SECOND_PERSON else None
    if g is not None and g.get("argmax"):
        top = g["argmax"]
        return "he" if top.startswith("he") else "she" if top.startswith("she") else "they"
    lemma = cols.lemmas[head].lower()
    return "he" if lemma in NOUN_HE else "she" if lemma in NOUN_SHE else None


class CorefModel:
    """Weights by feature key (`Anaphora.keys`)."""

    def __init__(self, weights: dict[str, float], meta: dict[str, Any] | None = None):
        self.weights = dict(weights)
        self.meta = dict(meta or {})
        #: The weights by group, then feature ("he|gq" under "he" as "gq"), so `pick`
        #: scores features without building their keys (`_keyed`).
        self.by_group: dict[str, dict[str, float]] = {}
        for key, w in self.weights.items():
            group, _, feature = key.partition("|")
            self.by_group.setdefault(group, {})[feature] = w

    @classmethod
    def load(cls, path: Path) -> CorefModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["weights"], data.get("meta"))

    def save(self, path: Path) -> None:
        data = {"weights": self.weights, "meta": self.meta}
        Path(path).write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")

    def _sum(self, group: str, features: list[str]) -> float:
        """The sum of the weights of ``_keyed(group, features)``, added in that order."""
        own, every = self.by_group.get(group, {}).get, self.by_group.get("*", {}).get
        return sum((every(k, 0.0) for k in features), sum(own(k, 0.0) for k in features))

    def pick(
        self, doc: Anaphora, p: int, cache: dict[tuple[str, int], float] | None = None
    ) -> int | None:
        """The position anaphor ``p`` refers to (None: a new character). ``cache`` keeps
        each candidate's own part of the score across anaphors of one document."""
        cands = doc.candidates(p)
        g = doc.info[p]["group"]
        cache = {} if cache is None else cache
        pairs = doc.pair_features(p, cands)
        best, top = None, self._sum(g, pairs[-1])
        for q, f in zip(cands, pairs[:-1], strict=True):
            own = cache.get((g, q))
            if own is None:
                own = cache[g, q] = self._sum(g, doc.candidate_features(q))
            score = own + self._sum(g, f)
            if score > top:
                best, top = q, score
        return best

    def resolve(self, doc: Anaphora) -> list[int]:
        """Cluster ids of every mention, each anaphor in its pick's cluster."""
        out = list(doc.refs)
        cache: dict[tuple[str, int], float] = {}
        for p in doc.anaphors():
            q = self.pick(doc, p, cache)
            if q is not None:
                out[doc.per[p]] = out[doc.per[q]]
        return out


_SHIPPED = Shipped(lambda: CorefModel.load(MODEL_PATH) if MODEL_PATH.exists() else None)


def default_model() -> CorefModel | None:
    """The model in use: `use`'s, else the shipped weights (None when absent)."""
    return _SHIPPED.get()


def use(model: CorefModel | None) -> AbstractContextManager[None]:
    """Resolve pronouns with ``model`` (None: the rules) inside the block."""
    return _SHIPPED.use(model)
