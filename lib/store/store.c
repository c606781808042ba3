/*
 * store.c: the store's interface (store.h), handed to the backend the
 * store was opened on: LMDB (lmdb.c) or PostgreSQL (pg.c); see
 * backend.h and schema/store.md.  The generation counters and the
 * expiry index are built here on get and put, the same for both.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "store/store.h"
#include "store/backend.h"

#define GEN_PREFIX	"gen:"

/* The backend of this process's store: 1 PostgreSQL, 0 LMDB. */
static int	 pg;

/* The call of the store's backend: PostgreSQL's or LMDB's. */
#define BE(f)	(pg ? opg_##f : olmdb_##f)

/* Whether target is a PostgreSQL URL (backend.h). */
int
ostore_is_pg(const char *target)
{
	return target != NULL && (strncmp(target, "postgres://", 11) == 0 ||
	    strncmp(target, "postgresql://", 13) == 0);
}

/*
 * Open the store at target: a postgres:// or postgresql:// URL opens
 * the PostgreSQL backend, anything else is LMDB's data directory.
 */
int
ostore_open(const char *target, size_t mapsize, struct oerr *err)
{
	if (olmdb_isopen() || opg_isopen()) {
		olog_err("ostore_open: the store is already open");
		oerr_set(err, OERR_SERVER_ERROR, "store: already open");
		return 0;
	}
	pg = ostore_is_pg(target);
	return BE(open)(target, mapsize, err);
}

/* oidcgi migrate sql (store.h): PostgreSQL only. */
int
ostore_migrate(const char *dsn, int *from, int *to, struct oerr *err)
{
	if (!ostore_is_pg(dsn)) {
		oerr_set(err, OERR_INVALID_REQUEST, "the dsn names no "
		    "PostgreSQL database (postgres://...); an LMDB store "
		    "needs no migration");
		return 0;
	}
	return opg_migrate(dsn, from, to, err);
}

/* The backend's close (store.h). */
void
ostore_close(void)
{
	BE(close)();
}

/* The backend's isopen (store.h). */
int
ostore_isopen(void)
{
	return BE(isopen)();
}

/* The backend's read_begin (store.h). */
struct ostore_txn *
ostore_read_begin(struct oerr *err)
{
	return BE(read_begin)(err);
}

/* The backend's read_end (store.h). */
void
ostore_read_end(struct ostore_txn *t)
{
	BE(read_end)(t);
}

/* The backend's write (store.h). */
int
ostore_write(int (*fn)(struct ostore_txn *, void *, struct oerr *),
    void *arg, struct oerr *err)
{
	return BE(write)(fn, arg, err);
}

/* The backend's sync (store.h). */
int
ostore_sync(void)
{
	return BE(sync)();
}

/* The backend's get (store.h). */
enum ostore_rc
ostore_get(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen, const void **val, size_t *vallen)
{
	return BE(get)(t, db, key, keylen, val, vallen);
}

/* The backend's put (store.h). */
enum ostore_rc
ostore_put(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen, const void *val, size_t vallen, unsigned flags)
{
	return BE(put)(t, db, key, keylen, val, vallen, flags);
}

/* The backend's del (store.h). */
enum ostore_rc
ostore_del(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen)
{
	return BE(del)(t, db, key, keylen);
}

/* The backend's scan (store.h). */
enum ostore_rc
ostore_scan(struct ostore_txn *t, enum ostore_db db, const void *prefix,
    size_t plen, const void *start, size_t startlen,
    int (*fn)(const void *, size_t, const void *, size_t, void *),
    void *arg)
{
	return BE(scan)(t, db, prefix, plen, start, startlen, fn, arg);
}

/* The backend's count (store.h). */
enum ostore_rc
ostore_count(struct ostore_txn *t, enum ostore_db db, size_t *count)
{
	return BE(count)(t, db, count);
}

/* The backend's ready (store.h). */
int
ostore_ready(void)
{
	return BE(ready)();
}

/* The backend's mapsize (store.h; 0 on PostgreSQL). */
size_t
ostore_mapsize(void)
{
	return BE(mapsize)();
}

/* The backend's usage (store.h). */
int
ostore_usage(size_t *mapsize, size_t *used)
{
	return BE(usage)(mapsize, used);
}

/*
 * Write the meta key of generation counter name ("gen:<name>") into
 * buf of size sz.  Returns its length, or 0 (logged) if name is empty
 * or the key would be too long.
 */
static size_t
gen_key(const char *name, char *buf, size_t sz, const char *fn)
{
	size_t	 len;

	if (name == NULL || *name == '\0') {
		olog_err("%s: no counter name", fn);
		return 0;
	}
	len = strlen(GEN_PREFIX) + strlen(name);
	if (len >= sz || len > OSTORE_KEYMAX) {
		olog_err("%s: counter name too long", fn);
		return 0;
	}
	snprintf(buf, sz, "%s%s", GEN_PREFIX, name);
	return len;
}

/*
 * Read generation counter name into *gen (0 when missing).
 * Returns OSTORE_OK, OSTORE_FULL or OSTORE_ERR (logged).
 */
static enum ostore_rc
gen_read(struct ostore_txn *t, const char *name, unsigned long long *gen,
    const char *fn)
{
	char			 key[512];
	const unsigned char	*p;
	const void		*val;
	size_t			 keylen, len, i;
	unsigned long long	 g = 0;
	enum ostore_rc		 rc;

	if ((keylen = gen_key(name, key, sizeof(key), fn)) == 0)
		return OSTORE_ERR;
	rc = ostore_get(t, OSTORE_META, key, keylen, &val, &len);
	if (rc == OSTORE_NOTFOUND) {
		*gen = 0;
		return OSTORE_OK;
	} else if (rc != OSTORE_OK)
		return rc;
	if (len != 8) {
		olog_err("%s: counter %s has %zu bytes, not 8", fn, key, len);
		return OSTORE_ERR;
	}
	for (p = val, i = 0; i < 8; i++)
		g = (g << 8) | p[i];
	*gen = g;
	return OSTORE_OK;
}

/*
 * Read generation counter name; a missing counter reads as 0.
 */
enum ostore_rc
ostore_gen_get(struct ostore_txn *t, const char *name,
    unsigned long long *gen)
{
	if (t == NULL)
		return OSTORE_ERR;
	if (gen == NULL) {
		olog_err("ostore_gen_get: nowhere to put the counter");
		return OSTORE_ERR;
	}
	return gen_read(t, name, gen, "ostore_gen_get");
}

/*
 * Add one to generation counter name inside a write transaction.
 * Returns OSTORE_ERR if the counter has reached its maximum.
 */
enum ostore_rc
ostore_gen_bump(struct ostore_txn *t, const char *name)
{
	char			 key[512];
	unsigned char		 buf[8];
	unsigned long long	 g;
	size_t			 keylen, i;
	enum ostore_rc		 rc;

	if (t == NULL)
		return OSTORE_ERR;
	if ((rc = gen_read(t, name, &g, "ostore_gen_bump")) != OSTORE_OK)
		return rc;
	if (g == ULLONG_MAX) {
		olog_err("ostore_gen_bump: counter %s at its maximum", name);
		return OSTORE_ERR;
	}
	g++;
	for (i = 8; i > 0; i--, g >>= 8)
		buf[i - 1] = (unsigned char)(g & 0xff);
	keylen = gen_key(name, key, sizeof(key), "ostore_gen_bump");
	return ostore_put(t, OSTORE_META, key, keylen, buf, sizeof(buf), 0);
}

/* The expiry index key of (db, key, exp) into buf; returns its length. */
static size_t
expiry_key(enum ostore_db db, const void *key, size_t keylen, int64_t exp,
    unsigned char *buf, size_t bufsz)
{
	uint64_t	 e = exp < 0 ? 0 : (uint64_t)exp;
	int		 i;

	if (keylen + 9 > bufsz)
		return 0;
	for (i = 7; i >= 0; i--) {
		buf[i] = (unsigned char)(e & 0xff);
		e >>= 8;
	}
	buf[8] = (unsigned char)db;
	memcpy(buf + 9, key, keylen);
	return keylen + 9;
}

/* Enter (db, key) in the expiry index under exp. */
enum ostore_rc
ostore_expiry_put(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen, int64_t exp)
{
	unsigned char	 buf[600];
	size_t		 n;

	if ((n = expiry_key(db, key, keylen, exp, buf, sizeof(buf))) == 0)
		return OSTORE_ERR;
	return ostore_put(t, OSTORE_EXPIRY, buf, n, "", 0, 0);
}

/* Remove (db, key, exp) from the expiry index; missing is fine. */
enum ostore_rc
ostore_expiry_del(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen, int64_t exp)
{
	unsigned char	 buf[600];
	size_t		 n;
	enum ostore_rc	 rc;

	if ((n = expiry_key(db, key, keylen, exp, buf, sizeof(buf))) == 0)
		return OSTORE_ERR;
	rc = ostore_del(t, OSTORE_EXPIRY, buf, n);
	return rc == OSTORE_NOTFOUND ? OSTORE_OK : rc;
}
