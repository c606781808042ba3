"""The bundled login, consent and logout app (cgi-bin/ui, under /ui/)
and its user store: every page, the lockout, CSRF refusal, escaping of
hostile values, the skip paths, the claims each scope puts in the ID
token and userinfo, the demo, and `oidcgi users`.

The test plays a browser without script (uilib.Browser: cookies, one
redirect at a time, forms read from the HTML) and the relying party
(requests against /oauth2/token and /userinfo)."""

import json
import re
import statistics
import time
import urllib.parse

import pytest
import requests
import requests.adapters

from conftest import Server
from flowlib import admin, new_client, qs
from uilib import Browser, Forms, add_user, authorize_url, cli, id_claims

CB = "https://rp.example/cb"


def client_for(server, **fields):
    body = {"redirect_uris": [CB],
            "scope": "openid offline_access profile email address phone",
            "client_name": "Test RP"}
    body.update(fields)
    return new_client(server, **body)


def login_page(b, server, client, **params):
    r = b.page(authorize_url(server, client, **params))
    assert r.status_code == 200, r.text
    assert urllib.parse.urlsplit(r.url).path == "/ui/login", r.url
    return r


def sign_in(b, r, username, password, remember=False, stop=None):
    """Submit the login form; follow to the next page (or to stop)."""
    over = {"username": username, "password": password}
    if remember:
        over["remember"] = "1"
    return b.follow(b.submit(r, "login", **over), stop or CB)


def exchange(server, client, loc):
    code = qs(loc)["code"]
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": client["redirect_uris"][0]},
        auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 200, r.text
    return r.json()


def full_flow(server, client, user, scope, tick=None, remember=False,
              b=None, **params):
    """Sign in and consent (ticking tick, default every scope); returns
    (token response, final Location, browser)."""
    b = b or Browser(server)
    r = login_page(b, server, client, scope=scope, **params)
    r = sign_in(b, r, user[0], user[1], remember=remember)
    if isinstance(r, str):              # consent skipped
        return exchange(server, client, r), r, b
    assert urllib.parse.urlsplit(r.url).path == "/ui/consent", r.url
    over = {}
    if tick is not None:
        over["scope"] = tick
    if remember:
        over["remember"] = "1"
    loc = b.follow(b.submit(r, "allow", **over), CB)
    assert isinstance(loc, str) and loc.startswith(CB), loc
    return exchange(server, client, loc), loc, b


USER_CLAIMS = {"name": "Ada Lovelace", "given_name": "Ada",
               "family_name": "Lovelace", "email": "ada@example.org",
               "email_verified": "true", "phone_number": "+44 20 7946 0000",
               "phone_number_verified": "false",
               "address": json.dumps({"locality": "London",
                                      "country": "UK"}),
               "picture": "https://example.org/ada.png", "locale": "en-GB",
               "zoneinfo": "Europe/London"}


@pytest.fixture(scope="module")
def ada(server):
    return add_user(server, "Ada-" + str(time.time_ns() % 10**8),
                    claims=USER_CLAIMS)


# --- the pages -------------------------------------------------------------

def security_headers(r):
    csp = r.headers["Content-Security-Policy"]
    parts = {p.split()[0]: p.split()[1:] for p in csp.split("; ")}
    assert parts["default-src"] == ["'none'"]
    assert "script-src" not in parts           # none at all
    assert parts["style-src"] == ["'self'"]    # no inline style
    assert parts["frame-ancestors"] == ["'none'"]
    assert parts["base-uri"] == ["'none'"]
    assert parts["form-action"][0] == "'self'"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<script" not in r.text and " style=" not in r.text
    assert r.text.startswith("<!DOCTYPE html>")
    assert 'name="viewport"' in r.text
    return parts


def test_login_page(server, ada):
    client = client_for(server, client_name="Shop <&> \"Co\"",
                        logo_uri="https://rp.example/logo.png?x=1")
    b = Browser(server)
    r = login_page(b, server, client, login_hint='bob"><script>x</script>')
    csp = security_headers(r)
    assert csp["img-src"] == ["https://rp.example/logo.png"]
    assert csp["form-action"] == ["'self'", CB]
    f = Forms(r.text)
    assert "Shop <&> \"Co\"" in f.page_text()
    assert "Shop &lt;&amp;&gt; &quot;Co&quot;" in r.text
    assert f.imgs == ["https://rp.example/logo.png?x=1"]
    inputs = {i["name"]: i for i in f.form()["inputs"] if i["name"]}
    # login_hint prefilled, escaped (the parser gives it back whole).
    assert inputs["username"]["value"] == 'bob"><script>x</script>'
    assert inputs["password"]["type"] == "password"
    assert inputs["challenge"]["type"] == "hidden"
    assert inputs["csrf"]["type"] == "hidden" and inputs["csrf"]["value"]
    # Every visible field has a label.
    for name in ("username", "password"):
        assert inputs[name]["id"] in f.labels
    assert 'type="checkbox" name="remember"' in r.text
    assert f.form()["method"] == "post"
    assert "oidcgi_ui_csrf=" in r.headers["Set-Cookie"]
    assert "HttpOnly" in r.headers["Set-Cookie"]


def test_code_flow_with_claims(server, ada):
    client = client_for(server)
    tok, loc, _ = full_flow(server, client, ada, "openid profile email",
                            nonce="n-123")
    c = id_claims(server, client, tok["id_token"])
    assert c["sub"] == ada[2]["subject"] and c["nonce"] == "n-123"
    assert c["name"] == "Ada Lovelace" and c["given_name"] == "Ada"
    assert c["preferred_username"] == ada[0]
    assert c["picture"] == "https://example.org/ada.png"
    assert c["locale"] == "en-GB" and c["zoneinfo"] == "Europe/London"
    assert c["updated_at"] == ada[2]["updated_at"]
    assert c["email"] == "ada@example.org" and c["email_verified"] is True
    assert "phone_number" not in c and "address" not in c
    u = requests.get(server.pub + "/userinfo", headers={
        "Authorization": "Bearer " + tok["access_token"]}).json()
    assert u["sub"] == c["sub"] and u["email"] == "ada@example.org"
    assert u["name"] == "Ada Lovelace" and "address" not in u
    assert c["amr"] == ["pwd"]


@pytest.mark.parametrize("scope,want,absent", [
    ("openid", [], ["name", "email", "address", "phone_number",
                    "preferred_username", "updated_at"]),
    ("openid email", ["email", "email_verified"],
     ["name", "address", "phone_number"]),
    ("openid address", ["address"], ["name", "email", "phone_number"]),
    ("openid phone", ["phone_number", "phone_number_verified"],
     ["name", "email", "address"]),
    ("openid profile", ["name", "family_name", "given_name", "picture",
                        "locale", "zoneinfo", "preferred_username",
                        "updated_at"],
     ["email", "address", "phone_number"]),
])
def test_claims_per_scope(server, ada, scope, want, absent):
    client = client_for(server)
    tok, _, _ = full_flow(server, client, ada, scope)
    assert set(tok["scope"].split()) == set(scope.split())
    c = id_claims(server, client, tok["id_token"])
    u = requests.get(server.pub + "/userinfo", headers={
        "Authorization": "Bearer " + tok["access_token"]}).json()
    for claims in (c, u):
        for k in want:
            assert k in claims, (k, claims)
        for k in absent:
            assert k not in claims, (k, claims)
    if "address" in want:
        assert c["address"] == {"locality": "London", "country": "UK"}
    if "phone_number" in want:
        assert c["phone_number_verified"] is False


def test_consent_page(server, ada):
    client = client_for(server, client_uri="https://rp.example/",
                        policy_uri="https://rp.example/privacy?a=1&b=2",
                        tos_uri="https://rp.example/tos",
                        audience=["https://api.example/"])
    b = Browser(server)
    r = login_page(b, server, client,
                   scope="openid offline_access profile email",
                   audience="https://api.example/")
    r = sign_in(b, r, ada[0], ada[1])
    assert urllib.parse.urlsplit(r.url).path == "/ui/consent"
    security_headers(r)
    f = Forms(r.text)
    text = f.page_text()
    assert "Test RP" in text and "Signed in as " + ada[0] in text
    assert "See your email address" in text
    assert "Keep access while you are not using it" in text
    assert "https://api.example/" in text
    boxes = {i["value"]: i for i in f.form()["inputs"]
             if i["type"] == "checkbox" and i["name"] == "scope"}
    # openid is not optional: a disabled box outside the form data.
    assert set(boxes) == {"offline_access", "profile", "email"}
    assert all(b_["checked"] for b_ in boxes.values())
    assert 'checked disabled> <span>Know who you are' in r.text
    assert f.links == ["https://rp.example/",
                       "https://rp.example/privacy?a=1&b=2",
                       "https://rp.example/tos"]
    assert "privacy?a=1&amp;b=2" in r.text
    assert 'rel="noopener noreferrer"' in r.text
    # Untick email: not granted, no email claim.
    loc = b.follow(b.submit(r, "allow", scope=["profile",
                                                "offline_access"]), CB)
    tok = exchange(server, client, loc)
    assert set(tok["scope"].split()) == {"openid", "profile",
                                         "offline_access"}
    assert "refresh_token" in tok
    c = id_claims(server, client, tok["id_token"])
    assert "email" not in c and c["name"] == "Ada Lovelace"
    assert c["aud"] == client["client_id"] or \
        client["client_id"] in c["aud"]


def test_consent_scopes_not_requested_are_not_granted(server, ada):
    client = client_for(server)
    b = Browser(server)
    r = sign_in(b, login_page(b, server, client, scope="openid email"),
                ada[0], ada[1])
    loc = b.follow(b.submit(r, "allow", scope=["email", "phone",
                                                "address"]), CB)
    tok = exchange(server, client, loc)
    assert set(tok["scope"].split()) == {"openid", "email"}


def test_deny_and_cancel(server, ada):
    client = client_for(server)
    b = Browser(server)
    r = sign_in(b, login_page(b, server, client), ada[0], ada[1])
    loc = b.follow(b.submit(r, "deny"), CB)
    assert qs(loc)["error"] == "access_denied"
    assert "denied" in qs(loc)["error_description"]
    b = Browser(server)
    r = login_page(b, server, client)
    loc = b.follow(b.submit(r, "cancel", username="", password=""), CB)
    assert qs(loc)["error"] == "access_denied"
    assert "cancelled" in qs(loc)["error_description"]


def test_wrong_password_and_unknown_user_look_alike(server, ada):
    client = client_for(server)
    b = Browser(server)
    r = login_page(b, server, client)
    wrong = b.submit(r, "login", username=ada[0], password="not-it-123")
    unknown = b.submit(r, "login", username="nobody-" + ada[0],
                       password="not-it-123")
    for x in (wrong, unknown):
        assert x.status_code == 200
        assert "The username or password is incorrect." in x.text
        security_headers(x)
    strip = lambda t: re.sub(r'value="[^"]*"', "", t)   # noqa: E731
    assert strip(wrong.text) == strip(unknown.text)
    # An unknown name costs a password check too (scrypt, tens of ms).
    def timed(name):
        t = time.monotonic()
        b.submit(r, "login", username=name, password="not-it-123")
        return time.monotonic() - t
    known = statistics.median(timed(ada[0]) for _ in range(3))
    nobody = statistics.median(timed("ghost-" + ada[0]) for _ in range(3))
    assert nobody > 0.02 and nobody > 0.5 * known, (nobody, known)
    # The name is case-insensitive; the right password goes through.
    r2 = sign_in(b, r, ada[0].upper(), ada[1])
    assert urllib.parse.urlsplit(r2.url).path == "/ui/consent"


def test_empty_fields(server):
    client = client_for(server)
    b = Browser(server)
    r = login_page(b, server, client)
    x = b.submit(r, "login", username="", password="")
    assert x.status_code == 400 and "Enter your username" in x.text


# --- lockout -----------------------------------------------------------------

@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("ui-lockout"),
               conf="ui.lockout.attempts = 3\nui.lockout.window = 1m\n",
               env={"UI_LOCKOUT_DURATION": "6s"}).start()
    yield s
    s.stop()


def test_lockout(strict):
    server = strict
    user = add_user(server)
    client = client_for(server)
    b = Browser(server)
    r = login_page(b, server, client)
    for _ in range(3):
        x = b.submit(r, "login", username=user[0], password="wrong-pass")
        assert x.status_code == 200 and "incorrect" in x.text
    # Locked: even the right password is refused, without a check.
    x = b.submit(r, "login", username=user[0].upper(), password=user[1])
    assert x.status_code == 429
    assert "Too many failed sign-in attempts" in x.text
    assert "up to 1 minute" in x.text
    # A name that does not exist locks the same way, same words.
    for _ in range(3):
        b.submit(r, "login", username="ghost-" + user[0], password="x" * 9)
    y = b.submit(r, "login", username="ghost-" + user[0], password="x" * 9)
    assert y.status_code == 429
    strip = lambda t: re.sub(r'value="[^"]*"', "", t)   # noqa: E731
    assert strip(x.text) == strip(y.text)
    # Another username is not affected.
    other = add_user(server)
    z = sign_in(b, r, other[0], other[1])
    assert urllib.parse.urlsplit(z.url).path == "/ui/consent"
    # After ui.lockout.duration the right password works again.
    time.sleep(6.2)
    b2 = Browser(server)
    r2 = login_page(b2, server, client)
    z = sign_in(b2, r2, user[0], user[1])
    assert urllib.parse.urlsplit(z.url).path == "/ui/consent"


class SourceAddress(requests.adapters.HTTPAdapter):
    """Connect from another loopback address (REMOTE_ADDR)."""

    def __init__(self, addr):
        self.addr = addr
        super().__init__()

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.addr, 0)
        super().init_poolmanager(*args, **kw)


def browser_from(server, addr):
    b = Browser(server)
    b.s.mount("http://", SourceAddress(addr))
    return b


def test_lockout_is_per_address(strict):
    """An attacker's failures lock the username for the attacker's
    address, not for the owner signing in from elsewhere."""
    server = strict
    user = add_user(server)
    client = client_for(server)
    mallory = browser_from(server, "127.0.0.2")
    rm = login_page(mallory, server, client)
    for _ in range(3):
        x = mallory.submit(rm, "login", username=user[0], password="wrong")
        assert x.status_code == 200 and "incorrect" in x.text
    x = mallory.submit(rm, "login", username=user[0], password=user[1])
    assert x.status_code == 429
    owner = browser_from(server, "127.0.0.3")
    r = login_page(owner, server, client)
    z = sign_in(owner, r, user[0], user[1])
    assert urllib.parse.urlsplit(z.url).path == "/ui/consent"
    # Still locked where the failures came from.
    x = mallory.submit(rm, "login", username=user[0], password=user[1])
    assert x.status_code == 429


def test_success_resets_failures(strict):
    server = strict
    user = add_user(server)
    client = client_for(server)
    for _ in range(2):
        b = Browser(server)
        r = login_page(b, server, client)
        for _ in range(2):
            b.submit(r, "login", username=user[0], password="wrong-pass")
        z = sign_in(b, r, user[0], user[1])
        assert urllib.parse.urlsplit(z.url).path == "/ui/consent"


# --- CSRF ----------------------------------------------------------------------

def test_csrf_refused(server, ada):
    client = client_for(server)
    b = Browser(server)
    r = login_page(b, server, client)
    f = Forms(r.text)
    base = dict(f.fields("login", username=ada[0], password=ada[1]))
    # No token, a forged one, one for another challenge.
    for over in ({"csrf": None}, {"csrf": "A" * 43}):
        d = {k: v for k, v in base.items()}
        d.update(over)
        d = {k: v for k, v in d.items() if v is not None}
        x = b.post(server.pub + "/ui/login", d)
        assert x.status_code == 403, x.text
        assert "request_forbidden" in x.text
    other = login_page(Browser(server), server, client)
    d = dict(base, challenge=dict(Forms(other.text).fields())["challenge"])
    assert b.post(server.pub + "/ui/login", d).status_code == 403
    # The token is bound to this browser's cookie: another browser, or
    # this one without its cookie, cannot use it.
    assert Browser(server).post(server.pub + "/ui/login",
                                base).status_code == 403
    evil = Browser(server)
    evil.s.cookies.set("oidcgi_ui_csrf", "B" * 43)
    assert evil.post(server.pub + "/ui/login", base).status_code == 403
    # None of this used the challenge: the real form still works.
    ok = b.post(server.pub + "/ui/login", base)
    assert ok.status_code == 303
    assert ok.headers["Location"].startswith(server.pub + "/oauth2/auth?")
    assert "login_verifier=" in ok.headers["Location"]


def test_csrf_consent_and_logout(server, ada):
    client = client_for(server)
    b = Browser(server)
    r = sign_in(b, login_page(b, server, client), ada[0], ada[1])
    d = dict(Forms(r.text).fields("allow"))
    d["csrf"] = "x"
    assert b.post(server.pub + "/ui/consent", d).status_code == 403
    d.pop("csrf")
    assert b.post(server.pub + "/ui/consent", d).status_code == 403
    assert b.post(server.pub + "/ui/logout", {
        "challenge": "x", "action": "logout"}).status_code == 403
    # A login token does not work for consent (the kind is bound).
    assert b.post(server.pub + "/ui/consent", dict(
        d, csrf=dict(Forms(login_page(b, server, client).text).fields())
        ["csrf"])).status_code == 403


def test_get_changes_nothing(server, ada):
    client = client_for(server)
    b = Browser(server)
    r = login_page(b, server, client)
    ch = dict(Forms(r.text).fields())["challenge"]
    for _ in range(2):
        assert b.get(r.url).status_code == 200
    # Still unanswered on the admin API.
    a = admin(server, "GET", "/oauth2/auth/requests/login",
              params={"login_challenge": ch})
    assert a.status_code == 200 and a.json()["skip"] is False


# --- escaping ----------------------------------------------------------------

HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
           "' autofocus onfocus='alert(1)", "&lt;b&gt; & <b>bold</b>"]


@pytest.mark.parametrize("value", HOSTILE)
def test_error_page_escapes(server, value):
    r = requests.get(server.pub + "/ui/error", params={
        "error": value, "error_description": value, "error_hint": value})
    assert r.status_code == 200
    security_headers(r)
    assert "<script" not in r.text and "<img" not in r.text
    assert "<b>" not in r.text and "onfocus='" not in r.text
    f = Forms(r.text)
    assert f.page_text().count(value.strip()) == 3, f.page_text()


def test_error_page_from_the_flow(server):
    b = Browser(server)
    r = b.page(server.pub + "/oauth2/auth?client_id=nope&response_type=code"
               "&scope=openid&state=12345678")
    assert urllib.parse.urlsplit(r.url).path == "/ui/error"
    assert "invalid_client" in r.text and "does not exist" in r.text


def test_callback_and_logged_out_escape(server):
    v = HOSTILE[1]
    r = requests.get(server.pub + "/ui/callback", params={
        "code": v, "state": v})
    assert r.status_code == 200 and "<img" not in r.text
    assert Forms(r.text).page_text().count(v) >= 2
    r = requests.get(server.pub + "/ui/callback", params={
        "error": v, "error_description": v})
    assert "<img" not in r.text
    r = requests.get(server.pub + "/ui/logged-out")
    assert r.status_code == 200 and "signed out" in r.text
    security_headers(r)


def test_bad_challenges(server):
    for path in ("/ui/login", "/ui/consent", "/ui/logout"):
        r = requests.get(server.pub + path)
        assert r.status_code == 400, (path, r.text)
        security_headers(r)
        r = requests.get(server.pub + path, params={
            path[4:] + "_challenge": "<script>x</script>"})
        assert r.status_code == 404 and "<script>" not in r.text
        r = requests.get(server.pub + path + "?" + path[4:] +
                         "_challenge=a&" + path[4:] + "_challenge=b")
        assert r.status_code == 400
    r = requests.put(server.pub + "/ui/login")
    assert r.status_code == 405
    assert r.headers["Content-Type"].startswith("text/html")
    assert "method_not_allowed" in r.text
    r = requests.get(server.pub + "/ui/nowhere")
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    security_headers(r)
    # A consent challenge is not a login challenge.
    client = client_for(server)
    b = Browser(server)
    r = login_page(b, server, client)
    ch = dict(Forms(r.text).fields())["challenge"]
    assert requests.get(server.pub + "/ui/consent", params={
        "consent_challenge": ch}).status_code == 404


# --- skip paths ----------------------------------------------------------------

def test_remembered_login_and_consent_skip(server, ada):
    client = client_for(server)
    tok, _, b = full_flow(server, client, ada, "openid email",
                          remember=True)
    assert "oidcgi_session" in b.s.cookies
    # Login skipped: no page, straight back to the authorization
    # endpoint; consent remembered: straight on to the client.
    r = b.get(authorize_url(server, client, scope="openid email"))
    loc = r.headers["Location"]
    assert urllib.parse.urlsplit(loc).path == "/ui/login"
    r = b.get(loc)
    assert r.status_code == 302, r.text
    assert r.headers["Location"].startswith(server.pub +
                                            "/oauth2/auth?")
    r = b.get(r.headers["Location"])
    assert urllib.parse.urlsplit(r.headers["Location"]).path == \
        "/ui/consent"
    r = b.get(r.headers["Location"])
    assert r.status_code == 302
    loc = b.follow(r, CB)
    tok2 = exchange(server, client, loc)
    c = id_claims(server, client, tok2["id_token"])
    assert c["sub"] == ada[2]["subject"] and c["email"] == "ada@example.org"
    # A wider request than remembered asks again.
    r = b.page(authorize_url(server, client, scope="openid email profile"))
    assert urllib.parse.urlsplit(r.url).path == "/ui/consent"


def test_skip_consent_client(server, ada):
    client = client_for(server, skip_consent=True)
    b = Browser(server)
    r = login_page(b, server, client, scope="openid profile")
    loc = sign_in(b, r, ada[0], ada[1])
    assert isinstance(loc, str) and loc.startswith(CB), loc
    tok = exchange(server, client, loc)
    c = id_claims(server, client, tok["id_token"])
    assert c["name"] == "Ada Lovelace"


def test_not_remembered_asks_again(server, ada):
    client = client_for(server)
    _, _, b = full_flow(server, client, ada, "openid")
    r = b.page(authorize_url(server, client))
    assert urllib.parse.urlsplit(r.url).path == "/ui/login"


def test_answered_challenge_redirects_again(server, ada):
    client = client_for(server)
    b = Browser(server)
    r = login_page(b, server, client)
    ch = dict(Forms(r.text).fields())["challenge"]
    start = admin(server, "GET", "/oauth2/auth/requests/login",
                  params={"login_challenge": ch}).json()["request_url"]
    x = b.submit(r, "login", username=ada[0], password=ada[1])
    assert x.status_code == 303
    # Signed in, consented: the flow is done.
    c = b.follow(x, "\0")
    loc = b.follow(b.submit(c, "allow"), client["redirect_uris"][0])
    assert "code" in qs(loc), loc
    # The back button to the login page: back to the start of the flow,
    # which finds the session now (no form).
    y = b.get(r.url)
    assert y.status_code == 302
    assert y.headers["Location"] == start
    a = admin(server, "GET", "/oauth2/auth/requests/login",
              params={"login_challenge": ch})
    assert a.status_code == 410
    assert a.json()["redirect_to"] == start


# --- logout ------------------------------------------------------------------

def test_logout_cancel_then_confirm(server, ada):
    client = client_for(server, post_logout_redirect_uris=[
        "https://rp.example/bye"])
    tok, _, b = full_flow(server, client, ada, "openid", remember=True)
    url = server.pub + "/oauth2/sessions/logout?" + urllib.parse.urlencode({
        "id_token_hint": tok["id_token"],
        "post_logout_redirect_uri": "https://rp.example/bye",
        "state": "s1"})
    r = b.page(url)
    assert urllib.parse.urlsplit(r.url).path == "/ui/logout"
    csp = security_headers(r)
    assert "https://rp.example/bye" in csp["form-action"]
    assert "Test RP" in r.text and ada[0] in r.text
    # Stay signed in: on to the client's redirect, session kept.
    loc = b.follow(b.submit(r, "stay"), "https://rp.example/bye")
    assert loc == "https://rp.example/bye?state=s1"
    r = b.get(b.get(authorize_url(server, client)).headers["Location"])
    assert r.status_code == 302                # login skipped
    # Sign out: the session ends.
    r = b.page(url)
    loc = b.follow(b.submit(r, "logout"), "https://rp.example/bye")
    assert loc == "https://rp.example/bye?state=s1"
    r = b.page(authorize_url(server, client))
    assert urllib.parse.urlsplit(r.url).path == "/ui/login"
    assert r.status_code == 200


def test_logout_hint_from_another_browser_names_nobody(server, ada):
    """An id_token_hint opened in a browser that is not signed in as
    its user: the page asks, but does not show whose session it is."""
    client = client_for(server)
    tok, _, _ = full_flow(server, client, ada, "openid", remember=True)
    stranger = Browser(server)
    r = stranger.page(server.pub + "/oauth2/sessions/logout?" +
                      urllib.parse.urlencode({"id_token_hint":
                                              tok["id_token"]}))
    assert urllib.parse.urlsplit(r.url).path == "/ui/logout"
    assert "not the one signed in in this browser" in r.text
    assert ada[0] not in r.text, r.text


def test_logout_without_client_lands_on_logged_out(server, ada):
    client = client_for(server)
    _, _, b = full_flow(server, client, ada, "openid", remember=True)
    r = b.page(server.pub + "/oauth2/sessions/logout")
    assert urllib.parse.urlsplit(r.url).path == "/ui/logout"
    assert "Sign out" in r.text
    r = b.follow(b.submit(r, "logout"), "\0")
    assert urllib.parse.urlsplit(r.url).path == "/ui/logged-out"
    assert "You have signed out" in r.text



# --- challenges issued for another app -------------------------------------

APP = "https://app.example/"


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory):
    """urls.login, urls.consent and urls.logout point at another app."""
    s = Server(tmp_path_factory.mktemp("ui-elsewhere"),
               conf="urls.login = %slogin\nurls.consent = %sconsent\n"
               "urls.logout = %slogout\n" % (APP, APP, APP)).start()
    yield s
    s.stop()


def refused_for_another_app(r, kind):
    assert r.status_code == 403, (r.status_code, r.text)
    assert "issued for another %s app" % kind in r.text
    security_headers(r)


def test_challenges_of_another_app_refused(elsewhere):
    from flowlib import accept_login, challenge, go
    server = elsewhere
    user = add_user(server)
    client = client_for(server)
    b = Browser(server)
    loc = b.get(authorize_url(server, client, scope="openid profile")
                ).headers["Location"]
    assert loc.startswith(APP + "login?")
    lc = challenge(loc, "login")
    # The bundled login page neither shows nor takes it.
    refused_for_another_app(b.get(server.pub + "/ui/login",
                                  params={"login_challenge": lc}), "login")
    x = b.post(server.pub + "/ui/login", {
        "challenge": lc, "csrf": "x" * 43, "username": user[0],
        "password": user[1], "action": "login"})
    assert x.status_code == 403
    # The other app accepts it on the admin API; the person is refused
    # a scope there, and takes the consent challenge to /ui/consent.
    loc = go(b.s, accept_login(server, lc, subject="someone",
                               remember=True))
    assert loc.startswith(APP + "consent?")
    cc = challenge(loc, "consent")
    refused_for_another_app(b.get(server.pub + "/ui/consent",
                                  params={"consent_challenge": cc}),
                            "consent")
    # The admin API still serves the other app.
    r = admin(server, "GET", "/oauth2/auth/requests/consent",
              params={"consent_challenge": cc})
    assert r.status_code == 200 and r.json()["subject"] == "someone"
    # Logout: the challenge goes to the other app; /ui/logout refuses it.
    loc = b.get(server.pub + "/oauth2/sessions/logout").headers["Location"]
    assert loc.startswith(APP + "logout?"), loc
    refused_for_another_app(b.get(server.pub + "/ui/logout", params={
        "logout_challenge": challenge(loc, "logout")}), "logout")


def test_consent_challenge_of_the_own_app_still_works(server, ada):
    """The default configuration: the bundled app answers its own."""
    tok, _, _ = full_flow(server, client_for(server), ada, "openid")
    assert "id_token" in tok


# --- logout voids the flows of its session ---------------------------------

def remembered_sign_in(server, client, user):
    """Sign in with remember me, up to the consent page (a login
    verifier is spent only with its flow, at consent); returns
    (browser, the login verifier URL the browser was sent to)."""
    b = Browser(server)
    r = login_page(b, server, client)
    x = b.submit(r, "login", username=user[0], password=user[1],
                 remember="1")
    verifier_url = urllib.parse.urljoin(x.url, x.headers["Location"])
    assert "login_verifier=" in verifier_url
    r = b.follow(x, CB)
    assert urllib.parse.urlsplit(r.url).path == "/ui/consent"
    return b, verifier_url


def sign_out(b, server):
    r = b.page(server.pub + "/oauth2/sessions/logout")
    r = b.follow(b.submit(r, "logout"), "\0")
    assert urllib.parse.urlsplit(r.url).path == "/ui/logged-out"


def replay_refused(b, url):
    z = b.get(url)
    assert z.status_code in (302, 303), z.text
    loc = z.headers["Location"]
    assert loc.startswith(CB), loc
    assert qs(loc)["error"] == "access_denied", loc
    assert "logged out" in qs(loc)["error_description"]


def test_logout_voids_login_verifier(server, ada):
    """A remembered login's verifier URL, replayed from the browser's
    history after logout, signs nobody in."""
    client = client_for(server)
    b, verifier_url = remembered_sign_in(server, client, ada)
    sign_out(b, server)
    # The next person at the same browser replays it: refused.
    replay_refused(b, verifier_url)
    # Nothing was signed in: a new request asks for a password.
    r = b.page(authorize_url(server, client))
    assert urllib.parse.urlsplit(r.url).path == "/ui/login"
    assert "password" in r.text


def test_logout_voids_skipped_login(server, ada):
    """So is the verifier (and the challenge) of a login skipped for the
    session that was then logged out."""
    client = client_for(server)
    b, _ = remembered_sign_in(server, client, ada)
    y = b.get(b.get(authorize_url(server, client)).headers["Location"])
    assert y.status_code == 302                 # skipped: no page
    skipped_url = urllib.parse.urljoin(y.url, y.headers["Location"])
    assert "login_verifier=" in skipped_url
    skipped_ch = qs(y.url)["login_challenge"]
    sign_out(b, server)
    replay_refused(b, skipped_url)
    # The challenge is void too: the request starts again.
    z = b.get(server.pub + "/ui/login", params={
        "login_challenge": skipped_ch})
    assert z.status_code == 302
    assert urllib.parse.urlsplit(z.headers["Location"]).path == \
        "/oauth2/auth"
    r = admin(server, "GET", "/oauth2/auth/requests/login",
              params={"login_challenge": skipped_ch})
    assert r.status_code == 410
    r = b.page(authorize_url(server, client))
    assert urllib.parse.urlsplit(r.url).path == "/ui/login"
    assert "password" in r.text


def test_session_revocation_voids_login_verifier(server, ada):
    """Ending the sessions on the admin API voids their flows too."""
    client = client_for(server)
    b, verifier_url = remembered_sign_in(server, client, ada)
    r = admin(server, "DELETE", "/oauth2/auth/sessions/login",
              params={"subject": ada[2]["subject"]})
    assert r.status_code == 204, r.text
    replay_refused(b, verifier_url)


def test_logout_voids_consent_challenge(server, ada):
    """A consent challenge of a session that has ended is not answered."""
    client = client_for(server)
    b = Browser(server)
    r = login_page(b, server, client)
    r = sign_in(b, r, ada[0], ada[1], remember=True)
    assert urllib.parse.urlsplit(r.url).path == "/ui/consent"
    cc = qs(r.url)["consent_challenge"]
    lo = b.page(server.pub + "/oauth2/sessions/logout")
    b.follow(b.submit(lo, "logout"), "\0")
    z = b.get(server.pub + "/ui/consent", params={"consent_challenge": cc})
    assert z.status_code == 302
    assert urllib.parse.urlsplit(z.headers["Location"]).path == \
        "/oauth2/auth"
    x = b.submit(r, "allow")
    assert x.status_code in (302, 303)
    assert urllib.parse.urlsplit(x.headers["Location"]).path == \
        "/oauth2/auth"

# --- the stylesheet ----------------------------------------------------------

def test_static_css(server):
    r = requests.get(server.pub + "/ui/static/oidcgi.css")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/css")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-width" in r.text and "@media" in r.text
    for bad in ("/ui/static/../../Makefile", "/ui/static/..%2f..%2fMakefile",
                "/ui/static/%2e%2e/%2e%2e/README.md", "/ui/static/x.css",
                "/ui/static/oidcgi.css.bak", "/ui/static/"):
        s = requests.Session()
        req = requests.Request("GET", server.pub + bad).prepare()
        req.url = server.pub + bad                  # as is
        r = s.send(req)
        assert r.status_code == 404, bad
        assert "VERSION" not in r.text and "# oidcgi" not in r.text


# --- users -----------------------------------------------------------------------

def test_users_cli(server):
    name = "Cli-" + str(time.time_ns() % 10**9)
    out = cli(server, "users", "add", name, "--claim", "name=Cli User",
              "--claim", "email_verified=true", stdin="s3cret-pass\n")
    assert out.returncode == 0, out.stderr
    v = json.loads(out.stdout)
    assert v["username"] == name and len(v["subject"]) == 36
    assert v["claims"] == {"name": "Cli User", "email_verified": True}
    assert "password" not in out.stdout and "s3cret" not in out.stdout
    got = json.loads(cli(server, "users", "get", name.lower()).stdout)
    assert got["subject"] == v["subject"]
    lst = json.loads(cli(server, "users", "list").stdout)
    assert name in [u["username"] for u in lst]
    # Same name in another case: taken.
    out = cli(server, "users", "add", name.upper(), stdin="whatever-1\n")
    assert out.returncode == 1 and "exists" in out.stderr
    # set-claim, typed; unset.
    out = cli(server, "users", "set-claim", name, "address",
              '{"locality": "Oslo"}')
    assert json.loads(out.stdout)["claims"]["address"] == {
        "locality": "Oslo"}
    out = cli(server, "users", "set-claim", name, "email_verified", "maybe")
    assert out.returncode == 1 and "true or false" in out.stderr
    out = cli(server, "users", "set-claim", name, "sub", "x")
    assert out.returncode == 1 and "not a standard claim" in out.stderr
    out = cli(server, "users", "set-claim", name, "picture", "javascript:x")
    assert out.returncode == 1 and "http" in out.stderr
    out = cli(server, "users", "set-claim", name, "name", "--unset")
    assert "name" not in json.loads(out.stdout)["claims"]
    # passwd from a file; the old password stops working.
    pwfile = server.tmp + "/pw"
    with open(pwfile, "w") as f:
        f.write("n3w-password\n")
    out = cli(server, "users", "passwd", name, "--password-file", pwfile)
    assert out.returncode == 0, out.stderr
    client = client_for(server)
    b = Browser(server)
    r = login_page(b, server, client)
    assert "incorrect" in b.submit(r, "login", username=name,
                                   password="s3cret-pass").text
    z = sign_in(b, r, name, "n3w-password")
    assert urllib.parse.urlsplit(z.url).path == "/ui/consent"
    # Errors: non-zero exit with a message, nothing on stdout.
    for args, stdin, code, msg in [
            (["users", "add", "-bad"], "whatever-1\n", 1, "username"),
            (["users", "add", "x y"], "whatever-1\n", 1, "username"),
            (["users", "add", name + "2"], "short\n", 1, "8 to 1024"),
            (["users", "add", name + "2"], "", 1, "no password"),
            (["users", "add", name + "2", "--password"], "", 2, "unknown"),
            (["users", "passwd", "nobody-here"], "whatever-1\n", 1,
             "does not exist"),
            (["users", "get", "nobody-here"], None, 1, "does not exist"),
            (["users", "delete", "nobody-here"], None, 1, "does not exist"),
            (["users", "frob"], None, 2, "usage"),
            (["users", "add", name + "3", "--password-file", "/nonexistent"],
             None, 1, "No such file")]:
        out = cli(server, *args, stdin=stdin)
        assert out.returncode == code, (args, out.returncode, out.stderr)
        assert msg in out.stderr, (args, out.stderr)
        assert out.stdout == "", args


def test_delete_user_ends_sessions_and_grants(server):
    user = add_user(server)
    client = client_for(server)
    tok, _, b = full_flow(server, client, user, "openid offline_access",
                          remember=True)
    assert admin(server, "POST", "/oauth2/introspect", data={
        "token": tok["access_token"]}).json()["active"]
    out = cli(server, "users", "delete", user[0])
    assert out.returncode == 0, out.stderr
    assert not admin(server, "POST", "/oauth2/introspect", data={
        "token": tok["access_token"]}).json()["active"]
    assert not admin(server, "POST", "/oauth2/introspect", data={
        "token": tok["refresh_token"]}).json()["active"]
    # The session is gone: the login page shows; the name is free and a
    # new user under it is a new subject.
    r = b.page(authorize_url(server, client))
    assert r.status_code == 200 and "Username" in r.text
    again = add_user(server, user[0])
    assert again[2]["subject"] != user[2]["subject"]


# --- the demo ------------------------------------------------------------------

def test_demo_on_a_fresh_data_directory(tmp_path):
    s = Server(tmp_path, env={"OIDCGI_NO_DEMO": ""}).start()
    try:
        log = s.read_log()
        assert log.count("oidcgi demo:") == 1, log
        url = re.search(r"^    (http://\S+/oauth2/auth\?\S+)$", log,
                        re.M).group(1)
        pw = re.search(r"Password:\s+(\S+)", log).group(1)
        secret = re.search(r"secret (\S+) \(client_secret_basic\)",
                           log).group(1)
        b = Browser(s)
        r = b.page(url)
        assert "oidcgi demo" in r.text
        r = b.follow(b.submit(r, "login", username="demo", password=pw),
                     "\0")
        loc = b.follow(b.submit(r, "allow"), s.pub + "/ui/callback")
        assert loc.startswith(s.pub + "/ui/callback?code=")
        page = requests.get(loc)
        assert qs(loc)["code"] in page.text and "curl" in page.text
        tok = requests.post(s.pub + "/oauth2/token", data={
            "grant_type": "authorization_code", "code": qs(loc)["code"],
            "redirect_uri": s.pub + "/ui/callback"},
            auth=("demo", secret))
        assert tok.status_code == 200, tok.text
        u = requests.get(s.pub + "/userinfo", headers={
            "Authorization": "Bearer " + tok.json()["access_token"]}).json()
        assert u["email"] == "demo@example.com"
        assert u["name"] == "Demo User"
    finally:
        s.stop()
    # Not a fresh store any more: nothing is created or printed again.
    s.start()
    s.stop()
    assert s.read_log().count("oidcgi demo:") == 1


def test_demo_command(tmp_path):
    s = Server(tmp_path)
    out = cli(s, "demo")
    assert out.returncode == 0 and "Password:" in out.stdout
    assert json.loads(cli(s, "clients", "get", "demo").stdout)[
        "redirect_uris"] == ["http://127.0.0.1:%d/ui/callback" % s.pub_port]
    again = cli(s, "demo")
    assert again.returncode == 0 and again.stdout == ""
    assert len(json.loads(cli(s, "users", "list").stdout)) == 1
