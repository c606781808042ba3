/*
 * clientkeys.h: the public keys of an OAuth 2.0 client, for verifying
 * what it signs (private_key_jwt client assertions, RFC 7523 §2.2;
 * request objects, RFC 9101 §6.2).
 *
 * A client's keys are its registered "jwks", else the JWK Set at its
 * "jwks_uri" (RFC 7591 §2), fetched with libcurl (lib/base/curl.h):
 *
 *   - https only; http:// only to a loopback address, and only when
 *     clients.http.allow_loopback_http is set (development, tests);
 *   - no proxy (http_proxy and friends are ignored);
 *   - no redirects, at most OCLIENTKEYS_MAX_BYTES of body, at most
 *     OCLIENTKEYS_TIMEOUT_MS for the whole request, a 200 answer;
 *   - no connection to an internal address (loopback, private,
 *     link-local, ...: ourl_addr_internal()), checked on the address
 *     actually connected to (so a name that resolves anew cannot
 *     slip past), unless the jwks_uri is listed exactly in
 *     clients.http.private_ip_exception_urls, or the address is
 *     loopback with clients.http.allow_loopback_http set;
 *   - the body a JWK Set that ojwks_import() accepts (public keys).
 *
 * Fetched sets are cached per process, by client_id and jwks_uri, for
 * OCLIENTKEYS_TTL seconds; a kid the cached set lacks makes it
 * fetched again at once, then at most once per OCLIENTKEYS_REFETCH
 * seconds per client (key rotation without letting a stream of made-up
 * kids make the server hammer the client's host); a set that could not
 * be fetched is tried again at most once per OCLIENTKEYS_REFETCH
 * seconds.
 *
 * Blocking network I/O: never call it inside a store transaction.
 */
#ifndef OIDCGI_CLIENTKEYS_H
#define OIDCGI_CLIENTKEYS_H

#define OCLIENTKEYS_MAX_BYTES	(64 * 1024)
#define OCLIENTKEYS_TIMEOUT_MS	3000
#define OCLIENTKEYS_TTL		300
#define OCLIENTKEYS_REFETCH	30
#define OCLIENTKEYS_CACHE	16	/* clients whose sets are kept */

struct oclient;
struct oerr;
struct ojwks;

/*
 * The keys to verify a JWS of client c with, whose header named kid
 * (NULL when it names none).  Returns the set, or NULL with err set:
 * OERR_INVALID_CLIENT (401) and a description naming what was wrong
 * (no keys registered, the registered jwks unusable, the jwks_uri not
 * allowed, not reachable, too large, not a JWK Set); a caller in
 * another context (a request object) sets its own error code with that
 * description.  The set is BORROWED: from c (valid while c is held) or
 * from the process cache (valid until the next oclientkeys_get() or
 * oclientkeys_flush() call); never free or modify it.  It may lack
 * kid: ojws_verify() then finds no key.
 */
const struct ojwks	*oclientkeys_get(const struct oclient *c,
			    const char *kid, struct oerr *err);

/* Forget every cached set (tests; a client deleted). */
void	 oclientkeys_flush(void);

#endif
