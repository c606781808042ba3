/*
 * exchange.h: OAuth 2.0 Token Exchange (RFC 8693) at the token
 * endpoint, without HTTP.
 *
 * grant_type urn:ietf:params:oauth:grant-type:token-exchange trades a
 * token this server issued (the subject token) for a new one issued to
 * the requesting client:
 *
 *   subject_token, subject_token_type   required (§2.1): an access or
 *       refresh token of this server (checked live: not expired, not
 *       revoked or used, its client still there), or an ID token it
 *       signed (signature, iss, exp; its login session not ended).
 *       Types: ..:token-type:access_token, refresh_token, id_token, and
 *       jwt (a JWT access token or an ID token of this server, or a JWT
 *       of another issuer that otrust_jwt_verify() accepts, trust.h:
 *       signed with the key of a live trust relationship of its iss
 *       that allows its sub; exp, iat, nbf, max_ttl as for jwt-bearer
 *       assertions; aud optional, RFC 8693 §2.1 leaving the subject
 *       token's audience to the server, but naming this server when
 *       present; jti optional, single use until exp when present,
 *       spent only with the new token).  Its grant is its sub with the
 *       relationship's scope; no client, audience or session.
 *   actor_token, actor_token_type       optional, together: delegation
 *       (§1.1).  The new token carries "act" (§4.1) {"sub": the actor,
 *       "act": the subject token's own act, if any} in JWT access
 *       tokens and introspection.  Without one: impersonation.
 *   audience, resource                  optional, repeatable (§2.1,
 *       RFC 8707): the targets; each must be in the client's audience,
 *       its token_exchange.audiences, or the subject token's audience
 *       (else invalid_target).  Without any, the subject's audience.
 *   scope                               optional: within the subject
 *       token's granted scope and the client's scope (else
 *       invalid_scope); without it, the subject's scope the client may
 *       have.  An ID token's granted scope is "openid" alone.
 *   requested_token_type                optional: access_token (the
 *       default) or refresh_token (needs the client's refresh_token
 *       grant and scope offline or offline_access); anything else is
 *       invalid_request naming it.
 *
 * POLICY (clients.h, the client's "token_exchange"): a client may
 * exchange the tokens issued to itself, and those of the clients its
 * token_exchange.subject_clients lists, and JWTs of the trusted
 * issuers its token_exchange.subject_issuers lists (else
 * unauthorized_client); the same holds for an actor token.  A trusted
 * issuer's actor is recorded as act {"sub", "iss"}; the new token is
 * issued to the requesting client (its client_id).
 *
 * The new tokens are a grant chain of their own (a new request_id)
 * with the subject's sub, sid, auth_time, acr, amr and session claims,
 * so a logout that ends the login session ends them too.
 */
#ifndef OIDCGI_EXCHANGE_H
#define OIDCGI_EXCHANGE_H

#include <jansson.h>

struct oarena;
struct oclientauth;
struct oerr;
struct oparams;
struct odpop;

#define OEXCHANGE_GRANT	"urn:ietf:params:oauth:grant-type:token-exchange"
#define OEXCHANGE_TT	"urn:ietf:params:oauth:token-type:"

/*
 * A token exchange request p of the client authenticated in auth (its
 * grant type already checked against the client), scope the requested
 * scope split into an array (NULL: none asked), dpop the request's
 * verified DPoP proof (NULL: none; RFC 9449 §5: it is spent with the
 * exchange, and the issued token bound to its key).  Opens its own
 * transactions: call it outside any.  Returns the response (RFC 8693
 * §2.2.1: access_token, issued_token_type, token_type, expires_in,
 * scope; a new object, free with ogrants_response_free()), or NULL
 * with err set (§2.2.2).
 */
json_t	*oexchange_token(struct oarena *, const struct oparams *p,
	    const struct oclientauth *auth, const json_t *scope,
	    const struct odpop *dpop, struct oerr *err);

#endif
