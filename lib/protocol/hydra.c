/*
 * hydra.c: Ory Hydra's OAuth 2.0 client API on client records: its
 * operations, PATCH and the lifespans among them, each in one store
 * transaction (hydra.h).
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/jsonpatch.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/lifecycle.h"
#include "protocol/hydra.h"


/*
 * The answer for record rec (NULL: the operation failed, and NULL is
 * the answer) with the new secret, if any; the secret is wiped.
 * Releases rec.
 */
static json_t *
answer(json_t *rec, char *secret)
{
	json_t	*out = NULL;

	if (rec != NULL)
		out = oclient_view_hydra(rec, secret);
	json_decref(rec);
	ocrypto_wipe(secret, strlen(secret));
	return out;
}

json_t *
ohydra_list(const struct ohydra_filter *f, size_t offset, size_t limit,
    size_t *total, struct oerr *err)
{
	struct oclient_filter	 cf;
	struct ostore_txn	*t;
	json_t			*arr, *out, *e;
	size_t			 i, n = 0;

	memset(&cf, 0, sizeof(cf));
	if (f != NULL) {
		cf.client_name = f->client_name;
		cf.owner = f->owner;
	}
	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	arr = oclient_list(t, &cf, offset, limit, &n, err);
	ostore_read_end(t);
	if (arr == NULL)
		return NULL;
	out = json_array();
	json_array_foreach(arr, i, e)
		json_array_append_new(out, oclient_view_hydra(e, NULL));
	json_decref(arr);
	if (total != NULL)
		*total = n;
	return out;
}

json_t *
ohydra_create(const json_t *in, struct oerr *err)
{
	char	 secret[OCLIENT_SECRET_MAX + 1] = "";

	return answer(oclient_create(in, 0, secret, err), secret);
}

json_t *
ohydra_get(const char *id, struct oerr *err)
{
	char	 none[1] = "";

	return answer(oclient_get(id, err), none);
}

json_t *
ohydra_replace(const char *id, const json_t *in, struct oerr *err)
{
	char	 secret[OCLIENT_SECRET_MAX + 1] = "";

	return answer(oclient_update(id, in, OCLIENT_KEEP_SECRET, secret,
	    err), secret);
}

json_t *
ohydra_merge(const char *id, const json_t *in, struct oerr *err)
{
	char	 secret[OCLIENT_SECRET_MAX + 1] = "";

	return answer(oclient_update(id, in, OCLIENT_MERGE |
	    OCLIENT_KEEP_SECRET, secret, err), secret);
}

/*
 * An update computed from the old record inside the write transaction
 * (PATCH, lifespans), so that nothing changes in between: make() turns
 * the client's Hydra view and the body into the new input.
 */
struct edit {
	const char	*id;
	const json_t	*body;
	json_t		*(*make)(const json_t *view, const json_t *body,
			    struct oerr *);
	char		 secret[OCLIENT_SECRET_MAX + 1];
	json_t		*rec;
};

/* Write function of an edit. */
static int
edit_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct edit	*e = arg;
	json_t		*old, *view = NULL, *in = NULL;
	int		 rc = 0;

	json_decref(e->rec);
	e->rec = NULL;
	if ((old = oclient_load(t, e->id, err)) == NULL)
		return 0;
	view = oclient_view_hydra(old, NULL);
	if ((in = e->make(view, e->body, err)) == NULL)
		goto out;
	if ((e->rec = oclient_build(in, old, OCLIENT_KEEP_SECRET, e->secret,
	    err)) == NULL)
		goto out;
	rc = oclient_replace(t, e->rec, err);
out:
	json_decref(old);
	json_decref(view);
	json_decref(in);
	return rc;
}

/*
 * The URIs of the client an edit makes, checked as a client's input is
 * (oclient_uris_check(): internal hosts, the sector document) before
 * the write transaction, which may not wait on the network.  A client
 * that is not there, or an edit that fails, is left for the write to
 * answer.  Returns 1, or 0 with err set.
 */
static int
uris_checked(const char *id, const json_t *body, json_t *(*make)(
    const json_t *, const json_t *, struct oerr *), struct oerr *err)
{
	json_t		*old, *view, *in = NULL;
	struct oerr	 e;
	int		 ok = 1;

	oerr_clear(&e);
	if ((old = oclient_get(id, &e)) == NULL)
		return 1;
	view = oclient_view_hydra(old, NULL);
	if ((in = make(view, body, &e)) != NULL)
		ok = oclient_uris_check(in, 0, err);
	json_decref(in);
	json_decref(view);
	json_decref(old);
	return ok;
}

/* Run an edit of client id with body; the answer as answer()'s. */
static json_t *
edit(const char *id, const json_t *body, json_t *(*make)(const json_t *,
    const json_t *, struct oerr *), struct oerr *err)
{
	struct edit	 e;
	json_t		*rec = NULL;

	memset(&e, 0, sizeof(e));
	e.id = id;
	e.body = body;
	e.make = make;
	if (!uris_checked(id, body, make, err))
		return NULL;
	if (ostore_write(edit_fn, &e, err))
		rec = e.rec;
	else
		json_decref(e.rec);
	return answer(rec, e.secret);
}

/*
 * The patched client: RFC 6902 applied to the Hydra view.  The
 * client_id cannot be patched; adding /client_secret sets a new one.
 */
static json_t *
make_patched(const json_t *view, const json_t *patch, struct oerr *err)
{
	if (ojsonpatch_touches(patch, "/client_id")) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'client_id' "
		    "cannot be changed by a patch.");
		return NULL;
	}
	/* A record grows to no more than a request body could bring. */
	return ojsonpatch_apply_max(view, patch, oconf->body_max, err);
}

json_t *
ohydra_patch(const char *id, const json_t *patch, struct oerr *err)
{
	return edit(id, patch, make_patched, err);
}

/*
 * The client with its lifespans replaced by the body's (one absent or
 * null means "use the configured ttl"), as Hydra's
 * setOAuth2ClientLifespans does.
 */
static json_t *
make_lifespans(const json_t *view, const json_t *body, struct oerr *err)
{
	json_t		*in, *v;
	const char	*key;
	size_t		 i;
	int		 known;

	json_object_foreach((json_t *)body, key, v) {
		for (known = 0, i = 0; i < OCLIENT_LS_N; i++)
			known |= strcmp(key, oclient_lifespan_names[i]) == 0;
		if (!known) {
			oerr_set(err, OERR_INVALID_REQUEST, "The field '%.64s' "
			    "is not a token lifespan.", key);
			return NULL;
		}
	}
	in = json_deep_copy(view);
	for (i = 0; i < OCLIENT_LS_N; i++) {
		json_object_del(in, oclient_lifespan_names[i]);
		if ((v = json_object_get(body,
		    oclient_lifespan_names[i])) != NULL)
			json_object_set(in, oclient_lifespan_names[i], v);
	}
	return in;
}

json_t *
ohydra_lifespans(const char *id, const json_t *body, struct oerr *err)
{
	if (!json_is_object(body)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The lifespans must be a "
		    "JSON object.");
		return NULL;
	}
	return edit(id, body, make_lifespans, err);
}

int
ohydra_delete(const char *id, struct oerr *err)
{
	return olife_client_delete(id, err);
}
