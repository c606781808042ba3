/*
 * jose.c: the algorithm and curve tables shared by jwk.c and jws.c,
 * small helpers, and the JWT claim checks (jose.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "base/crypto.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "jose/jose.h"
#include "jose/jose_int.h"

/* RFC 7518 §3.1, RFC 8037 §3.1. */
const struct ojose_alginfo ojose_algs[OJOSE_ALG__MAX] = {
	{ "", OJOSE_KTY__MAX, OJOSE_CRV_NONE, OCRYPTO_SHA256, 0 },
							/* OJOSE_ALG_UNSET */
	{ "HS256", OJOSE_KTY_OCT, OJOSE_CRV_NONE, OCRYPTO_SHA256, 0 },
							/* OJOSE_HS256 */
	{ "HS384", OJOSE_KTY_OCT, OJOSE_CRV_NONE, OCRYPTO_SHA384, 0 },
							/* OJOSE_HS384 */
	{ "HS512", OJOSE_KTY_OCT, OJOSE_CRV_NONE, OCRYPTO_SHA512, 0 },
							/* OJOSE_HS512 */
	{ "RS256", OJOSE_KTY_RSA, OJOSE_CRV_NONE, OCRYPTO_SHA256, 0 },
							/* OJOSE_RS256 */
	{ "RS384", OJOSE_KTY_RSA, OJOSE_CRV_NONE, OCRYPTO_SHA384, 0 },
							/* OJOSE_RS384 */
	{ "RS512", OJOSE_KTY_RSA, OJOSE_CRV_NONE, OCRYPTO_SHA512, 0 },
							/* OJOSE_RS512 */
	{ "PS256", OJOSE_KTY_RSA, OJOSE_CRV_NONE, OCRYPTO_SHA256, 1 },
							/* OJOSE_PS256 */
	{ "PS384", OJOSE_KTY_RSA, OJOSE_CRV_NONE, OCRYPTO_SHA384, 1 },
							/* OJOSE_PS384 */
	{ "PS512", OJOSE_KTY_RSA, OJOSE_CRV_NONE, OCRYPTO_SHA512, 1 },
							/* OJOSE_PS512 */
	{ "ES256", OJOSE_KTY_EC, OJOSE_CRV_P256, OCRYPTO_SHA256, 0 },
							/* OJOSE_ES256 */
	{ "ES384", OJOSE_KTY_EC, OJOSE_CRV_P384, OCRYPTO_SHA384, 0 },
							/* OJOSE_ES384 */
	{ "ES512", OJOSE_KTY_EC, OJOSE_CRV_P521, OCRYPTO_SHA512, 0 },
							/* OJOSE_ES512 */
	{ "EdDSA", OJOSE_KTY_OKP, OJOSE_CRV_ED25519, OCRYPTO_SHA512, 0 },
							/* OJOSE_EDDSA */
};

/* RFC 7518 §6.2.1.1, RFC 8037 §2. */
const struct ojose_crvinfo ojose_crvs[OJOSE_CRV__MAX] = {
	{ "", "", OJOSE_KTY__MAX, 0, OJOSE_ALG_UNSET },	/* OJOSE_CRV_NONE */
	{ "P-256", "prime256v1", OJOSE_KTY_EC, 32, OJOSE_ES256 },
							/* OJOSE_CRV_P256 */
	{ "P-384", "secp384r1", OJOSE_KTY_EC, 48, OJOSE_ES384 },
							/* OJOSE_CRV_P384 */
	{ "P-521", "secp521r1", OJOSE_KTY_EC, 66, OJOSE_ES512 },
							/* OJOSE_CRV_P521 */
	{ "Ed25519", "ED25519", OJOSE_KTY_OKP, 32, OJOSE_EDDSA },
							/* OJOSE_CRV_ED25519 */
};

/* RFC 7518 §6.1, RFC 8037 §2: case-sensitive. */
const char *const ojose_ktys[OJOSE_KTY__MAX] = {
	"RSA",		/* OJOSE_KTY_RSA */
	"EC",		/* OJOSE_KTY_EC */
	"OKP",		/* OJOSE_KTY_OKP */
	"oct",		/* OJOSE_KTY_OCT */
};

/*
 * The alg named s (case-sensitive, RFC 7515 §4.1.1), or OJOSE_ALG_UNSET
 * for NULL, unknown names and "none" (RFC 7518 §3.6), which this module
 * never accepts.
 */
enum ojose_alg
ojose_alg_lookup(const char *s)
{
	int	 i;

	if (s == NULL)
		return OJOSE_ALG_UNSET;
	for (i = OJOSE_ALG_UNSET + 1; i < OJOSE_ALG__MAX; i++)
		if (strcmp(s, ojose_algs[i].name) == 0)
			return (enum ojose_alg)i;
	return OJOSE_ALG_UNSET;
}

/*
 * Is alg a supported JWS algorithm (RFC 7518 §3.1)?  Returns 1 or 0.
 */
int
ojose_alg_supported(const char *alg)
{
	return ojose_alg_lookup(alg) != OJOSE_ALG_UNSET;
}

/*
 * OpenSSL's name for the digest md, for EVP_DigestSignInit_ex().
 * The string is static.
 */
const char *
ojose_md_name(enum ocrypto_md md)
{
	switch (md) {
	case OCRYPTO_SHA384:
		return "SHA384";
	case OCRYPTO_SHA512:
		return "SHA512";
	default:
		return "SHA256";
	}
}

/*
 * Log that the OpenSSL function call failed, with the reason at the top
 * of OpenSSL's error queue, then empty the queue so that the next
 * failure is not blamed on this one.
 */
void
ojose_ossl_err(const char *call)
{
	unsigned long	 e;
	char		 buf[256];

	if ((e = ERR_get_error()) == 0)
		olog_err("%s: failed", call);
	else {
		ERR_error_string_n(e, buf, sizeof(buf));
		olog_err("%s: %s", call, buf);
	}
	ERR_clear_error();
}

/*
 * Decode len bytes of strict base64url (RFC 7515 §2; see
 * ocrypto_b64url_decode()) into a new buffer with a NUL after the
 * *outlen decoded bytes.  Returns NULL if s is not valid; nothing
 * decoded is left behind.
 */
unsigned char *
ojose_b64_dec(const char *s, size_t len, size_t *outlen)
{
	unsigned char	*buf;
	size_t		 sz;

	*outlen = 0;
	sz = len / 4 * 3 + 3;
	buf = oxmalloc(sz);
	if (!ocrypto_b64url_decode(buf, sz - 1, outlen, s, len)) {
		free(buf);
		return NULL;
	}
	buf[*outlen] = '\0';
	return buf;
}

/*
 * n bytes at p as a new NUL-terminated base64url string without
 * padding (RFC 7515 §2).  The caller frees it (wiping it if p was
 * secret).
 */
char *
ojose_b64_enc(const void *p, size_t n)
{
	char	*s;
	size_t	 len;

	len = ocrypto_b64url_len(n);
	if (len == SIZE_MAX)
		abort();
	s = oxmalloc(len + 1);
	if (!ocrypto_b64url_encode(s, len + 1, NULL, p, n))
		abort();
	return s;
}

/*
 * Wipe the n bytes at p, which may be secret, and free p.
 */
void
ojose_wipe_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, n);
	free(p);
}

/*
 * Wipe and free a NUL-terminated string from this module: a JWS is a
 * credential, a PEM key may be private.
 */
void
ojose_free(char *s)
{
	if (s != NULL)
		ojose_wipe_free(s, strlen(s));
}

/*
 * The JWT Claims Set of a verified JWS: its payload parsed as a JSON
 * object with duplicate member names refused (RFC 7519 §7.2 step 10,
 * §4: "Claim Names within a JWT Claims Set MUST be unique").  Returns
 * a new reference, or NULL with err set.
 */
json_t *
ojwt_claims(const struct ojws *jws, struct oerr *err)
{
	json_t		*j = NULL;
	json_error_t	 je;

	if (jws == NULL)
		oerr_set(err, OERR_INVALID_REQUEST, "The JWT is missing.");
	else if ((j = json_loadb((const char *)jws->payload, jws->payloadlen,
	    JSON_REJECT_DUPLICATES, &je)) == NULL)
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWT claims are not valid JSON: %s.", je.text);
	else if (!json_is_object(j)) {
		json_decref(j);
		j = NULL;
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWT claims must be a JSON object.");
	}
	return j;
}

/*
 * Read the NumericDate claim name (RFC 7519 §2: a JSON number of
 * seconds, possibly non-integer) into *out and set *present.  Returns 0
 * with err set if it is not a number, or absent and required.
 */
static int
numeric_date(const json_t *claims, const char *name, int required,
    double *out, int *present, struct oerr *err)
{
	json_t	*v;

	*present = 0;
	if ((v = json_object_get(claims, name)) == NULL) {
		if (required) {
			oerr_set(err, OERR_INVALID_REQUEST,
			    "The JWT claim '%s' is required.", name);
			return 0;
		}
		return 1;
	}
	if (!json_is_number(v)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWT claim '%s' must be a number.", name);
		return 0;
	}
	*out = json_number_value(v);
	*present = 1;
	return 1;
}

/*
 * Check the audience claim (RFC 7519 §4.1.3): a string, or an array of
 * strings, that must contain aud.  When aud is NULL the claim must be
 * absent: a JWT for some audience is not for us.  Returns 1, or 0 with
 * err set.
 */
static int
check_aud(const json_t *claims, const char *aud, struct oerr *err)
{
	json_t	*v, *e;
	size_t	 i;
	int	 found = 0;

	v = json_object_get(claims, "aud");
	if (v == NULL && aud == NULL)
		return 1;
	if (v == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWT claim 'aud' is required.");
		return 0;
	}
	if (json_is_string(v))
		found = aud != NULL && ojson_is(v, aud);
	else if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (!json_is_string(e)) {
				oerr_set(err, OERR_INVALID_REQUEST,
				    "The JWT claim 'aud' must be a string "
				    "or an array of strings.");
				return 0;
			}
			if (aud != NULL && ojson_is(e, aud))
				found = 1;
		}
	} else {
		oerr_set(err, OERR_INVALID_REQUEST, "The JWT claim 'aud' "
		    "must be a string or an array of strings.");
		return 0;
	}
	if (aud == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST, "The JWT has an 'aud' "
		    "claim, but no audience is expected here.");
		return 0;
	}
	if (!found) {
		oerr_set(err, OERR_INVALID_REQUEST, "The JWT claim 'aud' "
		    "does not contain the expected audience.");
		return 0;
	}
	return 1;
}

/*
 * Check exp, nbf, iat, iss and aud of a JWT Claims Set at time now with
 * skew seconds of leeway (RFC 7519 §4.1.1, §4.1.3 to §4.1.6; see
 * jose.h).  Returns 1, or 0 with err set.
 */
int
ojwt_check(const json_t *claims, const char *iss, const char *aud,
    int64_t now, int64_t skew, unsigned flags, struct oerr *err)
{
	json_t	*v = NULL;
	double	 exp = 0, nbf = 0, iat = 0, t, s;
	int	 hasexp = 0, hasnbf = 0, hasiat = 0, rc = 0;

	if (skew < 0)
		skew = 0;
	t = (double)now;
	s = (double)skew;

	if (!json_is_object(claims)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWT claims must be a JSON object.");
		goto out;
	}
	if (!numeric_date(claims, "exp", flags & OJWT_REQUIRE_EXP,
	    &exp, &hasexp, err) ||
	    !numeric_date(claims, "nbf", 0, &nbf, &hasnbf, err) ||
	    !numeric_date(claims, "iat", flags & OJWT_REQUIRE_IAT,
	    &iat, &hasiat, err))
		goto out;

	/* §4.1.4: "on or after which the JWT MUST NOT be accepted". */
	if (hasexp && t - s >= exp)
		oerr_set(err, OERR_INVALID_REQUEST, "The JWT has expired.");
	/* §4.1.5: "before which the JWT MUST NOT be accepted". */
	else if (hasnbf && t + s < nbf)
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWT is not valid yet (nbf).");
	else if (hasiat && iat > t + s)
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWT was issued in the future (iat).");
	else if (iss != NULL &&
	    (v = json_object_get(claims, "iss")) == NULL)
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWT claim 'iss' is required.");
	else if (iss != NULL && !json_is_string(v))
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWT claim 'iss' must be a string.");
	else if (iss != NULL && !ojson_is(v, iss))
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWT claim 'iss' is not the expected issuer.");
	else if (check_aud(claims, aud, err))
		rc = 1;
out:
	return rc;
}
