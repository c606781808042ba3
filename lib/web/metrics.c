/*
 * metrics.c: the shared counter file and its Prometheus exposition
 * (see metrics.h and schema/store.md).
 *
 * NOTE: A MAPPED FILE MUST NEVER SHRINK: a process touching a page past
 * the end of its file gets SIGBUS.  So a bad file is never truncated or
 * rewritten in place: a fresh one is written beside it and renamed over
 * it, under an flock() of the old one, and processes that had the old
 * one mapped keep counting into it harmlessly.
 */
#define _GNU_SOURCE		/* program_invocation_short_name */

#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/util.h"
#include "store/store.h"
#include "web/listen.h"
#include "web/metrics.h"

/*
 * The status codes counted one by one; any other counts as "other".
 * NOTE: CHANGING THIS TABLE OR THE ENUMS CHANGES THE FILE LAYOUT: bump
 * OMETRICS_VERSION (old files are then replaced, their counts lost).
 */
static const int codes[] = {
	200, 201, 204, 302, 303, 400, 401, 403, 404, 405, 409, 410, 413,
	414, 415, 422, 429, 500, 503
};
#define NCODES		(sizeof(codes) / sizeof(codes[0]))
#define CODE_OTHER	NCODES			/* the index of "other" */
#define NLISTENERS	2			/* public, admin */
#define NREQUESTS	(OMETRICS_FAMILY__MAX * NLISTENERS * (NCODES + 1))
#define NTOKENS		(OMETRICS_GRANT__MAX * OMETRICS_TOKEN__MAX)
#define NCOUNTERS	(NREQUESTS + NTOKENS)
/* Attempts to open a file that another process replaces meanwhile. */
#define OPEN_TRIES	8

struct mfile {
	char		 magic[8];		/* OMETRICS_MAGIC */
	uint32_t	 version;		/* OMETRICS_VERSION */
	uint32_t	 ncounters;		/* NCOUNTERS */
	uint64_t	 c[NCOUNTERS];
};

static const char *const family_names[OMETRICS_FAMILY__MAX] = {
	"health",	/* OMETRICS_HEALTH */
	"clients",	/* OMETRICS_CLIENTS */
	"register",	/* OMETRICS_REGISTER */
	"keys",		/* OMETRICS_KEYS */
	"wellknown",	/* OMETRICS_WELLKNOWN */
	"flow",		/* OMETRICS_FLOW */
	"oauth2",	/* OMETRICS_OAUTH2 */
	"ui",		/* OMETRICS_UI */
	"other",	/* OMETRICS_OTHER */
};

static const char *const grant_names[OMETRICS_GRANT__MAX] = {
	"authorization_code",	/* OMETRICS_AUTHORIZATION_CODE */
	"refresh_token",	/* OMETRICS_REFRESH_TOKEN */
	"client_credentials",	/* OMETRICS_CLIENT_CREDENTIALS */
	"implicit",		/* OMETRICS_IMPLICIT */
};

static const char *const token_names[OMETRICS_TOKEN__MAX] = {
	"access_token",		/* OMETRICS_ACCESS_TOKEN */
	"id_token",		/* OMETRICS_ID_TOKEN */
	"refresh_token",	/* OMETRICS_REFRESH */
};

#define TOK(t)	(1u << (t))
#define TOK_ALL	(TOK(OMETRICS_ACCESS_TOKEN) | TOK(OMETRICS_ID_TOKEN) | \
		    TOK(OMETRICS_REFRESH))

/* The token types a grant can issue: the series always exposed. */
static const unsigned grant_issues[OMETRICS_GRANT__MAX] = {
	TOK_ALL,				/* OMETRICS_AUTHORIZATION_CODE */
	TOK_ALL,				/* OMETRICS_REFRESH_TOKEN */
	TOK(OMETRICS_ACCESS_TOKEN),		/* OMETRICS_CLIENT_CREDENTIALS */
	TOK(OMETRICS_ACCESS_TOKEN) | TOK(OMETRICS_ID_TOKEN),
						/* OMETRICS_IMPLICIT */
};

static const char *const listener_names[NLISTENERS] = {
	"public",
	"admin",
};

static struct mfile	*map;		/* NULL until mapped */
static int		 failed;	/* mapping failed: count nothing */
static int		 family = -1;	/* -1 until known */

/*
 * The family of a program name (see metrics.h).
 */
enum ometrics_family
ometrics_family_of(const char *name)
{
	const char	*s;
	size_t		 len, i;

	if (name == NULL)
		return OMETRICS_OTHER;
	if ((s = strrchr(name, '/')) != NULL)
		name = s + 1;
	len = strlen(name);
	if (len > 4 && strcmp(name + len - 4, ".cgi") == 0)
		len -= 4;
	else if (len > 5 && strcmp(name + len - 5, ".fcgi") == 0)
		len -= 5;
	for (i = 0; i < OMETRICS_OTHER; i++)
		if (strlen(family_names[i]) == len &&
		    strncmp(family_names[i], name, len) == 0)
			return (enum ometrics_family)i;
	return OMETRICS_OTHER;
}

void
ometrics_set_family(enum ometrics_family f)
{
	family = f < OMETRICS_FAMILY__MAX ? (int)f : OMETRICS_OTHER;
}

/* 1 if the mapped header is this version's. */
static int
header_ok(const struct mfile *m)
{
	return memcmp(m->magic, OMETRICS_MAGIC, sizeof(m->magic)) == 0 &&
	    m->version == OMETRICS_VERSION && m->ncounters == NCOUNTERS;
}

/*
 * Write a fresh, zeroed file beside path and rename it over path,
 * owned like dir when we are root (the web server's user must be able
 * to open it).  The caller holds the flock of the file it replaces.
 * Returns 1, or 0 (logged).
 */
static int
replace(const char *dir, const char *path)
{
	char		 tmp[PATH_MAX];
	struct mfile	*m;
	struct stat	 dst;
	const char	*p;
	size_t		 left;
	ssize_t		 n;
	int		 fd = -1, ok = 0;

	m = oxcalloc(1, sizeof(*m));
	memcpy(m->magic, OMETRICS_MAGIC, sizeof(m->magic));
	m->version = OMETRICS_VERSION;
	m->ncounters = NCOUNTERS;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld", path,
	    (long)getpid()) >= sizeof(tmp)) {
		olog_err("metrics: %s: path too long", path);
		goto out;
	}
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		olog_err("metrics: open %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (geteuid() == 0 && stat(dir, &dst) == 0 &&
	    (dst.st_uid != 0 || dst.st_gid != 0) &&
	    fchown(fd, dst.st_uid, dst.st_gid) == -1) {
		olog_err("metrics: fchown %s: %s", tmp, strerror(errno));
		goto out;
	}
	for (p = (const char *)m, left = sizeof(*m); left > 0; ) {
		if ((n = write(fd, p, left)) == -1) {
			if (errno == EINTR)
				continue;
			olog_err("metrics: write %s: %s", tmp, strerror(errno));
			goto out;
		}
		p += n;
		left -= (size_t)n;
	}
	if (rename(tmp, path) == -1) {
		olog_err("metrics: rename %s: %s", tmp, strerror(errno));
		goto out;
	}
	ok = 1;
out:
	if (fd != -1) {
		close(fd);
		if (!ok)
			unlink(tmp);
	}
	free(m);
	return ok;
}

/*
 * Map <dir>/metrics (see metrics.h).  Each attempt opens the file,
 * locks it, checks that it is still the one the path names (another
 * process may have replaced it while we waited), and maps it if it is
 * well-formed, else replaces it and tries again.
 */
int
ometrics_open(const char *dir)
{
	char		 path[PATH_MAX];
	struct stat	 st, pst;
	struct mfile	*m = NULL;
	int		 fd = -1, i;

	ometrics_close();
	if (dir == NULL || *dir == '\0') {
		olog_err("metrics: no data directory");
		return 0;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
	    OMETRICS_FILE) >= sizeof(path)) {
		olog_err("metrics: %s: path too long", dir);
		return 0;
	}
	for (i = 0; i < OPEN_TRIES && m == NULL; i++) {
		if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC, 0600)) == -1) {
			olog_err("metrics: open %s: %s", path,
			    strerror(errno));
			return 0;
		}
		if (flock(fd, LOCK_EX) == -1) {
			olog_err("metrics: flock %s: %s", path,
			    strerror(errno));
			break;
		}
		if (fstat(fd, &st) == -1 || stat(path, &pst) == -1) {
			olog_err("metrics: stat %s: %s", path,
			    strerror(errno));
			break;
		}
		if (st.st_ino == pst.st_ino && st.st_dev == pst.st_dev) {
			if (!S_ISREG(st.st_mode)) {
				olog_err("metrics: %s: not a regular file",
				    path);
				break;
			}
			if (st.st_size == (off_t)sizeof(*m)) {
				m = mmap(NULL, sizeof(*m), PROT_READ |
				    PROT_WRITE, MAP_SHARED, fd, 0);
				if (m == MAP_FAILED) {
					m = NULL;
					olog_err("metrics: mmap %s: %s", path,
					    strerror(errno));
					break;
				}
				if (!header_ok(m)) {
					munmap(m, sizeof(*m));
					m = NULL;
				}
			}
			if (m == NULL) {
				if (st.st_size != 0)
					olog_warn("metrics: %s: not a "
					    "counter file of version %d; "
					    "replaced", path,
					    OMETRICS_VERSION);
				if (!replace(dir, path))
					break;
			}
		}
		/*
		 * Unlock before closing: a mapping keeps the open file
		 * description, and so its flock, alive after close().
		 */
		flock(fd, LOCK_UN);
		close(fd);
		fd = -1;
	}
	if (fd != -1)
		close(fd);
	if (m == NULL) {
		if (i == OPEN_TRIES)
			olog_err("metrics: %s: replaced too often", path);
		return 0;
	}
	map = m;
	return 1;
}

void
ometrics_close(void)
{
	if (map != NULL)
		munmap(map, sizeof(*map));
	map = NULL;
	failed = 0;
}

/*
 * Map the file on first use, once the store is open; a failure is
 * logged once and the process then counts nothing.  Returns 1 when the
 * counters are mapped.
 */
static int
ensure(void)
{
	if (map != NULL)
		return 1;
	if (failed || oconf == NULL || oconf->data_dir == NULL ||
	    !ostore_isopen())
		return 0;
	if (!ometrics_open(oconf->data_dir)) {
		failed = 1;
		olog_warn("metrics: this process counts nothing");
		return 0;
	}
	return 1;
}

/* The index of a request counter. */
static size_t
request_index(unsigned fam, unsigned listener, int status)
{
	size_t	 c;

	if (status == 0)
		status = 500;
	for (c = 0; c < NCODES && codes[c] != status; c++)
		continue;
	return ((size_t)fam * NLISTENERS +
	    (listener == OLISTEN_ADMIN ? 1 : 0)) * (NCODES + 1) + c;
}

/* The index of a token counter. */
static size_t
token_index(unsigned grant, unsigned type)
{
	return NREQUESTS + (size_t)grant * OMETRICS_TOKEN__MAX + type;
}

void
ometrics_request(unsigned listener, int status)
{
	if (!ensure())
		return;
	if (family < 0)
		family = ometrics_family_of(program_invocation_short_name);
	__atomic_fetch_add(&map->c[request_index((unsigned)family, listener,
	    status)], 1, __ATOMIC_RELAXED);
}

void
ometrics_tokens(const char *grant, const json_t *resp)
{
	size_t	 g, t;

	if (grant == NULL || !json_is_object(resp))
		return;
	for (g = 0; g < OMETRICS_GRANT__MAX; g++)
		if (strcmp(grant_names[g], grant) == 0)
			break;
	if (g == OMETRICS_GRANT__MAX || !ensure())
		return;
	for (t = 0; t < OMETRICS_TOKEN__MAX; t++)
		if (json_is_string(json_object_get(resp, token_names[t])))
			__atomic_fetch_add(&map->c[token_index(g, t)], 1,
			    __ATOMIC_RELAXED);
}

uint64_t
ometrics_get_request(enum ometrics_family f, unsigned listener, int status)
{
	if (map == NULL || f >= OMETRICS_FAMILY__MAX)
		return 0;
	return __atomic_load_n(&map->c[request_index(f, listener, status)],
	    __ATOMIC_RELAXED);
}

uint64_t
ometrics_get_tokens(enum ometrics_grant g, enum ometrics_token t)
{
	if (map == NULL || g >= OMETRICS_GRANT__MAX ||
	    t >= OMETRICS_TOKEN__MAX)
		return 0;
	return __atomic_load_n(&map->c[token_index(g, t)], __ATOMIC_RELAXED);
}

/* One metric family's # HELP and # TYPE lines. */
static void
family_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * The exposition (see metrics.h).  Request series appear once they
 * are non-zero (there are hundreds of possible ones); token series for
 * every type a grant can issue, zero or not.
 */
int
ometrics_write(FILE *f)
{
	size_t		 fam, l, c, g, t, mapsize, used;
	uint64_t	 v;

	if (!ensure())
		return 0;
	family_head(f, "oidcgi_build_info", "gauge",
	    "The version of oidcgi serving this scrape.");
	fprintf(f, "oidcgi_build_info{version=\"%s\"} 1\n", OIDCGI_VERSION);

	family_head(f, "oidcgi_http_requests_total", "counter",
	    "HTTP requests answered, by endpoint family (binary), "
	    "listener and status code.");
	for (fam = 0; fam < OMETRICS_FAMILY__MAX; fam++)
		for (l = 0; l < NLISTENERS; l++)
			for (c = 0; c <= NCODES; c++) {
				v = __atomic_load_n(&map->c[(fam * NLISTENERS +
				    l) * (NCODES + 1) + c], __ATOMIC_RELAXED);
				if (v == 0)
					continue;
				fprintf(f, "oidcgi_http_requests_total{"
				    "family=\"%s\",listener=\"%s\",",
				    family_names[fam], listener_names[l]);
				if (c == CODE_OTHER)
					fprintf(f, "code=\"other\"} ");
				else
					fprintf(f, "code=\"%d\"} ", codes[c]);
				fprintf(f, "%llu\n", (unsigned long long)v);
			}

	family_head(f, "oidcgi_tokens_issued_total", "counter",
	    "Tokens issued, by grant and token type.");
	for (g = 0; g < OMETRICS_GRANT__MAX; g++)
		for (t = 0; t < OMETRICS_TOKEN__MAX; t++)
			if (grant_issues[g] & TOK(t))
				fprintf(f, "oidcgi_tokens_issued_total{"
				    "grant=\"%s\",type=\"%s\"} %llu\n",
				    grant_names[g], token_names[t],
				    (unsigned long long)__atomic_load_n(
				    &map->c[token_index(g, t)],
				    __ATOMIC_RELAXED));

	if (ostore_usage(&mapsize, &used)) {
		family_head(f, "oidcgi_store_size_bytes", "gauge",
		    "Size of the store's memory map (it grows on demand).");
		fprintf(f, "oidcgi_store_size_bytes %zu\n", mapsize);
		family_head(f, "oidcgi_store_used_bytes", "gauge",
		    "Bytes of the store's pages in use.");
		fprintf(f, "oidcgi_store_used_bytes %zu\n", used);
		family_head(f, "oidcgi_store_map_use_ratio", "gauge",
		    "Store bytes in use over the map size.");
		fprintf(f, "oidcgi_store_map_use_ratio %.6f\n", mapsize > 0 ?
		    (double)used / (double)mapsize : 0.0);
	}
	if (ferror(f)) {
		olog_err("metrics: writing the exposition failed");
		return 0;
	}
	return 1;
}
