/*
 * apps.c: application records in the "apps" database (apps.h,
 * schema/store.md).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/apps.h"

/* The members of a record, in the order they are written. */
#define NFIELDS	7
static const char *const names[NFIELDS] = {
	"app_id", "app_name", "app_description", "logo", "created_at",
	"updated_at", "default_client_id"
};

/* The field of app that member i of names[] is. */
static char **
field(struct oapp *app, int i)
{
	char	**f[NFIELDS] = {
		&app->id, &app->name, &app->description, &app->logo,
		&app->created_at, &app->updated_at, &app->default_client_id
	};

	return f[i];
}

void
oapp_clear(struct oapp *app)
{
	int	 i;

	for (i = 0; i < NFIELDS; i++)
		oapp_set(field(app, i), NULL);
}

void
oapp_set(char **f, const char *v)
{
	char	*old = *f;

	*f = v != NULL ? oxstrdup(v) : NULL;
	free(old);
}

/*
 * Decode the record bytes val (len) into app (clear on entry).  Returns
 * 1, or 0 when it is no object or its "_v" is missing or newer.
 */
static int
decode(const void *val, size_t len, struct oapp *app)
{
	json_t	*j;
	int	 i, ok = 0;
	long long v;

	j = json_loadb(val, len, JSON_REJECT_DUPLICATES, NULL);
	v = json_is_integer(json_object_get(j, "_v")) ? ojson_int(j, "_v") : 0;
	if (json_is_object(j) && v >= 1 && v <= OAPP_VERSION) {
		/* Not ojson_str(): an absent member stays absent (NULL). */
		for (i = 0; i < NFIELDS; i++)
			oapp_set(field(app, i), json_string_value(
			    json_object_get(j, names[i])));
		ok = 1;
	}
	json_decref(j);
	return ok;
}

/* The record of app as compact JSON text, to free(). */
static char *
encode(const struct oapp *app)
{
	json_t	*j = json_pack("{s:i}", "_v", OAPP_VERSION);
	char	*buf;
	int	 i;

	for (i = 0; i < NFIELDS; i++) {
		const char *v = *field((struct oapp *)app, i);

		if (v != NULL)
			json_object_set_new(j, names[i], json_string(v));
	}
	buf = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return buf;
}

int
oapp_load(struct ostore_txn *t, const char *id, struct oapp *app,
    struct oerr *err)
{
	const void	*val;
	size_t		 len;

	oapp_clear(app);
	if (strlen(id) > OAPP_ID_MAX) {
		oerr_set(err, OERR_NOT_FOUND, "The application does not "
		    "exist.");
		return 0;
	}
	switch (ostore_get(t, OSTORE_APPS, id, strlen(id), &val, &len)) {
	case OSTORE_OK:
		break;
	case OSTORE_NOTFOUND:
		oerr_set(err, OERR_NOT_FOUND, "The application '%s' does not "
		    "exist.", id);
		return 0;
	default:
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return 0;
	}
	if (!decode(val, len, app)) {
		olog_err("application record %.64s: unreadable", id);
		oerr_set(err, OERR_SERVER_ERROR, "An application record is "
		    "damaged.");
		oapp_clear(app);
		return 0;
	}
	return 1;
}

/* Write app with the ostore_put() flags pflags. */
static int
put(struct ostore_txn *t, const struct oapp *app, unsigned pflags,
    struct oerr *err)
{
	char		*buf;
	enum ostore_rc	 rc;

	if (app->id == NULL) {
		oerr_set(err, OERR_SERVER_ERROR, "An application without an "
		    "id cannot be stored.");
		return 0;
	}
	buf = encode(app);
	rc = ostore_put(t, OSTORE_APPS, app->id, strlen(app->id), buf,
	    strlen(buf), pflags);
	free(buf);
	if (rc == OSTORE_EXISTS)
		oerr_set(err, OERR_CONFLICT, "The application '%s' exists "
		    "already.", app->id);
	else if (rc != OSTORE_OK)
		oerr_set(err, OERR_SERVER_ERROR, "The application could not "
		    "be stored.");
	return rc == OSTORE_OK;
}

int
oapp_insert(struct ostore_txn *t, const struct oapp *app, struct oerr *err)
{
	return put(t, app, OSTORE_NOOVERWRITE, err);
}

int
oapp_replace(struct ostore_txn *t, const struct oapp *app,
    struct oerr *err)
{
	return put(t, app, 0, err);
}

int
oapp_remove(struct ostore_txn *t, const char *id, struct oerr *err)
{
	switch (ostore_del(t, OSTORE_APPS, id, strlen(id))) {
	case OSTORE_OK:
		return 1;
	case OSTORE_NOTFOUND:
		oerr_set(err, OERR_NOT_FOUND, "The application '%s' does not "
		    "exist.", id);
		return 0;
	default:
		oerr_set(err, OERR_SERVER_ERROR, "The application could not "
		    "be deleted.");
		return 0;
	}
}

/* State of oapp_scan(). */
struct scan {
	int		(*fn)(const struct oapp *, void *, struct oerr *);
	void		*arg;
	struct oerr	*err;
	int		 failed;	/* a damaged record */
	int		 stopped;	/* fn returned 0 */
};

/* One record of the scan: decode it and hand it to the visitor. */
static int
scan_cb(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct scan	*s = arg;
	struct oapp	 app;
	int		 rc;

	memset(&app, 0, sizeof(app));
	if (!decode(v, vl, &app)) {
		olog_err("application record %.*s: unreadable",
		    (int)(kl > OAPP_ID_MAX ? OAPP_ID_MAX : kl),
		    (const char *)k);
		oapp_clear(&app);
		s->failed = 1;
		return 0;
	}
	if (!(rc = s->fn(&app, s->arg, s->err)))
		s->stopped = 1;
	oapp_clear(&app);
	return rc;
}

int
oapp_scan(struct ostore_txn *t, int (*fn)(const struct oapp *, void *,
    struct oerr *), void *arg, struct oerr *err)
{
	struct scan	 s;

	memset(&s, 0, sizeof(s));
	s.fn = fn;
	s.arg = arg;
	s.err = err;
	if (ostore_scan(t, OSTORE_APPS, NULL, 0, NULL, 0, scan_cb, &s) !=
	    OSTORE_OK || s.failed) {
		oerr_set(err, OERR_SERVER_ERROR, "The applications could not "
		    "be listed.");
		return 0;
	}
	return !s.stopped;
}
