"""The two notebooks, executed headless (nbclient, a real kernel) against a real Jupyter
server with the extension, on a short story; their outputs checked, and their nbconvert
HTML too: no output is left blank there (`test_static_views.assert_static`)."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from .notebook_server import WIDGET_VIEW, JupyterServer
from .procs import ROOT
from .test_static_views import assert_static


@pytest.fixture(scope="module")
def lite_server(tmp_path_factory):
    server = JupyterServer(tmp_path_factory.mktemp("notebooks"), default_model="lite").start()
    yield server
    server.stop()


def execute(name: str, server: JupyterServer, monkeypatch) -> nbformat.NotebookNode:
    monkeypatch.setenv("BOOKNLP_URL", server.api)
    monkeypatch.setenv("BOOKNLP_TOKEN", server.token)
    monkeypatch.setenv("BOOKNLP_BOOK", str(ROOT / "tests/fixtures/usher.txt"))
    monkeypatch.setenv("MPLBACKEND", "agg")
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    return nb


def code_outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]


def texts(outputs: list[dict]) -> str:
    return "\n".join(
        o.get("text", "")
        + str(o.get("data", {}).get("text/plain", ""))
        + str(o.get("data", {}).get("text/html", ""))
        for o in outputs
    )


@pytest.mark.slow
def test_quickstart(lite_server, monkeypatch):
    nb = execute("quickstart.ipynb", lite_server, monkeypatch)
    outputs = code_outputs(nb)
    assert not [o for o in outputs if o.output_type == "error"]
    text = texts(outputs)
    assert "completed" in text and "tokens in" in text and "Usher" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
    assert sum(WIDGET_VIEW in o.get("data", {}) for o in outputs) == 1  # the text's pager
    assert "booknlp-job-summary" in text  # the progress widget, once the job was done
    assert_static(nb)


@pytest.mark.slow
def test_characters(lite_server, monkeypatch):
    nb = execute("characters.ipynb", lite_server, monkeypatch)
    outputs = code_outputs(nb)
    assert not [o for o in outputs if o.output_type == "error"]
    text = texts(outputs)
    assert "completed" in text and "top characters: [NARRATOR], Usher" in text
    assert " links" in text and "directed exchanges" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 4
    assert sum(WIDGET_VIEW in o.get("data", {}) for o in outputs) == 1  # the text's pager
    assert "booknlp-job-summary" in text and "booknlp-jobs-summary" in text
    assert_static(nb)
