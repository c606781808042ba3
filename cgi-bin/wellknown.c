/*
 * wellknown: discovery on the public listener.
 *
 *   GET /.well-known/jwks.json                  the public halves of the
 *       ID-token and access-token key sets and of those named in
 *       webfinger.jwks.broadcast_keys (RFC 7517 §5)
 *   GET /.well-known/openid-configuration       OpenID Connect Discovery
 *       1.0 §3
 *   GET /.well-known/oauth-authorization-server RFC 8414 §2, the same
 *       document, as Hydra serves it
 *
 * The metadata lists only what this server does; every URL is derived
 * from urls.self.issuer exactly as configured.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "jose/jose.h"
#include "records/keys.h"
#include "web/http.h"
#include "web/serve.h"

/* Public documents: any origin may read them, caches may keep them. */
static void
public_headers(struct oreq *req)
{
	ohttp_header(req, "Cache-Control", "public, max-age=60");
	ohttp_header(req, "Access-Control-Allow-Origin", "*");
}

/*
 * The signing keys exist from the first start on; create them here too,
 * for servers started without `oidcgi init` or whose sets were deleted
 * (cheap when they exist: the key cache answers).
 */
static int
ensure_keys(struct oerr *err)
{
	return okeys_ensure_defaults(err);
}

/*
 * A rendered document, kept per process while the key cache has not
 * changed (okeys_serial()): both documents depend on the signing keys
 * and on the configuration only, which is fixed for the process.
 * Every okeys_*() call checks the store's keys generation first, so
 * the serial read after one is current.
 */
struct rendered {
	char			*body;
	size_t			 len;
	unsigned long long	 serial;
};

/* 1 if r holds a document rendered from the key cache as it is. */
static int
current(const struct rendered *r)
{
	return r->body != NULL && r->serial == okeys_serial();
}

/* Keep j, rendered, in r, for the key cache as it is now. */
static void
keep(struct rendered *r, const json_t *j)
{
	free(r->body);
	if ((r->body = json_dumps(j, JSON_COMPACT)) == NULL)
		abort();
	r->len = strlen(r->body);
	r->serial = okeys_serial();
}

/* Send a kept document. */
static void
send_rendered(struct oreq *req, const struct rendered *r)
{
	public_headers(req);
	ohttp_send(req, 200, "application/json; charset=utf-8", r->body,
	    r->len);
}

/*
 * The key sets /.well-known/jwks.json publishes, into sets
 * (NULL-terminated): the ID-token and access-token sets, then those of
 * webfinger.jwks.broadcast_keys in the order configured, each set once
 * however often it is named (Hydra's WellKnownKeys).  The names are
 * borrowed from the configuration, fixed for the process.
 */
static void
published(const char *sets[OCONF_LIST_MAX + 3])
{
	const struct oconf_list	*l = &oconf->broadcast_keys;
	size_t			 i, j, n = 0;

	sets[n++] = OKEYS_ID_TOKEN;
	sets[n++] = OKEYS_ACCESS_TOKEN;
	for (i = 0; i < l->n; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(sets[j], l->v[i]) == 0)
				break;
		if (j == n)
			sets[n++] = l->v[i];
	}
	sets[n] = NULL;
}

/*
 * GET /.well-known/jwks.json.  A named set that does not exist (yet) is
 * left out; okeys_public() skips it.
 */
static void
jwks(struct oreq *req)
{
	static struct rendered	 r;
	struct oerr		 err;
	const char		*sets[OCONF_LIST_MAX + 3];
	json_t			*j;

	oerr_clear(&err);
	/* Only to bring the key cache up to date; errors come below. */
	(void)okeys_verifiers(OKEYS_ID_TOKEN, &err);
	oerr_clear(&err);
	if (!current(&r)) {
		published(sets);
		if (!ensure_keys(&err) ||
		    (j = okeys_public(sets, &err)) == NULL) {
			ohttp_send_error(req, &err);
			return;
		}
		keep(&r, j);
		json_decref(j);
	}
	send_rendered(req, &r);
}

/* An array of strings from a NULL-terminated list. */
static json_t *
strings(const char *const *s)
{
	json_t	*a = json_array();

	for (; *s != NULL; s++)
		json_array_append_new(a, json_string(*s));
	return a;
}

/* The issuer's URL for path (issuer ends in '/'). */
static json_t *
url(const char *base, const char *path)
{
	return json_sprintf("%s%s", base, path);
}

/* GET /.well-known/openid-configuration and oauth-authorization-server */
static void
configuration(struct oreq *req)
{
	static const char *const response_types[] = { "code", "id_token",
	    "token", "code id_token", "code token", "id_token token",
	    "code id_token token", NULL };
	static const char *const response_modes[] = { "query", "fragment",
	    "form_post", NULL };
	static const char *const grant_types[] = { "authorization_code",
	    "implicit", "refresh_token", "client_credentials", NULL };
	static const char *const auth_methods[] = { "client_secret_basic",
	    "client_secret_post", "private_key_jwt", "none", NULL };
	static const char *const auth_algs[] = { "RS256", "RS384", "RS512",
	    "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
	    NULL };
	static const char *const scopes[] = { "openid", "offline_access",
	    "offline", "profile", "email", "address", "phone", NULL };
	static const char *const claims[] = { "iss", "sub", "aud", "exp",
	    "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid",
	    "at_hash", "c_hash", "name", "given_name", "family_name",
	    "middle_name", "nickname", "preferred_username", "profile",
	    "picture", "website", "email", "email_verified", "gender",
	    "birthdate", "zoneinfo", "locale", "phone_number",
	    "phone_number_verified", "address", "updated_at", NULL };
	static const char *const userinfo_algs[] = { "none", "RS256", NULL };
	static struct rendered	 r;
	struct oerr		 err;
	const struct ojwk	*signer;
	const char		*iss = oconf->issuer;
	json_t			*j;

	oerr_clear(&err);
	if ((signer = okeys_signer(OKEYS_ID_TOKEN, &err)) == NULL) {
		oerr_clear(&err);
		if (!ensure_keys(&err) ||
		    (signer = okeys_signer(OKEYS_ID_TOKEN, &err)) == NULL) {
			ohttp_send_error(req, &err);
			return;
		}
	}
	if (current(&r)) {
		send_rendered(req, &r);
		return;
	}
	j = json_object();
	json_object_set_new(j, "issuer", json_string(iss));
	json_object_set_new(j, "authorization_endpoint",
	    url(iss, "oauth2/auth"));
	json_object_set_new(j, "token_endpoint", url(iss, "oauth2/token"));
	json_object_set_new(j, "userinfo_endpoint", url(iss, "userinfo"));
	json_object_set_new(j, "jwks_uri", url(iss, ".well-known/jwks.json"));
	json_object_set_new(j, "revocation_endpoint",
	    url(iss, "oauth2/revoke"));
	json_object_set_new(j, "introspection_endpoint",
	    url(oconf->admin_url, "admin/oauth2/introspect"));
	json_object_set_new(j, "end_session_endpoint",
	    url(iss, "oauth2/sessions/logout"));
	json_object_set_new(j, "check_session_iframe",
	    url(iss, "oauth2/sessions/iframe"));
	if (oconf->dcr_enabled)
		json_object_set_new(j, "registration_endpoint",
		    url(iss, "oauth2/register"));
	json_object_set_new(j, "response_types_supported",
	    strings(response_types));
	json_object_set_new(j, "response_modes_supported",
	    strings(response_modes));
	/* RFC 9207: every authorization response carries "iss". */
	json_object_set_new(j, "authorization_response_iss_parameter_supported",
	    json_true());
	json_object_set_new(j, "grant_types_supported", strings(grant_types));
	json_object_set_new(j, "subject_types_supported",
	    json_pack("[s]", "public"));
	json_object_set_new(j, "id_token_signing_alg_values_supported",
	    json_pack("[s]", ojwk_alg(signer)));
	json_object_set_new(j, "userinfo_signing_alg_values_supported",
	    strings(userinfo_algs));
	/* What Ory's SDK 2.2 requires in its OidcConfiguration type. */
	json_object_set_new(j, "id_token_signed_response_alg",
	    json_pack("[s]", ojwk_alg(signer)));
	json_object_set_new(j, "userinfo_signed_response_alg",
	    json_pack("[s]", ojwk_alg(signer)));
	json_object_set_new(j, "token_endpoint_auth_methods_supported",
	    strings(auth_methods));
	json_object_set_new(j,
	    "token_endpoint_auth_signing_alg_values_supported",
	    strings(auth_algs));
	json_object_set_new(j, "code_challenge_methods_supported",
	    json_pack("[s]", "S256"));
	json_object_set_new(j, "scopes_supported", strings(scopes));
	json_object_set_new(j, "claims_supported", strings(claims));
	json_object_set_new(j, "claims_parameter_supported", json_false());
	json_object_set_new(j, "request_parameter_supported", json_false());
	json_object_set_new(j, "request_uri_parameter_supported",
	    json_false());
	json_object_set_new(j, "require_request_uri_registration",
	    json_false());
	json_object_set_new(j, "backchannel_logout_supported", json_true());
	json_object_set_new(j, "backchannel_logout_session_supported",
	    json_true());
	json_object_set_new(j, "frontchannel_logout_supported", json_true());
	json_object_set_new(j, "frontchannel_logout_session_supported",
	    json_true());
	keep(&r, j);
	json_decref(j);
	send_rendered(req, &r);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/.well-known/jwks.json", jwks },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/.well-known/openid-configuration",
	    configuration },
	{ OHTTP_M(GET), OLISTEN_PUBLIC,
	    "/.well-known/oauth-authorization-server", configuration },
};

int
main(int argc, char *argv[])
{
	return omain(argc, argv, routes, sizeof(routes) / sizeof(routes[0]));
}
