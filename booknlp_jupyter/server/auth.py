"""Authorization for the standalone and hub-service servers.

``booknlp-jupyter serve`` is a Jupyter server, so besides ``/v1/`` it would also serve
jupyter_server's kernels, sessions and contents APIs. On a shared service that would let
any user run code on the GPU host. `JobsOnlyAuthorizer` allows only the ``booknlp``
resource, and jupyter_server's read-only ``api`` one (status, identity, its spec): every
other API answers 403.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.authorizer import Authorizer

from .base import AUTH_RESOURCE

ALLOWED_RESOURCES = frozenset({AUTH_RESOURCE, "api"})  # "api": /api/status, /api/me, the spec


class JobsOnlyAuthorizer(Authorizer):
    """Authenticated users may use the job API and nothing else of the server."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return resource in ALLOWED_RESOURCES
