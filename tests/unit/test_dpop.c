/*
 * test_dpop.c: DPoP proofs (lib/protocol/dpop.c): every check of
 * RFC 9449 §4.3, ath, nonces, htu normalisation and the single use of
 * a jti.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "protocol/dpop.h"
#include "t.h"
#include "tfix.h"

#define HTU	"https://op.example/oauth2/token"

static char		 secret_a[] = "dpop-secret-aaaaaaaaaaaaaaaaaaaaa";
static char		 issuer[] = "https://op.example/";
static struct oconf	 conf;
static struct ojwk	*key;		/* the client's ES256 key */

/*
 * A proof signed by k (alg of k) with header typ and the public jwk of
 * k (or of pub when not NULL), over claims.  A new string.
 */
static char *
proof_by(const struct ojwk *k, const struct ojwk *pub, const char *alg,
    const char *typ, json_t *claims)
{
	struct oerr	 err;
	json_t		*h, *jwk;
	char		*payload, *out;

	oerr_clear(&err);
	jwk = ojwk_export(pub != NULL ? pub : k, 0, &err);
	h = json_pack("{s:s,s:o}", "typ", typ, "jwk", jwk != NULL ? jwk :
	    json_object());
	payload = json_dumps(claims, JSON_COMPACT);
	out = ojws_sign(k, alg, h, payload, strlen(payload), &err);
	free(payload);
	json_decref(h);
	json_decref(claims);
	return out;
}

/* A proof of key for htm and htu at iat. */
static char *
proof(const char *htm, const char *htu, int64_t iat)
{
	char	 jti[37];

	ocrypto_uuid4(jti);
	return proof_by(key, NULL, "ES256", "dpop+jwt", json_pack(
	    "{s:s,s:s,s:s,s:I}", "jti", jti, "htm", htm, "htu", htu, "iat",
	    (json_int_t)iat));
}

/* 1 if verifying p fails with code and a description holding what. */
static int
refused(const char *p, const char *htm, const char *htu, const char *tok,
    enum oerr_code code, const char *what)
{
	struct odpop	 d;
	struct oerr	 err;
	int		 ok;

	oerr_clear(&err);
	ok = !odpop_verify(p, htm, htu, tok, onow(), &d, &err) &&
	    err.code == code && strstr(err.description, what) != NULL;
	if (!ok)
		fprintf(stderr, "  got %d '%s'\n", err.code, err.description);
	return ok;
}

static void
valid(void)
{
	struct odpop	 d;
	struct oerr	 err;
	char		 tp[OJWK_THUMBPRINT_LEN + 1], *p;

	oerr_clear(&err);
	p = proof("POST", HTU, onow());
	CHECK(p != NULL && odpop_verify(p, "POST", HTU, NULL, onow(), &d,
	    &err));
	CHECK(ojwk_thumbprint(key, tp, &err));
	CHECK_STR(d.jkt, tp);
	CHECK(d.exp > onow() + ODPOP_WINDOW);
	ojose_free(p);
	/* Query and fragment ignored, case and default port normalised. */
	p = proof("POST", "HTTPS://OP.example:443/oauth2/token?x=1#f",
	    onow() - 10);
	CHECK(odpop_verify(p, "POST", HTU, NULL, onow(), &d, &err));
	ojose_free(p);
	CHECK(odpop_htu_eq("http://a.example", "http://a.example:80/"));
	CHECK(!odpop_htu_eq("http://a.example/x", "https://a.example/x"));
	CHECK(!odpop_htu_eq("https://a.example/x", "https://a.example/X"));
	CHECK(!odpop_htu_eq("https://a.example:8443/x",
	    "https://a.example/x"));
	CHECK(!odpop_htu_eq("urn:x:y", "urn:x:y"));
}

/*
 * A proof's jkt is the RFC 7638 thumbprint of its jwk (the vectors of
 * RFC 7638 itself are in test_jose.c): a fixed P-256 key whose
 * thumbprint python3-jwcrypto computed.
 */
static void
thumbprint(void)
{
	static const char fixed[] = "{\"crv\":\"P-256\",\"d\":"
	    "\"4gWP3d54mL83gUBUnCzW0ZON9ot0q7nWuto6U-dcUxY\",\"kty\":\"EC\","
	    "\"x\":\"qZMATVCREcc8xGc7E2HWvC5LJtmLIAh1UGjrkMl5ruM\",\"y\":"
	    "\"7glTr8aJiPV_bHk7x4IQGxIW_enOgbR367VNTOq_Gtc\"}";
	struct ojwk	*k;
	struct odpop	 d;
	struct oerr	 err;
	char		*p;

	oerr_clear(&err);
	k = ojwk_import_str(fixed, strlen(fixed), 1, &err);
	CHECK(k != NULL);
	if (k == NULL)
		return;
	p = proof_by(k, NULL, "ES256", "dpop+jwt", json_pack("{s:s,s:s,s:s,"
	    "s:I}", "jti", "t", "htm", "POST", "htu", HTU, "iat",
	    (json_int_t)onow()));
	CHECK(odpop_verify(p, "POST", HTU, NULL, onow(), &d, &err));
	CHECK_STR(d.jkt, "y_uazkGRsrszf5rGd7BSSOBhCD7ZmTsvJyJ3xEPdoNE");
	ojose_free(p);
	ojwk_free(k);
}

static void
bad_proofs(void)
{
	struct ojwk	*other, *hmac;
	struct oerr	 err;
	char		*p;

	oerr_clear(&err);
	CHECK(refused(NULL, "POST", HTU, NULL, OERR_INVALID_DPOP_PROOF,
	    "no DPoP proof"));
	CHECK(refused("junk", "POST", HTU, NULL, OERR_INVALID_DPOP_PROOF,
	    "compact"));
	CHECK(refused("e30.e30.", "POST", HTU, NULL, OERR_INVALID_DPOP_PROOF,
	    "'typ'"));
	p = proof("POST", HTU, onow());
	CHECK(refused(p, "GET", HTU, NULL, OERR_INVALID_DPOP_PROOF,
	    "'htm'"));
	CHECK(refused(p, "POST", "https://op.example/userinfo", NULL,
	    OERR_INVALID_DPOP_PROOF, "'htu'"));
	/* A tampered signature. */
	p[strlen(p) - 3] = p[strlen(p) - 3] == 'A' ? 'B' : 'A';
	CHECK(refused(p, "POST", HTU, NULL, OERR_INVALID_DPOP_PROOF,
	    "signature"));
	ojose_free(p);
	p = proof("POST", HTU, onow() - ODPOP_WINDOW - 5);
	CHECK(refused(p, "POST", HTU, NULL, OERR_INVALID_DPOP_PROOF,
	    "'iat'"));
	ojose_free(p);
	p = proof("POST", HTU, onow() + ODPOP_SKEW + 5);
	CHECK(refused(p, "POST", HTU, NULL, OERR_INVALID_DPOP_PROOF,
	    "'iat'"));
	ojose_free(p);
	p = proof_by(key, NULL, "ES256", "JWT", json_pack("{s:s,s:s,s:s,"
	    "s:I}", "jti", "a", "htm", "POST", "htu", HTU, "iat",
	    (json_int_t)onow()));
	CHECK(refused(p, "POST", HTU, NULL, OERR_INVALID_DPOP_PROOF,
	    "'typ'"));
	ojose_free(p);
	p = proof_by(key, NULL, "ES256", "dpop+jwt", json_pack("{s:s,s:s,"
	    "s:I}", "htm", "POST", "htu", HTU, "iat", (json_int_t)onow()));
	CHECK(refused(p, "POST", HTU, NULL, OERR_INVALID_DPOP_PROOF,
	    "'jti'"));
	ojose_free(p);
	/* Signed by another key than the one in the header. */
	other = ojwk_generate("ES256", 0, NULL, NULL, &err);
	p = proof_by(other, key, "ES256", "dpop+jwt", json_pack("{s:s,s:s,"
	    "s:s,s:I}", "jti", "b", "htm", "POST", "htu", HTU, "iat",
	    (json_int_t)onow()));
	CHECK(refused(p, "POST", HTU, NULL, OERR_INVALID_DPOP_PROOF,
	    "signature"));
	ojose_free(p);
	/* The private key in the header. */
	{
		json_t	*h, *jwk, *c;
		char	*s;

		jwk = ojwk_export(other, 1, &err);
		h = json_pack("{s:s,s:o}", "typ", "dpop+jwt", "jwk", jwk);
		c = json_pack("{s:s,s:s,s:s,s:I}", "jti", "c", "htm", "POST",
		    "htu", HTU, "iat", (json_int_t)onow());
		s = json_dumps(c, JSON_COMPACT);
		json_decref(c);
		p = ojws_sign(other, "ES256", h, s, strlen(s), &err);
		CHECK(refused(p, "POST", HTU, NULL,
		    OERR_INVALID_DPOP_PROOF, "private"));
		ojose_free(p);
		free(s);
		json_decref(h);
	}
	/* A symmetric alg is never accepted. */
	hmac = ojwk_generate("HS256", 0, NULL, NULL, &err);
	p = proof_by(hmac, NULL, "HS256", "dpop+jwt", json_pack("{s:s,s:s,"
	    "s:s,s:I}", "jti", "d", "htm", "POST", "htu", HTU, "iat",
	    (json_int_t)onow()));
	CHECK(p != NULL && refused(p, "POST", HTU, NULL,
	    OERR_INVALID_DPOP_PROOF, "'alg'"));
	ojose_free(p);
	ojwk_free(hmac);
	ojwk_free(other);
}

static void
ath(void)
{
	struct odpop	 d;
	struct oerr	 err;
	unsigned char	 h[OCRYPTO_SHA256_LEN];
	char		 a[64], *p;
	size_t		 n;

	oerr_clear(&err);
	ocrypto_sha256("tok", 3, h);
	CHECK(ocrypto_b64url_encode(a, sizeof(a), &n, h, sizeof(h)));
	p = proof_by(key, NULL, "ES256", "dpop+jwt", json_pack("{s:s,s:s,"
	    "s:s,s:I,s:s}", "jti", "e", "htm", "GET", "htu",
	    "https://op.example/userinfo", "iat", (json_int_t)onow(), "ath",
	    a));
	CHECK(odpop_verify(p, "GET", "https://op.example/userinfo", "tok",
	    onow(), &d, &err));
	CHECK(refused(p, "GET", "https://op.example/userinfo", "other",
	    OERR_INVALID_DPOP_PROOF, "'ath'"));
	ojose_free(p);
	p = proof("GET", "https://op.example/userinfo", onow());
	CHECK(refused(p, "GET", "https://op.example/userinfo", "tok",
	    OERR_INVALID_DPOP_PROOF, "'ath'"));
	ojose_free(p);
}

static void
nonces(void)
{
	struct odpop	 d;
	struct oerr	 err;
	char		 n[ODPOP_NONCE_LEN + 1], old[ODPOP_NONCE_LEN + 1];
	char		 jti[37], *p;
	int64_t		 now = onow();

	CHECK(odpop_nonce(now, n));
	CHECK(strlen(n) == ODPOP_NONCE_LEN);
	CHECK(odpop_nonce_ok(n, now));
	CHECK(odpop_nonce_ok(n, now + ODPOP_NONCE_SLOT));
	CHECK(!odpop_nonce_ok(n, now + 2 * ODPOP_NONCE_SLOT));
	CHECK(!odpop_nonce_ok("x", now));
	CHECK(odpop_nonce(now - 3 * ODPOP_NONCE_SLOT, old));
	conf.dpop_nonce = 1;
	p = proof("POST", HTU, now);
	CHECK(refused(p, "POST", HTU, NULL, OERR_USE_DPOP_NONCE, "nonce"));
	ojose_free(p);
	ocrypto_uuid4(jti);
	p = proof_by(key, NULL, "ES256", "dpop+jwt", json_pack("{s:s,s:s,"
	    "s:s,s:I,s:s}", "jti", jti, "htm", "POST", "htu", HTU, "iat",
	    (json_int_t)now, "nonce", old));
	CHECK(refused(p, "POST", HTU, NULL, OERR_USE_DPOP_NONCE, "nonce"));
	ojose_free(p);
	p = proof_by(key, NULL, "ES256", "dpop+jwt", json_pack("{s:s,s:s,"
	    "s:s,s:I,s:s}", "jti", jti, "htm", "POST", "htu", HTU, "iat",
	    (json_int_t)now, "nonce", n));
	oerr_clear(&err);
	CHECK(odpop_verify(p, "POST", HTU, NULL, now, &d, &err));
	ojose_free(p);
	conf.dpop_nonce = 0;
}

static void
replay(void)
{
	struct odpop	 d;
	struct oerr	 err;
	char		*p;

	oerr_clear(&err);
	p = proof("POST", HTU, onow());
	CHECK(odpop_verify(p, "POST", HTU, NULL, onow(), &d, &err));
	CHECK(odpop_spend_now(&d, &err));
	CHECK(tpresent(OSTORE_FLOWS, d.mark, sizeof(d.mark)));
	CHECK(!odpop_spend_now(&d, &err));
	CHECK(err.code == OERR_INVALID_DPOP_PROOF &&
	    strstr(err.description, "used before") != NULL);
	ojose_free(p);
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(valid),
		T(thumbprint),
		T(bad_proofs),
		T(ath),
		T(nonces),
		T(replay),
	};
	struct tfix_store	 st;
	struct oerr		 err;
	int			 rc;

	conf.issuer = issuer;
	conf.secrets[0] = secret_a;
	conf.nsecrets = 1;
	oconf = &conf;
	oerr_clear(&err);
	if ((key = ojwk_generate("ES256", 0, NULL, NULL, &err)) == NULL ||
	    !tfix_store_open(&st, "test_dpop"))
		return 1;
	rc = t_run(tests, NTESTS);
	ojwk_free(key);
	if (!tfix_store_close(&st))
		return 1;
	return rc;
}
