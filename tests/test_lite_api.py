"""The lite engine through the real API: stages, typed and consistent tables."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from booknlp_jupyter.results import TABLE_SCHEMAS

USHER = (Path(__file__).parent / "fixtures" / "usher.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("booknlp_overrides", [{"default_model": "lite"}])
async def test_lite_job_through_the_api(api):
    job = await api.submit(USHER, model="lite", book_id="usher")
    seen = []
    while True:
        status = await api.status(job["job_id"])
        seen.append((status["status"], status["progress"], status["stage"]))
        if status["status"] in ("completed", "failed"):
            break
        await asyncio.sleep(0.05)
    assert status["status"] == "completed", status["error_message"]
    progress = [p for _, p, _ in seen]
    assert progress == sorted(progress) and progress[-1] == 100
    stages = [s for _, _, s in seen if s]
    assert len(set(stages)) >= 3, stages  # it moves through real stages

    tables = {}
    for name in TABLE_SCHEMAS:
        r = await api.call(
            "GET", "jobs", job["job_id"], "result", name, params={"format": "parquet"}
        )
        tables[name] = pq.read_table(io.BytesIO(r.body))
        assert tables[name].schema.equals(TABLE_SCHEMAS[name]), name
    r = await api.call("GET", "jobs", job["job_id"], "result", "characters")
    characters = json.loads(r.body)

    tokens = tables["tokens"].to_pydict()
    n = len(tokens["word"])
    assert n == status["token_count"] > 5000
    assert tokens["token_ID_within_document"] == list(range(n))
    for start, end, word in zip(
        tokens["byte_onset"], tokens["byte_offset"], tokens["word"], strict=True
    ):
        assert USHER[start:end] == word
    entities = tables["entities"].to_pylist()
    assert entities and all(0 <= e["start_token"] <= e["end_token"] < n for e in entities)
    quotes = tables["quotes"].to_pylist()
    assert quotes and all(0 <= q["quote_start"] <= q["quote_end"] < n for q in quotes)
    for q in quotes:
        if q["mention_start"] is not None:
            assert 0 <= q["mention_start"] <= q["mention_end"] < n
    coref_ids = {e["COREF"] for e in entities}
    assert characters and all(c["id"] in coref_ids for c in characters)
    assert any("Usher" in c["name"] for c in characters[:5])
    for row in tables["supersenses"].to_pylist():
        assert 0 <= row["start_token"] <= row["end_token"] < n
    events = tables["events"].to_pylist()
    event_tokens = {i for i, e in enumerate(tokens["event"]) if e == "EVENT"}
    assert {e["token_ID_within_document"] for e in events} == event_tokens


@pytest.mark.parametrize("booknlp_overrides", [{"default_model": "lite"}])
async def test_ready_reports_the_warm_engine(api):
    job = await api.submit("A short story. Roderick Usher spoke.", model="lite")
    assert (await api.wait(job["job_id"]))["status"] == "completed"
    for _ in range(100):
        _, ready = await api.json("GET", "ready")
        lite = ready["workers"][0]["engines"].get("lite", {})
        if lite.get("spacy_model_version"):
            break
        await asyncio.sleep(0.05)
    assert lite.get("spacy_model_version"), ready  # facts of the instance that ran the job
    _, stats = await api.json("GET", "jobs", "stats")
    assert stats["devices"] == ["cpu"]
