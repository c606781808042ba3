/*
 * pushed.h: pushed authorization requests (RFC 9126), kept from the
 * push until their single use or their expiry.
 *
 * A pushed request is a record in the "flows" database (schema/store.md,
 * flows) under the SHA-256 of "par", a 0x00 byte and its reference (the
 * random part of its request_uri), with the value {"v": 1, "kind":
 * "par", "client_id": ..., "params": [[name, value], ...], "exp": <unix
 * seconds>} and an expiry entry at exp, so that olife_flush() removes
 * it when it was never used.  This module is the only code that touches
 * those records.
 */
#ifndef OIDCGI_PUSHED_H
#define OIDCGI_PUSHED_H

#include <stdint.h>

#include <jansson.h>

struct oerr;
struct ostore_txn;

/* A pushed request as opushed_take() hands it out. */
struct opushed {
	char	*client_id;	/* the client that pushed it (owned) */
	json_t	*params;	/* [[name, value], ...] (owned) */
	int64_t	 exp;
};

/* What opushed_take() found. */
enum opushed_rc {
	OPUSHED_OK,		/* taken: it is gone from the store */
	OPUSHED_UNKNOWN,	/* never pushed, used already or flushed */
	OPUSHED_EXPIRED,	/* expired (and now gone) */
	OPUSHED_ERR		/* the store failed: err is set */
};

/*
 * Store the request params ([[name, value], ...], not taken) pushed by
 * client_id under the reference ref until exp, inside the caller's
 * write transaction.  Returns 1, or 0 with a server_error in err.
 */
int	 opushed_put(struct ostore_txn *, const char *ref,
	    const char *client_id, const json_t *params, int64_t exp,
	    struct oerr *err);

/*
 * Take the request of reference ref inside the caller's write
 * transaction: it is deleted with its expiry entry whether it is still
 * good or has expired, so that it is used at most once.  On OPUSHED_OK p
 * holds it (opushed_free()).  OPUSHED_ERR sets err.
 */
enum opushed_rc	 opushed_take(struct ostore_txn *, const char *ref,
		    struct opushed *p, struct oerr *err);

/* Release what p holds and zero it; a zeroed p is fine. */
void	 opushed_free(struct opushed *p);

#endif
