"""`corpora.manifest.write_manifest`: atomic, and tidy after a writer killed mid-write."""

from __future__ import annotations

import json
from pathlib import Path

from booknlp_jupyter.corpora.manifest import MANIFEST, read_manifest, write_manifest


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path: Path) -> None:
    stale = tmp_path / f".{MANIFEST}.k9xq2"  # what kill -9 between write and rename leaves
    stale.write_text("{", encoding="utf-8")
    write_manifest(tmp_path, [{"book_id": "n1", "status": "completed"}])
    write_manifest(tmp_path, [{"book_id": "n2", "status": "failed"}])
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST]
    assert sorted(read_manifest(tmp_path)) == ["n1", "n2"]
    assert json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))["books"][1]["status"] == (
        "failed"
    )
