/*
 * consents.c: consents (grants), the "consents" table and its expiry
 * entries (see consents.h).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/consents.h"

#define KEY_MAX		600

void
oconsents_free(struct oconsent *c)
{
	free(c->request_id);
	free(c->sub);
	free(c->client_id);
	ojson_strs_free(&c->scope);
	ojson_strs_free(&c->aud);
	json_decref(c->session);
	free(c->sid);
	ojson_strs_free(&c->requested_scope);
	ojson_strs_free(&c->requested_audience);
	json_decref(c->login);
	free(c->request_url);
	memset(c, 0, sizeof(*c));
}

void
oconsents_list_free(struct oconsent *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		oconsents_free(&v[i]);
	free(v);
}

/* subject NUL client_id into key; its length, or 0 if too long. */
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

/* The key subject NUL client_id NUL request_id; its length, or 0. */
static size_t
consent_key(const struct oconsent *c, char *key)
{
	size_t	 n, rl;

	if (c->sub == NULL || c->client_id == NULL ||
	    c->request_id == NULL ||
	    (n = pair_key(c->sub, c->client_id, key)) == 0 ||
	    n + 1 + (rl = strlen(c->request_id)) > KEY_MAX)
		return 0;
	key[n] = '\0';
	memcpy(key + n + 1, c->request_id, rl);
	return n + 1 + rl;
}

/* A string member: s, or "" when NULL. */
static json_t *
jstring(const char *s)
{
	return json_string(s != NULL ? s : "");
}

/* The record of c, members in the order of consents.h. */
static json_t *
encode(const struct oconsent *c)
{
	json_t	*j = json_object();

	json_object_set_new(j, "request_id", jstring(c->request_id));
	json_object_set_new(j, "sub", jstring(c->sub));
	json_object_set_new(j, "client_id", jstring(c->client_id));
	json_object_set_new(j, "scope", ojson_strs_json(&c->scope));
	json_object_set_new(j, "aud", ojson_strs_json(&c->aud));
	if (c->session != NULL)
		json_object_set(j, "session", c->session);
	json_object_set_new(j, "sid", jstring(c->sid));
	json_object_set_new(j, "remember", json_boolean(c->remember));
	json_object_set_new(j, "remember_for",
	    json_integer(c->remember_for));
	json_object_set_new(j, "remember_until",
	    json_integer(c->remember_until));
	json_object_set_new(j, "handled_at", json_integer(c->handled_at));
	json_object_set_new(j, "exp", json_integer(c->exp));
	json_object_set_new(j, "requested_scope",
	    ojson_strs_json(&c->requested_scope));
	json_object_set_new(j, "requested_audience",
	    ojson_strs_json(&c->requested_audience));
	if (c->login != NULL)
		json_object_set(j, "login", c->login);
	json_object_set_new(j, "request_url", jstring(c->request_url));
	json_object_set_new(j, "skip", json_boolean(c->skip));
	return j;
}

/* A JSON member that is an object, as a new reference, or NULL. */
static json_t *
object(const json_t *j, const char *key)
{
	json_t	*o = json_object_get(j, key);

	return json_is_object(o) ? json_incref(o) : NULL;
}

/* Decode a stored record into c (zeroed).  Returns 1, or 0. */
static int
decode(const void *v, size_t vl, struct oconsent *c)
{
	json_t	*j;

	memset(c, 0, sizeof(*c));
	if ((j = json_loadb(v, vl, 0, NULL)) == NULL || !json_is_object(j)) {
		json_decref(j);
		return 0;
	}
	c->request_id = oxstrdup(ojson_str(j, "request_id"));
	c->sub = oxstrdup(ojson_str(j, "sub"));
	c->client_id = oxstrdup(ojson_str(j, "client_id"));
	ojson_strs_set(&c->scope, json_object_get(j, "scope"));
	ojson_strs_set(&c->aud, json_object_get(j, "aud"));
	c->session = object(j, "session");
	c->sid = oxstrdup(ojson_str(j, "sid"));
	c->remember = json_is_true(json_object_get(j, "remember"));
	c->remember_for = ojson_int(j, "remember_for");
	c->remember_until = ojson_int(j, "remember_until");
	c->handled_at = ojson_int(j, "handled_at");
	c->exp = ojson_int(j, "exp");
	ojson_strs_set(&c->requested_scope,
	    json_object_get(j, "requested_scope"));
	ojson_strs_set(&c->requested_audience,
	    json_object_get(j, "requested_audience"));
	c->login = object(j, "login");
	c->request_url = oxstrdup(ojson_str(j, "request_url"));
	c->skip = json_is_true(json_object_get(j, "skip"));
	json_decref(j);
	return 1;
}

int
oconsents_put(struct ostore_txn *t, const struct oconsent *c,
    struct oerr *err)
{
	char	 key[KEY_MAX], *buf;
	size_t	 klen;
	json_t	*j;
	int	 ok;

	if ((klen = consent_key(c, key)) == 0) {
		oerr_set(err, OERR_SERVER_ERROR, "The consent could not be "
		    "stored: its subject, client or request id is empty or "
		    "too long.");
		return 0;
	}
	j = encode(c);
	buf = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	ok = ostore_put(t, OSTORE_CONSENTS, key, klen, buf, strlen(buf), 0) ==
	    OSTORE_OK && (c->exp == 0 || ostore_expiry_put(t,
	    OSTORE_CONSENTS, key, klen, c->exp) == OSTORE_OK);
	free(buf);
	if (!ok)
		oerr_set(err, OERR_SERVER_ERROR, "The consent could not be "
		    "stored.");
	return ok;
}

/* Consents collected by a scan, in key order. */
struct collect {
	struct oconsent	*v;
	size_t		 n, cap;
	int		 remembered_only;
	int64_t		 now;
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
collect_cb(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct collect	*cs = arg;
	struct oconsent	 c;

	/*
	 * Every grant leaves a consent record, so a subject can have many;
	 * looking for a remembered one, skip without decoding those that
	 * cannot be (records are written compact, so a remembered one has
	 * this text; the decoded check below still decides).
	 */
	if (cs->remembered_only && !contains(v, vl, "\"remember\":true"))
		return 1;
	if (!decode(v, vl, &c))
		return 1;
	if (cs->remembered_only && (!c.remember || (c.remember_until != 0 &&
	    c.remember_until <= cs->now))) {
		oconsents_free(&c);
		return 1;
	}
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 8;
		cs->v = oxrealloc(cs->v, cs->cap * sizeof(*cs->v));
	}
	cs->v[cs->n++] = c;
	return 1;
}

/* Sort consents newest first by handled_at. */
static int
newest_first(const void *a, const void *b)
{
	int64_t	 x = (*(struct oconsent *const *)a)->handled_at;
	int64_t	 y = (*(struct oconsent *const *)b)->handled_at;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Consents of subject (and client) into *v, newest first. */
static int
consents(struct ostore_txn *t, const char *subject, const char *client_id,
    int remembered_only, struct oconsent **v, size_t *n, struct oerr *err)
{
	struct collect	  cs;
	struct oconsent	**p;
	char		  prefix[KEY_MAX];
	size_t		  plen, i;

	*v = NULL;
	*n = 0;
	memset(&cs, 0, sizeof(cs));
	cs.remembered_only = remembered_only;
	cs.now = onow();
	if (subject == NULL ||
	    (plen = pair_key(subject, client_id, prefix)) == 0)
		return 1;
	if (client_id != NULL)
		prefix[plen++] = '\0';
	if (ostore_scan(t, OSTORE_CONSENTS, prefix, plen, NULL, 0,
	    collect_cb, &cs) != OSTORE_OK) {
		oconsents_list_free(cs.v, cs.n);
		oerr_set(err, OERR_SERVER_ERROR, "The consents could not be "
		    "read.");
		return 0;
	}
	if (cs.n == 0)
		return 1;
	/* Sorted through pointers, so that equal times keep key order. */
	p = oxcalloc(cs.n, sizeof(*p));
	for (i = 0; i < cs.n; i++)
		p[i] = &cs.v[i];
	qsort(p, cs.n, sizeof(*p), newest_first);
	*v = oxcalloc(cs.n, sizeof(**v));
	for (i = 0; i < cs.n; i++)
		(*v)[i] = *p[i];
	*n = cs.n;
	free(p);
	free(cs.v);
	return 1;
}

int
oconsents_find(struct ostore_txn *t, const char *subject,
    const char *client_id, struct oconsent *c, struct oerr *err)
{
	struct oconsent	*v;
	size_t		 n;

	memset(c, 0, sizeof(*c));
	if (!consents(t, subject, client_id, 1, &v, &n, err))
		return 0;
	if (n == 0) {
		oerr_set(err, OERR_NOT_FOUND, "The subject has no remembered "
		    "consent for the client.");
		return 0;
	}
	*c = v[0];
	memset(&v[0], 0, sizeof(v[0]));
	oconsents_list_free(v, n);
	return 1;
}

int
oconsents_list(struct ostore_txn *t, const char *subject,
    const char *client_id, struct oconsent **v, size_t *n,
    struct oerr *err)
{
	return consents(t, subject, client_id, 0, v, n, err);
}

int
oconsents_erase(struct ostore_txn *t, const struct oconsent *c,
    struct oerr *err)
{
	char	 key[KEY_MAX];
	size_t	 klen;

	if ((klen = consent_key(c, key)) == 0)
		return 1;
	if (ostore_del(t, OSTORE_CONSENTS, key, klen) == OSTORE_ERR) {
		oerr_set(err, OERR_SERVER_ERROR, "The consent could not be "
		    "deleted.");
		return 0;
	}
	ostore_expiry_del(t, OSTORE_CONSENTS, key, klen, c->exp);
	return 1;
}

/* The keys of the consents given to one client. */
struct by_client {
	const char	*client_id;
	char		**keys;
	size_t		 *lens;
	size_t		  n, cap;
};

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
	if ((size_t)((const char *)k + kl - cid) <= cl || cid[cl] != '\0' ||
	    memcmp(cid, b->client_id, cl) != 0)
		return 1;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->keys = oxrealloc(b->keys, b->cap * sizeof(*b->keys));
		b->lens = oxrealloc(b->lens, b->cap * sizeof(*b->lens));
	}
	b->keys[b->n] = oxmalloc(kl);
	memcpy(b->keys[b->n], k, kl);
	b->lens[b->n++] = kl;
	return 1;
}

int
oconsents_erase_client(struct ostore_txn *t, const char *client_id,
    struct oerr *err)
{
	struct by_client	 b;
	struct oconsent		 c;
	const void		*v;
	size_t			 vl, i;
	int			 ok = 0;

	memset(&b, 0, sizeof(b));
	b.client_id = client_id;
	/* Collected first: the deletes come after the scan. */
	if (ostore_scan(t, OSTORE_CONSENTS, NULL, 0, NULL, 0, by_client_cb,
	    &b) != OSTORE_OK)
		goto out;
	for (i = 0; i < b.n; i++) {
		if (ostore_get(t, OSTORE_CONSENTS, b.keys[i], b.lens[i], &v,
		    &vl) != OSTORE_OK)
			continue;
		if (decode(v, vl, &c)) {
			ostore_expiry_del(t, OSTORE_CONSENTS, b.keys[i],
			    b.lens[i], c.exp);
			oconsents_free(&c);
		}
		if (ostore_del(t, OSTORE_CONSENTS, b.keys[i], b.lens[i]) ==
		    OSTORE_ERR)
			goto out;
	}
	ok = 1;
out:
	for (i = 0; i < b.n; i++)
		free(b.keys[i]);
	free(b.keys);
	free(b.lens);
	if (!ok)
		oerr_set(err, OERR_SERVER_ERROR, "The consents of the client "
		    "could not be deleted.");
	return ok;
}

int
oconsents_expire(struct ostore_txn *t, const void *key, size_t keylen)
{
	return ostore_del(t, OSTORE_CONSENTS, key, keylen) != OSTORE_ERR;
}
