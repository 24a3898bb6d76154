"""Child processes for tests and benchmarks: each in its own session (so its children go
with it), its output in a log file, started once it answers (`ManagedProcess`), and
redis-server on a free loopback port (`RedisServer`)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Self

from .waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]  # the checkout: tests/ and bench/ live here


def free_port() -> int:
    """A TCP port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on ``host:port``."""
    with socket.socket() as s:
        return s.connect_ex((host, port)) == 0


def _killpg(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def stop_group(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM a process started with ``start_new_session=True`` and its whole group;
    SIGKILL the group if the process is not gone within ``timeout`` seconds, and SIGKILL
    whatever of the group outlived it."""
    if proc.poll() is None:
        _killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    _killpg(proc.pid, signal.SIGKILL)  # children that ignored SIGTERM


class ManagedProcess:
    """A command run in its own session and process group, stdout and stderr appended to
    ``log``. `start` returns once `ready` is true (or raises with the log's tail if the
    process exits or the wait times out); `stop` ends the whole group; `kill9` kills the
    process alone (its children must notice by themselves). `start` again restarts it."""

    name = "process"
    start_timeout: float = 60
    stop_timeout: float = 20
    ready_errors: tuple[type[BaseException], ...] = (OSError,)  # "not ready yet"

    def __init__(
        self,
        args: Sequence[str],
        log: Path,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path = ROOT,
    ):
        self.args = list(args)
        self.log = Path(log)
        self.env = dict(os.environ if env is None else env)
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None

    def ready(self) -> bool:
        """Whether the process serves yet (override; the default: it is running)."""
        return True

    @property
    def pid(self) -> int:
        assert self.proc is not None, f"{self.name} was never started"
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail(self, chars: int = 3000) -> str:
        """The end of the log."""
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""

    def _ready_or_exited(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with {self.proc.returncode}; {self.log}:\n{self.tail()}"
            )
        return self.ready()

    def start(self, timeout: float | None = None) -> Self:
        """Start the command and wait until it is ready."""
        assert not self.alive, f"{self.name} is already running"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                self.args,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until(
                self._ready_or_exited,
                self.start_timeout if timeout is None else timeout,
                lambda: f"{self.name} to be ready; {self.log}:\n{self.tail()}",
                interval=0.1,
                ignore=self.ready_errors,
            )
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout: float | None = None) -> None:
        """SIGTERM the process group, SIGKILL it after ``timeout`` (`stop_timeout`)."""
        if self.proc is not None:
            stop_group(self.proc, self.stop_timeout if timeout is None else timeout)

    def kill9(self, group: bool = False) -> None:
        """SIGKILL the process (``group``: its whole process group) and reap it."""
        assert self.proc is not None, f"{self.name} was never started"
        if group:
            _killpg(self.proc.pid, signal.SIGKILL)
        else:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        self.proc.wait(10)


class RedisServer(ManagedProcess):
    """``redis-server`` on a free loopback port, without persistence: after `kill9` and
    `start` it is a new, empty Redis on the same port."""

    name = "redis-server"
    start_timeout = 20

    def __init__(self, log: Path, port: int | None = None):
        self.port = port or free_port()
        super().__init__(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            log,
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ready(self) -> bool:
        return port_open(self.port)
