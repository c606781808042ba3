/*
 * test_exchange.c: unit tests of lib/protocol/exchange.c (RFC 8693
 * token exchange through ogrants_token()) and of the logout that ends
 * tokens (ologout_revoke_tokens(), ologout_end_sessions(), the
 * tokens_by_sid index), without a web server, against a real LMDB
 * store in a fresh directory with the default signing keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/tokens.h"
#include "protocol/clientauth.h"
#include "protocol/exchange.h"
#include "protocol/grants.h"
#include "protocol/introspect.h"
#include "protocol/logout.h"
#include "protocol/trust.h"
#include "t.h"
#include "tfix.h"

#define SECRET		"correct-horse-battery-staple"
#define TT		"urn:ietf:params:oauth:token-type:"
#define AT		TT "access_token"

static char		 secret_a[] = "exchange-secret-aaaaaaaaaaaaaaaa";
static char		 issuer[] = "https://op.example/";
static struct oconf	 conf;
static struct oarena	 arena;

/* The token request of the form; NULL with err set on refusal. */
static json_t *
token(struct oerr *err)
{
	struct oclientauth_in	 in;

	memset(&in, 0, sizeof(in));
	in.p = &tform;
	oerr_clear(err);
	return ogrants_token(&arena, &in, err);
}

struct issue_op {
	struct ogrant	 grant;
	json_t		*resp;
};

static int
issue_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct issue_op		*op = arg;
	const struct oclient	*c;
	struct oerr		 e;

	oerr_clear(&e);
	if ((c = oclient_find(t, op->grant.client_id, &e)) == NULL)
		return 0;
	op->resp = ogrant_issue(t, &op->grant, c, OISSUE_ACCESS |
	    OISSUE_REFRESH | OISSUE_IDTOKEN, NULL, "authorization_code", err);
	oclient_release(c);
	return op->resp != NULL;
}

/*
 * Tokens for alice, issued to client cid under login session sid:
 * a response with access_token, refresh_token and id_token (free it).
 */
static json_t *
tokens(const char *cid, const char *sid)
{
	struct issue_op	 op;
	struct oerr	 err;
	json_t		*g;
	char		 rid[64];

	snprintf(rid, sizeof(rid), "rid-%s-%lld", cid, (long long)random());
	oerr_clear(&err);
	memset(&op, 0, sizeof(op));
	g = json_pack("{s:s,s:s,s:s,s:s,s:[s,s,s],s:[s]}",
	    "request_id", rid, "client_id", cid, "sub", "alice",
	    "sid", sid, "scope", "openid", "offline_access", "profile",
	    "aud", "https://api.example/");
	if (!ogrant_decode(g, &op.grant, &err) || !ogrant_prepare(&err) ||
	    !ostore_write(issue_fn, &op, &err)) {
		fprintf(stderr, "tokens: %s\n", err.description);
		abort();
	}
	json_decref(g);
	ogrant_free(&op.grant);
	return op.resp;
}

/* The introspection of tok (a new object). */
static json_t *
intro(const char *tok)
{
	struct oerr	 err;
	json_t		*r;

	oerr_clear(&err);
	if ((r = ointrospect(&arena, tok, NULL, &err)) == NULL)
		abort();
	return r;
}

/* 1 if tok introspects active. */
static int
active(const char *tok)
{
	json_t	*r = intro(tok);
	int	 a = json_is_true(json_object_get(r, "active"));

	json_decref(r);
	return a;
}

static void
impersonation(void)
{
	json_t		*t = tokens("app", "s-imp"), *r, *i;
	struct oerr	 err;

	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "app",
	    "client_secret", SECRET, "subject_token", sget(t, "access_token"),
	    "subject_token_type", AT, "scope", "openid", NULL);
	CHECK((r = token(&err)) != NULL);
	CHECK(jeq(r, "issued_token_type", "\"" AT "\""));
	CHECK(jeq(r, "token_type", "\"bearer\""));
	CHECK(jeq(r, "scope", "\"openid\""));
	CHECK(json_object_get(r, "refresh_token") == NULL);
	i = intro(sget(r, "access_token"));
	CHECK(jeq(i, "active", "true"));
	CHECK(jeq(i, "sub", "\"alice\""));
	CHECK(jeq(i, "client_id", "\"app\""));
	CHECK(json_object_get(i, "act") == NULL);
	json_decref(i);
	ogrants_response_free(r);
	ogrants_response_free(t);
}

static void
delegation(void)
{
	json_t		*t = tokens("app", "s-del"), *a = tokens("svc", "s-x");
	json_t		*r, *i;
	struct oerr	 err;

	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "svc",
	    "client_secret", SECRET, "subject_token", sget(t, "access_token"),
	    "subject_token_type", AT, "actor_token", sget(a, "access_token"),
	    "actor_token_type", AT, "audience", "https://svc.example/", NULL);
	CHECK((r = token(&err)) != NULL);
	i = intro(sget(r, "access_token"));
	CHECK(jeq(i, "act", "{\"sub\":\"alice\"}"));
	CHECK(jeq(i, "aud", "[\"https://svc.example/\"]"));
	CHECK(jeq(i, "client_id", "\"svc\""));
	json_decref(i);
	ogrants_response_free(r);
	ogrants_response_free(t);
	ogrants_response_free(a);
}

static void
refusals(void)
{
	json_t		*t = tokens("app", "s-ref");
	struct oerr	 err;
	const char	*at = sget(t, "access_token");

	/* Another client's token without policy. */
	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "other",
	    "client_secret", SECRET, "subject_token", at,
	    "subject_token_type", AT, NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_UNAUTHORIZED_CLIENT);
	/* A target the policy does not allow. */
	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "app",
	    "client_secret", SECRET, "subject_token", at,
	    "subject_token_type", AT, "resource", "https://nope.example/",
	    NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_TARGET && err.status == 400);
	/* Scope beyond the subject token's. */
	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "app",
	    "client_secret", SECRET, "subject_token", at,
	    "subject_token_type", AT, "scope", "openid email", NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_SCOPE);
	/* Parameters. */
	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "app",
	    "client_secret", SECRET, "subject_token", at, NULL);
	CHECK(token(&err) == NULL);
	CHECK(named(&err, "subject_token_type"));
	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "app",
	    "client_secret", SECRET, "subject_token", at,
	    "subject_token_type", AT, "requested_token_type", TT "saml2",
	    NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_REQUEST &&
	    strstr(err.description, "requested_token_type") != NULL);
	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "app",
	    "client_secret", SECRET, "subject_token", at,
	    "subject_token_type", TT "refresh_token", NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT);
	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "app",
	    "client_secret", SECRET, "subject_token", "not-a-jwt",
	    "subject_token_type", TT "jwt", NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_REQUEST);
	/* Shaped as one but of no trusted issuer. */
	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "app",
	    "client_secret", SECRET, "subject_token", "a.b.c",
	    "subject_token_type", TT "jwt", NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT);
	/* A client without the grant type. */
	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "plain",
	    "client_secret", SECRET, "subject_token", at,
	    "subject_token_type", AT, NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_UNAUTHORIZED_CLIENT);
	/* Nothing was issued by the refusals. */
	CHECK(active(at));
	ogrants_response_free(t);
}

static void
id_tokens(void)
{
	json_t		*t = tokens("app", "s-idt"), *r, *i;
	struct oerr	 err;

	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "app",
	    "client_secret", SECRET, "subject_token", sget(t, "id_token"),
	    "subject_token_type", TT "id_token", NULL);
	CHECK((r = token(&err)) != NULL);
	CHECK(jeq(r, "scope", "\"openid\""));
	i = intro(sget(r, "access_token"));
	CHECK(jeq(i, "sub", "\"alice\""));
	json_decref(i);
	ogrants_response_free(r);
	ogrants_response_free(t);
	/* An expired one of ours is invalid_grant, as jwt too. */
	conf.ttl_id_token = 1;
	t = tokens("app", "s-idt2");
	conf.ttl_id_token = 3600;
	sleep(2);
	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "app",
	    "client_secret", SECRET, "subject_token", sget(t, "id_token"),
	    "subject_token_type", TT "jwt", NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT);
	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "app",
	    "client_secret", SECRET, "subject_token", sget(t, "id_token"),
	    "subject_token_type", TT "id_token", NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT);
	ogrants_response_free(t);
}

static void
refresh_requested(void)
{
	json_t		*t = tokens("app", "s-rt"), *r;
	struct oerr	 err;

	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "app",
	    "client_secret", SECRET, "subject_token", sget(t, "refresh_token"),
	    "subject_token_type", TT "refresh_token", "requested_token_type",
	    TT "refresh_token", NULL);
	CHECK((r = token(&err)) != NULL);
	CHECK(jeq(r, "issued_token_type", "\"" TT "refresh_token\""));
	CHECK(jeq(r, "token_type", "\"N_A\""));
	CHECK(strncmp(sget(r, "access_token"), "ory_rt_", 7) == 0);
	CHECK(active(sget(r, "access_token")));
	CHECK(active(sget(t, "refresh_token")));
	ogrants_response_free(r);
	/* A revoked subject token exchanges no more. */
	CHECK(active(sget(t, "access_token")));
	tform_set("token", sget(t, "access_token"), "client_id", "app",
	    "client_secret", SECRET, NULL);
	{
		struct oclientauth_in	 in;

		memset(&in, 0, sizeof(in));
		in.p = &tform;
		oerr_clear(&err);
		CHECK(ogrants_revoke(&arena, &in, &err));
	}
	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "app",
	    "client_secret", SECRET, "subject_token", sget(t, "access_token"),
	    "subject_token_type", AT, NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT);
	ogrants_response_free(t);
}

struct sid_op {
	const char	*sid;
	const char	*subject;
	json_t		*notify;
};

static int
revoke_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct sid_op	*op = arg;

	return ologout_revoke_tokens(t, op->sid) ? 1 : 0;
}

static int
end_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct sid_op	*op = arg;

	return ologout_end_sessions(t, op->sid, op->subject, &op->notify,
	    err);
}

static void
logout_revokes(void)
{
	json_t		*t = tokens("app", "s-out");
	json_t		*u = tokens("app", "s-keep");
	struct sid_op	 op;
	struct oerr	 err;

	memset(&op, 0, sizeof(op));
	op.sid = "s-out";
	/* Off: nothing goes. */
	conf.logout_revoke = 0;
	CHECK(twrite(revoke_fn, &op));
	CHECK(active(sget(t, "access_token")));
	conf.logout_revoke = 1;
	CHECK(twrite(revoke_fn, &op));
	CHECK(!active(sget(t, "access_token")));
	CHECK(!active(sget(t, "refresh_token")));
	CHECK(active(sget(u, "access_token")));
	conf.logout_revoke = 0;
	/* An unknown sid is no error, and has no client to tell. */
	op.sid = "no-such-session";
	oerr_clear(&err);
	CHECK(ostore_write(end_fn, &op, &err));
	CHECK(jeq(op.notify, "clients", "[]"));
	json_decref(op.notify);
	ogrants_response_free(t);
	ogrants_response_free(u);
}

/* 1 if tok's tokens_by_sid entry under sid is stored. */
static int
indexed(const char *sid, const char *tok)
{
	unsigned char		 k[256], id[OTOKEN_ID_LEN];
	enum otoken_kind	 kind;
	size_t			 n = strlen(sid);

	if (!otoken_identify(tok, &kind, id))
		abort();
	memcpy(k, sid, n + 1);
	memcpy(k + n + 1, id, OTOKEN_ID_LEN);
	return tpresent(OSTORE_TOKENS_BY_SID, k, n + 1 + OTOKEN_ID_LEN) == 1;
}

static void
sid_index(void)
{
	json_t			*t = tokens("app", "s-idx");
	struct oclientauth_in	 in;
	struct oerr		 err;

	/*
	 * The access token, issued with a refresh token, is anchored to
	 * it (tokens.h): only the refresh token is stored and indexed,
	 * and the access token lives and goes with it.
	 */
	CHECK(!indexed("s-idx", sget(t, "access_token")));
	CHECK(indexed("s-idx", sget(t, "refresh_token")));
	CHECK(active(sget(t, "access_token")));
	/* Revocation takes the entries along. */
	tform_set("token", sget(t, "refresh_token"), "client_id", "app",
	    "client_secret", SECRET, NULL);
	memset(&in, 0, sizeof(in));
	in.p = &tform;
	oerr_clear(&err);
	CHECK(ogrants_revoke(&arena, &in, &err));
	CHECK(!indexed("s-idx", sget(t, "refresh_token")));
	CHECK(!active(sget(t, "access_token")));
	ogrants_response_free(t);
	/* So does the flush of expired tokens. */
	t = tokens("app", "s-flush");
	CHECK(indexed("s-flush", sget(t, "refresh_token")));
	oerr_clear(&err);
	CHECK(ogrants_flush(onow() + 100LL * 365 * 86400, &err));
	CHECK(!indexed("s-flush", sget(t, "refresh_token")));
	CHECK(!active(sget(t, "access_token")));
	ogrants_response_free(t);
}

#define ISS	"https://idp.example"

/*
 * A JWT of ISS signed with k: sub, exp in 300 s, jti, with the members
 * of over applied (null removes).  ojose_free() it.
 */
static char *
idp_jwt(const struct ojwk *k, const char *over)
{
	struct oerr	 err;
	json_t		*c, *o, *v, *hdr;
	const char	*name;
	char		*payload, *jws;

	oerr_clear(&err);
	c = json_pack("{s:s, s:s, s:I, s:s}", "iss", ISS, "sub", "carol",
	    "exp", (json_int_t)(onow() + 300), "jti", "x-1");
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
	if ((jws = ojws_sign(k, "ES256", hdr, payload, strlen(payload),
	    &err)) == NULL)
		abort();
	json_decref(hdr);
	free(payload);
	json_decref(c);
	return jws;
}

/* Exchange subject (and actor) JWTs as client cid; NULL on refusal. */
static json_t *
exchange_jwt(const char *cid, const char *subject, const char *actor,
    const char *scope, struct oerr *err)
{
	if (actor != NULL && scope != NULL)
		tform_set("grant_type", OEXCHANGE_GRANT, "client_id", cid,
		    "client_secret", SECRET, "subject_token", subject,
		    "subject_token_type", TT "jwt", "actor_token", actor,
		    "actor_token_type", TT "jwt", "scope", scope, NULL);
	else if (actor != NULL)
		tform_set("grant_type", OEXCHANGE_GRANT, "client_id", cid,
		    "client_secret", SECRET, "subject_token", subject,
		    "subject_token_type", TT "jwt", "actor_token", actor,
		    "actor_token_type", TT "jwt", NULL);
	else if (scope != NULL)
		tform_set("grant_type", OEXCHANGE_GRANT, "client_id", cid,
		    "client_secret", SECRET, "subject_token", subject,
		    "subject_token_type", TT "jwt", "scope", scope, NULL);
	else
		tform_set("grant_type", OEXCHANGE_GRANT, "client_id", cid,
		    "client_secret", SECRET, "subject_token", subject,
		    "subject_token_type", TT "jwt", NULL);
	return token(err);
}

static void
trusted_jwts(void)
{
	struct oerr	 err;
	struct ojwk	*key, *other;
	json_t		*in, *pub, *tr, *r, *i;
	char		 exp[32], *s, *a;

	oerr_clear(&err);
	CHECK((key = ojwk_generate("ES256", 0, "idp1", "sig", &err)) !=
	    NULL);
	CHECK((other = ojwk_generate("ES256", 0, "idp1", "sig", &err)) !=
	    NULL);
	pub = ojwk_export(key, 0, &err);
	otime_rfc3339(onow() + 3600, exp, sizeof(exp));
	in = json_pack("{s:s, s:b, s:[s,s], s:o, s:s}", "issuer", ISS,
	    "allow_any_subject", 1, "scope", "openid", "profile", "jwk", pub,
	    "expires_at", exp);
	CHECK((tr = otrust_api_create(in, &err)) != NULL);
	json_decref(in);
	/* Impersonation: the JWT's sub, the trust's and client's scope. */
	s = idp_jwt(key, NULL);
	CHECK((r = exchange_jwt("fed", s, NULL, NULL, &err)) != NULL);
	CHECK(jeq(r, "scope", "\"openid profile\""));
	i = intro(sget(r, "access_token"));
	CHECK(jeq(i, "active", "true"));
	CHECK(jeq(i, "sub", "\"carol\""));
	CHECK(jeq(i, "client_id", "\"fed\""));
	CHECK(json_object_get(i, "act") == NULL);
	json_decref(i);
	ogrants_response_free(r);
	/* Its jti once. */
	CHECK(exchange_jwt("fed", s, NULL, NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT &&
	    strstr(err.description, "'jti'") != NULL);
	ojose_free(s);
	/* Delegation: a trusted actor, recorded with its iss. */
	s = idp_jwt(key, "{\"jti\":\"x-2\"}");
	a = idp_jwt(key, "{\"jti\":\"x-3\",\"sub\":\"robot\","
	    "\"aud\":\"https://op.example/\"}");
	CHECK((r = exchange_jwt("fed", s, a, "openid", &err)) != NULL);
	i = intro(sget(r, "access_token"));
	CHECK(jeq(i, "sub", "\"carol\""));
	CHECK(jeq(i, "act", "{\"sub\":\"robot\",\"iss\":\"" ISS "\"}"));
	CHECK(jeq(i, "scope", "\"openid\""));
	json_decref(i);
	ogrants_response_free(r);
	ojose_free(s);
	ojose_free(a);
	/* A replayed actor spends nothing of the subject. */
	s = idp_jwt(key, "{\"jti\":\"x-4\"}");
	a = idp_jwt(key, "{\"jti\":\"x-3\",\"sub\":\"robot\"}");
	CHECK(exchange_jwt("fed", s, a, NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT);
	ojose_free(a);
	CHECK((r = exchange_jwt("fed", s, NULL, NULL, &err)) != NULL);
	ogrants_response_free(r);
	ojose_free(s);
	/* Refusals. */
	s = idp_jwt(key, "{\"jti\":\"x-5\"}");
	CHECK(exchange_jwt("fed", s, NULL, "openid offline_access",
	    &err) == NULL);
	CHECK(err.code == OERR_INVALID_SCOPE);
	CHECK(exchange_jwt("svc", s, NULL, NULL, &err) == NULL);
	CHECK(err.code == OERR_UNAUTHORIZED_CLIENT &&
	    strstr(err.description, "subject_issuers") != NULL);
	/* Refused requests did not spend the jti. */
	CHECK((r = exchange_jwt("fed", s, NULL, NULL, &err)) != NULL);
	ogrants_response_free(r);
	ojose_free(s);
	s = idp_jwt(other, "{\"jti\":\"x-6\"}");
	CHECK(exchange_jwt("fed", s, NULL, NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT);
	ojose_free(s);
	s = idp_jwt(key, "{\"jti\":\"x-7\",\"iss\":\"https://x\"}");
	CHECK(exchange_jwt("fed", s, NULL, NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT &&
	    strstr(err.description, "No trust") != NULL);
	ojose_free(s);
	s = idp_jwt(key, "{\"exp\":1}");
	CHECK(exchange_jwt("fed", s, NULL, NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT);
	ojose_free(s);
	s = idp_jwt(key, "{\"aud\":\"https://api.example/\"}");
	CHECK(exchange_jwt("fed", s, NULL, NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT &&
	    strstr(err.description, "'aud'") != NULL);
	ojose_free(s);
	/* Not as an access_token: a jwt only. */
	s = idp_jwt(key, "{\"jti\":\"x-8\"}");
	tform_set("grant_type", OEXCHANGE_GRANT, "client_id", "fed",
	    "client_secret", SECRET, "subject_token", s,
	    "subject_token_type", AT, NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT);
	ojose_free(s);
	CHECK(otrust_api_delete(sget(tr, "id"), &err));
	json_decref(tr);
	ojwk_free(key);
	ojwk_free(other);
}

static void
policy_field(void)
{
	struct oerr	 err;
	json_t		*in, *rec;
	char		 sec[128];

	oerr_clear(&err);
	in = J("{\"token_exchange\":{\"subject_clients\":[\"a b\"]}}");
	CHECK((rec = oclient_build(in, NULL, OCLIENT_GEN_ID, sec, &err)) ==
	    NULL);
	CHECK(err.status == 400 && strstr(err.description,
	    "token_exchange.subject_clients") != NULL);
	json_decref(in);
	oerr_clear(&err);
	in = J("{\"token_exchange\":{\"audiences\":[\"*\"]}}");
	CHECK((rec = oclient_build(in, NULL, OCLIENT_GEN_ID, sec, &err)) !=
	    NULL);
	json_decref(rec);
	json_decref(in);
	oerr_clear(&err);
	in = J("{\"token_exchange\":{\"subject_issuers\":[1]}}");
	CHECK((rec = oclient_build(in, NULL, OCLIENT_GEN_ID, sec, &err)) ==
	    NULL);
	CHECK(err.status == 400 && strstr(err.description,
	    "token_exchange.subject_issuers") != NULL);
	json_decref(in);
	oerr_clear(&err);
	in = J("{\"token_exchange\":{\"subject_issuers\":"
	    "[\"https://idp.example\",\"*\"]}}");
	CHECK((rec = oclient_build(in, NULL, OCLIENT_GEN_ID, sec, &err)) !=
	    NULL);
	json_decref(rec);
	json_decref(in);
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(impersonation),
		T(delegation),
		T(refusals),
		T(id_tokens),
		T(refresh_requested),
		T(logout_revokes),
		T(policy_field),
		T(trusted_jwts),
		T(sid_index),
	};
	struct tfix_store	 st;
	int			 rc;

	conf.issuer = issuer;
	conf.secrets[0] = secret_a;
	conf.nsecrets = 1;
	conf.ttl_access_token = 3600;
	conf.ttl_refresh_token = 720 * 3600;
	conf.ttl_id_token = 3600;
	conf.ttl_auth_code = 600;
	conf.access_token_strategy = OCONF_TOKEN_OPAQUE;
	oconf = &conf;
	if (!tfix_store_keys(&st, "test_exchange"))
		return 1;
	tclient("{\"client_id\":\"app\",\"client_secret\":\"" SECRET "\","
	    "\"token_endpoint_auth_method\":\"client_secret_post\","
	    "\"grant_types\":[\"authorization_code\",\"refresh_token\","
	    "\"" OEXCHANGE_GRANT "\"],\"response_types\":[\"code\"],"
	    "\"scope\":\"openid offline_access profile\","
	    "\"redirect_uris\":[\"https://app.example/cb\"]}");
	tclient("{\"client_id\":\"svc\",\"client_secret\":\"" SECRET "\","
	    "\"token_endpoint_auth_method\":\"client_secret_post\","
	    "\"grant_types\":[\"authorization_code\",\"" OEXCHANGE_GRANT "\"],"
	    "\"response_types\":[\"code\"],"
	    "\"redirect_uris\":[\"https://app.example/cb\"],"
	    "\"scope\":\"openid offline_access profile\","
	    "\"audience\":[\"https://svc.example/\"],"
	    "\"token_exchange\":{\"subject_clients\":[\"app\"]}}");
	tclient("{\"client_id\":\"other\",\"client_secret\":\"" SECRET "\","
	    "\"token_endpoint_auth_method\":\"client_secret_post\","
	    "\"grant_types\":[\"" OEXCHANGE_GRANT "\"],"
	    "\"response_types\":[],\"scope\":\"openid\"}");
	tclient("{\"client_id\":\"fed\",\"client_secret\":\"" SECRET "\","
	    "\"token_endpoint_auth_method\":\"client_secret_post\","
	    "\"grant_types\":[\"" OEXCHANGE_GRANT "\"],"
	    "\"response_types\":[],\"scope\":\"openid profile\","
	    "\"token_exchange\":{\"subject_issuers\":[\"" ISS "\"]}}");
	tclient("{\"client_id\":\"plain\",\"client_secret\":\"" SECRET "\","
	    "\"token_endpoint_auth_method\":\"client_secret_post\","
	    "\"grant_types\":[\"client_credentials\"],"
	    "\"response_types\":[],\"scope\":\"openid\"}");
	oarena_init(&arena);
	rc = t_run(tests, NTESTS);
	oarena_free(&arena);
	if (!tfix_store_close(&st))
		rc = 1;
	return rc;
}
