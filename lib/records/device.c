/*
 * device.c: the device authorizations of RFC 8628 (see device.h;
 * schema/store.md, device and device_by_user_code).
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
#include "store/store.h"
#include "records/device.h"
#include "records/tokens.h"

static const char *const statuses[] = {
	"pending", "claimed", "approved", "denied", "used"
};
#define NSTATUS	(sizeof(statuses) / sizeof(statuses[0]))

#define FAIL_KEY_MAX	128

void
odevice_rec_free(struct odevice_rec *r)
{
	free(r->client_id);
	ojson_strs_free(&r->scope);
	ojson_strs_free(&r->aud);
	ogrant_free(&r->grant);
	free(r->error);
	free(r->error_description);
	memset(r, 0, sizeof(*r));
}

void
odevice_key(const char *device_code, unsigned char key[ODEVICE_KEY_LEN])
{
	ocrypto_sha256(device_code, strlen(device_code), key);
}

void
odevice_key_hex(const unsigned char key[ODEVICE_KEY_LEN],
    char hex[ODEVICE_KEY_HEX])
{
	size_t	 i;

	for (i = 0; i < ODEVICE_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
}

int
odevice_key_unhex(const char *hex, unsigned char key[ODEVICE_KEY_LEN])
{
	size_t		 i;
	unsigned int	 b;

	if (hex == NULL || strlen(hex) != 2 * ODEVICE_KEY_LEN)
		return 0;
	for (i = 0; i < ODEVICE_KEY_LEN; i++) {
		if (strchr("0123456789abcdef", hex[2 * i]) == NULL ||
		    strchr("0123456789abcdef", hex[2 * i + 1]) == NULL ||
		    sscanf(hex + 2 * i, "%2x", &b) != 1)
			return 0;
		key[i] = (unsigned char)b;
	}
	return 1;
}

/*
 * The index key of a user code: HMAC-SHA-256 under a key derived from
 * the first system secret, so that a copy of the store gives no user
 * code away (a plain digest of 8 letters would be guessed at once).
 */
static void
uc_key(const char *uc, unsigned char out[ODEVICE_KEY_LEN])
{
	unsigned char	 k[32];

	if (oconf == NULL || oconf->nsecrets == 0 ||
	    !ocrypto_hkdf(oconf->secrets[0], strlen(oconf->secrets[0]), NULL,
	    0, "oidcgi device user code", k, sizeof(k)) ||
	    !ocrypto_hmac(OCRYPTO_SHA256, k, sizeof(k), uc, strlen(uc), out))
		abort();
	ocrypto_wipe(k, sizeof(k));
}

/* The record as stored: versioned JSON (a new object). */
static json_t *
rec_json(const struct odevice_rec *r)
{
	json_t	*j;
	char	 mac[ODEVICE_KEY_HEX];

	odevice_key_hex(r->uc_mac, mac);
	j = json_pack("{s:i,s:s,s:o,s:o,s:s,s:I,s:I,s:I,s:I,s:s}",
	    "v", 1, "client_id", r->client_id,
	    "scope", ojson_strs_json(&r->scope),
	    "aud", ojson_strs_json(&r->aud),
	    "user_code_mac", mac,
	    "requested_at", (json_int_t)r->requested_at,
	    "exp", (json_int_t)r->exp,
	    "interval", (json_int_t)r->interval,
	    "last_poll", (json_int_t)r->last_poll,
	    "status", statuses[r->status]);
	if (r->has_grant)
		json_object_set_new(j, "grant", ogrant_json(&r->grant));
	if (r->error != NULL)
		json_object_set_new(j, "error", json_string(r->error));
	if (r->error_description != NULL)
		json_object_set_new(j, "error_description",
		    json_string(r->error_description));
	return j;
}

/* Decode a stored record into r (zeroed first).  1, or 0 with err. */
static int
rec_decode(const json_t *j, struct odevice_rec *r, struct oerr *err)
{
	const char	*s;
	size_t		 i;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(j) || *(s = ojson_str(j, "client_id")) == '\0')
		goto bad;
	r->client_id = oxstrdup(s);
	ojson_strs_set(&r->scope, json_object_get(j, "scope"));
	ojson_strs_set(&r->aud, json_object_get(j, "aud"));
	if (!odevice_key_unhex(ojson_str(j, "user_code_mac"), r->uc_mac))
		goto bad;
	r->requested_at = ojson_int(j, "requested_at");
	r->exp = ojson_int(j, "exp");
	r->interval = ojson_int(j, "interval");
	r->last_poll = ojson_int(j, "last_poll");
	if ((s = ojson_str(j, "status")) == NULL)
		goto bad;
	for (i = 0; i < NSTATUS && strcmp(statuses[i], s) != 0; i++)
		continue;
	if (i == NSTATUS)
		goto bad;
	r->status = (enum odevice_status)i;
	if (json_object_get(j, "grant") != NULL) {
		if (!ogrant_decode(json_object_get(j, "grant"), &r->grant,
		    err))
			goto bad;
		r->has_grant = 1;
	}
	/* Optional: absent stays NULL (ojson_str() would give ""). */
	if ((s = json_string_value(json_object_get(j, "error"))) != NULL)
		r->error = oxstrdup(s);
	if ((s = json_string_value(json_object_get(j,
	    "error_description"))) != NULL)
		r->error_description = oxstrdup(s);
	return 1;
bad:
	odevice_rec_free(r);
	oerr_set(err, OERR_SERVER_ERROR, "A device authorization record is "
	    "damaged.");
	return 0;
}

/* Write r and its expiry entry.  1, or 0 with err set. */
static int
put_rec(struct ostore_txn *t, const struct odevice_rec *r, struct oerr *err)
{
	json_t		*j = rec_json(r);
	char		*buf = json_dumps(j, JSON_COMPACT);
	int		 ok;

	json_decref(j);
	ok = ostore_put(t, OSTORE_DEVICE, r->key, ODEVICE_KEY_LEN, buf,
	    strlen(buf), 0) == OSTORE_OK && ostore_expiry_put(t,
	    OSTORE_DEVICE, r->key, ODEVICE_KEY_LEN, r->exp + ODEVICE_KEEP) ==
	    OSTORE_OK;
	free(buf);
	if (!ok)
		oerr_set(err, OERR_SERVER_ERROR, "The device authorization "
		    "could not be stored.");
	return ok;
}

enum ostore_rc
odevice_create(struct ostore_txn *t, const struct odevice_rec *r,
    struct oerr *err)
{
	struct odevice_rec	 c = *r;	/* shallow: only uc_mac set */
	enum ostore_rc		 rc;

	uc_key(r->user_code, c.uc_mac);
	rc = ostore_put(t, OSTORE_DEVICE_BY_USER_CODE, c.uc_mac,
	    ODEVICE_KEY_LEN, r->key, ODEVICE_KEY_LEN, OSTORE_NOOVERWRITE);
	if (rc == OSTORE_EXISTS)
		return rc;
	if (rc != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The user code could not be "
		    "stored.");
		return OSTORE_ERR;
	}
	return put_rec(t, &c, err) ? OSTORE_OK : OSTORE_ERR;
}

/* Delete the user code index entry k when it still points at key. */
static int
drop_user_code(struct ostore_txn *t, const unsigned char k[ODEVICE_KEY_LEN],
    const unsigned char key[ODEVICE_KEY_LEN])
{
	const void	*v;
	size_t		 vl;

	if (ostore_get(t, OSTORE_DEVICE_BY_USER_CODE, k, ODEVICE_KEY_LEN, &v,
	    &vl) != OSTORE_OK)
		return 1;
	if (vl != ODEVICE_KEY_LEN || memcmp(v, key, vl) != 0)
		return 1;
	return ostore_del(t, OSTORE_DEVICE_BY_USER_CODE, k,
	    ODEVICE_KEY_LEN) != OSTORE_ERR;
}

int
odevice_save(struct ostore_txn *t, const struct odevice_rec *r,
    struct oerr *err)
{
	if (r->status != ODEVICE_PENDING &&
	    !drop_user_code(t, r->uc_mac, r->key)) {
		oerr_set(err, OERR_SERVER_ERROR, "The user code could not be "
		    "removed.");
		return 0;
	}
	return put_rec(t, r, err);
}

enum ostore_rc
odevice_load(struct ostore_txn *t, const unsigned char key[ODEVICE_KEY_LEN],
    struct odevice_rec *r, struct oerr *err)
{
	const void	*v;
	size_t		 vl;
	json_t		*j;
	enum ostore_rc	 rc;
	int		 ok;

	memset(r, 0, sizeof(*r));
	rc = ostore_get(t, OSTORE_DEVICE, key, ODEVICE_KEY_LEN, &v, &vl);
	if (rc == OSTORE_NOTFOUND)
		return rc;
	if (rc != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return OSTORE_ERR;
	}
	j = json_loadb(v, vl, 0, NULL);
	ok = rec_decode(j, r, err);
	json_decref(j);
	if (!ok)
		return OSTORE_ERR;
	memcpy(r->key, key, ODEVICE_KEY_LEN);
	return OSTORE_OK;
}

enum ostore_rc
odevice_by_user_code(struct ostore_txn *t, const char *user_code,
    unsigned char key[ODEVICE_KEY_LEN])
{
	unsigned char	 k[ODEVICE_KEY_LEN];
	const void	*v;
	size_t		 vl;
	enum ostore_rc	 rc;

	if (strlen(user_code) != ODEVICE_USER_CODE_LEN)
		return OSTORE_NOTFOUND;
	uc_key(user_code, k);
	rc = ostore_get(t, OSTORE_DEVICE_BY_USER_CODE, k, sizeof(k), &v, &vl);
	if (rc != OSTORE_OK)
		return rc;
	if (vl != ODEVICE_KEY_LEN)
		return OSTORE_NOTFOUND;
	memcpy(key, v, ODEVICE_KEY_LEN);
	return OSTORE_OK;
}

/* The key of a failure count: "fail" NUL id.  Its length. */
static size_t
fail_key(const char *id, char buf[FAIL_KEY_MAX])
{
	int	 n;

	n = snprintf(buf, FAIL_KEY_MAX, "fail%c%.100s", '\0', id);
	return n < 0 ? 0 : (size_t)n;
}

int
odevice_fails(struct ostore_txn *t, const char *id, int64_t *n,
    struct oerr *err)
{
	char		 k[FAIL_KEY_MAX];
	const void	*v;
	size_t		 vl, kl = fail_key(id, k);
	json_t		*j;
	enum ostore_rc	 rc;

	*n = 0;
	rc = ostore_get(t, OSTORE_DEVICE_BY_USER_CODE, k, kl, &v, &vl);
	if (rc == OSTORE_NOTFOUND)
		return 1;
	if (rc != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return 0;
	}
	j = json_loadb(v, vl, 0, NULL);
	*n = ojson_int(j, "fails");
	json_decref(j);
	return 1;
}

int
odevice_fail_add(struct ostore_txn *t, const char *id, int64_t exp,
    struct oerr *err)
{
	char		 k[FAIL_KEY_MAX], buf[96];
	size_t		 kl = fail_key(id, k);
	int64_t		 n;

	if (!odevice_fails(t, id, &n, err))
		return 0;
	snprintf(buf, sizeof(buf), "{\"v\":1,\"fails\":%lld,\"exp\":%lld}",
	    (long long)n + 1, (long long)exp);
	if (ostore_put(t, OSTORE_DEVICE_BY_USER_CODE, k, kl, buf, strlen(buf),
	    0) != OSTORE_OK || ostore_expiry_put(t,
	    OSTORE_DEVICE_BY_USER_CODE, k, kl, exp) != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return 0;
	}
	return 1;
}

/* Load the claimed authorization of hex into r.  1, or 0 with err. */
static int
load_claimed(struct ostore_txn *t, const char *hex, struct odevice_rec *r,
    struct oerr *err)
{
	unsigned char	 key[ODEVICE_KEY_LEN];
	enum ostore_rc	 rc;

	memset(r, 0, sizeof(*r));
	if (!odevice_key_unhex(hex, key)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The device flow names "
		    "no device authorization.");
		return 0;
	}
	if ((rc = odevice_load(t, key, r, err)) == OSTORE_ERR)
		return 0;
	if (rc == OSTORE_NOTFOUND || r->exp <= onow()) {
		oerr_set(err, OERR_INVALID_REQUEST, "The device "
		    "authorization of this flow has expired.");
		return 0;
	}
	if (r->status != ODEVICE_CLAIMED) {
		oerr_set(err, OERR_INVALID_REQUEST, "The device "
		    "authorization of this flow has been answered already.");
		return 0;
	}
	return 1;
}

int
odevice_approve(struct ostore_txn *t, const char *hex,
    const struct ogrant *g, struct oerr *err)
{
	struct odevice_rec	 r;
	int			 ok = 0;

	if (!load_claimed(t, hex, &r, err))
		goto out;
	r.status = ODEVICE_APPROVED;
	ogrant_copy(&r.grant, g);
	r.has_grant = 1;
	ok = odevice_save(t, &r, err);
out:
	odevice_rec_free(&r);
	return ok;
}

int
odevice_deny(struct ostore_txn *t, const char *hex, const char *error,
    const char *description, struct oerr *err)
{
	struct odevice_rec	 r;
	int			 ok = 0;

	if (!load_claimed(t, hex, &r, err))
		goto out;
	r.status = ODEVICE_DENIED;
	r.error = oxstrdup(error != NULL ? error : "access_denied");
	r.error_description = oxstrdup(description != NULL ? description :
	    "");
	ok = odevice_save(t, &r, err);
out:
	odevice_rec_free(&r);
	return ok;
}

int
odevice_expire(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen)
{
	struct odevice_rec	 r;
	struct oerr		 e;
	enum ostore_rc		 rc;
	int			 ok = 1;

	if (db == OSTORE_DEVICE_BY_USER_CODE)
		return ostore_del(t, db, key, keylen) != OSTORE_ERR;
	if (db != OSTORE_DEVICE || keylen != ODEVICE_KEY_LEN)
		return 1;
	oerr_clear(&e);
	rc = odevice_load(t, key, &r, &e);
	if (rc == OSTORE_OK)
		ok = drop_user_code(t, r.uc_mac, key);
	odevice_rec_free(&r);
	return ok && ostore_del(t, OSTORE_DEVICE, key, keylen) != OSTORE_ERR;
}

/* The keys of a client's authorizations, gathered by a scan. */
struct of_client {
	const char	*client_id;
	unsigned char	(*keys)[ODEVICE_KEY_LEN];
	size_t		 n, cap;
};

static int
of_client_fn(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct of_client	*c = arg;
	json_t			*j;
	int			 mine;

	if (kl != ODEVICE_KEY_LEN)
		return 1;
	j = json_loadb(v, vl, 0, NULL);
	mine = strcmp(ojson_str(j, "client_id"), c->client_id) == 0;
	json_decref(j);
	if (!mine)
		return 1;
	if (c->n == c->cap) {
		c->cap = c->cap == 0 ? 16 : 2 * c->cap;
		c->keys = oxrealloc(c->keys, c->cap * sizeof(*c->keys));
	}
	memcpy(c->keys[c->n++], k, ODEVICE_KEY_LEN);
	return 1;
}

int
odevice_erase_client(struct ostore_txn *t, const char *client_id)
{
	struct of_client	 c;
	struct odevice_rec	 r;
	struct oerr		 e;
	size_t			 i;
	int			 ok = 0;

	memset(&c, 0, sizeof(c));
	c.client_id = client_id;
	if (ostore_scan(t, OSTORE_DEVICE, NULL, 0, NULL, 0, of_client_fn,
	    &c) != OSTORE_OK)
		goto out;
	for (i = 0; i < c.n; i++) {
		oerr_clear(&e);
		if (odevice_load(t, c.keys[i], &r, &e) == OSTORE_OK &&
		    !drop_user_code(t, r.uc_mac, c.keys[i])) {
			odevice_rec_free(&r);
			goto out;
		}
		odevice_rec_free(&r);
		/* Its expiry entry finds nothing and goes in the flush. */
		if (ostore_del(t, OSTORE_DEVICE, c.keys[i], ODEVICE_KEY_LEN) ==
		    OSTORE_ERR)
			goto out;
	}
	ok = 1;
out:
	free(c.keys);
	return ok;
}
