"""Authentiq Connect's client management (/client) on the admin
listener: the Client object, RFC 7807 problem details, the Location of a
new client, partial updates that keep the rest of a record, and the same
records seen through Hydra's /clients."""

import json

import pytest
import requests

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
    assert h["scope"] == "openid email"
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
