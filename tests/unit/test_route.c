/* Unit tests for lib/web/route.c (matching; dispatch runs in integration). */
#include <string.h>

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

static const struct t_case tests[] = {
	T(literal), T(params),
};

int
main(void)
{
	return t_run(tests, NTESTS);
}
