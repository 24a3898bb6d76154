"""The lite engine's cluster rules (`cluster_rules`) and vocative addressees, on real parses."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("spacy")
pytest.importorskip("booknlp")

from booknlp_jupyter.engines.lite import LiteEngine
from booknlp_jupyter.engines.lite.cluster_rules import (
    join_fragments,
    join_kin,
    join_name_variants,
    join_narrated_we,
    join_title_nouns,
    split_genders,
)
from booknlp_jupyter.engines.lite.parse import parse
from booknlp_jupyter.engines.lite.quotes import tag_quotes
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
    """Each mention its own cluster (from 1: cluster 0 is the narrator)."""
    return list(range(1, len(mentions) + 1))


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


def _words_at(cols: Any, mentions: Any, word: str) -> list[int]:
    """The one-word mentions that are ``word``, in order."""
    return [
        k
        for k in range(len(mentions))
        if mentions.starts[k] == mentions.ends[k] and cols.words[mentions.starts[k]] == word
    ]


def test_a_nameless_fragment_joins_the_one_named_character_of_its_gender(
    lite_engine: LiteEngine,
) -> None:
    text = (
        "Gabriel Oak looked up at the sky. He was a young farmer.\n\n"
        "The farmer walked to the gate, and he stopped there.\n\n"
        "Bathsheba and Gabriel Oak stood at the gate. The farmer turned, and he smiled."
    )
    cols, mentions = _parse(lite_engine, text)
    refs = _singletons(mentions)
    names = _ids(cols, mentions, "Gabriel Oak")
    farmers = _ids(cols, mentions, "The farmer")
    he = _words_at(cols, mentions, "he")
    (first_he,) = _words_at(cols, mentions, "He")
    (bathsheba,) = _ids(cols, mentions, "Bathsheba")
    refs[names[1]] = refs[first_he] = refs[names[0]]  # Oak: a name and "He"
    refs[he[0]] = refs[farmers[0]]  # a fragment: "The farmer ... he"
    refs[he[1]] = refs[farmers[1]]  # another, after both Oak and Bathsheba
    out = join_fragments(cols, mentions, refs)
    assert out[farmers[0]] == out[he[0]] == out[names[0]]
    # the second fragment has Oak and Bathsheba just before it, but she is no "he"
    assert out[farmers[1]] == out[names[0]]
    assert out[bathsheba] == refs[bathsheba]
    # too far back: nothing to join
    assert join_fragments(cols, mentions, refs, window=0)[farmers[0]] == refs[farmers[0]]


def test_two_named_men_just_before_leave_a_fragment_alone(lite_engine: LiteEngine) -> None:
    text = (
        "Gabriel Oak and William Boldwood met. He nodded and he left.\n\n"
        "The farmer sighed, and he went home."
    )
    cols, mentions = _parse(lite_engine, text)
    refs = _singletons(mentions)
    (oak,) = _ids(cols, mentions, "Gabriel Oak")
    (boldwood,) = _ids(cols, mentions, "William Boldwood")
    (he1,) = _words_at(cols, mentions, "He")
    he2, he3 = _words_at(cols, mentions, "he")
    (farmer,) = _ids(cols, mentions, "The farmer")
    refs[he1], refs[he2], refs[he3] = refs[oak], refs[boldwood], refs[farmer]
    out = join_fragments(cols, mentions, refs)
    assert out[farmer] == out[he3] == refs[farmer]  # Oak or Boldwood: which one?


def test_a_fragment_joins_the_one_character_of_its_gender_named_just_after(
    lite_engine: LiteEngine,
) -> None:
    text = (
        "A child sat by the fire, and he was crying. Then Mary came in, and Philip "
        "looked up. He was nine.\n\n"
        "A stranger stood at the door, and he waited. Then Gabriel Oak and William "
        "Boldwood came in. He nodded, and he sat."
    )
    cols, mentions = _parse(lite_engine, text)
    refs = _singletons(mentions)
    (child,) = _ids(cols, mentions, "A child")
    (stranger,) = _ids(cols, mentions, "A stranger")
    (mary,) = _ids(cols, mentions, "Mary")
    (philip,) = _ids(cols, mentions, "Philip")
    (oak,) = _ids(cols, mentions, "Gabriel Oak")
    (boldwood,) = _ids(cols, mentions, "William Boldwood")
    he1, he3, he5 = _words_at(cols, mentions, "he")
    he2, he4 = _words_at(cols, mentions, "He")
    refs[he1], refs[he2] = refs[child], refs[philip]  # "A child ... he"; "Philip ... He"
    refs[he3], refs[he4], refs[he5] = refs[stranger], refs[oak], refs[boldwood]
    refs[mary] = refs[philip] + 100  # a woman named just after: no "he" of hers
    out = join_fragments(cols, mentions, refs, introduction=20)  # one paragraph's worth
    assert out[child] == out[he1] == out[philip]  # not Mary: she is no "he"
    assert out[mary] != out[philip]
    # Oak or Boldwood, both named just after the stranger: which one?
    assert out[stranger] == out[he3] == refs[stranger]
    assert out[boldwood] != out[oak]
    # named too late: nothing to join
    assert join_fragments(cols, mentions, refs, introduction=5)[child] == refs[child]


def test_a_pronoun_of_the_minority_gender_leaves_its_cluster(lite_engine: LiteEngine) -> None:
    text = (
        "Mary met Dickon in the garden. She smiled at him, and he laughed.\n\n"
        "She ran, she hid, and she waited for him."
    )
    cols, mentions = _parse(lite_engine, text)
    refs = _singletons(mentions)
    (mary,) = _ids(cols, mentions, "Mary")
    (dickon,) = _ids(cols, mentions, "Dickon")
    shes = _words_at(cols, mentions, "She") + _words_at(cols, mentions, "she")
    hims = _words_at(cols, mentions, "him")
    (he,) = _words_at(cols, mentions, "he")
    assert len(shes) == 4 and len(hims) == 2
    for k in [*shes, hims[0], he]:
        refs[k] = refs[mary]  # one character, "he/him" and "she" alike
    refs[hims[1]] = refs[dickon]
    out = split_genders(cols, mentions, refs)
    assert all(out[k] == refs[mary] for k in [mary, *shes])
    # "him" and "he" go to Dickon, the nearest earlier person whose pronouns are "he"
    assert out[hims[0]] == out[he] == refs[dickon]
    # with no such person before them, each stands alone
    alone = split_genders(cols, mentions, refs, window=0)
    assert alone[hims[0]] != alone[he] and refs[mary] not in (alone[hims[0]], alone[he])
    assert alone[hims[0]] not in refs and alone[he] not in refs


def test_the_narrator_takes_the_name_others_call_them(lite_engine: LiteEngine) -> None:
    narration = " ".join(
        f"I walked to the {place}, and Holmes watched me."
        for place in [
            "door",
            "window",
            "fire",
            "table",
            "shelf",
            "lamp",
            "desk",
            "chair",
            "stair",
            "hall",
        ]
    )
    text = (
        f"{narration}\n\n"
        "\u201cWatson, you are late,\u201d said Holmes.\n\n"
        "I sat down by the fire.\n\n"
        "\u201cWell, Watson, what do you make of it?\u201d said Holmes.\n\n"
        "\u201cNothing at all,\u201d I said.\n\n"
        "\u201cMrs. Hudson, the tea,\u201d said Holmes."
    )
    clusters = _clusters_by_text(lite_engine, text)
    assert set(clusters["Watson"]) == set(clusters["I"]) == {0}  # the narrator
    assert 0 not in clusters["Holmes"] and 0 not in clusters["Mrs. Hudson"]
    # with "Mrs. Hudson" addressed as often as Watson, neither name is the narrator's
    tied = text + "\n\n\u201cMrs. Hudson, more tea,\u201d said Holmes."
    assert 0 not in _clusters_by_text(lite_engine, tied)["Watson"]
    # an outburst is no name: "Madman" is not among BookNLP's known names
    outburst = _clusters_by_text(lite_engine, text.replace("Watson", "Madman"))
    assert 0 not in outburst.get("Madman", [])


def test_the_narrations_we_is_one_group(lite_engine: LiteEngine) -> None:
    text = (
        "We walked to the river, and Tom followed us. Our boat was there.\n\n"
        "\u201cWe shall sink,\u201d said Tom.\n\n"
        "We rowed all the same."
    )
    cols, mentions = _parse(lite_engine, text)
    refs = _singletons(mentions)
    narrated = [*_words_at(cols, mentions, "We"), *_words_at(cols, mentions, "us")]
    narrated += _words_at(cols, mentions, "Our")
    (tom, _) = _ids(cols, mentions, "Tom")
    out = join_narrated_we(cols, mentions, refs, tag_quotes(cols)[1])
    quoted = next(k for k in narrated if out[k] != out[narrated[0]])  # "We shall sink"
    assert len({out[k] for k in narrated if k != quoted}) == 1
    assert out[narrated[0]] not in refs  # a new group, not a character's cluster
    assert out[quoted] == refs[quoted] and out[tom] == refs[tom]


def test_names_that_differ_in_case_or_an_epithet_are_one(lite_engine: LiteEngine) -> None:
    text = (
        "Old Cotter sat by the fire. Mr. Knightley came in with John Knightley.\n\n"
        "Then old Cotter spoke, and Poor Dorothea wept, and Dorothea left. Knightley "
        "laughed, and Knightley frowned."
    )
    cols, mentions = _parse(lite_engine, text)
    refs = _singletons(mentions)
    (old, lower) = (*_ids(cols, mentions, "Old Cotter"), *_ids(cols, mentions, "old Cotter"))
    (poor,) = _ids(cols, mentions, "Poor Dorothea")
    (dorothea,) = _ids(cols, mentions, "Dorothea")
    mr, john = _ids(cols, mentions, "Mr. Knightley")[0], _ids(cols, mentions, "John Knightley")[0]
    bare = _ids(cols, mentions, "Knightley")
    assert len(bare) == 2
    refs[bare[0]], refs[bare[1]] = refs[mr], refs[john]  # as BookNLP told them apart
    out = join_name_variants(cols, mentions, refs)
    assert out[old] == out[lower] and out[poor] == out[dorothea]
    assert out[mr] != out[john]  # each has a "Knightley": two men
    assert out[old] != out[poor]


def test_kin_never_makes_one_character_of_two_named_ones(lite_engine: LiteEngine) -> None:
    # in a whole novel some "her father" is linked to the wrong man; joining the clusters
    # of all of Emma's fathers then made one character of half the cast
    text = (
        "Emma sat with her father. Mr. Woodhouse was nervous.\n\n"
        "Later Emma left her father, and Mr. Knightley came in."
    )
    cols, mentions = _parse(lite_engine, text)
    refs = _singletons(mentions)
    (emma, emma_again) = _ids(cols, mentions, "Emma")
    first, again = _ids(cols, mentions, "her father")
    (woodhouse,) = _ids(cols, mentions, "Mr. Woodhouse")
    (knightley,) = _ids(cols, mentions, "Mr. Knightley")
    for k in (emma_again, *(_ids_at(mentions, mentions.starts[f]) for f in (first, again))):
        refs[k] = refs[emma]
    refs[first] = refs[woodhouse]  # right
    refs[again] = refs[knightley]  # wrong
    out = join_kin(cols, mentions, refs)
    assert out[woodhouse] != out[knightley]
    assert out[first] == out[woodhouse] and out[again] == out[knightley]


def test_a_variant_between_two_characters_joins_neither(lite_engine: LiteEngine) -> None:
    text = (
        "Jane Fairfax came with Miss Bates. Jane smiled.\n\n"
        "Mrs. Elton took Jane away. Jane sighed, and poor Jane left."
    )
    cols, mentions = _parse(lite_engine, text)
    refs = _singletons(mentions)
    (fairfax,) = _ids(cols, mentions, "Jane Fairfax")
    (bates,) = _ids(cols, mentions, "Miss Bates")
    janes = _ids(cols, mentions, "Jane")
    (poor,) = _ids(cols, mentions, "poor Jane")
    assert len(janes) == 3
    refs[janes[0]] = refs[fairfax]  # BookNLP's name clustering gave a bare "Jane" to
    refs[janes[1]] = refs[janes[2]] = refs[bates]  # each, as it did in Emma
    out = join_name_variants(cols, mentions, refs)
    assert out[fairfax] != out[bates]  # "poor Jane" bridged them before
    assert out[poor] not in (out[fairfax], out[bates])


def test_a_name_holding_two_people_does_not_join_them(lite_engine: LiteEngine) -> None:
    text = (
        "Mr. Weston came early. Mrs. Weston came later. Mr. and Mrs. Weston sat down.\n\n"
        "\u201cMary! Dickon!\u201d called Martha. Mary ran, and Dickon laughed."
    )
    clusters = _clusters_by_text(lite_engine, text)
    assert set(clusters["Mr. Weston"]).isdisjoint(clusters["Mrs. Weston"]), clusters
    assert set(clusters["Mary"]).isdisjoint(clusters["Dickon"]), clusters
