/*
 * tokens.h: authorization codes, access and refresh tokens, ID tokens,
 * and the grant they are issued under.
 *
 * Opaque credentials are shaped as Hydra's (fosite's hmacsha.go):
 *
 *	<prefix> b64url(key) "." b64url(sig)
 *
 * with prefix "ory_ac_" (code), "ory_at_" (access), "ory_rt_"
 * (refresh), key 32 bytes (the time it was made, 5 bytes big-endian,
 * then 27 random ones) and sig = HMAC-SHA-256 of prefix || key
 * under a key derived from secrets.system (HKDF, info
 * "oidcgi tokens"); the prefix is under the MAC so that a token cannot
 * pass as another kind by swapping its prefix.  Every configured secret
 * is tried when checking, so the secret can rotate.  The HMAC is checked BEFORE the store is
 * touched, so a forged token costs no read.  The store keeps only
 * the time bytes and 27 bytes of SHA-256(sig) as the record's key (so
 * that records written together sort together): a copy of the store
 * yields no usable credential.
 *
 * THE GRANT.  Every token record carries a snapshot of the grant it was
 * issued under (struct ogrant below), built by the authorization
 * endpoint when consent completes:
 *
 *   request_id   one per grant chain (the consent): code, access and
 *                refresh tokens of one consent share it, so code replay,
 *                refresh reuse and revocation remove the chain at once
 *   client_id, sub, sid (login session), scope [granted], aud [granted
 *   audience], auth_time, acr, amr [], nonce, requested_at,
 *   session {"id_token": {...}, "access_token": {...}}  (the consent's
 *                session claims)
 *   redirect_uri, code_challenge, code_challenge_method (codes only)
 *   act          the actor of a token exchange's delegation (RFC 8693
 *                §4.1), absent otherwise
 *
 * On disk a token record is JSON (schema/store.md), decoded into a
 * struct otoken_rec at the store boundary (tokens_rec.c): the grant's
 * members plus: "_v" 1, "kind" ("code",
 * "access_token", "refresh_token"), "iat", "exp" (0: never expires, a
 * refresh token under ttl.refresh_token -1), "active" (false once a code
 * or refresh token is used, kept as a tombstone for replay detection
 * until exp, which using shortens to at most 30 minutes from then),
 * "used_at" (when it was used), and for a refresh token "access_id" (hex
 * store id of the access token issued with it, when that one is
 * stored).  JWT access tokens (strategies.access_token: jwt, or
 * the client's access_token_strategy) get a record too, keyed by
 * SHA-256 of their signature segment, so they can be introspected and
 * revoked.
 *
 * STATELESS ACCESS TOKENS (stateless.c).  A client_credentials access
 * token is not stored, so issuing one writes nothing
 * (ogrant_issue_stateless()).  An opaque one has the shape of any
 * opaque token, but the 32 bytes before the dot are not random: they
 * hold the id of a SHARED GRANT, its iat and its lifetime (and 7 random
 * bytes), and its MAC is made under another key (HKDF info "oidcgi
 * stateless tokens"), so a stored token never passes for a stateless
 * one or the other way round.  A shared grant is a record in the tokens
 * database under a 16-byte id (the first half of SHA-256 over
 * client_id, the client's "_epoch", scope and audience): {"_v":1,
 * "kind":"grant", "client_id", "scope", "aud", "epoch", "at", "exp"}.
 * Every token of that client, scope and audience names the same one,
 * so it is written (durably, before any token naming it is handed out)
 * twice per token lifetime (it lives half a lifetime past the newest
 * token), not once per token.  A JWT one carries its grant in its
 * claims and has no record at all; its jti is a UUID whose second half
 * is an HMAC (info "oidcgi stateless jwt") of its first half, the
 * client_id and the client's "_epoch", which tells it from a stored JWT
 * whose record is gone.  A stateless token is live while it has not
 * expired, the store holds no tombstone under its id (revocation writes
 * one, kept until the token's own exp), its shared grant is there
 * (opaque), its client exists, and the client's "_epoch" is still the
 * one it was issued under (clients.h: new when the client is created and
 * at DELETE /oauth2/tokens).  Whatever a client was told stays true
 * after a crash: the grant a token names is on disk before the token is
 * sent, and a revocation is a durable write.
 *
 * SEALED CODES.  An authorization code is not stored when it is issued
 * (unless its grant is too large, ogrant_code()): it is "ory_ac_" and, sealed as flow states are (records/flow.h,
 * purpose "code"), {"exp", "iat", "epoch": the client's "_epoch",
 * "grant": the grant}.  So the consent verifier's commit writes the
 * consent and its flow's mark only.  Spending one stores its tombstone
 * (ocode_spend()) under the 5 bytes of its iat and 27 of SHA-256 of the
 * code, which is how a replay is refused, and revokes the chain, in
 * every process.  What deleted a stored code voids a sealed one, and
 * the exchange checks it: the client's "_epoch" (the client deleted,
 * or DELETE /oauth2/tokens), the login session's end (its sid, when
 * logout revokes tokens) and the consent's revocation (a mark on its
 * request_id, records/lifecycle.c).  Codes stored by earlier versions
 * are still redeemed from their records.
 *
 * ANCHORED ACCESS TOKENS (stateless.c).  An opaque access token issued
 * with a refresh token is not stored either: its 32 bytes hold the
 * first 16 bytes of the refresh token's store id, its iat, its lifetime
 * and 7 random bytes, MACed under a key of their own (HKDF info
 * "oidcgi anchored tokens").  Its record is the refresh token's, seen
 * as an access token (kind, iat and exp its own), and it is live while
 * that refresh token's record is there and active: it goes when the
 * refresh token is used, revoked, or its chain is, which is when Hydra
 * deletes the access token.  So a code exchange or a refresh writes one
 * token record, not two.  Only when that record says all there is to
 * say: not for a JWT, a DPoP-bound token, a scope or audience narrower
 * than the refresh token's, a lifetime the refresh token's record does
 * not outlast, or none (ttl -1); those are stored, named by the refresh
 * token's "access_id".
 */
#ifndef OIDCGI_TOKENS_H
#define OIDCGI_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/json.h"

struct oclient;
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
 * With OISSUE_IDTOKEN: leave the ID token unsigned in the response (its
 * claims object as "id_token"), for ogrant_finish() to sign after the
 * write transaction has committed, so that no other writer waits for a
 * signature.
 */
#define OISSUE_DEFER	0x8

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

/*
 * A code's code_challenge_method (RFC 7636 §4.3), as the request named
 * it: the record keeps the very string.
 */
enum ogrant_pkce {
	OGRANT_PKCE_NONE,	/* no code_challenge_method member */
	OGRANT_PKCE_DEFAULT,	/* "": plain, the default */
	OGRANT_PKCE_PLAIN,	/* "plain" */
	OGRANT_PKCE_S256,	/* "S256" */
	OGRANT_PKCE__MAX
};

/*
 * The grant a token is issued under (see THE GRANT above), decoded;
 * everything owned (ogrant_free).  request_id, client_id and sub are
 * never NULL once decoded.  Members marked "NULL: absent" (or whose
 * OGRANT_HAS_* bit is clear) are left out of the record, so that a
 * grant is written back as it was read.
 */
struct ogrant {
	char			*request_id;	/* the grant chain */
	char			*client_id;
	char			*sub;
	char			*sid;		/* NULL: absent */
	struct ojson_strs	 scope;		/* granted scope */
	struct ojson_strs	 aud;		/* granted audience */
	int64_t			 auth_time;	/* OGRANT_HAS_AUTH_TIME */
	char			*acr;		/* NULL: absent */
	struct ojson_strs	 amr;		/* OGRANT_HAS_AMR */
	int64_t			 requested_at;	/* OGRANT_HAS_REQUESTED_AT */
	/*
	 * {"id_token": {...}, "access_token": {...}}: the consent's session
	 * claims, free-form, so kept as JSON (a reference); NULL: absent.
	 */
	json_t			*session;
	char			*nonce;		/* NULL: absent */
	/*
	 * RFC 8693 §4.1: the actor of a delegated token ({"sub": ...,
	 * "act": {...}} for a chain of actors, the newest outermost), as
	 * a token exchange with an actor_token makes it; NULL: absent
	 * (impersonation, or any other grant).  Stored last, as "act".
	 */
	json_t			*act;
	/*
	 * The login's force_subject_identifier (Hydra): what a pairwise
	 * client sees as the subject (records/subject.h); NULL: absent.
	 */
	char			*forced_sub;
	/*
	 * The RFC 7638 thumbprint of the DPoP key the token is bound to
	 * (RFC 9449 §6: "cnf": {"jkt"}), NULL: absent (a Bearer token).
	 */
	char			*jkt;
	/* Codes only (NULL: absent). */
	char			*redirect_uri;
	char			*code_challenge;
	enum ogrant_pkce	 code_challenge_method;
	unsigned		 has;		/* OGRANT_HAS_* */
};
#define OGRANT_HAS_AUTH_TIME	0x1
#define OGRANT_HAS_AMR		0x2
#define OGRANT_HAS_REQUESTED_AT	0x4

/*
 * A token record (schema/store.md, tokens) decoded at the store
 * boundary; everything owned (otoken_rec_free).
 */
struct otoken_rec {
	unsigned char		 id[OTOKEN_ID_LEN];	/* its store id */
	enum otoken_kind	 kind;
	int			 active;	/* 0: a used or revoked one */
	int64_t			 iat;
	int64_t			 exp;		/* 0: never expires */
	int64_t			 used_at;	/* 0: absent (never used) */
	/* A refresh tombstone kept for its chain: its own exp (0: absent). */
	int64_t			 token_exp;
	char			*access_id;	/* refresh: hex; NULL: absent */
	int			 stateless;	/* a stateless token's */
	struct ogrant		 grant;
};

/*
 * The method named s ("", "plain", "S256") into *m.  Returns 1, or 0
 * for any other name (m untouched).
 */
int	 ogrant_pkce_method(const char *s, enum ogrant_pkce *m);
/* Free what g owns and zero it; a zeroed g is fine. */
void	 ogrant_free(struct ogrant *g);
/* A deep copy of src into dst (overwritten, not freed first). */
void	 ogrant_copy(struct ogrant *dst, const struct ogrant *src);
/*
 * Decode the grant members of the JSON object j into g (zeroed first):
 * request_id, client_id and sub are required strings, every other
 * member must have its type when present.  Returns 1, or 0 with a 500
 * in err naming the member (g is then freed).
 */
int	 ogrant_decode(const json_t *j, struct ogrant *g, struct oerr *err);
/*
 * The grant as a new JSON object, members in the order of
 * schema/store.md: request_id, client_id, sub, sid, scope, aud,
 * auth_time, acr, amr, requested_at, session, nonce, forced_sub, jkt,
 * redirect_uri, code_challenge, code_challenge_method, act (absent ones
 * left out).
 */
json_t	*ogrant_json(const struct ogrant *g);

/* Free what rec owns and zero it; a zeroed rec is fine. */
void	 otoken_rec_free(struct otoken_rec *rec);
/*
 * Decode a token record (JSON as stored) into rec (zeroed first; its
 * id is left zero): "_v" 1, a known "kind", "exp" and "iat" integers,
 * "active" a boolean, the grant's members as ogrant_decode().  Returns
 * 1, or 0 with a 500 in err naming what was wrong (rec is then freed).
 */
int	 otoken_rec_decode(const json_t *j, struct otoken_rec *rec,
	    struct oerr *err);
/*
 * The record as stored (a new object): the grant's members
 * (ogrant_json()), then "_v", "kind", "iat", "exp", "active",
 * "stateless" (when set), "access_id", "used_at", "token_exp" (when
 * present), byte for byte what earlier versions wrote.
 */
json_t	*otoken_rec_json(const struct otoken_rec *rec);

/*
 * Token records, inside a transaction.  otoken_store() writes rec
 * under rec->id with its index and expiry entries.  otoken_load()
 * decodes the record of id into rec (zeroed first; otoken_rec_free):
 * returns 1, or 0 with err set: a 404 when there is none, a 500 when it
 * cannot be read (logged).
 */
int	 otoken_store(struct ostore_txn *, const struct otoken_rec *rec,
	    struct oerr *);
int	 otoken_load(struct ostore_txn *,
	    const unsigned char id[OTOKEN_ID_LEN], struct otoken_rec *rec,
	    struct oerr *);
int	 otoken_delete(struct ostore_txn *,
	    const unsigned char id[OTOKEN_ID_LEN]);
/*
 * Delete every token of a grant chain, or of a client.  NOTE: DELETING
 * A CLIENT'S TOKENS ALSO DELETES THE TOMBSTONES OF ITS REVOKED STATELESS
 * TOKENS: the caller voids those as well (oclient_void_tokens(), or by
 * deleting the client).
 */
int	 otoken_revoke_request(struct ostore_txn *, const char *request_id);
int	 otoken_revoke_client(struct ostore_txn *, const char *client_id);
/*
 * Delete every token issued under the login session sid (its grant's
 * sid; tokens_by_sid), for a logout that ends them.  Returns 1, or 0 on
 * a store failure.
 */
int	 otoken_revoke_sid(struct ostore_txn *, const char *sid);

/* Bytes of an authorization code, NUL included (SEALED CODES). */
#define OCODE_MAX	2048

/*
 * An authorization code for grant (RFC 6749 §4.1.2) to a client whose
 * "_epoch" is epoch, expiring after ttl.auth_code: sealed, not stored
 * (SEALED CODES above); a grant too large for a sealed code of
 * OCODE_MAX bytes (session claims of kilobytes would not fit a
 * redirect URL) gets an opaque one, stored in transaction t as earlier
 * versions stored every code.  A new string (free(); wipe it first),
 * or NULL with err set.
 */
char	*ogrant_code(struct ostore_txn *, const struct ogrant *grant,
	    const char *epoch, struct oerr *err);

/* A presented authorization code, opened by ocode_open(). */
struct ocode {
	/*
	 * As a stored code's record (kind code, active, iat, exp, the
	 * grant), its id the store id its tombstone is kept under.
	 */
	struct otoken_rec	 rec;
	char			*epoch;		/* its client's "_epoch" */
};

/*
 * Open a sealed code (any configured secret) into c (zeroed first;
 * ocode_free()), expired or not.  Returns 1, or 0 when it is not a
 * sealed code of this server: malformed, forged, or a code stored by an
 * earlier version (otoken_check() tells those).
 */
int	 ocode_open(const char *code, struct ocode *c);
void	 ocode_free(struct ocode *c);

/*
 * Spend a sealed code: store its tombstone (rec, made inactive with
 * used_at now) under rec->id, with an expiry entry but no index
 * entries, so that a replay is recognised (and revokes the chain) for
 * 30 minutes past its exp.  Inside the caller's write transaction,
 * which has found no record under that id.  Returns 1, or 0 with err
 * set.
 */
int	 ocode_spend(struct ostore_txn *, struct otoken_rec *rec,
	    struct oerr *err);

/*
 * Issue tokens for grant to client (decoded, for lifespans and
 * access_token_strategy): an access token (opaque or JWT), a refresh
 * token (only when the grant has scope offline or offline_access), an
 * ID token (only when it has scope openid; with at_hash, and c_hash
 * when code is not NULL, OpenID Connect Core §3.3.2.11), as asked by
 * what (OISSUE_*).  Inside the caller's write transaction, after
 * ogrant_prepare(); on failure the caller aborts the transaction (some
 * records may already have been written).  Returns the
 * token response as a new JSON object (RFC 6749 §5.1: access_token,
 * token_type "bearer", or "DPoP" when grant->jkt binds the access
 * token (RFC 9449 §5: a refresh token is bound too, but only for a
 * public client), expires_in, scope, refresh_token, id_token), or
 * NULL with err set.  lifespan names the grant for per-client
 * lifespans: "authorization_code", "implicit", "refresh_token",
 * "client_credentials".
 */
json_t	*ogrant_issue(struct ostore_txn *, const struct ogrant *grant,
	    const struct oclient *client, unsigned what, const char *code,
	    const char *lifespan, struct oerr *err);

/*
 * Sign the ID token that ogrant_issue() left unsigned (OISSUE_DEFER) in
 * resp, in place; outside any transaction, with the keys ogrant_prepare()
 * loaded before it.  A response without one is left alone.  Returns 1,
 * or 0 with err set (the transaction has committed: the code or refresh
 * token it spent stays spent).
 */
int	 ogrant_finish(json_t *resp, struct oerr *err);

/*
 * Expire one token or shared grant whose expiry entry (key id, idlen
 * bytes) is due before not_after: delete it when its record's exp is
 * before not_after, or when the record is gone or unreadable; keep one
 * whose exp moved, and the tombstone of a used refresh token while its
 * chain lives (its exp moves to the chain's).  For olife_flush()
 * (lifecycle.h).  Returns 1, or 0 on a store failure.
 */
int	 otoken_expire(struct ostore_txn *, const unsigned char *id,
	    size_t idlen, int64_t not_after);

/*
 * 1 if client gets JWT access tokens: its access_token_strategy, else
 * strategies.access_token (then ogrant_prepare() is needed before
 * issuing even a client_credentials token).
 */
int	 ogrant_jwt_access(const struct oclient *client);

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
 * The record of a token identified by otoken_identify() (tok is the
 * token as presented, id its store id), inside a transaction: the
 * stored record, or for a stateless access token its tombstone when it
 * was revoked, else a record rebuilt from its sealed grant, shaped as a
 * stored client_credentials token with "stateless": true; an opaque
 * one has "active": false when its client is gone or voided it, where
 * a JWT one has no record.  Decoded into rec (zeroed first,
 * otoken_rec_free(), its id set).  Returns 1, or 0 with err set (a 404
 * when there is none).  Check it with otoken_live() as any record.
 */
int	 otoken_lookup(struct ostore_txn *, const char *tok,
	    const unsigned char id[OTOKEN_ID_LEN], struct otoken_rec *rec,
	    struct oerr *err);
/*
 * Revoke the token whose record (otoken_lookup()) is rec, with its
 * grant chain (RFC 7009 §2.1; Hydra revokes both kinds): a stored token
 * by its request_id (otoken_revoke_request()), a stateless one by
 * storing its tombstone under its id.  Returns 1, or 0 on a store
 * failure.
 */
int	 otoken_revoke(struct ostore_txn *, const struct otoken_rec *rec);

/*
 * 1 if rec (NULL: none) is a token record of kind kind that is active
 * and not expired at now.
 */
int	 otoken_live(const struct otoken_rec *rec, enum otoken_kind kind,
	    int64_t now);

/*
 * Mark a code or refresh token used (RFC 6749 §4.1.2: codes are single
 * use; §10.4: refresh tokens rotate): rec, loaded by the caller, is
 * changed into an inactive tombstone with used_at now and stored
 * again under its id.  It is kept 30 minutes for replay detection (a
 * refresh token never beyond its own exp), and its expiry entry moves
 * with it.
 * Returns 1, or 0 with err set.
 */
int	 otoken_use(struct ostore_txn *, struct otoken_rec *rec,
	    struct oerr *err);

/*
 * The grant snapshot of a token record into g (overwritten, not freed
 * first): a copy of rec->grant without the members only codes need
 * (redirect_uri, code_challenge, code_challenge_method).
 */
void	 otoken_grant(const struct otoken_rec *rec, struct ogrant *g);

/*
 * Like ogrant_issue(), but the refresh token records rt_grant (the
 * grant as originally given) while the access and ID tokens carry
 * grant (narrowed by a refresh request's scope, RFC 6749 §6).
 */
json_t	*ogrant_issue_refresh(struct ostore_txn *,
	    const struct ogrant *grant, const struct ogrant *rt_grant,
	    const struct oclient *client, unsigned what,
	    const char *lifespan, struct oerr *err);

/* What ogrant_issue_stateless() did. */
enum ogrant_rc {
	OGRANT_OK,		/* issued */
	OGRANT_WRITE,		/* its shared grant must be written first:
				   call again in a write transaction */
	OGRANT_STORE,		/* this one must be stored: ogrant_issue() */
	OGRANT_ERR		/* failed, err set */
};

/*
 * Issue a stateless access token (opaque, or a JWT for a client that
 * takes them, signed with the keys ogrant_prepare() loaded) for a
 * client_credentials grant (RFC 6749 §4.4.3) to client (as it
 * authenticated), in transaction t: a read transaction (writable
 * 0), where it writes nothing, or a write transaction (writable 1),
 * where it stores an opaque token's shared grant when that is missing
 * or would expire before the token.  On OGRANT_OK *resp is the token
 * response (as ogrant_issue() makes it).  OGRANT_WRITE (only when not
 * writable): call it again in a write transaction.  OGRANT_STORE when
 * the token cannot be stateless (the grant has a subject other than the
 * client, session claims, a DPoP binding (jkt), or a lifetime beyond
 * 2^32 seconds): issue it
 * with ogrant_issue().
 */
enum ogrant_rc	 ogrant_issue_stateless(struct ostore_txn *, int writable,
		    const struct ogrant *grant, const struct oclient *client,
		    const char *lifespan, json_t **resp, struct oerr *err);

#endif
