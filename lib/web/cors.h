/*
 * cors.h: Cross-Origin Resource Sharing (Fetch §3.2) on both
 * listeners, configured by serve.public.cors.* and serve.admin.cors.*
 * (lib/base/conf.h) as Hydra configures it.
 *
 * Public listener (Hydra's cmd/server and x/oauth2cors): off unless
 * serve.public.cors.enabled.  When on, an origin matching an entry of
 * allowed_origins (none listed: any origin) gets CORS headers on every
 * path.  The paths Hydra wraps per client (route flag OROUTE_CORS:
 * token, revocation, userinfo, discovery and JWKS) also let in the
 * origins of the calling client's allowed_cors_origins, the client
 * being the form's client_id, else the Basic user, else the client of
 * the Bearer access token; their preflights always pass, since a
 * preflight carries no credentials to find the client by.  A preflight
 * (OPTIONS with Access-Control-Request-Method) is answered 204 at once,
 * with CORS headers only when the origin, the method and every
 * requested header are allowed; an origin not allowed gets no
 * Access-Control-Allow-Origin, and the request goes on as if it had
 * none.
 *
 * Admin listener: the browser fence of lib/web/route.h.  A cross-origin
 * request passes only when serve.admin.cors allows its origin (no
 * origin listed: none), and a preflight asking for a method or a header
 * not allowed is a 403.
 *
 * Origins match as Hydra's per-client check does: case-insensitively,
 * an entry "*" any origin, "https://" "*" any https origin, and an
 * entry with one '*' ("https://" "*.example.com") any origin whose text the
 * '*' completes without a '.', so within one DNS label.  A '*' not
 * followed by a domain of at least two labels (https:// and then
 * "*foo.com", "*.com" or "a.*") matches nothing: it would let in
 * hosts anybody can register.  The scheme's default port is the
 * origin's own ("https://a.example:443" is "https://a.example").
 */
#ifndef OIDCGI_CORS_H
#define OIDCGI_CORS_H

#include <stddef.h>

struct oerr;
struct oreq;

#define OCORS_ORIGIN_MAX	300	/* "scheme://host:port", normalised */

/*
 * The origin (RFC 6454) of an absolute http(s) URL or an Origin header
 * as "scheme://host[:port]" into buf (scheme and host lower-cased, the
 * scheme's default port left out), and the port it means in *port
 * (may be NULL).  want_bare: s must be an origin alone (no path), as
 * an Origin header is.  Returns 1, or 0 when s is no such thing ("null"
 * included).
 */
int	 ocors_origin(const char *s, int want_bare, char *buf, size_t sz,
	    int *port);

/*
 * Whether the allowed-origin entry pattern (as configured or
 * registered) lets in origin, an origin as ocors_origin() normalises
 * it.  The rules are this file's top comment's.
 */
int	 ocors_match(const char *pattern, const char *origin);

/*
 * The public listener's CORS for req, before routing (wrapped: the
 * path is one of the per-client ones).  A preflight is answered (204)
 * and 1 returned; otherwise the CORS headers an allowed origin gets
 * are added to the response to come and 0 returned.  Does nothing on
 * the admin listener or when serve.public.cors.enabled is off.
 */
int	 ocors_public(struct oreq *, int wrapped);

/*
 * 1 if ocors_public() has anything to do with req: the public listener,
 * serve.public.cors.enabled, and an Origin.  Lets the caller skip
 * working out "wrapped" for every other request.
 */
int	 ocors_public_applies(struct oreq *);

/*
 * Whether serve.admin.cors lets origin (normalised) in: enabled, and
 * the origin matches an entry of allowed_origins.
 */
int	 ocors_admin_allows(const char *origin);

/*
 * A CORS request on the admin listener of an origin it allows: when it
 * is a preflight, answer it (204 with the allowed methods and the
 * requested headers, or a 403 in err when it asks for a method or a
 * header serve.admin.cors does not allow) and return 1; otherwise add
 * the headers of an actual request and return 0.
 */
int	 ocors_admin_answer(struct oreq *, struct oerr *err);

#endif
