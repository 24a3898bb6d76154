"""The lite engine's characters on whole novels, as a reader checks them.

Usage: ``python bench/lite_novels.py [NOVEL ...]`` (file names in ``../shared/corpus``;
default: all of them). LitBank's samples are 2,000 words; a rule that is safe there can
snowball over a novel (one "her father" linked wrongly joined two named characters, and
chains of such joins once made one character of half of *Emma*'s cast). Per novel it
prints the characters with a name, how many of them speak and how many quotes go to a
nameless speaker, the largest characters with their commonest names, and the *suspect*
ones: a character under two titled surnames ("Mr. Knightley" and "Mrs. Weston"; some are
right: Miss Taylor becomes Mrs. Weston). It measures, never asserts.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))
TITLED = {"mr", "mr.", "mrs", "mrs.", "miss", "lady", "sir", "dr", "dr.", "captain", "lord"}


def report(name: str, res) -> None:
    ent, quotes = res.entities, res.quotes
    names: defaultdict[int, Counter[str]] = defaultdict(Counter)
    surnames: defaultdict[int, set[str]] = defaultdict(set)
    rows = zip(ent["text"], ent["prop"], ent["cat"], ent["COREF"], strict=True)
    for text, prop, cat, ref in rows:
        if prop == "PROP" and cat == "PER":
            names[int(ref)][text] += 1
            words = text.split()
            if len(words) == 2 and words[0].lower() in TITLED:
                surnames[int(ref)].add(words[1])
    spoken = Counter(int(c) for c in quotes["char_id"] if c is not None)
    named_speakers = sum(1 for c in spoken if c in names)
    nameless = sum(n for c, n in spoken.items() if c not in names)
    suspect = {c: s for c, s in surnames.items() if len(s) > 1}
    print(f"\n## {name}\n")
    print(
        f"{len(names)} characters with a name; {len(spoken)} speak ({named_speakers} named); "
        f"{nameless} of {sum(spoken.values())} quotes to a nameless speaker; "
        f"{len(suspect)} under two titled surnames"
    )
    top = sorted(names, key=lambda c: -sum(names[c].values()))[:10]
    print("\n| character | name mentions | quotes | its names |\n|---:|---:|---:|---|")
    for c in top:
        common = ", ".join(f"{t} {n}" for t, n in names[c].most_common(5))
        print(f"| {c} | {sum(names[c].values())} | {spoken.get(c, 0)} | {common} |")
    for c, s in sorted(suspect.items(), key=lambda kv: -sum(names[kv[0]].values()))[:5]:
        print(f"suspect {c}: {', '.join(sorted(s))}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("novels", nargs="*")
    args = ap.parse_args()
    paths = [CORPUS / n for n in args.novels] or sorted(CORPUS.glob("*.txt"))
    if not paths or not all(p.exists() for p in paths):
        print(f"SKIP: novels not found in {CORPUS}")
        return 0
    from booknlp_jupyter.engines.lite import LiteEngine

    engine = LiteEngine()
    engine.load("lite", ["entity", "quote", "coref"])
    for path in paths:
        started = time.time()
        text = path.read_text(encoding="utf-8")
        res = engine.run(
            text, model="lite", pipeline=["entity", "quote", "coref"], progress=lambda *a: None
        )
        report(f"{path.stem} ({len(text):,} characters, {time.time() - started:.0f} s)", res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
