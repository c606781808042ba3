/*
 * Unit tests for lib/protocol/discovery.c: the discovery document and
 * the published key sets, without a web server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "store/store.h"
#include "records/keys.h"
#include "protocol/discovery.h"
#include "t.h"
#include "tfix.h"

static char		 secret[] = "discovery-secret-aaaaaaaaaaaaaaaaa";
static char		 extra[] = "extra.set";
static char		 again[] = "hydra.openid.id-token";
static struct oconf	 conf;

/* The document parsed, or NULL. */
static json_t *
configuration(void)
{
	struct oerr	 err;
	const char	*s;
	size_t		 len = 0;

	oerr_clear(&err);
	if ((s = odiscovery_configuration(&len, &err)) == NULL)
		return NULL;
	CHECK(len == strlen(s));
	return json_loadb(s, len, 0, NULL);
}

/* 1 if the array a holds the string s. */
static int
has(const json_t *a, const char *s)
{
	size_t	 i;
	json_t	*v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* The keys are made on first use; every URL under the issuer. */
static void
document(void)
{
	struct tfix_store	 d;
	json_t			*j;

	if (!CHECKED(tfix_store_open(&d, "test_discovery")))
		return;
	CHECK((j = configuration()) != NULL);
	CHECK_STR(json_string_value(json_object_get(j, "issuer")),
	    "https://id.example/");
	CHECK_STR(json_string_value(json_object_get(j, "token_endpoint")),
	    "https://id.example/oauth2/token");
	CHECK_STR(json_string_value(json_object_get(j, "jwks_uri")),
	    "https://id.example/.well-known/jwks.json");
	CHECK_STR(json_string_value(json_object_get(j,
	    "introspection_endpoint")),
	    "https://admin.example/admin/oauth2/introspect");
	CHECK(json_object_get(j, "registration_endpoint") == NULL);
	CHECK(has(json_object_get(j, "code_challenge_methods_supported"),
	    "S256"));
	CHECK(!has(json_object_get(j, "code_challenge_methods_supported"),
	    "plain"));
	CHECK(has(json_object_get(j, "scopes_supported"), "aq:name"));
	CHECK(!has(json_object_get(j, "scopes_supported"), "aq:push"));
	CHECK(has(json_object_get(j, "grant_types_supported"),
	    "client_credentials"));
	CHECK(json_is_true(json_object_get(j,
	    "authorization_response_iss_parameter_supported")));
	CHECK(has(json_object_get(j, "id_token_signing_alg_values_supported"),
	    "RS256"));
	json_decref(j);
	CHECK(tfix_store_close(&d));
}

/* The registration endpoint is advertised only when it is served. */
static void
registration(void)
{
	struct tfix_store	 d;
	json_t			*j;

	if (!CHECKED(tfix_store_open(&d, "test_discovery")))
		return;
	conf.dcr_enabled = 1;
	/* A new key cache (a new store) makes the document again. */
	CHECK((j = configuration()) != NULL);
	CHECK_STR(json_string_value(json_object_get(j,
	    "registration_endpoint")), "https://id.example/oauth2/register");
	json_decref(j);
	conf.dcr_enabled = 0;
	CHECK(tfix_store_close(&d));
}

/* The ID-token and access-token sets, then the broadcast ones, once. */
static void
jwks(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	const char		*s;
	size_t			 len = 0, i;
	json_t			*j, *k;

	if (!CHECKED(tfix_store_open(&d, "test_discovery")))
		return;
	oerr_clear(&err);
	CHECK((s = odiscovery_jwks(&len, &err)) != NULL);
	CHECK((j = json_loadb(s, len, 0, NULL)) != NULL);
	/*
	 * One key of each default set, the id-token set named again not
	 * repeated, the extra set (which does not exist) left out; public
	 * halves only.
	 */
	CHECK(json_array_size(json_object_get(j, "keys")) == 2);
	json_array_foreach(json_object_get(j, "keys"), i, k) {
		CHECK(json_is_string(json_object_get(k, "kid")));
		CHECK(json_is_string(json_object_get(k, "n")));
		CHECK(json_object_get(k, "d") == NULL);
		CHECK(json_object_get(k, "p") == NULL);
	}
	json_decref(j);
	/* A second call answers from the kept text. */
	CHECK(odiscovery_jwks(&len, &err) == s);
	CHECK(tfix_store_close(&d));
}

static const struct t_case tests[] = {
	T(document), T(registration), T(jwks),
};

int
main(void)
{
	int	 rc;

	conf.issuer = "https://id.example/";
	conf.admin_url = "https://admin.example/";
	conf.secrets[0] = secret;
	conf.nsecrets = 1;
	conf.broadcast_keys.v[0] = extra;
	conf.broadcast_keys.v[1] = again;
	conf.broadcast_keys.n = 2;
	oconf = &conf;
	rc = t_run(tests, NTESTS);
	oconf = NULL;
	return rc;
}
