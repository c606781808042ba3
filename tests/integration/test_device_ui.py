"""The device flow (RFC 8628) through the bundled pages, as a person
with a browser without script does it: open the verification URI, type
the code, sign in, allow; the device's poll then gets the tokens."""

import urllib.parse

import requests

from flowlib import new_client
from uilib import Browser, Forms, add_user, id_claims

DEVICE = "urn:ietf:params:oauth:grant-type:device_code"


def device_client(server):
    return new_client(server, grant_types=[DEVICE, "refresh_token"],
                      response_types=[], redirect_uris=[],
                      token_endpoint_auth_method="none",
                      scope="openid offline_access profile",
                      client_name="Living room TV")


def start(server, client):
    r = requests.post(server.pub + "/oauth2/device/auth", data={
        "client_id": client["client_id"], "scope": "openid profile"})
    assert r.status_code == 200, r.text
    return r.json()


def poll(server, client, a):
    return requests.post(server.pub + "/oauth2/token", data={
        "grant_type": DEVICE, "device_code": a["device_code"],
        "client_id": client["client_id"]})


def code_page(b, url):
    r = b.page(url)
    assert r.status_code == 200, r.text
    assert urllib.parse.urlsplit(r.url).path == "/ui/device", r.url
    return r


def test_type_the_code_sign_in_allow(server):
    user = add_user(server, claims={"name": "Ada Lovelace"})
    c = device_client(server)
    a = start(server, c)
    b = Browser(server)
    r = code_page(b, a["verification_uri"])
    f = Forms(r.text)
    assert "Enter the code" in f.page_text()
    # A wrong code: the page again, saying so.
    r = b.submit(r, user_code="BCDFBCDF")
    assert r.status_code == 400
    assert "not valid" in Forms(r.text).page_text()
    # The right one, typed in lower case with a dash.
    code = a["user_code"].lower()
    r = b.submit(r, user_code=code[:4] + "-" + code[4:])
    r = b.follow(r, "\0")
    assert urllib.parse.urlsplit(r.url).path == "/ui/login", r.url
    r = b.follow(b.submit(r, "login", username=user[0],
                          password=user[1]), "\0")
    assert urllib.parse.urlsplit(r.url).path == "/ui/consent", r.url
    assert "Living room TV" in Forms(r.text).page_text()
    r = b.follow(b.submit(r, "allow"), "\0")
    assert urllib.parse.urlsplit(r.url).path == "/ui/device/done", r.url
    assert "Device connected" in Forms(r.text).page_text()
    t = poll(server, c, a)
    assert t.status_code == 200, t.text
    claims = id_claims(server, c, t.json()["id_token"])
    assert claims["sub"] == user[2]["subject"]
    assert claims["name"] == "Ada Lovelace"


def test_complete_uri_fills_the_code(server):
    c = device_client(server)
    a = start(server, c)
    b = Browser(server)
    r = code_page(b, a["verification_uri_complete"])
    f = Forms(r.text)
    values = {i["name"]: i["value"] for i in f.form()["inputs"]}
    assert values["user_code"] == a["user_code"]


def test_deny(server):
    user = add_user(server)
    c = device_client(server)
    a = start(server, c)
    b = Browser(server)
    r = code_page(b, a["verification_uri_complete"])
    r = b.follow(b.submit(r), "\0")
    r = b.follow(b.submit(r, "login", username=user[0],
                          password=user[1]), "\0")
    r = b.follow(b.submit(r, "deny"), "\0")
    assert urllib.parse.urlsplit(r.url).path == "/ui/error", r.url
    t = poll(server, c, a)
    assert t.status_code == 400 and t.json()["error"] == "access_denied"


def test_csrf_and_throttle(server):
    c = device_client(server)
    a = start(server, c)
    b = Browser(server)
    r = code_page(b, a["verification_uri"])
    # Without the token, or from another browser: refused.
    bad = b.submit(r, user_code=a["user_code"], csrf="x")
    assert bad.status_code == 403
    other = Browser(server)
    bad = other.post(urllib.parse.urljoin(r.url, "device"),
                     Forms(r.text).fields(user_code=a["user_code"]))
    assert bad.status_code == 403
    for _ in range(5):
        r2 = b.submit(r, user_code="BBBBBBBB")
        assert r2.status_code == 400
    r2 = b.submit(r, user_code=a["user_code"])
    assert r2.status_code == 429
    assert "Too many" in Forms(r2.text).page_text()
