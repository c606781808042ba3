"""OpenID Connect Dynamic Client Registration (RFC 7591, RFC 7592) on the
public listener, at /oauth2/register and /connect/register: off by
default, server-chosen credentials, the registration access token and
its rotation, RFC 7591 §3.2.2 errors, RFC 6750 §3 challenges that never
tell an unknown client from a wrong token, and the same records seen
through the admin dialects.  Issue 12: the registration policy (grant
types, scope, audience; no URI the server would request on an internal
address), loopback redirect URI matching (RFC 8252 §7.3), the redirect
URI re-checked when a flow resumes, and chosen secrets of 16 bytes at
least."""

import json
import os
import shutil
import subprocess
import time
import uuid

import pytest
import requests

from conftest import CRASH_MARKS, Server, store_bytes
import flowlib

ENABLED = {"OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED": "true"}
BASES = ["/oauth2/register", "/connect/register"]
CHALLENGE = 'Bearer error="invalid_token"'
OPERATOR_ONLY = {
    "metadata": {"a": 1},
    "owner": "someone",
    "skip_consent": True,
    "skip_logout_consent": True,
    "access_token_strategy": "jwt",
    "authorization_code_grant_access_token_lifespan": "1h",
    "refresh_token_grant_refresh_token_lifespan": "720h",
}


# A registration policy opened up by the operator.
OPEN = dict(ENABLED, **{
    "OIDC_DYNAMIC_CLIENT_REGISTRATION_ALLOWED_GRANT_TYPES":
        "authorization_code, refresh_token, client_credentials",
    "OIDC_DYNAMIC_CLIENT_REGISTRATION_DEFAULT_SCOPE": "openid,api:read",
    "OIDC_DYNAMIC_CLIENT_REGISTRATION_ALLOWED_AUDIENCE":
        "https://api.example.com/",
    "CLIENTS_HTTP_PRIVATE_IP_EXCEPTION_URLS":
        "http://127.0.0.1:9/logout,https://10.0.0.7/jwks",
})


@pytest.fixture(scope="module")
def dcr(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("dcr"), env=ENABLED).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def dcr_open(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("dcr_open"), env=OPEN).start()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def dcr_no_crash(request):
    """As conftest's no_crash, for the module's own servers."""
    srvs = [request.getfixturevalue(name) for name in ("dcr", "dcr_open")
            if name in request.fixturenames]
    for srv in srvs:
        srv.new_log()
    yield
    for srv in srvs:
        log = srv.new_log()
        for mark in CRASH_MARKS:
            assert mark not in log, log


def metadata(**kw):
    body = {"client_name": "DCR test",
            "redirect_uris": ["https://rp.example.com/cb"]}
    body.update(kw)
    return body


def register(srv, base="/oauth2/register", **kw):
    r = requests.post(srv.pub + base, json=metadata(**kw))
    assert r.status_code == 201, r.text
    return r.json()


def bearer(token):
    return {"Authorization": "Bearer " + token}


def is_error(r, status, code):
    """Hydra's genericError with an RFC 6749/7591 error code."""
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["error"] == code, body
    assert body["error_description"]
    return body


def is_invalid_token(r):
    """401 invalid_token; the challenge carries error="invalid_token" when
    Bearer credentials were sent, and none without (RFC 6750 §3.1)."""
    body = is_error(r, 401, "invalid_token")
    sent = r.request.headers.get("Authorization", "")
    want = CHALLENGE if sent.split(" ")[0].lower() == "bearer" else "Bearer"
    assert r.headers["WWW-Authenticate"] == want, sent
    return body


def reg_url(srv, c, base="/oauth2/register"):
    return srv.pub + base + "/" + c["client_id"]


# --- off by default ---------------------------------------------------------

@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("method,sub", [
    ("POST", ""), ("GET", "/x"), ("PUT", "/x"), ("DELETE", "/x"),
    ("GET", ""), ("PATCH", "/x"), ("PUT", ""),
])
def test_disabled_by_default_is_404(server, base, method, sub):
    r = requests.request(method, server.pub + base + sub,
                         json=None if method == "GET" else metadata(),
                         headers=bearer("dGVzdA"))
    body = is_error(r, 404, "not_found")
    assert "Dynamic client registration is not enabled." in \
        body["error_description"] + body.get("error_hint", "")
    assert "WWW-Authenticate" not in r.headers


# --- register -----------------------------------------------------------------

@pytest.mark.parametrize("base", BASES)
def test_register(dcr, base):
    before = int(time.time())
    r = requests.post(dcr.pub + base, json=metadata(
        contacts=["dev@rp.example.com"], client_uri="https://rp.example.com/",
        scope="openid offline"))
    assert r.status_code == 201, r.text
    # RFC 7591 §3.2.1: never cached.
    assert "no-store" in r.headers["Cache-Control"]
    assert r.headers["Pragma"] == "no-cache"
    c = r.json()
    uuid.UUID(c["client_id"])
    assert len(c["client_secret"]) >= 43
    assert len(c["registration_access_token"]) >= 43
    assert c["registration_access_token"] != c["client_secret"]
    assert c["registration_client_uri"] == \
        dcr.pub + "/oauth2/register/" + c["client_id"]
    assert before - 1 <= c["client_id_issued_at"] <= int(time.time()) + 1
    assert c["client_secret_expires_at"] == 0
    assert c["client_name"] == "DCR test"
    assert c["contacts"] == ["dev@rp.example.com"]
    assert c["scope"] == "openid offline"
    assert c["redirect_uris"] == ["https://rp.example.com/cb"]
    assert c["token_endpoint_auth_method"] == "client_secret_basic"
    assert c["grant_types"] == ["authorization_code"]
    assert c["response_types"] == ["code"]
    assert "metadata" not in c
    assert not any(k.startswith("_") for k in c)


def test_register_refuses_a_chosen_secret_as_hydra_does(dcr):
    """Hydra's CreateClient: "It is not allowed to choose your own OAuth2
    Client secret." (400); nothing is registered."""
    before = requests.get(dcr.adm + "/clients").json()
    r = requests.post(dcr.pub + "/oauth2/register",
                      json=metadata(client_secret="my-own-secret"))
    body = is_error(r, 400, "invalid_client_metadata")
    assert "'client_secret'" in body["error_description"]
    assert requests.get(dcr.adm + "/clients").json() == before


def test_register_ignores_chosen_id_and_token(dcr):
    c = register(dcr, client_id="my-own-id", client_secret="",
                 client_secret_expires_at=12345,
                 registration_access_token="my-token")
    assert c["client_id"] != "my-own-id"
    assert len(c["client_secret"]) >= 43
    assert c["registration_access_token"] != "my-token"
    assert c["client_secret_expires_at"] == 0
    r = requests.get(dcr.adm + "/clients/my-own-id")
    assert r.status_code == 404


def test_register_public_client_has_no_secret(dcr):
    c = register(dcr, token_endpoint_auth_method="none",
                 application_type="native",
                 redirect_uris=["com.example.app:/cb",
                                "http://127.0.0.1/cb"])
    assert "client_secret" not in c
    assert c["registration_access_token"]
    assert c["redirect_uris"] == ["com.example.app:/cb",
                                  "http://127.0.0.1/cb"]


def test_register_client_credentials_needs_no_redirect_uri(dcr_open):
    r = requests.post(dcr_open.pub + "/oauth2/register", json={
        "grant_types": ["client_credentials"], "response_types": []})
    assert r.status_code == 201, r.text
    assert r.json()["redirect_uris"] == []


@pytest.mark.parametrize("member", sorted(OPERATOR_ONLY))
def test_register_refuses_operator_members(dcr, member):
    body = is_error(requests.post(dcr.pub + "/oauth2/register", json=metadata(
        **{member: OPERATOR_ONLY[member]})), 400, "invalid_client_metadata")
    assert member in body["error_description"]


@pytest.mark.parametrize("uris", [
    ["https://rp.example.com/cb#frag"],
    ["/relative/cb"],
    ["cb"],
    ["http://rp.example.com/cb"],
    ["https://rp.example.com/ok", "http://rp.example.com/bad"],
    ["com.example.app:/cb"],    # own scheme, but a web client
])
def test_register_bad_redirect_uri(dcr, uris):
    body = is_error(requests.post(dcr.pub + "/oauth2/register",
                                  json=metadata(redirect_uris=uris)),
                    400, "invalid_redirect_uri")
    assert "redirect_uris" in body["error_description"]


@pytest.mark.parametrize("body", [
    {"client_name": "no uris"},
    {"client_name": "empty", "redirect_uris": []},
    {"grant_types": ["implicit"], "response_types": ["id_token"]},
])
def test_register_redirect_uris_required_for_redirecting_grants(dcr, body):
    is_error(requests.post(dcr.pub + "/oauth2/register", json=body), 400,
             "invalid_redirect_uri")


@pytest.mark.parametrize("member,value", [
    ("redirect_uris", "https://rp.example.com/cb"),
    ("contacts", "dev@rp.example.com"),
    ("grant_types", "authorization_code"),
    ("response_types", "code"),
    ("post_logout_redirect_uris", "https://rp.example.com/"),
    ("grant_types", ["password"]),
    ("token_endpoint_auth_method", "magic"),
    ("client_uri", "not a uri"),
    ("jwks", {"no": "keys"}),
    ("response_types", ["token"]),
])
def test_register_invalid_client_metadata(dcr, member, value):
    body = is_error(requests.post(dcr.pub + "/oauth2/register",
                                  json=metadata(**{member: value})),
                    400, "invalid_client_metadata")
    assert member in body["error_description"]


@pytest.mark.parametrize("data", [b"{", b"[]", b"null", b"",
                                  b'{"client_name":"a","client_name":"b"}'])
def test_register_malformed_body(dcr, data):
    is_error(requests.post(dcr.pub + "/oauth2/register", data=data,
                           headers={"Content-Type": "application/json"}),
             400, "invalid_request")


# --- read ---------------------------------------------------------------

@pytest.mark.parametrize("base", BASES)
def test_read(dcr, base):
    c = register(dcr, base)
    r = requests.get(reg_url(dcr, c, base),
                     headers=bearer(c["registration_access_token"]))
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["client_id"] == c["client_id"]
    assert got["client_name"] == "DCR test"
    assert got["registration_client_uri"] == c["registration_client_uri"]
    assert got["client_id_issued_at"] == c["client_id_issued_at"]
    assert got["client_secret_expires_at"] == 0
    assert "client_secret" not in got
    assert "registration_access_token" not in got
    assert "metadata" not in got
    assert c["client_secret"] not in r.text
    assert c["registration_access_token"] not in r.text


def test_read_through_registration_client_uri(dcr):
    c = register(dcr)
    r = requests.get(c["registration_client_uri"],
                     headers=bearer(c["registration_access_token"]))
    assert r.status_code == 200
    assert r.json()["client_id"] == c["client_id"]


def test_read_needs_the_token(dcr):
    c = register(dcr)
    other = register(dcr)
    url = reg_url(dcr, c)
    bodies = [
        is_invalid_token(requests.get(url)),
        is_invalid_token(requests.get(url, headers=bearer("d3Jvbmc"))),
        is_invalid_token(requests.get(url, headers=bearer(
            other["registration_access_token"]))),
        is_invalid_token(requests.get(url, headers=bearer(
            c["client_secret"]))),
        is_invalid_token(requests.get(url, headers={
            "Authorization": "Basic " + "eDp5"})),
        is_invalid_token(requests.get(url, headers={
            "Authorization": "Bearer"})),
        is_invalid_token(requests.get(url, headers={
            "Authorization": "Bearer a b"})),
    ]
    # An unknown client gets exactly the same answer.
    bodies.append(is_invalid_token(requests.get(
        dcr.pub + "/oauth2/register/" + str(uuid.uuid4()),
        headers=bearer(c["registration_access_token"]))))
    assert all(b == bodies[0] for b in bodies)
    # RFC 6750 §3.1: no error code when no Bearer credentials were sent.
    assert requests.get(url).headers["WWW-Authenticate"] == "Bearer"
    for b in bodies:
        assert c["client_id"] not in str(b)


def test_admin_clients_cannot_be_read_here(dcr):
    r = requests.post(dcr.adm + "/client", json={
        "client_name": "admin made", "client_uri": "https://a.example/"})
    assert r.status_code == 201, r.text
    cid = r.json()["client_id"]
    is_invalid_token(requests.get(dcr.pub + "/oauth2/register/" + cid,
                                  headers=bearer(r.json()["client_secret"])))
    is_invalid_token(requests.delete(dcr.pub + "/oauth2/register/" + cid,
                                     headers=bearer("eA")))
    assert requests.get(dcr.adm + "/client/" + cid).status_code == 200


# --- update -----------------------------------------------------------------

@pytest.mark.parametrize("base", BASES)
def test_update_replaces_metadata_and_rotates_the_token(dcr, base):
    c = register(dcr, base, contacts=["old@rp.example.com"],
                 client_uri="https://rp.example.com/")
    url = reg_url(dcr, c, base)
    old = c["registration_access_token"]
    r = requests.put(url, headers=bearer(old), json={
        "client_id": c["client_id"], "client_name": "renamed",
        "redirect_uris": ["https://rp.example.com/cb2"]})
    assert r.status_code == 200, r.text
    assert "no-store" in r.headers["Cache-Control"]
    u = r.json()
    new = u["registration_access_token"]
    assert new and new != old
    assert "client_secret" not in u          # kept, so not returned
    assert u["client_id"] == c["client_id"]
    assert u["client_name"] == "renamed"
    assert u["redirect_uris"] == ["https://rp.example.com/cb2"]
    # RFC 7592 §2.2: omitted members are removed.
    assert u["contacts"] == []
    assert u["client_uri"] == ""
    assert u["registration_client_uri"] == c["registration_client_uri"]
    assert u["client_id_issued_at"] == c["client_id_issued_at"]
    assert u["client_secret_expires_at"] == 0
    # The old token stopped working; the new one works.
    is_invalid_token(requests.get(url, headers=bearer(old)))
    is_invalid_token(requests.put(url, headers=bearer(old),
                                  json=metadata()))
    g = requests.get(url, headers=bearer(new))
    assert g.status_code == 200
    assert g.json()["client_name"] == "renamed"
    assert new not in g.text


@pytest.mark.parametrize("which", ["current", "chosen"])
def test_update_refuses_a_client_secret_as_hydra_does(dcr, which):
    """Hydra's setOidcDynamicClient answers 403 to any client_secret: the
    server issues secrets (RFC 7592 §2.2), even the current one is
    refused; the secret and the token stay as they were."""
    c = register(dcr)
    url, tok = reg_url(dcr, c), c["registration_access_token"]
    doc = requests.get(url, headers=bearer(tok)).json()
    doc["client_secret"] = (c["client_secret"] if which == "current"
                            else "chosen-secret-0123456789")
    body = is_error(requests.put(url, headers=bearer(tok), json=doc),
                    403, "request_forbidden")
    assert "'client_secret'" in body["error_description"]
    assert doc["client_secret"] not in body["error_description"]
    assert requests.get(url, headers=bearer(tok)).status_code == 200
    tr = requests.post(dcr.pub + "/oauth2/token", auth=(
        c["client_id"], c["client_secret"]), data={
        "grant_type": "refresh_token", "refresh_token": "x"})
    assert tr.status_code != 401, tr.text


@pytest.mark.parametrize("value", ["", None])
def test_update_accepts_an_empty_client_secret(dcr, value):
    c = register(dcr)
    r = requests.put(reg_url(dcr, c),
                     headers=bearer(c["registration_access_token"]),
                     json=metadata(client_secret=value))
    assert r.status_code == 200, r.text
    assert "client_secret" not in r.json()


def test_update_to_confidential_issues_a_secret(dcr):
    c = register(dcr, token_endpoint_auth_method="none")
    assert "client_secret" not in c
    r = requests.put(reg_url(dcr, c),
                     headers=bearer(c["registration_access_token"]),
                     json=metadata(
                         token_endpoint_auth_method="client_secret_post"))
    assert r.status_code == 200, r.text
    u = r.json()
    assert len(u["client_secret"]) >= 43
    assert u["client_secret_expires_at"] == 0
    g = requests.get(reg_url(dcr, c),
                     headers=bearer(u["registration_access_token"]))
    assert u["client_secret"] not in g.text


def test_update_client_id_must_match(dcr):
    c = register(dcr)
    tok = c["registration_access_token"]
    body = is_error(requests.put(reg_url(dcr, c), headers=bearer(tok),
                                 json=metadata(client_id="someone-else")),
                    400, "invalid_client_metadata")
    assert "client_id" in body["error_description"]
    # Refused: the token was not rotated.
    assert requests.get(reg_url(dcr, c), headers=bearer(tok)) \
        .status_code == 200


def test_update_errors_keep_record_and_token(dcr):
    c = register(dcr)
    url, tok = reg_url(dcr, c), c["registration_access_token"]
    is_error(requests.put(url, headers=bearer(tok), json=metadata(
        redirect_uris=["https://rp.example.com/#f"])), 400,
        "invalid_redirect_uri")
    is_error(requests.put(url, headers=bearer(tok), json=metadata(
        redirect_uris="https://rp.example.com/")), 400,
        "invalid_client_metadata")
    is_error(requests.put(url, headers=bearer(tok), json=metadata(
        metadata={"x": 1})), 400, "invalid_client_metadata")
    is_error(requests.put(url, data=b"{", headers=dict(
        bearer(tok), **{"Content-Type": "application/json"})), 400,
        "invalid_request")
    g = requests.get(url, headers=bearer(tok))
    assert g.status_code == 200
    assert g.json()["redirect_uris"] == ["https://rp.example.com/cb"]


def test_update_needs_the_token_before_anything_else(dcr):
    c = register(dcr)
    url = reg_url(dcr, c)
    is_invalid_token(requests.put(url, json=metadata()))
    is_invalid_token(requests.put(url, headers=bearer("d3Jvbmc"),
                                  json=metadata(client_name="hijack")))
    # Even a malformed body is told only to the token's holder.
    is_invalid_token(requests.put(url, data=b"{", headers={
        "Content-Type": "application/json"}))
    is_invalid_token(requests.put(
        dcr.pub + "/oauth2/register/" + str(uuid.uuid4()),
        headers=bearer(c["registration_access_token"]), json=metadata()))
    g = requests.get(url, headers=bearer(c["registration_access_token"]))
    assert g.json()["client_name"] == "DCR test"


def test_update_keeps_what_the_operator_set(dcr):
    c = register(dcr)
    cid = c["client_id"]
    h = requests.get(dcr.adm + "/clients/" + cid).json()
    h.update({"metadata": {"tier": "gold"}, "skip_consent": True,
              "owner": "ops"})
    h.pop("client_secret", None)
    r = requests.put(dcr.adm + "/clients/" + cid, json=h)
    assert r.status_code == 200, r.text
    # The registration still works after the operator's change, and the
    # operator's metadata is not shown to the registrant.
    tok = c["registration_access_token"]
    g = requests.get(reg_url(dcr, c), headers=bearer(tok))
    assert g.status_code == 200, g.text
    assert "metadata" not in g.json() and "gold" not in g.text
    u = requests.put(reg_url(dcr, c), headers=bearer(tok),
                     json=metadata(client_name="self-renamed"))
    assert u.status_code == 200, u.text
    h = requests.get(dcr.adm + "/clients/" + cid).json()
    assert h["client_name"] == "self-renamed"
    assert h["metadata"] == {"tier": "gold"}
    assert h["skip_consent"] is True
    assert h["owner"] == "ops"


# --- read-modify-write (RFC 7592 §2.2) ---------------------------------------

MANAGED_CHANGES = [
    ("owner", "me"),
    ("client_id_issued_at", 12345),
    ("client_secret_expires_at", 99),
    ("registration_client_uri", "https://evil.example/oauth2/register/x"),
    ("created_at", "2001-01-01T00:00:00Z"),
    ("updated_at", "2001-01-01T00:00:00Z"),
    ("metadata", {"a": 1}),
    ("access_token_strategy", "jwt"),
    ("skip_consent", True),
    ("skip_logout_consent", True),
    ("authorization_code_grant_access_token_lifespan", "1h"),
    ("refresh_token_grant_refresh_token_lifespan", "720h"),
    ("registration_access_token", "bm90LXRoZS10b2tlbg"),
]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("member,value", [
    ("client_name", "renamed"),
    ("contacts", ["ops@rp.example.com"]),
    ("redirect_uris", ["https://rp.example.com/cb",
                       "https://rp.example.com/2"]),
    ("token_endpoint_auth_method", "client_secret_post"),
])
def test_read_modify_write(dcr, base, member, value):
    """GET the registration, change one member, PUT the same document
    back: accepted, and the change is what the next GET answers."""
    c = register(dcr, base)
    url, tok = reg_url(dcr, c, base), c["registration_access_token"]
    doc = requests.get(url, headers=bearer(tok)).json()
    doc[member] = value
    r = requests.put(url, headers=bearer(tok), json=doc)
    assert r.status_code == 200, r.text
    u = r.json()
    assert u[member] == value
    assert "client_secret" not in u
    for k in ("client_id", "client_id_issued_at", "registration_client_uri",
              "client_secret_expires_at", "owner", "created_at"):
        assert u[k] == doc[k], k
    g = requests.get(url, headers=bearer(u["registration_access_token"]))
    assert g.status_code == 200
    assert g.json()[member] == value
    # The answer of the PUT, token and all, goes back as it is too.
    again = dict(u, client_name="twice")
    r = requests.put(url, headers=bearer(u["registration_access_token"]),
                     json=again)
    assert r.status_code == 200, r.text
    assert r.json()["client_name"] == "twice"


@pytest.mark.parametrize("member,value", MANAGED_CHANGES)
def test_read_modify_write_refuses_changed_managed_members(dcr, member,
                                                           value):
    c = register(dcr)
    url, tok = reg_url(dcr, c), c["registration_access_token"]
    before = requests.get(url, headers=bearer(tok)).json()
    doc = dict(before, client_name="renamed")
    doc[member] = value
    body = is_error(requests.put(url, headers=bearer(tok), json=doc), 400,
                    "invalid_client_metadata")
    assert "'%s'" % member in body["error_description"]
    # Nothing changed, the token was not rotated.
    g = requests.get(url, headers=bearer(tok))
    assert g.status_code == 200
    assert g.json() == before


def test_read_modify_write_accepts_empty_managed_members(dcr):
    c = register(dcr)
    url, tok = reg_url(dcr, c), c["registration_access_token"]
    doc = requests.get(url, headers=bearer(tok)).json()
    doc.update({"owner": "", "metadata": {}, "client_id_issued_at": None,
                "created_at": None, "updated_at": "",
                "registration_client_uri": None, "skip_consent": False,
                "client_secret": "", "client_name": "emptied"})
    r = requests.put(url, headers=bearer(tok), json=doc)
    assert r.status_code == 200, r.text
    assert r.json()["client_name"] == "emptied"
    assert r.json()["client_id_issued_at"] == c["client_id_issued_at"]


def test_read_modify_write_keeps_what_the_operator_set(dcr):
    c = register(dcr)
    cid = c["client_id"]
    h = requests.get(dcr.adm + "/clients/" + cid).json()
    h.update({"owner": "ops", "skip_consent": True,
              "metadata": {"tier": "gold"},
              "authorization_code_grant_access_token_lifespan": "1h0m0s"})
    h.pop("client_secret", None)
    assert requests.put(dcr.adm + "/clients/" + cid, json=h) \
        .status_code == 200
    url, tok = reg_url(dcr, c), c["registration_access_token"]
    doc = requests.get(url, headers=bearer(tok)).json()
    assert doc["owner"] == "ops" and "metadata" not in doc
    doc["client_name"] = "mine"
    r = requests.put(url, headers=bearer(tok), json=doc)
    assert r.status_code == 200, r.text
    tok = r.json()["registration_access_token"]
    is_error(requests.put(url, headers=bearer(tok),
                          json=dict(doc, owner="me")),
             400, "invalid_client_metadata")
    is_error(requests.put(url, headers=bearer(tok),
                          json=dict(doc, metadata={"tier": "gold"})),
             400, "invalid_client_metadata")
    h = requests.get(dcr.adm + "/clients/" + cid).json()
    assert h["client_name"] == "mine"
    assert h["owner"] == "ops" and h["skip_consent"] is True
    assert h["metadata"] == {"tier": "gold"}


# --- delete -----------------------------------------------------------------

@pytest.mark.parametrize("base", BASES)
def test_delete(dcr, base):
    c = register(dcr, base)
    url, tok = reg_url(dcr, c, base), c["registration_access_token"]
    is_invalid_token(requests.delete(url))
    is_invalid_token(requests.delete(url, headers=bearer("d3Jvbmc")))
    assert requests.get(url, headers=bearer(tok)).status_code == 200
    r = requests.delete(url, headers=bearer(tok))
    assert r.status_code == 204
    assert r.content == b""
    # Gone, and so is its token.
    is_invalid_token(requests.get(url, headers=bearer(tok)))
    is_invalid_token(requests.delete(url, headers=bearer(tok)))
    is_invalid_token(requests.put(url, headers=bearer(tok),
                                  json=metadata()))
    assert requests.get(dcr.adm + "/client/" + c["client_id"]) \
        .status_code == 404


# --- the same records through the admin dialects ---------------------------

def test_visible_through_authentiq_and_hydra(dcr):
    c = register(dcr, client_uri="https://rp.example.com/",
                 contacts=["dev@rp.example.com"])
    cid = c["client_id"]
    r = requests.get(dcr.adm + "/client/" + cid)
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["client_id"] == cid
    assert a["client_name"] == "DCR test"
    assert a["client_uri"] == "https://rp.example.com/"
    assert a["contacts"] == ["dev@rp.example.com"]
    assert a["redirect_uris"] == ["https://rp.example.com/cb"]
    lst = requests.get(dcr.adm + "/client")
    assert cid in {x["client_id"] for x in lst.json()}
    h = requests.get(dcr.adm + "/clients/" + cid)
    assert h.status_code == 200, h.text
    assert h.json()["client_name"] == "DCR test"
    for resp in (r, lst, h):
        assert c["client_secret"] not in resp.text
        assert c["registration_access_token"] not in resp.text
        assert "registration_access_token" not in resp.text


def test_deleted_by_the_operator_is_401_here(dcr):
    c = register(dcr)
    assert requests.delete(dcr.adm + "/client/" + c["client_id"]) \
        .status_code == 204
    is_invalid_token(requests.get(
        reg_url(dcr, c), headers=bearer(c["registration_access_token"])))


# --- listeners and methods --------------------------------------------------

@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("prefix", ["", "/admin"])
def test_not_on_the_admin_listener(dcr, base, prefix):
    c = register(dcr)
    tok = bearer(c["registration_access_token"])
    r = requests.post(dcr.adm + prefix + base, json=metadata())
    is_error(r, 404, "not_found")
    r = requests.get(dcr.adm + prefix + base + "/" + c["client_id"],
                     headers=tok)
    is_error(r, 404, "not_found")


def test_other_methods_are_405_when_enabled(dcr):
    for base in BASES:
        r = requests.get(dcr.pub + base)
        is_error(r, 405, "method_not_allowed")
        assert r.headers["Allow"] == "POST"
        r = requests.patch(dcr.pub + base + "/x", json={})
        is_error(r, 405, "method_not_allowed")
        assert set(a.strip() for a in r.headers["Allow"].split(",")) >= \
            {"GET", "PUT", "DELETE"}
        r = requests.post(dcr.pub + base + "/x", json={})
        is_error(r, 405, "method_not_allowed")


def test_head_reads_like_get(dcr):
    c = register(dcr)
    r = requests.head(reg_url(dcr, c),
                      headers=bearer(c["registration_access_token"]))
    assert r.status_code == 200
    assert r.content == b""
    r = requests.head(reg_url(dcr, c))
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    r = requests.head(reg_url(dcr, c), headers=bearer("d3Jvbmc"))
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == CHALLENGE


def test_store_has_no_plain_secret_or_token(tmp_path):
    """A copy of the database holds neither the client secret nor the
    registration access token, before or after rotation."""
    s = Server(tmp_path, env=ENABLED).start()
    try:
        c = register(s)
        r = requests.put(reg_url(s, c), json=metadata(),
                         headers=bearer(c["registration_access_token"]))
        assert r.status_code == 200, r.text
        rotated = r.json()["registration_access_token"]
    finally:
        s.stop()
    dump = store_bytes(s)
    for plain in (c["client_secret"], c["registration_access_token"],
                  rotated):
        assert plain.encode() not in dump
    assert b"$hmac-sha256$" in dump


# --- registration policy (issue 12 item 4) -------------------------------

def post(srv, **kw):
    return requests.post(srv.pub + "/oauth2/register", json=metadata(**kw))


@pytest.mark.parametrize("grants", [
    ["client_credentials"],
    ["authorization_code", "client_credentials"],
    ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
])
def test_policy_grant_types_by_default(dcr, grants):
    body = is_error(post(dcr, grant_types=grants, response_types=[]
                         if "authorization_code" not in grants else ["code"]),
                    400, "invalid_client_metadata")
    assert "grant_types" in body["error_description"]
    assert grants[-1] in body["error_description"]


def test_policy_allowed_grant_types_by_default(dcr):
    c = register(dcr, grant_types=["authorization_code", "refresh_token",
                                   "implicit"],
                 response_types=["code", "id_token", "code id_token"])
    assert c["grant_types"] == ["authorization_code", "refresh_token",
                                "implicit"]


def test_policy_grant_types_as_configured(dcr_open):
    c = register(dcr_open, grant_types=["client_credentials"],
                 response_types=[])
    assert c["grant_types"] == ["client_credentials"]
    body = is_error(post(dcr_open, grant_types=["implicit"],
                         response_types=["id_token"]),
                    400, "invalid_client_metadata")
    assert "'implicit'" in body["error_description"]


def test_policy_default_scope(dcr, dcr_open):
    assert register(dcr)["scope"] == "offline_access offline openid"
    assert register(dcr, scope="")["scope"] == \
        "offline_access offline openid"
    assert register(dcr, scope="openid")["scope"] == "openid"
    assert register(dcr_open)["scope"] == "openid api:read"
    assert register(dcr_open, scope="api:read")["scope"] == "api:read"


@pytest.mark.parametrize("scope", ["openid email", "admin",
                                   "openid  offline profile"])
def test_policy_scope_within_default(dcr, scope):
    body = is_error(post(dcr, scope=scope), 400, "invalid_client_metadata")
    assert "'scope'" in body["error_description"]
    assert scope.split()[-1] in body["error_description"]


def test_policy_scope_within_configured_default(dcr_open):
    body = is_error(post(dcr_open, scope="openid offline"), 400,
                    "invalid_client_metadata")
    assert "'offline'" in body["error_description"]


def test_policy_audience(dcr, dcr_open):
    body = is_error(post(dcr, audience=["https://api.example.com/"]), 400,
                    "invalid_client_metadata")
    assert "audience" in body["error_description"]
    c = register(dcr_open, audience=["https://api.example.com/"])
    assert c["audience"] == ["https://api.example.com/"]
    is_error(post(dcr_open, audience=["https://api.example.com/",
                                      "https://other.example.com/"]),
             400, "invalid_client_metadata")


def test_policy_applies_to_updates(dcr):
    c = register(dcr)
    r = requests.put(reg_url(dcr, c), headers=bearer(
        c["registration_access_token"]), json=metadata(
        grant_types=["client_credentials"], response_types=[]))
    body = is_error(r, 400, "invalid_client_metadata")
    assert "grant_types" in body["error_description"]
    r = requests.put(reg_url(dcr, c), headers=bearer(
        c["registration_access_token"]), json=metadata(scope="openid root"))
    is_error(r, 400, "invalid_client_metadata")


INTERNAL = [
    ("backchannel_logout_uri", "http://127.0.0.1:4445/clients"),
    ("backchannel_logout_uri", "https://localhost/logout"),
    ("backchannel_logout_uri", "https://[::1]/logout"),
    ("backchannel_logout_uri", "https://10.1.2.3/logout"),
    ("backchannel_logout_uri", "https://172.16.0.1/logout"),
    ("backchannel_logout_uri", "https://192.168.1.1/logout"),
    ("backchannel_logout_uri", "http://169.254.169.254/latest/meta-data"),
    ("backchannel_logout_uri", "https://0.0.0.0/logout"),
    ("backchannel_logout_uri", "https://[fd12::1]/logout"),
    ("backchannel_logout_uri", "https://[fe80::1]/logout"),
    ("backchannel_logout_uri", "https://[::ffff:127.0.0.1]/logout"),
    ("backchannel_logout_uri", "https://2130706433/logout"),
    ("backchannel_logout_uri", "https://0x7f.1/logout"),
    ("backchannel_logout_uri", "https://user@127.0.0.1/logout"),
    ("frontchannel_logout_uri", "https://127.0.0.1/fc"),
    ("jwks_uri", "https://127.0.0.1/jwks.json"),
    ("sector_identifier_uri", "https://192.168.0.10/sector"),
]


@pytest.mark.parametrize("field,uri", INTERNAL)
def test_policy_internal_uris_refused(dcr, field, uri):
    body = is_error(post(dcr, **{field: uri}), 400,
                    "invalid_client_metadata")
    assert field in body["error_description"]
    assert "address" in body["error_description"]


def test_policy_internal_request_uris_refused(dcr):
    body = is_error(post(dcr, request_uris=["https://8.8.8.8/r",
                                            "https://10.0.0.1/r"]),
                    400, "invalid_client_metadata")
    assert "request_uris" in body["error_description"]
    assert "item 1" in body["error_description"]


def test_policy_unresolvable_host_refused(dcr):
    body = is_error(post(dcr, backchannel_logout_uri="https://"
                         "no-such-host.invalid/logout"),
                    400, "invalid_client_metadata")
    assert "backchannel_logout_uri" in body["error_description"]
    assert "does not resolve" in body["error_description"]


def test_policy_public_addresses_accepted(dcr):
    c = register(dcr, backchannel_logout_uri="https://8.8.8.8/logout",
                 jwks_uri="https://[2001:4860:4860::8888]/jwks.json",
                 request_uris=["https://1.1.1.1/r"])
    assert c["backchannel_logout_uri"] == "https://8.8.8.8/logout"


def test_policy_internal_uri_on_update_after_the_token(dcr):
    c = register(dcr)
    bad = metadata(backchannel_logout_uri="http://127.0.0.1/x")
    # Without the token: 401, nothing about the body.
    is_invalid_token(requests.put(reg_url(dcr, c), json=bad))
    body = is_error(requests.put(reg_url(dcr, c), json=bad, headers=bearer(
        c["registration_access_token"])), 400, "invalid_client_metadata")
    assert "backchannel_logout_uri" in body["error_description"]


def test_policy_exception_urls(dcr_open):
    c = register(dcr_open, backchannel_logout_uri="http://127.0.0.1:9/logout")
    assert c["backchannel_logout_uri"] == "http://127.0.0.1:9/logout"
    c = register(dcr_open, jwks_uri="https://10.0.0.7/jwks")
    # Exact match only.
    is_error(post(dcr_open, backchannel_logout_uri="http://127.0.0.1:9/"
                  "logout2"), 400, "invalid_client_metadata")


def test_admin_clients_with_internal_uris_are_warned_about(dcr):
    dcr.new_log()
    r = requests.post(dcr.adm + "/admin/clients", json={
        "backchannel_logout_uri": "http://127.0.0.1:8000/logout",
        "redirect_uris": ["https://rp.example.com/cb"]})
    assert r.status_code == 201, r.text
    log = dcr.new_log()
    assert "backchannel_logout_uri" in log and "loopback" in log, log


def test_admin_clients_refused_when_configured(tmp_path):
    s = Server(tmp_path, env={
        "CLIENTS_HTTP_DISALLOW_PRIVATE_IP_RANGES": "true"}).start()
    try:
        for path in ("/admin/clients", "/clients"):
            r = requests.post(s.adm + path, json={
                "jwks_uri": "https://192.168.7.7/jwks.json",
                "token_endpoint_auth_method": "private_key_jwt"})
            body = is_error(r, 400, "invalid_request")
            assert "jwks_uri" in body["error_description"]
        r = requests.post(s.adm + "/admin/clients", json={
            "jwks_uri": "https://8.8.4.4/jwks.json",
            "token_endpoint_auth_method": "private_key_jwt"})
        assert r.status_code == 201, r.text
    finally:
        s.stop()


# --- client secrets (issue 12 item 9) ----------------------------------------

def test_admin_chosen_secret_at_least_16_bytes(dcr):
    r = requests.post(dcr.adm + "/admin/clients",
                      json={"client_secret": "fifteen-bytes-x"})
    body = is_error(r, 400, "invalid_request")
    assert "client_secret" in body["error_description"]
    assert "fifteen" not in r.text
    r = requests.post(dcr.adm + "/admin/clients",
                      json={"client_secret": "sixteen-bytes-xy"})
    assert r.status_code == 201, r.text


def test_generated_credentials_carry_256_bits(dcr):
    import base64
    c = register(dcr)
    for k in ("client_secret", "registration_access_token"):
        raw = base64.urlsafe_b64decode(c[k] + "=" * (-len(c[k]) % 4))
        assert len(raw) == 32, k


# --- loopback redirect URIs (issue 12 item 5) --------------------------------

def auth(srv, client_id, redirect_uri):
    return requests.get(srv.pub + "/oauth2/auth", allow_redirects=False,
                        params={"client_id": client_id,
                                "response_type": "code",
                                "redirect_uri": redirect_uri,
                                "scope": "openid", "state": "s" * 8,
                                "code_challenge": flowlib.pkce()[1],
                                "code_challenge_method": "S256"})


def is_error_page(srv, r, words):
    """The user agent goes to the error page, not to the client."""
    assert r.status_code in (302, 303), (r.status_code, r.text)
    loc = r.headers["Location"]
    assert loc.startswith(srv.pub + "/ui/error?"), loc
    desc = flowlib.qs(loc)["error_description"]
    assert words in desc, desc


@pytest.fixture(scope="module")
def loopback_client(dcr):
    return register(dcr, application_type="native",
                    token_endpoint_auth_method="none",
                    redirect_uris=["http://127.0.0.1:8080/cb",
                                   "http://[::1]:8080/cb?x=1"])


@pytest.mark.parametrize("uri", [
    "http://127.0.0.1:8080/cb", "http://127.0.0.1:1/cb",
    "http://127.0.0.1/cb", "http://[::1]:51000/cb?x=1",
])
def test_loopback_redirect_any_port(dcr, loopback_client, uri):
    r = auth(dcr, loopback_client["client_id"], uri)
    assert r.status_code in (302, 303), r.text
    assert r.headers["Location"].startswith(dcr.pub + "/ui/login?")


@pytest.mark.parametrize("uri", [
    "http://127.0.0.1:1?/cb", "http://127.0.0.1:1#/cb",
    "http://x@127.0.0.1:1/cb", "http://127.0.0.1:1/cb#",
    "http://127.0.0.1:1/cb?", "http://127.0.0.1:1/cb/x",
    "http://127.0.0.2:8080/cb", "https://127.0.0.1:8080/cb",
    "http://[::1]:1/cb", "http://[::1]:1/cb?x=2",
    "http://127.0.0.1:1/x?/cb",
])
def test_loopback_redirect_only_the_port_varies(dcr, loopback_client, uri):
    r = auth(dcr, loopback_client["client_id"], uri)
    is_error_page(dcr, r, "'redirect_uri' is not one the client registered")


# --- the flow re-checks its redirect URI (issue 12 item 9) ------------------

@pytest.mark.parametrize("step", ["login", "consent"])
def test_resumed_flow_rechecks_redirect_uri(dcr, step):
    client = flowlib.new_client(dcr, redirect_uris=[
        "https://rp.example/cb", "https://rp.example/old"])
    browser = requests.Session()
    loc = flowlib.go(browser, flowlib.auth_url(
        dcr, client, redirect_uri="https://rp.example/old"))
    loc = flowlib.accept_login(dcr, flowlib.challenge(loc, "login"))
    if step == "consent":
        loc = flowlib.go(browser, loc)
        loc = flowlib.accept_consent(dcr, flowlib.challenge(loc, "consent"))
    # The operator drops the URI while the flow is under way.
    r = requests.patch(dcr.adm + "/admin/clients/" + client["client_id"],
                       json=[{"op": "replace", "path": "/redirect_uris",
                              "value": ["https://rp.example/cb"]}])
    assert r.status_code == 200, r.text
    r = browser.get(loc, allow_redirects=False)
    is_error_page(dcr, r, "no longer one the client registered")


# --- the Ory SDK (tests/sdk/dcr2.js) -----------------------------------------

@pytest.mark.skipif(shutil.which("node") is None,
                    reason="node is not installed (Debian package nodejs)")
def test_sdk_read_modify_write(dcr, sdk_dir):
    """@ory/hydra-client 2.2's OidcApi: register, get, set what get
    answered with the name changed, get with the rotated token, a changed
    owner refused naming it, delete."""
    r = subprocess.run(["node", os.path.join(sdk_dir, "dcr2.js"), dcr.pub],
                       cwd=sdk_dir, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    steps = [json.loads(line)["step"] for line in r.stdout.splitlines()]
    assert steps == ["register", "get", "set", "get_after_set",
                     "set_managed_refused", "delete"], r.stdout
