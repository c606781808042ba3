/* Unit tests for lib/records/sessions.c: the login-session table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/flow.h"
#include "records/sessions.h"
#include "t.h"
#include "tfix.h"

static char		 secret[] = "sessions-secret-aaaaaaaaaaaaaa";
static struct oconf	 conf;

struct put {
	const char	*sid;
	const char	*sub;
	int64_t		 exp;
};

static int
put_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct put		*p = arg;
	struct osessions_rec	 s;

	memset(&s, 0, sizeof(s));
	s.sid = (char *)p->sid;
	s.sub = (char *)p->sub;
	s.auth_time = 1000;
	s.exp = p->exp;
	s.remember_for = 3600;
	return osessions_put(t, &s, err);
}

static int
put(const char *sid, const char *sub, int64_t exp)
{
	struct put	 p = { sid, sub, exp };
	struct oerr	 err;

	oerr_clear(&err);
	return ostore_write(put_fn, &p, &err);
}

static int
add_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	const char	**a = arg;

	return osessions_add_client(t, a[0], a[1], err);
}

static int
add(const char *sid, const char *client)
{
	const char	*a[2] = { sid, client };
	struct oerr	 err;

	oerr_clear(&err);
	return ostore_write(add_fn, a, &err);
}

/* Load sid (live only when live); 1 if found, rec filled. */
static int
load(const char *sid, int live, struct osessions_rec *s, struct oerr *err)
{
	struct ostore_txn	*t;
	int			 ok;

	oerr_clear(err);
	if ((t = ostore_read_begin(err)) == NULL)
		return 0;
	ok = live ? osessions_live(t, sid, s, err) :
	    osessions_get(t, sid, s, err);
	ostore_read_end(t);
	return ok;
}

static size_t
count(enum ostore_db db)
{
	struct ostore_txn	*t = ostore_read_begin(NULL);
	size_t			 n = 0;

	ostore_count(t, db, &n);
	ostore_read_end(t);
	return n;
}

/* A stored session reads back as it was put, in the documented JSON. */
static void
round_trip(void)
{
	struct tfix_store	 d;
	struct osessions_rec	 s;
	struct ostore_txn	*t;
	struct oerr		 err;
	const void		*v;
	size_t			 vl;
	json_t			*j;

	if (!CHECKED(tfix_store_open(&d, "test_sessions")))
		return;
	CHECK(put("sid-1", "alice", onow() + 60));
	CHECK(load("sid-1", 1, &s, &err));
	CHECK_STR(s.sid, "sid-1");
	CHECK_STR(s.sub, "alice");
	CHECK(s.auth_time == 1000 && s.remember_for == 3600);
	CHECK(s.nclients == 0);
	osessions_free(&s);
	CHECK(s.sid == NULL && s.nclients == 0);
	osessions_free(&s);	/* twice is fine */
	/* On disk: schema/store.md's members. */
	t = ostore_read_begin(NULL);
	CHECK(ostore_get(t, OSTORE_SESSIONS, "sid-1", 5, &v, &vl) ==
	    OSTORE_OK);
	j = json_loadb(v, vl, 0, NULL);
	CHECK_STR(ojson_str(j, "sid"), "sid-1");
	CHECK_STR(ojson_str(j, "sub"), "alice");
	CHECK(ojson_int(j, "auth_time") == 1000);
	CHECK(ojson_int(j, "remember_for") == 3600);
	CHECK(json_is_array(json_object_get(j, "clients")));
	json_decref(j);
	CHECK(ostore_get(t, OSTORE_SESSIONS_BY_SUBJECT, "alice\0sid-1", 11,
	    &v, &vl) == OSTORE_OK);
	ostore_read_end(t);
	CHECK(tfix_store_close(&d));
}

/* Missing and expired sessions: 404s; get still finds an expired one. */
static void
missing_expired(void)
{
	struct tfix_store	 d;
	struct osessions_rec	 s;
	struct oerr		 err;

	if (!CHECKED(tfix_store_open(&d, "test_sessions")))
		return;
	CHECK(!load("nope", 0, &s, &err));
	CHECK(err.status == 404 && s.sid == NULL);
	CHECK(!load("", 0, &s, &err));
	CHECK(err.status == 404);
	CHECK(put("old", "alice", onow() - 1));
	CHECK(!load("old", 1, &s, &err));
	CHECK(err.status == 404 && s.sid == NULL);
	CHECK(load("old", 0, &s, &err));
	osessions_free(&s);
	CHECK(tfix_store_close(&d));
}

/* Clients are listed once each; a session not stored is left alone. */
static void
clients(void)
{
	struct tfix_store	 d;
	struct osessions_rec	 s;
	struct oerr		 err;

	if (!CHECKED(tfix_store_open(&d, "test_sessions")))
		return;
	CHECK(put("sid-1", "alice", onow() + 60));
	CHECK(add("sid-1", "app-a"));
	CHECK(add("sid-1", "app-b"));
	CHECK(add("sid-1", "app-a"));
	CHECK(load("sid-1", 1, &s, &err));
	CHECK(s.nclients == 2);
	if (s.nclients == 2) {
		CHECK_STR(s.clients[0], "app-a");
		CHECK_STR(s.clients[1], "app-b");
	}
	osessions_free(&s);
	CHECK(add("nope", "app-a"));
	CHECK(count(OSTORE_SESSIONS) == 1);
	CHECK(tfix_store_close(&d));
}

static int
del_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return osessions_del(t, arg, strlen(arg), NULL);
}

static int
subject_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	char	**sids;
	size_t	  n;
	int	  ok;

	ok = osessions_of_subject(t, arg, &sids, &n) && n == 2 &&
	    strcmp(sids[0], "sid-1") == 0 && strcmp(sids[1], "sid-2") == 0;
	osessions_sids_free(sids, n);
	return ok;
}

/* Deleting takes the record, its index and its expiry entry. */
static void
delete(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	size_t			 nexp;

	if (!CHECKED(tfix_store_open(&d, "test_sessions")))
		return;
	CHECK(put("sid-1", "alice", onow() + 60));
	CHECK(put("sid-2", "alice", onow() + 60));
	CHECK(put("sid-3", "bob", onow() + 60));
	oerr_clear(&err);
	CHECK(ostore_write(subject_fn, "alice", &err));
	nexp = count(OSTORE_EXPIRY);
	CHECK(ostore_write(del_fn, "sid-3", &err));
	CHECK(count(OSTORE_SESSIONS) == 2);
	CHECK(count(OSTORE_SESSIONS_BY_SUBJECT) == 2);
	CHECK(count(OSTORE_EXPIRY) == nexp - 1);
	/* Not there: fine. */
	CHECK(ostore_write(del_fn, "sid-3", &err));
	CHECK(tfix_store_close(&d));
}

static int
flow_del_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oflow_session_delete(t, NULL, arg);
}

static int
flow_put_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct osessions_rec	 s;

	memset(&s, 0, sizeof(s));
	s.sid = arg;
	s.sub = "alice";
	s.exp = onow() + 60;
	return oflow_session_put(t, &s, err);
}

/* Logging a subject out ends every session of it, and no other. */
static void
end_subject(void)
{
	struct tfix_store	 d;
	struct osessions_rec	 s;
	struct oerr		 err;

	if (!CHECKED(tfix_store_open(&d, "test_sessions")))
		return;
	CHECK(put("sid-1", "alice", onow() + 60));
	CHECK(put("sid-2", "alice", onow() + 60));
	CHECK(put("sid-3", "bob", onow() + 60));
	oerr_clear(&err);
	CHECK(ostore_write(flow_del_fn, "alice", &err));
	CHECK(count(OSTORE_SESSIONS) == 1);
	CHECK(count(OSTORE_SESSIONS_BY_SUBJECT) == 1);
	CHECK(load("sid-3", 1, &s, &err));
	osessions_free(&s);
	/* An ended sid cannot be stored again. */
	oerr_clear(&err);
	CHECK(!ostore_write(flow_put_fn, "sid-1", &err));
	CHECK(err.status == 400);
	oerr_clear(&err);
	CHECK(ostore_write(flow_put_fn, "sid-4", &err));
	CHECK(tfix_store_close(&d));
}

static const struct t_case tests[] = {
	T(round_trip), T(missing_expired), T(clients), T(delete),
	T(end_subject),
};

int
main(void)
{
	int	 rc;

	conf.issuer = "http://127.0.0.1:4444/";
	conf.secrets[0] = secret;
	conf.nsecrets = 1;
	conf.ttl_login_consent = 600;
	oconf = &conf;
	rc = t_run(tests, NTESTS);
	oconf = NULL;
	return rc;
}
