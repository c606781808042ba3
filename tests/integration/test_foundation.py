"""The foundation: health endpoints on both listeners, routing, errors,
bounded and strict request decoding, configuration, the data directory
and a clean shutdown, all through real lighttpd."""

import base64
import http.client
import json
import os
import stat
import subprocess

import pytest
import requests

from conftest import (BUILD, CLI, TOP, Server, raw_request, status_of)

HEALTH = os.path.join(BUILD, "cgi-bin", "health")


def get_target(base, target):
    """GET a request target exactly as written (requests would re-quote
    malformed %-escapes before sending them)."""
    host, port = base.rsplit("/", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", target)
    resp = conn.getresponse()
    r = requests.models.Response()
    r.status_code = resp.status
    r.headers = requests.structures.CaseInsensitiveDict(resp.getheaders())
    r._content = resp.read()
    conn.close()
    return r


def is_json_error(r, status, code):
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["error"] == code
    assert body["status_code"] == status
    assert body["error_description"]
    assert "error_debug" not in body
    return body


# --- health -----------------------------------------------------------

@pytest.mark.parametrize("listener", ["pub", "adm"])
def test_alive_and_ready_on_both_listeners(server, listener):
    base = getattr(server, listener)
    for path in ("/health/alive", "/health/ready"):
        r = requests.get(base + path)
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "application/json; charset=utf-8"
        assert r.json() == {"status": "ok"}


@pytest.mark.parametrize("listener", ["pub", "adm"])
def test_version(server, listener):
    r = requests.get(getattr(server, listener) + "/version")
    assert r.status_code == 200
    v = r.json()["version"]
    out = subprocess.run([CLI, "version"], capture_output=True, text=True)
    assert v == out.stdout.strip() and v


def test_admin_prefix_only_on_admin(server):
    assert requests.get(server.adm + "/admin/health/ready").json() == \
        {"status": "ok"}
    assert requests.get(server.adm + "/admin/version").status_code == 200
    is_json_error(requests.get(server.pub + "/admin/health/ready"), 404,
                  "not_found")


def test_admin_route_is_404_on_public(server):
    assert requests.get(server.adm + "/__test/admin-only").json() == \
        {"admin": True}
    assert requests.get(server.adm + "/admin/__test/admin-only") \
        .status_code == 200
    is_json_error(requests.get(server.pub + "/__test/admin-only"), 404,
                  "not_found")


def test_trailing_slash_and_head(server):
    assert requests.get(server.pub + "/health/alive/").json() == \
        {"status": "ok"}
    r = requests.head(server.pub + "/health/alive")
    assert r.status_code == 200
    assert r.content == b""
    assert r.headers["Content-Length"] == str(len('{"status":"ok"}'))


def test_cache_headers(server):
    r = requests.get(server.adm + "/health/alive")
    assert r.headers["Cache-Control"] == \
        "private, no-cache, no-store, must-revalidate"
    r = requests.get(server.pub + "/health/alive")
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


# --- routing errors ---------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/nope", "/health", "/health/x",
                                  "/clientz", "/nope/oauth2/token", "/%2e%2e/x"])
@pytest.mark.parametrize("listener", ["pub", "adm"])
def test_unknown_path_is_json_404(server, listener, path):
    is_json_error(requests.get(getattr(server, listener) + path), 404,
                  "not_found")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_wrong_method_is_405_with_allow(server, method):
    r = requests.request(method, server.pub + "/health/alive", data="x")
    body = is_json_error(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "GET, HEAD"
    assert method in body["error_description"]


def test_options_is_405(server):
    r = requests.options(server.adm + "/version")
    is_json_error(r, 405, "method_not_allowed")


# --- query, path and form decoding -------------------------------------

def test_query_decoding(server):
    r = requests.get(server.pub + "/__test/echo?a=1&b=two+words&c=%C3%A9"
                     "&a=2&empty=&flag")
    q = r.json()["query"]
    assert q == {"a": ["1", "2"], "b": ["two words"], "c": ["\u00e9"],
                 "empty": [""], "flag": [""]}


@pytest.mark.parametrize("qs", ["a=%zz", "a=%", "a=%4", "a=%00", "%00=1",
                                "a=%FF", "a=%C0%AF", "a=%ED%A0%80"])
def test_malformed_query_is_400(server, qs):
    is_json_error(get_target(server.pub, "/__test/echo?" + qs), 400,
                  "invalid_request")
    # Also on a real endpoint.
    is_json_error(get_target(server.pub, "/health/alive?" + qs), 400,
                  "invalid_request")


def test_path_parameters_are_decoded(server):
    r = requests.get(server.pub + "/__test/param/a%2Fb/c%20d")
    assert r.json() == {"a": "a/b", "b": "c d"}
    for bad in ("a%00", "a%zz", "a%FF", "%"):
        is_json_error(get_target(server.pub, f"/__test/param/{bad}/b"), 400,
                      "invalid_request")


def test_form_body(server):
    r = requests.post(server.pub + "/__test/echo",
                      data={"grant_type": "x y", "k": "\u00e9&="})
    assert r.status_code == 200
    assert r.json()["form"] == {"grant_type": ["x y"], "k": ["\u00e9&="]}


@pytest.mark.parametrize("body", [b"a=%zz", b"a=%00", b"a=1\x00b=2",
                                  b"a=\xff", b"a=%E2%82"])
def test_malformed_form_is_400(server, body):
    r = requests.post(server.pub + "/__test/echo", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    is_json_error(r, 400, "invalid_request")


def test_form_needs_its_media_type(server):
    r = requests.post(server.pub + "/__test/echo", data=b"a=1",
                      headers={"Content-Type": "text/plain"})
    body = is_json_error(r, 400, "invalid_request")
    assert "x-www-form-urlencoded" in body["error_description"]


def test_too_many_form_params(server):
    r = requests.post(server.pub + "/__test/echo",
                      data="&".join(f"p{i}=1" for i in range(500)),
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"})
    is_json_error(r, 400, "invalid_request")


# --- JSON bodies -------------------------------------------------------

def test_json_body(server):
    r = requests.post(server.pub + "/__test/echo", json={"a": [1, "b"]})
    assert r.json()["json"] == {"a": [1, "b"]}


@pytest.mark.parametrize("body", [b"{", b"{\"a\":1,\"a\":2}", b"[1]",
                                  b"{} trailing", b"", b"{\"a\":\"\xff\"}",
                                  b"{\"a\":\"\\u0000\"}", b"{}\x00",
                                  b"\"str\"", b"[" * 5000])
def test_malformed_json_is_400(server, body):
    r = requests.post(server.pub + "/__test/echo", data=body,
                      headers={"Content-Type": "application/json"})
    is_json_error(r, 400, "invalid_request")


def test_json_error_names_position(server):
    r = requests.post(server.pub + "/__test/echo", data=b'{"a": }',
                      headers={"Content-Type": "application/json"})
    body = is_json_error(r, 400, "invalid_request")
    assert "line 1" in body["error_description"]


# --- body limits -------------------------------------------------------

def test_body_over_limit_is_413(server):
    big = b"a=" + b"x" * (1024 * 1024)
    r = requests.post(server.pub + "/__test/echo", data=big, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    body = is_json_error(r, 413, "request_entity_too_large")
    assert "1048576" in body["error_description"]


def test_body_at_limit_is_read(server):
    body = b"a=" + b"x" * (1024 * 1024 - 2)
    r = requests.post(server.pub + "/__test/echo", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    assert len(r.json()["form"]["a"][0]) == 1024 * 1024 - 2


def test_413_before_the_body_is_sent(server):
    """A huge Content-Length is refused from the headers alone: the
    answer comes back although no byte of the body was ever sent."""
    req = (b"POST /__test/echo HTTP/1.1\r\nHost: x\r\n"
           b"Content-Type: application/json\r\n"
           b"Content-Length: 104857600\r\n\r\n")
    resp = raw_request(server.pub_port, req, timeout=5)
    assert status_of(resp) == 413
    assert b'"request_entity_too_large"' in resp


def test_bad_content_length(server):
    req = (b"POST /__test/echo HTTP/1.1\r\nHost: x\r\n"
           b"Content-Length: -5\r\nConnection: close\r\n\r\n")
    resp = raw_request(server.pub_port, req)
    assert 400 <= status_of(resp) < 500


# --- raw protocol abuse ------------------------------------------------

def test_overlong_header(server):
    r = requests.get(server.pub + "/health/alive",
                     headers={"X-Long": "a" * 70000})
    assert r.status_code in (400, 413, 431)
    assert requests.get(server.pub + "/health/alive").status_code == 200


def test_overlong_uri(server):
    r = requests.get(server.pub + "/__test/echo?a=" + "x" * 20000)
    assert r.status_code in (414, 431)
    assert requests.get(server.pub + "/health/alive").status_code == 200


def test_overlong_cookie_is_ignored(server):
    r = requests.get(server.pub + "/__test/echo",
                     headers={"Cookie": "a=" + "b" * 9000})
    assert r.status_code in (200, 431)
    if r.status_code == 200:
        assert r.json()["cookies"] == {}


@pytest.mark.parametrize("req", [
    b"GET /health/al\x00ive HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /health/alive HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
    b"GET /health/alive?a=\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"\x00\x01\x02\x03\r\n\r\n",
    b"GET http://evil/health/alive HTTP/1.1\r\nHost: x\r\n\r\n",
    b"BREW /health/alive HTTP/1.1\r\nHost: x\r\n\r\n",
])
def test_protocol_garbage_never_5xx(server, req):
    resp = raw_request(server.pub_port, req, shut=True)
    st = status_of(resp)
    # lighttpd itself answers 501 (unknown method) and 505 (version).
    assert st == 0 or st < 500 or st in (501, 505), resp
    assert requests.get(server.pub + "/health/alive").status_code == 200


# --- credentials and cookies -------------------------------------------

def basic(s):
    return {"Authorization": "Basic " + base64.b64encode(s).decode()}


def test_basic_auth(server):
    r = requests.get(server.pub + "/__test/echo",
                     headers=basic(b"my%20client:s%3Acret"))
    assert r.json()["basic"] == {"id": "my client", "secret_len": 6}
    r = requests.get(server.pub + "/__test/echo", auth=("id", ""))
    assert r.json()["basic"] == {"id": "id", "secret_len": 0}


@pytest.mark.parametrize("hdr", [
    "Basic !!!!", "Basic " + base64.b64encode(b"nocolon").decode(),
    "Basic " + base64.b64encode(b":secret").decode(),
    "Basic " + base64.b64encode(b"a%zz:b").decode(),
    "Basic " + base64.b64encode(b"a\x00:b").decode(),
    "Basic " + base64.b64encode(b"ab:c").decode().rstrip("="),
    "Basic", "basic  ", "Basic " + "QQ==" * 2000,
])
def test_malformed_basic_is_400(server, hdr):
    conn = http.client.HTTPConnection("127.0.0.1", server.pub_port)
    conn.putrequest("GET", "/__test/echo")
    conn.putheader("Authorization", hdr)
    conn.endheaders()
    resp = conn.getresponse()
    r = requests.models.Response()
    r.status_code = resp.status
    r.headers = requests.structures.CaseInsensitiveDict(resp.getheaders())
    r._content = resp.read()
    conn.close()
    assert r.status_code in (400, 431)
    if r.status_code == 400:
        is_json_error(r, 400, "invalid_request")


def test_cookies(server):
    r = requests.get(server.pub + "/__test/echo",
                     headers={"Cookie": 'a=1; b="quoted"; junk; =x; c=3'})
    assert r.json()["cookies"] == {"a": ["1"], "b": ["quoted"], "c": ["3"]}
    sc = r.headers["Set-Cookie"]
    assert "HttpOnly" in sc and "SameSite=Lax" in sc and "Path=/" in sc
    assert sc.startswith("echo=1;")


@pytest.mark.parametrize("header,want", [
    ("a=1; a=2; b=3", {"b": ["3"]}),
    ("a=1; b=3; a=1", {"b": ["3"]}),
    ('a="1"; a=1', {}),
    ("__Host-a=1; b=2", {"__Host-a": ["1"], "b": ["2"]}),
])
def test_cookie_sent_twice_is_absent(server, header, want):
    """A cookie name sent twice (one planted by a sibling host or
    path) is refused, not first-match: the name is absent."""
    r = requests.get(server.pub + "/__test/echo",
                     headers={"Cookie": header})
    assert r.json()["cookies"] == want


@pytest.fixture(scope="module")
def https_root(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("hostpfx"),
               conf="urls.self.issuer = https://op.example/\n").start()
    yield s
    s.stop()


def test_host_prefix_with_https_issuer_at_root(https_root):
    """RFC 6265bis __Host- cookies: set Secure with Path=/ and no
    Domain, read back under their own names; a cookie without the
    prefix (which any host of the site could plant) is ignored, and a
    name twice is absent."""
    r = requests.get(https_root.pub + "/__test/echo", headers={
        "Cookie": "__Host-a=1; b=2; __Host-c=3; c=4; __Host-=5"})
    assert r.json()["cookies"] == {"a": ["1"], "c": ["3"]}
    sc = r.headers["Set-Cookie"]
    assert sc.startswith("__Host-echo=1; Path=/;"), sc
    assert "; Secure" in sc and "Domain" not in sc
    r = requests.get(https_root.pub + "/__test/echo", headers={
        "Cookie": "__Host-a=1; __Host-a=2"})
    assert r.json()["cookies"] == {}


@pytest.mark.parametrize("issuer", ["https://op.example/sso/",
                                    "http://op.example/"])
def test_no_host_prefix_elsewhere(tmp_path, issuer):
    """Under a sub-path (Path=/ would reach other sites' paths) or on
    http (no Secure) cookies keep their names."""
    s = Server(tmp_path, conf=f"urls.self.issuer = {issuer}\n").start()
    try:
        r = requests.get(s.pub + "/__test/echo",
                         headers={"Cookie": "__Host-a=1; b=2"})
        assert r.json()["cookies"] == {"__Host-a": ["1"], "b": ["2"]}
        assert r.headers["Set-Cookie"].startswith("echo=1;")
    finally:
        s.stop()


# --- plain CGI ---------------------------------------------------------

def cgi(server, env, stdin=b""):
    e = {"PATH": "/usr/bin:/bin", "OIDCGI_DATA_DIR": server.data,
         "OIDCGI_CONFIG": server.conf, "GATEWAY_INTERFACE": "CGI/1.1",
         "SERVER_PROTOCOL": "HTTP/1.1"}
    e.update(env)
    return subprocess.run([HEALTH], env=e, input=stdin, capture_output=True,
                          timeout=10)


def test_plain_cgi(server):
    out = cgi(server, {"REQUEST_METHOD": "GET",
                       "REQUEST_URI": "/health/ready"})
    assert out.returncode == 0
    head, _, body = out.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"Status: 200 OK")
    assert json.loads(body) == {"status": "ok"}
    out = cgi(server, {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "/nope",
                       "PATH_INFO": "/x"})
    assert out.stdout.startswith(b"Status: 404 Not Found")
    out = cgi(server, {"REQUEST_METHOD": "POST",
                       "REQUEST_URI": "/version"})
    assert out.stdout.startswith(b"Status: 405")
    assert b"Allow: GET, HEAD" in out.stdout


# --- configuration and data directory ----------------------------------

def test_secret_generated_once_private(server):
    path = os.path.join(server.data, "secrets.system")
    st = os.stat(path)
    assert stat.S_IMODE(st.st_mode) == 0o600
    secret = open(path).read().strip()
    assert len(secret) >= 32
    assert secret not in server.read_log()
    # Started again, the same secret is kept.
    cgi(server, {"REQUEST_METHOD": "GET", "REQUEST_URI": "/health/alive"})
    assert open(path).read().strip() == secret


@pytest.mark.lmdb_only("LMDB's data.mdb and lock.mdb")
def test_store_files_private(server):
    for name in ("data.mdb", "lock.mdb"):
        st = os.stat(os.path.join(server.data, name))
        assert stat.S_IMODE(st.st_mode) & 0o077 == 0


@pytest.mark.parametrize("env,key", [
    ({"TTL_ACCESS_TOKEN": "5x"}, "TTL_ACCESS_TOKEN"),
    ({"URLS_SELF_ISSUER": "not a url"}, "URLS_SELF_ISSUER"),
    ({"SERVE_PUBLIC_PORT": "0"}, "SERVE_PUBLIC_PORT"),
    ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
    ({"SECRETS_SYSTEM": "shortsecret"}, "SECRETS_SYSTEM"),
])
def test_invalid_config_stops_with_key(tmp_path, env, key):
    s = Server(tmp_path, env=env)
    out = subprocess.run([os.path.join(TOP, "scripts", "serve")], env=s.env,
                         capture_output=True, text=True, timeout=20)
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0], out.stderr
    assert "shortsecret" not in out.stderr
    # The binary itself answers every request with a JSON 503 naming
    # the key (alive stays 200), and logs the same line.
    e = dict(s.env, REQUEST_METHOD="GET", REQUEST_URI="/health/ready")
    out = subprocess.run([HEALTH], env=e, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("Status: 503")
    desc = json.loads(out.stdout.split("\n\n", 1)[1])[
        "error_description"]
    assert key in desc and desc in out.stderr
    assert "shortsecret" not in out.stdout + out.stderr


def test_unknown_config_key_in_file(tmp_path):
    s = Server(tmp_path, conf="urls.loginn = http://x/\n")
    out = subprocess.run([os.path.join(TOP, "scripts", "serve")], env=s.env,
                         capture_output=True, text=True, timeout=20)
    assert out.returncode != 0
    assert "urls.loginn" in out.stderr and ":1" in out.stderr


def test_config_file_and_env_override(tmp_path):
    s = Server(tmp_path, conf="ttl.access_token = 2h\nlog.level = debug\n",
               env={"LOG_LEVEL": "warn"})
    get = lambda k: subprocess.run([CLI, "config", "get", k], env=s.env,
                                   capture_output=True, text=True).stdout
    assert get("ttl.access_token").strip() == "7200"
    assert get("log.level").strip() == "warn"
    out = subprocess.run([CLI, "config", "get", "secrets.system"],
                         env=s.env, capture_output=True, text=True)
    assert out.returncode != 0 and out.stdout == ""


def newer_format(data):
    """Stamp the store in data with a format newer than this build's."""
    dump = ("VERSION=3\nformat=print\ntype=btree\nHEADER=END\n"
            " format\n 999\nDATA=END\n")
    subprocess.run(["mdb_load", "-s", "meta", data], input=dump, text=True,
                   check=True)


@pytest.mark.lmdb_only("LMDB's format record, written with mdb_load; "
                       "test_postgres.py refuses a newer schema")
def test_newer_store_format_refused(tmp_path):
    s = Server(tmp_path)
    subprocess.run([CLI, "init"], env=s.env, check=True)
    newer_format(s.data)
    out = subprocess.run([CLI, "init"], env=s.env, capture_output=True,
                         text=True)
    assert out.returncode != 0
    assert "format" in out.stderr and "999" in out.stderr


@pytest.mark.lmdb_only("an LMDB store made unusable with mdb_load; "
                       "test_postgres.py takes the database away")
def test_ready_503_when_store_unusable(tmp_path):
    s = Server(tmp_path).start()
    try:
        assert requests.get(s.adm + "/health/ready").status_code == 200
        newer_format(s.data)
        r = requests.get(s.adm + "/health/ready")
        body = is_json_error(r, 503, "temporarily_unavailable")
        # What is wrong, in one line, in both places.
        assert body["errors"] == {"store": body["error_description"]}
        assert "store" in body["error_description"]
        assert requests.get(s.pub + "/health/alive").status_code == 200
    finally:
        assert s.stop() == []


def test_shutdown_leaves_nothing_running(tmp_path):
    s = Server(tmp_path, procs=2).start()
    # Touch every backend so all are spawned.
    for base in (s.pub, s.adm):
        requests.get(base + "/health/alive")
        requests.get(base + "/__test/echo")
    assert s.stop() == []


def test_production_lighttpd_conf_parses(tmp_path):
    """conf/lighttpd.conf, with its paths pointed here, is valid."""
    text = open(os.path.join(TOP, "conf", "lighttpd.conf")).read()
    text = (text.replace("/usr/local/libexec/oidcgi",
                         os.path.join(BUILD, "cgi-bin"))
            .replace("/run/oidcgi", str(tmp_path))
            .replace("/var/lib/oidcgi", str(tmp_path / "data")))
    conf = tmp_path / "lighttpd.conf"
    conf.write_text(text + f'server.document-root = "{tmp_path}"\n')
    out = subprocess.run(["lighttpd", "-tt", "-f", str(conf)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
