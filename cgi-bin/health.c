/*
 * health: liveness, readiness and version, on both listeners, as Hydra
 * serves them (ory/x healthx), and the Prometheus metrics on the admin
 * listener.  The web server also sends every path no other binary
 * claims here, so that an unknown path gets a JSON 404.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "base/err.h"
#include "base/util.h"
#include "store/store.h"
#include "web/http.h"
#include "web/metrics.h"
#include "web/serve.h"

/* GET /health/alive: the process answers. */
static void
alive(struct oreq *req)
{
	json_t	*j = json_pack("{s:s}", "status", "ok");

	ohttp_send_json(req, 200, j);
	json_decref(j);
}

/*
 * GET /health/ready: the process can serve (see oserve_problem()) and
 * the store answers a read transaction.
 */
static void
ready(struct oreq *req)
{
	struct oerr	 err;
	const char	*why = oserve_problem();
	json_t		*j;

	if (*why == '\0' && ostore_ready()) {
		alive(req);
		return;
	}
	if (*why == '\0')
		why = "The store is not available.";
	oerr_clear(&err);
	oerr_set(&err, OERR_TEMPORARILY_UNAVAILABLE, "%s", why);
	j = oerr_json(&err, 0);
	json_object_set_new(j, "errors", json_pack("{s:s}", "store", why));
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

/*
 * GET /metrics/prometheus (admin; Hydra's /admin/metrics/prometheus):
 * the shared counters in the Prometheus text format 0.0.4.  Unlike
 * Hydra's, it needs the admin key when secrets.admin is set (Prometheus
 * sends it as bearer_token): on a shared host the admin API shares the
 * public host, and the admin key is its only fence.  503 when the
 * counter file cannot be mapped.
 */
static void
prometheus(struct oreq *req)
{
	struct oerr	 err;
	FILE		*f;
	char		*buf = NULL;
	size_t		 len = 0;
	int		 ok;

	if ((f = open_memstream(&buf, &len)) == NULL) {
		olog_err("open_memstream");
		abort();
	}
	ok = ometrics_write(f);
	if (fclose(f) != 0) {
		olog_err("metrics: fclose");
		ok = 0;
	}
	if (ok)
		ohttp_send(req, 200, "text/plain; version=0.0.4; "
		    "charset=utf-8", buf, len);
	else {
		oerr_clear(&err);
		oerr_set(&err, OERR_TEMPORARILY_UNAVAILABLE,
		    "The metrics are not available.");
		ohttp_send_error(req, &err);
	}
	free(buf);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET), OLISTEN_BOTH, "/health/alive", alive, OROUTE_OPEN },
	{ OHTTP_M(GET), OLISTEN_BOTH, "/health/ready", ready, OROUTE_OPEN },
	{ OHTTP_M(GET), OLISTEN_BOTH, "/version", version, OROUTE_OPEN },
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/metrics/prometheus", prometheus,
	    0 },
};

int
main(int argc, char *argv[])
{
	return omain(argc, argv, routes, sizeof(routes) / sizeof(routes[0]));
}
