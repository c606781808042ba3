/*
 * http.c: requests and responses over FastCGI or plain CGI, and the
 * serving loop every binary runs (see http.h).
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <fcgiapp.h>
#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "web/extern.h"
#include "web/http.h"
#include "web/listen.h"

static const struct {
	int		 status;
	const char	*reason;
} reasons[] = {
	{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
	{ 302, "Found" }, { 303, "See Other" }, { 304, "Not Modified" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" },
	{ 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 409, "Conflict" }, { 410, "Gone" },
	{ 413, "Payload Too Large" }, { 414, "URI Too Long" },
	{ 421, "Misdirected Request" },
	{ 415, "Unsupported Media Type" }, { 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 503, "Service Unavailable" },
};

const char *
ohttp_reason(int status)
{
	size_t	 i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

/* A variable of the request itself, without REDIRECT_ fallback. */
static const char *
env1(void *arg, const char *name)
{
	struct oreq	*req = arg;

	if (req->io->fcgi != NULL)
		return FCGX_GetParam(name, req->io->fcgi->envp);
	return getenv(name);
}

const char *
ohttp_env(struct oreq *req, const char *name)
{
	if (strcmp(name, "HTTP_AUTHORIZATION") != 0 &&
	    strncmp(name, "OIDCGI_", 7) != 0)
		return env1(req, name);
	return oenv_lookup(name, env1, req);
}

/* Read up to n bytes of the body; returns how many were read. */
static size_t
io_read(struct oreq *req, char *buf, size_t n)
{
	size_t	 got = 0;
	int	 r;

	if (req->io->fcgi == NULL)
		return fread(buf, 1, n, stdin);
	while (got < n) {
		r = FCGX_GetStr(buf + got, n - got > (1 << 20) ?
		    (1 << 20) : (int)(n - got), req->io->fcgi->in);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static void
io_write(struct oreq *req, const char *buf, size_t n)
{
	if (n == 0)
		return;
	if (req->io->fcgi == NULL)
		fwrite(buf, 1, n, stdout);
	else
		FCGX_PutStr(buf, (int)n, req->io->fcgi->out);
}

static void
io_puts(struct oreq *req, const char *s)
{
	io_write(req, s, strlen(s));
}

const struct oparams *
ohttp_query(struct oreq *req, struct oerr *err)
{
	if (!req->qs_done) {
		if (!oform_parse(&req->arena, req->query, strlen(req->query),
		    &req->qs, err))
			return NULL;
		req->qs_done = 1;
	}
	return &req->qs;
}

const char *
ohttp_body(struct oreq *req, size_t *len, struct oerr *err)
{
	const char	*cl;
	long long	 n = 0;
	size_t		 max, got;

	if (req->body_done) {
		if (len != NULL)
			*len = req->bodylen;
		return req->body;
	}
	max = oconf != NULL ? oconf->body_max : 1048576;
	cl = ohttp_env(req, "CONTENT_LENGTH");
	if (cl != NULL && *cl != '\0' &&
	    !ostrtonum(cl, strlen(cl), 0, 0x7fffffffffffffffLL, &n)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The Content-Length header is not a number.");
		return NULL;
	}
	/* NOTE: CHECKED BEFORE ANYTHING IS READ OR ALLOCATED. */
	if ((unsigned long long)n > max) {
		oerr_set(err, OERR_PAYLOAD_TOO_LARGE,
		    "The request body is larger than %zu bytes.", max);
		return NULL;
	}
	req->body = oarena_alloc(&req->arena, (size_t)n + 1);
	got = io_read(req, req->body, (size_t)n);
	if (got != (size_t)n) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The request body is shorter than its Content-Length.");
		return NULL;
	}
	req->body[n] = '\0';
	req->bodylen = (size_t)n;
	req->body_done = 1;
	if (len != NULL)
		*len = req->bodylen;
	return req->body;
}

/*
 * 1 if the Content-Type is the media type want (parameters such as
 * charset are allowed; the comparison ignores case, RFC 9110 §8.3.1).
 */
static int
media_type_is(const char *ct, const char *want)
{
	size_t	 n = strlen(want);

	if (ct == NULL || strncasecmp(ct, want, n) != 0)
		return 0;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

const struct oparams *
ohttp_form(struct oreq *req, struct oerr *err)
{
	static struct oparams	 empty;
	struct oparams		*p;
	const char		*body;
	size_t			 len;

	if ((body = ohttp_body(req, &len, err)) == NULL)
		return NULL;
	if (len == 0 && ohttp_env(req, "CONTENT_TYPE") == NULL)
		return &empty;
	if (!media_type_is(ohttp_env(req, "CONTENT_TYPE"),
	    "application/x-www-form-urlencoded")) {
		oerr_set(err, OERR_INVALID_REQUEST, "The request body must "
		    "be of type application/x-www-form-urlencoded.");
		return NULL;
	}
	p = oarena_alloc(&req->arena, sizeof(*p));
	if (!oform_parse(&req->arena, body, len, p, err))
		return NULL;
	return p;
}

/*
 * 1 if the request's Content-Type is one a JSON body may have:
 * application/json, and on PATCH also application/json-patch+json
 * (RFC 6902 §6), the one PATCH (/clients/{id}) taking a patch.  Any
 * other (text/plain, a form, none) is what a page of another site can
 * send without a CORS preflight (Fetch, "CORS-safelisted request
 * header"), so it is refused rather than parsed.
 */
static int
json_type_ok(struct oreq *req)
{
	const char	*ct = ohttp_env(req, "CONTENT_TYPE");

	return media_type_is(ct, "application/json") ||
	    (req->method == OHTTP_PATCH &&
	    media_type_is(ct, "application/json-patch+json"));
}

json_t *
ohttp_json(struct oreq *req, int want_object, struct oerr *err)
{
	const char	*body;
	size_t		 len;

	if ((body = ohttp_body(req, &len, err)) == NULL)
		return NULL;
	if (len > 0 && !json_type_ok(req)) {
		oerr_set(err, OERR_UNSUPPORTED_MEDIA_TYPE, "The request body "
		    "must be of type application/json%s.",
		    req->method == OHTTP_PATCH ?
		    " (or application/json-patch+json)" : "");
		return NULL;
	}
	return ojson_parse(body, len, want_object, err);
}

/*
 * Whether cookies carry the __Host- prefix (RFC 6265bis §4.1.3.2): when
 * the issuer is https at the root path, so that every cookie can be
 * Secure with Path=/ and no Domain, and a sibling host cannot plant
 * one (cookie tossing).
 */
static int
host_prefix(void)
{
	const char	*p;

	if (oconf == NULL || strncasecmp(oconf->issuer, "https://", 8) != 0)
		return 0;
	p = strchr(oconf->issuer + 8, '/');
	return p != NULL && strcmp(p, "/") == 0;
}

const struct oparams *
ohttp_cookies(struct oreq *req)
{
	const char	*h, *p, *end, *semi, *eq;
	size_t		 n = 0, cap = 1, i, j, k;
	int		 prefix = host_prefix();
	char		*drop;
	struct oparams	*c = &req->cookies;

	if (req->cookies_done)
		return c;
	req->cookies_done = 1;
	h = ohttp_env(req, "HTTP_COOKIE");
	if (h == NULL || strlen(h) > OHTTP_COOKIE_MAX)
		return c;
	for (p = h; *p != '\0'; p++)
		if (*p == ';')
			cap++;
	c->v = oarena_alloc(&req->arena, cap * sizeof(*c->v));
	for (p = h; *p != '\0' && n < cap; p = *semi ? semi + 1 : semi) {
		semi = strchr(p, ';');
		if (semi == NULL)
			semi = p + strlen(p);
		while (p < semi && (*p == ' ' || *p == '\t'))
			p++;
		end = semi;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL || eq == p)
			continue;
		/*
		 * With the prefix, only __Host- cookies are ours, under
		 * their names without it; others are ignored.
		 */
		if (prefix) {
			if (eq - p <= 7 || strncmp(p, "__Host-", 7) != 0)
				continue;
			p += 7;
		}
		c->v[n].name = oarena_strndup(&req->arena, p,
		    (size_t)(eq - p));
		/* RFC 6265 §4.1.1: a value may be DQUOTEd. */
		if (end - eq >= 3 && eq[1] == '"' && end[-1] == '"')
			c->v[n].value = oarena_strndup(&req->arena, eq + 2,
			    (size_t)(end - eq - 3));
		else
			c->v[n].value = oarena_strndup(&req->arena, eq + 1,
			    (size_t)(end - eq - 1));
		c->v[n].vlen = strlen(c->v[n].value);
		n++;
	}
	/*
	 * A name sent twice (a cookie planted beside ours with another
	 * Path or Domain) is refused: every copy is dropped, so the name
	 * is absent rather than whichever comes first.
	 */
	drop = oarena_alloc(&req->arena, n + 1);
	for (i = 0; i < n; i++)
		for (drop[i] = 0, j = 0; j < n && !drop[i]; j++)
			drop[i] = j != i &&
			    strcmp(c->v[i].name, c->v[j].name) == 0;
	for (i = 0, k = 0; i < n; i++)
		if (!drop[i])
			c->v[k++] = c->v[i];
	c->n = k;
	return c;
}

/*
 * The credentials after the scheme in the Authorization header when the
 * scheme (case-insensitive, RFC 9110 §11.1) is the one wanted, else NULL.
 * A bare scheme gives "", which callers refuse as malformed.
 */
static const char *
auth_scheme(struct oreq *req, const char *scheme)
{
	const char	*h;
	size_t		 n = strlen(scheme);

	h = ohttp_env(req, "HTTP_AUTHORIZATION");
	if (h == NULL || strncasecmp(h, scheme, n) != 0 ||
	    (h[n] != ' ' && h[n] != '\0'))
		return NULL;
	for (h += n; *h == ' '; h++)
		continue;
	return h;
}

enum ohttp_auth
ohttp_basic(struct oreq *req, const char **id, const char **secret,
    struct oerr *err)
{
	const char	*h, *colon;
	char		*buf = NULL;
	size_t		 len, blen = 0;
	enum ohttp_auth	 rc = OHTTP_AUTH_BAD;

	if ((h = auth_scheme(req, "Basic")) == NULL)
		return OHTTP_AUTH_NONE;
	len = strlen(h);
	if (len == 0 || len > OHTTP_AUTH_MAX) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The Authorization header is empty or too long.");
		goto out;
	}
	blen = len;
	buf = oarena_alloc(&req->arena, blen + 1);
	if (!ocrypto_b64_decode(buf, blen, &len, h, len)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The Basic credentials are not valid base64.");
		goto out;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL ||
	    (colon = memchr(buf, ':', len)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST, "The Basic credentials "
		    "must be a client id and secret separated by ':'.");
		goto out;
	}
	/* RFC 6749 §2.3.1: both halves are form-urlencoded. */
	*id = oform_decode(&req->arena, buf, (size_t)(colon - buf), 1,
	    NULL);
	*secret = oform_decode(&req->arena, colon + 1,
	    len - (size_t)(colon - buf) - 1, 1, NULL);
	if (*id == NULL || *secret == NULL || **id == '\0') {
		oerr_set(err, OERR_INVALID_REQUEST, "The Basic credentials "
		    "are not correctly form-urlencoded, or the client id is "
		    "empty.");
		goto out;
	}
	rc = OHTTP_AUTH_OK;
out:
	if (buf != NULL)
		ocrypto_wipe(buf, blen);
	return rc;
}

enum ohttp_auth
ohttp_bearer(struct oreq *req, const char **token, struct oerr *err)
{
	return ohttp_token_auth(req, "Bearer", token, err);
}

enum ohttp_auth
ohttp_token_auth(struct oreq *req, const char *scheme, const char **token,
    struct oerr *err)
{
	const char	*h;
	size_t		 i, len;

	if ((h = auth_scheme(req, scheme)) == NULL)
		return OHTTP_AUTH_NONE;
	len = strlen(h);
	/* RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-._~+/" ) *"=" */
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)h[i]) &&
		    strchr("-._~+/", h[i]) == NULL)
			break;
	while (i < len && h[i] == '=')
		i++;
	if (len == 0 || i != len || len > OHTTP_AUTH_MAX) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The %s token in the Authorization header is "
		    "malformed.", scheme);
		return OHTTP_AUTH_BAD;
	}
	*token = oarena_strndup(&req->arena, h, len);
	return OHTTP_AUTH_OK;
}

/* 1 if s holds no CR, LF or NUL (no header splitting). */
static int
header_safe(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

void
ohttp_header(struct oreq *req, const char *name, const char *value)
{
	if (req->nhdrs == OHTTP_HEADERS_MAX || !header_safe(name) ||
	    !header_safe(value)) {
		olog_err("response header %s dropped", name);
		return;
	}
	req->hdrs[req->nhdrs].name = oarena_strdup(&req->arena, name);
	req->hdrs[req->nhdrs].value = oarena_strdup(&req->arena, value);
	req->nhdrs++;
}

void
ohttp_cookie(struct oreq *req, const char *name, const char *value,
    long long max_age, const char *path, unsigned flags)
{
	char	*c;

	if (host_prefix()) {
		/* RFC 6265bis §4.1.3.2: Secure, Path=/, no Domain. */
		name = oarena_printf(&req->arena, "__Host-%s", name);
		path = "/";
		flags |= OHTTP_COOKIE_SECURE;
	}
	c = oarena_printf(&req->arena, "%s=%s; Path=%s", name,
	    max_age == 0 ? "" : value, path != NULL ? path : "/");
	if (max_age >= 0)
		c = oarena_printf(&req->arena, "%s; Max-Age=%lld", c,
		    max_age);
	if (flags & OHTTP_COOKIE_HTTPONLY)
		c = oarena_printf(&req->arena, "%s; HttpOnly", c);
	if (flags & (OHTTP_COOKIE_SECURE | OHTTP_COOKIE_NONE))
		c = oarena_printf(&req->arena, "%s; Secure", c);
	if (flags & OHTTP_COOKIE_NONE)
		c = oarena_printf(&req->arena, "%s; SameSite=None", c);
	else if (flags & OHTTP_COOKIE_LAX)
		c = oarena_printf(&req->arena, "%s; SameSite=Lax", c);
	ohttp_header(req, "Set-Cookie", c);
}

static int
has_header(const struct oreq *req, const char *name)
{
	size_t	 i;

	for (i = 0; i < req->nhdrs; i++)
		if (strcasecmp(req->hdrs[i].name, name) == 0)
			return 1;
	return 0;
}

void
ohttp_send(struct oreq *req, int status, const char *ctype,
    const char *body, size_t len)
{
	char	 line[64];
	size_t	 i;
	int	 n;

	if (req->status != 0) {
		olog_err("second response to one request dropped");
		return;
	}
	req->status = status;
	if (status == 204 || status == 304)
		len = 0;
	/*
	 * Written piece by piece: the FastCGI stream (or stdio) buffers
	 * it, so this costs no allocation and no formatting of the
	 * header block as a whole.
	 */
	n = snprintf(line, sizeof(line), "Status: %d %s\r\n", status,
	    ohttp_reason(status));
	io_write(req, line, (size_t)n);
	if (ctype != NULL && len > 0) {
		io_puts(req, "Content-Type: ");
		io_puts(req, ctype);
		io_puts(req, "\r\n");
	}
	if (status != 204 && status != 304) {
		n = snprintf(line, sizeof(line), "Content-Length: %zu\r\n",
		    len);
		io_write(req, line, (size_t)n);
	}
	/*
	 * Nothing here is for shared caches: admin answers as Hydra's
	 * (private, no-cache, no-store, must-revalidate), public ones
	 * no-store unless a handler says otherwise (RFC 6749 §5.1).
	 */
	if (!has_header(req, "Cache-Control"))
		io_puts(req, req->listener == OLISTEN_ADMIN ?
		    "Cache-Control: private, no-cache, no-store, "
		    "must-revalidate\r\nPragma: no-cache\r\n" :
		    "Cache-Control: no-store\r\nPragma: no-cache\r\n");
	io_puts(req, "X-Content-Type-Options: nosniff\r\n");
	for (i = 0; i < req->nhdrs; i++) {
		io_puts(req, req->hdrs[i].name);
		io_puts(req, ": ");
		io_puts(req, req->hdrs[i].value);
		io_puts(req, "\r\n");
	}
	io_write(req, "\r\n", 2);
	if (req->method != OHTTP_HEAD && body != NULL)
		io_write(req, body, len);
}

void
ohttp_send_json(struct oreq *req, int status, const json_t *j)
{
	char	*buf;
	size_t	 len;

	if (status == 204) {
		ohttp_send(req, status, NULL, NULL, 0);
		return;
	}
	buf = ojson_dump(&req->arena, j, &len);
	ohttp_send(req, status, "application/json; charset=utf-8", buf,
	    len);
}

/* Send err as JSON, with error_code when coded; log a 5xx. */
static void
send_error(struct oreq *req, const struct oerr *err, int coded)
{
	json_t	*j;
	int	 status = err->status ? err->status : 500;
	int	 debug = oconf != NULL && oconf->expose_debug;

	if (status >= 500)
		olog_err("%d %s %s: %s", status, req->method_name,
		    req->path, err->description);
	j = coded ? oerr_json_hydra(err, debug) : oerr_json(err, debug);
	ohttp_send_json(req, status, j);
	json_decref(j);
}

void
ohttp_send_error(struct oreq *req, const struct oerr *err)
{
	send_error(req, err, req->listener == OLISTEN_ADMIN);
}

void
ohttp_send_oauth_error(struct oreq *req, const struct oerr *err)
{
	send_error(req, err, 0);
}

void
ohttp_redirect(struct oreq *req, int status, const char *url)
{
	ohttp_header(req, "Location", url);
	ohttp_send(req, status, NULL, NULL, 0);
}

void
ohttp_error_page(struct oreq *req, const struct oerr *err)
{
	char	*url;

	url = oarena_printf(&req->arena, "%s%serror=%s&error_description=%s",
	    oconf->url_error, strchr(oconf->url_error, '?') ? "&" : "?",
	    oform_encode(&req->arena, oerr_name(err->code)),
	    oform_encode(&req->arena, err->description));
	if (err->hint[0] != '\0')
		url = oarena_printf(&req->arena, "%s&error_hint=%s", url,
		    oform_encode(&req->arena, err->hint));
	ohttp_redirect(req, 302, url);
}

char *
ohttp_html(struct oreq *req, const char *s)
{
	size_t	 n, i, o = 0;
	char	*out;

	if (s == NULL)
		s = "";
	n = strlen(s);
	out = oarena_alloc(&req->arena, n * 6 + 1);
	for (i = 0; i < n; i++)
		switch (s[i]) {
		case '&': memcpy(out + o, "&amp;", 5); o += 5; break;
		case '<': memcpy(out + o, "&lt;", 4); o += 4; break;
		case '>': memcpy(out + o, "&gt;", 4); o += 4; break;
		case '"': memcpy(out + o, "&quot;", 6); o += 6; break;
		case '\'': memcpy(out + o, "&#39;", 5); o += 5; break;
		default: out[o++] = s[i];
		}
	out[o] = '\0';
	return out;
}

const struct oparams *
ohttp_params(struct oreq *req, struct oerr *err)
{
	return req->method == OHTTP_POST ? ohttp_form(req, err) :
	    ohttp_query(req, err);
}

char *
ohttp_self_url(struct oreq *req, const struct oparams *p, const char *path,
    int raw, int qmark)
{
	char	*qs = "";
	size_t	 i;

	if (raw && *req->query != '\0')
		return oarena_printf(&req->arena, "%s%s?%s", oconf->issuer,
		    path, req->query);
	for (i = 0; i < p->n; i++)
		qs = oarena_printf(&req->arena, "%s%s%s=%s", qs,
		    *qs != '\0' ? "&" : "", oform_encode(&req->arena,
		    p->v[i].name), oform_encode(&req->arena, p->v[i].value));
	return oarena_printf(&req->arena, "%s%s%s%s", oconf->issuer, path,
	    qmark || *qs != '\0' ? "?" : "", qs);
}

const char *
ohttp_need(const struct oparams *q, const char *name, struct oerr *err)
{
	const char	*v = oparams_get(q, name);

	if (v == NULL || *v == '\0') {
		oerr_set(err, OERR_INVALID_REQUEST, "The query parameter '%s' "
		    "is required.", name);
		return NULL;
	}
	return v;
}
