/*
 * test_tokens.c: unit tests of lib/records/tokens.c: opaque tokens (mint and
 * check, tampering, kinds, secret rotation), token records with their
 * indexes and expiry entries, revocation by request and by client,
 * tombstones, the bounded flush, records decoded into struct
 * otoken_rec (every member, damage named, the bytes on disk as earlier
 * versions wrote them), and ogrant_issue() (response shape,
 * lifespans, refresh only for offline scopes, ID token claims and
 * at_hash/c_hash, RFC 9068 JWT access tokens) against a real LMDB store
 * in a fresh directory under $TMPDIR, with the default signing keys
 * created by okeys_ensure_defaults().
 *
 * lib/records/tokens.c is included to reach half_hash() for every alg.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../lib/records/tokens.c"

#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/keys.h"
#include "records/lifecycle.h"
#include "t.h"
#include "tfix.h"

static char		 secret_a[] = "0123456789abcdef0123456789abcdef";
static char		 secret_b[] = "fedcba9876543210fedcba9876543210";
static char		 issuer[] = "https://op.example/";
static struct oconf	 conf;

/* Use only secret a, or b, or b then a. */
static void
secrets(char *first, char *second)
{
	conf.secrets[0] = first;
	conf.secrets[1] = second;
	conf.nsecrets = second != NULL ? 2 : 1;
}

/* The index key "s NUL id". */
static size_t
ikey(const char *s, const unsigned char id[OTOKEN_ID_LEN],
    unsigned char *buf)
{
	size_t	 n = strlen(s);

	memcpy(buf, s, n);
	buf[n] = '\0';
	memcpy(buf + n + 1, id, OTOKEN_ID_LEN);
	return n + 1 + OTOKEN_ID_LEN;
}

/* The expiry entry key of a token. */
static size_t
ekey(int64_t exp, const unsigned char id[OTOKEN_ID_LEN], unsigned char *buf)
{
	int	 i;

	for (i = 7; i >= 0; i--) {
		buf[i] = (unsigned char)(exp & 0xff);
		exp >>= 8;
	}
	buf[8] = (unsigned char)OSTORE_TOKENS;
	memcpy(buf + 9, id, OTOKEN_ID_LEN);
	return 9 + OTOKEN_ID_LEN;
}

/*
 * A token record as loaded (decoded) in a read transaction, as the
 * JSON it is stored as, or NULL.
 */
static json_t *
load(const unsigned char id[OTOKEN_ID_LEN])
{
	struct ostore_txn	*t;
	struct otoken_rec	 rec;
	struct oerr		 e;
	json_t			*j = NULL;

	if ((t = ostore_read_begin(NULL)) == NULL)
		return NULL;
	oerr_clear(&e);
	if (otoken_load(t, id, &rec, &e))
		j = otoken_rec_json(&rec);
	ostore_read_end(t);
	otoken_rec_free(&rec);
	return j;
}

/* otoken_live() of a record given as JSON (NULL: none). */
static int
jlive(const json_t *j, enum otoken_kind kind, int64_t now)
{
	struct otoken_rec	 rec;
	struct oerr		 e;
	int			 rc;

	oerr_clear(&e);
	if (j == NULL || !otoken_rec_decode(j, &rec, &e))
		return 0;
	rc = otoken_live(&rec, kind, now);
	otoken_rec_free(&rec);
	return rc;
}

/*
 * Store the token record j (version 1 when it names none) under id.
 * Returns 1, or 0 with err set (a record that does not decode too).
 */
static int
store_json(struct ostore_txn *t, const unsigned char id[OTOKEN_ID_LEN],
    const json_t *j, struct oerr *err)
{
	struct otoken_rec	 rec;
	json_t			*c = json_copy((json_t *)j);
	int			 rc = 0;

	if (json_object_get(c, "_v") == NULL)
		json_object_set_new(c, "_v", json_integer(1));
	if (otoken_rec_decode(c, &rec, err)) {
		memcpy(rec.id, id, OTOKEN_ID_LEN);
		rc = otoken_store(t, &rec, err);
	}
	otoken_rec_free(&rec);
	json_decref(c);
	return rc;
}

/* 1 if the token with id has its record, index and expiry entries. */
static int
stored(const unsigned char id[OTOKEN_ID_LEN], const char *request_id,
    const char *client_id, int64_t exp)
{
	unsigned char	 k[600];

	return tpresent(OSTORE_TOKENS, id, OTOKEN_ID_LEN) == 1 &&
	    tpresent(OSTORE_TOKENS_BY_REQUEST, k, ikey(request_id, id, k)) ==
	    1 &&
	    tpresent(OSTORE_TOKENS_BY_CLIENT, k, ikey(client_id, id, k)) == 1 &&
	    (exp == 0 || tpresent(OSTORE_EXPIRY, k, ekey(exp, id, k)) == 1);
}

/* 1 if nothing of the token with id is left. */
static int
gone(const unsigned char id[OTOKEN_ID_LEN], const char *request_id,
    const char *client_id, int64_t exp)
{
	unsigned char	 k[600];

	return tpresent(OSTORE_TOKENS, id, OTOKEN_ID_LEN) == 0 &&
	    tpresent(OSTORE_TOKENS_BY_REQUEST, k, ikey(request_id, id, k)) ==
	    0 &&
	    tpresent(OSTORE_TOKENS_BY_CLIENT, k, ikey(client_id, id, k)) == 0 &&
	    tpresent(OSTORE_EXPIRY, k, ekey(exp, id, k)) == 0;
}

/* A grant of request rid for client cid with the given scope JSON. */
static json_t *
grant(const char *rid, const char *cid, const char *scope)
{
	json_t	*g;

	g = json_pack("{s:s,s:s,s:s,s:s,s:o,s:[s],s:I,s:s,s:[s,s],s:s,"
	    "s:I,s:{s:{s:s,s:s,s:s},s:{s:s}},s:s,s:s,s:s}",
	    "request_id", rid, "client_id", cid, "sub", "alice",
	    "sid", "session-1", "scope", J(scope), "aud",
	    "https://api.example", "auth_time", (json_int_t)1700000000,
	    "acr", "urn:acr:pwd", "amr", "pwd", "otp", "nonce", "n-0S6_WzA2Mj",
	    "requested_at", (json_int_t)1700000100,
	    "session", "id_token", "email", "alice@example.com",
	    "sub", "mallory", "iss", "https://evil.example/",
	    "access_token", "tier", "gold",
	    "redirect_uri", "https://app.example/cb",
	    "code_challenge", "", "code_challenge_method", "");
	if (g == NULL)
		abort();
	return g;
}

/* Client record rec decoded (clients.h); a damaged one is fatal. */
static struct oclient *
decoded(const json_t *rec)
{
	struct oclient	*c;
	struct oerr	 e;

	oerr_clear(&e);
	if ((c = oclient_decode(rec, &e)) == NULL) {
		fprintf(stderr, "oclient_decode: %s\n", e.description);
		abort();
	}
	return c;
}

/* A client record with the members ogrant_issue() reads. */
static json_t *
client(const char *cid, const char *strategy)
{
	json_t	*c = json_pack("{s:s,s:s}", "client_id", cid,
	    "access_token_strategy", strategy);

	if (c == NULL)
		abort();
	return c;
}

/* --- opaque tokens ------------------------------------------------ */

static void
mint_check(void)
{
	static const char *const pre[] = { "ory_ac_", "ory_at_", "ory_rt_" };
	char		 tok[OTOKEN_MAX];
	unsigned char	 id[OTOKEN_ID_LEN], id2[OTOKEN_ID_LEN];
	unsigned char	 other[OTOKEN_ID_LEN];
	int		 k, j;

	secrets(secret_a, NULL);
	memset(other, 0, sizeof(other));
	for (k = 0; k < OTOKEN__MAX; k++) {
		otoken_mint((enum otoken_kind)k, tok, id);
		CHECK(strlen(tok) == 7 + 43 + 1 + 43);
		CHECK(strncmp(tok, pre[k], 7) == 0);
		CHECK(tok[50] == '.');
		CHECK(otoken_check(tok, (enum otoken_kind)k, id2) == 1);
		CHECK(memcmp(id, id2, sizeof(id)) == 0);
		CHECK(memcmp(id, other, sizeof(id)) != 0);
		memcpy(other, id, sizeof(id));
		for (j = 0; j < OTOKEN__MAX; j++)
			if (j != k)
				CHECK(otoken_check(tok, (enum otoken_kind)j,
				    id2) == 0);
	}
	/* Two tokens of a kind differ. */
	otoken_mint(OTOKEN_ACCESS, tok, id);
	otoken_mint(OTOKEN_ACCESS, tok, id2);
	CHECK(memcmp(id, id2, sizeof(id)) != 0);
}

static void
tampered(void)
{
	char		 tok[OTOKEN_MAX], bad[OTOKEN_MAX + 8];
	unsigned char	 id[OTOKEN_ID_LEN];
	size_t		 i;

	secrets(secret_a, NULL);
	otoken_mint(OTOKEN_ACCESS, tok, id);
	/* Every single character changed. */
	for (i = 0; i < strlen(tok); i++) {
		strcpy(bad, tok);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		if (strcmp(bad, tok) == 0)
			continue;
		if (otoken_check(bad, OTOKEN_ACCESS, id)) {
			fprintf(stderr, "tampered at %zu accepted\n", i);
			CHECK(0);
		}
	}
	/* Another kind's prefix on the same body: the prefix is MACed. */
	strcpy(bad, tok);
	memcpy(bad, "ory_rt_", 7);
	CHECK(otoken_check(bad, OTOKEN_REFRESH, id) == 0);
	/* Shorter, longer, empty, NULL, a JWT-looking string. */
	strcpy(bad, tok);
	bad[strlen(bad) - 1] = '\0';
	CHECK(otoken_check(bad, OTOKEN_ACCESS, id) == 0);
	snprintf(bad, sizeof(bad), "%sA", tok);
	CHECK(otoken_check(bad, OTOKEN_ACCESS, id) == 0);
	CHECK(otoken_check("", OTOKEN_ACCESS, id) == 0);
	CHECK(otoken_check(NULL, OTOKEN_ACCESS, id) == 0);
	CHECK(otoken_check("eyJhbGciOiJSUzI1NiJ9.e30.c2ln", OTOKEN_ACCESS,
	    id) == 0);
	/* Non-canonical base64url (trailing bits) is refused. */
	strcpy(bad, tok);
	bad[49] = bad[49] == 'A' ? 'B' : 'A';
	CHECK(otoken_check(bad, OTOKEN_ACCESS, id) == 0);
}

static void
secret_rotation(void)
{
	char		 tok[OTOKEN_MAX], tok2[OTOKEN_MAX];
	unsigned char	 id[OTOKEN_ID_LEN], id2[OTOKEN_ID_LEN];

	secrets(secret_a, NULL);
	otoken_mint(OTOKEN_REFRESH, tok, id);
	secrets(secret_b, NULL);
	CHECK(otoken_check(tok, OTOKEN_REFRESH, id2) == 0);
	/* Rotated: b signs, a still verifies, and the id is the same. */
	secrets(secret_b, secret_a);
	CHECK(otoken_check(tok, OTOKEN_REFRESH, id2) == 1);
	CHECK(memcmp(id, id2, sizeof(id)) == 0);
	otoken_mint(OTOKEN_REFRESH, tok2, id);
	CHECK(otoken_check(tok2, OTOKEN_REFRESH, id2) == 1);
	secrets(secret_a, NULL);
	CHECK(otoken_check(tok2, OTOKEN_REFRESH, id2) == 0);
	secrets(secret_b, NULL);
	CHECK(otoken_check(tok2, OTOKEN_REFRESH, id2) == 1);
	secrets(secret_a, NULL);
}

/* --- records ------------------------------------------------------ */

struct code_op {
	const json_t	*grant;
	char		 code[OTOKEN_MAX];
};

/*
 * A code as earlier versions stored it (codes are sealed now,
 * tokens.h): an opaque code and its record, which the token endpoint
 * still redeems.
 */
static int
code_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct code_op		*op = arg;
	struct otoken_rec	 rec;
	int			 rc;

	memset(&rec, 0, sizeof(rec));
	if (!ogrant_decode(op->grant, &rec.grant, err))
		return 0;
	otoken_mint(OTOKEN_CODE, op->code, rec.id);
	rec.kind = OTOKEN_CODE;
	rec.active = 1;
	rec.iat = onow();
	rec.exp = rec.iat + 600;
	rc = otoken_store(t, &rec, err);
	otoken_rec_free(&rec);
	return rc;
}

static int
delete_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return otoken_delete(t, arg);
}

/* Store a code for g; its id into id.  Returns 1 on success. */
static int
new_code(const json_t *g, unsigned char id[OTOKEN_ID_LEN],
    char code[OTOKEN_MAX])
{
	struct code_op	 op;

	op.grant = g;
	if (!twrite(code_fn, &op) || !otoken_check(op.code, OTOKEN_CODE, id))
		return 0;
	if (code != NULL)
		memcpy(code, op.code, OTOKEN_MAX);
	return 1;
}

static void
code_store_delete(void)
{
	unsigned char	 id[OTOKEN_ID_LEN], k[600];
	char		 code[OTOKEN_MAX];
	json_t		*g = grant("req-code", "client-code", "[\"openid\"]");
	json_t		*rec = NULL, *gg = NULL;
	struct otoken_rec r;
	struct ogrant	 gs;
	struct oerr	 e;
	int64_t		 exp;

	secrets(secret_a, NULL);
	if (!new_code(g, id, code) || (rec = load(id)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(strncmp(code, "ory_ac_", 7) == 0);
	CHECK_STR(json_string_value(json_object_get(rec, "kind")), "code");
	CHECK(json_is_true(json_object_get(rec, "active")));
	CHECK(json_integer_value(json_object_get(rec, "_v")) == 1);
	exp = json_integer_value(json_object_get(rec, "exp"));
	CHECK(exp - json_integer_value(json_object_get(rec, "iat")) == 600);
	CHECK_STR(json_string_value(json_object_get(rec, "redirect_uri")),
	    "https://app.example/cb");
	CHECK(jlive(rec, OTOKEN_CODE, onow()));
	CHECK(!jlive(rec, OTOKEN_ACCESS, onow()));
	CHECK(!jlive(rec, OTOKEN_CODE, exp));
	/* A code's expiry entry is TOMBSTONE_TTL past its exp. */
	CHECK(stored(id, "req-code", "client-code", exp + TOMBSTONE_TTL));
	CHECK(tpresent(OSTORE_EXPIRY, k, ekey(exp, id, k)) == 0);
	/* otoken_grant() strips the token and code members. */
	oerr_clear(&e);
	CHECK(otoken_rec_decode(rec, &r, &e));
	otoken_grant(&r, &gs);
	gg = ogrant_json(&gs);
	otoken_rec_free(&r);
	ogrant_free(&gs);
	CHECK(json_object_get(gg, "kind") == NULL);
	CHECK(json_object_get(gg, "exp") == NULL);
	CHECK(json_object_get(gg, "_v") == NULL);
	CHECK(json_object_get(gg, "redirect_uri") == NULL);
	CHECK_STR(json_string_value(json_object_get(gg, "nonce")),
	    "n-0S6_WzA2Mj");
	CHECK(twrite(delete_fn, id));
	CHECK(gone(id, "req-code", "client-code", exp + TOMBSTONE_TTL));
	CHECK(load(id) == NULL);
	/* Deleting what is not there is no error. */
	CHECK(twrite(delete_fn, id));
out:
	json_decref(g);
	json_decref(gg);
	json_decref(rec);
}

static int
store_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	json_t		*rec = arg;
	unsigned char	 id[OTOKEN_ID_LEN];

	memset(id, 0x5a, sizeof(id));
	return store_json(t, id, rec, err);
}

static void
store_refused(void)
{
	struct oerr	 err;
	json_t		*rec;

	/* A record without request_id, client_id or exp is refused. */
	rec = J("{\"kind\":\"access_token\",\"client_id\":\"c\","
	    "\"exp\":1}");
	oerr_clear(&err);
	CHECK(ostore_write(store_fn, rec, &err) == 0);
	CHECK(err.code == OERR_SERVER_ERROR);
	json_decref(rec);
	rec = J("{\"kind\":\"nonsense\",\"client_id\":\"c\","
	    "\"request_id\":\"r\",\"exp\":1}");
	oerr_clear(&err);
	CHECK(ostore_write(store_fn, rec, &err) == 0);
	json_decref(rec);
	rec = J("{\"kind\":\"code\",\"client_id\":\"c\","
	    "\"request_id\":\"r\"}");
	oerr_clear(&err);
	CHECK(ostore_write(store_fn, rec, &err) == 0);
	json_decref(rec);
}

struct use_op {
	unsigned char	*id;
};

static int
use_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct use_op		*op = arg;
	struct otoken_rec	 rec;
	int			 rc;

	if (!otoken_load(t, op->id, &rec, err))
		return 0;
	rc = otoken_use(t, &rec, err);
	otoken_rec_free(&rec);
	return rc;
}

static void
tombstone(void)
{
	unsigned char	 id[OTOKEN_ID_LEN], k[600];
	struct use_op	 op;
	json_t		*g = grant("req-tomb", "client-tomb", "[]");
	json_t		*rec = NULL;
	int64_t		 exp, nexp;

	if (!new_code(g, id, NULL) || (rec = load(id)) == NULL) {
		CHECK(0);
		goto out;
	}
	exp = json_integer_value(json_object_get(rec, "exp"));
	json_decref(rec);
	op.id = id;
	CHECK(twrite(use_fn, &op));
	if ((rec = load(id)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(json_is_false(json_object_get(rec, "active")));
	CHECK(json_integer_value(json_object_get(rec, "used_at")) >= onow() -
	    5);
	/*
	 * The code keeps its exp, and its expiry entry stays where it was,
	 * TOMBSTONE_TTL past it: the use moves nothing in the expiry
	 * index, and the tombstone outlives the use by at least as long.
	 */
	nexp = json_integer_value(json_object_get(rec, "exp"));
	CHECK(nexp == exp);
	CHECK(!jlive(rec, OTOKEN_CODE, onow()));
	CHECK(tpresent(OSTORE_EXPIRY, k, ekey(exp, id, k)) == 0);
	CHECK(stored(id, "req-tomb", "client-tomb", exp + TOMBSTONE_TTL));
	CHECK(exp + TOMBSTONE_TTL >= onow() + TOMBSTONE_TTL);
out:
	json_decref(rec);
	json_decref(g);
}

/* --- issuing ------------------------------------------------------ */

struct issue_op {
	const json_t	*grant, *client;
	unsigned	 what;
	const char	*code, *lifespan;
	json_t		*resp;
	struct oerr	 err;
};

static int
issue_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct issue_op	*op = arg;
	struct oclient	*c = decoded(op->client);
	struct ogrant	 g;

	json_decref(op->resp);
	op->resp = NULL;
	if (ogrant_decode(op->grant, &g, err))
		op->resp = ogrant_issue(t, &g, c, op->what, op->code,
		    op->lifespan, err);
	ogrant_free(&g);
	oclient_release(c);
	if (op->resp == NULL)
		memcpy(&op->err, err, sizeof(op->err));
	return op->resp != NULL;
}

/* Issue for g and c; the response or NULL. */
static json_t *
issue_for(const json_t *g, const json_t *c, unsigned what,
    const char *code, const char *lifespan)
{
	struct issue_op	 op;
	struct oerr	 err;

	memset(&op, 0, sizeof(op));
	op.grant = g;
	op.client = c;
	op.what = what;
	op.code = code;
	op.lifespan = lifespan;
	oerr_clear(&err);
	if (!ogrant_prepare(&err)) {
		fprintf(stderr, "ogrant_prepare: %s\n", err.description);
		return NULL;
	}
	if (!ostore_write(issue_fn, &op, &err)) {
		fprintf(stderr, "ogrant_issue: %s\n", err.description);
		return NULL;
	}
	return op.resp;
}

/* The verified claims of a JWT signed by a key of set. */
static json_t *
verified(const char *jwt, const char *set, json_t **header)
{
	const struct ojwks	*keys;
	struct ojws		*jws;
	struct oerr		 err;
	json_t			*claims = NULL;

	oerr_clear(&err);
	if ((keys = okeys_verifiers(set, &err)) == NULL ||
	    (jws = ojws_verify(jwt, strlen(jwt), keys->keys, keys->nkeys,
	    NULL, &err)) == NULL) {
		fprintf(stderr, "verify: %s\n", err.description);
		return NULL;
	}
	claims = ojwt_claims(jws, &err);
	if (header != NULL)
		*header = json_incref(jws->header);
	ojws_free(jws);
	return claims;
}

/* The left half of SHA-256 of s, base64url. */
static void
left_half(const char *s, char out[64])
{
	unsigned char	 h[OCRYPTO_SHA256_LEN];
	size_t		 n;

	ocrypto_sha256(s, strlen(s), h);
	ocrypto_b64url_encode(out, 64, &n, h, 16);
}

static void
issue_shape(void)
{
	json_t		*g = grant("req-shape", "client-shape",
			    "[\"openid\",\"offline\",\"email\"]");
	json_t		*c = client("client-shape", "opaque");
	json_t		*r = NULL, *rec = NULL;
	unsigned char	 atid[OTOKEN_ID_LEN], rtid[OTOKEN_ID_LEN];
	enum otoken_kind kind;
	const char	*k;
	json_t		*v;
	size_t		 n = 0;

	secrets(secret_a, NULL);
	if ((r = issue_for(g, c, OISSUE_ACCESS | OISSUE_REFRESH |
	    OISSUE_IDTOKEN, NULL, "authorization_code")) == NULL) {
		CHECK(0);
		goto out;
	}
	/* RFC 6749 §5.1, in this order. */
	json_object_foreach(r, k, v) {
		static const char *const want[] = { "access_token",
		    "token_type", "expires_in", "scope", "refresh_token",
		    "id_token" };

		CHECK(n < 6 && strcmp(k, want[n]) == 0);
		n++;
	}
	CHECK(n == 6);
	CHECK(strncmp(sget(r, "access_token"), "ory_at_", 7) == 0);
	CHECK(strncmp(sget(r, "refresh_token"), "ory_rt_", 7) == 0);
	CHECK_STR(sget(r, "token_type"), "bearer");
	CHECK(json_integer_value(json_object_get(r, "expires_in")) == 3600);
	CHECK_STR(sget(r, "scope"), "openid offline email");
	/*
	 * Issued with a refresh token, the access token is anchored to
	 * it (tokens.h): no record, no access_id, live with it.
	 */
	CHECK(!otoken_check(sget(r, "access_token"), OTOKEN_ACCESS, atid));
	CHECK(otoken_identify(sget(r, "access_token"), &kind, atid) &&
	    kind == OTOKEN_ACCESS);
	CHECK(otoken_check(sget(r, "refresh_token"), OTOKEN_REFRESH, rtid));
	CHECK((rec = load(rtid)) != NULL);
	CHECK(json_object_get(rec, "access_id") == NULL);
	CHECK(json_integer_value(json_object_get(rec, "exp")) -
	    json_integer_value(json_object_get(rec, "iat")) == 720 * 3600);
	CHECK(jlive(rec, OTOKEN_REFRESH, onow()));
	json_decref(rec);
	rec = NULL;
	CHECK(load(atid) == NULL);
	CHECK(tlive(sget(r, "access_token")));
	/* Only what was asked for; alone, the access token is stored. */
	json_decref(r);
	r = issue_for(g, c, OISSUE_ACCESS, NULL, "authorization_code");
	CHECK(r != NULL && json_object_get(r, "refresh_token") == NULL &&
	    json_object_get(r, "id_token") == NULL);
	CHECK(r != NULL && otoken_check(sget(r, "access_token"),
	    OTOKEN_ACCESS, atid));
	CHECK((rec = load(atid)) != NULL);
	CHECK(jlive(rec, OTOKEN_ACCESS, onow()));
	CHECK_STR(sget(rec, "sub"), "alice");
	CHECK(stored(atid, "req-shape", "client-shape",
	    json_integer_value(json_object_get(rec, "exp"))));
	json_decref(r);
	r = issue_for(g, c, OISSUE_IDTOKEN, NULL, "implicit");
	CHECK(r != NULL && json_object_get(r, "access_token") == NULL &&
	    json_object_get(r, "id_token") != NULL);
out:
	json_decref(r);
	json_decref(rec);
	json_decref(g);
	json_decref(c);
}

static void
issue_scopes(void)
{
	json_t	*c = client("client-sc", "");
	json_t	*g, *r;

	/* No openid: no ID token; no offline: no refresh token. */
	g = grant("req-sc1", "client-sc", "[\"profile\"]");
	r = issue_for(g, c, OISSUE_ACCESS | OISSUE_REFRESH | OISSUE_IDTOKEN,
	    NULL, "authorization_code");
	CHECK(r != NULL && json_object_get(r, "access_token") != NULL &&
	    json_object_get(r, "refresh_token") == NULL &&
	    json_object_get(r, "id_token") == NULL);
	CHECK(r != NULL && strcmp(sget(r, "scope"), "profile") == 0);
	json_decref(r);
	json_decref(g);
	/* offline_access counts as offline; the empty scope is "". */
	g = grant("req-sc2", "client-sc", "[\"offline_access\"]");
	r = issue_for(g, c, OISSUE_ACCESS | OISSUE_REFRESH, NULL,
	    "authorization_code");
	CHECK(r != NULL && json_object_get(r, "refresh_token") != NULL);
	json_decref(r);
	json_decref(g);
	g = grant("req-sc3", "client-sc", "[]");
	r = issue_for(g, c, OISSUE_ACCESS | OISSUE_REFRESH | OISSUE_IDTOKEN,
	    NULL, "client_credentials");
	CHECK(r != NULL && strcmp(sget(r, "scope"), "") == 0);
	json_decref(r);
	json_decref(g);
	/* A grant without request_id is refused. */
	g = J("{\"client_id\":\"client-sc\",\"sub\":\"x\"}");
	CHECK(issue_for(g, c, OISSUE_ACCESS, NULL, NULL) == NULL);
	json_decref(g);
	json_decref(c);
}

static void
lifespans(void)
{
	json_t		*c = client("client-ls", "");
	json_t		*g = grant("req-ls", "client-ls",
			    "[\"openid\",\"offline\"]");
	json_t		*r = NULL, *rec = NULL, *claims = NULL;
	unsigned char	 id[OTOKEN_ID_LEN];

	json_object_set_new(c, "authorization_code_grant_access_token_lifespan",
	    json_integer(120));
	json_object_set_new(c, "authorization_code_grant_refresh_token_lifespan",
	    json_integer(7200));
	json_object_set_new(c, "authorization_code_grant_id_token_lifespan",
	    json_integer(300));
	json_object_set_new(c, "refresh_token_grant_access_token_lifespan",
	    json_null());
	if ((r = issue_for(g, c, OISSUE_ACCESS | OISSUE_REFRESH |
	    OISSUE_IDTOKEN, NULL, "authorization_code")) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(json_integer_value(json_object_get(r, "expires_in")) == 120);
	CHECK(otoken_check(sget(r, "refresh_token"), OTOKEN_REFRESH, id));
	CHECK((rec = load(id)) != NULL);
	CHECK(json_integer_value(json_object_get(rec, "exp")) -
	    json_integer_value(json_object_get(rec, "iat")) == 7200);
	CHECK((claims = verified(sget(r, "id_token"), OKEYS_ID_TOKEN,
	    NULL)) != NULL);
	CHECK(json_integer_value(json_object_get(claims, "exp")) -
	    json_integer_value(json_object_get(claims, "iat")) == 300);
	json_decref(r);
	json_decref(rec);
	json_decref(claims);
	rec = claims = NULL;
	/* null: the configured ttl; the refresh ttl -1: never expires. */
	conf.ttl_refresh_token = -1;
	r = issue_for(g, c, OISSUE_ACCESS | OISSUE_REFRESH, NULL,
	    "refresh_token");
	conf.ttl_refresh_token = 720 * 3600;
	if (r == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(json_integer_value(json_object_get(r, "expires_in")) == 3600);
	CHECK(otoken_check(sget(r, "refresh_token"), OTOKEN_REFRESH, id));
	CHECK((rec = load(id)) != NULL);
	CHECK(json_integer_value(json_object_get(rec, "exp")) == 0);
	CHECK(jlive(rec, OTOKEN_REFRESH, onow() + 100LL * 365 * 86400));
	CHECK(stored(id, "req-ls", "client-ls", 0));
out:
	json_decref(r);
	json_decref(rec);
	json_decref(claims);
	json_decref(g);
	json_decref(c);
}

static void
id_token_claims(void)
{
	json_t		*c = client("client-idt", "");
	json_t		*g = grant("req-idt", "client-idt",
			    "[\"openid\",\"email\"]");
	json_t		*r = NULL, *claims = NULL, *hdr = NULL;
	struct oerr	 err;
	char		 want[64];
	const char	*code = "ory_ac_some-code.value";

	if ((r = issue_for(g, c, OISSUE_ACCESS | OISSUE_IDTOKEN, code,
	    "authorization_code")) == NULL ||
	    (claims = verified(sget(r, "id_token"), OKEYS_ID_TOKEN,
	    &hdr)) == NULL) {
		CHECK(0);
		goto out;
	}
	oerr_clear(&err);
	CHECK(ojwt_check(claims, issuer, "client-idt", onow(), 0,
	    OJWT_REQUIRE_EXP | OJWT_REQUIRE_IAT, &err));
	CHECK_STR(sget(hdr, "alg"), "RS256");
	CHECK(sget(hdr, "kid") != NULL);
	CHECK_STR(sget(hdr, "typ"), "JWT");
	/* Registered claims come from the grant, never the session. */
	CHECK_STR(sget(claims, "iss"), issuer);
	CHECK_STR(sget(claims, "sub"), "alice");
	CHECK(json_array_size(json_object_get(claims, "aud")) == 1);
	CHECK_STR(json_string_value(json_array_get(json_object_get(claims,
	    "aud"), 0)), "client-idt");
	CHECK(json_integer_value(json_object_get(claims, "exp")) -
	    json_integer_value(json_object_get(claims, "iat")) == 3600);
	CHECK(json_integer_value(json_object_get(claims, "auth_time")) ==
	    1700000000);
	CHECK(json_integer_value(json_object_get(claims, "rat")) ==
	    1700000100);
	CHECK_STR(sget(claims, "nonce"), "n-0S6_WzA2Mj");
	CHECK_STR(sget(claims, "acr"), "urn:acr:pwd");
	CHECK(json_array_size(json_object_get(claims, "amr")) == 2);
	CHECK_STR(sget(claims, "sid"), "session-1");
	CHECK(sget(claims, "jti") != NULL && strlen(sget(claims, "jti")) ==
	    36);
	CHECK_STR(sget(claims, "email"), "alice@example.com");
	/* OpenID Connect Core §3.3.2.11 with RS256: SHA-256, left half. */
	left_half(sget(r, "access_token"), want);
	CHECK_STR(sget(claims, "at_hash"), want);
	left_half(code, want);
	CHECK_STR(sget(claims, "c_hash"), want);
	json_decref(claims);
	json_decref(r);
	claims = NULL;
	/* Without an access token or code: neither hash. */
	if ((r = issue_for(g, c, OISSUE_IDTOKEN, NULL, "implicit")) == NULL ||
	    (claims = verified(sget(r, "id_token"), OKEYS_ID_TOKEN,
	    NULL)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(json_object_get(claims, "at_hash") == NULL);
	CHECK(json_object_get(claims, "c_hash") == NULL);
out:
	json_decref(r);
	json_decref(claims);
	json_decref(hdr);
	json_decref(g);
	json_decref(c);
}

static void
hashes(void)
{
	static const struct {
		const char	*alg;
		enum ocrypto_md	 md;
	} tc[] = {
		{ "RS256", OCRYPTO_SHA256 }, { "ES256", OCRYPTO_SHA256 },
		{ "PS256", OCRYPTO_SHA256 }, { "RS384", OCRYPTO_SHA384 },
		{ "ES384", OCRYPTO_SHA384 }, { "PS512", OCRYPTO_SHA512 },
		{ "ES512", OCRYPTO_SHA512 }, { "EdDSA", OCRYPTO_SHA512 },
	};
	unsigned char	 h[OCRYPTO_SHA512_LEN];
	char		 want[128];
	size_t		 i, n;
	json_t		*got;

	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		ocrypto_digest(tc[i].md, "jHkWEdUXMU1BwAsC4vtUsZwnNMqNXZnA",
		    32, h);
		ocrypto_b64url_encode(want, sizeof(want), &n, h,
		    ocrypto_md_len(tc[i].md) / 2);
		got = half_hash(tc[i].alg, "jHkWEdUXMU1BwAsC4vtUsZwnNMqNXZnA");
		CHECK_STR(json_string_value(got), want);
		json_decref(got);
	}
	/*
	 * A fixed vector computed elsewhere (Python hashlib).  NOTE: the
	 * at_hash of OpenID Connect Core's example A.3 does not match its
	 * access token, so it cannot serve as one.
	 */
	got = half_hash("RS256", "jHkWEdUXMU1BwAsC4vtUsZwnNMqNXZnA");
	CHECK_STR(json_string_value(got), "vQt_DFxZKvUY8r1f1YeOWg");
	json_decref(got);
}

static void
jwt_access(void)
{
	json_t		*c = client("client-jwt", "jwt");
	json_t		*g = grant("req-jwt", "client-jwt",
			    "[\"openid\",\"offline\",\"api\"]");
	json_t		*r = NULL, *claims = NULL, *hdr = NULL, *rec = NULL;
	unsigned char	 id[OTOKEN_ID_LEN], rtid[OTOKEN_ID_LEN];
	unsigned char	 want[OTOKEN_ID_LEN];
	char		 hex[2 * OTOKEN_ID_LEN + 1];
	enum otoken_kind kind;
	const char	*at, *sig;

	if ((r = issue_for(g, c, OISSUE_ACCESS | OISSUE_REFRESH, NULL,
	    "authorization_code")) == NULL) {
		CHECK(0);
		goto out;
	}
	at = sget(r, "access_token");
	CHECK(strncmp(at, "ory_", 4) != 0);
	if ((claims = verified(at, OKEYS_ACCESS_TOKEN, &hdr)) == NULL) {
		CHECK(0);
		goto out;
	}
	/* RFC 9068 §2.1, §2.2; claims as Hydra's. */
	CHECK_STR(sget(hdr, "typ"), "at+jwt");
	CHECK(sget(hdr, "kid") != NULL);
	CHECK_STR(sget(claims, "iss"), issuer);
	CHECK_STR(sget(claims, "sub"), "alice");
	CHECK_STR(sget(claims, "client_id"), "client-jwt");
	CHECK_STR(json_string_value(json_array_get(json_object_get(claims,
	    "aud"), 0)), "https://api.example");
	CHECK(json_array_size(json_object_get(claims, "scp")) == 3);
	CHECK_STR(sget(json_object_get(claims, "ext"), "tier"), "gold");
	CHECK(json_integer_value(json_object_get(claims, "nbf")) ==
	    json_integer_value(json_object_get(claims, "iat")));
	CHECK(json_integer_value(json_object_get(claims, "exp")) -
	    json_integer_value(json_object_get(claims, "iat")) == 3600);
	CHECK(sget(claims, "jti") != NULL);
	/* Its record: keyed by SHA-256 of the signature segment. */
	sig = strrchr(at, '.') + 1;
	ocrypto_sha256(sig, strlen(sig), want);
	CHECK(otoken_identify(at, &kind, id) == 1 && kind == OTOKEN_ACCESS);
	CHECK(memcmp(id, want, sizeof(id)) == 0);
	CHECK((rec = load(id)) != NULL && jlive(rec, OTOKEN_ACCESS,
	    onow()));
	json_decref(rec);
	/* The refresh token points at it. */
	CHECK(otoken_check(sget(r, "refresh_token"), OTOKEN_REFRESH, rtid));
	CHECK((rec = load(rtid)) != NULL);
	hex_id(id, hex);
	CHECK_STR(sget(rec, "access_id"), hex);
	/* Tampered, or an ID token: not identified. */
	{
		char	*bad = strdup(at);
		size_t	 n = strlen(bad);

		bad[n - 2] = bad[n - 2] == 'A' ? 'B' : 'A';
		CHECK(otoken_identify(bad, &kind, id) == 0);
		free(bad);
	}
	/* The global strategy applies when the client's is "". */
	json_decref(r);
	json_decref(c);
	c = client("client-jwt", "");
	conf.access_token_strategy = OCONF_TOKEN_JWT;
	r = issue_for(g, c, OISSUE_ACCESS, NULL, "authorization_code");
	conf.access_token_strategy = OCONF_TOKEN_OPAQUE;
	CHECK(r != NULL && strncmp(sget(r, "access_token"), "ory_", 4) != 0);
	json_decref(r);
	json_decref(c);
	c = client("client-jwt", "opaque");
	conf.access_token_strategy = OCONF_TOKEN_JWT;
	r = issue_for(g, c, OISSUE_ACCESS, NULL, "authorization_code");
	conf.access_token_strategy = OCONF_TOKEN_OPAQUE;
	CHECK(r != NULL && strncmp(sget(r, "access_token"), "ory_at_", 7) ==
	    0);
out:
	json_decref(r);
	json_decref(claims);
	json_decref(hdr);
	json_decref(rec);
	json_decref(g);
	json_decref(c);
}

/* --- revocation and flush ----------------------------------------- */

static int
revoke_request_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return otoken_revoke_request(t, arg);
}

static int
revoke_client_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return otoken_revoke_client(t, arg);
}

static void
revoke_chains(void)
{
	json_t		*c = client("client-rv", "");
	json_t		*g1 = grant("req-rv1", "client-rv",
			    "[\"offline\"]");
	json_t		*g2 = grant("req-rv2", "client-rv",
			    "[\"offline\"]");
	json_t		*g3 = grant("req-rv1x", "client-rvx",
			    "[\"offline\"]");
	json_t		*r1 = NULL, *r2 = NULL, *r3 = NULL;
	unsigned char	 code[OTOKEN_ID_LEN], a1[OTOKEN_ID_LEN];
	unsigned char	 f1[OTOKEN_ID_LEN], a2[OTOKEN_ID_LEN];
	unsigned char	 f2[OTOKEN_ID_LEN], a3[OTOKEN_ID_LEN];
	enum otoken_kind kind;

	if (!new_code(g1, code, NULL) ||
	    (r1 = issue_for(g1, c, OISSUE_ACCESS | OISSUE_REFRESH, NULL,
	    "authorization_code")) == NULL ||
	    (r2 = issue_for(g2, c, OISSUE_ACCESS | OISSUE_REFRESH, NULL,
	    "authorization_code")) == NULL ||
	    (r3 = issue_for(g3, c, OISSUE_ACCESS, NULL,
	    "authorization_code")) == NULL) {
		CHECK(0);
		goto out;
	}
	/* Those issued with a refresh token are anchored to it. */
	CHECK(otoken_identify(sget(r1, "access_token"), &kind, a1));
	CHECK(otoken_check(sget(r1, "refresh_token"), OTOKEN_REFRESH, f1));
	CHECK(otoken_identify(sget(r2, "access_token"), &kind, a2));
	CHECK(otoken_check(sget(r2, "refresh_token"), OTOKEN_REFRESH, f2));
	CHECK(otoken_check(sget(r3, "access_token"), OTOKEN_ACCESS, a3));
	CHECK(tlive(sget(r1, "access_token")));
	/* One chain: its code, access and refresh tokens, nothing else. */
	CHECK(twrite(revoke_request_fn, "req-rv1"));
	CHECK(load(code) == NULL && load(a1) == NULL && load(f1) == NULL);
	CHECK(!tlive(sget(r1, "access_token")));
	CHECK(tlive(sget(r2, "access_token")));
	CHECK(tpresent(OSTORE_TOKENS, f2, OTOKEN_ID_LEN) == 1);
	/* "req-rv1x" starts with "req-rv1" but is another chain. */
	CHECK(tpresent(OSTORE_TOKENS, a3, OTOKEN_ID_LEN) == 1);
	/* Revoking an unknown or empty chain is no error. */
	CHECK(twrite(revoke_request_fn, "req-none"));
	CHECK(twrite(revoke_request_fn, ""));
	/* A client: every token of it, with their index entries. */
	CHECK(twrite(revoke_client_fn, "client-rv"));
	CHECK(load(f2) == NULL && !tlive(sget(r2, "access_token")));
	CHECK(gone(f2, "req-rv2", "client-rv", 0));
	CHECK(tpresent(OSTORE_TOKENS, a3, OTOKEN_ID_LEN) == 1);
	CHECK(twrite(revoke_client_fn, "client-rvx"));
	CHECK(load(a3) == NULL);
out:
	json_decref(r1);
	json_decref(r2);
	json_decref(r3);
	json_decref(g1);
	json_decref(g2);
	json_decref(g3);
	json_decref(c);
}

/* Store a token record for request rid that expires at exp. */
struct put_op {
	const char	*rid;
	int64_t		 exp;
	unsigned char	 id[OTOKEN_ID_LEN];
};

static int
put_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct put_op	*op = arg;
	char		 tok[OTOKEN_MAX];
	json_t		*rec;
	int		 rc;

	otoken_mint(OTOKEN_ACCESS, tok, op->id);
	rec = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:b}", "kind",
	    "access_token", "request_id", op->rid, "client_id", "client-fl",
	    "sub", "s", "iat", (json_int_t)(op->exp - 10), "exp",
	    (json_int_t)op->exp, "active", 1);
	rc = store_json(t, op->id, rec, err);
	json_decref(rec);
	return rc;
}

/* A "flows" record (a spent client assertion) expiring at exp. */
static int
flow_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	int64_t	*exp = arg;

	return ostore_put(t, OSTORE_FLOWS, "flow-key-0123456789", 19,
	    "{}", 2, 0) == OSTORE_OK && ostore_expiry_put(t, OSTORE_FLOWS,
	    "flow-key-0123456789", 19, *exp) == OSTORE_OK;
}

struct flush_op {
	int64_t	 not_after;
	size_t	 max;
	size_t	 n;
};

static int
flush_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct flush_op	*op = arg;

	return olife_flush(t, op->not_after, op->max, &op->n);
}

static void
flush(void)
{
	struct put_op	 old[5], live;
	struct flush_op	 f;
	int64_t		 now = onow();
	size_t		 i;
	char		 rid[32];

	/* Clear whatever earlier tests left that expired (none should). */
	f.not_after = now - 1000;
	f.max = 0;
	CHECK(twrite(flush_fn, &f) && f.n == 0);
	for (i = 0; i < 5; i++) {
		snprintf(rid, sizeof(rid), "req-fl%zu", i);
		old[i].rid = strdup(rid);
		old[i].exp = now - 500 + (int64_t)i;
		CHECK(twrite(put_fn, &old[i]));
	}
	live.rid = "req-fl-live";
	live.exp = now + 500;
	CHECK(twrite(put_fn, &live));
	/* Before their exp: nothing. */
	f.not_after = now - 500;
	f.max = 0;
	CHECK(twrite(flush_fn, &f) && f.n == 0);
	/* Bounded: the two that expired first. */
	f.not_after = now;
	f.max = 2;
	CHECK(twrite(flush_fn, &f) && f.n == 2);
	CHECK(gone(old[0].id, old[0].rid, "client-fl", old[0].exp));
	CHECK(gone(old[1].id, old[1].rid, "client-fl", old[1].exp));
	CHECK(stored(old[2].id, old[2].rid, "client-fl", old[2].exp));
	/* Unbounded: the rest, and not the live one. */
	f.max = 0;
	CHECK(twrite(flush_fn, &f) && f.n == 3);
	for (i = 2; i < 5; i++)
		CHECK(gone(old[i].id, old[i].rid, "client-fl", old[i].exp));
	CHECK(stored(live.id, live.rid, "client-fl", live.exp));
	f.max = 16;
	CHECK(twrite(flush_fn, &f) && f.n == 0);
	/* Records of the flow go through oflow_expire(). */
	{
		int64_t		 fexp = now - 5;
		unsigned char	 k[64], id[OTOKEN_ID_LEN];

		CHECK(twrite(flow_fn, &fexp));
		CHECK(tpresent(OSTORE_FLOWS, "flow-key-0123456789", 19) == 1);
		f.not_after = now;
		f.max = 0;
		CHECK(twrite(flush_fn, &f) && f.n == 1);
		CHECK(tpresent(OSTORE_FLOWS, "flow-key-0123456789", 19) == 0);
		memset(id, 0, sizeof(id));
		memcpy(id, "flow-key-0123456789", 19);
		ekey(fexp, id, k);
		k[8] = (unsigned char)OSTORE_FLOWS;
		CHECK(tpresent(OSTORE_EXPIRY, k, 9 + 19) == 0);
	}
	/* Later, the live one goes too. */
	f.not_after = now + 501;
	f.max = 0;
	CHECK(twrite(flush_fn, &f) && f.n >= 1);
	CHECK(gone(live.id, live.rid, "client-fl", live.exp));
	for (i = 0; i < 5; i++)
		free((char *)old[i].rid);
}

/* Store a code of request rid expiring at exp, used or not. */
struct code_put {
	const char	*rid;
	int64_t		 exp;
	int		 active;
	unsigned char	 id[OTOKEN_ID_LEN];
};

static int
code_put_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct code_put	*op = arg;
	char		 tok[OTOKEN_MAX];
	json_t		*rec;
	int		 rc;

	otoken_mint(OTOKEN_CODE, tok, op->id);
	rec = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:b}", "kind", "code",
	    "request_id", op->rid, "client_id", "client-fl", "sub", "s",
	    "iat", (json_int_t)(op->exp - 600), "exp", (json_int_t)op->exp,
	    "active", op->active);
	rc = store_json(t, op->id, rec, err);
	json_decref(rec);
	return rc;
}

/* An expiry entry of the token id moved from exp to to. */
struct move_op {
	const unsigned char	*id;
	int64_t			 exp, to;
};

static int
move_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct move_op	*op = arg;

	return ostore_expiry_del(t, OSTORE_TOKENS, op->id, OTOKEN_ID_LEN,
	    op->exp) == OSTORE_OK && ostore_expiry_put(t, OSTORE_TOKENS,
	    op->id, OTOKEN_ID_LEN, op->to) == OSTORE_OK;
}

/*
 * A code, used or not, is flushed TOMBSTONE_TTL after its exp, when
 * its expiry entry is due; a code whose entry is at its exp (as codes
 * were stored before) is kept then, with an entry at its flush time.
 */
static void
flush_codes(void)
{
	struct code_put	 used, unused, old;
	struct move_op	 m;
	struct flush_op	 f;
	unsigned char	 k[600];
	int64_t		 now = onow();

	used.rid = "req-fc-used";
	used.exp = now - 100;
	used.active = 0;
	unused.rid = "req-fc-unused";
	unused.exp = now - 90;
	unused.active = 1;
	old.rid = "req-fc-old";
	old.exp = now - 80;
	old.active = 1;
	CHECK(twrite(code_put_fn, &used) && twrite(code_put_fn, &unused) &&
	    twrite(code_put_fn, &old));
	m.id = old.id;
	m.exp = old.exp + TOMBSTONE_TTL;
	m.to = old.exp;
	CHECK(twrite(move_fn, &m));
	/* Past their exp, within TOMBSTONE_TTL: only the old entry goes. */
	f.not_after = now;
	f.max = 0;
	CHECK(twrite(flush_fn, &f) && f.n == 1);
	CHECK(stored(used.id, used.rid, "client-fl", used.exp +
	    TOMBSTONE_TTL));
	CHECK(stored(unused.id, unused.rid, "client-fl", unused.exp +
	    TOMBSTONE_TTL));
	CHECK(stored(old.id, old.rid, "client-fl", old.exp + TOMBSTONE_TTL));
	CHECK(tpresent(OSTORE_EXPIRY, k, ekey(old.exp, old.id, k)) == 0);
	/* TOMBSTONE_TTL after their exp, they go. */
	f.not_after = now + TOMBSTONE_TTL;
	CHECK(twrite(flush_fn, &f) && f.n == 3);
	CHECK(gone(used.id, used.rid, "client-fl", used.exp + TOMBSTONE_TTL));
	CHECK(gone(unused.id, unused.rid, "client-fl", unused.exp +
	    TOMBSTONE_TTL));
	CHECK(gone(old.id, old.rid, "client-fl", old.exp + TOMBSTONE_TTL));
}

/* Store a refresh token of chain rid expiring at exp (0: never). */
static int
put_rt_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct put_op	*op = arg;
	char		 tok[OTOKEN_MAX];
	json_t		*rec;
	int		 rc;

	otoken_mint(OTOKEN_REFRESH, tok, op->id);
	rec = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:b}", "kind",
	    "refresh_token", "request_id", op->rid, "client_id", "client-ch",
	    "sub", "s", "iat", (json_int_t)onow(), "exp", (json_int_t)op->exp,
	    "active", 1);
	rc = store_json(t, op->id, rec, err);
	json_decref(rec);
	return rc;
}

/*
 * A used refresh token stays a tombstone for as long as its chain
 * lives (RFC 9700 §4.14.2), not 30 minutes: the flush, run as if it
 * were later, keeps it while a refresh token of the chain is live, and
 * deletes it with the chain.
 */
static void
tombstone_chain(void)
{
	struct put_op	 rt1, rt2, lone;
	struct use_op	 op;
	struct flush_op	 f;
	json_t		*rec = NULL;
	int64_t		 now = onow();

	rt1.rid = rt2.rid = "req-chain";
	rt1.exp = now + 3600;
	rt2.exp = now + 7200;
	lone.rid = "req-chain-lone";
	lone.exp = now + 3600;
	CHECK(twrite(put_rt_fn, &rt1) && twrite(put_rt_fn, &lone));
	op.id = rt1.id;
	CHECK(twrite(use_fn, &op));
	op.id = lone.id;
	CHECK(twrite(use_fn, &op));
	/* Rotated: the successor lives longer. */
	CHECK(twrite(put_rt_fn, &rt2));
	/* 31 minutes later the replay is still recognised. */
	f.not_after = now + 31 * 60;
	f.max = 0;
	CHECK(twrite(flush_fn, &f));
	if ((rec = load(rt1.id)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(!json_is_true(json_object_get(rec, "active")));
	CHECK_STR(json_string_value(json_object_get(rec, "kind")),
	    "refresh_token");
	CHECK(json_integer_value(json_object_get(rec, "exp")) == rt1.exp);
	json_decref(rec);
	CHECK((rec = load(lone.id)) != NULL);
	json_decref(rec);
	/* Past its own exp: kept while the chain's rt2 lives. */
	f.not_after = rt1.exp + 1;
	CHECK(twrite(flush_fn, &f));
	if ((rec = load(rt1.id)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(!json_is_true(json_object_get(rec, "active")));
	CHECK(json_integer_value(json_object_get(rec, "exp")) == rt2.exp);
	CHECK(json_integer_value(json_object_get(rec, "token_exp")) ==
	    rt1.exp);
	CHECK(stored(rt1.id, "req-chain", "client-ch", rt2.exp));
	json_decref(rec);
	/* A chain with nothing live: its tombstone is gone. */
	CHECK(load(lone.id) == NULL);
	CHECK(gone(lone.id, "req-chain-lone", "client-ch", lone.exp));
	/* The replay revokes the chain, successor included. */
	CHECK(twrite(revoke_request_fn, "req-chain"));
	CHECK(load(rt2.id) == NULL);
	CHECK(gone(rt1.id, "req-chain", "client-ch", rt2.exp));
	/* A chain that ends by expiry takes its tombstones with it. */
	rt1.rid = rt2.rid = "req-chain2";
	CHECK(twrite(put_rt_fn, &rt1));
	op.id = rt1.id;
	CHECK(twrite(use_fn, &op));
	CHECK(twrite(put_rt_fn, &rt2));
	f.not_after = rt2.exp + 1;
	CHECK(twrite(flush_fn, &f));
	CHECK(load(rt1.id) == NULL && load(rt2.id) == NULL);
	CHECK(gone(rt1.id, "req-chain2", "client-ch", rt1.exp));
}

/* --- setup -------------------------------------------------------- */

/* --- records as bytes, decoding ------------------------------------ */

/*
 * A grant shaped as the authorization endpoint builds it
 * (oauthorize_grant(): its members in that order, then the request's
 * nonce and PKCE members).
 */
static json_t *
authz_grant(const char *rid, const char *cid)
{
	json_t	*g;

	g = json_pack("{s:s,s:s,s:s,s:s,s:[s,s],s:[s],s:I,s:s,s:[s,s],s:I,"
	    "s:{s:{s:s},s:{s:s}},s:s,s:s,s:s,s:s}",
	    "request_id", rid, "client_id", cid, "sub", "alice",
	    "sid", "sid-1", "scope", "openid", "offline_access",
	    "aud", "https://api.example", "auth_time",
	    (json_int_t)1700000000, "acr", "urn:acr:pwd", "amr", "pwd",
	    "otp", "requested_at", (json_int_t)1700000100,
	    "session", "id_token", "email", "alice@example.com",
	    "access_token", "tier", "gold",
	    "nonce", "n-1", "redirect_uri", "https://app.example/cb",
	    "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
	    "code_challenge_method", "S256");
	if (g == NULL)
		abort();
	return g;
}

/* The stored bytes of token id as a new string, or NULL. */
static char *
raw_rec(const unsigned char id[OTOKEN_ID_LEN])
{
	struct ostore_txn	*t;
	const void		*v;
	size_t			 vl;
	char			*out = NULL;

	if ((t = ostore_read_begin(NULL)) == NULL)
		return NULL;
	if (ostore_get(t, OSTORE_TOKENS, id, OTOKEN_ID_LEN, &v, &vl) ==
	    OSTORE_OK) {
		out = oxmalloc(vl + 1);
		memcpy(out, v, vl);
		out[vl] = '\0';
	}
	ostore_read_end(t);
	return out;
}

/*
 * The bytes earlier versions wrote for a token of kind under grant (a
 * deep copy of it, then "_v", "kind", "iat", "exp", "active" and a
 * refresh token's "access_id"): a new string.
 */
static char *
old_bytes(const json_t *grant, const char *kind, int64_t iat, int64_t exp,
    const char *access_id)
{
	json_t	*r = json_deep_copy(grant);
	char	*out;

	json_object_set_new(r, "_v", json_integer(1));
	json_object_set_new(r, "kind", json_string(kind));
	json_object_set_new(r, "iat", json_integer(iat));
	json_object_set_new(r, "exp", json_integer(exp));
	json_object_set_new(r, "active", json_true());
	if (access_id != NULL)
		json_object_set_new(r, "access_id", json_string(access_id));
	out = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	return out;
}

/* 1 if the record at id decodes and encodes back to its own bytes. */
static int
round_trip(const unsigned char id[OTOKEN_ID_LEN])
{
	struct otoken_rec	 rec;
	struct oerr		 e;
	json_t			*j = NULL;
	char			*b = raw_rec(id), *again = NULL;
	int			 rc = 0;
	struct ostore_txn	*t;

	oerr_clear(&e);
	if (b == NULL || (t = ostore_read_begin(NULL)) == NULL) {
		free(b);
		return 0;
	}
	if (otoken_load(t, id, &rec, &e)) {
		j = otoken_rec_json(&rec);
		again = json_dumps(j, JSON_COMPACT);
		rc = strcmp(again, b) == 0 && memcmp(rec.id, id,
		    OTOKEN_ID_LEN) == 0;
		if (!rc)
			fprintf(stderr, "round trip:\n%s\n%s\n", b, again);
	}
	ostore_read_end(t);
	otoken_rec_free(&rec);
	json_decref(j);
	free(again);
	free(b);
	return rc;
}

/*
 * The bytes of used record now (b) against what earlier versions wrote
 * for the record before (prev): the same once used_at and exp are taken
 * from now.
 */
static int
same_as_old_use(const char *prev, const char *b)
{
	json_t	*want = J(prev), *got = J(b);
	char	*w, *g2;
	int	 rc;

	json_object_set_new(want, "active", json_false());
	json_object_set(want, "exp", json_object_get(got, "exp"));
	json_object_set(want, "used_at", json_object_get(got, "used_at"));
	w = json_dumps(want, JSON_COMPACT);
	g2 = json_dumps(got, JSON_COMPACT);
	rc = strcmp(w, b) == 0 && strcmp(g2, b) == 0;
	if (!rc)
		fprintf(stderr, "used:\n%s\n%s\n", w, b);
	free(w);
	free(g2);
	json_decref(want);
	json_decref(got);
	return rc;
}

static void
record_bytes(void)
{
	unsigned char	 id[OTOKEN_ID_LEN], atid[OTOKEN_ID_LEN];
	unsigned char	 rtid[OTOKEN_ID_LEN];
	char		 hex[2 * OTOKEN_ID_LEN + 1];
	struct use_op	 op;
	json_t		*g = authz_grant("req-bytes", "client-bytes");
	json_t		*gr = NULL, *c = client("client-bytes", "opaque");
	json_t		*r = NULL, *rec = NULL;
	char		*b = NULL, *want = NULL, *b2 = NULL;

	secrets(secret_a, NULL);
	/* A code: the grant's members in order, then the token's. */
	if (!new_code(g, id, NULL) || (b = raw_rec(id)) == NULL ||
	    (rec = J(b)) == NULL) {
		CHECK(0);
		goto out;
	}
	want = old_bytes(g, "code", json_integer_value(json_object_get(rec,
	    "iat")), json_integer_value(json_object_get(rec, "exp")), NULL);
	CHECK_STR(b, want);
	CHECK(round_trip(id));
	/* Used: a tombstone, as earlier versions rewrote it. */
	op.id = id;
	CHECK(twrite(use_fn, &op));
	if ((b2 = raw_rec(id)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(same_as_old_use(b, b2));
	CHECK(round_trip(id));
	free(b);
	free(b2);
	free(want);
	json_decref(rec);
	b = b2 = want = NULL;
	rec = NULL;

	/*
	 * A refresh token of the code's grant (without the code members,
	 * as the token endpoint passes it), with the access token's id:
	 * a refresh token that expires before its access token would
	 * has the access token stored, not anchored (tokens.h).
	 */
	conf.ttl_refresh_token = 1800;
	gr = json_deep_copy(g);
	json_object_del(gr, "redirect_uri");
	json_object_del(gr, "code_challenge");
	json_object_del(gr, "code_challenge_method");
	if ((r = issue_for(gr, c, OISSUE_ACCESS | OISSUE_REFRESH, NULL,
	    "authorization_code")) == NULL ||
	    !otoken_check(sget(r, "access_token"), OTOKEN_ACCESS, atid) ||
	    !otoken_check(sget(r, "refresh_token"), OTOKEN_REFRESH, rtid) ||
	    (b = raw_rec(rtid)) == NULL || (rec = J(b)) == NULL) {
		CHECK(0);
		goto out;
	}
	otk_hex_id(atid, hex);
	want = old_bytes(gr, "refresh_token", json_integer_value(
	    json_object_get(rec, "iat")), json_integer_value(
	    json_object_get(rec, "exp")), hex);
	CHECK_STR(b, want);
	CHECK(round_trip(rtid));
	CHECK(round_trip(atid));
	op.id = rtid;
	CHECK(twrite(use_fn, &op));
	if ((b2 = raw_rec(rtid)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(same_as_old_use(b, b2));
	CHECK(round_trip(rtid));
out:
	conf.ttl_refresh_token = 720 * 3600;
	free(b);
	free(b2);
	free(want);
	json_decref(rec);
	json_decref(r);
	json_decref(gr);
	json_decref(g);
	json_decref(c);
}

/* A complete token record, every member set. */
static const char full_rec[] = "{\"request_id\":\"r-1\","
    "\"client_id\":\"c-1\",\"sub\":\"alice\",\"sid\":\"s-1\","
    "\"scope\":[\"openid\",\"offline\"],\"aud\":[\"https://a\"],"
    "\"auth_time\":1700000000,\"acr\":\"urn:pwd\",\"amr\":[\"pwd\"],"
    "\"requested_at\":1700000100,\"session\":{\"id_token\":"
    "{\"email\":\"a@example.com\"},\"access_token\":{\"tier\":\"gold\"}},"
    "\"nonce\":\"n-1\",\"redirect_uri\":\"https://app/cb\","
    "\"code_challenge\":\"ch\",\"code_challenge_method\":\"S256\","
    "\"_v\":1,\"kind\":\"refresh_token\",\"iat\":1700000200,"
    "\"exp\":1700003800,\"active\":false,\"stateless\":true,"
    "\"access_id\":\"ab\",\"used_at\":1700000300,"
    "\"token_exp\":1700001000}";

static void
decode_fields(void)
{
	struct otoken_rec	 rec;
	struct ogrant		 g2;
	struct oerr		 e;
	enum ogrant_pkce	 m;
	json_t			*j = J(full_rec), *back;
	char			*b;

	oerr_clear(&e);
	if (!otoken_rec_decode(j, &rec, &e)) {
		fprintf(stderr, "decode: %s\n", e.description);
		CHECK(0);
		json_decref(j);
		return;
	}
	CHECK(rec.kind == OTOKEN_REFRESH);
	CHECK(rec.active == 0);
	CHECK(rec.stateless == 1);
	CHECK(rec.iat == 1700000200);
	CHECK(rec.exp == 1700003800);
	CHECK(rec.used_at == 1700000300);
	CHECK(rec.token_exp == 1700001000);
	CHECK_STR(rec.access_id, "ab");
	CHECK_STR(rec.grant.request_id, "r-1");
	CHECK_STR(rec.grant.client_id, "c-1");
	CHECK_STR(rec.grant.sub, "alice");
	CHECK_STR(rec.grant.sid, "s-1");
	CHECK(rec.grant.scope.n == 2);
	CHECK(ojson_strs_has(&rec.grant.scope, "offline"));
	CHECK(rec.grant.aud.n == 1);
	CHECK_STR(rec.grant.aud.v[0], "https://a");
	CHECK(rec.grant.auth_time == 1700000000);
	CHECK_STR(rec.grant.acr, "urn:pwd");
	CHECK(rec.grant.amr.n == 1);
	CHECK_STR(rec.grant.amr.v[0], "pwd");
	CHECK(rec.grant.requested_at == 1700000100);
	CHECK(rec.grant.has == (OGRANT_HAS_AUTH_TIME | OGRANT_HAS_AMR |
	    OGRANT_HAS_REQUESTED_AT));
	CHECK_STR(ojson_str(json_object_get(rec.grant.session,
	    "access_token"), "tier"), "gold");
	CHECK_STR(rec.grant.nonce, "n-1");
	CHECK_STR(rec.grant.redirect_uri, "https://app/cb");
	CHECK_STR(rec.grant.code_challenge, "ch");
	CHECK(rec.grant.code_challenge_method == OGRANT_PKCE_S256);
	/* Encoded back: the same bytes. */
	back = otoken_rec_json(&rec);
	b = json_dumps(back, JSON_COMPACT);
	CHECK_STR(b, full_rec);
	free(b);
	json_decref(back);
	/* otoken_grant(): the code members go, the rest is copied. */
	otoken_grant(&rec, &g2);
	CHECK(g2.redirect_uri == NULL && g2.code_challenge == NULL &&
	    g2.code_challenge_method == OGRANT_PKCE_NONE);
	CHECK_STR(g2.nonce, "n-1");
	CHECK(g2.scope.v != rec.grant.scope.v);
	otoken_rec_free(&rec);
	CHECK_STR(g2.sub, "alice");
	CHECK(g2.amr.n == 1);
	ogrant_free(&g2);
	/* A minimal record: absent members stay absent. */
	json_decref(j);
	j = J("{\"request_id\":\"r\",\"client_id\":\"c\",\"sub\":\"c\","
	    "\"scope\":[],\"aud\":[],\"_v\":1,\"kind\":\"access_token\","
	    "\"iat\":1,\"exp\":2,\"active\":true}");
	oerr_clear(&e);
	CHECK(otoken_rec_decode(j, &rec, &e));
	CHECK(rec.kind == OTOKEN_ACCESS && rec.active && !rec.stateless);
	CHECK(rec.grant.sid == NULL && rec.grant.acr == NULL &&
	    rec.grant.session == NULL && rec.grant.has == 0 &&
	    rec.access_id == NULL && rec.used_at == 0);
	back = otoken_rec_json(&rec);
	b = json_dumps(back, JSON_COMPACT);
	CHECK_STR(b, "{\"request_id\":\"r\",\"client_id\":\"c\",\"sub\":"
	    "\"c\",\"scope\":[],\"aud\":[],\"_v\":1,\"kind\":"
	    "\"access_token\",\"iat\":1,\"exp\":2,\"active\":true}");
	free(b);
	json_decref(back);
	otoken_rec_free(&rec);
	json_decref(j);
	/* The PKCE methods a record may name, and no other. */
	CHECK(ogrant_pkce_method("", &m) && m == OGRANT_PKCE_DEFAULT);
	CHECK(ogrant_pkce_method("plain", &m) && m == OGRANT_PKCE_PLAIN);
	CHECK(ogrant_pkce_method("S256", &m) && m == OGRANT_PKCE_S256);
	CHECK(!ogrant_pkce_method("s256", &m) && m == OGRANT_PKCE_S256);
	CHECK(!ogrant_pkce_method(NULL, &m));
}

/* Damage member key of full_rec (set it to v, or delete it when NULL). */
static int
damaged(const char *key, json_t *v, const char *named)
{
	struct otoken_rec	 rec;
	struct oerr		 e;
	json_t			*j = J(full_rec);
	int			 rc;

	if (v != NULL)
		json_object_set_new(j, key, v);
	else
		json_object_del(j, key);
	oerr_clear(&e);
	rc = otoken_rec_decode(j, &rec, &e) == 0 &&
	    e.code == OERR_SERVER_ERROR &&
	    strstr(e.description, named) != NULL &&
	    rec.grant.request_id == NULL && rec.access_id == NULL;
	if (!rc)
		fprintf(stderr, "damaged %s: %s\n", key, e.description);
	otoken_rec_free(&rec);
	json_decref(j);
	return rc;
}

static int
put_raw_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	static const unsigned char	 id[OTOKEN_ID_LEN] = { 0x42 };

	return ostore_put(t, OSTORE_TOKENS, id, OTOKEN_ID_LEN, arg,
	    strlen(arg), 0) == OSTORE_OK;
}

static int
load_bad_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	static const unsigned char	 id[OTOKEN_ID_LEN] = { 0x42 };
	struct otoken_rec		 rec;
	struct oerr			*e = arg;

	oerr_clear(e);
	if (otoken_load(t, id, &rec, e))
		return 0;
	/* Deleted all the same (its entries, if any, dangle). */
	return otoken_delete(t, id);
}

static void
decode_damaged(void)
{
	static const unsigned char	 id[OTOKEN_ID_LEN] = { 0x42 };
	struct otoken_rec		 rec;
	struct ogrant			 g;
	struct oerr			 e;
	json_t				*j;

	CHECK(damaged("kind", json_string("id_token"), "'kind'"));
	CHECK(damaged("kind", json_integer(1), "'kind'"));
	CHECK(damaged("kind", NULL, "'kind'"));
	CHECK(damaged("_v", json_integer(2), "'_v'"));
	CHECK(damaged("_v", NULL, "'_v'"));
	CHECK(damaged("exp", json_string("soon"), "'exp'"));
	CHECK(damaged("exp", json_integer(-1), "'exp'"));
	CHECK(damaged("iat", NULL, "'iat'"));
	CHECK(damaged("active", json_integer(1), "'active'"));
	CHECK(damaged("stateless", json_string("yes"), "'stateless'"));
	CHECK(damaged("used_at", json_string("x"), "'used_at'"));
	CHECK(damaged("token_exp", json_true(), "'token_exp'"));
	CHECK(damaged("access_id", json_integer(7), "'access_id'"));
	CHECK(damaged("request_id", NULL, "'request_id'"));
	CHECK(damaged("client_id", json_null(), "'client_id'"));
	CHECK(damaged("sub", json_integer(3), "'sub'"));
	CHECK(damaged("sid", json_array(), "'sid'"));
	CHECK(damaged("scope", json_string("openid"), "'scope'"));
	CHECK(damaged("aud", json_pack("[i]", 1), "'aud'"));
	CHECK(damaged("auth_time", json_string("now"), "'auth_time'"));
	CHECK(damaged("acr", json_integer(0), "'acr'"));
	CHECK(damaged("amr", json_pack("[s,i]", "pwd", 2), "'amr'"));
	CHECK(damaged("requested_at", json_real(1.5), "'requested_at'"));
	CHECK(damaged("session", json_string("x"), "'session'"));
	CHECK(damaged("nonce", json_integer(1), "'nonce'"));
	CHECK(damaged("redirect_uri", json_false(), "'redirect_uri'"));
	CHECK(damaged("code_challenge", json_integer(1),
	    "'code_challenge'"));
	CHECK(damaged("code_challenge_method", json_integer(1),
	    "'code_challenge_method'"));
	CHECK(damaged("code_challenge_method", json_string("S512"),
	    "'code_challenge_method'"));
	/* Not an object at all. */
	j = J("[1]");
	oerr_clear(&e);
	CHECK(!otoken_rec_decode(j, &rec, &e) && e.code ==
	    OERR_SERVER_ERROR);
	oerr_clear(&e);
	CHECK(!ogrant_decode(j, &g, &e) && e.code == OERR_SERVER_ERROR);
	json_decref(j);
	j = J("{\"client_id\":\"c\",\"sub\":\"s\"}");
	oerr_clear(&e);
	CHECK(!ogrant_decode(j, &g, &e) && strstr(e.description,
	    "'request_id'") != NULL && g.client_id == NULL);
	json_decref(j);
	/* Stored damaged: a 500 from otoken_load(), never a crash. */
	CHECK(twrite(put_raw_fn, "{\"_v\":1,\"kind\":\"grant\"}"));
	CHECK(twrite(load_bad_fn, &e));
	CHECK(e.code == OERR_SERVER_ERROR && strstr(e.description,
	    "'kind'") != NULL);
	CHECK(tpresent(OSTORE_TOKENS, id, OTOKEN_ID_LEN) == 0);
	CHECK(twrite(put_raw_fn, "not json"));
	CHECK(twrite(load_bad_fn, &e));
	CHECK(e.code == OERR_SERVER_ERROR);
	CHECK(tpresent(OSTORE_TOKENS, id, OTOKEN_ID_LEN) == 0);
	/* What is not there: a 404. */
	CHECK(twrite(load_bad_fn, &e) && e.code == OERR_NOT_FOUND);
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(mint_check),
		T(tampered),
		T(secret_rotation),
		T(code_store_delete),
		T(store_refused),
		T(tombstone),
		T(issue_shape),
		T(issue_scopes),
		T(lifespans),
		T(id_token_claims),
		T(hashes),
		T(jwt_access),
		T(revoke_chains),
		T(flush),
		T(flush_codes),
		T(tombstone_chain),
		T(record_bytes),
		T(decode_fields),
		T(decode_damaged),
	};
	struct tfix_store	 st;
	int			 rc;

	conf.issuer = issuer;
	conf.ttl_access_token = 3600;
	conf.ttl_refresh_token = 720 * 3600;
	conf.ttl_id_token = 3600;
	conf.ttl_auth_code = 600;
	conf.access_token_strategy = OCONF_TOKEN_OPAQUE;
	secrets(secret_a, NULL);
	oconf = &conf;

	if (!tfix_store_keys(&st, "test_tokens"))
		return 1;
	rc = t_run(tests, NTESTS);
	if (!tfix_store_close(&st))
		rc = 1;
	return rc;
}
