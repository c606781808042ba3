/*
 * tokens.c: authorization codes, access and refresh tokens, ID tokens,
 * and the store records of the grants they are issued under (see
 * tokens.h and schema/store.md).
 *
 * Store layout, all written and deleted together in one transaction:
 *
 *	tokens             id (32 bytes) -> token record (JSON)
 *	tokens_by_request  request_id NUL id -> ""
 *	tokens_by_client   client_id NUL id -> ""
 *	expiry             flush time (8, BE) OSTORE_TOKENS id -> ""
 *	                   (flush_at(): exp, a code's exp + TOMBSTONE_TTL;
 *	                   none when exp is 0)
 *
 * The id of an opaque token is the 5 time bytes it starts with and 27
 * bytes of SHA-256 of its HMAC (the part after the dot, decoded:
 * store_id()); of a stateless access token, SHA-256 of its HMAC; of a
 * JWT access token, SHA-256 of its signature segment (the base64url
 * text).  None lets anyone rebuild the token.  Shared grants of
 * stateless tokens live in the tokens database too, under 16-byte ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/flow.h"
#include "records/keys.h"
#include "records/subject.h"
#include "records/tokens.h"
#include "records/tokens_int.h"

#define RECORD_VERSION	OTK_RECORD_VERSION
#define RAW_LEN		OTK_RAW_LEN
#define TIME_LEN	5	/* of them, the time a stored token was made */
#define SIG_LEN		OTK_SIG_LEN
#define PREFIX_LEN	OTK_PREFIX_LEN
#define B64_LEN		OTK_B64_LEN
#define TOKEN_LEN	OTK_TOKEN_LEN
#define IDS_MAX		255	/* bytes of a request_id or client_id */
#define INDEX_MAX	(IDS_MAX + 1 + OTOKEN_ID_LEN)
/*
 * How long a code's record outlives its exp, used or not, so that a
 * replay is recognised and revokes the chain for at least that long
 * after the use (Hydra: 30 minutes): see flush_at().  A used refresh
 * token stays as long as its chain lives (RFC 9700 §4.14.2): see
 * otoken_use() and otoken_expire().
 */
#define TOMBSTONE_TTL	(30 * 60)
#define MAC_INFO	"oidcgi tokens"	/* HKDF info of stored tokens */

static const char *const prefixes[OTOKEN__MAX] = {
	"ory_ac_",		/* OTOKEN_CODE */
	"ory_at_",		/* OTOKEN_ACCESS */
	"ory_rt_",		/* OTOKEN_REFRESH */
};

const char *const otk_kinds[OTOKEN__MAX] = {
	"code",			/* OTOKEN_CODE */
	"access_token",		/* OTOKEN_ACCESS */
	"refresh_token",	/* OTOKEN_REFRESH */
};

/*
 * Claims of an ID token that the consent's session.id_token can never
 * set (OpenID Connect Core §2, §3.1.3.6, §3.3.2.11; RFC 7519 §4.1).
 */
static const char *const id_reserved[] = {
	"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "auth_time",
	"nonce", "at_hash", "c_hash", "acr", "amr", "sid", "rat", "azp",
	NULL
};

/* Algorithms of our own JWT access tokens (never HS*, never none). */
static const char *const asym_algs[] = {
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
	"ES384", "ES512", "EdDSA", NULL
};

/*
 * Private copies of the signing keys, made by ogrant_prepare() (see
 * there), with the RFC 7638 thumbprint they were copied from.
 */
static struct signer {
	const char		*set;
	struct ojwk		*key;
	char			 tp[OJWK_THUMBPRINT_LEN + 1];
	/*
	 * The cache's key it was last checked against, while
	 * okeys_serial() stays put: the same key, no thumbprint needed.
	 */
	const struct ojwk	*src;
	unsigned long long	 serial;
} signers[] = {
	{ OKEYS_ID_TOKEN, NULL, "", NULL, 0 },
	{ OKEYS_ACCESS_TOKEN, NULL, "", NULL, 0 },
};
#define SIGNER_ID	0
#define SIGNER_AT	1

/*
 * The MAC key from system secret i: HKDF-SHA-256 with info (MAC_INFO
 * for stored tokens, OTK_SL_INFO for stateless ones).  Returns 1, or 0 when
 * there is no such secret.
 */
int
otk_mac_key(const char *info, size_t i, unsigned char key[OCRYPTO_SHA256_LEN])
{
	if (oconf == NULL || i >= oconf->nsecrets)
		return 0;
	return ocrypto_hkdf(oconf->secrets[i], strlen(oconf->secrets[i]),
	    NULL, 0, info, key, OCRYPTO_SHA256_LEN);
}

/*
 * sig = HMAC-SHA-256(key i of info, prefix || raw).  Returns 1, or 0
 * when secret i does not exist or OpenSSL failed.
 */
int
otk_mac_in(const char *info, size_t i, enum otoken_kind kind,
    const unsigned char raw[RAW_LEN], unsigned char sig[SIG_LEN])
{
	unsigned char	 key[OCRYPTO_SHA256_LEN], in[PREFIX_LEN + RAW_LEN];
	int		 rc = 0;

	if (!otk_mac_key(info, i, key))
		goto out;
	memcpy(in, prefixes[kind], PREFIX_LEN);
	memcpy(in + PREFIX_LEN, raw, RAW_LEN);
	rc = ocrypto_hmac(OCRYPTO_SHA256, key, sizeof(key), in, sizeof(in),
	    sig);
out:
	ocrypto_wipe(key, sizeof(key));
	ocrypto_wipe(in, sizeof(in));
	return rc;
}

/*
 * The store id of a stored token: the 5 time bytes its raw part starts
 * with, then the first 27 bytes of SHA-256(sig).  Records of tokens
 * made about the same time sort together, so a write transaction
 * dirties a few pages at the end of each index instead of one page
 * at random per record (the disk pays for every page).
 */
static void
store_id(const unsigned char raw[RAW_LEN], const unsigned char sig[SIG_LEN],
    unsigned char id[OTOKEN_ID_LEN])
{
	unsigned char	 h[OCRYPTO_SHA256_LEN];

	ocrypto_sha256(sig, SIG_LEN, h);
	memcpy(id, raw, TIME_LEN);
	memcpy(id + TIME_LEN, h, OTOKEN_ID_LEN - TIME_LEN);
}

/*
 * Encode prefix || b64url(raw) "." b64url(sig) into out.
 */
void
otk_encode(enum otoken_kind kind, const unsigned char raw[RAW_LEN],
    const unsigned char sig[SIG_LEN], char out[OTOKEN_MAX])
{
	size_t	 n;

	memcpy(out, prefixes[kind], PREFIX_LEN);
	if (!ocrypto_b64url_encode(out + PREFIX_LEN, OTOKEN_MAX - PREFIX_LEN,
	    &n, raw, RAW_LEN) || n != B64_LEN)
		abort();
	out[PREFIX_LEN + B64_LEN] = '.';
	if (!ocrypto_b64url_encode(out + PREFIX_LEN + B64_LEN + 1,
	    OTOKEN_MAX - PREFIX_LEN - B64_LEN - 1, &n, sig, SIG_LEN) ||
	    n != B64_LEN)
		abort();
}

/*
 * Decode a token of kind shaped prefix b64url(32) "." b64url(32) into
 * raw and sig.  Returns 1, or 0 for any other shape.
 */
int
otk_decode(const char *tok, enum otoken_kind kind,
    unsigned char raw[RAW_LEN + 2], unsigned char sig[SIG_LEN + 2])
{
	size_t	 n;

	if (tok == NULL || (unsigned)kind >= OTOKEN__MAX ||
	    strnlen(tok, TOKEN_LEN + 1) != TOKEN_LEN ||
	    strncmp(tok, prefixes[kind], PREFIX_LEN) != 0 ||
	    tok[PREFIX_LEN + B64_LEN] != '.')
		return 0;
	return ocrypto_b64url_decode(raw, RAW_LEN + 2, &n, tok + PREFIX_LEN,
	    B64_LEN) && n == RAW_LEN &&
	    ocrypto_b64url_decode(sig, SIG_LEN + 2, &n,
	    tok + PREFIX_LEN + B64_LEN + 1, B64_LEN) && n == SIG_LEN;
}

/*
 * 1 if sig is the MAC of raw under info with any configured secret
 * (rotation keeps old tokens valid).
 */
int
otk_mac_ok(const char *info, enum otoken_kind kind,
    const unsigned char raw[RAW_LEN], const unsigned char sig[SIG_LEN])
{
	unsigned char	 want[SIG_LEN];
	size_t		 i;
	int		 rc = 0;

	for (i = 0; oconf != NULL && i < oconf->nsecrets && !rc; i++)
		if (otk_mac_in(info, i, kind, raw, want) &&
		    ocrypto_eq_fixed(want, sig, SIG_LEN))
			rc = 1;
	ocrypto_wipe(want, sizeof(want));
	return rc;
}

void
otk_make(const char *info, enum otoken_kind kind,
    const unsigned char raw[RAW_LEN], unsigned char sig[SIG_LEN],
    char out[OTOKEN_MAX])
{
	/*
	 * NOTE: NO SECRET MEANS NO TOKEN.  omain() always has one; a
	 * caller without a configuration is a bug, not an input error.
	 */
	if (!otk_mac_in(info, 0, kind, raw, sig)) {
		olog_err("otk_make: no system secret");
		abort();
	}
	otk_encode(kind, raw, sig, out);
}

void
otoken_mint(enum otoken_kind kind, char out[OTOKEN_MAX],
    unsigned char id[OTOKEN_ID_LEN])
{
	unsigned char	 raw[RAW_LEN], sig[SIG_LEN];

	uint64_t	 now = (uint64_t)onow();
	int		 i;

	if ((unsigned)kind >= OTOKEN__MAX)
		abort();
	/* The time first (big-endian, 40 bits), for store_id(). */
	for (i = TIME_LEN - 1; i >= 0; i--, now >>= 8)
		raw[i] = (unsigned char)(now & 0xff);
	ocrypto_random(raw + TIME_LEN, sizeof(raw) - TIME_LEN);
	otk_make(MAC_INFO, kind, raw, sig, out);
	store_id(raw, sig, id);
	ocrypto_wipe(raw, sizeof(raw));
	ocrypto_wipe(sig, sizeof(sig));
}

int
otoken_check(const char *tok, enum otoken_kind kind,
    unsigned char id[OTOKEN_ID_LEN])
{
	unsigned char	 raw[RAW_LEN + 2], sig[SIG_LEN + 2];
	int		 rc = 0;

	if (otk_decode(tok, kind, raw, sig) &&
	    (rc = otk_mac_ok(MAC_INFO, kind, raw, sig)))
		store_id(raw, sig, id);
	ocrypto_wipe(raw, sizeof(raw));
	ocrypto_wipe(sig, sizeof(sig));
	return rc;
}

/*
 * The index key "s NUL id" into buf (INDEX_MAX bytes).  Returns its
 * length, or 0 when s is empty, too long or holds a NUL.
 */
static size_t
index_key(const char *s, const unsigned char id[OTOKEN_ID_LEN],
    unsigned char buf[INDEX_MAX])
{
	size_t	 n = strnlen(s, IDS_MAX + 1);

	if (n == 0 || n > IDS_MAX)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memcpy(buf + n + 1, id, OTOKEN_ID_LEN);
	return n + 1 + OTOKEN_ID_LEN;
}

/*
 * When the flush may take a record of kind whose exp is exp: at exp,
 * but a code at exp + TOMBSTONE_TTL, whether it is used or not.  So
 * spending a code (otoken_use()) leaves its expiry entry where it is,
 * which spares the code exchange's commit two leaves of the expiry
 * B+tree, and the tombstone of a used code lives until TOMBSTONE_TTL
 * after its exp, at least that long after the use.  Returns the time,
 * or 0 (exp 0) for never: such a record has no expiry entry.
 */
static int64_t
flush_at(enum otoken_kind kind, int64_t exp)
{
	if (exp <= 0 || kind != OTOKEN_CODE)
		return exp;
	return exp + TOMBSTONE_TTL;
}

/*
 * Remove the index entries of request_id, client_id and sid and the
 * expiry entry at exp (those that are NULL, "" or 0 are left alone) of
 * the record stored under id.  Returns 1, or 0 on a store failure.
 */
static int
unindex(struct ostore_txn *t, const unsigned char id[OTOKEN_ID_LEN],
    const char *request_id, const char *client_id, const char *sid,
    int64_t exp)
{
	unsigned char	 k[INDEX_MAX];
	size_t		 n;

	if ((n = index_key(request_id, id, k)) > 0 &&
	    ostore_del(t, OSTORE_TOKENS_BY_REQUEST, k, n) == OSTORE_ERR)
		return 0;
	if ((n = index_key(client_id, id, k)) > 0 &&
	    ostore_del(t, OSTORE_TOKENS_BY_CLIENT, k, n) == OSTORE_ERR)
		return 0;
	if (sid != NULL && (n = index_key(sid, id, k)) > 0 &&
	    ostore_del(t, OSTORE_TOKENS_BY_SID, k, n) == OSTORE_ERR)
		return 0;
	if (exp > 0 && ostore_expiry_del(t, OSTORE_TOKENS, id, OTOKEN_ID_LEN,
	    exp) != OSTORE_OK)
		return 0;
	return 1;
}

int
otoken_load(struct ostore_txn *t, const unsigned char id[OTOKEN_ID_LEN],
    struct otoken_rec *rec, struct oerr *err)
{
	const void	*v;
	size_t		 vl;
	json_t		*j;
	int		 rc;

	memset(rec, 0, sizeof(*rec));
	switch (ostore_get(t, OSTORE_TOKENS, id, OTOKEN_ID_LEN, &v, &vl)) {
	case OSTORE_OK:
		break;
	case OSTORE_NOTFOUND:
		oerr_set(err, OERR_NOT_FOUND, "The token is not known.");
		return 0;
	default:
		oerr_set(err, OERR_SERVER_ERROR, "The token could not be "
		    "read.");
		return 0;
	}
	if ((j = json_loadb(v, vl, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		olog_err("otoken_load: unreadable token record");
		oerr_set(err, OERR_SERVER_ERROR, "The token record is not "
		    "JSON.");
		return 0;
	}
	if ((rc = otoken_rec_decode(j, rec, err)))
		memcpy(rec->id, id, OTOKEN_ID_LEN);
	else
		olog_err("otoken_load: unreadable token record");
	json_decref(j);
	return rc;
}

int
otoken_store(struct ostore_txn *t, const struct otoken_rec *rec,
    struct oerr *err)
{
	const unsigned char	*id = rec->id;
	const struct ogrant	*g = &rec->grant;
	struct otoken_rec	 old;
	struct oerr		 e;
	unsigned char		 rk[INDEX_MAX], ck[INDEX_MAX], sk[INDEX_MAX];
	size_t			 rn, cn, sn = 0;
	json_t			*j = NULL;
	char			*buf = NULL;
	int64_t			 exp = flush_at(rec->kind, rec->exp);
	int			 rc = 0, same_r = 0, same_c = 0, same_e = 0;
	int			 same_s = 0;

	memset(&old, 0, sizeof(old));
	if ((unsigned)rec->kind >= OTOKEN__MAX || g->request_id == NULL ||
	    g->client_id == NULL || g->sub == NULL ||
	    (rn = index_key(g->request_id, id, rk)) == 0 ||
	    (cn = index_key(g->client_id, id, ck)) == 0 || rec->exp < 0) {
		oerr_set(err, OERR_SERVER_ERROR, "The token record is "
		    "incomplete.");
		goto out;
	}
	/* Tokens of a login session, for a logout that ends them. */
	if (g->sid != NULL)
		sn = index_key(g->sid, id, sk);
	/*
	 * A rewrite (a used tombstone) may move the flush time and the
	 * indexes; entries that stay the same are left alone (fewer pages
	 * to write).
	 */
	oerr_clear(&e);
	if (otoken_load(t, id, &old, &e)) {
		same_r = strcmp(old.grant.request_id, g->request_id) == 0;
		same_c = strcmp(old.grant.client_id, g->client_id) == 0;
		same_e = flush_at(old.kind, old.exp) == exp;
		same_s = (old.grant.sid == NULL && g->sid == NULL) ||
		    (old.grant.sid != NULL && g->sid != NULL &&
		    strcmp(old.grant.sid, g->sid) == 0);
		if ((!same_r || !same_c || !same_e || !same_s) && !unindex(t,
		    id, same_r ? "" : old.grant.request_id, same_c ? "" :
		    old.grant.client_id, same_s ? NULL : old.grant.sid,
		    same_e ? 0 : flush_at(old.kind, old.exp)))
			goto store;
	}
	j = otoken_rec_json(rec);
	buf = json_dumps(j, JSON_COMPACT);
	if (ostore_put(t, OSTORE_TOKENS, id, OTOKEN_ID_LEN, buf, strlen(buf),
	    0) != OSTORE_OK ||
	    (!same_r && ostore_put(t, OSTORE_TOKENS_BY_REQUEST, rk, rn, "", 0,
	    0) != OSTORE_OK) ||
	    (!same_c && ostore_put(t, OSTORE_TOKENS_BY_CLIENT, ck, cn, "", 0,
	    0) != OSTORE_OK) ||
	    (!same_s && sn > 0 && ostore_put(t, OSTORE_TOKENS_BY_SID, sk, sn,
	    "", 0, 0) != OSTORE_OK) ||
	    (exp > 0 && !same_e && ostore_expiry_put(t, OSTORE_TOKENS, id,
	    OTOKEN_ID_LEN, exp) != OSTORE_OK))
		goto store;
	rc = 1;
	goto out;
store:
	oerr_set(err, OERR_SERVER_ERROR, "The token could not be stored.");
out:
	free(buf);
	json_decref(j);
	otoken_rec_free(&old);
	return rc;
}

int
otoken_delete(struct ostore_txn *t, const unsigned char id[OTOKEN_ID_LEN])
{
	struct otoken_rec	 rec;
	struct oerr		 e;
	int			 rc = 0;

	/* An unreadable record is deleted too; its entries dangle. */
	oerr_clear(&e);
	if (otoken_load(t, id, &rec, &e) && !unindex(t, id,
	    rec.grant.request_id, rec.grant.client_id, rec.grant.sid,
	    flush_at(rec.kind, rec.exp)))
		goto out;
	if (ostore_del(t, OSTORE_TOKENS, id, OTOKEN_ID_LEN) == OSTORE_ERR)
		goto out;
	rc = 1;
out:
	otoken_rec_free(&rec);
	return rc;
}

/* Store ids collected by a scan of an index. */
struct ids {
	unsigned char	(*v)[OTOKEN_ID_LEN];
	size_t		 n, cap;
	size_t		 plen;		/* the prefix "s NUL" */
};

static int
collect_id(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct ids	*ids = arg;

	if (kl != ids->plen + OTOKEN_ID_LEN)
		return 1;	/* a longer s with our s as prefix: not ours */
	if (ids->n == ids->cap) {
		ids->cap = ids->cap ? ids->cap * 2 : 16;
		ids->v = oxrealloc(ids->v, ids->cap * sizeof(*ids->v));
	}
	memcpy(ids->v[ids->n++], (const unsigned char *)k + ids->plen,
	    OTOKEN_ID_LEN);
	return 1;
}

/*
 * Delete every token listed under s in index db, with the index
 * entries themselves (also those whose record is gone).  Returns 1, or
 * 0 on a store failure.
 */
static int
revoke_by(struct ostore_txn *t, enum ostore_db db, const char *s)
{
	struct ids	 ids;
	unsigned char	 k[INDEX_MAX];
	size_t		 i, n;
	int		 rc = 0;

	memset(&ids, 0, sizeof(ids));
	if (s == NULL || *s == '\0')
		return 1;
	if ((n = strnlen(s, IDS_MAX + 1)) > IDS_MAX)
		return 1;	/* never stored */
	memcpy(k, s, n);
	k[n] = '\0';
	ids.plen = n + 1;
	/*
	 * Collected first, then deleted: the scan may only delete the
	 * record it is shown, and otoken_delete() touches other indexes.
	 */
	if (ostore_scan(t, db, k, ids.plen, NULL, 0, collect_id, &ids) !=
	    OSTORE_OK)
		goto out;
	for (i = 0; i < ids.n; i++) {
		memcpy(k + ids.plen, ids.v[i], OTOKEN_ID_LEN);
		if (!otoken_delete(t, ids.v[i]) || ostore_del(t, db, k,
		    ids.plen + OTOKEN_ID_LEN) == OSTORE_ERR)
			goto out;
	}
	rc = 1;
out:
	free(ids.v);
	return rc;
}

int
otoken_revoke_request(struct ostore_txn *t, const char *request_id)
{
	return revoke_by(t, OSTORE_TOKENS_BY_REQUEST, request_id);
}

int
otoken_revoke_client(struct ostore_txn *t, const char *client_id)
{
	return revoke_by(t, OSTORE_TOKENS_BY_CLIENT, client_id);
}

int
otoken_revoke_sid(struct ostore_txn *t, const char *sid)
{
	return revoke_by(t, OSTORE_TOKENS_BY_SID, sid);
}

int
otoken_live(const struct otoken_rec *rec, enum otoken_kind kind,
    int64_t now)
{
	if (rec == NULL || rec->kind != kind || !rec->active)
		return 0;
	return rec->exp == 0 ? kind == OTOKEN_REFRESH : now < rec->exp;
}

int
otoken_use(struct ostore_txn *t, struct otoken_rec *rec, struct oerr *err)
{
	/*
	 * Both keep their exp.  A used code stays until TOMBSTONE_TTL
	 * after it (flush_at()), so the use moves no expiry entry.  A
	 * refresh token's tombstone first lives until its own exp (0:
	 * never); the flush then keeps it as long as a live refresh token
	 * of its chain does (otoken_expire()).
	 */
	rec->active = 0;
	rec->used_at = onow();
	return otoken_store(t, rec, err);
}

void
otoken_grant(const struct otoken_rec *rec, struct ogrant *g)
{
	ogrant_copy(g, &rec->grant);
	free(g->redirect_uri);
	free(g->code_challenge);
	g->redirect_uri = g->code_challenge = NULL;
	g->code_challenge_method = OGRANT_PKCE_NONE;
}

/* SHA-256 of the signature segment of a compact JWS. */
static void
jwt_id(const char *jwt, unsigned char id[OTOKEN_ID_LEN])
{
	const char	*sig = strrchr(jwt, '.');

	sig = sig != NULL ? sig + 1 : jwt;
	ocrypto_sha256(sig, strlen(sig), id);
}

/* Lowercase hex of a store id into out (2 * OTOKEN_ID_LEN + 1 bytes). */
static void
hex_id(const unsigned char id[OTOKEN_ID_LEN], char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < OTOKEN_ID_LEN; i++) {
		out[2 * i] = hex[id[i] >> 4];
		out[2 * i + 1] = hex[id[i] & 0xf];
	}
	out[2 * OTOKEN_ID_LEN] = '\0';
}

void
otk_hex_id(const unsigned char id[OTOKEN_ID_LEN], char *out)
{
	hex_id(id, out);
}

int
otoken_identify(const char *tok, enum otoken_kind *kind,
    unsigned char id[OTOKEN_ID_LEN])
{
	const struct ojwks	*keys;
	struct ojws		*jws = NULL;
	struct oerr		 err;
	const char		*p;
	size_t			 dots = 0;

	if (tok == NULL)
		return 0;
	if (strncmp(tok, prefixes[OTOKEN_ACCESS], PREFIX_LEN) == 0) {
		*kind = OTOKEN_ACCESS;
		return otoken_check(tok, OTOKEN_ACCESS, id) ||
		    otk_sl_open(tok, id);
	}
	if (strncmp(tok, prefixes[OTOKEN_REFRESH], PREFIX_LEN) == 0) {
		*kind = OTOKEN_REFRESH;
		return otoken_check(tok, OTOKEN_REFRESH, id);
	}
	for (p = tok; *p != '\0'; p++)
		dots += *p == '.';
	if (dots != 2)
		return 0;
	oerr_clear(&err);
	if ((keys = okeys_verifiers(OKEYS_ACCESS_TOKEN, &err)) == NULL ||
	    (jws = ojws_verify(tok, strlen(tok), keys->keys, keys->nkeys,
	    asym_algs, &err)) == NULL)
		return 0;
	*kind = OTOKEN_ACCESS;
	jwt_id(tok, id);
	otk_jwt_seen(id, ojwt_claims(jws, &err));
	ojws_free(jws);
	return 1;
}

/*
 * The latest exp of the live refresh tokens of chain rid other than
 * self at not_after: 0 for one that never expires, -1 when there is
 * none (the chain is over), -2 on a store failure.
 */
static int64_t
chain_exp(struct ostore_txn *t, const char *rid,
    const unsigned char self[OTOKEN_ID_LEN], int64_t not_after)
{
	struct ids		 ids;
	struct otoken_rec	 rec;
	struct oerr		 e;
	unsigned char		 k[INDEX_MAX];
	size_t			 i, n;
	int64_t			 best = -1, exp;

	memset(&ids, 0, sizeof(ids));
	if ((n = strnlen(rid, IDS_MAX + 1)) == 0 || n > IDS_MAX)
		return -1;
	memcpy(k, rid, n);
	k[n] = '\0';
	ids.plen = n + 1;
	if (ostore_scan(t, OSTORE_TOKENS_BY_REQUEST, k, ids.plen, NULL, 0,
	    collect_id, &ids) != OSTORE_OK)
		best = -2;
	for (i = 0; best != -2 && best != 0 && i < ids.n; i++) {
		oerr_clear(&e);
		if (memcmp(ids.v[i], self, OTOKEN_ID_LEN) == 0 ||
		    !otoken_load(t, ids.v[i], &rec, &e))
			continue;
		exp = rec.exp;
		if (rec.kind == OTOKEN_REFRESH && rec.active &&
		    (exp == 0 || exp >= not_after) && (exp == 0 || exp > best))
			best = exp;
		otoken_rec_free(&rec);
	}
	free(ids.v);
	return best;
}

/*
 * Expire one token or shared grant (the janitor): delete it when its
 * record's flush time (flush_at()) is before not_after, or when the
 * record is gone or unreadable.  A record whose flush time is later
 * (an entry left behind by a rewrite, or a code stored before codes
 * were kept TOMBSTONE_TTL past their exp) is kept, with an expiry
 * entry at its flush time, since the caller deletes the one it
 * reached.  The tombstone of a used refresh token is kept
 * while its chain has a live refresh token, and its exp moves to the
 * latest of theirs (RFC 9700 §4.14.2: a replay revokes the chain for as
 * long as it lives); token_exp keeps the token's own.
 * Returns 1, or 0 on a store failure.
 */
int
otoken_expire(struct ostore_txn *t, const unsigned char *id, size_t idlen,
    int64_t not_after)
{
	struct otoken_rec	 rec;
	struct oerr		 e;
	int64_t			 cexp, fat;
	int			 rc = 1;

	if (idlen == OTK_GRANT_ID_LEN)
		return otk_grant_expire(t, id, not_after);
	if (idlen != OTOKEN_ID_LEN)
		return 1;
	oerr_clear(&e);
	if (!otoken_load(t, id, &rec, &e))
		return ostore_del(t, OSTORE_TOKENS, id, idlen) != OSTORE_ERR;
	if ((fat = flush_at(rec.kind, rec.exp)) == 0)
		goto out;
	if (fat >= not_after) {
		rc = ostore_expiry_put(t, OSTORE_TOKENS, id, idlen, fat) ==
		    OSTORE_OK;
		goto out;
	}
	if (rec.kind == OTOKEN_REFRESH && !rec.active) {
		if ((cexp = chain_exp(t, rec.grant.request_id, id,
		    not_after)) == -2) {
			rc = 0;
			goto out;
		}
		if (cexp >= 0) {
			if (rec.token_exp == 0)
				rec.token_exp = rec.exp;
			rec.exp = cexp;
			oerr_clear(&e);
			rc = otoken_store(t, &rec, &e);
			goto out;
		}
	}
	rc = otoken_delete(t, id);
out:
	otoken_rec_free(&rec);
	return rc;
}

/*
 * The lifespan of a token in seconds: the client's
 * <grant>_grant_<token>_lifespan (integer seconds) when set, else def
 * (a ttl.* value; -1 never).
 */
int64_t
otk_lifespan_of(const struct oclient *client, const char *grant,
    const char *token, int64_t def)
{
	int64_t	 v;

	if (grant == NULL || client == NULL)
		return def;
	v = oclient_lifespan(client, grant, token);
	return v > 0 ? v : def;
}

/* The grant's scope as a space-separated string (new reference). */
json_t *
otk_scope_str(const struct ogrant *grant)
{
	size_t	 i, len = 0;
	char	*buf;
	json_t	*out;

	for (i = 0; i < grant->scope.n; i++)
		len += strlen(grant->scope.v[i]) + 1;
	buf = oxcalloc(1, len + 1);
	for (i = 0; i < grant->scope.n; i++) {
		if (buf[0] != '\0')
			strcat(buf, " ");
		strcat(buf, grant->scope.v[i]);
	}
	out = json_string(buf);
	free(buf);
	return out != NULL ? out : json_string("");
}

/* A copy of an array member, or an empty array. */
json_t *
otk_array_of(const json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return json_is_array(v) ? json_deep_copy(v) : json_array();
}

/*
 * Check the members every grant needs.  Returns 1, or 0 with a 500 in
 * err (a grant is built by this server, never by a client).
 */
int
otk_grant_ok(const struct ogrant *grant, struct oerr *err)
{
	size_t	 n;

	if (grant == NULL || grant->request_id == NULL ||
	    grant->client_id == NULL || grant->sub == NULL ||
	    (n = strlen(grant->request_id)) == 0 || n > IDS_MAX ||
	    (n = strlen(grant->client_id)) == 0 || n > IDS_MAX) {
		oerr_set(err, OERR_SERVER_ERROR, "The grant lacks request_id, "
		    "client_id or sub.");
		return 0;
	}
	return 1;
}

/*
 * A new token record for grant into rec.  NOTE: rec->grant is a
 * shallow copy of *grant (borrowed): free only rec->access_id.
 */
static void
token_rec(struct otoken_rec *rec, const struct ogrant *grant,
    enum otoken_kind kind, const unsigned char id[OTOKEN_ID_LEN],
    int64_t now, int64_t exp)
{
	memset(rec, 0, sizeof(*rec));
	memcpy(rec->id, id, OTOKEN_ID_LEN);
	rec->kind = kind;
	rec->iat = now;
	rec->exp = exp;
	rec->active = 1;
	rec->grant = *grant;
}

/*
 * The store id of a sealed code's tombstone: the 5 bytes of its iat,
 * big-endian (so that it sorts with what is written beside it), then
 * the first 27 bytes of SHA-256 of the code.
 */
static void
code_id(const char *code, int64_t iat, unsigned char id[OTOKEN_ID_LEN])
{
	unsigned char	 h[OCRYPTO_SHA256_LEN];
	uint64_t	 v = (uint64_t)iat;
	int		 i;

	for (i = TIME_LEN - 1; i >= 0; i--, v >>= 8)
		id[i] = (unsigned char)(v & 0xff);
	ocrypto_sha256(code, strlen(code), h);
	memcpy(id + TIME_LEN, h, OTOKEN_ID_LEN - TIME_LEN);
}

char *
ogrant_code(struct ostore_txn *t, const struct ogrant *grant,
    const char *epoch, struct oerr *err)
{
	struct otoken_rec rec;
	unsigned char	 id[OTOKEN_ID_LEN];
	json_t		*st;
	char		*sealed, *out;
	size_t		 n;
	int64_t		 now = onow();

	if (!otk_grant_ok(grant, err))
		return NULL;
	st = json_pack("{s:I,s:I,s:s,s:o}", "exp", (json_int_t)(now +
	    (oconf != NULL ? oconf->ttl_auth_code : 600)), "iat",
	    (json_int_t)now, "epoch", epoch != NULL ? epoch : "", "grant",
	    ogrant_json(grant));
	if (st == NULL)
		abort();
	sealed = oflow_seal(OFLOW_CODE, st);
	json_decref(st);
	n = PREFIX_LEN + strlen(sealed) + 1;
	if (n <= OCODE_MAX) {
		out = oxmalloc(n);
		snprintf(out, n, "%s%s", prefixes[OTOKEN_CODE], sealed);
	} else {
		/* Too large to travel: stored, as earlier versions did. */
		out = oxmalloc(OTOKEN_MAX);
		otoken_mint(OTOKEN_CODE, out, id);
		token_rec(&rec, grant, OTOKEN_CODE, id, now, now +
		    (oconf != NULL ? oconf->ttl_auth_code : 600));
		if (!otoken_store(t, &rec, err)) {
			ocrypto_wipe(out, OTOKEN_MAX);
			free(out);
			out = NULL;
		}
	}
	ocrypto_wipe(sealed, strlen(sealed));
	free(sealed);
	return out;
}

int
ocode_open(const char *code, struct ocode *c)
{
	json_t		*st;
	struct oerr	 e;
	int		 ok = 0;

	memset(c, 0, sizeof(*c));
	if (code == NULL || strncmp(code, prefixes[OTOKEN_CODE],
	    PREFIX_LEN) != 0 ||
	    (st = oflow_unseal(OFLOW_CODE, code + PREFIX_LEN)) == NULL)
		return 0;
	oerr_clear(&e);
	if (json_is_integer(json_object_get(st, "exp")) &&
	    json_is_integer(json_object_get(st, "iat")) &&
	    json_is_string(json_object_get(st, "epoch")) &&
	    ogrant_decode(json_object_get(st, "grant"), &c->rec.grant, &e)) {
		c->rec.kind = OTOKEN_CODE;
		c->rec.active = 1;
		c->rec.iat = ojson_int(st, "iat");
		c->rec.exp = ojson_int(st, "exp");
		c->epoch = oxstrdup(ojson_str(st, "epoch"));
		code_id(code, c->rec.iat, c->rec.id);
		ok = 1;
	} else
		ocode_free(c);
	json_decref(st);
	return ok;
}

void
ocode_free(struct ocode *c)
{
	otoken_rec_free(&c->rec);
	free(c->epoch);
	memset(c, 0, sizeof(*c));
}

int
ocode_spend(struct ostore_txn *t, struct otoken_rec *rec, struct oerr *err)
{
	json_t	*j;
	char	*buf;
	int	 rc;

	rec->active = 0;
	rec->used_at = onow();
	j = otoken_rec_json(rec);
	buf = json_dumps(j, JSON_COMPACT);
	rc = ostore_put(t, OSTORE_TOKENS, rec->id, OTOKEN_ID_LEN, buf,
	    strlen(buf), OSTORE_NOOVERWRITE) == OSTORE_OK &&
	    ostore_expiry_put(t, OSTORE_TOKENS, rec->id, OTOKEN_ID_LEN,
	    flush_at(OTOKEN_CODE, rec->exp)) == OSTORE_OK;
	if (!rc)
		oerr_set(err, OERR_SERVER_ERROR, "The authorization code "
		    "could not be spent.");
	free(buf);
	json_decref(j);
	return rc;
}

int
ogrant_prepare(struct oerr *err)
{
	const struct ojwk	*k;
	struct oerr		 e;
	char			 tp[OJWK_THUMBPRINT_LEN + 1];
	json_t			*jwk;
	size_t			 i;
	int			 ensured = 0;

	for (i = 0; i < sizeof(signers) / sizeof(signers[0]); i++) {
		oerr_clear(&e);
		k = okeys_signer(signers[i].set, &e);
		if (k == NULL && !ensured) {
			/* Created lazily, as Hydra does. */
			if (!okeys_ensure_defaults(err))
				return 0;
			ensured = 1;
			oerr_clear(&e);
			k = okeys_signer(signers[i].set, &e);
		}
		if (k == NULL) {
			/* Only an error once a token needs it. */
			ojwk_free(signers[i].key);
			signers[i].key = NULL;
			signers[i].tp[0] = '\0';
			signers[i].src = NULL;
			continue;
		}
		/* The same cached key as last time: nothing to redo. */
		if (signers[i].key != NULL && signers[i].src == k &&
		    signers[i].serial == okeys_serial())
			continue;
		signers[i].src = NULL;
		if (!ojwk_thumbprint(k, tp, err))
			return 0;
		if (signers[i].key != NULL && strcmp(tp, signers[i].tp) == 0 &&
		    strcmp(ojwk_kid(k) ? ojwk_kid(k) : "",
		    ojwk_kid(signers[i].key) ? ojwk_kid(signers[i].key) :
		    "") == 0) {
			signers[i].src = k;
			signers[i].serial = okeys_serial();
			continue;
		}
		/*
		 * A private copy: the cache's keys are freed when another
		 * process changes a key set, and ogrant_issue() runs later.
		 */
		if ((jwk = ojwk_export(k, 1, err)) == NULL)
			return 0;
		ojwk_free(signers[i].key);
		signers[i].key = ojwk_import(jwk, 1, err);
		json_decref(jwk);
		if (signers[i].key == NULL) {
			signers[i].tp[0] = '\0';
			return 0;
		}
		memcpy(signers[i].tp, tp, sizeof(tp));
		signers[i].src = k;
		signers[i].serial = okeys_serial();
	}
	return 1;
}

/* The prepared signer i, or NULL with a 500 in err. */
static const struct ojwk *
signer(size_t i, struct oerr *err)
{
	if (signers[i].key == NULL)
		oerr_set(err, OERR_SERVER_ERROR, "The JSON Web Key Set '%s' "
		    "has no private key to sign with (or ogrant_prepare() "
		    "was not called).", signers[i].set);
	return signers[i].key;
}

/* Sign claims with key; a new string (ojose_free()) or NULL. */
static char *
sign(const struct ojwk *key, const json_t *claims, const char *typ,
    struct oerr *err)
{
	json_t	*hdr = json_pack("{s:s}", "typ", typ);
	char	*payload, *out;

	payload = json_dumps(claims, JSON_COMPACT);
	out = ojws_sign(key, NULL, hdr, payload, strlen(payload), err);
	free(payload);
	json_decref(hdr);
	if (out == NULL)
		oerr_status(err, 500);
	return out;
}

/* Does the client get JWT access tokens? */
int
ogrant_jwt_access(const struct oclient *client)
{
	return otk_jwt_strategy(client);
}

int
otk_jwt_strategy(const struct oclient *client)
{
	if (client->strategy == OCLIENT_AT_JWT)
		return 1;
	if (client->strategy == OCLIENT_AT_OPAQUE)
		return 0;
	return oconf != NULL && oconf->access_token_strategy ==
	    OCONF_TOKEN_JWT;
}

/*
 * An RFC 9068 JWT access token for grant (typ "at+jwt"), claims as
 * Hydra's (its oauth2/handler.go), with jti sjti (a stateless token's,
 * stateless_jti()) or a random UUID.  A new string or NULL.
 */
char *
otk_access_jwt(const struct ogrant *grant, int64_t now, int64_t exp,
    const char *sjti, struct oerr *err)
{
	const struct ojwk	*key;
	json_t			*c, *ext;
	char			 jti[37], *out = NULL;

	if ((key = signer(SIGNER_AT, err)) == NULL)
		return NULL;
	if (sjti != NULL)
		snprintf(jti, sizeof(jti), "%s", sjti);
	else
		ocrypto_uuid4(jti);
	ext = json_object_get(grant->session, "access_token");
	c = json_pack("{s:s,s:s,s:o,s:I,s:I,s:I,s:s,s:s,s:o,s:O}",
	    "iss", oconf != NULL ? oconf->issuer : "",
	    "sub", grant->sub,
	    "aud", ojson_strs_json(&grant->aud),
	    "exp", (json_int_t)exp, "iat", (json_int_t)now,
	    "nbf", (json_int_t)now, "jti", jti,
	    "client_id", grant->client_id,
	    "scp", ojson_strs_json(&grant->scope),
	    "ext", json_is_object(ext) ? ext : json_object());
	/* RFC 8693 §4.1: a delegated token names its actor. */
	if (grant->act != NULL)
		json_object_set(c, "act", grant->act);
	/* RFC 9449 §6.1: the key a DPoP-bound token is bound to. */
	if (grant->jkt != NULL)
		json_object_set_new(c, "cnf", json_pack("{s:s}", "jkt",
		    grant->jkt));
	out = sign(key, c, "at+jwt", err);
	json_decref(c);
	return out;
}

/*
 * at_hash / c_hash (OpenID Connect Core §3.3.2.11, §3.2.2.10):
 * base64url of the left half of the hash of the ASCII value, the hash
 * being the one of the ID token's alg (SHA-256 for *256, SHA-384 for
 * *384, SHA-512 for *512).  EdDSA names no hash; SHA-512, the hash of
 * Ed25519 itself, is what other servers use (and OpenID's errata
 * discussion settled on).  Returns a new JSON string or NULL.
 */
static json_t *
half_hash(const char *alg, const char *value)
{
	unsigned char	 h[OCRYPTO_SHA512_LEN];
	char		 out[OCRYPTO_SHA512_LEN];
	enum ocrypto_md	 md;
	size_t		 n, len = strlen(alg);

	if (strcmp(alg, "EdDSA") == 0 ||
	    (len > 3 && strcmp(alg + len - 3, "512") == 0))
		md = OCRYPTO_SHA512;
	else if (len > 3 && strcmp(alg + len - 3, "384") == 0)
		md = OCRYPTO_SHA384;
	else
		md = OCRYPTO_SHA256;
	if (!ocrypto_digest(md, value, strlen(value), h) ||
	    !ocrypto_b64url_encode(out, sizeof(out), &n, h,
	    ocrypto_md_len(md) / 2))
		return NULL;
	return json_string(out);
}

/*
 * The claims of an ID token for grant (OpenID Connect Core §2,
 * §3.1.3.6): registered claims from the grant, then the consent's
 * session.id_token members that are not registered ones.  A new object
 * or NULL with err set.
 */
static json_t *
idt_claims(const struct ogrant *grant, int64_t now, int64_t exp,
    const char *access, const char *code, struct oerr *err)
{
	const struct ojwk	*key;
	json_t			*c = NULL, *extra, *v, *h, *out = NULL;
	const char		*name, *alg;
	char			 jti[37];
	size_t			 i;
	int			 reserved;

	if ((key = signer(SIGNER_ID, err)) == NULL)
		goto out;
	alg = ojwk_alg(key) != NULL ? ojwk_alg(key) : "RS256";
	ocrypto_uuid4(jti);
	c = json_pack("{s:s,s:s,s:[s],s:I,s:I}",
	    "iss", oconf != NULL ? oconf->issuer : "",
	    "sub", grant->sub,
	    "aud", grant->client_id,
	    "exp", (json_int_t)exp, "iat", (json_int_t)now);
	if (grant->auth_time > 0)
		json_object_set_new(c, "auth_time",
		    json_integer(grant->auth_time));
	if (grant->requested_at > 0)
		json_object_set_new(c, "rat",
		    json_integer(grant->requested_at));
	if (grant->nonce != NULL && *grant->nonce != '\0')
		json_object_set_new(c, "nonce", json_string(grant->nonce));
	if (grant->acr != NULL && *grant->acr != '\0')
		json_object_set_new(c, "acr", json_string(grant->acr));
	if (grant->amr.n > 0)
		json_object_set_new(c, "amr", ojson_strs_json(&grant->amr));
	if ((access != NULL && (h = half_hash(alg, access)) == NULL) ||
	    (access != NULL && json_object_set_new(c, "at_hash", h) != 0) ||
	    (code != NULL && (h = half_hash(alg, code)) == NULL) ||
	    (code != NULL && json_object_set_new(c, "c_hash", h) != 0)) {
		oerr_set(err, OERR_SERVER_ERROR, "The token hash could not "
		    "be made.");
		goto out;
	}
	if (grant->sid != NULL && *grant->sid != '\0')
		json_object_set_new(c, "sid", json_string(grant->sid));
	json_object_set_new(c, "jti", json_string(jti));
	extra = json_object_get(grant->session, "id_token");
	json_object_foreach(extra, name, v) {
		for (reserved = 0, i = 0; id_reserved[i] != NULL; i++)
			reserved |= strcmp(name, id_reserved[i]) == 0;
		if (!reserved)
			json_object_set(c, name, v);
	}
	out = c;
	c = NULL;
out:
	json_decref(c);
	return out;
}

/* The ID token of idt_claims(), signed: a new string or NULL. */
static char *
id_token(const struct ogrant *grant, int64_t now, int64_t exp,
    const char *access, const char *code, struct oerr *err)
{
	const struct ojwk	*key;
	json_t			*c;
	char			*out = NULL;

	if ((c = idt_claims(grant, now, exp, access, code, err)) !=
	    NULL && (key = signer(SIGNER_ID, err)) != NULL)
		out = sign(key, c, "JWT", err);
	json_decref(c);
	return out;
}

int
ogrant_finish(json_t *resp, struct oerr *err)
{
	const struct ojwk	*key;
	json_t			*c = json_object_get(resp, "id_token");
	char			*jws;

	if (!json_is_object(c))
		return 1;
	if ((key = signer(SIGNER_ID, err)) == NULL ||
	    (jws = sign(key, c, "JWT", err)) == NULL)
		return 0;
	json_object_set_new(resp, "id_token", json_string(jws));
	ojose_free(jws);
	return 1;
}

/*
 * 1 if the access token of grant, issued for ttl seconds at now with a
 * refresh token of rt_grant that expires at rt_exp (0: never), can be
 * anchored to it (tokens.h, ANCHORED ACCESS TOKENS): an opaque token
 * whose introspection the refresh token's record answers whole (the
 * same scope and audience, no DPoP binding), that the refresh token's
 * record outlives, and whose lifetime fits its 32 bits.
 */
static int
anchorable(const struct ogrant *grant, const struct ogrant *rt_grant,
    const struct oclient *client, int64_t ttl, int64_t now, int64_t rt_exp)
{
	size_t	 i;

	if (otk_jwt_strategy(client) || grant->jkt != NULL ||
	    rt_grant->jkt != NULL || ttl < 0 || ttl > UINT32_MAX ||
	    (rt_exp != 0 && rt_exp < now + ttl) ||
	    grant->scope.n != rt_grant->scope.n ||
	    grant->aud.n != rt_grant->aud.n)
		return 0;
	for (i = 0; i < grant->scope.n; i++)
		if (strcmp(grant->scope.v[i], rt_grant->scope.v[i]) != 0)
			return 0;
	for (i = 0; i < grant->aud.n; i++)
		if (strcmp(grant->aud.v[i], rt_grant->aud.v[i]) != 0)
			return 0;
	return 1;
}

/*
 * Issue what is asked for (see ogrant_issue()); the refresh token
 * records rt_grant.
 */
static json_t *
issue(struct ostore_txn *t, const struct ogrant *grant,
    const struct ogrant *rt_grant,
    const struct oclient *client, unsigned what, const char *code,
    const char *lifespan, struct oerr *err)
{
	unsigned char	 atid[OTOKEN_ID_LEN], rtid[OTOKEN_ID_LEN];
	char		 at[OTOKEN_MAX], rt[OTOKEN_MAX];
	char		 hex[2 * OTOKEN_ID_LEN + 1];
	char		*jwt = NULL, *idt = NULL;
	const char	*access = NULL;
	struct otoken_rec rec;
	struct ogrant	 seen;		/* with the client's subject */
	json_t		*resp = NULL, *out = NULL, *c;
	char		*psub = NULL;
	int64_t		 now = onow(), ttl, rt_exp = 0;
	int		 anchored = 0;

	at[0] = rt[0] = '\0';
	memset(&rec, 0, sizeof(rec));
	if (oconf == NULL) {
		oerr_set(err, OERR_SERVER_ERROR, "No configuration.");
		goto out;
	}
	if (!otk_grant_ok(grant, err) || !otk_grant_ok(rt_grant, err))
		goto out;
	/*
	 * The subject the client sees (subject.h) in what it reads: the
	 * ID token and a JWT access token.  A client_credentials grant's
	 * subject is the client itself.
	 */
	seen = *grant;
	if (lifespan == NULL || strcmp(lifespan, "client_credentials") != 0) {
		if ((psub = osubject_of(client, grant->sub,
		    grant->forced_sub)) == NULL) {
			oerr_set(err, OERR_SERVER_ERROR, "The pairwise subject "
			    "cannot be made: the client has no sector "
			    "identifier.");
			goto out;
		}
		seen.sub = psub;
	}
	resp = json_object();

	/* Only for offline access (OpenID Connect Core §11). */
	if ((what & OISSUE_REFRESH) && (ojson_strs_has(&rt_grant->scope,
	    "offline") || ojson_strs_has(&rt_grant->scope,
	    "offline_access"))) {
		ttl = otk_lifespan_of(client, lifespan, "refresh_token",
		    oconf->ttl_refresh_token);
		rt_exp = ttl < 0 ? 0 : now + ttl;
		otoken_mint(OTOKEN_REFRESH, rt, rtid);
	}

	if (what & OISSUE_ACCESS) {
		ttl = otk_lifespan_of(client, lifespan, "access_token",
		    oconf->ttl_access_token);
		if (rt[0] != '\0' && anchorable(grant, rt_grant, client, ttl,
		    now, rt_exp)) {
			/* Stored nowhere: it names the refresh token. */
			otk_anchored_mint(rtid, now, now + ttl, at, atid);
			access = at;
			anchored = 1;
		} else if (otk_jwt_strategy(client)) {
			if ((jwt = otk_access_jwt(&seen, now, now + ttl, NULL,
			    err)) == NULL)
				goto out;
			jwt_id(jwt, atid);
			access = jwt;
		} else {
			otoken_mint(OTOKEN_ACCESS, at, atid);
			access = at;
		}
		token_rec(&rec, grant, OTOKEN_ACCESS, atid, now, now + ttl);
		if (!anchored && !otoken_store(t, &rec, err))
			goto out;
		json_object_set_new(resp, "access_token", json_string(access));
		json_object_set_new(resp, "token_type", json_string(
		    grant->jkt != NULL ? "DPoP" : "bearer"));
		json_object_set_new(resp, "expires_in", json_integer(ttl));
	}
	json_object_set_new(resp, "scope", otk_scope_str(grant));

	if (rt[0] != '\0') {
		token_rec(&rec, rt_grant, OTOKEN_REFRESH, rtid, now, rt_exp);
		/*
		 * RFC 9449 §5: only a public client's refresh token is
		 * bound; a confidential client's is bound by its
		 * authentication already.
		 */
		if (client->auth != OCLIENT_AUTH_NONE)
			rec.grant.jkt = NULL;
		if (access != NULL && !anchored) {
			hex_id(atid, hex);
			rec.access_id = hex;
		}
		if (!otoken_store(t, &rec, err))
			goto out;
		json_object_set_new(resp, "refresh_token", json_string(rt));
	}

	if ((what & OISSUE_IDTOKEN) && ojson_strs_has(&grant->scope,
	    "openid")) {
		ttl = otk_lifespan_of(client, lifespan, "id_token",
		    oconf->ttl_id_token);
		if (what & OISSUE_DEFER) {
			/* Signed by ogrant_finish(), out of the write lock. */
			if ((c = idt_claims(&seen, now, now + ttl, access,
			    code, err)) == NULL)
				goto out;
			json_object_set_new(resp, "id_token", c);
		} else {
			if ((idt = id_token(&seen, now, now + ttl, access, code,
			    err)) == NULL)
				goto out;
			json_object_set_new(resp, "id_token",
			    json_string(idt));
		}
	}
	out = resp;
	resp = NULL;
out:
	ocrypto_wipe(at, sizeof(at));
	ocrypto_wipe(rt, sizeof(rt));
	ojose_free(jwt);
	ojose_free(idt);
	free(psub);
	json_decref(resp);
	return out;
}

json_t *
ogrant_issue(struct ostore_txn *t, const struct ogrant *grant,
    const struct oclient *client, unsigned what, const char *code,
    const char *lifespan, struct oerr *err)
{
	return issue(t, grant, grant, client, what, code, lifespan, err);
}

json_t *
ogrant_issue_refresh(struct ostore_txn *t, const struct ogrant *grant,
    const struct ogrant *rt_grant, const struct oclient *client, unsigned what,
    const char *lifespan, struct oerr *err)
{
	return issue(t, grant, rt_grant != NULL ? rt_grant : grant, client,
	    what, NULL, lifespan, err);
}
