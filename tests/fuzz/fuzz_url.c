/*
 * fuzz_url.c: URL parsing (lib/base/url.c), the redirect URI checks of
 * client registration (lib/records/clients.c's redirect_ok, through
 * oclient_build()) and redirect URI matching at /oauth2/auth
 * (ourl_redirect_match(), oclient_redirect_ok()).  The input, up to its
 * first NUL, is a URL: ourl_parse() and ourl_loopback() on it, then a
 * client with it as its only redirect URI, once as a web client and
 * once as a native one.  When it holds a newline, the text before is a
 * registered redirect URI and the text after one a request brings,
 * and they are matched.  Checked: the parsed scheme and host are
 * NUL-terminated and lower case, the port in range; a web client's
 * accepted redirect URI is https or http on a loopback host, with no
 * fragment or user info; two different URIs match only when both are
 * http on the same loopback IP, with the same path and query, the
 * requested one without user info or fragment (RFC 8252 §7.3).
 */
#include <ctype.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/url.h"
#include "records/clients.h"
#include "fuzz.h"

static void
client(const char *s, const struct ourl *u, int parsed, int native)
{
	struct oerr	 err;
	json_t		*in, *rec;
	char		 secret[OCLIENT_SECRET_MAX + 1];

	in = json_pack("{s:[s], s:s, s:s}", "redirect_uris", s,
	    "token_endpoint_auth_method", "none", "application_type",
	    native ? "native" : "web");
	if (in == NULL)		/* not UTF-8: no JSON string holds it */
		return;
	oerr_clear(&err);
	if ((rec = oclient_build(in, NULL, OCLIENT_GEN_ID, secret, &err)) !=
	    NULL) {
		FUZZ_CHECK(parsed);
		FUZZ_CHECK(!u->has_fragment);
		if (!native) {
			FUZZ_CHECK(!u->has_userinfo);
			FUZZ_CHECK(strcmp(u->scheme, "https") == 0 ||
			    (strcmp(u->scheme, "http") == 0 &&
			    ourl_loopback(u)));
		}
		json_decref(rec);
	} else
		FUZZ_CHECK(oerr_isset(&err));
	json_decref(in);
}

/* Two components of two parsed URIs are the same bytes. */
static int
same(const char *a, size_t aoff, size_t alen, const char *b, size_t boff,
    size_t blen)
{
	return alen == blen && memcmp(a + aoff, b + boff, alen) == 0;
}

static void
match(const char *reg, const char *uri)
{
	struct ourl	 r, u;
	json_t		*rec;
	int		 m;

	m = ourl_redirect_match(reg, uri);
	if ((rec = json_pack("{s:[s]}", "redirect_uris", reg)) != NULL) {
		FUZZ_CHECK(oclient_redirect_ok(rec, uri) == m);
		json_decref(rec);
	}
	if (!m || strcmp(reg, uri) == 0)
		return;
	FUZZ_CHECK(ourl_parse(reg, &r) == NULL);
	FUZZ_CHECK(ourl_parse(uri, &u) == NULL);
	FUZZ_CHECK(strcmp(r.scheme, "http") == 0 &&
	    strcmp(u.scheme, "http") == 0);
	FUZZ_CHECK(strcmp(r.host, u.host) == 0 && ourl_loopback(&u));
	FUZZ_CHECK(strcmp(u.host, "localhost") != 0);
	FUZZ_CHECK(!u.has_userinfo && !u.has_fragment);
	FUZZ_CHECK(same(reg, r.path_off, r.path_len, uri, u.path_off,
	    u.path_len));
	FUZZ_CHECK(r.has_query == u.has_query && same(reg, r.query_off,
	    r.query_len, uri, u.query_off, u.query_len));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ourl	 u;
	char		*s, *nl;
	size_t		 i;
	int		 parsed;

	s = malloc(size + 1);
	FUZZ_CHECK(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&u, 0xa5, sizeof(u));
	if ((parsed = ourl_parse(s, &u) == NULL)) {
		FUZZ_CHECK(memchr(u.scheme, '\0', sizeof(u.scheme)) != NULL);
		FUZZ_CHECK(memchr(u.host, '\0', sizeof(u.host)) != NULL);
		for (i = 0; u.scheme[i] != '\0'; i++)
			FUZZ_CHECK(!isupper((unsigned char)u.scheme[i]));
		FUZZ_CHECK(u.port >= 0 && u.port <= 65535);
		(void)ourl_loopback(&u);
	}
	client(s, &u, parsed, 0);
	client(s, &u, parsed, 1);
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		match(s, nl + 1);
	}
	free(s);
	return 0;
}
