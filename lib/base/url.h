/*
 * url.h: absolute URI checking (RFC 3986), for configuration URLs,
 * client metadata and redirect URIs.
 */
#ifndef OIDCGI_URL_H
#define OIDCGI_URL_H

#include <stddef.h>

#define OURL_MAX	2048	/* bytes */

struct ourl {
	char		 scheme[32];	/* lower-cased */
	int		 has_authority;	/* "scheme://..." */
	char		 host[256];	/* lower-cased; IPv6 with brackets */
	int		 port;		/* 0 when absent */
	int		 has_userinfo;
	int		 has_query;
	int		 has_fragment;
	/* Offsets into the string parsed, for comparing components. */
	size_t		 path_off, path_len;	/* "" after the authority */
	size_t		 query_off, query_len;	/* after '?', when has_query */
};

/*
 * Parse s as an absolute URI: a scheme, then (for "scheme://") an
 * authority with a host, then a path, query and fragment made only of
 * characters RFC 3986 allows unencoded, with well-formed %-escapes.
 * Returns NULL and fills u, or a short reason ("is not an absolute
 * URI", "has a bad port", ...) for a message.
 */
const char	*ourl_parse(const char *s, struct ourl *u);

/* 1 if the host is 127.0.0.1 (any 127/8), [::1] or localhost. */
int		 ourl_loopback(const struct ourl *u);

/*
 * Does the redirect URI uri match the registered one reg?  Exactly
 * (byte for byte, RFC 6749 §3.1.2.3), or, for an http URI registered
 * on a loopback IP literal (127/8 or [::1]), with any port (RFC 8252
 * §7.3): the scheme, the host, the path and the query are then
 * compared as components, and uri may have no user info and no
 * fragment.  Returns 1 or 0; both are parsed with ourl_parse(), and
 * anything it refuses does not match.
 */
int		 ourl_redirect_match(const char *reg, const char *uri);

struct sockaddr;

/*
 * What an address is, for refusing server-side requests to internal
 * hosts (SSRF): NULL for a public address, else a reason ("is a
 * loopback address", "is a private address", "is a link-local
 * address", "is an unspecified address", ...).  IPv4 addresses mapped
 * into IPv6 (::ffff:0:0/96) are judged as IPv4.
 */
const char	*ourl_addr_internal(const struct sockaddr *sa);

/*
 * Resolve u's host (getaddrinfo(3); an IP literal as itself) and judge
 * every address it has with ourl_addr_internal().  Returns NULL when
 * all are public, else the reason for the first that is not, or
 * "does not resolve" when the name has no address.
 */
const char	*ourl_host_internal(const struct ourl *u);

#endif
