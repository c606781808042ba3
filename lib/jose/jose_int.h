/*
 * jose_int.h: declarations shared by jose.c, jwk.c and jws.c only.
 * Nothing outside those three files includes this; the API is jose.h.
 */
#ifndef OIDCGI_JOSE_INT_H
#define OIDCGI_JOSE_INT_H

#include <stddef.h>

#include <openssl/evp.h>

#include "base/crypto.h"

struct oerr;

/* Key types (RFC 7518 §6.1, RFC 8037 §2). */
enum ojose_kty {
	OJOSE_KTY_RSA,
	OJOSE_KTY_EC,
	OJOSE_KTY_OKP,
	OJOSE_KTY_OCT,
	OJOSE_KTY__MAX
};

/* Curves (RFC 7518 §6.2.1.1, RFC 8037 §2). */
enum ojose_crv {
	OJOSE_CRV_NONE,
	OJOSE_CRV_P256,
	OJOSE_CRV_P384,
	OJOSE_CRV_P521,
	OJOSE_CRV_ED25519,
	OJOSE_CRV__MAX
};

/* JWS algorithms (RFC 7518 §3.1, RFC 8037 §3.1). */
enum ojose_alg {
	OJOSE_ALG_UNSET,
	OJOSE_HS256,
	OJOSE_HS384,
	OJOSE_HS512,
	OJOSE_RS256,
	OJOSE_RS384,
	OJOSE_RS512,
	OJOSE_PS256,
	OJOSE_PS384,
	OJOSE_PS512,
	OJOSE_ES256,
	OJOSE_ES384,
	OJOSE_ES512,
	OJOSE_EDDSA,
	OJOSE_ALG__MAX
};

struct ojose_alginfo {
	const char	*name;		/* JWA name */
	enum ojose_kty	 kty;		/* the key type it needs */
	enum ojose_crv	 crv;		/* the curve it needs, or NONE */
	enum ocrypto_md	 md;		/* hash (not for EdDSA) */
	int		 pss;		/* RSASSA-PSS rather than v1.5 */
};

struct ojose_crvinfo {
	const char	*name;		/* JWA name */
	const char	*group;		/* OpenSSL group or key type name */
	enum ojose_kty	 kty;
	size_t		 size;		/* bytes of a coordinate or key */
	enum ojose_alg	 alg;		/* the one JWS alg for the curve */
};

extern const struct ojose_alginfo	ojose_algs[OJOSE_ALG__MAX];
extern const struct ojose_crvinfo	ojose_crvs[OJOSE_CRV__MAX];
extern const char *const		ojose_ktys[OJOSE_KTY__MAX];

/* The parsed key (jose.h); kid and use are malloc'd strings. */
struct ojwk {
	enum ojose_kty	 kty;
	enum ojose_crv	 crv;
	enum ojose_alg	 alg;		/* OJOSE_ALG_UNSET if none */
	int		 priv;		/* has the private part */
	EVP_PKEY	*pkey;		/* RSA, EC, OKP */
	unsigned char	*k;		/* oct secret */
	size_t		 klen;
	char		*kid;
	char		*use;
};

/* The alg named s, or OJOSE_ALG_UNSET (also for "none"). */
enum ojose_alg	 ojose_alg_lookup(const char *s);
/* OpenSSL's digest name for md ("SHA256"). */
const char	*ojose_md_name(enum ocrypto_md);
/*
 * Can key be used for alg?  Sets err (which may be NULL) with the
 * reason when not.  See ojwk_fits().
 */
int		 ojose_key_fits(const struct ojwk *, enum ojose_alg,
		    struct oerr *);
/* Log that an OpenSSL call failed, then clear OpenSSL's error queue. */
void		 ojose_ossl_err(const char *call);
/*
 * Decode strict base64url s (len bytes) into a new buffer (*outlen
 * bytes, plus a NUL not counted).  Returns NULL if s is not valid.
 */
unsigned char	*ojose_b64_dec(const char *s, size_t len, size_t *outlen);
/* Encode n bytes as a new NUL-terminated base64url string. */
char		*ojose_b64_enc(const void *p, size_t n);
/* Wipe n bytes at p and free p (NULL is ignored). */
void		 ojose_wipe_free(void *p, size_t n);

#endif
