/*
 * clientauth.h: client authentication at the token and revocation
 * endpoints (RFC 6749 §2.3, RFC 7523 §2.2, OpenID Connect Core §9).
 *
 * A client authenticates exactly by its registered
 * token_endpoint_auth_method, as Hydra insists (its fosite's
 * client_authentication.go): client_secret_basic (HTTP Basic), client_secret_post
 * (client_id and client_secret in the form), private_key_jwt (a signed
 * client_assertion, verified against the client's keys: its registered
 * jwks, else those at its jwks_uri, clientkeys.h), client_secret_jwt
 * (an HS256/384/512 client_assertion made with the client secret,
 * which such clients keep sealed besides its hash, RFC 7523 §2.2) or
 * none (a public client: its client_id alone).  One method per
 * request.  An assertion's aud is the token endpoint URL or the issuer.
 *
 * Fetching a jwks_uri is network I/O: call oclientauth_check() outside
 * any store transaction.
 *
 * A client that fails gets one answer whether it is unknown, registered
 * for another method or gave a wrong secret (RFC 9700 §4.16), and an
 * unknown client costs what a wrong secret costs (a dummy hash is
 * checked), so that the endpoint does not tell which client ids exist.
 *
 * An assertion's jti is noted, not spent: the caller
 * spends it with ojti_use() (lib/records/jti.h) in the write
 * transaction that acts on the request.
 */
#ifndef OIDCGI_CLIENTAUTH_H
#define OIDCGI_CLIENTAUTH_H

#include <stdint.h>

#include <jansson.h>

#include "records/jti.h"

struct oarena;
struct oclient;
struct oerr;
struct oparams;
struct ostore_txn;

/* What a request presents (the handler fills it). */
struct oclientauth_in {
	/*
	 * The form, with client_id, client_secret, client_assertion and
	 * client_assertion_type as RFC 6749 §2.3.1 and RFC 7521 §4.2 name
	 * them (checked by oform_check(): each at most once).
	 */
	const struct oparams	*p;
	/*
	 * The Authorization header's Basic credentials (RFC 7617, already
	 * form-decoded), or both NULL when the request has none.  A
	 * malformed header is the caller's invalid_client.
	 */
	const char		*basic_id;
	const char		*basic_secret;
	/*
	 * The DPoP header (RFC 9449 §4.1), NULL when absent, and the URL
	 * of the endpoint as published, its proof's htu (protocol/dpop.h).
	 */
	const char		*dpop;
	const char		*dpop_htu;
};

/* An authenticated client. */
struct oclientauth {
	const char	*id;		/* client_id, an arena string */
	const struct oclient *client;	/* as authenticated (shared) */
	int		 has_jti;	/* an assertion: spend jti */
	unsigned char	 jti[OJTI_KEY_LEN];	/* its key (ojti_key()) */
	int64_t		 jti_exp;	/* until when to keep it */
};

/*
 * Authenticate the client of a request.  Strings go into arena.  On
 * success a->client is the decoded client, shared with the process
 * cache (oclient_find(): never modify it); release it with
 * oclientauth_free().  Returns 1, or 0 with err set: invalid_client
 * (401) when authentication failed, invalid_request when the request
 * uses more than one method, has two client_ids or a wrong
 * client_assertion_type, or the store's error (503).  On failure a
 * holds nothing to release.
 */
int	 oclientauth_check(struct oarena *, const struct oclientauth_in *,
	    struct oclientauth *a, struct oerr *err);

/* Release what oclientauth_check() left in a (none is fine). */
void	 oclientauth_free(struct oclientauth *a);

#define OCLIENTAUTH_FLUSH	16	/* expired records flushed */

/*
 * The start of every write transaction that acts on the request of a
 * client a authenticated (the token endpoint's grants, revocation,
 * device authorization, PAR): flush up to OCLIENTAUTH_FLUSH expired
 * records (so the store needs no janitor), then spend a's client
 * assertion jti (a replay is invalid_client).  Returns 1, or 0 with
 * err set: abort the transaction.
 */
int	 oclientauth_txn_begin(struct ostore_txn *,
	    const struct oclientauth *a, struct oerr *err);

/*
 * The name by which a JWT's aud claim (a string, or an array of
 * strings) names this server, for the assertions of RFC 7523 (§3 item
 * 3): the token endpoint URL, or the issuer with or without its
 * trailing '/', which many clients send.  An arena string, or NULL
 * when aud names none of them.
 */
const char	*oclientauth_aud(struct oarena *, const json_t *claims);

/*
 * A parameter of a form, or NULL when absent or empty (RFC 6749 §3.1:
 * "Parameters sent without a value MUST be treated as if they were
 * omitted").
 */
const char	*oclientauth_param(const struct oparams *, const char *name);

/*
 * The allowed_cors_origins of the client a request comes from, as
 * Hydra's x/oauth2cors finds it: client_id (the form's, else the
 * Basic user), or when NULL the client of tok, a live access token
 * (introspected).  Returns a new reference to the JSON array of its
 * origins as registered, or NULL when there is no such client or
 * token, or the store failed (no error: the request just gets no CORS
 * headers, and its own handler answers what was wrong).
 */
json_t	*oclientauth_cors_origins(struct oarena *, const char *client_id,
	    const char *tok);

#endif
