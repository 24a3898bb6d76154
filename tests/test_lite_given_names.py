"""`given_names`: two people BookNLP's name clustering made one, and one it made two."""

from __future__ import annotations

from booknlp_jupyter.engines.lite.given_names import split_given_names, split_pet_names
from tests.lite_support import PIPELINE, lite_engine  # noqa: F401  (a fixture)


def _entities(*names: str) -> list[tuple[int, int, str, str]]:
    return [(i, i, "PROP_PER", n) for i, n in enumerate(names)]


def _groups(entities: list, refs: list[int]) -> set[frozenset[str]]:
    """The names of each cluster."""
    out: dict[int, set[str]] = {}
    for (_s, _e, _c, text), r in zip(entities, refs, strict=True):
        out.setdefault(r, set()).add(text)
    return {frozenset(v) for v in out.values()}


def test_the_brothers_knightley_part() -> None:
    ents = _entities(
        *["Mr. Knightley"] * 5, "Knightley", *["Mr. John Knightley"] * 3, "John Knightley", "John"
    )
    refs = split_given_names(ents, [7] * len(ents))
    assert _groups(ents, refs) == {
        frozenset({"Mr. Knightley", "Knightley"}),
        frozenset({"Mr. John Knightley", "John Knightley", "John"}),
    }


def test_the_rarer_side_leaves_and_nicknames_stay() -> None:
    # Elizabeth is "Miss Elizabeth Bennet" now and then; "Miss Bennet" is her sister Jane
    ents = _entities(
        *["Elizabeth"] * 10, *["Miss Elizabeth Bennet"] * 3, "Lizzy", *["Miss Bennet"] * 4
    )
    refs = split_given_names(ents, [3] * len(ents))
    assert _groups(ents, refs) == {
        frozenset({"Elizabeth", "Miss Elizabeth Bennet", "Lizzy"}),
        frozenset({"Miss Bennet"}),
    }


def test_a_full_name_said_once_or_twice_leaves_one_character() -> None:
    ents = _entities("Harriet", "Miss Harriet Smith", *["Miss Smith"] * 5, "Harriet Smith")
    refs = [1] * len(ents)
    assert split_given_names(ents, refs) == refs
    other = _entities("Mr. Darcy", "Mr. Darcy", "Mr. Darcy", "Mr. Fitzwilliam Darcy")
    assert split_given_names(other, [2] * 4) == [2] * 4


def test_a_pet_name_is_not_the_lady_of_its_given_name() -> None:
    # BookNLP's aliases make Kitty a Catherine: Kitty Bennet joined Lady Catherine
    ents = _entities(
        *["Lady Catherine"] * 4, "Lady Catherine de Bourgh", "Catherine", *["Kitty"] * 3
    )
    refs = split_pet_names(ents, [5] * len(ents), [0] * len(ents))
    assert _groups(ents, refs) == {
        frozenset({"Lady Catherine", "Lady Catherine de Bourgh", "Catherine"}),
        frozenset({"Kitty"}),
    }


def test_a_pet_name_stays_beside_a_miss_and_when_rare() -> None:
    lizzy = _entities(*["Miss Elizabeth"] * 4, *["Lizzy"] * 5, "Elizabeth")
    assert split_pet_names(lizzy, [1] * len(lizzy), [0] * len(lizzy)) == [1] * len(lizzy)
    kitty = _entities(*["Lady Catherine"] * 4, "Kitty", "Kitty")  # under MIN_USES
    assert split_pet_names(kitty, [2] * len(kitty), [0] * len(kitty)) == [2] * len(kitty)
    titled = _entities(*["Lady Catherine"] * 4, *["Kitty"] * 3, "Lady Kitty")
    assert split_pet_names(titled, [3] * len(titled), [0] * len(titled)) == [3] * len(titled)
    # friends call Lord Henry "Harry" (in quotes); the narrator never does
    harry = _entities(*["Lord Henry"] * 4, *["Harry"] * 4)
    said = [0] * 4 + [1] * 4
    assert split_pet_names(harry, [4] * len(harry), said) == [4] * len(harry)


EMMA = (
    "Emma Woodhouse, handsome, clever, and rich, had lived nearly twenty-one years in the "
    "world. She was the youngest of the two daughters of a most affectionate father.\n\n"
    "Mr. Woodhouse was a nervous man, and he disliked change of every kind.\n\n"
    '"Miss Woodhouse is so very kind to me," said Harriet.\n\n'
    "Miss Woodhouse smiled at that, and she thanked her. Mr. Woodhouse said that he was "
    "cold, and he asked for the fire. Emma laughed at him, and she rang the bell.\n\n"
    "Mrs. Lennox came in. She was Mary Lennox's mother, and she wore lace. Mary Lennox "
    "sat down, and she said nothing. Mrs. Lennox looked at her, and she sighed.\n\n"
    "Miss Woodhouse went to the window, and she looked out.\n"
)


def _cluster(res, name: str) -> int:
    ent = res.entities
    return next(int(r) for t, r in zip(ent["text"], ent["COREF"], strict=True) if t == name)


def test_a_titled_surname_joins_the_one_full_name_of_its_gender(lite_engine) -> None:  # noqa: F811
    """ "Miss Woodhouse" is Emma Woodhouse ("Mr. Woodhouse" is a man), never a wife's
    "Mrs. Lennox" the book's Mary Lennox."""
    res = lite_engine.run(EMMA, model="lite", pipeline=PIPELINE, progress=lambda *a: None)
    emma = _cluster(res, "Emma Woodhouse")
    assert _cluster(res, "Miss Woodhouse") == emma
    assert _cluster(res, "Mr. Woodhouse") != emma
    assert _cluster(res, "Mrs. Lennox") != _cluster(res, "Mary Lennox")
