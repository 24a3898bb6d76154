"""Jobs that belong to users: isolation, admins, the per-user limit, round-robin
fairness, and activity reporting for the idle culler."""

from __future__ import annotations

import asyncio
import json

import pytest
from jupyter_server.auth.identity import IdentityProvider, User

from .conftest import Api

TOKENS = {"alice-token": "alice", "bob-token": "bob", "carol-token": "carol", "root-token": "root"}


class TokenUsers(IdentityProvider):
    """Test identities: ``Authorization: token <name>-token`` is user ``<name>`` (the real
    deployment gets users from JupyterHub; tests/test_hub.py covers that)."""

    def get_user(self, handler):
        auth = handler.request.headers.get("Authorization", "")
        name = TOKENS.get(auth.removeprefix("token ").strip())
        if not name:
            return None
        handler._token_authenticated = True  # header tokens need no XSRF, as in Jupyter
        return User(username=name)


pytestmark = [
    pytest.mark.parametrize("server_overrides", [{"identity_provider_class": TokenUsers}]),
    pytest.mark.parametrize(
        "booknlp_overrides",
        [
            {
                "per_user_jobs": True,
                "max_pending_per_user": 4,
                "admin_users": {"root"},
            }
        ],
    ),
]


class Users:
    """An `Api` per test user (``users["alice"]``), all on one server; ``users.admin`` is
    root, who sees every job."""

    def __init__(self, api: Api):
        self.api = api

    def __getitem__(self, name: str) -> Api:
        return self.api.as_user({"Authorization": f"token {name}-token"})

    @property
    def admin(self) -> Api:
        return self["root"]

    async def submit(self, user: str, text: str) -> str:
        return (await self[user].submit(text))["job_id"]


@pytest.fixture
def users(jp_fetch, jp_serverapp, jp_asyncio_loop, server_overrides, booknlp_overrides):
    users = Users(Api(jp_fetch, jp_serverapp))
    jp_asyncio_loop.run_until_complete(users.admin.ready())
    return users


async def test_users_see_only_their_own_jobs(users, gate):
    mine = await users.submit("alice", f"{gate.directive}\nalice's book")
    assert (await users["alice"].json("GET", "jobs", mine))[0] == 200
    assert (await users["bob"].json("GET", "jobs", mine))[0] == 404
    assert (await users["bob"].json("GET", "jobs", mine, "result"))[0] == 404
    assert (await users["bob"].json("DELETE", "jobs", mine, params={"force": "true"}))[0] == 404
    assert (await users["bob"].json("GET", "jobs"))[1]["total"] == 0
    _, body = await users.admin.json("GET", "jobs")
    assert body["total"] == 1 and body["jobs"][0]["owner"] == "alice"
    same = await users.submit("bob", f"{gate.directive}\nalice's book")
    assert same != mine, "another user's identical text is their own job"
    gate.open()
    await users.admin.wait(mine)
    assert (await users["alice"].json("GET", "jobs", mine, "result"))[0] == 200


async def test_per_user_limit_is_429(users, gate):
    await users.submit("carol", f"{gate.directive}\nrunning")
    for i in range(4):
        await users.submit("alice", f"alice {i}")
    r = await users["alice"].call("POST", "jobs", body={"text": "alice 4"})
    code, body = r.code, json.loads(r.body)
    assert code == 429 and "limit per user is 4" in body["detail"]
    assert int(r.headers["Retry-After"]) >= 1
    await users.submit("bob", "bob may still submit")
    gate.open()


async def test_round_robin_between_users(users, gate):
    await users.submit("carol", f"{gate.directive}\nholds the worker")
    alice = [await users.submit("alice", f"alice {i}") for i in range(4)]
    bob = await users.submit("bob", "bob's one book")
    positions = {
        j: (await users.admin.json("GET", "jobs", j))[1]["queue_position"] for j in [*alice, bob]
    }
    assert positions[alice[0]] == 1 and positions[bob] == 2
    assert [positions[j] for j in alice[1:]] == [3, 4, 5]
    gate.open()
    finished = [await users.admin.wait(j) for j in [*alice, bob]]
    order = [f["job_id"] for f in sorted(finished, key=lambda f: f["started_at"])]
    assert order == [alice[0], bob, *alice[1:]]


async def test_polling_is_not_activity_but_running_jobs_are(users, jp_serverapp, gate):
    web = jp_serverapp.web_app
    await asyncio.sleep(0.05)
    before = web.last_activity()
    for _ in range(5):
        await users["alice"].call("GET", "jobs", "stats")
        await users["alice"].call("GET", "jobs")
    assert web.last_activity() == before, "status polling kept the server alive"
    job = await users.submit("alice", "@sleep 1\nworking")
    submitted = web.last_activity()
    assert submitted > before
    await users.admin.wait(job, ("running",))
    await asyncio.sleep(0.6)
    assert web.last_activity() > submitted, "a running job did not count as activity"


async def test_stats_show_a_user_only_their_own_job_ids(users, gate):
    running = await users.submit("alice", f"{gate.directive}\nalice runs")
    await users.admin.wait(running, ("running",))
    _, theirs = await users["bob"].json("GET", "jobs", "stats")
    _, hers = await users["alice"].json("GET", "jobs", "stats")
    _, admin = await users.admin.json("GET", "jobs", "stats")
    assert [w["job_id"] for w in theirs["workers"]] == [None]
    assert theirs["running"] == 1  # the numbers stay true; only the id is hidden
    assert [w["job_id"] for w in hers["workers"]] == [running]
    assert [w["job_id"] for w in admin["workers"]] == [running]
    gate.open()
    await users.admin.wait(running)


async def test_current_activity_reports_waiting_and_running_jobs(users, jp_serverapp, gate):
    """``ServerApp.shutdown_no_activity_timeout`` asks extensions for activity."""
    assert not jp_serverapp.extension_manager.any_activity()
    job = await users.submit("alice", f"{gate.directive}\nkeeps the server up")
    assert jp_serverapp.extension_manager.any_activity()
    gate.open()
    await users.admin.wait(job)
    assert not jp_serverapp.extension_manager.any_activity()


async def test_corpora_are_per_user_and_share_the_worker_fairly(api, jp_root_dir):
    """Alice's corpus of 10 books neither hides from Bob's job nor from her own: each
    single job runs after at most one more corpus book, and only Alice (and the admin)
    sees her corpus."""
    users = Users(api)
    folder = jp_root_dir / "alice-novels"
    folder.mkdir()
    for i in range(10):
        (folder / f"b{i}.txt").write_text(f"@sleep 0.4\nEmma {i}.\n", encoding="utf-8")
    code, corpus = await users["alice"].json("POST", "corpora", body={"folder": "alice-novels"})
    assert code == 200, corpus
    cid = corpus["corpus_id"]
    await asyncio.sleep(0.6)  # the feeder has filled the corpus's share of the queue
    bob = await users.submit("bob", "@sleep 0.1\nbob's own")
    alice = await users.submit("alice", "@sleep 0.1\nalice's own")  # not held by her corpus
    for user, job_id in (("bob", bob), ("alice", alice)):
        done = await users[user].wait(job_id, timeout=60)
        assert done["status"] == "completed"
        _, state = await users["alice"].json("GET", "corpora", cid)
        assert state["counts"]["completed"] <= 4, (user, state["counts"])

    assert (await users["bob"].json("GET", "corpora", cid))[0] == 404
    assert (await users["bob"].json("DELETE", "corpora", cid))[0] == 404
    assert (await users["bob"].json("GET", "corpora"))[1]["total"] == 0
    assert (await users.admin.json("GET", "corpora", cid))[0] == 200
    code, mine = await users["alice"].json("GET", "corpora")
    assert [c["corpus_id"] for c in mine["corpora"]] == [cid]
