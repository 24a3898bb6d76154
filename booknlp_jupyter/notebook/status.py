"""How a job's state reads to a person: status line, elapsed time and an estimate."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from .._common import FINAL

#: Progress-bar styles by status (ipywidgets' ``bar_style`` values).
BAR_STYLES = {
    "pending": "",
    "running": "info",
    "completed": "success",
    "failed": "danger",
    "cancelled": "warning",
    "expired": "warning",
}


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def clock(seconds: float) -> str:
    """``75.2`` → ``"1:15"``; an hour and more → ``"1:02:03"``."""
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def timing(state: dict[str, Any], now: datetime | None = None) -> tuple[float, float | None]:
    """Seconds so far (waiting while pending, running since started, total once final)
    and the estimated seconds left (running, from the rate so far), or None."""
    now = now or datetime.now(UTC)
    submitted, started = _time(state.get("submitted_at")), _time(state.get("started_at"))
    completed = _time(state.get("completed_at"))
    status = state.get("status")
    if status == "pending" or started is None:
        end = completed or now
        return ((end - submitted).total_seconds() if submitted else 0.0), None
    if status in FINAL:
        if state.get("processing_time_ms") is not None:
            return state["processing_time_ms"] / 1000, None
        return ((completed or now) - started).total_seconds(), None
    elapsed = (now - started).total_seconds()
    progress = float(state.get("progress") or 0)
    left = elapsed * (100 - progress) / progress if 1 <= progress < 100 else None
    return elapsed, left


def reused_note(job_id: str, short: bool = False) -> str:
    """``already analyzed (reused from job …)``, for a job that reused ``job_id``'s result."""
    return f"already analyzed (reused from job {job_id[:8] if short else job_id})"


def describe(state: dict[str, Any], now: datetime | None = None) -> str:
    """One line: ``running 42% · parse · 0:12 elapsed · about 0:17 left``; a job that
    reused an identical request's result: ``completed · already analyzed (reused from
    job 1a2b3c4d) · 1,234 tokens``."""
    status = state.get("status", "?")
    elapsed, left = timing(state, now)
    reused = state.get("reused_from")
    parts = [status]
    if reused and status in ("pending", "completed"):  # pending: its copy is being made
        parts.append(reused_note(reused, short=True))
    if status == "pending" and not reused:
        if state.get("queue_position"):
            parts.append(f"queue position {state['queue_position']}")
        parts.append(f"waiting {clock(elapsed)}")
    elif status == "running":
        parts[0] += f" {float(state.get('progress') or 0):.0f}%"
        if state.get("stage"):
            parts.append(str(state["stage"]))
        parts.append(f"{clock(elapsed)} elapsed")
        if left is not None:
            parts.append(f"about {clock(left)} left")
    elif status == "completed":
        if state.get("token_count") is not None:
            parts.append(f"{state['token_count']:,} tokens")
        if not reused:  # a reused job ran nothing: the time was the other job's
            parts.append(f"in {clock(elapsed)}")
    elif status == "failed" and state.get("error_message"):
        parts.append(str(state["error_message"]))
    return " · ".join(parts)


def describe_html(state: dict[str, Any], now: datetime | None = None) -> str:
    return f"<span class='booknlp-status'>{html.escape(describe(state, now))}</span>"


def title(state: dict[str, Any]) -> str:
    """``book · model · job id`` as HTML."""
    book = state.get("book_id") or "(untitled)"
    return (
        f"<b>{html.escape(str(book))}</b> · {html.escape(str(state.get('model', '')))}"
        f" · <code>{html.escape(str(state.get('job_id', ''))[:8])}</code>"
    )
