/*
 * url.c: absolute URI checking (see url.h).
 */
#include <ctype.h>
#include <string.h>

#include "url.h"
#include "util.h"

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
