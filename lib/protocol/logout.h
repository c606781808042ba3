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

#include "base/err.h"
#include "protocol/flowstate.h"

struct oarena;
struct oclient;
struct oerr;
struct oparams;
struct osessions_rec;
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
 * When oauth2.logout.revoke_tokens is on, delete every token issued
 * under the login session sid (its chains' codes, access and refresh
 * tokens), inside the caller's write transaction that ends it; else,
 * or for a NULL or empty sid, nothing.  Returns 1, or 0 on a store
 * failure.
 */
int	 ologout_revoke_tokens(struct ostore_txn *, const char *sid);

/*
 * The admin API's end of login sessions (Hydra's
 * revokeOAuth2LoginSessions), inside the caller's write transaction:
 * by sid, a headless logout of that login session, its notification
 * session into *notify (freed first; hand it to ologout_backchannel()
 * after the commit; a sid that names no remembered session is no
 * error, as in Hydra, and has no client to tell); else every session
 * of subject, without notifications (*notify NULL).  Each ended
 * session's tokens go too (ologout_revoke_tokens()).  Returns 1, or 0
 * with err set (a store failure).
 */
int	 ologout_end_sessions(struct ostore_txn *, const char *sid,
	    const char *subject, json_t **notify, struct oerr *err);

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

/*
 * RP-INITIATED LOGOUT 1.0: a logout request at /oauth2/sessions/logout
 * becomes a logout challenge for urls.logout; the logout app's verifier
 * ends the login session (ologout_finish).  ologout_begin() and
 * ologout_end() (below) do each step whole.
 */

/* A validated logout request (ologout_validate). */
struct ologout_req {
	const char	*hint;		/* id_token_hint, or NULL */
	const char	*client_id;	/* given or the hint's, or NULL */
	const char	*uri;		/* post_logout_redirect_uri, or NULL */
	const char	*state;		/* or NULL */
	const char	*hint_sid;	/* the hint's sid, or NULL */
	const char	*hint_sub;	/* the hint's sub, or NULL */
	json_t		*claims;	/* the hint's claims (owned), or NULL */
	const struct oclient *client;	/* the client (held), or NULL */
};

/*
 * Validate a logout request's parameters (borrowed by r): an
 * id_token_hint we issued (an expired one is fine; client_id, when
 * given, among its audiences), a client that exists, a registered
 * post_logout_redirect_uri; post_logout_redirect_uri or state need a
 * hint or a client_id.  Returns 1, or 0 with err set (an error page:
 * nothing is redirected).  Free r with ologout_req_free either way.
 */
int	 ologout_validate(const struct oparams *, struct ologout_req *r,
	    struct oerr *err);
void	 ologout_req_free(struct ologout_req *r);

/*
 * The login session a logout request ends: the browser's (cs), when
 * there is no hint or it has the hint's sid or subject; else the
 * hint's (hs), the RP knowing which session it logs out.  NULL (either
 * may be NULL) when there is none: nothing to end.
 */
const struct osessions_rec *ologout_pick(const struct ologout_req *,
	    const struct osessions_rec *cs, const struct osessions_rec *hs);

/*
 * The sealed logout challenge (a new string, free()) for ending session
 * (browser: it is the browser's own, not only the hint's), coming from
 * request_url.  csrf receives the logout CSRF cookie's value.
 */
char	*ologout_challenge(const struct ologout_req *,
	    const struct osessions_rec *session, int browser,
	    const char *request_url, char csrf[44]);

/* What ending a login session did (ologout_finish). */
struct ologout_done {
	json_t		*session;	/* whom to notify (owned), or NULL */
	int		 used;		/* the verifier was spent already */
	int		 clear;		/* the browser's session ended too */
};

/*
 * In a write transaction: spend the logout verifier state, capture the
 * notification session and end the login session it names.
 * cookie_sid is the sid of the browser's session cookie (NULL: none);
 * d->clear tells whether that cookie should go (its session ended, or
 * is gone).  Returns 1 (d->used when the verifier was spent already),
 * or 0 with err set.  Notify (ologout_backchannel) after it returns.
 */
int	 ologout_finish(const struct ofstate_logout *state,
	    const char *cookie_sid, struct ologout_done *d,
	    struct oerr *err);

/*
 * Where the browser goes after the logout verifier state: its
 * post_logout_redirect_uri with state when the client still registers
 * it, else urls.post_logout_redirect (ologout_redirect).
 */
char	*ologout_target(struct oarena *,
	    const struct ofstate_logout *state);

/*
 * THE TWO STEPS AS ONE CALL EACH, for the HTTP side: ologout_begin()
 * (a logout request) and ologout_end() (the logout app's verifier) do
 * a whole step and fill an outcome that says how to answer the user
 * agent; the caller keeps the cookies (the session cookie's sid, the
 * CSRF cookie checked through csrf_ok and set or cleared from the
 * outcome) and the rendering.  Strings are in the arena given.
 */

/* How the user agent is answered after a step. */
enum ologout_answer {
	OLOGOUT_SHOW_ERROR,	/* an error page: err */
	OLOGOUT_TO_UI,		/* to urls.logout?logout_challenge= */
	OLOGOUT_REDIRECT,	/* to target */
	OLOGOUT_FRONTCHANNEL	/* a page framing frontchannel, then target */
};

struct ologout_outcome {
	enum ologout_answer	 answer;
	struct oerr		 err;		/* SHOW_ERROR */
	char			*challenge;	/* TO_UI (owned) */
	const char		*target;	/* REDIRECT, FRONTCHANNEL */
	json_t			*frontchannel;	/* FRONTCHANNEL: URIs (owned) */
	/*
	 * The logout CSRF cookie of csrf_client: set to csrf (TO_UI) or
	 * deleted (csrf_clear, after the verifier).
	 */
	const char		*csrf_client;
	char			 csrf[44];
	int			 csrf_clear;
	/*
	 * The browser's session cookie and browser state: delete them
	 * (its session ended), or forget: delete those the request has
	 * (nothing to end, and the browser has no live session).
	 */
	int			 clear;
	int			 forget;
};

/*
 * The CSRF check of a verifier (protocol/authorize.h's shape): whether
 * the browser holds the cookie of kind for client_id with value want.
 */
typedef int	(*ologout_csrf_fn)(void *arg, const char *kind,
		    const char *client_id, const char *want);

/* Release what o holds; a zeroed o is fine. */
void	 ologout_outcome_free(struct ologout_outcome *o);

/*
 * A logout request p from a browser whose session cookie names
 * cookie_sid (NULL: none), at request_url: validate it (else an error
 * page), find the login session it ends (ologout_pick, among the
 * browser's and the id_token_hint's live sessions) and seal it into a
 * logout challenge (TO_UI); without a session there is nothing to end,
 * and the browser goes to the post-logout redirect at once (REDIRECT),
 * as Hydra does.  Returns 1, or 0 with o->err set (SHOW_ERROR).
 */
int	 ologout_begin(struct oarena *, const struct oparams *p,
	    const char *cookie_sid, const char *request_url,
	    struct ologout_outcome *o);

/*
 * Back from the logout app with a logout verifier: open it (else a 400
 * page), check the browser's CSRF cookie through csrf_ok(arg, ...),
 * end the login session (ologout_finish), tell its clients by back
 * channel, and send the browser to the post-logout redirect, through
 * the clients' front-channel URIs when there are any.  Returns 1, or 0
 * with o->err set (SHOW_ERROR): a bad verifier, a CSRF mismatch, a
 * store failure, a spent verifier.
 */
int	 ologout_end(struct oarena *, const char *verifier,
	    const char *cookie_sid, ologout_csrf_fn csrf_ok, void *arg,
	    struct ologout_outcome *o);

#endif
