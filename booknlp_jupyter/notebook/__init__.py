"""The notebook experience: magics, live widgets, the `panel` app, and ways to look at
a book (character tables, plots, networks, the text highlighted).

Modules import ipywidgets, matplotlib or networkx only when used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "JobProgress": ".progress",
    "JobsTable": ".jobs",
    "CorpusWidget": ".corpus_widget",
    "BookNLPMagics": ".magics",
    "load_ipython_extension": ".magics",
    "panel": ".panel",
    "Panel": ".panel",
    "Book": ".book",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
