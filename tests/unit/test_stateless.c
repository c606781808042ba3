/*
 * test_stateless.c: unit tests of lib/records/tokens_stateless.c, the access tokens
 * that are not stored (see "STATELESS ACCESS TOKENS" in tokens.h and
 * schema/store.md): opaque client_credentials tokens naming a shared
 * grant, JWT ones whose jti carries a MAC, their lookup, revocation
 * (a tombstone), voiding by the client's "_epoch" (DELETE
 * /oauth2/tokens, client deletion), expiry, and the flush of shared
 * grants, against a real LMDB store in a fresh directory under $TMPDIR
 * with real client records (oclient_create()).
 *
 * Black box: only the API of tokens.h (and otk_access_jwt() of
 * tokens_int.h, to sign JWTs with a chosen jti), the way the token,
 * revocation and introspection endpoints call it.  The layout of an
 * opaque token and of a shared grant is decoded here independently, as
 * schema/store.md documents it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/keys.h"
#include "records/lifecycle.h"
#include "records/tokens.h"
#include "records/tokens_int.h"
#include "t.h"
#include "tfix.h"

#define GID_LEN		16	/* bytes of a shared grant's id */
#define TOK_LEN		(7 + 43 + 1 + 43)

static char		 secret_a[] = "stateless-secret-aaaaaaaaaaaaaaa";
static char		 secret_b[] = "stateless-secret-bbbbbbbbbbbbbbb";
static char		 issuer[] = "https://op.example/";
static struct oconf	 conf;

static int64_t
iget(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

/* Use only secret first, or first then second. */
static void
secrets(char *first, char *second)
{
	conf.secrets[0] = first;
	conf.secrets[1] = second;
	conf.nsecrets = second != NULL ? 2 : 1;
}

/*
 * The value stored under key in db, as a new string (NUL added), or
 * NULL when there is none.
 */
static char *
stored_value(enum ostore_db db, const void *key, size_t keylen)
{
	struct ostore_txn	*t;
	const void		*v;
	size_t			 vl;
	char			*out = NULL;

	if ((t = ostore_read_begin(NULL)) == NULL)
		return NULL;
	if (ostore_get(t, db, key, keylen, &v, &vl) == OSTORE_OK) {
		out = oxmalloc(vl + 1);
		memcpy(out, v, vl);
		out[vl] = '\0';
	}
	ostore_read_end(t);
	return out;
}

/* 1 if key (of keylen bytes) is in db, 0 if not. */
static int
present(enum ostore_db db, const void *key, size_t keylen)
{
	char	*v = stored_value(db, key, keylen);

	free(v);
	return v != NULL;
}

/* The expiry entry key of a record of OSTORE_TOKENS. */
static size_t
ekey(int64_t exp, const unsigned char *id, size_t idlen, unsigned char *buf)
{
	int	 i;

	for (i = 7; i >= 0; i--) {
		buf[i] = (unsigned char)(exp & 0xff);
		exp >>= 8;
	}
	buf[8] = (unsigned char)OSTORE_TOKENS;
	memcpy(buf + 9, id, idlen);
	return 9 + idlen;
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

static int
count_16(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	if (kl == GID_LEN)
		(*(size_t *)arg)++;
	return 1;
}

/* How many shared grants (16-byte keys) the tokens database holds. */
static size_t
ngrants(void)
{
	struct ostore_txn	*t;
	size_t			 n = 0;

	if ((t = ostore_read_begin(NULL)) == NULL)
		return (size_t)-1;
	if (ostore_scan(t, OSTORE_TOKENS, NULL, 0, NULL, 0, count_16, &n) !=
	    OSTORE_OK)
		n = (size_t)-1;
	ostore_read_end(t);
	return n;
}

/* The shared grant gid as stored (parsed), or NULL. */
static json_t *
grant_rec(const unsigned char gid[GID_LEN])
{
	char	*v;
	json_t	*g;

	if ((v = stored_value(OSTORE_TOKENS, gid, GID_LEN)) == NULL)
		return NULL;
	g = J(v);
	free(v);
	return g;
}

/* --- clients ------------------------------------------------------ */

/*
 * Create a client_credentials client cid with access_token_strategy
 * strategy ("", "opaque" or "jwt") and, when not NULL, the Go duration
 * lifespan as its client_credentials access token lifespan.
 */
static int
mkclient(const char *cid, const char *strategy, const char *lifespan)
{
	char		 secret[OCLIENT_SECRET_MAX + 1] = "";
	struct oerr	 err;
	json_t		*in, *rec;

	in = json_pack("{s:s,s:[s],s:[],s:s,s:[s,s],s:s}", "client_id", cid,
	    "grant_types", "client_credentials", "response_types",
	    "scope", "read write admin", "audience", "https://api.a/",
	    "https://api.b/", "access_token_strategy", strategy);
	if (in == NULL)
		abort();
	if (lifespan != NULL)
		json_object_set_new(in,
		    "client_credentials_grant_access_token_lifespan",
		    json_string(lifespan));
	oerr_clear(&err);
	rec = oclient_create(in, 0, secret, &err);
	json_decref(in);
	if (rec == NULL) {
		fprintf(stderr, "oclient_create %s: %s\n", cid,
		    err.description);
		return 0;
	}
	json_decref(rec);
	return 1;
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

/* The stored record of client cid (a private copy), or NULL. */
static json_t *
getclient(const char *cid)
{
	struct oerr	 err;

	oerr_clear(&err);
	return oclient_get(cid, &err);
}

/* The client's "_epoch" into buf ("" when the client is gone). */
static void
epoch_of(const char *cid, char *buf, size_t sz)
{
	json_t	*c = getclient(cid);

	snprintf(buf, sz, "%s", c != NULL && sget(c, "_epoch") != NULL ?
	    sget(c, "_epoch") : "");
	json_decref(c);
}

/* --- issuing ------------------------------------------------------ */

/*
 * A client_credentials grant as the token endpoint builds it
 * (cc_prepare()): sub is the client, empty session claims.
 */
static json_t *
ccgrant(const char *cid, const char *scope, const char *aud)
{
	char	 rid[37];
	json_t	*g;

	ocrypto_uuid4(rid);
	g = json_pack("{s:s,s:s,s:s,s:o,s:o,s:I,s:{s:{},s:{}}}",
	    "request_id", rid, "client_id", cid, "sub", cid,
	    "scope", J(scope), "aud", J(aud), "requested_at",
	    (json_int_t)onow(), "session", "id_token", "access_token");
	if (g == NULL)
		abort();
	return g;
}

struct issue_op {
	const char	*cid;		/* loaded in the transaction */
	const json_t	*client;	/* or this one, when given */
	const json_t	*grant;
	int		 writable;
	enum ogrant_rc	 rc;
	json_t		*resp;
	struct oerr	 err;
};

/* ogrant_issue_stateless() in transaction t, as op says. */
static void
issue_in(struct ostore_txn *t, struct issue_op *op)
{
	const struct oclient *c;
	struct ogrant	 g;
	struct oerr	 e;

	json_decref(op->resp);
	op->resp = NULL;
	oerr_clear(&op->err);
	if (op->client != NULL)
		c = decoded(op->client);
	else {
		oerr_clear(&e);
		if ((c = oclient_find(t, op->cid, &e)) == NULL) {
			op->rc = OGRANT_ERR;
			memcpy(&op->err, &e, sizeof(e));
			return;
		}
	}
	if (ogrant_decode(op->grant, &g, &op->err)) {
		op->rc = ogrant_issue_stateless(t, op->writable, &g, c,
		    "client_credentials", &op->resp, &op->err);
		ogrant_free(&g);
	} else
		op->rc = OGRANT_ERR;
	oclient_release(c);
}

static int
issue_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct issue_op	*op = arg;

	issue_in(t, op);
	if (op->rc == OGRANT_ERR)
		memcpy(err, &op->err, sizeof(op->err));
	return op->rc != OGRANT_ERR;
}

/*
 * One call of ogrant_issue_stateless() for grant g to client cid (or
 * client c when not NULL), in a read transaction (writable 0) or a
 * write one (1).  Keys are prepared first, as the token endpoint does
 * for a JWT client.  Returns its rc; *resp the response (new) or NULL.
 */
static enum ogrant_rc
issue_once(int writable, const char *cid, const json_t *c, const json_t *g,
    json_t **resp)
{
	struct issue_op		 op;
	struct ostore_txn	*t;
	struct oerr		 err;

	memset(&op, 0, sizeof(op));
	op.cid = cid;
	op.client = c;
	op.grant = g;
	op.writable = writable;
	op.rc = OGRANT_ERR;
	*resp = NULL;
	oerr_clear(&err);
	if (!ogrant_prepare(&err)) {
		fprintf(stderr, "ogrant_prepare: %s\n", err.description);
		return OGRANT_ERR;
	}
	if (!writable) {
		if ((t = ostore_read_begin(NULL)) == NULL)
			return OGRANT_ERR;
		issue_in(t, &op);
		ostore_read_end(t);
	} else if (!ostore_write(issue_fn, &op, &err))
		op.rc = OGRANT_ERR;
	*resp = op.resp;
	return op.rc;
}

/*
 * Issue as POST /oauth2/token does: in a read transaction, and again in
 * a write one when it asks for that.  Returns the response or NULL.
 */
static json_t *
issue_resp(const char *cid, const json_t *c, const char *scope,
    const char *aud)
{
	json_t		*g = ccgrant(cid, scope, aud), *resp;
	enum ogrant_rc	 rc;

	if ((rc = issue_once(0, cid, c, g, &resp)) == OGRANT_WRITE)
		rc = issue_once(1, cid, c, g, &resp);
	json_decref(g);
	if (rc != OGRANT_OK) {
		fprintf(stderr, "issue %s: rc %d\n", cid, (int)rc);
		json_decref(resp);
		return NULL;
	}
	return resp;
}

/* The access token of issue_resp(), as a new string, or NULL. */
static char *
issue(const char *cid, const char *scope, const char *aud)
{
	json_t	*r = issue_resp(cid, NULL, scope, aud);
	char	*tok = NULL;

	if (r != NULL && sget(r, "access_token") != NULL)
		tok = oxstrdup(sget(r, "access_token"));
	json_decref(r);
	return tok;
}

/* The same, as a JWT whatever strategies.access_token says. */
static char *
issue_jwt(const char *cid, const char *scope, const char *aud)
{
	enum oconf_token_strategy	 s = conf.access_token_strategy;
	char				*tok;

	conf.access_token_strategy = OCONF_TOKEN_JWT;
	tok = issue(cid, scope, aud);
	conf.access_token_strategy = s;
	return tok;
}

/* --- decoding ----------------------------------------------------- */

/* What the 32 bytes of an opaque stateless token hold (schema/store.md). */
struct raw {
	unsigned char	 gid[GID_LEN];
	int64_t		 iat, ttl;
	unsigned char	 id[OTOKEN_ID_LEN];	/* SHA-256 of its MAC */
};

/* Decode tok into r.  Returns 1, or 0 when it has not that shape. */
static int
decode(const char *tok, struct raw *r)
{
	unsigned char	 b[40], sig[40];
	size_t		 n, m, i;

	memset(r, 0, sizeof(*r));
	if (tok == NULL || strlen(tok) != TOK_LEN || tok[50] != '.' ||
	    !ocrypto_b64url_decode(b, sizeof(b), &n, tok + 7, 43) ||
	    n != 32 || !ocrypto_b64url_decode(sig, sizeof(sig), &m,
	    tok + 51, 43) || m != 32)
		return 0;
	memcpy(r->gid, b, GID_LEN);
	for (i = 0; i < 5; i++)
		r->iat = r->iat << 8 | b[GID_LEN + i];
	for (i = 0; i < 4; i++)
		r->ttl = r->ttl << 8 | b[GID_LEN + 5 + i];
	ocrypto_sha256(sig, 32, r->id);
	return 1;
}

/*
 * The id of the shared grant of (cid, its current epoch, scope, aud):
 * the first 16 bytes of SHA-256 over them, NUL-separated, aud as
 * compact JSON (schema/store.md).
 */
static void
want_gid(const char *cid, const char *scope, const char *aud,
    unsigned char gid[GID_LEN])
{
	unsigned char	 h[OCRYPTO_SHA256_LEN];
	char		 epoch[64], *a, *buf;
	json_t		*av = J(aud);
	size_t		 n;

	epoch_of(cid, epoch, sizeof(epoch));
	if ((a = json_dumps(av, JSON_COMPACT)) == NULL)
		abort();
	n = strlen(cid) + 1 + strlen(epoch) + 1 + strlen(scope) + 1 +
	    strlen(a);
	buf = oxmalloc(n);
	memcpy(buf, cid, strlen(cid) + 1);
	memcpy(buf + strlen(cid) + 1, epoch, strlen(epoch) + 1);
	memcpy(buf + strlen(cid) + 1 + strlen(epoch) + 1, scope,
	    strlen(scope) + 1);
	memcpy(buf + n - strlen(a), a, strlen(a));
	ocrypto_sha256(buf, n, h);
	memcpy(gid, h, GID_LEN);
	free(buf);
	free(a);
	json_decref(av);
}

/* Lowercase hex of a store id. */
static void
hex(const unsigned char id[OTOKEN_ID_LEN], char out[2 * OTOKEN_ID_LEN + 1])
{
	size_t	 i;

	for (i = 0; i < OTOKEN_ID_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", id[i]);
}

/* The verified claims of a JWT access token, or NULL. */
static json_t *
claims_of(const char *jwt)
{
	const struct ojwks	*keys;
	struct ojws		*jws;
	struct oerr		 err;
	json_t			*c;

	oerr_clear(&err);
	if ((keys = okeys_verifiers(OKEYS_ACCESS_TOKEN, &err)) == NULL ||
	    (jws = ojws_verify(jwt, strlen(jwt), keys->keys, keys->nkeys,
	    NULL, &err)) == NULL) {
		fprintf(stderr, "verify: %s\n", err.description);
		return NULL;
	}
	c = ojwt_claims(jws, &err);
	ojws_free(jws);
	return c;
}

/* The store id of a JWT access token: SHA-256 of its signature segment. */
static void
jwt_store_id(const char *jwt, unsigned char id[OTOKEN_ID_LEN])
{
	const char	*sig = strrchr(jwt, '.');

	sig = sig != NULL ? sig + 1 : jwt;
	ocrypto_sha256(sig, strlen(sig), id);
}

/*
 * A JWT access token signed here for client cid with jti jti (a grant
 * as the token endpoint builds it), as ogrant_issue_stateless() would
 * make one: only its jti is chosen.  A new string (free()) or NULL.
 */
static char *
forge_jwt(const char *cid, const char *jti)
{
	struct oerr	 err;
	json_t		*g = ccgrant(cid, "[\"read\"]", "[]");
	struct ogrant	 gs;
	char		*jwt = NULL, *out = NULL;
	int64_t		 now = onow();

	oerr_clear(&err);
	memset(&gs, 0, sizeof(gs));
	if (!ogrant_prepare(&err) || !ogrant_decode(g, &gs, &err) ||
	    (jwt = otk_access_jwt(&gs, now, now + 600, jti, &err)) == NULL)
		fprintf(stderr, "forge_jwt: %s\n", err.description);
	else {
		out = oxstrdup(jwt);
		ojose_free(jwt);
	}
	ogrant_free(&gs);
	json_decref(g);
	return out;
}

/* --- lookup and revocation ---------------------------------------- */

/*
 * otoken_lookup() of tok under a given id, skipping identification:
 * the record as the JSON it is stored as (otoken_rec_json()), or NULL.
 */
static json_t *
lookup_id(const char *tok, const unsigned char id[OTOKEN_ID_LEN])
{
	struct ostore_txn	*t;
	struct otoken_rec	 rec;
	struct oerr		 e;
	json_t			*j = NULL;

	if ((t = ostore_read_begin(NULL)) == NULL)
		return NULL;
	oerr_clear(&e);
	if (otoken_lookup(t, tok, id, &rec, &e))
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
 * Look tok up as introspection does: otoken_identify(), then
 * otoken_lookup() in a read transaction.  The record (new) or NULL;
 * *known whether it was identified at all.
 */
static json_t *
lookup(const char *tok, int *known)
{
	enum otoken_kind	 kind;
	unsigned char		 id[OTOKEN_ID_LEN];

	if (known != NULL)
		*known = 0;
	if (!otoken_identify(tok, &kind, id))
		return NULL;
	if (known != NULL)
		*known = kind == OTOKEN_ACCESS ? 1 : 2;
	return lookup_id(tok, id);
}


/* 1 if tok is an active access token now, as introspection says. */
static int
active(const char *tok)
{
	json_t	*rec = lookup(tok, NULL);
	int	 rc = jlive(rec, OTOKEN_ACCESS, onow());

	json_decref(rec);
	return rc;
}

struct revoke_op {
	const char	*tok;
	unsigned char	 id[OTOKEN_ID_LEN];
	int		 found;
};

/* The write transaction of POST /oauth2/revoke (client check aside). */
static int
revoke_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct revoke_op	*op = arg;
	struct otoken_rec	 rec;
	struct oerr		 e;
	int			 rc;

	oerr_clear(&e);
	if (!otoken_lookup(t, op->tok, op->id, &rec, &e)) {
		op->found = 0;
		return 1;
	}
	op->found = 1;
	rc = otoken_revoke(t, &rec);
	otoken_rec_free(&rec);
	if (!rc)
		oerr_set(err, OERR_SERVER_ERROR, "otoken_revoke");
	return rc;
}

/* Revoke tok.  Returns 1 when it was found and revoked. */
static int
revoke_tok(const char *tok)
{
	struct revoke_op	 op;
	enum otoken_kind	 kind;

	memset(&op, 0, sizeof(op));
	op.tok = tok;
	if (!otoken_identify(tok, &kind, op.id))
		return 0;
	return twrite(revoke_fn, &op) && op.found;
}

/*
 * DELETE /oauth2/tokens?client_id= (revoke_client_fn() of
 * lib/protocol/grants.c): the client's stored tokens, and a new
 * epoch.
 */
static int
void_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct oerr	 e;

	oerr_clear(&e);
	if (!otoken_revoke_client(t, arg) ||
	    (!oclient_void_tokens(t, arg, &e) && e.code != OERR_NOT_FOUND)) {
		oerr_set(err, OERR_SERVER_ERROR, "void_fn");
		return 0;
	}
	return 1;
}

struct flush_op {
	int64_t	 not_after;
	size_t	 n;
};

static int
flush_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct flush_op	*op = arg;

	if (!olife_flush(t, op->not_after, 0, &op->n)) {
		oerr_set(err, OERR_SERVER_ERROR, "olife_flush");
		return 0;
	}
	return 1;
}

/* olife_flush() of everything that expired before not_after. */
static long
flush(int64_t not_after)
{
	struct flush_op	 op;

	op.not_after = not_after;
	op.n = -1;
	if (!twrite(flush_fn, &op))
		return -1;
	return op.n;
}

/* --- opaque tokens and their shared grant -------------------------- */

static void
opaque_shape(void)
{
	const char	*aud = "[\"https://api.a/\",\"https://api.b/\"]";
	unsigned char	 gid[GID_LEN], id[OTOKEN_ID_LEN], k[64];
	char		 epoch[64], h[2 * OTOKEN_ID_LEN + 1], want[512], *v;
	json_t		*g = NULL, *r = NULL, *rec = NULL, *gr = NULL, *c;
	struct raw	 raw;
	enum otoken_kind kind;
	const char	*tok;
	int64_t		 before, after;
	size_t		 n0;
	int		 known;

	secrets(secret_a, NULL);
	if (!mkclient("cc-shape", "opaque", NULL)) {
		CHECK(0);
		return;
	}
	n0 = ngrants();
	g = ccgrant("cc-shape", "[\"read\",\"write\"]", aud);
	/* A read transaction without the shared grant: nothing issued. */
	CHECK(issue_once(0, "cc-shape", NULL, g, &r) == OGRANT_WRITE);
	CHECK(r == NULL);
	CHECK(ngrants() == n0);
	/* A write transaction stores it. */
	before = onow();
	CHECK(issue_once(1, "cc-shape", NULL, g, &r) == OGRANT_OK);
	after = onow();
	if (r == NULL || (tok = sget(r, "access_token")) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(ngrants() == n0 + 1);
	/* RFC 6749 §5.1. */
	CHECK_STR(sget(r, "token_type"), "bearer");
	CHECK(iget(r, "expires_in") == 3600);
	CHECK_STR(sget(r, "scope"), "read write");
	CHECK(json_object_get(r, "refresh_token") == NULL);
	CHECK(json_object_get(r, "id_token") == NULL);
	/* The shape of any opaque access token... */
	CHECK(strlen(tok) == TOK_LEN);
	CHECK(strncmp(tok, "ory_at_", 7) == 0);
	CHECK(decode(tok, &raw));
	/* ...holding its shared grant's id, iat and lifetime. */
	want_gid("cc-shape", "read write", aud, gid);
	CHECK(memcmp(raw.gid, gid, GID_LEN) == 0);
	CHECK(raw.iat >= before && raw.iat <= after);
	CHECK(raw.ttl == 3600);
	/* Not a stored token, but identified as an access token. */
	CHECK(otoken_check(tok, OTOKEN_ACCESS, id) == 0);
	CHECK(otoken_identify(tok, &kind, id) == 1);
	CHECK(kind == OTOKEN_ACCESS);
	CHECK(memcmp(id, raw.id, OTOKEN_ID_LEN) == 0);
	/* Nothing stored under its own id. */
	CHECK(present(OSTORE_TOKENS, raw.id, OTOKEN_ID_LEN) == 0);
	/* The shared grant. */
	if ((gr = grant_rec(raw.gid)) == NULL) {
		CHECK(0);
		goto out;
	}
	epoch_of("cc-shape", epoch, sizeof(epoch));
	CHECK(epoch[0] != '\0');
	CHECK(iget(gr, "_v") == 1);
	CHECK_STR(sget(gr, "kind"), "grant");
	CHECK_STR(sget(gr, "client_id"), "cc-shape");
	CHECK_STR(sget(gr, "epoch"), epoch);
	c = J("[\"read\",\"write\"]");
	CHECK(json_equal(json_object_get(gr, "scope"), c));
	json_decref(c);
	c = J(aud);
	CHECK(json_equal(json_object_get(gr, "aud"), c));
	json_decref(c);
	CHECK(iget(gr, "at") == raw.iat);
	/* Half a token lifetime past the token, with its expiry entry. */
	CHECK(iget(gr, "exp") == raw.iat + 3600 + 1800);
	/* Its bytes: the members in the order earlier versions wrote. */
	if ((v = stored_value(OSTORE_TOKENS, raw.gid, GID_LEN)) != NULL) {
		snprintf(want, sizeof(want), "{\"_v\":1,\"kind\":\"grant\","
		    "\"client_id\":\"cc-shape\",\"scope\":[\"read\","
		    "\"write\"],\"aud\":%s,\"epoch\":\"%s\",\"at\":%lld,"
		    "\"exp\":%lld}", aud, epoch, (long long)raw.iat,
		    (long long)(raw.iat + 3600 + 1800));
		CHECK_STR(v, want);
		free(v);
	} else
		CHECK(0);
	CHECK(present(OSTORE_EXPIRY, k, ekey(iget(gr, "exp"), raw.gid,
	    GID_LEN, k)) == 1);
	/* Its record, as a stored client_credentials token's. */
	if ((rec = lookup(tok, &known)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(known == 1);
	CHECK(jlive(rec, OTOKEN_ACCESS, onow()));
	CHECK(!jlive(rec, OTOKEN_REFRESH, onow()));
	CHECK(json_is_true(json_object_get(rec, "active")));
	CHECK(json_is_true(json_object_get(rec, "stateless")));
	CHECK_STR(sget(rec, "kind"), "access_token");
	CHECK_STR(sget(rec, "client_id"), "cc-shape");
	CHECK_STR(sget(rec, "sub"), "cc-shape");
	hex(raw.id, h);
	CHECK_STR(sget(rec, "request_id"), h);
	c = J("[\"read\",\"write\"]");
	CHECK(json_equal(json_object_get(rec, "scope"), c));
	json_decref(c);
	c = J(aud);
	CHECK(json_equal(json_object_get(rec, "aud"), c));
	json_decref(c);
	CHECK(iget(rec, "iat") == raw.iat);
	CHECK(iget(rec, "exp") == raw.iat + 3600);
	CHECK(iget(rec, "_v") == 1);
	CHECK(json_object_size(json_object_get(json_object_get(rec,
	    "session"), "access_token")) == 0);
out:
	json_decref(g);
	json_decref(r);
	json_decref(rec);
	json_decref(gr);
}

static void
shared_grant(void)
{
	const char	*aud = "[\"https://api.a/\"]";
	char		*t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;
	char		*t5 = NULL, *t6 = NULL, *v1 = NULL, *v2 = NULL;
	struct raw	 r1, r2, r3, r4, r5, r6;
	unsigned char	 gid[GID_LEN];
	size_t		 n0;

	secrets(secret_a, NULL);
	if (!mkclient("cc-share", "", NULL) ||
	    !mkclient("cc-share2", "", NULL)) {
		CHECK(0);
		return;
	}
	n0 = ngrants();
	t1 = issue("cc-share", "[\"read\"]", aud);
	CHECK(ngrants() == n0 + 1);
	if (!decode(t1, &r1)) {
		CHECK(0);
		goto out;
	}
	v1 = stored_value(OSTORE_TOKENS, r1.gid, GID_LEN);
	CHECK(v1 != NULL);
	/*
	 * The same client, scope and audience: the same grant, unwritten
	 * (a read transaction is enough).
	 */
	{
		json_t	*g = ccgrant("cc-share", "[\"read\"]", aud), *r;

		CHECK(issue_once(0, "cc-share", NULL, g, &r) == OGRANT_OK);
		if (r != NULL && sget(r, "access_token") != NULL)
			t2 = oxstrdup(sget(r, "access_token"));
		json_decref(r);
		json_decref(g);
	}
	CHECK(ngrants() == n0 + 1);
	CHECK(decode(t2, &r2));
	CHECK(memcmp(r1.gid, r2.gid, GID_LEN) == 0);
	v2 = stored_value(OSTORE_TOKENS, r1.gid, GID_LEN);
	CHECK(v1 != NULL && v2 != NULL && strcmp(v1, v2) == 0);
	/* Yet another token, with another id. */
	CHECK(t1 != NULL && t2 != NULL && strcmp(t1, t2) != 0);
	CHECK(memcmp(r1.id, r2.id, OTOKEN_ID_LEN) != 0);
	/* Another scope, another audience, another client: a grant each. */
	t3 = issue("cc-share", "[\"read\",\"write\"]", aud);
	CHECK(decode(t3, &r3));
	CHECK(memcmp(r3.gid, r1.gid, GID_LEN) != 0);
	CHECK(ngrants() == n0 + 2);
	t4 = issue("cc-share", "[\"read\"]", "[\"https://api.b/\"]");
	CHECK(decode(t4, &r4));
	CHECK(memcmp(r4.gid, r1.gid, GID_LEN) != 0);
	CHECK(memcmp(r4.gid, r3.gid, GID_LEN) != 0);
	CHECK(ngrants() == n0 + 3);
	t5 = issue("cc-share2", "[\"read\"]", aud);
	CHECK(decode(t5, &r5));
	CHECK(memcmp(r5.gid, r1.gid, GID_LEN) != 0);
	CHECK(ngrants() == n0 + 4);
	want_gid("cc-share2", "read", aud, gid);
	CHECK(memcmp(r5.gid, gid, GID_LEN) == 0);
	/* The empty scope and audience are a grant too. */
	t6 = issue("cc-share", "[]", "[]");
	CHECK(decode(t6, &r6));
	want_gid("cc-share", "", "[]", gid);
	CHECK(memcmp(r6.gid, gid, GID_LEN) == 0);
	CHECK(ngrants() == n0 + 5);
	/* Every one of them is active, with its own scope and audience. */
	CHECK(active(t1) && active(t2) && active(t3) && active(t4) &&
	    active(t5) && active(t6));
	{
		json_t	*rec = lookup(t4, NULL);

		CHECK_STR(json_string_value(json_array_get(json_object_get(
		    rec, "aud"), 0)), "https://api.b/");
		CHECK(json_array_size(json_object_get(rec, "scope")) == 1);
		json_decref(rec);
		rec = lookup(t5, NULL);
		CHECK_STR(sget(rec, "client_id"), "cc-share2");
		json_decref(rec);
	}
out:
	free(t1);
	free(t2);
	free(t3);
	free(t4);
	free(t5);
	free(t6);
	free(v1);
	free(v2);
}

static void
not_stateless(void)
{
	json_t		*c = NULL, *g = NULL, *r = NULL;
	struct oclient	*dc;
	struct ogrant	 gs;
	struct oerr	 err;
	size_t		 n0;

	secrets(secret_a, NULL);
	if (!mkclient("cc-store", "opaque", NULL) ||
	    (c = getclient("cc-store")) == NULL) {
		CHECK(0);
		return;
	}
	n0 = ngrants();
	/* A subject other than the client. */
	g = ccgrant("cc-store", "[\"read\"]", "[]");
	json_object_set_new(g, "sub", json_string("alice"));
	CHECK(issue_once(0, "cc-store", NULL, g, &r) == OGRANT_STORE);
	CHECK(r == NULL);
	CHECK(issue_once(1, "cc-store", NULL, g, &r) == OGRANT_STORE);
	CHECK(r == NULL);
	json_decref(g);
	/* A grant of another client than the one authenticated. */
	g = ccgrant("cc-shape", "[\"read\"]", "[]");
	CHECK(issue_once(1, "cc-store", NULL, g, &r) == OGRANT_STORE);
	json_decref(g);
	/* Session claims (access token or ID token). */
	g = ccgrant("cc-store", "[\"read\"]", "[]");
	json_object_set_new(json_object_get(json_object_get(g, "session"),
	    "access_token"), "tier", json_string("gold"));
	CHECK(issue_once(1, "cc-store", NULL, g, &r) == OGRANT_STORE);
	json_decref(g);
	g = ccgrant("cc-store", "[\"read\"]", "[]");
	json_object_set_new(json_object_get(json_object_get(g, "session"),
	    "id_token"), "email", json_string("a@example.com"));
	CHECK(issue_once(1, "cc-store", NULL, g, &r) == OGRANT_STORE);
	json_decref(g);
	g = ccgrant("cc-store", "[\"read\"]", "[]");
	/* A session that is no object: no grant at all (ogrant_decode()). */
	json_object_set_new(g, "session", json_string("x"));
	CHECK(issue_once(1, "cc-store", NULL, g, &r) == OGRANT_ERR);
	json_decref(g);
	/* A lifetime beyond 2^32 seconds. */
	g = ccgrant("cc-store", "[\"read\"]", "[]");
	json_object_set_new(c, "client_credentials_grant_access_token_lifespan",
	    json_integer(5000000000LL));
	CHECK(issue_once(1, NULL, c, g, &r) == OGRANT_STORE);
	CHECK(r == NULL);
	/* Just below: stateless. */
	json_object_set_new(c, "client_credentials_grant_access_token_lifespan",
	    json_integer(4000000000LL));
	CHECK(issue_once(1, NULL, c, g, &r) == OGRANT_OK);
	CHECK(r != NULL && iget(r, "expires_in") == 4000000000LL);
	json_decref(r);
	r = NULL;
	CHECK(ngrants() == n0 + 1);
	json_decref(g);
	/* Without request_id: an error, nothing written. */
	g = J("{\"client_id\":\"cc-store\",\"sub\":\"cc-store\"}");
	CHECK(issue_once(1, "cc-store", NULL, g, &r) == OGRANT_ERR);
	CHECK(r == NULL);
	CHECK(ngrants() == n0 + 1);
	/* Without a configuration: an error. */
	oconf = NULL;
	oerr_clear(&err);
	dc = decoded(c);
	memset(&gs, 0, sizeof(gs));
	CHECK(ogrant_issue_stateless(NULL, 0, &gs, dc, "client_credentials",
	    &r, &err) == OGRANT_ERR);
	oclient_release(dc);
	CHECK(err.code == OERR_SERVER_ERROR && r == NULL);
	oconf = &conf;
	json_decref(g);
	json_decref(c);
}

/* --- tampering ---------------------------------------------------- */

static void
tampered(void)
{
	char		*tok, bad[TOK_LEN + 8], *stored = NULL;
	unsigned char	 id[OTOKEN_ID_LEN], sid[OTOKEN_ID_LEN];
	enum otoken_kind kind;
	struct raw	 raw;
	json_t		*rec;
	size_t		 i;
	int		 known;

	secrets(secret_a, NULL);
	if (!mkclient("cc-tamper", "", NULL) ||
	    (tok = issue("cc-tamper", "[\"read\"]", "[]")) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(active(tok));
	CHECK(otoken_identify(tok, &kind, id) == 1);
	/*
	 * Every character changed: the grant id, iat, lifetime and random
	 * bytes (7..49), the dot, the MAC (51..).  Not identified, and
	 * not looked up even under the true token's id.
	 */
	for (i = 0; i < TOK_LEN; i++) {
		snprintf(bad, sizeof(bad), "%s", tok);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		if (otoken_identify(bad, &kind, sid)) {
			fprintf(stderr, "tampered at %zu identified\n", i);
			CHECK(0);
		}
		if ((rec = lookup_id(bad, id)) != NULL) {
			fprintf(stderr, "tampered at %zu looked up\n", i);
			CHECK(0);
			json_decref(rec);
		}
		CHECK(!active(bad));
	}
	/* A longer lifetime in its raw part, re-encoded: the MAC fails. */
	{
		unsigned char	 b[32];
		size_t		 n;
		char		 enc[64];

		CHECK(decode(tok, &raw));
		CHECK(ocrypto_b64url_decode(b, sizeof(b), &n, tok + 7, 43));
		b[GID_LEN + 8] ^= 0x01;
		CHECK(ocrypto_b64url_encode(enc, sizeof(enc), &n, b, 32));
		snprintf(bad, sizeof(bad), "%s", tok);
		memcpy(bad + 7, enc, 43);
		CHECK(strcmp(bad, tok) != 0);
		CHECK(otoken_identify(bad, &kind, sid) == 0);
		CHECK(lookup_id(bad, id) == NULL);
	}
	/* Truncated, longer, empty, NULL. */
	snprintf(bad, sizeof(bad), "%s", tok);
	bad[TOK_LEN - 1] = '\0';
	CHECK(otoken_identify(bad, &kind, sid) == 0);
	CHECK(lookup_id(bad, id) == NULL);
	snprintf(bad, sizeof(bad), "%.50s", tok);
	CHECK(otoken_identify(bad, &kind, sid) == 0);
	CHECK(lookup_id(bad, id) == NULL);
	snprintf(bad, sizeof(bad), "%sA", tok);
	CHECK(otoken_identify(bad, &kind, sid) == 0);
	CHECK(lookup_id(bad, id) == NULL);
	CHECK(otoken_identify("", &kind, sid) == 0);
	CHECK(lookup_id("", id) == NULL);
	CHECK(otoken_identify(NULL, &kind, sid) == 0);
	CHECK(lookup_id(NULL, id) == NULL);
	/* Another kind's prefix (the prefix is under the MAC), or none. */
	snprintf(bad, sizeof(bad), "%s", tok);
	memcpy(bad, "ory_rt_", 7);
	rec = lookup(bad, &known);
	CHECK(rec == NULL && known == 0);
	CHECK(lookup_id(bad, id) == NULL);
	memcpy(bad, "ory_ac_", 7);
	CHECK(otoken_identify(bad, &kind, sid) == 0);
	CHECK(lookup_id(bad, id) == NULL);
	memcpy(bad, "xyz_at_", 7);
	CHECK(otoken_identify(bad, &kind, sid) == 0);
	CHECK(lookup_id(bad, id) == NULL);
	CHECK(otoken_identify(tok + 7, &kind, sid) == 0);
	CHECK(lookup_id(tok + 7, id) == NULL);
	/* A stored token's MAC is no stateless one's, and the other way. */
	stored = oxmalloc(OTOKEN_MAX);
	otoken_mint(OTOKEN_ACCESS, stored, sid);
	CHECK(lookup_id(stored, sid) == NULL);
	CHECK(otoken_check(tok, OTOKEN_ACCESS, sid) == 0);
	/* Under another id than its own, it is not looked up either. */
	memset(sid, 0, sizeof(sid));
	CHECK(lookup_id(tok, sid) == NULL);
	/* Untouched, it still is what it was. */
	CHECK(active(tok));
	free(stored);
	free(tok);
}

static void
secret_rotation(void)
{
	char		*tok, *tok2 = NULL;
	unsigned char	 id[OTOKEN_ID_LEN];
	enum otoken_kind kind;
	json_t		*rec;

	secrets(secret_a, NULL);
	if (!mkclient("cc-rot", "", NULL) ||
	    (tok = issue("cc-rot", "[\"read\"]", "[]")) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(otoken_identify(tok, &kind, id) == 1);
	CHECK(active(tok));
	/* Another secret only: not ours any more, even under its id. */
	secrets(secret_b, NULL);
	CHECK(!active(tok));
	CHECK(otoken_identify(tok, &kind, id) == 0);
	rec = lookup_id(tok, id);
	CHECK(rec == NULL);
	json_decref(rec);
	/* Rotated: b signs, a still verifies. */
	secrets(secret_b, secret_a);
	CHECK(active(tok));
	tok2 = issue("cc-rot", "[\"read\"]", "[]");
	CHECK(tok2 != NULL && active(tok2));
	secrets(secret_a, NULL);
	CHECK(tok2 != NULL && !active(tok2));
	CHECK(active(tok));
	free(tok);
	free(tok2);
}

/* --- revocation --------------------------------------------------- */

static void
revocation(void)
{
	char		*t1, *t2 = NULL, *t3 = NULL, *v1 = NULL, *v2 = NULL;
	char		 h[2 * OTOKEN_ID_LEN + 1];
	unsigned char	 k[600];
	struct raw	 r1, r2;
	json_t		*rec = NULL;
	size_t		 n0;

	secrets(secret_a, NULL);
	if (!mkclient("cc-revoke", "", NULL) ||
	    (t1 = issue("cc-revoke", "[\"read\"]", "[]")) == NULL) {
		CHECK(0);
		return;
	}
	t2 = issue("cc-revoke", "[\"read\"]", "[]");
	n0 = ngrants();
	CHECK(decode(t1, &r1) && decode(t2, &r2));
	CHECK(memcmp(r1.gid, r2.gid, GID_LEN) == 0);
	CHECK(active(t1) && active(t2));
	CHECK(revoke_tok(t1));
	CHECK(!active(t1));
	/* The other token of the same grant stays active. */
	CHECK(active(t2));
	/* A tombstone under its id, indexed, kept until its own exp. */
	if ((rec = lookup(t1, NULL)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(json_is_false(json_object_get(rec, "active")));
	CHECK(json_is_true(json_object_get(rec, "stateless")));
	CHECK_STR(sget(rec, "client_id"), "cc-revoke");
	CHECK(iget(rec, "exp") == r1.iat + 3600);
	CHECK(iget(rec, "used_at") >= r1.iat && iget(rec, "used_at") <=
	    onow());
	hex(r1.id, h);
	CHECK_STR(sget(rec, "request_id"), h);
	CHECK(present(OSTORE_TOKENS, r1.id, OTOKEN_ID_LEN) == 1);
	CHECK(present(OSTORE_TOKENS_BY_CLIENT, k, ikey("cc-revoke", r1.id,
	    k)) == 1);
	CHECK(present(OSTORE_TOKENS_BY_REQUEST, k, ikey(h, r1.id, k)) == 1);
	CHECK(present(OSTORE_EXPIRY, k, ekey(r1.iat + 3600, r1.id,
	    OTOKEN_ID_LEN, k)) == 1);
	CHECK(present(OSTORE_TOKENS, r2.id, OTOKEN_ID_LEN) == 0);
	/* The shared grant is not touched. */
	CHECK(ngrants() == n0);
	CHECK(present(OSTORE_TOKENS, r1.gid, GID_LEN) == 1);
	/* Twice: fine, and the tombstone stays as it was. */
	v1 = stored_value(OSTORE_TOKENS, r1.id, OTOKEN_ID_LEN);
	CHECK(revoke_tok(t1));
	CHECK(!active(t1));
	v2 = stored_value(OSTORE_TOKENS, r1.id, OTOKEN_ID_LEN);
	CHECK(v1 != NULL && v2 != NULL && strcmp(v1, v2) == 0);
	CHECK(active(t2));
	/* A new token of that grant is active. */
	t3 = issue("cc-revoke", "[\"read\"]", "[]");
	CHECK(t3 != NULL && active(t3));
	CHECK(revoke_tok(t2));
	CHECK(!active(t2) && !active(t1));
	CHECK(active(t3));
out:
	json_decref(rec);
	free(t1);
	free(t2);
	free(t3);
	free(v1);
	free(v2);
}

/* --- voiding ------------------------------------------------------ */

static void
voiding(void)
{
	const char	*aud = "[\"https://api.a/\"]";
	char		*o1, *o2 = NULL, *j1 = NULL, *o3 = NULL, *j3 = NULL;
	char		*o4 = NULL, *j4 = NULL, *o5 = NULL, *o6 = NULL;
	char		 e0[64], e1[64];
	struct raw	 r1, r2, r4;
	unsigned char	 gid[GID_LEN];
	json_t		*rec;
	struct oerr	 err;
	size_t		 n;

	secrets(secret_a, NULL);
	if (!mkclient("cc-void", "", NULL) ||
	    !mkclient("cc-keep", "", NULL) ||
	    (o1 = issue("cc-void", "[\"read\"]", aud)) == NULL) {
		CHECK(0);
		return;
	}
	o2 = issue("cc-void", "[\"read\",\"write\"]", aud);
	j1 = issue_jwt("cc-void", "[\"read\"]", aud);
	o3 = issue("cc-keep", "[\"read\"]", aud);
	j3 = issue_jwt("cc-keep", "[\"read\"]", aud);
	CHECK(j1 != NULL && strncmp(j1, "ory_", 4) != 0);
	CHECK(j3 != NULL && strncmp(j3, "ory_", 4) != 0);
	CHECK(active(o1) && active(o2) && active(j1) && active(o3) &&
	    active(j3));
	CHECK(decode(o1, &r1) && decode(o2, &r2));
	/* One revoked first: its tombstone goes with the client's tokens. */
	CHECK(revoke_tok(o2));
	CHECK(present(OSTORE_TOKENS, r2.id, OTOKEN_ID_LEN) == 1);
	epoch_of("cc-void", e0, sizeof(e0));
	CHECK(twrite(void_fn, "cc-void"));
	epoch_of("cc-void", e1, sizeof(e1));
	CHECK(e0[0] != '\0' && e1[0] != '\0' && strcmp(e0, e1) != 0);
	CHECK(present(OSTORE_TOKENS, r2.id, OTOKEN_ID_LEN) == 0);
	/* Every stateless token of the client is void, opaque and JWT. */
	CHECK(!active(o1));
	CHECK(!active(o2));
	CHECK(!active(j1));
	rec = lookup(o1, NULL);
	CHECK(rec != NULL && json_is_false(json_object_get(rec, "active")));
	json_decref(rec);
	/* The other client's are not. */
	CHECK(active(o3));
	CHECK(active(j3));
	/* A new token: a new epoch, so a new shared grant, and active. */
	n = ngrants();
	o4 = issue("cc-void", "[\"read\"]", aud);
	CHECK(ngrants() == n + 1);
	CHECK(decode(o4, &r4));
	CHECK(memcmp(r4.gid, r1.gid, GID_LEN) != 0);
	want_gid("cc-void", "read", aud, gid);
	CHECK(memcmp(r4.gid, gid, GID_LEN) == 0);
	CHECK(active(o4));
	j4 = issue_jwt("cc-void", "[\"read\"]", aud);
	CHECK(j4 != NULL && active(j4));
	CHECK(!active(o1) && !active(j1));
	/* Voiding a client that does not exist is no error. */
	CHECK(twrite(void_fn, "cc-nobody"));
	/* A deleted client voids its tokens by being gone... */
	oerr_clear(&err);
	CHECK(olife_client_delete("cc-keep", &err));
	CHECK(!active(o3));
	CHECK(!active(j3));
	/* ...and so does one created again under its client_id. */
	CHECK(mkclient("cc-keep", "", NULL));
	CHECK(!active(o3));
	CHECK(!active(j3));
	o5 = issue("cc-keep", "[\"read\"]", aud);
	CHECK(o5 != NULL && active(o5));
	/* A client update keeps the epoch and the tokens. */
	o6 = issue("cc-void", "[\"write\"]", aud);
	{
		char	 s[OCLIENT_SECRET_MAX + 1];
		json_t	*in = J("{\"client_name\":\"renamed\","
			    "\"grant_types\":[\"client_credentials\"],"
			    "\"response_types\":[],"
			    "\"scope\":\"read write admin\","
			    "\"audience\":[\"https://api.a/\"]}"), *up;

		oerr_clear(&err);
		up = oclient_update("cc-void", in, OCLIENT_KEEP_SECRET, s,
		    &err);
		CHECK(up != NULL);
		json_decref(up);
		json_decref(in);
	}
	epoch_of("cc-void", e0, sizeof(e0));
	CHECK(strcmp(e0, e1) == 0);
	CHECK(o6 != NULL && active(o6));
	CHECK(active(o4) && active(j4));
	free(o1);
	free(o2);
	free(j1);
	free(o3);
	free(j3);
	free(o4);
	free(j4);
	free(o5);
	free(o6);
}

/* --- expiry ------------------------------------------------------- */

static void
expiry(void)
{
	char		*o, *j = NULL;
	json_t		*ro = NULL, *rj = NULL, *c = NULL, *r;
	struct raw	 raw;
	unsigned char	 jid[OTOKEN_ID_LEN];
	int		 i;

	secrets(secret_a, NULL);
	if (!mkclient("cc-exp", "", "1s") ||
	    (o = issue("cc-exp", "[\"read\"]", "[]")) == NULL) {
		CHECK(0);
		return;
	}
	j = issue_jwt("cc-exp", "[\"read\"]", "[]");
	CHECK(decode(o, &raw));
	CHECK(raw.ttl == 1);
	/* The response says so too. */
	r = issue_resp("cc-exp", NULL, "[\"read\"]", "[]");
	CHECK(r != NULL && iget(r, "expires_in") == 1);
	json_decref(r);
	if ((ro = lookup(o, NULL)) == NULL || (rj = lookup(j, NULL)) ==
	    NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(iget(ro, "exp") == iget(ro, "iat") + 1);
	CHECK(iget(rj, "exp") == iget(rj, "iat") + 1);
	/* Live at its iat, not at its exp (RFC 7662: exp is the end). */
	CHECK(jlive(ro, OTOKEN_ACCESS, iget(ro, "iat")));
	CHECK(!jlive(ro, OTOKEN_ACCESS, iget(ro, "exp")));
	CHECK(jlive(rj, OTOKEN_ACCESS, iget(rj, "iat")));
	CHECK(!jlive(rj, OTOKEN_ACCESS, iget(rj, "exp")));
	/* Wait for it (a second at most). */
	for (i = 0; i < 20 && (onow() < iget(ro, "exp") ||
	    onow() < iget(rj, "exp")); i++)
		usleep(100000);
	CHECK(onow() >= iget(ro, "exp"));
	CHECK(!active(o));
	CHECK(!active(j));
	/* Revoking an expired token writes nothing. */
	CHECK(revoke_tok(o));
	CHECK(present(OSTORE_TOKENS, raw.id, OTOKEN_ID_LEN) == 0);
	CHECK(revoke_tok(j));
	jwt_store_id(j, jid);
	CHECK(present(OSTORE_TOKENS, jid, OTOKEN_ID_LEN) == 0);
	/* A new token is live again. */
	free(o);
	o = issue("cc-exp", "[\"read\"]", "[]");
	CHECK(o != NULL);
	json_decref(ro);
	ro = lookup(o, NULL);
	CHECK(ro != NULL && jlive(ro, OTOKEN_ACCESS,
	    iget(ro, "iat")));
	/* The per-client lifespan overrides ttl.access_token. */
	if ((c = getclient("cc-exp")) == NULL) {
		CHECK(0);
		goto out;
	}
	json_object_set_new(c, "client_credentials_grant_access_token_lifespan",
	    json_null());
	r = issue_resp("cc-exp", c, "[\"read\"]", "[]");
	CHECK(r != NULL && iget(r, "expires_in") == 3600);
	json_decref(r);
out:
	json_decref(c);
	json_decref(ro);
	json_decref(rj);
	free(o);
	free(j);
}

/* --- JWT ---------------------------------------------------------- */

struct stored_op {
	const json_t	*client, *grant;
	json_t		*resp;
};

static int
stored_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct stored_op	*op = arg;
	struct oclient		*c = decoded(op->client);
	struct ogrant		 g;

	json_decref(op->resp);
	op->resp = NULL;
	if (ogrant_decode(op->grant, &g, err))
		op->resp = ogrant_issue(t, &g, c, OISSUE_ACCESS,
		    NULL, "client_credentials", err);
	ogrant_free(&g);
	oclient_release(c);
	return op->resp != NULL;
}

/*
 * A stored access token for grant g to client c (ogrant_issue(), after
 * ogrant_prepare()), as a new string, or NULL.
 */
static char *
stored_token(const json_t *c, const json_t *g)
{
	struct stored_op	 op;
	char			*tok = NULL;

	memset(&op, 0, sizeof(op));
	op.client = c;
	op.grant = g;
	if (twrite(stored_fn, &op) && sget(op.resp, "access_token") != NULL)
		tok = oxstrdup(sget(op.resp, "access_token"));
	json_decref(op.resp);
	return tok;
}

static void
jwt(void)
{
	const char	*aud = "[\"https://api.a/\"]";
	char		*j1 = NULL, *j2 = NULL, *f = NULL, *bad = NULL;
	char		*s = NULL;
	char		 jti[37], forged[37];
	unsigned char	 id[OTOKEN_ID_LEN], want[OTOKEN_ID_LEN];
	enum otoken_kind kind;
	json_t		*c = NULL, *rec = NULL, *r = NULL, *g = NULL;
	size_t		 n0, i;

	secrets(secret_a, NULL);
	if (!mkclient("cc-jwt", "jwt", NULL) ||
	    !mkclient("cc-jwt2", "jwt", NULL)) {
		CHECK(0);
		return;
	}
	n0 = ngrants();
	/* A JWT carries its grant: no write, even in a read transaction. */
	g = ccgrant("cc-jwt", "[\"read\",\"write\"]", aud);
	CHECK(issue_once(0, "cc-jwt", NULL, g, &r) == OGRANT_OK);
	CHECK(ngrants() == n0);
	if (r == NULL || (j1 = (char *)sget(r, "access_token")) == NULL) {
		CHECK(0);
		goto out;
	}
	j1 = oxstrdup(j1);
	CHECK_STR(sget(r, "token_type"), "bearer");
	CHECK(iget(r, "expires_in") == 3600);
	CHECK_STR(sget(r, "scope"), "read write");
	if ((c = claims_of(j1)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK_STR(sget(c, "client_id"), "cc-jwt");
	CHECK_STR(sget(c, "sub"), "cc-jwt");
	CHECK_STR(sget(c, "iss"), issuer);
	CHECK(json_array_size(json_object_get(c, "scp")) == 2);
	CHECK_STR(json_string_value(json_array_get(json_object_get(c, "aud"),
	    0)), "https://api.a/");
	CHECK(iget(c, "exp") - iget(c, "iat") == 3600);
	/* Its jti: a UUID laid out as version 4 (RFC 9562 §5.4). */
	snprintf(jti, sizeof(jti), "%s", sget(c, "jti") ? sget(c, "jti") :
	    "");
	CHECK(strlen(jti) == 36 && jti[8] == '-' && jti[13] == '-' &&
	    jti[18] == '-' && jti[23] == '-');
	CHECK(jti[14] == '4');
	CHECK(strchr("89ab", jti[19]) != NULL && jti[19] != '\0');
	/* Identified by its signature segment; no record stored. */
	CHECK(otoken_identify(j1, &kind, id) == 1 && kind == OTOKEN_ACCESS);
	jwt_store_id(j1, want);
	CHECK(memcmp(id, want, OTOKEN_ID_LEN) == 0);
	CHECK(present(OSTORE_TOKENS, id, OTOKEN_ID_LEN) == 0);
	/* Yet it looks up active, from its claims. */
	if ((rec = lookup(j1, NULL)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(jlive(rec, OTOKEN_ACCESS, onow()));
	CHECK(json_is_true(json_object_get(rec, "stateless")));
	CHECK_STR(sget(rec, "client_id"), "cc-jwt");
	CHECK_STR(sget(rec, "sub"), "cc-jwt");
	CHECK(iget(rec, "iat") == iget(c, "iat"));
	CHECK(iget(rec, "exp") == iget(c, "exp"));
	CHECK(json_equal(json_object_get(rec, "scope"),
	    json_object_get(c, "scp")));
	CHECK(json_equal(json_object_get(rec, "aud"),
	    json_object_get(c, "aud")));
	json_decref(rec);
	rec = NULL;
	/* Its jti on a JWT signed here for the same client: active. */
	f = forge_jwt("cc-jwt", jti);
	CHECK(f != NULL && active(f));
	free(f);
	/* The same jti for another client: not active. */
	f = forge_jwt("cc-jwt2", jti);
	CHECK(f != NULL && otoken_identify(f, &kind, id) == 1);
	CHECK(f != NULL && !active(f));
	rec = f != NULL ? lookup(f, NULL) : NULL;
	CHECK(rec == NULL);
	json_decref(rec);
	rec = NULL;
	free(f);
	/* An altered jti, in its random half or in its MAC half. */
	snprintf(forged, sizeof(forged), "%s", jti);
	forged[0] = forged[0] == '0' ? '1' : '0';
	f = forge_jwt("cc-jwt", forged);
	CHECK(f != NULL && !active(f));
	free(f);
	snprintf(forged, sizeof(forged), "%s", jti);
	forged[35] = forged[35] == '0' ? '1' : '0';
	f = forge_jwt("cc-jwt", forged);
	CHECK(f != NULL && !active(f));
	free(f);
	/* Upper case, no dashes, garbage, empty, a random UUID. */
	snprintf(forged, sizeof(forged), "%s", jti);
	for (i = 0; forged[i] != '\0'; i++)
		if (forged[i] >= 'a' && forged[i] <= 'f')
			forged[i] = (char)(forged[i] - 'a' + 'A');
	f = forge_jwt("cc-jwt", forged);
	CHECK(f != NULL && (strcmp(forged, jti) == 0 || !active(f)));
	free(f);
	snprintf(forged, sizeof(forged), "%.8s%.4s%.4s%.4s%.12sxxxx", jti,
	    jti + 9, jti + 14, jti + 19, jti + 24);
	f = forge_jwt("cc-jwt", forged);
	CHECK(f != NULL && !active(f));
	free(f);
	f = forge_jwt("cc-jwt", "zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz");
	CHECK(f != NULL && !active(f));
	free(f);
	f = forge_jwt("cc-jwt", "");
	CHECK(f != NULL && !active(f));
	free(f);
	ocrypto_uuid4(forged);
	f = forge_jwt("cc-jwt", forged);
	CHECK(f != NULL && !active(f));
	free(f);
	/* A tampered signature: not identified. */
	bad = oxstrdup(j1);
	bad[strlen(bad) - 2] = bad[strlen(bad) - 2] == 'A' ? 'B' : 'A';
	CHECK(otoken_identify(bad, &kind, id) == 0);
	CHECK(!active(bad));
	/* Under another secret only, its jti no longer checks. */
	secrets(secret_b, NULL);
	CHECK(!active(j1));
	secrets(secret_b, secret_a);
	CHECK(active(j1));
	secrets(secret_a, NULL);
	/* Revocation: a tombstone under its id; others stay active. */
	j2 = issue("cc-jwt", "[\"read\"]", aud);
	CHECK(j2 != NULL && active(j2));
	CHECK(revoke_tok(j1));
	CHECK(!active(j1));
	CHECK(j2 != NULL && active(j2));
	jwt_store_id(j1, id);
	CHECK(present(OSTORE_TOKENS, id, OTOKEN_ID_LEN) == 1);
	rec = lookup(j1, NULL);
	CHECK(rec != NULL && json_is_false(json_object_get(rec, "active")));
	json_decref(rec);
	rec = NULL;
	CHECK(revoke_tok(j1));
	CHECK(!active(j1));
	/* The same jti on another signature is another token: still live. */
	f = forge_jwt("cc-jwt", jti);
	CHECK(f != NULL && active(f));
	free(f);
	/*
	 * A stored JWT (ogrant_issue()): its record answers, and once it
	 * is gone its random jti does not pass for a stateless one.
	 */
	{
		struct oerr	 err;
		json_t		*cl = getclient("cc-jwt"), *sg;

		sg = ccgrant("cc-jwt", "[\"read\"]", aud);
		json_object_set_new(sg, "sub", json_string("alice"));
		json_decref(r);
		CHECK(issue_once(1, "cc-jwt", NULL, sg, &r) == OGRANT_STORE);
		oerr_clear(&err);
		CHECK(ogrant_prepare(&err));
		if (cl != NULL)
			s = stored_token(cl, sg);
		CHECK(s != NULL && strncmp(s, "ory_", 4) != 0);
		if (s != NULL) {
			rec = lookup(s, NULL);
			CHECK(rec != NULL && json_object_get(rec,
			    "stateless") == NULL);
			CHECK(jlive(rec, OTOKEN_ACCESS, onow()));
			json_decref(rec);
			rec = NULL;
			CHECK(revoke_tok(s));
			CHECK(!active(s));
			rec = lookup(s, NULL);
			CHECK(rec == NULL);
			json_decref(rec);
			rec = NULL;
		}
		json_decref(cl);
		json_decref(sg);
	}
out:
	json_decref(g);
	json_decref(r);
	json_decref(c);
	json_decref(rec);
	free(j1);
	free(j2);
	free(bad);
	free(s);
}

/* --- flush -------------------------------------------------------- */

struct junk_op {
	unsigned char	 gid[GID_LEN];
	const char	*val;
	int64_t		 exp;
};

/* A record under a 16-byte key of the tokens database, with its entry. */
static int
junk_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct junk_op	*op = arg;

	if (ostore_put(t, OSTORE_TOKENS, op->gid, GID_LEN, op->val,
	    strlen(op->val), 0) != OSTORE_OK ||
	    ostore_expiry_put(t, OSTORE_TOKENS, op->gid, GID_LEN, op->exp) !=
	    OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "junk_fn");
		return 0;
	}
	return 1;
}

static void
flush_grants(void)
{
	char		*s1, *l1 = NULL, *s2 = NULL;
	struct raw	 rs, rl;
	json_t		*gs = NULL, *gl = NULL;
	unsigned char	 k[64];
	int64_t		 es, el;
	size_t		 n;

	secrets(secret_a, NULL);
	if (!mkclient("cc-fl-short", "", "10s") ||
	    !mkclient("cc-fl-long", "", NULL) ||
	    (s1 = issue("cc-fl-short", "[\"read\"]", "[]")) == NULL) {
		CHECK(0);
		return;
	}
	l1 = issue("cc-fl-long", "[\"read\"]", "[]");
	if (!decode(s1, &rs) || !decode(l1, &rl) ||
	    (gs = grant_rec(rs.gid)) == NULL ||
	    (gl = grant_rec(rl.gid)) == NULL) {
		CHECK(0);
		goto out;
	}
	es = iget(gs, "exp");
	el = iget(gl, "exp");
	CHECK(es == rs.iat + 10 + 5);
	CHECK(el == rl.iat + 3600 + 1800);
	CHECK(present(OSTORE_EXPIRY, k, ekey(es, rs.gid, GID_LEN, k)) == 1);
	/* Not before its exp has passed. */
	CHECK(flush(es) >= 0);
	CHECK(present(OSTORE_TOKENS, rs.gid, GID_LEN) == 1);
	CHECK(present(OSTORE_EXPIRY, k, ekey(es, rs.gid, GID_LEN, k)) == 1);
	CHECK(active(s1));
	/* After it: gone with its expiry entry; the live one stays. */
	CHECK(flush(es + 1) >= 1);
	CHECK(present(OSTORE_TOKENS, rs.gid, GID_LEN) == 0);
	CHECK(present(OSTORE_EXPIRY, k, ekey(es, rs.gid, GID_LEN, k)) == 0);
	CHECK(present(OSTORE_TOKENS, rl.gid, GID_LEN) == 1);
	CHECK(present(OSTORE_EXPIRY, k, ekey(el, rl.gid, GID_LEN, k)) == 1);
	/* A token whose grant is gone is gone too. */
	CHECK(!active(s1));
	CHECK(lookup(s1, NULL) == NULL);
	CHECK(active(l1));
	/* Issuing again writes the grant again. */
	n = ngrants();
	s2 = issue("cc-fl-short", "[\"read\"]", "[]");
	CHECK(ngrants() == n + 1);
	CHECK(s2 != NULL && active(s2));
	/* Flushing up to now leaves live grants alone. */
	CHECK(flush(onow()) >= 0);
	CHECK(present(OSTORE_TOKENS, rl.gid, GID_LEN) == 1);
	CHECK(present(OSTORE_TOKENS, rs.gid, GID_LEN) == 1);
	CHECK(active(l1) && active(s2));
out:
	json_decref(gs);
	json_decref(gl);
	free(s1);
	free(l1);
	free(s2);
}

static void
grant_rewrite(void)
{
	json_t		*c = NULL, *g = NULL, *r1 = NULL, *r2 = NULL;
	json_t		*r3 = NULL, *gr = NULL;
	const char	*t1, *t2;
	struct raw	 a1, a2;
	unsigned char	 k[64];
	int64_t		 e1, e2;
	size_t		 n;

	secrets(secret_a, NULL);
	if (!mkclient("cc-grow", "", NULL) ||
	    (c = getclient("cc-grow")) == NULL) {
		CHECK(0);
		return;
	}
	g = ccgrant("cc-grow", "[\"read\"]", "[]");
	json_object_set_new(c, "client_credentials_grant_access_token_lifespan",
	    json_integer(10));
	n = ngrants();
	CHECK(issue_once(1, NULL, c, g, &r1) == OGRANT_OK);
	if (r1 == NULL || (t1 = sget(r1, "access_token")) == NULL ||
	    !decode(t1, &a1) || (gr = grant_rec(a1.gid)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(ngrants() == n + 1);
	e1 = iget(gr, "exp");
	CHECK(e1 == a1.iat + 15);
	json_decref(gr);
	gr = NULL;
	/* A longer lifetime: the grant would not outlive it, so rewritten. */
	json_object_set_new(c, "client_credentials_grant_access_token_lifespan",
	    json_integer(3600));
	CHECK(issue_once(0, NULL, c, g, &r2) == OGRANT_WRITE);
	CHECK(r2 == NULL);
	CHECK(issue_once(1, NULL, c, g, &r2) == OGRANT_OK);
	if (r2 == NULL || (t2 = sget(r2, "access_token")) == NULL ||
	    !decode(t2, &a2) || (gr = grant_rec(a2.gid)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(memcmp(a1.gid, a2.gid, GID_LEN) == 0);
	CHECK(ngrants() == n + 1);
	e2 = iget(gr, "exp");
	CHECK(e2 == a2.iat + 3600 + 1800);
	CHECK(iget(gr, "at") == a2.iat);
	/* Its expiry entry moved with it. */
	CHECK(present(OSTORE_EXPIRY, k, ekey(e1, a1.gid, GID_LEN, k)) == 0);
	CHECK(present(OSTORE_EXPIRY, k, ekey(e2, a1.gid, GID_LEN, k)) == 1);
	/* So a flush past the old exp keeps it, and both tokens live. */
	CHECK(flush(e1 + 1) >= 0);
	CHECK(present(OSTORE_TOKENS, a1.gid, GID_LEN) == 1);
	CHECK(active(t2));
	CHECK(active(t1));
	/* A shorter lifetime again: no write needed. */
	json_object_set_new(c, "client_credentials_grant_access_token_lifespan",
	    json_integer(10));
	CHECK(issue_once(0, NULL, c, g, &r3) == OGRANT_OK);
	CHECK(r3 != NULL && iget(r3, "expires_in") == 10);
	json_decref(gr);
	gr = grant_rec(a1.gid);
	CHECK(gr != NULL && iget(gr, "exp") == e2);
out:
	json_decref(c);
	json_decref(g);
	json_decref(r1);
	json_decref(r2);
	json_decref(r3);
	json_decref(gr);
}

static void
flush_junk(void)
{
	struct junk_op	 bad, odd, moved, edge;
	unsigned char	 k[64];
	int64_t		 now = onow();
	char		 v[256], w[256];

	memset(bad.gid, 0xe1, GID_LEN);
	bad.val = "{not json";
	bad.exp = now - 10;
	memset(odd.gid, 0xe2, GID_LEN);
	odd.val = "{\"_v\":1,\"kind\":\"nonsense\",\"exp\":99999999999}";
	odd.exp = now - 10;
	/* A grant whose entry was left behind by a rewrite. */
	memset(moved.gid, 0xe3, GID_LEN);
	snprintf(v, sizeof(v), "{\"_v\":1,\"kind\":\"grant\",\"client_id\":"
	    "\"cc-nobody\",\"scope\":[],\"aud\":[],\"epoch\":\"e\","
	    "\"at\":%lld,\"exp\":%lld}", (long long)now,
	    (long long)(now + 1000));
	moved.val = v;
	moved.exp = now - 10;
	/* Another, whose exp is the cut-off itself: not expired before. */
	memset(edge.gid, 0xe4, GID_LEN);
	snprintf(w, sizeof(w), "{\"_v\":1,\"kind\":\"grant\",\"client_id\":"
	    "\"cc-nobody\",\"scope\":[],\"aud\":[],\"epoch\":\"e\","
	    "\"at\":%lld,\"exp\":%lld}", (long long)now, (long long)now);
	edge.val = w;
	edge.exp = now - 10;
	CHECK(twrite(junk_fn, &bad));
	CHECK(twrite(junk_fn, &odd));
	CHECK(twrite(junk_fn, &moved));
	CHECK(twrite(junk_fn, &edge));
	CHECK(present(OSTORE_TOKENS, bad.gid, GID_LEN) == 1);
	CHECK(flush(now) >= 4);
	/* Unreadable ones go; readable ones that live on stay. */
	CHECK(present(OSTORE_TOKENS, bad.gid, GID_LEN) == 0);
	CHECK(present(OSTORE_TOKENS, odd.gid, GID_LEN) == 0);
	CHECK(present(OSTORE_TOKENS, moved.gid, GID_LEN) == 1);
	CHECK(present(OSTORE_TOKENS, edge.gid, GID_LEN) == 1);
	/* The entries themselves go, whatever became of the record. */
	CHECK(present(OSTORE_EXPIRY, k, ekey(bad.exp, bad.gid, GID_LEN,
	    k)) == 0);
	CHECK(present(OSTORE_EXPIRY, k, ekey(odd.exp, odd.gid, GID_LEN,
	    k)) == 0);
	CHECK(present(OSTORE_EXPIRY, k, ekey(moved.exp, moved.gid, GID_LEN,
	    k)) == 0);
}

/* --- anchored access tokens ---------------------------------------- */

/*
 * A user's grant as consent builds it (authorize.c): request rid,
 * client cid, the scope JSON, a login session and session claims.
 */
static json_t *
usergrant(const char *rid, const char *cid, const char *scope)
{
	json_t	*g;

	g = json_pack("{s:s,s:s,s:s,s:s,s:o,s:[s],s:I,s:s,s:I,"
	    "s:{s:{s:s},s:{s:s}},s:s}",
	    "request_id", rid, "client_id", cid, "sub", "alice",
	    "sid", "sess-an", "scope", J(scope), "aud", "https://api.a/",
	    "auth_time", (json_int_t)onow(), "acr", "0",
	    "requested_at", (json_int_t)onow(),
	    "session", "id_token", "email", "alice@example.com",
	    "access_token", "tier", "gold", "nonce", "n-1");
	if (g == NULL)
		abort();
	return g;
}

struct user_op {
	const char	*cid;
	const json_t	*grant;		/* the new tokens' */
	const json_t	*rt_grant;	/* the refresh token's; NULL: grant */
	unsigned	 what;
	json_t		*resp;
};

static int
user_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct user_op	*op = arg;
	const struct oclient *c;
	struct ogrant	 g, rg;

	json_decref(op->resp);
	op->resp = NULL;
	memset(&rg, 0, sizeof(rg));
	if ((c = oclient_find(t, op->cid, err)) == NULL)
		return 0;
	if (ogrant_decode(op->grant, &g, err)) {
		if (op->rt_grant == NULL || ogrant_decode(op->rt_grant, &rg,
		    err))
			op->resp = ogrant_issue_refresh(t, &g,
			    op->rt_grant != NULL ? &rg : NULL, c, op->what,
			    "authorization_code", err);
		ogrant_free(&g);
		ogrant_free(&rg);
	}
	oclient_release(c);
	return op->resp != NULL;
}

/*
 * ogrant_issue_refresh() of what for grant g (the refresh token's
 * grant rg, NULL: g) to the stored client cid, as the token endpoint
 * calls it: the response (new) or NULL.
 */
static json_t *
user_issue(const char *cid, const json_t *g, const json_t *rg,
    unsigned what)
{
	struct user_op	 op;
	struct oerr	 err;

	memset(&op, 0, sizeof(op));
	op.cid = cid;
	op.grant = g;
	op.rt_grant = rg;
	op.what = what;
	oerr_clear(&err);
	if (!ogrant_prepare(&err) || !twrite(user_fn, &op))
		return NULL;
	return op.resp;
}

struct userec_op {
	const char	*tok;
	int		 use;		/* 1: otoken_use(), 0: delete it */
};

/* The refresh token op->tok used (rotated) or deleted (revoked). */
static int
userec_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct userec_op	*op = arg;
	struct otoken_rec	 rec;
	unsigned char		 id[OTOKEN_ID_LEN];
	int			 rc;

	if (!otoken_check(op->tok, OTOKEN_REFRESH, id) ||
	    !otoken_load(t, id, &rec, err))
		return 0;
	rc = op->use ? otoken_use(t, &rec, err) : otoken_delete(t, id);
	otoken_rec_free(&rec);
	return rc;
}

/* 1 if tok was stored: a record under its own id. */
static int
has_record(const char *tok)
{
	enum otoken_kind	 kind;
	unsigned char		 id[OTOKEN_ID_LEN];

	return otoken_identify(tok, &kind, id) &&
	    present(OSTORE_TOKENS, id, OTOKEN_ID_LEN);
}

static void
anchored_shape(void)
{
	json_t		*g = usergrant("req-an", "cc-an",
			    "[\"openid\",\"offline_access\",\"read\"]");
	json_t		*r = NULL, *rec = NULL;
	unsigned char	 rtid[OTOKEN_ID_LEN], id[OTOKEN_ID_LEN];
	enum otoken_kind kind;
	struct raw	 raw;
	char		*rt = NULL;
	int		 known;

	secrets(secret_a, NULL);
	if (!mkclient("cc-an", "", NULL) || (r = user_issue("cc-an", g,
	    NULL, OISSUE_ACCESS | OISSUE_REFRESH)) == NULL ||
	    sget(r, "access_token") == NULL || sget(r, "refresh_token") ==
	    NULL) {
		CHECK(0);
		goto out;
	}
	/* An opaque token of the usual shape, under neither other key. */
	CHECK(strncmp(sget(r, "access_token"), "ory_at_", 7) == 0);
	CHECK(decode(sget(r, "access_token"), &raw));
	CHECK(!otoken_check(sget(r, "access_token"), OTOKEN_ACCESS, id));
	CHECK(otoken_identify(sget(r, "access_token"), &kind, id) &&
	    kind == OTOKEN_ACCESS && memcmp(id, raw.id, sizeof(id)) == 0);
	/* It names its refresh token: the first 16 bytes of its id. */
	CHECK(otoken_check(sget(r, "refresh_token"), OTOKEN_REFRESH, rtid));
	CHECK(memcmp(raw.gid, rtid, GID_LEN) == 0);
	CHECK(raw.iat >= onow() - 1 && raw.iat <= onow() && raw.ttl == 3600);
	/* Nothing stored for it: no record, and none of its entries. */
	CHECK(!has_record(sget(r, "access_token")));
	if ((rt = stored_value(OSTORE_TOKENS, rtid, OTOKEN_ID_LEN)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(strstr(rt, "\"access_id\"") == NULL);
	/* Introspected as the stored one was: the refresh token's grant. */
	rec = lookup(sget(r, "access_token"), &known);
	CHECK(known == 1 && jlive(rec, OTOKEN_ACCESS, onow()));
	CHECK_STR(sget(rec, "kind"), "access_token");
	CHECK_STR(sget(rec, "sub"), "alice");
	CHECK_STR(sget(rec, "client_id"), "cc-an");
	CHECK_STR(sget(rec, "request_id"), "req-an");
	CHECK_STR(sget(rec, "sid"), "sess-an");
	CHECK(jeq(rec, "scope", "[\"openid\",\"offline_access\",\"read\"]"));
	CHECK(jeq(rec, "aud", "[\"https://api.a/\"]"));
	CHECK(jeq(json_object_get(rec, "session"), "access_token",
	    "{\"tier\":\"gold\"}"));
	CHECK(iget(rec, "iat") == raw.iat && iget(rec, "exp") == raw.iat +
	    3600);
	CHECK(json_object_get(rec, "access_id") == NULL &&
	    json_object_get(rec, "used_at") == NULL);
	CHECK(!jlive(rec, OTOKEN_ACCESS, raw.iat + 3600));
out:
	free(rt);
	json_decref(rec);
	json_decref(r);
	json_decref(g);
}

static void
anchored_follows(void)
{
	json_t		*g = usergrant("req-af", "cc-af",
			    "[\"offline_access\"]");
	json_t		*r1 = NULL, *r2 = NULL, *r3 = NULL, *r4 = NULL;
	struct userec_op op;

	secrets(secret_a, NULL);
	if (!mkclient("cc-af", "", NULL) ||
	    (r1 = user_issue("cc-af", g, NULL, OISSUE_ACCESS |
	    OISSUE_REFRESH)) == NULL ||
	    (r2 = user_issue("cc-af", g, NULL, OISSUE_ACCESS |
	    OISSUE_REFRESH)) == NULL ||
	    (r3 = user_issue("cc-af", g, NULL, OISSUE_ACCESS |
	    OISSUE_REFRESH)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(active(sget(r1, "access_token")));
	/* Its refresh token used (rotated): it goes (Hydra's refresh). */
	op.tok = sget(r1, "refresh_token");
	op.use = 1;
	CHECK(twrite(userec_fn, &op));
	CHECK(!active(sget(r1, "access_token")));
	CHECK(active(sget(r2, "access_token")));
	/* Its refresh token deleted (revoked, flushed): it is unknown. */
	op.tok = sget(r2, "refresh_token");
	op.use = 0;
	CHECK(twrite(userec_fn, &op));
	CHECK(lookup(sget(r2, "access_token"), NULL) == NULL);
	/* Revoking it (RFC 7009) revokes its chain, refresh token too. */
	CHECK(revoke_tok(sget(r3, "access_token")));
	CHECK(!active(sget(r3, "access_token")));
	CHECK(!tlive(sget(r3, "refresh_token")));
	/* The client's tokens voided (DELETE /oauth2/tokens). */
	if ((r4 = user_issue("cc-af", g, NULL, OISSUE_ACCESS |
	    OISSUE_REFRESH)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(active(sget(r4, "access_token")));
	CHECK(twrite(void_fn, "cc-af"));
	CHECK(!active(sget(r4, "access_token")));
out:
	json_decref(r1);
	json_decref(r2);
	json_decref(r3);
	json_decref(r4);
	json_decref(g);
}

static void
anchored_not(void)
{
	json_t		*g = usergrant("req-an2", "cc-an2",
			    "[\"offline_access\",\"read\"]");
	json_t		*narrow = usergrant("req-an2", "cc-an2",
			    "[\"offline_access\"]");
	json_t		*bound = NULL, *r = NULL;
	unsigned char	 id[OTOKEN_ID_LEN];
	char		*rt = NULL;

	secrets(secret_a, NULL);
	if (!mkclient("cc-an2", "", NULL) || !mkclient("cc-an2j", "jwt",
	    NULL)) {
		CHECK(0);
		goto out;
	}
	/* A narrowed scope (RFC 6749 §6): stored, named by access_id. */
	r = user_issue("cc-an2", narrow, g, OISSUE_ACCESS | OISSUE_REFRESH);
	CHECK(r != NULL && otoken_check(sget(r, "access_token"),
	    OTOKEN_ACCESS, id) && has_record(sget(r, "access_token")));
	CHECK(r != NULL && otoken_check(sget(r, "refresh_token"),
	    OTOKEN_REFRESH, id) && (rt = stored_value(OSTORE_TOKENS, id,
	    OTOKEN_ID_LEN)) != NULL && strstr(rt, "\"access_id\"") != NULL);
	CHECK(r != NULL && active(sget(r, "access_token")));
	json_decref(r);
	/* No refresh token: stored. */
	r = user_issue("cc-an2", narrow, NULL, OISSUE_ACCESS);
	CHECK(r != NULL && has_record(sget(r, "access_token")));
	json_decref(r);
	/* A JWT access token: stored, as Hydra keeps one. */
	json_object_set_new(g, "client_id", json_string("cc-an2j"));
	r = user_issue("cc-an2j", g, NULL, OISSUE_ACCESS | OISSUE_REFRESH);
	CHECK(r != NULL && strncmp(sget(r, "access_token"), "ey", 2) == 0 &&
	    has_record(sget(r, "access_token")));
	json_decref(r);
	json_object_set_new(g, "client_id", json_string("cc-an2"));
	/* A DPoP-bound one: its thumbprint must be on record. */
	bound = json_deep_copy(g);
	json_object_set_new(bound, "jkt", json_string(
	    "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"));
	r = user_issue("cc-an2", bound, NULL, OISSUE_ACCESS | OISSUE_REFRESH);
	CHECK(r != NULL && has_record(sget(r, "access_token")));
	json_decref(r);
	/* A refresh token that would expire first: stored. */
	conf.ttl_refresh_token = 1800;
	r = user_issue("cc-an2", g, NULL, OISSUE_ACCESS | OISSUE_REFRESH);
	CHECK(r != NULL && has_record(sget(r, "access_token")));
	conf.ttl_refresh_token = 720 * 3600;
	json_decref(r);
	/* One that never expires, or as long as the refresh token: not. */
	conf.ttl_access_token = 720 * 3600;
	r = user_issue("cc-an2", g, NULL, OISSUE_ACCESS | OISSUE_REFRESH);
	CHECK(r != NULL && !has_record(sget(r, "access_token")) &&
	    active(sget(r, "access_token")));
	json_decref(r);
	conf.ttl_access_token = -1;
	r = user_issue("cc-an2", g, NULL, OISSUE_ACCESS | OISSUE_REFRESH);
	CHECK(r != NULL && has_record(sget(r, "access_token")));
	conf.ttl_access_token = 3600;
out:
	free(rt);
	json_decref(r);
	json_decref(bound);
	json_decref(narrow);
	json_decref(g);
}

static void
anchored_keys(void)
{
	json_t		*g = usergrant("req-ak", "cc-ak",
			    "[\"offline_access\"]");
	json_t		*r = NULL;
	char		*cc = NULL, swapped[OTOKEN_MAX];
	unsigned char	 raw[34], sig[34];
	size_t		 n;

	secrets(secret_a, NULL);
	if (!mkclient("cc-ak", "", NULL) || (r = user_issue("cc-ak", g,
	    NULL, OISSUE_ACCESS | OISSUE_REFRESH)) == NULL ||
	    (cc = issue("cc-ak", "[\"read\"]", "[]")) == NULL) {
		CHECK(0);
		goto out;
	}
	/* Still live while its secret is an older one; not once gone. */
	secrets(secret_b, secret_a);
	CHECK(active(sget(r, "access_token")));
	secrets(secret_b, NULL);
	CHECK(lookup(sget(r, "access_token"), NULL) == NULL);
	secrets(secret_a, NULL);
	/*
	 * Its 32 bytes MACed as a stateless token's name no shared grant,
	 * and a stateless token's MACed as an anchored one's name no
	 * refresh token: each key means one kind.
	 */
	CHECK(ocrypto_b64url_decode(raw, sizeof(raw), &n,
	    sget(r, "access_token") + 7, 43) && n == 32);
	CHECK(otk_mac_in(OTK_SL_INFO, 0, OTOKEN_ACCESS, raw, sig));
	otk_encode(OTOKEN_ACCESS, raw, sig, swapped);
	CHECK(lookup(swapped, NULL) == NULL);
	CHECK(ocrypto_b64url_decode(raw, sizeof(raw), &n, cc + 7, 43) &&
	    n == 32);
	CHECK(otk_mac_in(OTK_AN_INFO, 0, OTOKEN_ACCESS, raw, sig));
	otk_encode(OTOKEN_ACCESS, raw, sig, swapped);
	CHECK(lookup(swapped, NULL) == NULL);
	CHECK(active(cc) && active(sget(r, "access_token")));
out:
	free(cc);
	json_decref(r);
	json_decref(g);
}

/* --- setup -------------------------------------------------------- */

int
main(void)
{
	static const struct t_case tests[] = {
		T(opaque_shape),
		T(shared_grant),
		T(not_stateless),
		T(tampered),
		T(secret_rotation),
		T(revocation),
		T(voiding),
		T(expiry),
		T(jwt),
		T(flush_grants),
		T(grant_rewrite),
		T(flush_junk),
		T(anchored_shape),
		T(anchored_follows),
		T(anchored_not),
		T(anchored_keys),
	};
	struct tfix_store	 st;
	int			 rc;

	conf.issuer = issuer;
	conf.ttl_access_token = 3600;
	conf.ttl_refresh_token = 720 * 3600;
	conf.ttl_id_token = 3600;
	conf.ttl_auth_code = 600;
	conf.ttl_login_consent = 1800;
	conf.access_token_strategy = OCONF_TOKEN_OPAQUE;
	secrets(secret_a, NULL);
	oconf = &conf;

	if (!tfix_store_keys(&st, "test_stateless"))
		return 1;
	rc = t_run(tests, NTESTS);
	if (!tfix_store_close(&st))
		rc = 1;
	return rc;
}
