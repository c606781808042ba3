/*
 * login.c: the login page of the bundled app.
 *
 *   GET  /ui/login?login_challenge=
 *	the form (username prefilled from login_hint), or, for a skipped
 *	request (the browser has a login session), the login accepted at
 *	once for the session's subject, with no page;
 *   POST /ui/login  challenge, csrf, username, password, remember,
 *	action (login or cancel)
 *	the password checked against the user store (lib/records/users.h, with
 *	its lockout), then the challenge accepted (subject: the user's,
 *	amr ["pwd"], remember and remember_for from "remember me") or,
 *	on cancel, rejected with access_denied.
 *
 * A wrong password and an unknown username get the same answer, and so
 * does a locked username whether it exists or not.
 */
#include <stdio.h>
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
	{ "username", 512, OFIELD_ANY, OFIELD_ONCE },
	{ "password", OUSER_PASSWORD_MAX, OFIELD_ANY, OFIELD_ONCE },
	{ "remember", 8, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "action", 16, OFIELD_VSCHAR, OFIELD_ONCE },
};

/*
 * The form for the login request r of challenge, with username filled
 * in and an error message (already escaped) when not NULL.
 */
static void
form(struct oreq *req, const char *challenge, const json_t *r,
    const char *username, const char *msg, int remember, int status)
{
	struct upage	 p;
	const json_t	*client = json_object_get(r, "client");
	int		 has_name = username != NULL && *username != '\0';

	ui_page(&p, req, "Sign in");
	ui_client(&p, client, "asks you to sign in.");
	ui_allow_forms(&p, client, "redirect_uris");
	if (msg != NULL)
		ui_add(&p, "<p class=\"error\" role=\"alert\">%s</p>\n", msg);
	ui_add(&p, "<form method=\"post\" action=\"login\">\n");
	ui_csrf_fields(&p, "login", challenge);
	ui_add(&p, "<label for=\"username\">Username</label>\n"
	    "<input id=\"username\" name=\"username\" type=\"text\" "
	    "autocomplete=\"username\" autocapitalize=\"none\" "
	    "spellcheck=\"false\" maxlength=\"%d\" required%s value=\"%s\">\n"
	    "<label for=\"password\">Password</label>\n"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" maxlength=\"%d\" required%s>\n"
	    "<label class=\"check\"><input type=\"checkbox\" "
	    "name=\"remember\" value=\"1\"%s> Remember me on this "
	    "device</label>\n"
	    "<div class=\"actions\">\n"
	    "<button type=\"submit\" name=\"action\" value=\"login\" "
	    "class=\"primary\">Sign in</button>\n"
	    "<button type=\"submit\" name=\"action\" value=\"cancel\" "
	    "formnovalidate>Cancel</button>\n</div>\n</form>\n",
	    OUSER_NAME_MAX, has_name ? "" : " autofocus",
	    ohttp_html(req, username), OUSER_PASSWORD_MAX,
	    has_name ? " autofocus" : "", remember ? " checked" : "");
	ui_send(&p, status);
}

/* GET /ui/login */
static void
login_get(struct oreq *req)
{
	struct oerr	 err;
	json_t		*st, *r = NULL;

	oerr_clear(&err);
	if ((st = ui_open(req, OFLOWAPI_LOGIN, NULL)) == NULL)
		return;
	if ((r = oflowapi_request(OFLOWAPI_LOGIN, st, &err)) == NULL)
		ui_error(req, &err);
	else if (json_is_true(json_object_get(r, "skip"))) {
		/* The browser's login session covers it: no page. */
		ui_accept(req, OFLOWAPI_LOGIN, st, json_pack("{s:s}",
		    "subject", ojson_str(r, "subject")));
	} else
		form(req, ojson_str(st, "challenge"), r, ojson_str(json_object_get(r,
		    "oidc_context"), "login_hint"), NULL, 0, 200);
	json_decref(r);
	json_decref(st);
}

/* The lockout message: the same whether or not the user exists. */
static char *
locked_msg(struct oreq *req)
{
	long long	 m;

	/* Locked for this address, or past the limit across addresses. */
	m = ((oconf->lockout_duration > oconf->lockout_window ?
	    oconf->lockout_duration : oconf->lockout_window) + 59) / 60;

	return oarena_printf(&req->arena, "Too many failed sign-in attempts "
	    "for this username. It is locked for up to %lld minute%s; try "
	    "again later.", m, m == 1 ? "" : "s");
}

/* POST /ui/login */
static void
login_post(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*p;
	const char		*ch, *user, *pw, *action;
	json_t			*st = NULL, *r = NULL, *out = NULL;
	enum oflowapi_rc	 rc;
	int			 remember;

	oerr_clear(&err);
	if ((st = ui_post(req, OFLOWAPI_LOGIN, fields, sizeof(fields) /
	    sizeof(fields[0]), "sign-in", "Go back to the application and "
	    "sign in again.", &p)) == NULL)
		return;
	ch = oparams_get(p, "challenge");
	if ((r = oflowapi_request(OFLOWAPI_LOGIN, st, &err)) == NULL) {
		ui_error(req, &err);
		goto out;
	}
	user = oparams_get(p, "username");
	pw = oparams_get(p, "password");
	action = oparams_get(p, "action");
	remember = oparams_get(p, "remember") != NULL;
	if (action != NULL && strcmp(action, "cancel") == 0) {
		ui_deny(req, OFLOWAPI_LOGIN, st,
		    "The user cancelled the sign-in.");
		goto out;
	}
	if (user == NULL || *user == '\0' || pw == NULL || *pw == '\0') {
		form(req, ch, r, user, "Enter your username and password.",
		    remember, 400);
		goto out;
	}
	switch (oflowapi_password_login(st, user, pw, ohttp_env(req,
	    "REMOTE_ADDR"), remember, &rc, &out, &err)) {
	case OUSER_AUTH_OK:
		ui_answered(req, rc, &out, &err);
		break;
	case OUSER_AUTH_LOCKED:
		form(req, ch, r, user, locked_msg(req), remember, 429);
		break;
	case OUSER_AUTH_BAD:
		form(req, ch, r, user, "The username or password is "
		    "incorrect.", remember, 200);
		break;
	default:
		ui_error(req, &err);
		break;
	}
out:
	json_decref(r);
	json_decref(st);
}

static const struct oroute routes[] = {
	UI_ROUTE(GET, "/ui/login", login_get),
	UI_ROUTE(POST, "/ui/login", login_post),
};
const struct oroute_table login_table = OROUTE_TABLE(routes);
