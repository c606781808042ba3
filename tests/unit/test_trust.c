/*
 * test_trust.c: unit tests of lib/protocol/trust.c and
 * lib/records/trust.c (the JWT Bearer grant's trust relationships: the
 * admin API's rules, the assertion checks, the expiry flush), against a
 * real LMDB store in a fresh directory, without a web server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/jti.h"
#include "records/lifecycle.h"
#include "records/trust.h"
#include "protocol/trust.h"
#include "t.h"
#include "tfix.h"

static char		 secret_a[] = "trust-test-secret-aaaaaaaaaaaaaaaa";
static char		 issuer[] = "https://op.example/";
static struct oconf	 conf;
static struct ojwk	*key;		/* the trusted issuer's key */
static struct ojwk	*other;		/* nobody's */
static struct oarena	 arena;
static const struct oclient *client;

#define ISS	"https://idp.example"
#define TOKEN	"https://op.example/oauth2/token"

/* A trust of ISS for sub (NULL: any), scope "read write". */
static json_t *
trust(const char *sub, const char *kid, int64_t exp_in)
{
	struct oerr	 err;
	json_t		*in, *pub, *out;
	char		 exp[32];

	oerr_clear(&err);
	pub = ojwk_export(key, 0, &err);
	json_object_set_new(pub, "kid", json_string(kid));
	otime_rfc3339(onow() + exp_in, exp, sizeof(exp));
	in = json_pack("{s:s, s:[s,s], s:o, s:s}", "issuer", ISS, "scope",
	    "read", "write", "jwk", pub, "expires_at", exp);
	if (sub != NULL)
		json_object_set_new(in, "subject", json_string(sub));
	else
		json_object_set_new(in, "allow_any_subject", json_true());
	out = otrust_api_create(in, &err);
	if (out == NULL)
		fprintf(stderr, "trust: %s\n", err.description);
	json_decref(in);
	return out;
}

/* An assertion signed with k, claims from base with over applied. */
static char *
assertion(const struct ojwk *k, const char *kid, const char *over)
{
	struct oerr	 err;
	json_t		*c, *o, *v, *hdr;
	const char	*name;
	char		*payload, *jws;
	int64_t		 now = onow();

	oerr_clear(&err);
	c = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "iss", ISS, "sub",
	    "alice", "aud", TOKEN, "iat", (json_int_t)now, "exp",
	    (json_int_t)(now + 300), "jti", "j-1");
	if (over != NULL) {
		o = J(over);
		json_object_foreach(o, name, v) {
			if (json_is_null(v))
				json_object_del(c, name);
			else
				json_object_set(c, name, v);
		}
		json_decref(o);
	}
	payload = json_dumps(c, JSON_COMPACT);
	hdr = json_pack("{s:s}", "typ", "JWT");
	(void)kid;
	jws = ojws_sign(k, "ES256", hdr, payload, strlen(payload), &err);
	json_decref(hdr);
	free(payload);
	json_decref(c);
	if (jws == NULL)
		abort();
	return jws;
}

/* Check an assertion; 1 if it passed, err set otherwise. */
static int
check(char *jws, const char *scope, struct otrust_grant *g,
    struct oerr *err)
{
	json_t	*sc = J(scope != NULL ? scope : "[]");
	int	 rc;

	oerr_clear(err);
	rc = otrust_assertion_check(&arena, jws, sc, client, g, err);
	json_decref(sc);
	ojose_free(jws);
	return rc;
}

static void
api(void)
{
	struct oerr	 err;
	json_t		*t, *l, *g;
	size_t		 total;

	CHECK((t = trust("alice", "k1", 3600)) != NULL);
	CHECK(jeq(t, "issuer", "\"" ISS "\""));
	CHECK(jeq(t, "subject", "\"alice\""));
	CHECK(jeq(t, "allow_any_subject", "false"));
	CHECK(jeq(t, "scope", "[\"read\",\"write\"]"));
	CHECK(jeq(t, "public_key", "{\"set\":\"" ISS "\",\"kid\":\"k1\"}"));
	CHECK(json_object_get(t, "jwk") == NULL);
	CHECK(json_is_string(json_object_get(t, "expires_at")));
	/* The same issuer, subject and kid again: a conflict. */
	CHECK(trust("alice", "k1", 60) == NULL);
	oerr_clear(&err);
	CHECK((g = otrust_api_get(sget(t, "id"), &err)) != NULL);
	CHECK(json_equal(g, t));
	json_decref(g);
	CHECK((l = otrust_api_list(ISS, 0, 10, &total, &err)) != NULL);
	CHECK(total == 1 && json_array_size(l) == 1);
	json_decref(l);
	CHECK((l = otrust_api_list("https://nobody", 0, 10, &total, &err)) !=
	    NULL && total == 0);
	json_decref(l);
	CHECK(otrust_api_get("no-such", &err) == NULL);
	CHECK(err.code == OERR_NOT_FOUND);
	oerr_clear(&err);
	CHECK(otrust_api_delete(sget(t, "id"), &err));
	CHECK(!otrust_api_delete(sget(t, "id"), &err));
	CHECK(err.code == OERR_NOT_FOUND);
	json_decref(t);
}

static void
api_refused(void)
{
	static const char *const bad[][2] = {
		{ "{}", "issuer" },
		{ "{\"issuer\":\"i\",\"expires_at\":\"2999-01-01T00:00:00Z\","
		  "\"jwk\":{}}", "subject" },
		{ "{\"issuer\":\"i\",\"subject\":\"s\",\"jwk\":{}}",
		  "expires_at" },
		{ "{\"issuer\":\"i\",\"subject\":\"s\",\"allow_any_subject\":"
		  "true,\"expires_at\":\"2999-01-01T00:00:00Z\",\"jwk\":{}}",
		  "allow_any_subject" },
		{ "{\"issuer\":\"i\",\"subject\":\"s\",\"expires_at\":"
		  "\"2999-01-01T00:00:00Z\",\"jwk\":{\"kty\":\"EC\"}}", "jwk" },
		{ "{\"issuer\":\"i\",\"subject\":\"s\",\"expires_at\":"
		  "\"2000-01-01T00:00:00Z\",\"jwk\":{\"kid\":\"k\"}}",
		  "expires_at" },
		{ "{\"issuer\":\"i\",\"subject\":\"s\",\"scope\":\"read\","
		  "\"expires_at\":\"2999-01-01T00:00:00Z\",\"jwk\":{}}",
		  "scope" },
	};
	struct oerr	 err;
	json_t		*in;
	size_t		 i, n;
	struct ostore_txn *t;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		oerr_clear(&err);
		in = J(bad[i][0]);
		CHECK(otrust_api_create(in, &err) == NULL);
		if (!named(&err, bad[i][1]))
			fprintf(stderr, "%s: %s\n", bad[i][0],
			    err.description);
		CHECK(named(&err, bad[i][1]));
		json_decref(in);
	}
	/* Nothing stored. */
	CHECK((t = ostore_read_begin(&err)) != NULL);
	CHECK(ostore_count(t, OSTORE_TRUST, &n) == OSTORE_OK && n == 0);
	ostore_read_end(t);
}

static void
assertions(void)
{
	struct otrust_grant	 g;
	struct oerr		 err;
	json_t			*t;
	unsigned char		 k[OJTI_KEY_LEN];

	CHECK((t = trust("alice", "k1", 3600)) != NULL);
	CHECK(check(assertion(key, "k1", NULL), "[\"read\"]", &g, &err));
	CHECK_STR(g.sub, "alice");
	ojti_key("urn:oidcgi:jwt-bearer:" ISS, "j-1", k);
	CHECK(memcmp(k, g.jti, sizeof(k)) == 0);
	/* Errors. */
	CHECK(!check(assertion(other, "k1", NULL), NULL, &g, &err));
	CHECK(err.code == OERR_INVALID_GRANT);
	CHECK(!check(assertion(key, "k1", "{\"sub\":\"bob\"}"), NULL, &g,
	    &err));
	CHECK(err.code == OERR_INVALID_GRANT);
	CHECK(strstr(err.description, "No trust") != NULL);
	CHECK(!check(assertion(key, "k1", "{\"iss\":\"https://x\"}"), NULL,
	    &g, &err));
	CHECK(err.code == OERR_INVALID_GRANT);
	CHECK(!check(assertion(key, "k1", "{\"aud\":\"https://x\"}"), NULL,
	    &g, &err));
	CHECK(strstr(err.description, "'aud'") != NULL);
	CHECK(!check(assertion(key, "k1", "{\"exp\":1}"), NULL, &g, &err));
	CHECK(err.code == OERR_INVALID_GRANT);
	CHECK(!check(assertion(key, "k1", "{\"exp\":99999999999}"), NULL, &g,
	    &err));
	CHECK(strstr(err.description, "max_ttl") != NULL);
	CHECK(!check(assertion(key, "k1", "{\"iat\":null}"), NULL, &g,
	    &err));
	CHECK(err.code == OERR_INVALID_GRANT);
	CHECK(!check(assertion(key, "k1", "{\"jti\":null}"), NULL, &g,
	    &err));
	CHECK(strstr(err.description, "'jti'") != NULL);
	CHECK(!check(assertion(key, "k1", NULL), "[\"admin\"]", &g, &err));
	CHECK(err.code == OERR_INVALID_SCOPE);
	CHECK(!check(strdup("not a jwt"), NULL, &g, &err));
	CHECK(err.code == OERR_INVALID_GRANT);
	oerr_clear(&err);
	CHECK(otrust_api_delete(sget(t, "id"), &err));
	json_decref(t);
}

/* Verify a JWT as a subject token (no flags); 1 if it passed. */
static int
verify(char *jws, struct otrust_jwt *j, struct oerr *err)
{
	int	 rc;

	oerr_clear(err);
	rc = otrust_jwt_verify(&arena, jws, "subject_token", 0, j, err);
	ojose_free(jws);
	return rc;
}

/*
 * The JWTs of token exchange: aud, iat and jti optional, but checked
 * when present; the trust's scope handed out.
 */
static void
jwts(void)
{
	struct otrust_jwt	 j;
	struct oerr		 err;
	json_t			*t;
	unsigned char		 k[OJTI_KEY_LEN];
	char			 fut[64];

	CHECK((t = trust("alice", "k1", 3600)) != NULL);
	CHECK(verify(assertion(key, "k1", "{\"aud\":null,\"iat\":null,"
	    "\"jti\":null}"), &j, &err));
	CHECK_STR(j.iss, ISS);
	CHECK_STR(j.sub, "alice");
	CHECK(!j.has_jti);
	CHECK(json_array_size(j.scope) == 2 &&
	    ojson_is(json_array_get(j.scope, 0), "read"));
	CHECK(jeq(j.claims, "sub", "\"alice\""));
	otrust_jwt_free(&j);
	/* The issuer as aud, and a jti: its mark as the assertion's. */
	CHECK(verify(assertion(key, "k1", "{\"aud\":\"https://op.example/\""
	    "}"), &j, &err));
	ojti_key("urn:oidcgi:jwt-bearer:" ISS, "j-1", k);
	CHECK(j.has_jti && memcmp(k, j.jti, sizeof(k)) == 0);
	otrust_jwt_free(&j);
	/* Errors name the token. */
	CHECK(!verify(assertion(key, "k1", "{\"aud\":\"https://api\"}"),
	    &j, &err));
	CHECK(err.code == OERR_INVALID_GRANT &&
	    strstr(err.description, "subject_token's 'aud'") != NULL);
	snprintf(fut, sizeof(fut), "{\"iat\":%lld}",
	    (long long)onow() + 600);
	CHECK(!verify(assertion(key, "k1", fut), &j, &err));
	CHECK(err.code == OERR_INVALID_GRANT);
	snprintf(fut, sizeof(fut), "{\"nbf\":%lld}",
	    (long long)onow() + 600);
	CHECK(!verify(assertion(key, "k1", fut), &j, &err));
	CHECK(err.code == OERR_INVALID_GRANT);
	CHECK(!verify(assertion(key, "k1", "{\"exp\":null}"), &j, &err));
	CHECK(err.code == OERR_INVALID_GRANT);
	CHECK(!verify(assertion(key, "k1", "{\"jti\":\"\"}"), &j, &err));
	CHECK(strstr(err.description, "'jti'") != NULL);
	CHECK(!verify(assertion(key, "k1", "{\"jti\":7}"), &j, &err));
	CHECK(err.code == OERR_INVALID_GRANT);
	CHECK(!verify(assertion(other, "k1", NULL), &j, &err));
	CHECK(err.code == OERR_INVALID_GRANT);
	CHECK(j.claims == NULL && j.scope == NULL);
	oerr_clear(&err);
	CHECK(otrust_api_delete(sget(t, "id"), &err));
	json_decref(t);
}

/* An expired relationship is flushed with the rest. */
static int
flush_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	(void)arg;
	if (!olife_flush(t, onow() + 7200, 0, NULL)) {
		oerr_set(err, OERR_SERVER_ERROR, "flush");
		return 0;
	}
	return 1;
}

static void
flushed(void)
{
	struct oerr	 err;
	json_t		*t;
	size_t		 n;
	struct ostore_txn *tx;

	CHECK((t = trust(NULL, "k2", 3600)) != NULL);
	oerr_clear(&err);
	CHECK(ostore_write(flush_fn, NULL, &err));
	CHECK((tx = ostore_read_begin(&err)) != NULL);
	CHECK(ostore_count(tx, OSTORE_TRUST, &n) == OSTORE_OK && n == 0);
	ostore_read_end(tx);
	json_decref(t);
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(api),
		T(api_refused),
		T(assertions),
		T(jwts),
		T(flushed),
	};
	struct tfix_store	 st;
	struct oerr		 err;
	int			 rc;

	conf.issuer = issuer;
	conf.secrets[0] = secret_a;
	conf.nsecrets = 1;
	conf.ttl_access_token = 3600;
	oconf = &conf;
	if (!tfix_store_open(&st, "test_trust"))
		return 1;
	oerr_clear(&err);
	if ((key = ojwk_generate("ES256", 0, "k1", "sig", &err)) == NULL ||
	    (other = ojwk_generate("ES256", 0, "k1", "sig", &err)) == NULL) {
		tfix_store_close(&st);
		return 1;
	}
	tclient("{\"client_id\":\"c\",\"scope\":\"read write\","
	    "\"grant_types\":[\"urn:ietf:params:oauth:grant-type:jwt-bearer\"],"
	    "\"response_types\":[],\"token_endpoint_auth_method\":\"none\"}");
	client = oclient_fetch("c", &err);
	oarena_init(&arena);
	rc = client != NULL ? t_run(tests, NTESTS) : 1;
	oarena_free(&arena);
	oclient_release(client);
	ojwk_free(key);
	ojwk_free(other);
	if (!tfix_store_close(&st))
		rc = 1;
	return rc;
}
