/*
 * tokens_int.h: declarations shared by tokens.c and stateless.c only.
 * Nothing outside those two files includes this; the API is tokens.h.
 *
 * tokens.c has opaque tokens, token records, ID and JWT access tokens
 * and the grants stored with them; stateless.c has the access tokens
 * that are not stored (see "STATELESS ACCESS TOKENS" in tokens.h).
 */
#ifndef OIDCGI_TOKENS_INT_H
#define OIDCGI_TOKENS_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/crypto.h"
#include "records/tokens.h"

struct oclient;
struct oerr;
struct ostore_txn;

#define OTK_RECORD_VERSION	1
#define OTK_RAW_LEN	32	/* bytes before the dot of an opaque token */
#define OTK_SIG_LEN	OCRYPTO_SHA256_LEN
#define OTK_PREFIX_LEN	7	/* "ory_at_" */
#define OTK_B64_LEN	43	/* base64url of 32 bytes */
#define OTK_TOKEN_LEN	(OTK_PREFIX_LEN + OTK_B64_LEN + 1 + OTK_B64_LEN)
#define OTK_GRANT_ID_LEN 16	/* bytes of a shared grant's store id */
#define OTK_SL_INFO	"oidcgi stateless tokens"	/* their MAC key */
#define OTK_AN_INFO	"oidcgi anchored tokens"	/* anchored ones' */

/* "kind" of a record, indexed by enum otoken_kind. */
extern const char *const otk_kinds[OTOKEN__MAX];

/* The MAC key from system secret i, HKDF with info; 0 if none. */
int	 otk_mac_key(const char *info, size_t i,
	    unsigned char key[OCRYPTO_SHA256_LEN]);
/* sig = HMAC-SHA-256(key i of info, prefix || raw); 0 if no secret i. */
int	 otk_mac_in(const char *info, size_t i, enum otoken_kind,
	    const unsigned char raw[OTK_RAW_LEN],
	    unsigned char sig[OTK_SIG_LEN]);
/* 1 if sig is the MAC of raw under info with any configured secret. */
int	 otk_mac_ok(const char *info, enum otoken_kind,
	    const unsigned char raw[OTK_RAW_LEN],
	    const unsigned char sig[OTK_SIG_LEN]);
/*
 * sig = the MAC of raw under info with the first secret, and the token
 * (otk_encode()) into out.  Aborts without a secret: no secret means no
 * token.
 */
void	 otk_make(const char *info, enum otoken_kind,
	    const unsigned char raw[OTK_RAW_LEN],
	    unsigned char sig[OTK_SIG_LEN], char out[OTOKEN_MAX]);
/* prefix b64url(raw) "." b64url(sig) into out. */
void	 otk_encode(enum otoken_kind, const unsigned char raw[OTK_RAW_LEN],
	    const unsigned char sig[OTK_SIG_LEN], char out[OTOKEN_MAX]);
/* The raw and sig of a token of that shape and kind; 0 for any other. */
int	 otk_decode(const char *tok, enum otoken_kind,
	    unsigned char raw[OTK_RAW_LEN + 2],
	    unsigned char sig[OTK_SIG_LEN + 2]);
/* Lowercase hex of a store id into out (2 * OTOKEN_ID_LEN + 1 bytes). */
void	 otk_hex_id(const unsigned char id[OTOKEN_ID_LEN], char *out);

/* A token's lifespan: the client's <grant>_grant_<token>_lifespan. */
int64_t	 otk_lifespan_of(const struct oclient *client, const char *grant,
	    const char *token, int64_t def);
/* The grant's scope as a space-separated JSON string (new). */
json_t	*otk_scope_str(const struct ogrant *grant);
/* A copy of an array member, or an empty array (new). */
json_t	*otk_array_of(const json_t *o, const char *key);
/* 1 if grant has request_id, client_id and sub; else a 500 in err. */
int	 otk_grant_ok(const struct ogrant *grant, struct oerr *err);
/* 1 if the client gets JWT access tokens. */
int	 otk_jwt_strategy(const struct oclient *client);
/* A signed JWT access token (new string) with jti sjti or a random one. */
char	*otk_access_jwt(const struct ogrant *grant, int64_t now, int64_t exp,
	    const char *sjti, struct oerr *err);

/* stateless.c */

/*
 * 1 with its store id if tok is a stateless access token this server
 * made (otoken_identify()).
 */
int	 otk_sl_open(const char *tok, unsigned char id[OTOKEN_ID_LEN]);
/*
 * An anchored access token (tokens.h) into out: it names the refresh
 * token whose store id is rtid and lives from iat to exp (exp - iat at
 * most 2^32 - 1 seconds); its store id into id.
 */
void	 otk_anchored_mint(const unsigned char rtid[OTOKEN_ID_LEN],
	    int64_t iat, int64_t exp, char out[OTOKEN_MAX],
	    unsigned char id[OTOKEN_ID_LEN]);
/*
 * Keep the claims (a reference is taken over) of the JWT access token
 * with store id id that otoken_identify() has just verified, for
 * otoken_lookup() to rebuild a stateless one from.
 */
void	 otk_jwt_seen(const unsigned char id[OTOKEN_ID_LEN], json_t *claims);
/*
 * The flush of a shared grant (16-byte id in the tokens database):
 * delete it when it expired before not_after, or is unreadable.
 * Returns 1, or 0 on a store failure.
 */
int	 otk_grant_expire(struct ostore_txn *, const unsigned char *id,
	    int64_t not_after);

#endif
