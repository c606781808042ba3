"""Logout and session management: RP-initiated logout at
/oauth2/sessions/logout (OpenID Connect RP-Initiated Logout 1.0), Hydra's
logout requests on the admin API, the logout verifier with back-channel
(Back-Channel Logout 1.0) and front-channel (Front-Channel Logout 1.0)
notifications, and Session Management 1.0's check_session_iframe.

The test plays the browser (a requests.Session that does not follow
redirects), the login, consent and logout apps (the admin API) and the
relying parties, including a back-channel endpoint served from a thread.
"""

import base64
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.parse

import pytest
import requests
from jwcrypto import jwk, jwt

from conftest import free_port
from flowlib import (accept_consent, accept_login, admin, auth_url,
                     challenge, go, new_client, pkce, qs)

EVENT = "http://schemas.openid.net/event/backchannel-logout"
NODE = shutil.which("node")


# --- helpers ---------------------------------------------------------------

class Receiver:
    """A relying party's back-channel logout endpoint on loopback: records
    what was POSTed; answers after `delay` seconds with `status`."""

    def __init__(self, status=200, delay=0.0):
        got = self.got = []
        event = self.event = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n).decode()
                got.append({"path": self.path, "body": body,
                            "type": self.headers.get("Content-Type")})
                event.set()
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                except OSError:
                    pass

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.url = "http://127.0.0.1:%d/backchannel" % \
            self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(**kw):
        r = Receiver(**kw)
        made.append(r)
        return r
    yield make
    for r in made:
        r.close()


def subject():
    return "user-" + os.urandom(5).hex()


def logout_client(server, **fields):
    body = {"post_logout_redirect_uris": ["https://rp.example/bye",
                                          "https://rp.example/bye?x=1"]}
    body.update(fields)
    return new_client(server, **body)


def jwks(server):
    return jwk.JWKSet.from_json(
        requests.get(server.pub + "/.well-known/jwks.json").text)


def login(server, client, sub, browser=None, remember=True):
    """Log in (remembered) and consent through the admin API, as a
    Hydra login app would; exchange the code.  Returns (tokens,
    browser)."""
    browser = browser or requests.Session()
    verifier, chal = pkce()
    loc = go(browser, auth_url(server, client, scope="openid",
                               code_challenge=chal,
                               code_challenge_method="S256",
                               nonce="n-" + os.urandom(4).hex()))
    assert loc.startswith(server.pub + "/ui/login?"), loc
    body = {"remember": True, "remember_for": 3600} if remember else {}
    loc = go(browser, accept_login(server, challenge(loc, "login"),
                                   subject=sub, **body))
    loc = go(browser, accept_consent(server, challenge(loc, "consent")))
    code = qs(loc)["code"]
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": client["redirect_uris"][0],
        "code_verifier": verifier},
        auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 200, r.text
    return r.json(), browser


def id_claims(server, token, client):
    t = jwt.JWT(jwt=token, key=jwks(server), check_claims={
        "iss": server.pub + "/", "aud": client["client_id"]})
    return json.loads(t.claims)


def logout_url(server, **params):
    return server.pub + "/oauth2/sessions/logout" + (
        "?" + urllib.parse.urlencode(params) if params else "")


def is_error_page(server, loc, error="invalid_request"):
    assert loc.startswith(server.pub + "/ui/error?"), loc
    p = qs(loc)
    assert p["error"] == error, p
    assert p["error_description"]
    return p


def logout_challenge(server, browser, **params):
    loc = go(browser, logout_url(server, **params))
    assert loc.startswith(server.pub + "/ui/logout?"), loc
    return challenge(loc, "logout")


def accept_logout(server, ch):
    r = admin(server, "PUT", "/oauth2/auth/requests/logout/accept",
              params={"logout_challenge": ch})
    assert r.status_code == 200, r.text
    return r.json()["redirect_to"]


def login_skips(server, client, browser):
    """Does a new authorization request find a login session?"""
    loc = go(browser, auth_url(server, client))
    req = admin(server, "GET", "/oauth2/auth/requests/login",
                params={"login_challenge": challenge(loc, "login")})
    assert req.status_code == 200, req.text
    return req.json()["skip"]


def cleared(resp, name):
    """1 if resp deletes cookie name."""
    for c in resp.raw.headers.getlist("Set-Cookie"):
        if c.startswith(name + "=") and "Max-Age=0" in c:
            return True
    return False


# --- without a session -----------------------------------------------------

def test_no_session_no_hint_goes_to_post_logout_redirect(server):
    loc = go(requests.Session(), logout_url(server))
    assert loc == server.pub + "/ui/logged-out"


def test_post_method_works_too(server):
    r = requests.post(server.pub + "/oauth2/sessions/logout", data={},
                      allow_redirects=False)
    assert r.status_code == 302
    assert r.headers["Location"] == server.pub + "/ui/logged-out"


@pytest.mark.parametrize("params", [
    {"post_logout_redirect_uri": "https://rp.example/bye"},
    {"state": "abc"},
])
def test_redirect_or_state_without_hint_refused(server, params):
    is_error_page(server, go(requests.Session(), logout_url(server,
                                                             **params)))


def test_client_id_without_hint(server):
    client = logout_client(server)
    loc = go(requests.Session(), logout_url(
        server, client_id=client["client_id"],
        post_logout_redirect_uri="https://rp.example/bye", state="s 1"))
    assert loc == "https://rp.example/bye?state=s%201"
    # A registered URI with a query keeps it.
    loc = go(requests.Session(), logout_url(
        server, client_id=client["client_id"],
        post_logout_redirect_uri="https://rp.example/bye?x=1", state="z"))
    assert loc == "https://rp.example/bye?x=1&state=z"
    is_error_page(server, go(requests.Session(), logout_url(
        server, client_id=client["client_id"],
        post_logout_redirect_uri="https://evil.example/bye")))
    is_error_page(server, go(requests.Session(), logout_url(
        server, client_id="no-such-client-" + os.urandom(4).hex())))


@pytest.mark.parametrize("hint", [
    "garbage",
    "a.b.c",
    # alg none
    "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.",
])
def test_bad_hint_refused(server, hint):
    is_error_page(server, go(requests.Session(), logout_url(
        server, id_token_hint=hint)))


def test_hint_signed_by_another_key_refused(server):
    key = jwk.JWK.generate(kty="RSA", size=2048, kid="other")
    t = jwt.JWT(header={"alg": "RS256", "kid": "other"},
                claims={"iss": server.pub + "/", "aud": "x", "sub": "a",
                        "sid": "s", "iat": int(time.time())})
    t.make_signed_token(key)
    is_error_page(server, go(requests.Session(), logout_url(
        server, id_token_hint=t.serialize())))


def test_repeated_parameter_refused(server):
    url = server.pub + "/oauth2/sessions/logout?state=a&state=b"
    is_error_page(server, go(requests.Session(), url))


# --- the admin API ---------------------------------------------------------

@pytest.mark.parametrize("prefix", ["", "/admin"])
def test_unknown_or_missing_challenge(server, prefix):
    base = server.adm + prefix + "/oauth2/auth/requests/logout"
    r = requests.get(base, params={"logout_challenge": "x" * 40})
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = requests.get(base)
    assert r.status_code == 400
    for action in ("accept", "reject"):
        r = requests.put(base + "/" + action, params={"challenge": "zz"})
        assert r.status_code == 404
    # A login challenge is not a logout challenge.
    client = new_client(server)
    loc = go(requests.Session(), auth_url(server, client))
    r = requests.get(base, params={"challenge": challenge(loc, "login")})
    assert r.status_code == 404


def test_logout_api_not_on_public_listener(server):
    r = requests.get(server.pub + "/oauth2/auth/requests/logout",
                     params={"logout_challenge": "x"})
    assert r.status_code == 404


# --- end to end ------------------------------------------------------------

def test_rp_initiated_logout_end_to_end(server, receiver):
    bc = receiver()
    client = logout_client(server, backchannel_logout_uri=bc.url,
                           backchannel_logout_session_required=True)
    sub = subject()
    tok, browser = login(server, client, sub)
    claims = id_claims(server, tok["id_token"], client)
    assert login_skips(server, client, browser)

    ch = logout_challenge(server, browser, id_token_hint=tok["id_token"],
                          post_logout_redirect_uri="https://rp.example/bye",
                          state="st-123")
    # The logout request, at both prefixes, by either parameter name.
    for prefix, name in (("", "logout_challenge"), ("/admin", "challenge")):
        r = requests.get(server.adm + prefix +
                         "/oauth2/auth/requests/logout", params={name: ch})
        assert r.status_code == 200, r.text
        req = r.json()
        assert req["challenge"] == ch
        assert req["subject"] == sub and req["sid"] == claims["sid"]
        assert req["rp_initiated"] is True
        assert req["client"]["client_id"] == client["client_id"]
        assert "client_secret" not in req["client"]
        assert req["request_url"].startswith(
            server.pub + "/oauth2/sessions/logout?")
        assert "id_token_hint=" in req["request_url"]
        assert req["expires_at"].endswith("Z")
        assert req["requested_at"].endswith("Z")
        assert r.headers["Cache-Control"].startswith("private")

    verifier_url = accept_logout(server, ch)
    assert verifier_url.startswith(
        server.pub + "/oauth2/sessions/logout?logout_verifier=")
    # Handled: 410 with the same redirect_to, for GET and both answers.
    for method, path in (("GET", ""), ("PUT", "/accept"),
                         ("PUT", "/reject")):
        r = admin(server, method, "/oauth2/auth/requests/logout" + path,
                  params={"logout_challenge": ch})
        assert r.status_code == 410, r.text
        assert r.json() == {"redirect_to": verifier_url}

    jar = browser.cookies.copy()        # for a replay, CSRF cookie and all
    r = browser.get(verifier_url, allow_redirects=False)
    assert r.status_code == 302, r.text
    assert r.headers["Location"] == "https://rp.example/bye?state=st-123"
    assert cleared(r, "oidcgi_session")
    bs = [c for c in r.raw.headers.getlist("Set-Cookie")
          if c.startswith("oidcgi_browser_state=")]
    assert bs and "Max-Age=0" in bs[0] and "HttpOnly" not in bs[0]

    # Back-channel: one logout token, valid, as the spec wants it.
    assert bc.event.wait(5)
    assert len(bc.got) == 1
    post = bc.got[0]
    assert post["path"] == "/backchannel"
    assert post["type"].startswith("application/x-www-form-urlencoded")
    form = urllib.parse.parse_qs(post["body"])
    assert list(form) == ["logout_token"]
    token = form["logout_token"][0]
    header = json.loads(base64.urlsafe_b64decode(
        token.split(".")[0] + "==").decode())
    assert header["typ"] == "logout+jwt" and header["alg"] != "none"
    lt = jwt.JWT(jwt=token, key=jwks(server), check_claims={
        "iss": server.pub + "/", "aud": client["client_id"]})
    lc = json.loads(lt.claims)
    assert lc["aud"] == [client["client_id"]]
    assert lc["events"] == {EVENT: {}}
    assert lc["sid"] == claims["sid"] and lc["sub"] == sub
    assert "nonce" not in lc
    assert lc["exp"] - lc["iat"] == 120 and abs(lc["iat"] - time.time()) < 60
    assert len(lc["jti"]) >= 16

    # The session is gone: a new authorization asks for a login.
    assert not login_skips(server, client, browser)
    # The verifier is single use (and its CSRF cookie was deleted).
    assert cleared(r, [k for k in jar.keys()
                       if k.startswith("oidcgi_logout_csrf_")][0])
    r = requests.get(verifier_url, cookies=jar, allow_redirects=False)
    p = is_error_page(server, r.headers["Location"])
    assert "used already" in p["error_description"]
    assert len(bc.got) == 1
    # The logout did not revoke tokens (Hydra #1651).
    r = admin(server, "POST", "/oauth2/introspect",
              data={"token": tok["access_token"]})
    assert r.json()["active"] is True


def test_logout_without_redirect_goes_to_default(server):
    client = logout_client(server)
    tok, browser = login(server, client, subject())
    ch = logout_challenge(server, browser, id_token_hint=tok["id_token"])
    r = browser.get(accept_logout(server, ch), allow_redirects=False)
    assert r.status_code == 302
    assert r.headers["Location"] == server.pub + "/ui/logged-out"


def test_op_initiated_logout_by_cookie(server):
    client = logout_client(server)
    sub = subject()
    tok, browser = login(server, client, sub)
    ch = logout_challenge(server, browser)
    req = admin(server, "GET", "/oauth2/auth/requests/logout",
                params={"logout_challenge": ch}).json()
    assert req["rp_initiated"] is False and req["client"] is None
    assert req["subject"] == sub
    r = browser.get(accept_logout(server, ch), allow_redirects=False)
    assert r.headers["Location"] == server.pub + "/ui/logged-out"
    assert not login_skips(server, client, browser)


def test_client_id_alone_is_not_rp_initiated(server):
    """Anyone can send a client_id: the logout app must still ask."""
    client = logout_client(server)
    tok, browser = login(server, client, subject())
    ch = logout_challenge(server, browser, client_id=client["client_id"],
                          post_logout_redirect_uri="https://rp.example/bye",
                          state="q")
    req = admin(server, "GET", "/oauth2/auth/requests/logout",
                params={"logout_challenge": ch}).json()
    assert req["rp_initiated"] is False
    assert req["client"]["client_id"] == client["client_id"]
    r = browser.get(accept_logout(server, ch), allow_redirects=False)
    assert r.headers["Location"] == "https://rp.example/bye?state=q"


def test_expired_hint_is_accepted(tmp_path):
    from conftest import Server
    s = Server(tmp_path, conf="ttl.id_token = 1s\n").start()
    try:
        client = logout_client(s)
        tok, browser = login(s, client, subject())
        time.sleep(2.1)
        ch = logout_challenge(s, browser, id_token_hint=tok["id_token"],
                              post_logout_redirect_uri="https://rp.example/"
                              "bye")
        r = browser.get(accept_logout(s, ch), allow_redirects=False)
        assert r.headers["Location"] == "https://rp.example/bye"
    finally:
        s.stop()


def test_hint_of_another_client_refused_with_client_id(server):
    a = logout_client(server)
    b = logout_client(server)
    tok, browser = login(server, a, subject())
    is_error_page(server, go(browser, logout_url(
        server, id_token_hint=tok["id_token"], client_id=b["client_id"])))
    # Nor can a's hint carry a redirect only another client registered.
    logout_client(server, post_logout_redirect_uris=[
        "https://b.example/bye"])
    is_error_page(server, go(browser, logout_url(
        server, id_token_hint=tok["id_token"],
        post_logout_redirect_uri="https://b.example/bye")))


def test_unregistered_post_logout_redirect_refused(server):
    client = logout_client(server)
    tok, browser = login(server, client, subject())
    for uri in ("https://evil.example/bye", "https://rp.example/bye/",
                "https://rp.example/BYE"):
        is_error_page(server, go(browser, logout_url(
            server, id_token_hint=tok["id_token"],
            post_logout_redirect_uri=uri)))
    # Nothing happened to the session.
    assert login_skips(server, client, browser)


def test_hint_without_session_goes_straight_on(server):
    client = logout_client(server)
    tok, browser = login(server, client, subject())
    ch = logout_challenge(server, browser, id_token_hint=tok["id_token"])
    browser.get(accept_logout(server, ch), allow_redirects=False)
    # Logged out already: no second challenge, straight to the RP.
    loc = go(browser, logout_url(
        server, id_token_hint=tok["id_token"],
        post_logout_redirect_uri="https://rp.example/bye", state="again"))
    assert loc == "https://rp.example/bye?state=again"


def test_hint_session_ends_even_from_another_browser(server):
    """The hint's sid names the session to end when this browser has
    none (the RP knows which session it is logging out)."""
    client = logout_client(server)
    tok, browser = login(server, client, subject())
    other = requests.Session()
    ch = logout_challenge(server, other, id_token_hint=tok["id_token"])
    r = other.get(accept_logout(server, ch), allow_redirects=False)
    assert r.status_code == 302
    assert not login_skips(server, client, browser)


@pytest.mark.parametrize("prefix", ["", "/admin"])
def test_reject_keeps_the_session(server, prefix):
    """A rejected logout is a 204 without a body, in Hydra 1.x and 2.x
    (consent/handler.go); a second answer is the 410 naming where the
    logout would have gone."""
    client = logout_client(server)
    tok, browser = login(server, client, subject())
    ch = logout_challenge(server, browser, id_token_hint=tok["id_token"],
                          post_logout_redirect_uri="https://rp.example/bye",
                          state="keep")
    r = requests.put(server.adm + prefix +
                     "/oauth2/auth/requests/logout/reject",
                     params={"logout_challenge": ch})
    assert r.status_code == 204, r.text
    assert r.content == b""
    r2 = admin(server, "PUT", "/oauth2/auth/requests/logout/accept",
               params={"logout_challenge": ch})
    assert r2.status_code == 410
    assert r2.json() == {"redirect_to": "https://rp.example/bye?state=keep"}
    assert login_skips(server, client, browser)


def test_verifier_needs_the_browser_csrf_cookie(server):
    client = logout_client(server)
    tok, browser = login(server, client, subject())
    ch = logout_challenge(server, browser, id_token_hint=tok["id_token"])
    url = accept_logout(server, ch)
    r = requests.get(url, allow_redirects=False)        # another browser
    is_error_page(server, r.headers["Location"], "request_forbidden")
    assert login_skips(server, client, browser)
    # The right browser still can.
    r = browser.get(url, allow_redirects=False)
    assert r.status_code == 302
    assert not login_skips(server, client, browser)


def test_forged_verifier_refused(server):
    loc = go(requests.Session(), logout_url(server, logout_verifier="x" * 50))
    is_error_page(server, loc, "not_found")


def test_frontchannel_page(server):
    a = logout_client(server,
                      frontchannel_logout_uri="https://a.example/fc?k=v",
                      frontchannel_logout_session_required=True)
    b = logout_client(server, frontchannel_logout_uri="https://b.example/fc")
    c = logout_client(server)
    sub = subject()
    tok, browser = login(server, a, sub)
    login(server, b, sub, browser)
    login(server, c, sub, browser)
    claims = id_claims(server, tok["id_token"], a)
    ch = logout_challenge(server, browser, id_token_hint=tok["id_token"],
                          post_logout_redirect_uri="https://rp.example/bye",
                          state="f&s")
    r = browser.get(accept_logout(server, ch), allow_redirects=False)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/html")
    assert cleared(r, "oidcgi_session")
    page = r.text
    want_a = "https://a.example/fc?k=v&amp;iss=%s&amp;sid=%s" % (
        urllib.parse.quote(server.pub + "/", safe=""),
        urllib.parse.quote(claims["sid"], safe=""))
    assert '<iframe hidden title="logout" src="%s"></iframe>' % want_a in page
    assert ('<iframe hidden title="logout" src="https://b.example/fc">'
            '</iframe>') in page
    assert page.count("<iframe") == 2
    target = "https://rp.example/bye?state=f%26s"
    assert ('<meta http-equiv="refresh" content="3;url=%s">' %
            target.replace("&", "&amp;")) in page
    assert '<a href="%s">' % target in page
    assert "<script" not in page
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "frame-src https://a.example/fc https://b.example/fc;" in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in r.headers["Cache-Control"]


def test_backchannel_failures_do_not_block_logout(server, receiver):
    slow = receiver(delay=10)
    broken = receiver(status=500)
    good = receiver()
    refused = "http://127.0.0.1:%d/bc" % free_port()
    clients = [logout_client(server, backchannel_logout_uri=u)
               for u in (slow.url, refused, broken.url, good.url)]
    sub = subject()
    tok, browser = login(server, clients[0], sub)
    for c in clients[1:]:
        login(server, c, sub, browser)
    ch = logout_challenge(server, browser, id_token_hint=tok["id_token"])
    url = accept_logout(server, ch)
    t0 = time.monotonic()
    r = browser.get(url, allow_redirects=False, timeout=15)
    took = time.monotonic() - t0
    assert r.status_code == 302
    assert took < 4.5, took             # 2 s per POST, run in parallel
    assert len(good.got) == 1 and len(broken.got) == 1
    assert len(slow.got) == 1
    assert not login_skips(server, clients[0], browser)
    log = server.read_log()
    for c in clients[:3]:
        assert "back-channel logout of client %s failed" % \
            c["client_id"] in log, log[-2000:]
    assert "back-channel logout of client %s failed" % \
        clients[3]["client_id"] not in log
    assert "logout_token" not in log and tok["id_token"] not in log


def test_backchannel_only_to_clients_of_the_session(server, receiver):
    mine, theirs = receiver(), receiver()
    a = logout_client(server, backchannel_logout_uri=mine.url)
    b = logout_client(server, backchannel_logout_uri=theirs.url)
    tok, browser = login(server, a, subject())
    login(server, b, subject())         # someone else's session
    ch = logout_challenge(server, browser, id_token_hint=tok["id_token"])
    browser.get(accept_logout(server, ch), allow_redirects=False)
    assert mine.event.wait(5)
    time.sleep(0.2)
    assert len(mine.got) == 1 and theirs.got == []


def test_backchannel_pairwise_client_gets_no_sub(server, receiver):
    bc = receiver()
    client = logout_client(server, backchannel_logout_uri=bc.url,
                           subject_type="pairwise",
                           sector_identifier_uri="")
    tok, browser = login(server, client, subject())
    ch = logout_challenge(server, browser, id_token_hint=tok["id_token"])
    browser.get(accept_logout(server, ch), allow_redirects=False)
    assert bc.event.wait(5)
    token = urllib.parse.parse_qs(bc.got[0]["body"])["logout_token"][0]
    lc = json.loads(jwt.JWT(jwt=token, key=jwks(server)).claims)
    assert "sub" not in lc and lc["sid"]


def test_headless_logout_by_sid_sends_backchannel(server, receiver):
    bc = receiver()
    client = logout_client(server, backchannel_logout_uri=bc.url)
    tok, browser = login(server, client, subject())
    sid = id_claims(server, tok["id_token"], client)["sid"]
    r = admin(server, "DELETE", "/oauth2/auth/sessions/login",
              params={"sid": sid})
    assert r.status_code == 204
    assert not login_skips(server, client, browser)
    assert bc.event.wait(5)
    token = urllib.parse.parse_qs(bc.got[0]["body"])["logout_token"][0]
    assert json.loads(jwt.JWT(jwt=token, key=jwks(server)).claims)[
        "sid"] == sid


# --- Session Management: check_session_iframe ------------------------------

def test_discovery_names_the_iframe(server):
    d = requests.get(server.pub + "/.well-known/openid-configuration").json()
    assert d["check_session_iframe"] == server.pub + "/oauth2/sessions/iframe"
    assert d["end_session_endpoint"] == \
        server.pub + "/oauth2/sessions/logout"


def test_iframe_page_and_script(server):
    js_url = server.pub + "/oauth2/sessions/iframe.js"
    r = requests.get(server.pub + "/oauth2/sessions/iframe")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert r.headers["Cache-Control"] == "public, max-age=7200"
    assert "Pragma" not in r.headers
    assert '<script src="%s"></script>' % js_url in r.text
    csp = r.headers["Content-Security-Policy"]
    assert "script-src %s;" % js_url in csp
    assert "unsafe-inline" not in csp and "frame-ancestors" not in csp
    assert "X-Frame-Options" not in r.headers
    s = requests.get(js_url)
    assert s.status_code == 200
    assert s.headers["Content-Type"].startswith("text/javascript")
    assert s.headers["Cache-Control"] == "public, max-age=7200"
    assert "oidcgi_browser_state" in s.text and "postMessage" in s.text
    assert requests.head(js_url).status_code == 200
    r = requests.post(server.pub + "/oauth2/sessions/iframe")
    assert r.status_code == 405


def test_client_iframe_path(server):
    client = new_client(server)
    r = requests.get(server.pub + "/%s/iframe" %
                     urllib.parse.quote(client["client_id"], safe=""))
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "public, max-age=7200"
    assert "/oauth2/sessions/iframe.js" in r.text
    r = requests.get(server.pub + "/no-such-client-%s/iframe" %
                     os.urandom(4).hex())
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert "no-store" in r.headers["Cache-Control"]


# (Unknown paths under /ui/ are the bundled app's: an HTML page, see
# test_ui.py.)
@pytest.mark.parametrize("path", ["/", "/nope", "/a/b/c", "/x/iframe/y"])
def test_public_unknown_paths_are_json_404(server, path):
    r = requests.get(server.pub + path)
    assert r.status_code == 404, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["error"] == "not_found"


def session_state(cid, origin, bs, salt):
    h = hashlib.sha256(("%s %s %s %s" % (cid, origin, bs, salt))
                       .encode()).digest()
    return base64.urlsafe_b64encode(h).decode().rstrip("=") + "." + salt


NODE_HARNESS = r"""
const src = require("fs").readFileSync(0, "utf8");
const [cookie, cases] = JSON.parse(process.argv[1]);
let handler;
const answers = [];
const parent = {postMessage: (m, o) => answers.push([m, o])};
const stranger = {postMessage: (m, o) => answers.push(["stranger", o])};
global.window = {parent, addEventListener: (t, f) => { handler = f; }};
global.document = {cookie};
eval(src);
for (const [data, origin, fromParent] of cases)
  handler({source: fromParent ? parent : stranger, origin, data});
console.log(JSON.stringify(answers));
"""


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_iframe_script_protocol(server):
    """Run the served script under node with a stand-in window and
    document; compare with session_state computed here (§4.1)."""
    js = requests.get(server.pub + "/oauth2/sessions/iframe.js").text
    bs = "Zm9vYmFyYmF6cXV4MTIzNA"
    rp = "https://rp.example"
    cases = []
    for cid in ("c1", "client with spaces", "\u00fc\u20ac\U0001F600",
                "x" * 300):
        cases.append([cid + " " + session_state(cid, rp, bs, "salt1"),
                      rp, True])
    cases += [
        ["c1 " + session_state("c1", rp, "other", "s"), rp, True],
        ["c1 " + session_state("c1", "https://evil.example", bs, "s"), rp,
         True],
        ["c1 " + session_state("c1", rp, bs, "s"), rp, False],  # ignored
        ["garbage", rp, True],
        ["c1 nodot", rp, True],
        ["c1 " + session_state("c1", rp, bs, "s"), "null", True],  # ignored
    ]
    out = subprocess.run(
        [NODE, "-e", NODE_HARNESS, json.dumps(
            ["a=1; oidcgi_browser_state=%s; z=2" % bs, cases])],
        input=js, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [
        ["unchanged", rp]] * 4 + [["changed", rp]] * 2 + [
        ["error", rp]] * 2
    # Without the cookie the browser state is "".
    out = subprocess.run(
        [NODE, "-e", NODE_HARNESS, json.dumps(
            ["", [["c1 " + session_state("c1", rp, "", "q"), rp, True]]])],
        input=js, capture_output=True, text=True, timeout=30)
    assert json.loads(out.stdout) == [["unchanged", rp]]
