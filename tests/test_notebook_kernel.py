"""The notebook experience in a real Jupyter server with real kernels it launches:
discovery (server and JupyterHub variants, under a base_url), the magics, the live
widget's state messages while a job runs and after, cancel from the widget, ``await``,
`add_done_callback` (the kernel stays free) and a reused job's widget.

`JupyterServer` and `Kernel` (in `tests.notebook_server`) are reused by the other
``test_notebook_*`` modules.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .notebook_server import (
    BASE_URL,
    TOKEN,
    WIDGET_VIEW,
    JupyterServer,
    Kernel,
    gate_text,
    labels,
    widget_ids,
)

__all__ = ["JupyterServer", "Kernel"]  # also imported from here (bench/frames_load.py)


@pytest.fixture(scope="module")
def jserver(tmp_path_factory) -> Iterator[JupyterServer]:
    server = JupyterServer(tmp_path_factory.mktemp("nbserver")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def kernel(jserver) -> Iterator[Kernel]:
    kernel = jserver.kernel()
    yield kernel
    kernel.stop()


@pytest.mark.slow
def test_kernel_finds_its_server_under_a_base_url(kernel, jserver):
    out = kernel.run(
        "from booknlp_jupyter import Client\nc = Client()\n"
        f"print(c.url, c.token == {TOKEN!r}, c.ready()['ready'])"
    )
    assert out.split() == [jserver.api, "True", "True"]


@pytest.mark.slow
def test_jupyterhub_variables_when_no_server_launched_the_kernel(jserver, tmp_path):
    from jupyter_client import KernelManager

    env = {k: v for k, v in jserver.env.items() if not k.startswith("JPY_")}
    env.update(
        JUPYTER_RUNTIME_DIR=str(tmp_path / "elsewhere"),  # no server files there
        JUPYTERHUB_SERVICE_URL=f"http://:{jserver.port}{BASE_URL}",  # a bind URL
        JUPYTERHUB_API_TOKEN=TOKEN,
        JUPYTERHUB_SERVICE_PREFIX=BASE_URL,
    )
    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=env)
    kernel = Kernel(Path(km.connection_file), manager=km)
    try:
        out = kernel.run(
            "import os\nfrom booknlp_jupyter import Client\nc = Client()\n"
            "print(os.environ.get('JPY_PARENT_PID') == "
            f"'{jserver.proc.pid}')\n"
            "print(c.url)\nprint(c.stats()['max_queue_size'])"
        )
        assert out.split() == [
            "False",
            f"http://127.0.0.1:{jserver.port}{BASE_URL}booknlp/v1",
            "10",
        ]
        out = kernel.run(
            "os.environ['JUPYTERHUB_API_TOKEN'] = 'wrong'\n"
            "from booknlp_jupyter.client import BookNLPError\n"
            "try:\n    Client().stats()\n"
            "except BookNLPError as e:\n    print(e.status_code)"
        )
        assert out.split() == ["403"]
    finally:
        kernel.stop()


@pytest.mark.slow
def test_submit_magic_widget_updates_while_the_kernel_works(kernel, jserver, tmp_path):
    text, gate = gate_text(tmp_path, "gate-a")
    kernel.run(f"%load_ext booknlp_jupyter\ntext = {text!r}")
    submitted = kernel.execute("job = %booknlp_submit text --book-id gated")
    assert not submitted["errors"], submitted["errors"]
    ids = widget_ids(kernel, "job")
    assert [d[WIDGET_VIEW]["model_id"] for d in submitted["displays"]] == [ids["box"]]
    # the job waits on its gate; the widget says so, from the event stream
    kernel.wait_for(lambda: any("running" in v and "waiting" in v for v in labels(kernel, ids)))
    started = time.monotonic()
    assert kernel.run("print(6 * 7)") == "42\n" and time.monotonic() - started < 5
    # a busy cell: the clock still moves (updates arrive between its busy and idle)
    mark = len(kernel.since())
    msg_id = kernel.kc.execute("import time; time.sleep(2.5)")
    kernel.wait_for(
        lambda: any(
            m["msg_type"] == "status"
            and m["content"]["execution_state"] == "idle"
            and m["parent_header"].get("msg_id") == msg_id
            for m in kernel.since(mark)
        )
    )
    during = [
        m
        for m in kernel.since(mark)
        if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == ids["label"]
    ]
    assert len(during) >= 2, "the widget stopped updating while a cell was busy"
    # the job finishes while no cell runs; the widget shows it
    mark = len(kernel.since())
    gate.touch()
    kernel.wait_for(lambda: any("completed" in v for v in labels(kernel, ids, mark)))
    # the bar's and the button's updates are messages of their own, right after the label's
    kernel.wait_for(
        lambda: any(s.get("bar_style") == "success" for s in kernel.updates(ids["bar"], mark))
    )
    kernel.wait_for(
        lambda: any(s.get("disabled") is True for s in kernel.updates(ids["cancel"], mark))
    )
    bars = [s["value"] for s in kernel.updates(ids["bar"], 0) if "value" in s]
    assert bars == sorted(bars) and bars[-1] == 100
    final = [v for v in labels(kernel, ids) if "completed" in v][-1]
    assert "4 tokens" in final
    # await the handle; the result magic gives typed frames
    assert kernel.run("state = await job\nprint(state['status'], state['progress'])").split() == [
        "completed",
        "100.0",
    ]
    out = kernel.run(
        "frames = %booknlp_result job\n"
        "print(list(frames), list(frames.tokens.word))\n"
        "print(frames.tokens.dtypes['byte_onset'], frames.quotes.dtypes['char_id'],"
        " frames.tokens.dtypes['word'])"
    )
    assert "['tokens', 'entities', 'quotes', 'characters', 'events', 'supersenses']" in out
    assert "['Mr', 'Darcy', 'met', 'Elizabeth']" in out
    assert out.splitlines()[1].split() == ["Int64", "Int64", "string"]


@pytest.mark.slow
def test_cell_magic_jobs_table_and_latest_result(kernel, jserver):
    out = kernel.execute(
        "%%booknlp --book-id from-a-cell --name cj --no-widget\nJane walked with Bingley\n"
    )
    assert not out["errors"] and not out["displays"]
    assert kernel.run("print(cj.wait()['status'])") == "completed\n"
    assert (
        kernel.run("f = %booknlp_result\nprint(list(f.tokens.word))")
        == "['Jane', 'walked', 'with', 'Bingley']\n"
    )
    out = kernel.execute("%booknlp_jobs --limit 5")
    assert not out["errors"], out["errors"]
    (shown,) = out["displays"]  # every job is final: a static table, no widget
    assert WIDGET_VIEW not in shown and "booknlp-jobs-summary" in shown["text/html"]
    assert all(w in shown["text/html"] for w in ("from-a-cell", "gated", "completed"))


@pytest.mark.slow
def test_cancel_from_the_widget_pending_then_running(kernel, jserver, tmp_path):
    text_a, gate_a = gate_text(tmp_path, "gate-run")
    text_b, _ = gate_text(tmp_path, "gate-never", "Nobody reads this")
    kernel.run(f"%load_ext booknlp_jupyter\nta, tb = {text_a!r}, {text_b!r}")
    kernel.run(
        "a = %booknlp_submit ta --book-id run-then-cancel\n"
        "b = %booknlp_submit tb --book-id pending-then-cancel"
    )
    ids_a, ids_b = widget_ids(kernel, "a"), widget_ids(kernel, "b")
    kernel.wait_for(lambda: any("queue position 1" in v for v in labels(kernel, ids_b)))
    kernel.wait_for(lambda: any("running" in v for v in labels(kernel, ids_a)))
    kernel.click(ids_b["cancel"])
    kernel.wait_for(
        lambda: any(
            v.startswith("<span class='booknlp-status'>cancelled") for v in labels(kernel, ids_b)
        )
    )
    job_b = kernel.run("print(b.job_id)").strip()
    assert jserver.request("GET", f"booknlp/v1/jobs/{job_b}")["status"] == "cancelled"
    assert not any("running" in v for v in labels(kernel, ids_b))
    kernel.click(ids_a["cancel"])  # running: the widget forces it
    kernel.wait_for(lambda: any("cancelled" in v for v in labels(kernel, ids_a)), timeout=60)
    job_a = kernel.run("print(a.job_id)").strip()
    assert jserver.request("GET", f"booknlp/v1/jobs/{job_a}")["status"] == "cancelled"
    gate_a.touch()


@pytest.mark.slow
def test_done_callback_keeps_the_kernel_free(kernel, jserver, tmp_path):
    text, gate = gate_text(tmp_path, "gate-cb", "Anne met Wentworth")
    kernel.run(f"from booknlp_jupyter import Client\ncb_text = {text!r}\nfired = []")
    register = (
        "cb_job = Client().submit(cb_text, book_id='callback')\n"
        "cb_task = cb_job.add_done_callback(\n"
        "    lambda s: (fired.append(s['status']), print('done:', s['status'])))"
    )
    started = time.monotonic()
    assert not kernel.execute(register)["errors"]
    assert time.monotonic() - started < 5  # the cell returned at once
    cell = next(
        m["parent_header"]["msg_id"]
        for m in kernel.since()
        if m["msg_type"] == "execute_input" and m["content"]["code"] == register
    )
    job_id = kernel.run("print(cb_job.job_id)").strip()
    kernel.wait_for(
        lambda: jserver.request("GET", f"booknlp/v1/jobs/{job_id}")["status"] == "running"
    )
    # the next cell runs while the job does
    assert (
        kernel.run("print(len(fired), cb_task.done(), cb_job.status()['status'])")
        == "0 False running\n"
    )
    mark = len(kernel.since())
    gate.touch()
    # no cell runs: the callback fires on the kernel's loop; its output goes to its cell
    done = kernel.wait_for(
        lambda: [
            m
            for m in kernel.since(mark)
            if m["msg_type"] == "stream" and "done: completed" in m["content"]["text"]
        ]
    )
    assert done[0]["parent_header"]["msg_id"] == cell
    assert kernel.run("print(fired, cb_task.result()['status'])") == "['completed'] completed\n"
    # the same request again: a new job, already analyzed, as its widget says
    kernel.run("again = Client().submit(cb_text, book_id='callback-again')")
    ids = widget_ids(kernel, "again")
    kernel.wait_for(
        lambda: any(
            f"already analyzed (reused from job {job_id[:8]})" in v for v in labels(kernel, ids)
        )
    )
    assert (
        kernel.run("print(again.job_id != cb_job.job_id, again.reused_from == cb_job.job_id)")
        == "True True\n"
    )
