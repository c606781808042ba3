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

#endif
