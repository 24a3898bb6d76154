"""The worker: one spawned process that runs engines, one job at a time.

The server talks to it over a `multiprocessing` pipe. It sends ``("run", ...)``;
the worker answers ``("progress", job_id, fraction, stage)`` as the engine goes,
then ``("done", job_id, info)`` or ``("error", job_id, message)``. The result
itself goes straight to disk (`results.write_result`), never through the pipe.

Engine instances stay alive between jobs, so models stay warm. The worker dies with
its parent (``PR_SET_PDEATHSIG`` on Linux and a watchdog thread), so a server
killed with ``-9`` leaves no process holding the GPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.2  # seconds between forwarded progress messages
_PR_SET_PDEATHSIG = 1


def describe_exit(exitcode: int | None) -> str:
    """Say why a worker process ended, from its exit code."""
    if exitcode is None:
        return "the worker process stopped answering"
    if exitcode < 0:
        sig = signal.Signals(-exitcode)
        if sig is signal.SIGKILL:
            return (
                "the worker process was killed (SIGKILL); "
                "it most likely ran out of memory"
            )
        return f"the worker process crashed ({sig.name})"
    return f"the worker process exited with code {exitcode}"


# -- the child side ---------------------------------------------------------------


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(1.0)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


class _Progress:
    """Throttled, monotonic progress messages for one job."""

    def __init__(self, send: Callable[[tuple[Any, ...]], None], job_id: str):
        self.send, self.job_id = send, job_id
        self.fraction, self.stage, self.sent_at = 0.0, None, 0.0

    def __call__(self, fraction: float, stage: str | None = None) -> None:
        fraction = min(max(float(fraction), self.fraction), 1.0)
        changed = stage is not None and stage != self.stage
        self.fraction = fraction
        if stage is not None:
            self.stage = stage
        now = time.monotonic()
        if changed or now - self.sent_at >= PROGRESS_INTERVAL:
            self.sent_at = now
            self.send(("progress", self.job_id, fraction, self.stage))


def worker_main(
    conn: Connection,
    engines: Mapping[str, str],
    engine_options: Mapping[str, Mapping[str, Any]],
    parent_pid: int,
) -> None:
    """Entry point of the worker process."""
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the server's terminal
    logging.basicConfig(level=logging.INFO, format="[booknlp worker %(process)d] %(message)s")

    from ..engines.registry import EngineRegistry
    from ..results.store import write_result

    registry = EngineRegistry(engines)
    instances: dict[str, Any] = {}
    lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with lock:  # the describing thread and the job both send
            conn.send(message)

    facts: dict[str, Any] = {}

    def describe(names: Any = None) -> None:
        """Engine facts (device, versions, loaded models) for /v1/ready and the stats.
        At start they can take seconds (importing torch), so they follow the ready
        message instead of delaying it; after each job, the used engine's are refreshed."""
        for name in names or registry.classes:
            try:
                engine = instances.get(name) or registry.classes[name](
                    **engine_options.get(name, {})
                )
                facts[name] = engine.describe()
            except Exception as exc:  # a broken engine still lets the others run
                facts[name] = {"error": f"{type(exc).__name__}: {exc}"}
        send(("info", {"pid": os.getpid(), "engines": dict(facts)}))

    send(("ready", {"pid": os.getpid(), "engines": {}}))
    threading.Thread(target=describe, name="describe-engines", daemon=True).start()

    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] == "stop":
            return
        _, job_id, model, pipeline, input_path, result_path = message
        started = time.monotonic()
        name: str | None = None
        try:
            name = registry.engine_name_for(model)
            if name not in instances:
                instances[name] = registry.classes[name](**engine_options.get(name, {}))
            engine = instances[name]
            with open(input_path, encoding="utf-8", newline="") as f:
                text = f.read()
            progress = _Progress(send, job_id)
            progress(0.0, "loading")
            engine.load(model, pipeline)
            result = engine.run(text, model=model, pipeline=pipeline, progress=progress)
            del text
            progress(progress.fraction, "saving")
            manifest = write_result(result, result_path)
            del result
            send(
                (
                    "done",
                    job_id,
                    {
                        "token_count": manifest["token_count"],
                        "etag": manifest["etag"],
                        "processing_time_ms": int((time.monotonic() - started) * 1000),
                    },
                )
            )
        except SystemExit as exc:
            send(("error", job_id, f"the engine called sys.exit({exc.code!r})"))
        except BaseException as exc:  # any engine failure fails its own job only
            log.error("job %s failed:\n%s", job_id, traceback.format_exc())
            detail = str(exc) or type(exc).__name__
            send(("error", job_id, f"{type(exc).__name__}: {detail}"[:2000]))
        if name in instances:
            describe([name])


# -- the parent side --------------------------------------------------------------


class WorkerProcess:
    """The server's handle on one worker process.

    ``on_message`` is called on the event loop with each message, and with
    ``("died", job_id_or_None, reason)`` when the process ends.
    """

    def __init__(
        self,
        engines: Mapping[str, str],
        engine_options: Mapping[str, Mapping[str, Any]],
        on_message: Callable[[WorkerProcess, tuple[Any, ...]], None],
        loop: asyncio.AbstractEventLoop,
    ):
        self.engines = dict(engines)
        self.engine_options = {k: dict(v) for k, v in engine_options.items()}
        self.on_message = on_message
        self.loop = loop
        self.process: multiprocessing.process.BaseProcess | None = None
        self.conn: Connection | None = None
        self.job_id: str | None = None
        self.ready = False
        self.info: dict[str, Any] = {}
        self.killed_for: str | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()

    @property
    def idle(self) -> bool:
        return self.ready and self.job_id is None and self.alive

    def start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent_conn, child_conn = ctx.Pipe()
        self.process = ctx.Process(
            target=worker_main,
            args=(child_conn, self.engines, self.engine_options, os.getpid()),
            name="booknlp-worker",
            daemon=True,
        )
        self.process.start()
        child_conn.close()
        self.conn = parent_conn
        self.ready, self.job_id, self.killed_for = False, None, None
        threading.Thread(
            target=self._read, args=(parent_conn, self.process), name="booknlp-worker-reader",
            daemon=True,
        ).start()

    def _read(self, conn: Connection, process: multiprocessing.process.BaseProcess) -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            self.loop.call_soon_threadsafe(self._dispatch, message)
        process.join(10)
        reason = describe_exit(process.exitcode)
        self.loop.call_soon_threadsafe(self._dispatch, ("died", reason), process)

    def _dispatch(self, message: tuple[Any, ...], process: Any = None) -> None:
        if message[0] == "died":
            if process is not self.process:  # a replaced process's last words
                return
            job_id, self.job_id, self.ready = self.job_id, None, False
            self.on_message(self, ("died", job_id, self.killed_for or message[1]))
            return
        if message[0] == "info":
            self.info = message[1]
            return
        if message[0] == "ready":
            self.ready, self.info = True, message[1]
        self.on_message(self, message)

    def run(
        self, job_id: str, model: str, pipeline: list[str], input_path: str, result_path: str
    ) -> None:
        assert self.conn is not None
        self.job_id = job_id
        self.conn.send(("run", job_id, model, list(pipeline), input_path, result_path))

    def kill(self, reason: str) -> None:
        """Kill the process now; its job ends with ``reason``."""
        self.killed_for = reason
        if self.process is not None and self.process.is_alive():
            self.process.kill()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the worker to exit; kill it if it does not."""
        if self.process is None:
            return
        with contextlib.suppress(Exception):
            if self.job_id is None and self.conn is not None:
                self.conn.send(("stop",))
                self.process.join(timeout)
        if self.process.is_alive():
            self.killed_for = "the server stopped"
            self.process.kill()
            self.process.join(timeout)
