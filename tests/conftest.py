"""Shared fixtures: a real Jupyter server with the extension, driven through jp_fetch; and
browser tests that skip say so loudly (or fail, with ``BOOKNLP_REQUIRE_BROWSER=1``)."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from booknlp_jupyter.testing.waiting import wait_until_async

pytest_plugins = ["pytest_jupyter.jupyter_server", "tests.lite_support"]

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
    """Small helper around jp_fetch for the BookNLP API; ``headers`` go with every request
    (e.g. another user's ``Authorization``; see `as_user`)."""

    def __init__(self, jp_fetch, serverapp, headers: dict[str, str] | None = None):
        self.jp_fetch = jp_fetch
        self.serverapp = serverapp
        self.headers = dict(headers or {})

    def as_user(self, headers: dict[str, str]) -> Api:
        """The same server, requests sent with ``headers`` too."""
        return Api(self.jp_fetch, self.serverapp, {**self.headers, **headers})

    async def call(self, method: str, *path: str, body: Any = None, **kwargs: Any):
        kwargs.setdefault("raise_error", False)
        kwargs["headers"] = {**self.headers, **(kwargs.get("headers") or {})}
        if body is not None and not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        if method in ("POST",) and body is None:
            body = ""
        if body is not None:
            kwargs["headers"].setdefault("Content-Type", "application/json")
        return await self.jp_fetch("booknlp", "v1", *path, method=method, body=body, **kwargs)

    async def json(self, method: str, *path: str, **kwargs: Any) -> tuple[int, Any]:
        r = await self.call(method, *path, **kwargs)
        return r.code, json.loads(r.body) if r.body else None

    async def submit(self, text: str, **fields: Any) -> dict[str, Any]:
        code, body = await self.json("POST", "jobs", body={"text": text, **fields})
        assert code == 200, body
        return body

    async def status(self, job_id: str) -> dict[str, Any]:
        code, body = await self.json("GET", "jobs", job_id)
        assert code == 200, body
        return body

    async def wait(
        self,
        job_id: str,
        statuses=("completed", "failed", "cancelled", "expired"),
        timeout: float = 60,
    ) -> dict[str, Any]:
        last: dict[str, Any] = {}

        async def reached() -> dict[str, Any] | None:
            last.update(await self.status(job_id))
            return dict(last) if last["status"] in statuses else None

        return await wait_until_async(
            reached,
            timeout,
            lambda: f"job {job_id} to be {'/'.join(statuses)}, still {last}",
            interval=0.02,
        )

    async def ready(self, timeout: float = 60) -> None:
        async def answered() -> bool:
            return (await self.call("GET", "ready")).code == 200

        await wait_until_async(answered, timeout, "the worker to be ready")


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


# --- The JupyterLab browser tests (tests/test_lab_ui.py) never skip quietly ---------------

LAB_TESTS = "test_lab_ui.py"
_lab_skips: list[tuple[str, str]] = []


def _browser_required() -> bool:
    return os.environ.get("BOOKNLP_REQUIRE_BROWSER") == "1"


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """A skipped lab test is recorded for the summary; with ``BOOKNLP_REQUIRE_BROWSER=1``
    (``make test``, CI) it is a failure instead."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not (report.skipped and item.path.name == LAB_TESTS):
        return
    reason = _skip_reason(report)
    _lab_skips.append((item.nodeid, reason))
    if _browser_required():
        report.outcome = "failed"
        report.longrepr = (
            f"BOOKNLP_REQUIRE_BROWSER=1, but {item.nodeid} skipped: {reason}\n"
            "install node and chromium (.ci/run does), or run with "
            "BOOKNLP_REQUIRE_BROWSER=0 to skip the browser tests knowingly"
        )


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """A banner naming every lab test that did not run, and why."""
    if not _lab_skips:
        return
    verdict = "FAILED (BOOKNLP_REQUIRE_BROWSER=1)" if _browser_required() else "SKIPPED"
    terminalreporter.write_sep(
        "!",
        f"JupyterLab browser tests {verdict}: the lab panel was NOT tested",
        red=True,
        bold=True,
    )
    for nodeid, reason in _lab_skips:
        terminalreporter.write_line(f"  {nodeid}: {reason}", red=True, bold=True)
