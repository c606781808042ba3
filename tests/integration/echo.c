/*
 * echo: a FastCGI binary for the integration tests only (never
 * installed).  It answers with what lib/ decoded from the request, so
 * the tests can drive the request layer through a real web server.
 * Secrets are never echoed, only their length.
 */
#include <string.h>

#include <jansson.h>

#include "web/http.h"
#include "web/serve.h"

static json_t *
params_json(const struct oparams *p)
{
	json_t	*o = json_object(), *a;
	size_t	 i;

	for (i = 0; p != NULL && i < p->n; i++) {
		if ((a = json_object_get(o, p->v[i].name)) == NULL) {
			a = json_array();
			json_object_set_new(o, p->v[i].name, a);
		}
		json_array_append_new(a,
		    json_stringn(p->v[i].value, p->v[i].vlen));
	}
	return o;
}

/* GET or POST /__test/echo */
static void
echo(struct oreq *req)
{
	struct oerr		 err;
	json_t			*j, *body;
	const struct oparams	*form;
	const char		*id, *secret, *ct;

	oerr_clear(&err);
	j = json_object();
	json_object_set_new(j, "method", json_string(req->method_name));
	json_object_set_new(j, "path", json_string(req->path));
	json_object_set_new(j, "query", params_json(&req->qs));
	json_object_set_new(j, "cookies", params_json(ohttp_cookies(req)));
	switch (ohttp_basic(req, &id, &secret, &err)) {
	case OHTTP_AUTH_OK:
		json_object_set_new(j, "basic", json_pack("{s:s,s:I}",
		    "id", id, "secret_len", (json_int_t)strlen(secret)));
		break;
	case OHTTP_AUTH_BAD:
		goto fail;
	default:
		break;
	}
	if (req->method == OHTTP_POST) {
		ct = ohttp_env(req, "CONTENT_TYPE");
		if (ct != NULL && strncmp(ct, "application/json", 16) == 0) {
			if ((body = ohttp_json(req, 1, &err)) == NULL)
				goto fail;
			json_object_set_new(j, "json", body);
		} else {
			if ((form = ohttp_form(req, &err)) == NULL)
				goto fail;
			json_object_set_new(j, "form", params_json(form));
		}
	}
	ohttp_cookie(req, "echo", "1", -1, "/", OHTTP_COOKIE_HTTPONLY |
	    OHTTP_COOKIE_LAX);
	ohttp_send_json(req, 200, j);
	json_decref(j);
	return;
fail:
	json_decref(j);
	ohttp_send_error(req, &err);
}

/* GET /__test/param/{a}/{b} */
static void
param(struct oreq *req)
{
	json_t	*j = json_pack("{s:s,s:s}", "a", req->params[0],
	    "b", req->params[1]);

	ohttp_send_json(req, 200, j);
	json_decref(j);
}

/* GET /__test/admin-only */
static void
admin_only(struct oreq *req)
{
	json_t	*j = json_pack("{s:b}", "admin", 1);

	ohttp_send_json(req, 200, j);
	json_decref(j);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET) | OHTTP_M(POST), OLISTEN_BOTH, "/__test/echo", echo },
	{ OHTTP_M(GET), OLISTEN_BOTH, "/__test/param/{a}/{b}", param },
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/__test/admin-only", admin_only },
};

int
main(int argc, char *argv[])
{
	return omain(argc, argv, routes, sizeof(routes) / sizeof(routes[0]));
}
