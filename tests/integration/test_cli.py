"""The oidcgi command-line tool: client management on the data
directory itself, with Hydra's flags and JSON output."""

import json
import subprocess

import requests

from conftest import CLI, Server


def cli(server, *args):
    return subprocess.run([CLI, *args], env=server.env, capture_output=True,
                          text=True, timeout=30)


def test_clients_lifecycle_without_server(tmp_path):
    s = Server(tmp_path)            # never started: the CLI needs no server
    out = cli(s, "clients", "create", "--id", "cli-1", "--name", "CLI",
              "--grant-type", "authorization_code,refresh_token",
              "--response-type", "code", "--scope", "openid",
              "--scope", "offline", "--redirect-uri",
              "https://a.example/cb", "--token-endpoint-auth-method",
              "client_secret_post")
    assert out.returncode == 0, out.stderr
    c = json.loads(out.stdout)
    assert c["client_id"] == "cli-1" and c["client_name"] == "CLI"
    assert c["grant_types"] == ["authorization_code", "refresh_token"]
    assert c["scope"] == "openid offline"
    assert len(c["client_secret"]) >= 43
    got = json.loads(cli(s, "clients", "get", "cli-1").stdout)
    assert "client_secret" not in got and got["client_name"] == "CLI"
    upd = json.loads(cli(s, "clients", "update", "cli-1", "--name",
                         "Renamed").stdout)
    assert upd["client_name"] == "Renamed"
    assert upd["scope"] == "openid offline"          # untouched
    assert "client_secret" not in upd
    upd = json.loads(cli(s, "clients", "update", "cli-1", "--secret",
                         "new-secret-16-ab").stdout)
    assert upd["client_secret"] == "new-secret-16-ab"
    lst = json.loads(cli(s, "clients", "list").stdout)
    assert [x["client_id"] for x in lst] == ["cli-1"]
    assert "client_secret" not in lst[0]
    # The server sees what the CLI wrote.
    s.start()
    try:
        r = requests.get(s.adm + "/clients/cli-1")
        assert r.json()["client_name"] == "Renamed"
    finally:
        s.stop()
    assert cli(s, "clients", "delete", "cli-1").returncode == 0
    out = cli(s, "clients", "get", "cli-1")
    assert out.returncode == 1 and "does not exist" in out.stderr


def test_clients_errors(tmp_path):
    s = Server(tmp_path)
    out = cli(s, "clients", "create", "--redirect-uri", "http://x/cb")
    assert out.returncode == 1 and "redirect_uris" in out.stderr
    assert out.stdout == ""
    out = cli(s, "clients", "create", "--secret", "short")
    assert out.returncode == 1 and "client_secret" in out.stderr
    assert "short" not in out.stderr.replace("shorter", "")
    out = cli(s, "clients", "create", "--bogus", "x")
    assert out.returncode == 2 and "--bogus" in out.stderr
    out = cli(s, "clients", "create", "--name")
    assert out.returncode == 2
    assert cli(s, "clients", "delete", "nope").returncode == 1
    assert cli(s, "clients", "list", "--limit", "x").returncode == 2
    assert cli(s, "clients", "frobnicate").returncode == 2
    cli(s, "clients", "create", "--id", "dup")
    out = cli(s, "clients", "create", "--id", "dup")
    assert out.returncode == 1 and "exists" in out.stderr
