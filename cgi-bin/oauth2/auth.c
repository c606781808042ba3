/*
 * auth.c: the authorization endpoint, /oauth2/auth (and /authorize, the
 * path Authentiq Connect's clients call): the HTTP side of
 * lib/protocol/authorize.h's three steps (a new request to urls.login,
 * the login verifier to urls.consent, the consent verifier to the
 * client).  Verifiers are single use and bound to the browser by CSRF
 * cookies (lib/web/cookies.h).  Errors found before the redirect URI
 * is trusted go to urls.error; after, to the client in its response
 * mode, with state.  /oauth2/device/verify (RFC 8628 §3.3) runs the
 * same steps for a device flow (lib/protocol/device.h), which ends at
 * urls.device.success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"
#include "protocol/authorize.h"
#include "protocol/device.h"
#include "web/cookies.h"
#include "web/http.h"
#include "web/metrics.h"
#include "web/session.h"
#include "api.h"

/*
 * Deliver response parameters (an object of strings and integers) to
 * the client's redirect URI in the response mode: query, fragment, or
 * an auto-submitting form (OAuth 2.0 Form Post Response Mode).  Every
 * response, success or error, names the issuer in "iss" (RFC 9207),
 * so that a client talking to several servers can tell which answered.
 */
static void
to_client(struct oreq *req, const struct oauthorize *a, const json_t *params)
{
	const char	*k, *sep;
	json_t		*v, *all;
	char		*qs = "", *val, *page, *inputs = "", nonce[24];

	all = json_deep_copy(params);
	json_object_set_new(all, "iss", json_string(oconf->issuer));
	json_object_foreach(all, k, v) {
		if (json_is_string(v))
			val = oarena_strdup(&req->arena, json_string_value(v));
		else if (json_is_integer(v))
			val = oarena_printf(&req->arena, "%lld",
			    (long long)json_integer_value(v));
		else
			continue;
		if (a->mode == OAUTHORIZE_FORM_POST)
			inputs = oarena_printf(&req->arena, "%s<input type="
			    "\"hidden\" name=\"%s\" value=\"%s\">\n", inputs,
			    ohttp_html(req, k), ohttp_html(req, val));
		else
			qs = oarena_printf(&req->arena, "%s%s%s=%s", qs,
			    *qs != '\0' ? "&" : "", k,
			    oform_encode(&req->arena, val));
	}
	json_decref(all);
	if (a->mode != OAUTHORIZE_FORM_POST) {
		sep = a->mode == OAUTHORIZE_FRAGMENT ? "#" :
		    strchr(a->redirect_uri, '?') != NULL ? "&" : "?";
		ohttp_redirect(req, 303, oarena_printf(&req->arena, "%s%s%s",
		    a->redirect_uri, sep, qs));
		return;
	}
	ocrypto_token(nonce, sizeof(nonce), 16);
	page = oarena_printf(&req->arena, "<!DOCTYPE html>\n<html><head>"
	    "<meta charset=\"utf-8\"><title>Submit</title></head>\n"
	    "<body><form method=\"post\" action=\"%s\">\n%s"
	    "<noscript><button type=\"submit\">Continue</button></noscript>"
	    "</form>\n<script nonce=\"%s\">document.forms[0].submit();"
	    "</script></body></html>\n", ohttp_html(req, a->redirect_uri),
	    inputs, nonce);
	ohttp_header(req, "Content-Security-Policy", oarena_printf(
	    &req->arena, "default-src 'none'; script-src 'nonce-%s'; "
	    "form-action %s", nonce, a->redirect_uri));
	ohttp_send(req, 200, "text/html; charset=utf-8", page, strlen(page));
}

/*
 * Answer the user agent as a step's outcome says: the login session
 * and browser state cookies after a login (set when the login was
 * remembered, deleted when not, the browser state brought back when
 * it reused a session), then an error page, the UI with its challenge
 * and CSRF cookie, or the client's response (with session_state,
 * OpenID Connect Session Management §3).
 */
static void
answer(struct oreq *req, struct oauthorize_outcome *o)
{
	const char	*cid = o->a.r.client_id, *ss;

	switch (o->session) {
	case OAUTHORIZE_SESSION_KEEP:
		break;
	case OAUTHORIZE_SESSION_REUSED:
		osession_browser_state(req, o->sid);
		break;
	case OAUTHORIZE_SESSION_SET:
		ocookies_session_set(req, o->sid, o->remember_for);
		osession_browser_state(req, o->sid);
		break;
	case OAUTHORIZE_SESSION_CLEAR:
		ocookies_session_clear(req);
		osession_browser_state(req, NULL);
		break;
	}
	switch (o->answer) {
	case OAUTHORIZE_SHOW_ERROR:
		ohttp_error_page(req, &o->err);
		break;
	case OAUTHORIZE_TO_UI:
		ocookies_csrf_set(req, o->csrf_kind, cid, o->csrf);
		ohttp_redirect(req, 302, oarena_printf(&req->arena,
		    "%s%s%s=%s", o->ui_url, strchr(o->ui_url, '?') != NULL ?
		    "&" : "?", o->param, o->challenge));
		break;
	case OAUTHORIZE_TO_CLIENT:
		if (o->session_state && (ss = osession_state(req, cid,
		    o->a.redirect_uri)) != NULL)
			json_object_set_new(o->params, "session_state",
			    json_string(ss));
		if (o->issued)	/* implicit and hybrid */
			ometrics_tokens("implicit", o->params);
		to_client(req, &o->a, o->params);
		break;
	case OAUTHORIZE_TO_URL:
		ohttp_redirect(req, 302, o->ui_url);
		break;
	}
}

/*
 * GET or POST /oauth2/auth: a consent verifier (step 3), a login
 * verifier (step 2) or a new request (step 1, given the browser's
 * login session).
 */
static void
authorize(struct oreq *req)
{
	struct oerr			 err;
	struct oauthorize_outcome	 o;
	const struct oparams		*p;
	const char			*v;

	oerr_clear(&err);
	memset(&o, 0, sizeof(o));
	if ((p = ohttp_params(req, &err)) == NULL) {
		ohttp_error_page(req, &err);
		return;
	}
	if (oparams_count(p, "login_verifier") > 1 ||
	    oparams_count(p, "consent_verifier") > 1) {
		oerr_set(&err, OERR_INVALID_REQUEST, "A verifier must not be "
		    "included more than once.");
		ohttp_error_page(req, &err);
		return;
	}
	if ((v = oparams_get(p, "consent_verifier")) != NULL)
		oauthorize_after_consent(v, ocookies_csrf_check, req, &o);
	else if ((v = oparams_get(p, "login_verifier")) != NULL)
		oauthorize_after_login(v, ocookies_csrf_check, req, &o);
	else
		oauthorize_begin(p, ocookies_session_sid(req),
		    ohttp_self_url(req, p, "oauth2/auth",
		    req->method == OHTTP_GET, 1), &o);
	answer(req, &o);
	oauthorize_outcome_free(&o);
}

/*
 * GET /oauth2/device/verify (RFC 8628 §3.3): without a verifier, to
 * urls.device.verification with a new device challenge (and the
 * user_code, when given); with the device_verifier the admin API's
 * accept answered, to the login step; with the login and consent
 * verifiers of a device flow, its next steps, which end at
 * urls.device.success.
 */
static void
device_verify(struct oreq *req)
{
	struct oerr			 err;
	struct oauthorize_outcome	 o;
	const struct oparams		*p;
	const char			*v;
	char				*url;
	size_t				 i;
	static const char *const once[] = { "login_verifier",
	    "consent_verifier", "device_verifier", "user_code" };

	oerr_clear(&err);
	memset(&o, 0, sizeof(o));
	if ((p = ohttp_params(req, &err)) == NULL) {
		ohttp_error_page(req, &err);
		return;
	}
	for (i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		if (oparams_count(p, once[i]) > 1) {
			oerr_set(&err, OERR_INVALID_REQUEST, "The parameter "
			    "'%s' must not be included more than once.",
			    once[i]);
			ohttp_error_page(req, &err);
			return;
		}
	if ((v = oparams_get(p, "consent_verifier")) != NULL)
		oauthorize_after_consent(v, ocookies_csrf_check, req, &o);
	else if ((v = oparams_get(p, "login_verifier")) != NULL)
		oauthorize_after_login(v, ocookies_csrf_check, req, &o);
	else if ((v = oparams_get(p, "device_verifier")) != NULL)
		odevice_begin(v, ocookies_session_sid(req), &o);
	else {
		url = odevice_verify_url(oparams_get(p, "user_code"));
		ohttp_redirect(req, 302, oarena_strdup(&req->arena, url));
		free(url);
		return;
	}
	/* A verifier of a flow that is not a device's does not end here. */
	if (o.answer == OAUTHORIZE_TO_CLIENT &&
	    !oauthorize_is_device(&o.a.r)) {
		oauthorize_outcome_free(&o);
		oerr_set(&err, OERR_INVALID_REQUEST, "The verifier is not one "
		    "of a device flow.");
		ohttp_error_page(req, &err);
		return;
	}
	answer(req, &o);
	oauthorize_outcome_free(&o);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET) | OHTTP_M(POST), OLISTEN_PUBLIC, "/oauth2/auth",
	    authorize },
	/* Authentiq Connect's path of the same endpoint */
	{ OHTTP_M(GET) | OHTTP_M(POST), OLISTEN_PUBLIC, "/authorize",
	    authorize },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/oauth2/device/verify",
	    device_verify },
};
const struct oroute_table auth_table = OROUTE_TABLE(routes);
