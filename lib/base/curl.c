/*
 * curl.c: libcurl, opened when first needed (see curl.h).
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/conf.h"
#include "base/curl.h"
#include "base/err.h"
#include "base/url.h"
#include "base/util.h"

static struct ocurl	 cu;

/* A symbol of handle h into the function pointer at fp; 0 if missing. */
static int
sym(void *h, const char *name, void *fp)
{
	void	*p;

	if ((p = dlsym(h, name)) == NULL) {
		olog_err("dlsym: %s: %s", name, dlerror());
		return 0;
	}
	/* POSIX: a data pointer from dlsym() converts to a function's. */
	memcpy(fp, &p, sizeof(p));
	return 1;
}

const struct ocurl *
ocurl(void)
{
	static int	 state;		/* 1 loaded, -1 failed */
	CURLcode	 (*global_init)(long);
	void		*h;

	if (state != 0)
		return state > 0 ? &cu : NULL;
	state = -1;
	if ((h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		olog_err("dlopen: %s", dlerror());
		return NULL;
	}
	if (!sym(h, "curl_global_init", &global_init) ||
	    !sym(h, "curl_easy_init", &cu.easy_init) ||
	    !sym(h, "curl_easy_setopt", &cu.easy_setopt) ||
	    !sym(h, "curl_easy_perform", &cu.easy_perform) ||
	    !sym(h, "curl_easy_getinfo", &cu.easy_getinfo) ||
	    !sym(h, "curl_easy_reset", &cu.easy_reset) ||
	    !sym(h, "curl_easy_cleanup", &cu.easy_cleanup) ||
	    !sym(h, "curl_easy_strerror", &cu.easy_strerror) ||
	    !sym(h, "curl_multi_init", &cu.multi_init) ||
	    !sym(h, "curl_multi_add_handle", &cu.multi_add_handle) ||
	    !sym(h, "curl_multi_remove_handle", &cu.multi_remove_handle) ||
	    !sym(h, "curl_multi_perform", &cu.multi_perform) ||
	    !sym(h, "curl_multi_info_read", &cu.multi_info_read) ||
	    !sym(h, "curl_multi_poll", &cu.multi_poll) ||
	    !sym(h, "curl_multi_cleanup", &cu.multi_cleanup) ||
	    !sym(h, "curl_multi_strerror", &cu.multi_strerror) ||
	    !sym(h, "curl_slist_append", &cu.slist_append) ||
	    !sym(h, "curl_slist_free_all", &cu.slist_free_all))
		return NULL;
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		olog_err("curl_global_init");
		return NULL;
	}
	state = 1;
	return &cu;
}

/* What one ocurl_get() collects, and what its socket opener checks. */
struct get {
	char		*buf;
	size_t		 len;
	size_t		 max;
	int		 toobig;
	int		 exempt;	/* an exception URL */
	int		 loopback_ok;	/* allow_loopback_http */
	const char	*why;		/* a connection refused */
};

/* libcurl's write callback: keep at most g->max bytes. */
static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct get	*g = arg;
	size_t		 len = sz * n;

	if (len > g->max - g->len) {
		g->toobig = 1;
		return 0;
	}
	memcpy(g->buf + g->len, p, len);
	g->len += len;
	return len;
}

/* 1 if sa is 127/8, ::1 or ::ffff:127/104. */
static int
addr_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in	*in4;
	const struct sockaddr_in6	*in6;
	const unsigned char		*b;
	static const unsigned char	 one[16] = { [15] = 1 };
	static const unsigned char	 mapped[12] = { [10] = 0xff,
					    [11] = 0xff };

	if (sa->sa_family == AF_INET) {
		in4 = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family != AF_INET6)
		return 0;
	in6 = (const struct sockaddr_in6 *)(const void *)sa;
	b = in6->sin6_addr.s6_addr;
	return memcmp(b, one, 16) == 0 ||
	    (memcmp(b, mapped, 12) == 0 && b[12] == 127);
}

/*
 * libcurl's socket opener: refuse internal addresses (SSRF) on the
 * address actually connected to.
 */
static curl_socket_t
on_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct get	*g = arg;
	const char	*why;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	why = ourl_addr_internal(&a->addr);
	if (why != NULL && !g->exempt &&
	    !(g->loopback_ok && addr_loopback(&a->addr))) {
		g->why = why;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

char *
ocurl_get(const char *url, size_t max, long timeout_ms, unsigned flags,
    size_t *len, struct oerr *err)
{
	const struct ocurl	*c;
	struct ourl		 u;
	struct get		 g;
	CURL			*h;
	CURLcode		 rc;
	const char		*why, *protos;
	char			*body = NULL;
	long			 status = 0;
	size_t			 i;

	memset(&g, 0, sizeof(g));
	if ((why = ourl_parse(url, &u)) != NULL) {
		oerr_set(err, OERR_INVALID_REQUEST, "%s.", why);
		return NULL;
	}
	g.loopback_ok = oconf != NULL && oconf->client_http_loopback;
	for (i = 0; oconf != NULL && i < oconf->client_http_exceptions.n; i++)
		if (strcmp(oconf->client_http_exceptions.v[i], url) == 0)
			g.exempt = 1;
	protos = flags & OCURL_HTTP ? "http,https" : "https";
	if (strcmp(u.scheme, "http") == 0 && !(flags & OCURL_HTTP)) {
		if (!g.loopback_ok || !ourl_loopback(&u)) {
			oerr_set(err, OERR_INVALID_REQUEST, "must be an https "
			    "URI.");
			return NULL;
		}
		protos = "http";
	} else if (strcmp(u.scheme, "https") != 0 &&
	    strcmp(u.scheme, "http") != 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "must be an %s URI.",
		    flags & OCURL_HTTP ? "http or https" : "https");
		return NULL;
	}
	if ((c = ocurl()) == NULL || (h = c->easy_init()) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST, "cannot be fetched: no "
		    "HTTP client (libcurl) is available.");
		return NULL;
	}
	g.max = max;
	g.buf = oxmalloc(max + 1);
	if (c->easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    c->easy_setopt(h, CURLOPT_PROTOCOLS_STR, protos) != CURLE_OK ||
#else
	    c->easy_setopt(h, CURLOPT_PROTOCOLS, (long)(strcmp(protos,
	    "https") == 0 ? CURLPROTO_HTTPS : strcmp(protos, "http") == 0 ?
	    CURLPROTO_HTTP : CURLPROTO_HTTP | CURLPROTO_HTTPS)) !=
	    CURLE_OK ||
#endif
	    c->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    c->easy_setopt(h, CURLOPT_PROXY, "") != CURLE_OK ||
	    c->easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    c->easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
	    c->easy_setopt(h, CURLOPT_MAXFILESIZE, (long)max) != CURLE_OK ||
	    c->easy_setopt(h, CURLOPT_USERAGENT,
	    "oidcgi/" OIDCGI_VERSION) != CURLE_OK ||
	    c->easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_socket) !=
	    CURLE_OK ||
	    c->easy_setopt(h, CURLOPT_OPENSOCKETDATA, &g) != CURLE_OK ||
	    c->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
	    c->easy_setopt(h, CURLOPT_WRITEDATA, &g) != CURLE_OK) {
		olog_err("curl_easy_setopt");
		oerr_set(err, OERR_INVALID_REQUEST, "cannot be fetched: "
		    "libcurl refused the options.");
		goto out;
	}
	rc = c->easy_perform(h);
	if (rc == CURLE_OK)
		(void)c->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (g.why != NULL)
		oerr_set(err, OERR_INVALID_REQUEST, "is not allowed: its host "
		    "%s.", g.why);
	else if (g.toobig || rc == CURLE_FILESIZE_EXCEEDED)
		oerr_set(err, OERR_INVALID_REQUEST, "answered more than %zu "
		    "bytes.", max);
	else if (rc != CURLE_OK)
		oerr_set(err, OERR_INVALID_REQUEST, "could not be fetched: "
		    "%s.", c->easy_strerror(rc));
	else if (status != 200)
		oerr_set(err, OERR_INVALID_REQUEST, "answered HTTP %ld, not "
		    "200.", status);
	else {
		g.buf[g.len] = '\0';
		*len = g.len;
		body = g.buf;
		g.buf = NULL;
	}
out:
	free(g.buf);
	c->easy_cleanup(h);
	return body;
}
