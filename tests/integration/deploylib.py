"""The same protocol checks on any deployment of oidcgi: Apache (mod_fcgid,
mod_proxy_fcgi, plain CGI), nginx with spawn-fcgi, lighttpd.

check_deployment(public, admin) plays a client, a browser and the login
and consent app against two base URLs (each ending in '/', possibly
with a path, as http://127.0.0.1:P/sso/) and asserts every step.  A web
server that drops the Authorization header, routes a path to the wrong
binary, answers an error in its own HTML or serves the admin API on the
public listener fails one of them, with the step named in the message.
"""

import base64
import json
import os
import pwd
import socket
import subprocess
import urllib.parse

import requests

from conftest import CLI
from flowlib import pkce, qs

REDIRECT = "https://rp.example/cb"
TIMEOUT = 15
WWW = "www-data"
# Configuration variables a test's own environment must not leak in.
HYDRA_ENV = ("URLS_", "SECRETS_", "TTL_", "SERVE_", "STRATEGIES_", "OIDC_",
             "LOG_", "OAUTH2_", "STORE_", "UI_", "WEBFINGER_", "DSN",
             "OIDCGI_")


def www_ids():
    """The uid and gid the web server runs the binaries as: www-data
    when we are root (servers refuse to run programs as root), else
    ourselves."""
    if os.getuid() == 0:
        pw = pwd.getpwnam(WWW)
        return pw.pw_uid, pw.pw_gid
    return os.getuid(), os.getgid()


def prepare_site(conf, lines, data=None, cli=CLI):
    """Write the configuration file conf (mode 0644: the web server's
    user reads it) from lines, then prepare the data directory as an
    operator does: oidcgi -c conf init --user www-data when root (with
    the CLI cli).  The data directory is data (OIDCGI_DATA_DIR), or the
    configuration's dsn when None.  Returns the environment the CLI ran
    with."""
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(conf, 0o644)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(HYDRA_ENV)}
    if data is not None:
        env["OIDCGI_DATA_DIR"] = data
    cmd = [cli, "-c", conf, "init"]
    if os.getuid() == 0:
        cmd += ["--user", WWW]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert r.returncode == 0, f"{cmd}: {r.stdout}{r.stderr}"
    if data is None:
        data = subprocess.run([cli, "-c", conf, "config", "get", "dsn"],
                              env=env, capture_output=True, text=True,
                              check=True).stdout.strip()
    st = os.stat(data)
    assert (st.st_uid, st.st_gid) == www_ids(), \
        f"{data} belongs to {st.st_uid}:{st.st_gid}"
    return env


def jsonof(r, status, what):
    """Assert r has the status and a JSON body; return the body."""
    assert r.status_code == status, \
        f"{what}: {r.request.method} {r.url}: expected {status}, got " \
        f"{r.status_code}: {r.text[:500]}"
    ctype = r.headers.get("Content-Type", "")
    assert "json" in ctype, \
        f"{what}: {r.request.method} {r.url}: not JSON ({ctype!r}): " \
        f"{r.text[:500]}"
    try:
        return r.json()
    except ValueError:
        raise AssertionError(f"{what}: {r.url}: body is not JSON: "
                             f"{r.text[:500]}")


def under(url, base):
    return url.startswith(base)


def raw_post(url, length, headers=None, timeout=TIMEOUT):
    """POST `length` bytes to url over a plain socket, not minding that
    the server may stop reading early; return (status, headers, body).
    A server that answers a too large body before reading it may reset
    the connection while the rest is sent: the answer is read first."""
    u = urllib.parse.urlsplit(url)
    host, port = u.hostname, u.port or 80
    target = u.path + ("?" + u.query if u.query else "")
    head = [f"POST {target} HTTP/1.1", f"Host: {u.netloc}",
            f"Content-Length: {length}", "Connection: close"]
    for k, v in (headers or {}).items():
        head.append(f"{k}: {v}")
    data = ("\r\n".join(head) + "\r\n\r\n").encode()
    out = b""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        chunk = b"x" * 65536
        left = length
        try:
            while left > 0:
                n = min(left, len(chunk))
                s.sendall(chunk[:n])
                left -= n
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                out += b
        except (ConnectionResetError, socket.timeout):
            pass
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines and lines[0].startswith("HTTP/"), \
        f"POST {url} with {length} bytes: no HTTP answer: {out[:300]!r}"
    status = int(lines[0].split()[1])
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        body = dechunk(body)
    return status, hdrs, body


def dechunk(b):
    out = b""
    while b:
        size, _, rest = b.partition(b"\r\n")
        n = int(size.split(b";")[0], 16)
        if n == 0:
            break
        out += rest[:n]
        b = rest[n + 2:]
    return out


class Deployment:
    """The two base URLs, the admin key and the helpers that use them."""

    def __init__(self, public, admin, admin_key):
        assert public.endswith("/") and admin.endswith("/")
        self.public = public
        self.admin = admin
        self.key = admin_key
        self.adm = requests.Session()
        if admin_key:
            self.adm.headers["Authorization"] = "Bearer " + admin_key

    def get(self, url, what, status=200, **kw):
        return jsonof(requests.get(url, timeout=TIMEOUT, **kw), status, what)

    def admin_call(self, method, path, what, status=200, **kw):
        r = self.adm.request(method, self.admin + path, timeout=TIMEOUT,
                             **kw)
        return jsonof(r, status, what)


def basic(client):
    pair = (urllib.parse.quote(client["client_id"], safe="") + ":" +
            urllib.parse.quote(client["client_secret"], safe=""))
    return "Basic " + base64.b64encode(pair.encode()).decode()


def check_health(d):
    assert d.get(d.public + "health/alive", "public health")["status"] \
        == "ok"
    assert d.get(d.public + "health/ready", "public readiness")["status"] \
        == "ok"
    assert d.get(d.admin + "admin/health/ready",
                 "admin readiness")["status"] == "ok"
    assert "version" in d.get(d.admin + "admin/version", "admin version")


def check_discovery(d):
    doc = d.get(d.public + ".well-known/openid-configuration", "discovery")
    assert doc["issuer"] == d.public, \
        f"discovery: issuer {doc['issuer']!r}, expected {d.public!r}"
    for k in ("authorization_endpoint", "token_endpoint",
              "userinfo_endpoint", "jwks_uri", "revocation_endpoint"):
        assert under(doc[k], d.public), \
            f"discovery: {k} {doc[k]!r} is not under {d.public!r}"
    jwks = d.get(doc["jwks_uri"], "JWKS")
    assert jwks.get("keys"), f"JWKS: no keys: {jwks}"
    for k in jwks["keys"]:
        assert "kid" in k and "kty" in k, f"JWKS: {k}"
        assert "d" not in k, "JWKS: a private key is published"
    return doc


def check_admin_key(d):
    if not d.key:
        return
    r = requests.get(d.admin + "admin/clients", timeout=TIMEOUT)
    body = jsonof(r, 401, "admin API without the admin key")
    assert "error" in body, body
    r = requests.get(d.admin + "admin/clients", timeout=TIMEOUT,
                     headers={"Authorization": "Bearer wrong" + d.key})
    jsonof(r, 401, "admin API with a wrong admin key")
    d.admin_call("GET", "admin/clients", "admin API with the admin key")


def create_clients(d, v1_admin_paths):
    client = d.admin_call("POST", "admin/clients", "create a client (2.x)",
                          status=201, json={
                              "client_name": "deploy check",
                              "redirect_uris": [REDIRECT],
                              "grant_types": ["authorization_code",
                                              "refresh_token",
                                              "client_credentials"],
                              "response_types": ["code"],
                              "scope": "openid offline_access profile",
                              "token_endpoint_auth_method":
                                  "client_secret_basic"})
    assert client.get("client_secret"), client
    got = d.admin_call("GET", "admin/clients/" + client["client_id"],
                       "read the client back")
    assert got["client_id"] == client["client_id"]
    if v1_admin_paths:
        v1 = d.admin_call("POST", "clients", "create a client (1.x path)",
                          status=201, json={
                              "grant_types": ["client_credentials"],
                              "token_endpoint_auth_method":
                                  "client_secret_basic"})
        r = d.adm.delete(d.admin + "clients/" + v1["client_id"],
                         timeout=TIMEOUT)
        assert r.status_code == 204, \
            f"delete the client (1.x path): {r.status_code} {r.text}"
    return client


def check_client_credentials(d, doc, client):
    r = requests.post(doc["token_endpoint"], timeout=TIMEOUT,
                      data={"grant_type": "client_credentials"},
                      headers={"Authorization": basic(client)})
    tok = jsonof(r, 200, "client_credentials with client_secret_basic "
                 "(is the Authorization header passed on?)")
    assert tok["token_type"].lower() == "bearer" and tok["access_token"]
    intro = d.admin_call("POST", "admin/oauth2/introspect",
                         "introspect the token",
                         data={"token": tok["access_token"]})
    assert intro["active"] is True, f"introspection: {intro}"
    assert intro["client_id"] == client["client_id"], intro
    r = requests.post(doc["revocation_endpoint"], timeout=TIMEOUT,
                      data={"token": tok["access_token"]},
                      headers={"Authorization": basic(client)})
    assert r.status_code == 200, f"revoke: {r.status_code} {r.text}"
    intro = d.admin_call("POST", "admin/oauth2/introspect",
                         "introspect the revoked token",
                         data={"token": tok["access_token"]})
    assert intro["active"] is False, f"revoked token: {intro}"
    intro = d.admin_call("POST", "admin/oauth2/introspect",
                         "introspect garbage",
                         data={"token": "garbage-" + os.urandom(8).hex()})
    assert intro["active"] is False, f"garbage token: {intro}"


def follow(browser, url, what):
    r = browser.get(url, allow_redirects=False, timeout=TIMEOUT)
    assert r.status_code in (302, 303), \
        f"{what}: GET {url}: {r.status_code} {r.text[:500]}"
    return r.headers["Location"]


def check_code_flow(d, doc, client):
    verifier, chal = pkce()
    state = "state-" + os.urandom(6).hex()
    browser = requests.Session()
    url = doc["authorization_endpoint"] + "?" + urllib.parse.urlencode({
        "client_id": client["client_id"], "response_type": "code",
        "redirect_uri": REDIRECT, "scope": "openid offline_access",
        "state": state, "nonce": "n-" + os.urandom(6).hex(),
        "code_challenge": chal, "code_challenge_method": "S256"})
    loc = follow(browser, url, "authorization request")
    loc = urllib.parse.urljoin(url, loc)
    assert "login_challenge" in qs(loc), \
        f"authorization request: not sent to login: {loc}"
    if under(loc, d.public):
        r = browser.get(loc, timeout=TIMEOUT)
        assert r.status_code == 200 and "<form" in r.text, \
            f"bundled login page {loc}: {r.status_code} {r.text[:300]}"
    login = d.admin_call("GET", "admin/oauth2/auth/requests/login",
                         "get the login request",
                         params={"login_challenge": qs(loc)
                                 ["login_challenge"]})
    assert login["client"]["client_id"] == client["client_id"], login
    to = d.admin_call("PUT", "admin/oauth2/auth/requests/login/accept",
                      "accept login",
                      params={"login_challenge":
                              qs(loc)["login_challenge"]},
                      json={"subject": "deploy-user"})["redirect_to"]
    assert under(to, d.public), f"login redirect_to {to} not under issuer"
    loc = urllib.parse.urljoin(to, follow(browser, to,
                                          "login verifier"))
    assert "consent_challenge" in qs(loc), \
        f"login verifier: not sent to consent: {loc}"
    to = d.admin_call("PUT", "admin/oauth2/auth/requests/consent/accept",
                      "accept consent",
                      params={"consent_challenge":
                              qs(loc)["consent_challenge"]},
                      json={"grant_scope": ["openid", "offline_access"],
                            "session": {"id_token": {"deploy": "yes"}}}
                      )["redirect_to"]
    assert under(to, d.public), f"consent redirect_to {to} not under issuer"
    loc = follow(browser, to, "consent verifier")
    assert loc.startswith(REDIRECT + "?"), \
        f"consent verifier: not sent to the client: {loc}"
    got = qs(loc)
    assert got.get("state") == state and got.get("code"), got
    r = requests.post(doc["token_endpoint"], timeout=TIMEOUT,
                      headers={"Authorization": basic(client)},
                      data={"grant_type": "authorization_code",
                            "code": got["code"], "redirect_uri": REDIRECT,
                            "code_verifier": verifier})
    tok = jsonof(r, 200, "code exchange")
    assert tok["access_token"] and tok["id_token"] and \
        tok.get("refresh_token"), tok
    payload = tok["id_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" *
                                                 (-len(payload) % 4)))
    assert claims["iss"] == d.public and claims["sub"] == "deploy-user", \
        claims
    # Userinfo with the token in the Authorization header: the header a
    # web server drops unless told not to (Apache: CGIPassAuth On).
    r = requests.get(doc["userinfo_endpoint"], timeout=TIMEOUT,
                     headers={"Authorization": "Bearer " +
                              tok["access_token"]})
    info = jsonof(r, 200, "userinfo with a Bearer token (is the "
                  "Authorization header passed on?)")
    assert info["sub"] == "deploy-user", info
    r = requests.post(doc["token_endpoint"], timeout=TIMEOUT,
                      headers={"Authorization": basic(client)},
                      data={"grant_type": "refresh_token",
                            "refresh_token": tok["refresh_token"]})
    assert jsonof(r, 200, "refresh")["access_token"]
    return tok


def check_body_limits(d, doc, body_max):
    """A body over the limit is a JSON 413 (from oidcgi, whoever saw it
    first), on the public and the admin listener; one just under it
    reaches oidcgi and gets a JSON answer, not a web server's 500."""
    hdr = {"Content-Type": "application/x-www-form-urlencoded"}
    if d.key:
        ahdr = {"Content-Type": "application/json",
                "Authorization": "Bearer " + d.key}
    else:
        ahdr = {"Content-Type": "application/json"}
    for url, h in ((doc["token_endpoint"], hdr),
                   (d.admin + "admin/clients", ahdr)):
        status, hdrs, body = raw_post(url, body_max + 1, h)
        assert status == 413, \
            f"POST {url} with {body_max + 1} bytes: {status} {body[:300]!r}"
        assert "json" in hdrs.get("content-type", ""), \
            f"POST {url}: 413 not in JSON: {hdrs} {body[:300]!r}"
        err = json.loads(body)
        assert f"larger than {body_max} bytes" in json.dumps(err), err
    # Just under the limit: a form the token endpoint reads whole.
    pad = "x" * (body_max - 200)
    r = requests.post(doc["token_endpoint"], timeout=TIMEOUT,
                      data={"grant_type": "client_credentials",
                            "pad": pad})
    assert r.status_code in (400, 401), \
        f"token endpoint with {len(pad)} bytes: {r.status_code} " \
        f"{r.text[:300]}"
    jsonof(r, r.status_code, "a body under the limit")


def check_routing(d, encoded_slash=True):
    """Unknown paths and the admin API on the public listener are JSON
    404s; an encoded slash in an id reaches oidcgi as it was sent (unless
    encoded_slash is False: where the web server's setting for it is out
    of the deployment's reach, as in .htaccess files)."""
    for path in ("clients", "keys/hydra.openid.id-token",
                 "oauth2/auth/requests/login?login_challenge=x",
                 "no/such/path"):
        r = requests.get(d.public + path, timeout=TIMEOUT)
        jsonof(r, 404, "admin or unknown path on the public listener")
    r = requests.post(d.public + "oauth2/introspect", timeout=TIMEOUT,
                      data={"token": "x"})
    jsonof(r, 404, "introspection on the public listener")
    # Authentiq Connect's token endpoint is the oauth2 binary's: a
    # request without client credentials is its RFC 6749 401.
    r = requests.post(d.public + "token", timeout=TIMEOUT,
                      data={"grant_type": "authorization_code",
                            "code": "x"})
    body = jsonof(r, 401, "POST /token (Authentiq Connect's path)")
    assert body.get("error") == "invalid_client", \
        f"POST /token: {body}"
    if d.public != d.admin:
        r = requests.get(d.public + "admin/clients", timeout=TIMEOUT)
        jsonof(r, 404, "the admin API on the public listener")
    if encoded_slash:
        d.admin_call("GET", "admin/clients/a%2Fb", "a client id with %2F",
                     status=404)
    d.admin_call("GET", "admin/no/such/path", "unknown admin path",
                 status=404)
    d.admin_call("GET", "admin/trust/grants/jwt-bearer/issuers",
                 "the jwt-bearer trust API (keys binary)")


def check_static(d):
    r = requests.get(d.public + "ui/static/oidcgi.css", timeout=TIMEOUT)
    assert r.status_code == 200 and \
        r.headers.get("Content-Type", "").startswith("text/css"), \
        f"stylesheet: {r.status_code} {r.headers}"


def check_deployment(public, admin, *, admin_key=None, body_max=1048576,
                     v1_admin_paths=True, static=True, encoded_slash=True):
    """Run every check against a deployment; return what it made (the
    Deployment, discovery, the client, the code flow's tokens)."""
    d = Deployment(public, admin, admin_key)
    check_health(d)
    doc = check_discovery(d)
    check_admin_key(d)
    client = create_clients(d, v1_admin_paths)
    check_client_credentials(d, doc, client)
    tok = check_code_flow(d, doc, client)
    check_body_limits(d, doc, body_max)
    check_routing(d, encoded_slash)
    if static:
        check_static(d)
    return {"deployment": d, "discovery": doc, "client": client,
            "tokens": tok}
