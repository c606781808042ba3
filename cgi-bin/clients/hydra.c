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
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "records/clients.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "web/http.h"
#include "base/json.h"
#include "base/jsonpatch.h"
#include "web/page.h"
#include "store/store.h"
#include "base/util.h"
#include "records/lifecycle.h"

static const char *const lifespans[] = {
	"authorization_code_grant_access_token_lifespan",
	"authorization_code_grant_id_token_lifespan",
	"authorization_code_grant_refresh_token_lifespan",
	"client_credentials_grant_access_token_lifespan",
	"implicit_grant_access_token_lifespan",
	"implicit_grant_id_token_lifespan",
	"jwt_bearer_grant_access_token_lifespan",
	"refresh_token_grant_access_token_lifespan",
	"refresh_token_grant_id_token_lifespan",
	"refresh_token_grant_refresh_token_lifespan",
};

/* Answer with the Hydra view of rec (and the secret, when new). */
static void
send_client(struct oreq *req, int status, const json_t *rec,
    char *secret)
{
	json_t	*view = oclient_view_hydra(rec, secret);

	if (status == 201)
		ohttp_header(req, "Location", oarena_printf(&req->arena,
		    "%s/clients/%s", opage_prefix(req), oform_encode(&req->arena,
		    json_string_value(json_object_get(rec, "client_id")))));
	ohttp_send_json(req, status, view);
	json_decref(view);
	ocrypto_wipe(secret, strlen(secret));
}

/* POST /clients */
static void
create(struct oreq *req)
{
	struct oerr	 err;
	json_t		*in, *rec = NULL;
	char		 secret[OCLIENT_SECRET_MAX + 1];

	oerr_clear(&err);
	if ((in = ohttp_json(req, 1, &err)) == NULL ||
	    (rec = oclient_create(in, 0, secret, &err)) == NULL)
		ohttp_send_error(req, &err);
	else
		send_client(req, 201, rec, secret);
	json_decref(in);
	json_decref(rec);
}

/* GET /clients/{id} */
static void
get(struct oreq *req)
{
	struct oerr	 err;
	json_t		*rec;
	char		 none[1] = "";

	oerr_clear(&err);
	if ((rec = oclient_get(req->params[0], &err)) == NULL)
		ohttp_send_error(req, &err);
	else
		send_client(req, 200, rec, none);
	json_decref(rec);
}

/* PUT /clients/{id} */
static void
replace(struct oreq *req)
{
	struct oerr	 err;
	json_t		*in, *rec = NULL;
	char		 secret[OCLIENT_SECRET_MAX + 1];

	oerr_clear(&err);
	if ((in = ohttp_json(req, 1, &err)) == NULL ||
	    (rec = oclient_update(req->params[0], in, OCLIENT_KEEP_SECRET,
	    secret, &err)) == NULL)
		ohttp_send_error(req, &err);
	else
		send_client(req, 200, rec, secret);
	json_decref(in);
	json_decref(rec);
}

/* DELETE /clients/{id} */
static void
delete(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	if (!olife_client_delete(req->params[0], &err))
		ohttp_send_error(req, &err);
	else
		ohttp_send(req, 204, NULL, NULL, 0);
}

/*
 * An update computed from the old record inside the write transaction
 * (PATCH, lifespans), so that nothing changes in between.
 */
struct edit {
	const char	*id;
	const json_t	*body;
	json_t		*(*make)(const json_t *view, const json_t *body,
			    struct oerr *);
	char		*secret;
	json_t		*rec;
};

static int
edit_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct edit	*e = arg;
	json_t		*old, *view = NULL, *in = NULL;
	int		 rc = 0;

	json_decref(e->rec);
	e->rec = NULL;
	if ((old = oclient_load(t, e->id, err)) == NULL)
		return 0;
	view = oclient_view_hydra(old, NULL);
	if ((in = e->make(view, e->body, err)) == NULL)
		goto out;
	if ((e->rec = oclient_build(in, old, OCLIENT_KEEP_SECRET, e->secret,
	    err)) == NULL)
		goto out;
	rc = oclient_replace(t, e->rec, err);
out:
	json_decref(old);
	json_decref(view);
	json_decref(in);
	return rc;
}

/* Run an edit and answer with the result. */
static void
edit(struct oreq *req, json_t *(*make)(const json_t *, const json_t *,
    struct oerr *), int want_object)
{
	struct oerr	 err;
	struct edit	 e;
	char		 secret[OCLIENT_SECRET_MAX + 1];
	json_t		*body;

	oerr_clear(&err);
	memset(&e, 0, sizeof(e));
	secret[0] = '\0';
	if ((body = ohttp_json(req, want_object, &err)) == NULL) {
		ohttp_send_error(req, &err);
		return;
	}
	e.id = req->params[0];
	e.body = body;
	e.make = make;
	e.secret = secret;
	if (!ostore_write(edit_fn, &e, &err))
		ohttp_send_error(req, &err);
	else
		send_client(req, 200, e.rec, secret);
	json_decref(e.rec);
	json_decref(body);
}

/*
 * The patched client: RFC 6902 applied to the Hydra view.  The
 * client_id cannot be patched; adding /client_secret sets a new one.
 */
static json_t *
make_patched(const json_t *view, const json_t *patch, struct oerr *err)
{
	if (ojsonpatch_touches(patch, "/client_id")) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'client_id' "
		    "cannot be changed by a patch.");
		return NULL;
	}
	/* A record grows to no more than a request body could bring. */
	return ojsonpatch_apply_max(view, patch, oconf->body_max, err);
}

/* PATCH /clients/{id} */
static void
patch(struct oreq *req)
{
	edit(req, make_patched, 0);
}

/*
 * The client with its lifespans replaced by the body's (one absent or
 * null means "use the configured ttl"), as Hydra's
 * setOAuth2ClientLifespans does.
 */
static json_t *
make_lifespans(const json_t *view, const json_t *body, struct oerr *err)
{
	json_t		*in = json_deep_copy(view), *v;
	const char	*key;
	size_t		 i;
	int		 known;

	json_object_foreach((json_t *)body, key, v) {
		for (known = 0, i = 0; i < sizeof(lifespans) /
		    sizeof(lifespans[0]); i++)
			known |= strcmp(key, lifespans[i]) == 0;
		if (!known) {
			oerr_set(err, OERR_INVALID_REQUEST, "The field '%.64s' "
			    "is not a token lifespan.", key);
			json_decref(in);
			return NULL;
		}
	}
	for (i = 0; i < sizeof(lifespans) / sizeof(lifespans[0]); i++) {
		json_object_del(in, lifespans[i]);
		if ((v = json_object_get(body, lifespans[i])) != NULL)
			json_object_set(in, lifespans[i], v);
	}
	return in;
}

/* PUT /clients/{id}/lifespans */
static void
set_lifespans(struct oreq *req)
{
	edit(req, make_lifespans, 1);
}

/* GET /clients */
static void
list(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*q;
	struct oclient_filter	 f;
	struct ostore_txn	*t;
	struct opage		 pg;
	json_t			*arr = NULL, *out, *e;
	size_t			 total = 0, i;
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
	if ((t = ostore_read_begin(&err)) == NULL)
		goto fail;
	arr = oclient_list(t, &f, (size_t)pg.offset, (size_t)pg.size, &total,
	    &err);
	ostore_read_end(t);
	if (arr == NULL)
		goto fail;
	opage_headers(req, oarena_printf(&req->arena, "%s/clients",
	    opage_prefix(req)), &pg, total, filters);
	out = json_array();
	json_array_foreach(arr, i, e)
		json_array_append_new(out, oclient_view_hydra(e, NULL));
	ohttp_send_json(req, 200, out);
	json_decref(out);
	json_decref(arr);
	return;
fail:
	ohttp_send_error(req, &err);
}

const struct oroute hydra_routes[] = {
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/clients", list },
	{ OHTTP_M(POST), OLISTEN_ADMIN, "/clients", create },
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/clients/{id}", get },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/clients/{id}", replace },
	{ OHTTP_M(PATCH), OLISTEN_ADMIN, "/clients/{id}", patch },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, "/clients/{id}", delete },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/clients/{id}/lifespans",
	    set_lifespans },
};
const size_t hydra_nroutes = sizeof(hydra_routes) / sizeof(hydra_routes[0]);
