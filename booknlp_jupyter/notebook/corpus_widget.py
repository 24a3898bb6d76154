"""A live widget for one corpus: overall bar, counts, time left, a row per book and a
Cancel button. Once the corpus is done, every place it is displayed is replaced by a
static HTML summary (`summary_html`), so a saved notebook reads without a widget runtime.

Like `progress.JobProgress`, two daemon threads (`driver.Driver`) drive it, never the
cell: one follows the corpus's Server-Sent Events, the other redraws once a second (the
clocks move).
"""

from __future__ import annotations

import html
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .._common import BookNLPError
from ..corpus import CORPUS_FINAL, settled
from .driver import Driver
from .status import BAR_STYLES, _time, clock

if TYPE_CHECKING:
    from ..corpus import Corpus

View = dict[str, Any]
COUNTS = ("completed", "running", "pending", "failed", "cancelled")
_COLORS = {
    "completed": "#4caf50",
    "running": "#2196f3",
    "failed": "#e53935",
    "cancelled": "#ff9800",
    "pending": "#bdbdbd",
}


def _done(view: View) -> int:
    counts = view.get("counts") or {}
    return sum(int(counts.get(k) or 0) for k in ("completed", "failed", "cancelled"))


def elapsed(view: View, now: datetime | None = None) -> float:
    """Seconds since the corpus was submitted (until it ended, once it has)."""
    submitted = _time(view.get("submitted_at"))
    if submitted is None:
        return 0.0
    end = _time(view.get("completed_at")) or now or datetime.now(UTC)
    return max((end - submitted).total_seconds(), 0.0)


def describe(view: View, eta: float | None = None, now: datetime | None = None) -> str:
    """One line: ``running 42% · 1 of 3 books done · 1 completed, 1 running, 1 pending ·
    0:12 elapsed · about 0:17 left`` (``eta``: seconds left, else the view's)."""
    status = str(view.get("status", "?"))
    total = int(view.get("books_total") or len(view.get("books") or []))
    first = status
    if status in ("pending", "running"):
        first += f" {float(view.get('progress') or 0):.0f}%"
    counts = view.get("counts") or {}
    parts = [first, f"{_done(view)} of {total} books done"]
    if shown := [f"{counts[k]} {k}" for k in COUNTS if counts.get(k)]:
        parts.append(", ".join(shown))
    took = clock(elapsed(view, now))
    if status in CORPUS_FINAL:
        parts.append(f"in {took}")
    else:
        parts.append(f"{took} elapsed")
        left = view.get("eta_seconds") if eta is None else eta
        if left is not None:
            parts.append(f"about {clock(left)} left")
    return " · ".join(parts)


def title_html(view: View) -> str:
    """``corpus novels · lite · 3 books · 1a2b3c4d`` as HTML."""
    name = view.get("folder") or view.get("output_dir") or "(paths)"
    return (
        f"corpus <b>{html.escape(str(name))}</b> · {html.escape(str(view.get('model', '')))}"
        f" · {int(view.get('books_total') or 0)} books"
        f" · <code>{html.escape(str(view.get('corpus_id', ''))[:8])}</code>"
    )


def _bar(percent: float, status: str, width: str = "100%") -> str:
    color = _COLORS.get(status, "#bdbdbd")
    return (
        f"<div style='width:{width};min-width:60px;background:#eee;height:10px;"
        f"border-radius:3px'><div style='width:{max(0.0, min(percent, 100.0)):.1f}%;"
        f"background:{color};height:10px;border-radius:3px'></div></div>"
    )


def books_html(view: View) -> str:
    """The per-book table: book, status, progress, error."""
    rows = []
    for book in view.get("books") or []:
        status = str(book.get("status", ""))
        percent = float(book.get("progress") or 0)
        error = book.get("error_message") or ""
        rows.append(
            "<tr>"
            f"<td style='text-align:left'>{html.escape(str(book.get('book_id', '')))}</td>"
            f"<td style='text-align:left;color:{_COLORS.get(status, 'inherit')}'>"
            f"{html.escape(status)}{' (skipped)' if book.get('skipped') else ''}</td>"
            f"<td style='width:160px'>{_bar(percent, status)}</td>"
            f"<td style='text-align:right'>{percent:.0f}%</td>"
            f"<td style='text-align:left'>{html.escape(str(error))}</td>"
            "</tr>"
        )
    head = "".join(
        f"<th style='text-align:left'>{h}</th>" for h in ("book", "status", "progress", "", "error")
    )
    return (
        "<table class='booknlp-corpus-books' style='border-collapse:collapse'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def summary_html(view: View) -> str:
    """The corpus as static HTML: title, bar, counts and times, the per-book table,
    and where its files are."""
    status = str(view.get("status", ""))
    where = view.get("output_path") or view.get("output_dir") or ""
    return (
        "<div class='booknlp-corpus-summary'>"
        f"<div>{title_html(view)}</div>"
        f"<div style='display:flex;gap:8px;align-items:center'>"
        f"{_bar(float(view.get('progress') or 0), status, '260px')}"
        f"<span class='booknlp-status'>{html.escape(describe(view))}</span></div>"
        f"{books_html(view)}"
        f"<div>files: <code>{html.escape(str(where))}</code></div></div>"
    )


def summary_bundle(view: View) -> dict[str, str]:
    """`summary_html` as a display's data, with a text line for plain front ends."""
    return {"text/html": summary_html(view), "text/plain": f"corpus: {describe(view)}"}


class CorpusWidget(widgets.VBox):
    """``CorpusWidget(corpus)``: updates until the corpus is done, then replaces each of
    its displays with `summary_html`."""

    def __init__(self, corpus: Corpus, tick: float = 1.0, **kwargs: Any):
        self.corpus, self.tick = corpus, tick
        self.view: View = corpus.last or {"corpus_id": corpus.corpus_id, "status": "pending"}
        self._seen_at = time.monotonic()
        self.title = widgets.HTML(title_html(self.view))
        self.bar = widgets.FloatProgress(
            value=float(self.view.get("progress") or 0),
            min=0,
            max=100,
            layout=widgets.Layout(width="260px"),
        )
        self.label = widgets.HTML("connecting…")
        self.cancel_button = widgets.Button(
            description="Cancel",
            icon="stop",
            tooltip="Cancel the books not started (and stop the running one)",
            layout=widgets.Layout(width="90px"),
        )
        self.cancel_button.on_click(self._on_cancel)
        self.books = widgets.HTML(books_html(self.view))
        super().__init__(
            [self.title, widgets.HBox([self.bar, self.cancel_button, self.label]), self.books],
            **kwargs,
        )
        self.add_class("booknlp-corpus")
        self._lock = threading.RLock()
        self._handles: list[Any] = []
        self._shown_in: int | None = None
        self.done = threading.Event()
        short = corpus.corpus_id[:8]
        self._driver = Driver(
            first=lambda: self.corpus.view(),
            follow=lambda put: self.corpus.follow(progress=put),
            current=lambda: self.view,
            draw=self._draw,
            on_error=self._on_error,
            tick=tick,
            names=(f"booknlp-corpus-{short}", f"booknlp-draw-{short}"),
            done=self.done,
        )
        self._driver.start()

    # -- the threads' callbacks ------------------------------------------------------

    def _draw(self, view: View | None) -> bool:
        """Show ``view``; True once the corpus is settled (or no longer followed)."""
        if view is None:
            return True
        if settled(view):
            self.finish(view)
            return True
        self.update(view)
        return False

    def _on_error(self, exc: Exception) -> None:
        """Following failed: show it in the widget, never raised into the kernel."""
        self.label.value = (
            "<span style='color:var(--jp-error-color1,#c00)'>stopped following: "
            f"{html.escape(str(exc))}</span>"
        )

    # -- drawing, finishing, cancelling ---------------------------------------------

    def update(self, view: View) -> None:
        """Show ``view`` (a CorpusView); the time left counts down between views."""
        with self._lock:
            if view is not self.view:
                self.view, self._seen_at = view, time.monotonic()
            eta = view.get("eta_seconds")
            if eta is not None:
                eta = max(float(eta) - (time.monotonic() - self._seen_at), 0.0)
            status = str(view.get("status"))
            with self.hold_sync():
                self.title.value = title_html(view)
                self.bar.value = float(view.get("progress") or 0)
                self.bar.bar_style = BAR_STYLES.get(status, "")
                self.label.value = (
                    f"<span class='booknlp-status'>{html.escape(describe(view, eta))}</span>"
                )
                books = books_html(view)
                if books != self.books.value:
                    self.books.value = books
                self.cancel_button.disabled = status in CORPUS_FINAL

    def finish(self, view: View) -> None:
        """Show the final ``view`` and replace every display with its static summary
        (again on each call: `Corpus.wait` calls it from its cell, so that cell's
        output is updated even where a front end only listens to the running cell)."""
        with self._lock:
            self.update(view)
            self.done.set()
            summary = summary_bundle(view)
            for handle in self._handles:
                handle.update(summary, raw=True)

    def _ipython_display_(self, **kwargs: Any) -> None:
        """Display the widget (once per cell: ``c = %booknlp_corpus x`` then ``c`` in
        the same cell shows one), or the summary once the corpus is done."""
        from IPython import get_ipython
        from IPython.display import display

        shell = get_ipython()
        cell = getattr(shell, "execution_count", None) if shell is not None else None
        with self._lock:
            if cell is not None and cell == self._shown_in:
                return
            self._shown_in = cell
            if self.done.is_set():
                display(summary_bundle(self.view), raw=True)
                return
            bundle = self._repr_mimebundle_() or {}
            bundle["text/plain"] = describe(self.view)
            handle = display(bundle, raw=True, display_id=True)
            if handle is not None:
                self._handles.append(handle)

    def _on_cancel(self, _button: widgets.Button | None = None) -> None:
        self.cancel_button.disabled = True
        try:
            # a running book stops too: the corpus may still say pending while it runs
            running = self.view.get("status") == "running" or bool(
                (self.view.get("counts") or {}).get("running")
            )
            view = self.corpus.cancel(force=running)
        except BookNLPError as exc:
            self.label.value = f"<span>cannot cancel: {html.escape(exc.detail)}</span>"
            return
        self._driver.show(view)

    def cancel(self) -> None:
        """What the Cancel button does."""
        self._on_cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the widget has shown a final view (for scripts and tests)."""
        return self.done.wait(timeout)

    def close(self) -> None:
        self._driver.close()
        super().close()
