"""BookNLP's CRF Viterbi decoding (`booknlp.common.crf.CRF.viterbi_decode`) in numpy.

BookNLP decodes one time step at a time with half a dozen small torch operations each, so a
batch of 500-token sequences costs thousands of operator calls. This does the same float32
arithmetic, in the same order, on numpy arrays: each sum, maximum and mask blend is the
IEEE operation BookNLP's torch code performs, ties go to the first index as in
``Tensor.max``, and padded steps are walked exactly as BookNLP walks them, so the paths are
the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def viterbi_decode(crf: Any, logits: Any, lens: Any) -> np.ndarray:
    """The best tag path of each sequence: ``crf.viterbi_decode(logits, lens)[1]`` as a
    [batch, seq_len] int64 array (``crf`` is BookNLP's `CRF`, ``logits`` [batch, seq_len,
    n_labels], ``lens`` the length of each sequence)."""
    scores = logits.detach().cpu().numpy().astype(np.float32, copy=False)
    transitions = crf.transitions.detach().cpu().numpy().astype(np.float32, copy=False)
    stop = transitions[crf.stop_idx][None, :]
    batch, seq_len, n_labels = scores.shape
    left = np.asarray(lens.cpu() if hasattr(lens, "cpu") else lens, dtype=np.int64).copy()
    vit = np.full((batch, n_labels), -10000, dtype=np.float32)
    vit[:, crf.start_idx] = 0
    pointers = np.empty((seq_len, batch, n_labels), dtype=np.int64)
    one = np.float32(1)
    for t in range(seq_len):
        total = vit[:, None, :] + transitions[None, :, :]  # [batch, to, from]
        best = total.argmax(axis=2)
        pointers[t] = best
        vit_next = np.take_along_axis(total, best[:, :, None], 2)[:, :, 0] + scores[:, t, :]
        mask = (left > 0).astype(np.float32)[:, None]
        vit = mask * vit_next + (one - mask) * vit
        mask = (left == 1).astype(np.float32)[:, None]
        vit = vit + mask * stop
        left -= 1
    idx = vit.argmax(axis=1)
    paths = np.empty((batch, seq_len), dtype=np.int64)
    rows = np.arange(batch)
    for t in range(seq_len - 1, -1, -1):
        idx = pointers[t][rows, idx]
        if t:
            paths[:, t - 1] = idx
    paths[:, seq_len - 1] = vit.argmax(axis=1)
    return paths
