/*
 * test_url.c: unit tests of lib/base/url.c: ourl_parse() on absolute URIs
 * (authority, ports, IPv6 literals, private-use schemes), on what it
 * must refuse (relative references, bad ports and hosts, characters
 * that must be percent-encoded, bad %-escapes, over-long input), and
 * ourl_loopback(); the path and query components; redirect URI
 * matching (RFC 6749 §3.1.2.3, RFC 8252 §7.3); internal addresses
 * (SSRF).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/url.h"
#include "t.h"

/* An accepted URI and the fields ourl_parse() must fill in. */
struct good {
	const char	*s;
	const char	*scheme;
	const char	*host;
	int		 port;
	int		 auth;		/* has_authority */
	int		 ui;		/* has_userinfo */
	int		 q;		/* has_query */
	int		 f;		/* has_fragment */
};

static const struct good goods[] = {
	{ "https://example.com", "https", "example.com", 0, 1, 0, 0, 0 },
	{ "https://example.com/", "https", "example.com", 0, 1, 0, 0, 0 },
	{ "https://example.com:8443/cb?x=1", "https", "example.com", 8443,
	    1, 0, 1, 0 },
	{ "http://127.0.0.1:65535/", "http", "127.0.0.1", 65535, 1, 0, 0, 0 },
	{ "http://h:1/", "http", "h", 1, 1, 0, 0, 0 },
	{ "http://h:80", "http", "h", 80, 1, 0, 0, 0 },
	{ "HTTPS://Example.COM/Path", "https", "example.com", 0, 1, 0, 0, 0 },
	{ "https://[::1]:8080/cb", "https", "[::1]", 8080, 1, 0, 0, 0 },
	{ "https://[2001:DB8::1]/", "https", "[2001:db8::1]", 0, 1, 0, 0, 0 },
	{ "https://[::ffff:192.0.2.1]/x", "https", "[::ffff:192.0.2.1]", 0,
	    1, 0, 0, 0 },
	{ "com.example.app:/cb", "com.example.app", "", 0, 0, 0, 0, 0 },
	{ "com.example.app:cb", "com.example.app", "", 0, 0, 0, 0, 0 },
	{ "myapp://callback", "myapp", "callback", 0, 1, 0, 0, 0 },
	{ "urn:ietf:wg:oauth:2.0:oob", "urn", "", 0, 0, 0, 0, 0 },
	{ "a+b-c.d9:x", "a+b-c.d9", "", 0, 0, 0, 0, 0 },
	{ "https://example.com/a%20b%2Fc%7e", "https", "example.com", 0, 1,
	    0, 0, 0 },
	{ "https://example.com/cb#frag", "https", "example.com", 0, 1, 0, 0,
	    1 },
	{ "https://example.com/cb?x#y", "https", "example.com", 0, 1, 0, 1,
	    1 },
	/* A '?' inside the fragment is not a query. */
	{ "https://example.com/cb#y?x", "https", "example.com", 0, 1, 0, 0,
	    1 },
	{ "https://example.com?q", "https", "example.com", 0, 1, 0, 1, 0 },
	{ "https://example.com#f", "https", "example.com", 0, 1, 0, 0, 1 },
	{ "https://example.com/?", "https", "example.com", 0, 1, 0, 1, 0 },
	{ "https://user:pw@example.com:444/", "https", "example.com", 444, 1,
	    1, 0, 0 },
	{ "https://user@Example.com", "https", "example.com", 0, 1, 1, 0, 0 },
	/* '@' in the path or query is not user info. */
	{ "https://example.com/a@b?c@d", "https", "example.com", 0, 1, 0, 1,
	    0 },
	/* Every character RFC 3986 allows unencoded in a path. */
	{ "https://example.com/-._~!$&'()*+,;=:@/AZaz09", "https",
	    "example.com", 0, 1, 0, 0, 0 },
	{ "https://example.com/?/?:@", "https", "example.com", 0, 1, 0, 1,
	    0 },
	{ "http://localhost:3000/callback", "http", "localhost", 3000, 1, 0,
	    0, 0 },
	{ "https://sub-1.example_x.com/", "https", "sub-1.example_x.com", 0,
	    1, 0, 0, 0 },
};

/* A refused URI and a word its reason must contain. */
struct bad {
	const char	*s;
	const char	*why;
};

static const struct bad bads[] = {
	/* Relative references and non-URIs. */
	{ "", "absolute" },
	{ "/cb", "absolute" },
	{ "//example.com/cb", "absolute" },
	{ "cb", "absolute" },
	{ "example.com/cb", "absolute" },
	{ "?x=1", "absolute" },
	{ "#x", "absolute" },
	{ ":x", "absolute" },
	{ "1abc:/x", "absolute" },
	{ "ht tp://example.com/", "absolute" },
	{ "http_s://example.com/", "absolute" },
	{ " https://example.com/", "absolute" },
	/* A 32-character scheme does not fit. */
	{ "abcdefghijklmnopqrstuvwxyzabcdef:/x", "absolute" },
	/* Ports. */
	{ "https://example.com:0/", "port" },
	{ "https://example.com:65536/", "port" },
	{ "https://example.com:99999999999999999999999/", "port" },
	{ "https://example.com:x/", "port" },
	{ "https://example.com:80x/", "port" },
	{ "https://example.com:-1/", "port" },
	{ "https://example.com:+80/", "port" },
	{ "https://example.com:/", "port" },
	{ "https://example.com: 80/", "port" },
	{ "https://example.com:80:90/", "port" },
	{ "https://[::1]:0/", "port" },
	{ "https://[::1]:65536", "port" },
	/* Hosts. */
	{ "https:///cb", "host" },
	{ "https://:443/", "host" },
	{ "https://user@/", "host" },
	{ "https://[::1/", "host" },
	{ "https://[]/", "host" },
	{ "https://[::1]x/", "host" },
	{ "https://[g::1]/", "host" },
	{ "https://[::1%eth0]/", "host" },
	{ "https://exa mple.com/", "host" },
	{ "https://exa<mple.com/", "host" },
	{ "https://a@b@example.com/", "host" },
	/* Characters that must be percent-encoded. */
	{ "https://example.com/a b", "percent" },
	{ "https://example.com/a\tb", "percent" },
	{ "https://example.com/a\nb", "percent" },
	{ "https://example.com/a\x7f", "percent" },
	{ "https://example.com/caf\xc3\xa9", "percent" },
	{ "https://example.com/\"", "percent" },
	{ "https://example.com/<", "percent" },
	{ "https://example.com/>", "percent" },
	{ "https://example.com/a\\b", "percent" },
	{ "https://example.com/^", "percent" },
	{ "https://example.com/`", "percent" },
	{ "https://example.com/{", "percent" },
	{ "https://example.com/|", "percent" },
	{ "https://example.com/}", "percent" },
	{ "https://example.com/?q=a b", "percent" },
	{ "https://example.com/#a b", "percent" },
	{ "https://example.com/#a#b", "percent" },
	{ "com.example.app:/c b", "percent" },
	/* Malformed %-escapes. */
	{ "https://example.com/%", "percent-encoding" },
	{ "https://example.com/%4", "percent-encoding" },
	{ "https://example.com/%4g", "percent-encoding" },
	{ "https://example.com/%g4", "percent-encoding" },
	{ "https://example.com/%%41", "percent-encoding" },
	{ "https://example.com/?q=%zz", "percent-encoding" },
	{ "https://example.com/#%", "percent-encoding" },
};

/* Every good URI parses with the expected fields. */
static void
parse_good(void)
{
	struct ourl	 u;
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		why = ourl_parse(goods[i].s, &u);
		if (why != NULL) {
			fprintf(stderr, "\"%s\": %s\n", goods[i].s, why);
			CHECK(why == NULL);
			continue;
		}
		CHECK_STR(u.scheme, goods[i].scheme);
		CHECK_STR(u.host, goods[i].host);
		if (u.port != goods[i].port || u.has_authority !=
		    goods[i].auth || u.has_userinfo != goods[i].ui ||
		    u.has_query != goods[i].q ||
		    u.has_fragment != goods[i].f) {
			fprintf(stderr, "\"%s\": port %d auth %d ui %d q %d "
			    "f %d\n", goods[i].s, u.port, u.has_authority,
			    u.has_userinfo, u.has_query, u.has_fragment);
			CHECK(0);
		}
	}
}

/* Every bad URI is refused, for the expected reason. */
static void
parse_bad(void)
{
	struct ourl	 u;
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		why = ourl_parse(bads[i].s, &u);
		if (why == NULL || strstr(why, bads[i].why) == NULL) {
			fprintf(stderr, "\"%s\": %s, want \"%s\"\n",
			    bads[i].s, why ? why : "accepted", bads[i].why);
			CHECK(0);
		}
	}
}

/* A failed parse leaves no stale fields behind. */
static void
parse_resets(void)
{
	struct ourl	 u;

	CHECK(ourl_parse("https://user@example.com:99/?q#f", &u) == NULL);
	CHECK(u.has_userinfo && u.has_query && u.has_fragment);
	CHECK(ourl_parse("/relative", &u) != NULL);
	CHECK(u.port == 0 && u.host[0] == '\0' && u.scheme[0] == '\0');
	CHECK(!u.has_userinfo && !u.has_query && !u.has_fragment &&
	    !u.has_authority);
	CHECK(!ourl_loopback(&u));
}

/* OURL_MAX bytes are fine; one more is refused. */
static void
parse_length(void)
{
	struct ourl	 u;
	char		*s;
	const char	*why;
	size_t		 pre = strlen("https://example.com/");

	s = malloc(OURL_MAX + 2);
	memcpy(s, "https://example.com/", pre);
	memset(s + pre, 'a', OURL_MAX + 1 - pre);
	s[OURL_MAX] = '\0';
	CHECK(strlen(s) == OURL_MAX);
	CHECK(ourl_parse(s, &u) == NULL);
	s[OURL_MAX] = 'a';
	s[OURL_MAX + 1] = '\0';
	why = ourl_parse(s, &u);
	CHECK(why != NULL && strstr(why, "2048") != NULL);
	/* Much longer input still returns cleanly. */
	free(s);
	s = malloc(100000);
	memset(s, 'a', 99999);
	s[99999] = '\0';
	memcpy(s, "https://", 8);
	CHECK(ourl_parse(s, &u) != NULL);
	free(s);
}

/* Hosts up to 255 bytes fit struct ourl; longer ones are refused. */
static void
parse_host_length(void)
{
	struct ourl	 u;
	char		 s[400];

	memcpy(s, "https://", 8);
	memset(s + 8, 'h', 255);
	strcpy(s + 8 + 255, "/cb");
	CHECK(ourl_parse(s, &u) == NULL);
	CHECK(strlen(u.host) == 255);
	memset(s + 8, 'h', 256);
	strcpy(s + 8 + 256, "/cb");
	CHECK(ourl_parse(s, &u) != NULL);
}

/* Loopback hosts, and look-alikes that are not. */
static void
loopback(void)
{
	static const char *const yes[] = {
		"http://127.0.0.1/cb", "http://127.0.0.1:8080/cb",
		"http://127.1.2.3/", "http://127.255.255.255:1",
		"http://[::1]/cb", "http://[::1]:3000/cb",
		"http://localhost/cb", "http://LOCALHOST:9/",
		"https://user@127.0.0.1/",
	};
	static const char *const no[] = {
		"http://128.0.0.1/", "http://126.0.0.1/", "http://12.7.0.1/",
		"http://1127.0.0.1/", "http://0.0.0.0/",
		"http://localhost.evil.com/", "http://evil-localhost/",
		"http://localhostx/", "http://xlocalhost/",
		"http://[::2]/", "http://[::11]/", "http://[1::1]/",
		"http://example.com/", "http://example.com/127.0.0.1",
		"http://localhost@evil.com/", "http://127.0.0.1@evil.com/",
		"http://[::1]@evil.com/", "http://127.0.0.1:80@evil.com/",
		"com.example.app:/cb", "localhost:/cb",
	};
	struct ourl	 u;
	size_t		 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		CHECK(ourl_parse(yes[i], &u) == NULL);
		if (!ourl_loopback(&u)) {
			fprintf(stderr, "\"%s\" is loopback\n", yes[i]);
			CHECK(0);
		}
	}
	/* Refusing one (e.g. for its user info) is fine too. */
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (ourl_parse(no[i], &u) == NULL && ourl_loopback(&u)) {
			fprintf(stderr, "\"%s\" is not loopback\n", no[i]);
			CHECK(0);
		}
}

/*
 * A DNS name that merely starts with "127." is not a loopback address:
 * anyone can register 127.example.net or use 127.0.0.1.nip.io-style
 * names, and http redirect URIs are allowed only on loopback hosts
 * (RFC 8252 §7.3, §8.3).
 */
static void
loopback_dns_lookalike(void)
{
	static const char *const no[] = {
		"http://127.evil.com/cb", "http://127.0.0.1.nip.io/cb",
		"http://127.0.0.1.evil.com:8080/cb", "http://127./",
		"http://127.0.0.1x/",
	};
	struct ourl	 u;
	size_t		 i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		CHECK(ourl_parse(no[i], &u) == NULL);
		if (ourl_loopback(&u)) {
			fprintf(stderr, "\"%s\" is not loopback\n", no[i]);
			CHECK(0);
		}
	}
}

/*
 * RFC 3986 §3.2.1, §3.2.2: the user info and host may hold only
 * unreserved characters, sub-delims (and ':' in the user info) and
 * well-formed %-escapes, like the rest of the URI.
 */
static void
authority_chars(void)
{
	static const char *const bad[] = {
		"https://a b@example.com/",
		"https://a\"b@example.com/",
		"https://a<b>@example.com/",
		"https://a\x01@example.com/",
		"https://caf\xc3\xa9@example.com/",
		"https://a%zz@example.com/",
		"https://exa%zzmple.com/",
		"https://example.com%/",
	};
	struct ourl	 u;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ourl_parse(bad[i], &u) == NULL) {
			fprintf(stderr, "\"%s\" accepted\n", bad[i]);
			CHECK(0);
		}
	CHECK(ourl_parse("https://a%20b:c;d@ex%41mple.com/", &u) == NULL);
}

/*
 * RFC 3986 §3.3-3.5: '[' and ']' are gen-delims allowed only around an
 * IP literal; in a path, query or fragment they must be encoded.
 */
static void
brackets_outside_host(void)
{
	static const char *const bad[] = {
		"https://example.com/a[0]",
		"https://example.com/?a[]=1",
		"https://example.com/#]",
		"com.example.app:/[cb]",
	};
	struct ourl	 u;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ourl_parse(bad[i], &u) == NULL) {
			fprintf(stderr, "\"%s\" accepted\n", bad[i]);
			CHECK(0);
		}
}

/* The path and query components, as offsets into the string. */
static void
components(void)
{
	static const struct {
		const char	*s, *path, *query;	/* query NULL: none */
	} c[] = {
		{ "http://127.0.0.1:1?/cb", "", "/cb" },
		{ "http://127.0.0.1:1#/cb", "", NULL },
		{ "http://127.0.0.1:1/cb?a=1#x", "/cb", "a=1" },
		{ "https://h/a/b?", "/a/b", "" },
		{ "https://h", "", NULL },
		{ "com.example.app:/cb", "/cb", NULL },
		{ "urn:x:y?z", "x:y", "z" },
	};
	struct ourl	 u;
	char		 buf[64];
	size_t		 i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		CHECK(ourl_parse(c[i].s, &u) == NULL);
		snprintf(buf, sizeof(buf), "%.*s", (int)u.path_len,
		    c[i].s + u.path_off);
		CHECK_STR(buf, c[i].path);
		CHECK(u.has_query == (c[i].query != NULL));
		if (c[i].query != NULL) {
			snprintf(buf, sizeof(buf), "%.*s", (int)u.query_len,
			    c[i].s + u.query_off);
			CHECK_STR(buf, c[i].query);
		}
	}
}

/*
 * RFC 6749 §3.1.2.3 exact matching, and RFC 8252 §7.3: for loopback IP
 * literals only the port may vary; scheme, host, path and query are
 * compared as components (issue 12 item 5).
 */
static void
redirect_match(void)
{
	static const struct {
		const char	*reg, *uri;
		int		 ok;
	} m[] = {
		{ "https://rp.example.com/cb", "https://rp.example.com/cb", 1 },
		{ "https://rp.example.com/cb", "https://rp.example.com/cb/", 0 },
		{ "https://rp.example.com/cb", "https://rp.example.com:1/cb", 0 },
		{ "https://rp.example.com/cb", "https://rp.example.com/cb#x", 0 },
		{ "com.example.app:/cb", "com.example.app:/cb", 1 },
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.1:8080/cb", 1 },
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.1:1/cb", 1 },
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.1/cb", 1 },
		{ "http://127.0.0.1/cb", "http://127.0.0.1:51234/cb", 1 },
		{ "http://[::1]:8080/cb", "http://[::1]:9/cb", 1 },
		{ "http://127.0.0.1:8080/cb?a=1", "http://127.0.0.1:2/cb?a=1", 1 },
		/* The holes of issue 12 item 5. */
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.1:1?/cb", 0 },
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.1:1#/cb", 0 },
		{ "http://127.0.0.1:8080/cb", "http://x@127.0.0.1:1/cb", 0 },
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.1:1/cb#", 0 },
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.1:1/cb?", 0 },
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.1:1/cb?x", 0 },
		{ "http://127.0.0.1:8080/cb?a=1", "http://127.0.0.1:2/cb?a=2", 0 },
		{ "http://127.0.0.1:8080/cb?a=1", "http://127.0.0.1:2/cb", 0 },
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.1:1/cb/x", 0 },
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.1:1/c", 0 },
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.2:8080/cb", 0 },
		{ "http://127.0.0.1:8080/cb", "https://127.0.0.1:1/cb", 0 },
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.1:1//cb", 0 },
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.1:1/CB", 0 },
		{ "http://127.0.0.1:8080/cb", "http://127.0.0.1:x/cb", 0 },
		/* Port variation is for IP literals, not names. */
		{ "http://localhost:8080/cb", "http://localhost:1/cb", 0 },
		{ "http://localhost:8080/cb", "http://localhost:8080/cb", 1 },
		{ "https://127.0.0.1:8080/cb", "https://127.0.0.1:1/cb", 0 },
		{ "http://127.0.0.1:8080/cb", "", 0 },
		{ "", "", 0 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (ourl_redirect_match(m[i].reg, m[i].uri) != m[i].ok) {
			fprintf(stderr, "\"%s\" vs \"%s\": want %d\n",
			    m[i].reg, m[i].uri, m[i].ok);
			CHECK(0);
		}
}

/* ourl_addr_internal() on literal addresses of every range. */
static void
addr_internal(void)
{
	static const struct {
		const char	*a;
		int		 internal;
	} c[] = {
		{ "0.0.0.0", 1 }, { "0.1.2.3", 1 }, { "10.0.0.1", 1 },
		{ "100.64.0.1", 1 }, { "100.128.0.1", 0 }, { "127.0.0.1", 1 },
		{ "127.255.255.254", 1 }, { "169.254.169.254", 1 },
		{ "172.15.255.255", 0 }, { "172.16.0.1", 1 },
		{ "172.31.255.255", 1 }, { "172.32.0.0", 0 },
		{ "192.168.1.1", 1 }, { "192.169.0.1", 0 }, { "224.0.0.1", 1 },
		{ "255.255.255.255", 1 }, { "8.8.8.8", 0 },
		{ "93.184.216.34", 0 },
		{ "::", 1 }, { "::1", 1 }, { "::127.0.0.1", 1 },
		{ "::ffff:127.0.0.1", 1 }, { "::ffff:10.1.1.1", 1 },
		{ "::ffff:8.8.8.8", 0 }, { "fc00::1", 1 }, { "fdff::1", 1 },
		{ "fe80::1", 1 }, { "febf::1", 1 }, { "fec0::1", 1 },
		{ "ff02::1", 1 }, { "64:ff9b::a00:1", 1 },
		{ "2001:4860:4860::8888", 0 }, { "2606:2800:220:1::1", 0 },
	};
	struct sockaddr_in	 s4;
	struct sockaddr_in6	 s6;
	const char		*why;
	size_t			 i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(&s4, 0, sizeof(s4));
		memset(&s6, 0, sizeof(s6));
		if (inet_pton(AF_INET, c[i].a, &s4.sin_addr) == 1) {
			s4.sin_family = AF_INET;
			why = ourl_addr_internal((struct sockaddr *)&s4);
		} else {
			CHECK(inet_pton(AF_INET6, c[i].a, &s6.sin6_addr) == 1);
			s6.sin6_family = AF_INET6;
			why = ourl_addr_internal((struct sockaddr *)&s6);
		}
		if ((why != NULL) != c[i].internal) {
			fprintf(stderr, "%s: %s\n", c[i].a,
			    why != NULL ? why : "public");
			CHECK(0);
		}
	}
}

/*
 * ourl_host_internal() resolves: names and the odd IPv4 spellings
 * getaddrinfo(3) accepts are judged by the addresses they give.  Only
 * literals and localhost, so no DNS server is needed.
 */
static void
host_internal(void)
{
	static const struct {
		const char	*url;
		const char	*why;	/* NULL: public */
	} c[] = {
		{ "https://127.0.0.1/x", "is a loopback address" },
		{ "https://localhost/x", "is a loopback address" },
		{ "https://[::1]/x", "is a loopback address" },
		{ "https://2130706433/x", "is a loopback address" },
		{ "https://0x7f000001/x", "is a loopback address" },
		{ "https://0/x", "is an unspecified address" },
		{ "https://10.1.2.3/x", "is a private address" },
		{ "https://[::ffff:192.168.0.1]/x", "is a private address" },
		{ "https://[fd00::1]:8443/x",
		    "is a private (unique local) address" },
		{ "https://169.254.169.254/latest", "is a link-local address" },
		{ "https://[fe80::1]/x", "is a link-local address" },
		{ "https://[::]/x", "is an unspecified address" },
		{ "https://8.8.8.8/x", NULL },
		{ "https://[2001:4860:4860::8888]/x", NULL },
		{ "https://ex%61mple.com/x", "does not resolve" },
	};
	struct ourl	 u;
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		CHECK(ourl_parse(c[i].url, &u) == NULL);
		why = ourl_host_internal(&u);
		if (why == NULL || c[i].why == NULL)
			CHECK(why == c[i].why);
		else
			CHECK_STR(why, c[i].why);
		if (t_failed_now)
			fprintf(stderr, "%s: %s\n", c[i].url,
			    why != NULL ? why : "public");
	}
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(parse_good),
		T(parse_bad),
		T(parse_resets),
		T(parse_length),
		T(parse_host_length),
		T(loopback),
		T(loopback_dns_lookalike),
		T(authority_chars),
		T(brackets_outside_host),
		T(components),
		T(redirect_match),
		T(addr_internal),
		T(host_internal),
	};

	return t_run(tests, NTESTS);
}
