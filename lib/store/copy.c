/*
 * copy.c: `oidcgi store copy` (ostore_copy(), store.h): every record
 * of one store written into another, an LMDB data directory or a
 * PostgreSQL database on either side (schema/store.md, "Moving between
 * the backends").
 *
 * The store is one per process, so a fork()ed child opens the source,
 * reads every named database in one read transaction (one snapshot:
 * the records agree with each other, as a server saw them) and streams
 * them through a pipe.  The parent keeps them in memory, then opens the
 * destination and writes them all in one write transaction, which
 * first checks that the destination holds nothing but what opening it
 * makes: a copy lands whole or not at all, and never mixes two sites.
 *
 * The stream: per record a frame of the database (1 byte), the key's
 * and the value's lengths (4 bytes each, big-endian), the key, the
 * value; then END and the number of records (8 bytes), or FAIL and the
 * child's struct oerr.  Both ends are the same binary.
 *
 * Not copied: meta's "format" (the destination's own stamp).  A
 * generation counter the destination already has becomes one more
 * than the larger of the two, so that a process caching what it counts
 * notices the change; the keys counter is also the newest key's
 * sequence, so it never goes below the source's.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/crypto.h"
#include "base/err.h"
#include "base/util.h"
#include "store/store.h"
#include "store/backend.h"

#define FRAME_END	0xff
#define FRAME_FAIL	0xfe
#define FRAME_HEAD	9		/* db, key length, value length */
#define GEN_PREFIX	"gen:"
#define READ_CHUNK	65536

/* One record of the source, pointing into the stream's buffer. */
struct rec {
	enum ostore_db		 db;
	const unsigned char	*k, *v;
	size_t			 klen, vlen;
};

/* What the destination's write transaction works from. */
struct copy {
	const struct rec	*recs;
	size_t			 nrecs;
	size_t			*counts;
	const char		*label;		/* "the destination ..." */
	int			 notempty;
};

/* What the scan of meta found besides the stamp and the counters. */
struct metascan {
	size_t	 other;
};

/* The source's stream as the child writes it. */
struct emit {
	FILE		*f;
	int		 db;		/* the database being read */
	uint64_t	 n;		/* records written */
	int		 failed;
};

/* The name of db in schema/store.md (store.h). */
const char *
ostore_db_name(enum ostore_db db)
{
	return olmdb_dbname(db);
}

/* Put v as n bytes big-endian at p. */
static void
be_put(unsigned char *p, uint64_t v, size_t n)
{
	while (n > 0) {
		p[--n] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

/* The n bytes big-endian at p. */
static uint64_t
be_get(const unsigned char *p, size_t n)
{
	uint64_t	 v = 0;
	size_t		 i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* ostore_scan() visitor of the child: one frame per record. */
static int
emit_rec(const void *k, size_t klen, const void *v, size_t vlen, void *arg)
{
	struct emit	*e = arg;
	unsigned char	 head[FRAME_HEAD];

	if (vlen > UINT32_MAX || klen > OSTORE_KEYMAX) {
		olog_err("store copy: a record of %zu bytes is too large",
		    vlen);
		e->failed = 1;
		return 0;
	}
	head[0] = (unsigned char)e->db;
	be_put(head + 1, klen, 4);
	be_put(head + 5, vlen, 4);
	if (fwrite(head, 1, sizeof(head), e->f) != sizeof(head) ||
	    fwrite(k, 1, klen, e->f) != klen ||
	    (vlen > 0 && fwrite(v, 1, vlen, e->f) != vlen)) {
		olog_err("store copy: writing to the pipe: %s",
		    strerror(errno));
		e->failed = 1;
		return 0;
	}
	e->n++;
	return 1;
}

/*
 * The child: open the source, read every database in one read
 * transaction and write the stream to fd.  Never returns.
 */
static void
child(const char *from, int fd)
{
	struct ostore_txn	*t = NULL;
	struct oerr		 err;
	struct emit		 e;
	unsigned char		 end[9];
	int			 db;
	enum ostore_rc		 rc;

	oerr_clear(&err);
	memset(&e, 0, sizeof(e));
	if ((e.f = fdopen(fd, "w")) == NULL)
		_exit(1);
	if (!ostore_open(from, 0, &err))
		goto fail;
	if ((t = ostore_read_begin(&err)) == NULL)
		goto fail;
	for (db = 0; db < OSTORE__MAX; db++) {
		e.db = db;
		rc = ostore_scan(t, db, NULL, 0, NULL, 0, emit_rec, &e);
		if (rc != OSTORE_OK || e.failed) {
			oerr_set(&err, OERR_SERVER_ERROR, "cannot read the "
			    "records of %s", ostore_db_name(db));
			goto fail;
		}
	}
	ostore_read_end(t);
	t = NULL;
	ostore_close();
	end[0] = FRAME_END;
	be_put(end + 1, e.n, 8);
	if (fwrite(end, 1, sizeof(end), e.f) != sizeof(end) ||
	    fclose(e.f) != 0)
		_exit(1);
	_exit(0);
fail:
	if (t != NULL)
		ostore_read_end(t);
	ostore_close();
	fputc(FRAME_FAIL, e.f);
	fwrite(&err, 1, sizeof(err), e.f);
	fclose(e.f);
	_exit(1);
}

/*
 * Read all of fd into *buf (*len bytes; the caller wipes and frees it).
 * Returns 1, or 0 with err set.
 */
static int
slurp(int fd, unsigned char **buf, size_t *len, struct oerr *err)
{
	unsigned char	*nb;
	size_t		 cap = 0;
	ssize_t		 r;

	*buf = NULL;
	*len = 0;
	for (;;) {
		if (cap - *len < READ_CHUNK) {
			if (cap > SIZE_MAX / 2 - READ_CHUNK) {
				oerr_set(err, OERR_SERVER_ERROR, "the source "
				    "is too large to copy");
				return 0;
			}
			/* Grow by hand, wiping the old copy. */
			nb = oxmalloc(cap * 2 + READ_CHUNK);
			if (*len > 0)
				memcpy(nb, *buf, *len);
			if (*buf != NULL) {
				ocrypto_wipe(*buf, cap);
				free(*buf);
			}
			*buf = nb;
			cap = cap * 2 + READ_CHUNK;
		}
		r = read(fd, *buf + *len, cap - *len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			oerr_set(err, OERR_SERVER_ERROR, "reading the "
			    "source's records: %s", strerror(errno));
			return 0;
		}
		if (r == 0)
			return 1;
		*len += (size_t)r;
	}
}

/*
 * Cut the stream (len bytes at p) into *recs (*nrecs; the caller frees
 * the array), checking every frame.  A FAIL frame's error goes into
 * err.  Returns 1, or 0 with err set.
 */
static int
parse(const unsigned char *p, size_t len, struct rec **recs, size_t *nrecs,
    struct oerr *err)
{
	struct oerr	 cerr;
	size_t		 off = 0, cap = 0, klen, vlen;

	*recs = NULL;
	*nrecs = 0;
	while (off < len) {
		if (p[off] == FRAME_FAIL) {
			if (len - off - 1 != sizeof(cerr))
				break;
			memcpy(&cerr, p + off + 1, sizeof(cerr));
			cerr.description[sizeof(cerr.description) - 1] = '\0';
			cerr.hint[sizeof(cerr.hint) - 1] = '\0';
			oerr_set(err, cerr.code, "%s", cerr.description);
			if (cerr.hint[0] != '\0')
				oerr_hint(err, "%s", cerr.hint);
			return 0;
		}
		if (p[off] == FRAME_END) {
			if (len - off - 1 != 8 ||
			    be_get(p + off + 1, 8) != *nrecs)
				break;
			return 1;
		}
		if (p[off] >= OSTORE__MAX || len - off < FRAME_HEAD)
			break;
		klen = (size_t)be_get(p + off + 1, 4);
		vlen = (size_t)be_get(p + off + 5, 4);
		if (klen == 0 || klen > OSTORE_KEYMAX ||
		    klen > len - off - FRAME_HEAD ||
		    vlen > len - off - FRAME_HEAD - klen)
			break;
		if (*nrecs == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			*recs = oxrealloc(*recs, cap * sizeof(**recs));
		}
		(*recs)[*nrecs].db = p[off];
		(*recs)[*nrecs].k = p + off + FRAME_HEAD;
		(*recs)[*nrecs].klen = klen;
		(*recs)[*nrecs].v = p + off + FRAME_HEAD + klen;
		(*recs)[*nrecs].vlen = vlen;
		(*nrecs)++;
		off += FRAME_HEAD + klen + vlen;
	}
	oerr_set(err, OERR_SERVER_ERROR, "the source's records came "
	    "through cut short or garbled (see the log above)");
	return 0;
}

/*
 * Read the source at from in a child (child()) into *buf and *recs.
 * Returns 1, or 0 with err set.
 */
static int
read_source(const char *from, unsigned char **buf, size_t *len,
    struct rec **recs, size_t *nrecs, struct oerr *err)
{
	pid_t	 pid;
	int	 fds[2], status, ok;

	if (pipe(fds) == -1) {
		oerr_set(err, OERR_SERVER_ERROR, "pipe: %s", strerror(errno));
		return 0;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		oerr_set(err, OERR_SERVER_ERROR, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return 0;
	}
	if (pid == 0) {
		close(fds[0]);
		child(from, fds[1]);
	}
	close(fds[1]);
	ok = slurp(fds[0], buf, len, err);
	close(fds[0]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (!ok)
		return 0;
	ok = parse(*buf, *len, recs, nrecs, err);
	if (ok && (status == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)) {
		oerr_set(err, OERR_SERVER_ERROR, "the process reading the "
		    "source failed");
		ok = 0;
	}
	return ok;
}

/* ostore_scan() visitor of meta: count what is not stamp or counter. */
static int
meta_visit(const void *k, size_t klen, const void *v, size_t vlen,
    void *arg)
{
	struct metascan	*m = arg;

	(void)v;
	(void)vlen;
	if (!(klen == 6 && memcmp(k, "format", 6) == 0) &&
	    !(klen > strlen(GEN_PREFIX) &&
	    memcmp(k, GEN_PREFIX, strlen(GEN_PREFIX)) == 0))
		m->other++;
	return 1;
}

/*
 * Whether the destination holds nothing but its format stamp and
 * generation counters.  Returns 1 if so; 0 with err set (and
 * c->notempty when it holds records) otherwise.
 */
static int
dest_empty(struct ostore_txn *t, struct copy *c, struct oerr *err)
{
	struct metascan	 m;
	char		 what[200];
	size_t		 n, used = 0, total = 0;
	int		 db, w;
	enum ostore_rc	 rc;

	what[0] = '\0';
	memset(&m, 0, sizeof(m));
	if ((rc = ostore_scan(t, OSTORE_META, NULL, 0, NULL, 0, meta_visit,
	    &m)) != OSTORE_OK)
		goto fail;
	for (db = 0; db < OSTORE__MAX; db++) {
		if (db == OSTORE_META)
			n = m.other;
		else if ((rc = ostore_count(t, db, &n)) != OSTORE_OK)
			goto fail;
		if (n == 0)
			continue;
		total += n;
		if (used < sizeof(what)) {
			w = snprintf(what + used, sizeof(what) - used,
			    "%s%zu in %s", used > 0 ? ", " : "", n,
			    ostore_db_name(db));
			used += w > 0 ? (size_t)w : 0;
		}
	}
	if (total == 0)
		return 1;
	c->notempty = 1;
	oerr_set(err, OERR_CONFLICT, "%s already holds %zu records (%s); "
	    "it must be empty", c->label, total, what);
	oerr_hint(err, "Copy into a new data directory (with no `oidcgi "
	    "init`, which makes signing keys) or a freshly migrated "
	    "database (`oidcgi migrate sql`); nothing was written.");
	return 0;
fail:
	if (rc != OSTORE_FULL)
		oerr_set(err, OERR_SERVER_ERROR, "%s: cannot read what it "
		    "holds", c->label);
	return 0;
}

/*
 * Write a generation counter: the source's value, or when the
 * destination has the counter already, one more than the larger.
 */
static enum ostore_rc
put_gen(struct ostore_txn *t, const struct rec *r)
{
	unsigned char	 buf[8];
	const void	*v;
	size_t		 vlen;
	uint64_t	 g, d;
	enum ostore_rc	 rc;

	if (r->vlen != 8)
		return ostore_put(t, OSTORE_META, r->k, r->klen, r->v,
		    r->vlen, OSTORE_NOOVERWRITE);
	rc = ostore_get(t, OSTORE_META, r->k, r->klen, &v, &vlen);
	if (rc == OSTORE_NOTFOUND)
		return ostore_put(t, OSTORE_META, r->k, r->klen, r->v,
		    r->vlen, OSTORE_NOOVERWRITE);
	if (rc != OSTORE_OK)
		return rc;
	g = be_get(r->v, 8);
	d = vlen == 8 ? be_get(v, 8) : 0;
	if (d > g)
		g = d;
	if (g == UINT64_MAX)
		return OSTORE_ERR;
	be_put(buf, g + 1, 8);
	return ostore_put(t, OSTORE_META, r->k, r->klen, buf, sizeof(buf),
	    0);
}

/* The destination's write transaction: check it is empty, write all. */
static int
write_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct copy		*c = arg;
	const struct rec	*r;
	size_t			 i, gl = strlen(GEN_PREFIX);
	enum ostore_rc		 rc;

	memset(c->counts, 0, OSTORE__MAX * sizeof(*c->counts));
	c->notempty = 0;
	if (!dest_empty(t, c, err))
		return 0;
	for (i = 0; i < c->nrecs; i++) {
		r = &c->recs[i];
		if (r->db == OSTORE_META && r->klen == 6 &&
		    memcmp(r->k, "format", 6) == 0)
			continue;
		if (r->db == OSTORE_META && r->klen > gl &&
		    memcmp(r->k, GEN_PREFIX, gl) == 0)
			rc = put_gen(t, r);
		else
			rc = ostore_put(t, r->db, r->k, r->klen, r->v,
			    r->vlen, OSTORE_NOOVERWRITE);
		if (rc == OSTORE_FULL)
			return 0;
		if (rc != OSTORE_OK) {
			oerr_set(err, OERR_SERVER_ERROR, "%s: cannot write "
			    "a record of %s", c->label, ostore_db_name(r->db));
			return 0;
		}
		c->counts[r->db]++;
	}
	return 1;
}

/* "the source ..." or "the destination ..." for messages, into buf. */
static void
label(char *buf, size_t sz, const char *side, const char *target)
{
	if (ostore_is_pg(target))
		snprintf(buf, sz, "the %s PostgreSQL database", side);
	else
		snprintf(buf, sz, "the %s data directory %s", side, target);
}

/*
 * Put "label: description" and the hint of e into err, so that the
 * operator learns which side failed (target: that side's).
 */
static void
side_err(struct oerr *err, const char *lbl, const char *target,
    const struct oerr *e)
{
	oerr_set(err, e->code != OERR_NONE ? e->code : OERR_SERVER_ERROR,
	    "%s: %s", lbl, e->description[0] != '\0' ? e->description :
	    "failed (see the log above)");
	if (e->hint[0] != '\0')
		oerr_hint(err, "%s", e->hint);
	else if (ostore_is_pg(target) &&
	    e->code == OERR_TEMPORARILY_UNAVAILABLE)
		oerr_hint(err, "It cannot be reached; the log above says "
		    "why.");
}

/*
 * The size to map for an LMDB destination of len stream bytes: room
 * for the records and their pages, at least the default.
 */
static size_t
map_for(size_t len, size_t nrecs)
{
	size_t	 want;

	if (len > SIZE_MAX / 4 || nrecs > SIZE_MAX / 512)
		return 0;
	want = 3 * len + 128 * nrecs;
	return want > OSTORE_MAP_DEFAULT ? want : 0;
}

/*
 * Remove the LMDB store a copy that failed made in dir, and dir too
 * when it made it (made: 1 the store, 2 the directory as well).
 */
static void
unmake(const char *dir, int made)
{
	char	 p[PATH_MAX];

	if ((size_t)snprintf(p, sizeof(p), "%s/data.mdb", dir) < sizeof(p))
		unlink(p);
	if ((size_t)snprintf(p, sizeof(p), "%s/lock.mdb", dir) < sizeof(p))
		unlink(p);
	if (made == 2)
		rmdir(dir);
}

/* ostore_copy() (store.h). */
enum ostore_copy_rc
ostore_copy(const char *from, const char *to, size_t counts[],
    struct oerr *err)
{
	struct stat	 st;
	struct oerr	 e;
	struct copy	 c;
	struct rec	*recs = NULL;
	unsigned char	*buf = NULL;
	char		 src[PATH_MAX + 64], dst[PATH_MAX + 64], p[PATH_MAX];
	size_t		 len = 0, nrecs = 0;
	int		 made = 0;
	enum ostore_copy_rc rc = OSTORE_COPY_FAILED;

	memset(counts, 0, OSTORE__MAX * sizeof(*counts));
	if (from == NULL || to == NULL || *from == '\0' || *to == '\0') {
		oerr_set(err, OERR_INVALID_REQUEST, "name both stores: a "
		    "data directory or a postgres:// URL each");
		return rc;
	}
	label(src, sizeof(src), "source", from);
	label(dst, sizeof(dst), "destination", to);
	if (ostore_isopen()) {
		oerr_set(err, OERR_SERVER_ERROR, "store copy: this process "
		    "has a store open");
		return rc;
	}
	if (strcmp(from, to) == 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "the source and the "
		    "destination are the same store");
		return rc;
	}
	/* ostore_open() would make an LMDB store where there is none. */
	if (!ostore_is_pg(from) && ((size_t)snprintf(p, sizeof(p),
	    "%s/data.mdb", from) >= sizeof(p) || stat(p, &st) == -1 ||
	    !S_ISREG(st.st_mode))) {
		oerr_set(err, OERR_INVALID_REQUEST, "%s holds no store (no "
		    "data.mdb)", src);
		return rc;
	}
	if (!ostore_is_pg(to) && stat(to, &st) == -1) {
		if (errno != ENOENT) {
			oerr_set(err, OERR_INVALID_REQUEST, "%s: %s", dst,
			    strerror(errno));
			return rc;
		}
		made = 2;
	} else if (!ostore_is_pg(to) && S_ISDIR(st.st_mode) &&
	    (size_t)snprintf(p, sizeof(p), "%s/data.mdb", to) < sizeof(p) &&
	    stat(p, &st) == -1 && errno == ENOENT)
		made = 1;

	oerr_clear(&e);
	if (!read_source(from, &buf, &len, &recs, &nrecs, &e)) {
		side_err(err, src, from, &e);
		goto out;
	}

	memset(&c, 0, sizeof(c));
	c.recs = recs;
	c.nrecs = nrecs;
	c.counts = counts;
	c.label = dst;
	oerr_clear(&e);
	if (!ostore_open(to, ostore_is_pg(to) ? 0 : map_for(len, nrecs),
	    &e)) {
		side_err(err, dst, to, &e);
		goto out;
	}
	if (!ostore_write(write_fn, &c, &e)) {
		if (c.notempty) {
			oerr_set(err, e.code, "%s", e.description);
			oerr_hint(err, "%s", e.hint);
			rc = OSTORE_COPY_NOTEMPTY;
		} else if (strncmp(e.description, dst, strlen(dst)) == 0) {
			oerr_set(err, e.code, "%s", e.description);
			if (e.hint[0] != '\0')
				oerr_hint(err, "%s", e.hint);
		} else
			side_err(err, dst, to, &e);
		memset(counts, 0, OSTORE__MAX * sizeof(*counts));
		goto out;
	}
	rc = OSTORE_COPY_OK;
out:
	ostore_close();
	if (rc != OSTORE_COPY_OK && made)
		unmake(to, made);
	if (buf != NULL) {
		ocrypto_wipe(buf, len);
		free(buf);
	}
	free(recs);
	return rc;
}
