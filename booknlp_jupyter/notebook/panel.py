"""`panel()`: the no-code path, one ipywidgets app. Pick a text (typed, a variable's, or
a file's), a model and a pipeline, submit; watch this server's jobs live (cancel any);
put a finished job's frames into a notebook variable. Core ipywidgets only, so it works
in JupyterLab, Notebook 7, VS Code and other widget front ends.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .._common import BookNLPError
from ..client import Client
from ..engines.base import PIPELINE_COMPONENTS
from .jobs import JobsTable
from .status import reused_note


def _namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    return shell.user_ns if shell is not None else {}


class Panel(widgets.VBox):
    """The app; ``namespace`` is where variables are read and written (the notebook's)."""

    def __init__(
        self,
        client: Client | None = None,
        namespace: dict[str, Any] | None = None,
        limit: int = 15,
        **kwargs: Any,
    ):
        self.client = client or Client()
        self.namespace = _namespace() if namespace is None else namespace
        self.source = widgets.ToggleButtons(
            options=["text", "variable", "file"], description="source"
        )
        self.text = widgets.Textarea(
            placeholder="Paste a text…", layout=widgets.Layout(width="100%", height="120px")
        )
        self.variable = widgets.Dropdown(description="variable", options=self._text_variables())
        self.refresh_variables = widgets.Button(
            icon="refresh", tooltip="list variables again", layout=widgets.Layout(width="40px")
        )
        self.refresh_variables.on_click(
            lambda _: setattr(self.variable, "options", self._text_variables())
        )
        self.file = widgets.Text(description="file", placeholder="path/to/book.txt")
        self.inputs = widgets.VBox([self.text])
        self.source.observe(self._show_source, names="value")
        models, available = self.client.models(), self.client.available_models()
        self.model = widgets.Dropdown(
            description="model", options=available, value=available[0] if available else None
        )
        missing = [m for m in models if m not in available]
        self.model_note = widgets.HTML(
            "not installed here: " + html.escape(", ".join(missing)) if missing else ""
        )
        self.pipeline = widgets.SelectMultiple(
            options=list(PIPELINE_COMPONENTS),
            value=list(PIPELINE_COMPONENTS),
            description="pipeline",
            rows=5,
        )
        self.book_id = widgets.Text(description="book id", placeholder="(optional)")
        self.submit_button = widgets.Button(
            description="Submit", icon="play", button_style="primary"
        )
        self.submit_button.on_click(self.submit)
        self.message = widgets.HTML()
        self.jobs = JobsTable(self.client, limit=limit)
        self.target = widgets.Text(
            value="frames", description="into", layout=widgets.Layout(width="220px")
        )
        self.load_button = widgets.Button(description="Load frames", icon="download")
        self.load_button.on_click(self.load)
        self.loaded = widgets.HTML()
        super().__init__(
            [
                widgets.HTML("<b>BookNLP</b> — " + html.escape(self.client.url)),
                self.source,
                self.inputs,
                widgets.HBox([self.model, self.book_id, self.model_note]),
                self.pipeline,
                widgets.HBox([self.submit_button, self.message]),
                widgets.HTML("<b>Jobs</b>"),
                self.jobs,
                widgets.HBox([self.jobs.selected, self.target, self.load_button]),
                self.loaded,
            ],
            **kwargs,
        )
        self.add_class("booknlp-panel")

    def _text_variables(self) -> list[str]:
        return sorted(
            k
            for k, v in self.namespace.items()
            if not k.startswith("_") and isinstance(v, str | Path)
        )

    def _show_source(self, change: dict[str, Any]) -> None:
        self.inputs.children = {
            "text": [self.text],
            "variable": [widgets.HBox([self.variable, self.refresh_variables])],
            "file": [self.file],
        }[change["new"]]

    def chosen_text(self) -> tuple[str, str | None]:
        """The text to submit and a book id guessed from its source."""
        if self.source.value == "variable":
            if not self.variable.value:
                raise ValueError("no str or Path variable chosen")
            value = self.namespace[self.variable.value]
            if isinstance(value, Path):
                return value.read_text(encoding="utf-8"), value.stem
            return str(value), self.variable.value
        if self.source.value == "file":
            path = Path(self.file.value).expanduser()
            return path.read_text(encoding="utf-8"), path.stem
        return self.text.value, None

    def submit(self, _button: Any = None) -> Any:
        """What the Submit button does; returns the `Job` (None if refused)."""
        try:
            text, guess = self.chosen_text()
            pipeline = list(self.pipeline.value)
            job = self.client.submit(
                text,
                model=self.model.value,
                pipeline=None if set(pipeline) == set(PIPELINE_COMPONENTS) else pipeline,
                book_id=self.book_id.value or guess,
            )
        except (BookNLPError, OSError, ValueError, KeyError) as exc:
            self.message.value = f"<span style='color:#c00'>{html.escape(str(exc))}</span>"
            return None
        done = reused_note(job.reused_from) if job.reused_from else "queued"
        self.message.value = f"{html.escape(done)}: <code>{html.escape(job.job_id)}</code>"
        self.jobs.refresh()
        return job

    def load(self, _button: Any = None) -> Any:
        """What Load frames does: the chosen finished job's frames into ``target``."""
        name = self.target.value.strip()
        if not self.jobs.selected.value:
            self.loaded.value = "no completed job chosen"
            return None
        if not name.isidentifier():
            self.loaded.value = (
                f"<span style='color:#c00'>{html.escape(repr(name))} is not a name</span>"
            )
            return None
        job = self.client.job(self.jobs.selected.value)
        try:
            frames = job.frames()
        except BookNLPError as exc:
            self.loaded.value = f"<span style='color:#c00'>{html.escape(str(exc))}</span>"
            return None
        self.namespace[name] = frames
        self.loaded.value = (
            f"<code>{name}</code> = frames of <code>{job.job_id[:8]}</code>: "
            + ", ".join(f"{k} ({len(v):,})" for k, v in frames.items())
        )
        return frames

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The app's widget view, with the jobs as static HTML and text beside it (what
        a saved notebook shows without a widget runtime)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if not bundle:
            return bundle
        jobs = self.jobs.summary_bundle()
        head = f"BookNLP — {self.client.url}"
        return {
            **bundle,
            "text/html": f"<div><b>{html.escape(head)}</b></div>{jobs['text/html']}",
            "text/plain": f"{head}\n{jobs['text/plain']}",
        }

    def close(self) -> None:
        self.jobs.close()
        super().close()


def panel(client: Client | None = None, **kwargs: Any) -> Panel:
    """The BookNLP app as a widget: display it (the last line of a cell)."""
    return Panel(client, **kwargs)
