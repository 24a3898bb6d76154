"""One book through BookNLP's pipeline, in memory: `EnglishBookNLP.process` without its files.

The steps, their order and their arguments are BookNLP 1.0.8's own (english_booknlp.py);
what differs is around them: spaCy in chunks (`spacy_stage`), several at once with
``spacy_processes`` (`spacy_parallel`), the gender prior read once per worker (`GenderEM`
from the lite engine's BookNLP parts), name clustering without its quadratic loops
(`lite.name_clusters`), progress per stage and batch, and results kept in memory for
`tables.from_run` instead of written to files. The models' own Python loops
are numpy ones when the engine installed them (``numpy_loops``: `fast_entities` ...).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .progress import Stages


@dataclass
class Parts:
    """Loaded BookNLP components for one model (None where the pipeline needs none)."""

    nlp: Any
    entity_tagger: Any = None
    attribution: Any = None
    coref: Any = None
    gender_cats: list[list[str]] = field(default_factory=list)
    gender_prior: str = ""
    progress_holder: Any = None
    #: Parses the spaCy pieces (None: ``nlp.pipe``, one at a time; `spacy_stage.Pipe`).
    spacy_pipe: Any = None


def process(
    text: str,
    parts: Parts,
    pipeline: set[str],
    stages: Stages,
    chunk_chars: int,
    where: Callable[[str], None],
) -> dict[str, Any]:
    """Run BookNLP's steps on ``text``; ``where(stage)`` is told each stage as it starts."""
    import torch
    from booknlp.english.english_booknlp import EnglishBookNLP
    from booknlp.english.litbank_quote import QuoteTagger

    from ..lite.booknlp_parts import gender_em_class, name_coref
    from . import spacy_stage

    do_entities, do_event, do_ss = (
        "entity" in pipeline,
        "event" in pipeline,
        ("supersense" in pipeline),
    )
    do_quote, do_coref = "quote" in pipeline, "coref" in pipeline
    out: dict[str, Any] = {}

    def begin(stage: str) -> None:
        where(stage)
        stages.start(stage)

    with torch.no_grad():
        begin("spacy")
        tokens = spacy_stage.parse(
            text,
            parts.nlp,
            chunk_chars,
            lambda d, t: stages.step(d, t, "spacy"),
            pipe=parts.spacy_pipe,
        )
        out["tokens"] = tokens
        if not tokens:
            return out

        begin("entities")
        entity_vals = parts.entity_tagger.tag(
            tokens, doEvent=do_event, doEntities=do_entities, doSS=do_ss
        )
        entity_vals["entities"] = sorted(entity_vals["entities"])
        if do_ss:
            out["supersense"] = entity_vals["supersense"]
        if do_event:
            events = entity_vals["events"]
            for token in tokens:
                if token.token_id in events:
                    token.event = "EVENT"

        begin("quotes")
        quotes = QuoteTagger().tag(tokens)
        entities = entity_vals["entities"]
        attributed = None
        if do_quote:
            begin("speakers")
            attributed = parts.attribution.tag(quotes, entities, tokens)

        begin("names")
        in_quotes = [
            1 if tokens[start].inQuote or tokens[end].inQuote else 0
            for start, end, _, _ in entities
        ]
        resolver = name_coref()  # BookNLP's NameCoref, same clusters, near-linear
        refs = resolver.cluster_narrator(entities, in_quotes, tokens)
        refs = resolver.cluster_identical_propers(entities, refs)
        refs = resolver.cluster_only_nouns(entities, refs, tokens)

        begin("gender")
        gender_em = gender_em_class()(
            tokens=tokens,
            entities=entities,
            refs=refs,
            genders=parts.gender_cats,
            hyperparameterFile=parts.gender_prior,
        )
        genders = gender_em.tag(entities, tokens, refs)
        assignments = copy.deepcopy(refs)

        if do_coref:
            begin("coref")
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            assignments = parts.coref.tag(tokens, entities, refs, genders, attributed, quotes)
            begin("characters")
            genders = gender_em.update_gender_from_coref(genders, entities, assignments)
            out["book"] = EnglishBookNLP.get_syntax(None, tokens, entities, assignments, genders)

    out.update(entities=entities, assignments=assignments, quotes=quotes, attributed=attributed)
    return out
