"""GPU workers on other machines: jobs carried over Redis by RQ.

The service keeps the queue (FIFO, fairness, cancel) in its own job store, the one
source of truth, and hands a job to Redis only when a worker is free, so RQ's own
queue never holds more than can run now.

Worker side: ``booknlp-jupyter worker --redis-url ...`` runs an RQ `SimpleWorker`
(no fork per job, so engines stay warm). It reads the job's text from Redis, runs
the engine (`runner.run_engine_job`), reports progress and watches for cancellation
in a Redis hash, writes the result files locally and then copies them into Redis file
by file; the service copies them to its disk in 1 MiB pieces, so a book's result is
never held whole in memory.

Each hand-over of a job is an *attempt* with its own id, so a run that outlives its
worker's heartbeat (or a service restart) can never mix its keys with the next run's:
it sees ``{p}:current:{job}`` name another attempt, and stops.

Redis may restart and forget everything (no persistence): workers keep heartbeating
and restart their RQ loop until it is back, a running job stops at its next progress
report, and the service, finding an attempt's keys gone, reports it `Lost` so the
job queues again without counting as an attempt.

Keys (``{p}`` is the prefix, default ``booknlp``): ``{p}:worker:{name}`` (heartbeat,
TTL 5 s), ``{p}:input:{job}``, ``{p}:current:{job}`` (the attempt that may run),
``{p}:cancel:{job}``, ``{p}:state:{attempt}`` (hash: status, worker, progress, stage,
message, ...), ``{p}:result:{attempt}:{file}``, ``{p}:events`` (pub/sub). All expire.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .protocol import Done
from .remote_pool import (
    CHUNK,
    HEARTBEAT_TTL,
    KEY_TTL,
    PREFIX,
    QUEUE,
    RemotePool,
    RemoteSlot,
    transient_errors,
)
from .runner import STOPPED, describe_error, run_engine_job

__all__ = ["RemotePool", "RemoteSlot", "run_job", "serve_worker"]

log = logging.getLogger("booknlp_jupyter")

_ENGINES: dict[str, Any] = {}  # engine name -> the warm instance
_SETTINGS: dict[str, Any] = {}  # set by serve_worker


def _register(redis: Any) -> None:
    """Say this worker is alive (its heartbeat key, TTL `HEARTBEAT_TTL`)."""
    key = f"{_SETTINGS['prefix']}:worker:{_SETTINGS['name']}"
    redis.set(key, _SETTINGS["info"], ex=HEARTBEAT_TTL)


class _Attempt:
    """One attempt's keys, as the worker running it sees them."""

    def __init__(self, redis: Any, job_id: str, attempt: str):
        self.redis, self.job_id, self.attempt = redis, job_id, attempt
        self.p = _SETTINGS["prefix"]
        self.state = f"{self.p}:state:{attempt}"

    def _keys(self) -> tuple[bytes | None, bytes | None]:
        current, cancel = self.redis.mget(
            f"{self.p}:current:{self.job_id}", f"{self.p}:cancel:{self.job_id}"
        )
        return current, cancel

    def stale(self) -> bool:
        """Cancelled, handed to another attempt, or forgotten by Redis: stop. While
        Redis cannot be reached the run goes on (it may come back with our keys)."""
        try:
            current, cancel = self._keys()
        except transient_errors():
            return False
        return cancel is not None or current is None or current.decode() != self.attempt

    def cancelled(self) -> bool:
        """This attempt is still the current one, and its cancellation was asked for."""
        current, cancel = self._keys()
        return cancel is not None and current is not None and current.decode() == self.attempt

    def write(self, **fields: Any) -> None:
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(self.state, mapping=fields)
            pipe.expire(self.state, KEY_TTL)
            pipe.execute()

    def progress(self, fraction: float, stage: str | None) -> None:
        fields: dict[str, Any] = {"progress": fraction}
        if stage:
            fields["stage"] = stage
        with contextlib.suppress(*transient_errors()):  # Redis down: the engine goes on
            self.write(**fields)

    def publish(self) -> None:
        with contextlib.suppress(*transient_errors()):
            self.redis.publish(f"{self.p}:events", self.job_id)

    def upload(self, folder: Path) -> list[str]:
        """Copy a result folder into Redis, one file at a time, in pieces."""
        files = sorted(f.name for f in folder.iterdir())
        for file in files:
            key = f"{self.p}:result:{self.attempt}:{file}"
            self.redis.set(key, b"", ex=KEY_TTL)  # APPEND keeps this expiry
            with open(folder / file, "rb") as f:
                for piece in iter(lambda f=f: f.read(CHUNK), b""):
                    self.redis.append(key, piece)
        return files


def run_job(job_id: str, attempt: str, model: str, pipeline: list[str]) -> dict[str, Any]:
    """The RQ job function: run one attempt of a BookNLP job on this worker."""
    from rq import get_current_job

    rq_job = get_current_job()
    assert rq_job is not None
    redis = rq_job.connection
    run = _Attempt(redis, job_id, attempt)
    tmp = Path(tempfile.mkdtemp(prefix="booknlp-remote-"))
    try:
        raw = redis.get(f"{run.p}:input:{job_id}")
        if raw is None or run.stale():  # cancelled while queued in RQ, or forgotten
            return {}
        _register(redis)  # before "running": the service checks the runner is alive
        run.write(status="running", worker=_SETTINGS["name"], progress=0, stage="loading")
        run.publish()
        outcome = run_engine_job(
            _ENGINES,
            _SETTINGS["registry"],
            _SETTINGS["engine_options"],
            job_id=job_id,
            model=model,
            pipeline=pipeline,
            text=lambda: raw.decode("utf-8"),
            result_path=str(tmp / "result"),
            report_progress=run.progress,
            should_stop=run.stale,
        )
        if not isinstance(outcome, Done):
            if run.cancelled():
                run.write(status="cancelled")
            elif outcome.message != STOPPED:
                run.write(status="error", message=outcome.message)
            return {}
        if run.stale():  # nobody waits for this result any more
            return {}
        files = run.upload(tmp / "result")
        info = {
            "token_count": outcome.token_count,
            "etag": outcome.etag,
            "processing_time_ms": outcome.processing_time_ms,
        }
        run.write(status="done", files=json.dumps(files), info=json.dumps(info))
        return info
    except transient_errors() as exc:  # the service finds the attempt gone and runs it again
        log.warning(
            "lost Redis while running job %s (%s); it will be handed out again", job_id, exc
        )
        return {}
    except Exception as exc:  # e.g. the result cannot be read back: the job fails
        log.exception("job %s failed", job_id)
        with contextlib.suppress(Exception):
            run.write(status="error", message=describe_error(exc))
        return {}
    finally:
        run.publish()  # errors too: the service looks at once
        shutil.rmtree(tmp, ignore_errors=True)


def _backoff(stop: threading.Event, delay: float) -> float:
    """Sleep ``delay`` (unless stopped); the next, doubled delay (at most 2 s)."""
    stop.wait(delay)
    return min(2.0, delay * 2)


def _heartbeat(redis: Any, stop: threading.Event) -> None:
    """Keep this worker registered; through Redis outages and restarts."""
    delay = 0.0
    while not stop.is_set():
        try:
            _register(redis)
        except Exception as exc:  # Redis down or restarting: try again soon
            if not delay:
                log.warning("cannot reach Redis (%s); retrying", exc)
            delay = _backoff(stop, delay or 0.25)
            continue
        if delay:
            log.info("Redis is back; worker %s registered again", _SETTINGS["name"])
        delay = 0.0
        stop.wait(1.0)


def _work(redis: Any, queue: str, stop: threading.Event) -> None:
    """Run RQ's worker loop; start a new one whenever it ends but for a stop request
    (RQ quits its loop on some Redis errors)."""
    from rq import Queue, SimpleWorker

    class Worker(SimpleWorker):
        max_connection_wait_time = 2.0  # RQ's reconnect backoff, capped

        def request_stop(self, signum: Any, frame: Any) -> None:
            stop.set()
            super().request_stop(signum, frame)

    while not stop.is_set():
        worker = None
        try:  # RQ talks to Redis from its constructor on
            worker = Worker(
                [Queue(queue, connection=redis)],
                connection=redis,
                name=f"{_SETTINGS['name']}-{uuid.uuid4().hex[:6]}",
            )
            worker.work(with_scheduler=False)
        except Exception as exc:  # Redis down at start, or during its teardown
            log.warning("the RQ worker loop ended: %s", exc)
        thread = getattr(worker, "pubsub_thread", None)
        if thread is not None:  # a teardown that failed leaves it running
            with contextlib.suppress(Exception):
                thread.stop()
        if stop.is_set():
            break
        log.warning("the RQ worker loop stopped; starting it again once Redis answers")
        delay = 0.25
        while not stop.is_set():
            try:
                redis.ping()
                break
            except Exception:
                delay = _backoff(stop, delay)


def serve_worker(
    redis_url: str,
    engines: Mapping[str, str],
    engine_options: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    name: str | None = None,
    prefix: str = PREFIX,
    queue: str = QUEUE,
) -> None:
    """Run a worker until it is stopped: register, heartbeat, take jobs from RQ."""
    from redis import Redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    from ..engines.registry import EngineRegistry

    name = name or f"{socket.gethostname()}-{os.getpid()}"
    options = {k: dict(v) for k, v in (engine_options or {}).items()}
    registry = EngineRegistry(engines)
    for n, cls in registry.classes.items():  # the instances jobs will use, kept warm
        _ENGINES[n] = cls(**options.get(n, {}))
    info = json.dumps(
        {
            "name": name,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "models": registry.models,
            "engines": {n: e.describe() for n, e in _ENGINES.items()},
        }
    )
    _SETTINGS.update(registry=registry, engine_options=options, prefix=prefix, name=name, info=info)
    # short retries: outages are handled here (the run goes on, the loop restarts)
    redis = Redis.from_url(redis_url, retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2))
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(redis, stop), name="heartbeat", daemon=True)
    beat.start()
    log.info(
        "BookNLP worker %s serving %s from Redis at %s",
        name,
        registry.models,
        redis.connection_pool.connection_kwargs.get("host", "?"),
    )
    try:
        _work(redis, queue, stop)
    finally:
        stop.set()
        beat.join(5)
        with contextlib.suppress(Exception):  # say goodbye at once, not after the TTL
            redis.delete(f"{prefix}:worker:{name}")
