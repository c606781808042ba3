"""Compatibility with real client libraries, run by node against the
shared server:

- the official Ory Hydra JavaScript SDKs, the 1.11 generation (AdminApi,
  /clients) and the 2.2 generation (OAuth2Api, /admin/clients), drive the
  whole OAuth 2.0 client lifecycle (tests/sdk/hydra1.js, hydra2.js);
- a login and consent app written with each of those SDK generations
  goes through an authorization code flow with PKCE, remembered login
  and consent, consent listing and revocation, login session revocation
  and rejected logins and consents (tests/sdk/flow1.js, flow2.js, both
  driven by codeflow.js);
- openid-client 5.x, as a relying party, discovers the server and runs
  the code flow with PKCE and nonce, its ID token checks, userinfo,
  refresh and revocation (tests/sdk/rp.js).

The SDKs come from the npm registry, pinned in tests/sdk/package-lock.json
and installed with `npm ci` once per session when tests/sdk/node_modules
is missing or older than the lockfile.  Only a missing `node` skips these
tests; a failing `npm ci` fails them."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import SDK

NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None, reason="node is not installed (Debian package nodejs): "
    "the Ory JavaScript SDK compatibility tests need Node.js")

FLOW = ["client", "authorize", "login_request", "login_accept",
        "login_verifier", "consent_request", "consent_accept",
        "consent_verifier", "token", "id_token", "introspect", "userinfo",
        "remembered_login", "remembered_consent", "consent_sessions"]
FLOW_END = ["revoke_consent", "introspect_revoked", "consent_sessions_gone",
            "consent_required", "revoke_login", "reject_login",
            "reject_consent", "types", "cleanup"]

STEPS = {
    "hydra1.js": ["create", "get", "list", "create_peer", "list_paged",
                  "list_by_name", "update", "get_after_update",
                  "secret_kept", "delete", "delete_peer", "get_deleted"],
    "hydra2.js": ["create", "get", "list", "create_peer", "list_paged",
                  "list_by_name", "update", "get_after_update", "patch",
                  "get_after_patch", "lifespans", "get_after_lifespans",
                  "secret_kept", "delete", "delete_peer", "get_deleted"],
    "flow1.js": FLOW + FLOW_END,
    "flow2.js": FLOW + ["consent_sessions_by_sid"] + FLOW_END,
    "rp.js": ["discover", "register", "authorize", "login", "consent",
              "callback", "id_token_checks", "userinfo", "introspect",
              "refresh", "revoke", "cleanup"],
}
LIFECYCLE = ["hydra1.js", "hydra2.js"]
FLOWS = ["flow1.js", "flow2.js"]
# Modules the scripts load besides the packages.
LOCAL = ["common.js", "flowlib.js", "codeflow.js"]


@pytest.mark.parametrize("script", sorted(STEPS) + LOCAL)
def test_sdk_script_parses(script):
    r = subprocess.run([NODE, "--check", os.path.join(SDK, script)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def run_script(server, sdk_dir, script, *extra):
    """Run a script with the admin and public URLs; fail with the steps
    that failed (each script goes on after a failed step that nothing
    later depends on), stderr and stdout unless every step ran, in order,
    and reported ok."""
    cmd = [NODE, script, server.adm, server.pub] + list(extra)
    try:
        r = subprocess.run(cmd, cwd=sdk_dir, capture_output=True, text=True,
                           timeout=180)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{script} timed out after 180 s\nstdout:\n{e.stdout}\n"
                    f"stderr:\n{e.stderr}", pytrace=False)
    # stderr has each failure in full (request, status, body); the JSON
    # lines on stdout are cut short so that the report stays readable.
    cut = "\n".join(l if len(l) <= 400 else l[:400] + "..."
                    for l in r.stdout.splitlines())
    shown = (f"{' '.join(cmd)} exited {r.returncode}\n"
             f"stderr:\n{r.stderr}\nstdout:\n{cut}")
    steps, failed = [], []
    for line in r.stdout.splitlines():
        try:
            rep = json.loads(line)
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}\n{shown}", pytrace=False)
        steps.append(rep.get("step"))
        if rep.get("ok") is not True:
            failed.append(f"  {rep.get('step')}: {rep.get('error')}")
    if failed:
        pytest.fail("steps failed:\n" + "\n".join(failed) + "\n" + shown,
                    pytrace=False)
    if r.returncode != 0:
        pytest.fail(shown, pytrace=False)
    if steps != STEPS[script]:
        pytest.fail(f"steps run: {steps}, expected {STEPS[script]}\n{shown}",
                    pytrace=False)


@pytest.mark.parametrize("script", LIFECYCLE)
def test_sdk_client_lifecycle(server, sdk_dir, script):
    run_script(server, sdk_dir, script)


@pytest.mark.parametrize("script", FLOWS)
def test_sdk_login_consent_app(server, sdk_dir, script):
    """A Hydra login and consent app written with one SDK generation,
    through a whole code flow with PKCE (see tests/sdk/codeflow.js)."""
    run_script(server, sdk_dir, script)


def test_openid_client_relying_party(server, sdk_dir):
    """openid-client 5.x as a relying party (see tests/sdk/rp.js)."""
    run_script(server, sdk_dir, "rp.js", server.pub + "/")
