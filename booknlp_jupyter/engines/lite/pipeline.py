"""The lite engine's stages, in order, from text to `EngineResult`."""

from __future__ import annotations

from typing import Any

from ..base import EngineResult, ProgressCallback
from .lexicon import FirstSenseLexicon
from .tables import entity_table, event_table, quote_table, token_table

SPACY_SHARE = 0.8
#: Later stages and the progress fraction reached when each starts.
STAGE_AT = {
    "entities": 0.80,
    "quotes": 0.82,
    "coref": 0.84,
    "gender": 0.87,
    "speakers": 0.90,
    "characters": 0.92,
    "supersenses": 0.94,
    "events": 0.96,
    "tables": 0.97,
}


def run_pipeline(
    text: str,
    *,
    nlp: Any,
    lexicon: FirstSenseLexicon,
    pipeline: set[str],
    progress: ProgressCallback,
    batch_size: int,
    chunk_chars: int,
    max_doc_chars: int,
) -> EngineResult:
    """Run every stage ``pipeline`` needs and build the result tables."""
    from . import coref as coref_mod
    from .characters import build_characters
    from .cluster_rules import (
        join_fragments,
        join_kin,
        join_name_variants,
        join_narrated_we,
        join_title_nouns,
        split_genders,
    )
    from .events import tag_events
    from .given_names import join_titled_surnames
    from .parse import parse
    from .quotes import attribute, tag_quotes
    from .supersenses import tag_supersenses

    total = max(len(text), 1)
    progress(0.0, "spacy")
    cols, mentions = parse(
        text,
        nlp,
        lexicon,
        batch_size=batch_size,
        chunk_chars=chunk_chars,
        max_doc_chars=max_doc_chars,
        on_chunk=lambda done: progress(SPACY_SHARE * min(done, total) / total, "spacy"),
    )
    result = EngineResult()
    want_mentions = bool(pipeline & {"entity", "quote", "coref"})

    progress(STAGE_AT["entities"], "entities")
    children = cols.children()

    progress(STAGE_AT["quotes"], "quotes")
    quotes, in_quote = tag_quotes(cols)

    refs: list[int] = []
    final: list[int] = []
    genders: dict[int, Any] = {}
    speakers: list[int | None] = []
    if want_mentions:
        progress(STAGE_AT["coref"], "coref")
        entities = coref_mod.booknlp_entities(cols, mentions)
        refs = coref_mod.name_clusters(cols, entities, in_quote)
        progress(STAGE_AT["gender"], "gender")
        em, genders = coref_mod.infer_gender(cols, entities, refs)
        final = coref_mod.link_pronouns(cols, mentions, refs, genders, in_quote)
        progress(STAGE_AT["speakers"], "speakers")
        if "quote" in pipeline or "coref" in pipeline:
            speakers = attribute(
                cols, mentions, quotes, in_quote, children, cluster_of=lambda m: final[m]
            )
            final = coref_mod.link_speakers(cols, mentions, final, quotes, speakers)
            final = coref_mod.link_addressees(cols, mentions, final, quotes, speakers)
            final = coref_mod.name_the_narrator(
                cols, mentions, final, quotes, in_quote, is_name=coref_mod.known_name(em)
            )
        final = join_kin(cols, mentions, final)
        final = join_title_nouns(cols, mentions, final)
        final = join_name_variants(cols, mentions, final)
        final = join_titled_surnames(cols, mentions, final)
        final = join_fragments(cols, mentions, final)
        final = split_genders(cols, mentions, final)
        final = join_narrated_we(cols, mentions, final, in_quote)
        genders = em.update_gender_from_coref(genders, entities, final)
        del entities
    out_refs = final if "coref" in pipeline else refs

    if "coref" in pipeline:
        progress(STAGE_AT["characters"], "characters")
        result.characters = build_characters(cols, mentions, final, genders, children)
    if "entity" in pipeline:
        result.entities = entity_table(cols, mentions, out_refs)
    if "quote" in pipeline:
        result.quotes = quote_table(cols, mentions, quotes, speakers, out_refs)
    if "supersense" in pipeline:
        progress(STAGE_AT["supersenses"], "supersenses")
        result.supersenses = tag_supersenses(cols, mentions, lexicon)
    events: list[int] = []
    if "event" in pipeline:
        progress(STAGE_AT["events"], "events")
        events = tag_events(cols, in_quote, children)
        result.events = event_table(cols, events)
    del children
    progress(STAGE_AT["tables"], "tables")
    result.tokens = token_table(cols, events)
    progress(1.0, "done")
    return result
