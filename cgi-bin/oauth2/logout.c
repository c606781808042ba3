/*
 * logout.c: logout and session management on the public listener:
 *
 *   GET, POST /oauth2/sessions/logout
 *	RP-Initiated Logout 1.0 (id_token_hint, client_id,
 *	post_logout_redirect_uri, state) and OP-initiated logout (the
 *	session cookie): the user agent goes to urls.logout with a sealed
 *	logout challenge, which the logout app answers on the admin API
 *	(cgi-bin/flow/logout.c).
 *   GET, POST /oauth2/sessions/logout?logout_verifier=
 *	back from the logout app: the login session ends, its clients are
 *	told (Back-Channel Logout 1.0 POSTs, Front-Channel Logout 1.0
 *	iframes), and the user agent goes to the post-logout redirect.
 *   GET /oauth2/sessions/iframe, GET /{client_id}/iframe (Authentiq's
 *	path), GET /oauth2/sessions/iframe.js
 *	Session Management 1.0 §3.2's check_session_iframe.
 *
 * Errors found before a post-logout redirect is trusted go to
 * urls.error, as in the authorization endpoint.
 *
 * THE IFRAME'S SCRIPT IS A SEPARATE RESOURCE, not inline: the page's
 * Content-Security-Policy then allows exactly one script URL and no
 * inline script at all, the script is cached on its own (both for two
 * hours, as Session Management expects the iframe to be cheap to
 * reload), and nothing has to keep a CSP hash in step with the text.
 * It implements SHA-256 itself because crypto.subtle exists only in
 * secure contexts, which an iframe in an http RP page is not.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/util.h"
#include "records/clients.h"
#include "records/flow.h"
#include "protocol/logout.h"
#include "web/cookies.h"
#include "web/http.h"
#include "web/session.h"
#include "api.h"

#define IFRAME_CACHE	"public, max-age=7200"

/* A parameter's value, NULL when absent or empty. */
static const char *
param(const struct oparams *p, const char *name)
{
	const char	*v = oparams_get(p, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * A URL as a CSP source expression (CSP 3 §2.3.1): without its query,
 * and with the characters that would end or split the expression
 * (';', ',', quote) percent-encoded; CSP matches decoded paths.
 */
static char *
csp_source(struct oreq *req, const char *url)
{
	size_t	 n = strcspn(url, "?#"), i, o = 0;
	char	*out = oarena_alloc(&req->arena, n * 3 + 1);

	for (i = 0; i < n; i++)
		if (url[i] == ';' || url[i] == ',' || url[i] == '\'') {
			snprintf(out + o, 4, "%%%02X", (unsigned char)url[i]);
			o += 3;
		} else
			out[o++] = url[i];
	out[o] = '\0';
	return out;
}

/* Clear the login-session and browser-state cookies the request has. */
static void
forget_browser(struct oreq *req)
{
	const struct oparams	*c = ohttp_cookies(req);

	if (oparams_get(c, OFLOW_SESSION_COOKIE_NAME) != NULL)
		ocookies_session_clear(req);
	if (oparams_get(c, OSESSION_COOKIE_NAME) != NULL)
		osession_browser_state(req, NULL);
}

/*
 * Front-Channel Logout 1.0 §2: a page that loads each client's
 * frontchannel_logout_uri in a hidden iframe, then moves on to target
 * by a meta refresh (no script: the CSP allows none, and frames only
 * from those URIs).
 */
static void
frontchannel_page(struct oreq *req, const json_t *uris, const char *target)
{
	json_t	*e;
	size_t	 i;
	char	*frames = "", *csp = "default-src 'none'; frame-src", *page;

	json_array_foreach(uris, i, e) {
		frames = oarena_printf(&req->arena, "%s<iframe hidden "
		    "title=\"logout\" src=\"%s\"></iframe>\n", frames,
		    ohttp_html(req, json_string_value(e)));
		csp = oarena_printf(&req->arena, "%s %s", csp,
		    csp_source(req, json_string_value(e)));
	}
	csp = oarena_printf(&req->arena, "%s; frame-ancestors 'none'; "
	    "base-uri 'none'; form-action 'none'", csp);
	page = oarena_printf(&req->arena, "<!DOCTYPE html>\n<html><head>"
	    "<meta charset=\"utf-8\">\n<meta http-equiv=\"refresh\" "
	    "content=\"3;url=%s\">\n<title>Logging out</title></head>\n"
	    "<body>\n<p>You have been logged out. <a href=\"%s\">Continue"
	    "</a></p>\n%s</body></html>\n", ohttp_html(req, target),
	    ohttp_html(req, target), frames);
	ohttp_header(req, "Content-Security-Policy", csp);
	ohttp_header(req, "Referrer-Policy", "no-referrer");
	ohttp_send(req, 200, "text/html; charset=utf-8", page, strlen(page));
}

/*
 * Answer the user agent as a step's outcome says: the CSRF and session
 * cookies first, then an error page, the logout app with its
 * challenge, the post-logout redirect, or the front-channel page.
 */
static void
answer(struct oreq *req, const struct ologout_outcome *o)
{
	if (o->forget)
		forget_browser(req);
	if (o->answer == OLOGOUT_TO_UI)
		ocookies_csrf_set(req, "logout", o->csrf_client, o->csrf);
	if (o->csrf_clear)
		ocookies_csrf_clear(req, "logout", o->csrf_client);
	if (o->clear) {
		ocookies_session_clear(req);
		osession_browser_state(req, NULL);
	}
	switch (o->answer) {
	case OLOGOUT_SHOW_ERROR:
		ohttp_error_page(req, &o->err);
		break;
	case OLOGOUT_TO_UI:
		ohttp_redirect(req, 302, oarena_printf(&req->arena,
		    "%s%slogout_challenge=%s", oconf->url_logout,
		    strchr(oconf->url_logout, '?') != NULL ? "&" : "?",
		    o->challenge));
		break;
	case OLOGOUT_REDIRECT:
		ohttp_redirect(req, 302, o->target);
		break;
	case OLOGOUT_FRONTCHANNEL:
		frontchannel_page(req, o->frontchannel, o->target);
		break;
	}
}

/*
 * GET or POST /oauth2/sessions/logout: a logout verifier, or a new
 * logout request.
 */
static void
logout(struct oreq *req)
{
	struct oerr		 err;
	struct ologout_outcome	 o;
	const struct oparams	*p;
	const char		*v;

	oerr_clear(&err);
	memset(&o, 0, sizeof(o));
	if ((p = ohttp_params(req, &err)) == NULL) {
		ohttp_error_page(req, &err);
		return;
	}
	if (oparams_count(p, "logout_verifier") > 1) {
		oerr_set(&err, OERR_INVALID_REQUEST, "The logout_verifier must "
		    "not be included more than once.");
		ohttp_error_page(req, &err);
		return;
	}
	if ((v = param(p, "logout_verifier")) != NULL)
		ologout_end(&req->arena, v, ocookies_session_sid(req),
		    ocookies_csrf_check, req, &o);
	else
		ologout_begin(&req->arena, p, ocookies_session_sid(req),
		    ohttp_self_url(req, p, "oauth2/sessions/logout",
		    req->method != OHTTP_POST, 0), &o);
	answer(req, &o);
	ologout_outcome_free(&o);
}

/*
 * The script of the check_session_iframe (generated from a readable
 * source and tested against Python's hashlib; see the integration
 * tests).
 */
static const char iframe_js[] =
    "/* check_session_iframe: OpenID Connect Session Management 1.0 §3.2 */\n"
    "(function () {\n"
    "\t\"use strict\";\n"
    "\tvar NAME = \"" OSESSION_COOKIE_NAME "\";\n"
    "\t/* SHA-256 (FIPS 180-4); crypto.subtle needs a secure context. */\n"
    "\tvar K = [\n"
    "\t    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,\n"
    "\t    0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,\n"
    "\t    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,\n"
    "\t    0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,\n"
    "\t    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,\n"
    "\t    0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,\n"
    "\t    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,\n"
    "\t    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,\n"
    "\t    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,\n"
    "\t    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,\n"
    "\t    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,\n"
    "\t    0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,\n"
    "\t    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];\n"
    "\tvar H = [\n"
    "\t    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,\n"
    "\t    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];\n"
    "\n"
    "\tfunction ror(x, n) {\n"
    "\t\treturn (x >>> n) | (x << (32 - n));\n"
    "\t}\n"
    "\n"
    "\tfunction sha256(m) {\n"
    "\t\tvar l = m.length, n = ((l + 72) >> 6) << 6, p = new Uint8Array(n);\n"
    "\t\tvar h = H.slice(0), w = new Array(64), i, j, a, b, c, d, e, f, g, k;\n"
    "\t\tvar t1, t2, hi = Math.floor(l / 0x20000000), lo = (l * 8) >>> 0;\n"
    "\t\tvar out = new Uint8Array(32);\n"
    "\n"
    "\t\tp.set(m);\n"
    "\t\tp[l] = 0x80;\n"
    "\t\tfor (i = 0; i < 4; i++) {\n"
    "\t\t\tp[n - 8 + i] = (hi >>> (24 - 8 * i)) & 0xff;\n"
    "\t\t\tp[n - 4 + i] = (lo >>> (24 - 8 * i)) & 0xff;\n"
    "\t\t}\n"
    "\t\tfor (i = 0; i < n; i += 64) {\n"
    "\t\t\tfor (j = 0; j < 16; j++)\n"
    "\t\t\t\tw[j] = (p[i + 4 * j] << 24) | (p[i + 4 * j + 1] << 16) |\n"
    "\t\t\t\t    (p[i + 4 * j + 2] << 8) | p[i + 4 * j + 3];\n"
    "\t\t\tfor (j = 16; j < 64; j++) {\n"
    "\t\t\t\tt1 = w[j - 15];\n"
    "\t\t\t\tt2 = w[j - 2];\n"
    "\t\t\t\tw[j] = (w[j - 16] + (ror(t1, 7) ^ ror(t1, 18) ^ (t1 >>> 3)) +\n"
    "\t\t\t\t    w[j - 7] + (ror(t2, 17) ^ ror(t2, 19) ^ (t2 >>> 10))) | 0;\n"
    "\t\t\t}\n"
    "\t\t\ta = h[0]; b = h[1]; c = h[2]; d = h[3];\n"
    "\t\t\te = h[4]; f = h[5]; g = h[6]; k = h[7];\n"
    "\t\t\tfor (j = 0; j < 64; j++) {\n"
    "\t\t\t\tt1 = (k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +\n"
    "\t\t\t\t    ((e & f) ^ (~e & g)) + K[j] + w[j]) | 0;\n"
    "\t\t\t\tt2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +\n"
    "\t\t\t\t    ((a & b) ^ (a & c) ^ (b & c))) | 0;\n"
    "\t\t\t\tk = g; g = f; f = e; e = (d + t1) | 0;\n"
    "\t\t\t\td = c; c = b; b = a; a = (t1 + t2) | 0;\n"
    "\t\t\t}\n"
    "\t\t\th[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0;\n"
    "\t\t\th[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;\n"
    "\t\t\th[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0;\n"
    "\t\t\th[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;\n"
    "\t\t}\n"
    "\t\tfor (i = 0; i < 32; i++)\n"
    "\t\t\tout[i] = (h[i >> 2] >>> (24 - 8 * (i & 3))) & 0xff;\n"
    "\t\treturn out;\n"
    "\t}\n"
    "\n"
    "\tfunction utf8(s) {\n"
    "\t\tvar b, a, i;\n"
    "\n"
    "\t\tif (typeof TextEncoder === \"function\")\n"
    "\t\t\treturn new TextEncoder().encode(s);\n"
    "\t\tb = unescape(encodeURIComponent(s));\n"
    "\t\ta = new Uint8Array(b.length);\n"
    "\t\tfor (i = 0; i < b.length; i++)\n"
    "\t\t\ta[i] = b.charCodeAt(i);\n"
    "\t\treturn a;\n"
    "\t}\n"
    "\n"
    "\tfunction b64url(v) {\n"
    "\t\tvar s = \"\", i;\n"
    "\n"
    "\t\tfor (i = 0; i < v.length; i++)\n"
    "\t\t\ts += String.fromCharCode(v[i]);\n"
    "\t\treturn btoa(s).replace(/\\+/g, \"-\").replace(/\\//g, \"_\")\n"
    "\t\t    .replace(/=+$/, \"\");\n"
    "\t}\n"
    "\n"
    "\t/* The browser state, \"\" without one; null if cookies are hidden. */\n"
    "\tfunction browserState() {\n"
    "\t\tvar c, i, kv;\n"
    "\n"
    "\t\ttry {\n"
    "\t\t\tc = document.cookie ? document.cookie.split(\";\") : [];\n"
    "\t\t} catch (x) {\n"
    "\t\t\treturn null;\n"
    "\t\t}\n"
    "\t\tfor (i = 0; i < c.length; i++) {\n"
    "\t\t\tkv = c[i].replace(/^\\s+/, \"\");\n"
    "\t\t\tif (kv.indexOf(NAME + \"=\") === 0 ||\n"
    "\t\t\t    kv.indexOf(\"__Host-\" + NAME + \"=\") === 0)\n"
    "\t\t\t\treturn kv.substring(kv.indexOf(\"=\") + 1);\n"
    "\t\t}\n"
    "\t\treturn \"\";\n"
    "\t}\n"
    "\n"
    "\t/* §3.2: \"client_id session_state\" -> changed, unchanged or error. */\n"
    "\tfunction check(data, origin) {\n"
    "\t\tvar i, cid, ss, dot, salt, bs;\n"
    "\n"
    "\t\tif (typeof data !== \"string\" || (i = data.lastIndexOf(\" \")) <= 0)\n"
    "\t\t\treturn \"error\";\n"
    "\t\tcid = data.substring(0, i);\n"
    "\t\tss = data.substring(i + 1);\n"
    "\t\tdot = ss.lastIndexOf(\".\");\n"
    "\t\tif (dot <= 0 || dot === ss.length - 1)\n"
    "\t\t\treturn \"error\";\n"
    "\t\tsalt = ss.substring(dot + 1);\n"
    "\t\tif ((bs = browserState()) === null)\n"
    "\t\t\treturn \"error\";\n"
    "\t\treturn b64url(sha256(utf8(cid + \" \" + origin + \" \" + bs + \" \" +\n"
    "\t\t    salt))) + \".\" + salt === ss ? \"unchanged\" : \"changed\";\n"
    "\t}\n"
    "\n"
    "\t/* Only the page that embeds this frame may ask (§3.2). */\n"
    "\twindow.addEventListener(\"message\", function (e) {\n"
    "\t\tvar r;\n"
    "\n"
    "\t\tif (e.source !== window.parent || !e.origin || e.origin === \"null\")\n"
    "\t\t\treturn;\n"
    "\t\ttry {\n"
    "\t\t\tr = check(e.data, e.origin);\n"
    "\t\t} catch (x) {\n"
    "\t\t\tr = \"error\";\n"
    "\t\t}\n"
    "\t\te.source.postMessage(r, e.origin);\n"
    "\t}, false);\n"
    "})();\n";

/* The check_session_iframe page. */
static void
iframe_page(struct oreq *req)
{
	char	*js, *page;

	js = oarena_printf(&req->arena, "%soauth2/sessions/iframe.js",
	    oconf->issuer);
	page = oarena_printf(&req->arena, "<!DOCTYPE html>\n<html><head>"
	    "<meta charset=\"utf-8\"><title>check_session_iframe</title>\n"
	    "<script src=\"%s\"></script>\n</head><body></body></html>\n",
	    ohttp_html(req, js));
	/* No frame-ancestors: every RP embeds it. */
	ohttp_header(req, "Content-Security-Policy", oarena_printf(
	    &req->arena, "default-src 'none'; script-src %s; base-uri "
	    "'none'; form-action 'none'", csp_source(req, js)));
	ohttp_header(req, "Cache-Control", IFRAME_CACHE);
	ohttp_send(req, 200, "text/html; charset=utf-8", page, strlen(page));
}

/* GET /oauth2/sessions/iframe */
static void
iframe(struct oreq *req)
{
	iframe_page(req);
}

/* GET /{client_id}/iframe: the same, for a client that exists. */
static void
client_iframe(struct oreq *req)
{
	struct oerr	 err, e2;
	json_t		*client;

	oerr_clear(&err);
	oerr_clear(&e2);
	if ((client = oclient_get(req->params[0], &e2)) == NULL) {
		oerr_set(&err, OERR_NOT_FOUND, "The requested resource could "
		    "not be found.");
		ohttp_send_error(req, &err);
		return;
	}
	json_decref(client);
	iframe_page(req);
}

/* GET /oauth2/sessions/iframe.js */
static void
iframe_script(struct oreq *req)
{
	ohttp_header(req, "Cache-Control", IFRAME_CACHE);
	ohttp_send(req, 200, "text/javascript; charset=utf-8", iframe_js,
	    sizeof(iframe_js) - 1);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET) | OHTTP_M(POST), OLISTEN_PUBLIC,
	    "/oauth2/sessions/logout", logout },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/oauth2/sessions/iframe", iframe },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/oauth2/sessions/iframe.js",
	    iframe_script },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/{client_id}/iframe",
	    client_iframe },
};
const struct oroute_table logout_table = OROUTE_TABLE(routes);
