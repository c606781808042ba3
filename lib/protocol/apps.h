/*
 * apps.h: the applications dialect (/v1/applications, after a
 * Frontegg-style applications API): applications that own OAuth 2.0
 * clients, its mapping of the API's client shape onto client records
 * and back, and its operations, without HTTP.  cgi-bin/clients/apps.c
 * routes the admin listener's requests to them.
 *
 * Every answer is wrapped in {"result": ...}, the applications' and
 * the clients' alike.  Errors are set in a
 * struct oerr whose description names the field as the caller sent it
 * (a 400), or say which application or client does not exist (a 404).
 *
 * The clients are ordinary client records (records/clients.h) with
 * app_id set; the applications are records/apps.h's.  The mapping:
 * name -> client_name, description, redirect_uris, resources ->
 * audience, response_types, token_endpoint_auth_method
 * (client_auth_method at the app level); token_expiration.
 * access_token_ttl -> every *_access_token_lifespan, refresh_token_ttl
 * -> both *_refresh_token_lifespan (0: the configured ttl);
 * enforce_par -> require_pushed_authorization_requests (RFC 9126 §6).
 * Settings the protocol does not enforce take only their off value,
 * anything else is a 400 naming the field: device_authorization.enabled
 * false (until the device grant exists), session_expiration and
 * token_expiration.max_refresh_rotate 0, supported_prompts every prompt
 * or none.  client_type web | spa | native |
 * machine sets application_type and the grant types (machine:
 * client_credentials only; the others what their response types need,
 * plus refresh_token); spa and native default to public clients.  pkce
 * enforcePkceInsteadOfClientCredentials is token_endpoint_auth_method
 * "none" with require_pkce, enforcePkceWithClientCredentials a secret
 * and require_pkce, "none" no PKCE requirement.  client_type and pkce
 * are not stored: they are read back from the record, so a web client
 * with PKCE instead of a secret reads as "spa".
 *
 * Every operation runs in one store transaction of its own.  A secret
 * generated for a new (or newly confidential) client appears once, in
 * the answer of the operation that made it.
 */
#ifndef OIDCGI_PROTOCOL_APPS_H
#define OIDCGI_PROTOCOL_APPS_H

#include <jansson.h>

struct oapp;
struct oerr;

/* Flags of oapps_client_in(). */
#define OAPPS_CREATE	0x1	/* a new client: defaults apply */
#define OAPPS_NAME	0x2	/* name is required */
#define OAPPS_REDIRECTS	0x4	/* redirect_uris is required */

/*
 * The mapping.
 *
 * oapps_client_in: one client in the API's shape (c; top is the
 * application body whose deprecated members -- client_display_name,
 * client_description, client_auth_method, ... -- stand in for absent
 * ones, or NULL) as the Hydra-shaped input of oclient_build().  old is
 * the record being updated, or NULL; defname the name of a new client
 * without one.  Members of the document oidcgi cannot honour (tenant,
 * roles, client groups, custom claims, FAPI, CIBA, another protocol,
 * authentication_configuration) are taken only with their off value
 * (null, false, [], "oidc"); so are those of an application body
 * (subdomain, custom_domain, login_preferences, allow_public_signup,
 * service_providers, ...).  The views show those off values, so what
 * is read can be written back.  Returns a new object, or NULL with a
 * 400 in err naming the field as the caller sent it.
 */
json_t	*oapps_client_in(const json_t *c, const json_t *top,
	    const json_t *old, unsigned flags, const char *defname,
	    struct oerr *err);
/*
 * A client record in the API's client shape, with secret (when not NULL
 * or "") as client_secret.  Internal members never appear.  A new
 * reference.
 */
json_t	*oapps_client_view(const json_t *rec, const char *secret);
/*
 * An application with its default client record rec (NULL when it is
 * gone: client_id null) in the API's application shape (unwrapped);
 * secret as for oapps_client_view().  A new reference.
 */
json_t	*oapps_app_view(const struct oapp *app, const json_t *rec,
	    const char *secret);

/*
 * The operations.  Bodies are the request's JSON objects; ids come
 * from the path.  Each returns the answer's body (a new reference), or
 * NULL (0) with err set.
 */
/* GET /v1/applications: {"result": [each application]}. */
json_t	*oapps_list(struct oerr *err);
/*
 * GET /v1/applications/list: {"result": [{"app_id", "tenant_id",
 * "app_name", "app_description"} of each application]}, in app_id
 * order, without their clients.
 */
json_t	*oapps_list_basic(struct oerr *err);
/* GET /v1/applications/{appId}: {"result": application}. */
json_t	*oapps_get(const char *app_id, struct oerr *err);
/*
 * POST /v1/applications: the application and its default client
 * (first_client, or the deprecated top-level client members) in one
 * transaction, so an invalid client stores nothing.  The new app_id is
 * copied to app_id_out (OAPP_ID_MAX + 1 bytes) for the Location.
 * Returns {"result": application, with the client's secret}.
 */
json_t	*oapps_create(const json_t *body, char *app_id_out,
	    struct oerr *err);
/*
 * PUT /v1/applications/{appId}: the application members given replace
 * the app's; the deprecated client members (and first_client) update
 * the default client in the same transaction (a 404 when it is gone).
 */
json_t	*oapps_update(const char *app_id, const json_t *body,
	    struct oerr *err);
/* DELETE /v1/applications/{appId}: the application and its clients. */
int	 oapps_delete(const char *app_id, struct oerr *err);
/*
 * PUT /v1/applications/{appId}/resources (client_id NULL: the default
 * client; answers {"result": application}) and
 * .../clients/{clientId}/resources (answers {"result": client}):
 * {"resource_ids": [...]} becomes the client's audience.
 */
json_t	*oapps_set_resources(const char *app_id, const char *client_id,
	    const json_t *body, struct oerr *err);
/* GET /v1/applications/{appId}/clients: {"result": [each client]}. */
json_t	*oapps_clients(const char *app_id, struct oerr *err);
/*
 * GET /v1/applications/{appId}/clients/{clientId}: {"result": client};
 * one of another application is a 404.
 */
json_t	*oapps_client_get(const char *app_id, const char *client_id,
	    struct oerr *err);
/*
 * POST /v1/applications/{appId}/clients: a new client of the
 * application (name and redirect_uris required); its client_id is
 * copied to client_id_out (OCLIENT_ID_MAX + 1 bytes).  Returns
 * {"result": client, with its secret}.
 */
json_t	*oapps_client_add(const char *app_id, const json_t *body,
	    char *client_id_out, struct oerr *err);
/*
 * PUT /v1/applications/{appId}/clients/{clientId}: the members given
 * replace the client's (object members whole); the rest, members this
 * API does not show, and the secret are kept.  Returns {"result":
 * client}.
 */
json_t	*oapps_client_update(const char *app_id, const char *client_id,
	    const json_t *body, struct oerr *err);
/*
 * DELETE /v1/applications/{appId}/clients/{clientId}.  The default
 * client is refused with a 400: an application always has it.
 */
int	 oapps_client_delete(const char *app_id, const char *client_id,
	    struct oerr *err);
/*
 * DELETE /v1/applications/{appId}/clients: every client of the
 * application but its default one.
 */
int	 oapps_clients_delete(const char *app_id, struct oerr *err);

#endif
