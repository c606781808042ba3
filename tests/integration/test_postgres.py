"""The store on PostgreSQL (dsn = postgresql://...): a private server
from scripts/pgtest on a unix socket, its tables made by `oidcgi migrate
sql`, lighttpd with several FastCGI processes per binary on it.  A client
is created, a whole code flow with refresh runs, one code redeemed by
many requests at once gives exactly one grant, and a database that goes
away gives JSON 503s (and /health/ready says so) until it is back."""

import json
import os
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import CLI, PGTEST, Server, pg_create_db, pg_sql as sql
from flowlib import login_and_consent, new_client, pkce, qs
from test_races import THREADS, all_at_once, one_winner, post_token


def cli(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([CLI, *args], capture_output=True, text=True,
                          env=e)


@pytest.fixture(scope="module")
def srv(pg, tmp_path_factory):
    _, dsn = pg
    r = cli("migrate", "sql", "--yes", dsn)
    assert r.returncode == 0, r.stderr
    s = Server(tmp_path_factory.mktemp("pgsrv"), conf=f"dsn = {dsn}\n",
               procs=3).start()
    yield s
    assert s.stop() == []


def test_migrate(pg, tmp_path):
    d, dsn = pg
    r = cli("migrate", "sql", dsn)
    assert r.returncode == 0, r.stderr
    assert "to 1." in r.stdout or "version 1;" in r.stdout, r.stdout
    # Hydra's way: the DSN from the environment.
    r = cli("migrate", "sql", "-e", "--yes",
            env={"DSN": dsn, "OIDCGI_DATA_DIR": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert "nothing to do" in r.stdout
    # Not PostgreSQL: nothing to migrate, said so.
    r = cli("migrate", "sql", str(tmp_path / "x"))
    assert r.returncode == 1 and "PostgreSQL" in r.stderr, r.stderr
    r = cli("migrate", "nosql")
    assert r.returncode == 2


def test_unmigrated_database_refused(pg, tmp_path):
    """A database without the tables: the CLI and the binaries refuse,
    naming the migration; nothing is created behind the operator's
    back."""
    _, dsn = pg
    other = dsn.replace("/postgres?", "/template1?")
    r = cli("clients", "list", env={"DSN": other,
                                    "OIDCGI_DATA_DIR": str(tmp_path)})
    assert r.returncode != 0
    assert "not available" in r.stderr, r.stderr


def test_newer_schema_refused(pg, tmp_path):
    """A database migrated by a newer oidcgi: migrate refuses to touch
    it, and the store will not use it."""
    d, dsn = pg
    pg_create_db(d, "newer")
    newer = dsn.replace("/postgres?", "/newer?")
    r = cli("migrate", "sql", newer)
    assert r.returncode == 0, r.stderr
    env = {"DSN": newer, "OIDCGI_DATA_DIR": str(tmp_path)}
    r = cli("clients", "list", env=env)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stderr
    sql(d, "INSERT INTO oidcgi_schema (version) VALUES (99)", db="newer")
    r = cli("migrate", "sql", newer)
    assert r.returncode == 1, r.stdout
    assert "version 99, newer than" in r.stderr, r.stderr
    r = cli("clients", "list", env=env)
    assert r.returncode != 0 and "not available" in r.stderr, r.stderr
    assert sql(d, "SELECT max(version) FROM oidcgi_schema",
               db="newer") == "99"


def test_client_and_code_flow_with_refresh(srv):
    assert requests.get(srv.adm + "/health/ready",
                        timeout=10).status_code == 200
    client = new_client(srv)
    r = requests.get(srv.adm + "/admin/clients/" + client["client_id"],
                     timeout=10)
    assert r.status_code == 200 and \
        r.json()["client_id"] == client["client_id"], r.text
    verifier, chal = pkce()
    loc, _ = login_and_consent(srv, client, scope="openid offline_access",
                               code_challenge=chal,
                               code_challenge_method="S256")
    code = qs(loc)["code"]
    r = post_token(srv, client, {
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": client["redirect_uris"][0],
        "code_verifier": verifier})
    assert r.status_code == 200, r.text
    tok = r.json()
    assert tok["access_token"] and tok["id_token"] and tok["refresh_token"]
    r = requests.post(srv.adm + "/admin/oauth2/introspect",
                      data={"token": tok["access_token"]}, timeout=10)
    assert r.status_code == 200 and r.json()["active"] is True, r.text
    r = requests.get(srv.pub + "/userinfo", timeout=10, headers={
        "Authorization": "Bearer " + tok["access_token"]})
    assert r.status_code == 200 and r.json()["sub"] == "alice", r.text
    r = post_token(srv, client, {"grant_type": "refresh_token",
                                 "refresh_token": tok["refresh_token"]})
    assert r.status_code == 200, r.text
    new = r.json()
    assert new["refresh_token"] != tok["refresh_token"]
    # The old refresh token is spent.
    r = post_token(srv, client, {"grant_type": "refresh_token",
                                 "refresh_token": tok["refresh_token"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    # A code is good once.
    r = post_token(srv, client, {
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": client["redirect_uris"][0],
        "code_verifier": verifier})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_one_code_redeemed_concurrently(srv):
    client = new_client(srv)
    verifier, chal = pkce()
    loc, _ = login_and_consent(srv, client, scope="openid offline_access",
                               code_challenge=chal,
                               code_challenge_method="S256")
    form = {"grant_type": "authorization_code", "code": qs(loc)["code"],
            "redirect_uri": client["redirect_uris"][0],
            "code_verifier": verifier}
    won = one_winner(all_at_once(THREADS,
                                 lambda: post_token(srv, client, form)),
                     "The authorization code has already been used.",
                     "The authorization code is not known.")
    assert won["access_token"] and won["refresh_token"]


def test_connections_cut_under_load(pg, srv):
    """oidcgi's connections are cut again and again (their server
    processes terminated) while reads and writes run: every answer is
    the right one or a JSON 503 temporarily_unavailable, never a 500 (a
    read whose connection was lost mid-request included), and afterwards
    every process connects again."""
    d, _ = pg
    client = new_client(srv, grant_types=["client_credentials"],
                        response_types=[], redirect_uris=[])
    r = post_token(srv, client, {"grant_type": "client_credentials"})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    stop = threading.Event()

    def cut():
        while not stop.is_set():
            sql(d, "SELECT count(pg_terminate_backend(pid)) FROM "
                "pg_stat_activity WHERE datname = 'postgres' AND "
                "pid <> pg_backend_pid() AND backend_type = "
                "'client backend'")
            time.sleep(0.005)

    def work(i):
        got = []
        for n in range(60):
            if (i + n) % 3 == 0:
                r = post_token(srv, client,
                               {"grant_type": "client_credentials"})
            elif (i + n) % 3 == 1:
                r = requests.post(srv.adm + "/admin/oauth2/introspect",
                                  data={"token": token}, timeout=30)
            else:
                r = requests.get(srv.adm + "/admin/clients/" +
                                 client["client_id"], timeout=30)
            got.append((r.status_code, r.text))
        return got

    killer = threading.Thread(target=cut)
    killer.start()
    try:
        with ThreadPoolExecutor(6) as ex:
            answers = [a for got in ex.map(work, range(6)) for a in got]
    finally:
        stop.set()
        killer.join()
    for status, text in answers:
        assert status in (200, 503), (status, text)
        if status == 503:
            assert json.loads(text)["error"] == \
                "temporarily_unavailable", text
    r = requests.post(srv.adm + "/admin/oauth2/introspect",
                      data={"token": token}, timeout=10)
    assert r.status_code == 200 and r.json()["active"] is True, r.text


def test_database_down_then_back(pg, srv):
    """Last: the database stops.  Every answer is a JSON 503, readiness
    says so; once it is back the same processes reconnect."""
    d, _ = pg
    client = new_client(srv)
    subprocess.run([PGTEST, "stop", d], check=True, capture_output=True)
    try:
        r = requests.get(srv.adm + "/health/ready", timeout=10)
        assert r.status_code == 503, r.text
        r = post_token(srv, client, {"grant_type": "client_credentials"})
        assert r.status_code == 503, r.text
        assert r.json()["error"] == "temporarily_unavailable", r.text
        r = requests.get(srv.adm + "/admin/clients", timeout=10)
        assert r.status_code == 503, r.text
        assert r.json()["error"], r.text
    finally:
        subprocess.run([PGTEST, "restart", d], check=True,
                       capture_output=True)
    r = requests.get(srv.adm + "/health/ready", timeout=10)
    assert r.status_code == 200, r.text
    r = requests.get(srv.adm + "/admin/clients/" + client["client_id"],
                     timeout=10)
    assert r.status_code == 200, r.text
