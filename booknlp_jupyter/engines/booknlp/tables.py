"""BookNLP's outputs as the shared result tables: from memory, or from its output files.

`from_run` converts what a run leaves in memory exactly as BookNLP's ``process`` writes it
(``.tokens``, ``.entities``, ``.quotes``, ``.supersense``, ``.book``); `read_output` parses
those files back (typed), for BookNLP output folders made elsewhere, and to check the two.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ...results.booknlp_read import character_name
from ..base import EngineResult

TOKEN_COLUMNS = (
    "paragraph_ID",
    "sentence_ID",
    "token_ID_within_sentence",
    "token_ID_within_document",
    "word",
    "lemma",
    "byte_onset",
    "byte_offset",
    "POS_tag",
    "fine_POS_tag",
    "dependency_relation",
    "syntactic_head_ID",
    "event",
)
_INT_COLUMNS = {
    "paragraph_ID",
    "sentence_ID",
    "token_ID_within_sentence",
    "token_ID_within_document",
    "byte_onset",
    "byte_offset",
    "syntactic_head_ID",
    "COREF",
    "start_token",
    "end_token",
    "quote_start",
    "quote_end",
    "mention_start",
    "mention_end",
    "char_id",
}


def events_table(tokens: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """``events`` from the tokens' ``event`` column."""
    rows = [i for i, e in enumerate(tokens["event"]) if e == "EVENT"]
    return {
        "token_ID_within_document": [tokens["token_ID_within_document"][i] for i in rows],
        "sentence_ID": [tokens["sentence_ID"][i] for i in rows],
        "word": [tokens["word"][i] for i in rows],
    }


def _characters(book: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not book:
        return []
    chars = json.loads(json.dumps(book["characters"]))  # as BookNLP's .book file holds them
    for c in chars:
        c["name"] = character_name(c)
    return chars


def from_run(run: dict[str, Any]) -> EngineResult:
    """The result tables from `pipeline.process`'s in-memory output."""
    toks = run["tokens"]
    tokens = {
        "paragraph_ID": [t.paragraph_id for t in toks],
        "sentence_ID": [t.sentence_id for t in toks],
        "token_ID_within_sentence": [t.index_within_sentence_idx for t in toks],
        "token_ID_within_document": [t.token_id for t in toks],
        "word": [t.text for t in toks],
        "lemma": [t.lemma for t in toks],
        "byte_onset": [t.startByte for t in toks],
        "byte_offset": [t.endByte for t in toks],
        "POS_tag": [t.pos for t in toks],
        "fine_POS_tag": [t.fine_pos for t in toks],
        "dependency_relation": [t.deprel for t in toks],
        "syntactic_head_ID": [t.dephead for t in toks],
        "event": [t.event for t in toks],
    }
    result = EngineResult(tokens=tokens, events=events_table(tokens))
    entities, assignments = run.get("entities"), run.get("assignments")
    if entities is not None:
        result.entities = {
            "COREF": [int(a) for a in assignments],
            "start_token": [e[0] for e in entities],
            "end_token": [e[1] for e in entities],
            "prop": [e[2].split("_")[0] for e in entities],
            "cat": [e[2].split("_")[1] for e in entities],
            "text": [e[3] for e in entities],
        }
    if run.get("supersense") is not None:
        ss = run["supersense"]
        result.supersenses = {
            "start_token": [s[0] for s in ss],
            "end_token": [s[1] for s in ss],
            "supersense_category": [s[2] for s in ss],
            "text": [s[3] for s in ss],
        }
    if run.get("attributed") is not None:
        rows: dict[str, list[Any]] = {
            k: []
            for k in (
                "quote_start",
                "quote_end",
                "mention_start",
                "mention_end",
                "mention_phrase",
                "char_id",
                "quote",
            )
        }
        for (q_start, q_end), mention in zip(run["quotes"], run["attributed"], strict=True):
            entity = entities[mention] if mention is not None else None
            rows["quote_start"].append(q_start)
            rows["quote_end"].append(q_end)
            rows["mention_start"].append(entity[0] if entity else None)
            rows["mention_end"].append(entity[1] if entity else None)
            rows["mention_phrase"].append(entity[3] if entity else None)
            rows["char_id"].append(int(assignments[mention]) if entity else None)
            rows["quote"].append(" ".join(t.text for t in toks[q_start : q_end + 1]))
        result.quotes = rows
    result.characters = _characters(run.get("book"))
    return result


def _read_tsv(path: Path) -> dict[str, list[Any]] | None:
    if not path.is_file():
        return None
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        columns: dict[str, list[Any]] = {h: [] for h in header}
        for row in reader:
            for name, value in zip(header, row, strict=True):
                if name in _INT_COLUMNS:
                    columns[name].append(None if value == "None" else int(value))
                else:
                    columns[name].append(
                        None if value == "None" and name == "mention_phrase" else value
                    )
    return columns


def read_output(folder: str | Path, book_id: str) -> EngineResult:
    """Parse a BookNLP output folder (``{book_id}.tokens`` etc.) into the result tables."""
    folder = Path(folder)
    tokens = _read_tsv(folder / f"{book_id}.tokens")
    result = EngineResult(
        tokens=tokens,
        entities=_read_tsv(folder / f"{book_id}.entities"),
        quotes=_read_tsv(folder / f"{book_id}.quotes"),
        supersenses=_read_tsv(folder / f"{book_id}.supersense"),
        events=events_table(tokens) if tokens else None,
    )
    book = folder / f"{book_id}.book"
    if book.is_file():
        result.characters = _characters(json.loads(book.read_text(encoding="utf-8")))
    return result
