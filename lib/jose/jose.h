/*
 * jose.h: JSON Web Keys (RFC 7517, RFC 7518 §6, RFC 8037), JWK
 * thumbprints (RFC 7638), JWS compact serialisation (RFC 7515, RFC 7518
 * §3, RFC 8037 §3.1) and JWT claim checks (RFC 7519 §4.1), on OpenSSL 3
 * EVP only.
 *
 * Algorithms are named by their JWA strings: "HS256", "HS384", "HS512",
 * "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
 * "ES384", "ES512" and "EdDSA" (Ed25519 only).  "none" is never
 * accepted anywhere.
 *
 * Key types (kty) and curves (crv): "RSA" (modulus of 2048 to 8192
 * bits, two primes), "EC" with "P-256", "P-384" or
 * "P-521", "OKP" with "Ed25519", and "oct" (an HMAC secret).
 *
 * Errors that input can cause are 400 invalid_request in the caller's
 * struct oerr, naming the member: "The JWK member 'n' is not valid
 * base64url", "The JWK has kty 'EC' but alg 'RS256'".  Failures of
 * OpenSSL itself are logged naming the call and reported as 500
 * server_error.  Callers that answer with another error code (e.g.
 * invalid_client for a client assertion, RFC 7523 §3) check with a
 * scratch struct oerr and re-set its description under their code.
 *
 * Allocation failure aborts (oxmalloc).  Secrets are wiped before
 * their memory is freed.
 */
#ifndef OIDCGI_JOSE_H
#define OIDCGI_JOSE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct oerr;

/*
 * A parsed key: the EVP_PKEY (RSA, EC, OKP) or the secret bytes (oct),
 * and the kty, crv, kid, alg and use members.  Opaque; read it with the
 * ojwk_*() getters.  Immutable after import apart from the setters, so
 * it may be shared between threads that only sign and verify.
 */
struct ojwk;

/* A JWK Set (RFC 7517 §5): keys[0..nkeys-1], owned by the set. */
struct ojwks {
	struct ojwk	**keys;
	size_t		  nkeys;
};

/* A verified JWS (ojws_verify()). */
struct ojws {
	json_t		*header;	/* the protected header (owned) */
	unsigned char	*payload;	/* payloadlen bytes + NUL (owned) */
	size_t		 payloadlen;
	const char	*alg;		/* header "alg", static storage */
	const struct ojwk *key;		/* the key that verified it,
					   borrowed from the keys given */
};

#define OJWK_THUMBPRINT_LEN	43	/* base64url of SHA-256 */
#define OJWK_KID_MAX		256	/* bytes of a "kid" */
#define OJWK_USE_MAX		64	/* bytes of a "use" */
#define OJWKS_MAX		64	/* keys in a JWK Set */
#define OJWS_MAX		(256 * 1024)	/* bytes of a compact JWS */

/* Flags of ojwt_check(). */
#define OJWT_REQUIRE_EXP	0x01	/* "exp" must be present */
#define OJWT_REQUIRE_IAT	0x02	/* "iat" must be present */

/*
 * Is alg a supported JWS algorithm name?  "none" is not.
 */
int	 ojose_alg_supported(const char *alg);

/*
 * Wipe a NUL-terminated string returned by this module (a JWS, a PEM
 * private key) and free it.  NULL is ignored.
 */
void	 ojose_free(char *);

/*
 * Import one JWK (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2) from a JSON
 * object.  Checked: kty (and crv) known; every key member a string in
 * strict base64url; "n" and "e" without leading zero octets (RFC 7518
 * §2 Base64urlUInt, and so one thumbprint per key); an RSA modulus of
 * at least 2048 bits; EC "x", "y" and "d" exactly the curve size
 * (RFC 7518 §6.2.1.2, §6.2.2.1); OKP "x" and "d" 32 bytes; the EC point
 * on its curve (EVP_PKEY_public_check); an RSA n and e odd, e > 1; an
 * EC "d" in range (EVP_PKEY_private_check);
 * private members consistent with the public key
 * (EVP_PKEY_pairwise_check; for RSA, n = pq and the CRT values checked
 * with BN arithmetic, without OpenSSL's costly primality tests);
 * an RSA private key carrying all of d, p, q, dp, dq, qi and no "oth"
 * (RFC 7518 §6.3.2: multi-prime keys are refused); "alg", when present,
 * known and fitting the kty and crv; an oct key at least as long as
 * the HMAC alg's hash (RFC 7518 §3.2); "kid" and "use" strings when
 * present.  Other members are ignored (RFC 7517 §4).  With need_private
 * a key without its private part ("d") is refused; oct keys are always
 * private.  Returns a new key (ojwk_free()), or NULL with err set.
 */
struct ojwk	*ojwk_import(const json_t *jwk, int need_private,
		    struct oerr *err);
/* The same from len bytes of JSON text (duplicate members refused). */
struct ojwk	*ojwk_import_str(const char *json, size_t len,
		    int need_private, struct oerr *err);

/*
 * The key as a new JSON object, members in the order of RFC 7517
 * appendix A: kty, crv, the public members (x, y | n, e), then with
 * include_private the private ones (d | d, p, q, dp, dq, qi), then use,
 * alg, kid when set.  An oct key has only a private member ("k"), so
 * exporting it without include_private is an error.  Returns NULL with
 * err set on failure.
 */
json_t	*ojwk_export(const struct ojwk *, int include_private,
	    struct oerr *err);

/*
 * The RFC 7638 thumbprint: SHA-256 over the required members in
 * lexicographic order without whitespace (§3.2), base64url-encoded into
 * out (OJWK_THUMBPRINT_LEN + 1 bytes with the NUL).  Returns 1, or 0
 * with err set.
 */
int	 ojwk_thumbprint(const struct ojwk *,
	    char out[OJWK_THUMBPRINT_LEN + 1], struct oerr *err);

/*
 * Generate a key for alg: RSA of bits 2048 (the default when bits is
 * 0), 3072 or 4096 for RS* and PS*; P-256, P-384, P-521 for ES256,
 * ES384, ES512; Ed25519 for EdDSA; 32, 48 or 64 random bytes for
 * HS256, HS384, HS512 (bits must be 0 for all but RSA).  The key's alg
 * is set to alg.  kid NULL means the RFC 7638 thumbprint; use may be
 * NULL (no "use"), "sig" or "enc".  Returns a new key, or NULL with err
 * set.
 */
struct ojwk	*ojwk_generate(const char *alg, int bits, const char *kid,
		    const char *use, struct oerr *err);

/*
 * Import a PEM key: PKCS#8 "PRIVATE KEY", "PUBLIC KEY"
 * (SubjectPublicKeyInfo), and the traditional "RSA PRIVATE KEY",
 * "EC PRIVATE KEY" and "RSA PUBLIC KEY".  Encrypted keys are refused
 * (no passphrase is ever asked for).  The key goes through the same
 * checks as ojwk_import(); it has no kid, alg or use until set.
 * Returns a new key, or NULL with err set.
 */
struct ojwk	*ojwk_import_pem(const char *pem, size_t len,
		    int need_private, struct oerr *err);
/*
 * The key as PEM: PKCS#8 "PRIVATE KEY" with include_private and a
 * private key, else SubjectPublicKeyInfo "PUBLIC KEY".  oct keys have
 * no PEM form.  Returns a new NUL-terminated string (ojose_free()), or
 * NULL with err set.
 */
char	*ojwk_export_pem(const struct ojwk *, int include_private,
	    struct oerr *err);

/*
 * Set the kid (NULL: the RFC 7638 thumbprint), the use (NULL: none) or
 * the alg (NULL: none; otherwise checked against the key as on import).
 * Each returns 1, or 0 with err set and the key unchanged.
 */
int	 ojwk_set_kid(struct ojwk *, const char *kid, struct oerr *err);
int	 ojwk_set_use(struct ojwk *, const char *use, struct oerr *err);
int	 ojwk_set_alg(struct ojwk *, const char *alg, struct oerr *err);

/*
 * Getters.  Strings are borrowed from the key (or static) and stay
 * valid until it is freed or the member is set again; crv, kid, alg and
 * use are NULL when absent.
 */
const char	*ojwk_kty(const struct ojwk *);
const char	*ojwk_crv(const struct ojwk *);
const char	*ojwk_kid(const struct ojwk *);
const char	*ojwk_alg(const struct ojwk *);
const char	*ojwk_use(const struct ojwk *);
/* 1 if the key has its private part (always for oct). */
int		 ojwk_has_private(const struct ojwk *);
/* Size in bits: RSA modulus, curve, or oct secret. */
int		 ojwk_bits(const struct ojwk *);
/*
 * Can the key be used with alg: kty (and crv) fit, the key's alg is
 * unset or equal, "use" is unset or "sig", an oct key is long enough?
 */
int		 ojwk_fits(const struct ojwk *, const char *alg);
void		 ojwk_free(struct ojwk *);

/*
 * A JWK Set {"keys": [...]} (RFC 7517 §5) of at most OJWKS_MAX keys,
 * each imported as by ojwk_import(); one bad key fails the set, the
 * error naming its index.  Returns a new set (ojwks_free()) or NULL
 * with err set.
 */
struct ojwks	*ojwks_import(const json_t *jwks, int need_private,
		    struct oerr *err);
/*
 * The set as {"keys": [...]}.  Without include_private, oct keys are
 * left out (they have no public part) and the others lose their
 * private members: this is the document for a jwks_uri.
 */
json_t		*ojwks_export(const struct ojwks *, int include_private,
		    struct oerr *err);
/* The first key with this kid, borrowed from the set, or NULL. */
struct ojwk	*ojwks_find(const struct ojwks *, const char *kid);
/* Add a key (the set takes ownership). */
void		 ojwks_add(struct ojwks *, struct ojwk *);
struct ojwks	*ojwks_new(void);
void		 ojwks_free(struct ojwks *);

/*
 * Sign payload (len bytes) as a compact JWS (RFC 7515 §7.1).  alg NULL
 * means the key's alg, or the only one its curve allows (EC, OKP).
 * The protected header is {"alg", "kid" (when the key has one)}
 * followed by the members of extra (e.g. "typ"; NULL for none), which
 * must not set alg, kid or crit.  The key must be private and fit alg
 * (ojwk_fits()).  ES* signatures are R || S, each the curve size
 * (RFC 7518 §3.4).  Returns a new NUL-terminated string (ojose_free()),
 * or NULL with err set.
 */
char	*ojws_sign(const struct ojwk *key, const char *alg,
	    const json_t *extra, const void *payload, size_t len,
	    struct oerr *err);

/*
 * Verify a compact JWS (RFC 7515 §5.2) of len bytes against candidate
 * keys keys[0..nkeys-1].  Refused: more than OJWS_MAX bytes; other than
 * exactly three segments; non-strict base64url; a header that is not a
 * JSON object (duplicate members refused) or lacks a string "alg";
 * alg "none" (always) or unsupported; alg not in algs (a NULL-terminated
 * allow-list; NULL allows every supported alg); any "crit" (RFC 7515
 * §4.1.11: no extension is understood); a non-string "kid".  When the
 * header has a kid only keys with that kid are tried, else every key;
 * either way only keys that fit alg (ojwk_fits(): so HS* is never
 * checked with an RSA, EC or OKP key, the key-confusion attack).  The
 * signature must have the exact length for alg and key (RSA modulus
 * size, 2 * curve size, 64 for EdDSA, the hash size for HS*).  The
 * header's "jwk", "jku", "x5u" and "x5c" are never used.  Returns a new
 * struct ojws (ojws_free()), or NULL with err set.
 */
struct ojws	*ojws_verify(const char *jws, size_t len,
		    struct ojwk *const *keys, size_t nkeys,
		    const char *const *algs, struct oerr *err);
void		 ojws_free(struct ojws *);

/*
 * Part part (0: the protected header, 1: the payload) of a compact JWS
 * or JWT, decoded but NOT VERIFIED, as a JSON object (duplicate members
 * refused): only to learn whose keys verify it (kid, iss, sub, a DPoP
 * proof's jwk) or to read an unsigned JWT (alg "none") its caller
 * accepts.  jws must have three segments of at most OJWS_MAX bytes in
 * all.  Returns a new reference, or NULL.
 */
json_t		*ojws_peek(const char *jws, int part);

/*
 * The payload of a verified JWS as a JWT Claims Set (RFC 7519 §7.2
 * step 10): a JSON object, duplicate members refused.  Returns a new
 * reference, or NULL with err set.
 */
json_t	*ojwt_claims(const struct ojws *, struct oerr *err);

/*
 * Check the registered claims of a JWT Claims Set (RFC 7519 §4.1) at
 * time now (seconds since the epoch), allowing skew (>= 0) seconds of
 * clock difference:
 *   exp  (§4.1.4) refused if now >= exp + skew; required with
 *        OJWT_REQUIRE_EXP;
 *   nbf  (§4.1.5) refused if now + skew < nbf;
 *   iat  (§4.1.6) refused if iat > now + skew; required with
 *        OJWT_REQUIRE_IAT;
 *   iss  (§4.1.1) when iss is not NULL, must be a string equal to it;
 *   aud  (§4.1.3) when aud is not NULL, a string equal to it or an
 *        array of strings containing it; when aud is NULL, the claim
 *        must be absent ("MUST be rejected" if we are not in it).
 * NumericDates must be JSON numbers.  Returns 1, or 0 with err set.
 */
int	 ojwt_check(const json_t *claims, const char *iss, const char *aud,
	    int64_t now, int64_t skew, unsigned flags, struct oerr *err);

#endif
