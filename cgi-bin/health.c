/*
 * health: liveness, readiness and version, on both listeners, as Hydra
 * serves them (ory/x healthx).  The web server also sends every path no
 * other binary claims here, so that an unknown path gets a JSON 404.
 */
#include <jansson.h>

#include "err.h"
#include "http.h"
#include "store.h"

/* GET /health/alive: the process answers. */
static void
alive(struct oreq *req)
{
	json_t	*j = json_pack("{s:s}", "status", "ok");

	ohttp_send_json(req, 200, j);
	json_decref(j);
}

/* GET /health/ready: the store answers a read transaction. */
static void
ready(struct oreq *req)
{
	struct oerr	 err;
	json_t		*j;

	if (ostore_ready()) {
		alive(req);
		return;
	}
	oerr_clear(&err);
	oerr_set(&err, OERR_TEMPORARILY_UNAVAILABLE,
	    "The store is not available.");
	j = oerr_json(&err, 0);
	json_object_set_new(j, "errors",
	    json_pack("{s:s}", "store", "not available"));
	ohttp_send_json(req, 503, j);
	json_decref(j);
}

/* GET /version */
static void
version(struct oreq *req)
{
	json_t	*j = json_pack("{s:s}", "version", OIDCGI_VERSION);

	ohttp_send_json(req, 200, j);
	json_decref(j);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET), OLISTEN_BOTH, "/health/alive", alive, OROUTE_OPEN },
	{ OHTTP_M(GET), OLISTEN_BOTH, "/health/ready", ready, OROUTE_OPEN },
	{ OHTTP_M(GET), OLISTEN_BOTH, "/version", version, OROUTE_OPEN },
};

int
main(int argc, char *argv[])
{
	return omain(argc, argv, routes, sizeof(routes) / sizeof(routes[0]));
}
