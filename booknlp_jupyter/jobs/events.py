"""Listeners of state changes: each subscriber gets an `asyncio.Queue` of states."""

from __future__ import annotations

import asyncio
from typing import Any


class Listeners:
    """Per-key subscriber queues (a key is a job id). Runs on the event loop."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[Any]]] = {}

    def subscribe(self, key: str) -> asyncio.Queue[Any]:
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self._queues.setdefault(key, set()).add(queue)
        return queue

    def unsubscribe(self, key: str, queue: asyncio.Queue[Any]) -> None:
        queues = self._queues.get(key)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._queues[key]

    def wanted(self, key: str) -> bool:
        """Whether anyone listens to ``key`` (so a state need not be built otherwise)."""
        return key in self._queues

    def publish(self, key: str, state: Any) -> None:
        for queue in self._queues.get(key, ()):
            queue.put_nowait(state)
