"""Stateless client_credentials access tokens (lib/records/tokens.h, "STATELESS
ACCESS TOKENS"): issuing one writes nothing but, once per client, scope
and audience, the shared grant it names; JWT ones write nothing at all.
Revocation writes a tombstone that lives as long as the token would
have; DELETE /oauth2/tokens and deleting the client void them, and a
client created again under the same client_id does not get them back.
What Hydra's API shows stays the same: introspection, userinfo and
revocation answer as for stored tokens."""

import time

import requests

from conftest import Server, store_count
from test_token import (cc, check_jwt_access_token, introspect, new_client,
                        token, verify_jwt)


def revoke(server, client, tok):
    r = requests.post(server.pub + "/oauth2/revoke", data={"token": tok},
                      auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 200, r.text


def userinfo(server, tok):
    return requests.get(server.pub + "/userinfo",
                        headers={"Authorization": "Bearer " + tok})


def test_issuing_writes_no_token_record(server):
    c = new_client(server)
    first = token(server, c, scope="read")["access_token"]
    assert len(first) == 7 + 43 + 1 + 43
    before = store_count(server, "tokens")
    toks = [token(server, c, scope="read")["access_token"]
            for _ in range(20)]
    assert store_count(server, "tokens") == before
    assert len(set(toks + [first])) == 21
    for t in toks + [first]:
        i = introspect(server, t)
        assert i["active"] is True and i["scope"] == "read"
        assert i["client_id"] == c["client_id"] == i["sub"]
        assert i["exp"] == i["iat"] + 3600
    # Another scope names another shared grant: one record at most.
    t = token(server, c, scope="read write")["access_token"]
    assert store_count(server, "tokens") <= before + 1
    assert introspect(server, t)["scope"] == "read write"
    assert userinfo(server, t).json() == {"sub": c["client_id"]}


def test_jwt_access_tokens_write_nothing(server):
    j = new_client(server, access_token_strategy="jwt")
    token(server, j)
    before = store_count(server, "tokens")
    toks = [token(server, j, scope="read",
                  audience="https://api.example")["access_token"]
            for _ in range(5)]
    assert store_count(server, "tokens") == before
    for t in toks:
        check_jwt_access_token(server, j, t)
        assert introspect(server, t)["active"] is True
        assert userinfo(server, t).json() == {"sub": j["client_id"]}


def test_revocation_is_a_tombstone(server):
    for fields in ({}, {"access_token_strategy": "jwt"}):
        c = new_client(server, **fields)
        t1 = token(server, c)["access_token"]
        t2 = token(server, c)["access_token"]
        # Nothing left to expire: the revocation's own flush (a few
        # expired records per write) must not blur the count.
        r = requests.post(server.adm + "/admin/oauth2/flush", json={})
        assert r.status_code == 204
        before = store_count(server, "tokens")
        revoke(server, c, t1)
        assert store_count(server, "tokens") == before + 1
        assert introspect(server, t1) == {"active": False}
        assert userinfo(server, t1).status_code == 401
        # Only that one; and revoking it again changes nothing.
        assert introspect(server, t2)["active"] is True
        revoke(server, c, t1)
        assert introspect(server, t1) == {"active": False}
        assert store_count(server, "tokens") == before + 1
        # Another client cannot revoke it.
        other = new_client(server)
        r = requests.post(server.pub + "/oauth2/revoke",
                          data={"token": t2},
                          auth=(other["client_id"], other["client_secret"]))
        assert r.status_code == 400
        assert introspect(server, t2)["active"] is True


def test_delete_tokens_voids_them(server):
    for fields in ({}, {"access_token_strategy": "jwt"}):
        c = new_client(server, **fields)
        old = [token(server, c)["access_token"] for _ in range(3)]
        r = requests.delete(server.adm + "/admin/oauth2/tokens",
                            params={"client_id": c["client_id"]})
        assert r.status_code == 204
        for t in old:
            assert introspect(server, t) == {"active": False}
            assert userinfo(server, t).status_code == 401
        # The client goes on getting tokens that work.
        t = token(server, c)["access_token"]
        assert introspect(server, t)["active"] is True


def test_deleting_the_client_voids_them(server):
    for fields in ({}, {"access_token_strategy": "jwt"}):
        c = new_client(server, **fields)
        t = token(server, c)["access_token"]
        r = requests.delete(server.adm + "/admin/clients/" + c["client_id"])
        assert r.status_code == 204
        assert introspect(server, t) == {"active": False}
        # Created again under the same id: still void.
        c2 = new_client(server, client_id=c["client_id"], **fields)
        assert introspect(server, t) == {"active": False}
        t2 = cc(server, c2).json()["access_token"]
        assert introspect(server, t2)["active"] is True


def test_updating_the_client_keeps_them(server):
    c = new_client(server)
    t = token(server, c)["access_token"]
    body = {k: v for k, v in c.items() if k != "client_secret"}
    body["client_name"] = "renamed"
    r = requests.put(server.adm + "/admin/clients/" + c["client_id"],
                     json=body)
    assert r.status_code == 200, r.text
    assert introspect(server, t)["active"] is True


def test_forged_and_swapped_tokens(server):
    c = new_client(server)
    t = token(server, c)["access_token"]
    key, sig = t[7:].split(".")
    # A changed key (another grant, iat or lifetime) breaks the MAC.
    for i in (0, 20, 30, 42):
        ch = "A" if key[i] != "A" else "B"
        bad = "ory_at_" + key[:i] + ch + key[i + 1:] + "." + sig
        assert introspect(server, bad) == {"active": False}
    # Not a refresh token, whatever its prefix says.
    r = requests.post(server.pub + "/oauth2/token",
                      data={"grant_type": "refresh_token",
                            "refresh_token": "ory_rt_" + t[7:]},
                      auth=(c["client_id"], c["client_secret"]))
    assert r.status_code == 400


def test_tombstones_and_grants_are_flushed(server):
    c = new_client(server)
    r = requests.put(server.adm + "/admin/clients/" + c["client_id"] +
                     "/lifespans",
                     json={"client_credentials_grant_access_token_lifespan":
                           "1s"})
    assert r.status_code == 200, r.text
    t = token(server, c)["access_token"]
    revoke(server, c, t)
    assert introspect(server, t) == {"active": False}
    time.sleep(2.1)
    before = store_count(server, "tokens")
    r = requests.post(server.adm + "/admin/oauth2/flush", json={})
    assert r.status_code == 204
    # The tombstone and the shared grant (a lifetime and a half).
    assert store_count(server, "tokens") <= before - 2
    assert introspect(server, t) == {"active": False}
    # A new token names a new shared grant, and works.
    t2 = token(server, c)["access_token"]
    assert introspect(server, t2)["active"] is True


def test_jwt_access_tokens_with_an_es256_key(tmp_path):
    """The newest key of hydra.jwt.access-token signs: made ES256, the
    stateless JWTs are ES256 under its kid, verify against the JWKS,
    introspect and revoke as before; RS256 tokens issued before stay
    valid."""
    s = Server(tmp_path).start()
    try:
        j = new_client(s, access_token_strategy="jwt")
        old = token(s, j, scope="read",
                    audience="https://api.example")["access_token"]
        r = requests.post(s.adm + "/admin/keys/hydra.jwt.access-token",
                          json={"alg": "ES256", "use": "sig"})
        assert r.status_code == 201, r.text
        kid = r.json()["keys"][0]["kid"]
        t = token(s, j, scope="read",
                  audience="https://api.example")["access_token"]
        check_jwt_access_token(s, j, t)
        header, _ = verify_jwt(s, t)
        assert header["alg"] == "ES256" and header["kid"] == kid
        assert verify_jwt(s, old)[0]["alg"] == "RS256"
        assert introspect(s, old)["active"] is True
        revoke(s, j, t)
        assert introspect(s, t) == {"active": False}
        assert introspect(s, old)["active"] is True
    finally:
        s.stop()
