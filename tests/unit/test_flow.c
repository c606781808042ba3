/* Unit tests for lib/flow.c: sealed state, single use, sessions, consents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "conf.h"
#include "err.h"
#include "flow.h"
#include "store.h"
#include "t.h"
#include "util.h"

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
	CHECK((t = ostore_read_begin()) != NULL);
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
	json_t	*s;
	int	 ok;

	s = json_pack("{s:s,s:s,s:I,s:I}", "sid", "sid-1", "sub", "alice",
	    "auth_time", (json_int_t)onow(), "exp", (json_int_t)(onow() +
	    60));
	ok = oflow_session_put(t, s, err);
	json_object_set_new(s, "sid", json_string("sid-2"));
	ok = ok && oflow_session_put(t, s, err);
	json_object_set_new(s, "sid", json_string("sid-3"));
	json_object_set_new(s, "sub", json_string("bob"));
	ok = ok && oflow_session_put(t, s, err);
	json_decref(s);
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
	struct ostore_txn	*t = ostore_read_begin();
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
	return oflow_consent_revoke(t, "alice", arg) >= 0;
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
	CHECK((t = ostore_read_begin()) != NULL);
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
	CHECK((t = ostore_read_begin()) != NULL);
	all = oflow_consent_list(t, "alice", NULL);
	CHECK(json_array_size(all) == 1);
	json_decref(all);
	ostore_read_end(t);
	CHECK(ostore_write(revoke_fn, NULL, &err));
	CHECK((t = ostore_read_begin()) != NULL);
	all = oflow_consent_list(t, "alice", NULL);
	CHECK(json_array_size(all) == 0);
	json_decref(all);
	ostore_read_end(t);
	down();
}

static const struct t_case tests[] = {
	T(seal_open), T(expiry), T(single_use), T(sessions), T(consents),
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
