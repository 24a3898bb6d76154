"""Score the lite engine against LitBank gold (``../shared/litbank``) and print a table.

Usage: ``python bench/lite_quality.py [--limit N] [--folds K] [--rules] [--no-speed]``.
Skips (exit 0) when the gold is absent. How a sample's text is rebuilt (paragraph
breaks before turns of dialogue): `booknlp_jupyter.engines.lite.litbank`.

Measures (issue 14's definitions; gold and predicted spans compared in gold tokens, a
predicted token mapped to the gold token holding its characters):

* entities: PROP and NOM mentions, exact character span and category, against every
  layer of the gold entity IOB (LitBank's entity layer has no pronouns, so predicted
  pronouns are left out). Also split by the gold mention's type (PROP / NOM, from the
  coreference files, else capitalisation) and predicted pronouns against the
  coreference layer's PRON mentions.
* quotations: a match when both ends fall within one token of a gold quote's (one to
  one); exact-span matches too.
* attribution: over matched gold quotes with a speaker, right when the predicted speaker
  mention overlaps a mention of the gold speaker's coreference chain (end-to-end: over
  all gold quotes with a speaker).
* character clustering: B3 over the gold PER mentions of the coreference layer, each
  taking the ``COREF`` id of the predicted entity with exactly its span (any prop,
  pronouns included), else a singleton of its own.

``--folds K``: K-fold cross-validation over the books (seeded shuffle) for the trained
models: per fold, the entity model (`entity_train.train`) is trained on the other folds,
then the pronoun model (`coref_train.train`) and the speaker model
(`speaker_train.train`) on the other folds' engine runs with the models before them, and
the engine re-run on the held-out books with all three; rows then give, per
measure, the mean ± standard deviation over folds for the rules and for the trained
models. Without ``--folds`` the engine runs as shipped (``--rules``: the rule-based
fallbacks). spaCy parses each sample once (`CachedParses`); later runs reuse the Docs.

Then, in the same run (unless ``--no-speed``), the issue's speed and memory figures
(`lite_speed`, each in a fresh process): throughput on Pride and Prejudice beside bare
``nlp.pipe`` of the same spaCy model (goal ≥ 0.7x), and peak RSS on a 5,000,000-character
text (goal ≤ 1 GB).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LITBANK = ROOT.parent / "shared" / "litbank"
sys.path.insert(0, str(ROOT))

CATS = ("PER", "LOC", "GPE", "FAC", "ORG", "VEH")
PUBLISHED = {"entity": (88.2, 90.0), "speaker": (86.4, 89.9)}
DETERMINERS = {"the", "a", "an"}
SEED = 14


def gold_prop(span, words, coref_props) -> str:
    if span in coref_props:
        return coref_props[span]
    toks = [w for w in words[span[0] : span[1] + 1] if w.isalpha()]
    if toks and toks[0].lower() in DETERMINERS:
        toks = toks[1:]
    return "PROP" if toks and all(t[:1].isupper() for t in toks) else "NOM"


def prf(c: Counter, key: str) -> tuple[float, float, float]:
    tp, fp, fn = c[key + ".tp"], c[key + ".fp"], c[key + ".fn"]
    p = 100 * tp / (tp + fp) if tp + fp else 0.0
    r = 100 * tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def add_prf(c: Counter, key: str, pred: set, gold: set) -> None:
    c[key + ".tp"] += len(pred & gold)
    c[key + ".fp"] += len(pred - gold)
    c[key + ".fn"] += len(gold - pred)


def score_book(sample, res) -> Counter:
    """Counts for every measure on one sample (sum them over books, then `measures`)."""
    from booknlp_jupyter.engines.lite.litbank import match_quotes, overlaps

    c: Counter = Counter()
    g = sample.gold
    on, off = res.tokens["byte_onset"], res.tokens["byte_offset"]

    def exact(s, e):
        return g.exact(int(on[s]), int(off[e]))

    def cover(s, e):
        return g.cover(int(on[s]), int(off[e]))

    ent = res.entities
    rows = list(
        zip(
            ent["start_token"], ent["end_token"], ent["prop"], ent["cat"], ent["COREF"], strict=True
        )
    )
    pred = defaultdict(set)
    span_coref: dict[tuple[int, int], int] = {}
    for s, e, p, cat, ref in rows:
        span = exact(int(s), int(e))
        key = span if span is not None else ("x", int(s), int(e))
        pred[p].add((*key, cat) if span is not None else (key, cat))
        if span is not None and (span not in span_coref or cat == "PER"):
            span_coref[span] = int(ref)
    coref_props = {(s, e): p for s, e, _c, p in sample.mentions.values()}
    if sample.entities is not None:
        gold = sample.entities
        pred_np = pred["PROP"] | pred["NOM"]
        c["books.entities"] += 1
        for cat in CATS:
            add_prf(
                c,
                f"ent.{cat}",
                {x for x in pred_np if x[-1] == cat},
                {x for x in gold if x[2] == cat},
            )
        add_prf(c, "ent.ALL", pred_np, gold)
        for prop in ("PROP", "NOM"):
            gp = {x for x in gold if gold_prop(x[:2], sample.words, coref_props) == prop}
            add_prf(c, f"ent.{prop}", pred[prop], gp)
    gpron = {(s, e, cat) for s, e, cat, p in sample.mentions.values() if p == "PRON"}
    add_prf(c, "ent.PRON", pred["PRON"], gpron)

    q = res.quotes
    pq = [cover(s, e) for s, e in zip(q["quote_start"], q["quote_end"], strict=True)]
    matched = match_quotes(sample.quotes, pq)
    gq = set(sample.quotes.values())
    c["quote.tp"] += len(matched)
    c["quote.fp"] += len(pq) - len(matched)
    c["quote.fn"] += len(gq) - len(matched)
    add_prf(c, "quote_exact", set(pq), gq)
    for qid, ent_id in sample.speakers.items():
        if qid not in sample.quotes:
            continue
        c["spk.gold"] += 1
        if qid not in matched:
            continue
        c["spk.matched"] += 1
        k = matched[qid]
        ms = q["mention_start"][k]
        if ms is not None and overlaps(cover(ms, q["mention_end"][k]), sample.chain_spans(ent_id)):
            c["spk.right"] += 1

    gold_of = {}
    for ent_id, ids in sample.chains.items():
        for i in ids:
            if i in sample.mentions and sample.mentions[i][2] == "PER":
                gold_of[sample.mentions[i][:2]] = ent_id
    pred_of = {sp: span_coref.get(sp, ("single", sp)) for sp in gold_of}
    gsize, psize, both = Counter(gold_of.values()), Counter(pred_of.values()), Counter()
    for sp in gold_of:
        both[gold_of[sp], pred_of[sp]] += 1
    for sp in gold_of:
        n = both[gold_of[sp], pred_of[sp]]
        c["b3.p"] += n / psize[pred_of[sp]]
        c["b3.r"] += n / gsize[gold_of[sp]]
        c["b3.n"] += 1
    return c


def measures(c: Counter) -> dict[str, tuple[float, float, float]]:
    """(P, R, F1) per row label (accuracy rows: F1 only, P and R are nan)."""
    nan = float("nan")
    out = {}
    for cat in ("ALL", *CATS, "PROP", "NOM", "PRON"):
        label = {"ALL": "entities, all categories (PROP+NOM)"}.get(cat, f"entities {cat}")
        out[label] = prf(c, f"ent.{cat}")
    out["quotations (both ends within 1 token)"] = prf(c, "quote")
    out["quotations (exact span)"] = prf(c, "quote_exact")
    acc = 100 * c["spk.right"] / c["spk.matched"] if c["spk.matched"] else 0.0
    e2e = 100 * c["spk.right"] / c["spk.gold"] if c["spk.gold"] else 0.0
    out["speaker attribution, % of matched quotes"] = (nan, nan, acc)
    out["speaker attribution, end-to-end (% of gold quotes)"] = (nan, nan, e2e)
    n = c["b3.n"] or 1
    p, r = 100 * c["b3.p"] / n, 100 * c["b3.r"] / n
    out["character clustering B3 (gold PER mentions)"] = (p, r, 2 * p * r / (p + r) if p + r else 0)
    return out


def _published(label: str) -> tuple[str, str]:
    if label.startswith("entities, all"):
        return PUBLISHED["entity"]
    if label.startswith("speaker attribution, %"):
        return tuple(f"{x} (B3)" for x in PUBLISHED["speaker"])
    return ("", "")


def _fmt(x: float) -> str:
    return "" if x != x else f"{x:.1f}"


def print_single(c: Counter, title: str) -> None:
    print(f"## {title}\n")
    print("| measure | P | R | F1 | BookNLP small | BookNLP big |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    counts = {"matched": c["spk.matched"], "gold quotes": c["spk.gold"]}
    for label, (p, r, f) in measures(c).items():
        small, big = _published(label)
        if label.startswith("speaker"):
            label += f" ({'matched' if 'matched' in label else 'gold quotes'}: " + (
                f"{counts['matched' if 'matched' in label else 'gold quotes']})"
            )
        print(f"| {label} | {_fmt(p)} | {_fmt(r)} | {_fmt(f)} | {small} | {big} |")


def _ms(values: list[float]) -> str:
    if not values or values[0] != values[0]:
        return ""
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.1f} ± {sd:.1f}"


def print_folds(before: list[Counter], after: list[Counter], title: str) -> None:
    print(f"## {title}\n")
    print("F1 (or accuracy): mean ± std over folds; P and R of the trained run.\n")
    print("| measure | rules F1 | trained F1 | trained P | trained R | BookNLP small |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    mb = [measures(c) for c in before]
    ma = [measures(c) for c in after]
    for label in ma[0]:
        fb = _ms([m[label][2] for m in mb])
        fa = _ms([m[label][2] for m in ma])
        pa = _ms([m[label][0] for m in ma])
        ra = _ms([m[label][1] for m in ma])
        print(f"| {label} | {fb} | {fa} | {pa} | {ra} | {_published(label)[0]} |")


class CachedParses:
    """The engine's spaCy pipeline, parsing each text once: `pipe` hands back the Doc
    parsed before for the same text (the engine only reads Docs)."""

    def __init__(self, nlp):
        self._nlp = nlp
        self._docs: dict[str, object] = {}

    def __getattr__(self, name: str):
        return getattr(self._nlp, name)

    def pipe(self, docs, batch_size: int = 64):
        docs = list(docs)
        todo = [d for d in docs if d.text not in self._docs]
        for doc in self._nlp.pipe(todo, batch_size=batch_size):
            self._docs[doc.text] = doc
        return (self._docs[d.text] for d in docs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="score only the first N books")
    ap.add_argument("--folds", type=int, default=0, help="K-fold cross-validation (K >= 2)")
    ap.add_argument("--rules", action="store_true", help="no trained models (the fallbacks)")
    ap.add_argument("--no-speed", action="store_true", help="skip the speed and memory rows")
    ap.add_argument("--speed-chars", type=int, default=5_000_000, help="the memory row's size")
    args = ap.parse_args()
    if not (LITBANK / "coref").is_dir():
        print(f"SKIP: LitBank gold not found at {LITBANK} (expected ../shared/litbank)")
        return 0
    from booknlp_jupyter.engines.lite import LiteEngine
    from booknlp_jupyter.engines.lite import coref_model as cm
    from booknlp_jupyter.engines.lite import coref_train as ct
    from booknlp_jupyter.engines.lite import entity_model as em
    from booknlp_jupyter.engines.lite import entity_train as et
    from booknlp_jupyter.engines.lite import speaker_model as sm
    from booknlp_jupyter.engines.lite import speaker_train as st
    from booknlp_jupyter.engines.lite.litbank import books as list_books

    engine = LiteEngine()
    engine.load("lite", ["entity"])
    engine._nlp = CachedParses(engine._nlp)
    names = list_books(LITBANK)[: args.limit or None]
    started = time.time()
    if args.folds < 2:
        ents = None if args.rules else em.default_model()
        corefs = None if args.rules else cm.default_model()
        model = None if args.rules else sm.default_model()
        total: Counter = Counter()
        with em.use(ents), cm.use(corefs):
            for name in names:
                book = st.load_book(engine, LITBANK, name, model)
                total += score_book(book.sample, book.result)
        how = "trained models" if model is not None else "rules"
        print_single(
            total,
            f"lite engine vs. LitBank gold ({len(names)} books, {how}, "
            f"{time.time() - started:.0f} s)",
        )
        _footer()
        return 0 if args.no_speed else print_speed(chars=args.speed_chars)
    with em.use(None), cm.use(None):
        books = {n: st.load_book(engine, LITBANK, n, None) for n in names}
    entity_books = dict(zip(names, et.load_books(engine, LITBANK, names), strict=True))
    order = list(names)
    random.Random(SEED).shuffle(order)
    folds = [order[k :: args.folds] for k in range(args.folds)]
    before, after = [], []
    for k, held in enumerate(folds):
        train_names = [n for n in names if n not in held]
        ents = et.train([entity_books[n] for n in train_names])
        cb, ca = Counter(), Counter()
        with em.use(ents):
            corefs = ct.train(ct.load_books(engine, LITBANK, train_names))
        with em.use(ents), cm.use(corefs):
            model = st.train([st.load_book(engine, LITBANK, n, None) for n in train_names])
            for n in held:
                cb += score_book(books[n].sample, books[n].result)
                again = st.load_book(engine, LITBANK, n, model)
                ca += score_book(again.sample, again.result)
        before.append(cb)
        after.append(ca)
        ma, mb = measures(ca), measures(cb)
        print(
            f"fold {k + 1}/{args.folds}: {len(held)} books; rules -> trained: "
            + ", ".join(
                f"{label} {mb[key][2]:.1f} -> {ma[key][2]:.1f}"
                for label, key in (
                    ("PER", "entities PER"),
                    ("all", "entities, all categories (PROP+NOM)"),
                    ("speakers", "speaker attribution, % of matched quotes"),
                    ("B3", "character clustering B3 (gold PER mentions)"),
                )
            ),
            flush=True,
        )
    print()
    print_folds(
        before,
        after,
        f"lite engine vs. LitBank gold: {args.folds}-fold cross-validation "
        f"over {len(names)} books ({time.time() - started:.0f} s)",
    )
    print("\nPooled over all books (every book scored by a model that did not see it):\n")
    print_single(sum(after, Counter()), "trained models, pooled")
    _footer()
    return 0 if args.no_speed else print_speed(chars=args.speed_chars)


def print_speed(novel: str = "1342_pride_and_prejudice.txt", chars: int = 5_000_000) -> int:
    """The speed and memory rows: lite vs bare ``nlp.pipe`` throughput, peak RSS."""
    import lite_speed

    if not lite_speed.CORPUS.is_dir():
        print(f"\nSKIP speed: no corpus at {lite_speed.CORPUS}")
        return 0
    bare, lite = lite_speed.measure("bare", novel=novel), lite_speed.measure("lite", novel=novel)
    big = lite_speed.measure("lite", size=chars)
    print()
    lite_speed.print_rows([bare, lite, big], "speed and memory (fresh process each)")
    if not any("error" in r for r in (bare, lite, big)):
        ratio = lite["chars_per_s"] / bare["chars_per_s"]
        print(
            f"\n| measure | lite | goal |\n| --- | ---: | ---: |\n"
            f"| throughput vs bare nlp.pipe ({novel}) | {ratio:.2f}x | >= 0.7x |\n"
            f"| peak RSS, {chars:,} characters | {big['peak_rss_mb']:,.0f} MB | <= 1,024 MB |"
        )
    return 0


def _footer() -> None:
    print(
        "\nBookNLP's figures are its published ones (its own README; its models were "
        "trained on LitBank); its speaker score is B3, ours is accuracy."
    )


if __name__ == "__main__":
    sys.exit(main())
