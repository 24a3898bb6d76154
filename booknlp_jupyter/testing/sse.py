"""Read Server-Sent Events (``text/event-stream``) as the tests see them: frames of
``event:`` and ``data:`` lines ended by a blank line; comments (``: keep-alive``) and other
fields are skipped, several data lines are joined with newlines, CRLF or LF."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    """One event: its name (``message`` when the frame names none) and its data."""

    event: str
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


def _text(line: bytes | str) -> str:
    text = line.decode("utf-8") if isinstance(line, bytes) else line
    return text.rstrip("\r\n")


def read_events(lines: Iterable[bytes | str]) -> Iterator[Event]:
    """The events in a stream of lines (e.g. an HTTP response iterated line by line),
    each yielded as soon as its blank line arrives; a frame cut off at the end is dropped."""
    name, data = "", []
    for raw in lines:
        line = _text(raw)
        if not line:
            if data:
                yield Event(name or "message", "\n".join(data))
            name, data = "", []
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)


def parse_events(body: bytes | str) -> list[Event]:
    """Every complete event in a whole response body."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return list(read_events(text.splitlines()))


def job_states(source: bytes | str | Iterable[bytes | str]) -> list[dict[str, Any]]:
    """The job states (the JSON data of ``event: job`` frames) in a body or line stream."""
    events = parse_events(source) if isinstance(source, (bytes, str)) else read_events(source)
    return [e.json() for e in events if e.event == "job"]
