"""The worker: one spawned process that runs engines, one job at a time.

The server talks to it over a `multiprocessing` pipe, which carries the protocol's
dataclasses: the server sends a `JobOrder` (or None: stop); the worker answers
`Ready`, then `Progress` as the engine goes and a `Done` or `Failed` per job
(`runner.run_engine_job`). The result itself goes straight to disk, never through
the pipe. When the process ends, its handle reports `Died`.

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
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from .protocol import Died, JobOrder, OnMessage, Progress, Ready, WorkerMessage

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class _Facts:
    """Engine facts that follow `Ready` (for /v1/ready and the stats); kept by the
    handle, never passed on."""

    info: dict[str, Any]


def describe_exit(exitcode: int | None) -> str:
    """Say why a worker process ended, from its exit code."""
    if exitcode is None:
        return "the worker process stopped answering"
    if exitcode < 0:
        sig = signal.Signals(-exitcode)
        if sig is signal.SIGKILL:
            return "the worker process was killed (SIGKILL); it most likely ran out of memory"
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


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


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
    from .runner import run_engine_job

    registry = EngineRegistry(engines)
    instances: dict[str, Any] = {}
    lock = threading.Lock()

    def send(message: WorkerMessage | _Facts) -> None:
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
        send(_Facts({"pid": os.getpid(), "engines": dict(facts)}))

    send(Ready({"pid": os.getpid(), "engines": {}}))
    threading.Thread(target=describe, name="describe-engines", daemon=True).start()

    while True:
        try:
            order = conn.recv()
        except (EOFError, OSError):
            return
        if not isinstance(order, JobOrder):  # None: stop
            return

        def report(fraction: float, stage: str | None, job_id: str = order.job_id) -> None:
            send(Progress(job_id, fraction, stage))

        outcome = run_engine_job(
            instances,
            registry,
            engine_options,
            job_id=order.job_id,
            model=order.model,
            pipeline=order.pipeline,
            text=lambda path=order.input_path: _read_text(path),
            result_path=order.result_path,
            report_progress=report,
        )
        send(outcome)
        with contextlib.suppress(KeyError):
            name = registry.engine_name_for(order.model)
            if name in instances:
                describe([name])


# -- the parent side --------------------------------------------------------------


class WorkerProcess:
    """The server's handle on one worker process (a `protocol.WorkerHandle`).

    ``on_message`` is called on the event loop with each message from the process,
    and with `Died` when the process ends.
    """

    #: A local worker's death (crash, OOM kill) fails its job: it would likely again.
    retry_on_death = False

    def __init__(
        self,
        engines: Mapping[str, str],
        engine_options: Mapping[str, Mapping[str, Any]],
        on_message: OnMessage,
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
            target=self._read,
            args=(parent_conn, self.process),
            name="booknlp-worker-reader",
            daemon=True,
        ).start()

    def _read(self, conn: Connection, process: multiprocessing.process.BaseProcess) -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            self.loop.call_soon_threadsafe(self._dispatch, message, process)
        process.join(10)
        reason = describe_exit(process.exitcode)
        with contextlib.suppress(RuntimeError):  # the server's loop closed first
            self.loop.call_soon_threadsafe(self._died, reason, process)

    def _dispatch(self, message: WorkerMessage | _Facts, process: Any) -> None:
        if process is not self.process:  # a replaced process's last words
            return
        if isinstance(message, _Facts):
            self.info = message.info
            return
        if isinstance(message, Ready):
            self.ready, self.info = True, message.info
        self.on_message(self, message)

    def _died(self, reason: str, process: Any) -> None:
        if process is not self.process:
            return
        job_id, self.job_id, self.ready = self.job_id, None, False
        self.on_message(self, Died(job_id, self.killed_for or reason))

    def run(self, order: JobOrder) -> None:
        """Send ``order`` to the process; OSError if it is gone."""
        if self.conn is None:
            raise OSError("the worker process is not running")
        self.job_id = order.job_id
        self.conn.send(order)

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
                self.conn.send(None)
                self.process.join(timeout)
        if self.process.is_alive():
            self.killed_for = "the server stopped"
            self.process.kill()
            self.process.join(timeout)
