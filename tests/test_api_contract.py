"""What spec-following clients rely on: every submission a new job (reusing a stored
result when the request is identical), the spec's pipeline names, models that cannot run
refused at submit."""

from __future__ import annotations

import json

import pytest


async def test_every_submission_is_a_new_job_and_reuses_a_stored_result(api, gate):
    text = f"{gate.directive}\nsame text"
    first = await api.submit(text, book_id="first")
    await api.wait(first["job_id"], ("running",))
    twin = await api.submit(text, book_id="twin")  # while the first still runs
    assert twin["job_id"] != first["job_id"] and twin["book_id"] == "twin"
    assert twin["status"] == "pending" and twin["queue_position"] == 1
    assert twin["reused_from"] is None
    other_model = await api.submit(text, model="test-b")
    assert other_model["job_id"] not in (first["job_id"], twin["job_id"])
    gate.open()
    await api.wait(first["job_id"])
    done = await api.wait(twin["job_id"])  # the newest stored result of the text
    # an identical request with a stored result: a new job, pending as the spec
    # shows it, completed from the stored result without running the engine
    r = await api.call("POST", "jobs", body={"text": text, "book_id": "again"})
    assert r.code == 200
    again = json.loads(r.body)
    assert again["job_id"] != first["job_id"] and again["book_id"] == "again"
    assert again["status"] == "pending" and again["queue_position"] == 1
    assert again["reused_from"] == twin["job_id"]
    finished = await api.wait(again["job_id"])
    assert finished["status"] == "completed" and finished["reused_from"] == twin["job_id"]
    assert finished["token_count"] == done["token_count"]
    assert finished["processing_time_ms"] == 0, "the engine ran for a reused result"
    mine = json.loads((await api.call("GET", "jobs", again["job_id"], "result")).body)
    theirs = json.loads((await api.call("GET", "jobs", twin["job_id"], "result")).body)
    assert mine["result"] == theirs["result"] and mine["book_id"] == "again"
    # the original's result expiring does not take the reuser's with it
    assert (await api.call("DELETE", "jobs", twin["job_id"], "result")).code == 200
    assert (await api.call("GET", "jobs", again["job_id"], "result")).code == 200
    stats = (await api.json("GET", "jobs", "stats"))[1]
    assert stats["total_jobs"] == 4


async def test_plural_pipeline_names_and_empty_model(api):
    code, body = await api.json(
        "POST",
        "jobs",
        body={
            "text": "aliases",
            "pipeline": ["entities", "quotes", "supersenses", "events", "entity"],
        },
    )
    assert code == 200 and body["pipeline"] == ["entity", "quote", "supersense", "event"]
    code, body = await api.json("POST", "jobs", body={"text": "no model", "model": ""})
    assert code == 400 and "model" in body["detail"]


async def test_changed_model_files_run_again(api, monkeypatch):
    first = await api.wait((await api.submit("model files change"))["job_id"])
    monkeypatch.setenv("BOOKNLP_TEST_MODEL_VERSION", "2")  # e.g. a new custom model file
    again = await api.submit("model files change")
    assert again["reused_from"] is None
    done = await api.wait(again["job_id"])
    assert done["status"] == "completed" and done["reused_from"] is None
    assert done["started_at"] > first["completed_at"]
    same = await api.wait((await api.submit("model files change"))["job_id"])
    assert same["reused_from"] == again["job_id"]


@pytest.mark.parametrize(
    "booknlp_overrides",
    [
        {
            "engines": {
                "controlled": "tests.engines:ControlledEngine",
                "missing": "tests.lab_engines:MissingEngine",
            }
        }
    ],
)
async def test_a_model_that_cannot_run_is_refused_at_submit(api):
    code, body = await api.json("POST", "jobs", body={"text": "never runs", "model": "missing"})
    assert code == 400 and "booknlp-jupyter download missing" in body["detail"]
    assert (await api.json("GET", "jobs", "stats"))[1]["total_jobs"] == 0
    code, ready = await api.json("GET", "ready")
    assert code == 200 and "missing" in ready["models"]
    assert "missing" not in ready["available_models"] and "test" in ready["available_models"]
    assert "download missing" in ready["unavailable_models"]["missing"]
    stats = (await api.json("GET", "jobs", "stats"))[1]
    assert stats["available_models"] == ready["available_models"]
