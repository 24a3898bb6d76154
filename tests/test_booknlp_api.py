"""The BookNLP engine through the real API, on random models of BookNLP's architecture.

A session fixture builds tiny models (`tests/booknlp_models.py`); the server runs BookNLP's
real code with ``model: "custom"`` and no network (``HF_HUB_OFFLINE=1``, an empty HF cache).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from booknlp_jupyter.engines.booknlp import BookNLPEngine
from booknlp_jupyter.engines.booknlp.tables import read_output
from booknlp_jupyter.results import TABLE_SCHEMAS

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "tests" / "fixtures" / "pride_excerpt.txt").read_text(encoding="utf-8")
SHORT = TEXT[:6000]
FULL = ["entity", "quote", "supersense", "event", "coref"]
STAGES = ["spacy", "entities", "quotes", "speakers", "names", "gender", "coref", "characters"]


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, str]:
    """Tiny BookNLP models (BERT L-2 H-128) and the HF cache bare BookNLP needs."""
    out = tmp_path_factory.mktemp("booknlp-models")
    text_file = out / "text.txt"
    text_file.write_text(TEXT, encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.booknlp_models",
            str(out),
            "--arch",
            "tiny",
            "--vocab-from",
            str(text_file),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    paths = json.loads(run.stdout.strip().splitlines()[-1])
    assert int(paths["events"]) > 0
    paths["hf_home"] = str(out / "hf_home")
    return paths


def options(paths: dict[str, str], **more) -> dict:
    return {
        "booknlp": {
            "entity_model_path": paths["entity"],
            "coref_model_path": paths["coref"],
            "quote_attribution_model_path": paths["quote"],
            **more,
        }
    }


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No network and an empty Hugging Face cache for the server and its worker."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf"))


@pytest.fixture
def booknlp_overrides(tiny_models, offline, request):
    param = getattr(request, "param", None) or {}
    opts = options(tiny_models, **param.get("booknlp", {}))
    overrides = {"default_model": "custom", "engine_options": opts}
    if param.get("exiting"):
        overrides["engines"] = {"exiting": "tests.test_booknlp_api:ExitingCoref"}
        overrides["engine_options"] = {**opts, "exiting": opts["booknlp"]}
    return overrides


_BARE = """
import json, sys, traceback
from booknlp.booknlp import BookNLP
from booknlp_jupyter.engines.lite.engine import default_spacy_model
p, runs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
codes = []
for out, pipeline in runs:
    try:
        b = BookNLP("en", {
            "pipeline": ",".join(pipeline), "model": "custom",
            "spacy_model": default_spacy_model(), "entity_model_path": p["entity"],
            "coref_model_path": p["coref"], "quote_attribution_model_path": p["quote"],
        })
        b.process(out + "/input.txt", out, "book")
        codes.append(0)
    except SystemExit as e:  # BookNLP exits on some pipelines: the status Python would give
        codes.append(0 if e.code is None else e.code if isinstance(e.code, int) else 1)
    except Exception:
        traceback.print_exc()
        codes.append(1)
print(json.dumps(codes))
"""


def bare_booknlps(paths: dict[str, str], runs: list[tuple[str, Path, list[str]]]) -> list[int]:
    """Run BookNLP's own ``process()`` on each ``(text, out, pipeline)``, one after the
    other in one subprocess (its HF cache, offline; a fresh `BookNLP` each); the exit
    code of each (0: it ran to the end)."""
    for text, out, _ in runs:
        out.mkdir(parents=True, exist_ok=True)
        (out / "input.txt").write_text(text, encoding="utf-8")
    env = {**os.environ, "HF_HOME": paths["hf_home"], "HF_HUB_OFFLINE": "1"}
    args = json.dumps([(str(out), pipeline) for _, out, pipeline in runs])
    done = subprocess.run(
        [sys.executable, "-c", _BARE, json.dumps(paths), args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def bare_booknlp(paths: dict[str, str], text: str, out: Path, pipeline: list[str]) -> int:
    """`bare_booknlps` for one run: its exit code."""
    return bare_booknlps(paths, [(text, out, pipeline)])[0]


async def fetch_tables(api, job_id: str) -> dict:
    tables = {}
    for name in TABLE_SCHEMAS:
        r = await api.call("GET", "jobs", job_id, "result", name, params={"format": "parquet"})
        assert r.code == 200, name
        tables[name] = pq.read_table(io.BytesIO(r.body))
        assert tables[name].schema.equals(TABLE_SCHEMAS[name]), name
    r = await api.call("GET", "jobs", job_id, "result", "characters")
    tables["characters"] = json.loads(r.body)
    return tables


@pytest.fixture(scope="module")
def bare_full(tiny_models, tmp_path_factory):
    """BookNLP's own files for TEXT and the full pipeline (run once)."""
    out = tmp_path_factory.mktemp("bare-full")
    assert bare_booknlp(tiny_models, TEXT, out, FULL) == 0
    return read_output(out, "book")


@pytest.mark.parametrize(
    "booknlp_overrides",
    [{}, {"booknlp": {"spacy_chunk_chars": 6000, "spacy_processes": 2}}],
    ids=["one-piece", "pieces-in-helpers"],
    indirect=True,
)
async def test_custom_job_equals_booknlp_process(api, bare_full):
    """Every table typed and equal to BookNLP's own files; progress through every stage.
    Also with the text parsed in five pieces, two at a time (a spaCy helper process beside
    the worker): still BookNLP's whole-text analysis."""
    job = await api.submit(TEXT, model="custom", pipeline=FULL, book_id="pp")
    seen = []
    while True:
        status = await api.status(job["job_id"])
        seen.append((status["progress"], status["stage"]))
        if status["status"] in ("completed", "failed"):
            break
        await asyncio.sleep(0.01)
    assert status["status"] == "completed", status["error_message"]
    progress = [p for p, _ in seen]
    assert progress == sorted(progress) and progress[-1] == 100
    order = [s for i, (_, s) in enumerate(seen) if s in STAGES and (i == 0 or seen[i - 1][1] != s)]
    assert [s for s in STAGES if s in order] == order  # never back to an earlier stage
    assert len(order) >= 5, order  # 2 cores: a fast stage can pass between two polls

    tables = await fetch_tables(api, job["job_id"])
    expected = bare_full
    for name in ("tokens", "entities", "quotes", "supersenses", "events"):
        got = tables[name].to_pydict()
        assert got == getattr(expected, name), name
        assert got[next(iter(got))], f"{name} is empty"
    assert tables["characters"] == expected.characters and tables["characters"]
    assert status["token_count"] == len(tables["tokens"])


async def test_second_job_reuses_loaded_models(api, tiny_models, tmp_path):
    """After one job the model files are not read again: the next job runs on the models
    in memory even when the files on disk are no models any more."""
    first = await api.wait(
        (await api.submit(SHORT, model="custom", pipeline=FULL))["job_id"], timeout=300
    )
    assert first["status"] == "completed", first["error_message"]
    saved = tmp_path / "saved"
    saved.mkdir()
    for key in ("entity", "coref", "quote"):
        shutil.copy2(tiny_models[key], saved / Path(tiny_models[key]).name)
        Path(tiny_models[key]).write_bytes(b"not a model")
    try:
        second = await api.wait(
            (await api.submit(SHORT[:3000], model="custom", pipeline=FULL))["job_id"],
            timeout=300,
        )
    finally:
        for key in ("entity", "coref", "quote"):
            shutil.copy2(saved / Path(tiny_models[key]).name, tiny_models[key])
    assert second["status"] == "completed", second["error_message"]


@pytest.mark.parametrize(
    "pipeline",
    [
        ["event"],
        ["quote"],
        ["supersense", "event"],
        ["entity", "coref"],
        ["entity", "supersense", "coref"],
    ],
)
async def test_pipelines_booknlp_cannot_run_get_400(api, pipeline):
    code, body = await api.json(
        "POST", "jobs", body={"text": SHORT, "model": "custom", "pipeline": pipeline}
    )
    assert code == 400 and "pipeline" in body["detail"], body


@pytest.mark.slow
def test_pipeline_rules_are_booknlps(tiny_models, tmp_path):
    """What check_pipeline accepts is what BookNLP's own process() runs to the end."""
    cases = [
        ["event"],
        ["entity", "coref"],
        ["quote"],
        ["entity", "event", "supersense"],
        ["entity", "quote", "coref"],
    ]
    codes = bare_booknlps(tiny_models, [(SHORT[:1500], tmp_path / "-".join(p), p) for p in cases])
    for pipeline, code in zip(cases, codes, strict=True):
        try:
            BookNLPEngine.check_pipeline("custom", pipeline)
            accepted = True
        except ValueError:
            accepted = False
        assert accepted == (code == 0), (pipeline, code)


async def test_force_delete_kills_running_job_and_next_runs(api):
    job = await api.submit(TEXT * 3, model="custom", pipeline=FULL)
    await api.wait(job["job_id"], statuses=("running",))
    while (await api.status(job["job_id"]))["stage"] in (None, "loading", "spacy"):
        await asyncio.sleep(0.05)
    code, _ = await api.json("DELETE", "jobs", job["job_id"], params={"force": "true"})
    assert code in (200, 202, 204)
    killed = await api.wait(job["job_id"])
    assert killed["status"] in ("cancelled", "failed")
    nxt = await api.wait(
        (await api.submit(SHORT, model="custom", pipeline=FULL))["job_id"], timeout=120
    )
    assert nxt["status"] == "completed", nxt["error_message"]


class ExitingCoref(BookNLPEngine):
    """Serves ``custom-exit``: the custom models, with a coref model whose output makes
    BookNLP's own `LitBankCoref.test` call ``sys.exit(1)`` (it exits on a -1 assignment)."""

    models = ("custom-exit",)

    @classmethod
    def check_pipeline(cls, model, pipeline):
        BookNLPEngine.check_pipeline("custom", pipeline)

    @classmethod
    def unavailable_reason(cls, model, options):
        return BookNLPEngine.unavailable_reason("custom", options)

    @classmethod
    def identity(cls, model, options):
        return BookNLPEngine.identity("custom", options)

    def load(self, model, pipeline):
        super().load("custom", pipeline)

    def run(self, text, *, model, pipeline, progress):
        self.load("custom", pipeline)
        coref = self._parts["custom", "coref"].model
        forward = coref.forward
        coref.forward = lambda *a, **k: [-1 for _ in forward(*a, **k)]
        try:
            return super().run(text, model="custom", pipeline=pipeline, progress=progress)
        finally:
            coref.forward = forward


@pytest.mark.parametrize("booknlp_overrides", [{"exiting": True}], indirect=True)
async def test_booknlp_sys_exit_fails_only_its_job(api):
    bad = await api.wait(
        (await api.submit(SHORT, model="custom-exit", pipeline=FULL))["job_id"], timeout=120
    )
    assert bad["status"] == "failed"
    assert "sys.exit(1)" in bad["error_message"] and "coref" in bad["error_message"], bad
    good = await api.wait(
        (await api.submit(SHORT, model="custom", pipeline=FULL))["job_id"], timeout=120
    )
    assert good["status"] == "completed", good["error_message"]
    code, stats = await api.json("GET", "jobs", "stats")
    assert code == 200 and stats["workers"][0]["engines"]["booknlp"]["device"] == "cpu"


async def test_corpus_writes_the_files_bare_booknlp_writes(api, tiny_models, jp_root_dir, tmp_path):
    """A corpus of two books through the server, with BookNLP's own pipeline: each book's
    files in ``output_dir`` are byte for byte those bare ``BookNLP.process()`` writes."""
    texts = {"pride": SHORT, "usher": (ROOT / "tests" / "fixtures" / "usher.txt").read_text()}
    (jp_root_dir / "pair").mkdir()
    for book_id, text in texts.items():
        (jp_root_dir / "pair" / f"{book_id}.txt").write_text(text[:6000], encoding="utf-8")
    code, corpus = await api.json("POST", "corpora", body={"folder": "pair", "model": "custom"})
    assert code == 200, corpus
    for _ in range(3000):
        code, view = await api.json("GET", "corpora", corpus["corpus_id"])
        if view["status"] == "completed":
            break
        await asyncio.sleep(0.1)
    assert view["counts"]["completed"] == 2, view
    out = jp_root_dir / "booknlp_output" / "pair"
    suffixes = [".tokens", ".entities", ".quotes", ".supersense", ".book", ".book.html"]
    bare_runs = [
        (text[:6000], tmp_path / f"bare-{book_id}", FULL) for book_id, text in texts.items()
    ]
    assert bare_booknlps(tiny_models, bare_runs) == [0, 0]
    for book_id in texts:
        bare = tmp_path / f"bare-{book_id}"
        for suffix in suffixes:
            ours = (out / f"{book_id}{suffix}").read_bytes()
            assert ours == (bare / f"book{suffix}").read_bytes(), (book_id, suffix)
    manifest = json.loads((out / "corpus.json").read_text())
    engines = {b["book_id"]: b["engine"] for b in manifest["books"]}
    assert set(engines) == set(texts)
    for engine in engines.values():  # the engine's version and its model files
        assert engine["engine"] == "booknlp" and engine["booknlp"] == "1.0.8"
        assert Path(tiny_models["entity"]).name in json.dumps(engine["files"])
