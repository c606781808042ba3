/*
 * sessions.h: login sessions, the records of the "sessions" table and
 * its index "sessions_by_subject" (schema/store.md).  This module is
 * the only code that reads or writes them.
 *
 * A LOGIN SESSION exists when a login was accepted with remember=true
 * (the authorization endpoint's login step); the session cookie holds
 * its sid, sealed.  It lists the clients that got tokens in it, for
 * logout.  Whether a session was ENDED (logged out) is a flow mark
 * (oflow_session_ended in flow.h), not part of the record: flow.c puts
 * the mark and deletes the record through this module.
 *
 * Not to be confused with lib/web/session.h, OpenID Connect Session
 * Management's browser-state cookie.
 */
#ifndef OIDCGI_SESSIONS_H
#define OIDCGI_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

struct oerr;
struct ostore_txn;

/* A login session as stored; strings owned (osessions_free). */
struct osessions_rec {
	char		*sid;		/* the key: a UUID */
	char		*sub;		/* the subject logged in */
	int64_t		 auth_time;	/* Unix seconds of the login */
	int64_t		 exp;		/* Unix seconds it expires */
	int64_t		 remember_for;	/* seconds, 0: the default */
	char		**clients;	/* client_ids that got tokens */
	size_t		 nclients;
};

/* Free what rec owns and zero it; a zeroed rec is fine. */
void	 osessions_free(struct osessions_rec *);

/*
 * Load the session sid into rec (zeroed first).  Returns 1, or 0 with
 * err set: a 404 when there is none, a 500 when the record cannot be
 * read.
 */
int	 osessions_get(struct ostore_txn *, const char *sid,
	    struct osessions_rec *, struct oerr *);
/*
 * The same, but only a live session: one whose exp is still ahead (0
 * with a 404 in err otherwise).
 */
int	 osessions_live(struct ostore_txn *, const char *sid,
	    struct osessions_rec *, struct oerr *);

/*
 * Store rec (a new one or a rewrite), with its index entry and its
 * expiry entry at rec->exp.  Does not check for an ended sid: see
 * oflow_session_put.  Returns 1, or 0 with a 500 in err.
 */
int	 osessions_put(struct ostore_txn *, const struct osessions_rec *,
	    struct oerr *);

/*
 * Add client_id to the clients of the session sid, unless it is listed
 * already.  A session that is not stored (not remembered, logged out)
 * is left alone.  Returns 1, or 0 with a 500 in err when the store
 * fails.
 */
int	 osessions_add_client(struct ostore_txn *, const char *sid,
	    const char *client_id, struct oerr *);

/*
 * Delete the session of key sid (sidlen bytes, not NUL-terminated),
 * its expiry entry and its index entry; also the index entry (subject,
 * sid) when subject is not NULL, whether or not the record is there.
 * Deleting what is not there is fine.  Returns 1, or 0 when the store
 * fails.
 */
int	 osessions_del(struct ostore_txn *, const char *sid, size_t sidlen,
	    const char *subject);

/*
 * The sids of subject's sessions (from the index), as a new array of
 * *n new strings (osessions_sids_free), or NULL with *n 0 when there
 * are none.  Returns 1, or 0 when the store fails.
 */
int	 osessions_of_subject(struct ostore_txn *, const char *subject,
	    char ***sids, size_t *n);
void	 osessions_sids_free(char **sids, size_t n);

#endif
