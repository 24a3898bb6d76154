"""Can a BookNLP model run here, and what do its results depend on? Cheap: no imports of
torch, transformers or booknlp, no reading of model files (only their names and sizes)."""

from __future__ import annotations

from typing import Any

from .. import identity as ident
from ..lite.engine import default_spacy_model
from . import files, spacy_stage
from .compat import TRANSFORMERS_RANGE, BookNLPEngineError, check_transformers
from .options import BookNLPOptions

#: Modules BookNLP's models need, with how to install each.
_NEEDS = (
    ("torch", "pip install torch"),
    ("transformers", f"pip install 'transformers{TRANSFORMERS_RANGE}'"),
    ("booknlp", "pip install --no-deps booknlp==1.0.8"),
    ("pkg_resources", "pip install 'setuptools<81'"),
    ("spacy", "pip install 'booknlp-jupyter[booknlp]'"),
)


def unavailable_reason(model: str, settings: BookNLPOptions) -> str | None:
    """A missing library or spaCy model, or model files not installed, with the fix."""
    for module, fix in _NEEDS:
        if not ident.has_module(module):
            return f"BookNLP's model {model!r} needs {module}, which is not installed: {fix}"
    version = ident.dist_version("transformers")
    if version is not None:
        try:
            check_transformers(version)
        except BookNLPEngineError as exc:
            return str(exc)
    spacy_model = settings.spacy_model or default_spacy_model()
    if not ident.spacy_model_installed(spacy_model):
        return ident.spacy_install_hint(spacy_model)
    try:
        files.require_files(model, list(files.ROLES), settings.file_options())
    except files.ModelFilesError as exc:
        return str(exc)
    return None


def identity(model: str, settings: BookNLPOptions) -> str:
    """Versions (this package, booknlp, torch, transformers, spaCy and its model), each
    model file's path, size and modification time, and the options that change results."""
    from ..._version import __version__

    parts: dict[str, Any] = {
        "engine": "booknlp",
        "version": __version__,
        "model": model,
        **{d: ident.dist_version(d) for d in ("booknlp", "torch", "transformers", "spacy")},
        "spacy_model": ident.spacy_model_identity(settings.spacy_model or default_spacy_model()),
        "spacy_chunk_chars": settings.spacy_chunk_chars,
        "spacy_overlap_chars": spacy_stage.OVERLAP_CHARS,  # pieces stitched where parses agree
        "device": settings.device or "auto",
        "referential_gender_cats": settings.referential_gender_cats,
        "pronominalCorefOnly": settings.pronominalCorefOnly,
    }
    if settings.batch_size is not None:  # absent at BookNLP's sizes: identities unchanged
        parts["batch_size"] = settings.batch_size
    if settings.quantize is not None:
        parts["quantize"] = settings.quantize
    if settings.sort_windows:
        parts["sort_windows"] = True
    prior = settings.referential_gender_hyperparameterFile
    parts["gender_prior"] = ident.file_identity(prior) if prior else None
    options = settings.file_options()
    try:
        paths = {**files.model_paths(model, options), "vocab": files.vocab_path(model, options)}
        parts["files"] = {role: ident.file_identity(p) for role, p in paths.items()}
    except files.ModelFilesError as exc:
        parts["files"] = {"error": str(exc)}
    return ident.as_identity(parts)
