"""The applications dialect's device_authorization.enabled switches the
device authorization grant (RFC 8628) of a client: on, the client may
ask at /oauth2/device/auth and Hydra's view lists the grant; off
again, it is refused with unauthorized_client."""

import requests

APPS = "/v1/applications"
DEVICE = "urn:ietf:params:oauth:grant-type:device_code"


def device_auth(server, cid, secret):
    return requests.post(server.pub + "/oauth2/device/auth",
                         data={"scope": "openid"}, auth=(cid, secret))


def test_enabled_switches_the_grant(server):
    r = requests.post(server.adm + APPS, json={
        "app_name": "TV", "first_client": {
            "name": "TV app", "device_authorization": {"enabled": True}}})
    assert r.status_code == 201, r.text
    a = r.json()["result"]
    assert a["device_authorization"] == {"enabled": True}
    cid, secret = a["client_id"], a["client_secret"]
    h = requests.get(server.adm + "/clients/" + cid).json()
    assert DEVICE in h["grant_types"]
    r = device_auth(server, cid, secret)
    assert r.status_code == 200, r.text
    assert len(r.json()["user_code"]) == 8

    # Switched off: refused, and gone from the grant types.
    p = server.adm + APPS + f"/{a['app_id']}/clients/{cid}"
    r = requests.put(p, json={"device_authorization": {"enabled": False}})
    assert r.status_code == 200, r.text
    assert r.json()["result"]["device_authorization"] == {"enabled": False}
    h = requests.get(server.adm + "/clients/" + cid).json()
    assert DEVICE not in h["grant_types"]
    r = device_auth(server, cid, secret)
    assert r.status_code == 400
    assert r.json()["error"] == "unauthorized_client"

    # On again, on an update that names nothing else.
    r = requests.put(p, json={"device_authorization": {"enabled": True}})
    assert r.status_code == 200, r.text
    assert device_auth(server, cid, secret).status_code == 200
    # Another update keeps it.
    r = requests.put(p, json={"name": "Renamed TV"})
    assert r.status_code == 200, r.text
    assert r.json()["result"]["device_authorization"] == {"enabled": True}
    assert device_auth(server, cid, secret).status_code == 200


def test_enabled_must_be_boolean(server):
    r = requests.post(server.adm + APPS, json={
        "app_name": "TV", "device_authorization": {"enabled": "yes"}})
    assert r.status_code == 400
    assert "enabled" in r.json()["message"]
