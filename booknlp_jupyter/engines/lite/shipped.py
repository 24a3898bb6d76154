"""Weights shipped in the package: loaded once, on first use, and overridable in a block."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

M = TypeVar("M")
_UNSET: Any = object()


class Shipped(Generic[M]):
    """The model in use: `use`'s inside its block, else ``load()``'s (None: no file)."""

    def __init__(self, load: Callable[[], M | None]) -> None:
        self._load = load
        self._loaded: Any = _UNSET
        self._override: Any = _UNSET

    def get(self) -> M | None:
        if self._override is not _UNSET:
            return self._override
        if self._loaded is _UNSET:
            self._loaded = self._load()
        return self._loaded

    @contextmanager
    def use(self, model: M | None) -> Iterator[None]:
        before = self._override
        self._override = model
        try:
            yield
        finally:
            self._override = before
