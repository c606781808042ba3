"""nginx + the FastCGI binaries under the systemd units of conf/systemd/,
from exactly the files in conf/ (conf/nginx/oidcgi.conf and the units),
instantiated by replacing only their marked paths and ports.

What runs here and what cannot:
 - PID 1 here is not systemd, so the units cannot be started.  What can
   run is run: `systemd-analyze verify` on every instance the
   configuration uses, and each unit's own ExecStart= command line (with
   systemd's specifier and $$ expansion done as systemd does it), as the
   unit's User= with its Environment= and UMask=.
 - For the socket units (oidcgi@.socket, StandardInput=socket) the test
   holds the listening socket, made as ListenStream=/SocketMode= say,
   and hands it to the service as its standard input, as systemd does;
   systemd-socket-activate checks the LISTEN_FDS way separately.
 - Restart=always is reproduced by a small supervisor loop here that
   runs ExecStart= again RestartSec= after the process dies.  The test
   proves that the unit's command line, started again that way, serves
   again and that nginx then answers; it cannot prove that systemd
   itself restarts the service (that rests on Restart=always, which
   `systemd-analyze verify` accepts, and on systemd).
"""

import grp
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import pytest
import requests

import fcgi
from conftest import BUILD, CLI, TOP, free_port
from deploylib import check_deployment, prepare_site

NGINX_CONF = os.path.join(TOP, "conf", "nginx", "oidcgi.conf")
UNITS = os.path.join(TOP, "conf", "systemd")
ADMIN_KEY = "nginx-test-admin-key-0123456789"
ROOT = os.geteuid() == 0
pytestmark = pytest.mark.lmdb_only(
    "a deployment test: what it runs has data directories of its own, "
    "never the test database, so it would only repeat the LMDB pass")


def unit_read(name):
    """A unit file as {(section, key): [values]} in file order."""
    out, section = {}, None
    with open(os.path.join(UNITS, name)) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            k, _, v = line.partition("=")
            out.setdefault((section, k.strip()), []).append(v.strip())
    return out


def unit_one(unit, section, key):
    v = unit.get((section, key), [])
    assert len(v) == 1, f"[{section}] {key}= given {len(v)} times"
    return v[0]


def specifiers(s, instance):
    """systemd's specifier expansion, for the specifiers the units use."""
    def one(m):
        c = m.group(1)
        assert c in "%i", f"specifier %{c} not reproduced by the test"
        return "%" if c == "%" else instance
    return re.sub(r"%(.)", one, s)


def timespan(v):
    m = re.fullmatch(r"(\d+)(ms|s|min)?", v)
    assert m, f"timespan {v!r}"
    return int(m.group(1)) * {"ms": .001, "s": 1, "min": 60,
                              None: 1}[m.group(2)]


def deployment_paths(tmp):
    """The installed paths the configuration files name, and where this
    test puts each instead (the only parts of the files it changes)."""
    return [("/usr/local/libexec/oidcgi", os.path.join(BUILD, "cgi-bin")),
            ("/usr/local/share/oidcgi/ui/static/",
             os.path.join(TOP, "ui", "static") + "/"),
            ("/usr/local/etc/oidcgi/oidcgi.conf",
             os.path.join(tmp, "oidcgi.conf")),
            ("/usr/local/var/lib/oidcgi", os.path.join(tmp, "data")),
            ("/run/oidcgi", os.path.join(tmp, "run"))]


def substitute(s, paths):
    for a, b in paths:
        s = s.replace(a, b)
    return s


def service_command(unit, instance, paths):
    """(argv, env, user, umask) of a service unit's ExecStart=, expanded
    as systemd does: specifiers first, then quoting, then $$ -> $.  A
    lone $ would be an environment variable systemd substitutes; the
    units use none, and the test refuses one rather than guess."""
    line = specifiers(unit_one(unit, "Service", "ExecStart"), instance)
    argv = []
    for w in shlex.split(line):
        assert "$" not in w.replace("$$", ""), \
            f"ExecStart= uses a systemd variable: {w}"
        argv.append(substitute(w.replace("$$", "$"), paths))
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin"}
    for v in unit.get(("Service", "Environment"), []):
        for a in shlex.split(specifiers(v, instance)):
            k, _, val = a.partition("=")
            env[k] = substitute(val, paths)
    user = unit_one(unit, "Service", "User")
    umask = int(unit_one(unit, "Service", "UMask"), 8)
    return argv, env, user, umask


def instances():
    """The instances oidcgi.target wants: binary-listener names."""
    t = unit_read("oidcgi.target")
    names = []
    for v in t[("Unit", "Wants")]:
        for u in v.split():
            m = re.fullmatch(r"oidcgi@([a-z0-9]+-(?:public|admin))\.socket",
                             u)
            assert m, f"oidcgi.target: {u}"
            names.append(m.group(1))
    return names


class Supervisor:
    """Restart=always as systemd does it: run the command, and whenever
    it exits, run it again RestartSec= later, until stopped.  start_one
    returns a new Popen each time."""

    def __init__(self, start_one, restart_sec):
        self.start_one = start_one
        self.restart_sec = restart_sec
        self.proc = None
        self.starts = 0
        self.deaths = 0
        self.stopping = False
        self.lock = threading.Lock()
        self.died = threading.Event()
        self.spawn()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def spawn(self):
        with self.lock:
            if not self.stopping:
                self.proc = self.start_one()
                self.starts += 1

    def loop(self):
        while True:
            p = self.proc
            p.wait()
            if self.stopping:
                return
            self.deaths += 1
            self.died.set()
            time.sleep(self.restart_sec)
            self.spawn()
            if self.stopping:
                return

    def stop(self):
        with self.lock:
            self.stopping = True
            p = self.proc
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.thread.join(timeout=10)


def run_as(user):
    """Popen arguments that run a command as the unit's User= (when the
    test is root; otherwise as the test's own user)."""
    if not ROOT:
        return {}
    pw = pwd.getpwnam(user)
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


class Deployment:
    """nginx from conf/nginx/oidcgi.conf in front of every binary the
    configuration names, each run by a unit of conf/systemd/ (mode
    "spawn": oidcgi-spawn@.service; mode "socket": oidcgi@.socket and
    oidcgi@.service), in a temporary directory www-data can traverse."""

    def __init__(self, mode):
        self.mode = mode
        self.tmp = tempfile.mkdtemp(prefix="oidcgi-nginx-")
        os.chmod(self.tmp, 0o755)
        self.paths = deployment_paths(self.tmp)
        self.pub_port, self.adm_port = free_port(), free_port()
        self.public = f"http://127.0.0.1:{self.pub_port}/"
        self.admin = f"http://127.0.0.1:{self.adm_port}/"
        self.run = os.path.join(self.tmp, "run")
        self.data = os.path.join(self.tmp, "data")
        self.sups = {}
        self.socks = {}
        self.nginx = None
        self.logf = open(os.path.join(self.tmp, "fastcgi.log"), "ab")

    def user(self):
        return "www-data" if ROOT else pwd.getpwuid(os.geteuid()).pw_name

    def prepare(self):
        conf = os.path.join(self.tmp, "oidcgi.conf")
        # The data directory belongs to the user the units run as.
        prepare_site(conf, [f"urls.self.issuer = {self.public}",
                            f"urls.self.admin = {self.admin}",
                            f"serve.public.port = {self.pub_port}",
                            f"serve.admin.port = {self.adm_port}",
                            f"secrets.admin = {ADMIN_KEY}"], self.data)
        if self.mode == "spawn":
            # RuntimeDirectory=oidcgi: made by systemd, owned by User=.
            unit = unit_read("oidcgi-spawn@.service")
            assert unit_one(unit, "Service", "RuntimeDirectory") == "oidcgi"
            os.mkdir(self.run, int(unit_one(unit, "Service",
                                            "RuntimeDirectoryMode"), 8))
            if ROOT:
                pw = pwd.getpwnam(self.user())
                os.chown(self.run, pw.pw_uid, pw.pw_gid)
        else:
            os.mkdir(self.run, 0o755)   # DirectoryMode= of the socket

    def start_binaries(self):
        for i in instances():
            if self.mode == "spawn":
                self.sups[i] = self.spawn_unit(i)
            else:
                self.sups[i] = self.socket_unit(i)

    def spawn_unit(self, instance):
        unit = unit_read("oidcgi-spawn@.service")
        argv, env, user, umask = service_command(unit, instance, self.paths)
        assert unit_one(unit, "Service", "Restart") == "always"
        kw = run_as(user)

        def start():
            return subprocess.Popen(argv, env=env, umask=umask,
                                    stdin=subprocess.DEVNULL,
                                    stdout=self.logf, stderr=self.logf, **kw)
        return Supervisor(start, timespan(unit_one(unit, "Service",
                                                   "RestartSec")))

    def socket_unit(self, instance):
        sock_unit = unit_read("oidcgi@.socket")
        unit = unit_read("oidcgi@.service")
        assert unit_one(sock_unit, "Socket", "Accept") == "no"
        assert unit_one(unit, "Service", "StandardInput") == "socket"
        assert unit_one(unit, "Service", "Restart") == "always"
        path = substitute(specifiers(unit_one(sock_unit, "Socket",
                                              "ListenStream"), instance),
                          self.paths)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        os.chmod(path, int(unit_one(sock_unit, "Socket", "SocketMode"), 8))
        if ROOT:
            os.chown(path,
                     pwd.getpwnam(unit_one(sock_unit, "Socket",
                                           "SocketUser")).pw_uid,
                     grp.getgrnam(unit_one(sock_unit, "Socket",
                                           "SocketGroup")).gr_gid)
        s.listen(int(unit_one(sock_unit, "Socket", "Backlog")))
        self.socks[instance] = s
        argv, env, user, umask = service_command(unit, instance, self.paths)
        kw = run_as(user)

        def start():
            # StandardInput=socket: the listening socket is fd 0.
            return subprocess.Popen(argv, env=env, umask=umask, stdin=s,
                                    stdout=self.logf, stderr=self.logf, **kw)
        return Supervisor(start, timespan(unit_one(unit, "Service",
                                                   "RestartSec")))

    def start_nginx(self):
        with open(NGINX_CONF) as f:
            site = f.read()
        # Only the marked lines change (and comments naming the paths):
        # every one of them, nothing else.
        marked = [l for l in site.splitlines()
                  if re.search(r"#\s*(PATH|PORT)\s*$", l)]
        out = substitute(site, self.paths)
        out = out.replace("listen 4444;", f"listen 127.0.0.1:{self.pub_port};")
        out = out.replace("listen 127.0.0.1:4445;",
                          f"listen 127.0.0.1:{self.adm_port};")
        changed = [a for a, b in zip(site.splitlines(), out.splitlines())
                   if a != b and not a.startswith("#")]
        assert changed == marked, "the test changed unmarked lines or " \
            f"missed marked ones:\n{changed}\n{marked}"
        with open(os.path.join(self.tmp, "oidcgi-site.conf"), "w") as f:
            f.write(out)
        t = self.tmp
        main = f"""daemon off;
{"user www-data www-data;" if ROOT else ""}
worker_processes 2;
pid {t}/nginx.pid;
error_log {t}/error.log info;
events {{ worker_connections 256; }}
http {{
	access_log {t}/access.log;
	client_body_temp_path {t}/client_body;
	fastcgi_temp_path {t}/fastcgi_temp;
	proxy_temp_path {t}/proxy_temp;
	uwsgi_temp_path {t}/uwsgi_temp;
	scgi_temp_path {t}/scgi_temp;
	include {t}/oidcgi-site.conf;
}}
"""
        with open(os.path.join(t, "nginx.conf"), "w") as f:
            f.write(main)
        cmd = ["nginx", "-p", t + "/", "-e", t + "/error.log",
               "-c", t + "/nginx.conf"]
        r = subprocess.run(cmd + ["-t"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        self.nginx = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                      stderr=self.logf)
        deadline = time.time() + 15
        while time.time() < deadline:
            assert self.nginx.poll() is None, self.error_log()
            try:
                if all(requests.get(u + "health/alive", timeout=2)
                       .status_code == 200 for u in (self.public,
                                                     self.admin)):
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise AssertionError("nginx did not answer: " + self.error_log())

    def error_log(self):
        try:
            with open(os.path.join(self.tmp, "error.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def start(self):
        self.prepare()
        self.start_binaries()
        self.start_nginx()
        return self

    def stop(self):
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)   # graceful
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait()
        for s in self.sups.values():
            s.stop()
        for s in self.socks.values():
            s.close()
        self.logf.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="module", params=["spawn", "socket"])
def deployed(request):
    d = Deployment(request.param)
    try:
        d.start()
    except BaseException:
        d.stop()
        raise
    yield d
    d.stop()


def test_units_verify(tmp_path):
    """systemd-analyze verify accepts every unit instance the
    configuration uses, with the paths as shipped; and it is a check
    that can fail: a broken copy is refused."""
    names = instances()
    units = [f"oidcgi@{i}.socket" for i in names] + \
        [f"oidcgi@{i}.service" for i in names] + \
        [f"oidcgi-spawn@{i}.service" for i in names] + ["oidcgi.target"]

    def verify(d, us):
        return subprocess.run(["systemd-analyze", "verify", "--man=no"] +
                              [os.path.join(d, u) for u in us],
                              capture_output=True, text=True)
    good = tmp_path / "good"
    shutil.copytree(UNITS, good)
    r = verify(good, units)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    # systemd only warns about a bad value and carries on: any output
    # is a failure.
    for f, a, b in (("oidcgi@.service", "StandardInput=socket",
                     "StandardInput=sockt"),
                    ("oidcgi-spawn@.service", "ExecStart=/usr/bin/spawn-fcgi",
                     "ExecStart=/usr/bin/spawn-fcgx"),
                    ("oidcgi@.socket", "SocketMode=0660", "SocketMode=066x")):
        bad = tmp_path / ("bad-" + f)
        shutil.copytree(UNITS, bad)
        text = (bad / f).read_text()
        assert a in text
        (bad / f).write_text(text.replace(a, b))
        r = verify(bad, units)
        assert r.returncode != 0 or r.stderr.strip(), f"{f}: {b} passed"


def test_units_match_nginx():
    """The sockets nginx connects to are exactly the target's instances,
    each a binary this build has."""
    with open(NGINX_CONF) as f:
        socks = re.findall(r"unix:/run/oidcgi/([a-z0-9-]+)\.sock;", f.read())
    assert sorted(socks) == sorted(instances())
    for i in socks:
        assert os.access(os.path.join(BUILD, "cgi-bin", i.rsplit("-", 1)[0]),
                         os.X_OK), i


def test_deployment(deployed):
    """The same protocol checks as on every target, through nginx."""
    check_deployment(deployed.public, deployed.admin, admin_key=ADMIN_KEY)
    # And as the README tells an operator to check it.
    env = dict(os.environ, OIDCGI_CONFIG=os.path.join(deployed.tmp,
                                                      "oidcgi.conf"),
               OIDCGI_DATA_DIR=deployed.data)
    r = subprocess.run([CLI, "doctor", deployed.public, deployed.admin,
                        "--admin-key", ADMIN_KEY], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and " 0 failed" in r.stdout, \
        r.stdout + r.stderr


def test_encoded_slash(deployed):
    """An id with %2F reaches the clients binary as sent: oidcgi's own
    JSON 404 for the client "a/b" on both path generations, and the
    client found once it exists."""
    h = {"Authorization": "Bearer " + ADMIN_KEY}
    for path in ("admin/clients/a%2Fb", "clients/a%2Fb"):
        r = requests.get(deployed.admin + path, headers=h, timeout=10)
        assert r.status_code == 404 and r.json()["error"], r.text
    r = requests.post(deployed.admin + "admin/clients", headers=h,
                      timeout=10, json={"client_id": "a/b",
                                        "grant_types":
                                            ["client_credentials"]})
    if r.status_code == 201:
        r = requests.get(deployed.admin + "admin/clients/a%2Fb", headers=h,
                         timeout=10)
        assert r.status_code == 200 and r.json()["client_id"] == "a/b", \
            r.text
        r = requests.delete(deployed.admin + "admin/clients/a%2Fb",
                            headers=h, timeout=10)
        assert r.status_code == 204, r.text
    else:
        assert r.status_code == 400, r.text


def test_admin_api_not_on_public(deployed):
    """The public server block never answers the admin API, even on a
    path its own health process serves on the admin listener."""
    r = requests.get(deployed.public + "admin/version", timeout=10)
    assert r.status_code == 404 and "json" in r.headers["Content-Type"]
    r = requests.get(deployed.admin + "admin/version", timeout=10)
    assert r.status_code == 200, r.text


def test_killed_binary_is_restarted(deployed):
    """SIGKILL the token endpoint's FastCGI process: the supervisor runs
    the unit's ExecStart= again after RestartSec=, and requests succeed
    again.  With spawn-fcgi the socket is gone meanwhile and nginx's 502
    is answered in JSON; with socket activation the socket stays open
    and a request sent during the gap waits and succeeds."""
    sup = deployed.sups["oauth2-public"]
    url = deployed.public + ".well-known/openid-configuration"
    tok = deployed.public + "oauth2/token"
    assert requests.post(tok, data={"grant_type": "client_credentials"},
                         timeout=10).status_code == 401
    old = sup.proc
    starts = sup.starts
    sup.died.clear()
    os.kill(old.pid, signal.SIGKILL)
    assert sup.died.wait(5), "the supervisor did not see the death"
    t0 = time.time()
    r = requests.post(tok, data={"grant_type": "client_credentials"},
                      timeout=10)
    if deployed.mode == "spawn":
        # Within RestartSec= of the death: nothing listens.
        assert time.time() - t0 < sup.restart_sec
        assert r.status_code == 502, r.text
        assert r.json()["error"] == "server_error", r.text
        deadline = time.time() + 10
        while time.time() < deadline:
            r = requests.post(tok, data={"grant_type":
                                         "client_credentials"}, timeout=10)
            if r.status_code != 502:
                break
            time.sleep(0.1)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client", \
        r.text
    assert sup.starts == starts + 1 and sup.proc.pid != old.pid
    assert requests.get(url, timeout=10).status_code == 200


def test_listen_fds(tmp_path):
    """The other socket-activation protocol: systemd-socket-activate
    passes the socket as fd 3 with LISTEN_FDS and LISTEN_PID (as systemd
    does when StandardInput= is not socket); the unit's ExecStart= then
    serves on it.  One start only: systemd-socket-activate execs the
    command and so cannot restart it."""
    d = Deployment("socket")
    try:
        d.prepare()
        unit = unit_read("oidcgi@.service")
        argv, env, user, umask = service_command(unit, "health-admin",
                                                 d.paths)
        sock = os.path.join(d.run, "health-admin.sock")
        # systemd makes the socket as root; systemd-socket-activate runs
        # as the unit's user here, so that user makes it.
        if ROOT:
            pw = pwd.getpwnam(user)
            os.chown(d.run, pw.pw_uid, pw.pw_gid)
        cmd = ["systemd-socket-activate", "-l", sock]
        for k, v in env.items():
            cmd += ["-E", f"{k}={v}"]
        p = subprocess.Popen(cmd + argv, stdout=d.logf, stderr=d.logf,
                             umask=umask, **run_as(user))
        try:
            deadline = time.time() + 10
            while not os.path.exists(sock) and time.time() < deadline:
                assert p.poll() is None, "systemd-socket-activate exited"
                time.sleep(0.05)
            st, _, out = fcgi.request(sock, "/admin/version",
                                      OIDCGI_LISTENER="admin")
            assert st == 200 and b'"version"' in out, out
        finally:
            p.terminate()
            p.wait(timeout=10)
    finally:
        d.stop()


