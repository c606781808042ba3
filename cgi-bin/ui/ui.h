/*
 * ui.h: the bundled login, consent and logout app (public listener,
 * under /ui/).  It answers the challenges of the authorization server
 * through lib/protocol/flowapi.h, the functions behind the admin API,
 * so it goes through exactly the checks an external app's PUTs do.
 *
 * Every page is server-rendered HTML5 without script, every value from
 * a request, a client or a user is HTML-escaped (ohttp_html), and every page
 * is sent by ui_send with Content-Security-Policy (no script at all,
 * style only from the static stylesheet, images only from the client's
 * logo, forms only to this origin and where the flow then redirects),
 * X-Frame-Options: DENY, Referrer-Policy: no-referrer and no-store.
 *
 * FORMS are POSTed with a CSRF token (lib/web/csrf.h): HMAC-SHA-256,
 * under a key derived from secrets.system, of the form's kind, its
 * challenge and a random per-browser cookie, in a hidden field.  A POST
 * whose token does not match its challenge and this browser's cookie is
 * refused before anything else is looked at (ui_post).  GETs change
 * nothing, except where a flow says no page is to be shown (a skipped
 * login or consent, a skip_consent client): those answer the challenge
 * at once.
 */
#ifndef OIDCGI_UI_H
#define OIDCGI_UI_H

#include <stddef.h>

#include <jansson.h>

#include "protocol/flowapi.h"
#include "web/route.h"

struct oerr;
struct ofield;
struct oparams;
struct oreq;

/* A page being built: its body and the sources its CSP must allow. */
struct upage {
	struct oreq	*req;
	const char	*title;
	char		*body;		/* HTML, already escaped */
	char		*img;		/* img-src sources, or "" */
	char		*forms;		/* form-action sources beyond 'self' */
};

/* Start a page with a title (plain text; escaped when sent). */
void	 ui_page(struct upage *, struct oreq *, const char *title);
/* Append HTML (a printf format whose arguments are already escaped). */
void	 ui_add(struct upage *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Send the page with the security headers. */
void	 ui_send(struct upage *, int status);
/* An error page for err (its status, description and hint). */
void	 ui_error(struct oreq *, const struct oerr *);
/* Redirect (303 after a POST, 302 after a GET) with no-store. */
void	 ui_redirect(struct oreq *, const char *url);

/*
 * The client's header: logo (an http(s) logo_uri, allowed in the page's
 * img-src), name (client_name, else client_id) and the what line.
 * client is Hydra's view; what is already escaped.
 */
void	 ui_client(struct upage *, const json_t *client, const char *what);
/*
 * Allow the form on the page to end, after redirects, at any of the
 * URIs of member (e.g. "redirect_uris") of client: CSP form-action
 * covers the whole redirect chain a form submission starts.
 */
void	 ui_allow_forms(struct upage *, const json_t *client,
	    const char *member);
/* Allow a single URI as above. */
void	 ui_allow_form(struct upage *, const char *uri);

/*
 * The hidden fields of a form of kind for challenge: challenge, and
 * csrf, its token (web/csrf.h: ocsrf_token).
 */
void	 ui_csrf_fields(struct upage *, const char *kind,
	    const char *challenge);

/*
 * Open the challenge named by ?<kind>_challenge= (GET) or the form
 * field "challenge" (POST, value given).  Returns the state (a new
 * reference) when it is open and was issued for this app (the URL it
 * was sent to is this app's: oflow_for_bundled_app); otherwise NULL
 * after answering: the error page (a 403 for a challenge issued for
 * another app), or a redirect to where the first answer sent the
 * browser.
 */
json_t	*ui_open(struct oreq *, enum oflowapi_kind, const char *challenge);
/*
 * Finish an answer from oflowapi_accept() or oflowapi_reject(): a
 * redirect to its redirect_to, or the error page.  Releases *out (a
 * pointer, so that a call may pass the answer's own result and &out in
 * one argument list whatever the order of evaluation).
 */
void	 ui_answered(struct oreq *, enum oflowapi_rc, json_t **out,
	    const struct oerr *);

/*
 * What every POSTed form of kind k starts with: the form read and
 * checked against fields, its CSRF token checked (ocsrf_form(); what
 * and hint word its 403), then its challenge opened (ui_open()).
 * Returns the state (a new reference) with *form set, or NULL after
 * answering with the error page (or ui_open()'s redirect).
 */
json_t	*ui_post(struct oreq *, enum oflowapi_kind k,
	    const struct ofield *fields, size_t nfields, const char *what,
	    const char *hint, const struct oparams **form);

/*
 * Accept the challenge st of kind k with body (taken: released here;
 * NULL for a logout), then answer as ui_answered().
 */
void	 ui_accept(struct oreq *, enum oflowapi_kind k, const json_t *st,
	    json_t *body);
/*
 * Reject the challenge st of kind k as the user's refusal
 * (access_denied with description; NULL: no body, for a logout), then
 * answer as ui_answered().
 */
void	 ui_deny(struct oreq *, enum oflowapi_kind k, const json_t *st,
	    const char *description);

/* 1 if a URL is absolute http or https (safe in href and src). */
int	 ui_web_url(const char *);

/* A route of the app: public, answering its errors as pages. */
#define UI_ROUTE(m, pattern, fn) \
	{ OHTTP_M(m), OLISTEN_PUBLIC, (pattern), (fn), 0, ui_error }

/* Route tables, one file each. */
extern const struct oroute_table	login_table;
extern const struct oroute_table	consent_table;
extern const struct oroute_table	logout_table;
extern const struct oroute_table	misc_table;
extern const struct oroute_table	device_table;

#endif
