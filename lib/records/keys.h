/*
 * keys.h: JSON Web Key sets kept in the store, for the admin API
 * (/keys), the CLI and the servers that sign (ID tokens, JWT access
 * tokens).
 *
 * A set is named ("hydra.openid.id-token"); each key in it has a kid
 * unique in the set.  Public halves are stored as JWKs; private
 * members only sealed (AES-256-GCM under a key derived from
 * secrets.system, the set and kid bound as associated data), so a copy
 * of the store reveals no signing key.  Every configured system secret
 * is tried when opening, so rotating secrets.system with the old one
 * kept second keeps old keys readable.
 *
 * Every change bumps the store's "keys" generation counter.  A process
 * parses the keys of a set once and keeps them until the counter moves.
 */
#ifndef OIDCGI_KEYS_H
#define OIDCGI_KEYS_H

#include <jansson.h>

struct oerr;
struct ojwk;
struct ojwks;
struct ostore_txn;

#define OKEYS_SET_MAX		255	/* bytes of a set name */
#define OKEYS_ID_TOKEN		"hydra.openid.id-token"
#define OKEYS_ACCESS_TOKEN	"hydra.jwt.access-token"

/*
 * Generate a key into set (body members of Hydra's
 * JSONWebKeySetGeneratorRequest: alg, kid (a random UUID when absent),
 * use ("sig" when absent); plus bits for RSA, 2048 by default).
 * Returns the new key as a set {"keys":[...]} with its private members,
 * as Hydra answers, or NULL with err set (409 when the kid is taken).
 */
json_t	*okeys_generate(const char *set, const char *alg, const char *kid,
	    const char *use, int bits, struct oerr *err);

/*
 * The keys of a set as {"keys":[...]}, oldest first, with or without
 * private members; or only the key kid when kid is not NULL.  404 when
 * the set (or key) does not exist.
 */
json_t	*okeys_get(const char *set, const char *kid, int include_private,
	    struct oerr *err);

/*
 * Replace a whole set with the keys of a JWK Set (jwks), or put one key
 * (kid not NULL: the JWK's own kid, when present, must match).  Keys
 * may be public only (to verify with).  Returns the stored keys as a
 * set, or NULL with err set.
 */
json_t	*okeys_put(const char *set, const char *kid, const json_t *body,
	    struct oerr *err);

/*
 * Delete a set, or one key of it.  When nothing is there: 1 with
 * missing_ok (Hydra's DELETE is idempotent, jwk/handler.go), else a
 * 404 naming the set or key.  An empty or too long set name is a 400.
 */
int	 okeys_delete(const char *set, const char *kid, int missing_ok,
	    struct oerr *err);

/*
 * Create the sets Hydra creates at first start (OKEYS_ID_TOKEN and
 * OKEYS_ACCESS_TOKEN, one RS256 key each) when they are empty.
 * Returns 1, or 0 with err set.
 */
int	 okeys_ensure_defaults(struct oerr *err);

/*
 * The key that signs for a set: its newest key with a private part.
 * Borrowed from the process cache; valid until the next okeys_* call.
 * NULL with err set when the set has none.
 */
const struct ojwk	*okeys_signer(const char *set, struct oerr *err);
/*
 * Every key of a set (they all verify), borrowed from the cache as
 * above.  NULL with err set when the set is empty.
 */
const struct ojwks	*okeys_verifiers(const char *set, struct oerr *err);

/*
 * A number that changes whenever the process cache drops or loads a
 * set, i.e. whenever a key borrowed from okeys_signer() or
 * okeys_verifiers() may have been freed or replaced: a caller that
 * derived something from a key (a copy, a thumbprint) can keep it while
 * the number stays the same.
 */
unsigned long long	 okeys_serial(void);

/*
 * The public JWK Set of the given sets (NULL-terminated), for
 * /.well-known/jwks.json: public members only, oct keys left out.
 */
json_t	*okeys_public(const char *const *sets, struct oerr *err);

#endif
