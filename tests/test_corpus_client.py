"""The kernel side of corpora against real servers: `Client.submit_corpus` and `Corpus`
(wait on the event stream, cancel, frames from the output folder; the same for asyncio:
`AsyncClient.submit_corpus`, `AsyncCorpus`), `Job.save` (BookNLP's
files written from a job, read back equal), the live widget (outside a kernel, then in
a real kernel with ``%booknlp_corpus``) and ``notebooks/corpus.ipynb`` on the lite engine.
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from booknlp_jupyter import read_output
from booknlp_jupyter.client import BookNLPError, Client
from booknlp_jupyter.corpus import Corpus
from booknlp_jupyter.results.booknlp_files import booknlp_suffixes

from .notebook_server import WIDGET_VIEW, JupyterServer, Kernel
from .procs import ROOT, ServerProcess, wait_until

SIX = {"tokens", "entities", "quotes", "supersenses", "events", "characters"}
BOOKS = {
    "alpha": "@sleep 0.2\nMr Darcy met Elizabeth at Netherfield",
    "beta": "@sleep 0.2\nAnne walked with Wentworth",
    "gamma": "Jane wrote to Bingley",
}


def write_books(folder: Path, books: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in books.items():
        (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("corpus-root")


@pytest.fixture(scope="module")
def server(tmp_path_factory, root) -> Iterator[ServerProcess]:
    server = ServerProcess(
        tmp_path_factory.mktemp("corpus-server") / "data",
        token="corpus-t",
        extra_config=f"c.ServerApp.root_dir = {str(root)!r}\n",
    ).start()
    yield server
    server.stop()


@pytest.fixture
def client(server) -> Iterator[Client]:
    with Client(server.url, server.token) as client:
        yield client


def words(frame: pd.DataFrame, book: str) -> list[str]:
    return list(frame[frame["book_id"] == book]["word"])


@pytest.mark.slow
def test_a_folder_of_three_books_waits_and_reads_back(client, root):
    write_books(root / "novels", BOOKS)
    corpus = client.submit_corpus("novels")
    assert isinstance(corpus, Corpus) and corpus.last["books_total"] == 3
    views: list[dict] = []
    final = corpus.wait(timeout=60, progress=views.append)
    assert final["status"] == "completed" and views and views[-1] == final
    assert final["counts"]["completed"] == 3 and final["progress"] == 100
    progress = [v["progress"] for v in views]
    assert progress == sorted(progress)
    books = {b["book_id"]: b for b in final["books"]}
    assert set(books) == set(BOOKS) and all(b["status"] == "completed" for b in books.values())
    assert corpus.output_folder() == Path(final["output_path"])
    assert Path(final["output_path"]) == root / final["output_dir"]

    frames = corpus.frames()
    assert set(frames) == SIX
    for name, frame in frames.items():
        assert "book_id" in frame.columns, name
    for name in ("tokens", "entities", "quotes", "characters"):
        assert set(frames[name]["book_id"]) == set(BOOKS), name
    for book, text in BOOKS.items():
        expected = [
            w for line in text.splitlines() if not line.startswith("@") for w in line.split()
        ]
        assert words(frames["tokens"], book) == expected
        # each book's table is its own job's
        job_tokens = client.job(books[book]["job_id"]).table("tokens")
        assert words(frames["tokens"], book) == list(job_tokens["word"])
    manifest = json.loads((corpus.output_folder() / "corpus.json").read_text())
    assert {b["book_id"] for b in manifest["books"]} == set(BOOKS)

    # the list, and a fresh handle on the same corpus
    listed = client.corpora()
    assert listed[0]["corpus_id"] == corpus.corpus_id and listed[0]["books"] == []
    again = client.corpus(corpus.corpus_id)
    assert again == corpus and again.view()["status"] == "completed"
    assert "alpha" in corpus._repr_html_() and "completed" in corpus._repr_html_()


@pytest.mark.slow
def test_paths_and_bad_input(client, root):
    write_books(root / "some", {"one": "Emma smiled", "two": "Harriet wept", "three": "x"})
    corpus = client.submit_corpus(paths=["some/one.txt", "some/two.txt"], output_dir="out/some")
    final = corpus.wait(timeout=60)
    assert {b["book_id"] for b in final["books"]} == {"one", "two"}
    assert final["output_dir"] == "out/some"
    assert set(corpus.frames()["tokens"]["book_id"]) == {"one", "two"}
    with pytest.raises(BookNLPError) as err:
        client.submit_corpus("no-such-folder")
    assert err.value.status_code in (400, 404) and err.value.detail
    with pytest.raises(BookNLPError) as err:
        client.corpus("00000000-0000-4000-8000-000000000000").view()
    assert err.value.status_code == 404
    with pytest.raises(ValueError):
        client.submit_corpus("some", paths=["some/one.txt"])


@pytest.mark.slow
def test_cancel_pending_books_then_force(client, root, tmp_path):
    gate = tmp_path / "gate"
    write_books(root / "gated", {"a": f"@gate {gate}\nFirst", "b": "Second", "c": "Third"})
    corpus = client.submit_corpus("gated", output_dir="out/gated")

    def running() -> bool:
        view = corpus.view()
        return any(b["status"] == "running" for b in view["books"])

    wait_until(running, 30, "a book of the corpus to run")
    corpus.cancel()  # the books not started never run; the running one goes on
    with pytest.raises(TimeoutError, match="a book still runs"):
        corpus.wait(timeout=1, poll=0.1)  # final, not settled: the gated book runs
    assert repr(corpus).startswith(f"<Corpus {corpus.id} cancelled ")
    gate.touch()
    final = corpus.wait(timeout=60)
    status = {b["book_id"]: b["status"] for b in final["books"]}
    assert final["status"] == "cancelled", final
    assert sorted(status.values()).count("cancelled") == 2 and "completed" in status.values()

    gate2 = tmp_path / "gate2"
    write_books(root / "forced", {"a": f"@gate {gate2}\nFirst", "b": "Second"})
    forced = client.submit_corpus("forced", output_dir="out/forced")
    wait_until(lambda: any(b["status"] == "running" for b in forced.view()["books"]), 30, "running")
    with pytest.raises(TimeoutError, match=r"still (pending|running) after 1s"):
        forced.wait(timeout=1, poll=0.1)
    forced.cancel(force=True)
    final = forced.wait(timeout=60)
    assert final["status"] == "cancelled"
    assert {b["status"] for b in final["books"]} == {"cancelled"}, final["books"]
    gate2.touch()


@pytest.mark.slow
def test_async_corpus_awaits_streams_cancels_and_reads_back(server, root, tmp_path):
    import asyncio

    from booknlp_jupyter import AsyncClient, AsyncCorpus

    write_books(root / "aio", {"one": "@sleep 0.2\nEmma smiled", "two": "Harriet wept"})
    gate = tmp_path / "aio-gate"
    # texts of their own: a stored result of the same text would complete a book at once
    write_books(root / "aio-gated", {"a": f"@gate {gate}\nFirst aio", "b": "Second aio"})

    async def main():
        async with AsyncClient(server.url, server.token) as client:
            corpus = await client.submit_corpus("aio", output_dir="out/aio")
            assert isinstance(corpus, AsyncCorpus) and corpus.last["books_total"] == 2
            views: list[dict] = []
            final = await corpus.wait(timeout=60, progress=views.append)
            frames = await corpus.frames()
            again = client.corpus(corpus.corpus_id)
            listed = await client.corpora()
            awaited = await again

            gated = await client.submit_corpus("aio-gated", output_dir="out/aio-gated")
            async with asyncio.timeout(30):
                async for view in gated.events():
                    if any(b["status"] == "running" for b in view["books"]):
                        break
            cancelled = await gated.cancel()
            gate.touch()
            settled = await gated
            with pytest.raises(BookNLPError) as err:
                await client.corpus("00000000-0000-4000-8000-000000000000").view()
            return corpus, final, views, frames, again, listed, awaited, cancelled, settled, err

    corpus, final, views, frames, again, listed, awaited, cancelled, settled, err = asyncio.run(
        main()
    )
    assert final["status"] == "completed" and views and views[-1] == final
    assert final["output_dir"] == "out/aio"
    assert {b["book_id"] for b in final["books"]} == {"one", "two"}
    assert words(frames["tokens"], "one") == ["Emma", "smiled"]
    assert set(frames) == SIX and set(frames["entities"]["book_id"]) <= {"one", "two"}
    assert again == corpus and awaited["status"] == "completed"
    assert corpus.corpus_id in [c["corpus_id"] for c in listed]
    assert cancelled["status"] == "cancelled"
    status = {b["book_id"]: b["status"] for b in settled["books"]}
    assert status == {"a": "completed", "b": "cancelled"}, status
    assert err.value.status_code == 404 and err.value.detail


@pytest.mark.slow
def test_job_save_writes_booknlp_files_read_back_equal(client, tmp_path):
    job = client.submit("Mr Darcy met Elizabeth\nJane wrote to Bingley", book_id="pp")
    state = job.wait(timeout=60)
    assert state["status"] == "completed"
    written = job.save(tmp_path / "files")
    names = sorted(p.name for p in written)
    assert names == sorted(f"pp.{s}" for s in booknlp_suffixes(state["pipeline"]))
    assert all(p.parent == tmp_path / "files" and p.stat().st_size > 0 for p in written)
    back = read_output(tmp_path / "files")
    mine = job.frames()
    for name in ("tokens", "entities", "quotes"):
        got = back[name].drop(columns="book_id").reset_index(drop=True)
        want = mine[name][list(got.columns)].reset_index(drop=True)
        assert got.astype(str).equals(want.astype(str)), name
        assert set(back[name]["book_id"]) <= {"pp"}
    assert sorted(back["characters"]["id"]) == sorted(mine["characters"]["id"])
    assert set(back["characters"]["book_id"]) == {"pp"}
    # only a completed job is saved
    gate = tmp_path / "never"
    pending = client.submit(f"@gate {gate}\nwaiting", book_id="w")
    with pytest.raises(BookNLPError) as err:
        pending.save(tmp_path / "nothing")
    assert err.value.status_code == 409
    pending.cancel(force=True)
    gate.touch()


@pytest.mark.slow
def test_widget_follows_from_its_threads(client, root, tmp_path):
    from booknlp_jupyter.notebook.corpus_widget import CorpusWidget

    gate = tmp_path / "w-gate"
    write_books(root / "widgeted", {"first": f"@gate {gate}\nOne", "second": "Two"})
    corpus = client.submit_corpus("widgeted", output_dir="out/widgeted")
    widget = corpus.widget()
    assert isinstance(widget, CorpusWidget) and corpus.widget() is widget
    wait_until(lambda: "running" in widget.label.value, 30, "the widget to show running")
    assert "first" in widget.books.value and "second" in widget.books.value
    assert not widget.cancel_button.disabled
    gate.touch()
    assert widget.wait(60)
    assert "completed" in widget.label.value and "2 of 2 books done" in widget.label.value
    assert widget.bar.value == 100 and widget.cancel_button.disabled


# --- in a real kernel ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """A folder below the checkout (the Jupyter server's root), git-ignored, removed after."""
    path = ROOT / "out" / f"test-corpus-{secrets.token_hex(4)}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def jserver(tmp_path_factory) -> Iterator[JupyterServer]:
    server = JupyterServer(tmp_path_factory.mktemp("corpus-nb")).start()
    yield server
    server.stop()


def displays(kernel: Kernel, msg_types: tuple[str, ...], start: int = 0) -> list[dict]:
    return [m["content"] for m in kernel.since(start) if m["msg_type"] in msg_types]


@pytest.mark.slow
def test_magic_in_a_kernel_shows_the_widget_then_a_summary(jserver, scratch, tmp_path):
    write_books(scratch / "novels", BOOKS)
    kernel = jserver.kernel()
    try:
        kernel.run("%load_ext booknlp_jupyter")
        mark = len(kernel.since())
        # an absolute path below the server's root: the kernel sends it relative to the root
        out = kernel.execute(
            f"c = %booknlp_corpus {scratch / 'novels'} --output-dir {scratch / 'output'}\nc"
        )
        assert not out["errors"], out["errors"]
        shown = displays(kernel, ("display_data",), mark)
        assert len(shown) == 1 and WIDGET_VIEW in shown[0]["data"]  # once, not twice
        display_id = shown[0]["transient"]["display_id"]
        assert kernel.run("print(c.wait(timeout=60)['status'])") == "completed\n"
        updates = [
            u
            for u in displays(kernel, ("update_display_data",), mark)
            if u["transient"]["display_id"] == display_id
        ]
        assert updates and WIDGET_VIEW not in updates[-1]["data"]
        summary = updates[-1]["data"]["text/html"]
        assert "booknlp-corpus-summary" in summary and "3 of 3 books done" in summary
        assert all(book in summary for book in BOOKS)
        out = kernel.run(
            "f = c.frames()\nprint(sorted(f), sorted(set(f['tokens']['book_id'])))\n"
            "print(c.view()['output_dir'])"
        )
        lines = out.splitlines()
        assert lines[0] == f"{sorted(SIX)} {sorted(BOOKS)}"
        assert lines[1] == (scratch / "output").relative_to(ROOT).as_posix()
        # the Cancel button of a corpus whose first book waits
        gate = tmp_path / "k-gate"
        write_books(scratch / "slow", {"a": f"@gate {gate}\nOne", "b": "Two"})
        kernel.run(f"s = %booknlp_corpus {scratch / 'slow'} --output-dir {scratch / 'slow-out'}")
        ids = kernel.run("w = s.widget()\nprint(w.cancel_button.model_id, w.label.model_id)")
        cancel_id, label_id = ids.split()
        kernel.wait_for(
            lambda: any("running" in str(u.get("value")) for u in kernel.updates(label_id))
        )
        kernel.click(cancel_id)
        assert kernel.run("print(s.wait(timeout=60)['status'])") == "cancelled\n"
        gate.touch()
    finally:
        kernel.stop()


# --- the notebook -------------------------------------------------------------------------


@pytest.mark.slow
def test_corpus_notebook_on_the_lite_engine(tmp_path_factory, scratch, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    server = JupyterServer(tmp_path_factory.mktemp("corpus-lite"), default_model="lite").start()
    try:
        monkeypatch.setenv("BOOKNLP_URL", server.api)
        monkeypatch.setenv("BOOKNLP_TOKEN", server.token)
        monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(server.runtime))  # finds its root
        monkeypatch.setenv("BOOKNLP_CORPUS_OUTPUT", str(scratch / "notebook"))
        monkeypatch.setenv("MPLBACKEND", "agg")
        nb = nbformat.read(ROOT / "notebooks" / "corpus.ipynb", as_version=4)
        NotebookClient(
            nb,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(ROOT / "notebooks")}},
        ).execute()
    finally:
        server.stop()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # the widget's output was replaced by the static summary
    assert not [o for o in outputs if WIDGET_VIEW in o.get("data", {})]
    html = "\n".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    text = "\n".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs
    )
    assert "booknlp-corpus-summary" in html and "3 of 3 books done" in html
    for book in ("pride_and_prejudice", "emma", "the_secret_garden"):
        assert book in text
    assert "share of dialogue" in text
    files = {p.name for p in (scratch / "notebook").iterdir()}
    assert {"corpus.json", "emma.tokens", "emma.book"} <= files
