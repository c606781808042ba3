/*
 * store.h: the store, on LMDB or on PostgreSQL.
 *
 * ostore_open()'s target picks the backend: a postgres:// or
 * postgresql:// URL (Hydra's DSN) the PostgreSQL database (pg.c), a
 * path the LMDB data directory (lmdb.c); nothing above lib/store/
 * knows which.  What follows says LMDB; the PostgreSQL backend keeps
 * the same contracts (schema/store.md, "PostgreSQL"), without a map:
 * its writes retry serialization failures instead of a full map, and
 * a database that is down or without the tables gives 503
 * "The store is not available.".
 *
 * One MDB_env per process, opened once after the web server has spawned
 * the process; named databases from one table; one transaction per
 * request.  Writes run as a function inside ostore_write(), which
 * commits, or aborts and grows the map and runs the function again when
 * the map is full, so a request's changes land whole or not at all.
 *
 * A process has at most one store transaction open at a time: the read
 * transaction or the write transaction, never both, never nested.
 * Keys are 1 to 511 bytes (LMDB's mdb_env_get_maxkeysize()).  A longer
 * key is never there: ostore_get() and ostore_del() give OSTORE_NOTFOUND
 * and ostore_scan() with a longer prefix visits nothing, unlogged (an id
 * from a request, say); ostore_put() gives OSTORE_ERR (logged).  Empty
 * keys, NULL pointers and unknown databases give OSTORE_ERR.
 * After fork() the child must call ostore_open() again: the store it
 * inherited reads as closed and is never touched.
 *
 * The layout (every named database, key and value format, and the format
 * version) is documented in schema/store.md.  Keep the two in step.
 */
#ifndef OIDCGI_STORE_H
#define OIDCGI_STORE_H

#include <stddef.h>
#include <stdint.h>

struct oerr;

/* Version of the on-disk layout; bump it with a migration and schema/. */
#define OSTORE_FORMAT		1
/* Version of the PostgreSQL schema (schema/store.md, `oidcgi migrate sql`). */
#define OSTORE_PG_SCHEMA	1
#define OSTORE_MAP_DEFAULT	((size_t)64 << 20)	/* first map size */

/* Named databases.  The table in store.c gives each one its LMDB name. */
enum ostore_db {
	OSTORE_META,		/* "meta": format version, generation counters */
	OSTORE_CLIENTS,		/* "clients": client_id -> client record */
	OSTORE_CLIENTS_BY_APP,	/* "clients_by_app": app_id NUL client_id -> "" */
	OSTORE_APPS,		/* "apps": app_id -> application record */
	OSTORE_KEYS,		/* "keys": set NUL kid -> key record */
	OSTORE_TOKENS,		/* "tokens": id -> token record */
	OSTORE_TOKENS_BY_REQUEST, /* request_id NUL id -> "" */
	OSTORE_TOKENS_BY_CLIENT, /* client_id NUL id -> "" */
	OSTORE_EXPIRY,		/* exp (8, BE) db (1) key -> "": what expires */
	OSTORE_FLOWS,		/* "flows": SHA-256(challenge or verifier) ->
				   handled/used record */
	OSTORE_SESSIONS,	/* "sessions": sid -> login session */
	OSTORE_SESSIONS_BY_SUBJECT, /* subject NUL sid -> "" */
	OSTORE_CONSENTS,	/* subject NUL client_id -> consent */
	OSTORE_USERS,		/* "users": folded username -> user record */
	OSTORE_USERS_BY_SUBJECT, /* sub NUL folded username -> "" */
	OSTORE_TRUST,		/* "trust": id -> jwt-bearer trust record */
	OSTORE_TOKENS_BY_SID,	/* sid NUL token id -> "" */
	OSTORE_DEVICE,		/* "device": SHA-256(device_code) -> record */
	OSTORE_DEVICE_BY_USER_CODE, /* user_code -> SHA-256(device_code) */
	OSTORE__MAX
};

enum ostore_rc {
	OSTORE_OK,
	OSTORE_NOTFOUND,
	OSTORE_EXISTS,		/* put with OSTORE_NOOVERWRITE on a present key */
	OSTORE_FULL,		/* map full: ostore_write() grows and retries */
	OSTORE_ERR		/* any other LMDB error (logged) */
};

/* Flags of ostore_put(). */
#define OSTORE_NOOVERWRITE	0x1

struct ostore_txn;

/*
 * Open (creating if needed, mode 0700 directory, 0600 files) the
 * environment in dir, run the stale-reader check, open every named
 * database, and check the format version: a fresh store is stamped with
 * OSTORE_FORMAT, a store written by a newer format is refused.  mapsize 0
 * means OSTORE_MAP_DEFAULT; the map is the larger of that and the size
 * the store was last grown to (recorded in data.mdb).  Call once
 * per process (again in a fork()ed child).  Returns 1, or 0 with err set
 * (a message naming the path), and then nothing is left open.
 */
int	 ostore_open(const char *dir, size_t mapsize, struct oerr *err);
/*
 * Create or upgrade the store's tables in the PostgreSQL database named
 * by dsn (`oidcgi migrate sql`); the binaries never do it themselves.
 * *from and *to get the schema version found and the one left.
 * Refused when the database's version is newer than OSTORE_PG_SCHEMA.
 * Returns 1, or 0 with err set (the message names the cause).
 */
int	 ostore_migrate(const char *dsn, int *from, int *to, struct oerr *err);
/*
 * `oidcgi store copy` (copy.c): every record of the store at from
 * copied into the store at to (each a data directory or a PostgreSQL
 * URL, as for ostore_open()), read in one snapshot, written in one
 * write transaction; the destination must hold nothing but its format
 * stamp and generation counters, else it is left untouched
 * (OSTORE_COPY_NOTEMPTY, err says what it holds).  No store may be
 * open in this process.  counts (OSTORE__MAX of them) gets the
 * records written per database.
 */
enum ostore_copy_rc {
	OSTORE_COPY_OK,
	OSTORE_COPY_NOTEMPTY,
	OSTORE_COPY_FAILED	/* err set; the destination as it was */
};
enum ostore_copy_rc	 ostore_copy(const char *from, const char *to,
			    size_t counts[], struct oerr *err);
/* The name of db in schema/store.md ("clients"), or NULL. */
const char	*ostore_db_name(enum ostore_db db);
/* Close the environment (at process exit; also used by tests). */
void	 ostore_close(void);
/* Non-zero when the environment is open. */
int	 ostore_isopen(void);

/*
 * Read transactions.  ostore_read_begin returns NULL on failure (logged,
 * and a 503 temporarily_unavailable "The store is not available." in err
 * unless err is NULL), also when a transaction is already open in this
 * process.  It reuses
 * one handle per process (reset, then renewed), so it is cheap.
 * Values returned by ostore_get and ostore_scan are valid until the
 * transaction ends; copy them (into the request arena) to keep them.
 * On PostgreSQL a connection lost inside the transaction makes every
 * further operation OSTORE_ERR and sets the 503 in the err it began
 * with (when not NULL), before the caller can set its own: the request
 * answers 503, not 500.
 */
struct ostore_txn	*ostore_read_begin(struct oerr *);
void			 ostore_read_end(struct ostore_txn *);

/*
 * Run fn inside one write transaction.  If fn returns 1 the transaction
 * commits; if it returns 0 it aborts.  When any operation inside hit
 * MDB_MAP_FULL (or the commit did), the transaction aborts, the map
 * doubles, err is reset and fn runs again from the start (a few times at
 * most), so fn must have no effect outside the transaction.  Before a
 * retry err is put back as it was when ostore_write was called (cleared,
 * if it came in clear).  Once an operation has returned OSTORE_FULL every
 * further one does too; fn should then return 0.  fn must not call
 * ostore_write or ostore_read_begin, and ostore_write is refused while a
 * read transaction is open.
 * Returns 1 if committed, 0 otherwise (err set by the store, or by fn:
 * a fn that returns 0 should set it).
 */
int	 ostore_write(int (*fn)(struct ostore_txn *, void *, struct oerr *),
	    void *arg, struct oerr *err);

/*
 * Make every committed transaction durable.  ostore_write() returns
 * only once its own is, and, when fn changed nothing, once what fn saw
 * is; a reader that acts on what another process committed an instant
 * ago (and may not have synced yet) calls this first.  Returns 1, or 0
 * (logged).
 */
int	 ostore_sync(void);

enum ostore_rc	 ostore_get(struct ostore_txn *, enum ostore_db,
		    const void *key, size_t keylen,
		    const void **val, size_t *vallen);
enum ostore_rc	 ostore_put(struct ostore_txn *, enum ostore_db,
		    const void *key, size_t keylen,
		    const void *val, size_t vallen, unsigned flags);
enum ostore_rc	 ostore_del(struct ostore_txn *, enum ostore_db,
		    const void *key, size_t keylen);
/*
 * Visit, in key order, every record whose key starts with prefix
 * (plen 0: every record), beginning at the first key >= start when start
 * is not NULL.  fn returns 1 to go on, 0 to stop.  In a write
 * transaction fn may delete the record it is shown.  Returns OSTORE_OK
 * (also when nothing matched), OSTORE_FULL (in a write transaction whose
 * map filled up) or OSTORE_ERR.
 */
enum ostore_rc	 ostore_scan(struct ostore_txn *, enum ostore_db,
		    const void *prefix, size_t plen,
		    const void *start, size_t startlen,
		    int (*fn)(const void *key, size_t keylen,
			const void *val, size_t vallen, void *arg),
		    void *arg);
/* Number of records in a database. */
enum ostore_rc	 ostore_count(struct ostore_txn *, enum ostore_db,
		    size_t *count);

/*
 * Generation counters in the meta database (e.g. "keys"; key
 * "gen:<name>", value 8 bytes big-endian): bumped inside a write
 * transaction when something cached per process changes, read cheaply
 * to notice it.  A missing counter reads as 0.
 */
enum ostore_rc	 ostore_gen_get(struct ostore_txn *, const char *name,
		    unsigned long long *gen);
enum ostore_rc	 ostore_gen_bump(struct ostore_txn *, const char *name);

/*
 * The shared expiry index (OSTORE_EXPIRY): key = exp (8 bytes,
 * big-endian) || db (1 byte) || the record's key, value empty.  Every
 * record that expires is entered with its exp when written and removed
 * with it; the janitor (olife_flush, lifecycle.h) scans the index from
 * its start.
 */
enum ostore_rc	 ostore_expiry_put(struct ostore_txn *, enum ostore_db,
		    const void *key, size_t keylen, int64_t exp);
enum ostore_rc	 ostore_expiry_del(struct ostore_txn *, enum ostore_db,
		    const void *key, size_t keylen, int64_t exp);

/*
 * 1 if a read transaction can be opened and the meta record "format"
 * reads as OSTORE_FORMAT (for /health/ready).
 */
int	 ostore_ready(void);
/* Current map size in bytes (for tests and diagnostics). */
size_t	 ostore_mapsize(void);
/*
 * The map size and the bytes in use (LMDB's pages up to the last one
 * used, times the page size) as of the newest commit, for the metrics.
 * Opens and ends a read transaction, so none may be open.  Returns 1,
 * or 0 when the store is closed or LMDB failed (logged).
 */
int	 ostore_usage(size_t *mapsize, size_t *used);

#endif
