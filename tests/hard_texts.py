"""Texts built to hurt an engine, and a measurement of the lite engine on one of them.

``python -m tests.hard_texts KIND CHARS`` runs the lite engine (full pipeline) on
``make_text(KIND, CHARS)``, writes the result as the worker does, checks that the tokens
slice the text, and prints JSON: CPU seconds of the run (model loading excluded), tokens.
`measure` runs that in a fresh process under a parent that runs nothing else, so the
parent's ``RUSAGE_CHILDREN`` peak RSS is the run's own.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOVEL = ROOT.parent / "shared" / "corpus" / "1342_pride_and_prejudice.txt"
FULL = ["entity", "quote", "supersense", "event", "coref"]


def _names(n: int) -> str:
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"
    out, size = [], 0
    while size < n:
        name = rng.choice(letters).upper() + "".join(rng.choice(letters) for _ in range(6))
        out.append(f"Mr. {name} said. ")
        size += len(out[-1])
    return "".join(out)


def _novel(n: int) -> str:
    source = NOVEL if NOVEL.exists() else Path(__file__).parent / "fixtures" / "pride_excerpt.txt"
    text = source.read_text(encoding="utf-8")
    return text * (n // len(text) + 1)


#: Kind -> what it repeats (a text with no paragraph break unless it says otherwise).
UNITS: dict[str, Any] = {
    "novel": _novel,  # Pride and Prejudice, repeated
    "words": "word ",  # one line, no sentence end (the 5 MB case)
    "nosent": "the cat and the dog ",  # sentences without an end
    "quotes": '"',  # only quote marks
    "punct": "!?.,;:'\"-",  # only punctuation, no space
    "nospace": "abcdefghij",  # letters, no space
    "dense": "a ",  # one-letter words: 2 characters a token
    "marks": '"a',  # a mark and a letter: 1 character a token
    "lines": '"!"\n\n',  # one short paragraph after another
    "names": _names,  # a list of distinct names
}


def make_text(kind: str, n: int) -> str:
    """``n`` characters of text of ``kind`` (see `UNITS`)."""
    unit = UNITS[kind]
    text = unit(n) if callable(unit) else unit * (n // len(unit) + 1)
    return text[:n]


_PARENT = (
    "import json, resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(json.dumps({'rc': r.returncode, 'out': r.stdout, 'err': r.stderr[-4000:],"
    " 'maxrss_mb': ru.ru_maxrss / 1024}))\n"
)


def measure(kind: str, n: int, timeout: float = 1800) -> dict[str, Any]:
    """Run the lite engine on ``make_text(kind, n)`` in a fresh process: its ``rc``, peak
    RSS (``maxrss_mb``), the run's ``cpu`` seconds, ``tokens`` and ``chars``."""
    child = [sys.executable, "-m", "tests.hard_texts", kind, str(n)]
    done = subprocess.run(
        [sys.executable, "-c", _PARENT, *child],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    report = json.loads(done.stdout)
    if report["rc"] == 0:
        report.update(json.loads(report["out"].strip().splitlines()[-1]))
    return report


def _run(kind: str, n: int) -> dict[str, Any]:
    import resource
    import tempfile

    from booknlp_jupyter.engines.lite import LiteEngine
    from booknlp_jupyter.results.store import write_result

    def cpu() -> float:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime

    text = make_text(kind, n)
    engine = LiteEngine()
    engine.load("lite", FULL)
    start = cpu()
    result = engine.run(text, model="lite", pipeline=FULL, progress=lambda f, s=None: None)
    with tempfile.TemporaryDirectory() as tmp:
        write_result(result, tmp)
    seconds = cpu() - start
    tokens = result.tokens
    words, onsets, offsets = tokens["word"], tokens["byte_onset"], tokens["byte_offset"]
    step = max(1, len(words) // 10_000)
    for i in range(0, len(words), step):
        assert text[onsets[i] : offsets[i]] == words[i], (i, words[i])
    covered = sum(int(b) - int(a) for a, b in zip(onsets, offsets, strict=True))
    return {"cpu": seconds, "tokens": len(words), "chars": len(text), "covered": covered}


if __name__ == "__main__":
    print(json.dumps(_run(sys.argv[1], int(sys.argv[2]))))
