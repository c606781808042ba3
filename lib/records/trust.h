/*
 * trust.h: trust relationships of the JWT Bearer grant (RFC 7523 §2.1,
 * Hydra's /trust/grants/jwt-bearer/issuers): an issuer whose signed
 * assertions may be exchanged for access tokens, for one subject or
 * any, within a scope, until it expires.  This module is the only code
 * that reads or writes the "trust" database (schema/store.md).
 *
 * A record is versioned JSON under its id (a UUIDv4):
 *   {"_v":1, "id", "issuer", "subject" ("" with allow_any_subject),
 *    "allow_any_subject", "scope":[...], "jwk":{the public JWK},
 *    "kid", "created_at", "expires_at"}
 * with created_at and expires_at in seconds since the epoch, and an
 * expiry entry at expires_at, so that olife_flush() removes it once it
 * expired (otrust_expire()).
 */
#ifndef OIDCGI_TRUST_H
#define OIDCGI_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct oerr;
struct ostore_txn;

/*
 * Insert rec (complete, as above; the caller built and checked it).  A
 * live record with the same issuer, subject (or both allowing any
 * subject) and kid is a 409 conflict, as Hydra's ErrDuplicateGrant.
 * Returns 1, or 0 with err set.
 */
int	 otrust_insert(struct ostore_txn *, const json_t *rec,
	    struct oerr *err);
/* The record id (a new reference), or NULL with a 404 (or 500). */
json_t	*otrust_load(struct ostore_txn *, const char *id, struct oerr *err);
/* Delete record id; 404 when there is none. */
int	 otrust_erase(struct ostore_txn *, const char *id, struct oerr *err);
/*
 * The records of issuer (NULL: all), in id order, skipping offset and
 * at most limit, as a new array; *total the number that match.  NULL
 * with a 500 on store failure.
 */
json_t	*otrust_list(struct ostore_txn *, const char *issuer, size_t offset,
	    size_t limit, size_t *total, struct oerr *err);
/*
 * The live records (expires_at after now) of issuer that allow
 * subject, as a new array (maybe empty).  NULL with a 500 on store
 * failure.
 */
json_t	*otrust_match(struct ostore_txn *, const char *issuer,
	    const char *subject, int64_t now, struct oerr *err);
/*
 * Expire the record whose expiry entry (key id, idlen bytes) is due:
 * for olife_flush() (lifecycle.h).  Returns 1, or 0 on store failure.
 */
int	 otrust_expire(struct ostore_txn *, const unsigned char *id,
	    size_t idlen);

#endif
