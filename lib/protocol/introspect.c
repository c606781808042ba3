/*
 * introspect.c: token introspection (see introspect.h).
 */
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "protocol/introspect.h"
#include "records/tokens.h"
#include "store/store.h"

/*
 * 1 if every space-separated token of want is in the record's scope
 * (RFC 7662 §2.1: the scope the caller asks the token to have).
 */
static int
scope_has(const json_t *rec, const char *want)
{
	json_t		*have = json_object_get(rec, "scope"), *v;
	const char	*e;
	size_t		 i, n;
	int		 found;

	while (*want != '\0') {
		if (*want == ' ') {
			want++;
			continue;
		}
		for (e = want; *e != '\0' && *e != ' '; e++)
			continue;
		n = (size_t)(e - want);
		found = 0;
		json_array_foreach(have, i, v)
			if (json_string_length(v) == n &&
			    memcmp(json_string_value(v), want, n) == 0)
				found = 1;
		if (!found)
			return 0;
		want = e;
	}
	return 1;
}

/* The record's scope array as one space-separated string (arena). */
static const char *
scope_str(struct oarena *arena, const json_t *rec)
{
	json_t		*v;
	size_t		 i;
	const char	*s = "";

	json_array_foreach(json_object_get(rec, "scope"), i, v)
		if (json_is_string(v))
			s = oarena_printf(arena, "%s%s%s", s,
			    *s != '\0' ? " " : "", json_string_value(v));
	return s;
}

/*
 * The introspection answer for a live token record, in Hydra's shape
 * (oauth2/handler.go): nbf is iat; exp is left out for a refresh
 * token that never expires; ext is the consent's session.access_token.
 */
static json_t *
answer(struct oarena *arena, const json_t *rec, enum otoken_kind kind)
{
	json_t	*j, *ext, *aud;

	aud = json_object_get(rec, "aud");
	j = json_pack("{s:b,s:s,s:s,s:s}", "active", 1,
	    "scope", scope_str(arena, rec),
	    "client_id", ojson_str(rec, "client_id"),
	    "sub", ojson_str(rec, "sub"));
	if (ojson_int(rec, "exp") > 0)
		json_object_set(j, "exp", json_object_get(rec, "exp"));
	json_object_set(j, "iat", json_object_get(rec, "iat"));
	json_object_set(j, "nbf", json_object_get(rec, "iat"));
	json_object_set_new(j, "aud", json_is_array(aud) ?
	    json_deep_copy(aud) : json_array());
	json_object_set_new(j, "iss", json_string(oconf->issuer));
	json_object_set_new(j, "token_type", json_string("Bearer"));
	json_object_set_new(j, "token_use", json_string(kind ==
	    OTOKEN_REFRESH ? "refresh_token" : "access_token"));
	ext = json_object_get(json_object_get(rec, "session"),
	    "access_token");
	if (json_object_size(ext) > 0)
		json_object_set(j, "ext", ext);
	return j;
}

/*
 * Introspect tok (see introspect.h).  token_type_hint changes nothing:
 * the prefix tells the kind.
 */
json_t *
ointrospect(struct oarena *arena, const char *tok, const char *scope,
    struct oerr *err)
{
	struct ostore_txn	*t;
	enum otoken_kind	 kind;
	unsigned char		 id[OTOKEN_ID_LEN];
	json_t			*rec, *out = NULL;

	if (!otoken_identify(tok, &kind, id))
		return json_pack("{s:b}", "active", 0);
	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	rec = otoken_lookup(t, tok, id);
	ostore_read_end(t);
	if (otoken_live(rec, kind, onow()) &&
	    (scope == NULL || scope_has(rec, scope)))
		out = answer(arena, rec, kind);
	json_decref(rec);
	if (out == NULL)
		out = json_pack("{s:b}", "active", 0);
	return out;
}
