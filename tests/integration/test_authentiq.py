"""Authentiq Connect's client management (/client) on the admin
listener: the Client object, RFC 7807 problem details, the Location of a
new client, partial updates that keep the rest of a record, and the same
records seen through Hydra's /clients.  And its public /authorize and
/token: the flows of /oauth2/auth and /oauth2/token on Authentiq's
paths, the Token schema's expires_at, RFC 6749 errors."""

import json
import os
import time
import urllib.parse

import pytest
import requests

from flowlib import accept_consent, accept_login, challenge, go, pkce, qs
from uilib import Browser, add_user, id_claims

MEMBERS = {"application_type", "client_id", "client_name", "client_uri",
           "contacts", "default_max_age", "default_scopes", "grant_types",
           "logo_uri", "policy_uri", "redirect_uris", "response_types",
           "tos_uri"}

REASONS = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           405: "Method Not Allowed", 409: "Conflict"}


def client_body(**kw):
    body = {"client_name": "Authentiq test", "client_uri":
            "https://app.example.com/",
            "redirect_uris": ["https://app.example.com/cb"]}
    body.update(kw)
    return body


def create(server, **kw):
    r = requests.post(server.adm + "/client", json=client_body(**kw))
    assert r.status_code == 201, r.text
    return r.json()


def is_problem(r, status):
    """An RFC 7807 problem detail (RFC 7807 §3.1) with this status."""
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"] == "application/problem+json"
    body = r.json()
    assert set(body) == {"type", "title", "status", "detail"}
    assert body["type"] == "about:blank"
    assert body["title"] == REASONS[status]
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    return body


# --- create -----------------------------------------------------------

def test_create_returns_client_secret_once_and_location(server):
    r = requests.post(server.adm + "/client", json=client_body(
        contacts=["ops@example.com"], default_max_age=3600,
        default_scopes=["openid", "email"], application_type="web",
        logo_uri="https://app.example.com/logo.png",
        policy_uri="https://app.example.com/policy",
        tos_uri="https://app.example.com/tos"))
    assert r.status_code == 201, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    c = r.json()
    assert set(c) == MEMBERS | {"client_secret"}
    assert len(c["client_secret"]) >= 43
    assert c["client_name"] == "Authentiq test"
    assert c["client_uri"] == "https://app.example.com/"
    assert c["contacts"] == ["ops@example.com"]
    assert c["default_max_age"] == 3600
    assert c["default_scopes"] == ["openid", "email"]
    assert c["logo_uri"] == "https://app.example.com/logo.png"
    assert c["policy_uri"] == "https://app.example.com/policy"
    assert c["tos_uri"] == "https://app.example.com/tos"
    assert c["grant_types"] == ["authorization_code"]
    assert c["response_types"] == ["code"]
    assert c["application_type"] == "web"
    assert r.headers["Location"] == "/client/" + c["client_id"]
    assert "no-store" in r.headers["Cache-Control"]

    g = requests.get(server.adm + r.headers["Location"])
    assert g.status_code == 200
    got = g.json()
    assert set(got) == MEMBERS
    assert "client_secret" not in g.text
    assert c["client_secret"] not in g.text
    del c["client_secret"]
    assert got == c


def test_create_under_admin_prefix_location(server):
    r = requests.post(server.adm + "/admin/client", json=client_body())
    assert r.status_code == 201, r.text
    cid = r.json()["client_id"]
    assert r.headers["Location"] == "/admin/client/" + cid
    g = requests.get(server.adm + r.headers["Location"])
    assert g.status_code == 200 and g.json()["client_id"] == cid
    assert requests.get(server.adm + "/client/" + cid).status_code == 200


def test_create_with_chosen_client_id_location_is_encoded(server):
    r = requests.post(server.adm + "/client",
                      json=client_body(client_id="aq/chosen?1"))
    assert r.status_code == 201, r.text
    assert r.json()["client_id"] == "aq/chosen?1"
    assert r.headers["Location"] == "/client/aq%2Fchosen%3F1"
    g = requests.get(server.adm + r.headers["Location"])
    assert g.status_code == 200, g.text
    assert g.json()["client_id"] == "aq/chosen?1"


def test_create_ignores_members_outside_the_client_object(server):
    c = create(server, client_secret="chosen-secret-1",
               token_endpoint_auth_method="none", skip_consent=True,
               metadata={"a": 1})
    assert c["client_secret"] != "chosen-secret-1"
    h = requests.get(server.adm + "/clients/" + c["client_id"])
    assert h.status_code == 200, h.text
    h = h.json()
    assert h["token_endpoint_auth_method"] == "client_secret_basic"
    assert h["skip_consent"] is False
    assert h["metadata"] in ({}, None)


def test_create_existing_client_id_is_409(server):
    create(server, client_id="aq-dup")
    is_problem(requests.post(server.adm + "/client",
                             json=client_body(client_id="aq-dup")), 409)


@pytest.mark.parametrize("missing", ["client_name", "client_uri"])
def test_create_requires_name_and_uri(server, missing):
    body = client_body()
    del body[missing]
    p = is_problem(requests.post(server.adm + "/client", json=body), 400)
    assert missing in p["detail"]
    body[missing] = ""
    p = is_problem(requests.post(server.adm + "/client", json=body), 400)
    assert missing in p["detail"]
    body[missing] = None
    is_problem(requests.post(server.adm + "/client", json=body), 400)
    body[missing] = 7
    p = is_problem(requests.post(server.adm + "/client", json=body), 400)
    assert missing in p["detail"]


@pytest.mark.parametrize("uri", [
    "https://app.example.com/cb#frag",
    "/relative/cb",
    "cb",
    "http://app.example.com/cb",
    "https:///nohost",
])
def test_create_bad_redirect_uri(server, uri):
    p = is_problem(requests.post(server.adm + "/client",
                                 json=client_body(redirect_uris=[uri])), 400)
    assert "redirect_uris" in p["detail"]


def test_create_loopback_http_redirect_uri_is_fine(server):
    c = create(server, redirect_uris=["http://127.0.0.1:8080/cb",
                                      "http://localhost/cb"])
    assert c["redirect_uris"] == ["http://127.0.0.1:8080/cb",
                                  "http://localhost/cb"]


@pytest.mark.parametrize("member,value", [
    ("redirect_uris", "https://app.example.com/cb"),
    ("contacts", "ops@example.com"),
    ("default_scopes", "openid"),
    ("grant_types", "authorization_code"),
    ("response_types", "code"),
    ("contacts", [1, 2]),
    ("default_max_age", "3600"),
    ("default_max_age", -1),
    ("application_type", "desktop"),
    ("client_uri", "not a url"),
    ("logo_uri", "ftp://example.com/x"),
    ("grant_types", ["password"]),
])
def test_create_bad_member(server, member, value):
    p = is_problem(requests.post(server.adm + "/client",
                                 json=client_body(**{member: value})), 400)
    assert member in p["detail"]


@pytest.mark.parametrize("data", [
    b"{", b"not json", b"[]", b'"x"', b'{"client_name": "a", '
    b'"client_name": "b", "client_uri": "https://x.example/"}', b"",
])
def test_create_malformed_body(server, data):
    is_problem(requests.post(server.adm + "/client", data=data, headers={
        "Content-Type": "application/json"}), 400)


# --- read -------------------------------------------------------------

def test_list_has_every_client_without_secrets(server):
    a = create(server, client_name="list-a")
    b = create(server, client_name="list-b")
    r = requests.get(server.adm + "/client")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    items = r.json()
    assert isinstance(items, list)
    ids = {c["client_id"] for c in items}
    assert {a["client_id"], b["client_id"]} <= ids
    for c in items:
        assert set(c) == MEMBERS
    assert a["client_secret"] not in r.text
    assert b["client_secret"] not in r.text
    assert "client_secret" not in r.text
    assert "_secret" not in r.text and "_rat" not in r.text
    # Under /admin too.
    r2 = requests.get(server.adm + "/admin/client")
    assert r2.status_code == 200
    assert {a["client_id"], b["client_id"]} <= \
        {c["client_id"] for c in r2.json()}


def test_get_unknown_client_is_404_problem(server):
    p = is_problem(requests.get(server.adm + "/client/no-such-client"), 404)
    assert "no-such-client" in p["detail"]
    is_problem(requests.get(server.adm + "/admin/client/no-such-client"),
               404)


# --- update -----------------------------------------------------------

def test_update_changes_only_what_is_sent(server):
    c = create(server, contacts=["a@example.com"], default_max_age=60)
    cid = c["client_id"]
    r = requests.put(server.adm + "/client/" + cid,
                     json={"client_name": "renamed",
                           "default_scopes": ["openid"]})
    assert r.status_code == 200, r.text
    u = r.json()
    assert set(u) == MEMBERS
    assert "client_secret" not in r.text
    assert u["client_name"] == "renamed"
    assert u["default_scopes"] == ["openid"]
    assert u["client_uri"] == c["client_uri"]
    assert u["contacts"] == ["a@example.com"]
    assert u["default_max_age"] == 60
    assert u["redirect_uris"] == c["redirect_uris"]
    assert requests.get(server.adm + "/client/" + cid).json() == u


def test_update_under_admin_prefix(server):
    cid = create(server)["client_id"]
    r = requests.put(server.adm + "/admin/client/" + cid,
                     json={"client_uri": "https://other.example.com/"})
    assert r.status_code == 200, r.text
    assert r.json()["client_uri"] == "https://other.example.com/"


def test_update_keeps_the_secret_and_ignores_a_new_one(server):
    c = create(server)
    cid = c["client_id"]
    r = requests.put(server.adm + "/client/" + cid,
                     json={"client_secret": "another-secret-1",
                           "client_name": "x"})
    assert r.status_code == 200, r.text
    assert "client_secret" not in r.json()
    assert "another-secret-1" not in r.text


def test_update_client_id_must_match(server):
    cid = create(server)["client_id"]
    p = is_problem(requests.put(server.adm + "/client/" + cid,
                                json={"client_id": "other"}), 400)
    assert "client_id" in p["detail"]
    r = requests.put(server.adm + "/client/" + cid,
                     json={"client_id": cid, "client_name": "same id"})
    assert r.status_code == 200, r.text


def test_update_errors(server):
    cid = create(server)["client_id"]
    url = server.adm + "/client/" + cid
    is_problem(requests.put(url, json={"redirect_uris": ["/rel"]}), 400)
    is_problem(requests.put(url, json={"redirect_uris": "https://x/"}), 400)
    is_problem(requests.put(url, json={
        "redirect_uris": ["https://a.example/cb#x"]}), 400)
    is_problem(requests.put(url, data=b"{nope", headers={
        "Content-Type": "application/json"}), 400)
    is_problem(requests.put(url, json=[1]), 400)
    # The record did not change.
    assert requests.get(url).json()["redirect_uris"] == \
        ["https://app.example.com/cb"]


def test_update_unknown_client_is_404_problem(server):
    is_problem(requests.put(server.adm + "/client/no-such-client",
                            json={"client_name": "x"}), 404)


# --- delete -----------------------------------------------------------

def test_delete(server):
    cid = create(server)["client_id"]
    r = requests.delete(server.adm + "/client/" + cid)
    assert r.status_code == 204
    assert r.content == b""
    is_problem(requests.get(server.adm + "/client/" + cid), 404)
    is_problem(requests.delete(server.adm + "/client/" + cid), 404)
    assert cid not in {c["client_id"] for c in
                       requests.get(server.adm + "/client").json()}


def test_delete_under_admin_prefix(server):
    cid = create(server)["client_id"]
    assert requests.delete(server.adm + "/admin/client/" + cid) \
        .status_code == 204
    is_problem(requests.get(server.adm + "/client/" + cid), 404)


def test_delete_unknown_client_is_404_problem(server):
    is_problem(requests.delete(server.adm + "/client/no-such-client"), 404)


# --- listeners and methods ------------------------------------------------

@pytest.mark.parametrize("method,path", [
    ("GET", "/client"), ("POST", "/client"), ("GET", "/client/x"),
    ("PUT", "/client/x"), ("DELETE", "/client/x"),
    ("GET", "/admin/client"),
])
def test_not_on_the_public_listener(server, method, path):
    body = None if method == "GET" else client_body()
    r = requests.request(method, server.pub + path, json=body)
    assert r.status_code == 404, r.text
    assert r.json()["error"] == "not_found"


def test_other_methods_are_405(server):
    r = requests.patch(server.adm + "/client", json={})
    assert r.status_code == 405
    assert "POST" in r.headers["Allow"] and "GET" in r.headers["Allow"]
    r = requests.post(server.adm + "/client/x", json={})
    assert r.status_code == 405
    assert set(a.strip() for a in r.headers["Allow"].split(",")) >= \
        {"GET", "PUT", "DELETE"}


# --- the same records through Hydra's dialect ---------------------------

def test_visible_through_hydra_clients(server):
    c = create(server, client_name="cross", contacts=["x@example.com"],
               default_max_age=30)
    cid = c["client_id"]
    for prefix in ("", "/admin"):
        r = requests.get(server.adm + prefix + "/clients/" + cid)
        assert r.status_code == 200, r.text
        h = r.json()
        assert h["client_id"] == cid
        assert h["client_name"] == "cross"
        assert h["client_uri"] == c["client_uri"]
        assert h["contacts"] == ["x@example.com"]
        assert h["redirect_uris"] == c["redirect_uris"]
        assert "client_secret" not in h
        assert c["client_secret"] not in r.text
    r = requests.get(server.adm + "/clients")
    assert r.status_code == 200
    assert cid in {x["client_id"] for x in r.json()}
    assert c["client_secret"] not in r.text


def test_update_keeps_hydra_members(server):
    r = requests.post(server.adm + "/clients", json={
        "client_name": "from hydra", "scope": "openid email",
        "redirect_uris": ["https://h.example.com/cb"],
        "metadata": {"tier": "gold"}, "skip_consent": True,
        "audience": ["https://api.example.com"],
        "token_endpoint_auth_method": "client_secret_post"})
    assert r.status_code == 201, r.text
    cid = r.json()["client_id"]
    a = requests.get(server.adm + "/client/" + cid)
    assert a.status_code == 200
    assert a.json()["client_name"] == "from hydra"
    u = requests.put(server.adm + "/client/" + cid,
                     json={"client_uri": "https://h.example.com/",
                           "default_scopes": ["openid"]})
    assert u.status_code == 200, u.text
    h = requests.get(server.adm + "/clients/" + cid).json()
    assert h["client_uri"] == "https://h.example.com/"
    assert h["client_name"] == "from hydra"
    # default_scopes is the client's scope (what it may request).
    assert h["scope"] == "openid"
    assert h["metadata"] == {"tier": "gold"}
    assert h["skip_consent"] is True
    assert h["audience"] == ["https://api.example.com"]
    assert h["token_endpoint_auth_method"] == "client_secret_post"
    assert h["redirect_uris"] == ["https://h.example.com/cb"]


def test_deleted_through_hydra_is_gone_here(server):
    cid = create(server)["client_id"]
    assert requests.delete(server.adm + "/clients/" + cid).status_code == 204
    is_problem(requests.get(server.adm + "/client/" + cid), 404)


def test_problem_body_is_json_without_generic_error_members(server):
    r = requests.get(server.adm + "/client/missing-one")
    body = json.loads(r.content)
    assert "error" not in body and "status_code" not in body


# --- the router's own errors -------------------------------------------

def test_unknown_paths_and_methods_are_problems(server):
    """404 and 405 under /client come from the router, in this dialect."""
    c = create(server)
    for path in ("/client/%s/extra" % c["client_id"], "/client/a/b/c"):
        for prefix in ("", "/admin"):
            is_problem(requests.get(server.adm + prefix + path), 404)
    r = requests.patch(server.adm + "/client/" + c["client_id"], json={})
    is_problem(r, 405)
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "PUT",
                                                   "DELETE"}
    is_problem(requests.delete(server.adm + "/client"), 405)
    # Hydra's own paths keep Hydra's shape.
    r = requests.get(server.adm + "/clients/x/y")
    assert r.status_code == 404 and "error" in r.json()


def test_admin_key_refusal_is_a_problem(tmp_path):
    from conftest import Server
    s = Server(tmp_path, env={"SECRETS_ADMIN": "k" * 32}).start()
    try:
        for path in ("/client", "/client/x", "/client/x/y"):
            r = requests.get(s.adm + path)
            is_problem(r, 401)
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
        r = requests.get(s.adm + "/client",
                         headers={"Authorization": "Bearer " + "k" * 32})
        assert r.status_code == 200
    finally:
        s.stop()


def test_clients_scope_token_manages_clients(tmp_path):
    """Authentiq's "clients" scope: an access token granted it may call
    /client instead of the admin key; nothing else of the admin API, and
    no token without the scope, and no revoked one."""
    from conftest import Server
    key = {"Authorization": "Bearer " + "k" * 32}
    s = Server(tmp_path, env={"SECRETS_ADMIN": "k" * 32}).start()
    try:
        def client(scope):
            r = requests.post(s.adm + "/clients", headers=key, json={
                "scope": scope, "grant_types": ["client_credentials"],
                "token_endpoint_auth_method": "client_secret_basic"})
            assert r.status_code == 201, r.text
            return r.json()

        def token(c, scope):
            r = requests.post(s.pub + "/token", data={
                "grant_type": "client_credentials", "scope": scope},
                auth=(c["client_id"], c["client_secret"]))
            assert r.status_code == 200, r.text
            return {"Authorization": "Bearer " + r.json()["access_token"]}

        manager = client("clients openid")
        with_scope = token(manager, "clients")
        r = requests.get(s.adm + "/client", headers=with_scope)
        assert r.status_code == 200, r.text
        r = requests.post(s.adm + "/client", headers=with_scope,
                          json=client_body())
        assert r.status_code == 201, r.text
        made = r.json()["client_id"]
        r = requests.get(s.adm + "/client/" + made, headers=with_scope)
        assert r.status_code == 200, r.text
        r = requests.delete(s.adm + "/client/" + made, headers=with_scope)
        assert r.status_code in (200, 204), r.text
        # Only /client: Hydra's paths and the rest still want the key.
        for path in ("/clients", "/admin/clients", "/keys/x"):
            r = requests.get(s.adm + path, headers=with_scope)
            assert r.status_code == 401, (path, r.text)
        # A token of the same client without the scope.
        without = token(manager, "openid")
        r = requests.get(s.adm + "/client", headers=without)
        is_problem(r, 401)
        assert 'scope="clients"' in r.headers["WWW-Authenticate"]
        assert "'clients'" in r.json()["detail"]
        # Not granted to a client whose scope lacks it.
        other = client("openid")
        r = requests.post(s.pub + "/token", data={
            "grant_type": "client_credentials", "scope": "clients"},
            auth=(other["client_id"], other["client_secret"]))
        assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
        # A token revoked is refused at once.
        r = requests.post(s.pub + "/oauth2/revoke", data={
            "token": with_scope["Authorization"][7:]},
            auth=(manager["client_id"], manager["client_secret"]))
        assert r.status_code == 200
        r = requests.get(s.adm + "/client", headers=with_scope)
        is_problem(r, 401)
        # Garbage.
        r = requests.get(s.adm + "/client",
                         headers={"Authorization": "Bearer x.y"})
        is_problem(r, 401)
    finally:
        s.stop()


# --- scopes: default_scopes, default_max_age, aq:name ----------------------

CB = "https://app.example.com/cb"
USER_CLAIMS = {"name": "Ada Lovelace", "given_name": "Ada",
               "family_name": "Lovelace", "nickname": "ada",
               "email": "ada@example.org", "email_verified": "true",
               "phone_number": "+44 20 7946 0000"}


@pytest.fixture(scope="module")
def ada(server):
    return add_user(server, "aq-" + str(time.time_ns() % 10**8),
                    claims=USER_CLAIMS)


def auth_url(server, client, scope, **params):
    p = {"client_id": client["client_id"], "response_type": "code",
         "redirect_uri": CB, "scope": scope,
         "state": "state-" + os.urandom(6).hex()}
    p.update(params)
    return server.pub + "/authorize?" + urllib.parse.urlencode(p)


def sign_in(server, client, user, scope, **params):
    """The bundled login and consent pages, every scope ticked; returns
    the final Location at the redirect URI."""
    b = Browser(server)
    r = b.follow(b.get(auth_url(server, client, scope, **params)), CB)
    assert not isinstance(r, str), r
    assert urllib.parse.urlsplit(r.url).path == "/ui/login", r.url
    r = b.follow(b.submit(r, "login", username=user[0],
                          password=user[1]), CB)
    assert not isinstance(r, str), r
    assert urllib.parse.urlsplit(r.url).path == "/ui/consent", r.url
    loc = b.follow(b.submit(r, "allow"), CB)
    assert isinstance(loc, str) and loc.startswith(CB), loc
    return loc


def exchange(server, client, code):
    r = requests.post(server.pub + "/token", data={
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": CB},
        auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 200, r.text
    return r.json()


def userinfo(server, tok):
    r = requests.get(server.pub + "/userinfo", headers={
        "Authorization": "Bearer " + tok["access_token"]})
    assert r.status_code == 200, r.text
    return r.json()


def test_default_scopes_is_the_allowed_scope(server):
    c = create(server, default_scopes=["openid", "email", "aq:name"])
    h = requests.get(server.adm + "/clients/" + c["client_id"]).json()
    assert h["scope"] == "openid email aq:name"
    # A scope outside default_scopes is refused at the authorization.
    r = requests.get(auth_url(server, c, "openid profile"),
                     allow_redirects=False)
    assert r.status_code in (302, 303), r.text
    assert qs(r.headers["Location"])["error"] == "invalid_scope"
    # Without default_scopes: the default scope, so email is refused.
    d = create(server)
    assert requests.get(server.adm + "/clients/" + d["client_id"]) \
        .json()["scope"] == "offline_access offline openid"
    r = requests.get(auth_url(server, d, "openid email"),
                     allow_redirects=False)
    assert qs(r.headers["Location"])["error"] == "invalid_scope"
    # An update sets it anew; [] is the default again.
    u = requests.put(server.adm + "/client/" + d["client_id"],
                     json={"default_scopes": ["openid", "phone"]})
    assert u.status_code == 200, u.text
    assert requests.get(server.adm + "/clients/" + d["client_id"]) \
        .json()["scope"] == "openid phone"
    u = requests.put(server.adm + "/client/" + d["client_id"],
                     json={"default_scopes": []})
    assert u.status_code == 200 and u.json()["default_scopes"] == []
    assert requests.get(server.adm + "/clients/" + d["client_id"]) \
        .json()["scope"] == "offline_access offline openid"


def test_code_flow_gets_the_email_claim(server, ada):
    c = create(server, default_scopes=["openid", "email"])
    loc = sign_in(server, c, ada, "openid email", nonce="n-aq-1")
    tok = exchange(server, c, qs(loc)["code"])
    assert set(tok["scope"].split()) == {"openid", "email"}
    claims = id_claims(server, c, tok["id_token"])
    assert claims["email"] == "ada@example.org"
    assert claims["email_verified"] is True
    assert claims["nonce"] == "n-aq-1"
    assert "name" not in claims and "phone_number" not in claims
    u = userinfo(server, tok)
    assert u["email"] == "ada@example.org" and "name" not in u


def test_aq_name_gives_the_name_claims(server, ada):
    c = create(server, default_scopes=["openid", "aq:name", "phone"])
    loc = sign_in(server, c, ada, "openid aq:name")
    tok = exchange(server, c, qs(loc)["code"])
    claims = id_claims(server, c, tok["id_token"])
    assert claims["name"] == "Ada Lovelace"
    assert claims["given_name"] == "Ada"
    assert claims["family_name"] == "Lovelace"
    for k in ("email", "phone_number", "nickname", "preferred_username"):
        assert k not in claims, k
    u = userinfo(server, tok)
    assert u["name"] == "Ada Lovelace" and "email" not in u


def test_the_documents_example_request(server, ada):
    """GET /authorize?client_id=..&response_type=code+id_token&
    scope=openid+email&redirect_uri=..&state=0123456789: the scope is
    the client's; the hybrid flow needs a nonce (OpenID Connect Core
    §3.3.2.11), which the example leaves out."""
    c = create(server, default_scopes=["openid", "email"],
               grant_types=["authorization_code", "implicit"],
               response_types=["code id_token"])
    q = ("client_id=%s&response_type=code+id_token&scope=openid+email&"
         "redirect_uri=%s&state=0123456789" %
         (urllib.parse.quote(c["client_id"], safe=""),
          urllib.parse.quote(CB, safe="")))
    r = requests.get(server.pub + "/authorize?" + q,
                     allow_redirects=False)
    assert r.status_code in (302, 303), r.text
    err = qs(r.headers["Location"])
    assert err["error"] == "invalid_request" and "nonce" in \
        err["error_description"]
    loc = sign_in(server, c, ada, "openid email",
                  response_type="code id_token", state="0123456789",
                  nonce="n-example")
    got = qs(loc)
    assert got["state"] == "0123456789"
    front = id_claims(server, c, got["id_token"])
    assert front["nonce"] == "n-example"
    tok = exchange(server, c, got["code"])
    claims = id_claims(server, c, tok["id_token"])
    assert claims["email"] == "ada@example.org"
    assert userinfo(server, tok)["email"] == "ada@example.org"


def test_admin_driven_flow_with_default_scopes(server):
    """The flow as a login and consent app drives it (flowlib)."""
    c = create(server, default_scopes=["openid", "email"])
    b = requests.Session()
    loc = go(b, auth_url(server, c, "openid email"))
    loc = go(b, accept_login(server, challenge(loc, "login")))
    ch = challenge(loc, "consent")
    r = requests.get(server.adm + "/admin/oauth2/auth/requests/consent",
                     params={"consent_challenge": ch})
    assert r.json()["requested_scope"] == ["openid", "email"]
    loc = go(b, accept_consent(server, ch, session={
        "id_token": {"email": "alice@example.org"}}))
    tok = exchange(server, c, qs(loc)["code"])
    assert id_claims(server, c, tok["id_token"])["email"] == \
        "alice@example.org"


@pytest.mark.parametrize("scope", ["aq:location", "aq:push"])
def test_scopes_without_data_are_granted_and_release_nothing(server, ada,
                                                              scope):
    """Every scope the document lists may be asked for: aq:location and
    aq:push are granted and release no claims (the provider has no
    location and no push sign-in)."""
    c = create(server, default_scopes=["openid", scope])
    loc = sign_in(server, c, ada, "openid " + scope)
    tok = exchange(server, c, qs(loc)["code"])
    assert scope in tok["scope"].split()
    claims = id_claims(server, c, tok["id_token"])
    for k in ("name", "email", "phone_number", "address", "location"):
        assert k not in claims, k
    u = userinfo(server, tok)
    assert set(u) == {"sub"}, u


@pytest.mark.parametrize("value", [[""], ["a\"b"], ["caf\u00e9"],
                                   ["x" * 3000]])
def test_bad_default_scopes(server, value):
    p = is_problem(requests.post(server.adm + "/client", json=client_body(
        default_scopes=value)), 400)
    assert "default_scopes" in p["detail"]


def test_default_max_age_applies_to_requests_without_one(server, ada):
    c = create(server, default_scopes=["openid"], default_max_age=1)
    b = Browser(server)
    r = b.follow(b.get(auth_url(server, c, "openid")), CB)
    r = b.follow(b.submit(r, "login", username=ada[0], password=ada[1],
                          remember="1"), CB)
    loc = b.follow(b.submit(r, "allow", remember="1"), CB)
    assert isinstance(loc, str) and "code=" in loc
    time.sleep(2.1)
    # The session is older than default_max_age: prompt=none fails...
    r = b.get(auth_url(server, c, "openid", prompt="none"))
    loc = b.follow(r, CB)
    assert isinstance(loc, str)
    assert qs(loc)["error"] == "login_required", loc
    # ... unless the request's own max_age allows it.
    r = b.get(auth_url(server, c, "openid", prompt="none", max_age="3600"))
    loc = b.follow(r, CB)
    assert isinstance(loc, str) and "code=" in loc, loc


# --- /authorize and /token (the public listener) -------------------------

def aq_flow(server, client, verifier_challenge=None, method="GET",
            scope="openid offline_access", **params):
    """A code flow through /authorize, the login and consent accepted
    through the admin API (flowlib); returns the code."""
    p = {"client_id": client["client_id"], "response_type": "code",
         "redirect_uri": CB, "scope": scope, "state": "0123456789"}
    if verifier_challenge is not None:
        p.update(code_challenge=verifier_challenge,
                 code_challenge_method="S256")
    p.update(params)
    b = requests.Session()
    if method == "GET":
        r = b.get(server.pub + "/authorize", params=p,
                  allow_redirects=False)
    else:
        r = b.post(server.pub + "/authorize", data=p,
                   allow_redirects=False)
    assert r.status_code in (302, 303), r.text
    loc = go(b, accept_login(server, challenge(r.headers["Location"],
                                               "login")))
    loc = go(b, accept_consent(server, challenge(loc, "consent")))
    assert loc.startswith(CB), loc
    got = qs(loc)
    assert got["state"] == "0123456789", got
    return got["code"]


def aq_client(server):
    return create(server, grant_types=["authorization_code",
                                       "refresh_token"],
                  default_scopes=["openid", "offline_access"])


def token_at(server, client, path="/token", **data):
    return requests.post(server.pub + path, data=data,
                         auth=(client["client_id"], client["client_secret"]))


def has_expires_at(tok, before, after):
    assert isinstance(tok["expires_at"], int), tok
    assert before + tok["expires_in"] - 1 <= tok["expires_at"] <= \
        after + tok["expires_in"], tok


def test_pkce_code_flow_through_authorize_and_token(server):
    c = aq_client(server)
    verifier, chal = pkce()
    code = aq_flow(server, c, chal, nonce="n-aq-pkce")
    before = int(time.time())
    r = token_at(server, c, grant_type="authorization_code", code=code,
                 redirect_uri=CB, code_verifier=verifier)
    after = int(time.time())
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "no-store"
    tok = r.json()
    # The Token schema: access_token, expires_at, expires_in, id_token,
    # refresh_token, scope, token_type.
    assert set(tok) == {"access_token", "expires_at", "expires_in",
                        "id_token", "refresh_token", "scope",
                        "token_type"}, tok
    assert tok["token_type"].lower() == "bearer"
    assert set(tok["scope"].split()) == {"openid", "offline_access"}
    has_expires_at(tok, before, after)
    claims = id_claims(server, c, tok["id_token"])
    assert claims["nonce"] == "n-aq-pkce"
    assert userinfo(server, tok)["sub"] == claims["sub"]
    # Refresh at /token: new tokens, expires_at again.
    before = int(time.time())
    r = token_at(server, c, grant_type="refresh_token",
                 refresh_token=tok["refresh_token"])
    after = int(time.time())
    assert r.status_code == 200, r.text
    fresh = r.json()
    assert fresh["access_token"] != tok["access_token"]
    assert fresh["refresh_token"] != tok["refresh_token"]
    has_expires_at(fresh, before, after)
    # The old refresh token is spent.
    r = token_at(server, c, grant_type="refresh_token",
                 refresh_token=tok["refresh_token"])
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    # The code is spent: a second redemption is invalid_grant (and
    # revokes what it gave, RFC 6749 §4.1.2).
    r = token_at(server, c, grant_type="authorization_code", code=code,
                 redirect_uri=CB, code_verifier=verifier)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_authorize_by_form_post(server):
    """The document: /authorize "also supports the POST method"."""
    c = aq_client(server)
    code = aq_flow(server, c, method="POST")
    r = token_at(server, c, grant_type="authorization_code", code=code,
                 redirect_uri=CB)
    assert r.status_code == 200, r.text
    assert r.json()["expires_at"] > time.time()


def test_codes_of_either_path_redeem_at_either(server):
    """One protocol: a code from /authorize redeems at /oauth2/token,
    Hydra's answer without expires_at."""
    c = aq_client(server)
    code = aq_flow(server, c)
    r = token_at(server, c, "/oauth2/token",
                 grant_type="authorization_code", code=code,
                 redirect_uri=CB)
    assert r.status_code == 200, r.text
    assert "expires_at" not in r.json()


def rfc6749_error(r, status, code):
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["error"] == code, body
    assert isinstance(body["error_description"], str) and \
        body["error_description"]
    return body


def test_token_errors_are_rfc6749(server):
    c = aq_client(server)
    verifier, chal = pkce()
    code = aq_flow(server, c, chal)
    # No client credentials at all.
    r = requests.post(server.pub + "/token", data={
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": CB})
    rfc6749_error(r, 401, "invalid_client")
    # A wrong secret, by Basic: 401 with a Basic challenge.
    r = requests.post(server.pub + "/token", data={
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": CB}, auth=(c["client_id"], "wrong"))
    rfc6749_error(r, 401, "invalid_client")
    assert r.headers["WWW-Authenticate"].startswith("Basic")
    # No grant_type; an unknown one.
    b = rfc6749_error(token_at(server, c, code=code), 400,
                      "invalid_request")
    assert "grant_type" in b["error_description"]
    rfc6749_error(token_at(server, c, grant_type="password",
                           username="a", password="b"), 400,
                  "unsupported_grant_type")
    # A code that was never issued; the wrong PKCE verifier.
    rfc6749_error(token_at(server, c, grant_type="authorization_code",
                           code="nope", redirect_uri=CB), 400,
                  "invalid_grant")
    rfc6749_error(token_at(server, c, grant_type="authorization_code",
                           code=code, redirect_uri=CB,
                           code_verifier=pkce()[0]), 400, "invalid_grant")
    # A repeated parameter.
    r = requests.post(server.pub + "/token",
                      data=[("grant_type", "authorization_code"),
                            ("grant_type", "authorization_code")],
                      auth=(c["client_id"], c["client_secret"]))
    rfc6749_error(r, 400, "invalid_request")
    # GET is not the token endpoint's method.
    r = requests.get(server.pub + "/token")
    assert r.status_code == 405 and "POST" in r.headers["Allow"]
    rfc6749_error(requests.get(server.pub + "/token/x"), 404, "not_found")


def test_authorize_errors(server):
    c = aq_client(server)
    # An unknown client: no redirect to an untrusted URI.
    r = requests.get(server.pub + "/authorize", params={
        "client_id": "no-such-client", "response_type": "code",
        "redirect_uri": CB, "scope": "openid", "state": "s"},
        allow_redirects=False)
    assert r.status_code in (302, 303)
    assert not r.headers["Location"].startswith(CB)
    # A scope outside default_scopes: invalid_scope to the client.
    r = requests.get(server.pub + "/authorize", params={
        "client_id": c["client_id"], "response_type": "code",
        "redirect_uri": CB, "scope": "openid email",
        "state": "0123456789"}, allow_redirects=False)
    assert r.status_code in (302, 303)
    got = qs(r.headers["Location"])
    assert got["error"] == "invalid_scope", got
    assert got["state"] == "0123456789"
    r = requests.put(server.pub + "/authorize")
    assert r.status_code == 405


def test_discovery_keeps_hydras_paths(server):
    doc = requests.get(server.pub +
                       "/.well-known/openid-configuration").json()
    assert doc["authorization_endpoint"] == server.pub + "/oauth2/auth"
    assert doc["token_endpoint"] == server.pub + "/oauth2/token"
