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
 * random value that the challenge repeats (lib/web/cookies.h sets and
 * reads them).
 *
 * LOGIN SESSIONS ("sessions", by sid; "sessions_by_subject"; the table
 * is records/sessions.h's) exist when a login was accepted with
 * remember=true; this module marks them ended.  CONSENTS (grants) are
 * records/consents.h's.
 */
#ifndef OIDCGI_FLOW_H
#define OIDCGI_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store/store.h"

struct oerr;
struct osessions_rec;

enum oflow_purpose {
	OFLOW_LOGIN,		/* login challenge */
	OFLOW_LOGIN_VERIFIER,
	OFLOW_CONSENT,		/* consent challenge */
	OFLOW_CONSENT_VERIFIER,
	OFLOW_LOGOUT,		/* logout challenge */
	OFLOW_LOGOUT_VERIFIER,
	OFLOW_SESSION_COOKIE,
	OFLOW_CSRF_COOKIE,
	OFLOW_ENDED_SESSION,	/* a mark only: a login session logged out */
	OFLOW_DEVICE,		/* device challenge (RFC 8628 user code entry) */
	OFLOW_DEVICE_VERIFIER,	/* its verifier: a user code accepted */
	OFLOW_CODE,		/* an authorization code (records/tokens.h) */
	OFLOW_REVOKED_GRANT,	/* a mark only: a consent's grant revoked */
	OFLOW__MAX
};

#define OFLOW_SESSION_COOKIE_NAME	"oidcgi_session"
#define OFLOW_SESSION_LIFESPAN		(720LL * 3600)	/* remember_for 0 */

/*
 * Seal state for a purpose: a new string (free()).  A challenge (login,
 * consent, logout) records the app it is sent to, as "app": urls.login,
 * urls.consent or urls.logout as configured when it is sealed (unless
 * state names one already), so that an app can tell the challenges
 * issued for it (oflow_for_bundled_app).
 */
char	*oflow_seal(enum oflow_purpose, const json_t *state);
/*
 * Open sealed state of a purpose (any configured secret).  Refused with
 * a 404 in err: malformed, forged, of another purpose, or expired (its
 * "exp" passed).  Returns a new reference.
 */
json_t	*oflow_open(enum oflow_purpose, const char *sealed, struct oerr *);

/*
 * Open sealed state of a purpose (any configured secret) without
 * looking at its "exp": for a caller that tells an expired one apart.
 * Returns a new reference, or NULL when it is malformed, forged or of
 * another purpose.
 */
json_t	*oflow_unseal(enum oflow_purpose, const char *sealed);

/*
 * A mark of the "flows" table (schema/store.md, flows) as stored:
 * {"redirect_to": ..., "exp": ...}, redirect_to left out when NULL.
 */
struct oflow_mark {
	int64_t		 exp;		/* Unix seconds it may go */
	char		*redirect_to;	/* a handled challenge's answer */
};

/* Free what m owns and zero it; a zeroed m is fine. */
void	 oflow_mark_free(struct oflow_mark *m);

/*
 * Mark (purpose, id) as used, until exp, with redirect_to (where a
 * handled challenge led, or NULL).  Returns OSTORE_OK, OSTORE_EXISTS
 * when it was used already, or OSTORE_ERR.
 */
enum ostore_rc	 oflow_use(struct ostore_txn *, enum oflow_purpose,
		    const char *id, int64_t exp, const char *redirect_to);
/*
 * 1 if (purpose, id) is marked used, its mark then decoded into m when
 * m is not NULL (zeroed first; oflow_mark_free); 0 if it is not (or
 * its mark cannot be read).
 */
int	 oflow_used(struct ostore_txn *, enum oflow_purpose, const char *id,
	    struct oflow_mark *m);

/*
 * 1 if the opened challenge st of purpose p (OFLOW_LOGIN, OFLOW_CONSENT
 * or OFLOW_LOGOUT) was issued for the bundled app (cgi-bin/ui): its
 * "app" (or, for a challenge sealed without one, the app now
 * configured), up to any query, is <issuer>ui/login, ui/consent or
 * ui/logout.  A challenge sent to another app must not be completed by
 * the bundled one: a person that app refused must not get around it.
 */
int	 oflow_for_bundled_app(enum oflow_purpose p, const json_t *st);

/*
 * 1 if the login session sid has been ended (logout, its revocation on
 * the admin API, its user deleted): every flow state carrying that sid
 * ("sid": login and consent challenges and verifiers) is then void, so
 * that a login verifier replayed from the browser's history after
 * logout signs nobody in.  The mark (purpose "ended_session") is put by
 * oflow_session_delete and kept until every flow state issued before
 * it has expired (OFLOW_ENDED_TTL).
 */
int	 oflow_session_ended(struct ostore_txn *, const char *sid);
/*
 * How long an ended session's mark is kept: 2 x ttl.login_consent_request
 * (no flow state outlives its login challenge by more) plus a minute, or
 * ttl.auth_code plus a minute when that is longer (an authorization code
 * carries its sid and is void once it ended, records/tokens.h).
 */
#define OFLOW_ENDED_TTL(ttl, code_ttl) \
	(2 * (int64_t)(ttl) + 60 > (int64_t)(code_ttl) + 60 ? \
	2 * (int64_t)(ttl) + 60 : (int64_t)(code_ttl) + 60)

/*
 * Login sessions (records/sessions.h holds the table).  Store one;
 * refused (a 400 in err) when its sid was ended.
 */
int	 oflow_session_put(struct ostore_txn *,
	    const struct osessions_rec *, struct oerr *);
/*
 * Delete one session (by sid) or every session of a subject, and mark
 * each sid ended (oflow_session_ended), stored or not.
 */
int	 oflow_session_delete(struct ostore_txn *, const char *sid,
	    const char *subject);

/*
 * Delete an expired record the flow owns (db OSTORE_FLOWS or
 * OSTORE_SESSIONS) and its index entries, for the janitor walking
 * OSTORE_EXPIRY (consents: oconsents_expire, consents.h).  Returns 1,
 * or 0 on a store failure.
 */
int	 oflow_expire(struct ostore_txn *, enum ostore_db, const void *key,
	    size_t keylen);

#endif
