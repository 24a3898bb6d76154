"""Candidate speakers of each quote and their features, for the speaker model.

A quote's candidates are the PER mentions (names, nouns, pronouns) of the narration (not
inside any quote: a "you" or "I" in the dialogue is not shown as a speaker; not nested
in another PER mention: the "his" of "said his wife") within
`WINDOW` tokens, from two paragraphs before to the one after, plus the mentions given as
speakers of the two previous quotes (turn-taking may reach further back). Each candidate
gets sparse features (name -> value): where it stands (before/after, paragraph, distance,
nearest on its side), what it is (name, noun, pronoun and which), its syntax (subject of
a speech verb, next to one), whether it is inside another quote, whether the rule-based
attribution (`quotes.rule_speakers`) picked it or its character, whether its character is
addressed inside the quote (a vocative), and turn-taking: whether its character spoke the
previous quote (same paragraph: a continued turn; previous paragraph: the other speaker)
or the quote two turns back (alternation in a dialogue run).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from math import log1p

from .entities import Mentions
from .tokens import TokenColumns
from .words import FIRST_PERSON, HE, SHE, SPEECH_VERBS

WINDOW = 50
_SUBJ = frozenset(("nsubj", "nsubjpass"))
_PLURAL = frozenset(("we", "us", "our", "ours", "ourselves", "they", "them", "their", "theirs"))
_YOU = frozenset(("you", "your", "yours", "yourself", "thou", "thee", "thy", "ye"))
_VOC_BEFORE = frozenset((",", "!", "?", ".", ";", "\u2014", "--"))
_VOC_AFTER = frozenset((",", "!", "?", ".", ";", "\u2014", "--"))


def is_vocative(words: Sequence[str], s: int, e: int, ms: int, me: int) -> bool:
    """Whether the mention ``ms..me`` inside the quote ``s..e`` (its marks' tokens) is
    set off as an address: after the opening mark or punctuation, before punctuation
    or the closing mark ("Lizzy, ...", "..., my dear Mr. Bennet!")."""
    if me >= e:
        return False
    prev = words[ms - 1] if ms - 1 >= s else ""
    return (ms - 1 == s or prev in _VOC_BEFORE) and (words[me + 1] in _VOC_AFTER or me + 1 == e)


FEATURES = (
    "after",
    "before",
    "para_same",
    "para_prev",
    "para_prev2",
    "para_next",
    "far",
    "log_gap",
    "gap_le2",
    "nearest_after",
    "nearest_before",
    "after_same",
    "before_same",
    "before_prev",
    "prop",
    "nom",
    "pron",
    "pron_first",
    "pron_you",
    "pron_plural",
    "pron_3sg",
    "poss",
    "subj",
    "subj_speech",
    "near_speech",
    "speech_after_same",
    "speech_before_same",
    "between_quotes",
    "quote_sentence",
    "rule_pick",
    "rule_cluster",
    "vocative",
    "prev1_same_para",
    "prev1_prev_para",
    "prev1_no_speech",
    "prev2_alternate",
    "prev2_no_speech",
    "is_prev_mention",
    "cluster_size",
    "para_has_speech_x_same",
    "quote_only_para_x_prev",
)
INDEX = {name: k for k, name in enumerate(FEATURES)}

Row = dict[int, float]


def _nested(mentions: Mentions, per: list[int]) -> set[int]:
    """PER mentions strictly inside another ("his" of "his wife"): never a speaker."""
    out: set[int] = set()
    outer_end, outer = -1, -1
    for k in sorted(per, key=lambda k: (mentions.starts[k], -mentions.ends[k])):
        s, e = mentions.starts[k], mentions.ends[k]
        if outer >= 0 and e <= outer_end and (s, e) != (mentions.starts[outer], outer_end):
            out.add(k)
        if e > outer_end:
            outer_end, outer = e, k
    return out


class DocSpeakers:
    """One document's quotes and PER mentions, indexed for candidate features."""

    def __init__(
        self,
        cols: TokenColumns,
        mentions: Mentions,
        quotes: Sequence[tuple[int, int]],
        in_quote: bytearray,
        cluster_of: Callable[[int], object],
        rule_picks: Sequence[int | None],
    ):
        self.cols, self.mentions, self.quotes, self.in_quote = cols, mentions, quotes, in_quote
        self.cluster_of = cluster_of
        self.rules = rule_picks
        self.per = [k for k in range(len(mentions)) if mentions.cats[k] == "PER"]
        self.per_starts = [mentions.starts[k] for k in self.per]
        self.para_first: list[int] = []
        self.para_last: list[int] = []
        para = cols.para_ids
        for i in range(len(cols)):
            if i == 0 or para[i] != para[i - 1]:
                self.para_first.append(i)
                if i:
                    self.para_last.append(i - 1)
        if len(cols):
            self.para_last.append(len(cols) - 1)
        self.sizes = Counter(cluster_of(k) for k in self.per)
        self.nested = _nested(mentions, self.per)
        self.quote_para = [self.para(s) for s, _ in quotes]
        self.quote_starts = [s for s, _ in quotes]
        self.para_speech: dict[int, bool] = {}
        self._mention_info: dict[int, tuple[bool, bool, bool]] = {}

    def para(self, i: int) -> int:
        return bisect_right(self.para_first, i) - 1

    def is_speech(self, i: int) -> bool:
        c = self.cols
        return not self.in_quote[i] and c.pos[i] == "VERB" and c.lemmas[i].lower() in SPEECH_VERBS

    def has_speech(self, p: int) -> bool:
        if p not in self.para_speech:
            rng = range(self.para_first[p], self.para_last[p] + 1)
            self.para_speech[p] = any(self.is_speech(i) for i in rng)
        return self.para_speech[p]

    def info(self, m: int) -> tuple[bool, bool, bool]:
        """(subject, subject of a speech verb, a speech verb within 3 tokens) of ``m``."""
        got = self._mention_info.get(m)
        if got is None:
            c = self.cols
            s, e = self.mentions.starts[m], self.mentions.ends[m]
            h = e
            for i in range(s, e + 1):
                if not s <= c.heads[i] <= e or c.heads[i] == i:
                    h = i
                    break
            subj = c.deps[h] in _SUBJ and not self.in_quote[h]
            p = c.para_ids[s]
            near = any(
                self.is_speech(i)
                for i in range(max(s - 3, 0), min(e + 4, len(c)))
                if (i < s or i > e) and c.para_ids[i] == p
            )
            got = (subj, subj and self.is_speech(c.heads[h]), near)
            self._mention_info[m] = got
        return got

    def vocatives(self, q: int) -> set:
        """Characters addressed inside quote ``q`` (a name or noun set off by commas)."""
        s, e = self.quotes[q]
        words, out = self.cols.words, set()
        lo = bisect_left(self.per_starts, s)
        hi = bisect_right(self.per_starts, e)
        for k in self.per[lo:hi]:
            ms, me = self.mentions.starts[k], self.mentions.ends[k]
            if self.mentions.props[k] == "PRON" or me >= e:
                continue
            if is_vocative(words, s, e, ms, me):
                out.add(self.cluster_of(k))
        return out

    def candidates(self, q: int, prev: Sequence[int | None]) -> list[int]:
        s, e = self.quotes[q]
        p = self.quote_para[q]
        lo = max(self.para_first[max(p - 2, 0)], s - WINDOW)
        hi = min(self.para_last[min(p + 1, len(self.para_last) - 1)], e + WINDOW)
        a = bisect_left(self.per_starts, lo)
        b = bisect_right(self.per_starts, hi)
        inq, nested = self.in_quote, self.nested
        out = [k for k in self.per[a:b] if not inq[self.mentions.starts[k]] and k not in nested]
        for m in prev:
            if m is not None and m not in out:
                out.append(m)
        return out

    def features(self, q: int, cands: list[int], prev: Sequence[int | None]) -> list[Row]:
        """Sparse rows for ``cands``; ``prev`` = speakers of quotes ``q-1``, ``q-2``."""
        cols, ments = self.cols, self.mentions
        s, e = self.quotes[q]
        p = self.quote_para[q]
        nxt = self.quote_starts[q + 1] if q + 1 < len(self.quotes) else len(cols)
        prevq = self.quotes[q - 1] if q >= 1 else None
        rule = self.rules[q] if q < len(self.rules) else None
        rule_c = self.cluster_of(rule) if rule is not None else None
        voc = self.vocatives(q)
        p1, p2 = [*prev, None, None][:2]
        c1 = self.cluster_of(p1) if p1 is not None else None
        c2 = self.cluster_of(p2) if p2 is not None else None
        q1_para = self.quote_para[q - 1] if q >= 1 else None
        q2_para = self.quote_para[q - 2] if q >= 2 else None
        speech_here = self.has_speech(p)
        quote_only = self.para_first[p] >= s and self.para_last[p] <= e
        after_same = [k for k in cands if ments.starts[k] > e and self.para(ments.starts[k]) == p]
        before = [k for k in cands if ments.ends[k] < s]
        first_after = min(after_same, key=lambda k: ments.starts[k], default=None)
        last_before = max(before, key=lambda k: ments.ends[k], default=None)
        sent_ids = {cols.sent_ids[s], cols.sent_ids[e]}
        rows: list[Row] = []
        for k in cands:
            ms, me = ments.starts[k], ments.ends[k]
            pm = self.para(ms)
            rel = pm - p
            after = ms > e
            gap = ms - e - 1 if after else max(s - me - 1, 0)
            far = gap > WINDOW or rel < -2 or rel > 1
            subj, subj_speech, near = self.info(k)
            word = cols.words[ms].lower()
            prop = ments.props[k]
            c = self.cluster_of(k)
            f = {
                "after": after,
                "before": not after,
                "para_same": rel == 0,
                "para_prev": rel == -1,
                "para_prev2": rel <= -2,
                "para_next": rel >= 1,
                "far": far,
                "log_gap": 0.0 if far else log1p(gap) / 4,
                "gap_le2": gap <= 2 and not far,
                "nearest_after": k == first_after,
                "nearest_before": k == last_before,
                "after_same": after and rel == 0,
                "before_same": not after and rel == 0,
                "before_prev": not after and rel == -1,
                "prop": prop == "PROP",
                "nom": prop == "NOM",
                "pron": prop == "PRON",
                "pron_first": prop == "PRON" and word in FIRST_PERSON,
                "pron_you": prop == "PRON" and word in _YOU,
                "pron_plural": prop == "PRON" and word in _PLURAL,
                "pron_3sg": prop == "PRON" and (word in HE or word in SHE),
                "poss": cols.deps[me] == "poss",
                "subj": subj,
                "subj_speech": subj_speech,
                "near_speech": near,
                "speech_after_same": (subj_speech or near) and after and rel == 0 and ms < nxt,
                "speech_before_same": (subj_speech or near)
                and not after
                and rel == 0
                and (prevq is None or ms > prevq[1]),
                "between_quotes": after and rel == 0 and ms < nxt and nxt < len(cols),
                "quote_sentence": cols.sent_ids[ms] in sent_ids,
                "rule_pick": k == rule,
                "rule_cluster": rule_c is not None and c == rule_c,
                "vocative": c in voc,
                "prev1_same_para": c1 is not None and c == c1 and q1_para == p,
                "prev1_prev_para": c1 is not None and c == c1 and q1_para == p - 1,
                "prev1_no_speech": c1 is not None
                and c == c1
                and q1_para == p - 1
                and not speech_here,
                "prev2_alternate": c2 is not None
                and c == c2
                and q2_para == p - 2
                and q1_para == p - 1
                and c != c1,
                "prev2_no_speech": c2 is not None and c == c2 and not speech_here and c != c1,
                "is_prev_mention": k in (p1, p2),
                "cluster_size": log1p(self.sizes.get(c, 1)) / 4,
                "para_has_speech_x_same": speech_here and rel == 0,
                "quote_only_para_x_prev": quote_only and rel == -1,
            }
            rows.append({INDEX[n]: float(v) for n, v in f.items() if v})
        return rows
