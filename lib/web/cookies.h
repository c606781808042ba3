/*
 * cookies.h: the cookies of the login, consent and logout flows: the
 * login session cookie (OFLOW_SESSION_COOKIE_NAME, the session id
 * sealed by records/flow.h) and the per-flow, per-client CSRF cookies.
 * All are HttpOnly, SameSite=Lax, and Secure unless the issuer is http
 * on a loopback host.
 */
#ifndef OIDCGI_COOKIES_H
#define OIDCGI_COOKIES_H

#include <stdint.h>

struct oreq;
struct ostore_txn;
struct osessions_rec;

/* Cookie flags for this issuer (HttpOnly, Lax, Secure unless loopback http). */
unsigned	 ocookies_flags(void);

/*
 * The CSRF cookie name of a flow kind ("login", "consent", "logout")
 * and client: per client, so that parallel flows of two clients do not
 * collide.  An arena string.
 */
char	*ocookies_csrf_name(struct oreq *, const char *kind,
	    const char *client_id);
/* Set that cookie to value for ttl.login_consent_request. */
void	 ocookies_csrf_set(struct oreq *, const char *kind,
	    const char *client_id, const char *value);
/* Delete that cookie. */
void	 ocookies_csrf_clear(struct oreq *, const char *kind,
	    const char *client_id);
/* 1 if the request has that cookie and it equals want (NULL: never). */
int	 ocookies_csrf_ok(struct oreq *, const char *kind,
	    const char *client_id, const char *want);

/*
 * The live login session (records/sessions.h) named by the request's
 * session cookie, into s.  Returns 1, or 0 when there is no cookie, it
 * does not open, or its session is gone or expired.
 */
int	 ocookies_session(struct oreq *, struct ostore_txn *,
	    struct osessions_rec *);
/*
 * The sid the request's session cookie holds (sealed, unexpired), an
 * arena string, or NULL; whether that session still lives is the
 * store's to say.
 */
const char	*ocookies_session_sid(struct oreq *);
/*
 * Set the session cookie for sid: for remember_for seconds when that is
 * positive, else for the browser session.
 */
void	 ocookies_session_set(struct oreq *, const char *sid,
	    int64_t remember_for);
/* Delete the session cookie. */
void	 ocookies_session_clear(struct oreq *);

/*
 * ocookies_csrf_ok() in the shape the protocol's verifier steps take
 * their CSRF check (protocol/authorize.h: oauthorize_csrf_fn; arg is
 * the struct oreq).
 */
int	 ocookies_csrf_check(void *req, const char *kind,
	    const char *client_id, const char *want);

#endif
