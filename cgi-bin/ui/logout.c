/*
 * logout.c: the logout page of the bundled app.
 *
 *   GET  /ui/logout?logout_challenge=
 *	asks whether to sign out (naming the application when it asked
 *	for the logout);
 *   POST /ui/logout  challenge, csrf, action (logout or stay)
 *	accepts the logout (the flow goes on to end the login session
 *	and tell the clients) or rejects it (the session stays, and the
 *	browser goes to the post-logout redirect).
 */
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
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
	{ "action", 16, OFIELD_VSCHAR, OFIELD_ONCE },
};

/* GET /ui/logout */
static void
logout_get(struct oreq *req)
{
	struct oerr	 err, e;
	struct upage	 p;
	json_t		*st, *r, *client, *user;
	const char	*who;

	oerr_clear(&err);
	oerr_clear(&e);
	if ((st = ui_open(req, OFLOWAPI_LOGOUT, NULL)) == NULL)
		return;
	if ((r = oflowapi_request(OFLOWAPI_LOGOUT, st, &err)) == NULL) {
		ui_error(req, &err);
		json_decref(st);
		return;
	}
	client = json_object_get(r, "client");
	who = ojson_str(r, "subject");
	if ((user = ouser_get_by_subject(who, &e)) != NULL)
		who = ojson_str(user, "username");
	ui_page(&p, req, "Sign out?");
	if (json_is_object(client) && json_is_true(json_object_get(r,
	    "rp_initiated")))
		ui_client(&p, client, "asks you to sign out.");
	else
		ui_add(&p, "<header class=\"client\">\n<h1>Sign out</h1>\n"
		    "</header>\n");
	/* Where the flow may end: the client's redirect, or ours. */
	ui_allow_forms(&p, client, "post_logout_redirect_uris");
	ui_allow_form(&p, oconf->url_post_logout);
	/*
	 * An id_token_hint may name a session of another browser: ask,
	 * but never show that person's name here.
	 */
	if (json_is_false(json_object_get(st, "browser_session")))
		ui_add(&p, "<p class=\"who\">Do you want to end the session "
		    "this application names? It is not the one signed in "
		    "in this browser.</p>\n"
		    "<form method=\"post\" action=\"logout\">\n");
	else
		ui_add(&p, "<p class=\"who\">Do you want to sign out of your "
		    "account <strong>%s</strong> here?</p>\n"
		    "<form method=\"post\" action=\"logout\">\n",
		    ohttp_html(req, who));
	ui_csrf_fields(&p, "logout", ojson_str(st, "challenge"));
	ui_add(&p, "<div class=\"actions\">\n"
	    "<button type=\"submit\" name=\"action\" value=\"logout\" "
	    "class=\"primary\">Sign out</button>\n"
	    "<button type=\"submit\" name=\"action\" value=\"stay\">Stay "
	    "signed in</button>\n</div>\n</form>\n");
	ui_send(&p, 200);
	json_decref(user);
	json_decref(r);
	json_decref(st);
}

/* POST /ui/logout */
static void
logout_post(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*p;
	const char		*action;
	json_t			*st;

	oerr_clear(&err);
	if ((st = ui_post(req, OFLOWAPI_LOGOUT, fields, sizeof(fields) /
	    sizeof(fields[0]), "sign-out", NULL, &p)) == NULL)
		return;
	action = oparams_get(p, "action");
	if (action != NULL && strcmp(action, "logout") == 0)
		ui_accept(req, OFLOWAPI_LOGOUT, st, NULL);
	else
		ui_deny(req, OFLOWAPI_LOGOUT, st, NULL);
	json_decref(st);
}

static const struct oroute routes[] = {
	UI_ROUTE(GET, "/ui/logout", logout_get),
	UI_ROUTE(POST, "/ui/logout", logout_post),
};
const struct oroute_table logout_table = OROUTE_TABLE(routes);
