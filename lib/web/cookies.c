/*
 * cookies.c: the flows' session and CSRF cookies (see cookies.h).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/json.h"
#include "base/url.h"
#include "base/util.h"
#include "records/flow.h"
#include "records/sessions.h"
#include "web/cookies.h"
#include "web/http.h"

unsigned
ocookies_flags(void)
{
	struct ourl	 u;
	unsigned	 f = OHTTP_COOKIE_HTTPONLY | OHTTP_COOKIE_LAX;

	if (oconf == NULL || ourl_parse(oconf->issuer, &u) != NULL ||
	    strcmp(u.scheme, "https") == 0 || !ourl_loopback(&u))
		f |= OHTTP_COOKIE_SECURE;
	return f;
}

char *
ocookies_csrf_name(struct oreq *req, const char *kind,
    const char *client_id)
{
	unsigned char	 h[OCRYPTO_SHA256_LEN];

	ocrypto_sha256(client_id, strlen(client_id), h);
	return oarena_printf(&req->arena, "oidcgi_%s_csrf_%02x%02x%02x%02x",
	    kind, h[0], h[1], h[2], h[3]);
}

void
ocookies_csrf_set(struct oreq *req, const char *kind, const char *client_id,
    const char *value)
{
	ohttp_cookie(req, ocookies_csrf_name(req, kind, client_id), value,
	    oconf->ttl_login_consent, "/", ocookies_flags());
}

void
ocookies_csrf_clear(struct oreq *req, const char *kind,
    const char *client_id)
{
	ohttp_cookie(req, ocookies_csrf_name(req, kind, client_id), "", 0,
	    "/", ocookies_flags());
}

int
ocookies_csrf_ok(struct oreq *req, const char *kind, const char *client_id,
    const char *want)
{
	const char	*c = oparams_get(ohttp_cookies(req),
			    ocookies_csrf_name(req, kind, client_id));

	return c != NULL && want != NULL && ocrypto_streq(c, want);
}

const char *
ocookies_session_sid(struct oreq *req)
{
	const char	*c, *sid = NULL;
	json_t		*cookie;
	struct oerr	 err;

	oerr_clear(&err);
	if ((c = oparams_get(ohttp_cookies(req),
	    OFLOW_SESSION_COOKIE_NAME)) == NULL ||
	    (cookie = oflow_open(OFLOW_SESSION_COOKIE, c, &err)) == NULL)
		return NULL;
	if (json_is_string(json_object_get(cookie, "sid")))
		sid = oarena_strdup(&req->arena, ojson_str(cookie, "sid"));
	json_decref(cookie);
	return sid;
}

int
ocookies_session(struct oreq *req, struct ostore_txn *t,
    struct osessions_rec *s)
{
	const char	*sid;
	struct oerr	 err;

	memset(s, 0, sizeof(*s));
	oerr_clear(&err);
	return (sid = ocookies_session_sid(req)) != NULL &&
	    osessions_live(t, sid, s, &err);
}

void
ocookies_session_set(struct oreq *req, const char *sid,
    int64_t remember_for)
{
	json_t	*c;
	char	*v;

	c = json_pack("{s:s,s:I}", "sid", sid, "exp", (json_int_t)(onow() +
	    OFLOW_SESSION_LIFESPAN));
	v = oflow_seal(OFLOW_SESSION_COOKIE, c);
	json_decref(c);
	ohttp_cookie(req, OFLOW_SESSION_COOKIE_NAME, v, remember_for > 0 ?
	    remember_for : -1, "/", ocookies_flags());
	free(v);
}

void
ocookies_session_clear(struct oreq *req)
{
	ohttp_cookie(req, OFLOW_SESSION_COOKIE_NAME, "", 0, "/",
	    ocookies_flags());
}

int
ocookies_csrf_check(void *req, const char *kind, const char *client_id,
    const char *want)
{
	return ocookies_csrf_ok(req, kind, client_id, want);
}
