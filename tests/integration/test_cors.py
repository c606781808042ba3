"""CORS as Hydra does it (issue 14): serve.public.cors.* on the public
listener, where token, revocation, userinfo, discovery and JWKS also let
in the calling client's allowed_cors_origins (the form's client_id, the
Basic user, the Bearer token's client) and pass every preflight; an
origin not allowed gets no Access-Control-Allow-Origin; CORS off sends
no CORS headers at all; and serve.admin.cors's full set of options."""

import os

import pytest
import requests

from conftest import Server

GLOBAL = "https://app.example"
CLIENT_ORIGIN = "https://spa.client.example"
WILD = "https://x.wild.example"


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("cors"), conf=(
        "serve.public.cors.enabled = true\n"
        "serve.public.cors.allowed_origins = " + GLOBAL +
        ", https://*.wild.example\n"
        "serve.public.cors.allowed_methods = GET, POST\n"
        "serve.public.cors.allowed_headers = Authorization, Content-Type\n"
        "serve.public.cors.exposed_headers = Content-Type, X-Custom\n"
        "serve.public.cors.max_age = 600\n"
        "serve.admin.cors.enabled = true\n"
        "serve.admin.cors.allowed_origins = https://console.example\n"
        "serve.admin.cors.allowed_methods = GET, POST\n"
        "serve.admin.cors.allowed_headers = Content-Type\n"
        "serve.admin.cors.exposed_headers = X-Total-Count\n"
        "serve.admin.cors.allow_credentials = false\n"
        "serve.admin.cors.max_age = 30\n")).start()
    yield s
    s.stop()


def client(server, method="client_secret_basic", origins=(CLIENT_ORIGIN,)):
    cid = "cors-" + os.urandom(6).hex()
    r = requests.post(server.adm + "/clients", json={
        "client_id": cid, "client_secret": "s3cret-s3cret-s3cret",
        "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": method,
        "allowed_cors_origins": list(origins)})
    assert r.status_code == 201, r.text
    return cid


def token_basic(server, cid, origin):
    return requests.post(server.pub + "/oauth2/token",
                         data={"grant_type": "client_credentials"},
                         auth=(cid, "s3cret-s3cret-s3cret"),
                         headers={"Origin": origin})


def token_post(server, cid, origin):
    return requests.post(server.pub + "/oauth2/token",
                         data={"grant_type": "client_credentials",
                               "client_id": cid,
                               "client_secret": "s3cret-s3cret-s3cret"},
                         headers={"Origin": origin})


def allowed(r, origin, credentials=True):
    assert r.headers.get("Access-Control-Allow-Origin") == origin, \
        dict(r.headers)
    if credentials:
        assert r.headers["Access-Control-Allow-Credentials"] == "true"
    else:
        assert "Access-Control-Allow-Credentials" not in r.headers
    assert "Origin" in r.headers["Vary"]


def refused(r):
    assert "Access-Control-Allow-Origin" not in r.headers, dict(r.headers)
    assert "Access-Control-Allow-Credentials" not in r.headers


# --- the public listener -----------------------------------------------

@pytest.mark.parametrize("path", ["/.well-known/openid-configuration",
                                  "/.well-known/oauth-authorization-server",
                                  "/.well-known/jwks.json", "/health/alive"])
def test_global_origin(srv, path):
    r = requests.get(srv.pub + path, headers={"Origin": GLOBAL})
    assert r.status_code == 200
    allowed(r, GLOBAL)
    assert r.headers["Access-Control-Expose-Headers"] == \
        "Content-Type, X-Custom"


def test_glob_origin_one_label(srv):
    r = requests.get(srv.pub + "/.well-known/jwks.json",
                     headers={"Origin": WILD})
    allowed(r, WILD)
    r = requests.get(srv.pub + "/.well-known/jwks.json",
                     headers={"Origin": "https://a.b.wild.example"})
    refused(r)
    r = requests.get(srv.pub + "/.well-known/jwks.json",
                     headers={"Origin": "https://evilwild.example"})
    refused(r)


@pytest.mark.parametrize("origin", ["https://evil.example", "null",
                                    "http://app.example",
                                    "https://app.example:8443"])
def test_unknown_origin_gets_no_acao(srv, origin):
    r = requests.get(srv.pub + "/.well-known/openid-configuration",
                     headers={"Origin": origin})
    assert r.status_code == 200
    refused(r)
    cid = client(srv)
    r = token_basic(srv, cid, origin)
    assert r.status_code == 200, r.text
    refused(r)


def test_client_origin_with_basic(srv):
    cid = client(srv)
    r = token_basic(srv, cid, CLIENT_ORIGIN)
    assert r.status_code == 200, r.text
    allowed(r, CLIENT_ORIGIN)
    # Not on a path Hydra does not wrap per client.
    r = requests.get(srv.pub + "/.well-known/openid-configuration",
                     headers={"Origin": CLIENT_ORIGIN})
    refused(r)
    r = requests.get(srv.pub + "/health/alive",
                     headers={"Origin": CLIENT_ORIGIN})
    refused(r)


def test_client_origin_with_form_client_id(srv):
    cid = client(srv, method="client_secret_post")
    r = token_post(srv, cid, CLIENT_ORIGIN)
    assert r.status_code == 200, r.text
    allowed(r, CLIENT_ORIGIN)
    # An error answer of that client carries them too.
    r = requests.post(srv.pub + "/oauth2/token",
                      data={"grant_type": "client_credentials",
                            "client_id": cid, "client_secret": "wrong"},
                      headers={"Origin": CLIENT_ORIGIN})
    assert r.status_code == 401
    allowed(r, CLIENT_ORIGIN)


def test_client_origin_is_the_clients_own(srv):
    other = client(srv, origins=("https://other.client.example",))
    r = token_basic(srv, other, CLIENT_ORIGIN)
    assert r.status_code == 200
    refused(r)
    r = requests.post(srv.pub + "/oauth2/token",
                      data={"grant_type": "client_credentials",
                            "client_id": "no-such-client"},
                      headers={"Origin": CLIENT_ORIGIN})
    refused(r)


def test_client_glob_origin(srv):
    cid = client(srv, origins=("https://*.spa.example",))
    allowed(token_basic(srv, cid, "https://tenant.spa.example"),
            "https://tenant.spa.example")
    refused(token_basic(srv, cid, "https://a.tenant.spa.example"))


def test_revocation_and_userinfo_with_client_origin(srv):
    cid = client(srv)
    tok = token_basic(srv, cid, CLIENT_ORIGIN).json()["access_token"]
    r = requests.post(srv.pub + "/oauth2/revoke",
                      data={"token": "unknown"},
                      auth=(cid, "s3cret-s3cret-s3cret"),
                      headers={"Origin": CLIENT_ORIGIN})
    assert r.status_code == 200
    allowed(r, CLIENT_ORIGIN)
    # userinfo: the Bearer token's client (introspected).
    r = requests.get(srv.pub + "/userinfo",
                     headers={"Origin": CLIENT_ORIGIN,
                              "Authorization": "Bearer " + tok})
    allowed(r, CLIENT_ORIGIN)
    r = requests.post(srv.pub + "/userinfo", data={"access_token": tok},
                      headers={"Origin": CLIENT_ORIGIN})
    allowed(r, CLIENT_ORIGIN)
    r = requests.get(srv.pub + "/userinfo",
                     headers={"Origin": CLIENT_ORIGIN,
                              "Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    refused(r)


@pytest.mark.parametrize("path", ["/oauth2/token", "/oauth2/revoke",
                                  "/userinfo", "/.well-known/jwks.json",
                                  "/.well-known/openid-configuration"])
def test_preflight_always_passes_on_wrapped_paths(srv, path):
    """A preflight carries no credentials: any origin passes on the
    paths wrapped per client."""
    r = requests.options(srv.pub + path, headers={
        "Origin": "https://anyone.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert r.status_code == 204, r.text
    assert not r.content
    allowed(r, "https://anyone.example")
    assert r.headers["Access-Control-Allow-Methods"] == "GET, POST"
    assert r.headers["Access-Control-Allow-Headers"] == \
        "authorization, content-type"
    assert r.headers["Access-Control-Max-Age"] == "600"
    assert "Access-Control-Request-Method" in r.headers["Vary"]


def test_preflight_elsewhere_needs_a_global_origin(srv):
    h = {"Access-Control-Request-Method": "GET"}
    r = requests.options(srv.pub + "/oauth2/auth",
                         headers=dict(h, Origin=GLOBAL))
    assert r.status_code == 204
    allowed(r, GLOBAL)
    r = requests.options(srv.pub + "/oauth2/auth",
                         headers=dict(h, Origin="https://anyone.example"))
    assert r.status_code == 204
    refused(r)


@pytest.mark.parametrize("method,headers", [
    ("DELETE", None), ("PUT", None), ("POST", "x-evil"),
    ("POST", "authorization, x-evil")])
def test_preflight_asking_too_much_gets_no_headers(srv, method, headers):
    h = {"Origin": GLOBAL, "Access-Control-Request-Method": method}
    if headers:
        h["Access-Control-Request-Headers"] = headers
    r = requests.options(srv.pub + "/oauth2/token", headers=h)
    assert r.status_code == 204
    refused(r)


def test_method_not_allowed_gets_no_headers(srv):
    # DELETE is not among allowed_methods: no CORS headers on its 405.
    r = requests.delete(srv.pub + "/oauth2/token",
                        headers={"Origin": GLOBAL})
    assert r.status_code == 405
    refused(r)


def test_cors_off_sends_no_headers(server):
    """The default: serve.public.cors.enabled is false, as in Hydra,
    and discovery and JWKS carry no CORS headers either."""
    for path in ["/.well-known/openid-configuration",
                 "/.well-known/jwks.json"]:
        r = requests.get(server.pub + path,
                         headers={"Origin": "https://any.example"})
        assert r.status_code == 200
        refused(r)
        r = requests.get(server.pub + path)
        refused(r)
    cid = client(server)
    r = token_basic(server, cid, CLIENT_ORIGIN)
    assert r.status_code == 200
    refused(r)
    r = requests.options(server.pub + "/oauth2/token", headers={
        "Origin": CLIENT_ORIGIN, "Access-Control-Request-Method": "POST"})
    refused(r)
    assert r.status_code != 204


def test_enabled_without_origins_lets_any_in(tmp_path):
    """Hydra's default allowed_origins is empty, which lets any origin
    in, with its default methods, headers and exposed headers."""
    s = Server(tmp_path, conf="serve.public.cors.enabled = true\n").start()
    try:
        r = requests.get(s.pub + "/.well-known/jwks.json",
                         headers={"Origin": "https://any.example"})
        allowed(r, "https://any.example")
        assert r.headers["Access-Control-Expose-Headers"] == (
            "Cache-Control, Expires, Last-Modified, Pragma, "
            "Content-Length, Content-Language, Content-Type")
        r = requests.options(s.pub + "/oauth2/token", headers={
            "Origin": "https://any.example",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "Accept-Language"})
        assert r.status_code == 204
        assert r.headers["Access-Control-Allow-Methods"] == (
            "POST, GET, PUT, PATCH, DELETE, CONNECT, HEAD, OPTIONS, TRACE")
        assert "Access-Control-Max-Age" not in r.headers
    finally:
        s.stop()


# --- the admin listener's options ---------------------------------------

def test_admin_options(srv):
    r = requests.options(srv.adm + "/clients", headers={
        "Origin": "https://console.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert r.status_code == 204, r.text
    allowed(r, "https://console.example", credentials=False)
    assert r.headers["Access-Control-Allow-Methods"] == "GET, POST"
    assert r.headers["Access-Control-Max-Age"] == "30"
    r = requests.get(srv.adm + "/clients",
                     headers={"Origin": "https://console.example"})
    assert r.status_code == 200
    allowed(r, "https://console.example", credentials=False)
    assert r.headers["Access-Control-Expose-Headers"] == "X-Total-Count"


@pytest.mark.parametrize("method,headers,what", [
    ("DELETE", None, "DELETE"), ("POST", "Authorization", "Authorization")])
def test_admin_preflight_outside_the_options_is_403(srv, method, headers,
                                                    what):
    h = {"Origin": "https://console.example",
         "Access-Control-Request-Method": method}
    if headers:
        h["Access-Control-Request-Headers"] = headers
    r = requests.options(srv.adm + "/clients", headers=h)
    assert r.status_code == 403
    assert what in r.json()["error_description"]
    assert "serve.admin.cors" in r.json()["error_description"]
    refused(r)


def test_admin_glob_origin(tmp_path):
    s = Server(tmp_path, conf="serve.admin.cors.enabled = true\n"
               "serve.admin.cors.allowed_origins = https://*.corp.example\n"
               ).start()
    try:
        r = requests.get(s.adm + "/clients",
                         headers={"Origin": "https://ops.corp.example"})
        assert r.status_code == 200
        allowed(r, "https://ops.corp.example")
        r = requests.get(s.adm + "/clients",
                         headers={"Origin": "https://a.ops.corp.example"})
        assert r.status_code == 403
    finally:
        s.stop()
