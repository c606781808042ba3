"""Prometheus metrics on the admin listener (GET /admin/metrics/prometheus,
Hydra's path): requests by endpoint family, listener and status, tokens
issued by grant, the store's size and use, build info.  The counters live
in <data>/metrics and are shared by every process of every binary: the
server here runs two FastCGI processes per binary, the counts must
survive a restart, and a plain CGI process (one per request) must count
into the same file."""

import os
import re
import subprocess

import pytest
import requests

from conftest import BUILD, Server
import flowlib

CTYPE = "text/plain; version=0.0.4; charset=utf-8"
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf"^({NAME})(?:\{{((?:{LABEL})(?:,{LABEL})*)?\}})? "
                    r"(\S+)$")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


def parse(text):
    """A strict parser of the Prometheus text format 0.0.4 as oidcgi
    writes it: every line a # HELP, a # TYPE or a sample `name{labels}
    value`; every family has exactly one HELP and one TYPE, both before
    its samples; no sample repeats.  Returns {name: {"type", "help",
    "samples": {frozenset(labels): float}}}."""
    assert text.endswith("\n"), "the exposition must end with a newline"
    fams = {}
    seen = set()
    for n, line in enumerate(text[:-1].split("\n"), 1):
        where = f"line {n}: {line!r}"
        if line.startswith("# HELP "):
            name, _, help_ = line[7:].partition(" ")
            assert re.fullmatch(NAME, name) and help_, where
            f = fams.setdefault(name, {"samples": {}})
            assert "help" not in f and not f["samples"], where
            f["help"] = help_
        elif line.startswith("# TYPE "):
            name, _, typ = line[7:].partition(" ")
            assert re.fullmatch(NAME, name) and typ in TYPES, where
            f = fams.setdefault(name, {"samples": {}})
            assert "type" not in f and not f["samples"], where
            f["type"] = typ
        else:
            assert not line.startswith("#") and line.strip() == line, where
            m = SAMPLE.match(line)
            assert m, where
            name, labels, value = m.groups()
            assert name in fams, f"{where}: no # HELP/# TYPE before it"
            f = fams[name]
            assert "help" in f and "type" in f, where
            lab = frozenset(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"',
                                       labels or ""))
            assert (name, lab) not in seen, f"{where}: repeated"
            seen.add((name, lab))
            v = float(value)
            if f["type"] == "counter":
                assert v >= 0 and v == int(v), where
                assert name.endswith("_total"), where
            f["samples"][lab] = v
    for name, f in fams.items():
        assert "help" in f and "type" in f, name
    return fams


def scrape(srv, path="/admin/metrics/prometheus"):
    r = requests.get(srv.adm + path, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == CTYPE
    return parse(r.text)


def requests_by(fams):
    """{(family, listener, code): count} of oidcgi_http_requests_total."""
    out = {}
    for lab, v in fams["oidcgi_http_requests_total"]["samples"].items():
        d = dict(lab)
        assert set(d) == {"family", "listener", "code"}, d
        out[(d["family"], d["listener"], d["code"])] = int(v)
    return out


def tokens_by(fams):
    """{(grant, type): count} of oidcgi_tokens_issued_total."""
    out = {}
    for lab, v in fams["oidcgi_tokens_issued_total"]["samples"].items():
        d = dict(lab)
        assert set(d) == {"grant", "type"}, d
        out[(d["grant"], d["type"])] = int(v)
    return out


def delta(after, before):
    """The series that moved, and by how much (never backwards)."""
    out = {}
    for k, v in after.items():
        assert v >= before.get(k, 0), k
        if v != before.get(k, 0):
            out[k] = v - before.get(k, 0)
    for k in before:
        assert k in after, f"{k} disappeared"
    return out


def issued(grant, body):
    """The token counts a token response should add."""
    return {(grant, t): 1 for t in ("access_token", "id_token",
                                    "refresh_token") if t in body}


def add(d, k, n=1):
    d[k] = d.get(k, 0) + n


@pytest.fixture(scope="module")
def msrv(tmp_path_factory):
    """A server of its own (two processes per binary), so that no other
    test's requests move the counters."""
    s = Server(tmp_path_factory.mktemp("metrics"), procs=2).start()
    yield s
    s.stop()


def cc_client(srv):
    r = requests.post(srv.adm + "/admin/clients", json={
        "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": "client_secret_basic"})
    assert r.status_code == 201, r.text
    return r.json()


def test_counters_move_by_exactly_the_requests_made(msrv):
    before = scrape(msrv)
    want_req, want_tok = {}, {}

    c = cc_client(msrv)
    add(want_req, ("clients", "admin", "201"))
    auth = (c["client_id"], c["client_secret"])
    # Several tokens: the two oauth2 processes both count.
    for _ in range(4):
        r = requests.post(msrv.pub + "/oauth2/token", auth=auth,
                          data={"grant_type": "client_credentials"})
        assert r.status_code == 200, r.text
        add(want_req, ("oauth2", "public", "200"))
        for k, n in issued("client_credentials", r.json()).items():
            add(want_tok, k, n)
    r = requests.post(msrv.pub + "/oauth2/token", auth=(auth[0], "wrong"),
                      data={"grant_type": "client_credentials"})
    assert r.status_code == 401, r.text
    add(want_req, ("oauth2", "public", "401"))
    # An unknown public path is the oauth2 binary's JSON 404.
    r = requests.get(msrv.pub + "/no/such/path")
    assert r.status_code == 404
    add(want_req, ("oauth2", "public", "404"))
    # An unknown admin path is health's.
    r = requests.get(msrv.adm + "/admin/no/such/path")
    assert r.status_code == 404
    add(want_req, ("health", "admin", "404"))

    # A code flow with offline_access: code, then refresh.
    client = flowlib.new_client(msrv)
    add(want_req, ("clients", "admin", "201"))
    verifier, chal = flowlib.pkce()
    loc, _ = flowlib.login_and_consent(
        msrv, client, scope="openid offline_access",
        code_challenge=chal, code_challenge_method="S256")
    # /oauth2/auth three times (to login and consent 302, to the
    # client 303), the login accept, the consent request and its accept
    # on the admin flow API.
    add(want_req, ("oauth2", "public", "302"), 2)
    add(want_req, ("oauth2", "public", "303"))
    add(want_req, ("flow", "admin", "200"), 3)
    code = flowlib.qs(loc)["code"]
    cauth = (client["client_id"], client["client_secret"])
    r = requests.post(msrv.pub + "/oauth2/token", auth=cauth, data={
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": client["redirect_uris"][0],
        "code_verifier": verifier})
    assert r.status_code == 200, r.text
    tok = r.json()
    assert {"access_token", "id_token", "refresh_token"} <= set(tok)
    add(want_req, ("oauth2", "public", "200"))
    for k, n in issued("authorization_code", tok).items():
        add(want_tok, k, n)
    r = requests.post(msrv.pub + "/oauth2/token", auth=cauth, data={
        "grant_type": "refresh_token",
        "refresh_token": tok["refresh_token"]})
    assert r.status_code == 200, r.text
    add(want_req, ("oauth2", "public", "200"))
    for k, n in issued("refresh_token", r.json()).items():
        add(want_tok, k, n)
    # The first scrape counts itself once answered.
    add(want_req, ("health", "admin", "200"))

    after = scrape(msrv)
    assert delta(requests_by(after), requests_by(before)) == want_req
    assert delta(tokens_by(after), tokens_by(before)) == want_tok
    assert want_tok[("client_credentials", "access_token")] == 4
    assert want_tok[("authorization_code", "id_token")] == 1


def test_exposition(msrv):
    fams = scrape(msrv)
    assert fams["oidcgi_build_info"]["type"] == "gauge"
    ver = requests.get(msrv.adm + "/admin/version").json()["version"]
    assert fams["oidcgi_build_info"]["samples"] == {
        frozenset({("version", ver)}): 1.0}
    assert fams["oidcgi_http_requests_total"]["type"] == "counter"
    assert fams["oidcgi_tokens_issued_total"]["type"] == "counter"
    # Every series a grant can issue is there, zero or not.
    assert set(tokens_by(fams)) == {
        ("authorization_code", "access_token"),
        ("authorization_code", "id_token"),
        ("authorization_code", "refresh_token"),
        ("refresh_token", "access_token"), ("refresh_token", "id_token"),
        ("refresh_token", "refresh_token"),
        ("client_credentials", "access_token"),
        ("implicit", "access_token"), ("implicit", "id_token")}
    for k in requests_by(fams):
        assert k[0] in ("health", "clients", "register", "keys",
                        "wellknown", "flow", "oauth2", "ui", "other"), k
        assert k[1] in ("public", "admin"), k
        assert k[2] == "other" or re.fullmatch(r"[1-5][0-9][0-9]", k[2])


@pytest.mark.lmdb_only("LMDB's map and its data file")
def test_store_size_gauges(msrv):
    """The store's size gauges follow LMDB's map: the default map, not
    grown here, and the pages used, up to the data file's size."""
    fams = scrape(msrv)
    size = fams["oidcgi_store_size_bytes"]["samples"][frozenset()]
    used = fams["oidcgi_store_used_bytes"]["samples"][frozenset()]
    ratio = fams["oidcgi_store_map_use_ratio"]["samples"][frozenset()]
    for f in ("oidcgi_store_size_bytes", "oidcgi_store_used_bytes",
              "oidcgi_store_map_use_ratio"):
        assert fams[f]["type"] == "gauge"
    assert size == 64 << 20     # the default map, not grown here
    assert 0 < used < size
    assert abs(ratio - used / size) < 1e-6
    # The store's use follows the data file (pages up to the last used).
    assert used <= os.path.getsize(os.path.join(msrv.data, "data.mdb"))


def test_hydra_1x_path_and_get_only(msrv):
    """/metrics/prometheus also answers at the admin root (Hydra 1.x
    paths); it is GET (and HEAD) only."""
    scrape(msrv, "/metrics/prometheus")
    r = requests.post(msrv.adm + "/admin/metrics/prometheus")
    assert r.status_code == 405
    assert r.headers["Allow"].startswith("GET")


def test_public_listener_has_no_metrics(msrv):
    before = requests_by(scrape(msrv))
    for p in ("/metrics/prometheus", "/admin/metrics/prometheus"):
        r = requests.get(msrv.pub + p)
        assert r.status_code == 404, (p, r.text)
        assert r.headers["Content-Type"].startswith("application/json")
        assert "oidcgi_" not in r.text
    d = delta(requests_by(scrape(msrv)), before)
    assert d == {("oauth2", "public", "404"): 2,
                 ("health", "admin", "200"): 1}


def test_the_file(msrv):
    path = os.path.join(msrv.data, "metrics")
    st = os.stat(path)
    assert st.st_mode & 0o7777 == 0o600
    assert st.st_uid == os.stat(msrv.data).st_uid
    with open(path, "rb") as f:
        head = f.read(16)
    assert head[:8] == b"oidcgiMX"
    assert int.from_bytes(head[8:12], "little") == 1
    assert st.st_size == 16 + 8 * int.from_bytes(head[12:16], "little")
    # Nothing else left beside it (no temporary file).
    assert not [n for n in os.listdir(msrv.data) if n.startswith("metrics.")]


def cgi(binary, data, conf, uri, **env):
    """One plain CGI request to a binary; returns (status, body)."""
    e = {"PATH": "/usr/bin:/bin", "REQUEST_METHOD": "GET",
         "REQUEST_URI": uri, "GATEWAY_INTERFACE": "CGI/1.1",
         "SERVER_PROTOCOL": "HTTP/1.1", "OIDCGI_DATA_DIR": data,
         "OIDCGI_CONFIG": conf}
    e.update(env)
    p = subprocess.run([os.path.join(BUILD, "cgi-bin", binary)], env=e,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=30)
    assert p.returncode == 0, p.stderr
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    first = head.decode().splitlines()[0]
    assert first.startswith("Status: "), p.stdout
    return int(first.split()[1]), body.decode()


def test_plain_cgi_and_restart_keep_counting(msrv, tmp_path):
    """Stop the server: plain CGI processes (one per request) count into
    the same file, then a new server on the same data directory goes on
    from there.  Runs last: it stops the module's server."""
    before = scrape(msrv)
    assert msrv.stop() == []
    st, _ = cgi("wellknown", msrv.data, msrv.conf,
                "/.well-known/openid-configuration")
    assert st == 200
    st, _ = cgi("keys", msrv.data, msrv.conf, "/admin/keys/none",
                OIDCGI_LISTENER="admin")
    assert st == 404
    # As plain CGI with an admin key: the metrics need it, as the rest
    # of the admin API (unlike Hydra: on a shared host the admin API
    # shares the public host, with the key its only fence) ...
    st, text = cgi("health", msrv.data, msrv.conf,
                   "/admin/metrics/prometheus", OIDCGI_LISTENER="admin",
                   SECRETS_ADMIN="an-admin-key-of-some-length",
                   HTTP_AUTHORIZATION="Bearer an-admin-key-of-some-length")
    assert st == 200
    mid = parse(text)
    # The health binary itself refuses them on the public listener
    # (whichever binary a web server sends the path to).
    for uri in ("/metrics/prometheus", "/admin/metrics/prometheus"):
        st, text = cgi("health", msrv.data, msrv.conf, uri)
        assert st == 404 and "oidcgi_" not in text, uri
    # ... and without it the admin API refuses.
    st, _ = cgi("keys", msrv.data, msrv.conf, "/admin/keys/none",
                OIDCGI_LISTENER="admin",
                SECRETS_ADMIN="an-admin-key-of-some-length")
    assert st == 401
    # The first scrape counted itself; lighttpd's shutdown counts nothing.
    assert delta(requests_by(mid), requests_by(before)) == {
        ("health", "admin", "200"): 1,
        ("wellknown", "public", "200"): 1,
        ("keys", "admin", "404"): 1}
    # (the public 404s below come after this scrape)
    assert tokens_by(mid) == tokens_by(before)

    again = Server(msrv.tmp, procs=1)
    again.start()
    try:
        after = scrape(again)
    finally:
        assert again.stop() == []
    d = delta(requests_by(after), requests_by(mid))
    # The CGI scrape, the CGI 401; the new server's start-up probes.
    assert d.pop(("health", "admin", "200")) >= 1
    assert d.pop(("keys", "admin", "401")) == 1
    assert d.pop(("health", "public", "404")) == 2
    assert set(d) <= {("health", "public", "200")}
    assert tokens_by(after) == tokens_by(before)
