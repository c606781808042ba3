/*
 * clients.c: OAuth 2.0 client records (see clients.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/curl.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/url.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"

#define RECORD_VERSION	1
/* Purpose bound to a sealed client secret. */
#define SEAL_AAD	"oidcgi client_secret"
/* Random bytes of a generated client_secret_jwt secret, base64url. */
#define JWT_SECRET_BYTES	48
#define JWT_SECRET_LEN		64
#define STR_MAX		2048	/* bytes of any string member */
#define NAME_MAX_LEN	1024	/* client_name, description */
#define ARRAY_MAX	100	/* items of any array member */
#define SECTOR_MAX	(64 * 1024)	/* bytes of a sector_identifier_uri */
#define SECTOR_TIMEOUT_MS 5000	/* to fetch it */
#define LIFESPAN_MAX	(10LL * 365 * 24 * 3600)
#define CACHE_CLIENTS	64	/* parsed records kept per process */
#define CACHE_SECRETS	64	/* verified secrets kept per process */

/* How a member is checked and what its default is. */
enum ftype {
	FT_STR,		/* string, default "" */
	FT_NAME,	/* string up to NAME_MAX_LEN, default "" */
	FT_URL,		/* absolute URL or "", default "" */
	FT_HTTPS,	/* https URL or "", default "" */
	FT_STRS,	/* array of strings, default [] */
	FT_TOKENS,	/* array of strings without whitespace, default [] */
	FT_URLS,	/* array of absolute URLs without fragment */
	FT_REDIRECTS,	/* redirect_uris: see redirect_ok() */
	FT_ORIGINS,	/* array of scheme://host[:port] */
	FT_BOOL,	/* default false */
	FT_INT,		/* integer >= 0, default 0 */
	FT_OBJECT,	/* object, default {} */
	FT_JWKS,	/* {"keys":[...]} or absent */
	FT_SCOPE,	/* space-separated scope tokens */
	FT_ENUM,	/* one of choices, default choices[0] */
	FT_ENUMS,	/* array of values among choices */
	FT_LIFESPAN,	/* Go duration string or null; stored as seconds */
	FT_ID		/* client_id */
};

#define F_EXTRA		0x01	/* not a Hydra field: hidden from its view,
				   kept from the old record when absent */
#define F_NODCR		0x02	/* self-registration may not set it */
#define F_GRANT_TYPES	0x04
#define F_SHOWSET	0x10	/* F_EXTRA shown in Hydra's view when not
				   empty */
#define F_RESP_TYPES	0x08

static const char *const grant_types[] = {
	"authorization_code", "implicit", "refresh_token",
	"client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer",
	"urn:ietf:params:oauth:grant-type:token-exchange",
	"urn:ietf:params:oauth:grant-type:device_code",
	NULL
};
static const char *const auth_methods[] = {
	"client_secret_basic", "client_secret_post", "private_key_jwt",
	"none", "client_secret_jwt", NULL
};
static const char *const subject_types[] = { "public", "pairwise", NULL };
static const char *const app_types[] = { "web", "native", NULL };
static const char *const strategies[] = { "", "opaque", "jwt", NULL };
static const char *const userinfo_algs[] = { "none", "RS256", NULL };
/* token_endpoint_auth_signing_alg: the key-pair algorithms and HMACs. */
static const char *const auth_algs[] = {
	"", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
	"ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512", NULL
};
/* Request objects may also be unsigned (OpenID Connect Core §6.1). */
static const char *const request_algs[] = {
	"", "none", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA", NULL
};
static const char *const prompts[] = {
	"login", "consent", "none", "select_account", NULL
};

struct field {
	const char		*name;
	enum ftype		 type;
	unsigned		 flags;
	const char *const	*choices;	/* FT_ENUM, FT_ENUMS */
};

/*
 * Every member of a record, in the order Hydra's views list them.
 * NOTE: oclient_view_hydra() relies on the F_EXTRA flags here.
 */
static const struct field fields[] = {
	{ "client_id", FT_ID, 0, NULL },
	{ "client_name", FT_NAME, 0, NULL },
	{ "redirect_uris", FT_REDIRECTS, 0, NULL },
	{ "grant_types", FT_ENUMS, F_GRANT_TYPES, grant_types },
	{ "response_types", FT_STRS, F_RESP_TYPES, NULL },
	{ "scope", FT_SCOPE, 0, NULL },
	{ "audience", FT_TOKENS, 0, NULL },
	{ "owner", FT_STR, F_NODCR, NULL },
	{ "policy_uri", FT_URL, 0, NULL },
	{ "allowed_cors_origins", FT_ORIGINS, 0, NULL },
	{ "tos_uri", FT_URL, 0, NULL },
	{ "client_uri", FT_URL, 0, NULL },
	{ "logo_uri", FT_URL, 0, NULL },
	{ "contacts", FT_STRS, 0, NULL },
	{ "client_secret_expires_at", FT_INT, 0, NULL },
	{ "subject_type", FT_ENUM, 0, subject_types },
	{ "sector_identifier_uri", FT_HTTPS, 0, NULL },
	{ "jwks", FT_JWKS, 0, NULL },
	{ "jwks_uri", FT_URL, 0, NULL },
	{ "token_endpoint_auth_method", FT_ENUM, 0, auth_methods },
	{ "token_endpoint_auth_signing_alg", FT_ENUM, 0, auth_algs },
	{ "request_uris", FT_URLS, 0, NULL },
	{ "request_object_signing_alg", FT_ENUM, 0, request_algs },
	{ "userinfo_signed_response_alg", FT_ENUM, 0, userinfo_algs },
	{ "post_logout_redirect_uris", FT_URLS, 0, NULL },
	{ "frontchannel_logout_uri", FT_URL, 0, NULL },
	{ "frontchannel_logout_session_required", FT_BOOL, 0, NULL },
	{ "backchannel_logout_uri", FT_URL, 0, NULL },
	{ "backchannel_logout_session_required", FT_BOOL, 0, NULL },
	{ "metadata", FT_OBJECT, F_NODCR, NULL },
	{ "access_token_strategy", FT_ENUM, F_NODCR, strategies },
	{ "skip_consent", FT_BOOL, F_NODCR, NULL },
	{ "skip_logout_consent", FT_BOOL, F_NODCR, NULL },
	{ "authorization_code_grant_access_token_lifespan", FT_LIFESPAN,
	    F_NODCR, NULL },
	{ "authorization_code_grant_id_token_lifespan", FT_LIFESPAN,
	    F_NODCR, NULL },
	{ "authorization_code_grant_refresh_token_lifespan", FT_LIFESPAN,
	    F_NODCR, NULL },
	{ "client_credentials_grant_access_token_lifespan", FT_LIFESPAN,
	    F_NODCR, NULL },
	{ "implicit_grant_access_token_lifespan", FT_LIFESPAN, F_NODCR, NULL },
	{ "implicit_grant_id_token_lifespan", FT_LIFESPAN, F_NODCR, NULL },
	{ "jwt_bearer_grant_access_token_lifespan", FT_LIFESPAN, F_NODCR,
	    NULL },
	{ "refresh_token_grant_access_token_lifespan", FT_LIFESPAN, F_NODCR,
	    NULL },
	{ "refresh_token_grant_id_token_lifespan", FT_LIFESPAN, F_NODCR,
	    NULL },
	{ "refresh_token_grant_refresh_token_lifespan", FT_LIFESPAN, F_NODCR,
	    NULL },
	/* What the other dialects need. */
	{ "application_type", FT_ENUM, F_EXTRA, app_types },
	{ "default_max_age", FT_INT, F_EXTRA, NULL },
	{ "default_scopes", FT_TOKENS, F_EXTRA, NULL },
	{ "app_id", FT_STR, F_EXTRA | F_NODCR, NULL },
	{ "description", FT_NAME, F_EXTRA, NULL },
	{ "require_pkce", FT_BOOL, F_EXTRA, NULL },
	{ "supported_prompts", FT_ENUMS, F_EXTRA, prompts },
	{ "enforce_par", FT_BOOL, F_EXTRA, NULL },
	{ "require_pushed_authorization_requests", FT_BOOL, F_EXTRA, NULL },
	{ "device_authorization", FT_BOOL, F_EXTRA, NULL },
	{ "dpop_bound_access_tokens", FT_BOOL, F_EXTRA, NULL },
	{ "session_expiration", FT_INT, F_EXTRA, NULL },
	{ "max_refresh_rotate", FT_INT, F_EXTRA, NULL },
	/* RFC 8693 policy, see clients.h; shown by Hydra's view when set. */
	{ "token_exchange", FT_OBJECT, F_EXTRA | F_NODCR | F_SHOWSET, NULL },
};

#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

/* The error code of a metadata problem in this context (RFC 7591 §3.2.2). */
static enum oerr_code
bad(unsigned flags)
{
	return (flags & OCLIENT_DCR) ? OERR_INVALID_CLIENT_METADATA :
	    OERR_INVALID_REQUEST;
}

static int
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int
has_space(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			return 1;
	return 0;
}

void
oclient_duration_str(long long secs, char *buf, size_t sz)
{
	long long	 h = secs / 3600, m = (secs % 3600) / 60, s = secs % 60;

	if (h > 0)
		snprintf(buf, sz, "%lldh%lldm%llds", h, m, s);
	else if (m > 0)
		snprintf(buf, sz, "%lldm%llds", m, s);
	else
		snprintf(buf, sz, "%llds", s);
}

/*
 * A redirect URI a client may register: absolute, no fragment; for web
 * clients https, or http on a loopback host (RFC 8252 §7.3, and
 * development); native clients may also use private-use schemes
 * (RFC 8252 §7.1).  Returns NULL or the reason.
 */
static const char *
redirect_ok(const char *s, int native)
{
	struct ourl	 u;
	const char	*why;

	if ((why = ourl_parse(s, &u)) != NULL)
		return why;
	if (u.has_fragment)
		return "has a fragment (RFC 6749 §3.1.2)";
	if (strcmp(u.scheme, "https") == 0 || strcmp(u.scheme, "http") == 0) {
		if (!u.has_authority || u.host[0] == '\0')
			return "has no host";
		if (u.has_userinfo)
			return "has user info";
		if (strcmp(u.scheme, "http") == 0 && !ourl_loopback(&u))
			return "uses http on a host that is not loopback "
			    "(use https, or http://127.0.0.1)";
		return NULL;
	}
	if (!native)
		return "must use https (only native clients may use their "
		    "own scheme)";
	if (strcmp(u.scheme, "javascript") == 0 ||
	    strcmp(u.scheme, "data") == 0 || strcmp(u.scheme, "file") == 0)
		return "uses a scheme that is not allowed";
	return NULL;
}

int
oclient_redirect_ok(const json_t *rec, const char *uri)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(json_object_get(rec, "redirect_uris"), i, e)
		if (json_is_string(e) &&
		    ourl_redirect_match(json_string_value(e), uri))
			return 1;
	return 0;
}

/*
 * One URI of oclient_uris_check(): field names it (item i of an
 * array when i >= 0).  Returns 1, or 0 with err set.
 */
static int
uri_external(const char *field, long i, const json_t *v, unsigned flags,
    struct oerr *err)
{
	struct ourl	 u;
	const char	*s, *why;
	char		 name[64];
	size_t		 j;

	if (!json_is_string(v) || *(s = json_string_value(v)) == '\0' ||
	    ourl_parse(s, &u) != NULL || !u.has_authority)
		return 1;
	for (j = 0; j < oconf->client_http_exceptions.n; j++)
		if (strcmp(s, oconf->client_http_exceptions.v[j]) == 0)
			return 1;
	if ((why = ourl_host_internal(&u)) == NULL)
		return 1;
	if (i >= 0)
		snprintf(name, sizeof(name), "%s' (item %ld", field, i);
	else
		snprintf(name, sizeof(name), "%s", field);
	if (!(flags & OCLIENT_DCR) && !oconf->client_http_no_private) {
		olog_warn("client metadata '%s': host %.255s %s (an internal "
		    "address the server would request)", name, u.host, why);
		return 1;
	}
	oerr_set(err, bad(flags), "The field '%s%s': the host '%.255s' %s; "
	    "the server does not send requests to internal addresses "
	    "(clients.http.private_ip_exception_urls lists exceptions).",
	    name, i >= 0 ? ")" : "", u.host, why);
	return 0;
}

/*
 * OpenID Connect Registration §5: the document at sector_identifier_uri
 * (https; fetched with ocurl_get(): no redirects, no proxy, at most
 * SECTOR_MAX bytes within SECTOR_TIMEOUT_MS, never from an internal
 * address unless allowed) is a JSON array of URLs that must hold every
 * one of the client's redirect_uris.  Returns 1, or 0 with a 400
 * naming the field.
 */
static int
sector_lists_redirects(const json_t *in, unsigned flags, struct oerr *err)
{
	const char	*uri;
	json_t		*doc = NULL, *e;
	struct oerr	 why;
	char		*body;
	size_t		 len, i;
	int		 ok = 0;

	uri = json_string_value(json_object_get(in, "sector_identifier_uri"));
	if (uri == NULL || *uri == '\0')
		return 1;
	oerr_clear(&why);
	if ((body = ocurl_get(uri, SECTOR_MAX, SECTOR_TIMEOUT_MS, 0, &len,
	    &why)) == NULL) {
		oerr_set(err, bad(flags), "The field 'sector_identifier_uri' "
		    "%s", why.description);
		return 0;
	}
	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	free(body);
	if (!json_is_array(doc)) {
		oerr_set(err, bad(flags), "The field 'sector_identifier_uri' "
		    "names a document that is not a JSON array of URLs.");
		goto out;
	}
	json_array_foreach(json_object_get(in, "redirect_uris"), i, e)
		if (json_is_string(e) && !ojson_has(doc,
		    json_string_value(e))) {
			oerr_set(err, bad(flags), "The field "
			    "'sector_identifier_uri' names a document that does "
			    "not list the redirect URI '%.200s' (OpenID Connect "
			    "Registration §5).", json_string_value(e));
			goto out;
		}
	ok = 1;
out:
	json_decref(doc);
	return ok;
}

int
oclient_uris_check(const json_t *in, unsigned flags, struct oerr *err)
{
	static const char *const one[] = { "backchannel_logout_uri",
	    "frontchannel_logout_uri", "jwks_uri", "sector_identifier_uri" };
	json_t	*e;
	size_t	 i;

	if (!json_is_object(in))
		return 1;
	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++)
		if (!uri_external(one[i], -1, json_object_get(in, one[i]),
		    flags, err))
			return 0;
	json_array_foreach(json_object_get(in, "request_uris"), i, e) {
		if (i >= ARRAY_MAX)
			break;	/* oclient_build() refuses the array */
		if (!uri_external("request_uris", (long)i, e, flags, err))
			return 0;
	}
	return sector_lists_redirects(in, flags, err);
}

/*
 * An absolute URL without fragment (http or https; https only with
 * https_only, but for http on a loopback host when
 * clients.http.allow_loopback_http is set, as ocurl_get() fetches).
 */
static const char *
url_ok(const char *s, int https_only)
{
	struct ourl	 u;
	const char	*why;

	if ((why = ourl_parse(s, &u)) != NULL)
		return why;
	if (https_only && strcmp(u.scheme, "http") == 0 && oconf != NULL &&
	    oconf->client_http_loopback && ourl_loopback(&u))
		https_only = 0;
	if (strcmp(u.scheme, "https") != 0 &&
	    (https_only || strcmp(u.scheme, "http") != 0))
		return https_only ? "must be an https URL" :
		    "must be an http(s) URL";
	if (!u.has_authority || u.host[0] == '\0')
		return "has no host";
	if (u.has_fragment)
		return "has a fragment";
	return NULL;
}

/* A CORS origin: scheme://host[:port] and nothing else. */
static const char *
origin_ok(const char *s)
{
	const char	*why, *p;

	if ((why = url_ok(s, 0)) != NULL)
		return why;
	p = strstr(s, "://") + 3;
	if (p[strcspn(p, "/?#")] != '\0')
		return "must be scheme://host[:port] without a path";
	return NULL;
}

/* RFC 6749 §3.3: scope-token = 1*NQCHAR, separated by single spaces. */
static int
scope_ok(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	for (; *p != '\0'; p++)
		if (*p != ' ' && (*p < 0x21 || *p > 0x7e || *p == '"' ||
		    *p == '\\'))
			return 0;
	return 1;
}

/*
 * Check one member v (not NULL, not null) against its field and return
 * the value to store (a new reference), or NULL with err set.
 */
static json_t *
check(const struct field *f, json_t *v, int native, unsigned flags,
    struct oerr *err)
{
	const char	*s, *why = NULL;
	struct ojwk	*key;
	struct oerr	 e2;
	json_t		*e;
	size_t		 i;
	int64_t		 secs;

	switch (f->type) {
	case FT_ID:
	case FT_STR:
	case FT_NAME:
	case FT_URL:
	case FT_HTTPS:
	case FT_SCOPE:
	case FT_ENUM:
	case FT_LIFESPAN:
		if (!json_is_string(v)) {
			oerr_set(err, bad(flags), "The field '%s' must be a "
			    "string.", f->name);
			return NULL;
		}
		s = json_string_value(v);
		if (strlen(s) != json_string_length(v) ||
		    json_string_length(v) > (f->type == FT_NAME ?
		    NAME_MAX_LEN : f->type == FT_ID ? OCLIENT_ID_MAX :
		    STR_MAX)) {
			oerr_set(err, bad(flags), "The field '%s' is too long "
			    "or contains a NUL character.", f->name);
			return NULL;
		}
		if (f->type == FT_ID && (*s == '\0' || has_space(s) ||
		    !scope_ok(s)))
			why = "must be 1-255 visible ASCII characters";
		else if ((f->type == FT_URL || f->type == FT_HTTPS) &&
		    *s != '\0')
			why = url_ok(s, f->type == FT_HTTPS);
		else if (f->type == FT_SCOPE && !scope_ok(s))
			why = "must be scope tokens separated by spaces "
			    "(RFC 6749 §3.3)";
		else if (f->type == FT_ENUM && !in_list(s, f->choices))
			why = "has a value that is not supported";
		else if (f->type == FT_LIFESPAN) {
			if (!oconf_duration(s, &secs) || secs <= 0 ||
			    secs > LIFESPAN_MAX)
				why = "must be a duration of whole seconds, "
				    "e.g. 1h, 30m or 3600s";
			else if (why == NULL)
				return json_integer(secs);
		}
		if (why != NULL) {
			oerr_set(err, bad(flags), "The field '%s' %s: "
			    "\"%.100s\".", f->name, why, s);
			return NULL;
		}
		return json_incref(v);
	case FT_STRS:
	case FT_TOKENS:
	case FT_URLS:
	case FT_REDIRECTS:
	case FT_ORIGINS:
	case FT_ENUMS:
		if (!json_is_array(v)) {
			oerr_set(err, bad(flags), "The field '%s' must be an "
			    "array of strings.", f->name);
			return NULL;
		}
		if (json_array_size(v) > ARRAY_MAX) {
			oerr_set(err, bad(flags), "The field '%s' has more "
			    "than %d items.", f->name, ARRAY_MAX);
			return NULL;
		}
		json_array_foreach(v, i, e) {
			if (!json_is_string(e) || json_string_length(e) >
			    STR_MAX || strlen(json_string_value(e)) !=
			    json_string_length(e)) {
				oerr_set(err, bad(flags), "The field '%s' must "
				    "be an array of strings (item %zu is "
				    "not).", f->name, i);
				return NULL;
			}
			s = json_string_value(e);
			if (f->type == FT_TOKENS && (*s == '\0' ||
			    has_space(s)))
				why = "must not be empty or contain "
				    "whitespace";
			else if (f->type == FT_URLS)
				why = url_ok(s, 0);
			else if (f->type == FT_REDIRECTS)
				why = redirect_ok(s, native);
			else if (f->type == FT_ORIGINS)
				why = origin_ok(s);
			else if (f->type == FT_ENUMS &&
			    !in_list(s, f->choices))
				why = "is not supported";
			if (why != NULL) {
				oerr_set(err, f->type == FT_REDIRECTS &&
				    (flags & OCLIENT_DCR) ?
				    OERR_INVALID_REDIRECT_URI : bad(flags),
				    "The field '%s': item %zu %s: \"%.100s\".",
				    f->name, i, why, s);
				return NULL;
			}
		}
		return json_incref(v);
	case FT_BOOL:
		if (!json_is_boolean(v)) {
			oerr_set(err, bad(flags), "The field '%s' must be "
			    "true or false.", f->name);
			return NULL;
		}
		return json_incref(v);
	case FT_INT:
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			oerr_set(err, bad(flags), "The field '%s' must be an "
			    "integer of 0 or more.", f->name);
			return NULL;
		}
		return json_incref(v);
	case FT_OBJECT:
		if (!json_is_object(v)) {
			oerr_set(err, bad(flags), "The field '%s' must be an "
			    "object.", f->name);
			return NULL;
		}
		return json_incref(v);
	case FT_JWKS:
		if (!json_is_object(v) ||
		    !json_is_array(json_object_get(v, "keys"))) {
			oerr_set(err, bad(flags), "The field '%s' must be a "
			    "JSON Web Key Set: an object with an array "
			    "\"keys\".", f->name);
			return NULL;
		}
		json_array_foreach(json_object_get(v, "keys"), i, e)
			if (!json_is_object(e) || !json_is_string(
			    json_object_get(e, "kty"))) {
				oerr_set(err, bad(flags), "The field '%s': key "
				    "%zu is not a JSON Web Key with a "
				    "\"kty\".", f->name, i);
				return NULL;
			}
		/* Only keys that can verify (issue 12): ojwk_import()'s checks. */
		json_array_foreach(json_object_get(v, "keys"), i, e) {
			oerr_clear(&e2);
			if ((key = ojwk_import(e, 0, &e2)) == NULL) {
				oerr_set(err, bad(flags), "The field '%s': key "
				    "%zu is not usable: %s", f->name, i,
				    e2.description);
				return NULL;
			}
			ojwk_free(key);
		}
		return json_incref(v);
	}
	abort();
}

/* The default of a field, a new reference (NULL: the member is null). */
static json_t *
default_of(const struct field *f)
{
	if (strcmp(f->name, "grant_types") == 0)
		return json_pack("[s]", "authorization_code");
	if (strcmp(f->name, "response_types") == 0)
		return json_pack("[s]", "code");
	if (strcmp(f->name, "scope") == 0)
		return json_string("offline_access offline openid");
	if (strcmp(f->name, "token_endpoint_auth_method") == 0)
		return json_string("client_secret_basic");
	switch (f->type) {
	case FT_STRS:
	case FT_TOKENS:
	case FT_URLS:
	case FT_REDIRECTS:
	case FT_ORIGINS:
	case FT_ENUMS:
		return json_array();
	case FT_BOOL:
		return json_false();
	case FT_INT:
		return json_integer(0);
	case FT_OBJECT:
		return json_object();
	case FT_ENUM:
		return json_string(f->choices[0]);
	case FT_JWKS:
	case FT_LIFESPAN:
	case FT_ID:
		return json_null();
	default:
		return json_string("");
	}
}

/*
 * response_types entries are space-separated sets of code, token and
 * id_token, and need the matching grant types (RFC 7591 §2.1):
 * code -> authorization_code, token or id_token -> implicit.
 */
static int
types_consistent(const json_t *rec, unsigned flags, struct oerr *err)
{
	json_t		*rt = json_object_get(rec, "response_types");
	json_t		*gt = json_object_get(rec, "grant_types");
	json_t		*e, *g;
	const char	*s, *p;
	size_t		 i, j, n;
	int		 code, token, idtoken, has_code = 0, has_implicit = 0;

	json_array_foreach(rt, i, e) {
		s = json_string_value(e);
		code = token = idtoken = 0;
		for (p = s; *p != '\0'; p += n) {
			while (*p == ' ')
				p++;
			if ((n = strcspn(p, " ")) == 0)
				break;
			if (n == 4 && strncmp(p, "code", 4) == 0 && !code)
				code = 1;
			else if (n == 5 && strncmp(p, "token", 5) == 0 &&
			    !token)
				token = 1;
			else if (n == 8 && strncmp(p, "id_token", 8) == 0 &&
			    !idtoken)
				idtoken = 1;
			else
				goto badtype;
		}
		if (!code && !token && !idtoken)
			goto badtype;
		has_code |= code;
		has_implicit |= token | idtoken;
	}
	json_array_foreach(gt, j, g) {
		if (strcmp(json_string_value(g), "authorization_code") == 0)
			has_code = 0;
		if (strcmp(json_string_value(g), "implicit") == 0)
			has_implicit = 0;
	}
	if (has_code || has_implicit) {
		oerr_set(err, bad(flags), "The field 'response_types' "
		    "includes %s, which needs the grant type '%s' in "
		    "'grant_types'.", has_code ? "code" : "token or id_token",
		    has_code ? "authorization_code" : "implicit");
		return 0;
	}
	return 1;
badtype:
	oerr_set(err, bad(flags), "The field 'response_types': \"%.64s\" is "
	    "not a combination of code, token and id_token, each at most "
	    "once.", s);
	return 0;
}

/* 1 if rec's grant_types include g. */
static int
has_grant(const json_t *rec, const char *g)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(json_object_get(rec, "grant_types"), i, e)
		if (strcmp(json_string_value(e), g) == 0)
			return 1;
	return 0;
}

/*
 * The token_exchange policy (clients.h): an object whose members, all
 * optional, are "subject_clients", "audiences" and "subject_issuers",
 * arrays of at most ARRAY_MAX non-empty strings without whitespace.
 */
static int
exchange_ok(const json_t *rec, unsigned flags, struct oerr *err)
{
	json_t		*pol = json_object_get(rec, "token_exchange"), *v, *e;
	const char	*k, *s;
	size_t		 i;

	json_object_foreach(pol, k, v) {
		if (strcmp(k, "subject_clients") != 0 &&
		    strcmp(k, "audiences") != 0 &&
		    strcmp(k, "subject_issuers") != 0) {
			oerr_set(err, bad(flags), "The field 'token_exchange' "
			    "has the member '%.64s'; only 'subject_clients', "
			    "'audiences' and 'subject_issuers' are known.", k);
			return 0;
		}
		if (!json_is_array(v) || json_array_size(v) > ARRAY_MAX)
			goto bad;
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				goto bad;
			s = json_string_value(e);
			if (*s == '\0' || has_space(s) || strlen(s) !=
			    json_string_length(e) || strlen(s) > STR_MAX)
				goto bad;
		}
		continue;
bad:
		oerr_set(err, bad(flags), "The field 'token_exchange.%s' must "
		    "be an array of at most %d non-empty strings without "
		    "whitespace.", k, ARRAY_MAX);
		return 0;
	}
	return 1;
}

/*
 * A pairwise client (OpenID Connect Core §8.1; Registration §2) needs a
 * sector identifier: its sector_identifier_uri's host (whose document
 * oclient_uris_check() fetched and found to list the redirect_uris), or
 * the one host of its redirect_uris.  Self-registering a pairwise
 * client is refused when the server does not offer pairwise subjects.
 * (The admin API keeps taking such a client, as oidcgi always has: it
 * sees public subjects, as discovery says, until pairwise ones are
 * configured.)  Returns 1, or 0 with a 400 naming the field.
 */
static int
subject_consistent(const json_t *rec, unsigned flags, struct oerr *err)
{
	const char	*type, *siu;
	struct ourl	 u;
	json_t		*v;
	char		 host[256];
	size_t		 i;

	type = json_string_value(json_object_get(rec, "subject_type"));
	siu = json_string_value(json_object_get(rec,
	    "sector_identifier_uri"));
	if (type == NULL || strcmp(type, "pairwise") != 0)
		return 1;
	if ((flags & OCLIENT_DCR) && !oconf_subject_type(oconf, "pairwise")) {
		oerr_set(err, bad(flags), "The field 'subject_type' is "
		    "'pairwise', which this server does not offer "
		    "(oidc.subject_identifiers.supported_types).");
		return 0;
	}
	if (siu != NULL && *siu != '\0')
		return 1;
	host[0] = '\0';
	json_array_foreach(json_object_get(rec, "redirect_uris"), i, v) {
		if (!json_is_string(v) ||
		    ourl_parse(json_string_value(v), &u) != NULL)
			continue;
		if (host[0] == '\0')
			snprintf(host, sizeof(host), "%s", u.host);
		else if (strcmp(host, u.host) != 0) {
			oerr_set(err, bad(flags), "The field 'redirect_uris' "
			    "has more than one host, so a pairwise client "
			    "needs a 'sector_identifier_uri' (OpenID Connect "
			    "Core §8.1).");
			return 0;
		}
	}
	if (host[0] == '\0') {
		oerr_set(err, bad(flags), "The field 'redirect_uris' is empty, "
		    "so a pairwise client needs a 'sector_identifier_uri' "
		    "(OpenID Connect Core §8.1).");
		return 0;
	}
	return 1;
}

/* Checks that involve several members. */
static int
consistent(json_t *rec, unsigned flags, struct oerr *err)
{
	const char	*method, *s;
	json_t		*jwks;

	if (!types_consistent(rec, flags, err) ||
	    !exchange_ok(rec, flags, err) ||
	    !subject_consistent(rec, flags, err))
		return 0;
	method = json_string_value(json_object_get(rec,
	    "token_endpoint_auth_method"));
	jwks = json_object_get(rec, "jwks");
	s = json_string_value(json_object_get(rec, "jwks_uri"));
	if (json_is_object(jwks) && *s != '\0') {
		oerr_set(err, bad(flags), "The fields 'jwks' and 'jwks_uri' "
		    "cannot both be set (RFC 7591 §2).");
		return 0;
	}
	if (strcmp(method, "private_key_jwt") == 0 && !json_is_object(jwks) &&
	    *s == '\0') {
		oerr_set(err, bad(flags), "The token_endpoint_auth_method "
		    "'private_key_jwt' needs 'jwks' or 'jwks_uri'.");
		return 0;
	}
	s = json_string_value(json_object_get(rec,
	    "token_endpoint_auth_signing_alg"));
	/* HS* only with client_secret_jwt, which takes nothing else. */
	if (*s != '\0' && (strncmp(s, "HS", 2) == 0) !=
	    (strcmp(method, "client_secret_jwt") == 0)) {
		oerr_set(err, bad(flags), "The field "
		    "'token_endpoint_auth_signing_alg' '%s' does not fit the "
		    "token_endpoint_auth_method '%s' (HS256, HS384 or HS512 "
		    "for client_secret_jwt, an asymmetric one for "
		    "private_key_jwt).", s, method);
		return 0;
	}
	if (strcmp(method, "none") == 0 &&
	    has_grant(rec, "client_credentials")) {
		oerr_set(err, bad(flags), "The grant type 'client_credentials' "
		    "needs a client that authenticates: "
		    "token_endpoint_auth_method must not be 'none'.");
		return 0;
	}
	return 1;
}

/* The key that seals client secrets, from system secret i. */
static int
secret_seal_key(size_t i, unsigned char key[OCRYPTO_AEAD_KEY_LEN])
{
	if (oconf == NULL || i >= oconf->nsecrets)
		return 0;
	return ocrypto_hkdf(oconf->secrets[i], strlen(oconf->secrets[i]),
	    NULL, 0, "oidcgi client secret", key, OCRYPTO_AEAD_KEY_LEN);
}

/*
 * Seal secret for rec's "_sealed_secret" (client_secret_jwt needs the
 * secret itself to check an HMAC): AES-256-GCM under a key derived from
 * the first system secret, base64url.  Returns 1, or 0.
 */
static int
seal_secret(json_t *rec, const char *secret)
{
	unsigned char	 sk[OCRYPTO_AEAD_KEY_LEN];
	unsigned char	 ct[OCLIENT_SECRET_MAX + OCRYPTO_AEAD_OVERHEAD];
	char		 out[OCLIENT_SEALED_MAX + 1];
	size_t		 len = strlen(secret), ctlen, olen;
	int		 ok;

	ok = len <= OCLIENT_SECRET_MAX && secret_seal_key(0, sk) &&
	    ocrypto_seal(sk, SEAL_AAD, strlen(SEAL_AAD), secret, len, ct,
	    sizeof(ct), &ctlen) &&
	    ocrypto_b64url_encode(out, sizeof(out), &olen, ct, ctlen);
	ocrypto_wipe(sk, sizeof(sk));
	if (ok)
		json_object_set_new(rec, "_sealed_secret", json_string(out));
	return ok;
}

int
oclient_secret_open(const struct oclient *c, char *out, size_t outsz,
    size_t *outlen)
{
	unsigned char	 sk[OCRYPTO_AEAD_KEY_LEN];
	unsigned char	 ct[OCLIENT_SECRET_MAX + OCRYPTO_AEAD_OVERHEAD];
	size_t		 len, ctlen, i;
	int		 ok = 0;

	if (c->secret_sealed == NULL || outsz == 0 ||
	    (len = strlen(c->secret_sealed)) > OCLIENT_SEALED_MAX ||
	    !ocrypto_b64url_decode(ct, sizeof(ct), &ctlen, c->secret_sealed,
	    len))
		return 0;
	for (i = 0; !ok && oconf != NULL && i < oconf->nsecrets; i++)
		ok = secret_seal_key(i, sk) && ocrypto_open(sk, SEAL_AAD,
		    strlen(SEAL_AAD), ct, ctlen, (unsigned char *)out,
		    outsz - 1, outlen);
	ocrypto_wipe(sk, sizeof(sk));
	if (ok)
		out[*outlen] = '\0';
	else
		olog_err("client %.64s: the sealed secret cannot be opened "
		    "(damaged, or sealed under a secret rotated out)", c->id);
	return ok;
}

/*
 * Set the secret of rec: see oclient_build() in clients.h.  in is the
 * input, old the old record or NULL.
 */
static int
set_secret(json_t *rec, const json_t *in, const json_t *old,
    unsigned flags, char *secret_out, struct oerr *err)
{
	const char	*method, *given = NULL;
	json_t		*v;
	char		 hash[OHASH_MAX], gen[JWT_SECRET_LEN + 1];
	const char	*alg;
	size_t		 min;
	int		 needs, sealed;

	secret_out[0] = '\0';
	method = json_string_value(json_object_get(rec,
	    "token_endpoint_auth_method"));
	needs = strcmp(method, "none") != 0 &&
	    strcmp(method, "private_key_jwt") != 0;
	sealed = strcmp(method, "client_secret_jwt") == 0;
	v = json_object_get(in, "client_secret");
	if (v != NULL && !json_is_null(v) &&
	    !(flags & (OCLIENT_GEN_SECRET | OCLIENT_DCR))) {
		if (!json_is_string(v) || strlen(json_string_value(v)) !=
		    json_string_length(v)) {
			oerr_set(err, bad(flags), "The field 'client_secret' "
			    "must be a string.");
			return 0;
		}
		given = json_string_value(v);
		if (*given == '\0')
			given = NULL;
	}
	if (given != NULL && !needs) {
		oerr_set(err, bad(flags), "A client whose "
		    "token_endpoint_auth_method is '%s' has no secret; "
		    "'client_secret' must not be set.", method);
		return 0;
	}
	if (!needs)
		return 1;
	if (given != NULL) {
		if (strlen(given) < OCLIENT_SECRET_MIN ||
		    strlen(given) > OCLIENT_SECRET_MAX) {
			oerr_set(err, bad(flags), "The field 'client_secret' "
			    "must be %d to %d bytes long.", OCLIENT_SECRET_MIN,
			    OCLIENT_SECRET_MAX);
			return 0;
		}
		/*
		 * client_secret_jwt: the secret is the HMAC key, at least
		 * as long as the hash (RFC 7518 §3.2).
		 */
		alg = json_string_value(json_object_get(rec,
		    "token_endpoint_auth_signing_alg"));
		min = strcmp(alg, "HS512") == 0 ? 64 :
		    strcmp(alg, "HS384") == 0 ? 48 : 32;
		if (sealed && strlen(given) < min) {
			oerr_set(err, bad(flags), "The field 'client_secret' "
			    "must be at least %zu bytes long for "
			    "client_secret_jwt (the HMAC key, RFC 7518 §3.2).",
			    min);
			return 0;
		}
		if (!ohash_slow(given, OHASH_PBKDF2_ITER, hash, sizeof(hash)))
			goto fail;
		strcpy(secret_out, given);
	} else if ((flags & OCLIENT_KEEP_SECRET) && old != NULL &&
	    json_is_string(json_object_get(old, "_secret")) && (!sealed ||
	    json_is_string(json_object_get(old, "_sealed_secret")))) {
		/*
		 * Kept; a client turned to client_secret_jwt whose secret
		 * was only hashed gets a new one below.
		 */
		json_object_set(rec, "_secret",
		    json_object_get(old, "_secret"));
		if (sealed)
			json_object_set(rec, "_sealed_secret",
			    json_object_get(old, "_sealed_secret"));
		return 1;
	} else {
		/* 384 bits for client_secret_jwt: an HS512 key. */
		if (!ocrypto_token(gen, sizeof(gen), sealed ? JWT_SECRET_BYTES :
		    OCLIENT_SECRET_BYTES) ||
		    !ohash_keyed(gen, "client_secret", hash, sizeof(hash)))
			goto fail;
		strcpy(secret_out, gen);
		ocrypto_wipe(gen, sizeof(gen));
	}
	json_object_set_new(rec, "_secret", json_string(hash));
	if (sealed && !seal_secret(rec, secret_out)) {
		ocrypto_wipe(secret_out, strlen(secret_out));
		secret_out[0] = '\0';
		goto fail;
	}
	return 1;
fail:
	oerr_set(err, OERR_SERVER_ERROR, "The client secret could not be "
	    "hashed or sealed.");
	return 0;
}

/* A fresh "_epoch" for rec: 72 random bits, base64url. */
static void
new_epoch(json_t *rec)
{
	char	 e[OCLIENT_EPOCH_LEN + 1];

	if (!ocrypto_token(e, sizeof(e), 9))
		abort();
	json_object_set_new(rec, "_epoch", json_string(e));
}

json_t *
oclient_build(const json_t *in, const json_t *old, unsigned flags,
    char *secret_out, struct oerr *err)
{
	json_t		*rec = NULL, *v, *val;
	const json_t	*src;
	const char	*at;
	char		 id[37], now[32];
	size_t		 i;
	int		 native = 0, reset;

	secret_out[0] = '\0';
	if (!json_is_object(in)) {
		oerr_set(err, bad(flags), "The client must be a JSON object.");
		return NULL;
	}
	rec = json_object();
	json_object_set_new(rec, "_v", json_integer(RECORD_VERSION));
	/* application_type first: redirect_uris depend on it. */
	v = json_object_get(in, "application_type");
	if ((v == NULL || json_is_null(v)) && old != NULL)
		v = json_object_get(old, "application_type");
	native = json_is_string(v) &&
	    strcmp(json_string_value(v), "native") == 0;

	for (i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];

		v = json_object_get(in, f->name);
		reset = v != NULL && json_is_null(v);
		if (reset)
			v = NULL;
		if ((flags & OCLIENT_DCR) && (f->flags & F_NODCR) &&
		    v != NULL) {
			oerr_set(err, OERR_INVALID_CLIENT_METADATA, "The field "
			    "'%s' cannot be set through dynamic client "
			    "registration.", f->name);
			goto fail;
		}
		if (f->type == FT_ID) {
			if ((flags & (OCLIENT_GEN_ID | OCLIENT_DCR)) &&
			    old == NULL)
				v = NULL;
			if (old != NULL)
				v = json_object_get(old, "client_id");
			if (v == NULL) {
				ocrypto_uuid4(id);
				json_object_set_new(rec, f->name,
				    json_string(id));
				continue;
			}
		}
		/*
		 * Absent: keep what the old record had, or the default.  An
		 * explicit null resets to the default even when merging.
		 * Self-registration keeps what only the operator may set
		 * (RFC 7592 §2.2 replaces only the registrant's metadata).
		 */
		src = NULL;
		if (v == NULL && old != NULL && ((f->flags & F_EXTRA) ||
		    ((flags & OCLIENT_MERGE) && !reset) ||
		    ((flags & OCLIENT_DCR) && (f->flags & F_NODCR))))
			src = old;
		if (v == NULL && src != NULL &&
		    (val = json_object_get(src, f->name)) != NULL) {
			json_object_set(rec, f->name, val);
			continue;
		}
		if (v == NULL) {
			json_object_set_new(rec, f->name, default_of(f));
			continue;
		}
		if ((val = check(f, v, native, flags, err)) == NULL)
			goto fail;
		json_object_set_new(rec, f->name, val);
	}
	/*
	 * A client given grant types but no response types (Hydra's CLI
	 * does that for client_credentials) gets the response types its
	 * grants allow rather than a default that contradicts them.
	 */
	v = json_object_get(in, "response_types");
	if ((v == NULL || json_is_null(v)) && (old == NULL ||
	    !(flags & OCLIENT_MERGE)) && !has_grant(rec, "authorization_code"))
		json_object_set_new(rec, "response_types", json_array());
	if (!consistent(rec, flags, err))
		goto fail;
	if (!set_secret(rec, in, old, flags, secret_out, err))
		goto fail;
	otime_rfc3339(onow(), now, sizeof(now));
	at = old != NULL ?
	    json_string_value(json_object_get(old, "created_at")) : NULL;
	json_object_set_new(rec, "created_at", json_string(at != NULL ?
	    at : now));
	json_object_set_new(rec, "updated_at", json_string(now));
	if (old != NULL && (v = json_object_get(old, "_rat")) != NULL)
		json_object_set(rec, "_rat", v);
	/*
	 * The epoch of its stateless tokens (tokens.h): kept on update,
	 * new for a new client, so that a client deleted and created again
	 * under its old client_id does not find its predecessor's tokens
	 * valid.
	 */
	if (old != NULL && json_is_string(v = json_object_get(old,
	    "_epoch")))
		json_object_set(rec, "_epoch", v);
	else
		new_epoch(rec);
	return rec;
fail:
	json_decref(rec);
	ocrypto_wipe(secret_out, strlen(secret_out));
	return NULL;
}

/*
 * The clients_by_app key of rec (app_id NUL client_id) into key, which
 * holds 2 * OCLIENT_ID_MAX + 2 bytes.  Returns its length, or 0 when rec
 * belongs to no application.
 */
static size_t
app_key(const json_t *rec, char *key)
{
	const char	*id = json_string_value(json_object_get(rec,
			    "client_id"));
	const char	*app = json_string_value(json_object_get(rec,
			    "app_id"));
	size_t		 alen, ilen;

	if (app == NULL || *app == '\0' || id == NULL)
		return 0;
	alen = strlen(app);
	if (alen > OCLIENT_ID_MAX)
		alen = OCLIENT_ID_MAX;
	if ((ilen = strlen(id)) > OCLIENT_ID_MAX)
		ilen = OCLIENT_ID_MAX;
	memcpy(key, app, alen);
	key[alen] = '\0';
	memcpy(key + alen + 1, id, ilen);
	return alen + 1 + ilen;
}

/* Store rec under its client_id (and its app index entry). */
static int
put(struct ostore_txn *t, const json_t *rec, unsigned pflags,
    struct oerr *err)
{
	const char	*id = json_string_value(json_object_get(rec,
			    "client_id"));
	char		*buf, key[OCLIENT_ID_MAX * 2 + 2];
	size_t		 klen;
	enum ostore_rc	 rc;

	buf = json_dumps(rec, JSON_COMPACT);
	rc = ostore_put(t, OSTORE_CLIENTS, id, strlen(id), buf, strlen(buf),
	    pflags);
	free(buf);
	if (rc == OSTORE_EXISTS) {
		oerr_set(err, OERR_CONFLICT, "A client with the client_id "
		    "'%s' exists already.", id);
		return 0;
	}
	if (rc == OSTORE_OK && (klen = app_key(rec, key)) > 0)
		rc = ostore_put(t, OSTORE_CLIENTS_BY_APP, key, klen, "", 0, 0);
	if (rc != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The client could not be "
		    "stored.");
		return 0;
	}
	return 1;
}

/* Remove rec's app index entry. */
static void
unindex(struct ostore_txn *t, const json_t *rec)
{
	char	 key[OCLIENT_ID_MAX * 2 + 2];
	size_t	 klen;

	if ((klen = app_key(rec, key)) > 0)
		ostore_del(t, OSTORE_CLIENTS_BY_APP, key, klen);
}

int
oclient_insert(struct ostore_txn *t, const json_t *rec, struct oerr *err)
{
	return put(t, rec, OSTORE_NOOVERWRITE, err);
}

json_t *
oclient_load(struct ostore_txn *t, const char *id, struct oerr *err)
{
	const void	*val;
	size_t		 len;
	json_t		*rec;
	json_error_t	 je;

	switch (ostore_get(t, OSTORE_CLIENTS, id, strlen(id), &val, &len)) {
	case OSTORE_OK:
		break;
	case OSTORE_NOTFOUND:
		oerr_set(err, OERR_NOT_FOUND, "The OAuth 2.0 client '%.255s' "
		    "does not exist.", id);
		return NULL;
	default:
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return NULL;
	}
	if ((rec = json_loadb(val, len, 0, &je)) == NULL) {
		olog_err("client record %.64s: %s", id, je.text);
		oerr_set(err, OERR_SERVER_ERROR, "A client record is damaged.");
	}
	return rec;
}

/*
 * Decoded records, per process, with the stored bytes they were decoded
 * from (oclient_find()).  A hit is a store read and a comparison of
 * those bytes, so a record changed by any process is never served
 * stale.  Each entry holds a reference to its struct oclient.
 */
static struct cached {
	char		*id;
	unsigned char	*raw;
	size_t		 rawlen;
	struct oclient	*client;
} cached[CACHE_CLIENTS];
static size_t		 cached_next;

json_t *
oclient_load_cached(struct ostore_txn *t, const char *id, struct oerr *err)
{
	const struct oclient	*c;
	json_t			*rec;

	if ((c = oclient_find(t, id, err)) == NULL)
		return NULL;
	rec = json_incref((json_t *)c->rec);
	oclient_release(c);
	return rec;
}

int
oclient_void_tokens(struct ostore_txn *t, const char *id, struct oerr *err)
{
	json_t	*rec;
	int	 rc;

	if ((rec = oclient_load(t, id, err)) == NULL)
		return 0;
	new_epoch(rec);
	rc = put(t, rec, 0, err);
	json_decref(rec);
	return rc;
}

int
oclient_replace(struct ostore_txn *t, const json_t *rec, struct oerr *err)
{
	json_t	*old;
	int	 rc;

	if ((old = oclient_load(t, json_string_value(json_object_get(rec,
	    "client_id")), err)) == NULL)
		return 0;
	unindex(t, old);
	json_decref(old);
	rc = put(t, rec, 0, err);
	return rc;
}

int
oclient_erase(struct ostore_txn *t, const char *id, struct oerr *err)
{
	json_t	*old;

	if ((old = oclient_load(t, id, err)) == NULL)
		return 0;
	unindex(t, old);
	json_decref(old);
	if (ostore_del(t, OSTORE_CLIENTS, id, strlen(id)) != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The client could not be "
		    "deleted.");
		return 0;
	}
	return 1;
}

struct listing {
	const struct oclient_filter	*f;
	struct ostore_txn		*t;
	size_t				 offset, limit, total;
	json_t				*out;
	int				 failed;
};

static int
list_one(const void *val, size_t len, struct listing *l)
{
	json_t		*rec;
	const char	*s;

	if ((rec = json_loadb(val, len, 0, NULL)) == NULL) {
		l->failed = 1;
		return 0;
	}
	if ((l->f->client_name != NULL && ((s = json_string_value(
	    json_object_get(rec, "client_name"))) == NULL ||
	    strcmp(s, l->f->client_name) != 0)) ||
	    (l->f->owner != NULL && ((s = json_string_value(
	    json_object_get(rec, "owner"))) == NULL ||
	    strcmp(s, l->f->owner) != 0))) {
		json_decref(rec);
		return 1;
	}
	if (l->total >= l->offset && l->total - l->offset < l->limit)
		json_array_append(l->out, rec);
	l->total++;
	json_decref(rec);
	return 1;
}

static int
list_clients_cb(const void *k, size_t kl, const void *v, size_t vl,
    void *arg)
{
	return list_one(v, vl, arg);
}

/* An app index entry: load the client it names. */
static int
list_app_cb(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct listing	*l = arg;
	const char	*id = memchr(k, '\0', kl);
	const void	*val;
	size_t		 len;

	if (id == NULL)
		return 1;
	id++;
	if (ostore_get(l->t, OSTORE_CLIENTS, id,
	    kl - (size_t)(id - (const char *)k), &val, &len) != OSTORE_OK)
		return 1;
	return list_one(val, len, l);
}

json_t *
oclient_list(struct ostore_txn *t, const struct oclient_filter *f,
    size_t offset, size_t limit, size_t *total, struct oerr *err)
{
	struct listing	 l;
	char		 prefix[OCLIENT_ID_MAX + 1];
	size_t		 plen;
	enum ostore_rc	 rc;

	memset(&l, 0, sizeof(l));
	l.f = f;
	l.t = t;
	l.offset = offset;
	l.limit = limit;
	l.out = json_array();
	if (f->app_id != NULL) {
		if ((plen = strlen(f->app_id)) > OCLIENT_ID_MAX) {
			*total = 0;
			return l.out;
		}
		memcpy(prefix, f->app_id, plen);
		prefix[plen++] = '\0';
		rc = ostore_scan(t, OSTORE_CLIENTS_BY_APP, prefix, plen, NULL,
		    0, list_app_cb, &l);
	} else
		rc = ostore_scan(t, OSTORE_CLIENTS, NULL, 0, NULL, 0,
		    list_clients_cb, &l);
	if (rc != OSTORE_OK || l.failed) {
		json_decref(l.out);
		oerr_set(err, OERR_SERVER_ERROR, "The clients could not be "
		    "listed.");
		return NULL;
	}
	*total = l.total;
	return l.out;
}

/*
 * Secrets verified by this process: the client, the stored hash they
 * were verified against, and an HMAC of the secret under a key made at
 * random per process.  A later request with the same secret against the
 * same stored hash costs one HMAC instead of PBKDF2 (chosen secrets) or
 * HKDF and three HMACs (generated ones).  A changed secret changes the
 * stored hash, so nothing stale is ever accepted.  Only successes are
 * kept.
 */
static struct verified {
	char		 id[OCLIENT_ID_MAX + 1];
	char		 hash[OHASH_MAX];
	unsigned char	 mac[OCRYPTO_SHA256_LEN];
} verified[CACHE_SECRETS];
static size_t		 verified_next;
static unsigned char	 verified_key[OCRYPTO_SHA256_LEN];
static int		 verified_keyed;

int
oclient_secret_ok(const struct oclient *c, const char *secret)
{
	const char	*id = c->id;
	const char	*hash = c->secret_hash;
	unsigned char	 mac[OCRYPTO_SHA256_LEN];
	struct verified	*v = NULL;
	size_t		 i;
	int		 ok = 0, macd;

	if (secret == NULL || hash == NULL || id == NULL ||
	    strlen(id) > OCLIENT_ID_MAX || strlen(hash) >= OHASH_MAX)
		return ohash_verify(secret, "client_secret", hash);
	if (!verified_keyed) {
		ocrypto_random(verified_key, sizeof(verified_key));
		verified_keyed = 1;
	}
	macd = ocrypto_hmac(OCRYPTO_SHA256, verified_key,
	    sizeof(verified_key), secret, strlen(secret), mac);
	for (i = 0; macd && i < CACHE_SECRETS; i++)
		if (strcmp(verified[i].id, id) == 0) {
			v = &verified[i];
			break;
		}
	if (v != NULL && strcmp(v->hash, hash) == 0 &&
	    CRYPTO_memcmp(v->mac, mac, sizeof(mac)) == 0)
		ok = 1;
	else if ((ok = ohash_verify(secret, "client_secret", hash)) &&
	    macd) {
		if (v == NULL) {
			v = &verified[verified_next];
			verified_next = (verified_next + 1) % CACHE_SECRETS;
		}
		snprintf(v->id, sizeof(v->id), "%s", id);
		snprintf(v->hash, sizeof(v->hash), "%s", hash);
		memcpy(v->mac, mac, sizeof(mac));
	}
	ocrypto_wipe(mac, sizeof(mac));
	return ok;
}

void
oclient_rat_new(json_t *rec, char *token_out)
{
	char	 hash[OHASH_MAX];

	if (!ocrypto_token(token_out, OCLIENT_SECRET_LEN,
	    OCLIENT_SECRET_BYTES) ||
	    !ohash_keyed(token_out, "registration_access_token", hash,
	    sizeof(hash)))
		abort();
	json_object_set_new(rec, "_rat", json_string(hash));
}

int
oclient_rat_ok(const json_t *rec, const char *token)
{
	return ohash_verify(token, "registration_access_token",
	    json_string_value(json_object_get(rec, "_rat")));
}

json_t *
oclient_view_hydra(const json_t *rec, const char *secret)
{
	json_t		*out = json_object(), *v;
	size_t		 i;
	char		 buf[64];

	for (i = 0; i < NFIELDS; i++) {
		v = json_object_get(rec, fields[i].name);
		if ((fields[i].flags & F_SHOWSET) && json_object_size(v) > 0) {
			json_object_set(out, fields[i].name, v);
			continue;
		}
		if (fields[i].flags & F_EXTRA)
			continue;
		if (v == NULL)
			continue;
		/* Hydra omits an unset key set (omitempty). */
		if (fields[i].type == FT_JWKS && json_is_null(v))
			continue;
		if (fields[i].type == FT_LIFESPAN && json_is_integer(v)) {
			oclient_duration_str(json_integer_value(v), buf,
			    sizeof(buf));
			json_object_set_new(out, fields[i].name,
			    json_string(buf));
		} else
			json_object_set(out, fields[i].name, v);
		if (strcmp(fields[i].name, "client_name") == 0 &&
		    secret != NULL && *secret != '\0')
			json_object_set_new(out, "client_secret",
			    json_string(secret));
	}
	json_object_set(out, "created_at", json_object_get(rec, "created_at"));
	json_object_set(out, "updated_at", json_object_get(rec, "updated_at"));
	return out;
}

/* Arguments of the whole operations' write functions. */
struct op {
	const char	*id;
	const json_t	*in;
	unsigned	 flags;
	char		*secret_out;
	json_t		*rec;		/* result */
};

static int
create_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;

	json_decref(op->rec);
	if ((op->rec = oclient_build(op->in, NULL, op->flags, op->secret_out,
	    err)) == NULL)
		return 0;
	return oclient_insert(t, op->rec, err);
}

json_t *
oclient_create(const json_t *in, unsigned flags, char *secret_out,
    struct oerr *err)
{
	struct op	 op = { NULL, in, flags, secret_out, NULL };

	secret_out[0] = '\0';
	if (!oclient_uris_check(in, flags, err) ||
	    !ostore_write(create_fn, &op, err)) {
		json_decref(op.rec);
		ocrypto_wipe(secret_out, strlen(secret_out));
		return NULL;
	}
	return op.rec;
}

static int
update_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;
	json_t		*old, *v;
	int		 rc = 0;

	json_decref(op->rec);
	op->rec = NULL;
	if ((old = oclient_load(t, op->id, err)) == NULL)
		return 0;
	v = json_object_get(op->in, "client_id");
	if (v != NULL && !json_is_null(v) && (!json_is_string(v) ||
	    strcmp(json_string_value(v), op->id) != 0)) {
		oerr_set(err, bad(op->flags), "The field 'client_id' cannot "
		    "be changed.");
		goto out;
	}
	if ((op->rec = oclient_build(op->in, old, op->flags, op->secret_out,
	    err)) == NULL)
		goto out;
	rc = oclient_replace(t, op->rec, err);
out:
	json_decref(old);
	return rc;
}

json_t *
oclient_update(const char *id, const json_t *in, unsigned flags,
    char *secret_out, struct oerr *err)
{
	struct op	 op = { id, in, flags, secret_out, NULL };
	json_t		*whole = NULL;
	struct oerr	 e;
	int		 ok;

	secret_out[0] = '\0';
	/*
	 * A merge is checked as the client it makes (the sector document
	 * must list the redirect URIs the client keeps); an unknown client
	 * is left for the write to answer.
	 */
	oerr_clear(&e);
	if ((flags & OCLIENT_MERGE) && json_is_object(in) &&
	    (whole = oclient_get(id, &e)) != NULL)
		json_object_update(whole, (json_t *)in);
	ok = oclient_uris_check(whole != NULL ? whole : in, flags, err);
	json_decref(whole);
	if (!ok || !ostore_write(update_fn, &op, err)) {
		json_decref(op.rec);
		ocrypto_wipe(secret_out, strlen(secret_out));
		return NULL;
	}
	return op.rec;
}

json_t *
oclient_get_cached(const char *id, struct oerr *err)
{
	struct ostore_txn	*t;
	json_t			*rec;

	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	rec = oclient_load_cached(t, id, err);
	ostore_read_end(t);
	return rec;
}

json_t *
oclient_get(const char *id, struct oerr *err)
{
	struct ostore_txn	*t;
	json_t			*rec;

	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	rec = oclient_load(t, id, err);
	ostore_read_end(t);
	return rec;
}

/* The number of client records (clients.h). */
int
oclient_count(struct ostore_txn *t, size_t *n, struct oerr *err)
{
	if (ostore_count(t, OSTORE_CLIENTS, n) != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The clients could not be "
		    "counted.");
		return 0;
	}
	return 1;
}

/*
 * The decoded client (clients.h).
 */

const char *const oclient_lifespan_names[OCLIENT_LS_N] = {
	"authorization_code_grant_access_token_lifespan",
	"authorization_code_grant_id_token_lifespan",
	"authorization_code_grant_refresh_token_lifespan",
	"client_credentials_grant_access_token_lifespan",
	"implicit_grant_access_token_lifespan",
	"implicit_grant_id_token_lifespan",
	"jwt_bearer_grant_access_token_lifespan",
	"refresh_token_grant_access_token_lifespan",
	"refresh_token_grant_id_token_lifespan",
	"refresh_token_grant_refresh_token_lifespan"
};

/* Decoding one record: what is wrong, for the error. */
struct dec {
	const json_t	*rec;
	const char	*id;
	const char	*bad;		/* the member, or NULL */
	const char	*why;
};

/* A string member into *out ("" when absent or null); 0 if not one. */
static int
dec_str(struct dec *d, const char *name, const char **out)
{
	json_t	*v = json_object_get(d->rec, name);

	*out = "";
	if (v == NULL || json_is_null(v))
		return 1;
	if (!json_is_string(v)) {
		d->bad = name;
		d->why = "is not a string";
		return 0;
	}
	*out = json_string_value(v);
	return 1;
}

/* A boolean member (absent: false). */
static int
dec_bool(struct dec *d, const char *name, int *out)
{
	json_t	*v = json_object_get(d->rec, name);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 1;
	if (!json_is_boolean(v)) {
		d->bad = name;
		d->why = "is not true or false";
		return 0;
	}
	*out = json_is_true(v);
	return 1;
}

/* An integer member (absent or null: 0). */
static int
dec_int(struct dec *d, const char *name, int64_t *out)
{
	json_t	*v = json_object_get(d->rec, name);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 1;
	if (!json_is_integer(v)) {
		d->bad = name;
		d->why = "is not an integer";
		return 0;
	}
	*out = (int64_t)json_integer_value(v);
	return 1;
}

/* A member among choices (absent: the first); its index into *out. */
static int
dec_enum(struct dec *d, const char *name, const char *const *choices,
    int *out)
{
	const char	*s;
	int		 i;

	*out = 0;
	if (!dec_str(d, name, &s))
		return 0;
	if (json_object_get(d->rec, name) == NULL ||
	    json_is_null(json_object_get(d->rec, name)))
		return 1;
	for (i = 0; choices[i] != NULL; i++)
		if (strcmp(s, choices[i]) == 0) {
			*out = i;
			return 1;
		}
	d->bad = name;
	d->why = "has a value that is not supported";
	return 0;
}

/*
 * An array of strings into *out (one allocation: free(*out)), borrowed
 * from the record; absent or null is empty.
 */
static int
dec_strs(struct dec *d, const char *name, const char ***out, size_t *n)
{
	json_t	*v = json_object_get(d->rec, name), *e;
	size_t	 i;

	*out = NULL;
	*n = 0;
	if (v == NULL || json_is_null(v))
		return 1;
	if (!json_is_array(v)) {
		d->bad = name;
		d->why = "is not an array";
		return 0;
	}
	*out = oxcalloc(json_array_size(v) + 1, sizeof(**out));
	json_array_foreach(v, i, e) {
		if (!json_is_string(e)) {
			d->bad = name;
			d->why = "has an item that is not a string";
			return 0;
		}
		(*out)[i] = json_string_value(e);
	}
	*n = json_array_size(v);
	return 1;
}

/*
 * The parts (OCLIENT_RT_*) of a response type, e.g. "code id_token",
 * each at most once; 0 when it is not one.
 */
static unsigned
rt_parts(const char *s)
{
	unsigned	 b = 0, part;
	size_t		 n;

	for (; *s != '\0'; s += n) {
		while (*s == ' ')
			s++;
		if ((n = strcspn(s, " ")) == 0)
			break;
		if (n == 4 && strncmp(s, "code", 4) == 0)
			part = OCLIENT_RT_CODE;
		else if (n == 5 && strncmp(s, "token", 5) == 0)
			part = OCLIENT_RT_TOKEN;
		else if (n == 8 && strncmp(s, "id_token", 8) == 0)
			part = OCLIENT_RT_IDTOKEN;
		else
			return 0;
		if (b & part)
			return 0;
		b |= part;
	}
	return b;
}

/* Free what c holds, and c. */
static void
client_free(struct oclient *c)
{
	if (c == NULL)
		return;
	free(c->redirect_uris);
	free(c->post_logout_redirect_uris);
	free(c->request_uris);
	free(c->scopes);
	free(c->audience);
	ojwks_free(c->jwks);
	free(c->jwks_error);
	json_decref((json_t *)c->rec);
	free(c);
}

/* The scope words of c into c->scopes (one allocation). */
static void
dec_scopes(struct oclient *c)
{
	size_t	 n = 0, len = strlen(c->scope);
	char	*copy, *w, *save = NULL;

	c->scopes = oxcalloc(1, (len / 2 + 2) * sizeof(*c->scopes) + len + 1);
	copy = (char *)(c->scopes + len / 2 + 2);
	memcpy(copy, c->scope, len + 1);
	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		c->scopes[n++] = w;
	c->nscopes = n;
}

/* The members of d->rec into c; 0 with d->bad set when one is wrong. */
static int
decode(struct dec *d, struct oclient *c)
{
	const char	**list;
	struct oerr	 e;
	size_t		 i, n;
	unsigned	 bit;
	int		 v;

	if (!dec_enum(d, "token_endpoint_auth_method", auth_methods, &v))
		return 0;
	c->auth = (enum oclient_auth)v;
	if (!dec_str(d, "token_endpoint_auth_signing_alg", &c->auth_alg) ||
	    !dec_strs(d, "grant_types", &list, &n)) {
		free(list);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if ((bit = oclient_grant_bit(list[i])) == 0) {
			d->bad = "grant_types";
			d->why = "has a value that is not supported";
			free(list);
			return 0;
		}
		c->grant_types |= bit;
	}
	free(list);
	if (!dec_strs(d, "response_types", &list, &n)) {
		free(list);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if ((bit = rt_parts(list[i])) == 0) {
			d->bad = "response_types";
			d->why = "has a value that is not supported";
			free(list);
			return 0;
		}
		c->response_types |= OCLIENT_RT_BIT(bit);
	}
	free(list);
	if (!dec_strs(d, "redirect_uris", &c->redirect_uris,
	    &c->nredirect_uris) ||
	    !dec_strs(d, "post_logout_redirect_uris",
	    &c->post_logout_redirect_uris, &c->npost_logout_redirect_uris) ||
	    !dec_strs(d, "request_uris", &c->request_uris,
	    &c->nrequest_uris) ||
	    !dec_strs(d, "audience", &c->audience, &c->naudience) ||
	    !dec_str(d, "scope", &c->scope))
		return 0;
	dec_scopes(c);
	c->jwks_json = json_object_get(d->rec, "jwks");
	if (c->jwks_json != NULL && json_is_null(c->jwks_json))
		c->jwks_json = NULL;
	if (c->jwks_json != NULL && !json_is_object(c->jwks_json)) {
		d->bad = "jwks";
		d->why = "is not an object";
		return 0;
	}
	oerr_clear(&e);
	if (c->jwks_json != NULL &&
	    (c->jwks = ojwks_import(c->jwks_json, 0, &e)) == NULL)
		c->jwks_error = oxstrdup(e.description);
	if (!dec_str(d, "jwks_uri", &c->jwks_uri) ||
	    !dec_str(d, "request_object_signing_alg",
	    &c->request_object_alg) ||
	    !dec_enum(d, "userinfo_signed_response_alg", userinfo_algs, &v))
		return 0;
	c->userinfo_alg = (enum oclient_userinfo)v;
	if (!dec_bool(d, "require_pkce", &c->require_pkce) ||
	    !dec_bool(d, "require_pushed_authorization_requests",
	    &c->require_par) ||
	    !dec_bool(d, "dpop_bound_access_tokens", &c->dpop_bound) ||
	    !dec_int(d, "default_max_age", &c->default_max_age) ||
	    !dec_enum(d, "access_token_strategy", strategies, &v))
		return 0;
	c->strategy = (enum oclient_strategy)v;
	for (i = 0; i < OCLIENT_LS_N; i++) {
		if (!dec_int(d, oclient_lifespan_names[i], &c->lifespans[i]))
			return 0;
		if (c->lifespans[i] < 0)
			c->lifespans[i] = 0;
	}
	if (!dec_bool(d, "skip_consent", &c->skip_consent) ||
	    !dec_bool(d, "skip_logout_consent", &c->skip_logout_consent) ||
	    !dec_str(d, "frontchannel_logout_uri",
	    &c->frontchannel_logout_uri) ||
	    !dec_bool(d, "frontchannel_logout_session_required",
	    &c->frontchannel_session_required) ||
	    !dec_str(d, "backchannel_logout_uri",
	    &c->backchannel_logout_uri) ||
	    !dec_bool(d, "backchannel_logout_session_required",
	    &c->backchannel_session_required) ||
	    !dec_enum(d, "subject_type", subject_types, &v))
		return 0;
	c->subject_type = (enum oclient_subject)v;
	if (!dec_str(d, "sector_identifier_uri",
	    &c->sector_identifier_uri) ||
	    !dec_str(d, "app_id", &c->app_id) ||
	    !dec_str(d, "_epoch", &c->epoch) ||
	    !dec_str(d, "_secret", &c->secret_hash) ||
	    !dec_str(d, "_sealed_secret", &c->secret_sealed) ||
	    !dec_int(d, "client_secret_expires_at", &c->secret_expires_at))
		return 0;
	if (*c->secret_hash == '\0')
		c->secret_hash = NULL;
	if (*c->secret_sealed == '\0')
		c->secret_sealed = NULL;
	return 1;
}

struct oclient *
oclient_decode(const json_t *rec, struct oerr *err)
{
	struct oclient	*c;
	struct dec	 d;

	memset(&d, 0, sizeof(d));
	d.rec = rec;
	d.id = json_string_value(json_object_get(rec, "client_id"));
	if (!json_is_object(rec) || d.id == NULL || *d.id == '\0') {
		olog_err("client record %.64s: no client_id", d.id != NULL ?
		    d.id : "?");
		oerr_set(err, OERR_SERVER_ERROR, "The record of the OAuth 2.0 "
		    "client '%.64s' is damaged: it has no client_id.",
		    d.id != NULL ? d.id : "?");
		return NULL;
	}
	c = oxcalloc(1, sizeof(*c));
	c->refs = 1;
	c->rec = json_incref((json_t *)rec);
	c->id = d.id;
	if (!decode(&d, c)) {
		olog_err("client record %.64s: '%s' %s", d.id, d.bad, d.why);
		oerr_set(err, OERR_SERVER_ERROR, "The record of the OAuth 2.0 "
		    "client '%.64s' is damaged: the member '%s' %s.", d.id,
		    d.bad, d.why);
		client_free(c);
		return NULL;
	}
	return c;
}

void
oclient_release(const struct oclient *cc)
{
	/* The count is the only thing a holder changes (clients.h). */
	struct oclient	*c = (struct oclient *)cc;

	if (c != NULL && --c->refs == 0)
		client_free(c);
}

const struct oclient *
oclient_find(struct ostore_txn *t, const char *id, struct oerr *err)
{
	const void	*val;
	size_t		 len, i;
	struct cached	*slot = NULL;
	struct oclient	*c;
	json_t		*rec;
	json_error_t	 je;

	switch (ostore_get(t, OSTORE_CLIENTS, id, strlen(id), &val, &len)) {
	case OSTORE_OK:
		break;
	case OSTORE_NOTFOUND:
		oerr_set(err, OERR_NOT_FOUND, "The OAuth 2.0 client '%.255s' "
		    "does not exist.", id);
		return NULL;
	default:
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return NULL;
	}
	for (i = 0; i < CACHE_CLIENTS; i++)
		if (cached[i].id != NULL && strcmp(cached[i].id, id) == 0) {
			slot = &cached[i];
			break;
		}
	if (slot != NULL && slot->rawlen == len &&
	    memcmp(slot->raw, val, len) == 0) {
		slot->client->refs++;
		return slot->client;
	}
	if ((rec = json_loadb(val, len, 0, &je)) == NULL) {
		olog_err("client record %.64s: %s", id, je.text);
		oerr_set(err, OERR_SERVER_ERROR, "The record of the OAuth 2.0 "
		    "client '%.64s' is damaged.", id);
		return NULL;
	}
	c = oclient_decode(rec, err);
	json_decref(rec);
	if (c == NULL)
		return NULL;
	if (slot == NULL) {
		slot = &cached[cached_next];
		cached_next = (cached_next + 1) % CACHE_CLIENTS;
	}
	free(slot->id);
	free(slot->raw);
	oclient_release(slot->client);
	slot->id = oxstrdup(id);
	slot->raw = oxmalloc(len > 0 ? len : 1);
	memcpy(slot->raw, val, len);
	slot->rawlen = len;
	slot->client = c;
	c->refs++;
	return c;
}

const struct oclient *
oclient_fetch(const char *id, struct oerr *err)
{
	struct ostore_txn	*t;
	const struct oclient	*c;

	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	c = oclient_find(t, id, err);
	ostore_read_end(t);
	return c;
}

const char *
oclient_auth_name(enum oclient_auth m)
{
	return (unsigned)m <= OCLIENT_AUTH_SECRET_JWT ? auth_methods[m] : "";
}

unsigned
oclient_grant_bit(const char *name)
{
	size_t	 i;

	for (i = 0; grant_types[i] != NULL; i++)
		if (strcmp(name, grant_types[i]) == 0)
			return 1u << i;
	return 0;
}

int
oclient_has_rt(const struct oclient *c, unsigned parts)
{
	return parts != 0 && (c->response_types & OCLIENT_RT_BIT(parts)) != 0;
}

/* 1 if the member name of c's token_exchange policy lists s. */
static int
exchange_lists(const struct oclient *c, const char *name, const char *s)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(json_object_get(json_object_get(c->rec,
	    "token_exchange"), name), i, v)
		if (json_is_string(v) && (strcmp(json_string_value(v), s) ==
		    0 || strcmp(json_string_value(v), "*") == 0))
			return 1;
	return 0;
}

int
oclient_exchange_from(const struct oclient *c, const char *client_id)
{
	return strcmp(c->id, client_id) == 0 ||
	    exchange_lists(c, "subject_clients", client_id);
}

int
oclient_exchange_target(const struct oclient *c, const char *target)
{
	return oclient_has_audience(c, target) ||
	    exchange_lists(c, "audiences", target);
}

int
oclient_exchange_issuer(const struct oclient *c, const char *issuer)
{
	return exchange_lists(c, "subject_issuers", issuer);
}

int
oclient_has_scope(const struct oclient *c, const char *w)
{
	size_t	 i;

	for (i = 0; i < c->nscopes; i++)
		if (strcmp(c->scopes[i], w) == 0)
			return 1;
	return 0;
}

int
oclient_has_audience(const struct oclient *c, const char *aud)
{
	size_t	 i;

	for (i = 0; i < c->naudience; i++)
		if (strcmp(c->audience[i], aud) == 0)
			return 1;
	return 0;
}

int
oclient_redirect_allowed(const struct oclient *c, const char *uri)
{
	size_t	 i;

	for (i = 0; i < c->nredirect_uris; i++)
		if (ourl_redirect_match(c->redirect_uris[i], uri))
			return 1;
	return 0;
}

int
oclient_post_logout_ok(const struct oclient *c, const char *uri)
{
	size_t	 i;

	for (i = 0; i < c->npost_logout_redirect_uris; i++)
		if (strcmp(c->post_logout_redirect_uris[i], uri) == 0)
			return 1;
	return 0;
}

int64_t
oclient_lifespan(const struct oclient *c, const char *grant,
    const char *token)
{
	char	 name[128];
	size_t	 i;

	snprintf(name, sizeof(name), "%s_grant_%s_lifespan", grant, token);
	for (i = 0; i < OCLIENT_LS_N; i++)
		if (strcmp(name, oclient_lifespan_names[i]) == 0)
			return c->lifespans[i];
	return 0;
}
