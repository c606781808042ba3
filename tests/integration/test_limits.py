"""Oversized or unusable input (issue 12, item 8): ids longer than any
id can be are simply not found (a 404, not a 500, and not logged),
oversized authorization parameters are refused before they reach the
login redirect, JSON Patch cannot grow a record past the body limit,
and unusable JWKs and key set names are refused where they are
registered or created."""

import base64
import os

import pytest
import requests

import flowlib

from conftest import Server

LONG = "a" * 600
LONG512 = "b" * 512


def hydra_404(r):
    assert r.status_code == 404, r.text
    body = r.json()
    assert body["error"] == "Not Found" or body.get("error_code") == 404 \
        or "not" in str(body).lower(), body
    return body


# --- ids of 512 bytes or more ----------------------------------------

def test_long_client_id_hydra_is_404_not_logged(server):
    server.new_log()
    for prefix in ("", "/admin"):
        for idv in (LONG, LONG512):
            for method in ("GET", "PUT", "PATCH", "DELETE"):
                body = ([{"op": "replace", "path": "/client_name",
                          "value": "x"}] if method == "PATCH" else
                        {"client_name": "x"} if method == "PUT" else None)
                r = requests.request(method,
                                     f"{server.adm}{prefix}/clients/{idv}",
                                     json=body)
                assert r.status_code == 404, (method, prefix, r.text)
                assert r.json()["error"], r.text
            r = requests.put(f"{server.adm}{prefix}/clients/{idv}/lifespans",
                             json={})
            assert r.status_code == 404, r.text
    log = server.new_log()
    assert LONG512 not in log and LONG[:300] not in log, log
    assert "key of" not in log, log


def test_long_client_id_authentiq_is_404(server):
    server.new_log()
    for method in ("GET", "PUT", "DELETE"):
        r = requests.request(method, f"{server.adm}/client/{LONG}",
                             json={"client_name": "x"}
                             if method == "PUT" else None)
        assert r.status_code == 404, (method, r.text)
    assert LONG[:300] not in server.new_log()


def test_long_ids_apps_are_404(server):
    server.new_log()
    r = requests.post(f"{server.adm}/v1/applications",
                      json={"app_name": "Long"})
    assert r.status_code == 201, r.text
    app = r.json()["result"]["app_id"]
    for path in (f"/{LONG}", f"/{LONG}/clients",
                 f"/{app}/clients/{LONG}"):
        r = requests.get(f"{server.adm}/v1/applications{path}")
        assert r.status_code == 404, (path, r.text)
        body = r.json()
        assert body["error_code"] == 404, body
    r = requests.delete(f"{server.adm}/v1/applications/{LONG}")
    assert r.status_code == 404, r.text
    assert LONG[:300] not in server.new_log()
    r = requests.put(f"{server.adm}/v1/applications/{LONG}/resources",
                     json={"resources": []})
    assert r.status_code == 404, r.text


def test_long_id_dynamic_registration_not_500(tmp_path):
    s = Server(tmp_path, env={
        "OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED": "true"}).start()
    try:
        s.new_log()
        for method in ("GET", "PUT", "DELETE"):
            r = requests.request(
                method, f"{s.pub}/oauth2/register/{LONG}",
                headers={"Authorization": "Bearer x"},
                json={"redirect_uris": ["https://a.example/cb"]}
                if method == "PUT" else None)
            assert r.status_code in (401, 404), (method, r.text)
            assert r.json()["error"], r.text
        assert LONG[:300] not in s.new_log()
    finally:
        s.stop()


# --- oversized authorization parameters ------------------------------

def auth_post(server, client, **params):
    p = {"client_id": client["client_id"], "response_type": "code",
         "redirect_uri": client["redirect_uris"][0], "scope": "openid",
         "state": "state-limits"}
    p.update(params)
    return requests.post(server.pub + "/oauth2/auth", data=p,
                         allow_redirects=False)


def refused(r, name_or_words):
    """A redirect (to the error page or the client) carrying
    invalid_request whose description names name_or_words."""
    assert r.status_code in (302, 303), (r.status_code, r.text)
    loc = r.headers["Location"]
    assert len(loc) < 4096, len(loc)
    q = flowlib.qs(loc)
    assert q["error"] == "invalid_request", q
    for w in name_or_words:
        assert w in q["error_description"], q
    return loc, q


def test_oversized_claims_refused(server):
    c = flowlib.new_client(server)
    loc, q = refused(auth_post(server, c, claims="x" * 60000), ["'claims'"])
    assert loc.startswith(server.pub + "/ui/error"), loc
    # A claims parameter of a usual size still goes to the login app.
    r = auth_post(server, c, claims='{"id_token":{"email":null}}')
    assert r.status_code == 302, r.text
    assert "login_challenge=" in r.headers["Location"]


def test_oversized_unknown_parameter_refused(server):
    c = flowlib.new_client(server)
    refused(auth_post(server, c, foo="y" * 2000), ["'foo'"])
    refused(auth_post(server, c, **{"n" * 100: "v"}), ["name longer"])


def test_login_redirect_kept_small(server):
    c = flowlib.new_client(server)
    many = {f"p{i}": "z" * 1000 for i in range(12)}
    loc, q = refused(auth_post(server, c, **many), ["too large"])
    # Refused to the client: its redirect URI was checked.
    assert loc.startswith(c["redirect_uris"][0]), loc
    assert q["state"] == "state-limits"
    # Within the limits: a redirect a login app can take as a request
    # line.
    fine = {f"p{i}": "z" * 200 for i in range(4)}
    r = auth_post(server, c, **fine)
    assert r.status_code == 302, r.text
    assert len(r.headers["Location"]) < 6144


# --- JSON Patch growth -------------------------------------------------

def test_patch_copy_cannot_amplify(server):
    c = flowlib.new_client(server, metadata={"m": "x" * 100})
    path = f"{server.adm}/admin/clients/{c['client_id']}"
    patch = [{"op": "copy", "from": "/metadata", "path": f"/metadata/a{i}"}
             for i in range(16)]
    assert len(str(patch)) < 2048
    r = requests.patch(path, json=patch)
    assert r.status_code == 400, (r.status_code, len(r.text))
    body = r.json()
    assert body["error"] == "invalid_request", body
    assert "larger than 1048576 bytes" in body["error_description"], body
    assert "(copy /metadata/a" in body["error_description"], body
    got = requests.get(path).json()
    assert got["metadata"] == {"m": "x" * 100}
    # A patch within the limit is applied.
    r = requests.patch(path, json=patch[:2])
    assert r.status_code == 200, r.text
    assert set(r.json()["metadata"]) == {"m", "a0", "a1"}


def test_patch_bound_is_the_body_limit(tmp_path):
    s = Server(tmp_path, env={"SERVE_REQUEST_BODY_MAX": "8192"}).start()
    try:
        c = flowlib.new_client(s, metadata={"m": "x" * 1000})
        path = f"{s.adm}/admin/clients/{c['client_id']}"
        r = requests.patch(path, json=[
            {"op": "copy", "from": "/metadata", "path": f"/metadata/a{i}"}
            for i in range(4)])
        assert r.status_code == 400, r.text
        assert "larger than 8192 bytes" in r.json()["error_description"]
    finally:
        s.stop()


# --- unusable JWKs and key set names -----------------------------------

def b64u(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


BAD_JWKS = {
    "ec-off-curve": {"kty": "EC", "crv": "P-256", "x": b64u(b"\x01" * 32),
                     "y": b64u(b"\x02" * 32)},
    "rsa-e-zero": {"kty": "RSA", "n": b64u(b"\xc3" + b"\x5b" * 254 + b"\x01"),
                   "e": "AA"},
    "rsa-e-one": {"kty": "RSA", "n": b64u(b"\xc3" + b"\x5b" * 254 + b"\x01"),
                  "e": "AQ"},
    "x448": {"kty": "OKP", "crv": "X448", "x": b64u(b"\x09" * 56)},
}


@pytest.mark.parametrize("case", sorted(BAD_JWKS))
def test_client_with_unusable_jwk_refused(server, case):
    good = requests.post(f"{server.adm}/admin/keys/{os.urandom(4).hex()}",
                         json={"alg": "ES256", "use": "sig"}).json()
    pub = {k: v for k, v in good["keys"][0].items() if k != "d"}
    for prefix in ("", "/admin"):
        r = requests.post(f"{server.adm}{prefix}/clients", json={
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [pub, BAD_JWKS[case]]}})
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["error"] == "invalid_client_metadata" or \
            body["error"] == "invalid_request", body
        assert "'jwks'" in body["error_description"], body
        assert "key 1" in body["error_description"], body
    # The usable key alone is accepted.
    r = requests.post(f"{server.adm}/admin/clients", json={
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": {"keys": [pub]}})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("name", ["%2F", "%2E", "%2525",
                                  "a%2F%2Fb", "a%2F", "%2Fa", "a%2F.%2Fb"])
def test_unusable_key_set_names_refused(server, name):
    r = requests.post(f"{server.adm}/admin/keys/{name}",
                      json={"alg": "ES256", "use": "sig"})
    assert r.status_code == 400, (name, r.status_code, r.text)
    assert "set name" in r.json()["error_description"], r.text
    r = requests.put(f"{server.adm}/admin/keys/{name}", json={"keys": []})
    assert r.status_code == 400, (name, r.status_code, r.text)
