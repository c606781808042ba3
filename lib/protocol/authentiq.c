/*
 * authentiq.c: Authentiq Connect's client management on client
 * records: the Client object's mapping, RFC 7807 problem details and
 * the operations, each in one store transaction (authentiq.h); and
 * the Token answer of its /token endpoint.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/crypto.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/lifecycle.h"
#include "protocol/authentiq.h"
#include "protocol/grants.h"

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

/*
 * default_scopes as the record's scope (its words joined by spaces): a
 * non-empty array of strings gives the scope, an empty one or null
 * gives null (the default scope, oclient_build()).  Anything else is
 * left for oclient_build() to refuse, naming default_scopes.
 */
static void
scope_of(json_t *in, const json_t *ds)
{
	json_t	*e;
	char	*buf;
	size_t	 i, n, len = 0;

	if (json_is_null(ds) || (json_is_array(ds) &&
	    json_array_size(ds) == 0)) {
		json_object_set_new(in, "scope", json_null());
		return;
	}
	if (!json_is_array(ds))
		return;
	json_array_foreach(ds, i, e) {
		if (!json_is_string(e))
			return;
		len += json_string_length(e) + 1;
	}
	buf = oxmalloc(len);
	len = 0;
	json_array_foreach(ds, i, e) {
		if (i > 0)
			buf[len++] = ' ';
		n = json_string_length(e);
		memcpy(buf + len, json_string_value(e), n);
		len += n;
	}
	json_object_set_new(in, "scope", json_stringn(buf, len));
	free(buf);
}

json_t *
oauthentiq_input(const json_t *body)
{
	json_t	*in = json_object(), *v;
	size_t	 i;

	for (i = 0; i < NMEMBERS; i++)
		if ((v = json_object_get(body, members[i])) != NULL)
			json_object_set(in, members[i], v);
	if ((v = json_object_get(body, "default_scopes")) != NULL)
		scope_of(in, v);
	return in;
}

/* 1 if s is a scope token (RFC 6749 §3.3: 1*NQCHAR), else 0. */
static int
scope_token(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len != strlen(s))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e ||
		    s[i] == '"' || s[i] == '\\')
			return 0;
	return 1;
}

int
oauthentiq_scopes_ok(const json_t *in, struct oerr *err)
{
	json_t		*e;
	const char	*s;
	size_t		 i, len = 0;

	json_array_foreach(json_object_get(in, "default_scopes"), i, e) {
		if (!json_is_string(e))
			continue;	/* oclient_build() names it */
		s = json_string_value(e);
		if (!scope_token(s, json_string_length(e))) {
			oerr_set(err, OERR_INVALID_REQUEST, "The field "
			    "'default_scopes': item %zu is not a scope token "
			    "(RFC 6749 §3.3: visible ASCII but '\"' and "
			    "'\\').", i);
			return 0;
		}
		len += json_string_length(e) + 1;
	}
	if (len > 0 && len - 1 > OAUTHENTIQ_SCOPE_MAX) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field "
		    "'default_scopes' is too long (at most %d bytes joined).",
		    OAUTHENTIQ_SCOPE_MAX);
		return 0;
	}
	return 1;
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
	if (!oauthentiq_scopes_ok(in, err))
		goto out;
	else if (!ojson_get_str(in, "client_name", 0,
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
	json_t	*in, *rec = NULL, *out = NULL;
	char	 secret[OCLIENT_SECRET_MAX + 1] = "";

	in = oauthentiq_input(body);
	if (oauthentiq_scopes_ok(in, err) &&
	    (rec = oclient_update(id, in, OCLIENT_MERGE |
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

json_t *
oauthentiq_token(struct oarena *a, const struct oclientauth_in *in,
    struct oerr *err)
{
	json_t	*resp, *ttl;
	int64_t	 now = onow();

	if ((resp = ogrants_token(a, in, err)) == NULL)
		return NULL;
	if ((ttl = json_object_get(resp, "expires_in")) != NULL &&
	    json_is_integer(ttl))
		json_object_set_new(resp, "expires_at",
		    json_integer(now + json_integer_value(ttl)));
	return resp;
}
