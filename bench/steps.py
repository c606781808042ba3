"""steps: where a code flow's CPU goes, request by request (make bench).

usage: python3 steps.py PUBLIC ADMIN CLIENT_ID SECRET REDIRECT_URI \
           SERVER_PID [POSTGRES_PID] [N]

Drives the six requests of bench/flow's code flow with PKCE, one at a
time, and measures the CPU time each costs the server: lighttpd
(SERVER_PID), its FastCGI children (oidcgi; make bench's do-nothing
bench/ceiling left out) and, when POSTGRES_PID is given, the PostgreSQL
server (that process and its children).  CPU times come from
/proc/PID/schedstat (nanoseconds on the CPU; /proc/PID/stat's clock
ticks where the kernel has no schedstat), read before and after each
batch; the client's own time is not counted.  POSTGRES_PID may be "-"
for none.

  1. GET  /oauth2/auth                         repeated N times
  2. PUT  /admin/oauth2/auth/requests/login/accept     N times
  3. GET  the login verifier                           N times
  4. PUT  /admin/oauth2/auth/requests/consent/accept   N times
  5. GET  the consent verifier       once each over N prepared flows
  6. POST /oauth2/token (authorization_code)   once each over N codes

The first four may be repeated because their answers can be given
again until the flow is done (README, Performance); the last two spend
what they are given, so N flows are prepared for them first.

Prints one line per request: "step=K n=N oidcgi_ns=... lighttpd_ns=...
pg_ns=..." (totals over the batch).  Standard library only.
"""

import base64
import hashlib
import http.client
import json
import os
import sys
import urllib.parse


def children(pid):
    """The PIDs whose parent is pid."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        if int(s.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(d))
    return out


def oncpu(pid):
    """Nanoseconds pid has run, or 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/stat") as f:
            a = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    # utime and stime, fields 14 and 15 of stat(5), in clock ticks.
    return (int(a[11]) + int(a[12])) * 10**9 // os.sysconf("SC_CLK_TCK")


class Meter:
    """CPU of the server's groups of processes, between two snapshots."""

    def __init__(self, server, pg):
        self.server, self.pg = server, pg

    def snap(self):
        t = {"oidcgi": 0, "lighttpd": oncpu(self.server), "pg": 0}
        for k in children(self.server):
            try:
                exe = os.readlink(f"/proc/{k}/exe")
            except OSError:
                continue
            if not exe.endswith("/bench/ceiling"):  # make bench's own
                t["oidcgi"] += oncpu(k)
        if self.pg:
            t["pg"] = oncpu(self.pg) + sum(oncpu(k)
                                           for k in children(self.pg))
        return t


class Browser:
    """A cookie jar over the keep-alive connections to both listeners."""

    def __init__(self, pub, adm):
        self.pub, self.adm = pub, adm
        self.jar = {}

    def cookie(self):
        return "; ".join(f"{k}={v}" for k, v in self.jar.items())

    def send(self, conn, method, path, body=None, headers=None):
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, val = v.split(";")[0].partition("=")
                self.jar[name] = val
        return r, data


def expect(step, r, data, statuses):
    """Stop the run when a request is answered otherwise than a flow's."""
    if r.status not in statuses:
        sys.exit(f"steps: request {step} answered {r.status}: {data[:300]!r}")


def query(url, name):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)[name][0]


def local(url):
    u = urllib.parse.urlsplit(url)
    return u.path + "?" + u.query


def main():
    if len(sys.argv) < 7:
        sys.exit(__doc__.split("\n\n")[1])
    pub = urllib.parse.urlsplit(sys.argv[1])
    adm = urllib.parse.urlsplit(sys.argv[2])
    client_id, secret, redirect = sys.argv[3:6]
    meter = Meter(int(sys.argv[6]),
                  int(sys.argv[7]) if len(sys.argv) > 7 and
                  sys.argv[7] != "-" else 0)
    n = int(sys.argv[8]) if len(sys.argv) > 8 else 2000

    verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    auth_path = "/oauth2/auth?" + urllib.parse.urlencode({
        "client_id": client_id, "response_type": "code",
        "scope": "openid offline_access", "redirect_uri": redirect,
        "state": "bench-state-0123", "nonce": "bench-nonce-0123",
        "code_challenge": challenge, "code_challenge_method": "S256"})
    js = {"Content-Type": "application/json"}

    def flow(b, subject):
        """Steps 1 to 4 of a flow; returns its first five requests,
        each as (connection, method, path, body, headers)."""
        r, d = b.send(b.pub, "GET", auth_path)
        expect(1, r, d, (302,))
        login = ("/admin/oauth2/auth/requests/login/accept?login_challenge=" +
                 urllib.parse.quote(query(r.getheader("Location"),
                                          "login_challenge")))
        lbody = json.dumps({"subject": subject})
        r, d = b.send(b.adm, "PUT", login, lbody, js)
        expect(2, r, d, (200,))
        lver = local(json.loads(d)["redirect_to"])
        lcookie = b.cookie()
        r, d = b.send(b.pub, "GET", lver, None, {"Cookie": lcookie})
        expect(3, r, d, (302,))
        consent = ("/admin/oauth2/auth/requests/consent/accept?"
                   "consent_challenge=" +
                   urllib.parse.quote(query(r.getheader("Location"),
                                            "consent_challenge")))
        cbody = json.dumps({"grant_scope": ["openid", "offline_access"]})
        r, d = b.send(b.adm, "PUT", consent, cbody, js)
        expect(4, r, d, (200,))
        cver = local(json.loads(d)["redirect_to"])
        return [(b.pub, "GET", auth_path, None, {}),
                (b.adm, "PUT", login, lbody, js),
                (b.pub, "GET", lver, None, {"Cookie": lcookie}),
                (b.adm, "PUT", consent, cbody, js),
                (b.pub, "GET", cver, None, {"Cookie": b.cookie()})]

    def batch(step, calls, want):
        got = []
        t0 = meter.snap()
        for conn, method, path, body, headers in calls:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            d = r.read()
            expect(step, r, d, want)
            got.append(r.getheader("Location") or d)
        t1 = meter.snap()
        print(f"step={step} n={len(calls)} " + " ".join(
            f"{k}_ns={t1[k] - t0[k]}" for k in ("oidcgi", "lighttpd", "pg")),
            flush=True)
        return got

    cpub = http.client.HTTPConnection(pub.hostname, pub.port)
    cadm = http.client.HTTPConnection(adm.hostname, adm.port)
    b = Browser(cpub, cadm)
    first = flow(b, "bench-steps-user")
    for step in range(4):
        batch(step + 1, [first[step]] * n, (200, 302))

    # Steps 5 and 6 spend what they are given: N flows first.
    prepared = []
    for i in range(n):
        prepared.append(flow(Browser(cpub, cadm), f"bench-steps-{i}")[4])
    locations = batch(5, prepared, (302, 303))
    basic = "Basic " + base64.b64encode(
        f"{urllib.parse.quote(client_id)}:{urllib.parse.quote(secret)}"
        .encode()).decode()
    tok = {"Authorization": basic,
           "Content-Type": "application/x-www-form-urlencoded"}
    batch(6, [(b.pub, "POST", "/oauth2/token", urllib.parse.urlencode({
        "grant_type": "authorization_code", "code": query(loc, "code"),
        "redirect_uri": redirect, "code_verifier": verifier}), tok)
        for loc in locations], (200,))


if __name__ == "__main__":
    main()
