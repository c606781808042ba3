"""Helpers for testing the bundled login, consent and logout pages
(cgi-bin/ui) the way a browser without script uses them: a
requests.Session that follows no redirect by itself, and a small HTML
form reader."""

import html.parser
import json
import os
import subprocess
import urllib.parse

import requests
from jwcrypto import jwk, jwt

from conftest import CLI


def cli(server, *args, stdin=None):
    return subprocess.run([CLI, *args], env=server.env, input=stdin,
                          capture_output=True, text=True, timeout=60)


def add_user(server, name=None, password=None, claims=None):
    """A new user through the CLI; returns (username, password, view)."""
    name = name or "u" + os.urandom(5).hex()
    password = password or "pw-" + os.urandom(8).hex()
    args = ["users", "add", name]
    for k, v in (claims or {}).items():
        args += ["--claim", f"{k}={v}"]
    out = cli(server, *args, stdin=password + "\n")
    assert out.returncode == 0, out.stderr
    return name, password, json.loads(out.stdout)


class Forms(html.parser.HTMLParser):
    """Every form of a page: action, method and its inputs and buttons
    (name, value, type, checked, disabled), plus every label's for and
    the text of the page."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.labels = []
        self.ids = []
        self.text = []
        self.imgs = []
        self.links = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "form":
            self.forms.append({"action": a.get("action"),
                               "method": a.get("method"), "inputs": []})
        elif tag in ("input", "button") and self.forms:
            self.forms[-1]["inputs"].append({
                "tag": tag, "name": a.get("name"),
                "value": a.get("value", ""),
                "type": a.get("type", "text" if tag == "input" else
                              "submit"),
                "checked": "checked" in a, "disabled": "disabled" in a,
                "id": a.get("id")})
        elif tag == "label":
            self.labels.append(a.get("for"))
        elif tag == "img":
            self.imgs.append(a.get("src"))
        elif tag == "a":
            self.links.append(a.get("href"))

    def handle_data(self, data):
        self.text.append(data)

    def page_text(self):
        return " ".join(" ".join(self.text).split())

    def form(self):
        assert len(self.forms) == 1, self.forms
        return self.forms[0]

    def fields(self, button=None, **override):
        """The data a browser would post: hidden and text fields,
        checked boxes, the button pressed (by value), then overrides
        (None removes a field; a list repeats it)."""
        data = []
        for i in self.form()["inputs"]:
            if i["name"] is None or i["disabled"]:
                continue
            if i["type"] in ("submit", "button"):
                if button is not None and i["value"] == button:
                    data.append((i["name"], i["value"]))
                continue
            if i["type"] == "checkbox" and not i["checked"]:
                continue
            data.append((i["name"], i["value"]))
        for k, v in override.items():
            data = [(n, x) for n, x in data if n != k]
            if v is None:
                continue
            for x in (v if isinstance(v, list) else [v]):
                data.append((k, x))
        return data


class Browser:
    """A cookie jar that follows redirects one by one."""

    def __init__(self, server):
        self.server = server
        self.s = requests.Session()

    def get(self, url, **kw):
        return self.s.get(url, allow_redirects=False, **kw)

    def post(self, url, data, **kw):
        return self.s.post(url, data=data, allow_redirects=False, **kw)

    def follow(self, r, stop):
        """Follow redirects from response r until one leads to a URL
        starting with stop (returned, not fetched) or a page comes
        back (returned as the response)."""
        for _ in range(10):
            if r.status_code not in (302, 303):
                return r
            loc = urllib.parse.urljoin(r.url, r.headers["Location"])
            if loc.startswith(stop):
                return loc
            r = self.get(loc)
        raise AssertionError("too many redirects")

    def page(self, url):
        """GET url and follow redirects to a page (a response)."""
        r = self.follow(self.get(url), "\0")
        assert not isinstance(r, str)
        return r

    def submit(self, r, button=None, **override):
        """Submit the one form of page r; returns the response."""
        f = Forms(r.text)
        action = urllib.parse.urljoin(r.url, f.form()["action"])
        return self.post(action, f.fields(button, **override))


def authorize_url(server, client, scope="openid", **params):
    p = {"client_id": client["client_id"], "response_type": "code",
         "redirect_uri": client["redirect_uris"][0], "scope": scope,
         "state": "state-" + os.urandom(6).hex()}
    p.update(params)
    return server.pub + "/oauth2/auth?" + urllib.parse.urlencode(p)


def id_claims(server, client, token):
    """The claims of an ID token for client, its signature checked with
    the published keys and its iss and aud with the server's."""
    keys = jwk.JWKSet.from_json(
        requests.get(server.pub + "/.well-known/jwks.json").text)
    t = jwt.JWT(jwt=token, key=keys, check_claims={
        "iss": server.pub + "/", "aud": client["client_id"]})
    return json.loads(t.claims)
