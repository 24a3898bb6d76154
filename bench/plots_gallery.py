"""Remake the plot screenshots of ``docs/plots.md`` (``docs/images/plot_*.png``) from real
lite runs of novels in ``../shared/corpus``.

Usage: ``python bench/plots_gallery.py [--chars N] [--out out/gallery] [--images docs/images]``

Runs the lite engine (in this process) on Pride and Prejudice, The Secret Garden and Emma
(the first ``--chars`` characters of each, default: whole), writes each result as
BookNLP's files into ``--out`` (a book already there is not run again), reads the folder
back with `booknlp_jupyter.read_output`, and draws: the co-occurrence and conversation
networks, the mentions small multiples and who speaks (of Pride and Prejudice), and the
two corpus plots (of all three). Each plot is also saved as SVG and PDF beside the PNGs
in ``--out``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))
FULL = ["entity", "quote", "supersense", "event", "coref"]
BOOKS = {
    "1342_pride_and_prejudice": "Pride and Prejudice",
    "113_the_secret_garden": "The Secret Garden",
    "158_emma": "Emma",
}
MAIN_BOOK = "1342_pride_and_prejudice"


class _Source:
    """An engine's result as `write_booknlp_files` reads one."""

    def __init__(self, result: Any):
        self.result = result

    def arrow(self, name: str) -> Any:
        from booknlp_jupyter.results.schema import TABLE_SCHEMAS
        from booknlp_jupyter.results.store import to_arrow

        return to_arrow(getattr(self.result, name), TABLE_SCHEMAS[name])

    def characters(self) -> list[dict[str, Any]]:
        return self.result.characters


def run_books(folder: Path, chars: int | None) -> None:
    """Each book of `BOOKS` through the lite engine, into ``folder`` as BookNLP's files."""
    from booknlp_jupyter.engines.lite import LiteEngine
    from booknlp_jupyter.results.booknlp_files import write_booknlp_files

    todo = [b for b in BOOKS if not (folder / f"{b}.book").is_file()]
    if not todo:
        return
    engine = LiteEngine()
    engine.load("lite", FULL)
    for book_id in todo:
        text = (CORPUS / f"{book_id}.txt").read_text(encoding="utf-8")[:chars]
        started = time.perf_counter()
        result = engine.run(text, model="lite", pipeline=FULL, progress=lambda *a: None)
        write_booknlp_files(_Source(result), folder, book_id, FULL)
        print(f"{book_id}: {len(text):,} chars in {time.perf_counter() - started:.0f} s")


def draw(frames: dict[str, Any]) -> dict[str, Any]:
    """The six figures, by image name."""
    from booknlp_jupyter.notebook.book import Book
    from booknlp_jupyter.notebook.corpus_plots import plot_characters, plot_dialogue_by_gender

    book = Book({name: df[df["book_id"] == MAIN_BOOK] for name, df in frames.items()})
    return {
        "plot_cooccurrence": book.plot_network("cooccurrence", top=15, window=50),
        "plot_conversation": book.plot_network("conversation", top=12, window=200),
        "plot_mentions": book.plot_mentions(top=8, bins=20),
        "plot_who_speaks": book.plot_dialogue(top=12, by="words"),
        "plot_corpus_dialogue_gender": plot_dialogue_by_gender(frames, labels=BOOKS),
        "plot_corpus_characters": plot_characters(frames, labels=BOOKS),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=None, help="first N characters of each")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "gallery")
    parser.add_argument("--images", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"no corpus at {CORPUS} (the shared folder beside the project)")

    import matplotlib

    matplotlib.use("Agg")
    from booknlp_jupyter.notebook.plots import save
    from booknlp_jupyter.results.booknlp_read import read_output

    folder = args.out / ("booknlp" if args.chars is None else f"booknlp-{args.chars}")
    run_books(folder, args.chars)
    frames = read_output(folder)
    for name, fig in draw(frames).items():
        png = save(fig, args.images / f"{name}.png", dpi=130)
        save(fig, args.out / name)  # SVG and PDF
        print("wrote", *(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p for p in png))


if __name__ == "__main__":
    main()
