/*
 * http.h: one HTTP request and its response, over FastCGI or plain CGI.
 *
 * A process runs omain() (web/serve.h), which loads the configuration,
 * opens the store and then serves requests one at a time: from the
 * FastCGI socket the web server gave it, or, when started as plain CGI,
 * the one request in its environment and stdin.  Each request becomes a
 * struct oreq whose arena holds everything decoded from it; handlers
 * read it through the functions below and answer through ohttp_send*(),
 * exactly once.
 */
#ifndef OIDCGI_HTTP_H
#define OIDCGI_HTTP_H

#include <stddef.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/form.h"
#include "web/listen.h"

enum ohttp_method {
	OHTTP_GET,
	OHTTP_HEAD,
	OHTTP_POST,
	OHTTP_PUT,
	OHTTP_PATCH,
	OHTTP_DELETE,
	OHTTP_OPTIONS,
	OHTTP_OTHER,
	OHTTP__MAX
};

#define OHTTP_M(m)	(1u << OHTTP_##m)

/* Limits checked before anything is decoded or allocated. */
#define OHTTP_URI_MAX		8192	/* path plus query, bytes */
#define OHTTP_COOKIE_MAX	8192
#define OHTTP_AUTH_MAX		4096	/* Authorization header */
#define OHTTP_HEADERS_MAX	32	/* response headers */

struct ohttp_io;

struct ohdr {
	const char	*name;
	const char	*value;
};

struct oreq {
	struct oarena		 arena;
	struct ohttp_io		*io;
	enum ohttp_method	 method;
	const char		*method_name;
	const char		*path;		/* raw path, base stripped */
	size_t			 pathlen;	/* without trailing slashes */
	const char		*query;		/* raw, after '?'; "" if none */
	/*
	 * What was stripped from the front of the path: the listener's
	 * base path ("/sso" of an issuer https://example.org/sso/) and on
	 * the admin listener "/admin" (Hydra 2.x); "" when nothing was.
	 * Prefix it to a path of this listener to link to it.
	 */
	const char		*base;
	/* 1 when "/admin" was stripped: a Hydra 2.x path, 0 for 1.x */
	int			 v2;
	unsigned		 listener;	/* OLISTEN_PUBLIC or _ADMIN */
	int			 https;		/* HTTPS=on */
	const char		*remote_addr;
	/* path parameters, percent-decoded, in pattern order */
	const char		*params[OROUTE_MAXPARAMS];
	size_t			 nparams;
	/* decoded lazily */
	struct oparams		 qs;
	int			 qs_done;
	struct oparams		 cookies;
	int			 cookies_done;
	char			*body;		/* NUL-terminated */
	size_t			 bodylen;
	int			 body_done;
	/* response */
	struct ohdr		 hdrs[OHTTP_HEADERS_MAX];
	size_t			 nhdrs;
	int			 status;	/* 0 until a response is sent */
};

/*
 * A request variable by its CGI name ("HTTP_AUTHORIZATION"), or NULL.
 * HTTP_AUTHORIZATION and the OIDCGI_* variables that are unset or empty
 * are also looked for as REDIRECT_<name> (see oenv()): how a shared
 * host's RewriteRule passes them.
 */
const char	*ohttp_env(struct oreq *, const char *name);

/*
 * The decoded query string.  Returns NULL with a 400 in err when it is
 * malformed (bad %-escape, NUL, not UTF-8).
 */
const struct oparams	*ohttp_query(struct oreq *, struct oerr *);

/*
 * Read the body, at most serve.request_body_max bytes: a larger
 * Content-Length is a 413 before anything is read; a body shorter than
 * its Content-Length is a 400.  *len may be NULL.  The body is
 * NUL-terminated in the arena.  Returns it, or NULL with err set.
 */
const char	*ohttp_body(struct oreq *, size_t *len, struct oerr *);

/*
 * The body as application/x-www-form-urlencoded (RFC 6749 §4.1.3 and
 * others require that media type: another one is a 400).  Returns NULL
 * with err set on any failure.
 */
const struct oparams	*ohttp_form(struct oreq *, struct oerr *);

/*
 * The body as a JSON object (or any value when want_object is 0).  A
 * non-empty body must be sent as application/json (on PATCH also
 * application/json-patch+json): any other Content-Type, or none, is a
 * 415 (a page of another site can POST text/plain without a preflight).
 * Returns a new reference, or NULL with a 400, 413 or 415 in err.
 */
json_t	*ohttp_json(struct oreq *, int want_object, struct oerr *);

/*
 * The cookies sent (malformed pairs are skipped, as browsers do).  A
 * name sent more than once is absent: every copy is dropped rather
 * than the first taken (a sibling host or path may have planted one).
 * Where ohttp_cookie() adds the __Host- prefix, only cookies with it
 * are taken, listed under their names without it.
 */
const struct oparams	*ohttp_cookies(struct oreq *);

enum ohttp_auth {
	OHTTP_AUTH_NONE,	/* no credentials of that scheme */
	OHTTP_AUTH_OK,
	OHTTP_AUTH_BAD		/* present but malformed; err set */
};

/*
 * HTTP Basic client credentials (RFC 7617; RFC 6749 §2.3.1: id and
 * secret are each form-urlencoded before being joined).  On
 * OHTTP_AUTH_OK *id and *secret are arena strings.
 */
enum ohttp_auth	 ohttp_basic(struct oreq *, const char **id,
		    const char **secret, struct oerr *);
/* A Bearer token (RFC 6750 §2.1). */
enum ohttp_auth	 ohttp_bearer(struct oreq *, const char **token,
		    struct oerr *);
/*
 * The same for another scheme of the same token68 syntax ("DPoP",
 * RFC 9449 §7.1).
 */
enum ohttp_auth	 ohttp_token_auth(struct oreq *, const char *scheme,
		    const char **token, struct oerr *);

/* Add a response header (both strings copied into the arena). */
void	 ohttp_header(struct oreq *, const char *name, const char *value);

#define OHTTP_COOKIE_HTTPONLY	0x1
#define OHTTP_COOKIE_SECURE	0x2
#define OHTTP_COOKIE_LAX	0x4	/* SameSite=Lax */
#define OHTTP_COOKIE_NONE	0x8	/* SameSite=None (needs Secure) */

/*
 * Set a cookie.  max_age < 0: a session cookie; 0: delete it.
 * name and value must be cookie-safe (RFC 6265 §4.1.1); base64url is.
 * When the issuer is https at the root path, the cookie is sent as
 * "__Host-<name>", Secure, with Path=/ (RFC 6265bis §4.1.3.2), so that
 * no other host of the site can set or shadow it; ohttp_cookies()
 * gives it back under name.
 */
void	 ohttp_cookie(struct oreq *, const char *name, const char *value,
	    long long max_age, const char *path, unsigned flags);

/* Send a response with the given body (NULL/0 for none). */
void	 ohttp_send(struct oreq *, int status, const char *ctype,
	    const char *body, size_t len);
/* Send JSON (serialised compactly); status 204 sends no body. */
void	 ohttp_send_json(struct oreq *, int status, const json_t *);
/*
 * Send an error in Hydra's genericError shape; on the admin listener
 * (Hydra's management API) with error_code (oerr_json_hydra()).
 */
void	 ohttp_send_error(struct oreq *, const struct oerr *);
/*
 * Send an OAuth 2.0 error as fosite shapes it (RFC 6749 §5.2, with
 * error_hint and status_code), without error_code on either listener:
 * for an OAuth endpoint on the admin listener (introspection).
 */
void	 ohttp_send_oauth_error(struct oreq *, const struct oerr *);
/* Redirect (302 or 303) to url. */
void	 ohttp_redirect(struct oreq *, int status, const char *url);
/*
 * Send the user agent to urls.error with err as its error,
 * error_description and error_hint (a 302), for a browser request that
 * failed before a redirect URI could be trusted (RFC 6749 §4.1.2.1:
 * never to an unverified client).
 */
void	 ohttp_error_page(struct oreq *, const struct oerr *);
/* s HTML-escaped (& < > " ') into the request's arena; NULL as "". */
char	*ohttp_html(struct oreq *, const char *s);

/* Reason phrase of a status ("Not Found"). */
const char	*ohttp_reason(int status);

/*
 * The parameters of a GET or POST endpoint: the form of a POST
 * (ohttp_form), the query of any other method (ohttp_query).  NULL
 * with err set as those say.
 */
const struct oparams	*ohttp_params(struct oreq *, struct oerr *);

/*
 * The URL of this request at path (under the issuer, e.g.
 * "oauth2/auth"), to come back to: with the query as it came when raw
 * is set and there is one, else with the parameters p (ohttp_params)
 * form-encoded.  qmark: put the '?' even when no query follows.  An
 * arena string.
 */
char	*ohttp_self_url(struct oreq *, const struct oparams *p,
	    const char *path, int raw, int qmark);

/*
 * A required, non-empty parameter name of the query q.  NULL with a
 * 400 in err ("The query parameter '<name>' is required.") when it is
 * missing or empty.
 */
const char	*ohttp_need(const struct oparams *q, const char *name,
	    struct oerr *err);

#endif
