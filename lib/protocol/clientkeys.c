/*
 * clientkeys.c: the public keys of a client, registered or fetched
 * from its jwks_uri (see clientkeys.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/curl.h"
#include "base/err.h"
#include "base/util.h"
#include "jose/jose.h"
#include "records/clients.h"
#include "protocol/clientkeys.h"

/* A fetched set. */
struct entry {
	char		 id[OCLIENT_ID_MAX + 1];
	char		*uri;
	struct ojwks	*keys;
	int64_t		 fetched;	/* when keys were fetched */
	int64_t		 tried;		/* last fetch attempted */
	int64_t		 refetched;	/* last fetch for an unknown kid */
};

static struct entry	 cache[OCLIENTKEYS_CACHE];

/*
 * Fetch the JWK Set at uri (ocurl_get()).  Returns a new set, or NULL
 * with invalid_client in err naming what was wrong.
 */
static struct ojwks *
fetch(const char *id, const char *uri, struct oerr *err)
{
	struct ojwks	*keys = NULL;
	struct oerr	 e;
	json_t		*j = NULL;
	char		*body;
	size_t		 len;

	oerr_clear(&e);
	if ((body = ocurl_get(uri, OCLIENTKEYS_MAX_BYTES,
	    OCLIENTKEYS_TIMEOUT_MS, 0, &len, &e)) == NULL)
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri %s",
		    e.description);
	else if ((j = json_loadb(body, len, JSON_REJECT_DUPLICATES,
	    NULL)) == NULL || !json_is_object(j))
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri "
		    "did not answer a JSON object.");
	else if ((keys = ojwks_import(j, 0, &e)) == NULL)
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri "
		    "did not answer a usable JWK Set: %s", e.description);
	if (keys == NULL)
		olog_info("client %.64s: jwks_uri %.200s: %s", id, uri,
		    err->description);
	json_decref(j);
	free(body);
	return keys;
}

/* Empty a cache entry. */
static void
entry_clear(struct entry *c)
{
	ojwks_free(c->keys);
	free(c->uri);
	memset(c, 0, sizeof(*c));
}

void
oclientkeys_flush(void)
{
	size_t	 i;

	for (i = 0; i < OCLIENTKEYS_CACHE; i++)
		entry_clear(&cache[i]);
}

/*
 * The cache entry of client id and uri: the one it has, else the
 * oldest (emptied).
 */
static struct entry *
entry_of(const char *id, const char *uri)
{
	struct entry	*old = &cache[0];
	size_t		 i;

	for (i = 0; i < OCLIENTKEYS_CACHE; i++) {
		if (strcmp(cache[i].id, id) == 0 && cache[i].uri != NULL &&
		    strcmp(cache[i].uri, uri) == 0)
			return &cache[i];
		if (cache[i].tried < old->tried)
			old = &cache[i];
	}
	entry_clear(old);
	return old;
}

const struct ojwks *
oclientkeys_get(const struct oclient *c, const char *kid, struct oerr *err)
{
	struct entry	*en;
	struct ojwks	*keys;
	struct oerr	 e;
	int64_t		 now = onow();
	int		 stale, missing;

	if (c->jwks_json != NULL) {
		if (c->jwks == NULL)
			oerr_set(err, OERR_INVALID_CLIENT, "The OAuth 2.0 "
			    "Client's JSON Web Keys cannot be used: %s",
			    c->jwks_error);
		return c->jwks;
	}
	if (*c->jwks_uri == '\0') {
		oerr_set(err, OERR_INVALID_CLIENT, "The OAuth 2.0 Client has "
		    "no JSON Web Keys (neither jwks nor jwks_uri).");
		return NULL;
	}
	if (strlen(c->id) > OCLIENT_ID_MAX) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client_id is too "
		    "long.");
		return NULL;
	}
	en = entry_of(c->id, c->jwks_uri);
	stale = en->keys == NULL || now - en->fetched >= OCLIENTKEYS_TTL;
	missing = en->keys != NULL && kid != NULL &&
	    ojwks_find(en->keys, kid) == NULL;
	/*
	 * Throttled: a stale set is fetched again at most once per
	 * OCLIENTKEYS_REFETCH seconds (its host may be down), and so is a
	 * fresh one that lacks kid (the first time at once: a rotation).
	 */
	if (missing && en->refetched != 0 &&
	    now - en->refetched < OCLIENTKEYS_REFETCH)
		missing = 0;
	if (missing)
		en->refetched = now;
	if (missing || (stale && (en->tried == 0 ||
	    now - en->tried >= OCLIENTKEYS_REFETCH))) {
		if (en->uri == NULL) {
			snprintf(en->id, sizeof(en->id), "%s", c->id);
			en->uri = oxstrdup(c->jwks_uri);
		}
		en->tried = now;
		oerr_clear(&e);
		if ((keys = fetch(c->id, c->jwks_uri, &e)) == NULL) {
			/* A set too old is not used. */
			if (!stale)
				return en->keys;
			oerr_set(err, e.code, "%s", e.description);
			return NULL;
		}
		ojwks_free(en->keys);
		en->keys = keys;
		en->fetched = now;
	} else if (stale) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri "
		    "could not be fetched recently; try again later.");
		return NULL;
	}
	return en->keys;
}
