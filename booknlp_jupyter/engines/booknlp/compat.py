"""Shims that make BookNLP 1.0.8 run on today's libraries, kept out of BookNLP's source.

* `fit_state_dict`: BookNLP's model files carry ``bert.embeddings.position_ids``, which
  transformers 4.30 expects and 4.31+ rejects; fit the keys to the installed release.
* `check_transformers`: BookNLP's wordpiece handling was trained with transformers 4.x;
  5.x changes its tokenization silently, so refuse it with the fix.
* `utf8_open`: BookNLP opens its data files without an encoding; give its modules an
  ``open`` that defaults to UTF-8 whatever the locale.
* `contain_exit`: BookNLP calls ``sys.exit()`` on bad input; turn that into an error
  that names the stage and what BookNLP printed, so the job fails and the worker lives.
"""

from __future__ import annotations

import builtins
import collections
import contextlib
import importlib
import io
import sys
from collections.abc import Iterator, Mapping
from typing import Any

#: transformers releases BookNLP's tokenization is known to work with.
TRANSFORMERS_RANGE = ">=4.30,<5"

#: BookNLP modules that open files.
_BOOKNLP_MODULES = (
    "booknlp.common.sequence_layered_reader",
    "booknlp.english.entity_tagger",
    "booknlp.english.gender_inference_model_1",
    "booknlp.english.name_coref",
    "booknlp.english.bert_coref_quote_pronouns",
)


class BookNLPEngineError(RuntimeError):
    """BookNLP stopped (``sys.exit``) or cannot run; the message says why."""


def check_transformers(version: str) -> None:
    """Raise `BookNLPEngineError` unless ``version`` is a transformers 4.30+ 4.x release."""
    parts = [int(p) if p.isdigit() else 0 for p in version.split(".")[:2]]
    major, minor = ([*parts, 0, 0])[:2]
    if major != 4 or minor < 30:
        raise BookNLPEngineError(
            f"transformers {version} is installed, but BookNLP's tokenization needs "
            f"transformers{TRANSFORMERS_RANGE}: pip install 'transformers{TRANSFORMERS_RANGE}'"
        )


def fit_state_dict(state: Mapping[str, Any], expected: Mapping[str, Any]) -> dict[str, Any]:
    """``state`` with its ``*position_ids`` buffers fitted to the model's ``expected`` keys.

    Drops ``position_ids`` the installed transformers does not keep in its state dict (4.31+)
    and supplies the model's own when it expects them and the file lacks them (4.30).
    """
    fitted = {k: v for k, v in state.items() if k in expected or not k.endswith("position_ids")}
    for key, value in expected.items():
        if key.endswith("position_ids") and key not in fitted:
            fitted[key] = value
    return fitted


def utf8_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
    """`open` that reads and writes text as UTF-8 unless told otherwise."""
    if "b" not in mode and not args and "encoding" not in kwargs:
        kwargs["encoding"] = "utf-8"
    return builtins.open(file, mode, *args, **kwargs)


def patch_booknlp_open() -> None:
    """Give BookNLP's modules `utf8_open` as their ``open`` (idempotent)."""
    for name in _BOOKNLP_MODULES:
        importlib.import_module(name).open = utf8_open


class _Tail(io.TextIOBase):
    """A text stream that keeps the last lines written to it (and passes them on)."""

    def __init__(self, passthrough: Any, lines: int = 20) -> None:
        self.passthrough = passthrough
        self.lines: collections.deque[str] = collections.deque(maxlen=lines)
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self._partial += s
        *done, self._partial = self._partial.split("\n")
        self.lines.extend(line for line in done if line.strip())
        if self.passthrough is not None:
            with contextlib.suppress(Exception):
                self.passthrough.write(s)
        return len(s)

    def tail(self) -> str:
        return " | ".join([*self.lines, self._partial.strip()][-5:]).strip(" |")


@contextlib.contextmanager
def contain_exit(stage: Any) -> Iterator[_Tail]:
    """Run BookNLP code; a ``sys.exit()`` inside becomes `BookNLPEngineError`.

    ``stage`` is called (or read) when the exit happens, to name where it stopped.
    BookNLP's prints go to stderr (stdout may be a pipe) and the last lines go in the error.
    """
    out = _Tail(sys.stderr)
    try:
        with contextlib.redirect_stdout(out):
            yield out
    except SystemExit as exc:
        where = stage() if callable(stage) else stage
        said = out.tail()
        raise BookNLPEngineError(
            f"BookNLP stopped with sys.exit({exc.code!r}) during {where}"
            + (f": {said}" if said else "")
        ) from None
