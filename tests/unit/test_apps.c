/*
 * test_apps.c: unit tests of lib/protocol/apps.c (the applications
 * dialect: its field mapping both ways, refusing bad input with the
 * field named, and its operations on applications and their clients,
 * the cascade on delete included) and lib/records/apps.c (the
 * application records, their bytes on disk), against a real LMDB store
 * in a fresh directory under $TMPDIR, without a web server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "store/store.h"
#include "records/apps.h"
#include "records/clients.h"
#include "protocol/apps.h"
#include "t.h"
#include "tfix.h"

static char		 sys_secret[] = "0123456789abcdef0123456789abcdef";
static struct oconf	 conf;

/* oapps_client_in() from JSON text; err is cleared first. */
static json_t *
cin(const char *c, const char *top, const json_t *old, unsigned flags,
    struct oerr *err)
{
	json_t	*jc = J(c), *jt = top != NULL ? J(top) : NULL, *in;

	oerr_clear(err);
	in = oapps_client_in(jc, jt, old, flags, "default name", err);
	json_decref(jc);
	json_decref(jt);
	return in;
}

/* A client record built from the mapping of c (an API client). */
static json_t *
record(const char *c)
{
	struct oerr	 err;
	json_t		*in, *rec;
	char		 secret[OCLIENT_SECRET_MAX + 1];

	if ((in = cin(c, NULL, NULL, OAPPS_CREATE, &err)) == NULL) {
		fprintf(stderr, "%s: %s\n", c, err.description);
		abort();
	}
	json_object_set_new(in, "client_id", json_string("c1"));
	json_object_set_new(in, "app_id", json_string("a1"));
	if ((rec = oclient_build(in, NULL, 0, secret, &err)) == NULL) {
		fprintf(stderr, "%s: %s\n", c, err.description);
		abort();
	}
	json_decref(in);
	return rec;
}

/* The API's client members map onto Hydra's, with the types' rules. */
static void
map_in(void)
{
	struct oerr	 err;
	json_t		*in;

	in = cin("{\"name\":\"web\",\"description\":\"d\","
	    "\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"resources\":[\"https://api.example\"],"
	    "\"token_expiration\":{\"access_token_ttl\":600,"
	    "\"refresh_token_ttl\":0,\"max_refresh_rotate\":0},"
	    "\"session_expiration\":0,\"enforce_par\":false,"
	    "\"supported_prompts\":[\"none\",\"login\",\"consent\","
	    "\"select_account\"],"
	    "\"device_authorization\":{\"enabled\":false}}", NULL, NULL,
	    OAPPS_CREATE, &err);
	CHECK(in != NULL);
	CHECK(jeq(in, "client_name", "\"web\""));
	CHECK(jeq(in, "description", "\"d\""));
	CHECK(jeq(in, "audience", "[\"https://api.example\"]"));
	CHECK(jeq(in, "redirect_uris", "[\"https://a.example/cb\"]"));
	CHECK(jeq(in, "application_type", "\"web\""));
	CHECK(jeq(in, "response_types", "[\"code\"]"));
	CHECK(jeq(in, "grant_types",
	    "[\"authorization_code\",\"refresh_token\"]"));
	CHECK(jeq(in, "authorization_code_grant_access_token_lifespan",
	    "\"600s\""));
	CHECK(jeq(in, "refresh_token_grant_access_token_lifespan",
	    "\"600s\""));
	CHECK(jeq(in, "refresh_token_grant_refresh_token_lifespan", "null"));
	CHECK(jeq(in, "max_refresh_rotate", "0"));
	CHECK(jeq(in, "session_expiration", "0"));
	CHECK(jeq(in, "require_pushed_authorization_requests", "false"));
	CHECK(jeq(in, "device_authorization", "false"));
	CHECK(json_object_get(in, "token_endpoint_auth_method") == NULL);
	json_decref(in);

	/* A spa is public with PKCE; a machine has client credentials. */
	in = cin("{\"client_type\":\"spa\"}", NULL, NULL, OAPPS_CREATE, &err);
	CHECK(in != NULL);
	CHECK(jeq(in, "client_name", "\"default name\""));
	CHECK(jeq(in, "token_endpoint_auth_method", "\"none\""));
	CHECK(jeq(in, "require_pkce", "true"));
	json_decref(in);
	in = cin("{\"client_type\":\"machine\"}", NULL, NULL, OAPPS_CREATE,
	    &err);
	CHECK(in != NULL);
	CHECK(jeq(in, "grant_types", "[\"client_credentials\"]"));
	CHECK(jeq(in, "response_types", "[]"));
	json_decref(in);
	in = cin("{\"response_types\":[\"code id_token\"],"
	    "\"pkce\":\"enforcePkceWithClientCredentials\"}", NULL, NULL,
	    OAPPS_CREATE, &err);
	CHECK(in != NULL);
	CHECK(jeq(in, "grant_types", "[\"authorization_code\",\"implicit\","
	    "\"refresh_token\"]"));
	CHECK(jeq(in, "token_endpoint_auth_method",
	    "\"client_secret_basic\""));
	CHECK(jeq(in, "require_pkce", "true"));
	json_decref(in);

	/* The application body's deprecated members stand in. */
	in = cin("{\"description\":\"mine\"}", "{\"client_display_name\":"
	    "\"top\",\"client_description\":\"theirs\","
	    "\"client_auth_method\":\"client_secret_post\"}", NULL,
	    OAPPS_CREATE, &err);
	CHECK(in != NULL);
	CHECK(jeq(in, "client_name", "\"top\""));
	CHECK(jeq(in, "description", "\"mine\""));
	CHECK(jeq(in, "token_endpoint_auth_method",
	    "\"client_secret_post\""));
	json_decref(in);
}

/* Bad input is refused with a 400 naming the field as it was sent. */
static void
map_in_bad(void)
{
	struct oerr	 err;
	json_t		*in;

	CHECK(cin("{\"client_type\":\"tv\"}", NULL, NULL, OAPPS_CREATE,
	    &err) == NULL && named(&err, "client_type"));
	CHECK(cin("{}", "{\"client_type\":\"tv\"}", NULL, OAPPS_CREATE,
	    &err) == NULL && named(&err, "client_type"));
	CHECK(cin("{\"pkce\":\"sometimes\"}", NULL, NULL, OAPPS_CREATE,
	    &err) == NULL && named(&err, "pkce"));
	CHECK(cin("{\"client_type\":\"machine\",\"response_types\":"
	    "[\"code\"]}", NULL, NULL, OAPPS_CREATE, &err) == NULL &&
	    named(&err, "response_types"));
	CHECK(cin("{\"response_types\":[]}", NULL, NULL, OAPPS_CREATE,
	    &err) == NULL && named(&err, "response_types"));
	CHECK(cin("{\"pkce\":\"enforcePkceInsteadOfClientCredentials\","
	    "\"token_endpoint_auth_method\":\"client_secret_basic\"}", NULL,
	    NULL, OAPPS_CREATE, &err) == NULL &&
	    named(&err, "token_endpoint_auth_method"));
	CHECK(cin("{\"client_type\":\"spa\",\"token_endpoint_auth_method\":"
	    "\"client_secret_basic\"}", NULL, NULL, OAPPS_CREATE,
	    &err) == NULL && named(&err, "client_type"));
	CHECK(cin("{\"redirect_uris\":[\"https://a.example/cb\"]}", NULL,
	    NULL, OAPPS_CREATE | OAPPS_NAME, &err) == NULL &&
	    named(&err, "name"));
	CHECK(cin("{\"name\":\"n\"}", NULL, NULL, OAPPS_CREATE | OAPPS_NAME |
	    OAPPS_REDIRECTS, &err) == NULL && named(&err, "redirect_uris"));
	CHECK(cin("{\"token_expiration\":{\"access_token_ttl\":-1}}", NULL,
	    NULL, OAPPS_CREATE, &err) == NULL &&
	    named(&err, "access_token_ttl"));
	CHECK(cin("{\"resources\":\"https://api.example\"}", NULL, NULL,
	    OAPPS_CREATE, &err) == NULL && named(&err, "resources"));

	/* Settings not built yet: only their off value is taken. */
	/* enforce_par is the client's require_pushed_authorization_... */
	CHECK((in = cin("{\"enforce_par\":true}", NULL, NULL, OAPPS_CREATE,
	    &err)) != NULL && jeq(in, "require_pushed_authorization_requests",
	    "true"));
	json_decref(in);
	CHECK(cin("{\"enforce_par\":\"yes\"}", NULL, NULL, OAPPS_CREATE,
	    &err) == NULL && named(&err, "enforce_par"));
	/* The device grant (RFC 8628) is switched per client. */
	in = cin("{\"device_authorization\":{\"enabled\":true}}", NULL,
	    NULL, OAPPS_CREATE, &err);
	CHECK(in != NULL && jeq(in, "device_authorization", "true") &&
	    jeq(in, "grant_types", "[\"authorization_code\","
	    "\"refresh_token\","
	    "\"urn:ietf:params:oauth:grant-type:device_code\"]"));
	json_decref(in);
	CHECK(cin("{\"device_authorization\":{\"enabled\":1}}", NULL,
	    NULL, OAPPS_CREATE, &err) == NULL && named(&err, "enabled"));
	CHECK(cin("{\"supported_prompts\":[\"login\"]}", NULL, NULL,
	    OAPPS_CREATE, &err) == NULL && named(&err, "supported_prompts"));
	CHECK(cin("{\"supported_prompts\":[\"login\",\"consent\","
	    "\"none\",\"select_account\",\"create\"]}", NULL, NULL,
	    OAPPS_CREATE, &err) == NULL && named(&err, "supported_prompts"));
	json_decref(in = cin("{\"supported_prompts\":[]}", NULL, NULL,
	    OAPPS_CREATE, &err));
	CHECK(in != NULL);
	CHECK(cin("{\"session_expiration\":3600}", NULL, NULL, OAPPS_CREATE,
	    &err) == NULL && named(&err, "session_expiration"));
	/* Members of the document oidcgi cannot honour: off values only. */
	CHECK(cin("{\"role_ids\":[\"r\"]}", NULL, NULL, OAPPS_CREATE,
	    &err) == NULL && named(&err, "role_ids"));
	CHECK(cin("{\"role_ids\":\"r\"}", NULL, NULL, OAPPS_CREATE,
	    &err) == NULL && named(&err, "role_ids"));
	CHECK(cin("{\"default_custom_claims\":[\"tid\"]}", NULL, NULL,
	    OAPPS_CREATE, &err) == NULL &&
	    named(&err, "default_custom_claims"));
	CHECK(cin("{\"client_group_id\":\"g\"}", NULL, NULL, OAPPS_CREATE,
	    &err) == NULL && named(&err, "client_group_id"));
	CHECK(cin("{\"authentication_protocol\":\"saml\"}", NULL, NULL,
	    OAPPS_CREATE, &err) == NULL &&
	    named(&err, "authentication_protocol"));
	CHECK(cin("{\"fapi_version_compliancy\":true}", NULL, NULL,
	    OAPPS_CREATE, &err) == NULL &&
	    named(&err, "fapi_version_compliancy"));
	CHECK(cin("{\"ciba\":{\"enabled\":true}}", NULL, NULL, OAPPS_CREATE,
	    &err) == NULL && named(&err, "ciba") && named(&err, "enabled"));
	CHECK(cin("{\"ciba\":[]}", NULL, NULL, OAPPS_CREATE,
	    &err) == NULL && named(&err, "ciba"));
	CHECK(cin("{\"authentication_configuration\":{}}", NULL, NULL,
	    OAPPS_CREATE, &err) == NULL &&
	    named(&err, "authentication_configuration"));
	CHECK(cin("{\"tenant_id\":\"t\"}", NULL, NULL, OAPPS_CREATE,
	    &err) == NULL && named(&err, "tenant_id"));
	json_decref(in = cin("{\"role_ids\":[],\"default_custom_claims\":[],"
	    "\"client_group_id\":null,\"authentication_protocol\":\"oidc\","
	    "\"fapi_version_compliancy\":false,\"ciba\":{\"enabled\":false},"
	    "\"authentication_configuration\":null,\"tenant_id\":null}", NULL,
	    NULL, OAPPS_CREATE, &err));
	CHECK(in != NULL);

	CHECK(cin("{\"token_expiration\":{\"max_refresh_rotate\":3}}", NULL,
	    NULL, OAPPS_CREATE, &err) == NULL &&
	    named(&err, "max_refresh_rotate") &&
	    named(&err, "token_expiration"));
}

/* Records read back in the API's shapes, internal members never. */
static void
map_view(void)
{
	struct oapp	 app;
	json_t		*rec, *v;

	rec = record("{\"name\":\"n\",\"client_type\":\"spa\","
	    "\"resources\":[\"https://api.example\"],"
	    "\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"token_expiration\":{\"access_token_ttl\":600}}");
	v = oapps_client_view(rec, NULL);
	CHECK(jeq(v, "client_id", "\"c1\""));
	CHECK(jeq(v, "app_id", "\"a1\""));
	CHECK(jeq(v, "name", "\"n\""));
	CHECK(jeq(v, "resources", "[\"https://api.example\"]"));
	CHECK(jeq(v, "client_type", "\"spa\""));
	CHECK(jeq(v, "pkce", "\"enforcePkceInsteadOfClientCredentials\""));
	CHECK(jeq(v, "token_endpoint_auth_method", "\"none\""));
	CHECK(jeq(v, "authentication_protocol", "\"oidc\""));
	CHECK(jeq(v, "token_expiration", "{\"access_token_ttl\":600,"
	    "\"refresh_token_ttl\":0,\"max_refresh_rotate\":0}"));
	CHECK(jeq(v, "device_authorization", "{\"enabled\":false}"));
	CHECK(json_object_get(v, "client_secret") == NULL);
	CHECK(json_object_get(v, "_secret") == NULL);
	CHECK(json_object_get(v, "_v") == NULL);
	CHECK(json_object_get(v, "client_name") == NULL);
	CHECK(jeq(v, "tenant_id", "null"));
	CHECK(jeq(v, "client_group_id", "null"));
	CHECK(jeq(v, "default_custom_claims", "[]"));
	CHECK(jeq(v, "fapi_version_compliancy", "false"));
	CHECK(jeq(v, "enforce_par", "false"));
	CHECK(jeq(v, "session_expiration", "0"));
	json_decref(v);
	v = oapps_client_view(rec, "s3cret");
	CHECK(jeq(v, "client_secret", "\"s3cret\""));
	json_decref(v);

	memset(&app, 0, sizeof(app));
	oapp_set(&app.id, "a1");
	oapp_set(&app.name, "the app");
	oapp_set(&app.logo, "");
	v = oapps_app_view(&app, rec, "s3cret");
	CHECK(jeq(v, "app_id", "\"a1\""));
	CHECK(jeq(v, "app_name", "\"the app\""));
	CHECK(jeq(v, "app_description", "null"));
	CHECK(jeq(v, "logo", "\"\""));
	CHECK(jeq(v, "client_id", "\"c1\""));
	CHECK(jeq(v, "client_display_name", "\"n\""));
	CHECK(jeq(v, "client_auth_method", "\"none\""));
	CHECK(jeq(v, "client_type", "\"spa\""));
	CHECK(jeq(v, "client_secret", "\"s3cret\""));
	CHECK(jeq(v, "tenant_id", "null"));
	CHECK(jeq(v, "service_providers", "[]"));
	CHECK(jeq(v, "authenticator_preferences",
	    "{\"is_centralized\":false}"));
	CHECK(jeq(v, "allow_public_signup", "false"));
	json_decref(v);
	v = oapps_app_view(&app, NULL, NULL);
	CHECK(jeq(v, "client_id", "null"));
	CHECK(json_object_get(v, "client_type") == NULL);
	json_decref(v);
	oapp_clear(&app);
	CHECK(app.id == NULL && app.name == NULL);
	json_decref(rec);
}

/* An operation's body from JSON text. */
#define BODY(s)	(json_decref(body), body = J(s))

/* Create, read, update an application and its clients. */
static void
ops_crud(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	char			 id[OAPP_ID_MAX + 1];
	char			 cid[OCLIENT_ID_MAX + 1];
	char			 def[OCLIENT_ID_MAX + 1];
	json_t			*body = NULL, *out, *r;

	if (!CHECKED(tfix_store_open(&d, "test_apps")))
		return;
	oerr_clear(&err);
	BODY("{\"app_name\":\"shop\",\"first_client\":{\"client_type\":"
	    "\"web\",\"redirect_uris\":[\"https://shop.example/cb\"]}}");
	out = oapps_create(body, id, &err);
	CHECK(out != NULL);
	if (out == NULL)
		goto out;
	r = json_object_get(out, "result");
	CHECK(strlen(id) == OAPP_ID_LEN);
	CHECK_STR(sget(r, "app_id"), id);
	CHECK(jeq(r, "app_name", "\"shop\""));
	CHECK(jeq(r, "app_description", "\"\""));
	CHECK(jeq(r, "client_display_name", "\"shop\""));
	CHECK(jeq(r, "client_auth_method", "\"client_secret_basic\""));
	CHECK(sget(r, "client_secret") != NULL);
	snprintf(def, sizeof(def), "%s", sget(r, "client_id"));
	json_decref(out);

	/* The same, read back: no secret. */
	out = oapps_get(id, &err);
	CHECK(out != NULL);
	r = json_object_get(out, "result");
	CHECK_STR(sget(r, "client_id"), def);
	CHECK(json_object_get(r, "client_secret") == NULL);
	json_decref(out);

	/* An update of the app and, through the old members, its client. */
	BODY("{\"app_description\":\"sells\",\"client_display_name\":"
	    "\"shop web\",\"resources\":[\"https://api.shop.example\"]}");
	out = oapps_update(id, body, &err);
	CHECK(out != NULL);
	r = json_object_get(out, "result");
	CHECK(jeq(r, "app_name", "\"shop\""));
	CHECK(jeq(r, "app_description", "\"sells\""));
	CHECK(jeq(r, "client_display_name", "\"shop web\""));
	CHECK(jeq(r, "resources", "[\"https://api.shop.example\"]"));
	json_decref(out);

	/* A second client, public. */
	BODY("{\"name\":\"spa\",\"client_type\":\"spa\","
	    "\"redirect_uris\":[\"https://shop.example/spa\"]}");
	/* Every answer, the clients' too, is {"result": ...}. */
	out = oapps_client_add(id, body, cid, &err);
	CHECK(out != NULL && json_object_size(out) == 1);
	r = json_object_get(out, "result");
	CHECK_STR(sget(r, "client_id"), cid);
	CHECK_STR(sget(r, "app_id"), id);
	CHECK(json_object_get(r, "client_secret") == NULL);
	json_decref(out);

	out = oapps_clients(id, &err);
	CHECK(json_is_object(out) && json_object_size(out) == 1);
	r = json_object_get(out, "result");
	CHECK(json_is_array(r) && json_array_size(r) == 2);
	json_decref(out);

	/* Made confidential: a secret appears once. */
	BODY("{\"client_type\":\"web\"}");
	out = oapps_client_update(id, cid, body, &err);
	CHECK(out != NULL && json_object_size(out) == 1);
	r = json_object_get(out, "result");
	CHECK(jeq(r, "client_type", "\"web\""));
	CHECK(jeq(r, "name", "\"spa\""));
	CHECK(sget(r, "client_secret") != NULL);
	json_decref(out);

	BODY("{\"resource_ids\":[\"https://r.example\"]}");
	out = oapps_set_resources(id, cid, body, &err);
	CHECK(out != NULL && jeq(json_object_get(out, "result"), "resources",
	    "[\"https://r.example\"]"));
	json_decref(out);
	out = oapps_set_resources(id, NULL, body, &err);
	CHECK(out != NULL && jeq(json_object_get(out, "result"),
	    "resources", "[\"https://r.example\"]"));
	json_decref(out);

	out = oapps_list(&err);
	CHECK(out != NULL && json_array_size(json_object_get(out,
	    "result")) == 1);
	json_decref(out);

	/* Basic info: four members each, no client. */
	out = oapps_list_basic(&err);
	CHECK(out != NULL && json_object_size(out) == 1);
	r = json_array_get(json_object_get(out, "result"), 0);
	CHECK(json_array_size(json_object_get(out, "result")) == 1);
	CHECK(json_object_size(r) == 4);
	CHECK_STR(sget(r, "app_id"), id);
	CHECK(jeq(r, "tenant_id", "null"));
	CHECK(jeq(r, "app_name", "\"shop\""));
	CHECK(jeq(r, "app_description", "\"sells\""));
	json_decref(out);

	out = oapps_client_get(id, cid, &err);
	CHECK(out != NULL && json_object_size(out) == 1 &&
	    sget(json_object_get(out, "result"), "client_id") != NULL);
	json_decref(out);

	/* The default client stays; another one goes. */
	oerr_clear(&err);
	CHECK(!oapps_client_delete(id, def, &err) && err.status == 400);
	oerr_clear(&err);
	CHECK(oapps_client_delete(id, cid, &err));
	oerr_clear(&err);
	CHECK(oapps_client_get(id, cid, &err) == NULL && err.status == 404);
out:
	json_decref(body);
	CHECK(tfix_store_close(&d));
}

/* Bad input stores nothing and names the field; unknown ids are 404s. */
static void
ops_refuse(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	char			 id[OAPP_ID_MAX + 1], id2[OAPP_ID_MAX + 1];
	char			 cid[OCLIENT_ID_MAX + 1], big[100];
	json_t			*body = NULL, *out;

	if (!CHECKED(tfix_store_open(&d, "test_apps")))
		return;
	oerr_clear(&err);
	BODY("{\"first_client\":{}}");
	CHECK(oapps_create(body, id, &err) == NULL &&
	    named(&err, "app_name"));
	/* An invalid client leaves no application behind. */
	oerr_clear(&err);
	BODY("{\"app_name\":\"a\",\"first_client\":{\"client_type\":"
	    "\"tv\"}}");
	CHECK(oapps_create(body, id, &err) == NULL &&
	    named(&err, "client_type"));
	/* Application members oidcgi cannot honour. */
	oerr_clear(&err);
	BODY("{\"app_name\":\"a\",\"subdomain\":\"s\"}");
	CHECK(oapps_create(body, id, &err) == NULL &&
	    named(&err, "subdomain"));
	oerr_clear(&err);
	BODY("{\"app_name\":\"a\",\"allow_public_signup\":true}");
	CHECK(oapps_create(body, id, &err) == NULL &&
	    named(&err, "allow_public_signup"));
	oerr_clear(&err);
	BODY("{\"app_name\":\"a\",\"authenticator_preferences\":"
	    "{\"is_centralized\":true}}");
	CHECK(oapps_create(body, id, &err) == NULL &&
	    named(&err, "is_centralized"));
	oerr_clear(&err);
	BODY("{\"app_name\":\"a\",\"service_providers\":[\"sp\"]}");
	CHECK(oapps_create(body, id, &err) == NULL &&
	    named(&err, "service_providers"));
	oerr_clear(&err);
	BODY("{\"app_name\":\"a\",\"login_preferences\":{}}");
	CHECK(oapps_create(body, id, &err) == NULL &&
	    named(&err, "login_preferences"));
	oerr_clear(&err);
	BODY("{\"app_name\":\"a\",\"first_client_authentication_protocol\":"
	    "\"saml\"}");
	CHECK(oapps_create(body, id, &err) == NULL &&
	    named(&err, "first_client_authentication_protocol"));
	oerr_clear(&err);
	BODY("{\"app_name\":\"a\",\"first_client\":{\"role_ids\":[\"r\"]}}");
	CHECK(oapps_create(body, id, &err) == NULL &&
	    named(&err, "role_ids"));
	oerr_clear(&err);
	BODY("{\"app_name\":\"a\",\"redirect_uris\":[\"not a uri\"]}");
	CHECK(oapps_create(body, id, &err) == NULL &&
	    named(&err, "redirect_uris"));
	oerr_clear(&err);
	out = oapps_list(&err);
	CHECK(out != NULL && json_array_size(json_object_get(out,
	    "result")) == 0);
	json_decref(out);

	oerr_clear(&err);
	CHECK(oapps_get("ghost", &err) == NULL && err.status == 404);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	oerr_clear(&err);
	CHECK(oapps_get(big, &err) == NULL && err.status == 404);
	oerr_clear(&err);
	CHECK(!oapps_delete("ghost", &err) && err.status == 404);

	/* A client of another application is not this one's. */
	BODY("{\"app_name\":\"one\"}");
	out = oapps_create(body, id, &err);
	CHECK(out != NULL);
	json_decref(out);
	out = oapps_create(body, id2, &err);
	CHECK(out != NULL);
	json_decref(out);
	BODY("{\"name\":\"c\",\"redirect_uris\":[\"https://c.example/cb\"]}");
	out = oapps_client_add(id, body, cid, &err);
	CHECK(out != NULL);
	json_decref(out);
	oerr_clear(&err);
	CHECK(oapps_client_get(id2, cid, &err) == NULL && err.status == 404);
	oerr_clear(&err);
	BODY("{\"name\":\"x\"}");
	CHECK(oapps_client_update(id2, cid, body, &err) == NULL &&
	    err.status == 404);
	oerr_clear(&err);
	BODY("{\"resources\":[\"\"]}");
	CHECK(oapps_client_update(id, cid, body, &err) == NULL &&
	    named(&err, "resources"));
	oerr_clear(&err);
	BODY("{\"resource_ids\":\"x\"}");
	CHECK(oapps_set_resources(id, cid, body, &err) == NULL &&
	    named(&err, "resource_ids"));
	json_decref(body);
	CHECK(tfix_store_close(&d));
}

/* Deleting an application deletes its clients, and only its. */
static void
ops_cascade(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	char			 id[OAPP_ID_MAX + 1], id2[OAPP_ID_MAX + 1];
	char			 cid[OCLIENT_ID_MAX + 1];
	char			 def[OCLIENT_ID_MAX + 1];
	char			 other[OCLIENT_ID_MAX + 1];
	json_t			*body = NULL, *out, *rec;

	if (!CHECKED(tfix_store_open(&d, "test_apps")))
		return;
	oerr_clear(&err);
	BODY("{\"app_name\":\"one\"}");
	out = oapps_create(body, id, &err);
	CHECK(out != NULL);
	snprintf(def, sizeof(def), "%s", sget(json_object_get(out, "result"),
	    "client_id"));
	json_decref(out);
	out = oapps_create(body, id2, &err);
	CHECK(out != NULL);
	snprintf(other, sizeof(other), "%s",
	    sget(json_object_get(out, "result"), "client_id"));
	json_decref(out);
	BODY("{\"name\":\"c\",\"redirect_uris\":[\"https://c.example/cb\"]}");
	out = oapps_client_add(id, body, cid, &err);
	CHECK(out != NULL);
	json_decref(out);

	/* Every client but the default one. */
	CHECK(oapps_clients_delete(id, &err));
	out = oapps_clients(id, &err);
	CHECK(json_array_size(json_object_get(out, "result")) == 1);
	json_decref(out);
	out = oapps_client_add(id, body, cid, &err);
	CHECK(out != NULL);
	json_decref(out);

	CHECK(oapps_delete(id, &err));
	CHECK(!oerr_isset(&err));
	CHECK((rec = oclient_get(def, &err)) == NULL && err.status == 404);
	oerr_clear(&err);
	CHECK((rec = oclient_get(cid, &err)) == NULL && err.status == 404);
	oerr_clear(&err);
	CHECK(oapps_get(id, &err) == NULL && err.status == 404);
	oerr_clear(&err);
	CHECK((rec = oclient_get(other, &err)) != NULL);
	json_decref(rec);
	out = oapps_get(id2, &err);
	CHECK(out != NULL && sget(json_object_get(out, "result"),
	    "client_id") != NULL);
	json_decref(out);
	json_decref(body);
	CHECK(tfix_store_close(&d));
}

/* Read the raw record of application id into buf. */
static int
raw_get(struct ostore_txn *t, void *arg, struct oerr *err)
{
	char		**io = arg;
	const void	*v;
	size_t		 len;

	if (ostore_get(t, OSTORE_APPS, io[0], strlen(io[0]), &v, &len) !=
	    OSTORE_OK || len >= 512)
		return 0;
	memcpy(io[1], v, len);
	io[1][len] = '\0';
	return 1;
}

/* Write raw bytes as application "bad". */
static int
raw_put(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return ostore_put(t, OSTORE_APPS, "bad", 3, arg, strlen(arg), 0) ==
	    OSTORE_OK;
}

/* Insert a record, for ostore_write(). */
static int
insert_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oapp_insert(t, arg, err);
}

/* Load "bad", for ostore_write(). */
static int
load_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oapp_load(t, "bad", arg, err);
}

/* Records: their bytes on disk, a conflict, a damaged record. */
static void
records(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	struct oapp		 app;
	char			 buf[512], *io[2];
	json_t			*out;

	if (!CHECKED(tfix_store_open(&d, "test_apps")))
		return;
	memset(&app, 0, sizeof(app));
	oapp_set(&app.id, "a1");
	oapp_set(&app.name, "n");
	oapp_set(&app.description, "");
	oapp_set(&app.logo, "");
	oapp_set(&app.created_at, "2024-01-02T03:04:05Z");
	oapp_set(&app.updated_at, "2024-01-02T03:04:05Z");
	oapp_set(&app.default_client_id, "c1");
	oerr_clear(&err);
	CHECK(ostore_write(insert_fn, &app, &err));
	io[0] = "a1";
	io[1] = buf;
	CHECK(ostore_write(raw_get, io, &err));
	CHECK_STR(buf, "{\"_v\":1,\"app_id\":\"a1\",\"app_name\":\"n\","
	    "\"app_description\":\"\",\"logo\":\"\",\"created_at\":"
	    "\"2024-01-02T03:04:05Z\",\"updated_at\":\"2024-01-02T03:04:05Z\","
	    "\"default_client_id\":\"c1\"}");
	CHECK(!ostore_write(insert_fn, &app, &err) && err.status == 409);
	oapp_clear(&app);

	/* Without "_v", or newer: damaged, a 500. */
	oerr_clear(&err);
	CHECK(ostore_write(raw_put, "{\"app_id\":\"bad\"}", &err));
	CHECK(!ostore_write(load_fn, &app, &err) && err.status == 500);
	oerr_clear(&err);
	CHECK(ostore_write(raw_put, "{\"_v\":2,\"app_id\":\"bad\"}", &err));
	CHECK(!ostore_write(load_fn, &app, &err) && err.status == 500);
	oerr_clear(&err);
	CHECK(oapps_list(&err) == NULL && err.status == 500);
	oerr_clear(&err);
	CHECK(ostore_write(raw_put, "{\"_v\":1,\"app_id\":\"bad\"}", &err));
	CHECK(ostore_write(load_fn, &app, &err));
	CHECK_STR(app.id, "bad");
	CHECK(app.name == NULL && app.default_client_id == NULL);
	oapp_clear(&app);
	out = oapps_list(&err);
	CHECK(out != NULL && json_array_size(json_object_get(out,
	    "result")) == 2);
	json_decref(out);
	CHECK(tfix_store_close(&d));
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(map_in),
		T(map_in_bad),
		T(map_view),
		T(ops_crud),
		T(ops_refuse),
		T(ops_cascade),
		T(records),
	};

	conf.secrets[0] = sys_secret;
	conf.nsecrets = 1;
	oconf = &conf;
	return t_run(tests, NTESTS);
}
