"""booknlp-jupyter: run BookNLP from Jupyter without blocking the kernel.

The server extension (`BookNLPApp`) serves an async job API at
``{base_url}booknlp/v1/``; engines run in a separate worker process. In a notebook:
``from booknlp_jupyter import Client, panel`` or ``%load_ext booknlp_jupyter``.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.extension import BookNLPApp

    return [{"module": "booknlp_jupyter", "app": BookNLPApp}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """For ``jupyter labextension develop``: the built JupyterLab panel (pip installs
    put it in ``share/jupyter/labextensions`` instead)."""
    return [{"src": "../labextension/lab-dist/booknlp-jupyter-lab", "dest": "booknlp-jupyter-lab"}]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext booknlp_jupyter``: the ``%booknlp_*`` magics."""
    from .notebook.magics import load_ipython_extension as load

    load(ipython)


_LAZY = {
    "Client": "client",
    "Job": "client",
    "Corpus": "corpus",
    "AsyncClient": "async_client",
    "AsyncJob": "async_client",
    "AsyncCorpus": "async_corpus",
    "BookNLPError": "_common",
    "Frames": "_frames",
    "panel": "notebook.panel",
    "Book": "notebook.book",
    "read_output": "corpus",
}


def __getattr__(name: str) -> Any:
    """``Client``, ``AsyncClient``, ``panel``, ``Book``... imported on first use, so
    the server's import of this package stays light."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["__version__", "load_ipython_extension", *_LAZY]
