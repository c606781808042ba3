"""Helpers for driving Hydra-style flows in tests: the test plays the
browser (a requests.Session that does not follow redirects) and the
login and consent app (the admin API), and authlib plays the client."""

import base64
import hashlib
import os
import urllib.parse

import requests


def new_client(server, **fields):
    body = {"redirect_uris": ["https://rp.example/cb"],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": "openid offline_access profile email",
            "token_endpoint_auth_method": "client_secret_basic"}
    body.update(fields)
    r = requests.post(server.adm + "/admin/clients", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def pkce():
    verifier = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def qs(url):
    """Query and fragment parameters of a URL, as a flat dict."""
    u = urllib.parse.urlsplit(url)
    out = dict(urllib.parse.parse_qsl(u.query))
    out.update(urllib.parse.parse_qsl(u.fragment))
    return out


def auth_url(server, client, **params):
    p = {"client_id": client["client_id"], "response_type": "code",
         "redirect_uri": client["redirect_uris"][0], "scope": "openid",
         "state": "state-" + os.urandom(6).hex()}
    p.update({k: v for k, v in params.items() if v is not None})
    for k in [k for k, v in params.items() if v is None]:
        p.pop(k, None)
    return server.pub + "/oauth2/auth?" + urllib.parse.urlencode(p)


def go(browser, url):
    r = browser.get(url, allow_redirects=False)
    assert r.status_code in (302, 303), (r.status_code, r.text)
    return r.headers["Location"]


def challenge(location, kind):
    return qs(location)[kind + "_challenge"]


def admin(server, method, path, **kw):
    return requests.request(method, server.adm + "/admin" + path, **kw)


def accept_login(server, ch, subject="alice", **body):
    b = {"subject": subject}
    b.update(body)
    r = admin(server, "PUT", "/oauth2/auth/requests/login/accept",
              params={"login_challenge": ch}, json=b)
    assert r.status_code == 200, r.text
    return r.json()["redirect_to"]


def accept_consent(server, ch, scope=None, **body):
    if scope is None:
        req = admin(server, "GET", "/oauth2/auth/requests/consent",
                    params={"consent_challenge": ch}).json()
        scope = req["requested_scope"]
    b = {"grant_scope": scope}
    b.update(body)
    r = admin(server, "PUT", "/oauth2/auth/requests/consent/accept",
              params={"consent_challenge": ch}, json=b)
    assert r.status_code == 200, r.text
    return r.json()["redirect_to"]


def login_and_consent(server, client, browser=None, login=None,
                      consent=None, **params):
    """Run a whole flow; returns (final Location, browser)."""
    browser = browser or requests.Session()
    loc = go(browser, auth_url(server, client, **params))
    assert loc.startswith(server.pub + "/ui/login?"), loc
    loc = go(browser, accept_login(server, challenge(loc, "login"),
                                   **(login or {})))
    assert loc.startswith(server.pub + "/ui/consent?"), loc
    loc = go(browser, accept_consent(server, challenge(loc, "consent"),
                                     **(consent or {})))
    return loc, browser
