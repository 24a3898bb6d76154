"""The engine interface: text, model, pipeline and a progress callback in, a result out.

An engine runs inside the worker process, never in the Jupyter server. The server
only imports engine classes to read their declared models and to check pipelines
(`Engine.check_pipeline`), so an engine module must not import heavy libraries
(spaCy, torch) at module level: do that in `load` or `run`.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from ..api.models import PIPELINE_COMPONENTS
from .options import EngineOptions, parse_options

#: A table: a pyarrow Table, a pandas DataFrame, a mapping of column name to values,
#: or a sequence of row mappings. The result writer converts it to the shared schema.
Table = Any


class ProgressCallback(Protocol):
    """Called by an engine as work advances.

    ``fraction`` is the share of the whole job done so far (0..1); ``stage`` names
    what runs now (e.g. ``"spacy"``, ``"quotes"``). Calls are cheap: the worker
    throttles what it forwards, and keeps progress monotonic.
    """

    def __call__(self, fraction: float, stage: str | None = None) -> None: ...


class PipelineError(ValueError):
    """A pipeline the engine cannot run; the message says what to add or remove."""


@dataclass
class EngineResult:
    """What an engine returns: the six tables of the shared result schema.

    ``characters`` is a list of BookNLP ``.book`` character objects (``id``,
    ``count``, ``g``, ``mentions``, ``agent``, ``patient``, ``mod``, ``poss``) plus
    a display ``name``. Tables an engine did not produce stay empty.
    """

    tokens: Table = None
    entities: Table = None
    quotes: Table = None
    supersenses: Table = None
    events: Table = None
    characters: list[dict[str, Any]] = field(default_factory=list)


class Engine(abc.ABC):
    """Base class of every engine.

    Subclasses set ``name`` (the registry key) and ``models`` (the ``model``
    values of the API this engine serves), and implement `run`. Instances live in
    one worker process and are reused across jobs, so `load` may keep models warm.
    """

    name: ClassVar[str]
    models: ClassVar[tuple[str, ...]]
    #: The options this engine takes, as a pydantic model (`options.EngineOptions`:
    #: unknown keys are refused when the server starts); None takes any keys, untyped.
    Options: ClassVar[type[EngineOptions] | None] = None

    def __init__(self, **options: Any) -> None:
        #: Server-side options for this engine (``BookNLPApp.engine_options[name]``).
        self.options = dict(options)
        #: The same, checked and typed: an ``Options`` instance (the dict without one).
        self.settings: Any = self.parse_options(options)

    @classmethod
    def parse_options(cls, options: Mapping[str, Any], engine: str | None = None) -> Any:
        """``options`` checked against ``Options``; `options.EngineOptionsError` (a
        ValueError naming ``engine`` and each bad key) if it does not take them."""
        return parse_options(engine or getattr(cls, "name", cls.__qualname__), cls.Options, options)

    @classmethod
    def check_pipeline(cls, model: str, pipeline: Sequence[str]) -> None:
        """Raise `PipelineError` if this engine cannot run ``pipeline`` with ``model``.

        Runs in the server before a job is queued, so it must be cheap.
        """
        unknown = [p for p in pipeline if p not in PIPELINE_COMPONENTS]
        if unknown:
            raise PipelineError(
                f"unknown pipeline component(s) {unknown}; choose from {list(PIPELINE_COMPONENTS)}"
            )
        if not pipeline:
            raise PipelineError(
                f"pipeline is empty; add at least one of {list(PIPELINE_COMPONENTS)}"
            )

    @classmethod
    def unavailable_reason(cls, model: str, options: Mapping[str, Any]) -> str | None:
        """Why ``model`` cannot run on this server now (its files are not installed, a
        library is missing), with how to fix it; None when it can run.

        Runs in the server at submit and for ``/v1/ready``: it must be cheap (look for
        files, never load them)."""
        return None

    @classmethod
    def identity(cls, model: str, options: Mapping[str, Any]) -> str:
        """What a result of ``model`` depends on besides the text and pipeline: the
        engine's version and the identity of its model files (e.g. their sizes and
        modification times). Two jobs with equal text, model, pipeline and identity have
        equal results, so the second may reuse the first's. Cheap, as above."""
        return f"{cls.__module__}.{cls.__qualname__}"

    def load(self, model: str, pipeline: Sequence[str]) -> None:  # noqa: B027
        """Load (and cache) what ``model`` needs. Called before `run`; optional."""

    @abc.abstractmethod
    def run(
        self,
        text: str,
        *,
        model: str,
        pipeline: Sequence[str],
        progress: ProgressCallback,
    ) -> EngineResult:
        """Process ``text`` and return its result."""

    def describe(self) -> Mapping[str, Any]:
        """Facts about this engine for ``/v1/ready`` and the stats (device, versions)."""
        return {}
