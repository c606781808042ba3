/*
 * session.h: OpenID Connect Session Management 1.0.
 *
 * THE BROWSER STATE is a cookie, OSESSION_COOKIE_NAME, that the OP's
 * check_session_iframe reads from script (so it is NOT HttpOnly).  Its
 * value is opaque: HMAC-SHA-256 of the login session's sid under a key
 * derived from secrets.system (HKDF, info "oidcgi browser state"),
 * truncated to 128 bits, base64url.  It changes exactly when the login
 * session does, and gives away neither the sid nor anything else.  No
 * cookie means "no login session", and hashes as the empty string.
 *
 * It is a browser-session cookie (no Max-Age): after a browser restart
 * the iframe answers "changed" and the RP checks again with
 * prompt=none, which sets it anew if the authorization endpoint calls
 * osession_browser_state() whenever a login session is used.  That
 * heals itself; a long-lived cookie would instead keep answering
 * "unchanged" after the session expired.
 *
 * The iframe runs in the RP's page, a third-party context, where
 * browsers hide SameSite=Lax cookies from script: the cookie is
 * SameSite=None; Secure when the issuer is https, and SameSite=Lax on a
 * loopback http issuer (development, same-site RPs only).  Browsers
 * that block third-party cookies altogether see no browser state in the
 * iframe at all: Session Management then always says "changed" once a
 * session exists, and RPs should prefer back- or front-channel logout.
 *
 * SESSION STATE (§4.1) is
 *
 *	base64url(SHA-256(client_id " " origin " " browser_state " " salt))
 *	"." salt
 *
 * where origin is the RP's origin as a browser serialises it (scheme
 * "://" host, ":" port unless it is the scheme's default), taken from
 * the redirect URI of the authorization response.  The iframe's script
 * (GET /oauth2/sessions/iframe.js) computes the same with the origin
 * of the postMessage it receives.
 */
#ifndef OIDCGI_SESSION_H
#define OIDCGI_SESSION_H

struct oreq;

#define OSESSION_COOKIE_NAME	"oidcgi_browser_state"

/*
 * The session_state of an authorization response to client_id at
 * redirect_uri, from the browser state this response sets (when
 * osession_browser_state() was called earlier in the same request) or
 * else the one the request carried.  Returns an arena string, or NULL
 * when redirect_uri has no web origin (a custom scheme: the iframe
 * cannot be used there, so leave session_state out).
 */
char	*osession_state(struct oreq *, const char *client_id,
	    const char *redirect_uri);

/*
 * Set the browser-state cookie for the login session sid, or delete it
 * when sid is NULL (logout).  Call it whenever the login session of the
 * browser changes or is used.
 */
void	 osession_browser_state(struct oreq *, const char *sid);

/*
 * The browser state of a login session (what the cookie holds) into
 * out, NUL-terminated.  Returns 1, or 0 when no secret is configured.
 */
#define OSESSION_STATE_LEN	22	/* base64url of 16 bytes */
int	 osession_browser_value(const char *sid,
	    char out[OSESSION_STATE_LEN + 1]);

#endif
