/*
 * Unit tests for lib/web/route.c: matching, and dispatching over joined
 * route tables (the admin listener's fences run in integration).
 */
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "web/http.h"
#include "web/route.h"
#include "t.h"

static int
m(const char *pat, const char *path, size_t *np, const char **pv,
    size_t *pl)
{
	return oroute_match(pat, path, strlen(path), pv, pl, np);
}

static void
literal(void)
{
	const char	*pv[OROUTE_MAXPARAMS];
	size_t		 pl[OROUTE_MAXPARAMS], np;

	CHECK(m("/health/alive", "/health/alive", &np, pv, pl) && np == 0);
	CHECK(!m("/health/alive", "/health/alivex", &np, pv, pl));
	CHECK(!m("/health/alive", "/health/aliv", &np, pv, pl));
	CHECK(!m("/health/alive", "/health", &np, pv, pl));
	CHECK(m("/", "/", &np, pv, pl));
}

static void
params(void)
{
	const char	*pv[OROUTE_MAXPARAMS];
	size_t		 pl[OROUTE_MAXPARAMS], np;

	CHECK(m("/clients/{id}", "/clients/abc", &np, pv, pl));
	CHECK(np == 1 && pl[0] == 3 && strncmp(pv[0], "abc", 3) == 0);
	CHECK(!m("/clients/{id}", "/clients/", &np, pv, pl));
	CHECK(!m("/clients/{id}", "/clients", &np, pv, pl));
	CHECK(!m("/clients/{id}", "/clients/a/b", &np, pv, pl));
	CHECK(m("/keys/{set}/{kid}", "/keys/s1/k%2F2", &np, pv, pl));
	CHECK(np == 2 && pl[0] == 2 && pl[1] == 5);
	CHECK(m("/clients/{id}/lifespans", "/clients/x/lifespans", &np, pv,
	    pl) && np == 1);
	CHECK(!m("/clients/{id}/lifespans", "/clients/x/lifespan", &np, pv,
	    pl));
	CHECK(!m("/a/{1}/{2}/{3}/{4}/{5}", "/a/1/2/3/4/5", &np, pv, pl));
}

/* What the last dispatch ran: a handler's or a dialect's number. */
static int	 ran, failed, fail_status;
static char	 fail_desc[256];

/* The handlers: each says it ran; h4 answers nothing. */
static void
h1(struct oreq *req)
{
	ran = 1;
	req->status = 200;
}

static void
h2(struct oreq *req)
{
	ran = 2;
	req->status = 200;
}

static void
h3(struct oreq *req)
{
	ran = 3;
	req->status = 200;
}

static void
h4(struct oreq *req)
{
	ran = 4;
}

/* The dialects: each records the error it was asked to answer. */
static void
dialect(int n, struct oreq *req, const struct oerr *err)
{
	failed = n;
	fail_status = err->status;
	snprintf(fail_desc, sizeof(fail_desc), "%s", err->description);
	req->status = err->status;
}

static void
f1(struct oreq *req, const struct oerr *err)
{
	dialect(1, req, err);
}

static void
f2(struct oreq *req, const struct oerr *err)
{
	dialect(2, req, err);
}

static void
f3(struct oreq *req, const struct oerr *err)
{
	dialect(3, req, err);
}

static const struct oroute t1[] = {
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/a/{id}", h1, 0, f1 },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/dup", h1, 0, f1 },
};
static const struct oroute t2[] = {
	{ OHTTP_M(POST), OLISTEN_PUBLIC, "/a/{id}", h2, 0, f2 },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/dup", h2, 0, f2 },
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/b", h2, 0, f2 },
};
static const struct oroute t3[] = {
	{ OHTTP_M(DELETE), OLISTEN_PUBLIC, "/c/d/e", h3, 0, f3 },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/silent", h4, 0, f3 },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/b/{x}", h3, 0, f3 },
};
static const struct oroute_table joined[] = {
	OROUTE_TABLE(t1),
	{ NULL, 0 },			/* an empty table is skipped */
	OROUTE_TABLE(t2),
	OROUTE_TABLE(t3),
};
#define NJOINED	(sizeof(joined) / sizeof(joined[0]))

/* Dispatch method and path over the joined tables into a fresh req. */
static void
run(struct oreq *req, enum ohttp_method m, const char *path)
{
	memset(req, 0, sizeof(*req));
	oarena_init(&req->arena);
	req->method = m;
	req->method_name = m == OHTTP_PUT ? "PUT" : "GET";
	req->path = path;
	req->pathlen = strlen(path);
	req->listener = OLISTEN_PUBLIC;
	ran = failed = fail_status = 0;
	fail_desc[0] = '\0';
	oroute_dispatch(req, joined, NJOINED);
}

/* The value of a response header, or NULL. */
static const char *
header(const struct oreq *req, const char *name)
{
	size_t	 i;

	for (i = 0; i < req->nhdrs; i++)
		if (strcmp(req->hdrs[i].name, name) == 0)
			return req->hdrs[i].value;
	return NULL;
}

static void
joined_tables(void)
{
	struct oreq	 req;

	/* The first match in table order wins; the rest are searched. */
	run(&req, OHTTP_GET, "/dup");
	CHECK(ran == 1 && failed == 0);
	oarena_free(&req.arena);
	run(&req, OHTTP_GET, "/a/x%20y");
	CHECK(ran == 1 && req.nparams == 1);
	CHECK_STR(req.params[0], "x y");
	oarena_free(&req.arena);
	run(&req, OHTTP_POST, "/a/z");
	CHECK(ran == 2 && req.nparams == 1);
	CHECK_STR(req.params[0], "z");
	oarena_free(&req.arena);
	/* HEAD is GET; a route of the last table is reached. */
	run(&req, OHTTP_HEAD, "/silent");
	CHECK(ran == 4 && failed == 3 && fail_status == 500);
	oarena_free(&req.arena);
	run(&req, OHTTP_DELETE, "/c/d/e");
	CHECK(ran == 3);
	oarena_free(&req.arena);
}

static void
joined_errors(void)
{
	struct oreq	 req;

	/* 405: Allow gathers every table; the first route's dialect. */
	run(&req, OHTTP_PUT, "/a/q");
	CHECK(ran == 0 && failed == 1 && fail_status == 405);
	CHECK_STR(header(&req, "Allow"), "GET, HEAD, POST");
	CHECK(strstr(fail_desc, "PUT") != NULL);
	oarena_free(&req.arena);
	/* 404 in the dialect of the route sharing the most segments. */
	run(&req, OHTTP_GET, "/c/d/x");
	CHECK(ran == 0 && failed == 3 && fail_status == 404);
	oarena_free(&req.arena);
	run(&req, OHTTP_GET, "/a/q/r");
	CHECK(ran == 0 && failed == 1 && fail_status == 404);
	oarena_free(&req.arena);
	/* Another listener's route is not there: the nearest is. */
	run(&req, OHTTP_GET, "/b");
	CHECK(ran == 0 && failed == 3 && fail_status == 404);
	oarena_free(&req.arena);
	/* A malformed parameter is a 400 in its route's dialect. */
	run(&req, OHTTP_POST, "/a/%ff");
	CHECK(ran == 0 && failed == 2 && fail_status == 400);
	oarena_free(&req.arena);
}

static void
joined_fail(void)
{
	struct oreq	 req;
	struct oerr	 err;

	oerr_clear(&err);
	oerr_set(&err, OERR_TEMPORARILY_UNAVAILABLE, "down");
	oerr_status(&err, 503);
	memset(&req, 0, sizeof(req));
	oarena_init(&req.arena);
	req.listener = OLISTEN_PUBLIC;
	req.path = "/c/d/e";
	req.pathlen = strlen(req.path);
	failed = 0;
	oroute_fail(&req, joined, NJOINED, &err);
	CHECK(failed == 3 && req.status == 503);
	req.path = "/c/zz";
	req.pathlen = strlen(req.path);
	failed = 0;
	oroute_fail(&req, joined, NJOINED, &err);
	CHECK(failed == 3);
	req.path = "/dup";
	req.pathlen = strlen(req.path);
	oroute_fail(&req, joined, NJOINED, &err);
	CHECK(failed == 1);
	oarena_free(&req.arena);
}

static const struct t_case tests[] = {
	T(literal), T(params), T(joined_tables), T(joined_errors),
	T(joined_fail),
};

int
main(void)
{
	return t_run(tests, NTESTS);
}
