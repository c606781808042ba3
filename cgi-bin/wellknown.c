/*
 * wellknown: discovery on the public listener.
 *
 *   GET /.well-known/jwks.json                  the public halves of the
 *       ID-token and access-token key sets and of those named in
 *       webfinger.jwks.broadcast_keys (RFC 7517 §5)
 *   GET /.well-known/openid-configuration       OpenID Connect Discovery
 *       1.0 §3
 *   GET /.well-known/oauth-authorization-server RFC 8414 §2, the same
 *       document, as Hydra serves it
 *
 * The documents are made in lib/protocol/discovery.c.
 */
#include <stddef.h>

#include "base/err.h"
#include "protocol/discovery.h"
#include "web/http.h"
#include "web/serve.h"

/*
 * Send a public document, which caches may keep, or the error that
 * kept it from being made.  Which origins may read it is
 * serve.public.cors's to say (lib/web/cors.h), as in Hydra: none when
 * it is off.
 */
static void
send_public(struct oreq *req, const char *body, size_t len,
    const struct oerr *err)
{
	if (body == NULL) {
		ohttp_send_error(req, err);
		return;
	}
	ohttp_header(req, "Cache-Control", "public, max-age=60");
	ohttp_send(req, 200, "application/json; charset=utf-8", body, len);
}

/* GET /.well-known/jwks.json */
static void
jwks(struct oreq *req)
{
	struct oerr	 err;
	const char	*body;
	size_t		 len = 0;

	oerr_clear(&err);
	body = odiscovery_jwks(&len, &err);
	send_public(req, body, len, &err);
}

/* GET /.well-known/openid-configuration and oauth-authorization-server */
static void
configuration(struct oreq *req)
{
	struct oerr	 err;
	const char	*body;
	size_t		 len = 0;

	oerr_clear(&err);
	body = odiscovery_configuration(&len, &err);
	send_public(req, body, len, &err);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/.well-known/jwks.json", jwks,
	    OROUTE_CORS },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/.well-known/openid-configuration",
	    configuration, OROUTE_CORS },
	{ OHTTP_M(GET), OLISTEN_PUBLIC,
	    "/.well-known/oauth-authorization-server", configuration,
	    OROUTE_CORS },
};

int
main(int argc, char *argv[])
{
	return omain(argc, argv, routes, sizeof(routes) / sizeof(routes[0]));
}
