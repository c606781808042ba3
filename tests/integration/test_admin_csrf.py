"""The admin listener against a browser (issue 12, item 2): JSON bodies
only as application/json (415 otherwise, what a page could POST without
a preflight), cross-site requests (Origin, Sec-Fetch-Site) refused with
a 403 unless serve.admin.cors allows the origin, CORS preflights
answered for allowed origins, and the Host header checked against the
admin listener's names (DNS rebinding: 421)."""

import json
import os

import pytest
import requests

from conftest import Server

PREFIXES = ["", "/admin"]


def hydra_error(r, status, code):
    """r is Hydra's genericError of that status and code."""
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["error"] == code, body
    assert body["status_code"] == status
    assert body["error_description"]
    return body


def cid():
    return "csrf-" + os.urandom(6).hex()


def exists(server, client_id):
    return requests.get(server.adm + "/clients/" + client_id).status_code \
        == 200


@pytest.fixture(scope="module")
def cors(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("cors"), conf=(
        "serve.admin.cors.enabled = true\n"
        "serve.admin.cors.allowed_origins = https://console.example, "
        "http://127.0.0.1:9\n"
        "serve.admin.hosts = admin.internal, other.internal:8443\n")).start()
    yield s
    s.stop()


# --- 1. JSON bodies need their media type --------------------------------

@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("ctype", ["text/plain", "text/plain; charset=utf-8",
                                   "application/x-www-form-urlencoded",
                                   "multipart/form-data; boundary=x",
                                   None])
def test_json_body_of_another_type_is_415(server, prefix, ctype):
    """The attack of the issue: a page POSTs text/plain JSON (no
    preflight) and creates a client.  Nothing is created."""
    c = cid()
    headers = {"Content-Type": ctype} if ctype else {}
    r = requests.post(server.adm + prefix + "/clients",
                      data=json.dumps({"client_id": c}).encode(),
                      headers=headers)
    if ctype is None:
        assert "Content-Type" not in r.request.headers
    body = hydra_error(r, 415, "unsupported_media_type")
    assert "application/json" in body["error_description"]
    assert not exists(server, c)


def test_json_with_parameters_is_accepted(server):
    c = cid()
    r = requests.post(server.adm + "/clients",
                      data=json.dumps({"client_id": c}),
                      headers={"Content-Type":
                               "Application/JSON; charset=utf-8"})
    assert r.status_code == 201, r.text
    assert exists(server, c)


def test_put_and_patch_need_json(server):
    c = cid()
    assert requests.post(server.adm + "/clients",
                         json={"client_id": c}).status_code == 201
    url = server.adm + "/clients/" + c
    hydra_error(requests.put(url, data=json.dumps({"client_name": "x"}),
                             headers={"Content-Type": "text/plain"}),
                415, "unsupported_media_type")
    patch = json.dumps([{"op": "replace", "path": "/client_name",
                         "value": "patched"}])
    hydra_error(requests.patch(url, data=patch,
                               headers={"Content-Type": "text/plain"}),
                415, "unsupported_media_type")
    assert requests.get(url).json()["client_name"] == ""
    # RFC 6902's own media type is accepted on PATCH, and so is JSON.
    r = requests.patch(url, data=patch, headers={
        "Content-Type": "application/json-patch+json"})
    assert r.status_code == 200, r.text
    assert r.json()["client_name"] == "patched"
    # ... but not on POST, which takes no patch.
    hydra_error(requests.post(server.adm + "/clients",
                              data=json.dumps({"client_id": cid()}),
                              headers={"Content-Type":
                                       "application/json-patch+json"}),
                415, "unsupported_media_type")


def test_flush_body_needs_json(server):
    hydra_error(requests.post(server.adm + "/oauth2/flush",
                              data=b'{"notAfter": "2000-01-01T00:00:00Z"}',
                              headers={"Content-Type": "text/plain"}),
                415, "unsupported_media_type")
    # No body at all is still fine (Hydra's flush of everything expired).
    assert requests.post(server.adm + "/oauth2/flush").status_code == 204


def test_malformed_json_is_still_400(server):
    hydra_error(requests.post(server.adm + "/clients", data=b"{",
                              headers={"Content-Type": "application/json"}),
                400, "invalid_request")


# --- 2. cross-site requests ----------------------------------------------

@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "https://127.0.0.1:1"},
    {"Origin": "null"},
    {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
def test_cross_site_post_is_403(server, prefix, headers):
    c = cid()
    r = requests.post(server.adm + prefix + "/clients",
                      json={"client_id": c}, headers=headers)
    body = hydra_error(r, 403, "request_forbidden")
    assert "Access-Control-Allow-Origin" not in r.headers
    d = body["error_description"]
    assert ("Origin" in d or "origin" in d) if "Origin" in headers \
        else "Sec-Fetch-Site: " + headers["Sec-Fetch-Site"] in d
    assert not exists(server, c)


def test_cross_site_read_and_unknown_path_are_403(server):
    for path in ("/clients", "/keys/hydra.openid.id-token", "/nowhere"):
        hydra_error(requests.get(server.adm + path,
                                 headers={"Sec-Fetch-Site": "cross-site"}),
                    403, "request_forbidden")


@pytest.mark.parametrize("headers", [
    {"Origin": None},       # placeholder: the admin URL's own origin
    {"Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "none"},
    {},
])
def test_same_origin_and_non_browser_requests_pass(server, headers):
    if "Origin" in headers:
        headers = {"Origin": server.adm, "Sec-Fetch-Site": "same-origin"}
    c = cid()
    r = requests.post(server.adm + "/clients", json={"client_id": c},
                      headers=headers)
    assert r.status_code == 201, r.text
    assert exists(server, c)


def test_health_answers_cross_site(server):
    """Probes and version checks stay open, as they are without the
    admin key."""
    for path in ("/health/alive", "/health/ready", "/version"):
        r = requests.get(server.adm + path,
                         headers={"Origin": "http://evil.example",
                                  "Sec-Fetch-Site": "cross-site",
                                  "Host": "evil.example"})
        assert r.status_code == 200, (path, r.text)


def test_public_listener_is_not_fenced(server):
    r = requests.get(server.pub + "/.well-known/openid-configuration",
                     headers={"Origin": "http://evil.example",
                              "Sec-Fetch-Site": "cross-site",
                              "Host": "evil.example"})
    assert r.status_code == 200


def test_cors_off_refuses_preflight(server):
    r = requests.options(server.adm + "/clients", headers={
        "Origin": "https://console.example",
        "Access-Control-Request-Method": "POST"})
    hydra_error(r, 403, "request_forbidden")
    assert "Access-Control-Allow-Origin" not in r.headers


def test_cross_site_comes_before_the_admin_key(tmp_path):
    s = Server(tmp_path, conf="secrets.admin = 0123456789abcdef0123\n")
    s.start()
    try:
        key = {"Authorization": "Bearer 0123456789abcdef0123"}
        r = requests.post(s.adm + "/clients", json={},
                          headers={"Origin": "http://evil.example"})
        hydra_error(r, 403, "request_forbidden")
        r = requests.post(s.adm + "/clients", json={},
                          headers=dict(key, Origin="http://evil.example"))
        hydra_error(r, 403, "request_forbidden")
        r = requests.post(s.adm + "/clients", json={}, headers=key)
        assert r.status_code == 201
    finally:
        s.stop()


# --- CORS for allowed origins ---------------------------------------------

@pytest.mark.parametrize("prefix", PREFIXES)
def test_preflight_of_allowed_origin(cors, prefix):
    r = requests.options(cors.adm + prefix + "/clients", headers={
        "Origin": "https://console.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, Authorization"})
    assert r.status_code == 204, r.text
    assert r.headers["Access-Control-Allow-Origin"] == \
        "https://console.example"
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert r.headers["Access-Control-Allow-Headers"].lower() == \
        "content-type, authorization"
    assert "Origin" in r.headers["Vary"]
    assert not r.content


@pytest.mark.parametrize("method,headers,what", [
    ("TRACE", "", "method"),
    ("ET", "", "method"),
    ("POST", "content-type, x-evil", "x-evil"),
])
def test_preflight_asking_too_much_is_403(cors, method, headers, what):
    h = {"Origin": "https://console.example",
         "Access-Control-Request-Method": method}
    if headers:
        h["Access-Control-Request-Headers"] = headers
    r = requests.options(cors.adm + "/clients", headers=h)
    body = hydra_error(r, 403, "request_forbidden")
    assert what in body["error_description"]
    assert "Access-Control-Allow-Origin" not in r.headers


def test_allowed_origin_may_call(cors):
    c = cid()
    r = requests.post(cors.adm + "/clients", json={"client_id": c},
                      headers={"Origin": "https://console.example",
                               "Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 201, r.text
    assert r.headers["Access-Control-Allow-Origin"] == \
        "https://console.example"
    assert "Origin" in r.headers["Vary"]
    assert "Content-Type" in r.headers["Access-Control-Expose-Headers"]
    # The default port is the origin's own: :443 names the same one.
    r = requests.get(cors.adm + "/clients/" + c,
                     headers={"Origin": "https://Console.Example:443"})
    assert r.status_code == 200
    r = requests.get(cors.adm + "/clients/" + c,
                     headers={"Origin": "http://127.0.0.1:9"})
    assert r.status_code == 200


@pytest.mark.parametrize("origin", ["https://other.example",
                                    "http://console.example",
                                    "https://console.example:8443",
                                    "https://evil.console.example"])
def test_other_origins_stay_refused(cors, origin):
    r = requests.post(cors.adm + "/clients", json={"client_id": cid()},
                      headers={"Origin": origin})
    body = hydra_error(r, 403, "request_forbidden")
    assert "serve.admin.cors.allowed_origins" in body["error_description"]
    r = requests.options(cors.adm + "/clients", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST"})
    hydra_error(r, 403, "request_forbidden")


def test_any_origin(tmp_path):
    s = Server(tmp_path, conf="serve.admin.cors.enabled = true\n"
               "serve.admin.cors.allowed_origins = *\n").start()
    try:
        r = requests.get(s.adm + "/clients",
                         headers={"Origin": "https://x.example"})
        assert r.status_code == 200
        assert r.headers["Access-Control-Allow-Origin"] == \
            "https://x.example"
    finally:
        s.stop()


# --- 3. DNS rebinding: the Host header --------------------------------------

@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example",
                                  "127.0.0.1.nip.io:{port}",
                                  "localhost.evil.example:{port}",
                                  "admin.internal:{port}"])
def test_foreign_host_is_421(server, host):
    host = host.format(port=server.adm_port)
    for path in ("/clients", "/admin/clients", "/nowhere"):
        r = requests.get(server.adm + path, headers={"Host": host})
        body = hydra_error(r, 421, "invalid_request")
        assert "Host" in body["error_description"]
        assert "serve.admin.hosts" in body["error_description"]
    r = requests.post(server.adm + "/clients", json={"client_id": cid()},
                      headers={"Host": host})
    hydra_error(r, 421, "invalid_request")


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}",
                                  "LOCALHOST:{port}", "[::1]:{port}",
                                  "127.0.0.1", "localhost", "127.0.0.2:1",
                                  "localhost:8080"])
def test_own_and_loopback_hosts_pass(server, host):
    """Loopback names pass with any port: a browser sends one only when
    asked for that name, which no other site can rebind, and a local
    proxy in front of the listener may listen on another port."""
    r = requests.get(server.adm + "/clients",
                     headers={"Host": host.format(port=server.adm_port)})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("host,status", [
    ("admin.internal", 200), ("admin.internal:1234", 200),
    ("other.internal:8443", 200), ("other.internal:8444", 421),
    ("other.internal", 421), ("evil.example", 421)])
def test_configured_hosts(cors, host, status):
    r = requests.get(cors.adm + "/clients", headers={"Host": host})
    assert r.status_code == status, r.text


def test_admin_url_host(tmp_path):
    s = Server(tmp_path, conf="urls.self.admin = https://admin.example.org/"
               "\n")
    s.start()
    try:
        for host, status in (("admin.example.org", 200),
                             ("admin.example.org:443", 200),
                             ("Admin.Example.Org", 200),
                             ("admin.example.org:4445", 421),
                             ("example.org", 421)):
            r = requests.get(s.adm + "/clients", headers={"Host": host})
            assert r.status_code == status, (host, r.text)
        # Its origin is the admin API's own.
        r = requests.post(s.adm + "/clients", json={},
                          headers={"Host": "admin.example.org",
                                   "Origin": "https://admin.example.org"})
        assert r.status_code == 201, r.text
    finally:
        s.stop()


def test_any_host(tmp_path):
    s = Server(tmp_path, conf="serve.admin.hosts = *\n").start()
    try:
        r = requests.get(s.adm + "/clients",
                         headers={"Host": "anything.example"})
        assert r.status_code == 200
        # The cross-site fence still stands.
        hydra_error(requests.get(s.adm + "/clients", headers={
            "Host": "anything.example", "Sec-Fetch-Site": "cross-site"}),
            403, "request_forbidden")
    finally:
        s.stop()
