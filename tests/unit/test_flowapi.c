/*
 * Unit tests for lib/protocol/flowapi.c: the login, consent and logout requests
 * as functions: opening, body checks, when a challenge is handled (the
 * API's 410), and where the answers lead.
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
#include "records/sessions.h"
#include "protocol/flowapi.h"
#include "t.h"
#include "tfix.h"

static char		 secret_a[] = "flowapi-secret-aaaaaaaaaaaaaaa";
static struct oconf	 conf;
static struct tfix_store	 store;

#define LOGOUT_URL \
	"http://127.0.0.1:4444/oauth2/sessions/logout?logout_verifier="
#define REQUEST_URL	"http://127.0.0.1:4444/oauth2/auth?client_id=c1"

static void
up(void)
{
	struct oerr	 err;
	json_t		*in, *rec;
	char		 secret[OCLIENT_SECRET_MAX + 1] = "";

	if (!tfix_store_open(&store, "test_flowapi"))
		abort();
	oerr_clear(&err);
	in = json_pack("{s:s,s:[s],s:s,s:[s]}", "client_id", "c1",
	    "redirect_uris", "https://rp.example/cb", "scope",
	    "openid profile", "audience", "https://api.example/");
	if ((rec = oclient_create(in, 0, secret, &err)) == NULL)
		abort();
	json_decref(rec);
	json_decref(in);
}

static void
down(void)
{
	CHECK(tfix_store_close(&store));
}

/* Mark the flow of login challenge id done, as a spent consent verifier. */
static int
done_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oflow_use(t, OFLOW_LOGIN, arg, onow() + 600, NULL) ==
	    OSTORE_OK;
}

/* A sealed challenge of purpose p, as the authorization endpoint makes. */
static char *
challenge(enum oflow_purpose p, const char *id)
{
	json_t	*st;
	char	*s;

	st = json_pack("{s:s,s:I,s:I,s:s,s:{s:s,s:s,s:s,s:[s,s],s:[],s:s},"
	    "s:s,s:b,s:s,s:{s:s},s:s,s:s,s:s}", "id", id,
	    "exp", (json_int_t)(onow() + 600),
	    "requested_at", (json_int_t)onow(), "csrf", "c",
	    "req", "client_id", "c1", "redirect_uri", "https://c1.example/cb",
	    "response_type", "code", "scope", "openid", "profile",
	    "audience", "login_hint", "ada",
	    "request_url", REQUEST_URL, "skip", 0, "sid", "sid-1",
	    "login", "subject", "sub-1",
	    "client_id", p == OFLOW_LOGOUT ? "c1" : "",
	    "post_logout_redirect_uri", "", "subject", "sub-1");
	/* A consent challenge names its flow: the login challenge "l1". */
	if (p == OFLOW_CONSENT)
		json_object_set_new(st, "login_challenge", json_string("l1"));
	s = oflow_seal(p, st);
	json_decref(st);
	return s;
}

static void
open_checks(void)
{
	struct oerr		 err;
	json_t			*st, *out;
	char			*c;

	up();
	oerr_clear(&err);
	CHECK(oflowapi_open(OFLOWAPI_LOGIN, NULL, &st, &out, &err) ==
	    OFLOWAPI_ERR && err.status == 400);
	oerr_clear(&err);
	CHECK(oflowapi_open(OFLOWAPI_LOGIN, "garbage", &st, &out, &err) ==
	    OFLOWAPI_ERR && err.status == 404);
	/* A consent challenge is not a login challenge. */
	c = challenge(OFLOW_CONSENT, "k1");
	oerr_clear(&err);
	CHECK(oflowapi_open(OFLOWAPI_LOGIN, c, &st, &out, &err) ==
	    OFLOWAPI_ERR && err.status == 404);
	oerr_clear(&err);
	CHECK(oflowapi_open(OFLOWAPI_CONSENT, c, &st, &out, &err) ==
	    OFLOWAPI_OK && st != NULL && out == NULL);
	CHECK(strcmp(json_string_value(json_object_get(st, "challenge")), c)
	    == 0);
	json_decref(st);
	free(c);
	down();
}

static void
login(void)
{
	struct oerr	 err;
	json_t		*st, *out, *r, *body, *st2, *out2;
	char		*c;
	const char	*to;

	up();
	c = challenge(OFLOW_LOGIN, "l1");
	oerr_clear(&err);
	CHECK(oflowapi_open(OFLOWAPI_LOGIN, c, &st, &out, &err) ==
	    OFLOWAPI_OK);
	CHECK((r = oflowapi_request(OFLOWAPI_LOGIN, st, &err)) != NULL);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(r,
	    "oidc_context"), "login_hint")), "ada") == 0);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(r,
	    "client"), "client_id")), "c1") == 0);
	CHECK(json_object_get(json_object_get(r, "client"), "_secret") ==
	    NULL);
	json_decref(r);
	/* Bodies are checked member by member. */
	body = json_pack("{s:i}", "subject", 1);
	oerr_clear(&err);
	CHECK(oflowapi_accept(OFLOWAPI_LOGIN, st, body, &out, &err) ==
	    OFLOWAPI_ERR && err.status == 400);
	CHECK(strstr(err.description, "subject") != NULL);
	json_decref(body);
	oerr_clear(&err);
	CHECK(oflowapi_accept(OFLOWAPI_LOGIN, st, NULL, &out, &err) ==
	    OFLOWAPI_ERR && err.status == 400);
	body = json_pack("{s:s,s:[s]}", "subject", "sub-1", "amr", "pwd");
	oerr_clear(&err);
	CHECK(oflowapi_accept(OFLOWAPI_LOGIN, st, body, &out, &err) ==
	    OFLOWAPI_OK);
	to = json_string_value(json_object_get(out, "redirect_to"));
	CHECK(to != NULL && strncmp(to, REQUEST_URL "&login_verifier=",
	    strlen(REQUEST_URL "&login_verifier=")) == 0);
	/* Answering writes nothing: a second answer has a verifier too. */
	oerr_clear(&err);
	CHECK(oflowapi_accept(OFLOWAPI_LOGIN, st, body, &out2, &err) ==
	    OFLOWAPI_OK);
	CHECK(!json_equal(out, out2));
	json_decref(out2);
	CHECK(oflowapi_open(OFLOWAPI_LOGIN, c, &st2, &out2, &err) ==
	    OFLOWAPI_OK && out2 == NULL);
	json_decref(st2);
	/* Once the flow is done, its challenges are handled (the 410). */
	CHECK(ostore_write(done_fn, "l1", &err));
	CHECK(oflowapi_open(OFLOWAPI_LOGIN, c, &st2, &out2, &err) ==
	    OFLOWAPI_HANDLED && st2 == NULL);
	CHECK(strcmp(json_string_value(json_object_get(out2,
	    "redirect_to")), REQUEST_URL) == 0);
	json_decref(out2);
	free(c);
	c = challenge(OFLOW_CONSENT, "k9");
	CHECK(oflowapi_open(OFLOWAPI_CONSENT, c, &st2, &out2, &err) ==
	    OFLOWAPI_HANDLED && st2 == NULL);
	CHECK(strcmp(json_string_value(json_object_get(out2,
	    "redirect_to")), REQUEST_URL) == 0);
	json_decref(out2);
	json_decref(out);
	json_decref(body);
	json_decref(st);
	free(c);
	down();
}

static void
consent(void)
{
	struct oerr	 err;
	json_t		*st, *out, *body;
	char		*c;

	up();
	c = challenge(OFLOW_CONSENT, "k2");
	oerr_clear(&err);
	CHECK(oflowapi_open(OFLOWAPI_CONSENT, c, &st, &out, &err) ==
	    OFLOWAPI_OK);
	/* Only scopes and audiences the client may have. */
	body = json_pack("{s:[s]}", "grant_scope", "email");
	oerr_clear(&err);
	CHECK(oflowapi_accept(OFLOWAPI_CONSENT, st, body, &out, &err) ==
	    OFLOWAPI_ERR && strstr(err.description, "email") != NULL);
	json_decref(body);
	body = json_pack("{s:[s]}", "grant_access_token_audience", "x");
	oerr_clear(&err);
	CHECK(oflowapi_accept(OFLOWAPI_CONSENT, st, body, &out, &err) ==
	    OFLOWAPI_ERR && err.status == 400);
	json_decref(body);
	body = json_pack("{s:{s:i}}", "session", "id_token", 1);
	oerr_clear(&err);
	CHECK(oflowapi_accept(OFLOWAPI_CONSENT, st, body, &out, &err) ==
	    OFLOWAPI_ERR && err.status == 400);
	json_decref(body);
	/* Rejections name an error code of their own shape. */
	body = json_pack("{s:s}", "error", "Bad Code");
	oerr_clear(&err);
	CHECK(oflowapi_reject(OFLOWAPI_CONSENT, st, body, &out, &err) ==
	    OFLOWAPI_ERR && err.status == 400);
	json_decref(body);
	body = json_pack("{s:[s,s],s:[s],s:{s:{s:s}}}", "grant_scope",
	    "openid", "profile", "grant_access_token_audience",
	    "https://api.example/", "session", "id_token", "name", "Ada");
	oerr_clear(&err);
	CHECK(oflowapi_accept(OFLOWAPI_CONSENT, st, body, &out, &err) ==
	    OFLOWAPI_OK);
	CHECK(strstr(json_string_value(json_object_get(out, "redirect_to")),
	    "&consent_verifier=") != NULL);
	json_decref(out);
	json_decref(body);
	json_decref(st);
	free(c);
	down();
}

static void
logout(void)
{
	struct oerr	 err;
	json_t		*st, *out, *r;
	char		*c, *c2;

	up();
	c = challenge(OFLOW_LOGOUT, "o1");
	oerr_clear(&err);
	CHECK(oflowapi_open(OFLOWAPI_LOGOUT, c, &st, &out, &err) ==
	    OFLOWAPI_OK);
	CHECK((r = oflowapi_request(OFLOWAPI_LOGOUT, st, &err)) != NULL);
	CHECK(strcmp(json_string_value(json_object_get(r, "subject")),
	    "sub-1") == 0);
	CHECK(json_is_object(json_object_get(r, "client")));
	json_decref(r);
	CHECK(oflowapi_accept(OFLOWAPI_LOGOUT, st, NULL, &out, &err) ==
	    OFLOWAPI_OK);
	CHECK(strncmp(json_string_value(json_object_get(out, "redirect_to")),
	    LOGOUT_URL, strlen(LOGOUT_URL)) == 0);
	json_decref(out);
	json_decref(st);
	/* Rejected: on to the post-logout redirect. */
	c2 = challenge(OFLOW_LOGOUT, "o2");
	CHECK(oflowapi_open(OFLOWAPI_LOGOUT, c2, &st, &out, &err) ==
	    OFLOWAPI_OK);
	CHECK(oflowapi_reject(OFLOWAPI_LOGOUT, st, NULL, &out, &err) ==
	    OFLOWAPI_OK);
	CHECK(strcmp(json_string_value(json_object_get(out, "redirect_to")),
	    "http://127.0.0.1:4444/ui/logged-out") == 0);
	json_decref(out);
	json_decref(st);
	CHECK(!oerr_isset(&err));
	free(c);
	free(c2);
	down();
}

/* The API's GET and PUT in one call each: open first, then answer. */
static void
get_answer(void)
{
	struct oerr	 err, berr;
	json_t		*out;
	char		*c;

	up();
	oerr_clear(&err);
	CHECK(oflowapi_get(OFLOWAPI_LOGOUT, "junk", &out, &err) ==
	    OFLOWAPI_ERR);
	CHECK(err.status == 404 && out == NULL);
	c = challenge(OFLOW_LOGOUT, "o1");
	oerr_clear(&err);
	CHECK(oflowapi_get(OFLOWAPI_LOGOUT, c, &out, &err) == OFLOWAPI_OK);
	CHECK_STR(ojson_str(out, "subject"), "sub-1");
	json_decref(out);
	/* A body that did not parse counts once the challenge opened. */
	oerr_clear(&berr);
	oerr_set(&berr, OERR_INVALID_REQUEST, "bad body");
	oerr_status(&berr, 415);
	oerr_clear(&err);
	CHECK(oflowapi_answer(OFLOWAPI_LOGIN, "junk", 1, NULL, &berr, &out,
	    &err) == OFLOWAPI_ERR);
	CHECK(err.status == 404);
	oerr_clear(&err);
	CHECK(oflowapi_answer(OFLOWAPI_LOGIN, c, 1, NULL, &berr, &out,
	    &err) == OFLOWAPI_ERR);
	CHECK(err.status == 404);	/* a logout challenge is no login's */
	oerr_clear(&err);
	CHECK(oflowapi_answer(OFLOWAPI_LOGOUT, c, 1, NULL, NULL, &out,
	    &err) == OFLOWAPI_OK);
	CHECK(strncmp(ojson_str(out, "redirect_to"), LOGOUT_URL,
	    strlen(LOGOUT_URL)) == 0);
	json_decref(out);
	CHECK(oflowapi_answer(OFLOWAPI_LOGOUT, c, 0, NULL, NULL, &out,
	    &err) == OFLOWAPI_HANDLED);
	CHECK(strncmp(ojson_str(out, "redirect_to"), LOGOUT_URL,
	    strlen(LOGOUT_URL)) == 0);
	json_decref(out);
	free(c);
	down();
}

/* Put a consent of alice to c1 under sid, given on the screen or not. */
static int
consent_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct oconsent	 c;
	json_t		*scope = json_pack("[s]", "openid");
	char		*sid = arg;
	int		 ok;

	memset(&c, 0, sizeof(c));
	c.request_id = sid;
	c.sub = "alice";
	c.client_id = "c1";
	c.sid = sid;
	c.handled_at = onow();
	c.exp = onow() + 600;
	c.request_url = REQUEST_URL;
	c.skip = strcmp(sid, "skipped") == 0;
	ojson_strs_set(&c.scope, scope);
	ojson_strs_set(&c.requested_scope, scope);
	ok = oconsents_put(t, &c, err);
	c.request_id = c.sub = c.client_id = c.sid = c.request_url = NULL;
	oconsents_free(&c);
	json_decref(scope);
	return ok;
}

/* A login session sid of alice. */
static int
session_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct osessions_rec	 s;

	memset(&s, 0, sizeof(s));
	s.sid = arg;
	s.sub = "alice";
	s.exp = onow() + 600;
	return osessions_put(t, &s, err);
}

/* Is sid a live login session? */
static int
live(const char *sid)
{
	struct ostore_txn	*t;
	struct osessions_rec	 s;
	struct oerr		 err;
	int			 ok;

	oerr_clear(&err);
	if ((t = ostore_read_begin(&err)) == NULL)
		return 0;
	ok = osessions_live(t, sid, &s, &err);
	ostore_read_end(t);
	if (ok)
		osessions_free(&s);
	return ok;
}

/* Consent sessions listed and revoked; login sessions ended. */
static void
sessions(void)
{
	struct oerr	 err;
	json_t		*out;
	size_t		 n;

	up();
	oerr_clear(&err);
	CHECK(ostore_write(consent_fn, "s1", &err));
	CHECK(ostore_write(consent_fn, "s2", &err));
	CHECK(ostore_write(consent_fn, "skipped", &err));
	CHECK((out = oflowapi_consent_sessions("alice", NULL, 0, 100, &n,
	    &err)) != NULL);
	CHECK(n == 2 && json_array_size(out) == 2);
	CHECK_STR(ojson_str(json_object_get(json_object_get(json_array_get(
	    out, 0), "consent_request"), "client"), "client_id"), "c1");
	json_decref(out);
	CHECK((out = oflowapi_consent_sessions("alice", "s2", 0, 100, &n,
	    &err)) != NULL);
	CHECK(n == 1 && json_array_size(out) == 1);
	json_decref(out);
	CHECK((out = oflowapi_consent_sessions("alice", NULL, 1, 1, &n,
	    &err)) != NULL);
	CHECK(n == 2 && json_array_size(out) == 1);
	json_decref(out);
	CHECK(oflowapi_revoke_consent("alice", "c1", &err));
	CHECK((out = oflowapi_consent_sessions("alice", NULL, 0, 100, &n,
	    &err)) != NULL);
	CHECK(n == 0 && json_array_size(out) == 0);
	json_decref(out);
	CHECK(ostore_write(session_fn, "sid-a", &err));
	CHECK(ostore_write(session_fn, "sid-b", &err));
	CHECK(live("sid-a") && live("sid-b"));
	CHECK(oflowapi_revoke_login(NULL, "sid-a", &err));
	CHECK(!live("sid-a") && live("sid-b"));
	CHECK(oflowapi_revoke_login("alice", NULL, &err));
	CHECK(!live("sid-b"));
	CHECK(!oerr_isset(&err));
	down();
}

/* A consent form grants openid and the ticked requested scopes. */
static void
ticked(void)
{
	struct oarena	 a;
	struct oparams	 p;
	struct oerr	 err;
	json_t		*req, *g;
	const char	*qs = "scope=email&scope=phone&scope=email&x=profile";

	oarena_init(&a);
	oerr_clear(&err);
	req = json_pack("[s,s,s,s]", "openid", "profile", "email", "email");
	CHECK(oform_parse(&a, qs, strlen(qs), &p, &err));
	g = oflowapi_ticked_scope(req, &p);
	CHECK(json_array_size(g) == 2);
	CHECK_STR(json_string_value(json_array_get(g, 0)), "openid");
	CHECK_STR(json_string_value(json_array_get(g, 1)), "email");
	json_decref(g);
	json_decref(req);
	oarena_free(&a);
}

static const struct t_case tests[] = {
	T(open_checks), T(login), T(consent), T(logout), T(get_answer),
	T(sessions), T(ticked),
};

int
main(void)
{
	int	 rc;

	conf.issuer = "http://127.0.0.1:4444/";
	conf.url_post_logout = "http://127.0.0.1:4444/ui/logged-out";
	conf.secrets[0] = secret_a;
	conf.nsecrets = 1;
	conf.ttl_login_consent = 1800;
	conf.body_max = 1048576;
	oconf = &conf;
	rc = t_run(tests, NTESTS);
	oconf = NULL;
	return rc;
}
