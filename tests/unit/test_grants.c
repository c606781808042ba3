/*
 * test_grants.c: unit tests of lib/protocol/grants.c and
 * lib/protocol/introspect.c without a web server: the
 * authorization_code grant (PKCE S256 and plain, code reuse refused and
 * its chain revoked, redirect_uri and client checks), refresh_token
 * (rotation, a replay revoking the chain, scope narrowing),
 * client_credentials (scope and audience rules), grant type checks,
 * revocation, userinfo, introspection, flush and revocation by client,
 * against a real LMDB store in a fresh directory under $TMPDIR with the
 * default signing keys.
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
#include "records/clients.h"
#include "records/flow.h"
#include "records/keys.h"
#include "records/tokens.h"
#include "protocol/clientauth.h"
#include "protocol/dpop.h"
#include "protocol/grants.h"
#include "protocol/introspect.h"
#include "t.h"
#include "tfix.h"

#define SECRET		"correct-horse-battery-staple"
#define CB		"https://app.example/cb"
#define VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

static char		 secret_a[] = "grants-secret-aaaaaaaaaaaaaaaaaa";
static char		 secret_b[] = "grants-secret-bbbbbbbbbbbbbbbbbb";
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
	in.basic_id = in.basic_secret = NULL;
	oerr_clear(err);
	return ogrants_token(&arena, &in, err);
}

/* A member of a token response, or "". */
static const char *
str(const json_t *resp, const char *name)
{
	return ojson_str(resp, name);
}

/*
 * A code for client cid under request rid, redirect_uri CB, with a
 * PKCE challenge and method (or "" for none): a static buffer.
 */
static const char *
code(const char *cid, const char *rid, const char *challenge,
    const char *method)
{
	static char	*last;
	json_t		*g;

	g = json_pack("{s:s,s:s,s:s,s:s,s:[s,s,s],s:[s],s:I,s:s,"
	    "s:[s],s:s,s:I,s:{s:{s:s,s:s},s:{s:s}},s:s,s:s,s:s}",
	    "request_id", rid, "client_id", cid, "sub", "alice",
	    "sid", "session-1", "scope", "openid", "offline_access",
	    "profile", "aud", "https://api.example/",
	    "auth_time", (json_int_t)onow(), "acr", "0", "amr", "pwd",
	    "nonce", "n-1", "requested_at", (json_int_t)onow(),
	    "session", "id_token", "email", "alice@example.com", "iss",
	    "https://evil.example/", "access_token", "tier", "gold",
	    "redirect_uri", CB, "code_challenge", challenge,
	    "code_challenge_method", method);
	free(last);
	last = tcode(g);
	json_decref(g);
	return last;
}

/* The S256 challenge of v (RFC 7636 §4.2), static. */
static const char *
s256(const char *v)
{
	static char	 enc[64];
	unsigned char	 h[OCRYPTO_SHA256_LEN];
	size_t		 n;

	ocrypto_sha256(v, strlen(v), h);
	if (!ocrypto_b64url_encode(enc, sizeof(enc), &n, h, sizeof(h)))
		abort();
	return enc;
}

/* 1 if tok is a live access or refresh token. */
static int
live(const char *tok)
{
	struct ostore_txn	*t;
	enum otoken_kind	 kind;
	unsigned char		 id[OTOKEN_ID_LEN];
	struct otoken_rec	 rec;
	struct oerr		 e;
	int			 rc;

	if (!otoken_identify(tok, &kind, id) ||
	    (t = ostore_read_begin(NULL)) == NULL)
		return 0;
	oerr_clear(&e);
	rc = otoken_lookup(t, tok, id, &rec, &e) &&
	    otoken_live(&rec, kind, onow());
	ostore_read_end(t);
	otoken_rec_free(&rec);
	return rc;
}

/* Redeem code c as client cid with verifier v (NULL: none). */
static json_t *
redeem(const char *cid, const char *c, const char *redirect,
    const char *v, struct oerr *err)
{
	if (v != NULL)
		tform_set("grant_type", "authorization_code", "code", c,
		    "redirect_uri", redirect, "client_id", cid,
		    "client_secret", SECRET, "code_verifier", v, NULL);
	else
		tform_set("grant_type", "authorization_code", "code", c,
		    "redirect_uri", redirect, "client_id", cid,
		    "client_secret", SECRET, NULL);
	return token(err);
}

/* 1 if err is invalid_grant whose hint holds s. */
static int
bad_grant(const struct oerr *err, const char *s)
{
	return err->code == OERR_INVALID_GRANT && err->status == 400 &&
	    strstr(err->hint, s) != NULL;
}

static void
code_s256(void)
{
	struct oerr	 err;
	const char	*c = code("app", "r-s256", s256(VERIFIER), "S256");
	json_t		*resp;

	/* A wrong verifier refuses, and spends nothing. */
	CHECK(redeem("app", c, CB, VERIFIER "x", &err) == NULL);
	CHECK(bad_grant(&err, "does not match the code challenge"));
	CHECK(redeem("app", c, CB, "short", &err) == NULL);
	CHECK(bad_grant(&err, "43 to 128"));
	CHECK(redeem("app", c, CB, NULL, &err) == NULL);
	CHECK(bad_grant(&err, "code verifier is required"));
	/* The plain verifier's own value is no S256 answer. */
	CHECK(redeem("app", c, CB, s256(VERIFIER), &err) == NULL);
	CHECK(bad_grant(&err, "does not match"));
	resp = redeem("app", c, CB, VERIFIER, &err);
	CHECK(resp != NULL);
	if (resp == NULL) {
		fprintf(stderr, "%s %s\n", err.description, err.hint);
		return;
	}
	CHECK(strncmp(str(resp, "access_token"), "ory_at_", 7) == 0);
	CHECK(strncmp(str(resp, "refresh_token"), "ory_rt_", 7) == 0);
	/* The ID token is signed before it is returned. */
	CHECK(strchr(str(resp, "id_token"), '.') != NULL);
	CHECK_STR(str(resp, "scope"), "openid offline_access profile");
	CHECK(live(str(resp, "access_token")));
	ogrants_response_free(resp);
}

static void
code_plain(void)
{
	struct oerr	 err;
	const char	*c;
	json_t		*resp;

	c = code("app", "r-plain", VERIFIER, "plain");
	CHECK(redeem("app", c, CB, s256(VERIFIER), &err) == NULL);
	CHECK(bad_grant(&err, "does not match"));
	CHECK((resp = redeem("app", c, CB, VERIFIER, &err)) != NULL);
	ogrants_response_free(resp);
	/* No method is plain (RFC 7636 §4.3). */
	c = code("app", "r-plain2", VERIFIER, "");
	CHECK((resp = redeem("app", c, CB, VERIFIER, &err)) != NULL);
	ogrants_response_free(resp);
	/* A verifier for a code without a challenge is refused. */
	c = code("app", "r-nopkce", "", "");
	CHECK(redeem("app", c, CB, VERIFIER, &err) == NULL);
	CHECK(bad_grant(&err, "no code challenge"));
	CHECK((resp = redeem("app", c, CB, NULL, &err)) != NULL);
	ogrants_response_free(resp);
}

static void
code_reuse(void)
{
	struct oerr	 err;
	const char	*c = code("app", "r-reuse", "", "");
	char		 at[OTOKEN_MAX], rt[OTOKEN_MAX];
	json_t		*resp;

	CHECK((resp = redeem("app", c, CB, NULL, &err)) != NULL);
	snprintf(at, sizeof(at), "%s", str(resp, "access_token"));
	snprintf(rt, sizeof(rt), "%s", str(resp, "refresh_token"));
	ogrants_response_free(resp);
	CHECK(live(at) && live(rt));
	/* Used again: refused, and what it gave is revoked. */
	CHECK(redeem("app", c, CB, NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT);
	CHECK_STR(err.description, "The authorization code has already been "
	    "used.");
	CHECK(!live(at) && !live(rt));
}

static void
code_mismatch(void)
{
	struct oerr	 err;
	const char	*c = code("app", "r-mis", "", "");
	json_t		*resp;

	CHECK(redeem("app", c, "https://app.example/other", NULL,
	    &err) == NULL);
	CHECK(bad_grant(&err, "'redirect_uri'"));
	/* Another client: refused, whatever its credentials. */
	CHECK(redeem("other", c, CB, NULL, &err) == NULL);
	CHECK(bad_grant(&err, "Client ID"));
	/* A code that is not one: refused before the store. */
	CHECK(redeem("app", "ory_ac_nothing.here", CB, NULL, &err) == NULL);
	CHECK(bad_grant(&err, "malformed"));
	/* None of that spent it. */
	CHECK((resp = redeem("app", c, CB, NULL, &err)) != NULL);
	ogrants_response_free(resp);
}

/* A code of client cid under request rid and login session sid (new). */
static char *
code_sid(const char *cid, const char *rid, const char *sid)
{
	json_t	*g;
	char	*c;

	g = json_pack("{s:s,s:s,s:s,s:s,s:[s,s],s:s}", "request_id", rid,
	    "client_id", cid, "sub", "alice", "sid", sid, "scope", "openid",
	    "offline_access", "redirect_uri", CB);
	c = tcode(g);
	json_decref(g);
	return c;
}

static int
end_session_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oflow_session_delete(t, arg, NULL);
}

static int
revoke_grant_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return oflow_use(t, OFLOW_REVOKED_GRANT, arg, onow() + 600, NULL) ==
	    OSTORE_OK;
}

/* 1 if the index entry of request rid for store id id is stored. */
static int
by_request(const char *rid, const unsigned char id[OTOKEN_ID_LEN])
{
	unsigned char	 k[300];
	size_t		 n = strlen(rid);

	memcpy(k, rid, n + 1);
	memcpy(k + n + 1, id, OTOKEN_ID_LEN);
	return tpresent(OSTORE_TOKENS_BY_REQUEST, k, n + 1 + OTOKEN_ID_LEN);
}

struct big_op {
	const char	*cid;
	char		*code;
};

/* A code whose grant carries 4 KB of session claims, in a transaction. */
static int
big_code_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct big_op	*op = arg;
	struct ogrant	 g;
	json_t		*j;
	char		 pad[4097];

	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	j = json_pack("{s:s,s:s,s:s,s:[s,s],s:s,s:{s:{s:s},s:{}}}",
	    "request_id", "r-seal-big", "client_id", op->cid, "sub", "alice",
	    "scope", "openid", "offline_access", "redirect_uri", CB,
	    "session", "id_token", "pad", pad, "access_token");
	if (!ogrant_decode(j, &g, err)) {
		json_decref(j);
		return 0;
	}
	json_decref(j);
	op->code = ogrant_code(t, &g, "", err);
	ogrant_free(&g);
	return op->code != NULL;
}

static void
code_sealed(void)
{
	struct big_op	 big;
	struct oerr	 err;
	struct ocode	 oc;
	unsigned char	 id[OTOKEN_ID_LEN];
	char		*c = code_sid("sealed", "r-seal", "s-seal");
	char		*c2 = NULL, *bad = NULL, at[OTOKEN_MAX];
	json_t		*resp;

	/* Sealed: no record until it is spent, and no HMAC token. */
	CHECK(strncmp(c, "ory_ac_", 7) == 0);
	CHECK(!otoken_check(c, OTOKEN_CODE, id));
	CHECK(ocode_open(c, &oc));
	memcpy(id, oc.rec.id, OTOKEN_ID_LEN);
	CHECK_STR(oc.rec.grant.request_id, "r-seal");
	ocode_free(&oc);
	CHECK(tpresent(OSTORE_TOKENS, id, OTOKEN_ID_LEN) == 0);
	/* One character changed: not one this server issued. */
	bad = oxstrdup(c);
	bad[40] = bad[40] == 'A' ? 'B' : 'A';
	CHECK(redeem("sealed", bad, CB, NULL, &err) == NULL);
	CHECK(bad_grant(&err, "malformed"));
	/* Spent: its tombstone, without index entries; a replay revokes. */
	CHECK((resp = redeem("sealed", c, CB, NULL, &err)) != NULL);
	snprintf(at, sizeof(at), "%s", str(resp, "access_token"));
	ogrants_response_free(resp);
	CHECK(tpresent(OSTORE_TOKENS, id, OTOKEN_ID_LEN) == 1);
	CHECK(by_request("r-seal", id) == 0);
	CHECK(live(at));
	CHECK(redeem("sealed", c, CB, NULL, &err) == NULL);
	CHECK_STR(err.description, "The authorization code has already been "
	    "used.");
	CHECK(!live(at));
	free(c);
	/* Expired. */
	conf.ttl_auth_code = -5;
	c = code_sid("sealed", "r-seal-exp", "s-seal");
	conf.ttl_auth_code = 600;
	CHECK(redeem("sealed", c, CB, NULL, &err) == NULL);
	CHECK(bad_grant(&err, "expired"));
	free(c);
	/* Under an older secret while it is still configured. */
	c = code_sid("sealed", "r-seal-rot", "s-seal");
	conf.secrets[0] = secret_b;
	conf.secrets[1] = secret_a;
	conf.nsecrets = 2;
	CHECK((resp = redeem("sealed", c, CB, NULL, &err)) != NULL);
	ogrants_response_free(resp);
	conf.secrets[0] = secret_a;
	conf.nsecrets = 1;
	free(c);
	/* Its consent revoked (the mark lifecycle.c puts): void. */
	c = code_sid("sealed", "r-seal-rv", "s-seal");
	CHECK(twrite(revoke_grant_fn, "r-seal-rv"));
	CHECK(redeem("sealed", c, CB, NULL, &err) == NULL);
	CHECK(bad_grant(&err, "revoked"));
	free(c);
	/*
	 * Its login session ended: void when logout revokes tokens
	 * (oauth2.logout.revoke_tokens, ologout_revoke_tokens()), as the
	 * session's stored codes were; not otherwise.
	 */
	c = code_sid("sealed", "r-seal-lo1", "s-seal-out");
	c2 = code_sid("sealed", "r-seal-lo2", "s-seal-out");
	CHECK(twrite(end_session_fn, "s-seal-out"));
	CHECK((resp = redeem("sealed", c, CB, NULL, &err)) != NULL);
	ogrants_response_free(resp);
	conf.logout_revoke = 1;
	CHECK(redeem("sealed", c2, CB, NULL, &err) == NULL);
	CHECK(bad_grant(&err, "revoked"));
	conf.logout_revoke = 0;
	free(c);
	free(c2);
	/*
	 * A grant too large to travel in a redirect URL: an opaque code,
	 * stored as earlier versions stored every code, redeemed alike.
	 */
	big.cid = "sealed";
	CHECK(twrite(big_code_fn, &big));
	CHECK(strlen(big.code) < OTOKEN_MAX && otoken_check(big.code,
	    OTOKEN_CODE, id) && tpresent(OSTORE_TOKENS, id, OTOKEN_ID_LEN));
	CHECK((resp = redeem("sealed", big.code, CB, NULL, &err)) != NULL);
	/* Its ID token carries the claims (base64url of 4 KB and more). */
	CHECK(resp != NULL && strlen(str(resp, "id_token")) > 5000);
	ogrants_response_free(resp);
	free(big.code);
	/* Its client's tokens voided (DELETE /oauth2/tokens): void. */
	c = code_sid("sealed", "r-seal-void", "s-seal");
	CHECK(ogrants_revoke_client("sealed", &err));
	CHECK(redeem("sealed", c, CB, NULL, &err) == NULL);
	CHECK(bad_grant(&err, "revoked"));
	free(c);
	free(bad);
}

/* Tokens of a fresh code: the access and refresh token into at, rt. */
static void
fresh(const char *rid, char at[OTOKEN_MAX], char rt[OTOKEN_MAX])
{
	struct oerr	 err;
	json_t		*resp;

	if ((resp = redeem("app", code("app", rid, "", ""), CB, NULL,
	    &err)) == NULL)
		abort();
	snprintf(at, OTOKEN_MAX, "%s", str(resp, "access_token"));
	snprintf(rt, OTOKEN_MAX, "%s", str(resp, "refresh_token"));
	ogrants_response_free(resp);
}

/* Refresh rt as cid with scope (NULL: none). */
static json_t *
refresh(const char *cid, const char *rt, const char *scope,
    struct oerr *err)
{
	if (scope != NULL)
		tform_set("grant_type", "refresh_token", "refresh_token", rt,
		    "client_id", cid, "client_secret", SECRET, "scope", scope,
		    NULL);
	else
		tform_set("grant_type", "refresh_token", "refresh_token", rt,
		    "client_id", cid, "client_secret", SECRET, NULL);
	return token(err);
}

static void
refresh_rotation(void)
{
	struct oerr	 err;
	char		 at[OTOKEN_MAX], rt[OTOKEN_MAX];
	char		 at2[OTOKEN_MAX], rt2[OTOKEN_MAX];
	json_t		*resp;

	fresh("r-rot", at, rt);
	CHECK((resp = refresh("app", rt, NULL, &err)) != NULL);
	if (resp == NULL)
		return;
	snprintf(at2, sizeof(at2), "%s", str(resp, "access_token"));
	snprintf(rt2, sizeof(rt2), "%s", str(resp, "refresh_token"));
	/* OpenID Connect Core §12.2: a new ID token too. */
	CHECK(strchr(str(resp, "id_token"), '.') != NULL);
	ogrants_response_free(resp);
	CHECK(strcmp(rt, rt2) != 0 && strcmp(at, at2) != 0);
	/* The old pair is gone, the new one lives. */
	CHECK(!live(at) && !live(rt));
	CHECK(live(at2) && live(rt2));
	/* Another client cannot use it. */
	CHECK(refresh("other", rt2, NULL, &err) == NULL);
	CHECK(bad_grant(&err, "Client ID"));
	CHECK(live(rt2));
}

static void
refresh_replay(void)
{
	struct oerr	 err;
	char		 at[OTOKEN_MAX], rt[OTOKEN_MAX];
	char		 at2[OTOKEN_MAX], rt2[OTOKEN_MAX];
	json_t		*resp;

	fresh("r-replay", at, rt);
	CHECK((resp = refresh("app", rt, NULL, &err)) != NULL);
	if (resp == NULL)
		return;
	snprintf(at2, sizeof(at2), "%s", str(resp, "access_token"));
	snprintf(rt2, sizeof(rt2), "%s", str(resp, "refresh_token"));
	ogrants_response_free(resp);
	/* A replay of the used one revokes the whole chain. */
	CHECK(refresh("app", rt, NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT);
	CHECK_STR(err.description, "The refresh token was already used.");
	CHECK(!live(at2) && !live(rt2));
	CHECK(refresh("app", rt2, NULL, &err) == NULL);
	CHECK(err.code == OERR_INVALID_GRANT);
}

static void
refresh_scope(void)
{
	struct oerr	 err;
	char		 at[OTOKEN_MAX], rt[OTOKEN_MAX], rt2[OTOKEN_MAX];
	json_t		*resp;

	fresh("r-scope", at, rt);
	/* Only what was granted. */
	CHECK(refresh("app", rt, "openid email", &err) == NULL);
	CHECK(err.code == OERR_INVALID_SCOPE);
	CHECK(strstr(err.hint, "'email'") != NULL);
	CHECK(live(rt));
	/* Narrowed for the new access token... */
	CHECK((resp = refresh("app", rt, "openid offline_access",
	    &err)) != NULL);
	if (resp == NULL)
		return;
	CHECK_STR(str(resp, "scope"), "openid offline_access");
	snprintf(rt2, sizeof(rt2), "%s", str(resp, "refresh_token"));
	ogrants_response_free(resp);
	/* ...while the refresh token keeps the scope first granted. */
	CHECK((resp = refresh("app", rt2, NULL, &err)) != NULL);
	CHECK_STR(str(resp, "scope"), "openid offline_access profile");
	ogrants_response_free(resp);
}

static void
client_credentials(void)
{
	struct oerr	 err;
	json_t		*resp;

	tform_set("grant_type", "client_credentials", "scope", "profile",
	    "audience", "https://api.example/", "client_id", "app",
	    "client_secret", SECRET, NULL);
	CHECK((resp = token(&err)) != NULL);
	if (resp != NULL) {
		CHECK(strncmp(str(resp, "access_token"), "ory_at_", 7) == 0);
		CHECK(*str(resp, "refresh_token") == '\0');
		CHECK(*str(resp, "id_token") == '\0');
		CHECK_STR(str(resp, "scope"), "profile");
		CHECK(live(str(resp, "access_token")));
	}
	ogrants_response_free(resp);
	/* Scope within the client's, exactly. */
	tform_set("grant_type", "client_credentials", "scope", "admin",
	    "client_id", "app", "client_secret", SECRET, NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_SCOPE);
	CHECK(strstr(err.hint, "'admin'") != NULL);
	/* Audience within the client's. */
	tform_set("grant_type", "client_credentials", "audience",
	    "https://api.example/ https://evil.example/", "client_id", "app",
	    "client_secret", SECRET, NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_REQUEST);
	CHECK(strstr(err.hint, "https://evil.example/") != NULL);
	/* No scope at all is fine. */
	tform_set("grant_type", "client_credentials", "client_id", "app",
	    "client_secret", SECRET, NULL);
	CHECK((resp = token(&err)) != NULL);
	ogrants_response_free(resp);
}

static void
grant_types(void)
{
	struct oerr	 err;

	tform_set("grant_type", "password", "client_id", "app",
	    "client_secret", SECRET, NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_UNSUPPORTED_GRANT_TYPE);
	/* "other" may not use client_credentials. */
	tform_set("grant_type", "client_credentials", "client_id", "other",
	    "client_secret", SECRET, NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_UNAUTHORIZED_CLIENT);
	/* Authentication comes first. */
	tform_set("grant_type", "password", "client_id", "app",
	    "client_secret", "wrong", NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_CLIENT && err.status == 401);
	tform_set("grant_type", "authorization_code", "client_id", "app",
	    "client_secret", SECRET, NULL);
	CHECK(token(&err) == NULL);
	CHECK(err.code == OERR_INVALID_REQUEST);
}

/* Revoke tok as cid. */
static int
revoke_as(const char *cid, const char *tok, struct oerr *err)
{
	struct oclientauth_in	 in;

	tform_set("token", tok, "client_id", cid, "client_secret", SECRET,
	    NULL);
	memset(&in, 0, sizeof(in));
	in.p = &tform;
	in.basic_id = in.basic_secret = NULL;
	oerr_clear(err);
	return ogrants_revoke(&arena, &in, err);
}

static void
revocation(void)
{
	struct oerr	 err;
	char		 at[OTOKEN_MAX], rt[OTOKEN_MAX];

	fresh("r-revoke", at, rt);
	CHECK(!revoke_as("other", at, &err));
	CHECK(err.code == OERR_UNAUTHORIZED_CLIENT);
	CHECK(live(at));
	CHECK(revoke_as("app", at, &err));
	/* Both kinds go (Hydra). */
	CHECK(!live(at) && !live(rt));
	/* Anything not ours is revoked as far as anyone can tell. */
	CHECK(revoke_as("app", "not-a-token", &err));
	CHECK(revoke_as("app", rt, &err));
	CHECK(!revoke_as("app2", at, &err));
	CHECK(err.code == OERR_INVALID_CLIENT);
}

static void
userinfo(void)
{
	struct odpop_req nodpop = { NULL, "GET", "http://x/userinfo", 0 };
	struct oerr	 err;
	char		 at[OTOKEN_MAX], rt[OTOKEN_MAX];
	json_t		*claims;
	char		*jwt;

	fresh("r-userinfo", at, rt);
	oerr_clear(&err);
	CHECK(ogrants_userinfo(&arena, at, &nodpop, &claims, &jwt, &err));
	CHECK(jwt == NULL && claims != NULL);
	CHECK_STR(ojson_str(claims, "sub"), "alice");
	CHECK_STR(ojson_str(claims, "email"), "alice@example.com");
	/* Registered claims of the session are left out. */
	CHECK(json_object_get(claims, "iss") == NULL);
	json_decref(claims);
	CHECK(!ogrants_userinfo(&arena, rt, &nodpop, &claims, &jwt, &err));
	CHECK(err.code == OERR_INVALID_TOKEN && claims == NULL);
	oerr_clear(&err);
	CHECK(!ogrants_userinfo(&arena, "junk", &nodpop, &claims, &jwt, &err));
	CHECK(err.code == OERR_INVALID_TOKEN);
	CHECK(revoke_as("app", at, &err));
	oerr_clear(&err);
	CHECK(!ogrants_userinfo(&arena, at, &nodpop, &claims, &jwt, &err));
	CHECK(err.code == OERR_INVALID_TOKEN);
	CHECK(strstr(err.description, "expired or was revoked") != NULL);
}

static void
introspection(void)
{
	struct oerr	 err;
	char		 at[OTOKEN_MAX], rt[OTOKEN_MAX];
	json_t		*r;

	fresh("r-introspect", at, rt);
	oerr_clear(&err);
	CHECK((r = ointrospect(&arena, at, NULL, &err)) != NULL);
	CHECK(json_is_true(json_object_get(r, "active")));
	CHECK_STR(ojson_str(r, "scope"), "openid offline_access profile");
	CHECK_STR(ojson_str(r, "client_id"), "app");
	CHECK_STR(ojson_str(r, "sub"), "alice");
	CHECK_STR(ojson_str(r, "token_use"), "access_token");
	CHECK_STR(ojson_str(r, "iss"), issuer);
	CHECK_STR(ojson_str(json_object_get(r, "ext"), "tier"), "gold");
	json_decref(r);
	CHECK((r = ointrospect(&arena, rt, "profile openid", &err)) != NULL);
	CHECK_STR(ojson_str(r, "token_use"), "refresh_token");
	json_decref(r);
	/* A scope it does not have, a code, junk: inactive. */
	CHECK((r = ointrospect(&arena, at, "email", &err)) != NULL);
	CHECK(json_is_false(json_object_get(r, "active")) &&
	    json_object_size(r) == 1);
	json_decref(r);
	CHECK((r = ointrospect(&arena, code("app", "r-i2", "", ""), NULL,
	    &err)) != NULL);
	CHECK(json_is_false(json_object_get(r, "active")));
	json_decref(r);
	CHECK((r = ointrospect(&arena, "", NULL, &err)) != NULL);
	CHECK(json_is_false(json_object_get(r, "active")));
	json_decref(r);
	/* 2.x: token_type Bearer; 1.x (its document): the use. */
	CHECK((r = ointrospect(&arena, at, NULL, &err)) != NULL);
	CHECK_STR(ojson_str(r, "token_type"), "Bearer");
	json_decref(r);
	CHECK((r = ointrospect_v1(&arena, at, NULL, &err)) != NULL);
	CHECK_STR(ojson_str(r, "token_type"), "access_token");
	CHECK_STR(ojson_str(r, "token_use"), "access_token");
	json_decref(r);
	CHECK((r = ointrospect_v1(&arena, rt, NULL, &err)) != NULL);
	CHECK_STR(ojson_str(r, "token_type"), "refresh_token");
	json_decref(r);
	CHECK((r = ointrospect_v1(&arena, "junk", NULL, &err)) != NULL);
	CHECK(json_is_false(json_object_get(r, "active")) &&
	    json_object_size(r) == 1);
	json_decref(r);
}

static void
housekeeping(void)
{
	struct oerr	 err;
	char		 at[OTOKEN_MAX], rt[OTOKEN_MAX];

	fresh("r-house", at, rt);
	oerr_clear(&err);
	CHECK(ogrants_flush(onow(), &err));
	CHECK(live(at) && live(rt));
	CHECK(ogrants_revoke_client("app", &err));
	CHECK(!live(at) && !live(rt));
	CHECK(ogrants_revoke_client("nobody", &err));
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(code_s256),
		T(code_plain),
		T(code_reuse),
		T(code_mismatch),
		T(code_sealed),
		T(refresh_rotation),
		T(refresh_replay),
		T(refresh_scope),
		T(client_credentials),
		T(grant_types),
		T(revocation),
		T(userinfo),
		T(introspection),
		T(housekeeping),
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
	if (!tfix_store_keys(&st, "test_grants"))
		return 1;
	tclient("{\"client_id\":\"app\",\"client_secret\":\"" SECRET "\","
	    "\"token_endpoint_auth_method\":\"client_secret_post\","
	    "\"grant_types\":[\"authorization_code\",\"refresh_token\","
	    "\"client_credentials\"],\"response_types\":[\"code\"],"
	    "\"scope\":\"openid offline_access profile\","
	    "\"audience\":[\"https://api.example/\"],"
	    "\"redirect_uris\":[\"" CB "\"]}");
	tclient("{\"client_id\":\"other\",\"client_secret\":\"" SECRET "\","
	    "\"token_endpoint_auth_method\":\"client_secret_post\","
	    "\"grant_types\":[\"authorization_code\",\"refresh_token\"],"
	    "\"response_types\":[\"code\"],"
	    "\"scope\":\"openid offline_access profile\","
	    "\"redirect_uris\":[\"" CB "\"]}");
	tclient("{\"client_id\":\"sealed\",\"client_secret\":\"" SECRET "\","
	    "\"token_endpoint_auth_method\":\"client_secret_post\","
	    "\"grant_types\":[\"authorization_code\",\"refresh_token\"],"
	    "\"response_types\":[\"code\"],"
	    "\"scope\":\"openid offline_access\","
	    "\"redirect_uris\":[\"" CB "\"]}");
	oarena_init(&arena);
	rc = t_run(tests, NTESTS);
	oarena_free(&arena);
	if (!tfix_store_close(&st))
		rc = 1;
	return rc;
}
