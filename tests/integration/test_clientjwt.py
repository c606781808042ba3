"""Client authentication with JWTs at the token endpoint (RFC 7523 §2.2,
OpenID Connect Core §9):

- openid-client 5.x (tests/sdk/clientjwt.js) as a client_secret_jwt
  client (HS256 with the secret the admin API handed out) and as a
  private_key_jwt client whose keys are at its jwks_uri, served by a
  small HTTP server on loopback (the server runs with
  clients.http.allow_loopback_http);
- the jwks_uri rules over plain HTTP: http refused without the switch,
  no redirects followed, a body too large or not a JWK Set refused, an
  internal address refused;
- a replayed client_secret_jwt assertion refused (jti single use);
- client_secret_jwt clients made through Dynamic Client Registration
  and /v1/applications authenticate the same way."""

import base64
import hashlib
import hmac
import http.server
import json
import shutil
import subprocess
import threading
import time
import uuid

import pytest
import requests

from conftest import Server

NODE = shutil.which("node")
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class JwksServer:
    """Serves path -> (status, headers, body) on 127.0.0.1."""

    def __init__(self):
        self.routes = {}
        self.hits = []
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits.append(self.path)
                st, hdrs, body = outer.routes.get(
                    self.path, (404, {}, b"not found"))
                if callable(body):
                    body = body()
                self.send_response(st)
                for k, v in hdrs.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def jwks():
    s = JwksServer()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("clientjwt"),
               conf="clients.http.allow_loopback_http = true\n"
               "oidc.dynamic_client_registration.enabled = true\n").start()
    yield s
    s.stop()


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def hs256(secret, claims):
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    sig = hmac.new(secret.encode(), f"{head}.{body}".encode(),
                   hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def register(srv, **body):
    r = requests.post(srv.adm + "/admin/clients", json=body, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()


def token(srv, form):
    return requests.post(srv.pub + "/oauth2/token", data=form, timeout=20)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_openid_client_jwt_auth(srv, jwks, sdk_dir, tmp_path):
    path = f"/jwks-{uuid.uuid4().hex}.json"
    jf = tmp_path / "jwks.json"
    jwks.routes[path] = (200, {"Content-Type": "application/json"},
                         lambda: jf.read_bytes())
    cmd = [NODE, "clientjwt.js", srv.adm, srv.pub, jwks.url + path, str(jf)]
    r = subprocess.run(cmd, cwd=sdk_dir, capture_output=True, text=True,
                       timeout=120)
    steps = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    bad = [s for s in steps if s.get("ok") is not True]
    assert r.returncode == 0 and not bad, r.stdout + r.stderr
    assert [s["step"] for s in steps] == [
        "discover", "secret_jwt_register", "secret_jwt_grant",
        "secret_jwt_wrong_secret", "secret_jwt_as_basic",
        "secret_not_shown", "jwks_uri_register", "jwks_uri_grant",
        "jwks_uri_other_key"]
    assert path in jwks.hits


def test_secret_jwt_replay_and_audience(srv):
    c = register(srv, grant_types=["client_credentials"], response_types=[],
                 token_endpoint_auth_method="client_secret_jwt")
    cid, sec = c["client_id"], c["client_secret"]
    now = int(time.time())
    claims = {"iss": cid, "sub": cid, "aud": srv.pub + "/oauth2/token",
              "exp": now + 60, "iat": now, "jti": uuid.uuid4().hex}
    form = {"grant_type": "client_credentials", "client_id": cid,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": hs256(sec, claims)}
    r = token(srv, form)
    assert r.status_code == 200, r.text
    r = token(srv, form)                       # the same jti again
    assert r.status_code == 401, r.text
    assert r.json()["error"] == "invalid_client"
    bad = dict(claims, jti=uuid.uuid4().hex, aud="https://other.example/")
    r = token(srv, dict(form, client_assertion=hs256(sec, bad)))
    assert r.status_code == 401 and "'aud'" in r.json()[
        "error_description"], r.text
    old = dict(claims, jti=uuid.uuid4().hex, exp=now - 120)
    r = token(srv, dict(form, client_assertion=hs256(sec, old)))
    assert r.status_code == 401, r.text
    # Too short a chosen secret for an HMAC key.
    r = requests.post(srv.adm + "/admin/clients", json={
        "client_secret": "short-secret-0123456",
        "token_endpoint_auth_method": "client_secret_jwt"}, timeout=10)
    assert r.status_code == 400 and "client_secret" in r.text


def es256_client(srv, uri):
    return register(srv, grant_types=["client_credentials"],
                    response_types=[], jwks_uri=uri,
                    token_endpoint_auth_method="private_key_jwt")


def fake_assertion(cid):
    # Never verified: the keys cannot be had first.
    head = b64(json.dumps({"alg": "ES256", "kid": "k"}).encode())
    body = b64(json.dumps({"iss": cid, "sub": cid, "exp": 9999999999,
                           "jti": uuid.uuid4().hex}).encode())
    return f"{head}.{body}.{b64(b'x' * 64)}"


@pytest.mark.parametrize("route,why", [
    ((302, {"Location": "/elsewhere"}, b""), "HTTP 302"),
    ((200, {}, b"x" * (70 * 1024)), "more than"),
    ((200, {}, b"[1, 2]"), "JSON object"),
    ((200, {}, b'{"keys": [{"kty": "EC"}]}'), "JWK Set"),
    ((500, {}, b"{}"), "HTTP 500"),
])
def test_jwks_uri_refused(srv, jwks, route, why):
    path = f"/bad-{uuid.uuid4().hex}"
    jwks.routes[path] = route
    c = es256_client(srv, jwks.url + path)
    r = token(srv, {"grant_type": "client_credentials",
                    "client_id": c["client_id"],
                    "client_assertion_type": ASSERTION_TYPE,
                    "client_assertion": fake_assertion(c["client_id"])})
    assert r.status_code == 401, r.text
    assert r.json()["error"] == "invalid_client"
    assert why in r.json()["error_description"], r.text
    assert "/elsewhere" not in jwks.hits


def test_jwks_uri_http_needs_the_switch(server, jwks):
    """The shared server runs without clients.http.allow_loopback_http:
    an http jwks_uri is refused, and so is https to an internal address."""
    for uri, why in [(jwks.url + "/jwks", "https"),
                     ("https://127.0.0.1:9/jwks", "not allowed")]:
        c = es256_client(server, uri)
        r = token(server, {"grant_type": "client_credentials",
                           "client_id": c["client_id"],
                           "client_assertion_type": ASSERTION_TYPE,
                           "client_assertion":
                           fake_assertion(c["client_id"])})
        assert r.status_code == 401, r.text
        assert why in r.json()["error_description"], r.text


def authenticates(srv, cid, sec):
    """1 if an HS256 assertion gets past client authentication: a bogus
    code is then invalid_grant, not invalid_client."""
    now = int(time.time())
    r = token(srv, {"grant_type": "authorization_code", "code": "bogus",
                    "redirect_uri": "https://rp.example.com/cb",
                    "client_id": cid,
                    "client_assertion_type": ASSERTION_TYPE,
                    "client_assertion": hs256(sec, {
                        "iss": cid, "sub": cid, "aud": srv.pub + "/",
                        "exp": now + 60, "jti": uuid.uuid4().hex})})
    assert r.status_code in (400, 401), r.text
    return r.json()["error"] == "invalid_grant"


def test_secret_jwt_in_other_dialects(srv):
    r = requests.post(srv.pub + "/oauth2/register", json={
        "redirect_uris": ["https://rp.example.com/cb"],
        "token_endpoint_auth_method": "client_secret_jwt"}, timeout=10)
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["token_endpoint_auth_method"] == "client_secret_jwt"
    assert authenticates(srv, c["client_id"], c["client_secret"])
    assert not authenticates(srv, c["client_id"], c["client_secret"] + "x")
    r = requests.post(srv.adm + "/v1/applications", json={
        "app_name": "JWT app", "redirect_uris":
        ["https://rp.example.com/cb"],
        "client_auth_method": "client_secret_jwt"}, timeout=10)
    assert r.status_code == 201, r.text
    a = r.json()["result"]
    assert a["client_auth_method"] == "client_secret_jwt"
    assert authenticates(srv, a["client_id"], a["client_secret"])
    # No view of any dialect shows the sealed secret, nor the secret.
    for url, hdr in [
            (srv.pub + "/oauth2/register/" + c["client_id"],
             {"Authorization": "Bearer " + c["registration_access_token"]}),
            (srv.adm + "/client/" + c["client_id"], {}),
            (srv.adm + "/admin/clients/" + c["client_id"], {}),
            (srv.adm + "/v1/applications/" + a["app_id"], {})]:
        r = requests.get(url, headers=hdr, timeout=10)
        assert r.status_code == 200, (url, r.text)
        assert '"_sealed_secret"' not in r.text, url
        assert '"_secret"' not in r.text, url
        assert c["client_secret"] not in r.text, url
        assert a["client_secret"] not in r.text, url


def es256_assertion(srv, key, cid):
    from jwcrypto import jwt as jjwt
    now = int(time.time())
    t = jjwt.JWT(header={"alg": "ES256", "kid": key.get("kid")},
                 claims={"iss": cid, "sub": cid, "aud": srv.pub + "/",
                         "exp": now + 60, "jti": uuid.uuid4().hex})
    t.make_signed_token(key)
    return t.serialize()


def test_jwks_uri_cache_and_rotation(srv, jwks):
    """Fetched keys are cached: a kid the cached set has needs no
    fetch; one it lacks (a rotation) has it fetched again at once, but
    then not again for 30 s."""
    from jwcrypto import jwk as jjwk
    k1 = jjwk.JWK.generate(kty="EC", crv="P-256", kid="k1")
    k2 = jjwk.JWK.generate(kty="EC", crv="P-256", kid="k2")
    path = f"/rot-{uuid.uuid4().hex}"
    doc = {"keys": [json.loads(k1.export_public())]}
    jwks.routes[path] = (200, {}, lambda: json.dumps(doc).encode())
    c = es256_client(srv, jwks.url + path)

    def auth(key):
        r = token(srv, {"grant_type": "client_credentials",
                        "client_id": c["client_id"],
                        "client_assertion_type": ASSERTION_TYPE,
                        "client_assertion":
                        es256_assertion(srv, key, c["client_id"])})
        return r.status_code

    assert auth(k1) == 200
    assert auth(k1) == 200
    assert jwks.hits.count(path) == 1          # cached
    doc["keys"] = [json.loads(k2.export_public())]
    assert auth(k2) == 200                      # unknown kid: fetched
    assert jwks.hits.count(path) == 2
    doc["keys"] = [json.loads(k1.export_public())]
    assert auth(k1) == 401                      # the cached set has no k1
    assert auth(k1) == 401                      # and is not refetched yet
    assert jwks.hits.count(path) == 2


def test_request_object_verified_with_jwks_uri(srv, jwks):
    """A request object (OpenID Connect Core §6.1) of a client that
    registered only a jwks_uri is verified with the fetched keys, the
    same keys as its client assertions; one signed with another key is
    invalid_request_object."""
    from jwcrypto import jwk as jjwk, jwt as jjwt
    from urllib.parse import urlparse, parse_qs
    key = jjwk.JWK.generate(kty="EC", crv="P-256", kid="ro1")
    other = jjwk.JWK.generate(kty="EC", crv="P-256", kid="ro1")
    path = f"/ro-{uuid.uuid4().hex}"
    jwks.routes[path] = (200, {}, json.dumps(
        {"keys": [json.loads(key.export_public())]}).encode())
    c = register(srv, grant_types=["authorization_code"],
                 response_types=["code"], jwks_uri=jwks.url + path,
                 redirect_uris=["https://rp.example/cb"],
                 token_endpoint_auth_method="private_key_jwt",
                 request_object_signing_alg="ES256")

    def authorize(signer):
        t = jjwt.JWT(header={"alg": "ES256", "kid": "ro1"},
                     claims={"iss": c["client_id"], "aud": srv.pub + "/",
                             "response_type": "code", "scope": "openid",
                             "client_id": c["client_id"],
                             "redirect_uri": "https://rp.example/cb",
                             "state": "state-12345678",
                             "exp": int(time.time()) + 60})
        t.make_signed_token(signer)
        r = requests.get(srv.pub + "/oauth2/auth", params={
            "client_id": c["client_id"], "response_type": "code",
            "scope": "openid", "request": t.serialize()},
            allow_redirects=False, timeout=10)
        assert r.status_code in (302, 303), r.text
        return r.headers["Location"]

    loc = authorize(key)
    assert "login_challenge=" in loc, loc
    assert jwks.hits.count(path) == 1
    loc = authorize(other)
    q = parse_qs(urlparse(loc).query)
    assert q["error"] == ["invalid_request_object"], loc


def test_assertion_single_use_everywhere(srv, jwks):
    """A client assertion's jti is spent by every endpoint that takes
    client authentication (RFC 7523 §3 item 7): the token endpoint,
    device authorization, PAR and revocation alike."""
    from jwcrypto import jwk as jjwk
    key = jjwk.JWK.generate(kty="EC", crv="P-256", kid="once")
    path = f"/once-{uuid.uuid4().hex}"
    jwks.routes[path] = (200, {}, json.dumps(
        {"keys": [json.loads(key.export_public())]}).encode())
    c = register(srv, grant_types=[
        "urn:ietf:params:oauth:grant-type:device_code",
        "authorization_code"], response_types=["code"],
        redirect_uris=["https://rp.example/cb"], jwks_uri=jwks.url + path,
        token_endpoint_auth_method="private_key_jwt")
    for ep, form in (("/oauth2/device/auth", {"scope": "openid"}),
                     ("/oauth2/par", {"response_type": "code",
                                      "scope": "openid",
                                      "redirect_uri":
                                      "https://rp.example/cb",
                                      "state": "state-12345678"}),
                     ("/oauth2/revoke", {"token": "x"})):
        a = es256_assertion(srv, key, c["client_id"])
        body = dict(form, client_id=c["client_id"],
                    client_assertion_type=ASSERTION_TYPE,
                    client_assertion=a)
        r = requests.post(srv.pub + ep, data=body, timeout=10)
        assert r.status_code in (200, 201), (ep, r.text)
        r = requests.post(srv.pub + ep, data=body, timeout=10)
        assert r.status_code == 401, (ep, r.text)
        assert r.json()["error"] == "invalid_client", (ep, r.text)
