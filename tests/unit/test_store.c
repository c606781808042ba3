/*
 * test_store.c: unit tests of lib/store/store.c against real LMDB files.
 *
 * Each test makes a fresh directory under $TMPDIR, closes the store
 * and removes the directory at the end.  The fork() tests check the
 * child's work through its exit status.  Children leave with _exit():
 * a child keeps the environment it inherited on purpose (see store.c),
 * which a leak checker at the child's exit would report.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "base/err.h"
#include "store/store.h"
#include "t.h"
#include "tfix.h"

#define VLEN	4000		/* one overflow page per value */

/*
 * Open the store in d->var with mapsize, failing the test (and printing
 * the error) if that fails.  Returns 1 if open.
 */
static int
open_ok(const struct tfix_store *d, size_t mapsize)
{
	struct oerr	 err;

	oerr_clear(&err);
	if (!ostore_open(d->var, mapsize, &err)) {
		fprintf(stderr, "ostore_open: %s\n", err.description);
		CHECK(0);
		return 0;
	}
	CHECK(!oerr_isset(&err));
	return 1;
}

/* One record to write with put_fn. */
struct rec {
	const char	*key;
	const char	*val;		/* NULL: delete */
	unsigned	 flags;
	enum ostore_rc	 rc;		/* result */
};

struct recs {
	struct rec	*r;
	size_t		 n;
	int		 ret;		/* what the function returns */
};

/*
 * ostore_write function: put (or delete) every record of a struct recs,
 * noting each result, then return its ret.
 */
static int
put_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct recs	*rs = arg;
	size_t		 i;

	for (i = 0; i < rs->n; i++) {
		if (rs->r[i].val != NULL)
			rs->r[i].rc = ostore_put(t, OSTORE_META, rs->r[i].key,
			    strlen(rs->r[i].key), rs->r[i].val,
			    strlen(rs->r[i].val), rs->r[i].flags);
		else
			rs->r[i].rc = ostore_del(t, OSTORE_META, rs->r[i].key,
			    strlen(rs->r[i].key));
	}
	if (!rs->ret)
		oerr_set(err, OERR_INVALID_GRANT, "put_fn said no");
	return rs->ret;
}

/*
 * Write (or delete, when val is NULL) one record in its own
 * transaction.  Returns the put's result, or OSTORE_ERR if the
 * transaction did not commit.
 */
static enum ostore_rc
put1(const char *key, const char *val, unsigned flags)
{
	struct rec	 r = { key, val, flags, OSTORE_ERR };
	struct recs	 rs = { &r, 1, 1 };
	struct oerr	 err;

	oerr_clear(&err);
	if (!ostore_write(put_fn, &rs, &err))
		return OSTORE_ERR;
	return r.rc;
}

/*
 * Read one record in its own read transaction into buf (NUL-terminated).
 * Returns the get's result.
 */
static enum ostore_rc
get1(const char *key, char *buf, size_t sz)
{
	struct ostore_txn	*t;
	const void		*v;
	size_t			 vlen;
	enum ostore_rc		 rc;

	if ((t = ostore_read_begin(NULL)) == NULL)
		return OSTORE_ERR;
	rc = ostore_get(t, OSTORE_META, key, strlen(key), &v, &vlen);
	if (rc == OSTORE_OK) {
		if (vlen >= sz)
			vlen = sz - 1;
		memcpy(buf, v, vlen);
		buf[vlen] = '\0';
	}
	ostore_read_end(t);
	return rc;
}

/* Many large values under one prefix. */
struct many {
	const char	*pfx;
	int		 n;
	int		 calls;		/* times the function ran */
	int		 sawfull;	/* some put returned OSTORE_FULL */
	int		 fullcalls;	/* runs in which one did */
};

/*
 * The value of record i of a struct many: VLEN bytes of i's low byte,
 * starting with i in decimal.
 */
static void
many_val(int i, unsigned char *buf)
{
	memset(buf, i & 0xff, VLEN);
	snprintf((char *)buf, 16, "%d", i);
}

/*
 * ostore_write function: put m->n values of VLEN bytes under m->pfx.
 * On OSTORE_FULL it sets an error and returns 0, which ostore_write must
 * clear when it retries.
 */
static int
many_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct many	*m = arg;
	unsigned char	 val[VLEN];
	char		 key[64];
	enum ostore_rc	 rc;
	int		 i;

	m->calls++;
	for (i = 0; i < m->n; i++) {
		snprintf(key, sizeof(key), "%s%06d", m->pfx, i);
		many_val(i, val);
		rc = ostore_put(t, OSTORE_META, key, strlen(key), val, VLEN, 0);
		if (rc == OSTORE_FULL) {
			m->sawfull = 1;
			m->fullcalls++;
			oerr_set(err, OERR_SERVER_ERROR, "many_fn: full");
			return 0;
		} else if (rc != OSTORE_OK)
			return 0;
	}
	return 1;
}

/*
 * Check that the n values of many_fn under pfx are all there, intact.
 * Returns 1 if so.
 */
static int
many_check(const char *pfx, int n)
{
	struct ostore_txn	*t;
	unsigned char		 want[VLEN];
	const void		*v;
	size_t			 vlen;
	char			 key[64];
	int			 i, ok = 1;

	if ((t = ostore_read_begin(NULL)) == NULL)
		return 0;
	for (i = 0; i < n && ok; i++) {
		snprintf(key, sizeof(key), "%s%06d", pfx, i);
		many_val(i, want);
		if (ostore_get(t, OSTORE_META, key, strlen(key), &v,
		    &vlen) != OSTORE_OK || vlen != VLEN ||
		    memcmp(v, want, VLEN) != 0) {
			fprintf(stderr, "many_check: %s bad\n", key);
			ok = 0;
		}
	}
	ostore_read_end(t);
	return ok;
}

/*
 * Read the "format" record of the store in dir with LMDB itself, to
 * check the documented layout.  The store must be closed.  Writes the
 * value into buf; returns 1 if found.
 */
static int
raw_format(const char *dir, char *buf, size_t sz)
{
	MDB_env		*e = NULL;
	MDB_txn		*txn = NULL;
	MDB_dbi		 dbi;
	MDB_val		 k, v;
	int		 ok = 0;

	k.mv_data = (void *)"format";
	k.mv_size = 6;
	if (mdb_env_create(&e) != 0)
		return 0;
	if (mdb_env_set_maxdbs(e, 4) == 0 &&
	    mdb_env_open(e, dir, MDB_RDONLY, 0600) == 0 &&
	    mdb_txn_begin(e, NULL, MDB_RDONLY, &txn) == 0 &&
	    mdb_dbi_open(txn, "meta", 0, &dbi) == 0 &&
	    mdb_get(txn, dbi, &k, &v) == 0 && v.mv_size < sz) {
		memcpy(buf, v.mv_data, v.mv_size);
		buf[v.mv_size] = '\0';
		ok = 1;
	}
	if (txn != NULL)
		mdb_txn_abort(txn);
	mdb_env_close(e);
	return ok;
}

/*
 * Run fn(arg) in a fork()ed child and wait for it.
 * Returns 1 if the child exited 0.
 */
static int
in_child(int (*fn)(void *), void *arg)
{
	pid_t	 pid;
	int	 st;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		perror("fork");
		return 0;
	}
	if (pid == 0)
		_exit(fn(arg) ? 0 : 1);
	if (waitpid(pid, &st, 0) == -1) {
		perror("waitpid");
		return 0;
	}
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* What a child writes. */
struct childarg {
	const struct tfix_store	*d;
	struct many		 m;
	int			 waitfd;	/* read 1 byte first */
};

/*
 * Child: open the store (which the parent may have open: then the
 * inherited environment must read as closed), write c->m, close.
 * Returns 1 on success.
 */
static int
child_write(void *arg)
{
	struct childarg	*c = arg;
	struct oerr	 err;
	char		 b;

	if (c->waitfd != -1 && read(c->waitfd, &b, 1) != 1)
		return 0;
	if (ostore_isopen() || ostore_read_begin(NULL) != NULL)
		return 0;
	oerr_clear(&err);
	if (!ostore_open(c->d->var, 64 * 1024, &err)) {
		fprintf(stderr, "child: ostore_open: %s\n", err.description);
		return 0;
	}
	if (!ostore_write(many_fn, &c->m, &err))
		return 0;
	ostore_close();
	return 1;
}

/* Before any open, nothing works and nothing crashes. */
static void
test_closed(void)
{
	struct oerr	 err;
	struct many	 m = { "x", 1, 0, 0, 0 };

	CHECK(!ostore_isopen());
	CHECK(!ostore_ready());
	CHECK(ostore_read_begin(NULL) == NULL);
	CHECK(ostore_mapsize() == 0);
	oerr_clear(&err);
	CHECK(!ostore_write(many_fn, &m, &err));
	CHECK(oerr_isset(&err));
	CHECK(m.calls == 0);
	ostore_read_end(NULL);
	ostore_close();
	oerr_clear(&err);
	CHECK(!ostore_open(NULL, 0, &err));
	CHECK(oerr_isset(&err));
	oerr_clear(&err);
	CHECK(!ostore_open("", 0, &err));
	CHECK(oerr_isset(&err));
}

/* A fresh store: 0700 directory, 0600 files, format 1, umask kept. */
static void
test_open_fresh(void)
{
	struct tfix_store	 d;
	struct stat		 st;
	char			 p[sizeof(d.var) + 16], buf[32];
	mode_t			 old;

	if (!CHECKED(tfix_dir(&d, "test_store")))
		return;
	old = umask(022);
	CHECK(!ostore_ready());
	if (!open_ok(&d, 0))
		goto out;
	CHECK(umask(022) == 022);
	CHECK(ostore_isopen());
	CHECK(ostore_ready());
	CHECK(ostore_mapsize() == OSTORE_MAP_DEFAULT);
	CHECK(stat(d.var, &st) == 0 && (st.st_mode & 0777) == 0700);
	snprintf(p, sizeof(p), "%s/data.mdb", d.var);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
	snprintf(p, sizeof(p), "%s/lock.mdb", d.var);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(get1("format", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "1");
	ostore_close();
	CHECK(!ostore_isopen());
	CHECK(!ostore_ready());
	/* The layout schema/store.md describes, read by LMDB itself. */
	buf[0] = '\0';
	CHECK(raw_format(d.var, buf, sizeof(buf)));
	CHECK_STR(buf, "1");
out:
	umask(old);
	CHECK(tfix_store_close(&d));
}

/* Reopening keeps the data; a second open in one process is refused. */
static void
test_reopen(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	char			 buf[32];

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 0))
		goto out;
	CHECK(put1("k", "v1", 0) == OSTORE_OK);
	oerr_clear(&err);
	CHECK(!ostore_open(d.var, 0, &err));
	CHECK(oerr_isset(&err));
	CHECK(ostore_isopen());		/* still open */
	ostore_close();
	if (!open_ok(&d, 0))
		goto out;
	CHECK(ostore_ready());
	CHECK(get1("k", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "v1");
	CHECK(get1("format", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "1");
out:
	CHECK(tfix_store_close(&d));
}

/*
 * A store stamped with format val is refused, with a message containing
 * want (when not NULL), and is left untouched.
 */
static void
check_refused(const char *val, const char *want)
{
	struct tfix_store	 d;
	struct oerr		 err;
	char			 buf[32];

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 0))
		goto out;
	CHECK(put1("format", val, 0) == OSTORE_OK);
	CHECK(!ostore_ready());		/* another version's store now */
	ostore_close();
	oerr_clear(&err);
	CHECK(!ostore_open(d.var, 0, &err));
	CHECK(oerr_isset(&err));
	CHECK(err.code == OERR_SERVER_ERROR);
	CHECK(strstr(err.description, d.var) != NULL);
	if (want != NULL && strstr(err.description, want) == NULL) {
		fprintf(stderr, "message: %s\n", err.description);
		CHECK(0);
	}
	CHECK(!ostore_isopen());
	CHECK(!ostore_ready());
	CHECK(raw_format(d.var, buf, sizeof(buf)));
	CHECK_STR(buf, val);
out:
	CHECK(tfix_store_close(&d));
}

/* Newer, older and unreadable formats are refused. */
static void
test_format_refused(void)
{
	check_refused("2", "has format 2; this oidcgi reads format 1 or "
	    "older");
	check_refused("0", "format 0");
	check_refused("1x", "unreadable format");
	check_refused("01", "unreadable format");
	check_refused("99999999999999999999999", "unreadable format");
}

/* After a refused open, the process can open another store. */
static void
test_open_after_refusal(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	char			 p[sizeof(d.var) + 16];
	FILE			*f;

	if (!CHECKED(tfix_dir(&d, "test_store")))
		return;
	/* A plain file where the directory should be. */
	snprintf(p, sizeof(p), "%s/var", d.base);
	if ((f = fopen(p, "w")) != NULL)
		fclose(f);
	oerr_clear(&err);
	CHECK(!ostore_open(d.var, 0, &err));
	CHECK(strstr(err.description, d.var) != NULL);
	CHECK(!ostore_isopen());
	unlink(p);
	if (open_ok(&d, 0))
		CHECK(ostore_ready());
	CHECK(tfix_store_close(&d));
}

/* Put, get, overwrite, delete. */
static void
test_put_get_del(void)
{
	struct tfix_store	 d;
	char			 buf[32];

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 0))
		goto out;
	CHECK(get1("a", buf, sizeof(buf)) == OSTORE_NOTFOUND);
	CHECK(put1("a", "1", 0) == OSTORE_OK);
	CHECK(get1("a", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "1");
	CHECK(put1("a", "22", 0) == OSTORE_OK);
	CHECK(get1("a", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "22");
	CHECK(put1("e", "", 0) == OSTORE_OK);
	buf[0] = 'x';
	CHECK(get1("e", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "");
	CHECK(put1("a", NULL, 0) == OSTORE_OK);
	CHECK(get1("a", buf, sizeof(buf)) == OSTORE_NOTFOUND);
	CHECK(put1("a", NULL, 0) == OSTORE_NOTFOUND);
out:
	CHECK(tfix_store_close(&d));
}

/* OSTORE_NOOVERWRITE gives OSTORE_EXISTS and keeps the old value. */
static void
test_nooverwrite(void)
{
	struct tfix_store	 d;
	char			 buf[32];

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 0))
		goto out;
	CHECK(put1("n", "first", OSTORE_NOOVERWRITE) == OSTORE_OK);
	CHECK(put1("n", "second", OSTORE_NOOVERWRITE) == OSTORE_EXISTS);
	CHECK(get1("n", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "first");
out:
	CHECK(tfix_store_close(&d));
}

/* A function returning 0 leaves nothing of its writes. */
static void
test_atomic(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	struct rec		 r[3] = {
		{ "x1", "new", 0, OSTORE_ERR },
		{ "x2", "new", 0, OSTORE_ERR },
		{ "keep", NULL, 0, OSTORE_ERR },
	};
	struct recs	 rs = { r, 3, 0 };
	char		 buf[32];

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 0))
		goto out;
	CHECK(put1("keep", "old", 0) == OSTORE_OK);
	oerr_clear(&err);
	CHECK(!ostore_write(put_fn, &rs, &err));
	CHECK(r[0].rc == OSTORE_OK && r[1].rc == OSTORE_OK &&
	    r[2].rc == OSTORE_OK);
	CHECK(err.code == OERR_INVALID_GRANT);	/* fn's error, kept */
	CHECK_STR(err.description, "put_fn said no");
	CHECK(get1("x1", buf, sizeof(buf)) == OSTORE_NOTFOUND);
	CHECK(get1("x2", buf, sizeof(buf)) == OSTORE_NOTFOUND);
	CHECK(get1("keep", buf, sizeof(buf)) == OSTORE_OK);
	CHECK_STR(buf, "old");
	/* The same writes commit whole when it returns 1. */
	rs.ret = 1;
	oerr_clear(&err);
	CHECK(ostore_write(put_fn, &rs, &err));
	CHECK(!oerr_isset(&err));
	CHECK(get1("x1", buf, sizeof(buf)) == OSTORE_OK);
	CHECK(get1("x2", buf, sizeof(buf)) == OSTORE_OK);
	CHECK(get1("keep", buf, sizeof(buf)) == OSTORE_NOTFOUND);
out:
	CHECK(tfix_store_close(&d));
}

/* Checks of bad arguments made inside a write transaction. */
struct argres {
	int	 ok;
	int	 nested_read;		/* read_begin refused */
	int	 nested_write;		/* ostore_write refused */
	int	 visited;		/* records a scan showed */
};

/* ostore_scan visitor: count what was shown. */
static int
visit_fn(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct argres	*a = arg;

	a->visited++;
	return 1;
}

/*
 * ostore_write function: every misuse returns OSTORE_ERR and leaves the
 * transaction usable; then one valid put.
 */
static int
args_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct argres	*a = arg;
	struct oerr	 e2;
	char		 big[2048];
	const void	*v;
	size_t		 vlen, max;
	struct recs	 rs = { NULL, 0, 1 };

	memset(big, 'k', sizeof(big));
	max = 511;	/* mdb_env_get_maxkeysize() of LMDB 0.9 */
	a->ok = 1;
	if (ostore_put(t, OSTORE_META, big, max + 1, "v", 1, 0) != OSTORE_ERR ||
	    ostore_put(t, OSTORE_META, big, sizeof(big), "v", 1, 0) !=
	    OSTORE_ERR ||
	    ostore_put(t, OSTORE_META, NULL, 3, "v", 1, 0) != OSTORE_ERR ||
	    ostore_put(t, OSTORE_META, NULL, 3, "v", 1, 0) != OSTORE_ERR ||
	    ostore_put(t, OSTORE_META, "k", 0, "v", 1, 0) != OSTORE_ERR ||
	    ostore_put(t, OSTORE_META, "k", 1, NULL, 1, 0) != OSTORE_ERR ||
	    ostore_put(t, OSTORE_META, "k", 1, "v", 1, 0x80) != OSTORE_ERR ||
	    ostore_put(t, (enum ostore_db)OSTORE__MAX, "k", 1, "v", 1, 0) !=
	    OSTORE_ERR ||
	    ostore_put(t, (enum ostore_db)-1, "k", 1, "v", 1, 0) !=
	    OSTORE_ERR ||
	    ostore_get(t, OSTORE_META, "k", 1, NULL, &vlen) != OSTORE_ERR ||
	    ostore_get(t, OSTORE_META, "k", 1, &v, NULL) != OSTORE_ERR ||
	    ostore_gen_bump(t, NULL) != OSTORE_ERR ||
	    ostore_gen_bump(t, "") != OSTORE_ERR ||
	    ostore_count(t, OSTORE_META, NULL) != OSTORE_ERR)
		a->ok = 0;
	/*
	 * A key longer than any key can be is simply not there (an id
	 * from a request): not found, and no prefix scan finds it.
	 */
	a->visited = 0;
	if (ostore_del(t, OSTORE_META, big, max + 1) != OSTORE_NOTFOUND ||
	    ostore_get(t, OSTORE_META, big, max + 1, &v, &vlen) !=
	    OSTORE_NOTFOUND ||
	    ostore_get(t, OSTORE_META, big, sizeof(big), &v, &vlen) !=
	    OSTORE_NOTFOUND ||
	    ostore_scan(t, OSTORE_META, big, max + 1, NULL, 0, visit_fn,
	    a) != OSTORE_OK || a->visited != 0 ||
	    ostore_get(t, OSTORE_META, NULL, max + 1, &v, &vlen) !=
	    OSTORE_ERR)
		a->ok = 0;
	big[sizeof(big) - 1] = '\0';
	if (ostore_gen_bump(t, big) != OSTORE_ERR)
		a->ok = 0;
	a->nested_read = ostore_read_begin(NULL) == NULL;
	oerr_clear(&e2);
	a->nested_write = !ostore_write(put_fn, &rs, &e2) && oerr_isset(&e2);
	/* A key of the largest size works. */
	if (ostore_put(t, OSTORE_META, big, max, "v", 1, 0) != OSTORE_OK ||
	    ostore_get(t, OSTORE_META, big, max, &v, &vlen) != OSTORE_OK ||
	    vlen != 1)
		a->ok = 0;
	(void)err;
	return 1;
}

/* NULL and invalid arguments give OSTORE_ERR, never a crash. */
static void
test_bad_args(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	struct argres		 a = { 0, 0, 0, 0 };
	struct ostore_txn	*t;
	const void		*v;
	size_t			 vlen, n;
	unsigned long long	 g;

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 0))
		goto out;
	oerr_clear(&err);
	CHECK(ostore_write(args_fn, &a, &err));
	CHECK(a.ok);
	CHECK(a.nested_read);
	CHECK(a.nested_write);
	oerr_clear(&err);
	CHECK(!ostore_write(NULL, NULL, &err));
	CHECK(oerr_isset(&err));

	CHECK(ostore_get(NULL, OSTORE_META, "k", 1, &v, &vlen) == OSTORE_ERR);
	CHECK(ostore_put(NULL, OSTORE_META, "k", 1, "v", 1, 0) == OSTORE_ERR);
	CHECK(ostore_del(NULL, OSTORE_META, "k", 1) == OSTORE_ERR);
	CHECK(ostore_count(NULL, OSTORE_META, &n) == OSTORE_ERR);
	CHECK(ostore_gen_get(NULL, "x", &g) == OSTORE_ERR);
	CHECK(ostore_gen_bump(NULL, "x") == OSTORE_ERR);

	if ((t = ostore_read_begin(NULL)) == NULL) {
		CHECK(0);
		goto out;
	}
	/* One transaction at a time per process. */
	CHECK(ostore_read_begin(NULL) == NULL);
	oerr_clear(&err);
	CHECK(!ostore_write(args_fn, &a, &err));
	CHECK(oerr_isset(&err));
	/* No writes through a read transaction. */
	CHECK(ostore_put(t, OSTORE_META, "k", 1, "v", 1, 0) == OSTORE_ERR);
	CHECK(ostore_del(t, OSTORE_META, "format", 6) == OSTORE_ERR);
	CHECK(ostore_gen_bump(t, "x") == OSTORE_ERR);
	CHECK(ostore_gen_get(t, "x", NULL) == OSTORE_ERR);
	CHECK(ostore_scan(t, OSTORE_META, NULL, 0, NULL, 0, NULL, NULL) ==
	    OSTORE_ERR);
	CHECK(ostore_scan(t, OSTORE_META, NULL, 3, NULL, 0, NULL, NULL) ==
	    OSTORE_ERR);
	CHECK(ostore_get(t, OSTORE_META, "format", 6, &v, &vlen) ==
	    OSTORE_OK);
	ostore_read_end(t);
	/* An ended transaction is refused, and ending it twice is harmless. */
	CHECK(ostore_get(t, OSTORE_META, "format", 6, &v, &vlen) ==
	    OSTORE_ERR);
	ostore_read_end(t);
	CHECK(ostore_ready());
out:
	CHECK(tfix_store_close(&d));
}

/* Records seen by a scan. */
struct seen {
	char	 keys[16][32];
	int	 n;
	int	 stop;		/* stop after this many, if > 0 */
	struct ostore_txn *del;	/* delete visited keys in it */
	int	 delfail;
};

/*
 * ostore_scan function: note the key, delete it if asked, and go on
 * until s->stop records were seen.
 */
static int
seen_fn(const void *key, size_t keylen, const void *val, size_t vallen,
    void *arg)
{
	struct seen	*s = arg;

	(void)val;
	(void)vallen;
	if (s->n < 16 && keylen < 32) {
		memcpy(s->keys[s->n], key, keylen);
		s->keys[s->n][keylen] = '\0';
	}
	if (s->del != NULL && ostore_del(s->del, OSTORE_META,
	    s->keys[s->n], keylen) != OSTORE_OK)
		s->delfail = 1;
	s->n++;
	return s->stop == 0 || s->n < s->stop;
}

/*
 * Scan the meta database in a read transaction into s.
 * Returns the scan's result.
 */
static enum ostore_rc
scan1(const char *prefix, const char *start, int stop, struct seen *s)
{
	struct ostore_txn	*t;
	enum ostore_rc		 rc;

	memset(s, 0, sizeof(*s));
	s->stop = stop;
	if ((t = ostore_read_begin(NULL)) == NULL)
		return OSTORE_ERR;
	rc = ostore_scan(t, OSTORE_META, prefix,
	    prefix != NULL ? strlen(prefix) : 0, start,
	    start != NULL ? strlen(start) : 0, seen_fn, s);
	ostore_read_end(t);
	return rc;
}

/* Scans by prefix and start, in key order, stopping early. */
static void
test_scan(void)
{
	struct tfix_store	 d;
	struct seen		 s;
	struct rec		 r[] = {
		{ "t:b:2", "x", 0, OSTORE_ERR },
		{ "t:a:3", "x", 0, OSTORE_ERR },
		{ "t:a:1", "x", 0, OSTORE_ERR },
		{ "t:a", "x", 0, OSTORE_ERR },
		{ "t:a:2", "x", 0, OSTORE_ERR },
		{ "t:", "x", 0, OSTORE_ERR },
		{ "t:a:", "x", 0, OSTORE_ERR },
		{ "t;", "x", 0, OSTORE_ERR },
	};
	struct recs	 rs = { r, sizeof(r) / sizeof(r[0]), 1 };
	struct oerr	 err;

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 0))
		goto out;
	oerr_clear(&err);
	CHECK(ostore_write(put_fn, &rs, &err));

	CHECK(scan1("t:a:", NULL, 0, &s) == OSTORE_OK);
	CHECK(s.n == 4);
	CHECK_STR(s.keys[0], "t:a:");
	CHECK_STR(s.keys[1], "t:a:1");
	CHECK_STR(s.keys[2], "t:a:2");
	CHECK_STR(s.keys[3], "t:a:3");

	CHECK(scan1("t:a:", "t:a:2", 0, &s) == OSTORE_OK);
	CHECK(s.n == 2);
	CHECK_STR(s.keys[0], "t:a:2");
	CHECK_STR(s.keys[1], "t:a:3");

	/* A start between keys, and one before the prefix. */
	CHECK(scan1("t:a:", "t:a:1x", 0, &s) == OSTORE_OK);
	CHECK(s.n == 2);
	CHECK_STR(s.keys[0], "t:a:2");
	CHECK(scan1("t:a:", "a", 0, &s) == OSTORE_OK);
	CHECK(s.n == 4);
	CHECK_STR(s.keys[0], "t:a:");

	/* Past the last key of the prefix, and a prefix with no keys. */
	CHECK(scan1("t:a:", "t:a:4", 0, &s) == OSTORE_OK);
	CHECK(s.n == 0);
	CHECK(scan1("t:c", NULL, 0, &s) == OSTORE_OK);
	CHECK(s.n == 0);
	CHECK(scan1("zzz", NULL, 0, &s) == OSTORE_OK);
	CHECK(s.n == 0);

	CHECK(scan1("t:", NULL, 0, &s) == OSTORE_OK);
	CHECK(s.n == 7);
	CHECK_STR(s.keys[0], "t:");
	CHECK_STR(s.keys[1], "t:a");
	CHECK_STR(s.keys[6], "t:b:2");

	/* Stopping early. */
	CHECK(scan1("t:", NULL, 2, &s) == OSTORE_OK);
	CHECK(s.n == 2);
	CHECK_STR(s.keys[1], "t:a");

	/* Everything, with a start and without a prefix. */
	CHECK(scan1(NULL, NULL, 0, &s) == OSTORE_OK);
	CHECK(s.n == 9);			/* with "format" */
	CHECK_STR(s.keys[0], "format");
	CHECK_STR(s.keys[8], "t;");
	CHECK(scan1(NULL, "t:b", 0, &s) == OSTORE_OK);
	CHECK(s.n == 2);
	CHECK_STR(s.keys[0], "t:b:2");
	CHECK_STR(s.keys[1], "t;");
out:
	CHECK(tfix_store_close(&d));
}

/*
 * ostore_write function: scan prefix "t:" deleting each record as it
 * is visited.
 */
static int
scan_del_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct seen	*s = arg;

	(void)err;
	memset(s, 0, sizeof(*s));
	s->del = t;
	return ostore_scan(t, OSTORE_META, "t:", 2, NULL, 0, seen_fn, s) ==
	    OSTORE_OK;
}

/* A write transaction may delete each record a scan visits. */
static void
test_scan_delete(void)
{
	struct tfix_store	 d;
	struct seen		 s;
	struct oerr		 err;
	char			 key[16];
	int			 i;

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 0))
		goto out;
	for (i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "t:%02d", i);
		CHECK(put1(key, "x", 0) == OSTORE_OK);
	}
	CHECK(put1("u", "x", 0) == OSTORE_OK);
	oerr_clear(&err);
	CHECK(ostore_write(scan_del_fn, &s, &err));
	CHECK(s.n == 10);
	CHECK(!s.delfail);
	CHECK_STR(s.keys[9], "t:09");
	CHECK(scan1(NULL, NULL, 0, &s) == OSTORE_OK);
	CHECK(s.n == 2);
	CHECK_STR(s.keys[0], "format");
	CHECK_STR(s.keys[1], "u");
out:
	CHECK(tfix_store_close(&d));
}

/* Counting records. */
static void
test_count(void)
{
	struct tfix_store	 d;
	struct ostore_txn	*t;
	size_t			 n = 99;

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 0))
		goto out;
	if ((t = ostore_read_begin(NULL)) != NULL) {
		CHECK(ostore_count(t, OSTORE_META, &n) == OSTORE_OK);
		CHECK(n == 1);			/* "format" */
		ostore_read_end(t);
	} else
		CHECK(0);
	CHECK(put1("a", "1", 0) == OSTORE_OK);
	CHECK(put1("b", "1", 0) == OSTORE_OK);
	CHECK(put1("b", "2", 0) == OSTORE_OK);
	if ((t = ostore_read_begin(NULL)) != NULL) {
		CHECK(ostore_count(t, OSTORE_META, &n) == OSTORE_OK);
		CHECK(n == 3);
		ostore_read_end(t);
	} else
		CHECK(0);
out:
	CHECK(tfix_store_close(&d));
}

/*
 * ostore_write function: bump counter arg twice and "other" once,
 * checking the value in between.
 */
static int
bump_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	unsigned long long	 g = 99;

	(void)err;
	return ostore_gen_get(t, arg, &g) == OSTORE_OK && g == 0 &&
	    ostore_gen_bump(t, arg) == OSTORE_OK &&
	    ostore_gen_get(t, arg, &g) == OSTORE_OK && g == 1 &&
	    ostore_gen_bump(t, arg) == OSTORE_OK &&
	    ostore_gen_bump(t, "other") == OSTORE_OK;
}

/* Generation counters: 0 when missing, 8-byte big-endian, bumped. */
static void
test_gen(void)
{
	static const unsigned char two[8] = { 0, 0, 0, 0, 0, 0, 0, 2 };
	struct tfix_store	 d;
	struct ostore_txn	*t;
	struct oerr		 err;
	unsigned long long	 g = 99;
	const void		*v;
	size_t			 vlen;

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 0))
		goto out;
	if ((t = ostore_read_begin(NULL)) != NULL) {
		CHECK(ostore_gen_get(t, "keys", &g) == OSTORE_OK);
		CHECK(g == 0);
		ostore_read_end(t);
	} else
		CHECK(0);
	oerr_clear(&err);
	CHECK(ostore_write(bump_fn, "keys", &err));
	if ((t = ostore_read_begin(NULL)) != NULL) {
		CHECK(ostore_gen_get(t, "keys", &g) == OSTORE_OK);
		CHECK(g == 2);
		CHECK(ostore_gen_get(t, "other", &g) == OSTORE_OK);
		CHECK(g == 1);
		CHECK(ostore_get(t, OSTORE_META, "gen:keys", 8, &v, &vlen) ==
		    OSTORE_OK);
		CHECK(vlen == 8 && memcmp(v, two, 8) == 0);
		ostore_read_end(t);
	} else
		CHECK(0);
	/* A counter of the wrong size is an error, not garbage. */
	CHECK(put1("gen:bad", "abc", 0) == OSTORE_OK);
	if ((t = ostore_read_begin(NULL)) != NULL) {
		CHECK(ostore_gen_get(t, "bad", &g) == OSTORE_ERR);
		ostore_read_end(t);
	} else
		CHECK(0);
out:
	CHECK(tfix_store_close(&d));
}

/*
 * ostore_write function: bump counter "c" (set up as 0x01..01ff).
 */
static int
bumpc_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	(void)arg;
	(void)err;
	return ostore_gen_bump(t, "c") == OSTORE_OK;
}

/* Counter arithmetic across a byte boundary. */
static void
test_gen_carry(void)
{
	struct tfix_store	 d;
	struct ostore_txn	*t;
	struct oerr		 err;
	unsigned long long	 g = 0;

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 0))
		goto out;
	CHECK(put1("gen:c", "\x01\x01\x01\x01\x01\x01\x01\xff", 0) ==
	    OSTORE_OK);
	oerr_clear(&err);
	CHECK(ostore_write(bumpc_fn, NULL, &err));
	if ((t = ostore_read_begin(NULL)) != NULL) {
		CHECK(ostore_gen_get(t, "c", &g) == OSTORE_OK);
		CHECK(g == 0x0101010101010200ULL);
		ostore_read_end(t);
	} else
		CHECK(0);
out:
	CHECK(tfix_store_close(&d));
}

/*
 * A tiny map grows while one write transaction puts 4 MiB; the
 * function runs again with its error cleared.
 */
static void
test_grow(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	struct many		 m = { "big:", 1024, 0, 0, 0 };
	size_t			 before, n;
	struct ostore_txn *t;

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 64 * 1024))
		goto out;
	before = ostore_mapsize();
	CHECK(before == 64 * 1024);
	oerr_clear(&err);
	CHECK(ostore_write(many_fn, &m, &err));
	CHECK(!oerr_isset(&err));
	CHECK(m.sawfull);
	CHECK(m.calls > 1);
	CHECK(ostore_mapsize() >= (size_t)m.n * VLEN);
	CHECK(many_check("big:", m.n));
	if ((t = ostore_read_begin(NULL)) != NULL) {
		CHECK(ostore_count(t, OSTORE_META, &n) == OSTORE_OK);
		CHECK(n == (size_t)m.n + 1);
		ostore_read_end(t);
	} else
		CHECK(0);
	/* The grown size is recorded in the file for the next open. */
	before = ostore_mapsize();
	ostore_close();
	if (!open_ok(&d, 64 * 1024))
		goto out;
	CHECK(ostore_mapsize() == before);
	CHECK(many_check("big:", m.n));
out:
	CHECK(tfix_store_close(&d));
}

/* A map smaller than a fresh store needs grows during ostore_open. */
static void
test_grow_at_open(void)
{
	struct tfix_store	 d;

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 8 * 1024))
		goto out;
	CHECK(ostore_mapsize() > 8 * 1024);
	CHECK(ostore_ready());
out:
	CHECK(tfix_store_close(&d));
}

/* A commit-path probe: rewrite one record, then add k large values. */
struct probe {
	int	 k;
	int	 calls;
	int	 cleanrun;	/* a run in which every operation was OK */
};

/*
 * ostore_write function of the commit-path probe.  Rewriting a record
 * frees pages, so the commit must store a free list and needs room of
 * its own.
 */
static int
probe_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct probe	*p = arg;
	unsigned char	 val[VLEN];
	char		 key[32];
	int		 i;

	(void)err;
	if (p->calls++ > 0)
		return 1;	/* rerun: keep it small, it must commit */
	if (ostore_put(t, OSTORE_META, "small", 5, "2", 1, 0) != OSTORE_OK)
		return 0;
	for (i = 0; i < p->k; i++) {
		snprintf(key, sizeof(key), "p%04d", i);
		many_val(i, val);
		if (ostore_put(t, OSTORE_META, key, strlen(key), val, VLEN,
		    0) != OSTORE_OK)
			return 0;
	}
	p->cleanrun = 1;
	return 1;
}

/*
 * MDB_MAP_FULL from mdb_txn_commit (no put failed): the write is run
 * again in a larger map.  Which k fills the map exactly depends on
 * LMDB's page use, so try each k in a fresh store until one fails at
 * commit; with one-page values one does.
 */
static void
test_grow_commit(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	struct probe		 p;
	size_t			 before;
	int			 k, hit = 0, ok = 1;
	char			 buf[8];

	for (k = 1; k <= 40 && !hit && ok; k++) {
		if (!CHECKED(tfix_dir(&d, "test_store")))
			return;
		if (!open_ok(&d, 64 * 1024) ||
		    put1("small", "1", 0) != OSTORE_OK) {
			ok = 0;
			goto next;
		}
		memset(&p, 0, sizeof(p));
		p.k = k;
		before = ostore_mapsize();
		oerr_clear(&err);
		if (!ostore_write(probe_fn, &p, &err)) {
			if (!p.cleanrun)
				goto next;	/* a put hit the full map */
			fprintf(stderr, "probe k=%d: %s\n", k,
			    err.description);
			ok = 0;
			goto next;
		}
		if (p.cleanrun && p.calls > 1) {
			/* Every put succeeded, yet the commit did not. */
			fprintf(stderr, "commit hit MDB_MAP_FULL at k=%d\n", k);
			hit = 1;
			CHECK(ostore_mapsize() > before);
			CHECK(!oerr_isset(&err));
			CHECK(get1("small", buf, sizeof(buf)) == OSTORE_OK);
			CHECK_STR(buf, "1");	/* only the rerun landed */
		}
next:
		CHECK(tfix_store_close(&d));
	}
	CHECK(ok);
	if (!hit)
		fprintf(stderr, "no k made the commit hit MDB_MAP_FULL\n");
	CHECK(hit);
}

/* An open with a smaller map keeps the larger one of the file. */
static void
test_keep_larger_map(void)
{
	struct tfix_store	 d;

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 4 << 20))
		goto out;
	CHECK(ostore_mapsize() == 4 << 20);
	ostore_close();
	if (!open_ok(&d, 64 * 1024))
		goto out;
	CHECK(ostore_mapsize() == 4 << 20);
	ostore_close();
	/* And a larger request wins over the file. */
	if (!open_ok(&d, 8 << 20))
		goto out;
	CHECK(ostore_mapsize() == 8 << 20);
	ostore_close();
	if (!open_ok(&d, 0))
		goto out;
	CHECK(ostore_mapsize() == OSTORE_MAP_DEFAULT);
out:
	CHECK(tfix_store_close(&d));
}

/*
 * A child opens the store after the parent closed it and writes; the
 * parent, with the store open again and a read done before the child
 * wrote, sees the write in its next read transaction.
 */
static void
test_fork_visibility(void)
{
	struct tfix_store	 d;
	struct childarg		 c;
	int			 p[2] = { -1, -1 };
	pid_t			 pid;
	int			 st;
	char			 buf[32];

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 0))
		goto out;
	CHECK(put1("parent", "p", 0) == OSTORE_OK);
	ostore_close();
	if (pipe(p) == -1) {
		CHECK(0);
		goto out;
	}
	memset(&c, 0, sizeof(c));
	c.d = &d;
	c.m.pfx = "child:";
	c.m.n = 3;
	c.waitfd = p[0];
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		CHECK(0);
		goto out;
	} else if (pid == 0) {
		close(p[1]);
		_exit(child_write(&c) ? 0 : 1);
	}
	close(p[0]);
	p[0] = -1;
	if (open_ok(&d, 0)) {
		CHECK(get1("child:000000", buf, sizeof(buf)) ==
		    OSTORE_NOTFOUND);
		CHECK(get1("parent", buf, sizeof(buf)) == OSTORE_OK);
	}
	CHECK(write(p[1], "", 1) == 1);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(many_check("child:", 3));
	ostore_close();
	/* And after a fresh open. */
	if (open_ok(&d, 0))
		CHECK(many_check("child:", 3));
out:
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	CHECK(tfix_store_close(&d));
}

/*
 * A child that inherits the open store must not use it (it reads as
 * closed) and can open its own; the parent's reader slot survives.
 * If the child closed the inherited environment, LMDB would clear the
 * parent's reader slot and the parent's next read would fail with
 * MDB_BAD_RSLOT.
 */
static void
test_fork_inherited(void)
{
	struct tfix_store	 d;
	struct childarg		 c;
	char			 buf[32];

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 0))
		goto out;
	CHECK(ostore_ready());		/* takes a reader slot */
	memset(&c, 0, sizeof(c));
	c.d = &d;
	c.m.pfx = "child:";
	c.m.n = 2;
	c.waitfd = -1;
	CHECK(in_child(child_write, &c));
	CHECK(ostore_isopen());
	CHECK(ostore_ready());
	CHECK(many_check("child:", 2));
	CHECK(put1("after", "1", 0) == OSTORE_OK);
	CHECK(get1("after", buf, sizeof(buf)) == OSTORE_OK);
out:
	CHECK(tfix_store_close(&d));
}

/*
 * ostore_write function: put one small record.
 */
static int
small_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	(void)err;
	return ostore_put(t, OSTORE_META, arg, strlen(arg), "1", 1, 0) ==
	    OSTORE_OK;
}

/*
 * Another process grows the map past ours: the next read transaction,
 * and the next write transaction, adopt the new size (MDB_MAP_RESIZED).
 */
static void
test_fork_resized(void)
{
	struct tfix_store	 d;
	struct childarg		 c;
	struct oerr		 err;
	size_t			 before;
	char			 buf[8];

	if (!CHECKED(tfix_dir(&d, "test_store")) || !open_ok(&d, 64 * 1024))
		goto out;
	CHECK(ostore_ready());
	before = ostore_mapsize();
	memset(&c, 0, sizeof(c));
	c.d = &d;
	c.m.pfx = "a:";
	c.m.n = 1024;
	c.waitfd = -1;
	CHECK(in_child(child_write, &c));
	/* The read handle is renewed past the end of our map. */
	CHECK(ostore_mapsize() == before);
	CHECK(many_check("a:", 1024));
	CHECK(ostore_mapsize() > before);
	CHECK(ostore_ready());

	/* Again, with a write transaction first. */
	before = ostore_mapsize();
	c.m.pfx = "b:";
	c.m.n = 2048;
	CHECK(in_child(child_write, &c));
	oerr_clear(&err);
	CHECK(ostore_write(small_fn, "mine", &err));
	CHECK(ostore_mapsize() > before);
	CHECK(many_check("b:", 2048));
	CHECK(get1("mine", buf, sizeof(buf)) == OSTORE_OK);
out:
	CHECK(tfix_store_close(&d));
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(test_closed),
		T(test_open_fresh),
		T(test_reopen),
		T(test_format_refused),
		T(test_open_after_refusal),
		T(test_put_get_del),
		T(test_nooverwrite),
		T(test_atomic),
		T(test_bad_args),
		T(test_scan),
		T(test_scan_delete),
		T(test_count),
		T(test_gen),
		T(test_gen_carry),
		T(test_grow),
		T(test_grow_at_open),
		T(test_grow_commit),
		T(test_keep_larger_map),
		T(test_fork_visibility),
		T(test_fork_inherited),
		T(test_fork_resized),
	};

	return t_run(tests, NTESTS);
}
