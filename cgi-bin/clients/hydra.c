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
#include "clients.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "json.h"
#include "jsonpatch.h"
#include "store.h"
#include "util.h"

#define LIMIT_DEFAULT		100	/* Hydra 1.x */
#define LIMIT_MAX		500
#define PAGE_SIZE_DEFAULT	250	/* Hydra 2.x */
#define PAGE_SIZE_MAX		1000

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

/* "/admin" when the request came in under Hydra 2.x's prefix, else "". */
static const char *
prefix(struct oreq *req)
{
	const char	*uri = ohttp_env(req, "REQUEST_URI");

	return uri != NULL && strncmp(uri, "/admin/", 7) == 0 ? "/admin" : "";
}

/* Answer with the Hydra view of rec (and the secret, when new). */
static void
send_client(struct oreq *req, int status, const json_t *rec,
    char *secret)
{
	json_t	*view = oclient_view_hydra(rec, secret);

	if (status == 201)
		ohttp_header(req, "Location", oarena_printf(&req->arena,
		    "%s/clients/%s", prefix(req), oform_encode(&req->arena,
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
	if (!oclient_delete(req->params[0], &err))
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
	return ojsonpatch_apply(view, patch, err);
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

/*
 * Parse a non-negative integer query parameter into *out (left as it is
 * when absent).  Returns 0 with a 400 in err when malformed.
 */
static int
qnum(const struct oparams *q, const char *name, long long max,
    long long *out, struct oerr *err)
{
	const char	*v = oparams_get(q, name);

	if (v == NULL)
		return 1;
	if (!ostrtonum(v, strlen(v), 0, max, out)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The query parameter "
		    "'%s' must be a number from 0 to %lld.", name, max);
		return 0;
	}
	return 1;
}

/* Hydra 2.x page token: base64url of {"offset":"N","v":2}. */
static char *
page_token(struct oreq *req, long long offset)
{
	char	 json[64], out[128];
	size_t	 len;

	snprintf(json, sizeof(json), "{\"offset\":\"%lld\",\"v\":2}", offset);
	if (!ocrypto_b64url_encode(out, sizeof(out), &len, json,
	    strlen(json)))
		return oarena_strdup(&req->arena, "");
	return oarena_strdup(&req->arena, out);
}

/* Decode a page token into an offset; 0 with a 400 when malformed. */
static int
page_offset(const char *tok, long long *offset, struct oerr *err)
{
	char		 buf[128];
	size_t		 len;
	json_t		*j = NULL;
	const char	*s;
	int		 rc = 0;

	if (strlen(tok) < sizeof(buf) &&
	    ocrypto_b64url_decode(buf, sizeof(buf) - 1, &len, tok,
	    strlen(tok)) &&
	    (j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL)) != NULL &&
	    (s = json_string_value(json_object_get(j, "offset"))) != NULL &&
	    ostrtonum(s, strlen(s), 0, 0x7fffffffLL, offset))
		rc = 1;
	json_decref(j);
	if (!rc)
		oerr_set(err, OERR_INVALID_REQUEST, "The query parameter "
		    "'page_token' is not a page token this server issued.");
	return rc;
}

/* One Link header entry. */
static char *
link(struct oreq *req, char *acc, const char *rel, int v2, long long size,
    long long offset, const char *filters)
{
	char	*url;

	if (v2)
		url = oarena_printf(&req->arena, "%s/clients?page_size=%lld"
		    "&page_token=%s%s", prefix(req), size,
		    page_token(req, offset), filters);
	else
		url = oarena_printf(&req->arena, "%s/clients?limit=%lld"
		    "&offset=%lld%s", prefix(req), size, offset, filters);
	return oarena_printf(&req->arena, "%s%s<%s>; rel=\"%s\"", acc,
	    *acc != '\0' ? "," : "", url, rel);
}

/* GET /clients */
static void
list(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*q;
	struct oclient_filter	 f;
	struct ostore_txn	*t;
	json_t			*arr = NULL, *out, *e;
	long long		 size, offset = 0, last;
	size_t			 total = 0, i;
	int			 v2;
	char			*links = "", *filters = "";

	oerr_clear(&err);
	memset(&f, 0, sizeof(f));
	q = ohttp_query(req, &err);
	v2 = oparams_get(q, "page_size") != NULL ||
	    oparams_get(q, "page_token") != NULL;
	size = v2 ? PAGE_SIZE_DEFAULT : LIMIT_DEFAULT;
	if (!qnum(q, v2 ? "page_size" : "limit", v2 ? PAGE_SIZE_MAX :
	    LIMIT_MAX, &size, &err) ||
	    (!v2 && !qnum(q, "offset", 0x7fffffffLL, &offset, &err)) ||
	    (v2 && oparams_get(q, "page_token") != NULL &&
	    !page_offset(oparams_get(q, "page_token"), &offset, &err)))
		goto fail;
	if (size == 0)
		size = v2 ? PAGE_SIZE_DEFAULT : LIMIT_DEFAULT;
	f.client_name = oparams_get(q, "client_name");
	f.owner = oparams_get(q, "owner");
	if (f.client_name != NULL)
		filters = oarena_printf(&req->arena, "&client_name=%s",
		    oform_encode(&req->arena, f.client_name));
	if (f.owner != NULL)
		filters = oarena_printf(&req->arena, "%s&owner=%s", filters,
		    oform_encode(&req->arena, f.owner));
	if ((t = ostore_read_begin()) == NULL) {
		oerr_set(&err, OERR_TEMPORARILY_UNAVAILABLE,
		    "The store is not available.");
		goto fail;
	}
	arr = oclient_list(t, &f, (size_t)offset, (size_t)size, &total, &err);
	ostore_read_end(t);
	if (arr == NULL)
		goto fail;

	/* RFC 8288 links, as Hydra sends them. */
	last = total == 0 ? 0 : ((long long)(total - 1) / size) * size;
	links = link(req, links, "first", v2, size, 0, filters);
	if (offset + size < (long long)total)
		links = link(req, links, "next", v2, size, offset + size,
		    filters);
	if (offset > 0)
		links = link(req, links, "prev", v2, size,
		    offset > size ? offset - size : 0, filters);
	links = link(req, links, "last", v2, size, last, filters);
	ohttp_header(req, "Link", links);
	ohttp_header(req, "X-Total-Count", oarena_printf(&req->arena, "%zu",
	    total));
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
