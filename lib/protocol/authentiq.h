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
 * view shows nothing else.  One exception: default_scopes also sets
 * the record's scope (Hydra's, what the client may request) to its
 * words joined by spaces; an empty list or null sets the default scope
 * ("offline_access offline openid").  default_max_age, when above 0,
 * is the max_age of the client's authorization requests that carry
 * none (authorize.c).
 *
 * Every scope the document lists may be registered and requested:
 * openid, email, phone, address and aq:name (the name claims, as
 * profile gives them: users.c) release their claims; aq:location and
 * aq:push are granted and release nothing (the provider has no location
 * of the end-user and no push sign-in), as OpenID Connect Core §5.4
 * lets a provider answer a scope it holds no claims for.
 *
 * Errors are RFC 7807 problem details, as the Authentiq Connect API
 * answers (oauthentiq_problem()).
 *
 * Each operation runs in one store transaction of its own and returns
 * its answer's body, a new reference, or NULL (0) with err set: a 400
 * naming the field, a 404 for a client that does not exist, a 409 for
 * a client_id taken.
 */
#ifndef OIDCGI_PROTOCOL_AUTHENTIQ_H
#define OIDCGI_PROTOCOL_AUTHENTIQ_H

#include <jansson.h>

struct oarena;
struct oclientauth_in;
struct oerr;

/*
 * The mapping.
 *
 * oauthentiq_input: the Client members of body (a JSON object) as the
 * input of oclient_build(), without anything else body holds.  A new
 * reference.
 */
json_t	*oauthentiq_input(const json_t *body);

/* Bytes of default_scopes joined by spaces: the record's scope. */
#define OAUTHENTIQ_SCOPE_MAX	2048
/*
 * 1 if in's default_scopes (when an array) holds only scope tokens
 * (RFC 6749 §3.3) and fits OAUTHENTIQ_SCOPE_MAX joined; else 0 with a 400 naming
 * default_scopes.  Other shapes are left to oclient_build().
 */
int	 oauthentiq_scopes_ok(const json_t *in, struct oerr *err);
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

/*
 * POST /token on the public listener (Authentiq Connect's token
 * endpoint, the same protocol as /oauth2/token): ogrants_token()'s
 * answer (same arguments, same RFC 6749 §5.2 errors, free it with
 * ogrants_response_free()), plus the Token schema's expires_at, the
 * access token's expiry in seconds since the epoch, whenever it has
 * expires_in.  The clock is read before the tokens are minted, so
 * expires_at is never later than the token's real expiry.
 */
json_t	*oauthentiq_token(struct oarena *, const struct oclientauth_in *in,
	    struct oerr *err);

#endif
