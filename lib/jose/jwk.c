/*
 * jwk.c: JSON Web Keys (RFC 7517; RFC 7518 §6; RFC 8037 §2), their
 * RFC 7638 thumbprints, key generation, PEM import and export, and JWK
 * Sets (jose.h).  OpenSSL 3 EVP and OSSL_PARAM only.
 *
 * Every import goes through one path, key_import(): a PEM key is turned
 * into a JWK and imported like any other, so the size and consistency
 * checks cannot be bypassed.  A key is first built public-only and
 * checked, then, if it has private members, rebuilt as a key pair and
 * checked again, so that each failure names its cause.
 *
 * Malformed keys come from clients (jwks, request objects) and are not
 * logged above debug level.  NEVER LOG KEY MATERIAL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "base/crypto.h"
#include "base/err.h"
#include "base/util.h"
#include "jose/jose.h"
#include "jose/jose_int.h"

#define RSA_MIN_BITS	2048	/* RFC 7518 §3.3 */
#define RSA_MAX_BITS	8192	/* bounds the cost of a verification */
#define RSA_MAX_BYTES	(RSA_MAX_BITS / 8)
#define RSA_E_MAX	32	/* OpenSSL wants e < 2^256 (SP 800-56B) */
#define OCT_MAX		1024	/* bytes of an HMAC secret */
#define MEMBER_MAX	16	/* bytes of a kty, crv or alg */

/* The RSA private members after "d" and their OpenSSL names. */
static const struct {
	const char	*jwk;
	const char	*ossl;
} rsa_crt[5] = {
	{ "p", OSSL_PKEY_PARAM_RSA_FACTOR1 },
	{ "q", OSSL_PKEY_PARAM_RSA_FACTOR2 },
	{ "dp", OSSL_PKEY_PARAM_RSA_EXPONENT1 },
	{ "dq", OSSL_PKEY_PARAM_RSA_EXPONENT2 },
	{ "qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1 },
};

/*
 * Add v to object o under name, taking the reference.  v NULL (a
 * json_string() of bytes that are not UTF-8, which no key member may
 * be) breaks an invariant and aborts; memory cannot run out (jansson
 * allocates through oxmalloc).
 */
static void
jset(json_t *o, const char *name, json_t *v)
{
	if (v == NULL || json_object_set_new(o, name, v) != 0)
		abort();
}

/* A new, empty key of type kty. */
static struct ojwk *
key_new(enum ojose_kty kty)
{
	struct ojwk	*key;

	key = oxcalloc(1, sizeof(*key));
	key->kty = kty;
	key->crv = OJOSE_CRV_NONE;
	key->alg = OJOSE_ALG_UNSET;
	return key;
}

/*
 * Free a key, wiping an oct secret.  OpenSSL wipes its own private key
 * material in EVP_PKEY_free().
 */
void
ojwk_free(struct ojwk *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey);
	ojose_wipe_free(key->k, key->klen);
	free(key->kid);
	free(key->use);
	free(key);
}

/*
 * Can a key of this kty, crv and oct length be used with alg
 * (RFC 7518 §3.1 "alg" to key type; §3.4 curve per ES alg; §3.2 HMAC
 * key at least the hash size; RFC 8037 §3.1)?  Returns 1, or 0 with err
 * (which may be NULL) set.
 */
static int
alg_fits(const struct ojwk *key, enum ojose_alg alg, struct oerr *err)
{
	const struct ojose_alginfo	*a;
	size_t				 md;

	if (alg <= OJOSE_ALG_UNSET || alg >= OJOSE_ALG__MAX) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The algorithm is not supported.");
		return 0;
	}
	a = &ojose_algs[alg];
	if (key->kty != a->kty) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK has kty '%s' but alg '%s'.",
		    ojose_ktys[key->kty], a->name);
		return 0;
	}
	if (a->crv != OJOSE_CRV_NONE && key->crv != a->crv) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK has crv '%s' but alg '%s'.",
		    ojose_crvs[key->crv].name, a->name);
		return 0;
	}
	md = ocrypto_md_len(a->md);
	if (key->kty == OJOSE_KTY_OCT && key->klen < md) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK oct key has %zu bytes, but alg '%s' needs at "
		    "least %zu.", key->klen, a->name, md);
		return 0;
	}
	return 1;
}

/*
 * Can key sign or verify with alg: alg_fits(), and the key's own "alg"
 * (RFC 7517 §4.4) unset or equal, and its "use" (§4.2) unset or "sig"?
 * Returns 1, or 0 with err (which may be NULL) set.
 */
int
ojose_key_fits(const struct ojwk *key, enum ojose_alg alg,
    struct oerr *err)
{
	if (alg > OJOSE_ALG_UNSET && alg < OJOSE_ALG__MAX &&
	    key->alg != OJOSE_ALG_UNSET && key->alg != alg) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK has alg '%s', not '%s'.",
		    ojose_algs[key->alg].name, ojose_algs[alg].name);
		return 0;
	}
	if (key->use != NULL && strcmp(key->use, "sig") != 0) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK has use '%s', not 'sig'.", key->use);
		return 0;
	}
	return alg_fits(key, alg, err);
}

/*
 * Public wrapper of ojose_key_fits() by alg name.  Returns 1 or 0.
 */
int
ojwk_fits(const struct ojwk *key, const char *alg)
{
	if (key == NULL)
		return 0;
	return ojose_key_fits(key, ojose_alg_lookup(alg), NULL);
}

/*
 * The string member name of jwk into *out (borrowed) and *len.  Absent
 * gives *out NULL, which is an error only when required.  A present
 * member must be a string of at most maxlen bytes without NUL.  Returns
 * 1, or 0 with err set naming the member.
 */
static int
str_member(const json_t *jwk, const char *name, int required,
    size_t maxlen, const char **out, size_t *len, struct oerr *err)
{
	json_t	*v;

	*out = NULL;
	*len = 0;
	if ((v = json_object_get(jwk, name)) == NULL) {
		if (!required)
			return 1;
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK member '%s' is required.", name);
		return 0;
	}
	if (!json_is_string(v)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK member '%s' must be a string.", name);
		return 0;
	}
	if (json_string_length(v) > maxlen) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK member '%s' is too long.", name);
		return 0;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK member '%s' contains a NUL.", name);
		return 0;
	}
	*out = json_string_value(v);
	*len = json_string_length(v);
	return 1;
}

/*
 * The base64url member name (RFC 7518 §6: every key member is
 * base64url) decoded into a new buffer *out of *len bytes, at most
 * maxlen.  Absent gives *out NULL, an error only when required.  The
 * decoding is strict (ocrypto_b64url_decode()) and an empty value is
 * refused.  Returns 1, or 0 with err set naming the member.  The caller
 * wipes and frees *out.
 */
static int
b64_member(const json_t *jwk, const char *name, int required,
    size_t maxlen, unsigned char **out, size_t *len, struct oerr *err)
{
	const char	*s;
	size_t		 slen;

	*out = NULL;
	*len = 0;
	if (!str_member(jwk, name, required, ocrypto_b64url_len(maxlen),
	    &s, &slen, err))
		return 0;
	if (s == NULL)
		return 1;
	if ((*out = ojose_b64_dec(s, slen, len)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK member '%s' is not valid base64url.", name);
		return 0;
	}
	if (*len == 0) {
		free(*out);
		*out = NULL;
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK member '%s' is empty.", name);
		return 0;
	}
	return 1;
}

/*
 * Build a key of OpenSSL type "type" from params, as a key pair or as a
 * public key only (EVP_PKEY_fromdata).  Returns the new key, or NULL if
 * OpenSSL refuses the values; the refusal is only logged at debug
 * level, as input causes it.
 */
static EVP_PKEY *
pkey_fromdata(const char *type, int priv, OSSL_PARAM *params)
{
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pkey = NULL;

	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL)
		ojose_ossl_err("EVP_PKEY_CTX_new_from_name");
	else if (EVP_PKEY_fromdata_init(ctx) != 1)
		ojose_ossl_err("EVP_PKEY_fromdata_init");
	else if (EVP_PKEY_fromdata(ctx, &pkey,
	    priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1) {
		olog_debug("EVP_PKEY_fromdata: %s key refused", type);
		ERR_clear_error();
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

enum check {
	CHECK_PUBLIC,		/* EVP_PKEY_public_check */
	CHECK_PRIVATE,		/* EVP_PKEY_private_check */
	CHECK_PAIRWISE		/* EVP_PKEY_pairwise_check */
};

/*
 * Run one of OpenSSL's key checks: the public part (an EC point on its
 * curve, in range and of the right order), the private part (an EC scalar
 * in [1, n - 1]), or whether the private part matches the public one
 * (EC: d G = Q; Ed25519: the public key derived from the private).
 * Returns 1 if the key passes.
 */
static int
pkey_check(EVP_PKEY *pkey, enum check what)
{
	EVP_PKEY_CTX	*ctx;
	int		 rc;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL) {
		ojose_ossl_err("EVP_PKEY_CTX_new_from_pkey");
		return 0;
	}
	switch (what) {
	case CHECK_PUBLIC:
		rc = EVP_PKEY_public_check(ctx);
		break;
	case CHECK_PRIVATE:
		rc = EVP_PKEY_private_check(ctx);
		break;
	default:
		rc = EVP_PKEY_pairwise_check(ctx);
		break;
	}
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return rc == 1;
}

/*
 * Are the RSA private values consistent with n and e?  n = pq,
 * dp = d mod (p - 1), dq = d mod (q - 1), e dp = 1 mod (p - 1),
 * e dq = 1 mod (q - 1) (so e d = 1 mod lcm(p - 1, q - 1)), q qi = 1
 * mod p, 0 < d < n, 0 < qi < p (RFC 7518 §6.3.2, RFC 8017 §3.2).
 * OpenSSL's own pairwise check also proves p and q prime, which takes
 * a quarter of a second for a 4096-bit key on every import; primality
 * protects only the key's owner, so it is left out.  v holds n, e, d,
 * p, q, dp, dq, qi.  Returns 1 if consistent.
 */
static int
rsa_consistent(BIGNUM *const v[8])
{
	const BIGNUM	*n = v[0], *e = v[1], *d = v[2], *p = v[3],
			*q = v[4], *dp = v[5], *dq = v[6], *qi = v[7];
	BN_CTX		*ctx;
	BIGNUM		*t, *pm1, *qm1;
	int		 rc = 0;

	if ((ctx = BN_CTX_secure_new()) == NULL) {
		ojose_ossl_err("BN_CTX_secure_new");
		return 0;
	}
	BN_CTX_start(ctx);
	t = BN_CTX_get(ctx);
	pm1 = BN_CTX_get(ctx);
	qm1 = BN_CTX_get(ctx);
	if (qm1 == NULL)
		ojose_ossl_err("BN_CTX_get");
	else if (BN_is_zero(d) || BN_cmp(d, n) >= 0 ||
	    BN_is_zero(qi) || BN_cmp(qi, p) >= 0 ||
	    BN_cmp(p, BN_value_one()) <= 0 || BN_cmp(q, BN_value_one()) <= 0)
		goto out;
	else if (!BN_mul(t, p, q, ctx) || BN_cmp(t, n) != 0)
		goto out;
	else if (!BN_sub(pm1, p, BN_value_one()) ||
	    !BN_sub(qm1, q, BN_value_one()))
		goto out;
	else if (!BN_mod(t, d, pm1, ctx) || BN_cmp(t, dp) != 0)
		goto out;
	else if (!BN_mod(t, d, qm1, ctx) || BN_cmp(t, dq) != 0)
		goto out;
	else if (!BN_mod_mul(t, e, dp, pm1, ctx) || !BN_is_one(t))
		goto out;
	else if (!BN_mod_mul(t, e, dq, qm1, ctx) || !BN_is_one(t))
		goto out;
	else if (!BN_mod_mul(t, q, qi, p, ctx) || !BN_is_one(t))
		goto out;
	else
		rc = 1;
out:
	ERR_clear_error();
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	return rc;
}

/*
 * Build an RSA key from the big-endian values v[0..nv-1] (n, e, and for
 * a private key d, p, q, dp, dq, qi) and check it.  Returns 1, or 0
 * with err set.
 */
static int
rsa_build(struct ojwk *key, unsigned char *const val[8],
    const size_t len[8], int priv, struct oerr *err)
{
	static const char *const names[3] = {
	    OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
	    OSSL_PKEY_PARAM_RSA_D };
	OSSL_PARAM_BLD	*bld = NULL;
	OSSL_PARAM	*params = NULL;
	BIGNUM		*bn[8] = { NULL };
	EVP_PKEY	*pub = NULL;
	size_t		 i, nv = priv ? 8 : 2;
	int		 rc = 0;

	for (i = 0; i < nv; i++) {
		bn[i] = i < 2 ? BN_new() : BN_secure_new();
		if (bn[i] == NULL ||
		    BN_bin2bn(val[i], (int)len[i], bn[i]) == NULL) {
			ojose_ossl_err("BN_bin2bn");
			goto out;
		}
	}

	/* The public key alone first, so its faults are named as such. */
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, names[0], bn[0]) ||
	    !OSSL_PARAM_BLD_push_BN(bld, names[1], bn[1]) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		ojose_ossl_err("OSSL_PARAM_BLD");
		goto out;
	}
	if ((pub = pkey_fromdata("RSA", 0, params)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK RSA public key (n, e) is not valid.");
		goto out;
	}
	if (!priv) {
		key->pkey = pub;
		pub = NULL;
		rc = 1;
		goto out;
	}

	if (!rsa_consistent(bn)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK's private members do not match its public key.");
		goto out;
	}
	OSSL_PARAM_free(params);
	params = NULL;
	OSSL_PARAM_BLD_free(bld);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL) {
		ojose_ossl_err("OSSL_PARAM_BLD_new");
		goto out;
	}
	for (i = 0; i < nv; i++)
		if (!OSSL_PARAM_BLD_push_BN(bld,
		    i < 3 ? names[i] : rsa_crt[i - 3].ossl, bn[i])) {
			ojose_ossl_err("OSSL_PARAM_BLD_push_BN");
			goto out;
		}
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		ojose_ossl_err("OSSL_PARAM_BLD_to_param");
	else if ((key->pkey = pkey_fromdata("RSA", 1, params)) == NULL)
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK RSA private key is not valid.");
	else
		rc = 1;
out:
	EVP_PKEY_free(pub);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	for (i = 0; i < 8; i++)
		BN_clear_free(bn[i]);
	return rc;
}

/*
 * The RSA members (RFC 7518 §6.3): "n" and "e" (Base64urlUInt, minimal
 * octets, §2), a modulus of RSA_MIN_BITS to RSA_MAX_BITS bits; for a
 * private key "d" with all of "p", "q", "dp", "dq", "qi" (§6.3.2 lets a
 * producer omit the CRT values; OpenSSL would then sign without CRT and
 * nothing could check the key pair cheaply, so they are required), and
 * no "oth" (multi-prime keys are not supported).  Returns 1, or 0 with
 * err set.
 */
static int
rsa_import(struct ojwk *key, const json_t *jwk, struct oerr *err)
{
	unsigned char	*val[8] = { NULL };
	size_t		 len[8] = { 0 }, i;
	unsigned int	 top;
	int		 bits, rc = 0;

	if (!b64_member(jwk, "n", 1, RSA_MAX_BYTES, &val[0], &len[0], err) ||
	    !b64_member(jwk, "e", 1, RSA_E_MAX, &val[1], &len[1], err) ||
	    !b64_member(jwk, "d", 0, RSA_MAX_BYTES + 1, &val[2], &len[2],
	    err))
		goto out;
	for (i = 0; i < 5; i++)
		if (!b64_member(jwk, rsa_crt[i].jwk, val[2] != NULL,
		    RSA_MAX_BYTES + 1, &val[3 + i], &len[3 + i], err))
			goto out;

	for (i = 0; i < 5; i++)
		if (val[2] == NULL && val[3 + i] != NULL) {
			oerr_set(err, OERR_INVALID_REQUEST,
			    "The JWK member '%s' is private, but 'd' is "
			    "absent.", rsa_crt[i].jwk);
			goto out;
		}
	if (json_object_get(jwk, "oth") != NULL) {
		oerr_set(err, OERR_INVALID_REQUEST, "The JWK member 'oth' "
		    "(multi-prime RSA) is not supported.");
		goto out;
	}
	if (val[0][0] == 0 || val[1][0] == 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The JWK member '%s' has "
		    "a leading zero octet.", val[0][0] == 0 ? "n" : "e");
		goto out;
	}
	bits = (int)(len[0] - 1) * 8;
	for (top = val[0][0]; top != 0; top >>= 1)
		bits++;
	if (bits < RSA_MIN_BITS) {
		oerr_set(err, OERR_INVALID_REQUEST, "The JWK RSA modulus has "
		    "%d bits; at least %d are required.", bits, RSA_MIN_BITS);
		goto out;
	}
	/*
	 * n odd (a product of odd primes), e odd and above 1 (RFC 8017
	 * §3.1), so e < n.  NOTE: NOT EVP_PKEY_public_check(), which for
	 * RSA also runs Miller-Rabin on n: 0.12 s for 8192 bits, a lever
	 * for anyone who hands us a JWK Set, and nothing a verifier needs.
	 */
	if (!(val[0][len[0] - 1] & 1) || !(val[1][len[1] - 1] & 1) ||
	    (len[1] == 1 && val[1][0] == 1)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK RSA public key (n, e) is not valid.");
		goto out;
	}
	key->priv = val[2] != NULL;
	rc = rsa_build(key, val, len, key->priv, err);
out:
	for (i = 0; i < 8; i++)
		ojose_wipe_free(val[i], len[i]);
	return rc;
}

/*
 * The curve named by the JWK's "crv", which must be one of kty's
 * (RFC 7518 §6.2.1.1, RFC 8037 §2).  Returns 1 with key->crv set, or 0
 * with err set.
 */
static int
crv_member(struct ojwk *key, const json_t *jwk, struct oerr *err)
{
	const char	*s;
	size_t		 len;
	int		 i;

	if (!str_member(jwk, "crv", 1, MEMBER_MAX, &s, &len, err))
		return 0;
	for (i = OJOSE_CRV_NONE + 1; i < OJOSE_CRV__MAX; i++)
		if (ojose_crvs[i].kty == key->kty &&
		    strcmp(s, ojose_crvs[i].name) == 0) {
			key->crv = (enum ojose_crv)i;
			return 1;
		}
	oerr_set(err, OERR_INVALID_REQUEST,
	    "The JWK crv '%s' is not supported for kty '%s'.",
	    s, ojose_ktys[key->kty]);
	return 0;
}

/*
 * A member of exactly the curve's size, as RFC 7518 §6.2.1.2,
 * §6.2.1.3, §6.2.2.1 and RFC 8037 §2 require.  Returns 1, or 0 with err
 * set.
 */
static int
sized_member(const struct ojwk *key, const json_t *jwk, const char *name,
    int required, unsigned char **out, size_t *len, struct oerr *err)
{
	const struct ojose_crvinfo	*c = &ojose_crvs[key->crv];

	if (!b64_member(jwk, name, required, c->size + 8, out, len, err))
		return 0;
	if (*out != NULL && *len != c->size) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK member '%s' must be %zu bytes for crv '%s'.",
		    name, c->size, c->name);
		return 0;
	}
	return 1;
}

/*
 * Build a key from curve parameters: for EC the group name, the
 * uncompressed point pub and the scalar d; for OKP the raw public and
 * private keys (RFC 8037 §2).  d may be NULL.  Returns the key or NULL.
 */
static EVP_PKEY *
curve_build(const struct ojwk *key, const unsigned char *pub,
    size_t publen, const unsigned char *d, size_t dlen)
{
	const struct ojose_crvinfo	*c = &ojose_crvs[key->crv];
	OSSL_PARAM_BLD			*bld = NULL;
	OSSL_PARAM			*params = NULL;
	BIGNUM				*bn = NULL;
	EVP_PKEY			*pkey = NULL;
	int				 ok;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL) {
		ojose_ossl_err("OSSL_PARAM_BLD_new");
		goto out;
	}
	ok = OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, publen);
	if (key->kty == OJOSE_KTY_EC) {
		ok = ok && OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, c->group, 0);
		if (d != NULL) {
			ok = ok && (bn = BN_secure_new()) != NULL &&
			    BN_bin2bn(d, (int)dlen, bn) != NULL &&
			    OSSL_PARAM_BLD_push_BN(bld,
			    OSSL_PKEY_PARAM_PRIV_KEY, bn);
		}
	} else if (d != NULL)
		ok = ok && OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PRIV_KEY, d, dlen);
	if (!ok || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		ojose_ossl_err("OSSL_PARAM_BLD");
		goto out;
	}
	pkey = pkey_fromdata(key->kty == OJOSE_KTY_EC ? "EC" : c->group,
	    d != NULL, params);
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(bn);
	return pkey;
}

/*
 * The EC (RFC 7518 §6.2) or OKP (RFC 8037 §2) members: "crv", "x", "y"
 * (EC only), and "d" for a private key, each exactly the curve size.
 * The point must be on the curve, d in range and matching it.
 * Returns 1, or 0 with err set.
 */
static int
curve_import(struct ojwk *key, const json_t *jwk, struct oerr *err)
{
	unsigned char	*x = NULL, *y = NULL, *d = NULL, *pub = NULL;
	size_t		 xlen = 0, ylen = 0, dlen = 0, publen = 0;
	EVP_PKEY	*pk = NULL;
	int		 ec = key->kty == OJOSE_KTY_EC, rc = 0;

	if (!crv_member(key, jwk, err) ||
	    !sized_member(key, jwk, "x", 1, &x, &xlen, err) ||
	    (ec && !sized_member(key, jwk, "y", 1, &y, &ylen, err)) ||
	    !sized_member(key, jwk, "d", 0, &d, &dlen, err))
		goto out;

	/* SEC 1 §2.3.3: an uncompressed point is 04 || X || Y. */
	if (ec) {
		publen = 1 + xlen + ylen;
		pub = oxmalloc(publen);
		pub[0] = 0x04;
		memcpy(pub + 1, x, xlen);
		memcpy(pub + 1 + xlen, y, ylen);
	}
	if ((pk = curve_build(key, ec ? pub : x, ec ? publen : xlen,
	    NULL, 0)) == NULL || !pkey_check(pk, CHECK_PUBLIC)) {
		if (ec)
			oerr_set(err, OERR_INVALID_REQUEST,
			    "The JWK point (x, y) is not on curve %s.",
			    ojose_crvs[key->crv].name);
		else
			oerr_set(err, OERR_INVALID_REQUEST,
			    "The JWK member 'x' is not a valid %s key.",
			    ojose_crvs[key->crv].name);
		goto out;
	}
	if (d == NULL) {
		key->pkey = pk;
		pk = NULL;
		rc = 1;
		goto out;
	}
	key->priv = 1;
	if ((key->pkey = curve_build(key, ec ? pub : x, ec ? publen : xlen,
	    d, dlen)) == NULL || !pkey_check(key->pkey, CHECK_PRIVATE))
		oerr_set(err, OERR_INVALID_REQUEST, "The JWK member 'd' is "
		    "not a valid %s private key.", ojose_crvs[key->crv].name);
	else if (!pkey_check(key->pkey, CHECK_PAIRWISE))
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK's private member 'd' does not match its public "
		    "key.");
	else
		rc = 1;
out:
	EVP_PKEY_free(pk);
	ojose_wipe_free(d, dlen);
	free(x);
	free(y);
	free(pub);
	return rc;
}

/*
 * The oct member "k" (RFC 7518 §6.4.1), the HMAC secret.  Its length is
 * checked against the alg later (alg_fits()).  Returns 1, or 0 with err
 * set.
 */
static int
oct_import(struct ojwk *key, const json_t *jwk, struct oerr *err)
{
	if (!b64_member(jwk, "k", 1, OCT_MAX, &key->k, &key->klen, err))
		return 0;
	key->priv = 1;
	return 1;
}

/*
 * Set the kid of key (RFC 7517 §4.5): a copy of kid, at most
 * OJWK_KID_MAX bytes, or when NULL the RFC 7638 thumbprint (a common
 * choice, and what "kid" means in RFC 7638 §1).  Returns 1, or 0 with
 * err set and the key unchanged.
 */
int
ojwk_set_kid(struct ojwk *key, const char *kid, struct oerr *err)
{
	char	 tp[OJWK_THUMBPRINT_LEN + 1];

	if (kid == NULL) {
		if (!ojwk_thumbprint(key, tp, err))
			return 0;
		kid = tp;
	} else if (strlen(kid) > OJWK_KID_MAX) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The kid is longer than %d bytes.", OJWK_KID_MAX);
		return 0;
	}
	free(key->kid);
	key->kid = oxstrdup(kid);
	return 1;
}

/*
 * Set the use of key (RFC 7517 §4.2): NULL for none, else at most
 * OJWK_USE_MAX bytes ("sig" and "enc" are the registered values; others
 * are allowed, and such a key never signs or verifies).  Returns 1, or
 * 0 with err set and the key unchanged.
 */
int
ojwk_set_use(struct ojwk *key, const char *use, struct oerr *err)
{
	if (use != NULL && strlen(use) > OJWK_USE_MAX) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The use is longer than %d bytes.", OJWK_USE_MAX);
		return 0;
	}
	free(key->use);
	key->use = use == NULL ? NULL : oxstrdup(use);
	return 1;
}

/*
 * Set the alg of key (RFC 7517 §4.4): NULL for none, else a supported
 * alg that fits the key (alg_fits()).  Returns 1, or 0 with err set and
 * the key unchanged.
 */
int
ojwk_set_alg(struct ojwk *key, const char *alg, struct oerr *err)
{
	enum ojose_alg	 a;

	if (alg == NULL) {
		key->alg = OJOSE_ALG_UNSET;
		return 1;
	}
	if ((a = ojose_alg_lookup(alg)) == OJOSE_ALG_UNSET) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK alg '%s' is not supported.", alg);
		return 0;
	}
	if (!alg_fits(key, a, err))
		return 0;
	key->alg = a;
	return 1;
}

/*
 * Import one JWK (see jose.h).  Returns a new key or NULL with err set.
 */
struct ojwk *
ojwk_import(const json_t *jwk, int need_private, struct oerr *err)
{
	struct ojwk	*key = NULL;
	const char	*kty, *kid, *use, *alg;
	size_t		 len;
	int		 i, ok = 0;

	if (!json_is_object(jwk)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK must be a JSON object.");
		goto out;
	}
	if (!str_member(jwk, "kty", 1, MEMBER_MAX, &kty, &len, err) ||
	    !str_member(jwk, "kid", 0, OJWK_KID_MAX, &kid, &len, err) ||
	    !str_member(jwk, "use", 0, OJWK_USE_MAX, &use, &len, err) ||
	    !str_member(jwk, "alg", 0, MEMBER_MAX, &alg, &len, err))
		goto out;
	for (i = 0; i < OJOSE_KTY__MAX; i++)
		if (strcmp(kty, ojose_ktys[i]) == 0)
			break;
	if (i == OJOSE_KTY__MAX) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK kty '%s' is not supported.", kty);
		goto out;
	}
	if (alg != NULL && ojose_alg_lookup(alg) == OJOSE_ALG_UNSET) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK alg '%s' is not supported.", alg);
		goto out;
	}
	/* An early check of kty against alg, before the members. */
	if (alg != NULL && (int)ojose_algs[ojose_alg_lookup(alg)].kty != i) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK has kty '%s' but alg '%s'.", kty, alg);
		goto out;
	}

	key = key_new((enum ojose_kty)i);
	switch (key->kty) {
	case OJOSE_KTY_RSA:
		ok = rsa_import(key, jwk, err);
		break;
	case OJOSE_KTY_EC:
	case OJOSE_KTY_OKP:
		ok = curve_import(key, jwk, err);
		break;
	default:
		ok = oct_import(key, jwk, err);
		break;
	}
	if (!ok)
		goto out;
	ok = 0;
	if (need_private && !key->priv)
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK has no private key (member 'd').");
	else if (!ojwk_set_alg(key, alg, err) ||
	    !ojwk_set_use(key, use, err))
		goto out;
	else if (kid != NULL && !ojwk_set_kid(key, kid, err))
		goto out;
	else
		ok = 1;
out:
	if (!ok) {
		ojwk_free(key);
		key = NULL;
	}
	return key;
}

/*
 * Import a JWK from len bytes of JSON text; duplicate member names are
 * refused (RFC 7515 §4's rule for headers, applied to keys too: a
 * second "n" must not hide behind the first).  Returns a new key or
 * NULL with err set.
 */
struct ojwk *
ojwk_import_str(const char *json, size_t len, int need_private,
    struct oerr *err)
{
	struct ojwk	*key = NULL;
	json_t		*j;
	json_error_t	 je;

	if ((j = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK is not valid JSON: %s.", je.text);
	else
		key = ojwk_import(j, need_private, err);
	json_decref(j);
	return key;
}

/*
 * Add the big-number key parameter param of pkey to o as the
 * base64url member name: pad bytes wide when pad is not 0 (EC, RFC 7518
 * §6.2.1.2), else in the fewest octets (Base64urlUInt, §2).  Returns 1,
 * or 0 after logging.
 */
static int
bn_member(json_t *o, const char *name, const EVP_PKEY *pkey,
    const char *param, size_t pad)
{
	BIGNUM		*bn = NULL;
	unsigned char	*buf = NULL;
	char		*s = NULL;
	size_t		 len = 0;
	int		 rc = 0;

	if (!EVP_PKEY_get_bn_param(pkey, param, &bn)) {
		ojose_ossl_err("EVP_PKEY_get_bn_param");
		goto out;
	}
	len = pad != 0 ? pad : (size_t)BN_num_bytes(bn);
	if (len == 0)
		len = 1;	/* §2: zero is one zero octet */
	buf = oxcalloc(1, len);
	if (BN_bn2binpad(bn, buf, (int)len) < 0) {
		ojose_ossl_err("BN_bn2binpad");
		goto out;
	}
	s = ojose_b64_enc(buf, len);
	jset(o, name, json_string_nocheck(s));
	rc = 1;
out:
	ojose_free(s);
	ojose_wipe_free(buf, len);
	BN_clear_free(bn);
	return rc;
}

/*
 * Add the raw public or private Ed25519 key of pkey to o as the
 * base64url member name (RFC 8037 §2).  Returns 1, or 0 after logging.
 */
static int
raw_member(json_t *o, const char *name, const EVP_PKEY *pkey, int priv)
{
	unsigned char	 buf[64];
	size_t		 len = sizeof(buf);
	char		*s;
	int		 ok;

	ok = priv ? EVP_PKEY_get_raw_private_key(pkey, buf, &len) :
	    EVP_PKEY_get_raw_public_key(pkey, buf, &len);
	if (!ok) {
		ojose_ossl_err("EVP_PKEY_get_raw_key");
		return 0;
	}
	s = ojose_b64_enc(buf, len);
	OPENSSL_cleanse(buf, sizeof(buf));
	jset(o, name, json_string_nocheck(s));
	ojose_free(s);
	return 1;
}

/*
 * The key as a new JSON object (see ojwk_export()), except that an oct
 * key always has its "k".  Returns NULL with err set on an OpenSSL
 * failure.
 */
static json_t *
export(const struct ojwk *key, int priv, struct oerr *err)
{
	const struct ojose_crvinfo	*c = &ojose_crvs[key->crv];
	json_t				*o;
	char				*s;
	size_t				 i;
	int				 ok = 1;

	priv = priv && key->priv;
	o = json_object();
	jset(o, "kty", json_string(ojose_ktys[key->kty]));
	switch (key->kty) {
	case OJOSE_KTY_RSA:
		ok = bn_member(o, "n", key->pkey, OSSL_PKEY_PARAM_RSA_N, 0) &&
		    bn_member(o, "e", key->pkey, OSSL_PKEY_PARAM_RSA_E, 0);
		if (ok && priv)
			ok = bn_member(o, "d", key->pkey,
			    OSSL_PKEY_PARAM_RSA_D, 0);
		for (i = 0; ok && priv && i < 5; i++)
			ok = bn_member(o, rsa_crt[i].jwk, key->pkey,
			    rsa_crt[i].ossl, 0);
		break;
	case OJOSE_KTY_EC:
		jset(o, "crv", json_string(c->name));
		ok = bn_member(o, "x", key->pkey, OSSL_PKEY_PARAM_EC_PUB_X,
		    c->size) && bn_member(o, "y", key->pkey,
		    OSSL_PKEY_PARAM_EC_PUB_Y, c->size);
		if (ok && priv)
			ok = bn_member(o, "d", key->pkey,
			    OSSL_PKEY_PARAM_PRIV_KEY, c->size);
		break;
	case OJOSE_KTY_OKP:
		jset(o, "crv", json_string(c->name));
		ok = raw_member(o, "x", key->pkey, 0);
		if (ok && priv)
			ok = raw_member(o, "d", key->pkey, 1);
		break;
	default:
		s = ojose_b64_enc(key->k, key->klen);
		jset(o, "k", json_string_nocheck(s));
		ojose_free(s);
		break;
	}
	if (!ok) {
		json_decref(o);
		oerr_set(err, OERR_SERVER_ERROR, "The key cannot be exported.");
		return NULL;
	}
	if (key->use != NULL)
		jset(o, "use", json_string(key->use));
	if (key->alg != OJOSE_ALG_UNSET)
		jset(o, "alg", json_string(ojose_algs[key->alg].name));
	if (key->kid != NULL)
		jset(o, "kid", json_string(key->kid));
	return o;
}

/*
 * Export the key as a JWK (see jose.h).  Returns a new reference, or
 * NULL with err set.
 */
json_t *
ojwk_export(const struct ojwk *key, int include_private, struct oerr *err)
{
	if (key->kty == OJOSE_KTY_OCT && !include_private) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "An oct key has no public part to export.");
		return NULL;
	}
	return export(key, include_private, err);
}

/*
 * The RFC 7638 thumbprint of key: the required members of §3.2
 * (RSA: e, kty, n; EC: crv, kty, x, y; OKP: crv, kty, x (RFC 8037
 * §2); oct: k, kty) in lexicographic order (§3.3), without whitespace,
 * hashed with SHA-256 and base64url-encoded into out.  Returns 1, or 0
 * with err set.
 */
int
ojwk_thumbprint(const struct ojwk *key, char out[OJWK_THUMBPRINT_LEN + 1],
    struct oerr *err)
{
	static const char *const req[OJOSE_KTY__MAX][4] = {
		{ "e", "kty", "n", NULL },		/* OJOSE_KTY_RSA */
		{ "crv", "kty", "x", "y" },		/* OJOSE_KTY_EC */
		{ "crv", "kty", "x", NULL },		/* OJOSE_KTY_OKP */
		{ "k", "kty", NULL, NULL },		/* OJOSE_KTY_OCT */
	};
	unsigned char	 md[OCRYPTO_SHA256_LEN];
	json_t		*full, *tp = NULL;
	char		*s = NULL;
	size_t		 i;
	int		 rc = 0;

	out[0] = '\0';
	if ((full = export(key, 0, err)) == NULL)
		goto out;
	tp = json_object();
	for (i = 0; i < 4 && req[key->kty][i] != NULL; i++)
		jset(tp, req[key->kty][i],
		    json_incref(json_object_get(full, req[key->kty][i])));
	/*
	 * NOTE: WHITESPACE IS IMPORTANT.  JSON_COMPACT writes no spaces,
	 * JSON_SORT_KEYS orders the ASCII names as §3.3 asks, and the
	 * values are base64url or fixed names, which need no escapes.
	 */
	if ((s = json_dumps(tp, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		abort();
	ocrypto_sha256(s, strlen(s), md);
	if (!ocrypto_b64url_encode(out, OJWK_THUMBPRINT_LEN + 1, NULL,
	    md, sizeof(md)))
		abort();
	rc = 1;
out:
	ojose_free(s);
	json_decref(tp);
	json_decref(full);
	return rc;
}

/*
 * Generate a key for alg (see jose.h).  Returns a new key or NULL with
 * err set.
 */
struct ojwk *
ojwk_generate(const char *alg, int bits, const char *kid, const char *use,
    struct oerr *err)
{
	const struct ojose_alginfo	*ai;
	struct ojwk			*key = NULL;
	enum ojose_alg			 a;
	int				 ok = 0;

	if ((a = ojose_alg_lookup(alg)) == OJOSE_ALG_UNSET) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The alg '%s' is not supported.", alg ? alg : "(null)");
		goto out;
	}
	ai = &ojose_algs[a];
	if (use != NULL && strcmp(use, "sig") != 0 && strcmp(use, "enc") != 0) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The use '%s' is not 'sig' or 'enc'.", use);
		goto out;
	}
	if (ai->kty == OJOSE_KTY_RSA && bits == 0)
		bits = RSA_MIN_BITS;
	if (ai->kty == OJOSE_KTY_RSA && bits != 2048 && bits != 3072 &&
	    bits != 4096) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "RSA keys have 2048, 3072 or 4096 bits, not %d.", bits);
		goto out;
	}
	if (ai->kty != OJOSE_KTY_RSA && bits != 0) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The alg '%s' takes no key size.", ai->name);
		goto out;
	}

	key = key_new(ai->kty);
	key->crv = ai->crv;
	key->priv = 1;
	switch (ai->kty) {
	case OJOSE_KTY_RSA:
		key->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
		    (size_t)bits);
		break;
	case OJOSE_KTY_EC:
		key->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
		    ojose_crvs[ai->crv].group);
		break;
	case OJOSE_KTY_OKP:
		key->pkey = EVP_PKEY_Q_keygen(NULL, NULL,
		    ojose_crvs[ai->crv].group);
		break;
	default:
		/* RFC 7518 §3.2: the hash size. */
		key->klen = ocrypto_md_len(ai->md);
		key->k = oxmalloc(key->klen);
		ocrypto_random(key->k, key->klen);
		break;
	}
	if (ai->kty != OJOSE_KTY_OCT && key->pkey == NULL) {
		ojose_ossl_err("EVP_PKEY_Q_keygen");
		oerr_set(err, OERR_SERVER_ERROR, "The key cannot be made.");
	} else if (ojwk_set_alg(key, alg, err) &&
	    ojwk_set_use(key, use, err) && ojwk_set_kid(key, kid, err))
		ok = 1;
out:
	if (!ok) {
		ojwk_free(key);
		key = NULL;
	}
	return key;
}

/*
 * Does pkey carry its private part?  OpenSSL has no one call for this:
 * ask for the private parameter of its type.
 */
static int
pkey_has_private(const EVP_PKEY *pkey, enum ojose_kty kty)
{
	BIGNUM	*bn = NULL;
	size_t	 len = 0;
	int	 rc;

	if (kty == OJOSE_KTY_OKP)
		rc = EVP_PKEY_get_raw_private_key(pkey, NULL, &len) == 1;
	else
		rc = EVP_PKEY_get_bn_param(pkey, kty == OJOSE_KTY_RSA ?
		    OSSL_PKEY_PARAM_RSA_D : OSSL_PKEY_PARAM_PRIV_KEY, &bn) == 1;
	BN_clear_free(bn);
	ERR_clear_error();
	return rc;
}

/*
 * OpenSSL's passphrase callback for encrypted PEM: there is never a
 * passphrase, and without this callback OpenSSL might prompt on the
 * terminal.  Returns 0 (fail).
 */
static int
no_passphrase(char *pass, size_t passsz, size_t *passlen,
    const OSSL_PARAM params[], void *arg)
{
	return 0;
}

/*
 * Import a PEM key (see jose.h) through OSSL_DECODER, which reads
 * PKCS#8, SubjectPublicKeyInfo and the traditional RSA and EC forms.
 * The key is then exported as a JWK and imported again, so that it
 * passes every check of ojwk_import().  Returns a new key or NULL with
 * err set.
 */
struct ojwk *
ojwk_import_pem(const char *pem, size_t len, int need_private,
    struct oerr *err)
{
	OSSL_DECODER_CTX	*ctx = NULL;
	EVP_PKEY		*pkey = NULL;
	struct ojwk		 tmp, *key = NULL;
	const unsigned char	*p = (const unsigned char *)pem;
	json_t			*j = NULL;
	char			 group[64];
	int			 i;

	memset(&tmp, 0, sizeof(tmp));
	if ((ctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, NULL,
	    0, NULL, NULL)) == NULL) {
		ojose_ossl_err("OSSL_DECODER_CTX_new_for_pkey");
		oerr_set(err, OERR_SERVER_ERROR, "The PEM key cannot be read.");
		goto out;
	}
	if (!OSSL_DECODER_CTX_set_passphrase_cb(ctx, no_passphrase, NULL)) {
		ojose_ossl_err("OSSL_DECODER_CTX_set_passphrase_cb");
		oerr_set(err, OERR_SERVER_ERROR, "The PEM key cannot be read.");
		goto out;
	}
	if (len == 0 || !OSSL_DECODER_from_data(ctx, &p, &len) ||
	    pkey == NULL) {
		ERR_clear_error();
		oerr_set(err, OERR_INVALID_REQUEST, "The PEM text is not a "
		    "key that can be read (encrypted keys cannot).");
		goto out;
	}

	tmp.crv = OJOSE_CRV_NONE;
	if (EVP_PKEY_is_a(pkey, "RSA"))
		tmp.kty = OJOSE_KTY_RSA;
	else if (EVP_PKEY_is_a(pkey, "ED25519")) {
		tmp.kty = OJOSE_KTY_OKP;
		tmp.crv = OJOSE_CRV_ED25519;
	} else if (EVP_PKEY_is_a(pkey, "EC")) {
		tmp.kty = OJOSE_KTY_EC;
		if (!EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL))
			group[0] = '\0';
		for (i = OJOSE_CRV_NONE + 1; i < OJOSE_CRV__MAX; i++)
			if (ojose_crvs[i].kty == OJOSE_KTY_EC &&
			    strcmp(group, ojose_crvs[i].group) == 0)
				tmp.crv = (enum ojose_crv)i;
		ERR_clear_error();
		if (tmp.crv == OJOSE_CRV_NONE) {
			oerr_set(err, OERR_INVALID_REQUEST, "The PEM EC key "
			    "is not on a named curve P-256, P-384 or P-521.");
			goto out;
		}
	} else {
		oerr_set(err, OERR_INVALID_REQUEST, "The PEM key is not an "
		    "RSA, EC or Ed25519 key.");
		goto out;
	}
	tmp.pkey = pkey;
	tmp.priv = pkey_has_private(pkey, tmp.kty);
	if ((j = export(&tmp, 1, err)) != NULL)
		key = ojwk_import(j, need_private, err);
out:
	json_decref(j);
	EVP_PKEY_free(pkey);
	OSSL_DECODER_CTX_free(ctx);
	return key;
}

/*
 * The key as PEM (see jose.h) through OSSL_ENCODER.  Returns a new
 * NUL-terminated string or NULL with err set.
 */
char *
ojwk_export_pem(const struct ojwk *key, int include_private,
    struct oerr *err)
{
	OSSL_ENCODER_CTX	*ctx = NULL;
	unsigned char		*data = NULL;
	size_t			 len = 0;
	char			*pem = NULL;
	int			 priv;

	if (key->kty == OJOSE_KTY_OCT) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "An oct key has no PEM form.");
		goto out;
	}
	priv = include_private && key->priv;
	if ((ctx = OSSL_ENCODER_CTX_new_for_pkey(key->pkey,
	    priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, "PEM",
	    priv ? "PrivateKeyInfo" : "SubjectPublicKeyInfo", NULL)) == NULL ||
	    OSSL_ENCODER_CTX_get_num_encoders(ctx) == 0)
		ojose_ossl_err("OSSL_ENCODER_CTX_new_for_pkey");
	else if (!OSSL_ENCODER_to_data(ctx, &data, &len))
		ojose_ossl_err("OSSL_ENCODER_to_data");
	else {
		pem = oxmalloc(len + 1);
		memcpy(pem, data, len);
		pem[len] = '\0';
	}
	if (pem == NULL)
		oerr_set(err, OERR_SERVER_ERROR,
		    "The key cannot be written as PEM.");
out:
	if (data != NULL)
		OPENSSL_clear_free(data, len);
	OSSL_ENCODER_CTX_free(ctx);
	return pem;
}

/*
 * The getters of jose.h.  Strings are static or borrowed from the key
 * (valid until it is freed or the member is set again).
 */
const char *
ojwk_kty(const struct ojwk *key)
{
	return ojose_ktys[key->kty];
}

/* See ojwk_kty(). */
const char *
ojwk_crv(const struct ojwk *key)
{
	return key->crv == OJOSE_CRV_NONE ? NULL : ojose_crvs[key->crv].name;
}

/* See ojwk_kty(). */
const char *
ojwk_kid(const struct ojwk *key)
{
	return key->kid;
}

/* See ojwk_kty(). */
const char *
ojwk_alg(const struct ojwk *key)
{
	return key->alg == OJOSE_ALG_UNSET ? NULL : ojose_algs[key->alg].name;
}

/* See ojwk_kty(). */
const char *
ojwk_use(const struct ojwk *key)
{
	return key->use;
}

/* Does the key have its private part (an oct key always does)? */
int
ojwk_has_private(const struct ojwk *key)
{
	return key->priv;
}

/*
 * The key size in bits: the RSA modulus, the curve's field (521 for
 * P-521), 256 for Ed25519, or the oct secret's length.
 */
int
ojwk_bits(const struct ojwk *key)
{
	if (key->kty == OJOSE_KTY_OCT)
		return (int)key->klen * 8;
	return EVP_PKEY_get_bits(key->pkey);
}

/* A new, empty JWK Set. */
struct ojwks *
ojwks_new(void)
{
	return oxcalloc(1, sizeof(struct ojwks));
}

/* Append key to the set, which takes ownership. */
void
ojwks_add(struct ojwks *set, struct ojwk *key)
{
	set->keys = oxrealloc(set->keys,
	    (set->nkeys + 1) * sizeof(*set->keys));
	set->keys[set->nkeys++] = key;
}

/* Free the set and its keys. */
void
ojwks_free(struct ojwks *set)
{
	size_t	 i;

	if (set == NULL)
		return;
	for (i = 0; i < set->nkeys; i++)
		ojwk_free(set->keys[i]);
	free(set->keys);
	free(set);
}

/*
 * The first key of the set whose kid is kid, or NULL.  The key is
 * borrowed from the set.
 */
struct ojwk *
ojwks_find(const struct ojwks *set, const char *kid)
{
	size_t	 i;

	for (i = 0; kid != NULL && i < set->nkeys; i++)
		if (set->keys[i]->kid != NULL &&
		    strcmp(set->keys[i]->kid, kid) == 0)
			return set->keys[i];
	return NULL;
}

/*
 * Import a JWK Set (RFC 7517 §5): an object whose "keys" is an array
 * of at most OJWKS_MAX JWKs.  One bad key fails the set (§5 would let
 * us skip keys we do not understand, but a half-read set hides
 * mistakes).  Returns a new set or NULL with err set.
 */
struct ojwks *
ojwks_import(const json_t *jwks, int need_private, struct oerr *err)
{
	struct ojwks	*set = NULL;
	struct ojwk	*key;
	struct oerr	 e;
	json_t		*keys, *v;
	size_t		 i;

	keys = json_object_get(jwks, "keys");
	if (!json_is_object(jwks) || !json_is_array(keys)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK Set must be an object with an array 'keys'.");
		return NULL;
	}
	if (json_array_size(keys) > OJWKS_MAX) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK Set has more than %d keys.", OJWKS_MAX);
		return NULL;
	}
	set = ojwks_new();
	json_array_foreach(keys, i, v) {
		oerr_clear(&e);
		if ((key = ojwk_import(v, need_private, &e)) == NULL) {
			oerr_set(err, e.code, "keys[%zu]: %s", i,
			    e.description);
			ojwks_free(set);
			return NULL;
		}
		ojwks_add(set, key);
	}
	return set;
}

/*
 * The set as {"keys": [...]}; without include_private, oct keys are
 * left out and the rest are public (a jwks_uri document, RFC 7517 §5).
 * Returns a new reference or NULL with err set.
 */
json_t *
ojwks_export(const struct ojwks *set, int include_private,
    struct oerr *err)
{
	json_t	*o, *arr, *j;
	size_t	 i;

	arr = json_array();
	for (i = 0; i < set->nkeys; i++) {
		if (!include_private && set->keys[i]->kty == OJOSE_KTY_OCT)
			continue;
		if ((j = export(set->keys[i], include_private, err)) == NULL) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, j);
	}
	o = json_object();
	jset(o, "keys", arr);
	return o;
}
