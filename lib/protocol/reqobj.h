/*
 * reqobj.h: where an authorization request's parameters come from
 * besides the query: a request object (OpenID Connect Core §6.1, RFC
 * 9101) and the request_uri of a pushed authorization request (RFC 9126
 * §4).
 *
 * A request object is a JWS signed with a key of the client's
 * registered "jwks" under its request_object_signing_alg (any
 * supported one when it registered none), never unsigned; or, only for
 * a client that registered request_object_signing_alg "none", an
 * unsigned JWT (alg "none", OpenID Connect Core §6.1), and then only
 * unsigned ones.  A client that registered only a jwks_uri gets
 * invalid_request_object saying so.  A signed object's iss must be the
 * client_id and its aud the issuer (an unsigned one's when present);
 * exp, nbf and iat are checked when present.  Its claims override the
 * query's parameters of the same name, and the query's others are kept
 * (OpenID Connect Core §6.3.3, as Hydra merges them); client_id and
 * response_type, when both give them, must agree.  A request object
 * must not hold request or request_uri.
 *
 * A request_uri is a pushed request's (urn:ietf:params:oauth:request_
 * uri:..., RFC 9126 §4), or the URL of a request object (OpenID Connect
 * Core §6.2), which must be one of the client's registered request_uris
 * (its fragment aside).  That one is fetched with libcurl: http or
 * https, no redirects, no proxy, at most OREQOBJ_MAX bytes within
 * OREQOBJ_TIMEOUT_MS, a 200; never from an internal address (loopback,
 * private, link-local, ...: checked on the address connected to)
 * unless the URL is listed in clients.http.private_ip_exception_urls.
 * The object fetched is then a request parameter's.
 */
#ifndef OIDCGI_REQOBJ_H
#define OIDCGI_REQOBJ_H

struct oarena;
struct oclient;
struct oerr;
struct oparams;

/* The prefix of a pushed request's request_uri (RFC 9126 §2.2). */
#define OREQOBJ_URN	"urn:ietf:params:oauth:request_uri:"

/* The longest request object taken. */
#define OREQOBJ_MAX	16384

/* How long fetching a request_uri may take, in milliseconds. */
#define OREQOBJ_TIMEOUT_MS	5000

/*
 * The parameters p (without client authentication's, which the caller
 * leaves out) with client c's request object, p's "request", verified
 * and merged over them, into out (arena strings; out->v is the
 * arena's).  When p has no "request" out is p's copy.  Returns 1, or 0
 * with err set: invalid_request_object naming what was wrong with the
 * object, invalid_request for a repeated parameter.
 */
int	 oreqobj_merge(struct oarena *, const struct oclient *c,
	    const struct oparams *p, struct oparams *out, struct oerr *err);

/*
 * The parameters an authorization request p stands for, into out
 * (arena): a pushed request's when p has its request_uri (taken from
 * the store in a write transaction of its own: single use), p merged
 * with its request object when p has a request or a request_uri URL
 * (fetched), else p's.  *pushed is 1
 * when they come from a pushed request.  When p's client_id names no
 * client out is p's, for the caller's validation to say so.  Returns
 * 1, or 0 with err set: invalid_request_uri (unknown, used, expired or
 * another client's; a URL not registered, not fetched, an internal
 * address), invalid_request_object, invalid_request (request and
 * request_uri together, a repeated one, no client_id), a store error.
 */
int	 oreqobj_resolve(struct oarena *, const struct oparams *p,
	    struct oparams *out, int *pushed, struct oerr *err);

#endif
