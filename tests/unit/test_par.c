/*
 * test_par.c: unit tests of lib/protocol/par.c (the pushed
 * authorization request endpoint), lib/protocol/reqobj.c (request
 * objects and pushed requests' request_uri), lib/records/pushed.c, and
 * the enforcement of pushed requests in oauthorize_begin(), against a
 * real LMDB store in a fresh directory under $TMPDIR.
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
#include "records/pushed.h"
#include "protocol/authorize.h"
#include "protocol/clientauth.h"
#include "protocol/par.h"
#include "protocol/reqobj.h"
#include "t.h"
#include "tfix.h"

#define SECRET	"par-client-secret-0123456789"
#define CB	"https://rp.example/cb"
#define ISSUER	"https://op.example/"

static char		 secret[] = "par-test-secret-aaaaaaaaaaaaaaaaaa";
static struct oconf	 conf;
static struct oarena	 arena;
static struct ojwk	*ckey;		/* client "ro"'s key */
static struct ojwk	*okey;		/* a key nobody registered */

/* Records in the flows database, or (size_t)-1. */
static size_t
flows(void)
{
	struct ostore_txn	*t;
	size_t			 n = (size_t)-1;

	if ((t = ostore_read_begin(NULL)) != NULL) {
		if (ostore_count(t, OSTORE_FLOWS, &n) != OSTORE_OK)
			n = (size_t)-1;
		ostore_read_end(t);
	}
	return n;
}

/* Push tform as client id (Basic, secret SECRET unless sec). */
static json_t *
push(const char *id, const char *sec, struct oerr *err)
{
	struct oclientauth_in	 in;

	in.p = &tform;
	in.basic_id = id;
	in.basic_secret = sec != NULL ? sec : SECRET;
	oerr_clear(err);
	return opar_push(&arena, &in, err);
}

/* The reference of a push's answer (an arena string). */
static const char *
ref_of(const json_t *r)
{
	const char	*u = sget(r, "request_uri");

	if (u == NULL || strncmp(u, OREQOBJ_URN, strlen(OREQOBJ_URN)) != 0)
		return "";
	return oarena_strdup(&arena, u + strlen(OREQOBJ_URN));
}

/* Resolve the query qs. */
static int
resolve(const char *qs, struct oparams *out, int *pushed, struct oerr *err)
{
	struct oparams	 p;

	oerr_clear(err);
	if (!oform_parse(&arena, qs, strlen(qs), &p, err))
		return 0;
	return oreqobj_resolve(&arena, &p, out, pushed, err);
}

/* A request object: claims (JSON text) signed ES256 with key. */
static char *
object(const struct ojwk *key, const char *claims)
{
	struct oerr	 err;
	char		*jws, *copy;

	oerr_clear(&err);
	jws = ojws_sign(key, "ES256", NULL, claims, strlen(claims), &err);
	if (jws == NULL)
		abort();
	copy = oarena_strdup(&arena, jws);
	ojose_free(jws);
	return copy;
}

static void
push_ok(void)
{
	struct oparams	 out;
	struct oerr	 err;
	json_t		*r;
	size_t		 n = flows();
	int		 pushed;

	tform_set("response_type", "code", "scope", "openid offline",
	    "state", "abcdefgh-1", "redirect_uri", CB, NULL);
	CHECK((r = push("web", NULL, &err)) != NULL);
	CHECK(jeq(r, "expires_in", "60"));
	CHECK(strlen(ref_of(r)) == 43);
	CHECK(flows() == n + 1);
	/* At /oauth2/auth: the pushed parameters, the query's ignored. */
	CHECK(resolve(oarena_printf(&arena, "client_id=web&scope=evil&"
	    "request_uri=%s", sget(r, "request_uri")), &out, &pushed, &err));
	CHECK(pushed == 1);
	CHECK_STR(oparams_get(&out, "scope"), "openid offline");
	CHECK_STR(oparams_get(&out, "client_id"), "web");
	CHECK(oparams_get(&out, "request_uri") == NULL);
	CHECK(flows() == n);
	/* Once. */
	CHECK(!resolve(oarena_printf(&arena, "client_id=web&request_uri=%s",
	    sget(r, "request_uri")), &out, &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST_URI);
	json_decref(r);
}

static void
push_errors(void)
{
	struct oerr	 err;
	size_t		 n = flows();

	tform_set("response_type", "code", "scope", "openid",
	    "state", "abcdefgh-1", "request_uri", OREQOBJ_URN "x", NULL);
	CHECK(push("web", NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_REQUEST && err.status == 400);
	tform_set("response_type", "code", "scope", "admin",
	    "state", "abcdefgh-1", NULL);
	CHECK(push("web", NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_SCOPE && err.status == 400);
	tform_set("response_type", "code", "scope", "openid",
	    "state", "short", NULL);
	CHECK(push("web", NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_STATE && err.status == 400);
	tform_set("response_type", "code", "redirect_uri",
	    "https://evil.example/cb", "state", "abcdefgh-1", NULL);
	CHECK(push("web", NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_REQUEST && err.status == 400);
	tform_set("response_type", "code", "state", "abcdefgh-1",
	    "consent_verifier", "x", NULL);
	CHECK(push("web", NULL, &err) == NULL);
	CHECK(named(&err, "consent_verifier"));
	tform_set("response_type", "code", "state", "abcdefgh-1", NULL);
	CHECK(push("web", "wrong-secret-0123456789", &err) == NULL);
	CHECK(err.code == OERR_INVALID_CLIENT && err.status == 401);
	tform_set("response_type", "code", "state", "abcdefgh-1",
	    "client_id", "ro", NULL);
	CHECK(push("web", NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_REQUEST);
	/* A public client pushes with its client_id; PKCE still needed. */
	tform_set("client_id", "pub", "response_type", "code",
	    "state", "abcdefgh-1", "scope", "openid", NULL);
	CHECK(push(NULL, NULL, &err) == NULL);
	CHECK(strstr(err.description, "PKCE") != NULL);
	/* Nothing stored by any of them. */
	CHECK(flows() == n);
}

static void
resolve_errors(void)
{
	struct oparams	 out;
	struct oerr	 err;
	json_t		*r;
	int		 pushed;
	size_t		 n;

	CHECK(!resolve("client_id=web&request_uri=" OREQOBJ_URN "nope",
	    &out, &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST_URI);
	/* A URL: one the client registered, on a public address. */
	CHECK(!resolve("client_id=web&request_uri=https://rp.example/r",
	    &out, &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST_URI &&
	    strstr(err.description, "registered") != NULL);
	CHECK(!resolve("client_id=uri&request_uri=https://127.0.0.1:1/r%23h",
	    &out, &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST_URI &&
	    strstr(err.description, "loopback") != NULL);
	CHECK(!resolve("request_uri=" OREQOBJ_URN "x", &out, &pushed, &err));
	CHECK(named(&err, "client_id"));
	CHECK(!resolve("client_id=web&request=a.b.c&request_uri=x", &out,
	    &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST);
	CHECK(!resolve("client_id=web&request_uri=a&request_uri=b", &out,
	    &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST);
	/* Another client's request_uri: refused, and left to its owner. */
	tform_set("response_type", "code", "state", "abcdefgh-1", NULL);
	CHECK((r = push("web", NULL, &err)) != NULL);
	n = flows();
	CHECK(!resolve(oarena_printf(&arena, "client_id=one&request_uri=%s",
	    sget(r, "request_uri")), &out, &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST_URI);
	CHECK(flows() == n);
	CHECK(resolve(oarena_printf(&arena, "client_id=web&request_uri=%s",
	    sget(r, "request_uri")), &out, &pushed, &err));
	json_decref(r);
	/* Expired: refused, and gone. */
	conf.par_ttl = 0;
	CHECK((r = push("web", NULL, &err)) != NULL);
	conf.par_ttl = 60;
	n = flows();
	CHECK(!resolve(oarena_printf(&arena, "client_id=web&request_uri=%s",
	    sget(r, "request_uri")), &out, &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST_URI &&
	    strstr(err.description, "expired") != NULL);
	CHECK(flows() == n - 1);
	json_decref(r);
	/* No request nor request_uri: the query itself. */
	CHECK(resolve("client_id=web&scope=openid", &out, &pushed, &err));
	CHECK(!pushed && out.n == 2);
}

/* Request objects of client "ro" that are refused. */
static const char *const bad[] = {
	"{\"iss\":\"web\",\"aud\":\"" ISSUER "\"}",
	"{\"iss\":\"ro\",\"aud\":\"https://other.example/\"}",
	"{\"iss\":\"ro\"}",
	"{\"iss\":\"ro\",\"aud\":\"" ISSUER "\",\"exp\":1}",
	"{\"iss\":\"ro\",\"aud\":\"" ISSUER "\",\"client_id\":\"web\"}",
	"{\"iss\":\"ro\",\"aud\":\"" ISSUER "\","
	    "\"response_type\":\"token\"}",
	"{\"iss\":\"ro\",\"aud\":\"" ISSUER "\","
	    "\"request_uri\":\"x\"}",
	"{\"iss\":\"ro\",\"aud\":\"" ISSUER "\",\"scope\":[\"a\"]}",
};

static void
request_objects(void)
{
	struct oparams	 out;
	struct oerr	 err;
	const char	*o;
	size_t		 i;
	int		 pushed;

	o = object(ckey, "{\"iss\":\"ro\",\"aud\":\"" ISSUER "\","
	    "\"scope\":\"openid offline\",\"max_age\":30,"
	    "\"claims\":{\"userinfo\":{\"email\":null}}}");
	CHECK(resolve(oarena_printf(&arena, "client_id=ro&scope=openid&"
	    "state=abcdefgh&request=%s", o), &out, &pushed, &err));
	CHECK(!pushed);
	CHECK_STR(oparams_get(&out, "scope"), "openid offline");
	CHECK_STR(oparams_get(&out, "max_age"), "30");
	CHECK_STR(oparams_get(&out, "state"), "abcdefgh");
	CHECK_STR(oparams_get(&out, "claims"),
	    "{\"userinfo\":{\"email\":null}}");
	CHECK(oparams_get(&out, "request") == NULL);
	CHECK(oparams_get(&out, "iss") == NULL);
	/* Each of these is invalid_request_object. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = object(ckey, bad[i]);
		CHECK(!resolve(oarena_printf(&arena, "client_id=ro&"
		    "response_type=code&request=%s", o), &out, &pushed, &err));
		CHECK(err.code == OERR_INVALID_REQUEST_OBJECT);
	}
	/* Another key; not a JWS; unsigned for a client of ES256. */
	o = object(okey, "{\"iss\":\"ro\",\"aud\":\"" ISSUER "\"}");
	CHECK(!resolve(oarena_printf(&arena, "client_id=ro&request=%s", o),
	    &out, &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST_OBJECT);
	CHECK(!resolve("client_id=ro&request=x", &out, &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST_OBJECT);
	CHECK(!resolve("client_id=ro&request=eyJhbGciOiJub25lIn0.e30.",
	    &out, &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST_OBJECT);
	/* A client without jwks; one with only a jwks_uri. */
	o = object(ckey, "{\"iss\":\"web\",\"aud\":\"" ISSUER "\"}");
	CHECK(!resolve(oarena_printf(&arena, "client_id=web&request=%s", o),
	    &out, &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST_OBJECT &&
	    strstr(err.description, "jwks") != NULL);
	CHECK(!resolve(oarena_printf(&arena, "client_id=uri&request=%s", o),
	    &out, &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST_OBJECT &&
	    strstr(err.description, "jwks_uri") != NULL);
	/* Unsigned, for the client that registered none; not signed. */
	CHECK(resolve("client_id=none&request=eyJhbGciOiJub25lIn0."
	    "eyJzY29wZSI6Im9wZW5pZCJ9.", &out, &pushed, &err));
	CHECK_STR(oparams_get(&out, "scope"), "openid");
	o = object(ckey, "{\"iss\":\"none\",\"aud\":\"" ISSUER "\"}");
	CHECK(!resolve(oarena_printf(&arena, "client_id=none&request=%s", o),
	    &out, &pushed, &err));
	CHECK(err.code == OERR_INVALID_REQUEST_OBJECT);
	/* An unknown client: left to the validation to name. */
	CHECK(resolve("client_id=nobody&request=x", &out, &pushed, &err));
}

static void
push_request_object(void)
{
	struct oerr	 err;
	json_t		*r;
	const char	*o;

	o = object(ckey, "{\"iss\":\"ro\",\"aud\":\"" ISSUER "\","
	    "\"response_type\":\"code\",\"state\":\"abcdefgh-2\","
	    "\"scope\":\"openid\"}");
	tform_set("request", o, NULL);
	CHECK((r = push("ro", NULL, &err)) != NULL);
	json_decref(r);
	o = object(okey, "{\"iss\":\"ro\",\"aud\":\"" ISSUER "\","
	    "\"response_type\":\"code\",\"state\":\"abcdefgh-2\"}");
	tform_set("request", o, NULL);
	CHECK(push("ro", NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_REQUEST_OBJECT && err.status == 400);
}

/* Begin the query qs; the outcome's error code name, or "" (ok). */
static const char *
begin(const char *qs)
{
	struct oauthorize_outcome	 o;
	struct oparams			 p;
	struct oerr			 err;
	const char			*e = "";

	oerr_clear(&err);
	if (!oform_parse(&arena, qs, strlen(qs), &p, &err))
		return "parse";
	if (!oauthorize_begin(&p, NULL, "https://op/auth?x", &o))
		e = oarena_strdup(&arena, o.answer == OAUTHORIZE_TO_CLIENT ?
		    sget(o.params, "error") : oerr_name(o.err.code));
	oauthorize_outcome_free(&o);
	return e;
}

static void
enforced(void)
{
	struct oerr	 err;
	json_t		*r;

	CHECK_STR(begin("client_id=web&response_type=code&state=abcdefgh"),
	    "");
	CHECK_STR(begin("client_id=must&response_type=code&state=abcdefgh"),
	    "invalid_request");
	tform_set("response_type", "code", "state", "abcdefgh", NULL);
	CHECK((r = push("must", NULL, &err)) != NULL);
	CHECK_STR(begin(oarena_printf(&arena, "client_id=must&request_uri="
	    "%s", sget(r, "request_uri"))), "");
	/* Used: to the client, as its redirect URI is known. */
	CHECK_STR(begin(oarena_printf(&arena, "client_id=must&request_uri="
	    "%s", sget(r, "request_uri"))), "invalid_request_uri");
	json_decref(r);
	conf.par_enforced = 1;
	CHECK_STR(begin("client_id=web&response_type=code&state=abcdefgh"),
	    "invalid_request");
	conf.par_enforced = 0;
}

/* What pushed_records() does in a write transaction. */
struct rec_op {
	int		 put;
	int64_t		 exp;
	enum opushed_rc	 rc;
	struct opushed	 p;
};

static int
rec_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct rec_op	*op = arg;
	json_t		*params;
	int		 ok;

	if (op->put) {
		params = J("[[\"scope\",\"openid\"]]");
		ok = opushed_put(t, "ref-1", "web", params, op->exp, err);
		json_decref(params);
		return ok;
	}
	opushed_free(&op->p);
	op->rc = opushed_take(t, "ref-1", &op->p, err);
	return op->rc != OPUSHED_ERR;
}

static void
pushed_records(void)
{
	struct rec_op	 op;
	size_t		 n = flows();

	memset(&op, 0, sizeof(op));
	op.put = 1;
	op.exp = onow() + 60;
	CHECK(twrite(rec_fn, &op));
	CHECK(flows() == n + 1);
	/* A second put of one reference is refused. */
	CHECK(!ostore_write(rec_fn, &op, &(struct oerr){ 0 }));
	op.put = 0;
	CHECK(twrite(rec_fn, &op) && op.rc == OPUSHED_OK);
	CHECK_STR(op.p.client_id, "web");
	CHECK(json_array_size(op.p.params) == 1);
	CHECK_STR(json_string_value(json_array_get(json_array_get(op.p.params,
	    0), 1)), "openid");
	CHECK(flows() == n);
	CHECK(twrite(rec_fn, &op) && op.rc == OPUSHED_UNKNOWN);
	/* Expired: taken all the same, as expired. */
	op.put = 1;
	op.exp = onow() - 1;
	CHECK(twrite(rec_fn, &op));
	op.put = 0;
	CHECK(twrite(rec_fn, &op) && op.rc == OPUSHED_EXPIRED);
	CHECK(flows() == n);
	opushed_free(&op.p);
}

static const struct t_case tests[] = {
	T(push_ok), T(push_errors), T(resolve_errors), T(request_objects),
	T(push_request_object), T(enforced), T(pushed_records),
};

int
main(void)
{
	struct tfix_store	 st;
	struct oerr		 err;
	json_t			*pub;
	char			*text, in[4096];
	int			 rc;

	conf.issuer = ISSUER;
	conf.url_login = ISSUER "ui/login";
	conf.url_consent = ISSUER "ui/consent";
	conf.secrets[0] = secret;
	conf.nsecrets = 1;
	conf.ttl_login_consent = 600;
	conf.par_ttl = 60;
	oconf = &conf;
	if (!tfix_store_open(&st, "test_par"))
		return 1;
	oerr_clear(&err);
	if ((ckey = ojwk_generate("ES256", 0, "k1", "sig", &err)) == NULL ||
	    (okey = ojwk_generate("ES256", 0, "k1", "sig", &err)) == NULL ||
	    (pub = ojwk_export(ckey, 0, &err)) == NULL) {
		fprintf(stderr, "setup: %s\n", err.description);
		tfix_store_close(&st);
		return 1;
	}
#define WEB	"\"redirect_uris\":[\"" CB "\"]," \
	"\"response_types\":[\"code\"]," \
	"\"grant_types\":[\"authorization_code\"]," \
	"\"scope\":\"openid offline\""
	tclient("{\"client_id\":\"web\",\"client_secret\":\"" SECRET "\","
	    WEB "}");
	tclient("{\"client_id\":\"one\",\"client_secret\":\"" SECRET "\","
	    WEB "}");
	tclient("{\"client_id\":\"must\",\"client_secret\":\"" SECRET "\","
	    "\"require_pushed_authorization_requests\":true," WEB "}");
	tclient("{\"client_id\":\"pub\",\"token_endpoint_auth_method\":"
	    "\"none\"," WEB "}");
	tclient("{\"client_id\":\"uri\",\"client_secret\":\"" SECRET "\","
	    "\"jwks_uri\":\"https://rp.example/jwks\",\"request_uris\":"
	    "[\"https://127.0.0.1:1/r\"]," WEB "}");
	tclient("{\"client_id\":\"none\",\"client_secret\":\"" SECRET "\","
	    "\"request_object_signing_alg\":\"none\"," WEB "}");
	text = json_dumps(pub, JSON_COMPACT);
	snprintf(in, sizeof(in), "{\"client_id\":\"ro\",\"client_secret\":"
	    "\"" SECRET "\",\"request_object_signing_alg\":\"ES256\","
	    "\"jwks\":{\"keys\":[%s]}," WEB "}", text);
	tclient(in);
	free(text);
	json_decref(pub);
	oarena_init(&arena);
	rc = t_run(tests, NTESTS);
	oarena_free(&arena);
	ojwk_free(ckey);
	ojwk_free(okey);
	if (!tfix_store_close(&st))
		rc = 1;
	oconf = NULL;
	return rc;
}
