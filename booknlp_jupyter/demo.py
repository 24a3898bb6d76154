"""``make demo``: the first real run, end to end.

Starts a real Jupyter server with the extension, runs ``notebooks/quickstart.ipynb``
headless (its kernel submits a novel with ``model: "lite"`` to that server, follows
its progress and loads DataFrames), writes the executed notebook to ``out/``, and
prints a summary of the book.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gender(g: object) -> str:
    if isinstance(g, dict):
        return str(g.get("argmax") or "?")
    return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notebook", default=str(ROOT / "notebooks" / "quickstart.ipynb"))
    parser.add_argument("--book", default=None, help="a UTF-8 text (default: Pride and Prejudice)")
    parser.add_argument("--out", default=str(ROOT / "out"))
    args = parser.parse_args(argv)

    import nbformat
    from nbclient import NotebookClient

    from .client import Client

    port, token = _free_port(), secrets.token_hex(16)
    data_dir = Path(tempfile.mkdtemp(prefix="booknlp-demo-"))
    env = {**os.environ, "JUPYTER_PLATFORM_DIRS": "1"}
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "server",
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={ROOT / 'notebooks'}",
            f"--BookNLPApp.data_dir={data_dir / 'jobs'}",
            "--BookNLPApp.default_model=lite",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/booknlp/v1"
    try:
        print(f"Jupyter server with booknlp_jupyter on port {port} (log: {log.name})")
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                print((data_dir / "server.log").read_text()[-3000:], file=sys.stderr)
                return 1
            try:
                client = Client(url, token)
                client.ready(timeout=1)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

        os.environ.update(BOOKNLP_URL=url, BOOKNLP_TOKEN=token)
        if args.book:
            os.environ["BOOKNLP_BOOK"] = str(Path(args.book).resolve())
        nb = nbformat.read(args.notebook, as_version=4)
        started = time.monotonic()
        print(f"Running {Path(args.notebook).name} in a real kernel ...")
        NotebookClient(
            nb,
            timeout=1800,
            kernel_name="python3",
            resources={"metadata": {"path": str(Path(args.notebook).parent)}},
        ).execute()
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out / Path(args.notebook).name)
        wall = time.monotonic() - started

        job_info = client.jobs(status="completed", limit=1)[0]
        job = client.job(job_info["job_id"])
        characters = job.table("characters")
        quotes = job.table("quotes")
        top = characters.sort_values("count", ascending=False).head(10)
        names = dict(zip(characters["id"], characters["name"], strict=False))
        speakers = Counter(names.get(c, f"#{c}") for c in quotes["char_id"].dropna())

        print(f"\nExecuted notebook: {out / Path(args.notebook).name}")
        print(
            f"Book: {job_info['book_id']}  tokens: {job_info['token_count']:,}  "
            f"quotes: {len(quotes):,}  processing: {job_info['processing_time_ms'] / 1000:.1f} s"
            f"  (notebook wall time {wall:.1f} s)"
        )
        print("\nTop characters (mentions, gender):")
        for _, row in top.iterrows():
            print(f"  {row['name']:<28} {row['count']:>5}  {_gender(row.get('g'))}")
        print("\nMost frequent speakers (quotes):")
        for name, n in speakers.most_common(8):
            print(f"  {name:<28} {n:>5}")
        return 0
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
