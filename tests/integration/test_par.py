"""Pushed authorization requests (RFC 9126) and request objects (OpenID
Connect Core §6, RFC 9101): openid-client 5.x drives them end to end
(tests/sdk/par.js); the rest over plain HTTP: the endpoint's errors,
expiry, enforcement by client (Hydra's admin API, Dynamic Client
Registration, /v1/applications' enforce_par) and by configuration."""

import base64
import http.server
import json
import os
import shutil
import subprocess
import threading
import time

import pytest
import requests

from conftest import Server, free_port
from flowlib import auth_url, go, new_client, pkce, qs

NODE = shutil.which("node")
URN = "urn:ietf:params:oauth:request_uri:"
STEPS = ["discover", "register", "push", "par_flow", "reused_request_uri",
         "other_clients_request_uri", "request_object",
         "par_with_request_object", "bad_signature", "par_errors",
         "par_required"]


def run_par_js(server, sdk_dir):
    cmd = [NODE, "par.js", server.adm, server.pub, server.pub + "/"]
    r = subprocess.run(cmd, cwd=sdk_dir, capture_output=True, text=True,
                       timeout=180)
    shown = f"exit {r.returncode}\nstderr:\n{r.stderr}\nstdout:\n{r.stdout}"
    steps = []
    for line in r.stdout.splitlines():
        rep = json.loads(line)
        assert rep.get("ok") is True, f"{rep.get('step')} failed\n{shown}"
        steps.append(rep["step"])
    assert r.returncode == 0, shown
    assert steps == STEPS, shown


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_openid_client_par_and_request_objects(server, sdk_dir):
    run_par_js(server, sdk_dir)


def push(server, client, **params):
    body = {"response_type": "code", "scope": "openid",
            "redirect_uri": client["redirect_uris"][0],
            "state": "state-" + os.urandom(6).hex()}
    body.update({k: v for k, v in params.items() if v is not None})
    return requests.post(server.pub + "/oauth2/par", data=body,
                         auth=(client["client_id"], client["client_secret"]))


def pushed(server, client, **params):
    r = push(server, client, **params)
    assert r.status_code == 201, r.text
    assert r.headers["Cache-Control"] == "no-store"
    body = r.json()
    assert set(body) == {"request_uri", "expires_in"}
    assert body["request_uri"].startswith(URN)
    return body


def use(server, client, request_uri, **extra):
    p = dict(request_uri=request_uri, redirect_uri=None, response_type=None,
             scope=None, state=None)
    p.update(extra)
    return go(requests.Session(), auth_url(server, client, **p))


def test_discovery(server):
    d = requests.get(server.pub + "/.well-known/openid-configuration").json()
    assert d["pushed_authorization_request_endpoint"] == \
        server.pub + "/oauth2/par"
    assert d["require_pushed_authorization_requests"] is False
    assert d["request_parameter_supported"] is True
    assert d["request_uri_parameter_supported"] is True
    assert d["require_request_uri_registration"] is True
    assert {"none", "RS256", "ES256"} <= set(
        d["request_object_signing_alg_values_supported"])


def test_pushed_request_used_once(server):
    c = new_client(server)
    body = pushed(server, c, scope="openid offline_access")
    assert body["expires_in"] == 60
    loc = use(server, c, body["request_uri"],
              scope="profile")   # ignored: the pushed scope counts
    assert loc.startswith(server.pub + "/ui/login?"), loc
    ch = qs(loc)["login_challenge"]
    got = requests.get(server.adm + "/admin/oauth2/auth/requests/login",
                       params={"login_challenge": ch}).json()
    assert got["requested_scope"] == ["openid", "offline_access"]
    loc = use(server, c, body["request_uri"])
    p = qs(loc)
    assert loc.startswith(c["redirect_uris"][0]), loc
    assert p["error"] == "invalid_request_uri", p


@pytest.mark.parametrize("uri,code", [
    (URN + "nope", "invalid_request_uri"),
    (URN, "invalid_request_uri"),
    ("https://rp.example/request.jwt", "invalid_request_uri"),
])
def test_unknown_request_uri(server, uri, code):
    c = new_client(server)
    p = qs(use(server, c, uri))
    assert p["error"] == code, p


def test_request_uri_without_client_id_is_shown_to_the_user(server):
    c = new_client(server)
    body = pushed(server, c)
    r = requests.get(server.pub + "/oauth2/auth",
                     params={"request_uri": body["request_uri"]},
                     allow_redirects=False)
    loc = r.headers["Location"]
    assert "/ui/error" in loc and "client_id" in qs(loc).get(
        "error_description", ""), loc


@pytest.mark.parametrize("params,auth,status,code", [
    ({"request_uri": URN + "x"}, True, 400, "invalid_request"),
    ({"scope": "admin"}, True, 400, "invalid_scope"),
    ({"response_type": "token"}, True, 400, "unauthorized_client"),
    ({"redirect_uri": "https://evil.example/cb"}, True, 400,
     "invalid_request"),
    ({"state": "short"}, True, 400, "invalid_state"),
    ({"login_verifier": "x"}, True, 400, "invalid_request"),
    ({"request": "not.a.jwt"}, True, 400, "invalid_request_object"),
    ({}, False, 401, "invalid_client"),
])
def test_push_errors(server, params, auth, status, code):
    c = new_client(server)
    if not auth:
        c = dict(c, client_secret="wrong")
    r = push(server, c, **params)
    assert r.status_code == status, r.text
    assert r.json()["error"] == code, r.text
    assert r.json()["error_description"]


def test_push_public_client_needs_pkce(server):
    c = new_client(server, token_endpoint_auth_method="none")
    r = requests.post(server.pub + "/oauth2/par", data={
        "client_id": c["client_id"], "response_type": "code",
        "scope": "openid", "state": "state-12345678"})
    assert r.status_code == 400 and "PKCE" in r.json()["error_description"]
    _, ch = pkce()
    r = requests.post(server.pub + "/oauth2/par", data={
        "client_id": c["client_id"], "response_type": "code",
        "scope": "openid", "state": "state-12345678",
        "code_challenge": ch, "code_challenge_method": "S256"})
    assert r.status_code == 201, r.text


def test_request_object_of_client_without_jwks(server):
    c = new_client(server)
    h = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    p = base64.urlsafe_b64encode(json.dumps(
        {"iss": c["client_id"], "aud": server.pub + "/"}).encode()
    ).rstrip(b"=").decode()
    loc = go(requests.Session(), auth_url(server, c, request=f"{h}.{p}."))
    assert qs(loc)["error"] == "invalid_request_object", loc
    assert "jwks" in qs(loc)["error_description"]
    u = new_client(server, jwks_uri="https://rp.example/jwks.json")
    loc = go(requests.Session(), auth_url(server, u, request=f"{h}.{p}."))
    assert "jwks_uri" in qs(loc)["error_description"], loc


def test_request_and_request_uri_together(server):
    c = new_client(server)
    loc = go(requests.Session(), auth_url(server, c, request="a.b.c",
                                          request_uri=URN + "x"))
    assert qs(loc)["error"] == "invalid_request", loc


def test_client_field_in_every_dialect(server):
    c = new_client(server, require_pushed_authorization_requests=True)
    loc = go(requests.Session(), auth_url(server, c))
    p = qs(loc)
    assert p["error"] == "invalid_request" and "pushed" in \
        p["error_description"], p
    body = pushed(server, c)
    assert use(server, c, body["request_uri"]).startswith(
        server.pub + "/ui/login?")
    r = requests.post(server.pub + "/oauth2/par", data={
        "response_type": "code", "scope": "openid",
        "state": "state-12345678"}, auth=(c["client_id"], "x"))
    assert r.status_code == 401


def test_enforce_par_of_applications(server):
    r = requests.post(server.adm + "/v1/applications", json={
        "app_name": "PAR app", "redirect_uris": ["https://app.example/cb"]})
    assert r.status_code == 201, r.text
    a = r.json()["result"]
    cu = (server.adm + f"/v1/applications/{a['app_id']}/clients/"
          f"{a['client_id']}")
    r = requests.put(cu, json={"enforce_par": True})
    assert r.status_code == 200, r.text
    assert r.json()["result"]["enforce_par"] is True
    assert requests.get(cu).json()["result"]["enforce_par"] is True
    loc = go(requests.Session(), server.pub + "/oauth2/auth?" +
             requests.compat.urlencode({
                 "client_id": a["client_id"], "response_type": "code",
                 "scope": "openid", "state": "state-12345678",
                 "redirect_uri": "https://app.example/cb",
                 "code_challenge": pkce()[1],
                 "code_challenge_method": "S256"}))
    assert qs(loc)["error"] == "invalid_request", loc
    r = requests.put(cu, json={"enforce_par": False})
    assert r.json()["result"]["enforce_par"] is False


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("par"), conf=(
        "oauth2.pushed_authorization_requests.enforced = true\n"
        "oauth2.pushed_authorization_requests.ttl = 1s\n"
        "oidc.dynamic_client_registration.enabled = true\n")).start()
    yield s
    s.stop()


def test_enforced_by_configuration_and_expiry(strict):
    d = requests.get(strict.pub + "/.well-known/openid-configuration").json()
    assert d["require_pushed_authorization_requests"] is True
    c = new_client(strict)
    p = qs(go(requests.Session(), auth_url(strict, c)))
    assert p["error"] == "invalid_request", p
    body = pushed(strict, c)
    assert body["expires_in"] == 1
    time.sleep(2.1)
    p = qs(use(strict, c, body["request_uri"]))
    assert p["error"] == "invalid_request_uri" and "expired" in \
        p["error_description"], p
    # Flushed by the next push, and used or not, gone.
    pushed(strict, c)
    p = qs(use(strict, c, body["request_uri"]))
    assert p["error"] == "invalid_request_uri", p


def test_registration_takes_the_field(strict):
    r = requests.post(strict.pub + "/oauth2/register", json={
        "redirect_uris": ["https://rp.example/cb"],
        "require_pushed_authorization_requests": True})
    assert r.status_code == 201, r.text
    cid = r.json()["client_id"]
    r = requests.get(strict.adm + f"/admin/clients/{cid}")
    assert r.status_code == 200


def unsigned(claims):
    enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    return enc(b'{"alg":"none"}') + "." + enc(json.dumps(claims).encode()) + "."


def test_unsigned_request_object_only_when_registered(server):
    c = new_client(server, request_object_signing_alg="none")
    obj = unsigned({"iss": c["client_id"], "aud": server.pub + "/",
                    "scope": "openid offline_access"})
    loc = go(requests.Session(), auth_url(server, c, request=obj))
    assert loc.startswith(server.pub + "/ui/login?"), loc
    got = requests.get(server.adm + "/admin/oauth2/auth/requests/login",
                       params={"login_challenge": qs(loc)["login_challenge"]}
                       ).json()
    assert got["requested_scope"] == ["openid", "offline_access"]
    # Checked all the same: iss, and what must agree with the query.
    for claims in ({"iss": "someone-else"},
                   {"client_id": "someone-else"},
                   {"response_type": "token"},
                   {"request_uri": URN + "x"},
                   {"scope": ["openid"]},
                   {"exp": 1}):
        loc = go(requests.Session(), auth_url(server, c,
                                              request=unsigned(claims)))
        assert qs(loc)["error"] == "invalid_request_object", (claims, loc)
    # A client that registered a signing alg never gets unsigned ones in.
    s = new_client(server, request_object_signing_alg="RS256",
                   jwks={"keys": []})
    loc = go(requests.Session(), auth_url(server, s, request=obj))
    assert qs(loc)["error"] == "invalid_request_object", loc


class Objects(http.server.BaseHTTPRequestHandler):
    """Request objects by reference: path -> (status, body, headers)."""
    routes = {}

    def do_GET(self):
        status, body, headers = self.routes.get(self.path,
                                                (404, b"", {}))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def by_reference(tmp_path_factory):
    """A server that may fetch request objects from one loopback URL (a
    test configuration: clients.http.private_ip_exception_urls), and
    the web server that serves them."""
    port = free_port()
    web = http.server.ThreadingHTTPServer(("127.0.0.1", port), Objects)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    allowed = [base + p for p in ("/req.jwt", "/big", "/moved", "/gone")]
    s = Server(tmp_path_factory.mktemp("reqobj"), conf=(
        "clients.http.private_ip_exception_urls = " + ",".join(allowed) +
        "\n")).start()
    s.objects = base
    yield s
    s.stop()
    web.shutdown()
    web.server_close()


def test_request_uri_by_reference(by_reference):
    srv, base = by_reference, by_reference.objects
    c = new_client(srv, request_object_signing_alg="none", request_uris=[
        base + p for p in ("/req.jwt", "/big", "/moved", "/gone",
                           "/other")])
    obj = unsigned({"iss": c["client_id"], "aud": srv.pub + "/",
                    "scope": "openid offline_access",
                    "state": "state-by-reference", "response_type": "code"})
    Objects.routes = {
        "/req.jwt": (200, obj.encode() + b"\n",
                     {"Content-Type": "application/oauth-authz-req+jwt"}),
        "/big": (200, b"x" * 20000, {}),
        "/moved": (302, b"", {"Location": base + "/req.jwt"}),
        "/gone": (404, b"", {}),
        "/other": (200, obj.encode(), {}),
    }
    # Fetched, with a fragment (a hash of the content, §6.2) aside.
    loc = use(srv, c, base + "/req.jwt#abc", state="state-12345678")
    assert loc.startswith(srv.pub + "/ui/login?"), loc
    got = requests.get(srv.adm + "/admin/oauth2/auth/requests/login",
                       params={"login_challenge": qs(loc)["login_challenge"]}
                       ).json()
    assert got["requested_scope"] == ["openid", "offline_access"]
    for path, words in (("/big", "more than"), ("/moved", "302"),
                        ("/gone", "404"), ("/other", "loopback"),
                        ("/unregistered", "registered")):
        p = qs(use(srv, c, base + path, state="state-12345678"))
        assert p["error"] == "invalid_request_uri", (path, p)
        assert words in p["error_description"], (path, p)
    # Not at the PAR endpoint (RFC 9126 §2.1).
    r = requests.post(srv.pub + "/oauth2/par", data={
        "request_uri": base + "/req.jwt", "response_type": "code"},
        auth=(c["client_id"], c["client_secret"]))
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
