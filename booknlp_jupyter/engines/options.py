"""Typed engine options: each engine declares a pydantic model, and unknown keys are refused.

An engine sets ``Options`` to a subclass of `EngineOptions` (``extra="forbid"``); the
registry checks ``BookNLPApp.engine_options[name]`` against it when the server starts, so
a misspelt key stops the server with a message that names the engine and the key, instead
of being ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError


class EngineOptions(BaseModel):
    """Base of an engine's options: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class EngineOptionsError(ValueError):
    """Options an engine does not take, or values it cannot use; says which and why."""


def parse_options(engine: str, model: type[BaseModel] | None, options: Mapping[str, Any]) -> Any:
    """``options`` as an instance of ``model`` (a plain dict when the engine declares none).

    Raises `EngineOptionsError` naming ``engine``, each bad key and the keys it takes.
    """
    if model is None:
        return dict(options)
    try:
        return model.model_validate(dict(options))
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"]) or "(options)"
            if err["type"] == "extra_forbidden":
                problems.append(f"unknown option {key!r}")
            else:
                problems.append(f"option {key!r}: {err['msg']}")
        known = ", ".join(model.model_fields) or "none"
        raise EngineOptionsError(
            f"engine_options[{engine!r}]: " + "; ".join(problems) + f" (options it takes: {known})"
        ) from None
