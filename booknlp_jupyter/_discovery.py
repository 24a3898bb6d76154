"""Where the job API is, and its token, from the kernel's environment (see `discover`)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from ._common import BookNLPError

PREFIX = "booknlp/v1"


def _local(url: str) -> str:
    """A bind address (``http://:8888/``, ``http://0.0.0.0:8888/``) as a loopback URL."""
    parts = urlsplit(url)
    if parts.hostname in (None, "", "0.0.0.0", "::", "*"):
        port = f":{parts.port}" if parts.port else ""
        parts = parts._replace(netloc=f"127.0.0.1{port}")
    return urlunsplit(parts)


def _api(server_url: str) -> str:
    return _local(server_url).rstrip("/") + "/" + os.environ.get("BOOKNLP_PREFIX", PREFIX)


def discover(token: str | None = None) -> tuple[str, str | None]:
    """Where the API is, and its token, tried in order:

    1. ``BOOKNLP_URL`` (the API itself, ending in ``/v1``) and ``BOOKNLP_TOKEN``;
    2. the Jupyter server that launched this kernel: ``JPY_PARENT_PID`` among the
       running servers' files (its ``url`` carries the ``base_url``);
    3. a JupyterHub single-user server: ``JUPYTERHUB_SERVICE_URL`` (its ``base_url``
       included, else ``JUPYTERHUB_SERVICE_PREFIX``) and ``JUPYTERHUB_API_TOKEN``;
    4. the only running Jupyter server on this machine.

    ``BOOKNLP_PREFIX`` (default ``booknlp/v1``) is the API's path below a server's URL.
    """
    env = os.environ
    if env.get("BOOKNLP_URL"):
        return env["BOOKNLP_URL"].rstrip("/"), token or env.get("BOOKNLP_TOKEN") or None
    tried = ["BOOKNLP_URL (not set)"]
    try:
        from jupyter_server.serverapp import list_running_servers

        servers = list(list_running_servers())
    except Exception:  # discovery is best effort
        servers = []
    parent = env.get("JPY_PARENT_PID")
    for info in servers:
        if parent and str(info.get("pid")) == parent:
            return _api(info["url"]), token or info.get("token") or None
    tried.append(
        f"the Jupyter server with pid JPY_PARENT_PID={parent or '(not set)'} "
        f"({len(servers)} running)"
    )
    hub = env.get("JUPYTERHUB_SERVICE_URL")
    if hub:
        if urlsplit(hub).path in ("", "/"):
            hub = hub.rstrip("/") + env.get("JUPYTERHUB_SERVICE_PREFIX", "/")
        return _api(hub), token or env.get("JUPYTERHUB_API_TOKEN") or None
    tried.append("JUPYTERHUB_SERVICE_URL (not set)")
    if len(servers) == 1:
        return _api(servers[0]["url"]), token or servers[0].get("token") or None
    tried.append(f"the only running Jupyter server ({len(servers)} found)")
    raise BookNLPError(
        0,
        "no BookNLP server found; tried "
        + ", ".join(tried)
        + ". Set BOOKNLP_URL (e.g. http://127.0.0.1:8888/booknlp/v1) and "
        "BOOKNLP_TOKEN, or pass Client(url=..., token=...).",
    )
