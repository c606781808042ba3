"""`oidcgi store copy FROM TO` (issue 16): a site moves between an LMDB
data directory and a PostgreSQL database, both ways.  A server on LMDB
gets a user, a client, signing keys and tokens; it stops; its store is
copied into a migrated PostgreSQL database (scripts/pgtest) and a server
on it honours everything: the access token introspects active, the
refresh token refreshes, a new flow's ID token is signed with the same
key, the client and the user sign in.  Then the same from PostgreSQL
into a new data directory.  A destination that holds records, an
unmigrated database and a source that is not there are refused, the
destination untouched."""

import base64
import json
import os
import shutil
import subprocess

import pytest
import requests
from jwcrypto import jwk, jws

from conftest import CLI, Server, pg_create_db, pg_sql as sql
from test_ui import full_flow
from uilib import add_user, id_claims

CB = "https://rp.example/cb"
NOWHERE = "postgresql://oidcgi@/postgres?host=/nonexistent"


@pytest.fixture(autouse=True)
def explicit_backends(monkeypatch):
    """Each server here names its own store: not the PostgreSQL of
    OIDCGI_TEST_PGDIR (conftest's Server would put it there)."""
    monkeypatch.delenv("OIDCGI_TEST_PGDIR", raising=False)


def database(pg, name, migrate=True):
    """A new database of the pgtest server: its DSN."""
    d, dsn = pg
    pg_create_db(d, name)
    new = dsn.replace("/postgres?", f"/{name}?")
    if migrate:
        r = cli("migrate", "sql", new)
        assert r.returncode == 0, r.stderr
    return new


def cli(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([CLI, *args], capture_output=True, text=True,
                          env=e, timeout=120)


def copy(src, dst):
    return cli("store", "copy", src, dst)


def counts(out):
    """The summary's records per database."""
    got = {}
    for line in out.splitlines()[1:]:
        name, n = line.split()
        got[name] = int(n)
    return got


def rows(d, db):
    """Every record of a PostgreSQL database, as text."""
    return sql(d, "SELECT db, encode(k, 'hex'), encode(v, 'hex') FROM "
               "oidcgi_kv ORDER BY db, k", db=db)


def lmdb_dump(data):
    r = subprocess.run(["mdb_dump", "-a", data], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def with_secret(tmp, data_from):
    """tmp/data holding the secret of the data directory data_from: the
    one file an operator carries over besides the store."""
    data = os.path.join(str(tmp), "data")
    os.makedirs(data, mode=0o700, exist_ok=True)
    shutil.copy2(os.path.join(data_from, "secrets.system"), data)
    return data


def kid_of(token):
    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" *
                                               (-len(head) % 4)))["kid"]


def check_site(srv, client, user, tok, old_jwks, kid):
    """What the first server issued works on srv: returns the tokens of
    the refresh (the next site's to check)."""
    assert requests.get(srv.adm + "/health/ready",
                        timeout=10).status_code == 200
    r = requests.post(srv.adm + "/admin/oauth2/introspect",
                      data={"token": tok["access_token"]}, timeout=10)
    assert r.status_code == 200 and r.json()["active"] is True, r.text
    assert r.json()["client_id"] == client["client_id"]
    assert r.json()["sub"] == user[2]["subject"]
    r = requests.post(srv.pub + "/oauth2/token", data={
        "grant_type": "refresh_token",
        "refresh_token": tok["refresh_token"]},
        auth=(client["client_id"], client["client_secret"]), timeout=10)
    assert r.status_code == 200, r.text
    new = r.json()
    # The client as the admin API sees it, and the user signs in.
    r = requests.get(srv.adm + "/admin/clients/" + client["client_id"],
                     timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["client_name"] == "Copied RP"
    tok2, _, _ = full_flow(srv, client, user, "openid")
    claims = id_claims(srv, client, tok2["id_token"])
    assert claims["sub"] == user[2]["subject"]
    assert kid_of(tok2["id_token"]) == kid
    # ... signed with the very key the first server published.
    key = jwk.JWKSet.from_json(json.dumps(old_jwks)).get_key(kid)
    v = jws.JWS()
    v.deserialize(tok2["id_token"])
    v.verify(key)
    return new


def test_lmdb_to_postgresql_and_back(pg, tmp_path_factory):
    d, _ = pg
    a = Server(tmp_path_factory.mktemp("lmdb1")).start()
    try:
        user = add_user(a, "Mover", claims={"name": "Mo Ver"})
        r = requests.post(a.adm + "/admin/clients", json={
            "client_name": "Copied RP", "redirect_uris": [CB],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": "openid offline_access"}, timeout=10)
        assert r.status_code == 201, r.text
        client = r.json()
        tok, _, _ = full_flow(a, client, user, "openid offline_access")
        assert tok["refresh_token"] and tok["access_token"]
        kid = kid_of(tok["id_token"])
        old_jwks = requests.get(a.pub + "/.well-known/jwks.json",
                                timeout=10).json()
    finally:
        assert a.stop() == []

    # LMDB -> PostgreSQL.
    dsn = database(pg, "copy_to")
    r = copy(a.data, dsn)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Copied "), r.stdout
    assert "PostgreSQL database" in r.stdout and dsn not in r.stdout
    n = counts(r.stdout)
    assert n["clients"] == 1 and n["users"] == 1, r.stdout
    assert n["keys"] >= 2 and n["tokens"] >= 2 and n["expiry"] >= 1
    assert n["meta"] >= 1                   # gen:keys, not the format
    assert int(sql(d, "SELECT count(*) FROM oidcgi_kv", db="copy_to")) \
        == sum(n.values())

    tmp = tmp_path_factory.mktemp("pg1")
    with_secret(tmp, a.data)
    b = Server(tmp, conf=f"dsn = {dsn}\n").start()
    try:
        tok = check_site(b, client, user, tok, old_jwks, kid)
    finally:
        assert b.stop() == []
    assert not os.path.exists(os.path.join(b.data, "data.mdb"))

    # PostgreSQL -> a new data directory.
    tmp = tmp_path_factory.mktemp("lmdb2")
    data = os.path.join(str(tmp), "data")
    r = copy(dsn, data)
    assert r.returncode == 0, r.stderr
    assert counts(r.stdout)["clients"] == 1
    with_secret(tmp, a.data)
    c = Server(tmp).start()
    try:
        check_site(c, client, user, tok, old_jwks, kid)
    finally:
        assert c.stop() == []


def test_occupied_destination_refused(pg, tmp_path):
    """A destination that holds a record is refused (exit 2), whatever
    its backend, and keeps exactly what it held."""
    d, _ = pg
    env = {"OIDCGI_DATA_DIR": str(tmp_path / "src")}
    assert cli("init", env=env).returncode == 0
    src = str(tmp_path / "src")
    # PostgreSQL with a client in it.
    full = database(pg, "occupied")
    r = cli("clients", "create", "--name", "Already here",
            env={"DSN": full, "OIDCGI_DATA_DIR": str(tmp_path / "x")})
    assert r.returncode == 0, r.stderr
    before = rows(d, "occupied")
    r = copy(src, full)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "already holds" in r.stderr and "1 in clients" in r.stderr
    assert "nothing was written" in r.stderr, r.stderr
    assert rows(d, "occupied") == before
    # A data directory made by `oidcgi init` holds signing keys.
    dst = str(tmp_path / "dst")
    assert cli("init", env={"OIDCGI_DATA_DIR": dst}).returncode == 0
    before = lmdb_dump(dst)
    r = copy(full, dst)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "in keys" in r.stderr and "oidcgi init" in r.stderr
    assert lmdb_dump(dst) == before
    # Counters alone do not make a destination occupied.
    fresh = database(pg, "fresh")
    assert copy(src, fresh).returncode == 0
    assert copy(src, fresh).returncode == 2


def test_unmigrated_database_refused(pg, tmp_path):
    d, _ = pg
    src = str(tmp_path / "src")
    assert cli("init", env={"OIDCGI_DATA_DIR": src}).returncode == 0
    raw = database(pg, "raw", migrate=False)
    r = copy(src, raw)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "destination PostgreSQL database" in r.stderr, r.stderr
    assert "oidcgi migrate sql" in r.stderr, r.stderr
    assert sql(d, "SELECT to_regclass('oidcgi_kv') IS NULL",
               db="raw") == "t"
    # Nor is an unmigrated database a source.
    r = copy(raw, str(tmp_path / "out"))
    assert r.returncode == 1 and "oidcgi migrate sql" in r.stderr
    assert not os.path.exists(tmp_path / "out")


def test_missing_source_and_usage(tmp_path):
    """Without PostgreSQL too: a source that is not there is named, and
    nothing is made at the destination."""
    out = str(tmp_path / "out")
    r = copy(str(tmp_path / "none"), out)
    assert r.returncode == 1
    assert "source data directory" in r.stderr and "no data.mdb" in \
        r.stderr, r.stderr
    assert not os.path.exists(tmp_path / "none")
    r = copy(NOWHERE, out)
    assert r.returncode == 1
    assert "source PostgreSQL database" in r.stderr, r.stderr
    assert "cannot connect" in r.stderr, r.stderr
    assert not os.path.exists(out)
    # LMDB to a destination that cannot be reached.
    src = str(tmp_path / "src")
    assert cli("init", env={"OIDCGI_DATA_DIR": src}).returncode == 0
    r = copy(src, NOWHERE)
    assert r.returncode == 1
    assert "destination PostgreSQL database" in r.stderr, r.stderr
    r = copy(src, src)
    assert r.returncode == 1 and "same store" in r.stderr
    for bad in (["store"], ["store", "copy", src],
                ["store", "move", src, out],
                ["store", "copy", src, out, "x"]):
        r = cli(*bad)
        assert r.returncode == 2 and "usage" in r.stderr, bad
    assert not os.path.exists(out)
