/*
 * flow.c: sealed flow state, cookies, login sessions and consents
 * (see flow.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/json.h"
#include "records/flow.h"
#include "records/sessions.h"
#include "store/store.h"
#include "base/url.h"
#include "base/util.h"

#define SEALED_MAX	(32 * 1024)	/* bytes of a sealed state */
#define KEY_MAX		600

static const char *const purposes[OFLOW__MAX] = {
	"login",		/* OFLOW_LOGIN */
	"login_verifier",	/* OFLOW_LOGIN_VERIFIER */
	"consent",		/* OFLOW_CONSENT */
	"consent_verifier",	/* OFLOW_CONSENT_VERIFIER */
	"logout",		/* OFLOW_LOGOUT */
	"logout_verifier",	/* OFLOW_LOGOUT_VERIFIER */
	"session_cookie",	/* OFLOW_SESSION_COOKIE */
	"csrf_cookie",		/* OFLOW_CSRF_COOKIE */
	"ended_session",	/* OFLOW_ENDED_SESSION */
};

/* The configured app a challenge of purpose p is sent to, or NULL. */
static const char *
app_url(enum oflow_purpose p)
{
	if (oconf == NULL)
		return NULL;
	switch (p) {
	case OFLOW_LOGIN:
		return oconf->url_login;
	case OFLOW_CONSENT:
		return oconf->url_consent;
	case OFLOW_LOGOUT:
		return oconf->url_logout;
	default:
		return NULL;
	}
}

/* The sealing key from system secret i. */
static int
flow_key(size_t i, unsigned char key[OCRYPTO_AEAD_KEY_LEN])
{
	if (oconf == NULL || i >= oconf->nsecrets)
		return 0;
	return ocrypto_hkdf(oconf->secrets[i], strlen(oconf->secrets[i]),
	    NULL, 0, "oidcgi flow", key, OCRYPTO_AEAD_KEY_LEN);
}

char *
oflow_seal(enum oflow_purpose p, const json_t *state)
{
	unsigned char	 key[OCRYPTO_AEAD_KEY_LEN], *ct;
	char		*pt, *out;
	size_t		 ptlen, ctlen, olen;
	json_t		*copy = NULL;

	/* A challenge names the app it is sent to (oflow_for_bundled_app). */
	if (app_url(p) != NULL && json_object_get(state, "app") == NULL) {
		copy = json_copy((json_t *)state);
		json_object_set_new(copy, "app", json_string(app_url(p)));
		state = copy;
	}
	pt = json_dumps(state, JSON_COMPACT);
	json_decref(copy);
	ptlen = strlen(pt);
	ct = oxmalloc(ptlen + OCRYPTO_AEAD_OVERHEAD);
	out = oxmalloc(ocrypto_b64url_len(ptlen + OCRYPTO_AEAD_OVERHEAD) + 1);
	if (!flow_key(0, key) || !ocrypto_seal(key, purposes[p],
	    strlen(purposes[p]), pt, ptlen, ct, ptlen + OCRYPTO_AEAD_OVERHEAD,
	    &ctlen) || !ocrypto_b64url_encode(out, ocrypto_b64url_len(ctlen) +
	    1, &olen, ct, ctlen))
		abort();
	ocrypto_wipe(key, sizeof(key));
	ocrypto_wipe(pt, ptlen);
	free(pt);
	free(ct);
	return out;
}

json_t *
oflow_open(enum oflow_purpose p, const char *sealed, struct oerr *err)
{
	unsigned char	 key[OCRYPTO_AEAD_KEY_LEN], *ct = NULL, *pt = NULL;
	size_t		 len, ctlen, ptlen = 0, i;
	json_t		*state = NULL, *exp;
	int		 opened = 0;

	if (sealed == NULL || (len = strlen(sealed)) == 0 ||
	    len > SEALED_MAX)
		goto bad;
	ct = oxmalloc(len);
	pt = oxmalloc(len);
	if (!ocrypto_b64url_decode(ct, len, &ctlen, sealed, len))
		goto bad;
	for (i = 0; !opened && oconf != NULL && i < oconf->nsecrets; i++)
		opened = flow_key(i, key) && ocrypto_open(key, purposes[p],
		    strlen(purposes[p]), ct, ctlen, pt, len, &ptlen);
	ocrypto_wipe(key, sizeof(key));
	if (!opened ||
	    (state = json_loadb((char *)pt, ptlen, 0, NULL)) == NULL)
		goto bad;
	exp = json_object_get(state, "exp");
	if (!json_is_integer(exp) || json_integer_value(exp) <= onow()) {
		json_decref(state);
		state = NULL;
		oerr_set(err, OERR_NOT_FOUND, "The %s has expired.",
		    purposes[p]);
		goto out;
	}
	goto out;
bad:
	oerr_set(err, OERR_NOT_FOUND, "The %s is not one this server "
	    "issued.", purposes[p]);
out:
	if (pt != NULL)
		ocrypto_wipe(pt, len);
	free(ct);
	free(pt);
	return state;
}

/* The "flows" key of (purpose, id): SHA-256 of "purpose NUL id". */
static void
used_key(enum oflow_purpose p, const char *id,
    unsigned char key[OCRYPTO_SHA256_LEN])
{
	char	 buf[512];
	int	 n;

	n = snprintf(buf, sizeof(buf), "%s%c%s", purposes[p], '\0', id);
	ocrypto_sha256(buf, n > 0 && (size_t)n < sizeof(buf) ? (size_t)n :
	    sizeof(buf) - 1, key);
}

enum ostore_rc
oflow_use(struct ostore_txn *t, enum oflow_purpose p, const char *id,
    int64_t exp, const json_t *rec)
{
	unsigned char	 key[OCRYPTO_SHA256_LEN];
	json_t		*r;
	char		*buf;
	enum ostore_rc	 rc;

	used_key(p, id, key);
	r = rec != NULL ? json_deep_copy(rec) : json_object();
	json_object_set_new(r, "exp", json_integer(exp));
	buf = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	rc = ostore_put(t, OSTORE_FLOWS, key, sizeof(key), buf, strlen(buf),
	    OSTORE_NOOVERWRITE);
	free(buf);
	if (rc == OSTORE_OK)
		rc = ostore_expiry_put(t, OSTORE_FLOWS, key, sizeof(key), exp);
	return rc;
}

json_t *
oflow_used(struct ostore_txn *t, enum oflow_purpose p, const char *id)
{
	unsigned char	 key[OCRYPTO_SHA256_LEN];
	const void	*v;
	size_t		 vl;

	used_key(p, id, key);
	if (ostore_get(t, OSTORE_FLOWS, key, sizeof(key), &v, &vl) !=
	    OSTORE_OK)
		return NULL;
	return json_loadb(v, vl, 0, NULL);
}

int
oflow_for_bundled_app(enum oflow_purpose p, const json_t *st)
{
	const char	*app, *page;
	size_t		 il, pl, al;

	switch (p) {
	case OFLOW_LOGIN:
		page = "ui/login";
		break;
	case OFLOW_CONSENT:
		page = "ui/consent";
		break;
	case OFLOW_LOGOUT:
		page = "ui/logout";
		break;
	default:
		return 0;
	}
	if ((app = json_string_value(json_object_get(st, "app"))) == NULL)
		app = app_url(p);
	if (app == NULL || oconf == NULL)
		return 0;
	il = strlen(oconf->issuer);
	pl = strlen(page);
	al = strcspn(app, "?#");
	return al == il + pl && strncmp(app, oconf->issuer, il) == 0 &&
	    strncmp(app + il, page, pl) == 0;
}

int
oflow_session_ended(struct ostore_txn *t, const char *sid)
{
	json_t	*m;

	if (sid == NULL || *sid == '\0' ||
	    (m = oflow_used(t, OFLOW_ENDED_SESSION, sid)) == NULL)
		return 0;
	json_decref(m);
	return 1;
}

/* Mark the login session sid ended (see oflow_session_ended). */
static int
session_end(struct ostore_txn *t, const char *sid, size_t sidlen)
{
	char		 id[KEY_MAX];
	enum ostore_rc	 rc;

	if (sidlen == 0 || sidlen >= sizeof(id))
		return 1;
	memcpy(id, sid, sidlen);
	id[sidlen] = '\0';
	rc = oflow_use(t, OFLOW_ENDED_SESSION, id, onow() +
	    OFLOW_ENDED_TTL(oconf != NULL ? oconf->ttl_login_consent : 3600),
	    NULL);
	return rc == OSTORE_OK || rc == OSTORE_EXISTS;
}

/* Store a record with an expiry entry; exp 0 means it never expires. */
static int
put_expiring(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t klen, const json_t *rec, int64_t exp)
{
	char	*buf = json_dumps(rec, JSON_COMPACT);
	int	 ok;

	ok = ostore_put(t, db, key, klen, buf, strlen(buf), 0) == OSTORE_OK &&
	    (exp == 0 || ostore_expiry_put(t, db, key, klen, exp) ==
	    OSTORE_OK);
	free(buf);
	return ok;
}

/* subject NUL rest into key; returns its length, or 0 if too long. */
static size_t
pair_key(const char *a, const char *b, char *key)
{
	size_t	 al = strlen(a), bl = b != NULL ? strlen(b) : 0;

	if (al + bl + 2 > KEY_MAX - 64 || al == 0)
		return 0;
	memcpy(key, a, al);
	key[al] = '\0';
	if (bl > 0)
		memcpy(key + al + 1, b, bl);
	return al + 1 + bl;
}

int
oflow_session_put(struct ostore_txn *t, const struct osessions_rec *s,
    struct oerr *err)
{
	if (s->sid != NULL && oflow_session_ended(t, s->sid)) {
		oerr_set(err, OERR_ACCESS_DENIED, "The login session has been "
		    "logged out; sign in again.");
		oerr_status(err, 400);
		return 0;
	}
	return osessions_put(t, s, err);
}

struct collect {
	char	**keys;
	size_t	 *lens;
	size_t	  n, cap;
};

/* Collect the keys of a scan (to act on them after it). */
static int
collect_cb(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct collect	*c = arg;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->keys = oxrealloc(c->keys, c->cap * sizeof(*c->keys));
		c->lens = oxrealloc(c->lens, c->cap * sizeof(*c->lens));
	}
	c->keys[c->n] = oxstrndup(k, kl);
	c->lens[c->n++] = kl;
	return 1;
}

static void
collect_free(struct collect *c)
{
	size_t	 i;

	for (i = 0; i < c->n; i++)
		free(c->keys[i]);
	free(c->keys);
	free(c->lens);
	memset(c, 0, sizeof(*c));
}

int
oflow_session_delete(struct ostore_txn *t, const char *sid,
    const char *subject)
{
	char		**sids;
	size_t		  n, i;
	int		  ok;

	if (sid != NULL)
		return session_end(t, sid, strlen(sid)) &&
		    osessions_del(t, sid, strlen(sid), NULL);
	if (!osessions_of_subject(t, subject, &sids, &n))
		return 0;
	for (i = 0, ok = 1; ok && i < n; i++)
		ok = session_end(t, sids[i], strlen(sids[i])) &&
		    osessions_del(t, sids[i], strlen(sids[i]), subject);
	osessions_sids_free(sids, n);
	return ok;
}

/* The consents key: subject NUL client_id NUL request_id. */
static size_t
consent_key(const json_t *c, char *key)
{
	const char	*sub = json_string_value(json_object_get(c, "sub"));
	const char	*cid = json_string_value(json_object_get(c,
			    "client_id"));
	const char	*rid = json_string_value(json_object_get(c,
			    "request_id"));
	size_t		 n;

	if (sub == NULL || cid == NULL || rid == NULL ||
	    (n = pair_key(sub, cid, key)) == 0 ||
	    n + 1 + strlen(rid) > KEY_MAX)
		return 0;
	key[n] = '\0';
	memcpy(key + n + 1, rid, strlen(rid));
	return n + 1 + strlen(rid);
}

int
oflow_consent_put(struct ostore_txn *t, const json_t *c, struct oerr *err)
{
	char	 key[KEY_MAX];
	size_t	 klen;

	if ((klen = consent_key(c, key)) == 0 || !put_expiring(t,
	    OSTORE_CONSENTS, key, klen, c,
	    json_integer_value(json_object_get(c, "exp")))) {
		oerr_set(err, OERR_SERVER_ERROR, "The consent could not be "
		    "stored.");
		return 0;
	}
	return 1;
}

struct consents {
	json_t		*out;
	int		 remembered_only;
};

/* 1 if the hl bytes at hay contain the string needle. */
static int
contains(const void *hay, size_t hl, const char *needle)
{
	const char	*h = hay, *p;
	size_t		 nl = strlen(needle);

	while (hl >= nl && (p = memchr(h, needle[0], hl - nl + 1)) != NULL) {
		if (memcmp(p, needle, nl) == 0)
			return 1;
		hl -= (size_t)(p - h) + 1;
		h = p + 1;
	}
	return 0;
}

static int
consent_cb(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct consents	*cs = arg;
	json_t		*c;
	int64_t		 until;

	/*
	 * Every grant leaves a consent record, so a subject can have many;
	 * looking for a remembered one, skip without parsing those that
	 * cannot be (records are written compact, so a remembered one has
	 * this text; the parsed check below still decides).
	 */
	if (cs->remembered_only && !contains(v, vl, "\"remember\":true"))
		return 1;
	if ((c = json_loadb(v, vl, 0, NULL)) == NULL)
		return 1;
	until = json_integer_value(json_object_get(c, "remember_until"));
	if (!cs->remembered_only || (json_is_true(json_object_get(c,
	    "remember")) && (until == 0 || until > onow())))
		json_array_append(cs->out, c);
	json_decref(c);
	return 1;
}

/* Sort consents newest first by handled_at. */
static int
newest_first(const void *a, const void *b)
{
	json_int_t	 x = json_integer_value(json_object_get(
			    *(json_t *const *)a, "handled_at"));
	json_int_t	 y = json_integer_value(json_object_get(
			    *(json_t *const *)b, "handled_at"));

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Consents of subject (and client) into a new array, newest first. */
static json_t *
consents(struct ostore_txn *t, const char *subject, const char *client_id,
    int remembered_only)
{
	struct consents	 cs;
	char		 prefix[KEY_MAX];
	size_t		 plen, i, n;
	json_t		**v, *sorted;

	cs.out = json_array();
	cs.remembered_only = remembered_only;
	if ((plen = pair_key(subject, client_id, prefix)) == 0)
		return cs.out;
	if (client_id != NULL)
		prefix[plen++] = '\0';
	ostore_scan(t, OSTORE_CONSENTS, prefix, plen, NULL, 0, consent_cb,
	    &cs);
	n = json_array_size(cs.out);
	v = oxcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_array_get(cs.out, i);
	qsort(v, n, sizeof(*v), newest_first);
	sorted = json_array();
	for (i = 0; i < n; i++)
		json_array_append(sorted, v[i]);
	free(v);
	json_decref(cs.out);
	return sorted;
}

json_t *
oflow_consent_find(struct ostore_txn *t, const char *subject,
    const char *client_id)
{
	json_t	*all = consents(t, subject, client_id, 1), *c;

	c = json_array_size(all) > 0 ? json_incref(json_array_get(all, 0)) :
	    NULL;
	json_decref(all);
	return c;
}

json_t *
oflow_consent_list(struct ostore_txn *t, const char *subject,
    const char *client_id)
{
	return consents(t, subject, client_id, 0);
}

int
oflow_consent_erase(struct ostore_txn *t, const json_t *c)
{
	char		 key[KEY_MAX];
	size_t		 klen;

	if ((klen = consent_key(c, key)) == 0)
		return 1;
	if (ostore_del(t, OSTORE_CONSENTS, key, klen) == OSTORE_ERR)
		return 0;
	ostore_expiry_del(t, OSTORE_CONSENTS, key, klen, ojson_int(c, "exp"));
	return 1;
}

int
oflow_expire(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen)
{
	switch (db) {
	case OSTORE_SESSIONS:
		return osessions_del(t, key, keylen, NULL);
	case OSTORE_FLOWS:
	case OSTORE_CONSENTS:
		return ostore_del(t, db, key, keylen) != OSTORE_ERR;
	default:
		return 1;
	}
}

struct by_client {
	const char	*client_id;
	struct collect	 keys;
};

/* Collect the keys of consents given to one client. */
static int
by_client_cb(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct by_client	*b = arg;
	const char		*sub_end, *cid;
	size_t			 cl = strlen(b->client_id);

	/* Key: subject NUL client_id NUL request_id. */
	if ((sub_end = memchr(k, '\0', kl)) == NULL)
		return 1;
	cid = sub_end + 1;
	if ((size_t)((const char *)k + kl - cid) > cl && cid[cl] == '\0' &&
	    memcmp(cid, b->client_id, cl) == 0)
		collect_cb(k, kl, v, vl, &b->keys);
	return 1;
}

int
oflow_consent_erase_client(struct ostore_txn *t, const char *client_id)
{
	struct by_client	 b;
	const void		*v;
	size_t			 vl, i;
	json_t			*c;
	int			 ok = 1;

	memset(&b, 0, sizeof(b));
	b.client_id = client_id;
	if (ostore_scan(t, OSTORE_CONSENTS, NULL, 0, NULL, 0, by_client_cb,
	    &b) != OSTORE_OK) {
		collect_free(&b.keys);
		return 0;
	}
	for (i = 0; i < b.keys.n; i++) {
		if (ostore_get(t, OSTORE_CONSENTS, b.keys.keys[i],
		    b.keys.lens[i], &v, &vl) != OSTORE_OK ||
		    (c = json_loadb(v, vl, 0, NULL)) == NULL)
			continue;
		ostore_expiry_del(t, OSTORE_CONSENTS, b.keys.keys[i],
		    b.keys.lens[i], json_integer_value(json_object_get(c,
		    "exp")));
		json_decref(c);
		if (ostore_del(t, OSTORE_CONSENTS, b.keys.keys[i],
		    b.keys.lens[i]) == OSTORE_ERR) {
			ok = 0;
			break;
		}
	}
	collect_free(&b.keys);
	return ok;
}
