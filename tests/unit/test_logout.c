/*
 * Unit tests for lib/protocol/logout.c: RP-initiated logout requests,
 * which session they end, and where the browser goes after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"
#include "protocol/logout.h"
#include "records/clients.h"
#include "records/flow.h"
#include "records/sessions.h"
#include "store/store.h"
#include "t.h"

static char		 secret[] = "logout-secret-aaaaaaaaaaaaaaaaaaaa";
static struct oconf	 conf;
static char		 dir[256];
static struct oarena	 arena;

static void
up(void)
{
	struct oerr	 err;
	const char	*tmp = getenv("TMPDIR");
	json_t		*in, *rec;
	char		 sec[128];

	snprintf(dir, sizeof(dir), "%s/test_logout.XXXXXX",
	    tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	oerr_clear(&err);
	if (!ostore_open(dir, 0, &err))
		abort();
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
	char	 p[300];

	ostore_close();
	snprintf(p, sizeof(p), "%s/data.mdb", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", dir);
	unlink(p);
	rmdir(dir);
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
	json_t	*st;

	up();
	st = json_pack("{s:s,s:s,s:s}", "client_id", "rp",
	    "post_logout_redirect_uri", "https://rp.example/bye", "state",
	    "a b");
	CHECK_STR(ologout_target(&arena, st), "https://rp.example/bye?"
	    "state=a%20b");
	json_object_set_new(st, "post_logout_redirect_uri",
	    json_string("https://rp.example/gone"));
	CHECK_STR(ologout_target(&arena, st), conf.url_post_logout);
	json_object_set_new(st, "client_id", json_string(""));
	CHECK_STR(ologout_target(&arena, st), conf.url_post_logout);
	json_decref(st);
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
	json_t			*st;

	up();
	oerr_clear(&err);
	CHECK(ostore_write(put_fn, "sid-1", &err));
	CHECK(ostore_write(put_fn, "sid-2", &err));
	st = json_pack("{s:s,s:I,s:s,s:s}", "id", "v-1", "exp",
	    (json_int_t)(onow() + 60), "sid", "sid-1", "subject", "alice");
	CHECK(ologout_finish(st, "sid-2", &d, &err));
	CHECK(!d.used && !d.clear);
	CHECK_STR(ojson_str(d.session, "sub"), "alice");
	CHECK(json_array_size(json_object_get(d.session, "clients")) == 1);
	json_decref(d.session);
	CHECK(ologout_finish(st, "sid-2", &d, &err));
	CHECK(d.used && d.session == NULL);
	json_object_set_new(st, "id", json_string("v-2"));
	CHECK(ologout_finish(st, NULL, &d, &err));
	CHECK(!d.used && d.clear);
	json_decref(d.session);
	json_object_set_new(st, "id", json_string("v-3"));
	json_object_set_new(st, "sid", json_string("sid-2"));
	CHECK(ologout_finish(st, "sid-2", &d, &err));
	CHECK(d.clear);
	json_decref(d.session);
	json_decref(st);
	down();
}

static const struct t_case tests[] = {
	T(requests), T(pick), T(target), T(finish),
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
