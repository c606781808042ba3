/*
 * hydra.h: Ory Hydra's OAuth 2.0 client API (the oAuth2Client object of
 * Hydra 1.x and 2.x) as functions, without HTTP: cgi-bin/clients/hydra.c
 * serves them on the admin listener (/clients and /admin/clients), and
 * "oidcgi clients" (cli/clients.c) calls them on the data directory.
 *
 * Inputs are JSON values in Hydra's oAuth2Client shape, as a request
 * body or the CLI's flags give them; answers are the records as Hydra's
 * view (oclient_view_hydra(): no internal members, lifespans as Go
 * durations), with client_secret only in the answer of the operation
 * that set a new secret, once.  Each operation runs in one store
 * transaction of its own and returns a new reference, or NULL (0) with
 * err set: a 400 invalid_request naming the field for bad input, a 404
 * for a client that does not exist, a 409 for a client_id taken.
 */
#ifndef OIDCGI_PROTOCOL_HYDRA_H
#define OIDCGI_PROTOCOL_HYDRA_H

#include <stddef.h>

#include <jansson.h>

struct oerr;

/* What ohydra_list() lists: exact matches, NULL for any. */
struct ohydra_filter {
	const char	*client_name;
	const char	*owner;
};

/*
 * GET /clients: the clients matching f (NULL: all), in client_id
 * order, skipping offset of them and at most limit, as an array of
 * Hydra views.  *total (when not NULL) is the number of matching
 * clients, for the paging headers.
 */
json_t	*ohydra_list(const struct ohydra_filter *f, size_t offset,
	    size_t limit, size_t *total, struct oerr *err);
/*
 * POST /clients: a new client from in (a client_id and a client_secret
 * may be chosen; otherwise a UUID and, when the auth method needs one,
 * a secret are generated).
 */
json_t	*ohydra_create(const json_t *in, struct oerr *err);
/* GET /clients/{id}: without its secret. */
json_t	*ohydra_get(const char *id, struct oerr *err);
/*
 * PUT /clients/{id}: in replaces the client (absent members take their
 * defaults; the other dialects' members are kept); the secret is kept
 * when in has none.  A client_id in in must be id.
 */
json_t	*ohydra_replace(const char *id, const json_t *in, struct oerr *err);
/*
 * "oidcgi clients update": only the members in in change, every other
 * keeps its value (the secret too, unless in sets one).
 */
json_t	*ohydra_merge(const char *id, const json_t *in, struct oerr *err);
/*
 * PATCH /clients/{id}: the RFC 6902 JSON Patch patch (an array)
 * applied to the client's Hydra view, which then replaces the client as
 * ohydra_replace() does.  A patch touching /client_id is refused;
 * adding /client_secret sets a new one.  The patched client may not
 * grow larger than oconf->body_max.
 */
json_t	*ohydra_patch(const char *id, const json_t *patch,
	    struct oerr *err);
/*
 * PUT /clients/{id}/lifespans (Hydra 2.x's setOAuth2ClientLifespans):
 * the ten per-grant token lifespans of the client are replaced by
 * those of the object body; one absent or null means "use the
 * configured ttl".  A member that is not a lifespan is refused.
 */
json_t	*ohydra_lifespans(const char *id, const json_t *body,
	    struct oerr *err);
/*
 * DELETE /clients/{id}: the client with its tokens and consents
 * (olife_client_delete()).  Returns 1, or 0 with a 404 in err.
 */
int	 ohydra_delete(const char *id, struct oerr *err);

#endif
