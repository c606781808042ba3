/*
 * tokens_stateless.c: access tokens that are not stored (see "STATELESS
 * ACCESS TOKENS" and "ANCHORED ACCESS TOKENS" in tokens.h): opaque
 * client_credentials tokens that name a shared grant, JWT
 * client_credentials tokens whose jti says they were issued
 * statelessly, and opaque access tokens issued with a refresh token,
 * which name it; their lookup, revocation (a tombstone, or the chain)
 * and the flush of shared grants.
 *
 * Store layout (schema/store.md):
 *
 *	tokens    gid (16 bytes) -> shared grant {"_v":1, "kind":"grant",
 *	          "client_id", "scope", "aud", "epoch", "at", "exp"}
 *	expiry    exp (8, BE) OSTORE_TOKENS gid -> ""
 *	tokens    id (32 bytes) -> tombstone of a revoked stateless token
 *	          (a token record with "active": false, "stateless": true,
 *	          indexed as any other)
 */
#include <stdint.h>
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
#include "records/tokens.h"
#include "records/tokens_int.h"

#define RECORD_VERSION	OTK_RECORD_VERSION
#define RAW_LEN		OTK_RAW_LEN
#define SIG_LEN		OTK_SIG_LEN
#define TOKEN_LEN	OTK_TOKEN_LEN
#define GRANT_ID_LEN	OTK_GRANT_ID_LEN
#define SL_INFO		OTK_SL_INFO
#define AN_INFO		OTK_AN_INFO
#define GRANT_KIND	"grant"	/* "kind" of a shared grant record */
#define GRANT_CACHE	16	/* shared grants kept parsed per process */
#define JTI_INFO	"oidcgi stateless jwt"	/* HKDF info, jti MACs */
#define GRANT_YOUNG	2	/* seconds a new shared grant may be unsynced */

/*
 * What the 32 bytes before the dot of a stateless token hold: the
 * shared grant's id, iat (40 bits) and the lifetime (32 bits), both
 * big-endian, and 7 random bytes.  An anchored token holds the first
 * 16 bytes of its refresh token's store id where a stateless one holds
 * the shared grant's id; its MAC key (AN_INFO) tells it apart.
 */
struct sltok {
	unsigned char	 gid[GRANT_ID_LEN];	/* or the anchor */
	int64_t		 iat, exp;
	int		 anchored;
};

/* Pack st with fresh random bytes into raw. */
static void
sl_pack(const struct sltok *st, unsigned char raw[RAW_LEN])
{
	uint64_t	 iat = (uint64_t)st->iat, ttl;
	int		 i;

	ttl = st->exp > st->iat ? (uint64_t)(st->exp - st->iat) : 0;
	if (ttl > UINT32_MAX)
		ttl = UINT32_MAX;
	memcpy(raw, st->gid, GRANT_ID_LEN);
	for (i = 4; i >= 0; i--, iat >>= 8)
		raw[GRANT_ID_LEN + i] = (unsigned char)(iat & 0xff);
	for (i = 3; i >= 0; i--, ttl >>= 8)
		raw[GRANT_ID_LEN + 5 + i] = (unsigned char)(ttl & 0xff);
	ocrypto_random(raw + GRANT_ID_LEN + 9, RAW_LEN - GRANT_ID_LEN - 9);
}

/* Unpack raw into st. */
static void
sl_unpack(const unsigned char raw[RAW_LEN], struct sltok *st)
{
	uint64_t	 iat = 0, ttl = 0;
	int		 i;

	memcpy(st->gid, raw, GRANT_ID_LEN);
	for (i = 0; i < 5; i++)
		iat = iat << 8 | raw[GRANT_ID_LEN + i];
	for (i = 0; i < 4; i++)
		ttl = ttl << 8 | raw[GRANT_ID_LEN + 5 + i];
	st->iat = (int64_t)iat;
	st->exp = (int64_t)(iat + ttl);
}

/*
 * Mint the opaque token of gid (a shared grant's id, or an anchor),
 * iat and exp under MAC key info (SL_INFO or AN_INFO) into out, its
 * store id (SHA-256 of its MAC) into id.
 */
static void
sl_mint(const char *info, const unsigned char gid[GRANT_ID_LEN],
    int64_t iat, int64_t exp, char out[OTOKEN_MAX],
    unsigned char id[OTOKEN_ID_LEN])
{
	unsigned char	 raw[RAW_LEN], sig[SIG_LEN];
	struct sltok	 st;

	memset(&st, 0, sizeof(st));
	memcpy(st.gid, gid, GRANT_ID_LEN);
	st.iat = iat;
	st.exp = exp;
	sl_pack(&st, raw);
	otk_make(info, OTOKEN_ACCESS, raw, sig, out);
	ocrypto_sha256(sig, SIG_LEN, id);
	ocrypto_wipe(raw, sizeof(raw));
	ocrypto_wipe(sig, sizeof(sig));
}

/*
 * Open a stateless or anchored access token: 1 with what it holds in
 * st and its store id (SHA-256 of its MAC: its raw part holds no time
 * to sort by), or 0 when it is neither kind of token of this server
 * (any configured secret).
 */
static int
sl_open(const char *tok, struct sltok *st, unsigned char id[OTOKEN_ID_LEN])
{
	/*
	 * The last token opened, by its SHA-256 (the token itself is not
	 * kept): a request identifies a token and then looks it up, and
	 * that need not check its MAC twice.
	 */
	static struct {
		unsigned char	 hash[OCRYPTO_SHA256_LEN];
		struct sltok	 st;
		unsigned char	 id[OTOKEN_ID_LEN];
		char		*secrets[OCONF_SECRETS_MAX];
		size_t		 nsecrets;
		int		 valid;
	} last;
	unsigned char	 raw[RAW_LEN + 2], sig[SIG_LEN + 2];
	unsigned char	 hash[OCRYPTO_SHA256_LEN];
	int		 rc = 0;

	if (oconf == NULL || tok == NULL ||
	    strnlen(tok, TOKEN_LEN + 1) != TOKEN_LEN)
		return 0;
	/* Only under the same secrets (tests swap them in one process). */
	if (last.valid && (last.nsecrets != oconf->nsecrets ||
	    !ocrypto_eq_fixed(last.secrets, oconf->secrets,
	    sizeof(last.secrets))))
		last.valid = 0;
	ocrypto_sha256(tok, TOKEN_LEN, hash);
	if (last.valid && ocrypto_eq_fixed(last.hash, hash, sizeof(hash))) {
		*st = last.st;
		memcpy(id, last.id, OTOKEN_ID_LEN);
		return 1;
	}
	if (otk_decode(tok, OTOKEN_ACCESS, raw, sig)) {
		if (otk_mac_ok(SL_INFO, OTOKEN_ACCESS, raw, sig))
			rc = 1;
		else if (otk_mac_ok(AN_INFO, OTOKEN_ACCESS, raw, sig))
			rc = 2;
	}
	if (rc != 0) {
		sl_unpack(raw, st);
		st->anchored = rc == 2;
		rc = 1;
		ocrypto_sha256(sig, SIG_LEN, id);
		memcpy(last.hash, hash, sizeof(hash));
		last.st = *st;
		memcpy(last.id, id, OTOKEN_ID_LEN);
		memcpy(last.secrets, oconf->secrets, sizeof(last.secrets));
		last.nsecrets = oconf->nsecrets;
		last.valid = 1;
	}
	ocrypto_wipe(raw, sizeof(raw));
	ocrypto_wipe(sig, sizeof(sig));
	return rc;
}

/*
 * The id of the shared grant of (client_id, epoch, scope, aud): the
 * first 16 bytes of SHA-256 over them, NUL-separated (aud as compact
 * JSON).  Every process finds the same record for the same grant.
 */
static void
grant_id(const char *client_id, const char *epoch, const char *scope,
    const json_t *aud, unsigned char gid[GRANT_ID_LEN])
{
	unsigned char	 h[OCRYPTO_SHA256_LEN];
	char		*a, *buf;
	size_t		 n;

	a = json_dumps(aud, JSON_COMPACT);
	n = strlen(client_id) + strlen(epoch) + strlen(scope) + strlen(a) + 4;
	buf = oxmalloc(n);
	snprintf(buf, n, "%s%c%s%c%s%c%s", client_id, '\0', epoch, '\0',
	    scope, '\0', a);
	ocrypto_sha256(buf, n - 1, h);
	memcpy(gid, h, GRANT_ID_LEN);
	free(buf);
	free(a);
}

/*
 * A shared grant record, decoded (everything owned: sgrant_free()).
 * On disk: {"_v":1, "kind":"grant", "client_id", "scope", "aud",
 * "epoch", "at", "exp"}, in that order.
 */
struct sgrant {
	char			*client_id;
	struct ojson_strs	 scope;
	struct ojson_strs	 aud;
	char			*epoch;		/* the client's, when written */
	int64_t			 at;		/* when it was written */
	int64_t			 exp;
};

static void
sgrant_free(struct sgrant *g)
{
	free(g->client_id);
	ojson_strs_free(&g->scope);
	ojson_strs_free(&g->aud);
	free(g->epoch);
	memset(g, 0, sizeof(*g));
}

static void
sgrant_copy(struct sgrant *dst, const struct sgrant *src)
{
	size_t	 i;

	memset(dst, 0, sizeof(*dst));
	dst->client_id = oxstrdup(src->client_id);
	for (i = 0; i < src->scope.n; i++)
		ojson_strs_add(&dst->scope, src->scope.v[i]);
	for (i = 0; i < src->aud.n; i++)
		ojson_strs_add(&dst->aud, src->aud.v[i]);
	dst->epoch = oxstrdup(src->epoch);
	dst->at = src->at;
	dst->exp = src->exp;
}

/* 1 if v is an array of strings. */
static int
strs_ok(const json_t *v)
{
	json_t	*s;
	size_t	 i;

	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, s)
		if (!json_is_string(s))
			return 0;
	return 1;
}

/*
 * Decode the shared grant record j into g (zeroed first).  Returns 1,
 * or 0 when it is not one (logged with the member at fault).
 */
static int
sgrant_decode(const json_t *j, struct sgrant *g)
{
	const char	*bad = NULL;
	json_t		*v;

	memset(g, 0, sizeof(*g));
	if (!json_is_object(j))
		bad = "record";
	else if (ojson_int(j, "_v") != RECORD_VERSION)
		bad = "_v";
	else if (strcmp(ojson_str(j, "kind"), GRANT_KIND) != 0)
		bad = "kind";
	else if (!json_is_string(json_object_get(j, "client_id")))
		bad = "client_id";
	else if (!strs_ok(json_object_get(j, "scope")))
		bad = "scope";
	else if (!strs_ok(json_object_get(j, "aud")))
		bad = "aud";
	else if ((v = json_object_get(j, "epoch")) != NULL &&
	    !json_is_string(v))
		bad = "epoch";
	else if ((v = json_object_get(j, "at")) != NULL &&
	    !json_is_integer(v))
		bad = "at";
	else if (!json_is_integer(json_object_get(j, "exp")))
		bad = "exp";
	if (bad != NULL) {
		olog_err("grant_load: unreadable shared grant ('%s')", bad);
		return 0;
	}
	g->client_id = oxstrdup(ojson_str(j, "client_id"));
	ojson_strs_set(&g->scope, json_object_get(j, "scope"));
	ojson_strs_set(&g->aud, json_object_get(j, "aud"));
	g->epoch = oxstrdup(ojson_str(j, "epoch"));
	g->at = ojson_int(j, "at");
	g->exp = ojson_int(j, "exp");
	return 1;
}

/* The record of g as stored, compact JSON (a new string). */
static char *
sgrant_dump(const struct sgrant *g)
{
	json_t	*j;
	char	*out;

	j = json_pack("{s:i,s:s,s:s,s:o,s:o,s:s,s:I,s:I}", "_v",
	    RECORD_VERSION, "kind", GRANT_KIND, "client_id", g->client_id,
	    "scope", ojson_strs_json(&g->scope), "aud",
	    ojson_strs_json(&g->aud), "epoch", g->epoch, "at",
	    (json_int_t)g->at, "exp", (json_int_t)g->exp);
	out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return out;
}

/*
 * Shared grants decoded by this process, with the stored bytes they were
 * decoded from (a hit is a read and a comparison, never stale).
 */
static struct grant_memo {
	unsigned char	 gid[GRANT_ID_LEN];
	unsigned char	*raw;
	size_t		 rawlen;
	int		 valid;
	struct sgrant	 g;
} grant_memo[GRANT_CACHE];
static size_t		 grant_memo_next;

/*
 * The shared grant gid into g (zeroed first; sgrant_free()).  Returns
 * 1, or 0 when there is none (or it is unreadable).
 */
static int
grant_load(struct ostore_txn *t, const unsigned char gid[GRANT_ID_LEN],
    struct sgrant *g)
{
	const void		*v;
	size_t			 vl, i;
	struct grant_memo	*m = NULL;
	json_t			*j;
	int			 ok;

	memset(g, 0, sizeof(*g));
	if (ostore_get(t, OSTORE_TOKENS, gid, GRANT_ID_LEN, &v, &vl) !=
	    OSTORE_OK)
		return 0;
	for (i = 0; i < GRANT_CACHE; i++)
		if (grant_memo[i].valid &&
		    memcmp(grant_memo[i].gid, gid, GRANT_ID_LEN) == 0) {
			m = &grant_memo[i];
			break;
		}
	if (m != NULL && m->rawlen == vl && memcmp(m->raw, v, vl) == 0) {
		sgrant_copy(g, &m->g);
		return 1;
	}
	j = json_loadb(v, vl, JSON_REJECT_DUPLICATES, NULL);
	ok = sgrant_decode(j, g);
	json_decref(j);
	if (!ok)
		return 0;
	if (m == NULL) {
		m = &grant_memo[grant_memo_next];
		grant_memo_next = (grant_memo_next + 1) % GRANT_CACHE;
	}
	free(m->raw);
	sgrant_free(&m->g);
	memcpy(m->gid, gid, GRANT_ID_LEN);
	m->raw = oxmalloc(vl > 0 ? vl : 1);
	memcpy(m->raw, v, vl);
	m->rawlen = vl;
	sgrant_copy(&m->g, g);
	m->valid = 1;
	return 1;
}

/*
 * A stateless token's record into rec (zeroed first): shaped as a
 * stored client_credentials access token (token_rec() of cc_prepare()'s
 * grant) plus stateless; its request_id is the hex store id (a chain
 * of its own), with client_id, sub, scope, aud, requested_at = iat,
 * exp, active and the session's access_token claims (ext, NULL: none)
 * as given.
 */
static void
stateless_rec(struct otoken_rec *rec, const unsigned char id[OTOKEN_ID_LEN],
    const char *client_id, const char *sub, const struct ojson_strs *scope,
    const struct ojson_strs *aud, const json_t *ext, int64_t iat,
    int64_t exp, int active)
{
	char	 hex[2 * OTOKEN_ID_LEN + 1];
	size_t	 i;

	memset(rec, 0, sizeof(*rec));
	otk_hex_id(id, hex);
	memcpy(rec->id, id, OTOKEN_ID_LEN);
	rec->grant.request_id = oxstrdup(hex);
	rec->grant.client_id = oxstrdup(client_id);
	rec->grant.sub = oxstrdup(sub);
	for (i = 0; i < scope->n; i++)
		ojson_strs_add(&rec->grant.scope, scope->v[i]);
	for (i = 0; i < aud->n; i++)
		ojson_strs_add(&rec->grant.aud, aud->v[i]);
	rec->grant.requested_at = iat;
	rec->grant.has = OGRANT_HAS_REQUESTED_AT;
	rec->grant.session = json_pack("{s:{},s:o}", "id_token",
	    "access_token", json_is_object(ext) ? json_deep_copy(ext) :
	    json_object());
	rec->kind = OTOKEN_ACCESS;
	rec->iat = iat;
	rec->exp = exp;
	rec->active = active;
	rec->stateless = 1;
}

/*
 * The MAC half of a stateless JWT's jti (8 bytes into out): HMAC-SHA-256
 * under secret i (HKDF info JTI_INFO) over its random half, the client
 * and the client's "_epoch".  Returns 1, or 0 when there is no secret i.
 */
static int
jti_mac(size_t i, const unsigned char r[8], const char *client_id,
    const char *epoch, unsigned char out[8])
{
	unsigned char	 key[OCRYPTO_SHA256_LEN], h[OCRYPTO_SHA256_LEN];
	char		*in;
	size_t		 n;
	int		 rc;

	if (!otk_mac_key(JTI_INFO, i, key))
		return 0;
	n = 8 + strlen(client_id) + 1 + strlen(epoch);
	in = oxmalloc(n);
	memcpy(in, r, 8);
	memcpy(in + 8, client_id, strlen(client_id) + 1);
	memcpy(in + 8 + strlen(client_id) + 1, epoch, strlen(epoch));
	rc = ocrypto_hmac(OCRYPTO_SHA256, key, sizeof(key), in, n, h);
	memcpy(out, h, 8);
	/* RFC 9562 §4.1: the variant bits of the UUID it goes into. */
	out[0] = (unsigned char)((out[0] & 0x3f) | 0x80);
	ocrypto_wipe(key, sizeof(key));
	free(in);
	return rc;
}

/*
 * The jti of a stateless JWT access token for client_id at epoch: a
 * UUID laid out as version 4 whose first half is random and whose second
 * half is jti_mac() of it.  Only this server can make one, and one made
 * before the client voided its tokens no longer checks (jti_ok()).
 */
static void
stateless_jti(const char *client_id, const char *epoch, char out[37])
{
	unsigned char	 b[16];

	ocrypto_random(b, 8);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	if (!jti_mac(0, b, client_id, epoch, b + 8)) {
		olog_err("stateless_jti: no system secret");
		abort();
	}
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* 1 if jti is a stateless_jti() for client_id at epoch (any secret). */
static int
jti_ok(const char *jti, const char *client_id, const char *epoch)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 b[16], want[8];
	const char		*h, *l;
	size_t			 i, j;
	int			 ok = 0;

	if (jti == NULL || strlen(jti) != 36)
		return 0;
	for (i = j = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (jti[i] != '-')
				return 0;
			continue;
		}
		if ((h = strchr(hex, jti[i])) == NULL || jti[i] == '\0' ||
		    (l = strchr(hex, jti[i + 1])) == NULL || jti[i + 1] == '\0')
			return 0;
		b[j++] = (unsigned char)((h - hex) << 4 | (l - hex));
		i++;
	}
	for (i = 0; oconf != NULL && i < oconf->nsecrets && !ok; i++)
		ok = jti_mac(i, b, client_id, epoch, want) &&
		    ocrypto_eq_fixed(want, b + 8, 8);
	return ok;
}

/*
 * The claims of the JWT access token otoken_identify() verified last
 * (a request identifies a token, then looks it up inside a transaction,
 * where the key cache cannot be read to verify it again).
 */
static struct {
	unsigned char	 id[OTOKEN_ID_LEN];
	json_t		*claims;
} jwt_last;

/*
 * The token record of the stateless JWT access token whose claims are
 * c (store id id) into rec, as stateless_rec() makes one for an opaque
 * token: active when its jti still checks for its client (jti_ok()).
 * Returns 0 when it is no stateless token, or its client is gone.
 */
static int
stateless_jwt_rec(struct ostore_txn *t, const json_t *c,
    const unsigned char id[OTOKEN_ID_LEN], struct otoken_rec *rec)
{
	struct oerr	 e;
	const struct oclient *client;
	const char	*cid = ojson_str(c, "client_id");
	struct ojson_strs scp, aud;
	int		 rc = 0;

	oerr_clear(&e);
	if ((client = oclient_find(t, cid, &e)) == NULL)
		return 0;
	if (jti_ok(ojson_str(c, "jti"), cid, client->epoch)) {
		memset(&scp, 0, sizeof(scp));
		memset(&aud, 0, sizeof(aud));
		ojson_strs_set(&scp, json_object_get(c, "scp"));
		ojson_strs_set(&aud, json_object_get(c, "aud"));
		stateless_rec(rec, id, cid, ojson_str(c, "sub"), &scp, &aud,
		    json_object_get(c, "ext"), ojson_int(c, "iat"),
		    ojson_int(c, "exp"), 1);
		ojson_strs_free(&scp);
		ojson_strs_free(&aud);
		rc = 1;
	}
	oclient_release(client);
	return rc;
}

/* What anchor_find() found: the store ids starting with the anchor. */
struct anchor_hit {
	unsigned char	 id[OTOKEN_ID_LEN];
	size_t		 n;
};

static int
anchor_hit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct anchor_hit	*h = arg;

	(void)v;
	(void)vl;
	if (kl != OTOKEN_ID_LEN)
		return 1;	/* a shared grant's 16-byte id */
	if (h->n++ == 0)
		memcpy(h->id, k, OTOKEN_ID_LEN);
	return h->n < 2;
}

/*
 * The record of the anchored access token st (store id id) into rec:
 * its refresh token's record, as the access token issued with it
 * (kind, id, iat and exp its own), active while that refresh token is
 * (neither used nor revoked: revoking deletes it).  Returns 1, or 0
 * when the refresh token is gone (revoked, or flushed once the chain
 * was over) or the anchor is not one refresh token's.
 */
static int
anchored_rec(struct ostore_txn *t, const struct sltok *st,
    const unsigned char id[OTOKEN_ID_LEN], struct otoken_rec *rec)
{
	struct anchor_hit	 h;
	struct oerr		 e;

	memset(&h, 0, sizeof(h));
	if (ostore_scan(t, OSTORE_TOKENS, st->gid, GRANT_ID_LEN, NULL, 0,
	    anchor_hit, &h) != OSTORE_OK || h.n != 1)
		return 0;
	oerr_clear(&e);
	if (!otoken_load(t, h.id, rec, &e))
		return 0;
	if (rec->kind != OTOKEN_REFRESH || rec->grant.jkt != NULL) {
		otoken_rec_free(rec);
		return 0;
	}
	memcpy(rec->id, id, OTOKEN_ID_LEN);
	rec->kind = OTOKEN_ACCESS;
	rec->iat = st->iat;
	rec->exp = st->exp;
	rec->used_at = 0;
	rec->token_exp = 0;
	free(rec->access_id);
	rec->access_id = NULL;
	return 1;
}

void
otk_anchored_mint(const unsigned char rtid[OTOKEN_ID_LEN], int64_t iat,
    int64_t exp, char out[OTOKEN_MAX], unsigned char id[OTOKEN_ID_LEN])
{
	sl_mint(AN_INFO, rtid, iat, exp, out, id);
}

int
otoken_lookup(struct ostore_txn *t, const char *tok,
    const unsigned char id[OTOKEN_ID_LEN], struct otoken_rec *rec,
    struct oerr *err)
{
	unsigned char	 sid[OTOKEN_ID_LEN];
	struct sltok	 st;
	struct oerr	 e;
	const struct oclient *client;
	struct sgrant	 g;
	int		 active;

	memset(rec, 0, sizeof(*rec));
	oerr_clear(&e);
	if (!sl_open(tok, &st, sid) || memcmp(sid, id, OTOKEN_ID_LEN) != 0) {
		if (otoken_load(t, id, rec, &e))
			return 1;
		/* A JWT without a record: stateless, or gone. */
		if (e.code == OERR_NOT_FOUND && jwt_last.claims != NULL &&
		    memcmp(jwt_last.id, id, OTOKEN_ID_LEN) == 0 &&
		    stateless_jwt_rec(t, jwt_last.claims, id, rec))
			return 1;
		goto none;
	}
	/* Anchored: as live as its refresh token (revoked with it). */
	if (st.anchored) {
		if (anchored_rec(t, &st, id, rec))
			return 1;
		goto none;
	}
	/* Revoked: its tombstone. */
	if (otoken_load(t, id, rec, &e))
		return 1;
	/* Gone once it expired and the flush took it. */
	if (!grant_load(t, st.gid, &g))
		goto none;
	/*
	 * Void once its client is gone or has voided its tokens since
	 * (DELETE /oauth2/tokens; deleted and created again).
	 */
	oerr_clear(&e);
	client = oclient_find(t, g.client_id, &e);
	active = client != NULL && strcmp(g.epoch, client->epoch) == 0;
	stateless_rec(rec, id, g.client_id, g.client_id, &g.scope, &g.aud,
	    NULL, st.iat, st.exp, active);
	oclient_release(client);
	sgrant_free(&g);
	return 1;
none:
	oerr_set(err, OERR_NOT_FOUND, "The token is not known.");
	return 0;
}

int
otoken_revoke(struct ostore_txn *t, const struct otoken_rec *rec)
{
	struct otoken_rec	 tomb;
	struct oerr		 e;

	if (!rec->stateless)
		return otoken_revoke_request(t, rec->grant.request_id);
	/* Already revoked, void or expired: nothing left to do. */
	if (!otoken_live(rec, OTOKEN_ACCESS, onow()))
		return 1;
	/* The tombstone lives as long as the token would have. */
	tomb = *rec;
	tomb.active = 0;
	tomb.used_at = onow();
	oerr_clear(&e);
	return otoken_store(t, &tomb, &e);
}

int
otk_sl_open(const char *tok, unsigned char id[OTOKEN_ID_LEN])
{
	struct sltok	 st;

	return sl_open(tok, &st, id);
}

void
otk_jwt_seen(const unsigned char id[OTOKEN_ID_LEN], json_t *claims)
{
	json_decref(jwt_last.claims);
	memcpy(jwt_last.id, id, OTOKEN_ID_LEN);
	jwt_last.claims = claims;
}

int
otk_grant_expire(struct ostore_txn *t, const unsigned char *id,
    int64_t not_after)
{
	struct sgrant	 g;
	int		 keep;

	/* A shared grant outlives every token that names it. */
	keep = grant_load(t, id, &g) && g.exp >= not_after;
	sgrant_free(&g);
	if (keep)
		return 1;
	return ostore_del(t, OSTORE_TOKENS, id, GRANT_ID_LEN) != OSTORE_ERR;
}

/*
 * Make sure the shared grant g (id gid) is stored and lives until at
 * least exp; in a write transaction.  It is given half a token lifetime
 * more, so that it is rewritten twice per lifetime, not per token, and
 * its expiry entry moves with it.  Returns 1, or 0 with err set.
 */
static int
grant_put(struct ostore_txn *t, const unsigned char gid[GRANT_ID_LEN],
    struct sgrant *g, int64_t exp, int64_t more, struct oerr *err)
{
	struct sgrant	 old;
	char		*buf;
	int64_t		 oexp = 0;
	int		 rc = 0;

	if (grant_load(t, gid, &old)) {
		oexp = old.exp;
		sgrant_free(&old);
		if (oexp >= exp)
			return 1;	/* another process was first */
	}
	g->exp = exp + more;
	buf = sgrant_dump(g);
	if (ostore_put(t, OSTORE_TOKENS, gid, GRANT_ID_LEN, buf, strlen(buf),
	    0) == OSTORE_OK && (oexp == 0 || ostore_expiry_del(t,
	    OSTORE_TOKENS, gid, GRANT_ID_LEN, oexp) == OSTORE_OK) &&
	    ostore_expiry_put(t, OSTORE_TOKENS, gid, GRANT_ID_LEN,
	    exp + more) == OSTORE_OK)
		rc = 1;
	else
		oerr_set(err, OERR_SERVER_ERROR, "The grant could not be "
		    "stored.");
	free(buf);
	return rc;
}

enum ogrant_rc
ogrant_issue_stateless(struct ostore_txn *t, int writable,
    const struct ogrant *grant, const struct oclient *client,
    const char *lifespan, json_t **resp, struct oerr *err)
{
	unsigned char	 gid[GRANT_ID_LEN], id[OTOKEN_ID_LEN];
	char		 tok[OTOKEN_MAX], jti[37], *jwt = NULL;
	json_t		*scope = NULL, *aud = NULL, *v;
	struct sgrant	 g;
	const char	*k;
	int64_t		 now = onow(), ttl;
	size_t		 i;
	enum ogrant_rc	 rc = OGRANT_STORE;

	*resp = NULL;
	memset(&g, 0, sizeof(g));
	if (oconf == NULL) {
		oerr_set(err, OERR_SERVER_ERROR, "No configuration.");
		return OGRANT_ERR;
	}
	if (!otk_grant_ok(grant, err))
		return OGRANT_ERR;
	/*
	 * Only what the token and its shared grant hold: a subject that is
	 * its client, and no session claims.
	 */
	if (strcmp(grant->sub, grant->client_id) != 0 ||
	    strcmp(client->id, grant->client_id) != 0)
		return OGRANT_STORE;
	/*
	 * A DPoP-bound token (RFC 9449) is stored: its key's thumbprint
	 * must be on record for introspection and the resource's check.
	 */
	if (grant->jkt != NULL)
		return OGRANT_STORE;
	json_object_foreach(grant->session, k, v)
		if (json_object_size(v) > 0)
			return OGRANT_STORE;
	ttl = otk_lifespan_of(client, lifespan, "access_token",
	    oconf->ttl_access_token);
	if (ttl < 0 || ttl > UINT32_MAX)
		return OGRANT_STORE;
	scope = otk_scope_str(grant);
	/* A JWT carries its grant: no shared grant, nothing to read. */
	if (otk_jwt_strategy(client)) {
		stateless_jti(client->id, client->epoch, jti);
		if ((jwt = otk_access_jwt(grant, now, now + ttl, jti, err)) ==
		    NULL) {
			rc = OGRANT_ERR;
			goto out;
		}
		*resp = json_pack("{s:s,s:s,s:I,s:O}", "access_token", jwt,
		    "token_type", "bearer", "expires_in", (json_int_t)ttl,
		    "scope", scope);
		rc = OGRANT_OK;
		goto out;
	}
	aud = ojson_strs_json(&grant->aud);
	grant_id(client->id, client->epoch, json_string_value(scope), aud,
	    gid);
	/* Its shared grant must outlive it: written once per lifetime. */
	if (!grant_load(t, gid, &g) || g.exp < now + ttl) {
		if (!writable) {
			rc = OGRANT_WRITE;
			goto out;
		}
		sgrant_free(&g);
		g.client_id = oxstrdup(client->id);
		for (i = 0; i < grant->scope.n; i++)
			ojson_strs_add(&g.scope, grant->scope.v[i]);
		for (i = 0; i < grant->aud.n; i++)
			ojson_strs_add(&g.aud, grant->aud.v[i]);
		g.epoch = oxstrdup(client->epoch);
		g.at = now;
		if (!grant_put(t, gid, &g, now + ttl, ttl / 2, err)) {
			rc = OGRANT_ERR;
			goto out;
		}
	} else if (!writable && now - g.at < GRANT_YOUNG &&
	    !ostore_sync()) {
		/*
		 * Written an instant ago by another process, which may not
		 * have synced it yet: on disk before a token names it.
		 */
		oerr_set(err, OERR_SERVER_ERROR, "The store could not save "
		    "the grant.");
		rc = OGRANT_ERR;
		goto out;
	}
	sl_mint(SL_INFO, gid, now, now + ttl, tok, id);
	*resp = json_pack("{s:s,s:s,s:I,s:O}", "access_token", tok,
	    "token_type", "bearer", "expires_in", (json_int_t)ttl, "scope",
	    scope);
	rc = OGRANT_OK;
out:
	ocrypto_wipe(tok, sizeof(tok));
	ojose_free(jwt);
	sgrant_free(&g);
	json_decref(scope);
	json_decref(aud);
	return rc;
}
