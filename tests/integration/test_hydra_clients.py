"""Hydra's client API on the admin listener: 1.x paths at the root and
2.x paths under /admin, pagination, JSON Patch, lifespans, validation,
secrets that are returned once and stored only hashed, the admin key,
and concurrent creation."""

import base64
import os
import threading

import pytest
import requests

from conftest import Server, store_bytes

PREFIXES = ["", "/admin"]


def new_client(server, prefix="", **fields):
    body = {"client_name": "app", "redirect_uris": ["https://app.example/cb"]}
    body.update(fields)
    r = requests.post(server.adm + prefix + "/clients", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def err(r, status, code="invalid_request"):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == code and body["status_code"] == status
    assert body["error_description"]
    return body


# --- create, read, update, delete --------------------------------------

@pytest.mark.parametrize("prefix", PREFIXES)
def test_create_defaults_and_location(server, prefix):
    r = requests.post(server.adm + prefix + "/clients", json={})
    assert r.status_code == 201
    c = r.json()
    assert r.headers["Location"] == f"{prefix}/clients/{c['client_id']}"
    assert c["grant_types"] == ["authorization_code"]
    assert c["response_types"] == ["code"]
    assert c["token_endpoint_auth_method"] == "client_secret_basic"
    assert c["scope"] == "offline_access offline openid"
    assert c["subject_type"] == "public"
    assert len(c["client_secret"]) >= 43
    assert c["created_at"].endswith("Z") and c["updated_at"]
    for hidden in ("_secret", "_v", "_rat", "app_id", "application_type"):
        assert hidden not in c
    # The same client under both prefixes.
    for p in PREFIXES:
        g = requests.get(server.adm + p + "/clients/" + c["client_id"])
        assert g.status_code == 200
        assert "client_secret" not in g.json()


def test_create_with_everything(server):
    fields = {
        "client_id": "everything-" + os.urandom(4).hex(),
        "client_name": "Everything",
        "client_secret": "chosen-secret-16",
        "redirect_uris": ["https://a.example/cb", "http://127.0.0.1:9/cb"],
        "grant_types": ["authorization_code", "refresh_token", "implicit",
                        "client_credentials"],
        "response_types": ["code", "code id_token", "id_token token"],
        "scope": "openid offline profile",
        "audience": ["https://api.example"],
        "owner": "alice",
        "policy_uri": "https://a.example/policy",
        "tos_uri": "https://a.example/tos",
        "client_uri": "https://a.example/",
        "logo_uri": "https://a.example/logo.png",
        "contacts": ["admin@a.example"],
        "allowed_cors_origins": ["https://a.example"],
        "post_logout_redirect_uris": ["https://a.example/bye"],
        "frontchannel_logout_uri": "https://a.example/fc",
        "frontchannel_logout_session_required": True,
        "backchannel_logout_uri": "https://a.example/bc",
        "backchannel_logout_session_required": True,
        # Pairwise clients and their sector_identifier_uri, which is
        # fetched, are test_pairwise.py's.
        "subject_type": "public",
        "jwks_uri": "https://a.example/jwks.json",
        "userinfo_signed_response_alg": "RS256",
        "request_object_signing_alg": "RS256",
        "metadata": {"team": "x", "n": [1, 2]},
        "skip_consent": True,
        "access_token_strategy": "jwt",
        "token_endpoint_auth_method": "client_secret_post",
        "authorization_code_grant_access_token_lifespan": "30m",
    }
    c = new_client(server, **fields)
    for k, v in fields.items():
        if k == "authorization_code_grant_access_token_lifespan":
            assert c[k] == "30m0s"
        else:
            assert c[k] == v, k
    g = requests.get(server.adm + "/clients/" + fields["client_id"]).json()
    assert "client_secret" not in g
    assert g["metadata"] == fields["metadata"]


def test_duplicate_client_id_is_409(server):
    cid = "dup-" + os.urandom(4).hex()
    new_client(server, client_id=cid)
    r = requests.post(server.adm + "/clients", json={"client_id": cid})
    err(r, 409, "conflict")


def test_get_unknown_is_404(server):
    err(requests.get(server.adm + "/clients/nope-" + os.urandom(4).hex()),
        404, "not_found")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_put_replaces_and_keeps_secret(server, prefix):
    c = new_client(server, prefix, owner="bob", scope="openid")
    cid = c["client_id"]
    r = requests.put(server.adm + prefix + "/clients/" + cid,
                     json={"client_name": "renamed",
                           "redirect_uris": ["https://b.example/cb"]})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["client_name"] == "renamed"
    assert u["owner"] == ""                   # a PUT replaces everything
    assert u["scope"] == "offline_access offline openid"
    assert "client_secret" not in u           # kept, not shown
    assert u["created_at"] == c["created_at"]
    # Setting a new secret returns it once.
    r = requests.put(server.adm + prefix + "/clients/" + cid,
                     json={"client_secret": "brand-new-secret"})
    assert r.json()["client_secret"] == "brand-new-secret"
    assert "client_secret" not in requests.get(
        server.adm + "/clients/" + cid).json()


def test_put_cannot_change_id(server):
    c = new_client(server)
    r = requests.put(server.adm + "/clients/" + c["client_id"],
                     json={"client_id": "other"})
    err(r, 400)
    err(requests.put(server.adm + "/clients/missing-x", json={}), 404,
        "not_found")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_delete(server, prefix):
    c = new_client(server, prefix)
    r = requests.delete(server.adm + prefix + "/clients/" + c["client_id"])
    assert r.status_code == 204 and r.content == b""
    err(requests.get(server.adm + "/clients/" + c["client_id"]), 404,
        "not_found")
    err(requests.delete(server.adm + "/clients/" + c["client_id"]), 404,
        "not_found")


# --- JSON Patch ---------------------------------------------------------

def test_patch(server):
    c = new_client(server, contacts=["a@x.example"])
    url = server.adm + "/admin/clients/" + c["client_id"]
    r = requests.patch(url, json=[
        {"op": "replace", "path": "/client_name", "value": "patched"},
        {"op": "add", "path": "/contacts/-", "value": "b@x.example"},
        {"op": "add", "path": "/metadata/k", "value": 1},
    ])
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["client_name"] == "patched"
    assert p["contacts"] == ["a@x.example", "b@x.example"]
    assert p["metadata"] == {"k": 1}
    assert "client_secret" not in p
    r = requests.patch(url, json=[{"op": "add", "path": "/client_secret",
                                   "value": "patched-secret-16"}])
    assert r.json()["client_secret"] == "patched-secret-16"


@pytest.mark.parametrize("patch", [
    [{"op": "replace", "path": "/client_id", "value": "x"}],
    [{"op": "remove", "path": "/client_id"}],
    [{"op": "replace", "path": "", "value": {}}],
    [{"op": "replace", "path": "/nope/x", "value": 1}],
    [{"op": "frobnicate", "path": "/client_name"}],
    [{"op": "replace", "path": "/redirect_uris", "value": "not-an-array"}],
    [{"op": "test", "path": "/client_name", "value": "other"}],
    {"op": "replace"},
])
def test_patch_refused(server, patch):
    c = new_client(server, client_name="before")
    url = server.adm + "/clients/" + c["client_id"]
    err(requests.patch(url, json=patch), 400)
    assert requests.get(url).json()["client_name"] == "before"


# --- lifespans ----------------------------------------------------------

def test_lifespans(server):
    c = new_client(server)
    url = server.adm + "/admin/clients/" + c["client_id"] + "/lifespans"
    r = requests.put(url, json={
        "authorization_code_grant_access_token_lifespan": "1h",
        "refresh_token_grant_refresh_token_lifespan": "720h",
    })
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["authorization_code_grant_access_token_lifespan"] == "1h0m0s"
    assert body["refresh_token_grant_refresh_token_lifespan"] == "720h0m0s"
    assert body["implicit_grant_access_token_lifespan"] is None
    r = requests.put(url, json={"implicit_grant_id_token_lifespan": "90s"})
    body = r.json()
    assert body["implicit_grant_id_token_lifespan"] == "1m30s"
    assert body["authorization_code_grant_access_token_lifespan"] is None
    err(requests.put(url, json={"nope": "1h"}), 400)
    err(requests.put(url, json={
        "implicit_grant_id_token_lifespan": "soon"}), 400)
    err(requests.put(url, json={
        "implicit_grant_id_token_lifespan": 5}), 400)


# --- validation ---------------------------------------------------------

@pytest.mark.parametrize("fields,field", [
    ({"redirect_uris": ["/relative"]}, "redirect_uris"),
    ({"redirect_uris": ["https://a.example/cb#frag"]}, "redirect_uris"),
    ({"redirect_uris": ["http://a.example/cb"]}, "redirect_uris"),
    ({"redirect_uris": ["https://a example/cb"]}, "redirect_uris"),
    ({"redirect_uris": ["com.example.app:/cb"]}, "redirect_uris"),
    ({"redirect_uris": "https://a.example/cb"}, "redirect_uris"),
    ({"grant_types": "authorization_code"}, "grant_types"),
    ({"grant_types": ["password"]}, "grant_types"),
    ({"response_types": ["code"], "grant_types": ["implicit"]},
     "response_types"),
    ({"response_types": ["token"], "grant_types": ["authorization_code"]},
     "response_types"),
    ({"response_types": ["code code"]}, "response_types"),
    ({"response_types": ["magic"]}, "response_types"),
    ({"token_endpoint_auth_method": "magic"}, "token_endpoint_auth_method"),
    ({"subject_type": "secret"}, "subject_type"),
    ({"jwks": {"keys": []}, "jwks_uri": "https://a.example/jwks"}, "jwks"),
    ({"token_endpoint_auth_method": "private_key_jwt"}, "private_key_jwt"),
    ({"client_secret": "short"}, "client_secret"),
    ({"token_endpoint_auth_method": "none", "client_secret": "longenough"},
     "client_secret"),
    ({"allowed_cors_origins": ["https://a.example/path"]},
     "allowed_cors_origins"),
    ({"contacts": [1]}, "contacts"),
    ({"metadata": []}, "metadata"),
    ({"skip_consent": "yes"}, "skip_consent"),
    ({"client_secret_expires_at": -1}, "client_secret_expires_at"),
    ({"scope": "a\"b"}, "scope"),
    ({"audience": ["has space"]}, "audience"),
    ({"client_id": "has space"}, "client_id"),
    ({"client_id": "x" * 300}, "client_id"),
    ({"sector_identifier_uri": "http://a.example/s"},
     "sector_identifier_uri"),
    ({"access_token_strategy": "magic"}, "access_token_strategy"),
    ({"jwks": {"keys": [{"n": "x"}]}}, "jwks"),
    ({"token_endpoint_auth_method": "none", "response_types": [],
      "grant_types": ["client_credentials"]}, "client_credentials"),
])
def test_validation_names_the_field(server, fields, field):
    r = requests.post(server.adm + "/clients", json=fields)
    body = err(r, 400)
    assert field in body["error_description"]
    assert "longenough" not in r.text and "short\"" not in r.text


@pytest.mark.parametrize("body", [b"{", b"[]", b'{"a":1,"a":2}', b""])
def test_malformed_body(server, body):
    err(requests.post(server.adm + "/clients", data=body,
                      headers={"Content-Type": "application/json"}), 400)


def test_client_credentials_quickstart(server):
    """Hydra's quickstart client: grant types given, response types not."""
    c = new_client(server, grant_types=["client_credentials"],
                   redirect_uris=[])
    assert c["response_types"] == []
    assert c["client_secret"]


def test_loopback_and_public_clients(server):
    c = new_client(server, redirect_uris=["http://127.0.0.1/cb",
                                          "http://[::1]:8080/cb",
                                          "http://localhost:3000/cb"])
    assert len(c["redirect_uris"]) == 3
    pub = new_client(server, token_endpoint_auth_method="none")
    assert "client_secret" not in pub


# --- listing and pagination --------------------------------------------

@pytest.fixture(scope="module")
def paged(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("paged")).start()
    ids = []
    for i in range(7):
        ids.append(new_client(s, client_id=f"c{i}", client_name=f"n{i % 2}",
                              owner="o1" if i < 3 else "o2")["client_id"])
    yield s, ids
    s.stop()


def links(r):
    out = {}
    for part in r.headers.get("Link", "").split(","):
        if not part:
            continue
        url, rel = part.split(";")
        out[rel.strip().split("=")[1].strip('"')] = url.strip()[1:-1]
    return out


def test_list_v1_limit_offset(paged):
    s, ids = paged
    r = requests.get(s.adm + "/clients?limit=3&offset=0")
    assert r.status_code == 200
    assert [c["client_id"] for c in r.json()] == ["c0", "c1", "c2"]
    assert r.headers["X-Total-Count"] == "7"
    ln = links(r)
    assert ln["first"] == "/clients?limit=3&offset=0"
    assert ln["next"] == "/clients?limit=3&offset=3"
    assert ln["last"] == "/clients?limit=3&offset=6"
    assert "prev" not in ln
    r = requests.get(s.adm + "/clients?limit=3&offset=6")
    assert [c["client_id"] for c in r.json()] == ["c6"]
    ln = links(r)
    assert "next" not in ln and ln["prev"] == "/clients?limit=3&offset=3"
    r = requests.get(s.adm + "/clients?limit=3&offset=100")
    assert r.json() == [] and r.headers["X-Total-Count"] == "7"
    for c in requests.get(s.adm + "/clients").json():
        assert "client_secret" not in c


def test_list_v2_page_tokens(paged):
    s, ids = paged
    seen = []
    url = s.adm + "/admin/clients?page_size=2"
    while url:
        r = requests.get(url)
        assert r.status_code == 200, r.text
        seen += [c["client_id"] for c in r.json()]
        nxt = links(r).get("next")
        url = s.adm + nxt if nxt else None
        assert len(seen) <= 7
    assert seen == ids
    tok = base64.urlsafe_b64encode(b'{"offset":"4","v":2}').decode()
    r = requests.get(s.adm + "/admin/clients?page_size=2&page_token=" +
                     tok.rstrip("="))
    assert [c["client_id"] for c in r.json()] == ["c4", "c5"]


@pytest.mark.parametrize("qs", ["limit=-1", "limit=x", "limit=501",
                                "offset=-3", "page_size=1001",
                                "page_token=!!!", "page_token=e30",
                                "page_size=2&page_token=eyJvZmZzZXQiOjF9"])
def test_list_bad_paging(paged, qs):
    s, _ = paged
    err(requests.get(s.adm + "/clients?" + qs), 400)


def test_list_filters(paged):
    s, _ = paged
    r = requests.get(s.adm + "/clients?client_name=n1")
    assert [c["client_id"] for c in r.json()] == ["c1", "c3", "c5"]
    assert r.headers["X-Total-Count"] == "3"
    assert "client_name=n1" in links(r)["first"]
    r = requests.get(s.adm + "/clients?owner=o1&client_name=n0")
    assert [c["client_id"] for c in r.json()] == ["c0", "c2"]
    r = requests.get(s.adm + "/clients?owner=nobody")
    assert r.json() == [] and r.headers["X-Total-Count"] == "0"


def test_list_empty(tmp_path):
    s = Server(tmp_path).start()
    try:
        r = requests.get(s.adm + "/clients")
        assert r.json() == [] and r.headers["X-Total-Count"] == "0"
        assert links(r)["first"] == "/clients?limit=100&offset=0"
    finally:
        s.stop()


# --- where the API is served -------------------------------------------

def test_not_on_public_port(server):
    for path in ("/clients", "/admin/clients", "/clients/x"):
        err(requests.get(server.pub + path), 404, "not_found")
    err(requests.post(server.pub + "/clients", json={}), 404, "not_found")


def test_wrong_method(server):
    r = requests.delete(server.adm + "/clients")
    err(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "GET, HEAD, POST"


# --- secrets at rest ----------------------------------------------------

def test_store_has_no_plain_secret(tmp_path):
    s = Server(tmp_path).start()
    try:
        gen = new_client(s)["client_secret"]
        chosen = new_client(s, client_secret="my-chosen-secret-1")
        assert chosen["client_secret"] == "my-chosen-secret-1"
    finally:
        s.stop()
    dump = store_bytes(s)
    assert gen.encode() not in dump
    assert b"my-chosen-secret-1" not in dump
    assert b"$pbkdf2-sha256$i=25000,l=32$" in dump
    assert b"$hmac-sha256$" in dump


# --- the admin key ------------------------------------------------------

def test_admin_key(tmp_path):
    key = "admin-key-0123456789"
    s = Server(tmp_path, env={"SECRETS_ADMIN": key}).start()
    try:
        good = {"Authorization": "Bearer " + key}
        for path in ("/clients", "/admin/clients", "/nope", "/clients/x"):
            r = requests.get(s.adm + path)
            err(r, 401, "unauthorized")
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
            r = requests.get(s.adm + path,
                             headers={"Authorization": "Bearer wrong"})
            err(r, 401, "unauthorized")
        r = requests.get(s.adm + "/clients",
                         headers={"Authorization": "Bearer " + key + "x"})
        err(r, 401, "unauthorized")
        assert requests.get(s.adm + "/clients", headers=good).status_code \
            == 200
        assert requests.post(s.adm + "/clients", json={},
                             headers=good).status_code == 201
        # Probes need no key; the public port never asks for it.
        assert requests.get(s.adm + "/health/ready").status_code == 200
        assert requests.get(s.adm + "/admin/version").status_code == 200
        assert requests.get(s.pub + "/health/alive").status_code == 200
        err(requests.get(s.pub + "/clients", headers=good), 404, "not_found")
        assert key not in s.read_log()
    finally:
        s.stop()


def test_short_admin_key_refused(tmp_path):
    s = Server(tmp_path, env={"SECRETS_ADMIN": "short"})
    with pytest.raises(RuntimeError) as e:
        s.start()
    assert "SECRETS_ADMIN" in str(e.value)
    assert "short" not in str(e.value).replace("shorter", "")


# --- concurrency --------------------------------------------------------

def test_two_processes_create_1000_clients(tmp_path):
    s = Server(tmp_path, procs=2).start()
    errors = []

    def worker(n):
        sess = requests.Session()
        for i in range(500):
            r = sess.post(s.adm + "/clients",
                          json={"client_id": f"w{n}-{i}"})
            if r.status_code != 201:
                errors.append(r.text)

    try:
        ts = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert errors == []
        r = requests.get(s.adm + "/clients?limit=1")
        assert r.headers["X-Total-Count"] == "1000"
        assert "signalled" not in s.read_log()
    finally:
        s.stop()
