/*
 * tokens.h: authorization codes, access and refresh tokens, ID tokens,
 * and the grant they are issued under.
 *
 * Opaque credentials are shaped as Hydra's (hydra-behaviour.md 1.7):
 *
 *	<prefix> b64url(key) "." b64url(sig)
 *
 * with prefix "ory_ac_" (code), "ory_at_" (access), "ory_rt_"
 * (refresh), key 32 random bytes and sig = HMAC-SHA-256 of prefix || key
 * under a key derived from secrets.system (HKDF, info
 * "oidcgi tokens"); the prefix is under the MAC so that a token cannot
 * pass as another kind by swapping its prefix.  Every configured secret
 * is tried when checking, so the secret can rotate.  The HMAC is checked BEFORE the store is
 * touched, so a forged token costs no read.  The store keeps only
 * SHA-256(sig) as the record's key: a copy of the store yields no
 * usable credential.
 *
 * THE GRANT.  Every token record carries a snapshot of the grant it was
 * issued under, a JSON object built by the authorization endpoint when
 * consent completes:
 *
 *   request_id   one per grant chain (the consent): code, access and
 *                refresh tokens of one consent share it, so code replay,
 *                refresh reuse and revocation remove the chain at once
 *   client_id, sub, sid (login session), scope [granted], aud [granted
 *   audience], auth_time, acr, amr [], nonce, requested_at,
 *   session {"id_token": {...}, "access_token": {...}}  (the consent's
 *                session claims)
 *   redirect_uri, code_challenge, code_challenge_method (codes only)
 *
 * Token records are the grant's members plus: "_v" 1, "kind" ("code",
 * "access_token", "refresh_token"), "iat", "exp" (0: never expires, a
 * refresh token under ttl.refresh_token -1), "active" (false once a code
 * or refresh token is used, kept as a tombstone for replay detection
 * until exp, which using shortens to at most 30 minutes from then),
 * "used_at" (when it was used), and for a refresh token "access_id" (hex
 * store id of the access token issued with it).  JWT access tokens (strategies.access_token: jwt, or
 * the client's access_token_strategy) get a record too, keyed by
 * SHA-256 of their signature segment, so they can be introspected and
 * revoked.
 */
#ifndef OIDCGI_TOKENS_H
#define OIDCGI_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct oerr;
struct ostore_txn;

enum otoken_kind {
	OTOKEN_CODE,
	OTOKEN_ACCESS,
	OTOKEN_REFRESH,
	OTOKEN__MAX
};

#define OTOKEN_MAX	128	/* bytes of an opaque token, NUL included */
#define OTOKEN_ID_LEN	32	/* bytes of a store id */

/* What ogrant_issue() issues. */
#define OISSUE_ACCESS	0x1
#define OISSUE_REFRESH	0x2
#define OISSUE_IDTOKEN	0x4

/*
 * Mint an opaque token of a kind into out; its store id into id.
 */
void	 otoken_mint(enum otoken_kind, char out[OTOKEN_MAX],
	    unsigned char id[OTOKEN_ID_LEN]);
/*
 * Check an opaque token's shape, prefix and HMAC (any configured
 * secret), without touching the store.  Returns 1 and its store id, or
 * 0 for anything else.
 */
int	 otoken_check(const char *tok, enum otoken_kind,
	    unsigned char id[OTOKEN_ID_LEN]);

/* Token records, inside a transaction (records are new references). */
int	 otoken_store(struct ostore_txn *, const unsigned char id[OTOKEN_ID_LEN],
	    const json_t *rec, struct oerr *);
json_t	*otoken_load(struct ostore_txn *,
	    const unsigned char id[OTOKEN_ID_LEN]);
int	 otoken_delete(struct ostore_txn *,
	    const unsigned char id[OTOKEN_ID_LEN]);
/* Delete every token of a grant chain, or of a client. */
int	 otoken_revoke_request(struct ostore_txn *, const char *request_id);
int	 otoken_revoke_client(struct ostore_txn *, const char *client_id);

/*
 * Store an authorization code for grant (RFC 6749 §4.1.2), expiring
 * after ttl.auth_code.  The code string goes to out.  Inside the
 * caller's write transaction.  Returns 1, or 0 with err set.
 */
int	 ogrant_code(struct ostore_txn *, const json_t *grant,
	    char out[OTOKEN_MAX], struct oerr *err);

/*
 * Issue tokens for grant to client (its record, for lifespans and
 * access_token_strategy): an access token (opaque or JWT), a refresh
 * token (only when the grant has scope offline or offline_access), an
 * ID token (only when it has scope openid; with at_hash, and c_hash
 * when code is not NULL, OpenID Connect Core §3.3.2.11), as asked by
 * what (OISSUE_*).  Inside the caller's write transaction, after
 * ogrant_prepare(); on failure the caller aborts the transaction (some
 * records may already have been written).  Returns the
 * token response as a new JSON object (RFC 6749 §5.1: access_token,
 * token_type "bearer", expires_in, scope, refresh_token, id_token), or
 * NULL with err set.  lifespan names the grant for per-client
 * lifespans: "authorization_code", "implicit", "refresh_token",
 * "client_credentials".
 */
json_t	*ogrant_issue(struct ostore_txn *, const json_t *grant,
	    const json_t *client, unsigned what, const char *code,
	    const char *lifespan, struct oerr *err);

/*
 * Delete records that expired before not_after (codes, tokens, used
 * tombstones, handled challenges, login sessions, consents), at most
 * max of them (0: no limit).  Returns how many, or -1 on failure.
 */
long	 ogrant_flush(struct ostore_txn *, int64_t not_after, size_t max);

/*
 * Load the signing keys ogrant_issue() uses, creating Hydra's two
 * default sets when they are empty.  NOTE: CALL IT BEFORE THE WRITE
 * TRANSACTION that calls ogrant_issue(): the key cache reads the store
 * in a read transaction of its own, which cannot be opened inside
 * ostore_write().  The keys are copied, so they stay valid whatever
 * other okeys_*() calls happen until the next ogrant_prepare().
 * Returns 1, or 0 with err set (a set without a private key is only an
 * error once ogrant_issue() needs it).
 */
int	 ogrant_prepare(struct oerr *err);

/*
 * Identify a presented access or refresh token: an opaque token of
 * either kind (otoken_check()), or a JWT access token whose signature
 * verifies with a key of OKEYS_ACCESS_TOKEN (store id: SHA-256 of its
 * signature segment).  Codes are not recognised.  Outside any
 * transaction (the key cache reads the store).  Returns 1 with its kind
 * and store id, or 0 when it is nothing this server issued; the record
 * must still be loaded and checked with otoken_live().
 */
int	 otoken_identify(const char *tok, enum otoken_kind *kind,
	    unsigned char id[OTOKEN_ID_LEN]);

/*
 * 1 if rec is a token record of kind kind that is active and not
 * expired at now.
 */
int	 otoken_live(const json_t *rec, enum otoken_kind kind, int64_t now);

/*
 * Mark a code or refresh token used (RFC 6749 §4.1.2: codes are single
 * use; §10.4: refresh tokens rotate): rec, loaded by the caller, is
 * changed into an inactive tombstone with "used_at" now and stored
 * again.  It is kept 30 minutes for replay detection (a refresh token
 * never beyond its own exp), and its expiry entry moves with it.
 * Returns 1, or 0 with err set.
 */
int	 otoken_use(struct ostore_txn *, const unsigned char id[OTOKEN_ID_LEN],
	    json_t *rec, struct oerr *err);

/*
 * The grant snapshot of a token record: a new object without the token
 * members ("_v", "kind", "iat", "exp", "active", "used_at",
 * "access_id") and without the members only codes need
 * ("redirect_uri", "code_challenge", "code_challenge_method").
 */
json_t	*otoken_grant(const json_t *rec);

/*
 * Like ogrant_issue(), but the refresh token records rt_grant (the
 * grant as originally given) while the access and ID tokens carry
 * grant (narrowed by a refresh request's scope, RFC 6749 §6).
 */
json_t	*ogrant_issue_refresh(struct ostore_txn *, const json_t *grant,
	    const json_t *rt_grant, const json_t *client, unsigned what,
	    const char *lifespan, struct oerr *err);

#endif
