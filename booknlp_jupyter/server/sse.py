"""Server-Sent Events of one job's or corpus's state: its view on every change (only the
newest when several are waiting), a ``: keep-alive`` comment when nothing changed for a
while, until the state has ended or the client goes away."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import orjson
from pydantic import BaseModel
from tornado import web
from tornado.iostream import StreamClosedError

KEEPALIVE_SECONDS = 15.0
_State = TypeVar("_State", bound=BaseModel)


class Subscribable(Protocol):
    """A service whose changes can be followed (a job or a corpus service)."""

    def subscribe(self, key: str, /) -> asyncio.Queue[Any]: ...

    def unsubscribe(self, key: str, queue: asyncio.Queue[Any], /) -> None: ...


async def send_events(
    handler: web.RequestHandler,
    source: Subscribable,
    key: str,
    event: str,
    first: Callable[[], _State],
    ended: Callable[[_State], bool],
    keepalive_seconds: float = KEEPALIVE_SECONDS,
) -> None:
    """Answer ``handler``'s request with ``event`` frames of ``key``'s state: ``first()``
    (called once subscribed), then each change from ``source``, until ``ended``."""
    handler.set_header("Content-Type", "text/event-stream")
    handler.set_header("Cache-Control", "no-cache")
    handler.set_header("X-Accel-Buffering", "no")
    queue = source.subscribe(key)
    frame = b"event: " + event.encode() + b"\ndata: "
    try:
        state = first()
        await _send(handler, frame, state)
        while not ended(state):
            try:
                state = await asyncio.wait_for(queue.get(), keepalive_seconds)
            except TimeoutError:
                handler.write(": keep-alive\n\n")
                await handler.flush()
                continue
            while not queue.empty():  # send only the newest state
                state = queue.get_nowait()
            await _send(handler, frame, state)
    except StreamClosedError:
        return
    finally:
        source.unsubscribe(key, queue)
    handler.finish()


async def _send(handler: web.RequestHandler, frame: bytes, state: BaseModel) -> None:
    handler.write(frame + orjson.dumps(state.model_dump(mode="json")) + b"\n\n")
    await handler.flush()
