/*
 * test_authentiq.c: unit tests of lib/protocol/authentiq.c (Authentiq
 * Connect's client management as functions: the Client object's
 * mapping onto client records both ways, RFC 7807 problem details, and
 * the operations) against a real LMDB store in a fresh directory under
 * $TMPDIR, without a web server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "store/store.h"
#include "records/clients.h"
#include "protocol/authentiq.h"
#include "protocol/hydra.h"
#include "t.h"
#include "tfix.h"

static char		 sys_secret[] = "0123456789abcdef0123456789abcdef";
static struct oconf	 conf;

/* An operation's input from JSON text. */
#define IN(s)	(json_decref(in), in = J(s))

/* The thirteen members, as a body could send them, and then some. */
#define FULL	"{\"application_type\": \"native\", " \
	"\"client_id\": \"aq1\", \"client_name\": \"Aq\", " \
	"\"client_uri\": \"https://aq.example/\", " \
	"\"contacts\": [\"a@aq.example\"], \"default_max_age\": 3600, " \
	"\"default_scopes\": [\"openid\"], " \
	"\"grant_types\": [\"authorization_code\"], " \
	"\"logo_uri\": \"https://aq.example/logo.png\", " \
	"\"policy_uri\": \"https://aq.example/policy\", " \
	"\"redirect_uris\": [\"http://127.0.0.1/cb\"], " \
	"\"response_types\": [\"code\"], " \
	"\"tos_uri\": \"https://aq.example/tos\", " \
	"\"client_secret\": \"chosen-secret-16-x\", \"owner\": \"me\", " \
	"\"metadata\": {\"k\": 1}, \"_secret\": \"x\"}"

/* Input: the Client members and nothing else. */
static void
map_in(void)
{
	json_t	*body = J(FULL), *in;

	in = oauthentiq_input(body);
	CHECK(json_object_size(in) == 13);
	CHECK(jeq(in, "client_id", "\"aq1\""));
	CHECK(jeq(in, "default_max_age", "3600"));
	CHECK(jeq(in, "default_scopes", "[\"openid\"]"));
	CHECK(jeq(in, "tos_uri", "\"https://aq.example/tos\""));
	CHECK(json_object_get(in, "client_secret") == NULL);
	CHECK(json_object_get(in, "owner") == NULL);
	CHECK(json_object_get(in, "metadata") == NULL);
	CHECK(json_object_get(in, "_secret") == NULL);
	json_decref(in);
	json_decref(body);

	body = J("{\"client_name\": \"only\", \"scope\": \"openid\"}");
	in = oauthentiq_input(body);
	CHECK(json_object_size(in) == 1 && jeq(in, "client_name",
	    "\"only\""));
	json_decref(in);
	json_decref(body);
}

/* View: a record's Client members only, the secret when new. */
static void
map_view(void)
{
	struct oerr	 err;
	json_t		*body = J(FULL), *rec, *v;
	char		 secret[OCLIENT_SECRET_MAX + 1];

	oerr_clear(&err);
	rec = oclient_build(body, NULL, 0, secret, &err);
	CHECK(rec != NULL);
	if (rec == NULL) {
		fprintf(stderr, "%s\n", err.description);
		json_decref(body);
		return;
	}
	v = oauthentiq_view(rec, NULL);
	CHECK(json_object_size(v) == 13);
	CHECK(jeq(v, "application_type", "\"native\""));
	CHECK(jeq(v, "client_name", "\"Aq\""));
	CHECK(jeq(v, "contacts", "[\"a@aq.example\"]"));
	CHECK(jeq(v, "default_max_age", "3600"));
	CHECK(jeq(v, "redirect_uris", "[\"http://127.0.0.1/cb\"]"));
	CHECK(json_object_get(v, "client_secret") == NULL);
	CHECK(json_object_get(v, "owner") == NULL);
	CHECK(json_object_get(v, "scope") == NULL);
	CHECK(json_object_get(v, "_secret") == NULL);
	CHECK(json_object_get(v, "created_at") == NULL);
	json_decref(v);
	v = oauthentiq_view(rec, "");
	CHECK(json_object_get(v, "client_secret") == NULL);
	json_decref(v);
	v = oauthentiq_view(rec, "s3cret");
	CHECK(json_object_size(v) == 14 && jeq(v, "client_secret",
	    "\"s3cret\""));
	json_decref(v);
	json_decref(rec);
	json_decref(body);
}

/* A reason-phrase table standing in for the HTTP layer's. */
static const char *
reason(int status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 500:
		return "Internal Server Error";
	default:
		return "Other";
	}
}

/* RFC 7807 §3.1: type, title, status, detail; nothing else. */
static void
problem(void)
{
	struct oerr	 err;
	json_t		*p;

	oerr_clear(&err);
	oerr_set(&err, OERR_INVALID_REQUEST, "The field 'x' is bad.");
	oerr_hint(&err, "a hint");
	p = oauthentiq_problem(&err, reason);
	CHECK(json_object_size(p) == 4);
	CHECK(jeq(p, "type", "\"about:blank\""));
	CHECK(jeq(p, "title", "\"Bad Request\""));
	CHECK(jeq(p, "status", "400"));
	CHECK(jeq(p, "detail", "\"The field 'x' is bad.\""));
	json_decref(p);

	oerr_clear(&err);
	oerr_set(&err, OERR_NOT_FOUND, "%s", "");
	p = oauthentiq_problem(&err, reason);
	CHECK(jeq(p, "status", "404") && jeq(p, "title", "\"Not Found\""));
	CHECK(jeq(p, "detail", "\"Not Found\""));
	json_decref(p);

	/* No error set at all: a 500. */
	oerr_clear(&err);
	p = oauthentiq_problem(&err, reason);
	CHECK(jeq(p, "status", "500"));
	CHECK(jeq(p, "title", "\"Internal Server Error\""));
	CHECK(jeq(p, "detail", "\"Internal Server Error\""));
	json_decref(p);
}

/* The operations: create, get, list, update, delete. */
static void
ops(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	json_t			*in = NULL, *c, *r, *h, *rename;
	const char		*secret;

	if (!CHECKED(tfix_store_open(&d, "test_authentiq")))
		return;
	IN(FULL);
	oerr_clear(&err);
	c = oauthentiq_create(in, &err);
	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "%s\n", err.description);
		json_decref(in);
		CHECK(tfix_store_close(&d));
		return;
	}
	/* The secret is generated, never the one sent; returned once. */
	secret = json_string_value(json_object_get(c, "client_secret"));
	CHECK(secret != NULL && strlen(secret) >= 43 &&
	    strcmp(secret, "chosen-secret-16-x") != 0);
	CHECK(jeq(c, "client_id", "\"aq1\"") && json_object_size(c) == 14);
	json_decref(c);

	/* Other members of a body are not stored. */
	oerr_clear(&err);
	h = ohydra_get("aq1", &err);
	CHECK(h != NULL && jeq(h, "owner", "\"\"") &&
	    jeq(h, "metadata", "{}"));
	json_decref(h);

	/* client_name and client_uri are required. */
	IN("{\"client_uri\": \"https://x.example/\"}");
	oerr_clear(&err);
	CHECK(oauthentiq_create(in, &err) == NULL &&
	    named(&err, "client_name"));
	IN("{\"client_name\": \"x\", \"client_uri\": \"\"}");
	oerr_clear(&err);
	CHECK(oauthentiq_create(in, &err) == NULL &&
	    named(&err, "client_uri"));
	IN("{\"client_name\": \"x\", \"client_uri\": \"https://x.example/\","
	    " \"grant_types\": \"nope\"}");
	oerr_clear(&err);
	CHECK(oauthentiq_create(in, &err) == NULL &&
	    named(&err, "grant_types"));
	IN(FULL);
	oerr_clear(&err);
	CHECK(oauthentiq_create(in, &err) == NULL && err.status == 409);

	oerr_clear(&err);
	r = oauthentiq_get("aq1", &err);
	CHECK(r != NULL && json_object_size(r) == 13);
	json_decref(r);
	oerr_clear(&err);
	CHECK(oauthentiq_get("nope", &err) == NULL && err.status == 404);

	/* Update: only what the body sets; Hydra's members kept. */
	rename = J("[{\"op\": \"add\", \"path\": \"/owner\", "
	    "\"value\": \"op\"}]");
	oerr_clear(&err);
	json_decref(ohydra_patch("aq1", rename, &err));
	json_decref(rename);
	IN("{\"client_name\": \"Renamed\", \"owner\": \"ignored\", "
	    "\"client_secret\": \"ignored-secret-16\"}");
	oerr_clear(&err);
	r = oauthentiq_update("aq1", in, &err);
	CHECK(r != NULL && jeq(r, "client_name", "\"Renamed\""));
	CHECK(r != NULL && jeq(r, "tos_uri", "\"https://aq.example/tos\""));
	CHECK(json_object_get(r, "client_secret") == NULL);
	json_decref(r);
	oerr_clear(&err);
	h = ohydra_get("aq1", &err);
	CHECK(h != NULL && jeq(h, "owner", "\"op\""));
	json_decref(h);
	IN("{\"client_id\": \"other\"}");
	oerr_clear(&err);
	CHECK(oauthentiq_update("aq1", in, &err) == NULL &&
	    err.status == 400);
	IN("{\"default_max_age\": \"long\"}");
	oerr_clear(&err);
	CHECK(oauthentiq_update("aq1", in, &err) == NULL &&
	    named(&err, "default_max_age"));
	IN("{}");
	oerr_clear(&err);
	CHECK(oauthentiq_update("nope", in, &err) == NULL &&
	    err.status == 404);

	/* List: every client, Client members only. */
	IN("{\"client_name\": \"Two\", \"client_uri\": "
	    "\"https://two.example/\"}");
	oerr_clear(&err);
	json_decref(oauthentiq_create(in, &err));
	oerr_clear(&err);
	r = oauthentiq_list(&err);
	CHECK(r != NULL && json_array_size(r) == 2);
	CHECK(json_object_get(json_array_get(r, 0), "client_secret") ==
	    NULL);
	CHECK(json_object_get(json_array_get(r, 0), "scope") == NULL);
	json_decref(r);

	oerr_clear(&err);
	CHECK(oauthentiq_delete("aq1", &err));
	CHECK(!oauthentiq_delete("aq1", &err) && err.status == 404);
	oerr_clear(&err);
	r = oauthentiq_list(&err);
	CHECK(r != NULL && json_array_size(r) == 1);
	json_decref(r);

	json_decref(in);
	CHECK(tfix_store_close(&d));
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(map_in),
		T(map_view),
		T(problem),
		T(ops),
	};

	conf.secrets[0] = sys_secret;
	conf.nsecrets = 1;
	conf.body_max = 1 << 20;
	oconf = &conf;
	return t_run(tests, NTESTS);
}
