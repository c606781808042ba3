"""The Device Authorization Grant (RFC 8628) as Hydra 25.4 has it: the
device asks at /oauth2/device/auth and polls /oauth2/token; the person
types the user code on the login app's page (here the admin API's
device challenge, as Hydra's UI does), then signs in and consents."""

import time
import urllib.parse

import requests

from flowlib import (accept_consent, accept_login, admin, challenge, go,
                     new_client, qs)

DEVICE = "urn:ietf:params:oauth:grant-type:device_code"


def device_client(server, **fields):
    body = {"grant_types": [DEVICE, "refresh_token"],
            "response_types": [], "redirect_uris": [],
            "token_endpoint_auth_method": "none",
            "scope": "openid offline_access profile"}
    body.update(fields)
    return new_client(server, **body)


def device_auth(server, client, **form):
    data = {"client_id": client["client_id"], "scope": "openid offline_access"}
    data.update(form)
    return requests.post(server.pub + "/oauth2/device/auth", data=data)


def poll(server, client, device_code):
    return requests.post(server.pub + "/oauth2/token", data={
        "grant_type": DEVICE, "device_code": device_code,
        "client_id": client["client_id"]})


def verify(server, browser, user_code=None):
    """The person opens verification_uri: the device challenge."""
    url = server.pub + "/oauth2/device/verify"
    if user_code:
        url += "?user_code=" + user_code
    loc = go(browser, url)
    assert loc.startswith(server.pub + "/ui/device?"), loc
    return qs(loc)["device_challenge"]


def accept_device(server, ch, user_code):
    return admin(server, "PUT", "/oauth2/auth/requests/device/accept",
                 params={"device_challenge": ch},
                 json={"user_code": user_code})


def person(server, user_code, browser=None, reject_consent=False):
    """The person's side, up to the consent verifier's answer."""
    browser = browser or requests.Session()
    ch = verify(server, browser, user_code)
    r = accept_device(server, ch, user_code)
    assert r.status_code == 200, r.text
    loc = go(browser, r.json()["redirect_to"])
    assert loc.startswith(server.pub + "/ui/login?"), loc
    loc = go(browser, accept_login(server, challenge(loc, "login")))
    assert loc.startswith(server.pub + "/ui/consent?"), loc
    cch = challenge(loc, "consent")
    if reject_consent:
        r = admin(server, "PUT", "/oauth2/auth/requests/consent/reject",
                  params={"consent_challenge": cch},
                  json={"error": "access_denied",
                        "error_description": "no thanks"})
        assert r.status_code == 200, r.text
        return browser.get(r.json()["redirect_to"], allow_redirects=False)
    return browser.get(accept_consent(server, cch), allow_redirects=False)


def test_discovery(server):
    d = requests.get(server.pub + "/.well-known/openid-configuration").json()
    assert d["device_authorization_endpoint"] == \
        server.pub + "/oauth2/device/auth"
    assert DEVICE in d["grant_types_supported"]


def test_whole_flow(server):
    c = device_client(server)
    r = device_auth(server, c)
    assert r.status_code == 200, r.text
    a = r.json()
    assert set(a) == {"device_code", "user_code", "verification_uri",
                      "verification_uri_complete", "expires_in",
                      "interval"}
    assert len(a["user_code"]) == 8
    assert set(a["user_code"]) <= set("BCDFGHJKLMNPQRSTVWXZ")
    assert a["verification_uri"] == server.pub + "/oauth2/device/verify"
    assert a["verification_uri_complete"] == \
        a["verification_uri"] + "?user_code=" + a["user_code"]
    assert a["expires_in"] == 600 and a["interval"] == 5
    r = poll(server, c, a["device_code"])
    assert r.status_code == 400
    assert r.json()["error"] == "authorization_pending"
    # Polling again at once is too fast (RFC 8628 §3.5).
    r = poll(server, c, a["device_code"])
    assert r.status_code == 400 and r.json()["error"] == "slow_down"
    done = person(server, a["user_code"])
    assert done.status_code == 302
    assert done.headers["Location"] == server.pub + "/ui/device/done"
    r = poll(server, c, a["device_code"])
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["token_type"] == "bearer"
    assert {"access_token", "refresh_token", "id_token"} <= set(t)
    i = admin(server, "POST", "/oauth2/introspect",
              data={"token": t["access_token"]}).json()
    assert i["active"] and i["sub"] == "alice"
    assert i["client_id"] == c["client_id"]
    # The refresh token works as the code grant's does.
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": c["client_id"],
        "refresh_token": t["refresh_token"]})
    assert r.status_code == 200, r.text
    t2 = r.json()
    # Single use: a replay is refused and revokes what the code gave.
    r = poll(server, c, a["device_code"])
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    i = admin(server, "POST", "/oauth2/introspect",
              data={"token": t2["access_token"]}).json()
    assert i["active"] is False


def test_confidential_client(server):
    c = device_client(server, token_endpoint_auth_method="client_secret_basic")
    r = requests.post(server.pub + "/oauth2/device/auth",
                      data={"scope": "openid"},
                      auth=(c["client_id"], c["client_secret"]))
    assert r.status_code == 200, r.text
    r = requests.post(server.pub + "/oauth2/device/auth",
                      data={"scope": "openid"},
                      auth=(c["client_id"], "wrong"))
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_refusals(server):
    c = new_client(server)  # no device grant
    r = requests.post(server.pub + "/oauth2/device/auth",
                      data={"scope": "openid"},
                      auth=(c["client_id"], c["client_secret"]))
    assert r.status_code == 400
    assert r.json()["error"] == "unauthorized_client"
    d = device_client(server)
    r = device_auth(server, d, scope="openid admin")
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    assert "admin" in r.json()["error_hint"]
    r = device_auth(server, d, audience="https://nope.example")
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = requests.post(server.pub + "/oauth2/device/auth",
                      data={"client_id": "no-such"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": DEVICE, "client_id": d["client_id"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    assert "device_code" in r.json()["error_description"]
    r = poll(server, d, "ory_dc_nope")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    # Another client's device code.
    a = device_auth(server, d).json()
    e = device_client(server)
    r = poll(server, e, a["device_code"])
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_denied(server):
    c = device_client(server)
    a = device_auth(server, c).json()
    r = person(server, a["user_code"], reject_consent=True)
    # The person is shown the error (urls.error), the device told.
    assert r.status_code == 302, r.text
    assert r.headers["Location"].startswith(server.pub + "/ui/error?")
    assert qs(r.headers["Location"])["error"] == "access_denied"
    r = poll(server, c, a["device_code"])
    assert r.status_code == 400 and r.json()["error"] == "access_denied"


def test_login_rejected(server):
    c = device_client(server)
    a = device_auth(server, c).json()
    browser = requests.Session()
    ch = verify(server, browser)
    r = accept_device(server, ch, a["user_code"].lower())  # case-blind
    assert r.status_code == 200, r.text
    loc = go(browser, r.json()["redirect_to"])
    r = admin(server, "PUT", "/oauth2/auth/requests/login/reject",
              params={"login_challenge": challenge(loc, "login")},
              json={"error": "access_denied"})
    assert r.status_code == 200, r.text
    r = browser.get(r.json()["redirect_to"], allow_redirects=False)
    assert r.status_code == 302
    assert r.headers["Location"].startswith(server.pub + "/ui/error?")
    r = poll(server, c, a["device_code"])
    assert r.json()["error"] == "access_denied"


def test_device_challenge_api(server):
    c = device_client(server)
    a = device_auth(server, c).json()
    browser = requests.Session()
    ch = verify(server, browser, a["user_code"])
    r = admin(server, "GET", "/oauth2/auth/requests/device",
              params={"device_challenge": ch})
    assert r.status_code == 200, r.text
    assert r.json()["challenge"] == ch
    # 1.x root path too.
    r = requests.get(server.adm + "/oauth2/auth/requests/device",
                     params={"device_challenge": ch})
    assert r.status_code == 200, r.text
    r = admin(server, "GET", "/oauth2/auth/requests/device")
    assert r.status_code == 400
    assert "device_challenge" in r.json()["error_description"]
    r = admin(server, "GET", "/oauth2/auth/requests/device",
              params={"device_challenge": "forged"})
    assert r.status_code == 404
    r = admin(server, "PUT", "/oauth2/auth/requests/device/accept",
              params={"device_challenge": ch}, json={})
    assert r.status_code == 400 and "user_code" in r.text
    r = admin(server, "PUT", "/oauth2/auth/requests/device/accept",
              params={"device_challenge": ch}, data="{",
              headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    first = accept_device(server, ch, a["user_code"])
    assert first.status_code == 200, first.text
    to = urllib.parse.urlsplit(first.json()["redirect_to"])
    assert to.path == "/oauth2/device/verify"
    q = urllib.parse.parse_qs(to.query)
    assert q["client_id"] == [c["client_id"]] and q["device_verifier"]
    again = accept_device(server, ch, a["user_code"])
    assert again.status_code == 410
    assert again.json() == first.json()
    r = admin(server, "GET", "/oauth2/auth/requests/device",
              params={"device_challenge": ch})
    assert r.status_code == 410
    # A claimed code cannot be taken by another challenge.
    ch2 = verify(server, browser)
    r = accept_device(server, ch2, a["user_code"])
    assert r.status_code == 400 and "user_code" in r.text
    assert r.json()["error"] == "invalid_request"


def test_user_code_throttle(server):
    c = device_client(server)
    a = device_auth(server, c).json()
    ch = verify(server, requests.Session())
    for _ in range(5):
        r = accept_device(server, ch, "BBBBBBBB")
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "invalid_request"
    # The right code is refused too now: the challenge is spent.
    r = accept_device(server, ch, a["user_code"])
    assert r.status_code == 429, r.text
    assert "Too many" in r.json()["error_description"]
    # A new challenge takes it.
    ch = verify(server, requests.Session())
    assert accept_device(server, ch, a["user_code"]).status_code == 200


def test_expired(tmp_path):
    from conftest import Server
    s = Server(tmp_path, conf="ttl.device_user_code = 1s\n").start()
    try:
        c = device_client(s)
        a = device_auth(s, c).json()
        assert a["expires_in"] == 1
        time.sleep(2.1)
        r = poll(s, c, a["device_code"])
        assert r.status_code == 400 and r.json()["error"] == "expired_token"
        ch = verify(s, requests.Session())
        assert accept_device(s, ch, a["user_code"]).status_code == 400
    finally:
        s.stop()


def test_verify_endpoint_errors(server):
    b = requests.Session()
    # Errors are shown to the person (urls.error), naming what was wrong.
    loc = go(b, server.pub + "/oauth2/device/verify?device_verifier=forged")
    assert loc.startswith(server.pub + "/ui/error?")
    assert "device_verifier" in qs(loc)["error_description"]
    loc = go(b, server.pub + "/oauth2/device/verify?user_code=A&user_code=B")
    assert qs(loc)["error"] == "invalid_request"
    assert "user_code" in qs(loc)["error_description"]
    # A code that cannot be one is not passed on to the page.
    loc = go(b, server.pub + "/oauth2/device/verify?user_code=%3Cx%3E")
    assert loc.startswith(server.pub + "/ui/device?")
    assert "user_code" not in qs(loc)
    # The device endpoint takes POST only.
    r = requests.get(server.pub + "/oauth2/device/auth")
    assert r.status_code == 405
    r = requests.post(server.pub + "/oauth2/device/auth",
                      data="client_id=x&scope=a&scope=b",
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and "scope" in r.text


def test_dpop_binds_the_device_tokens(server):
    """A device that proves a DPoP key (RFC 9449) when it polls gets
    tokens bound to it; a public client's refresh token too, so that
    refreshing needs a proof by the same key."""
    from test_dpop import introspect, new_key, proof
    key = new_key()
    c = device_client(server)
    d = device_auth(server, c).json()
    r = person(server, d["user_code"])
    assert r.status_code in (302, 303), r.text
    url = server.pub + "/oauth2/token"
    r = requests.post(url, data={"grant_type": DEVICE,
                                 "device_code": d["device_code"],
                                 "client_id": c["client_id"]},
                      headers={"DPoP": proof(key, "POST", url)})
    assert r.status_code == 200, r.text
    tok = r.json()
    assert tok["token_type"] == "DPoP"
    assert introspect(server, tok["access_token"])["cnf"] == {
        "jkt": key.thumbprint()}
    form = {"grant_type": "refresh_token", "client_id": c["client_id"],
            "refresh_token": tok["refresh_token"]}
    r = requests.post(url, data=form,
                      headers={"DPoP": proof(new_key(), "POST", url)})
    assert r.status_code == 400, r.text
    r = requests.post(url, data=form,
                      headers={"DPoP": proof(key, "POST", url)})
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "DPoP"
