"""OAuth 2.0 Token Exchange (RFC 8693) at /oauth2/token, and logout that
ends tokens (oauth2.logout.revoke_tokens): the RP-initiated logout and
the admin API's DELETE /admin/oauth2/auth/sessions/login?sid=, with the
back-channel notification.

The test plays the browser and the login and consent apps (flowlib),
the resource servers that exchange tokens (plain HTTP with requests,
openid-client 5.x's client.grant() in tests/sdk/exchange.js, and
authlib's OAuth2Session.fetch_token()), and
a back-channel logout receiver (test_logout's).

JWTs of another issuer, signed with python3-jwcrypto, are exchanged
once the issuer is trusted through the admin API's trust relationships
(/admin/trust/grants/jwt-bearer/issuers) and the client's
token_exchange.subject_issuers lists it."""

import json
import os
import shutil
import subprocess
import time
import urllib.parse
import uuid

import pytest
import requests
from jwcrypto import jwk, jwt

from conftest import CRASH_MARKS, Server
from flowlib import (accept_consent, accept_login, admin, auth_url,
                     challenge, go, new_client, pkce, qs)
from test_logout import (accept_logout, id_claims, jwks, logout_challenge,
                         receiver, subject)

__all__ = ["receiver"]

GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
TT = "urn:ietf:params:oauth:token-type:"
NODE = shutil.which("node")


@pytest.fixture(scope="module")
def revoking(tmp_path_factory):
    """A server whose logouts revoke the session's tokens."""
    s = Server(tmp_path_factory.mktemp("revoking"),
               conf="oauth2.logout.revoke_tokens = true\n").start()
    yield s
    s.stop()
    log = s.read_log()
    for mark in CRASH_MARKS:
        assert mark not in log, log


def user_client(server, **fields):
    """A client users log in to, which may also exchange tokens."""
    body = {"grant_types": ["authorization_code", "refresh_token", GRANT],
            "scope": "openid offline_access profile email"}
    body.update(fields)
    return new_client(server, **body)


def service(server, **fields):
    """A resource server: client_credentials and token exchange."""
    body = {"grant_types": ["client_credentials", GRANT],
            "response_types": [], "redirect_uris": [],
            "scope": "openid offline_access profile email"}
    body.update(fields)
    return new_client(server, **body)


def exchange(server, client, **params):
    data = {"grant_type": GRANT}
    data.update(params)
    return requests.post(server.pub + "/oauth2/token", data=data,
                         auth=(client["client_id"], client["client_secret"]))


def introspect(server, token):
    r = admin(server, "POST", "/oauth2/introspect", data={"token": token})
    assert r.status_code == 200, r.text
    return r.json()


def refused(r, error, status=400, word=None):
    assert r.status_code == status, r.text
    assert r.json()["error"] == error, r.text
    if word is not None:
        assert word in r.json()["error_description"], r.text
    return r.json()


def login(server, client, sub, scope="openid offline_access"):
    """Log in (remembered) and consent, exchange the code.  Returns
    (tokens, browser)."""
    browser = requests.Session()
    verifier, chal = pkce()
    loc = go(browser, auth_url(server, client, scope=scope,
                               code_challenge=chal,
                               code_challenge_method="S256"))
    loc = go(browser, accept_login(server, challenge(loc, "login"),
                                   subject=sub, remember=True,
                                   remember_for=3600))
    loc = go(browser, accept_consent(server, challenge(loc, "consent")))
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "authorization_code", "code": qs(loc)["code"],
        "redirect_uri": client["redirect_uris"][0],
        "code_verifier": verifier},
        auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 200, r.text
    return r.json(), browser


def user_tokens(server, client=None, **kw):
    client = client or user_client(server, **kw)
    tok, browser = login(server, client, subject())
    return client, tok, browser


# --- token exchange ----------------------------------------------------------

def test_discovery_lists_the_grant(server):
    d = requests.get(server.pub + "/.well-known/openid-configuration").json()
    assert GRANT in d["grant_types_supported"]


def test_exchange_own_access_token(server):
    client, tok, _ = user_tokens(server)
    r = exchange(server, client, subject_token=tok["access_token"],
                 subject_token_type=TT + "access_token")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["issued_token_type"] == TT + "access_token"
    assert out["token_type"] == "bearer"
    assert out["expires_in"] > 0
    assert out["scope"] == "openid offline_access"
    assert "refresh_token" not in out and "id_token" not in out
    assert r.headers["Cache-Control"] == "no-store"
    new = introspect(server, out["access_token"])
    old = introspect(server, tok["access_token"])
    assert new["active"] and new["sub"] == old["sub"]
    assert new["client_id"] == client["client_id"]
    assert "act" not in new     # impersonation


def test_delegation_carries_act(server):
    client, tok, _ = user_tokens(server)
    svc = service(server, access_token_strategy="jwt",
                  token_exchange={"subject_clients": [client["client_id"]]})
    actor = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "client_credentials"},
        auth=(svc["client_id"], svc["client_secret"])).json()
    r = exchange(server, svc, subject_token=tok["access_token"],
                 subject_token_type=TT + "access_token",
                 actor_token=actor["access_token"],
                 actor_token_type=TT + "access_token")
    assert r.status_code == 200, r.text
    at = r.json()["access_token"]
    claims = json.loads(jwt.JWT(jwt=at, key=jwks(server)).claims)
    sub = introspect(server, tok["access_token"])["sub"]
    assert claims["sub"] == sub and claims["client_id"] == svc["client_id"]
    assert claims["act"] == {"sub": svc["client_id"]}
    assert introspect(server, at)["act"] == {"sub": svc["client_id"]}
    # A second hop nests the earlier actor (RFC 8693 §4.1).
    svc2 = service(server, token_exchange={
        "subject_clients": [svc["client_id"]]})
    actor2 = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "client_credentials"},
        auth=(svc2["client_id"], svc2["client_secret"])).json()
    r = exchange(server, svc2, subject_token=at,
                 subject_token_type=TT + "jwt",
                 actor_token=actor2["access_token"],
                 actor_token_type=TT + "access_token")
    assert r.status_code == 200, r.text
    assert introspect(server, r.json()["access_token"])["act"] == {
        "sub": svc2["client_id"], "act": {"sub": svc["client_id"]}}


def test_policy_decides_whose_tokens(server):
    client, tok, _ = user_tokens(server)
    other = service(server)
    e = refused(exchange(server, other, subject_token=tok["access_token"],
                         subject_token_type=TT + "access_token"),
                "unauthorized_client", word="subject_clients")
    assert client["client_id"] in e["error_description"]
    # The operator allows it.
    r = admin(server, "PATCH", "/clients/" + other["client_id"], json=[
        {"op": "add", "path": "/token_exchange",
         "value": {"subject_clients": [client["client_id"]]}}])
    assert r.status_code == 200, r.text
    assert r.json()["token_exchange"] == {
        "subject_clients": [client["client_id"]]}
    r = exchange(server, other, subject_token=tok["access_token"],
                 subject_token_type=TT + "access_token")
    assert r.status_code == 200, r.text


def test_policy_is_checked(server):
    for bad, word in (({"subject_clients": "x"}, "subject_clients"),
                      ({"audiences": [""]}, "audiences"),
                      ({"who": []}, "who"), ([], "token_exchange")):
        r = requests.post(server.adm + "/admin/clients", json={
            "grant_types": [GRANT], "response_types": [],
            "token_exchange": bad})
        assert r.status_code == 400, r.text
        assert word in r.json()["error_description"], r.text


def test_targets(server):
    client, tok, _ = user_tokens(server, audience=["https://api.example"])
    svc = service(server, audience=["https://mine.example"], token_exchange={
        "subject_clients": [client["client_id"]],
        "audiences": ["https://other.example/"]})
    e = refused(exchange(server, svc, subject_token=tok["access_token"],
                         subject_token_type=TT + "access_token",
                         audience="https://nope.example"),
                "invalid_target", word="https://nope.example")
    assert e["error_description"]
    refused(exchange(server, svc, subject_token=tok["access_token"],
                     subject_token_type=TT + "access_token",
                     resource="not a uri"), "invalid_target",
            word="resource")
    r = exchange(server, svc, subject_token=tok["access_token"],
                 subject_token_type=TT + "access_token",
                 audience="https://mine.example",
                 resource=["https://other.example/"])
    assert r.status_code == 200, r.text
    assert sorted(introspect(server, r.json()["access_token"])["aud"]) == \
        ["https://mine.example", "https://other.example/"]


def test_scope_within_the_subject_token(server):
    client, tok, _ = user_tokens(server)
    refused(exchange(server, client, subject_token=tok["access_token"],
                     subject_token_type=TT + "access_token",
                     scope="openid email"), "invalid_scope", word="email")
    r = exchange(server, client, subject_token=tok["access_token"],
                 subject_token_type=TT + "access_token", scope="openid")
    assert r.status_code == 200 and r.json()["scope"] == "openid"
    # Nor beyond the client's own scope.
    svc = service(server, scope="openid", token_exchange={
        "subject_clients": [client["client_id"]]})
    r = exchange(server, svc, subject_token=tok["access_token"],
                 subject_token_type=TT + "access_token")
    assert r.status_code == 200 and r.json()["scope"] == "openid"
    refused(exchange(server, svc, subject_token=tok["access_token"],
                     subject_token_type=TT + "access_token",
                     scope="offline_access"), "invalid_scope")


def test_subject_token_must_be_live(server):
    client, tok, _ = user_tokens(server)
    r = requests.post(server.pub + "/oauth2/revoke", data={
        "token": tok["access_token"]},
        auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 200
    refused(exchange(server, client, subject_token=tok["access_token"],
                     subject_token_type=TT + "access_token"),
            "invalid_grant", word="subject_token")
    refused(exchange(server, client, subject_token="ory_at_forged.x",
                     subject_token_type=TT + "access_token"),
            "invalid_grant", word="subject_token")


def test_request_errors(server):
    client, tok, _ = user_tokens(server)
    at = tok["access_token"]
    refused(exchange(server, client, subject_token_type=TT + "access_token"),
            "invalid_request", word="subject_token")
    refused(exchange(server, client, subject_token=at),
            "invalid_request", word="subject_token_type")
    refused(exchange(server, client, subject_token=at,
                     subject_token_type=TT + "saml2"),
            "invalid_request", word="subject_token_type")
    refused(exchange(server, client, subject_token=at,
                     subject_token_type=TT + "access_token",
                     actor_token=at), "invalid_request",
            word="actor_token_type")
    refused(exchange(server, client, subject_token=at,
                     subject_token_type=TT + "access_token",
                     requested_token_type=TT + "id_token"),
            "invalid_request", word="requested_token_type")
    # A JWT of no issuer, so of none trusted.
    foreign = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
    refused(exchange(server, client, subject_token=foreign,
                     subject_token_type=TT + "jwt"),
            "invalid_grant", word="'iss'")
    # An opaque token is no jwt.
    refused(exchange(server, client, subject_token=at,
                     subject_token_type=TT + "jwt"),
            "invalid_request", word="JWT")
    # An access token presented as a refresh token.
    refused(exchange(server, client, subject_token=at,
                     subject_token_type=TT + "refresh_token"),
            "invalid_grant", word="refresh token")
    # A client without the grant type.
    plain = new_client(server)
    refused(exchange(server, plain, subject_token=at,
                     subject_token_type=TT + "access_token"),
            "unauthorized_client")


def test_refresh_token_requested(server):
    client, tok, _ = user_tokens(server)
    r = exchange(server, client, subject_token=tok["refresh_token"],
                 subject_token_type=TT + "refresh_token",
                 requested_token_type=TT + "refresh_token")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["issued_token_type"] == TT + "refresh_token"
    assert out["token_type"] == "N_A"
    assert out["access_token"].startswith("ory_rt_")
    assert "refresh_token" not in out
    # It refreshes like any refresh token of the client.
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": out["access_token"]},
        auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 200, r.text
    # The subject refresh token was only read, not spent.
    assert introspect(server, tok["refresh_token"])["active"]
    # Without offline scope in the new token there is none.
    refused(exchange(server, client, subject_token=tok["access_token"],
                     subject_token_type=TT + "access_token",
                     scope="openid",
                     requested_token_type=TT + "refresh_token"),
            "invalid_request", word="requested_token_type")


def test_id_token_as_subject(server):
    client, tok, _ = user_tokens(server)
    r = exchange(server, client, subject_token=tok["id_token"],
                 subject_token_type=TT + "id_token")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["scope"] == "openid"
    sub = id_claims(server, tok["id_token"], client)["sub"]
    assert introspect(server, out["access_token"])["sub"] == sub
    # An ID token is a jwt too.
    r = exchange(server, client, subject_token=tok["id_token"],
                 subject_token_type=TT + "jwt")
    assert r.status_code == 200, r.text


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_openid_client_grant(server, sdk_dir):
    client, tok, _ = user_tokens(server)

    def run(params):
        p = subprocess.run(
            [NODE, os.path.join(sdk_dir, "exchange.js"), server.pub + "/",
             client["client_id"], client["client_secret"],
             json.dumps(params)], cwd=sdk_dir, capture_output=True,
            text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout)

    out = run({"subject_token": tok["access_token"],
               "subject_token_type": TT + "access_token"})
    assert GRANT in out["grant_types"], out
    assert out["tokens"]["issued_token_type"] == TT + "access_token"
    assert introspect(server, out["tokens"]["access_token"])["active"]
    out = run({"subject_token": tok["access_token"],
               "subject_token_type": TT + "access_token",
               "audience": "https://nope.example"})
    assert out["error"] == "invalid_target" and out["status"] == 400, out


# --- logout that ends tokens -------------------------------------------------

def test_logout_keeps_tokens_by_default(server):
    client, tok, browser = user_tokens(server)
    ch = logout_challenge(server, browser, id_token_hint=tok["id_token"])
    browser.get(accept_logout(server, ch), allow_redirects=False)
    assert introspect(server, tok["access_token"])["active"]


def test_logout_revokes_tokens_when_configured(revoking):
    server = revoking
    client, tok, browser = user_tokens(server)
    other, tok2, _ = user_tokens(server)
    ex = exchange(server, client, subject_token=tok["access_token"],
                  subject_token_type=TT + "access_token").json()
    assert introspect(server, ex["access_token"])["active"]
    ch = logout_challenge(server, browser, id_token_hint=tok["id_token"])
    browser.get(accept_logout(server, ch), allow_redirects=False)
    assert not introspect(server, tok["access_token"])["active"]
    assert not introspect(server, ex["access_token"])["active"]
    # Another login session's tokens stay.
    assert introspect(server, tok2["access_token"])["active"]
    # The ID token of the ended session no longer exchanges.
    refused(exchange(server, client, subject_token=tok["id_token"],
                     subject_token_type=TT + "id_token"),
            "invalid_grant", word="ended")


def test_delete_login_session_by_sid(revoking, receiver):
    server = revoking
    bc = receiver()
    client = user_client(server, backchannel_logout_uri=bc.url)
    tok, _ = login(server, client, subject())
    sid = id_claims(server, tok["id_token"], client)["sid"]
    # As Hydra's HandleHeadlessLogout: an unknown sid is no error.
    for url in (server.adm + "/oauth2/auth/sessions/login",
                server.adm + "/admin/oauth2/auth/sessions/login"):
        r = requests.delete(url, params={"sid": "nope"})
        assert r.status_code == 204, r.text
    assert not bc.got
    r = admin(server, "DELETE", "/oauth2/auth/sessions/login",
              params={"sid": sid})
    assert r.status_code == 204, r.text
    assert bc.event.wait(5)
    lt = json.loads(jwt.JWT(jwt=urllib.parse.parse_qs(
        bc.got[0]["body"])["logout_token"][0], key=jwks(server)).claims)
    assert lt["sid"] == sid
    assert not introspect(server, tok["access_token"])["active"]
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": tok["refresh_token"]},
        auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    # Ended: a second DELETE tells no client again.
    r = admin(server, "DELETE", "/oauth2/auth/sessions/login",
              params={"sid": sid})
    assert r.status_code == 204, r.text
    assert len(bc.got) == 1


def test_delete_login_sessions_of_subject(revoking):
    server = revoking
    client = user_client(server)
    sub = subject()
    tok, _ = login(server, client, sub)
    tok2, _ = login(server, client, sub)
    other, _ = login(server, client, subject())
    r = admin(server, "DELETE", "/oauth2/auth/sessions/login",
              params={"subject": sub})
    assert r.status_code == 204, r.text
    assert not introspect(server, tok["access_token"])["active"]
    assert not introspect(server, tok2["refresh_token"])["active"]
    assert introspect(server, other["access_token"])["active"]


def test_delete_login_session_keeps_tokens_by_default(server):
    client = user_client(server)
    tok, _ = login(server, client, subject())
    sid = id_claims(server, tok["id_token"], client)["sid"]
    r = admin(server, "DELETE", "/oauth2/auth/sessions/login",
              params={"sid": sid})
    assert r.status_code == 204, r.text
    assert introspect(server, tok["access_token"])["active"]


def test_authlib_client(server):
    """authlib's OAuth2Session as the resource server's client: a generic
    grant through fetch_token(), the RFC 8693 error raised as OAuthError."""
    from authlib.integrations.requests_client import (OAuth2Session,
                                                      OAuthError)
    client, tok, _ = user_tokens(server)
    s = OAuth2Session(client["client_id"], client["client_secret"],
                      token_endpoint_auth_method="client_secret_basic")
    t = s.fetch_token(server.pub + "/oauth2/token", grant_type=GRANT,
                      subject_token=tok["access_token"],
                      subject_token_type=TT + "access_token",
                      scope="openid")
    assert t["issued_token_type"] == TT + "access_token"
    assert t["scope"] == "openid"
    assert introspect(server, t["access_token"])["active"]
    with pytest.raises(OAuthError) as e:
        s.fetch_token(server.pub + "/oauth2/token", grant_type=GRANT,
                      subject_token=tok["access_token"],
                      subject_token_type=TT + "access_token",
                      scope="openid email")
    assert e.value.error == "invalid_scope"


# --- JWTs of trusted issuers (the trust API's relationships) ----------------

def later(secs=3600):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + secs))


@pytest.fixture(scope="module")
def trusted(server):
    """An issuer trusted over the admin API for the subject carol
    (scope openid profile) and the actor robot, and a resource server
    whose token_exchange.subject_issuers lists it."""
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid="idp-1")
    iss = f"https://idp-{uuid.uuid4().hex[:8]}.example"
    for sub in ("carol", "robot"):
        r = requests.post(
            server.adm + "/admin/trust/grants/jwt-bearer/issuers",
            json={"issuer": iss, "subject": sub,
                  "scope": ["openid", "profile", "offline_access"],
                  "jwk": json.loads(key.export_public()),
                  "expires_at": later()}, timeout=10)
        assert r.status_code == 201, r.text
    fed = service(server, token_exchange={"subject_issuers": [iss]})
    issuer = requests.get(
        server.pub + "/.well-known/openid-configuration").json()["issuer"]
    return {"key": key, "iss": iss, "client": fed, "issuer": issuer}


def idp_jwt(t, key=None, **over):
    """A JWT of the trusted issuer, signed with jwcrypto."""
    now = int(time.time())
    claims = {"iss": t["iss"], "sub": "carol", "iat": now,
              "exp": now + 300, "jti": uuid.uuid4().hex}
    claims.update(over)
    claims = {k: v for k, v in claims.items() if v is not None}
    tok = jwt.JWT(header={"alg": "ES256", "kid": "idp-1", "typ": "JWT"},
                  claims=claims)
    tok.make_signed_token(key or t["key"])
    return tok.serialize()


def jwt_exchange(server, t, client=None, **params):
    return exchange(server, client or t["client"],
                    subject_token_type=TT + "jwt", **params)


def test_trusted_jwt_impersonation(server, trusted):
    s = idp_jwt(trusted, aud=trusted["issuer"])
    r = jwt_exchange(server, trusted, subject_token=s)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["issued_token_type"] == TT + "access_token"
    # The trust's scope the client may have (offline_access too).
    assert set(out["scope"].split()) == {"openid", "profile",
                                         "offline_access"}
    i = introspect(server, out["access_token"])
    assert i["active"] and i["sub"] == "carol"
    # Issued to the requesting client; no act: impersonation.
    assert i["client_id"] == trusted["client"]["client_id"]
    assert "act" not in i
    # Its jti once (RFC 7523 §3 item 7).
    refused(jwt_exchange(server, trusted, subject_token=s),
            "invalid_grant", word="jti")


def test_trusted_jwt_delegation(server, trusted):
    actor = idp_jwt(trusted, sub="robot",
                    aud=trusted["issuer"].rstrip("/") + "/oauth2/token")
    r = jwt_exchange(server, trusted, subject_token=idp_jwt(trusted),
                     actor_token=actor, actor_token_type=TT + "jwt",
                     scope="openid")
    assert r.status_code == 200, r.text
    i = introspect(server, r.json()["access_token"])
    assert i["sub"] == "carol" and i["scope"] == "openid"
    assert i["act"] == {"sub": "robot", "iss": trusted["iss"]}
    # An actor of ours with a subject of the trusted issuer.
    client, tok, _ = user_tokens(server)
    fed = trusted["client"]
    pol = service(server, token_exchange={
        "subject_issuers": [trusted["iss"]],
        "subject_clients": [client["client_id"]]})
    r = exchange(server, pol, subject_token=idp_jwt(trusted),
                 subject_token_type=TT + "jwt",
                 actor_token=tok["access_token"],
                 actor_token_type=TT + "access_token")
    assert r.status_code == 200, r.text
    act = introspect(server, r.json()["access_token"])["act"]
    assert act["sub"] == introspect(server, tok["access_token"])["sub"]
    assert "iss" not in act
    assert fed["client_id"] != pol["client_id"]


@pytest.mark.parametrize("over,error,word", [
    ({"iss": "https://untrusted.example"}, "invalid_grant", "No trust"),
    ({"sub": "mallory"}, "invalid_grant", "mallory"),
    ({"exp": 1000}, "invalid_grant", "subject_token"),
    ({"exp": None}, "invalid_grant", "exp"),
    ({"exp": 4102444800}, "invalid_grant", "max_ttl"),
    ({"iat": 4102444800}, "invalid_grant", "iat"),
    ({"nbf": 4102444800}, "invalid_grant", "nbf"),
    ({"aud": "https://api.example/"}, "invalid_grant", "aud"),
])
def test_trusted_jwt_refused(server, trusted, over, error, word):
    refused(jwt_exchange(server, trusted,
                         subject_token=idp_jwt(trusted, **over)),
            error, word=word)


def test_trusted_jwt_key_scope_and_type(server, trusted):
    other = jwk.JWK.generate(kty="EC", crv="P-256", kid="idp-1")
    refused(jwt_exchange(server, trusted,
                         subject_token=idp_jwt(trusted, key=other)),
            "invalid_grant", word="verified")
    # email: the client's scope, not the trust's.
    s = idp_jwt(trusted)
    refused(jwt_exchange(server, trusted, subject_token=s,
                         scope="openid email"), "invalid_scope",
            word="email")
    # Only as subject_token_type jwt.
    refused(exchange(server, trusted["client"], subject_token=s,
                     subject_token_type=TT + "access_token"),
            "invalid_grant")
    # A refusal did not spend the jti.
    r = jwt_exchange(server, trusted, subject_token=s, scope="openid")
    assert r.status_code == 200, r.text


def test_trusted_jwt_client_policy(server, trusted):
    s = idp_jwt(trusted)
    # Not listed in token_exchange.subject_issuers: no exchange.
    for fields in ({}, {"token_exchange": {"subject_issuers":
                                           ["https://x.example"]}}):
        refused(exchange(server, service(server, **fields),
                         subject_token=s, subject_token_type=TT + "jwt"),
                "unauthorized_client", word="subject_issuers")
    star = service(server, token_exchange={"subject_issuers": ["*"]})
    r = exchange(server, star, subject_token=s,
                 subject_token_type=TT + "jwt")
    assert r.status_code == 200, r.text
    # The member is validated and shown in the client views.
    r = requests.post(server.adm + "/admin/clients", json={
        "token_exchange": {"subject_issuers": ["a b"]}})
    assert r.status_code == 400, r.text
    assert "token_exchange.subject_issuers" in r.text
    cid = trusted["client"]["client_id"]
    for path in ("/admin/clients/" + cid, "/clients/" + cid):
        got = requests.get(server.adm + path).json()
        assert got["token_exchange"]["subject_issuers"] == [
            trusted["iss"]], got


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_trusted_jwt_openid_client(server, sdk_dir, trusted):
    """openid-client's client.grant() trading a trusted issuer's JWT."""
    c = trusted["client"]

    def run(params):
        p = subprocess.run(
            [NODE, os.path.join(sdk_dir, "exchange.js"), server.pub + "/",
             c["client_id"], c["client_secret"], json.dumps(params)],
            cwd=sdk_dir, capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout)

    s = idp_jwt(trusted)
    out = run({"subject_token": s, "subject_token_type": TT + "jwt",
               "scope": "profile"})
    assert out["tokens"]["issued_token_type"] == TT + "access_token", out
    i = introspect(server, out["tokens"]["access_token"])
    assert i["sub"] == "carol" and i["scope"] == "profile"
    out = run({"subject_token": s, "subject_token_type": TT + "jwt"})
    assert out["error"] == "invalid_grant" and out["status"] == 400, out


def test_trusted_jwt_refresh_token(server, trusted):
    """A refresh token for a trusted issuer's subject, then refreshed."""
    c = service(server, grant_types=["refresh_token", GRANT],
                token_exchange={"subject_issuers": [trusted["iss"]]})
    r = exchange(server, c, subject_token=idp_jwt(trusted),
                 subject_token_type=TT + "jwt", scope="openid offline_access",
                 requested_token_type=TT + "refresh_token")
    assert r.status_code == 200, r.text
    assert r.json()["issued_token_type"] == TT + "refresh_token"
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "refresh_token",
        "refresh_token": r.json()["access_token"]},
        auth=(c["client_id"], c["client_secret"]))
    assert r.status_code == 200, r.text
    i = introspect(server, r.json()["access_token"])
    assert i["sub"] == "carol" and i["client_id"] == c["client_id"]
