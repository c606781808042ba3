/*
 * authentiq.c: Authentiq Connect's client management (/client), over
 * the same client records as the other dialects.
 *
 *   GET    /client                   every client
 *   POST   /client                   register (201, secret once)
 *   GET    /client/{client_id}
 *   PUT    /client/{client_id}       the Client members given change
 *   DELETE /client/{client_id}       204
 *
 * The Client object, its mapping onto records and the operations are
 * lib/protocol/authentiq.h's; this file parses requests, calls one
 * operation and answers, with RFC 7807 problem details for errors.
 */
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"
#include "protocol/authentiq.h"
#include "web/http.h"
#include "web/page.h"
#include "api.h"

/*
 * Send err as an RFC 7807 problem detail, as application/problem+json
 * (RFC 7807 §6.1).  A 5xx is logged, as ohttp_send_error() does.
 */
static void
send_problem(struct oreq *req, const struct oerr *err)
{
	json_t	*j;
	char	*buf;
	size_t	 len;
	int	 status;

	j = oauthentiq_problem(err, ohttp_reason);
	status = (int)ojson_int(j, "status");
	if (status >= 500)
		olog_err("%d %s %s: %s", status, req->method_name,
		    req->path, err->description);
	buf = ojson_dump(&req->arena, j, &len);
	json_decref(j);
	ohttp_send(req, status, "application/problem+json", buf, len);
}

/*
 * Answer with out, a Client object or an array of them (a 201 with the
 * new resource's Location, under /admin when the request came under
 * /admin, RFC 9110 §15.3.2, when status is 201), or with err as a
 * problem when out is NULL.  Releases out.
 */
static void
answer(struct oreq *req, int status, json_t *out, const struct oerr *err)
{
	if (out == NULL) {
		send_problem(req, err);
		return;
	}
	if (status == 201)
		ohttp_header(req, "Location", oarena_printf(&req->arena,
		    "%s/client/%s", opage_prefix(req), oform_encode(&req->arena,
		    ojson_str(out, "client_id"))));
	ohttp_send_json(req, status, out);
	json_decref(out);
}

/* GET /client */
static void
list(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	answer(req, 200, oauthentiq_list(&err), &err);
}

/* POST /client */
static void
create(struct oreq *req)
{
	struct oerr	 err;
	json_t		*body, *out = NULL;

	oerr_clear(&err);
	if ((body = ohttp_json(req, 1, &err)) != NULL)
		out = oauthentiq_create(body, &err);
	answer(req, 201, out, &err);
	json_decref(body);
}

/* GET /client/{client_id} */
static void
get(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	answer(req, 200, oauthentiq_get(req->params[0], &err), &err);
}

/* PUT /client/{client_id} */
static void
update(struct oreq *req)
{
	struct oerr	 err;
	json_t		*body, *out = NULL;

	oerr_clear(&err);
	if ((body = ohttp_json(req, 1, &err)) != NULL)
		out = oauthentiq_update(req->params[0], body, &err);
	answer(req, 200, out, &err);
	json_decref(body);
}

/* DELETE /client/{client_id}: 204, or a 404 problem. */
static void
delete(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	if (oauthentiq_delete(req->params[0], &err))
		ohttp_send(req, 204, NULL, NULL, 0);
	else
		send_problem(req, &err);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/client", list,
	    0, send_problem, "clients" },
	{ OHTTP_M(POST), OLISTEN_ADMIN, "/client", create,
	    0, send_problem, "clients" },
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/client/{client_id}", get,
	    0, send_problem, "clients" },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/client/{client_id}", update,
	    0, send_problem, "clients" },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, "/client/{client_id}", delete,
	    0, send_problem, "clients" },
};
const struct oroute_table authentiq_table = OROUTE_TABLE(routes);
