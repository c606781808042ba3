"""Races at the token endpoint through real lighttpd with several
FastCGI processes per binary: one authorization code, and one refresh
token, each sent by many requests at once.  Exactly one request gets a
grant; every other one is a replay (RFC 6749 §4.1.2, §10.4; RFC 9700
§2.2.2, §4.14.2), which revokes what the winner was issued.  Each
redemption is one LMDB write transaction, so the requests are
serialized: the first to commit wins and every later one finds the code
or token spent."""

import threading

import pytest
import requests

from conftest import Server
from flowlib import login_and_consent, new_client, pkce, qs

THREADS = 32


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("races"), procs=3).start()
    yield s
    assert s.stop() == []


def code_flow(server):
    """A client and a fresh code for it: (client, code, PKCE verifier)."""
    client = new_client(server)
    verifier, chal = pkce()
    loc, _ = login_and_consent(server, client,
                               scope="openid offline_access",
                               code_challenge=chal,
                               code_challenge_method="S256")
    assert loc.startswith(client["redirect_uris"][0]), loc
    return client, qs(loc)["code"], verifier


def post_token(server, client, data):
    return requests.post(server.pub + "/oauth2/token", data=data,
                         auth=(client["client_id"], client["client_secret"]),
                         timeout=30)


def introspect(server, tok):
    r = requests.post(server.adm + "/admin/oauth2/introspect",
                      data={"token": tok}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def all_at_once(n, fn):
    """Run fn() in n threads released together; their results."""
    gate = threading.Barrier(n)
    out = [None] * n

    def run(i):
        gate.wait()
        try:
            out[i] = fn()
        except Exception as e:          # reported by the caller
            out[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    return out


def one_winner(results, replay_description, unknown_hint):
    """Exactly one 200.  Every other answer is a 400 invalid_grant: the
    first replay after the winner's commit finds the spent code or
    token and revokes what it issued ("already used"); that revocation
    deletes the spent record with the rest of the grant, so today the
    replays after it find nothing ("not known").  Returns the winner's
    token response."""
    for r in results:
        assert isinstance(r, requests.Response), repr(r)
    wins = [r for r in results if r.status_code == 200]
    assert len(wins) == 1, [(r.status_code, r.text) for r in results]
    replays = 0
    for r in results:
        if r.status_code == 200:
            continue
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["error"] == "invalid_grant", body
        if body["error_description"] == replay_description:
            replays += 1
        else:
            assert body.get("error_hint") == unknown_hint, body
    assert replays >= 1, [r.text for r in results]
    return wins[0].json()


def test_one_code_redeemed_concurrently(srv):
    client, code, verifier = code_flow(srv)
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": client["redirect_uris"][0],
            "code_verifier": verifier}
    won = one_winner(all_at_once(THREADS,
                                 lambda: post_token(srv, client, form)),
                     "The authorization code has already been used.",
                     "The authorization code is not known.")
    assert won["access_token"] and won["refresh_token"] and won["id_token"]
    # The replays revoked everything the code had issued.
    for kind in ("access_token", "refresh_token"):
        assert introspect(srv, won[kind]) == {"active": False}, kind
    r = post_token(srv, client, {"grant_type": "refresh_token",
                                 "refresh_token": won["refresh_token"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", \
        r.text
    # Still refused afterwards.
    r = post_token(srv, client, form)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", \
        r.text


def test_one_refresh_token_redeemed_concurrently(srv):
    client, code, verifier = code_flow(srv)
    r = post_token(srv, client, {
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": client["redirect_uris"][0],
        "code_verifier": verifier})
    assert r.status_code == 200, r.text
    first = r.json()
    form = {"grant_type": "refresh_token",
            "refresh_token": first["refresh_token"]}
    won = one_winner(all_at_once(THREADS,
                                 lambda: post_token(srv, client, form)),
                     "The refresh token was already used.",
                     "The refresh token is not known.")
    assert won["refresh_token"] != first["refresh_token"]
    # The replays revoked the whole chain: the winner's pair and the
    # first one.
    for t in (won["access_token"], won["refresh_token"],
              first["access_token"], first["refresh_token"]):
        assert introspect(srv, t) == {"active": False}
    r = post_token(srv, client, {"grant_type": "refresh_token",
                                 "refresh_token": won["refresh_token"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", \
        r.text


def test_distinct_refresh_tokens_rotate_concurrently(srv):
    """The serialization does not lose a grant: many chains refreshed
    at once each get exactly their own new pair, all valid."""
    pairs = []
    for _ in range(9):
        client, code, verifier = code_flow(srv)
        r = post_token(srv, client, {
            "grant_type": "authorization_code", "code": code,
            "redirect_uri": client["redirect_uris"][0],
            "code_verifier": verifier})
        assert r.status_code == 200, r.text
        pairs.append((client, r.json()))
    bystander, pairs = pairs[0], pairs[1:]
    jobs = list(pairs) * 4              # each chain's token sent 4 times
    it = iter(range(len(jobs)))
    lock = threading.Lock()

    def one():
        with lock:
            client, tok = jobs[next(it)]
        return client, post_token(srv, client, {
            "grant_type": "refresh_token",
            "refresh_token": tok["refresh_token"]})

    results = all_at_once(len(jobs), one)
    for res in results:
        assert isinstance(res, tuple), repr(res)
    for client, tok in pairs:
        mine = [r for c, r in results if c is client]
        won = one_winner(mine, "The refresh token was already used.",
                         "The refresh token is not known.")
        # Its own replays revoked its chain.
        assert introspect(srv, won["refresh_token"]) == {"active": False}
        assert introspect(srv, tok["refresh_token"]) == {"active": False}
    # And only its chain: a chain nobody replayed is untouched.
    for kind in ("access_token", "refresh_token"):
        assert introspect(srv, bystander[1][kind])["active"] is True
    r = post_token(srv, bystander[0], {
        "grant_type": "refresh_token",
        "refresh_token": bystander[1]["refresh_token"]})
    assert r.status_code == 200, r.text
