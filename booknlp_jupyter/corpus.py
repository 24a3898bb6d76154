"""Corpora on the kernel side: `Corpus`, a handle on a folder of books the server runs one
job each for, writing BookNLP's files into one output folder; and `save_job`, which
writes one job's result as those files.

corpus = client.submit_corpus("novels/")
corpus                        # in a notebook: a live widget (a static summary once done)
corpus.wait()
frames = corpus.frames()      # the six tables of every book, with a book_id column
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ._common import (
    BookNLPError,
    EventParser,
    check,
    check_stream,
    deadline_after,
    past,
    sse_timeout,
)

if TYPE_CHECKING:
    from .async_client import AsyncClient
    from .client import Client, Job

View = dict[str, Any]

#: A corpus in one of these statuses will not change any more.
CORPUS_FINAL = ("completed", "cancelled")


def settled(view: View) -> bool:
    """Whether nothing of the corpus will change: it is final and no book still runs (a
    corpus cancelled without ``force`` is final while its running book finishes)."""
    return view.get("status") in CORPUS_FINAL and not any(
        b.get("status") in ("pending", "running") for b in view.get("books") or []
    )


class _CorpusEvents(EventParser):
    """The corpus stream's events (``event: corpus``)."""

    EVENTS = ("corpus", "message")


def server_root(client: Client | AsyncClient) -> Path | None:
    """The root folder of the Jupyter server that serves ``client``'s API, when that
    server runs on this machine (found among the running servers' files), else None."""
    if root := getattr(client, "root_dir", None):  # set by hand, for a server elsewhere
        return Path(root)
    try:
        from jupyter_server.serverapp import list_running_servers

        from ._discovery import _api

        for info in list_running_servers():
            if _api(info["url"]) == client.url and info.get("root_dir"):
                return Path(info["root_dir"])
    except Exception:  # best effort, like discovery
        return None
    return None


def server_relative(client: Client | AsyncClient, path: str | os.PathLike[str]) -> str:
    """``path`` as the server reads it (relative to its root): a path that exists here
    (or is absolute) and lies under the server's root (when that is known) becomes
    relative to it, so a notebook in a subfolder can name ``data/novels``; anything
    else goes as given."""
    local = Path(path).expanduser()
    root = server_root(client)
    if root is not None and (local.is_absolute() or local.exists()):
        try:
            return local.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return os.fspath(path)


def corpus_body(
    client: Client | AsyncClient,
    folder: str | os.PathLike[str] | None,
    paths: Sequence[str | os.PathLike[str]] | None,
    output_dir: str | os.PathLike[str] | None,
    model: str | None,
    pipeline: Sequence[str] | None,
    strip_gutenberg: bool,
) -> dict[str, Any]:
    """The JSON of ``POST /corpora`` (fields left out take the server's defaults)."""
    if (folder is None) == (paths is None):
        raise ValueError("give a folder or paths (one of them)")
    body: dict[str, Any] = {"strip_gutenberg": bool(strip_gutenberg)}
    if folder is not None:
        body["folder"] = server_relative(client, folder)
    else:
        body["paths"] = [server_relative(client, p) for p in paths or ()]
    if output_dir is not None:
        body["output_dir"] = server_relative(client, output_dir)
    if model:
        body["model"] = model
    if pipeline is not None:
        body["pipeline"] = list(pipeline)
    return body


def read_output(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """A folder of BookNLP output files (ours, or ones bare BookNLP wrote) as the six
    tables, each one DataFrame with a ``book_id`` column, the quotes with ``quote_text``
    (as written) beside BookNLP's tokenised ``quote``."""
    from ._frames import add_quote_text
    from .results.booknlp_read import read_output as read_files

    frames = read_files(folder)
    add_quote_text(frames)
    return frames


def output_folder(client: Client | AsyncClient, corpus_id: str, view: View) -> Path:
    """Where corpus ``corpus_id`` (its ``view``) has its files on this machine: the
    server's ``output_path`` when it is here, else ``output_dir`` under the root of
    ``client``'s server; `FileNotFoundError` saying what to copy when neither is."""
    output_path = view.get("output_path")
    if output_path and Path(output_path).is_dir():
        return Path(output_path)
    root = server_root(client)
    if root is not None and view.get("output_dir"):
        folder = root / view["output_dir"]
        if folder.is_dir():
            return folder
    raise FileNotFoundError(
        f"corpus {corpus_id}'s files are at {output_path} on the server's machine "
        f"({view.get('output_dir')!r} below its root), not on this one; copy that folder "
        "here and read it with booknlp_jupyter.read_output(folder)"
    )


class CorpusHandle:
    """What `Corpus` and `AsyncCorpus` share: the id, the last view seen (``last``) and
    identity (two handles on one corpus are equal)."""

    def __init__(self, client: Any, corpus_id: str, view: View | None = None):
        self.client, self.corpus_id = client, corpus_id
        self.last: View | None = view

    @property
    def id(self) -> str:
        return self.corpus_id

    def __repr__(self) -> str:
        name = type(self).__name__
        if not self.last:
            return f"<{name} {self.corpus_id}>"
        v = self.last
        books = f"{_done(v)}/{v.get('books_total', '?')} books"
        return f"<{name} {self.corpus_id} {v.get('status')} {books}>"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.corpus_id == self.corpus_id

    def __hash__(self) -> int:
        return hash(self.corpus_id)

    def _view_with_output(self) -> View | None:
        """The last view when it names the output folder (else the caller asks anew)."""
        return self.last if self.last and self.last.get("output_path") else None


class WaitClock:
    """The rules of waiting for a corpus, without I/O (`Corpus.follow` and
    `AsyncCorpus.wait` drive it): when the stream's end means the corpus is final,
    when it is settled, and when the ``timeout`` has run out (`TimeoutError`)."""

    def __init__(self, corpus_id: str, timeout: float | None):
        self.corpus_id, self.timeout = corpus_id, timeout
        self.deadline = deadline_after(timeout)

    @property
    def expired(self) -> bool:
        return past(self.deadline)

    def final(self, view: View) -> bool:
        """Whether ``view`` is final; raises `TimeoutError` when not and time is up."""
        if view.get("status") in CORPUS_FINAL:
            return True
        if self.expired:
            raise TimeoutError(
                f"corpus {self.corpus_id} still {view.get('status')} after {self.timeout}s"
            )
        return False

    def settled(self, view: View) -> bool:
        """Whether ``view`` is `settled`; raises `TimeoutError` when not and time is up
        (a cancelled corpus's book still runs)."""
        if settled(view):
            return True
        if self.expired:
            raise TimeoutError(f"corpus {self.corpus_id}: a book still runs after {self.timeout}s")
        return False


class Corpus(CorpusHandle):
    """A handle on one corpus: its view (``last``: the latest seen), its event stream,
    cancelling, and its output files as DataFrames. Displayed in a notebook it is a
    live widget that turns into a static summary once the corpus is done."""

    client: Client

    def __init__(self, client: Client, corpus_id: str, view: View | None = None):
        super().__init__(client, corpus_id, view)
        self._widget: Any = None

    def view(self) -> View:
        """The corpus as the server has it now (``GET /corpora/{id}``)."""
        self.last = check(self.client.http.get(f"/corpora/{self.corpus_id}")).json()
        return self.last

    def events(self) -> Iterator[View]:
        """Each view from the corpus's event stream, until it is final (one stream)."""
        return self._events(None)

    def _events(self, deadline: float | None) -> Iterator[View]:
        parser = _CorpusEvents()
        with self.client.http.stream(
            "GET", f"/corpora/{self.corpus_id}/events", timeout=sse_timeout(deadline)
        ) as r:
            check_stream(r)
            for line in r.iter_lines():
                if (view := parser.feed(line)) is not None:
                    self.last = view
                    yield view
                if past(deadline):
                    return

    def wait(
        self,
        timeout: float | None = None,
        poll: float = 1.0,
        progress: Callable[[View], None] | None = None,
    ) -> View:
        """Follow the event stream until every book has ended (for a cancelled corpus:
        the book that was running too); ``progress`` gets each view. A broken stream is
        looked at again every ``poll`` seconds. After ``timeout`` seconds raises
        `TimeoutError` (the corpus goes on). A displayed widget is brought to the final
        view from here."""
        final = self.follow(timeout, poll, progress)
        if self._widget is not None:
            self._widget.finish(final)  # from this cell, so its output is updated too
        return final

    def follow(
        self,
        timeout: float | None = None,
        poll: float = 1.0,
        progress: Callable[[View], None] | None = None,
    ) -> View:
        """`wait`, leaving the widget alone (what the widget's own thread runs)."""
        clock = WaitClock(self.corpus_id, timeout)
        while True:
            try:
                for view in self._events(clock.deadline):
                    if progress:
                        progress(view)
                    if view.get("status") in CORPUS_FINAL:
                        break
            except httpx.TransportError:
                # the stream broke (proxy timeout, restart) or a read hit the deadline
                if not clock.expired:
                    time.sleep(poll)
            if clock.final(view := self.view()):
                break
        while not clock.settled(view):  # the stream has ended: a cancelled book still runs
            time.sleep(poll)
            view = self.view()
            if progress:
                progress(view)
        return view

    def cancel(self, force: bool = False) -> View:
        """Cancel the books not started yet; ``force=True`` also stops the running one."""
        params = {"force": "true"} if force else None
        r = self.client.http.delete(f"/corpora/{self.corpus_id}", params=params)
        self.last = check(r).json()
        return self.last

    def output_folder(self) -> Path:
        """The folder of the corpus's BookNLP files, on this machine: the server's
        ``output_path`` when it is here, else ``output_dir`` under the server's root."""
        view = self._view_with_output() or self.view()
        return output_folder(self.client, self.corpus_id, view)

    def frames(self) -> dict[str, Any]:
        """Every book's tables (tokens, entities, quotes, supersenses, events,
        characters) as DataFrames with a ``book_id`` column, read from the output
        folder (the books finished so far)."""
        return read_output(self.output_folder())

    def plot_dialogue_by_gender(
        self, frames: dict[str, Any] | None = None, ax: Any = None, **options: Any
    ) -> Any:
        """Each book's attributed dialogue by speakers' gender (100% bars), from
        ``frames`` (default: `frames`); ``options``: ``by`` ("words", "quotes"),
        ``labels``. Returns the matplotlib Figure."""
        from .notebook.corpus_plots import plot_dialogue_by_gender

        return plot_dialogue_by_gender(self.frames() if frames is None else frames, ax, **options)

    def plot_characters(
        self, frames: dict[str, Any] | None = None, ax: Any = None, **options: Any
    ) -> Any:
        """Each book's named characters, stacked by gender, from ``frames`` (default:
        `frames`); ``options``: ``min_proper``, ``labels``. Returns the Figure."""
        from .notebook.corpus_plots import plot_characters

        return plot_characters(self.frames() if frames is None else frames, ax, **options)

    def widget(self) -> Any:
        """The live widget (`booknlp_jupyter.notebook.corpus_widget.CorpusWidget`), made
        on first call; it follows the corpus from threads, so the kernel stays free."""
        from .notebook.corpus_widget import CorpusWidget

        if self._widget is None or self._widget.comm is None:
            self._widget = CorpusWidget(self)
        return self._widget

    def _ipython_display_(self) -> None:
        self.widget()._ipython_display_()

    def _repr_html_(self) -> str:
        from .notebook.corpus_widget import summary_html

        return summary_html(self.last or self.view())


def _done(view: View) -> int:
    counts = view.get("counts") or {}
    return sum(int(counts.get(k) or 0) for k in ("completed", "failed", "cancelled"))


class _JobTables:
    """A finished job's tables as `write_booknlp_files` reads them: ``arrow(name)``
    (Parquet from the API) and ``characters()`` (JSON)."""

    def __init__(self, job: Job):
        self.job = job

    def _get(self, name: str, params: dict[str, str] | None = None) -> httpx.Response:
        return check(
            self.job.client.http.get(f"/jobs/{self.job.job_id}/result/{name}", params=params)
        )

    def arrow(self, name: str) -> Any:
        import pyarrow as pa
        import pyarrow.parquet as pq

        content = self._get(name, {"format": "parquet"}).content
        return pq.read_table(pa.BufferReader(content))

    def characters(self) -> list[dict[str, Any]]:
        return self._get("characters").json()


def save_job(job: Job, folder: str | os.PathLike[str]) -> list[Path]:
    """Write ``job``'s result into ``folder`` as BookNLP's files (``{book_id}.tokens``,
    ``.entities``, ``.quotes``, ``.supersense``, ``.book``, ``.book.html``); the
    files written. The job must be completed."""
    from .results.booknlp_files import write_booknlp_files

    state = job.last if job.last and job.last.get("status") == "completed" else job.status()
    if state.get("status") != "completed":
        raise BookNLPError(409, f"job {job.job_id} is {state.get('status')}, not completed")
    book_id = state.get("book_id") or job.job_id
    return write_booknlp_files(_JobTables(job), folder, book_id, state.get("pipeline"))
