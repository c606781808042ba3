/*
 * test_metrics.c: unit tests of lib/web/metrics.c, the shared counter file,
 * against real files under $TMPDIR.
 *
 * Children of the fork() tests report through their exit status and
 * leave with _exit().
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/err.h"
#include "store/store.h"
#include "web/metrics.h"
#include "web/route.h"
#include "t.h"

#define HDR	16			/* magic, version, counter count */
#define FORKS	3
#define PER	20000			/* requests each child counts */

static char	 dir[256];
static char	 file[300];

/* A fresh directory for one test; returns 1, or 0 (and fails). */
static int
tdir(void)
{
	const char	*tmp;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/test_metrics.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
		CHECK(0);
		return 0;
	}
	snprintf(file, sizeof(file), "%s/%s", dir, OMETRICS_FILE);
	return 1;
}

/* Remove the test's directory (its files are not nested). */
static void
tdir_rm(void)
{
	char	 cmd[400];

	ometrics_close();
	ostore_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Size of the counter file, or -1. */
static long long
fsize(void)
{
	struct stat	 st;

	return stat(file, &st) == 0 ? (long long)st.st_size : -1;
}

/* The number of entries in the test's directory but . and .. */
static int
entries(void)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Write len bytes of c over the file from offset off (or make it). */
static void
scribble(off_t off, int c, size_t len, int trunc)
{
	char	 buf[64];
	int	 fd;

	memset(buf, c, sizeof(buf));
	fd = open(file, O_WRONLY | O_CREAT | (trunc ? O_TRUNC : 0), 0600);
	CHECK(fd != -1);
	if (fd == -1)
		return;
	CHECK(len <= sizeof(buf));
	CHECK(pwrite(fd, buf, len, off) == (ssize_t)len);
	close(fd);
}

/* The Prometheus text of the counters, in a malloc'd string. */
static char *
render(void)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	CHECK(ometrics_write(f) == 1);
	fclose(f);
	return buf;
}

static void
family_of(void)
{
	CHECK(ometrics_family_of("oauth2") == OMETRICS_OAUTH2);
	CHECK(ometrics_family_of("/usr/libexec/oidcgi/health") ==
	    OMETRICS_HEALTH);
	CHECK(ometrics_family_of("clients.cgi") == OMETRICS_CLIENTS);
	CHECK(ometrics_family_of("/x/wellknown.fcgi") == OMETRICS_WELLKNOWN);
	CHECK(ometrics_family_of("ui") == OMETRICS_UI);
	CHECK(ometrics_family_of("flow") == OMETRICS_FLOW);
	CHECK(ometrics_family_of("keys") == OMETRICS_KEYS);
	CHECK(ometrics_family_of("register") == OMETRICS_REGISTER);
	CHECK(ometrics_family_of("oauth") == OMETRICS_OTHER);
	CHECK(ometrics_family_of("oauth2x") == OMETRICS_OTHER);
	CHECK(ometrics_family_of("ui.cgi.cgi") == OMETRICS_OTHER);
	CHECK(ometrics_family_of(".cgi") == OMETRICS_OTHER);
	CHECK(ometrics_family_of("") == OMETRICS_OTHER);
	CHECK(ometrics_family_of(NULL) == OMETRICS_OTHER);
}

/* A fresh file: right size, mode 0600, header, zero counters. */
static void
create(void)
{
	struct stat	 st;
	char		 hdr[HDR];
	uint32_t	 v;
	int		 fd;

	if (!tdir())
		return;
	CHECK(ometrics_open(dir) == 1);
	CHECK(stat(file, &st) == 0);
	CHECK((st.st_mode & 07777) == 0600);
	CHECK(st.st_size > HDR && (st.st_size - HDR) % 8 == 0);
	if ((fd = open(file, O_RDONLY)) != -1) {
		CHECK(read(fd, hdr, HDR) == HDR);
		close(fd);
		CHECK(memcmp(hdr, OMETRICS_MAGIC, 8) == 0);
		memcpy(&v, hdr + 8, 4);
		CHECK(v == OMETRICS_VERSION);
		memcpy(&v, hdr + 12, 4);
		CHECK((off_t)v * 8 + HDR == st.st_size);
	} else
		CHECK(0);
	CHECK(ometrics_get_request(OMETRICS_HEALTH, OLISTEN_PUBLIC,
	    200) == 0);
	/* No temporary file left beside it. */
	CHECK(entries() == 1);
	tdir_rm();
}

/* Requests count by family, listener and code; others as "other". */
static void
count(void)
{
	int	 i;

	if (!tdir())
		return;
	CHECK(ometrics_open(dir) == 1);
	ometrics_set_family(OMETRICS_OAUTH2);
	for (i = 0; i < 3; i++)
		ometrics_request(OLISTEN_PUBLIC, 200);
	ometrics_request(OLISTEN_ADMIN, 200);
	ometrics_request(OLISTEN_PUBLIC, 404);
	ometrics_request(OLISTEN_PUBLIC, 299);
	ometrics_request(OLISTEN_PUBLIC, 999);
	ometrics_request(OLISTEN_PUBLIC, 0);
	CHECK(ometrics_get_request(OMETRICS_OAUTH2, OLISTEN_PUBLIC, 200) ==
	    3);
	CHECK(ometrics_get_request(OMETRICS_OAUTH2, OLISTEN_ADMIN, 200) ==
	    1);
	CHECK(ometrics_get_request(OMETRICS_OAUTH2, OLISTEN_PUBLIC, 404) ==
	    1);
	/* 299 and 999 are both "other": reading either shows both. */
	CHECK(ometrics_get_request(OMETRICS_OAUTH2, OLISTEN_PUBLIC, 299) ==
	    2);
	CHECK(ometrics_get_request(OMETRICS_OAUTH2, OLISTEN_PUBLIC, 500) ==
	    1);
	CHECK(ometrics_get_request(OMETRICS_HEALTH, OLISTEN_PUBLIC, 200) ==
	    0);
	CHECK(ometrics_get_request(OMETRICS_OAUTH2, OLISTEN_PUBLIC, 201) ==
	    0);

	/* The counts survive the process closing and opening the file. */
	ometrics_close();
	CHECK(ometrics_get_request(OMETRICS_OAUTH2, OLISTEN_PUBLIC, 200) ==
	    0);
	CHECK(ometrics_open(dir) == 1);
	CHECK(ometrics_get_request(OMETRICS_OAUTH2, OLISTEN_PUBLIC, 200) ==
	    3);
	ometrics_set_family(OMETRICS_OTHER);
	tdir_rm();
}

/* Tokens count by grant and by the members a response carries. */
static void
tokens(void)
{
	json_t	*all, *cc;

	if (!tdir())
		return;
	CHECK(ometrics_open(dir) == 1);
	all = json_pack("{s:s,s:s,s:s,s:s,s:i}", "access_token", "a",
	    "id_token", "i", "refresh_token", "r", "token_type", "bearer",
	    "expires_in", 3600);
	cc = json_pack("{s:s,s:n}", "access_token", "a", "id_token");
	ometrics_tokens("authorization_code", all);
	ometrics_tokens("authorization_code", all);
	ometrics_tokens("refresh_token", all);
	ometrics_tokens("client_credentials", cc);
	ometrics_tokens("implicit", cc);
	ometrics_tokens("password", all);	/* unknown grant */
	ometrics_tokens("refresh_token", NULL);
	ometrics_tokens(NULL, all);
	CHECK(ometrics_get_tokens(OMETRICS_AUTHORIZATION_CODE,
	    OMETRICS_ACCESS_TOKEN) == 2);
	CHECK(ometrics_get_tokens(OMETRICS_AUTHORIZATION_CODE,
	    OMETRICS_ID_TOKEN) == 2);
	CHECK(ometrics_get_tokens(OMETRICS_AUTHORIZATION_CODE,
	    OMETRICS_REFRESH) == 2);
	CHECK(ometrics_get_tokens(OMETRICS_REFRESH_TOKEN,
	    OMETRICS_ACCESS_TOKEN) == 1);
	CHECK(ometrics_get_tokens(OMETRICS_REFRESH_TOKEN,
	    OMETRICS_REFRESH) == 1);
	CHECK(ometrics_get_tokens(OMETRICS_CLIENT_CREDENTIALS,
	    OMETRICS_ACCESS_TOKEN) == 1);
	/* A null id_token is no token. */
	CHECK(ometrics_get_tokens(OMETRICS_CLIENT_CREDENTIALS,
	    OMETRICS_ID_TOKEN) == 0);
	CHECK(ometrics_get_tokens(OMETRICS_IMPLICIT,
	    OMETRICS_ACCESS_TOKEN) == 1);
	CHECK(ometrics_get_tokens(OMETRICS_IMPLICIT, OMETRICS_ID_TOKEN) == 0);
	json_decref(all);
	json_decref(cc);
	tdir_rm();
}

/* A file of the wrong size, magic or version is replaced by a zeroed one. */
static void
torn(void)
{
	long long	 good;
	uint32_t	 v;

	if (!tdir())
		return;
	CHECK(ometrics_open(dir) == 1);
	ometrics_set_family(OMETRICS_UI);
	ometrics_request(OLISTEN_PUBLIC, 303);
	good = fsize();
	ometrics_close();

	/* Torn: cut short. */
	CHECK(truncate(file, good - 8) == 0);
	CHECK(ometrics_open(dir) == 1);
	CHECK(fsize() == good);
	CHECK(ometrics_get_request(OMETRICS_UI, OLISTEN_PUBLIC, 303) == 0);
	ometrics_request(OLISTEN_PUBLIC, 303);
	CHECK(ometrics_get_request(OMETRICS_UI, OLISTEN_PUBLIC, 303) == 1);
	ometrics_close();

	/* Too long. */
	scribble((off_t)good, 'x', 8, 0);
	CHECK(fsize() == good + 8);
	CHECK(ometrics_open(dir) == 1);
	CHECK(fsize() == good);
	CHECK(ometrics_get_request(OMETRICS_UI, OLISTEN_PUBLIC, 303) == 0);
	ometrics_request(OLISTEN_PUBLIC, 303);
	ometrics_close();

	/* Right size, wrong magic. */
	scribble(0, 'x', 8, 0);
	CHECK(fsize() == good);
	CHECK(ometrics_open(dir) == 1);
	CHECK(ometrics_get_request(OMETRICS_UI, OLISTEN_PUBLIC, 303) == 0);
	ometrics_request(OLISTEN_PUBLIC, 303);
	ometrics_close();

	/* Right size, another version. */
	v = OMETRICS_VERSION + 1;
	scribble(8, 0, 0, 0);
	{
		int fd = open(file, O_WRONLY);

		CHECK(fd != -1 && pwrite(fd, &v, 4, 8) == 4);
		if (fd != -1)
			close(fd);
	}
	CHECK(ometrics_open(dir) == 1);
	CHECK(ometrics_get_request(OMETRICS_UI, OLISTEN_PUBLIC, 303) == 0);
	ometrics_request(OLISTEN_PUBLIC, 303);
	ometrics_close();

	/* Right size, another counter count. */
	{
		int fd = open(file, O_RDWR);

		CHECK(fd != -1 && pread(fd, &v, 4, 12) == 4);
		v--;
		CHECK(fd != -1 && pwrite(fd, &v, 4, 12) == 4);
		if (fd != -1)
			close(fd);
	}
	CHECK(ometrics_open(dir) == 1);
	CHECK(ometrics_get_request(OMETRICS_UI, OLISTEN_PUBLIC, 303) == 0);
	ometrics_close();

	/* Empty. */
	scribble(0, 0, 0, 1);
	CHECK(fsize() == 0);
	CHECK(ometrics_open(dir) == 1);
	CHECK(fsize() == good);
	ometrics_close();

	/* A directory where the file should be: refused, not replaced. */
	CHECK(unlink(file) == 0);
	CHECK(mkdir(file, 0700) == 0);
	CHECK(ometrics_open(dir) == 0);
	ometrics_request(OLISTEN_PUBLIC, 303);	/* counts nothing, no crash */
	CHECK(ometrics_get_request(OMETRICS_UI, OLISTEN_PUBLIC, 303) == 0);
	CHECK(rmdir(file) == 0);
	ometrics_set_family(OMETRICS_OTHER);
	tdir_rm();
}

/*
 * A bad file is replaced by a new one (a rename), never rewritten in
 * place: a process that still maps the old one neither faults nor
 * counts into the new one.
 */
static void
replaced_under(void)
{
	struct stat	 before, after;
	pid_t		 pid;
	int		 st;

	if (!tdir())
		return;
	CHECK(ometrics_open(dir) == 1);
	CHECK(stat(file, &before) == 0);
	ometrics_set_family(OMETRICS_KEYS);
	ometrics_request(OLISTEN_ADMIN, 200);
	if ((pid = fork()) == 0) {
		/* The child tears the file and opens it: replaced. */
		if (truncate(file, HDR) != 0 || ometrics_open(dir) != 1)
			_exit(1);
		ometrics_request(OLISTEN_ADMIN, 200);
		_exit(ometrics_get_request(OMETRICS_KEYS, OLISTEN_ADMIN,
		    200) == 1 ? 0 : 2);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	CHECK(stat(file, &after) == 0);
	CHECK(after.st_ino != before.st_ino);
	CHECK(entries() == 1);
	/* Still mapped: the old, torn file (cut within its one page). */
	ometrics_request(OLISTEN_ADMIN, 200);
	CHECK(ometrics_open(dir) == 1);
	CHECK(ometrics_get_request(OMETRICS_KEYS, OLISTEN_ADMIN, 200) == 1);
	ometrics_set_family(OMETRICS_OTHER);
	tdir_rm();
}

/*
 * Several processes that each open a fresh directory's file at the same
 * moment (racing to create it) and count into it: no count is lost.
 */
static void
processes(void)
{
	pid_t		 pids[FORKS];
	int		 i, st, ok = 1, go[2];
	char		 c;

	if (!tdir())
		return;
	CHECK(pipe(go) == 0);
	for (i = 0; i < FORKS; i++) {
		if ((pids[i] = fork()) == 0) {
			int	 j;

			close(go[1]);
			/* Wait for the start signal (EOF), then race. */
			while (read(go[0], &c, 1) > 0)
				continue;
			if (ometrics_open(dir) != 1)
				_exit(1);
			ometrics_set_family(OMETRICS_CLIENTS);
			for (j = 0; j < PER; j++)
				ometrics_request(j % 2 ? OLISTEN_ADMIN :
				    OLISTEN_PUBLIC, 201);
			_exit(0);
		}
		CHECK(pids[i] > 0);
	}
	close(go[0]);
	close(go[1]);
	for (i = 0; i < FORKS; i++)
		if (pids[i] <= 0 || waitpid(pids[i], &st, 0) != pids[i] ||
		    !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			ok = 0;
	CHECK(ok);
	CHECK(ometrics_open(dir) == 1);
	CHECK(ometrics_get_request(OMETRICS_CLIENTS, OLISTEN_PUBLIC, 201) ==
	    (uint64_t)FORKS * PER / 2);
	CHECK(ometrics_get_request(OMETRICS_CLIENTS, OLISTEN_ADMIN, 201) ==
	    (uint64_t)FORKS * PER / 2);
	tdir_rm();
}

/* The exposition: names, labels, HELP and TYPE, the store's gauges. */
static void
exposition(void)
{
	struct oerr	 err;
	char		*s;
	const char	*p;

	if (!tdir())
		return;
	CHECK(ometrics_open(dir) == 1);
	ometrics_set_family(OMETRICS_FLOW);
	ometrics_request(OLISTEN_ADMIN, 200);
	ometrics_request(OLISTEN_ADMIN, 200);
	ometrics_request(OLISTEN_PUBLIC, 418);
	if ((s = render()) == NULL) {
		CHECK(0);
		tdir_rm();
		return;
	}
	CHECK(strstr(s, "# HELP oidcgi_build_info ") != NULL);
	CHECK(strstr(s, "# TYPE oidcgi_build_info gauge\n") != NULL);
	CHECK(strstr(s, "\noidcgi_build_info{version=\"" OIDCGI_VERSION
	    "\"} 1\n") != NULL);
	CHECK(strstr(s, "# TYPE oidcgi_http_requests_total counter\n") !=
	    NULL);
	CHECK(strstr(s, "\noidcgi_http_requests_total{family=\"flow\","
	    "listener=\"admin\",code=\"200\"} 2\n") != NULL);
	CHECK(strstr(s, "\noidcgi_http_requests_total{family=\"flow\","
	    "listener=\"public\",code=\"other\"} 1\n") != NULL);
	/* Zero request series are left out. */
	CHECK(strstr(s, "listener=\"public\",code=\"200\"") == NULL);
	CHECK(strstr(s, "# TYPE oidcgi_tokens_issued_total counter\n") !=
	    NULL);
	CHECK(strstr(s, "\noidcgi_tokens_issued_total{grant=\"implicit\","
	    "type=\"id_token\"} 0\n") != NULL);
	/* A series a grant cannot have is not shown. */
	CHECK(strstr(s, "grant=\"client_credentials\",type=\"id_token\"") ==
	    NULL);
	/* No store open: no store gauges. */
	CHECK(strstr(s, "oidcgi_store_") == NULL);
	p = s + strlen(s);
	CHECK(p > s && p[-1] == '\n');
	free(s);

	oerr_clear(&err);
	CHECK(ostore_open(dir, 0, &err) == 1);
	if ((s = render()) == NULL) {
		CHECK(0);
		tdir_rm();
		return;
	}
	CHECK(strstr(s, "# TYPE oidcgi_store_size_bytes gauge\n") != NULL);
	CHECK(strstr(s, "# TYPE oidcgi_store_used_bytes gauge\n") != NULL);
	CHECK(strstr(s, "# TYPE oidcgi_store_map_use_ratio gauge\n") != NULL);
	{
		char		 want[64];
		unsigned long long used = 0;
		double		 ratio = -1;
		size_t		 map, u;

		snprintf(want, sizeof(want), "\noidcgi_store_size_bytes %zu\n",
		    ostore_mapsize());
		CHECK(strstr(s, want) != NULL);
		CHECK((p = strstr(s, "\noidcgi_store_used_bytes ")) != NULL &&
		    sscanf(p, "\noidcgi_store_used_bytes %llu", &used) == 1);
		CHECK(used > 0 && used < ostore_mapsize());
		CHECK(ostore_usage(&map, &u) == 1 && map == ostore_mapsize() &&
		    u == used);
		CHECK((p = strstr(s, "\noidcgi_store_map_use_ratio ")) !=
		    NULL && sscanf(p, "\noidcgi_store_map_use_ratio %lf",
		    &ratio) == 1);
		CHECK(ratio > 0 && ratio < 1);
	}
	free(s);
	ometrics_set_family(OMETRICS_OTHER);
	tdir_rm();
}

/* Nothing mapped: counting does nothing, rendering is refused. */
static void
unmapped(void)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len = 0;

	ometrics_close();
	ometrics_request(OLISTEN_PUBLIC, 200);
	ometrics_tokens("client_credentials", NULL);
	CHECK(ometrics_get_request(OMETRICS_OTHER, OLISTEN_PUBLIC, 200) == 0);
	CHECK(ometrics_open("/nonexistent/oidcgi-test") == 0);
	CHECK(ometrics_open("") == 0);
	CHECK(ometrics_open(NULL) == 0);
	if ((f = open_memstream(&buf, &len)) != NULL) {
		CHECK(ometrics_write(f) == 0);
		fclose(f);
	}
	free(buf);
}

static const struct t_case tests[] = {
	T(family_of),
	T(create),
	T(count),
	T(tokens),
	T(torn),
	T(replaced_under),
	T(processes),
	T(exposition),
	T(unmapped),
};

int
main(void)
{
	return t_run(tests, NTESTS);
}
