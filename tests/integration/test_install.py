"""make install, make uninstall, make static and make dist, and the man
page: what lands where, what an installed binary looks for, what the
static binaries still load, and that the tarball's health binary answers
a plain CGI request, and serves a shared host with its configuration
beside the binaries.  The install and static builds are made once per
session, in $OIDCGI_BUILD/install and $OIDCGI_BUILD/static."""

import base64
import glob
import json
import os
import re
import shutil
import subprocess
from urllib.parse import quote

import pytest

from conftest import BUILD, TOP, make, version

pytestmark = pytest.mark.lmdb_only(
    "a deployment test: what it runs has data directories of its own, "
    "never the test database, so it would only repeat the LMDB pass")

PREFIX = "/usr/local"
# The paths make install compiles in (lib/base/conf.h), as whole C strings.
INSTALL_PATHS = {b"/usr/local/etc/oidcgi/oidcgi.conf",
                 b"/usr/local/var/lib/oidcgi", b"/etc/oidcgi/oidcgi.conf",
                 b"/var/lib/oidcgi"}


def cgi_names():
    """The FastCGI binaries, found as the Makefile finds them."""
    names = {os.path.basename(p)[:-2]
             for p in glob.glob(os.path.join(TOP, "cgi-bin", "*.c"))}
    names |= {os.path.basename(os.path.dirname(p))
              for p in glob.glob(os.path.join(TOP, "cgi-bin", "*", "*.c"))}
    assert names
    return sorted(names)


def conf_examples():
    """Every file of conf/ but oidcgi.conf, relative to conf/."""
    out = []
    top = os.path.join(TOP, "conf")
    for d, _, files in os.walk(top):
        for f in files:
            rel = os.path.relpath(os.path.join(d, f), top)
            if rel != "oidcgi.conf":
                out.append(rel)
    return sorted(out)


def cstrings(path):
    """The NUL-terminated strings of a binary (as strings(1) finds)."""
    with open(path, "rb") as f:
        return set(f.read().split(b"\0"))


def clean_env(**extra):
    """An environment with no OIDCGI_*, DSN or Hydra-named variable."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C"}
    env.update(extra)
    return env


def files_under(root):
    out = set()
    for d, _, files in os.walk(root):
        for f in files:
            out.add(os.path.relpath(os.path.join(d, f), root))
    return out


def run_cli(cli, args, cwd, **env):
    return subprocess.run([cli, *args], cwd=cwd, env=clean_env(**env),
                          capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    dest = tmp_path_factory.mktemp("destdir")
    p = make("install", f"DESTDIR={dest}", f"PREFIX={PREFIX}")
    return dest, p.stdout


def test_install_layout(installed):
    dest, out = installed
    root = os.path.join(dest, PREFIX.lstrip("/"))
    want = {"bin/oidcgi", "share/oidcgi/ui/static/oidcgi.css",
            "share/man/man1/oidcgi.1", "etc/oidcgi/oidcgi.conf"}
    want |= {f"libexec/oidcgi/{n}" for n in cgi_names()}
    want |= {f"share/oidcgi/examples/{f}" for f in conf_examples()}
    assert files_under(root) == want
    assert files_under(dest) == {os.path.join(PREFIX.lstrip("/"), f)
                                 for f in want}
    for f in ["bin/oidcgi"] + [f"libexec/oidcgi/{n}" for n in cgi_names()]:
        assert os.stat(os.path.join(root, f)).st_mode & 0o777 == 0o755, f
    # The examples (dot files and subfolders included) and the
    # configuration are copies of conf/.
    for f in conf_examples():
        with open(os.path.join(TOP, "conf", f), "rb") as a, \
                open(os.path.join(root, "share/oidcgi/examples", f),
                     "rb") as b:
            assert a.read() == b.read(), f
    with open(os.path.join(TOP, "conf/oidcgi.conf"), "rb") as a, \
            open(os.path.join(root, "etc/oidcgi/oidcgi.conf"), "rb") as b:
        assert a.read() == b.read()
    assert "/usr/local/etc/oidcgi/oidcgi.conf" in out
    assert "kept" not in out
    with open(os.path.join(root, "share/man/man1/oidcgi.1")) as f:
        man = f.read()
    assert "/usr/local/etc/oidcgi/oidcgi.conf" in man
    assert "/usr/local/var/lib/oidcgi" in man


def test_installed_cli_looks_in_sysconfdir(installed, tmp_path):
    """The installed CLI, with no OIDCGI_* variable and no conf/ in its
    working directory, reads /usr/local/etc/oidcgi/oidcgi.conf (missing
    here: the install went to DESTDIR) and keeps its data in
    /usr/local/var/lib/oidcgi; the development build reads conf/ and
    keeps var/."""
    dest, _ = installed
    root = os.path.join(dest, PREFIX.lstrip("/"))
    cli = os.path.join(root, "bin/oidcgi")
    if os.path.exists("/usr/local/etc/oidcgi/oidcgi.conf"):
        pytest.skip("this machine has /usr/local/etc/oidcgi/oidcgi.conf")
    p = run_cli(cli, ["config", "get", "serve.public.port"], tmp_path)
    assert p.returncode == 1, p.stdout + p.stderr
    # The installed build's configuration file must exist: it is named,
    # and nothing is read from the working directory.
    assert "/usr/local/etc/oidcgi/oidcgi.conf" in p.stderr
    assert re.search(r"does not exist|No such file", p.stderr), p.stderr
    conf = os.path.join(root, "etc/oidcgi/oidcgi.conf")
    p = run_cli(cli, ["config", "get", "dsn"], tmp_path, OIDCGI_CONFIG=conf)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "/usr/local/var/lib/oidcgi"
    assert {b"/usr/local/etc/oidcgi/oidcgi.conf",
            b"/usr/local/var/lib/oidcgi"} <= cstrings(cli)
    dev = os.path.join(BUILD, "bin/oidcgi")
    if os.path.exists(dev):
        p = run_cli(dev, ["config", "get", "dsn"], tmp_path)
        assert p.returncode == 0, p.stderr
        assert p.stdout.strip() == "var"
        assert not INSTALL_PATHS & cstrings(dev)


def test_reinstall_keeps_config_uninstall_leaves_it(installed,
                                                   tmp_path):
    dest = str(tmp_path)
    make("install", f"DESTDIR={dest}", f"PREFIX={PREFIX}")
    conf = os.path.join(dest, "usr/local/etc/oidcgi/oidcgi.conf")
    with open(conf, "w") as f:
        f.write("urls.self.issuer = https://sso.example.org/\n")
    p = make("install", f"DESTDIR={dest}", f"PREFIX={PREFIX}")
    assert "oidcgi.conf exists: kept" in p.stdout
    with open(conf) as f:
        assert f.read() == "urls.self.issuer = https://sso.example.org/\n"
    # Data the operator made is not touched either.
    data = os.path.join(dest, "usr/local/var/lib/oidcgi")
    os.makedirs(data)
    with open(os.path.join(data, "secrets.system"), "w") as f:
        f.write("x" * 32 + "\n")
    make("uninstall", f"DESTDIR={dest}", f"PREFIX={PREFIX}")
    assert files_under(dest) == {
        "usr/local/etc/oidcgi/oidcgi.conf",
        "usr/local/var/lib/oidcgi/secrets.system"}
    assert not os.path.exists(os.path.join(dest, "usr/local/libexec/oidcgi"))
    assert not os.path.exists(os.path.join(dest, "usr/local/share/oidcgi"))


def test_install_prefix_usr(installed, tmp_path):
    """PREFIX=/usr: the configuration in /etc, the data in /var; the
    install build is recompiled for the new paths."""
    dest = str(tmp_path)
    try:
        make("install", f"DESTDIR={dest}", "PREFIX=/usr")
        assert os.path.isfile(os.path.join(dest, "etc/oidcgi/oidcgi.conf"))
        assert os.path.isfile(os.path.join(dest, "usr/bin/oidcgi"))
        assert os.path.isfile(os.path.join(dest, "usr/libexec/oidcgi/health"))
        with open(os.path.join(dest, "usr/share/man/man1/oidcgi.1")) as f:
            man = f.read()
        assert "/etc/oidcgi/oidcgi.conf" in man
        assert "/usr/local" not in man
        p = run_cli(os.path.join(dest, "usr/bin/oidcgi"),
                    ["config", "get", "dsn"], tmp_path,
                    OIDCGI_CONFIG=os.path.join(dest,
                                               "etc/oidcgi/oidcgi.conf"))
        assert p.returncode == 0, p.stderr
        assert p.stdout.strip() == "/var/lib/oidcgi"
    finally:
        make("uninstall", f"DESTDIR={dest}", "PREFIX=/usr")
    assert files_under(dest) == {"etc/oidcgi/oidcgi.conf"}


def ldd(path):
    p = subprocess.run(["ldd", path], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_static_libraries(dist):
    """libfcgi, liblmdb and libjansson are linked in; libc and libcrypto
    stay shared, and nothing loads libcurl at start (back-channel logout
    and oidcgi doctor open it when they need it): a host without it runs
    everything else."""
    static = os.path.join(BUILD, "static")
    _, _, top = dist
    cgis = [os.path.join(static, "cgi-bin", n) for n in cgi_names()]
    cgis += [os.path.join(top, "docroot/cgi-bin", n) for n in cgi_names()]
    clis = [os.path.join(static, "bin", "oidcgi"),
            os.path.join(top, "bin/oidcgi")]
    for b in cgis + clis:
        out = ldd(b)
        for lib in ("libfcgi", "liblmdb", "libjansson"):
            assert lib not in out, (b, out)
        assert "libcrypto.so" in out and "libc.so" in out, (b, out)
        assert "libcurl" not in out, (b, out)
    dev = os.path.join(BUILD, "cgi-bin", "health")
    if os.path.exists(dev):
        assert "libfcgi" in ldd(dev)


def test_dist_layout(dist):
    tar, names, top = dist
    v = f"oidcgi-{version()}"
    want = {"bin/oidcgi", "oidcgi.conf.example", "README.md",
            "doc/oidcgi.1", "docroot/ui/static/oidcgi.css"}
    want |= {f"docroot/cgi-bin/{n}" for n in cgi_names()}
    if os.path.exists(os.path.join(TOP, "SECURITY.md")):
        want.add("SECURITY.md")
    ht = os.path.join(TOP, "conf", "htaccess")
    for f in files_under(ht):
        want.add(f"docroot/{f}")
    assert any(os.path.basename(f) == ".htaccess" for f in want)
    assert files_under(top) == want
    assert all(n == v or n.startswith(v + "/") for n in names)
    for f in files_under(ht):
        with open(os.path.join(ht, f), "rb") as a, \
                open(os.path.join(top, "docroot", f), "rb") as b:
            assert a.read() == b.read(), f
    with open(os.path.join(TOP, "conf/oidcgi.conf"), "rb") as a, \
            open(os.path.join(top, "oidcgi.conf.example"), "rb") as b:
        assert a.read() == b.read()
    for n in cgi_names():
        assert os.access(os.path.join(top, "docroot/cgi-bin", n), os.X_OK)
    # No install path compiled in: the binaries look beside themselves.
    for b in [os.path.join(top, "bin/oidcgi")] + \
            [os.path.join(top, "docroot/cgi-bin", n) for n in cgi_names()]:
        assert not INSTALL_PATHS & cstrings(b), b


def test_dist_health_answers_cgi(dist, tmp_path):
    _, _, top = dist
    status, headers, body = cgi(
        os.path.join(top, "docroot/cgi-bin/health"), tmp_path,
        "/health/alive", OIDCGI_DATA_DIR=str(tmp_path / "data"))
    assert status == 200, body
    assert "Content-Type: application/json; charset=utf-8" in headers
    assert body == b'{"status":"ok"}'


def test_dist_needs_htaccess(dist, tmp_path):
    """Without the .htaccess recipe make dist stops and says why."""
    empty = tmp_path / "htaccess"
    empty.mkdir()
    p = make("dist", f"HTACCESS={empty}", check=False)
    assert p.returncode != 0
    assert f"{empty}/.htaccess is missing" in p.stderr


def test_man_page():
    man = os.path.join(TOP, "doc", "oidcgi.1")
    if not shutil.which("mandoc") and not shutil.which("groff"):
        pytest.skip("neither mandoc nor groff is installed")
    if shutil.which("mandoc"):
        p = subprocess.run(["mandoc", "-Tlint", "-Wwarning", man],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stdout + p.stderr
        p = subprocess.run(["mandoc", "-Tutf8", man], capture_output=True,
                           text=True)
    if shutil.which("groff"):
        p = subprocess.run(["groff", "-mandoc", "-Tutf8", "-ww", "-z", man],
                           capture_output=True, text=True)
        assert p.returncode == 0 and p.stderr == "", p.stderr
        p = subprocess.run(["groff", "-mandoc", "-Tutf8", man],
                           capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    page = re.sub(".\x08", "", p.stdout)  # overstrike: bold, underline
    for h in ("SYNOPSIS", "DESCRIPTION", "ENVIRONMENT", "FILES",
              "EXIT STATUS"):
        assert f"\n{h}\n" in page, h
    # Every command of cli/oidcgi.c, and every subcommand its modules
    # name, has an entry of its own (".It Cm users add ...").
    with open(man) as f:
        text = f.read()
    with open(os.path.join(TOP, "cli", "oidcgi.c")) as f:
        cmds = set(re.findall(r'strcmp\(argv\[1\], "([a-z]+)"\)',
                              f.read()))
    assert {"init", "config", "clients", "keys", "users", "demo",
            "version"} <= cmds
    cmds |= {"doctor"}
    entries = re.findall(r"^\.It Cm ([a-z]+)(?: ([a-z-]+))?", text, re.M)
    for c in cmds - {"config", "clients", "keys", "users"}:
        assert (c, "") in entries or any(e[0] == c for e in entries), c
    subs = {"config": {"check", "get"}}
    for c in ("clients", "keys", "users"):
        with open(os.path.join(TOP, "cli", f"{c}.c")) as f:
            subs[c] = set(re.findall(r'strcmp\(argv\[0\], "([a-z-]+)"\)',
                                     f.read()))
        assert subs[c], c
    for c, names in subs.items():
        for n in names:
            assert (c, n) in entries, f"{c} {n}"
    for opt in ("OIDCGI_CONFIG", "OIDCGI_DATA_DIR", "DSN", "URLS_SELF_ISSUER"):
        assert f"Ev {opt}" in text, opt
    assert "Fl c Ar file" in text and "Fl Fl user Ar user" in text


def cgi(binary, cwd, uri, method="GET", body=b"", **env):
    """One plain CGI request; returns (status, headers, body)."""
    e = clean_env(REQUEST_METHOD=method, REQUEST_URI=uri,
                  GATEWAY_INTERFACE="CGI/1.1", SERVER_PROTOCOL="HTTP/1.1",
                  **env)
    if body:
        e["CONTENT_LENGTH"] = str(len(body))
    p = subprocess.run([binary], cwd=cwd, env=e, input=body,
                       capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr
    head, _, out = p.stdout.partition(b"\r\n\r\n")
    if not out:
        head, _, out = p.stdout.partition(b"\n\n")
    lines = head.decode().splitlines()
    assert lines[0].startswith("Status: "), p.stdout
    return int(lines[0].split()[1]), lines[1:], out


def test_dist_on_a_shared_host(dist, tmp_path):
    """The tarball as a shared host runs it: the configuration beside
    the binaries (no environment variable, no install path), the store
    made with bin/oidcgi -c, then discovery under the issuer's path and
    a client_credentials token, each as one plain CGI request."""
    _, _, top = dist
    host = tmp_path / "host"
    shutil.copytree(top, host, symlinks=True)
    conf = host / "docroot" / "cgi-bin" / "oidcgi.conf"
    data = tmp_path / "data"
    conf.write_text("urls.self.issuer = https://example.org/sso/\n"
                    f"dsn = {data}\n")
    work = tmp_path / "work"
    work.mkdir()
    cli = str(host / "bin" / "oidcgi")
    p = run_cli(cli, ["-c", str(conf), "init"], work)
    assert p.returncode == 0, p.stderr
    assert (data / "data.mdb").exists()
    p = run_cli(cli, ["-c", str(conf), "clients", "create",
                      "--grant-type", "client_credentials"], work)
    assert p.returncode == 0, p.stderr
    client = json.loads(p.stdout)
    cgibin = host / "docroot" / "cgi-bin"
    docroot = str(host / "docroot")
    status, _, body = cgi(str(cgibin / "wellknown"), work,
                          "/sso/.well-known/openid-configuration",
                          DOCUMENT_ROOT=docroot)
    assert status == 200, body
    doc = json.loads(body)
    assert doc["issuer"] == "https://example.org/sso/"
    assert doc["token_endpoint"] == "https://example.org/sso/oauth2/token"
    basic = base64.b64encode(
        f"{quote(client['client_id'], safe='')}:"
        f"{quote(client['client_secret'], safe='')}".encode()).decode()
    status, _, body = cgi(str(cgibin / "oauth2"), work, "/sso/oauth2/token",
                          method="POST",
                          body=b"grant_type=client_credentials",
                          CONTENT_TYPE="application/x-www-form-urlencoded",
                          HTTP_AUTHORIZATION=f"Basic {basic}",
                          DOCUMENT_ROOT=docroot)
    assert status == 200, body
    tok = json.loads(body)
    assert tok["token_type"].lower() == "bearer" and tok["access_token"]
