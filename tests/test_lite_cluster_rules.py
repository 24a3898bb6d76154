"""The lite engine's cluster rules (`cluster_rules`) and vocative addressees, on real parses."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("spacy")
pytest.importorskip("booknlp")

from booknlp_jupyter.engines.lite import LiteEngine
from booknlp_jupyter.engines.lite.cluster_rules import join_kin, join_title_nouns
from booknlp_jupyter.engines.lite.parse import parse
from tests.lite_support import PIPELINE


def _parse(engine: LiteEngine, text: str) -> tuple[Any, Any]:
    return parse(
        text,
        engine._nlp,
        engine._lexicon,
        batch_size=8,
        chunk_chars=100_000,
        max_doc_chars=1_000_000,
        on_chunk=lambda done: None,
    )


def _ids(cols: Any, mentions: Any, phrase: str) -> list[int]:
    """Mention ids whose text is ``phrase``."""
    found = [
        k for k in range(len(mentions)) if cols.text(mentions.starts[k], mentions.ends[k]) == phrase
    ]
    assert found, (
        phrase,
        [cols.text(s, e) for s, e in zip(mentions.starts, mentions.ends, strict=True)],
    )
    return found


def _ids_at(mentions: Any, start: int) -> int:
    """The one-word mention at token ``start``."""
    return next(k for k in range(len(mentions)) if mentions.starts[k] == mentions.ends[k] == start)


def _clusters_by_text(engine: LiteEngine, text: str) -> dict[str, list[int]]:
    """The engine's entity table on ``text``: each mention text's COREF ids, in order."""
    res = engine.run(text, model="lite", pipeline=PIPELINE, progress=lambda *a: None)
    out: dict[str, list[int]] = {}
    for t, r in zip(res.entities["text"], res.entities["COREF"], strict=True):
        out.setdefault(t, []).append(int(r))
    return out


def _singletons(mentions: Any) -> list[int]:
    return list(range(len(mentions)))


def test_kin_of_one_possessor_is_one_person(lite_engine: LiteEngine) -> None:
    text = (
        "Anne walked home with her father. Mary stayed behind with her father.\n\n"
        "Later Anne wrote to her father, and Mary's father came to dinner."
    )
    cols, mentions = _parse(lite_engine, text)
    refs = _singletons(mentions)
    fathers = _ids(cols, mentions, "her father")
    assert len(fathers) == 3
    # each "her" is the one-word mention at its phrase's start
    anne_first, mary, anne_again = (_ids_at(mentions, mentions.starts[f]) for f in fathers)
    (marys_father,) = _ids(cols, mentions, "Mary 's father")
    mary_name = _ids_at(mentions, mentions.starts[marys_father])
    refs[anne_again] = refs[anne_first]  # both "her" are Anne
    refs[mary] = refs[mary_name]  # this "her" is Mary, who owns "Mary's father" too
    out = join_kin(cols, mentions, refs)
    assert out[fathers[0]] == out[fathers[2]]  # Anne's father, twice
    assert out[fathers[1]] == out[marys_father]  # Mary's father, twice
    assert out[fathers[0]] != out[fathers[1]]  # two fathers


def test_vocative_you_joins_the_person_addressed(lite_engine: LiteEngine) -> None:
    text = (
        "Lizzy and Jane came into the library, where Mr. Bennet sat reading.\n\n"
        "\u201cLizzy, you must not go,\u201d said Mr. Bennet.\n\n"
        "\u201cShe must,\u201d said Jane."
    )
    clusters = _clusters_by_text(lite_engine, text)
    lizzy = clusters["Lizzy"][0]
    you = clusters["you"][0]
    others = {*clusters["Mr. Bennet"], *clusters["Jane"]}
    assert you == lizzy  # not Jane, who answers (the exchange rule's pick without it)
    assert you not in others


def test_kin_joins_the_titled_bearer_of_the_possessors_surname(lite_engine: LiteEngine) -> None:
    text = (
        "Emma Woodhouse lived with her father at Hartfield. Mr. Woodhouse was a nervous "
        "man, and Miss Woodhouse loved him.\n\nMr. Knightley called on Emma and her father."
    )
    cols, mentions = _parse(lite_engine, text)
    refs = _singletons(mentions)
    (emma,) = _ids(cols, mentions, "Emma Woodhouse")
    first, again = _ids(cols, mentions, "her father")
    (mr,) = _ids(cols, mentions, "Mr. Woodhouse")
    (miss,) = _ids(cols, mentions, "Miss Woodhouse")
    (knightley,) = _ids(cols, mentions, "Mr. Knightley")
    for k in (
        _ids_at(mentions, mentions.starts[first]),
        _ids_at(mentions, mentions.starts[again]),
        miss,
    ):
        refs[k] = refs[emma]  # both "her", and Miss Woodhouse, are Emma
    out = join_kin(cols, mentions, refs)
    assert out[first] == out[again] == out[mr]  # her father is Mr. Woodhouse
    assert out[emma] != out[mr] and out[knightley] == refs[knightley]


def test_title_noun_joins_the_one_bearer_of_the_title(lite_engine: LiteEngine) -> None:
    text = (
        "Dr. Archie drove out to the farm in the snow. Thea was ill.\n\n"
        "The mother waited at the door until the doctor came in, and Captain Smith and "
        "Captain Brown argued until the captain left."
    )
    cols, mentions = _parse(lite_engine, text)
    refs = _singletons(mentions)
    (archie,) = _ids(cols, mentions, "Dr. Archie")
    (doctor,) = _ids(cols, mentions, "the doctor")
    out = join_title_nouns(cols, mentions, refs)
    assert out[doctor] == out[archie]
    (captain,) = _ids(cols, mentions, "the captain")
    assert out[captain] == refs[captain]  # two captains: which one?
    (smith,) = _ids(cols, mentions, "Captain Smith")
    (brown,) = _ids(cols, mentions, "Captain Brown")
    one = list(refs)
    one[brown] = one[smith]  # were Brown an alias of Smith, there would be one captain
    assert join_title_nouns(cols, mentions, one)[captain] == refs[smith]


def test_sir_joins_the_person_spoken_to(lite_engine: LiteEngine) -> None:
    text = (
        "Jim stood before the captain in the parlour.\n\n"
        "\u201cWhat do you want, boy?\u201d said the captain.\n\n"
        "\u201cNothing, sir,\u201d said Jim."
    )
    clusters = _clusters_by_text(lite_engine, text)
    sir = clusters["sir"][0]
    captain, jim = set(clusters["the captain"]), set(clusters["Jim"])
    assert sir in captain and sir not in jim
