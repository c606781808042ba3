"""The README's "API coverage" tables stay true: every row whose state
begins with "done" names a request that oidcgi's router has a route
for.  Each such request is sent with its method to its path (path
parameters filled with a dummy value) on its listener, and the answer
must be neither the router's 404 for a path no route matches nor its
405 for a method the path's routes do not serve.  A handler's own 404
for a missing object is fine: the router's says "The requested
resource could not be found." (in whichever dialect's shape), a
handler's names what is missing."""

import os
import re

import pytest
import requests

from conftest import TOP

ROUTER_404 = "The requested resource could not be found."
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DUMMY = "coverage-dummy"

def coverage_rows():
    """(table, operation, method, path, listener, state) of every row
    of the tables under "## API coverage"."""
    with open(os.path.join(TOP, "README.md")) as f:
        text = f.read()
    start = text.index("\n## API coverage\n")
    end = text.index("\n## ", start + 1)
    rows, table = [], None
    for line in text[start:end].splitlines():
        if line.startswith("### "):
            table = line[4:].strip()
            continue
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "Operation":
            assert cells == ["Operation", "Request", "Listener", "State"]
            continue
        assert len(cells) == 4, line
        m = re.fullmatch(r"`(\w+) (/\S*)`", cells[1])
        assert m, "request not `METHOD /path`: " + line
        assert m.group(1) in METHODS, line
        assert cells[2] in ("public", "admin"), line
        state = cells[3]
        assert (state.startswith("done") or
                state.startswith("not offered: ")), line
        rows.append((table, cells[0], m.group(1), m.group(2), cells[2],
                     state))
    return rows


ROWS = coverage_rows()


def test_the_tables():
    """One table per document, each with rows."""
    tables = {r[0] for r in ROWS}
    assert tables == {"Ory Hydra 1.x REST API",
                      "Ory OIDC API (Hydra 2.x)", "Authentiq Connect",
                      "Applications API"}
    for t in tables:
        assert sum(1 for r in ROWS if r[0] == t) >= 7, t
    # Hydra 1.x: the 36 operations of its document.
    assert sum(1 for r in ROWS if r[0] == "Ory Hydra 1.x REST API") == 36


@pytest.fixture(scope="module")
def client_id(server):
    """A real client: a path whose first segment is a parameter
    (/{client_id}/iframe) matches every such path, so only an existing
    client tells the route apart from the router's 404."""
    r = requests.post(server.adm + "/clients", json={
        "client_name": "coverage",
        "redirect_uris": ["https://rp.example/cb"]})
    assert r.status_code == 201, r.text
    yield r.json()["client_id"]
    requests.delete(server.adm + "/clients/" + r.json()["client_id"])


def fill(path, client_id):
    if path.startswith("/{"):
        return re.sub(r"\{[^}]+\}", client_id, path)
    return re.sub(r"\{[^}]+\}", DUMMY, path)


def assert_routed(method, url):
    r = requests.request(method, url, allow_redirects=False, timeout=10)
    assert r.status_code != 405, f"{method} {url}: 405 {r.text}"
    assert not (r.status_code == 404 and ROUTER_404 in r.text), \
        f"{method} {url}: the router's 404 {r.text}"
    assert r.status_code < 500, f"{method} {url}: {r.status_code} {r.text}"
    return r


def done_rows():
    out = []
    for row in ROWS:
        table, op, method, path, listener, state = row
        if not state.startswith("done"):
            continue
        out.append(pytest.param(method, path, listener,
                                id=f"{table}: {method} {path}"))
    return out


@pytest.mark.parametrize("method,path,listener", done_rows())
def test_done_rows_are_routed(server, client_id, method, path, listener):
    base = server.adm if listener == "admin" else server.pub
    assert_routed(method, base + fill(path, client_id))


@pytest.mark.parametrize("method,path", sorted({
    (r[2], r[3]) for r in ROWS
    if r[0] == "Ory Hydra 1.x REST API" and r[4] == "admin"
    and r[5].startswith("done")}))
def test_hydra_admin_rows_also_under_admin(server, client_id, method,
                                           path):
    """Hydra 2.x's admin paths: the 1.x ones under /admin."""
    assert_routed(method, server.adm + "/admin" + fill(path, client_id))


@pytest.mark.parametrize("path", ["/health/alive", "/health/ready",
                                  "/version"])
def test_health_and_version_also_on_admin(server, path):
    assert requests.get(server.adm + path).status_code == 200
    assert requests.get(server.adm + "/admin" + path).status_code == 200


def test_router_404_and_405_are_told_apart(server, client_id):
    """The checks above would catch a missing route: the router's own
    answers look as assert_routed expects them not to."""
    r = requests.get(server.adm + "/clientz")
    assert r.status_code == 404 and ROUTER_404 in r.text
    r = requests.get(server.pub + "/" + DUMMY + "/iframe")
    assert r.status_code == 404 and ROUTER_404 in r.text
    r = requests.patch(server.adm + "/keys/" + DUMMY)
    assert r.status_code == 405
    r = requests.get(server.adm + "/clients/" + DUMMY)
    assert r.status_code == 404 and ROUTER_404 not in r.text
