/*
 * introspect.c: token introspection (see introspect.h).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/subject.h"
#include "records/tokens.h"
#include "protocol/introspect.h"

/*
 * 1 if every space-separated token of want is in the grant's scope
 * (RFC 7662 §2.1: the scope the caller asks the token to have).
 */
static int
scope_has(const struct ogrant *g, const char *want)
{
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
		for (i = 0; i < g->scope.n; i++)
			if (strlen(g->scope.v[i]) == n &&
			    memcmp(g->scope.v[i], want, n) == 0)
				found = 1;
		if (!found)
			return 0;
		want = e;
	}
	return 1;
}

/* The grant's scope as one space-separated string (arena). */
static const char *
scope_str(struct oarena *arena, const struct ogrant *g)
{
	size_t		 i;
	const char	*s = "";

	for (i = 0; i < g->scope.n; i++)
		s = oarena_printf(arena, "%s%s%s", s, *s != '\0' ? " " : "",
		    g->scope.v[i]);
	return s;
}

/*
 * The introspection answer for a live token record, in Hydra's shape
 * (oauth2/handler.go): nbf is iat; exp is left out for a refresh
 * token that never expires; ext is the consent's session.access_token.
 */
static json_t *
answer(struct oarena *arena, const struct otoken_rec *rec,
    const struct oclient *client)
{
	json_t	*j, *ext;
	char	*psub;

	j = json_pack("{s:b,s:s,s:s,s:s}", "active", 1,
	    "scope", scope_str(arena, &rec->grant),
	    "client_id", rec->grant.client_id,
	    "sub", rec->grant.sub);
	if (rec->exp > 0)
		json_object_set_new(j, "exp", json_integer(rec->exp));
	json_object_set_new(j, "iat", json_integer(rec->iat));
	json_object_set_new(j, "nbf", json_integer(rec->iat));
	json_object_set_new(j, "aud", ojson_strs_json(&rec->grant.aud));
	json_object_set_new(j, "iss", json_string(oconf->issuer));
	/* RFC 9449 §6.2: a bound token's key, and its type. */
	json_object_set_new(j, "token_type", json_string(rec->grant.jkt !=
	    NULL ? "DPoP" : "Bearer"));
	if (rec->grant.jkt != NULL)
		json_object_set_new(j, "cnf", json_pack("{s:s}", "jkt",
		    rec->grant.jkt));
	json_object_set_new(j, "token_use", json_string(rec->kind ==
	    OTOKEN_REFRESH ? "refresh_token" : "access_token"));
	/* Hydra: a pairwise client's subject beside the login subject. */
	if (client != NULL && client->subject_type == OCLIENT_SUB_PAIRWISE &&
	    (psub = osubject_of(client, rec->grant.sub,
	    rec->grant.forced_sub)) != NULL) {
		if (strcmp(psub, rec->grant.sub) != 0)
			json_object_set_new(j, "obfuscated_subject",
			    json_string(psub));
		free(psub);
	}
	ext = json_object_get(rec->grant.session, "access_token");
	if (json_object_size(ext) > 0)
		json_object_set(j, "ext", ext);
	/* RFC 8693 §4.1: a delegated token names its actor. */
	if (rec->grant.act != NULL)
		json_object_set(j, "act", rec->grant.act);
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
	struct otoken_rec	 rec;
	const struct oclient	*client = NULL;
	struct oerr		 e;
	json_t			*out = NULL;
	int			 found;

	if (!otoken_identify(tok, &kind, id))
		return json_pack("{s:b}", "active", 0);
	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	oerr_clear(&e);
	found = otoken_lookup(t, tok, id, &rec, &e);
	oerr_clear(&e);
	if (found)
		client = oclient_find(t, rec.grant.client_id, &e);
	ostore_read_end(t);
	if (found && otoken_live(&rec, kind, onow()) &&
	    (scope == NULL || scope_has(&rec.grant, scope)))
		out = answer(arena, &rec, client);
	oclient_release(client);
	otoken_rec_free(&rec);
	if (out == NULL)
		out = json_pack("{s:b}", "active", 0);
	return out;
}

json_t *
ointrospect_v1(struct oarena *arena, const char *tok, const char *scope,
    struct oerr *err)
{
	json_t	*out, *use;

	if ((out = ointrospect(arena, tok, scope, err)) != NULL &&
	    (use = json_object_get(out, "token_use")) != NULL)
		json_object_set(out, "token_type", use);
	return out;
}
