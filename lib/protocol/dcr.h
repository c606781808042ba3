/*
 * dcr.h: OpenID Connect Dynamic Client Registration (RFC 7591, RFC
 * 7592, OpenID Connect Dynamic Registration 1.0) as functions, without
 * HTTP; cgi-bin/register.c serves them on the public listener.
 *
 * Anyone may register a client; the server chooses its client_id and
 * secret and returns, once, a registration access token, which alone
 * lets the client read, replace and delete its registration
 * afterwards.
 *
 * What a registrant may ask for is the operator's policy, as Hydra's
 * oidc.dynamic_client_registration.default_scope is, made safe by
 * default: grant types among .allowed_grant_types (authorization_code,
 * refresh_token and implicit: no client_credentials), a scope within
 * .default_scope (which it gets when it asks for none), audiences among
 * .allowed_audience (none), and no URI the server would request on an
 * internal address (oclient_uris_check()).  Whether registration is
 * enabled at all is the caller's to check (oconf->dcr_enabled).
 *
 * Each operation takes the request's arena a (for the answer's
 * strings), runs in one store transaction of its own and returns the
 * client information response (RFC 7591 §3.2.1, RFC 7592 §3), a new
 * reference, or NULL (0) with err set: invalid_client_metadata or
 * invalid_redirect_uri (RFC 7591 §3.2.2), or invalid_token (a 401,
 * answered as RFC 6750 §3 describes) for a registration access token
 * that is missing (token NULL), wrong, or for a client that does not
 * exist: the two are told apart by nothing.
 */
#ifndef OIDCGI_DCR_H
#define OIDCGI_DCR_H

#include <jansson.h>

struct oarena;
struct oerr;

/*
 * Register a client with the metadata in (RFC 7591 §2: the request
 * body).  A client_secret that is not empty is refused with a 400
 * invalid_client_metadata, as Hydra refuses it (the server issues
 * secrets); an empty one and client_secret_expires_at are removed from
 * in.  The answer carries the secret and the registration access
 * token, once.
 */
json_t	*odcr_register(struct oarena *a, json_t *in, struct oerr *err);
/* Read registration id (RFC 7592 §2.1): neither secret nor token. */
json_t	*odcr_read(struct oarena *a, const char *id, const char *token,
	    struct oerr *err);
/*
 * Replace registration id (RFC 7592 §2.2) with the metadata in (as for
 * odcr_register(); NULL when the body was bad, and inerr says why: told
 * only to the token's holder, after authorizing).  Every member the
 * registrant may set is replaced (absent ones take their defaults);
 * the secret and what only the operator sets are kept, and the
 * registration access token is rotated: the answer carries the new
 * one, and a secret only when a new one was issued.
 *
 * Read-modify-write (RFC 7592 §2.2): what the server manages and a read
 * answers (owner, client_id_issued_at, client_secret_expires_at,
 * registration_client_uri, created_at, updated_at, the lifespans, ...)
 * may be sent back unchanged, or empty (null, "", false, 0, {}, [])
 * or absent; a changed value is a 400 invalid_client_metadata naming
 * it.  A registration_access_token in the body must be the one sent as
 * Bearer.  A client_secret that is not empty is a 403
 * request_forbidden, as Hydra answers (the server issues secrets).
 */
json_t	*odcr_replace(struct oarena *a, const char *id, const char *token,
	    json_t *in, const struct oerr *inerr, struct oerr *err);
/*
 * Deregister client id (RFC 7592 §2.3): the client and its
 * registration access token are gone.  Returns 1, or 0 with err set.
 */
int	 odcr_delete(const char *id, const char *token, struct oerr *err);

#endif
