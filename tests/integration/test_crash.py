"""Crash safety through real lighttpd (two FastCGI processes per
binary): refresh chains rotate while FastCGI workers, or the whole
server, are killed with SIGKILL.  A rotation the client saw answered is
durable (oidcgi syncs the store before it answers) and stays valid;
every refresh token it superseded stays refused, and a replay of one
revokes the chain (RFC 9700 §4.14.2), as lib/records/tokens.c and
lib/protocol/grants.c do today: the first replay of a spent refresh
token is "The refresh token was already used." and deletes every token
of the grant.  A request whose answer was lost to a kill may or may not
have committed: its retry either rotates (it did not) or is that replay
(it did), which kills the chain (or, when the retry's answer was lost
too, finds the grant already revoked); each case is checked.  After a
whole-server kill the store opens again and reads back whole: LMDB's
mdb_stat and mdb_dump pass, or on PostgreSQL every record reads back."""

import os
import random
import signal
import subprocess
import threading
import time

import requests

from conftest import Server, children_of, store_records
from flowlib import login_and_consent, new_client, pkce, qs

CHAINS = 16
REUSED = "The refresh token was already used."
UNKNOWN = "The refresh token is not known."
BUSY = "The store is busy; try again."


def introspect(server, tok):
    """Introspection (it changes nothing, so it may be retried while
    workers come back)."""
    deadline = time.time() + 20
    while True:
        try:
            r = requests.post(server.adm + "/admin/oauth2/introspect",
                              data={"token": tok}, timeout=10)
            if r.status_code == 200:
                return r.json()
            assert r.status_code >= 500, r.text
        except requests.RequestException:
            pass
        assert time.time() < deadline, "introspection does not answer"
        time.sleep(0.05)


def answered_by_oidcgi(r):
    """oidcgi answers every error with JSON; lighttpd's own pages (a
    backend that died or is being restarted) are not."""
    return r.headers.get("Content-Type", "").startswith("application/json")


class Chain:
    """One refresh chain: every token response the client was given, in
    order; the last is current unless the chain is dead."""

    def __init__(self, server, client, tok):
        self.client = client
        self.acked = [tok]
        self.dead = False       # a retry found its lost rotation: revoked
        self.pending = False    # the last request's answer was lost
        self.lost = 0
        self.busy = 0           # oidcgi's own 503s on PostgreSQL

    def post(self, server, rt):
        return requests.post(
            server.pub + "/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": rt},
            auth=(self.client["client_id"], self.client["client_secret"]),
            timeout=10)

    def rotate(self, server, stop=None):
        """One rotation, retried with the same token until answered.
        Returns when answered, or when stop is set while the answer is
        lost (the chain is then pending)."""
        rt = self.acked[-1]["refresh_token"]
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                r = self.post(server, rt)
            except requests.RequestException:
                r = None
            if r is not None and r.status_code == 200:
                self.acked.append(r.json())
                self.pending = False
                return
            if r is not None and r.status_code == 400:
                # Only a lost answer makes our own token spent: the
                # lost request rotated, and this retry is the replay
                # that revokes the chain; or a lost retry was that
                # replay already, and the revocation took the spent
                # token with the rest of the grant.
                assert self.pending, r.text
                b = r.json()
                assert b["error"] == "invalid_grant", r.text
                assert b["error_description"] == REUSED or \
                    b.get("error_hint") == UNKNOWN, r.text
                self.dead, self.pending = True, False
                return
            if r is not None and server.dsn and answered_by_oidcgi(r):
                # On PostgreSQL a write whose serialization failures
                # outlast its retries is oidcgi's 503, rolled back
                # (schema/store.md): nothing changed, the same request
                # again.  Never on LMDB, whose writers take turns.
                assert r.status_code == 503, r.text
                assert r.json()["error_description"] == BUSY, r.text
                self.busy += 1
                time.sleep(0.05)
                continue
            if r is not None:
                assert r.status_code >= 500, r.text
                # A worker killed mid-request: lighttpd's page, never
                # an error of oidcgi's own.
                assert not answered_by_oidcgi(r), r.text
            self.pending = True
            self.lost += 1
            if stop is not None and stop.is_set():
                return
            time.sleep(0.05)
        raise AssertionError("the token endpoint does not answer")


def new_chains(server, n=CHAINS):
    client = new_client(server)
    chains = []
    for _ in range(n):
        verifier, chal = pkce()
        loc, _ = login_and_consent(server, client,
                                   scope="openid offline_access",
                                   code_challenge=chal,
                                   code_challenge_method="S256")
        r = requests.post(server.pub + "/oauth2/token", data={
            "grant_type": "authorization_code", "code": qs(loc)["code"],
            "redirect_uri": client["redirect_uris"][0],
            "code_verifier": verifier},
            auth=(client["client_id"], client["client_secret"]))
        assert r.status_code == 200, r.text
        chains.append(Chain(server, client, r.json()))
    return chains


def load(server, chains, stop, threads=4):
    """Rotate chains in a few threads until stop is set; a thread whose
    chain a retry revoked takes the next one not yet dead.  Returns the
    threads and the list their failures go to."""
    errors = []
    lock = threading.Lock()
    todo = [c for c in chains if not c.dead]

    def run():
        try:
            c = None
            while not stop.is_set():
                if c is None or c.dead:
                    with lock:
                        if not todo:
                            return
                        c = todo.pop(0)
                c.rotate(server, stop)
        except BaseException as e:      # reported by check_load
            errors.append(e)

    ts = [threading.Thread(target=run) for _ in range(threads)]
    for t in ts:
        t.start()
    return ts, errors


def check_load(threads, errors):
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    if errors:
        raise errors[0]


def verify(server, chains):
    """The guarantees, chain by chain, once nothing is being killed."""
    for c in chains:
        if c.pending:
            c.rotate(server)            # settle the lost answer
        if c.dead:
            # The retry was the replay of a token spent by the lost
            # rotation: everything the client was given is revoked.
            for t in c.acked:
                for kind in ("access_token", "refresh_token"):
                    assert introspect(server, t[kind]) == \
                        {"active": False}
            continue
        cur, old = c.acked[-1], c.acked[:-1]
        # Every acknowledged rotation holds: the current pair is live...
        for kind in ("access_token", "refresh_token"):
            assert introspect(server, cur[kind])["active"] is True, kind
        # ...and everything it superseded is not.
        for t in old:
            for kind in ("access_token", "refresh_token"):
                assert introspect(server, t[kind]) == {"active": False}
        # The current refresh token still rotates.
        r = c.post(server, cur["refresh_token"])
        assert r.status_code == 200, r.text
        c.acked.append(r.json())
        # A superseded one is refused, and its replay revokes the chain.
        r = c.post(server, random.choice(c.acked[:-1])["refresh_token"])
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "invalid_grant", r.text
        assert r.json()["error_description"] == REUSED, r.text
        for t in c.acked:
            for kind in ("access_token", "refresh_token"):
                assert introspect(server, t[kind]) == {"active": False}
        r = c.post(server, c.acked[-1]["refresh_token"])
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "invalid_grant", r.text


def summary(chains, kills):
    return (f"{kills} kills, "
            f"{sum(len(c.acked) - 1 for c in chains)} rotations, "
            f"{sum(c.lost for c in chains)} lost answers, "
            f"{sum(c.pending for c in chains)} pending, "
            f"{sum(c.busy for c in chains)} busy, "
            f"{sum(c.dead for c in chains)} chains revoked by a retry")


def workers(server, names=None):
    """PIDs of lighttpd's FastCGI children, those of the named binaries
    only when names is given."""
    out = []
    for pid in children_of(server.proc.pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                exe = f.read().split(b"\0")[0].decode()
        except OSError:
            continue
        if names is None or os.path.basename(exe) in names:
            out.append(pid)
    return out


def store_ok(s):
    """Every database of s's store reads back without an error: on LMDB
    mdb_stat and mdb_dump pass; on either backend every record reads
    back, the client records among them."""
    if s.dsn is None:
        cmd = ["mdb_stat", "-a", "-e", s.data]
        p = subprocess.run(cmd, capture_output=True, timeout=60)
        assert p.returncode == 0 and p.stderr == b"", (cmd, p.stderr)
        assert p.stdout
    assert store_records(s, "clients")
    assert store_records(s)


def test_workers_killed_while_chains_rotate(tmp_path):
    s = Server(tmp_path, procs=2).start()
    try:
        chains = new_chains(s)
        stop = threading.Event()
        threads, errors = load(s, chains, stop)
        kills = 0
        end = time.time() + 8
        while time.time() < end:
            time.sleep(random.uniform(0.05, 0.25))
            # Mostly the token endpoint's workers, now and then any.
            pids = workers(s, None if random.random() < 0.2 else
                           ("oauth2",))
            if pids:
                os.kill(random.choice(pids), signal.SIGKILL)
                kills += 1
        stop.set()
        check_load(threads, errors)
        assert kills >= 20
        rotations = sum(len(c.acked) - 1 for c in chains)
        assert rotations >= 50, rotations
        assert sum(c.lost for c in chains) > 0, "no request was lost"
        print(summary(chains, kills))
        verify(s, chains)
        assert "child signalled" in s.read_log() or \
            "child exited" in s.read_log()
        for mark in ("Sanitizer", "runtime error"):
            assert mark not in s.read_log()
    finally:
        s.stop()
    store_ok(s)


def kill_server(s):
    """SIGKILL lighttpd and every FastCGI child at once."""
    pids = workers(s) + [s.proc.pid]
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    s.proc.wait()
    deadline = time.time() + 10
    for pid in pids:
        while time.time() < deadline:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] in "ZX":
                        break
            except OSError:
                break
            time.sleep(0.02)
    assert time.time() < deadline, "a killed process lives on"


def test_server_killed_mid_load_and_restarted(tmp_path):
    s = Server(tmp_path, procs=2).start()
    try:
        chains = new_chains(s)
        before = 0
        for cycle in range(3):
            stop = threading.Event()
            threads, errors = load(s, chains, stop)
            time.sleep(random.uniform(1.0, 2.0))
            kill_server(s)
            stop.set()
            check_load(threads, errors)
            # Nothing runs: the store as the crash left it.
            store_ok(s)
            s.start()                   # the same data directory and ports
            rotations = sum(len(c.acked) for c in chains)
            assert rotations > before, "no rotation in a cycle"
            before = rotations
        assert any(c.pending or c.dead for c in chains) or \
            sum(c.lost for c in chains) > 0
        print(summary(chains, 3))
        verify(s, chains)
    finally:
        s.stop()
    store_ok(s)
