"""BookNLP's speaker-attribution batches (`BERTSpeakerID.get_batches`) built with numpy.

BookNLP converts every word of every quote's window to wordpiece ids again (the slow
tokenizer's id lookup per piece) and fills the candidate and quote averaging matrices one
element at a time. `install` replaces ``get_batches`` on one loaded model with a copy that
converts each distinct word once and fills the matrices by slices; the tensors are element
for element BookNLP's (same values, dtypes, shapes and batches), so the speakers are too
(at BookNLP's 32 windows per batch; the engine's ``batch_size`` may set another).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

MARKERS = frozenset({"[ALTQUOTE]", "[PAR]", "[QUOTE]"})
#: Candidate rows per quote in BookNLP's matrices.
CANDIDATES = 10


def install(attribution: Any, batch_size: int = 32) -> None:
    """Swap `BERTSpeakerID.get_batches` for the numpy one (on the instance), in batches of
    ``batch_size`` quote windows (BookNLP's 32)."""
    model = attribution.model
    model.get_batches = functools.partial(get_batches, model, batch_size=batch_size)


def _word(word: str, lower: bool) -> str:
    """BookNLP's word form for the uncased model: markers kept, ``[CAP]`` for capitals."""
    if word in MARKERS or not lower:
        return word
    return "[CAP] " + word.lower() if word[0].lower() != word[0] else word.lower()


def get_batches(
    self: Any,
    all_x: list[list[str]],
    all_m: list[Any],
    batch_size: int = 32,
    doLowerCase: bool = True,
) -> tuple[list[dict], list[dict], list[dict], list[tuple]]:
    """`BERTSpeakerID.get_batches`: ids, masks and candidate/quote matrices per batch."""
    import torch
    from booknlp.english import speaker_attribution

    device = speaker_attribution.device
    tokenizer = self.tokenizer
    cls, sep = tokenizer.convert_tokens_to_ids("[CLS]"), tokenizer.convert_tokens_to_ids("[SEP]")
    ids_of: dict[tuple[str, bool], list[int]] = {}

    def word_ids(word: str, lower: bool) -> list[int]:
        got = ids_of.get((word, lower))
        if got is None:
            got = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(_word(word, lower)))
            ids_of[word, lower] = got
        return got

    batches_o, batches_x, batches_y, batches_m = [], [], [], []
    for i in range(0, len(all_x), batch_size):
        xb, mb = all_x[i : i + batch_size], all_m[i : i + batch_size]
        seqs = [[cls, *(p for w in sent for p in word_ids(w, doLowerCase)), sep] for sent in xb]
        max_len = max(len(s) for s in seqs)
        toks = np.zeros((len(xb), max_len), dtype=np.int64)
        mask = np.zeros((len(xb), max_len), dtype=np.int64)
        cands = np.zeros((len(xb), CANDIDATES, max_len), dtype=np.float32)
        quote = np.zeros((len(xb), CANDIDATES, max_len), dtype=np.float32)
        ys, eids_all, quote_eids = [], [], []
        for j, seq in enumerate(seqs):
            toks[j, : len(seq)] = seq
            mask[j, : len(seq)] = 1
            # wordpiece span of each word (get_wp_position_for_all_tokens, lower-cased)
            lens = np.array([len(word_ids(w, True)) for w in xb[j]], dtype=np.int64)
            ends = 1 + np.cumsum(lens)
            starts = ends - lens
            eid, cand_list, quote_at = mb[j]
            quote_eids.append(eid)
            q_start, q_end = int(starts[quote_at]), int(ends[quote_at])
            if q_end > q_start:
                quote[j, :, q_start:q_end] = 1.0 / (q_end - q_start)
            y, eids = [], []
            for c_idx, (start, end, truth, cand_eid) in enumerate(cand_list):
                c_start, c_end = int(starts[start]), int(ends[end - 1])
                if c_end > c_start:
                    cands[j, c_idx, c_start:c_end] = 1.0 / (c_end - c_start)
                y.append(truth)
                eids.append(cand_eid)
            y += [0] * (CANDIDATES - len(y))
            eids += [None] * (CANDIDATES - len(eids))
            ys.append(y)
            eids_all.append(eids)
        batches_o.append((xb, mb))
        batches_x.append(
            {"toks": torch.from_numpy(toks).to(device), "mask": torch.from_numpy(mask).to(device)}
        )
        batches_m.append(
            {
                "cands": torch.from_numpy(cands).to(device),
                "quote": torch.from_numpy(quote).to(device),
            }
        )
        batches_y.append(
            {"y": torch.LongTensor(ys).to(device), "eid": eids_all, "quote_eids": quote_eids}
        )
    return batches_x, batches_m, batches_y, batches_o
