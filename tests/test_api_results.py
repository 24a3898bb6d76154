"""Results through a real Jupyter server (pytest-jupyter's jp_fetch): status codes,
body types, ETag and gzip, single tables in three formats, expiry and deletion."""

from __future__ import annotations

import gzip
import io
import json

import pyarrow.parquet as pq
import pytest

from .test_api_jobs import _running


async def test_result_status_codes(api, gate):
    job = await _running(api, f"{gate.directive}\nwait for it")
    r = await api.call("GET", "jobs", job["job_id"], "result")
    assert r.code == 425 and int(r.headers["Retry-After"]) >= 1
    assert json.loads(r.body)["status"] == "running"
    pending = await api.submit("queued")
    r = await api.call("GET", "jobs", pending["job_id"], "result")
    assert r.code == 425
    gate.open()
    await api.wait(job["job_id"])
    failed = await api.submit("@fail the engine broke")
    await api.wait(failed["job_id"])
    code, out = await api.json("GET", "jobs", failed["job_id"], "result")
    assert code == 409 and out["status"] == "failed" and "the engine broke" in out["detail"]
    code, out = await api.json("GET", "jobs", "nope", "result")
    assert code == 404


async def test_result_body_types_etag_gzip(api):
    job = await api.submit("Emma Woodhouse , handsome , clever", book_id="emma")
    await api.wait(job["job_id"])
    r = await api.call("GET", "jobs", job["job_id"], "result", decompress_response=False)
    assert "Content-Encoding" not in r.headers
    body = json.loads(r.body)
    assert body["status"] == "completed" and body["book_id"] == "emma"
    assert body["token_count"] == 6 and isinstance(body["processing_time_ms"], int)
    assert set(body["result"]) == {
        "tokens",
        "entities",
        "quotes",
        "characters",
        "events",
        "supersenses",
    }
    token = body["result"]["tokens"][1]
    assert token["word"] == "Woodhouse" and token["byte_onset"] == 5
    assert isinstance(token["token_ID_within_document"], int)
    quote = body["result"]["quotes"][0]
    assert quote["char_id"] is None and quote["mention_phrase"] is None
    etag = r.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = await api.call(
        "GET",
        "jobs",
        job["job_id"],
        "result",
        headers={"If-None-Match": etag},
        decompress_response=False,
    )
    assert again.code == 304
    gz = await api.call(
        "GET",
        "jobs",
        job["job_id"],
        "result",
        headers={"Accept-Encoding": "gzip"},
        decompress_response=False,
    )
    assert gz.headers["Content-Encoding"] == "gzip" and gz.headers["ETag"] != etag
    assert json.loads(gzip.decompress(gz.body)) == body


async def test_single_tables_in_three_formats(api):
    job = await api.submit("Mr Darcy met Elizabeth")
    await api.wait(job["job_id"])
    r = await api.call("GET", "jobs", job["job_id"], "result", "tokens")
    rows = json.loads(r.body)
    assert [t["word"] for t in rows] == ["Mr", "Darcy", "met", "Elizabeth"]
    assert r.headers["X-Row-Count"] == "4"
    r = await api.call("GET", "jobs", job["job_id"], "result", "entities", params={"format": "csv"})
    lines = r.body.decode().splitlines()
    assert lines[0].replace('"', "") == "COREF,start_token,end_token,prop,cat,text"
    assert len(lines) == 1 + 3
    r = await api.call(
        "GET", "jobs", job["job_id"], "result", "tokens", params={"format": "parquet"}
    )
    table = pq.read_table(io.BytesIO(r.body))
    assert table.num_rows == 4 and str(table.schema.field("byte_onset").type) == "int64"
    r = await api.call("GET", "jobs", job["job_id"], "result", "characters")
    assert [c["name"] for c in json.loads(r.body)] == ["Mr", "Darcy", "Elizabeth"]
    code, out = await api.json("GET", "jobs", job["job_id"], "result", "nonsense")
    assert code == 404 and "tokens" in out["detail"]
    code, out = await api.json(
        "GET", "jobs", job["job_id"], "result", "tokens", params={"format": "xml"}
    )
    assert code == 400


@pytest.mark.parametrize("booknlp_overrides", [{"job_ttl_seconds": 0.5}])
async def test_results_expire(api, jp_serverapp):
    job = await api.submit("short lived")
    await api.wait(job["job_id"], ("completed",))
    result_dir = jp_serverapp.web_app.settings["booknlp_service"].store.result_path(job["job_id"])
    assert result_dir.exists()
    expired = await api.wait(job["job_id"], ("expired",), timeout=10)
    assert expired["status"] == "expired"
    code, out = await api.json("GET", "jobs", job["job_id"], "result")
    assert code == 404 and "expired" in out["detail"]
    assert not result_dir.exists()


async def test_delete_result_frees_it_now(api, gate, jp_serverapp):
    job = await api.submit("clean up after me")
    await api.wait(job["job_id"])
    code, out = await api.json("DELETE", "jobs", job["job_id"], "result")
    assert code == 200 and out["status"] == "expired"
    store = jp_serverapp.web_app.settings["booknlp_service"].store
    assert not store.result_path(job["job_id"]).exists()
    assert (await api.call("GET", "jobs", job["job_id"], "result")).code == 404
    running = await _running(api, f"{gate.directive}\nbusy")
    assert (await api.call("DELETE", "jobs", running["job_id"], "result")).code == 409
    gate.open()
