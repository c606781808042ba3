/*
 * oidcgi doctor PUBLIC_URL ADMIN_URL [--admin-key KEY | --admin-key-file FILE]
 *
 * Checks a running deployment from outside, as its operator would: both
 * listeners answer and route every endpoint family to oidcgi (not to the
 * web server's own error pages), the issuer in discovery is PUBLIC_URL,
 * the Authorization header reaches the binaries, the admin API is not on
 * the public listener, the configuration file is not served, bodies up
 * to serve.request_body_max reach oidcgi and larger ones get its JSON
 * 413, and, when the configuration can be loaded here (as the binaries
 * load it, or from -c FILE), the data directory's owner and mode.  One
 * line per check:
 *
 *   ok   what was checked
 *   warn what looks wrong, and what to do about it
 *   FAIL what is wrong: the fix, in one sentence
 *
 * then a summary line.  Exit status 0 when nothing failed, 1 otherwise,
 * 2 on a usage error.  No redirect is followed and every request has a
 * short timeout.  The admin key is never printed.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/curl.h"
#include "base/util.h"
#include "cli.h"

#define BODY_MAX	(1024 * 1024)	/* bytes of an answer kept */
#define CONNECT_MS	5000L
#define TIMEOUT_MS	15000L
#define KEY_MAX		1024		/* bytes of an admin key */
#define WALK_DEPTH	3		/* directory levels of the data walk */
#define BODY_DEFAULT	1048576		/* serve.request_body_max's default */
#define BODY_AT_MAX	(8 * 1024 * 1024) /* largest body sent at the limit */

/* libcurl, opened by cmd_doctor() (curl.h). */
static const struct ocurl	*cu;

enum verdict {
	V_OK,
	V_WARN,
	V_FAIL,
	V__MAX
};

/* What a 2xx answer from oidcgi looks like. */
enum shape {
	SHAPE_STATUS,		/* {"status":"ok"} */
	SHAPE_VERSION,		/* {"version":"..."} */
	SHAPE_DISCOVERY,	/* {"issuer":"...", ...} */
	SHAPE_JWKS,		/* {"keys":[...]} */
	SHAPE_ARRAY,		/* [...] */
	SHAPE_ERROR,		/* never 2xx: {"error":"...", ...} */
	SHAPE_PAGE,		/* text/html with oidcgi's stylesheet */
	SHAPE_METRICS,		/* text/plain, Prometheus exposition */
	SHAPE__MAX
};

/* Which statuses a probe expects, once oidcgi answered. */
enum want {
	WANT_200,		/* 200 only */
	WANT_4XX,		/* a client error */
	WANT_ADMIN,		/* 200, or 401 (needs the admin key) */
	WANT_404,		/* unknown path: a 404 (warn otherwise) */
	WANT__MAX
};

/* One request of check 1 and how to judge its answer. */
struct probe {
	const char	*method;
	const char	*path;		/* relative to the listener's URL */
	enum shape	 shape;
	enum want	 want;
	const char	*bin;		/* the binary that serves it */
	const char	*prefix;	/* the path prefix to route to it */
	const char	*optional;	/* not routed: a warning, saying why */
};

/* One HTTP answer.  body is NUL-terminated; json is its parse or NULL. */
struct answer {
	long		 status;
	char		 ctype[128];
	char		*body;
	size_t		 len;
	size_t		 cap;
	json_t		*json;
	char		 ip[64];	/* the address connected to */
};

struct doctor {
	CURL		*curl;
	char		*pub;		/* PUBLIC_URL, ending in '/' */
	char		*adm;		/* ADMIN_URL, ending in '/' */
	const char	*key;		/* --admin-key, or NULL */
	int		 pub_unavail;	/* oidcgi answered 503 there */
	int		 adm_unavail;
	int		 auth_dropped;	/* check 3 saw the header dropped */
	unsigned	 count[V__MAX];
	char		 err[CURL_ERROR_SIZE];
};

static const struct probe public_probes[] = {
	{ "GET", "health/alive", SHAPE_STATUS, WANT_200, "health",
	    "/health/", NULL },
	{ "GET", "health/ready", SHAPE_STATUS, WANT_200, "health",
	    "/health/", NULL },
	{ "GET", "version", SHAPE_VERSION, WANT_200, "health", "/version",
	    NULL },
	{ "GET", ".well-known/openid-configuration", SHAPE_DISCOVERY,
	    WANT_200, "wellknown", "/.well-known/", NULL },
	{ "GET", ".well-known/jwks.json", SHAPE_JWKS, WANT_200, "wellknown",
	    "/.well-known/", NULL },
	{ "POST", "oauth2/token", SHAPE_ERROR, WANT_4XX, "oauth2",
	    "/oauth2/token", NULL },
	{ "POST", "token", SHAPE_ERROR, WANT_4XX, "oauth2", "/token",
	    "for Authentiq Connect's clients (/authorize and /token)" },
	{ "GET", "userinfo", SHAPE_ERROR, WANT_4XX, "oauth2", "/userinfo",
	    NULL },
	{ "GET", "oauth2/register", SHAPE_ERROR, WANT_4XX, "register",
	    "/oauth2/register", NULL },
	{ "GET", "ui/login", SHAPE_PAGE, WANT_4XX, "ui", "/ui/", NULL },
	{ "GET", "oidcgi-doctor-no-such-path", SHAPE_ERROR, WANT_404,
	    "oauth2", "every other path", "for oidcgi's JSON 404 there" },
};

static const struct probe admin_probes[] = {
	{ "GET", "admin/health/alive", SHAPE_STATUS, WANT_200, "health",
	    "/admin/health/", NULL },
	{ "GET", "admin/health/ready", SHAPE_STATUS, WANT_200, "health",
	    "/admin/health/", NULL },
	{ "GET", "admin/version", SHAPE_VERSION, WANT_200, "health",
	    "/admin/version", NULL },
	{ "GET", "admin/clients", SHAPE_ARRAY, WANT_ADMIN, "clients",
	    "/admin/clients", NULL },
	{ "GET", "admin/keys/hydra.openid.id-token", SHAPE_JWKS, WANT_ADMIN,
	    "keys", "/admin/keys/", NULL },
	{ "GET", "admin/oauth2/auth/requests/login?login_challenge=x",
	    SHAPE_ERROR, WANT_4XX, "flow", "/admin/oauth2/auth/", NULL },
	{ "GET", "admin/metrics/prometheus", SHAPE_METRICS, WANT_ADMIN,
	    "health", "/admin/metrics/", "for Prometheus metrics" },
};

/* Admin paths that must not answer 200 on the public listener. */
static const char *const admin_on_public[] = {
	"admin/clients",
	"clients",
	"keys/hydra.openid.id-token",
	"admin/keys/hydra.openid.id-token",
	"oauth2/auth/requests/login?login_challenge=x",
	"admin/oauth2/auth/requests/login?login_challenge=x",
};

/* Where a document root usually is, or what its folders are called. */
static const char *const docroot_prefixes[] = {
	"/var/www/html",
	"/var/www/localhost/htdocs",
	"/srv/www/htdocs",
	"/srv/http",
	"/usr/share/nginx/html",
	"/usr/local/www",
};
static const char *const docroot_names[] = {
	"public_html",
	"htdocs",
	"httpdocs",
	"wwwroot",
	"html",
};

static void
usage(void)
{
	fprintf(stderr, "usage: oidcgi doctor PUBLIC_URL ADMIN_URL "
	    "[--admin-key KEY | --admin-key-file FILE]\n");
}

/* Print one check's line and count it. */
static void
say(struct doctor *d, enum verdict v, const char *fmt, ...)
{
	static const char *const tag[V__MAX] = {
		"ok  ",		/* V_OK */
		"warn",		/* V_WARN */
		"FAIL",		/* V_FAIL */
	};
	va_list	 ap;

	d->count[v]++;
	printf("%s ", tag[v]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * PUBLIC_URL or ADMIN_URL checked (http or https, no query or fragment)
 * and ending in '/'.  Returns a new string (free it), or NULL.
 */
static char *
url_base(const char *in)
{
	const char	*host;
	size_t		 len;
	char		*out;

	if (strncmp(in, "http://", 7) == 0)
		host = in + 7;
	else if (strncmp(in, "https://", 8) == 0)
		host = in + 8;
	else
		return NULL;
	if (*host == '\0' || *host == '/' || strpbrk(in, "?# \t\r\n") != NULL)
		return NULL;
	len = strlen(in);
	out = oxmalloc(len + 2);
	memcpy(out, in, len + 1);
	if (out[len - 1] != '/') {
		out[len] = '/';
		out[len + 1] = '\0';
	}
	return out;
}

/* The path of a URL (from the '/' after the host), for messages. */
static const char *
url_path(const char *url)
{
	const char	*p;

	if ((p = strstr(url, "://")) == NULL)
		return url;
	if ((p = strchr(p + 3, '/')) == NULL)
		return "/";
	return p;
}

/* libcurl write callback: keep up to BODY_MAX bytes of the answer. */
static size_t
on_body(char *ptr, size_t size, size_t n, void *arg)
{
	struct answer	*a = arg;
	size_t		 len = size * n, take;

	take = len;
	if (a->len + take > BODY_MAX)
		take = BODY_MAX - a->len;
	if (take > 0) {
		if (a->len + take + 1 > a->cap) {
			a->cap = a->len + take + 1 + 4096;
			a->body = oxrealloc(a->body, a->cap);
		}
		memcpy(a->body + a->len, ptr, take);
		a->len += take;
		a->body[a->len] = '\0';
	}
	return len;
}

static void
answer_free(struct answer *a)
{
	free(a->body);
	json_decref(a->json);
	memset(a, 0, sizeof(*a));
}

/*
 * One request: method to base + path, with form as an
 * application/x-www-form-urlencoded body (POST), HTTP Basic user:pass
 * (basic, may be NULL) or a Bearer token (bearer, may be NULL).  No
 * redirect is followed.  Returns 1 with *a filled (free it with
 * answer_free()), or 0 with the transport error in d->err.
 */
static int
fetch(struct doctor *d, const char *method, const char *base,
    const char *path, const char *form, const char *basic,
    const char *bearer, struct answer *a)
{
	struct curl_slist	*hdrs = NULL, *more;
	char			*url = NULL, *auth = NULL, *ip = NULL, *ct = NULL;
	size_t			 sz;
	CURLcode		 cc;
	int			 rc = 0;

	memset(a, 0, sizeof(*a));
	d->err[0] = '\0';
	sz = strlen(base) + strlen(path) + 1;
	url = oxmalloc(sz);
	snprintf(url, sz, "%s%s", base, path);
	cu->easy_reset(d->curl);
	/* "Expect:" drops libcurl's 100-continue wait on large bodies. */
	if ((hdrs = cu->slist_append(NULL, "Accept: application/json")) ==
	    NULL || (more = cu->slist_append(hdrs, "Expect:")) == NULL) {
		snprintf(d->err, sizeof(d->err), "curl_slist_append");
		goto out;
	}
	hdrs = more;
	if (bearer != NULL) {
		sz = strlen(bearer) + 32;
		auth = oxmalloc(sz);
		snprintf(auth, sz, "Authorization: Bearer %s", bearer);
		if ((more = cu->slist_append(hdrs, auth)) == NULL) {
			snprintf(d->err, sizeof(d->err), "curl_slist_append");
			goto out;
		}
		hdrs = more;
	}
	if (cu->easy_setopt(d->curl, CURLOPT_URL, url) != CURLE_OK ||
	    cu->easy_setopt(d->curl, CURLOPT_ERRORBUFFER, d->err) !=
	    CURLE_OK ||
	    cu->easy_setopt(d->curl, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK ||
	    cu->easy_setopt(d->curl, CURLOPT_FOLLOWLOCATION, 0L) !=
	    CURLE_OK ||
	    cu->easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    cu->easy_setopt(d->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    CONNECT_MS) != CURLE_OK ||
	    cu->easy_setopt(d->curl, CURLOPT_TIMEOUT_MS, TIMEOUT_MS) !=
	    CURLE_OK ||
	    cu->easy_setopt(d->curl, CURLOPT_USERAGENT,
	    "oidcgi-doctor/" OIDCGI_VERSION) != CURLE_OK ||
	    cu->easy_setopt(d->curl, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK ||
	    cu->easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_body) !=
	    CURLE_OK ||
	    cu->easy_setopt(d->curl, CURLOPT_WRITEDATA, a) != CURLE_OK) {
		snprintf(d->err, sizeof(d->err), "curl_easy_setopt");
		goto out;
	}
	if (basic != NULL &&
	    (cu->easy_setopt(d->curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC) !=
	    CURLE_OK ||
	    cu->easy_setopt(d->curl, CURLOPT_USERPWD, basic) != CURLE_OK)) {
		snprintf(d->err, sizeof(d->err), "curl_easy_setopt");
		goto out;
	}
	if (strcmp(method, "POST") == 0 &&
	    cu->easy_setopt(d->curl, CURLOPT_POSTFIELDS,
	    form != NULL ? form : "") != CURLE_OK) {
		snprintf(d->err, sizeof(d->err), "curl_easy_setopt");
		goto out;
	}
	if ((cc = cu->easy_perform(d->curl)) != CURLE_OK) {
		if (d->err[0] == '\0')
			snprintf(d->err, sizeof(d->err), "%s",
			    cu->easy_strerror(cc));
		goto out;
	}
	cu->easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &a->status);
	if (cu->easy_getinfo(d->curl, CURLINFO_CONTENT_TYPE, &ct) ==
	    CURLE_OK && ct != NULL)
		snprintf(a->ctype, sizeof(a->ctype), "%s", ct);
	if (cu->easy_getinfo(d->curl, CURLINFO_PRIMARY_IP, &ip) ==
	    CURLE_OK && ip != NULL)
		snprintf(a->ip, sizeof(a->ip), "%s", ip);
	if (a->body == NULL) {
		a->body = oxstrdup("");
		a->cap = 1;
	}
	if (strncmp(a->ctype, "application/json", 16) == 0 ||
	    strncmp(a->ctype, "application/problem+json", 24) == 0)
		a->json = json_loadb(a->body, a->len, 0, NULL);
	rc = 1;
out:
	if (auth != NULL) {
		OPENSSL_cleanse(auth, strlen(auth));
		free(auth);
	}
	cu->slist_free_all(hdrs);
	free(url);
	if (!rc)
		answer_free(a);
	return rc;
}

/* The string member name of a JSON object, or NULL. */
static const char *
jstr(const json_t *j, const char *name)
{
	return json_string_value(json_object_get(j, name));
}

/* The error_description (and hint) of an oidcgi error, for messages. */
static void
describe(const struct answer *a, char *buf, size_t sz)
{
	const char	*desc, *hint;

	desc = jstr(a->json, "error_description");
	if (desc == NULL)
		desc = jstr(a->json, "error");
	hint = jstr(a->json, "error_hint");
	if (desc == NULL)
		snprintf(buf, sz, "no description");
	else if (hint != NULL)
		snprintf(buf, sz, "\"%s\" (%s)", desc, hint);
	else
		snprintf(buf, sz, "\"%s\"", desc);
}

/* Whether the answer is oidcgi's error JSON ({"error": "...", ...}). */
static int
is_error_json(const struct answer *a)
{
	return json_is_object(a->json) && jstr(a->json, "error") != NULL;
}

/*
 * Whether the answer is oidcgi's own, in the shape the probe expects:
 * a 2xx of that shape, or an error in oidcgi's JSON (a page carrying
 * oidcgi's stylesheet under /ui/).  The web server's own error pages
 * are neither.
 */
static int
is_oidcgi(const struct probe *p, const struct answer *a)
{
	const json_t	*j = a->json;

	/* A binary that cannot start serving answers JSON 503 anywhere. */
	if (a->status == 503 && is_error_json(a))
		return 1;
	if (p->shape == SHAPE_PAGE)
		return strncmp(a->ctype, "text/html", 9) == 0 &&
		    strstr(a->body, "oidcgi.css") != NULL;
	if (a->status < 200 || a->status > 299)
		return is_error_json(a);
	switch (p->shape) {
	case SHAPE_STATUS:
		return jstr(j, "status") != NULL &&
		    strcmp(jstr(j, "status"), "ok") == 0;
	case SHAPE_VERSION:
		return jstr(j, "version") != NULL;
	case SHAPE_DISCOVERY:
		return jstr(j, "issuer") != NULL;
	case SHAPE_JWKS:
		return json_is_array(json_object_get(j, "keys"));
	case SHAPE_ARRAY:
		return json_is_array(j);
	case SHAPE_METRICS:
		return strncmp(a->ctype, "text/plain", 10) == 0 &&
		    (strstr(a->body, "# TYPE ") != NULL ||
		    strstr(a->body, "# HELP ") != NULL);
	default:
		return 0;
	}
}

/*
 * Check 1 for one listener: every probe answered by oidcgi with a
 * status it may have.  Returns 0 when the listener cannot be reached
 * at all (its first probe), else 1.
 */
static int
check_routes(struct doctor *d, const char *name, const char *base,
    const struct probe *p, size_t n)
{
	struct answer	 a;
	char		 desc[512];
	const char	*bearer;
	size_t		 i;
	int		 ok, *unavail;

	bearer = base == d->adm ? d->key : NULL;
	unavail = base == d->adm ? &d->adm_unavail : &d->pub_unavail;
	for (i = 0; i < n; i++, p++) {
		if (!fetch(d, p->method, base, p->path, NULL, NULL, bearer,
		    &a)) {
			say(d, V_FAIL, "%s %s %s%s: %s: is the web server "
			    "running, and is %s the right URL?", name,
			    p->method, url_path(base), p->path, d->err, base);
			if (i == 0)
				return 0;
			continue;
		}
		if (!is_oidcgi(p, &a)) {
			if (p->optional != NULL && a.status == 404)
				say(d, V_WARN, "%s %s %s%s answers %ld %s, "
				    "not oidcgi: route %s of the %s listener "
				    "to the %s binary %s", name, p->method,
				    url_path(base), p->path, a.status,
				    a.ctype[0] ? a.ctype : "(no type)",
				    p->prefix, name, p->bin, p->optional);
			else if (a.status >= 500)
				say(d, V_FAIL, "%s %s %s%s answers %ld %s, "
				    "not oidcgi: the web server could not run "
				    "the %s binary; its error log says why",
				    name, p->method, url_path(base), p->path,
				    a.status, a.ctype[0] ? a.ctype :
				    "(no type)", p->bin);
			else
				say(d, V_FAIL, "%s %s %s%s answers %ld %s, "
				    "not oidcgi: route %s on the %s listener "
				    "to the %s binary", name, p->method,
				    url_path(base), p->path, a.status,
				    a.ctype[0] ? a.ctype : "(no type)",
				    p->prefix, name, p->bin);
			answer_free(&a);
			continue;
		}
		/*
		 * oidcgi cannot open its configuration or store: said once
		 * with its reason; the other paths only show the routing.
		 */
		if (a.status == 503 && (*unavail)++ == 0) {
			describe(&a, desc, sizeof(desc));
			say(d, V_FAIL, "%s %s %s%s: oidcgi is unavailable, "
			    "503: %s: fix what it names (the web server's "
			    "error log has the same line)", name, p->method,
			    url_path(base), p->path, desc);
			answer_free(&a);
			continue;
		} else if (a.status == 503) {
			say(d, V_OK, "%s %s %s%s: routed to oidcgi (503, "
			    "unavailable as above)", name, p->method,
			    url_path(base), p->path);
			answer_free(&a);
			continue;
		}
		switch (p->want) {
		case WANT_200:
			ok = a.status == 200;
			break;
		case WANT_4XX:
			ok = a.status >= 400 && a.status <= 499;
			break;
		case WANT_ADMIN:
			/* A refused key is check_admin_key()'s to report. */
			ok = a.status == 200 || a.status == 401;
			break;
		case WANT_404:
		default:
			ok = a.status == 404;
			break;
		}
		if (ok)
			say(d, V_OK, "%s %s %s%s: %ld from oidcgi", name,
			    p->method, url_path(base), p->path, a.status);
		else if (p->optional != NULL && a.status == 404)
			say(d, V_WARN, "%s %s %s%s: 404 from oidcgi: this "
			    "version of oidcgi does not serve it", name,
			    p->method, url_path(base), p->path);
		else if (a.status == 404 && base == d->adm)
			say(d, V_FAIL, "%s %s %s%s: 404 from oidcgi: make "
			    "ADMIN_URL urls.self.admin, and run the binaries "
			    "behind it with OIDCGI_LISTENER=admin", name,
			    p->method, url_path(base), p->path);
		else if (a.status == 404)
			say(d, V_FAIL, "%s %s %s%s: 404 from oidcgi: make "
			    "PUBLIC_URL urls.self.issuer, and run the binaries "
			    "behind it without OIDCGI_LISTENER=admin", name,
			    p->method, url_path(base), p->path);
		else {
			describe(&a, desc, sizeof(desc));
			say(d, V_FAIL, "%s %s %s%s answers %ld: %s: %s", name,
			    p->method, url_path(base), p->path, a.status,
			    desc, a.status >= 500 ?
			    "fix what it names (the web server's error log "
			    "has the same line)" : "this oidcgi does not "
			    "answer as expected; check its version");
		}
		answer_free(&a);
	}
	return 1;
}

/*
 * Check 2: discovery names PUBLIC_URL as the issuer, every endpoint
 * under it, and the introspection endpoint under ADMIN_URL.
 */
static void
check_discovery(struct doctor *d)
{
	struct answer	 a;
	const char	*iss, *key, *v;
	json_t		*val;
	size_t		 bad = 0;

	if (!fetch(d, "GET", d->pub, ".well-known/openid-configuration",
	    NULL, NULL, NULL, &a))
		return;		/* check_routes() said so */
	if ((iss = jstr(a.json, "issuer")) == NULL) {
		answer_free(&a);
		return;		/* check_routes() said so */
	}
	if (strcmp(iss, d->pub) != 0)
		say(d, V_FAIL, "discovery: the issuer is %s, not %s: set "
		    "urls.self.issuer = %s in the configuration", iss, d->pub,
		    d->pub);
	else
		say(d, V_OK, "discovery: the issuer is %s", iss);
	json_object_foreach(a.json, key, val) {
		if ((v = json_string_value(val)) == NULL)
			continue;
		if (strcmp(key, "introspection_endpoint") == 0) {
			if (strncmp(v, d->adm, strlen(d->adm)) != 0) {
				say(d, V_FAIL, "discovery: %s is %s, not under "
				    "%s: set urls.self.admin = %s in the "
				    "configuration", key, v, d->adm, d->adm);
				bad++;
			}
			continue;
		}
		if (strcmp(key, "jwks_uri") != 0 &&
		    strcmp(key, "check_session_iframe") != 0 &&
		    (strlen(key) < 9 ||
		    strcmp(key + strlen(key) - 9, "_endpoint") != 0))
			continue;
		if (strncmp(v, d->pub, strlen(d->pub)) != 0) {
			say(d, V_FAIL, "discovery: %s is %s, not under %s: set "
			    "urls.self.issuer = %s in the configuration", key,
			    v, d->pub, d->pub);
			bad++;
		}
	}
	if (bad == 0)
		say(d, V_OK, "discovery: every endpoint is under %s (and "
		    "introspection under %s)", d->pub, d->adm);
	if (strncmp(d->pub, "https://", 8) != 0 && a.ip[0] != '\0' &&
	    !(strncmp(a.ip, "127.", 4) == 0 || strcmp(a.ip, "::1") == 0))
		say(d, V_WARN, "discovery: the issuer is not https: OpenID "
		    "Connect requires TLS; serve %s over https and set "
		    "urls.self.issuer to that", d->pub);
	answer_free(&a);
}

/*
 * Check 3 on the public listener: client_credentials with Basic
 * credentials of a client that cannot exist.  oidcgi answers 401
 * invalid_client either way; its hint says "is unknown" when it read
 * the id from the header and "names no client" when the header never
 * arrived (cgi-bin/oauth2/token.c).
 */
static void
check_auth_public(struct doctor *d)
{
	struct answer	 a;
	char		 rnd[32], basic[80], desc[512];
	const char	*hint, *text;

	if (!ocrypto_token(rnd, sizeof(rnd), 12)) {
		say(d, V_FAIL, "authorization: ocrypto_token failed");
		return;
	}
	snprintf(basic, sizeof(basic), "oidcgi-doctor-probe-%s:x", rnd);
	if (!fetch(d, "POST", d->pub, "oauth2/token",
	    "grant_type=client_credentials", basic, NULL, &a))
		return;		/* check_routes() said so */
	hint = jstr(a.json, "error_hint");
	text = jstr(a.json, "error_description");
	if (!is_error_json(&a))
		say(d, V_FAIL, "authorization: POST %soauth2/token answers "
		    "%ld %s, not oidcgi: route /oauth2/token on the public "
		    "listener to the oauth2 binary", url_path(d->pub),
		    a.status, a.ctype[0] ? a.ctype : "(no type)");
	else if (a.status == 401 &&
	    ((hint != NULL && strstr(hint, "is unknown") != NULL) ||
	    (text != NULL && strstr(text, "is unknown") != NULL)))
		say(d, V_OK, "authorization: the Authorization header reaches "
		    "the public binaries");
	else if (a.status == 401 &&
	    ((hint != NULL && strstr(hint, "names no client") != NULL) ||
	    (text != NULL && strstr(text, "names no client") != NULL))) {
		d->auth_dropped = 1;
		say(d, V_FAIL, "authorization: the Authorization header does "
		    "not reach the public binaries (client_secret_basic, "
		    "userinfo and introspection fail): Apache needs "
		    "\"CGIPassAuth On\" (on a shared host: RewriteRule .* - "
		    "[E=HTTP_AUTHORIZATION:%%{HTTP:Authorization}]), nginx "
		    "needs \"fastcgi_param HTTP_AUTHORIZATION "
		    "$http_authorization;\"");
	} else {
		describe(&a, desc, sizeof(desc));
		say(d, V_FAIL, "authorization: POST %soauth2/token with an "
		    "unknown client answers %ld: %s, not 401 invalid_client: "
		    "check what sits between the web server and oidcgi",
		    url_path(d->pub), a.status, desc);
	}
	answer_free(&a);
}

/*
 * Whether ip (as libcurl reports the address it connected to) is a
 * loopback, private or link-local address.
 */
static int
ip_private(const char *ip)
{
	unsigned char	 b[16];

	if (inet_pton(AF_INET, ip, b) == 1)
		return b[0] == 127 || b[0] == 10 ||
		    (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		    (b[0] == 192 && b[1] == 168) ||
		    (b[0] == 169 && b[1] == 254);
	if (inet_pton(AF_INET6, ip, b) == 1) {
		static const unsigned char loop[16] = { [15] = 1 };

		if (memcmp(b, loop, 16) == 0)
			return 1;
		if ((b[0] & 0xfe) == 0xfc)		/* fc00::/7 */
			return 1;
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* fe80::/10 */
			return 1;
		/* ::ffff:a.b.c.d */
		if (memcmp(b, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
			char	 v4[INET_ADDRSTRLEN];

			if (inet_ntop(AF_INET, b + 12, v4, sizeof(v4)) ==
			    NULL)
				return 0;
			return ip_private(v4);
		}
	}
	return 0;
}

/*
 * Check 3 on the admin listener (with --admin-key) and the second half
 * of check 4: whether admin requests need the key, and whether the key
 * arrives.
 */
static void
check_admin_key(struct doctor *d)
{
	struct answer	 a;

	if (!fetch(d, "GET", d->adm, "admin/clients", NULL, NULL, NULL, &a))
		return;		/* check_routes() said so */
	if (!is_error_json(&a) && !json_is_array(a.json)) {
		answer_free(&a);
		return;		/* check_routes() said so */
	}
	if (a.status == 200 && d->key != NULL)
		say(d, V_WARN, "admin key: %sadmin/clients answers 200 without "
		    "a key although --admin-key was given: secrets.admin is "
		    "not set on this deployment", url_path(d->adm));
	else if (a.status == 200 && a.ip[0] != '\0' && !ip_private(a.ip))
		say(d, V_WARN, "admin key: the admin API at %s (%s, not a "
		    "loopback or private address) answers without a key: set "
		    "secrets.admin, or serve the admin listener on a private "
		    "address only", d->adm, a.ip);
	else if (a.status == 200)
		say(d, V_OK, "admin key: none needed; the admin listener is "
		    "on a private address (%s)", a.ip);
	else if (a.status == 401)
		say(d, V_OK, "admin key: the admin API refuses requests "
		    "without it");
	answer_free(&a);
	if (d->key == NULL)
		return;
	if (!fetch(d, "GET", d->adm, "admin/clients", NULL, NULL, d->key,
	    &a))
		return;
	if (a.status == 200 && json_is_array(a.json))
		say(d, V_OK, "admin key: accepted; the Authorization header "
		    "reaches the admin binaries");
	else if (a.status == 401 && d->auth_dropped)
		say(d, V_FAIL, "admin key: refused, and the Authorization "
		    "header does not reach the binaries (see above): Apache "
		    "needs \"CGIPassAuth On\", nginx \"fastcgi_param "
		    "HTTP_AUTHORIZATION $http_authorization;\"");
	else if (a.status == 401)
		say(d, V_FAIL, "admin key: %sadmin/clients refuses it (401): "
		    "give the value of secrets.admin, or pass the "
		    "Authorization header to the admin binaries (Apache: "
		    "\"CGIPassAuth On\"; nginx: \"fastcgi_param "
		    "HTTP_AUTHORIZATION $http_authorization;\")",
		    url_path(d->adm));
	else
		say(d, V_FAIL, "admin key: %sadmin/clients with the key "
		    "answers %ld %s, not 200 from oidcgi", url_path(d->adm),
		    a.status, a.ctype[0] ? a.ctype : "(no type)");
	answer_free(&a);
}

/*
 * Check 4: the admin API is not served on the public listener.  Paths
 * that also lie under ADMIN_URL (public and admin under one URL, the
 * admin part behind secrets.admin) are check_admin_key()'s business.
 */
static void
check_public_not_admin(struct doctor *d)
{
	struct answer	 a;
	char		 url[2048];
	size_t		 i, bad = 0;

	for (i = 0; i < sizeof(admin_on_public) /
	    sizeof(admin_on_public[0]); i++) {
		snprintf(url, sizeof(url), "%s%s", d->pub,
		    admin_on_public[i]);
		if (strncmp(url, d->adm, strlen(d->adm)) == 0 &&
		    strncmp(url + strlen(d->adm), "admin/", 6) == 0)
			continue;
		if (!fetch(d, "GET", d->pub, admin_on_public[i], NULL, NULL,
		    NULL, &a))
			continue;
		if (a.status == 200) {
			say(d, V_FAIL, "public: GET %s%s answers 200: the "
			    "admin API is on the public listener; route admin "
			    "paths on the admin listener only (or set "
			    "OIDCGI_LISTENER=admin only there)",
			    url_path(d->pub), admin_on_public[i]);
			bad++;
		} else if (a.status == 401 && is_error_json(&a)) {
			say(d, V_FAIL, "public: GET %s%s answers 401: the "
			    "admin API is on the public listener, behind "
			    "secrets.admin only; route admin paths on the admin "
			    "listener only (or set OIDCGI_LISTENER=admin only "
			    "there)", url_path(d->pub), admin_on_public[i]);
			bad++;
		}
		answer_free(&a);
	}
	if (bad == 0)
		say(d, V_OK, "public: no admin path answers on %s", d->pub);
}

/* Whether body looks like oidcgi's configuration file. */
static int
looks_like_conf(const struct answer *a)
{
	return strstr(a->body, "urls.self") != NULL ||
	    strstr(a->body, "secrets.") != NULL;
}

/*
 * Check 5: the configuration file is not served, beside the binaries or
 * at PUBLIC_URL, nor at the root of its host.
 */
static void
check_conf_served(struct doctor *d)
{
	static const char *const paths[] = {
		"oidcgi.conf",
		"cgi-bin/oidcgi.conf",
		"conf/oidcgi.conf",
	};
	struct answer	 a;
	char		*root, *p;
	const char	*bases[2];
	size_t		 i, k, nb = 1, bad = 0;

	/* scheme://host/ of PUBLIC_URL */
	root = oxstrdup(d->pub);
	p = strchr(strstr(root, "://") + 3, '/');
	p[1] = '\0';
	bases[0] = d->pub;
	if (strcmp(root, d->pub) != 0)
		bases[nb++] = root;
	for (k = 0; k < nb; k++)
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			if (!fetch(d, "GET", bases[k], paths[i], NULL, NULL,
			    NULL, &a))
				continue;
			if (a.status == 200 && looks_like_conf(&a)) {
				say(d, V_FAIL, "configuration: GET %s%s "
				    "serves the configuration file, secrets "
				    "included: deny it in the web server "
				    "(Apache: <Files \"oidcgi.conf\"> Require "
				    "all denied </Files>) or move it out of "
				    "the document root, then change every "
				    "secret in it", url_path(bases[k]),
				    paths[i]);
				bad++;
			}
			answer_free(&a);
		}
	if (bad == 0)
		say(d, V_OK, "configuration: oidcgi.conf is not served "
		    "under %s", root);
	free(root);
}

/*
 * A body of max bytes to POST PUBLIC_URL oauth2/token: oidcgi's own
 * answer (400: no grant_type), not the web server's refusal.  Skipped
 * above BODY_AT_MAX.  Returns the answer's status, 0 when oidcgi
 * answered, -1 when the request failed (said).
 */
static long
body_probe(struct doctor *d, size_t len, struct answer *a)
{
	char	*body;
	int	 ok;

	body = oxmalloc(len + 1);
	memset(body, 'a', len);
	body[len] = '\0';
	ok = fetch(d, "POST", d->pub, "oauth2/token", body, NULL, NULL, a);
	free(body);
	if (!ok) {
		say(d, V_FAIL, "body limit: POST %soauth2/token with %zu bytes: "
		    "%s", url_path(d->pub), len, d->err);
		return -1;
	}
	return is_error_json(a) ? 0 : a->status;
}

/*
 * Check 7: bodies up to serve.request_body_max (max; known when the
 * configuration was loaded here, else its default) reach oidcgi, and a
 * larger one is oidcgi's JSON 413, not the web server's page (a web
 * server limit below oidcgi's turns them into its own 413 or 500).
 */
static void
check_body(struct doctor *d, size_t max, int known)
{
	struct answer	 a;
	long		 st;
	const char	*fix = "Apache mod_fcgid: FcgidMaxRequestLen; Apache: "
			    "LimitRequestBody; nginx: client_max_body_size";

	if (max <= BODY_AT_MAX) {
		if ((st = body_probe(d, max, &a)) == -1)
			return;
		if (st != 0)
			say(d, V_FAIL, "body limit: a body of %zu bytes "
			    "(serve.request_body_max%s) answers %ld %s, not "
			    "oidcgi: raise the web server's limit above %zu "
			    "(%s)", max, known ? "" : ", its default", st,
			    a.ctype[0] ? a.ctype : "(no type)", max, fix);
		else if (a.status == 413)
			say(d, V_WARN, "body limit: oidcgi refuses %zu bytes: "
			    "its serve.request_body_max is lower than %s",
			    max, known ? "the configuration here says" :
			    "the default");
		answer_free(&a);
		if (st != 0)
			return;
	}
	if ((st = body_probe(d, max + 1, &a)) == -1)
		return;
	if (st == 0 && a.status == 413)
		say(d, V_OK, "body limit: bodies up to %zu bytes reach oidcgi; "
		    "a larger one is oidcgi's JSON 413", max);
	else if (st == 0 && !known)
		say(d, V_WARN, "body limit: a body of %zu bytes reaches "
		    "oidcgi: serve.request_body_max is above the default; run "
		    "doctor with the configuration to check the limit", max + 1);
	else if (st == 0)
		say(d, V_FAIL, "body limit: a body of %zu bytes answers %ld, "
		    "not 413: the binaries do not use the configuration "
		    "here", max + 1, a.status);
	else if (st == 413)
		say(d, V_WARN, "body limit: a body of %zu bytes is the web "
		    "server's own 413 page, not oidcgi's JSON: raise the web "
		    "server's limit a little above %zu, or send its 413 to "
		    "oidcgi (Apache: ErrorDocument 413; nginx: error_page 413 "
		    "with fastcgi_param REDIRECT_STATUS 413)", max + 1, max);
	else
		say(d, V_FAIL, "body limit: a body of %zu bytes answers %ld %s, "
		    "not oidcgi's JSON 413: raise the web server's limit a "
		    "little above %zu (%s)", max + 1, st, a.ctype[0] ? a.ctype :
		    "(no type)", max, fix);
	answer_free(&a);
}

/*
 * Walk dir (depth levels deep) for files not owned by uid.  Counts them
 * in *n and keeps the first one's path in first.
 */
static void
walk_owners(const char *dir, uid_t uid, int depth, size_t *n,
    char *first, size_t firstsz, uid_t *firstuid)
{
	DIR		*dp;
	struct dirent	*de;
	struct stat	 st;
	char		 path[PATH_MAX];

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    de->d_name) >= sizeof(path))
			continue;
		if (lstat(path, &st) == -1)
			continue;
		if (st.st_uid != uid) {
			if (*n == 0) {
				snprintf(first, firstsz, "%s", path);
				*firstuid = st.st_uid;
			}
			(*n)++;
		}
		if (S_ISDIR(st.st_mode) && depth > 1)
			walk_owners(path, uid, depth - 1, n, first, firstsz,
			    firstuid);
	}
	closedir(dp);
}

/* A user's name, or its number, in buf. */
static const char *
user_name(uid_t uid, char *buf, size_t sz)
{
	struct passwd	*pw;

	if ((pw = getpwuid(uid)) != NULL)
		snprintf(buf, sz, "%s", pw->pw_name);
	else
		snprintf(buf, sz, "%lu", (unsigned long)uid);
	return buf;
}

/*
 * A document root that path (absolute, resolved) may lie under, guessed
 * from DOCUMENT_ROOT, the usual places, the usual folder names and
 * .htaccess files in its parents; into buf.  Returns 1 when one is
 * found.
 */
static int
guess_docroot(const char *path, char *buf, size_t sz)
{
	const char	*dr, *s, *e;
	char		 dir[PATH_MAX], probe[PATH_MAX + 16];
	size_t		 i, len;
	char		*slash;

	dr = getenv("DOCUMENT_ROOT");
	if (dr != NULL && *dr == '/' && strncmp(path, dr, strlen(dr)) == 0 &&
	    (path[strlen(dr)] == '/' || path[strlen(dr)] == '\0')) {
		snprintf(buf, sz, "%s", dr);
		return 1;
	}
	for (i = 0; i < sizeof(docroot_prefixes) /
	    sizeof(docroot_prefixes[0]); i++) {
		len = strlen(docroot_prefixes[i]);
		if (strncmp(path, docroot_prefixes[i], len) == 0 &&
		    (path[len] == '/' || path[len] == '\0')) {
			snprintf(buf, sz, "%s", docroot_prefixes[i]);
			return 1;
		}
	}
	for (s = path; *s != '\0'; s = e) {
		while (*s == '/')
			s++;
		if ((e = strchr(s, '/')) == NULL)
			e = s + strlen(s);
		for (i = 0; i < sizeof(docroot_names) /
		    sizeof(docroot_names[0]); i++)
			if ((size_t)(e - s) == strlen(docroot_names[i]) &&
			    strncmp(s, docroot_names[i], e - s) == 0) {
				snprintf(buf, sz, "%.*s", (int)(e - path),
				    path);
				return 1;
			}
	}
	snprintf(dir, sizeof(dir), "%s", path);
	while ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		snprintf(probe, sizeof(probe), "%s/.htaccess", dir);
		if (access(probe, F_OK) == 0) {
			snprintf(buf, sz, "%s (it has an .htaccess)", dir);
			return 1;
		}
	}
	return 0;
}

/*
 * A configuration file inside a document root (a shared host's, beside
 * the binaries) that belongs to someone other than the data directory's
 * owner: the web server runs the site's CGI programs as that owner, not
 * as the site's user, i.e. without suexec.  Every other site's scripts
 * on such a host run as that user too, and can read the store.
 */
static void
check_shared_user(struct doctor *d, const struct oconf *c,
    const struct stat *data, const char *owner)
{
	struct stat	 st;
	char		 real[PATH_MAX], root[PATH_MAX + 32], who[64];

	if (c->path == NULL || realpath(c->path, real) == NULL ||
	    stat(real, &st) == -1 || st.st_uid == data->st_uid ||
	    !guess_docroot(real, root, sizeof(root)))
		return;
	say(d, V_WARN, "local: the site's files (%s) belong to %s but the "
	    "data directory to %s: the web server runs your CGI programs as "
	    "%s (no suexec), as it runs every other site's scripts on this "
	    "host, which can then read the store and its secrets; run "
	    "oidcgi where CGI programs run as their owner (suexec) or on a "
	    "host of your own", real, user_name(st.st_uid, who, sizeof(who)),
	    owner, owner);
}

/*
 * Check 6: with the configuration loaded as the binaries load it, the
 * data directory: it exists, 0700, every file in it has its owner, and
 * it is not under a document root.
 */
static void
check_local(struct doctor *d, const struct oconf *c, const char *msg)
{
	struct stat	 st;
	char		 real[PATH_MAX], first[PATH_MAX];
	char		 owner[64], other[64], root[PATH_MAX + 32];
	size_t		 n = 0;
	uid_t		 firstuid = 0;

	if (c == NULL) {
		say(d, V_WARN, "local: the configuration cannot be loaded "
		    "here (%s): data directory checks skipped; run doctor on "
		    "the server, with OIDCGI_CONFIG if needed", msg);
		return;
	}
	if (c->path != NULL && c->issuer != NULL &&
	    strcmp(c->issuer, d->pub) != 0)
		say(d, V_WARN, "local: %s names the issuer %s, not %s: the "
		    "local checks below may be of another deployment",
		    c->path, c->issuer, d->pub);
	if (stat(c->data_dir, &st) == -1) {
		if (c->path == NULL && getenv("OIDCGI_DATA_DIR") == NULL)
			say(d, V_WARN, "local: no configuration file and no "
			    "data directory %s here: data directory checks "
			    "skipped; run doctor on the server, with "
			    "OIDCGI_CONFIG if needed", c->data_dir);
		else
			say(d, V_FAIL, "local: the data directory %s does not "
			    "exist: create it with \"oidcgi init --user USER\" "
			    "run as root, USER being the user the web server "
			    "runs the binaries as", c->data_dir);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		say(d, V_FAIL, "local: %s is not a directory: point "
		    "OIDCGI_DATA_DIR (or dsn) at a directory", c->data_dir);
		return;
	}
	if (realpath(c->data_dir, real) == NULL)
		snprintf(real, sizeof(real), "%s", c->data_dir);
	user_name(st.st_uid, owner, sizeof(owner));
	if (st.st_mode & 077)
		say(d, V_WARN, "local: the data directory %s (owner %s) has "
		    "mode %04o, open to group or others: chmod 700 %s", real,
		    owner, (unsigned)(st.st_mode & 07777), real);
	else
		say(d, V_OK, "local: the data directory %s is owned by %s, "
		    "mode %04o", real, owner, (unsigned)(st.st_mode & 07777));
	walk_owners(real, st.st_uid, WALK_DEPTH, &n, first, sizeof(first),
	    &firstuid);
	if (n > 0)
		say(d, V_FAIL, "local: %zu file%s in %s %s not owned by %s "
		    "(%s belongs to %s), so the binaries may fail to open "
		    "the store: chown -R %s %s", n, n == 1 ? "" : "s", real,
		    n == 1 ? "is" : "are", owner, first,
		    user_name(firstuid, other, sizeof(other)), owner, real);
	else
		say(d, V_OK, "local: every file in %s belongs to %s", real,
		    owner);
	if (guess_docroot(real, root, sizeof(root)))
		say(d, V_WARN, "local: the data directory %s seems to be "
		    "under a document root, %s: if the web server serves it, "
		    "anyone can download the store and its secrets; move it "
		    "out (OIDCGI_DATA_DIR, or dsn in the configuration)",
		    real, root);
	check_shared_user(d, c, &st, owner);
}

/* The admin key from the first line of file into buf. */
static int
read_key(const char *file, char *buf, size_t sz)
{
	FILE	*f;
	size_t	 len;
	int	 rc = 0;

	if ((f = fopen(file, "r")) == NULL) {
		fprintf(stderr, "oidcgi: %s: cannot open\n", file);
		return 0;
	}
	if (fgets(buf, sz, f) == NULL)
		fprintf(stderr, "oidcgi: %s: empty\n", file);
	else {
		len = strcspn(buf, "\r\n");
		buf[len] = '\0';
		if (len == 0)
			fprintf(stderr, "oidcgi: %s: empty first line\n",
			    file);
		else
			rc = 1;
	}
	fclose(f);
	return rc;
}

int
cmd_doctor(const char *conffile, int argc, char *argv[])
{
	struct doctor	 d;
	struct oconf	 c;
	char		 keybuf[KEY_MAX], msg[512];
	const char	*urls[2] = { NULL, NULL };
	int		 k, nurl = 0, pub_ok, adm_ok, loaded, rc = 2;

	memset(&d, 0, sizeof(d));
	keybuf[0] = '\0';
	for (k = 0; k < argc; k++) {
		if (strcmp(argv[k], "--admin-key") == 0 && k + 1 < argc &&
		    d.key == NULL)
			d.key = argv[++k];
		else if (strcmp(argv[k], "--admin-key-file") == 0 &&
		    k + 1 < argc && d.key == NULL) {
			if (!read_key(argv[++k], keybuf, sizeof(keybuf)))
				goto out;
			d.key = keybuf;
		} else if (argv[k][0] != '-' && nurl < 2)
			urls[nurl++] = argv[k];
		else {
			usage();
			goto out;
		}
	}
	if (nurl != 2) {
		usage();
		goto out;
	}
	if ((d.pub = url_base(urls[0])) == NULL ||
	    (d.adm = url_base(urls[1])) == NULL) {
		fprintf(stderr, "oidcgi: %s: not an http or https URL without "
		    "query or fragment\n", d.pub == NULL ? urls[0] : urls[1]);
		goto out;
	}
	rc = 1;
	if ((cu = ocurl()) == NULL) {
		fprintf(stderr, "oidcgi: doctor needs libcurl (libcurl.so.4), "
		    "which cannot be loaded here\n");
		goto out;
	}
	if ((d.curl = cu->easy_init()) == NULL) {
		fprintf(stderr, "oidcgi: curl_easy_init\n");
		goto out;
	}
	memset(&c, 0, sizeof(c));
	loaded = oconf_load(&c, conffile, msg, sizeof(msg));
	pub_ok = check_routes(&d, "public", d.pub, public_probes,
	    sizeof(public_probes) / sizeof(public_probes[0]));
	adm_ok = check_routes(&d, "admin", d.adm, admin_probes,
	    sizeof(admin_probes) / sizeof(admin_probes[0]));
	/* An unavailable listener cannot be checked any further. */
	if (pub_ok && !d.pub_unavail) {
		check_discovery(&d);
		check_auth_public(&d);
	}
	if (adm_ok && !d.adm_unavail)
		check_admin_key(&d);
	if (pub_ok) {
		check_public_not_admin(&d);
		check_conf_served(&d);
	}
	if (pub_ok && !d.pub_unavail)
		check_body(&d, loaded ? c.body_max : BODY_DEFAULT, loaded);
	check_local(&d, loaded ? &c : NULL, msg);
	oconf_free(&c);
	printf("%u ok, %u warnings, %u failed\n", d.count[V_OK],
	    d.count[V_WARN], d.count[V_FAIL]);
	rc = d.count[V_FAIL] > 0;
	cu->easy_cleanup(d.curl);
out:
	OPENSSL_cleanse(keybuf, sizeof(keybuf));
	free(d.pub);
	free(d.adm);
	return rc;
}
