"""Browser test of corpora in the JupyterLab panel (``labextension/``).

The same real JupyterLab as ``tests/test_lab_ui.py`` (its server, config and build),
with two folders under the server's root: ``shelf/`` (three short books, the real
``lite`` engine) and ``held/`` (two books held by a gate file in the controlled engine).
The Playwright suite in ``labextension/ui-tests/corpus`` right-clicks a folder, chooses
"Analyze folder with BookNLP", follows the corpus row to completed and expands it, then
cancels the held corpus. Screenshots go to ``labextension/ui-tests/artifacts/corpus``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from .test_lab_ui import ARTIFACTS, CHROMIUM, UI, LabServer, _missing, ensure_built

CORPUS_ARTIFACTS = ARTIFACTS / "corpus"

# Three short books: their file names (without .txt) are the book ids.
SHELF = {
    "emma": "Emma Woodhouse lived at Hartfield. She said to Harriet, “Mr. Elton is kind.”\n",
    "persuasion": "Anne Elliot walked to Uppercross with Captain Wentworth. He smiled.\n",
    "sense": "Elinor Dashwood wrote to Marianne. Marianne read the letter in London.\n",
}
HELD = ("first", "second")


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[LabServer]:
    missing = _missing()
    if missing:
        if os.environ.get("BOOKNLP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but {missing}")
        pytest.skip(missing)
    ensure_built()
    server = LabServer(tmp_path_factory.mktemp("lab-corpus")).start()
    shelf = server.root / "shelf"
    shelf.mkdir()
    for book, text in SHELF.items():
        (shelf / f"{book}.txt").write_text(text, encoding="utf-8")
    held = server.root / "held"
    held.mkdir()
    for book in HELD:  # both wait on one gate: one runs, the other waits its turn
        (held / f"{book}.txt").write_text(
            f"@gate {server.base / 'corpus-gate'}\nThe {book} book.\n", encoding="utf-8"
        )
    try:
        yield server
    finally:
        server.stop()
        if CORPUS_ARTIFACTS.exists():
            shutil.copy(server.log, CORPUS_ARTIFACTS / "lab.log")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_lab_corpus_in_chromium(lab: LabServer) -> None:
    """The Playwright corpus suite passes, and the corpus wrote its books' files."""
    shutil.rmtree(CORPUS_ARTIFACTS, ignore_errors=True)
    CORPUS_ARTIFACTS.mkdir(parents=True)
    env = {
        **os.environ,
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
        "BOOKNLP_LAB_URL": lab.url,
        "BOOKNLP_LAB_TOKEN": lab.token,
        "BOOKNLP_LAB_GATE": str(lab.base / "corpus-gate"),
        "BOOKNLP_CHROMIUM": CHROMIUM,
        "BOOKNLP_ARTIFACTS": str(CORPUS_ARTIFACTS),
        "BOOKNLP_SHELF_BOOKS": ",".join(sorted(SHELF)),
        "BOOKNLP_HELD_BOOKS": ",".join(HELD),
    }
    proc = subprocess.run(
        [
            str(UI / "node_modules" / ".bin" / "playwright"),
            "test",
            "--config=playwright.corpus.config.ts",
            "--reporter=list",
        ],
        cwd=UI,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    (CORPUS_ARTIFACTS / "playwright.log").write_text(proc.stdout + proc.stderr)
    assert proc.returncode == 0, (
        f"Playwright failed (screenshots in {CORPUS_ARTIFACTS}):\n{proc.stdout[-8000:]}\n"
        f"{proc.stderr[-3000:]}\n--- lab log ---\n{lab.log.read_text()[-3000:]}"
    )
    assert len(list(CORPUS_ARTIFACTS.glob("*.png"))) >= 4

    # the corpus the browser queued wrote BookNLP's files for every book
    out = lab.root / "booknlp_output" / "shelf"
    record = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    books = {b["book_id"]: b for b in record["books"]}
    assert sorted(books) == sorted(SHELF)
    assert {b["status"] for b in books.values()} == {"completed"}
    assert {b["model"] for b in books.values()} == {"lite"}
    for book in SHELF:
        for ext in (".tokens", ".entities", ".quotes", ".book"):
            assert (out / f"{book}{ext}").stat().st_size > 0, f"{book}{ext}"
