"""`make demo`'s driver, end to end on a short story: a real Jupyter server with the
extension, the quickstart notebook in a real kernel, the printed summary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_demo_runs_the_quickstart_notebook(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "booknlp_jupyter.demo",
            "--book",
            str(ROOT / "tests" / "fixtures" / "usher.txt"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "Top characters" in out.stdout and "Most frequent speakers" in out.stdout
    assert "Usher" in out.stdout.split("Top characters")[1]
    nb = nbformat.read(tmp_path / "quickstart.ipynb", as_version=4)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("text", "") for o in outputs)
    assert "completed" in text and "tokens in" in text
