/*
 * fuzz_http.c: the request headers lib/web/http.c decodes: cookies
 * (ohttp_cookies), Basic client credentials (ohttp_basic, RFC 7617 and
 * RFC 6749 §2.3.1) and Bearer tokens (ohttp_bearer, RFC 6750 §2.1).
 * The input (up to its first NUL, as a header cannot hold one) is the
 * Cookie header and the Authorization header of a fake plain-CGI
 * request: its variables come from the environment, as under CGI.
 * Checked: what is returned is NUL-terminated, a Basic client id is
 * never empty, a Bearer token only has RFC 6750 characters.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/form.h"
#include "web/extern.h"
#include "web/http.h"
#include "fuzz.h"

/*
 * The two variables, put into the environment once (putenv keeps the
 * buffers themselves): rewriting them in place costs no allocation,
 * where setenv() leaks every old value in glibc and ran a long fuzzing
 * session out of memory.
 */
#define HDR_MAX		(64 * 1024)
static char	 cookie[sizeof("HTTP_COOKIE=") + HDR_MAX];
static char	 auth[sizeof("HTTP_AUTHORIZATION=") + HDR_MAX];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsetenv("REDIRECT_HTTP_AUTHORIZATION");
	strcpy(cookie, "HTTP_COOKIE=");
	strcpy(auth, "HTTP_AUTHORIZATION=");
	putenv(cookie);
	putenv(auth);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ohttp_io		 io = { NULL };
	struct oreq		 req;
	struct oerr		 err;
	const struct oparams	*c;
	const char		*id, *secret, *tok;
	char			*h;
	size_t			 i;
	enum ohttp_auth		 rc;

	if (size > HDR_MAX)
		size = HDR_MAX;
	h = malloc(size + 1);
	FUZZ_CHECK(h != NULL);
	memcpy(h, data, size);
	h[size] = '\0';
	memset(&req, 0, sizeof(req));
	oarena_init(&req.arena);
	req.io = &io;
	req.query = "";
	snprintf(cookie + strlen("HTTP_COOKIE="), HDR_MAX + 1, "%s", h);
	snprintf(auth + strlen("HTTP_AUTHORIZATION="), HDR_MAX + 1, "%s", h);

	c = ohttp_cookies(&req);
	for (i = 0; i < c->n; i++) {
		FUZZ_CHECK(c->v[i].name[0] != '\0');
		FUZZ_CHECK(strlen(c->v[i].value) == c->v[i].vlen);
		FUZZ_CHECK(strchr(c->v[i].name, ';') == NULL);
	}

	oerr_clear(&err);
	id = secret = NULL;
	rc = ohttp_basic(&req, &id, &secret, &err);
	if (rc == OHTTP_AUTH_OK)
		FUZZ_CHECK(id != NULL && *id != '\0' && secret != NULL);
	else if (rc == OHTTP_AUTH_BAD)
		FUZZ_CHECK(oerr_isset(&err));

	oerr_clear(&err);
	tok = NULL;
	rc = ohttp_bearer(&req, &tok, &err);
	if (rc == OHTTP_AUTH_OK) {
		FUZZ_CHECK(tok != NULL && *tok != '\0');
		for (i = 0; tok[i] != '\0'; i++)
			FUZZ_CHECK(isalnum((unsigned char)tok[i]) ||
			    strchr("-._~+/=", tok[i]) != NULL);
	} else if (rc == OHTTP_AUTH_BAD)
		FUZZ_CHECK(oerr_isset(&err));

	oarena_free(&req.arena);
	free(h);
	return 0;
}
