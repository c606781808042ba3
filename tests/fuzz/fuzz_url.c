/*
 * fuzz_url.c: URL parsing (lib/url.c) and the redirect URI checks of
 * client registration (lib/clients.c's redirect_ok, through
 * oclient_build()).  The input, up to its first NUL, is a URL:
 * ourl_parse() and ourl_loopback() on it, then a client with it as its
 * only redirect URI, once as a web client and once as a native one.
 * Checked: the parsed scheme and host are NUL-terminated and lower
 * case, the port in range; a web client's accepted redirect URI is
 * https or http on a loopback host, with no fragment or user info.
 */
#include <ctype.h>
#include <string.h>

#include <jansson.h>

#include "clients.h"
#include "err.h"
#include "fuzz.h"
#include "url.h"

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ourl	 u;
	char		*s;
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
	free(s);
	return 0;
}
