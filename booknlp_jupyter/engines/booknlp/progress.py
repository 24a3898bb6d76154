"""Stage progress for a BookNLP job: weighted stages, per-batch steps inside neural ones.

`Stages` turns ``(stage, done, total)`` into one monotonic job fraction, with each stage's
share of the job set by `STAGE_WEIGHTS` (relative costs measured with the small models on
CPU, bench/booknlp_bench.py). `instrument` wraps the batch loops of BookNLP's models (on
the instances, not the classes) so they report through the engine's current `Stages`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

#: (stage, relative cost) in the order BookNLP runs them.
STAGE_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("spacy", 0.18),
    ("entities", 0.34),
    ("quotes", 0.005),
    ("speakers", 0.14),
    ("names", 0.02),
    ("gender", 0.03),
    ("coref", 0.28),
    ("characters", 0.005),
)


def stages_for(pipeline: Sequence[str]) -> list[str]:
    """The stages a pipeline runs, in order."""
    wanted = set(pipeline)
    out = ["spacy", "entities", "quotes"]
    if "quote" in wanted:
        out.append("speakers")
    out += ["names", "gender"]
    if "coref" in wanted:
        out += ["coref", "characters"]
    return out


class Stages:
    """Maps ``(stage, done, total)`` to a job fraction and forwards it to ``report``."""

    def __init__(
        self, stages: Sequence[str], report: Callable[[float, str], None], end: float = 0.99
    ) -> None:
        weights = dict(STAGE_WEIGHTS)
        total = sum(weights[s] for s in stages)
        self.report = report
        self.starts: dict[str, tuple[float, float]] = {}
        at = 0.0
        for s in stages:
            share = weights[s] / total * end
            self.starts[s] = (at, share)
            at += share
        self.current = stages[0]
        self.order = list(stages)

    def start(self, stage: str) -> None:
        self.current = stage
        self.report(self.starts[stage][0], stage)

    def step(self, done: float, total: float, stage: str | None = None) -> None:
        stage = stage or self.current
        start, share = self.starts[stage]
        frac = min(max(done / total, 0.0), 1.0) if total else 1.0
        self.report(start + share * frac, stage)


class _Holder:
    stages: Stages | None = None


def instrument(entity_tagger: Any = None, attribution: Any = None, coref: Any = None) -> _Holder:
    """Wrap BookNLP's batch loops; set ``holder.stages`` while a job runs to receive steps."""
    holder = _Holder()

    def step(done: float, total: float, stage: str) -> None:
        if holder.stages is not None:
            holder.stages.step(done, total, stage)

    if entity_tagger is not None:
        model = entity_tagger.model
        tag_all, predict_all = model.tag_all, model.predict_all
        count = {"n": 0, "total": 1}

        def tag_all_(*args: Any, **kwargs: Any) -> Any:
            count["n"], count["total"] = 0, len(args[2]) or 1  # batched_data
            return tag_all(*args, **kwargs)

        def predict_all_(*args: Any, **kwargs: Any) -> Any:
            out = predict_all(*args, **kwargs)
            count["n"] += 1
            step(count["n"], count["total"], "entities")
            return out

        model.tag_all, model.predict_all = tag_all_, predict_all_

    if attribution is not None:
        model = attribution.model
        get_batches, forward = model.get_batches, model.forward
        quotes = {"n": 0, "total": 1}

        def get_batches_(*args: Any, **kwargs: Any) -> Any:
            out = get_batches(*args, **kwargs)
            quotes["n"], quotes["total"] = 0, len(out[0]) or 1
            return out

        def forward_(*args: Any, **kwargs: Any) -> Any:
            out = forward(*args, **kwargs)
            quotes["n"] += 1
            step(quotes["n"], quotes["total"], "speakers")
            return out

        model.get_batches, model.forward = get_batches_, forward_

    if coref is not None:
        model = coref.model
        forward, reps = model.forward, model.get_mention_reps
        non_quote, closest = model.get_non_quote_cands, model.get_closest_entities
        state = {"batches": 1, "done": 0, "mentions": 1}
        reps_share = 0.5  # encoding the batches vs. the mention-by-mention loop

        def forward_(matrix: Any, *args: Any, **kwargs: Any) -> Any:
            state["batches"], state["done"] = len(matrix) or 1, 0
            state["mentions"] = len(kwargs.get("entities") or []) or 1
            return forward(matrix, *args, **kwargs)

        def reps_(*args: Any, **kwargs: Any) -> Any:
            out = reps(*args, **kwargs)
            state["done"] += 1
            step(reps_share * state["done"] / state["batches"], 1.0, "coref")
            return out

        def loop(pass_: int, plain: Callable[..., Any]) -> Callable[..., Any]:
            def wrapped(first: int, idx: int, entities: Any, *args: Any, **kwargs: Any) -> Any:
                frac = (pass_ + idx / state["mentions"]) / 2
                step(reps_share + (1 - reps_share) * frac, 1.0, "coref")
                return plain(first, idx, entities, *args, **kwargs)

            return wrapped

        model.forward, model.get_mention_reps = forward_, reps_
        model.get_non_quote_cands, model.get_closest_entities = loop(0, non_quote), loop(1, closest)
    return holder
