"""The token endpoint, revocation, userinfo and the admin token API
through real lighttpd, for everything that needs no authorization
endpoint: client_credentials (scope and audience, errors, client
authentication by exactly the registered method, private_key_jwt),
opaque and RFC 9068 JWT access tokens, introspection, revocation,
userinfo, DELETE /oauth2/tokens, flush, client deletion, and a store
that holds no issued token."""

import base64
import json
import subprocess
import time
import uuid

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from jwcrypto import jwk, jwt

from conftest import Server, store_bytes, store_count

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def new_client(server, **fields):
    body = {"grant_types": ["client_credentials"],
            "scope": "read write",
            "audience": ["https://api.example", "https://other.example"],
            "token_endpoint_auth_method": "client_secret_basic"}
    body.update(fields)
    r = requests.post(server.adm + "/admin/clients", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def cc(server, client, auth="basic", **data):
    """A client_credentials request; returns the response."""
    form = {"grant_type": "client_credentials"}
    form.update(data)
    kw = {}
    if auth == "basic":
        kw["auth"] = (client["client_id"], client["client_secret"])
    elif auth == "post":
        form["client_id"] = client["client_id"]
        form["client_secret"] = client["client_secret"]
    elif auth == "none":
        form["client_id"] = client["client_id"]
    return requests.post(server.pub + "/oauth2/token", data=form, **kw)


def token(server, client, **data):
    r = cc(server, client, **data)
    assert r.status_code == 200, r.text
    return r.json()


def introspect(server, tok, **data):
    data["token"] = tok
    r = requests.post(server.adm + "/admin/oauth2/introspect", data=data)
    assert r.status_code == 200, r.text
    return r.json()


def error(r, status, code):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == code, body
    assert body["error_description"]
    return body


def jwks_of(server):
    r = requests.get(server.pub + "/.well-known/jwks.json")
    assert r.status_code == 200
    return jwk.JWKSet.from_json(r.text)


def verify_jwt(server, tok):
    """Verify tok against the server's published keys; (header, claims)."""
    t = jwt.JWT(jwt=tok, key=jwks_of(server))
    return json.loads(t.header), json.loads(t.claims)


# --- client_credentials ----------------------------------------------

def test_client_credentials_with_authlib(server):
    c = new_client(server)
    s = OAuth2Session(c["client_id"], c["client_secret"], scope="read")
    t = s.fetch_token(server.pub + "/oauth2/token",
                      grant_type="client_credentials")
    assert t["access_token"].startswith("ory_at_")
    assert len(t["access_token"]) == 7 + 43 + 1 + 43
    assert t["token_type"] == "bearer"
    assert t["expires_in"] == 3600
    assert t["scope"] == "read"
    assert "refresh_token" not in t and "id_token" not in t
    i = introspect(server, t["access_token"])
    assert i["active"] is True and i["client_id"] == c["client_id"]
    assert i["sub"] == c["client_id"]


def test_token_response_is_not_cached(server):
    c = new_client(server)
    r = cc(server, c)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    for k, v in NO_STORE.items():
        assert r.headers[k] == v
    r = cc(server, c, scope="nope")
    assert r.status_code == 400
    for k, v in NO_STORE.items():
        assert r.headers[k] == v


def test_client_credentials_scope_narrowing(server):
    c = new_client(server, scope="read write admin")
    assert token(server, c, scope="read write")["scope"] == "read write"
    assert token(server, c, scope="write")["scope"] == "write"
    # Repeats collapse; no scope asked, none granted.
    assert token(server, c, scope="read  read")["scope"] == "read"
    assert token(server, c)["scope"] == ""
    b = error(cc(server, c, scope="read delete"), 400, "invalid_scope")
    assert "delete" in b["error_hint"]


def test_client_credentials_audience(server):
    c = new_client(server)
    t = token(server, c, audience="https://api.example")
    assert introspect(server, t["access_token"])["aud"] == [
        "https://api.example"]
    # Repeated parameters and space-separated values both work.
    t = requests.post(server.pub + "/oauth2/token", data=[
        ("grant_type", "client_credentials"),
        ("audience", "https://api.example"),
        ("audience", "https://other.example")],
        auth=(c["client_id"], c["client_secret"])).json()
    assert introspect(server, t["access_token"])["aud"] == [
        "https://api.example", "https://other.example"]
    t = token(server, c, audience="https://other.example https://api.example")
    assert introspect(server, t["access_token"])["aud"] == [
        "https://other.example", "https://api.example"]
    assert introspect(server, token(server, c)["access_token"])["aud"] == []
    b = error(cc(server, c, audience="https://evil.example"), 400,
              "invalid_request")
    assert "https://evil.example" in b["error_hint"]


def test_client_credentials_public_client_refused(server):
    # Registration already refuses a public client_credentials client...
    r = requests.post(server.adm + "/admin/clients", json={
        "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": "none"})
    error(r, 400, "invalid_request")
    # ...and a public client gets no client_credentials token.
    c = new_client(server, token_endpoint_auth_method="none",
                   grant_types=["authorization_code"],
                   redirect_uris=["https://rp.example/cb"])
    error(cc(server, c, auth="none"), 400, "unauthorized_client")


def test_grant_type_not_registered(server):
    c = new_client(server, grant_types=["authorization_code"])
    b = error(cc(server, c), 400, "unauthorized_client")
    assert "client_credentials" in b["error_hint"]
    c = new_client(server)
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": "x"},
        auth=(c["client_id"], c["client_secret"]))
    error(r, 400, "unauthorized_client")


def test_unknown_and_missing_grant_type(server):
    c = new_client(server)
    auth = (c["client_id"], c["client_secret"])
    r = requests.post(server.pub + "/oauth2/token",
                      data={"grant_type": "password", "username": "u",
                            "password": "p"}, auth=auth)
    error(r, 400, "unsupported_grant_type")
    r = requests.post(server.pub + "/oauth2/token", data={}, auth=auth)
    b = error(r, 400, "invalid_request")
    assert "grant_type" in b["error_description"]
    r = requests.post(server.pub + "/oauth2/token", data=[
        ("grant_type", "client_credentials"),
        ("grant_type", "client_credentials")], auth=auth)
    error(r, 400, "invalid_request")
    # Not a form.
    r = requests.post(server.pub + "/oauth2/token",
                      json={"grant_type": "client_credentials"}, auth=auth)
    error(r, 400, "invalid_request")


def test_missing_and_malformed_grant_parameters(server):
    c = new_client(server, grant_types=[
        "authorization_code", "refresh_token", "client_credentials"])
    auth = (c["client_id"], c["client_secret"])
    url = server.pub + "/oauth2/token"
    b = error(requests.post(url, data={"grant_type": "authorization_code"},
                            auth=auth), 400, "invalid_request")
    assert "'code'" in b["error_description"]
    b = error(requests.post(url, data={"grant_type": "refresh_token"},
                            auth=auth), 400, "invalid_request")
    assert "'refresh_token'" in b["error_description"]
    # Forged or foreign tokens never reach the store.
    for grant, field, value in (
            ("authorization_code", "code", "ory_ac_" + "A" * 43 + "." +
             "B" * 43),
            ("authorization_code", "code", "not-a-code"),
            # Of a sealed code's length, but sealed by no one.
            ("authorization_code", "code", "ory_ac_" + "A" * 2000),
            ("refresh_token", "refresh_token", "ory_rt_x.y")):
        r = requests.post(url, data={"grant_type": grant, field: value},
                          auth=auth)
        error(r, 400, "invalid_grant")
    # Longer than any code (2,048 bytes): named, before anything else.
    b = error(requests.post(url, data={
        "grant_type": "authorization_code", "code": "A" * 2049},
        auth=auth), 400, "invalid_request")
    assert "'code'" in b["error_description"], b
    # An access token is not a refresh token.
    at = token(server, c)["access_token"]
    r = requests.post(url, data={"grant_type": "refresh_token",
                                 "refresh_token": at}, auth=auth)
    error(r, 400, "invalid_grant")


# --- client authentication -------------------------------------------

def test_wrong_secret_is_401_with_basic_challenge(server):
    c = new_client(server)
    r = requests.post(server.pub + "/oauth2/token",
                      data={"grant_type": "client_credentials"},
                      auth=(c["client_id"], "wrong-secret"))
    error(r, 401, "invalid_client")
    assert r.headers["WWW-Authenticate"] == 'Basic realm="oidcgi"'
    # Unknown client, and a malformed Basic header.
    r = requests.post(server.pub + "/oauth2/token",
                      data={"grant_type": "client_credentials"},
                      auth=("no-such-client", "x"))
    error(r, 401, "invalid_client")
    assert r.headers["WWW-Authenticate"] == 'Basic realm="oidcgi"'
    r = requests.post(server.pub + "/oauth2/token",
                      data={"grant_type": "client_credentials"},
                      headers={"Authorization": "Basic !!!"})
    error(r, 401, "invalid_client")
    # No credentials at all.
    r = requests.post(server.pub + "/oauth2/token",
                      data={"grant_type": "client_credentials"})
    error(r, 401, "invalid_client")
    assert "WWW-Authenticate" not in r.headers


def test_auth_method_must_match(server):
    basic = new_client(server)
    post = new_client(server, token_endpoint_auth_method="client_secret_post")
    # client_secret_post for a basic client: refused, in the words an
    # unknown client gets (the server's log says which method).
    b = error(cc(server, basic, auth="post"), 401, "invalid_client")
    assert b == UNAUTHENTICATED, b
    assert "WWW-Authenticate" not in cc(server, basic, auth="post").headers
    # Basic for a post client: refused, with the Basic challenge.
    r = cc(server, post, auth="basic")
    error(r, 401, "invalid_client")
    assert r.headers["WWW-Authenticate"] == 'Basic realm="oidcgi"'
    # Each by its own method works.
    assert cc(server, basic, auth="basic").status_code == 200
    assert cc(server, post, auth="post").status_code == 200
    # Only the client_id: no secret was checked, so no token.
    error(cc(server, post, auth="none"), 401, "invalid_client")
    # Two methods at once (RFC 6749 §2.3).
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "client_credentials",
        "client_secret": post["client_secret"]},
        auth=(post["client_id"], post["client_secret"]))
    error(r, 400, "invalid_request")


def test_basic_credentials_are_form_encoded(server):
    # RFC 6749 §2.3.1: id and secret are form-urlencoded inside Basic.
    cid = "odd:id+/%" + uuid.uuid4().hex[:6]
    new_client(server, client_id=cid, client_secret="s3cret:with+plus")
    enc = requests.utils.quote(cid, safe="") + ":" + \
        requests.utils.quote("s3cret:with+plus", safe="")
    hdr = "Basic " + base64.b64encode(enc.encode()).decode()
    r = requests.post(server.pub + "/oauth2/token",
                      data={"grant_type": "client_credentials"},
                      headers={"Authorization": hdr})
    assert r.status_code == 200, r.text
    assert introspect(server, r.json()["access_token"])["client_id"] == cid


# --- private_key_jwt (RFC 7523 §2.2) ----------------------------------

def assertion(server, client_id, key, aud=None, **claims):
    now = int(time.time())
    c = {"iss": client_id, "sub": client_id,
         "aud": aud or server.pub + "/oauth2/token",
         "jti": uuid.uuid4().hex, "iat": now, "exp": now + 120}
    c.update(claims)
    c = {k: v for k, v in c.items() if v is not None}
    alg = "ES256" if key.get("kty") == "EC" else "RS256"
    t = jwt.JWT(header={"alg": alg, "kid": key.get("kid")}, claims=c)
    t.make_signed_token(key)
    return t.serialize()


def pkjwt(server, client_id, a, with_id=True):
    data = {"grant_type": "client_credentials",
            "client_assertion_type":
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": a}
    if with_id:
        data["client_id"] = client_id
    return requests.post(server.pub + "/oauth2/token", data=data)


@pytest.fixture(scope="module")
def rsa_key():
    return jwk.JWK.generate(kty="RSA", size=2048, kid="rsa-1")


def test_private_key_jwt(server, rsa_key):
    ec = jwk.JWK.generate(kty="EC", crv="P-256", kid="ec-1")
    keys = {"keys": [json.loads(rsa_key.export_public()),
                     json.loads(ec.export_public())]}
    c = new_client(server, token_endpoint_auth_method="private_key_jwt",
                   jwks=keys)
    cid = c["client_id"]
    a = assertion(server, cid, rsa_key)
    r = pkjwt(server, cid, a)
    assert r.status_code == 200, r.text
    assert introspect(server, r.json()["access_token"])["client_id"] == cid
    # The jti is single use (RFC 7523 §3 item 7).
    b = error(pkjwt(server, cid, a), 401, "invalid_client")
    assert "jti" in b["error_description"]
    # client_id is optional: the assertion's sub names the client.
    assert pkjwt(server, cid, assertion(server, cid, ec),
                 with_id=False).status_code == 200
    # The issuer is accepted as audience too.
    assert pkjwt(server, cid, assertion(
        server, cid, rsa_key, aud=server.pub + "/")).status_code == 200
    # Refused: another audience, another key, expired, no exp, no jti,
    # sub or iss of another client, a secret instead.
    other = jwk.JWK.generate(kty="RSA", size=2048, kid="rsa-1")
    now = int(time.time())
    for bad in (assertion(server, cid, rsa_key, aud="https://x.example/"),
                assertion(server, cid, other),
                assertion(server, cid, rsa_key, exp=now - 3600,
                          iat=now - 7200),
                assertion(server, cid, rsa_key, exp=None),
                assertion(server, cid, rsa_key, jti=None),
                assertion(server, cid, rsa_key, sub="someone-else"),
                assertion(server, cid, rsa_key, iss="someone-else")):
        error(pkjwt(server, cid, bad), 401, "invalid_client")
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "client_credentials", "client_id": cid,
        "client_secret": "guess"})
    error(r, 401, "invalid_client")
    # A wrong assertion type.
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "client_credentials", "client_id": cid,
        "client_assertion_type": "urn:x", "client_assertion":
        assertion(server, cid, rsa_key)})
    error(r, 400, "invalid_request")


def test_private_key_jwt_pinned_alg(server, rsa_key):
    ec = jwk.JWK.generate(kty="EC", crv="P-256", kid="ec-1")
    keys = {"keys": [json.loads(rsa_key.export_public()),
                     json.loads(ec.export_public())]}
    c = new_client(server, token_endpoint_auth_method="private_key_jwt",
                   token_endpoint_auth_signing_alg="ES256", jwks=keys)
    cid = c["client_id"]
    assert pkjwt(server, cid, assertion(server, cid, ec)).status_code == 200
    error(pkjwt(server, cid, assertion(server, cid, rsa_key)), 401,
          "invalid_client")


def test_private_key_jwt_with_unreachable_jwks_uri(server, rsa_key):
    # Keys at a jwks_uri are fetched (test_clientjwt.py); this one has
    # none to give.
    c = new_client(server, token_endpoint_auth_method="private_key_jwt",
                   jwks_uri="https://rp.example/jwks.json")
    b = error(pkjwt(server, c["client_id"],
                    assertion(server, c["client_id"], rsa_key)),
              401, "invalid_client")
    assert "jwks_uri" in b["error_description"]


def test_secret_client_cannot_use_assertion(server, rsa_key):
    c = new_client(server)
    b = error(pkjwt(server, c["client_id"],
                    assertion(server, c["client_id"], rsa_key)),
              401, "invalid_client")
    # The same answer as for an unknown client (the method is logged).
    assert b == UNAUTHENTICATED, b


# One answer whether the client is unknown, registered for another
# method or given a wrong secret: the token endpoint does not tell
# which client ids exist (issue 12; Hydra's hints say which).
UNAUTHENTICATED = {
    "error": "invalid_client",
    "error_description": "Client authentication failed (e.g., unknown "
    "client, no client authentication included, or unsupported "
    "authentication method).",
    "error_hint": "The client is unknown, or does not authenticate with "
    "this method or these credentials.",
    "status_code": 401}


def test_unknown_client_and_wrong_secret_alike(server):
    c = new_client(server)
    post = new_client(server, token_endpoint_auth_method="client_secret_post")
    answers = [
        (cc(server, {"client_id": "no-such-" + c["client_id"],
                     "client_secret": "whatever-secret-1"}), True),
        (cc(server, {"client_id": c["client_id"],
                     "client_secret": "whatever-secret-1"}), True),
        (cc(server, post), True),           # Basic, registered for post
        (cc(server, c, auth="post"), False),  # post, registered for Basic
    ]
    for r, basic in answers:
        assert r.status_code == 401 and r.json() == UNAUTHENTICATED, r.text
        # RFC 6749 §5.2: a challenge where Basic was tried.
        assert ("WWW-Authenticate" in r.headers) == basic, r.headers
    # No credentials at all still says so (it tells nothing of clients).
    r = requests.post(server.pub + "/oauth2/token",
                      data={"grant_type": "client_credentials"})
    assert r.status_code == 401
    assert r.json()["error_hint"] == "The request names no client."


# --- JWT access tokens (RFC 9068) -------------------------------------

def check_jwt_access_token(server, c, tok):
    assert not tok.startswith("ory_")
    header, claims = verify_jwt(server, tok)
    assert header["typ"] == "at+jwt" and header["kid"]
    assert claims["iss"] == server.pub + "/"
    assert claims["sub"] == c["client_id"]
    assert claims["client_id"] == c["client_id"]
    assert claims["scp"] == ["read"]
    assert claims["aud"] == ["https://api.example"]
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["nbf"] == claims["iat"]
    assert claims["ext"] == {}
    uuid.UUID(claims["jti"])
    i = introspect(server, tok)
    assert i["active"] is True and i["token_use"] == "access_token"
    assert i["exp"] == claims["exp"]


def test_jwt_access_token_per_client(server):
    c = new_client(server, access_token_strategy="jwt")
    t = token(server, c, scope="read", audience="https://api.example")
    check_jwt_access_token(server, c, t["access_token"])
    # Revocation reaches JWTs through their record.
    r = requests.post(server.pub + "/oauth2/revoke",
                      data={"token": t["access_token"]},
                      auth=(c["client_id"], c["client_secret"]))
    assert r.status_code == 200
    assert introspect(server, t["access_token"]) == {"active": False}
    r = requests.get(server.pub + "/userinfo", headers={
        "Authorization": "Bearer " + t["access_token"]})
    assert r.status_code == 401
    # The client's "opaque" and the default stay opaque here.
    c2 = new_client(server, access_token_strategy="opaque")
    assert token(server, c2)["access_token"].startswith("ory_at_")


def test_jwt_access_token_global_strategy(tmp_path):
    s = Server(tmp_path, env={"STRATEGIES_ACCESS_TOKEN": "jwt"}).start()
    try:
        c = new_client(s)
        t = token(s, c, scope="read", audience="https://api.example")
        check_jwt_access_token(s, c, t["access_token"])
        # A client may still ask for opaque ones.
        c2 = new_client(s, access_token_strategy="opaque")
        assert token(s, c2)["access_token"].startswith("ory_at_")
        # A tampered JWT is nothing.
        tok = t["access_token"]
        bad = tok[:-4] + ("AAAA" if not tok.endswith("AAAA") else "BBBB")
        assert introspect(s, bad) == {"active": False}
    finally:
        s.stop()


# --- introspection ----------------------------------------------------

def test_introspection(server):
    c = new_client(server)
    t = token(server, c, scope="read write", audience="https://api.example")
    at = t["access_token"]
    i = introspect(server, at)
    now = int(time.time())
    assert i["active"] is True
    assert i["scope"] == "read write"
    assert i["client_id"] == c["client_id"] and i["sub"] == c["client_id"]
    assert now - 60 <= i["iat"] <= now and i["nbf"] == i["iat"]
    assert i["exp"] == i["iat"] + 3600
    assert i["aud"] == ["https://api.example"]
    assert i["iss"] == server.pub + "/"
    assert i["token_type"] == "Bearer"
    assert i["token_use"] == "access_token"
    # Under the 1.x path too.
    r = requests.post(server.adm + "/oauth2/introspect", data={"token": at})
    assert r.json()["active"] is True
    # Scope filter (RFC 7662 §2.1).
    assert introspect(server, at, scope="read")["active"] is True
    assert introspect(server, at, scope="write read")["active"] is True
    assert introspect(server, at, scope="read admin") == {"active": False}
    # Unknown, forged, garbage and codes: inactive, not errors.
    for bad in ("ory_at_" + "A" * 43 + "." + "A" * 43, "garbage",
                "a.b.c", "ory_ac_x", at + "x"):
        assert introspect(server, bad) == {"active": False}
    # token is required.
    r = requests.post(server.adm + "/admin/oauth2/introspect", data={})
    error(r, 400, "invalid_request")
    # The admin listener only.
    r = requests.post(server.pub + "/oauth2/introspect", data={"token": at})
    assert r.status_code == 404


def test_expired_token_is_inactive_and_flushed(server):
    c = new_client(server)
    r = requests.put(server.adm + "/admin/clients/" + c["client_id"] +
                     "/lifespans",
                     json={"client_credentials_grant_access_token_lifespan":
                           "1s"})
    assert r.status_code == 200, r.text
    t = token(server, c)
    assert t["expires_in"] == 1
    assert introspect(server, t["access_token"])["active"] is True
    time.sleep(2.1)
    assert introspect(server, t["access_token"]) == {"active": False}
    r = requests.get(server.pub + "/userinfo", headers={
        "Authorization": "Bearer " + t["access_token"]})
    assert r.status_code == 401
    # Flush: its record, index entries and expiry entry go.
    before = store_count(server, "tokens")
    r = requests.post(server.adm + "/admin/oauth2/flush", json={})
    assert r.status_code == 204
    assert store_count(server, "tokens") < before
    dump = store_bytes(server, "tokens_by_client")
    assert c["client_id"].encode() not in dump


def test_flush_body(server):
    url = server.adm + "/oauth2/flush"
    assert requests.post(url).status_code == 204
    assert requests.post(url, json={}).status_code == 204
    assert requests.post(url, json={
        "notAfter": "2020-01-02T03:04:05Z"}).status_code == 204
    assert requests.post(url, json={
        "notAfter": "2020-01-02T03:04:05.123+02:00"}).status_code == 204
    # A future notAfter never flushes live tokens.
    c = new_client(server)
    at = token(server, c)["access_token"]
    assert requests.post(url, json={
        "notAfter": "2999-01-01T00:00:00Z"}).status_code == 204
    assert introspect(server, at)["active"] is True
    for bad in ({"notAfter": "yesterday"}, {"notAfter": 5}, [1]):
        error(requests.post(url, json=bad), 400, "invalid_request")
    error(requests.post(url, data="{", headers={
        "Content-Type": "application/json"}), 400, "invalid_request")


# --- revocation (RFC 7009) --------------------------------------------

def test_revocation(server):
    a = new_client(server)
    b = new_client(server)
    ta = token(server, a)["access_token"]
    tb = token(server, b)["access_token"]
    url = server.pub + "/oauth2/revoke"
    # Another client's token is not revoked (Hydra: unauthorized_client).
    r = requests.post(url, data={"token": tb},
                      auth=(a["client_id"], a["client_secret"]))
    error(r, 400, "unauthorized_client")
    assert introspect(server, tb)["active"] is True
    # Its own: 200, empty, no-store; then inactive everywhere.
    r = requests.post(url, data={"token": ta,
                                 "token_type_hint": "access_token"},
                      auth=(a["client_id"], a["client_secret"]))
    assert r.status_code == 200 and r.content == b""
    assert r.headers["Cache-Control"] == "no-store"
    assert introspect(server, ta) == {"active": False}
    # Again, unknown, garbage: 200.
    for tok in (ta, "ory_at_" + "A" * 43 + "." + "A" * 43, "garbage"):
        r = requests.post(url, data={"token": tok},
                          auth=(a["client_id"], a["client_secret"]))
        assert r.status_code == 200, r.text
    # The client must authenticate; token is required.
    r = requests.post(url, data={"token": tb},
                      auth=(b["client_id"], "wrong"))
    error(r, 401, "invalid_client")
    assert r.headers["WWW-Authenticate"] == 'Basic realm="oidcgi"'
    error(requests.post(url, data={},
                        auth=(b["client_id"], b["client_secret"])),
          400, "invalid_request")
    assert introspect(server, tb)["active"] is True


# --- userinfo (OpenID Connect Core §5.3) ------------------------------

def test_userinfo(server):
    c = new_client(server)
    at = token(server, c)["access_token"]
    url = server.pub + "/userinfo"
    r = requests.get(url, headers={"Authorization": "Bearer " + at})
    assert r.status_code == 200, r.text
    assert r.json() == {"sub": c["client_id"]}
    assert r.headers["Cache-Control"] == "no-store"
    # POST with the header, or with the token in the form (RFC 6750 §2.2).
    r = requests.post(url, headers={"Authorization": "Bearer " + at})
    assert r.json() == {"sub": c["client_id"]}
    r = requests.post(url, data={"access_token": at})
    assert r.json() == {"sub": c["client_id"]}
    # Both at once is refused.
    r = requests.post(url, data={"access_token": at},
                      headers={"Authorization": "Bearer " + at})
    assert r.status_code == 400
    # No token: 401 without an error code (RFC 6750 §3.1).
    r = requests.get(url)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="oidcgi"'
    # Forged and revoked tokens: invalid_token.
    r = requests.get(url, headers={
        "Authorization": "Bearer ory_at_" + "A" * 43 + "." + "A" * 43})
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    requests.post(server.pub + "/oauth2/revoke", data={"token": at},
                  auth=(c["client_id"], c["client_secret"]))
    r = requests.get(url, headers={"Authorization": "Bearer " + at})
    error(r, 401, "invalid_token")
    h = r.headers["WWW-Authenticate"]
    assert h.startswith("Bearer ") and 'error="invalid_token"' in h
    assert "error_description=" in h
    # The public listener only... and userinfo works with JWTs too.
    j = new_client(server, access_token_strategy="jwt")
    jt = token(server, j)["access_token"]
    r = requests.get(url, headers={"Authorization": "Bearer " + jt})
    assert r.status_code == 200 and r.json() == {"sub": j["client_id"]}


def test_userinfo_signed(server):
    c = new_client(server, userinfo_signed_response_alg="RS256")
    at = token(server, c)["access_token"]
    r = requests.get(server.pub + "/userinfo",
                     headers={"Authorization": "Bearer " + at})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/jwt"
    header, claims = verify_jwt(server, r.text)
    assert header["alg"] == "RS256"
    assert claims["sub"] == c["client_id"]
    assert claims["iss"] == server.pub + "/"
    assert claims["aud"] == [c["client_id"]]


# --- admin token API, client deletion, the store ----------------------

def test_delete_tokens_of_client(server):
    a = new_client(server)
    b = new_client(server)
    ta = [token(server, a)["access_token"] for _ in range(3)]
    tb = token(server, b)["access_token"]
    for prefix in ("/admin", ""):
        r = requests.delete(server.adm + prefix + "/oauth2/tokens",
                            params={"client_id": a["client_id"]})
        assert r.status_code == 204, r.text
    for t in ta:
        assert introspect(server, t) == {"active": False}
    assert introspect(server, tb)["active"] is True
    # An unknown client has no tokens; a missing client_id is an error.
    r = requests.delete(server.adm + "/admin/oauth2/tokens",
                        params={"client_id": "no-such"})
    assert r.status_code == 204
    error(requests.delete(server.adm + "/admin/oauth2/tokens"), 400,
          "invalid_request")


def test_deleting_a_client_revokes_its_tokens(server):
    c = new_client(server)
    at = token(server, c)["access_token"]
    assert introspect(server, at)["active"] is True
    r = requests.delete(server.adm + "/admin/clients/" + c["client_id"])
    assert r.status_code == 204
    assert introspect(server, at) == {"active": False}
    dump = store_bytes(server, "tokens_by_client")
    assert c["client_id"].encode() not in dump
    # A new client under the same id does not get them back.
    c2 = new_client(server, client_id=c["client_id"])
    assert introspect(server, at) == {"active": False}
    assert cc(server, c2).status_code == 200


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def test_store_holds_no_token(tmp_path):
    s = Server(tmp_path).start()
    try:
        c = new_client(s)
        toks = [token(s, c)["access_token"] for _ in range(3)]
        j = new_client(s, access_token_strategy="jwt")
        toks.append(token(s, j)["access_token"])
    finally:
        s.stop()
    raw = store_bytes(s)
    for t in toks:
        parts = t[7:].split(".") if t.startswith("ory_") else t.split(".")
        for p in [t] + parts:
            assert p.encode() not in raw
        # Nor the raw bytes of the random part or the signature.
        if t.startswith("ory_"):
            for p in parts:
                assert b64d(p) not in raw
        else:
            assert b64d(parts[2]) not in raw


def test_tokens_survive_a_secret_rotation(tmp_path):
    old, new = "A" * 32, "B" * 32
    s = Server(tmp_path, env={"SECRETS_SYSTEM": old}).start()
    try:
        c = new_client(s)
        at = token(s, c)["access_token"]
    finally:
        s.stop()
    s = Server(tmp_path, env={"SECRETS_SYSTEM": new + "," + old})
    s.start()
    try:
        assert introspect(s, at)["active"] is True
        at2 = token(s, c)["access_token"]
        assert introspect(s, at2)["active"] is True
    finally:
        s.stop()
    s = Server(tmp_path, env={"SECRETS_SYSTEM": new})
    s.start()
    try:
        assert introspect(s, at) == {"active": False}
        assert introspect(s, at2)["active"] is True
    finally:
        s.stop()


# --- grants from a consent (driven through /oauth2/auth) --------------

def consented(server, scope="openid offline_access email", **consent):
    """A code flow through the login and consent API; returns
    (token response, client)."""
    from flowlib import login_and_consent, new_client as flow_client, pkce
    client = flow_client(server)
    verifier, chal = pkce()
    loc, _ = login_and_consent(
        server, client, scope=scope, code_challenge=chal,
        code_challenge_method="S256", nonce="nonce-abc",
        consent=consent or None)
    assert loc.startswith(client["redirect_uris"][0]), loc
    sess = OAuth2Session(client["client_id"], client["client_secret"],
                         redirect_uri=client["redirect_uris"][0])
    tok = sess.fetch_token(server.pub + "/oauth2/token",
                           authorization_response=loc,
                           code_verifier=verifier)
    return dict(tok), client


def refresh(server, client, rt, **data):
    data.update({"grant_type": "refresh_token", "refresh_token": rt})
    return requests.post(server.pub + "/oauth2/token", data=data,
                         auth=(client["client_id"], client["client_secret"]))


def at_hash(tok):
    import hashlib
    d = hashlib.sha256(tok.encode()).digest()[:16]
    return base64.urlsafe_b64encode(d).decode().rstrip("=")


def test_refresh_details(server):
    tok, c = consented(server, session={
        "id_token": {"email": "alice@example.com", "sub": "forged"},
        "access_token": {"tier": "gold"}})
    _, idc = verify_jwt(server, tok["id_token"])
    assert idc["nonce"] == "nonce-abc" and idc["sub"] == "alice"
    assert idc["email"] == "alice@example.com"
    assert idc["at_hash"] == at_hash(tok["access_token"])
    i = introspect(server, tok["refresh_token"])
    assert i["active"] is True and i["token_use"] == "refresh_token"
    assert introspect(server, tok["access_token"])["ext"] == {"tier": "gold"}
    # Userinfo: sub from the grant, the consent's ID token claims.
    r = requests.get(server.pub + "/userinfo", headers={
        "Authorization": "Bearer " + tok["access_token"]})
    assert r.json() == {"sub": "alice", "email": "alice@example.com"}
    # Narrowed: the new access token has less, the refresh token keeps
    # what was granted (RFC 6749 §6).
    r = refresh(server, c, tok["refresh_token"], scope="openid")
    assert r.status_code == 200, r.text
    t2 = r.json()
    assert t2["scope"] == "openid"
    assert introspect(server, tok["access_token"]) == {"active": False}
    assert introspect(server, t2["access_token"])["scope"] == "openid"
    _, idc2 = verify_jwt(server, t2["id_token"])
    assert "nonce" not in idc2           # OpenID Connect Core §12.2
    assert idc2["sub"] == "alice" and idc2["auth_time"] == idc["auth_time"]
    assert idc2["at_hash"] == at_hash(t2["access_token"])
    t3 = refresh(server, c, t2["refresh_token"]).json()
    assert t3["scope"] == "openid offline_access email"
    error(refresh(server, c, t3["refresh_token"], scope="openid admin"),
          400, "invalid_scope")
    # Another client cannot use it.
    other = new_client(server, grant_types=["refresh_token",
                                            "client_credentials"])
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": t3["refresh_token"]},
        auth=(other["client_id"], other["client_secret"]))
    error(r, 400, "invalid_grant")
    assert introspect(server, t3["refresh_token"])["active"] is True


def test_access_token_anchored_to_its_refresh_token(server):
    """An opaque access token issued with a refresh token is not stored
    (schema/store.md, anchored access tokens): the exchange writes the
    refresh token only, introspection answers from its record exactly
    as for a stored access token, and it goes when the refresh token is
    used."""
    before = store_count(server, "tokens")
    tok, c = consented(server, session={"access_token": {"tier": "gold"}})
    # The spent code and the refresh token: no access token record.
    assert store_count(server, "tokens") == before + 2
    anchored = introspect(server, tok["access_token"])
    # A refresh with a narrower scope issues a stored one (RFC 6749 §6).
    tok2, c2 = consented(server, scope="openid offline_access email",
                         session={"access_token": {"tier": "gold"}})
    r = refresh(server, c2, tok2["refresh_token"], scope="openid email")
    assert r.status_code == 200, r.text
    stored = introspect(server, r.json()["access_token"])
    assert sorted(anchored) == sorted(stored)
    for k in ("active", "token_use", "token_type", "sub", "iss", "aud",
              "ext"):
        assert anchored[k] == stored[k], k
    assert anchored["client_id"] == c["client_id"]
    assert anchored["scope"] == "openid offline_access email"
    assert anchored["exp"] - anchored["iat"] == 3600
    # Rotated: the old pair's access token goes, the new one is live.
    n = store_count(server, "tokens")
    t2 = refresh(server, c, tok["refresh_token"]).json()
    assert store_count(server, "tokens") == n + 1
    assert introspect(server, tok["access_token"]) == {"active": False}
    assert introspect(server, t2["access_token"])["active"] is True
    r = requests.get(server.pub + "/userinfo", headers={
        "Authorization": "Bearer " + t2["access_token"]})
    assert r.status_code == 200 and r.json()["sub"] == "alice"


def test_refresh_reuse_revokes_the_chain(server):
    tok, c = consented(server)
    t2 = refresh(server, c, tok["refresh_token"]).json()
    b = error(refresh(server, c, tok["refresh_token"]), 400, "invalid_grant")
    assert b["error_description"] == "The refresh token was already used."
    for t in (t2["access_token"], t2["refresh_token"]):
        assert introspect(server, t) == {"active": False}


@pytest.mark.parametrize("kind", ["refresh_token", "access_token"])
def test_revoking_one_revokes_both(server, kind):
    tok, c = consented(server)
    r = requests.post(server.pub + "/oauth2/revoke",
                      data={"token": tok[kind]},
                      auth=(c["client_id"], c["client_secret"]))
    assert r.status_code == 200
    for t in (tok["access_token"], tok["refresh_token"]):
        assert introspect(server, t) == {"active": False}
    error(refresh(server, c, tok["refresh_token"]), 400, "invalid_grant")


def test_refresh_grace_period(tmp_path):
    s = Server(tmp_path, env={
        "OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD": "3s"}).start()
    try:
        tok, c = consented(s)
        t2 = refresh(s, c, tok["refresh_token"]).json()
        # A retry within the period gets a new pair; nothing is revoked.
        r = refresh(s, c, tok["refresh_token"])
        assert r.status_code == 200, r.text
        t3 = r.json()
        assert t3["refresh_token"] != t2["refresh_token"]
        for t in (t2, t3):
            assert introspect(s, t["access_token"])["active"] is True
            assert introspect(s, t["refresh_token"])["active"] is True
        # After it, the reuse revokes the chain.
        time.sleep(3.2)
        error(refresh(s, c, tok["refresh_token"]), 400, "invalid_grant")
        for t in (t2, t3):
            assert introspect(s, t["access_token"]) == {"active": False}
            assert introspect(s, t["refresh_token"]) == {"active": False}
    finally:
        s.stop()


@pytest.mark.parametrize("value, ok", [("0", True), ("5m", True),
                                        ("301s", False), ("-1", False)])
def test_grace_period_bounds(tmp_path, value, ok):
    from conftest import CLI
    s = Server(tmp_path, env={
        "OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD": value})
    r = subprocess.run([CLI, "config", "get",
                        "oauth2.grant.refresh_token.rotation_grace_period"],
                       env=s.env, capture_output=True, text=True)
    assert (r.returncode == 0) == ok, r.stderr
    if not ok:
        assert "OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD" in r.stderr


# --- Hydra 1.x and 2.x where they differ (issue 14) ----------------------

def test_introspection_token_type_1x_and_2x(server):
    """At the 1.x root path token_type is the token's use, as Hydra's 1.x
    REST API documents oAuth2TokenIntrospection; under /admin (2.x) it
    is "Bearer".  token_use is in both."""
    c = new_client(server)
    at = token(server, c, scope="read")["access_token"]
    v2 = introspect(server, at)
    r = requests.post(server.adm + "/oauth2/introspect", data={"token": at})
    assert r.status_code == 200, r.text
    v1 = r.json()
    assert v2["token_type"] == "Bearer"
    assert v1["token_type"] == "access_token"
    assert v1["token_use"] == v2["token_use"] == "access_token"
    del v1["token_type"], v2["token_type"]
    assert v1 == v2
    # An inactive token is {"active": false} in both.
    r = requests.post(server.adm + "/oauth2/introspect",
                      data={"token": "ory_at_nope"})
    assert r.json() == {"active": False}


def test_oauth_errors_keep_their_shape(server):
    """error_code is the management API's (genericError): the token and
    revocation endpoints answer RFC 6749 §5.2 errors as Hydra (fosite)
    does, without it."""
    c = new_client(server)
    r = cc(server, c, grant_type="password")
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "unsupported_grant_type"
    assert "error_code" not in r.json()
    r = requests.post(server.pub + "/oauth2/revoke", data={})
    assert r.status_code in (400, 401), r.text
    assert "error_code" not in r.json()
    # The same client's errors on the admin listener carry it.
    r = requests.get(server.adm + "/clients/" + c["client_id"] + "x")
    assert r.status_code == 404
    assert r.json()["error_code"] == 404 == r.json()["status_code"]
