/*
 * route.c: path patterns to handlers (see route.h).
 */
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "http.h"
#include "route.h"
#include "util.h"

int
oroute_match(const char *pat, const char *path, size_t pathlen,
    const char *params[], size_t plens[], size_t *nparams)
{
	size_t		 pi = 0, n = 0, seg;
	const char	*close;

	while (*pat != '\0') {
		if (*pat == '{') {
			/* A parameter: one non-empty segment. */
			if ((close = strchr(pat, '}')) == NULL)
				return 0;
			for (seg = pi; seg < pathlen && path[seg] != '/'; seg++)
				continue;
			if (seg == pi || n == OROUTE_MAXPARAMS)
				return 0;
			params[n] = path + pi;
			plens[n] = seg - pi;
			n++;
			pi = seg;
			pat = close + 1;
			continue;
		}
		if (pi >= pathlen || path[pi] != *pat)
			return 0;
		pi++;
		pat++;
	}
	if (pi != pathlen)
		return 0;
	*nparams = n;
	return 1;
}

/*
 * How many leading segments of path the pattern matches (a parameter
 * matches any non-empty segment): how close a path no route matches is
 * to a route, to answer it in that route's dialect.
 */
static size_t
shared_segments(const char *pat, const char *path, size_t pathlen)
{
	size_t		 pi = 0, n = 0, seg;
	const char	*end;

	while (*pat == '/' && pi < pathlen && path[pi] == '/') {
		pat++;
		pi++;
		for (seg = pi; seg < pathlen && path[seg] != '/'; seg++)
			continue;
		if ((end = strchr(pat, '/')) == NULL)
			end = pat + strlen(pat);
		if (*pat == '{' ? seg == pi : ((size_t)(end - pat) != seg - pi ||
		    memcmp(pat, path + pi, seg - pi) != 0))
			break;
		n++;
		pat = end;
		pi = seg;
	}
	return n;
}

/* Send err in the dialect of route r (Hydra's when r is NULL). */
static void
fail(struct oreq *req, const struct oroute *r, const struct oerr *err)
{
	if (r != NULL && r->fail != NULL)
		r->fail(req, err);
	else
		ohttp_send_error(req, err);
}

void
oroute_fail(struct oreq *req, const struct oroute *r, size_t n,
    const struct oerr *err)
{
	const char	*raw[OROUTE_MAXPARAMS];
	const struct oroute *near = NULL;
	size_t		 rawlen[OROUTE_MAXPARAMS], np, i, best = 0, sh;

	for (i = 0; i < n; i++) {
		if (!(r[i].listeners & req->listener))
			continue;
		if (oroute_match(r[i].pattern, req->path, req->pathlen,
		    raw, rawlen, &np)) {
			near = &r[i];
			break;
		}
		if ((sh = shared_segments(r[i].pattern, req->path,
		    req->pathlen)) > best) {
			best = sh;
			near = &r[i];
		}
	}
	fail(req, near, err);
}

/* Append a method name to the Allow list being built. */
static void
allow_add(char *buf, size_t sz, const char *m)
{
	if (buf[0] != '\0')
		strncat(buf, ", ", sz - strlen(buf) - 1);
	strncat(buf, m, sz - strlen(buf) - 1);
}

/*
 * 1 unless this is the admin listener, an admin key is configured, and
 * the request does not carry it as a Bearer token.
 */
static int
admin_authed(struct oreq *req)
{
	struct oerr	 err;
	const char	*tok;

	if (req->listener != OLISTEN_ADMIN || oconf == NULL ||
	    oconf->admin_key == NULL)
		return 1;
	oerr_clear(&err);
	return ohttp_bearer(req, &tok, &err) == OHTTP_AUTH_OK &&
	    ocrypto_streq(tok, oconf->admin_key);
}

void
oroute_dispatch(struct oreq *req, const struct oroute *r, size_t n)
{
	static const char *const names[OHTTP__MAX] = {
		"GET",		/* OHTTP_GET */
		"HEAD",		/* OHTTP_HEAD */
		"POST",		/* OHTTP_POST */
		"PUT",		/* OHTTP_PUT */
		"PATCH",	/* OHTTP_PATCH */
		"DELETE",	/* OHTTP_DELETE */
		"OPTIONS",	/* OHTTP_OPTIONS */
		NULL,		/* OHTTP_OTHER */
	};
	const char	*raw[OROUTE_MAXPARAMS];
	const struct oroute *near = NULL;
	size_t		 rawlen[OROUTE_MAXPARAMS], np, i, k, best = 0, sh;
	unsigned	 allow = 0, want;
	int		 authed;
	char		 allowbuf[128];
	struct oerr	 err;

	oerr_clear(&err);
	authed = admin_authed(req);
	/* HEAD is GET without the body (RFC 9110 §9.3.2). */
	want = req->method == OHTTP_HEAD ? OHTTP_M(GET) :
	    (1u << req->method);
	for (i = 0; i < n; i++) {
		if (!(r[i].listeners & req->listener))
			continue;
		if (!oroute_match(r[i].pattern, req->path, req->pathlen,
		    raw, rawlen, &np)) {
			if (allow == 0 && (sh = shared_segments(r[i].pattern,
			    req->path, req->pathlen)) > best) {
				best = sh;
				near = &r[i];
			}
			continue;
		}
		if (allow == 0)
			near = &r[i];	/* the path's own route, from now on */
		if (!authed && !(r[i].flags & OROUTE_OPEN))
			break;
		allow |= r[i].methods;
		if (!(r[i].methods & want))
			continue;
		for (k = 0; k < np; k++) {
			req->params[k] = oform_decode(&req->arena, raw[k],
			    rawlen[k], 0, NULL);
			if (req->params[k] == NULL ||
			    !outf8(req->params[k], strlen(req->params[k]))) {
				oerr_set(&err, OERR_INVALID_REQUEST,
				    "The request path is not correctly "
				    "percent-encoded UTF-8 without NUL bytes.");
				fail(req, &r[i], &err);
				return;
			}
		}
		req->nparams = np;
		r[i].fn(req);
		if (req->status == 0) {
			oerr_set(&err, OERR_SERVER_ERROR,
			    "The handler produced no response.");
			fail(req, &r[i], &err);
		}
		return;
	}
	if (!authed && allow == 0) {
		oerr_set(&err, OERR_UNAUTHORIZED, "The admin API needs "
		    "the admin key as a Bearer token.");
		ohttp_header(req, "WWW-Authenticate",
		    "Bearer realm=\"oidcgi-admin\"");
		fail(req, near, &err);
		return;
	}
	if (allow == 0) {
		oerr_set(&err, OERR_NOT_FOUND,
		    "The requested resource could not be found.");
		fail(req, near, &err);
		return;
	}
	allowbuf[0] = '\0';
	for (k = 0; k < OHTTP_OTHER; k++) {
		if (allow & (1u << k))
			allow_add(allowbuf, sizeof(allowbuf), names[k]);
		if (k == OHTTP_GET && (allow & OHTTP_M(GET)) &&
		    !(allow & OHTTP_M(HEAD)))
			allow_add(allowbuf, sizeof(allowbuf), "HEAD");
	}
	ohttp_header(req, "Allow", allowbuf);
	oerr_set(&err, OERR_METHOD_NOT_ALLOWED,
	    "The method %s is not allowed here; allowed: %s.",
	    req->method_name, allowbuf);
	fail(req, near, &err);
}
