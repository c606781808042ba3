/*
 * lifecycle.c: the cascades across record modules (lifecycle.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/consents.h"
#include "records/device.h"
#include "records/flow.h"
#include "records/lifecycle.h"
#include "records/tokens.h"
#include "records/trust.h"
#include "records/users.h"

#define FLUSH_BATCH	256	/* expiry entries collected per scan */
#define EXPIRY_KEY_MAX	600	/* 8-byte exp, 1-byte db, the record's key */

int
olife_client_remove(struct ostore_txn *t, const char *id, struct oerr *err)
{
	json_t	*rec;

	if ((rec = oclient_load(t, id, err)) == NULL)
		return 0;
	json_decref(rec);
	/*
	 * Every code, access and refresh token of the client goes with it,
	 * through the tokens_by_client index (Hydra deletes them by
	 * foreign key), every consent given to it and its device
	 * authorizations (RFC 8628), so that a new client of the same id
	 * inherits none.
	 */
	if (!otoken_revoke_client(t, id) ||
	    !oconsents_erase_client(t, id, NULL) ||
	    !odevice_erase_client(t, id)) {
		oerr_set(err, OERR_SERVER_ERROR, "The client's tokens and "
		    "consents could not be revoked.");
		return 0;
	}
	return oclient_erase(t, id, err);
}

static int
client_delete_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return olife_client_remove(t, arg, err);
}

int
olife_client_delete(const char *id, struct oerr *err)
{
	return ostore_write(client_delete_fn, (void *)id, err);
}

/*
 * Mark the grant of consent c revoked while a code issued under it may
 * still be redeemed: codes are sealed, not stored (tokens.h), so the
 * exchange looks for this mark on their request_id.  Returns 1, or 0
 * on a store failure.
 */
static int
grant_revoked(struct ostore_txn *t, const struct oconsent *c)
{
	int64_t		 until = c->handled_at + (oconf != NULL ?
			    oconf->ttl_auth_code : 600) + 60;
	enum ostore_rc	 rc;

	if (until <= onow())
		return 1;
	rc = oflow_use(t, OFLOW_REVOKED_GRANT, c->request_id, until, NULL);
	return rc == OSTORE_OK || rc == OSTORE_EXISTS;
}

int
olife_consent_revoke(struct ostore_txn *t, const char *subject,
    const char *client_id, size_t *n)
{
	struct oconsent	*all;
	size_t		 i, nall;
	int		 ok = 1;

	if (n != NULL)
		*n = 0;
	if (!oconsents_list(t, subject, client_id, &all, &nall, NULL))
		return 0;
	for (i = 0; i < nall; i++) {
		if (!otoken_revoke_request(t, all[i].request_id) ||
		    !grant_revoked(t, &all[i]) ||
		    !oconsents_erase(t, &all[i], NULL)) {
			ok = 0;
			break;
		}
		if (n != NULL)
			(*n)++;
	}
	oconsents_list_free(all, nall);
	return ok;
}

static int
user_delete_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	json_t		*rec;
	const char	*sub;
	int		 ok;

	if ((rec = ouser_erase(t, arg, err)) == NULL)
		return 0;
	sub = ojson_str(rec, "sub");
	ok = oflow_session_delete(t, NULL, sub) &&
	    olife_consent_revoke(t, sub, NULL, NULL);
	json_decref(rec);
	if (!ok)
		oerr_set(err, OERR_SERVER_ERROR, "The user's sessions and "
		    "consents could not be deleted.");
	return ok;
}

int
olife_user_delete(const char *username, struct oerr *err)
{
	return ostore_write(user_delete_fn, (void *)username, err);
}

/* Up to want expiry entries due before not_after, oldest first. */
struct batch {
	unsigned char	(*k)[EXPIRY_KEY_MAX];
	size_t		*len;
	size_t		 n, want;
	int64_t		 not_after;
};

/* The exp of an expiry index key (8 bytes big-endian). */
static int64_t
key_exp(const unsigned char *k)
{
	uint64_t	 e = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		e = (e << 8) | k[i];
	return (int64_t)e;
}

static int
collect_expired(const void *k, size_t kl, const void *v, size_t vl,
    void *arg)
{
	struct batch	*b = arg;

	if (kl < 10 || kl > EXPIRY_KEY_MAX)
		return 1;	/* not ours to judge; skipped */
	if (key_exp(k) >= b->not_after || b->n == b->want)
		return 0;
	memcpy(b->k[b->n], k, kl);
	b->len[b->n++] = kl;
	return 1;
}

/* Expire the record one expiry entry names, by the module that owns it. */
static int
expire_one(struct ostore_txn *t, const unsigned char *k, size_t kl,
    int64_t not_after)
{
	enum ostore_db	 db = (enum ostore_db)k[8];

	switch (db) {
	case OSTORE_TOKENS:
		return otoken_expire(t, k + 9, kl - 9, not_after);
	case OSTORE_FLOWS:
	case OSTORE_SESSIONS:
		return oflow_expire(t, db, k + 9, kl - 9);
	case OSTORE_CONSENTS:
		return oconsents_expire(t, k + 9, kl - 9);
	case OSTORE_TRUST:
		return otrust_expire(t, k + 9, kl - 9);
	case OSTORE_DEVICE:
	case OSTORE_DEVICE_BY_USER_CODE:
		return odevice_expire(t, db, k + 9, kl - 9);
	default:
		return 1;
	}
}

int
olife_flush(struct ostore_txn *t, int64_t not_after, size_t max,
    size_t *done)
{
	struct batch	 b;
	size_t		 i, cap, n = 0;
	int		 ok = 0;

	/* The token endpoint flushes 16 at a time: no need for more room. */
	cap = max > 0 && max < FLUSH_BATCH ? max : FLUSH_BATCH;
	b.k = oxcalloc(cap, sizeof(*b.k));
	b.len = oxcalloc(cap, sizeof(*b.len));
	b.not_after = not_after;
	for (;;) {
		b.n = 0;
		b.want = cap;
		if (max > 0 && max - n < b.want)
			b.want = max - n;
		if (b.want == 0)
			break;
		if (ostore_scan(t, OSTORE_EXPIRY, NULL, 0, NULL, 0,
		    collect_expired, &b) != OSTORE_OK)
			goto out;
		for (i = 0; i < b.n; i++) {
			if (!expire_one(t, b.k[i], b.len[i], not_after))
				goto out;
			/* Whatever the db: the entry itself goes. */
			if (ostore_del(t, OSTORE_EXPIRY, b.k[i], b.len[i]) ==
			    OSTORE_ERR)
				goto out;
			n++;
		}
		if (b.n < b.want)
			break;
	}
	ok = 1;
out:
	free(b.k);
	free(b.len);
	if (done != NULL)
		*done = n;
	return ok;
}
