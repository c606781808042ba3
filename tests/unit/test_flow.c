/* Unit tests for lib/records/flow.c: sealed state, single use, sessions, consents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "records/flow.h"
#include "records/sessions.h"
#include "store/store.h"
#include "t.h"
#include "base/util.h"
#include "records/lifecycle.h"

static char		 secret_a[] = "flow-secret-aaaaaaaaaaaaaaaa";
static char		 secret_b[] = "flow-secret-bbbbbbbbbbbbbbbb";
static struct oconf	 conf;
static char		 dir[256];

static void
up(void)
{
	struct oerr	 err;
	const char	*tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/test_flow.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	oerr_clear(&err);
	if (!ostore_open(dir, 0, &err))
		abort();
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

static void
secrets(char *first, char *second)
{
	conf.secrets[0] = first;
	conf.secrets[1] = second;
	conf.nsecrets = second != NULL ? 2 : 1;
}

static void
seal_open(void)
{
	struct oerr	 err;
	json_t		*st, *got;
	char		*s, *bad;

	secrets(secret_a, NULL);
	st = json_pack("{s:s,s:I}", "id", "x1", "exp",
	    (json_int_t)(onow() + 60));
	s = oflow_seal(OFLOW_LOGIN, st);
	oerr_clear(&err);
	CHECK((got = oflow_open(OFLOW_LOGIN, s, &err)) != NULL);
	CHECK(json_equal(got, st));
	json_decref(got);
	/* Another purpose: refused, 404. */
	oerr_clear(&err);
	CHECK(oflow_open(OFLOW_CONSENT, s, &err) == NULL);
	CHECK(err.status == 404);
	/* Tampered. */
	bad = strdup(s);
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	oerr_clear(&err);
	CHECK(oflow_open(OFLOW_LOGIN, bad, &err) == NULL);
	free(bad);
	/* Not base64url, empty, NULL. */
	oerr_clear(&err);
	CHECK(oflow_open(OFLOW_LOGIN, "!!!", &err) == NULL);
	CHECK(oflow_open(OFLOW_LOGIN, "", &err) == NULL);
	CHECK(oflow_open(OFLOW_LOGIN, NULL, &err) == NULL);
	/* Rotation: sealed under a, opened with b first and a kept. */
	secrets(secret_b, secret_a);
	oerr_clear(&err);
	CHECK((got = oflow_open(OFLOW_LOGIN, s, &err)) != NULL);
	json_decref(got);
	/* Without a: refused. */
	secrets(secret_b, NULL);
	oerr_clear(&err);
	CHECK(oflow_open(OFLOW_LOGIN, s, &err) == NULL);
	free(s);
	json_decref(st);
	secrets(secret_a, NULL);
}

static void
expiry(void)
{
	struct oerr	 err;
	json_t		*st;
	char		*s;

	st = json_pack("{s:s,s:I}", "id", "x2", "exp",
	    (json_int_t)(onow() - 1));
	s = oflow_seal(OFLOW_CONSENT, st);
	oerr_clear(&err);
	CHECK(oflow_open(OFLOW_CONSENT, s, &err) == NULL);
	CHECK(strstr(err.description, "expired") != NULL);
	free(s);
	json_decref(st);
	/* No exp at all: refused. */
	st = json_pack("{s:s}", "id", "x3");
	s = oflow_seal(OFLOW_CONSENT, st);
	oerr_clear(&err);
	CHECK(oflow_open(OFLOW_CONSENT, s, &err) == NULL);
	free(s);
	json_decref(st);
}

struct use {
	enum oflow_purpose	 p;
	const char		*id;
	enum ostore_rc		 rc;
};

static int
use_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct use	*u = arg;
	json_t		*rec = json_pack("{s:s}", "redirect_to", "https://x/");

	u->rc = oflow_use(t, u->p, u->id, onow() + 60, rec);
	json_decref(rec);
	return u->rc == OSTORE_OK || u->rc == OSTORE_EXISTS;
}

static void
single_use(void)
{
	struct oerr		 err;
	struct use		 u = { OFLOW_LOGIN, "id-1", OSTORE_ERR };
	struct ostore_txn	*t;
	json_t			*rec;

	up();
	oerr_clear(&err);
	CHECK(ostore_write(use_fn, &u, &err) && u.rc == OSTORE_OK);
	CHECK(ostore_write(use_fn, &u, &err) && u.rc == OSTORE_EXISTS);
	/* The same id under another purpose is another record. */
	u.p = OFLOW_LOGIN_VERIFIER;
	CHECK(ostore_write(use_fn, &u, &err) && u.rc == OSTORE_OK);
	CHECK((t = ostore_read_begin(NULL)) != NULL);
	rec = oflow_used(t, OFLOW_LOGIN, "id-1");
	CHECK(rec != NULL && strcmp(json_string_value(json_object_get(rec,
	    "redirect_to")), "https://x/") == 0);
	json_decref(rec);
	CHECK(oflow_used(t, OFLOW_LOGIN, "id-2") == NULL);
	ostore_read_end(t);
	down();
}

static int
sessions_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct osessions_rec	 s;
	int			 ok;

	memset(&s, 0, sizeof(s));
	s.sid = "sid-1";
	s.sub = "alice";
	s.auth_time = onow();
	s.exp = onow() + 60;
	ok = oflow_session_put(t, &s, err);
	s.sid = "sid-2";
	ok = ok && oflow_session_put(t, &s, err);
	s.sid = "sid-3";
	s.sub = "bob";
	ok = ok && oflow_session_put(t, &s, err);
	return ok;
}

static int
del_alice_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oflow_session_delete(t, NULL, "alice");
}

static size_t
nsessions(void)
{
	struct ostore_txn	*t = ostore_read_begin(NULL);
	size_t			 n = 0;

	ostore_count(t, OSTORE_SESSIONS, &n);
	ostore_read_end(t);
	return n;
}

static void
sessions(void)
{
	struct oerr	 err;

	up();
	oerr_clear(&err);
	CHECK(ostore_write(sessions_fn, NULL, &err));
	CHECK(nsessions() == 3);
	CHECK(ostore_write(del_alice_fn, NULL, &err));
	CHECK(nsessions() == 1);
	down();
}

static int
consents_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	json_t	*c;
	int	 ok, i;
	char	 rid[16];

	for (ok = 1, i = 0; ok && i < 3; i++) {
		snprintf(rid, sizeof(rid), "req-%d", i);
		c = json_pack("{s:s,s:s,s:s,s:[s],s:b,s:I,s:I,s:I}",
		    "sub", "alice", "client_id", i < 2 ? "c1" : "c2",
		    "request_id", rid, "scope", "openid", "remember", i != 1,
		    "remember_until", (json_int_t)0, "handled_at",
		    (json_int_t)(1000 + i), "exp", (json_int_t)0);
		ok = oflow_consent_put(t, c, err);
		json_decref(c);
	}
	return ok;
}

static int
revoke_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return olife_consent_revoke(t, "alice", arg, NULL);
}

static void
consents(void)
{
	struct oerr		 err;
	struct ostore_txn	*t;
	json_t			*c, *all;

	up();
	oerr_clear(&err);
	CHECK(ostore_write(consents_fn, NULL, &err));
	CHECK((t = ostore_read_begin(NULL)) != NULL);
	/* Newest remembered for c1 is req-0 (req-1 was not remembered). */
	c = oflow_consent_find(t, "alice", "c1");
	CHECK(c != NULL && strcmp(json_string_value(json_object_get(c,
	    "request_id")), "req-0") == 0);
	json_decref(c);
	CHECK(oflow_consent_find(t, "bob", "c1") == NULL);
	all = oflow_consent_list(t, "alice", NULL);
	CHECK(json_array_size(all) == 3);
	/* Newest first. */
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(all,
	    0), "request_id")), "req-2") == 0);
	json_decref(all);
	/* "c1" must not match "c10": the key ends the client id with NUL. */
	all = oflow_consent_list(t, "alice", "c");
	CHECK(json_array_size(all) == 0);
	json_decref(all);
	ostore_read_end(t);
	CHECK(ostore_write(revoke_fn, "c1", &err));
	CHECK((t = ostore_read_begin(NULL)) != NULL);
	all = oflow_consent_list(t, "alice", NULL);
	CHECK(json_array_size(all) == 1);
	json_decref(all);
	ostore_read_end(t);
	CHECK(ostore_write(revoke_fn, NULL, &err));
	CHECK((t = ostore_read_begin(NULL)) != NULL);
	all = oflow_consent_list(t, "alice", NULL);
	CHECK(json_array_size(all) == 0);
	json_decref(all);
	ostore_read_end(t);
	down();
}

/* Open a challenge of purpose p sealed from st (a new reference). */
static json_t *
reseal(enum oflow_purpose p, json_t *st)
{
	struct oerr	 err;
	char		*sealed = oflow_seal(p, st);
	json_t		*got;

	oerr_clear(&err);
	got = oflow_open(p, sealed, &err);
	free(sealed);
	return got;
}

/*
 * A challenge records the app it is sent to, and the bundled app
 * answers only those sent to <issuer>ui/login, ui/consent, ui/logout.
 */
static void
bundled_app(void)
{
	char	 login[] = "http://127.0.0.1:4444/ui/login";
	char	 other[] = "https://app.example/login";
	char	 consent[] = "https://app.example/consent";
	char	 logout[] = "http://127.0.0.1:4444/ui/logout?lang=en";
	char	 near1[] = "http://127.0.0.1:4444/ui/loginx";
	char	 near2[] = "http://127.0.0.1:4444/ui/login/";
	char	 near3[] = "http://127.0.0.1:44444/ui/login";
	json_t	*st, *a, *b, *c, *bare;

	conf.url_login = login;
	conf.url_consent = consent;
	conf.url_logout = logout;
	st = json_pack("{s:s,s:I}", "id", "x", "exp",
	    (json_int_t)(onow() + 60));
	CHECK((a = reseal(OFLOW_LOGIN, st)) != NULL);
	CHECK(strcmp(json_string_value(json_object_get(a, "app")),
	    login) == 0);
	CHECK(oflow_for_bundled_app(OFLOW_LOGIN, a) == 1);
	CHECK((b = reseal(OFLOW_CONSENT, st)) != NULL);
	CHECK(oflow_for_bundled_app(OFLOW_CONSENT, b) == 0);
	CHECK((c = reseal(OFLOW_LOGOUT, st)) != NULL);
	CHECK(oflow_for_bundled_app(OFLOW_LOGOUT, c) == 1);
	/* A verifier or cookie records nothing; st is not changed. */
	json_decref(b);
	CHECK((b = reseal(OFLOW_LOGIN_VERIFIER, st)) != NULL);
	CHECK(json_object_get(b, "app") == NULL);
	CHECK(json_object_get(st, "app") == NULL);
	CHECK(oflow_for_bundled_app(OFLOW_LOGIN_VERIFIER, a) == 0);
	/* What was recorded counts, not what is configured now. */
	conf.url_login = other;
	CHECK(oflow_for_bundled_app(OFLOW_LOGIN, a) == 1);
	json_decref(a);
	CHECK((a = reseal(OFLOW_LOGIN, st)) != NULL);
	CHECK(oflow_for_bundled_app(OFLOW_LOGIN, a) == 0);
	/* A challenge sealed without one: the app configured now. */
	bare = json_object();
	CHECK(oflow_for_bundled_app(OFLOW_LOGIN, bare) == 0);
	conf.url_login = login;
	CHECK(oflow_for_bundled_app(OFLOW_LOGIN, bare) == 1);
	/* Near misses. */
	json_object_set_new(bare, "app", json_string(near1));
	CHECK(oflow_for_bundled_app(OFLOW_LOGIN, bare) == 0);
	json_object_set_new(bare, "app", json_string(near2));
	CHECK(oflow_for_bundled_app(OFLOW_LOGIN, bare) == 0);
	json_object_set_new(bare, "app", json_string(near3));
	CHECK(oflow_for_bundled_app(OFLOW_LOGIN, bare) == 0);
	json_object_set_new(bare, "app", json_string(login));
	CHECK(oflow_for_bundled_app(OFLOW_CONSENT, bare) == 0);
	json_decref(bare);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(st);
	conf.url_login = conf.url_consent = conf.url_logout = NULL;
}

static int
del_sid_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oflow_session_delete(t, arg, NULL);
}

static int
put_sid3_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct osessions_rec	 s;

	memset(&s, 0, sizeof(s));
	s.sid = "sid-3";
	s.sub = "bob";
	s.auth_time = onow();
	s.exp = onow() + 60;
	return oflow_session_put(t, &s, err);
}

/* 1 if sid is marked ended. */
static int
ended(const char *sid)
{
	struct ostore_txn	*t = ostore_read_begin(NULL);
	int			 e;

	e = oflow_session_ended(t, sid);
	ostore_read_end(t);
	return e;
}

/*
 * Deleting a session marks its sid ended, stored or not, for twice
 * ttl.login_consent_request and a minute; an ended sid is not stored
 * again.
 */
static void
ended_sessions(void)
{
	struct oerr		 err;
	struct ostore_txn	*t;
	json_t			*m;
	int64_t			 exp;

	up();
	conf.ttl_login_consent = 1800;
	oerr_clear(&err);
	CHECK(ostore_write(sessions_fn, NULL, &err));
	CHECK(!ended("sid-1") && !ended("sid-3") && !ended(""));
	CHECK(ostore_write(del_sid_fn, "sid-3", &err));
	CHECK(ended("sid-3") && !ended("sid-1") && !ended("sid-2"));
	CHECK(nsessions() == 2);
	CHECK((t = ostore_read_begin(NULL)) != NULL);
	m = oflow_used(t, OFLOW_ENDED_SESSION, "sid-3");
	ostore_read_end(t);
	exp = json_integer_value(json_object_get(m, "exp"));
	CHECK(exp >= onow() + 3600 + 59 && exp <= onow() + 3600 + 61);
	json_decref(m);
	oerr_clear(&err);
	CHECK(ostore_write(put_sid3_fn, NULL, &err) == 0);
	CHECK(err.status == 400);
	CHECK(nsessions() == 2);
	/* Every session of a subject. */
	oerr_clear(&err);
	CHECK(ostore_write(del_alice_fn, NULL, &err));
	CHECK(ended("sid-1") && ended("sid-2"));
	CHECK(nsessions() == 0);
	/* A sid never stored (a session deleted already): marked too. */
	CHECK(ostore_write(del_sid_fn, "sid-9", &err));
	CHECK(ended("sid-9"));
	/* Twice is fine. */
	CHECK(ostore_write(del_sid_fn, "sid-9", &err));
	conf.ttl_login_consent = 0;
	down();
}

static const struct t_case tests[] = {
	T(seal_open), T(expiry), T(single_use), T(sessions), T(consents),
	T(bundled_app), T(ended_sessions),
};

int
main(void)
{
	int	 rc;

	conf.issuer = "http://127.0.0.1:4444/";
	secrets(secret_a, NULL);
	oconf = &conf;
	rc = t_run(tests, NTESTS);
	oconf = NULL;
	return rc;
}
