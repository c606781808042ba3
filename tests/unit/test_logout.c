/*
 * Unit tests for lib/protocol/logout.c: RP-initiated logout requests,
 * which session they end, and where the browser goes after.
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
#include "records/flow.h"
#include "records/sessions.h"
#include "protocol/flowstate.h"
#include "protocol/logout.h"
#include "t.h"
#include "tfix.h"

static char		 secret[] = "logout-secret-aaaaaaaaaaaaaaaaaaaa";
static struct oconf	 conf;
static struct tfix_store	 store;
static struct oarena	 arena;

static void
up(void)
{
	struct oerr	 err;
	json_t		*in, *rec;
	char		 sec[128];

	if (!tfix_store_open(&store, "test_logout"))
		abort();
	oerr_clear(&err);
	in = json_pack("{s:s,s:[s],s:[s]}", "client_id", "rp",
	    "redirect_uris", "https://rp.example/cb",
	    "post_logout_redirect_uris", "https://rp.example/bye");
	CHECK((rec = oclient_create(in, 0, sec, &err)) != NULL);
	json_decref(rec);
	json_decref(in);
}

static void
down(void)
{
	CHECK(tfix_store_close(&store));
}

/* Validate the query qs; 1 if accepted.  r is freed. */
static int
validate(const char *qs, struct oerr *err)
{
	struct oparams		 p;
	struct ologout_req	 r;
	int			 ok;

	oerr_clear(err);
	if (!oform_parse(&arena, qs, strlen(qs), &p, err))
		return 0;
	ok = ologout_validate(&p, &r, err);
	ologout_req_free(&r);
	return ok;
}

static void
requests(void)
{
	struct oerr	 err;

	up();
	CHECK(validate("", &err));
	CHECK(validate("client_id=rp&post_logout_redirect_uri="
	    "https%3A%2F%2Frp.example%2Fbye&state=s", &err));
	/* A redirect or state needs a hint or a client. */
	CHECK(!validate("post_logout_redirect_uri="
	    "https%3A%2F%2Frp.example%2Fbye", &err));
	CHECK(err.code == OERR_INVALID_REQUEST && err.status == 400);
	CHECK(!validate("state=s", &err));
	CHECK(!validate("client_id=nobody", &err));
	CHECK(err.code == OERR_INVALID_REQUEST);
	/* Registered exactly. */
	CHECK(!validate("client_id=rp&post_logout_redirect_uri="
	    "https%3A%2F%2Frp.example%2Fbye%2F", &err));
	CHECK(!validate("client_id=rp&client_id=rp", &err));
	/* A hint that is no ID token of ours. */
	CHECK(!validate("id_token_hint=x.y.z", &err));
	down();
}

/* The browser's session, unless the hint names another. */
static void
pick(void)
{
	struct ologout_req	 r;
	struct osessions_rec	 cs, hs;

	memset(&r, 0, sizeof(r));
	memset(&cs, 0, sizeof(cs));
	memset(&hs, 0, sizeof(hs));
	cs.sid = "sid-c";
	cs.sub = "alice";
	hs.sid = "sid-h";
	hs.sub = "bob";
	CHECK(ologout_pick(&r, &cs, NULL) == &cs);
	CHECK(ologout_pick(&r, NULL, NULL) == NULL);
	r.hint = "x";
	r.hint_sid = "sid-h";
	r.hint_sub = "bob";
	CHECK(ologout_pick(&r, &cs, &hs) == &hs);
	CHECK(ologout_pick(&r, &cs, NULL) == NULL);
	r.hint_sub = "alice";
	CHECK(ologout_pick(&r, &cs, &hs) == &cs);
	r.hint_sub = NULL;
	r.hint_sid = "sid-c";
	CHECK(ologout_pick(&r, &cs, &hs) == &cs);
}

/* After logout: the registered redirect with state, else the default. */
static void
target(void)
{
	struct ofstate_logout	 st;

	up();
	memset(&st, 0, sizeof(st));
	st.client_id = "rp";
	st.post_logout_redirect_uri = "https://rp.example/bye";
	st.state = "a b";
	CHECK_STR(ologout_target(&arena, &st), "https://rp.example/bye?"
	    "state=a%20b");
	st.post_logout_redirect_uri = "https://rp.example/gone";
	CHECK_STR(ologout_target(&arena, &st), conf.url_post_logout);
	st.client_id = "";
	CHECK_STR(ologout_target(&arena, &st), conf.url_post_logout);
	down();
}

static int
put_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct osessions_rec	 s;

	memset(&s, 0, sizeof(s));
	s.sid = arg;
	s.sub = "alice";
	s.exp = onow() + 60;
	return osessions_put(t, &s, err) &&
	    osessions_add_client(t, arg, "rp", err);
}

/* Ending a session: once, its clients to notify, the cookie's too. */
static void
finish(void)
{
	struct ologout_done	 d;
	struct oerr		 err;
	struct ofstate_logout	 st;

	up();
	oerr_clear(&err);
	CHECK(ostore_write(put_fn, "sid-1", &err));
	CHECK(ostore_write(put_fn, "sid-2", &err));
	memset(&st, 0, sizeof(st));
	st.id = "v-1";
	st.exp = onow() + 60;
	st.sid = "sid-1";
	st.subject = "alice";
	CHECK(ologout_finish(&st, "sid-2", &d, &err));
	CHECK(!d.used && !d.clear);
	CHECK_STR(ojson_str(d.session, "sub"), "alice");
	CHECK(json_array_size(json_object_get(d.session, "clients")) == 1);
	json_decref(d.session);
	CHECK(ologout_finish(&st, "sid-2", &d, &err));
	CHECK(d.used && d.session == NULL);
	st.id = "v-2";
	CHECK(ologout_finish(&st, NULL, &d, &err));
	CHECK(!d.used && d.clear);
	json_decref(d.session);
	st.id = "v-3";
	st.sid = "sid-2";
	CHECK(ologout_finish(&st, "sid-2", &d, &err));
	CHECK(d.clear);
	json_decref(d.session);
	down();
}

/* The browser's CSRF cookie in the tests: this value or none. */
static const char	*cookie_csrf;

static int
csrf_ok(void *arg, const char *kind, const char *client_id,
    const char *want)
{
	CHECK_STR(kind, "logout");
	CHECK_STR((const char *)arg, "req");
	return cookie_csrf != NULL && want != NULL &&
	    strcmp(cookie_csrf, want) == 0;
}

/* Begin with the query qs and the session cookie's sid. */
static int
begin(const char *qs, const char *sid, struct ologout_outcome *o)
{
	struct oparams	 p;
	struct oerr	 err;

	oerr_clear(&err);
	memset(o, 0, sizeof(*o));
	if (!oform_parse(&arena, qs, strlen(qs), &p, &err))
		return -1;
	return ologout_begin(&arena, &p, sid, "https://op/logout", o);
}

/* A logout request: an error page, the logout app, or on at once. */
static void
begin_outcome(void)
{
	struct ologout_outcome	 o;
	struct oerr		 err;
	json_t			*st;

	up();
	oerr_clear(&err);
	CHECK(begin("client_id=nobody", NULL, &o) == 0);
	CHECK(o.answer == OLOGOUT_SHOW_ERROR);
	CHECK(o.err.code == OERR_INVALID_REQUEST);
	ologout_outcome_free(&o);
	/* No session: nothing to end, the browser's cookies go. */
	CHECK(begin("", NULL, &o) == 1);
	CHECK(o.answer == OLOGOUT_REDIRECT && o.forget);
	CHECK_STR(o.target, conf.url_post_logout);
	ologout_outcome_free(&o);
	CHECK(begin("client_id=rp&post_logout_redirect_uri="
	    "https%3A%2F%2Frp.example%2Fbye&state=s", "sid-gone", &o) == 1);
	CHECK(o.answer == OLOGOUT_REDIRECT && o.forget);
	CHECK_STR(o.target, "https://rp.example/bye?state=s");
	ologout_outcome_free(&o);
	/* The browser's live session: a challenge for it. */
	CHECK(ostore_write(put_fn, "sid-1", &err));
	CHECK(begin("client_id=rp", "sid-1", &o) == 1);
	CHECK(o.answer == OLOGOUT_TO_UI && !o.forget);
	CHECK_STR(o.csrf_client, "rp");
	st = o.challenge != NULL ? oflow_open(OFLOW_LOGOUT, o.challenge,
	    &err) : NULL;
	CHECK_STR(ojson_str(st, "sid"), "sid-1");
	CHECK_STR(ojson_str(st, "csrf"), o.csrf);
	CHECK_STR(ojson_str(st, "request_url"), "https://op/logout");
	CHECK(json_is_true(json_object_get(st, "browser_session")));
	json_decref(st);
	ologout_outcome_free(&o);
	down();
}

/* The logout verifier: checked, spent once, the session ended. */
static void
end_outcome(void)
{
	struct ologout_outcome	 o;
	struct oerr		 err;
	json_t			*st;
	char			*v;

	up();
	oerr_clear(&err);
	CHECK(ostore_write(put_fn, "sid-1", &err));
	st = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "id", "v-1",
	    "exp", (json_int_t)(onow() + 60), "sid", "sid-1", "subject",
	    "alice", "csrf", "c-1", "client_id", "rp",
	    "post_logout_redirect_uri", "https://rp.example/bye", "state",
	    "s");
	v = oflow_seal(OFLOW_LOGOUT_VERIFIER, st);
	json_decref(st);
	CHECK(ologout_end(&arena, "junk", NULL, csrf_ok, "req", &o) == 0);
	CHECK(o.answer == OLOGOUT_SHOW_ERROR && o.err.status == 400);
	ologout_outcome_free(&o);
	cookie_csrf = "c-2";
	CHECK(ologout_end(&arena, v, NULL, csrf_ok, "req", &o) == 0);
	CHECK(o.answer == OLOGOUT_SHOW_ERROR);
	CHECK(o.err.code == OERR_REQUEST_FORBIDDEN);
	ologout_outcome_free(&o);
	cookie_csrf = "c-1";
	CHECK(ologout_end(&arena, v, "sid-1", csrf_ok, "req", &o) == 1);
	CHECK(o.answer == OLOGOUT_REDIRECT);
	CHECK_STR(o.target, "https://rp.example/bye?state=s");
	CHECK(o.csrf_clear && o.clear);
	CHECK_STR(o.csrf_client, "rp");
	ologout_outcome_free(&o);
	/* Spent. */
	CHECK(ologout_end(&arena, v, "sid-1", csrf_ok, "req", &o) == 0);
	CHECK(o.answer == OLOGOUT_SHOW_ERROR);
	CHECK(o.err.code == OERR_INVALID_REQUEST);
	ologout_outcome_free(&o);
	cookie_csrf = NULL;
	free(v);
	down();
}

/* A logout challenge as the previous build sealed it. */
static json_t *
old_logout(void)
{
	return json_pack("{s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:b,"
	    "s:s}", "id", "o-1", "exp", (json_int_t)(onow() + 60),
	    "requested_at", (json_int_t)7, "csrf", "c-1", "subject", "alice",
	    "sid", "sid-1", "client_id", "rp", "post_logout_redirect_uri",
	    "https://rp.example/bye", "state", "s", "rp_initiated", 1,
	    "request_url", "https://op/logout", "browser_session", 0, "app",
	    "http://127.0.0.1:4444/ui/logout");
}

/* The logout state as a struct: decoded, encoded, refused. */
static void
logout_state(void)
{
	struct ofstate_logout	 o;
	struct oerr		 err;
	json_t			*j = old_logout(), *j2;
	char			*v;
	static const char *const bad[] = { "id", "exp", "sid", "subject",
	    "client_id", "rp_initiated", "browser_session", "request_url" };
	size_t			 i;

	oerr_clear(&err);
	CHECK(ofstate_logout_decode(j, &o, &err));
	CHECK_STR(o.id, "o-1");
	CHECK(o.exp > onow() && o.requested_at == 7);
	CHECK_STR(o.csrf, "c-1");
	CHECK_STR(o.subject, "alice");
	CHECK_STR(o.sid, "sid-1");
	CHECK_STR(o.client_id, "rp");
	CHECK_STR(o.post_logout_redirect_uri, "https://rp.example/bye");
	CHECK_STR(o.state, "s");
	CHECK(o.rp_initiated && !o.browser_session);
	CHECK_STR(o.request_url, "https://op/logout");
	CHECK_STR(o.app, "http://127.0.0.1:4444/ui/logout");
	j2 = ofstate_logout_json(&o);
	CHECK(json_equal(j, j2));
	json_decref(j2);
	v = ofstate_logout_seal(OFLOW_LOGOUT, &o);
	ofstate_logout_free(&o);
	CHECK(ofstate_logout_open(OFLOW_LOGOUT, v, &o, &err));
	CHECK_STR(o.sid, "sid-1");
	ofstate_logout_free(&o);
	free(v);
	/* The least: browser_session true when absent, "" strings. */
	j2 = json_pack("{s:s,s:I,s:s}", "id", "o-2", "exp", (json_int_t)9,
	    "sid", "sid-2");
	CHECK(ofstate_logout_decode(j2, &o, &err));
	CHECK(o.browser_session && o.request_url == NULL);
	CHECK_STR(o.client_id, "");
	CHECK_STR(o.state, "");
	ofstate_logout_free(&o);
	json_decref(j2);
	/* A member of the wrong type is refused, named. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j2 = json_deep_copy(j);
		json_object_set_new(j2, bad[i], json_pack("[]"));
		oerr_clear(&err);
		CHECK(!ofstate_logout_decode(j2, &o, &err));
		CHECK(err.status == 400 &&
		    strstr(err.description, bad[i]) != NULL);
		ofstate_logout_free(&o);
		json_decref(j2);
	}
	json_decref(j);
}

static const struct t_case tests[] = {
	T(requests), T(pick), T(target), T(finish), T(begin_outcome),
	T(end_outcome), T(logout_state),
};

int
main(void)
{
	int	 rc;

	oarena_init(&arena);
	conf.issuer = "http://127.0.0.1:4444/";
	conf.url_logout = "http://127.0.0.1:4444/ui/logout";
	conf.url_post_logout = "http://127.0.0.1:4444/ui/bye";
	conf.secrets[0] = secret;
	conf.nsecrets = 1;
	conf.ttl_login_consent = 600;
	oconf = &conf;
	rc = t_run(tests, NTESTS);
	oconf = NULL;
	oarena_free(&arena);
	return rc;
}
