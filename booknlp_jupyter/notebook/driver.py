"""The two daemon threads that drive a live widget, never the cell: one follows the
server's states (its Server-Sent Events) onto a queue, the other draws each one, and
redraws every ``tick`` seconds meanwhile (so the clocks move between states). ipykernel
sends comm messages from any thread, so the widget keeps updating while the kernel runs
other cells, busy ones included."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

State = dict[str, Any]
Put = Callable[[State], None]


class _Closed(Exception):
    """Raised into the follow call to stop following for a closed widget."""


class Driver:
    """Once started, queues ``first()``, each state ``follow(put)`` reports and the one it
    returns; ``draw(state)`` shows each (``None`` once following failed, after
    ``on_error(exc)``) and returns True when done. Closing stops both threads; ``done``
    being set stops drawing."""

    def __init__(
        self,
        *,
        first: Callable[[], State],
        follow: Callable[[Put], State],
        current: Callable[[], State],
        draw: Callable[[State | None], bool],
        on_error: Callable[[Exception], None],
        tick: float,
        names: tuple[str, str],
        done: threading.Event | None = None,
    ):
        self._first, self._follow_states, self._current = first, follow, current
        self._draw, self._on_error, self._tick = draw, on_error, tick
        self._names, self._done = names, done
        self._states: queue.Queue[State | None] = queue.Queue()
        self._closed = threading.Event()

    def start(self) -> None:
        """Start the follow and draw threads (named ``names``)."""
        follow_name, draw_name = self._names
        threading.Thread(target=self._follow, name=follow_name, daemon=True).start()
        threading.Thread(target=self._draw_loop, name=draw_name, daemon=True).start()

    def show(self, state: State) -> None:
        """Have ``state`` drawn next (a cancel's answer)."""
        self._states.put(state)

    def close(self) -> None:
        """Stop following and drawing."""
        self._closed.set()

    def _follow(self) -> None:
        def put(state: State) -> None:
            if self._closed.is_set():
                raise _Closed
            self._states.put(state)

        try:
            put(self._first())
            put(self._follow_states(put))
        except _Closed:
            return
        except Exception as exc:  # shown in the widget, never raised into the kernel
            self._on_error(exc)
            self._states.put(None)

    def _draw_loop(self) -> None:
        while not self._closed.is_set() and not (self._done and self._done.is_set()):
            try:
                state = self._states.get(timeout=self._tick)
            except queue.Empty:
                state = self._current()  # redraw the clocks
            if self._draw(state):
                return
