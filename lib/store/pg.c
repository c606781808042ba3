/*
 * pg.c: the PostgreSQL backend of the store (see store.h, backend.h
 * and schema/store.md, "PostgreSQL").
 *
 * libpq is opened with dlopen() only when a postgres:// DSN is
 * configured, as libcurl is (base/curl.h): an LMDB site needs no
 * libpq.  Every named database is a value of column db of one table,
 * oidcgi_kv (db smallint, k bytea, v bytea, primary key (db, k)); bytea
 * compares like memcmp, then the shorter first, which is LMDB's key
 * order, so scans by prefix and from a key work the same.
 *
 * One connection per process, made at the first transaction (not by
 * ostore_open()) and made again after it failed; a fork()ed child
 * drops its parent's without a word on the wire.  A read transaction
 * is one REPEATABLE READ READ ONLY transaction (a snapshot); a write
 * transaction is SERIALIZABLE, and ostore_write() runs its function
 * again when PostgreSQL refuses it as a serialization failure or a
 * deadlock (SQLSTATE 40001, 40P01, 23505), for up to WRITE_BUDGET ms,
 * then answers 503.  With libpq >= 14 the connection is in pipeline
 * mode, so that BEGIN, a read's end, a ROLLBACK and overwrites cost
 * no round trip of their own (see piped, below).
 * The schema is made by `oidcgi migrate sql` (opg_migrate()) only.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "base/err.h"
#include "base/util.h"
#include "store/store.h"
#include "store/backend.h"

/*
 * A write refused as a conflict runs again, up to WRITE_TRIES attempts
 * within WRITE_BUDGET ms from the first, with a pause of BACKOFF_MAX ms
 * at most between two; then it is a 503.
 */
#define WRITE_TRIES	32
#define WRITE_BUDGET	1000
#define BACKOFF_MAX	128
/* Rows fetched by a scan's first query, and by each further one. */
#define SCAN_FIRST	8
#define SCAN_BATCH	256

static struct {
	PGconn		*(*connectdb)(const char *);
	ConnStatusType	 (*status)(const PGconn *);
	char		*(*errormessage)(const PGconn *);
	void		 (*finish)(PGconn *);
	PGresult	*(*exec)(PGconn *, const char *);
	PGresult	*(*execparams)(PGconn *, const char *, int,
			    const Oid *, const char *const *, const int *,
			    const int *, int);
	ExecStatusType	 (*resultstatus)(const PGresult *);
	char		*(*resulterrorfield)(const PGresult *, int);
	void		 (*clear)(PGresult *);
	char		*(*getvalue)(const PGresult *, int, int);
	int		 (*getlength)(const PGresult *, int, int);
	int		 (*ntuples)(const PGresult *);
	char		*(*cmdtuples)(PGresult *);
	PGresult	*(*prepare)(PGconn *, const char *, const char *, int,
			    const Oid *);
	PGresult	*(*execprepared)(PGconn *, const char *, int,
			    const char *const *, const int *, const int *,
			    int);
	char		*(*resulterrormessage)(const PGresult *);
	int		 (*sendqueryparams)(PGconn *, const char *, int,
			    const Oid *, const char *const *, const int *,
			    const int *, int);
	int		 (*sendprepare)(PGconn *, const char *, const char *,
			    int, const Oid *);
	int		 (*sendqueryprepared)(PGconn *, const char *, int,
			    const char *const *, const int *, const int *,
			    int);
	PGresult	*(*getresult)(PGconn *);
	/* libpq >= 14's pipeline mode; NULL when older. */
	int		 (*enterpipelinemode)(PGconn *);
	int		 (*pipelinesync)(PGconn *);
	int		 (*sendflushrequest)(PGconn *);
	int		 (*flush)(PGconn *);
} pq;

/*
 * The statements of run() prepared on this connection, by their text's
 * address (each is a literal at one call site): statement i is "s<i>".
 */
#define MAXPREP		16
static const char	*prepared[MAXPREP];
static int		 nprepared;

static char		*dsn;		/* NULL when closed */
static pid_t		 dsnpid;	/* the process that opened it */
static PGconn		*conn;		/* NULL until the first transaction */
static int		 writing;
/*
 * Pipeline mode (libpq >= 14): conn stays in it, and a round trip
 * sends what is pending with the statement whose result is needed.
 * A read transaction is the implicit transaction of the extended query
 * protocol: its statements go out with a flush request, no BEGIN, the
 * session's defaults making it REPEATABLE READ READ ONLY (one snapshot,
 * taken at its first statement), and the sync point that ends it is
 * not waited for.  A write transaction's BEGIN goes out with its first
 * statement, each statement with a sync point (an explicit transaction
 * outlives them), its ROLLBACK is not waited for, its COMMIT is.  The
 * results not waited for are owed, read before the next statement's.
 */
static int		 piped;		/* conn is in pipeline mode */
static int		 owed;		/* sync points whose results are unread */
/*
 * The BEGIN of the open transaction while not yet sent ("" when there
 * is none to send): it goes out with the transaction's first statement
 * (a snapshot is taken at the first statement anyway, not at BEGIN),
 * or never when there is none.
 */
static const char	*pending;

/*
 * What was sent in pipeline mode and not read yet, in order after the
 * owed sync points: a BEGIN, a statement being prepared, a write not
 * waited for (later()), the statement whose result is wanted.
 */
enum sent { SENT_BEGIN, SENT_PREPARE, SENT_LATER, SENT_STMT };
#define MAXSENT		64
static struct {
	enum sent	 what;
	int		 slot;		/* SENT_PREPARE: in prepared[] */
} sentq[MAXSENT];
static int		 nsent;
/* A write not waited for failed: 1 to retry, 2 otherwise (later()). */
static int		 later_failed;

/* Each process's session: a transaction's defaults are a read's. */
#define SESSION_READ	"SET SESSION CHARACTERISTICS AS TRANSACTION " \
			"ISOLATION LEVEL REPEATABLE READ, READ ONLY"
#define BEGIN_READ	"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
#define BEGIN_WRITE	"BEGIN ISOLATION LEVEL SERIALIZABLE READ WRITE"
static struct ostore_txn rd;
/*
 * The error of the open read transaction (ostore_read_begin()'s err,
 * or NULL): a connection lost inside it is a 503 there, set before the
 * caller's own error for the failed read can be (the first one wins).
 */
static struct oerr	*rd_err;
/* Results whose values the open transaction handed out. */
static PGresult		**kept;
static size_t		 nkept, maxkept;

/* A symbol of handle h into the function pointer at fp; 0 if missing. */
static int
sym(void *h, const char *name, void *fp)
{
	void	*p;

	if ((p = dlsym(h, name)) == NULL) {
		olog_err("dlsym: %s: %s", name, dlerror());
		return 0;
	}
	memcpy(fp, &p, sizeof(p));
	return 1;
}

/*
 * Load libpq once.  Returns 1, or 0 (logged) when it is not installed.
 */
static int
pq_load(void)
{
	static int	 state;		/* 1 loaded, -1 failed */
	void		*h, *p, *q, *f;

	if (state != 0)
		return state > 0;
	state = -1;
	if ((h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		olog_err("dlopen: %s", dlerror());
		return 0;
	}
	if (!sym(h, "PQconnectdb", &pq.connectdb) ||
	    !sym(h, "PQstatus", &pq.status) ||
	    !sym(h, "PQerrorMessage", &pq.errormessage) ||
	    !sym(h, "PQfinish", &pq.finish) ||
	    !sym(h, "PQexec", &pq.exec) ||
	    !sym(h, "PQexecParams", &pq.execparams) ||
	    !sym(h, "PQresultStatus", &pq.resultstatus) ||
	    !sym(h, "PQresultErrorField", &pq.resulterrorfield) ||
	    !sym(h, "PQclear", &pq.clear) ||
	    !sym(h, "PQgetvalue", &pq.getvalue) ||
	    !sym(h, "PQgetlength", &pq.getlength) ||
	    !sym(h, "PQntuples", &pq.ntuples) ||
	    !sym(h, "PQcmdTuples", &pq.cmdtuples) ||
	    !sym(h, "PQprepare", &pq.prepare) ||
	    !sym(h, "PQexecPrepared", &pq.execprepared) ||
	    !sym(h, "PQresultErrorMessage", &pq.resulterrormessage) ||
	    !sym(h, "PQsendQueryParams", &pq.sendqueryparams) ||
	    !sym(h, "PQsendPrepare", &pq.sendprepare) ||
	    !sym(h, "PQsendQueryPrepared", &pq.sendqueryprepared) ||
	    !sym(h, "PQgetResult", &pq.getresult) ||
	    !sym(h, "PQflush", &pq.flush))
		return 0;
	/*
	 * Pipeline mode (libpq >= 14), or a round trip per statement.
	 * OIDCGI_PG_NOPIPELINE=1 takes the second way (for the tests).
	 */
	if (getenv("OIDCGI_PG_NOPIPELINE") == NULL &&
	    (p = dlsym(h, "PQenterPipelineMode")) != NULL &&
	    (q = dlsym(h, "PQpipelineSync")) != NULL &&
	    (f = dlsym(h, "PQsendFlushRequest")) != NULL) {
		memcpy(&pq.enterpipelinemode, &p, sizeof(p));
		memcpy(&pq.pipelinesync, &q, sizeof(q));
		memcpy(&pq.sendflushrequest, &f, sizeof(f));
	}
	state = 1;
	return 1;
}

/*
 * Drop a connection and state inherited across fork() without closing
 * it: PQfinish() would end the parent's session.
 */
static void
forget_inherited(void)
{
	if (dsn == NULL || dsnpid == getpid())
		return;
	conn = NULL;
	nprepared = 0;
	piped = owed = nsent = 0;
	pending = NULL;
	free(dsn);
	dsn = NULL;
	writing = 0;
	memset(&rd, 0, sizeof(rd));
	rd_err = NULL;
	kept = NULL;
	nkept = maxkept = 0;
}

/* Free the results the ending transaction handed out. */
static void
kept_clear(void)
{
	size_t	 i;

	for (i = 0; i < nkept; i++)
		pq.clear(kept[i]);
	nkept = 0;
}

/* Keep r until the transaction ends. */
static void
kept_add(PGresult *r)
{
	if (nkept == maxkept) {
		maxkept = maxkept == 0 ? 16 : maxkept * 2;
		kept = oxrealloc(kept, maxkept * sizeof(*kept));
	}
	kept[nkept++] = r;
}

/* Close the connection (after a failure; made again when next needed). */
static void
conn_drop(void)
{
	if (conn != NULL)
		pq.finish(conn);
	conn = NULL;
	nprepared = 0;
	piped = owed = nsent = 0;
}

/*
 * Whether r failed as a transaction PostgreSQL asks to run again:
 * a serialization failure, a deadlock, or a key inserted meanwhile.
 */
static int
retryable(const PGresult *r)
{
	const char	*st;

	if (r == NULL ||
	    (st = pq.resulterrorfield(r, PG_DIAG_SQLSTATE)) == NULL)
		return 0;
	return strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 ||
	    strcmp(st, "23505") == 0;
}

/*
 * Run sql (no parameters); returns 1 if it succeeded, else 0 (logged
 * unless quiet; *retry set when it is worth running again).
 */
static int
simple(const char *sql, int *retry)
{
	PGresult	*r;
	ExecStatusType	 s;
	int		 ok;

	r = pq.exec(conn, sql);
	s = r != NULL ? pq.resultstatus(r) : PGRES_FATAL_ERROR;
	ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
	if (!ok) {
		if (retry != NULL)
			*retry = retryable(r);
		if (retry == NULL || !*retry)
			olog_err("postgresql: %s: %s", sql,
			    pq.errormessage(conn));
		if (pq.status(conn) != CONNECTION_OK)
			conn_drop();
	}
	if (r != NULL)
		pq.clear(r);
	return ok;
}

/*
 * The version in oidcgi_schema, into *v (0: no such table).  Returns
 * 1, or 0 (logged) when the query failed otherwise.
 */
static int
schema_version(PGconn *c, int *v)
{
	PGresult	*r;
	long long	 n;
	int		 ok = 0;

	*v = 0;
	r = pq.exec(c, "SELECT to_regclass('oidcgi_schema') IS NOT NULL");
	if (r == NULL || pq.resultstatus(r) != PGRES_TUPLES_OK ||
	    pq.ntuples(r) != 1)
		goto out;
	if (strcmp(pq.getvalue(r, 0, 0), "t") != 0) {
		ok = 1;
		goto out;
	}
	pq.clear(r);
	r = pq.exec(c, "SELECT max(version) FROM oidcgi_schema");
	if (r == NULL || pq.resultstatus(r) != PGRES_TUPLES_OK ||
	    pq.ntuples(r) != 1)
		goto out;
	if (pq.getlength(r, 0, 0) > 0 && (!ostrtonum(pq.getvalue(r, 0, 0),
	    (size_t)pq.getlength(r, 0, 0), 0, INT32_MAX, &n)))
		goto out;
	*v = pq.getlength(r, 0, 0) > 0 ? (int)n : 0;
	ok = 1;
out:
	if (!ok)
		olog_err("postgresql: schema version: %s",
		    pq.errormessage(c));
	if (r != NULL)
		pq.clear(r);
	return ok;
}

/*
 * Connect when there is no connection, and check the schema version.
 * Returns 1, or 0 with a 503 in err (logged).
 */
static int
conn_get(struct oerr *err)
{
	int	 v;

	if (conn != NULL && pq.status(conn) == CONNECTION_OK)
		return 1;
	conn_drop();
	if (!pq_load())
		goto fail;
	conn = pq.connectdb(dsn);
	if (conn == NULL || pq.status(conn) != CONNECTION_OK) {
		olog_err("postgresql: cannot connect: %s", conn != NULL ?
		    pq.errormessage(conn) : "out of memory");
		goto fail;
	}
	if (!schema_version(conn, &v))
		goto fail;
	if (v != OSTORE_PG_SCHEMA) {
		olog_err("postgresql: schema version %d, this oidcgi needs "
		    "%d: run `oidcgi migrate sql`", v, OSTORE_PG_SCHEMA);
		oerr_set(err, OERR_TEMPORARILY_UNAVAILABLE, "The store is "
		    "not available.");
		oerr_hint(err, "The database has schema version %d, this "
		    "oidcgi needs %d: run `oidcgi migrate sql`.", v,
		    OSTORE_PG_SCHEMA);
		conn_drop();
		return 0;
	}
	if (!simple(SESSION_READ, NULL))
		goto fail;
	if (pq.enterpipelinemode != NULL) {
		if (!pq.enterpipelinemode(conn)) {
			olog_err("postgresql: pipeline mode: %s",
			    pq.errormessage(conn));
			goto fail;
		}
		piped = 1;
	}
	return 1;
fail:
	conn_drop();
	oerr_set(err, OERR_TEMPORARILY_UNAVAILABLE,
	    "The store is not available.");
	return 0;
}

/*
 * The next result of a pipeline: a statement's (the NULL after it
 * read too) or a sync point's.  NULL when the connection broke.
 */
static PGresult *
next_result(void)
{
	PGresult	*r, *x;

	if ((r = pq.getresult(conn)) == NULL)
		return NULL;
	if (pq.resultstatus(r) != PGRES_PIPELINE_SYNC)
		while ((x = pq.getresult(conn)) != NULL)
			pq.clear(x);
	return r;
}

/*
 * Read the results owed by earlier sync points (a read's COMMIT, a
 * ROLLBACK; their failures are only logged: nothing was left to
 * undo).  Returns 1, or 0 when the connection broke.
 */
static int
owed_read(void)
{
	PGresult	*r;
	ExecStatusType	 s;

	while (owed > 0) {
		if ((r = next_result()) == NULL)
			return 0;
		s = pq.resultstatus(r);
		if (s == PGRES_PIPELINE_SYNC)
			owed--;
		else if (s != PGRES_COMMAND_OK)
			olog_err("postgresql: %s", pq.resulterrormessage(r));
		pq.clear(r);
		if (pq.status(conn) != CONNECTION_OK)
			return 0;
	}
	return 1;
}

/*
 * Send, in pipeline mode or not, the open transaction's BEGIN when
 * still pending, then sql with n parameters.  With bin, the parameters
 * after the first and the results are binary, and sql is prepared on
 * first use on this connection (each sql is a literal at one call
 * site, known by its address: statement slot i is "s<i>").  In
 * pipeline mode nothing is read (what is sent is queued in sentq, as
 * what); else the result is returned (NULL: lost).  Returns 1 in
 * pipeline mode, or 0 when the connection broke.
 */
static int
send_stmt(const char *sql, int n, const char *const *v, const int *len,
    int bin, enum sent what, PGresult **res)
{
	static const int fmt[4] = { 0, 1, 1, 1 };
	const char	*b = pending;
	PGresult	*x;
	char		 name[8];
	int		 i = -1, fresh = 0;

	pending = NULL;
	if (b != NULL && b[0] == '\0')
		b = NULL;
	if (bin) {
		for (i = 0; i < nprepared && prepared[i] != sql; i++)
			continue;
		if (i == nprepared) {
			if (i < MAXPREP) {
				/* Its slot taken now, freed if it fails. */
				fresh = 1;
				prepared[nprepared++] = sql;
			} else
				i = -1;
		}
		snprintf(name, sizeof(name), "s%d", i);
	}
	if (!piped) {
		if (b != NULL) {
			x = pq.exec(conn, b);
			if (x == NULL || pq.resultstatus(x) != PGRES_COMMAND_OK) {
				if (x != NULL)
					pq.clear(x);
				return 0;
			}
			pq.clear(x);
		}
		if (fresh) {
			x = pq.prepare(conn, name, sql, n, NULL);
			if (x == NULL || pq.resultstatus(x) != PGRES_COMMAND_OK) {
				prepared[i] = NULL;
				i = -1;
			}
			if (x != NULL)
				pq.clear(x);
		}
		*res = i >= 0 ?
		    pq.execprepared(conn, name, n, v, len, fmt, 1) :
		    pq.execparams(conn, sql, n, NULL, v, len,
		    bin ? fmt : NULL, bin);
		return *res != NULL;
	}
	if (nsent + 3 > MAXSENT)
		return 0;
	if (b != NULL) {
		if (!pq.sendqueryparams(conn, b, 0, NULL, NULL, NULL, NULL, 0))
			return 0;
		sentq[nsent++].what = SENT_BEGIN;
	}
	if (fresh) {
		if (!pq.sendprepare(conn, name, sql, n, NULL))
			return 0;
		sentq[nsent].what = SENT_PREPARE;
		sentq[nsent++].slot = i;
	}
	if (i >= 0 ? !pq.sendqueryprepared(conn, name, n, v, len, fmt, 1) :
	    !pq.sendqueryparams(conn, sql, n, NULL, v, len,
	    bin ? fmt : NULL, bin))
		return 0;
	sentq[nsent++].what = what;
	return 1;
}

/*
 * Read what sentq says was sent, up to the SENT_STMT's result, which
 * is returned (the caller clears it), or all of it when there is none
 * (NULL).  A failed write not waited for sets later_failed.  *lost is
 * set when the connection broke or a BEGIN was refused.
 */
static PGresult *
sent_read(int *lost)
{
	PGresult	*x;
	ExecStatusType	 s;
	int		 i;

	*lost = 0;
	for (i = 0; i < nsent; i++) {
		if ((x = next_result()) == NULL) {
			*lost = 1;
			break;
		}
		s = pq.resultstatus(x);
		if (sentq[i].what == SENT_STMT) {
			nsent = 0;
			return x;
		}
		if (s == PGRES_COMMAND_OK) {
			pq.clear(x);
			continue;
		}
		if (sentq[i].what == SENT_BEGIN) {
			olog_err("postgresql: BEGIN: %s",
			    pq.resulterrormessage(x));
			*lost = 1;
		} else if (sentq[i].what == SENT_PREPARE)
			prepared[sentq[i].slot] = NULL;
		else if (s != PGRES_PIPELINE_ABORTED && later_failed == 0) {
			later_failed = retryable(x) ? 1 : 2;
			if (later_failed == 2)
				olog_err("postgresql: %s",
				    pq.resulterrormessage(x));
		}
		pq.clear(x);
		if (*lost)
			break;
	}
	nsent = 0;
	return NULL;
}

/*
 * One round trip: sql sent as send_stmt() does, in one pipeline behind
 * what was sent before, then a sync point (sync; else a flush request:
 * a read's implicit transaction goes on), and everything read up to
 * its result.  Returns sql's result, which the caller clears (a
 * statement skipped after a failure before it has the status
 * PGRES_PIPELINE_ABORTED); NULL, with the connection dropped, when it
 * broke or the BEGIN was refused (nothing after it could be trusted).
 */
static PGresult *
trip(const char *sql, int n, const char *const *v, const int *len, int bin,
    int sync)
{
	PGresult	*r = NULL, *x;
	ExecStatusType	 s;
	int		 lost;

	if (!piped) {
		if (!send_stmt(sql, n, v, len, bin, SENT_STMT, &r))
			goto lost;
		return r;
	}
	if (!send_stmt(sql, n, v, len, bin, SENT_STMT, &r) ||
	    (sync && !pq.pipelinesync(conn)) ||
	    (!sync && (!pq.sendflushrequest(conn) || pq.flush(conn) != 0)) ||
	    !owed_read())
		goto lost;
	r = sent_read(&lost);
	if (lost || r == NULL)
		goto lost;
	if (!sync) {
		s = pq.resultstatus(r);
		if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
			return r;
		/*
		 * A read failed, its implicit transaction with it: end
		 * it now, which also tells a lost connection (its error
		 * arrives before libpq sees the end of the socket).
		 */
		if (!pq.pipelinesync(conn))
			goto lost;
		pending = "";
	}
	if ((x = pq.getresult(conn)) == NULL ||
	    pq.resultstatus(x) != PGRES_PIPELINE_SYNC) {
		if (x != NULL)
			pq.clear(x);
		goto lost;
	}
	pq.clear(x);
	return r;
lost:
	if (r != NULL)
		pq.clear(r);
	if (conn != NULL)
		olog_err("postgresql: %s", pq.errormessage(conn));
	conn_drop();
	return NULL;
}

/*
 * Send a write whose result is not needed now (pipeline mode only):
 * read with the next statement's, or the COMMIT's; if it failed,
 * later_failed says so then.  Returns 1, or 0 when the connection
 * broke (dropped), or nothing was sent (run it now).
 */
static int
later(const char *sql, int n, const char *const *v, const int *len)
{
	PGresult	*r = NULL;

	/*
	 * Not a transaction's first statement: a connection broken since
	 * its last use is connected again there (run()).
	 */
	if (!piped || pending != NULL || nsent + 6 > MAXSENT)
		return 0;
	if (!send_stmt(sql, n, v, len, 1, SENT_LATER, &r)) {
		olog_err("postgresql: %s", pq.errormessage(conn));
		conn_drop();
		return 0;
	}
	return 1;
}

/*
 * Read what was sent and not read yet (writes not waited for, the
 * transaction ended without a statement after them), behind a sync
 * point of its own, so that what ends the transaction comes after any
 * failure of theirs.  Returns 1, or 0 when the connection broke
 * (dropped).
 */
static int
sent_drain(void)
{
	PGresult	*x;
	int		 lost;

	if (!pq.pipelinesync(conn) || !owed_read())
		goto lost;
	sent_read(&lost);
	if (lost || (x = pq.getresult(conn)) == NULL)
		goto lost;
	if (pq.resultstatus(x) != PGRES_PIPELINE_SYNC) {
		pq.clear(x);
		goto lost;
	}
	pq.clear(x);
	return 1;
lost:
	olog_err("postgresql: %s", pq.errormessage(conn));
	conn_drop();
	return 0;
}

/*
 * End the open transaction without waiting: a write's with sql
 * (ROLLBACK), a read's with its sync point alone (or a COMMIT without
 * pipeline mode).  In pipeline mode what it answers is owed, read
 * with the next statement's.  Nothing is sent when the transaction
 * sent nothing.
 */
static void
end_nowait(const char *sql)
{
	if (pending != NULL || conn == NULL) {
		pending = NULL;
		return;
	}
	if (!piped) {
		simple(sql != NULL ? sql : "COMMIT", NULL);
		return;
	}
	if (nsent > 0 && !sent_drain())
		return;
	if ((sql != NULL && !pq.sendqueryparams(conn, sql, 0, NULL, NULL,
	    NULL, NULL, 0)) || !pq.pipelinesync(conn)) {
		olog_err("postgresql: %s: %s", sql != NULL ? sql : "sync",
		    pq.errormessage(conn));
		conn_drop();
		return;
	}
	owed++;
}

/* Remember the DSN; the connection is made by the first transaction. */
int
opg_open(const char *target, size_t mapsize, struct oerr *err)
{
	forget_inherited();
	if (dsn != NULL) {
		oerr_set(err, OERR_SERVER_ERROR, "store: already open");
		return 0;
	}
	if (!pq_load()) {
		oerr_set(err, OERR_SERVER_ERROR, "store: the dsn names a "
		    "PostgreSQL database, and libpq (libpq.so.5) cannot be "
		    "loaded");
		return 0;
	}
	dsn = oxstrdup(target);
	dsnpid = getpid();
	return 1;
}

/* Close the connection and forget the DSN (not inside ostore_write()). */
void
opg_close(void)
{
	forget_inherited();
	if (dsn == NULL || writing)
		return;
	if (rd.active)
		opg_read_end(&rd);
	conn_drop();
	free(dsn);
	dsn = NULL;
	free(kept);
	kept = NULL;
	nkept = maxkept = 0;
}

/* Non-zero when this process has the store open. */
int
opg_isopen(void)
{
	forget_inherited();
	return dsn != NULL;
}

/*
 * Begin the read transaction: one snapshot (see store.h).  Connects
 * when needed; its BEGIN goes out with its first statement.
 */
struct ostore_txn *
opg_read_begin(struct oerr *err)
{
	forget_inherited();
	if (dsn == NULL || rd.active || writing) {
		olog_err("ostore_read_begin: store closed, or a transaction "
		    "is already open in this process");
		oerr_set(err, OERR_TEMPORARILY_UNAVAILABLE,
		    "The store is not available.");
		return NULL;
	}
	if (!conn_get(err))
		return NULL;
	pending = piped ? "" : BEGIN_READ;
	memset(&rd, 0, sizeof(rd));
	rd.rdonly = 1;
	rd.active = 1;
	rd_err = err;
	return &rd;
}

/*
 * End the read transaction; what it returned is gone.  Its COMMIT is
 * not waited for: a read-only transaction has nothing to make durable,
 * and its result is read with the next statement's.
 */
void
opg_read_end(struct ostore_txn *t)
{
	forget_inherited();
	if (t == NULL || t != &rd || !rd.active)
		return;
	kept_clear();
	end_nowait(NULL);
	rd.active = 0;
	rd_err = NULL;
}

/*
 * Mark t as to retry or failed when a write of it not waited for
 * failed (later()).  Returns 1 if one did.
 */
static int
later_apply(struct ostore_txn *t)
{
	if (later_failed == 1)
		t->retry = 1;
	else if (later_failed == 2)
		t->failed = 1;
	return later_failed != 0;
}

/* Milliseconds on the monotonic clock. */
static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Sleep before attempt i (1 or more), at most left ms: a random time
 * between half and all of 1 << i ms (2, 4, ... up to BACKOFF_MAX), so
 * that processes that collided spread out, and back off further while
 * they keep colliding.  The generator is a process's own, seeded by
 * its pid (rand()'s sequence would be the same in every process).
 */
static void
backoff(int i, int64_t left)
{
	static uint32_t	 x;
	struct timespec	 ts;
	int64_t		 cap, us;

	if (x == 0)
		x = (uint32_t)getpid() * 2654435761u | 1;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	cap = i < 16 ? (int64_t)1 << i : BACKOFF_MAX;
	if (cap > BACKOFF_MAX)
		cap = BACKOFF_MAX;
	us = cap * 500 + (int64_t)(x % (uint32_t)(cap * 500 + 1));
	if (us > left * 1000)
		us = left * 1000;
	ts.tv_sec = us / 1000000;
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	nanosleep(&ts, NULL);
}

/*
 * Run fn in a SERIALIZABLE transaction, again on a conflict (top), up
 * to WRITE_TRIES attempts within WRITE_BUDGET ms, then a 503.  Its
 * BEGIN goes out with its first statement; its COMMIT is waited for
 * (durable before the answer); a ROLLBACK is not.
 */
int
opg_write(int (*fn)(struct ostore_txn *, void *, struct oerr *),
    void *arg, struct oerr *err)
{
	struct ostore_txn	 t;
	struct oerr		 saved;
	PGresult		*r;
	int64_t			 t0, spent;
	int			 i, done, retry;

	forget_inherited();
	if (dsn == NULL || fn == NULL || writing || rd.active) {
		olog_err("ostore_write: store closed, no function, or a "
		    "transaction already open in this process");
		oerr_set(err, OERR_SERVER_ERROR, "The store was misused.");
		return 0;
	}
	memset(&saved, 0, sizeof(saved));
	if (err != NULL)
		saved = *err;
	t0 = now_ms();
	for (i = 0; ; i++) {
		if (i > 0) {
			spent = now_ms() - t0;
			if (i >= WRITE_TRIES || spent >= WRITE_BUDGET)
				break;
			if (err != NULL)
				*err = saved;
			backoff(i, WRITE_BUDGET - spent);
		}
		if (!conn_get(err))
			return 0;
		pending = BEGIN_WRITE;
		later_failed = 0;
		memset(&t, 0, sizeof(t));
		t.active = 1;
		writing = 1;
		done = fn(&t, arg, err);
		writing = 0;
		t.active = 0;
		kept_clear();
		later_apply(&t);
		if (conn == NULL || pq.status(conn) != CONNECTION_OK) {
			/* Lost on the way: nothing was committed. */
			pending = NULL;
			conn_drop();
			goto unavailable;
		}
		if (t.retry) {
			end_nowait("ROLLBACK");
			continue;
		}
		if (!done || t.failed) {
			end_nowait("ROLLBACK");
			if (done)
				oerr_set(err, OERR_SERVER_ERROR,
				    "The store could not save the change.");
			return 0;
		}
		if (pending != NULL) {
			/* Nothing read or written: nothing to commit. */
			pending = NULL;
			return 1;
		}
		/* Writes not waited for are read first: any failed... */
		if ((r = trip("COMMIT", 0, NULL, NULL, 0, 1)) == NULL)
			goto unavailable;
		if (pq.status(conn) != CONNECTION_OK) {
			pq.clear(r);
			conn_drop();
			goto unavailable;
		}
		/* ... and the COMMIT after it was skipped. */
		if (later_apply(&t)) {
			pq.clear(r);
			end_nowait("ROLLBACK");
			if (t.retry)
				continue;
			oerr_set(err, OERR_SERVER_ERROR,
			    "The store could not save the change.");
			return 0;
		}
		if (pq.resultstatus(r) == PGRES_COMMAND_OK) {
			pq.clear(r);
			return 1;
		}
		retry = retryable(r);
		if (!retry)
			olog_err("ostore_write: postgresql: COMMIT: %s",
			    pq.resulterrormessage(r));
		pq.clear(r);
		if (!retry) {
			oerr_set(err, OERR_SERVER_ERROR,
			    "The store could not save the change.");
			return 0;
		}
	}
	olog_err("ostore_write: still conflicting after %d attempts in "
	    "%lld ms", i, (long long)(now_ms() - t0));
	if (err != NULL)
		*err = saved;
	oerr_set(err, OERR_TEMPORARILY_UNAVAILABLE,
	    "The store is busy; try again.");
	return 0;
unavailable:
	writing = 0;
	if (err != NULL)
		*err = saved;
	oerr_set(err, OERR_TEMPORARILY_UNAVAILABLE,
	    "The store is not available.");
	return 0;
}

/* Nothing to do: a COMMIT returns once durable. */
int
opg_sync(void)
{
	/* A COMMIT returns once it is durable (synchronous_commit). */
	return dsn != NULL;
}

/*
 * Check t for an operation named fn (write: a write transaction).
 * Returns 1 if usable, 0 (logged) otherwise.
 */
static int
txn_ok(const struct ostore_txn *t, enum ostore_db db, int write,
    const char *fn)
{
	forget_inherited();
	if (dsn == NULL || conn == NULL || t == NULL || !t->active) {
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
 * Run a statement with binary parameters (db first, as a smallint in
 * text) and binary results, with the transaction's BEGIN when it is
 * its first.  Returns the result, or NULL (logged; t marked failed, or
 * to retry).
 */
static PGresult *
run(struct ostore_txn *t, const char *sql, int n, const char *const *v,
    const int *len, const char *fn)
{
	PGresult	*r;
	ExecStatusType	 s;
	const char	*b = pending;

	if (t->failed || t->retry)
		return NULL;
	r = trip(sql, n, v, len, 1, !t->rdonly);
	if (r != NULL && pq.status(conn) != CONNECTION_OK) {
		pq.clear(r);
		r = NULL;
		conn_drop();
	}
	if (r == NULL && b != NULL && conn_get(NULL)) {
		/*
		 * Broken since its last use (the server restarted, say),
		 * noticed at the transaction's first statement, before
		 * anything was read: connect again, once.
		 */
		pending = t->rdonly && piped ? "" : b;
		r = trip(sql, n, v, len, 1, !t->rdonly);
		if (r != NULL && pq.status(conn) != CONNECTION_OK) {
			pq.clear(r);
			r = NULL;
			conn_drop();
		}
	}
	if (r != NULL && t != &rd && later_apply(t)) {
		/* A write before it failed, and it was skipped. */
		pq.clear(r);
		return NULL;
	}
	if (r == NULL) {
		/*
		 * Lost: a write's ostore_write() answers 503 itself; a
		 * read's 503 goes to the error it began with.
		 */
		olog_err("%s: postgresql: the connection was lost", fn);
		t->failed = 1;
		if (t == &rd)
			oerr_set(rd_err, OERR_TEMPORARILY_UNAVAILABLE,
			    "The store is not available.");
		return NULL;
	}
	s = pq.resultstatus(r);
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return r;
	if (retryable(r))
		t->retry = 1;
	else {
		t->failed = 1;
		olog_err("%s: postgresql: %s", fn, pq.resulterrormessage(r));
	}
	pq.clear(r);
	return NULL;
}

/*
 * The statements of a put (each one text, so one prepared statement
 * per connection: run() and later() know a statement by its address).
 */
static const char SQL_INSERT[] =
    "INSERT INTO oidcgi_kv (db, k, v) VALUES ($1, $2, $3) "
    "ON CONFLICT (db, k) DO NOTHING";
static const char SQL_UPSERT[] =
    "INSERT INTO oidcgi_kv (db, k, v) VALUES ($1, $2, $3) "
    "ON CONFLICT (db, k) DO UPDATE SET v = excluded.v";

/*
 * The first two parameters of a statement on one record: db (as text,
 * in d) and the key (binary).
 */
static void
key_params(enum ostore_db db, char d[8], const void *key, size_t keylen,
    const char **v, int *len)
{
	snprintf(d, 8, "%d", (int)db);
	v[0] = d;
	len[0] = 0;
	v[1] = key;
	len[1] = (int)keylen;
}

/* Look key up; *val stays valid until the transaction ends. */
enum ostore_rc
opg_get(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen, const void **val, size_t *vallen)
{
	char		 d[8];
	const char	*v[2];
	int		 len[2];
	PGresult	*r;

	if (!txn_ok(t, db, 0, "ostore_get"))
		return OSTORE_ERR;
	if (key != NULL && keylen > OSTORE_KEYMAX)
		return OSTORE_NOTFOUND;
	if (key == NULL || keylen == 0 || val == NULL || vallen == NULL) {
		olog_err("ostore_get: empty key or nowhere to put the value");
		return OSTORE_ERR;
	}
	key_params(db, d, key, keylen, v, len);
	if ((r = run(t, "SELECT v FROM oidcgi_kv WHERE db = $1 AND k = $2",
	    2, v, len, "ostore_get")) == NULL)
		return OSTORE_ERR;
	if (pq.ntuples(r) == 0) {
		pq.clear(r);
		return OSTORE_NOTFOUND;
	}
	kept_add(r);
	*val = pq.getvalue(r, 0, 0);
	*vallen = (size_t)pq.getlength(r, 0, 0);
	return OSTORE_OK;
}

/* Store val under key (OSTORE_EXISTS with OSTORE_NOOVERWRITE). */
enum ostore_rc
opg_put(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen, const void *val, size_t vallen, unsigned flags)
{
	char		 d[8];
	const char	*v[3];
	int		 len[3];
	PGresult	*r;
	enum ostore_rc	 rc;

	if (!txn_ok(t, db, 1, "ostore_put"))
		return OSTORE_ERR;
	if (key == NULL || keylen == 0 || keylen > OSTORE_KEYMAX ||
	    (val == NULL && vallen > 0) || vallen > INT32_MAX ||
	    (flags & ~(unsigned)OSTORE_NOOVERWRITE) != 0) {
		olog_err("ostore_put: bad key, value or flags");
		return OSTORE_ERR;
	}
	key_params(db, d, key, keylen, v, len);
	v[2] = val != NULL ? val : "";
	len[2] = (int)vallen;
	t->dirty = 1;
	if (t->failed || t->retry)
		return OSTORE_ERR;
	/*
	 * An overwrite cannot find the key taken: not waited for, its
	 * result read with the next statement's (a failure then fails
	 * the transaction, which commits only if it succeeded).
	 */
	if (!(flags & OSTORE_NOOVERWRITE) && later(SQL_UPSERT, 3, v, len))
		return OSTORE_OK;
	if (conn == NULL) {
		t->failed = 1;
		return OSTORE_ERR;
	}
	if ((r = run(t, (flags & OSTORE_NOOVERWRITE) ? SQL_INSERT : SQL_UPSERT,
	    3, v, len, "ostore_put")) == NULL)
		return OSTORE_ERR;
	rc = strcmp(pq.cmdtuples(r), "1") == 0 ? OSTORE_OK : OSTORE_EXISTS;
	pq.clear(r);
	return rc;
}

/* Delete key; OSTORE_NOTFOUND if it was not there. */
enum ostore_rc
opg_del(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen)
{
	char		 d[8];
	const char	*v[2];
	int		 len[2];
	PGresult	*r;
	enum ostore_rc	 rc;

	if (!txn_ok(t, db, 1, "ostore_del"))
		return OSTORE_ERR;
	if (key != NULL && keylen > OSTORE_KEYMAX)
		return OSTORE_NOTFOUND;
	if (key == NULL || keylen == 0) {
		olog_err("ostore_del: empty key");
		return OSTORE_ERR;
	}
	key_params(db, d, key, keylen, v, len);
	t->dirty = 1;
	if ((r = run(t, "DELETE FROM oidcgi_kv WHERE db = $1 AND k = $2",
	    2, v, len, "ostore_del")) == NULL)
		return OSTORE_ERR;
	rc = strcmp(pq.cmdtuples(r), "0") == 0 ? OSTORE_NOTFOUND : OSTORE_OK;
	pq.clear(r);
	return rc;
}

/*
 * Visit in key order the records of db with the prefix, from the first
 * key >= start, in batches of SCAN_BATCH rows: each batch begins after
 * the last key of the one before, so fn may delete what it is shown.
 */
enum ostore_rc
opg_scan(struct ostore_txn *t, enum ostore_db db, const void *prefix,
    size_t plen, const void *start, size_t startlen,
    int (*fn)(const void *, size_t, const void *, size_t, void *),
    void *arg)
{
	char		 d[8], lim[8], last[OSTORE_KEYMAX], end[OSTORE_KEYMAX];
	uint64_t	 b;
	const char	*v[4];
	const char	*k, *val, *sql;
	int		 len[4], i, n, incl = 1, batch = SCAN_FIRST, np;
	size_t		 klen, lastlen = 0, endlen = 0;
	PGresult	*r;

	if (!txn_ok(t, db, 0, "ostore_scan"))
		return OSTORE_ERR;
	if (fn == NULL || (prefix == NULL && plen > 0) ||
	    (start == NULL && startlen > 0) || startlen > OSTORE_KEYMAX) {
		olog_err("ostore_scan: bad arguments");
		return OSTORE_ERR;
	}
	if (plen > OSTORE_KEYMAX)
		return OSTORE_OK;
	/* Begin at the larger of prefix and start. */
	if (startlen > 0 && (plen == 0 || memcmp(start, prefix,
	    startlen < plen ? startlen : plen) > 0 ||
	    (memcmp(start, prefix, startlen < plen ? startlen : plen) == 0 &&
	    startlen > plen))) {
		memcpy(last, start, startlen);
		lastlen = startlen;
	} else if (plen > 0) {
		memcpy(last, prefix, plen);
		lastlen = plen;
	}
	/*
	 * End before the first key past the prefix (the prefix with its
	 * last byte below 0xff incremented, what follows dropped), so that
	 * no row outside it is read: a SERIALIZABLE writer that read rows
	 * it did not need would conflict with writers of those rows.
	 */
	if (plen > 0) {
		memcpy(end, prefix, plen);
		endlen = plen;
		while (endlen > 0 && (unsigned char)end[endlen - 1] == 0xff)
			endlen--;
		if (endlen > 0)
			end[endlen - 1] = (char)((unsigned char)end[endlen - 1] +
			    1);
	}
	snprintf(d, sizeof(d), "%d", (int)db);
	v[0] = d;
	len[0] = 0;
	for (;;) {
		/*
		 * A first batch of SCAN_FIRST rows, then SCAN_BATCH: most
		 * scans stop at their first rows (the expiry flush at the
		 * first one not expired), and read no more than that.
		 */
		for (b = (uint64_t)batch, i = 7; i >= 0; i--, b >>= 8)
			lim[i] = (char)(b & 0xff);	/* a binary bigint */
		v[1] = last;
		len[1] = (int)lastlen;
		v[2] = lim;
		len[2] = 8;
		np = 3;
		if (endlen > 0) {
			v[3] = end;
			len[3] = (int)endlen;
			np = 4;
			sql = incl ?
			    "SELECT k, v FROM oidcgi_kv WHERE db = $1 AND "
			    "k >= $2 AND k < $4 ORDER BY k LIMIT $3" :
			    "SELECT k, v FROM oidcgi_kv WHERE db = $1 AND "
			    "k > $2 AND k < $4 ORDER BY k LIMIT $3";
		} else
			sql = incl ?
			    "SELECT k, v FROM oidcgi_kv WHERE db = $1 AND "
			    "k >= $2 ORDER BY k LIMIT $3" :
			    "SELECT k, v FROM oidcgi_kv WHERE db = $1 AND "
			    "k > $2 ORDER BY k LIMIT $3";
		if ((r = run(t, sql, np, v, len, "ostore_scan")) == NULL)
			return OSTORE_ERR;
		n = pq.ntuples(r);
		for (i = 0; i < n; i++) {
			k = pq.getvalue(r, i, 0);
			klen = (size_t)pq.getlength(r, i, 0);
			val = pq.getvalue(r, i, 1);
			if (klen < plen || (plen > 0 &&
			    memcmp(k, prefix, plen) != 0) ||
			    !fn(k, klen, val, (size_t)pq.getlength(r, i, 1),
			    arg)) {
				pq.clear(r);
				return t->failed || t->retry ? OSTORE_ERR :
				    OSTORE_OK;
			}
			if (klen > sizeof(last))
				klen = sizeof(last);
			memcpy(last, k, klen);
			lastlen = klen;
		}
		pq.clear(r);
		if (t->failed || t->retry)
			return OSTORE_ERR;
		if (n < batch)
			return OSTORE_OK;
		incl = 0;
		batch = SCAN_BATCH;
	}
}

/* Number of records in db. */
enum ostore_rc
opg_count(struct ostore_txn *t, enum ostore_db db, size_t *count)
{
	char		 d[8];
	const char	*v[1];
	int		 len[1];
	PGresult	*r;
	long long	 n;
	enum ostore_rc	 rc = OSTORE_ERR;

	if (!txn_ok(t, db, 0, "ostore_count") || count == NULL)
		return OSTORE_ERR;
	snprintf(d, sizeof(d), "%d", (int)db);
	v[0] = d;
	len[0] = 0;
	/* count(*)::text: the text of a number, with binary results. */
	if ((r = run(t, "SELECT count(*)::text FROM oidcgi_kv WHERE db = $1",
	    1, v, len, "ostore_count")) == NULL)
		return OSTORE_ERR;
	if (pq.ntuples(r) == 1 && ostrtonum(pq.getvalue(r, 0, 0),
	    (size_t)pq.getlength(r, 0, 0), 0, LLONG_MAX, &n)) {
		*count = (size_t)n;
		rc = OSTORE_OK;
	}
	pq.clear(r);
	return rc;
}

/* 1 if a transaction opens: reachable, and of this schema version. */
int
opg_ready(void)
{
	struct ostore_txn	*t;

	PGresult		*r;

	forget_inherited();
	if (dsn == NULL || (t = opg_read_begin(NULL)) == NULL)
		return 0;
	/* A statement: the BEGIN goes out only with one. */
	if ((r = run(t, "SELECT 1", 0, NULL, NULL, "ostore_ready")) != NULL)
		pq.clear(r);
	opg_read_end(t);
	return r != NULL;
}

/* No map: 0. */
size_t
opg_mapsize(void)
{
	return 0;
}

/*
 * No map: *mapsize is 0 and *used the size of the table on disk, with
 * its index and TOAST.  Returns 1, or 0 (logged).
 */
int
opg_usage(size_t *mapsize, size_t *used)
{
	struct ostore_txn	*t;
	PGresult		*r;
	long long		 n;
	int			 ok = 0;

	if ((t = opg_read_begin(NULL)) == NULL)
		return 0;
	if ((r = run(t, "SELECT pg_total_relation_size('oidcgi_kv')::text",
	    0, NULL, NULL, "ostore_usage")) != NULL) {
		if (pq.ntuples(r) == 1 && ostrtonum(pq.getvalue(r, 0, 0),
		    (size_t)pq.getlength(r, 0, 0), 0, LLONG_MAX, &n)) {
			*mapsize = 0;
			*used = (size_t)n;
			ok = 1;
		}
		pq.clear(r);
	}
	opg_read_end(t);
	return ok;
}

/* The schema, one step per version: step i makes version i + 1. */
static const char *const migrations[OSTORE_PG_SCHEMA] = {
	"CREATE TABLE oidcgi_schema (version integer PRIMARY KEY, "
	"applied timestamptz NOT NULL DEFAULT now());"
	"CREATE TABLE oidcgi_kv (db smallint NOT NULL, k bytea NOT NULL, "
	"v bytea NOT NULL, PRIMARY KEY (db, k));",
};

/*
 * Run sql on c outside the store's connection.  Returns 1, or 0 with
 * err naming the statement's error.
 */
static int
exec_ok(PGconn *c, const char *sql, struct oerr *err)
{
	PGresult	*r;
	ExecStatusType	 s;

	r = pq.exec(c, sql);
	s = r != NULL ? pq.resultstatus(r) : PGRES_FATAL_ERROR;
	if (r != NULL)
		pq.clear(r);
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return 1;
	oerr_set(err, OERR_SERVER_ERROR, "%s", pq.errormessage(c));
	return 0;
}

/*
 * Create or upgrade the tables in the database named by target (see
 * store.h).  Each step and its version row commit together.
 */
int
opg_migrate(const char *target, int *from, int *to, struct oerr *err)
{
	PGconn	*c = NULL;
	char	 sql[64];
	int	 v, i, ok = 0;

	*from = *to = 0;
	if (!pq_load()) {
		oerr_set(err, OERR_SERVER_ERROR, "libpq (libpq.so.5) cannot "
		    "be loaded");
		return 0;
	}
	if ((c = pq.connectdb(target)) == NULL ||
	    pq.status(c) != CONNECTION_OK) {
		oerr_set(err, OERR_TEMPORARILY_UNAVAILABLE, "cannot connect "
		    "to the database: %s", c != NULL ? pq.errormessage(c) :
		    "out of memory");
		goto out;
	}
	/* One migrator at a time. */
	if (!exec_ok(c, "SELECT pg_advisory_lock(4242016)", err) ||
	    !schema_version(c, &v)) {
		oerr_set(err, OERR_SERVER_ERROR, "cannot read the schema "
		    "version: %s", pq.errormessage(c));
		goto out;
	}
	*from = *to = v;
	if (v > OSTORE_PG_SCHEMA) {
		oerr_set(err, OERR_SERVER_ERROR, "the database has schema "
		    "version %d, newer than this oidcgi's %d", v,
		    OSTORE_PG_SCHEMA);
		goto out;
	}
	for (i = v; i < OSTORE_PG_SCHEMA; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO oidcgi_schema "
		    "(version) VALUES (%d)", i + 1);
		if (!exec_ok(c, "BEGIN", err) ||
		    !exec_ok(c, migrations[i], err) ||
		    !exec_ok(c, sql, err) ||
		    !exec_ok(c, "COMMIT", err))
			goto out;
		*to = i + 1;
	}
	ok = 1;
out:
	if (c != NULL)
		pq.finish(c);
	return ok;
}
