"""The Jupyter server extension: configuration, the job service and its handlers."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join
from traitlets import Bool, Dict, Float, Integer, Set, Type, Unicode, default, validate

from .._version import __version__
from ..corpora import CorpusService
from ..engines import BUILTIN_ENGINES
from ..jobs import BaseJobService, JobService, ServiceConfig
from ..jobs.models import utcnow
from .handlers import api_handlers
from .proxy import proxy_handlers


class BookNLPApp(ExtensionApp):
    """Runs BookNLP jobs for the Jupyter server: ``{base_url}booknlp/v1/...``.

    Configure it as ``c.BookNLPApp.<trait> = ...`` in a ``jupyter_server_config.py``.
    """

    name = "booknlp_jupyter"
    description = "Async BookNLP jobs for Jupyter"
    version = __version__
    load_other_extensions = True

    url_prefix = Unicode(
        "booknlp",
        config=True,
        help="Path below the server's base_url where the API lives ('' for /v1/ itself).",
    )
    data_dir = Unicode(
        config=True,
        help="Where job records (SQLite) and results live. Default: <jupyter data dir>/booknlp.",
    )
    max_queue_size = Integer(10, config=True, help="Pending jobs the queue holds; more get 503.")
    max_document_size = Integer(5_000_000, config=True, help="Largest text, in characters (413).")
    job_ttl_seconds = Float(
        3600.0, config=True, help="Seconds a finished job's result is kept before it expires."
    )
    job_history_seconds = Float(
        7 * 24 * 3600.0,
        config=True,
        help="Expired jobs are forgotten (404 instead of 'expired') this long after expiry.",
    )
    max_concurrent_jobs = Integer(
        1, config=True, help="Jobs run at once, each in its own worker process (one per GPU)."
    )
    default_model = Unicode("lite", config=True, help="Model used when a request names none.")
    job_timeout_seconds = Float(
        4 * 3600.0, config=True, help="A running job past this many seconds fails (0: no limit)."
    )
    sync_max_document_size = Integer(
        500_000, config=True, help="Largest text /v1/analyze accepts; larger goes to /v1/jobs."
    )
    sync_timeout_seconds = Float(
        300.0, config=True, help="How long /v1/analyze waits before answering 202 with the job."
    )
    per_user_jobs = Bool(
        False,
        config=True,
        help="Jobs belong to the authenticated user, who sees only their own "
        "(for servers shared by several users). Off for a personal server.",
    )
    max_pending_per_user = Integer(
        0,
        config=True,
        help="With per_user_jobs: pending jobs one user may have (429 past it; 0: no limit). "
        "Users are served round-robin either way.",
    )
    admin_users = Set(
        config=True, help="With per_user_jobs: users who see and cancel everyone's jobs."
    )
    admin_scope = Unicode(
        "custom:booknlp:admin",
        config=True,
        help="With JupyterHub auth: the scope that makes a user a BookNLP admin.",
    )
    redis_url = Unicode(
        config=True,
        help="Run jobs on remote GPU workers (`booknlp-jupyter worker --redis-url ...`) "
        "through this Redis/Valkey server instead of a local worker process.",
    )
    service_url = Unicode(
        config=True,
        help="URL of a shared BookNLP service's API (ending in /v1). When set, this server "
        "runs no jobs itself: its API forwards to the service. Default: $BOOKNLP_SERVICE_URL.",
    )
    service_token = Unicode(
        config=True,
        help="Token this server sends to the shared service. Default: $BOOKNLP_SERVICE_TOKEN, "
        "else $JUPYTERHUB_API_TOKEN (the user's server token, so jobs are the user's).",
    )
    engines = Dict(
        config=True,
        help="Engines by name, as 'package.module:Class'. Added to the built-in ones.",
    )
    engine_options = Dict(
        config=True, help="Keyword options for each engine, by engine name (e.g. spaCy model)."
    )
    max_attempts = Integer(
        2,
        config=True,
        help="Times a job may start: one whose server (or remote worker) died under it runs "
        "again until this many starts, then fails with a message.",
    )
    retry_after_seconds = Integer(
        5, config=True, help="The Retry-After a client gets with a 503, 429 or 425."
    )
    corpus_queue_share = Float(
        0.5,
        config=True,
        help="Share of the queue's slots (max_queue_size) that corpora may hold together "
        "(at least one slot), so single jobs always get in.",
    )
    service_class = Type(
        JobService,
        klass=BaseJobService,
        config=True,
        help="The job service class: any subclass of booknlp_jupyter.jobs.BaseJobService.",
    )

    @default("data_dir")
    def _default_data_dir(self) -> str:
        return os.path.join(jupyter_data_dir(), "booknlp")

    @default("service_url")
    def _default_service_url(self) -> str:
        return os.environ.get("BOOKNLP_SERVICE_URL", "")

    @default("service_token")
    def _default_service_token(self) -> str:
        return os.environ.get("BOOKNLP_SERVICE_TOKEN") or os.environ.get("JUPYTERHUB_API_TOKEN", "")

    @validate("max_queue_size", "max_document_size", "max_concurrent_jobs", "max_attempts")
    def _positive(self, proposal):  # type: ignore[no-untyped-def]
        if proposal["value"] < 1:
            raise ValueError(f"{proposal['trait'].name} must be at least 1")
        return proposal["value"]

    @validate("corpus_queue_share")
    def _share(self, proposal):  # type: ignore[no-untyped-def]
        if not 0 < proposal["value"] <= 1:
            raise ValueError("corpus_queue_share must be in (0, 1]")
        return proposal["value"]

    def service_config(self) -> ServiceConfig:
        """The service's settings, each from the trait of the same name."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(ServiceConfig)}
        values.update(
            data_dir=Path(self.data_dir),
            engines={**BUILTIN_ENGINES, **self.engines},
            redis_url=self.redis_url or None,
        )
        return ServiceConfig(**values)

    def current_activity(self) -> bool:
        """Jobs running or waiting keep the server from shutting down for inactivity
        (``ServerApp.shutdown_no_activity_timeout``)."""
        return self.service is not None and self.service.busy

    def initialize_settings(self) -> None:
        base_url = self.serverapp.base_url if self.serverapp else "/"
        api_url = url_path_join(base_url, self.url_prefix, "v1").rstrip("/")
        self._started = False
        if self.service_url:
            self.service = None
            self.corpora = None
            self.settings.update(
                booknlp_api_url=api_url,
                booknlp_service_url=self.service_url,
                booknlp_max_document_size=self.max_document_size,
                booknlp_service_token=self.service_token,
            )
            self.log.info(
                "BookNLP API at %s forwards to the service at %s", api_url, self.service_url
            )
            return
        config = self.service_config()
        self.service = self.service_class(config)
        root_dir = self.serverapp.root_dir if self.serverapp is not None else os.getcwd()
        self.corpora = CorpusService(
            self.service, root_dir, config.data_dir, self.corpus_queue_share
        )
        self.settings.update(
            booknlp_service=self.service,
            booknlp_corpora=self.corpora,
            booknlp_api_url=api_url,
            booknlp_max_document_size=self.max_document_size,
            booknlp_sync_max_document_size=self.sync_max_document_size,
            booknlp_sync_timeout_seconds=self.sync_timeout_seconds,
            booknlp_per_user_jobs=self.per_user_jobs,
            booknlp_admin_users=set(self.admin_users),
            booknlp_admin_scope=self.admin_scope,
        )
        if self.serverapp is not None:
            times = self.serverapp.web_app.settings.setdefault("last_activity_times", {})

            def running() -> None:
                times["booknlp"] = utcnow()

            self.service.on_activity = running
        self.log.info(
            "BookNLP jobs at %s (data in %s)", self.settings["booknlp_api_url"], self.data_dir
        )
        self._start_task: asyncio.Task[None] | None = None
        try:  # already inside a running loop (e.g. pytest-jupyter): start now
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._start_task = loop.create_task(self._start_service())

    async def _start_service(self) -> None:
        if self._started or self.service is None:
            return
        self._started = True
        try:
            await self.service.start()
            await self.corpora.start()
        except Exception:
            self.log.exception("the BookNLP job service failed to start")
            raise

    def initialize_handlers(self) -> None:
        if self.service_url:
            self.handlers.extend(proxy_handlers(self.url_prefix))
        else:
            self.handlers.extend(api_handlers(self.url_prefix))

    async def _start_jupyter_server_extension(self, serverapp) -> None:  # type: ignore[no-untyped-def]
        await self._start_service()

    async def stop_extension(self) -> None:
        if self._started and self.service is not None:
            await self.corpora.stop()
            await self.service.stop()
