/*
 * requests.c: Hydra's login and consent requests on the admin API
 * (1.x at the root, 2.x under /admin):
 *
 *   GET /oauth2/auth/requests/login?login_challenge=       (or challenge=)
 *   PUT /oauth2/auth/requests/login/accept?login_challenge=
 *   PUT /oauth2/auth/requests/login/reject?login_challenge=
 *   GET /oauth2/auth/requests/consent?consent_challenge=   (or challenge=)
 *   PUT /oauth2/auth/requests/consent/accept?consent_challenge=
 *   PUT /oauth2/auth/requests/consent/reject?consent_challenge=
 *
 * A challenge is sealed flow state (lib/flow.h).  Answering one records
 * it as handled, with the redirect_to given back; a challenge that was
 * handled already is a 410 with that {"redirect_to"}, never a second
 * grant.  An unknown or expired challenge is a 404.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "clients.h"
#include "conf.h"
#include "crypto.h"
#include "err.h"
#include "flow.h"
#include "http.h"
#include "json.h"
#include "store.h"
#include "util.h"

/* The string member of a JSON object, or "" (borrowed). */
static const char *
str(const json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* A space-separated list as a JSON array of its words. */
static json_t *
split(const char *s)
{
	json_t	*a = json_array();
	char	*copy, *w, *save;

	if (s == NULL || *s == '\0')
		return a;
	copy = oxstrdup(s);
	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		json_array_append_new(a, json_string(w));
	free(copy);
	return a;
}

/*
 * The challenge of a request: ?<kind>_challenge= or ?challenge=.  NULL
 * with a 400 when missing.
 */
static const char *
challenge_param(struct oreq *req, const char *kind, struct oerr *err)
{
	const struct oparams	*q;
	const char		*c;
	char			 name[32];

	if ((q = ohttp_query(req, err)) == NULL)
		return NULL;
	snprintf(name, sizeof(name), "%s_challenge", kind);
	if ((c = oparams_get(q, name)) == NULL)
		c = oparams_get(q, "challenge");
	if (c == NULL || *c == '\0')
		oerr_set(err, OERR_INVALID_REQUEST, "The query parameter "
		    "'%s' is required.", name);
	return c != NULL && *c != '\0' ? c : NULL;
}

/*
 * Open a challenge and answer 410 {"redirect_to"} when it was handled
 * already.  Returns the state (a new reference) when it is open and
 * unhandled; NULL when a response was sent.
 */
static json_t *
open_challenge(struct oreq *req, enum oflow_purpose p, const char *kind)
{
	struct oerr		 err;
	struct ostore_txn	*t;
	const char		*c;
	json_t			*st, *used = NULL, *j;

	oerr_clear(&err);
	if ((c = challenge_param(req, kind, &err)) == NULL ||
	    (st = oflow_open(p, c, &err)) == NULL) {
		ohttp_send_error(req, &err);
		return NULL;
	}
	if ((t = ostore_read_begin()) != NULL) {
		used = oflow_used(t, p, str(st, "id"));
		ostore_read_end(t);
	}
	if (used != NULL) {
		j = json_pack("{s:O}", "redirect_to",
		    json_object_get(used, "redirect_to"));
		ohttp_send_json(req, 410, j);
		json_decref(j);
		json_decref(used);
		json_decref(st);
		return NULL;
	}
	json_object_set_new(st, "challenge", json_string(c));
	return st;
}

/* The OIDC context of a request (Hydra's oidc_context). */
static json_t *
oidc_context(const json_t *r)
{
	json_t	*c = json_object(), *v;

	json_object_set_new(c, "acr_values", split(str(r, "acr_values")));
	json_object_set_new(c, "display", json_string(str(r, "display")));
	json_object_set_new(c, "login_hint", json_string(str(r,
	    "login_hint")));
	json_object_set_new(c, "ui_locales", split(str(r, "ui_locales")));
	if ((v = json_object_get(r, "id_token_hint_claims")) != NULL)
		json_object_set(c, "id_token_hint_claims", v);
	return c;
}

/*
 * The parts common to the login and consent requests: challenge,
 * client (Hydra's view, no secret), request_url, requested_scope,
 * requested_access_token_audience, skip, subject, oidc_context.
 * NULL with err set when the client is gone.
 */
static json_t *
request_json(const json_t *st, const char *subject, struct oerr *err)
{
	json_t	*r = json_object_get(st, "req"), *client, *j;

	if ((client = oclient_get(str(r, "client_id"), err)) == NULL)
		return NULL;
	j = json_pack("{s:s,s:o,s:O,s:O,s:O,s:O,s:s,s:o}",
	    "challenge", str(st, "challenge"),
	    "client", oclient_view_hydra(client, NULL),
	    "request_url", json_object_get(st, "request_url"),
	    "requested_scope", json_object_get(r, "scope"),
	    "requested_access_token_audience", json_object_get(r, "audience"),
	    "skip", json_object_get(st, "skip"),
	    "subject", subject,
	    "oidc_context", oidc_context(r));
	json_decref(client);
	return j;
}

/* GET /oauth2/auth/requests/login */
static void
get_login(struct oreq *req)
{
	struct oerr	 err;
	json_t		*st, *j;

	oerr_clear(&err);
	if ((st = open_challenge(req, OFLOW_LOGIN, "login")) == NULL)
		return;
	if ((j = request_json(st, str(st, "subject"), &err)) == NULL)
		ohttp_send_error(req, &err);
	else {
		json_object_set(j, "session_id", json_object_get(st, "sid"));
		json_object_set_new(j, "requested_at", json_integer(
		    json_integer_value(json_object_get(st,
		    "requested_at"))));
		ohttp_send_json(req, 200, j);
	}
	json_decref(j);
	json_decref(st);
}

/* GET /oauth2/auth/requests/consent */
static void
get_consent(struct oreq *req)
{
	struct oerr	 err;
	json_t		*st, *j, *login;

	oerr_clear(&err);
	if ((st = open_challenge(req, OFLOW_CONSENT, "consent")) == NULL)
		return;
	login = json_object_get(st, "login");
	if ((j = request_json(st, str(login, "subject"), &err)) == NULL)
		ohttp_send_error(req, &err);
	else {
		json_object_set_new(j, "consent_request_id",
		    json_string(str(st, "id")));
		json_object_set(j, "login_challenge",
		    json_object_get(st, "login_challenge"));
		json_object_set(j, "login_session_id",
		    json_object_get(st, "sid"));
		json_object_set_new(j, "acr", json_string(str(login, "acr")));
		json_object_set(j, "amr", json_is_array(json_object_get(login,
		    "amr")) ? json_object_get(login, "amr") : json_array());
		json_object_set(j, "context", json_is_object(json_object_get(
		    login, "context")) ? json_object_get(login, "context") :
		    json_object());
		ohttp_send_json(req, 200, j);
	}
	json_decref(j);
	json_decref(st);
}

struct answer {
	enum oflow_purpose	 p;
	const json_t		*st;
	const char		*redirect_to;
	json_t			*prior;		/* handled already */
};

/* Record the challenge as handled, remembering where it leads. */
static int
answer_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct answer	*a = arg;
	json_t		*rec;
	enum ostore_rc	 rc;

	json_decref(a->prior);
	a->prior = NULL;
	rec = json_pack("{s:s}", "redirect_to", a->redirect_to);
	rc = oflow_use(t, a->p, str(a->st, "id"),
	    json_integer_value(json_object_get(a->st, "exp")), rec);
	json_decref(rec);
	if (rc == OSTORE_EXISTS) {
		a->prior = oflow_used(t, a->p, str(a->st, "id"));
		return 1;
	}
	if (rc != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return 0;
	}
	return 1;
}

/*
 * Seal the verifier state vst for purpose vp, record the challenge (of
 * purpose p) as handled, and answer {"redirect_to"} (200) or, when it
 * was handled already, 410 with the first answer's redirect_to.
 */
static void
finish(struct oreq *req, enum oflow_purpose p, const json_t *st,
    enum oflow_purpose vp, const json_t *vst, const char *param)
{
	struct oerr	 err;
	struct answer	 a;
	char		*v;
	json_t		*j;

	oerr_clear(&err);
	v = oflow_seal(vp, vst);
	memset(&a, 0, sizeof(a));
	a.p = p;
	a.st = st;
	a.redirect_to = oarena_printf(&req->arena, "%s&%s=%s",
	    str(st, "request_url"), param, v);
	free(v);
	if (!ostore_write(answer_fn, &a, &err)) {
		ohttp_send_error(req, &err);
		return;
	}
	if (a.prior != NULL) {
		j = json_pack("{s:O}", "redirect_to",
		    json_object_get(a.prior, "redirect_to"));
		ohttp_send_json(req, 410, j);
		json_decref(a.prior);
	} else {
		j = json_pack("{s:s}", "redirect_to", a.redirect_to);
		ohttp_send_json(req, 200, j);
	}
	json_decref(j);
}

/* The verifier state: the challenge's, with what the app answered. */
static json_t *
verifier_state(const json_t *st, const char *key, json_t *answer)
{
	json_t	*v = json_deep_copy(st);

	json_object_del(v, "challenge");
	json_object_set_new(v, key, answer);
	return v;
}

/* PUT /oauth2/auth/requests/login/accept */
static void
accept_login(struct oreq *req)
{
	struct oerr	 err;
	json_t		*st, *body = NULL, *amr = NULL, *ctx = NULL, *login;
	json_t		*vst;
	const char	*sub = NULL, *acr = "", *fsi = NULL;
	long long	 rf = 0;
	int		 remember = 0, extend = 0, skip;

	oerr_clear(&err);
	if ((st = open_challenge(req, OFLOW_LOGIN, "login")) == NULL)
		return;
	skip = json_is_true(json_object_get(st, "skip"));
	if ((body = ohttp_json(req, 1, &err)) == NULL ||
	    !ojson_get_str(body, "subject", 1024, OJSON_REQUIRED |
	    OJSON_NONEMPTY, &sub, &err) ||
	    !ojson_get_bool(body, "remember", 0, &remember, &err) ||
	    !ojson_get_int(body, "remember_for", 0, 0x7fffffffLL, 0, &rf,
	    &err) ||
	    !ojson_get_str(body, "acr", 1024, 0, &acr, &err) ||
	    !ojson_get_strarray(body, "amr", 32, 256, 0, &amr, &err) ||
	    !ojson_get_object(body, "context", 0, &ctx, &err) ||
	    !ojson_get_str(body, "force_subject_identifier", 1024, 0, &fsi,
	    &err) ||
	    !ojson_get_bool(body, "extend_session_lifespan", 0, &extend,
	    &err))
		goto fail;
	if (skip && strcmp(sub, str(st, "subject")) != 0) {
		oerr_set(&err, OERR_INVALID_REQUEST, "The login request was "
		    "skipped for the subject of the login session; it cannot "
		    "be accepted for another subject.");
		goto fail;
	}
	login = json_pack("{s:s,s:b,s:I,s:s,s:I}", "subject", sub,
	    "remember", remember || skip, "remember_for", (json_int_t)rf,
	    "acr", acr, "auth_time", skip ? json_integer_value(
	    json_object_get(st, "auth_time")) : (json_int_t)onow());
	json_object_set_new(login, "amr", amr != NULL ? json_incref(amr) :
	    json_array());
	json_object_set_new(login, "context", ctx != NULL ? json_incref(ctx) :
	    json_object());
	if (fsi != NULL)
		json_object_set_new(login, "force_subject_identifier",
		    json_string(fsi));
	vst = verifier_state(st, "login", login);
	finish(req, OFLOW_LOGIN, st, OFLOW_LOGIN_VERIFIER, vst,
	    "login_verifier");
	json_decref(vst);
	json_decref(body);
	json_decref(st);
	return;
fail:
	ohttp_send_error(req, &err);
	json_decref(body);
	json_decref(st);
}

/*
 * A reject body (Hydra's RequestDeniedError: error, error_description,
 * error_hint, status_code, error_debug) as the verifier's "error".
 */
static json_t *
reject_error(struct oreq *req, struct oerr *err)
{
	json_t		*body, *e;
	const char	*code = NULL, *desc = NULL, *hint = NULL, *dbg = NULL;
	long long	 status = 403;

	if ((body = ohttp_json(req, 1, err)) == NULL)
		return NULL;
	if (!ojson_get_str(body, "error", 128, 0, &code, err) ||
	    !ojson_get_str(body, "error_description", 1024, 0, &desc, err) ||
	    !ojson_get_str(body, "error_hint", 1024, 0, &hint, err) ||
	    !ojson_get_str(body, "error_debug", 1024, 0, &dbg, err) ||
	    !ojson_get_int(body, "status_code", 400, 599, 0, &status, err)) {
		json_decref(body);
		return NULL;
	}
	if (code != NULL && strspn(code, "abcdefghijklmnopqrstuvwxyz_") !=
	    strlen(code)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'error' must be "
		    "an error code of lower-case letters and '_'.");
		json_decref(body);
		return NULL;
	}
	e = json_pack("{s:s,s:s,s:s,s:I}",
	    "error", code != NULL && *code != '\0' ? code : "access_denied",
	    "error_description", desc != NULL && *desc != '\0' ? desc :
	    "The resource owner or authorization server denied the request.",
	    "error_hint", hint != NULL ? hint : "",
	    "status_code", (json_int_t)status);
	json_decref(body);
	return e;
}

/* PUT /oauth2/auth/requests/{login,consent}/reject */
static void
reject(struct oreq *req, enum oflow_purpose p, const char *kind,
    enum oflow_purpose vp, const char *param)
{
	struct oerr	 err;
	json_t		*st, *e, *vst;

	oerr_clear(&err);
	if ((st = open_challenge(req, p, kind)) == NULL)
		return;
	if ((e = reject_error(req, &err)) == NULL) {
		ohttp_send_error(req, &err);
		json_decref(st);
		return;
	}
	vst = verifier_state(st, "error", e);
	finish(req, p, st, vp, vst, param);
	json_decref(vst);
	json_decref(st);
}

static void
reject_login(struct oreq *req)
{
	reject(req, OFLOW_LOGIN, "login", OFLOW_LOGIN_VERIFIER,
	    "login_verifier");
}

static void
reject_consent(struct oreq *req)
{
	reject(req, OFLOW_CONSENT, "consent", OFLOW_CONSENT_VERIFIER,
	    "consent_verifier");
}

/* 1 if every string of list is one of the space-separated words of s. */
static int
within_words(const json_t *list, const char *s, const char **bad)
{
	json_t	*e, *w = split(s), *x;
	size_t	 i, j;
	int	 found;

	json_array_foreach(list, i, e) {
		found = 0;
		json_array_foreach(w, j, x)
			found |= json_equal(e, x);
		if (!found) {
			*bad = json_string_value(e);
			json_decref(w);
			return 0;
		}
	}
	json_decref(w);
	return 1;
}

/* PUT /oauth2/auth/requests/consent/accept */
static void
accept_consent(struct oreq *req)
{
	struct oerr	 err;
	json_t		*st, *body = NULL, *scope = NULL, *aud = NULL;
	json_t		*session = NULL, *client = NULL, *consent, *vst, *e;
	json_t		*idt, *at;
	const char	*bad = NULL;
	long long	 rf = 0;
	size_t		 i;
	int		 remember = 0, found;

	oerr_clear(&err);
	if ((st = open_challenge(req, OFLOW_CONSENT, "consent")) == NULL)
		return;
	if ((body = ohttp_json(req, 1, &err)) == NULL ||
	    !ojson_get_strarray(body, "grant_scope", 100, 256, 0, &scope,
	    &err) ||
	    !ojson_get_strarray(body, "grant_access_token_audience", 100,
	    2048, 0, &aud, &err) ||
	    !ojson_get_object(body, "session", 0, &session, &err) ||
	    !ojson_get_bool(body, "remember", 0, &remember, &err) ||
	    !ojson_get_int(body, "remember_for", 0, 0x7fffffffLL, 0, &rf,
	    &err))
		goto fail;
	idt = session != NULL ? json_object_get(session, "id_token") : NULL;
	at = session != NULL ? json_object_get(session, "access_token") :
	    NULL;
	if ((idt != NULL && !json_is_object(idt) && !json_is_null(idt)) ||
	    (at != NULL && !json_is_object(at) && !json_is_null(at))) {
		oerr_set(&err, OERR_INVALID_REQUEST, "The fields "
		    "'session.id_token' and 'session.access_token' must be "
		    "objects.");
		goto fail;
	}
	if ((client = oclient_get(str(json_object_get(st, "req"),
	    "client_id"), &err)) == NULL)
		goto fail;
	if (scope != NULL && !within_words(scope, str(client, "scope"),
	    &bad)) {
		oerr_set(&err, OERR_INVALID_REQUEST, "The scope '%.64s' is not "
		    "one the client may be granted.", bad);
		goto fail;
	}
	json_array_foreach(aud, i, e) {
		json_t *ce;
		size_t j;

		found = 0;
		json_array_foreach(json_object_get(client, "audience"), j, ce)
			found |= json_equal(e, ce);
		if (!found) {
			oerr_set(&err, OERR_INVALID_REQUEST, "The audience "
			    "'%.64s' is not one the client may be granted.",
			    json_string_value(e));
			goto fail;
		}
	}
	consent = json_pack("{s:b,s:I}", "remember", remember,
	    "remember_for", (json_int_t)rf);
	json_object_set_new(consent, "grant_scope", scope != NULL ?
	    json_incref(scope) : json_array());
	json_object_set_new(consent, "grant_access_token_audience",
	    aud != NULL ? json_incref(aud) : json_array());
	json_object_set_new(consent, "session", json_pack("{s:o,s:o}",
	    "id_token", json_is_object(idt) ? json_incref(idt) :
	    json_object(), "access_token", json_is_object(at) ?
	    json_incref(at) : json_object()));
	vst = verifier_state(st, "consent", consent);
	finish(req, OFLOW_CONSENT, st, OFLOW_CONSENT_VERIFIER, vst,
	    "consent_verifier");
	json_decref(vst);
	json_decref(client);
	json_decref(body);
	json_decref(st);
	return;
fail:
	ohttp_send_error(req, &err);
	json_decref(client);
	json_decref(body);
	json_decref(st);
}

const struct oroute requests_routes[] = {
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/oauth2/auth/requests/login",
	    get_login },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/oauth2/auth/requests/login/accept",
	    accept_login },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/oauth2/auth/requests/login/reject",
	    reject_login },
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/oauth2/auth/requests/consent",
	    get_consent },
	{ OHTTP_M(PUT), OLISTEN_ADMIN,
	    "/oauth2/auth/requests/consent/accept", accept_consent },
	{ OHTTP_M(PUT), OLISTEN_ADMIN,
	    "/oauth2/auth/requests/consent/reject", reject_consent },
};
const size_t requests_nroutes = sizeof(requests_routes) /
    sizeof(requests_routes[0]);
