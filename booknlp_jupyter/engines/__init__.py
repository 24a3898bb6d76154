"""Engines turn a text into the shared result tables. See `base.Engine`."""

from .base import (
    PIPELINE_COMPONENTS,
    Engine,
    EngineResult,
    PipelineError,
    ProgressCallback,
)
from .options import EngineOptions, EngineOptionsError
from .registry import BUILTIN_ENGINES, EngineRegistry, import_engine

__all__ = [
    "BUILTIN_ENGINES",
    "PIPELINE_COMPONENTS",
    "Engine",
    "EngineOptions",
    "EngineOptionsError",
    "EngineRegistry",
    "EngineResult",
    "PipelineError",
    "ProgressCallback",
    "import_engine",
]
