"""The small client against a real server process."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import Future

import httpx
import pytest

from booknlp_jupyter._common import EventParser
from booknlp_jupyter.client import BookNLPError, Client
from booknlp_jupyter.engines import Engine

from .procs import ServerProcess


class NotInstalledEngine(Engine):
    """Serves a model whose files are missing (so it is listed but not available)."""

    name = "not-installed"
    models = ("absent",)

    @classmethod
    def unavailable_reason(cls, model, options):
        return "its model files are not installed"

    def run(self, text, *, model, pipeline, progress):
        raise AssertionError("an unavailable model ran")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = ServerProcess(
        tmp_path_factory.mktemp("client") / "data",
        token="client-t",
        engines={
            "controlled": "tests.engines:ControlledEngine",
            "absent": "tests.test_client:NotInstalledEngine",
        },
    ).start()
    yield server
    server.stop()


def until(predicate, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not (found := predicate()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return found


@pytest.mark.slow
def test_submit_wait_frames(server, monkeypatch):
    monkeypatch.setenv("BOOKNLP_URL", server.url)
    monkeypatch.setenv("BOOKNLP_TOKEN", server.token)
    client = Client()
    assert client.ready()["ready"]
    job = client.submit("@sleep 0.3\nMr Darcy met Elizabeth", book_id="pp")
    states = []
    final = job.wait(progress=states.append)
    assert final["status"] == "completed" and states[-1]["progress"] == 100
    assert [s["progress"] for s in states] == sorted(s["progress"] for s in states)
    frames = job.frames()
    assert list(frames["tokens"]["word"]) == ["Mr", "Darcy", "met", "Elizabeth"]
    assert str(frames["tokens"]["byte_onset"].dtype) == "Int64"
    assert str(frames["quotes"]["char_id"].dtype) == "Int64"
    assert frames["quotes"]["char_id"].isna().all()
    assert set(frames["characters"]["name"]) == {"Mr", "Darcy", "Elizabeth"}


@pytest.mark.slow
def test_errors_carry_status_and_detail(server):
    client = Client(server.url, server.token)
    with pytest.raises(BookNLPError) as err:
        client.submit("")
    assert err.value.status_code == 400 and "text" in err.value.detail


def test_discovery_says_what_it_tried(monkeypatch, tmp_path):
    for var in ("BOOKNLP_URL", "JPY_PARENT_PID", "JUPYTERHUB_SERVICE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    with pytest.raises(BookNLPError) as err:
        Client()
    assert "BOOKNLP_URL" in err.value.detail and "JUPYTERHUB_SERVICE_URL" in err.value.detail
    monkeypatch.setenv("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:1/user/ada/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hub-token")
    assert Client.discover() == ("http://127.0.0.1:1/user/ada/booknlp/v1", "hub-token")


@pytest.mark.slow
def test_async_client_and_awaitable_handles(server):
    import asyncio

    from booknlp_jupyter.client import AsyncClient

    async def main():
        async with AsyncClient(server.url, server.token) as client:
            job = await client.submit("@sleep 0.3\nAnne met Wentworth", book_id="persuasion")
            states = []
            final = await job.wait(states.append)
            frames = await job.frames()
            sync_job = Client(server.url, server.token).job(job.job_id)
            return final, states, frames, await sync_job, await job

    final, states, frames, awaited_sync, awaited = asyncio.run(main())
    assert final["status"] == awaited_sync["status"] == awaited["status"] == "completed"
    assert any(s["status"] == "running" for s in states)
    assert list(frames.tokens["word"]) == ["Anne", "met", "Wentworth"]
    assert str(frames.tokens["sentence_ID"].dtype) == "Int32"


def test_discovery_hub_bind_url_and_prefix(monkeypatch, tmp_path):
    for var in ("BOOKNLP_URL", "JPY_PARENT_PID", "BOOKNLP_PREFIX"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("JUPYTERHUB_SERVICE_URL", "http://:8888")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/bo/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "t")
    assert Client.discover() == ("http://127.0.0.1:8888/user/bo/booknlp/v1", "t")
    monkeypatch.setenv("BOOKNLP_PREFIX", "nlp/v1")
    assert Client.discover("mine") == ("http://127.0.0.1:8888/user/bo/nlp/v1", "mine")


@pytest.mark.slow
def test_wait_on_an_unknown_job_raises_booknlp_error(server):
    import asyncio

    from booknlp_jupyter.client import AsyncClient

    job = Client(server.url, server.token).job("no-such-job")
    with pytest.raises(BookNLPError) as err:
        job.wait()  # the event stream's 404, read before it is checked
    assert err.value.status_code == 404
    with pytest.raises(BookNLPError) as err:
        list(job.events())
    assert err.value.status_code == 404

    async def main():
        async with AsyncClient(server.url, server.token) as client:
            await client.job("no-such-job").wait()

    with pytest.raises(BookNLPError) as err:
        asyncio.run(main())
    assert err.value.status_code == 404


@pytest.mark.slow
def test_wait_timeout_is_kept_while_the_stream_is_open(server, gate):
    import asyncio
    import time

    from booknlp_jupyter.client import AsyncClient

    client = Client(server.url, server.token)
    job = client.submit(f"{gate.directive}\nheld", book_id="held")
    try:
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            job.wait(timeout=0.5)  # keep-alives come only every 15 s
        assert time.monotonic() - start < 5

        async def main():
            async with AsyncClient(server.url, server.token) as aio:
                await aio.job(job.job_id).wait(timeout=0.5)

        start = time.monotonic()
        with pytest.raises(TimeoutError):
            asyncio.run(main())
        assert time.monotonic() - start < 5
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            asyncio.run(job.wait_async(timeout=0.5))
        assert time.monotonic() - start < 5
    finally:
        gate.open()
    assert job.wait(timeout=60)["status"] == "completed"


def test_event_parser_reads_whole_events():
    raw = (
        b': keep-alive\n\nevent: job\ndata: {"status": "pending"}\n\n'
        b"event: other\ndata: 1\n\n"  # not a job event
        b'data: {"a":\r\ndata:1}\r\n\r\n'  # unnamed, two data lines, CRLF
        b'event: job\ndata: {"status": "completed"}\n'
    )  # not ended by a blank line
    parser = EventParser()
    lines = httpx.Response(200, content=raw).iter_lines()
    assert [s for line in lines if (s := parser.feed(line)) is not None] == [
        {"status": "pending"},
        {"a": 1},
    ]


@pytest.mark.slow
def test_a_repeated_request_is_a_new_job_that_reuses_the_result(server):
    client = Client(server.url, server.token)
    first = client.submit("Emma met Knightley", book_id="first")
    assert first.wait(timeout=60)["status"] == "completed" and first.reused_from is None
    again = client.submit("Emma met Knightley", book_id="again")
    assert again.job_id != first.job_id
    final = again.wait(timeout=10)
    assert (final["status"], final["book_id"]) == ("completed", "again")
    assert again.reused_from == first.job_id
    assert repr(again) == f"<Job {again.job_id} completed (reused from job {first.job_id})>"
    assert list(again.frames().tokens["word"]) == ["Emma", "met", "Knightley"]
    other = client.submit("Emma met Knightley", pipeline=["entity"])  # another request
    assert other.wait(timeout=60)["status"] == "completed" and other.reused_from is None


@pytest.mark.slow
def test_models_and_available_models(server):
    client = Client(server.url, server.token)
    models, available = client.models(), client.available_models()
    assert models[0] == available[0] == "test"
    assert {"test-b", "absent"} <= set(models)
    assert "test-b" in available and "absent" not in available
    assert set(available) < set(models)


@pytest.mark.slow
def test_done_callback_without_an_event_loop(server, gate, capsys):
    job = Client(server.url, server.token).submit(f"{gate.directive}\nheld", book_id="cb")
    calls = []
    start = time.monotonic()
    future = job.add_done_callback(lambda s: calls.append((s, threading.get_ident())))
    assert isinstance(future, Future) and time.monotonic() - start < 1
    until(lambda: job.status()["status"] == "running")
    time.sleep(0.3)
    assert not calls and not future.done()
    gate.open()
    assert future.result(timeout=30)["status"] == "completed"
    state, thread = until(lambda: calls)[0]
    assert state["status"] == "completed" and thread != threading.get_ident()
    # following fails (no such job): the callback is not called, the error is printed
    lost = Client(server.url, server.token).job("no-such-job")
    failed = lost.add_done_callback(calls.append)
    assert isinstance(failed.exception(timeout=30), BookNLPError)
    until(lambda: "stopped following job no-such-job" in capsys.readouterr().err)
    assert len(calls) == 1


@pytest.mark.slow
def test_done_callback_on_the_running_loop(server, tmp_path):
    gate = tmp_path / "loop-gate"
    job = Client(server.url, server.token).submit(f"@gate {gate}\nheld", book_id="loop")
    calls = []

    async def main():
        task = job.add_done_callback(lambda s: calls.append((s, threading.get_ident())))
        assert isinstance(task, asyncio.Task)
        ticks = 0
        while job.status()["status"] != "running" or ticks < 5:  # the loop stays free
            await asyncio.sleep(0.05)
            ticks += 1
        assert not calls and not task.done()
        gate.touch()
        final = await task
        await asyncio.sleep(0)  # done callbacks run soon after
        return final

    assert asyncio.run(main())["status"] == "completed"
    assert [(s["status"], t) for s, t in calls] == [("completed", threading.get_ident())]
