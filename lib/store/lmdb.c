/*
 * lmdb.c: the LMDB backend of the store (see store.h, backend.h and
 * schema/store.md); store.c dispatches to it.
 *
 * One MDB_env per process, kept in the static state below.  A process
 * has at most one transaction of ours open at a time: either the one
 * reusable read transaction or the write transaction of ostore_write().
 * That is what makes map growth safe, because mdb_env_set_mapsize()
 * remaps the file and must not run while any transaction of this
 * process still points into the old map.
 *
 * NOTE: AN MDB_env MUST NOT BE USED ACROSS fork().  The lock table
 * records readers by process id and the write mutex by owner, so a child
 * that used (or even closed) its parent's environment would corrupt the
 * parent's reader slots.  Every entry point therefore checks the pid; a
 * child that inherited an open environment drops it without touching
 * LMDB and must call ostore_open() again.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "base/err.h"
#include "base/util.h"
#include "store/store.h"
#include "store/backend.h"

/*
 * Room for about 32 databases beyond today's.  The limit is per process
 * (it sizes per-transaction arrays), not stored, so raising it later is
 * harmless.
 */
#define MAXDBS		(OSTORE__MAX + 32)
/*
 * Reader slots in the lock file: one per process with a read
 * transaction (MDB_NOTLS, and each process reuses one handle).  Fixed
 * by the first process that creates lock.mdb.
 */
#define MAXREADERS	254
/* Write attempts: each failed one doubles the map (64 MiB -> 32 GiB). */
#define WRITE_TRIES	10
/* Times to adopt another process's larger map before giving up. */
#define RESIZE_TRIES	4
/* Largest format record we parse ("18446744073709551615" and less). */
#define FORMAT_MAXLEN	20

/* LMDB names of the databases, indexed by enum ostore_db. */
static const struct {
	const char	*name;
	unsigned int	 flags;
} dbs[OSTORE__MAX] = {
	{ "meta", 0 },			/* OSTORE_META */
	{ "clients", 0 },		/* OSTORE_CLIENTS */
	{ "clients_by_app", 0 },	/* OSTORE_CLIENTS_BY_APP */
	{ "apps", 0 },			/* OSTORE_APPS */
	{ "keys", 0 },			/* OSTORE_KEYS */
	{ "tokens", 0 },		/* OSTORE_TOKENS */
	{ "tokens_by_request", 0 },	/* OSTORE_TOKENS_BY_REQUEST */
	{ "tokens_by_client", 0 },	/* OSTORE_TOKENS_BY_CLIENT */
	{ "expiry", 0 },		/* OSTORE_EXPIRY */
	{ "flows", 0 },			/* OSTORE_FLOWS */
	{ "sessions", 0 },		/* OSTORE_SESSIONS */
	{ "sessions_by_subject", 0 },	/* OSTORE_SESSIONS_BY_SUBJECT */
	{ "consents", 0 },		/* OSTORE_CONSENTS */
	{ "users", 0 },			/* OSTORE_USERS */
	{ "users_by_subject", 0 },	/* OSTORE_USERS_BY_SUBJECT */
	{ "trust", 0 },			/* OSTORE_TRUST */
	{ "tokens_by_sid", 0 },		/* OSTORE_TOKENS_BY_SID */
	{ "device", 0 },		/* OSTORE_DEVICE */
	{ "device_by_user_code", 0 },	/* OSTORE_DEVICE_BY_USER_CODE */
};

static MDB_env		*env;		/* NULL when closed */
static pid_t		 envpid;	/* the process that opened env */
static char		*envdir;	/* for messages */
static MDB_dbi		 dbis[OSTORE__MAX];
static size_t		 maxkey;	/* mdb_env_get_maxkeysize() */
static int		 broken;	/* a remap failed: refuse all work */
static int		 writing;	/* inside ostore_write() */
static struct ostore_txn rd;		/* the reusable read transaction */
/*
 * An environment (and read handle) inherited across fork().  Kept, never
 * freed or closed, so that nothing in the child touches the parent's
 * lock table.
 */
static struct {
	MDB_env		*env;
	MDB_txn		*rtxn;
} inherited;

/*
 * Forget all static state without calling LMDB.
 */
static void
state_reset(void)
{
	free(envdir);
	env = NULL;
	envpid = 0;
	envdir = NULL;
	memset(dbis, 0, sizeof(dbis));
	maxkey = 0;
	broken = 0;
	writing = 0;
	memset(&rd, 0, sizeof(rd));
}

/*
 * Set in the child of a fork() (pthread_atfork(), registered when the
 * store is first opened): cheaper than comparing getpid() with envpid
 * on every store call, a system call each, which under this kind of
 * virtual machine cost several per cent of a request.
 */
static volatile sig_atomic_t	 forked;
static int			 atfork_set;

static void
on_fork_child(void)
{
	forked = 1;
}

/*
 * If env was opened by another process (we are a fork()ed child), drop
 * it without calling LMDB: closing it would clear the parent's reader
 * slots.  Its file descriptors are close-on-exec; closing them here
 * would release fcntl locks this process takes when it reopens the
 * store.
 */
static void
forget_inherited(void)
{
	if (env == NULL || (atfork_set ? !forked : envpid == getpid()))
		return;
	forked = 0;
	olog_warn("store at %s was opened by process %ld; dropped in this "
	    "child, which must call ostore_open() again",
	    envdir != NULL ? envdir : "?", (long)envpid);
	inherited.env = env;
	inherited.rtxn = rd.txn;
	state_reset();
}

/*
 * Whether the store can run a transaction now; logs why not, naming
 * the caller.  Returns 1 if usable, 0 otherwise.
 */
static int
usable(const char *fn)
{
	forget_inherited();
	if (env == NULL) {
		olog_err("%s: store is not open", fn);
		return 0;
	}
	if (broken) {
		olog_err("%s: store map could not be resized; restart needed",
		    fn);
		return 0;
	}
	return 1;
}

/*
 * Validate a transaction and database index for an operation named fn.
 * With write set, the transaction must be a write transaction.
 * Returns 1 if valid, 0 (logged) otherwise.
 */
static int
txn_ok(const struct ostore_txn *t, enum ostore_db db, int write,
    const char *fn)
{
	if (!usable(fn))
		return 0;
	if (t == NULL || t->txn == NULL || !t->active) {
		olog_err("%s: no active transaction", fn);
		return 0;
	}
	if ((unsigned int)db >= OSTORE__MAX) {
		olog_err("%s: no database %d", fn, (int)db);
		return 0;
	}
	if (write && t->rdonly) {
		olog_err("%s: read-only transaction", fn);
		return 0;
	}
	return 1;
}

/*
 * Validate a key: not NULL, 1 to maxkey bytes.
 * Returns 1 if valid, 0 (logged) otherwise.
 */
static int
key_ok(const void *key, size_t keylen, const char *fn)
{
	if (key == NULL || keylen == 0) {
		olog_err("%s: empty key", fn);
		return 0;
	}
	if (keylen > maxkey) {
		olog_err("%s: key of %zu bytes (at most %zu)", fn, keylen,
		    maxkey);
		return 0;
	}
	return 1;
}

/*
 * Compare two keys the way LMDB does by default: bytewise, then the
 * shorter first.
 */
static int
keycmp(const void *a, size_t alen, const void *b, size_t blen)
{
	int	 c = 0;

	if (alen > 0 && blen > 0)
		c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/*
 * Map an LMDB status to ours, logging unexpected errors with the call
 * that failed.  MDB_MAP_FULL marks the transaction full.
 */
static enum ostore_rc
map_rc(struct ostore_txn *t, int rc, const char *call)
{
	switch (rc) {
	case 0:
		return OSTORE_OK;
	case MDB_NOTFOUND:
		return OSTORE_NOTFOUND;
	case MDB_KEYEXIST:
		return OSTORE_EXISTS;
	case MDB_MAP_FULL:
		t->full = 1;
		return OSTORE_FULL;
	default:
		olog_err("%s: %s", call, mdb_strerror(rc));
		return OSTORE_ERR;
	}
}

/*
 * Adopt the map size recorded by the process that last grew it (after
 * MDB_MAP_RESIZED).  No transaction of ours may be active.
 * Returns 1 on success, 0 (logged; the store is then unusable).
 */
static int
map_adopt(void)
{
	int	 rc;

	if ((rc = mdb_env_set_mapsize(env, 0)) != 0) {
		olog_err("mdb_env_set_mapsize: %s", mdb_strerror(rc));
		broken = 1;
		return 0;
	}
	return 1;
}

/*
 * Current map size of this process, or 0 (logged).
 */
static size_t
map_size(void)
{
	MDB_envinfo	 info;
	int		 rc;

	if ((rc = mdb_env_info(env, &info)) != 0) {
		olog_err("mdb_env_info: %s", mdb_strerror(rc));
		return 0;
	}
	return info.me_mapsize;
}

/*
 * Make the map at least want bytes, and at least the size another
 * process recorded in the file (which mdb_env_set_mapsize(env, 0)
 * adopts).  No transaction of ours may be active.
 * Returns 1 on success, 0 (logged; the store is then unusable).
 */
static int
map_atleast(size_t want)
{
	size_t	 cur;
	int	 rc;

	if (!map_adopt())
		return 0;
	if ((cur = map_size()) == 0) {
		broken = 1;
		return 0;
	}
	if (cur >= want)
		return 1;
	if ((rc = mdb_env_set_mapsize(env, want)) != 0) {
		olog_err("mdb_env_set_mapsize: %s", mdb_strerror(rc));
		broken = 1;
		return 0;
	}
	return 1;
}

/*
 * Grow the map after MDB_MAP_FULL: to twice its size, or to what
 * another process has grown it to if that is larger.
 * Returns 1 on success, 0 (logged).
 */
static int
map_grow(void)
{
	size_t	 old;

	if ((old = map_size()) == 0)
		return 0;
	if (old > SIZE_MAX / 2) {
		olog_err("store map of %zu bytes cannot grow", old);
		return 0;
	}
	if (!map_atleast(old * 2))
		return 0;
	olog_info("store map grown from %zu to %zu bytes", old, map_size());
	return 1;
}

/*
 * Begin a write transaction into *txn, adopting a map grown by another
 * process when LMDB asks for it.  Returns an LMDB status.
 */
static int
begin_write(MDB_txn **txn)
{
	int	 i, rc = 0;

	for (i = 0; i < RESIZE_TRIES; i++) {
		rc = mdb_txn_begin(env, NULL, 0, txn);
		if (rc != MDB_MAP_RESIZED)
			break;
		if (!map_adopt())
			break;
	}
	return rc;
}

/*
 * Make durable the commit prev and those before it, which a transaction
 * saw (a write transaction that changed nothing, or a reader calling
 * olmdb_sync()) and whose writer may not have synced yet
 * (MDB_NOMETASYNC, env_create()); a caller may be about to answer on
 * the strength of it (a grant found, a token found revoked).  Any
 * commit after prev has synced the file before writing its own meta
 * page, prev's with it, so the sync is skipped when there is one.
 * Returns an LMDB status.
 */
static int
sync_seen(size_t prev)
{
	MDB_envinfo	 info;

	if (mdb_env_info(env, &info) == 0 && info.me_last_txnid > prev)
		return 0;
	return mdb_env_sync(env, 1);
}

/*
 * The write loop of olmdb_write() and olmdb_open(): run fn in a
 * write transaction, growing the map and running it again while it
 * runs out of room.  On a retry err is put back the way it was before
 * the first run, so errors of a run that hit the full map are dropped.
 * Returns 1 if committed, 0 otherwise (err set).
 */
static int
write_run(int (*fn)(struct ostore_txn *, void *, struct oerr *),
    void *arg, struct oerr *err)
{
	struct ostore_txn	 t;
	struct oerr		 saved;
	size_t			 id;
	int			 i, rc, ok = 0, done;

	memset(&saved, 0, sizeof(saved));
	if (err != NULL)
		saved = *err;
	for (i = 0; i < WRITE_TRIES; i++) {
		memset(&t, 0, sizeof(t));
		if ((rc = begin_write(&t.txn)) != 0) {
			olog_err("mdb_txn_begin: %s", mdb_strerror(rc));
			oerr_set(err, OERR_SERVER_ERROR,
			    "The store could not start a transaction.");
			oerr_debug(err, "mdb_txn_begin: %s", mdb_strerror(rc));
			goto out;
		}
		id = mdb_txn_id(t.txn);
		t.active = 1;
		writing = 1;
		done = fn(&t, arg, err);
		writing = 0;
		t.active = 0;
		if (t.full) {
			mdb_txn_abort(t.txn);
			rc = MDB_MAP_FULL;
		} else if (!done) {
			mdb_txn_abort(t.txn);
			goto out;
		} else if ((rc = mdb_txn_commit(t.txn)) == 0 &&	/* frees t.txn */
		    (rc = t.dirty ? mdb_env_sync(env, 1) : sync_seen(id - 1)) !=
		    0) {
			/*
			 * Committed, but not known to be on disk
			 * (MDB_NOMETASYNC, env_create()): the caller must
			 * not tell anyone it happened.
			 */
			olog_err("mdb_env_sync: %s", mdb_strerror(rc));
			oerr_set(err, OERR_SERVER_ERROR,
			    "The store could not save the change.");
			oerr_debug(err, "mdb_env_sync: %s", mdb_strerror(rc));
			goto out;
		}
		if (rc == 0) {
			ok = 1;
			goto out;
		} else if (rc != MDB_MAP_FULL) {
			olog_err("mdb_txn_commit: %s", mdb_strerror(rc));
			oerr_set(err, OERR_SERVER_ERROR,
			    "The store could not save the change.");
			oerr_debug(err, "mdb_txn_commit: %s", mdb_strerror(rc));
			goto out;
		}
		if (!map_grow()) {
			if (err != NULL)
				*err = saved;
			oerr_set(err, OERR_SERVER_ERROR,
			    "The store is full.");
			goto out;
		}
		if (err != NULL)
			*err = saved;
	}
	olog_err("store map still full after %d attempts", WRITE_TRIES);
	oerr_set(err, OERR_SERVER_ERROR, "The store is full.");
out:
	return ok;
}

/*
 * Open (creating) named database i in a write transaction.
 * Returns 1 on success, 0 (err set, or t->full) otherwise.
 */
static int
db_open(struct ostore_txn *t, size_t i, const char *dir, struct oerr *err)
{
	int	 rc;

	rc = mdb_dbi_open(t->txn, dbs[i].name, dbs[i].flags | MDB_CREATE,
	    &dbis[i]);
	if (rc == MDB_MAP_FULL) {
		t->full = 1;
		return 0;
	} else if (rc != 0) {
		olog_err("mdb_dbi_open: %s: %s", dbs[i].name,
		    mdb_strerror(rc));
		oerr_set(err, OERR_SERVER_ERROR, "store at %s: cannot open "
		    "database \"%s\": %s", dir, dbs[i].name, mdb_strerror(rc));
		return 0;
	}
	return 1;
}

/*
 * Check the "format" record of the meta database (decimal ASCII),
 * stamping OSTORE_FORMAT when there is none (a fresh store).
 * Returns 1 if this oidcgi can use the store, 0 (err set, or t->full)
 * otherwise.
 */
static int
format_check(struct ostore_txn *t, const char *dir, struct oerr *err)
{
	const void	*val;
	size_t		 len;
	long long	 fmt;
	char		 buf[FORMAT_MAXLEN + 1];
	int		 n, ok = 0;
	enum ostore_rc	 src;

	src = olmdb_get(t, OSTORE_META, "format", 6, &val, &len);
	if (src == OSTORE_NOTFOUND) {
		n = snprintf(buf, sizeof(buf), "%d", OSTORE_FORMAT);
		src = olmdb_put(t, OSTORE_META, "format", 6, buf,
		    (size_t)n, OSTORE_NOOVERWRITE);
		if (src == OSTORE_OK)
			ok = 1;
		else if (src != OSTORE_FULL)
			oerr_set(err, OERR_SERVER_ERROR, "store at %s: "
			    "cannot write the format record", dir);
	} else if (src != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "store at %s: "
		    "cannot read the format record", dir);
	} else if (len > FORMAT_MAXLEN ||
	    !ostrtonum(val, len, 0, LLONG_MAX, &fmt)) {
		olog_err("store at %s: format record is not a number", dir);
		oerr_set(err, OERR_SERVER_ERROR, "store at %s has an "
		    "unreadable format record", dir);
	} else if (fmt > OSTORE_FORMAT) {
		olog_err("store at %s has format %lld (newer than %d)",
		    dir, fmt, OSTORE_FORMAT);
		oerr_set(err, OERR_SERVER_ERROR, "store at %s has format "
		    "%lld; this oidcgi reads format %d or older", dir, fmt,
		    OSTORE_FORMAT);
	} else if (fmt < OSTORE_FORMAT) {
		/*
		 * Format 1 is the first.  When format 2 comes, this is
		 * where format 1 gets migrated, in this transaction.
		 */
		olog_err("store at %s has format %lld (unknown)", dir, fmt);
		oerr_set(err, OERR_SERVER_ERROR, "store at %s has format "
		    "%lld, which this oidcgi cannot read", dir, fmt);
	} else
		ok = 1;
	return ok;
}

/*
 * The first write transaction of a process: open the meta database,
 * check the format (before anything of a newer layout is touched),
 * then open (creating) every other named database.  arg is the
 * directory, for messages.
 * Returns 1 to commit, 0 (err set, or t->full) to abort.
 */
static int
open_dbs(struct ostore_txn *t, void *arg, struct oerr *err)
{
	const char	*dir = arg;
	size_t		 i;

	if (!db_open(t, OSTORE_META, dir, err) ||
	    !format_check(t, dir, err))
		return 0;
	for (i = 0; i < OSTORE__MAX; i++)
		if (i != OSTORE_META && !db_open(t, i, dir, err))
			return 0;
	return 1;
}

/*
 * Create the directory (mode 0700) if missing, then create and open the
 * environment in it with files of mode 0600, into *ep.
 * Returns 1 on success, 0 with err set (*ep may still need closing).
 */
static int
env_create(const char *dir, size_t mapsize, MDB_env **ep, struct oerr *err)
{
	struct stat	 st;
	mode_t		 mask;
	int		 rc, ok = 0;

	/*
	 * umask is per process; FastCGI processes are single-threaded and
	 * open the store once at start, before serving.
	 */
	mask = umask(077);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		olog_err("mkdir: %s: %s", dir, strerror(errno));
		oerr_set(err, OERR_SERVER_ERROR, "store at %s: mkdir: %s",
		    dir, strerror(errno));
	} else if (stat(dir, &st) == -1) {
		olog_err("stat: %s: %s", dir, strerror(errno));
		oerr_set(err, OERR_SERVER_ERROR, "store at %s: stat: %s",
		    dir, strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		olog_err("store at %s: not a directory", dir);
		oerr_set(err, OERR_SERVER_ERROR, "store at %s: not a "
		    "directory", dir);
	} else if ((rc = mdb_env_create(ep)) != 0) {
		olog_err("mdb_env_create: %s", mdb_strerror(rc));
		oerr_set(err, OERR_SERVER_ERROR, "store at %s: "
		    "mdb_env_create: %s", dir, mdb_strerror(rc));
	} else if ((rc = mdb_env_set_maxdbs(*ep, MAXDBS)) != 0) {
		olog_err("mdb_env_set_maxdbs: %s", mdb_strerror(rc));
		oerr_set(err, OERR_SERVER_ERROR, "store at %s: "
		    "mdb_env_set_maxdbs: %s", dir, mdb_strerror(rc));
	} else if ((rc = mdb_env_set_maxreaders(*ep, MAXREADERS)) != 0) {
		olog_err("mdb_env_set_maxreaders: %s", mdb_strerror(rc));
		oerr_set(err, OERR_SERVER_ERROR, "store at %s: "
		    "mdb_env_set_maxreaders: %s", dir, mdb_strerror(rc));
	} else if ((rc = mdb_env_set_mapsize(*ep, mapsize)) != 0) {
		olog_err("mdb_env_set_mapsize: %s", mdb_strerror(rc));
		oerr_set(err, OERR_SERVER_ERROR, "store at %s: "
		    "mdb_env_set_mapsize: %s", dir, mdb_strerror(rc));
	/*
	 * MDB_NOTLS: reader slots belong to the transaction handle, not
	 * the thread, so one reset-and-renewed handle keeps one slot.
	 * MDB_NOMETASYNC: a commit syncs the data pages, then writes the
	 * meta page that makes them current without syncing it, and
	 * releases the write lock; write_run() then syncs (mdb_env_sync)
	 * before it returns.  So a write is on disk before anyone is told
	 * it happened, exactly as with full sync, and LMDB keeps the
	 * store consistent however a crash falls (the meta page is
	 * written only after the pages it points to are on disk); but the
	 * second sync no longer holds every other writer up.
	 * Left out on purpose: MDB_NOLOCK (many processes share the
	 * store), MDB_NOSYNC/MDB_MAPASYNC (a crash could then corrupt the
	 * store, or undo a committed grant), MDB_WRITEMAP (a stray pointer
	 * write would reach the file) and MDB_NOMEMINIT (unused parts of
	 * pages would carry heap bytes, possibly secrets, to disk).
	 */
	} else if ((rc = mdb_env_open(*ep, dir, MDB_NOTLS | MDB_NOMETASYNC,
	    0600)) != 0) {
		olog_err("mdb_env_open: %s: %s", dir, mdb_strerror(rc));
		oerr_set(err, OERR_SERVER_ERROR, "store at %s: "
		    "mdb_env_open: %s", dir, mdb_strerror(rc));
	} else
		ok = 1;
	umask(mask);
	if (ok && (st.st_mode & 077) != 0)
		olog_warn("store at %s: directory is open to group or "
		    "others (mode %03o)", dir, (unsigned)(st.st_mode & 0777));
	return ok;
}

/*
 * Open the store in dir (see store.h).  Creates the directory and files
 * under umask 077, clears stale reader slots, settles the map size and
 * runs open_dbs() in the first write transaction.  On failure nothing is
 * left open.
 */
int
olmdb_open(const char *dir, size_t mapsize, struct oerr *err)
{
	MDB_env		*e = NULL;
	long		 pg;
	size_t		 want;
	int		 rc, dead = 0, ok = 0;

	forget_inherited();
	if (dir == NULL || *dir == '\0') {
		olog_err("ostore_open: no directory");
		oerr_set(err, OERR_SERVER_ERROR, "store: no directory "
		    "configured");
		return 0;
	}
	if (env != NULL) {
		olog_err("ostore_open: %s: store at %s is already open", dir,
		    envdir);
		oerr_set(err, OERR_SERVER_ERROR, "store at %s: already "
		    "open", dir);
		return 0;
	}

	/* The first map size, rounded up to whole pages. */
	want = mapsize != 0 ? mapsize : OSTORE_MAP_DEFAULT;
	if ((pg = sysconf(_SC_PAGESIZE)) > 0 &&
	    want <= SIZE_MAX - (size_t)pg)
		want = (want + (size_t)pg - 1) / (size_t)pg * (size_t)pg;

	if (!env_create(dir, want, &e, err))
		goto out;
	env = e;
	e = NULL;
	if (!atfork_set && pthread_atfork(NULL, NULL, on_fork_child) == 0)
		atfork_set = 1;
	forked = 0;
	envpid = getpid();
	envdir = oxstrdup(dir);
	maxkey = (size_t)mdb_env_get_maxkeysize(env);

	/* Clear the reader slots of processes that died holding one. */
	if ((rc = mdb_reader_check(env, &dead)) != 0) {
		olog_err("mdb_reader_check: %s", mdb_strerror(rc));
		oerr_set(err, OERR_SERVER_ERROR, "store at %s: "
		    "mdb_reader_check: %s", dir, mdb_strerror(rc));
		goto out;
	}
	if (dead > 0)
		olog_info("store at %s: cleared %d stale reader slot(s)",
		    dir, dead);

	/*
	 * LMDB takes the size we set before mdb_env_open over the one
	 * recorded in the file, even when ours is smaller: keep the larger.
	 */
	if (!map_atleast(want)) {
		oerr_set(err, OERR_SERVER_ERROR, "store at %s: cannot map "
		    "%zu bytes", dir, want);
		goto out;
	}
	if (!write_run(open_dbs, (void *)dir, err))
		goto out;
	ok = 1;
out:
	if (e != NULL)
		mdb_env_close(e);
	if (!ok && env != NULL)
		olmdb_close();
	return ok;
}

/*
 * Close the environment, first freeing the reusable read handle.  In a
 * fork()ed child that inherited the store, only forget it.
 */
void
olmdb_close(void)
{
	forget_inherited();
	if (env == NULL)
		return;
	if (writing) {
		olog_err("ostore_close: inside olmdb_write(); not closed");
		return;
	}
	if (rd.txn != NULL)
		mdb_txn_abort(rd.txn);
	mdb_env_close(env);
	state_reset();
}

/*
 * Non-zero when this process has the store open (an environment
 * inherited across fork() does not count).
 */
int
olmdb_isopen(void)
{
	forget_inherited();
	return env != NULL;
}

/*
 * Start the process's one read transaction by renewing the reset
 * handle (or beginning it the first time).  Returns a pointer to static
 * state, valid until olmdb_read_end(), or NULL (logged; err says so).
 */
struct ostore_txn *
olmdb_read_begin(struct oerr *err)
{
	struct ostore_txn	*t = NULL;
	int			 i, rc = 0;

	if (!usable("ostore_read_begin"))
		goto out;
	if (rd.active || writing) {
		olog_err("ostore_read_begin: a transaction is already open "
		    "in this process");
		goto out;
	}
	for (i = 0; i < RESIZE_TRIES; i++) {
		/*
		 * After mdb_txn_reset the handle keeps its reader slot and
		 * holds no snapshot; renew takes the newest one.  Pages are
		 * found through the environment's current map, so a reset
		 * handle survives this process growing the map.  When
		 * another process has grown it past our map, begin and
		 * renew fail with MDB_MAP_RESIZED and leave the handle
		 * reset (or NULL): adopt the new size and try again.
		 */
		if (rd.txn == NULL)
			rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &rd.txn);
		else
			rc = mdb_txn_renew(rd.txn);
		if (rc != MDB_MAP_RESIZED)
			break;
		if (!map_adopt())
			break;
	}
	if (rc != 0) {
		olog_err("%s: %s", rd.txn == NULL ? "mdb_txn_begin" :
		    "mdb_txn_renew", mdb_strerror(rc));
		if (rd.txn != NULL)
			mdb_txn_abort(rd.txn);
		rd.txn = NULL;
		goto out;
	}
	rd.rdonly = 1;
	rd.active = 1;
	rd.full = 0;
	t = &rd;
out:
	if (t == NULL && err != NULL)
		oerr_set(err, OERR_TEMPORARILY_UNAVAILABLE,
		    "The store is not available.");
	return t;
}

/*
 * End the read transaction: reset the handle, keeping its reader slot
 * for the next olmdb_read_begin().  Values read through it are gone.
 */
void
olmdb_read_end(struct ostore_txn *t)
{
	forget_inherited();
	if (t == NULL)
		return;
	if (t != &rd || env == NULL) {
		olog_err("ostore_read_end: not a read transaction");
		return;
	}
	if (!rd.active)
		return;
	mdb_txn_reset(rd.txn);
	rd.active = 0;
}

/*
 * Run fn in one write transaction, growing the map as needed (see
 * store.h and write_run()).  Refused while another transaction of this
 * process is open.  Returns 1 if committed, 0 otherwise (err set).
 */
int
olmdb_write(int (*fn)(struct ostore_txn *, void *, struct oerr *),
    void *arg, struct oerr *err)
{
	if (!usable("ostore_write")) {
		oerr_set(err, OERR_SERVER_ERROR, "The store is not "
		    "available.");
		return 0;
	}
	if (fn == NULL) {
		olog_err("ostore_write: no function");
		oerr_set(err, OERR_SERVER_ERROR, "The store was misused.");
		return 0;
	}
	if (writing || rd.active) {
		/*
		 * Growing the map remaps it, which would pull the pages
		 * from under an open read transaction; and a nested write
		 * would wait for the write lock this process holds.
		 */
		olog_err("ostore_write: a transaction is already open in "
		    "this process");
		oerr_set(err, OERR_SERVER_ERROR, "The store was misused.");
		return 0;
	}
	return write_run(fn, arg, err);
}

/*
 * Flush every committed transaction to disk (mdb_env_sync), for a
 * reader about to act on a record another process may have committed
 * a moment ago, before that writer's own sync (MDB_NOMETASYNC).
 * Returns 1, or 0 (logged).
 */
int
olmdb_sync(void)
{
	int	 rc;

	if (!usable("ostore_sync"))
		return 0;
	/* In a read transaction, what it sees is what must be on disk. */
	if ((rc = rd.active ? sync_seen(mdb_txn_id(rd.txn)) :
	    mdb_env_sync(env, 1)) != 0) {
		olog_err("mdb_env_sync: %s", mdb_strerror(rc));
		return 0;
	}
	return 1;
}

/*
 * Look key up in db.  On OSTORE_OK, *val and *vallen point into the map
 * and stay valid until the transaction ends.
 */
enum ostore_rc
olmdb_get(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen, const void **val, size_t *vallen)
{
	MDB_val		 k, v;
	enum ostore_rc	 rc;

	if (!txn_ok(t, db, 0, "ostore_get"))
		return OSTORE_ERR;
	/* Longer than any key can be: not there (a request's id, say). */
	if (key != NULL && keylen > maxkey)
		return OSTORE_NOTFOUND;
	if (!key_ok(key, keylen, "ostore_get"))
		return OSTORE_ERR;
	if (val == NULL || vallen == NULL) {
		olog_err("ostore_get: nowhere to put the value");
		return OSTORE_ERR;
	}
	if (t->full)
		return OSTORE_FULL;
	k.mv_size = keylen;
	k.mv_data = (void *)key;
	if ((rc = map_rc(t, mdb_get(t->txn, dbis[db], &k, &v),
	    "mdb_get")) == OSTORE_OK) {
		*val = v.mv_data;
		*vallen = v.mv_size;
	}
	return rc;
}

/*
 * Store val under key in db, replacing any value unless flags has
 * OSTORE_NOOVERWRITE (then OSTORE_EXISTS).  OSTORE_FULL means the map is
 * full: the caller's function should return and let ostore_write retry.
 */
enum ostore_rc
olmdb_put(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen, const void *val, size_t vallen, unsigned flags)
{
	MDB_val		 k, v;

	if (!txn_ok(t, db, 1, "ostore_put") ||
	    !key_ok(key, keylen, "ostore_put"))
		return OSTORE_ERR;
	if ((val == NULL && vallen > 0) || vallen > UINT32_MAX) {
		olog_err("ostore_put: bad value of %zu bytes", vallen);
		return OSTORE_ERR;
	}
	if ((flags & ~(unsigned)OSTORE_NOOVERWRITE) != 0) {
		olog_err("ostore_put: unknown flags %#x", flags);
		return OSTORE_ERR;
	}
	if (t->full)
		return OSTORE_FULL;
	k.mv_size = keylen;
	k.mv_data = (void *)key;
	v.mv_size = vallen;
	v.mv_data = val != NULL ? (void *)val : (void *)"";
	t->dirty = 1;
	return map_rc(t, mdb_put(t->txn, dbis[db], &k, &v,
	    (flags & OSTORE_NOOVERWRITE) ? MDB_NOOVERWRITE : 0), "mdb_put");
}

/*
 * Delete key from db.  Returns OSTORE_NOTFOUND if it was not there.
 */
enum ostore_rc
olmdb_del(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen)
{
	MDB_val		 k;

	if (!txn_ok(t, db, 1, "ostore_del"))
		return OSTORE_ERR;
	if (key != NULL && keylen > maxkey)
		return OSTORE_NOTFOUND;		/* never stored */
	if (!key_ok(key, keylen, "ostore_del"))
		return OSTORE_ERR;
	if (t->full)
		return OSTORE_FULL;
	k.mv_size = keylen;
	k.mv_data = (void *)key;
	t->dirty = 1;
	return map_rc(t, mdb_del(t->txn, dbis[db], &k, NULL), "mdb_del");
}

/*
 * Visit the records of db with the given prefix from start, in key
 * order (see store.h).  The cursor is LMDB's, so fn may delete the
 * record it is shown through the same write transaction.
 */
enum ostore_rc
olmdb_scan(struct ostore_txn *t, enum ostore_db db, const void *prefix,
    size_t plen, const void *start, size_t startlen,
    int (*fn)(const void *, size_t, const void *, size_t, void *),
    void *arg)
{
	MDB_cursor	*c = NULL;
	MDB_cursor_op	 op = MDB_SET_RANGE;
	MDB_val		 k, v;
	enum ostore_rc	 rc = OSTORE_ERR;
	int		 mrc;

	if (!txn_ok(t, db, 0, "ostore_scan"))
		goto out;
	if (fn == NULL || (prefix == NULL && plen > 0) ||
	    (start == NULL && startlen > 0)) {
		olog_err("ostore_scan: bad arguments");
		goto out;
	}
	if (startlen > maxkey) {
		olog_err("ostore_scan: key of %zu bytes (at most %zu)",
		    startlen, maxkey);
		goto out;
	}
	/* No key is longer than maxkey: nothing has such a prefix. */
	if (plen > maxkey) {
		rc = OSTORE_OK;
		goto out;
	}
	if (t->full) {
		rc = OSTORE_FULL;
		goto out;
	}

	/*
	 * Keys with the prefix sort together, starting at the prefix
	 * itself, so begin at the larger of prefix and start and stop at
	 * the first key without the prefix.
	 */
	if (startlen > 0 && keycmp(start, startlen, prefix, plen) > 0) {
		k.mv_size = startlen;
		k.mv_data = (void *)start;
	} else if (plen > 0) {
		k.mv_size = plen;
		k.mv_data = (void *)prefix;
	} else
		op = MDB_FIRST;

	if ((mrc = mdb_cursor_open(t->txn, dbis[db], &c)) != 0) {
		olog_err("mdb_cursor_open: %s", mdb_strerror(mrc));
		c = NULL;
		goto out;
	}
	for (mrc = mdb_cursor_get(c, &k, &v, op); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < plen ||
		    (plen > 0 && memcmp(k.mv_data, prefix, plen) != 0))
			break;
		if (!fn(k.mv_data, k.mv_size, v.mv_data, v.mv_size, arg))
			break;
		if (t->full) {
			rc = OSTORE_FULL;
			goto out;
		}
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND) {
		rc = map_rc(t, mrc, "mdb_cursor_get");
		goto out;
	}
	rc = OSTORE_OK;
out:
	if (c != NULL)
		mdb_cursor_close(c);
	return rc;
}

/*
 * Number of records in db, from LMDB's statistics (no scan).
 */
enum ostore_rc
olmdb_count(struct ostore_txn *t, enum ostore_db db, size_t *count)
{
	MDB_stat	 st;
	int		 rc;

	if (!txn_ok(t, db, 0, "ostore_count"))
		return OSTORE_ERR;
	if (count == NULL) {
		olog_err("ostore_count: nowhere to put the count");
		return OSTORE_ERR;
	}
	if (t->full)
		return OSTORE_FULL;
	if ((rc = mdb_stat(t->txn, dbis[db], &st)) != 0) {
		olog_err("mdb_stat: %s", mdb_strerror(rc));
		return OSTORE_ERR;
	}
	*count = st.ms_entries;
	return OSTORE_OK;
}

/*
 * Health check (/health/ready): 1 if a read transaction opens and the
 * format record reads as OSTORE_FORMAT, which stops being true when a
 * newer oidcgi has migrated the store under this process.
 */
int
olmdb_ready(void)
{
	struct ostore_txn	*t;
	const void		*val;
	size_t			 len;
	long long		 fmt;
	int			 ok = 0;

	forget_inherited();
	if (env == NULL || broken)
		return 0;
	if ((t = olmdb_read_begin(NULL)) == NULL)
		return 0;
	/* Not ready, either, once a newer oidcgi has migrated the store. */
	if (olmdb_get(t, OSTORE_META, "format", 6, &val, &len) ==
	    OSTORE_OK && len <= FORMAT_MAXLEN &&
	    ostrtonum(val, len, 0, LLONG_MAX, &fmt) && fmt == OSTORE_FORMAT)
		ok = 1;
	olmdb_read_end(t);
	return ok;
}

/*
 * The current map size of this process in bytes, or 0 when closed.
 */
size_t
olmdb_mapsize(void)
{
	forget_inherited();
	if (env == NULL || broken)
		return 0;
	return map_size();
}

/*
 * Map size and bytes in use (see store.h).  The read transaction first
 * adopts a map another process has grown, so the size is current.
 */
int
olmdb_usage(size_t *mapsize, size_t *used)
{
	struct ostore_txn	*t;
	MDB_envinfo		 info;
	MDB_stat		 st;
	int			 rc, ok = 0;

	forget_inherited();
	if (env == NULL || broken)
		return 0;
	if ((t = olmdb_read_begin(NULL)) == NULL)
		return 0;
	if ((rc = mdb_env_info(env, &info)) != 0)
		olog_err("mdb_env_info: %s", mdb_strerror(rc));
	else if ((rc = mdb_env_stat(env, &st)) != 0)
		olog_err("mdb_env_stat: %s", mdb_strerror(rc));
	else {
		*mapsize = info.me_mapsize;
		*used = ((size_t)info.me_last_pgno + 1) * st.ms_psize;
		ok = 1;
	}
	olmdb_read_end(t);
	return ok;
}
