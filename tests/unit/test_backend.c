/*
 * test_backend.c: the store's contracts (store.h) on whichever backend
 * tfix_store_open() opens: LMDB, or PostgreSQL when OIDCGI_TEST_DSN is
 * set (make check sets it when scripts/pgtest can start a server), so
 * that both backends are held to the same tests.  PostgreSQL's own
 * cases (a database without the tables, one that is down, writers that
 * conflict) run only on it.  Children leave with _exit().
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "store/store.h"
#include "t.h"
#include "tfix.h"

#define MANY	700		/* more than one batch of a scan */
#define KIDS	6
#define BUMPS	15

/* Put key -> val (strings) in db, in one write transaction. */
struct kv {
	enum ostore_db	 db;
	const char	*k, *v;
	unsigned	 flags;
	enum ostore_rc	 rc;
};

static int
put_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct kv	*p = arg;

	p->rc = ostore_put(t, p->db, p->k, strlen(p->k), p->v, strlen(p->v),
	    p->flags);
	return p->rc == OSTORE_OK || p->rc == OSTORE_EXISTS;
}

static enum ostore_rc
put1(const char *k, const char *v, unsigned flags)
{
	struct kv	 p = { OSTORE_CLIENTS, k, v, flags, OSTORE_ERR };
	struct oerr	 err;

	oerr_clear(&err);
	if (!ostore_write(put_fn, &p, &err))
		return OSTORE_ERR;
	return p.rc;
}

/* Get key from OSTORE_CLIENTS into buf (NUL-terminated). */
static enum ostore_rc
get1(const char *k, char *buf, size_t sz)
{
	struct ostore_txn	*t;
	struct oerr		 err;
	const void		*v;
	size_t			 len;
	enum ostore_rc		 rc;

	oerr_clear(&err);
	if ((t = ostore_read_begin(&err)) == NULL)
		return OSTORE_ERR;
	rc = ostore_get(t, OSTORE_CLIENTS, k, strlen(k), &v, &len);
	if (rc == OSTORE_OK) {
		if (len >= sz)
			len = sz - 1;
		memcpy(buf, v, len);
		buf[len] = '\0';
	}
	ostore_read_end(t);
	return rc;
}

static int
del_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct kv	*p = arg;

	p->rc = ostore_del(t, p->db, p->k, strlen(p->k));
	return 1;
}

static void
test_put_get_del(void)
{
	struct tfix_store	 d;
	struct kv		 p = { OSTORE_CLIENTS, "a", NULL, 0, 0 };
	struct oerr		 err;
	char			 buf[64], big[600];

	if (!CHECKED(tfix_store_open(&d, "backend")))
		return;
	CHECK(put1("a", "one", 0) == OSTORE_OK);
	CHECK(get1("a", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "one");
	CHECK(put1("a", "two", 0) == OSTORE_OK);
	CHECK(get1("a", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "two");
	CHECK(put1("a", "three", OSTORE_NOOVERWRITE) == OSTORE_EXISTS);
	CHECK(get1("a", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "two");
	CHECK(put1("e", "", 0) == OSTORE_OK);
	CHECK(get1("e", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "");
	oerr_clear(&err);
	CHECK(ostore_write(del_fn, &p, &err) && p.rc == OSTORE_OK);
	CHECK(ostore_write(del_fn, &p, &err) && p.rc == OSTORE_NOTFOUND);
	CHECK(get1("a", buf, sizeof(buf)) == OSTORE_NOTFOUND);
	/* A key longer than any: not there, and never stored. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(get1(big, buf, sizeof(buf)) == OSTORE_NOTFOUND);
	CHECK(put1(big, "v", 0) == OSTORE_ERR);
	CHECK(tfix_store_close(&d));
}

/* A function that writes, then fails: nothing of it stays. */
static int
half_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	ostore_put(t, OSTORE_CLIENTS, "half", 4, "x", 1, 0);
	oerr_set(err, OERR_INVALID_REQUEST, "no");
	return 0;
}

static void
test_atomic(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	char			 buf[8];

	if (!CHECKED(tfix_store_open(&d, "backend")))
		return;
	oerr_clear(&err);
	CHECK(!ostore_write(half_fn, NULL, &err));
	CHECK(err.code == OERR_INVALID_REQUEST);
	CHECK(get1("half", buf, sizeof(buf)) == OSTORE_NOTFOUND);
	CHECK(tfix_store_close(&d));
}

struct seen {
	char	 keys[MANY + 8][16];
	size_t	 lens[MANY + 8];
	int	 n;
	int	 del;		/* delete what is shown */
	int	 stop;		/* stop after this many (0: never) */
	struct ostore_txn *t;
};

static int
seen_fn(const void *k, size_t klen, const void *v, size_t vlen, void *arg)
{
	struct seen	*s = arg;

	if (s->n < MANY + 8 && klen < 16) {
		memcpy(s->keys[s->n], k, klen);
		s->lens[s->n] = klen;
	}
	s->n++;
	if (s->del && ostore_del(s->t, OSTORE_TOKENS, k, klen) != OSTORE_OK)
		return 0;
	return s->stop == 0 || s->n < s->stop;
}

/* Binary keys, sorting as LMDB sorts them (memcmp, then shorter). */
static const struct {
	const char	*k;
	size_t		 len;
} bkeys[] = {
	{ "p\x00", 2 }, { "p", 1 }, { "p\xff\x01", 3 }, { "p\x00\x00", 3 },
	{ "q", 1 }, { "o\xff", 2 }, { "p\x7f", 2 }, { "p\x80", 2 },
};

static int
bkeys_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	size_t	 i;

	for (i = 0; i < sizeof(bkeys) / sizeof(bkeys[0]); i++)
		if (ostore_put(t, OSTORE_CLIENTS, bkeys[i].k, bkeys[i].len,
		    "v", 1, 0) != OSTORE_OK)
			return 0;
	return 1;
}

static void
test_scan_order(void)
{
	static const char *const want[] = {
		"p", "p\x00", "p\x00\x00", "p\x7f", "p\x80", "p\xff\x01",
	};
	static const size_t wlen[] = { 1, 2, 3, 2, 2, 3 };
	struct tfix_store	 d;
	struct ostore_txn	*t;
	struct oerr		 err;
	struct seen		*s;
	size_t			 i, n;

	s = calloc(1, sizeof(*s));
	if (!CHECKED(s != NULL) || !CHECKED(tfix_store_open(&d, "backend"))) {
		free(s);
		return;
	}
	oerr_clear(&err);
	CHECK(ostore_write(bkeys_fn, NULL, &err));
	if ((t = ostore_read_begin(&err)) != NULL) {
		CHECK(ostore_scan(t, OSTORE_CLIENTS, "p", 1, NULL, 0, seen_fn,
		    s) == OSTORE_OK);
		CHECK(s->n == 6);
		for (i = 0; i < 6 && i < (size_t)s->n; i++)
			CHECK(s->lens[i] == wlen[i] &&
			    memcmp(s->keys[i], want[i], wlen[i]) == 0);
		/* From a start inside the prefix. */
		memset(s, 0, sizeof(*s));
		CHECK(ostore_scan(t, OSTORE_CLIENTS, "p", 1, "p\x01", 2,
		    seen_fn, s) == OSTORE_OK);
		CHECK(s->n == 3);
		CHECK(s->lens[0] == 2 && memcmp(s->keys[0], "p\x7f", 2) == 0);
		/* Prefixes ending in 0xff: their keys, none after. */
		memset(s, 0, sizeof(*s));
		CHECK(ostore_scan(t, OSTORE_CLIENTS, "p\xff", 2, NULL, 0,
		    seen_fn, s) == OSTORE_OK);
		CHECK(s->n == 1);
		CHECK(s->lens[0] == 3 && memcmp(s->keys[0], "p\xff\x01", 3) ==
		    0);
		memset(s, 0, sizeof(*s));
		CHECK(ostore_scan(t, OSTORE_CLIENTS, "o\xff", 2, NULL, 0,
		    seen_fn, s) == OSTORE_OK);
		CHECK(s->n == 1);
		/* Everything, and a stop. */
		memset(s, 0, sizeof(*s));
		CHECK(ostore_scan(t, OSTORE_CLIENTS, NULL, 0, NULL, 0,
		    seen_fn, s) == OSTORE_OK);
		CHECK(s->n == 8);
		memset(s, 0, sizeof(*s));
		s->stop = 2;
		CHECK(ostore_scan(t, OSTORE_CLIENTS, NULL, 0, NULL, 0,
		    seen_fn, s) == OSTORE_OK);
		CHECK(s->n == 2);
		CHECK(ostore_count(t, OSTORE_CLIENTS, &n) == OSTORE_OK);
		CHECK(n == 8);
		CHECK(ostore_count(t, OSTORE_APPS, &n) == OSTORE_OK);
		CHECK(n == 0);
		ostore_read_end(t);
	} else
		CHECK(t != NULL);
	CHECK(tfix_store_close(&d));
	free(s);
}

static int
many_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	char	 k[16];
	int	 i, n;

	for (i = 0; i < MANY; i++) {
		n = snprintf(k, sizeof(k), "m%05d", i);
		if (ostore_put(t, OSTORE_TOKENS, k, (size_t)n, "v", 1, 0) !=
		    OSTORE_OK)
			return 0;
	}
	return 1;
}

static int
scandel_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct seen	*s = arg;

	s->t = t;
	s->del = 1;
	return ostore_scan(t, OSTORE_TOKENS, "m", 1, NULL, 0, seen_fn, s) ==
	    OSTORE_OK;
}

/* A scan longer than a batch, deleting as it goes. */
static void
test_scan_delete(void)
{
	struct tfix_store	 d;
	struct ostore_txn	*t;
	struct oerr		 err;
	struct seen		*s;
	size_t			 n = 1;
	int			 i, sorted = 1;

	s = calloc(1, sizeof(*s));
	if (!CHECKED(s != NULL) || !CHECKED(tfix_store_open(&d, "backend"))) {
		free(s);
		return;
	}
	oerr_clear(&err);
	CHECK(ostore_write(many_fn, NULL, &err));
	CHECK(ostore_write(scandel_fn, s, &err));
	CHECK(s->n == MANY);
	for (i = 1; i < s->n && i < MANY; i++)
		if (strcmp(s->keys[i - 1], s->keys[i]) >= 0)
			sorted = 0;
	CHECK(sorted);
	if ((t = ostore_read_begin(&err)) != NULL) {
		CHECK(ostore_count(t, OSTORE_TOKENS, &n) == OSTORE_OK);
		CHECK(n == 0);
		ostore_read_end(t);
	}
	CHECK(tfix_store_close(&d));
	free(s);
}

static int
bump_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return ostore_gen_bump(t, "test") == OSTORE_OK;
}

static unsigned long long
gen_now(void)
{
	struct ostore_txn	*t;
	unsigned long long	 g = 0;

	if ((t = ostore_read_begin(NULL)) == NULL)
		return 0;
	if (ostore_gen_get(t, "test", &g) != OSTORE_OK)
		g = 0;
	ostore_read_end(t);
	return g;
}

static void
test_gen(void)
{
	struct tfix_store	 d;
	struct oerr		 err;

	if (!CHECKED(tfix_store_open(&d, "backend")))
		return;
	CHECK(gen_now() == 0);
	oerr_clear(&err);
	CHECK(ostore_write(bump_fn, NULL, &err));
	CHECK(ostore_write(bump_fn, NULL, &err));
	CHECK(gen_now() == 2);
	CHECK(ostore_ready());
	CHECK(tfix_store_close(&d));
}

/*
 * Processes bumping one counter at once: every bump counts (PostgreSQL:
 * serialization failures retried by ostore_write; LMDB: one writer).
 */
static void
test_concurrent_writers(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	const char		*dsn = tfix_dsn();
	pid_t			 pid[KIDS];
	int			 i, j, st, ok;

	if (!CHECKED(tfix_store_open(&d, "backend")))
		return;
	for (i = 0; i < KIDS; i++) {
		if ((pid[i] = fork()) == -1) {
			CHECK(pid[i] != -1);
			break;
		}
		if (pid[i] == 0) {
			oerr_clear(&err);
			ok = ostore_open(dsn != NULL ? dsn : d.var, 0, &err);
			for (j = 0; ok && j < BUMPS; j++)
				ok = ostore_write(bump_fn, NULL, &err);
			if (!ok)
				fprintf(stderr, "child: %s\n",
				    err.description);
			_exit(ok ? 0 : 1);
		}
	}
	for (j = 0; j < i; j++) {
		CHECK(waitpid(pid[j], &st, 0) == pid[j]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	CHECK(gen_now() == (unsigned long long)KIDS * BUMPS);
	CHECK(tfix_store_close(&d));
}

/* In a child: open the store and put k -> v in OSTORE_CLIENTS. */
static int
child_put(struct tfix_store *d, const char *k, const char *v)
{
	struct oerr	 err;
	const char	*dsn = tfix_dsn();
	pid_t		 pid;
	int		 st;

	if ((pid = fork()) == -1)
		return 0;
	if (pid == 0) {
		oerr_clear(&err);
		if (!ostore_open(dsn != NULL ? dsn : d->var, 0, &err) ||
		    put1(k, v, 0) != OSTORE_OK)
			_exit(1);
		_exit(0);
	}
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0;
}

/* Whether t reads k as want (NULL: not there). */
static int
reads(struct ostore_txn *t, const char *k, const char *want)
{
	const void	*v;
	size_t		 len;
	enum ostore_rc	 rc;

	rc = ostore_get(t, OSTORE_CLIENTS, k, strlen(k), &v, &len);
	if (want == NULL)
		return rc == OSTORE_NOTFOUND;
	return rc == OSTORE_OK && len == strlen(want) &&
	    memcmp(v, want, len) == 0;
}

/*
 * A read transaction is one snapshot: what another process commits
 * after its first read is not seen, neither a changed record nor a new
 * one, until the next transaction.
 */
static void
test_snapshot(void)
{
	struct tfix_store	 d;
	struct ostore_txn	*t;
	struct oerr		 err;
	size_t			 n = 0;

	if (!CHECKED(tfix_store_open(&d, "backend")))
		return;
	CHECK(put1("s1", "old", 0) == OSTORE_OK);
	oerr_clear(&err);
	if (CHECKED((t = ostore_read_begin(&err)) != NULL)) {
		CHECK(reads(t, "s1", "old"));
		CHECK(child_put(&d, "s1", "new"));
		CHECK(child_put(&d, "s2", "new"));
		CHECK(reads(t, "s1", "old"));
		CHECK(reads(t, "s2", NULL));
		CHECK(ostore_count(t, OSTORE_CLIENTS, &n) == OSTORE_OK);
		CHECK(n == 1);
		ostore_read_end(t);
	}
	if (CHECKED((t = ostore_read_begin(&err)) != NULL)) {
		CHECK(reads(t, "s1", "new"));
		CHECK(reads(t, "s2", "new"));
		ostore_read_end(t);
	}
	CHECK(tfix_store_close(&d));
}

/* A write function that reads nothing and writes nothing. */
static int
noop_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return 1;
}

/*
 * Reads and writes one after another, each read transaction's end not
 * waited for on PostgreSQL (its COMMIT read with the next statement):
 * every read sees the write before it, hits and misses in one
 * transaction return their own values, and empty transactions (no
 * statement at all) come and go.
 */
static void
test_interleaved(void)
{
	struct tfix_store	 d;
	struct ostore_txn	*t;
	struct oerr		 err;
	struct seen		*s;
	char			 k[16], v[16], buf[16];
	int			 i, ok = 1;

	s = calloc(1, sizeof(*s));
	if (!CHECKED(s != NULL) || !CHECKED(tfix_store_open(&d, "backend"))) {
		free(s);
		return;
	}
	oerr_clear(&err);
	for (i = 0; i < 40 && ok; i++) {
		snprintf(k, sizeof(k), "i%02d", i);
		snprintf(v, sizeof(v), "v%d", i);
		ok = put1(k, v, 0) == OSTORE_OK &&
		    get1(k, buf, sizeof(buf)) == OSTORE_OK &&
		    strcmp(buf, v) == 0;
		if ((t = ostore_read_begin(&err)) == NULL) {
			ok = 0;
			break;
		}
		ostore_read_end(t);
		ok = ok && ostore_write(noop_fn, NULL, &err);
	}
	CHECK(ok);
	if (CHECKED((t = ostore_read_begin(&err)) != NULL)) {
		for (i = 0; i < 40; i++) {
			snprintf(k, sizeof(k), "i%02d", i);
			snprintf(v, sizeof(v), "v%d", i);
			if (!reads(t, k, v) || !reads(t, "nothere", NULL))
				ok = 0;
		}
		CHECK(ok);
		CHECK(ostore_scan(t, OSTORE_CLIENTS, "i", 1, NULL, 0, seen_fn,
		    s) == OSTORE_OK);
		CHECK(s->n == 40);
		CHECK(reads(t, "i07", "v7"));
		ostore_read_end(t);
	}
	CHECK(tfix_store_close(&d));
	free(s);
}

/*
 * Inside one write transaction, what it wrote is what it reads, in
 * order (on PostgreSQL an overwrite is not waited for: its result is
 * read with the next statement's).
 */
static int
own_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	int		*ok = arg;
	const void	*v;
	size_t		 len;
	int		 i;

	*ok = ostore_put(t, OSTORE_CLIENTS, "wa", 2, "1", 1, 0) ==
	    OSTORE_OK &&
	    ostore_put(t, OSTORE_CLIENTS, "wb", 2, "2", 1, 0) == OSTORE_OK &&
	    ostore_put(t, OSTORE_CLIENTS, "wa", 2, "3", 1, 0) == OSTORE_OK &&
	    ostore_get(t, OSTORE_CLIENTS, "wa", 2, &v, &len) == OSTORE_OK &&
	    len == 1 && memcmp(v, "3", 1) == 0 &&
	    ostore_put(t, OSTORE_CLIENTS, "wa", 2, "4", 1,
	    OSTORE_NOOVERWRITE) == OSTORE_EXISTS &&
	    ostore_put(t, OSTORE_CLIENTS, "wc", 2, "5", 1, 0) == OSTORE_OK &&
	    ostore_del(t, OSTORE_CLIENTS, "wc", 2) == OSTORE_OK &&
	    ostore_del(t, OSTORE_CLIENTS, "wc", 2) == OSTORE_NOTFOUND &&
	    ostore_put(t, OSTORE_CLIENTS, "wb", 2, "6", 1, 0) == OSTORE_OK;
	/* More writes than one pipeline holds. */
	for (i = 0; *ok && i < 100; i++)
		*ok = ostore_put(t, OSTORE_CLIENTS, "wd", 2, "7", 1, 0) ==
		    OSTORE_OK;
	return 1;
}

static void
test_write_reads_own(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	char			 buf[8];
	int			 ok = 0;

	if (!CHECKED(tfix_store_open(&d, "backend")))
		return;
	oerr_clear(&err);
	CHECK(ostore_write(own_fn, &ok, &err));
	CHECK(ok);
	CHECK(get1("wa", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "3");
	CHECK(get1("wb", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "6");
	CHECK(get1("wc", buf, sizeof(buf)) == OSTORE_NOTFOUND);
	CHECK(get1("wd", buf, sizeof(buf)) == OSTORE_OK);
	CHECK(tfix_store_close(&d));
}

/* Replace the database of dsn ("/postgres?") with name. */
static int
other_db(char *buf, size_t sz, const char *name)
{
	const char	*dsn = tfix_dsn(), *q;

	if ((q = strstr(dsn, "/postgres?")) == NULL)
		return 0;
	return snprintf(buf, sz, "%.*s/%s%s", (int)(q - dsn), dsn, name,
	    q + 9) < (int)sz;
}

/* PostgreSQL: a database without the tables, and one that is down. */
static void
test_pg_unavailable(void)
{
	struct ostore_txn	*t;
	struct oerr		 err;
	char			 dsn[1024];

	if (tfix_dsn() == NULL)
		return;
	/* template1 has no tables: 503, naming `oidcgi migrate sql`. */
	if (!CHECKED(other_db(dsn, sizeof(dsn), "template1")))
		return;
	oerr_clear(&err);
	CHECK(ostore_open(dsn, 0, &err));
	CHECK(!ostore_ready());
	CHECK((t = ostore_read_begin(&err)) == NULL);
	CHECK(err.status == 503);
	CHECK_STR(err.description, "The store is not available.");
	CHECK(strstr(err.hint, "oidcgi migrate sql") != NULL);
	oerr_clear(&err);
	CHECK(!ostore_write(bump_fn, NULL, &err));
	CHECK(err.status == 503);
	ostore_close();

	/* No server there. */
	oerr_clear(&err);
	CHECK(ostore_open("postgresql://oidcgi@/postgres?host=/nonexistent",
	    0, &err));
	CHECK(!ostore_ready());
	CHECK(!ostore_write(bump_fn, NULL, &err));
	CHECK(err.status == 503);
	ostore_close();

	/* migrate refuses what is not PostgreSQL. */
	{
		int	 from, to;

		oerr_clear(&err);
		CHECK(!ostore_migrate("/var/lib/x", &from, &to, &err));
	}
}

/*
 * PostgreSQL: the connection lost inside a read transaction (its server
 * process terminated from outside) makes the read fail with the 503 in
 * the transaction's err, and the next transaction connects again.
 * Needs the server's folder (OIDCGI_TEST_PGDIR, set by scripts/pgunit).
 */
static void
test_pg_lost_mid_read(void)
{
	struct tfix_store	 d;
	struct ostore_txn	*t;
	struct oerr		 err;
	const char		*dir = getenv("OIDCGI_TEST_PGDIR");
	const void		*v;
	size_t			 vl;
	char			 cmd[1536], buf[16];

	if (tfix_dsn() == NULL || dir == NULL)
		return;
	if (!CHECKED(tfix_store_open(&d, "lost")))
		return;
	CHECK(put1("k", "v", 0) == OSTORE_OK);
	oerr_clear(&err);
	if (!CHECKED((t = ostore_read_begin(&err)) != NULL))
		goto out;
	CHECK(ostore_get(t, OSTORE_CLIENTS, "k", 1, &v, &vl) == OSTORE_OK);
	snprintf(cmd, sizeof(cmd), "scripts/pgtest sql '%s' \"SELECT "
	    "count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
	    "WHERE datname = current_database() AND "
	    "pid <> pg_backend_pid()\" >/dev/null", dir);
	CHECK(system(cmd) == 0);
	CHECK(ostore_get(t, OSTORE_CLIENTS, "k", 1, &v, &vl) == OSTORE_ERR);
	CHECK(err.status == 503);
	CHECK_STR(err.description, "The store is not available.");
	/* Whatever the caller sets next does not hide it. */
	oerr_set(&err, OERR_SERVER_ERROR, "The store failed.");
	CHECK(err.status == 503);
	ostore_read_end(t);
	CHECK(get1("k", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "v");
out:
	CHECK(tfix_store_close(&d));
}

/*
 * PostgreSQL: the connection lost between two transactions, while the
 * first one's end is still unread (a read's COMMIT is not waited for):
 * the next transaction connects again at its first statement and reads
 * right; a write does too.
 */
static void
test_pg_lost_between(void)
{
	struct tfix_store	 d;
	const char		*dir = getenv("OIDCGI_TEST_PGDIR");
	char			 cmd[1536], buf[16];

	if (tfix_dsn() == NULL || dir == NULL)
		return;
	if (!CHECKED(tfix_store_open(&d, "lost")))
		return;
	CHECK(put1("k", "v", 0) == OSTORE_OK);
	CHECK(get1("k", buf, sizeof(buf)) == OSTORE_OK);
	snprintf(cmd, sizeof(cmd), "scripts/pgtest sql '%s' \"SELECT "
	    "count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
	    "WHERE datname = current_database() AND "
	    "pid <> pg_backend_pid()\" >/dev/null", dir);
	CHECK(system(cmd) == 0);
	CHECK(get1("k", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "v");
	CHECK(get1("k", buf, sizeof(buf)) == OSTORE_OK);
	CHECK(system(cmd) == 0);
	CHECK(put1("k", "w", 0) == OSTORE_OK);
	CHECK(get1("k", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "w");
	CHECK(tfix_store_close(&d));
}

/* Put "x", then have the connection terminated (arg: the command). */
static int
lostput_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	if (ostore_put(t, OSTORE_CLIENTS, "y", 1, "1", 1, 0) != OSTORE_OK ||
	    ostore_put(t, OSTORE_CLIENTS, "x", 1, "1", 1, 0) != OSTORE_OK)
		return 0;
	return system(arg) == 0;
}

/*
 * PostgreSQL: the connection lost after writes not waited for, before
 * the commit: a 503, and none of them is there.
 */
static void
test_pg_lost_mid_write(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	const char		*dir = getenv("OIDCGI_TEST_PGDIR");
	char			 cmd[1536], buf[16];

	if (tfix_dsn() == NULL || dir == NULL)
		return;
	if (!CHECKED(tfix_store_open(&d, "lost")))
		return;
	snprintf(cmd, sizeof(cmd), "scripts/pgtest sql '%s' \"SELECT "
	    "count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
	    "WHERE datname = current_database() AND "
	    "pid <> pg_backend_pid()\" >/dev/null", dir);
	oerr_clear(&err);
	CHECK(!ostore_write(lostput_fn, cmd, &err));
	CHECK(err.status == 503);
	CHECK(get1("x", buf, sizeof(buf)) == OSTORE_NOTFOUND);
	CHECK(get1("y", buf, sizeof(buf)) == OSTORE_NOTFOUND);
	CHECK(tfix_store_close(&d));
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(test_put_get_del),
		T(test_atomic),
		T(test_scan_order),
		T(test_scan_delete),
		T(test_gen),
		T(test_concurrent_writers),
		T(test_snapshot),
		T(test_interleaved),
		T(test_write_reads_own),
		T(test_pg_unavailable),
		T(test_pg_lost_mid_read),
		T(test_pg_lost_between),
		T(test_pg_lost_mid_write),
	};

	printf("# backend: %s\n", tfix_dsn() != NULL ? "PostgreSQL" : "LMDB");
	return t_run(tests, NTESTS);
}
