"""lighttpd from exactly conf/lighttpd.conf: its var.* paths and its two
ports replaced, nothing else, included from a wrapper that adds only what
Debian's /etc/lighttpd/lighttpd.conf would (document root, pid file,
error log, the user, its own server.port), and the same protocol checks
as on every target.
(The development server, scripts/serve, is tested by every other test.)
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import BUILD, CLI, TOP, free_port
from deploylib import check_deployment, prepare_site

CONF = os.path.join(TOP, "conf", "lighttpd.conf")
ADMIN_KEY = "lighttpd-test-admin-key-0123456789"
ROOT = os.geteuid() == 0
pytestmark = pytest.mark.lmdb_only(
    "a deployment test: what it runs has data directories of its own, "
    "never the test database, so it would only repeat the LMDB pass")


def instantiate(text, values, pub_port, adm_port):
    """conf/lighttpd.conf with each var.NAME = "..." line given the
    test's value and the ports replaced; asserts that every var.oidcgi_*
    path is set and that no other line changes."""
    out, seen = [], set()
    for line in text.splitlines():
        m = re.match(r'(var\.(oidcgi_\w+)\s*=\s*)"[^"]*"(.*)$', line)
        if m:
            assert m.group(2) in values, f"unknown path {m.group(2)}"
            seen.add(m.group(2))
            line = f'{m.group(1)}"{values[m.group(2)]}"{m.group(3)}'
        elif line.startswith('$SERVER["socket"] == ":4444" {'):
            line = line.replace("4444", str(pub_port), 1)
            seen.add("port")
        elif '$SERVER["socket"] == "127.0.0.1:4445"' in line:
            line = line.replace("4445", str(adm_port))
            seen.add("admin")
        out.append(line)
    assert seen == set(values) | {"port", "admin"}, seen
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def lighttpd():
    tmp = tempfile.mkdtemp(prefix="oidcgi-lighttpd-")
    os.chmod(tmp, 0o755)
    proc = None
    try:
        pub, adm, other = free_port(), free_port(), free_port()
        public = f"http://127.0.0.1:{pub}/"
        admin = f"http://127.0.0.1:{adm}/"
        values = {"oidcgi_bin": os.path.join(BUILD, "cgi-bin"),
                  "oidcgi_static": os.path.join(TOP, "ui", "static") + "/",
                  "oidcgi_data": os.path.join(tmp, "data"),
                  "oidcgi_conf": os.path.join(tmp, "oidcgi.conf"),
                  "oidcgi_run": os.path.join(tmp, "run")}
        # The store belongs to the user lighttpd runs the binaries as.
        prepare_site(values["oidcgi_conf"], [
            f"urls.self.issuer = {public}", f"urls.self.admin = {admin}",
            f"serve.public.port = {pub}", f"serve.admin.port = {adm}",
            f"secrets.admin = {ADMIN_KEY}"], values["oidcgi_data"])
        os.mkdir(values["oidcgi_run"], 0o700)
        os.mkdir(os.path.join(tmp, "www"), 0o755)
        # lighttpd opens its error log as www-data (/var/log/lighttpd on
        # Debian belongs to it): log/ here.
        os.mkdir(os.path.join(tmp, "log"), 0o755)
        user = ""
        if ROOT:
            # As on Debian: lighttpd drops to www-data, which makes the
            # sockets and writes the log.
            subprocess.run(["chown", "-R", "www-data:www-data",
                            values["oidcgi_run"], os.path.join(tmp, "log")],
                           check=True)
            user = ('server.username = "www-data"\n'
                    'server.groupname = "www-data"\n')
        with open(CONF) as f:
            site = instantiate(f.read(), values, pub, adm)
        with open(os.path.join(tmp, "oidcgi-lighttpd.conf"), "w") as f:
            f.write(site)
        wrapper = os.path.join(tmp, "lighttpd.conf")
        with open(wrapper, "w") as f:
            # Debian's lighttpd.conf has a server.port (80) of its own
            # and a document root: the oidcgi file must fit beside them.
            f.write(f'server.document-root = "{tmp}/www"\n'
                    f'server.port = {other}\n'
                    f'server.bind = "127.0.0.1"\n'
                    f'server.pid-file = "{tmp}/lighttpd.pid"\n'
                    f'server.errorlog = "{tmp}/log/error.log"\n'
                    f'{user}'
                    f'include "{tmp}/oidcgi-lighttpd.conf"\n')
        r = subprocess.run(["lighttpd", "-tt", "-f", wrapper],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        log = open(os.path.join(tmp, "lighttpd.out"), "ab")
        proc = subprocess.Popen(["lighttpd", "-D", "-f", wrapper],
                                stdout=log, stderr=log)
        log.close()
        deadline = time.time() + 15
        while True:
            assert proc.poll() is None, errors(tmp)
            try:
                if all(requests.get(u + "health/alive", timeout=2)
                       .status_code == 200 for u in (public, admin)):
                    break
            except requests.ConnectionError:
                pass
            assert time.time() < deadline, errors(tmp)
            time.sleep(0.1)
        yield public, admin, tmp, f"http://127.0.0.1:{other}/"
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)   # stops its FastCGI children
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def errors(tmp):
    text = ""
    for n in ("log/error.log", "lighttpd.out"):
        try:
            with open(os.path.join(tmp, n), errors="replace") as f:
                text += f.read()[-3000:]
        except OSError:
            pass
    return text


def test_deployment(lighttpd):
    public, admin, tmp, _ = lighttpd
    check_deployment(public, admin, admin_key=ADMIN_KEY)
    env = dict(os.environ, OIDCGI_CONFIG=os.path.join(tmp, "oidcgi.conf"),
               OIDCGI_DATA_DIR=os.path.join(tmp, "data"))
    r = subprocess.run([CLI, "doctor", public, admin, "--admin-key",
                        ADMIN_KEY], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and " 0 failed" in r.stdout, \
        r.stdout + r.stderr
    log = errors(tmp)
    for mark in ("child signalled", "child exited", "died"):
        assert mark not in log, log


def test_static_folder_only_css(lighttpd):
    """Under /ui/static/ only the stylesheets are files; any other name
    is the bundled pages' own 404 (their headers), not lighttpd's."""
    public, _, _, _ = lighttpd
    r = requests.get(public + "ui/static/oidcgi.css", timeout=10)
    assert r.status_code == 200 and "nosniff" in \
        r.headers.get("X-Content-Type-Options", ""), r.headers
    for path in ("ui/static/x.js", "ui/static/", "ui/static/..%2Fx.css"):
        r = requests.get(public + path, timeout=10)
        assert r.status_code == 404 and \
            r.headers.get("X-Frame-Options") == "DENY" and \
            "Content-Security-Policy" in r.headers, \
            f"{path}: {r.status_code} {r.headers} {r.text[:200]}"


def test_other_site_untouched(lighttpd):
    """The host's own site (Debian's port 80) serves its document root,
    nothing of oidcgi."""
    _, _, tmp, other = lighttpd
    with open(os.path.join(tmp, "www", "index.html"), "w") as f:
        f.write("the host's own page\n")
    os.chmod(os.path.join(tmp, "www", "index.html"), 0o644)
    assert requests.get(other + "index.html", timeout=10).text == \
        "the host's own page\n"
    for path in ("health/alive", ".well-known/openid-configuration",
                 "clients"):
        r = requests.get(other + path, timeout=10)
        assert r.status_code == 404 and "json" not in \
            r.headers.get("Content-Type", ""), f"{path}: {r.text[:200]}"


def test_every_admin_prefix_routed(lighttpd):
    """Each binary's paths reach it on the admin listener, under both
    path generations (a path sent to the wrong binary is a JSON 404)."""
    public, admin, _, _ = lighttpd
    h = {"Authorization": "Bearer " + ADMIN_KEY}
    for path in ("keys/hydra.openid.id-token", "clients", "client",
                 "v1/applications", "oauth2/auth/sessions/consent?subject=x",
                 "health/ready", "version", "metrics/prometheus"):
        for pre in ("", "admin/"):
            if path == "metrics/prometheus" and pre == "":
                continue
            r = requests.get(admin + pre + path, headers=h, timeout=10)
            assert r.status_code == 200, f"{pre}{path}: {r.status_code} " \
                f"{r.text[:200]}"
