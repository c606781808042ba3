/*
 * route.c: path patterns to handlers (see route.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/json.h"
#include "base/url.h"
#include "base/util.h"
#include "protocol/introspect.h"
#include "web/cors.h"
#include "web/http.h"
#include "web/listen.h"
#include "web/route.h"



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

/*
 * The routes of the tables one after the other: the next one after the
 * cursor (*ti, *ri, both 0 at the start), or NULL after the last.
 */
static const struct oroute *
next_route(const struct oroute_table *t, size_t nt, size_t *ti, size_t *ri)
{
	for (; *ti < nt; (*ti)++, *ri = 0)
		if (*ri < t[*ti].n)
			return &t[*ti].routes[(*ri)++];
	return NULL;
}

void
oroute_fail(struct oreq *req, const struct oroute_table *t, size_t nt,
    const struct oerr *err)
{
	const char	*raw[OROUTE_MAXPARAMS];
	const struct oroute *r, *near = NULL;
	size_t		 rawlen[OROUTE_MAXPARAMS], np, ti = 0, ri = 0;
	size_t		 best = 0, sh;

	while ((r = next_route(t, nt, &ti, &ri)) != NULL) {
		if (!(r->listeners & req->listener))
			continue;
		if (oroute_match(r->pattern, req->path, req->pathlen,
		    raw, rawlen, &np)) {
			near = r;
			break;
		}
		if ((sh = shared_segments(r->pattern, req->path,
		    req->pathlen)) > best) {
			best = sh;
			near = r;
		}
	}
	fail(req, near, err);
}

/*
 * A Host header (RFC 9110 §7.2) split into its lower-cased host (IPv6
 * in brackets) and port (0 when absent).  Returns 1, or 0 when it is
 * not a host[:port].
 */
static int
host_split(const char *h, struct ourl *u)
{
	char	 buf[OCORS_ORIGIN_MAX];

	if (strpbrk(h, "/?#@") != NULL ||
	    snprintf(buf, sizeof(buf), "http://%s", h) >= (int)sizeof(buf))
		return 0;
	return ourl_parse(buf, u) == NULL && u->host[0] != '\0';
}

/*
 * Whether the Host header names the admin listener (DNS rebinding:
 * a page of evil.example whose name now resolves to 127.0.0.1 is sent
 * with "Host: evil.example:4445").  Accepted: no Host (HTTP/1.0, not a
 * browser); urls.self.admin's host with its port (or without a port
 * when that port is 80 or 443); a loopback name (localhost, 127/8,
 * [::1]) with any port, since a browser only sends one when it was
 * asked for that name itself, which no other site can rebind (and a
 * local proxy in front may have another port); an entry of
 * serve.admin.hosts (an entry without a port matches any port; "*"
 * matches every Host).
 */
static int
host_ok(struct oreq *req)
{
	struct ourl	 h, a, e;
	const char	*hv;
	int		 aport = 0;
	size_t		 i;
	char		 buf[OCORS_ORIGIN_MAX];

	if ((hv = ohttp_env(req, "HTTP_HOST")) == NULL || *hv == '\0')
		return 1;
	for (i = 0; i < oconf->admin_hosts.n; i++)
		if (strcmp(oconf->admin_hosts.v[i], "*") == 0)
			return 1;
	if (!host_split(hv, &h))
		return 0;
	if (ocors_origin(oconf->admin_url, 0, buf, sizeof(buf), &aport) &&
	    ourl_parse(oconf->admin_url, &a) == NULL &&
	    strcmp(h.host, a.host) == 0 && (h.port == aport ||
	    (h.port == 0 && (aport == 80 || aport == 443))))
		return 1;
	if (ourl_loopback(&h))
		return 1;
	for (i = 0; i < oconf->admin_hosts.n; i++)
		if (host_split(oconf->admin_hosts.v[i], &e) &&
		    strcmp(e.host, h.host) == 0 &&
		    (e.port == 0 || e.port == h.port))
			return 1;
	return 0;
}

/*
 * The admin listener's fences against browsers, before the admin key
 * (see route.h).  Returns 1 when the request may go on, with *cors set
 * when it is a CORS request of an origin serve.admin.cors allows, or 0
 * with a 421 (Host) or 403 (cross-site) in err.
 */
static int
admin_guard(struct oreq *req, int *cors, struct oerr *err)
{
	const char	*hv, *o, *sfs;
	char		 origin[OCORS_ORIGIN_MAX], own[OCORS_ORIGIN_MAX],
			 self[OCORS_ORIGIN_MAX], selfo[OCORS_ORIGIN_MAX];

	*cors = 0;
	if (req->listener != OLISTEN_ADMIN || oconf == NULL)
		return 1;
	if (!host_ok(req)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The Host header "
		    "\"%.64s\" does not name the admin API (%.64s); add it to "
		    "serve.admin.hosts if it should.",
		    ohttp_env(req, "HTTP_HOST"), oconf->admin_url);
		oerr_status(err, 421);
		return 0;
	}
	o = ohttp_env(req, "HTTP_ORIGIN");
	sfs = ohttp_env(req, "HTTP_SEC_FETCH_SITE");
	if (o != NULL && *o != '\0') {
		if (!ocors_origin(o, 1, origin, sizeof(origin), NULL)) {
			oerr_set(err, OERR_REQUEST_FORBIDDEN, "The admin API "
			    "refuses requests of Origin \"%.64s\".", o);
			return 0;
		}
		hv = ohttp_env(req, "HTTP_HOST");
		if ((ocors_origin(oconf->admin_url, 0, own, sizeof(own),
		    NULL) && strcmp(origin, own) == 0) || (hv != NULL &&
		    snprintf(self, sizeof(self), "%s://%s", req->https ?
		    "https" : "http", hv) < (int)sizeof(self) &&
		    ocors_origin(self, 1, selfo, sizeof(selfo), NULL) &&
		    strcmp(origin, selfo) == 0))
			return 1;	/* same origin */
		if (ocors_admin_allows(origin)) {
			*cors = 1;
			return 1;
		}
		oerr_set(err, OERR_REQUEST_FORBIDDEN, "The admin API refuses "
		    "cross-origin requests of %.64s: it is not among "
		    "serve.admin.cors.allowed_origins%s.", origin,
		    oconf->admin_cors ? "" : " (serve.admin.cors.enabled is "
		    "false)");
		return 0;
	}
	if (sfs != NULL && (strcasecmp(sfs, "cross-site") == 0 ||
	    strcasecmp(sfs, "same-site") == 0)) {
		oerr_set(err, OERR_REQUEST_FORBIDDEN, "The admin API refuses "
		    "requests a browser sends from another site "
		    "(Sec-Fetch-Site: %.16s).", sfs);
		return 0;
	}
	return 1;
}

/*
 * Whether a public route of the path is one of those whose CORS also
 * lets in the calling client's origins (OROUTE_CORS).
 */
static int
cors_wrapped(struct oreq *req, const struct oroute_table *t, size_t nt)
{
	const char	*raw[OROUTE_MAXPARAMS];
	const struct oroute *r;
	size_t		 rawlen[OROUTE_MAXPARAMS], np, ti = 0, ri = 0;

	while ((r = next_route(t, nt, &ti, &ri)) != NULL)
		if ((r->flags & OROUTE_CORS) &&
		    (r->listeners & OLISTEN_PUBLIC) &&
		    oroute_match(r->pattern, req->path, req->pathlen, raw,
		    rawlen, &np))
			return 1;
	return 0;
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

/*
 * Whether the request's Bearer token is a live access token this server
 * issued, granted scope (route.h, struct oroute's scope).  *known caches
 * the answer for the request's other routes: -1 unknown, 0 no, 1 yes.
 */
static int
token_has_scope(struct oreq *req, const char *scope, int *known)
{
	struct oerr	 err;
	const char	*tok;
	json_t		*j;

	if (*known >= 0)
		return *known;
	*known = 0;
	oerr_clear(&err);
	if (ohttp_bearer(req, &tok, &err) != OHTTP_AUTH_OK)
		return 0;
	if ((j = ointrospect(&req->arena, tok, scope, &err)) == NULL)
		return 0;
	*known = json_is_true(json_object_get(j, "active")) &&
	    strcmp(ojson_str(j, "token_use"), "access_token") == 0;
	json_decref(j);
	return *known;
}

void
oroute_dispatch(struct oreq *req, const struct oroute_table *t, size_t nt)
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
	const struct oroute *r, *near = NULL;
	size_t		 rawlen[OROUTE_MAXPARAMS], np, k, best = 0, sh;
	size_t		 ti = 0, ri = 0;
	unsigned	 allow = 0, want;
	int		 authed, guarded, cors, scoped = -1;
	char		 allowbuf[128];
	struct oerr	 err, gerr;

	oerr_clear(&err);
	oerr_clear(&gerr);
	if (ocors_public_applies(req) &&
	    ocors_public(req, cors_wrapped(req, t, nt)))
		return;
	if ((guarded = admin_guard(req, &cors, &gerr)) && cors &&
	    ocors_admin_answer(req, &err)) {
		if (req->status == 0)
			oroute_fail(req, t, nt, &err);
		return;
	}
	authed = admin_authed(req);
	/* HEAD is GET without the body (RFC 9110 §9.3.2). */
	want = req->method == OHTTP_HEAD ? OHTTP_M(GET) :
	    (1u << req->method);
	while ((r = next_route(t, nt, &ti, &ri)) != NULL) {
		if (!(r->listeners & req->listener))
			continue;
		if (!oroute_match(r->pattern, req->path, req->pathlen,
		    raw, rawlen, &np)) {
			if (allow == 0 && (sh = shared_segments(r->pattern,
			    req->path, req->pathlen)) > best) {
				best = sh;
				near = r;
			}
			continue;
		}
		if (allow == 0)
			near = r;	/* the path's own route, from now on */
		if (!(r->flags & OROUTE_OPEN) && (!guarded || (!authed &&
		    (r->scope == NULL ||
		    !token_has_scope(req, r->scope, &scoped)))))
			break;
		allow |= r->methods;
		if (!(r->methods & want))
			continue;
		for (k = 0; k < np; k++) {
			req->params[k] = oform_decode(&req->arena, raw[k],
			    rawlen[k], 0, NULL);
			if (req->params[k] == NULL ||
			    !outf8(req->params[k], strlen(req->params[k]))) {
				oerr_set(&err, OERR_INVALID_REQUEST,
				    "The request path is not correctly "
				    "percent-encoded UTF-8 without NUL bytes.");
				fail(req, r, &err);
				return;
			}
		}
		req->nparams = np;
		r->fn(req);
		if (req->status == 0) {
			oerr_set(&err, OERR_SERVER_ERROR,
			    "The handler produced no response.");
			fail(req, r, &err);
		}
		return;
	}
	if (!guarded && allow == 0) {
		fail(req, near, &gerr);
		return;
	}
	if (!authed && allow == 0 && near != NULL && near->scope != NULL) {
		oerr_set(&err, OERR_UNAUTHORIZED, "This path needs the admin "
		    "key, or an access token granted the scope '%s', as a "
		    "Bearer token.", near->scope);
		ohttp_header(req, "WWW-Authenticate", oarena_printf(
		    &req->arena, "Bearer realm=\"oidcgi-admin\", scope=\"%s\"",
		    near->scope));
		fail(req, near, &err);
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
