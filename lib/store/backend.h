/*
 * backend.h: the store's backends, behind store.h (internal to
 * lib/store/; nothing above the store includes it).
 *
 * store.c implements the interface of store.h: it picks the backend
 * when the store is opened (ostore_open()'s target: a path is LMDB's
 * data directory, a postgres:// or postgresql:// URL a PostgreSQL
 * database) and hands every call to that backend's function of the
 * same name (olmdb_* in lmdb.c, opg_* in pg.c), with the same contract
 * as in store.h.  The generation counters and the expiry index are
 * built in store.c on get and put, the same for both.
 */
#ifndef OIDCGI_STORE_BACKEND_H
#define OIDCGI_STORE_BACKEND_H

#include <stddef.h>

struct oerr;
struct MDB_txn;

/* Longest key of either backend (LMDB's mdb_env_get_maxkeysize()). */
#define OSTORE_KEYMAX	511

/* A transaction of either backend (PostgreSQL uses no handle). */
struct ostore_txn {
	struct MDB_txn	*txn;		/* LMDB's, or NULL */
	int		 rdonly;
	int		 active;	/* between begin and end */
	int		 full;		/* MDB_MAP_FULL was hit */
	int		 dirty;		/* something was put or deleted */
	int		 failed;	/* PostgreSQL: a statement failed */
	int		 retry;		/* PostgreSQL: 40001 or 40P01 seen */
};

typedef int (*ostore_fn)(struct ostore_txn *, void *, struct oerr *);
typedef int (*ostore_scan_fn)(const void *, size_t, const void *, size_t,
    void *);

#define OSTORE_BACKEND(p)						\
int		 p##_open(const char *, size_t, struct oerr *);		\
void		 p##_close(void);					\
int		 p##_isopen(void);					\
struct ostore_txn *p##_read_begin(struct oerr *);			\
void		 p##_read_end(struct ostore_txn *);			\
int		 p##_write(ostore_fn, void *, struct oerr *);		\
int		 p##_sync(void);					\
enum ostore_rc	 p##_get(struct ostore_txn *, enum ostore_db,		\
		    const void *, size_t, const void **, size_t *);	\
enum ostore_rc	 p##_put(struct ostore_txn *, enum ostore_db,		\
		    const void *, size_t, const void *, size_t, unsigned); \
enum ostore_rc	 p##_del(struct ostore_txn *, enum ostore_db,		\
		    const void *, size_t);				\
enum ostore_rc	 p##_scan(struct ostore_txn *, enum ostore_db,		\
		    const void *, size_t, const void *, size_t,		\
		    ostore_scan_fn, void *);				\
enum ostore_rc	 p##_count(struct ostore_txn *, enum ostore_db, size_t *); \
int		 p##_ready(void);					\
size_t		 p##_mapsize(void);					\
int		 p##_usage(size_t *, size_t *);

OSTORE_BACKEND(olmdb)
OSTORE_BACKEND(opg)

int	 opg_migrate(const char *, int *, int *, struct oerr *);
/* The name of db ("clients", as schema/store.md), or NULL (lmdb.c). */
const char	*olmdb_dbname(enum ostore_db);

/* 1 if target names a PostgreSQL database (postgres:// or postgresql://). */
int	 ostore_is_pg(const char *target);

#endif
