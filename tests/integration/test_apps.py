"""Applications that own OAuth 2.0 clients (/v1/applications) on the
admin listener: every path and method, the application and its default
client created and deleted in one transaction, secrets returned only
when created, the mapping of the API's client shape onto the client
records the other dialects (Hydra's /clients, Authentiq's /client) see,
and errors as {"message", "error_code"}."""

import threading
import uuid

import pytest
import requests

from conftest import Server, store_bytes, store_records

APPS = "/v1/applications"
PREFIXES = ["", "/admin"]
REDIRECT = "https://app.example/cb"


def url(server, path="", prefix=""):
    return server.adm + prefix + APPS + path


def new_app(server, **fields):
    body = {"app_name": "My App"}
    body.update(fields)
    r = requests.post(url(server), json=body)
    assert r.status_code == 201, r.text
    return r.json()["result"]


def new_client(server, app_id, **fields):
    body = {"name": "Extra", "redirect_uris": [REDIRECT]}
    body.update(fields)
    r = requests.post(url(server, f"/{app_id}/clients"), json=body)
    assert r.status_code == 201, r.text
    return r.json()["result"]


def err(r, status, *words):
    """The API's error shape, and its message naming each of words."""
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"message", "error_code"}, body
    assert body["error_code"] == status
    assert body["message"]
    for w in words:
        assert w in body["message"], body
    return body


def app_ids(server):
    r = requests.get(url(server))
    assert r.status_code == 200
    return {a["app_id"] for a in r.json()["result"]}


def dialect(server, path):
    """Skip a cross-dialect check while that dialect is not served."""
    r = requests.get(server.adm + path)
    if r.status_code in (404, 405) and path.rstrip("/") in (
            "/clients", "/client"):
        pytest.skip(path + " is not served yet")
    return r


def hydra(server, client_id):
    dialect(server, "/clients")
    return requests.get(server.adm + "/clients/" + client_id)


def authentiq(server, client_id):
    dialect(server, "/client")
    return requests.get(server.adm + "/client/" + client_id)


def no_secret_anywhere(obj):
    if isinstance(obj, dict):
        assert "client_secret" not in obj and "_secret" not in obj
        for v in obj.values():
            no_secret_anywhere(v)
    elif isinstance(obj, list):
        for v in obj:
            no_secret_anywhere(v)


# --- create --------------------------------------------------------------

@pytest.mark.parametrize("prefix", PREFIXES)
def test_create_minimal_app_with_default_client(server, prefix):
    r = requests.post(url(server, prefix=prefix), json={"app_name": "Mini"})
    assert r.status_code == 201, r.text
    a = r.json()["result"]
    uuid.UUID(a["app_id"], version=4)
    assert r.headers["Location"] == f"{prefix}{APPS}/{a['app_id']}"
    assert a["app_name"] == "Mini"
    assert a["app_description"] == "" and a["logo"] == ""
    assert a["client_type"] == "web"
    assert a["client_display_name"] == "Mini"   # defaults to app_name
    assert a["client_auth_method"] == "client_secret_basic"
    assert a["pkce"] == "none"
    assert a["device_authorization"] == {"enabled": False}
    assert a["redirect_uris"] == [] and a["resources"] == []
    assert len(a["client_secret"]) >= 43
    assert a["created_at"].endswith("Z") and a["updated_at"]
    assert a["tenant_id"] is None               # one tenant, unnamed
    for hidden in ("_v", "default_client_id", "login_preferences"):
        assert hidden not in a
    # The default client is a client of the app.
    c = requests.get(url(server, f"/{a['app_id']}/clients/"
                                 f"{a['client_id']}")).json()["result"]
    assert c["app_id"] == a["app_id"] and c["name"] == "Mini"


def test_create_with_first_client_maps_every_field(server):
    a = new_app(server, app_name="Full", app_description="d",
                logo="https://app.example/logo.png", first_client={
                    "name": "Web client",
                    "description": "the web one",
                    "resources": ["https://api.example", "urn:x"],
                    "client_type": "web",
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_post",
                    "supported_prompts": ["login", "consent", "none",
                                          "select_account"],
                    "token_expiration": {"access_token_ttl": 3600,
                                         "refresh_token_ttl": 86400,
                                         "max_refresh_rotate": 0},
                    "session_expiration": 0,
                    "enforce_par": False,
                    "device_authorization": {"enabled": False},
                    "redirect_uris": [REDIRECT],
                })
    assert a["app_description"] == "d"
    assert a["logo"] == "https://app.example/logo.png"
    assert a["client_display_name"] == "Web client"
    assert a["client_description"] == "the web one"
    assert a["resources"] == ["https://api.example", "urn:x"]
    assert a["redirect_uris"] == [REDIRECT]
    assert a["client_auth_method"] == "client_secret_post"
    assert a["device_authorization"] == {"enabled": False}
    assert a["client_secret"]
    c = requests.get(url(server, f"/{a['app_id']}/clients/"
                                 f"{a['client_id']}")).json()["result"]
    assert c["name"] == "Web client" and c["description"] == "the web one"
    assert c["client_type"] == "web"
    assert c["response_types"] == ["code"]
    assert c["token_endpoint_auth_method"] == "client_secret_post"
    assert c["pkce"] == "none"
    assert c["supported_prompts"] == ["login", "consent", "none",
                                      "select_account"]
    assert c["token_expiration"] == {"access_token_ttl": 3600,
                                     "refresh_token_ttl": 86400,
                                     "max_refresh_rotate": 0}
    assert c["session_expiration"] == 0
    assert c["enforce_par"] is False
    assert c["device_authorization"] == {"enabled": False}
    assert c["authentication_protocol"] == "oidc"
    assert "client_secret" not in c
    # What Hydra's dialect sees of the same record.
    h = hydra(server, a["client_id"])
    assert h.status_code == 200, h.text
    h = h.json()
    assert h["client_name"] == "Web client"
    assert h["audience"] == ["https://api.example", "urn:x"]
    assert h["grant_types"] == ["authorization_code", "refresh_token"]
    assert h["token_endpoint_auth_method"] == "client_secret_post"
    assert h["authorization_code_grant_access_token_lifespan"] == "1h0m0s"
    assert h["client_credentials_grant_access_token_lifespan"] == "1h0m0s"
    assert h["refresh_token_grant_access_token_lifespan"] == "1h0m0s"
    assert h["authorization_code_grant_refresh_token_lifespan"] == \
        "24h0m0s"
    assert h["refresh_token_grant_refresh_token_lifespan"] == "24h0m0s"
    assert h["authorization_code_grant_id_token_lifespan"] is None
    assert "client_secret" not in h and "app_id" not in h


def test_create_uses_deprecated_top_level_client_fields(server):
    a = new_app(server, client_display_name="Top", client_description="td",
                redirect_uris=[REDIRECT], resources=["urn:top"],
                client_auth_method="client_secret_post",
                device_authorization={"enabled": False})
    assert a["client_display_name"] == "Top"
    assert a["client_description"] == "td"
    assert a["redirect_uris"] == [REDIRECT]
    assert a["resources"] == ["urn:top"]
    assert a["client_auth_method"] == "client_secret_post"
    assert a["device_authorization"] == {"enabled": False}
    # first_client wins over the top-level fallbacks.
    b = new_app(server, resources=["urn:top"],
                first_client={"name": "F", "resources": ["urn:first"]})
    assert b["resources"] == ["urn:first"]
    assert b["client_display_name"] == "F"


# Members of the document oidcgi cannot honour: (member, value, words
# the 400 names).  Their off values are taken.
APP_UNBUILT = [
    ("tenant_id", "t1", ["tenant_id"]),
    ("subdomain", "myapp", ["subdomain"]),
    ("custom_domain", "myapp.com", ["custom_domain"]),
    ("allow_public_signup", True, ["allow_public_signup"]),
    ("service_providers", ["x"], ["service_providers"]),
    ("login_preferences", {"auth_methods": {}}, ["login_preferences"]),
    ("authenticator_preferences", {"is_centralized": True},
     ["authenticator_preferences", "is_centralized"]),
    ("invite_member_email_expiration_minutes", 5,
     ["invite_member_email_expiration_minutes"]),
    ("first_client_authentication_protocol", "saml",
     ["first_client_authentication_protocol", "oidc"]),
    ("password_sharing_group_id", "g", ["password_sharing_group_id"]),
    ("external_communication", {"language": "en"},
     ["external_communication"]),
]
CLIENT_UNBUILT = [
    ("role_ids", ["r"], ["role_ids"]),
    ("default_custom_claims", ["tid"], ["default_custom_claims"]),
    ("client_group_id", "g", ["client_group_id"]),
    ("authentication_protocol", "saml", ["authentication_protocol"]),
    ("fapi_version_compliancy", True, ["fapi_version_compliancy"]),
    ("ciba", {"enabled": True}, ["ciba", "enabled"]),
    ("authentication_configuration", {"method": "private_key_jwt"},
     ["authentication_configuration"]),
    ("tenant_id", "t1", ["tenant_id"]),
]


@pytest.mark.parametrize("key,value,words", APP_UNBUILT)
def test_unhonoured_app_fields_refused(server, key, value, words):
    before = app_ids(server)
    err(requests.post(url(server), json={"app_name": "X", key: value}),
        400, *words)
    assert app_ids(server) == before
    a = new_app(server)
    err(requests.put(url(server, "/" + a["app_id"]),
                     json={"app_name": "Changed", key: value}), 400, *words)
    got = requests.get(url(server, "/" + a["app_id"])).json()["result"]
    assert got["app_name"] == "My App"


@pytest.mark.parametrize("key,value,words", CLIENT_UNBUILT)
def test_unhonoured_client_fields_refused(server, key, value, words):
    before = app_ids(server)
    err(requests.post(url(server), json={
        "app_name": "X", "first_client": {"name": "F", key: value}}),
        400, *words)
    assert app_ids(server) == before
    a = new_app(server)
    p = url(server, f"/{a['app_id']}/clients")
    err(requests.post(p, json={"name": "n", "redirect_uris": [REDIRECT],
                               key: value}), 400, *words)
    assert len(requests.get(p).json()["result"]) == 1
    err(requests.put(p + "/" + a["client_id"], json={key: value}), 400,
        *words)


def test_unhonoured_fields_off_values_accepted(server):
    a = new_app(server, tenant_id=None, allow_public_signup=False,
                service_providers=[],
                authenticator_preferences={"is_centralized": False},
                first_client_authentication_protocol="oidc",
                subdomain=None, custom_domain=None,
                first_client={"name": "F", "role_ids": [],
                              "default_custom_claims": [],
                              "client_group_id": None,
                              "authentication_protocol": "oidc",
                              "fapi_version_compliancy": False,
                              "ciba": {"enabled": False}})
    assert a["tenant_id"] is None and a["allow_public_signup"] is False
    assert a["service_providers"] == []
    assert a["authenticator_preferences"] == {"is_centralized": False}
    for k in ("subdomain", "custom_domain", "login_preferences"):
        assert k not in a
    c = requests.get(url(server, f"/{a['app_id']}/clients/"
                                 f"{a['client_id']}")).json()["result"]
    assert c["tenant_id"] is None and c["client_group_id"] is None
    assert c["default_custom_claims"] == []
    assert c["authentication_protocol"] == "oidc"
    assert c["fapi_version_compliancy"] is False


def test_what_is_read_can_be_written_back(server):
    """GET, change one member, PUT the whole object back: the members
    oidcgi shows all hold values it takes."""
    a = new_app(server, redirect_uris=[REDIRECT])
    p = url(server, "/" + a["app_id"])
    got = requests.get(p).json()["result"]
    got["app_description"] = "round trip"
    r = requests.put(p, json=got)
    assert r.status_code == 200, r.text
    back = r.json()["result"]
    assert back["app_description"] == "round trip"
    assert back["client_id"] == a["client_id"]
    c = url(server, f"/{a['app_id']}/clients/{a['client_id']}")
    got = requests.get(c).json()["result"]
    got["description"] = "again"
    r = requests.put(c, json=got)
    assert r.status_code == 200, r.text
    got["updated_at"] = r.json()["result"]["updated_at"]
    assert r.json()["result"] == got


def test_pkce_instead_of_credentials_makes_a_public_client(server):
    a = new_app(server, first_client={
        "name": "SPA", "redirect_uris": [REDIRECT],
        "pkce": "enforcePkceInsteadOfClientCredentials"})
    assert "client_secret" not in a
    assert a["client_auth_method"] == "none"
    assert a["pkce"] == "enforcePkceInsteadOfClientCredentials"
    assert a["client_type"] == "spa"
    h = hydra(server, a["client_id"]).json()
    assert h["token_endpoint_auth_method"] == "none"
    # The top-level pkce (deprecated) works the same way.
    b = new_app(server, pkce="enforcePkceInsteadOfClientCredentials")
    assert "client_secret" not in b and b["client_auth_method"] == "none"
    # A public client always uses PKCE.
    c = new_app(server, client_auth_method="none")
    assert c["pkce"] == "enforcePkceInsteadOfClientCredentials"
    # PKCE together with a secret.
    d = new_app(server, pkce="enforcePkceWithClientCredentials")
    assert d["client_secret"] and d["client_auth_method"] == \
        "client_secret_basic"
    assert d["pkce"] == "enforcePkceWithClientCredentials"


@pytest.mark.parametrize("ctype", ["spa", "native"])
def test_browser_and_native_clients_are_public(server, ctype):
    redirect = "com.example.app:/cb" if ctype == "native" else REDIRECT
    a = new_app(server, first_client={"name": ctype, "client_type": ctype,
                                      "redirect_uris": [redirect]})
    assert "client_secret" not in a
    assert a["client_type"] == ctype
    assert a["pkce"] == "enforcePkceInsteadOfClientCredentials"
    assert a["redirect_uris"] == [redirect]
    q = authentiq(server, a["client_id"])
    assert q.status_code == 200, q.text
    assert q.json()["application_type"] == ("native" if ctype == "native"
                                            else "web")


def test_machine_client_uses_client_credentials(server):
    a = new_app(server, client_type="machine")
    assert a["client_type"] == "machine" and a["client_secret"]
    c = requests.get(url(server, f"/{a['app_id']}/clients/"
                                 f"{a['client_id']}")).json()["result"]
    assert c["response_types"] == []
    h = hydra(server, a["client_id"]).json()
    assert h["grant_types"] == ["client_credentials"]
    assert h["response_types"] == []
    # A machine has no browser: no response types, no public client.
    r = requests.post(url(server), json={"app_name": "m", "first_client": {
        "client_type": "machine", "response_types": ["code"]}})
    err(r, 400, "response_types")
    r = requests.post(url(server), json={"app_name": "m", "first_client": {
        "client_type": "machine",
        "pkce": "enforcePkceInsteadOfClientCredentials"}})
    err(r, 400, "client_credentials")


def test_id_token_response_type_adds_implicit_grant(server):
    a = new_app(server, first_client={"response_types": ["code", "id_token"],
                                      "redirect_uris": [REDIRECT]})
    c = requests.get(url(server, f"/{a['app_id']}/clients/"
                                 f"{a['client_id']}")).json()["result"]
    assert c["response_types"] == ["code", "id_token"]
    h = hydra(server, a["client_id"]).json()
    assert h["grant_types"] == ["authorization_code", "implicit",
                                "refresh_token"]


# --- create: errors, and nothing stored ------------------------------------

def test_create_errors(server):
    r = requests.post(url(server), data=b"{not json",
                      headers={"Content-Type": "application/json"})
    err(r, 400, "JSON")
    err(requests.post(url(server), json=[1]), 400, "object")
    err(requests.post(url(server), json={}), 400, "app_name")
    err(requests.post(url(server), json={"app_name": ""}), 400, "app_name")
    err(requests.post(url(server), json={"app_name": 5}), 400, "app_name")
    err(requests.post(url(server), json={"app_name": "a", "logo": 1}), 400,
        "logo")
    err(requests.post(url(server), json={"app_name": "a",
                                         "first_client": "x"}), 400,
        "first_client")
    err(requests.post(url(server), json={"app_name": "a", "first_client": {
        "client_type": "tv"}}), 400, "client_type")
    err(requests.post(url(server), json={"app_name": "a", "first_client": {
        "pkce": "sometimes"}}), 400, "pkce")
    err(requests.post(url(server), json={"app_name": "a", "first_client": {
        "pkce": "enforcePkceInsteadOfClientCredentials",
        "token_endpoint_auth_method": "client_secret_basic"}}), 400, "pkce")
    err(requests.post(url(server), json={"app_name": "a", "first_client": {
        "client_type": "spa",
        "token_endpoint_auth_method": "client_secret_basic"}}), 400,
        "client_type")
    err(requests.post(url(server), json={"app_name": "a", "first_client": {
        "token_expiration": {"access_token_ttl": -1}}}), 400,
        "access_token_ttl")
    err(requests.post(url(server), json={"app_name": "a", "first_client": {
        "enforce_par": "yes"}}), 400, "enforce_par")
    err(requests.post(url(server), json={"app_name": "a", "first_client": {
        "device_authorization": {"enabled": 1}}}), 400, "enabled")
    err(requests.post(url(server), json={"app_name": "a", "first_client": {
        "supported_prompts": ["sometimes"]}}), 400, "supported_prompts")
    err(requests.post(url(server), json={"app_name": "a", "first_client": {
        "resources": ["has space"]}}), 400, "'resources'")
    err(requests.post(url(server), json={"app_name": "a", "first_client": {
        "name": "x" * 2000}}), 400, "'name'")


@pytest.mark.parametrize("first_client", [
    {"redirect_uris": ["http://evil.example/cb"]},
    {"redirect_uris": ["https://app.example/cb#frag"]},
    {"token_endpoint_auth_method": "magic"},
    {"response_types": ["code token_x"]},
])
def test_invalid_first_client_stores_nothing(server, first_client):
    before = app_ids(server)
    dialect(server, "/clients")
    n_clients = len(requests.get(server.adm + "/clients",
                                 params={"limit": 500}).json())
    r = requests.post(url(server), json={"app_name": "Broken",
                                         "first_client": first_client})
    body = err(r, 400)
    assert any(k in body["message"] for k in first_client), body
    assert app_ids(server) == before
    assert len(requests.get(server.adm + "/clients",
                            params={"limit": 500}).json()) == n_clients


# --- read ----------------------------------------------------------------

def test_list_and_get_never_show_secrets(server):
    a = new_app(server, app_name="Listed", redirect_uris=[REDIRECT])
    new_client(server, a["app_id"])
    r = requests.get(url(server))
    assert r.status_code == 200
    apps = r.json()["result"]
    mine = [x for x in apps if x["app_id"] == a["app_id"]]
    assert len(mine) == 1
    assert mine[0]["client_id"] == a["client_id"]   # the default client
    assert mine[0]["client_display_name"] == "Listed"
    assert mine[0]["redirect_uris"] == [REDIRECT]
    no_secret_anywhere(r.json())
    g = requests.get(url(server, "/" + a["app_id"]))
    assert g.status_code == 200
    got = g.json()["result"]
    no_secret_anywhere(got)
    expect = dict(a)
    del expect["client_secret"]
    assert got == expect
    lst = requests.get(url(server, f"/{a['app_id']}/clients"))
    assert lst.status_code == 200
    assert isinstance(lst.json()["result"], list)
    assert len(lst.json()["result"]) == 2 and set(lst.json()) == {"result"}
    no_secret_anywhere(lst.json())


@pytest.mark.parametrize("prefix", PREFIXES)
def test_list_basic_info(server, prefix):
    a = new_app(server, app_name="Basic", app_description="plain",
                redirect_uris=[REDIRECT])
    r = requests.get(url(server, "/list", prefix))
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"result"}
    mine = [x for x in r.json()["result"] if x["app_id"] == a["app_id"]]
    assert mine == [{"app_id": a["app_id"], "tenant_id": None,
                     "app_name": "Basic", "app_description": "plain"}]
    assert len(r.json()["result"]) == len(app_ids(server))
    # GET only; the other methods are the {appId} route's, and "list"
    # is no application.
    assert requests.post(url(server, "/list", prefix)).status_code == 405
    err(requests.put(url(server, "/list", prefix), json={}), 404)
    err(requests.get(url(server, "/list/clients", prefix)), 404)


def test_unknown_app_is_404(server):
    for path in ("/" + str(uuid.uuid4()), "/" + "x" * 600):
        err(requests.get(url(server, path)), 404)
        err(requests.put(url(server, path), json={"app_name": "x"}), 404)
        err(requests.delete(url(server, path)), 404)
        err(requests.put(url(server, path + "/resources"),
                         json={"resource_ids": []}), 404)
        err(requests.get(url(server, path + "/clients")), 404)
        err(requests.post(url(server, path + "/clients"),
                          json={"name": "n", "redirect_uris": []}), 404)
        err(requests.delete(url(server, path + "/clients")), 404)
        err(requests.get(url(server, path + "/clients/c")), 404)


def test_client_of_another_app_or_none_is_404(server):
    a = new_app(server)
    b = new_app(server)
    other = b["client_id"]
    for cid in (other, "no-such-client", "y" * 600):
        p = f"/{a['app_id']}/clients/{cid}"
        err(requests.get(url(server, p)), 404)
        err(requests.put(url(server, p), json={"name": "x"}), 404)
        err(requests.delete(url(server, p)), 404)
        err(requests.put(url(server, p + "/resources"),
                         json={"resource_ids": []}), 404)
    # Still there, unchanged.
    assert requests.get(url(server, f"/{b['app_id']}/clients/{other}")) \
        .json()["result"]["name"] == "My App"


# --- update --------------------------------------------------------------

def test_update_app_fields(server):
    a = new_app(server, app_description="old", logo="l")
    r = requests.put(url(server, "/" + a["app_id"]),
                     json={"app_name": "Renamed", "tenant_id": None})
    assert r.status_code == 200, r.text
    u = r.json()["result"]
    assert u["app_name"] == "Renamed"
    assert u["app_description"] == "old" and u["logo"] == "l"
    assert u["created_at"] == a["created_at"]
    assert u["client_id"] == a["client_id"]
    assert "client_secret" not in u
    assert requests.get(url(server, "/" + a["app_id"])).json()["result"][
        "app_name"] == "Renamed"
    r = requests.put(url(server, "/" + a["app_id"]),
                     json={"app_description": "new", "logo": ""})
    u = r.json()["result"]
    assert (u["app_name"], u["app_description"], u["logo"]) == \
        ("Renamed", "new", "")
    err(requests.put(url(server, "/" + a["app_id"]), json={"app_name": ""}),
        400, "app_name")
    err(requests.put(url(server, "/" + a["app_id"]), data=b"[",
                     headers={"Content-Type": "application/json"}), 400)


def test_update_app_deprecated_fields_update_default_client(server):
    a = new_app(server, redirect_uris=[REDIRECT])
    r = requests.put(url(server, "/" + a["app_id"]), json={
        "client_display_name": "New name", "resources": ["urn:r"],
        "device_authorization": {"enabled": False}})
    assert r.status_code == 200, r.text
    u = r.json()["result"]
    assert u["client_display_name"] == "New name"
    assert u["resources"] == ["urn:r"]
    assert u["device_authorization"] == {"enabled": False}
    assert u["redirect_uris"] == [REDIRECT]     # kept
    assert "client_secret" not in u
    # An invalid client field changes nothing, not even the app.
    r = requests.put(url(server, "/" + a["app_id"]), json={
        "app_name": "Not stored", "redirect_uris": ["ftp://x"]})
    err(r, 400, "redirect_uris")
    g = requests.get(url(server, "/" + a["app_id"])).json()["result"]
    assert g["app_name"] == "My App" and g["redirect_uris"] == [REDIRECT]


def test_app_resources_set_default_client_audience(server):
    a = new_app(server)
    extra = new_client(server, a["app_id"], resources=["urn:extra"])
    r = requests.put(url(server, f"/{a['app_id']}/resources"),
                     json={"resource_ids": ["urn:a", "urn:b"]})
    assert r.status_code == 200, r.text
    assert r.json()["result"]["resources"] == ["urn:a", "urn:b"]
    assert "client_secret" not in r.json()["result"]
    c = requests.get(url(server, f"/{a['app_id']}/clients/"
                                 f"{a['client_id']}")).json()["result"]
    assert c["resources"] == ["urn:a", "urn:b"]
    e = requests.get(url(server, f"/{a['app_id']}/clients/"
                                 f"{extra['client_id']}")).json()["result"]
    assert e["resources"] == ["urn:extra"]
    err(requests.put(url(server, f"/{a['app_id']}/resources"), json={}),
        400, "resource_ids")
    err(requests.put(url(server, f"/{a['app_id']}/resources"),
                     json={"resource_ids": ["a b"]}), 400, "resource_ids")
    r = requests.put(url(server, f"/{a['app_id']}/resources"),
                     json={"resource_ids": []})
    assert r.json()["result"]["resources"] == []


def test_client_resources(server):
    a = new_app(server)
    c = new_client(server, a["app_id"])
    p = f"/{a['app_id']}/clients/{c['client_id']}/resources"
    r = requests.put(url(server, p), json={"resource_ids": ["urn:z"]})
    assert r.status_code == 200, r.text
    assert r.json()["result"]["resources"] == ["urn:z"]
    assert r.json()["result"]["client_id"] == c["client_id"]
    assert "client_secret" not in r.json()["result"]
    err(requests.put(url(server, p), json={"resource_ids": "urn:z"}), 400,
        "resource_ids")


# --- clients of an application ----------------------------------------------

@pytest.mark.parametrize("prefix", PREFIXES)
def test_add_client(server, prefix):
    a = new_app(server)
    r = requests.post(url(server, f"/{a['app_id']}/clients", prefix),
                      json={"name": "Second", "description": "2nd",
                            "redirect_uris": [REDIRECT],
                            "resources": ["urn:2"],
                            "token_expiration": {"access_token_ttl": 60}})
    assert r.status_code == 201, r.text
    c = r.json()["result"]
    assert r.headers["Location"] == \
        f"{prefix}{APPS}/{a['app_id']}/clients/{c['client_id']}"
    assert c["app_id"] == a["app_id"]
    assert c["name"] == "Second" and c["description"] == "2nd"
    assert c["client_type"] == "web" and len(c["client_secret"]) >= 43
    assert c["token_expiration"]["access_token_ttl"] == 60
    assert c["created_at"].endswith("Z")
    g = requests.get(url(server, f"/{a['app_id']}/clients/"
                                 f"{c['client_id']}", prefix))
    assert g.status_code == 200
    expect = dict(c)
    del expect["client_secret"]
    assert g.json()["result"] == expect
    ids = {x["client_id"] for x in requests.get(
        url(server, f"/{a['app_id']}/clients")).json()["result"]}
    assert ids == {a["client_id"], c["client_id"]}
    # The default client is unchanged.
    assert requests.get(url(server, "/" + a["app_id"])).json()["result"][
        "client_id"] == a["client_id"]


def test_add_client_errors(server):
    a = new_app(server)
    p = url(server, f"/{a['app_id']}/clients")
    err(requests.post(p, json={"redirect_uris": []}), 400, "name")
    err(requests.post(p, json={"name": "n"}), 400, "redirect_uris")
    err(requests.post(p, json={"name": "n", "redirect_uris": ["nope"]}), 400,
        "redirect_uris")
    err(requests.post(p, data=b"}", headers={
        "Content-Type": "application/json"}), 400)
    assert len(requests.get(p).json()["result"]) == 1


def test_update_client_merges_and_keeps_secret(server):
    a = new_app(server)
    c = new_client(server, a["app_id"], enforce_par=False,
                   token_expiration={"access_token_ttl": 600,
                                     "refresh_token_ttl": 6000})
    p = url(server, f"/{a['app_id']}/clients/{c['client_id']}")
    r = requests.put(p, json={"name": "Renamed"})
    assert r.status_code == 200, r.text
    u = r.json()["result"]
    assert "client_secret" not in u
    assert u["name"] == "Renamed"
    assert u["redirect_uris"] == [REDIRECT]
    assert u["supported_prompts"] == [] and u["enforce_par"] is False
    assert u["session_expiration"] == 0
    assert u["token_expiration"] == {"access_token_ttl": 600,
                                     "refresh_token_ttl": 6000,
                                     "max_refresh_rotate": 0}
    assert u["created_at"] == c["created_at"]
    assert u["client_type"] == "web"
    assert u["token_endpoint_auth_method"] == "client_secret_basic"
    # An object replaces the old one whole: 0 is the configured default.
    r = requests.put(p, json={"token_expiration": {"access_token_ttl": 30}})
    assert r.json()["result"]["token_expiration"] == {
        "access_token_ttl": 30, "refresh_token_ttl": 0,
        "max_refresh_rotate": 0}
    h = hydra(server, c["client_id"]).json()
    assert h["authorization_code_grant_access_token_lifespan"] == "30s"
    assert h["authorization_code_grant_refresh_token_lifespan"] is None
    err(requests.put(p, json={"client_type": "tv"}), 400, "client_type")
    err(requests.put(p, json={"redirect_uris": ["http://x.example/"]}), 400,
        "redirect_uris")
    assert requests.get(p).json()["result"]["name"] == "Renamed"


UNBUILT = [

    ({"supported_prompts": ["login", "consent"]}, ["supported_prompts"]),
    ({"session_expiration": 3600}, ["session_expiration"]),
    ({"token_expiration": {"access_token_ttl": 60,
                           "max_refresh_rotate": 2}},
     ["max_refresh_rotate", "token_expiration"]),
]


@pytest.mark.parametrize("fields,words", UNBUILT)
def test_unbuilt_settings_refused_everywhere(server, fields, words):
    """Settings the protocol does not enforce are refused with a 400
    naming them, on each path that takes a client, and change nothing;
    their off values are taken."""
    before = app_ids(server)
    body = {"app_name": "Refused", "redirect_uris": [REDIRECT]}
    err(requests.post(url(server), json=dict(body, first_client=fields)),
        400, *words)
    assert app_ids(server) == before
    a = new_app(server, redirect_uris=[REDIRECT])
    err(requests.put(url(server, "/" + a["app_id"]),
                     json={"first_client": fields}), 400, *words)
    p = url(server, f"/{a['app_id']}/clients")
    err(requests.post(p, json=dict(name="n", redirect_uris=[REDIRECT],
                                   **fields)), 400, *words)
    assert len(requests.get(p).json()["result"]) == 1
    c = p + "/" + a["client_id"]
    old = requests.get(c).json()["result"]
    err(requests.put(c, json=fields), 400, *words)
    assert requests.get(c).json()["result"] == old


def test_unbuilt_settings_off_values_accepted(server):
    a = new_app(server, redirect_uris=[REDIRECT])
    c = url(server, f"/{a['app_id']}/clients/{a['client_id']}")
    r = requests.put(c, json={
        "enforce_par": False, "device_authorization": {"enabled": False},
        "session_expiration": 0,
        "supported_prompts": ["select_account", "none", "consent", "login"],
        "token_expiration": {"access_token_ttl": 0, "refresh_token_ttl": 0,
                             "max_refresh_rotate": 0}})
    assert r.status_code == 200, r.text
    u = r.json()["result"]
    assert u["enforce_par"] is False and u["session_expiration"] == 0
    assert u["device_authorization"] == {"enabled": False}
    assert u["token_expiration"]["max_refresh_rotate"] == 0
    # What a client reads back it can send back.
    r = requests.put(c, json={k: u[k] for k in (
        "name", "description", "redirect_uris", "client_type", "pkce",
        "response_types", "resources", "device_authorization",
        "supported_prompts", "token_expiration", "session_expiration",
        "enforce_par")})
    assert r.status_code == 200, r.text
    assert r.json()["result"] == u


def test_update_client_keeps_members_this_api_does_not_show(server):
    a = new_app(server)
    dialect(server, "/clients")
    cid = a["client_id"]
    r = requests.patch(server.adm + "/clients/" + cid, json=[
        {"op": "replace", "path": "/metadata", "value": {"k": "v"}},
        {"op": "replace", "path": "/scope", "value": "openid email"}])
    assert r.status_code == 200, r.text
    r = requests.put(url(server, f"/{a['app_id']}/clients/{cid}"),
                     json={"name": "Still", "resources": ["urn:q"]})
    assert r.status_code == 200, r.text
    h = hydra(server, cid).json()
    assert h["metadata"] == {"k": "v"} and h["scope"] == "openid email"
    assert h["client_name"] == "Still" and h["audience"] == ["urn:q"]


def test_type_changes_return_a_new_secret_once(server):
    a = new_app(server, first_client={"client_type": "spa",
                                      "redirect_uris": [REDIRECT]})
    assert "client_secret" not in a
    p = url(server, f"/{a['app_id']}/clients/{a['client_id']}")
    # A public client made confidential gets a secret, returned once.
    r = requests.put(p, json={"client_type": "web"})
    assert r.status_code == 200, r.text
    u = r.json()["result"]
    assert u["client_type"] == "web" and len(u["client_secret"]) >= 43
    assert u["token_endpoint_auth_method"] == "client_secret_basic"
    assert "client_secret" not in requests.get(p).json()["result"]
    r = requests.put(p, json={"name": "again"})
    assert "client_secret" not in r.json()["result"]
    # And back: PKCE instead of the secret.
    r = requests.put(p, json={
        "pkce": "enforcePkceInsteadOfClientCredentials"})
    u = r.json()["result"]
    assert u["client_type"] == "spa" and "client_secret" not in u
    assert u["token_endpoint_auth_method"] == "none"
    # Machine: client credentials.
    r = requests.put(p, json={"client_type": "machine"})
    u = r.json()["result"]
    assert u["client_type"] == "machine" and u["client_secret"]
    assert u["response_types"] == []


# --- delete --------------------------------------------------------------

def test_delete_client_and_refuse_default(server):
    a = new_app(server)
    c = new_client(server, a["app_id"])
    p = url(server, f"/{a['app_id']}/clients/{c['client_id']}")
    r = requests.delete(p)
    assert r.status_code == 204 and r.content == b""
    err(requests.get(p), 404)
    err(requests.delete(p), 404)
    if dialect(server, "/clients").status_code == 200:
        assert hydra(server, c["client_id"]).status_code == 404
    d = url(server, f"/{a['app_id']}/clients/{a['client_id']}")
    err(requests.delete(d), 400, "default")
    assert requests.get(d).status_code == 200


def test_delete_all_clients_keeps_the_default(server):
    a = new_app(server)
    c1 = new_client(server, a["app_id"])
    c2 = new_client(server, a["app_id"], name="Other")
    r = requests.delete(url(server, f"/{a['app_id']}/clients"))
    assert r.status_code == 204
    lst = requests.get(url(server, f"/{a['app_id']}/clients")).json()["result"]
    assert [x["client_id"] for x in lst] == [a["client_id"]]
    for c in (c1, c2):
        err(requests.get(url(server, f"/{a['app_id']}/clients/"
                                     f"{c['client_id']}")), 404)


def test_delete_app_deletes_its_clients(server):
    a = new_app(server)
    b = new_app(server)
    c = new_client(server, a["app_id"])
    r = requests.delete(url(server, "/" + a["app_id"]))
    assert r.status_code == 204 and r.content == b""
    err(requests.get(url(server, "/" + a["app_id"])), 404)
    err(requests.delete(url(server, "/" + a["app_id"])), 404)
    assert a["app_id"] not in app_ids(server)
    assert b["app_id"] in app_ids(server)
    dialect(server, "/clients")
    for cid in (a["client_id"], c["client_id"]):
        assert hydra(server, cid).status_code == 404
    assert hydra(server, b["client_id"]).status_code == 200


def test_delete_app_clients_gone_in_authentiq_dialect(server):
    a = new_app(server)
    assert authentiq(server, a["client_id"]).status_code == 200
    assert requests.delete(url(server, "/" + a["app_id"])).status_code == 204
    assert authentiq(server, a["client_id"]).status_code == 404


# --- cross-dialect visibility --------------------------------------------------

def test_app_client_visible_in_other_dialects(server):
    a = new_app(server, redirect_uris=[REDIRECT])
    c = new_client(server, a["app_id"], name="Shown")
    h = hydra(server, c["client_id"])
    assert h.status_code == 200
    assert h.json()["client_name"] == "Shown"
    assert h.json()["redirect_uris"] == [REDIRECT]
    assert "client_secret" not in h.json()
    q = authentiq(server, a["client_id"])
    assert q.status_code == 200, q.text
    assert q.json()["client_id"] == a["client_id"]
    assert q.json()["client_name"] == "My App"
    assert "client_secret" not in q.json()


def test_default_client_deleted_elsewhere(server):
    """An app whose default client another dialect deleted still reads."""
    a = new_app(server)
    dialect(server, "/clients")
    assert requests.delete(server.adm + "/clients/" + a["client_id"]) \
        .status_code == 204
    g = requests.get(url(server, "/" + a["app_id"]))
    assert g.status_code == 200
    assert g.json()["result"]["client_id"] is None
    err(requests.put(url(server, f"/{a['app_id']}/resources"),
                     json={"resource_ids": []}), 404)
    assert requests.delete(url(server, "/" + a["app_id"])).status_code == 204


# --- routing -------------------------------------------------------------

def test_not_on_the_public_listener(server):
    for path in ("", "/x", "/x/clients", "/x/clients/y"):
        assert requests.get(server.pub + APPS + path).status_code == 404
    assert requests.post(server.pub + APPS,
                         json={"app_name": "x"}).status_code == 404
    assert requests.get(server.pub + "/admin" + APPS).status_code == 404


def test_methods_not_allowed(server):
    r = requests.patch(url(server), json={})
    assert r.status_code == 405
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= \
        {"GET", "POST"}
    assert requests.get(url(server, "/x/resources")).status_code == 405
    assert requests.post(url(server, "/x/clients/y")).status_code == 405


def test_spa_must_stay_public(server):
    a = new_app(server, first_client={"client_type": "spa",
                                      "redirect_uris": [REDIRECT]})
    p = url(server, f"/{a['app_id']}/clients/{a['client_id']}")
    err(requests.put(p, json={"client_type": "spa",
                              "token_endpoint_auth_method":
                              "client_secret_post"}), 400, "spa")
    err(requests.put(p, json={"client_type": "spa",
                              "pkce": "enforcePkceWithClientCredentials"}),
        400, "spa")
    err(requests.put(p, json={"pkce": "none",
                              "token_endpoint_auth_method": "none"}),
        400, "pkce")
    # PKCE with a secret, not naming a type: a web client with a new
    # secret, shown once.
    r = requests.put(p, json={"pkce": "enforcePkceWithClientCredentials"})
    assert r.status_code == 200, r.text
    u = r.json()["result"]
    assert u["client_type"] == "web" and u["client_secret"]
    assert u["pkce"] == "enforcePkceWithClientCredentials"


# --- the store, concurrency, the admin key ---------------------------------

def test_store_layout_and_no_secret_on_disk(tmp_path):
    s = Server(tmp_path).start()
    try:
        a = new_app(s, app_name="Disk", logo="L")
    finally:
        s.stop()
    apps = store_bytes(s, "apps")
    assert a["app_id"].encode() in apps
    assert b'"_v":1' in apps and b'"app_name":"Disk"' in apps
    assert ('"default_client_id":"%s"' % a["client_id"]).encode() in apps
    idx = [k for _, k, _ in store_records(s, "clients_by_app")]
    assert a["app_id"].encode() + b"\0" + a["client_id"].encode() in idx
    assert a["client_secret"].encode() not in store_bytes(s)


def test_concurrent_creates_and_deletes(tmp_path):
    s = Server(tmp_path, procs=4).start()
    try:
        made, errors = [], []

        def create(i):
            try:
                made.append(new_app(s, app_name=f"c{i}"))
            except AssertionError as e:     # reported below
                errors.append(e)
        threads = [threading.Thread(target=create, args=(i,))
                   for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors and len(made) == 24
        assert app_ids(s) == {a["app_id"] for a in made}
        for a in made[:12]:
            new_client(s, a["app_id"])

        def delete(a):
            r = requests.delete(url(s, "/" + a["app_id"]))
            if r.status_code != 204:
                errors.append(r.text)
        threads = [threading.Thread(target=delete, args=(a,))
                   for a in made[::2]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert app_ids(s) == {a["app_id"] for a in made[1::2]}
        for a in made[1::2]:
            lst = requests.get(
                url(s, f"/{a['app_id']}/clients")).json()["result"]
            assert a["client_id"] in {c["client_id"] for c in lst}
    finally:
        s.stop()


def test_admin_key_required(tmp_path):
    key = "k" * 40
    s = Server(tmp_path, env={"SECRETS_ADMIN": key}).start()
    try:
        assert requests.get(url(s)).status_code == 401
        assert requests.post(url(s), json={"app_name": "x"}) \
            .status_code == 401
        r = requests.post(url(s), json={"app_name": "x"},
                          headers={"Authorization": "Bearer " + key})
        assert r.status_code == 201
    finally:
        s.stop()


def test_router_errors_in_the_api_shape(server):
    """404 and 405 under /v1/applications come from the router, in the
    API's {"message", "error_code"} shape."""
    app = new_app(server)["app_id"]
    base = url(server)
    for path in ("/x/clients/y/z", "/x/y", "/%s/clients/y/resources/z" % app):
        err(requests.get(base + path), 404)
    r = requests.patch(base)
    err(r, 405, "PATCH")
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST"}
    err(requests.post(base + "/%s/resources" % app), 405)
