"""A real JupyterHub on loopback: the shared BookNLP service for hub users, per-user
servers that forward to it, and activity reporting for the idle culler.

Needs `configurable-http-proxy` (npm); `.ci/run` installs it.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from .procs import ROOT, ManagedProcess, free_port, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not shutil.which("configurable-http-proxy"),
        reason="needs configurable-http-proxy from npm (.ci/run installs it)",
    ),
]

HUB_CONFIG = """
import sys
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = "{tmp}/proxy.pid"
c.JupyterHub.db_url = "sqlite:///{tmp}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{tmp}/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {{"alice", "bob", "root"}}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{tmp}/home/{{username}}"
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.args = ["--allow-root"]
c.Spawner.start_timeout = 60
c.Spawner.environment = {{
    "PYTHONPATH": "{root}",
    "JUPYTER_CONFIG_DIR": "{tmp}/user-config",
    "JUPYTERHUB_ACTIVITY_INTERVAL": "1",
    "BOOKNLP_SERVICE_URL": lambda spawner: (
        "http://127.0.0.1:{port}/services/booknlp/v1" if spawner.user.name == "alice" else ""),
}}
c.Spawner.server_token_scopes = [
    "users:activity!user", "access:servers!server", "access:services!service=booknlp",
]
c.JupyterHub.custom_scopes = {{
    "custom:booknlp:admin": {{"description": "See and cancel every user's BookNLP jobs"}},
}}
c.JupyterHub.load_roles = [
    {{"name": "user", "scopes": ["self", "access:services!service=booknlp"]}},
    {{"name": "booknlp-admin", "users": ["root"], "scopes": ["custom:booknlp:admin"]}},
    {{"name": "tester", "services": ["tester"],
      "scopes": ["admin:users", "tokens", "admin:servers", "read:users"]}},
]
c.JupyterHub.services = [
    {{"name": "tester", "api_token": "{tester_token}"}},
    {{"name": "booknlp", "url": "http://127.0.0.1:{svc_port}", "oauth_no_confirm": True,
      "command": [sys.executable, "-m", "booknlp_jupyter", "serve", "--hub",
                  "--data-dir", "{tmp}/service", "--config", "{tmp}/service_config.py"],
      "environment": {{"PYTHONPATH": "{root}"}}}},
]
"""

SERVICE_CONFIG = """
c.BookNLPApp.engines = {"controlled": "tests.engines:ControlledEngine"}
c.BookNLPApp.default_model = "test"
c.BookNLPApp.max_pending_per_user = 2
"""

USER_CONFIG = """
c.BookNLPApp.engines = {{"controlled": "tests.engines:ControlledEngine"}}
c.BookNLPApp.default_model = "test"
c.BookNLPApp.data_dir = "{tmp}/user-data"
"""


class Hub(ManagedProcess):
    """``jupyterhub`` with its proxy, the shared BookNLP service and a ``tester`` service
    token for the hub's REST API; ready once the hub and the BookNLP service answer."""

    name = "jupyterhub"
    start_timeout = 90
    stop_timeout = 30
    ready_errors = (httpx.HTTPError,)

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.port, self.tester = free_port(), "tester-token-0123456789"
        (tmp / "user-config").mkdir()
        (tmp / "home").mkdir()
        (tmp / "service_config.py").write_text(SERVICE_CONFIG)
        (tmp / "user-config" / "jupyter_server_config.py").write_text(USER_CONFIG.format(tmp=tmp))
        (tmp / "jupyterhub_config.py").write_text(
            HUB_CONFIG.format(
                port=self.port,
                hub_port=free_port(),
                proxy_api_port=free_port(),
                svc_port=free_port(),
                tmp=tmp,
                root=ROOT,
                tester_token=self.tester,
            )
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.api = httpx.Client(
            base_url=f"{self.url}/hub/api",
            headers={"Authorization": f"token {self.tester}"},
            timeout=30,
        )
        super().__init__(
            [sys.executable, "-m", "jupyterhub", "-f", str(tmp / "jupyterhub_config.py")],
            tmp / "hub.log",
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=tmp,
        )

    def ready(self) -> bool:
        if self.api.get("/").status_code != 200:
            return False
        with self.service("root-token-unused") as service:
            return service.get("/ready").status_code in (200, 403)

    def token(self, user: str) -> str:
        r = self.api.post(f"/users/{user}/tokens", json={"note": "test"})
        assert r.status_code == 201, r.text
        return r.json()["token"]

    def service(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.url}/services/booknlp/v1",
            timeout=30,
            headers={"Authorization": f"token {token}"},
        )

    def user_server(self, user: str, token: str) -> httpx.Client:
        r = self.api.post(f"/users/{user}/server")
        assert r.status_code in (201, 202), r.text
        wait_until(
            lambda: self.api.get(f"/users/{user}").json()["servers"][""]["ready"],
            90,
            lambda: f"{user}'s server to be ready; hub log:\n{self.tail(4000)}",
            interval=0.3,
            ignore=(httpx.HTTPError, KeyError),
        )
        return httpx.Client(
            base_url=f"{self.url}/user/{user}/booknlp/v1",
            timeout=30,
            headers={"Authorization": f"token {token}"},
        )


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    hub = Hub(tmp_path_factory.mktemp("hub")).start()
    yield hub
    hub.stop()


def _wait_status(client, job_id, statuses=("completed", "failed", "cancelled"), timeout=60):
    def reached():
        body = client.get(f"/jobs/{job_id}").json()
        return body if body["status"] in statuses else None

    return wait_until(reached, timeout, f"job {job_id} to be {'/'.join(statuses)}", interval=0.1)


def test_shared_service_isolates_users_and_limits_them(hub, tmp_path):
    alice, bob, root = (hub.service(hub.token(u)) for u in ("alice", "bob", "root"))
    gate = tmp_path / "gate"
    running = alice.post("/jobs", json={"text": f"@gate {gate}\nalice holds the GPU"})
    assert running.status_code == 200, running.text
    assert running.json()["owner"] == "alice"
    mine = [alice.post("/jobs", json={"text": f"alice {i}"}) for i in range(3)]
    assert [r.status_code for r in mine] == [200, 200, 429]
    assert "limit per user is 2" in mine[2].json()["detail"]
    theirs = bob.post("/jobs", json={"text": "bob's book"})
    assert theirs.status_code == 200
    job_id = running.json()["job_id"]
    assert bob.get(f"/jobs/{job_id}").status_code == 404
    assert bob.delete(f"/jobs/{mine[0].json()['job_id']}").status_code == 404
    assert bob.get("/jobs").json()["total"] == 1
    assert root.get("/jobs").json()["total"] == 4, "the admin scope sees everyone's jobs"
    # alice's job is running, so bob's one book runs next: round-robin between users
    assert bob.get(f"/jobs/{theirs.json()['job_id']}").json()["queue_position"] == 1
    kernels = httpx.post(
        f"{hub.url}/services/booknlp/api/kernels", timeout=10, headers=alice.headers, json={}
    )
    assert kernels.status_code == 403, "hub users must not run code on the service host"
    nobody = httpx.get(
        f"{hub.url}/services/booknlp/v1/jobs/stats", timeout=10, follow_redirects=False
    )
    assert nobody.status_code in (302, 403)
    gate.touch()
    done = [_wait_status(root, r.json()["job_id"]) for r in (running, mine[0], mine[1], theirs)]
    order = [d["owner"] for d in sorted(done, key=lambda d: d["started_at"])]
    assert order == ["alice", "bob", "alice", "alice"]


def test_user_server_forwards_to_the_service(hub):
    token = hub.token("alice")
    server = hub.user_server("alice", token)
    r = server.post("/jobs", json={"text": "from alice's own server"})
    assert r.status_code == 200, r.text
    job = r.json()
    assert job["owner"] == "alice", "the service must see alice, through her server's token"
    assert hub.service(token).get(f"/jobs/{job['job_id']}").status_code == 200
    assert _wait_status(server, job["job_id"])["status"] == "completed"


def test_running_job_is_activity_polling_is_not(hub):
    token = hub.token("bob")
    server = hub.user_server("bob", token)

    def last_activity() -> datetime:
        stamp = hub.api.get("/users/bob").json()["servers"][""]["last_activity"]
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))

    job = server.post("/jobs", json={"text": "@sleep 5\nbob's long job"}).json()
    assert job["owner"] is None  # bob's own server runs it itself
    _wait_status(server, job["job_id"], ("running",))
    started = last_activity()
    time.sleep(3.5)  # no requests at all meanwhile
    assert last_activity() > started, "a running job must keep the server from the culler"
    _wait_status(server, job["job_id"])
    time.sleep(2.5)
    idle = last_activity()
    for _ in range(10):
        server.get(f"/jobs/{job['job_id']}")
        server.get("/jobs/stats")
    time.sleep(2.5)
    assert last_activity() == idle, "status polling alone kept the server alive"
