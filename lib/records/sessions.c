/*
 * sessions.c: login sessions, the "sessions" table and its index (see
 * sessions.h).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/sessions.h"

#define KEY_MAX		600

void
osessions_free(struct osessions_rec *s)
{
	size_t	 i;

	for (i = 0; i < s->nclients; i++)
		free(s->clients[i]);
	free(s->clients);
	free(s->sid);
	free(s->sub);
	memset(s, 0, sizeof(*s));
}

/* The index key subject NUL sid into key; its length, or 0 if too long. */
static size_t
subject_key(const char *sub, const char *sid, size_t sidlen, char *key)
{
	size_t	 sl = strlen(sub);

	if (sl == 0 || sl + sidlen + 2 > KEY_MAX - 64)
		return 0;
	memcpy(key, sub, sl);
	key[sl] = '\0';
	memcpy(key + sl + 1, sid, sidlen);
	return sl + 1 + sidlen;
}

/* Decode a stored record into s (zeroed).  Returns 1, or 0. */
static int
decode(const void *v, size_t vl, const char *sid, struct osessions_rec *s)
{
	json_t	*j, *e;
	size_t	 i;

	if ((j = json_loadb(v, vl, 0, NULL)) == NULL || !json_is_object(j)) {
		json_decref(j);
		return 0;
	}
	s->sid = oxstrdup(sid);
	s->sub = oxstrdup(ojson_str(j, "sub"));
	s->auth_time = ojson_int(j, "auth_time");
	s->exp = ojson_int(j, "exp");
	s->remember_for = ojson_int(j, "remember_for");
	e = json_object_get(j, "clients");
	if (json_array_size(e) > 0)
		s->clients = oxmalloc(json_array_size(e) *
		    sizeof(*s->clients));
	for (i = 0; i < json_array_size(e); i++)
		if (json_is_string(json_array_get(e, i)))
			s->clients[s->nclients++] = oxstrdup(
			    json_string_value(json_array_get(e, i)));
	json_decref(j);
	return 1;
}

int
osessions_get(struct ostore_txn *t, const char *sid,
    struct osessions_rec *s, struct oerr *err)
{
	const void	*v;
	size_t		 vl;

	memset(s, 0, sizeof(*s));
	if (sid == NULL || *sid == '\0' || ostore_get(t, OSTORE_SESSIONS, sid,
	    strlen(sid), &v, &vl) != OSTORE_OK) {
		oerr_set(err, OERR_NOT_FOUND, "The login session does not "
		    "exist.");
		return 0;
	}
	if (!decode(v, vl, sid, s)) {
		oerr_set(err, OERR_SERVER_ERROR, "The login session record "
		    "cannot be read.");
		return 0;
	}
	return 1;
}

int
osessions_live(struct ostore_txn *t, const char *sid,
    struct osessions_rec *s, struct oerr *err)
{
	if (!osessions_get(t, sid, s, err))
		return 0;
	if (s->exp <= onow()) {
		osessions_free(s);
		oerr_set(err, OERR_NOT_FOUND, "The login session has "
		    "expired.");
		return 0;
	}
	return 1;
}

/* The record of s as JSON (a new reference). */
static json_t *
encode(const struct osessions_rec *s)
{
	json_t	*j, *c;
	size_t	 i;

	j = json_pack("{s:s,s:s,s:I,s:I,s:I,s:[]}", "sid", s->sid, "sub",
	    s->sub, "auth_time", (json_int_t)s->auth_time, "exp",
	    (json_int_t)s->exp, "remember_for", (json_int_t)s->remember_for,
	    "clients");
	c = json_object_get(j, "clients");
	for (i = 0; i < s->nclients; i++)
		json_array_append_new(c, json_string(s->clients[i]));
	return j;
}

int
osessions_put(struct ostore_txn *t, const struct osessions_rec *s,
    struct oerr *err)
{
	char	 key[KEY_MAX], *buf = NULL;
	size_t	 klen = 0;
	json_t	*j;
	int	 ok;

	if (s->sid != NULL && s->sub != NULL)
		klen = subject_key(s->sub, s->sid, strlen(s->sid), key);
	if (klen > 0) {
		j = encode(s);
		buf = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	ok = klen > 0 && ostore_put(t, OSTORE_SESSIONS, s->sid,
	    strlen(s->sid), buf, strlen(buf), 0) == OSTORE_OK &&
	    (s->exp == 0 || ostore_expiry_put(t, OSTORE_SESSIONS, s->sid,
	    strlen(s->sid), s->exp) == OSTORE_OK) &&
	    ostore_put(t, OSTORE_SESSIONS_BY_SUBJECT, key, klen, "", 0, 0) ==
	    OSTORE_OK;
	free(buf);
	if (!ok)
		oerr_set(err, OERR_SERVER_ERROR, "The login session could "
		    "not be stored.");
	return ok;
}

int
osessions_add_client(struct ostore_txn *t, const char *sid,
    const char *client_id, struct oerr *err)
{
	struct osessions_rec	 s;
	struct oerr		 e;
	size_t			 i;
	int			 ok = 1;

	oerr_clear(&e);
	if (!osessions_get(t, sid, &s, &e))
		return 1;
	for (i = 0; i < s.nclients; i++)
		if (strcmp(s.clients[i], client_id) == 0)
			break;
	if (i == s.nclients) {
		s.clients = oxrealloc(s.clients, (s.nclients + 1) *
		    sizeof(*s.clients));
		s.clients[s.nclients++] = oxstrdup(client_id);
		ok = osessions_put(t, &s, err);
	}
	osessions_free(&s);
	return ok;
}

int
osessions_del(struct ostore_txn *t, const char *sid, size_t sidlen,
    const char *subject)
{
	struct osessions_rec	 s;
	struct oerr		 e;
	char			 key[KEY_MAX], id[KEY_MAX];
	size_t			 klen;

	if (sidlen == 0 || sidlen >= sizeof(id))
		return 1;
	memcpy(id, sid, sidlen);
	id[sidlen] = '\0';
	if (subject != NULL &&
	    (klen = subject_key(subject, id, sidlen, key)) > 0)
		ostore_del(t, OSTORE_SESSIONS_BY_SUBJECT, key, klen);
	oerr_clear(&e);
	if (!osessions_get(t, id, &s, &e))
		return e.code != OERR_NOT_FOUND ? ostore_del(t,
		    OSTORE_SESSIONS, id, sidlen) != OSTORE_ERR : 1;
	if ((klen = subject_key(s.sub, id, sidlen, key)) > 0)
		ostore_del(t, OSTORE_SESSIONS_BY_SUBJECT, key, klen);
	ostore_expiry_del(t, OSTORE_SESSIONS, id, sidlen, s.exp);
	osessions_free(&s);
	return ostore_del(t, OSTORE_SESSIONS, id, sidlen) != OSTORE_ERR;
}

struct sids {
	size_t	  plen;		/* of the subject NUL prefix */
	char	**v;
	size_t	  n, cap;
};

/* Collect the sid of an index key. */
static int
sid_cb(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct sids	*c = arg;

	(void)v;
	(void)vl;
	if (kl <= c->plen)
		return 1;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = oxrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = oxstrndup((const char *)k + c->plen, kl - c->plen);
	return 1;
}

int
osessions_of_subject(struct ostore_txn *t, const char *subject,
    char ***sids, size_t *n)
{
	struct sids	 c;
	char		 prefix[KEY_MAX];

	memset(&c, 0, sizeof(c));
	*sids = NULL;
	*n = 0;
	if (subject == NULL || (c.plen = subject_key(subject, "", 0,
	    prefix)) == 0)
		return 1;
	if (ostore_scan(t, OSTORE_SESSIONS_BY_SUBJECT, prefix, c.plen, NULL,
	    0, sid_cb, &c) != OSTORE_OK) {
		osessions_sids_free(c.v, c.n);
		return 0;
	}
	*sids = c.v;
	*n = c.n;
	return 1;
}

void
osessions_sids_free(char **sids, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(sids[i]);
	free(sids);
}
