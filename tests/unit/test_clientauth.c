/*
 * test_clientauth.c: unit tests of lib/protocol/clientauth.c (client
 * authentication by client_secret_basic, client_secret_post,
 * private_key_jwt (registered jwks, refused jwks_uri), client_secret_jwt
 * and none) and lib/records/jti.c (the single-use store
 * of assertion ids), against a real LMDB store in a fresh directory
 * under $TMPDIR, without a web server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/form.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/jti.h"
#include "protocol/clientauth.h"
#include "protocol/clientkeys.h"
#include "t.h"
#include "tfix.h"

#define SECRET		"correct-horse-battery-staple"
#define JWT_SECRET	"client-secret-jwt-0123456789abcdef-0123456789abcdef"
#define UNIFORM		"Client authentication failed (e.g., unknown " \
	"client, no client authentication included, or unsupported " \
	"authentication method)."

static char		 secret_a[] = "clientauth-secret-aaaaaaaaaaaaaa";
static char		 issuer[] = "https://op.example/";
static struct oconf	 conf;
static struct ojwk	*ckey;		/* the private_key_jwt client's key */
static struct ojwk	*okey;		/* a key nobody registered */

static struct oarena	 arena;

/* Authenticate with the form and optional Basic credentials. */
static int
auth(const char *bid, const char *bsecret, struct oclientauth *a,
    struct oerr *err)
{
	struct oclientauth_in	 in;

	memset(&in, 0, sizeof(in));
	in.p = &tform;
	in.basic_id = bid;
	in.basic_secret = bsecret;
	oerr_clear(err);
	return oclientauth_check(&arena, &in, a, err);
}

static char *assertion_alg(const struct ojwk *, const char *,
    const char *, const char *, const char *, int64_t, const char *);

/* An ES256 assertion signed with key: claims as given, exp from now. */
static char *
assertion(const struct ojwk *key, const char *iss, const char *sub,
    const char *aud, int64_t exp_in, const char *jti)
{
	return assertion_alg(key, "ES256", iss, sub, aud, exp_in, jti);
}

/* The same signed with alg. */
static char *
assertion_alg(const struct ojwk *key, const char *alg, const char *iss,
    const char *sub, const char *aud, int64_t exp_in, const char *jti)
{
	struct oerr	 err;
	json_t		*c;
	char		*payload, *jws;

	oerr_clear(&err);
	c = json_pack("{s:s,s:s,s:s,s:I}", "iss", iss, "sub", sub, "aud",
	    aud, "exp", (json_int_t)(onow() + exp_in));
	if (jti != NULL)
		json_object_set_new(c, "jti", json_string(jti));
	payload = json_dumps(c, JSON_COMPACT);
	jws = ojws_sign(key, alg, NULL, payload, strlen(payload), &err);
	free(payload);
	json_decref(c);
	if (jws == NULL)
		abort();
	return jws;
}

/* The uniform answer of a failed authentication. */
static int
uniform(const struct oerr *err)
{
	return err->code == OERR_INVALID_CLIENT && err->status == 401 &&
	    strcmp(err->description, UNIFORM) == 0 &&
	    strcmp(err->hint, "The client is unknown, or does not "
	    "authenticate with this method or these credentials.") == 0;
}

static void
basic_ok(void)
{
	struct oclientauth	 a;
	struct oerr		 err;

	tform_set("grant_type", "client_credentials", NULL);
	CHECK(auth("cb", SECRET, &a, &err));
	CHECK_STR(a.id, "cb");
	CHECK(a.client != NULL && !a.has_jti);
	oclientauth_free(&a);
	/* The same client_id in the body too is fine. */
	tform_set("client_id", "cb", NULL);
	CHECK(auth("cb", SECRET, &a, &err));
	oclientauth_free(&a);
	/* Another one is not. */
	tform_set("client_id", "cp", NULL);
	CHECK(!auth("cb", SECRET, &a, &err));
	CHECK(err.code == OERR_INVALID_REQUEST);
	CHECK(a.client == NULL);
}

static void
post_ok(void)
{
	struct oclientauth	 a;
	struct oerr		 err;

	tform_set("client_id", "cp", "client_secret", SECRET, NULL);
	CHECK(auth(NULL, NULL, &a, &err));
	CHECK_STR(a.id, "cp");
	CHECK(a.client != NULL);
	oclientauth_free(&a);
}

static void
none_ok(void)
{
	struct oclientauth	 a;
	struct oerr		 err;

	tform_set("client_id", "cn", NULL);
	CHECK(auth(NULL, NULL, &a, &err));
	CHECK_STR(a.id, "cn");
	oclientauth_free(&a);
	/* A public client's Basic "id:" is no secret. */
	tform_set("grant_type", "x", NULL);
	CHECK(auth("cn", "", &a, &err));
	oclientauth_free(&a);
	/* But a secret it does not have is no way in. */
	CHECK(!auth("cn", "guess-guess-guess", &a, &err));
	CHECK(uniform(&err));
}

static void
wrong_secret(void)
{
	struct oclientauth	 a;
	struct oerr		 err;

	tform_set("client_id", "cp", "client_secret", "wrong", NULL);
	CHECK(!auth(NULL, NULL, &a, &err));
	CHECK(uniform(&err));
	CHECK(a.client == NULL);
	tform_set(NULL);
	CHECK(!auth("cb", "wrong", &a, &err));
	CHECK(uniform(&err));
}

static void
unknown_same_answer(void)
{
	struct oclientauth	 a;
	struct oerr		 err, known;

	tform_set("client_id", "cp", "client_secret", "wrong", NULL);
	CHECK(!auth(NULL, NULL, &a, &err));
	known = err;
	tform_set("client_id", "nobody", "client_secret", "wrong", NULL);
	CHECK(!auth(NULL, NULL, &a, &err));
	CHECK(uniform(&err));
	CHECK(err.code == known.code && err.status == known.status);
	CHECK_STR(err.description, known.description);
	CHECK_STR(err.hint, known.hint);
	tform_set(NULL);
	CHECK(!auth("nobody", "wrong", &a, &err));
	CHECK(uniform(&err));
	tform_set("client_id", "nobody", NULL);
	CHECK(!auth(NULL, NULL, &a, &err));
	CHECK(uniform(&err));
}

static void
method_mismatch(void)
{
	struct oclientauth	 a;
	struct oerr		 err;
	char			*jwt;

	/* Registered for Basic, using the form: the unknown's answer. */
	tform_set("client_id", "cb", "client_secret", SECRET, NULL);
	CHECK(!auth(NULL, NULL, &a, &err));
	CHECK(uniform(&err));
	/* Registered for the form, using Basic. */
	tform_set(NULL);
	CHECK(!auth("cp", SECRET, &a, &err));
	CHECK(uniform(&err));
	/* A confidential client without credentials. */
	tform_set("client_id", "cp", NULL);
	CHECK(!auth(NULL, NULL, &a, &err));
	CHECK(uniform(&err));
	/* A secret client with an assertion. */
	jwt = assertion(ckey, "cp", "cp", "https://op.example/oauth2/token",
	    60, "m1");
	tform_set("client_assertion", jwt, "client_assertion_type",
	    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", NULL);
	CHECK(!auth(NULL, NULL, &a, &err));
	CHECK(uniform(&err));
	ojose_free(jwt);
	/* The JWT client with a secret. */
	tform_set("client_id", "cj", "client_secret", SECRET, NULL);
	CHECK(!auth(NULL, NULL, &a, &err));
	CHECK(uniform(&err));
}

static void
one_method(void)
{
	struct oclientauth	 a;
	struct oerr		 err;

	tform_set("client_id", "cb", "client_secret", SECRET, NULL);
	CHECK(!auth("cb", SECRET, &a, &err));
	CHECK(err.code == OERR_INVALID_REQUEST);
	CHECK(strstr(err.description, "more than one") != NULL);
	tform_set(NULL);
	CHECK(!auth(NULL, NULL, &a, &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
	CHECK_STR(err.hint, "The request names no client.");
}

static void
jwt_ok(void)
{
	struct oclientauth	 a;
	struct oerr		 err;
	unsigned char		 key[OJTI_KEY_LEN];
	char			*jwt;
	int64_t			 now = onow();

	jwt = assertion(ckey, "cj", "cj", "https://op.example/oauth2/token",
	    60, "jti-1");
	/* No client_id: the assertion's sub names the client. */
	tform_set("client_assertion", jwt, "client_assertion_type",
	    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", NULL);
	CHECK(auth(NULL, NULL, &a, &err));
	CHECK_STR(a.id, "cj");
	CHECK(a.has_jti);
	ojti_key("cj", "jti-1", key);
	CHECK(memcmp(key, a.jti, sizeof(key)) == 0);
	CHECK(a.jti_exp >= now + 60 + 30 && a.jti_exp <= now + 62 + 30);
	oclientauth_free(&a);
	ojose_free(jwt);
	/* The issuer as audience is accepted too. */
	jwt = assertion(ckey, "cj", "cj", "https://op.example", 60, "jti-2");
	tform_set("client_id", "cj", "client_assertion", jwt,
	    "client_assertion_type",
	    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", NULL);
	CHECK(auth(NULL, NULL, &a, &err));
	oclientauth_free(&a);
	ojose_free(jwt);
}

/* Authenticate the JWT client with jwt; 1 if it passed. */
static int
jwt_auth(char *jwt, struct oerr *err)
{
	struct oclientauth	 a;
	int			 rc;

	tform_set("client_id", "cj", "client_assertion", jwt,
	    "client_assertion_type",
	    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", NULL);
	rc = auth(NULL, NULL, &a, err);
	oclientauth_free(&a);
	ojose_free(jwt);
	return rc;
}

static void
jwt_refused(void)
{
	struct oerr	 err;
	const char	*tok = "https://op.example/oauth2/token";

	CHECK(!jwt_auth(assertion(ckey, "cj", "cj",
	    "https://elsewhere.example/token", 60, "a1"), &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
	CHECK(strstr(err.description, "'aud'") != NULL);
	CHECK(!jwt_auth(assertion(ckey, "cj", "cj", tok, -120, "a2"), &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
	CHECK(strstr(err.description, "not valid") != NULL);
	CHECK(!jwt_auth(assertion(okey, "cj", "cj", tok, 60, "a3"), &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
	CHECK(strstr(err.description, "could not be verified") != NULL);
	CHECK(!jwt_auth(assertion(ckey, "cj", "cj", tok, 60, NULL), &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
	CHECK(strstr(err.description, "'jti'") != NULL);
	CHECK(!jwt_auth(assertion(ckey, "cj", "someone", tok, 60, "a4"),
	    &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
	CHECK(!jwt_auth(assertion(ckey, "other", "cj", tok, 60, "a5"),
	    &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
}

/* An oct key of the bytes of secret. */
static struct ojwk *
hmac_key(const char *secret)
{
	struct oerr	 err;
	struct ojwk	*k;
	json_t		*j;
	char		 b[256];
	size_t		 n;

	oerr_clear(&err);
	if (!ocrypto_b64url_encode(b, sizeof(b), &n, secret, strlen(secret)))
		abort();
	j = json_pack("{s:s,s:s}", "kty", "oct", "k", b);
	if ((k = ojwk_import(j, 1, &err)) == NULL)
		abort();
	json_decref(j);
	return k;
}

/* Authenticate client id with jwt; 1 if it passed. */
static int
jwt_auth_as(const char *id, char *jwt, struct oerr *err)
{
	struct oclientauth	 a;
	int			 rc;

	tform_set("client_id", id, "client_assertion", jwt,
	    "client_assertion_type",
	    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", NULL);
	rc = auth(NULL, NULL, &a, err);
	oclientauth_free(&a);
	ojose_free(jwt);
	return rc;
}

/* client_secret_jwt (RFC 7523 §2.2): an HMAC with the client secret. */
static void
secret_jwt(void)
{
	struct ojwk	*k = hmac_key(JWT_SECRET), *bad;
	struct oerr	 err;
	const char	*tok = "https://op.example/oauth2/token";

	bad = hmac_key(JWT_SECRET "x");
	CHECK(jwt_auth_as("cs", assertion_alg(k, "HS256", "cs", "cs", tok,
	    60, "s1"), &err));
	CHECK(jwt_auth_as("cs", assertion_alg(k, "HS384", "cs", "cs", tok,
	    60, "s2"), &err));
	/* Another key, another client's assertion, an asymmetric alg. */
	CHECK(!jwt_auth_as("cs", assertion_alg(bad, "HS256", "cs", "cs", tok,
	    60, "s3"), &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
	CHECK(strstr(err.description, "could not be verified") != NULL);
	CHECK(!jwt_auth_as("cs", assertion(ckey, "cs", "cs", tok, 60, "s4"),
	    &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
	/* An HMAC assertion for a private_key_jwt client: refused. */
	CHECK(!jwt_auth_as("cj", assertion_alg(k, "HS256", "cj", "cj", tok,
	    60, "s5"), &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
	/* The secret as a plain secret: wrong method. */
	tform_set("client_id", "cs", "client_secret", JWT_SECRET, NULL);
	{
		struct oclientauth a;

		CHECK(!auth(NULL, NULL, &a, &err));
		CHECK(uniform(&err));
	}
	CHECK(!jwt_auth_as("cs", assertion_alg(k, "HS256", "cs", "cs",
	    "https://elsewhere.example/", 60, "s6"), &err));
	CHECK(strstr(err.description, "'aud'") != NULL);
	ojwk_free(k);
	ojwk_free(bad);
}

/* The record keeps the secret sealed, and never in the clear. */
static void
secret_jwt_record(void)
{
	struct oerr	 err;
	json_t		*rec, *in;
	char		 out[OCLIENT_SECRET_MAX + 1], *text;

	oerr_clear(&err);
	CHECK((rec = oclient_get("cs", &err)) != NULL);
	text = json_dumps(rec, JSON_COMPACT);
	CHECK(strstr(text, JWT_SECRET) == NULL);
	CHECK(json_is_string(json_object_get(rec, "_sealed_secret")));
	free(text);
	json_decref(rec);
	/* Too short a secret for an HMAC key (RFC 7518 §3.2). */
	in = J("{\"client_secret\":\"0123456789abcdef0123\","
	    "\"token_endpoint_auth_method\":\"client_secret_jwt\"}");
	CHECK(oclient_create(in, 0, out, &err) == NULL);
	CHECK(named(&err, "client_secret"));
	json_decref(in);
	/* A generated one: 64 characters, fit for HS512. */
	oerr_clear(&err);
	in = J("{\"token_endpoint_auth_method\":\"client_secret_jwt\","
	    "\"token_endpoint_auth_signing_alg\":\"HS512\"}");
	CHECK((rec = oclient_create(in, 0, out, &err)) != NULL);
	CHECK(strlen(out) == 64);
	json_decref(rec);
	json_decref(in);
	/* HS* only with client_secret_jwt, and only HS* with it. */
	oerr_clear(&err);
	in = J("{\"token_endpoint_auth_method\":\"client_secret_jwt\","
	    "\"token_endpoint_auth_signing_alg\":\"RS256\"}");
	CHECK(oclient_create(in, 0, out, &err) == NULL);
	CHECK(named(&err, "token_endpoint_auth_signing_alg"));
	json_decref(in);
	oerr_clear(&err);
	in = J("{\"token_endpoint_auth_method\":\"private_key_jwt\","
	    "\"jwks_uri\":\"https://c.example/jwks\","
	    "\"token_endpoint_auth_signing_alg\":\"HS256\"}");
	CHECK(oclient_create(in, 0, out, &err) == NULL);
	CHECK(named(&err, "token_endpoint_auth_signing_alg"));
	json_decref(in);
}

/* Keys from jwks_uri: https only, never to internal addresses. */
static void
jwks_uri_refused(void)
{
	struct ojwk	*k = ckey;
	struct oerr	 err;
	const char	*tok = "https://op.example/oauth2/token";

	CHECK(!jwt_auth_as("cu1", assertion(k, "cu1", "cu1", tok, 60, "u1"),
	    &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
	CHECK(strstr(err.description, "https") != NULL);
	CHECK(!jwt_auth_as("cu2", assertion(k, "cu2", "cu2", tok, 60, "u2"),
	    &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
	CHECK(strstr(err.description, "not allowed") != NULL);
	/* Loopback http allowed by the switch, but nobody listens. */
	conf.client_http_loopback = 1;
	CHECK(!jwt_auth_as("cu3", assertion(k, "cu3", "cu3", tok, 60, "u3"),
	    &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
	CHECK(strstr(err.description, "could not be fetched") != NULL);
	conf.client_http_loopback = 0;
	oclientkeys_flush();
}

static void
jwt_type(void)
{
	struct oclientauth	 a;
	struct oerr		 err;
	char			*jwt;

	jwt = assertion(ckey, "cj", "cj", "https://op.example/oauth2/token",
	    60, "t1");
	tform_set("client_id", "cj", "client_assertion", jwt, NULL);
	CHECK(!auth(NULL, NULL, &a, &err));
	CHECK(err.code == OERR_INVALID_REQUEST);
	CHECK(strstr(err.description, "client_assertion_type") != NULL);
	ojose_free(jwt);
}

/* The write transaction spending a jti. */
struct use_op {
	unsigned char	 key[OJTI_KEY_LEN];
	int64_t		 exp;
	int		 rc;
	struct oerr	 err;
};

static int
use_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct use_op	*op = arg;

	oerr_clear(&op->err);
	op->rc = ojti_use(t, op->key, op->exp, &op->err);
	return 1;
}

static void
jti_replay(void)
{
	struct use_op		 op;
	struct oerr		 err;
	struct ostore_txn	*t;
	const void		*v;
	size_t			 vl;
	char			 want[128], buf[64];

	memset(&op, 0, sizeof(op));
	oerr_clear(&err);
	/* The key is SHA-256 of "jti:" client_id NUL jti. */
	memcpy(buf, "jti:cj\0j-9", 10);
	ocrypto_sha256(buf, 10, (unsigned char *)want);
	ojti_key("cj", "j-9", op.key);
	CHECK(memcmp(want, op.key, OJTI_KEY_LEN) == 0);
	op.exp = onow() + 90;
	CHECK(ostore_write(use_fn, &op, &err) && op.rc == 1);
	/* Byte-identical on disk. */
	CHECK((t = ostore_read_begin(&err)) != NULL);
	if (t != NULL) {
		snprintf(want, sizeof(want), "{\"v\":1,\"kind\":"
		    "\"client_assertion\",\"exp\":%lld}", (long long)op.exp);
		CHECK(ostore_get(t, OSTORE_FLOWS, op.key, OJTI_KEY_LEN, &v,
		    &vl) == OSTORE_OK);
		CHECK(vl == strlen(want) && memcmp(v, want, vl) == 0);
		ostore_read_end(t);
	}
	/* Spent: a replay is refused. */
	CHECK(ostore_write(use_fn, &op, &err) && op.rc == 0);
	CHECK(op.err.code == OERR_INVALID_CLIENT);
	CHECK(strstr(op.err.description, "used before") != NULL);
	/* Another client's same jti is another key. */
	ojti_key("cb", "j-9", op.key);
	CHECK(ostore_write(use_fn, &op, &err) && op.rc == 1);
	/* An expired mark not flushed yet is replaced. */
	ojti_key("cj", "old", op.key);
	op.exp = onow() - 5;
	CHECK(ostore_write(use_fn, &op, &err) && op.rc == 1);
	op.exp = onow() + 90;
	CHECK(ostore_write(use_fn, &op, &err) && op.rc == 1);
	CHECK(ostore_write(use_fn, &op, &err) && op.rc == 0);
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(basic_ok),
		T(post_ok),
		T(none_ok),
		T(wrong_secret),
		T(unknown_same_answer),
		T(method_mismatch),
		T(one_method),
		T(jwt_ok),
		T(jwt_refused),
		T(jwt_type),
		T(jti_replay),
		T(secret_jwt),
		T(secret_jwt_record),
		T(jwks_uri_refused),
	};
	struct tfix_store	 st;
	struct oerr		 err;
	json_t			*pub;
	char			*text, in[4096];
	int			 rc;

	conf.issuer = issuer;
	conf.secrets[0] = secret_a;
	conf.nsecrets = 1;
	conf.ttl_access_token = 3600;
	conf.ttl_refresh_token = 3600;
	conf.ttl_id_token = 3600;
	conf.ttl_auth_code = 600;
	oconf = &conf;
	if (!tfix_store_open(&st, "test_clientauth"))
		return 1;
	oerr_clear(&err);
	if ((ckey = ojwk_generate("ES256", 0, "k1", "sig", &err)) == NULL ||
	    (okey = ojwk_generate("ES256", 0, "k1", "sig", &err)) == NULL ||
	    (pub = ojwk_export(ckey, 0, &err)) == NULL) {
		fprintf(stderr, "setup: %s\n", err.description);
		tfix_store_close(&st);
		return 1;
	}
	tclient("{\"client_id\":\"cb\",\"client_secret\":\"" SECRET "\","
	    "\"token_endpoint_auth_method\":\"client_secret_basic\"}");
	tclient("{\"client_id\":\"cp\",\"client_secret\":\"" SECRET "\","
	    "\"token_endpoint_auth_method\":\"client_secret_post\"}");
	tclient("{\"client_id\":\"cn\","
	    "\"token_endpoint_auth_method\":\"none\"}");
	text = json_dumps(pub, JSON_COMPACT);
	snprintf(in, sizeof(in), "{\"client_id\":\"cj\",\"token_endpoint_"
	    "auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[%s]}}",
	    text);
	tclient(in);
	tclient("{\"client_id\":\"cs\",\"client_secret\":\"" JWT_SECRET
	    "\",\"token_endpoint_auth_method\":\"client_secret_jwt\"}");
	tclient("{\"client_id\":\"cu1\",\"token_endpoint_auth_method\":"
	    "\"private_key_jwt\",\"jwks_uri\":\"http://c.example/jwks\"}");
	tclient("{\"client_id\":\"cu2\",\"token_endpoint_auth_method\":"
	    "\"private_key_jwt\",\"jwks_uri\":\"https://127.0.0.1:9/j\"}");
	tclient("{\"client_id\":\"cu3\",\"token_endpoint_auth_method\":"
	    "\"private_key_jwt\",\"jwks_uri\":\"http://127.0.0.1:9/j\"}");
	free(text);
	json_decref(pub);
	oarena_init(&arena);
	rc = t_run(tests, NTESTS);
	oarena_free(&arena);
	ojwk_free(ckey);
	ojwk_free(okey);
	if (!tfix_store_close(&st))
		rc = 1;
	return rc;
}
