"""Engines for the JupyterLab browser tests (tests/test_lab_ui.py; never shipped).

``broken`` fails every job with the whole text as its (multi-line) error;
``missing`` is never available, as a model whose files are not installed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from booknlp_jupyter.engines import Engine, EngineResult
from booknlp_jupyter.engines.base import ProgressCallback

MISSING_REASON = (
    "its model files are not installed: run `booknlp-jupyter download missing`, "
    "or set c.BookNLPApp.engine_options"
)


class BrokenEngine(Engine):
    """Raises ``RuntimeError(text)``: the job's error is the text, every line of it."""

    name = "broken"
    models = ("broken",)

    def run(
        self, text: str, *, model: str, pipeline: Sequence[str], progress: ProgressCallback
    ) -> EngineResult:
        progress(0.1, "breaking")
        raise RuntimeError(text.strip())


class MissingEngine(Engine):
    """A model the server names but cannot run (`unavailable_reason` says why)."""

    name = "missing"
    models = ("missing",)

    @classmethod
    def unavailable_reason(cls, model: str, options: Mapping[str, Any]) -> str | None:
        return MISSING_REASON

    def run(
        self, text: str, *, model: str, pipeline: Sequence[str], progress: ProgressCallback
    ) -> EngineResult:
        raise AssertionError("an unavailable model must never run")
