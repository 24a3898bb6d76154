"""Score the lite engine against LitBank gold (``../shared/litbank``) and print a table.

Usage: ``python bench/lite_quality.py [--limit N]``. Skips (exit 0) when the gold is absent.

How the text is rebuilt: each sample is one sentence per line, tokens separated by
spaces. The engine reads the tokens joined by spaces, sentences by newlines. The samples
carry no paragraph breaks, so one is inserted (a blank line) before every sentence that
opens with the sample's opening quote mark; this mimics how novels set dialogue (a turn
per paragraph) from the quote marks alone. The mark follows the sample's convention
(`quote_marks`): double quotes (straight or curly), single quotes (straight or curly:
Dickens, Brontë, Haggard) or dashes (em dash or ``--``: Joyce). Narration after a
closing mark stays in the quote's paragraph (``"...," said Elizabeth.``);
``PARAGRAPH_AFTER_QUOTE = True`` breaks there too (speaker attribution then loses the
narration around most quotes: about 47% vs 62%). Before 2026-11 only double quotes
opened a paragraph, and only while the parity of the marks seen so far said no quote
was open (one unbalanced mark shifted every later paragraph); single-quote and dash
samples were one paragraph each.

What is compared (exact spans; a predicted span counts only if both its ends fall on
gold token boundaries):

* entities by category: PROP and NOM mentions vs. every layer of the gold entity IOB
  (a set of (start, end, category)); LitBank entities have no pronouns.
* PROP / NOM: the same, split by the gold mention's type from the coreference files
  (when the span is not a coreference mention: PROP if every word but a leading
  determiner is capitalized, else NOM).
* PRON: predicted pronoun mentions vs. the coreference files' PRON mentions (with
  their categories, so the gold "it" = FAC counts as a miss).
* quotations: exact span match (quote marks included, as in the gold), and overlap
  match (a predicted and a gold quote sharing at least half of the longer one's tokens).
* speaker attribution: for gold quotes with a speaker that are overlap-matched by a
  predicted quote, right when the predicted speaker mention ends on the last token of a
  mention in the gold speaker's coreference chain (end-to-end: over all gold quotes
  with a speaker).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LITBANK = ROOT.parent / "shared" / "litbank"
sys.path.insert(0, str(ROOT))

CATS = ("PER", "LOC", "GPE", "FAC", "ORG", "VEH")
PUBLISHED = {"entity": (88.2, 90.0), "speaker": (86.4, 89.9)}
QUOTES = {'"', "\u201c", "\u201d"}
SINGLES = {"'", "\u2018", "\u2019"}
DASHES = {"\u2014", "--"}
PARAGRAPH_AFTER_QUOTE = False
DETERMINERS = {"the", "a", "an"}


def read_sentences(path: Path) -> list[list[str]]:
    return [
        line.split(" ") for line in path.read_text(encoding="utf-8").split("\n") if line.strip()
    ]


def quote_marks(sents: list[list[str]]) -> tuple[set[str], set[str]]:
    """The sample's dialogue convention: (marks that open a turn, all its quote marks).

    Double quotes, unless single marks (or dashes, as in Joyce) that open a sentence or
    follow ``. , ! ? : ;`` outnumber twice the double quotes (at least 3 of them).
    """
    toks = [t for s in sents for t in s]
    n_double = sum(t in QUOTES for t in toks)
    after = {".", "!", "?", ",", ":", ";", "--", "\u2014"}
    initial = Counter(
        t
        for s in sents
        for i, t in enumerate(s)
        if t in SINGLES | DASHES and (i == 0 or s[i - 1] in after)
    )
    single = sum(initial[t] for t in SINGLES)
    dash = sum(initial[t] for t in DASHES)
    if single >= 3 and 2 * n_double < single:
        return {"'", "\u2018"}, SINGLES
    if dash >= 4 and 4 * n_double < dash and single < dash:
        return DASHES, set()
    return {'"', "\u201c"}, QUOTES


def build_text(sents: list[list[str]]) -> tuple[str, list[tuple[int, int]], list[int]]:
    """Text, char span of each token, first token id of each sentence."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    sent_first: list[int] = []
    pos = 0
    openers, marks = quote_marks(sents)
    paragraph_after = False
    for k, sent in enumerate(sents):
        opens = sent[0] in openers
        sep = ("\n\n" if opens or paragraph_after else "\n") if k else ""
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
        paragraph_after = PARAGRAPH_AFTER_QUOTE and len(sent) > 1 and sent[-1] in marks
    return "".join(parts), spans, sent_first


def read_entity_gold(path: Path, n_tokens: int) -> set[tuple[int, int, str]] | None:
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


class Aligner:
    """Maps engine token spans to gold token spans through character offsets."""

    def __init__(self, spans: list[tuple[int, int]], onsets, offsets):
        self.by_start = {s: i for i, (s, _) in enumerate(spans)}
        self.by_end = {e: i for i, (_, e) in enumerate(spans)}
        self.onsets, self.offsets = onsets, offsets

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        s = self.by_start.get(int(self.onsets[start]))
        e = self.by_end.get(int(self.offsets[end]))
        return (s, e) if s is not None and e is not None else None


class PRF:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, pred: set, gold: set) -> None:
        self.tp += len(pred & gold)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    def row(self) -> tuple[float, float, float]:
        p = 100 * self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = 100 * self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def gold_prop(span, words, coref_props) -> str:
    if span in coref_props:
        return coref_props[span]
    toks = [w for w in words[span[0] : span[1] + 1] if w.isalpha()]
    if toks and toks[0].lower() in DETERMINERS:
        toks = toks[1:]
    return "PROP" if toks and all(t[:1].isupper() for t in toks) else "NOM"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="score only the first N books")
    args = ap.parse_args()
    if not (LITBANK / "coref").is_dir():
        print(f"SKIP: LitBank gold not found at {LITBANK} (expected ../shared/litbank)")
        return 0
    from booknlp_jupyter.engines.lite import LiteEngine

    engine = LiteEngine()
    engine.load("lite", ["entity"])
    by_cat = defaultdict(PRF)
    by_prop = defaultdict(PRF)
    quote_exact, quote_overlap = PRF(), PRF()
    spk = Counter()
    books = sorted(p.stem for p in (LITBANK / "coref").glob("*.txt"))
    if args.limit:
        books = books[: args.limit]
    skipped = []
    started = time.time()
    for book in books:
        sents = read_sentences(LITBANK / "coref" / f"{book}.txt")
        text, spans, sent_first = build_text(sents)
        words = [w for s in sents for w in s]
        res = engine.run(
            text, model="lite", pipeline=["entity", "quote", "coref"], progress=lambda *a: None
        )
        tok = res.tokens
        al = Aligner(spans, tok["byte_onset"], tok["byte_offset"])
        mentions, chains = read_coref(LITBANK / "coref" / f"{book}.ann", sent_first)
        coref_props = {(s, e): p for s, e, _c, p in mentions.values()}
        ent = res.entities
        pred = defaultdict(set)
        for s, e, p, c in zip(
            ent["start_token"], ent["end_token"], ent["prop"], ent["cat"], strict=False
        ):
            g = al.span(int(s), int(e))
            pred[p].add((g, c) if g is not None else (("x", int(s), int(e)), c))
        pred_np = {
            (g[0], g[1], c) if g[0] != "x" else (g, c) for p in ("PROP", "NOM") for g, c in pred[p]
        }
        gold = read_entity_gold(LITBANK / "entities" / f"{book}.tsv", len(words))
        if gold is None:
            skipped.append(book)
        else:
            for cat in CATS:
                by_cat[cat].add(
                    {x for x in pred_np if x[-1] == cat}, {x for x in gold if x[2] == cat}
                )
            by_cat["ALL"].add(pred_np, gold)
            for prop in ("PROP", "NOM"):
                gp = {x for x in gold if gold_prop(x[:2], words, coref_props) == prop}
                pp = {(g[0], g[1], c) if g[0] != "x" else (g, c) for g, c in pred[prop]}
                by_prop[prop].add(pp, gp)
        gpron = {(s, e, c) for s, e, c, p in mentions.values() if p == "PRON"}
        ppron = {(g[0], g[1], c) if g[0] != "x" else (g, c) for g, c in pred["PRON"]}
        by_prop["PRON"].add(ppron, gpron)

        gq, gspk = read_quotes(LITBANK / "quotations" / f"{book}.ann", sent_first)
        q = res.quotes
        pq = []
        for k in range(len(q["quote_start"])):
            g = al.span(q["quote_start"][k], q["quote_end"][k])
            ms = q["mention_start"][k]
            m = al.span(ms, q["mention_end"][k]) if ms is not None else None
            pq.append((g, m, (q["quote_start"][k], q["quote_end"][k])))
        quote_exact.add(
            {g for g, _, _ in pq if g is not None} | {("x", r) for g, _, r in pq if g is None},
            set(gq.values()),
        )
        # overlap matching in engine token space -> gold via char positions
        used = set()
        matched = {}
        for qid, (gs, ge) in gq.items():
            for k, (_g, _m, (ps, pe)) in enumerate(pq):
                if k in used:
                    continue
                a = al.by_start.get(int(tok["byte_onset"][ps]))
                b = al.by_end.get(int(tok["byte_offset"][pe]))
                a = a if a is not None else _nearest(spans, int(tok["byte_onset"][ps]))
                b = b if b is not None else _nearest(spans, int(tok["byte_offset"][pe]) - 1)
                inter = min(ge, b) - max(gs, a) + 1
                if inter > 0 and inter >= 0.5 * max(ge - gs + 1, b - a + 1):
                    used.add(k)
                    matched[qid] = k
                    break
        quote_overlap.tp += len(matched)
        quote_overlap.fn += len(gq) - len(matched)
        quote_overlap.fp += len(pq) - len(used)
        chain_ends = {}
        for ent_id, ids in chains.items():
            chain_ends[ent_id] = {mentions[i][1] for i in ids if i in mentions}
        for qid, ent_id in gspk.items():
            spk["gold"] += 1
            if qid not in matched:
                continue
            spk["matched"] += 1
            m = pq[matched[qid]][1]
            if m is not None and m[1] in chain_ends.get(ent_id, ()):
                spk["right"] += 1
    elapsed = time.time() - started
    print_table(by_cat, by_prop, quote_exact, quote_overlap, spk, len(books), skipped, elapsed)
    return 0


def _nearest(spans: list[tuple[int, int]], char: int) -> int:
    for i, (s, e) in enumerate(spans):
        if s <= char < e or s > char:
            return i
    return len(spans) - 1


def print_table(by_cat, by_prop, qe, qo, spk, n_books, skipped, elapsed) -> None:
    print(f"## lite engine vs. LitBank gold ({n_books} books, {elapsed:.0f} s)\n")
    print("| measure | P | R | F1 | BookNLP small | BookNLP big |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for cat in ("ALL", *CATS):
        p, r, f = by_cat[cat].row()
        pub = PUBLISHED["entity"] if cat == "ALL" else ("", "")
        label = "entities, all categories (PROP+NOM)" if cat == "ALL" else f"entities {cat}"
        print(f"| {label} | {p:.1f} | {r:.1f} | {f:.1f} | {pub[0]} | {pub[1]} |")
    for prop in ("PROP", "NOM", "PRON"):
        p, r, f = by_prop[prop].row()
        print(f"| entities {prop} | {p:.1f} | {r:.1f} | {f:.1f} | | |")
    for name, prf in (("quotations (exact span)", qe), ("quotations (overlap)", qo)):
        p, r, f = prf.row()
        print(f"| {name} | {p:.1f} | {r:.1f} | {f:.1f} | | |")
    acc = 100 * spk["right"] / spk["matched"] if spk["matched"] else 0.0
    e2e = 100 * spk["right"] / spk["gold"] if spk["gold"] else 0.0
    small, big = PUBLISHED["speaker"]
    print(
        f"| speaker attribution, accuracy on detected quotes ({spk['matched']}) | | | "
        f"{acc:.1f} | {small} (B3) | {big} (B3) |"
    )
    print(f"| speaker attribution, end-to-end ({spk['gold']} gold quotes) | | | {e2e:.1f} | | |")
    if skipped:
        print(
            f"\nEntity scores skip {len(skipped)} book(s) whose entity file does not align "
            f"with the sample: {', '.join(skipped)}"
        )
    print(
        "\nBookNLP's figures are its published ones (its own README; its models were "
        "trained on LitBank); its speaker score is B3, ours is accuracy."
    )


if __name__ == "__main__":
    sys.exit(main())
