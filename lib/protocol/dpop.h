/*
 * dpop.h: DPoP proofs (RFC 9449), without HTTP.
 *
 * A client proves possession of a key by sending, with each request, a
 * DPoP header: a JWT signed with that key, carrying the public key in
 * its header.  The token endpoint binds the tokens it issues to the
 * key's RFC 7638 thumbprint (the grant's jkt, tokens.h); a resource
 * (userinfo) then wants a proof by the same key over its own request
 * and the access token's hash (ath).
 *
 * odpop_verify() applies RFC 9449 §4.3: typ "dpop+jwt"; alg one of
 * odpop_algs (asymmetric only); a public "jwk" in the header that
 * verifies the signature; "htm" the request's method; "htu" the
 * request's URL, both compared without query and fragment after
 * RFC 3986 §6.2.2 and §6.2.3 normalisation (case of scheme and host,
 * default port, empty path); "iat" within ODPOP_WINDOW seconds in the
 * past and ODPOP_SKEW in the future; a "jti" of at most ODPOP_JTI_MAX
 * bytes, single use (spent with odpop_spend(), one mark in the flows
 * database through lib/records/jti.h, kept until the proof's iat could
 * no longer be accepted, then flushed); with a token, "ath" the
 * base64url SHA-256 of it (§4.2); with oauth2.dpop.require_nonce, a
 * "nonce" the server gave (odpop_nonce()).
 *
 * Server nonces (§8) are stateless: base64url of a time slot of
 * ODPOP_NONCE_SLOT seconds (8 bytes, big-endian) and the first 16 bytes
 * of an HMAC-SHA-256 of it under a key derived from secrets.system (HKDF,
 * info "oidcgi dpop nonce"); the current and the previous slot are
 * accepted, so a nonce lives one to two slots.
 *
 * Errors: invalid_dpop_proof (400) naming what was wrong, and
 * use_dpop_nonce (400) when the nonce is missing or stale: the caller
 * then answers with a fresh DPoP-Nonce header.  A resource answers
 * both as 401 (§7.1).
 */
#ifndef OIDCGI_DPOP_H
#define OIDCGI_DPOP_H

#include <stdint.h>

#include "jose/jose.h"
#include "records/jti.h"

struct oerr;
struct ostore_txn;

#define ODPOP_WINDOW	300	/* seconds a proof's iat may be old */
#define ODPOP_SKEW	60	/* seconds it may be ahead */
#define ODPOP_JTI_MAX	256	/* bytes of a proof's jti */
#define ODPOP_NONCE_SLOT 300	/* seconds of a nonce's time slot */
#define ODPOP_NONCE_LEN	32	/* characters of a nonce */

/* The algorithms accepted (discovery's dpop_signing_alg_values_supported). */
extern const char *const odpop_algs[];

/* What a request to a resource presents (RFC 9449 §7). */
struct odpop_req {
	const char	*proof;		/* DPoP header, NULL: none */
	const char	*htm;		/* the request's method */
	const char	*htu;		/* the resource's published URL */
	int		 scheme;	/* the token came as "DPoP", not
					   "Bearer" */
	int		 bound;		/* set: the token is bound */
};

/* A verified proof. */
struct odpop {
	char		 jkt[OJWK_THUMBPRINT_LEN + 1]; /* its key's */
	unsigned char	 mark[OJTI_KEY_LEN];	/* its jti's mark */
	int64_t		 exp;		/* keep the mark until */
};

/*
 * Verify the proof (the DPoP header's value) of a request with method
 * htm to htu (the endpoint's URL as published), at time now; token,
 * when not NULL, is the access token presented with it (ath).  Nothing
 * is spent: call odpop_spend() in the transaction that acts on the
 * request.  Returns 1 with *out filled, or 0 with err set.
 */
int	 odpop_verify(const char *proof, const char *htm, const char *htu,
	    const char *token, int64_t now, struct odpop *out,
	    struct oerr *err);

/*
 * Spend the proof's jti inside the caller's write transaction.  Returns
 * 1, or 0 with err set: invalid_dpop_proof for a replay, server_error
 * when the store failed.
 */
int	 odpop_spend(struct ostore_txn *, const struct odpop *,
	    struct oerr *err);

/*
 * The same in a write transaction of its own (a resource's request).
 * NOTE: call it outside any transaction.
 */
int	 odpop_spend_now(const struct odpop *, struct oerr *err);

/*
 * A fresh server nonce for time now into out (ODPOP_NONCE_LEN + 1
 * bytes).  Returns 1, or 0 when no secret is configured.
 */
int	 odpop_nonce(int64_t now, char out[ODPOP_NONCE_LEN + 1]);

/* 1 if nonce is one odpop_nonce() gave for now or the slot before. */
int	 odpop_nonce_ok(const char *nonce, int64_t now);

/*
 * 1 if the two URLs are the same for htu (RFC 9449 §4.3 item 9): both
 * parse as absolute http(s) URLs and agree after normalisation,
 * ignoring query and fragment.
 */
int	 odpop_htu_eq(const char *a, const char *b);

#endif
