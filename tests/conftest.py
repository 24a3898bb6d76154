"""Shared fixtures: a real Jupyter server with the extension, driven through jp_fetch."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

pytest_plugins = ["pytest_jupyter.jupyter_server"]

TEST_ENGINES = {
    "controlled": "tests.engines:ControlledEngine",
    "instant": "tests.engines:InstantEngine",
}


def booknlp_config(tmp_path, **overrides: Any) -> dict[str, Any]:
    config = {
        "data_dir": str(tmp_path / "booknlp-data"),
        "engines": TEST_ENGINES,
        "default_model": "test",
        "job_ttl_seconds": 3600.0,
    }
    config.update(overrides)
    return config


@pytest.fixture
def booknlp_overrides() -> dict[str, Any]:
    """Override in a test module (or parametrize) to change the extension's config."""
    return {}


@pytest.fixture
def server_overrides() -> dict[str, Any]:
    """Override to add ``ServerApp`` settings."""
    return {}


@pytest.fixture
def jp_server_config(tmp_path, booknlp_overrides, server_overrides):
    return {
        "ServerApp": {"jpserver_extensions": {"booknlp_jupyter": True}, **server_overrides},
        "BookNLPApp": booknlp_config(tmp_path, **booknlp_overrides),
    }


class Api:
    """Small helper around jp_fetch for the BookNLP API."""

    def __init__(self, jp_fetch, serverapp):
        self.jp_fetch = jp_fetch
        self.serverapp = serverapp

    async def call(self, method: str, *path: str, body: Any = None, **kwargs: Any):
        kwargs.setdefault("raise_error", False)
        if body is not None and not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        if method in ("POST",) and body is None:
            body = ""
        if body is not None:
            kwargs.setdefault("headers", {}).setdefault("Content-Type", "application/json")
        return await self.jp_fetch("booknlp", "v1", *path, method=method, body=body, **kwargs)

    async def json(self, method: str, *path: str, **kwargs: Any) -> tuple[int, Any]:
        r = await self.call(method, *path, **kwargs)
        return r.code, json.loads(r.body) if r.body else None

    async def submit(self, text: str, **fields: Any) -> dict[str, Any]:
        code, body = await self.json("POST", "jobs", body={"text": text, **fields})
        assert code in (200, 202), body
        return body

    async def status(self, job_id: str) -> dict[str, Any]:
        code, body = await self.json("GET", "jobs", job_id)
        assert code == 200, body
        return body

    async def wait(self, job_id: str, statuses=("completed", "failed", "cancelled", "expired"),
                   timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            body = await self.status(job_id)
            if body["status"] in statuses:
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} still {body['status']} after {timeout}s")
            await asyncio.sleep(0.02)

    async def ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            r = await self.call("GET", "ready")
            if r.code == 200:
                return
            assert time.monotonic() < deadline, "worker never became ready"
            await asyncio.sleep(0.05)


@pytest.fixture
def api(jp_fetch, jp_serverapp, jp_asyncio_loop) -> Api:
    """The API of a server whose worker is ready."""
    api = Api(jp_fetch, jp_serverapp)
    jp_asyncio_loop.run_until_complete(api.ready())
    return api


@pytest.fixture
def gate(tmp_path):
    """A file path a ControlledEngine job waits on; call ``open_gate()`` to release it."""
    path = tmp_path / "gate"

    class Gate:
        directive = f"@gate {path}"

        def open(self) -> None:
            path.touch()

    return Gate()
