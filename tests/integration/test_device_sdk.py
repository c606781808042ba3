"""The device authorization grant (RFC 8628) with a real client
library: openid-client 5.x's client.deviceAuthorization() and
handle.poll() (tests/sdk/device.js) play the device, while this side
plays the person in the bundled pages (type the code, sign in, allow;
then deny a second device).  Skipped only when node is missing."""

import json
import os
import shutil
import subprocess
import urllib.parse

import pytest

from flowlib import new_client
from uilib import Browser, add_user

NODE = shutil.which("node")
SDK = os.path.join(os.path.dirname(__file__), "..", "sdk")
DEVICE = "urn:ietf:params:oauth:grant-type:device_code"

pytestmark = pytest.mark.skipif(
    NODE is None, reason="node is not installed (Debian package nodejs)")


def line(proc, step):
    """The next JSON line of the script, which must be step, ok."""
    raw = proc.stdout.readline()
    if not raw:
        proc.wait(timeout=30)
        pytest.fail(f"device.js ended before {step}: "
                    f"{proc.stderr.read()}", pytrace=False)
    rep = json.loads(raw)
    assert rep["step"] == step and rep["ok"] is True, \
        (rep, proc.stderr.read() if not rep.get("ok") else "")
    return rep


def person(server, b, user, url, button):
    """Type nothing (the complete URI fills the code), sign in, answer."""
    r = b.page(url)
    assert urllib.parse.urlsplit(r.url).path == "/ui/device", r.url
    r = b.follow(b.submit(r), "\0")
    assert urllib.parse.urlsplit(r.url).path == "/ui/login", r.url
    r = b.follow(b.submit(r, "login", username=user[0],
                          password=user[1]), "\0")
    assert urllib.parse.urlsplit(r.url).path == "/ui/consent", r.url
    return b.follow(b.submit(r, button), "\0")


@pytest.mark.parametrize("method", ["none", "client_secret_basic",
                                    "client_secret_post"])
def test_openid_client_device_flow(server, sdk_dir, method):
    user = add_user(server)
    c = new_client(server, grant_types=[DEVICE, "refresh_token"],
                   response_types=[], redirect_uris=[],
                   token_endpoint_auth_method=method,
                   scope="openid offline_access profile")
    proc = subprocess.Popen(
        [NODE, "device.js", server.pub, c["client_id"],
         c.get("client_secret") or "", method],
        cwd=sdk_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        d = line(proc, "discovery")
        assert d["endpoint"] == server.pub + "/oauth2/device/auth"
        a = line(proc, "device_authorization")
        assert a["verification_uri"] == server.pub + "/oauth2/device/verify"
        r = person(server, Browser(server), user,
                   a["verification_uri_complete"], "allow")
        assert urllib.parse.urlsplit(r.url).path == "/ui/device/done"
        t = line(proc, "poll")
        assert t["sub"] == user[2]["subject"]
        assert c["client_id"] in t["aud"]
        assert t["iss"] == server.pub + "/"
        assert t["has_refresh"] is True
        line(proc, "refresh")
        a = line(proc, "denied_start")
        r = person(server, Browser(server), user,
                   a["verification_uri_complete"], "deny")
        assert urllib.parse.urlsplit(r.url).path == "/ui/error"
        assert line(proc, "denied")["error"] == "access_denied"
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
