"""The trained speaker model: a linear ranking of candidate mentions (`speaker_features`).

Weights ship as ``models/speakers.json`` (written by ``bench/train_speakers.py`` from
LitBank; no download at run time) and are read once, lazily. Quotes are decoded left to
right: each quote takes its best-scoring candidate, and that choice feeds the next
quotes' turn-taking features. Without the file (or with `use(None)`) the lite engine
falls back to its rules (`quotes.rule_speakers`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from .shipped import Shipped
from .speaker_features import FEATURES, DocSpeakers

MODEL_PATH = Path(__file__).with_name("models") / "speakers.json"


class SpeakerModel:
    """Feature weights, by the names in `speaker_features.FEATURES`."""

    def __init__(self, weights: dict[str, float], meta: dict[str, Any] | None = None):
        unknown = set(weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown speaker features: {sorted(unknown)}")
        self.weights = dict(weights)
        self.vector = [float(weights.get(n, 0.0)) for n in FEATURES]
        self.meta = dict(meta or {})

    @classmethod
    def load(cls, path: Path) -> SpeakerModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["weights"], data.get("meta"))

    def save(self, path: Path) -> None:
        data = {"features": list(FEATURES), "weights": self.weights, "meta": self.meta}
        Path(path).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    def score(self, row: dict[int, float]) -> float:
        w = self.vector
        return sum(w[k] * v for k, v in row.items())

    def decode(self, doc: DocSpeakers) -> list[int | None]:
        """The best candidate of each quote, left to right (None: no candidate)."""
        out: list[int | None] = []
        for q in range(len(doc.quotes)):
            prev = (out[q - 1] if q >= 1 else None, out[q - 2] if q >= 2 else None)
            cands = doc.candidates(q, prev)
            if not cands:
                out.append(None)
                continue
            rows = doc.features(q, cands, prev)
            best = max(range(len(cands)), key=lambda j: self.score(rows[j]))
            out.append(cands[best])
        return out


_SHIPPED = Shipped(lambda: SpeakerModel.load(MODEL_PATH) if MODEL_PATH.exists() else None)


def default_model() -> SpeakerModel | None:
    """The model in use: `use`'s, else the shipped weights (None when absent)."""
    return _SHIPPED.get()


def use(model: SpeakerModel | None) -> AbstractContextManager[None]:
    """Attribute speakers with ``model`` (None: the rules) inside the block."""
    return _SHIPPED.use(model)


def weights_summary(model: SpeakerModel, top: int = 8) -> Sequence[tuple[str, float]]:
    return sorted(model.weights.items(), key=lambda kv: -abs(kv[1]))[:top]
