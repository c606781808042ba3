/*
 * Unit tests for lib/protocol/flowstate.c: the login and consent
 * states as structs, decoded from the JSON earlier builds sealed,
 * refused when damaged, and encoded back to the same JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "records/flow.h"
#include "protocol/flowstate.h"
#include "t.h"

static char		 secret[] = "flowstate-secret-aaaaaaaaaaaaaaaa";
static struct oconf	 conf;

#define REQ	"{\"client_id\": \"web\", \"redirect_uri\": " \
	"\"https://rp.example/cb\", \"state\": \"abcdefgh\", " \
	"\"response_type\": \"code\", \"response_mode\": 0, " \
	"\"scope\": [\"openid\"], \"max_age\": -1, \"audience\": []}"

#define LOGIN	"{\"subject\": \"alice\", \"remember\": true, " \
	"\"remember_for\": 3600, \"acr\": \"1\", \"auth_time\": 100, " \
	"\"amr\": [\"pwd\", \"otp\"], \"context\": {\"username\": \"al\"}, " \
	"\"force_subject_identifier\": \"fsi\"}"

/* A login verifier as the previous build sealed it (accepted). */
static json_t *
old_login(void)
{
	json_t	*j;

	j = json_pack("{s:s,s:I,s:I,s:s,s:o,s:s,s:b,s:s,s:s,s:I,s:s,s:o}",
	    "id", "l-1", "exp", (json_int_t)(onow() + 600), "requested_at",
	    (json_int_t)(onow() - 5), "csrf", "c-1", "req",
	    json_loads(REQ, 0, NULL), "request_url", "https://op/auth?a=b",
	    "skip", 1, "sid", "sid-1", "subject", "alice", "auth_time",
	    (json_int_t)100, "app", "http://127.0.0.1:4444/ui/login",
	    "login", json_loads(LOGIN, 0, NULL));
	return j;
}

/* A consent verifier as the previous build sealed it (accepted). */
static json_t *
old_consent(void)
{
	json_t	*j;

	j = json_pack("{s:s,s:I,s:I,s:I,s:s,s:o,s:s,s:o,s:s,s:b,s:s,"
	    "s:{s:[s]},s:s,s:{s:b,s:I,s:[s],s:[s],s:{s:{s:s},s:{}}}}",
	    "id", "k-1", "exp", (json_int_t)(onow() + 600), "flow_exp",
	    (json_int_t)(onow() + 900), "requested_at", (json_int_t)50,
	    "csrf", "c-2", "req", json_loads(REQ, 0, NULL), "request_url",
	    "https://op/auth?a=b", "login", json_loads(LOGIN, 0, NULL),
	    "sid", "sid-1", "skip", 0, "login_challenge", "l-1",
	    "previous", "scope", "openid",
	    "app", "http://127.0.0.1:4444/ui/consent",
	    "consent", "remember", 1, "remember_for", (json_int_t)60,
	    "grant_scope", "openid", "grant_access_token_audience", "api",
	    "session", "id_token", "email", "a@example", "access_token");
	return j;
}

static void
login_decode(void)
{
	struct ofstate_login	 l;
	struct oerr		 err;
	json_t			*j = old_login(), *j2;
	char			*v;

	oerr_clear(&err);
	CHECK(ofstate_login_decode(j, &l, &err));
	CHECK_STR(l.id, "l-1");
	CHECK(l.exp > onow() && l.requested_at == onow() - 5);
	CHECK_STR(l.csrf, "c-1");
	CHECK_STR(l.req.client_id, "web");
	CHECK_STR(l.request_url, "https://op/auth?a=b");
	CHECK(l.skip);
	CHECK_STR(l.sid, "sid-1");
	CHECK_STR(l.subject, "alice");
	CHECK(l.auth_time == 100);
	CHECK_STR(l.app, "http://127.0.0.1:4444/ui/login");
	CHECK(l.has_login && !l.has_error);
	CHECK_STR(l.login.subject, "alice");
	CHECK(l.login.remember && l.login.remember_for == 3600);
	CHECK_STR(l.login.acr, "1");
	CHECK(l.login.auth_time == 100);
	CHECK(l.login.amr.n == 2 && strcmp(l.login.amr.v[1], "otp") == 0);
	CHECK_STR(ojson_str(l.login.context, "username"), "al");
	CHECK_STR(l.login.force_subject_identifier, "fsi");
	/* Encoded: the JSON it came from. */
	j2 = ofstate_login_json(&l);
	CHECK(json_equal(j, j2));
	json_decref(j2);
	/* Sealed and opened: the same again. */
	v = ofstate_login_seal(OFLOW_LOGIN_VERIFIER, &l);
	ofstate_login_free(&l);
	CHECK(ofstate_login_open(OFLOW_LOGIN_VERIFIER, v, &l, &err));
	CHECK_STR(l.login.subject, "alice");
	ofstate_login_free(&l);
	CHECK(!ofstate_login_open(OFLOW_LOGIN, v, &l, &err));
	CHECK(err.status == 404);
	ofstate_login_free(&l);
	free(v);
	json_decref(j);
}

static void
consent_decode(void)
{
	struct ofstate_consent	 c;
	struct oerr		 err;
	json_t			*j = old_consent(), *j2;
	char			*v;

	oerr_clear(&err);
	CHECK(ofstate_consent_decode(j, &c, &err));
	CHECK_STR(c.id, "k-1");
	CHECK(c.flow_exp > c.exp && c.requested_at == 50);
	CHECK_STR(c.csrf, "c-2");
	CHECK_STR(c.req.redirect_uri, "https://rp.example/cb");
	CHECK_STR(c.request_url, "https://op/auth?a=b");
	CHECK_STR(c.login.subject, "alice");
	CHECK_STR(c.sid, "sid-1");
	CHECK(!c.skip);
	CHECK_STR(c.login_challenge, "l-1");
	CHECK(json_is_object(c.previous));
	CHECK_STR(c.app, "http://127.0.0.1:4444/ui/consent");
	CHECK(c.has_consent && !c.has_error);
	CHECK(c.consent.remember && c.consent.remember_for == 60);
	CHECK(c.consent.grant_scope.n == 1 &&
	    strcmp(c.consent.grant_scope.v[0], "openid") == 0);
	CHECK(c.consent.grant_access_token_audience.n == 1);
	CHECK_STR(ojson_str(json_object_get(c.consent.session, "id_token"),
	    "email"), "a@example");
	j2 = ofstate_consent_json(&c);
	CHECK(json_equal(j, j2));
	json_decref(j2);
	v = ofstate_consent_seal(OFLOW_CONSENT_VERIFIER, &c);
	ofstate_consent_free(&c);
	CHECK(ofstate_consent_open(OFLOW_CONSENT_VERIFIER, v, &c, &err));
	CHECK_STR(c.login_challenge, "l-1");
	ofstate_consent_free(&c);
	free(v);
	json_decref(j);
}

/* A rejected login: the error decodes and encodes. */
static void
error_member(void)
{
	struct ofstate_login	 l;
	struct oerr		 err;
	json_t			*j = old_login(), *j2;

	json_object_del(j, "login");
	json_object_set_new(j, "error", json_pack("{s:s,s:s,s:s,s:i}",
	    "error", "access_denied", "error_description", "No.",
	    "error_hint", "", "status_code", 403));
	oerr_clear(&err);
	CHECK(ofstate_login_decode(j, &l, &err));
	CHECK(l.has_error && !l.has_login);
	CHECK_STR(l.error.error, "access_denied");
	CHECK_STR(l.error.error_description, "No.");
	CHECK(l.error.status_code == 403);
	j2 = ofstate_login_json(&l);
	CHECK(json_equal(j, j2));
	json_decref(j2);
	ofstate_login_free(&l);
	json_decref(j);
}

/* Set member path (a.b) of a copy of j to v; decode; expect refusal. */
static int
refused(json_t *(*make)(void), int consent, const char *obj,
    const char *key, json_t *v, const char *named)
{
	struct ofstate_login	 l;
	struct ofstate_consent	 c;
	struct oerr		 err;
	json_t			*j = make(), *o;
	int			 ok;

	o = obj != NULL ? json_object_get(j, obj) : j;
	if (v != NULL)
		json_object_set_new(o, key, v);
	else
		json_object_del(o, key);
	oerr_clear(&err);
	ok = consent ? ofstate_consent_decode(j, &c, &err) :
	    ofstate_login_decode(j, &l, &err);
	if (consent)
		ofstate_consent_free(&c);
	else
		ofstate_login_free(&l);
	json_decref(j);
	if (ok || err.status != 400 || strstr(err.description, named) ==
	    NULL) {
		fprintf(stderr, "%s.%s: %s\n", obj ? obj : "", key,
		    err.description);
		return 0;
	}
	return 1;
}

static void
damaged(void)
{
	CHECK(refused(old_login, 0, NULL, "id", json_integer(1), "'id'"));
	CHECK(refused(old_login, 0, NULL, "id", NULL, "'id'"));
	CHECK(refused(old_login, 0, NULL, "exp", json_string("x"), "'exp'"));
	CHECK(refused(old_login, 0, NULL, "csrf", json_true(), "'csrf'"));
	CHECK(refused(old_login, 0, NULL, "req", json_string("x"), "'req'"));
	CHECK(refused(old_login, 0, NULL, "req", NULL, "'req'"));
	CHECK(refused(old_login, 0, NULL, "skip", json_integer(1),
	    "'skip'"));
	CHECK(refused(old_login, 0, NULL, "sid", json_integer(1), "'sid'"));
	CHECK(refused(old_login, 0, NULL, "subject", json_array(),
	    "'subject'"));
	CHECK(refused(old_login, 0, NULL, "request_url", json_integer(1),
	    "'request_url'"));
	CHECK(refused(old_login, 0, NULL, "login", json_string("x"),
	    "'login'"));
	CHECK(refused(old_login, 0, "login", "subject", NULL, "'subject'"));
	CHECK(refused(old_login, 0, "login", "amr", json_string("pwd"),
	    "'amr'"));
	CHECK(refused(old_login, 0, "login", "context", json_array(),
	    "'context'"));
	CHECK(refused(old_login, 0, "login", "remember", json_string("y"),
	    "'remember'"));
	CHECK(refused(old_login, 0, "req", "redirect_uri", json_null(),
	    "'redirect_uri'"));
	CHECK(refused(old_consent, 1, NULL, "login_challenge", NULL,
	    "'login_challenge'"));
	CHECK(refused(old_consent, 1, NULL, "flow_exp", json_real(1.5),
	    "'flow_exp'"));
	CHECK(refused(old_consent, 1, NULL, "login", NULL, "'login'"));
	CHECK(refused(old_consent, 1, NULL, "previous", json_integer(1),
	    "'previous'"));
	CHECK(refused(old_consent, 1, "consent", "grant_scope",
	    json_pack("[i]", 1), "'grant_scope'"));
	CHECK(refused(old_consent, 1, "consent", "session", json_string(""),
	    "'session'"));
	CHECK(refused(old_consent, 1, NULL, "error", json_pack("{s:i}",
	    "error", 1), "'error'"));
}

/* The least a state holds: optional members absent. */
static void
least(void)
{
	struct ofstate_login	 l;
	struct oerr		 err;
	json_t			*j;

	j = json_pack("{s:s,s:I,s:o}", "id", "l-2", "exp", (json_int_t)9,
	    "req", json_loads(REQ, 0, NULL));
	oerr_clear(&err);
	CHECK(ofstate_login_decode(j, &l, &err));
	CHECK(l.subject == NULL && l.app == NULL && !l.has_login &&
	    !l.has_error && !l.skip);
	CHECK_STR(l.sid, "");
	CHECK_STR(l.csrf, "");
	ofstate_login_free(&l);
	json_decref(j);
}

static const struct t_case tests[] = {
	T(login_decode), T(consent_decode), T(error_member), T(damaged),
	T(least),
};

int
main(void)
{
	int	 rc;

	conf.issuer = "http://127.0.0.1:4444/";
	conf.url_login = "http://127.0.0.1:4444/ui/login";
	conf.url_consent = "http://127.0.0.1:4444/ui/consent";
	conf.secrets[0] = secret;
	conf.nsecrets = 1;
	oconf = &conf;
	rc = t_run(tests, NTESTS);
	oconf = NULL;
	return rc;
}
