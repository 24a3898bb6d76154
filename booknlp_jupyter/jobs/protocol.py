"""What the job service and its workers say to each other, local or remote.

A worker handle (`WorkerHandle`: a spawned `worker.WorkerProcess`, or a
`remote.RemoteSlot` for a machine behind Redis) takes a `JobOrder` and reports back,
on the server's event loop, with the typed messages below. The dispatcher matches on
their class, never on tuples or strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class JobOrder:
    """One job handed to a worker: what to run, where its text is, where to write."""

    job_id: str
    model: str
    pipeline: list[str]
    input_path: str
    result_path: str


@dataclass(frozen=True)
class Ready:
    """The worker can take jobs (``info``: pid, engines' facts so far)."""

    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Capacity:
    """The set of workers changed, or one became free: try to dispatch."""


@dataclass(frozen=True)
class Progress:
    """``fraction`` (0..1) of the job is done; ``stage`` runs now."""

    job_id: str
    fraction: float
    stage: str | None = None


@dataclass(frozen=True)
class Done:
    """The job's result is on disk, at its order's ``result_path``."""

    job_id: str
    token_count: int
    etag: str
    processing_time_ms: int


@dataclass(frozen=True)
class Failed:
    """The engine failed on this job; ``message`` says why. The worker lives on."""

    job_id: str
    message: str


@dataclass(frozen=True)
class Died:
    """The worker itself ended (crash, OOM kill, kill for a deadline or a force cancel)
    while running ``job_id`` (None: it was idle). The handle restarts on `start`."""

    job_id: str | None
    reason: str


@dataclass(frozen=True)
class Lost:
    """The transport forgot the job (e.g. Redis restarted without persistence): the
    job was not at fault, so it runs again without counting as an attempt."""

    job_id: str
    reason: str


WorkerMessage = Ready | Capacity | Progress | Done | Failed | Died | Lost

#: Called on the event loop with the handle a message is about (None: the pool).
OnMessage = Callable[["WorkerHandle | None", WorkerMessage], None]


class WorkerHandle(Protocol):
    """The service's view of one worker's capacity (one job at a time)."""

    #: The job it runs now, or None.
    job_id: str | None
    #: Facts for /v1/ready and the stats: pid, engines (device, versions, models).
    info: dict[str, Any]
    #: A job whose worker died may run again (a lost remote machine), up to the
    #: service's ``max_attempts``; a local worker's death fails its job.
    retry_on_death: bool

    @property
    def ready(self) -> bool: ...

    @property
    def alive(self) -> bool: ...

    @property
    def idle(self) -> bool:
        """Ready, alive and running nothing."""
        ...

    def start(self) -> None:
        """Start (or restart) the worker."""

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker (blocking: called from a thread)."""

    def run(self, order: JobOrder) -> None:
        """Start a job; raises OSError if the worker is already gone."""

    def kill(self, reason: str) -> None:
        """Stop the running job now; it ends with ``reason`` (a `Died` or `Failed`)."""
