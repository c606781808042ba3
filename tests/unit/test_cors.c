/*
 * test_cors.c: unit tests of lib/web/cors.c's origin rules:
 * ocors_origin() (normalising an Origin header or a URL) and
 * ocors_match() (an allowed-origin entry, exact or with one '*',
 * against a normalised origin), as Hydra's x/oauth2cors matches.
 */
#include <stdio.h>
#include <string.h>

#include "web/cors.h"
#include "t.h"

/* A pattern, an origin (as ocors_origin() gives it), and the verdict. */
struct m {
	const char	*pattern;
	const char	*origin;
	int		 ok;
};

static const struct m matches[] = {
	{ "*", "https://a.example", 1 },
	{ "https://a.example", "https://a.example", 1 },
	{ "HTTPS://A.Example", "https://a.example", 1 },
	{ "https://a.example:443", "https://a.example", 1 },
	{ "http://a.example:80", "http://a.example", 1 },
	{ "https://a.example", "http://a.example", 0 },
	{ "https://a.example", "https://a.example:8443", 0 },
	{ "https://a.example:8443", "https://a.example:8443", 1 },
	{ "https://a.example", "https://b.a.example", 0 },
	{ "https://a.example/", "https://a.example", 0 },	/* path */
	/* any host of a scheme */
	{ "https://*", "https://anything.example:1", 1 },
	{ "https://*", "http://anything.example", 0 },
	/* one label */
	{ "https://*.example.com", "https://a.example.com", 1 },
	{ "https://*.Example.com", "https://a.example.com", 1 },
	{ "https://*.example.com", "https://a.b.example.com", 0 },
	{ "https://*.example.com", "https://example.com", 0 },
	{ "https://*.example.com", "https://evilexample.com", 0 },
	{ "https://*.example.com", "http://a.example.com", 0 },
	{ "https://*.example.com", "https://a.example.com:8443", 0 },
	{ "https://*.example.com:8443", "https://a.example.com:8443", 1 },
	{ "https://*foo.example.com", "https://barfoo.example.com", 1 },
	{ "https://*foo.example.com", "https://bar.foo.example.com", 0 },
	{ "https://a*.example.com", "https://ab.example.com", 1 },
	/* unbounded: ignored */
	{ "https://*foo.com", "https://evilfoo.com", 0 },
	{ "https://*.com", "https://evil.com", 0 },
	{ "https://a.*", "https://a.com", 0 },
	{ "https://*.", "https://a.", 0 },
	/* two stars are no pattern */
	{ "https://*.*.example.com", "https://a.b.example.com", 0 },
	/* no scheme before the star */
	{ "*.example.com", "https://a.example.com", 0 },
	{ "", "https://a.example", 0 },
	{ "null", "null", 0 },
};

static void
match(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++)
		if (!CHECKED(ocors_match(matches[i].pattern,
		    matches[i].origin) == matches[i].ok))
			fprintf(stderr, "%s vs %s\n", matches[i].pattern,
			    matches[i].origin);
}

static void
origin(void)
{
	char	 buf[OCORS_ORIGIN_MAX];
	int	 port = 0;

	CHECK(ocors_origin("HTTPS://A.Example:443", 1, buf, sizeof(buf),
	    &port));
	CHECK_STR(buf, "https://a.example");
	CHECK(port == 443);
	CHECK(ocors_origin("http://127.0.0.1:8080", 1, buf, sizeof(buf),
	    &port));
	CHECK_STR(buf, "http://127.0.0.1:8080");
	CHECK(port == 8080);
	CHECK(ocors_origin("https://[::1]:1", 1, buf, sizeof(buf), NULL));
	CHECK_STR(buf, "https://[::1]:1");
	/* a URL's origin, unless bare is wanted */
	CHECK(ocors_origin("https://a.example/cb?x", 0, buf, sizeof(buf),
	    NULL));
	CHECK_STR(buf, "https://a.example");
	CHECK(!ocors_origin("https://a.example/cb", 1, buf, sizeof(buf),
	    NULL));
	CHECK(!ocors_origin("null", 1, buf, sizeof(buf), NULL));
	CHECK(!ocors_origin("", 1, buf, sizeof(buf), NULL));
	CHECK(!ocors_origin("ftp://a.example", 1, buf, sizeof(buf), NULL));
	CHECK(!ocors_origin("https://u@a.example", 1, buf, sizeof(buf),
	    NULL));
	CHECK(!ocors_origin("https://a.example", 1, buf, 8, NULL));
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(match),
		T(origin),
	};

	return t_run(tests, NTESTS);
}
