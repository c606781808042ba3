"""Compatibility with the official Ory Hydra JavaScript SDKs: the 1.11
generation (AdminApi, /clients) and the 2.2 generation (OAuth2Api,
/admin/clients) drive the whole OAuth 2.0 client lifecycle against the
shared server through tests/sdk/hydra1.js and tests/sdk/hydra2.js.

The SDKs come from the npm registry, pinned in tests/sdk/package-lock.json
and installed with `npm ci` once per session when tests/sdk/node_modules
is missing or older than the lockfile.  Only a missing `node` skips these
tests; a failing `npm ci` fails them."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import TOP

SDK = os.path.join(TOP, "tests", "sdk")
NODE = shutil.which("node")
NPM_CI = ["ci", "--no-audit", "--no-fund", "--prefer-offline",
          "--ignore-scripts"]

pytestmark = pytest.mark.skipif(
    NODE is None, reason="node is not installed (Debian package nodejs): "
    "the Ory JavaScript SDK compatibility tests need Node.js")

STEPS = {
    "hydra1.js": ["create", "get", "list", "create_peer", "list_paged",
                  "list_by_name", "update", "get_after_update",
                  "secret_kept", "delete", "delete_peer", "get_deleted"],
    "hydra2.js": ["create", "get", "list", "create_peer", "list_paged",
                  "list_by_name", "update", "get_after_update", "patch",
                  "get_after_patch", "lifespans", "get_after_lifespans",
                  "secret_kept", "delete", "delete_peer", "get_deleted"],
}


def mtime(path):
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def modules_stale():
    """True when node_modules is missing or older than package.json or
    package-lock.json (npm ci writes node_modules/.package-lock.json
    last)."""
    installed = mtime(os.path.join(SDK, "node_modules", ".package-lock.json"))
    if installed is None:
        return True
    newest = max(mtime(os.path.join(SDK, f)) or 0
                 for f in ("package.json", "package-lock.json"))
    return installed < newest


@pytest.fixture(scope="session")
def sdk_dir():
    """tests/sdk with its node_modules installed from the lockfile."""
    if modules_stale():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("node is installed but npm is not: cannot install "
                        "the SDKs (Debian package npm)")
        try:
            r = subprocess.run([npm] + NPM_CI, cwd=SDK, capture_output=True,
                               text=True, timeout=600)
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"npm ci timed out after 600 s:\n{e.stdout}\n{e.stderr}")
        if r.returncode != 0:
            pytest.fail(f"`npm {' '.join(NPM_CI)}` in {SDK} failed "
                        f"(exit {r.returncode}):\n{r.stdout}\n{r.stderr}")
        assert not modules_stale(), "npm ci left node_modules older than " \
            "the lockfile"
    return SDK


@pytest.mark.parametrize("script", sorted(STEPS))
def test_sdk_script_parses(script):
    for f in (script, "common.js"):
        r = subprocess.run([NODE, "--check", os.path.join(SDK, f)],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("script", sorted(STEPS))
def test_sdk_client_lifecycle(server, sdk_dir, script):
    cmd = [NODE, script, server.adm, server.pub]
    try:
        r = subprocess.run(cmd, cwd=sdk_dir, capture_output=True, text=True,
                           timeout=180)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{script} timed out after 180 s\nstdout:\n{e.stdout}\n"
                    f"stderr:\n{e.stderr}")
    shown = (f"{' '.join(cmd)} exited {r.returncode}\n"
             f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    if r.returncode != 0:
        pytest.fail(shown, pytrace=False)
    steps = []
    for line in r.stdout.splitlines():
        try:
            rep = json.loads(line)
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}\n{shown}", pytrace=False)
        if rep.get("ok") is not True:
            pytest.fail(f"step {rep.get('step')} not ok\n{shown}", pytrace=False)
        steps.append(rep["step"])
    if steps != STEPS[script]:
        pytest.fail(f"steps run: {steps}, expected {STEPS[script]}\n{shown}",
                    pytrace=False)
