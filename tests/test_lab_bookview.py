"""Browser test of the book view in JupyterLab (``labextension/src/bookview.tsx``).

The same real JupyterLab as ``tests/test_lab_ui.py`` (its server, config and build)
with ``pride_excerpt.txt`` under the server's root. The Playwright suite in
``labextension/ui-tests/bookview`` analyzes it with the real ``lite`` engine from the
file browser, opens the book view from the panel's "Open" and checks each section
against the API's tables and the file's own text: the top characters, quotes filtered
by a speaker, the text with its characters marked, the network, the CSV downloads, the
dark theme, no console errors. Screenshots go to
``labextension/ui-tests/artifacts/bookview``; with ``BOOKNLP_UPDATE_SCREENSHOTS=1``
also to ``docs/images/bookview-*.png`` (the README's).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from .test_lab_ui import (
    ARTIFACTS,
    CHROMIUM,
    FIXTURES,
    ROOT,
    UI,
    LabServer,
    _missing,
    ensure_built,
)

BOOKVIEW_ARTIFACTS = ARTIFACTS / "bookview"
DOCS_IMAGES = ROOT / "docs" / "images"
BOOK = "pride_excerpt.txt"


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[LabServer]:
    missing = _missing()
    if missing:
        if os.environ.get("BOOKNLP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but {missing}")
        pytest.skip(missing)
    ensure_built()
    server = LabServer(tmp_path_factory.mktemp("lab-bookview")).start()
    shutil.copy(FIXTURES / BOOK, server.root / BOOK)
    try:
        yield server
    finally:
        server.stop()
        if BOOKVIEW_ARTIFACTS.exists():
            shutil.copy(server.log, BOOKVIEW_ARTIFACTS / "lab.log")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_lab_bookview_in_chromium(lab: LabServer) -> None:
    """The Playwright book view suite passes and leaves a screenshot of each section."""
    shutil.rmtree(BOOKVIEW_ARTIFACTS, ignore_errors=True)
    BOOKVIEW_ARTIFACTS.mkdir(parents=True)
    env = {
        **os.environ,
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
        "BOOKNLP_LAB_URL": lab.url,
        "BOOKNLP_LAB_TOKEN": lab.token,
        "BOOKNLP_CHROMIUM": CHROMIUM,
        "BOOKNLP_ARTIFACTS": str(BOOKVIEW_ARTIFACTS),
        "BOOKNLP_BOOK_FILE": str(lab.root / BOOK),
        "BOOKNLP_DOCS_IMAGES": (
            str(DOCS_IMAGES) if os.environ.get("BOOKNLP_UPDATE_SCREENSHOTS") == "1" else ""
        ),
    }
    proc = subprocess.run(
        [
            str(UI / "node_modules" / ".bin" / "playwright"),
            "test",
            "--config=playwright.bookview.config.ts",
            "--reporter=list",
        ],
        cwd=UI,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    (BOOKVIEW_ARTIFACTS / "playwright.log").write_text(proc.stdout + proc.stderr)
    assert proc.returncode == 0, (
        f"Playwright failed (screenshots in {BOOKVIEW_ARTIFACTS}):\n{proc.stdout[-8000:]}\n"
        f"{proc.stderr[-3000:]}\n--- lab log ---\n{lab.log.read_text()[-3000:]}"
    )
    shots = sorted(p.name for p in BOOKVIEW_ARTIFACTS.glob("*.png"))
    for section in ("characters", "quotes", "text", "network", "text-dark"):
        assert any(name.endswith(f"-{section}.png") for name in shots), shots
