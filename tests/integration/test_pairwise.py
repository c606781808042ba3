"""Pairwise subject identifiers (OpenID Connect Core §8.1), configured
as Hydra's oidc.subject_identifiers.*: whole code flows for clients of
several sectors show one subject per sector in the ID token, userinfo
and JWT access tokens, while introspection keeps the login subject
beside obfuscated_subject; and the registration rules."""

import base64
import hashlib
import json

import pytest
import requests

from conftest import Server
from flowlib import auth_url, go, login_and_consent, new_client, pkce, qs
from test_clientjwt import JwksServer

SALT = "pairwise-salt-0123456789"


@pytest.fixture(scope="module")
def sectors():
    """Serves sector_identifier_uri documents on 127.0.0.1."""
    s = JwksServer()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def pw(tmp_path_factory, sectors):
    s = Server(tmp_path_factory.mktemp("pairwise"), conf=(
        "oidc.subject_identifiers.supported_types = public,pairwise\n"
        f"oidc.subject_identifiers.pairwise.salt = {SALT}\n"
        "oidc.dynamic_client_registration.enabled = true\n"
        "clients.http.allow_loopback_http = true\n"
        "clients.http.private_ip_exception_urls = "
        f"{sectors.url}/dcr.json\n")).start()
    yield s
    s.stop()


def sector_doc(sectors, path, uris, status=200):
    sectors.routes[path] = (status, {"Content-Type": "application/json"},
                            json.dumps(uris).encode())
    return sectors.url + path


def claims(tok):
    seg = tok.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def expected(sector, sub):
    return hashlib.sha256((sector + sub + SALT).encode()).hexdigest()


def flow(server, client, subject="alice"):
    verifier, chal = pkce()
    loc, _ = login_and_consent(server, client, login={"subject": subject},
                               code_challenge=chal,
                               code_challenge_method="S256")
    r = requests.post(server.pub + "/oauth2/token", data={
        "grant_type": "authorization_code", "code": qs(loc)["code"],
        "redirect_uri": client["redirect_uris"][0],
        "code_verifier": verifier},
        auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 200, r.text
    return r.json()


def subjects(server, client, subject="alice"):
    t = flow(server, client, subject)
    ui = requests.get(server.pub + "/userinfo", headers={
        "Authorization": "Bearer " + t["access_token"]})
    assert ui.status_code == 200, ui.text
    return claims(t["id_token"])["sub"], ui.json()["sub"], t


def test_discovery_lists_pairwise(pw, server):
    d = requests.get(pw.pub + "/.well-known/openid-configuration").json()
    assert d["subject_types_supported"] == ["public", "pairwise"]
    d = requests.get(server.pub +
                     "/.well-known/openid-configuration").json()
    assert d["subject_types_supported"] == ["public"]


def test_sectors(pw, sectors):
    a = new_client(pw, subject_type="pairwise",
                   redirect_uris=["https://one.example/cb"])
    # Same sector by its sector_identifier_uri's host (the spec's
    # sector, where Hydra would hash the whole URI): the document, which
    # lists both redirect URIs, is on 127.0.0.1, as is a2's one.
    uris = ["https://x.example/cb", "https://y.example/cb"]
    b = new_client(pw, subject_type="pairwise", redirect_uris=uris,
                   sector_identifier_uri=sector_doc(sectors, "/s.json",
                                                    uris))
    a2 = new_client(pw, subject_type="pairwise",
                    redirect_uris=["http://127.0.0.1:9/cb"])
    c = new_client(pw, subject_type="pairwise",
                   redirect_uris=["https://two.example/cb"])
    p = new_client(pw, redirect_uris=["https://one.example/cb"])
    ida, uia, _ = subjects(pw, a)
    idb, uib, _ = subjects(pw, b)
    ida2, _, _ = subjects(pw, a2)
    idc, uic, _ = subjects(pw, c)
    idp, uip, _ = subjects(pw, p)
    assert ida == uia == expected("one.example", "alice")
    assert idb == uib == ida2 == expected("127.0.0.1", "alice")
    assert idc == uic == expected("two.example", "alice")
    assert idc != ida
    assert idp == uip == "alice"
    # Another user of the same sector gets another subject.
    assert subjects(pw, a, "bob")[0] == expected("one.example", "bob")


def test_introspection_and_jwt_access_token(pw):
    c = new_client(pw, subject_type="pairwise", access_token_strategy="jwt",
                   redirect_uris=["https://three.example/cb"])
    _, _, t = subjects(pw, c)
    want = expected("three.example", "alice")
    assert claims(t["access_token"])["sub"] == want
    r = requests.post(pw.adm + "/admin/oauth2/introspect",
                      data={"token": t["access_token"]})
    assert r.json()["sub"] == "alice"
    assert r.json()["obfuscated_subject"] == want
    # A public client's introspection has no obfuscated_subject.
    p = new_client(pw, redirect_uris=["https://three.example/cb"])
    _, _, t = subjects(pw, p)
    r = requests.post(pw.adm + "/admin/oauth2/introspect",
                      data={"token": t["access_token"]})
    assert r.json()["sub"] == "alice"
    assert "obfuscated_subject" not in r.json()


def test_refresh_keeps_pairwise_subject(pw):
    c = new_client(pw, subject_type="pairwise",
                   redirect_uris=["https://four.example/cb"])
    verifier, chal = pkce()
    loc, _ = login_and_consent(pw, c, scope="openid offline_access",
                               code_challenge=chal,
                               code_challenge_method="S256")
    r = requests.post(pw.pub + "/oauth2/token", data={
        "grant_type": "authorization_code", "code": qs(loc)["code"],
        "redirect_uri": c["redirect_uris"][0], "code_verifier": verifier},
        auth=(c["client_id"], c["client_secret"]))
    r = requests.post(pw.pub + "/oauth2/token", data={
        "grant_type": "refresh_token",
        "refresh_token": r.json()["refresh_token"]},
        auth=(c["client_id"], c["client_secret"]))
    assert r.status_code == 200, r.text
    assert claims(r.json()["id_token"])["sub"] == expected("four.example",
                                                           "alice")


def test_registration_rules(pw):
    r = requests.post(pw.adm + "/admin/clients", json={
        "subject_type": "pairwise",
        "redirect_uris": ["https://a.example/cb", "https://b.example/cb"]})
    assert r.status_code == 400
    assert "redirect_uris" in r.json()["error_description"]
    # Self-registration may name a sector_identifier_uri on an internal
    # address only when the operator listed the URL.
    r = requests.post(pw.pub + "/oauth2/register", json={
        "subject_type": "pairwise", "redirect_uris": ["https://a.example/cb"],
        "sector_identifier_uri": "http://127.0.0.1:9/s.json"})
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_client_metadata"
    assert "sector_identifier_uri" in r.json()["error_description"]
    r = requests.post(pw.pub + "/oauth2/register", json={
        "subject_type": "pairwise", "redirect_uris": ["https://a.example/cb"]})
    assert r.status_code == 201, r.text
    assert r.json()["subject_type"] == "pairwise"


def test_pairwise_needs_salt(tmp_path):
    s = Server(tmp_path, conf="oidc.subject_identifiers.supported_types"
               " = public,pairwise\n")
    with pytest.raises(RuntimeError) as e:
        s.start()
    assert "pairwise.salt" in str(e.value)


def test_dcr_refuses_pairwise_when_not_offered(tmp_path):
    s = Server(tmp_path, conf="oidc.dynamic_client_registration.enabled"
               " = true\n").start()
    try:
        r = requests.post(s.pub + "/oauth2/register", json={
            "subject_type": "pairwise",
            "redirect_uris": ["https://a.example/cb"]})
        assert r.status_code == 400
        assert "subject_type" in r.json()["error_description"]
    finally:
        s.stop()


def test_id_token_hint_with_pairwise_subject(pw):
    """prompt=none with an id_token_hint whose sub is the client's
    pairwise subject is the logged-in user, not another one."""
    c = new_client(pw, subject_type="pairwise",
                   redirect_uris=["https://five.example/cb"])
    verifier, chal = pkce()
    loc, browser = login_and_consent(
        pw, c, login={"subject": "alice", "remember": True},
        code_challenge=chal, code_challenge_method="S256")
    r = requests.post(pw.pub + "/oauth2/token", data={
        "grant_type": "authorization_code", "code": qs(loc)["code"],
        "redirect_uri": c["redirect_uris"][0], "code_verifier": verifier},
        auth=(c["client_id"], c["client_secret"]))
    idt = r.json()["id_token"]
    assert claims(idt)["sub"] == expected("five.example", "alice")
    loc = go(browser, auth_url(pw, c, prompt="none", id_token_hint=idt,
                               code_challenge=chal,
                               code_challenge_method="S256"))
    assert "login_required" not in loc, loc
    assert loc.startswith(pw.pub + "/ui/login?"), loc


def test_force_subject_identifier(pw):
    """Hydra's force_subject_identifier (login accept) is the subject a
    pairwise client sees; a public client sees the login subject."""
    for kind, want in (("pairwise", "forced-sub-1"), ("public", "alice")):
        c = new_client(pw, subject_type=kind,
                       redirect_uris=["https://six.example/cb"])
        verifier, chal = pkce()
        loc, _ = login_and_consent(
            pw, c, login={"subject": "alice",
                          "force_subject_identifier": "forced-sub-1"},
            code_challenge=chal, code_challenge_method="S256")
        r = requests.post(pw.pub + "/oauth2/token", data={
            "grant_type": "authorization_code", "code": qs(loc)["code"],
            "redirect_uri": c["redirect_uris"][0],
            "code_verifier": verifier},
            auth=(c["client_id"], c["client_secret"]))
        assert r.status_code == 200, r.text
        assert claims(r.json()["id_token"])["sub"] == want
        ui = requests.get(pw.pub + "/userinfo", headers={
            "Authorization": "Bearer " + r.json()["access_token"]})
        assert ui.json()["sub"] == want
        i = requests.post(pw.adm + "/admin/oauth2/introspect",
                          data={"token": r.json()["access_token"]}).json()
        assert i["sub"] == "alice"
        assert i.get("obfuscated_subject") == (
            want if kind == "pairwise" else None)


def test_sector_document(pw, sectors):
    """OpenID Connect Registration §5: the document at
    sector_identifier_uri, fetched when the client is registered or
    changed, is a JSON array that lists every redirect URI."""
    uris = ["https://p.example/cb", "https://q.example/cb"]

    def register(doc_uris, status=200, path=None, dcr=False):
        url = sector_doc(sectors, path or "/doc-%d.json" % len(
            sectors.routes), doc_uris, status)
        body = {"subject_type": "pairwise", "redirect_uris": uris,
                "sector_identifier_uri": url}
        if dcr:
            return requests.post(pw.pub + "/oauth2/register", json=body)
        return requests.post(pw.adm + "/admin/clients", json=body)

    assert register(uris + ["https://other.example/cb"]).status_code == 201
    for r, words in ((register(uris[:1]), "does not list"),
                     (register({"uris": uris}), "JSON array"),
                     (register(uris, status=404), "HTTP 404")):
        assert r.status_code == 400, r.text
        assert "sector_identifier_uri" in r.json()["error_description"]
        assert words in r.json()["error_description"], r.text
    # Dynamic registration, from the URL the operator listed.
    r = register(uris, path="/dcr.json", dcr=True)
    assert r.status_code == 201, r.text
    r = register(uris[:1], path="/dcr.json", dcr=True)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_client_metadata"


def test_sector_document_on_patch(pw, sectors):
    """A JSON Patch that sets sector_identifier_uri is checked as a whole
    client is: the document must list the redirect URIs the client
    keeps."""
    uris = ["https://r.example/cb"]
    c = new_client(pw, subject_type="pairwise", redirect_uris=uris)
    bad = sector_doc(sectors, "/patch-bad.json", ["https://other.example/cb"])
    good = sector_doc(sectors, "/patch-good.json", uris)
    for url, status in ((bad, 400), (good, 200)):
        r = requests.patch(pw.adm + "/admin/clients/" + c["client_id"],
                           json=[{"op": "add",
                                  "path": "/sector_identifier_uri",
                                  "value": url}],
                           headers={"Content-Type":
                                    "application/json-patch+json"})
        assert r.status_code == status, r.text
    r = requests.get(pw.adm + "/admin/clients/" + c["client_id"])
    assert r.json()["sector_identifier_uri"] == good
