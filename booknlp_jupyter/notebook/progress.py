"""A live progress widget for one job: bar, stage, queue position, elapsed time, an
estimate and a cancel button. Once the job is final, every output it is displayed in is
replaced by a static HTML summary (`status.summary_html`), so a saved notebook reads
without a widget runtime.

It is driven by two daemon threads (`driver.Driver`), never by the cell: one follows the
job's Server-Sent Events, the other redraws once a second (so the clocks move between
events), while the kernel runs other cells too.
"""

from __future__ import annotations

import html
import threading
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .._common import FINAL, BookNLPError
from .driver import Driver
from .status import BAR_STYLES, Bundle, Displays, describe_html, summary_bundle, title

if TYPE_CHECKING:
    from ..client import Job


class JobProgress(widgets.VBox):
    """``JobProgress(job)``: displays itself and updates until the job is final, then
    shows its static summary instead."""

    def __init__(self, job: Job, tick: float = 1.0, **kwargs: Any):
        self.job, self.tick = job, tick
        self.state: dict[str, Any] = job.last or {"job_id": job.job_id, "status": "pending"}
        self.title = widgets.HTML(title(self.state))
        self.bar = widgets.FloatProgress(
            value=float(self.state.get("progress") or 0),
            min=0,
            max=100,
            description="",
            layout=widgets.Layout(width="260px"),
        )
        self.label = widgets.HTML(describe_html(self.state) if job.last else "connecting…")
        self.cancel_button = widgets.Button(
            description="Cancel",
            icon="stop",
            tooltip="Cancel this job (stops it if running)",
            layout=widgets.Layout(width="90px"),
        )
        self.cancel_button.on_click(self._on_cancel)
        super().__init__(
            [self.title, widgets.HBox([self.bar, self.cancel_button, self.label])], **kwargs
        )
        self.add_class("booknlp-job")
        self._driver = Driver(
            first=lambda: self.job.status(),
            follow=lambda put: self.job.wait(progress=put),  # reconnects when the stream breaks
            current=lambda: self.state,
            draw=self._draw,
            on_error=self._on_error,
            tick=tick,
            names=(f"booknlp-events-{job.job_id[:8]}", f"booknlp-draw-{job.job_id[:8]}"),
        )
        self.done = threading.Event()
        self.displays = Displays()
        self._driver.start()

    # -- the threads' callbacks ------------------------------------------------------

    def _draw(self, state: dict[str, Any] | None) -> bool:
        """Show ``state``; True once the job is final (or no longer followed)."""
        if state is None:  # no longer followed (the error is shown): as final
            self.finish(self.state)
            return True
        self.update(state)
        if state.get("status") in FINAL:
            self.finish(state)
            return True
        return False

    def _on_error(self, exc: Exception) -> None:
        """Following failed: show it in the widget, never raised into the kernel."""
        self._driver.show({**self.state, "status": "unknown", "error_message": str(exc)})

    # -- drawing and cancelling ------------------------------------------------------

    def update(self, state: dict[str, Any]) -> None:
        """Show ``state`` (a job's JSON)."""
        self.state = state
        status = state.get("status")
        with self.hold_sync():
            self.title.value = title(state)
            self.bar.value = float(state.get("progress") or 0)
            self.bar.bar_style = BAR_STYLES.get(str(status), "")
            if status == "failed" or status == "unknown":
                self.label.value = describe_html(state).replace(
                    "<span ", "<span style='color:var(--jp-error-color1,#c00)' ", 1
                )
            else:
                self.label.value = describe_html(state)
            self.cancel_button.disabled = status in FINAL

    def finish(self, state: dict[str, Any]) -> None:
        """Show the final ``state``; every display becomes its static summary."""
        self.update(state)
        self.done.set()
        self.displays.settle(summary_bundle(state))

    def _live_bundle(self) -> Bundle:
        """The widget's view, with its summary as HTML and text beside it (what a front
        end without widgets shows meanwhile)."""
        return {**(self._repr_mimebundle_() or {}), **summary_bundle(self.state)}

    def _ipython_display_(self, **kwargs: Any) -> None:
        """Display the widget (its summary once the job is final)."""
        self.displays.show(self._live_bundle)

    def _on_cancel(self, _button: widgets.Button | None = None) -> None:
        self.cancel_button.disabled = True
        try:
            state = self.job.cancel(force=self.state.get("status") == "running")
        except BookNLPError as exc:
            self.label.value = f"<span>cannot cancel: {html.escape(exc.detail)}</span>"
            return
        self._driver.show(state)

    def cancel(self) -> None:
        """What the Cancel button does."""
        self._on_cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the widget has shown a final state (for scripts and tests)."""
        return self.done.wait(timeout)

    def close(self) -> None:
        self._driver.close()
        super().close()
