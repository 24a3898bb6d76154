"""IPython magics: ``%load_ext booknlp_jupyter``, then

``%booknlp_submit VAR_OR_TEXT [--model M] [--pipeline a,b] [--book-id ID]``
    queue a variable's text (a ``str``, or a ``Path`` to read), a file, or the text
    itself; shows a live progress widget and returns the `Job` at once.
``%%booknlp [--model M] [--pipeline a,b] [--book-id ID] [--name VAR]``
    queue the cell's text (the job is also stored in ``VAR``, default ``booknlp_job``).
``%booknlp_jobs [--limit N]``
    the server's jobs, as a live table with cancel buttons.
``%booknlp_result [ID_OR_VAR] [--tables a,b]``
    a finished job's DataFrames (`Frames`); the newest completed job without an ID.
``%booknlp_corpus FOLDER [--output-dir DIR] [--model M] [--strip-gutenberg]``
    queue every text of a folder (one job each, BookNLP's files written into one
    folder); shows a live widget and returns the `Corpus` at once.
``%booknlp_connect URL [TOKEN]``
    use this server instead of the discovered one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from ..client import BookNLPError, Client, Corpus, Frames, Job


def _pipeline(value: str | None) -> list[str] | None:
    return [p.strip() for p in value.split(",") if p.strip()] if value else None


def _submit_arguments(func: Any) -> Any:
    for arg in reversed(
        [
            argument("--model", "-m", default=None, help="an engine's model (server default)"),
            argument("--pipeline", "-p", default=None, help="components, comma separated"),
            argument("--book-id", "-b", default=None, help="your label for the book"),
            argument("--no-widget", action="store_true", help="do not show the progress widget"),
        ]
    ):
        func = arg(func)
    return func


@magics_class
class BookNLPMagics(Magics):
    """The ``booknlp`` magics; they share one `Client` (discovered on first use)."""

    _client: Client | None = None

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = Client()
        return self._client

    def _text(self, source: str) -> tuple[str, str | None]:
        """``source`` as text, and a book id guessed from it (variable or file name)."""
        ns = self.shell.user_ns if self.shell else {}
        if source.isidentifier() and source in ns:
            value = ns[source]
            if isinstance(value, Path):
                return value.read_text(encoding="utf-8"), value.stem
            if isinstance(value, str):
                return value, source
            raise TypeError(f"{source} is a {type(value).__name__}; give a str or a Path")
        unquoted = source.strip()
        if len(unquoted) >= 2 and unquoted[0] == unquoted[-1] and unquoted[0] in "'\"":
            return unquoted[1:-1], None
        if "\n" not in unquoted and len(unquoted) < 1024:
            path = Path(unquoted).expanduser()
            if path.suffix and path.is_file():
                return path.read_text(encoding="utf-8"), path.stem
        return source, None

    def _submit(self, text: str, args: Any, book_id: str | None) -> Job:
        job = self.client.submit(
            text,
            model=args.model,
            pipeline=_pipeline(args.pipeline),
            book_id=args.book_id or book_id,
        )
        if not args.no_widget:
            display(job.widget())
        return job

    @magic_arguments()
    @_submit_arguments
    @argument("source", nargs="+", help="a variable name, a file path or the text itself")
    @line_magic
    def booknlp_submit(self, line: str) -> Job:
        """Queue a text; shows a live progress widget and returns the job at once."""
        args = parse_argstring(self.booknlp_submit, line)
        text, book_id = self._text(" ".join(args.source))
        return self._submit(text, args, book_id)

    @magic_arguments()
    @_submit_arguments
    @argument("--name", "-n", default="booknlp_job", help="the variable to store the job in")
    @cell_magic
    def booknlp(self, line: str, cell: str) -> Job:
        """Queue the cell's text; the job is returned and stored in ``--name``."""
        args = parse_argstring(self.booknlp, line)
        job = self._submit(cell, args, None)
        if self.shell is not None:
            self.shell.user_ns[args.name] = job
        return job

    @magic_arguments()
    @argument("--limit", "-l", type=int, default=20, help="how many jobs (newest first)")
    @line_magic
    def booknlp_jobs(self, line: str) -> Any:
        """The server's jobs as a live table (progress, status, cancel)."""
        from .jobs import JobsTable

        args = parse_argstring(self.booknlp_jobs, line)
        return JobsTable(self.client, limit=args.limit)

    @magic_arguments()
    @argument("--tables", "-t", default=None, help="tables to load, comma separated")
    @argument("job", nargs="?", default=None, help="a job id, or a variable holding a Job")
    @line_magic
    def booknlp_result(self, line: str) -> Frames:
        """A finished job's tables as typed DataFrames."""
        args = parse_argstring(self.booknlp_result, line)
        ns = self.shell.user_ns if self.shell else {}
        if args.job is None:
            done = self.client.jobs(status="completed", limit=1)
            if not done:
                raise BookNLPError(404, "no completed job on this server yet")
            job = self.client.job(done[0]["job_id"])
        elif args.job in ns and isinstance(ns[args.job], Job):
            job = ns[args.job]
        else:
            job = self.client.job(args.job.strip("'\""))
        tables = _pipeline(args.tables)
        return job.frames(tables) if tables else job.frames()

    @magic_arguments()
    @argument("--output-dir", "-o", default=None, help="where the files go (server's root)")
    @argument("--model", "-m", default=None, help="an engine's model (server default)")
    @argument("--pipeline", "-p", default=None, help="components, comma separated")
    @argument("--strip-gutenberg", action="store_true", help="drop Gutenberg's boilerplate")
    @argument("--no-widget", action="store_true", help="do not show the live widget")
    @argument("folder", nargs="+", help="a folder of .txt files (or a variable holding one)")
    @line_magic
    def booknlp_corpus(self, line: str) -> Corpus:
        """Queue every text of a folder; shows a live widget and returns the `Corpus`."""
        args = parse_argstring(self.booknlp_corpus, line)
        folder: Any = " ".join(args.folder).strip("'\"")
        ns = self.shell.user_ns if self.shell else {}
        if folder.isidentifier() and isinstance(ns.get(folder), str | Path):
            folder = ns[folder]
        corpus = self.client.submit_corpus(
            folder,
            output_dir=args.output_dir,
            model=args.model,
            pipeline=_pipeline(args.pipeline),
            strip_gutenberg=args.strip_gutenberg,
        )
        if not args.no_widget:
            display(corpus)
        return corpus

    @line_magic
    def booknlp_connect(self, line: str) -> Client:
        """``%booknlp_connect URL [TOKEN]``: use this API (ending in ``/v1``)."""
        parts = line.split()
        if not parts:
            raise ValueError("usage: %booknlp_connect URL [TOKEN]")
        self._client = Client(parts[0], parts[1] if len(parts) > 1 else None)
        return self._client


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(BookNLPMagics)
