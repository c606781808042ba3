/*
 * authentiq.c: Authentiq Connect's client management on client
 * records: the Client object's mapping, RFC 7807 problem details and
 * the operations, each in one store transaction (authentiq.h).
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "base/crypto.h"
#include "base/err.h"
#include "base/json.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/lifecycle.h"
#include "protocol/authentiq.h"

/* The members of Authentiq's Client object, in its schema's order. */
static const char *const members[] = {
	"application_type",
	"client_id",
	"client_name",
	"client_uri",
	"contacts",
	"default_max_age",
	"default_scopes",
	"grant_types",
	"logo_uri",
	"policy_uri",
	"redirect_uris",
	"response_types",
	"tos_uri",
};

#define NMEMBERS	(sizeof(members) / sizeof(members[0]))

json_t *
oauthentiq_input(const json_t *body)
{
	json_t	*in = json_object(), *v;
	size_t	 i;

	for (i = 0; i < NMEMBERS; i++)
		if ((v = json_object_get(body, members[i])) != NULL)
			json_object_set(in, members[i], v);
	return in;
}

json_t *
oauthentiq_view(const json_t *rec, const char *secret)
{
	json_t	*out = json_object(), *v;
	size_t	 i;

	for (i = 0; i < NMEMBERS; i++)
		if ((v = json_object_get(rec, members[i])) != NULL)
			json_object_set(out, members[i], v);
	if (secret != NULL && *secret != '\0')
		json_object_set_new(out, "client_secret", json_string(secret));
	return out;
}

json_t *
oauthentiq_problem(const struct oerr *err, const char *(*reason)(int))
{
	int	 status = err->status ? err->status : 500;

	return json_pack("{s:s,s:s,s:i,s:s}", "type", "about:blank",
	    "title", reason(status), "status", status,
	    "detail", err->description[0] != '\0' ? err->description :
	    reason(status));
}

json_t *
oauthentiq_list(struct oerr *err)
{
	struct ostore_txn	*t;
	struct oclient_filter	 f;
	json_t			*recs, *out, *rec;
	size_t			 i, total;

	memset(&f, 0, sizeof(f));
	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	recs = oclient_list(t, &f, 0, SIZE_MAX, &total, err);
	ostore_read_end(t);
	if (recs == NULL)
		return NULL;
	out = json_array();
	json_array_foreach(recs, i, rec)
		json_array_append_new(out, oauthentiq_view(rec, NULL));
	json_decref(recs);
	return out;
}

json_t *
oauthentiq_create(const json_t *body, struct oerr *err)
{
	json_t		*in, *rec = NULL, *out = NULL;
	const char	*s;
	char		 secret[OCLIENT_SECRET_MAX + 1] = "";

	in = oauthentiq_input(body);
	if (!ojson_get_str(in, "client_name", 0,
	    OJSON_REQUIRED | OJSON_NONEMPTY, &s, err))
		goto out;
	else if (!ojson_get_str(in, "client_uri", 0,
	    OJSON_REQUIRED | OJSON_NONEMPTY, &s, err))
		goto out;
	else if ((rec = oclient_create(in, OCLIENT_GEN_SECRET, secret,
	    err)) == NULL)
		goto out;
	out = oauthentiq_view(rec, secret);
out:
	ocrypto_wipe(secret, strlen(secret));
	json_decref(in);
	json_decref(rec);
	return out;
}

json_t *
oauthentiq_get(const char *id, struct oerr *err)
{
	json_t	*rec, *out;

	if ((rec = oclient_get(id, err)) == NULL)
		return NULL;
	out = oauthentiq_view(rec, NULL);
	json_decref(rec);
	return out;
}

json_t *
oauthentiq_update(const char *id, const json_t *body, struct oerr *err)
{
	json_t	*in, *rec, *out = NULL;
	char	 secret[OCLIENT_SECRET_MAX + 1] = "";

	in = oauthentiq_input(body);
	if ((rec = oclient_update(id, in, OCLIENT_MERGE |
	    OCLIENT_KEEP_SECRET, secret, err)) != NULL)
		out = oauthentiq_view(rec, NULL);
	ocrypto_wipe(secret, strlen(secret));
	json_decref(in);
	json_decref(rec);
	return out;
}

int
oauthentiq_delete(const char *id, struct oerr *err)
{
	return olife_client_delete(id, err);
}
