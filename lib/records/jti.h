/*
 * jti.h: the single-use store of client assertion ids (RFC 7523 §3
 * item 7: "the authorization server MAY ensure that JWTs are not
 * replayed").
 *
 * A client assertion's (private_key_jwt, client_secret_jwt) jti is
 * spent once per client, and a jwt-bearer grant's assertion's once per
 * issuer (protocol/trust.h passes "urn:oidcgi:jwt-bearer:" and the
 * issuer as client_id): its mark
 * is a record in the "flows" database (schema/store.md, flows) under
 * the SHA-256 of "jti:", the client_id, a 0x00 byte and the jti, with
 * the value {"v":1,"kind":"client_assertion","exp":<unix seconds>} and
 * an expiry entry at exp, so that ogrant_flush() removes it once the
 * assertion could no longer be accepted anyway.  This module is the
 * only code that touches those entries.
 */
#ifndef OIDCGI_JTI_H
#define OIDCGI_JTI_H

#include <stdint.h>

struct oerr;
struct ostore_txn;

#define OJTI_KEY_LEN	32	/* bytes of a mark's key (SHA-256) */

/*
 * The key of the mark of client_id's assertion id jti into key.
 */
void	 ojti_key(const char *client_id, const char *jti,
	    unsigned char key[OJTI_KEY_LEN]);

/*
 * Spend the assertion id whose key is key, valid until exp (unix
 * seconds), inside the caller's write transaction.  A mark that has
 * not expired yet is a replay; an expired one not flushed yet is
 * replaced.  Returns 1, or 0 with err set: invalid_client for a replay,
 * server_error when the store failed.
 */
int	 ojti_use(struct ostore_txn *, const unsigned char key[OJTI_KEY_LEN],
	    int64_t exp, struct oerr *err);

#endif
