"""DPoP (RFC 9449): tokens bound to a client's key at the token endpoint,
the DPoP scheme at userinfo, refresh tokens of public clients bound too,
server nonces, and the errors of each check, with proofs built by
python3-jwcrypto.  openid-client's own DPoP support runs in
tests/sdk/dpop.js (test_dpop_openid_client below)."""

import base64
import hashlib
import json
import shutil
import subprocess
import time
import uuid

import pytest
import requests
from jwcrypto import jwk, jwt

from conftest import Server
from flowlib import auth_url, login_and_consent, new_client, pkce, qs

NODE = shutil.which("node")


def new_key():
    return jwk.JWK.generate(kty="EC", crv="P-256")


def proof(key, htm, htu, token=None, nonce=None, iat=None, jti=None,
          typ="dpop+jwt", alg="ES256", header_key=None):
    claims = {"jti": jti or str(uuid.uuid4()), "htm": htm, "htu": htu,
              "iat": int(time.time()) if iat is None else iat}
    if token is not None:
        claims["ath"] = base64.urlsafe_b64encode(hashlib.sha256(
            token.encode()).digest()).decode().rstrip("=")
    if nonce is not None:
        claims["nonce"] = nonce
    hk = header_key or key
    t = jwt.JWT(header={"typ": typ, "alg": alg,
                        "jwk": json.loads(hk.export_public())},
                claims=claims)
    t.make_signed_token(key)
    return t.serialize()


def payload(tok):
    seg = tok.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def introspect(server, tok):
    r = requests.post(server.adm + "/admin/oauth2/introspect",
                      data={"token": tok})
    assert r.status_code == 200, r.text
    return r.json()


def cc_client(server, **fields):
    body = dict(grant_types=["client_credentials"], response_types=[],
                scope="read", redirect_uris=[])
    body.update(fields)
    return new_client(server, **body)


def cc_token(server, client, key=None, **kw):
    headers = {}
    if key is not None:
        headers["DPoP"] = proof(key, "POST", server.pub + "/oauth2/token",
                                **kw)
    return requests.post(server.pub + "/oauth2/token",
                         data={"grant_type": "client_credentials",
                               "scope": "read"},
                         auth=(client["client_id"], client["client_secret"]),
                         headers=headers)


def code_tokens(server, key):
    """A public client through a code flow with PKCE, its token request
    proven with key: (client, token response)."""
    client = new_client(server, token_endpoint_auth_method="none")
    verifier, chal = pkce()
    loc, _ = login_and_consent(
        server, client, scope="openid offline_access",
        code_challenge=chal, code_challenge_method="S256")
    code = qs(loc)["code"]
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": client["redirect_uris"][0],
        "code_verifier": verifier, "client_id": client["client_id"]},
        headers={"DPoP": proof(key, "POST", server.pub + "/oauth2/token")})
    assert r.status_code == 200, r.text
    return client, r.json()


def refresh(server, client, rt, key=None):
    headers = {}
    if key is not None:
        headers["DPoP"] = proof(key, "POST", server.pub + "/oauth2/token")
    return requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": rt,
        "client_id": client["client_id"]}, headers=headers)


def userinfo(server, tok, scheme="DPoP", key=None, method="GET", **kw):
    headers = {"Authorization": f"{scheme} {tok}"}
    if key is not None:
        headers["DPoP"] = proof(key, method, server.pub + "/userinfo",
                                token=tok, **kw)
    return requests.request(method, server.pub + "/userinfo",
                            headers=headers)


def test_discovery(server):
    m = requests.get(server.pub + "/.well-known/openid-configuration").json()
    algs = m["dpop_signing_alg_values_supported"]
    assert "ES256" in algs and "RS256" in algs and "EdDSA" in algs
    assert not any(a.startswith("HS") for a in algs)


def test_client_credentials_bound(server):
    key = new_key()
    client = cc_client(server)
    r = cc_token(server, client, key)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "DPoP"
    info = introspect(server, body["access_token"])
    assert info["active"] is True
    assert info["cnf"] == {"jkt": key.thumbprint()}
    assert info["token_type"] == "DPoP"
    # Without a proof: a Bearer token, stateless, no cnf.
    r = cc_token(server, client)
    assert r.json()["token_type"] == "bearer"
    assert "cnf" not in introspect(server, r.json()["access_token"])


def test_jwt_access_token_carries_cnf(server):
    key = new_key()
    client = cc_client(server, access_token_strategy="jwt")
    r = cc_token(server, client, key)
    assert r.status_code == 200, r.text
    assert payload(r.json()["access_token"])["cnf"] == {
        "jkt": key.thumbprint()}
    assert introspect(server, r.json()["access_token"])["cnf"] == {
        "jkt": key.thumbprint()}


def test_code_flow_userinfo_and_refresh(server):
    key = new_key()
    client, body = code_tokens(server, key)
    at, rt = body["access_token"], body["refresh_token"]
    assert body["token_type"] == "DPoP"
    assert introspect(server, rt)["cnf"] == {"jkt": key.thumbprint()}
    r = userinfo(server, at, key=key)
    assert r.status_code == 200, r.text
    assert r.json()["sub"] == "alice"
    # POST too, with its own htm.
    assert userinfo(server, at, key=key, method="POST").status_code == 200
    # A bound token as Bearer.
    r = userinfo(server, at, scheme="Bearer")
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_token"
    assert "DPoP" in r.headers["WWW-Authenticate"]
    # The DPoP scheme without a proof, with another key's proof.
    r = userinfo(server, at)
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_dpop_proof"
    assert r.headers["WWW-Authenticate"].startswith("DPoP ")
    r = userinfo(server, at, key=new_key())
    assert r.status_code == 401
    assert "another key" in r.json()["error_description"]
    # The public client's refresh token needs the same key.
    r = refresh(server, client, rt)
    assert r.status_code == 400 and r.json()["error"] == "invalid_dpop_proof"
    r = refresh(server, client, rt, key=new_key())
    assert r.status_code == 400 and r.json()["error"] == "invalid_dpop_proof"
    r = refresh(server, client, rt, key=key)
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "DPoP"
    assert userinfo(server, r.json()["access_token"],
                    key=key).status_code == 200
    assert introspect(server, r.json()["refresh_token"])["cnf"] == {
        "jkt": key.thumbprint()}


def test_confidential_refresh_token_not_bound(server):
    """RFC 9449 §5: a confidential client's refresh token is bound by its
    authentication, not by the key."""
    key = new_key()
    client = new_client(server)
    verifier, chal = pkce()
    loc, _ = login_and_consent(server, client, scope="openid offline_access",
                               code_challenge=chal,
                               code_challenge_method="S256")
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "authorization_code", "code": qs(loc)["code"],
        "redirect_uri": client["redirect_uris"][0],
        "code_verifier": verifier},
        auth=(client["client_id"], client["client_secret"]),
        headers={"DPoP": proof(key, "POST", server.pub + "/oauth2/token")})
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "DPoP"
    assert "cnf" not in introspect(server, r.json()["refresh_token"])
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "refresh_token",
        "refresh_token": r.json()["refresh_token"]},
        auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "bearer"


def test_proof_errors(server):
    key = new_key()
    client = cc_client(server)
    tok = server.pub + "/oauth2/token"

    def refused(hdr, what):
        r = requests.post(tok, data={"grant_type": "client_credentials"},
                          auth=(client["client_id"],
                                client["client_secret"]),
                          headers={"DPoP": hdr})
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "invalid_dpop_proof", r.text
        assert what in r.json()["error_description"], r.text

    refused(proof(key, "GET", tok), "'htm'")
    refused(proof(key, "POST", server.pub + "/userinfo"), "'htu'")
    refused(proof(key, "POST", tok, iat=int(time.time()) - 3600), "'iat'")
    refused(proof(key, "POST", tok, typ="JWT"), "'typ'")
    refused(proof(key, "POST", tok, header_key=new_key()), "signature")
    refused("not-a-jwt", "compact")
    # Query and fragment of htu do not count (RFC 9449 §4.3).
    r = cc_token(server, client, key)
    assert r.status_code == 200
    h = proof(key, "POST", tok + "?a=b#c")
    r = requests.post(tok, data={"grant_type": "client_credentials"},
                      auth=(client["client_id"], client["client_secret"]),
                      headers={"DPoP": h})
    assert r.status_code == 200, r.text
    # The same proof again: its jti is spent.
    refused(h, "used before")


def test_userinfo_errors(server):
    key = new_key()
    client = cc_client(server)
    at = cc_token(server, client, key).json()["access_token"]
    # ath of another token; htu of another resource.
    r = requests.get(server.pub + "/userinfo", headers={
        "Authorization": f"DPoP {at}",
        "DPoP": proof(key, "GET", server.pub + "/userinfo", token="x")})
    assert r.status_code == 401 and r.json()["error"] == "invalid_dpop_proof"
    assert "'ath'" in r.json()["error_description"]
    r = requests.get(server.pub + "/userinfo", headers={
        "Authorization": f"DPoP {at}",
        "DPoP": proof(key, "GET", server.pub + "/oauth2/token", token=at)})
    assert r.status_code == 401 and "'htu'" in r.json()["error_description"]
    # A replayed proof.
    h = proof(key, "GET", server.pub + "/userinfo", token=at)
    hdr = {"Authorization": f"DPoP {at}", "DPoP": h}
    assert requests.get(server.pub + "/userinfo",
                        headers=hdr).status_code == 200
    r = requests.get(server.pub + "/userinfo", headers=hdr)
    assert r.status_code == 401 and "used before" in r.text
    # An unbound token with the DPoP scheme (RFC 9449 §7.1).
    plain = cc_token(server, client).json()["access_token"]
    r = userinfo(server, plain, key=key)
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    assert r.headers["WWW-Authenticate"].startswith("DPoP ")
    # A Bearer one is answered with both challenges.
    r = userinfo(server, "ory_at_bad.bad", scheme="Bearer")
    assert r.status_code == 401


def test_dpop_bound_access_tokens(server):
    client = cc_client(server, dpop_bound_access_tokens=True)
    r = cc_token(server, client)
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_dpop_proof"
    assert "dpop_bound_access_tokens" in r.json()["error_description"]
    assert cc_token(server, client, new_key()).status_code == 200


def test_nonce_required(tmp_path):
    s = Server(tmp_path, conf="oauth2.dpop.require_nonce = true\n").start()
    try:
        key = new_key()
        client = cc_client(s)
        r = cc_token(s, client, key)
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "use_dpop_nonce"
        nonce = r.headers["DPoP-Nonce"]
        r = cc_token(s, client, key, nonce="x" * 32)
        assert r.json()["error"] == "use_dpop_nonce"
        r = cc_token(s, client, key, nonce=nonce)
        assert r.status_code == 200, r.text
        at = r.json()["access_token"]
        nonce = r.headers["DPoP-Nonce"]
        r = userinfo(s, at, key=key)
        assert r.status_code == 401
        assert r.json()["error"] == "use_dpop_nonce"
        assert 'error="use_dpop_nonce"' in r.headers["WWW-Authenticate"]
        assert r.headers["DPoP-Nonce"]
        assert userinfo(s, at, key=key, nonce=nonce).status_code == 200
    finally:
        s.stop()


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_dpop_openid_client(server, sdk_dir):
    """openid-client 5.x with { DPoP: key } (see tests/sdk/dpop.js)."""
    r = subprocess.run([NODE, "dpop.js", server.adm, server.pub],
                       cwd=sdk_dir, capture_output=True, text=True,
                       timeout=120)
    steps = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    bad = [s for s in steps if s.get("ok") is not True]
    assert r.returncode == 0 and not bad, (r.stdout, r.stderr)
    assert [s["step"] for s in steps] == [
        "discover", "register", "authorize", "callback", "userinfo",
        "refresh", "userinfo_refreshed", "client_credentials", "cleanup"]


def test_dcr_registers_dpop_bound_access_tokens(tmp_path):
    """RFC 9449 §5.2 metadata through Dynamic Client Registration: echoed
    in the registration response, and enforced."""
    s = Server(tmp_path, conf="oidc.dynamic_client_registration.enabled"
               " = true\n").start()
    try:
        r = requests.post(s.pub + "/oauth2/register", json={
            "redirect_uris": ["https://rp.example/cb"],
            "dpop_bound_access_tokens": True})
        assert r.status_code == 201, r.text
        c = r.json()
        assert c["dpop_bound_access_tokens"] is True
        r = requests.get(c["registration_client_uri"], headers={
            "Authorization": "Bearer " + c["registration_access_token"]})
        assert r.json()["dpop_bound_access_tokens"] is True
        r = requests.post(s.pub + "/oauth2/register", json={
            "redirect_uris": ["https://rp.example/cb"],
            "dpop_bound_access_tokens": "yes"})
        assert r.status_code == 400
        assert "dpop_bound_access_tokens" in r.json()["error_description"]
    finally:
        s.stop()


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_dpop_openid_client_with_nonces(tmp_path, sdk_dir):
    """openid-client answers use_dpop_nonce by retrying with the
    DPoP-Nonce given, at the token endpoint and at userinfo."""
    s = Server(tmp_path, conf="oauth2.dpop.require_nonce = true\n").start()
    try:
        r = subprocess.run([NODE, "dpop.js", s.adm, s.pub], cwd=sdk_dir,
                           capture_output=True, text=True, timeout=120)
        steps = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        assert r.returncode == 0, (r.stdout, r.stderr)
        assert all(st.get("ok") is True for st in steps), r.stdout
        assert len(steps) == 9
    finally:
        s.stop()


def test_dpop_jkt_binds_the_code(server):
    """RFC 9449 §10: dpop_jkt at the authorization endpoint binds the
    code to the key; redeeming it needs a proof by that key."""
    key = new_key()
    client = new_client(server, token_endpoint_auth_method="none",
                        grant_types=["authorization_code", "implicit"],
                        response_types=["code", "code id_token"])
    tok = server.pub + "/oauth2/token"

    def code_for(jkt):
        verifier, chal = pkce()
        loc, _ = login_and_consent(
            server, client, code_challenge=chal,
            code_challenge_method="S256", dpop_jkt=jkt)
        return qs(loc)["code"], verifier

    def redeem(code, verifier, k):
        headers = {"DPoP": proof(k, "POST", tok)} if k else {}
        return requests.post(tok, data={
            "grant_type": "authorization_code", "code": code,
            "redirect_uri": client["redirect_uris"][0],
            "code_verifier": verifier, "client_id": client["client_id"]},
            headers=headers)

    code, verifier = code_for(key.thumbprint())
    r = redeem(code, verifier, None)
    assert r.status_code == 400 and r.json()["error"] == "invalid_dpop_proof"
    r = redeem(code, verifier, new_key())
    assert r.status_code == 400 and "another key" in r.text
    r = redeem(code, verifier, key)
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "DPoP"
    # Malformed, or with a response type that issues tokens at once.
    for params in ({"dpop_jkt": "short"},
                   {"dpop_jkt": key.thumbprint(),
                    "response_type": "code id_token", "nonce": "n-1"}):
        verifier, chal = pkce()
        r = requests.get(auth_url(server, client, code_challenge=chal,
                                  code_challenge_method="S256", **params),
                         allow_redirects=False)
        assert r.status_code in (302, 303), r.text
        got = qs(r.headers["Location"])
        assert got.get("error") == "invalid_request", got
        assert "dpop_jkt" in got["error_description"]


def test_other_grants_bound(server):
    """A proof binds what the newer grants issue too: token exchange
    (RFC 8693) and the jwt-bearer grant (RFC 7523); a replayed proof is
    refused there as at the other grants."""
    key = new_key()
    te = "urn:ietf:params:oauth:grant-type:token-exchange"
    jb = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    client = cc_client(server, grant_types=["client_credentials", te, jb])
    subject = cc_token(server, client).json()["access_token"]
    url = server.pub + "/oauth2/token"
    p = proof(key, "POST", url)
    form = {"grant_type": te, "subject_token": subject,
            "subject_token_type":
            "urn:ietf:params:oauth:token-type:access_token"}
    r = requests.post(url, data=form, headers={"DPoP": p},
                      auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "DPoP"
    info = introspect(server, r.json()["access_token"])
    assert info["cnf"] == {"jkt": key.thumbprint()}
    r = requests.post(url, data=form, headers={"DPoP": p},
                      auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_dpop_proof"

    idp = jwk.JWK.generate(kty="EC", crv="P-256", kid="dpop-idp")
    iss = f"https://idp-{uuid.uuid4().hex[:8]}.example"
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                          time.gmtime(time.time() + 3600))
    r = requests.post(server.adm + "/admin/trust/grants/jwt-bearer/issuers",
                      json={"issuer": iss, "subject": "dave",
                            "scope": ["read"], "expires_at": later,
                            "jwk": json.loads(idp.export_public())})
    assert r.status_code == 201, r.text
    now = int(time.time())
    a = jwt.JWT(header={"alg": "ES256", "kid": "dpop-idp"},
                claims={"iss": iss, "sub": "dave", "aud": url, "iat": now,
                        "exp": now + 300, "jti": uuid.uuid4().hex})
    a.make_signed_token(idp)
    r = requests.post(url, data={"grant_type": jb,
                                 "assertion": a.serialize(),
                                 "scope": "read"},
                      headers={"DPoP": proof(key, "POST", url)},
                      auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "DPoP"
    info = introspect(server, r.json()["access_token"])
    assert info["sub"] == "dave"
    assert info["cnf"] == {"jkt": key.thumbprint()}
