"""``models download`` and ``models import``: put BookNLP's model files in place, atomically.

A download goes to ``NAME.part`` beside its target, resumes from there with an HTTP
``Range`` request, checks the byte count against the server's ``Content-Length`` (and a
model file's zip header: ``torch.save`` output), and is renamed into place only when whole.
"""

from __future__ import annotations

import os
import shutil
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .files import MODEL_SETS, MODEL_URL, VOCAB_FILE, VOCAB_SIZE, VOCAB_URL, ModelFilesError

CHUNK = 1 << 20


def _bar(name: str, stream: BinaryIO | None = None) -> Callable[[int, int | None], None]:
    out = stream or sys.stderr

    def show(done: int, total: int | None) -> None:
        if total:
            width = 30
            filled = int(width * done / total)
            out.write(
                f"\r{name[:48]:48} [{'#' * filled}{'.' * (width - filled)}] "
                f"{done / 1e6:7.1f}/{total / 1e6:.1f} MB"
            )
        else:
            out.write(f"\r{name[:48]:48} {done / 1e6:7.1f} MB")
        out.flush()

    return show


def check_file(path: Path, name: str | None = None) -> None:
    """Raise `ModelFilesError` unless ``path`` looks like what ``name`` (its name) says."""
    if (name or path.name) == VOCAB_FILE:
        with open(path, encoding="utf-8") as f:
            lines = sum(1 for _ in f)
        if lines < VOCAB_SIZE:
            raise ModelFilesError(f"{path}: {lines} lines, a BERT uncased vocab has {VOCAB_SIZE}")
        return
    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":
            raise ModelFilesError(f"{path}: not a PyTorch model file (an HTML error page?)")


def fetch(
    url: str,
    target: Path,
    progress: Callable[[int, int | None], None] | None = None,
    timeout: float = 60,
) -> Path:
    """Download ``url`` to ``target`` atomically, resuming a ``.part`` file left before."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if have and response.status != 206:  # the server ignored Range: start again
            have = 0
        length = response.headers.get("Content-Length")
        total = int(length) + have if length is not None else None
        with open(part, "ab" if have else "wb") as out:
            done = have
            while block := response.read(CHUNK):
                out.write(block)
                done += len(block)
                if progress:
                    progress(done, total)
            out.flush()
            os.fsync(out.fileno())
    if total is not None and done != total:
        raise ModelFilesError(
            f"{url}: got {done} of {total} bytes; run the command again to resume"
        )
    check_file(part, target.name)
    os.replace(part, target)
    return target


def download(
    model: str,
    directory: Path,
    base_url: str = MODEL_URL,
    vocab_url: str = VOCAB_URL,
    quiet: bool = False,
) -> list[Path]:
    """Download the files of ``model`` (``small``/``big``) and the vocabulary; skip present ones."""
    if model not in MODEL_SETS:
        raise ModelFilesError(f"unknown model {model!r}; choose from {sorted(MODEL_SETS)}")
    jobs = [(base_url.format(name=name), directory / name) for name in MODEL_SETS[model].values()]
    jobs.append((vocab_url, directory / VOCAB_FILE))
    done = []
    for url, target in jobs:
        if target.is_file():
            continue
        fetch(url, target, None if quiet else _bar(target.name))
        if not quiet:
            sys.stderr.write("\n")
        done.append(target)
    return done


def import_dir(source: Path, directory: Path) -> list[Path]:
    """Copy BookNLP model files and ``vocab.txt`` found in ``source`` into ``directory``."""
    known = {n for names in MODEL_SETS.values() for n in names.values()} | {VOCAB_FILE}
    found = [
        p
        for p in Path(source).rglob("*")
        if p.is_file() and (p.name in known or p.name.endswith(".model"))
    ]
    if not found:
        raise ModelFilesError(f"{source}: no BookNLP model files (*.model) or {VOCAB_FILE}")
    directory.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in found:
        check_file(path)
        part = directory / (path.name + ".part")
        shutil.copyfile(path, part)
        os.replace(part, directory / path.name)
        copied.append(directory / path.name)
    return copied
