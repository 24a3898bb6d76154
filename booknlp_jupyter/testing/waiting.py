"""Poll a condition until it holds or a deadline passes: the one waiting loop of the
tests and benchmarks (`wait_until`, and `wait_until_async` inside an event loop)."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")

What = str | Callable[[], str]


class WaitTimeout(AssertionError):
    """The condition did not hold in time (an AssertionError, so a test fails with it)."""


def _timed_out(what: What, timeout: float, last: Any, error: BaseException | None) -> WaitTimeout:
    described = what() if callable(what) else what
    seen = f"last error {error!r}" if error is not None else f"last value {last!r}"
    return WaitTimeout(f"timed out after {timeout:g}s waiting for {described} ({seen})")


def wait_until(
    predicate: Callable[[], T],
    timeout: float = 30,
    what: What = "the condition",
    *,
    interval: float = 0.05,
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """Call ``predicate`` until it returns something truthy and return that. Exceptions in
    ``ignore`` count as "not yet"; any other propagates at once (a way to stop early).
    ``what`` (or what it returns, read only on failure) names the wait in the error."""
    deadline = time.monotonic() + timeout
    last: Any = None
    error: BaseException | None = None
    while True:
        try:
            last, error = predicate(), None
            if last:
                return last
        except ignore as e:
            error = e
        if time.monotonic() >= deadline:
            raise _timed_out(what, timeout, last, error)
        time.sleep(interval)


async def wait_until_async(
    predicate: Callable[[], T | Awaitable[T]],
    timeout: float = 30,
    what: What = "the condition",
    *,
    interval: float = 0.05,
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """`wait_until` for a coroutine: ``predicate`` may return a value or an awaitable of
    one, and the loop sleeps with ``asyncio.sleep``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    error: BaseException | None = None
    while True:
        try:
            value = predicate()
            last, error = (await value if inspect.isawaitable(value) else value), None
            if last:
                return last
        except ignore as e:
            error = e
        if time.monotonic() >= deadline:
            raise _timed_out(what, timeout, last, error)
        await asyncio.sleep(interval)
