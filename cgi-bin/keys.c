/*
 * keys: JSON Web Key sets on the admin listener, as Hydra serves them
 * (1.x paths at the root, 2.x under /admin):
 *
 *   POST   /keys/{set}         generate a key: {"alg","kid","use"}
 *                              (+ "bits" for RSA); 201 with the new key
 *   GET    /keys/{set}         the set, private members included
 *   PUT    /keys/{set}         replace the set with a JWK Set
 *   DELETE /keys/{set}         204, also when there is no such set
 *   GET    /keys/{set}/{kid}   a set holding that one key
 *   PUT    /keys/{set}/{kid}   put one JWK
 *   DELETE /keys/{set}/{kid}   204, also when there is no such key
 *
 * and the trust relationships of the JWT Bearer grant (RFC 7523,
 * lib/protocol/trust.h), as Hydra's oauth2/trust:
 *
 *   POST   /trust/grants/jwt-bearer/issuers       201 with the new one
 *   GET    /trust/grants/jwt-bearer/issuers       list (?issuer=,
 *                                                 paged as /clients)
 *   GET    /trust/grants/jwt-bearer/issuers/{id}
 *   DELETE /trust/grants/jwt-bearer/issuers/{id}  204
 */
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "records/keys.h"
#include "protocol/trust.h"
#include "web/http.h"
#include "web/page.h"
#include "web/serve.h"

#define TRUST	"/trust/grants/jwt-bearer/issuers"

/* Answer with j (a new reference), or with the error. */
static void
answer(struct oreq *req, int status, json_t *j, const struct oerr *err)
{
	if (j == NULL)
		ohttp_send_error(req, err);
	else
		ohttp_send_json(req, status, j);
	json_decref(j);
}

/* POST /keys/{set} */
static void
generate(struct oreq *req)
{
	struct oerr	 err;
	json_t		*in, *out = NULL;
	const char	*alg = NULL, *kid = NULL, *use = NULL;
	long long	 bits = 0;

	oerr_clear(&err);
	if ((in = ohttp_json(req, 1, &err)) != NULL &&
	    ojson_get_str(in, "alg", 16, OJSON_REQUIRED, &alg, &err) &&
	    ojson_get_str(in, "kid", 256, 0, &kid, &err) &&
	    ojson_get_str(in, "use", 16, 0, &use, &err) &&
	    ojson_get_int(in, "bits", 0, 4096, 0, &bits, &err)) {
		if (use != NULL && *use != '\0' && strcmp(use, "sig") != 0 &&
		    strcmp(use, "enc") != 0)
			oerr_set(&err, OERR_INVALID_REQUEST, "The field 'use' "
			    "must be 'sig' or 'enc'.");
		else
			out = okeys_generate(req->params[0], alg, kid, use,
			    (int)bits, &err);
	}
	json_decref(in);
	answer(req, 201, out, &err);
}

/* GET /keys/{set} and /keys/{set}/{kid} */
static void
get(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	answer(req, 200, okeys_get(req->params[0], req->nparams > 1 ?
	    req->params[1] : NULL, 1, &err), &err);
}

/* PUT /keys/{set} and /keys/{set}/{kid} */
static void
put(struct oreq *req)
{
	struct oerr	 err;
	json_t		*in, *out = NULL;

	oerr_clear(&err);
	if ((in = ohttp_json(req, 1, &err)) != NULL)
		out = okeys_put(req->params[0], req->nparams > 1 ?
		    req->params[1] : NULL, in, &err);
	/* One key is answered as the JWK itself (Hydra's setJsonWebKey). */
	if (out != NULL && req->nparams > 1) {
		json_t *k = json_incref(json_array_get(json_object_get(out,
		    "keys"), 0));

		json_decref(out);
		out = k;
	}
	json_decref(in);
	answer(req, 200, out, &err);
}

/*
 * DELETE /keys/{set} and /keys/{set}/{kid}: idempotent, as Hydra's (a
 * delete that finds nothing is a 204), so that deleting the last key
 * and then the set succeeds.
 */
static void
delete(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	if (!okeys_delete(req->params[0], req->nparams > 1 ?
	    req->params[1] : NULL, 1, &err))
		ohttp_send_error(req, &err);
	else
		ohttp_send(req, 204, NULL, NULL, 0);
}

/* POST /trust/grants/jwt-bearer/issuers */
static void
trust_create(struct oreq *req)
{
	struct oerr	 err;
	json_t		*in, *out = NULL;

	oerr_clear(&err);
	if ((in = ohttp_json(req, 1, &err)) != NULL)
		out = otrust_api_create(in, &err);
	json_decref(in);
	if (out != NULL)
		ohttp_header(req, "Location", oarena_printf(&req->arena,
		    "%s" TRUST "/%s", opage_prefix(req), ojson_str(out,
		    "id")));
	answer(req, 201, out, &err);
}

/* GET /trust/grants/jwt-bearer/issuers */
static void
trust_list(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*q;
	struct opage		 pg;
	const char		*iss;
	json_t			*out;
	size_t			 total = 0;
	char			*filters = "";

	oerr_clear(&err);
	if ((q = ohttp_query(req, &err)) == NULL ||
	    !opage_parse(q, &pg, &err)) {
		ohttp_send_error(req, &err);
		return;
	}
	if ((iss = oparams_get(q, "issuer")) != NULL && *iss == '\0')
		iss = NULL;
	if (iss != NULL)
		filters = oarena_printf(&req->arena, "&issuer=%s",
		    oform_encode(&req->arena, iss));
	if ((out = otrust_api_list(iss, (size_t)pg.offset, (size_t)pg.size,
	    &total, &err)) != NULL)
		opage_headers(req, oarena_printf(&req->arena, "%s" TRUST,
		    opage_prefix(req)), &pg, total, filters);
	answer(req, 200, out, &err);
}

/* GET /trust/grants/jwt-bearer/issuers/{id} */
static void
trust_get(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	answer(req, 200, otrust_api_get(req->params[0], &err), &err);
}

/* DELETE /trust/grants/jwt-bearer/issuers/{id} */
static void
trust_delete(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	if (!otrust_api_delete(req->params[0], &err))
		ohttp_send_error(req, &err);
	else
		ohttp_send(req, 204, NULL, NULL, 0);
}

static const struct oroute routes[] = {
	{ OHTTP_M(POST), OLISTEN_ADMIN, "/keys/{set}", generate },
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/keys/{set}", get },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/keys/{set}", put },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, "/keys/{set}", delete },
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/keys/{set}/{kid}", get },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/keys/{set}/{kid}", put },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, "/keys/{set}/{kid}", delete },
	{ OHTTP_M(POST), OLISTEN_ADMIN, TRUST, trust_create },
	{ OHTTP_M(GET), OLISTEN_ADMIN, TRUST, trust_list },
	{ OHTTP_M(GET), OLISTEN_ADMIN, TRUST "/{id}", trust_get },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, TRUST "/{id}", trust_delete },
};

int
main(int argc, char *argv[])
{
	return omain(argc, argv, routes, sizeof(routes) / sizeof(routes[0]));
}
