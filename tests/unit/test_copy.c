/*
 * test_copy.c: ostore_copy() (lib/store/copy.c), `oidcgi store copy`.
 * Every record of an LMDB store lands in the destination and back,
 * byte for byte: in another LMDB data directory, or, when make check
 * runs it on PostgreSQL (OIDCGI_TEST_DSN), in that database and from
 * it into a new data directory.  A destination that holds records is
 * refused and left as it was; generation counters never go back; a
 * missing source and a garbled stream are clear failures.
 */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "store/store.h"
#include "t.h"
#include "tfix.h"

/* The statics (parse(), the frame layout). */
#include "../../lib/store/copy.c"

#define MANY	600		/* more than two batches of a PostgreSQL scan */
#define BIG	(100 * 1024)	/* one value larger than a page */

/* Fill a source store with records of several kinds. */
static int
fill_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	unsigned char	 k[32], *big;
	char		 v[64];
	int		 i, ok = 1;

	for (i = 0; i < MANY && ok; i++) {
		memset(k, 0, sizeof(k));
		k[0] = (unsigned char)(i >> 8);
		k[1] = (unsigned char)i;	/* binary, with NULs */
		snprintf(v, sizeof(v), "{\"n\": %d}", i);
		ok = ostore_put(t, OSTORE_TOKENS, k, sizeof(k), v, strlen(v),
		    0) == OSTORE_OK && ostore_expiry_put(t, OSTORE_TOKENS, k,
		    sizeof(k), 1700000000 + i) == OSTORE_OK;
	}
	big = malloc(BIG);
	memset(big, 'x', BIG);
	ok = ok && ostore_put(t, OSTORE_CLIENTS, "c1", 2, big, BIG, 0) ==
	    OSTORE_OK;
	free(big);
	ok = ok && ostore_put(t, OSTORE_USERS, "alice", 5, "{}", 2, 0) ==
	    OSTORE_OK &&
	    ostore_put(t, OSTORE_KEYS, "s\0k1", 4, "{\"k\":1}", 7, 0) ==
	    OSTORE_OK &&
	    ostore_put(t, OSTORE_DEVICE_BY_USER_CODE, "u", 1, "", 0, 0) ==
	    OSTORE_OK;
	for (i = 0; i < 3 && ok; i++)
		ok = ostore_gen_bump(t, "keys") == OSTORE_OK;
	return ok;
}

/* Bump the counter "keys" n times (arg: int *). */
static int
bump_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	int	 i;

	for (i = 0; i < *(int *)arg; i++)
		if (ostore_gen_bump(t, "keys") != OSTORE_OK)
			return 0;
	return 1;
}

/* Put one client (a destination that holds something). */
static int
one_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return ostore_put(t, OSTORE_CLIENTS, "x", 1, "{}", 2, 0) ==
	    OSTORE_OK;
}

/* A growing text of the records dumped. */
struct text {
	char	*s;
	size_t	 len, cap;
};

static void
text_add(struct text *x, const void *p, size_t n, int hex)
{
	const unsigned char	*b = p;
	size_t			 i, need = hex ? 2 * n : n;

	if (x->len + need + 1 > x->cap) {
		x->cap = (x->len + need + 1) * 2;
		x->s = realloc(x->s, x->cap);
	}
	for (i = 0; i < n; i++) {
		if (hex) {
			snprintf(x->s + x->len, 3, "%02x", b[i]);
			x->len += 2;
		} else
			x->s[x->len++] = (char)b[i];
	}
	x->s[x->len] = '\0';
}

struct dumpst {
	struct text	*x;
	int		 db;
};

static int
dump_visit(const void *k, size_t klen, const void *v, size_t vlen,
    void *arg)
{
	struct dumpst	*d = arg;
	char		 db[8];

	if (d->db == OSTORE_META && klen == 6 && memcmp(k, "format", 6) == 0)
		return 1;
	snprintf(db, sizeof(db), "%d ", d->db);
	text_add(d->x, db, strlen(db), 0);
	text_add(d->x, k, klen, 1);
	text_add(d->x, " ", 1, 0);
	text_add(d->x, v, vlen, 1);
	text_add(d->x, "\n", 1, 0);
	return 1;
}

/*
 * Every record of the store at target (but meta's format) as text, one
 * line each; NULL when it cannot be read.  The caller frees it.
 */
static char *
dump(const char *target)
{
	struct ostore_txn	*t;
	struct oerr		 err;
	struct text		 x = { NULL, 0, 0 };
	struct dumpst		 d = { &x, 0 };
	int			 ok = 1;

	oerr_clear(&err);
	if (!ostore_open(target, 0, &err))
		return NULL;
	if ((t = ostore_read_begin(&err)) == NULL) {
		ostore_close();
		return NULL;
	}
	text_add(&x, "", 0, 0);
	for (d.db = 0; d.db < OSTORE__MAX && ok; d.db++)
		ok = ostore_scan(t, d.db, NULL, 0, NULL, 0, dump_visit, &d) ==
		    OSTORE_OK;
	ostore_read_end(t);
	ostore_close();
	if (!ok) {
		free(x.s);
		return NULL;
	}
	return x.s;
}

/* Open target, run fn, close.  Returns what ostore_write() returned. */
static int
write_at(const char *target,
    int (*fn)(struct ostore_txn *, void *, struct oerr *), void *arg)
{
	struct oerr	 err;
	int		 ok;

	oerr_clear(&err);
	if (!ostore_open(target, 0, &err))
		return 0;
	ok = twrite(fn, arg);
	ostore_close();
	return ok;
}

/* The counter "keys" of the store at target, or ~0 on failure. */
static unsigned long long
gen_at(const char *target)
{
	struct ostore_txn	*t;
	struct oerr		 err;
	unsigned long long	 g = ~0ULL;

	oerr_clear(&err);
	if (!ostore_open(target, 0, &err))
		return g;
	if ((t = ostore_read_begin(&err)) != NULL) {
		if (ostore_gen_get(t, "keys", &g) != OSTORE_OK)
			g = ~0ULL;
		ostore_read_end(t);
	}
	ostore_close();
	return g;
}

/*
 * The middle store: the PostgreSQL database of make check (emptied,
 * then closed), or a data directory not made yet.  Returns its target.
 */
static const char *
middle(struct tfix_store *s)
{
	if (tfix_dsn() != NULL) {
		if (!tfix_store_open(s, "copym"))
			return NULL;
		ostore_close();
		return tfix_dsn();
	}
	return tfix_dir(s, "copym") ? s->var : NULL;
}

/* LMDB -> the middle store -> LMDB, every record the same. */
static void
test_roundtrip(void)
{
	struct tfix_store	 a, m, b;
	struct oerr		 err;
	size_t			 counts[OSTORE__MAX];
	const char		*mid;
	char			*da = NULL, *dm = NULL, *db = NULL;

	if (!CHECKED(tfix_dir(&a, "copya")))
		return;
	CHECK(write_at(a.var, fill_fn, NULL));
	if (!CHECKED((mid = middle(&m)) != NULL))
		goto out;
	if (!CHECKED(tfix_dir(&b, "copyb")))
		goto out;

	oerr_clear(&err);
	CHECK(ostore_copy(a.var, mid, counts, &err) == OSTORE_COPY_OK);
	CHECK(counts[OSTORE_TOKENS] == MANY);
	CHECK(counts[OSTORE_EXPIRY] == MANY);
	CHECK(counts[OSTORE_CLIENTS] == 1);
	CHECK(counts[OSTORE_META] == 1);	/* gen:keys, not the format */
	CHECK(counts[OSTORE_SESSIONS] == 0);
	CHECK(!ostore_isopen());
	oerr_clear(&err);
	CHECK(ostore_copy(mid, b.var, counts, &err) == OSTORE_COPY_OK);
	CHECK(counts[OSTORE_TOKENS] == MANY);

	da = dump(a.var);
	dm = dump(mid);
	db = dump(b.var);
	CHECK(da != NULL && dm != NULL && db != NULL);
	CHECK(da != NULL && strstr(da, "0 67656e3a6b657973 "
	    "0000000000000003\n") != NULL);
	CHECK(da != NULL && dm != NULL && strcmp(da, dm) == 0);
	CHECK(da != NULL && db != NULL && strcmp(da, db) == 0);
	/* The destination is a store of its own: stamped, ready. */
	CHECK(gen_at(b.var) == 3);

	/* Again onto a destination that now holds records: refused. */
	oerr_clear(&err);
	CHECK(ostore_copy(a.var, b.var, counts, &err) ==
	    OSTORE_COPY_NOTEMPTY);
	CHECK(strstr(err.description, "already holds") != NULL);
	CHECK(strstr(err.description, "600 in tokens") != NULL);
	CHECK(counts[OSTORE_TOKENS] == 0);
	free(db);
	db = dump(b.var);
	CHECK(da != NULL && db != NULL && strcmp(da, db) == 0);
	oerr_clear(&err);
	CHECK(ostore_copy(a.var, mid, counts, &err) ==
	    OSTORE_COPY_NOTEMPTY);
	CHECK(tfix_store_close(&b));
out:
	free(da);
	free(dm);
	free(db);
	CHECK(tfix_store_close(&m));
	CHECK(tfix_store_close(&a));
}

/* Generation counters never go back; one present is moved past both. */
static void
test_counters(void)
{
	struct tfix_store	 a, b;
	struct oerr		 err;
	size_t			 counts[OSTORE__MAX];
	int			 n;

	if (!CHECKED(tfix_dir(&a, "copya")))
		return;
	if (!CHECKED(tfix_dir(&b, "copyb")))
		goto out;
	n = 3;
	CHECK(write_at(a.var, bump_fn, &n));
	n = 5;
	CHECK(write_at(b.var, bump_fn, &n));	/* counters only: empty */
	oerr_clear(&err);
	CHECK(ostore_copy(a.var, b.var, counts, &err) == OSTORE_COPY_OK);
	CHECK(gen_at(b.var) == 6);
	CHECK(tfix_store_close(&b));

	if (!CHECKED(tfix_dir(&b, "copyb")))
		goto out;
	n = 1;
	CHECK(write_at(b.var, bump_fn, &n));
	oerr_clear(&err);
	CHECK(ostore_copy(a.var, b.var, counts, &err) == OSTORE_COPY_OK);
	CHECK(gen_at(b.var) == 4);
	CHECK(tfix_store_close(&b));
out:
	CHECK(tfix_store_close(&a));
}

/* A missing source, a store already open, the same store twice. */
static void
test_refusals(void)
{
	struct tfix_store	 a, b;
	struct oerr		 err;
	struct stat		 st;
	size_t			 counts[OSTORE__MAX];
	char			*d0, *d1;

	if (!CHECKED(tfix_dir(&a, "copya")))
		return;
	if (!CHECKED(tfix_dir(&b, "copyb")))
		goto out;

	/* No store at the source: said so, the destination not made. */
	oerr_clear(&err);
	CHECK(ostore_copy(a.var, b.var, counts, &err) == OSTORE_COPY_FAILED);
	CHECK(strstr(err.description, "no data.mdb") != NULL);
	CHECK(stat(a.var, &st) == -1 && stat(b.var, &st) == -1);

	CHECK(write_at(a.var, one_fn, NULL));
	oerr_clear(&err);
	CHECK(ostore_copy(a.var, a.var, counts, &err) == OSTORE_COPY_FAILED);
	CHECK(strstr(err.description, "same store") != NULL);

	oerr_clear(&err);
	CHECK(ostore_open(a.var, 0, &err));
	CHECK(ostore_copy(a.var, b.var, counts, &err) == OSTORE_COPY_FAILED);
	CHECK(strstr(err.description, "has a store open") != NULL);
	ostore_close();
	CHECK(stat(b.var, &st) == -1);

	/* A destination that holds a record: refused, left as it was. */
	CHECK(write_at(b.var, one_fn, NULL));
	d0 = dump(b.var);
	oerr_clear(&err);
	CHECK(ostore_copy(a.var, b.var, counts, &err) ==
	    OSTORE_COPY_NOTEMPTY);
	CHECK(strstr(err.description, "1 in clients") != NULL);
	CHECK(strstr(err.hint, "nothing was written") != NULL);
	d1 = dump(b.var);
	CHECK(d0 != NULL && d1 != NULL && strcmp(d0, d1) == 0);
	free(d0);
	free(d1);

	/* A PostgreSQL destination without the tables: migrate it. */
	if (tfix_dsn() != NULL && CHECKED(strlen(tfix_dsn()) < 900)) {
		char		 other[1024];
		const char	*q = strstr(tfix_dsn(), "/postgres?");

		if (CHECKED(q != NULL)) {
			snprintf(other, sizeof(other), "%.*s/template1%s",
			    (int)(q - tfix_dsn()), tfix_dsn(), q + 9);
			oerr_clear(&err);
			CHECK(ostore_copy(a.var, other, counts, &err) ==
			    OSTORE_COPY_FAILED);
			CHECK(strstr(err.description, "destination") !=
			    NULL);
			CHECK(strstr(err.hint, "oidcgi migrate sql") !=
			    NULL);
		}
	}

	/* A PostgreSQL source that cannot be reached. */
	CHECK(tfix_store_close(&b));
	if (!CHECKED(tfix_dir(&b, "copyb")))
		goto out;
	oerr_clear(&err);
	CHECK(ostore_copy("postgresql://oidcgi@/x?host=/nonexistent",
	    b.var, counts, &err) == OSTORE_COPY_FAILED);
	CHECK(strstr(err.description, "the source PostgreSQL database")
	    != NULL);
	CHECK(stat(b.var, &st) == -1);
	CHECK(tfix_store_close(&b));
out:
	CHECK(tfix_store_close(&a));
}

/* A stream cut short or garbled is refused, whatever its frames say. */
static void
test_garbled(void)
{
	unsigned char	 s[64];
	struct rec	*recs;
	struct oerr	 err;
	size_t		 n, len;

	/* One record: db 1, key "k", value "vv", then END 1. */
	s[0] = 1;
	be_put(s + 1, 1, 4);
	be_put(s + 5, 2, 4);
	memcpy(s + 9, "kvv", 3);
	s[12] = FRAME_END;
	be_put(s + 13, 1, 8);
	len = 21;
	oerr_clear(&err);
	CHECK(parse(s, len, &recs, &n, &err) && n == 1 &&
	    recs[0].db == OSTORE_CLIENTS && recs[0].klen == 1 &&
	    recs[0].vlen == 2 && memcmp(recs[0].v, "vv", 2) == 0);
	free(recs);
	/* Every shorter stream fails: no END, or a frame cut. */
	for (len = 0; len < 21; len++) {
		oerr_clear(&err);
		CHECK(!parse(s, len, &recs, &n, &err));
		CHECK(err.description[0] != '\0');
		free(recs);
	}
	/* A wrong count, a key too long, an unknown database. */
	be_put(s + 13, 2, 8);
	oerr_clear(&err);
	CHECK(!parse(s, 21, &recs, &n, &err));
	free(recs);
	be_put(s + 13, 1, 8);
	be_put(s + 1, 600, 4);
	oerr_clear(&err);
	CHECK(!parse(s, 21, &recs, &n, &err));
	free(recs);
	be_put(s + 1, 1, 4);
	s[0] = OSTORE__MAX;
	oerr_clear(&err);
	CHECK(!parse(s, 21, &recs, &n, &err));
	free(recs);
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(test_roundtrip),
		T(test_counters),
		T(test_refusals),
		T(test_garbled),
	};

	printf("# copy: through %s\n", tfix_dsn() != NULL ? "PostgreSQL" :
	    "LMDB");
	return t_run(tests, NTESTS);
}
