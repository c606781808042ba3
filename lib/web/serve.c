/*
 * serve.c: omain(), the start-up and request loop of every binary.
 *
 * A process that cannot serve (its configuration does not load, the
 * data directory cannot be read, the store does not open, the data
 * directory lies inside the web server's document root) still answers
 * every request: a JSON 503 naming the problem in one line, which also
 * goes to stderr, the web server's error log.  GET /health/alive stays
 * 200 (the process is alive); /health/ready says what is wrong.  The
 * configuration and the store are tried again every few seconds, so
 * fixing the deployment heals a FastCGI process without a restart.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <jansson.h>

#include "base/conf.h"
#include "base/util.h"
#include "store/store.h"
#include "web/extern.h"
#include "web/http.h"
#include "web/listen.h"
#include "web/metrics.h"
#include "web/route.h"
#include "web/serve.h"

#define RETRY_SECS	5	/* between attempts at a broken start */

static const struct {
	const char		*name;
	enum ohttp_method	 m;
} methods[] = {
	{ "GET", OHTTP_GET }, { "HEAD", OHTTP_HEAD }, { "POST", OHTTP_POST },
	{ "PUT", OHTTP_PUT }, { "PATCH", OHTTP_PATCH },
	{ "DELETE", OHTTP_DELETE }, { "OPTIONS", OHTTP_OPTIONS },
};

static struct oconf	 conf;
static int		 conf_ok;
static unsigned		 listener = OLISTEN_PUBLIC;
static int64_t		 conf_retry_at, store_retry_at;
/* Why the process cannot serve ("" when it can), and what was logged. */
static char		 problem[512];
static char		 logged[512];
/* The paths the two listeners are served under: "/" or "/sso/". */
static char		*pub_base, *adm_base;
/* The data directory, resolved, and the last document root checked. */
static char		 data_real[PATH_MAX];
static char		 docroot_seen[PATH_MAX];
static int		 docroot_bad;
/* Inside a request (between FCGX_Accept_r() and its FCGX_Finish_r()). */
static volatile sig_atomic_t	 serving;
/* SIGTERM came during a request: leave once it is answered. */
static volatile sig_atomic_t	 stopping;

const char *
oserve_problem(void)
{
	return problem;
}

/*
 * Set the problem (a printf format), with the fix for the commonest
 * one appended, and log it when it differs from what was last logged.
 */
static void
problem_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
problem_set(const char *fmt, ...)
{
	struct passwd	*pw;
	va_list		 ap;
	size_t		 n;

	va_start(ap, fmt);
	vsnprintf(problem, sizeof(problem), fmt, ap);
	va_end(ap);
	n = strlen(problem);
	if (strstr(problem, strerror(EACCES)) != NULL &&
	    (pw = getpwuid(geteuid())) != NULL)
		snprintf(problem + n, sizeof(problem) - n, " (oidcgi runs "
		    "as user %s: the data directory and its files must "
		    "belong to it; create it with oidcgi init --user %s, or "
		    "chown -R %s it)", pw->pw_name, pw->pw_name, pw->pw_name);
	if (strcmp(problem, logged) != 0) {
		olog_err("%s", problem);
		snprintf(logged, sizeof(logged), "%s", problem);
	}
}

/* The path of an absolute URL ("/" or "/sso/"), malloc'd. */
static char *
url_base(const char *url)
{
	const char	*p;

	if ((p = strstr(url, "://")) == NULL ||
	    (p = strchr(p + 3, '/')) == NULL)
		return oxstrdup("/");
	return oxstrndup(p, strcspn(p, "?#"));
}

/*
 * Load the configuration, the secrets and the listener of the process
 * environment.  Returns 1, or 0 with the problem set.
 */
static int
conf_ensure(void)
{
	const char	*l;
	char		 msg[512];

	if (conf_ok)
		return 1;
	if (onow() < conf_retry_at)
		return 0;
	conf_retry_at = onow() + RETRY_SECS;
	oconf_free(&conf);
	if (!oconf_load(&conf, NULL, msg, sizeof(msg)) ||
	    !oconf_secrets(&conf, msg, sizeof(msg))) {
		oconf_free(&conf);
		problem_set("%s", msg);
		return 0;
	}
	if ((l = oenv("OIDCGI_LISTENER")) == NULL || strcmp(l, "public") == 0)
		listener = OLISTEN_PUBLIC;
	else if (strcmp(l, "admin") == 0)
		listener = OLISTEN_ADMIN;
	else {
		oconf_free(&conf);
		problem_set("OIDCGI_LISTENER: \"%.32s\" is not public or admin",
		    l);
		return 0;
	}
	oconf = &conf;
	olog_set_level(conf.log_level);
	free(pub_base);
	free(adm_base);
	pub_base = url_base(conf.issuer);
	adm_base = url_base(conf.admin_url);
	if (realpath(conf.data_dir, data_real) == NULL)
		snprintf(data_real, sizeof(data_real), "%s", conf.data_dir);
	docroot_seen[0] = '\0';
	problem[0] = '\0';
	conf_ok = 1;
	return 1;
}

/*
 * Open the store if it is not open yet.  A failure is the problem, and
 * is retried on a later request (at most every few seconds), so that a
 * store that comes back makes the process healthy again.
 */
static int
store_ensure(void)
{
	struct oerr	 err;

	if (ostore_isopen())
		return 1;
	if (onow() < store_retry_at)
		return 0;
	oerr_clear(&err);
	if (!ostore_open(conf.dsn != NULL ? conf.dsn : conf.data_dir,
	    conf.map_size, &err)) {
		problem_set("%s", err.description);
		store_retry_at = onow() + RETRY_SECS;
		return 0;
	}
	return 1;
}

/*
 * 1 unless the data directory lies inside the document root the web
 * server names for this request (DOCUMENT_ROOT, or Apache's
 * CONTEXT_DOCUMENT_ROOT under an Alias), where it could be downloaded:
 * then 0 with the problem set.  The answer is kept per document root.
 */
static int
docroot_ok(struct oreq *req)
{
	const char	*dr;
	char		 real[PATH_MAX];
	size_t		 n;

	if ((dr = ohttp_env(req, "CONTEXT_DOCUMENT_ROOT")) == NULL ||
	    *dr == '\0')
		dr = ohttp_env(req, "DOCUMENT_ROOT");
	if (dr == NULL || *dr == '\0')
		return 1;
	if (strcmp(dr, docroot_seen) != 0) {
		snprintf(docroot_seen, sizeof(docroot_seen), "%s", dr);
		docroot_bad = 0;
		if (realpath(dr, real) != NULL && strcmp(real, "/") != 0) {
			n = strlen(real);
			docroot_bad = strncmp(data_real, real, n) == 0 &&
			    (data_real[n] == '/' || data_real[n] == '\0');
		}
	}
	if (docroot_bad)
		problem_set("the data directory %s is inside the web "
		    "server's document root %s, where it could be "
		    "downloaded: move it out and name it in dsn (or "
		    "OIDCGI_DATA_DIR)", conf.data_dir, dr);
	return !docroot_bad;
}

/*
 * Fill in the request line: method, path and raw query.  The path is
 * taken from REQUEST_URI; the listener's base path (the issuer's path
 * on the public listener, that of urls.self.admin on the admin one) is
 * stripped when the path is under it, then on the admin listener Hydra
 * 2.x's "/admin"; trailing slashes are dropped.
 * Returns 1, or 0 with err set.
 */
static int
parse_request(struct oreq *req, struct oerr *err)
{
	const char	*m, *uri, *q, *base;
	size_t		 i, len, blen, cut = 0;

	req->method = OHTTP_OTHER;
	req->method_name = "?";
	if ((m = ohttp_env(req, "REQUEST_METHOD")) != NULL)
		for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
			if (strcmp(m, methods[i].name) == 0) {
				req->method = methods[i].m;
				req->method_name = methods[i].name;
			}
	req->https = (m = ohttp_env(req, "HTTPS")) != NULL &&
	    strcmp(m, "on") == 0;
	req->remote_addr = ohttp_env(req, "REMOTE_ADDR");

	/*
	 * Route on REQUEST_URI, what the client sent, rather than on
	 * SCRIPT_NAME and PATH_INFO, which depend on how the web server
	 * maps the binary.
	 */
	if ((uri = ohttp_env(req, "REQUEST_URI")) == NULL) {
		const char *sn = ohttp_env(req, "SCRIPT_NAME");
		const char *pi = ohttp_env(req, "PATH_INFO");
		const char *qs = ohttp_env(req, "QUERY_STRING");

		uri = oarena_printf(&req->arena, "%s%s%s%s",
		    sn != NULL ? sn : "", pi != NULL ? pi : "",
		    qs != NULL && *qs != '\0' ? "?" : "",
		    qs != NULL ? qs : "");
	}
	req->path = "/";
	req->pathlen = 1;
	req->query = "";
	req->base = "";
	if ((len = strlen(uri)) > OHTTP_URI_MAX) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The request URI is longer than %d bytes.", OHTTP_URI_MAX);
		oerr_status(err, 414);
		return 0;
	}
	if (uri[0] != '/') {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The request target must be an absolute path.");
		return 0;
	}
	if ((q = strchr(uri, '?')) != NULL) {
		req->query = q + 1;
		len = (size_t)(q - uri);
	}
	/*
	 * The base path, "/sso/": "/sso/x" is "/x", "/sso" is "/".  A path
	 * outside it is served as it is: a proxy in front may have taken
	 * the base off already, as Hydra's deployments do.
	 */
	base = req->listener == OLISTEN_ADMIN ? adm_base : pub_base;
	if (base != NULL && (blen = strlen(base) - 1) > 0 && len >= blen &&
	    memcmp(uri, base, blen) == 0 && (len == blen || uri[blen] == '/'))
		cut = blen;
	if (req->listener == OLISTEN_ADMIN && len - cut >= 6 &&
	    strncmp(uri + cut, "/admin", 6) == 0 &&
	    (len - cut == 6 || uri[cut + 6] == '/')) {
		cut += 6;
		req->v2 = 1;
	}
	req->base = oarena_strndup(&req->arena, uri, cut);
	uri += cut;
	len -= cut;
	while (len > 1 && uri[len - 1] == '/')
		len--;
	if (len == 0)
		req->path = "/";
	else
		req->path = oarena_strndup(&req->arena, uri, len);
	req->pathlen = len == 0 ? 1 : len;
	return 1;
}

/*
 * The listener of this request: OIDCGI_LISTENER (or REDIRECT_...) among
 * the request's variables, else that of the process.  Returns 1, or 0
 * with err set for a value that is neither public nor admin.
 */
static int
request_listener(struct oreq *req, struct oerr *err)
{
	const char	*l;

	req->listener = listener;
	if ((l = ohttp_env(req, "OIDCGI_LISTENER")) == NULL || *l == '\0')
		return 1;
	if (strcmp(l, "public") == 0)
		req->listener = OLISTEN_PUBLIC;
	else if (strcmp(l, "admin") == 0)
		req->listener = OLISTEN_ADMIN;
	else {
		oerr_set(err, OERR_TEMPORARILY_UNAVAILABLE, "OIDCGI_LISTENER: "
		    "\"%.32s\" is not public or admin", l);
		oerr_status(err, 503);
		olog_err("%s", err->description);
		return 0;
	}
	return 1;
}

/*
 * The error status an Apache ErrorDocument or nginx error_page hands
 * over in REDIRECT_STATUS (a RewriteRule's internal redirect sets 200,
 * which is no error): 400 to 599, or 0.
 */
static int
redirect_status(struct oreq *req)
{
	const char	*s = ohttp_env(req, "REDIRECT_STATUS");
	long long	 n;

	if (s == NULL || !ostrtonum(s, strlen(s), 400, 599, &n))
		return 0;
	return (int)n;
}

/* An error of the given status, as the web server reported it. */
static void
status_error(struct oerr *err, int status)
{
	size_t	 max = oconf != NULL ? oconf->body_max : 1048576;

	switch (status) {
	case 413:
		oerr_set(err, OERR_PAYLOAD_TOO_LARGE,
		    "The request body is larger than %zu bytes.", max);
		break;
	case 414:
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The request URI is too long.");
		break;
	case 404:
		oerr_set(err, OERR_NOT_FOUND,
		    "The requested resource could not be found.");
		break;
	case 503:
	case 502:
	case 504:
		oerr_set(err, OERR_TEMPORARILY_UNAVAILABLE,
		    "The service is temporarily unavailable.");
		break;
	default:
		oerr_set(err, status >= 500 ? OERR_SERVER_ERROR :
		    OERR_INVALID_REQUEST, "The web server refused the request "
		    "(%s).", ohttp_reason(status));
		break;
	}
	oerr_status(err, status);
}

/* 1 if the path (after the base) is one that answers without a store. */
static int
storeless(const struct oreq *req)
{
	return strcmp(req->path, "/health/alive") == 0 ||
	    strcmp(req->path, "/health/ready") == 0 ||
	    strcmp(req->path, "/version") == 0;
}

/*
 * Plain CGI: read and drop what is left of the request body (when it is
 * within serve.request_body_max) before the process exits.  A program
 * that exits with unread input on a socket (Apache's mod_cgid) resets
 * the connection, and the web server then loses the answer.
 */
static void
cgi_drain(struct oreq *req)
{
	const char	*cl;
	long long	 n;
	size_t		 want, got;
	char		 buf[8192];

	if ((cl = ohttp_env(req, "CONTENT_LENGTH")) == NULL ||
	    !ostrtonum(cl, strlen(cl), 1,
	    oconf != NULL ? (long long)oconf->body_max : 1048576, &n))
		return;
	if (req->body_done)
		n -= (long long)req->bodylen;
	while (n > 0) {
		want = n < (long long)sizeof(buf) ? (size_t)n : sizeof(buf);
		if ((got = fread(buf, 1, want, stdin)) == 0)
			break;
		n -= (long long)got;
	}
}

/* Serve one request: parse it, route it, answer it. */
static void
serve_one(struct ohttp_io *io, struct oarena *arena,
    const struct oroute_table *t, size_t nt)
{
	struct oreq	 req;
	struct oerr	 err;
	json_t		*j;
	int		 st, ok;

	memset(&req, 0, sizeof(req));
	req.arena = *arena;
	req.io = io;
	oerr_clear(&err);
	if (!request_listener(&req, &err))
		ohttp_send_error(&req, &err);
	else if (!conf_ensure()) {
		/* Without a configuration, no base path is known. */
		parse_request(&req, &err);
		if (req.pathlen >= 13 && strcmp(req.path + req.pathlen - 13,
		    "/health/alive") == 0) {
			j = json_pack("{s:s}", "status", "ok");
			ohttp_send_json(&req, 200, j);
			json_decref(j);
		} else {
			oerr_clear(&err);
			oerr_set(&err, OERR_TEMPORARILY_UNAVAILABLE, "%s",
			    problem);
			oerr_status(&err, 503);
			ohttp_send_error(&req, &err);
		}
	} else if (!parse_request(&req, &err) ||
	    ohttp_query(&req, &err) == NULL)
		oroute_fail(&req, t, nt, &err);
	else if ((st = redirect_status(&req)) != 0) {
		status_error(&err, st);
		oroute_fail(&req, t, nt, &err);
	} else {
		if ((ok = docroot_ok(&req) && store_ensure()))
			problem[0] = logged[0] = '\0';
		if (!ok && !storeless(&req)) {
			oerr_set(&err, OERR_TEMPORARILY_UNAVAILABLE, "%s",
			    problem);
			oerr_status(&err, 503);
			oroute_fail(&req, t, nt, &err);
		} else
			oroute_dispatch(&req, t, nt);
	}
	if (io->fcgi == NULL)
		cgi_drain(&req);
	ometrics_request(req.listener, req.status);
	oarena_reset(&req.arena);
	*arena = req.arena;
}

/*
 * systemd socket activation (sd_listen_fds(3)): the listening socket
 * arrives as fd 3 with LISTEN_PID and LISTEN_FDS set; libfcgi accepts
 * on fd 0, so move it there.  StandardInput=socket and spawn-fcgi put
 * it on fd 0 already.
 */
static void
socket_activation(void)
{
	const char	*pid = getenv("LISTEN_PID");
	const char	*fds = getenv("LISTEN_FDS");
	long long	 p, n;

	if (pid == NULL || fds == NULL ||
	    !ostrtonum(pid, strlen(pid), 1, INT_MAX, &p) ||
	    !ostrtonum(fds, strlen(fds), 1, 64, &n) || p != (long long)getpid())
		return;
	if (n != 1)
		olog_warn("LISTEN_FDS: %lld sockets passed; serving the "
		    "first", n);
	if (dup2(3, 0) == -1)
		olog_err("dup2: %s", strerror(errno));
	else
		close(3);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

int
omain(int argc, char *argv[], const struct oroute *routes, size_t nroutes)
{
	struct oroute_table	 t;

	t.routes = routes;
	t.n = nroutes;
	return omain_tables(argc, argv, &t, 1);
}

/*
 * SIGTERM, the web server stopping its FastCGI processes: between
 * requests leave at once; during one, once it is answered.  (libfcgi's
 * own handler only sets a flag, which a process already waiting in
 * accept(), or about to, never looks at again: it stayed on.)
 */
static void
on_term(int sig)
{
	(void)sig;
	if (!serving)
		_exit(0);
	stopping = 1;
}

int
omain_tables(int argc, char *argv[], const struct oroute_table *t,
    size_t nt)
{
	struct sigaction	 sa;
	FCGX_Request	 fr;
	struct ohttp_io	 io;
	struct oarena	 arena;

	olog_init(argc > 0 ? argv[0] : "oidcgi");
	signal(SIGPIPE, SIG_IGN);
	umask(077);
	socket_activation();
	if (conf_ensure())
		store_ensure();
	oarena_init(&arena);

	if (FCGX_IsCGI()) {
		io.fcgi = NULL;
		serve_one(&io, &arena, t, nt);
		fflush(stdout);
	} else {
		if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
			olog_err("FCGX_Init failed");
			return 1;
		}
		io.fcgi = &fr;
		memset(&sa, 0, sizeof(sa));
		sigemptyset(&sa.sa_mask);
		sa.sa_handler = on_term;
		sigaction(SIGTERM, &sa, NULL);
		while (!stopping && FCGX_Accept_r(&fr) >= 0) {
			serving = 1;
			serve_one(&io, &arena, t, nt);
			FCGX_Finish_r(&fr);
			serving = 0;
		}
	}
	oarena_free(&arena);
	ostore_close();
	oconf = NULL;
	oconf_free(&conf);
	free(pub_base);
	free(adm_base);
	return 0;
}
