/*
 * introspect.h: token introspection (RFC 7662) in Hydra's shape
 * (its oauth2/handler.go), without HTTP.  As in Hydra, the caller of
 * introspection is not authenticated: the admin listener (and
 * secrets.admin, when set) is the fence.
 */
#ifndef OIDCGI_INTROSPECT_H
#define OIDCGI_INTROSPECT_H

#include <jansson.h>

struct oarena;
struct oerr;

/*
 * The introspection answer for tok (RFC 7662 §2.2): for a live access
 * or refresh token this server issued whose scope holds every
 * space-separated token of scope (NULL: any; §2.1), {"active": true,
 * scope, client_id, sub, exp (left out for a refresh token that never
 * expires), iat, nbf (= iat), aud, iss, token_type "Bearer", token_use,
 * ext (the consent's session.access_token, when not empty)}; for
 * anything else, codes included, {"active": false}.  Outside any
 * transaction.  Returns a new object, or NULL with err set when the
 * store is not available.
 */
json_t	*ointrospect(struct oarena *, const char *tok, const char *scope,
	    struct oerr *err);
/*
 * The same as Hydra 1.x documents it (oAuth2TokenIntrospection of its
 * REST API, Hydra before 1.9): token_type is the token's use,
 * "access_token" or "refresh_token", instead of "Bearer"; token_use
 * (which 1.9 added) stays.
 */
json_t	*ointrospect_v1(struct oarena *, const char *tok, const char *scope,
	    struct oerr *err);

#endif
