"""A deployment as its operator makes it, run as plain CGI (each request
one process, as a shared host runs it): what the binaries answer when
the deployment is broken, the variables Apache renames, an issuer under
a sub-path, and the data directory's owner.  The web servers themselves
are in test_apache.py, test_nginx.py and test_lighttpd_conf.py."""

import json
import os
import pathlib
import pwd
import shutil
import subprocess
import tempfile
import time

import pytest

import fcgi
from conftest import BUILD, CLI

BINARIES = ("health", "oauth2", "wellknown", "clients", "flow", "keys",
            "register", "ui")
WWW = "www-data"
ADMIN_KEY = "an-admin-key-of-32-bytes-or-more"
pytestmark = pytest.mark.lmdb_only(
    "a deployment test: what it runs has data directories of its own, "
    "never the test database, so it would only repeat the LMDB pass")


def cgi(binary, uri, method="GET", body=b"", user=None, **env):
    """Run one binary as plain CGI; returns (status, headers, body, log)."""
    e = {"PATH": "/usr/bin:/bin", "GATEWAY_INTERFACE": "CGI/1.1",
         "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_METHOD": method,
         "REQUEST_URI": uri, "CONTENT_LENGTH": str(len(body))}
    if body:
        e["CONTENT_TYPE"] = "application/json"
    e.update(env)
    cmd = [os.path.join(BUILD, "cgi-bin", binary)]
    if user is not None:
        cmd = ["setpriv", "--reuid", user, "--regid", user,
               "--clear-groups"] + cmd
    out = subprocess.run(cmd, env=e, input=body, capture_output=True,
                         timeout=20)
    head, _, payload = out.stdout.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0].startswith("Status: "), out.stdout
    status = int(lines[0].split()[1])
    headers = dict(l.split(": ", 1) for l in lines[1:])
    return status, headers, payload, out.stderr.decode()


def cli(*args, env=None):
    e = {"PATH": "/usr/bin:/bin"}
    e.update(env or {})
    return subprocess.run([CLI] + list(args), env=e, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def site():
    """A configuration file and a data directory path in a folder of
    /tmp that the web server's user can reach (pytest's own are 0700)."""
    tmp_path = pathlib.Path(tempfile.mkdtemp(prefix="oidcgi-site."))
    os.chmod(tmp_path, 0o755)
    conf = tmp_path / "oidcgi.conf"
    conf.write_text("urls.self.issuer = https://example.org/sso/\n"
                    "urls.self.admin = https://example.org/sso/\n"
                    f"secrets.admin = {ADMIN_KEY}\n"
                    "dsn = data\n")
    yield tmp_path
    shutil.rmtree(tmp_path)


def test_missing_configuration_is_a_json_503_everywhere(tmp_path):
    for b in BINARIES:
        st, h, body, log = cgi(b, "/oauth2/token", "POST", b"{}",
                               OIDCGI_CONFIG=str(tmp_path / "nope.conf"))
        assert st == 503, (b, body)
        assert h["Content-Type"].startswith("application/json")
        j = json.loads(body)
        assert j["error"] == "temporarily_unavailable"
        want = f"OIDCGI_CONFIG: {tmp_path}/nope.conf: No such file"
        assert j["error_description"].startswith(want)
        # The same line is in the web server's error log (stderr).
        assert want in log
    # The process is alive, and ready says why it is not ready.
    st, _, body, _ = cgi("health", "/health/alive",
                         OIDCGI_CONFIG=str(tmp_path / "nope.conf"))
    assert st == 200 and json.loads(body) == {"status": "ok"}
    st, _, body, _ = cgi("health", "/health/ready",
                         OIDCGI_CONFIG=str(tmp_path / "nope.conf"))
    assert st == 503 and "nope.conf" in json.loads(body)["error_description"]


def test_bad_value_is_named(tmp_path):
    conf = tmp_path / "oidcgi.conf"
    conf.write_text("ttl.access_token = soon\n")
    st, _, body, log = cgi("oauth2", "/.well-known/openid-configuration",
                           OIDCGI_CONFIG=str(conf),
                           OIDCGI_DATA_DIR=str(tmp_path / "d"))
    assert st == 503
    desc = json.loads(body)["error_description"]
    assert desc == f'{conf}:1: ttl.access_token: "soon" is not a ' \
        "duration (e.g. 1h, 30m, 3600s)"
    assert desc in log


def test_root_owned_data_directory_names_the_fix(site):
    # The trap: oidcgi init run as root makes a data directory the web
    # server's user cannot read.
    env = {"OIDCGI_CONFIG": str(site / "oidcgi.conf")}
    r = cli("init", env=env)
    assert r.returncode == 0, r.stderr
    assert "belongs to root" in r.stderr and "--user" in r.stderr
    st, _, body, log = cgi("health", "/sso/health/ready", user=WWW, **env)
    assert st == 503
    desc = json.loads(body)["error_description"]
    assert "Permission denied" in desc
    assert "oidcgi init --user www-data" in desc
    assert desc in log
    st, _, body, _ = cgi("clients", "/sso/admin/clients", user=WWW,
                         OIDCGI_LISTENER="admin", **env)
    assert st == 503 and "init --user" in json.loads(body)[
        "error_description"]
    # init --user gives the directory and what it holds to the user.
    r = cli("init", "--user", WWW, env=env)
    assert r.returncode == 0, r.stderr
    uid = pwd.getpwnam(WWW).pw_uid
    for name in ["."] + os.listdir(site / "data"):
        assert os.stat(site / "data" / name).st_uid == uid, name
    st, _, body, _ = cgi("health", "/sso/health/ready", user=WWW, **env)
    assert st == 200, body


def test_root_commands_keep_the_owner(site):
    env = {"OIDCGI_CONFIG": str(site / "oidcgi.conf")}
    assert cli("init", "--user", WWW, env=env).returncode == 0
    uid = pwd.getpwnam(WWW).pw_uid
    os.unlink(site / "data" / "lock.mdb")
    r = subprocess.run([CLI, "users", "add", "alice"], input="pw-alice-1\n",
                       env=dict(env, PATH="/usr/bin:/bin"),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    for name in os.listdir(site / "data"):
        assert os.stat(site / "data" / name).st_uid == uid, name
    # The web server's user reads what root wrote.
    st, _, body, _ = cgi("clients", "/sso/admin/clients", user=WWW,
                         OIDCGI_LISTENER="admin",
                         HTTP_AUTHORIZATION="Bearer " + ADMIN_KEY, **env)
    assert st == 200, body


def test_init_user_refused_for_others(site):
    env = {"OIDCGI_CONFIG": str(site / "oidcgi.conf")}
    r = cli("init", "--user", "no-such-user-here", env=env)
    assert r.returncode == 1
    assert "no such user" in r.stderr
    assert not os.path.exists(site / "data")


def test_init_user_unreachable(tmp_path):
    # pytest's folders are 0700 root: www-data cannot reach inside.
    conf = tmp_path / "oidcgi.conf"
    conf.write_text("dsn = data\n")
    r = cli("init", "--user", WWW, env={"OIDCGI_CONFIG": str(conf)})
    assert r.returncode == 1
    assert f"www-data cannot reach {tmp_path}/data" in r.stderr
    assert "searchable" in r.stderr


def test_configuration_beside_the_binaries(tmp_path):
    # suexec passes no OIDCGI_* variable: a shared host keeps
    # oidcgi.conf beside the binaries, naming the data directory.
    bindir = tmp_path / "cgi-bin"
    bindir.mkdir()
    shutil.copy(os.path.join(BUILD, "cgi-bin", "wellknown"), bindir)
    (bindir / "oidcgi.conf").write_text(
        "urls.self.issuer = https://example.org/sso/\n"
        f"dsn = {tmp_path}/private\n")
    out = subprocess.run(
        [str(bindir / "wellknown")], cwd=str(bindir),
        env={"PATH": "/usr/bin:/bin", "GATEWAY_INTERFACE": "CGI/1.1",
             "REQUEST_METHOD": "GET",
             "REQUEST_URI": "/sso/.well-known/openid-configuration"},
        capture_output=True, timeout=20)
    head, _, body = out.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"Status: 200"), out.stdout + out.stderr
    d = json.loads(body)
    assert d["issuer"] == "https://example.org/sso/"
    assert d["token_endpoint"] == "https://example.org/sso/oauth2/token"
    assert os.path.exists(tmp_path / "private" / "data.mdb")


def test_data_directory_inside_document_root_refused(tmp_path):
    docroot = tmp_path / "public_html"
    (docroot / "sso").mkdir(parents=True)
    conf = tmp_path / "oidcgi.conf"
    conf.write_text(f"dsn = {docroot}/sso/data\n")
    env = {"OIDCGI_CONFIG": str(conf)}
    st, _, body, log = cgi("oauth2", "/oauth2/token", "POST",
                           DOCUMENT_ROOT=str(docroot) + "/", **env)
    assert st == 503
    desc = json.loads(body)["error_description"]
    assert "inside the web server's document root" in desc
    assert f"{docroot}/sso/data" in desc and desc in log
    # Apache's CONTEXT_DOCUMENT_ROOT (an Alias) counts too.
    st, _, body, _ = cgi("oauth2", "/oauth2/token", "POST",
                         DOCUMENT_ROOT="/var/www/html",
                         CONTEXT_DOCUMENT_ROOT=str(docroot / "sso"), **env)
    assert st == 503
    # Outside it (a sibling whose name starts the same), it serves.
    conf.write_text(f"dsn = {tmp_path}/public_html2\n")
    st, _, body, _ = cgi("oauth2", "/oauth2/token", "POST",
                         DOCUMENT_ROOT=str(docroot), **env)
    assert st == 400 and json.loads(body)["error"] == "invalid_request"


def test_sub_path_issuer(site):
    env = {"OIDCGI_CONFIG": str(site / "oidcgi.conf")}
    st, _, body, _ = cgi("health", "/sso/health/alive", **env)
    assert st == 200
    st, _, body, _ = cgi("health", "/sso", **env)
    assert st == 404 and json.loads(body)["error"] == "not_found"
    # Outside the issuer's path, paths are served as they are (a proxy
    # in front may have taken the path off, as with Hydra).
    st, _, body, _ = cgi("health", "/health/alive", **env)
    assert st == 200
    st, _, body, _ = cgi("oauth2", "/ssox/oauth2/token", "POST", **env)
    assert st == 404 and json.loads(body)["error"] == "not_found"
    d = json.loads(cgi("wellknown", "/sso/.well-known/openid-configuration",
                       **env)[2])
    assert d["issuer"] == "https://example.org/sso/"
    for k in ("authorization_endpoint", "token_endpoint", "jwks_uri",
              "userinfo_endpoint", "end_session_endpoint"):
        assert d[k].startswith("https://example.org/sso/"), k
    # The admin API under the admin URL's path, 2.x paths under /admin;
    # its links (Link, Location) name the whole base.
    auth = {"HTTP_AUTHORIZATION": "Bearer " + ADMIN_KEY,
            "OIDCGI_LISTENER": "admin"}
    st, h, body, _ = cgi("clients", "/sso/admin/clients", "POST",
                         json.dumps({"client_id": "c1"}).encode(),
                         **auth, **env)
    assert st == 201, body
    st, h, body, _ = cgi("clients", "/sso/admin/clients?page_size=1",
                         **auth, **env)
    assert st == 200 and "</sso/admin/clients?page_size=1" in h["Link"]
    st, _, body, _ = cgi("clients", "/sso/clients/c1", **auth, **env)
    assert st == 200 and json.loads(body)["client_id"] == "c1"


def test_metrics_behind_the_admin_key(site):
    # On a shared host the admin API shares the public host: with
    # secrets.admin set, the metrics need it like the rest of the API.
    env = {"OIDCGI_CONFIG": str(site / "oidcgi.conf"),
           "OIDCGI_LISTENER": "admin"}
    st, _, body, _ = cgi("health", "/sso/admin/metrics/prometheus", **env)
    assert st == 401, body
    st, h, body, _ = cgi("health", "/sso/admin/metrics/prometheus",
                         HTTP_AUTHORIZATION="Bearer " + ADMIN_KEY, **env)
    assert st == 200 and h["Content-Type"].startswith("text/plain")
    assert b"oidcgi_build_info" in body
    # Health and version stay open for probes.
    assert cgi("health", "/sso/admin/health/ready", **env)[0] == 200
    assert cgi("health", "/sso/admin/version", **env)[0] == 200


def test_apache_redirect_variables(site):
    env = {"OIDCGI_CONFIG": str(site / "oidcgi.conf")}
    # [E=OIDCGI_LISTENER:admin] and [E=HTTP_AUTHORIZATION:...] in a
    # RewriteRule reach a CGI program with REDIRECT_ in front.
    st, _, body, _ = cgi("clients", "/sso/admin/clients",
                         REDIRECT_OIDCGI_LISTENER="admin",
                         REDIRECT_HTTP_AUTHORIZATION="Bearer " + ADMIN_KEY,
                         **env)
    assert st == 200, body
    # An empty HTTP_AUTHORIZATION (no header sent) does not hide it.
    st, _, body, _ = cgi("clients", "/sso/admin/clients",
                         OIDCGI_LISTENER="admin", HTTP_AUTHORIZATION="",
                         REDIRECT_HTTP_AUTHORIZATION="Bearer " + ADMIN_KEY,
                         **env)
    assert st == 200, body
    # Without the listener, admin paths do not exist.
    st, _, body, _ = cgi("clients", "/sso/admin/clients",
                         HTTP_AUTHORIZATION="Bearer " + ADMIN_KEY, **env)
    assert st == 404
    st, _, body, log = cgi("clients", "/sso/admin/clients",
                           OIDCGI_LISTENER="sideways", **env)
    assert st == 503 and "OIDCGI_LISTENER" in log
    # The configuration itself through REDIRECT_OIDCGI_CONFIG.
    st, _, body, _ = cgi("health", "/sso/health/ready",
                         REDIRECT_OIDCGI_CONFIG=str(site / "oidcgi.conf"))
    assert st == 200, body


def test_error_documents(site):
    # Apache's ErrorDocument and nginx's error_page hand the web
    # server's own errors over with REDIRECT_STATUS: answered in JSON,
    # in the dialect of the path.
    env = {"OIDCGI_CONFIG": str(site / "oidcgi.conf")}
    st, h, body, _ = cgi("oauth2", "/sso/oauth2/token", "GET",
                         REDIRECT_STATUS="413", **env)
    assert st == 413
    j = json.loads(body)
    assert j["error_description"] == \
        "The request body is larger than 1048576 bytes."
    st, h, body, _ = cgi("clients", "/sso/admin/client", "GET",
                         REDIRECT_STATUS="413", OIDCGI_LISTENER="admin",
                         **env)
    assert st == 413 and h["Content-Type"].startswith(
        "application/problem+json"), h
    # A RewriteRule's internal redirect sets 200: no error.
    st, _, body, _ = cgi("health", "/sso/health/alive",
                         REDIRECT_STATUS="200", **env)
    assert st == 200


def test_fastcgi_process_heals(site):
    """A FastCGI process started on a broken configuration answers JSON
    503s, logs the problem once, and serves once the file is fixed
    (it tries again every 5 seconds): no restart needed."""
    conf = site / "oidcgi.conf"
    good = conf.read_text()
    conf.write_text(good + "ttl.access_token = soon\n")
    r = fcgi.Responder(os.path.join(BUILD, "cgi-bin", "clients"),
                       str(site / "clients.sock"),
                       {"PATH": "/usr/bin:/bin", "OIDCGI_CONFIG": str(conf)})
    try:
        auth = {"HTTP_AUTHORIZATION": "Bearer " + ADMIN_KEY}
        for _ in range(3):
            st, _, body = r.request("/sso/admin/clients", **auth,
                                    OIDCGI_LISTENER="admin")
            assert st == 503
            assert "ttl.access_token" in json.loads(body)[
                "error_description"]
        st, _, body = r.request("/sso/health/alive")
        assert st == 200
        conf.write_text(good)
        time.sleep(5.5)
        # The listener per request (a FastCGI parameter, as Apache's
        # SetEnv passes it): admin paths only where it says admin.
        st, _, body = r.request("/sso/admin/clients", **auth,
                                OIDCGI_LISTENER="admin")
        assert st == 200, body
        st, _, body = r.request("/sso/admin/clients", **auth)
        assert st == 404, body
    finally:
        log = r.stop()
    # The problem once when found; each 503 names it with its request.
    lines = [x for x in log.splitlines() if "ttl.access_token" in x]
    assert len([x for x in lines if " 503 GET " not in x]) == 1, log
    assert len(lines) == 4, log
