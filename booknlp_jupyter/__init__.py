"""booknlp-jupyter: run BookNLP from Jupyter without blocking the kernel.

The server extension (`BookNLPApp`) serves an async job API at
``{base_url}booknlp/v1/``; engines run in a separate worker process.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.extension import BookNLPApp

    return [{"module": "booknlp_jupyter", "app": BookNLPApp}]


__all__ = ["__version__"]
