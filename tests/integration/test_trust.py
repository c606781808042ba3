"""The JWT Bearer grant (RFC 7523 §2.1) and Hydra's trust API
(/trust/grants/jwt-bearer/issuers at the root and under /admin):

- Ory's 2.2 SDK creates, reads, lists and deletes a trust relationship,
  and the grant is exchanged with an assertion signed by node's jose
  (tests/sdk/trust.js);
- assertions signed with python3-jwcrypto: the grant works for a
  public client too (RFC 7523 §3.1: client authentication is optional;
  Hydra insists on it), and every error the RFC names: a replayed jti,
  a wrong aud, an expired assertion, exp too far away, no iat, an
  untrusted issuer, a subject the trust does not allow, a scope beyond
  the trust's, another key;
- the API's errors: missing and conflicting fields, 404s, paging."""

import json
import shutil
import subprocess
import time
import uuid

import pytest
import requests
from jwcrypto import jwk, jwt

NODE = shutil.which("node")
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def later(secs=3600):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + secs))


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_hydra2_sdk_trust(server, sdk_dir):
    r = subprocess.run([NODE, "trust.js", server.adm, server.pub],
                       cwd=sdk_dir, capture_output=True, text=True,
                       timeout=120)
    steps = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    assert r.returncode == 0 and all(s["ok"] for s in steps), \
        r.stdout + r.stderr
    assert [s["step"] for s in steps] == [
        "create", "get", "list", "duplicate", "invalid", "client", "grant",
        "delete", "grant_after_delete"]


@pytest.fixture(scope="module")
def setup(server):
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid="k1")
    iss = f"https://idp-{uuid.uuid4().hex[:8]}.example"
    r = requests.post(server.adm + "/admin/trust/grants/jwt-bearer/issuers",
                      json={"issuer": iss, "subject": "alice",
                            "scope": ["read", "write"],
                            "jwk": json.loads(key.export_public()),
                            "expires_at": later()}, timeout=10)
    assert r.status_code == 201, r.text
    assert r.headers["Location"].endswith("/" + r.json()["id"])
    any_iss = iss + "/any"
    r2 = requests.post(server.adm + "/trust/grants/jwt-bearer/issuers",
                       json={"issuer": any_iss, "allow_any_subject": True,
                             "scope": ["read"],
                             "jwk": json.loads(key.export_public()),
                             "expires_at": later()}, timeout=10)
    assert r2.status_code == 201, r2.text
    pubc = requests.post(server.adm + "/admin/clients", json={
        "grant_types": [GRANT], "response_types": [], "scope": "read write",
        "token_endpoint_auth_method": "none"}, timeout=10).json()
    return {"key": key, "iss": iss, "any": any_iss, "client": pubc,
            "id": r.json()["id"]}


def sign(s, server, key=None, **over):
    now = int(time.time())
    claims = {"iss": s["iss"], "sub": "alice",
              "aud": server.pub + "/oauth2/token", "iat": now,
              "exp": now + 300, "jti": uuid.uuid4().hex}
    claims.update(over)
    claims = {k: v for k, v in claims.items() if v is not None}
    t = jwt.JWT(header={"alg": "ES256", "kid": "k1"}, claims=claims)
    t.make_signed_token(key or s["key"])
    return t.serialize()


def grant(server, s, assertion, scope="read"):
    return requests.post(server.pub + "/oauth2/token", data={
        "grant_type": GRANT, "assertion": assertion, "scope": scope,
        "client_id": s["client"]["client_id"]}, timeout=10)


def test_grant_public_client_and_replay(server, setup):
    a = sign(setup, server)
    r = grant(server, setup, a)
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "read" and "refresh_token" not in r.json()
    r = grant(server, setup, a)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_grant"
    # Any subject for the issuer that allows it.
    r = grant(server, setup, sign(setup, server, iss=setup["any"],
                                  sub="bob"))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("over,error,words", [
    ({"aud": "https://elsewhere.example/token"}, "invalid_grant", "'aud'"),
    ({"exp": int(time.time()) - 120}, "invalid_grant", "not valid"),
    ({"exp": int(time.time()) + 800 * 3600}, "invalid_grant", "max_ttl"),
    ({"iat": None}, "invalid_grant", "iat"),
    ({"jti": None}, "invalid_grant", "'jti'"),
    ({"iss": "https://untrusted.example"}, "invalid_grant",
     "No trust relationship"),
    ({"sub": "mallory"}, "invalid_grant", "No trust relationship"),
])
def test_grant_refused(server, setup, over, error, words):
    r = grant(server, setup, sign(setup, server, **over))
    assert r.status_code == 400, r.text
    assert r.json()["error"] == error
    assert words in r.json()["error_description"], r.text


def test_grant_scope_and_key(server, setup):
    r = grant(server, setup, sign(setup, server), scope="read admin")
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    other = jwk.JWK.generate(kty="EC", crv="P-256", kid="k1")
    r = grant(server, setup, sign(setup, server, key=other))
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": GRANT, "client_id": setup["client"]["client_id"]},
        timeout=10)
    assert r.status_code == 400 and "assertion" in r.text


@pytest.mark.parametrize("body,field", [
    ({"subject": "a", "scope": [], "expires_at": later()}, "issuer"),
    ({"issuer": "i", "scope": [], "expires_at": later()}, "subject"),
    ({"issuer": "i", "subject": "a", "allow_any_subject": True,
      "expires_at": later()}, "allow_any_subject"),
    ({"issuer": "i", "subject": "a"}, "expires_at"),
    ({"issuer": "i", "subject": "a", "expires_at": "tomorrow"},
     "expires_at"),
    ({"issuer": "i", "subject": "a", "expires_at": "2001-01-01T00:00:00Z"},
     "expires_at"),
    ({"issuer": "i", "subject": "a", "expires_at": later(),
      "jwk": {"kty": "EC"}}, "jwk"),
    ({"issuer": "i", "subject": "a", "expires_at": later(),
      "jwk": {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx",
              "kid": "x"}}, "jwk"),
])
def test_api_errors(server, body, field):
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid="kx")
    body = dict(body)
    body.setdefault("jwk", json.loads(key.export_public()))
    r = requests.post(server.adm + "/admin/trust/grants/jwt-bearer/issuers",
                      json=body, timeout=10)
    assert r.status_code == 400, r.text
    assert field in r.json()["error_description"], r.text


def test_api_get_list_delete(server, setup):
    base = server.adm + "/admin/trust/grants/jwt-bearer/issuers"
    r = requests.get(f"{base}/{setup['id']}", timeout=10)
    assert r.status_code == 200 and r.json()["issuer"] == setup["iss"]
    assert "jwk" not in r.json() and "_v" not in r.json()
    r = requests.get(base, params={"issuer": setup["iss"]}, timeout=10)
    assert [t["id"] for t in r.json()] == [setup["id"]]
    assert r.headers["X-Total-Count"] == "1"
    r = requests.get(base, params={"page_size": "1"}, timeout=10)
    assert r.status_code == 200 and len(r.json()) == 1
    for m in (requests.get, requests.delete):
        r = m(f"{base}/{uuid.uuid4()}", timeout=10)
        assert r.status_code == 404, r.text
    r = requests.get(server.adm + "/trust/grants/jwt-bearer/issuers",
                     timeout=10)
    assert r.status_code == 200 and isinstance(r.json(), list)


def test_discovery_lists_the_grant(server):
    d = requests.get(server.pub + "/.well-known/openid-configuration",
                     timeout=10).json()
    assert GRANT in d["grant_types_supported"]


def test_grant_client_rules(server, setup):
    """The client's jwt_bearer lifespan; a confidential client must
    authenticate; a client without the grant type is refused."""
    c = requests.post(server.adm + "/admin/clients", json={
        "grant_types": [GRANT], "response_types": [], "scope": "read",
        "token_endpoint_auth_method": "client_secret_post",
        "jwt_bearer_grant_access_token_lifespan": "5m"}, timeout=10).json()
    form = {"grant_type": GRANT, "scope": "read",
            "client_id": c["client_id"], "client_secret": c["client_secret"]}
    r = requests.post(server.pub + "/oauth2/token",
                      data=dict(form, assertion=sign(setup, server)),
                      timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["expires_in"] in (299, 300)
    r = requests.post(server.pub + "/oauth2/token", data=dict(
        form, assertion=sign(setup, server), client_secret="x" * 32),
        timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = requests.post(server.pub + "/oauth2/token", data=dict(
        form, assertion=sign(setup, server), client_id=None,
        client_secret=None), timeout=10)
    assert r.status_code == 401, r.text
    other = requests.post(server.adm + "/admin/clients", json={
        "grant_types": ["client_credentials"], "response_types": [],
        "token_endpoint_auth_method": "client_secret_post"},
        timeout=10).json()
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": GRANT, "assertion": sign(setup, server),
        "client_id": other["client_id"],
        "client_secret": other["client_secret"]}, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == \
        "unauthorized_client", r.text
