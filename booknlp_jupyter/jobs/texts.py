"""Checks on a submitted text, and the key that says two requests are identical."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from .errors import InvalidRequest


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be processed, or None. Never quotes the text itself."""
    if "\x00" in text:
        return "text contains NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"text is not valid Unicode (a lone surrogate at character {exc.start})"
    return None


def request_key(text: str, model: str, pipeline: Sequence[str], engine_identity: str) -> str:
    """Check the text (`InvalidRequest`) and return the key of the request: equal keys
    mean equal text, model, pipeline and engine identity, so equal results. Blocking
    (a 5,000,000-character text takes milliseconds): call it from a thread."""
    if text.isspace():
        raise InvalidRequest("text: must contain more than whitespace")
    problem = text_problem(text)
    if problem:
        raise InvalidRequest(f"text: {problem}")
    digest = hashlib.sha256()
    digest.update(f"{model}\0{','.join(sorted(pipeline))}\0{engine_identity}\0".encode())
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()
