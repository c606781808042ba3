#!/usr/bin/python3
"""
Cross-check vectors for tests/unit/test_jose.c, made with python3-jwcrypto
(Debian's package; run with /usr/bin/python3), an implementation that
shares no code with lib/jose/jwk.c and lib/jose/jws.c.

    gen.py > jwcrypto.json     one key per algorithm (private JWK, public
                               JWK, RFC 7638 thumbprint, PKCS#8 and
                               SubjectPublicKeyInfo PEM) and a compact JWS
                               of a fixed payload signed by jwcrypto
    gen.py check FILE          verify with jwcrypto the lines "alg<TAB>jws"
                               that test_jose writes to $JOSE_CROSS_OUT,
                               i.e. signatures made by lib/jose/jws.c

The first mode draws fresh keys, so its output differs on every run; the
file is kept in the tree and regenerated only on purpose.
"""
import json
import sys

from jwcrypto import jwk, jws

ALGS = [
    ("HS256", dict(kty="oct", size=256)),
    ("HS384", dict(kty="oct", size=384)),
    ("HS512", dict(kty="oct", size=512)),
    ("RS256", dict(kty="RSA", size=2048)),
    ("RS384", dict(kty="RSA", size=3072)),
    ("RS512", dict(kty="RSA", size=4096)),
    ("PS256", dict(kty="RSA", size=2048)),
    ("PS384", dict(kty="RSA", size=2048)),
    ("PS512", dict(kty="RSA", size=3072)),
    ("ES256", dict(kty="EC", crv="P-256")),
    ("ES384", dict(kty="EC", crv="P-384")),
    ("ES512", dict(kty="EC", crv="P-521")),
    ("EdDSA", dict(kty="OKP", crv="Ed25519")),
]

PAYLOAD = '{"iss":"https://jwcrypto.example","sub":"alice","aud":"oidcgi"}'


def generate():
    out = []
    for alg, params in ALGS:
        kid = "jwcrypto-" + alg
        key = jwk.JWK.generate(kid=kid, **params)
        protected = json.dumps({"alg": alg, "kid": kid},
                               separators=(",", ":"))
        s = jws.JWS(PAYLOAD.encode())
        s.add_signature(key, None, protected)
        v = {
            "alg": alg,
            "private": json.loads(key.export(private_key=True)),
            "thumbprint": key.thumbprint(),
            "payload": PAYLOAD,
            "jws": s.serialize(compact=True),
        }
        if params["kty"] != "oct":
            v["public"] = json.loads(key.export(private_key=False))
            v["pem_private"] = key.export_to_pem(
                private_key=True, password=None).decode()
            v["pem_public"] = key.export_to_pem().decode()
        out.append(v)
    json.dump({"payload": PAYLOAD, "vectors": out}, sys.stdout, indent=1)
    sys.stdout.write("\n")


def check(path):
    with open(sys.path[0] + "/jwcrypto.json") as f:
        vectors = {v["alg"]: v for v in json.load(f)["vectors"]}
    n = bad = 0
    with open(path) as f:
        for line in f:
            alg, token = line.rstrip("\n").split("\t")
            v = vectors[alg]
            key = jwk.JWK(**v.get("public", v["private"]))
            s = jws.JWS()
            try:
                s.deserialize(token, key, alg=alg)
                ok = s.payload.decode() == v["payload"]
            except Exception as e:  # report every failure, then exit 1
                print("%s: %s" % (alg, e))
                ok = False
            n += 1
            bad += 0 if ok else 1
            print("%s %s" % ("ok" if ok else "FAIL", alg))
    print("%d checked, %d failed" % (n, bad))
    return 1 if bad or n == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    generate()
