/*
 * dpop.c: DPoP proofs (see dpop.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/url.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/jti.h"
#include "protocol/dpop.h"

#define NONCE_MAC	16	/* bytes of a nonce's MAC */

const char *const odpop_algs[] = { "RS256", "RS384", "RS512", "PS256",
    "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", NULL };

/* Set invalid_dpop_proof with a description. */
#define BAD(err, ...)	\
	oerr_set((err), OERR_INVALID_DPOP_PROOF, __VA_ARGS__)

/*
 * The normal form of an absolute http(s) URL for htu into out (outsz
 * bytes): scheme and host lower-cased, the scheme's default port left
 * out, an empty path "/", no query or fragment.  Returns 1, or 0 when
 * it is not such a URL or does not fit.
 */
static int
htu_norm(const char *s, char *out, size_t outsz)
{
	struct ourl	 u;
	char		 port[16];
	int		 n, def;

	if (strlen(s) > OURL_MAX || ourl_parse(s, &u) != NULL ||
	    !u.has_authority || u.has_userinfo || u.host[0] == '\0')
		return 0;
	if (strcmp(u.scheme, "https") == 0)
		def = 443;
	else if (strcmp(u.scheme, "http") == 0)
		def = 80;
	else
		return 0;
	port[0] = '\0';
	if (u.port != 0 && u.port != def)
		snprintf(port, sizeof(port), ":%d", u.port);
	n = snprintf(out, outsz, "%s://%s%s%.*s%s", u.scheme, u.host, port,
	    (int)u.path_len, s + u.path_off, u.path_len == 0 ? "/" : "");
	return n > 0 && (size_t)n < outsz;
}

int
odpop_htu_eq(const char *a, const char *b)
{
	char	 na[OURL_MAX + 512], nb[OURL_MAX + 512];

	return htu_norm(a, na, sizeof(na)) && htu_norm(b, nb, sizeof(nb)) &&
	    strcmp(na, nb) == 0;
}

/* The nonce key of secret s into key. */
static int
nonce_key(const char *s, unsigned char key[OCRYPTO_SHA256_LEN])
{
	return ocrypto_hkdf(s, strlen(s), NULL, 0, "oidcgi dpop nonce", key,
	    OCRYPTO_SHA256_LEN);
}

/* The nonce of slot under secret s into out. */
static int
nonce_make(const char *s, uint64_t slot, char out[ODPOP_NONCE_LEN + 1])
{
	unsigned char	 key[OCRYPTO_SHA256_LEN];
	unsigned char	 raw[8 + OCRYPTO_SHA256_LEN];
	size_t		 i, n;
	int		 rc;

	for (i = 0; i < 8; i++)
		raw[i] = (unsigned char)(slot >> (56 - 8 * i));
	rc = nonce_key(s, key) && ocrypto_hmac(OCRYPTO_SHA256, key,
	    sizeof(key), raw, 8, raw + 8) && ocrypto_b64url_encode(out,
	    ODPOP_NONCE_LEN + 1, &n, raw, 8 + NONCE_MAC);
	ocrypto_wipe(key, sizeof(key));
	return rc;
}

int
odpop_nonce(int64_t now, char out[ODPOP_NONCE_LEN + 1])
{
	out[0] = '\0';
	if (oconf == NULL || oconf->nsecrets == 0 || now < 0)
		return 0;
	return nonce_make(oconf->secrets[0], (uint64_t)now / ODPOP_NONCE_SLOT,
	    out);
}

int
odpop_nonce_ok(const char *nonce, int64_t now)
{
	char		 want[ODPOP_NONCE_LEN + 1];
	uint64_t	 slot;
	size_t		 i, d;

	if (oconf == NULL || now < 0 || strlen(nonce) != ODPOP_NONCE_LEN)
		return 0;
	slot = (uint64_t)now / ODPOP_NONCE_SLOT;
	for (d = 0; d < 2 && d <= slot; d++)
		for (i = 0; i < oconf->nsecrets; i++)
			if (nonce_make(oconf->secrets[i], slot - d, want) &&
			    ocrypto_streq(nonce, want))
				return 1;
	return 0;
}

/*
 * "ath" of token (RFC 9449 §4.2): base64url SHA-256 of its ASCII
 * bytes, into out.
 */
static void
ath_of(const char *token, char out[OJWK_THUMBPRINT_LEN + 1])
{
	unsigned char	 h[OCRYPTO_SHA256_LEN];
	size_t		 n;

	ocrypto_sha256(token, strlen(token), h);
	if (!ocrypto_b64url_encode(out, OJWK_THUMBPRINT_LEN + 1, &n, h,
	    sizeof(h)))
		out[0] = '\0';
}

/* The claims of a verified proof (RFC 9449 §4.3 items 8 to 12). */
static int
check_claims(const json_t *c, const char *htm, const char *htu,
    const char *token, int64_t now, int64_t *iatp, struct oerr *err)
{
	const char	*jti, *m, *u, *ath, *nonce;
	char		 want[OJWK_THUMBPRINT_LEN + 1];
	json_t		*iat;

	jti = json_string_value(json_object_get(c, "jti"));
	m = json_string_value(json_object_get(c, "htm"));
	u = json_string_value(json_object_get(c, "htu"));
	iat = json_object_get(c, "iat");
	if (jti == NULL || *jti == '\0' || strlen(jti) > ODPOP_JTI_MAX) {
		BAD(err, "The DPoP proof's 'jti' is missing, empty or longer "
		    "than %d bytes.", ODPOP_JTI_MAX);
		return 0;
	}
	if (m == NULL || strcmp(m, htm) != 0) {
		BAD(err, "The DPoP proof's 'htm' is not '%s', the method of "
		    "this request.", htm);
		return 0;
	}
	if (u == NULL || !odpop_htu_eq(u, htu)) {
		BAD(err, "The DPoP proof's 'htu' is not '%.256s', the URL of "
		    "this request.", htu);
		return 0;
	}
	/* A real is cast only within range (no undefined behaviour). */
	if (!json_is_integer(iat) && (!json_is_real(iat) ||
	    !(json_real_value(iat) > -1e15 && json_real_value(iat) < 1e15))) {
		BAD(err, "The DPoP proof has no numeric 'iat'.");
		return 0;
	}
	*iatp = json_is_integer(iat) ? (int64_t)json_integer_value(iat) :
	    (int64_t)json_real_value(iat);
	if (*iatp < now - ODPOP_WINDOW || *iatp > now + ODPOP_SKEW) {
		BAD(err, "The DPoP proof's 'iat' is not within %d seconds of "
		    "now.", ODPOP_WINDOW);
		return 0;
	}
	if (token != NULL) {
		ath = json_string_value(json_object_get(c, "ath"));
		ath_of(token, want);
		if (ath == NULL || !ocrypto_streq(ath, want)) {
			BAD(err, "The DPoP proof's 'ath' is missing or is not "
			    "the hash of the access token.");
			return 0;
		}
	}
	if (oconf != NULL && oconf->dpop_nonce) {
		nonce = json_string_value(json_object_get(c, "nonce"));
		if (nonce == NULL || !odpop_nonce_ok(nonce, now)) {
			oerr_set(err, OERR_USE_DPOP_NONCE, "The DPoP proof "
			    "must carry the nonce the server gave in its "
			    "DPoP-Nonce header.");
			return 0;
		}
	}
	return 1;
}

int
odpop_verify(const char *proof, const char *htm, const char *htu,
    const char *token, int64_t now, struct odpop *out, struct oerr *err)
{
	json_t		*h = NULL, *c = NULL, *jwk;
	struct ojwk	*key = NULL;
	struct ojws	*jws = NULL;
	const char	*typ, *alg, *kid, *jti;
	char		 who[8 + OJWK_THUMBPRINT_LEN];
	struct oerr	 e;
	int64_t		 iat;
	size_t		 i;
	int		 rc = 0;

	memset(out, 0, sizeof(*out));
	oerr_clear(&e);
	if (proof == NULL || *proof == '\0') {
		BAD(err, "The request has no DPoP proof.");
		goto out;
	}
	if (strlen(proof) > OJWS_MAX) {
		BAD(err, "The DPoP proof is longer than %d bytes.", OJWS_MAX);
		goto out;
	}
	if ((h = ojws_peek(proof, 0)) == NULL) {
		BAD(err, "The DPoP proof is not a JWS in compact form with a "
		    "JSON object as its header.");
		goto out;
	}
	typ = json_string_value(json_object_get(h, "typ"));
	alg = json_string_value(json_object_get(h, "alg"));
	if (typ == NULL || strcmp(typ, "dpop+jwt") != 0) {
		BAD(err, "The DPoP proof's 'typ' is not 'dpop+jwt'.");
		goto out;
	}
	for (i = 0; alg != NULL && odpop_algs[i] != NULL &&
	    strcmp(odpop_algs[i], alg) != 0; i++)
		continue;
	if (alg == NULL || odpop_algs[i] == NULL) {
		BAD(err, "The DPoP proof's 'alg' is not one of the asymmetric "
		    "algorithms supported.");
		goto out;
	}
	if (!json_is_object(jwk = json_object_get(h, "jwk")) ||
	    (key = ojwk_import(jwk, 0, &e)) == NULL) {
		BAD(err, "The DPoP proof's 'jwk' is not a usable public key: "
		    "%s", oerr_isset(&e) ? e.description : "it is missing.");
		goto out;
	}
	if (ojwk_has_private(key)) {
		BAD(err, "The DPoP proof's 'jwk' holds a private key.");
		goto out;
	}
	/* ojws_verify() tries only keys of the header's kid. */
	if ((kid = json_string_value(json_object_get(h, "kid"))) != NULL &&
	    !ojwk_set_kid(key, kid, &e)) {
		BAD(err, "The DPoP proof's 'kid' is not usable.");
		goto out;
	}
	oerr_clear(&e);
	if ((jws = ojws_verify(proof, strlen(proof), &key, 1, odpop_algs,
	    &e)) == NULL) {
		BAD(err, "The DPoP proof's signature does not verify with "
		    "its 'jwk': %s", e.description);
		goto out;
	}
	oerr_clear(&e);
	if ((c = ojwt_claims(jws, &e)) == NULL) {
		BAD(err, "The DPoP proof's payload is not a JSON object.");
		goto out;
	}
	if (!check_claims(c, htm, htu, token, now, &iat, err))
		goto out;
	oerr_clear(&e);
	if (!ojwk_thumbprint(key, out->jkt, &e)) {
		oerr_set(err, OERR_SERVER_ERROR, "%s", e.description);
		goto out;
	}
	/* The mark: the key's thumbprint and the jti (jti.h). */
	jti = json_string_value(json_object_get(c, "jti"));
	snprintf(who, sizeof(who), "dpop:%s", out->jkt);
	ojti_key(who, jti, out->mark);
	out->exp = iat + ODPOP_WINDOW + ODPOP_SKEW + 1;
	rc = 1;
out:
	json_decref(h);
	json_decref(c);
	ojws_free(jws);
	ojwk_free(key);
	return rc;
}

int
odpop_spend(struct ostore_txn *t, const struct odpop *d, struct oerr *err)
{
	struct oerr	 e;

	oerr_clear(&e);
	if (ojti_use(t, d->mark, d->exp, &e))
		return 1;
	if (e.code == OERR_INVALID_CLIENT)
		BAD(err, "The DPoP proof's 'jti' has been used before.");
	else
		oerr_set(err, e.code, "%s", e.description);
	return 0;
}

static int
spend_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return odpop_spend(t, arg, err);
}

int
odpop_spend_now(const struct odpop *d, struct oerr *err)
{
	return ostore_write(spend_fn, (void *)d, err);
}
