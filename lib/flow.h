/*
 * flow.h: Hydra's login, consent and logout flow.
 *
 * CHALLENGES AND VERIFIERS are sealed, self-contained flow state, as in
 * Hydra 2.2: a JSON object sealed with AES-256-GCM under a key derived
 * from secrets.system (HKDF, info "oidcgi flow"), the purpose ("login",
 * "login_verifier", "consent", ...) bound as associated data, then
 * base64url.  Each state has an "id" and an "exp".  An abandoned flow
 * writes nothing, and neither do answers to login and consent
 * challenges nor a login verifier (unless it starts a login session):
 * an authorization flow is single use as a whole, when a consent
 * verifier is spent and marks the flow's login challenge (the id every
 * state of the flow carries) as used, as Hydra 2.2 inserts its flow
 * once.  A logout challenge is marked when answered, its verifier when
 * spent.  A mark is the SHA-256 of purpose and id in the "flows"
 * database, put with NOOVERWRITE and kept until every state it covers
 * has expired.
 *
 * COOKIES are sealed the same way (purpose = cookie name): the login
 * session cookie holds the session id, the per-client CSRF cookies a
 * random value that the challenge repeats.  All are HttpOnly,
 * SameSite=Lax, and Secure unless the issuer is http on a loopback host.
 *
 * LOGIN SESSIONS ("sessions", by sid; "sessions_by_subject") exist when
 * a login was accepted with remember=true.  CONSENTS ("consents", key
 * subject NUL client_id NUL request_id) record every grant, remembered
 * or not, so that a grant can be skipped next time and revoked with
 * every token issued under it.
 */
#ifndef OIDCGI_FLOW_H
#define OIDCGI_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store.h"

struct oerr;
struct oreq;

enum oflow_purpose {
	OFLOW_LOGIN,		/* login challenge */
	OFLOW_LOGIN_VERIFIER,
	OFLOW_CONSENT,		/* consent challenge */
	OFLOW_CONSENT_VERIFIER,
	OFLOW_LOGOUT,		/* logout challenge */
	OFLOW_LOGOUT_VERIFIER,
	OFLOW_SESSION_COOKIE,
	OFLOW_CSRF_COOKIE,
	OFLOW__MAX
};

#define OFLOW_SESSION_COOKIE_NAME	"oidcgi_session"
#define OFLOW_SESSION_LIFESPAN		(720LL * 3600)	/* remember_for 0 */

/* Seal state for a purpose: a new string (free()). */
char	*oflow_seal(enum oflow_purpose, const json_t *state);
/*
 * Open sealed state of a purpose (any configured secret).  Refused with
 * a 404 in err: malformed, forged, of another purpose, or expired (its
 * "exp" passed).  Returns a new reference.
 */
json_t	*oflow_open(enum oflow_purpose, const char *sealed, struct oerr *);

/*
 * Mark (purpose, id) as used, until exp, with an optional record (e.g.
 * {"redirect_to": ...} for a handled challenge).  Returns OSTORE_OK,
 * OSTORE_EXISTS when it was used already, or OSTORE_ERR.
 */
enum ostore_rc	 oflow_use(struct ostore_txn *, enum oflow_purpose,
		    const char *id, int64_t exp, const json_t *rec);
/* The record of a used (purpose, id), or NULL (a new reference). */
json_t	*oflow_used(struct ostore_txn *, enum oflow_purpose, const char *id);

/* Cookie flags for this issuer (HttpOnly, Lax, Secure unless loopback http). */
unsigned	 oflow_cookie_flags(void);
/* The CSRF cookie name of a flow kind ("login", "consent", "logout") and client. */
char	*oflow_csrf_name(struct oreq *, const char *kind, const char *client_id);

/*
 * Login sessions.  oflow_session_get returns the live session named by
 * the request's session cookie (a new reference), or NULL.
 */
json_t	*oflow_session_get(struct oreq *, struct ostore_txn *);
int	 oflow_session_put(struct ostore_txn *, const json_t *session,
	    struct oerr *);
/* Delete one session (by sid) or every session of a subject. */
int	 oflow_session_delete(struct ostore_txn *, const char *sid,
	    const char *subject);

/* Consents (grants).  See the header comment for the key. */
int	 oflow_consent_put(struct ostore_txn *, const json_t *consent,
	    struct oerr *);
/*
 * The newest remembered, unexpired consent of subject for client, or
 * NULL (a new reference).
 */
json_t	*oflow_consent_find(struct ostore_txn *, const char *subject,
	    const char *client_id);
/*
 * Every consent of subject (for one client when client_id is not
 * NULL), newest first, as a new array.
 */
json_t	*oflow_consent_list(struct ostore_txn *, const char *subject,
	    const char *client_id);
/*
 * Delete the consents of subject (for one client, or all when client_id
 * is NULL) and revoke every token issued under them.  Returns how many
 * consents, or -1 on a store failure.
 */
long	 oflow_consent_revoke(struct ostore_txn *, const char *subject,
	    const char *client_id);

/*
 * Delete every consent given to a client (when the client is deleted,
 * so that a new client with the same id inherits nothing; its tokens
 * are revoked by otoken_revoke_client).  A full scan: consents are
 * keyed by subject.  Returns how many, or -1 on a store failure.
 */
long	 oflow_consent_revoke_client(struct ostore_txn *,
	    const char *client_id);

/*
 * Delete an expired record the flow owns (db OSTORE_FLOWS,
 * OSTORE_SESSIONS or OSTORE_CONSENTS) and its index entries, for the
 * janitor walking OSTORE_EXPIRY.  Returns 1, or 0 on a store failure.
 */
int	 oflow_expire(struct ostore_txn *, enum ostore_db, const void *key,
	    size_t keylen);

#endif
