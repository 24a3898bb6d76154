"""No handler answers without auth; token auth works; XSRF rules are jupyter_server's."""

from __future__ import annotations

import json
import re

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError

from booknlp_jupyter.server.handlers import api_handlers

_JOB = "00000000-0000-0000-0000-000000000000"
_PUBLIC = ("/health", "/ready")  # probes: tests/test_http_edges.py checks what they tell


def _urls() -> list[tuple[str, str]]:
    out = []
    for pattern, handler in api_handlers("booknlp"):
        path = re.sub(r"\(\?P<job_id>[^)]*\)", _JOB, pattern)
        path = re.sub(r"\(\?P<table>[^)]*\)", "tokens", path)
        path = re.sub(r"\(\?P<corpus_id>[^)]*\)", _JOB, path)
        if path.endswith(_PUBLIC):
            continue
        for method in ("GET", "HEAD", "POST", "DELETE"):
            if method.lower() in handler.__dict__:
                out.append((method, path))
    return out


@pytest.mark.parametrize(("method", "path"), _urls())
async def test_no_handler_answers_without_auth(api, http_server_client, jp_base_url, method, path):
    url = jp_base_url.rstrip("/") + path
    body = json.dumps({"text": "hi"}) if method == "POST" else None
    try:
        r = await http_server_client.fetch(
            url,
            method=method,
            body=body,
            raise_error=False,
            headers={"Content-Type": "application/json"},
        )
    except HTTPClientError as e:  # pragma: no cover - raise_error=False returns instead
        r = e.response
    assert r.code == 403, (method, path, r.code)
    if method != "HEAD":
        assert "authentication is required" in json.loads(r.body)["detail"]
    wrong = await http_server_client.fetch(
        url,
        method=method,
        body=body,
        raise_error=False,
        headers={"Authorization": "token wrong", "Content-Type": "application/json"},
    )
    assert wrong.code == 403


async def test_token_header_is_enough(api, http_server_client, jp_base_url, jp_serverapp):
    token = jp_serverapp.identity_provider.token
    r = await http_server_client.fetch(
        jp_base_url.rstrip("/") + "/booknlp/v1/jobs",
        method="POST",
        body=json.dumps({"text": "from a kernel"}),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        raise_error=False,
    )
    assert r.code == 200


async def test_cookie_post_without_xsrf_is_refused(
    api, http_server_client, jp_base_url, jp_serverapp
):
    """A browser session (cookie, no token header) must send the XSRF token."""
    token = jp_serverapp.identity_provider.token
    jar = []
    for path in ("/login", f"/api/status?token={token}"):  # an _xsrf cookie, a session cookie
        page = await http_server_client.fetch(
            jp_base_url.rstrip("/") + path,
            raise_error=False,
            follow_redirects=False,
            headers={"Cookie": "; ".join(jar)},
        )
        jar += [c.split(";")[0] for c in page.headers.get_list("Set-Cookie")]
    cookies = "; ".join(jar)
    assert "_xsrf=" in cookies
    r = await http_server_client.fetch(
        jp_base_url.rstrip("/") + "/booknlp/v1/jobs",
        method="POST",
        body=json.dumps({"text": "csrf attempt"}),
        headers={"Cookie": cookies, "Content-Type": "application/json"},
        raise_error=False,
    )
    assert r.code == 403
    xsrf = next(c.split("=", 1)[1] for c in cookies.split("; ") if c.startswith("_xsrf="))
    r = await http_server_client.fetch(
        jp_base_url.rstrip("/") + "/booknlp/v1/jobs",
        method="POST",
        body=json.dumps({"text": "with xsrf"}),
        headers={"Cookie": cookies, "Content-Type": "application/json", "X-XSRFToken": xsrf},
        raise_error=False,
    )
    assert r.code == 200


class DenyBookNLP(Authorizer):
    """Allows everything but the ``booknlp`` resource."""

    def is_authorized(self, handler, user, action, resource):
        return resource != "booknlp"


@pytest.mark.parametrize("server_overrides", [{"authorizer_class": DenyBookNLP}])
@pytest.mark.parametrize(("method", "path"), _urls())
async def test_every_handler_asks_the_authorizer_for_booknlp(
    jp_fetch, jp_serverapp, method, path, server_overrides
):
    body = json.dumps({"text": "hi"}) if method == "POST" else None
    r = await jp_fetch(
        *path.strip("/").split("/"),
        method=method,
        body=body,
        raise_error=False,
        headers={"Content-Type": "application/json"},
    )
    assert r.code == 403, (method, path, r.code)
    status = await jp_fetch("api", "status", raise_error=False)
    assert status.code == 200  # the same user may use the rest of the server
