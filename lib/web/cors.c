/*
 * cors.c: CORS on both listeners (see cors.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/form.h"
#include "base/url.h"
#include "protocol/clientauth.h"
#include "web/cors.h"
#include "web/http.h"
#include "web/listen.h"

/* One listener's options, as serve.<listener>.cors.* configure them. */
struct opts {
	const struct oconf_list	*origins;
	const struct oconf_list	*methods;
	const struct oconf_list	*headers;
	const struct oconf_list	*exposed;
	int			 credentials;
	int			 max_age;
	int			 empty_any;	/* no origins listed: any */
	const char		*where;		/* for messages */
};

int
ocors_origin(const char *s, int want_bare, char *buf, size_t sz, int *port)
{
	struct ourl	 u;
	int		 tls, def, n;

	if (ourl_parse(s, &u) != NULL || !u.has_authority ||
	    u.host[0] == '\0' || u.has_userinfo)
		return 0;
	if (want_bare && (u.path_len != 0 || u.has_query || u.has_fragment))
		return 0;
	if (strcmp(u.scheme, "https") == 0)
		tls = 1;
	else if (strcmp(u.scheme, "http") == 0)
		tls = 0;
	else
		return 0;
	def = tls ? 443 : 80;
	if (port != NULL)
		*port = u.port != 0 ? u.port : def;
	if (u.port == 0 || u.port == def)
		n = snprintf(buf, sz, "%s://%s", u.scheme, u.host);
	else
		n = snprintf(buf, sz, "%s://%s:%d", u.scheme, u.host, u.port);
	return n > 0 && (size_t)n < sz;
}

/*
 * Whether the wildcard of a pattern (suffix: what follows its '*') is
 * bounded by a domain of two labels at least: the '*' label's rest up
 * to a '.', then "label.label" (a port dropped).  "*.example.com" and
 * "*foo.example.com" are; "*foo.com", "*.com" and a trailing '*' are
 * not (Hydra's corsx.ClassifyOrigin, without the public suffix list).
 */
static int
bounded(const char *suffix)
{
	const char	*base, *dot, *end;

	if ((base = strchr(suffix, '.')) == NULL)
		return 0;
	base++;
	if ((end = strchr(base, ':')) == NULL)
		end = base + strlen(base);
	dot = memchr(base, '.', (size_t)(end - base));
	return dot != NULL && dot > base && dot + 1 < end &&
	    end[-1] != '.';
}

int
ocors_match(const char *pattern, const char *origin)
{
	char		 pat[OCORS_ORIGIN_MAX], norm[OCORS_ORIGIN_MAX];
	const char	*star, *suffix, *mid, *sep;
	size_t		 i, plen, slen, olen;

	if (strcmp(pattern, "*") == 0)
		return 1;
	if ((star = strchr(pattern, '*')) == NULL)
		return ocors_origin(pattern, 1, norm, sizeof(norm), NULL) &&
		    strcmp(norm, origin) == 0;
	if (strlen(pattern) >= sizeof(pat) || strchr(star + 1, '*') != NULL)
		return 0;
	for (i = 0; pattern[i] != '\0'; i++)
		pat[i] = (pattern[i] >= 'A' && pattern[i] <= 'Z') ?
		    pattern[i] - 'A' + 'a' : pattern[i];
	pat[i] = '\0';
	plen = (size_t)(star - pattern);
	suffix = pat + plen + 1;
	slen = strlen(suffix);
	olen = strlen(origin);
	sep = strstr(pat, "://");
	if (sep == NULL || (size_t)(sep - pat) + 3 > plen ||
	    strncmp(origin, pat, plen) != 0)
		return 0;
	if (slen == 0 && (size_t)(sep - pat) + 3 == plen)
		return 1;		/* "<scheme>://" "*": any host */
	if (!bounded(suffix) || olen < plen + slen ||
	    strcmp(origin + olen - slen, suffix) != 0)
		return 0;
	/* The '*' stays within one label of the host. */
	for (mid = origin + plen; mid < origin + olen - slen; mid++)
		if (*mid == '.' || *mid == ':' || *mid == '/')
			return 0;
	return 1;
}

/* Whether an entry of l lets origin in; an empty l lets any when any. */
static int
listed(const struct oconf_list *l, const char *origin, int any)
{
	size_t	 i;

	if (l->n == 0)
		return any;
	for (i = 0; i < l->n; i++)
		if (ocors_match(l->v[i], origin))
			return 1;
	return 0;
}

/* The options of the request's listener. */
static void
opts_of(unsigned listener, struct opts *o)
{
	if (listener == OLISTEN_ADMIN) {
		o->origins = &oconf->admin_cors_origins;
		o->methods = &oconf->admin_cors_methods;
		o->headers = &oconf->admin_cors_headers;
		o->exposed = &oconf->admin_cors_exposed;
		o->credentials = oconf->admin_cors_credentials;
		o->max_age = oconf->admin_cors_max_age;
		o->empty_any = 0;
		o->where = "serve.admin.cors";
	} else {
		o->origins = &oconf->public_cors_origins;
		o->methods = &oconf->public_cors_methods;
		o->headers = &oconf->public_cors_headers;
		o->exposed = &oconf->public_cors_exposed;
		o->credentials = oconf->public_cors_credentials;
		o->max_age = oconf->public_cors_max_age;
		o->empty_any = 1;
		o->where = "serve.public.cors";
	}
}

/* The entries of l joined by ", ", in the arena. */
static const char *
joined(struct oreq *req, const struct oconf_list *l)
{
	const char	*s = "";
	size_t		 i;

	for (i = 0; i < l->n; i++)
		s = oarena_printf(&req->arena, "%s%s%s", s, i > 0 ? ", " : "",
		    l->v[i]);
	return s;
}

/* Whether l holds name (case-insensitively), or "*" when star. */
static int
has(const struct oconf_list *l, const char *name, size_t len, int star)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if ((star && strcmp(l->v[i], "*") == 0) ||
		    (strlen(l->v[i]) == len &&
		    strncasecmp(l->v[i], name, len) == 0))
			return 1;
	return 0;
}

/*
 * Check a preflight's Access-Control-Request-Method m and -Headers h
 * against o.  Returns 1, or 0 with a 403 naming what is not allowed in
 * err.
 */
static int
preflight_ok(const struct opts *o, const char *m, const char *h,
    struct oerr *err)
{
	const char	*p, *end;
	size_t		 len;

	if (*m == '\0' || (strcmp(m, "OPTIONS") != 0 &&
	    !has(o->methods, m, strlen(m), 0))) {
		oerr_set(err, OERR_REQUEST_FORBIDDEN, "CORS does not allow "
		    "the method \"%.16s\" here; %s.allowed_methods does not "
		    "list it.", m, o->where);
		return 0;
	}
	for (p = h; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		p += strspn(p, " \t");
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0 || (len == 6 && strncasecmp(p, "origin", 6) == 0))
			continue;
		if (!has(o->headers, p, len, 1)) {
			oerr_set(err, OERR_REQUEST_FORBIDDEN, "CORS does not "
			    "allow the request header \"%.*s\" here; "
			    "%s.allowed_headers does not list it.",
			    (int)(len > 64 ? 64 : len), p, o->where);
			return 0;
		}
	}
	return 1;
}

/* The headers of an allowed preflight, then its 204. */
static void
preflight_send(struct oreq *req, const struct opts *o, const char *h)
{
	ohttp_header(req, "Access-Control-Allow-Origin",
	    ohttp_env(req, "HTTP_ORIGIN"));
	if (o->credentials)
		ohttp_header(req, "Access-Control-Allow-Credentials", "true");
	ohttp_header(req, "Access-Control-Allow-Methods",
	    joined(req, o->methods));
	if (h != NULL && *h != '\0')
		ohttp_header(req, "Access-Control-Allow-Headers", h);
	if (o->max_age > 0)
		ohttp_header(req, "Access-Control-Max-Age",
		    oarena_printf(&req->arena, "%d", o->max_age));
}

/* The headers of an allowed actual request. */
static void
actual_headers(struct oreq *req, const struct opts *o)
{
	ohttp_header(req, "Access-Control-Allow-Origin",
	    ohttp_env(req, "HTTP_ORIGIN"));
	if (o->credentials)
		ohttp_header(req, "Access-Control-Allow-Credentials", "true");
	if (o->exposed->n > 0)
		ohttp_header(req, "Access-Control-Expose-Headers",
		    joined(req, o->exposed));
	ohttp_header(req, "Vary", "Origin");
}

/*
 * Whether the client of the request (Hydra's x/oauth2cors: the form's
 * client_id, the Basic user, the client of the access token in the
 * Authorization header or the form, RFC 6750 §2.1-2.2) registered an
 * allowed_cors_origins entry letting origin in.
 */
static int
client_allows(struct oreq *req, const char *origin)
{
	struct oerr		 e;
	const struct oparams	*p = NULL;
	const char		*id = NULL, *secret, *tok = NULL;
	json_t			*a, *v;
	size_t			 i;
	int			 ok = 0;

	oerr_clear(&e);
	if (req->method == OHTTP_POST && (p = ohttp_form(req, &e)) != NULL)
		id = oclientauth_param(p, "client_id");
	oerr_clear(&e);
	if (id == NULL && ohttp_basic(req, &id, &secret, &e) !=
	    OHTTP_AUTH_OK)
		id = NULL;
	oerr_clear(&e);
	if (id == NULL && ohttp_bearer(req, &tok, &e) != OHTTP_AUTH_OK &&
	    (p == NULL || (tok = oclientauth_param(p, "access_token")) ==
	    NULL))
		return 0;
	if ((a = oclientauth_cors_origins(&req->arena, id, tok)) == NULL)
		return 0;
	json_array_foreach(a, i, v)
		if (json_is_string(v) && ocors_match(json_string_value(v),
		    origin)) {
			ok = 1;
			break;
		}
	json_decref(a);
	return ok;
}

int
ocors_public_applies(struct oreq *req)
{
	const char	*hv;

	return req->listener == OLISTEN_PUBLIC && oconf != NULL &&
	    oconf->public_cors && (hv = ohttp_env(req, "HTTP_ORIGIN")) !=
	    NULL && *hv != '\0';
}

int
ocors_public(struct oreq *req, int wrapped)
{
	struct opts	 o;
	struct oerr	 err;
	const char	*hv, *m, *h;
	char		 origin[OCORS_ORIGIN_MAX];
	int		 ok;

	if (!ocors_public_applies(req))
		return 0;
	hv = ohttp_env(req, "HTTP_ORIGIN");
	opts_of(req->listener, &o);
	ok = ocors_origin(hv, 1, origin, sizeof(origin), NULL);
	if (req->method == OHTTP_OPTIONS && (m = ohttp_env(req,
	    "HTTP_ACCESS_CONTROL_REQUEST_METHOD")) != NULL) {
		/* A preflight: no credentials, so a wrapped path passes. */
		ohttp_header(req, "Vary", "Origin, "
		    "Access-Control-Request-Method, "
		    "Access-Control-Request-Headers");
		h = ohttp_env(req, "HTTP_ACCESS_CONTROL_REQUEST_HEADERS");
		oerr_clear(&err);
		if (ok && (wrapped || listed(o.origins, origin, 1)) &&
		    preflight_ok(&o, m, h, &err))
			preflight_send(req, &o, h);
		ohttp_send(req, 204, NULL, NULL, 0);
		return 1;
	}
	if (!ok || req->method == OHTTP_OPTIONS ||
	    !has(o.methods, req->method_name, strlen(req->method_name), 0))
		return 0;
	if (listed(o.origins, origin, 1) ||
	    (wrapped && client_allows(req, origin)))
		actual_headers(req, &o);
	return 0;
}

int
ocors_admin_allows(const char *origin)
{
	return oconf != NULL && oconf->admin_cors &&
	    listed(&oconf->admin_cors_origins, origin, 0);
}

int
ocors_admin_answer(struct oreq *req, struct oerr *err)
{
	struct opts	 o;
	const char	*m, *h;

	opts_of(OLISTEN_ADMIN, &o);
	if (req->method != OHTTP_OPTIONS || (m = ohttp_env(req,
	    "HTTP_ACCESS_CONTROL_REQUEST_METHOD")) == NULL) {
		actual_headers(req, &o);
		return 0;
	}
	ohttp_header(req, "Vary", "Origin, Access-Control-Request-Method, "
	    "Access-Control-Request-Headers");
	h = ohttp_env(req, "HTTP_ACCESS_CONTROL_REQUEST_HEADERS");
	if (!preflight_ok(&o, m, h, err))
		return 1;
	preflight_send(req, &o, h);
	ohttp_send(req, 204, NULL, NULL, 0);
	return 1;
}
