"""Option ``quantize: "int8"``: the three BERT models' linear layers in 8-bit integers.

PyTorch's dynamic quantization (`torch.ao.quantization.quantize_dynamic`) stores each
``nn.Linear`` weight as int8 and quantizes its input per batch; on a CPU those products
(most of BERT's time) run about three times faster. The numbers are not BookNLP's any
more, so decisions can differ: `bench/booknlp_bench.py --quantize` measures the agreement
with bare BookNLP's files. It is an option, never the default, and CPU only (PyTorch has
no CUDA kernels for it). PyTorch marks these functions deprecated (still in 2.13).
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

Quantize = Literal["int8"]


def check_device(option: Quantize | None, device: Any) -> None:
    """Refuse ``quantize`` on a device other than the CPU (a `torch.device` or its name,
    such as the ``device`` option), saying what to do."""
    kind = getattr(device, "type", None) or str(device).split(":")[0]
    if option is not None and kind != "cpu":
        raise ValueError(
            f"quantize {option!r} runs on the CPU only (the device is {device}): set the "
            "booknlp engine option device to 'cpu', or remove quantize"
        )


def quantize_part(part: Any) -> None:
    """Quantize the linear layers of a loaded BookNLP part's network (``part.model``) in
    place."""
    import torch
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():  # PyTorch's deprecation notice, once per layer
        warnings.simplefilter("ignore", UserWarning)
        quantize_dynamic(part.model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
