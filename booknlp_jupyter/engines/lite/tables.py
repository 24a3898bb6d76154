"""Result tables as dicts of columns (numpy arrays for ints), in the shared schema."""

from __future__ import annotations

from typing import Any

import numpy as np

from .entities import Mentions, title_mentions
from .tokens import TokenColumns


def _i32(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.int32)


def token_table(cols: TokenColumns, events: list[int]) -> dict[str, Any]:
    onsets = (
        np.frombuffer(cols.onsets, dtype=np.int64).copy() if len(cols) else np.zeros(0, np.int64)
    )
    lengths = np.fromiter((len(w) for w in cols.words), dtype=np.int64, count=len(cols))
    event = ["O"] * len(cols)
    for i in events:
        event[i] = "EVENT"
    return {
        "paragraph_ID": _i32(cols.para_ids),
        "sentence_ID": _i32(cols.sent_ids),
        "token_ID_within_sentence": _i32(cols.in_sent),
        "token_ID_within_document": np.arange(len(cols), dtype=np.int32),
        "word": cols.words,
        "lemma": cols.lemmas,
        "byte_onset": onsets,
        "byte_offset": onsets + lengths,
        "POS_tag": cols.pos,
        "fine_POS_tag": cols.tags,
        "dependency_relation": cols.deps,
        "syntactic_head_ID": _i32(cols.heads),
        "event": event,
    }


def entity_table(cols: TokenColumns, mentions: Mentions, refs: list[int]) -> dict[str, Any]:
    """Every mention, plus the honorific that opens a person's name ("Mr." in "Mr.
    Bennet"), which LitBank marks as a nested PER mention of its own (a singleton)."""
    rows = [
        (mentions.starts[k], mentions.ends[k], mentions.props[k], mentions.cats[k], int(refs[k]))
        for k in range(len(mentions))
    ]
    extra = title_mentions(cols, mentions)
    if extra:
        fresh = max((r[4] for r in rows), default=-1) + 1
        rows.extend((i, i, "NOM", "PER", fresh + n) for n, i in enumerate(extra))
        rows.sort(key=lambda r: (r[0], r[1]))
    return {
        "COREF": np.asarray([r[4] for r in rows], dtype=np.int64),
        "start_token": _i32([r[0] for r in rows]),
        "end_token": _i32([r[1] for r in rows]),
        "prop": [r[2] for r in rows],
        "cat": [r[3] for r in rows],
        "text": [cols.text(r[0], r[1]) for r in rows],
    }


def quote_table(
    cols: TokenColumns,
    mentions: Mentions,
    quotes: list[tuple[int, int]],
    speakers: list[int | None],
    refs: list[int],
) -> dict[str, Any]:
    out: dict[str, list] = {
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
    for q, (start, end) in enumerate(quotes):
        m = speakers[q] if q < len(speakers) else None
        out["quote_start"].append(start)
        out["quote_end"].append(end)
        out["quote"].append(cols.text(start, end))
        if m is None:
            for k in ("mention_start", "mention_end", "mention_phrase", "char_id"):
                out[k].append(None)
        else:
            ms, me = mentions.starts[m], mentions.ends[m]
            out["mention_start"].append(ms)
            out["mention_end"].append(me)
            out["mention_phrase"].append(cols.text(ms, me))
            out["char_id"].append(refs[m])
    return out


def event_table(cols: TokenColumns, events: list[int]) -> dict[str, Any]:
    return {
        "token_ID_within_document": _i32(events),
        "sentence_ID": _i32([cols.sent_ids[i] for i in events]),
        "word": [cols.words[i] for i in events],
    }
