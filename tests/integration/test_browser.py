"""A person signs in with a real browser: headless Chromium (Debian's
/usr/bin/chromium), driven by playwright-core (pinned in
tests/browser/package-lock.json, installed with `npm ci`), opens an
authorization URL of a test client, types the username and password
into the bundled login page, ticks the consent boxes, presses Allow and
lands on the client's redirect URI, a small HTTP server of this test;
the test then exchanges the code for tokens.  Screenshots of the login
and consent pages, phone- and desktop-sized, go to test-output/browser/.

Nothing here is skipped: without node, npm or Chromium, or when
Chromium does not start, the test fails and says why (`make test`
installs all of them through scripts/deps)."""

import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import urllib.parse

import pytest
import requests
from jwcrypto import jwk, jwt

from conftest import TOP, npm_ci
from flowlib import new_client, qs
from uilib import add_user

BROWSER_DIR = os.path.join(TOP, "tests", "browser")
OUT = os.path.join(TOP, "test-output", "browser")
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def playwright_dir():
    """tests/browser with node_modules installed from the lockfile."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (scripts/deps installs "
                        "it): the browser test needs it")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing (Debian package chromium; "
                    "scripts/deps installs it)")
    npm_ci(BROWSER_DIR)
    return BROWSER_DIR


class RedirectTarget:
    """The client's redirect URI: records each request's path."""

    def __init__(self):
        hits = self.hits = []

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                body = b"<!DOCTYPE html><title>RP</title><p>signed in</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_browser_sign_in(server, playwright_dir):
    target = RedirectTarget()
    try:
        redirect = f"http://127.0.0.1:{target.port}/cb"
        client = new_client(server, redirect_uris=[redirect],
                            client_name="Browser Test RP",
                            scope="openid profile email")
        user = add_user(server, claims={"name": "Grace Hopper",
                                        "email": "grace@example.org",
                                        "email_verified": "true"})
        auth = server.pub + "/oauth2/auth?" + urllib.parse.urlencode({
            "client_id": client["client_id"], "response_type": "code",
            "redirect_uri": redirect, "scope": "openid profile email",
            "state": "browser-state-1", "nonce": "browser-nonce-1"})
        os.makedirs(OUT, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            cfg = os.path.join(tmp, "cfg.json")
            with open(cfg, "w") as f:
                json.dump({"auth_url": auth, "redirect_prefix": redirect,
                           "username": user[0], "password": user[1],
                           "out_dir": OUT,
                           "user_data_dir": os.path.join(tmp, "profile")},
                          f)
            r = subprocess.run([shutil.which("node"), "signin.js", cfg],
                               cwd=playwright_dir, capture_output=True,
                               text=True, timeout=300)
        if r.returncode != 0:
            pytest.fail("the browser sign-in failed (exit "
                        f"{r.returncode}):\n{r.stderr}\n{r.stdout}",
                        pytrace=False)
        res = json.loads(r.stdout.strip().splitlines()[-1])
        assert res["ok"] is True
        loc = res["url"]
        assert loc.startswith(redirect + "?"), loc
        assert qs(loc)["state"] == "browser-state-1"
        assert "/cb?" + urllib.parse.urlsplit(loc).query in target.hits
        # The code the browser brought back is good for tokens.
        tok = requests.post(server.pub + "/oauth2/token", data={
            "grant_type": "authorization_code", "code": qs(loc)["code"],
            "redirect_uri": redirect},
            auth=(client["client_id"], client["client_secret"]))
        assert tok.status_code == 200, tok.text
        keys = jwk.JWKSet.from_json(
            requests.get(server.pub + "/.well-known/jwks.json").text)
        claims = json.loads(jwt.JWT(jwt=tok.json()["id_token"], key=keys,
                                    check_claims={
                                        "aud": client["client_id"]}).claims)
        assert claims["sub"] == user[2]["subject"]
        assert claims["nonce"] == "browser-nonce-1"
        assert claims["email"] == "grace@example.org"
        assert claims["name"] == "Grace Hopper"
        # The pages as a person saw them.
        pages = res["pages"]
        assert pages["consent"]["openidDisabled"] is True
        for name in ("login", "consent"):
            phone, desk = pages[name]["phone"], pages[name]["desktop"]
            assert phone["title"] and desk["title"]
            # The stylesheet applied (CSP allowed it): the card's width.
            assert desk["cardMaxWidth"] == "448px", desk
            assert desk["cardWidth"] == 448, desk
            # One column filling a phone, nothing wider than the screen.
            assert phone["cardWidth"] == phone["viewport"] == 390, phone
            for p in (phone, desk):
                assert p["scrollWidth"] <= p["viewport"], p
                with open(p["file"], "rb") as f:
                    head = f.read(8)
                assert head == b"\x89PNG\r\n\x1a\n"
                assert os.path.getsize(p["file"]) > 5000, p["file"]
    finally:
        target.close()
