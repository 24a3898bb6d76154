"""The booknlp engine's options (``c.BookNLPApp.engine_options = {"booknlp": {...}}``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ..options import EngineOptions
from .quantize import Quantize, check_device


class BookNLPOptions(EngineOptions):
    """Where the model files are, how to run them, and BookNLP's own ``model_params``."""

    #: The folder of the published ``small``/``big`` files (default ``$BOOKNLP_MODEL_DIR``
    #: or ``~/booknlp_models``).
    model_dir: Path | None = None
    #: The three files of model ``custom`` (BookNLP's ``model_params`` names).
    entity_model_path: Path | None = None
    coref_model_path: Path | None = None
    quote_attribution_model_path: Path | None = None
    #: The BERT vocabulary (default ``vocab.txt`` beside the model files).
    vocab_file: Path | None = None
    #: As the lite engine's: a spaCy package name or model directory.
    spacy_model: str | None = None
    #: ``cuda``, ``cuda:1``, ``cpu``...; default CUDA when available.
    device: str | None = None
    #: Characters per spaCy chunk; 0 parses the book whole, as BookNLP does.
    spacy_chunk_chars: int = Field(100_000, ge=0)
    #: spaCy parses of those chunks at once (`spacy_parallel`): 1 parses them one after
    #: another in the worker; n adds n - 1 helper processes for the spaCy stage only (about
    #: 800 MB each while it runs); ``"auto"``: one per usable CPU (`threads.usable_cpus`);
    #: None (the default): two where the worker may use two CPUs or more, else one. The
    #: same tables either way.
    spacy_processes: int | Literal["auto"] | None = None
    #: Run BookNLP's per-token Python loops with numpy (the entity tagger's batches, layer
    #: merging, events and CRF decoding; the speaker model's batches; coref's inputs, quote
    #: lookup and mention-by-mention loop): the same tensors and BookNLP's rules, so the
    #: same output, in less time. False runs BookNLP's own code (for comparison,
    #: `bench/booknlp_bench.py --before`).
    numpy_loops: bool = True
    #: Sequences per batch in the three BERT stages (`batches`): None keeps BookNLP's own
    #: (entity tagger 32, then 12 and 6 for long sequences; speakers 32; coref 128), so
    #: BookNLP's output; an int sets all three (the tagger's long-sequence sizes in
    #: proportion); ``"auto"`` picks larger ones from a CUDA device's free memory (BookNLP's
    #: on a CPU). Other sizes pad batches differently: floats, and rarely a decision, may
    #: differ (`bench/booknlp_bench.py --batch-size`). Needs ``numpy_loops``.
    batch_size: int | Literal["auto"] | None = None
    #: Score the speaker model's quote windows sorted by length, a block of batches at a
    #: time (`fast_speakers`), so batches are padded less; BookNLP still decodes them in
    #: order. A score's last bit may differ from BookNLP's (`bench/booknlp_bench.py
    #: --sort-windows` measures the agreement). Needs ``numpy_loops``.
    sort_windows: bool = False
    #: PyTorch's CPU threads in the worker (`torch.set_num_threads`); None keeps PyTorch's
    #: default, one per core it sees, which in a container may be more than its CPU
    #: quota allows (`threads`; ``booknlp-jupyter doctor`` says so).
    torch_threads: int | None = Field(None, ge=1)
    #: ``"int8"``: the BERT models' linear layers in 8-bit integers (`quantize`), faster
    #: on a CPU, CPU only; the output is not BookNLP's (`bench/booknlp_bench.py
    #: --quantize` measures the agreement). None (the default) keeps BookNLP's floats.
    quantize: Quantize | None = None
    #: BookNLP's own ``model_params`` (their names kept).
    referential_gender_cats: list[list[str]] | None = None
    referential_gender_hyperparameterFile: Path | None = None
    pronominalCorefOnly: bool = True

    @field_validator("batch_size", mode="before")
    @classmethod
    def _batch_size(cls, value: Any) -> Any:
        if value is None or value == "auto" or (type(value) is int and 1 <= value <= 4096):
            return value
        raise ValueError(f"{value!r} is not a number of sequences (1 to 4096), 'auto' or None")

    @field_validator("spacy_processes", mode="before")
    @classmethod
    def _spacy_processes(cls, value: Any) -> Any:
        if value is None or value == "auto" or (type(value) is int and 1 <= value <= 256):
            return value
        raise ValueError(f"{value!r} is not a number of processes (1 to 256), 'auto' or None")

    def parsers(self) -> int:
        """How many spaCy parses may run at once (``spacy_processes``, resolved)."""
        if isinstance(self.spacy_processes, int):
            return self.spacy_processes
        from .threads import usable_cpus

        cpus = usable_cpus()
        return cpus if self.spacy_processes == "auto" else min(2, cpus)

    @model_validator(mode="after")
    def _batch_size_needs_numpy_loops(self) -> BookNLPOptions:
        if self.batch_size is not None and not self.numpy_loops:
            raise ValueError(
                "batch_size needs numpy_loops: BookNLP's own entity tagger fixes its batch "
                "size inside its code"
            )
        if self.sort_windows and not self.numpy_loops:
            raise ValueError("sort_windows needs numpy_loops: it sorts the numpy batches")
        return self

    @model_validator(mode="after")
    def _quantize_on_the_cpu(self) -> BookNLPOptions:
        if self.device:  # a default device is known only when the worker loads (`engine`)
            check_device(self.quantize, self.device)
        return self

    def file_options(self) -> dict[str, Any]:
        """The options `files` reads (model folder and paths), as a mapping."""
        return self.model_dump(exclude_none=True)
