"""JupyterHub: run the job API as a hub-managed service, with jobs that belong to hub users.

JupyterHub starts ``booknlp-jupyter serve --hub`` and passes it, in the environment,
its URL, prefix and API token. This module turns those into server configuration:
hub OAuth for browsers and ``Authorization: token`` for kernels (JupyterHub's own
identity provider, which also checks the ``access:services!service=<name>`` scope),
jobs owned by hub users, and the API at ``{JUPYTERHUB_SERVICE_PREFIX}v1/``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlparse

from traitlets.config import Config

HUB_ENV = ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_API_URL")


def running_as_hub_service(env: Mapping[str, str] = os.environ) -> bool:
    """True when JupyterHub started this process as a service with a URL."""
    return all(env.get(name) for name in HUB_ENV)


def hub_service_config(config: Config, env: Mapping[str, str] = os.environ) -> None:
    """Configure a standalone server to serve hub users as a JupyterHub service."""
    missing = [name for name in HUB_ENV if not env.get(name)]
    if missing:
        raise RuntimeError(
            f"--hub needs JupyterHub's service environment; {', '.join(missing)} not set "
            "(add this command to c.JupyterHub.services with a 'url')"
        )
    from jupyterhub.singleuser.extension import JupyterHubIdentityProvider

    config.ServerApp.identity_provider_class = JupyterHubIdentityProvider
    config.ServerApp.base_url = env["JUPYTERHUB_SERVICE_PREFIX"]
    url = urlparse(env.get("JUPYTERHUB_SERVICE_URL", ""))
    if url.port:
        config.ServerApp.port = url.port
    if url.hostname:
        config.ServerApp.ip = url.hostname
    config.BookNLPApp.url_prefix = ""
    config.BookNLPApp.per_user_jobs = True
