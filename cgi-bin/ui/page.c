/*
 * page.c: what every page of the bundled app shares: escaping, the
 * layout, the security headers, the client's header, the CSRF token and
 * opening challenges (see ui.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/url.h"
#include "base/util.h"
#include "records/flow.h"
#include "protocol/flowapi.h"
#include "web/cookies.h"
#include "web/csrf.h"
#include "web/http.h"
#include "ui.h"

int
ui_web_url(const char *s)
{
	struct ourl	 u;

	return s != NULL && *s != '\0' && ourl_parse(s, &u) == NULL &&
	    (strcmp(u.scheme, "https") == 0 || strcmp(u.scheme, "http") == 0);
}

void
ui_page(struct upage *p, struct oreq *req, const char *title)
{
	memset(p, 0, sizeof(*p));
	p->req = req;
	p->title = title;
	p->body = "";
	p->img = "";
	p->forms = "";
}

void
ui_add(struct upage *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = oarena_vprintf(&p->req->arena, fmt, ap);
	va_end(ap);
	p->body = oarena_printf(&p->req->arena, "%s%s", p->body, s);
}

/*
 * A URL as a CSP source expression (CSP 3 §2.3.1): without query and
 * fragment, with ';', ',' and quotes percent-encoded (CSP matches
 * decoded paths); a loopback http URL with any port (RFC 8252 §7.3
 * lets native apps pick one); a URL of another scheme as its scheme
 * ("com.example.app:").  NULL when it is not an absolute URI.
 */
static char *
csp_source(struct oreq *req, const char *url)
{
	struct ourl	 u;
	size_t		 n = strcspn(url, "?#"), i, o = 0;
	char		*out, *base;
	const char	*path;

	if (ourl_parse(url, &u) != NULL)
		return NULL;
	if (strcmp(u.scheme, "http") != 0 && strcmp(u.scheme, "https") != 0)
		return oarena_printf(&req->arena, "%s:", u.scheme);
	out = oarena_alloc(&req->arena, n * 3 + 16);
	for (i = 0; i < n; i++)
		if (url[i] == ';' || url[i] == ',' || url[i] == '\'' ||
		    url[i] == '"' || url[i] == ' ') {
			snprintf(out + o, 4, "%%%02X", (unsigned char)url[i]);
			o += 3;
		} else
			out[o++] = url[i];
	out[o] = '\0';
	if (strcmp(u.scheme, "http") == 0 && ourl_loopback(&u)) {
		path = strchr(out + 7, '/');
		base = oarena_printf(&req->arena, "http://%s:*%s", u.host,
		    path != NULL ? path : "");
		return base;
	}
	return out;
}

void
ui_allow_form(struct upage *p, const char *uri)
{
	char	*s;

	if (uri != NULL && *uri != '\0' &&
	    (s = csp_source(p->req, uri)) != NULL)
		p->forms = oarena_printf(&p->req->arena, "%s %s", p->forms, s);
}

void
ui_allow_forms(struct upage *p, const json_t *client, const char *member)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(json_object_get(client, member), i, e)
		ui_allow_form(p, json_string_value(e));
}

void
ui_client(struct upage *p, const json_t *client, const char *what)
{
	const char	*name = ojson_str(client, "client_name");
	const char	*logo = ojson_str(client, "logo_uri");
	char		*src;

	if (*name == '\0')
		name = ojson_str(client, "client_id");
	ui_add(p, "<header class=\"client\">\n");
	if (ui_web_url(logo) && (src = csp_source(p->req, logo)) != NULL) {
		p->img = oarena_printf(&p->req->arena, "%s %s", p->img, src);
		ui_add(p, "<img class=\"logo\" src=\"%s\" alt=\"\" "
		    "width=\"64\" height=\"64\">\n", ohttp_html(p->req, logo));
	}
	ui_add(p, "<h1><span class=\"client-name\">%s</span></h1>\n"
	    "<p class=\"what\">%s</p>\n</header>\n",
	    ohttp_html(p->req, name), what);
}

void
ui_send(struct upage *p, int status)
{
	struct oreq	*req = p->req;
	char		*page;

	page = oarena_printf(&req->arena, "<!DOCTYPE html>\n"
	    "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n"
	    "<title>%s</title>\n"
	    "<link rel=\"stylesheet\" href=\"static/oidcgi.css\">\n"
	    "</head>\n<body>\n<main class=\"card\">\n%s</main>\n"
	    "</body>\n</html>\n", ohttp_html(req, p->title), p->body);
	ohttp_header(req, "Content-Security-Policy", oarena_printf(
	    &req->arena, "default-src 'none'; style-src 'self'; img-src%s; "
	    "form-action 'self'%s; frame-ancestors 'none'; base-uri 'none'",
	    *p->img != '\0' ? p->img : " 'none'", p->forms));
	ohttp_header(req, "X-Frame-Options", "DENY");
	ohttp_header(req, "Referrer-Policy", "no-referrer");
	ohttp_header(req, "Cache-Control", "no-store");
	ohttp_send(req, status, "text/html; charset=utf-8", page,
	    strlen(page));
}

void
ui_error(struct oreq *req, const struct oerr *err)
{
	struct upage	 p;
	int		 status = err->status ? err->status : 500;

	if (status >= 500)
		olog_err("%s %s: %s", req->method_name, req->path,
		    err->description);
	ui_page(&p, req, "Something went wrong");
	ui_add(&p, "<h1>Something went wrong</h1>\n"
	    "<p class=\"error\" role=\"alert\"><strong>%s</strong></p>\n"
	    "<p>%s</p>\n", ohttp_html(req, oerr_name(err->code)),
	    ohttp_html(req, err->description));
	if (err->hint[0] != '\0')
		ui_add(&p, "<p class=\"hint\">%s</p>\n",
		    ohttp_html(req, err->hint));
	ui_add(&p, "<p class=\"muted\">Go back to the application you came "
	    "from and start again.</p>\n");
	ui_send(&p, status);
}

void
ui_redirect(struct oreq *req, const char *url)
{
	ohttp_header(req, "Referrer-Policy", "no-referrer");
	ohttp_redirect(req, req->method == OHTTP_POST ? 303 : 302, url);
}

void
ui_csrf_fields(struct upage *p, const char *kind, const char *challenge)
{
	ui_add(p, "<input type=\"hidden\" name=\"challenge\" value=\"%s\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n",
	    ohttp_html(p->req, challenge), ohttp_html(p->req,
	    ocsrf_token(p->req, kind, challenge)));
}

json_t *
ui_open(struct oreq *req, enum oflowapi_kind k, const char *challenge)
{
	struct oerr		 err;
	const struct oparams	*q;
	json_t			*st = NULL, *out = NULL;
	char			 name[32];

	oerr_clear(&err);
	if (challenge == NULL && (q = ohttp_query(req, &err)) != NULL) {
		snprintf(name, sizeof(name), "%s_challenge",
		    oflowapi_name(k));
		if (oparams_count(q, name) > 1) {
			oerr_set(&err, OERR_INVALID_REQUEST, "The parameter "
			    "'%s' must not be included more than once.", name);
			ui_error(req, &err);
			return NULL;
		}
		challenge = oparams_get(q, name);
	}
	switch (oflowapi_open(k, challenge, &st, &out, &err)) {
	case OFLOWAPI_OK:
		if (oflow_for_bundled_app(k == OFLOWAPI_LOGIN ? OFLOW_LOGIN :
		    k == OFLOWAPI_CONSENT ? OFLOW_CONSENT : OFLOW_LOGOUT, st))
			return st;
		/* Issued for another app (urls.*): not ours to answer. */
		json_decref(st);
		oerr_set(&err, OERR_REQUEST_FORBIDDEN, "The %s challenge was "
		    "issued for another %s app (urls.%s), not this one.",
		    oflowapi_name(k), oflowapi_name(k), oflowapi_name(k));
		oerr_status(&err, 403);
		oerr_hint(&err, "Go back to the application and start again.");
		ui_error(req, &err);
		return NULL;
	case OFLOWAPI_HANDLED:
		/* Answered already (a reload, the back button). */
		ui_redirect(req, ojson_str(out, "redirect_to"));
		break;
	default:
		ui_error(req, &err);
		break;
	}
	json_decref(out);
	return NULL;
}

void
ui_answered(struct oreq *req, enum oflowapi_rc rc, json_t **out,
    const struct oerr *err)
{
	if (rc == OFLOWAPI_ERR)
		ui_error(req, err);
	else
		ui_redirect(req, ojson_str(*out, "redirect_to"));
	json_decref(*out);
	*out = NULL;
}

json_t *
ui_post(struct oreq *req, enum oflowapi_kind k, const struct ofield *fields,
    size_t nfields, const char *what, const char *hint,
    const struct oparams **form)
{
	struct oerr		 err;
	const struct oparams	*p;

	oerr_clear(&err);
	if ((p = ocsrf_form(req, oflowapi_name(k), fields, nfields, what,
	    hint, &err)) == NULL) {
		ui_error(req, &err);
		return NULL;
	}
	*form = p;
	return ui_open(req, k, oparams_get(p, "challenge"));
}

void
ui_accept(struct oreq *req, enum oflowapi_kind k, const json_t *st,
    json_t *body)
{
	struct oerr	 err;
	json_t		*out = NULL;

	oerr_clear(&err);
	ui_answered(req, oflowapi_accept(k, st, body, &out, &err), &out,
	    &err);
	json_decref(body);
}

void
ui_deny(struct oreq *req, enum oflowapi_kind k, const json_t *st,
    const char *description)
{
	struct oerr	 err;
	json_t		*body = NULL, *out = NULL;

	oerr_clear(&err);
	if (description != NULL)
		body = json_pack("{s:s,s:s}", "error", "access_denied",
		    "error_description", description);
	ui_answered(req, oflowapi_reject(k, st, body, &out, &err), &out,
	    &err);
	json_decref(body);
}
