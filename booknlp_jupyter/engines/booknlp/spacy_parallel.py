"""spaCy on a book's pieces in several processes at once: the same Docs, in less time.

`parallel_pipe` yields the Docs of the pieces' texts in order, as ``nlp.pipe`` would. The
worker's own ``nlp`` parses pieces too; up to ``processes - 1`` helper processes (this
module run as ``python -m``, loading the same model) start with the call, each taking the
first piece nobody has taken whenever it is free, and end when the call ends, their memory
with them (a helper peaks near 800 MB on a 100,000-character piece). A helper's Doc comes
back as ``Doc.to_bytes`` and is rebuilt on the worker's vocabulary: the same tokens, tags,
lemmas, parses and sentence starts (`tests/test_spacy_stitch.py` compares whole novels).
A helper that fails or dies hands its piece back to the worker: slower, never wrong.

The helpers are plain subprocesses, not `multiprocessing` children: the worker is a
daemonic process, which `multiprocessing` does not let have children.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import IO, Any

log = logging.getLogger("booknlp_jupyter")

_LENGTH = struct.Struct("<Q")
_READY = b"ready"
#: Threads per helper for the numerical libraries: the helpers are the parallelism.
_ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def _send(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_LENGTH.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def _receive(stream: IO[bytes]) -> bytes:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError("the spaCy helper closed its output")
    (size,) = _LENGTH.unpack(head)
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError("the spaCy helper closed its output mid-message")
    return payload


class _Pieces:
    """Which pieces are taken and which are parsed, shared by the helpers' threads."""

    def __init__(self, count: int):
        self.free = list(range(count))  # not taken yet, in order
        self.done: dict[int, Any] = {}  # piece → Doc (the worker's) or bytes (a helper's)
        self.closed = False
        self.cond = threading.Condition()

    def take(self) -> int | None:
        """The first free piece (None: none is left, or the call ended); hold ``cond``."""
        return None if self.closed or not self.free else self.free.pop(0)

    def give_back(self, i: int) -> None:
        with self.cond:
            self.free.insert(0, i)
            self.free.sort()
            self.cond.notify_all()

    def finish(self, i: int, result: Any) -> None:
        with self.cond:
            self.done[i] = result
            self.cond.notify_all()


class _Helper:
    """One helper process and the thread that feeds it pieces."""

    def __init__(self, spacy_model: str, texts: Sequence[str], pieces: _Pieces):
        self.texts, self.pieces = texts, pieces
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, spacy_model, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, **_ONE_THREAD},
        )
        self.thread = threading.Thread(target=self._feed, name="spacy-helper", daemon=True)
        self.thread.start()

    def _feed(self) -> None:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        taken: int | None = None
        try:
            if _receive(stdout) != _READY:
                raise EOFError("the spaCy helper did not start")
            while True:
                with self.pieces.cond:
                    taken = self.pieces.take()
                if taken is None:
                    return
                _send(stdin, self.texts[taken].encode("utf-8"))
                self.pieces.finish(taken, _receive(stdout))
                taken = None
        except (OSError, EOFError, ValueError) as exc:
            if not self.pieces.closed:
                log.warning("a spaCy helper stopped (%s); the worker parses its pieces", exc)
        finally:
            if taken is not None:
                self.pieces.give_back(taken)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        self.thread.join(10)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]


def parallel_pipe(
    nlp: Any, spacy_model: str, texts: Sequence[str], processes: int
) -> Iterator[Any]:
    """The Docs of ``texts``, in order: parsed by ``nlp`` here and by at most
    ``processes - 1`` helpers loading ``spacy_model`` (the model ``nlp`` was loaded from,
    with ``disable=["ner"]``). Close the generator to stop the helpers early."""
    from spacy.tokens import Doc

    from ..lite.bounded import make_doc

    pieces = _Pieces(len(texts))
    helpers: list[_Helper] = []
    try:
        for _ in range(min(processes, len(texts)) - 1):
            try:
                helpers.append(_Helper(spacy_model, texts, pieces))
            except OSError as exc:  # e.g. no process left to start: parse here
                log.warning("could not start a spaCy helper (%s)", exc)
                break
        for k in range(len(texts)):
            while True:
                with pieces.cond:
                    while k not in pieces.done and not pieces.free:
                        pieces.cond.wait()  # a helper parses piece k (or gives it back)
                    result = pieces.done.pop(k, None)
                    mine = None if result is not None else pieces.take()
                if result is not None:
                    break
                assert mine is not None
                pieces.finish(mine, nlp(make_doc(nlp.tokenizer, texts[mine])))
            yield Doc(nlp.vocab).from_bytes(result) if isinstance(result, bytes) else result
    finally:
        with pieces.cond:
            pieces.closed = True
            pieces.cond.notify_all()
        for helper in helpers:
            helper.stop()


# -- the helper process -------------------------------------------------------------------


def _die_with(parent: int) -> None:
    """End this process when ``parent`` (the worker) ends, killed or not."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def main(argv: Sequence[str]) -> int:
    """Load the model named in ``argv[0]``, then parse each text read from stdin and write
    its ``Doc.to_bytes``, until stdin ends. stdout carries only that protocol."""
    spacy_model, parent = argv[0], int(argv[1])
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to the worker's log, not into the protocol
    stdin = sys.stdin.buffer
    import spacy

    from ..lite.bounded import make_doc

    nlp = spacy.load(spacy_model, disable=["ner"])
    nlp.max_length = 10_000_000  # as BookNLP's SpacyPipeline
    _send(out, _READY)
    while True:
        try:
            text = _receive(stdin).decode("utf-8")
        except EOFError:
            return 0
        _send(out, nlp(make_doc(nlp.tokenizer, text)).to_bytes())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
