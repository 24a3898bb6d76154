"""BookNLP's WordNet first-sense lexicon (``wordnet.first.sense``).

A common noun's LitBank category from it: `noun_categories`.

Each line of the file is ``lemma<TAB>pos<TAB>lexfile lexfile ...`` with the lexicographer
files of the lemma's senses in WordNet's sense order; the first is the most frequent sense.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

#: WordNet lexicographer file names by number (the standard 45 files).
LEXNAMES: tuple[str, ...] = (
    "adj.all",
    "adj.pert",
    "adv.all",
    "noun.Tops",
    "noun.act",
    "noun.animal",
    "noun.artifact",
    "noun.attribute",
    "noun.body",
    "noun.cognition",
    "noun.communication",
    "noun.event",
    "noun.feeling",
    "noun.food",
    "noun.group",
    "noun.location",
    "noun.motive",
    "noun.object",
    "noun.person",
    "noun.phenomenon",
    "noun.plant",
    "noun.possession",
    "noun.process",
    "noun.quantity",
    "noun.relation",
    "noun.shape",
    "noun.state",
    "noun.substance",
    "noun.time",
    "verb.body",
    "verb.change",
    "verb.cognition",
    "verb.communication",
    "verb.competition",
    "verb.consumption",
    "verb.contact",
    "verb.creation",
    "verb.emotion",
    "verb.motion",
    "verb.perception",
    "verb.possession",
    "verb.social",
    "verb.stative",
    "verb.weather",
    "adj.ppl",
)


class FirstSenseLexicon:
    """Maps ``(lemma, "n"|"v")`` to the supersense of the lemma's first WordNet sense."""

    def __init__(self, path: str | Path):
        self.senses: dict[tuple[str, str], str] = {}
        #: Longest multiword entry, in words (``living_room`` is 2).
        self.max_words = 1
        with open(path, encoding="utf-8") as f:
            for line in f:
                cols = line.rstrip("\n").split("\t")
                if len(cols) < 3 or cols[1] not in ("n", "v"):
                    continue
                first = int(cols[2].split(" ")[0])
                name = LEXNAMES[first] if first < len(LEXNAMES) else ""
                if name.startswith(("noun.", "verb.")):
                    self.senses[(cols[0], cols[1])] = name
                    self.max_words = max(self.max_words, cols[0].count("_") + 1)

    def get(self, lemma: str, pos: str) -> str | None:
        """The first-sense supersense of ``lemma`` (words joined by ``_``), or None."""
        return self.senses.get((lemma.lower(), pos))


@lru_cache(maxsize=4)
def load_lexicon(path: str) -> FirstSenseLexicon:
    """Load (once per process) the lexicon at ``path``."""
    return FirstSenseLexicon(path)
