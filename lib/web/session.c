/*
 * session.c: OpenID Connect Session Management 1.0: the browser-state
 * cookie and session_state (see session.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/url.h"
#include "web/cookies.h"
#include "web/http.h"
#include "web/session.h"

#define SALT_BYTES	12	/* 16 base64url characters */

int
osession_browser_value(const char *sid, char out[OSESSION_STATE_LEN + 1])
{
	unsigned char	 key[OCRYPTO_SHA256_LEN], mac[OCRYPTO_SHA256_LEN];
	size_t		 n;
	int		 ok;

	if (oconf == NULL || oconf->nsecrets == 0 ||
	    !ocrypto_hkdf(oconf->secrets[0], strlen(oconf->secrets[0]), NULL,
	    0, "oidcgi browser state", key, sizeof(key)))
		return 0;
	ok = ocrypto_hmac(OCRYPTO_SHA256, key, sizeof(key), sid, strlen(sid),
	    mac) && ocrypto_b64url_encode(out, OSESSION_STATE_LEN + 1, &n,
	    mac, 16);
	ocrypto_wipe(key, sizeof(key));
	return ok;
}

/*
 * The cookie flags: script may read it; SameSite=None (so the iframe
 * sees it in a third-party context) when it can be Secure, else Lax.
 */
static unsigned
cookie_flags(void)
{
	unsigned	 f = ocookies_flags();

	if (f & OHTTP_COOKIE_SECURE)
		return OHTTP_COOKIE_SECURE | OHTTP_COOKIE_NONE;
	return OHTTP_COOKIE_LAX;
}

void
osession_browser_state(struct oreq *req, const char *sid)
{
	char	 v[OSESSION_STATE_LEN + 1];

	if (sid == NULL || *sid == '\0' || !osession_browser_value(sid, v)) {
		ohttp_cookie(req, OSESSION_COOKIE_NAME, "", 0, "/",
		    cookie_flags());
		return;
	}
	ohttp_cookie(req, OSESSION_COOKIE_NAME, v, -1, "/", cookie_flags());
}

/*
 * The browser state in effect for this response: the value of the
 * last Set-Cookie for it already added to the response (deleted: ""),
 * else the request's cookie, else "".  Borrowed from the arena.
 */
static const char *
current_state(struct oreq *req)
{
	const char	*v = NULL, *c;
	size_t		 i, n = strlen(OSESSION_COOKIE_NAME);

	for (i = 0; i < req->nhdrs; i++) {
		if (strcasecmp(req->hdrs[i].name, "Set-Cookie") != 0)
			continue;
		c = req->hdrs[i].value;
		if (strncmp(c, "__Host-", 7) == 0)	/* see ohttp_cookie() */
			c += 7;
		if (strncmp(c, OSESSION_COOKIE_NAME, n) != 0 || c[n] != '=')
			continue;
		v = oarena_strndup(&req->arena, c + n + 1,
		    strcspn(c + n + 1, ";"));
		/* A deletion (Max-Age=0) leaves no state. */
		if (strstr(c, "; Max-Age=0") != NULL)
			v = "";
	}
	if (v == NULL)
		v = oparams_get(ohttp_cookies(req), OSESSION_COOKIE_NAME);
	return v != NULL ? v : "";
}

/*
 * The web origin of an absolute http(s) URI as a browser serialises it
 * (RFC 6454 §6.1): lower-case scheme and host, the port only when it
 * is not the scheme's default.  NULL for other schemes.
 */
static char *
origin(struct oreq *req, const char *uri)
{
	struct ourl	 u;
	int		 def;

	if (uri == NULL || ourl_parse(uri, &u) != NULL ||
	    !u.has_authority || u.host[0] == '\0')
		return NULL;
	if (strcmp(u.scheme, "https") == 0)
		def = 443;
	else if (strcmp(u.scheme, "http") == 0)
		def = 80;
	else
		return NULL;
	if (u.port != 0 && u.port != def)
		return oarena_printf(&req->arena, "%s://%s:%d", u.scheme,
		    u.host, u.port);
	return oarena_printf(&req->arena, "%s://%s", u.scheme, u.host);
}

char *
osession_state(struct oreq *req, const char *client_id,
    const char *redirect_uri)
{
	unsigned char	 h[OCRYPTO_SHA256_LEN];
	char		 salt[32], hash[64], *o, *in;
	size_t		 n;

	if ((o = origin(req, redirect_uri)) == NULL ||
	    !ocrypto_token(salt, sizeof(salt), SALT_BYTES))
		return NULL;
	/* NOTE: SPACES ARE PART OF THE HASHED TEXT (§4.1). */
	in = oarena_printf(&req->arena, "%s %s %s %s", client_id, o,
	    current_state(req), salt);
	ocrypto_sha256(in, strlen(in), h);
	if (!ocrypto_b64url_encode(hash, sizeof(hash), &n, h, sizeof(h)))
		return NULL;
	return oarena_printf(&req->arena, "%s.%s", hash, salt);
}
