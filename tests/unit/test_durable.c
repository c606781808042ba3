/*
 * test_durable.c: the LMDB store (lib/store/lmdb.c) loses no
 * acknowledged write when the power goes: a commit (MDB_NOMETASYNC: the
 * data pages synced inside the write lock, the meta page written after
 * them) is on disk before ostore_write() returns (write_run()'s sync),
 * whatever other processes do meanwhile.  A change to how commits are
 * synced (a group commit, a sync shared between processes) must keep
 * this test green.
 *
 * The test binary defines fdatasync(), which LMDB's library then calls
 * instead of the C library's (the executable's definition comes first
 * in symbol lookup).  For data.mdb of the store under test it copies
 * the file as it is when a sync starts, lets the real fdatasync()
 * run, and when that returns publishes the copy as the durable image:
 * what a power cut at that instant would leave on disk, if every write
 * not yet covered by a finished sync were lost.  Several processes then
 * write to the store at once.  Each checks, as soon as ostore_write()
 * returns (when a client would be told), that the durable image holds
 * its key, and notes the key; until they are all killed at once, when
 * the durable image must open as a store and hold every noted key.
 * Runs on LMDB only (never opens a store through tfix).
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "base/err.h"
#include "store/store.h"
#include "t.h"
#include "tfix.h"

#define WRITERS		4	/* processes writing at once */
#define ROUNDS		10	/* power cuts */
#define KEY_MAX		64

static char	 top[PATH_MAX];		/* the test's directory */
static dev_t	 watch_dev;		/* data.mdb under test */
static ino_t	 watch_ino;
static int	 watching;

/* What the file "seq" holds: snapshots taken, and the one published. */
struct seq {
	uint64_t	 taken, published;
};

/* Read the whole file behind fd into *buf; returns its size, or -1. */
static ssize_t
slurp(int fd, char **buf)
{
	struct stat	 st;
	ssize_t		 n, off = 0;

	if (fstat(fd, &st) == -1 || (*buf = malloc(st.st_size + 1)) == NULL)
		return -1;
	while (off < st.st_size) {
		if ((n = pread(fd, *buf + off, st.st_size - off, off)) <= 0) {
			free(*buf);
			return -1;
		}
		off += n;
	}
	return off;
}

/*
 * Update the file "seq" under its lock: with publish 0, count a
 * snapshot and return its number; else, when snapshot number publish
 * is newer than the published one, write buf (len bytes) as the
 * durable image and return 1.  Returns 0 otherwise, -1 on failure.
 */
static int64_t
seq_step(uint64_t publish, const char *buf, size_t len)
{
	struct seq	 s;
	char		 path[PATH_MAX + 16], tmp[PATH_MAX + 32];
	int64_t		 rc = -1;
	int		 fd, out;

	snprintf(path, sizeof(path), "%s/seq", top);
	if ((fd = open(path, O_RDWR | O_CREAT, 0600)) == -1)
		return -1;
	if (flock(fd, LOCK_EX) == -1)
		goto out;
	memset(&s, 0, sizeof(s));
	if (pread(fd, &s, sizeof(s), 0) == -1)
		goto out;
	if (publish == 0)
		rc = (int64_t)++s.taken;
	else if (publish <= s.published)
		rc = 0;
	else {
		snprintf(tmp, sizeof(tmp), "%s/durable.%d", top, (int)getpid());
		if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) ==
		    -1)
			goto out;
		if (write(out, buf, len) != (ssize_t)len) {
			close(out);
			goto out;
		}
		close(out);
		snprintf(path, sizeof(path), "%s/durable.mdb", top);
		if (rename(tmp, path) == -1)
			goto out;
		s.published = publish;
		rc = 1;
	}
	if (pwrite(fd, &s, sizeof(s), 0) != sizeof(s))
		rc = -1;
out:
	close(fd);
	return rc;
}

/*
 * fdatasync() for LMDB: around a sync of data.mdb, the durable image
 * (see the top of the file).  Other files pass through.
 */
int
fdatasync(int fd)
{
	static int	(*real)(int);
	struct stat	 st;
	char		*buf = NULL;
	ssize_t		 len = -1;
	int64_t		 n = 0;
	int		 rc;

	if (real == NULL &&
	    (real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync")) == NULL)
		abort();
	if (watching && fstat(fd, &st) == 0 && st.st_dev == watch_dev &&
	    st.st_ino == watch_ino) {
		if ((n = seq_step(0, NULL, 0)) <= 0 ||
		    (len = slurp(fd, &buf)) < 0)
			abort();
	}
	rc = real(fd);
	if (rc == 0 && n > 0 && seq_step((uint64_t)n, buf, len) < 0)
		abort();
	free(buf);
	return rc;
}

/*
 * 1 if the durable image holds key in the database "meta" (LMDB read
 * only, without a lock file: the image is never written in place).
 */
static int
in_image(const char *key)
{
	MDB_env		*e = NULL;
	MDB_txn		*t = NULL;
	MDB_dbi		 dbi;
	MDB_val		 k, v;
	char		 path[PATH_MAX + 16];
	int		 found = 0;

	snprintf(path, sizeof(path), "%s/durable.mdb", top);
	if (mdb_env_create(&e) != 0 || mdb_env_set_maxdbs(e, 64) != 0 ||
	    mdb_env_open(e, path, MDB_NOSUBDIR | MDB_RDONLY | MDB_NOLOCK,
	    0600) != 0 || mdb_txn_begin(e, NULL, MDB_RDONLY, &t) != 0 ||
	    mdb_dbi_open(t, "meta", 0, &dbi) != 0)
		goto out;
	k.mv_data = (void *)key;
	k.mv_size = strlen(key);
	found = mdb_get(t, dbi, &k, &v) == 0;
out:
	if (t != NULL)
		mdb_txn_abort(t);
	if (e != NULL)
		mdb_env_close(e);
	return found;
}

/* One record to put: a key in OSTORE_META. */
static int
put_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	const char	*k = arg;

	return ostore_put(t, OSTORE_META, k, strlen(k), "1", 1, 0) ==
	    OSTORE_OK;
}

/*
 * A writer: put keys w<n>-<i> one transaction each; once ostore_write()
 * returned, check that the durable image holds it (else exit 5) and
 * note it in the file acked; until killed.
 */
static void
writer(const char *var, int n)
{
	struct oerr	 err;
	char		 key[KEY_MAX], path[PATH_MAX + 16];
	int		 fd, i, len;

	oerr_clear(&err);
	snprintf(path, sizeof(path), "%s/acked", top);
	if (!ostore_open(var, 0, &err) ||
	    (fd = open(path, O_WRONLY | O_APPEND)) == -1)
		_exit(2);
	for (i = 0;; i++) {
		len = snprintf(key, sizeof(key), "gc:w%d-%d\n", n, i);
		key[len - 1] = '\0';
		if (!ostore_write(put_fn, key, &err))
			_exit(3);
		if (!in_image(key)) {
			fprintf(stderr, "acknowledged, not durable: %s\n",
			    key);
			_exit(5);
		}
		key[len - 1] = '\n';
		if (write(fd, key, len) != len)
			_exit(4);
	}
}

/* Remove the files of the test's directory d (one level). */
static void
rm_dir(const char *d)
{
	char	 cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", d);
}

/*
 * Check that the durable image opens as a store and holds every key in
 * acked; *nacked counts them.  Returns 1 if so.
 */
static int
image_ok(size_t *nacked)
{
	struct ostore_txn	*t;
	struct oerr		 err;
	const void		*v;
	size_t			 vl;
	FILE			*f;
	char			 path[3 * PATH_MAX + 64], key[KEY_MAX];
	char			 img[PATH_MAX + 16];
	int			 ok = 1;

	*nacked = 0;
	snprintf(img, sizeof(img), "%s/img", top);
	if (snprintf(path, sizeof(path), "mkdir -m 700 '%s' && "
	    "cp '%s/durable.mdb' '%s/data.mdb'", img, top, img) >=
	    (int)sizeof(path) ||
	    system(path) != 0)
		return 0;
	oerr_clear(&err);
	if (!ostore_open(img, 0, &err)) {
		fprintf(stderr, "the durable image does not open: %s\n",
		    err.description);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/acked", top);
	if ((f = fopen(path, "r")) == NULL ||
	    (t = ostore_read_begin(&err)) == NULL) {
		if (f != NULL)
			fclose(f);
		ostore_close();
		return 0;
	}
	while (fgets(key, sizeof(key), f) != NULL) {
		key[strcspn(key, "\n")] = '\0';
		(*nacked)++;
		if (ostore_get(t, OSTORE_META, key, strlen(key), &v, &vl) !=
		    OSTORE_OK) {
			fprintf(stderr, "acknowledged, not durable: %s\n", key);
			ok = 0;
		}
	}
	ostore_read_end(t);
	fclose(f);
	ostore_close();
	return ok;
}

/*
 * WRITERS processes write at once; after a while the power goes (every
 * writer is killed, and what was synced is all that is left): every
 * write a writer was told of is in the durable image.  ROUNDS times,
 * the cut falling at different moments.
 */
static void
power_cut(void)
{
	struct oerr	 err;
	struct stat	 st;
	struct timespec	 ts;
	pid_t		 pid[WRITERS];
	char		 var[PATH_MAX + 16], path[PATH_MAX + 32];
	const char	*tmp = getenv("TMPDIR");
	size_t		 nacked;
	int		 r, i, fd, status;

	for (r = 0; r < ROUNDS; r++) {
		snprintf(top, sizeof(top), "%s/test_durable.XXXXXX",
		    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
		if (!CHECKED(mkdtemp(top) != NULL))
			return;
		snprintf(var, sizeof(var), "%s/var", top);
		snprintf(path, sizeof(path), "%s/acked", top);
		oerr_clear(&err);
		if (!CHECKED((fd = open(path, O_WRONLY | O_CREAT, 0600)) !=
		    -1))
			goto next;
		close(fd);
		/* The store made, closed: each writer opens its own. */
		if (!CHECKED(ostore_open(var, 0, &err)))
			goto next;
		ostore_close();
		snprintf(path, sizeof(path), "%s/data.mdb", var);
		if (!CHECKED(stat(path, &st) == 0))
			goto next;
		watch_dev = st.st_dev;
		watch_ino = st.st_ino;
		watching = 1;
		/* One process group, so that the cut stops all at once. */
		for (i = 0; i < WRITERS; i++) {
			if ((pid[i] = fork()) == 0) {
				setpgid(0, i == 0 ? 0 : pid[0]);
				writer(var, i);
			}
			if (pid[i] > 0)
				setpgid(pid[i], pid[0]);
		}
		ts.tv_sec = 0;
		ts.tv_nsec = 100000000L + r * 37000000L;
		nanosleep(&ts, NULL);
		if (pid[0] > 0)
			kill(-pid[0], SIGKILL);
		for (i = 0; i < WRITERS; i++) {
			if (pid[i] <= 0) {
				CHECK(0);
				continue;
			}
			waitpid(pid[i], &status, 0);
			CHECK(WIFSIGNALED(status) &&
			    WTERMSIG(status) == SIGKILL);
		}
		watching = 0;
		if (CHECKED(image_ok(&nacked)))
			printf("# round %d: %zu writes acknowledged, all "
			    "durable\n", r, nacked);
		/* Enough writes for the test to mean something. */
		CHECK(nacked >= 20);
next:
		watching = 0;
		rm_dir(top);
	}
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(power_cut),
	};

	return t_run(tests, NTESTS);
}
