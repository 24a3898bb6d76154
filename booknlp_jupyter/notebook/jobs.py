"""The live list of a server's jobs: one row per job with progress, status and cancel.

A daemon thread polls ``GET /jobs`` (every ``interval`` seconds while a job is pending or
running, more slowly when all are final) and updates the rows in place. Displayed in a
cell, the table is done once every job it lists is final: its outputs are then replaced
by a static HTML table (`status.jobs_html`) and it stops polling (run the magic again
for a fresh one); embedded in another widget (the `panel`) it stays live.
"""

from __future__ import annotations

import html
import threading
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .._common import FINAL, BookNLPError
from .status import BAR_STYLES, Bundle, Displays, describe, describe_html, jobs_html, title

if TYPE_CHECKING:
    from ..client import Client

COLUMNS = "minmax(180px, 1.4fr) 180px minmax(240px, 2fr) 90px"


class JobRow:
    """The widgets of one job's row."""

    def __init__(self, table: JobsTable, state: dict[str, Any]):
        self.table, self.job_id = table, state["job_id"]
        status = state.get("status")
        self.title = widgets.HTML(title(state))
        self.bar = widgets.FloatProgress(
            value=float(state.get("progress") or 0),
            min=0,
            max=100,
            bar_style=BAR_STYLES.get(str(status), ""),
            layout=widgets.Layout(width="170px"),
        )
        self.label = widgets.HTML(describe_html(state))
        self.cancel_button = widgets.Button(
            description="Cancel",
            icon="stop",
            disabled=status in FINAL,
            layout=widgets.Layout(width="86px"),
        )
        self.cancel_button.on_click(self._cancel)
        self.state = state

    @property
    def cells(self) -> list[widgets.Widget]:
        """The row's widgets, left to right."""
        return [self.title, self.bar, self.label, self.cancel_button]

    def update(self, state: dict[str, Any]) -> None:
        self.state = state
        self.title.value = title(state)
        self.bar.value = float(state.get("progress") or 0)
        self.bar.bar_style = BAR_STYLES.get(str(state.get("status")), "")
        self.label.value = describe_html(state)
        self.cancel_button.disabled = state.get("status") in FINAL

    def _cancel(self, _button: widgets.Button | None = None) -> None:
        job = self.table.client.job(self.job_id)
        self.cancel_button.disabled = True
        try:
            self.update(job.cancel(force=self.state.get("status") == "running"))
        except BookNLPError as exc:
            self.label.value = f"<span>cannot cancel: {html.escape(exc.detail)}</span>"


class JobsTable(widgets.VBox):
    """``JobsTable(client)``: the newest ``limit`` jobs, live (see the module)."""

    def __init__(
        self,
        client: Client,
        limit: int = 20,
        interval: float = 1.0,
        idle_interval: float = 5.0,
        live: bool = True,
        **kwargs: Any,
    ):
        self.client, self.limit = client, limit
        self.interval, self.idle_interval = interval, idle_interval
        self.rows: dict[str, JobRow] = {}
        self.order: list[str] = []  # the job ids shown, newest first
        self.selected = widgets.Dropdown(
            description="job", options=[], layout=widgets.Layout(width="420px")
        )
        self.grid = widgets.GridBox(
            layout=widgets.Layout(
                grid_template_columns=COLUMNS, grid_gap="2px 8px", align_items="center"
            )
        )
        self.message = widgets.HTML()
        super().__init__([self.grid, self.message], **kwargs)
        self.add_class("booknlp-jobs")
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.displays = Displays()
        self.refresh()
        if live:
            threading.Thread(target=self._poll, name="booknlp-jobs", daemon=True).start()

    def refresh(self) -> list[dict[str, Any]]:
        """Fetch the jobs and update the rows (new jobs on top)."""
        try:
            jobs = self.client.jobs(limit=self.limit)
        except Exception as exc:  # shown, not raised into the kernel
            self.message.value = f"<span>cannot list jobs: {html.escape(str(exc))}</span>"
            return []
        with self._lock, self.hold_sync():
            self.message.value = "" if jobs else "<i>no jobs yet</i>"
            for state in jobs:
                row = self.rows.get(state["job_id"])
                if row is None:
                    self.rows[state["job_id"]] = JobRow(self, state)
                else:
                    row.update(state)  # the clocks move even when the state does not
            self.order = [state["job_id"] for state in jobs]
            children = [w for state in jobs for w in self.rows[state["job_id"]].cells]
            if children != list(self.grid.children):
                self.grid.children = children
            completed = [
                (f"{s.get('book_id') or s['job_id'][:8]} ({s['job_id'][:8]})", s["job_id"])
                for s in jobs
                if s.get("status") == "completed"
            ]
            if completed != list(self.selected.options):
                self.selected.options = completed
        return jobs

    @property
    def active(self) -> bool:
        """Whether a job shown is pending or running."""
        return any(state.get("status") not in FINAL for state in self.states)

    def _poll(self) -> None:
        while not self._stop.wait(self.interval if self.active else self.idle_interval):
            self.refresh()
            if self.displays.shown and not self.active:
                self.finish()

    @property
    def states(self) -> list[dict[str, Any]]:
        """The jobs shown, newest first."""
        return [self.rows[job_id].state for job_id in self.order if job_id in self.rows]

    def summary_bundle(self) -> Bundle:
        """The table as static HTML, with a text line per job."""
        states = self.states
        text = "\n".join(f"{s.get('book_id') or s['job_id'][:8]}: {describe(s)}" for s in states)
        note = self.message.value  # "no jobs yet", or why they cannot be listed
        table = jobs_html(states) + note if states else note or jobs_html(states)
        return {"text/html": table, "text/plain": text or "no jobs yet"}

    def finish(self) -> None:
        """Stop polling; every display becomes the static table."""
        self._stop.set()
        self.displays.settle(self.summary_bundle())

    def _ipython_display_(self, **kwargs: Any) -> None:
        """Display the live table, or the static one when every job is final."""
        if not self.active:
            self.finish()
        self.displays.show(lambda: {**(self._repr_mimebundle_() or {}), **self.summary_bundle()})

    def close(self) -> None:
        self._stop.set()
        super().close()
