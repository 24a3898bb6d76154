"""BookNLP's speaker-attribution batches (`BERTSpeakerID.get_batches`) built with numpy.

BookNLP converts every word of every quote's window to wordpiece ids again (the slow
tokenizer's id lookup per piece) and fills the candidate and quote averaging matrices one
element at a time. `install` replaces ``get_batches`` on one loaded model with a copy that
converts each distinct word once and fills the matrices by slices; the tensors are element
for element BookNLP's (same values, dtypes, shapes and batches), so the speakers are too
(at BookNLP's 32 windows per batch; the engine's ``batch_size`` may set another).

With ``sort_block`` (option ``sort_windows``) the windows go through BERT sorted by length
within blocks of that many batches, so each batch is padded to about its own windows'
length rather than to its longest: `deferred_batches` hands BookNLP placeholders in its own
order, and the model's ``forward`` scores a whole block (`WindowScores`) the first time one
of its windows is asked for. BookNLP's decoding still reads the windows in order (a quote
can take the speaker of the quote before it). The sums over a padded row change length, so
a score may differ in its last bit from BookNLP's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

MARKERS = frozenset({"[ALTQUOTE]", "[PAR]", "[QUOTE]"})
#: Batches per block of windows sorted by length (option ``sort_windows``).
SORT_BLOCK = 8
#: Candidate rows per quote in BookNLP's matrices.
CANDIDATES = 10


def install(attribution: Any, batch_size: int = 32, sort_block: int = 0) -> None:
    """Swap `BERTSpeakerID.get_batches` for the numpy one (on the instance), in batches of
    ``batch_size`` quote windows (BookNLP's 32); with ``sort_block``, also its ``forward``,
    for windows sorted by length within blocks of ``sort_block`` batches."""
    model = attribution.model
    if not sort_block:
        model.get_batches = functools.partial(get_batches, model, batch_size=batch_size)
        return
    model.get_batches = functools.partial(
        deferred_batches, model, batch_size=batch_size, block=sort_block
    )
    model.forward = functools.partial(_forward, model.forward)


@dataclass
class Window:
    """One quote's window: its wordpiece ids (with [CLS] and [SEP]), the wordpiece span
    of the quote marker and of each candidate, the candidates' labels and entity ids."""

    ids: list[int]
    quote: tuple[int, int]
    cands: list[tuple[int, int]]
    y: list[int]
    eids: list[Any]


def _word(word: str, lower: bool) -> str:
    """BookNLP's word form for the uncased model: markers kept, ``[CAP]`` for capitals."""
    if word in MARKERS or not lower:
        return word
    return "[CAP] " + word.lower() if word[0].lower() != word[0] else word.lower()


def windows(
    self: Any, all_x: list[list[str]], all_m: list[Any], doLowerCase: bool = True
) -> list[Window]:
    """Each quote window's ids and spans, as `BERTSpeakerID.get_batches` computes them."""
    tokenizer = self.tokenizer
    cls, sep = tokenizer.convert_tokens_to_ids("[CLS]"), tokenizer.convert_tokens_to_ids("[SEP]")
    ids_of: dict[tuple[str, bool], list[int]] = {}

    def word_ids(word: str, lower: bool) -> list[int]:
        got = ids_of.get((word, lower))
        if got is None:
            got = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(_word(word, lower)))
            ids_of[word, lower] = got
        return got

    out = []
    for sent, (_, cand_list, quote_at) in zip(all_x, all_m, strict=True):
        seq = [cls, *(p for w in sent for p in word_ids(w, doLowerCase)), sep]
        # wordpiece span of each word (get_wp_position_for_all_tokens, lower-cased)
        lens = np.array([len(word_ids(w, True)) for w in sent], dtype=np.int64)
        ends = 1 + np.cumsum(lens)
        starts = ends - lens
        cands = [(int(starts[s]), int(ends[e - 1])) for s, e, _, _ in cand_list]
        y = [truth for _, _, truth, _ in cand_list]
        eids = [eid for _, _, _, eid in cand_list]
        y += [0] * (CANDIDATES - len(y))
        eids += [None] * (CANDIDATES - len(eids))
        out.append(Window(seq, (int(starts[quote_at]), int(ends[quote_at])), cands, y, eids))
    return out


def tensors(batch: list[Window], device: Any) -> tuple[dict, dict]:
    """BookNLP's ``(batch_x, batch_m)`` for windows ``batch``: ids and mask padded to the
    longest, and the candidate and quote averaging matrices."""
    import torch

    max_len = max(len(w.ids) for w in batch)
    toks = np.zeros((len(batch), max_len), dtype=np.int64)
    mask = np.zeros((len(batch), max_len), dtype=np.int64)
    cands = np.zeros((len(batch), CANDIDATES, max_len), dtype=np.float32)
    quote = np.zeros((len(batch), CANDIDATES, max_len), dtype=np.float32)
    for j, w in enumerate(batch):
        toks[j, : len(w.ids)] = w.ids
        mask[j, : len(w.ids)] = 1
        q_start, q_end = w.quote
        if q_end > q_start:
            quote[j, :, q_start:q_end] = 1.0 / (q_end - q_start)
        for c_idx, (c_start, c_end) in enumerate(w.cands):
            if c_end > c_start:
                cands[j, c_idx, c_start:c_end] = 1.0 / (c_end - c_start)
    x = {"toks": torch.from_numpy(toks).to(device), "mask": torch.from_numpy(mask).to(device)}
    m = {"cands": torch.from_numpy(cands).to(device), "quote": torch.from_numpy(quote).to(device)}
    return x, m


def _labels(batch: list[Window], metas: list[Any], device: Any) -> dict:
    """BookNLP's ``batch_y``: the candidates' labels and ids, and the quotes' ids."""
    import torch

    return {
        "y": torch.LongTensor([w.y for w in batch]).to(device),
        "eid": [w.eids for w in batch],
        "quote_eids": [eid for eid, _, _ in metas],
    }


def get_batches(
    self: Any,
    all_x: list[list[str]],
    all_m: list[Any],
    batch_size: int = 32,
    doLowerCase: bool = True,
) -> tuple[list[dict], list[dict], list[dict], list[tuple]]:
    """`BERTSpeakerID.get_batches`: ids, masks and candidate/quote matrices per batch."""
    from booknlp.english import speaker_attribution

    device = speaker_attribution.device
    every = windows(self, all_x, all_m, doLowerCase)
    return _batches(all_x, all_m, every, batch_size, lambda i, batch: tensors(batch, device))


def _batches(
    all_x: list[list[str]],
    all_m: list[Any],
    every: list[Window],
    batch_size: int,
    inputs: Callable[[int, list[Window]], tuple[Any, Any]],
) -> tuple[list[Any], list[Any], list[dict], list[tuple]]:
    """BookNLP's four lists of batches, ``inputs(first, windows)`` the model's inputs
    (``batch_x``, ``batch_m``) of the batch beginning at window ``first``."""
    from booknlp.english import speaker_attribution

    device = speaker_attribution.device
    batches_o, batches_x, batches_y, batches_m = [], [], [], []
    for i in range(0, len(all_x), batch_size):
        batch = every[i : i + batch_size]
        x, m = inputs(i, batch)
        batches_o.append((all_x[i : i + batch_size], all_m[i : i + batch_size]))
        batches_x.append(x)
        batches_m.append(m)
        batches_y.append(_labels(batch, all_m[i : i + batch_size], device))
    return batches_x, batches_m, batches_y, batches_o


@dataclass
class Deferred:
    """A placeholder for one of BookNLP's batches: which windows, scored by ``scores``."""

    scores: WindowScores
    ids: range


class WindowScores:
    """The speaker model's scores of every window, computed a block at a time with each
    block's windows sorted by length (stable) and batched ``batch_size`` at a time."""

    def __init__(self, every: list[Window], batch_size: int, block: int, device: Any):
        self.every, self.batch_size, self.device = every, batch_size, device
        self.block = batch_size * block
        self.rows: dict[int, Any] = {}

    def of(self, forward: Any, ids: range) -> Any:
        """Scores of windows ``ids`` (BookNLP's ``forward`` output for them, stacked)."""
        import torch

        for i in ids:
            if i not in self.rows:
                self._score_block(forward, i - i % self.block)
        return torch.stack([self.rows[i] for i in ids])

    def _score_block(self, forward: Any, start: int) -> None:
        order = sorted(
            range(start, min(start + self.block, len(self.every))),
            key=lambda i: len(self.every[i].ids),
        )
        for b in range(0, len(order), self.batch_size):
            chosen = order[b : b + self.batch_size]
            x, m = tensors([self.every[i] for i in chosen], self.device)
            for i, row in zip(chosen, forward(x, m), strict=True):
                self.rows[i] = row


def deferred_batches(
    self: Any,
    all_x: list[list[str]],
    all_m: list[Any],
    batch_size: int = 32,
    block: int = 8,
    doLowerCase: bool = True,
) -> tuple[list[Any], list[None], list[dict], list[tuple]]:
    """`get_batches` with `Deferred` placeholders for the model's inputs (`_forward`)."""
    from booknlp.english import speaker_attribution

    device = speaker_attribution.device
    every = windows(self, all_x, all_m, doLowerCase)
    scores = WindowScores(every, batch_size, block, device)
    return _batches(
        all_x,
        all_m,
        every,
        batch_size,
        lambda i, batch: (Deferred(scores, range(i, i + len(batch))), None),
    )


def _forward(forward: Any, batch_x: Any, batch_m: Any) -> Any:
    """BookNLP's ``forward``, or a `Deferred` batch's scores."""
    if isinstance(batch_x, Deferred):
        return batch_x.scores.of(forward, batch_x.ids)
    return forward(batch_x, batch_m)
