"""Engines by name: which engine class serves which ``model`` value."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from .base import Engine

log = logging.getLogger("booknlp_jupyter")

#: Engines shipped with the package, as ``name: "module:Class"``.
BUILTIN_ENGINES: dict[str, str] = {
    "lite": "booknlp_jupyter.engines.lite:LiteEngine",
    "booknlp": "booknlp_jupyter.engines.booknlp:BookNLPEngine",
}


def import_engine(spec: str | type[Engine]) -> type[Engine]:
    """Import an engine class from ``"package.module:Class"`` (or return a class as is)."""
    if isinstance(spec, type):
        return spec
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ValueError(f"engine {spec!r} must be written 'package.module:Class'")
    cls = getattr(importlib.import_module(module_name), attr)
    if not (isinstance(cls, type) and issubclass(cls, Engine)):
        raise TypeError(f"{spec} is not a booknlp_jupyter Engine subclass")
    return cls


class EngineRegistry:
    """Maps API ``model`` values to engine classes, and engine names to their options.

    Engines are read in order; one configured by the server may take over a built-in
    engine's model names, but two configured engines may not claim the same model.
    """

    def __init__(
        self,
        engines: Mapping[str, str | type[Engine]],
        options: Mapping[str, Mapping[str, Any]] | None = None,
    ):
        #: Server-side options per engine name (``BookNLPApp.engine_options``).
        self.options: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (options or {}).items()}
        self.classes: dict[str, type[Engine]] = {}
        self._by_model: dict[str, type[Engine]] = {}
        self._owner: dict[str, str] = {}  # model -> engine name
        #: Engines that could not be imported, with the reason (shown in /v1/ready).
        self.unavailable: dict[str, str] = {}
        for name, spec in engines.items():
            try:
                cls = import_engine(spec)
            except Exception as exc:  # one broken engine must not stop the others
                log.warning("engine %r (%s) is unavailable: %s", name, spec, exc)
                self.unavailable[name] = f"{type(exc).__name__}: {exc}"
                continue
            self.classes[name] = cls
            for model in cls.models:
                owner = self._owner.get(model)
                if owner is not None and owner not in BUILTIN_ENGINES:
                    raise ValueError(f"model {model!r} is served by both {owner!r} and {name!r}")
                if owner is not None:  # a configured engine replaces a built-in one
                    log.info("model %r: engine %r replaces the built-in %r", model, name, owner)
                self._by_model[model], self._owner[model] = cls, name
        self._check_options()

    def _check_options(self) -> None:
        """Refuse options for an engine that does not take them (`Engine.parse_options`) or
        for an engine that is not configured (a misspelt name): ValueError naming it."""
        for name, opts in self.options.items():
            if name in self.classes:
                self.classes[name].parse_options(opts, engine=name)
            elif name not in self.unavailable:
                raise ValueError(
                    f"engine_options[{name!r}]: no engine {name!r} is configured "
                    f"(engines: {', '.join(self.classes) or 'none'})"
                )

    @property
    def models(self) -> list[str]:
        """Every ``model`` value a client may send."""
        return sorted(self._by_model)

    def engine_for(self, model: str) -> type[Engine]:
        """The engine class that serves ``model`` (KeyError if none)."""
        return self._by_model[model]

    def engine_name_for(self, model: str) -> str:
        return self._owner[model]

    def options_for(self, model: str) -> dict[str, Any]:
        return self.options.get(self.engine_name_for(model), {})

    def unavailable_reason(self, model: str) -> str | None:
        """Why ``model`` cannot run here now (and how to fix it), or None."""
        try:
            return self.engine_for(model).unavailable_reason(model, self.options_for(model))
        except Exception as exc:  # a broken check must not break submitting
            return f"{type(exc).__name__}: {exc}"

    @property
    def available_models(self) -> list[str]:
        """The models that can run now (their files installed)."""
        return [m for m in self.models if self.unavailable_reason(m) is None]

    def identity(self, model: str) -> str:
        """The engine's identity for ``model`` (version, model files): see `Engine.identity`."""
        return self.engine_for(model).identity(model, self.options_for(model))

    def __iter__(self) -> Iterable[str]:
        return iter(self.classes)
