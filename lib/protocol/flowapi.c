/*
 * flowapi.c: Hydra's login, consent and logout requests as functions
 * (see flowapi.h).  A challenge is sealed flow state (flow.h); answering
 * it seals a verifier with what was answered.  A logout answer is
 * recorded too, with the redirect_to given back; login and consent
 * answers write nothing (see finish()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/consents.h"
#include "records/flow.h"
#include "records/lifecycle.h"
#include "protocol/flowapi.h"
#include "protocol/flowstate.h"
#include "protocol/logout.h"

static const struct {
	const char		*name;
	enum oflow_purpose	 p;	/* the challenge */
	enum oflow_purpose	 vp;	/* its verifier */
	const char		*param;	/* the verifier's query parameter */
} kinds[OFLOWAPI__MAX] = {
	/* OFLOWAPI_LOGIN */
	{ "login", OFLOW_LOGIN, OFLOW_LOGIN_VERIFIER, "login_verifier" },
	/* OFLOWAPI_CONSENT */
	{ "consent", OFLOW_CONSENT, OFLOW_CONSENT_VERIFIER,
	    "consent_verifier" },
	/* OFLOWAPI_LOGOUT */
	{ "logout", OFLOW_LOGOUT, OFLOW_LOGOUT_VERIFIER, "logout_verifier" },
};

const char *
oflowapi_name(enum oflowapi_kind k)
{
	return (unsigned)k < OFLOWAPI__MAX ? kinds[k].name : "?";
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

/* Unix seconds as an RFC 3339 string. */
static json_t *
when(json_int_t t)
{
	char	 buf[32];

	otime_rfc3339(t, buf, sizeof(buf));
	return json_string(buf);
}

/*
 * {"redirect_to": to}, as a handled logout challenge answers: a mark
 * that lacks where it led (none is written so) cannot be given back,
 * and the object stays empty.
 */
static json_t *
handled_to(const char *to)
{
	return to != NULL ? json_pack("{s:s}", "redirect_to", to) :
	    json_object();
}

enum oflowapi_rc
oflowapi_open(enum oflowapi_kind k, const char *challenge, json_t **st,
    json_t **out, struct oerr *err)
{
	struct ostore_txn	*t;
	struct oflow_mark	 m;
	struct ofstate_login	 l;
	struct ofstate_consent	 c;
	struct ofstate_logout	 o;
	json_t			*s;
	const char		*id = NULL, *sid = NULL, *url = NULL;
	int			 used = 0, ok = 1;

	*st = *out = NULL;
	if ((unsigned)k >= OFLOWAPI__MAX) {
		oerr_set(err, OERR_SERVER_ERROR, "No such flow.");
		return OFLOWAPI_ERR;
	}
	if (challenge == NULL || *challenge == '\0') {
		oerr_set(err, OERR_INVALID_REQUEST, "The query parameter "
		    "'%s_challenge' is required.", kinds[k].name);
		return OFLOWAPI_ERR;
	}
	if ((s = oflow_open(kinds[k].p, challenge, err)) == NULL)
		return OFLOWAPI_ERR;
	/* A login or consent state decodes whole, or is refused. */
	memset(&l, 0, sizeof(l));
	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	if (k == OFLOWAPI_LOGIN && (ok = ofstate_login_decode(s, &l, err))) {
		id = l.id;
		sid = l.sid;
		url = l.request_url;
	} else if (k == OFLOWAPI_CONSENT &&
	    (ok = ofstate_consent_decode(s, &c, err))) {
		id = c.login_challenge;
		sid = c.sid;
		url = c.request_url;
	} else if (k == OFLOWAPI_LOGOUT &&
	    (ok = ofstate_logout_decode(s, &o, err)))
		id = o.id;
	if (!ok) {
		ofstate_login_free(&l);
		ofstate_consent_free(&c);
		ofstate_logout_free(&o);
		json_decref(s);
		return OFLOWAPI_ERR;
	}
	/*
	 * A login or consent challenge is handled once its flow is done:
	 * the login challenge marked when a consent verifier was spent
	 * (cgi-bin/oauth2/auth.c); a logout challenge once answered.
	 */
	/*
	 * So is one of a login session that has ended since (logout):
	 * its flows are void, and the request starts again without it.
	 */
	memset(&m, 0, sizeof(m));
	if ((t = ostore_read_begin(NULL)) != NULL) {
		used = oflow_used(t, k == OFLOWAPI_LOGOUT ? OFLOW_LOGOUT :
		    OFLOW_LOGIN, id, &m);
		if (!used && k != OFLOWAPI_LOGOUT &&
		    oflow_session_ended(t, sid))
			used = 1;
		ostore_read_end(t);
	}
	if (used) {
		/*
		 * A spent login or consent request leads back to where the
		 * flow began, to start it again (Hydra's request_url); a
		 * logout request to where its first answer led.
		 */
		*out = k == OFLOWAPI_LOGOUT ? handled_to(m.redirect_to) :
		    json_pack("{s:s}", "redirect_to", url);
		oflow_mark_free(&m);
		ofstate_login_free(&l);
		ofstate_consent_free(&c);
		ofstate_logout_free(&o);
		json_decref(s);
		return OFLOWAPI_HANDLED;
	}
	ofstate_login_free(&l);
	ofstate_consent_free(&c);
	ofstate_logout_free(&o);
	json_object_set_new(s, "challenge", json_string(challenge));
	*st = s;
	return OFLOWAPI_OK;
}

/* A string member that every request has, "" when it was not sent. */
static const char *
s0(const char *s)
{
	return s != NULL ? s : "";
}

/* The OIDC context of a request (Hydra's oidc_context). */
static json_t *
oidc_context(const struct ofstate_req *r)
{
	json_t	*c = json_object();

	json_object_set_new(c, "acr_values", split(r->acr_values));
	json_object_set_new(c, "display", json_string(s0(r->display)));
	json_object_set_new(c, "login_hint", json_string(s0(r->login_hint)));
	json_object_set_new(c, "ui_locales", split(r->ui_locales));
	if (r->id_token_hint_claims != NULL)
		json_object_set(c, "id_token_hint_claims",
		    r->id_token_hint_claims);
	return c;
}

/*
 * The parts common to the login and consent requests: challenge (of
 * the opened st), client (Hydra's view, no secret), request_url,
 * requested_scope, requested_access_token_audience, skip, subject,
 * oidc_context.  NULL with err set when the client is gone.
 */
static json_t *
request_json(const json_t *st, const struct ofstate_req *r,
    const char *request_url, int skip, const char *subject,
    struct oerr *err)
{
	const struct oclient *client;
	json_t	*j;

	if ((client = oclient_fetch(r->client_id, err)) == NULL)
		return NULL;
	j = json_pack("{s:s,s:o,s:s,s:o,s:o,s:b,s:s,s:o}",
	    "challenge", ojson_str(st, "challenge"),
	    "client", oclient_view_hydra(client->rec, NULL),
	    "request_url", request_url,
	    "requested_scope", ojson_strs_json(&r->scope),
	    "requested_access_token_audience", ojson_strs_json(&r->audience),
	    "skip", skip,
	    "subject", subject,
	    "oidc_context", oidc_context(r));
	oclient_release(client);
	return j;
}

/* Hydra's loginRequest. */
static json_t *
login_request(const json_t *st, struct oerr *err)
{
	struct ofstate_login	 l;
	json_t			*j = NULL;

	if (!ofstate_login_decode(st, &l, err))
		goto out;
	if ((j = request_json(st, &l.req, l.request_url, l.skip,
	    s0(l.subject), err)) == NULL)
		goto out;
	json_object_set_new(j, "session_id", json_string(l.sid));
	json_object_set_new(j, "requested_at", json_integer(l.requested_at));
out:
	ofstate_login_free(&l);
	return j;
}

/* Hydra's consentRequest. */
static json_t *
consent_request(const json_t *st, struct oerr *err)
{
	struct ofstate_consent	 c;
	json_t			*j = NULL;

	if (!ofstate_consent_decode(st, &c, err))
		goto out;
	if ((j = request_json(st, &c.req, c.request_url, c.skip,
	    c.login.subject, err)) == NULL)
		goto out;
	json_object_set_new(j, "consent_request_id", json_string(c.id));
	json_object_set_new(j, "login_challenge",
	    json_string(c.login_challenge));
	json_object_set_new(j, "login_session_id", json_string(c.sid));
	json_object_set_new(j, "acr", json_string(s0(c.login.acr)));
	json_object_set_new(j, "amr", ojson_strs_json(&c.login.amr));
	json_object_set(j, "context", c.login.context);
out:
	ofstate_consent_free(&c);
	return j;
}

/*
 * Hydra's logoutRequest: {challenge, subject, sid, request_url,
 * rp_initiated, client, expires_at, requested_at}.
 */
static json_t *
logout_request(const json_t *st, struct oerr *err)
{
	const struct oclient *client = NULL;
	struct ofstate_logout	 o;
	struct oerr	 e;
	json_t		*j = NULL;

	if (!ofstate_logout_decode(st, &o, err))
		goto out;
	oerr_clear(&e);
	if (*o.client_id != '\0')
		client = oclient_fetch(o.client_id, &e);
	j = json_pack("{s:s,s:s,s:s,s:s,s:b,s:o,s:o,s:o}",
	    "challenge", ojson_str(st, "challenge"),
	    "subject", o.subject,
	    "sid", o.sid,
	    "request_url", s0(o.request_url),
	    "rp_initiated", o.rp_initiated,
	    "client", client != NULL ? oclient_view_hydra(client->rec, NULL) :
	    json_null(),
	    "expires_at", when(o.exp),
	    "requested_at", when(o.requested_at));
	oclient_release(client);
out:
	ofstate_logout_free(&o);
	return j;
}

json_t *
oflowapi_request(enum oflowapi_kind k, const json_t *st, struct oerr *err)
{
	switch (k) {
	case OFLOWAPI_LOGIN:
		return login_request(st, err);
	case OFLOWAPI_CONSENT:
		return consent_request(st, err);
	case OFLOWAPI_LOGOUT:
		return logout_request(st, err);
	default:
		oerr_set(err, OERR_SERVER_ERROR, "No such flow.");
		return NULL;
	}
}

struct answer {
	enum oflow_purpose	 p;
	const struct ofstate_logout *st;
	const char		*redirect_to;
	struct oflow_mark	 prior;		/* the mark, when handled */
	int			 handled;	/* already */
};

/* Record the challenge as handled, remembering where it leads. */
static int
answer_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct answer	*a = arg;
	enum ostore_rc	 rc;

	oflow_mark_free(&a->prior);
	a->handled = 0;
	rc = oflow_use(t, a->p, a->st->id, a->st->exp, a->redirect_to);
	if (rc == OSTORE_EXISTS) {
		a->handled = oflow_used(t, a->p, a->st->id, &a->prior);
		return 1;
	}
	if (rc != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return 0;
	}
	return 1;
}

/*
 * Record the logout challenge st as handled with redirect_to, and set
 * *out to {"redirect_to"}: this one (OFLOWAPI_OK) or, when it was
 * handled already, the first answer's (OFLOWAPI_HANDLED).
 */
static enum oflowapi_rc
answer(enum oflowapi_kind k, const struct ofstate_logout *st,
    const char *redirect_to, json_t **out, struct oerr *err)
{
	struct answer	 a;

	memset(&a, 0, sizeof(a));
	a.p = kinds[k].p;
	a.st = st;
	a.redirect_to = redirect_to;
	if (!ostore_write(answer_fn, &a, err)) {
		oflow_mark_free(&a.prior);
		return OFLOWAPI_ERR;
	}
	if (a.handled) {
		*out = handled_to(a.prior.redirect_to);
		oflow_mark_free(&a.prior);
		return OFLOWAPI_HANDLED;
	}
	*out = json_pack("{s:s}", "redirect_to", redirect_to);
	return OFLOWAPI_OK;
}

/*
 * Answer a login or consent challenge of kind k, whose request URL is
 * url, with its verifier v (sealed, owned): the request URL plus the
 * verifier.  Nothing is written: the verifier carries the answer, and
 * the flow is marked done when a consent verifier of it is spent
 * (cgi-bin/oauth2/auth.c), so until then a challenge may be answered
 * again and the verifier spent first counts (as Hydra's LOGIN_UNUSED
 * and CONSENT_UNUSED).
 */
static enum oflowapi_rc
finish(enum oflowapi_kind k, const char *url, char *v, json_t **out)
{
	*out = json_pack("{s:s++++}", "redirect_to", url, "&",
	    kinds[k].param, "=", v);
	free(v);
	return OFLOWAPI_OK;
}

/* A body must be a JSON object. */
static int
body_ok(const json_t *body, struct oerr *err)
{
	if (json_is_object(body))
		return 1;
	oerr_set(err, OERR_INVALID_REQUEST, "The request body must be a JSON "
	    "object.");
	return 0;
}

/* Accept a login request (Hydra's acceptOAuth2LoginRequest). */
static enum oflowapi_rc
accept_login(const json_t *st, const json_t *body, json_t **out,
    struct oerr *err)
{
	struct ofstate_login	 l;
	struct ofstate_login_result *r = &l.login;
	json_t			*amr = NULL, *ctx = NULL, *e;
	const char		*sub = NULL, *acr = "", *fsi = NULL;
	long long		 rf = 0;
	int			 remember = 0, extend = 0;
	size_t			 i;
	enum oflowapi_rc	 rc = OFLOWAPI_ERR;

	if (!ofstate_login_decode(st, &l, err))
		goto out;
	if (!body_ok(body, err) ||
	    !ojson_get_str(body, "subject", 1024, OJSON_REQUIRED |
	    OJSON_NONEMPTY, &sub, err) ||
	    !ojson_get_bool(body, "remember", 0, &remember, err) ||
	    !ojson_get_int(body, "remember_for", 0, 0x7fffffffLL, 0, &rf,
	    err) ||
	    !ojson_get_str(body, "acr", 1024, 0, &acr, err) ||
	    !ojson_get_strarray(body, "amr", 32, 256, 0, &amr, err) ||
	    !ojson_get_object(body, "context", 0, &ctx, err) ||
	    !ojson_get_str(body, "force_subject_identifier", 1024, 0, &fsi,
	    err) ||
	    !ojson_get_bool(body, "extend_session_lifespan", 0, &extend,
	    err))
		goto out;
	if (l.skip && strcmp(sub, s0(l.subject)) != 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The login request was "
		    "skipped for the subject of the login session; it cannot "
		    "be accepted for another subject.");
		goto out;
	}
	/* What the challenge carried of an answer is replaced. */
	ofstate_login_result_free(r);
	l.has_login = 1;
	r->subject = oxstrdup(sub);
	r->remember = remember || l.skip;
	r->remember_for = rf;
	r->acr = oxstrdup(acr);
	r->auth_time = l.skip ? l.auth_time : onow();
	json_array_foreach(amr, i, e)
		ojson_strs_add(&r->amr, json_string_value(e));
	r->context = ctx != NULL ? json_incref(ctx) : json_object();
	if (fsi != NULL)
		r->force_subject_identifier = oxstrdup(fsi);
	rc = finish(OFLOWAPI_LOGIN, l.request_url,
	    ofstate_login_seal(OFLOW_LOGIN_VERIFIER, &l), out);
out:
	ofstate_login_free(&l);
	return rc;
}

/*
 * 1 if every string of list is one the client has by has
 * (oclient_has_scope, oclient_has_audience); else 0 with *bad set.
 */
static int
within(const json_t *list, const struct oclient *c,
    int (*has)(const struct oclient *, const char *), const char **bad)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(list, i, e)
		if (!has(c, json_string_value(e))) {
			*bad = json_string_value(e);
			return 0;
		}
	return 1;
}

/* Accept a consent request (Hydra's acceptOAuth2ConsentRequest). */
static enum oflowapi_rc
accept_consent(const json_t *st, const json_t *body, json_t **out,
    struct oerr *err)
{
	const struct oclient	*client = NULL;
	struct ofstate_consent	 c;
	struct ofstate_consent_result *r = &c.consent;
	json_t			*scope = NULL, *aud = NULL, *session = NULL;
	json_t			*idt, *at, *e;
	const char		*bad = NULL;
	long long		 rf = 0;
	int			 remember = 0;
	size_t			 i;
	enum oflowapi_rc	 rc = OFLOWAPI_ERR;

	if (!ofstate_consent_decode(st, &c, err))
		goto out;
	if (!body_ok(body, err) ||
	    !ojson_get_strarray(body, "grant_scope", 100, 256, 0, &scope,
	    err) ||
	    !ojson_get_strarray(body, "grant_access_token_audience", 100,
	    2048, 0, &aud, err) ||
	    !ojson_get_object(body, "session", 0, &session, err) ||
	    !ojson_get_bool(body, "remember", 0, &remember, err) ||
	    !ojson_get_int(body, "remember_for", 0, 0x7fffffffLL, 0, &rf,
	    err))
		goto out;
	idt = session != NULL ? json_object_get(session, "id_token") : NULL;
	at = session != NULL ? json_object_get(session, "access_token") :
	    NULL;
	if ((idt != NULL && !json_is_object(idt) && !json_is_null(idt)) ||
	    (at != NULL && !json_is_object(at) && !json_is_null(at))) {
		oerr_set(err, OERR_INVALID_REQUEST, "The fields "
		    "'session.id_token' and 'session.access_token' must be "
		    "objects.");
		goto out;
	}
	if ((client = oclient_fetch(c.req.client_id, err)) == NULL)
		goto out;
	if (scope != NULL && !within(scope, client, oclient_has_scope,
	    &bad)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The scope '%.64s' is not "
		    "one the client may be granted.", bad);
		goto out;
	}
	if (aud != NULL && !within(aud, client, oclient_has_audience,
	    &bad)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The audience '%.64s' is "
		    "not one the client may be granted.", bad);
		goto out;
	}
	ofstate_consent_result_free(r);
	c.has_consent = 1;
	r->remember = remember;
	r->remember_for = rf;
	json_array_foreach(scope, i, e)
		ojson_strs_add(&r->grant_scope, json_string_value(e));
	json_array_foreach(aud, i, e)
		ojson_strs_add(&r->grant_access_token_audience,
		    json_string_value(e));
	r->session = json_pack("{s:o,s:o}", "id_token", json_is_object(idt) ?
	    json_incref(idt) : json_object(), "access_token",
	    json_is_object(at) ? json_incref(at) : json_object());
	rc = finish(OFLOWAPI_CONSENT, c.request_url,
	    ofstate_consent_seal(OFLOW_CONSENT_VERIFIER, &c), out);
out:
	ofstate_consent_free(&c);
	oclient_release(client);
	return rc;
}

/*
 * Accept a logout request: the verifier needs neither the challenge nor
 * the request URL, and leads to the public logout endpoint.
 */
static enum oflowapi_rc
accept_logout(const json_t *st, json_t **out, struct oerr *err)
{
	struct ofstate_logout	 o;
	char			*v, *to;
	enum oflowapi_rc	 rc;
	int			 n;

	if (!ofstate_logout_decode(st, &o, err)) {
		ofstate_logout_free(&o);
		return OFLOWAPI_ERR;
	}
	free(o.request_url);
	o.request_url = NULL;
	v = ofstate_logout_seal(OFLOW_LOGOUT_VERIFIER, &o);
	n = snprintf(NULL, 0, "%soauth2/sessions/logout?logout_verifier=%s",
	    oconf->issuer, v);
	to = oxmalloc((size_t)n + 1);
	snprintf(to, (size_t)n + 1,
	    "%soauth2/sessions/logout?logout_verifier=%s", oconf->issuer, v);
	free(v);
	rc = answer(OFLOWAPI_LOGOUT, &o, to, out, err);
	free(to);
	ofstate_logout_free(&o);
	return rc;
}

enum oflowapi_rc
oflowapi_accept(enum oflowapi_kind k, const json_t *st, const json_t *body,
    json_t **out, struct oerr *err)
{
	*out = NULL;
	switch (k) {
	case OFLOWAPI_LOGIN:
		return accept_login(st, body, out, err);
	case OFLOWAPI_CONSENT:
		return accept_consent(st, body, out, err);
	case OFLOWAPI_LOGOUT:
		return accept_logout(st, out, err);
	default:
		oerr_set(err, OERR_SERVER_ERROR, "No such flow.");
		return OFLOWAPI_ERR;
	}
}

/*
 * A reject body (Hydra's RequestDeniedError: error, error_description,
 * error_hint, status_code, error_debug) as the verifier's error, into
 * e.  Returns 1, or 0 with err set.
 */
static int
reject_error(const json_t *body, struct ofstate_error *e,
    struct oerr *err)
{
	const char	*code = NULL, *desc = NULL, *hint = NULL, *dbg = NULL;
	long long	 status = 403;

	if (!body_ok(body, err) ||
	    !ojson_get_str(body, "error", 128, 0, &code, err) ||
	    !ojson_get_str(body, "error_description", 1024, 0, &desc, err) ||
	    !ojson_get_str(body, "error_hint", 1024, 0, &hint, err) ||
	    !ojson_get_str(body, "error_debug", 1024, 0, &dbg, err) ||
	    !ojson_get_int(body, "status_code", 400, 599, 0, &status, err))
		return 0;
	if (code != NULL && strspn(code, "abcdefghijklmnopqrstuvwxyz_") !=
	    strlen(code)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'error' must be "
		    "an error code of lower-case letters and '_'.");
		return 0;
	}
	ofstate_error_free(e);
	e->error = oxstrdup(code != NULL && *code != '\0' ? code :
	    "access_denied");
	e->error_description = oxstrdup(desc != NULL && *desc != '\0' ?
	    desc : "The resource owner or authorization server denied the "
	    "request.");
	e->error_hint = oxstrdup(hint != NULL ? hint : "");
	e->status_code = status;
	return 1;
}

enum oflowapi_rc
oflowapi_reject(enum oflowapi_kind k, const json_t *st, const json_t *body,
    json_t **out, struct oerr *err)
{
	struct oarena		 a;
	struct ofstate_login	 l;
	struct ofstate_consent	 c;
	struct ofstate_logout	 o;
	enum oflowapi_rc	 rc = OFLOWAPI_ERR;

	*out = NULL;
	switch (k) {
	case OFLOWAPI_LOGIN:
		if (ofstate_login_decode(st, &l, err) &&
		    reject_error(body, &l.error, err)) {
			l.has_error = 1;
			rc = finish(k, l.request_url, ofstate_login_seal(
			    OFLOW_LOGIN_VERIFIER, &l), out);
		}
		ofstate_login_free(&l);
		return rc;
	case OFLOWAPI_CONSENT:
		if (ofstate_consent_decode(st, &c, err) &&
		    reject_error(body, &c.error, err)) {
			c.has_error = 1;
			rc = finish(k, c.request_url, ofstate_consent_seal(
			    OFLOW_CONSENT_VERIFIER, &c), out);
		}
		ofstate_consent_free(&c);
		return rc;
	case OFLOWAPI_LOGOUT:
		/* The session stays; on to the post-logout redirect. */
		if (!ofstate_logout_decode(st, &o, err)) {
			ofstate_logout_free(&o);
			return OFLOWAPI_ERR;
		}
		oarena_init(&a);
		rc = answer(k, &o, ologout_redirect(&a,
		    o.post_logout_redirect_uri, o.state), out, err);
		oarena_free(&a);
		ofstate_logout_free(&o);
		return rc;
	default:
		oerr_set(err, OERR_SERVER_ERROR, "No such flow.");
		return OFLOWAPI_ERR;
	}
}

/* Unix seconds as RFC 3339, or null for 0. */
static json_t *
when_or_null(json_int_t t)
{
	char	 buf[32];

	if (t == 0)
		return json_null();
	otime_rfc3339(t, buf, sizeof(buf));
	return json_string(buf);
}

/*
 * When the tokens of a grant handled at t expire, in Hydra 2.2's
 * OAuth2ConsentSession.expires_at shape (one time per kind).
 */
static json_t *
expires(json_int_t t)
{
	json_t	*e = json_object();

	json_object_set_new(e, "access_token", when_or_null(t +
	    oconf->ttl_access_token));
	json_object_set_new(e, "authorize_code", when_or_null(t +
	    oconf->ttl_auth_code));
	json_object_set_new(e, "id_token", when_or_null(t + oconf->ttl_id_token));
	json_object_set_new(e, "par_context", when_or_null(t +
	    oconf->ttl_auth_code));
	json_object_set_new(e, "refresh_token", oconf->ttl_refresh_token > 0 ?
	    when_or_null(t + oconf->ttl_refresh_token) : json_null());
	return e;
}

/* A consent as Hydra's PreviousConsentSession. */
static json_t *
previous(const struct oconsent *c)
{
	struct oerr	 err;
	json_t		*client, *cr;

	oerr_clear(&err);
	client = oclient_get(c->client_id, &err);
	cr = json_pack("{s:s,s:o,s:o,s:b,s:s,s:s,s:s,s:s}",
	    "challenge", c->request_id,
	    "requested_scope", ojson_strs_json(&c->requested_scope),
	    "requested_access_token_audience",
	    ojson_strs_json(&c->requested_audience),
	    "skip", 0,
	    "subject", c->sub,
	    "login_session_id", c->sid,
	    "request_url", c->request_url,
	    "acr", ojson_str(c->login, "acr"));
	json_object_set_new(cr, "consent_request_id",
	    json_string(c->request_id));
	json_object_set_new(cr, "client", client != NULL ?
	    oclient_view_hydra(client, NULL) : json_null());
	json_decref(client);
	return json_pack("{s:o,s:o,s:o,s:O?,s:b,s:I,s:o,s:o}",
	    "consent_request", cr,
	    "grant_scope", ojson_strs_json(&c->scope),
	    "grant_access_token_audience", ojson_strs_json(&c->aud),
	    "session", c->session,
	    "remember", c->remember,
	    "remember_for", (json_int_t)c->remember_for,
	    "handled_at", when_or_null(c->handled_at),
	    "expires_at", expires(c->handled_at));
}

json_t *
oflowapi_consent_sessions(const char *subject, const char *sid,
    long long offset, long long size, size_t *total, struct oerr *err)
{
	struct ostore_txn	*t;
	struct oconsent		*all;
	json_t			*out;
	size_t			 i, nall, n = 0;
	int			 ok;

	*total = 0;
	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	ok = oconsents_list(t, subject, NULL, &all, &nall, err);
	ostore_read_end(t);
	if (!ok)
		return NULL;
	out = json_array();
	for (i = 0; i < nall; i++) {
		/* As Hydra: consents given on the screen, not skipped ones. */
		if (all[i].skip ||
		    (sid != NULL && strcmp(all[i].sid, sid) != 0))
			continue;
		if ((long long)n >= offset && (long long)n < offset + size)
			json_array_append_new(out, previous(&all[i]));
		n++;
	}
	oconsents_list_free(all, nall);
	*total = n;
	return out;
}

struct revoke {
	const char	*subject;
	const char	*client;	/* NULL: all */
	const char	*sid;
	int		 login;		/* login sessions, not consents */
	json_t		*notify;	/* the ended session, for back-channel */
};

static int
revoke_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct revoke	*r = arg;

	/* Headless logout by sid also tells the clients (logout.h). */
	if (r->login)
		return ologout_end_sessions(t, r->sid, r->subject, &r->notify,
		    err);
	if (!olife_consent_revoke(t, r->subject, r->client, NULL))
		goto fail;
	return 1;
fail:
	oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
	return 0;
}

int
oflowapi_revoke_consent(const char *subject, const char *client,
    struct oerr *err)
{
	struct revoke	 r;

	memset(&r, 0, sizeof(r));
	r.subject = subject;
	r.client = client;
	return ostore_write(revoke_fn, &r, err);
}

int
oflowapi_revoke_login(const char *subject, const char *sid,
    struct oerr *err)
{
	struct revoke	 r;

	memset(&r, 0, sizeof(r));
	r.login = 1;
	r.subject = subject;
	r.sid = sid;
	if (!ostore_write(revoke_fn, &r, err)) {
		json_decref(r.notify);
		return 0;
	}
	/* After the commit, never inside a transaction. */
	if (r.notify != NULL)
		ologout_backchannel(r.notify);
	json_decref(r.notify);
	return 1;
}

enum oflowapi_rc
oflowapi_get(enum oflowapi_kind k, const char *challenge, json_t **out,
    struct oerr *err)
{
	enum oflowapi_rc	 rc;
	json_t			*st = NULL;

	*out = NULL;
	if ((rc = oflowapi_open(k, challenge, &st, out, err)) != OFLOWAPI_OK)
		return rc;
	if ((*out = oflowapi_request(k, st, err)) == NULL)
		rc = OFLOWAPI_ERR;
	json_decref(st);
	return rc;
}

enum oflowapi_rc
oflowapi_answer(enum oflowapi_kind k, const char *challenge, int accept,
    const json_t *body, const struct oerr *body_err, json_t **out,
    struct oerr *err)
{
	enum oflowapi_rc	 rc;
	json_t			*st = NULL;

	*out = NULL;
	if ((rc = oflowapi_open(k, challenge, &st, out, err)) != OFLOWAPI_OK)
		return rc;
	if (k != OFLOWAPI_LOGOUT && body == NULL) {
		*err = *body_err;
		rc = OFLOWAPI_ERR;
	} else
		rc = accept ? oflowapi_accept(k, st, body, out, err) :
		    oflowapi_reject(k, st, body, out, err);
	json_decref(st);
	return rc;
}

enum ouser_auth
oflowapi_password_login(const json_t *st, const char *username,
    const char *password, const char *addr, int remember,
    enum oflowapi_rc *rc, json_t **out, struct oerr *err)
{
	enum ouser_auth	 a;
	json_t		*u = NULL, *body;

	*rc = OFLOWAPI_ERR;
	*out = NULL;
	if ((a = ouser_authenticate(username, password, addr, &u,
	    err)) != OUSER_AUTH_OK)
		return a;
	body = json_pack("{s:s,s:b,s:i,s:[s],s:{s:s}}", "subject",
	    ojson_str(u, "subject"), "remember", remember, "remember_for",
	    remember ? OFLOWAPI_REMEMBER_FOR : 0, "amr", "pwd", "context",
	    "username", ojson_str(u, "username"));
	*rc = oflowapi_accept(OFLOWAPI_LOGIN, st, body, out, err);
	json_decref(body);
	json_decref(u);
	return a;
}

enum oflowapi_rc
oflowapi_consent_allow(const json_t *st, const json_t *r,
    const json_t *scope, int remember, json_t **out, struct oerr *err)
{
	struct oerr		 e;
	json_t			*user, *claims, *body;
	enum oflowapi_rc	 rc;

	oerr_clear(&e);
	/* A subject of another login app has no claims here. */
	user = ouser_get_by_subject(ojson_str(r, "subject"), &e);
	claims = user != NULL ? ouser_claims(user, scope) : json_object();
	body = json_pack("{s:O,s:O,s:b,s:i,s:{s:o}}", "grant_scope", scope,
	    "grant_access_token_audience", json_object_get(r,
	    "requested_access_token_audience"), "remember", remember,
	    "remember_for", remember ? OFLOWAPI_REMEMBER_FOR : 0, "session",
	    "id_token", claims);
	rc = oflowapi_accept(OFLOWAPI_CONSENT, st, body, out, err);
	json_decref(body);
	json_decref(user);
	return rc;
}

json_t *
oflowapi_ticked_scope(const json_t *requested, const struct oparams *form)
{
	json_t		*grant = json_array(), *s;
	const char	*sc;
	size_t		 i, j;
	int		 ticked;

	json_array_foreach(requested, i, s) {
		sc = json_string_value(s);
		ticked = strcmp(sc, "openid") == 0;
		for (j = 0; !ticked && j < form->n; j++)
			ticked = strcmp(form->v[j].name, "scope") == 0 &&
			    strcmp(form->v[j].value, sc) == 0;
		if (ticked && !ojson_has(grant, sc))
			json_array_append(grant, s);
	}
	return grant;
}
