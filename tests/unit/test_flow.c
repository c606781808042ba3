/*
 * Unit tests for lib/records/flow.c: sealed state, single use (the
 * flows table's marks), ended sessions.  Consents: test_consents.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/util.h"
#include "store/store.h"
#include "records/flow.h"
#include "records/sessions.h"
#include "t.h"
#include "tfix.h"

static char		 secret_a[] = "flow-secret-aaaaaaaaaaaaaaaa";
static char		 secret_b[] = "flow-secret-bbbbbbbbbbbbbbbb";
static struct oconf	 conf;
static struct tfix_store	 store;

static void
up(void)
{
	if (!tfix_store_open(&store, "test_flow"))
		abort();
}

static void
down(void)
{
	CHECK(tfix_store_close(&store));
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

	u->rc = oflow_use(t, u->p, u->id, onow() + 60, u->p == OFLOW_LOGIN ?
	    "https://x/" : NULL);
	return u->rc == OSTORE_OK || u->rc == OSTORE_EXISTS;
}

/* The flows key of a mark: SHA-256 of purpose NUL id (schema/store.md). */
static void
mark_key(const char *purpose, const char *id, unsigned char key[32])
{
	char	 buf[128];
	size_t	 pl = strlen(purpose), il = strlen(id);

	memcpy(buf, purpose, pl);
	buf[pl] = '\0';
	memcpy(buf + pl + 1, id, il);
	ocrypto_sha256(buf, pl + 1 + il, key);
}

static void
single_use(void)
{
	struct oerr		 err;
	struct use		 u = { OFLOW_LOGIN, "id-1", OSTORE_ERR };
	struct ostore_txn	*t;
	struct oflow_mark	 m;
	const void		*v;
	size_t			 vl;
	unsigned char		 key[32];
	int64_t			 exp = onow() + 60;

	up();
	oerr_clear(&err);
	CHECK(ostore_write(use_fn, &u, &err) && u.rc == OSTORE_OK);
	CHECK(ostore_write(use_fn, &u, &err) && u.rc == OSTORE_EXISTS);
	/* The same id under another purpose is another record. */
	u.p = OFLOW_LOGIN_VERIFIER;
	CHECK(ostore_write(use_fn, &u, &err) && u.rc == OSTORE_OK);
	CHECK((t = ostore_read_begin(NULL)) != NULL);
	CHECK(oflow_used(t, OFLOW_LOGIN, "id-1", &m) == 1);
	CHECK_STR(m.redirect_to, "https://x/");
	CHECK(m.exp >= exp - 1 && m.exp <= exp + 1);
	oflow_mark_free(&m);
	CHECK(m.redirect_to == NULL && m.exp == 0);
	CHECK(oflow_used(t, OFLOW_LOGIN, "id-1", NULL) == 1);
	/* A mark without redirect_to. */
	CHECK(oflow_used(t, OFLOW_LOGIN_VERIFIER, "id-1", &m) == 1);
	CHECK(m.redirect_to == NULL && m.exp != 0);
	oflow_mark_free(&m);
	CHECK(oflow_used(t, OFLOW_LOGIN, "id-2", &m) == 0);
	CHECK(m.redirect_to == NULL && m.exp == 0);
	/* On disk as ever: {"redirect_to":...,"exp":...}, {"exp":...}. */
	mark_key("login", "id-1", key);
	CHECK(ostore_get(t, OSTORE_FLOWS, key, sizeof(key), &v, &vl) ==
	    OSTORE_OK);
	CHECK(vl > 32 && memcmp(v, "{\"redirect_to\":\"https://x/\",\"exp\":",
	    32) == 0);
	mark_key("login_verifier", "id-1", key);
	CHECK(ostore_get(t, OSTORE_FLOWS, key, sizeof(key), &v, &vl) ==
	    OSTORE_OK);
	CHECK(vl > 7 && memcmp(v, "{\"exp\":", 7) == 0);
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
	struct oflow_mark	 m;

	up();
	conf.ttl_login_consent = 1800;
	oerr_clear(&err);
	CHECK(ostore_write(sessions_fn, NULL, &err));
	CHECK(!ended("sid-1") && !ended("sid-3") && !ended(""));
	CHECK(ostore_write(del_sid_fn, "sid-3", &err));
	CHECK(ended("sid-3") && !ended("sid-1") && !ended("sid-2"));
	CHECK(nsessions() == 2);
	CHECK((t = ostore_read_begin(NULL)) != NULL);
	CHECK(oflow_used(t, OFLOW_ENDED_SESSION, "sid-3", &m));
	ostore_read_end(t);
	CHECK(m.exp >= onow() + 3600 + 59 && m.exp <= onow() + 3600 + 61);
	CHECK(m.redirect_to == NULL);
	oflow_mark_free(&m);
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
	T(seal_open), T(expiry), T(single_use), T(sessions),
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
