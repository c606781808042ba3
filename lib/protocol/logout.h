/*
 * logout.h: telling clients that a login session ended: OpenID Connect
 * Back-Channel Logout 1.0 and Front-Channel Logout 1.0.
 *
 * A NOTIFICATION SESSION is a JSON object {"sid", "sub", "clients"}:
 * the login session that ended and the client_ids that got tokens in
 * it.  Capture it with ologout_session() inside the write transaction
 * that deletes the login session, then, once that transaction has
 * committed, hand it to ologout_backchannel() (and, in a browser, build
 * the front-channel page from ologout_frontchannel()).
 */
#ifndef OIDCGI_LOGOUT_H
#define OIDCGI_LOGOUT_H

#include <jansson.h>

struct oarena;
struct ostore_txn;

#define OLOGOUT_EVENT \
	"http://schemas.openid.net/event/backchannel-logout"
#define OLOGOUT_TTL	120	/* seconds a logout token is valid */
#define OLOGOUT_TIMEOUT_MS	2000	/* connect and total, per POST */

/*
 * The notification session of sid: the stored login session's sub and
 * clients, plus the client of every consent given under sid (consents
 * of subject, when the stored session is gone; subject may be NULL).
 * Read inside the caller's transaction, before the session is deleted.
 * Returns a new object (clients possibly empty), or NULL when sid is
 * NULL or empty.
 */
json_t	*ologout_session(struct ostore_txn *, const char *sid,
	    const char *subject);

/*
 * Back-Channel Logout 1.0 §2.5: for each client of session with a
 * backchannel_logout_uri, sign a logout token (§2.4: typ "logout+jwt";
 * iss, aud [client_id], iat, exp iat + OLOGOUT_TTL, jti, sid, events;
 * sub too for clients with public subjects; never a nonce) with the
 * ID-token key, and POST it as the form logout_token=... .  The POSTs
 * run in parallel, each limited to OLOGOUT_TIMEOUT_MS, no redirects,
 * http and https only.  Failures (no answer, a status other than 200 or
 * 204) are logged with the client_id and otherwise ignored: logout
 * never waits longer or fails because of a client.
 *
 * Call it OUTSIDE any store transaction (it reads clients and keys).
 * NULL is ignored.
 */
void	 ologout_backchannel(const json_t *session);

/*
 * Front-Channel Logout 1.0 §2: for each client of session with a
 * frontchannel_logout_uri, that URI, with iss and sid query parameters
 * when the client set frontchannel_logout_session_required.  Returns a
 * new array of strings (possibly empty).  Call it outside any store
 * transaction.
 */
json_t	*ologout_frontchannel(const json_t *session);

/*
 * Where the browser goes after logout (RP-Initiated Logout 1.0 §3):
 * uri with state added to its query when state is set, or
 * urls.post_logout_redirect when uri is NULL or "".  An arena string.
 */
char	*ologout_redirect(struct oarena *, const char *uri,
	    const char *state);

#endif
