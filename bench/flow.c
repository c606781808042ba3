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
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base/crypto.h"

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

static size_t
on_body(char *d, size_t sz, size_t nm, void *arg)
{
	struct buf	*b = arg;
	size_t		 n = sz * nm;

	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}

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

/*
 * Run one request on handle h: method (GET, PUT with a JSON body, POST
 * with a form body), url.  Returns the HTTP status (0 on a transport
 * error); the body is in b, a redirect's Location in loc (when not
 * NULL, URL_MAX bytes).
 */
static long
request(CURL *h, const char *method, const char *url, const char *body,
    struct buf *b, char *loc)
{
	struct curl_slist	*hdr = NULL;
	char			*l = NULL;
	long			 status = 0;

	b->n = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
	} else {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
		    strcmp(method, "PUT") == 0 ? "PUT" : NULL);
		hdr = curl_slist_append(hdr, strcmp(method, "PUT") == 0 ?
		    "Content-Type: application/json" :
		    "Content-Type: application/x-www-form-urlencoded");
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	if (curl_easy_perform(h) == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (loc != NULL) {
			loc[0] = '\0';
			if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &l) ==
			    CURLE_OK && l != NULL)
				snprintf(loc, URL_MAX, "%s", l);
		}
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdr);
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
one_flow(CURL *hp, CURL *ha, struct buf *b)
{
	unsigned char	 raw[32], h[OCRYPTO_SHA256_LEN];
	char		 verifier[64], chal[64], state[32], url[URL_MAX];
	char		 loc[URL_MAX], ch[URL_MAX / 2], code[4096], body[URL_MAX];
	char		*e;
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
	e = curl_easy_escape(hp, redirect, 0);
	snprintf(url, sizeof(url), "%s/oauth2/auth?client_id=%s&"
	    "response_type=code&redirect_uri=%s&scope=openid+offline_access&"
	    "state=%s&code_challenge=%s&code_challenge_method=S256", pub,
	    client_id, e, state, chal);
	curl_free(e);
	/* 1: authorize; to the login UI with a login challenge. */
	if (request(hp, "GET", url, NULL, b, loc) / 100 != 3 ||
	    !query_param(loc, "login_challenge", ch, sizeof(ch)))
		return 0;
	/* 2: the login app accepts, for one of USERS users. */
	ocrypto_random(&user, sizeof(user));
	snprintf(body, sizeof(body), "{\"subject\":\"bench-user-%u\"}",
	    user % USERS);
	snprintf(url, sizeof(url), "%s/admin/oauth2/auth/requests/login/"
	    "accept?login_challenge=%s", adm, ch);
	if (request(ha, "PUT", url, body, b, NULL) != 200 ||
	    !redirect_to(b, url))
		return 0;
	/* 3: back with the login verifier; to the consent UI. */
	if (request(hp, "GET", url, NULL, b, loc) / 100 != 3 ||
	    !query_param(loc, "consent_challenge", ch, sizeof(ch)))
		return 0;
	/* 4: the consent app accepts. */
	snprintf(url, sizeof(url), "%s/admin/oauth2/auth/requests/consent/"
	    "accept?consent_challenge=%s", adm, ch);
	if (request(ha, "PUT", url, "{\"grant_scope\":[\"openid\","
	    "\"offline_access\"]}", b, NULL) != 200 || !redirect_to(b, url))
		return 0;
	/* 5: back with the consent verifier; to the client with a code. */
	if (request(hp, "GET", url, NULL, b, loc) / 100 != 3 ||
	    strncmp(loc, redirect, strlen(redirect)) != 0 ||
	    !query_param(loc, "code", code, sizeof(code)))
		return 0;
	/* 6: the client exchanges the code. */
	e = curl_easy_escape(hp, redirect, 0);
	snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s&"
	    "redirect_uri=%s&code_verifier=%s", code, e, verifier);
	curl_free(e);
	snprintf(url, sizeof(url), "%s/oauth2/token", pub);
	if (request(hp, "POST", url, body, b, NULL) != 200)
		return 0;
	j = json_loads(b->p, 0, NULL);
	ok = json_is_string(json_object_get(j, "access_token")) &&
	    json_is_string(json_object_get(j, "refresh_token")) &&
	    json_is_string(json_object_get(j, "id_token"));
	json_decref(j);
	return ok;
}

/* A keep-alive handle; the public one keeps the browser's cookies. */
static CURL *
handle(int cookies)
{
	CURL	*h;

	if ((h = curl_easy_init()) == NULL)
		abort();
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	if (cookies)
		curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");
	return h;
}

static void *
worker(void *arg)
{
	CURL		*hp, *ha;
	struct buf	 b;
	double		 t0, dt;
	int		 ph;
	int		 ok;

	(void)arg;
	memset(&b, 0, sizeof(b));
	hp = handle(1);
	ha = handle(0);
	curl_easy_setopt(hp, CURLOPT_USERNAME, client_id);
	curl_easy_setopt(hp, CURLOPT_PASSWORD, secret);
	curl_easy_setopt(hp, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	while ((ph = phase) != PHASE_STOP) {
		t0 = now_ms();
		ok = one_flow(hp, ha, &b);
		dt = now_ms() - t0;
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
	curl_easy_cleanup(hp);
	curl_easy_cleanup(ha);
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
	if ((samples = calloc(MAX_SAMPLES, sizeof(*samples))) == NULL ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
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
	curl_global_cleanup();
	return 0;
}
