/*
 * Unit tests for lib/web/csrf.c: the forms' CSRF tokens on fake plain-
 * CGI requests (cookies and Content-Type come from the environment).
 */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/form.h"
#include "web/csrf.h"
#include "web/extern.h"
#include "web/http.h"
#include "t.h"

static struct oconf	 conf;
static struct ohttp_io	 io;
static char		 cookie[128];	/* "oidcgi_ui_csrf=..." */

static const struct ofield fields[] = {
	{ "challenge", 256, OFIELD_VSCHAR, OFIELD_REQUIRED | OFIELD_ONCE },
	{ "csrf", 64, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "action", 16, OFIELD_VSCHAR, OFIELD_ONCE },
};
#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

/* A fresh request sending cookies c (NULL: none) and no body yet. */
static void
fresh(struct oreq *req, const char *c)
{
	memset(req, 0, sizeof(*req));
	oarena_init(&req->arena);
	req->io = &io;
	req->query = "";
	req->method = OHTTP_POST;
	req->method_name = "POST";
	if (c != NULL)
		setenv("HTTP_COOKIE", c, 1);
	else
		unsetenv("HTTP_COOKIE");
}

/* The body a request has read already, as a form. */
static void
body(struct oreq *req, const char *b)
{
	req->body = oarena_strdup(&req->arena, b);
	req->bodylen = strlen(b);
	req->body_done = 1;
	setenv("CONTENT_TYPE", "application/x-www-form-urlencoded", 1);
}

/* The value of the response's Set-Cookie header, or NULL. */
static const char *
set_cookie(const struct oreq *req)
{
	size_t	 i;

	for (i = 0; i < req->nhdrs; i++)
		if (strcmp(req->hdrs[i].name, "Set-Cookie") == 0)
			return req->hdrs[i].value;
	return NULL;
}

static void
setup(void)
{
	memset(&conf, 0, sizeof(conf));
	conf.issuer = "http://127.0.0.1:4444/";
	conf.secrets[0] = "a system secret of thirty-two bytes or more";
	conf.nsecrets = 1;
	conf.body_max = 4096;
	oconf = &conf;
	unsetenv("CONTENT_LENGTH");
}

/*
 * A browser without the cookie gets one with its first form; its token
 * then checks for the same kind and challenge only.
 */
static void
token(void)
{
	struct oreq	 req;
	const char	*sc, *again;
	char		 tok[64];
	size_t		 n;

	setup();
	fresh(&req, NULL);
	/* Copied: the token is in the request's arena. */
	snprintf(tok, sizeof(tok), "%s", ocsrf_token(&req, "login", "ch1"));
	CHECK(strlen(tok) == 43);
	CHECK((sc = set_cookie(&req)) != NULL);
	CHECK(strncmp(sc, "oidcgi_ui_csrf=", 15) == 0);
	n = strcspn(sc, ";");
	CHECK(n < sizeof(cookie));
	snprintf(cookie, sizeof(cookie), "%.*s", (int)n, sc);
	/* Without the cookie sent back, nothing checks. */
	CHECK(!ocsrf_ok(&req, "login", "ch1", tok));
	oarena_free(&req.arena);

	fresh(&req, cookie);
	CHECK(ocsrf_ok(&req, "login", "ch1", tok));
	CHECK(!ocsrf_ok(&req, "consent", "ch1", tok));
	CHECK(!ocsrf_ok(&req, "login", "ch2", tok));
	CHECK(!ocsrf_ok(&req, "login", NULL, tok));
	CHECK(!ocsrf_ok(&req, "login", "ch1", NULL));
	CHECK(!ocsrf_ok(&req, "login", "ch1", ""));
	/* With the cookie, the same token and no new cookie. */
	again = ocsrf_token(&req, "login", "ch1");
	CHECK_STR(again, tok);
	CHECK(set_cookie(&req) == NULL);
	oarena_free(&req.arena);

	/* Another browser's cookie: the token does not check. */
	fresh(&req, "oidcgi_ui_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	CHECK(!ocsrf_ok(&req, "login", "ch1", tok));
	oarena_free(&req.arena);
	/* A malformed cookie is none. */
	fresh(&req, "oidcgi_ui_csrf=short");
	CHECK(!ocsrf_ok(&req, "login", "ch1", tok));
	oarena_free(&req.arena);

	/* An older secrets.system still checks after a rotation. */
	conf.secrets[1] = conf.secrets[0];
	conf.secrets[0] = "the next system secret, also long enough";
	conf.nsecrets = 2;
	fresh(&req, cookie);
	CHECK(ocsrf_ok(&req, "login", "ch1", tok));
	CHECK(strcmp(ocsrf_token(&req, "login", "ch1"), tok) != 0);
	conf.nsecrets = 1;
	CHECK(!ocsrf_ok(&req, "login", "ch1", tok));
	oarena_free(&req.arena);
}

/* ocsrf_form(): the form, its fields, then its token. */
static void
form(void)
{
	struct oreq		 req;
	struct oerr		 err;
	const struct oparams	*p;
	char			 tok[64];

	setup();
	fresh(&req, NULL);
	snprintf(tok, sizeof(tok), "%s", ocsrf_token(&req, "logout", "ch9"));
	snprintf(cookie, sizeof(cookie), "%.*s",
	    (int)strcspn(set_cookie(&req), ";"), set_cookie(&req));
	oarena_free(&req.arena);

	fresh(&req, cookie);
	body(&req, oarena_printf(&req.arena, "challenge=ch9&csrf=%s&"
	    "action=logout", tok));
	oerr_clear(&err);
	p = ocsrf_form(&req, "logout", fields, NFIELDS, "sign-out", NULL,
	    &err);
	CHECK(p != NULL && err.code == OERR_NONE);
	CHECK_STR(oparams_get(p, "action"), "logout");
	oarena_free(&req.arena);

	/* A token of another kind: a 403 naming the form, with the hint. */
	fresh(&req, cookie);
	body(&req, oarena_printf(&req.arena, "challenge=ch9&csrf=%s", tok));
	oerr_clear(&err);
	CHECK(ocsrf_form(&req, "login", fields, NFIELDS, "sign-in",
	    "Sign in again.", &err) == NULL);
	CHECK(err.status == 403 && err.code == OERR_REQUEST_FORBIDDEN);
	CHECK(strncmp(err.description, "The sign-in form was not sent",
	    29) == 0);
	CHECK_STR(err.hint, "Sign in again.");
	oarena_free(&req.arena);

	/* No token: a 403 without a hint. */
	fresh(&req, cookie);
	body(&req, "challenge=ch9");
	oerr_clear(&err);
	CHECK(ocsrf_form(&req, "logout", fields, NFIELDS, "sign-out", NULL,
	    &err) == NULL);
	CHECK(err.status == 403 && err.hint[0] == '\0');
	oarena_free(&req.arena);

	/* The fields are checked first: a 400, whatever the token. */
	fresh(&req, cookie);
	body(&req, oarena_printf(&req.arena, "csrf=%s", tok));
	oerr_clear(&err);
	CHECK(ocsrf_form(&req, "logout", fields, NFIELDS, "sign-out", NULL,
	    &err) == NULL);
	CHECK(err.status == 400);
	oarena_free(&req.arena);

	/* Another media type: a 400 before the fields. */
	fresh(&req, cookie);
	body(&req, "challenge=ch9");
	setenv("CONTENT_TYPE", "text/plain", 1);
	oerr_clear(&err);
	CHECK(ocsrf_form(&req, "logout", fields, NFIELDS, "sign-out", NULL,
	    &err) == NULL);
	CHECK(err.status == 400);
	oarena_free(&req.arena);
}

static const struct t_case tests[] = {
	T(token), T(form),
};

int
main(void)
{
	return t_run(tests, NTESTS);
}
