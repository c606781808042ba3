/*
 * flowstate.c: the sealed flow state of an authorization as structs
 * (see flowstate.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "records/flow.h"
#include "protocol/flowstate.h"

static const struct {
	const char	*word;
	unsigned	 bit;
} prompts[] = {
	{ "none", OFSTATE_PROMPT_NONE },
	{ "login", OFSTATE_PROMPT_LOGIN },
	{ "consent", OFSTATE_PROMPT_CONSENT },
	{ "select_account", OFSTATE_PROMPT_SELECT },
};
#define NPROMPTS	(sizeof(prompts) / sizeof(prompts[0]))

unsigned
ofstate_prompt_bit(const char *word)
{
	size_t	 i;

	for (i = 0; i < NPROMPTS; i++)
		if (strcmp(prompts[i].word, word) == 0)
			return prompts[i].bit;
	return 0;
}

/* The prompt bits as a space-separated list (a new JSON string). */
static json_t *
prompt_json(unsigned bits)
{
	char	 buf[64];
	size_t	 i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < NPROMPTS; i++)
		if (bits & prompts[i].bit)
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s",
			    n > 0 ? " " : "", prompts[i].word);
	return json_string(buf);
}

/* The bits of the prompt member s into *bits: 1, or 0 on a bad word. */
static int
prompt_decode(const char *s, unsigned *bits, struct oerr *err)
{
	char	*copy, *w, *save;
	unsigned b;
	int	 ok = 1;

	*bits = 0;
	if (s == NULL)
		return 1;
	copy = oxstrdup(s);
	for (w = strtok_r(copy, " ", &save); ok && w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		if ((b = ofstate_prompt_bit(w)) == 0) {
			oerr_set(err, OERR_INVALID_REQUEST, "The field "
			    "'prompt' holds '%.32s', not a prompt value.", w);
			ok = 0;
		}
		*bits |= b;
	}
	free(copy);
	return ok;
}

void
ofstate_req_free(struct ofstate_req *r)
{
	free(r->client_id);
	free(r->redirect_uri);
	free(r->state);
	free(r->response_type);
	ojson_strs_free(&r->scope);
	free(r->nonce);
	ojson_strs_free(&r->audience);
	free(r->code_challenge);
	free(r->code_challenge_method);
	free(r->dpop_jkt);
	json_decref(r->id_token_hint_claims);
	free(r->login_hint);
	free(r->acr_values);
	free(r->ui_locales);
	free(r->display);
	memset(r, 0, sizeof(*r));
}

/* Set member key of j to the string s when s is not NULL. */
static void
put_str(json_t *j, const char *key, const char *s)
{
	if (s != NULL)
		json_object_set_new(j, key, json_string(s));
}

json_t *
ofstate_req_json(const struct ofstate_req *r)
{
	json_t	*j = json_object();

	put_str(j, "client_id", r->client_id);
	put_str(j, "redirect_uri", r->redirect_uri);
	put_str(j, "state", r->state);
	put_str(j, "response_type", r->response_type);
	json_object_set_new(j, "response_mode",
	    json_integer(r->response_mode));
	json_object_set_new(j, "scope", ojson_strs_json(&r->scope));
	put_str(j, "nonce", r->nonce);
	if (r->prompt != 0)
		json_object_set_new(j, "prompt", prompt_json(r->prompt));
	json_object_set_new(j, "max_age", json_integer(r->max_age));
	json_object_set_new(j, "audience", ojson_strs_json(&r->audience));
	put_str(j, "code_challenge", r->code_challenge);
	put_str(j, "code_challenge_method", r->code_challenge_method);
	put_str(j, "dpop_jkt", r->dpop_jkt);
	if (r->id_token_hint_claims != NULL)
		json_object_set(j, "id_token_hint_claims",
		    r->id_token_hint_claims);
	put_str(j, "login_hint", r->login_hint);
	put_str(j, "acr_values", r->acr_values);
	put_str(j, "ui_locales", r->ui_locales);
	put_str(j, "display", r->display);
	return j;
}

int
ofstate_req_decode(const json_t *j, struct ofstate_req *r,
    struct oerr *err)
{
	const char	*prompt = NULL;
	json_t		*claims = NULL;
	long long	 mode = 0, ma = -1;

	memset(r, 0, sizeof(*r));
	r->max_age = -1;
	if (!json_is_object(j)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'req' must be "
		    "an object.");
		return 0;
	}
	if (!ojson_take_str(j, "client_id", OJSON_REQUIRED, &r->client_id,
	    err) ||
	    !ojson_take_str(j, "redirect_uri", OJSON_REQUIRED,
	    &r->redirect_uri, err) ||
	    !ojson_take_str(j, "state", 0, &r->state, err) ||
	    !ojson_take_str(j, "response_type", OJSON_REQUIRED,
	    &r->response_type, err) ||
	    !ojson_get_int(j, "response_mode", 0, 2, 0, &mode, err) ||
	    !ojson_take_strs(j, "scope", 0, &r->scope, err) ||
	    !ojson_take_str(j, "nonce", 0, &r->nonce, err) ||
	    !ojson_get_str(j, "prompt", 0, 0, &prompt, err) ||
	    !prompt_decode(prompt, &r->prompt, err) ||
	    !ojson_get_int(j, "max_age", -1, 0x7fffffffLL, 0, &ma, err) ||
	    !ojson_take_strs(j, "audience", 0, &r->audience, err) ||
	    !ojson_take_str(j, "code_challenge", 0, &r->code_challenge,
	    err) ||
	    !ojson_take_str(j, "code_challenge_method", 0,
	    &r->code_challenge_method, err) ||
	    !ojson_take_str(j, "dpop_jkt", 0, &r->dpop_jkt, err) ||
	    !ojson_get_object(j, "id_token_hint_claims", 0, &claims, err) ||
	    !ojson_take_str(j, "login_hint", 0, &r->login_hint, err) ||
	    !ojson_take_str(j, "acr_values", 0, &r->acr_values, err) ||
	    !ojson_take_str(j, "ui_locales", 0, &r->ui_locales, err) ||
	    !ojson_take_str(j, "display", 0, &r->display, err)) {
		oerr_hint(err, "The flow state's request ('req') is "
		    "damaged.");
		return 0;
	}
	r->response_mode = (int)mode;
	r->max_age = ma;
	if (claims != NULL)
		r->id_token_hint_claims = json_incref(claims);
	return 1;
}

void
ofstate_login_result_free(struct ofstate_login_result *l)
{
	free(l->subject);
	free(l->acr);
	ojson_strs_free(&l->amr);
	json_decref(l->context);
	free(l->force_subject_identifier);
	memset(l, 0, sizeof(*l));
}

void
ofstate_consent_result_free(struct ofstate_consent_result *c)
{
	ojson_strs_free(&c->grant_scope);
	ojson_strs_free(&c->grant_access_token_audience);
	json_decref(c->session);
	memset(c, 0, sizeof(*c));
}

void
ofstate_error_free(struct ofstate_error *e)
{
	free(e->error);
	free(e->error_description);
	free(e->error_hint);
	memset(e, 0, sizeof(*e));
}

void
ofstate_login_free(struct ofstate_login *s)
{
	free(s->id);
	free(s->csrf);
	ofstate_req_free(&s->req);
	free(s->request_url);
	free(s->sid);
	free(s->subject);
	free(s->app);
	ofstate_login_result_free(&s->login);
	ofstate_error_free(&s->error);
	memset(s, 0, sizeof(*s));
}

void
ofstate_consent_free(struct ofstate_consent *s)
{
	free(s->id);
	free(s->csrf);
	ofstate_req_free(&s->req);
	free(s->request_url);
	ofstate_login_result_free(&s->login);
	free(s->sid);
	free(s->login_challenge);
	json_decref(s->previous);
	free(s->app);
	ofstate_consent_result_free(&s->consent);
	ofstate_error_free(&s->error);
	memset(s, 0, sizeof(*s));
}

/* A string member that every state of its kind has: "" when NULL. */
static const char *
s0(const char *s)
{
	return s != NULL ? s : "";
}

json_t *
ofstate_login_result_json(const struct ofstate_login_result *l)
{
	json_t	*j;

	j = json_pack("{s:s,s:b,s:I,s:s,s:I}", "subject", s0(l->subject),
	    "remember", l->remember, "remember_for",
	    (json_int_t)l->remember_for, "acr", s0(l->acr), "auth_time",
	    (json_int_t)l->auth_time);
	json_object_set_new(j, "amr", ojson_strs_json(&l->amr));
	json_object_set_new(j, "context", l->context != NULL ?
	    json_incref(l->context) : json_object());
	put_str(j, "force_subject_identifier", l->force_subject_identifier);
	return j;
}

static json_t *
consent_result_json(const struct ofstate_consent_result *c)
{
	json_t	*j;

	j = json_pack("{s:b,s:I}", "remember", c->remember, "remember_for",
	    (json_int_t)c->remember_for);
	json_object_set_new(j, "grant_scope", ojson_strs_json(
	    &c->grant_scope));
	json_object_set_new(j, "grant_access_token_audience",
	    ojson_strs_json(&c->grant_access_token_audience));
	json_object_set_new(j, "session", c->session != NULL ?
	    json_incref(c->session) : json_object());
	return j;
}

json_t *
ofstate_error_json(const struct ofstate_error *e)
{
	return json_pack("{s:s,s:s,s:s,s:I}", "error", s0(e->error),
	    "error_description", s0(e->error_description), "error_hint",
	    s0(e->error_hint), "status_code", (json_int_t)e->status_code);
}

json_t *
ofstate_login_json(const struct ofstate_login *s)
{
	json_t	*j;

	j = json_pack("{s:s,s:I,s:I,s:s,s:o,s:s,s:b,s:s}", "id", s0(s->id),
	    "exp", (json_int_t)s->exp, "requested_at",
	    (json_int_t)s->requested_at, "csrf", s0(s->csrf), "req",
	    ofstate_req_json(&s->req), "request_url", s0(s->request_url),
	    "skip", s->skip, "sid", s0(s->sid));
	if (s->subject != NULL) {
		json_object_set_new(j, "subject", json_string(s->subject));
		json_object_set_new(j, "auth_time",
		    json_integer(s->auth_time));
	}
	put_str(j, "app", s->app);
	if (s->has_login)
		json_object_set_new(j, "login",
		    ofstate_login_result_json(&s->login));
	if (s->has_error)
		json_object_set_new(j, "error", ofstate_error_json(&s->error));
	return j;
}

json_t *
ofstate_consent_json(const struct ofstate_consent *s)
{
	json_t	*j;

	j = json_pack("{s:s,s:I,s:I,s:I,s:s,s:o,s:s,s:o,s:s,s:b,s:s}",
	    "id", s0(s->id), "exp", (json_int_t)s->exp, "flow_exp",
	    (json_int_t)s->flow_exp, "requested_at",
	    (json_int_t)s->requested_at, "csrf", s0(s->csrf), "req",
	    ofstate_req_json(&s->req), "request_url", s0(s->request_url),
	    "login", ofstate_login_result_json(&s->login), "sid", s0(s->sid),
	    "skip", s->skip, "login_challenge", s0(s->login_challenge));
	if (s->previous != NULL)
		json_object_set(j, "previous", s->previous);
	put_str(j, "app", s->app);
	if (s->has_consent)
		json_object_set_new(j, "consent",
		    consent_result_json(&s->consent));
	if (s->has_error)
		json_object_set_new(j, "error", ofstate_error_json(&s->error));
	return j;
}

/* Set a 400 for state that is not an object (what names it). */
static int
not_object(const char *what, struct oerr *err)
{
	oerr_set(err, OERR_INVALID_REQUEST, "The field '%s' must be an "
	    "object.", what);
	return 0;
}

int
ofstate_login_result_decode(const json_t *j, struct ofstate_login_result *l,
    struct oerr *err)
{
	json_t	*ctx = NULL;

	memset(l, 0, sizeof(*l));
	if (!json_is_object(j))
		return not_object("login", err);
	if (!ojson_take_str(j, "subject", OJSON_REQUIRED, &l->subject,
	    err) ||
	    !ojson_get_bool(j, "remember", 0, &l->remember, err) ||
	    !ojson_get_int(j, "remember_for", 0, 0x7fffffffLL, 0,
	    &l->remember_for, err) ||
	    !ojson_take_str(j, "acr", 0, &l->acr, err) ||
	    !ojson_get_int(j, "auth_time", 0, INT64_MAX, 0, &l->auth_time,
	    err) ||
	    !ojson_take_strs(j, "amr", 0, &l->amr, err) ||
	    !ojson_get_object(j, "context", 0, &ctx, err) ||
	    !ojson_take_str(j, "force_subject_identifier", 0,
	    &l->force_subject_identifier, err)) {
		oerr_hint(err, "The flow state's login ('login') is "
		    "damaged.");
		return 0;
	}
	l->context = ctx != NULL ? json_incref(ctx) : json_object();
	return 1;
}

static int
consent_result_decode(const json_t *j, struct ofstate_consent_result *c,
    struct oerr *err)
{
	json_t	*session = NULL;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(j))
		return not_object("consent", err);
	if (!ojson_get_bool(j, "remember", 0, &c->remember, err) ||
	    !ojson_get_int(j, "remember_for", 0, 0x7fffffffLL, 0,
	    &c->remember_for, err) ||
	    !ojson_take_strs(j, "grant_scope", 0, &c->grant_scope, err) ||
	    !ojson_take_strs(j, "grant_access_token_audience", 0,
	    &c->grant_access_token_audience, err) ||
	    !ojson_get_object(j, "session", 0, &session, err)) {
		oerr_hint(err, "The flow state's consent ('consent') is "
		    "damaged.");
		return 0;
	}
	if (session != NULL)
		c->session = json_incref(session);
	return 1;
}

static int
error_decode(const json_t *j, struct ofstate_error *e, struct oerr *err)
{
	memset(e, 0, sizeof(*e));
	if (!json_is_object(j))
		return not_object("error", err);
	if (!ojson_take_str(j, "error", OJSON_REQUIRED, &e->error, err) ||
	    !ojson_take_str(j, "error_description", 0,
	    &e->error_description, err) ||
	    !ojson_take_str(j, "error_hint", 0, &e->error_hint, err) ||
	    !ojson_get_int(j, "status_code", 0, 999, 0, &e->status_code,
	    err)) {
		oerr_hint(err, "The flow state's error ('error') is "
		    "damaged.");
		return 0;
	}
	return 1;
}

/* The members every login and consent state has, as one struct. */
struct common {
	char		**id;
	long long	 *exp;
	long long	 *requested_at;
	char		**csrf;
	struct ofstate_req *req;
	char		**request_url;
	int		 *skip;
	char		**sid;
	char		**app;
};

static int
common_decode(const json_t *j, const struct common *c, struct oerr *err)
{
	if (!json_is_object(j))
		return not_object("state", err);
	if (!ojson_take_str(j, "id", OJSON_REQUIRED, c->id, err) ||
	    !ojson_get_int(j, "exp", 0, INT64_MAX, OJSON_REQUIRED, c->exp,
	    err) ||
	    !ojson_get_int(j, "requested_at", 0, INT64_MAX, 0,
	    c->requested_at, err) ||
	    !ojson_take_str(j, "csrf", 0, c->csrf, err) ||
	    !ojson_take_str(j, "request_url", 0, c->request_url, err) ||
	    !ojson_get_bool(j, "skip", 0, c->skip, err) ||
	    !ojson_take_str(j, "sid", 0, c->sid, err) ||
	    !ojson_take_str(j, "app", 0, c->app, err)) {
		oerr_hint(err, "The flow state is damaged.");
		return 0;
	}
	if (!ofstate_req_decode(json_object_get(j, "req"), c->req, err))
		return 0;
	/* Members every state of this build has: "" if missing. */
	if (*c->csrf == NULL)
		*c->csrf = oxstrdup("");
	if (*c->request_url == NULL)
		*c->request_url = oxstrdup("");
	if (*c->sid == NULL)
		*c->sid = oxstrdup("");
	return 1;
}

int
ofstate_login_decode(const json_t *j, struct ofstate_login *s,
    struct oerr *err)
{
	struct common	 c = { &s->id, &s->exp, &s->requested_at, &s->csrf,
			    &s->req, &s->request_url, &s->skip, &s->sid,
			    &s->app };
	json_t		*v;

	memset(s, 0, sizeof(*s));
	if (!common_decode(j, &c, err))
		return 0;
	if (!ojson_take_str(j, "subject", 0, &s->subject, err) ||
	    !ojson_get_int(j, "auth_time", 0, INT64_MAX, 0, &s->auth_time,
	    err)) {
		oerr_hint(err, "The flow state is damaged.");
		return 0;
	}
	if ((v = json_object_get(j, "login")) != NULL) {
		s->has_login = 1;
		if (!ofstate_login_result_decode(v, &s->login, err))
			return 0;
	}
	if ((v = json_object_get(j, "error")) != NULL) {
		s->has_error = 1;
		if (!error_decode(v, &s->error, err))
			return 0;
	}
	return 1;
}

int
ofstate_consent_decode(const json_t *j, struct ofstate_consent *s,
    struct oerr *err)
{
	struct common	 c = { &s->id, &s->exp, &s->requested_at, &s->csrf,
			    &s->req, &s->request_url, &s->skip, &s->sid,
			    &s->app };
	json_t		*v, *prev = NULL;

	memset(s, 0, sizeof(*s));
	if (!common_decode(j, &c, err))
		return 0;
	if (!ojson_get_int(j, "flow_exp", 0, INT64_MAX, 0, &s->flow_exp,
	    err) ||
	    !ojson_take_str(j, "login_challenge", OJSON_REQUIRED,
	    &s->login_challenge, err) ||
	    !ojson_get_object(j, "previous", 0, &prev, err)) {
		oerr_hint(err, "The flow state is damaged.");
		return 0;
	}
	if (prev != NULL)
		s->previous = json_incref(prev);
	if (!ofstate_login_result_decode(json_object_get(j, "login"),
	    &s->login, err))
		return 0;
	if ((v = json_object_get(j, "consent")) != NULL) {
		s->has_consent = 1;
		if (!consent_result_decode(v, &s->consent, err))
			return 0;
	}
	if ((v = json_object_get(j, "error")) != NULL) {
		s->has_error = 1;
		if (!error_decode(v, &s->error, err))
			return 0;
	}
	return 1;
}

char *
ofstate_login_seal(enum oflow_purpose p, const struct ofstate_login *s)
{
	json_t	*j = ofstate_login_json(s);
	char	*sealed;

	sealed = oflow_seal(p, j);
	json_decref(j);
	return sealed;
}

int
ofstate_login_open(enum oflow_purpose p, const char *sealed,
    struct ofstate_login *s, struct oerr *err)
{
	json_t	*j;
	int	 ok;

	memset(s, 0, sizeof(*s));
	if ((j = oflow_open(p, sealed, err)) == NULL)
		return 0;
	ok = ofstate_login_decode(j, s, err);
	json_decref(j);
	return ok;
}

char *
ofstate_consent_seal(enum oflow_purpose p, const struct ofstate_consent *s)
{
	json_t	*j = ofstate_consent_json(s);
	char	*sealed;

	sealed = oflow_seal(p, j);
	json_decref(j);
	return sealed;
}

int
ofstate_consent_open(enum oflow_purpose p, const char *sealed,
    struct ofstate_consent *s, struct oerr *err)
{
	json_t	*j;
	int	 ok;

	memset(s, 0, sizeof(*s));
	if ((j = oflow_open(p, sealed, err)) == NULL)
		return 0;
	ok = ofstate_consent_decode(j, s, err);
	json_decref(j);
	return ok;
}

/* A copy of s, or NULL for NULL. */
static char *
dup0(const char *s)
{
	return s != NULL ? oxstrdup(s) : NULL;
}

static void
strs_copy(struct ojson_strs *dst, const struct ojson_strs *src)
{
	size_t	 i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++)
		ojson_strs_add(dst, src->v[i]);
}

void
ofstate_req_copy(struct ofstate_req *dst, const struct ofstate_req *src)
{
	*dst = *src;
	dst->client_id = dup0(src->client_id);
	dst->redirect_uri = dup0(src->redirect_uri);
	dst->state = dup0(src->state);
	dst->response_type = dup0(src->response_type);
	strs_copy(&dst->scope, &src->scope);
	dst->nonce = dup0(src->nonce);
	strs_copy(&dst->audience, &src->audience);
	dst->code_challenge = dup0(src->code_challenge);
	dst->code_challenge_method = dup0(src->code_challenge_method);
	dst->dpop_jkt = dup0(src->dpop_jkt);
	if (src->id_token_hint_claims != NULL)
		json_incref(dst->id_token_hint_claims);
	dst->login_hint = dup0(src->login_hint);
	dst->acr_values = dup0(src->acr_values);
	dst->ui_locales = dup0(src->ui_locales);
	dst->display = dup0(src->display);
}

void
ofstate_login_result_copy(struct ofstate_login_result *dst,
    const struct ofstate_login_result *src)
{
	*dst = *src;
	dst->subject = dup0(src->subject);
	dst->acr = dup0(src->acr);
	strs_copy(&dst->amr, &src->amr);
	if (src->context != NULL)
		json_incref(dst->context);
	dst->force_subject_identifier = dup0(src->force_subject_identifier);
}

void
ofstate_logout_free(struct ofstate_logout *s)
{
	free(s->id);
	free(s->csrf);
	free(s->subject);
	free(s->sid);
	free(s->client_id);
	free(s->post_logout_redirect_uri);
	free(s->state);
	free(s->request_url);
	free(s->app);
	memset(s, 0, sizeof(*s));
}

json_t *
ofstate_logout_json(const struct ofstate_logout *s)
{
	json_t	*j;

	j = json_pack("{s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:b}",
	    "id", s0(s->id), "exp", (json_int_t)s->exp,
	    "requested_at", (json_int_t)s->requested_at, "csrf", s0(s->csrf),
	    "subject", s0(s->subject), "sid", s0(s->sid),
	    "client_id", s0(s->client_id),
	    "post_logout_redirect_uri", s0(s->post_logout_redirect_uri),
	    "state", s0(s->state), "rp_initiated", s->rp_initiated);
	put_str(j, "request_url", s->request_url);
	json_object_set_new(j, "browser_session",
	    json_boolean(s->browser_session));
	put_str(j, "app", s->app);
	return j;
}

int
ofstate_logout_decode(const json_t *j, struct ofstate_logout *s,
    struct oerr *err)
{
	char	**strs[6];
	size_t	 i;

	memset(s, 0, sizeof(*s));
	s->browser_session = 1;
	if (!json_is_object(j))
		return not_object("state", err);
	if (!ojson_take_str(j, "id", OJSON_REQUIRED, &s->id, err) ||
	    !ojson_get_int(j, "exp", 0, INT64_MAX, OJSON_REQUIRED, &s->exp,
	    err) ||
	    !ojson_get_int(j, "requested_at", 0, INT64_MAX, 0,
	    &s->requested_at, err) ||
	    !ojson_take_str(j, "csrf", 0, &s->csrf, err) ||
	    !ojson_take_str(j, "subject", 0, &s->subject, err) ||
	    !ojson_take_str(j, "sid", OJSON_REQUIRED, &s->sid, err) ||
	    !ojson_take_str(j, "client_id", 0, &s->client_id, err) ||
	    !ojson_take_str(j, "post_logout_redirect_uri", 0,
	    &s->post_logout_redirect_uri, err) ||
	    !ojson_take_str(j, "state", 0, &s->state, err) ||
	    !ojson_get_bool(j, "rp_initiated", 0, &s->rp_initiated, err) ||
	    !ojson_take_str(j, "request_url", 0, &s->request_url, err) ||
	    !ojson_get_bool(j, "browser_session", 0, &s->browser_session,
	    err) ||
	    !ojson_take_str(j, "app", 0, &s->app, err)) {
		oerr_hint(err, "The logout state is damaged.");
		return 0;
	}
	/* Members every logout state has: "" if missing. */
	strs[0] = &s->csrf;
	strs[1] = &s->subject;
	strs[2] = &s->client_id;
	strs[3] = &s->post_logout_redirect_uri;
	strs[4] = &s->state;
	strs[5] = &s->sid;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (*strs[i] == NULL)
			*strs[i] = oxstrdup("");
	return 1;
}

char *
ofstate_logout_seal(enum oflow_purpose p, const struct ofstate_logout *s)
{
	json_t	*j = ofstate_logout_json(s);
	char	*sealed;

	sealed = oflow_seal(p, j);
	json_decref(j);
	return sealed;
}

int
ofstate_logout_open(enum oflow_purpose p, const char *sealed,
    struct ofstate_logout *s, struct oerr *err)
{
	json_t	*j;
	int	 ok;

	memset(s, 0, sizeof(*s));
	if ((j = oflow_open(p, sealed, err)) == NULL)
		return 0;
	ok = ofstate_logout_decode(j, s, err);
	json_decref(j);
	return ok;
}
