"""Discovery on the public listener: /.well-known/openid-configuration
and /.well-known/oauth-authorization-server (one document, OpenID
Connect Discovery 1.0 §3 and RFC 8414 §2, every URL derived from the
issuer exactly as configured) and /.well-known/jwks.json (the public
halves of the ID-token and access-token sets), as consumers read them:
authlib's metadata validation, jwcrypto's JWK Set parsing, and the Ory
Hydra 2.2 SDK (tests/sdk/discovery.js)."""

import json
import os
import re
import shutil
import subprocess

import pytest
import requests
from authlib.jose import JsonWebKey
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from authlib.oidc.discovery import OpenIDProviderMetadata
from jwcrypto import jwk

from conftest import CRASH_MARKS, SDK, Server

DOCS = ["/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server"]
JWKS = "/.well-known/jwks.json"
ID_TOKEN = "hydra.openid.id-token"
ACCESS_TOKEN = "hydra.jwt.access-token"
PRIVATE = ("d", "p", "q", "dp", "dq", "qi", "k", "oth")
NODE = shutil.which("node")
DCR = {"OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED": "true"}


def fetch(srv, path):
    r = requests.get(srv.pub + path)
    assert r.status_code == 200, (path, r.text)
    assert r.headers["Content-Type"].startswith("application/json")
    return r


def doc(srv, path=DOCS[0]):
    return fetch(srv, path).json()


def admin_set(srv, name):
    r = requests.get(f"{srv.adm}/keys/{name}")
    assert r.status_code == 200, r.text
    return r.json()["keys"]


def public_of(k):
    return {m: v for m, v in k.items() if m not in PRIVATE}


def max_age(r):
    cc = r.headers.get("Cache-Control", "")
    m = re.search(r"(?:^|[ ,])max-age=(\d+)", cc)
    assert m, cc
    assert "no-store" not in cc and "private" not in cc, cc
    return int(m.group(1))


def endpoints(d, strict=False):
    """Every URL member of a metadata document; unless strict, without
    introspection_endpoint (an admin-listener URL: its own test,
    test_every_url_derived_from_issuer, says what of it)."""
    return {k: v for k, v in d.items()
            if k.endswith(("_endpoint", "_uri")) and isinstance(v, str) and
            (strict or k != "introspection_endpoint")}


def started(tmp, env=None, issuer_path=None, **kw):
    """A server of its own; issuer_path: URLS_SELF_ISSUER is its public
    URL plus this path (the port is only known once it is made)."""
    s = Server(tmp, env=env, **kw)
    if issuer_path is not None:
        s.env["URLS_SELF_ISSUER"] = s.pub + issuer_path
    return s.start()


def stopped_clean(s):
    assert s.stop() == []
    log = s.read_log()
    for mark in CRASH_MARKS:
        assert mark not in log, log


# --- the document -------------------------------------------------------

def test_both_paths_same_document(server):
    a, b = (fetch(server, p) for p in DOCS)
    assert a.json() == b.json()
    assert a.content == b.content


def test_issuer_and_endpoints(server):
    d = doc(server)
    iss = server.pub + "/"
    assert d["issuer"] == iss
    assert d["authorization_endpoint"] == iss + "oauth2/auth"
    assert d["token_endpoint"] == iss + "oauth2/token"
    assert d["jwks_uri"] == iss + ".well-known/jwks.json"
    assert d["userinfo_endpoint"] == iss + "userinfo"
    assert d["revocation_endpoint"] == iss + "oauth2/revoke"
    assert d["end_session_endpoint"] == iss + "oauth2/sessions/logout"
    # The jwks_uri is where the keys are.
    assert requests.get(d["jwks_uri"]).json() == fetch(server, JWKS).json()


def test_every_url_derived_from_issuer(server):
    """Every endpoint the public document names is under the issuer,
    except introspection (RFC 8414 §2), which lives on the admin listener
    and is derived from urls.self.admin."""
    d = doc(server)
    for k, v in endpoints(d, strict=True).items():
        if k == "introspection_endpoint":
            assert v == server.adm + "/admin/oauth2/introspect", v
            continue
        assert v.startswith(d["issuer"]), (k, v)
        assert f":{server.adm_port}/" not in v, (k, v)


def test_required_members(server):
    d = doc(server)
    for k in ("issuer", "authorization_endpoint", "token_endpoint",
              "jwks_uri", "response_types_supported",
              "subject_types_supported",
              "id_token_signing_alg_values_supported"):
        assert d.get(k), k
    assert "code" in d["response_types_supported"]
    assert "public" in d["subject_types_supported"]
    assert "authorization_code" in d["grant_types_supported"]
    assert "openid" in d["scopes_supported"]
    assert d["code_challenge_methods_supported"] == ["S256"]
    # RFC 9207: authorization responses carry iss.
    assert d["authorization_response_iss_parameter_supported"] is True
    assert "client_secret_basic" in d["token_endpoint_auth_methods_supported"]
    assert "none" not in d.get(
        "token_endpoint_auth_signing_alg_values_supported", [])
    assert "registration_endpoint" not in d          # DCR off by default
    for m in PRIVATE:
        assert m not in d


def test_id_token_alg_matches_the_key(server):
    signer = admin_set(server, ID_TOKEN)[-1]
    assert signer["alg"] == "RS256"
    for p in DOCS:
        assert doc(server, p)["id_token_signing_alg_values_supported"] == \
            [signer["alg"]]


def test_headers(server):
    for p in DOCS + [JWKS]:
        r = fetch(server, p)
        assert 0 < max_age(r) <= 3600, (p, r.headers)


@pytest.mark.parametrize("path", DOCS + [JWKS])
def test_not_on_admin_port(server, path):
    for prefix in ("", "/admin"):
        r = requests.get(server.adm + prefix + path)
        assert r.status_code == 404, r.text
        assert r.json()["error"] == "not_found"


@pytest.mark.parametrize("path", DOCS + [JWKS])
def test_other_methods(server, path):
    for m in ("POST", "PUT", "DELETE"):
        r = requests.request(m, server.pub + path, data=b"{}")
        assert r.status_code in (404, 405), (m, r.text)
        assert r.json()["status_code"] == r.status_code
    r = requests.head(server.pub + path)
    assert r.status_code == 200 and r.content == b""


# --- the JWK Set --------------------------------------------------------

def test_jwks_is_the_public_halves_of_both_sets(server):
    r = fetch(server, JWKS)
    want = [public_of(k) for k in admin_set(server, ID_TOKEN) +
            admin_set(server, ACCESS_TOKEN) if k["kty"] != "oct"]
    assert r.json() == {"keys": want}
    for k in r.json()["keys"]:
        assert {"kid", "kty", "alg", "use"} <= set(k), k
        assert k["use"] == "sig"
        assert not set(k) & set(PRIVATE), k
    kids = [k["kid"] for k in r.json()["keys"]]
    assert len(kids) == len(set(kids))


def test_jwks_parses_with_jwcrypto_and_authlib(server):
    text = fetch(server, JWKS).text
    ks = jwk.JWKSet.from_json(text)
    assert len(ks["keys"]) >= 2
    for k in ks["keys"]:
        assert not k.has_private
        assert k.get("kty") in ("RSA", "EC", "OKP")
    ks2 = JsonWebKey.import_key_set(json.loads(text))
    assert len(ks2.keys) == len(ks["keys"])
    for k in ks2.keys:
        assert k.as_dict(is_private=False)["kid"]


# --- consumers ------------------------------------------------------------

def test_authlib_metadata_validation(server, monkeypatch):
    """authlib's OpenID Provider and RFC 8414 metadata checks (https is
    required by both: loopback http allowed for the test)."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    OpenIDProviderMetadata(doc(server, DOCS[0])).validate()
    AuthorizationServerMetadata(doc(server, DOCS[1])).validate()


def test_openid_client_style_discovery(server):
    """What openid-client's Issuer.discover does: fetch the document under
    the issuer, require the issuer to be the one asked for, then load the
    keys from jwks_uri."""
    issuer = server.pub + "/"
    r = requests.get(issuer.rstrip("/") + DOCS[0])
    meta = r.json()
    assert meta["issuer"] == issuer
    keys = requests.get(meta["jwks_uri"])
    assert keys.status_code == 200
    ks = jwk.JWKSet.from_json(keys.text)
    algs = meta["id_token_signing_alg_values_supported"]
    assert any(k.get("alg") in algs for k in ks["keys"])


@pytest.mark.parametrize("path", ["/some/path/", "/t/x-y_z.1/"])
def test_custom_issuer_with_path(tmp_path, path):
    s = started(tmp_path, issuer_path=path)
    try:
        iss = s.pub + path
        for p in DOCS:
            d = doc(s, p)
            assert d["issuer"] == iss
            assert d["authorization_endpoint"] == iss + "oauth2/auth"
            assert d["token_endpoint"] == iss + "oauth2/token"
            assert d["jwks_uri"] == iss + ".well-known/jwks.json"
            assert d["userinfo_endpoint"] == iss + "userinfo"
            assert d["revocation_endpoint"] == iss + "oauth2/revoke"
            assert d["end_session_endpoint"] == \
                iss + "oauth2/sessions/logout"
            for k, v in endpoints(d).items():
                assert v.startswith(iss), (k, v)
    finally:
        stopped_clean(s)


def test_custom_https_issuer(tmp_path, monkeypatch):
    """An issuer behind a TLS proxy, on another host: taken as is."""
    iss = "https://login.example.com/tenant-a/"
    s = started(tmp_path, env={"URLS_SELF_ISSUER": iss})
    try:
        d = doc(s)
        assert d["issuer"] == iss
        assert d["jwks_uri"] == iss + ".well-known/jwks.json"
        assert d["token_endpoint"] == iss + "oauth2/token"
        for k, v in endpoints(d).items():
            assert v.startswith(iss), (k, v)
        monkeypatch.delenv("AUTHLIB_INSECURE_TRANSPORT", raising=False)
        OpenIDProviderMetadata(d).validate()
    finally:
        stopped_clean(s)


def test_registration_endpoint_when_dcr_enabled(tmp_path):
    s = started(tmp_path, env=DCR, issuer_path="/base/")
    try:
        iss = s.pub + "/base/"
        for p in DOCS:
            assert doc(s, p)["registration_endpoint"] == \
                iss + "oauth2/register"
        # And it is the endpoint (served at the root here: no proxy).
        r = requests.post(s.pub + "/oauth2/register",
                          json={"redirect_uris": ["https://a.example/cb"]})
        assert r.status_code == 201, r.text
    finally:
        stopped_clean(s)


def test_alg_follows_the_id_token_key(tmp_path):
    s = started(tmp_path)
    try:
        r = requests.post(f"{s.adm}/keys/{ID_TOKEN}",
                          json={"alg": "ES384", "use": "sig"})
        assert r.status_code == 201, r.text
        new = r.json()["keys"][0]
        for p in DOCS:
            assert doc(s, p)["id_token_signing_alg_values_supported"] == \
                ["ES384"]
        published = {k["kid"]: k for k in fetch(s, JWKS).json()["keys"]}
        assert published[new["kid"]] == public_of(new)
        r = requests.delete(f"{s.adm}/keys/{ID_TOKEN}/{new['kid']}")
        assert r.status_code == 204
        assert doc(s)["id_token_signing_alg_values_supported"] == ["RS256"]
        assert new["kid"] not in [k["kid"] for k in
                                  fetch(s, JWKS).json()["keys"]]
    finally:
        stopped_clean(s)


# --- the Ory Hydra 2.2 SDK ------------------------------------------------

@pytest.fixture(scope="module")
def sdk_run(server, request):
    if NODE is None:
        pytest.skip("node is not installed (Debian package nodejs)")
    request.getfixturevalue("sdk_dir")      # npm ci, once per session
    cmd = [NODE, "discovery.js", server.pub, server.pub + "/"]
    r = subprocess.run(cmd, cwd=SDK, capture_output=True, text=True,
                       timeout=120)
    steps = {}
    for line in r.stdout.splitlines():
        rep = json.loads(line)
        steps[rep["step"]] = rep
    shown = (f"{' '.join(cmd)} exited {r.returncode}\n"
             f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    return steps, shown


def test_sdk_discovery_script_parses():
    if NODE is None:
        pytest.skip("node is not installed (Debian package nodejs)")
    r = subprocess.run([NODE, "--check", os.path.join(SDK, "discovery.js")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("step", ["discover", "jwks"])
def test_sdk_discover(sdk_run, step):
    steps, shown = sdk_run
    if step not in steps or steps[step]["ok"] is not True:
        pytest.fail(f"step {step} not ok\n{shown}", pytrace=False)


def test_sdk_declared_types(sdk_run):
    """The document and keys have every field the SDK declares required,
    with the declared types (Hydra 2.2 also sends
    id_token_signed_response_alg and userinfo_signed_response_alg)."""
    steps, shown = sdk_run
    if steps.get("types", {}).get("ok") is not True:
        pytest.fail(f"step types not ok\n{shown}", pytrace=False)


def test_sdk_discovery_custom_issuer(tmp_path, request):
    if NODE is None:
        pytest.skip("node is not installed (Debian package nodejs)")
    request.getfixturevalue("sdk_dir")      # npm ci, once per session
    s = started(tmp_path, issuer_path="/some/path/")
    try:
        cmd = [NODE, "discovery.js", s.pub, s.pub + "/some/path/"]
        r = subprocess.run(cmd, cwd=SDK, capture_output=True, text=True,
                           timeout=120)
        reps = [json.loads(line) for line in r.stdout.splitlines()]
        ok = [x["step"] for x in reps if x["ok"] is True]
        assert ok[:2] == ["discover", "jwks"], r.stdout + r.stderr
    finally:
        stopped_clean(s)
