/*
 * misc.c: the pages of the bundled app that answer no challenge.
 *
 *   GET /ui/error?error=&error_description=&error_hint=
 *	urls.error: what went wrong, as the authorization server put it
 *	in the query (every value escaped; nothing else reflected);
 *   GET /ui/logged-out
 *	urls.post_logout_redirect: where a logout without a client's
 *	redirect ends;
 *   GET /ui/callback?code=&state=  (or error=&error_description=)
 *	the redirect URI of the demo client (`oidcgi demo`): shows the
 *	code and how to exchange it, so a person can try the provider
 *	with a browser and curl alone.
 */
#include <string.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/form.h"
#include "base/util.h"
#include "web/http.h"
#include "ui.h"

#define SHOWN_MAX	2048	/* bytes of a query value shown */

/* A query parameter, cut to SHOWN_MAX bytes, or NULL (arena). */
static const char *
qparam(struct oreq *req, const char *name)
{
	struct oerr		 err;
	const struct oparams	*q;
	const char		*v;

	oerr_clear(&err);
	if ((q = ohttp_query(req, &err)) == NULL ||
	    (v = oparams_get(q, name)) == NULL)
		return NULL;
	if (strlen(v) > SHOWN_MAX)
		v = oarena_strndup(&req->arena, v, SHOWN_MAX);
	return outf8(v, strlen(v)) ? v : NULL;
}

/* GET /ui/error */
static void
error_page(struct oreq *req)
{
	struct upage	 p;
	const char	*e = qparam(req, "error");
	const char	*d = qparam(req, "error_description");
	const char	*h = qparam(req, "error_hint");

	ui_page(&p, req, "Something went wrong");
	ui_add(&p, "<h1>Something went wrong</h1>\n"
	    "<p class=\"error\" role=\"alert\"><strong>%s</strong></p>\n",
	    ohttp_html(req, e != NULL && *e != '\0' ? e : "error"));
	if (d != NULL && *d != '\0')
		ui_add(&p, "<p class=\"description\">%s</p>\n",
		    ohttp_html(req, d));
	if (h != NULL && *h != '\0')
		ui_add(&p, "<p class=\"hint\">%s</p>\n", ohttp_html(req, h));
	ui_add(&p, "<p class=\"muted\">Go back to the application you came "
	    "from and start again.</p>\n");
	ui_send(&p, 200);
}

/* GET /ui/logged-out */
static void
logged_out(struct oreq *req)
{
	struct upage	 p;

	ui_page(&p, req, "Signed out");
	ui_add(&p, "<h1>Signed out</h1>\n<p>You have signed out. You can "
	    "close this window.</p>\n");
	ui_send(&p, 200);
}

/* GET /ui/callback */
static void
callback(struct oreq *req)
{
	struct upage	 p;
	const char	*code = qparam(req, "code");
	const char	*state = qparam(req, "state");
	const char	*e = qparam(req, "error");
	const char	*d = qparam(req, "error_description");

	ui_page(&p, req, "Demo client");
	ui_add(&p, "<h1>Demo client</h1>\n");
	if (e != NULL) {
		ui_add(&p, "<p class=\"error\" role=\"alert\"><strong>%s"
		    "</strong></p>\n<p>%s</p>\n", ohttp_html(req, e),
		    ohttp_html(req, d));
		ui_send(&p, 200);
		return;
	}
	ui_add(&p, "<p>The authorization server sent the demo client an "
	    "authorization code:</p>\n<pre class=\"code\">%s</pre>\n"
	    "<p class=\"muted\">state: <code>%s</code></p>\n"
	    "<p>Exchange it for tokens within %lld seconds (once; it is "
	    "single use), with the client secret <code>oidcgi demo</code> "
	    "printed:</p>\n<pre class=\"code\">curl -u 'demo:CLIENT_SECRET' "
	    "-d grant_type=authorization_code \\\n  -d redirect_uri='%s' "
	    "\\\n  -d code='%s' \\\n  %s</pre>\n",
	    ohttp_html(req, code), ohttp_html(req, state),
	    (long long)oconf->ttl_auth_code,
	    ohttp_html(req, oarena_printf(&req->arena, "%sui/callback",
	    oconf->issuer)), ohttp_html(req, code),
	    ohttp_html(req, oarena_printf(&req->arena, "%soauth2/token",
	    oconf->issuer)));
	ui_send(&p, 200);
}

static const struct oroute routes[] = {
	UI_ROUTE(GET, "/ui/error", error_page),
	UI_ROUTE(GET, "/ui/logged-out", logged_out),
	UI_ROUTE(GET, "/ui/callback", callback),
};
const struct oroute_table misc_table = OROUTE_TABLE(routes);
