async def test_submit_and_complete(api):
    job = await api.submit("Hello Elizabeth and Darcy")
    assert job["status"] == "pending"
    done = await api.wait(job["job_id"])
    assert done["status"] == "completed", done
    code, body = await api.json("GET", "jobs", job["job_id"], "result")
    assert code == 200
    assert [t["word"] for t in body["result"]["tokens"]] == ["Hello", "Elizabeth", "and", "Darcy"]
