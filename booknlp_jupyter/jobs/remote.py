"""GPU workers on other machines: jobs carried over Redis by RQ.

The service keeps the queue (FIFO, fairness, cancel) and hands a job to Redis only
when a worker is free, so RQ's own queue never holds more than can run now.

Worker side: ``booknlp-jupyter worker --redis-url ...`` runs an RQ `SimpleWorker`
(no fork per job, so engines stay warm). It reads the job's text from Redis, runs
the engine, reports progress and watches for cancellation in a Redis hash, writes the
result files locally and then copies them into Redis file by file; the service copies
them to its disk in 1 MiB pieces, so a book's result is never held whole in memory.

Each hand-over of a job is an *attempt* with its own id, so a run that outlives its
worker's heartbeat (or a service restart) can never mix its keys with the next run's:
it sees ``{p}:current:{job}`` name another attempt, and stops.

Keys (``{p}`` is the prefix, default ``booknlp``): ``{p}:worker:{name}`` (heartbeat,
TTL 5 s), ``{p}:input:{job}``, ``{p}:current:{job}`` (the attempt that may run),
``{p}:cancel:{job}``, ``{p}:state:{attempt}`` (hash: status, worker, progress, stage,
message, ...), ``{p}:result:{attempt}:{file}``, ``{p}:events`` (pub/sub). All expire.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger("booknlp_jupyter")

PREFIX = "booknlp"
QUEUE = "booknlp"
HEARTBEAT_TTL = 5
CHUNK = 1 << 20
KEY_TTL = 24 * 3600


class Cancelled(Exception):
    """Raised inside a remote job whose cancellation was requested."""


# -- the worker machine ------------------------------------------------------------

_ENGINES: dict[str, Any] = {}
_SETTINGS: dict[str, Any] = {}


def run_job(job_id: str, attempt: str, model: str, pipeline: list[str]) -> dict[str, Any]:
    """The RQ job function: run one attempt of a BookNLP job on this worker."""
    from rq import get_current_job

    from ..engines.registry import EngineRegistry
    from ..results.store import write_result

    rq_job = get_current_job()
    assert rq_job is not None
    redis = rq_job.connection
    p, name = _SETTINGS["prefix"], _SETTINGS["name"]
    state = f"{p}:state:{attempt}"

    def stale() -> bool:
        """Cancelled, or handed to another attempt since: stop."""
        current, cancel = redis.mget(f"{p}:current:{job_id}", f"{p}:cancel:{job_id}")
        return cancel is not None or current is None or current.decode() != attempt

    if stale():  # cancelled while still queued in RQ
        return {}
    redis.hset(state, mapping={"status": "running", "worker": name, "progress": 0,
                               "stage": "loading"})
    redis.expire(state, KEY_TTL)
    redis.publish(f"{p}:events", job_id)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="booknlp-remote-"))
    try:
        registry = EngineRegistry(_SETTINGS["engines"])
        engine_name = registry.engine_name_for(model)
        if engine_name not in _ENGINES:
            options = _SETTINGS["engine_options"].get(engine_name, {})
            _ENGINES[engine_name] = registry.classes[engine_name](**options)
        engine = _ENGINES[engine_name]
        text = (redis.get(f"{p}:input:{job_id}") or b"").decode("utf-8")
        last = [0.0, 0.0]

        def progress(fraction: float, stage: str | None = None) -> None:
            now = time.monotonic()
            if now - last[0] < 0.2 and stage is None:
                return
            last[0], last[1] = now, max(last[1], float(fraction))
            if stale():
                raise Cancelled("cancelled")
            fields: dict[str, Any] = {"progress": last[1]}
            if stage:
                fields["stage"] = stage
            redis.hset(state, mapping=fields)

        engine.load(model, pipeline)
        result = engine.run(text, model=model, pipeline=pipeline, progress=progress)
        del text
        redis.hset(state, mapping={"stage": "saving"})
        manifest = write_result(result, tmp / "result")
        del result
        files = sorted(f.name for f in (tmp / "result").iterdir())
        for file in files:  # one file at a time, in pieces
            key = f"{p}:result:{attempt}:{file}"
            redis.set(key, b"", ex=KEY_TTL)  # APPEND keeps this expiry
            with open(tmp / "result" / file, "rb") as f:
                for piece in iter(lambda f=f: f.read(CHUNK), b""):
                    redis.append(key, piece)
        info = {"token_count": manifest["token_count"], "etag": manifest["etag"],
                "processing_time_ms": int((time.monotonic() - started) * 1000)}
        redis.hset(state, mapping={"status": "done", "files": json.dumps(files),
                                   "info": json.dumps(info)})
        redis.publish(f"{p}:events", job_id)
        return info
    except Cancelled:
        redis.hset(state, mapping={"status": "cancelled"})
        redis.publish(f"{p}:events", job_id)
        return {}
    except SystemExit as exc:
        redis.hset(state, mapping={"status": "error",
                                   "message": f"the engine called sys.exit({exc.code!r})"})
        return {}
    except Exception as exc:  # the job fails, the worker lives on
        log.exception("job %s failed", job_id)
        message = f"{type(exc).__name__}: {exc or type(exc).__name__}"[:2000]
        redis.hset(state, mapping={"status": "error", "message": message})
        return {}
    finally:
        redis.publish(f"{p}:events", job_id)  # errors too: the service looks at once
        shutil.rmtree(tmp, ignore_errors=True)


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
    from rq import Queue, SimpleWorker

    from ..engines.registry import EngineRegistry

    name = name or f"{socket.gethostname()}-{os.getpid()}"
    _SETTINGS.update(engines=dict(engines), engine_options=dict(engine_options or {}),
                     prefix=prefix, name=name)
    redis = Redis.from_url(redis_url)
    registry = EngineRegistry(engines)
    for n, cls in registry.classes.items():  # the instances jobs will use, kept warm
        _ENGINES[n] = cls(**(engine_options or {}).get(n, {}))
    info = json.dumps({"name": name, "pid": os.getpid(), "host": socket.gethostname(),
                       "models": registry.models,
                       "engines": {n: e.describe() for n, e in _ENGINES.items()}})

    def heartbeat() -> None:
        while True:
            redis.set(f"{prefix}:worker:{name}", info, ex=HEARTBEAT_TTL)
            time.sleep(1)

    threading.Thread(target=heartbeat, name="heartbeat", daemon=True).start()
    worker = SimpleWorker([Queue(queue, connection=redis)], connection=redis,
                          name=f"{name}-{uuid.uuid4().hex[:6]}")
    log.info("BookNLP worker %s serving %s from %s", name, registry.models, redis_url)
    worker.work(with_scheduler=False)


# -- the service side ---------------------------------------------------------------


class RemoteSlot:
    """One remote worker's capacity, as the service's dispatcher sees it."""

    retry_on_death = True  # a lost machine's job may run again elsewhere

    def __init__(self, pool: RemotePool, name: str, info: dict[str, Any]):
        self.pool, self.name, self.info = pool, name, info
        self.job_id: str | None = None
        self.attempt: str | None = None
        self.ready = True
        self.alive = True

    @property
    def idle(self) -> bool:
        return self.alive and self.job_id is None

    def run(self, job_id: str, model: str, pipeline: list[str], input_path: str,
            result_path: str) -> None:
        self.job_id, self.attempt = job_id, uuid.uuid4().hex
        self.pool.submit(self, job_id, model, pipeline, input_path, result_path)

    def kill(self, reason: str) -> None:
        """Stop this job: the worker stops at its next progress report; the service
        ends the job at once with ``reason``."""
        job_id = self.job_id
        if job_id:
            self.pool.cancel(self, job_id, reason)
            self.pool.on_message(self, ("error", job_id, reason))

    def start(self) -> None:
        """Remote workers are started on their own machines."""

    def stop(self, timeout: float = 5.0) -> None:
        """Remote workers keep running for the next service."""


class RemotePool:
    """The service's view of the workers serving a Redis queue."""

    def __init__(
        self,
        redis_url: str,
        on_message: Callable[[Any, tuple[Any, ...]], None],
        *,
        prefix: str = PREFIX,
        queue: str = QUEUE,
        poll_interval: float = 0.2,
        job_timeout: float = 4 * 3600,
    ):
        self.redis_url, self.on_message = redis_url, on_message
        self.prefix, self.queue_name = prefix, queue
        self.poll_interval, self.job_timeout = poll_interval, job_timeout
        self.slots: list[RemoteSlot] = []
        self._results: dict[str, str] = {}  # job id -> result path
        self._tasks: set[asyncio.Task[Any]] = set()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    async def start(self) -> None:
        from redis import Redis
        from redis.asyncio import Redis as AsyncRedis
        from rq import Queue

        self.redis = AsyncRedis.from_url(self.redis_url)
        self._sync_redis = Redis.from_url(self.redis_url)
        self.queue = Queue(self.queue_name, connection=self._sync_redis)
        await self.redis.ping()
        self._task = asyncio.create_task(self._poll_forever())
        self._listener = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        tasks = [t for t in (self._task, self._listener, *self._tasks) if t]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.redis.aclose()
        self._sync_redis.close()

    def _spawn(self, coro: Any, on_error: Callable[[BaseException], None] | None = None) -> None:
        """Run ``coro`` in the background, keeping a reference and reporting failures."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)

        def done(task: asyncio.Task[Any]) -> None:
            self._tasks.discard(task)
            if not task.cancelled() and task.exception() is not None:
                log.error("BookNLP remote task failed", exc_info=task.exception())
                if on_error is not None:
                    on_error(task.exception())  # type: ignore[arg-type]

        task.add_done_callback(done)

    def submit(self, slot: RemoteSlot, job_id: str, model: str, pipeline: list[str],
               input_path: str, result_path: str) -> None:
        self._results[job_id] = result_path
        attempt = slot.attempt
        assert attempt is not None

        def lost(exc: BaseException) -> None:
            if slot.job_id == job_id and slot.attempt == attempt:
                slot.job_id = slot.attempt = None
                self.on_message(slot, ("died", job_id, f"could not hand the job over: {exc}"))

        self._spawn(self._enqueue(job_id, attempt, model, pipeline, input_path), lost)

    async def _enqueue(self, job_id: str, attempt: str, model: str, pipeline: list[str],
                       input_path: str) -> None:
        p = self.prefix
        text = await asyncio.to_thread(Path(input_path).read_bytes)
        await self.redis.delete(f"{p}:cancel:{job_id}")
        await self.redis.set(f"{p}:input:{job_id}", text, ex=KEY_TTL)
        await self.redis.set(f"{p}:current:{job_id}", attempt, ex=KEY_TTL)
        await self.redis.hset(f"{p}:state:{attempt}", mapping={"status": "queued"})
        await self.redis.expire(f"{p}:state:{attempt}", KEY_TTL)
        await asyncio.to_thread(
            self.queue.enqueue, run_job, job_id, attempt, model, pipeline,
            job_id=f"{job_id}-{attempt[:12]}", result_ttl=60, failure_ttl=3600,
            job_timeout=int(self.job_timeout) if self.job_timeout else -1,
        )

    def cancel(self, slot: RemoteSlot, job_id: str, reason: str) -> None:
        attempt = slot.attempt
        slot.job_id = slot.attempt = None  # over for the service; free the capacity
        self._results.pop(job_id, None)
        self._spawn(self._reap(job_id, attempt, reason))

    async def _reap(self, job_id: str, attempt: str | None, reason: str) -> None:
        """Flag a job cancelled (its run stops at its next progress report, or before it
        starts if RQ still holds it), then clear its keys once its worker has let go."""
        p = self.prefix
        await self.redis.set(f"{p}:cancel:{job_id}", reason, ex=KEY_TTL)
        for _ in range(600):
            status = await self.redis.hget(f"{p}:state:{attempt}", "status")
            if status in (None, b"done", b"error", b"cancelled", b"queued"):
                break
            await asyncio.sleep(0.5)
        await self._cleanup(job_id, attempt)

    async def _poll_forever(self) -> None:
        while True:
            try:
                await self._poll()
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis hiccups must not end the poller
                log.exception("polling the BookNLP workers failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    async def _listen(self) -> None:
        """Wake the poller as soon as a worker says a job's state changed."""
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(f"{self.prefix}:events")
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:  # reconnect after a Redis hiccup
                log.warning("lost the BookNLP events channel; resubscribing", exc_info=True)
                await asyncio.sleep(1)

    async def _poll(self) -> None:
        p = self.prefix
        names = sorted([k.decode().split(":", 2)[2]
                        async for k in self.redis.scan_iter(f"{p}:worker:*")])
        live = {}
        for name in names:
            raw = await self.redis.get(f"{p}:worker:{name}")
            if raw:
                live[name] = json.loads(raw)
        # capacity follows the live workers
        before = len(self.slots)
        busy = [s for s in self.slots if s.job_id]
        free = [s for s in self.slots if not s.job_id]
        while len(self.slots) > len(live) and free:
            self.slots.remove(free.pop())
        for name in list(live)[: max(0, len(live) - len(self.slots))]:
            self.slots.append(RemoteSlot(self, name, live[name]))
        for slot in busy:
            await self._follow(slot, live)
        if len(self.slots) != before or any(s.idle for s in self.slots):
            self.on_message(None, ("capacity",))

    async def _follow(self, slot: RemoteSlot, live: dict[str, Any]) -> None:
        job_id, attempt = slot.job_id, slot.attempt
        assert job_id is not None and attempt is not None
        p = self.prefix
        state = {k.decode(): v.decode() for k, v in
                 (await self.redis.hgetall(f"{p}:state:{attempt}")).items()}

        def still_mine() -> bool:
            """Nothing (a cancel, a deadline) took the slot during our awaits."""
            return slot.job_id == job_id and slot.attempt == attempt

        status = state.get("status")
        if not still_mine():
            return
        if status == "running":
            worker = state.get("worker", "")
            if worker not in live:
                slot.job_id = slot.attempt = None
                await self._cleanup(job_id, attempt)
                self.on_message(slot, ("died", job_id,
                                       f"the worker {worker} stopped while running this job"))
                return
            self.on_message(slot, ("progress", job_id, float(state.get("progress", 0)),
                                   state.get("stage")))
        elif status == "done":
            await self._download(job_id, attempt, json.loads(state["files"]))
            if not still_mine():
                return
            slot.job_id = slot.attempt = None
            await self._cleanup(job_id, attempt)
            self.on_message(slot, ("done", job_id, json.loads(state["info"])))
        elif status in ("error", "cancelled"):
            slot.job_id = slot.attempt = None
            await self._cleanup(job_id, attempt)
            self.on_message(slot, ("error", job_id, state.get("message", status)))

    async def _download(self, job_id: str, attempt: str, files: list[str]) -> None:
        """Copy a result from Redis to disk in pieces, then move it into place."""
        target = Path(self._results.pop(job_id))
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            for file in files:
                key = f"{self.prefix}:result:{attempt}:{file}"
                size = await self.redis.strlen(key)
                with open(tmp / file, "wb") as out:
                    for start in range(0, size, CHUNK):
                        piece = await self.redis.getrange(key, start, start + CHUNK - 1)
                        await asyncio.to_thread(out.write, piece)
                    await asyncio.to_thread(os.fsync, out.fileno())
            if target.exists():
                shutil.rmtree(target)
            os.rename(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    async def _cleanup(self, job_id: str, attempt: str | None) -> None:
        p = self.prefix
        keys = [k async for k in self.redis.scan_iter(f"{p}:result:{attempt}:*")]
        await self.redis.delete(f"{p}:input:{job_id}", f"{p}:state:{attempt}",
                                f"{p}:current:{job_id}", *keys)
