/*
 * hydra.c: Ory Hydra's OAuth 2.0 client API, 1.x paths at the root
 * (/clients) and 2.x paths under /admin (the router strips /admin).
 *
 *   GET    /clients                  list: limit/offset (1.x) or
 *                                    page_size/page_token (2.x), filters
 *                                    client_name and owner
 *   POST   /clients                  create (201)
 *   GET    /clients/{id}
 *   PUT    /clients/{id}             replace; the secret is kept when
 *                                    none is given
 *   PATCH  /clients/{id}             RFC 6902 JSON Patch
 *   DELETE /clients/{id}             204
 *   PUT    /clients/{id}/lifespans   per-grant token lifespans (2.x)
 *
 * The operations are lib/protocol/hydra.h's; this file parses requests,
 * calls one operation and answers, with Hydra's paging headers on lists.
 */
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "protocol/hydra.h"
#include "web/http.h"
#include "web/page.h"
#include "api.h"

/*
 * Answer with out, the Hydra view of a client (a 201 with its Location
 * when status is 201), or with err when out is NULL.  Releases out.
 */
static void
answer(struct oreq *req, int status, json_t *out, const struct oerr *err)
{
	if (out == NULL) {
		ohttp_send_error(req, err);
		return;
	}
	if (status == 201)
		ohttp_header(req, "Location", oarena_printf(&req->arena,
		    "%s/clients/%s", opage_prefix(req), oform_encode(&req->arena,
		    ojson_str(out, "client_id"))));
	ohttp_send_json(req, status, out);
	json_decref(out);
}

/* POST /clients */
static void
create(struct oreq *req)
{
	struct oerr	 err;
	json_t		*in, *out = NULL;

	oerr_clear(&err);
	if ((in = ohttp_json(req, 1, &err)) != NULL)
		out = ohydra_create(in, &err);
	answer(req, 201, out, &err);
	json_decref(in);
}

/* GET /clients/{id} */
static void
get(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	answer(req, 200, ohydra_get(req->params[0], &err), &err);
}

/* PUT /clients/{id} */
static void
replace(struct oreq *req)
{
	struct oerr	 err;
	json_t		*in, *out = NULL;

	oerr_clear(&err);
	if ((in = ohttp_json(req, 1, &err)) != NULL)
		out = ohydra_replace(req->params[0], in, &err);
	answer(req, 200, out, &err);
	json_decref(in);
}

/* PATCH /clients/{id} */
static void
patch(struct oreq *req)
{
	struct oerr	 err;
	json_t		*in, *out = NULL;

	oerr_clear(&err);
	if ((in = ohttp_json(req, 0, &err)) != NULL)
		out = ohydra_patch(req->params[0], in, &err);
	answer(req, 200, out, &err);
	json_decref(in);
}

/* PUT /clients/{id}/lifespans */
static void
set_lifespans(struct oreq *req)
{
	struct oerr	 err;
	json_t		*in, *out = NULL;

	oerr_clear(&err);
	if ((in = ohttp_json(req, 1, &err)) != NULL)
		out = ohydra_lifespans(req->params[0], in, &err);
	answer(req, 200, out, &err);
	json_decref(in);
}

/* DELETE /clients/{id} */
static void
delete(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	if (!ohydra_delete(req->params[0], &err))
		ohttp_send_error(req, &err);
	else
		ohttp_send(req, 204, NULL, NULL, 0);
}

/* GET /clients */
static void
list(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*q;
	struct ohydra_filter	 f;
	struct opage		 pg;
	json_t			*out;
	size_t			 total = 0;
	char			*filters = "";

	oerr_clear(&err);
	memset(&f, 0, sizeof(f));
	if ((q = ohttp_query(req, &err)) == NULL ||
	    !opage_parse(q, &pg, &err))
		goto fail;
	f.client_name = oparams_get(q, "client_name");
	f.owner = oparams_get(q, "owner");
	if (f.client_name != NULL)
		filters = oarena_printf(&req->arena, "&client_name=%s",
		    oform_encode(&req->arena, f.client_name));
	if (f.owner != NULL)
		filters = oarena_printf(&req->arena, "%s&owner=%s", filters,
		    oform_encode(&req->arena, f.owner));
	if ((out = ohydra_list(&f, (size_t)pg.offset, (size_t)pg.size,
	    &total, &err)) == NULL)
		goto fail;
	opage_headers(req, oarena_printf(&req->arena, "%s/clients",
	    opage_prefix(req)), &pg, total, filters);
	ohttp_send_json(req, 200, out);
	json_decref(out);
	return;
fail:
	ohttp_send_error(req, &err);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/clients", list },
	{ OHTTP_M(POST), OLISTEN_ADMIN, "/clients", create },
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/clients/{id}", get },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/clients/{id}", replace },
	{ OHTTP_M(PATCH), OLISTEN_ADMIN, "/clients/{id}", patch },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, "/clients/{id}", delete },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/clients/{id}/lifespans",
	    set_lifespans },
};
const struct oroute_table hydra_table = OROUTE_TABLE(routes);
