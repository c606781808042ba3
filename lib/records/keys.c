/*
 * keys.c: JSON Web Key sets in the store (see keys.h).
 *
 * Records: "keys" database, key set NUL kid, value
 *   {"_v":1, "set", "kid", "seq", "created_at", "public", "sealed"}
 * where seq orders keys (the store's "keys" generation at the write),
 * public is the public JWK (null for oct keys) and sealed is
 * base64url(nonce || AES-256-GCM(private JWK JSON) || tag).
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
#include "records/keys.h"

#define RECORD_VERSION	1
#define KEY_MAX		(OKEYS_SET_MAX + 1 + OJWK_KID_MAX)
#define SEALED_MAX	(64 * 1024)
/*
 * Sets kept parsed per process: every set /.well-known/jwks.json may
 * publish (the two token sets and webfinger.jwks.broadcast_keys) at
 * once, with room for a few more, or its rendering is never current.
 */
#define CACHE_SETS	(OCONF_LIST_MAX + 6)
#define GEN		"keys"

/* A parsed set, kept per process until the generation moves. */
struct cached {
	char		*set;
	struct ojwks	*keys;		/* oldest first */
	const struct ojwk *signer;	/* newest with a private part */
};

static struct cached		 cache[CACHE_SETS];
static unsigned long long	 cache_gen;
static int			 cache_valid;
/* Bumped whenever a cached set is dropped or loaded (okeys_serial()). */
static unsigned long long	 cache_serial;

/* The store key of set/kid into key; returns its length or 0. */
static size_t
store_key(const char *set, const char *kid, char *key)
{
	size_t	 sl = strlen(set), kl = kid != NULL ? strlen(kid) : 0;

	if (sl == 0 || sl > OKEYS_SET_MAX || kl > OJWK_KID_MAX)
		return 0;
	memcpy(key, set, sl);
	key[sl] = '\0';
	if (kl > 0)
		memcpy(key + sl + 1, kid, kl);
	return sl + 1 + kl;
}

/* The sealing key derived from system secret i. */
static int
seal_key(size_t i, unsigned char key[OCRYPTO_AEAD_KEY_LEN])
{
	if (oconf == NULL || i >= oconf->nsecrets)
		return 0;
	return ocrypto_hkdf(oconf->secrets[i], strlen(oconf->secrets[i]),
	    NULL, 0, "oidcgi keys", key, OCRYPTO_AEAD_KEY_LEN);
}

/* Seal the private JWK of key; a new base64url string (free()) or NULL. */
static char *
seal(const struct ojwk *k, const char *aad, size_t aadlen,
    struct oerr *err)
{
	unsigned char	 sk[OCRYPTO_AEAD_KEY_LEN], *ct = NULL;
	json_t		*j;
	char		*pt = NULL, *out = NULL;
	size_t		 ptlen, ctlen, olen;

	if ((j = ojwk_export(k, 1, err)) == NULL)
		return NULL;
	pt = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	ptlen = strlen(pt);
	ct = oxmalloc(ptlen + OCRYPTO_AEAD_OVERHEAD);
	out = oxmalloc(ocrypto_b64url_len(ptlen + OCRYPTO_AEAD_OVERHEAD) + 1);
	if (!seal_key(0, sk) || !ocrypto_seal(sk, aad, aadlen, pt, ptlen, ct,
	    ptlen + OCRYPTO_AEAD_OVERHEAD, &ctlen) ||
	    !ocrypto_b64url_encode(out, ocrypto_b64url_len(ctlen) + 1, &olen,
	    ct, ctlen)) {
		oerr_set(err, OERR_SERVER_ERROR, "The key could not be "
		    "sealed.");
		free(out);
		out = NULL;
	}
	ocrypto_wipe(sk, sizeof(sk));
	ocrypto_wipe(pt, ptlen);
	free(pt);
	free(ct);
	return out;
}

/*
 * Open a sealed private JWK with any configured system secret and
 * import it.  Returns the key or NULL (logged: a damaged record or a
 * secret that was rotated out).
 */
static struct ojwk *
unseal(const char *sealed, const char *aad, size_t aadlen)
{
	unsigned char	 sk[OCRYPTO_AEAD_KEY_LEN], *ct, *pt;
	size_t		 len = strlen(sealed), ctlen, ptlen, i;
	struct ojwk	*k = NULL;
	struct oerr	 err;

	if (len > SEALED_MAX)
		return NULL;
	ct = oxmalloc(len);
	pt = oxmalloc(len);
	if (!ocrypto_b64url_decode(ct, len, &ctlen, sealed, len))
		goto out;
	for (i = 0; oconf != NULL && i < oconf->nsecrets; i++) {
		if (!seal_key(i, sk))
			continue;
		if (ocrypto_open(sk, aad, aadlen, ct, ctlen, pt, len, &ptlen)) {
			oerr_clear(&err);
			k = ojwk_import_str((char *)pt, ptlen, 1, &err);
			ocrypto_wipe(pt, ptlen);
			break;
		}
	}
	ocrypto_wipe(sk, sizeof(sk));
out:
	free(ct);
	free(pt);
	return k;
}

/* Fill in alg and use a key lacks: the usual ones for its type. */
static int
defaults(struct ojwk *k, struct oerr *err)
{
	const char	*kty = ojwk_kty(k), *crv = ojwk_crv(k), *alg = NULL;

	if (ojwk_alg(k) == NULL) {
		if (strcmp(kty, "RSA") == 0)
			alg = "RS256";
		else if (strcmp(kty, "OKP") == 0)
			alg = "EdDSA";
		else if (strcmp(kty, "oct") == 0)
			alg = "HS256";
		else if (crv != NULL && strcmp(crv, "P-384") == 0)
			alg = "ES384";
		else if (crv != NULL && strcmp(crv, "P-521") == 0)
			alg = "ES512";
		else
			alg = "ES256";
		if (!ojwk_set_alg(k, alg, err))
			return 0;
	}
	if (ojwk_use(k) == NULL && !ojwk_set_use(k, "sig", err))
		return 0;
	/* No kid, or an empty one: the RFC 7638 thumbprint. */
	if ((ojwk_kid(k) == NULL || *ojwk_kid(k) == '\0') &&
	    !ojwk_set_kid(k, NULL, err))
		return 0;
	return 1;
}

/* Store one key of a set (seq: the new generation). */
static int
put_key(struct ostore_txn *t, const char *set, const struct ojwk *k,
    unsigned flags, struct oerr *err)
{
	char			 key[KEY_MAX], *sealed = NULL, *buf;
	size_t			 klen;
	unsigned long long	 seq;
	json_t			*rec = NULL, *pub = NULL;
	enum ostore_rc		 rc;
	int			 ok = 0;

	if ((klen = store_key(set, ojwk_kid(k), key)) == 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The set name or kid is "
		    "empty or too long.");
		return 0;
	}
	if (ostore_gen_bump(t, GEN) != OSTORE_OK ||
	    ostore_gen_get(t, GEN, &seq) != OSTORE_OK)
		goto store;
	if (strcmp(ojwk_kty(k), "oct") != 0 &&
	    (pub = ojwk_export(k, 0, err)) == NULL)
		goto out;
	rec = json_pack("{s:i,s:s,s:s,s:I,s:I,s:o}", "_v", RECORD_VERSION,
	    "set", set, "kid", ojwk_kid(k), "seq", (json_int_t)seq,
	    "created_at", (json_int_t)onow(), "public",
	    pub != NULL ? json_incref(pub) : json_null());
	if (ojwk_has_private(k)) {
		if ((sealed = seal(k, key, klen, err)) == NULL)
			goto out;
		json_object_set_new(rec, "sealed", json_string(sealed));
	}
	buf = json_dumps(rec, JSON_COMPACT);
	rc = ostore_put(t, OSTORE_KEYS, key, klen, buf, strlen(buf), flags);
	free(buf);
	if (rc == OSTORE_EXISTS) {
		oerr_set(err, OERR_CONFLICT, "The set '%s' has a key with the "
		    "kid '%s' already.", set, ojwk_kid(k));
		goto out;
	}
	if (rc != OSTORE_OK)
		goto store;
	ok = 1;
	goto out;
store:
	oerr_set(err, OERR_SERVER_ERROR, "The key could not be stored.");
out:
	free(sealed);
	json_decref(pub);
	json_decref(rec);
	return ok;
}

struct scan {
	struct ostore_txn	*t;
	struct ojwks		*keys;		/* load: keys found */
	json_t			*recs;		/* load: their records */
	size_t			 n;
	int			 del;		/* delete what is visited */
	int			 failed;
};

/* Visit one key record of a set: load it (or delete it). */
static int
scan_cb(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct scan	*s = arg;
	json_t		*rec, *pub;
	struct ojwk	*key = NULL;
	struct oerr	 err;
	const char	*sealed;

	s->n++;
	if (s->del) {
		if (ostore_del(s->t, OSTORE_KEYS, k, kl) != OSTORE_OK)
			s->failed = 1;
		return !s->failed;
	}
	if ((rec = json_loadb(v, vl, 0, NULL)) == NULL) {
		olog_err("key record %.*s: damaged", (int)kl, (const char *)k);
		return 1;
	}
	oerr_clear(&err);
	if ((sealed = json_string_value(json_object_get(rec, "sealed")))
	    != NULL)
		key = unseal(sealed, k, kl);
	else if (json_is_object(pub = json_object_get(rec, "public")))
		key = ojwk_import(pub, 0, &err);
	if (key == NULL)
		olog_err("key %s/%.*s: cannot be opened (damaged, or sealed "
		    "under a secret no longer configured)", (const char *)k,
		    (int)(kl - strlen(k) - 1), (const char *)k + strlen(k) + 1);
	else {
		ojwks_add(s->keys, key);
		json_array_append(s->recs, rec);
	}
	json_decref(rec);
	return 1;
}

/*
 * Load the keys of set in a transaction, ordered by seq (oldest
 * first).  Returns a new set, empty when the set has no keys.
 */
static struct ojwks *
load(struct ostore_txn *t, const char *set)
{
	struct scan	 s;
	char		 prefix[KEY_MAX];
	size_t		 plen, i, j;
	struct ojwk	*tk;

	memset(&s, 0, sizeof(s));
	s.t = t;
	s.keys = ojwks_new();
	s.recs = json_array();
	if ((plen = store_key(set, NULL, prefix)) > 0)
		ostore_scan(t, OSTORE_KEYS, prefix, plen, NULL, 0, scan_cb,
		    &s);
	/* Insertion sort by seq: sets are small. */
	for (i = 1; i < s.keys->nkeys; i++)
		for (j = i; j > 0 &&
		    ojson_int(json_array_get(s.recs, j - 1), "seq") >
		    ojson_int(json_array_get(s.recs, j), "seq"); j--) {
			json_t *r = json_incref(json_array_get(s.recs, j));

			json_array_set(s.recs, j, json_array_get(s.recs,
			    j - 1));
			json_array_set_new(s.recs, j - 1, r);
			tk = s.keys->keys[j];
			s.keys->keys[j] = s.keys->keys[j - 1];
			s.keys->keys[j - 1] = tk;
		}
	json_decref(s.recs);
	return s.keys;
}

/* The set as {"keys":[...]}, or only kid; NULL with a 404 when absent. */
static json_t *
export(const char *set, const struct ojwks *keys, const char *kid,
    int include_private, struct oerr *err)
{
	json_t	*out, *arr, *j;
	size_t	 i;

	arr = json_array();
	for (i = 0; i < keys->nkeys; i++) {
		if (kid != NULL && strcmp(ojwk_kid(keys->keys[i]), kid) != 0)
			continue;
		if (!include_private &&
		    strcmp(ojwk_kty(keys->keys[i]), "oct") == 0)
			continue;
		if ((j = ojwk_export(keys->keys[i], include_private,
		    err)) == NULL) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, j);
	}
	if (json_array_size(arr) == 0 && (kid != NULL || keys->nkeys == 0)) {
		json_decref(arr);
		if (kid != NULL)
			oerr_set(err, OERR_NOT_FOUND, "The key '%s' of the "
			    "JSON Web Key Set '%s' does not exist.", kid, set);
		else
			oerr_set(err, OERR_NOT_FOUND, "The JSON Web Key Set "
			    "'%s' does not exist.", set);
		return NULL;
	}
	out = json_object();
	json_object_set_new(out, "keys", arr);
	return out;
}

static void
cache_drop(void)
{
	size_t	 i;

	for (i = 0; i < CACHE_SETS; i++) {
		free(cache[i].set);
		ojwks_free(cache[i].keys);
		memset(&cache[i], 0, sizeof(cache[i]));
	}
	cache_valid = 0;
	cache_serial++;
}

/*
 * The cached keys of set, (re)loading them when the generation moved.
 * NULL with err set when the store fails.
 */
static struct cached *
cached(const char *set, struct oerr *err)
{
	struct ostore_txn	*t;
	unsigned long long	 gen;
	size_t			 i, free_slot = CACHE_SETS;
	struct cached		*c;

	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	if (ostore_gen_get(t, GEN, &gen) != OSTORE_OK)
		gen = 0;
	if (!cache_valid || gen != cache_gen) {
		cache_drop();
		cache_gen = gen;
		cache_valid = 1;
	}
	for (i = 0; i < CACHE_SETS; i++) {
		if (cache[i].set != NULL && strcmp(cache[i].set, set) == 0) {
			ostore_read_end(t);
			return &cache[i];
		}
		if (cache[i].set == NULL && free_slot == CACHE_SETS)
			free_slot = i;
	}
	if (free_slot == CACHE_SETS) {
		cache_drop();
		cache_valid = 1;
		free_slot = 0;
	}
	c = &cache[free_slot];
	c->set = oxstrdup(set);
	c->keys = load(t, set);
	cache_serial++;
	ostore_read_end(t);
	for (i = c->keys->nkeys; i > 0; i--)
		if (ojwk_has_private(c->keys->keys[i - 1])) {
			c->signer = c->keys->keys[i - 1];
			break;
		}
	return c;
}

json_t *
okeys_get(const char *set, const char *kid, int include_private,
    struct oerr *err)
{
	struct cached	*c;

	if ((c = cached(set, err)) == NULL)
		return NULL;
	return export(set, c->keys, kid, include_private, err);
}

const struct ojwk *
okeys_signer(const char *set, struct oerr *err)
{
	struct cached	*c;

	if ((c = cached(set, err)) == NULL)
		return NULL;
	if (c->signer == NULL)
		oerr_set(err, OERR_SERVER_ERROR, "The JSON Web Key Set '%s' "
		    "has no private key to sign with.", set);
	return c->signer;
}

const struct ojwks *
okeys_verifiers(const char *set, struct oerr *err)
{
	struct cached	*c;

	if ((c = cached(set, err)) == NULL)
		return NULL;
	if (c->keys->nkeys == 0) {
		oerr_set(err, OERR_SERVER_ERROR, "The JSON Web Key Set '%s' "
		    "is empty.", set);
		return NULL;
	}
	return c->keys;
}

unsigned long long
okeys_serial(void)
{
	return cache_serial;
}

json_t *
okeys_public(const char *const *sets, struct oerr *err)
{
	json_t		*out = json_object(), *arr = json_array(), *j, *k;
	size_t		 i;

	json_object_set_new(out, "keys", arr);
	for (; *sets != NULL; sets++) {
		struct oerr	 e;

		oerr_clear(&e);
		if ((j = okeys_get(*sets, NULL, 0, &e)) == NULL) {
			if (e.code == OERR_NOT_FOUND)
				continue;
			oerr_set(err, e.code, "%s", e.description);
			json_decref(out);
			return NULL;
		}
		json_array_foreach(json_object_get(j, "keys"), i, k)
			json_array_append(arr, k);
		json_decref(j);
	}
	return out;
}

/* Arguments of the write functions. */
struct op {
	const char	*set;
	const char	*kid;
	struct ojwks	*keys;		/* to store */
	int		 replace;	/* delete the set first */
	int		 only_if_empty;	/* ensure_defaults */
	int		 found;
};

/* Delete the keys of op->set (or op->kid); count them in op->found. */
static int
delete_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;
	struct scan	 s;
	char		 key[KEY_MAX];
	size_t		 klen;

	memset(&s, 0, sizeof(s));
	s.t = t;
	s.del = 1;
	/* A name too long for a store key names nothing stored. */
	if ((klen = store_key(op->set, op->kid, key)) == 0)
		return 1;
	if (op->kid != NULL) {
		if (ostore_del(t, OSTORE_KEYS, key, klen) == OSTORE_OK)
			s.n = 1;
	} else if (ostore_scan(t, OSTORE_KEYS, key, klen, NULL, 0, scan_cb,
	    &s) != OSTORE_OK || s.failed) {
		oerr_set(err, OERR_SERVER_ERROR, "The keys could not be "
		    "deleted.");
		return 0;
	}
	op->found = (int)s.n;
	if (s.n > 0 && ostore_gen_bump(t, GEN) != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return 0;
	}
	return 1;
}

/* Count the records visited. */
static int
count_cb(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	((struct scan *)arg)->n++;
	return 1;
}

/* Store op->keys into op->set (replacing it when asked). */
static int
store_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;
	struct scan	 s;
	char		 prefix[KEY_MAX];
	size_t		 plen, i;

	if (op->only_if_empty || op->replace) {
		memset(&s, 0, sizeof(s));
		s.t = t;
		s.del = op->replace;
		plen = store_key(op->set, NULL, prefix);
		if (ostore_scan(t, OSTORE_KEYS, prefix, plen, NULL, 0,
		    op->replace ? scan_cb : count_cb, &s) != OSTORE_OK ||
		    s.failed) {
			oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
			return 0;
		}
		if (op->only_if_empty && s.n > 0)
			return 1;
	}
	for (i = 0; i < op->keys->nkeys; i++)
		if (!put_key(t, op->set, op->keys->keys[i],
		    op->kid != NULL || op->replace ? 0 : OSTORE_NOOVERWRITE,
		    err))
			return 0;
	return 1;
}

/*
 * Check a set name from a path or the CLI: 1 to OKEYS_SET_MAX bytes,
 * no control character and no '%', and, split at '/', no empty, "." or
 * ".." segment, so that /keys/{set} names it however a client, proxy or
 * web server normalizes or decodes the path ("/", ".", "a//b" and "%25"
 * are refused; "a/b" and "a b" are fine).  Returns 1, or 0 with an
 * invalid_request naming the set.
 */
static int
set_ok(const char *set, struct oerr *err)
{
	const char	*p, *seg;
	size_t		 n;

	if (set == NULL || *set == '\0' || strlen(set) > OKEYS_SET_MAX) {
		oerr_set(err, OERR_INVALID_REQUEST, "The set name must be 1 to "
		    "%d bytes.", OKEYS_SET_MAX);
		return 0;
	}
	for (p = set; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '%') {
			oerr_set(err, OERR_INVALID_REQUEST, "The set name "
			    "must not contain control characters or '%%'.");
			return 0;
		}
	for (seg = set;; seg = p + 1) {
		p = strchr(seg, '/');
		n = p != NULL ? (size_t)(p - seg) : strlen(seg);
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.')) {
			oerr_set(err, OERR_INVALID_REQUEST, "The set name "
			    "'%.64s' has an empty, '.' or '..' segment.", set);
			return 0;
		}
		if (p == NULL)
			break;
	}
	return 1;
}

json_t *
okeys_generate(const char *set, const char *alg, const char *kid,
    const char *use, int bits, struct oerr *err)
{
	struct op	 op;
	struct ojwk	*k;
	char		 uuid[37];
	json_t		*out = NULL, *j;

	if (!set_ok(set, err))
		return NULL;
	if (alg == NULL || !ojose_alg_supported(alg)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'alg' must be "
		    "one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, "
		    "ES384, ES512, EdDSA, HS256, HS384, HS512.");
		return NULL;
	}
	if (kid == NULL || *kid == '\0') {
		ocrypto_uuid4(uuid);
		kid = uuid;
	}
	/* Generated outside the write transaction: RSA takes a while. */
	if ((k = ojwk_generate(alg, bits, kid, use != NULL && *use != '\0' ?
	    use : "sig", err)) == NULL)
		return NULL;
	memset(&op, 0, sizeof(op));
	op.set = set;
	op.keys = ojwks_new();
	ojwks_add(op.keys, k);
	if (ostore_write(store_fn, &op, err)) {
		out = json_object();
		if ((j = ojwk_export(k, 1, err)) != NULL)
			json_object_set_new(out, "keys", json_pack("[o]", j));
		else {
			json_decref(out);
			out = NULL;
		}
	}
	ojwks_free(op.keys);
	return out;
}

json_t *
okeys_put(const char *set, const char *kid, const json_t *body,
    struct oerr *err)
{
	struct op	 op;
	struct ojwk	*k;
	size_t		 i, j;
	json_t		*out = NULL;

	if (!set_ok(set, err))
		return NULL;
	memset(&op, 0, sizeof(op));
	op.set = set;
	op.kid = kid;
	if (kid != NULL) {
		if ((k = ojwk_import(body, 0, err)) == NULL)
			return NULL;
		if (ojwk_kid(k) != NULL && strcmp(ojwk_kid(k), kid) != 0) {
			oerr_set(err, OERR_INVALID_REQUEST, "The JWK's kid "
			    "'%.64s' is not the kid in the path.",
			    ojwk_kid(k));
			ojwk_free(k);
			return NULL;
		}
		op.keys = ojwks_new();
		ojwks_add(op.keys, k);
		if (!ojwk_set_kid(k, kid, err))
			goto out;
	} else {
		if ((op.keys = ojwks_import(body, 0, err)) == NULL)
			return NULL;
		op.replace = 1;
	}
	for (i = 0; i < op.keys->nkeys; i++) {
		if (!defaults(op.keys->keys[i], err))
			goto out;
		for (j = 0; j < i; j++)
			if (strcmp(ojwk_kid(op.keys->keys[i]),
			    ojwk_kid(op.keys->keys[j])) == 0) {
				oerr_set(err, OERR_INVALID_REQUEST, "Two keys "
				    "of the set have the kid '%.64s'.",
				    ojwk_kid(op.keys->keys[i]));
				goto out;
			}
	}
	if (ostore_write(store_fn, &op, err))
		out = op.keys->nkeys == 0 ? json_pack("{s:[]}", "keys") :
		    export(set, op.keys, NULL, 1, err);
out:
	ojwks_free(op.keys);
	return out;
}

int
okeys_delete(const char *set, const char *kid, int missing_ok,
    struct oerr *err)
{
	struct op	 op;

	/* Only the length: a set named before the rules can still go. */
	if (set == NULL || *set == '\0' || strlen(set) > OKEYS_SET_MAX) {
		oerr_set(err, OERR_INVALID_REQUEST, "The set name must be 1 to "
		    "%d bytes.", OKEYS_SET_MAX);
		return 0;
	}
	memset(&op, 0, sizeof(op));
	op.set = set;
	op.kid = kid;
	if (!ostore_write(delete_fn, &op, err))
		return 0;
	if (op.found == 0 && !missing_ok) {
		if (kid != NULL)
			oerr_set(err, OERR_NOT_FOUND, "The key '%s' of the "
			    "JSON Web Key Set '%s' does not exist.", kid, set);
		else
			oerr_set(err, OERR_NOT_FOUND, "The JSON Web Key Set "
			    "'%s' does not exist.", set);
		return 0;
	}
	return 1;
}

/*
 * 1 if set has records in the store, readable or not (keys sealed under
 * a secret no longer configured must not be replaced silently).
 */
static int
stored(const char *set)
{
	struct ostore_txn	*t;
	struct scan		 s;
	char			 prefix[KEY_MAX];
	size_t			 plen;

	memset(&s, 0, sizeof(s));
	if ((plen = store_key(set, NULL, prefix)) == 0 ||
	    (t = ostore_read_begin(NULL)) == NULL)
		return 0;
	ostore_scan(t, OSTORE_KEYS, prefix, plen, NULL, 0, count_cb, &s);
	ostore_read_end(t);
	return s.n > 0;
}

int
okeys_ensure_defaults(struct oerr *err)
{
	static const char *const sets[] = { OKEYS_ID_TOKEN,
	    OKEYS_ACCESS_TOKEN };
	struct cached	*c;
	struct op	 op;
	struct ojwk	*k;
	char		 uuid[37];
	size_t		 i;
	int		 ok;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		if ((c = cached(sets[i], err)) == NULL)
			return 0;
		if (c->keys->nkeys > 0 || stored(sets[i]))
			continue;
		ocrypto_uuid4(uuid);
		if ((k = ojwk_generate("RS256", 2048, uuid, "sig", err)) ==
		    NULL)
			return 0;
		memset(&op, 0, sizeof(op));
		op.set = sets[i];
		op.only_if_empty = 1;
		op.keys = ojwks_new();
		ojwks_add(op.keys, k);
		ok = ostore_write(store_fn, &op, err);
		ojwks_free(op.keys);
		if (!ok)
			return 0;
	}
	return 1;
}
