/*
 * auth.c: the authorization endpoint, /oauth2/auth: the HTTP side of
 * lib/protocol/authorize.h's three steps (a new request to urls.login,
 * the login verifier to urls.consent, the consent verifier to the
 * client).  Verifiers are single use and bound to the browser by CSRF
 * cookies (lib/web/cookies.h).  Errors found before the redirect URI
 * is trusted go to urls.error; after, to the client in its response
 * mode, with state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"
#include "protocol/authorize.h"
#include "records/flow.h"
#include "records/sessions.h"
#include "store/store.h"
#include "web/cookies.h"
#include "web/http.h"
#include "web/metrics.h"
#include "web/session.h"

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
 * An error to the client, with state (RFC 6749 §4.1.2.1, §4.2.2.1).
 * name is the error code (a login or consent app may choose its own
 * when it rejects); the hint, when any, follows the description, as
 * Hydra 2.x sends it.
 */
static void
error_to_client_named(struct oreq *req, const struct oauthorize *a,
    const char *name, const struct oerr *err)
{
	json_t		*p = json_object();
	const char	*d = err->description;

	if (err->hint[0] != '\0')
		d = oarena_printf(&req->arena, "%s %s", d, err->hint);
	json_object_set_new(p, "error", ojson_string_lossy(name,
	    strlen(name)));
	json_object_set_new(p, "error_description", ojson_string_lossy(d,
	    strlen(d)));
	if (a->state != NULL && *a->state != '\0')
		json_object_set_new(p, "state", json_string(a->state));
	to_client(req, a, p);
	json_decref(p);
}

static void
error_to_client(struct oreq *req, const struct oauthorize *a,
    const struct oerr *err)
{
	error_to_client_named(req, a, oerr_name(err->code), err);
}

/* The request URL, to come back to with a verifier. */
static char *
request_url(struct oreq *req, const struct oparams *p)
{
	char	*qs = "";
	size_t	 i;

	if (req->method == OHTTP_GET && *req->query != '\0')
		return oarena_printf(&req->arena, "%soauth2/auth?%s",
		    oconf->issuer, req->query);
	for (i = 0; i < p->n; i++)
		qs = oarena_printf(&req->arena, "%s%s%s=%s", qs,
		    *qs != '\0' ? "&" : "", oform_encode(&req->arena,
		    p->v[i].name), oform_encode(&req->arena, p->v[i].value));
	return oarena_printf(&req->arena, "%soauth2/auth?%s", oconf->issuer,
	    qs);
}

/* Redirect to a UI URL with a challenge parameter. */
static void
to_ui(struct oreq *req, const char *url, const char *param,
    const char *challenge)
{
	ohttp_redirect(req, 302, oarena_printf(&req->arena, "%s%s%s=%s", url,
	    strchr(url, '?') != NULL ? "&" : "?", param, challenge));
}

/* Step 1: a new request goes to the login UI. */
static void
start(struct oreq *req, const struct oparams *p)
{
	struct oerr		 err;
	struct oauthorize	 a;
	struct ostore_txn	*t;
	struct osessions_rec	 session;
	int			 have = 0;
	char			 csrf[44], *ch;

	oerr_clear(&err);
	memset(&session, 0, sizeof(session));
	if (!oauthorize_validate(p, &a, &err)) {
		if (a.trusted)
			error_to_client(req, &a, &err);
		else
			ohttp_error_page(req, &err);
		goto out;
	}
	if ((t = ostore_read_begin(NULL)) != NULL) {
		have = ocookies_session(req, t, &session);
		ostore_read_end(t);
	}
	if ((ch = oauthorize_start(&a, have ? &session : NULL,
	    request_url(req, p), csrf, &err)) == NULL) {
		error_to_client(req, &a, &err);
		goto out;
	}
	ocookies_csrf_set(req, "login", ojson_str(a.r, "client_id"), csrf);
	to_ui(req, oconf->url_login, "login_challenge", ch);
	free(ch);
out:
	osessions_free(&session);
	oauthorize_free(&a);
}

/*
 * Open a verifier of purpose p from the app of kind ("login" or
 * "consent") into s and a: sealed by us, unexpired, for a client that
 * still exists, and brought by the browser whose CSRF cookie it names.
 * Returns 1, or 0 once the user agent has been answered.
 */
static int
step_open(struct oreq *req, enum oflow_purpose p, const char *kind,
    const char *verifier, struct oauthorize_step *s, struct oauthorize *a)
{
	struct oerr	 err;

	oerr_clear(&err);
	if ((s->state = oflow_open(p, verifier, &err)) == NULL ||
	    !oauthorize_restore(s->state, a, &err)) {
		oerr_status(&err, 400);
		ohttp_error_page(req, &err);
		return 0;
	}
	if (!ocookies_csrf_ok(req, kind, ojson_str(a->r, "client_id"),
	    ojson_str(s->state, "csrf"))) {
		oerr_set(&err, OERR_REQUEST_FORBIDDEN, "The %s verifier came "
		    "without this browser's CSRF cookie.", kind);
		error_to_client(req, a, &err);
		return 0;
	}
	s->a = a;
	return 1;
}

/*
 * After a step: send the client the error when the flow was done
 * already or the app rejected the request.  Returns 1 when it did (the
 * step is over), 0 to go on.
 */
static int
step_refused(struct oreq *req, const struct oauthorize_step *s,
    const char *used)
{
	struct oerr	 err;
	const char	*name;

	oerr_clear(&err);
	if (!oauthorize_refused(s, used, &err, &name))
		return 0;
	error_to_client_named(req, s->a, name, &err);
	return 1;
}

/*
 * The login session cookie after a login: set when the login was
 * remembered, deleted when not, left when it reused a session; the
 * browser state follows.
 */
static void
session_cookies(struct oreq *req, const json_t *state)
{
	json_t		*login = json_object_get(state, "login");
	const char	*sid = ojson_str(state, "sid");

	if (json_is_true(json_object_get(state, "skip")))
		/* A reused session: bring the browser state back. */
		osession_browser_state(req, sid);
	else if (json_is_true(json_object_get(login, "remember"))) {
		ocookies_session_set(req, sid, ojson_int(login,
		    "remember_for"));
		osession_browser_state(req, sid);
	} else {
		ocookies_session_clear(req);
		osession_browser_state(req, NULL);
	}
}

/* Step 2: back from the login app with a login verifier. */
static void
after_login(struct oreq *req, const char *verifier)
{
	struct oerr		 err;
	struct oauthorize	 a;
	struct oauthorize_step	 s;
	char			*ch;

	oerr_clear(&err);
	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	if (!step_open(req, OFLOW_LOGIN_VERIFIER, "login", verifier, &s, &a))
		goto out;
	if (!oauthorize_login(&s, &err)) {
		error_to_client(req, &a, &err);
		goto out;
	}
	if (step_refused(req, &s, "The login verifier's flow has been "
	    "completed already."))
		goto out;
	session_cookies(req, s.state);
	if (!oauthorize_consent_ok(&s, &err)) {
		error_to_client(req, &a, &err);
		goto out;
	}
	ch = oflow_seal(OFLOW_CONSENT, s.out);
	ocookies_csrf_set(req, "consent", ojson_str(a.r, "client_id"),
	    ojson_str(s.out, "csrf"));
	to_ui(req, oconf->url_consent, "consent_challenge", ch);
	free(ch);
out:
	json_decref(s.state);
	json_decref(s.out);
	oauthorize_free(&a);
}

/* 1 if the request's scope list holds scope. */
static int
has_scope(const json_t *r, const char *scope)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(json_object_get(r, "scope"), i, e)
		if (strcmp(json_string_value(e), scope) == 0)
			return 1;
	return 0;
}

/* Step 3: back from the consent app with a consent verifier. */
static void
after_consent(struct oreq *req, const char *verifier)
{
	struct oerr		 err;
	struct oauthorize	 a;
	struct oauthorize_step	 s;
	char			*ss;

	oerr_clear(&err);
	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	if (!step_open(req, OFLOW_CONSENT_VERIFIER, "consent", verifier, &s,
	    &a))
		goto out;
	if (!oauthorize_consent(&s, &err)) {
		error_to_client(req, &a, &err);
		goto out;
	}
	if (step_refused(req, &s, "The consent verifier's flow has been "
	    "completed already."))
		goto out;
	if (a.state != NULL)
		json_object_set_new(s.out, "state", json_string(a.state));
	/* OpenID Connect Session Management §3. */
	if (has_scope(a.r, "openid") && (ss = osession_state(req,
	    ojson_str(a.r, "client_id"), a.redirect_uri)) != NULL)
		json_object_set_new(s.out, "session_state", json_string(ss));
	ometrics_tokens("implicit", s.out);	/* implicit and hybrid */
	to_client(req, &a, s.out);
out:
	json_decref(s.state);
	json_decref(s.out);
	oauthorize_free(&a);
}

/* GET or POST /oauth2/auth */
static void
authorize(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*p;
	const char		*v;

	oerr_clear(&err);
	p = req->method == OHTTP_POST ? ohttp_form(req, &err) :
	    ohttp_query(req, &err);
	if (p == NULL) {
		ohttp_error_page(req, &err);
		return;
	}
	if (oparams_count(p, "login_verifier") > 1 ||
	    oparams_count(p, "consent_verifier") > 1) {
		oerr_set(&err, OERR_INVALID_REQUEST, "A verifier must not be "
		    "included more than once.");
		ohttp_error_page(req, &err);
	} else if ((v = oparams_get(p, "consent_verifier")) != NULL)
		after_consent(req, v);
	else if ((v = oparams_get(p, "login_verifier")) != NULL)
		after_login(req, v);
	else
		start(req, p);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET) | OHTTP_M(POST), OLISTEN_PUBLIC, "/oauth2/auth",
	    authorize },
};
const struct oroute_table auth_table = OROUTE_TABLE(routes);
