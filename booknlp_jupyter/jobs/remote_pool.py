"""The service's side of remote workers: their capacity as `RemoteSlot` handles,
jobs handed to them over Redis (RQ), their progress and results followed by polling.

Redis errors never end a task for good: the poller and the events listener carry on
and the slots read as not alive until Redis answers again. An attempt whose keys
Redis forgot (a restart without persistence), or that could not be handed over for
a connection error, is reported `Lost`: the service queues its job again. See
`remote` for the keys and the worker's side.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .protocol import Capacity, Died, Done, Failed, JobOrder, Lost, OnMessage, Progress

log = logging.getLogger("booknlp_jupyter")

PREFIX = "booknlp"
QUEUE = "booknlp"
HEARTBEAT_TTL = 5
CHUNK = 1 << 20
KEY_TTL = 24 * 3600
REFRESH_EVERY = 3600.0  # seconds between TTL refreshes of a long-running attempt's keys
JOB_FUNCTION = "booknlp_jupyter.jobs.remote.run_job"


def transient_errors() -> tuple[type[Exception], ...]:
    """Errors that mean Redis is unreachable (or restarting), not that a job is bad."""
    from redis.exceptions import ConnectionError, TimeoutError

    return (ConnectionError, TimeoutError)


class RemoteSlot:
    """One remote worker's capacity, as the service's dispatcher sees it."""

    retry_on_death = True  # a lost machine's job may run again elsewhere

    def __init__(self, pool: RemotePool, name: str, info: dict[str, Any]):
        self.pool, self.name, self.info = pool, name, info
        self.job_id: str | None = None
        self.attempt: str | None = None
        self.order: JobOrder | None = None
        self.handed_over = False  # the attempt's keys and RQ job are in Redis
        self.refreshed_at = 0.0

    @property
    def ready(self) -> bool:
        return self.pool.healthy

    @property
    def alive(self) -> bool:
        return self.pool.healthy

    @property
    def idle(self) -> bool:
        return self.alive and self.job_id is None

    def run(self, order: JobOrder) -> None:
        self.job_id, self.attempt, self.order = order.job_id, uuid.uuid4().hex, order
        self.handed_over, self.refreshed_at = False, time.monotonic()
        self.pool.submit(self)

    def free(self) -> None:
        self.job_id = self.attempt = self.order = None
        self.handed_over = False

    def kill(self, reason: str) -> None:
        """Stop this job: the worker stops at its next progress report; the service
        ends the job at once with ``reason``."""
        job_id = self.job_id
        if job_id:
            self.pool.cancel(self, job_id, reason)
            self.pool.on_message(self, Failed(job_id, reason))

    def start(self) -> None:
        """Remote workers are started on their own machines."""

    def stop(self, timeout: float = 5.0) -> None:
        """Remote workers keep running for the next service."""


class RemotePool:
    """The service's view of the workers serving a Redis queue. ``job_timeout``
    (seconds; 0 or None: no limit) bounds a job's run in RQ."""

    def __init__(
        self,
        redis_url: str,
        on_message: OnMessage,
        *,
        prefix: str = PREFIX,
        queue: str = QUEUE,
        poll_interval: float = 0.2,
        job_timeout: float | None = None,
    ):
        self.redis_url, self.on_message = redis_url, on_message
        self.prefix, self.queue_name = prefix, queue
        self.poll_interval, self.job_timeout = poll_interval, job_timeout
        self.slots: list[RemoteSlot] = []
        self.healthy = False  # the last talk with Redis worked
        self._tasks: set[asyncio.Task[Any]] = set()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    async def start(self) -> None:
        from redis import Redis
        from redis.asyncio import Redis as AsyncRedis
        from rq import Queue

        self.redis = AsyncRedis.from_url(self.redis_url)
        self._sync_redis = Redis.from_url(self.redis_url)
        self.queue = Queue(self.queue_name, connection=self._sync_redis)
        try:
            await self.redis.ping()
            self.healthy = True
        except transient_errors() as exc:  # it may start after us: the poller waits
            log.warning("cannot reach Redis yet (%s); jobs wait until it answers", exc)
        self._task = asyncio.create_task(self._poll_forever())
        self._listener = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        self._stopping = True
        tasks = [t for t in (self._task, self._listener, *self._tasks) if t]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5.0)
        await self.redis.aclose()
        self._sync_redis.close()

    def _set_healthy(self, healthy: bool, why: object = None) -> None:
        if healthy and not self.healthy:
            log.info("Redis answers again; remote workers are back in service")
        elif not healthy and self.healthy:
            log.warning("cannot reach Redis (%s); jobs wait until it is back", why)
        self.healthy = healthy

    def _spawn(self, coro: Any, on_error: Callable[[BaseException], None] | None = None) -> None:
        """Run ``coro`` in the background, keeping a reference and reporting failures."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)

        def done(task: asyncio.Task[Any]) -> None:
            self._tasks.discard(task)
            if task.cancelled() or task.exception() is None:
                return
            exc = task.exception()
            assert exc is not None
            if isinstance(exc, transient_errors()):
                log.warning("a BookNLP remote task lost Redis: %s", exc)
            else:
                log.error("BookNLP remote task failed", exc_info=exc)
            if on_error is not None:
                on_error(exc)

        task.add_done_callback(done)

    def submit(self, slot: RemoteSlot) -> None:
        """Hand the slot's job to Redis as a new attempt (in the background)."""
        order, attempt = slot.order, slot.attempt
        assert order is not None and attempt is not None

        def failed(exc: BaseException) -> None:
            if slot.job_id != order.job_id or slot.attempt != attempt:
                return
            slot.free()
            if isinstance(exc, transient_errors()):  # not the job's fault: it queues again
                self._set_healthy(False, exc)
                self.on_message(slot, Lost(order.job_id, f"could not reach Redis: {exc}"))
            else:
                self.on_message(slot, Died(order.job_id, f"could not hand the job over: {exc}"))

        self._spawn(self._enqueue(slot, order, attempt), failed)

    async def _enqueue(self, slot: RemoteSlot, order: JobOrder, attempt: str) -> None:
        p, job_id = self.prefix, order.job_id
        text = await asyncio.to_thread(Path(order.input_path).read_bytes)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(f"{p}:cancel:{job_id}")
            pipe.set(f"{p}:input:{job_id}", text, ex=KEY_TTL)
            pipe.set(f"{p}:current:{job_id}", attempt, ex=KEY_TTL)
            pipe.hset(f"{p}:state:{attempt}", mapping={"status": "queued"})
            pipe.expire(f"{p}:state:{attempt}", KEY_TTL)
            await pipe.execute()
        del text
        await asyncio.to_thread(
            self.queue.enqueue,
            JOB_FUNCTION,
            job_id,
            attempt,
            order.model,
            list(order.pipeline),
            job_id=f"{job_id}-{attempt[:12]}",
            result_ttl=60,
            failure_ttl=3600,
            job_timeout=math.ceil(self.job_timeout) if self.job_timeout else -1,
        )
        if slot.job_id == job_id and slot.attempt == attempt:
            slot.handed_over = True

    def cancel(self, slot: RemoteSlot, job_id: str, reason: str) -> None:
        attempt = slot.attempt
        slot.free()  # over for the service; free the capacity
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
        while not self._stopping:  # (a cancel that wait_for swallowed still stops it)
            try:
                await self._poll()
            except asyncio.CancelledError:
                raise
            except transient_errors() as exc:  # Redis down or restarting: try again
                self._set_healthy(False, exc)
            except Exception:  # nothing ends the poller
                log.exception("polling the BookNLP workers failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_interval):
                    await self._wake.wait()

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
            except Exception as exc:  # reconnect after a Redis hiccup
                log.info("lost the BookNLP events channel (%s); resubscribing", exc)
                await asyncio.sleep(1)

    async def _poll(self) -> None:
        p = self.prefix
        keys = sorted({k async for k in self.redis.scan_iter(f"{p}:worker:*")})
        values = await self.redis.mget(keys) if keys else []
        live = {
            k.decode().split(":", 2)[2]: json.loads(v)
            for k, v in zip(keys, values, strict=True)
            if v
        }
        was_healthy = self.healthy
        self._set_healthy(True)
        # capacity follows the live workers
        before = len(self.slots)
        busy = [s for s in self.slots if s.job_id]
        free = [s for s in self.slots if not s.job_id]
        while len(self.slots) > len(live) and free:
            self.slots.remove(free.pop())
        for name in list(live)[: max(0, len(live) - len(self.slots))]:
            self.slots.append(RemoteSlot(self, name, live[name]))
        for slot in busy:
            if slot.handed_over:
                await self._follow(slot, live)
        if len(self.slots) != before or not was_healthy or any(s.idle for s in self.slots):
            self.on_message(None, Capacity())

    async def _follow(self, slot: RemoteSlot, live: dict[str, Any]) -> None:
        job_id, attempt = slot.job_id, slot.attempt
        assert job_id is not None and attempt is not None
        p = self.prefix
        current = await self.redis.get(f"{p}:current:{job_id}")
        state = {
            k.decode(): v.decode()
            for k, v in (await self.redis.hgetall(f"{p}:state:{attempt}")).items()
        }

        def still_mine() -> bool:
            """Nothing (a cancel, a deadline) took the slot during our awaits."""
            return slot.job_id == job_id and slot.attempt == attempt

        if not still_mine():
            return
        status = state.get("status")
        if current != attempt.encode() or status is None:  # Redis forgot the attempt
            await self._end(slot, Lost(job_id, "Redis forgot the job (it restarted?)"))
        elif status == "running":
            worker = state.get("worker", "")
            if worker not in live:
                await self._end(
                    slot, Died(job_id, f"the worker {worker} stopped while running this job")
                )
                return
            await self._refresh(slot, job_id, attempt)
            self.on_message(
                slot, Progress(job_id, float(state.get("progress", 0)), state.get("stage"))
            )
        elif status == "done":
            order = slot.order
            assert order is not None
            await self._download(order.result_path, attempt, json.loads(state["files"]))
            if not still_mine():
                return
            info = json.loads(state["info"])
            await self._end(
                slot,
                Done(
                    job_id,
                    token_count=info["token_count"],
                    etag=info["etag"],
                    processing_time_ms=info["processing_time_ms"],
                ),
            )
        elif status in ("error", "cancelled"):
            await self._end(slot, Failed(job_id, state.get("message", status)))

    async def _end(self, slot: RemoteSlot, message: Done | Failed | Died | Lost) -> None:
        """Free the slot, clear its attempt's keys (before the job can be handed out
        again under the same ``current`` key), then tell the service."""
        job_id, attempt = slot.job_id, slot.attempt
        assert job_id is not None
        slot.free()
        try:
            await self._cleanup(job_id, attempt)
        except Exception as exc:  # the keys expire on their own; the job must go on
            log.warning("could not clear the Redis keys of job %s: %s", job_id, exc)
        self.on_message(slot, message)

    async def _refresh(self, slot: RemoteSlot, job_id: str, attempt: str) -> None:
        """Keep a long run's keys from expiring under it (runs may have no deadline)."""
        if time.monotonic() - slot.refreshed_at < REFRESH_EVERY:
            return
        slot.refreshed_at = time.monotonic()
        p = self.prefix
        for key in (f"{p}:current:{job_id}", f"{p}:input:{job_id}", f"{p}:state:{attempt}"):
            await self.redis.expire(key, KEY_TTL)

    async def _download(self, result_path: str, attempt: str, files: list[str]) -> None:
        """Copy a result from Redis to disk in pieces, then move it into place."""
        target = Path(result_path)
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
        await self.redis.delete(
            f"{p}:input:{job_id}", f"{p}:state:{attempt}", f"{p}:current:{job_id}", *keys
        )
