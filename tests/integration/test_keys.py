"""JSON Web Key sets: Hydra's /keys API on the admin listener (1.x paths
at the root, 2.x under /admin), key generation for every algorithm,
validation of imported JWKs, interoperability with python3-jwcrypto both
ways (its keys imported, ours exported, and what oidcgi signs, through
JWT access tokens of the client_credentials grant), the public JWK Set,
private members sealed at rest under secrets.system (and readable across
a rotation of it), and the `oidcgi keys` commands."""

import base64
import json
import os
import re
import subprocess

import pytest
import requests
from jwcrypto import jwk, jws, jwt

from conftest import CLI, CRASH_MARKS, Server, store_bytes

PREFIXES = ["", "/admin"]
ID_TOKEN = "hydra.openid.id-token"
ACCESS_TOKEN = "hydra.jwt.access-token"
PRIVATE = ("d", "p", "q", "dp", "dq", "qi", "k", "oth")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}"
                  r"-[0-9a-f]{12}$")
ERROR_MEMBERS = {"error", "error_description", "error_hint", "error_debug",
                 "status_code", "error_code"}

# alg -> (kty, crv, bytes of x/y or of k, RSA modulus bits)
ALGS = {
    "RS256": ("RSA", None, None, 2048),
    "RS384": ("RSA", None, None, 2048),
    "RS512": ("RSA", None, None, 2048),
    "PS256": ("RSA", None, None, 2048),
    "PS384": ("RSA", None, None, 2048),
    "PS512": ("RSA", None, None, 2048),
    "ES256": ("EC", "P-256", 32, None),
    "ES384": ("EC", "P-384", 48, None),
    "ES512": ("EC", "P-521", 66, None),
    "EdDSA": ("OKP", "Ed25519", 32, None),
    "HS256": ("oct", None, 32, None),
    "HS384": ("oct", None, 48, None),
    "HS512": ("oct", None, 64, None),
}


# --- helpers ------------------------------------------------------------

def uniq(prefix="set"):
    return f"{prefix}-{os.urandom(4).hex()}"


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64e(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def err(r, status, code="invalid_request", names=None, admin=True):
    """Check Hydra's genericError shape; names: text the description must
    contain (the member or field at fault).  The admin API's carries
    error_code, the status, as 1.x documents it."""
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) <= ERROR_MEMBERS, body
    assert body["error"] == code and body["status_code"] == status, body
    if admin:
        assert body["error_code"] == status, body
    else:
        assert "error_code" not in body, body
    assert body["error_description"], body
    if names is not None:
        assert names in body["error_description"], body
    return body


def gen(kind, **kw):
    """A private JWK made by jwcrypto, as a dict. kind: RSA, RSA-3072,
    P-256, P-384, P-521, Ed25519, oct."""
    if kind.startswith("RSA"):
        size = int(kind.split("-")[1]) if "-" in kind else 2048
        k = jwk.JWK.generate(kty="RSA", size=size, **kw)
    elif kind.startswith("P-"):
        k = jwk.JWK.generate(kty="EC", crv=kind, **kw)
    elif kind in ("Ed25519", "Ed448"):
        k = jwk.JWK.generate(kty="OKP", crv=kind, **kw)
    else:
        k = jwk.JWK.generate(kty="oct", size=256, **kw)
        return json.loads(k.export_symmetric())
    return json.loads(k.export_private())


def public_of(d):
    return {k: v for k, v in d.items() if k not in PRIVATE}


def sign(priv, alg, claims=None):
    t = jwt.JWT(header={"alg": alg, "kid": priv.get("kid")},
                claims=claims or {"sub": "alice", "n": os.urandom(4).hex()})
    t.make_signed_token(jwk.JWK(**priv))
    return t.serialize()


def verify(token, pub):
    t = jwt.JWT(jwt=token, key=jwk.JWK(**pub))
    return json.loads(t.claims)


def the_key(body):
    """The one key of a {"keys": [...]} answer."""
    assert list(body) == ["keys"] and len(body["keys"]) == 1, body
    return body["keys"][0]


def get_set(srv, s, prefix=""):
    r = requests.get(f"{srv.adm}{prefix}/keys/{s}")
    assert r.status_code == 200, r.text
    return r.json()["keys"]


def post(srv, s, prefix="", status=201, **body):
    r = requests.post(f"{srv.adm}{prefix}/keys/{s}", json=body)
    assert r.status_code == status, r.text
    return r.json()


def public_jwks(srv):
    r = requests.get(srv.pub + "/.well-known/jwks.json")
    assert r.status_code == 200, r.text
    return r.json()["keys"]


def stopped_clean(srv):
    """Stop a server of a test's own; none of its processes crashed."""
    assert srv.stop() == []
    log = srv.read_log()
    for mark in CRASH_MARKS:
        assert mark not in log, log


def cli(srv, *args, timeout=60):
    return subprocess.run([CLI, *args], env=srv.env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """A server of this module's own, two FastCGI processes per binary,
    for tests that change the ID-token and access-token sets."""
    s = Server(tmp_path_factory.mktemp("keys-own"), procs=2).start()
    yield s
    stopped_clean(s)


@pytest.fixture
def watch(own):
    """Fail a test during which a process of `own` crashed."""
    own.new_log()
    yield own
    log = own.new_log()
    for mark in CRASH_MARKS:
        assert mark not in log, log


# --- every path and method ----------------------------------------------

@pytest.mark.parametrize("prefix", PREFIXES)
def test_lifecycle(server, prefix):
    s = uniq()
    base = f"{server.adm}{prefix}/keys/{s}"
    # POST generates; the answer is the set of the new key, private.
    r = requests.post(base, json={"alg": "ES256", "kid": "a", "use": "sig"})
    assert r.status_code == 201, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    a = the_key(r.json())
    assert a["kid"] == "a" and a["alg"] == "ES256" and a["use"] == "sig"
    assert a["kty"] == "EC" and a["crv"] == "P-256" and "d" in a
    # A second key, kid chosen by the server.
    b = the_key(post(server, s, prefix, alg="EdDSA", use="sig"))
    assert UUID.match(b["kid"]), b["kid"]
    # GET the set: oldest first, private members on the admin port.
    r = requests.get(base)
    assert r.status_code == 200
    assert r.json() == {"keys": [a, b]}
    # GET one key: a set holding it.
    r = requests.get(f"{base}/{b['kid']}")
    assert r.status_code == 200 and r.json() == {"keys": [b]}
    # PUT one key replaces it.
    new_a = gen("P-384", kid="a", alg="ES384", use="sig")
    r = requests.put(f"{base}/a", json=new_a)
    assert r.status_code == 200, r.text
    got = the_key(requests.get(f"{base}/a").json())
    assert got == new_a
    assert sorted(k["kid"] for k in get_set(server, s)) == \
        sorted(["a", b["kid"]])
    # PUT the set replaces all of it.
    c1 = gen("RSA", kid="c1", alg="RS256", use="sig")
    c2 = gen("Ed25519", kid="c2", alg="EdDSA", use="sig")
    r = requests.put(base, json={"keys": [c1, c2]})
    assert r.status_code == 200, r.text
    assert r.json() == {"keys": [c1, c2]}
    assert requests.get(base).json() == {"keys": [c1, c2]}
    err(requests.get(f"{base}/a"), 404, "not_found")
    # DELETE one key, then the set.
    r = requests.delete(f"{base}/c1")
    assert r.status_code == 204 and r.content == b""
    err(requests.get(f"{base}/c1"), 404, "not_found", "c1")
    assert requests.get(base).json() == {"keys": [c2]}
    r = requests.delete(base)
    assert r.status_code == 204 and r.content == b""
    err(requests.get(base), 404, "not_found", s)
    err(requests.get(f"{base}/c2"), 404, "not_found")
    # Deleting is idempotent, as Hydra's (jwk/handler.go).
    for url in (base, f"{base}/c2"):
        r = requests.delete(url)
        assert r.status_code == 204 and r.content == b""


def test_same_sets_under_both_prefixes(server):
    s = uniq()
    k = the_key(post(server, s, "", alg="ES256", kid="x", use="sig"))
    assert get_set(server, s, "/admin") == [k]
    r = requests.delete(f"{server.adm}/admin/keys/{s}/x")
    assert r.status_code == 204
    err(requests.get(f"{server.adm}/keys/{s}/x"), 404, "not_found")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_put_kid_answers_with_the_jwk(server, prefix):
    """Hydra answers PUT /keys/{set}/{kid} with the JWK itself (the SDKs'
    setJsonWebKey returns a JsonWebKey), not with a set."""
    s = uniq()
    k = gen("P-256", kid="k1", alg="ES256", use="sig")
    r = requests.put(f"{server.adm}{prefix}/keys/{s}/k1", json=k)
    assert r.status_code == 200, r.text
    assert r.json() == k


def test_put_kid_creates_the_set_and_keeps_the_others(server):
    s = uniq()
    base = f"{server.adm}/keys/{s}"
    k1 = gen("P-256", kid="k1", alg="ES256", use="sig")
    k2 = gen("Ed25519", kid="k2", alg="EdDSA", use="sig")
    assert requests.put(f"{base}/k1", json=k1).status_code == 200
    assert requests.put(f"{base}/k2", json=k2).status_code == 200
    # Again with other material: overwritten, not a conflict.
    k1b = gen("P-256", kid="k1", alg="ES256", use="sig")
    assert requests.put(f"{base}/k1", json=k1b).status_code == 200
    keys = {k["kid"]: k for k in get_set(server, s)}
    assert keys == {"k1": k1b, "k2": k2}
    # A body without kid takes the path's.
    k3 = gen("P-256", alg="ES256", use="sig")
    assert "kid" not in k3
    assert requests.put(f"{base}/k3", json=k3).status_code == 200
    assert the_key(requests.get(f"{base}/k3").json())["kid"] == "k3"


def test_put_public_only_keys(server):
    """Keys to verify with only: accepted, stored without private part."""
    s = uniq()
    keys = [public_of(gen("RSA", kid="r", alg="RS256", use="sig")),
            public_of(gen("P-521", kid="e", alg="ES512", use="sig")),
            public_of(gen("Ed25519", kid="o", alg="EdDSA", use="sig"))]
    r = requests.put(f"{server.adm}/keys/{s}", json={"keys": keys})
    assert r.status_code == 200, r.text
    assert get_set(server, s) == keys


def test_put_fills_in_kid_alg_use(server):
    """A JWK without kid gets its RFC 7638 thumbprint, without alg the
    usual one for its type, without use "sig"."""
    s = uniq()
    raw = {"RSA": gen("RSA"), "P-256": gen("P-256"), "P-384": gen("P-384"),
           "P-521": gen("P-521"), "Ed25519": gen("Ed25519")}
    want_alg = {"RSA": "RS256", "P-256": "ES256", "P-384": "ES384",
                "P-521": "ES512", "Ed25519": "EdDSA"}
    r = requests.put(f"{server.adm}/keys/{s}",
                     json={"keys": list(raw.values())})
    assert r.status_code == 200, r.text
    got = get_set(server, s)
    assert len(got) == len(raw)
    for (name, d), k in zip(raw.items(), got):
        assert k["kid"] == jwk.JWK(**d).thumbprint(), name
        assert k["alg"] == want_alg[name] and k["use"] == "sig", k
        for m, v in d.items():
            assert k[m] == v, (name, m)


def test_put_empty_set(server):
    """An empty JWK Set either empties the set (200 {"keys": []}, as
    Hydra answers) or is refused (400) leaving the set as it was; never
    a 404 after having deleted the keys."""
    s = uniq()
    k = the_key(post(server, s, alg="ES256", kid="keep", use="sig"))
    r = requests.put(f"{server.adm}/keys/{s}", json={"keys": []})
    if r.status_code == 400:
        err(r, 400)
        assert get_set(server, s) == [k]
    else:
        assert r.status_code == 200, r.text
        assert r.json() == {"keys": []}


def test_put_empty_kid(server):
    """A JWK with an empty kid cannot be addressed by /keys/{set}/{kid}:
    refuse it, or give it a kid as when it has none."""
    s = uniq()
    k = gen("P-256", alg="ES256", use="sig")
    k["kid"] = ""
    r = requests.put(f"{server.adm}/keys/{s}", json={"keys": [k]})
    if r.status_code == 200:
        kid = the_key(r.json())["kid"]
        assert kid != ""
        assert requests.get(f"{server.adm}/keys/{s}/{kid}").status_code == 200
    else:
        err(r, 400, names="kid")


@pytest.mark.parametrize("name", ["a b", "a/b", "ключи", "x" * 255])
def test_set_names(server, name):
    q = requests.utils.quote(name, safe="")
    k = the_key(post(server, q, alg="ES256", kid="ü k/1", use="sig"))
    assert k["kid"] == "ü k/1"
    kq = requests.utils.quote("ü k/1", safe="")
    r = requests.get(f"{server.adm}/keys/{q}/{kq}")
    assert r.status_code == 200 and r.json() == {"keys": [k]}
    assert requests.delete(f"{server.adm}/keys/{q}").status_code == 204


def test_set_name_and_kid_limits(server):
    err(requests.post(f"{server.adm}/keys/{'x' * 256}",
                      json={"alg": "ES256", "use": "sig"}), 400)
    err(requests.post(f"{server.adm}/keys/{uniq()}",
                      json={"alg": "ES256", "kid": "k" * 257, "use": "sig"}),
        400, names="kid")
    err(requests.get(f"{server.adm}/keys/a%00b"), 400)


@pytest.mark.parametrize("method,path,allowed", [
    ("PATCH", "/keys/s", "PUT"),
    ("POST", "/keys/s/k", "DELETE"),
    ("PATCH", "/admin/keys/s/k", "GET"),
])
def test_method_not_allowed(server, method, path, allowed):
    r = requests.request(method, server.adm + path, json={})
    body = err(r, 405, "method_not_allowed")
    assert allowed in body["error_description"] or \
        allowed in r.headers.get("Allow", "")


# --- errors -------------------------------------------------------------

@pytest.mark.parametrize("prefix", PREFIXES)
def test_unknown_set_and_kid_are_404(server, prefix):
    missing = uniq("missing")
    base = f"{server.adm}{prefix}/keys"
    err(requests.get(f"{base}/{missing}"), 404, "not_found", missing)
    err(requests.get(f"{base}/{missing}/k"), 404, "not_found")
    s = uniq()
    post(server, s, prefix, alg="ES256", kid="there", use="sig")
    err(requests.get(f"{base}/{s}/nope"), 404, "not_found", "nope")
    assert len(get_set(server, s)) == 1


@pytest.mark.parametrize("alg", ["RS1", "none", "rs256", "", "A128KW",
                                 "RSA-OAEP", "ES256K", "Ed25519", "HS1024"])
def test_generate_bad_alg(server, alg):
    s = uniq()
    err(requests.post(f"{server.adm}/keys/{s}",
                      json={"alg": alg, "use": "sig"}), 400, names="alg")
    err(requests.get(f"{server.adm}/keys/{s}"), 404, "not_found")


def test_generate_alg_missing_or_not_a_string(server):
    s = uniq()
    err(requests.post(f"{server.adm}/keys/{s}", json={"use": "sig"}), 400,
        names="alg")
    err(requests.post(f"{server.adm}/keys/{s}", json={"alg": 256}), 400,
        names="alg")
    err(requests.post(f"{server.adm}/keys/{s}", json={"alg": None}), 400,
        names="alg")


@pytest.mark.parametrize("use", ["bogus", "SIG", 5, ["sig"]])
def test_generate_bad_use(server, use):
    s = uniq()
    err(requests.post(f"{server.adm}/keys/{s}",
                      json={"alg": "ES256", "use": use}), 400, names="use")
    err(requests.get(f"{server.adm}/keys/{s}"), 404, "not_found")


def test_generate_use_enc_and_default_use(server):
    s = uniq()
    assert the_key(post(server, s, alg="ES256", use="enc"))["use"] == "enc"
    assert the_key(post(server, s, alg="ES256"))["use"] == "sig"
    assert UUID.match(the_key(post(server, s, alg="ES256", kid="",
                                   use=""))["kid"])


@pytest.mark.parametrize("alg,bits", [
    ("RS256", 1024), ("RS256", 2047), ("RS256", 2049), ("RS256", 8192),
    ("RS256", -1), ("RS256", "2048"), ("ES256", 256), ("EdDSA", 2048),
    ("HS256", 256)])
def test_generate_bad_bits(server, alg, bits):
    s = uniq()
    err(requests.post(f"{server.adm}/keys/{s}",
                      json={"alg": alg, "bits": bits, "use": "sig"}), 400)
    err(requests.get(f"{server.adm}/keys/{s}"), 404, "not_found")


def test_generate_kid_taken_is_409(server):
    s = uniq()
    k = the_key(post(server, s, alg="ES256", kid="dup", use="sig"))
    err(requests.post(f"{server.adm}/keys/{s}",
                      json={"alg": "EdDSA", "kid": "dup", "use": "sig"}),
        409, "conflict", "dup")
    assert get_set(server, s) == [k]


@pytest.mark.parametrize("method,path", [
    ("POST", "/keys/S"), ("PUT", "/keys/S"), ("PUT", "/keys/S/k"),
    ("POST", "/admin/keys/S"), ("PUT", "/admin/keys/S/k")])
@pytest.mark.parametrize("body", [b"{bad", b"", b"[]", b'"keys"', b"5",
                                  b'{"alg":"ES256",}', b"\xff\xfe"])
def test_malformed_body(server, method, path, body):
    s = uniq()
    r = requests.request(method, server.adm + path.replace("S", s),
                         data=body,
                         headers={"Content-Type": "application/json"})
    err(r, 400)
    err(requests.get(f"{server.adm}/keys/{s}"), 404, "not_found")


# Corruptions of a valid jwcrypto JWK: (name, key kind, change, text the
# error must contain).

def _drop(*members):
    def f(d):
        for m in members:
            del d[m]
    return f


def _set(**members):
    def f(d):
        d.update(members)
    return f


def _short(member, n=1):
    def f(d):
        d[member] = b64e(b64d(d[member])[n:])
    return f


def _long(member):
    def f(d):
        d[member] = b64e(b"\x00" + b64d(d[member]))
    return f


def _off_curve(d):
    y = int.from_bytes(b64d(d["y"]), "big") ^ 1
    d["y"] = b64e(y.to_bytes(len(b64d(d["y"])), "big"))


def _other_d(kind):
    def f(d):
        o = gen(kind)
        for m in ("d", "p", "q", "dp", "dq", "qi"):
            if m in o:
                d[m] = o[m]
    return f


def _other_dp(d):
    d["dp"] = gen("RSA")["dp"]


def _leading_zero_n(d):
    d["n"] = b64e(b"\x00" + b64d(d["n"]))


def _padded(d):
    d["n"] = d["n"] + "=" * (-len(d["n"]) % 4 or 4)


def _not_b64(d):
    d["n"] = d["n"][:10] + "+/" + d["n"][12:]


def _rsa_1024(d):
    d.clear()
    d.update(json.loads(jwk.JWK.generate(kty="RSA", size=1024)
                        .export_private()))


def _oth(d):
    d["oth"] = [{"r": d["p"], "d": d["dp"], "t": d["qi"]}]


def _oct_short(d):
    d["k"] = b64e(os.urandom(16))
    d["alg"] = "HS256"


BAD_JWKS = [
    ("rsa-missing-n", "RSA", _drop("n"), "'n'"),
    ("rsa-missing-e", "RSA", _drop("e"), "'e'"),
    ("rsa-public-missing-n", "RSA-pub", _drop("n"), "'n'"),
    ("missing-kty", "P-256", _drop("kty"), "kty"),
    ("unknown-kty", "P-256", _set(kty="XYZ"), "kty"),
    ("kty-not-string", "P-256", _set(kty=1), "kty"),
    ("ec-short-x", "P-256", _short("x"), "'x'"),
    ("ec-short-x-public", "P-256-pub", _short("x"), "'x'"),
    ("ec-short-y", "P-384", _short("y"), "'y'"),
    ("ec-long-x", "P-521", _long("x"), "'x'"),
    ("ec-short-d", "P-256", _short("d"), "'d'"),
    ("ec-missing-y", "P-256", _drop("y"), "'y'"),
    ("ec-missing-crv", "P-256", _drop("crv"), "crv"),
    ("ec-unknown-crv", "P-256", _set(crv="P-192"), "crv"),
    ("ec-crv-mismatch", "P-256", _set(crv="P-384"), "P-384"),
    ("ec-off-curve", "P-256", _off_curve, "curve"),
    ("ec-off-curve-public", "P-256-pub", _off_curve, "curve"),
    ("ec-wrong-d", "P-256", _other_d("P-256"), "'d'"),
    ("okp-short-x", "Ed25519", _short("x"), "'x'"),
    ("okp-short-d", "Ed25519", _short("d"), "'d'"),
    ("okp-ed448", "Ed448", lambda d: None, "crv"),
    ("okp-x25519-crv", "Ed25519", _set(crv="X25519"), "crv"),
    ("okp-wrong-d", "Ed25519", _other_d("Ed25519"), "'d'"),
    ("rsa-1024", "RSA", _rsa_1024, "1024"),
    ("rsa-n-leading-zero", "RSA", _leading_zero_n, "'n'"),
    ("rsa-n-padded", "RSA", _padded, "'n'"),
    ("rsa-n-not-base64url", "RSA", _not_b64, "'n'"),
    ("rsa-n-not-string", "RSA", _set(n=12345), "'n'"),
    ("rsa-private-missing-p", "RSA", _drop("p"), "'p'"),
    ("rsa-private-missing-qi", "RSA", _drop("qi"), "'qi'"),
    ("rsa-private-wrong-d", "RSA", _other_d("RSA"), "private"),
    ("rsa-private-wrong-dp", "RSA", _other_dp, "private"),
    ("rsa-multi-prime", "RSA", _oth, "oth"),
    ("rsa-alg-es256", "RSA", _set(alg="ES256"), "alg"),
    ("rsa-alg-hs256", "RSA", _set(alg="HS256"), "alg"),
    ("ec-alg-rs256", "P-256", _set(alg="RS256"), "alg"),
    ("ec-p256-alg-es384", "P-256", _set(alg="ES384"), "alg"),
    ("okp-alg-es256", "Ed25519", _set(alg="ES256"), "alg"),
    ("oct-alg-rs256", "oct", _set(alg="RS256"), "alg"),
    ("unknown-alg", "P-256", _set(alg="XS256"), "alg"),
    ("alg-none", "RSA", _set(alg="none"), "alg"),
    ("alg-not-string", "P-256", _set(alg=256), "alg"),
    ("oct-without-k", "oct", _drop("k"), "'k'"),
    ("oct-too-short", "oct", _oct_short, "HS256"),
    ("kid-not-string", "P-256", _set(kid=7), "kid"),
    ("use-not-string", "P-256", _set(use=["sig"]), "use"),
]


def bad_jwk(kind, change):
    pub = kind.endswith("-pub")
    d = gen(kind[:-4] if pub else kind)
    if pub:
        d = public_of(d)
    change(d)
    return d


@pytest.mark.parametrize("name,kind,change,names", BAD_JWKS,
                         ids=[b[0] for b in BAD_JWKS])
def test_invalid_jwk_put_kid(server, name, kind, change, names):
    s = uniq()
    d = bad_jwk(kind, change)
    kid = d.get("kid") if isinstance(d.get("kid"), str) else "k"
    err(requests.put(f"{server.adm}/keys/{s}/{kid}", json=d), 400,
        names=names)
    err(requests.get(f"{server.adm}/keys/{s}"), 404, "not_found")


@pytest.mark.parametrize("name,kind,change,names", BAD_JWKS,
                         ids=[b[0] for b in BAD_JWKS])
def test_invalid_jwk_put_set(server, name, kind, change, names):
    """One bad key fails the whole PUT; the set stays as it was."""
    s = uniq()
    keep = the_key(post(server, s, alg="ES256", kid="keep", use="sig"))
    good = gen("P-256", kid="good", alg="ES256", use="sig")
    d = bad_jwk(kind, change)
    if isinstance(d.get("kid"), str) or "kid" not in d:
        d["kid"] = "bad"
    body = err(requests.put(f"{server.adm}/keys/{s}",
                            json={"keys": [good, d]}), 400, names=names)
    assert "keys[1]" in body["error_description"]       # which key
    assert get_set(server, s) == [keep]


def test_put_kid_mismatch(server):
    s = uniq()
    k = gen("P-256", kid="body-kid", alg="ES256", use="sig")
    err(requests.put(f"{server.adm}/keys/{s}/path-kid", json=k), 400,
        names="kid")
    err(requests.get(f"{server.adm}/keys/{s}"), 404, "not_found")
    err(requests.put(f"{server.adm}/admin/keys/{s}/path-kid", json=k), 400,
        names="kid")


def test_put_set_duplicate_kids(server):
    s = uniq()
    keep = the_key(post(server, s, alg="ES256", kid="keep", use="sig"))
    a = gen("P-256", kid="same", alg="ES256", use="sig")
    b = gen("Ed25519", kid="same", alg="EdDSA", use="sig")
    err(requests.put(f"{server.adm}/keys/{s}", json={"keys": [a, b]}), 400,
        names="same")
    # The same key twice without kid: the same thumbprint.
    c = gen("P-256")
    err(requests.put(f"{server.adm}/keys/{s}", json={"keys": [c, c]}), 400,
        names="kid")
    assert get_set(server, s) == [keep]


def test_put_set_too_many_keys(server):
    s = uniq()
    keys = [gen("P-256", kid=f"k{i}") for i in range(65)]
    err(requests.put(f"{server.adm}/keys/{s}", json={"keys": keys}), 400)
    err(requests.get(f"{server.adm}/keys/{s}"), 404, "not_found")
    r = requests.put(f"{server.adm}/keys/{s}", json={"keys": keys[:64]})
    assert r.status_code == 200, r.text
    assert len(get_set(server, s)) == 64


# --- generation -----------------------------------------------------------

def check_generated(k, alg, use="sig", bits=None):
    kty, crv, size, rsa_bits = ALGS[alg]
    assert k["kty"] == kty and k["alg"] == alg and k["use"] == use, k
    if crv:
        assert k["crv"] == crv
    if kty == "RSA":
        assert len(b64d(k["n"])) * 8 == (bits or rsa_bits)
        assert k["e"] == "AQAB"
        for m in ("d", "p", "q", "dp", "dq", "qi"):
            assert k[m], m
    elif kty == "EC":
        assert len(b64d(k["x"])) == size and len(b64d(k["y"])) == size
        assert len(b64d(k["d"])) == size
    elif kty == "OKP":
        assert len(b64d(k["x"])) == size and len(b64d(k["d"])) == size
    else:
        assert len(b64d(k["k"])) == size
    # jwcrypto takes it, signs with it, and its public half verifies.
    priv = jwk.JWK(**k)
    assert priv.has_private or kty == "oct"
    tok = sign(k, alg)
    pub = k if kty == "oct" else public_of(k)
    assert verify(tok, pub)["sub"] == "alice"


@pytest.mark.parametrize("alg", sorted(ALGS))
def test_generate_each_alg(server, alg):
    s = uniq()
    k = the_key(post(server, s, alg=alg, use="sig"))
    assert UUID.match(k["kid"]), k
    check_generated(k, alg)
    assert get_set(server, s) == [k]


def test_generate_rsa_3072(server):
    s = uniq()
    k = the_key(post(server, s, alg="PS256", use="sig", bits=3072))
    check_generated(k, "PS256", bits=3072)


def test_generate_rsa_4096(server):
    s = uniq()
    k = the_key(post(server, s, alg="RS512", kid="big", use="sig",
                     bits=4096))
    check_generated(k, "RS512", bits=4096)
    assert get_set(server, s) == [k]


# --- interoperability with jwcrypto ---------------------------------------

def test_id_token_key_signs_for_the_public_jwks(server):
    """(a) The admin API's private ID-token key signs; the key published at
    /.well-known/jwks.json verifies."""
    keys = get_set(server, ID_TOKEN)
    priv = keys[-1]
    assert "d" in priv
    tok = sign(priv, priv["alg"])
    pubs = {k["kid"]: k for k in public_jwks(server)}
    assert set(pubs[priv["kid"]]) == {"kty", "n", "e", "kid", "alg", "use"}
    assert verify(tok, pubs[priv["kid"]])["sub"] == "alice"
    # jwcrypto refuses the token with another published key.
    other = [k for kid, k in pubs.items() if kid != priv["kid"]][0]
    with pytest.raises(Exception):
        verify(tok, other)


ROUND_TRIP = [("RSA", "RS256"), ("RSA", "PS384"), ("P-256", "ES256"),
              ("P-384", "ES384"), ("P-521", "ES512"), ("Ed25519", "EdDSA")]


@pytest.mark.parametrize("kind,alg", ROUND_TRIP)
def test_import_jwcrypto_key_round_trip(server, kind, alg):
    """(b) A jwcrypto private JWK put in comes back member for member;
    jwcrypto signs with what came back and verifies with its public half;
    and the original key verifies too."""
    s = uniq()
    orig = jwk.JWK.generate(**({"kty": "RSA", "size": 2048}
                               if kind == "RSA" else
                               {"kty": "EC" if kind.startswith("P-")
                                else "OKP", "crv": kind}),
                            kid="imported", alg=alg, use="sig")
    d = json.loads(orig.export_private())
    r = requests.put(f"{server.adm}/keys/{s}/imported", json=d)
    assert r.status_code == 200, r.text
    back = the_key(requests.get(f"{server.adm}/keys/{s}/imported").json())
    assert back == d
    k = jwk.JWK(**back)
    assert k.has_private and k.thumbprint() == orig.thumbprint()
    tok = sign(back, alg)
    assert verify(tok, public_of(back))["sub"] == "alice"
    assert verify(tok, json.loads(orig.export_public()))["sub"] == "alice"
    assert verify(sign(d, alg), public_of(back))["sub"] == "alice"


@pytest.mark.parametrize("kind,alg", ROUND_TRIP)
def test_imported_key_published_and_verifies(watch, kind, alg):
    """(b) through the public port: a jwcrypto key put into the
    access-token set is published (public half only) and verifies what
    jwcrypto signs with the private JWK the admin API returns."""
    own = watch
    kid = uniq("imp")
    d = gen(kind, kid=kid, alg=alg, use="sig")
    r = requests.put(f"{own.adm}/admin/keys/{ACCESS_TOKEN}/{kid}", json=d)
    assert r.status_code == 200, r.text
    try:
        back = the_key(requests.get(
            f"{own.adm}/keys/{ACCESS_TOKEN}/{kid}").json())
        published = [k for k in public_jwks(own) if k["kid"] == kid]
        assert published == [public_of(d)]
        tok = sign(back, alg)
        assert verify(tok, published[0])["sub"] == "alice"
        jws.JWS().deserialize(tok, key=jwk.JWK(**published[0]))
    finally:
        assert requests.delete(
            f"{own.adm}/keys/{ACCESS_TOKEN}/{kid}").status_code == 204
    assert kid not in [k["kid"] for k in public_jwks(own)]


def jwt_client(srv):
    """A client that gets JWT access tokens by client_credentials."""
    r = requests.post(srv.adm + "/clients", json={
        "grant_types": ["client_credentials"],
        "access_token_strategy": "jwt",
        "token_endpoint_auth_method": "client_secret_basic"})
    assert r.status_code == 201, r.text
    return r.json()


def access_token(srv, c):
    """A JWT access token signed by oidcgi with the access-token set."""
    r = requests.post(srv.pub + "/oauth2/token",
                      data={"grant_type": "client_credentials"},
                      auth=(c["client_id"], c["client_secret"]))
    if r.status_code in (404, 405):
        pytest.skip("no token endpoint in this build: nothing signs yet")
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def header_of(token):
    return json.loads(b64d(token.split(".")[0]))


def test_oidcgi_signature_verifies_with_the_jwks(server):
    """(c) What oidcgi signs (a JWT access token, with the default
    access-token key) jwcrypto verifies with /.well-known/jwks.json."""
    c = jwt_client(server)
    tok = access_token(server, c)
    hdr = header_of(tok)
    signer = get_set(server, ACCESS_TOKEN)[-1]
    assert hdr["alg"] == "RS256" and hdr["kid"] == signer["kid"]
    ks = jwk.JWKSet.from_json(
        requests.get(server.pub + "/.well-known/jwks.json").text)
    claims = json.loads(jwt.JWT(jwt=tok, key=ks).claims)
    assert claims["client_id"] == c["client_id"]
    assert claims["iss"] == server.pub + "/"


@pytest.mark.parametrize("kind,alg", ROUND_TRIP)
def test_oidcgi_signs_with_imported_jwcrypto_key(watch, kind, alg):
    """(c) A jwcrypto key put into the access-token set becomes its newest
    key and signs the next token; jwcrypto verifies that signature with
    its own public key (ES* as R || S, EdDSA, PS* all as jwcrypto reads
    them).  Deleted again, the previous key signs."""
    own = watch
    c = jwt_client(own)
    before = header_of(access_token(own, c))["kid"]
    kid = uniq("signer")
    orig = gen(kind, kid=kid, alg=alg, use="sig")
    r = requests.put(f"{own.adm}/keys/{ACCESS_TOKEN}/{kid}", json=orig)
    assert r.status_code == 200, r.text
    try:
        tok = access_token(own, c)
        assert header_of(tok)["kid"] == kid
        assert header_of(tok)["alg"] == alg
        claims = verify(tok, public_of(orig))
        assert claims["client_id"] == c["client_id"]
        other = gen(kind, alg=alg)
        with pytest.raises(Exception):
            verify(tok, public_of(other))
    finally:
        assert requests.delete(
            f"{own.adm}/keys/{ACCESS_TOKEN}/{kid}").status_code == 204
    assert header_of(access_token(own, c))["kid"] == before


# --- the public listener --------------------------------------------------

@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_keys_not_on_public_port(server, prefix, method):
    for path in (f"/keys/{ID_TOKEN}", f"/keys/{ID_TOKEN}/x"):
        body = {"alg": "ES256"} if method in ("POST", "PUT") else None
        r = requests.request(method, server.pub + prefix + path, json=body)
        err(r, 404, "not_found", admin=False)
        for m in PRIVATE:
            assert f'"{m}"' not in r.text


def test_first_start_creates_default_sets(tmp_path):
    s = Server(tmp_path).start()
    try:
        pub = []
        for name in (ID_TOKEN, ACCESS_TOKEN):
            keys = get_set(s, name)
            assert len(keys) == 1, keys
            k = keys[0]
            assert k["kty"] == "RSA" and k["alg"] == "RS256"
            assert k["use"] == "sig" and UUID.match(k["kid"])
            assert len(b64d(k["n"])) == 256 and "d" in k
            pub.append(public_of(k))
        assert public_jwks(s) == pub
    finally:
        stopped_clean(s)


def test_no_private_member_on_public_port(watch):
    """Whatever the sets hold (symmetric keys, every key type), the public
    port shows public members only and never a symmetric key."""
    own = watch
    added = []
    for alg in ("HS256", "HS512", "ES384", "EdDSA", "PS256"):
        added.append(the_key(post(own, ACCESS_TOKEN, alg=alg, use="sig")))
    try:
        secrets = set()
        for name in (ID_TOKEN, ACCESS_TOKEN):
            for k in get_set(own, name):
                secrets |= {k[m] for m in PRIVATE if m in k}
        assert len(secrets) >= 10
        keys = public_jwks(own)
        kids = [k["kid"] for k in keys]
        for a in added:
            if a["kty"] == "oct":
                assert a["kid"] not in kids
            else:
                assert a["kid"] in kids
        for k in keys:
            assert k["kty"] != "oct"
            assert not set(k) & set(PRIVATE), k
            assert {"kid", "kty", "alg", "use"} <= set(k)
        for path in ("/.well-known/jwks.json",
                     "/.well-known/openid-configuration",
                     "/.well-known/oauth-authorization-server"):
            r = requests.get(own.pub + path)
            assert r.status_code == 200, (path, r.text)
            for v in secrets:
                assert v not in r.text, path
    finally:
        for a in added:
            requests.delete(f"{own.adm}/keys/{ACCESS_TOKEN}/{a['kid']}")


# --- at rest ------------------------------------------------------------

def test_store_holds_no_private_member_in_the_clear(tmp_path):
    s = Server(tmp_path).start()
    try:
        made = []
        for alg in ("RS256", "PS512", "ES256", "ES512", "EdDSA", "HS256",
                    "HS512"):
            made.append(the_key(post(s, "at-rest", alg=alg, use="sig")))
        for kind in ("RSA", "P-384", "Ed25519", "oct"):
            d = gen(kind, kid=uniq("imp"))
            assert requests.put(f"{s.adm}/keys/put-set/{d['kid']}",
                                json=d).status_code == 200
            made.append(d)
        made += get_set(s, ID_TOKEN) + get_set(s, ACCESS_TOKEN)
        secrets = [k[m] for k in made for m in PRIVATE if m in k]
        assert len(secrets) > 30
        # Every record, and on LMDB the data file itself (free pages
        # too).
        records = store_bytes(s)
        raw = b""
        if s.dsn is None:
            with open(os.path.join(s.data, "data.mdb"), "rb") as f:
                raw = f.read()
        # The search works: public members are there in the clear.
        assert made[0]["n"].encode() in records
        for v in secrets:
            assert v.encode() not in records
            assert v.encode() not in raw
            b = b64d(v)
            if len(b) >= 16:
                assert b not in records
                assert b not in raw
    finally:
        stopped_clean(s)


def test_secrets_system_rotation(tmp_path):
    old, new = "old-secret-0123456789", "new-secret-0123456789"
    s = Server(tmp_path, env={"SECRETS_SYSTEM": old}).start()
    try:
        made = the_key(post(s, "rot", alg="ES256", kid="under-old",
                            use="sig"))
        d = gen("RSA", kid="imported-old", alg="RS256", use="sig")
        assert requests.put(f"{s.adm}/keys/rot/imported-old",
                            json=d).status_code == 200
        before = {n: get_set(s, n) for n in ("rot", ID_TOKEN, ACCESS_TOKEN)}
        jwks_before = public_jwks(s)
    finally:
        stopped_clean(s)

    # New secret first, old kept second: everything still opens.
    s = Server(tmp_path, env={"SECRETS_SYSTEM": f"{new},{old}"}).start()
    try:
        for n, keys in before.items():
            assert get_set(s, n) == keys, n
        assert public_jwks(s) == jwks_before
        r = requests.get(s.pub + "/.well-known/openid-configuration")
        assert r.status_code == 200, r.text
        # A key made now is sealed under the new secret.
        fresh = the_key(post(s, "rot", alg="EdDSA", kid="under-new",
                             use="sig"))
        assert get_set(s, "rot") == [made, d, fresh]
    finally:
        stopped_clean(s)
    out = cli(s, "keys", "get", "rot")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["keys"] == [made, d, fresh]

    # Only the new secret: the old keys no longer open; no crash, a log.
    s = Server(tmp_path, env={"SECRETS_SYSTEM": new}).start()
    try:
        s.new_log()
        assert get_set(s, "rot") == [fresh]
        err(requests.get(f"{s.adm}/keys/rot/under-old"), 404, "not_found")
        r = requests.get(f"{s.adm}/keys/{ID_TOKEN}")
        if r.status_code == 200:
            assert r.json() == {"keys": []}
        else:
            err(r, 404, "not_found")
        for path in ("/.well-known/jwks.json",
                     "/.well-known/openid-configuration"):
            r = requests.get(s.pub + path)
            assert r.status_code in (200, 500), r.text
            assert r.headers["Content-Type"].startswith("application/json")
            for k in before[ID_TOKEN] + before[ACCESS_TOKEN]:
                assert k["d"] not in r.text
        log = s.new_log()
        assert "cannot be opened" in log, log
        for mark in CRASH_MARKS:
            assert mark not in log, log
        assert requests.get(s.adm + "/health/alive").status_code == 200
    finally:
        stopped_clean(s)
    out = cli(s, "keys", "get", "rot", "under-old")
    assert out.returncode == 1 and "does not exist" in out.stderr
    assert old not in out.stderr and new not in out.stderr

    # And back with the old one again: they open once more.
    s = Server(tmp_path, env={"SECRETS_SYSTEM": f"{new},{old}"}).start()
    try:
        assert get_set(s, "rot") == [made, d, fresh]
    finally:
        stopped_clean(s)


# --- rotation of the signing keys -----------------------------------------

def test_key_rotation_published(watch):
    own = watch
    old = get_set(own, ID_TOKEN)
    assert len(old) >= 1
    pub_before = {k["kid"] for k in public_jwks(own)}
    assert {k["kid"] for k in old} <= pub_before
    new = the_key(post(own, ID_TOKEN, prefix="/admin", alg="RS256",
                       use="sig"))
    keys = get_set(own, ID_TOKEN)
    assert keys == old + [new]                      # oldest first
    # Both processes of wellknown see it at once (the generation moved).
    for _ in range(4):
        kids = {k["kid"] for k in public_jwks(own)}
        assert kids == pub_before | {new["kid"]}
    for k in old:
        assert requests.delete(
            f"{own.adm}/keys/{ID_TOKEN}/{k['kid']}").status_code == 204
    for _ in range(4):
        kids = {k["kid"] for k in public_jwks(own)}
        assert kids == (pub_before - {k["kid"] for k in old}) | {new["kid"]}
        doc = requests.get(own.pub + "/.well-known/openid-configuration")
        assert doc.json()["id_token_signing_alg_values_supported"] == \
            ["RS256"]


def test_newest_private_key_signs(watch):
    """The newest key with a private part signs the set's tokens: its alg
    is the one discovery lists."""
    own = watch

    def algs():
        out = set()
        for path in ("/.well-known/openid-configuration",
                     "/.well-known/oauth-authorization-server"):
            for _ in range(2):          # both processes
                r = requests.get(own.pub + path)
                assert r.status_code == 200, r.text
                out.add(tuple(r.json()[
                    "id_token_signing_alg_values_supported"]))
        assert len(out) == 1, out
        return list(out.pop())

    start = algs()
    es = the_key(post(own, ID_TOKEN, alg="ES256", use="sig"))
    assert algs() == ["ES256"]
    ed = the_key(post(own, ID_TOKEN, alg="EdDSA", use="sig"))
    assert algs() == ["EdDSA"]
    # A newer key without private part verifies only: EdDSA still signs.
    pub_only = public_of(gen("RSA", kid=uniq("pub"), alg="RS384",
                             use="sig"))
    assert requests.put(f"{own.adm}/keys/{ID_TOKEN}/{pub_only['kid']}",
                        json=pub_only).status_code == 200
    assert algs() == ["EdDSA"]
    assert pub_only in public_jwks(own)
    for k in (ed, pub_only):
        assert requests.delete(
            f"{own.adm}/keys/{ID_TOKEN}/{k['kid']}").status_code == 204
    assert algs() == ["ES256"]
    assert requests.delete(
        f"{own.adm}/keys/{ID_TOKEN}/{es['kid']}").status_code == 204
    assert algs() == start


def test_deleted_id_token_set_is_made_again(tmp_path):
    """As Hydra does (GetOrGenerateKeys), a deleted ID-token set is
    generated again when it is next needed: discovery and the JWK Set
    keep working once the process has served them before."""
    s = Server(tmp_path).start()
    try:
        assert requests.get(
            s.pub + "/.well-known/openid-configuration").status_code == 200
        old = {k["kid"] for k in get_set(s, ID_TOKEN)}
        assert requests.delete(f"{s.adm}/keys/{ID_TOKEN}").status_code == 204
        r = requests.get(s.pub + "/.well-known/openid-configuration")
        assert r.status_code == 200, r.text
        assert r.json()["id_token_signing_alg_values_supported"] == ["RS256"]
        keys = get_set(s, ID_TOKEN)
        assert len(keys) == 1 and keys[0]["kid"] not in old
        assert keys[0]["kid"] in {k["kid"] for k in public_jwks(s)}
    finally:
        stopped_clean(s)


# --- webfinger.jwks.broadcast_keys ---------------------------------------

def published(srv, *sets):
    """The public keys /.well-known/jwks.json should show for these sets,
    in order: each set's keys oldest first, symmetric keys left out."""
    return [public_of(k) for name in sets for k in get_set(srv, name)
            if k["kty"] != "oct"]


def jwks_each_process(srv, procs=2):
    """/.well-known/jwks.json as every process of wellknown answers it
    (one answer per round, enough rounds to reach each); all must agree."""
    seen = [public_jwks(srv) for _ in range(2 * procs)]
    for keys in seen[1:]:
        assert keys == seen[0]
    return seen[0]


def test_broadcast_keys_published(tmp_path):
    """The named sets are published after the two token sets, in the
    order configured, each once: a set named twice, or a token set named
    again, adds nothing; a named set that does not exist yet is skipped
    until it does; a set not named is never published; public members
    only."""
    conf = ("webfinger.jwks.broadcast_keys = extra-set, "
            f"{ID_TOKEN} ,extra-set,\tlater-set, {ACCESS_TOKEN}\n")
    s = Server(tmp_path, conf=conf, procs=2).start()
    try:
        out = cli(s, "config", "get", "webfinger.jwks.broadcast_keys")
        assert out.returncode == 0, out.stderr
        assert out.stdout == (f"extra-set,{ID_TOKEN},extra-set,later-set,"
                              f"{ACCESS_TOKEN}\n")
        # Neither extra-set nor later-set exists yet: the token sets only.
        base = published(s, ID_TOKEN, ACCESS_TOKEN)
        assert len(base) == 2
        assert jwks_each_process(s) == base

        extra = the_key(post(s, "extra-set", alg="ES256", use="sig"))
        hidden = the_key(post(s, "not-named", alg="ES256", use="sig"))
        assert "d" in extra and "d" in hidden
        keys = jwks_each_process(s)
        assert keys == base + [public_of(extra)]
        assert extra["kid"] in [k["kid"] for k in keys]
        assert hidden["kid"] not in [k["kid"] for k in keys]
        mine = [k for k in keys if k["kid"] == extra["kid"]]
        assert len(mine) == 1
        assert "d" not in mine[0] and not set(mine[0]) & set(PRIVATE)
        assert mine[0]["x"] == extra["x"] and mine[0]["y"] == extra["y"]

        # A second key in extra-set, a key in later-set and one more in a
        # token set: every key once, sets in the configured order.
        extra2 = the_key(post(s, "extra-set", alg="EdDSA", use="sig"))
        later = the_key(post(s, "later-set", alg="ES384", use="sig"))
        tok = the_key(post(s, ACCESS_TOKEN, alg="ES256", use="sig"))
        keys = jwks_each_process(s)
        assert keys == published(s, ID_TOKEN, ACCESS_TOKEN, "extra-set",
                                 "later-set")
        kids = [k["kid"] for k in keys]
        assert len(kids) == len(set(kids)) == 6
        assert kids[2:] == [tok["kid"], extra["kid"], extra2["kid"],
                            later["kid"]]
        assert hidden["kid"] not in kids
        text = requests.get(s.pub + "/.well-known/jwks.json").text
        for k in (extra, extra2, later, tok, hidden):
            assert k["d"] not in text

        # Deleting a published set's key unpublishes it at once.
        assert requests.delete(
            f"{s.adm}/keys/extra-set/{extra['kid']}").status_code == 204
        kids = [k["kid"] for k in jwks_each_process(s)]
        assert extra["kid"] not in kids and extra2["kid"] in kids
    finally:
        stopped_clean(s)


def test_broadcast_keys_from_the_environment(tmp_path):
    """WEBFINGER_JWKS_BROADCAST_KEYS replaces the file's list: the set
    the file names is no longer published, the one the variable names
    is."""
    s = Server(tmp_path, conf="webfinger.jwks.broadcast_keys = file-set\n",
               env={"WEBFINGER_JWKS_BROADCAST_KEYS": "env-set"}).start()
    try:
        in_file = the_key(post(s, "file-set", alg="ES256", use="sig"))
        in_env = the_key(post(s, "env-set", alg="ES256", use="sig"))
        keys = public_jwks(s)
        assert keys == published(s, ID_TOKEN, ACCESS_TOKEN) + \
            [public_of(in_env)]
        assert in_file["kid"] not in [k["kid"] for k in keys]
    finally:
        stopped_clean(s)


def test_broadcast_keys_default_publishes_the_token_sets_only(tmp_path):
    """Hydra's default ([hydra.jwt.access-token]): no other set, however
    named, is published."""
    s = Server(tmp_path).start()
    try:
        out = cli(s, "config", "get", "webfinger.jwks.broadcast_keys")
        assert out.returncode == 0 and out.stdout == ACCESS_TOKEN + "\n"
        other = the_key(post(s, "extra-set", alg="ES256", use="sig"))
        keys = public_jwks(s)
        assert keys == published(s, ID_TOKEN, ACCESS_TOKEN)
        assert other["kid"] not in [k["kid"] for k in keys]
    finally:
        stopped_clean(s)


@pytest.mark.parametrize("value,want", [
    ("good,bad/name", "entry 2 \"bad/name\" may only hold letters"),
    ("a,,b", "entry 2 is empty"),
    (",".join(f"s{i}" for i in range(17)), "more than 16 entries"),
    ("x" * 65, f"entry 1 \"{'x' * 48}...\" is longer than 64 bytes"),
], ids=["character", "empty", "too-many", "too-long"])
def test_broadcast_keys_invalid_stops_start(tmp_path, value, want):
    s = Server(tmp_path, env={"WEBFINGER_JWKS_BROADCAST_KEYS": value})
    with pytest.raises(RuntimeError) as e:
        s.start()
    s.stop()
    assert f"WEBFINGER_JWKS_BROADCAST_KEYS: {want}" in str(e.value)
    out = cli(s, "config", "check")
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1
    assert f"WEBFINGER_JWKS_BROADCAST_KEYS: {want}" in out.stderr


# --- the command-line tool ----------------------------------------------

def test_cli_create_get_rotate_delete(tmp_path):
    s = Server(tmp_path)                # the CLI needs no running server
    out = cli(s, "keys", "create", "cli-set", "--alg", "ES384", "--kid",
              "c1", "--use", "sig")
    assert out.returncode == 0, out.stderr
    c1 = the_key(json.loads(out.stdout))
    assert c1["kid"] == "c1" and c1["crv"] == "P-384" and "d" in c1
    out = cli(s, "keys", "create", "cli-set", "--alg", "RS256", "--bits",
              "3072")
    assert out.returncode == 0, out.stderr
    c2 = the_key(json.loads(out.stdout))
    check_generated(c2, "RS256", bits=3072)
    assert UUID.match(c2["kid"])
    # get: whole set, one key, public only.
    out = cli(s, "keys", "get", "cli-set")
    assert out.returncode == 0 and json.loads(out.stdout) == \
        {"keys": [c1, c2]}
    out = cli(s, "keys", "get", "cli-set", "c1")
    assert out.returncode == 0 and json.loads(out.stdout) == {"keys": [c1]}
    out = cli(s, "keys", "get", "cli-set", "--public")
    assert out.returncode == 0
    assert json.loads(out.stdout) == {"keys": [public_of(c1),
                                               public_of(c2)]}
    out = cli(s, "keys", "get", "cli-set", "c1", "--public")
    assert out.returncode == 0
    assert json.loads(out.stdout) == {"keys": [public_of(c1)]}
    # rotate: a new key with the newest key's alg; the old ones stay.
    out = cli(s, "keys", "rotate", "cli-set")
    assert out.returncode == 0, out.stderr
    c3 = the_key(json.loads(out.stdout))
    assert c3["alg"] == "RS256" and c3["kid"] not in ("c1", c2["kid"])
    assert "d" in c3
    keys = json.loads(cli(s, "keys", "get", "cli-set").stdout)["keys"]
    assert keys == [c1, c2, c3]
    # delete one key, then the set.
    out = cli(s, "keys", "delete", "cli-set", "c1")
    assert out.returncode == 0 and out.stdout == ""
    out = cli(s, "keys", "delete", "cli-set", "c1")
    assert out.returncode == 1 and "does not exist" in out.stderr
    out = cli(s, "keys", "get", "cli-set", "c1")
    assert out.returncode == 1 and "does not exist" in out.stderr
    assert out.stdout == ""
    # The server sees what the CLI wrote.
    s.start()
    try:
        assert get_set(s, "cli-set") == [c2, c3]
    finally:
        stopped_clean(s)
    assert cli(s, "keys", "delete", "cli-set").returncode == 0
    out = cli(s, "keys", "get", "cli-set")
    assert out.returncode == 1 and "does not exist" in out.stderr
    out = cli(s, "keys", "rotate", "cli-set")
    assert out.returncode == 1 and "does not exist" in out.stderr


def test_cli_init_creates_default_sets(tmp_path):
    s = Server(tmp_path)
    assert cli(s, "init").returncode == 0
    for name in (ID_TOKEN, ACCESS_TOKEN):
        out = cli(s, "keys", "get", name)
        assert out.returncode == 0, out.stderr
        k = the_key(json.loads(out.stdout))
        assert k["alg"] == "RS256" and k["kty"] == "RSA"
    # init again adds nothing.
    before = cli(s, "keys", "get", ID_TOKEN).stdout
    assert cli(s, "init").returncode == 0
    assert cli(s, "keys", "get", ID_TOKEN).stdout == before


def test_cli_rotate_seen_by_running_server(tmp_path):
    s = Server(tmp_path).start()
    try:
        before = {k["kid"] for k in public_jwks(s)}
        out = cli(s, "keys", "rotate", ID_TOKEN)
        assert out.returncode == 0, out.stderr
        new = the_key(json.loads(out.stdout))
        assert new["alg"] == "RS256"
        assert {k["kid"] for k in public_jwks(s)} == before | {new["kid"]}
        assert get_set(s, ID_TOKEN)[-1] == new
    finally:
        stopped_clean(s)


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True,
                   timeout=60)


PEMS = {
    "RSA": (["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            "RS256"),
    "P-256": (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
              "ES256"),
    "P-521": (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
              "ES512"),
    "Ed25519": (["-algorithm", "ed25519"], "EdDSA"),
}


@pytest.mark.parametrize("kind", sorted(PEMS))
def test_cli_import_pem(tmp_path, kind):
    s = Server(tmp_path)
    opts, alg = PEMS[kind]
    pem = tmp_path / "key.pem"
    openssl("genpkey", *opts, "-out", str(pem))
    out = cli(s, "keys", "import", "pem-set", str(pem), "--kid", "pem1",
              "--alg", alg)
    assert out.returncode == 0, out.stderr
    got = the_key(json.loads(out.stdout))
    want = json.loads(jwk.JWK.from_pem(pem.read_bytes()).export_private())
    for m, v in want.items():
        if m != "kid":
            assert got[m] == v, m
    assert got["kid"] == "pem1" and got["alg"] == alg and got["use"] == "sig"
    assert verify(sign(got, alg), public_of(want))["sub"] == "alice"
    # The public half of the same key as PEM: a verify-only key; without
    # --kid it is named by its thumbprint; the set keeps pem1.
    pub = tmp_path / "pub.pem"
    openssl("pkey", "-in", str(pem), "-pubout", "-out", str(pub))
    out = cli(s, "keys", "import", "pem-set", str(pub), "--alg", alg)
    assert out.returncode == 0, out.stderr
    keys = json.loads(out.stdout)["keys"]
    assert [k["kid"] for k in keys] == ["pem1",
                                        jwk.JWK(**want).thumbprint()]
    assert keys[0] == got
    assert not set(keys[1]) & set(PRIVATE)
    assert json.loads(cli(s, "keys", "get", "pem-set").stdout)["keys"] == \
        keys


def test_cli_import_traditional_pem(tmp_path):
    s = Server(tmp_path)
    pem = tmp_path / "rsa.pem"
    openssl("genpkey", "-algorithm", "RSA", "-out", str(tmp_path / "p8"))
    openssl("pkey", "-in", str(tmp_path / "p8"), "-traditional", "-out",
            str(pem))
    assert b"BEGIN RSA PRIVATE KEY" in pem.read_bytes()
    out = cli(s, "keys", "import", "trad", str(pem), "--kid", "t")
    assert out.returncode == 0, out.stderr
    k = the_key(json.loads(out.stdout))
    assert k["kid"] == "t" and k["alg"] == "RS256" and "d" in k


def test_cli_import_jwk_files(tmp_path):
    s = Server(tmp_path)
    one = gen("P-384", kid="one", alg="ES384", use="sig")
    (tmp_path / "one.jwk").write_text(json.dumps(one))
    two = [gen("Ed25519", kid="two", alg="EdDSA", use="sig"),
           public_of(gen("RSA", kid="three", alg="PS256", use="sig"))]
    (tmp_path / "set.json").write_text(json.dumps({"keys": two}))
    out = cli(s, "keys", "import", "jwk-set", str(tmp_path / "one.jwk"),
              str(tmp_path / "set.json"))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"keys": [one] + two}
    # --kid, --alg and --use override a single key's.
    bare = gen("P-256")
    (tmp_path / "bare.jwk").write_text(json.dumps(bare))
    out = cli(s, "keys", "import", "jwk-set", str(tmp_path / "bare.jwk"),
              "--kid", "four", "--use", "enc")
    assert out.returncode == 0, out.stderr
    four = json.loads(out.stdout)["keys"][-1]
    assert four["kid"] == "four" and four["use"] == "enc"
    assert four["alg"] == "ES256" and four["d"] == bare["d"]
    got = json.loads(cli(s, "keys", "get", "jwk-set").stdout)["keys"]
    assert [k["kid"] for k in got] == ["one", "two", "three", "four"]


def test_cli_import_errors(tmp_path):
    s = Server(tmp_path)
    keep = gen("P-256", kid="keep", alg="ES256", use="sig")
    (tmp_path / "keep.jwk").write_text(json.dumps(keep))
    assert cli(s, "keys", "import", "e", str(tmp_path / "keep.jwk")) \
        .returncode == 0
    # Encrypted PEM: refused, no passphrase asked.
    enc = tmp_path / "enc.pem"
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-aes-256-cbc", "-pass", "pass:pw",
            "-out", str(enc))
    out = subprocess.run([CLI, "keys", "import", "e", str(enc)],
                         env=s.env, capture_output=True, text=True,
                         timeout=30, stdin=subprocess.DEVNULL)
    assert out.returncode == 1 and out.stderr and out.stdout == ""
    # Missing file, garbage, bad JWK, alg not fitting the key.
    out = cli(s, "keys", "import", "e", str(tmp_path / "nope.pem"))
    assert out.returncode == 1 and "nope.pem" in out.stderr
    (tmp_path / "junk").write_text("not a key at all")
    out = cli(s, "keys", "import", "e", str(tmp_path / "junk"))
    assert out.returncode == 1 and "neither PEM nor JSON" in out.stderr
    bad = gen("P-256", kid="bad")
    bad["x"] = b64e(b64d(bad["x"])[1:])
    (tmp_path / "bad.jwk").write_text(json.dumps(bad))
    out = cli(s, "keys", "import", "e", str(tmp_path / "bad.jwk"))
    assert out.returncode == 1 and "'x'" in out.stderr
    badset = {"keys": [gen("P-256", kid="ok"), bad]}
    (tmp_path / "badset.json").write_text(json.dumps(badset))
    out = cli(s, "keys", "import", "e", str(tmp_path / "badset.json"))
    assert out.returncode == 1 and "'x'" in out.stderr
    out = cli(s, "keys", "import", "e", str(tmp_path / "keep.jwk"), "--alg",
              "RS256")
    assert out.returncode == 1 and "alg" in out.stderr
    (tmp_path / "trunc.pem").write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n")
    out = cli(s, "keys", "import", "e", str(tmp_path / "trunc.pem"))
    assert out.returncode == 1 and out.stderr
    # No file at all: usage.
    out = cli(s, "keys", "import", "e", "--kid", "x")
    assert out.returncode == 2
    out = cli(s, "keys", "import", "e", str(tmp_path / "keep.jwk"), "--kid")
    assert out.returncode == 2 and "--kid" in out.stderr
    # Nothing of that reached the set.
    got = json.loads(cli(s, "keys", "get", "e").stdout)["keys"]
    assert got == [keep]


def test_cli_import_keeps_keys_it_cannot_open(tmp_path):
    """`keys import` adds to a set: a key sealed under a system secret
    that is not configured right now must survive it (it opens again once
    the old secret is back), not be dropped by a rewrite of the set."""
    old, new = "old-secret-0123456789", "new-secret-0123456789"
    s = Server(tmp_path, env={"SECRETS_SYSTEM": old})
    out = cli(s, "keys", "create", "imp", "--alg", "ES256", "--kid", "old")
    assert out.returncode == 0, out.stderr
    kept = the_key(json.loads(out.stdout))
    add = gen("P-256", kid="new", alg="ES256", use="sig")
    (tmp_path / "new.jwk").write_text(json.dumps(add))
    s.env["SECRETS_SYSTEM"] = new
    out = cli(s, "keys", "import", "imp", str(tmp_path / "new.jwk"))
    assert out.returncode == 0, out.stderr
    s.env["SECRETS_SYSTEM"] = f"{new},{old}"
    out = cli(s, "keys", "get", "imp")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["keys"] == [kept, add]


def test_cli_errors(tmp_path):
    s = Server(tmp_path)
    out = cli(s, "keys", "create", "x", "--alg", "RS1")
    assert out.returncode == 1 and "alg" in out.stderr and out.stdout == ""
    out = cli(s, "keys", "create", "x")
    assert out.returncode == 1 and "alg" in out.stderr
    out = cli(s, "keys", "create", "x", "--alg")
    assert out.returncode == 2 and "--alg" in out.stderr
    out = cli(s, "keys", "create", "x", "--alg", "RS256", "--bits", "abc")
    assert out.returncode == 2 and "--bits" in out.stderr
    out = cli(s, "keys", "create", "x", "--alg", "RS256", "--bits", "1024")
    assert out.returncode == 1 and "1024" in out.stderr
    out = cli(s, "keys", "create", "x", "--alg", "ES256", "--use", "bogus")
    assert out.returncode in (1, 2) and "use" in out.stderr
    cli(s, "keys", "create", "x", "--alg", "ES256", "--kid", "dup")
    out = cli(s, "keys", "create", "x", "--alg", "ES256", "--kid", "dup")
    assert out.returncode == 1 and "already" in out.stderr
    for args in (["keys"], ["keys", "frobnicate"], ["keys", "get"],
                 ["keys", "delete"], ["keys", "rotate"],
                 ["keys", "create"], ["keys", "import", "x"]):
        out = cli(s, *args)
        assert out.returncode == 2, args
        assert "usage" in out.stderr, args
    out = cli(s, "keys", "delete", "nope")
    assert out.returncode == 1 and "does not exist" in out.stderr
    # Only x with its one key was made.
    assert len(json.loads(cli(s, "keys", "get", "x").stdout)["keys"]) == 1


def test_cli_unknown_flag(tmp_path):
    """As `oidcgi clients`: an unknown flag is a usage error (2), not
    silently ignored (a typo like --bit 4096 would make a 2048-bit key)."""
    s = Server(tmp_path)
    out = cli(s, "keys", "create", "x", "--alg", "RS256", "--bit", "4096")
    assert out.returncode == 2 and "--bit" in out.stderr
    out = cli(s, "keys", "get", "x")
    assert out.returncode == 1


@pytest.mark.parametrize("prefix", PREFIXES)
def test_delete_is_idempotent(server, prefix):
    """Hydra deletes without looking first (jwk/handler.go): an SDK that
    deletes the last key and then the set succeeds, and so does each
    delete again, of a set or a key that was never there too."""
    s = uniq()
    base = f"{server.adm}{prefix}/keys/{s}"
    post(server, s, prefix, alg="ES256", kid="last", use="sig")
    for url in (f"{base}/last", base, f"{base}/last", base,
                f"{server.adm}{prefix}/keys/{uniq('never')}",
                f"{server.adm}{prefix}/keys/{uniq('never')}/k",
                f"{base}/{'k' * 300}"):
        r = requests.delete(url)
        assert r.status_code == 204, (url, r.text)
        assert r.content == b""
    err(requests.get(base), 404, "not_found", s)
