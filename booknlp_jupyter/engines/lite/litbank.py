"""Read LitBank's gold samples (``../shared/litbank``) in the engine's terms.

Used by ``bench/lite_quality.py``, ``bench/train_speakers.py`` and the speaker model's
training (`speaker_train`); the engine itself never reads LitBank.

How the text is rebuilt: each sample is one sentence per line, tokens separated by
spaces. The engine reads the tokens joined by spaces, sentences by newlines. The samples
carry no paragraph breaks, so one is inserted (a blank line) before every sentence that
opens with the sample's opening quote mark (`quote_marks`: double, single or dash
convention); this mimics how novels set dialogue (a turn per paragraph). Narration after
a closing mark stays in the quote's paragraph (``"...," said Elizabeth.``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

QUOTES = frozenset('"\u201c\u201d')
SINGLES = frozenset("'\u2018\u2019")
DASHES = frozenset(("\u2014", "--"))
_AFTER = frozenset([".", "!", "?", ",", ":", ";", "--", "\u2014"])


def books(root: Path) -> list[str]:
    """The sample names (``105_persuasion``...), sorted."""
    return sorted(p.stem for p in (root / "coref").glob("*.txt"))


def read_sentences(path: Path) -> list[list[str]]:
    return [
        line.split(" ") for line in path.read_text(encoding="utf-8").split("\n") if line.strip()
    ]


def quote_marks(sents: list[list[str]]) -> tuple[frozenset[str], frozenset[str]]:
    """The sample's dialogue convention: (marks that open a turn, all its quote marks).

    Double quotes, unless single marks (or dashes, as in Joyce) that open a sentence or
    follow ``. , ! ? : ;`` outnumber twice the double quotes (at least 3 of them).
    """
    toks = [t for s in sents for t in s]
    n_double = sum(t in QUOTES for t in toks)
    initial = Counter(
        t
        for s in sents
        for i, t in enumerate(s)
        if t in SINGLES | DASHES and (i == 0 or s[i - 1] in _AFTER)
    )
    single = sum(initial[t] for t in SINGLES)
    dash = sum(initial[t] for t in DASHES)
    if single >= 3 and 2 * n_double < single:
        return frozenset("'\u2018"), SINGLES
    if dash >= 4 and 4 * n_double < dash and single < dash:
        return DASHES, frozenset()
    return frozenset('"\u201c'), QUOTES


def build_text(sents: list[list[str]]) -> tuple[str, list[tuple[int, int]], list[int]]:
    """Text, char span of each token, first token id of each sentence."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    sent_first: list[int] = []
    pos = 0
    openers, _marks = quote_marks(sents)
    for k, sent in enumerate(sents):
        sep = ("\n\n" if sent[0] in openers else "\n") if k else ""
        parts.append(sep)
        pos += len(sep)
        sent_first.append(len(spans))
        for i, tok in enumerate(sent):
            if i:
                parts.append(" ")
                pos += 1
            parts.append(tok)
            spans.append((pos, pos + len(tok)))
            pos += len(tok)
    return "".join(parts), spans, sent_first


def read_entity_gold(path: Path, n_tokens: int) -> set[tuple[int, int, str]] | None:
    """(start, end, category) of every layer of the IOB file; None if misaligned."""
    spans: set[tuple[int, int, str]] = set()
    rows = [
        line.rstrip("\t").split("\t")
        for line in path.read_text(encoding="utf-8").split("\n")
        if line.strip()
    ]
    if len(rows) != n_tokens:
        return None
    layers = len(rows[0]) - 1
    for layer in range(1, layers + 1):
        start = cat = None
        for i, row in enumerate([*rows, ["", "O"] * layers]):
            tag = row[layer] if layer < len(row) else "O"
            if start is not None and not tag.startswith("I-"):
                spans.add((start, i - 1, cat))
                start = None
            if tag.startswith("B-"):
                start, cat = i, tag[2:]
    return spans


def read_coref(path: Path, sent_first: list[int]):
    """Mentions {id: (start, end, cat, prop)} and chains {entity: [mention ids]}."""
    mentions, chains = {}, defaultdict(list)
    for line in path.read_text(encoding="utf-8").split("\n"):
        cols = line.split("\t")
        if cols[0] == "MENTION":
            s = sent_first[int(cols[2])] + int(cols[3])
            e = sent_first[int(cols[4])] + int(cols[5])
            mentions[cols[1]] = (s, e, cols[7], cols[8])
        elif cols[0] == "COREF":
            chains[cols[2]].append(cols[1])
    return mentions, chains


def read_quotes(path: Path, sent_first: list[int]):
    """Quotes {qid: (start, end)} and speakers {qid: coref entity id}."""
    quotes, speaker = {}, {}
    if not path.exists():
        return quotes, speaker
    for line in path.read_text(encoding="utf-8").split("\n"):
        cols = line.split("\t")
        if cols[0] == "QUOTE":
            quotes[cols[1]] = (
                sent_first[int(cols[2])] + int(cols[3]),
                sent_first[int(cols[4])] + int(cols[5]),
            )
        elif cols[0] == "ATTRIB":
            speaker[cols[1]] = cols[2]
    return quotes, speaker


class GoldTokens:
    """Maps engine tokens (by character onset/offset) to gold token ids."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = spans
        self.starts = [s for s, _ in spans]
        self.by_start = {s: i for i, (s, _) in enumerate(spans)}
        self.by_end = {e: i for i, (_, e) in enumerate(spans)}

    def at(self, char: int) -> int:
        """The gold token holding ``char`` (else the last one starting before it)."""
        return max(bisect_right(self.starts, char) - 1, 0)

    def exact(self, onset: int, offset: int) -> tuple[int, int] | None:
        """Gold (start, end) when both character ends fall on gold token boundaries."""
        s, e = self.by_start.get(onset), self.by_end.get(offset)
        return (s, e) if s is not None and e is not None else None

    def cover(self, onset: int, offset: int) -> tuple[int, int]:
        """Gold tokens that the characters ``[onset, offset)`` touch."""
        return self.at(onset), self.at(max(offset - 1, onset))


@dataclass
class Sample:
    """One book's gold, in gold token ids."""

    name: str
    text: str
    words: list[str]
    gold: GoldTokens
    entities: set[tuple[int, int, str]] | None
    mentions: dict
    chains: dict
    quotes: dict
    speakers: dict

    def chain_spans(self, entity: str) -> list[tuple[int, int]]:
        return [self.mentions[i][:2] for i in self.chains.get(entity, ()) if i in self.mentions]


def load_sample(root: Path, name: str) -> Sample:
    sents = read_sentences(root / "coref" / f"{name}.txt")
    text, spans, sent_first = build_text(sents)
    words = [w for s in sents for w in s]
    mentions, chains = read_coref(root / "coref" / f"{name}.ann", sent_first)
    quotes, speakers = read_quotes(root / "quotations" / f"{name}.ann", sent_first)
    ent_path = root / "entities" / f"{name}.tsv"
    entities = read_entity_gold(ent_path, len(words)) if ent_path.exists() else None
    return Sample(
        name, text, words, GoldTokens(spans), entities, mentions, chains, quotes, speakers
    )


def match_quotes(
    gold: dict[str, tuple[int, int]], pred: Sequence[tuple[int, int]]
) -> dict[str, int]:
    """Gold quote id -> predicted quote index, when both ends are within one token."""
    out: dict[str, int] = {}
    used: set[int] = set()
    for qid, (gs, ge) in sorted(gold.items(), key=lambda kv: kv[1]):
        for k, (ps, pe) in enumerate(pred):
            if k not in used and abs(ps - gs) <= 1 and abs(pe - ge) <= 1:
                used.add(k)
                out[qid] = k
                break
    return out


def overlaps(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
    return any(span[0] <= e and s <= span[1] for s, e in others)
