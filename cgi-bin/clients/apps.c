/*
 * apps.c: applications that own OAuth 2.0 clients (/v1/applications),
 * after a Frontegg-style applications API, on the admin listener.
 *
 *   GET    /v1/applications                       list, each with its
 *                                                 default client
 *   POST   /v1/applications                       app + default client,
 *                                                 one transaction (201)
 *   GET    /v1/applications/list                  each app's basic info
 *   GET    /v1/applications/{appId}
 *   PUT    /v1/applications/{appId}               app fields (and the
 *                                                 deprecated default-
 *                                                 client fields)
 *   DELETE /v1/applications/{appId}               app and its clients (204)
 *   PUT    /v1/applications/{appId}/resources     default client audience
 *   GET    /v1/applications/{appId}/clients       the app's clients
 *   POST   /v1/applications/{appId}/clients       add a client (201)
 *   DELETE /v1/applications/{appId}/clients       every client but the
 *                                                 default one (204)
 *   GET    /v1/applications/{appId}/clients/{clientId}
 *   PUT    /v1/applications/{appId}/clients/{clientId}
 *   DELETE /v1/applications/{appId}/clients/{clientId}   (204; the
 *                                                 default client: 400)
 *   PUT    /v1/applications/{appId}/clients/{clientId}/resources
 *
 * Every response body is wrapped in {"result": ...}, the clients' as
 * well as the applications'.  Errors are
 * {"message", "error_code"} with error_code the HTTP status.
 *
 * The dialect's rules, its mapping onto client records and its
 * operations are lib/protocol/apps.h's; this file parses requests,
 * calls one operation and answers.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/form.h"
#include "base/util.h"
#include "records/apps.h"
#include "records/clients.h"
#include "protocol/apps.h"
#include "web/http.h"
#include "web/page.h"
#include "api.h"

#define APPS_PATH	"/v1/applications"

/*
 * Answer with err as {"message", "error_code"}, the API's error shape;
 * error_code is the HTTP status.  Server errors are logged.
 */
static void
send_err(struct oreq *req, const struct oerr *err)
{
	json_t	*j;
	int	 status = err->status ? err->status : 500;

	if (status >= 500)
		olog_err("%d %s %s: %s", status, req->method_name,
		    req->path, err->description);
	j = json_pack("{s:s, s:i}", "message", err->description[0] != '\0' ?
	    err->description : ohttp_reason(status), "error_code", status);
	ohttp_send_json(req, status, j);
	json_decref(j);
}


/*
 * Answer out with status (a 201 with Location loc, when not NULL), or
 * the error in err when out is NULL.  Releases out.
 */
static void
answer(struct oreq *req, json_t *out, int status, const char *loc,
    const struct oerr *err)
{
	if (out == NULL) {
		send_err(req, err);
		return;
	}
	if (loc != NULL)
		ohttp_header(req, "Location", loc);
	ohttp_send_json(req, status, out);
	json_decref(out);
}

/* Answer 204, or the error in err when ok is 0. */
static void
answer_none(struct oreq *req, int ok, const struct oerr *err)
{
	if (ok)
		ohttp_send(req, 204, NULL, NULL, 0);
	else
		send_err(req, err);
}

/* The Location of application id (and of its client cid, if not NULL). */
static const char *
location(struct oreq *req, const char *id, const char *cid)
{
	const char	*loc;

	loc = oarena_printf(&req->arena, "%s%s/%s", opage_prefix(req),
	    APPS_PATH, oform_encode(&req->arena, id));
	if (cid != NULL)
		loc = oarena_printf(&req->arena, "%s/clients/%s", loc,
		    oform_encode(&req->arena, cid));
	return loc;
}

/* /v1/applications */
static void
route_apps(struct oreq *req)
{
	struct oerr	 err;
	json_t		*body, *out = NULL;
	char		 id[OAPP_ID_MAX + 1];

	oerr_clear(&err);
	if (req->method != OHTTP_POST) {
		answer(req, oapps_list(&err), 200, NULL, &err);
		return;
	}
	if ((body = ohttp_json(req, 1, &err)) != NULL)
		out = oapps_create(body, id, &err);
	answer(req, out, 201, out != NULL ? location(req, id, NULL) : NULL,
	    &err);
	json_decref(body);
}

/* GET /v1/applications/list */
static void
route_list(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	answer(req, oapps_list_basic(&err), 200, NULL, &err);
}

/* /v1/applications/{appId} */
static void
route_app(struct oreq *req)
{
	struct oerr	 err;
	json_t		*body, *out = NULL;
	const char	*app = req->params[0];

	oerr_clear(&err);
	if (req->method == OHTTP_DELETE) {
		answer_none(req, oapps_delete(app, &err), &err);
		return;
	}
	if (req->method != OHTTP_PUT) {
		answer(req, oapps_get(app, &err), 200, NULL, &err);
		return;
	}
	if ((body = ohttp_json(req, 1, &err)) != NULL)
		out = oapps_update(app, body, &err);
	answer(req, out, 200, NULL, &err);
	json_decref(body);
}

/* /v1/applications/{appId}[/clients/{clientId}]/resources */
static void
route_resources(struct oreq *req)
{
	struct oerr	 err;
	json_t		*body, *out = NULL;

	oerr_clear(&err);
	if ((body = ohttp_json(req, 1, &err)) != NULL)
		out = oapps_set_resources(req->params[0], req->nparams > 1 ?
		    req->params[1] : NULL, body, &err);
	answer(req, out, 200, NULL, &err);
	json_decref(body);
}

/* /v1/applications/{appId}/clients */
static void
route_clients(struct oreq *req)
{
	struct oerr	 err;
	json_t		*body, *out = NULL;
	const char	*app = req->params[0];
	char		 cid[OCLIENT_ID_MAX + 1];

	oerr_clear(&err);
	if (req->method == OHTTP_DELETE) {
		answer_none(req, oapps_clients_delete(app, &err), &err);
		return;
	}
	if (req->method != OHTTP_POST) {
		answer(req, oapps_clients(app, &err), 200, NULL, &err);
		return;
	}
	if ((body = ohttp_json(req, 1, &err)) != NULL)
		out = oapps_client_add(app, body, cid, &err);
	answer(req, out, 201, out != NULL ? location(req, app, cid) : NULL,
	    &err);
	json_decref(body);
}

/* /v1/applications/{appId}/clients/{clientId} */
static void
route_client(struct oreq *req)
{
	struct oerr	 err;
	json_t		*body, *out = NULL;
	const char	*app = req->params[0], *cid = req->params[1];

	oerr_clear(&err);
	if (req->method == OHTTP_DELETE) {
		answer_none(req, oapps_client_delete(app, cid, &err), &err);
		return;
	}
	if (req->method != OHTTP_PUT) {
		answer(req, oapps_client_get(app, cid, &err), 200, NULL, &err);
		return;
	}
	if ((body = ohttp_json(req, 1, &err)) != NULL)
		out = oapps_client_update(app, cid, body, &err);
	answer(req, out, 200, NULL, &err);
	json_decref(body);
}


static const struct oroute routes[] = {
	{ .methods = OHTTP_M(GET) | OHTTP_M(POST),
	  .listeners = OLISTEN_ADMIN,
	  .pattern = APPS_PATH, .fn = route_apps,
	  .fail = send_err },
	/* Before {appId}: generated ids are UUIDs, never "list". */
	{ .methods = OHTTP_M(GET), .listeners = OLISTEN_ADMIN,
	  .pattern = APPS_PATH "/list", .fn = route_list,
	  .fail = send_err },
	{ .methods = OHTTP_M(GET) | OHTTP_M(PUT) | OHTTP_M(DELETE),
	  .listeners = OLISTEN_ADMIN,
	  .pattern = APPS_PATH "/{appId}", .fn = route_app,
	  .fail = send_err },
	{ .methods = OHTTP_M(PUT), .listeners = OLISTEN_ADMIN,
	  .pattern = APPS_PATH "/{appId}/resources", .fn = route_resources,
	  .fail = send_err },
	{ .methods = OHTTP_M(GET) | OHTTP_M(POST) | OHTTP_M(DELETE),
	  .listeners = OLISTEN_ADMIN,
	  .pattern = APPS_PATH "/{appId}/clients", .fn = route_clients,
	  .fail = send_err },
	{ .methods = OHTTP_M(GET) | OHTTP_M(PUT) | OHTTP_M(DELETE),
	  .listeners = OLISTEN_ADMIN,
	  .pattern = APPS_PATH "/{appId}/clients/{clientId}",
	  .fn = route_client,
	  .fail = send_err },
	{ .methods = OHTTP_M(PUT), .listeners = OLISTEN_ADMIN,
	  .pattern = APPS_PATH "/{appId}/clients/{clientId}/resources",
	  .fn = route_resources,
	  .fail = send_err },
};
const struct oroute_table apps_table = OROUTE_TABLE(routes);

