"""Helpers for this repository's tests and benchmarks (``tests/``, ``bench/``), run from a
checkout: polling with a deadline, a Server-Sent Events reader, and real processes on
loopback (``booknlp-jupyter serve``, ``jupyter server`` and its kernels, redis-server, remote
workers). The package itself never imports this."""

from .notebook import JupyterServer, Kernel
from .processes import ROOT, ManagedProcess, RedisServer, free_port, port_open, stop_group
from .servers import RemoteWorker, ServerProcess
from .sse import Event, job_states, parse_events, read_events
from .waiting import WaitTimeout, wait_until, wait_until_async

__all__ = [
    "ROOT",
    "Event",
    "JupyterServer",
    "Kernel",
    "ManagedProcess",
    "RedisServer",
    "RemoteWorker",
    "ServerProcess",
    "WaitTimeout",
    "free_port",
    "job_states",
    "parse_events",
    "port_open",
    "read_events",
    "stop_group",
    "wait_until",
    "wait_until_async",
]
