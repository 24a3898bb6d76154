"""BookNLP's model files: names, where they live, and what is installed.

BookNLP derives each model's BERT architecture from its file name
(``entities_google_bert_uncased_L-4_H-256_A-4-v1.0.model`` → ``google/bert_uncased_L-4_H-256_A-4``),
so file names are kept exactly as BookNLP publishes them. One ``vocab.txt`` (the
30,522-entry BERT uncased vocabulary all these models share) sits beside them, so nothing
is fetched from the Hugging Face hub at run time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The three roles of a BookNLP model set, in BookNLP's ``model_params`` keys for ``custom``.
ROLES: dict[str, str] = {
    "entity": "entity_model_path",
    "coref": "coref_model_path",
    "quote": "quote_attribution_model_path",
}

#: The published model sets, role → file name (english_booknlp.py, BookNLP 1.0.8).
MODEL_SETS: dict[str, dict[str, str]] = {
    "small": {
        "entity": "entities_google_bert_uncased_L-4_H-256_A-4-v1.0.model",
        "coref": "coref_google_bert_uncased_L-2_H-256_A-4-v1.0.model",
        "quote": "speaker_google_bert_uncased_L-8_H-256_A-4-v1.0.1.model",
    },
    "big": {
        "entity": "entities_google_bert_uncased_L-6_H-768_A-12-v1.0.model",
        "coref": "coref_google_bert_uncased_L-12_H-768_A-12-v1.0.model",
        "quote": "speaker_google_bert_uncased_L-12_H-768_A-12-v1.0.1.model",
    },
}

#: Where BookNLP publishes its model files.
MODEL_URL = "http://people.ischool.berkeley.edu/~dbamman/booknlp_models/{name}"
#: The vocabulary every BookNLP model uses (identical in all ``google/bert_uncased_*``).
VOCAB_FILE = "vocab.txt"
VOCAB_URL = "https://huggingface.co/google/bert_uncased_L-2_H-128_A-2/resolve/main/vocab.txt"
VOCAB_SIZE = 30_522

_ARCH = re.compile(r"(google_bert_uncased_L-(\d+)_H-(\d+)_A-(\d+))")


class ModelFilesError(RuntimeError):
    """Model files are missing or unusable; the message names the command that fixes it."""


@dataclass(frozen=True)
class BertArch:
    """A ``google/bert_uncased_L-*_H-*_A-*`` architecture, read from a model file name."""

    name: str  # "google/bert_uncased_L-4_H-256_A-4"
    layers: int
    hidden: int
    heads: int

    @classmethod
    def from_filename(cls, filename: str) -> BertArch:
        match = _ARCH.search(os.path.basename(filename))
        if match is None:
            raise ModelFilesError(
                f"{filename!r}: BookNLP reads the BERT architecture from the file name, which must "
                "contain google_bert_uncased_L-<layers>_H-<hidden>_A-<heads> "
                "(e.g. entities_google_bert_uncased_L-4_H-256_A-4-v1.0.model)"
            )
        full, layers, hidden, heads = match.groups()
        return cls(full.replace("google_bert", "google/bert"), int(layers), int(hidden), int(heads))


def default_model_dir() -> Path:
    """``$BOOKNLP_MODEL_DIR``, else BookNLP's own default ``~/booknlp_models``."""
    return Path(os.environ.get("BOOKNLP_MODEL_DIR") or Path.home() / "booknlp_models")


def model_dir(options: Mapping[str, Any] | None = None) -> Path:
    """The model folder from engine options (``model_dir``), else `default_model_dir`."""
    value = (options or {}).get("model_dir")
    return Path(value).expanduser() if value else default_model_dir()


def fix_command(model: str, directory: Path) -> str:
    """The command that installs ``model`` into ``directory``."""
    where = "" if directory == default_model_dir() else f" --dir {directory}"
    return (
        f"booknlp-jupyter models download {model}{where}  "
        f"(offline: fetch the files elsewhere, then booknlp-jupyter models import DIR{where})"
    )


def model_paths(model: str, options: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """Role → model file for ``model`` (``small``, ``big`` or ``custom``); not checked to exist.

    ``custom`` paths come only from server configuration (``engine_options``), never a client.
    """
    options = options or {}
    if model == "custom":
        missing = [key for key in ROLES.values() if not options.get(key)]
        if missing:
            raise ModelFilesError(
                "model 'custom' runs the model files named in the server configuration; set "
                + ", ".join(missing)
                + ' in c.BookNLPApp.engine_options = {"booknlp": {...}}'
            )
        return {role: Path(options[key]).expanduser() for role, key in ROLES.items()}
    if model not in MODEL_SETS:
        raise ModelFilesError(f"unknown BookNLP model {model!r}; choose small, big or custom")
    directory = model_dir(options)
    return {role: directory / name for role, name in MODEL_SETS[model].items()}


def vocab_path(model: str, options: Mapping[str, Any] | None = None) -> Path:
    """The ``vocab.txt`` for ``model``: option ``vocab_file``, else beside the model files."""
    options = options or {}
    if options.get("vocab_file"):
        return Path(options["vocab_file"]).expanduser()
    if model == "custom":
        return model_paths(model, options)["entity"].parent / VOCAB_FILE
    return model_dir(options) / VOCAB_FILE


def require_files(
    model: str, roles: list[str], options: Mapping[str, Any] | None = None
) -> dict[str, Path]:
    """Files for ``roles`` plus ``vocab``; `ModelFilesError` naming the fix if any is missing."""
    paths = {role: p for role, p in model_paths(model, options).items() if role in roles}
    paths["vocab"] = vocab_path(model, options)
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        if model == "custom":
            fix = 'fix the paths in c.BookNLPApp.engine_options["booknlp"]'
        else:
            fix = "run: " + fix_command(model, model_dir(options))
        raise ModelFilesError(
            f"BookNLP model {model!r} is not installed: missing {', '.join(missing)}; {fix}"
        )
    for role, path in paths.items():
        if role != "vocab":
            BertArch.from_filename(path.name)
    return paths


def installed(options: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """What is installed: one row per file of each published set, plus the vocabulary."""
    directory = model_dir(options)
    rows = []
    for model, files in MODEL_SETS.items():
        for role, name in files.items():
            path = directory / name
            rows.append(
                {
                    "model": model,
                    "role": role,
                    "path": str(path),
                    "size": path.stat().st_size if path.is_file() else None,
                }
            )
    vocab = directory / VOCAB_FILE
    rows.append(
        {
            "model": "*",
            "role": "vocab",
            "path": str(vocab),
            "size": vocab.stat().st_size if vocab.is_file() else None,
        }
    )
    return rows
