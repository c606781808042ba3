/*
 * csrf.c: the CSRF tokens of server-rendered forms (see csrf.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/form.h"
#include "base/util.h"
#include "web/cookies.h"
#include "web/csrf.h"
#include "web/http.h"

#define CSRF_COOKIE	"oidcgi_ui_csrf"
#define CSRF_BYTES	32
#define CSRF_LEN	43	/* base64url of CSRF_BYTES */

/* The CSRF key from system secret i. */
static int
csrf_key(size_t i, unsigned char key[32])
{
	if (oconf == NULL || i >= oconf->nsecrets)
		return 0;
	return ocrypto_hkdf(oconf->secrets[i], strlen(oconf->secrets[i]),
	    NULL, 0, "oidcgi ui csrf", key, 32);
}

/*
 * The token of kind, challenge and cookie under system secret i, as
 * base64url into out (CSRF_LEN + 1 bytes).  Returns 1, or 0 when there
 * is no such secret.
 */
static int
csrf_token(size_t i, const char *kind, const char *challenge,
    const char *cookie, char *out)
{
	unsigned char	 key[32], mac[OCRYPTO_SHA256_LEN];
	char		*msg;
	size_t		 kl = strlen(kind), cl = strlen(challenge);
	size_t		 ol = strlen(cookie), len;
	int		 ok;

	msg = oxmalloc(kl + cl + ol + 2);
	memcpy(msg, kind, kl);
	msg[kl] = '\0';
	memcpy(msg + kl + 1, challenge, cl);
	msg[kl + 1 + cl] = '\0';
	memcpy(msg + kl + cl + 2, cookie, ol);
	ok = csrf_key(i, key) && ocrypto_hmac(OCRYPTO_SHA256, key,
	    sizeof(key), msg, kl + cl + ol + 2, mac) &&
	    ocrypto_b64url_encode(out, CSRF_LEN + 1, &len, mac, sizeof(mac));
	ocrypto_wipe(key, sizeof(key));
	free(msg);
	return ok;
}

/* This browser's CSRF cookie, or NULL when it has none (well-formed). */
static const char *
csrf_cookie(struct oreq *req)
{
	const char	*c = oparams_get(ohttp_cookies(req), CSRF_COOKIE);

	if (c == NULL || strlen(c) != CSRF_LEN || strspn(c,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    "-_") != CSRF_LEN)
		return NULL;
	return c;
}

const char *
ocsrf_token(struct oreq *req, const char *kind, const char *challenge)
{
	const char	*c;
	char		 fresh[CSRF_LEN + 1], tok[CSRF_LEN + 1];

	if ((c = csrf_cookie(req)) == NULL) {
		ocrypto_token(fresh, sizeof(fresh), CSRF_BYTES);
		ohttp_cookie(req, CSRF_COOKIE, fresh, -1, "/",
		    ocookies_flags());
		c = fresh;
	}
	if (!csrf_token(0, kind, challenge, c, tok))
		tok[0] = '\0';
	return oarena_strdup(&req->arena, tok);
}

int
ocsrf_ok(struct oreq *req, const char *kind, const char *challenge,
    const char *token)
{
	const char	*c;
	char		 want[CSRF_LEN + 1];
	size_t		 i;
	int		 ok = 0;

	if (challenge == NULL || token == NULL ||
	    (c = csrf_cookie(req)) == NULL)
		return 0;
	for (i = 0; oconf != NULL && i < oconf->nsecrets; i++)
		if (csrf_token(i, kind, challenge, c, want))
			ok |= ocrypto_eq(want, strlen(want), token,
			    strlen(token));
	return ok;
}

const struct oparams *
ocsrf_form(struct oreq *req, const char *kind, const struct ofield *fields,
    size_t nfields, const char *what, const char *hint, struct oerr *err)
{
	const struct oparams	*p;

	if ((p = ohttp_form(req, err)) == NULL ||
	    !oform_check(p, fields, nfields, err))
		return NULL;
	if (!ocsrf_ok(req, kind, oparams_get(p, "challenge"),
	    oparams_get(p, "csrf"))) {
		oerr_set(err, OERR_REQUEST_FORBIDDEN, "The %s form was not "
		    "sent from this site's page for this request, or this "
		    "browser's cookies were cleared meanwhile.", what);
		oerr_status(err, 403);
		if (hint != NULL)
			oerr_hint(err, "%s", hint);
		return NULL;
	}
	return p;
}
