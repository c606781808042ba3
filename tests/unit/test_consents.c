/*
 * test_consents.c: unit tests of lib/records/consents.c (the consents
 * table: put, find the newest remembered, list, erase one or a
 * client's, the expiry entries, the bytes on disk) and of the consent
 * cascades of lib/records/lifecycle.c, against a real LMDB store in a
 * fresh directory under $TMPDIR.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/util.h"
#include "store/store.h"
#include "records/consents.h"
#include "records/lifecycle.h"
#include "t.h"
#include "tfix.h"

static char		 secret[] = "consents-secret-aaaaaaaaaaaaaaaa";
static struct oconf	 conf;

/* A consent of sub for cid (borrowed strings: never freed). */
static struct oconsent
consent(const char *sub, const char *cid, const char *rid, int remember,
    int64_t until, int64_t handled, int64_t exp)
{
	struct oconsent	 c;

	memset(&c, 0, sizeof(c));
	c.sub = (char *)sub;
	c.client_id = (char *)cid;
	c.request_id = (char *)rid;
	c.sid = "sid-1";
	c.remember = remember;
	c.remember_until = until;
	c.handled_at = handled;
	c.exp = exp;
	return c;
}

struct puts {
	struct oconsent	*v;
	size_t		 n;
};

static int
put_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct puts	*p = arg;
	size_t		 i;

	for (i = 0; i < p->n; i++)
		if (!oconsents_put(t, &p->v[i], err))
			return 0;
	return 1;
}

static void
put(struct oconsent *v, size_t n)
{
	struct oerr	 err;
	struct puts	 p = { v, n };

	oerr_clear(&err);
	CHECK(ostore_write(put_fn, &p, &err));
}

/* The key subject NUL client NUL request. */
static size_t
ckey(const char *sub, const char *cid, const char *rid, char *k)
{
	size_t	 n = 0;

	memcpy(k, sub, strlen(sub) + 1);
	n += strlen(sub) + 1;
	memcpy(k + n, cid, strlen(cid) + 1);
	n += strlen(cid) + 1;
	memcpy(k + n, rid, strlen(rid));
	return n + strlen(rid);
}

/* 1 if key k (kl bytes) of db is present. */
static int
present(enum ostore_db db, const void *k, size_t kl)
{
	struct ostore_txn	*t = ostore_read_begin(NULL);
	const void		*v;
	size_t			 vl;
	int			 p;

	p = ostore_get(t, db, k, kl, &v, &vl) == OSTORE_OK;
	ostore_read_end(t);
	return p;
}

/* 1 if the consent (sub, cid, rid) has an expiry entry at exp. */
static int
expiring(const char *sub, const char *cid, const char *rid, int64_t exp)
{
	unsigned char	 k[600];
	int		 i;

	for (i = 0; i < 8; i++)
		k[i] = (unsigned char)((uint64_t)exp >> (56 - 8 * i));
	k[8] = (unsigned char)OSTORE_CONSENTS;
	return present(OSTORE_EXPIRY, k, 9 + ckey(sub, cid, rid,
	    (char *)k + 9));
}

/* 1 if the consent (sub, cid, rid) is stored. */
static int
stored(const char *sub, const char *cid, const char *rid)
{
	char	 k[600];

	return present(OSTORE_CONSENTS, k, ckey(sub, cid, rid, k));
}

/* The request ids of a list, joined by spaces, into buf. */
static const char *
rids(const struct oconsent *v, size_t n, char *buf, size_t sz)
{
	size_t	 i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strncat(buf, " ", sz - strlen(buf) - 1);
		strncat(buf, v[i].request_id, sz - strlen(buf) - 1);
	}
	return buf;
}

/* The request ids of subject's consents (for client), newest first. */
static const char *
listed(const char *sub, const char *cid, char *buf, size_t sz)
{
	struct ostore_txn	*t = ostore_read_begin(NULL);
	struct oerr		 err;
	struct oconsent		*v;
	size_t			 n;

	oerr_clear(&err);
	if (!oconsents_list(t, sub, cid, &v, &n, &err)) {
		ostore_read_end(t);
		return "(failed)";
	}
	ostore_read_end(t);
	rids(v, n, buf, sz);
	oconsents_list_free(v, n);
	return buf;
}

/* The request id of the consent oconsents_find picks, or "-". */
static const char *
found(const char *sub, const char *cid, char *buf, size_t sz)
{
	struct ostore_txn	*t = ostore_read_begin(NULL);
	struct oerr		 err;
	struct oconsent		 c;

	oerr_clear(&err);
	if (!oconsents_find(t, sub, cid, &c, &err)) {
		ostore_read_end(t);
		snprintf(buf, sz, "-%d", err.status);
		return buf;
	}
	ostore_read_end(t);
	snprintf(buf, sz, "%s", c.request_id);
	oconsents_free(&c);
	return buf;
}

/* A full consent: written as before, read back member for member. */
static void
round_trip(void)
{
	struct tfix_store	 d;
	struct oconsent		 c, got;
	struct ostore_txn	*t;
	struct oerr		 err;
	json_t			*a;
	const void		*v;
	size_t			 vl;
	char			 k[600];
	const char		*want =
	    "{\"request_id\":\"r1\",\"sub\":\"alice\",\"client_id\":\"c1\","
	    "\"scope\":[\"openid\",\"offline\"],\"aud\":[\"https://api\"],"
	    "\"session\":{\"id_token\":{\"email\":\"a@x\"},"
	    "\"access_token\":{}},\"sid\":\"sid-1\",\"remember\":true,"
	    "\"remember_for\":3600,\"remember_until\":0,"
	    "\"handled_at\":1400,\"exp\":9000,"
	    "\"requested_scope\":[\"openid\",\"offline\",\"email\"],"
	    "\"requested_audience\":[],"
	    "\"login\":{\"subject\":\"alice\",\"acr\":\"1\"},"
	    "\"request_url\":\"https://op/oauth2/auth?x=1\",\"skip\":false}";

	if (!CHECKED(tfix_store_open(&d, "test_consents")))
		return;
	c = consent("alice", "c1", "r1", 1, 0, 1400, 9000);
	c.remember_for = 3600;
	c.request_url = "https://op/oauth2/auth?x=1";
	a = json_pack("[s,s]", "openid", "offline");
	ojson_strs_set(&c.scope, a);
	json_decref(a);
	a = json_pack("[s,i]", "https://api", 7);
	ojson_strs_set(&c.aud, a);		/* 7 is skipped */
	CHECK(c.aud.n == 1);
	json_decref(a);
	a = json_pack("[s,s,s]", "openid", "offline", "email");
	ojson_strs_set(&c.requested_scope, a);
	json_decref(a);
	c.session = json_pack("{s:{s:s},s:{}}", "id_token", "email", "a@x",
	    "access_token");
	c.login = json_pack("{s:s,s:s}", "subject", "alice", "acr", "1");
	put(&c, 1);
	/* The same bytes as the JSON record of earlier versions. */
	CHECK((t = ostore_read_begin(NULL)) != NULL);
	CHECK(ostore_get(t, OSTORE_CONSENTS, k, ckey("alice", "c1", "r1", k),
	    &v, &vl) == OSTORE_OK);
	CHECK(vl == strlen(want) && memcmp(v, want, vl) == 0);
	if (vl != strlen(want) || memcmp(v, want, vl) != 0)
		fprintf(stderr, "got %.*s\n", (int)vl, (const char *)v);
	oerr_clear(&err);
	CHECK(oconsents_find(t, "alice", "c1", &got, &err));
	ostore_read_end(t);
	CHECK_STR(got.request_id, "r1");
	CHECK_STR(got.sub, "alice");
	CHECK_STR(got.client_id, "c1");
	CHECK(got.scope.n == 2 && strcmp(got.scope.v[1], "offline") == 0);
	CHECK(got.aud.n == 1 && strcmp(got.aud.v[0], "https://api") == 0);
	CHECK(json_equal(got.session, c.session));
	CHECK_STR(got.sid, "sid-1");
	CHECK(got.remember == 1 && got.remember_for == 3600);
	CHECK(got.remember_until == 0 && got.handled_at == 1400 &&
	    got.exp == 9000);
	CHECK(got.requested_scope.n == 3 && got.requested_audience.n == 0);
	CHECK(json_equal(got.login, c.login));
	CHECK_STR(got.request_url, "https://op/oauth2/auth?x=1");
	CHECK(got.skip == 0);
	CHECK(ojson_strs_has(&got.scope, "openid"));
	CHECK(!ojson_strs_has(&got.scope, "open"));
	a = ojson_strs_json(&got.requested_scope);
	CHECK(json_array_size(a) == 3 && strcmp(json_string_value(
	    json_array_get(a, 2)), "email") == 0);
	json_decref(a);
	oconsents_free(&got);
	CHECK(got.sub == NULL && got.session == NULL);
	oconsents_free(&got);		/* a zeroed one is fine */
	/* Borrowed strings of c: free only what it owns. */
	ojson_strs_free(&c.scope);
	ojson_strs_free(&c.aud);
	ojson_strs_free(&c.requested_scope);
	json_decref(c.session);
	json_decref(c.login);
	CHECK(tfix_store_close(&d));
}

/*
 * The newest remembered, unexpired consent wins; consents that were
 * not remembered or whose remember_until passed never do.
 */
static void
newest_remembered(void)
{
	struct tfix_store	 d;
	struct oconsent		 v[6];
	char			 buf[256];
	int64_t			 now = onow();

	if (!CHECKED(tfix_store_open(&d, "test_consents")))
		return;
	v[0] = consent("alice", "c1", "r0", 1, 0, 1000, 0);
	v[1] = consent("alice", "c1", "r1", 0, 0, 1001, now + 60);
	v[2] = consent("alice", "c1", "r2", 1, now + 600, 999, now + 600);
	v[3] = consent("alice", "c1", "r3", 1, now - 1, 2000, 0);
	v[4] = consent("alice", "c2", "r4", 1, 0, 3000, 0);
	v[5] = consent("bob", "c1", "r5", 1, 0, 4000, 0);
	put(v, 6);
	CHECK_STR(found("alice", "c1", buf, sizeof(buf)), "r0");
	CHECK_STR(found("alice", "c2", buf, sizeof(buf)), "r4");
	CHECK_STR(found("bob", "c1", buf, sizeof(buf)), "r5");
	CHECK_STR(found("bob", "c2", buf, sizeof(buf)), "-404");
	CHECK_STR(found("carol", "c1", buf, sizeof(buf)), "-404");
	/* Every consent, remembered or not, newest first. */
	CHECK_STR(listed("alice", NULL, buf, sizeof(buf)),
	    "r4 r3 r1 r0 r2");
	CHECK_STR(listed("alice", "c1", buf, sizeof(buf)), "r3 r1 r0 r2");
	CHECK_STR(listed("carol", NULL, buf, sizeof(buf)), "");
	CHECK(stored("alice", "c1", "r0") && !stored("alice", "c2", "r0"));
	CHECK(tfix_store_close(&d));
}

/* "c1" must not match "c10": the key ends the client id with NUL. */
static void
key_boundaries(void)
{
	struct tfix_store	 d;
	struct oconsent		 v[4];
	char			 buf[256];

	if (!CHECKED(tfix_store_open(&d, "test_consents")))
		return;
	v[0] = consent("alice", "c1", "r0", 1, 0, 1000, 0);
	v[1] = consent("alice", "c10", "r1", 1, 0, 2000, 0);
	v[2] = consent("alice1", "c1", "r2", 1, 0, 3000, 0);
	v[3] = consent("alice", "c", "r3", 1, 0, 500, 0);
	put(v, 4);
	CHECK_STR(listed("alice", "c1", buf, sizeof(buf)), "r0");
	CHECK_STR(listed("alice", "c10", buf, sizeof(buf)), "r1");
	CHECK_STR(listed("alice", "c", buf, sizeof(buf)), "r3");
	CHECK_STR(listed("alice", NULL, buf, sizeof(buf)), "r1 r0 r3");
	CHECK_STR(listed("alice1", NULL, buf, sizeof(buf)), "r2");
	CHECK_STR(listed("alic", NULL, buf, sizeof(buf)), "");
	CHECK_STR(found("alice", "c1", buf, sizeof(buf)), "r0");
	CHECK_STR(found("alice", "c", buf, sizeof(buf)), "r3");
	CHECK(tfix_store_close(&d));
}

static int
erase_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oconsents_erase(t, arg, err);
}

static int
erase_client_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oconsents_erase_client(t, arg, err);
}

/* Erasing one consent, or a client's, takes their expiry entries. */
static void
erase(void)
{
	struct tfix_store	 d;
	struct oconsent		 v[5];
	struct oerr		 err;
	char			 buf[256];

	if (!CHECKED(tfix_store_open(&d, "test_consents")))
		return;
	v[0] = consent("alice", "c1", "r0", 1, 0, 1000, 7000);
	v[1] = consent("alice", "c10", "r1", 1, 0, 2000, 7001);
	v[2] = consent("bob", "c1", "r2", 0, 0, 3000, 7002);
	v[3] = consent("bob", "c2", "r3", 1, 0, 4000, 7003);
	v[4] = consent("carol", "c1", "r4", 1, 0, 5000, 0);
	put(v, 5);
	/* Written with the record; none for exp 0. */
	CHECK(expiring("alice", "c1", "r0", 7000));
	CHECK(expiring("alice", "c10", "r1", 7001));
	CHECK(expiring("bob", "c2", "r3", 7003));
	CHECK(!expiring("carol", "c1", "r4", 0));
	/* One consent. */
	oerr_clear(&err);
	CHECK(ostore_write(erase_fn, &v[3], &err));
	CHECK(!stored("bob", "c2", "r3"));
	CHECK(!expiring("bob", "c2", "r3", 7003));
	CHECK(ostore_write(erase_fn, &v[3], &err));	/* gone: fine */
	/* Every consent of c1, and only those. */
	CHECK(ostore_write(erase_client_fn, "c1", &err));
	CHECK_STR(listed("alice", NULL, buf, sizeof(buf)), "r1");
	CHECK_STR(listed("bob", NULL, buf, sizeof(buf)), "");
	CHECK_STR(listed("carol", NULL, buf, sizeof(buf)), "");
	CHECK(!expiring("alice", "c1", "r0", 7000));
	CHECK(!expiring("bob", "c1", "r2", 7002));
	CHECK(expiring("alice", "c10", "r1", 7001));
	/* A client with none. */
	CHECK(ostore_write(erase_client_fn, "c", &err));
	CHECK_STR(listed("alice", NULL, buf, sizeof(buf)), "r1");
	CHECK(tfix_store_close(&d));
}

static int
bad_put_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oconsents_put(t, arg, err);
}

/* A consent without a subject or client cannot be stored. */
static void
bad_keys(void)
{
	struct tfix_store	 d;
	struct oconsent		 c;
	struct oerr		 err;
	char			 longsub[600];

	if (!CHECKED(tfix_store_open(&d, "test_consents")))
		return;
	c = consent("", "c1", "r0", 1, 0, 1000, 0);
	oerr_clear(&err);
	CHECK(!ostore_write(bad_put_fn, &c, &err) && err.status == 500);
	c = consent("alice", "c1", "r0", 1, 0, 1000, 0);
	c.client_id = NULL;
	oerr_clear(&err);
	CHECK(!ostore_write(bad_put_fn, &c, &err) && err.status == 500);
	memset(longsub, 'a', sizeof(longsub) - 1);
	longsub[sizeof(longsub) - 1] = '\0';
	c = consent(longsub, "c1", "r0", 1, 0, 1000, 0);
	oerr_clear(&err);
	CHECK(!ostore_write(bad_put_fn, &c, &err) && err.status == 500);
	CHECK(tfix_store_close(&d));
}

static int
revoke_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	size_t	*n = arg;

	return olife_consent_revoke(t, "alice", n[0] ? "c1" : NULL, &n[1]);
}

static int
flush_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return olife_flush(t, *(int64_t *)arg, 0, NULL);
}

/* The cascades of lifecycle.c over consents: revoke, flush. */
static void
lifecycle(void)
{
	struct tfix_store	 d;
	struct oconsent		 v[3];
	struct oerr		 err;
	char			 buf[256];
	size_t			 n[2];
	int64_t			 cut;

	if (!CHECKED(tfix_store_open(&d, "test_consents")))
		return;
	v[0] = consent("alice", "c1", "r0", 1, 0, 1000, 100);
	v[1] = consent("alice", "c1", "r1", 0, 0, 1001, 0);
	v[2] = consent("alice", "c2", "r2", 1, 0, 1002, 200);
	put(v, 3);
	/* Flushing up to 150 takes r0 and its entry, nothing else. */
	cut = 150;
	oerr_clear(&err);
	CHECK(ostore_write(flush_fn, &cut, &err));
	CHECK_STR(listed("alice", NULL, buf, sizeof(buf)), "r2 r1");
	CHECK(!expiring("alice", "c1", "r0", 100));
	CHECK(expiring("alice", "c2", "r2", 200));
	put(v, 1);
	n[0] = 1;
	CHECK(ostore_write(revoke_fn, n, &err) && n[1] == 2);
	CHECK_STR(listed("alice", NULL, buf, sizeof(buf)), "r2");
	n[0] = 0;
	CHECK(ostore_write(revoke_fn, n, &err) && n[1] == 1);
	CHECK_STR(listed("alice", NULL, buf, sizeof(buf)), "");
	CHECK(!expiring("alice", "c2", "r2", 200));
	CHECK(tfix_store_close(&d));
}

static const struct t_case tests[] = {
	T(round_trip), T(newest_remembered), T(key_boundaries), T(erase),
	T(bad_keys), T(lifecycle),
};

int
main(void)
{
	int	 rc;

	conf.issuer = "http://127.0.0.1:4444/";
	conf.secrets[0] = secret;
	conf.nsecrets = 1;
	oconf = &conf;
	rc = t_run(tests, NTESTS);
	oconf = NULL;
	return rc;
}
