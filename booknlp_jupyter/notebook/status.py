"""How a job's state reads to a person: status line, elapsed time and an estimate; its
static HTML summary; and `Displays`, the outputs of a live widget that become static."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from .._common import FINAL

#: A display's data: mimetype → content (``display(bundle, raw=True)``).
Bundle = dict[str, Any]

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
    elif status in ("failed", "unknown") and state.get("error_message"):
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


#: Bar colours of the static summaries, by status.
BAR_COLORS = {
    "completed": "#4caf50",
    "running": "#2196f3",
    "failed": "#e53935",
    "cancelled": "#ff9800",
    "expired": "#ff9800",
}


def bar_html(percent: float, status: str, width: str = "260px") -> str:
    """A progress bar as plain HTML (no widget)."""
    color = BAR_COLORS.get(status, "#bdbdbd")
    return (
        f"<div style='width:{width};min-width:60px;background:#eee;height:10px;"
        f"border-radius:3px;display:inline-block'><div style='width:"
        f"{max(0.0, min(percent, 100.0)):.1f}%;background:{color};height:10px;"
        "border-radius:3px'></div></div>"
    )


def summary_html(state: dict[str, Any]) -> str:
    """One job as static HTML: its title, a bar and its status line."""
    status = str(state.get("status", ""))
    error = " style='color:var(--jp-error-color1,#c00)'" if status in ("failed", "unknown") else ""
    return (
        "<div class='booknlp-job-summary'>"
        f"<div>{title(state)}</div>"
        "<div style='display:flex;gap:8px;align-items:center'>"
        f"{bar_html(float(state.get('progress') or 0), status)}"
        f"<span class='booknlp-status'{error}>{html.escape(describe(state))}</span>"
        "</div></div>"
    )


def summary_bundle(state: dict[str, Any]) -> Bundle:
    """`summary_html` as a display's data, with a text line for plain front ends."""
    book = state.get("book_id") or "(untitled)"
    return {"text/html": summary_html(state), "text/plain": f"{book}: {describe(state)}"}


def jobs_html(states: Iterable[dict[str, Any]]) -> str:
    """Jobs as a static HTML table: title, bar, status line."""
    rows = "".join(
        f"<tr><td style='text-align:left'>{title(s)}</td>"
        f"<td>{bar_html(float(s.get('progress') or 0), str(s.get('status')), '170px')}</td>"
        f"<td style='text-align:left'>{describe_html(s)}</td></tr>"
        for s in states
    )
    return (
        "<table class='booknlp-jobs-summary' style='border-collapse:collapse'>"
        f"<tbody>{rows or '<tr><td><i>no jobs yet</i></td></tr>'}</tbody></table>"
    )


class Displays:
    """The outputs a live widget is shown in. `show` displays its live bundle (the
    widget's view, with HTML and text beside it for front ends without widgets) under
    a display id; `settle` replaces every one with a static bundle, and a widget shown
    after that shows the static bundle at once. So a saved notebook has no output that
    only a widget runtime can draw.

    `settle` may run in a thread while no cell runs: a front end that follows only the
    running cell's messages (nbclient, so ``nbconvert --execute``) drops that update,
    so it is sent again when the next cell starts."""

    def __init__(self) -> None:
        self._handles: list[Any] = []
        self._lock = threading.RLock()
        self.final: Bundle | None = None

    @property
    def shown(self) -> bool:
        """Whether it has been displayed."""
        return bool(self._handles) or self.final is not None

    def show(self, live: Callable[[], Bundle]) -> None:
        """Display ``live()`` (or the static bundle, once settled)."""
        from IPython.display import display

        with self._lock:
            if self.final is not None:
                display(self.final, raw=True)
                return
            handle = display(live(), raw=True, display_id=True)
            if handle is not None:
                self._handles.append(handle)

    def settle(self, bundle: Bundle) -> None:
        """Replace every display with ``bundle``, now and when the next cell starts."""
        with self._lock:
            again = self.final is None and bool(self._handles)
            self.final = bundle
            self._update()
        if again:
            _when_next_cell_starts(self._update)

    def _update(self) -> None:
        with self._lock:
            for handle in self._handles:
                handle.update(self.final, raw=True)


def _when_next_cell_starts(fn: Callable[[], None]) -> None:
    """Call ``fn()`` once, as the next cell starts (in its context); nothing without IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    def once(*_: Any) -> None:
        shell.events.unregister("pre_run_cell", once)
        fn()

    shell.events.register("pre_run_cell", once)
