/*
 * consents.h: consents (grants), the records of the "consents" table
 * and their expiry entries (schema/store.md).  This module is the only
 * code that reads or writes them.
 *
 * Every completed consent leaves a record, remembered or not, so that
 * a later request can skip the consent screen (oconsents_find) and a
 * grant can be revoked with every token issued under it (its
 * request_id is the tokens_by_request key; revoking both is
 * olife_consent_revoke, lifecycle.h: this module never touches
 * tokens).
 *
 * KEY: subject NUL client_id NUL request_id, so that a prefix scan
 * lists a subject's consents, or those for one client ("c1" never
 * matches "c10": the client id ends with its NUL).
 *
 * A record is decoded into a struct oconsent at the store boundary.
 * On disk it stays the JSON object of schema/store.md, written with its
 * members in the order "request_id", "sub", "client_id", "scope",
 * "aud", "session", "sid", "remember", "remember_for",
 * "remember_until", "handled_at", "exp", "requested_scope",
 * "requested_audience", "login", "request_url", "skip" (the session
 * and login left out when NULL), byte for byte what earlier versions
 * wrote.
 */
#ifndef OIDCGI_CONSENTS_H
#define OIDCGI_CONSENTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/json.h"

struct oerr;
struct ostore_txn;

/*
 * A consent as stored; everything owned (oconsents_free).  Decoded
 * strings are never NULL ("" when the record lacks them).
 */
struct oconsent {
	char			*request_id;	/* the grant's request */
	char			*sub;		/* the subject */
	char			*client_id;
	struct ojson_strs	 scope;		/* granted scopes */
	struct ojson_strs	 aud;		/* granted audience */
	/*
	 * {"id_token": {...}, "access_token": {...}}: the claims the app
	 * gave for the tokens, free-form, so kept as JSON (a reference).
	 */
	json_t			*session;
	char			*sid;		/* login session of the grant */
	int			 remember;
	int64_t			 remember_for;	/* seconds, as answered */
	int64_t			 remember_until; /* Unix seconds, 0: ever */
	int64_t			 handled_at;	/* Unix seconds */
	int64_t			 exp;		/* Unix seconds, 0: never */
	struct ojson_strs	 requested_scope;
	struct ojson_strs	 requested_audience;
	json_t			*login;		/* the login answer (JSON) */
	char			*request_url;	/* where the flow began */
	int			 skip;		/* accepted without asking */
};

/* Free what c owns and zero it; a zeroed c is fine. */
void	 oconsents_free(struct oconsent *c);
/* Free n consents of a list (oconsents_list) and the list itself. */
void	 oconsents_list_free(struct oconsent *v, size_t n);

/*
 * Store c (sub, client_id and request_id make its key) with its expiry
 * entry at c->exp (none when 0).  Returns 1, or 0 with a 500 in err
 * (the key is empty or too long, or the store failed).
 */
int	 oconsents_put(struct ostore_txn *, const struct oconsent *c,
	    struct oerr *err);

/*
 * The newest (by handled_at) remembered consent of subject for
 * client_id whose remember_until is 0 or still ahead, into c (zeroed
 * first).  Returns 1, or 0 with err set: a 404 when there is none, a
 * 500 when the store failed.
 */
int	 oconsents_find(struct ostore_txn *, const char *subject,
	    const char *client_id, struct oconsent *c, struct oerr *err);

/*
 * Every consent of subject (for one client when client_id is not
 * NULL), newest first by handled_at, as a new array *v of *n consents
 * (oconsents_list_free; NULL when there are none).  Records that cannot
 * be read are left out.  Returns 1, or 0 with a 500 in err (and *v
 * NULL) when the store failed.
 */
int	 oconsents_list(struct ostore_txn *, const char *subject,
	    const char *client_id, struct oconsent **v, size_t *n,
	    struct oerr *err);

/*
 * Delete one consent (by its key) and its expiry entry, nothing else.
 * Deleting what is not there is fine.  Returns 1, or 0 with a 500 in
 * err when the store failed.
 */
int	 oconsents_erase(struct ostore_txn *, const struct oconsent *c,
	    struct oerr *err);

/*
 * Delete every consent given to client_id, with its expiry entry (for
 * olife_client_remove: a new client with the same id inherits
 * nothing).  A full scan: consents are keyed by subject.  Returns 1, or
 * 0 with a 500 in err when the store failed.
 */
int	 oconsents_erase_client(struct ostore_txn *, const char *client_id,
	    struct oerr *err);

/*
 * Delete the expired consent of key (keylen bytes), for olife_flush
 * walking the expiry index (which deletes the entry itself).  Returns
 * 1, or 0 when the store failed.
 */
int	 oconsents_expire(struct ostore_txn *, const void *key,
	    size_t keylen);

#endif
