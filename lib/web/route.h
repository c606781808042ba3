/*
 * route.h: path patterns to handlers, shared by every binary.
 *
 * A binary lists its routes in tables (one per file of handlers); the
 * dispatcher picks the first whose listener, pattern and method match.
 * On the admin listener the Hydra 2.x "/admin" prefix is stripped
 * first, so each admin route is served both at the root (Hydra 1.x) and
 * under /admin.  Trailing slashes are ignored, as Hydra trims them.  A
 * path no route knows is a 404; a known path with another method is a
 * 405 with Allow.
 *
 * When secrets.admin is set, every request on the admin listener needs
 * "Authorization: Bearer <secrets.admin>" (compared in constant time),
 * except on OROUTE_OPEN routes and, for a route with a scope, a Bearer
 * access token granted that scope; without it the answer is a 401, also
 * for paths no route knows.
 *
 * Before that, the admin listener fences off browsers (DNS rebinding
 * and cross-site requests), again except on OROUTE_OPEN routes:
 *   - a Host other than urls.self.admin's (host and port; no port when
 *     that is 80 or 443), a loopback name (localhost, 127/8, [::1];
 *     any port) or an entry of serve.admin.hosts ("*": any) is a 421;
 *   - an Origin other than urls.self.admin's or the request's own
 *     (scheme and Host), "null" included, or without an Origin a
 *     Sec-Fetch-Site of cross-site or same-site, is a 403, unless
 *     serve.admin.cors.enabled and the origin is among
 *     serve.admin.cors.allowed_origins ("*": any): such a request gets
 *     CORS headers, and its preflight (OPTIONS with
 *     Access-Control-Request-Method) a 204, or a 403 when it asks for
 *     a method or header serve.admin.cors does not allow (cors.h).
 *
 * On the public listener, CORS (serve.public.cors, lib/web/cors.h) is
 * applied before routing: a preflight is answered there, and routes
 * flagged OROUTE_CORS also let in their calling client's
 * allowed_cors_origins.
 */
#ifndef OIDCGI_ROUTE_H
#define OIDCGI_ROUTE_H

#include <stddef.h>

#include "web/listen.h"

struct oerr;
struct oreq;

struct oroute {
	unsigned	 methods;	/* OHTTP_M(GET) | ... */
	unsigned	 listeners;	/* OLISTEN_* */
	/* "/clients/{id}": {name} matches one non-empty segment */
	const char	*pattern;
	void		(*fn)(struct oreq *);
	unsigned	 flags;		/* OROUTE_OPEN, OROUTE_CORS */
	/*
	 * How the route's dialect answers an error; NULL is Hydra's
	 * (ohttp_send_error()).  The dispatcher's own errors (404, 405,
	 * 401, a malformed path) use it too: those of the route whose
	 * pattern matched the path, or for a path no route matches, of
	 * the route that shares the most leading segments with it.
	 */
	void		(*fail)(struct oreq *, const struct oerr *);
	/*
	 * An admin route a client may also call without the admin key,
	 * with an access token of its own that carries this scope (e.g.
	 * Authentiq's "clients" for /client): a live access token this
	 * server issued (introspected), granted the scope.  NULL: the
	 * admin key only.
	 */
	const char	*scope;
};

/*
 * Served on the admin listener without the admin key (secrets.admin):
 * health and version, which probes call without credentials.
 */
#define OROUTE_OPEN	0x1
/*
 * A public route whose CORS, as Hydra's x/oauth2cors wraps it, also
 * lets in the calling client's allowed_cors_origins, and whose
 * preflights always pass (lib/web/cors.h).
 */
#define OROUTE_CORS	0x2

/*
 * One route table of a binary, as declared once by the file of its
 * handlers.  A binary serves several, joined by listing them in an
 * array of tables (no copy): they are searched in order, as if their
 * entries were one table, first table first.
 */
struct oroute_table {
	const struct oroute	*routes;
	size_t			 n;
};

/* The table of a static array of routes (a constant expression). */
#define OROUTE_TABLE(a)	{ (a), sizeof(a) / sizeof((a)[0]) }

/*
 * Route req to the first matching entry of the tables (ntables of them,
 * searched in order) and run its handler; answer 404 or 405 (with
 * Allow) when none matches, and 500 when a handler wrote no response.
 * Path parameters are percent-decoded into req->params (a malformed one
 * is a 400).
 */
void	 oroute_dispatch(struct oreq *, const struct oroute_table *,
	    size_t ntables);

/*
 * Answer err in the dialect of the route the request's path is for (or
 * is nearest to), as the dispatcher answers its own errors: for errors
 * found before dispatching (a path outside the listener's base, the
 * store down, a web server's error status).
 */
void	 oroute_fail(struct oreq *, const struct oroute_table *,
	    size_t ntables, const struct oerr *);

/*
 * Match one path against one pattern; on a match fill params (at most
 * OROUTE_MAXPARAMS raw, undecoded segments as pointer/length) and return
 * 1.  Exposed for the unit tests.
 */
int	 oroute_match(const char *pattern, const char *path, size_t pathlen,
	    const char *params[], size_t plens[], size_t *nparams);

#endif
