/*
 * authentiq.h: Authentiq Connect's client management (/client) as
 * functions, without HTTP; cgi-bin/clients/authentiq.c serves them on
 * the admin listener, over the same client records as the other
 * dialects.
 *
 * The Client object has thirteen members (application_type, client_id,
 * client_name, client_uri, contacts, default_max_age, default_scopes,
 * grant_types, logo_uri, policy_uri, redirect_uris, response_types,
 * tos_uri); each maps 1:1 onto the record member of the same name, and
 * every other member of a record is left alone by this dialect: a body
 * can set nothing else (not the secret, not Hydra's members), and a
 * view shows nothing else.  Errors are RFC 7807 problem details, as the
 * Authentiq Connect API answers (oauthentiq_problem()).
 *
 * Each operation runs in one store transaction of its own and returns
 * its answer's body, a new reference, or NULL (0) with err set: a 400
 * naming the field, a 404 for a client that does not exist, a 409 for
 * a client_id taken.
 */
#ifndef OIDCGI_PROTOCOL_AUTHENTIQ_H
#define OIDCGI_PROTOCOL_AUTHENTIQ_H

#include <jansson.h>

struct oerr;

/*
 * The mapping.
 *
 * oauthentiq_input: the Client members of body (a JSON object) as the
 * input of oclient_build(), without anything else body holds.  A new
 * reference.
 */
json_t	*oauthentiq_input(const json_t *body);
/*
 * The record rec as a Client object: its thirteen members only, plus
 * client_secret when secret is neither NULL nor "".  A new reference.
 */
json_t	*oauthentiq_view(const json_t *rec, const char *secret);
/*
 * err as an RFC 7807 problem detail (§3.1): type "about:blank", title
 * the reason phrase of its status (reason(status), the HTTP layer's
 * table), status (500 when err has none) and the error's description
 * as detail (the reason phrase when it has none).  Served as
 * application/problem+json (§6.1).  A new reference.
 */
json_t	*oauthentiq_problem(const struct oerr *err,
	    const char *(*reason)(int));

/* The operations. */
/* GET /client: every client, as an array of Client objects. */
json_t	*oauthentiq_list(struct oerr *err);
/*
 * POST /client: register a client from body (client_name and
 * client_uri required by the Client schema).  A client_id may be
 * chosen; a secret never is: a new one is generated and returned once,
 * here.
 */
json_t	*oauthentiq_create(const json_t *body, struct oerr *err);
/* GET /client/{client_id}: without its secret. */
json_t	*oauthentiq_get(const char *id, struct oerr *err);
/*
 * PUT /client/{client_id}: only the Client members body sets change;
 * every other member (the secret included) keeps its value.  A
 * client_id in body must be id.  The answer has no secret.
 */
json_t	*oauthentiq_update(const char *id, const json_t *body,
	    struct oerr *err);
/*
 * DELETE /client/{client_id}: the client with its tokens and consents.
 * Returns 1, or 0 with a 404 in err.
 */
int	 oauthentiq_delete(const char *id, struct oerr *err);

#endif
