"""The authorization server end to end: /oauth2/auth with Hydra's login
and consent challenges on the admin API, with authlib as the client."""

import json
import threading
import urllib.parse
import uuid

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from jwcrypto import jwk, jwt

from conftest import Server, store_bytes, store_count
from flowlib import (accept_consent, accept_login, admin, auth_url,
                     challenge, go, login_and_consent, new_client, pkce, qs)


def rp(server, client, **kw):
    return OAuth2Session(client["client_id"], client.get("client_secret"),
                         redirect_uri=client["redirect_uris"][0],
                         token_endpoint_auth_method=client[
                             "token_endpoint_auth_method"], **kw)


def id_claims(server, token, client):
    keys = jwk.JWKSet.from_json(
        requests.get(server.pub + "/.well-known/jwks.json").text)
    t = jwt.JWT(jwt=token, key=keys, check_claims={
        "iss": server.pub + "/", "aud": client["client_id"]})
    return json.loads(t.claims)


def code_flow(server, client, scope="openid offline_access", **kw):
    verifier, chal = pkce()
    loc, browser = login_and_consent(
        server, client, scope=scope, code_challenge=chal,
        code_challenge_method="S256", nonce="nonce-123", **kw)
    assert loc.startswith(client["redirect_uris"][0]), loc
    sess = rp(server, client)
    tok = sess.fetch_token(server.pub + "/oauth2/token",
                           authorization_response=loc,
                           code_verifier=verifier)
    return tok, loc, browser


def introspect(server, token):
    r = admin(server, "POST", "/oauth2/introspect", data={"token": token})
    assert r.status_code == 200, r.text
    return r.json()


# --- the code flow ------------------------------------------------------

def test_code_flow_with_pkce_and_id_token(server):
    client = new_client(server)
    tok, loc, _ = code_flow(
        server, client,
        consent={"session": {"id_token": {"email": "a@x.example",
                                          "iss": "forged"},
                             "access_token": {"team": "t1"}}})
    assert tok["token_type"].lower() == "bearer"
    assert tok["access_token"].startswith("ory_at_")
    assert tok["refresh_token"].startswith("ory_rt_")
    assert set(tok["scope"].split()) == {"openid", "offline_access"}
    claims = id_claims(server, tok["id_token"], client)
    assert claims["sub"] == "alice" and claims["nonce"] == "nonce-123"
    assert claims["email"] == "a@x.example"
    assert claims["iss"] == server.pub + "/"       # not overridden
    # RFC 9207: the authorization response names the issuer.
    assert qs(loc)["iss"] == server.pub + "/"
    assert claims["at_hash"] and claims["sid"] and claims["auth_time"]
    i = introspect(server, tok["access_token"])
    assert i["active"] and i["sub"] == "alice"
    assert i["client_id"] == client["client_id"] and i["ext"] == {
        "team": "t1"}


def test_code_is_single_use_and_replay_revokes(server):
    client = new_client(server)
    verifier, chal = pkce()
    loc, _ = login_and_consent(server, client, scope="openid offline_access",
                               code_challenge=chal,
                               code_challenge_method="S256")
    code = qs(loc)["code"]
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": client["redirect_uris"][0],
            "code_verifier": verifier}
    auth = (client["client_id"], client["client_secret"])
    r1 = requests.post(server.pub + "/oauth2/token", data=form, auth=auth)
    assert r1.status_code == 200, r1.text
    assert r1.headers["Cache-Control"] == "no-store"
    r2 = requests.post(server.pub + "/oauth2/token", data=form, auth=auth)
    assert r2.status_code == 400 and r2.json()["error"] == "invalid_grant"
    assert not introspect(server, r1.json()["access_token"])["active"]
    assert not introspect(server, r1.json()["refresh_token"])["active"]


def test_unspent_code_is_sealed_and_voided_like_a_stored_one(server):
    """A code is sealed, not stored (schema/store.md, sealed codes): the
    consent writes no token record, and what deleted a stored code (the
    consent revoked, the client's tokens voided) voids it all the
    same."""
    sub = "sealed-" + uuid.uuid4().hex
    client = new_client(server)
    auth = (client["client_id"], client["client_secret"])

    def code():
        loc, _ = login_and_consent(server, client, login={"subject": sub},
                                   scope="openid offline_access")
        return qs(loc)["code"]

    def redeem(c):
        return requests.post(server.pub + "/oauth2/token", data={
            "grant_type": "authorization_code", "code": c,
            "redirect_uri": client["redirect_uris"][0]}, auth=auth)

    before = store_count(server, "tokens")
    c = code()
    assert c.startswith("ory_ac_") and len(c) < 2048
    assert store_count(server, "tokens") == before
    # Its consent revoked before the exchange: refused.
    r = admin(server, "DELETE", "/oauth2/auth/sessions/consent",
              params={"subject": sub, "client": client["client_id"]})
    assert r.status_code == 204, r.text
    r = redeem(c)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert "revoked" in r.json()["error_description"], r.text
    # The client's tokens voided (DELETE /oauth2/tokens): refused.
    c = code()
    r = admin(server, "DELETE", "/oauth2/tokens",
              params={"client_id": client["client_id"]})
    assert r.status_code == 204, r.text
    r = redeem(c)
    assert r.status_code == 400 and "revoked" in r.json()[
        "error_description"], r.text
    # Otherwise redeemed once; spent, its tombstone is the one record.
    c = code()
    n = store_count(server, "tokens")
    r = redeem(c)
    assert r.status_code == 200, r.text
    assert store_count(server, "tokens") == n + 2
    r2 = redeem(c)
    assert r2.status_code == 400 and "already been used" in r2.json()[
        "error_description"], r2.text
    assert not introspect(server, r.json()["access_token"])["active"]


def test_pkce_is_checked(server):
    client = new_client(server)
    verifier, chal = pkce()
    loc, _ = login_and_consent(server, client, code_challenge=chal,
                               code_challenge_method="S256")
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "authorization_code", "code": qs(loc)["code"],
        "redirect_uri": client["redirect_uris"][0],
        "code_verifier": "x" * 43},
        auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_public_client_needs_pkce(server):
    client = new_client(server, token_endpoint_auth_method="none")
    loc = go(requests.Session(), auth_url(server, client))
    assert loc.startswith(client["redirect_uris"][0])
    assert qs(loc)["error"] == "invalid_request"
    assert "PKCE" in qs(loc)["error_description"]


def test_refresh_rotation_and_reuse(server):
    client = new_client(server)
    tok, _, _ = code_flow(server, client)
    sess = rp(server, client)
    new = sess.refresh_token(server.pub + "/oauth2/token",
                             refresh_token=tok["refresh_token"])
    assert new["refresh_token"] != tok["refresh_token"]
    assert new["id_token"]
    assert not introspect(server, tok["access_token"])["active"]
    assert introspect(server, new["access_token"])["active"]
    # Reuse of the rotated token: refused, and the whole chain revoked.
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": tok["refresh_token"]},
        auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert not introspect(server, new["access_token"])["active"]
    assert not introspect(server, new["refresh_token"])["active"]


def test_refresh_may_narrow_not_widen(server):
    client = new_client(server)
    tok, _, _ = code_flow(server, client)
    auth = (client["client_id"], client["client_secret"])
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": tok["refresh_token"],
        "scope": "openid offline_access profile"}, auth=auth)
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"


# --- remembered login and consent ---------------------------------------

def test_remembered_login_and_consent_skip(server):
    client = new_client(server)
    loc, browser = login_and_consent(
        server, client, login={"remember": True, "remember_for": 3600},
        consent={"remember": True, "remember_for": 3600})
    assert "code" in qs(loc)
    loc = go(browser, auth_url(server, client))
    ch = challenge(loc, "login")
    req = admin(server, "GET", "/oauth2/auth/requests/login",
                params={"login_challenge": ch}).json()
    assert req["skip"] is True and req["subject"] == "alice"
    loc = go(browser, accept_login(server, ch))
    ch = challenge(loc, "consent")
    req = admin(server, "GET", "/oauth2/auth/requests/consent",
                params={"consent_challenge": ch}).json()
    assert req["skip"] is True
    loc = go(browser, accept_consent(server, ch))
    assert "code" in qs(loc)
    # prompt=none works now: the login app accepts the skipped login,
    # the remembered consent covers the rest.
    loc = go(browser, auth_url(server, client, prompt="none"))
    loc = go(browser, accept_login(server, challenge(loc, "login")))
    loc = go(browser, accept_consent(server, challenge(loc, "consent")))
    assert "code" in qs(loc)
    # The consent session is listed, then revoked.
    r = admin(server, "GET", "/oauth2/auth/sessions/consent",
              params={"subject": "alice"})
    assert r.status_code == 200 and len(r.json()) >= 1
    assert r.json()[0]["consent_request"]["client"]["client_id"]
    r = admin(server, "DELETE", "/oauth2/auth/sessions/consent",
              params={"subject": "alice", "client": client["client_id"]})
    assert r.status_code == 204
    loc = go(browser, auth_url(server, client, prompt="none"))
    loc = go(browser, accept_login(server, challenge(loc, "login")))
    assert qs(loc)["error"] == "consent_required"
    # Ending the login sessions.
    r = admin(server, "DELETE", "/oauth2/auth/sessions/login",
              params={"subject": "alice"})
    assert r.status_code == 204
    loc = go(browser, auth_url(server, client, prompt="none"))
    assert qs(loc)["error"] == "login_required"


def test_prompt_none_without_session(server):
    client = new_client(server)
    loc = go(requests.Session(), auth_url(server, client, prompt="none"))
    p = qs(loc)
    assert loc.startswith(client["redirect_uris"][0])
    assert p["error"] == "login_required" and p["state"].startswith("state-")


def test_login_reject_reaches_client(server):
    client = new_client(server)
    b = requests.Session()
    loc = go(b, auth_url(server, client))
    r = admin(server, "PUT", "/oauth2/auth/requests/login/reject",
              params={"login_challenge": challenge(loc, "login")},
              json={"error": "access_denied",
                    "error_description": "Nope."})
    assert r.status_code == 200
    loc = go(b, r.json()["redirect_to"])
    assert qs(loc)["error"] == "access_denied"
    assert "Nope." in qs(loc)["error_description"]
    # RFC 9207: error responses name the issuer too.
    assert qs(loc)["iss"] == server.pub + "/"


def test_handled_challenge_is_410(server):
    """As Hydra's flows: a challenge may be answered again until its flow
    is done (a consent verifier spent); then every challenge of the flow
    is 410 with the request URL, to start again from, and no verifier of
    it leads anywhere."""
    client = new_client(server)
    b = requests.Session()
    start = auth_url(server, client)
    ch = challenge(go(b, start), "login")
    first = accept_login(server, ch)
    # Answered, not done: the request is still there, and a second
    # answer gets a verifier of its own.
    r = admin(server, "GET", "/oauth2/auth/requests/login",
              params={"login_challenge": ch})
    assert r.status_code == 200 and r.json()["challenge"] == ch
    second = accept_login(server, ch, subject="mallory")
    assert second != first
    # A login verifier is not spent: it leads to a consent challenge
    # each time (the browser's CSRF cookie then names the newest), until
    # the flow is done.
    c1 = challenge(go(b, first), "consent")
    c2 = challenge(go(b, first), "consent")
    assert c1 != c2
    r = admin(server, "GET", "/oauth2/auth/requests/consent",
              params={"consent_challenge": c1})
    assert r.status_code == 200 and r.json()["subject"] == "alice"
    v1 = accept_consent(server, c1)
    v2 = accept_consent(server, c2)
    # The first consent verifier spent ends the flow.
    assert "code" in qs(go(b, v2))
    assert qs(go(b, v2))["error"] == "invalid_request"
    assert "error" in qs(go(b, v1))
    assert qs(go(b, first))["error"] == "invalid_request"
    assert qs(go(b, second))["error"] == "invalid_request"
    for kind, c in (("login", ch), ("consent", c1), ("consent", c2)):
        r = admin(server, "GET", "/oauth2/auth/requests/" + kind,
                  params={kind + "_challenge": c})
        assert r.status_code == 410, (kind, r.text)
        assert r.json() == {"redirect_to": start}
        for verb in ("accept", "reject"):
            body = {"subject": "x"} if kind == "login" else {}
            r = admin(server, "PUT", "/oauth2/auth/requests/%s/%s"
                      % (kind, verb), params={kind + "_challenge": c},
                      json=body)
            assert r.status_code == 410, (kind, verb, r.text)
            assert r.json() == {"redirect_to": start}


def test_rejected_consent_ends_the_flow(server):
    client = new_client(server)
    b = requests.Session()
    ch = challenge(go(b, auth_url(server, client)), "login")
    c = challenge(go(b, accept_login(server, ch)), "consent")
    r = admin(server, "PUT", "/oauth2/auth/requests/consent/reject",
              params={"consent_challenge": c}, json={"error": "access_denied"})
    assert r.status_code == 200
    assert qs(go(b, r.json()["redirect_to"]))["error"] == "access_denied"
    r = admin(server, "GET", "/oauth2/auth/requests/consent",
              params={"consent_challenge": c})
    assert r.status_code == 410


@pytest.mark.parametrize("ch", ["", "nope", "A" * 200])
def test_unknown_challenge_is_404(server, ch):
    r = admin(server, "GET", "/oauth2/auth/requests/login",
              params={"login_challenge": ch})
    assert r.status_code in (400, 404)


def test_verifier_needs_the_browser_csrf_cookie(server):
    client = new_client(server)
    b = requests.Session()
    ch = challenge(go(b, auth_url(server, client)), "login")
    loc = go(requests.Session(), accept_login(server, ch))   # other browser
    assert qs(loc)["error"] == "request_forbidden"


# --- request validation --------------------------------------------------

@pytest.mark.parametrize("params,where,error", [
    ({"client_id": "nope"}, "page", "invalid_client"),
    ({"redirect_uri": "https://evil.example/cb"}, "page", "invalid_request"),
    ({"state": "short"}, "client", "invalid_state"),
    ({"state": None}, "client", "invalid_state"),
    ({"response_type": "magic"}, "client", "unsupported_response_type"),
    ({"response_type": "token"}, "client", "unauthorized_client"),
    ({"scope": "openid admin"}, "client", "invalid_scope"),
    ({"prompt": "none login"}, "client", "invalid_request"),
    ({"max_age": "x"}, "client", "invalid_request"),
    ({"code_challenge": "x" * 43, "code_challenge_method": "plain"},
     "client", "invalid_request"),
    ({"request": "eyJ"}, "client", "invalid_request_object"),
    ({"response_mode": "magic"}, "client", "invalid_request"),
    ({"id_token_hint": "not.a.jwt"}, "client", "invalid_request"),
])
def test_authorize_errors(server, params, where, error):
    client = new_client(server)
    loc = go(requests.Session(), auth_url(server, client, **params))
    if where == "page":
        assert loc.startswith(server.pub + "/ui/error?")
    else:
        assert loc.startswith(client["redirect_uris"][0])
        if params.get("state", "x") and len(params.get("state") or "") >= 8:
            assert "state" in qs(loc)
    assert qs(loc)["error"] == error, loc


def test_duplicate_parameter_refused(server):
    client = new_client(server)
    url = auth_url(server, client) + "&scope=openid"
    loc = go(requests.Session(), url)
    assert qs(loc)["error"] == "invalid_request"


def test_loopback_redirect_any_port(server):
    client = new_client(server, redirect_uris=["http://127.0.0.1/cb"])
    loc = go(requests.Session(), auth_url(
        server, client, redirect_uri="http://127.0.0.1:54321/cb"))
    assert "login_challenge" in loc


# --- implicit and hybrid -------------------------------------------------

def test_implicit_id_token_token(server):
    client = new_client(server, grant_types=["implicit"],
                        response_types=["id_token token"])
    loc, _ = login_and_consent(server, client, response_type="id_token token",
                               nonce="n-0123456")
    assert "#" in loc
    p = qs(loc)
    assert p["access_token"] and p["id_token"] and p["state"]
    assert "refresh_token" not in p and "code" not in p
    claims = id_claims(server, p["id_token"], client)
    assert claims["nonce"] == "n-0123456" and claims["at_hash"]


def test_implicit_needs_nonce(server):
    client = new_client(server, grant_types=["implicit"],
                        response_types=["id_token"])
    loc = go(requests.Session(), auth_url(server, client,
                                          response_type="id_token"))
    assert qs(loc)["error"] == "invalid_request"


def test_hybrid_code_id_token(server):
    client = new_client(server, grant_types=["authorization_code",
                                             "implicit"],
                        response_types=["code id_token"])
    loc, _ = login_and_consent(server, client, response_type="code id_token",
                               nonce="n-0123456")
    p = qs(loc)
    claims = id_claims(server, p["id_token"], client)
    assert p["code"] and claims["c_hash"]


def test_form_post(server):
    client = new_client(server)
    b = requests.Session()
    loc = go(b, auth_url(server, client, response_mode="form_post"))
    loc = go(b, accept_login(server, challenge(loc, "login")))
    r = b.get(accept_consent(server, challenge(loc, "consent")),
              allow_redirects=False)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert 'name="code"' in r.text and 'name="state"' in r.text
    assert f'name="iss" value="{server.pub}/"' in r.text
    assert "script-src 'nonce-" in r.headers["Content-Security-Policy"]


def test_post_authorize(server):
    client = new_client(server)
    u = urllib.parse.urlsplit(auth_url(server, client))
    r = requests.post(server.pub + "/oauth2/auth", data=dict(
        urllib.parse.parse_qsl(u.query)), allow_redirects=False)
    assert r.status_code == 302 and "login_challenge" in r.headers[
        "Location"]


# --- races and the store --------------------------------------------------

@pytest.fixture(scope="module")
def two(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("race"), procs=2).start()
    yield s
    s.stop()


def race(fn, n=2):
    results = [None] * n
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        results[i] = fn()

    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return results


def test_racing_the_same_code(two):
    client = new_client(two)
    auth = (client["client_id"], client["client_secret"])
    for _ in range(20):
        verifier, chal = pkce()
        loc, _ = login_and_consent(two, client, code_challenge=chal,
                                   code_challenge_method="S256")
        form = {"grant_type": "authorization_code", "code": qs(loc)["code"],
                "redirect_uri": client["redirect_uris"][0],
                "code_verifier": verifier}
        codes = race(lambda: requests.post(two.pub + "/oauth2/token",
                                           data=form, auth=auth).status_code)
        assert sorted(codes) == [200, 400], codes


def test_racing_the_same_refresh_token(two):
    client = new_client(two)
    tok, _, _ = code_flow(two, client)
    auth = (client["client_id"], client["client_secret"])
    rt = tok["refresh_token"]
    for _ in range(200):
        res = race(lambda: requests.post(two.pub + "/oauth2/token", data={
            "grant_type": "refresh_token", "refresh_token": rt}, auth=auth))
        ok = [r for r in res if r.status_code == 200]
        assert len(ok) <= 1, [r.text for r in res]
        if not ok:
            # Reuse detection revoked the chain: start a new one.
            tok, _, _ = code_flow(two, client)
            rt = tok["refresh_token"]
        else:
            rt = ok[0].json()["refresh_token"]


def test_store_holds_no_usable_credential(tmp_path):
    s = Server(tmp_path).start()
    try:
        client = new_client(s)
        b = requests.Session()
        loc = go(b, auth_url(s, client, scope="openid offline_access"))
        lch = challenge(loc, "login")
        loc = go(b, accept_login(s, lch, remember=True))
        cch = challenge(loc, "consent")
        loc = go(b, accept_consent(s, cch))
        code = qs(loc)["code"]
        tok = requests.post(s.pub + "/oauth2/token", data={
            "grant_type": "authorization_code", "code": code,
            "redirect_uri": client["redirect_uris"][0]},
            auth=(client["client_id"], client["client_secret"])).json()
    finally:
        s.stop()
    dump = store_bytes(s)
    for secret in (lch, cch, code, tok["access_token"],
                   tok["refresh_token"], client["client_secret"]):
        assert secret.encode() not in dump
        # Nor the random or signature half of an opaque token.
        for part in secret.split("."):
            if len(part) > 20:
                assert part[-40:].encode() not in dump


def test_deleting_a_client_forgets_its_consents(server):
    """A new client with a deleted client's id inherits no remembered
    consent and no token."""
    cid = "reused-" + __import__("os").urandom(4).hex()
    client = new_client(server, client_id=cid)
    tok, loc, browser = code_flow(server, client,
                                  login={"remember": True},
                                  consent={"remember": True})
    r = admin(server, "DELETE", "/clients/" + cid)
    assert r.status_code == 204
    assert not introspect(server, tok["access_token"])["active"]
    client = new_client(server, client_id=cid)
    loc = go(browser, auth_url(server, client))
    loc = go(browser, accept_login(server, challenge(loc, "login")))
    req = admin(server, "GET", "/oauth2/auth/requests/consent",
                params={"consent_challenge": challenge(loc, "consent")})
    assert req.json()["skip"] is False
    r = admin(server, "GET", "/oauth2/auth/sessions/consent",
              params={"subject": "alice"})
    assert all(c["consent_request"]["client"] is None or
               c["consent_request"]["client"]["client_id"] != cid
               for c in r.json())


# --- Hydra 1.x and 2.x where they differ (issue 14) ----------------------

def hydra_err(r, status):
    """Hydra's genericError: error_code (1.x documents it) and
    status_code both the HTTP status."""
    assert r.status_code == status, r.text
    b = r.json()
    assert b["error_code"] == status and b["status_code"] == status, b
    assert b["error"] and b["error_description"], b
    return b


@pytest.mark.parametrize("prefix", ["", "/admin"])
def test_admin_errors_carry_error_code(server, prefix):
    base = server.adm + prefix
    b = hydra_err(requests.get(base + "/oauth2/auth/requests/login"), 400)
    assert "login_challenge" in b["error_description"]
    hydra_err(requests.get(base + "/oauth2/auth/requests/consent",
                           params={"consent_challenge": "nope"}), 404)
    hydra_err(requests.get(base + "/clients/no-such-client"), 404)
    hydra_err(requests.post(base + "/oauth2/auth/requests/login"), 405)
    hydra_err(requests.delete(base + "/oauth2/auth/sessions/consent"), 400)
    hydra_err(requests.post(base + "/oauth2/flush", json={"notAfter": 1}),
              400)
    # Introspection answers OAuth 2.0 errors, as fosite: no error_code.
    r = requests.post(base + "/oauth2/introspect", data={})
    assert r.status_code == 400 and r.json()["status_code"] == 400
    assert r.json()["error"] == "invalid_request"
    assert "error_code" not in r.json()
    hydra_err(requests.put(base + "/oauth2/auth/requests/logout/reject",
                           params={"logout_challenge": "x" * 40}), 404)


def consent_grants(server, sub):
    r = admin(server, "GET", "/oauth2/auth/sessions/consent",
              params={"subject": sub})
    assert r.status_code == 200, r.text
    return sorted(g["consent_request"]["client"]["client_id"]
                  for g in r.json())


def test_revoke_consent_1x_and_2x(server):
    """1.x (its REST API document): without client, every client's
    grants go.  2.x (/admin): client or all=true, one of the two."""
    sub = "rc-" + uuid.uuid4().hex
    a, b, c = new_client(server), new_client(server), new_client(server)
    for cl in (a, b, c):
        loc, _ = login_and_consent(
            server, cl, login={"subject": sub},
            consent={"remember": True, "remember_for": 3600})
        assert "code" in qs(loc)
    ids = sorted(cl["client_id"] for cl in (a, b, c))
    assert consent_grants(server, sub) == ids
    for extra in ({}, {"all": "false"},
                  {"client": a["client_id"], "all": "true"}):
        r = admin(server, "DELETE", "/oauth2/auth/sessions/consent",
                  params=dict(subject=sub, **extra))
        b400 = hydra_err(r, 400)
        assert "client" in b400["error_description"], b400
    assert consent_grants(server, sub) == ids
    # Hydra 2's revocation by consent request id is not built: refused.
    r = admin(server, "DELETE", "/oauth2/auth/sessions/consent",
              params={"consent_request_id": "x"})
    assert "consent_request_id" in hydra_err(r, 400)["error_description"]
    # 2.x, one client; 1.x, one client.
    r = admin(server, "DELETE", "/oauth2/auth/sessions/consent",
              params={"subject": sub, "client": a["client_id"]})
    assert r.status_code == 204, r.text
    r = requests.delete(server.adm + "/oauth2/auth/sessions/consent",
                        params={"subject": sub, "client": b["client_id"]})
    assert r.status_code == 204, r.text
    assert consent_grants(server, sub) == [c["client_id"]]
    # 1.x without client: all of them; again: nothing left, still 204.
    for _ in range(2):
        r = requests.delete(server.adm + "/oauth2/auth/sessions/consent",
                            params={"subject": sub})
        assert r.status_code == 204, r.text
        assert consent_grants(server, sub) == []
    # 2.x all=true.
    loc, _ = login_and_consent(
        server, a, login={"subject": sub},
        consent={"remember": True, "remember_for": 3600})
    assert consent_grants(server, sub) == [a["client_id"]]
    r = admin(server, "DELETE", "/oauth2/auth/sessions/consent",
              params={"subject": sub, "all": "true"})
    assert r.status_code == 204, r.text
    assert consent_grants(server, sub) == []


# Every operation of Hydra's 1.x REST API document, at its 1.x path:
# (listener, method, path).  None is left unrouted.
V1_OPERATIONS = [
    ("pub", "GET", "/.well-known/jwks.json"),
    ("pub", "GET", "/.well-known/openid-configuration"),
    ("pub", "GET", "/oauth2/auth"),
    ("pub", "POST", "/oauth2/revoke"),
    ("pub", "GET", "/oauth2/sessions/logout"),
    ("pub", "POST", "/oauth2/token"),
    ("pub", "GET", "/userinfo"),
    ("adm", "GET", "/clients"),
    ("adm", "POST", "/clients"),
    ("adm", "GET", "/clients/{id}"),
    ("adm", "PUT", "/clients/{id}"),
    ("adm", "DELETE", "/clients/{id}"),
    ("adm", "GET", "/keys/{set}"),
    ("adm", "PUT", "/keys/{set}"),
    ("adm", "POST", "/keys/{set}"),
    ("adm", "DELETE", "/keys/{set}"),
    ("adm", "GET", "/keys/{set}/{kid}"),
    ("adm", "PUT", "/keys/{set}/{kid}"),
    ("adm", "DELETE", "/keys/{set}/{kid}"),
    ("adm", "GET", "/oauth2/auth/requests/consent"),
    ("adm", "PUT", "/oauth2/auth/requests/consent/accept"),
    ("adm", "PUT", "/oauth2/auth/requests/consent/reject"),
    ("adm", "GET", "/oauth2/auth/requests/login"),
    ("adm", "PUT", "/oauth2/auth/requests/login/accept"),
    ("adm", "PUT", "/oauth2/auth/requests/login/reject"),
    ("adm", "GET", "/oauth2/auth/requests/logout"),
    ("adm", "PUT", "/oauth2/auth/requests/logout/accept"),
    ("adm", "PUT", "/oauth2/auth/requests/logout/reject"),
    ("adm", "GET", "/oauth2/auth/sessions/consent"),
    ("adm", "DELETE", "/oauth2/auth/sessions/consent"),
    ("adm", "DELETE", "/oauth2/auth/sessions/login"),
    ("adm", "POST", "/oauth2/flush"),
    ("adm", "POST", "/oauth2/introspect"),
    ("adm", "GET", "/health/alive"),
    ("adm", "GET", "/health/ready"),
    ("adm", "GET", "/version"),
]


@pytest.mark.parametrize("where,method,path", V1_OPERATIONS)
def test_every_1x_operation_is_routed(server, where, method, path):
    """Each answers something of its own (with nothing or junk sent):
    never the router's 404 or a 405."""
    n = uuid.uuid4().hex
    url = (server.pub if where == "pub" else server.adm) + path.replace(
        "{id}", "op-" + n).replace("{set}", "op-" + n).replace("{kid}", "k")
    r = requests.request(method, url, allow_redirects=False)
    assert r.status_code != 405, r.text
    if r.status_code == 404:
        assert r.json()["error_description"] != \
            "The requested resource could not be found.", (method, path)
