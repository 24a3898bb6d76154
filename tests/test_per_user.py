"""Jobs that belong to users: isolation, admins, the per-user limit, round-robin
fairness, and activity reporting for the idle culler."""

from __future__ import annotations

import asyncio
import json

import pytest
from jupyter_server.auth.identity import IdentityProvider, User

TOKENS = {"alice-token": "alice", "bob-token": "bob", "carol-token": "carol",
          "root-token": "root"}


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
    pytest.mark.parametrize("booknlp_overrides", [{
        "per_user_jobs": True, "max_pending_per_user": 4, "admin_users": {"root"},
    }]),
]


def as_user(name: str) -> dict[str, str]:
    return {"Authorization": f"token {name}-token", "Content-Type": "application/json"}


class Users:
    def __init__(self, jp_fetch):
        self.jp_fetch = jp_fetch

    async def call(self, user, method, *path, body=None, **kw):
        if method == "POST" and body is None:
            body = ""
        r = await self.jp_fetch("booknlp", "v1", *path, method=method, raise_error=False,
                                headers=as_user(user),
                                body=json.dumps(body) if isinstance(body, dict) else body,
                                **kw)
        return r.code, (json.loads(r.body) if r.body else None), r

    async def submit(self, user, text):
        code, body, _ = await self.call(user, "POST", "jobs", body={"text": text})
        assert code == 202, body
        return body["job_id"]

    async def ready(self):
        for _ in range(600):
            if (await self.call("root", "GET", "ready"))[0] == 200:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("worker not ready")

    async def wait(self, job_id, statuses=("completed", "failed", "cancelled")):
        for _ in range(2000):
            body = (await self.call("root", "GET", "jobs", job_id))[1]
            if body["status"] in statuses:
                return body
            await asyncio.sleep(0.02)
        raise AssertionError(f"{job_id} still {body['status']}")


@pytest.fixture
def users(jp_fetch, jp_serverapp, jp_asyncio_loop, server_overrides, booknlp_overrides):
    users = Users(jp_fetch)
    jp_asyncio_loop.run_until_complete(users.ready())
    return users


async def test_users_see_only_their_own_jobs(users, gate):
    mine = await users.submit("alice", f"{gate.directive}\nalice's book")
    assert (await users.call("alice", "GET", "jobs", mine))[0] == 200
    assert (await users.call("bob", "GET", "jobs", mine))[0] == 404
    assert (await users.call("bob", "GET", "jobs", mine, "result"))[0] == 404
    assert (await users.call("bob", "DELETE", "jobs", mine, params={"force": "true"}))[0] == 404
    assert (await users.call("bob", "GET", "jobs"))[1]["total"] == 0
    _, body, _ = await users.call("root", "GET", "jobs")
    assert body["total"] == 1 and body["jobs"][0]["owner"] == "alice"
    same = await users.submit("bob", f"{gate.directive}\nalice's book")
    assert same != mine, "another user's identical text is their own job"
    gate.open()
    await users.wait(mine)
    assert (await users.call("alice", "GET", "jobs", mine, "result"))[0] == 200


async def test_per_user_limit_is_429(users, gate):
    await users.submit("carol", f"{gate.directive}\nrunning")
    for i in range(4):
        await users.submit("alice", f"alice {i}")
    code, body, r = await users.call("alice", "POST", "jobs", body={"text": "alice 4"})
    assert code == 429 and "limit per user is 4" in body["detail"]
    assert int(r.headers["Retry-After"]) >= 1
    await users.submit("bob", "bob may still submit")
    gate.open()


async def test_round_robin_between_users(users, gate):
    await users.submit("carol", f"{gate.directive}\nholds the worker")
    alice = [await users.submit("alice", f"alice {i}") for i in range(4)]
    bob = await users.submit("bob", "bob's one book")
    positions = {j: (await users.call("root", "GET", "jobs", j))[1]["queue_position"]
                 for j in [*alice, bob]}
    assert positions[alice[0]] == 1 and positions[bob] == 2
    assert [positions[j] for j in alice[1:]] == [3, 4, 5]
    gate.open()
    finished = [await users.wait(j) for j in [*alice, bob]]
    order = [f["job_id"] for f in sorted(finished, key=lambda f: f["started_at"])]
    assert order == [alice[0], bob, *alice[1:]]


async def test_polling_is_not_activity_but_running_jobs_are(users, jp_serverapp, gate):
    web = jp_serverapp.web_app
    await asyncio.sleep(0.05)
    before = web.last_activity()
    for _ in range(5):
        await users.call("alice", "GET", "jobs", "stats")
        await users.call("alice", "GET", "jobs")
    assert web.last_activity() == before, "status polling kept the server alive"
    job = await users.submit("alice", "@sleep 1\nworking")
    submitted = web.last_activity()
    assert submitted > before
    await users.wait(job, ("running",))
    await asyncio.sleep(0.6)
    assert web.last_activity() > submitted, "a running job did not count as activity"
