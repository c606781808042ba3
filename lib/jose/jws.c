/*
 * jws.c: JWS compact serialisation (RFC 7515 §3.1, §5.1, §5.2) with the
 * algorithms of RFC 7518 §3 and RFC 8037 §3.1 (jose.h).
 *
 * ECDSA signatures travel as R || S, each the curve size (RFC 7518
 * §3.4), while OpenSSL speaks DER (SEC 1 §C.5 ECDSA-Sig-Value); the two
 * are converted here by hand, with the length of R || S checked before
 * anything is parsed.  HMAC tags are compared with ocrypto_eq().
 *
 * A JWS comes from a client; what is wrong with one goes into the
 * caller's struct oerr and is not logged above debug level.  NEVER LOG
 * A JWS: it is usually a credential.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "base/crypto.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "jose/jose.h"
#include "jose/jose_int.h"

#define SIG_MAX		1024	/* an 8192-bit RSA signature */
#define EC_SIZE_MAX	66	/* P-521 */
/* SEQUENCE { INTEGER r, INTEGER s }, each with a possible 0x00. */
#define DER_MAX		(3 + 2 * (2 + 1 + EC_SIZE_MAX))
#define EDDSA_SIG_LEN	64	/* RFC 8032 §5.1.6 */

/*
 * Append to out at *off the DER INTEGER (X.690 §8.3) of the unsigned
 * big-endian value v of n bytes: leading zeros stripped, and one zero
 * put back if the top bit is set, so that it reads as positive.
 */
static void
der_int(unsigned char *out, size_t *off, const unsigned char *v, size_t n)
{
	int	 pad;

	while (n > 1 && v[0] == 0) {
		v++;
		n--;
	}
	pad = (v[0] & 0x80) != 0;
	out[(*off)++] = 0x02;
	out[(*off)++] = (unsigned char)(n + pad);
	if (pad)
		out[(*off)++] = 0x00;
	memcpy(out + *off, v, n);
	*off += n;
}

/*
 * Convert the JWS ECDSA signature R || S (2 * n bytes, RFC 7518 §3.4)
 * into DER ECDSA-Sig-Value in der (DER_MAX bytes).  Returns the DER
 * length.
 */
static size_t
rs_to_der(const unsigned char *rs, size_t n, unsigned char *der)
{
	unsigned char	 body[DER_MAX];
	size_t		 blen = 0, off = 0;

	der_int(body, &blen, rs, n);
	der_int(body, &blen, rs + n, n);
	der[off++] = 0x30;
	if (blen >= 0x80)
		der[off++] = 0x81;	/* X.690 §8.1.3.5: long form */
	der[off++] = (unsigned char)blen;
	memcpy(der + off, body, blen);
	return off + blen;
}

/*
 * Read the DER INTEGER at der[*off] (len bytes in all), which must be
 * positive, minimally encoded and at most n bytes long without its sign
 * octet, right-aligned into out (n bytes, zeroed by the caller).
 * Advances *off.  Returns 1, or 0 if malformed.
 */
static int
der_int_read(const unsigned char *der, size_t len, size_t *off, size_t n,
    unsigned char *out)
{
	const unsigned char	*p;
	size_t			 l;

	if (len - *off < 2 || der[*off] != 0x02)
		return 0;
	l = der[*off + 1];
	*off += 2;
	if (l == 0 || l >= 0x80 || len - *off < l)
		return 0;
	p = der + *off;
	*off += l;
	if (p[0] & 0x80)
		return 0;		/* negative */
	if (l > 1 && p[0] == 0 && !(p[1] & 0x80))
		return 0;		/* not minimal */
	if (p[0] == 0) {
		p++;
		l--;
	}
	if (l > n)
		return 0;
	memcpy(out + n - l, p, l);
	return 1;
}

/*
 * Convert DER ECDSA-Sig-Value (len bytes, from OpenSSL) into R || S,
 * each n bytes, in rs (RFC 7518 §3.4).  Returns 1, or 0 if the DER is
 * malformed or a value is longer than n.
 */
static int
der_to_rs(const unsigned char *der, size_t len, size_t n, unsigned char *rs)
{
	size_t	 off, blen;

	memset(rs, 0, 2 * n);
	if (len < 2 || der[0] != 0x30)
		return 0;
	if (der[1] < 0x80) {
		blen = der[1];
		off = 2;
	} else if (der[1] == 0x81 && len > 2 && der[2] >= 0x80) {
		blen = der[2];
		off = 3;
	} else
		return 0;
	if (len - off != blen)
		return 0;
	return der_int_read(der, len, &off, n, rs) &&
	    der_int_read(der, len, &off, n, rs + n) && off == len;
}

/*
 * Start a digest signature or verification with key for alg: the
 * hash of RFC 7518 §3.3 to §3.5 (none for EdDSA, RFC 8037 §3.1), and
 * for PS* the PSS padding with MGF1 over the same hash and a salt as
 * long as the hash (§3.5; on verification OpenSSL then insists on that
 * salt length).  Returns a new context, or NULL after logging.
 */
static EVP_MD_CTX *
md_init(const struct ojwk *key, enum ojose_alg alg, int sign)
{
	const struct ojose_alginfo	*a = &ojose_algs[alg];
	EVP_MD_CTX			*ctx;
	EVP_PKEY_CTX			*pctx = NULL;
	const char			*md;
	int				 ok;

	md = key->kty == OJOSE_KTY_OKP ? NULL : ojose_md_name(a->md);
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		ojose_ossl_err("EVP_MD_CTX_new");
		return NULL;
	}
	ok = sign ?
	    EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, key->pkey,
	    NULL) :
	    EVP_DigestVerifyInit_ex(ctx, &pctx, md, NULL, NULL, key->pkey,
	    NULL);
	if (ok != 1) {
		ojose_ossl_err(sign ? "EVP_DigestSignInit_ex" :
		    "EVP_DigestVerifyInit_ex");
		EVP_MD_CTX_free(ctx);
		return NULL;
	}
	if (a->pss && (EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
	    RSA_PSS_SALTLEN_DIGEST) <= 0)) {
		ojose_ossl_err("EVP_PKEY_CTX_set_rsa_padding");
		EVP_MD_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * Sign the JWS Signing Input in (inlen bytes) with key for alg into sig
 * (SIG_MAX bytes), setting *siglen: HMAC (RFC 7518 §3.2), RSASSA
 * (§3.3, §3.5), ECDSA as R || S (§3.4), Ed25519 (RFC 8037 §3.1).
 * Returns 1, or 0 after logging.
 */
static int
sig_make(const struct ojwk *key, enum ojose_alg alg,
    const unsigned char *in, size_t inlen, unsigned char *sig,
    size_t *siglen)
{
	const struct ojose_alginfo	*a = &ojose_algs[alg];
	EVP_MD_CTX			*ctx = NULL;
	unsigned char			 buf[SIG_MAX];
	size_t				 len = sizeof(buf), n;
	int				 rc = 0;

	*siglen = 0;
	if (key->kty == OJOSE_KTY_OCT) {
		if (!ocrypto_hmac(a->md, key->k, key->klen, in, inlen, sig))
			return 0;
		*siglen = ocrypto_md_len(a->md);
		return 1;
	}
	if ((ctx = md_init(key, alg, 1)) == NULL)
		goto out;
	if (EVP_DigestSign(ctx, buf, &len, in, inlen) != 1) {
		ojose_ossl_err("EVP_DigestSign");
		goto out;
	}
	if (key->kty == OJOSE_KTY_EC) {
		n = ojose_crvs[key->crv].size;
		if (!der_to_rs(buf, len, n, sig)) {
			olog_err("ECDSA signature: unexpected DER");
			goto out;
		}
		*siglen = 2 * n;
	} else {
		memcpy(sig, buf, len);
		*siglen = len;
	}
	rc = 1;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/*
 * Check the signature sig (siglen bytes) over in (inlen bytes) with key
 * for alg.  The length must be exactly what alg and key produce
 * (RFC 7518 §3.2 to §3.5, RFC 8037 §3.1), checked before anything else;
 * *badlen is set when it is not.  Returns 1 if the signature is valid.
 */
static int
sig_check(const struct ojwk *key, enum ojose_alg alg,
    const unsigned char *in, size_t inlen, const unsigned char *sig,
    size_t siglen, int *badlen)
{
	const struct ojose_alginfo	*a = &ojose_algs[alg];
	EVP_MD_CTX			*ctx = NULL;
	unsigned char			 mac[OCRYPTO_SHA512_LEN];
	unsigned char			 der[DER_MAX];
	const unsigned char		*s = sig;
	size_t				 want, n, i, derlen;
	unsigned int			 rz = 0, sz = 0;
	int				 rc = 0;

	switch (key->kty) {
	case OJOSE_KTY_OCT:
		want = ocrypto_md_len(a->md);
		break;
	case OJOSE_KTY_EC:
		want = 2 * ojose_crvs[key->crv].size;
		break;
	case OJOSE_KTY_OKP:
		want = EDDSA_SIG_LEN;
		break;
	default:
		want = (size_t)EVP_PKEY_get_size(key->pkey);
		break;
	}
	if ((*badlen = siglen != want))
		return 0;

	if (key->kty == OJOSE_KTY_OCT) {
		if (!ocrypto_hmac(a->md, key->k, key->klen, in, inlen, mac))
			return 0;
		rc = ocrypto_eq(mac, want, sig, siglen);
		OPENSSL_cleanse(mac, sizeof(mac));
		return rc;
	}
	if (key->kty == OJOSE_KTY_EC) {
		/* R and S are in [1, n - 1]; zero never verifies. */
		n = siglen / 2;
		for (i = 0; i < n; i++) {
			rz |= sig[i];
			sz |= sig[n + i];
		}
		if (rz == 0 || sz == 0)
			return 0;
		derlen = rs_to_der(sig, n, der);
		s = der;
		siglen = derlen;
	}
	if ((ctx = md_init(key, alg, 0)) == NULL)
		goto out;
	rc = EVP_DigestVerify(ctx, s, siglen, in, inlen) == 1;
	ERR_clear_error();
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/*
 * Sign a payload as a compact JWS (see jose.h).  Returns a new string,
 * or NULL with err set.
 */
char *
ojws_sign(const struct ojwk *key, const char *alg, const json_t *extra,
    const void *payload, size_t len, struct oerr *err)
{
	static const char *const reserved[] = { "alg", "kid", "crit" };
	enum ojose_alg	 a = OJOSE_ALG_UNSET;
	json_t		*h = NULL, *v;
	const char	*name;
	char		*hs = NULL, *hb = NULL, *pb = NULL, *sb = NULL;
	char		*in = NULL, *out = NULL;
	unsigned char	 sig[SIG_MAX];
	size_t		 siglen = 0, inlen, i;

	if (alg != NULL)
		a = ojose_alg_lookup(alg);
	else if (key->alg != OJOSE_ALG_UNSET)
		a = key->alg;
	else if (key->crv != OJOSE_CRV_NONE)
		a = ojose_crvs[key->crv].alg;
	if (a == OJOSE_ALG_UNSET) {
		if (alg != NULL)
			oerr_set(err, OERR_INVALID_REQUEST,
			    "The alg '%s' is not supported.", alg);
		else
			oerr_set(err, OERR_INVALID_REQUEST,
			    "The JWK has no alg, and none was given.");
		goto out;
	}
	if (!key->priv) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWK has no private key (member 'd').");
		goto out;
	}
	if (!ojose_key_fits(key, a, err))
		goto out;
	if (extra != NULL && !json_is_object(extra)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The extra JWS header must be a JSON object.");
		goto out;
	}
	for (i = 0; extra != NULL && i < 3; i++)
		if (json_object_get(extra, reserved[i]) != NULL) {
			oerr_set(err, OERR_INVALID_REQUEST, "The JWS header "
			    "member '%s' cannot be set here.", reserved[i]);
			goto out;
		}

	/* RFC 7515 §5.1 steps 1 to 6. */
	h = json_object();
	json_object_set_new(h, "alg", json_string(ojose_algs[a].name));
	/* A kid that is not UTF-8 has no JSON string: an invariant. */
	if (key->kid != NULL &&
	    json_object_set_new(h, "kid", json_string(key->kid)) != 0)
		abort();
	if (extra != NULL)
		json_object_foreach((json_t *)extra, name, v)
			json_object_set(h, name, v);
	if ((hs = json_dumps(h, JSON_COMPACT)) == NULL)
		abort();
	hb = ojose_b64_enc(hs, strlen(hs));
	pb = ojose_b64_enc(payload, len);
	inlen = strlen(hb) + 1 + strlen(pb);
	in = oxmalloc(inlen + 1);
	memcpy(in, hb, strlen(hb));
	in[strlen(hb)] = '.';
	memcpy(in + strlen(hb) + 1, pb, strlen(pb) + 1);

	/* Steps 7 and 8. */
	if (!sig_make(key, a, (unsigned char *)in, inlen, sig, &siglen)) {
		oerr_set(err, OERR_SERVER_ERROR, "The JWS cannot be signed.");
		goto out;
	}
	sb = ojose_b64_enc(sig, siglen);
	out = oxmalloc(inlen + 1 + strlen(sb) + 1);
	memcpy(out, in, inlen);
	out[inlen] = '.';
	memcpy(out + inlen + 1, sb, strlen(sb) + 1);
out:
	OPENSSL_cleanse(sig, sizeof(sig));
	json_decref(h);
	free(hs);
	free(hb);
	ojose_free(pb);
	ojose_free(in);
	free(sb);
	return out;
}

/*
 * Check "crit" (RFC 7515 §4.1.11): when present it must be a non-empty
 * array of names, and since this implementation understands no
 * extension, any name in it makes the JWS invalid.  Returns 1 if the
 * header has no "crit", else 0 with err set.
 */
static int
crit_check(const json_t *h, struct oerr *err)
{
	json_t	*c, *v;
	size_t	 i;

	if ((c = json_object_get(h, "crit")) == NULL)
		return 1;
	if (!json_is_array(c) || json_array_size(c) == 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The JWS header member "
		    "'crit' must be a non-empty array of names.");
		return 0;
	}
	json_array_foreach(c, i, v)
		if (!json_is_string(v)) {
			oerr_set(err, OERR_INVALID_REQUEST, "The JWS header "
			    "member 'crit' must be a non-empty array of "
			    "names.");
			return 0;
		}
	oerr_set(err, OERR_INVALID_REQUEST, "The JWS header lists '%.64s' "
	    "in 'crit', which is not understood.",
	    json_string_value(json_array_get(c, 0)));
	return 0;
}

/*
 * Parse and check the protected header (RFC 7515 §5.2 steps 2 to 5):
 * a JSON object without duplicate names, a supported "alg" other than
 * "none" and in algs when algs is given, no "crit", a string "kid" if
 * any.  Returns the header (new reference) with *alg set, or NULL with
 * err set.
 */
static json_t *
header_parse(const unsigned char *buf, size_t len, const char *const *algs,
    enum ojose_alg *alg, struct oerr *err)
{
	json_t		*h, *v, *kid;
	json_error_t	 je;
	const char	*name;
	size_t		 i;

	*alg = OJOSE_ALG_UNSET;
	if ((h = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES,
	    &je)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS header is not valid JSON: %s.", je.text);
		return NULL;
	}
	v = json_object_get(h, "alg");
	kid = json_object_get(h, "kid");
	if (!json_is_object(h))
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS header must be a JSON object.");
	else if (v == NULL)
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS header has no 'alg'.");
	else if (!json_is_string(v))
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS header member 'alg' must be a string.");
	/* RFC 7518 §3.6, RFC 8725 §3.1: never an unsecured JWS. */
	else if (ojson_is(v, "none"))
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS alg 'none' is never accepted.");
	else if ((*alg = ojose_alg_lookup(json_string_value(v))) ==
	    OJOSE_ALG_UNSET || !ojson_is(v, json_string_value(v)))
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS alg '%.32s' is not supported.",
		    json_string_value(v));
	else if (!crit_check(h, err))
		/* err is set */;
	else if (kid != NULL && !json_is_string(kid))
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS header member 'kid' must be a string.");
	else if (algs == NULL)
		return h;
	else {
		/* RFC 8725 §3.1: only the algorithms the caller allows. */
		for (i = 0; (name = algs[i]) != NULL; i++)
			if (strcmp(name, ojose_algs[*alg].name) == 0)
				return h;
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS alg '%s' is not allowed here.",
		    ojose_algs[*alg].name);
	}
	*alg = OJOSE_ALG_UNSET;
	json_decref(h);
	return NULL;
}

/*
 * Verify a compact JWS against candidate keys (see jose.h; RFC 7515
 * §5.2, RFC 8725 §3.1 and §3.2).  Returns a new struct ojws, or NULL
 * with err set.
 */
struct ojws *
ojws_verify(const char *jws, size_t len, struct ojwk *const *keys,
    size_t nkeys, const char *const *algs, struct oerr *err)
{
	struct ojws		*res = NULL;
	const struct ojwk	*found = NULL;
	enum ojose_alg		 alg = OJOSE_ALG_UNSET;
	json_t			*h = NULL, *kid;
	unsigned char		*hdr = NULL, *pay = NULL, *sig = NULL;
	size_t			 hdrlen = 0, paylen = 0, siglen = 0;
	size_t			 dot[2], ndot = 0, i;
	int			 kidmatch = 0, tried = 0, lenok = 0, badlen;

	if (jws == NULL || len > OJWS_MAX) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS is missing or longer than %d bytes.", OJWS_MAX);
		goto out;
	}
	/* RFC 7515 §7.1: exactly three segments; remember two dots. */
	for (i = 0; i < len; i++)
		if (jws[i] == '.' && ndot++ < 2)
			dot[ndot - 1] = i;
	if (ndot != 2) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS must have exactly three segments.");
		goto out;
	}
	if ((hdr = ojose_b64_dec(jws, dot[0], &hdrlen)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS header is not valid base64url.");
		goto out;
	}
	if ((pay = ojose_b64_dec(jws + dot[0] + 1, dot[1] - dot[0] - 1,
	    &paylen)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS payload is not valid base64url.");
		goto out;
	}
	if (dot[1] + 1 == len) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS has no signature.");
		goto out;
	}
	if ((sig = ojose_b64_dec(jws + dot[1] + 1, len - dot[1] - 1,
	    &siglen)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The JWS signature is not valid base64url.");
		goto out;
	}
	if ((h = header_parse(hdr, hdrlen, algs, &alg, err)) == NULL)
		goto out;
	kid = json_object_get(h, "kid");

	/*
	 * RFC 7515 §5.2 step 8 and §6: the key by kid when the header
	 * names one, else every key; either way only keys that may be used
	 * with alg, so that an RSA or EC public key is never taken for an
	 * HMAC secret (RFC 8725 §2.1).
	 */
	for (i = 0; i < nkeys && found == NULL; i++) {
		if (keys[i] == NULL)
			continue;
		if (kid != NULL &&
		    (keys[i]->kid == NULL || !ojson_is(kid, keys[i]->kid)))
			continue;
		kidmatch = 1;
		if (!ojose_key_fits(keys[i], alg, NULL))
			continue;
		tried = 1;
		if (sig_check(keys[i], alg, (const unsigned char *)jws, dot[1],
		    sig, siglen, &badlen))
			found = keys[i];
		if (!badlen)
			lenok = 1;
	}
	if (found == NULL) {
		if (kid != NULL && !kidmatch)
			oerr_set(err, OERR_INVALID_REQUEST,
			    "No key has the JWS kid '%.64s'.",
			    json_string_value(kid));
		else if (!tried)
			oerr_set(err, OERR_INVALID_REQUEST,
			    "No key can verify the JWS alg '%s'.",
			    ojose_algs[alg].name);
		else if (!lenok)
			oerr_set(err, OERR_INVALID_REQUEST, "The JWS "
			    "signature has the wrong length for alg '%s'.",
			    ojose_algs[alg].name);
		else
			oerr_set(err, OERR_INVALID_REQUEST,
			    "The JWS signature is not valid.");
		goto out;
	}

	res = oxcalloc(1, sizeof(*res));
	res->header = h;
	res->payload = pay;
	res->payloadlen = paylen;
	res->alg = ojose_algs[alg].name;
	res->key = found;
	h = NULL;
	pay = NULL;
out:
	json_decref(h);
	ojose_wipe_free(hdr, hdrlen);
	ojose_wipe_free(pay, paylen);
	free(sig);
	return res;
}

/* Free a verified JWS, wiping its payload. */
void
ojws_free(struct ojws *jws)
{
	if (jws == NULL)
		return;
	json_decref(jws->header);
	ojose_wipe_free(jws->payload, jws->payloadlen);
	free(jws);
}

json_t *
ojws_peek(const char *jws, int part)
{
	const char	*d1, *d2, *s;
	unsigned char	*buf;
	size_t		 n, len;
	json_t		*j = NULL;

	if (strnlen(jws, OJWS_MAX + 1) > OJWS_MAX ||
	    (d1 = strchr(jws, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		return NULL;
	s = part == 0 ? jws : d1 + 1;
	n = part == 0 ? (size_t)(d1 - jws) : (size_t)(d2 - d1 - 1);
	buf = oxmalloc(n + 1);
	if (ocrypto_b64url_decode(buf, n + 1, &len, s, n))
		j = json_loadb((char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
	free(buf);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}
