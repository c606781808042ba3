/*
 * lifecycle.h: what goes with a record when it goes.
 *
 * Records hang off each other: a client's tokens and the consents given
 * to it; a user's login sessions and consents; a consent's tokens.  The
 * record modules each keep to their own tables and know nothing of one
 * another's; the cascades that cross them live here, and only here, so
 * that deleting a client or a user, revoking a consent or flushing what
 * expired happens the same way from every dialect, the CLI and the
 * janitor.  No record module includes this header: lifecycle is the top
 * of lib/records/, which keeps the record modules free of circles.
 *
 * The functions taking a transaction run inside the caller's write
 * transaction (store.h: ostore_write); the others open their own.  All
 * return 1, or 0 with err set (or, without err, on a store failure).
 */
#ifndef OIDCGI_LIFECYCLE_H
#define OIDCGI_LIFECYCLE_H

#include <stddef.h>
#include <stdint.h>

struct oerr;
struct ostore_txn;

/*
 * Delete client id with its index entries, every code, access and
 * refresh token issued to it (Hydra deletes them by foreign key) and
 * every consent given to it, so that a new client with the same id
 * inherits nothing.  404 when there is no such client.
 */
int	 olife_client_remove(struct ostore_txn *, const char *id,
	    struct oerr *err);
/* The same in a write transaction of its own. */
int	 olife_client_delete(const char *id, struct oerr *err);

/*
 * Delete the consents of subject (for one client, or all of them when
 * client_id is NULL) and revoke every token issued under them; *n (when
 * not NULL) says how many consents went.  0 only on a store failure.
 */
int	 olife_consent_revoke(struct ostore_txn *, const char *subject,
	    const char *client_id, size_t *n);

/*
 * Delete a user with their login sessions, their consents and every
 * token issued under those, in one write transaction.  404 when there is
 * no such user.
 */
int	 olife_user_delete(const char *username, struct oerr *err);

/*
 * Delete what expired before not_after (codes, tokens, used tombstones
 * once their chain is over, handled challenges, login sessions,
 * consents), at most max records (0: no limit), walking the expiry
 * index oldest first; *done (when not NULL) says how many.  0 on a store
 * failure.
 */
int	 olife_flush(struct ostore_txn *, int64_t not_after, size_t max,
	    size_t *done);

#endif
