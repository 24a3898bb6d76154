"""The job service's settings. The server extension fills every field from its traits
(`server.extension.BookNLPApp`), which hold the one set of defaults and their help."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ServiceConfig:
    """Limits and places; see the trait of the same name for each field's meaning."""

    data_dir: Path
    engines: Mapping[str, str]
    engine_options: Mapping[str, Mapping[str, Any]]
    max_queue_size: int
    max_document_size: int
    job_ttl_seconds: float
    job_history_seconds: float
    max_concurrent_jobs: int
    default_model: str
    job_timeout_seconds: float  # 0: no limit
    max_attempts: int
    retry_after_seconds: int
    max_pending_per_user: int  # 0: no limit
    redis_url: str | None  # jobs go to remote workers over Redis (RQ)
