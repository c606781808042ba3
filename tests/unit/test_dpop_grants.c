/*
 * test_dpop_grants.c: DPoP at the token endpoint and userinfo
 * (lib/protocol/grants.c with lib/protocol/dpop.c): tokens bound to the
 * proof's key, a public client's refresh token bound too, refusals that
 * spend nothing, and the resource's scheme rules.
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
#include "base/json.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/tokens.h"
#include "protocol/clientauth.h"
#include "protocol/dpop.h"
#include "protocol/grants.h"
#include "protocol/introspect.h"
#include "t.h"
#include "tfix.h"

#define CB	"https://app.example/cb"
#define HTU	"https://op.example/oauth2/token"
#define UI	"https://op.example/userinfo"

static char		 secret_a[] = "dpop-grants-secret-aaaaaaaaaaaaaa";
static char		 issuer[] = "https://op.example/";
static struct oconf	 conf;
static struct oarena	 arena;
static struct ojwk	*key, *other;

/* A proof by k for htm and htu (with ath of tok when not NULL). */
static char *
proof(const struct ojwk *k, const char *htm, const char *htu,
    const char *tok)
{
	struct oerr	 err;
	unsigned char	 h[OCRYPTO_SHA256_LEN];
	json_t		*hd, *c;
	char		 jti[37], ath[64], *payload, *out;
	size_t		 n;

	oerr_clear(&err);
	ocrypto_uuid4(jti);
	hd = json_pack("{s:s,s:o}", "typ", "dpop+jwt", "jwk",
	    ojwk_export(k, 0, &err));
	c = json_pack("{s:s,s:s,s:s,s:I}", "jti", jti, "htm", htm, "htu",
	    htu, "iat", (json_int_t)onow());
	if (tok != NULL) {
		ocrypto_sha256(tok, strlen(tok), h);
		ocrypto_b64url_encode(ath, sizeof(ath), &n, h, sizeof(h));
		json_object_set_new(c, "ath", json_string(ath));
	}
	payload = json_dumps(c, JSON_COMPACT);
	out = ojws_sign(k, "ES256", hd, payload, strlen(payload), &err);
	free(payload);
	json_decref(c);
	json_decref(hd);
	return out;
}

/* The token request of the form with DPoP header p (NULL: none). */
static json_t *
token(const char *p, struct oerr *err)
{
	struct oclientauth_in	 in;

	memset(&in, 0, sizeof(in));
	in.p = &tform;
	in.dpop = p;
	in.dpop_htu = HTU;
	oerr_clear(err);
	return ogrants_token(&arena, &in, err);
}

/* A code for the public client "pub" (static). */
static const char *
code(const char *rid)
{
	static char	*last;
	json_t		*g;

	g = json_pack("{s:s,s:s,s:s,s:[s,s]}", "request_id", rid,
	    "client_id", "pub", "sub", "alice", "scope", "openid",
	    "offline_access");
	free(last);
	last = tcode(g);
	json_decref(g);
	return last;
}

/* The cnf.jkt of tok as introspection shows it, or "". */
static const char *
jkt_of(const char *tok)
{
	static char	 out[64];
	struct oerr	 err;
	json_t		*j;

	oerr_clear(&err);
	j = ointrospect(&arena, tok, NULL, &err);
	snprintf(out, sizeof(out), "%s",
	    ojson_str(json_object_get(j, "cnf"), "jkt"));
	json_decref(j);
	return out;
}

static void
bound_chain(void)
{
	struct odpop_req	 dp;
	struct oerr		 err;
	char			 tp[OJWK_THUMBPRINT_LEN + 1];
	char			 at[OTOKEN_MAX], rt[OTOKEN_MAX], *p;
	json_t			*resp, *claims;
	char			*jwt;

	CHECK(ojwk_thumbprint(key, tp, &err));
	tform_set("grant_type", "authorization_code", "code", code("r-1"),
	    "redirect_uri", CB, "client_id", "pub", NULL);
	p = proof(key, "POST", HTU, NULL);
	CHECK((resp = token(p, &err)) != NULL);
	ojose_free(p);
	if (resp == NULL)
		return;
	CHECK_STR(ojson_str(resp, "token_type"), "DPoP");
	snprintf(at, sizeof(at), "%s", ojson_str(resp, "access_token"));
	snprintf(rt, sizeof(rt), "%s", ojson_str(resp, "refresh_token"));
	ogrants_response_free(resp);
	CHECK_STR(jkt_of(at), tp);
	CHECK_STR(jkt_of(rt), tp);

	/* Refresh: no proof, another key, a replayed proof: nothing spent. */
	tform_set("grant_type", "refresh_token", "refresh_token", rt,
	    "client_id", "pub", NULL);
	CHECK(token(NULL, &err) == NULL &&
	    err.code == OERR_INVALID_DPOP_PROOF);
	p = proof(other, "POST", HTU, NULL);
	CHECK(token(p, &err) == NULL && err.code == OERR_INVALID_DPOP_PROOF &&
	    strstr(err.description, "another key") != NULL);
	ojose_free(p);
	p = proof(key, "POST", HTU, NULL);
	CHECK((resp = token(p, &err)) != NULL);
	ogrants_response_free(resp);
	/* The same proof again: refused, the new refresh token unspent. */
	tform_set("grant_type", "refresh_token", "refresh_token", rt,
	    "client_id", "pub", NULL);
	CHECK(token(p, &err) == NULL && err.code == OERR_INVALID_DPOP_PROOF &&
	    strstr(err.description, "used before") != NULL);
	ojose_free(p);

	/* userinfo: the DPoP scheme and a proof with ath. */
	memset(&dp, 0, sizeof(dp));
	dp.htm = "GET";
	dp.htu = UI;
	tform_set("grant_type", "authorization_code", "code", code("r-2"),
	    "redirect_uri", CB, "client_id", "pub", NULL);
	p = proof(key, "POST", HTU, NULL);
	CHECK((resp = token(p, &err)) != NULL);
	ojose_free(p);
	if (resp == NULL)
		return;
	snprintf(at, sizeof(at), "%s", ojson_str(resp, "access_token"));
	ogrants_response_free(resp);
	oerr_clear(&err);
	CHECK(!ogrants_userinfo(&arena, at, &dp, &claims, &jwt, &err));
	CHECK(err.code == OERR_INVALID_TOKEN && err.status == 401 &&
	    dp.bound);
	dp.scheme = 1;
	dp.proof = p = proof(key, "GET", UI, "not-the-token");
	oerr_clear(&err);
	CHECK(!ogrants_userinfo(&arena, at, &dp, &claims, &jwt, &err));
	CHECK(err.code == OERR_INVALID_DPOP_PROOF && err.status == 401);
	ojose_free(p);
	dp.proof = p = proof(key, "GET", UI, at);
	oerr_clear(&err);
	CHECK(ogrants_userinfo(&arena, at, &dp, &claims, &jwt, &err));
	CHECK(jeq(claims, "sub", "\"alice\""));
	json_decref(claims);
	ojose_free(p);
}

static void
bound_client(void)
{
	struct oerr	 err;
	json_t		*resp;
	char		*p;

	tform_set("grant_type", "client_credentials", "client_id", "cc",
	    "client_secret", "dpop-cc-secret-0123456789", NULL);
	CHECK(token(NULL, &err) == NULL &&
	    err.code == OERR_INVALID_DPOP_PROOF && err.status == 400 &&
	    strstr(err.description, "dpop_bound_access_tokens") != NULL);
	p = proof(key, "POST", HTU, NULL);
	CHECK((resp = token(p, &err)) != NULL);
	CHECK_STR(ojson_str(resp, "token_type"), "DPoP");
	ogrants_response_free(resp);
	ojose_free(p);
	/* A proof of another endpoint. */
	p = proof(key, "POST", UI, NULL);
	CHECK(token(p, &err) == NULL && err.code == OERR_INVALID_DPOP_PROOF);
	ojose_free(p);
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(bound_chain),
		T(bound_client),
	};
	struct tfix_store	 st;
	struct oerr		 err;
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
	oerr_clear(&err);
	key = ojwk_generate("ES256", 0, NULL, NULL, &err);
	other = ojwk_generate("ES256", 0, NULL, NULL, &err);
	if (key == NULL || other == NULL ||
	    !tfix_store_keys(&st, "test_dpop_grants"))
		return 1;
	tclient("{\"client_id\":\"pub\",\"token_endpoint_auth_method\":"
	    "\"none\",\"grant_types\":[\"authorization_code\","
	    "\"refresh_token\"],\"response_types\":[\"code\"],"
	    "\"scope\":\"openid offline_access\","
	    "\"redirect_uris\":[\"" CB "\"]}");
	tclient("{\"client_id\":\"cc\",\"client_secret\":"
	    "\"dpop-cc-secret-0123456789\",\"token_endpoint_auth_method\":"
	    "\"client_secret_post\",\"grant_types\":[\"client_credentials\"],"
	    "\"response_types\":[],\"scope\":\"read\","
	    "\"dpop_bound_access_tokens\":true}");
	oarena_init(&arena);
	rc = t_run(tests, NTESTS);
	oarena_free(&arena);
	ojwk_free(key);
	ojwk_free(other);
	if (!tfix_store_close(&st))
		rc = 1;
	return rc;
}
