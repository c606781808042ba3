/*
 * flow: the benchmark's driver for the complete authorization-code
 * flow with PKCE (never installed).  Each of its threads plays a
 * browser, the login and consent app and the client at once, and runs
 * whole flows back to back:
 *
 *   1. GET  /oauth2/auth?...&code_challenge=...      302 to the login UI
 *   2. PUT  /admin/oauth2/auth/requests/login/accept  {"redirect_to"}
 *   3. GET  redirect_to (login verifier)             302 to the consent UI
 *   4. PUT  /admin/oauth2/auth/requests/consent/accept {"redirect_to"}
 *   5. GET  redirect_to (consent verifier)           302 to the client
 *   6. POST /oauth2/token  authorization_code + code_verifier,
 *           client_secret_basic                      200 with tokens
 *
 * usage: flow PUBLIC ADMIN CLIENT_ID SECRET REDIRECT_URI CONNS WARMUP SECS
 *
 * After WARMUP seconds of flows whose results are dropped, it counts
 * for SECS seconds and prints one line of key=value pairs: flows,
 * seconds, rate (flows/s), p50 and p99 (ms per whole flow), errors
 * (flows in which any step answered otherwise than expected, or failed
 * at the socket), per_flow (HTTP requests per flow).
 *
 * Each thread keeps one keep-alive connection to each listener, as a
 * browser and an app server would, and the browser's cookies (the
 * login and consent CSRF cookies) for its own flows only.  Each flow
 * logs in one of 10,000 users, picked at random.
 *
 * It speaks HTTP/1.1 itself over plain sockets (requests with
 * Content-Length, answers with Content-Length or chunked), as wrk
 * does, rather than through libcurl, whose machinery cost the machine
 * 0.1 ms of CPU per request: the load generator shares the two cores
 * with what it measures, so what it spends the server cannot.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/crypto.h"
#include "base/form.h"

#define MAX_CONNS	256
#define MAX_SAMPLES	(1 << 20)
#define URL_MAX		8192
#define REQUESTS	6	/* HTTP requests per flow */
#define USERS		10000	/* subjects the flows log in */

enum phase {
	PHASE_WARMUP,
	PHASE_COUNT,
	PHASE_STOP
};

static const char	*pub, *adm, *client_id, *secret, *redirect;
static char		 redirect_enc[1024];	/* percent-encoded */
static char		 basic[512];	/* "Basic " base64(id:secret) */
static _Atomic int	 phase = PHASE_WARMUP;

static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
static double		*samples;	/* flow times (ms) while counting */
static size_t		 nsamples;
static unsigned long	 nerrors;

/* A growing response buffer. */
struct buf {
	char	*p;
	size_t	 n, cap;
};

static void
buf_add(struct buf *b, const char *d, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* A keep-alive connection to one listener (http://127.0.0.1:PORT). */
struct conn {
	int		 fd;
	int		 port;
	char		 in[16384];	/* read, not consumed yet */
	size_t		 inlen;
};

/* The browser's cookies: "name=value" of each Set-Cookie, newest kept. */
#define COOKIES	8
struct jar {
	char	 c[COOKIES][1024];
	size_t	 n;
};

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * The value of query parameter name in url into out (still
 * percent-encoded, which is how it goes back into a query).  Returns 1,
 * or 0 when absent or too long.
 */
static int
query_param(const char *url, const char *name, char *out, size_t outsz)
{
	const char	*p, *e;
	size_t		 nl = strlen(name), len;

	if ((p = strchr(url, '?')) == NULL)
		return 0;
	for (p++; *p != '\0'; p = *e == '\0' ? e : e + 1) {
		for (e = p; *e != '\0' && *e != '&' && *e != '#'; e++)
			continue;
		if ((size_t)(e - p) > nl && strncmp(p, name, nl) == 0 &&
		    p[nl] == '=') {
			len = (size_t)(e - p) - nl - 1;
			if (len + 1 > outsz)
				return 0;
			memcpy(out, p + nl + 1, len);
			out[len] = '\0';
			return 1;
		}
		if (*e == '#')
			break;
	}
	return 0;
}

/* The port of a base URL "http://127.0.0.1:PORT". */
static int
port_of(const char *base)
{
	const char	*p = strrchr(base, ':');

	return p != NULL ? atoi(p + 1) : 0;
}

static int
conn_open(struct conn *c)
{
	struct sockaddr_in	 sa;
	int			 one = 1;

	if (c->fd >= 0)
		return 1;
	c->inlen = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)c->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 0;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(c->fd);
		c->fd = -1;
		return 0;
	}
	return 1;
}

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->inlen = 0;
}

/* Read more into c->in.  Returns 1, or 0 at end of stream or error. */
static int
conn_fill(struct conn *c)
{
	ssize_t	 r;

	if (c->inlen == sizeof(c->in))
		return 0;
	r = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	if (r <= 0)
		return 0;
	c->inlen += (size_t)r;
	return 1;
}

/* Drop the first n bytes of c->in. */
static void
conn_eat(struct conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
}

/* Read n bytes of body into b. */
static int
read_body(struct conn *c, size_t n, struct buf *b)
{
	size_t	 k;

	while (n > 0) {
		if (c->inlen == 0 && !conn_fill(c))
			return 0;
		k = c->inlen < n ? c->inlen : n;
		buf_add(b, c->in, k);
		conn_eat(c, k);
		n -= k;
	}
	return 1;
}

/* The line ending in CRLF at the start of c->in, NUL-terminated. */
static char *
read_line(struct conn *c, char *out, size_t outsz)
{
	char	*e;
	size_t	 n;

	while ((e = memchr(c->in, '\n', c->inlen)) == NULL)
		if (!conn_fill(c))
			return NULL;
	n = (size_t)(e - c->in) + 1;
	if (n >= outsz)
		return NULL;
	memcpy(out, c->in, n);
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	conn_eat(c, n);
	return out;
}

/* Keep a Set-Cookie's "name=value" in the jar. */
static void
jar_set(struct jar *j, const char *v)
{
	size_t	 n = strcspn(v, ";"), eq = strcspn(v, "="), i;

	if (eq >= n || n >= sizeof(j->c[0]))
		return;
	for (i = 0; i < j->n; i++)
		if (strncmp(j->c[i], v, eq + 1) == 0)
			break;
	if (i == j->n) {
		if (j->n == COOKIES)
			return;
		j->n++;
	}
	memcpy(j->c[i], v, n);
	j->c[i][n] = '\0';
}

/*
 * Run one request on connection c: method (GET, PUT with a JSON body,
 * POST with a form body), the path (or an absolute URL on c's
 * listener), with the jar's cookies (when not NULL) and an
 * Authorization header (when auth is not NULL).  Returns the HTTP
 * status (0 on a transport error); the body is in b, a redirect's
 * Location in loc (when not NULL, URL_MAX bytes).
 */
static long
request(struct conn *c, const char *method, const char *url,
    const char *body, struct jar *jar, const char *auth, struct buf *b,
    char *loc)
{
	char		 head[URL_MAX + 4096], line[URL_MAX + 64];
	const char	*path = url, *v;
	size_t		 n, len = 0, i, bl = body != NULL ? strlen(body) : 0;
	long		 status;
	int		 tries, chunked, closing, have_len;
	ssize_t		 w;

	if (strncmp(url, "http://", 7) == 0 &&
	    (path = strchr(url + 7, '/')) == NULL)
		return 0;
	b->n = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
	if (loc != NULL)
		loc[0] = '\0';
	n = (size_t)snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\n", method, path, c->port);
	if (auth != NULL)
		n += (size_t)snprintf(head + n, sizeof(head) - n,
		    "Authorization: %s\r\n", auth);
	if (jar != NULL && jar->n > 0) {
		n += (size_t)snprintf(head + n, sizeof(head) - n, "Cookie: ");
		for (i = 0; i < jar->n; i++)
			n += (size_t)snprintf(head + n, sizeof(head) - n,
			    "%s%s", i ? "; " : "", jar->c[i]);
		n += (size_t)snprintf(head + n, sizeof(head) - n, "\r\n");
	}
	if (body != NULL)
		n += (size_t)snprintf(head + n, sizeof(head) - n,
		    "Content-Type: %s\r\nContent-Length: %zu\r\n",
		    strcmp(method, "PUT") == 0 ? "application/json" :
		    "application/x-www-form-urlencoded", bl);
	n += (size_t)snprintf(head + n, sizeof(head) - n, "\r\n");
	if (n >= sizeof(head))
		return 0;
	/* A kept-alive connection the server closed: once more, anew. */
	for (tries = 0; tries < 2; tries++) {
		if (!conn_open(c))
			return 0;
		if ((w = write(c->fd, head, n)) == (ssize_t)n && (bl == 0 ||
		    write(c->fd, body, bl) == (ssize_t)bl) &&
		    read_line(c, line, sizeof(line)) != NULL)
			break;
		conn_close(c);
	}
	if (tries == 2 || strncmp(line, "HTTP/1.", 7) != 0)
		return 0;
	status = strtol(line + 9, NULL, 10);
	chunked = closing = have_len = 0;
	for (;;) {
		if (read_line(c, line, sizeof(line)) == NULL)
			return 0;
		if (line[0] == '\0')
			break;
		if ((v = strchr(line, ':')) == NULL)
			continue;
		for (v++; *v == ' '; v++)
			continue;
		if (strncasecmp(line, "Content-Length:", 15) == 0) {
			len = strtoul(v, NULL, 10);
			have_len = 1;
		} else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0)
			chunked = strstr(v, "chunked") != NULL;
		else if (strncasecmp(line, "Connection:", 11) == 0)
			closing = strncasecmp(v, "close", 5) == 0;
		else if (strncasecmp(line, "Location:", 9) == 0 && loc != NULL)
			snprintf(loc, URL_MAX, "%s", v);
		else if (strncasecmp(line, "Set-Cookie:", 11) == 0 &&
		    jar != NULL)
			jar_set(jar, v);
	}
	if (chunked) {
		for (;;) {
			if (read_line(c, line, sizeof(line)) == NULL)
				return 0;
			if ((len = strtoul(line, NULL, 16)) == 0)
				break;
			if (!read_body(c, len, b) ||
			    read_line(c, line, sizeof(line)) == NULL)
				return 0;
		}
		if (read_line(c, line, sizeof(line)) == NULL)
			return 0;
	} else if (have_len && !read_body(c, len, b))
		return 0;
	else if (!have_len) {
		/* Until the server closes: the connection goes. */
		while (conn_fill(c)) {
			buf_add(b, c->in, c->inlen);
			c->inlen = 0;
		}
		closing = 1;
	}
	if (closing)
		conn_close(c);
	return status;
}

/* The redirect_to of an accept answer into out.  Returns 1 or 0. */
static int
redirect_to(const struct buf *b, char *out)
{
	json_t		*j;
	const char	*s;
	int		 ok = 0;

	if ((j = json_loads(b->p != NULL ? b->p : "", 0, NULL)) != NULL &&
	    (s = json_string_value(json_object_get(j, "redirect_to"))) !=
	    NULL && strlen(s) < URL_MAX) {
		strcpy(out, s);
		ok = 1;
	}
	json_decref(j);
	return ok;
}

/* One whole flow.  Returns 1 when every step answered as expected. */
static int
one_flow(struct conn *cp, struct conn *ca, struct jar *jar, struct buf *b)
{
	unsigned char	 raw[32], h[OCRYPTO_SHA256_LEN];
	char		 verifier[64], chal[64], state[32], url[URL_MAX];
	char		 loc[URL_MAX], ch[URL_MAX / 2], code[4096], body[URL_MAX];
	size_t		 n;
	json_t		*j;
	unsigned	 user;
	int		 ok;

	ocrypto_random(raw, sizeof(raw));
	if (!ocrypto_b64url_encode(verifier, sizeof(verifier), &n, raw,
	    sizeof(raw)))
		return 0;
	ocrypto_sha256(verifier, n, h);
	if (!ocrypto_b64url_encode(chal, sizeof(chal), &n, h, sizeof(h)))
		return 0;
	ocrypto_random(raw, 8);
	if (!ocrypto_b64url_encode(state, sizeof(state), &n, raw, 8))
		return 0;
	snprintf(url, sizeof(url), "/oauth2/auth?client_id=%s&"
	    "response_type=code&redirect_uri=%s&scope=openid+offline_access&"
	    "state=%s&code_challenge=%s&code_challenge_method=S256",
	    client_id, redirect_enc, state, chal);
	/* 1: authorize; to the login UI with a login challenge. */
	if (request(cp, "GET", url, NULL, jar, NULL, b, loc) / 100 != 3 ||
	    !query_param(loc, "login_challenge", ch, sizeof(ch)))
		return 0;
	/* 2: the login app accepts, for one of USERS users. */
	ocrypto_random(&user, sizeof(user));
	snprintf(body, sizeof(body), "{\"subject\":\"bench-user-%u\"}",
	    user % USERS);
	snprintf(url, sizeof(url), "/admin/oauth2/auth/requests/login/"
	    "accept?login_challenge=%s", ch);
	if (request(ca, "PUT", url, body, NULL, NULL, b, NULL) != 200 ||
	    !redirect_to(b, url))
		return 0;
	/* 3: back with the login verifier; to the consent UI. */
	if (request(cp, "GET", url, NULL, jar, NULL, b, loc) / 100 != 3 ||
	    !query_param(loc, "consent_challenge", ch, sizeof(ch)))
		return 0;
	/* 4: the consent app accepts. */
	snprintf(url, sizeof(url), "/admin/oauth2/auth/requests/consent/"
	    "accept?consent_challenge=%s", ch);
	if (request(ca, "PUT", url, "{\"grant_scope\":[\"openid\","
	    "\"offline_access\"]}", NULL, NULL, b, NULL) != 200 ||
	    !redirect_to(b, url))
		return 0;
	/* 5: back with the consent verifier; to the client with a code. */
	if (request(cp, "GET", url, NULL, jar, NULL, b, loc) / 100 != 3 ||
	    strncmp(loc, redirect, strlen(redirect)) != 0 ||
	    !query_param(loc, "code", code, sizeof(code)))
		return 0;
	/* 6: the client exchanges the code. */
	snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s&"
	    "redirect_uri=%s&code_verifier=%s", code, redirect_enc, verifier);
	if (request(cp, "POST", "/oauth2/token", body, NULL, basic, b,
	    NULL) != 200)
		return 0;
	j = json_loads(b->p, 0, NULL);
	ok = json_is_string(json_object_get(j, "access_token")) &&
	    json_is_string(json_object_get(j, "refresh_token")) &&
	    json_is_string(json_object_get(j, "id_token"));
	json_decref(j);
	return ok;
}

static void *
worker(void *arg)
{
	struct conn	*cp, *ca;
	struct jar	 jar;
	struct buf	 b;
	double		 t0, dt;
	int		 ph;
	int		 ok;

	(void)arg;
	memset(&b, 0, sizeof(b));
	memset(&jar, 0, sizeof(jar));
	if ((cp = calloc(1, sizeof(*cp))) == NULL ||
	    (ca = calloc(1, sizeof(*ca))) == NULL)
		abort();
	cp->fd = ca->fd = -1;
	cp->port = port_of(pub);
	ca->port = port_of(adm);
	while ((ph = phase) != PHASE_STOP) {
		t0 = now_ms();
		ok = one_flow(cp, ca, &jar, &b);
		dt = now_ms() - t0;
		/* A failed step may leave an answer half read. */
		if (!ok) {
			conn_close(cp);
			conn_close(ca);
		}
		/* A flow that straddles a phase change counts for neither. */
		if (ph != PHASE_COUNT || phase != PHASE_COUNT)
			continue;
		pthread_mutex_lock(&mtx);
		if (!ok)
			nerrors++;
		else if (nsamples < MAX_SAMPLES)
			samples[nsamples++] = dt;
		pthread_mutex_unlock(&mtx);
	}
	conn_close(cp);
	conn_close(ca);
	free(cp);
	free(ca);
	free(b.p);
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	pthread_t	 th[MAX_CONNS];
	long		 conns, warm, secs, i;
	double		 t0, dt;

	if (argc != 9) {
		fprintf(stderr, "usage: flow PUBLIC ADMIN CLIENT_ID SECRET "
		    "REDIRECT_URI CONNS WARMUP SECS\n");
		return 2;
	}
	pub = argv[1];
	adm = argv[2];
	client_id = argv[3];
	secret = argv[4];
	redirect = argv[5];
	conns = strtol(argv[6], NULL, 10);
	warm = strtol(argv[7], NULL, 10);
	secs = strtol(argv[8], NULL, 10);
	if (conns < 1 || conns > MAX_CONNS || warm < 0 || secs < 1) {
		fprintf(stderr, "flow: bad CONNS, WARMUP or SECS\n");
		return 2;
	}
	if ((samples = calloc(MAX_SAMPLES, sizeof(*samples))) == NULL)
		return 1;
	{
		struct oarena	 a;

		oarena_init(&a);
		snprintf(redirect_enc, sizeof(redirect_enc), "%s",
		    oform_encode(&a, redirect));
		oarena_free(&a);
	}
	{
		char	 idsec[300];
		size_t	 n;

		snprintf(idsec, sizeof(idsec), "%s:%s", client_id, secret);
		memcpy(basic, "Basic ", 6);
		if (!ocrypto_b64_encode(basic + 6, sizeof(basic) - 6, &n,
		    idsec, strlen(idsec)))
			return 1;
	}
	for (i = 0; i < conns; i++)
		if (pthread_create(&th[i], NULL, worker, NULL) != 0)
			return 1;
	sleep((unsigned)warm);
	phase = PHASE_COUNT;
	t0 = now_ms();
	sleep((unsigned)secs);
	phase = PHASE_STOP;
	dt = (now_ms() - t0) / 1e3;
	for (i = 0; i < conns; i++)
		pthread_join(th[i], NULL);
	qsort(samples, nsamples, sizeof(*samples), cmp);
	printf("flows=%zu seconds=%.2f rate=%.1f p50=%.2f p99=%.2f errors=%lu "
	    "per_flow=%d\n", nsamples, dt, nsamples / dt,
	    nsamples ? samples[nsamples / 2] : 0.0,
	    nsamples ? samples[(size_t)(nsamples * 0.99)] : 0.0, nerrors,
	    REQUESTS);
	free(samples);
	return 0;
}
