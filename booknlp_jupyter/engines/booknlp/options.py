"""The booknlp engine's options (``c.BookNLPApp.engine_options = {"booknlp": {...}}``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from ..options import EngineOptions


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
    #: Run BookNLP's per-token Python loops with numpy (the entity tagger's batches, layer
    #: merging, events and CRF decoding; the speaker model's batches; coref's inputs, quote
    #: lookup and mention-by-mention loop): the same tensors and BookNLP's rules, so the
    #: same output, in less time. False runs BookNLP's own code (for comparison,
    #: `bench/booknlp_bench.py --before`).
    numpy_loops: bool = True
    #: BookNLP's own ``model_params`` (their names kept).
    referential_gender_cats: list[list[str]] | None = None
    referential_gender_hyperparameterFile: Path | None = None
    pronominalCorefOnly: bool = True

    def file_options(self) -> dict[str, Any]:
        """The options `files` reads (model folder and paths), as a mapping."""
        return self.model_dump(exclude_none=True)
