"""Real server processes for tests: ``booknlp-jupyter serve`` on a free loopback port.

The classes live in `booknlp_jupyter.testing` (shared with ``bench/``); re-exported here."""

from __future__ import annotations

from booknlp_jupyter.testing.processes import (
    ROOT,
    ManagedProcess,
    RedisServer,
    free_port,
    port_open,
    stop_group,
)
from booknlp_jupyter.testing.servers import RemoteWorker, ServerProcess
from booknlp_jupyter.testing.waiting import wait_until, wait_until_async

__all__ = [
    "ROOT",
    "ManagedProcess",
    "RedisServer",
    "RemoteWorker",
    "ServerProcess",
    "free_port",
    "port_open",
    "stop_group",
    "wait_until",
    "wait_until_async",
]
