/*
 * trust.h: the JWT Bearer grant (RFC 7523 §2.1) and Hydra's admin API
 * of its trust relationships (/trust/grants/jwt-bearer/issuers at the
 * root and under /admin), without HTTP.
 *
 * A trust relationship (records/trust.h) lets an issuer's assertions,
 * signed with the one public key it was registered with, be exchanged
 * at the token endpoint for an access token whose subject is the
 * assertion's sub: one subject, or any with allow_any_subject, within
 * the relationship's scope, until its expires_at.
 *
 * As in Hydra, the issuer's key lives in the trust record only; it is
 * not put in a JWK set of the keys API.
 */
#ifndef OIDCGI_PROTOCOL_TRUST_H
#define OIDCGI_PROTOCOL_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "records/jti.h"

struct oarena;
struct oclient;
struct oerr;

#define OTRUST_GRANT_TYPE	"urn:ietf:params:oauth:grant-type:jwt-bearer"

/*
 * POST: trust an issuer, from Hydra's trustOAuth2JwtGrantIssuer body
 * {issuer, subject | allow_any_subject, scope[], jwk (with a kid, a
 * public key: private members are dropped), expires_at (RFC 3339, in
 * the future)}.  Returns the new relationship as Hydra's
 * trustedOAuth2JwtGrantIssuer {id, issuer, subject, allow_any_subject,
 * scope, public_key {set, kid}, created_at, expires_at} (a new
 * reference), or NULL with err set: a 400 naming the field, a 409 for
 * the same issuer, subject and kid trusted already, or a 500.
 */
json_t	*otrust_api_create(const json_t *in, struct oerr *err);
/* GET one by id: the same view, or NULL with a 404 (or 500). */
json_t	*otrust_api_get(const char *id, struct oerr *err);
/*
 * GET the list (issuer NULL for all), offset and limit as the pager
 * parsed them; *total the number matching.  A new array, or NULL with
 * a 500.
 */
json_t	*otrust_api_list(const char *issuer, size_t offset, size_t limit,
	    size_t *total, struct oerr *err);
/* DELETE by id.  Returns 1, or 0 with a 404 (or 500). */
int	 otrust_api_delete(const char *id, struct oerr *err);

/* A verified JWT of a trusted issuer (otrust_jwt_verify()). */
struct otrust_jwt {
	const char	*iss;		/* its iss (arena) */
	const char	*sub;		/* its sub (arena) */
	json_t		*claims;	/* the verified claims (owned) */
	json_t		*scope;		/* the relationship's scope (owned) */
	int		 has_jti;	/* it has a jti: spend it */
	unsigned char	 jti[OJTI_KEY_LEN];	/* its mark key */
	int64_t		 jti_exp;	/* keep the mark until then */
};

/* Flags of otrust_jwt_verify(). */
#define OTRUST_ASSERTION	0x01	/* aud, iat and jti required */

/*
 * Verify jwt, called name in errors ("assertion", "subject_token"), as
 * a JWT of a trusted issuer (RFC 7523 §3, the rules the jwt-bearer
 * grant and token exchange share): signed (an asymmetric alg) with the
 * key of a live trust relationship of its iss that allows its sub; exp
 * required, not passed and at most oauth2.grant.jwt.max_ttl away; iat
 * not in the future; nbf respected; aud, when present, naming the
 * token endpoint URL or the issuer; jti, when present, a non-empty
 * string (its mark key in out->jti, the caller spends it with
 * ojti_use() in its write transaction; the marks of an issuer are
 * shared by both uses).  With OTRUST_ASSERTION, aud, iat and jti are
 * required.  Opens a read transaction: call it outside any.  Returns 1
 * with out set (release with otrust_jwt_free()), or 0 with err set
 * (invalid_grant naming what was wrong, or a 500) and out empty.
 */
int	 otrust_jwt_verify(struct oarena *, const char *jwt,
	    const char *name, unsigned flags, struct otrust_jwt *out,
	    struct oerr *err);
/* Release what otrust_jwt_verify() left in j (empty is fine). */
void	 otrust_jwt_free(struct otrust_jwt *j);

/* What a verified assertion grants. */
struct otrust_grant {
	const char	*sub;		/* the assertion's sub (arena) */
	unsigned char	 jti[OJTI_KEY_LEN];	/* its jti's mark key */
	int64_t		 jti_exp;	/* keep the mark until then */
};

/*
 * Check a jwt-bearer grant's assertion (RFC 7523 §3) for client:
 * otrust_jwt_verify() with OTRUST_ASSERTION (the caller spends the jti
 * with ojti_use() in its write transaction, as invalid_grant on a
 * replay); every scope of scope (an array of
 * strings) within the relationship's scope and the client's.  Opens a
 * read transaction: call it outside any.  Returns 1 with g set, or 0
 * with err set: invalid_grant (400) naming what was wrong,
 * invalid_scope, or a 500.
 */
int	 otrust_assertion_check(struct oarena *, const char *assertion,
	    const json_t *scope, const struct oclient *client,
	    struct otrust_grant *g, struct oerr *err);

#endif
