"""Batch sizes of the BookNLP engine's three BERT stages (option ``batch_size``).

BookNLP 1.0.8 fixes them: the entity tagger takes 32 sequences per batch (12 once a batch
is over 100 wordpieces, 6 over 200: `fast_entities.long_batch_sizes`), speaker attribution
32 quote windows, coref 128 sequences. ``batch_size`` None keeps these (the output is
BookNLP's, byte for byte); an int sets all three; ``"auto"`` picks larger ones on a CUDA
device from its free memory (`auto_batch_size`) and keeps BookNLP's on a CPU. A size that
is not BookNLP's changes the padding of each batch, so the floats (and rarely a decision)
may differ slightly: `bench/booknlp_bench.py --batch-size` measures the agreement.
"""

from __future__ import annotations

from typing import Any, Literal

#: BookNLP's own batch sizes, per role (`BookNLPEngine.roles`).
BOOKNLP: dict[str, int] = {"entity": 32, "quote": 32, "coref": 128}
#: ``"auto"``'s bounds: BookNLP's size below (per role), this above.
AUTO_MAX = 256
#: ``"auto"``'s estimate of one sequence's memory (500 wordpieces through one BERT layer
#: without gradients, all layers' outputs kept as BookNLP asks): this many bytes per unit
#: of hidden size (96 MiB for ``big``'s 768, 32 MiB for ``small``'s 256).
BYTES_PER_SEQUENCE_PER_HIDDEN = 128 * 1024


def auto_batch_size(free_bytes: int, hidden_size: int) -> int:
    """``"auto"``'s rule: the largest power of two of sequences that fits in half the
    device's free memory at ``BYTES_PER_SEQUENCE_PER_HIDDEN * hidden_size`` bytes each,
    at most `AUTO_MAX` (then `stage_batch_size` raises it to BookNLP's size if smaller)."""
    fits = free_bytes // 2 // (BYTES_PER_SEQUENCE_PER_HIDDEN * hidden_size)
    size = 1
    while size * 2 <= min(fits, AUTO_MAX):
        size *= 2
    return size


def stage_batch_size(
    option: int | Literal["auto"] | None, role: str, part: Any, device: Any
) -> int:
    """The batch size of ``role``'s loaded model ``part`` on ``device`` for ``option``
    (``"auto"``: never below BookNLP's; the free memory is read once, at loading)."""
    default = BOOKNLP[role]
    if option is None:
        return default
    if option != "auto":
        return int(option)
    if getattr(device, "type", str(device)) != "cuda":
        return default
    import torch

    free, _ = torch.cuda.mem_get_info(device)
    return max(default, auto_batch_size(free, part.model.bert.config.hidden_size))
