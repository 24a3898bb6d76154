"""API latency while a job runs, beside jupyter_server's own /api/status, same run.

Starts a real server (``booknlp-jupyter serve``) on loopback with engines from
tests/engines.py: one job holds the worker busy while we time, in interleaved
rounds, ``GET /v1/jobs/{id}``, ``GET /v1/jobs/stats`` and ``GET /api/status``.
Then the median submit → running latency with an instant engine, from the server's
own timestamps. It measures and prints; it asserts nothing.

    .venv/bin/python bench/api_latency.py [--requests 1000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

from booknlp_jupyter.testing import ServerProcess, wait_until


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--submits", type=int, default=50)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="booknlp-bench-"))
    gate = tmp / "gate"
    engines = {
        "controlled": "tests.engines:ControlledEngine",
        "instant": "tests.engines:InstantEngine",
    }
    server = ServerProcess(tmp / "data", engines=engines, max_queue_size=1000).start()
    headers = {"Authorization": f"token {server.token}"}
    base = f"http://127.0.0.1:{server.port}"
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            job = client.post("/v1/jobs", json={"text": f"@gate {gate}\nbusy"}).json()
            wait_until(
                lambda: client.get(f"/v1/jobs/{job['job_id']}").json()["status"] == "running",
                60,
                "the busy job to run",
                interval=0.01,
            )
            targets = {
                "GET /v1/jobs/{id}": f"/v1/jobs/{job['job_id']}",
                "GET /v1/jobs/stats": "/v1/jobs/stats",
                "GET /api/status (jupyter_server)": "/api/status",
            }
            timings: dict[str, list[float]] = {k: [] for k in targets}
            for _ in range(50):  # warm up
                for path in targets.values():
                    client.get(path)
            for _ in range(args.requests):
                for name, path in targets.items():
                    t0 = time.perf_counter()
                    r = client.get(path)
                    timings[name].append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200, r.text
            gate.touch()

            lags, posts = [], []
            for i in range(args.submits):
                t0 = time.perf_counter()
                r = client.post("/v1/jobs", json={"text": f"instant {i}", "model": "instant"})
                posts.append((time.perf_counter() - t0) * 1000)
                body = server.wait(r.json()["job_id"])
                started = datetime.fromisoformat(body["started_at"].replace("Z", "+00:00"))
                submitted = datetime.fromisoformat(body["submitted_at"].replace("Z", "+00:00"))
                lags.append((started - submitted).total_seconds() * 1000)
    finally:
        server.stop()

    ref = timings["GET /api/status (jupyter_server)"]
    print(f"\nAPI latency while a job runs ({args.requests} requests each, interleaved)\n")
    print("| endpoint | p50 ms | p99 ms | p99 vs /api/status |")
    print("|---|---:|---:|---:|")
    for name, values in timings.items():
        print(
            f"| {name} | {_pct(values, 0.5):.2f} | {_pct(values, 0.99):.2f} | "
            f"{_pct(values, 0.99) / _pct(ref, 0.99):.2f}x |"
        )
    print(
        f"\nSubmit → running with an instant engine ({args.submits} jobs): "
        f"median {statistics.median(lags):.2f} ms (server timestamps), "
        f"p99 {_pct(lags, 0.99):.2f} ms; POST round trip median "
        f"{statistics.median(posts):.2f} ms"
    )


if __name__ == "__main__":
    main()
