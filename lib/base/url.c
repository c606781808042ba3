/*
 * url.c: absolute URI checking (see url.h).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <ctype.h>
#include <netdb.h>
#include <string.h>

#include "base/url.h"
#include "base/util.h"

/*
 * RFC 3986 §3.2.1, §3.2.2: s up to e holds only unreserved characters,
 * sub-delims, the characters in extra and well-formed %-escapes.
 */
static int
auth_chars_ok(const char *s, const char *e, const char *extra)
{
	for (; s < e; s++)
		if (*s == '%') {
			if (e - s < 3 || !isxdigit((unsigned char)s[1]) ||
			    !isxdigit((unsigned char)s[2]))
				return 0;
			s += 2;
		} else if (!isalnum((unsigned char)*s) &&
		    strchr("-._~!$&'()*+,;=", *s) == NULL &&
		    strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static size_t
scheme_len(const char *s)
{
	size_t	 i;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; s[i] != '\0' && s[i] != ':'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' &&
		    s[i] != '-' && s[i] != '.')
			return 0;
	return s[i] == ':' ? i : 0;
}

const char *
ourl_parse(const char *s, struct ourl *u)
{
	const char	*p, *auth, *end, *at, *h, *hend;
	size_t		 n, i;
	long long	 port;

	memset(u, 0, sizeof(*u));
	if (strlen(s) > OURL_MAX)
		return "is longer than 2048 bytes";
	if ((n = scheme_len(s)) == 0 || n >= sizeof(u->scheme))
		return "is not an absolute URI";
	for (i = 0; i < n; i++)
		u->scheme[i] = (char)tolower((unsigned char)s[i]);
	p = s + n + 1;
	if (strncmp(p, "//", 2) == 0) {
		u->has_authority = 1;
		auth = p + 2;
		end = auth + strcspn(auth, "/?#");
		if ((at = memchr(auth, '@', (size_t)(end - auth))) != NULL) {
			if (!auth_chars_ok(auth, at, ":"))
				return "has bad user info";
			u->has_userinfo = 1;
			h = at + 1;
		} else
			h = auth;
		if (*h == '[') {
			if ((hend = memchr(h, ']', (size_t)(end - h))) == NULL ||
			    hend == h + 1)
				return "has a bad host";
			for (p = h + 1; p < hend; p++)
				if (!isxdigit((unsigned char)*p) && *p != ':' &&
				    *p != '.')
					return "has a bad host";
			hend++;
		} else {
			for (hend = h; hend < end && *hend != ':'; hend++)
				if (!isalnum((unsigned char)*hend) &&
				    strchr("-._~%!$&'()*+,;=", *hend) == NULL)
					return "has a bad host";
			if (!auth_chars_ok(h, hend, ""))
				return "has a bad host";
		}
		if (hend == h)
			return "has no host";
		if ((size_t)(hend - h) >= sizeof(u->host))
			return "has a bad host";
		for (i = 0; h + i < hend; i++)
			u->host[i] = (char)tolower((unsigned char)h[i]);
		if (hend < end) {
			if (*hend != ':')
				return "has a bad host";
			if (!ostrtonum(hend + 1, (size_t)(end - hend - 1), 1,
			    65535, &port))
				return "has a bad port";
			u->port = (int)port;
		}
		p = end;
	}
	u->path_off = (size_t)(p - s);
	u->path_len = strcspn(p, "?#");
	if (p[u->path_len] == '?') {
		u->query_off = u->path_off + u->path_len + 1;
		u->query_len = strcspn(s + u->query_off, "#");
	}
	/* Path, query, fragment. */
	for (; *p != '\0'; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '#') {
			if (u->has_fragment)
				return "has a character that must be "
				    "percent-encoded";
			u->has_fragment = 1;
		} else if (ch == '?' && !u->has_fragment)
			u->has_query = 1;
		else if (ch <= 0x20 || ch >= 0x7f ||
		    strchr("\"<>[\\]^`{|}", ch) != NULL)
			return "has a character that must be percent-encoded";
		else if (ch == '%' && (!isxdigit((unsigned char)p[1]) ||
		    !isxdigit((unsigned char)p[2])))
			return "has a bad percent-encoding";
	}
	return NULL;
}

/* 1 if s is a dotted-quad IPv4 address (RFC 3986 §3.2.2) in 127/8. */
static int
ipv4_loopback(const char *s)
{
	long long	 v;
	size_t		 n;
	int		 i;

	for (i = 0; i < 4; i++) {
		n = strspn(s, "0123456789");
		if (!ostrtonum(s, n, 0, 255, &v) || (i == 0 && v != 127))
			return 0;
		s += n;
		if (*s++ != (i < 3 ? '.' : '\0'))
			return 0;
	}
	return 1;
}

int
ourl_loopback(const struct ourl *u)
{
	return strcmp(u->host, "localhost") == 0 ||
	    strcmp(u->host, "[::1]") == 0 || ipv4_loopback(u->host);
}

/* 1 if the host of u is a loopback IP literal (127/8 or [::1]). */
static int
loopback_ip(const struct ourl *u)
{
	return strcmp(u->host, "[::1]") == 0 || ipv4_loopback(u->host);
}

int
ourl_redirect_match(const char *reg, const char *uri)
{
	struct ourl	 r, u;

	if (ourl_parse(reg, &r) != NULL || ourl_parse(uri, &u) != NULL ||
	    u.has_fragment)
		return 0;
	if (strcmp(reg, uri) == 0)
		return 1;
	/*
	 * RFC 8252 §7.3: only the port may vary.  Compare components, not
	 * strings from the first '/': "http://127.0.0.1:1?/cb" has the
	 * path "" and "http://x@127.0.0.1:1/cb" has user info.
	 */
	if (strcmp(r.scheme, "http") != 0 || strcmp(u.scheme, "http") != 0 ||
	    !r.has_authority || !u.has_authority || r.has_userinfo ||
	    u.has_userinfo || r.has_fragment || !loopback_ip(&r) ||
	    strcmp(r.host, u.host) != 0)
		return 0;
	if (r.path_len != u.path_len || memcmp(reg + r.path_off,
	    uri + u.path_off, r.path_len) != 0)
		return 0;
	if (r.has_query != u.has_query || r.query_len != u.query_len ||
	    memcmp(reg + r.query_off, uri + u.query_off, r.query_len) != 0)
		return 0;
	return 1;
}

/* 1 if the first bits bits of a and b (each bytes long) are equal. */
static int
prefix_eq(const unsigned char *a, const unsigned char *b, int bits)
{
	int	 n = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)n) != 0)
		return 0;
	return rest == 0 ||
	    ((a[n] ^ b[n]) & (unsigned char)(0xff << (8 - rest))) == 0;
}

/* Internal IPv4 ranges (RFC 6890) and what they are. */
static const struct {
	unsigned char	 net[4];
	int		 bits;
	const char	*why;
} v4[] = {
	{ { 0, 0, 0, 0 }, 8, "is an unspecified address" },
	{ { 10, 0, 0, 0 }, 8, "is a private address" },
	{ { 100, 64, 0, 0 }, 10, "is a shared (carrier-grade NAT) address" },
	{ { 127, 0, 0, 0 }, 8, "is a loopback address" },
	{ { 169, 254, 0, 0 }, 16, "is a link-local address" },
	{ { 172, 16, 0, 0 }, 12, "is a private address" },
	{ { 192, 0, 0, 0 }, 24, "is a reserved address" },
	{ { 192, 168, 0, 0 }, 16, "is a private address" },
	{ { 198, 18, 0, 0 }, 15, "is a reserved address" },
	{ { 224, 0, 0, 0 }, 4, "is a multicast address" },
	{ { 240, 0, 0, 0 }, 4, "is a reserved address" },
};

/* Internal IPv6 ranges (RFC 6890, RFC 4193) and what they are. */
static const struct {
	unsigned char	 net[16];
	int		 bits;
	const char	*why;
} v6[] = {
	{ { 0 }, 128, "is an unspecified address" },
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128,
	    "is a loopback address" },
	/* IPv4-compatible (deprecated), ::/96 */
	{ { 0 }, 96, "is an IPv4-compatible address" },
	{ { 0xfc }, 7, "is a private (unique local) address" },
	{ { 0xfe, 0x80 }, 10, "is a link-local address" },
	{ { 0xfe, 0xc0 }, 10, "is a site-local address" },
	{ { 0xff }, 8, "is a multicast address" },
	/* NAT64 (RFC 6052) reaches any IPv4 address. */
	{ { 0, 0x64, 0xff, 0x9b }, 96, "is a NAT64 address" },
};

static const char *
v4_internal(const unsigned char *a)
{
	size_t	 i;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		if (prefix_eq(a, v4[i].net, v4[i].bits))
			return v4[i].why;
	return NULL;
}

const char *
ourl_addr_internal(const struct sockaddr *sa)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0xff, 0xff };
	const unsigned char	*a;
	size_t			 i;

	if (sa->sa_family == AF_INET)
		return v4_internal((const unsigned char *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr);
	if (sa->sa_family != AF_INET6)
		return "is not an IP address";
	a = ((const struct sockaddr_in6 *)(const void *)sa)->
	    sin6_addr.s6_addr;
	if (memcmp(a, mapped, sizeof(mapped)) == 0)
		return v4_internal(a + 12);
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		if (prefix_eq(a, v6[i].net, v6[i].bits))
			return v6[i].why;
	return NULL;
}

const char *
ourl_host_internal(const struct ourl *u)
{
	struct addrinfo		 hints, *res = NULL, *ai;
	const char		*why = NULL;
	char			 host[sizeof(u->host)];
	size_t			 len;

	/* An IPv6 literal without its brackets. */
	len = strlen(u->host);
	if (u->host[0] == '[' && len >= 2) {
		memcpy(host, u->host + 1, len - 2);
		host[len - 2] = '\0';
	} else
		memcpy(host, u->host, len + 1);
	if (host[0] == '\0' || strchr(host, '%') != NULL)
		return "does not resolve";
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL)
		return "does not resolve";
	for (ai = res; ai != NULL && why == NULL; ai = ai->ai_next)
		why = ourl_addr_internal(ai->ai_addr);
	freeaddrinfo(res);
	return why;
}
