"""`given_names.split_given_names`: two people BookNLP's name clustering made one."""

from __future__ import annotations

from booknlp_jupyter.engines.lite.given_names import split_given_names


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
