/*
 * test_authentiq.c: unit tests of lib/protocol/authentiq.c (Authentiq
 * Connect's client management as functions: the Client object's
 * mapping onto client records both ways, RFC 7807 problem details, and
 * the operations, and the Token answer of /token) against a real LMDB
 * store in a fresh directory under $TMPDIR, without a web server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/util.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/users.h"
#include "protocol/authentiq.h"
#include "protocol/clientauth.h"
#include "protocol/grants.h"
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
	CHECK(json_object_size(in) == 14);
	CHECK(jeq(in, "client_id", "\"aq1\""));
	CHECK(jeq(in, "scope", "\"openid\""));
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

/* The scope default_scopes gives, for oauthentiq_input(). */
static int
scope_is(const char *body, const char *want)
{
	json_t	*b = J(body), *in;
	int	 ok;

	in = oauthentiq_input(b);
	ok = want == NULL ? json_object_get(in, "scope") == NULL :
	    jeq(in, "scope", want);
	if (!ok)
		fprintf(stderr, "%s: scope %s\n", body, json_dumps(
		    json_object_get(in, "scope"), JSON_ENCODE_ANY));
	json_decref(in);
	json_decref(b);
	return ok;
}

/* oauthentiq_scopes_ok() on a body: 1 if accepted, else err named. */
static int
scopes_refused(const char *body)
{
	struct oerr	 err;
	json_t		*in = J(body);
	int		 ok;

	oerr_clear(&err);
	ok = !oauthentiq_scopes_ok(in, &err) && err.status == 400 &&
	    named(&err, "default_scopes");
	json_decref(in);
	return ok;
}

/*
 * default_scopes is the client's scope, every scope of the document
 * included; what oclient_build() checks is left to it.
 */
static void
scopes(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	json_t			*in = NULL, *c, *h;
	char			 big[OAUTHENTIQ_SCOPE_MAX + 64];

	CHECK(scope_is("{\"default_scopes\": [\"openid\", \"email\", "
	    "\"aq:name\"]}", "\"openid email aq:name\""));
	CHECK(scope_is("{\"default_scopes\": []}", "null"));
	CHECK(scope_is("{\"default_scopes\": null}", "null"));
	CHECK(scope_is("{\"default_scopes\": \"openid\"}", NULL));
	CHECK(scope_is("{\"default_scopes\": [\"openid\", 1]}", NULL));
	CHECK(scope_is("{\"client_name\": \"x\"}", NULL));

	CHECK(scope_is("{\"default_scopes\": [\"openid\", \"aq:push\", "
	    "\"aq:location\"]}", "\"openid aq:push aq:location\""));
	CHECK(scopes_refused("{\"default_scopes\": [\"\"]}"));
	CHECK(scopes_refused("{\"default_scopes\": [\"a\\\"b\"]}"));
	CHECK(scopes_refused("{\"default_scopes\": [\"caf\\u00e9\"]}"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	in = json_pack("{s:[s]}", "default_scopes", big);
	oerr_clear(&err);
	CHECK(!oauthentiq_scopes_ok(in, &err) &&
	    named(&err, "default_scopes"));
	json_decref(in);
	in = NULL;

	if (!CHECKED(tfix_store_open(&d, "test_authentiq")))
		return;
	/* Create: the Hydra scope follows default_scopes. */
	IN("{\"client_id\": \"s1\", \"client_name\": \"S\", "
	    "\"client_uri\": \"https://s.example/\", \"default_scopes\": "
	    "[\"openid\", \"email\"], \"default_max_age\": 120}");
	oerr_clear(&err);
	c = oauthentiq_create(in, &err);
	CHECK(c != NULL && jeq(c, "default_scopes",
	    "[\"openid\", \"email\"]"));
	CHECK(c != NULL && json_object_get(c, "scope") == NULL);
	json_decref(c);
	oerr_clear(&err);
	h = ohydra_get("s1", &err);
	CHECK(h != NULL && jeq(h, "scope", "\"openid email\""));
	json_decref(h);
	/* Without default_scopes, the default scope. */
	IN("{\"client_id\": \"s2\", \"client_name\": \"S\", "
	    "\"client_uri\": \"https://s.example/\"}");
	oerr_clear(&err);
	json_decref(oauthentiq_create(in, &err));
	h = ohydra_get("s2", &err);
	CHECK(h != NULL && jeq(h, "scope",
	    "\"offline_access offline openid\""));
	json_decref(h);
	/* A bad scope token: nothing stored. */
	IN("{\"client_id\": \"s3\", \"client_name\": \"S\", "
	    "\"client_uri\": \"https://s.example/\", \"default_scopes\": "
	    "[\"openid\", \"a b\"]}");
	oerr_clear(&err);
	CHECK(oauthentiq_create(in, &err) == NULL &&
	    named(&err, "default_scopes"));
	oerr_clear(&err);
	CHECK(oauthentiq_get("s3", &err) == NULL && err.status == 404);
	/* Update: a new list replaces the scope; [] resets it. */
	IN("{\"default_scopes\": [\"openid\", \"phone\", \"aq:name\"]}");
	oerr_clear(&err);
	json_decref(oauthentiq_update("s1", in, &err));
	h = ohydra_get("s1", &err);
	CHECK(h != NULL && jeq(h, "scope", "\"openid phone aq:name\""));
	json_decref(h);
	IN("{\"default_scopes\": [\"\"]}");
	oerr_clear(&err);
	CHECK(oauthentiq_update("s1", in, &err) == NULL &&
	    named(&err, "default_scopes"));
	h = ohydra_get("s1", &err);
	CHECK(h != NULL && jeq(h, "scope", "\"openid phone aq:name\""));
	json_decref(h);
	IN("{\"client_name\": \"Renamed\"}");
	oerr_clear(&err);
	json_decref(oauthentiq_update("s1", in, &err));
	h = ohydra_get("s1", &err);
	CHECK(h != NULL && jeq(h, "scope", "\"openid phone aq:name\""));
	json_decref(h);
	IN("{\"default_scopes\": []}");
	oerr_clear(&err);
	c = oauthentiq_update("s1", in, &err);
	CHECK(c != NULL && jeq(c, "default_scopes", "[]"));
	json_decref(c);
	h = ohydra_get("s1", &err);
	CHECK(h != NULL && jeq(h, "scope",
	    "\"offline_access offline openid\""));
	json_decref(h);
	json_decref(in);
	CHECK(tfix_store_close(&d));
}

/* aq:name releases the name claims, as profile gives them, only. */
static void
aq_name(void)
{
	json_t	*user, *sc, *cl;

	user = J("{\"username\": \"ann\", \"updated_at\": 5, \"claims\": "
	    "{\"name\": \"Ann Lee\", \"given_name\": \"Ann\", "
	    "\"family_name\": \"Lee\", \"middle_name\": \"M\", "
	    "\"nickname\": \"al\", \"email\": \"ann@example.com\"}}");
	sc = J("[\"openid\", \"aq:name\"]");
	cl = ouser_claims(user, sc);
	CHECK(json_object_size(cl) == 4);
	CHECK(jeq(cl, "name", "\"Ann Lee\"") && jeq(cl, "given_name",
	    "\"Ann\"") && jeq(cl, "family_name", "\"Lee\"") &&
	    jeq(cl, "middle_name", "\"M\""));
	json_decref(cl);
	json_decref(sc);
	sc = J("[\"openid\", \"aq:location\", \"aq:push\"]");
	cl = ouser_claims(user, sc);
	CHECK(json_object_size(cl) == 0);
	json_decref(cl);
	json_decref(sc);
	json_decref(user);
}

/*
 * /token: ogrants_token()'s answer plus expires_at, never later than
 * the access token's expiry; its errors unchanged, nothing added.
 */
static void
token(void)
{
	struct tfix_store	 d;
	struct oclientauth_in	 in;
	struct oarena		 a;
	struct oerr		 err;
	json_t			*resp;
	int64_t			 before, after, at;

	if (!CHECKED(tfix_store_keys(&d, "test_authentiq")))
		return;
	oarena_init(&a);
	conf.ttl_access_token = 3600;
	tclient("{\"client_id\":\"aqt\",\"client_secret\":"
	    "\"aq-token-secret-0123456789\","
	    "\"token_endpoint_auth_method\":\"client_secret_post\","
	    "\"grant_types\":[\"client_credentials\"],"
	    "\"scope\":\"read\"}");
	memset(&in, 0, sizeof(in));
	in.p = &tform;
	tform_set("grant_type", "client_credentials", "scope", "read",
	    "client_id", "aqt", "client_secret", "aq-token-secret-0123456789",
	    NULL);
	oerr_clear(&err);
	before = onow();
	resp = oauthentiq_token(&a, &in, &err);
	after = onow();
	CHECK(resp != NULL);
	if (resp != NULL) {
		CHECK(jeq(resp, "expires_in", "3600"));
		CHECK(json_is_integer(json_object_get(resp, "expires_at")));
		at = json_integer_value(json_object_get(resp, "expires_at"));
		CHECK(at >= before + 3600 && at <= after + 3600);
		CHECK(jeq(resp, "token_type", "\"bearer\""));
		CHECK(jeq(resp, "scope", "\"read\""));
		CHECK(json_object_size(resp) == 5);
	}
	ogrants_response_free(resp);

	/* A wrong secret: ogrants_token()'s 401, nothing answered. */
	tform_set("grant_type", "client_credentials", "client_id", "aqt",
	    "client_secret", "wrong-secret-0123456789", NULL);
	oerr_clear(&err);
	CHECK(oauthentiq_token(&a, &in, &err) == NULL);
	CHECK(err.code == OERR_INVALID_CLIENT && err.status == 401);
	/* A grant type not served: unsupported_grant_type, a 400. */
	tform_set("grant_type", "password", "client_id", "aqt",
	    "client_secret", "aq-token-secret-0123456789", NULL);
	oerr_clear(&err);
	CHECK(oauthentiq_token(&a, &in, &err) == NULL);
	CHECK(err.code == OERR_UNSUPPORTED_GRANT_TYPE && err.status == 400);
	oarena_free(&a);
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
		T(scopes),
		T(aq_name),
		T(token),
	};

	conf.secrets[0] = sys_secret;
	conf.nsecrets = 1;
	conf.body_max = 1 << 20;
	oconf = &conf;
	return t_run(tests, NTESTS);
}
