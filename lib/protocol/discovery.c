/*
 * discovery.c: the discovery document and the published key sets (see
 * discovery.h).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "jose/jose.h"
#include "records/keys.h"
#include "protocol/discovery.h"
#include "protocol/dpop.h"

/* A rendered document and the key cache's serial it was made from. */
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

/* Keep j (consumed), rendered, in r; the text of r. */
static const char *
keep(struct rendered *r, json_t *j, size_t *len)
{
	free(r->body);
	r->body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	r->len = strlen(r->body);
	r->serial = okeys_serial();
	*len = r->len;
	return r->body;
}

/* The key sets published, NULL-terminated (discovery.h). */
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

const char *
odiscovery_jwks(size_t *len, struct oerr *err)
{
	static struct rendered	 r;
	struct oerr		 ignored;
	const char		*sets[OCONF_LIST_MAX + 3];
	json_t			*j;

	/* Only to bring the key cache up to date; errors come below. */
	oerr_clear(&ignored);
	(void)okeys_verifiers(OKEYS_ID_TOKEN, &ignored);
	if (current(&r)) {
		*len = r.len;
		return r.body;
	}
	published(sets);
	if (!okeys_ensure_defaults(err) ||
	    (j = okeys_public(sets, err)) == NULL)
		return NULL;
	return keep(&r, j, len);
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

/* The URL of path under base (which ends in '/'). */
static json_t *
url(const char *base, const char *path)
{
	return json_sprintf("%s%s", base, path);
}

static const char *const response_types[] = { "code", "id_token", "token",
    "code id_token", "code token", "id_token token", "code id_token token",
    NULL };
static const char *const response_modes[] = { "query", "fragment",
    "form_post", NULL };
static const char *const grant_types[] = { "authorization_code",
    "implicit", "refresh_token", "client_credentials",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "urn:ietf:params:oauth:grant-type:device_code", NULL };
static const char *const auth_methods[] = { "client_secret_basic",
    "client_secret_post", "private_key_jwt", "client_secret_jwt", "none",
    NULL };
static const char *const auth_algs[] = { "RS256", "RS384", "RS512",
    "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    "HS256", "HS384", "HS512", NULL };
/* "none" for the clients that register it (reqobj.h). */
static const char *const request_algs[] = { "none", "RS256", "RS384",
    "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    NULL };
static const char *const scopes[] = { "openid", "offline_access",
    "offline", "profile", "email", "address", "phone", "aq:name", NULL };
static const char *const claims[] = { "iss", "sub", "aud", "exp", "iat",
    "auth_time", "nonce", "acr", "amr", "azp", "sid", "at_hash", "c_hash",
    "name", "given_name", "family_name", "middle_name", "nickname",
    "preferred_username", "profile", "picture", "website", "email",
    "email_verified", "gender", "birthdate", "zoneinfo", "locale",
    "phone_number", "phone_number_verified", "address", "updated_at",
    NULL };
static const char *const userinfo_algs[] = { "none", "RS256", NULL };

/* The endpoints' URLs into j. */
static void
endpoints(json_t *j)
{
	const char	*iss = oconf->issuer;

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
	json_object_set_new(j, "pushed_authorization_request_endpoint",
	    url(iss, "oauth2/par"));
	/* RFC 8628 §4 */
	json_object_set_new(j, "device_authorization_endpoint",
	    url(iss, "oauth2/device/auth"));
	if (oconf->dcr_enabled)
		json_object_set_new(j, "registration_endpoint",
		    url(iss, "oauth2/register"));
}

const char *
odiscovery_configuration(size_t *len, struct oerr *err)
{
	static struct rendered	 r;
	const struct ojwk	*signer;
	json_t			*j, *st;
	size_t			 i;

	if ((signer = okeys_signer(OKEYS_ID_TOKEN, err)) == NULL) {
		oerr_clear(err);
		if (!okeys_ensure_defaults(err) ||
		    (signer = okeys_signer(OKEYS_ID_TOKEN, err)) == NULL)
			return NULL;
	}
	if (current(&r)) {
		*len = r.len;
		return r.body;
	}
	j = json_object();
	endpoints(j);
	json_object_set_new(j, "response_types_supported",
	    strings(response_types));
	json_object_set_new(j, "response_modes_supported",
	    strings(response_modes));
	/* RFC 9207: every authorization response carries "iss". */
	json_object_set_new(j, "authorization_response_iss_parameter_supported",
	    json_true());
	json_object_set_new(j, "grant_types_supported", strings(grant_types));
	/* As configured (oidc.subject_identifiers.supported_types). */
	st = json_array();
	for (i = 0; i < oconf->subject_types.n; i++)
		json_array_append_new(st,
		    json_string(oconf->subject_types.v[i]));
	if (json_array_size(st) == 0)
		json_array_append_new(st, json_string("public"));
	json_object_set_new(j, "subject_types_supported", st);
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
	json_object_set_new(j, "dpop_signing_alg_values_supported",
	    strings(odpop_algs));
	json_object_set_new(j, "scopes_supported", strings(scopes));
	json_object_set_new(j, "claims_supported", strings(claims));
	json_object_set_new(j, "claims_parameter_supported", json_false());
	/* Request objects (lib/protocol/reqobj.h). */
	json_object_set_new(j, "request_parameter_supported", json_true());
	json_object_set_new(j, "request_object_signing_alg_values_supported",
	    strings(request_algs));
	/* RFC 9126 §5 */
	json_object_set_new(j, "require_pushed_authorization_requests",
	    json_boolean(oconf->par_enforced));
	json_object_set_new(j, "request_uri_parameter_supported",
	    json_true());
	json_object_set_new(j, "require_request_uri_registration",
	    json_true());
	json_object_set_new(j, "backchannel_logout_supported", json_true());
	json_object_set_new(j, "backchannel_logout_session_supported",
	    json_true());
	json_object_set_new(j, "frontchannel_logout_supported", json_true());
	json_object_set_new(j, "frontchannel_logout_session_supported",
	    json_true());
	return keep(&r, j, len);
}
