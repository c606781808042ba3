/*
 * test_hydra.c: unit tests of lib/protocol/hydra.c (Ory Hydra's client
 * API as functions: create with defaults, PUT keeping the secret, RFC
 * 6902 PATCH, paging and filters, lifespans, errors naming the field)
 * against a real LMDB store in a fresh directory under $TMPDIR,
 * without a web server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "store/store.h"
#include "records/clients.h"
#include "protocol/hydra.h"
#include "t.h"
#include "tfix.h"

static char		 sys_secret[] = "0123456789abcdef0123456789abcdef";
static struct oconf	 conf;

/* ohydra_create() from JSON text; fatal when it fails. */
static json_t *
create(const char *in)
{
	struct oerr	 err;
	json_t		*j = J(in), *out;

	oerr_clear(&err);
	if ((out = ohydra_create(j, &err)) == NULL) {
		fprintf(stderr, "%s: %s\n", in, err.description);
		abort();
	}
	json_decref(j);
	return out;
}

/* An operation's input from JSON text. */
#define IN(s)	(json_decref(in), in = J(s))

/* POST: defaults apply, a secret is generated once, ids are unique. */
static void
create_defaults(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	json_t			*c, *got, *in = NULL;
	const char		*secret;

	if (!CHECKED(tfix_store_open(&d, "test_hydra")))
		return;
	c = create("{\"redirect_uris\": [\"https://a.example/cb\"]}");
	CHECK(sget(c, "client_id") != NULL &&
	    strlen(sget(c, "client_id")) == 36);
	CHECK(jeq(c, "grant_types", "[\"authorization_code\"]"));
	CHECK(jeq(c, "response_types", "[\"code\"]"));
	CHECK(jeq(c, "token_endpoint_auth_method", "\"client_secret_basic\""));
	CHECK(jeq(c, "scope", "\"offline_access offline openid\""));
	CHECK(jeq(c, "subject_type", "\"public\""));
	CHECK(jeq(c, "authorization_code_grant_access_token_lifespan",
	    "null"));
	secret = sget(c, "client_secret");
	CHECK(secret != NULL && strlen(secret) >= 43);
	CHECK(json_object_get(c, "_secret") == NULL);
	CHECK(json_object_get(c, "application_type") == NULL);

	oerr_clear(&err);
	got = ohydra_get(sget(c, "client_id"), &err);
	CHECK(got != NULL);
	CHECK(json_object_get(got, "client_secret") == NULL);
	CHECK(jeq(got, "redirect_uris", "[\"https://a.example/cb\"]"));
	json_decref(got);

	/* A chosen id and secret; the same id again is a conflict. */
	json_decref(c);
	c = create("{\"client_id\": \"mine\", \"client_secret\": "
	    "\"chosen-secret-16-x\", \"client_name\": \"Mine\"}");
	CHECK_STR(sget(c, "client_id"), "mine");
	CHECK_STR(sget(c, "client_secret"), "chosen-secret-16-x");
	IN("{\"client_id\": \"mine\"}");
	oerr_clear(&err);
	CHECK(ohydra_create(in, &err) == NULL && err.status == 409);

	/* Bad input names the field; nothing is stored. */
	IN("{\"client_id\": \"bad\", \"grant_types\": \"implicit\"}");
	oerr_clear(&err);
	CHECK(ohydra_create(in, &err) == NULL && named(&err, "grant_types"));
	IN("{\"client_id\": \"bad\", \"client_secret\": \"short\"}");
	oerr_clear(&err);
	CHECK(ohydra_create(in, &err) == NULL &&
	    named(&err, "client_secret"));
	oerr_clear(&err);
	CHECK(ohydra_get("bad", &err) == NULL && err.status == 404);

	json_decref(in);
	json_decref(c);
	CHECK(tfix_store_close(&d));
}

/* PUT replaces (absent members take defaults) and keeps the secret. */
static void
replace_keeps_secret(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	json_t			*c, *r, *in = NULL;
	char			 secret[OCLIENT_SECRET_MAX + 1];
	const char		*id;

	if (!CHECKED(tfix_store_open(&d, "test_hydra")))
		return;
	c = create("{\"client_id\": \"p1\", \"client_name\": \"before\", "
	    "\"contacts\": [\"a@x.example\"], \"scope\": \"openid\"}");
	snprintf(secret, sizeof(secret), "%s", sget(c, "client_secret"));
	id = "p1";

	IN("{\"client_name\": \"after\"}");
	oerr_clear(&err);
	r = ohydra_replace(id, in, &err);
	CHECK(r != NULL);
	CHECK(jeq(r, "client_name", "\"after\""));
	CHECK(jeq(r, "contacts", "[]"));
	CHECK(jeq(r, "scope", "\"offline_access offline openid\""));
	CHECK(json_object_get(r, "client_secret") == NULL);
	json_decref(r);

	/* The secret is still the first one: the record says so. */
	{
		struct ostore_txn	*t;
		json_t			*rec;
		struct oclient		*dc;

		CHECK((t = ostore_read_begin(&err)) != NULL);
		rec = oclient_load(t, id, &err);
		ostore_read_end(t);
		dc = rec != NULL ? oclient_decode(rec, &err) : NULL;
		CHECK(dc != NULL && oclient_secret_ok(dc, secret));
		oclient_release(dc);
		json_decref(rec);
	}

	/* A new secret given is returned once. */
	IN("{\"client_secret\": \"replaced-secret-16\"}");
	oerr_clear(&err);
	r = ohydra_replace(id, in, &err);
	CHECK(r != NULL && jeq(r, "client_secret", "\"replaced-secret-16\""));
	json_decref(r);

	/* Another client_id, an unknown client, bad input. */
	IN("{\"client_id\": \"other\"}");
	oerr_clear(&err);
	CHECK(ohydra_replace(id, in, &err) == NULL && err.status == 400);
	IN("{}");
	oerr_clear(&err);
	CHECK(ohydra_replace("nope", in, &err) == NULL && err.status == 404);
	IN("{\"redirect_uris\": [\"not a uri\"]}");
	oerr_clear(&err);
	CHECK(ohydra_replace(id, in, &err) == NULL &&
	    named(&err, "redirect_uris"));

	/* merge (the CLI's update): only what is given changes. */
	IN("{\"scope\": \"openid\"}");
	oerr_clear(&err);
	json_decref(c);
	c = ohydra_replace(id, in, &err);
	CHECK(c != NULL && jeq(c, "scope", "\"openid\""));
	IN("{\"client_name\": \"merged\"}");
	r = ohydra_merge(id, in, &err);
	CHECK(r != NULL && jeq(r, "client_name", "\"merged\"") &&
	    jeq(r, "scope", "\"openid\""));
	CHECK(json_object_get(r, "client_secret") == NULL);
	json_decref(r);

	json_decref(in);
	json_decref(c);
	CHECK(tfix_store_close(&d));
}

/* PATCH: add, replace, remove; client_id untouchable; all or nothing. */
static void
patch(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	json_t			*c, *r, *in = NULL;

	if (!CHECKED(tfix_store_open(&d, "test_hydra")))
		return;
	c = create("{\"client_id\": \"p1\", \"client_name\": \"before\", "
	    "\"contacts\": [\"a@x.example\"], \"client_uri\": "
	    "\"https://a.example/\"}");

	IN("[{\"op\": \"replace\", \"path\": \"/client_name\", "
	    "\"value\": \"patched\"},"
	    "{\"op\": \"add\", \"path\": \"/contacts/-\", "
	    "\"value\": \"b@x.example\"},"
	    "{\"op\": \"add\", \"path\": \"/metadata/k\", \"value\": 1},"
	    "{\"op\": \"remove\", \"path\": \"/client_uri\"}]");
	oerr_clear(&err);
	r = ohydra_patch("p1", in, &err);
	CHECK(r != NULL);
	CHECK(jeq(r, "client_name", "\"patched\""));
	CHECK(jeq(r, "contacts", "[\"a@x.example\", \"b@x.example\"]"));
	CHECK(jeq(r, "metadata", "{\"k\": 1}"));
	CHECK(jeq(r, "client_uri", "\"\""));
	CHECK(json_object_get(r, "client_secret") == NULL);
	json_decref(r);

	/* Adding /client_secret sets a new one, returned once. */
	IN("[{\"op\": \"add\", \"path\": \"/client_secret\", "
	    "\"value\": \"patched-secret-16\"}]");
	oerr_clear(&err);
	r = ohydra_patch("p1", in, &err);
	CHECK(r != NULL && jeq(r, "client_secret", "\"patched-secret-16\""));
	json_decref(r);

	/* client_id: neither replaced nor removed. */
	IN("[{\"op\": \"replace\", \"path\": \"/client_id\", "
	    "\"value\": \"x\"}]");
	oerr_clear(&err);
	CHECK(ohydra_patch("p1", in, &err) == NULL &&
	    named(&err, "client_id"));
	IN("[{\"op\": \"remove\", \"path\": \"/client_id\"}]");
	oerr_clear(&err);
	CHECK(ohydra_patch("p1", in, &err) == NULL &&
	    named(&err, "client_id"));

	/* A failing operation changes nothing, earlier ones included. */
	IN("[{\"op\": \"replace\", \"path\": \"/client_name\", "
	    "\"value\": \"lost\"},"
	    "{\"op\": \"replace\", \"path\": \"/nope/x\", \"value\": 1}]");
	oerr_clear(&err);
	CHECK(ohydra_patch("p1", in, &err) == NULL && err.status == 400);
	IN("[{\"op\": \"replace\", \"path\": \"/redirect_uris\", "
	    "\"value\": \"not-an-array\"}]");
	oerr_clear(&err);
	CHECK(ohydra_patch("p1", in, &err) == NULL &&
	    named(&err, "redirect_uris"));
	IN("{\"op\": \"replace\"}");
	oerr_clear(&err);
	CHECK(ohydra_patch("p1", in, &err) == NULL && err.status == 400);
	oerr_clear(&err);
	r = ohydra_get("p1", &err);
	CHECK(r != NULL && jeq(r, "client_name", "\"patched\""));
	json_decref(r);

	/* An unknown client. */
	IN("[]");
	oerr_clear(&err);
	CHECK(ohydra_patch("nope", in, &err) == NULL && err.status == 404);

	json_decref(in);
	json_decref(c);
	CHECK(tfix_store_close(&d));
}

/* 1 if the array a holds the client_ids of the text want, in order. */
static int
ids(const json_t *a, const char *want)
{
	json_t	*got = json_object(), *arr = json_array(), *e;
	size_t	 i;
	int	 eq;

	json_array_foreach(a, i, e)
		json_array_append(arr, json_object_get(e, "client_id"));
	json_object_set_new(got, "client_ids", arr);
	eq = jeq(got, "client_ids", want);
	json_decref(got);
	return eq;
}

/* GET /clients: offset, limit, total, and the two filters. */
static void
list(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	struct ohydra_filter	 f;
	json_t			*l;
	size_t			 total = 0;

	if (!CHECKED(tfix_store_open(&d, "test_hydra")))
		return;
	json_decref(create("{\"client_id\": \"c1\", \"client_name\": \"a\", "
	    "\"owner\": \"o1\"}"));
	json_decref(create("{\"client_id\": \"c2\", \"client_name\": \"b\", "
	    "\"owner\": \"o1\"}"));
	json_decref(create("{\"client_id\": \"c3\", \"client_name\": \"a\", "
	    "\"owner\": \"o2\"}"));
	json_decref(create("{\"client_id\": \"c4\", \"client_name\": \"a\"}"));

	oerr_clear(&err);
	l = ohydra_list(NULL, 0, 100, &total, &err);
	CHECK(l != NULL && total == 4 &&
	    ids(l, "[\"c1\", \"c2\", \"c3\", \"c4\"]"));
	CHECK(json_object_get(json_array_get(l, 0), "client_secret") == NULL);
	CHECK(json_object_get(json_array_get(l, 0), "_secret") == NULL);
	json_decref(l);
	l = ohydra_list(NULL, 1, 2, &total, &err);
	CHECK(l != NULL && total == 4 && ids(l, "[\"c2\", \"c3\"]"));
	json_decref(l);
	l = ohydra_list(NULL, 10, 2, NULL, &err);
	CHECK(l != NULL && ids(l, "[]"));
	json_decref(l);

	memset(&f, 0, sizeof(f));
	f.client_name = "a";
	l = ohydra_list(&f, 0, 100, &total, &err);
	CHECK(l != NULL && total == 3 && ids(l, "[\"c1\", \"c3\", \"c4\"]"));
	json_decref(l);
	f.owner = "o2";
	l = ohydra_list(&f, 0, 100, &total, &err);
	CHECK(l != NULL && total == 1 && ids(l, "[\"c3\"]"));
	json_decref(l);
	f.client_name = NULL;
	f.owner = "o1";
	l = ohydra_list(&f, 1, 1, &total, &err);
	CHECK(l != NULL && total == 2 && ids(l, "[\"c2\"]"));
	json_decref(l);
	f.owner = "none";
	l = ohydra_list(&f, 0, 100, &total, &err);
	CHECK(l != NULL && total == 0 && ids(l, "[]"));
	json_decref(l);
	CHECK(!oerr_isset(&err));

	CHECK(tfix_store_close(&d));
}

/* PUT /clients/{id}/lifespans: set, cleared when absent, refused. */
static void
lifespans(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	json_t			*c, *r, *in = NULL;

	if (!CHECKED(tfix_store_open(&d, "test_hydra")))
		return;
	c = create("{\"client_id\": \"l1\", \"client_name\": \"kept\"}");

	IN("{\"authorization_code_grant_access_token_lifespan\": \"1h\","
	    "\"refresh_token_grant_refresh_token_lifespan\": \"720h\"}");
	oerr_clear(&err);
	r = ohydra_lifespans("l1", in, &err);
	CHECK(r != NULL);
	CHECK(jeq(r, "authorization_code_grant_access_token_lifespan",
	    "\"1h0m0s\""));
	CHECK(jeq(r, "refresh_token_grant_refresh_token_lifespan",
	    "\"720h0m0s\""));
	CHECK(jeq(r, "implicit_grant_access_token_lifespan", "null"));
	CHECK(jeq(r, "client_name", "\"kept\""));
	CHECK(json_object_get(r, "client_secret") == NULL);
	json_decref(r);

	/* Absent ones are cleared; null clears too. */
	IN("{\"implicit_grant_id_token_lifespan\": \"90s\","
	    "\"jwt_bearer_grant_access_token_lifespan\": null}");
	oerr_clear(&err);
	r = ohydra_lifespans("l1", in, &err);
	CHECK(r != NULL);
	CHECK(jeq(r, "implicit_grant_id_token_lifespan", "\"1m30s\""));
	CHECK(jeq(r, "authorization_code_grant_access_token_lifespan",
	    "null"));
	CHECK(jeq(r, "refresh_token_grant_refresh_token_lifespan", "null"));
	CHECK(jeq(r, "jwt_bearer_grant_access_token_lifespan", "null"));
	json_decref(r);
	IN("{}");
	oerr_clear(&err);
	r = ohydra_lifespans("l1", in, &err);
	CHECK(r != NULL && jeq(r, "implicit_grant_id_token_lifespan",
	    "null"));
	json_decref(r);

	/* Not a lifespan; not a duration; not an object; no client. */
	IN("{\"client_name\": \"x\"}");
	oerr_clear(&err);
	CHECK(ohydra_lifespans("l1", in, &err) == NULL &&
	    named(&err, "client_name"));
	IN("{\"implicit_grant_id_token_lifespan\": \"soon\"}");
	oerr_clear(&err);
	CHECK(ohydra_lifespans("l1", in, &err) == NULL &&
	    named(&err, "implicit_grant_id_token_lifespan"));
	IN("{\"implicit_grant_id_token_lifespan\": 5}");
	oerr_clear(&err);
	CHECK(ohydra_lifespans("l1", in, &err) == NULL &&
	    named(&err, "implicit_grant_id_token_lifespan"));
	IN("[]");
	oerr_clear(&err);
	CHECK(ohydra_lifespans("l1", in, &err) == NULL && err.status == 400);
	IN("{}");
	oerr_clear(&err);
	CHECK(ohydra_lifespans("nope", in, &err) == NULL &&
	    err.status == 404);

	json_decref(in);
	json_decref(c);
	CHECK(tfix_store_close(&d));
}

/* DELETE: gone, and a second time a 404. */
static void
delete(void)
{
	struct tfix_store	 d;
	struct oerr		 err;

	if (!CHECKED(tfix_store_open(&d, "test_hydra")))
		return;
	json_decref(create("{\"client_id\": \"d1\"}"));
	oerr_clear(&err);
	CHECK(ohydra_delete("d1", &err));
	CHECK(ohydra_get("d1", &err) == NULL && err.status == 404);
	oerr_clear(&err);
	CHECK(!ohydra_delete("d1", &err) && err.status == 404);
	/* The id is free again. */
	json_decref(create("{\"client_id\": \"d1\"}"));
	CHECK(tfix_store_close(&d));
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(create_defaults),
		T(replace_keeps_secret),
		T(patch),
		T(list),
		T(lifespans),
		T(delete),
	};

	conf.secrets[0] = sys_secret;
	conf.nsecrets = 1;
	conf.body_max = 1 << 20;
	oconf = &conf;
	return t_run(tests, NTESTS);
}
