/*
 * test_lifecycle.c: unit tests of lib/records/lifecycle.c, the
 * cascades across record modules: deleting a client takes its tokens
 * (and their index entries) and the consents given to it; deleting a
 * user their login sessions, consents and the tokens issued under
 * those; revoking the consents of a subject for one client or all;
 * flushing what expired, bounded and counted.  Against a real LMDB store
 * in a fresh directory under $TMPDIR for each test; the tables are
 * looked at directly.
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
#include "records/clients.h"
#include "records/consents.h"
#include "records/flow.h"
#include "records/lifecycle.h"
#include "records/sessions.h"
#include "records/tokens.h"
#include "records/users.h"
#include "t.h"
#include "tfix.h"

static char		 sys_secret[] = "0123456789abcdef0123456789abcdef";
static struct oconf	 conf;

static int
count_cb(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	(*(size_t *)arg)++;
	return 1;
}

/*
 * The number of records of db whose key starts with the string s and,
 * when s2 is not NULL, a NUL and s2 after it (a pair key's prefix);
 * (size_t)-1 on failure.
 */
static size_t
count(enum ostore_db db, const char *s, const char *s2)
{
	struct ostore_txn	*t;
	char			 p[256];
	size_t			 n = 0, pl;

	pl = strlen(s);
	memcpy(p, s, pl);
	p[pl++] = '\0';
	if (s2 != NULL) {
		memcpy(p + pl, s2, strlen(s2));
		pl += strlen(s2);
		p[pl++] = '\0';
	}
	if ((t = ostore_read_begin(NULL)) == NULL)
		return (size_t)-1;
	if (ostore_scan(t, db, p, pl, NULL, 0, count_cb, &n) != OSTORE_OK)
		n = (size_t)-1;
	ostore_read_end(t);
	return n;
}

/* A new client record with client_id id; fatal on failure. */
static void
client_new(const char *id)
{
	struct oerr	 err;
	json_t		*in, *rec;
	char		 secret[OCLIENT_SECRET_MAX + 1];

	in = json_pack("{s:s}", "client_id", id);
	oerr_clear(&err);
	if ((rec = oclient_create(in, 0, secret, &err)) == NULL) {
		fprintf(stderr, "oclient_create %s: %s\n", id,
		    err.description);
		abort();
	}
	json_decref(rec);
	json_decref(in);
}

/* A stored token: what it is, and its store id once stored. */
struct tok {
	enum otoken_kind	 kind;
	const char		*client_id;
	const char		*request_id;
	const char		*sub;
	int64_t			 exp;
	unsigned char		 id[OTOKEN_ID_LEN];
};

static int
tok_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	static const char *const kinds[] = {
		"code", "access_token", "refresh_token"
	};
	struct tok	*k = arg;
	char			 s[OTOKEN_MAX];
	struct otoken_rec	 rec;
	json_t			*j;
	int			 rc = 0;

	otoken_mint(k->kind, s, k->id);
	j = json_pack("{s:i,s:s,s:s,s:s,s:s,s:I,s:I,s:b}", "_v", 1, "kind",
	    kinds[k->kind], "request_id", k->request_id, "client_id",
	    k->client_id, "sub", k->sub, "iat", (json_int_t)(k->exp - 60),
	    "exp", (json_int_t)k->exp, "active", 1);
	if (otoken_rec_decode(j, &rec, err)) {
		memcpy(rec.id, k->id, OTOKEN_ID_LEN);
		rc = otoken_store(t, &rec, err);
	}
	otoken_rec_free(&rec);
	json_decref(j);
	return rc;
}

/* Store token k (kind, client, request, subject, exp set). */
static int
tok_put(struct tok *k, enum otoken_kind kind, const char *client_id,
    const char *request_id, const char *sub, int64_t exp)
{
	k->kind = kind;
	k->client_id = client_id;
	k->request_id = request_id;
	k->sub = sub;
	k->exp = exp;
	return twrite(tok_fn, k);
}

/* 1 if token k's record and both its index entries are there. */
static int
tok_there(const struct tok *k)
{
	unsigned char	 key[300];
	size_t		 n;

	if (tpresent(OSTORE_TOKENS, k->id, OTOKEN_ID_LEN) != 1)
		return 0;
	n = strlen(k->client_id);
	memcpy(key, k->client_id, n + 1);
	memcpy(key + n + 1, k->id, OTOKEN_ID_LEN);
	if (tpresent(OSTORE_TOKENS_BY_CLIENT, key, n + 1 + OTOKEN_ID_LEN) != 1)
		return 0;
	n = strlen(k->request_id);
	memcpy(key, k->request_id, n + 1);
	memcpy(key + n + 1, k->id, OTOKEN_ID_LEN);
	return tpresent(OSTORE_TOKENS_BY_REQUEST, key,
	    n + 1 + OTOKEN_ID_LEN) == 1;
}

/* 1 if nothing of token k is left: record and index entries. */
static int
tok_gone(const struct tok *k)
{
	unsigned char	 key[300];
	size_t		 n;

	if (tpresent(OSTORE_TOKENS, k->id, OTOKEN_ID_LEN) != 0)
		return 0;
	n = strlen(k->client_id);
	memcpy(key, k->client_id, n + 1);
	memcpy(key + n + 1, k->id, OTOKEN_ID_LEN);
	if (tpresent(OSTORE_TOKENS_BY_CLIENT, key, n + 1 + OTOKEN_ID_LEN) != 0)
		return 0;
	n = strlen(k->request_id);
	memcpy(key, k->request_id, n + 1);
	memcpy(key + n + 1, k->id, OTOKEN_ID_LEN);
	return tpresent(OSTORE_TOKENS_BY_REQUEST, key,
	    n + 1 + OTOKEN_ID_LEN) == 0;
}

static int
consent_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oconsents_put(t, arg, err);
}

/* Store the consent of sub to client_id under request_id until exp. */
static int
consent_put(const char *sub, const char *client_id, const char *request_id,
    int64_t exp)
{
	struct oconsent	 c;
	json_t		*scope = json_pack("[s]", "openid");
	int		 rc;

	memset(&c, 0, sizeof(c));
	c.sub = (char *)sub;
	c.client_id = (char *)client_id;
	c.request_id = (char *)request_id;
	c.remember = 1;
	c.handled_at = exp - 3600;
	c.exp = exp;
	ojson_strs_set(&c.scope, scope);
	json_decref(scope);
	rc = twrite(consent_fn, &c);
	ojson_strs_free(&c.scope);
	return rc;
}

static int
session_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oflow_session_put(t, arg, err);
}

/* Store the login session sid of sub until exp. */
static int
session_put(const char *sid, const char *sub, int64_t exp)
{
	struct osessions_rec	 s;

	memset(&s, 0, sizeof(s));
	s.sid = (char *)sid;
	s.sub = (char *)sub;
	s.auth_time = exp - 3600;
	s.exp = exp;
	return twrite(session_fn, &s);
}

/* 1 if the login session sid has been marked ended. */
static int
ended(const char *sid)
{
	struct ostore_txn	*t;
	int			 rc;

	if ((t = ostore_read_begin(NULL)) == NULL)
		return -1;
	rc = oflow_session_ended(t, sid);
	ostore_read_end(t);
	return rc;
}

/* 1 if client id is there. */
static int
client_there(const char *id)
{
	struct oerr	 err;
	json_t		*rec;

	oerr_clear(&err);
	rec = oclient_get(id, &err);
	json_decref(rec);
	return rec != NULL;
}

static int
remove_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return olife_client_remove(t, arg, err);
}

/*
 * Deleting a client takes its code, access and refresh tokens with
 * their index entries, and the consents given to it; another client's
 * stay.
 */
static void
client_delete(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	struct tok		 code, at, rt, other;
	int64_t			 exp = onow() + 3600;

	if (!CHECKED(tfix_store_open(&d, "test_lifecycle")))
		return;
	client_new("ca");
	client_new("cb");
	CHECK(tok_put(&code, OTOKEN_CODE, "ca", "ra1", "alice", exp));
	CHECK(tok_put(&at, OTOKEN_ACCESS, "ca", "ra2", "alice", exp));
	CHECK(tok_put(&rt, OTOKEN_REFRESH, "ca", "ra2", "alice", exp));
	CHECK(tok_put(&other, OTOKEN_ACCESS, "cb", "rb1", "alice", exp));
	CHECK(consent_put("alice", "ca", "ra1", exp));
	CHECK(consent_put("alice", "ca", "ra2", exp));
	CHECK(consent_put("bob", "ca", "ra3", exp));
	CHECK(consent_put("alice", "cb", "rb1", exp));
	CHECK(tok_there(&code) && tok_there(&at) && tok_there(&rt));
	CHECK(count(OSTORE_TOKENS_BY_CLIENT, "ca", NULL) == 3);
	CHECK(count(OSTORE_CONSENTS, "alice", "ca") == 2);

	oerr_clear(&err);
	CHECK(olife_client_delete("ca", &err));
	CHECK(!client_there("ca"));
	CHECK(tok_gone(&code) && tok_gone(&at) && tok_gone(&rt));
	CHECK(count(OSTORE_TOKENS_BY_CLIENT, "ca", NULL) == 0);
	CHECK(count(OSTORE_TOKENS_BY_REQUEST, "ra2", NULL) == 0);
	CHECK(count(OSTORE_CONSENTS, "alice", "ca") == 0);
	CHECK(count(OSTORE_CONSENTS, "bob", "ca") == 0);
	/* The other client keeps its token and consent. */
	CHECK(client_there("cb") && tok_there(&other));
	CHECK(count(OSTORE_CONSENTS, "alice", "cb") == 1);

	/* Again: a 404, and nothing else changes. */
	oerr_clear(&err);
	CHECK(!olife_client_delete("ca", &err) && err.status == 404);
	CHECK(tok_there(&other));

	/* A new client with the same id inherits nothing. */
	client_new("ca");
	CHECK(count(OSTORE_TOKENS_BY_CLIENT, "ca", NULL) == 0);

	/* Inside the caller's transaction. */
	CHECK(twrite(remove_fn, "cb"));
	CHECK(!client_there("cb") && tok_gone(&other));
	CHECK(count(OSTORE_CONSENTS, "alice", "cb") == 0);
	oerr_clear(&err);
	CHECK(ostore_write(remove_fn, "cb", &err) == 0 && err.status == 404);
	CHECK(tfix_store_close(&d));
}

/*
 * Deleting a user takes their login sessions (marked ended), their
 * consents and the tokens issued under those; another user's stay.
 */
static void
user_delete(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	struct tok		 a1, a2, b1;
	json_t			*u;
	char			 sub[64], bsub[64];
	int64_t			 exp = onow() + 3600;

	if (!CHECKED(tfix_store_open(&d, "test_lifecycle")))
		return;
	client_new("ca");
	client_new("cb");
	oerr_clear(&err);
	if ((u = ouser_create("alice", "password1", NULL, &err)) == NULL) {
		fprintf(stderr, "ouser_create: %s\n", err.description);
		CHECK(0);
		CHECK(tfix_store_close(&d));
		return;
	}
	snprintf(sub, sizeof(sub), "%s",
	    json_string_value(json_object_get(u, "subject")));
	json_decref(u);
	CHECK((u = ouser_create("bob", "password2", NULL, &err)) != NULL);
	snprintf(bsub, sizeof(bsub), "%s",
	    json_string_value(json_object_get(u, "subject")));
	json_decref(u);

	CHECK(session_put("sid-a1", sub, exp));
	CHECK(session_put("sid-a2", sub, exp));
	CHECK(session_put("sid-b1", bsub, exp));
	CHECK(consent_put(sub, "ca", "r-a1", exp));
	CHECK(consent_put(sub, "cb", "r-a2", exp));
	CHECK(consent_put(bsub, "ca", "r-b1", exp));
	CHECK(tok_put(&a1, OTOKEN_ACCESS, "ca", "r-a1", sub, exp));
	CHECK(tok_put(&a2, OTOKEN_REFRESH, "cb", "r-a2", sub, exp));
	CHECK(tok_put(&b1, OTOKEN_ACCESS, "ca", "r-b1", bsub, exp));
	CHECK(count(OSTORE_SESSIONS_BY_SUBJECT, sub, NULL) == 2);

	oerr_clear(&err);
	CHECK(olife_user_delete("alice", &err));
	oerr_clear(&err);
	u = ouser_get("alice", &err);
	CHECK(u == NULL && err.status == 404);
	json_decref(u);
	CHECK(tpresent(OSTORE_SESSIONS, "sid-a1", 6) == 0);
	CHECK(tpresent(OSTORE_SESSIONS, "sid-a2", 6) == 0);
	CHECK(count(OSTORE_SESSIONS_BY_SUBJECT, sub, NULL) == 0);
	CHECK(ended("sid-a1") == 1 && ended("sid-a2") == 1);
	CHECK(count(OSTORE_CONSENTS, sub, NULL) == 0);
	CHECK(tok_gone(&a1) && tok_gone(&a2));
	/* Bob's session, consent and token stay; the clients too. */
	CHECK(tpresent(OSTORE_SESSIONS, "sid-b1", 6) == 1);
	CHECK(ended("sid-b1") == 0);
	CHECK(count(OSTORE_CONSENTS, bsub, NULL) == 1);
	CHECK(tok_there(&b1));
	CHECK(client_there("ca") && client_there("cb"));

	oerr_clear(&err);
	CHECK(!olife_user_delete("alice", &err) && err.status == 404);
	CHECK(tfix_store_close(&d));
}

struct revoke_op {
	const char	*sub;
	const char	*client_id;
	size_t		 n;
};

static int
revoke_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct revoke_op	*op = arg;

	return olife_consent_revoke(t, op->sub, op->client_id, &op->n);
}

static int
revoke_uncounted_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return olife_consent_revoke(t, arg, NULL, NULL);
}

/* Revoking consents: one client's, then all, with their tokens. */
/* 1 if the grant of request rid is marked revoked (sealed codes). */
static int
grant_marked(const char *rid)
{
	struct ostore_txn	*t;
	int			 rc;

	if ((t = ostore_read_begin(NULL)) == NULL)
		return -1;
	rc = oflow_used(t, OFLOW_REVOKED_GRANT, rid, NULL);
	ostore_read_end(t);
	return rc;
}

static void
consent_revoke(void)
{
	struct tfix_store	 d;
	struct revoke_op	 op;
	struct tok		 t1, t2, t3, t4;
	int64_t			 exp = onow() + 3600;

	if (!CHECKED(tfix_store_open(&d, "test_lifecycle")))
		return;
	CHECK(consent_put("alice", "ca", "r1", exp));
	CHECK(consent_put("alice", "ca", "r2", exp));
	CHECK(consent_put("alice", "cb", "r3", exp));
	CHECK(consent_put("bob", "ca", "r4", exp));
	/* Given 1,000 s ago: no code of it can be redeemed any more. */
	CHECK(consent_put("alice", "ca", "r-old", exp - 1000));
	CHECK(tok_put(&t1, OTOKEN_ACCESS, "ca", "r1", "alice", exp));
	CHECK(tok_put(&t2, OTOKEN_REFRESH, "ca", "r2", "alice", exp));
	CHECK(tok_put(&t3, OTOKEN_ACCESS, "cb", "r3", "alice", exp));
	CHECK(tok_put(&t4, OTOKEN_ACCESS, "ca", "r4", "bob", exp));

	/* One client: its two consents and their tokens. */
	op.sub = "alice";
	op.client_id = "ca";
	op.n = 99;
	CHECK(twrite(revoke_fn, &op) && op.n == 3);
	CHECK(count(OSTORE_CONSENTS, "alice", "ca") == 0);
	/*
	 * Codes are sealed, not stored (tokens.h): the exchange finds a
	 * revoked grant by its mark, put while a code may be outstanding.
	 */
	CHECK(grant_marked("r1") == 1 && grant_marked("r2") == 1);
	CHECK(grant_marked("r-old") == 0 && grant_marked("r3") == 0);
	CHECK(count(OSTORE_CONSENTS, "alice", "cb") == 1);
	CHECK(tok_gone(&t1) && tok_gone(&t2));
	CHECK(tok_there(&t3) && tok_there(&t4));
	/* A client whose id starts another's is another client. */
	op.client_id = "c";
	CHECK(twrite(revoke_fn, &op) && op.n == 0);
	CHECK(count(OSTORE_CONSENTS, "alice", "cb") == 1);

	/* All clients of the subject; another subject's stay. */
	op.client_id = NULL;
	CHECK(twrite(revoke_fn, &op) && op.n == 1);
	CHECK(count(OSTORE_CONSENTS, "alice", NULL) == 0);
	CHECK(tok_gone(&t3));
	CHECK(count(OSTORE_CONSENTS, "bob", NULL) == 1 && tok_there(&t4));
	/* Nothing left to revoke: no error, none counted. */
	op.n = 99;
	CHECK(twrite(revoke_fn, &op) && op.n == 0);
	/* n may be NULL. */
	CHECK(twrite(revoke_uncounted_fn, "bob"));
	CHECK(count(OSTORE_CONSENTS, "bob", NULL) == 0 && tok_gone(&t4));
	CHECK(tfix_store_close(&d));
}

struct flush_op {
	int64_t	 not_after;
	size_t	 max;
	size_t	 done;
};

static int
flush_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct flush_op	*op = arg;

	return olife_flush(t, op->not_after, op->max, &op->done);
}

struct mark_op {
	const char	*id;
	int64_t		 exp;
};

static int
mark_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct mark_op	*m = arg;

	return oflow_use(t, OFLOW_LOGIN, m->id, m->exp, NULL) == OSTORE_OK;
}

/* 1 if the flow mark (login challenge id) is there. */
static int
marked(const char *id)
{
	struct ostore_txn	*t;
	int			 used;

	if ((t = ostore_read_begin(NULL)) == NULL)
		return -1;
	used = oflow_used(t, OFLOW_LOGIN, id, NULL);
	ostore_read_end(t);
	return used;
}

/*
 * Flushing: expired tokens, flow marks, sessions and consents go,
 * live ones stay; at most max; *done counts them.
 */
static void
flush(void)
{
	struct tfix_store	 d;
	struct flush_op		 f;
	struct mark_op		 m;
	struct tok		 old1, old2, live;
	int64_t			 now = onow();

	if (!CHECKED(tfix_store_open(&d, "test_lifecycle")))
		return;
	CHECK(tok_put(&old1, OTOKEN_ACCESS, "ca", "r-old1", "alice",
	    now - 100));
	/* A code is flushed 30 minutes after its exp (tokens.c). */
	CHECK(tok_put(&old2, OTOKEN_CODE, "ca", "r-old2", "alice",
	    now - 90 - 30 * 60));
	CHECK(tok_put(&live, OTOKEN_ACCESS, "ca", "r-live", "alice",
	    now + 3600));
	m.id = "flow-old";
	m.exp = now - 80;
	CHECK(twrite(mark_fn, &m));
	m.id = "flow-live";
	m.exp = now + 3600;
	CHECK(twrite(mark_fn, &m));
	CHECK(session_put("sid-old", "alice", now - 70));
	CHECK(session_put("sid-live", "alice", now + 3600));
	CHECK(consent_put("alice", "ca", "r-old1", now - 60));
	CHECK(consent_put("alice", "cb", "r-live", now + 3600));
	CHECK(marked("flow-old") == 1);
	CHECK(count(OSTORE_SESSIONS_BY_SUBJECT, "alice", NULL) == 2);

	/* Nothing expired before all of them. */
	f.not_after = now - 1000;
	f.max = 0;
	f.done = 99;
	CHECK(twrite(flush_fn, &f) && f.done == 0);
	CHECK(tok_there(&old1) && tok_there(&old2));

	/* Bounded: the oldest two, the tokens. */
	f.not_after = now;
	f.max = 2;
	CHECK(twrite(flush_fn, &f) && f.done == 2);
	CHECK(tok_gone(&old1) && tok_gone(&old2));
	CHECK(marked("flow-old") == 1);
	CHECK(tpresent(OSTORE_SESSIONS, "sid-old", 7) == 1);

	/* Unbounded: the flow mark, the session, the consent. */
	f.max = 0;
	CHECK(twrite(flush_fn, &f) && f.done == 3);
	CHECK(marked("flow-old") == 0);
	CHECK(tpresent(OSTORE_SESSIONS, "sid-old", 7) == 0);
	CHECK(count(OSTORE_SESSIONS_BY_SUBJECT, "alice", NULL) == 1);
	CHECK(count(OSTORE_CONSENTS, "alice", "ca") == 0);

	/* The live ones stay, and a second run finds nothing. */
	CHECK(tok_there(&live));
	CHECK(marked("flow-live") == 1);
	CHECK(tpresent(OSTORE_SESSIONS, "sid-live", 8) == 1);
	CHECK(count(OSTORE_CONSENTS, "alice", "cb") == 1);
	f.max = 16;
	CHECK(twrite(flush_fn, &f) && f.done == 0);

	/* Later they go too. */
	f.not_after = now + 3601;
	f.max = 0;
	CHECK(twrite(flush_fn, &f) && f.done == 4);
	CHECK(tok_gone(&live) && marked("flow-live") == 0);
	CHECK(tpresent(OSTORE_SESSIONS, "sid-live", 8) == 0);
	CHECK(count(OSTORE_CONSENTS, "alice", NULL) == 0);
	CHECK(tfix_store_close(&d));
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(client_delete),
		T(user_delete),
		T(consent_revoke),
		T(flush),
	};

	conf.issuer = "http://127.0.0.1:4444/";
	conf.secrets[0] = sys_secret;
	conf.nsecrets = 1;
	conf.ttl_access_token = 3600;
	conf.ttl_refresh_token = 720 * 3600;
	conf.ttl_id_token = 3600;
	conf.ttl_auth_code = 600;
	conf.ttl_login_consent = 1800;
	conf.lockout_attempts = 5;
	conf.lockout_window = 900;
	conf.lockout_duration = 900;
	oconf = &conf;
	return t_run(tests, NTESTS);
}
