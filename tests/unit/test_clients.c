/*
 * test_clients.c: unit tests of lib/records/clients.c: oclient_build() (defaults,
 * secrets, updates with and without OCLIENT_MERGE, self-registration,
 * validation), lifespans and durations, the Hydra view, and the store
 * operations (create, get, update, delete, list, registration access
 * tokens) against a real LMDB store in a fresh directory under $TMPDIR.
 *
 * oconf points at a configuration with one system secret for the whole
 * run: generated secrets and registration access tokens are keyed
 * hashes under it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/lifecycle.h"
#include "t.h"
#include "tfix.h"


/* A usable public JWK (RFC 7517 Appendix A.1): jwks keys must import. */
#define EC_JWK	"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\",\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM\"}"
static char		 sys_secret[] = "0123456789abcdef0123456789abcdef";
static struct oconf	 conf;

/* oclient_secret_ok() on the decoded record rec. */
static int
secret_ok(const json_t *rec, const char *secret)
{
	struct oclient	*c;
	struct oerr	 err;
	int		 ok;

	oerr_clear(&err);
	if ((c = oclient_decode(rec, &err)) == NULL) {
		fprintf(stderr, "decode: %s\n", err.description);
		return 0;
	}
	ok = oclient_secret_ok(c, secret);
	oclient_release(c);
	return ok;
}

/* oclient_build() from JSON text. */
static json_t *
build(const char *in, const json_t *old, unsigned flags, char *secret,
    struct oerr *err)
{
	json_t	*j = J(in), *rec;

	oerr_clear(err);
	rec = oclient_build(j, old, flags, secret, err);
	json_decref(j);
	if (rec == NULL && err->code == OERR_NONE) {
		fprintf(stderr, "oclient_build failed without an error\n");
		CHECK(0);
	}
	return rec;
}

/* Build that must succeed; prints the error otherwise. */
static json_t *
build_ok(const char *in, const json_t *old, unsigned flags, char *secret)
{
	struct oerr	 err;
	json_t		*rec;

	if ((rec = build(in, old, flags, secret, &err)) == NULL) {
		fprintf(stderr, "oclient_build(%s): %s\n", in,
		    err.description);
		CHECK(0);
	}
	return rec;
}

/* 1 if s is n characters of base64url. */
static int
is_b64url(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_'))
			return 0;
	return s[n] == '\0';
}

/* 1 if s looks like "2024-01-02T03:04:05Z". */
static int
is_rfc3339(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t	 i;

	if (s == NULL || strlen(s) != sizeof(pat) - 1)
		return 0;
	for (i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
		    s[i] != pat[i])
			return 0;
	return 1;
}

/* The ten per-grant lifespans. */
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
#define NLIFESPANS	(sizeof(lifespans) / sizeof(lifespans[0]))

/* Members that are not Hydra's: hidden from its view. */
static const char *const extras[] = {
	"application_type", "default_max_age", "default_scopes", "app_id",
	"description", "require_pkce", "supported_prompts", "enforce_par",
	"device_authorization", "session_expiration", "max_refresh_rotate",
};
#define NEXTRAS	(sizeof(extras) / sizeof(extras[0]))

/* Hydra 2.x oAuth2Client members (what its view may contain). */
static const char *const hydra_members[] = {
	"client_id", "client_name", "client_secret", "redirect_uris",
	"grant_types", "response_types", "scope", "audience", "owner",
	"policy_uri", "allowed_cors_origins", "tos_uri", "client_uri",
	"logo_uri", "contacts", "client_secret_expires_at", "subject_type",
	"sector_identifier_uri", "jwks", "jwks_uri",
	"token_endpoint_auth_method", "token_endpoint_auth_signing_alg",
	"request_uris", "request_object_signing_alg",
	"userinfo_signed_response_alg", "post_logout_redirect_uris",
	"frontchannel_logout_uri", "frontchannel_logout_session_required",
	"backchannel_logout_uri", "backchannel_logout_session_required",
	"metadata", "access_token_strategy", "skip_consent",
	"skip_logout_consent", "created_at", "updated_at",
};
#define NHYDRA	(sizeof(hydra_members) / sizeof(hydra_members[0]))

/* A record built from {} has every member, with its default. */
static void
build_defaults(void)
{
	char		 secret[OCLIENT_SECRET_MAX + 1];
	json_t		*rec;
	const char	*id;
	size_t		 i;

	if ((rec = build_ok("{}", NULL, 0, secret)) == NULL)
		return;
	CHECK(jeq(rec, "grant_types", "[\"authorization_code\"]"));
	CHECK(jeq(rec, "response_types", "[\"code\"]"));
	CHECK(jeq(rec, "token_endpoint_auth_method",
	    "\"client_secret_basic\""));
	CHECK(jeq(rec, "scope", "\"offline_access offline openid\""));
	CHECK(jeq(rec, "subject_type", "\"public\""));
	CHECK(jeq(rec, "application_type", "\"web\""));
	CHECK(jeq(rec, "userinfo_signed_response_alg", "\"none\""));
	CHECK(jeq(rec, "token_endpoint_auth_signing_alg", "\"\""));
	CHECK(jeq(rec, "access_token_strategy", "\"\""));
	CHECK(jeq(rec, "client_name", "\"\""));
	CHECK(jeq(rec, "owner", "\"\""));
	CHECK(jeq(rec, "redirect_uris", "[]"));
	CHECK(jeq(rec, "audience", "[]"));
	CHECK(jeq(rec, "contacts", "[]"));
	CHECK(jeq(rec, "allowed_cors_origins", "[]"));
	CHECK(jeq(rec, "metadata", "{}"));
	CHECK(jeq(rec, "jwks", "null"));
	CHECK(jeq(rec, "skip_consent", "false"));
	CHECK(jeq(rec, "client_secret_expires_at", "0"));
	CHECK(jeq(rec, "default_max_age", "0"));
	CHECK(jeq(rec, "_v", "1"));
	for (i = 0; i < NLIFESPANS; i++)
		CHECK(jeq(rec, lifespans[i], "null"));
	for (i = 0; i < NHYDRA; i++)
		if (strcmp(hydra_members[i], "client_secret") != 0 &&
		    json_object_get(rec, hydra_members[i]) == NULL) {
			fprintf(stderr, "missing %s\n", hydra_members[i]);
			CHECK(0);
		}
	for (i = 0; i < NEXTRAS; i++)
		CHECK(json_object_get(rec, extras[i]) != NULL);
	/* No plain secret is ever stored. */
	CHECK(json_object_get(rec, "client_secret") == NULL);
	/* A UUIDv4 client_id. */
	id = sget(rec, "client_id");
	CHECK(id != NULL && strlen(id) == 36 && id[8] == '-' &&
	    id[13] == '-' && id[14] == '4' && id[18] == '-' &&
	    strchr("89ab", id[19]) != NULL && id[23] == '-');
	CHECK(is_rfc3339(sget(rec, "created_at")));
	CHECK_STR(sget(rec, "created_at"), sget(rec, "updated_at"));
	json_decref(rec);

	/* Each build gets its own id. */
	{
		json_t	*a = build_ok("{}", NULL, 0, secret);
		json_t	*b = build_ok("{}", NULL, 0, secret);

		if (a != NULL && b != NULL)
			CHECK(strcmp(sget(a, "client_id"),
			    sget(b, "client_id")) != 0);
		json_decref(a);
		json_decref(b);
	}
	/* A given client_id is kept; OCLIENT_GEN_ID ignores it. */
	if ((rec = build_ok("{\"client_id\":\"my-client\"}", NULL, 0,
	    secret)) != NULL)
		CHECK_STR(sget(rec, "client_id"), "my-client");
	json_decref(rec);
	if ((rec = build_ok("{\"client_id\":\"my-client\"}", NULL,
	    OCLIENT_GEN_ID, secret)) != NULL)
		CHECK(strlen(sget(rec, "client_id")) == 36);
	json_decref(rec);
}

/* Without a secret in the input one is generated and keyed-hashed. */
static void
build_generated_secret(void)
{
	char		 secret[OCLIENT_SECRET_MAX + 1];
	char		 other[OCLIENT_SECRET_MAX + 1];
	json_t		*rec, *rec2;
	const char	*h;

	memset(secret, 'x', sizeof(secret));
	if ((rec = build_ok("{}", NULL, 0, secret)) == NULL)
		return;
	CHECK(strlen(secret) == OCLIENT_SECRET_LEN - 1);
	CHECK(is_b64url(secret, OCLIENT_SECRET_LEN - 1));
	h = sget(rec, "_secret");
	CHECK(h != NULL && strncmp(h, "$hmac-sha256$", 13) == 0);
	CHECK(h != NULL && strstr(h, secret) == NULL);
	CHECK(secret_ok(rec, secret));
	CHECK(!secret_ok(rec, ""));
	CHECK(!secret_ok(rec, NULL));
	CHECK(!secret_ok(rec, "wrong"));
	CHECK(!secret_ok(rec, h));
	memcpy(other, secret, sizeof(other));
	other[0] = other[0] == 'A' ? 'B' : 'A';
	CHECK(!secret_ok(rec, other));
	memcpy(other, secret, sizeof(other));
	other[strlen(other) - 1] = '\0';
	CHECK(!secret_ok(rec, other));

	/* Another build, another secret; neither opens the other. */
	if ((rec2 = build_ok("{}", NULL, 0, other)) != NULL) {
		CHECK(strcmp(secret, other) != 0);
		CHECK(!secret_ok(rec, other));
		CHECK(!secret_ok(rec2, secret));
		CHECK(secret_ok(rec2, other));
	}
	json_decref(rec2);

	/* An empty client_secret counts as none. */
	if ((rec2 = build_ok("{\"client_secret\":\"\"}", NULL, 0,
	    other)) != NULL) {
		CHECK(strlen(other) == OCLIENT_SECRET_LEN - 1);
		CHECK(secret_ok(rec2, other));
		CHECK(!secret_ok(rec2, ""));
	}
	json_decref(rec2);

	/* OCLIENT_GEN_SECRET ignores a chosen one. */
	if ((rec2 = build_ok("{\"client_secret\":\"chosen-secret-16\"}", NULL,
	    OCLIENT_GEN_SECRET, other)) != NULL) {
		CHECK(strlen(other) == OCLIENT_SECRET_LEN - 1);
		CHECK(strncmp(sget(rec2, "_secret"), "$hmac-sha256$",
		    13) == 0);
		CHECK(secret_ok(rec2, other));
		CHECK(!secret_ok(rec2, "chosen-secret-16"));
	}
	json_decref(rec2);

	/* A record without "_secret", or with a foreign one. */
	json_object_del(rec, "_secret");
	CHECK(!secret_ok(rec, secret));
	json_object_set_new(rec, "_secret", json_integer(1));
	CHECK(!secret_ok(rec, secret));
	json_decref(rec);
}

/* A chosen secret is PBKDF2-hashed; its bounds are checked. */
static void
build_chosen_secret(void)
{
	char		 secret[OCLIENT_SECRET_MAX + 1];
	char		 in[OCLIENT_SECRET_MAX + 64];
	struct oerr	 err;
	json_t		*rec;
	const char	*h;

	if ((rec = build_ok("{\"client_secret\":\"chosen-secret-16\"}", NULL, 0,
	    secret)) == NULL)
		return;
	CHECK_STR(secret, "chosen-secret-16");
	h = sget(rec, "_secret");
	CHECK(h != NULL && strncmp(h, "$pbkdf2-sha256$i=25000,l=32$",
	    28) == 0);
	CHECK(secret_ok(rec, "chosen-secret-16"));
	CHECK(!secret_ok(rec, "chosen-secreT"));
	CHECK(!secret_ok(rec, "chosen-secre"));
	CHECK(!secret_ok(rec, ""));
	json_decref(rec);

	/* Sixteen bytes is the least (issue 12; Hydra's is six). */
	if ((rec = build_ok("{\"client_secret\":\"1234567890123456\"}",
	    NULL, 0, secret)) != NULL)
		CHECK(secret_ok(rec, "1234567890123456"));
	json_decref(rec);
	CHECK(build("{\"client_secret\":\"123456789012345\"}", NULL, 0,
	    secret, &err) == NULL);
	CHECK(err.status == 400 && strstr(err.description,
	    "client_secret") != NULL);
	CHECK(strstr(err.description, "12345") == NULL);
	CHECK(secret[0] == '\0');
	/* OCLIENT_SECRET_MAX bytes, and one more. */
	snprintf(in, sizeof(in), "{\"client_secret\":\"%0*d\"}",
	    OCLIENT_SECRET_MAX, 7);
	rec = build_ok(in, NULL, 0, secret);
	CHECK(rec != NULL && strlen(secret) == OCLIENT_SECRET_MAX);
	json_decref(rec);
	snprintf(in, sizeof(in), "{\"client_secret\":\"%0*d\"}",
	    OCLIENT_SECRET_MAX + 1, 7);
	CHECK(build(in, NULL, 0, secret, &err) == NULL);
	CHECK(strstr(err.description, "client_secret") != NULL);
	/* Not a string, or with a NUL. */
	CHECK(build("{\"client_secret\":123456}", NULL, 0, secret,
	    &err) == NULL);
	CHECK(strstr(err.description, "client_secret") != NULL);
	CHECK(build("{\"client_secret\":\"abc\\u0000defgh\"}", NULL, 0,
	    secret, &err) == NULL);
	CHECK(strstr(err.description, "client_secret") != NULL);
	/* client_secret_post also has a secret. */
	if ((rec = build_ok("{\"client_secret\":\"chosen-secret-16\","
	    "\"token_endpoint_auth_method\":\"client_secret_post\"}", NULL, 0,
	    secret)) != NULL)
		CHECK(secret_ok(rec, "chosen-secret-16"));
	json_decref(rec);
}

/* Clients that do not authenticate with a secret have none. */
static void
build_auth_none(void)
{
	char		 secret[OCLIENT_SECRET_MAX + 1];
	struct oerr	 err;
	json_t		*rec;

	memset(secret, 'x', sizeof(secret));
	if ((rec = build_ok("{\"token_endpoint_auth_method\":\"none\"}", NULL,
	    0, secret)) != NULL) {
		CHECK(secret[0] == '\0');
		CHECK(json_object_get(rec, "_secret") == NULL);
		CHECK(!secret_ok(rec, ""));
		CHECK(!secret_ok(rec, "anything"));
	}
	json_decref(rec);
	/* Even OCLIENT_GEN_SECRET makes none. */
	if ((rec = build_ok("{\"token_endpoint_auth_method\":\"none\"}", NULL,
	    OCLIENT_GEN_SECRET, secret)) != NULL) {
		CHECK(secret[0] == '\0');
		CHECK(json_object_get(rec, "_secret") == NULL);
	}
	json_decref(rec);
	/* A secret for such a client is refused. */
	CHECK(build("{\"token_endpoint_auth_method\":\"none\","
	    "\"client_secret\":\"chosen-secret-16\"}", NULL, 0, secret,
	    &err) == NULL);
	CHECK(err.code == OERR_INVALID_REQUEST && err.status == 400);
	CHECK(strstr(err.description, "client_secret") != NULL);
	CHECK(strstr(err.description, "chosen-secret-16") == NULL);
	CHECK(secret[0] == '\0');
	/* private_key_jwt (with keys) has no secret either. */
	if ((rec = build_ok("{\"token_endpoint_auth_method\":"
	    "\"private_key_jwt\",\"jwks_uri\":\"https://a.example/jwks\"}",
	    NULL, 0, secret)) != NULL) {
		CHECK(secret[0] == '\0');
		CHECK(json_object_get(rec, "_secret") == NULL);
	}
	json_decref(rec);
	CHECK(build("{\"token_endpoint_auth_method\":\"private_key_jwt\","
	    "\"jwks\":{\"keys\":[]},\"client_secret\":\"chosen-secret-16\"}",
	    NULL, 0, secret, &err) == NULL);
	CHECK(strstr(err.description, "client_secret") != NULL);
}

/* OCLIENT_KEEP_SECRET keeps the old hash when the input has no secret. */
static void
build_keep_secret(void)
{
	char		 secret[OCLIENT_SECRET_MAX + 1];
	char		 rat[OCLIENT_SECRET_LEN];
	json_t		*old, *rec;

	if ((old = build_ok("{\"client_secret\":\"old-secret-16-ab\"}", NULL, 0,
	    secret)) == NULL)
		return;
	oclient_rat_new(old, rat);

	memset(secret, 'x', sizeof(secret));
	if ((rec = build_ok("{\"client_name\":\"n\"}", old,
	    OCLIENT_KEEP_SECRET, secret)) != NULL) {
		CHECK(secret[0] == '\0');
		CHECK_STR(sget(rec, "_secret"), sget(old, "_secret"));
		CHECK(secret_ok(rec, "old-secret-16-ab"));
		/* The registration access token survives updates. */
		CHECK_STR(sget(rec, "_rat"), sget(old, "_rat"));
		CHECK(oclient_rat_ok(rec, rat));
		CHECK_STR(sget(rec, "client_id"), sget(old, "client_id"));
	}
	json_decref(rec);
	/* An explicit null is no secret either. */
	if ((rec = build_ok("{\"client_secret\":null}", old,
	    OCLIENT_KEEP_SECRET, secret)) != NULL) {
		CHECK(secret[0] == '\0');
		CHECK(secret_ok(rec, "old-secret-16-ab"));
	}
	json_decref(rec);
	/* A new secret in the input replaces it. */
	if ((rec = build_ok("{\"client_secret\":\"new-secret-16-cd\"}", old,
	    OCLIENT_KEEP_SECRET, secret)) != NULL) {
		CHECK_STR(secret, "new-secret-16-cd");
		CHECK(secret_ok(rec, "new-secret-16-cd"));
		CHECK(!secret_ok(rec, "old-secret-16-ab"));
	}
	json_decref(rec);
	/* Without the flag, a new one is generated. */
	if ((rec = build_ok("{}", old, 0, secret)) != NULL) {
		CHECK(strlen(secret) == OCLIENT_SECRET_LEN - 1);
		CHECK(secret_ok(rec, secret));
		CHECK(!secret_ok(rec, "old-secret-16-ab"));
	}
	json_decref(rec);
	/* Switching to "none" drops the secret even with the flag. */
	if ((rec = build_ok("{\"token_endpoint_auth_method\":\"none\"}", old,
	    OCLIENT_KEEP_SECRET, secret)) != NULL) {
		CHECK(secret[0] == '\0');
		CHECK(json_object_get(rec, "_secret") == NULL);
		CHECK(!secret_ok(rec, "old-secret-16-ab"));
	}
	json_decref(rec);
	json_decref(old);

	/* An old record without a secret: one is generated. */
	if ((old = build_ok("{\"token_endpoint_auth_method\":\"none\"}",
	    NULL, 0, secret)) == NULL)
		return;
	if ((rec = build_ok("{}", old, OCLIENT_KEEP_SECRET, secret)) !=
	    NULL) {
		CHECK(strlen(secret) == OCLIENT_SECRET_LEN - 1);
		CHECK(secret_ok(rec, secret));
	}
	json_decref(rec);
	json_decref(old);
}

#define OLD_CLIENT							\
	"{\"client_id\":\"merge-me\",\"client_name\":\"n\","		\
	"\"owner\":\"o\",\"scope\":\"openid\","				\
	"\"redirect_uris\":[\"com.example.app:/cb\"],"			\
	"\"grant_types\":[\"authorization_code\",\"refresh_token\"],"	\
	"\"metadata\":{\"k\":1},\"skip_consent\":true,"			\
	"\"authorization_code_grant_access_token_lifespan\":\"2h\","	\
	"\"application_type\":\"native\",\"description\":\"d\","	\
	"\"default_max_age\":60,\"default_scopes\":[\"openid\"],"	\
	"\"app_id\":\"app-9\",\"require_pkce\":true,"			\
	"\"supported_prompts\":[\"login\"],\"session_expiration\":5}"

/* OCLIENT_MERGE keeps every absent member. */
static void
build_merge(void)
{
	char	 secret[OCLIENT_SECRET_MAX + 1];
	json_t	*old, *rec;

	if ((old = build_ok(OLD_CLIENT, NULL, 0, secret)) == NULL)
		return;
	json_object_set_new(old, "created_at",
	    json_string("2000-01-02T03:04:05Z"));
	json_object_set_new(old, "updated_at",
	    json_string("2000-01-02T03:04:05Z"));
	if ((rec = build_ok("{\"client_name\":\"n2\"}", old,
	    OCLIENT_MERGE | OCLIENT_KEEP_SECRET, secret)) != NULL) {
		CHECK(jeq(rec, "client_name", "\"n2\""));
		CHECK(jeq(rec, "client_id", "\"merge-me\""));
		CHECK(jeq(rec, "owner", "\"o\""));
		CHECK(jeq(rec, "scope", "\"openid\""));
		CHECK(jeq(rec, "redirect_uris", "[\"com.example.app:/cb\"]"));
		CHECK(jeq(rec, "grant_types",
		    "[\"authorization_code\",\"refresh_token\"]"));
		CHECK(jeq(rec, "metadata", "{\"k\":1}"));
		CHECK(jeq(rec, "skip_consent", "true"));
		CHECK(jeq(rec, "authorization_code_grant_access_token_lifespan",
		    "7200"));
		CHECK(jeq(rec, "application_type", "\"native\""));
		CHECK(jeq(rec, "description", "\"d\""));
		CHECK(jeq(rec, "default_max_age", "60"));
		CHECK(jeq(rec, "app_id", "\"app-9\""));
		CHECK(jeq(rec, "require_pkce", "true"));
		CHECK_STR(sget(rec, "created_at"), "2000-01-02T03:04:05Z");
		CHECK(strcmp(sget(rec, "updated_at"),
		    "2000-01-02T03:04:05Z") > 0);
		CHECK(secret[0] == '\0');
		CHECK_STR(sget(rec, "_secret"), sget(old, "_secret"));
	}
	json_decref(rec);
	/* A member given is still checked. */
	{
		struct oerr	 err;

		CHECK(build("{\"scope\":\"a\\\"b\"}", old, OCLIENT_MERGE,
		    secret, &err) == NULL);
		CHECK(strstr(err.description, "scope") != NULL);
	}
	json_decref(old);
}

/*
 * A plain update replaces: absent Hydra members take their defaults,
 * while the other dialects' members (F_EXTRA) keep their old values.
 */
static void
build_replace(void)
{
	char	 secret[OCLIENT_SECRET_MAX + 1];
	json_t	*old, *rec;

	if ((old = build_ok(OLD_CLIENT, NULL, 0, secret)) == NULL)
		return;
	json_object_set_new(old, "created_at",
	    json_string("2000-01-02T03:04:05Z"));
	if ((rec = build_ok("{\"client_name\":\"n2\","
	    "\"client_id\":\"ignored\"}", old, 0, secret)) != NULL) {
		CHECK(jeq(rec, "client_name", "\"n2\""));
		/* The id is the old record's. */
		CHECK(jeq(rec, "client_id", "\"merge-me\""));
		/* Hydra members: defaults. */
		CHECK(jeq(rec, "owner", "\"\""));
		CHECK(jeq(rec, "scope", "\"offline_access offline openid\""));
		CHECK(jeq(rec, "grant_types", "[\"authorization_code\"]"));
		CHECK(jeq(rec, "metadata", "{}"));
		CHECK(jeq(rec, "skip_consent", "false"));
		CHECK(jeq(rec, "authorization_code_grant_access_token_lifespan",
		    "null"));
		CHECK(jeq(rec, "redirect_uris", "[]"));
		/* Other dialects' members: kept. */
		CHECK(jeq(rec, "application_type", "\"native\""));
		CHECK(jeq(rec, "description", "\"d\""));
		CHECK(jeq(rec, "default_max_age", "60"));
		CHECK(jeq(rec, "default_scopes", "[\"openid\"]"));
		CHECK(jeq(rec, "app_id", "\"app-9\""));
		CHECK(jeq(rec, "require_pkce", "true"));
		CHECK(jeq(rec, "supported_prompts", "[\"login\"]"));
		CHECK(jeq(rec, "session_expiration", "5"));
		CHECK_STR(sget(rec, "created_at"), "2000-01-02T03:04:05Z");
	}
	json_decref(rec);
	/* The kept application_type still governs redirect URIs. */
	if ((rec = build_ok("{\"redirect_uris\":[\"com.example.app:/cb2\"]}",
	    old, 0, secret)) != NULL)
		CHECK(jeq(rec, "redirect_uris", "[\"com.example.app:/cb2\"]"));
	json_decref(rec);
	/* Extras given replace the old ones. */
	if ((rec = build_ok("{\"application_type\":\"web\","
	    "\"description\":\"e\"}", old, 0, secret)) != NULL) {
		CHECK(jeq(rec, "application_type", "\"web\""));
		CHECK(jeq(rec, "description", "\"e\""));
		CHECK(jeq(rec, "app_id", "\"app-9\""));
	}
	json_decref(rec);
	json_decref(old);
}

/* What self-registration (RFC 7591) may not set, and its error codes. */
static void
build_dcr(void)
{
	static const char *const nodcr[] = {
		"{\"metadata\":{}}",
		"{\"owner\":\"me\"}",
		"{\"skip_consent\":true}",
		"{\"skip_logout_consent\":false}",
		"{\"access_token_strategy\":\"jwt\"}",
		"{\"app_id\":\"a\"}",
		"{\"authorization_code_grant_access_token_lifespan\":\"1h\"}",
		"{\"refresh_token_grant_refresh_token_lifespan\":\"720h\"}",
		"{\"implicit_grant_id_token_lifespan\":\"1h\"}",
	};
	static const char *const badredir[] = {
		"{\"redirect_uris\":[\"http://evil.example/cb\"]}",
		"{\"redirect_uris\":[\"https://a.example/cb#f\"]}",
		"{\"redirect_uris\":[\"/relative\"]}",
		"{\"redirect_uris\":[\"com.example.app:/cb\"]}",
		"{\"redirect_uris\":[\"https://a.example/ok\",\"nope\"]}",
	};
	char		 secret[OCLIENT_SECRET_MAX + 1];
	struct oerr	 err;
	json_t		*rec;
	json_t		*j;
	size_t		 i;
	const char	*name;

	for (i = 0; i < sizeof(nodcr) / sizeof(nodcr[0]); i++) {
		rec = build(nodcr[i], NULL, OCLIENT_DCR, secret, &err);
		CHECK(rec == NULL);
		json_decref(rec);
		CHECK(err.code == OERR_INVALID_CLIENT_METADATA);
		CHECK(err.status == 400);
		j = J(nodcr[i]);
		name = json_object_iter_key(json_object_iter(j));
		if (strstr(err.description, name) == NULL) {
			fprintf(stderr, "%s: %s\n", nodcr[i],
			    err.description);
			CHECK(0);
		}
		json_decref(j);
		/* Through the admin API they are fine. */
		rec = build_ok(nodcr[i], NULL, 0, secret);
		json_decref(rec);
	}
	for (i = 0; i < sizeof(badredir) / sizeof(badredir[0]); i++) {
		rec = build(badredir[i], NULL, OCLIENT_DCR, secret, &err);
		CHECK(rec == NULL);
		json_decref(rec);
		if (err.code != OERR_INVALID_REDIRECT_URI ||
		    err.status != 400 ||
		    strstr(err.description, "redirect_uris") == NULL) {
			fprintf(stderr, "%s: %s (%d)\n", badredir[i],
			    err.description, err.code);
			CHECK(0);
		}
		/* Without OCLIENT_DCR: invalid_request. */
		CHECK(build(badredir[i], NULL, 0, secret, &err) == NULL);
		CHECK(err.code == OERR_INVALID_REQUEST);
	}
	/* Other bad metadata: invalid_client_metadata. */
	CHECK(build("{\"grant_types\":[\"password\"]}", NULL, OCLIENT_DCR,
	    secret, &err) == NULL);
	CHECK(err.code == OERR_INVALID_CLIENT_METADATA);
	CHECK(build("{\"redirect_uris\":\"https://a.example/cb\"}", NULL,
	    OCLIENT_DCR, secret, &err) == NULL);
	CHECK(err.code == OERR_INVALID_CLIENT_METADATA ||
	    err.code == OERR_INVALID_REDIRECT_URI);
	CHECK(build("{\"response_types\":[\"tokens\"]}", NULL, OCLIENT_DCR,
	    secret, &err) == NULL);
	CHECK(err.code == OERR_INVALID_CLIENT_METADATA);
	CHECK(build("{\"response_types\":[\"token\"]}", NULL, OCLIENT_DCR,
	    secret, &err) == NULL);
	CHECK(err.code == OERR_INVALID_CLIENT_METADATA);
	CHECK(build("[]", NULL, OCLIENT_DCR, secret, &err) == NULL);
	CHECK(err.code == OERR_INVALID_CLIENT_METADATA);
	/* A good registration: the id is the server's. */
	if ((rec = build_ok("{\"client_id\":\"mine\",\"redirect_uris\":"
	    "[\"https://a.example/cb\"],\"client_name\":\"x\",\"owner\":null}",
	    NULL, OCLIENT_DCR, secret)) != NULL) {
		CHECK(strcmp(sget(rec, "client_id"), "mine") != 0);
		CHECK(strlen(sget(rec, "client_id")) == 36);
		CHECK(strlen(secret) == OCLIENT_SECRET_LEN - 1);
		CHECK(secret_ok(rec, secret));
	}
	json_decref(rec);
}

/*
 * OCLIENT_DCR promises "server-chosen id and secret" (clients.h), and
 * RFC 7592 §2.2 says a client "MUST NOT be allowed to overwrite its
 * existing client secret with its own chosen value".  With OCLIENT_DCR
 * a client_secret in the input must not become the secret.
 */
static void
build_dcr_server_chosen_secret(void)
{
	char		 secret[OCLIENT_SECRET_MAX + 1];
	struct oerr	 err;
	json_t		*rec, *old;

	rec = build("{\"client_secret\":\"registrant-chose-this\"}", NULL,
	    OCLIENT_DCR, secret, &err);
	if (rec != NULL) {
		CHECK(strcmp(secret, "registrant-chose-this") != 0);
		CHECK(!secret_ok(rec, "registrant-chose-this"));
	}
	json_decref(rec);
	/* An RFC 7592 replacement keeps the old secret. */
	if ((old = build_ok("{}", NULL, OCLIENT_DCR, secret)) == NULL)
		return;
	rec = build("{\"client_secret\":\"registrant-chose-this\"}", old,
	    OCLIENT_DCR | OCLIENT_KEEP_SECRET, secret, &err);
	if (rec != NULL) {
		CHECK(!secret_ok(rec, "registrant-chose-this"));
		CHECK_STR(sget(rec, "_secret"), sget(old, "_secret"));
	}
	json_decref(rec);
	json_decref(old);
}

/* A bad input and the field its error must name. */
struct invalid {
	const char	*in;
	const char	*field;
};

static const struct invalid invalids[] = {
	{ "{\"client_id\":\"has space\"}", "client_id" },
	{ "{\"client_id\":\"\"}", "client_id" },
	{ "{\"client_id\":\"caf\\u00e9\"}", "client_id" },
	{ "{\"client_id\":7}", "client_id" },
	{ "{\"client_name\":5}", "client_name" },
	{ "{\"client_name\":\"a\\u0000b\"}", "client_name" },
	{ "{\"redirect_uris\":\"https://a.example/cb\"}", "redirect_uris" },
	{ "{\"redirect_uris\":[\"/relative\"]}", "redirect_uris" },
	{ "{\"redirect_uris\":[\"http://example.com/cb\"]}", "redirect_uris" },
	{ "{\"redirect_uris\":[\"com.example.app:/cb\"]}", "redirect_uris" },
	{ "{\"redirect_uris\":[\"https://a.example/cb#x\"]}",
	    "redirect_uris" },
	{ "{\"redirect_uris\":[\"https://u@a.example/cb\"]}",
	    "redirect_uris" },
	{ "{\"redirect_uris\":[\"https://a.example/a b\"]}",
	    "redirect_uris" },
	{ "{\"redirect_uris\":[7]}", "redirect_uris" },
	{ "{\"application_type\":\"native\",\"redirect_uris\":"
	    "[\"javascript:alert(1)\"]}", "redirect_uris" },
	{ "{\"application_type\":\"native\",\"redirect_uris\":"
	    "[\"http://example.com/cb\"]}", "redirect_uris" },
	{ "{\"grant_types\":[\"password\"]}", "grant_types" },
	{ "{\"grant_types\":[1]}", "grant_types" },
	{ "{\"grant_types\":\"authorization_code\"}", "grant_types" },
	{ "{\"response_types\":[\"code code\"]}", "response_types" },
	{ "{\"response_types\":[\"magic\"]}", "response_types" },
	{ "{\"response_types\":[\"\"]}", "response_types" },
	{ "{\"response_types\":[\"token\"]}", "response_types" },
	{ "{\"response_types\":[\"code\"],\"grant_types\":[\"implicit\"]}",
	    "response_types" },
	{ "{\"scope\":\"a\\\"b\"}", "scope" },
	{ "{\"scope\":\"a\\\\b\"}", "scope" },
	{ "{\"scope\":1}", "scope" },
	{ "{\"audience\":[\"has space\"]}", "audience" },
	{ "{\"audience\":[\"\"]}", "audience" },
	{ "{\"owner\":[]}", "owner" },
	{ "{\"allowed_cors_origins\":[\"https://a.example/path\"]}",
	    "allowed_cors_origins" },
	{ "{\"allowed_cors_origins\":[\"ftp://a.example\"]}",
	    "allowed_cors_origins" },
	{ "{\"policy_uri\":\"ftp://a.example/\"}", "policy_uri" },
	{ "{\"tos_uri\":\"https://a.example/#f\"}", "tos_uri" },
	{ "{\"client_uri\":\"a.example\"}", "client_uri" },
	{ "{\"logo_uri\":\"https:///x\"}", "logo_uri" },
	{ "{\"jwks_uri\":\"https://a.example:0/\"}", "jwks_uri" },
	{ "{\"sector_identifier_uri\":\"http://a.example/s\"}",
	    "sector_identifier_uri" },
	{ "{\"subject_type\":\"magic\"}", "subject_type" },
	{ "{\"token_endpoint_auth_method\":\"magic\"}",
	    "token_endpoint_auth_method" },
	{ "{\"token_endpoint_auth_method\":\"private_key_jwt\"}",
	    "token_endpoint_auth_method" },
	{ "{\"token_endpoint_auth_signing_alg\":\"HS256\"}",
	    "token_endpoint_auth_signing_alg" },
	{ "{\"request_object_signing_alg\":\"HS256\"}",
	    "request_object_signing_alg" },
	{ "{\"userinfo_signed_response_alg\":\"HS256\"}",
	    "userinfo_signed_response_alg" },
	{ "{\"jwks\":{\"keys\":[{\"n\":\"x\"}]}}", "jwks" },
	{ "{\"jwks\":[]}", "jwks" },
	{ "{\"jwks\":{\"keys\":[]},\"jwks_uri\":\"https://a.example/j\"}",
	    "jwks" },
	{ "{\"client_secret_expires_at\":-1}", "client_secret_expires_at" },
	{ "{\"client_secret_expires_at\":\"0\"}",
	    "client_secret_expires_at" },
	{ "{\"skip_consent\":\"yes\"}", "skip_consent" },
	{ "{\"skip_logout_consent\":1}", "skip_logout_consent" },
	{ "{\"metadata\":[]}", "metadata" },
	{ "{\"access_token_strategy\":\"magic\"}", "access_token_strategy" },
	{ "{\"contacts\":\"a@b.example\"}", "contacts" },
	{ "{\"request_uris\":[\"https://a.example/r#f\"]}", "request_uris" },
	{ "{\"post_logout_redirect_uris\":[\"nope\"]}",
	    "post_logout_redirect_uris" },
	{ "{\"frontchannel_logout_uri\":\"nope\"}", "frontchannel_logout_uri" },
	{ "{\"backchannel_logout_session_required\":null,"
	    "\"backchannel_logout_uri\":\"javascript:x\"}",
	    "backchannel_logout_uri" },
	{ "{\"application_type\":\"desktop\"}", "application_type" },
	{ "{\"default_max_age\":1.5}", "default_max_age" },
	{ "{\"default_max_age\":-1}", "default_max_age" },
	{ "{\"default_scopes\":[\"a b\"]}", "default_scopes" },
	{ "{\"supported_prompts\":[\"maybe\"]}", "supported_prompts" },
	{ "{\"require_pkce\":\"true\"}", "require_pkce" },
	{ "{\"authorization_code_grant_access_token_lifespan\":\"1 hour\"}",
	    "authorization_code_grant_access_token_lifespan" },
	{ "{\"implicit_grant_id_token_lifespan\":\"0s\"}",
	    "implicit_grant_id_token_lifespan" },
	{ "{\"refresh_token_grant_refresh_token_lifespan\":\"-1\"}",
	    "refresh_token_grant_refresh_token_lifespan" },
	{ "{\"jwt_bearer_grant_access_token_lifespan\":\"87601h\"}",
	    "jwt_bearer_grant_access_token_lifespan" },
	{ "{\"client_credentials_grant_access_token_lifespan\":3600}",
	    "client_credentials_grant_access_token_lifespan" },
	{ "{\"refresh_token_grant_id_token_lifespan\":\"1.5h\"}",
	    "refresh_token_grant_id_token_lifespan" },
	{ "{\"token_endpoint_auth_method\":\"none\",\"response_types\":[],"
	    "\"grant_types\":[\"client_credentials\"]}", "client_credentials" },
};

/* Every invalid input is refused with a 400 that names the field. */
static void
build_validation(void)
{
	char		 secret[OCLIENT_SECRET_MAX + 1];
	struct oerr	 err;
	json_t		*rec;
	size_t		 i;

	for (i = 0; i < sizeof(invalids) / sizeof(invalids[0]); i++) {
		memset(secret, 'x', sizeof(secret));
		rec = build(invalids[i].in, NULL, 0, secret, &err);
		if (rec != NULL || err.code != OERR_INVALID_REQUEST ||
		    err.status != 400 || strstr(err.description,
		    invalids[i].field) == NULL || secret[0] != '\0') {
			fprintf(stderr, "%s: %s\n", invalids[i].in,
			    rec != NULL ? "accepted" : err.description);
			CHECK(0);
		}
		json_decref(rec);
	}
	/* Not an object. */
	CHECK(build("[]", NULL, 0, secret, &err) == NULL);
	CHECK(err.status == 400);
	CHECK(build("\"x\"", NULL, 0, secret, &err) == NULL);
	/* Too long. */
	{
		char	 in[1200];

		snprintf(in, sizeof(in), "{\"client_id\":\"%0*d\"}",
		    OCLIENT_ID_MAX + 1, 1);
		CHECK(build(in, NULL, 0, secret, &err) == NULL);
		CHECK(strstr(err.description, "client_id") != NULL);
		snprintf(in, sizeof(in), "{\"client_id\":\"%0*d\"}",
		    OCLIENT_ID_MAX, 1);
		rec = build_ok(in, NULL, 0, secret);
		json_decref(rec);
	}
	{
		json_t	*in = json_object(), *arr = json_array();
		char	 big[1100];
		int	 k;

		memset(big, 'n', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		json_object_set_new(in, "client_name", json_string(big));
		oerr_clear(&err);
		CHECK(oclient_build(in, NULL, 0, secret, &err) == NULL);
		CHECK(strstr(err.description, "client_name") != NULL);
		json_object_clear(in);
		for (k = 0; k < 101; k++)
			json_array_append_new(arr, json_string("a"));
		json_object_set_new(in, "audience", arr);
		oerr_clear(&err);
		CHECK(oclient_build(in, NULL, 0, secret, &err) == NULL);
		CHECK(strstr(err.description, "audience") != NULL);
		json_decref(in);
	}
}

/* Inputs that are valid, for contrast with the table above. */
static void
build_valid(void)
{
	static const char *const goods[] = {
		"{\"redirect_uris\":[\"https://a.example/cb?x=1\","
		    "\"http://127.0.0.1:9/cb\",\"http://[::1]/cb\","
		    "\"http://localhost:3000/cb\"]}",
		"{\"application_type\":\"native\",\"redirect_uris\":"
		    "[\"com.example.app:/cb\",\"myapp://cb\"]}",
		"{\"grant_types\":[\"authorization_code\",\"implicit\","
		    "\"refresh_token\",\"client_credentials\"],"
		    "\"response_types\":[\"code\",\"code id_token\","
		    "\"id_token token\",\"token\",\"code id_token token\"]}",
		"{\"response_types\":[],\"grant_types\":"
		    "[\"client_credentials\"]}",
		"{\"allowed_cors_origins\":[\"https://a.example\","
		    "\"http://localhost:8080\"]}",
		"{\"jwks\":{\"keys\":[" EC_JWK "]},"
		    "\"token_endpoint_auth_method\":\"private_key_jwt\"}",
		"{\"scope\":\"\"}",
		"{\"client_name\":null,\"scope\":null}",
		"{\"access_token_strategy\":\"jwt\",\"metadata\":{\"a\":[1]}}",
		"{\"subject_type\":\"pairwise\",\"sector_identifier_uri\":"
		    "\"https://a.example/s\"}",
		"{\"client_id\":\"a~!$&'()*+,;=:@/?.-_\"}",
		"{\"unknown_member\":1}",
	};
	char	 secret[OCLIENT_SECRET_MAX + 1];
	json_t	*rec;
	size_t	 i;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		rec = build_ok(goods[i], NULL, 0, secret);
		json_decref(rec);
	}
	/* Unknown members are dropped. */
	if ((rec = build_ok("{\"unknown_member\":1,\"_secret\":\"x\","
	    "\"_v\":9}", NULL, 0, secret)) != NULL) {
		CHECK(json_object_get(rec, "unknown_member") == NULL);
		CHECK(jeq(rec, "_v", "1"));
		CHECK(strncmp(sget(rec, "_secret"), "$hmac-sha256$", 13) == 0);
	}
	json_decref(rec);
}

/* Lifespans: Go durations in, seconds stored, Go durations out. */
static void
build_lifespans(void)
{
	char	 secret[OCLIENT_SECRET_MAX + 1];
	json_t	*rec, *view;

	if ((rec = build_ok("{"
	    "\"authorization_code_grant_access_token_lifespan\":\"1h\","
	    "\"authorization_code_grant_id_token_lifespan\":\"90s\","
	    "\"implicit_grant_id_token_lifespan\":\"1h30m\","
	    "\"refresh_token_grant_refresh_token_lifespan\":\"720h\","
	    "\"client_credentials_grant_access_token_lifespan\":\"3661\","
	    "\"jwt_bearer_grant_access_token_lifespan\":null}",
	    NULL, 0, secret)) == NULL)
		return;
	CHECK(jeq(rec, "authorization_code_grant_access_token_lifespan",
	    "3600"));
	CHECK(jeq(rec, "authorization_code_grant_id_token_lifespan", "90"));
	CHECK(jeq(rec, "implicit_grant_id_token_lifespan", "5400"));
	CHECK(jeq(rec, "refresh_token_grant_refresh_token_lifespan",
	    "2592000"));
	CHECK(jeq(rec, "client_credentials_grant_access_token_lifespan",
	    "3661"));
	CHECK(jeq(rec, "jwt_bearer_grant_access_token_lifespan", "null"));
	CHECK(jeq(rec, "refresh_token_grant_access_token_lifespan", "null"));
	view = oclient_view_hydra(rec, NULL);
	CHECK(jeq(view, "authorization_code_grant_access_token_lifespan",
	    "\"1h0m0s\""));
	CHECK(jeq(view, "authorization_code_grant_id_token_lifespan",
	    "\"1m30s\""));
	CHECK(jeq(view, "implicit_grant_id_token_lifespan", "\"1h30m0s\""));
	CHECK(jeq(view, "refresh_token_grant_refresh_token_lifespan",
	    "\"720h0m0s\""));
	CHECK(jeq(view, "client_credentials_grant_access_token_lifespan",
	    "\"1h1m1s\""));
	CHECK(jeq(view, "jwt_bearer_grant_access_token_lifespan", "null"));
	json_decref(view);
	json_decref(rec);
	/* The longest allowed: ten years. */
	rec = build_ok("{\"implicit_grant_access_token_lifespan\":"
	    "\"87600h\"}", NULL, 0, secret);
	CHECK(rec != NULL && jeq(rec, "implicit_grant_access_token_lifespan",
	    "315360000"));
	json_decref(rec);
}

/* Seconds as Go durations. */
static void
duration_str(void)
{
	static const struct {
		long long	 secs;
		const char	*want;
	} c[] = {
		{ 0, "0s" }, { 1, "1s" }, { 59, "59s" }, { 60, "1m0s" },
		{ 90, "1m30s" }, { 3599, "59m59s" }, { 3600, "1h0m0s" },
		{ 3601, "1h0m1s" }, { 3660, "1h1m0s" }, { 3661, "1h1m1s" },
		{ 86400, "24h0m0s" }, { 2592000, "720h0m0s" },
		{ 315360000, "87600h0m0s" },
	};
	char	 buf[64];
	size_t	 i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		oclient_duration_str(c[i].secs, buf, sizeof(buf));
		CHECK_STR(buf, c[i].want);
	}
	/* A short buffer is truncated, still terminated. */
	memset(buf, 'x', sizeof(buf));
	oclient_duration_str(3661, buf, 4);
	CHECK_STR(buf, "1h1");
}

/* The Hydra view: Hydra's members only, the secret only when given. */
static void
view_hydra(void)
{
	char		 secret[OCLIENT_SECRET_MAX + 1], rat[OCLIENT_SECRET_LEN];
	json_t		*rec, *view, *v;
	const char	*k;
	size_t		 i;
	int		 found;

	if ((rec = build_ok("{\"client_id\":\"v1\",\"client_name\":\"V\","
	    "\"client_secret\":\"chosen-secret-16\",\"app_id\":\"app\","
	    "\"application_type\":\"native\",\"description\":\"d\","
	    "\"metadata\":{\"m\":true},\"owner\":\"o\"}", NULL, 0,
	    secret)) == NULL)
		return;
	oclient_rat_new(rec, rat);
	CHECK(json_object_get(rec, "_rat") != NULL);

	view = oclient_view_hydra(rec, NULL);
	json_object_foreach(view, k, v) {
		CHECK(k[0] != '_');
		for (found = 0, i = 0; i < NHYDRA; i++)
			found |= strcmp(k, hydra_members[i]) == 0;
		found |= strncmp(k, "authorization_code_grant_", 25) == 0 ||
		    strncmp(k, "client_credentials_grant_", 25) == 0 ||
		    strncmp(k, "implicit_grant_", 15) == 0 ||
		    strncmp(k, "jwt_bearer_grant_", 17) == 0 ||
		    strncmp(k, "refresh_token_grant_", 20) == 0;
		if (!found) {
			fprintf(stderr, "not Hydra's: %s\n", k);
			CHECK(0);
		}
	}
	CHECK(json_object_get(view, "_secret") == NULL);
	CHECK(json_object_get(view, "_v") == NULL);
	CHECK(json_object_get(view, "_rat") == NULL);
	CHECK(json_object_get(view, "client_secret") == NULL);
	for (i = 0; i < NEXTRAS; i++)
		CHECK(json_object_get(view, extras[i]) == NULL);
	for (i = 0; i < NHYDRA; i++)
		if (strcmp(hydra_members[i], "client_secret") != 0 &&
		    strcmp(hydra_members[i], "jwks") != 0 &&
		    json_object_get(view, hydra_members[i]) == NULL) {
			fprintf(stderr, "view lacks %s\n", hydra_members[i]);
			CHECK(0);
		}
	for (i = 0; i < NLIFESPANS; i++)
		CHECK(json_object_get(view, lifespans[i]) != NULL);
	CHECK(jeq(view, "client_id", "\"v1\""));
	CHECK(jeq(view, "client_name", "\"V\""));
	CHECK(jeq(view, "metadata", "{\"m\":true}"));
	CHECK(jeq(view, "owner", "\"o\""));
	CHECK_STR(sget(view, "created_at"), sget(rec, "created_at"));
	CHECK_STR(sget(view, "updated_at"), sget(rec, "updated_at"));
	/* Hydra omits an unset key set. */
	CHECK(json_object_get(view, "jwks") == NULL);
	json_decref(view);

	view = oclient_view_hydra(rec, "");
	CHECK(json_object_get(view, "client_secret") == NULL);
	json_decref(view);
	view = oclient_view_hydra(rec, secret);
	CHECK(jeq(view, "client_secret", "\"chosen-secret-16\""));
	CHECK(json_object_get(view, "_secret") == NULL);
	json_decref(view);
	/* The view is a copy: the record is unchanged. */
	CHECK(json_object_get(rec, "_secret") != NULL);
	CHECK(json_object_get(rec, "app_id") != NULL);
	json_decref(rec);

	/* A key set is shown. */
	if ((rec = build_ok("{\"jwks\":{\"keys\":[" EC_JWK "]}}", NULL,
	    0, secret)) != NULL) {
		view = oclient_view_hydra(rec, NULL);
		CHECK(jeq(view, "jwks", "{\"keys\":[" EC_JWK "]}"));
		json_decref(view);
	}
	json_decref(rec);
}

/* Registration access tokens (RFC 7592), without a store. */
static void
rat(void)
{
	char	 secret[OCLIENT_SECRET_MAX + 1];
	char	 tok[OCLIENT_SECRET_LEN], tok2[OCLIENT_SECRET_LEN];
	json_t	*rec;

	if ((rec = build_ok("{}", NULL, 0, secret)) == NULL)
		return;
	CHECK(!oclient_rat_ok(rec, ""));
	CHECK(!oclient_rat_ok(rec, secret));
	oclient_rat_new(rec, tok);
	CHECK(strlen(tok) == OCLIENT_SECRET_LEN - 1);
	CHECK(is_b64url(tok, OCLIENT_SECRET_LEN - 1));
	CHECK(strncmp(sget(rec, "_rat"), "$hmac-sha256$", 13) == 0);
	CHECK(strstr(sget(rec, "_rat"), tok) == NULL);
	CHECK(oclient_rat_ok(rec, tok));
	CHECK(!oclient_rat_ok(rec, ""));
	CHECK(!oclient_rat_ok(rec, NULL));
	CHECK(!oclient_rat_ok(rec, "x"));
	/* The token and the secret are not interchangeable. */
	CHECK(!oclient_rat_ok(rec, secret));
	CHECK(!secret_ok(rec, tok));
	CHECK(secret_ok(rec, secret));
	/* Purpose separation: the token's hash as a secret hash. */
	json_object_set(rec, "_secret", json_object_get(rec, "_rat"));
	CHECK(!secret_ok(rec, tok));
	/* A new token replaces the old one. */
	oclient_rat_new(rec, tok2);
	CHECK(strcmp(tok, tok2) != 0);
	CHECK(oclient_rat_ok(rec, tok2));
	CHECK(!oclient_rat_ok(rec, tok));
	json_decref(rec);
}

/* oclient_create() from JSON text; err is cleared first. */
static json_t *
create(const char *in, unsigned flags, char *secret, struct oerr *err)
{
	json_t	*j = J(in), *rec;

	oerr_clear(err);
	rec = oclient_create(j, flags, secret, err);
	json_decref(j);
	return rec;
}

/* oclient_update() from JSON text; err is cleared first. */
static json_t *
update(const char *id, const char *in, unsigned flags, char *secret,
    struct oerr *err)
{
	json_t	*j = J(in), *rec;

	oerr_clear(err);
	rec = oclient_update(id, j, flags, secret, err);
	json_decref(j);
	return rec;
}

/* Create, get, update, delete. */
static void
store_crud(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	char			 secret[OCLIENT_SECRET_MAX + 1];
	char			 first[OCLIENT_SECRET_MAX + 1];
	json_t			*rec, *got;

	if (!CHECKED(tfix_store_open(&d, "test_clients")))
		return;
	rec = create("{\"client_id\":\"c1\",\"client_name\":\"one\","
	    "\"app_id\":\"app\"}", 0, secret, &err);
	CHECK(rec != NULL && !oerr_isset(&err));
	if (rec == NULL)
		goto out;
	strcpy(first, secret);
	CHECK(strlen(first) == OCLIENT_SECRET_LEN - 1);
	CHECK(secret_ok(rec, first));

	oerr_clear(&err);
	got = oclient_get("c1", &err);
	CHECK(got != NULL);
	if (got != NULL) {
		CHECK(json_equal(rec, got));
		CHECK(secret_ok(got, first));
	}
	json_decref(got);

	/* Update keeping the secret. */
	got = update("c1", "{\"client_name\":\"uno\"}", OCLIENT_KEEP_SECRET,
	    secret, &err);
	CHECK(got != NULL);
	CHECK(secret[0] == '\0');
	json_decref(got);
	oerr_clear(&err);
	got = oclient_get("c1", &err);
	CHECK(got != NULL);
	if (got != NULL) {
		CHECK(jeq(got, "client_name", "\"uno\""));
		CHECK(jeq(got, "app_id", "\"app\""));
		CHECK(secret_ok(got, first));
		CHECK_STR(sget(got, "created_at"), sget(rec, "created_at"));
	}
	json_decref(got);

	/* The id in the input must match. */
	got = update("c1", "{\"client_id\":\"c2\",\"client_name\":\"dos\"}",
	    OCLIENT_KEEP_SECRET, secret, &err);
	CHECK(got == NULL && err.status == 400);
	CHECK(strstr(err.description, "client_id") != NULL);
	json_decref(got);
	/* The same id is fine. */
	got = update("c1", "{\"client_id\":\"c1\",\"client_name\":\"tres\"}",
	    OCLIENT_KEEP_SECRET, secret, &err);
	CHECK(got != NULL);
	json_decref(got);
	/* A failed validation changes nothing. */
	got = update("c1", "{\"client_name\":7}", OCLIENT_KEEP_SECRET,
	    secret, &err);
	CHECK(got == NULL && err.status == 400);
	json_decref(got);
	oerr_clear(&err);
	got = oclient_get("c1", &err);
	CHECK(got != NULL && jeq(got, "client_name", "\"tres\""));
	json_decref(got);

	/* Update with a new (generated) secret. */
	got = update("c1", "{}", 0, secret, &err);
	CHECK(got != NULL && strlen(secret) == OCLIENT_SECRET_LEN - 1);
	json_decref(got);
	oerr_clear(&err);
	got = oclient_get("c1", &err);
	CHECK(got != NULL && secret_ok(got, secret) &&
	    !secret_ok(got, first));
	json_decref(got);

	/* Delete. */
	oerr_clear(&err);
	CHECK(olife_client_delete("c1", &err));
	CHECK(!oerr_isset(&err));
	oerr_clear(&err);
	CHECK(oclient_get("c1", &err) == NULL);
	CHECK(err.status == 404 && err.code == OERR_NOT_FOUND);
	oerr_clear(&err);
	CHECK(!olife_client_delete("c1", &err));
	CHECK(err.status == 404);
	/* The id is free again. */
	json_decref(rec);
	rec = create("{\"client_id\":\"c1\"}", 0, secret, &err);
	CHECK(rec != NULL);
out:
	json_decref(rec);
	CHECK(tfix_store_close(&d));
}

/* A duplicate id is a 409; unknown ids are 404s. */
static void
store_conflict_notfound(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	char			 secret[OCLIENT_SECRET_MAX + 1];
	char			 first[OCLIENT_SECRET_MAX + 1];
	json_t			*rec, *dup, *got;

	if (!CHECKED(tfix_store_open(&d, "test_clients")))
		return;
	rec = create("{\"client_id\":\"dup\",\"client_name\":\"a\"}", 0,
	    first, &err);
	CHECK(rec != NULL);
	memset(secret, 'x', sizeof(secret));
	dup = create("{\"client_id\":\"dup\",\"client_name\":\"b\"}", 0,
	    secret, &err);
	CHECK(dup == NULL);
	CHECK(err.status == 409 && err.code == OERR_CONFLICT);
	CHECK(strstr(err.description, "dup") != NULL);
	/* The secret that was never stored is not handed out. */
	CHECK(secret[0] == '\0');
	json_decref(dup);
	/* The first one is untouched. */
	oerr_clear(&err);
	got = oclient_get("dup", &err);
	CHECK(got != NULL && jeq(got, "client_name", "\"a\"") &&
	    secret_ok(got, first));
	json_decref(got);

	oerr_clear(&err);
	CHECK(oclient_get("nope", &err) == NULL);
	CHECK(err.status == 404 && err.code == OERR_NOT_FOUND);
	got = update("nope", "{}", 0, secret, &err);
	CHECK(got == NULL && err.status == 404);
	CHECK(secret[0] == '\0');
	json_decref(got);
	oerr_clear(&err);
	CHECK(!olife_client_delete("nope", &err));
	CHECK(err.status == 404);
	/* A generated id cannot collide with a given one. */
	got = create("{\"client_id\":\"dup\"}", OCLIENT_GEN_ID, secret, &err);
	CHECK(got != NULL && strcmp(sget(got, "client_id"), "dup") != 0);
	json_decref(got);
	json_decref(rec);
	CHECK(tfix_store_close(&d));
}

/* Client ids of a JSON array of records, space-separated, into buf. */
static const char *
ids(const json_t *arr, char *buf, size_t sz)
{
	size_t	 i;
	json_t	*e;

	buf[0] = '\0';
	json_array_foreach(arr, i, e) {
		if (i > 0)
			strncat(buf, " ", sz - strlen(buf) - 1);
		strncat(buf, sget(e, "client_id"), sz - strlen(buf) - 1);
	}
	return buf;
}

/* One oclient_list() in a read transaction; ids of the page into buf. */
static const char *
list(const char *name, const char *owner, const char *app, size_t off,
    size_t lim, size_t *total, char *buf, size_t sz)
{
	struct oclient_filter	 f = { name, owner, app };
	struct ostore_txn	*t;
	struct oerr		 err;
	json_t			*arr;

	*total = (size_t)-1;
	buf[0] = '\0';
	if ((t = ostore_read_begin(NULL)) == NULL) {
		CHECK(0);
		return "(no txn)";
	}
	oerr_clear(&err);
	arr = oclient_list(t, &f, off, lim, total, &err);
	ostore_read_end(t);
	if (arr == NULL) {
		fprintf(stderr, "oclient_list: %s\n", err.description);
		CHECK(0);
		return "(failed)";
	}
	CHECK(json_array_size(arr) <= lim);
	ids(arr, buf, sz);
	json_decref(arr);
	return buf;
}

/* Listing: order, offset, limit, total, and the three filters. */
static void
store_list(void)
{
	static const char *const recs[] = {
		"{\"client_id\":\"c3\",\"client_name\":\"x\","
		    "\"owner\":\"alice\",\"app_id\":\"app1\"}",
		"{\"client_id\":\"c1\",\"client_name\":\"x\","
		    "\"owner\":\"bob\",\"app_id\":\"app1\"}",
		"{\"client_id\":\"c5\",\"client_name\":\"y\","
		    "\"owner\":\"alice\",\"app_id\":\"app2\"}",
		"{\"client_id\":\"c2\",\"client_name\":\"y\","
		    "\"owner\":\"alice\"}",
		"{\"client_id\":\"c4\",\"client_name\":\"x\","
		    "\"owner\":\"carol\",\"app_id\":\"app10\"}",
	};
	struct tfix_store	 d;
	struct oerr		 err;
	char			 secret[OCLIENT_SECRET_MAX + 1], buf[256];
	size_t			 i, total;
	json_t			*rec;

	if (!CHECKED(tfix_store_open(&d, "test_clients")))
		return;
	CHECK_STR(list(NULL, NULL, NULL, 0, 100, &total, buf, sizeof(buf)),
	    "");
	CHECK(total == 0);
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		rec = create(recs[i], 0, secret, &err);
		CHECK(rec != NULL);
		json_decref(rec);
	}
	/* All, in client_id order. */
	CHECK_STR(list(NULL, NULL, NULL, 0, 100, &total, buf, sizeof(buf)),
	    "c1 c2 c3 c4 c5");
	CHECK(total == 5);
	/* Pages. */
	CHECK_STR(list(NULL, NULL, NULL, 1, 2, &total, buf, sizeof(buf)),
	    "c2 c3");
	CHECK(total == 5);
	CHECK_STR(list(NULL, NULL, NULL, 4, 2, &total, buf, sizeof(buf)),
	    "c5");
	CHECK(total == 5);
	CHECK_STR(list(NULL, NULL, NULL, 5, 2, &total, buf, sizeof(buf)),
	    "");
	CHECK(total == 5);
	CHECK_STR(list(NULL, NULL, NULL, 100, 2, &total, buf, sizeof(buf)),
	    "");
	CHECK(total == 5);
	CHECK_STR(list(NULL, NULL, NULL, 0, 0, &total, buf, sizeof(buf)),
	    "");
	CHECK(total == 5);
	/* client_name. */
	CHECK_STR(list("x", NULL, NULL, 0, 100, &total, buf, sizeof(buf)),
	    "c1 c3 c4");
	CHECK(total == 3);
	CHECK_STR(list("x", NULL, NULL, 1, 1, &total, buf, sizeof(buf)),
	    "c3");
	CHECK(total == 3);
	CHECK_STR(list("X", NULL, NULL, 0, 100, &total, buf, sizeof(buf)),
	    "");
	CHECK(total == 0);
	/* owner. */
	CHECK_STR(list(NULL, "alice", NULL, 0, 100, &total, buf, sizeof(buf)),
	    "c2 c3 c5");
	CHECK(total == 3);
	CHECK_STR(list("y", "alice", NULL, 0, 100, &total, buf, sizeof(buf)),
	    "c2 c5");
	CHECK(total == 2);
	CHECK_STR(list(NULL, "alic", NULL, 0, 100, &total, buf, sizeof(buf)),
	    "");
	CHECK(total == 0);
	/* app_id: exact, not a prefix. */
	CHECK_STR(list(NULL, NULL, "app1", 0, 100, &total, buf, sizeof(buf)),
	    "c1 c3");
	CHECK(total == 2);
	CHECK_STR(list(NULL, NULL, "app1", 1, 100, &total, buf, sizeof(buf)),
	    "c3");
	CHECK(total == 2);
	CHECK_STR(list(NULL, NULL, "app10", 0, 100, &total, buf,
	    sizeof(buf)), "c4");
	CHECK(total == 1);
	CHECK_STR(list(NULL, NULL, "app", 0, 100, &total, buf, sizeof(buf)),
	    "");
	CHECK(total == 0);
	CHECK_STR(list(NULL, NULL, "nope", 0, 100, &total, buf, sizeof(buf)),
	    "");
	CHECK(total == 0);
	CHECK_STR(list(NULL, "bob", "app1", 0, 100, &total, buf, sizeof(buf)),
	    "c1");
	CHECK(total == 1);
	CHECK_STR(list("y", NULL, "app2", 0, 100, &total, buf, sizeof(buf)),
	    "c5");
	CHECK(total == 1);

	/* Moving a client to another application moves its index entry. */
	rec = update("c3", "{\"client_name\":\"x\",\"owner\":\"alice\","
	    "\"app_id\":\"app2\"}", OCLIENT_KEEP_SECRET, secret, &err);
	CHECK(rec != NULL);
	json_decref(rec);
	CHECK_STR(list(NULL, NULL, "app1", 0, 100, &total, buf, sizeof(buf)),
	    "c1");
	CHECK_STR(list(NULL, NULL, "app2", 0, 100, &total, buf, sizeof(buf)),
	    "c3 c5");
	/* A plain update without app_id keeps it (and its index entry). */
	rec = update("c3", "{\"client_name\":\"x\"}", OCLIENT_KEEP_SECRET,
	    secret, &err);
	CHECK(rec != NULL && jeq(rec, "app_id", "\"app2\""));
	json_decref(rec);
	CHECK_STR(list(NULL, NULL, "app2", 0, 100, &total, buf, sizeof(buf)),
	    "c3 c5");
	/* Owner was reset to "" by that plain update. */
	CHECK_STR(list(NULL, "alice", NULL, 0, 100, &total, buf, sizeof(buf)),
	    "c2 c5");
	/* Deleting removes the index entry too. */
	oerr_clear(&err);
	CHECK(olife_client_delete("c5", &err));
	CHECK_STR(list(NULL, NULL, "app2", 0, 100, &total, buf, sizeof(buf)),
	    "c3");
	CHECK(total == 1);
	CHECK_STR(list(NULL, NULL, NULL, 0, 100, &total, buf, sizeof(buf)),
	    "c1 c2 c3 c4");
	CHECK(total == 4);
	CHECK(tfix_store_close(&d));
}

/* ostore_write function: oclient_replace() of the record arg. */
static int
replace_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oclient_replace(t, arg, err);
}

/* A registration access token stored with the record survives updates. */
static void
store_rat(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	char			 secret[OCLIENT_SECRET_MAX + 1];
	char			 tok[OCLIENT_SECRET_LEN];
	json_t			*rec, *got, *ghost;

	if (!CHECKED(tfix_store_open(&d, "test_clients")))
		return;
	rec = create("{\"client_id\":\"r1\"}", 0, secret, &err);
	CHECK(rec != NULL);
	if (rec == NULL)
		goto out;
	CHECK(!oclient_rat_ok(rec, ""));
	oclient_rat_new(rec, tok);
	oerr_clear(&err);
	CHECK(ostore_write(replace_fn, rec, &err));
	oerr_clear(&err);
	got = oclient_get("r1", &err);
	CHECK(got != NULL && oclient_rat_ok(got, tok));
	CHECK(got != NULL && !oclient_rat_ok(got, secret));
	CHECK(got != NULL && secret_ok(got, secret));
	json_decref(got);
	/* Kept through an update. */
	got = update("r1", "{\"client_name\":\"n\"}", OCLIENT_KEEP_SECRET,
	    secret, &err);
	CHECK(got != NULL && oclient_rat_ok(got, tok));
	json_decref(got);
	oerr_clear(&err);
	got = oclient_get("r1", &err);
	CHECK(got != NULL && oclient_rat_ok(got, tok));
	CHECK(got != NULL && jeq(got, "client_name", "\"n\""));
	json_decref(got);
	/* Replacing a client that does not exist is a 404. */
	ghost = json_deep_copy(rec);
	json_object_set_new(ghost, "client_id", json_string("ghost"));
	oerr_clear(&err);
	CHECK(!ostore_write(replace_fn, ghost, &err));
	CHECK(err.status == 404);
	json_decref(ghost);
	oerr_clear(&err);
	CHECK(oclient_get("ghost", &err) == NULL);
out:
	json_decref(rec);
	CHECK(tfix_store_close(&d));
}


/* --- the decoded client (struct oclient) ------------------------- */

/* Decode rec, which must work. */
static struct oclient *
decode_ok(const json_t *rec)
{
	struct oclient	*c;
	struct oerr	 err;

	oerr_clear(&err);
	if ((c = oclient_decode(rec, &err)) == NULL) {
		fprintf(stderr, "oclient_decode: %s\n", err.description);
		CHECK(0);
	}
	return c;
}

/* A record built from defaults decodes to the defaults. */
static void
decode_defaults(void)
{
	char		 secret[OCLIENT_SECRET_MAX + 1];
	struct oclient	*c;
	json_t		*rec;
	size_t		 i;

	rec = build_ok("{\"client_id\":\"d1\"}", NULL, 0, secret);
	if (rec == NULL || (c = decode_ok(rec)) == NULL) {
		json_decref(rec);
		return;
	}
	CHECK_STR(c->id, "d1");
	CHECK(c->rec == rec);
	CHECK(c->auth == OCLIENT_AUTH_BASIC);
	CHECK_STR(c->auth_alg, "");
	CHECK(c->grant_types == OCLIENT_GT_CODE);
	CHECK(c->response_types == OCLIENT_RT_BIT(OCLIENT_RT_CODE));
	CHECK(oclient_has_rt(c, OCLIENT_RT_CODE));
	CHECK(!oclient_has_rt(c, OCLIENT_RT_TOKEN));
	CHECK(!oclient_has_rt(c, 0));
	CHECK(c->nredirect_uris == 0 && c->npost_logout_redirect_uris == 0);
	CHECK(c->naudience == 0);
	CHECK_STR(c->scope, "offline_access offline openid");
	CHECK(c->nscopes == 3);
	CHECK(c->nscopes == 3 && strcmp(c->scopes[0], "offline_access") ==
	    0 && strcmp(c->scopes[2], "openid") == 0);
	CHECK(oclient_has_scope(c, "openid"));
	CHECK(!oclient_has_scope(c, "open"));
	CHECK(c->jwks_json == NULL && c->jwks == NULL &&
	    c->jwks_error == NULL);
	CHECK_STR(c->jwks_uri, "");
	CHECK_STR(c->request_object_alg, "");
	CHECK(c->userinfo_alg == OCLIENT_USERINFO_NONE);
	CHECK(!c->require_pkce);
	CHECK(c->strategy == OCLIENT_AT_DEFAULT);
	for (i = 0; i < OCLIENT_LS_N; i++)
		CHECK(c->lifespans[i] == 0);
	CHECK(!c->skip_consent && !c->skip_logout_consent);
	CHECK_STR(c->frontchannel_logout_uri, "");
	CHECK_STR(c->backchannel_logout_uri, "");
	CHECK(!c->frontchannel_session_required &&
	    !c->backchannel_session_required);
	CHECK(c->subject_type == OCLIENT_SUB_PUBLIC);
	CHECK_STR(c->sector_identifier_uri, "");
	CHECK_STR(c->app_id, "");
	CHECK(strlen(c->epoch) == OCLIENT_EPOCH_LEN);
	CHECK(c->secret_hash != NULL);
	CHECK(c->secret_expires_at == 0);
	CHECK(oclient_secret_ok(c, secret));
	CHECK(!oclient_secret_ok(c, "wrong"));
	oclient_release(c);
	json_decref(rec);
}

/* Every member the protocol reads, set. */
static void
decode_fields(void)
{
	char		 secret[OCLIENT_SECRET_MAX + 1];
	struct oclient	*c;
	json_t		*rec;

	rec = build_ok("{\"client_id\":\"d2\",\"grant_types\":["
	    "\"authorization_code\",\"implicit\",\"refresh_token\","
	    "\"urn:ietf:params:oauth:grant-type:jwt-bearer\"],"
	    "\"response_types\":[\"code\",\"id_token code\","
	    "\"token id_token\"],"
	    "\"redirect_uris\":[\"https://a.example/cb\","
	    "\"http://127.0.0.1/cb\"],"
	    "\"post_logout_redirect_uris\":[\"https://a.example/bye\"],"
	    "\"scope\":\"openid  offline a:b\","
	    "\"audience\":[\"https://api.example\",\"urn:x\"],"
	    "\"token_endpoint_auth_method\":\"private_key_jwt\","
	    "\"token_endpoint_auth_signing_alg\":\"ES256\","
	    "\"jwks\":{\"keys\":[" EC_JWK "]},"
	    "\"request_object_signing_alg\":\"RS256\","
	    "\"userinfo_signed_response_alg\":\"RS256\","
	    "\"require_pkce\":true,\"access_token_strategy\":\"jwt\","
	    "\"authorization_code_grant_access_token_lifespan\":\"1h\","
	    "\"implicit_grant_id_token_lifespan\":\"30m\","
	    "\"refresh_token_grant_refresh_token_lifespan\":\"720h\","
	    "\"skip_consent\":true,\"skip_logout_consent\":true,"
	    "\"frontchannel_logout_uri\":\"https://a.example/fc\","
	    "\"frontchannel_logout_session_required\":true,"
	    "\"backchannel_logout_uri\":\"https://a.example/bc\","
	    "\"backchannel_logout_session_required\":true,"
	    "\"subject_type\":\"pairwise\","
	    "\"sector_identifier_uri\":\"https://a.example/s.json\","
	    "\"app_id\":\"app-1\",\"client_secret_expires_at\":99}",
	    NULL, 0, secret);
	if (rec == NULL || (c = decode_ok(rec)) == NULL) {
		json_decref(rec);
		return;
	}
	CHECK(c->auth == OCLIENT_AUTH_JWT);
	CHECK_STR(oclient_auth_name(c->auth), "private_key_jwt");
	CHECK_STR(c->auth_alg, "ES256");
	CHECK(c->grant_types == (OCLIENT_GT_CODE | OCLIENT_GT_IMPLICIT |
	    OCLIENT_GT_REFRESH | OCLIENT_GT_JWT_BEARER));
	CHECK(c->response_types == (OCLIENT_RT_BIT(OCLIENT_RT_CODE) |
	    OCLIENT_RT_BIT(OCLIENT_RT_CODE | OCLIENT_RT_IDTOKEN) |
	    OCLIENT_RT_BIT(OCLIENT_RT_TOKEN | OCLIENT_RT_IDTOKEN)));
	CHECK(oclient_has_rt(c, OCLIENT_RT_IDTOKEN | OCLIENT_RT_CODE));
	CHECK(!oclient_has_rt(c, OCLIENT_RT_TOKEN));
	CHECK(c->nredirect_uris == 2 && c->nredirect_uris == 2 &&
	    strcmp(c->redirect_uris[1], "http://127.0.0.1/cb") == 0);
	CHECK(oclient_redirect_allowed(c, "https://a.example/cb"));
	CHECK(oclient_redirect_allowed(c, "http://127.0.0.1:8080/cb"));
	CHECK(!oclient_redirect_allowed(c, "https://a.example/cb2"));
	CHECK(c->npost_logout_redirect_uris == 1);
	CHECK(oclient_post_logout_ok(c, "https://a.example/bye"));
	CHECK(!oclient_post_logout_ok(c, "https://a.example/by"));
	CHECK(c->nscopes == 3 && oclient_has_scope(c, "a:b") &&
	    oclient_has_scope(c, "offline") && !oclient_has_scope(c, ""));
	CHECK(c->naudience == 2 && oclient_has_audience(c, "urn:x") &&
	    !oclient_has_audience(c, "urn:y"));
	CHECK(c->jwks_json != NULL && c->jwks != NULL &&
	    c->jwks->nkeys == 1 && c->jwks_error == NULL);
	CHECK_STR(c->request_object_alg, "RS256");
	CHECK(c->userinfo_alg == OCLIENT_USERINFO_RS256);
	CHECK(c->require_pkce);
	CHECK(c->strategy == OCLIENT_AT_JWT);
	CHECK(c->lifespans[OCLIENT_LS_CODE_AT] == 3600);
	CHECK(c->lifespans[OCLIENT_LS_IMPLICIT_ID] == 1800);
	CHECK(c->lifespans[OCLIENT_LS_REFRESH_RT] == 720 * 3600);
	CHECK(c->lifespans[OCLIENT_LS_CC_AT] == 0);
	CHECK(oclient_lifespan(c, "authorization_code", "access_token") ==
	    3600);
	CHECK(oclient_lifespan(c, "refresh_token", "refresh_token") ==
	    720 * 3600);
	CHECK(oclient_lifespan(c, "client_credentials", "access_token") ==
	    0);
	CHECK(oclient_lifespan(c, "client_credentials", "id_token") == 0);
	CHECK(c->skip_consent && c->skip_logout_consent);
	CHECK_STR(c->frontchannel_logout_uri, "https://a.example/fc");
	CHECK_STR(c->backchannel_logout_uri, "https://a.example/bc");
	CHECK(c->frontchannel_session_required &&
	    c->backchannel_session_required);
	CHECK(c->subject_type == OCLIENT_SUB_PAIRWISE);
	CHECK_STR(c->sector_identifier_uri, "https://a.example/s.json");
	CHECK_STR(c->app_id, "app-1");
	CHECK(c->secret_hash == NULL);		/* private_key_jwt */
	CHECK(!oclient_secret_ok(c, "anything"));
	CHECK(c->secret_expires_at == 99);
	oclient_release(c);
	json_decref(rec);
}

/* The names and bits of grant types and auth methods. */
static void
decode_names(void)
{
	CHECK(oclient_grant_bit("authorization_code") == OCLIENT_GT_CODE);
	CHECK(oclient_grant_bit("implicit") == OCLIENT_GT_IMPLICIT);
	CHECK(oclient_grant_bit("refresh_token") == OCLIENT_GT_REFRESH);
	CHECK(oclient_grant_bit("client_credentials") == OCLIENT_GT_CC);
	CHECK(oclient_grant_bit("urn:ietf:params:oauth:grant-type:"
	    "jwt-bearer") == OCLIENT_GT_JWT_BEARER);
	CHECK(oclient_grant_bit("password") == 0);
	CHECK(oclient_grant_bit("") == 0);
	CHECK_STR(oclient_auth_name(OCLIENT_AUTH_BASIC),
	    "client_secret_basic");
	CHECK_STR(oclient_auth_name(OCLIENT_AUTH_POST), "client_secret_post");
	CHECK_STR(oclient_auth_name(OCLIENT_AUTH_NONE), "none");
}

/* Hand-made records: absent members are empty, damaged ones refused. */
static void
decode_damaged(void)
{
	static const struct {
		const char	*rec;
		const char	*member;	/* named in the error */
	} bad[] = {
		{ "{\"client_id\":\"x\",\"grant_types\":\"implicit\"}",
		    "grant_types" },
		{ "{\"client_id\":\"x\",\"grant_types\":[\"password\"]}",
		    "grant_types" },
		{ "{\"client_id\":\"x\",\"grant_types\":[1]}",
		    "grant_types" },
		{ "{\"client_id\":\"x\",\"response_types\":[\"code code\"]}",
		    "response_types" },
		{ "{\"client_id\":\"x\",\"response_types\":[\"\"]}",
		    "response_types" },
		{ "{\"client_id\":\"x\",\"token_endpoint_auth_method\":"
		    "\"tls_client_auth\"}", "token_endpoint_auth_method" },
		{ "{\"client_id\":\"x\",\"token_endpoint_auth_method\":7}",
		    "token_endpoint_auth_method" },
		{ "{\"client_id\":\"x\",\"access_token_strategy\":\"magic\"}",
		    "access_token_strategy" },
		{ "{\"client_id\":\"x\",\"subject_type\":\"secret\"}",
		    "subject_type" },
		{ "{\"client_id\":\"x\",\"redirect_uris\":{}}",
		    "redirect_uris" },
		{ "{\"client_id\":\"x\",\"scope\":[\"openid\"]}", "scope" },
		{ "{\"client_id\":\"x\",\"jwks\":[]}", "jwks" },
		{ "{\"client_id\":\"x\",\"skip_consent\":\"yes\"}",
		    "skip_consent" },
		{ "{\"client_id\":\"x\",\"implicit_grant_id_token_lifespan\":"
		    "\"1h\"}", "implicit_grant_id_token_lifespan" },
		{ "{\"client_id\":\"x\",\"_epoch\":5}", "_epoch" },
		{ "{\"client_name\":\"no id\"}", "client_id" },
		{ "{\"client_id\":\"\"}", "client_id" },
		{ "[]", "client_id" },
	};
	struct oclient	*c;
	struct oerr	 err;
	json_t		*rec;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rec = J(bad[i].rec);
		oerr_clear(&err);
		c = oclient_decode(rec, &err);
		if (c != NULL || err.status != 500 ||
		    strstr(err.description, bad[i].member) == NULL) {
			fprintf(stderr, "%s: %s\n", bad[i].rec, c != NULL ?
			    "decoded" : err.description);
			CHECK(0);
		}
		if (c == NULL && strcmp(bad[i].member, "client_id") != 0)
			CHECK(strstr(err.description, "'x'") != NULL);
		oclient_release(c);
		json_decref(rec);
	}
	/* The least record: everything empty, enums their first value. */
	rec = J("{\"client_id\":\"x\",\"jwks\":null,\"scope\":null}");
	if ((c = decode_ok(rec)) != NULL) {
		CHECK(c->auth == OCLIENT_AUTH_BASIC);
		CHECK(c->grant_types == 0 && c->response_types == 0);
		CHECK(c->nscopes == 0 && *c->scope == '\0');
		CHECK(c->jwks_json == NULL);
		CHECK(c->secret_hash == NULL && *c->epoch == '\0');
		CHECK(!oclient_secret_ok(c, "x"));
		CHECK(!oclient_redirect_allowed(c, "https://a.example/"));
		oclient_release(c);
	}
	json_decref(rec);
	/* A key set that cannot be used: decoded, and the reason kept. */
	rec = J("{\"client_id\":\"x\",\"jwks\":{\"keys\":[{\"kty\":"
	    "\"RSA\",\"n\":\"AQAB\"}]}}");
	if ((c = decode_ok(rec)) != NULL) {
		CHECK(c->jwks_json != NULL && c->jwks == NULL);
		CHECK(c->jwks_error != NULL && *c->jwks_error != '\0');
		oclient_release(c);
	}
	json_decref(rec);
	oclient_release(NULL);
}

/* Store bytes that are no JSON as the record of client f1. */
static int
put_junk(struct ostore_txn *t, void *arg, struct oerr *err)
{
	static const char	 junk[] = "{\"client_id\":";

	return ostore_put(t, OSTORE_CLIENTS, "f1", 2, junk,
	    sizeof(junk) - 1, 0) == OSTORE_OK;
}

/* oclient_find(): shared from the cache until the record changes. */
static void
decode_find(void)
{
	char			 secret[OCLIENT_SECRET_MAX + 1];
	const struct oclient	*a, *b;
	struct tfix_store	 d;
	struct oerr		 err;
	json_t			*rec;

	if (!CHECKED(tfix_store_open(&d, "test_clients")))
		return;
	rec = create("{\"client_id\":\"f1\",\"scope\":\"a b\"}", 0, secret,
	    &err);
	CHECK(rec != NULL);
	json_decref(rec);
	oerr_clear(&err);
	a = oclient_fetch("f1", &err);
	b = oclient_fetch("f1", &err);
	CHECK(a != NULL && a == b);
	CHECK(a != NULL && oclient_has_scope(a, "b"));
	CHECK(a != NULL && oclient_secret_ok(a, secret));
	oclient_release(b);
	rec = update("f1", "{\"scope\":\"c\"}", OCLIENT_MERGE |
	    OCLIENT_KEEP_SECRET, secret, &err);
	CHECK(rec != NULL);
	json_decref(rec);
	b = oclient_fetch("f1", &err);
	CHECK(b != NULL && b != a);
	CHECK(b != NULL && oclient_has_scope(b, "c") &&
	    !oclient_has_scope(b, "b"));
	/* The one handed out before stays whole. */
	CHECK(a != NULL && oclient_has_scope(a, "a"));
	oclient_release(a);
	oclient_release(b);
	/* The JSON view of the same cache. */
	oerr_clear(&err);
	rec = oclient_get_cached("f1", &err);
	CHECK(rec != NULL && strcmp(sget(rec, "scope"), "c") == 0);
	json_decref(rec);
	/* Unknown: 404; damaged bytes: a 500 naming the client. */
	oerr_clear(&err);
	CHECK(oclient_fetch("nope", &err) == NULL && err.status == 404);
	oerr_clear(&err);
	CHECK(ostore_write(put_junk, NULL, &err));
	oerr_clear(&err);
	CHECK(oclient_fetch("f1", &err) == NULL && err.status == 500 &&
	    strstr(err.description, "f1") != NULL);
	CHECK(tfix_store_close(&d));
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(build_defaults),
		T(build_generated_secret),
		T(build_chosen_secret),
		T(build_auth_none),
		T(build_keep_secret),
		T(build_merge),
		T(build_replace),
		T(build_dcr),
		T(build_dcr_server_chosen_secret),
		T(build_validation),
		T(build_valid),
		T(build_lifespans),
		T(duration_str),
		T(view_hydra),
		T(rat),
		T(store_crud),
		T(store_conflict_notfound),
		T(store_list),
		T(store_rat),
		T(decode_defaults),
		T(decode_fields),
		T(decode_names),
		T(decode_damaged),
		T(decode_find),
	};

	conf.secrets[0] = sys_secret;
	conf.nsecrets = 1;
	oconf = &conf;
	return t_run(tests, NTESTS);
}
