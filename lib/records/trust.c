/*
 * trust.c: trust relationships of the JWT Bearer grant (see trust.h).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/trust.h"

#define RECORD_VERSION	1
#define ID_MAX		64

/* The integer member of a record, 0 when absent. */
static int64_t
num(const json_t *rec, const char *name)
{
	return (int64_t)json_integer_value(json_object_get(rec, name));
}

/* The string member of a record, "" when absent. */
static const char *
str(const json_t *rec, const char *name)
{
	const char	*s = json_string_value(json_object_get(rec, name));

	return s != NULL ? s : "";
}

/* A record parsed from the store, or NULL (logged). */
static json_t *
parse(const void *val, size_t len)
{
	json_t	*rec;

	if ((rec = json_loadb(val, len, 0, NULL)) == NULL ||
	    !json_is_object(rec)) {
		olog_err("trust: a damaged record");
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* What a scan collects. */
struct scan {
	const char	*issuer;	/* filter, or NULL */
	const char	*subject;	/* otrust_match(): NULL for list */
	const char	*kid;		/* otrust_insert(): duplicates */
	const json_t	*dup_of;
	int64_t		 now;
	size_t		 offset, limit, total;
	json_t		*out;
	int		 bad;
};

/* 1 if rec is live and allows subject (or, for dup_of, the same). */
static int
matches(const struct scan *s, const json_t *rec)
{
	if (s->issuer != NULL && strcmp(str(rec, "issuer"), s->issuer) != 0)
		return 0;
	if (s->dup_of != NULL)
		return num(rec, "expires_at") > s->now &&
		    strcmp(str(rec, "kid"), s->kid) == 0 &&
		    json_is_true(json_object_get(rec, "allow_any_subject")) ==
		    json_is_true(json_object_get(s->dup_of,
		    "allow_any_subject")) &&
		    strcmp(str(rec, "subject"), str(s->dup_of, "subject")) ==
		    0;
	if (s->subject != NULL)
		return num(rec, "expires_at") > s->now &&
		    (json_is_true(json_object_get(rec, "allow_any_subject")) ||
		    strcmp(str(rec, "subject"), s->subject) == 0);
	return 1;
}

static int
scan_fn(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct scan	*s = arg;
	json_t		*rec;

	(void)k;
	(void)kl;
	if ((rec = parse(v, vl)) == NULL) {
		s->bad = 1;
		return 0;
	}
	if (matches(s, rec)) {
		if (s->total >= s->offset && json_array_size(s->out) <
		    s->limit)
			json_array_append(s->out, rec);
		s->total++;
	}
	json_decref(rec);
	return 1;
}

/* Scan every record into s->out.  Returns 1, or 0 with a 500. */
static int
scan_all(struct ostore_txn *t, struct scan *s, struct oerr *err)
{
	s->out = json_array();
	if (ostore_scan(t, OSTORE_TRUST, NULL, 0, NULL, 0, scan_fn, s) !=
	    OSTORE_OK || s->bad) {
		oerr_set(err, OERR_SERVER_ERROR, "The trust relationships "
		    "could not be read.");
		json_decref(s->out);
		s->out = NULL;
		return 0;
	}
	return 1;
}

int
otrust_insert(struct ostore_txn *t, const json_t *rec, struct oerr *err)
{
	struct scan	 s;
	const char	*id = str(rec, "id");
	char		*buf;
	enum ostore_rc	 rc;

	memset(&s, 0, sizeof(s));
	s.issuer = str(rec, "issuer");
	s.kid = str(rec, "kid");
	s.dup_of = rec;
	s.now = onow();
	s.limit = 1;
	if (!scan_all(t, &s, err))
		return 0;
	json_decref(s.out);
	if (s.total > 0) {
		oerr_set(err, OERR_CONFLICT, "A trust relationship for this "
		    "issuer, subject and key already exists.");
		return 0;
	}
	buf = json_dumps(rec, JSON_COMPACT);
	rc = ostore_put(t, OSTORE_TRUST, id, strlen(id), buf, strlen(buf),
	    OSTORE_NOOVERWRITE);
	free(buf);
	if (rc == OSTORE_OK)
		rc = ostore_expiry_put(t, OSTORE_TRUST, id, strlen(id),
		    num(rec, "expires_at"));
	if (rc == OSTORE_EXISTS)
		oerr_set(err, OERR_CONFLICT, "The trust relationship '%s' "
		    "exists.", id);
	else if (rc != OSTORE_OK)
		oerr_set(err, OERR_SERVER_ERROR, "The trust relationship "
		    "could not be stored.");
	return rc == OSTORE_OK;
}

json_t *
otrust_load(struct ostore_txn *t, const char *id, struct oerr *err)
{
	const void	*v;
	size_t		 vl;
	enum ostore_rc	 rc;
	json_t		*rec;

	if (strlen(id) > ID_MAX || (rc = ostore_get(t, OSTORE_TRUST, id,
	    strlen(id), &v, &vl)) == OSTORE_NOTFOUND) {
		oerr_set(err, OERR_NOT_FOUND, "Unable to locate the requested "
		    "resource");
		return NULL;
	}
	if (rc != OSTORE_OK || (rec = parse(v, vl)) == NULL) {
		oerr_set(err, OERR_SERVER_ERROR, "The trust relationship "
		    "could not be read.");
		return NULL;
	}
	return rec;
}

int
otrust_erase(struct ostore_txn *t, const char *id, struct oerr *err)
{
	json_t	*rec;
	int	 ok;

	if ((rec = otrust_load(t, id, err)) == NULL)
		return 0;
	ok = ostore_del(t, OSTORE_TRUST, id, strlen(id)) == OSTORE_OK &&
	    ostore_expiry_del(t, OSTORE_TRUST, id, strlen(id),
	    num(rec, "expires_at")) != OSTORE_ERR;
	json_decref(rec);
	if (!ok)
		oerr_set(err, OERR_SERVER_ERROR, "The trust relationship "
		    "could not be deleted.");
	return ok;
}

json_t *
otrust_list(struct ostore_txn *t, const char *issuer, size_t offset,
    size_t limit, size_t *total, struct oerr *err)
{
	struct scan	 s;

	memset(&s, 0, sizeof(s));
	s.issuer = issuer;
	s.offset = offset;
	s.limit = limit;
	if (!scan_all(t, &s, err))
		return NULL;
	*total = s.total;
	return s.out;
}

json_t *
otrust_match(struct ostore_txn *t, const char *issuer, const char *subject,
    int64_t now, struct oerr *err)
{
	struct scan	 s;

	memset(&s, 0, sizeof(s));
	s.issuer = issuer;
	s.subject = subject;
	s.now = now;
	s.limit = 64;
	if (!scan_all(t, &s, err))
		return NULL;
	return s.out;
}

int
otrust_expire(struct ostore_txn *t, const unsigned char *id, size_t idlen)
{
	return ostore_del(t, OSTORE_TRUST, id, idlen) != OSTORE_ERR;
}
