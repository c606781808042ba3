"""Apache httpd in front of oidcgi, from the configurations in conf/:
mod_fcgid (conf/apache/fcgid.conf), mod_proxy_fcgi with spawn-fcgi
(conf/apache/proxy-fcgi.conf) and plain CGI driven only by .htaccess
files on a shared host (conf/htaccess/).  Each file is used as it is,
with only its Define values (paths, ports) changed; the global lines a
Debian system has elsewhere (modules, ports.conf, PidFile, ErrorLog) are
in a wrapper that Includes it.  check_deployment() then runs the same
protocol checks as on every other web server."""

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
from deploylib import WWW, check_deployment, prepare_site, www_ids

APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODDIR = "/usr/lib/apache2/modules"
BINARIES = ("health", "clients", "register", "keys", "wellknown", "flow",
            "oauth2", "ui")
ADMIN_KEY = "apache-admin-key-" + os.urandom(8).hex()
# What a crashed or misbehaving binary leaves in Apache's error log.
CRASH_MARKS = ("signal 11", "Segmentation fault", "core dump",
               "unexpected signal", "Sanitizer", "runtime error",
               "End of script output before headers",
               "Premature end of script headers", "AH00052")

pytestmark = [pytest.mark.skipif(not os.path.exists(APACHE),
                                 reason="apache2 is not installed "
                                 "(scripts/deps installs it)"),
              pytest.mark.lmdb_only(
                  "a deployment test: what it runs has data directories "
                  "of its own, never the test database, so it would only "
                  "repeat the LMDB pass")]


def set_defines(text, values):
    """Replace the value of each `Define NAME value` line named in
    values; every name must be there."""
    for name, value in values.items():
        text, n = re.subn(r"(?m)^Define %s .*$" % re.escape(name),
                          lambda m: f"Define {name} {value}", text)
        assert n == 1, f"no Define {name} line"
    return text


class Apache:
    """One Apache httpd started with -k start from a wrapper file in a
    temporary directory, stopped by the PID in its PidFile."""

    def __init__(self, root, modules, site, extra=""):
        self.root = root
        self.conf = os.path.join(root, "httpd.conf")
        self.pidfile = os.path.join(root, "httpd.pid")
        self.errlog = os.path.join(root, "error.log")
        self.pid = None
        user = ""
        if os.getuid() == 0:
            user = f"User {WWW}\nGroup {WWW}\n"
        loads = "".join(f"LoadModule {m}_module {MODDIR}/mod_{m}.so\n"
                        for m in modules)
        with open(self.conf, "w") as f:
            f.write(f"""# Test-only global lines (Debian has them in
# apache2.conf, ports.conf and mods-enabled/).
ServerRoot "{root}"
DefaultRuntimeDir "{root}"
PidFile "{self.pidfile}"
ErrorLog "{self.errlog}"
LogLevel warn
Mutex file:{root} default
ServerName 127.0.0.1
{user}{loads}TypesConfig /etc/mime.types
LogFormat "%h %l %u %t \\"%r\\" %>s %O" common
CustomLog "{root}/access.log" common
<Directory />
	AllowOverride None
	Require all denied
</Directory>
<FilesMatch "^\\.ht">
	Require all denied
</FilesMatch>
{extra}
Include "{site}"
""")

    def start(self):
        r = subprocess.run([APACHE, "-f", self.conf, "-t"],
                           capture_output=True, text=True)
        assert r.returncode == 0, f"apache2 -t: {r.stdout}{r.stderr}"
        r = subprocess.run([APACHE, "-f", self.conf, "-k", "start"],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, \
            f"apache2 -k start: {r.stdout}{r.stderr}{self.log()}"
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with open(self.pidfile) as f:
                    self.pid = int(f.read().strip())
                return self
            except (OSError, ValueError):
                time.sleep(0.05)
        raise AssertionError("apache2 wrote no PidFile: " + self.log())

    def stop(self):
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            self.pid = None
            return
        deadline = time.time() + 15
        while time.time() < deadline and os.path.exists(
                f"/proc/{self.pid}"):
            time.sleep(0.05)
        if os.path.exists(f"/proc/{self.pid}"):
            os.kill(self.pid, signal.SIGKILL)
        self.pid = None

    def log(self):
        try:
            with open(self.errlog, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def assert_no_crash(self):
        log = self.log()
        for mark in CRASH_MARKS:
            assert mark not in log, f"{mark!r} in the error log:\n{log}"


def wait_up(url, deadline=15):
    end = time.time() + deadline
    last = None
    while time.time() < end:
        try:
            last = requests.get(url, timeout=2)
            if last.status_code == 200:
                return
        except requests.ConnectionError as e:
            last = e
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer 200: {last}")


@pytest.fixture
def tmp():
    """A temporary directory the web server's user can traverse (pytest's
    own is mode 0700 under /tmp/pytest-of-<user>)."""
    d = tempfile.mkdtemp(prefix="oidcgi-apache-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def install(tmp):
    """A copy of the build laid out as make install does: binaries in
    libexec/oidcgi, the stylesheet in share/oidcgi/ui/static."""
    libexec = os.path.join(tmp, "libexec", "oidcgi")
    share = os.path.join(tmp, "share", "oidcgi")
    os.makedirs(libexec)
    for b in BINARIES:
        shutil.copy2(os.path.join(BUILD, "cgi-bin", b), libexec)
    shutil.copytree(os.path.join(TOP, "ui", "static"),
                    os.path.join(share, "ui", "static"))
    for d, _, files in os.walk(tmp):
        os.chmod(d, 0o755)
        for f in files:
            p = os.path.join(d, f)
            os.chmod(p, 0o755 if os.access(p, os.X_OK) else 0o644)
    return libexec, share


def check_apache_traps(public, admin, apache, encoded_slash=True):
    """Beyond check_deployment: what Apache itself would answer in HTML,
    and the error log."""
    if encoded_slash:
        # An id with an encoded slash reaches oidcgi (Apache: HTML 404
        # unless AllowEncodedSlashes NoDecode).
        r = requests.get(admin + "admin/clients/a%2Fb",
                         headers={"Authorization": "Bearer " + ADMIN_KEY})
        assert r.status_code == 404 and r.json().get("error"), r.text
        r = requests.get(public + "oauth2/a%2Fb")
        assert r.status_code == 404 and r.json().get("error"), r.text
    apache.assert_no_crash()


def doctor(conf, public, admin, key=None, data=None):
    """oidcgi doctor on the running deployment, with its configuration
    (and data directory) for the local checks: nothing may fail."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OIDCGI_")}
    if data:
        env["OIDCGI_DATA_DIR"] = data
    cmd = [CLI, "-c", conf, "doctor", public, admin]
    if key:
        cmd += ["--admin-key", key]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and "FAIL" not in r.stdout, \
        f"{cmd}: exit {r.returncode}\n{r.stdout}{r.stderr}"


# --- mod_fcgid -----------------------------------------------------------

FCGID_MODULES = ("mpm_event", "authz_core", "authz_host", "alias", "env",
                 "headers", "mime", "rewrite", "fcgid")


def test_fcgid(tmp):
    libexec, share = install(tmp)
    pub_port, adm_port = free_port(), free_port()
    public = f"http://127.0.0.1:{pub_port}/"
    admin = f"http://127.0.0.1:{adm_port}/"
    conf = os.path.join(tmp, "oidcgi.conf")
    data = os.path.join(tmp, "data")
    prepare_site(conf, [f"urls.self.issuer = {public}",
                        f"urls.self.admin = {admin}",
                        f"secrets.admin = {ADMIN_KEY}"], data)
    with open(os.path.join(TOP, "conf", "apache", "fcgid.conf")) as f:
        site = set_defines(f.read(), {
            "OIDCGI_BIN": libexec,
            "OIDCGI_SHARE": share,
            "OIDCGI_CONF": conf,
            "OIDCGI_DATA": data,
            "OIDCGI_PUBLIC_ADDR": f"127.0.0.1:{pub_port}",
            "OIDCGI_PUBLIC_NAME": "public.test",
            "OIDCGI_ADMIN_ADDR": f"127.0.0.1:{adm_port}",
            "OIDCGI_ADMIN_NAME": "admin.test",
        })
    sitefile = os.path.join(tmp, "fcgid.conf")
    with open(sitefile, "w") as f:
        f.write(site)
    fcgid = os.path.join(tmp, "fcgid")
    os.makedirs(fcgid)
    uid, gid = www_ids()
    os.chown(fcgid, uid, gid)
    apache = Apache(tmp, FCGID_MODULES, sitefile, extra=f"""
Listen 127.0.0.1:{pub_port}
FcgidIPCDir "{fcgid}"
FcgidProcessTableFile "{fcgid}/shm"
""")
    apache.start()
    try:
        wait_up(public + "health/alive")
        check_deployment(public, admin, admin_key=ADMIN_KEY)
        check_apache_traps(public, admin, apache)
        doctor(conf, public, admin, ADMIN_KEY, data)
    finally:
        apache.stop()


# --- mod_proxy_fcgi and spawn-fcgi ---------------------------------------

PROXY_MODULES = ("mpm_event", "authz_core", "authz_host", "alias", "env",
                 "headers", "mime", "proxy", "proxy_fcgi")


def spawn_script(text, values):
    """The spawn-fcgi commands of proxy-fcgi.conf, from between its
    BEGIN and END lines, with the variables of its first lines set as
    in values (each must be there)."""
    block = text.split("# BEGIN spawn-fcgi\n", 1)[1] \
        .split("# END spawn-fcgi\n", 1)[0]
    lines = []
    for line in block.splitlines():
        assert line.startswith("#\t"), line
        lines.append(line[2:])
    script = "set -eu\n" + "\n".join(lines) + "\n"
    for name, value in values.items():
        script, n = re.subn(r"(?m)^((?:export )?%s=).*$" % re.escape(name),
                            lambda m: m.group(1) + value, script)
        assert n == 1, f"no {name}= line in the spawn-fcgi commands"
    return script


def stop_spawned(run):
    """Stop the processes spawn-fcgi started, by the PIDs in its PID
    files, and wait for them to be gone."""
    pids = []
    for f in os.listdir(run):
        if f.endswith(".pid"):
            with open(os.path.join(run, f)) as fh:
                pids += [int(p) for p in fh.read().split()]
    for p in pids:
        try:
            os.kill(p, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.time() + 10
    while time.time() < deadline and any(os.path.exists(f"/proc/{p}")
                                         for p in pids):
        time.sleep(0.05)
    for p in pids:
        if os.path.exists(f"/proc/{p}"):
            os.kill(p, signal.SIGKILL)
    return pids


@pytest.mark.skipif(shutil.which("spawn-fcgi") is None,
                    reason="spawn-fcgi is not installed")
@pytest.mark.skipif(os.getuid() != 0,
                    reason="the spawn-fcgi commands run as root")
def test_proxy_fcgi(tmp):
    libexec, share = install(tmp)
    pub_port, adm_port = free_port(), free_port()
    public = f"http://127.0.0.1:{pub_port}/"
    admin = f"http://127.0.0.1:{adm_port}/"
    conf = os.path.join(tmp, "oidcgi.conf")
    data = os.path.join(tmp, "data")
    run = os.path.join(tmp, "run")
    prepare_site(conf, [f"urls.self.issuer = {public}",
                        f"urls.self.admin = {admin}"], data)
    with open(os.path.join(TOP, "conf", "apache", "proxy-fcgi.conf")) as f:
        text = f.read()
    script = spawn_script(text, {"OIDCGI_BIN": libexec, "OIDCGI_RUN": run,
                                 "OIDCGI_CONFIG": conf,
                                 "OIDCGI_DATA_DIR": data})
    site = set_defines(text, {
        "OIDCGI_RUN": run,
        "OIDCGI_SHARE": share,
        "OIDCGI_PUBLIC_ADDR": f"127.0.0.1:{pub_port}",
        "OIDCGI_PUBLIC_NAME": "public.test",
        "OIDCGI_ADMIN_ADDR": f"127.0.0.1:{adm_port}",
        "OIDCGI_ADMIN_NAME": "admin.test",
    })
    sitefile = os.path.join(tmp, "proxy-fcgi.conf")
    with open(sitefile, "w") as f:
        f.write(site)
    spawnlog = os.path.join(tmp, "spawn.log")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OIDCGI_")}
    apache = Apache(tmp, PROXY_MODULES, sitefile,
                    extra=f"Listen 127.0.0.1:{pub_port}\n")
    try:
        with open(spawnlog, "w") as log:
            r = subprocess.run(["sh", "-c", script], env=env, stdout=log,
                               stderr=subprocess.STDOUT, timeout=30)
        assert r.returncode == 0, open(spawnlog).read()
        apache.start()
        wait_up(public + "health/alive")
        check_deployment(public, admin)
        check_apache_traps(public, admin, apache)
        doctor(conf, public, admin, data=data)
        # A binary that died stays dead under spawn-fcgi; its paths are
        # then a 503, in oidcgi's JSON through the ErrorDocument.
        with open(os.path.join(run, "ui-public.pid")) as f:
            pids = [int(p) for p in f.read().split()]
        for p in pids:
            os.kill(p, signal.SIGKILL)
        deadline = time.time() + 5
        while time.time() < deadline and any(
                os.path.exists(f"/proc/{p}") for p in pids):
            time.sleep(0.05)
        r = requests.get(public + "ui/login")
        assert r.status_code == 503 and r.json()["error"], \
            (r.status_code, r.text[:300])
    finally:
        apache.stop()
        if os.path.isdir(run):
            assert stop_spawned(run), "spawn-fcgi wrote no PID files"


# --- plain CGI on a shared host, only .htaccess files --------------------

HTACCESS_MODULES = ("mpm_event", "authz_core", "authz_host", "dir", "env",
                    "headers", "mime", "rewrite", "cgid")


def set_keys(text, values):
    """Replace the value of each `key = value` line named in values."""
    for key, value in values.items():
        text, n = re.subn(r"(?m)^%s = .*$" % re.escape(key),
                          lambda m: f"{key} = {value}", text)
        assert n == 1, f"no {key} line"
    return text


@pytest.mark.parametrize("passauth", [True, False],
                         ids=["CGIPassAuth", "rewrite-fallback"])
def test_htaccess(tmp, passauth, dist):
    """make dist's docroot/ (conf/htaccess/, the static binaries, the
    stylesheet) uploaded as /sso/ of a site whose Apache allows .htaccess
    files (AllowOverride All) and runs CGI programs, and set up with the
    tarball's own bin/oidcgi; without CGIPassAuth (a host that forbids
    it, the line deleted as its comment says) the Authorization header
    must still get through."""
    port = free_port()
    public = f"http://127.0.0.1:{port}/sso/"
    docroot = os.path.join(tmp, "www")
    folder = os.path.join(docroot, "sso")
    data = os.path.join(tmp, "oidcgi-data")
    # Uploaded as the README says: docroot/ becomes the folder.
    _, _, top = dist
    shutil.copytree(os.path.join(top, "docroot"), folder, symlinks=True)
    for b in BINARIES:
        assert os.access(os.path.join(folder, "cgi-bin", b), os.X_OK), b
    conf = os.path.join(folder, "cgi-bin", "oidcgi.conf")
    with open(conf) as f:
        conftext = set_keys(f.read(), {"urls.self.issuer": public,
                                       "urls.self.admin": public,
                                       "secrets.admin": ADMIN_KEY,
                                       "dsn": data})
    if not passauth:
        p = os.path.join(folder, "cgi-bin", ".htaccess")
        with open(p) as f:
            text = f.read()
        assert "\nCGIPassAuth On\n" in text
        with open(p, "w") as f:
            f.write(text.replace("\nCGIPassAuth On\n", "\n"))
    for d, _, files in os.walk(tmp):
        os.chmod(d, 0o755)
        for f in files:
            p = os.path.join(d, f)
            os.chmod(p, 0o755 if os.access(p, os.X_OK) else 0o644)
    # The data directory comes from the configuration's dsn.
    env = prepare_site(conf, conftext.splitlines(),
                       cli=os.path.join(top, "bin", "oidcgi"))
    assert os.path.samefile(data, subprocess.run(
        [CLI, "-c", conf, "config", "get", "dsn"], env=env,
        capture_output=True, text=True).stdout.strip())
    apache = Apache(tmp, HTACCESS_MODULES, "/dev/null", extra=f"""
Listen 127.0.0.1:{port}
ScriptSock "{tmp}/cgid.sock"
DocumentRoot "{docroot}"
<Directory "{docroot}">
	AllowOverride All
	Options FollowSymLinks
	Require all granted
</Directory>
""")
    apache.start()
    try:
        wait_up(public + "health/alive")
        # AllowEncodedSlashes is not allowed in .htaccess files: %2F in
        # a path stays Apache's HTML 404 unless the host sets it.
        check_deployment(public, public, admin_key=ADMIN_KEY,
                         v1_admin_paths=False, encoded_slash=False)
        check_apache_traps(public, public, apache, encoded_slash=False)
        doctor(conf, public, public, ADMIN_KEY)
        # Nothing under the folder is served but through oidcgi: a
        # binary by its name is oidcgi's 404; the configuration and the
        # .htaccess files are refused (403) before any rewriting.
        for path in ("cgi-bin/health", "cgi-bin/", "cgi-bin/oauth2/x"):
            r = requests.get(public + path)
            assert r.status_code == 404 and r.json()["error"], \
                (path, r.status_code, r.text[:300])
        for path in ("cgi-bin/oidcgi.conf", "cgi-bin/.htaccess",
                     ".htaccess"):
            r = requests.get(public + path)
            assert r.status_code in (403, 404), (path, r.status_code)
            assert ADMIN_KEY not in r.text and "Rewrite" not in r.text \
                and "dsn" not in r.text, (path, r.text[:300])
        # The admin API without the key, from the public side.
        r = requests.get(public + "admin/clients")
        assert r.status_code == 401 and r.json()["error"], r.text
    finally:
        apache.stop()
