/*
 * authentiq.c: Authentiq Connect's client management (/client), over
 * the same client records as the other dialects.
 *
 * The Client object has thirteen members (application_type, client_id,
 * client_name, client_uri, contacts, default_max_age, default_scopes,
 * grant_types, logo_uri, policy_uri, redirect_uris, response_types,
 * tos_uri); each maps 1:1 onto the record member of the same name, and
 * every other member of a record is left alone by this dialect.  Errors
 * are RFC 7807 problem details, as the Authentiq Connect API answers.
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "records/clients.h"
#include "base/crypto.h"
#include "base/err.h"
#include "web/http.h"
#include "base/json.h"
#include "web/page.h"
#include "store/store.h"
#include "base/util.h"
#include "records/lifecycle.h"

/* The members of Authentiq's Client object, in its schema's order. */
static const char *const members[] = {
	"application_type",
	"client_id",
	"client_name",
	"client_uri",
	"contacts",
	"default_max_age",
	"default_scopes",
	"grant_types",
	"logo_uri",
	"policy_uri",
	"redirect_uris",
	"response_types",
	"tos_uri",
};

#define NMEMBERS	(sizeof(members) / sizeof(members[0]))

/*
 * Send err as an RFC 7807 problem detail (RFC 7807 §3.1: type
 * "about:blank", title the status's reason phrase, status, and the
 * error's description as detail), as application/problem+json
 * (RFC 7807 §6.1).  A 5xx is logged, as ohttp_send_error() does.
 */
static void
send_problem(struct oreq *req, const struct oerr *err)
{
	json_t	*j;
	char	*buf;
	size_t	 len;
	int	 status = err->status ? err->status : 500;

	if (status >= 500)
		olog_err("%d %s %s: %s", status, req->method_name,
		    req->path, err->description);
	j = json_pack("{s:s,s:s,s:i,s:s}", "type", "about:blank",
	    "title", ohttp_reason(status), "status", status,
	    "detail", err->description[0] != '\0' ? err->description :
	    ohttp_reason(status));
	buf = ojson_dump(&req->arena, j, &len);
	json_decref(j);
	ohttp_send(req, status, "application/problem+json", buf, len);
}

/*
 * The record rec as an Authentiq Client object: its thirteen members
 * only, plus client_secret when secret is neither NULL nor "" (the one
 * response that returns a new secret).  Returns a new reference.
 */
static json_t *
view(const json_t *rec, const char *secret)
{
	json_t	*out = json_object(), *v;
	size_t	 i;

	for (i = 0; i < NMEMBERS; i++)
		if ((v = json_object_get(rec, members[i])) != NULL)
			json_object_set(out, members[i], v);
	if (secret != NULL && *secret != '\0')
		json_object_set_new(out, "client_secret", json_string(secret));
	return out;
}

/*
 * The request body as a JSON object holding only the Client members it
 * set, so that nothing else of a record (its secret, its Hydra-only
 * members) can be set through this dialect.  Returns a new reference,
 * or NULL with a 400 (or 413) in err.
 */
static json_t *
input(struct oreq *req, struct oerr *err)
{
	json_t	*body, *in, *v;
	size_t	 i;

	if ((body = ohttp_json(req, 1, err)) == NULL)
		return NULL;
	in = json_object();
	for (i = 0; i < NMEMBERS; i++)
		if ((v = json_object_get(body, members[i])) != NULL)
			json_object_set(in, members[i], v);
	json_decref(body);
	return in;
}

/* GET /client: every client, as a JSON array of Client objects. */
static void
list(struct oreq *req)
{
	struct oerr		 err;
	struct ostore_txn	*t;
	struct oclient_filter	 f;
	json_t			*recs = NULL, *out = NULL, *rec;
	size_t			 i, total;

	oerr_clear(&err);
	memset(&f, 0, sizeof(f));
	if ((t = ostore_read_begin(&err)) == NULL)
		goto out;
	recs = oclient_list(t, &f, 0, SIZE_MAX, &total, &err);
	ostore_read_end(t);
	if (recs == NULL)
		goto out;
	out = json_array();
	json_array_foreach(recs, i, rec)
		json_array_append_new(out, view(rec, NULL));
	ohttp_send_json(req, 200, out);
out:
	if (req->status == 0)
		send_problem(req, &err);
	json_decref(recs);
	json_decref(out);
}

/*
 * POST /client: register a client (OpenID Connect Dynamic Registration
 * 1.0 §3.1 in shape, but on the admin listener and without a token).
 * client_name and client_uri are required by Authentiq's Client schema.
 * A client_id may be chosen; a secret never is: a new one is returned
 * once, here.  201 with Location naming the new resource (RFC 9110
 * §15.3.2), under /admin when the request came under /admin.
 */
static void
create(struct oreq *req)
{
	struct oerr	 err;
	json_t		*in = NULL, *rec = NULL, *out = NULL;
	const char	*s;
	char		 secret[OCLIENT_SECRET_MAX + 1];

	oerr_clear(&err);
	secret[0] = '\0';
	if ((in = input(req, &err)) == NULL)
		goto out;
	else if (!ojson_get_str(in, "client_name", 0,
	    OJSON_REQUIRED | OJSON_NONEMPTY, &s, &err))
		goto out;
	else if (!ojson_get_str(in, "client_uri", 0,
	    OJSON_REQUIRED | OJSON_NONEMPTY, &s, &err))
		goto out;
	else if ((rec = oclient_create(in, OCLIENT_GEN_SECRET, secret,
	    &err)) == NULL)
		goto out;
	ohttp_header(req, "Location", oarena_printf(&req->arena,
	    "%s/client/%s", opage_prefix(req), oform_encode(&req->arena,
	    json_string_value(json_object_get(rec, "client_id")))));
	out = view(rec, secret);
	ohttp_send_json(req, 201, out);
out:
	if (req->status == 0)
		send_problem(req, &err);
	ocrypto_wipe(secret, strlen(secret));
	json_decref(in);
	json_decref(rec);
	json_decref(out);
}

/* GET /client/{client_id}: one client, without its secret. */
static void
get(struct oreq *req)
{
	struct oerr	 err;
	json_t		*rec, *out = NULL;

	oerr_clear(&err);
	if ((rec = oclient_get(req->params[0], &err)) != NULL) {
		out = view(rec, NULL);
		ohttp_send_json(req, 200, out);
	} else
		send_problem(req, &err);
	json_decref(rec);
	json_decref(out);
}

/*
 * PUT /client/{client_id}: update a client.  Only the Client members
 * the body sets change; every other member (the secret included) keeps
 * its value.  A client_id in the body must be the one in the path.
 */
static void
update(struct oreq *req)
{
	struct oerr	 err;
	json_t		*in = NULL, *rec = NULL, *out = NULL;
	char		 secret[OCLIENT_SECRET_MAX + 1];

	oerr_clear(&err);
	secret[0] = '\0';
	if ((in = input(req, &err)) == NULL)
		goto out;
	else if ((rec = oclient_update(req->params[0], in,
	    OCLIENT_MERGE | OCLIENT_KEEP_SECRET, secret, &err)) == NULL)
		goto out;
	out = view(rec, NULL);
	ohttp_send_json(req, 200, out);
out:
	if (req->status == 0)
		send_problem(req, &err);
	ocrypto_wipe(secret, strlen(secret));
	json_decref(in);
	json_decref(rec);
	json_decref(out);
}

/* DELETE /client/{client_id}: 204, or a 404 problem. */
static void
delete(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	if (olife_client_delete(req->params[0], &err))
		ohttp_send(req, 204, NULL, NULL, 0);
	else
		send_problem(req, &err);
}

const struct oroute	authentiq_routes[] = {
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/client", list,
	    0, send_problem },
	{ OHTTP_M(POST), OLISTEN_ADMIN, "/client", create,
	    0, send_problem },
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/client/{client_id}", get,
	    0, send_problem },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/client/{client_id}", update,
	    0, send_problem },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, "/client/{client_id}", delete,
	    0, send_problem },
};
const size_t		authentiq_nroutes =
    sizeof(authentiq_routes) / sizeof(authentiq_routes[0]);
