"""The lite engine on texts built to hurt it, at full size: peak RSS and CPU time.

Usage: ``python bench/lite_limits.py [--chars 5000000] [--kinds words,quotes,...]``

Each kind of text (`tests.hard_texts.UNITS`: one line of ``word``, sentences without an
end, only quote marks, only punctuation, no spaces, one-letter words, a mark a letter, a
mark a paragraph, a list of names) runs in a fresh process that writes its result as the
worker does; the figures are its peak RSS and the run's CPU time, beside Pride and
Prejudice repeated to the same length. The targets: under 2 GB, within 1.5x the novel's
time. It measures and prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hard_texts import UNITS, measure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=5_000_000)
    parser.add_argument("--kinds", default=",".join(k for k in UNITS if k != "novel"))
    args = parser.parse_args()
    print(f"{'text':9} {'chars':>9} {'tokens':>9} {'cpu s':>8} {'x novel':>8} {'peak MB':>8}")
    novel = None
    for kind in ["novel", *args.kinds.split(",")]:
        run = measure(kind, args.chars, timeout=7200)
        if run["rc"] != 0:
            print(f"{kind:9} failed: {run['err'][-500:]}")
            continue
        novel = novel or run["cpu"]
        print(
            f"{kind:9} {run['chars']:9} {run['tokens']:9} {run['cpu']:8.1f} "
            f"{run['cpu'] / novel:8.2f} {run['maxrss_mb']:8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
