"""Jobs per minute with one and with two remote workers (lite engine), and the
per-job overhead of the Redis path beside a local worker (instant engine), same run.

Needs `redis-server`. Measures and prints; asserts nothing.

    .venv/bin/python bench/remote_workers.py [--jobs 8]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from booknlp_jupyter.testing import (
    ROOT,
    RedisServer,
    RemoteWorker,
    ServerProcess,
    wait_until,
)

ENGINES = {"controlled": "tests.engines:ControlledEngine", "instant": "tests.engines:InstantEngine"}
TEXT = (ROOT / "tests" / "fixtures" / "usher.txt").read_text(encoding="utf-8")


def _worker(url: str, name: str, config: Path, tmp: Path) -> RemoteWorker:
    return RemoteWorker(url, name, config, tmp / f"{name}.log").start()


def _workers_alive(server: ServerProcess, n: int) -> None:
    wait_until(
        lambda: (
            len([w for w in server.request("GET", "/jobs/stats")[1]["workers"] if w["alive"]]) >= n
        ),
        120,
        f"{n} workers to register",
        interval=0.1,
    )


def _batch(server: ServerProcess, texts: list[str], model: str) -> float:
    start = time.monotonic()
    ids = [server.request("POST", "/jobs", {"text": t, "model": model})[1]["job_id"] for t in texts]
    for job_id in ids:
        assert server.wait(job_id, timeout=1800)["status"] == "completed"
    return time.monotonic() - start


def _latencies(server: ServerProcess, n: int) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.monotonic()
        job = server.request(
            "POST", "/jobs", {"text": f"instant {i} {time.time()}", "model": "instant"}
        )[1]
        server.wait(job["job_id"])
        out.append((time.monotonic() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=8)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="booknlp-remote-bench-"))
    redis = RedisServer(tmp / "redis.log").start()
    url = redis.url
    config = tmp / "worker.py"
    config.write_text(f"c.BookNLPApp.engines = {ENGINES!r}\n")
    procs = [_worker(url, "w1", config, tmp)]
    remote = ServerProcess(
        tmp / "remote",
        engines=ENGINES,
        default_model="lite",
        max_queue_size=100,
        extra_config=f"c.BookNLPApp.redis_url = {url!r}\n",
    ).start()
    local = ServerProcess(
        tmp / "local", engines=ENGINES, default_model="lite", max_queue_size=100
    ).start()
    try:
        _workers_alive(remote, 1)
        _batch(remote, [TEXT + "\nwarm-up"], "lite")  # load spaCy in the worker
        one = _batch(remote, [f"{TEXT}\n{i} one" for i in range(args.jobs)], "lite")
        procs.append(_worker(url, "w2", config, tmp))
        _workers_alive(remote, 2)
        _batch(remote, [TEXT + "\nwarm-up two", TEXT + "\nwarm-up three"], "lite")
        two = _batch(remote, [f"{TEXT}\n{i} two" for i in range(args.jobs)], "lite")
        remote_lat, local_lat = _latencies(remote, 30), _latencies(local, 30)
    finally:
        remote.stop()
        local.stop()
        for p in [*procs, redis]:
            p.kill9(group=True)
    print(f"\nlite engine, {args.jobs} jobs of {len(TEXT):,} characters each\n")
    print("| workers | seconds | jobs/min |")
    print("|---:|---:|---:|")
    print(f"| 1 | {one:.1f} | {args.jobs / one * 60:.1f} |")
    print(f"| 2 | {two:.1f} | {args.jobs / two * 60:.1f} |")
    print(f"\ntwo workers / one: {one / two:.2f}x")
    print(
        f"\nper-job overhead, instant engine (submit → completed, median of 30): "
        f"Redis workers {statistics.median(remote_lat):.1f} ms, local worker "
        f"{statistics.median(local_lat):.1f} ms"
    )


if __name__ == "__main__":
    main()
