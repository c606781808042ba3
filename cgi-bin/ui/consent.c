/*
 * consent.c: the consent page of the bundled app.
 *
 *   GET  /ui/consent?consent_challenge=
 *	the page: the client (name, logo, client_uri, policy_uri and
 *	tos_uri links), each requested scope with what it means (a
 *	checkbox for each but openid, which the sign-in itself needs),
 *	"remember this decision", Allow and Deny.  A skipped request (a
 *	remembered consent covers it) and a skip_consent client are
 *	accepted at once with every requested scope, with no page;
 *   POST /ui/consent  challenge, csrf, scope (repeated), remember,
 *	action (allow or deny)
 *	Allow grants openid (when requested) and the ticked scopes that
 *	were requested, with the user's claims that they cover (OpenID
 *	Connect Core §5.4) as session.id_token, so the ID token and
 *	userinfo carry them; Deny rejects with access_denied.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"
#include "records/users.h"
#include "protocol/flowapi.h"
#include "web/http.h"
#include "ui.h"

static const struct ofield fields[] = {
	{ "challenge", 32768, OFIELD_VSCHAR, OFIELD_REQUIRED | OFIELD_ONCE },
	{ "csrf", 64, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "scope", 256, OFIELD_NQSCHAR, 0 },
	{ "remember", 8, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "action", 16, OFIELD_VSCHAR, OFIELD_ONCE },
};

/* What each well-known scope lets the client do, for people. */
static const struct {
	const char	*scope;
	const char	*what;
} scopes[] = {
	{ "openid", "Know who you are: sign you in with your account" },
	{ "profile", "See your profile: name, username, picture, locale and "
	    "time zone" },
	{ "email", "See your email address" },
	{ "address", "See your postal address" },
	{ "phone", "See your phone number" },
	{ "offline_access", "Keep access while you are not using it" },
	{ "offline", "Keep access while you are not using it" },
};

/* The description of a scope (escaped, in the arena). */
static char *
describe(struct oreq *req, const char *scope)
{
	size_t	 i;

	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (strcmp(scopes[i].scope, scope) == 0)
			return ohttp_html(req, scopes[i].what);
	return oarena_printf(&req->arena, "Use the permission "
	    "&ldquo;%s&rdquo;", ohttp_html(req, scope));
}

/* A link to the client's page of a kind, when it is a web URL. */
static void
link(struct upage *p, const json_t *client, const char *member,
    const char *text, int *n)
{
	const char	*u = ojson_str(client, member);

	if (!ui_web_url(u))
		return;
	ui_add(p, "%s<a href=\"%s\" rel=\"noopener noreferrer\">%s</a>",
	    *n > 0 ? " &middot; " : "", ohttp_html(p->req, u), text);
	(*n)++;
}

/* The consent page for the consent request r of challenge. */
static void
page(struct oreq *req, const char *challenge, const json_t *r)
{
	struct upage	 p;
	struct oerr	 e;
	const json_t	*client = json_object_get(r, "client");
	json_t		*s, *user, *aud;
	const char	*sc, *who = ojson_str(r, "subject");
	size_t		 i;
	int		 n = 0;

	oerr_clear(&e);
	if ((user = ouser_get_by_subject(who, &e)) != NULL)
		who = ojson_str(user, "username");
	ui_page(&p, req, "Allow access?");
	ui_client(&p, client, "asks for access to your account.");
	ui_allow_forms(&p, client, "redirect_uris");
	ui_add(&p, "<p class=\"who\">Signed in as <strong>%s</strong>.</p>\n"
	    "<form method=\"post\" action=\"consent\">\n", ohttp_html(req, who));
	json_decref(user);
	ui_csrf_fields(&p, "consent", challenge);
	ui_add(&p, "<fieldset>\n<legend>It will be able to:</legend>\n"
	    "<ul class=\"scopes\">\n");
	json_array_foreach(json_object_get(r, "requested_scope"), i, s) {
		sc = json_string_value(s);
		if (strcmp(sc, "openid") == 0)
			ui_add(&p, "<li><label class=\"check\"><input "
			    "type=\"checkbox\" checked disabled> <span>%s "
			    "<code>openid</code></span></label></li>\n",
			    describe(req, sc));
		else
			ui_add(&p, "<li><label class=\"check\"><input "
			    "type=\"checkbox\" name=\"scope\" value=\"%s\" "
			    "checked> <span>%s <code>%s</code></span></label>"
			    "</li>\n",
			    ohttp_html(req, sc), describe(req, sc),
			    ohttp_html(req, sc));
	}
	ui_add(&p, "</ul>\n</fieldset>\n");
	aud = json_object_get(r, "requested_access_token_audience");
	if (json_array_size(aud) > 0) {
		ui_add(&p, "<p class=\"muted\">For use with:");
		json_array_foreach(aud, i, s)
			ui_add(&p, "%s <code>%s</code>", i > 0 ? "," : "",
			    ohttp_html(req, json_string_value(s)));
		ui_add(&p, "</p>\n");
	}
	if (ui_web_url(ojson_str(client, "client_uri")) ||
	    ui_web_url(ojson_str(client, "policy_uri")) ||
	    ui_web_url(ojson_str(client, "tos_uri"))) {
		ui_add(&p, "<p class=\"links\">");
		link(&p, client, "client_uri", "About this application", &n);
		link(&p, client, "policy_uri", "Privacy policy", &n);
		link(&p, client, "tos_uri", "Terms of service", &n);
		ui_add(&p, "</p>\n");
	}
	ui_add(&p, "<label class=\"check\"><input type=\"checkbox\" "
	    "name=\"remember\" value=\"1\"> Remember this decision</label>\n"
	    "<div class=\"actions\">\n"
	    "<button type=\"submit\" name=\"action\" value=\"allow\" "
	    "class=\"primary\">Allow</button>\n"
	    "<button type=\"submit\" name=\"action\" value=\"deny\">Deny"
	    "</button>\n</div>\n</form>\n");
	ui_send(&p, 200);
}

/* Accept r (opened as st) granting scope; then on to redirect_to. */
static void
allow(struct oreq *req, const json_t *st, const json_t *r,
    const json_t *scope, int remember)
{
	struct oerr	 err;
	json_t		*out = NULL;

	oerr_clear(&err);
	ui_answered(req, oflowapi_consent_allow(st, r, scope, remember, &out,
	    &err), &out, &err);
}

/* GET /ui/consent */
static void
consent_get(struct oreq *req)
{
	struct oerr	 err;
	json_t		*st, *r;

	oerr_clear(&err);
	if ((st = ui_open(req, OFLOWAPI_CONSENT, NULL)) == NULL)
		return;
	if ((r = oflowapi_request(OFLOWAPI_CONSENT, st, &err)) == NULL)
		ui_error(req, &err);
	else if (json_is_true(json_object_get(r, "skip")) ||
	    json_is_true(json_object_get(json_object_get(r, "client"),
	    "skip_consent")))
		/* Remembered, or a client trusted to skip: no page. */
		allow(req, st, r, json_object_get(r, "requested_scope"), 0);
	else
		page(req, ojson_str(st, "challenge"), r);
	json_decref(r);
	json_decref(st);
}

/* POST /ui/consent */
static void
consent_post(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*p;
	const char		*action;
	json_t			*st = NULL, *r = NULL, *grant;

	oerr_clear(&err);
	if ((st = ui_post(req, OFLOWAPI_CONSENT, fields, sizeof(fields) /
	    sizeof(fields[0]), "consent", "Go back to the application and "
	    "start again.", &p)) == NULL)
		return;
	if ((r = oflowapi_request(OFLOWAPI_CONSENT, st, &err)) == NULL) {
		ui_error(req, &err);
		goto out;
	}
	action = oparams_get(p, "action");
	if (action == NULL || strcmp(action, "allow") != 0) {
		ui_deny(req, OFLOWAPI_CONSENT, st,
		    "The user denied the request.");
		goto out;
	}
	/* openid when requested, and the ticked scopes that were. */
	grant = oflowapi_ticked_scope(json_object_get(r, "requested_scope"),
	    p);
	allow(req, st, r, grant, oparams_get(p, "remember") != NULL);
	json_decref(grant);
out:
	json_decref(r);
	json_decref(st);
}

static const struct oroute routes[] = {
	UI_ROUTE(GET, "/ui/consent", consent_get),
	UI_ROUTE(POST, "/ui/consent", consent_post),
};
const struct oroute_table consent_table = OROUTE_TABLE(routes);
