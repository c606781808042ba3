"""Integration-test harness: real lighttpd on loopback, spawning the
oidcgi FastCGI binaries through scripts/serve, with a temporary data
directory and free ports.  Every test also checks that no FastCGI child
crashed while it ran (lighttpd logs such a death)."""

import os
import re
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import time
import uuid

import pytest
import requests

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
B = os.environ.get("OIDCGI_BUILD", "build")
BUILD = os.path.join(TOP, B)
CLI = os.path.join(BUILD, "bin", "oidcgi")
ECHO = os.path.join(BUILD, "tests", "echo")
CRASH_MARKS = ("child signalled", "child exited", "died", "Sanitizer",
               "runtime error")


_ports_given = set()


def free_port():
    """A loopback port free now and never handed out before by this
    process: the kernel may offer the same free port to two calls in a
    row (a server's public and admin ports once came out equal)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _ports_given:
            _ports_given.add(port)
            return port


def children_of(pid):
    """PIDs whose parent is pid (read from /proc)."""
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            kids.append(int(d))
    return kids


PGDIR = os.environ.get("OIDCGI_TEST_PGDIR")
ON_PG = bool(PGDIR)
PGTEST = os.path.join(TOP, "scripts", "pgtest")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "lmdb_only(why): skipped on the PostgreSQL pass "
        "(OIDCGI_TEST_PGDIR set), saying why: the test is about LMDB "
        "itself (its files, its map, its tools), or starts servers of its "
        "own that never see the test database.")


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL pass, a test marked lmdb_only is skipped with
    its reason (before any fixture is set up)."""
    if not ON_PG:
        return
    for item in items:
        m = item.get_closest_marker("lmdb_only")
        if m is not None:
            why = m.args[0] if m.args else "about LMDB itself"
            item.add_marker(pytest.mark.skip(reason="LMDB only: " + why))


def pg_start():
    """A private PostgreSQL of scripts/pgtest in a new folder: (folder,
    DSN of its database postgres).  The test is skipped when PostgreSQL
    is not installed."""
    d = tempfile.mkdtemp(prefix="oidcgi-pg.")
    r = subprocess.run([PGTEST, "start", d], capture_output=True,
                       text=True)
    if r.returncode != 0:
        shutil.rmtree(d, ignore_errors=True)
        pytest.skip("no PostgreSQL: " + r.stderr.strip()[:200])
    return d, r.stdout.strip()


def pg_stop(d):
    """Stop the server of pg_start() and remove its folder."""
    subprocess.run([PGTEST, "stop", d], capture_output=True)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def pg():
    """A private PostgreSQL for the module's tests (pg_start())."""
    d, dsn = pg_start()
    yield d, dsn
    pg_stop(d)


def pg_sql(d, query, db="postgres"):
    """Run SQL on database db of the server in folder d; its output."""
    r = subprocess.run([PGTEST, "sql", d, query], capture_output=True,
                       text=True, env=dict(os.environ, PGTEST_DB=db))
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def pg_create_db(d, name):
    """Make database name in the server of folder d, from template0: no
    session is ever connected to it, whereas one on template1 (the
    default template) makes CREATE DATABASE fail."""
    pg_sql(d, f"CREATE DATABASE {name} TEMPLATE template0")


def pg_database(tmp):
    """With OIDCGI_TEST_PGDIR naming a server of scripts/pgtest, the
    database of the Server in folder tmp (its DSN): made, with oidcgi's
    tables, for the first Server there, and kept by the next (as its
    data directory is); else None.  How a test runs on PostgreSQL
    (issue 16)."""
    d = os.environ.get("OIDCGI_TEST_PGDIR")
    if not d:
        return None
    keep = os.path.join(tmp, ".pgdsn")
    if os.path.exists(keep):
        with open(keep) as f:
            return f.read()
    name = "t%d_%s" % (os.getpid(), uuid.uuid4().hex)
    pg_create_db(d, name)
    dsn = f"postgresql://oidcgi@/{name}?host={d}"
    subprocess.run([CLI, "migrate", "sql", dsn], check=True,
                   capture_output=True)
    with open(keep, "w") as f:
        f.write(dsn)
    return dsn


class Server:
    """One lighttpd serving oidcgi, public and admin listeners."""

    def __init__(self, tmp, conf="", env=None, procs=1):
        self.tmp = str(tmp)
        self.data = os.path.join(self.tmp, "data")
        self.conf = os.path.join(self.tmp, "oidcgi.conf")
        # A conf naming its own dsn keeps it (two servers on one
        # database); else, on the PostgreSQL pass, a database of its own.
        own = re.search(r"^\s*dsn\s*=\s*(\S+)", conf, re.M)
        pg = pg_database(self.tmp) if own is None else None
        self.dsn = pg or (own.group(1) if own and
                          own.group(1).startswith("postgres") else None)
        with open(self.conf, "w") as f:
            f.write(conf)
            if pg:
                f.write(f"\ndsn = {pg}\n")
        self.pub_port = free_port()
        self.adm_port = free_port()
        self.pub = f"http://127.0.0.1:{self.pub_port}"
        self.adm = f"http://127.0.0.1:{self.adm_port}"
        self.log = os.path.join(self.tmp, "server.log")
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith(("URLS_", "SECRETS_", "TTL_", "SERVE_",
                             "STRATEGIES_", "OIDC_", "LOG_", "OAUTH2_",
                             "STORE_", "UI_", "WEBFINGER_")):
                del self.env[k]
        self.env.update({
            "OIDCGI_BUILD": BUILD,
            "OIDCGI_DATA_DIR": self.data,
            "OIDCGI_CONFIG": self.conf,
            "OIDCGI_EXTRA": ECHO,
            "OIDCGI_PROCS": str(procs),
            # No demo user and client: tests make their own.
            "OIDCGI_NO_DEMO": "1",
            "SERVE_PUBLIC_PORT": str(self.pub_port),
            "SERVE_ADMIN_PORT": str(self.adm_port),
        })
        self.env.update(env or {})
        self.proc = None
        self.logpos = 0

    def start(self):
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [os.path.join(TOP, "scripts", "serve")], env=self.env,
            stdout=logf, stderr=subprocess.STDOUT, cwd=self.tmp)
        logf.close()
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + self.read_log())
            try:
                if (requests.get(self.pub + "/health/alive", timeout=1)
                        .status_code == 200 and
                        requests.get(self.adm + "/health/alive", timeout=1)
                        .status_code == 200):
                    # On PostgreSQL nothing of LMDB's is made: the test
                    # runs on the backend it says.
                    assert self.dsn is None or not os.path.exists(
                        os.path.join(self.data, "data.mdb")), self.data
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("server did not start: " + self.read_log())

    def stop(self):
        """SIGTERM lighttpd; return the PIDs of its children that were
        still running afterwards (there should be none)."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        kids = children_of(self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        deadline = time.time() + 10     # a loaded machine is slow
        left = kids
        while left and time.time() < deadline:
            left = [k for k in kids if os.path.exists(f"/proc/{k}")
                    and "Z" not in open(f"/proc/{k}/stat").read()
                    .rsplit(")", 1)[1].split()[0]]
            time.sleep(0.05)
        for k in left:          # only our own children, by PID
            os.kill(k, signal.SIGKILL)
        return left

    def read_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def new_log(self):
        """Log lines written since the last call."""
        text = self.read_log()
        new, self.logpos = text[self.logpos:], len(text)
        return new


# --- the store as it is, on either backend --------------------------------

def store_db_names():
    """The store's named databases in the order of enum ostore_db (the
    number PostgreSQL stores), from lib/store/store.h."""
    with open(os.path.join(TOP, "lib", "store", "store.h")) as f:
        body = re.search(r"enum ostore_db \{(.*?)\}", f.read(),
                         re.S).group(1)
    return [n.lower() for n in re.findall(r"^\s*OSTORE_([A-Z_]+),", body,
                                          re.M) if not n.startswith("_")]


def store_records(srv, db=None):
    """Every record of the store of Server srv, or of its database db
    only, as (database name, key, value) bytes in key order: read with
    psql (scripts/pgtest sql) when srv runs on PostgreSQL, else with
    LMDB's mdb_dump.  The store may be open (a server running) or not.
    How a test looks at what is at rest without knowing the backend."""
    names = store_db_names()
    if srv.dsn:
        m = re.match(r"postgres(?:ql)?://[^/]*/([^?]+)\?host=(.+)$",
                     srv.dsn)
        assert m, "not a DSN of scripts/pgtest: " + srv.dsn
        dbname, pgdir = m.groups()
        q = "SELECT db, encode(k, 'hex'), encode(v, 'hex') FROM oidcgi_kv"
        if db is not None:
            q += " WHERE db = %d" % names.index(db)
        p = subprocess.run([PGTEST, "sql", pgdir, q + " ORDER BY db, k"],
                           capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, PGTEST_DB=dbname))
        assert p.returncode == 0 and p.stderr == "", p.stderr
        out = []
        for line in p.stdout.splitlines():
            n, k, v = line.split("|")
            out.append((names[int(n)], bytes.fromhex(k), bytes.fromhex(v)))
        return out
    args = ["mdb_dump"] + (["-s", db] if db else ["-a"]) + [srv.data]
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stderr == "", (args, p.stderr)
    out, cur, key, inside = [], db, None, False
    for line in p.stdout.splitlines():
        if line.startswith("database="):
            cur = line.split("=", 1)[1]
        elif line == "HEADER=END":
            inside = True
        elif line == "DATA=END":
            inside = False
        elif inside and line.startswith(" "):
            if key is None:
                key = bytes.fromhex(line[1:])
            else:
                out.append((cur, key, bytes.fromhex(line[1:])))
                key = None
    return out


def store_bytes(srv, db=None):
    """The keys and values of store_records(srv, db), one after the
    other: what a search for a secret at rest looks through."""
    return b"\n".join(k + b"\n" + v for _, k, v in store_records(srv, db))


def store_count(srv, db):
    """How many records the database db of srv's store holds."""
    return len(store_records(srv, db))


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("srv")).start()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def no_crash(request):
    """Fail a test during which any FastCGI child of the shared server
    died or a sanitizer reported."""
    srv = None
    if "server" in request.fixturenames:
        srv = request.getfixturevalue("server")
        srv.new_log()
    yield
    if srv is not None:
        log = srv.new_log()
        for mark in CRASH_MARKS:
            assert mark not in log, log


def raw_request(port, data, timeout=5, shut=False):
    """Send raw bytes to a port; return what came back (until close or
    the first complete response head and body when short)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
                head, sep, body = out.partition(b"\r\n\r\n")
                if sep:
                    cl = [l for l in head.split(b"\r\n")
                          if l.lower().startswith(b"content-length:")]
                    if cl and len(body) >= int(cl[0].split(b":")[1]):
                        break
        except (socket.timeout, ConnectionResetError):
            pass
        return out


def status_of(resp):
    line = resp.split(b"\r\n", 1)[0]
    return int(line.split()[1]) if line.startswith(b"HTTP/") else 0


# --- node packages: the Ory JavaScript SDKs (tests/sdk), Playwright ------

SDK = os.path.join(TOP, "tests", "sdk")
NPM_CI = ["ci", "--no-audit", "--no-fund", "--prefer-offline",
          "--ignore-scripts"]


def mtime(path):
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def modules_stale(d):
    """True when d/node_modules is missing or older than package.json or
    package-lock.json (npm ci writes node_modules/.package-lock.json
    last)."""
    installed = mtime(os.path.join(d, "node_modules", ".package-lock.json"))
    if installed is None:
        return True
    newest = max(mtime(os.path.join(d, f)) or 0
                 for f in ("package.json", "package-lock.json"))
    return installed < newest


def npm_ci(d):
    """Install d/node_modules from its lockfile unless it is current;
    a missing npm or a failing install fails the test."""
    if not modules_stale(d):
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not installed (Debian package npm; "
                    "scripts/deps installs it)")
    try:
        r = subprocess.run([npm] + NPM_CI, cwd=d, capture_output=True,
                           text=True, timeout=600)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"npm ci in {d} timed out after 600 s:\n{e.stdout}\n"
                    f"{e.stderr}")
    if r.returncode != 0:
        pytest.fail(f"`npm {' '.join(NPM_CI)}` in {d} failed "
                    f"(exit {r.returncode}):\n{r.stdout}\n{r.stderr}")
    assert not modules_stale(d), "npm ci left node_modules older than " \
        "the lockfile"


@pytest.fixture(scope="session")
def sdk_dir():
    """tests/sdk with its node_modules installed from the lockfile."""
    npm_ci(SDK)
    return SDK


def version():
    """The version the Makefile builds."""
    with open(os.path.join(TOP, "Makefile")) as f:
        return re.search(r"^VERSION\s*=\s*(\S+)", f.read(), re.M).group(1)


def make(*args, check=True):
    """make from the repository top, with this session's build folder."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    p = subprocess.run(["make", "--no-print-directory", "-j2", f"B={B}",
                        *args], cwd=TOP, env=env, capture_output=True,
                       text=True, timeout=600)
    if check:
        assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    return p


@pytest.fixture(scope="session")
def dist(tmp_path_factory):
    """make dist, once per session: (the tarball, its member names, the
    folder it unpacked to).  A shared host gets exactly this."""
    make("dist")
    tar = os.path.join(BUILD, "dist",
                       f"oidcgi-{version()}-linux-{os.uname().machine}"
                       ".tar.gz")
    assert os.path.isfile(tar)
    out = tmp_path_factory.mktemp("dist")
    with tarfile.open(tar) as t:
        names = t.getnames()
        t.extractall(out)
    return tar, names, os.path.join(out, f"oidcgi-{version()}")
