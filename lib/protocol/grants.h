/*
 * grants.h: the rules of the token endpoint, token revocation, userinfo
 * and the admin API's token housekeeping, without HTTP.
 *
 *   ogrants_token()     RFC 6749 §3.2; grants authorization_code
 *                       (§4.1.3, RFC 7636 §4.6), refresh_token (§6),
 *                       client_credentials (§4.4), jwt-bearer (RFC 7523
 *                       §2.1, trust.h) and the device_code grant of
 *                       RFC 8628 §3.4 (protocol/device.h)
 *   ogrants_revoke()    RFC 7009
 *   ogrants_userinfo()  OpenID Connect Core §5.3
 *   ogrants_flush(), ogrants_revoke_client()   Hydra's admin API
 *
 * The caller parses the request (the form, checked by oform_check(),
 * and the Authorization header) and answers; these functions
 * authenticate the client (clientauth.h) and apply the rules.
 * Everything a grant changes (the code or refresh token spent, the
 * tokens issued, a replay's revocation, the assertion's jti) happens in
 * one write transaction, so two processes racing the same code or
 * refresh token can never both succeed.  Each of those transactions
 * also flushes a few expired records, so the store needs no janitor.
 * NOTE: these open transactions of their own: call them outside any.
 */
#ifndef OIDCGI_GRANTS_H
#define OIDCGI_GRANTS_H

#include <stdint.h>

#include <jansson.h>

struct oarena;
struct oclientauth_in;
struct odpop_req;
struct oerr;

#define OGRANTS_SCOPES_MAX	64	/* scope tokens in a request */
#define OGRANTS_AUDIENCES_MAX	32	/* audience values in a request */

/*
 * A token request (RFC 6749 §4.1.3, §6, §4.4.2): in->p is the form
 * (grant_type, code, redirect_uri, code_verifier, refresh_token, scope,
 * audience, and the client's credentials), in->basic_* the Basic
 * credentials.  Arena strings go into arena.  Returns the token
 * response (RFC 6749 §5.1; a new object with any ID token signed: free
 * it with ogrants_response_free()), or NULL with err set: the error
 * response of RFC 6749 §5.2 (invalid_client is a 401), or a store
 * failure.
 */
json_t	*ogrants_token(struct oarena *, const struct oclientauth_in *in,
	    struct oerr *err);

/*
 * Wipe the credentials of a token response, then release it (jansson
 * would free the strings unwiped).  NULL is fine.
 */
void	 ogrants_response_free(json_t *resp);

/*
 * A revocation request (RFC 7009 §2.1): in->p holds token (and
 * token_type_hint, only a hint) and the client's credentials.  A token
 * this server did not issue, or one that is not live, counts as
 * revoked (§2.2).  Returns 1 (the answer is an empty 200), or 0 with
 * err set: the client's authentication failed, the token was issued to
 * another client (unauthorized_client), or the store failed.
 */
int	 ogrants_revoke(struct oarena *, const struct oclientauth_in *in,
	    struct oerr *err);

/*
 * The userinfo answer for access token tok (OpenID Connect Core §5.3.2):
 * sub and the consent's session.id_token claims that are not registered
 * ID token claims.  As Hydra, the token need not carry scope openid: a
 * client_credentials token gets {"sub": <client_id>}.  On success
 * either *claims (a new object, answered as JSON) or, for a client with
 * userinfo_signed_response_alg RS256, *jwt (the claims with iss and aud,
 * signed; free with ojose_free()) is set, the other NULL.  dp is what
 * the request shows of DPoP (RFC 9449 §7.1): a bound token must come
 * with the DPoP scheme and a proof by its key over this request and
 * the token (ath); an unbound one must not use the DPoP scheme.
 * dp->bound is set when the token is bound (the answer's challenge is
 * then DPoP's, RFC 9449 §7.1).
 * Returns 1, or 0 with err set: invalid_token (401) for a token that is
 * not a live access token of a client that still exists, or that breaks
 * those scheme rules, invalid_dpop_proof or use_dpop_nonce (401), or a
 * store or key failure.
 */
int	 ogrants_userinfo(struct oarena *, const char *tok,
	    struct odpop_req *dp, json_t **claims, char **jwt,
	    struct oerr *err);

/*
 * Delete the records that expired before not_after (Hydra 1.x
 * FlushInactiveOAuth2Tokens), in batches of one write transaction each
 * so that other writers are not held up.  Returns 1, or 0 with err set.
 */
int	 ogrants_flush(int64_t not_after, struct oerr *err);

/*
 * Every code, access and refresh token of a client, stored or
 * stateless, revoked in one write transaction (Hydra's
 * deleteOAuth2Token).  An unknown client has none, which is no error.
 * Returns 1, or 0 with err set.
 */
int	 ogrants_revoke_client(const char *client_id, struct oerr *err);

#endif
