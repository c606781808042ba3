/*
 * authorize.h: the protocol of the authorization endpoint (RFC 6749
 * §3.1, §4.1.1, §4.2.1; OpenID Connect Core §3.1.2, §3.2.2, §3.3.2;
 * OAuth 2.0 Multiple Response Types; RFC 7636), in Hydra's headless
 * model, on plain values: the HTTP side is cgi-bin/oauth2/auth.c's.
 *
 *   1. oauthorize_validate() checks a new request; oauthorize_start()
 *      seals the login challenge for urls.login (skip: true when the
 *      browser's login session covers it);
 *   2. oauthorize_login() handles the login verifier: the login
 *      session is stored when remembered, and a consent challenge is
 *      made (skip: true when a remembered consent covers the request);
 *   3. oauthorize_consent() handles the consent verifier: the grant is
 *      recorded and the response (code, tokens) made for the client.
 *
 * oauthorize_begin(), oauthorize_after_login() and
 * oauthorize_after_consent() (below) each do one whole step for the
 * HTTP side and say how to answer in a struct oauthorize_outcome.
 *
 * ERRORS: until the redirect URI is verified (a->trusted 0) an error
 * is shown to the user (urls.error); after, it goes to the client in
 * its response mode, with state.
 */
#ifndef OIDCGI_AUTHORIZE_H
#define OIDCGI_AUTHORIZE_H

#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "protocol/flowstate.h"

struct ogrant;

struct oclient;
struct oerr;
struct oparams;
struct osessions_rec;

#define OAUTHORIZE_CODE		0x1	/* response_type bits */
#define OAUTHORIZE_TOKEN	0x2
#define OAUTHORIZE_IDTOKEN	0x4

/* Response modes; the number is sealed in the flow state. */
enum oauthorize_mode {
	OAUTHORIZE_QUERY,
	OAUTHORIZE_FRAGMENT,
	OAUTHORIZE_FORM_POST
};

/*
 * The longest redirect to urls.login: the login app gets it as a
 * request line, which lighttpd, Apache and nginx refuse from 8 KiB on
 * (with the Host, the cookies and the rest of the head).
 */
#define OAUTHORIZE_LOGIN_URL_MAX	6144

/* A validated request: everything later steps need, sealed along. */
struct oauthorize {
	const struct oclient *client;	/* held (oclient_release()) */
	struct ofstate_req r;		/* the request (owned) */
	unsigned	 rt;		/* OAUTHORIZE_CODE... */
	enum oauthorize_mode mode;
	const char	*redirect_uri;	/* r.redirect_uri */
	const char	*state;		/* r.state (NULL: none) */
	int		 trusted;	/* errors may go to redirect_uri */
};

/* Release what a holds and zero it; a zeroed a is fine. */
void	 oauthorize_free(struct oauthorize *a);

/*
 * A DEVICE FLOW (RFC 8628, protocol/device.h) runs the same login and
 * consent steps for a request that is no authorization request: its
 * response_type is OAUTHORIZE_DEVICE_RT, its state the hex key of the
 * device authorization (records/device.h), it has no redirect URI.
 * Its consent is never skipped; step 3 approves the device
 * authorization (a rejection denies it) instead of answering a client,
 * and ends at urls.device.success (OAUTHORIZE_TO_URL); every error is
 * shown to the person.
 */
#define OAUTHORIZE_DEVICE_RT	"urn:ietf:params:oauth:grant-type:device_code"

/* 1 if r is a device flow's request. */
int	 oauthorize_is_device(const struct ofstate_req *r);

/*
 * Validate a new authorization request's parameters into a.  Returns
 * 1, or 0 with err set and a->trusted telling whether the error may go
 * to the client (the redirect URI was verified) or must be shown to the
 * user (unknown client, bad or missing redirect_uri, malformed
 * parameters).  Free a either way.  p is taken as it is: a request or
 * request_uri in it is request_not_supported or
 * request_uri_not_supported (oauthorize_begin() and opar_push() resolve
 * them first, protocol/reqobj.h).
 */
int	 oauthorize_validate(const struct oparams *, struct oauthorize *a,
	    struct oerr *err);

/*
 * The bits of a response_type ("code id_token", any order, each once),
 * 0 when it is not a combination of code, token and id_token.
 */
unsigned oauthorize_response_bits(const char *response_type);

/* 1 if the space-separated list s (NULL: empty) holds word. */
int	 oauthorize_has_word(const char *s, const char *word);

/*
 * Step 1: the sealed login challenge for a validated request a (a new
 * string, free()), given the browser's live login session (NULL: none)
 * and the URL of the request to come back to.  csrf receives the value
 * of the login CSRF cookie to set.  NULL with err set (the error goes
 * to the client): login_required for prompt=none when the session is
 * missing or does not do (prompt=login, max_age, another subject in
 * id_token_hint), invalid_request when the challenge is too long for
 * urls.login.
 */
char	*oauthorize_start(const struct oauthorize *a,
	    const struct osessions_rec *session, const char *request_url,
	    char csrf[44], struct oerr *err);

/*
 * Restore the request req of an opened challenge or verifier state
 * into a (copied; the client is reloaded).  Returns 1, or 0 with err
 * set: the client is gone, or its redirect URIs no longer hold the
 * flow's.
 */
int	 oauthorize_restore(const struct ofstate_req *req,
	    struct oauthorize *a, struct oerr *err);

/* A login or consent step of a flow. */
struct oauthorize_step {
	const struct ofstate_login	*login;	/* step 2: the verifier */
	const struct ofstate_consent	*consent; /* step 3: the verifier */
	struct oauthorize	*a;	/* its request (oauthorize_restore) */
	struct ofstate_consent	 next;	/* step 2: the consent challenge */
	json_t			*out;	/* step 3: the response (owned) */
	int			 used;	/* the flow was done already */
};

/*
 * 1 if the login verifier state starts a login session: a login
 * accepted with remember, not one that reused a session.
 */
int	 oauthorize_starts_session(const struct ofstate_login *state);

/*
 * Step 2, the login verifier of s->login: in a write transaction when
 * it starts a login session (stored, unless its sid was logged out),
 * else a read.  s->next becomes the consent challenge's state (free it
 * with ofstate_consent_free()), skip when a remembered consent covers
 * the request.  Returns 1 (see oauthorize_refused() for a done flow or
 * a rejected login), or 0 with err set (for the client).
 */
int	 oauthorize_login(struct oauthorize_step *s, struct oerr *err);

/*
 * After step 2: 0 with consent_required in err when the request had
 * prompt=none and the consent challenge s->next cannot be skipped,
 * else 1.
 */
int	 oauthorize_consent_ok(const struct oauthorize_step *s,
	    struct oerr *err);

/*
 * Step 3, the consent verifier of s->consent, in a write transaction:
 * mark the flow done, record the grant (consents), add the client to
 * the login session, and issue what the response type asks for.
 * s->out becomes the response parameters (code, access_token,
 * id_token, ...).  Returns 1 (see oauthorize_refused()), or 0 with err
 * set (for the client).
 */
int	 oauthorize_consent(struct oauthorize_step *s, struct oerr *err);

/*
 * After a step: 1 when the client is to get an error instead, with err
 * and *name (its error code) set: the flow was done already (used, an
 * invalid_request saying so) or the app rejected the request (its
 * error, description and hint).  0 to go on.
 */
int	 oauthorize_refused(const struct oauthorize_step *s,
	    const char *used, struct oerr *err, const char **name);

/*
 * The grant of a completed consent state (see tokens.h) into g
 * (overwritten; ogrant_free()).
 */
void	 oauthorize_grant(const struct ofstate_consent *state,
	    struct ogrant *g);

/*
 * THE STEPS AS ONE CALL EACH, for the HTTP side: oauthorize_begin()
 * (a new request), oauthorize_after_login() (a login verifier) and
 * oauthorize_after_consent() (a consent verifier) do a whole step and
 * fill an outcome that says how to answer the user agent.  The caller
 * keeps what is the browser's: the cookies (the session cookie's sid,
 * the CSRF cookie checked through csrf_ok and set from the outcome),
 * the response mode's rendering, session_state and metrics.
 */

/* How the user agent is answered after a step. */
enum oauthorize_answer {
	OAUTHORIZE_SHOW_ERROR,	/* an error page for the user: err */
	OAUTHORIZE_TO_UI,	/* to ui_url with param=challenge */
	OAUTHORIZE_TO_CLIENT,	/* params to a.redirect_uri in a.mode */
	OAUTHORIZE_TO_URL	/* a device flow's end: to ui_url */
};

/* What the login step means for the browser's login session cookie. */
enum oauthorize_session {
	OAUTHORIZE_SESSION_KEEP,	/* leave it (no login step done) */
	OAUTHORIZE_SESSION_REUSED,	/* a live session was used: sid */
	OAUTHORIZE_SESSION_SET,		/* remembered: sid, remember_for */
	OAUTHORIZE_SESSION_CLEAR	/* not remembered: delete it */
};

struct oauthorize_outcome {
	enum oauthorize_answer	 answer;
	struct oerr		 err;		/* SHOW_ERROR, an error */
	struct oauthorize	 a;		/* the request, when known */
	/* TO_UI: the challenge, and the CSRF cookie to set with it */
	const char		*ui_url;	/* urls.login or urls.consent */
	const char		*param;		/* "login_challenge", ... */
	char			*challenge;	/* owned */
	const char		*csrf_kind;	/* "login" or "consent" */
	char			 csrf[44];	/* for a.r.client_id */
	/*
	 * TO_CLIENT: the response parameters, state included: an error
	 * (error, error_description), or what was issued (issued 1: code,
	 * tokens), which carries session_state when session_state is 1.
	 */
	json_t			*params;	/* owned */
	int			 issued;
	int			 session_state;
	/* After a login verifier, also when the client gets an error. */
	enum oauthorize_session	 session;
	const char		*sid;		/* login.sid */
	int64_t			 remember_for;
	/* The opened verifier: a login or a consent state. */
	struct ofstate_login	 login;
	struct ofstate_consent	 consent;
};

/*
 * Whether the browser that brought a verifier holds the CSRF cookie of
 * kind ("login", "consent") for client_id, with the value want.
 */
typedef int	(*oauthorize_csrf_fn)(void *arg, const char *kind,
		    const char *client_id, const char *want);

/* Release what o holds; a zeroed o is fine. */
void	 oauthorize_outcome_free(struct oauthorize_outcome *o);

/*
 * Step 1 for the parameters p of a new request, given the sid of the
 * browser's session cookie (NULL: none; its login session is used when
 * it still lives) and the URL of the request to come back to:
 * resolve its request object or pushed request (protocol/reqobj.h),
 * validate, refuse a request not pushed when the client or the
 * configuration requires pushed requests (invalid_request), then seal
 * the login challenge (TO_UI, csrf for the "login" cookie).  Returns
 * 1, or 0 with o->err set and the error shown to the user (SHOW_ERROR:
 * the redirect URI is not trusted) or sent to the client (TO_CLIENT).
 */
int	 oauthorize_begin(const struct oparams *p, const char *cookie_sid,
	    const char *request_url, struct oauthorize_outcome *o);

/*
 * Step 1 of a device flow (protocol/device.h) for its request req: the
 * client reloaded, then as oauthorize_begin() from the login
 * challenge on.  Returns 1, or 0 with o->err set (SHOW_ERROR).
 */
int	 oauthorize_begin_req(const struct ofstate_req *req,
	    const char *cookie_sid, const char *request_url,
	    struct oauthorize_outcome *o);

/*
 * Step 2 for a login verifier brought by a browser whose CSRF cookies
 * csrf_ok(arg, ...) checks: open it (a bad or expired one, or a gone
 * client, is a 400 page), handle the login (oauthorize_login) and seal
 * the consent challenge (TO_UI, csrf for the "consent" cookie).
 * Returns 1, or 0 with o->err set and the answer SHOW_ERROR or
 * TO_CLIENT: a CSRF mismatch, a done flow, a rejected login, a store
 * failure, consent_required for prompt=none.  o->session is set once
 * the login was handled, whatever follows.
 */
int	 oauthorize_after_login(const char *verifier, oauthorize_csrf_fn,
	    void *arg, struct oauthorize_outcome *o);

/*
 * Step 3 for a consent verifier, as step 2: handle the consent
 * (oauthorize_consent) into the client's response (TO_CLIENT, issued
 * 1).  Returns 1, or 0 with o->err set (SHOW_ERROR or TO_CLIENT).
 */
int	 oauthorize_after_consent(const char *verifier, oauthorize_csrf_fn,
	    void *arg, struct oauthorize_outcome *o);

#endif
