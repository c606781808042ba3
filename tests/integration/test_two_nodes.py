"""Two nodes on one PostgreSQL database (issue 16), as two web servers
behind a load balancer: two lighttpd instances on their own ports, with
their own data directories and three FastCGI processes per binary
each, both on one database with one system secret.  What one node
commits the other sees at once: a client created on one is used on the
other; one flow's steps go to either node; a token issued on one is
introspected (active) and revoked on the other, and is then inactive
on both.  One authorization code, and one refresh token, sent by many
requests at once, half to each node, give exactly one grant in every
one of many rounds; the replays revoke what was granted, on both
nodes, as on one node (test_races.py).  Skipped without PostgreSQL."""

import os
import subprocess

import pytest
import requests

from conftest import CLI, PGDIR, Server, pg_create_db, pg_start, pg_stop
from flowlib import (accept_consent, accept_login, auth_url, challenge, go,
                     login_and_consent, new_client, pkce, qs)
from test_races import all_at_once, introspect, one_winner, post_token

ROUNDS = 30
THREADS = 32            # per round: half to each node
SECRET = "two-nodes-one-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def dsn():
    """A migrated database: in the PostgreSQL pass's server when
    OIDCGI_TEST_PGDIR names one, else in a private server of
    scripts/pgtest (skipped when PostgreSQL is not installed)."""
    own = None
    d = PGDIR
    if not d:
        own = d = pg_start()[0]
    name = "two_nodes_%d" % os.getpid()
    pg_create_db(d, name)
    url = f"postgresql://oidcgi@/{name}?host={d}"
    r = subprocess.run([CLI, "migrate", "sql", url], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    yield url
    if own:
        pg_stop(own)


@pytest.fixture(scope="module")
def nodes(dsn, tmp_path_factory):
    """Two servers on the one database, with the same system secret
    (the keys and sealed members in the records are encrypted under
    it), each with its own data directory and ports."""
    out = []
    try:
        for i in (1, 2):
            out.append(Server(tmp_path_factory.mktemp(f"node{i}"),
                              conf=f"dsn = {dsn}\n",
                              env={"SECRETS_SYSTEM": SECRET},
                              procs=3).start())
        yield out
    finally:
        for s in out:
            assert s.stop() == []
        for s in out:
            log = s.read_log()
            for mark in ("child signalled", "child exited", "Sanitizer",
                         "runtime error"):
                assert mark not in log, log


def revoke(server, client, tok):
    r = requests.post(server.pub + "/oauth2/revoke", data={"token": tok},
                      auth=(client["client_id"], client["client_secret"]),
                      timeout=30)
    assert r.status_code == 200, r.text


def fresh_code(server, client):
    """A code for client from a whole flow on server: (code, verifier)."""
    verifier, chal = pkce()
    loc, _ = login_and_consent(server, client,
                               scope="openid offline_access",
                               code_challenge=chal,
                               code_challenge_method="S256")
    assert loc.startswith(client["redirect_uris"][0]), loc
    return qs(loc)["code"], verifier


def on_both(nodes, client, form):
    """THREADS requests of form released at once, every other one to
    the other node; their responses."""
    def send(i):
        return post_token(nodes[i % 2], client, form)
    count = iter(range(THREADS))
    return all_at_once(THREADS, lambda: send(next(count)))


def test_a_client_made_on_one_node_is_used_on_the_other(nodes):
    """Created through node 1's admin API; read through node 2's; a
    whole code flow with refresh on node 2, then deleted on node 2 and
    gone from node 1."""
    n1, n2 = nodes
    client = new_client(n1)
    cid = client["client_id"]
    r = requests.get(n2.adm + "/admin/clients/" + cid, timeout=30)
    assert r.status_code == 200 and r.json()["client_id"] == cid, r.text
    code, verifier = fresh_code(n2, client)
    r = post_token(n2, client, {
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": client["redirect_uris"][0],
        "code_verifier": verifier})
    assert r.status_code == 200, r.text
    r = post_token(n1, client, {"grant_type": "refresh_token",
                                "refresh_token": r.json()["refresh_token"]})
    assert r.status_code == 200, r.text
    assert requests.delete(n2.adm + "/admin/clients/" + cid,
                           timeout=30).status_code == 204
    r = requests.get(n1.adm + "/admin/clients/" + cid, timeout=30)
    assert r.status_code == 404, r.text


def test_a_flow_that_moves_between_nodes(nodes):
    """A load balancer may send each step of one flow to either node:
    the authorization request to node 1, the login and consent
    acceptance to node 2's admin API, the browser's next steps to
    whichever node the redirects name, the code to node 1.  The flow's
    sealed state and its marks are the same on both."""
    n1, n2 = nodes
    client = new_client(n1)
    verifier, chal = pkce()
    browser = requests.Session()
    loc = go(browser, auth_url(n1, client, scope="openid offline_access",
                               code_challenge=chal,
                               code_challenge_method="S256"))
    assert loc.startswith(n1.pub + "/ui/login?"), loc
    loc = go(browser, accept_login(n2, challenge(loc, "login")))
    assert "/ui/consent?" in loc, loc
    loc = go(browser, accept_consent(n2, challenge(loc, "consent")))
    assert loc.startswith(client["redirect_uris"][0]), loc
    code = qs(loc)["code"]
    r = post_token(n1, client, {
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": client["redirect_uris"][0],
        "code_verifier": verifier})
    assert r.status_code == 200, r.text
    assert introspect(n2, r.json()["access_token"])["active"] is True
    # The code is spent on both.
    for s in nodes:
        r = post_token(s, client, {
            "grant_type": "authorization_code", "code": code,
            "redirect_uri": client["redirect_uris"][0],
            "code_verifier": verifier})
        assert r.status_code == 400 and \
            r.json()["error"] == "invalid_grant", r.text


@pytest.mark.parametrize("kind", ["stored", "stateless"])
def test_a_token_issued_on_one_node_revoked_on_the_other(nodes, kind):
    """An access token from node 1 (client_credentials; stored with a
    code flow's refresh token, or stateless) is active on node 2, is
    revoked there, and is then inactive on both; the same the other
    way round."""
    n1, n2 = nodes
    for issuer, other in ((n1, n2), (n2, n1)):
        if kind == "stored":
            client = new_client(issuer)
            code, verifier = fresh_code(issuer, client)
            r = post_token(issuer, client, {
                "grant_type": "authorization_code", "code": code,
                "redirect_uri": client["redirect_uris"][0],
                "code_verifier": verifier})
        else:
            client = new_client(issuer, grant_types=["client_credentials"],
                                response_types=[], redirect_uris=[],
                                scope="read")
            r = post_token(issuer, client,
                           {"grant_type": "client_credentials",
                            "scope": "read"})
        assert r.status_code == 200, r.text
        tok = r.json()
        toks = [tok["access_token"]]
        if kind == "stored":
            toks.append(tok["refresh_token"])
        for t in toks:
            i = introspect(other, t)
            assert i["active"] is True, i
            assert i["client_id"] == client["client_id"], i
        # The refresh token when there is one: it takes its grant's
        # access token with it (RFC 7009 §2.1).
        revoke(other, client, toks[-1])
        for s in (n1, n2):
            for t in toks:
                assert introspect(s, t) == {"active": False}, s.pub


def test_one_code_redeemed_on_both_nodes_at_once(nodes):
    """ROUNDS rounds: a fresh code (its flow on either node in turn),
    THREADS redemptions at once, half to each node: exactly one grant,
    every other answer invalid_grant, and the replays revoke what the
    code issued, on both nodes."""
    client = new_client(nodes[0])
    for rnd in range(ROUNDS):
        code, verifier = fresh_code(nodes[rnd % 2], client)
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": client["redirect_uris"][0],
                "code_verifier": verifier}
        won = one_winner(on_both(nodes, client, form),
                         "The authorization code has already been used.",
                         "The authorization code is not known.")
        assert won["access_token"] and won["refresh_token"] and \
            won["id_token"], rnd
        for s in nodes:
            for kind in ("access_token", "refresh_token"):
                assert introspect(s, won[kind]) == {"active": False}, \
                    (rnd, s.pub, kind)
            r = post_token(s, client, form)
            assert r.status_code == 400 and \
                r.json()["error"] == "invalid_grant", (rnd, r.text)


def test_one_refresh_token_redeemed_on_both_nodes_at_once(nodes):
    """ROUNDS rounds: a code redeemed on either node in turn, then its
    refresh token sent THREADS times at once, half to each node:
    exactly one new pair, every other answer invalid_grant, and the
    replays revoke the whole chain, on both nodes."""
    client = new_client(nodes[1])
    for rnd in range(ROUNDS):
        s = nodes[rnd % 2]
        code, verifier = fresh_code(s, client)
        r = post_token(s, client, {
            "grant_type": "authorization_code", "code": code,
            "redirect_uri": client["redirect_uris"][0],
            "code_verifier": verifier})
        assert r.status_code == 200, r.text
        first = r.json()
        form = {"grant_type": "refresh_token",
                "refresh_token": first["refresh_token"]}
        won = one_winner(on_both(nodes, client, form),
                         "The refresh token was already used.",
                         "The refresh token is not known.")
        assert won["refresh_token"] != first["refresh_token"], rnd
        for s in nodes:
            for t in (won["access_token"], won["refresh_token"],
                      first["access_token"]):
                assert introspect(s, t) == {"active": False}, (rnd, s.pub)
