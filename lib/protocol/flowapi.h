/*
 * flowapi.h: Hydra's login, consent and logout requests as functions:
 * what the admin API's
 *
 *   GET /oauth2/auth/requests/{login,consent,logout}
 *   PUT /oauth2/auth/requests/{login,consent,logout}/accept
 *   PUT /oauth2/auth/requests/{login,consent,logout}/reject
 *
 * do, without HTTP.  cgi-bin/flow wraps them for the admin listener;
 * the bundled login and consent app (cgi-bin/ui) calls them directly.
 * Both go through the same checks: a challenge must open (sealed by
 * this server, of the right kind, unexpired: else a 404), must not be
 * handled (else OFLOWAPI_HANDLED: the API's 410), and bodies are
 * validated member by member.
 *
 * Handled means, as in Hydra 2: for a login or consent challenge, that
 * its flow is done (a consent verifier of it was spent; until then it
 * may be answered again, and the first verifier spent counts) or its
 * login session has been logged out since (oflow_session_ended), and the
 * 410 leads to the flow's request_url, to start again from; for a
 * logout challenge, that it was answered, and the 410 leads where the
 * first answer did (the answer is recorded in one write transaction, so
 * two racing answers get one outcome).
 *
 * Usage: oflowapi_open() the challenge; then read it with
 * oflowapi_request(), or answer it with oflowapi_accept() or
 * oflowapi_reject(), passing the state oflowapi_open() returned.
 */
#ifndef OIDCGI_FLOWAPI_H
#define OIDCGI_FLOWAPI_H

#include <jansson.h>

#include "records/users.h"

struct oerr;
struct oparams;

enum oflowapi_kind {
	OFLOWAPI_LOGIN,
	OFLOWAPI_CONSENT,
	OFLOWAPI_LOGOUT,
	OFLOWAPI__MAX
};

enum oflowapi_rc {
	OFLOWAPI_OK,		/* done: HTTP 200 */
	OFLOWAPI_HANDLED,	/* answered already: HTTP 410 */
	OFLOWAPI_ERR		/* err set (404, 400, 500) */
};

/* "login", "consent" or "logout": the API's name of a kind. */
const char	*oflowapi_name(enum oflowapi_kind);

/*
 * Open the challenge of a kind.  On OFLOWAPI_OK *st is the opened state
 * (a new reference, with "challenge" added; it decodes whole into its
 * struct, protocol/flowstate.h); on OFLOWAPI_HANDLED *out is
 * {"redirect_to"} (a new reference; see above); on
 * OFLOWAPI_ERR err holds a 400 (no challenge, or a damaged state naming
 * its bad member) or a 404 (not one this server issued, of another
 * kind, or expired).
 */
enum oflowapi_rc oflowapi_open(enum oflowapi_kind, const char *challenge,
		    json_t **st, json_t **out, struct oerr *err);

/*
 * The request of an opened challenge, as the API's GET answers it
 * (Hydra's loginRequest, consentRequest or logoutRequest, with the
 * client in Hydra's view), built from its decoded state.  Returns a new
 * reference, or NULL with err set (the client was deleted meanwhile: a
 * 404; a damaged state: a 400).
 */
json_t	*oflowapi_request(enum oflowapi_kind, const json_t *st,
	    struct oerr *err);

/*
 * Accept an opened challenge with body (a JSON object as the API's PUT
 * takes it: Hydra's acceptOAuth2LoginRequest or
 * acceptOAuth2ConsentRequest; ignored for logout, and may then be
 * NULL).  On OFLOWAPI_OK or OFLOWAPI_HANDLED *out is {"redirect_to"} (a
 * new reference): where the user agent goes next, or, for a logout
 * challenge answered already, where the first answer sent it.
 * OFLOWAPI_ERR with a 400 naming the bad member, or a 500 when the
 * store failed.
 */
enum oflowapi_rc oflowapi_accept(enum oflowapi_kind, const json_t *st,
		    const json_t *body, json_t **out, struct oerr *err);

/*
 * Reject an opened challenge with body (Hydra's RequestDeniedError:
 * error, error_description, error_hint, error_debug, status_code;
 * ignored for logout, and may then be NULL).  As oflowapi_accept().
 */
enum oflowapi_rc oflowapi_reject(enum oflowapi_kind, const json_t *st,
		    const json_t *body, json_t **out, struct oerr *err);

/*
 * LOGIN AND CONSENT SESSIONS, what the admin API's
 *
 *   GET    /oauth2/auth/sessions/consent
 *   DELETE /oauth2/auth/sessions/consent
 *   DELETE /oauth2/auth/sessions/login
 *
 * do, without HTTP.
 */

/*
 * The consents subject gave on the screen (not skipped ones), under the
 * login session sid only when sid is not NULL, newest first, as Hydra's
 * PreviousConsentSession (the client in Hydra's view, null when it was
 * deleted since): the page of size entries from offset.  *total
 * receives how many there are in all.  Returns a new array, or NULL
 * with err set (the store failed).
 */
json_t	*oflowapi_consent_sessions(const char *subject, const char *sid,
	    long long offset, long long size, size_t *total,
	    struct oerr *err);

/*
 * Revoke the grants subject gave client (NULL: every client) and every
 * token issued under them.  Returns 1, or 0 with err set (a 500).
 */
int	 oflowapi_revoke_consent(const char *subject, const char *client,
	    struct oerr *err);

/*
 * End the login sessions of subject, or the one of sid (either may be
 * NULL, not both): the browser must log in again.  Ending one by sid
 * also tells its clients (Back-Channel Logout, after the commit); an
 * unknown sid is no error (Hydra).  With oauth2.logout.revoke_tokens
 * their tokens go too (ologout_end_sessions(), logout.h).  Returns 1,
 * or 0 with err set.
 */
int	 oflowapi_revoke_login(const char *subject, const char *sid,
	    struct oerr *err);

/*
 * The admin API's GET of a challenge in one call: open it, then on
 * OFLOWAPI_OK *out is its request (oflowapi_request); on
 * OFLOWAPI_HANDLED *out is {"redirect_to"}; OFLOWAPI_ERR with err set
 * (a 404 for a challenge that does not open or whose client is gone).
 */
enum oflowapi_rc oflowapi_get(enum oflowapi_kind, const char *challenge,
		    json_t **out, struct oerr *err);

/*
 * The admin API's PUT in one call: open the challenge, then accept it
 * (accept 1) or reject it with body, as oflowapi_accept() and
 * oflowapi_reject().  A login or consent answer needs a body: when the
 * request's did not parse, body is NULL and body_err says why, which is
 * the answer once the challenge opened (a challenge that does not open
 * is reported first).  The logout kind takes no body.
 */
enum oflowapi_rc oflowapi_answer(enum oflowapi_kind, const char *challenge,
		    int accept, const json_t *body,
		    const struct oerr *body_err, json_t **out,
		    struct oerr *err);

/*
 * THE BUNDLED APP'S ANSWERS (cgi-bin/ui), with the users of the store
 * (records/users.h); "remember" means for OFLOWAPI_REMEMBER_FOR.
 */
#define OFLOWAPI_REMEMBER_FOR	(30 * 24 * 3600)	/* 30 days */

/*
 * Sign in to the opened login challenge st with a username and
 * password from addr (REMOTE_ADDR; NULL or "" when unknown), with the
 * user store's lockout.  On OUSER_AUTH_OK the challenge is accepted
 * (subject: the user's, amr ["pwd"], context {"username"}, remembered
 * when remember) and *rc, *out and err are oflowapi_accept()'s;
 * OUSER_AUTH_BAD (a wrong password or no such user) and
 * OUSER_AUTH_LOCKED answer nothing; OUSER_AUTH_ERR sets err.
 */
enum ouser_auth	 oflowapi_password_login(const json_t *st,
		    const char *username, const char *password,
		    const char *addr, int remember, enum oflowapi_rc *rc,
		    json_t **out, struct oerr *err);

/*
 * Accept the opened consent challenge st, whose request (the API's
 * consentRequest, oflowapi_request) is r, granting scope, with the
 * claims of the subject's user that scope covers (OpenID Connect Core
 * §5.4; none for a subject that is not one of the store's users) as
 * session.id_token, remembered or not.  As oflowapi_accept().
 */
enum oflowapi_rc oflowapi_consent_allow(const json_t *st, const json_t *r,
		    const json_t *scope, int remember, json_t **out,
		    struct oerr *err);

/*
 * The scopes a consent form grants of those requested (an array of
 * strings): openid when requested (the sign-in needs it) and each
 * requested one that form has as a "scope" value, once each, in the
 * requested order.  A new array.
 */
json_t	*oflowapi_ticked_scope(const json_t *requested,
	    const struct oparams *form);

#endif
