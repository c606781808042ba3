/*
 * clientkeys.c: the public keys of a client, registered or fetched
 * from its jwks_uri (see clientkeys.h).
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/curl.h"
#include "base/err.h"
#include "base/url.h"
#include "base/util.h"
#include "jose/jose.h"
#include "records/clients.h"
#include "protocol/clientkeys.h"

/* A fetched set. */
struct entry {
	char		 id[OCLIENT_ID_MAX + 1];
	char		*uri;
	struct ojwks	*keys;
	int64_t		 fetched;	/* when keys were fetched */
	int64_t		 tried;		/* last fetch attempted */
	int64_t		 refetched;	/* last fetch for an unknown kid */
};

static struct entry	 cache[OCLIENTKEYS_CACHE];

/* What a fetch collects. */
struct body {
	char	*buf;
	size_t	 len;
	int	 toobig;
};

/* What the socket callback checks. */
struct target {
	int	 exempt;	/* the URI is a configured exception */
	int	 loopback_ok;	/* allow_loopback_http */
	const char *why;	/* set when a connection was refused */
};

/* libcurl's write callback: keep at most OCLIENTKEYS_MAX_BYTES. */
static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct body	*b = arg;
	size_t		 len = sz * n;

	if (len > OCLIENTKEYS_MAX_BYTES - b->len) {
		b->toobig = 1;
		return 0;
	}
	memcpy(b->buf + b->len, p, len);
	b->len += len;
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
	struct target	*t = arg;
	const char	*why;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	why = ourl_addr_internal(&a->addr);
	if (why != NULL && !t->exempt &&
	    !(t->loopback_ok && addr_loopback(&a->addr))) {
		t->why = why;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/*
 * Fetch the JWK Set at uri.  Returns a new set, or NULL with
 * invalid_client in err naming what was wrong.
 */
static struct ojwks *
fetch(const char *id, const char *uri, struct oerr *err)
{
	const struct ocurl	*cu;
	struct ourl		 u;
	struct target		 t;
	struct body		 b;
	struct ojwks		*keys = NULL;
	struct oerr		 e;
	json_t			*j = NULL;
	CURL			*h = NULL;
	CURLcode		 rc;
	const char		*why, *protos;
	long			 status = 0;
	size_t			 i;

	memset(&t, 0, sizeof(t));
	memset(&b, 0, sizeof(b));
	oerr_clear(&e);
	if ((why = ourl_parse(uri, &u)) != NULL) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri %s.",
		    why);
		return NULL;
	}
	t.loopback_ok = oconf != NULL && oconf->client_http_loopback;
	for (i = 0; oconf != NULL && i < oconf->client_http_exceptions.n; i++)
		if (strcmp(oconf->client_http_exceptions.v[i], uri) == 0)
			t.exempt = 1;
	protos = "https";
	if (strcmp(u.scheme, "http") == 0 && t.loopback_ok &&
	    ourl_loopback(&u))
		protos = "http";
	else if (strcmp(u.scheme, "https") != 0) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri "
		    "must be an https URI.");
		return NULL;
	}
	if ((cu = ocurl()) == NULL || (h = cu->easy_init()) == NULL) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri "
		    "cannot be fetched: no HTTP client is available.");
		return NULL;
	}
	b.buf = oxmalloc(OCLIENTKEYS_MAX_BYTES + 1);
	if (cu->easy_setopt(h, CURLOPT_URL, uri) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, protos) != CURLE_OK ||
#else
	    cu->easy_setopt(h, CURLOPT_PROTOCOLS, (long)(*protos == 'h' &&
	    protos[4] == 's' ? CURLPROTO_HTTPS : CURLPROTO_HTTP)) !=
	    CURLE_OK ||
#endif
	    cu->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    /* No proxy from the environment: the address check needs the
	       connection to go to the host itself. */
	    cu->easy_setopt(h, CURLOPT_PROXY, "") != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_TIMEOUT_MS,
	    (long)OCLIENTKEYS_TIMEOUT_MS) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_MAXFILESIZE,
	    (long)OCLIENTKEYS_MAX_BYTES) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_USERAGENT,
	    "oidcgi/" OIDCGI_VERSION) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_socket) !=
	    CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_OPENSOCKETDATA, &t) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_WRITEDATA, &b) != CURLE_OK) {
		olog_err("curl_easy_setopt");
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri "
		    "cannot be fetched.");
		goto out;
	}
	rc = cu->easy_perform(h);
	if (rc == CURLE_OK)
		(void)cu->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (t.why != NULL)
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri "
		    "is not allowed: its host %s.", t.why);
	else if (b.toobig || rc == CURLE_FILESIZE_EXCEEDED)
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri "
		    "answered more than %d bytes.", OCLIENTKEYS_MAX_BYTES);
	else if (rc != CURLE_OK)
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri "
		    "could not be fetched: %s.", cu->easy_strerror(rc));
	else if (status != 200)
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri "
		    "answered HTTP %ld, not 200.", status);
	else if ((j = json_loadb(b.buf, b.len, JSON_REJECT_DUPLICATES,
	    NULL)) == NULL || !json_is_object(j))
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri "
		    "did not answer a JSON object.");
	else if ((keys = ojwks_import(j, 0, &e)) == NULL)
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri "
		    "did not answer a usable JWK Set: %s", e.description);
	if (keys == NULL)
		olog_info("client %.64s: jwks_uri %.200s: %s", id, uri,
		    err->description);
out:
	json_decref(j);
	free(b.buf);
	cu->easy_cleanup(h);
	return keys;
}

/* Empty a cache entry. */
static void
entry_clear(struct entry *c)
{
	ojwks_free(c->keys);
	free(c->uri);
	memset(c, 0, sizeof(*c));
}

void
oclientkeys_flush(void)
{
	size_t	 i;

	for (i = 0; i < OCLIENTKEYS_CACHE; i++)
		entry_clear(&cache[i]);
}

/*
 * The cache entry of client id and uri: the one it has, else the
 * oldest (emptied).
 */
static struct entry *
entry_of(const char *id, const char *uri)
{
	struct entry	*old = &cache[0];
	size_t		 i;

	for (i = 0; i < OCLIENTKEYS_CACHE; i++) {
		if (strcmp(cache[i].id, id) == 0 && cache[i].uri != NULL &&
		    strcmp(cache[i].uri, uri) == 0)
			return &cache[i];
		if (cache[i].tried < old->tried)
			old = &cache[i];
	}
	entry_clear(old);
	return old;
}

const struct ojwks *
oclientkeys_get(const struct oclient *c, const char *kid, struct oerr *err)
{
	struct entry	*en;
	struct ojwks	*keys;
	struct oerr	 e;
	int64_t		 now = onow();
	int		 stale, missing;

	if (c->jwks_json != NULL) {
		if (c->jwks == NULL)
			oerr_set(err, OERR_INVALID_CLIENT, "The OAuth 2.0 "
			    "Client's JSON Web Keys cannot be used: %s",
			    c->jwks_error);
		return c->jwks;
	}
	if (*c->jwks_uri == '\0') {
		oerr_set(err, OERR_INVALID_CLIENT, "The OAuth 2.0 Client has "
		    "no JSON Web Keys (neither jwks nor jwks_uri).");
		return NULL;
	}
	if (strlen(c->id) > OCLIENT_ID_MAX) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client_id is too "
		    "long.");
		return NULL;
	}
	en = entry_of(c->id, c->jwks_uri);
	stale = en->keys == NULL || now - en->fetched >= OCLIENTKEYS_TTL;
	missing = en->keys != NULL && kid != NULL &&
	    ojwks_find(en->keys, kid) == NULL;
	/*
	 * Throttled: a stale set is fetched again at most once per
	 * OCLIENTKEYS_REFETCH seconds (its host may be down), and so is a
	 * fresh one that lacks kid (the first time at once: a rotation).
	 */
	if (missing && en->refetched != 0 &&
	    now - en->refetched < OCLIENTKEYS_REFETCH)
		missing = 0;
	if (missing)
		en->refetched = now;
	if (missing || (stale && (en->tried == 0 ||
	    now - en->tried >= OCLIENTKEYS_REFETCH))) {
		if (en->uri == NULL) {
			snprintf(en->id, sizeof(en->id), "%s", c->id);
			en->uri = oxstrdup(c->jwks_uri);
		}
		en->tried = now;
		oerr_clear(&e);
		if ((keys = fetch(c->id, c->jwks_uri, &e)) == NULL) {
			/* A set too old is not used. */
			if (!stale)
				return en->keys;
			oerr_set(err, e.code, "%s", e.description);
			return NULL;
		}
		ojwks_free(en->keys);
		en->keys = keys;
		en->fetched = now;
	} else if (stale) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client's jwks_uri "
		    "could not be fetched recently; try again later.");
		return NULL;
	}
	return en->keys;
}
