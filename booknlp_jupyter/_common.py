"""What the clients (`client`, `async_client`) and the notebook widgets share: the final
statuses, the API's error, response checks, deadlines, request bodies and the event-stream
parser. It imports neither the clients nor the widgets, so each can import it."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import httpx

#: A job in one of these statuses will not change any more.
FINAL = ("completed", "failed", "cancelled", "expired")
_SSE_TIMEOUT = httpx.Timeout(60, read=30)  # the server sends a keep-alive every 15 s


class BookNLPError(RuntimeError):
    """The API refused a request; ``status_code`` and ``detail`` say why."""

    def __init__(self, status_code: int, detail: str):
        super().__init__(f"{status_code}: {detail}")
        self.status_code, self.detail = status_code, detail


def check(r: httpx.Response) -> httpx.Response:
    """``r``, or the `BookNLPError` its 4xx/5xx says (a streamed response's body must
    have been read first: see `check_stream` and `acheck_stream`)."""
    if r.status_code >= 400:
        try:
            detail = r.json().get("detail", r.text)
        except ValueError:
            detail = r.text
        except httpx.ResponseNotRead:
            detail = r.reason_phrase
        raise BookNLPError(r.status_code, str(detail))
    return r


def check_stream(r: httpx.Response) -> httpx.Response:
    """`check`, for a response opened with ``http.stream``: reads an error's body."""
    if r.status_code >= 400:
        r.read()
    return check(r)


async def acheck_stream(r: httpx.Response) -> httpx.Response:
    """`check_stream`, for an `httpx.AsyncClient`'s stream."""
    if r.status_code >= 400:
        await r.aread()
    return check(r)


def deadline_after(timeout: float | None) -> float | None:
    """The `time.monotonic` value ``timeout`` seconds from now (None: no deadline)."""
    return None if timeout is None else time.monotonic() + timeout


def past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def sse_timeout(deadline: float | None) -> httpx.Timeout:
    """The event stream's timeouts, none beyond ``deadline``: a read waits at most until
    then (the keep-alives come every 15 s), so a wait can keep its ``timeout``."""
    if deadline is None:
        return _SSE_TIMEOUT
    left = max(deadline - time.monotonic(), 0.01)
    return httpx.Timeout(min(60, left), read=min(30, left))


def timed_out(job_id: str, last: dict[str, Any] | None, timeout: float | None) -> TimeoutError:
    status = last["status"] if last else "not final"
    return TimeoutError(f"job {job_id} still {status} after {timeout}s")


def job_body(
    text: str, model: str | None, pipeline: Sequence[str] | None, book_id: str | None
) -> dict[str, Any]:
    """The JSON of ``POST /jobs`` (fields left out take the server's defaults)."""
    body: dict[str, Any] = {"text": text}
    if model:
        body["model"] = model
    if pipeline is not None:
        body["pipeline"] = list(pipeline)
    if book_id:
        body["book_id"] = book_id
    return body


def ordered_models(stats: dict[str, Any], key: str = "models") -> list[str]:
    """The model names under ``key`` in the stats, the server's default first."""
    models = list(stats.get(key) or [])
    default = stats.get("default_model")
    return ([default] if default in models else []) + [m for m in models if m != default]


class EventParser:
    """Server-Sent Events fed one line at a time (as ``iter_lines`` gives them): `feed`
    returns a ``job`` event's JSON on the blank line that ends it, else None. Data lines
    are joined; comments (the keep-alives) and other fields are skipped."""

    EVENTS = ("job", "message")  # "message": an event with no name

    def __init__(self) -> None:
        self.event = ""
        self.data: list[str] = []

    def feed(self, line: str) -> dict[str, Any] | None:
        if not line:
            event, data = self.event or "message", self.data
            self.event, self.data = "", []
            return json.loads("\n".join(data)) if data and event in self.EVENTS else None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self.data.append(value)
        elif name == "event":
            self.event = value
        return None


class JobHandle:
    """What `Job` and `AsyncJob` share: the id and the last state seen (``last``)."""

    def __init__(self, job_id: str, state: dict[str, Any] | None = None):
        self.job_id = job_id
        self.last: dict[str, Any] | None = state

    @property
    def reused_from(self) -> str | None:
        """The job whose stored result this one reused (an identical request that was
        already analyzed), as its last state says; None if it ran (or is to run)."""
        return (self.last or {}).get("reused_from")

    def __repr__(self) -> str:
        state = f" {self.last['status']}" if self.last else ""
        reused = f" (reused from job {self.reused_from})" if self.reused_from else ""
        return f"<{type(self).__name__} {self.job_id}{state}{reused}>"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.job_id == self.job_id

    def __hash__(self) -> int:
        return hash(self.job_id)
