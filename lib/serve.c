/*
 * serve.c: omain(), the start-up and request loop of every binary.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <fcgiapp.h>

#include "conf.h"
#include "extern.h"
#include "http.h"
#include "store.h"
#include "util.h"

static const struct {
	const char		*name;
	enum ohttp_method	 m;
} methods[] = {
	{ "GET", OHTTP_GET }, { "HEAD", OHTTP_HEAD }, { "POST", OHTTP_POST },
	{ "PUT", OHTTP_PUT }, { "PATCH", OHTTP_PATCH },
	{ "DELETE", OHTTP_DELETE }, { "OPTIONS", OHTTP_OPTIONS },
};

static struct oconf	 conf;
static unsigned		 listener = OLISTEN_PUBLIC;
static int64_t		 store_retry_at;

/*
 * Open the store if it is not open yet.  A failure is logged and retried
 * on a later request (at most every few seconds), so that a store that
 * comes back makes the process healthy again without a restart.
 */
static void
store_ensure(void)
{
	struct oerr	 err;

	if (ostore_isopen() || onow() < store_retry_at)
		return;
	oerr_clear(&err);
	if (!ostore_open(conf.data_dir, conf.map_size, &err)) {
		olog_err("store: %s", err.description);
		store_retry_at = onow() + 5;
	}
}

/*
 * Fill in the request line: method, path (the "/admin" prefix stripped
 * on the admin listener, trailing slashes dropped) and raw query.
 * Returns 1, or 0 with err set.
 */
static int
parse_request(struct oreq *req, struct oerr *err)
{
	const char	*m, *uri, *q;
	size_t		 i, len;

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
	if (listener == OLISTEN_ADMIN && len >= 6 &&
	    strncmp(uri, "/admin", 6) == 0 && (len == 6 || uri[6] == '/')) {
		uri += 6;
		len -= 6;
	}
	while (len > 1 && uri[len - 1] == '/')
		len--;
	req->path = oarena_strndup(&req->arena, uri, len);
	req->pathlen = len;
	return 1;
}

/* Serve one request: parse it, route it, answer it. */
static void
serve_one(struct ohttp_io *io, struct oarena *arena,
    const struct oroute *routes, size_t nroutes)
{
	struct oreq	 req;
	struct oerr	 err;

	memset(&req, 0, sizeof(req));
	req.arena = *arena;
	req.io = io;
	req.listener = listener;
	oerr_clear(&err);
	store_ensure();
	if (!parse_request(&req, &err) || ohttp_query(&req, &err) == NULL)
		ohttp_send_error(&req, &err);
	else
		oroute_dispatch(&req, routes, nroutes);
	oarena_reset(&req.arena);
	*arena = req.arena;
}

int
omain(int argc, char *argv[], const struct oroute *routes, size_t nroutes)
{
	FCGX_Request	 fr;
	struct ohttp_io	 io;
	struct oarena	 arena;
	const char	*l;
	char		 msg[512];

	olog_init(argc > 0 ? argv[0] : "oidcgi");
	signal(SIGPIPE, SIG_IGN);
	umask(077);
	if (!oconf_load(&conf, NULL, msg, sizeof(msg)) ||
	    !oconf_secrets(&conf, msg, sizeof(msg))) {
		olog_err("%s", msg);
		return 1;
	}
	oconf = &conf;
	olog_set_level(conf.log_level);
	if ((l = getenv("OIDCGI_LISTENER")) == NULL || strcmp(l, "public") == 0)
		listener = OLISTEN_PUBLIC;
	else if (strcmp(l, "admin") == 0)
		listener = OLISTEN_ADMIN;
	else {
		olog_err("OIDCGI_LISTENER: \"%.32s\" is not public or admin",
		    l);
		return 1;
	}
	store_ensure();
	oarena_init(&arena);

	if (FCGX_IsCGI()) {
		io.fcgi = NULL;
		serve_one(&io, &arena, routes, nroutes);
		fflush(stdout);
	} else {
		if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
			olog_err("FCGX_Init failed");
			return 1;
		}
		io.fcgi = &fr;
		while (FCGX_Accept_r(&fr) >= 0) {
			serve_one(&io, &arena, routes, nroutes);
			FCGX_Finish_r(&fr);
		}
	}
	oarena_free(&arena);
	ostore_close();
	oconf = NULL;
	oconf_free(&conf);
	return 0;
}
