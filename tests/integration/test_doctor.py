"""oidcgi doctor PUBLIC_URL ADMIN_URL: a deployment checked from outside.

A good lighttpd deployment passes every check; a small HTTP proxy in
front of it breaks one thing at a time (drops the Authorization header,
serves the admin API on the public URL, answers /ui/ itself, serves the
configuration file) and doctor must fail exactly that check, naming the
fix.  A server whose issuer is another URL fails the discovery check, and
a data directory with a file of another owner fails the local check."""

import http.client
import http.server
import os
import shutil
import subprocess
import threading

import pytest

from conftest import CLI, Server, free_port

ADMIN_PREFIXES = ("/admin/", "/clients", "/keys/", "/oauth2/auth/requests/")
KNOWN_PREFIXES = ("/health/", "/version", "/.well-known/", "/oauth2/",
                  "/userinfo", "/ui/", "/connect/", "/authorize", "/token")
HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection",
       "upgrade", "te", "trailer"}


def doctor(env, pub, adm, *extra):
    """Run doctor; return (exit status, lines by verdict, all output)."""
    out = subprocess.run([CLI, "doctor", pub, adm, *extra], env=env,
                         capture_output=True, text=True, timeout=120)
    lines = out.stdout.splitlines()
    by = {"ok": [], "warn": [], "FAIL": []}
    for l in lines[:-1]:
        tag = l.split(" ", 1)[0]
        assert tag in by, l
        by[tag].append(l)
    return out.returncode, by, out.stdout + out.stderr


class Proxy:
    """A forwarding HTTP proxy on a free loopback port.  mode picks what
    it breaks: "pass" (nothing), "drop-auth" (the Authorization header),
    "admin-on-public" (admin paths go to the admin listener), "no-ui"
    (/ui/ answered by the proxy's own HTML 404), "serve-conf"
    (/oidcgi.conf answered with the configuration file), "no-fallback"
    (paths no binary claims answered by an HTML 404), "small-limit"
    (bodies over 128 KiB answered with an HTML 500, as mod_fcgid's
    default FcgidMaxRequestLen does)."""

    def __init__(self, port, public_port, admin_port, conf_text=""):
        self.mode = "pass"
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def reply(self, status, ctype, body):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def forward(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                path = self.path
                if proxy.mode == "no-ui" and path.startswith("/ui/"):
                    return self.reply(404, "text/html", b"<html><body>"
                                      b"<h1>404 Not Found</h1></body></html>")
                if proxy.mode == "no-fallback" and not path.startswith(
                        KNOWN_PREFIXES):
                    return self.reply(404, "text/html", b"<html><body>"
                                      b"<h1>404 Not Found</h1></body></html>")
                if proxy.mode == "small-limit" and n > 131072:
                    return self.reply(500, "text/html", b"<html><body>"
                                      b"<h1>Internal Server Error</h1>"
                                      b"</body></html>")
                if proxy.mode == "serve-conf" and path == "/oidcgi.conf":
                    return self.reply(200, "text/plain",
                                      conf_text.encode())
                port = public_port
                if (proxy.mode == "admin-on-public" and
                        path.startswith(ADMIN_PREFIXES)):
                    port = admin_port
                hdrs = {k: v for k, v in self.headers.items()
                        if k.lower() not in HOP}
                if proxy.mode == "drop-auth":
                    hdrs = {k: v for k, v in hdrs.items()
                            if k.lower() != "authorization"}
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                try:
                    c.request(self.command, path, body=body, headers=hdrs)
                    r = c.getresponse()
                    data = r.read()
                    self.send_response(r.status)
                    for k, v in r.getheaders():
                        if k.lower() not in HOP and \
                                k.lower() != "content-length":
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    c.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = forward

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port),
                                                     Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """A server whose issuer is the URL of a proxy in front of it, with
    an admin key; yields (server, proxy, key)."""
    tmp = tmp_path_factory.mktemp("doctor")
    port = free_port()
    key = "doctor-test-admin-key-0123456789"
    conf = (f"urls.self.issuer = http://127.0.0.1:{port}/\n"
            f"secrets.admin = {key}\n")
    s = Server(tmp, conf=conf).start()
    p = Proxy(port, s.pub_port, s.adm_port, conf)
    yield s, p, key
    p.stop()
    s.stop()


@pytest.fixture
def proxy(proxied):
    s, p, key = proxied
    p.mode = "pass"
    yield p
    p.mode = "pass"


def test_good_deployment_passes(server):
    rc, by, out = doctor(server.env, server.pub, server.adm)
    assert rc == 0, out
    assert by["FAIL"] == [] and by["warn"] == [], out
    text = "\n".join(by["ok"])
    for what in ("public GET /health/ready", "public POST /oauth2/token",
                 "public GET /ui/login", "admin GET /admin/clients",
                 "admin GET /admin/oauth2/auth/requests/login",
                 "discovery: the issuer is " + server.pub + "/",
                 "the Authorization header reaches the public binaries",
                 "no admin path answers", "oidcgi.conf is not served",
                 "body limit: bodies up to 1048576 bytes reach oidcgi; a "
                 "larger one is oidcgi's JSON 413",
                 "local: the data directory " + os.path.realpath(server.data),
                 "local: every file in"):
        assert what in text, (what, out)
    assert out.splitlines()[-1].endswith(" 0 warnings, 0 failed")


def test_good_deployment_through_proxy_with_admin_key(proxied, proxy):
    s, p, key = proxied
    rc, by, out = doctor(s.env, p.url, s.adm, "--admin-key", key)
    assert rc == 0, out
    assert by["FAIL"] == [] and by["warn"] == [], out
    assert any("admin key: accepted" in l for l in by["ok"]), out
    assert any("refuses requests without it" in l for l in by["ok"]), out


def test_admin_key_from_file_and_without_key(proxied, proxy, tmp_path):
    s, p, key = proxied
    f = tmp_path / "key"
    f.write_text(key + "\n")
    rc, by, out = doctor(s.env, p.url, s.adm, "--admin-key-file", str(f))
    assert rc == 0 and any("admin key: accepted" in l for l in by["ok"]), out
    assert key not in out
    # Without a key, the admin API's 401s are oidcgi's and expected.
    rc, by, out = doctor(s.env, p.url, s.adm)
    assert rc == 0, out
    assert any("admin GET /admin/clients: 401 from oidcgi" in l
               for l in by["ok"]), out


def test_wrong_admin_key_fails(proxied, proxy):
    s, p, key = proxied
    rc, by, out = doctor(s.env, p.url, s.adm, "--admin-key", "not-the-key")
    assert rc == 1, out
    assert any(l.startswith("FAIL admin key: ") and "refuses it (401)" in l
               and "secrets.admin" in l for l in by["FAIL"]), out
    assert "not-the-key" not in out


def test_authorization_dropped_names_cgipassauth(proxied, proxy):
    s, p, key = proxied
    proxy.mode = "drop-auth"
    rc, by, out = doctor(s.env, p.url, s.adm)
    assert rc == 1, out
    assert len(by["FAIL"]) == 1, out
    line = by["FAIL"][0]
    assert line.startswith("FAIL authorization: the Authorization header "
                           "does not reach"), out
    assert "CGIPassAuth On" in line and "fastcgi_param HTTP_AUTHORIZATION" \
        in line, out


def test_authorization_dropped_on_admin(proxied, proxy):
    """Both listeners behind the header-dropping proxy, with the key: the
    admin key check fails too, and says why."""
    s, p, key = proxied
    proxy.mode = "drop-auth"
    q = Proxy(free_port(), s.adm_port, s.adm_port)
    q.mode = "drop-auth"
    try:
        rc, by, out = doctor(s.env, p.url, q.url, "--admin-key", key)
    finally:
        q.stop()
    assert rc == 1, out
    fails = sorted(l.split(":")[0] for l in by["FAIL"])
    # The introspection endpoint names the admin listener, not the proxy.
    assert fails == ["FAIL admin key", "FAIL authorization",
                     "FAIL discovery"], out
    assert any(l.startswith("FAIL admin key: refused, and the "
                            "Authorization header does not reach")
               for l in by["FAIL"]), out


def test_admin_api_on_public_listener_fails(proxied, proxy):
    s, p, key = proxied
    proxy.mode = "admin-on-public"
    rc, by, out = doctor(s.env, p.url, s.adm)
    assert rc == 1, out
    assert by["FAIL"], out
    for l in by["FAIL"]:
        assert l.startswith("FAIL public: GET /") and \
            "the admin API is on the public listener" in l, out
    # The server has an admin key: the admin API answers 401 there.
    assert any("GET /admin/clients answers 401" in l for l in by["FAIL"])
    assert any("GET /clients answers 401" in l for l in by["FAIL"])


def test_open_admin_api_on_public_listener_fails(server, tmp_path):
    """Without secrets.admin, the admin API answers 200 on the public
    URL."""
    p = Proxy(free_port(), server.pub_port, server.adm_port)
    p.mode = "admin-on-public"
    try:
        rc, by, out = doctor(server.env, p.url, server.adm)
    finally:
        p.stop()
    assert rc == 1, out
    assert any(l.startswith("FAIL public: GET /admin/clients answers 200: "
                            "the admin API is on the public listener")
               for l in by["FAIL"]), out


def test_server_html_instead_of_binary_names_the_route(proxied, proxy):
    s, p, key = proxied
    proxy.mode = "no-ui"
    rc, by, out = doctor(s.env, p.url, s.adm)
    assert rc == 1, out
    assert by["FAIL"] == [
        "FAIL public GET /ui/login answers 404 text/html, not oidcgi: "
        "route /ui/ on the public listener to the ui binary"], out


def test_unknown_paths_not_routed_warns(proxied, proxy):
    s, p, key = proxied
    proxy.mode = "no-fallback"
    rc, by, out = doctor(s.env, p.url, s.adm)
    assert rc == 0, out
    assert by["warn"] == [
        "warn public GET /oidcgi-doctor-no-such-path answers 404 text/html, "
        "not oidcgi: route every other path of the public listener to the "
        "oauth2 binary for oidcgi's JSON 404 there"], out


def test_served_configuration_fails(proxied, proxy):
    s, p, key = proxied
    proxy.mode = "serve-conf"
    rc, by, out = doctor(s.env, p.url, s.adm)
    assert rc == 1, out
    assert len(by["FAIL"]) == 1, out
    assert by["FAIL"][0].startswith("FAIL configuration: GET /oidcgi.conf "
                                    "serves the configuration file"), out


def test_web_server_body_limit_below_oidcgis_fails(proxied, proxy):
    s, p, key = proxied
    proxy.mode = "small-limit"
    rc, by, out = doctor(s.env, p.url, s.adm)
    assert rc == 1, out
    assert by["FAIL"] == [
        "FAIL body limit: a body of 1048576 bytes (serve.request_body_max) "
        "answers 500 text/html, not oidcgi: raise the web server's limit "
        "above 1048576 (Apache mod_fcgid: FcgidMaxRequestLen; Apache: "
        "LimitRequestBody; nginx: client_max_body_size)"], out


def test_wrong_issuer_fails(proxied):
    """The server's issuer is the proxy's URL: asked about the server's
    own URL, doctor names urls.self.issuer."""
    s, p, key = proxied
    rc, by, out = doctor(s.env, s.pub, s.adm)
    assert rc == 1, out
    assert by["FAIL"], out
    for l in by["FAIL"]:
        assert l.startswith("FAIL discovery: ") and \
            f"set urls.self.issuer = {s.pub}/ in the configuration" in l, out
    assert any(f"the issuer is {p.url}/, not {s.pub}/" in l
               for l in by["FAIL"]), out
    # The local configuration names another issuer: said, not failed.
    assert any(l.startswith("warn local: ") and "names the issuer" in l
               for l in by["warn"]), out


def test_nothing_listening_fails(server):
    port = free_port()
    rc, by, out = doctor(server.env, f"http://127.0.0.1:{port}/",
                         server.adm)
    assert rc == 1, out
    assert by["FAIL"][0].startswith(
        "FAIL public GET /health/alive: "), out
    assert "is the web server running" in by["FAIL"][0], out


def test_usage_errors(server):
    for args in ([], [server.pub], ["ftp://x/", server.adm],
                 [server.pub, server.adm, "--admin-key"],
                 [server.pub + "?a=b", server.adm]):
        out = subprocess.run([CLI, "doctor", *args], env=server.env,
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 2, (args, out.stderr)
        assert out.stdout == ""


def test_data_directory_owner_and_mode(server, tmp_path):
    """A data directory with a root-made file (LMDB's data.mdb; on
    PostgreSQL, where the store is not in it, secrets.system) in a
    directory of another owner: FAIL naming chown -R; group access:
    warn chmod 700; under a public_html folder: warn."""
    data = tmp_path / "public_html" / "data"
    shutil.copytree(server.data, data, symlinks=True,
                    ignore=shutil.ignore_patterns("run", "*.sock*"))
    os.chmod(data, 0o750)
    for root, dirs, files in os.walk(data):
        for n in dirs + files:
            os.lchown(os.path.join(root, n), 65534, 65534)
    os.lchown(data, 65534, 65534)
    made = "data.mdb" if server.dsn is None else "secrets.system"
    os.chown(data / made, 0, 0)
    env = dict(server.env, OIDCGI_DATA_DIR=str(data))
    rc, by, out = doctor(env, server.pub, server.adm)
    assert rc == 1, out
    real = os.path.realpath(data)
    assert len(by["FAIL"]) == 1, out
    assert by["FAIL"][0].startswith(f"FAIL local: 1 file in {real} is not "
                                    "owned by "), out
    assert f"({real}/{made} belongs to root)" in by["FAIL"][0], out
    assert by["FAIL"][0].endswith(f": chown -R {by['FAIL'][0].split()[10]} "
                                  f"{real}"), out
    assert any("mode 0750, open to group or others: chmod 700" in l
               for l in by["warn"]), out
    assert any("seems to be under a document root" in l and "public_html"
               in l for l in by["warn"]), out
    # Put right, the same directory passes the local checks.
    os.chown(data / made, 65534, 65534)
    os.chmod(data, 0o700)
    os.rename(tmp_path / "public_html", tmp_path / "private")
    env["OIDCGI_DATA_DIR"] = str(tmp_path / "private" / "data")
    rc, by, out = doctor(env, server.pub, server.adm)
    assert rc == 0 and by["warn"] == [], out


def test_no_suexec_warned(server, tmp_path):
    """A configuration beside the binaries in a document root, owned by
    the site's user, with a data directory of another user: the web
    server runs the site's CGI programs as that user, as it runs every
    other site's scripts (no suexec): warn."""
    data = tmp_path / "private" / "data"
    shutil.copytree(server.data, data, symlinks=True,
                    ignore=shutil.ignore_patterns("run", "*.sock*"))
    for root, dirs, files in os.walk(data):
        for n in dirs + files:
            os.lchown(os.path.join(root, n), 65534, 65534)
    os.lchown(data, 65534, 65534)
    conf = tmp_path / "public_html" / "sso" / "cgi-bin" / "oidcgi.conf"
    conf.parent.mkdir(parents=True)
    shutil.copy(server.conf, conf)
    env = dict(server.env, OIDCGI_DATA_DIR=str(data), OIDCGI_CONFIG=str(conf))
    rc, by, out = doctor(env, server.pub, server.adm)
    warned = [l for l in by["warn"] if "(no suexec)" in l]
    assert len(warned) == 1 and str(conf) in warned[0], out
    # Under suexec the site's files and the store have one owner.
    os.chown(conf, 65534, 65534)
    rc, by, out = doctor(env, server.pub, server.adm)
    assert not any("(no suexec)" in l for l in by["warn"]), out


def test_missing_data_directory_fails(server, tmp_path):
    env = dict(server.env, OIDCGI_DATA_DIR=str(tmp_path / "nope"))
    rc, by, out = doctor(env, server.pub, server.adm)
    assert rc == 1, out
    assert by["FAIL"] == [
        f"FAIL local: the data directory {tmp_path}/nope does not exist: "
        "create it with \"oidcgi init --user USER\" run as root, USER "
        "being the user the web server runs the binaries as"], out


def test_unavailable_store_is_said_once_per_listener(tmp_path):
    """Binaries that cannot open their data directory answer JSON 503
    (health/alive 200): doctor names the reason once per listener and
    still shows that every path reaches oidcgi."""
    s = Server(tmp_path, env={
        "OIDCGI_WRAP": "env OIDCGI_DATA_DIR=/nonexistent/oidcgi-data"})
    s.start()
    try:
        rc, by, out = doctor(s.env, s.pub, s.adm)
    finally:
        s.stop()
    assert rc == 1, out
    assert [l.split(":")[0] for l in by["FAIL"]] == [
        "FAIL public GET /health/ready", "FAIL admin GET /admin/health/ready"
    ], out
    for l in by["FAIL"]:
        assert "oidcgi is unavailable, 503: " in l and \
            "/nonexistent/oidcgi-data" in l, out
    assert any(l == "ok   public GET /ui/login: routed to oidcgi (503, "
               "unavailable as above)" for l in by["ok"]), out
