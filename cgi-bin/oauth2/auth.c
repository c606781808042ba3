/*
 * auth.c: the authorization endpoint, /oauth2/auth (RFC 6749 §3.1,
 * §4.1.1, §4.2.1; OpenID Connect Core §3.1.2, §3.2.2, §3.3.2; OAuth 2.0
 * Multiple Response Types; RFC 7636), in Hydra's headless model:
 *
 *   1. a new request is validated, then the user agent goes to
 *      urls.login with a sealed login challenge (skip: true when a
 *      login session covers it);
 *   2. the login app accepts it on the admin API and sends the user
 *      agent back here with a login verifier: the login session is
 *      stored when remembered, and the user agent goes to urls.consent
 *      with a consent challenge (skip: true when a remembered consent
 *      covers the request);
 *   3. the consent app accepts it and sends the user agent back with a
 *      consent verifier: the grant is recorded and the response (code,
 *      tokens) goes to the client.
 *
 * Verifiers are single use and bound to the browser by CSRF cookies.
 * Errors found before the redirect URI is trusted go to urls.error;
 * after, to the client in its response mode, with state.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "records/clients.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "records/flow.h"
#include "web/http.h"
#include "jose/jose.h"
#include "base/json.h"
#include "records/keys.h"
#include "records/sessions.h"
#include "web/cookies.h"
#include "web/metrics.h"
#include "web/session.h"
#include "store/store.h"
#include "records/tokens.h"
#include "base/url.h"
#include "base/util.h"

#define RT_CODE		0x1
#define RT_TOKEN	0x2
#define RT_IDTOKEN	0x4

enum mode {
	MODE_QUERY,
	MODE_FRAGMENT,
	MODE_FORM_POST
};

/* Parameters of the authorization request (RFC 6749 §3.1: at most once). */
static const struct ofield fields[] = {
	{ "client_id", 255, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "redirect_uri", 2048, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "response_type", 64, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "response_mode", 32, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "scope", 2048, OFIELD_NQSCHAR, OFIELD_ONCE },
	{ "state", 2048, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "nonce", 2048, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "prompt", 128, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "max_age", 20, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "id_token_hint", 16384, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "login_hint", 1024, OFIELD_ANY, OFIELD_ONCE },
	{ "acr_values", 1024, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "ui_locales", 256, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "display", 32, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "audience", 2048, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "code_challenge", 128, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "code_challenge_method", 16, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "login_verifier", 32768, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "consent_verifier", 32768, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "claims", 2048, OFIELD_ANY, OFIELD_ONCE },
};

/*
 * Every parameter travels sealed in the login challenge (the request
 * URL is in it), so those outside the table, ignored otherwise (RFC
 * 6749 §3.1), are bounded too: their names and values.
 */
#define OTHER_NAME_MAX	64
#define OTHER_MAX	1024
/*
 * The longest redirect to urls.login: the login app gets it as a
 * request line, which lighttpd, Apache and nginx refuse from 8 KiB on
 * (with the Host, the cookies and the rest of the head).
 */
#define LOGIN_URL_MAX	6144

/* The validated request: everything later steps need, sealed along. */
struct areq {
	json_t		*client;	/* record (new reference) */
	json_t		*r;		/* the request as JSON (owned) */
	unsigned	 rt;		/* RT_* */
	enum mode	 mode;
	const char	*redirect_uri;	/* borrowed from r */
	const char	*state;
};

static void
areq_free(struct areq *a)
{
	json_decref(a->client);
	json_decref(a->r);
	memset(a, 0, sizeof(*a));
}

/*
 * Deliver response parameters (an object of strings and integers) to
 * the client's redirect URI in the response mode: query, fragment, or
 * an auto-submitting form (OAuth 2.0 Form Post Response Mode).  Every
 * response, success or error, names the issuer in "iss" (RFC 9207),
 * so that a client talking to several servers can tell which answered.
 */
static void
to_client(struct oreq *req, const struct areq *a, const json_t *params)
{
	const char	*k, *sep;
	json_t		*v, *all;
	char		*qs = "", *val, *page, *inputs = "", nonce[24];

	all = json_deep_copy(params);
	json_object_set_new(all, "iss", json_string(oconf->issuer));
	json_object_foreach(all, k, v) {
		if (json_is_string(v))
			val = oarena_strdup(&req->arena, json_string_value(v));
		else if (json_is_integer(v))
			val = oarena_printf(&req->arena, "%lld",
			    (long long)json_integer_value(v));
		else
			continue;
		if (a->mode == MODE_FORM_POST)
			inputs = oarena_printf(&req->arena, "%s<input type="
			    "\"hidden\" name=\"%s\" value=\"%s\">\n", inputs,
			    ohttp_html(req, k), ohttp_html(req, val));
		else
			qs = oarena_printf(&req->arena, "%s%s%s=%s", qs,
			    *qs != '\0' ? "&" : "", k,
			    oform_encode(&req->arena, val));
	}
	json_decref(all);
	if (a->mode != MODE_FORM_POST) {
		sep = a->mode == MODE_FRAGMENT ? "#" :
		    strchr(a->redirect_uri, '?') != NULL ? "&" : "?";
		ohttp_redirect(req, 303, oarena_printf(&req->arena, "%s%s%s",
		    a->redirect_uri, sep, qs));
		return;
	}
	ocrypto_token(nonce, sizeof(nonce), 16);
	page = oarena_printf(&req->arena, "<!DOCTYPE html>\n<html><head>"
	    "<meta charset=\"utf-8\"><title>Submit</title></head>\n"
	    "<body><form method=\"post\" action=\"%s\">\n%s"
	    "<noscript><button type=\"submit\">Continue</button></noscript>"
	    "</form>\n<script nonce=\"%s\">document.forms[0].submit();"
	    "</script></body></html>\n", ohttp_html(req, a->redirect_uri),
	    inputs, nonce);
	ohttp_header(req, "Content-Security-Policy", oarena_printf(
	    &req->arena, "default-src 'none'; script-src 'nonce-%s'; "
	    "form-action %s", nonce, a->redirect_uri));
	ohttp_send(req, 200, "text/html; charset=utf-8", page, strlen(page));
}

/*
 * An error to the client, with state (RFC 6749 §4.1.2.1, §4.2.2.1).
 * name is the error code (a login or consent app may choose its own
 * when it rejects); the hint, when any, follows the description, as
 * Hydra 2.x sends it.
 */
static void
error_to_client_named(struct oreq *req, const struct areq *a,
    const char *name, const struct oerr *err)
{
	json_t		*p = json_object();
	const char	*d = err->description;

	if (err->hint[0] != '\0')
		d = oarena_printf(&req->arena, "%s %s", d, err->hint);
	json_object_set_new(p, "error", ojson_string_lossy(name,
	    strlen(name)));
	json_object_set_new(p, "error_description", ojson_string_lossy(d,
	    strlen(d)));
	if (a->state != NULL && *a->state != '\0')
		json_object_set_new(p, "state", json_string(a->state));
	to_client(req, a, p);
	json_decref(p);
}

static void
error_to_client(struct oreq *req, const struct areq *a,
    const struct oerr *err)
{
	error_to_client_named(req, a, oerr_name(err->code), err);
}

/* 1 if the space-separated list s contains word. */
static int
has_word(const char *s, const char *word)
{
	size_t	 n = strlen(word);

	while (s != NULL && *s != '\0') {
		while (*s == ' ')
			s++;
		if (strncmp(s, word, n) == 0 && (s[n] == ' ' || s[n] == '\0'))
			return 1;
		s += strcspn(s, " ");
	}
	return 0;
}

/* Split a space-separated list into a new JSON array (no duplicates). */
static json_t *
words(const char *s)
{
	json_t	*a = json_array();
	char	*copy, *w, *save;

	if (s == NULL)
		return a;
	copy = oxstrdup(s);
	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		size_t i;
		json_t *e;
		int dup = 0;

		json_array_foreach(a, i, e)
			dup |= strcmp(json_string_value(e), w) == 0;
		if (!dup)
			json_array_append_new(a, json_string(w));
	}
	free(copy);
	return a;
}

/* The response type's bits, 0 when it is not a combination we know. */
static unsigned
response_bits(const char *rt)
{
	unsigned	 b = 0;
	const char	*p = rt;
	size_t		 n;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (n == 4 && strncmp(p, "code", 4) == 0 && !(b & RT_CODE))
			b |= RT_CODE;
		else if (n == 5 && strncmp(p, "token", 5) == 0 &&
		    !(b & RT_TOKEN))
			b |= RT_TOKEN;
		else if (n == 8 && strncmp(p, "id_token", 8) == 0 &&
		    !(b & RT_IDTOKEN))
			b |= RT_IDTOKEN;
		else if (n > 0)
			return 0;
		p += n;
	}
	return b;
}

/* 1 if the client registered a response type with these bits. */
static int
client_has_rt(const json_t *client, unsigned bits)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(json_object_get(client, "response_types"), i, e)
		if (response_bits(json_string_value(e)) == bits)
			return 1;
	return 0;
}

static int
client_has(const json_t *client, const char *member, const char *v)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(json_object_get(client, member), i, e)
		if (strcmp(json_string_value(e), v) == 0)
			return 1;
	return 0;
}

/*
 * Check the parameters outside the field table: a name of at most
 * OTHER_NAME_MAX bytes and a value of at most OTHER_MAX.  Returns 1, or
 * 0 with an invalid_request naming the parameter.
 */
static int
others_ok(const struct oparams *p, struct oerr *err)
{
	size_t	 i, j, nf = sizeof(fields) / sizeof(fields[0]);

	for (i = 0; i < p->n; i++) {
		for (j = 0; j < nf; j++)
			if (strcmp(p->v[i].name, fields[j].name) == 0)
				break;
		if (j < nf)
			continue;
		if (strlen(p->v[i].name) > OTHER_NAME_MAX) {
			oerr_set(err, OERR_INVALID_REQUEST, "The parameter "
			    "'%.32s...' has a name longer than %d bytes.",
			    p->v[i].name, OTHER_NAME_MAX);
			return 0;
		}
		if (p->v[i].vlen > OTHER_MAX) {
			oerr_set(err, OERR_INVALID_REQUEST, "The parameter "
			    "'%s' is longer than %d bytes.", p->v[i].name,
			    OTHER_MAX);
			return 0;
		}
	}
	return 1;
}

/*
 * The claims of an id_token_hint: an ID token we issued (signature
 * checked with the ID-token keys; an expired one is accepted, OpenID
 * Connect Core §3.1.2.1).  NULL with err set otherwise.
 */
static json_t *
hint_claims(const char *hint, const char *client_id, struct oerr *err)
{
	const struct ojwks	*keys;
	struct ojws		*jws;
	json_t			*claims = NULL;
	struct oerr		 e;

	oerr_clear(&e);
	if ((keys = okeys_verifiers(OKEYS_ID_TOKEN, &e)) != NULL &&
	    (jws = ojws_verify(hint, strlen(hint), keys->keys, keys->nkeys,
	    NULL, &e)) != NULL) {
		claims = ojwt_claims(jws, &e);
		ojws_free(jws);
	}
	if (claims != NULL) {
		/* An expired hint is fine: check the rest without exp. */
		json_t *c = json_deep_copy(claims);

		json_object_del(c, "exp");
		if (!ojwt_check(c, oconf->issuer, client_id, onow(), 60, 0,
		    &e)) {
			json_decref(claims);
			claims = NULL;
		}
		json_decref(c);
	}
	if (claims == NULL)
		oerr_set(err, OERR_INVALID_REQUEST, "The id_token_hint is not "
		    "an ID token this server issued to this client.");
	return claims;
}

/*
 * Validate a new authorization request.  Returns 1 with a filled in.
 * Otherwise 0, with *trusted telling whether the error may go to the
 * client (the redirect URI was verified) or to the error page.
 */
static int
validate(struct oreq *req, const struct oparams *p, struct areq *a,
    int *trusted, struct oerr *err)
{
	const char	*cid, *uri, *rt, *mode, *scope, *prompt, *s, *cc, *ccm;
	const char	*aud, *hint, *max_age;
	json_t		*e, *claims = NULL, *reqscope, *reqaud;
	struct oerr	 e2;
	long long	 ma = -1;
	size_t		 i;

	*trusted = 0;
	memset(a, 0, sizeof(*a));
	if (!oform_check(p, fields, sizeof(fields) / sizeof(fields[0]), err) ||
	    !others_ok(p, err))
		return 0;
	if ((cid = oparams_get(p, "client_id")) == NULL || *cid == '\0') {
		oerr_set(err, OERR_INVALID_REQUEST, "The request is missing "
		    "the parameter 'client_id'.");
		return 0;
	}
	oerr_clear(&e2);
	if ((a->client = oclient_get_cached(cid, &e2)) == NULL) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client '%.64s' does "
		    "not exist.", cid);
		return 0;
	}
	/* RFC 6749 §3.1.2.3: the one registered URI may be left out. */
	uri = oparams_get(p, "redirect_uri");
	if (uri == NULL || *uri == '\0') {
		if (json_array_size(json_object_get(a->client,
		    "redirect_uris")) != 1) {
			oerr_set(err, OERR_INVALID_REQUEST, "The request is "
			    "missing 'redirect_uri', and the client has not "
			    "exactly one registered.");
			return 0;
		}
		uri = json_string_value(json_array_get(json_object_get(
		    a->client, "redirect_uris"), 0));
	} else if (!oclient_redirect_ok(a->client, uri)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The 'redirect_uri' is "
		    "not one the client registered.");
		return 0;
	}

	/* From here on errors go to the client. */
	a->r = json_object();
	json_object_set_new(a->r, "client_id", json_string(cid));
	json_object_set_new(a->r, "redirect_uri", json_string(uri));
	a->redirect_uri = ojson_str(a->r, "redirect_uri");
	if ((s = oparams_get(p, "state")) != NULL)
		json_object_set_new(a->r, "state", json_string(s));
	a->state = json_string_value(json_object_get(a->r, "state"));
	rt = oparams_get(p, "response_type");
	a->rt = rt != NULL ? response_bits(rt) : 0;
	a->mode = a->rt == RT_CODE ? MODE_QUERY : MODE_FRAGMENT;
	mode = oparams_get(p, "response_mode");
	if (mode != NULL && strcmp(mode, "form_post") == 0)
		a->mode = MODE_FORM_POST;
	else if (mode != NULL && strcmp(mode, "fragment") == 0)
		a->mode = MODE_FRAGMENT;
	else if (mode != NULL && strcmp(mode, "query") == 0 &&
	    a->rt == RT_CODE)
		a->mode = MODE_QUERY;
	*trusted = 1;

	if (mode != NULL && *mode != '\0' && strcmp(mode, "query") != 0 &&
	    strcmp(mode, "fragment") != 0 && strcmp(mode, "form_post") != 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The response_mode '%.32s' "
		    "is not supported.", mode);
		return 0;
	}
	if (mode != NULL && strcmp(mode, "query") == 0 && a->rt != RT_CODE &&
	    a->rt != 0) {
		/* Multiple Response Types §5: tokens never in a query. */
		oerr_set(err, OERR_INVALID_REQUEST, "The response_mode 'query' "
		    "cannot carry tokens; use fragment or form_post.");
		return 0;
	}
	if (oparams_get(p, "request") != NULL) {
		oerr_set(err, OERR_REQUEST_NOT_SUPPORTED, "Request objects "
		    "are not supported.");
		return 0;
	}
	if (oparams_get(p, "request_uri") != NULL) {
		oerr_set(err, OERR_REQUEST_URI_NOT_SUPPORTED, "The request_uri "
		    "parameter is not supported.");
		return 0;
	}
	if (rt == NULL || *rt == '\0') {
		oerr_set(err, OERR_INVALID_REQUEST, "The request is missing "
		    "the parameter 'response_type'.");
		return 0;
	}
	if (a->rt == 0) {
		oerr_set(err, OERR_UNSUPPORTED_RESPONSE_TYPE, "The "
		    "response_type '%.64s' is not supported.", rt);
		return 0;
	}
	if (!client_has_rt(a->client, a->rt) ||
	    ((a->rt & RT_CODE) && !client_has(a->client, "grant_types",
	    "authorization_code")) ||
	    ((a->rt & (RT_TOKEN | RT_IDTOKEN)) && !client_has(a->client,
	    "grant_types", "implicit"))) {
		oerr_set(err, OERR_UNAUTHORIZED_CLIENT, "The client is not "
		    "allowed the response_type '%.64s'.", rt);
		return 0;
	}
	json_object_set_new(a->r, "response_type", json_string(rt));
	json_object_set_new(a->r, "response_mode", json_integer(a->mode));
	/* fosite requires state of at least 8 characters. */
	if (a->state == NULL || strlen(a->state) < 8) {
		oerr_set(err, OERR_INVALID_STATE, "The state is missing or has "
		    "fewer than 8 characters.");
		return 0;
	}
	scope = oparams_get(p, "scope");
	reqscope = words(scope);
	json_object_set_new(a->r, "scope", reqscope);
	json_array_foreach(reqscope, i, e)
		if (!has_word(ojson_str(a->client, "scope"), json_string_value(e))) {
			oerr_set(err, OERR_INVALID_SCOPE, "The client is not "
			    "allowed the scope '%.64s'.",
			    json_string_value(e));
			return 0;
		}
	if ((a->rt & RT_IDTOKEN) && !has_word(scope, "openid")) {
		oerr_set(err, OERR_INVALID_SCOPE, "The response_type id_token "
		    "needs the scope 'openid'.");
		return 0;
	}
	if ((s = oparams_get(p, "nonce")) != NULL && *s != '\0')
		json_object_set_new(a->r, "nonce", json_string(s));
	else if (a->rt != RT_CODE && has_word(scope, "openid")) {
		/* OpenID Connect Core §3.2.2.1, §3.3.2.11. */
		oerr_set(err, OERR_INVALID_REQUEST, "The implicit and hybrid "
		    "flows need a 'nonce'.");
		return 0;
	}
	prompt = oparams_get(p, "prompt");
	if (prompt != NULL) {
		json_t *pw = words(prompt);

		json_array_foreach(pw, i, e) {
			s = json_string_value(e);
			if (strcmp(s, "none") != 0 && strcmp(s, "login") != 0 &&
			    strcmp(s, "consent") != 0 &&
			    strcmp(s, "select_account") != 0) {
				oerr_set(err, OERR_INVALID_REQUEST, "The prompt "
				    "'%.32s' is not supported.", s);
				json_decref(pw);
				return 0;
			}
		}
		if (has_word(prompt, "none") && json_array_size(pw) > 1) {
			oerr_set(err, OERR_INVALID_REQUEST, "The prompt 'none' "
			    "cannot be combined with another.");
			json_decref(pw);
			return 0;
		}
		json_decref(pw);
		json_object_set_new(a->r, "prompt", json_string(prompt));
	}
	if ((max_age = oparams_get(p, "max_age")) != NULL &&
	    !ostrtonum(max_age, strlen(max_age), 0, 0x7fffffffLL, &ma)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The max_age must be a "
		    "number of seconds.");
		return 0;
	}
	json_object_set_new(a->r, "max_age", json_integer(ma));
	aud = oparams_get(p, "audience");
	reqaud = words(aud);
	json_object_set_new(a->r, "audience", reqaud);
	json_array_foreach(reqaud, i, e)
		if (!client_has(a->client, "audience", json_string_value(e))) {
			oerr_set(err, OERR_INVALID_REQUEST, "The client is not "
			    "allowed the audience '%.64s'.",
			    json_string_value(e));
			return 0;
		}
	/* RFC 7636; required for public clients (OAuth 2.0 BCP §2.1.1). */
	cc = oparams_get(p, "code_challenge");
	ccm = oparams_get(p, "code_challenge_method");
	if (cc != NULL && *cc != '\0') {
		if (ccm == NULL || *ccm == '\0')
			ccm = "plain";
		if (strcmp(ccm, "S256") != 0) {
			oerr_set(err, OERR_INVALID_REQUEST, "The "
			    "code_challenge_method must be S256 ('%.16s' is "
			    "not enabled).", ccm);
			return 0;
		}
		if (strlen(cc) != 43) {
			oerr_set(err, OERR_INVALID_REQUEST, "The code_challenge "
			    "must be the 43-character base64url SHA-256 of "
			    "the verifier.");
			return 0;
		}
		json_object_set_new(a->r, "code_challenge", json_string(cc));
		json_object_set_new(a->r, "code_challenge_method",
		    json_string(ccm));
	} else if ((a->rt & RT_CODE) && (strcmp(ojson_str(a->client,
	    "token_endpoint_auth_method"), "none") == 0 ||
	    json_is_true(json_object_get(a->client, "require_pkce")))) {
		oerr_set(err, OERR_INVALID_REQUEST, "This client must use PKCE "
		    "(RFC 7636): send code_challenge with method S256.");
		return 0;
	}
	hint = oparams_get(p, "id_token_hint");
	if (hint != NULL && *hint != '\0') {
		if ((claims = hint_claims(hint, cid, err)) == NULL)
			return 0;
		json_object_set_new(a->r, "id_token_hint_claims", claims);
	}
	for (i = 0; i < 4; i++) {
		static const char *const pass[] = { "login_hint", "acr_values",
		    "ui_locales", "display" };

		if ((s = oparams_get(p, pass[i])) != NULL)
			json_object_set_new(a->r, pass[i], json_string(s));
	}
	return 1;
}

/* The request URL, to come back to with a verifier. */
static char *
request_url(struct oreq *req, const struct oparams *p)
{
	char	*qs = "";
	size_t	 i;

	if (req->method == OHTTP_GET && *req->query != '\0')
		return oarena_printf(&req->arena, "%soauth2/auth?%s",
		    oconf->issuer, req->query);
	for (i = 0; i < p->n; i++)
		qs = oarena_printf(&req->arena, "%s%s%s=%s", qs,
		    *qs != '\0' ? "&" : "", oform_encode(&req->arena,
		    p->v[i].name), oform_encode(&req->arena, p->v[i].value));
	return oarena_printf(&req->arena, "%soauth2/auth?%s", oconf->issuer,
	    qs);
}

/* Set a CSRF cookie for a flow and client, for the challenge's lifetime. */
static void
csrf_cookie(struct oreq *req, const char *kind, const char *client_id,
    const char *value)
{
	ocookies_csrf_set(req, kind, client_id, value);
}

/* 1 if the request's CSRF cookie for the flow matches the state's. */
static int
csrf_ok(struct oreq *req, const char *kind, const json_t *state)
{
	return ocookies_csrf_ok(req, kind, ojson_str(json_object_get(state,
	    "req"), "client_id"), ojson_str(state, "csrf"));
}

/* Redirect to a UI URL with a challenge parameter. */
static void
to_ui(struct oreq *req, const char *url, const char *param,
    const char *challenge)
{
	ohttp_redirect(req, 302, oarena_printf(&req->arena, "%s%s%s=%s", url,
	    strchr(url, '?') != NULL ? "&" : "?", param, challenge));
}

/* Step 1: a new request goes to the login UI. */
static void
start(struct oreq *req, const struct oparams *p)
{
	struct oerr		 err;
	struct areq		 a;
	struct ostore_txn	*t;
	struct osessions_rec	 sess, *session = NULL;
	json_t			*st, *hc;
	const char		*prompt, *hsub;
	char			 id[37], sid[37], csrf[44], *ch;
	long long		 ma;
	int			 trusted, force = 0;

	oerr_clear(&err);
	if (!validate(req, p, &a, &trusted, &err)) {
		if (trusted)
			error_to_client(req, &a, &err);
		else
			ohttp_error_page(req, &err);
		areq_free(&a);
		return;
	}
	if ((t = ostore_read_begin(NULL)) != NULL) {
		if (ocookies_session(req, t, &sess))
			session = &sess;
		ostore_read_end(t);
	}
	prompt = json_string_value(json_object_get(a.r, "prompt"));
	ma = json_integer_value(json_object_get(a.r, "max_age"));
	if (has_word(prompt, "login") || has_word(prompt, "select_account"))
		force = 1;
	if (session != NULL && ma >= 0 && onow() - session->auth_time > ma)
		force = 1;
	hc = json_object_get(a.r, "id_token_hint_claims");
	hsub = json_string_value(json_object_get(hc, "sub"));
	if (session != NULL && hsub != NULL &&
	    strcmp(hsub, session->sub) != 0)
		force = 1;
	if (has_word(prompt, "none") && (session == NULL || force)) {
		oerr_set(&err, OERR_LOGIN_REQUIRED, "The end-user is not "
		    "logged in (prompt=none).");
		error_to_client(req, &a, &err);
		goto out;
	}
	ocrypto_uuid4(id);
	ocrypto_token(csrf, sizeof(csrf), 32);
	if (session != NULL)
		snprintf(sid, sizeof(sid), "%s", session->sid);
	else
		ocrypto_uuid4(sid);
	st = json_pack("{s:s,s:I,s:I,s:s,s:O,s:s,s:b,s:s}", "id", id,
	    "exp", (json_int_t)(onow() + oconf->ttl_login_consent),
	    "requested_at", (json_int_t)onow(), "csrf", csrf, "req", a.r,
	    "request_url", request_url(req, p), "skip", session != NULL &&
	    !force, "sid", sid);
	if (session != NULL && !force) {
		json_object_set_new(st, "subject", json_string(session->sub));
		json_object_set_new(st, "auth_time",
		    json_integer(session->auth_time));
	}
	ch = oflow_seal(OFLOW_LOGIN, st);
	json_decref(st);
	if (strlen(oconf->url_login) + strlen(ch) + 32 > LOGIN_URL_MAX) {
		oerr_set(&err, OERR_INVALID_REQUEST, "The authorization "
		    "request is too large: its parameters together make a "
		    "login challenge longer than %d bytes.", LOGIN_URL_MAX);
		error_to_client(req, &a, &err);
		free(ch);
		goto out;
	}
	csrf_cookie(req, "login", ojson_str(a.r, "client_id"), csrf);
	to_ui(req, oconf->url_login, "login_challenge", ch);
	free(ch);
out:
	if (session != NULL)
		osessions_free(session);
	areq_free(&a);
}

/* Restore the request of a sealed state (the client is reloaded). */
static int
restore(const json_t *state, struct areq *a, struct oerr *err)
{
	memset(a, 0, sizeof(*a));
	a->r = json_incref(json_object_get(state, "req"));
	a->rt = response_bits(ojson_str(a->r, "response_type"));
	a->mode = (enum mode)json_integer_value(json_object_get(a->r,
	    "response_mode"));
	a->redirect_uri = ojson_str(a->r, "redirect_uri");
	a->state = json_string_value(json_object_get(a->r, "state"));
	if ((a->client = oclient_get_cached(ojson_str(a->r, "client_id"), err)) == NULL) {
		json_decref(a->r);
		a->r = NULL;
		return 0;
	}
	/* The client's redirect URIs may have changed since the request. */
	if (!oclient_redirect_ok(a->client, a->redirect_uri)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The 'redirect_uri' of "
		    "this flow is no longer one the client registered.");
		return 0;
	}
	return 1;
}

/* Does a remembered consent cover the requested scopes? */
static int
covers(const json_t *consent, const json_t *r)
{
	json_t	*e, *g;
	size_t	 i, j;
	int	 found;

	json_array_foreach(json_object_get(r, "scope"), i, e) {
		found = 0;
		json_array_foreach(json_object_get(consent, "scope"), j, g)
			found |= json_equal(e, g);
		if (!found)
			return 0;
	}
	return 1;
}

/*
 * A public client may skip consent only when its redirect is https or
 * loopback http (a native app's custom scheme can be claimed by any app:
 * Hydra #866).
 */
static int
may_skip(const struct areq *a)
{
	struct ourl	 u;

	if (strcmp(ojson_str(a->client, "token_endpoint_auth_method"), "none") != 0)
		return 1;
	return ourl_parse(a->redirect_uri, &u) == NULL &&
	    (strcmp(u.scheme, "https") == 0 || ourl_loopback(&u));
}

struct step {
	struct oreq	*req;
	json_t		*state;		/* the opened verifier */
	struct areq	*a;
	json_t		*out;		/* result for after the txn */
	int		 used;		/* the flow is done already */
};

/*
 * 1 if the login verifier of state starts a login session: a login
 * accepted with remember, not one that reused a session.
 */
static int
starts_session(const json_t *state)
{
	return json_object_get(state, "error") == NULL &&
	    !json_is_true(json_object_get(state, "skip")) &&
	    json_is_true(json_object_get(json_object_get(state, "login"),
	    "remember"));
}

/*
 * Step 2 (the login verifier): the consent challenge, and the login
 * session when the login starts one.  Run in a write transaction only
 * when it does; otherwise it reads.  A login verifier is not spent: it
 * may lead to a consent challenge more than once until its flow is done
 * (consent_fn()), as Hydra's stateless flows do; the CSRF cookie ties
 * it to the browser.
 */
static int
login_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct step	*s = arg;
	json_t		*login = json_object_get(s->state, "login");
	struct osessions_rec	 session;
	json_t		*consent = NULL, *st, *used;
	const char	*prompt = json_string_value(json_object_get(s->a->r,
			    "prompt"));
	char		 id[37], csrf[44];
	int64_t		 now = onow(), rf, fexp, exp;
	int		 skip;

	json_decref(s->out);
	s->out = NULL;
	s->used = 0;
	if ((used = oflow_used(t, OFLOW_LOGIN, ojson_str(s->state, "id"))) !=
	    NULL) {
		json_decref(used);
		s->used = 1;
		return 1;
	}
	/* Its login session was logged out: the flow is void (flow.h). */
	if (oflow_session_ended(t, ojson_str(s->state, "sid"))) {
		oerr_set(err, OERR_ACCESS_DENIED, "The login session of this "
		    "login verifier has been logged out; sign in again.");
		return 0;
	}
	if (json_object_get(s->state, "error") != NULL)
		return 1;
	/* A remembered login becomes a session (Hydra verifyAuthentication). */
	if (starts_session(s->state)) {
		rf = json_integer_value(json_object_get(login,
		    "remember_for"));
		memset(&session, 0, sizeof(session));
		session.sid = (char *)ojson_str(s->state, "sid");
		session.sub = (char *)ojson_str(login, "subject");
		session.auth_time = ojson_int(login, "auth_time");
		session.exp = now + (rf > 0 ? rf : OFLOW_SESSION_LIFESPAN);
		session.remember_for = rf;
		if (!oflow_session_put(t, &session, err))
			return 0;
	}
	if (!has_word(prompt, "consent") && may_skip(s->a))
		consent = oflow_consent_find(t, ojson_str(login, "subject"),
		    ojson_str(s->a->r, "client_id"));
	skip = consent != NULL && covers(consent, s->a->r);
	ocrypto_uuid4(id);
	ocrypto_token(csrf, sizeof(csrf), 32);
	/*
	 * Every consent challenge of this flow expires by flow_exp: the
	 * login verifier's expiry plus as long again, the same for every
	 * consent challenge it leads to, which is how long the flow's
	 * done-mark must be kept (consent_fn()).
	 */
	exp = json_integer_value(json_object_get(s->state, "exp"));
	fexp = exp + (exp - json_integer_value(json_object_get(s->state,
	    "requested_at")));
	exp = now + oconf->ttl_login_consent;
	if (exp > fexp)
		exp = fexp;
	st = json_pack("{s:s,s:I,s:I,s:O,s:s,s:O,s:O,s:O,s:O,s:b,s:s}", "id",
	    id, "exp", (json_int_t)exp, "flow_exp", (json_int_t)fexp,
	    "requested_at", json_object_get(s->state, "requested_at"),
	    "csrf", csrf, "req", s->a->r, "request_url",
	    json_object_get(s->state, "request_url"), "login", login,
	    "sid", json_object_get(s->state, "sid"), "skip", skip,
	    "login_challenge", ojson_str(s->state, "id"));
	if (skip)
		json_object_set_new(st, "previous", json_pack("{s:O,s:O,s:O}",
		    "scope", json_object_get(consent, "scope"), "aud",
		    json_object_get(consent, "aud"), "session",
		    json_object_get(consent, "session")));
	json_decref(consent);
	s->out = st;
	return 1;
}

/*
 * Open a verifier of purpose p from the app of kind ("login" or
 * "consent") into s and a: sealed by us, unexpired, for a client that
 * still exists, and brought by the browser whose CSRF cookie it names.
 * Returns 1, or 0 once the user agent has been answered.
 */
static int
step_open(struct oreq *req, enum oflow_purpose p, const char *kind,
    const char *verifier, struct step *s, struct areq *a)
{
	struct oerr	 err;

	oerr_clear(&err);
	if ((s->state = oflow_open(p, verifier, &err)) == NULL ||
	    !restore(s->state, a, &err)) {
		oerr_status(&err, 400);
		ohttp_error_page(req, &err);
		return 0;
	}
	if (!csrf_ok(req, kind, s->state)) {
		oerr_set(&err, OERR_REQUEST_FORBIDDEN, "The %s verifier came "
		    "without this browser's CSRF cookie.", kind);
		error_to_client(req, a, &err);
		return 0;
	}
	s->req = req;
	s->a = a;
	return 1;
}

/*
 * After a step's transaction: send the client the error when the flow
 * was done already or the app rejected the request.  Returns 1 when it
 * did (the step is over), 0 to go on.
 */
static int
step_refused(struct oreq *req, const struct step *s, const struct areq *a,
    const char *used)
{
	struct oerr	 err;
	json_t		*e;

	oerr_clear(&err);
	if (s->used) {
		oerr_set(&err, OERR_INVALID_REQUEST, "%s", used);
		error_to_client(req, a, &err);
		return 1;
	}
	if ((e = json_object_get(s->state, "error")) == NULL)
		return 0;
	oerr_set(&err, OERR_ACCESS_DENIED, "%s", ojson_str(e, "error_description"));
	snprintf(err.hint, sizeof(err.hint), "%s", ojson_str(e, "error_hint"));
	error_to_client_named(req, a, ojson_str(e, "error"), &err);
	return 1;
}

/* Step 2: back from the login app with a login verifier. */
static void
after_login(struct oreq *req, const char *verifier)
{
	struct oerr		 err;
	struct areq		 a;
	struct step		 s;
	struct ostore_txn	*t;
	json_t			*login;
	char			*ch;
	const char		*prompt;
	int			 ok;

	oerr_clear(&err);
	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	if (!step_open(req, OFLOW_LOGIN_VERIFIER, "login", verifier, &s, &a))
		goto out;
	if (starts_session(s.state))
		ok = ostore_write(login_fn, &s, &err);
	else if ((t = ostore_read_begin(&err)) != NULL) {
		ok = login_fn(t, &s, &err);
		ostore_read_end(t);
	} else
		ok = 0;
	if (!ok) {
		error_to_client(req, &a, &err);
		goto out;
	}
	if (step_refused(req, &s, &a, "The login verifier's flow has been "
	    "completed already."))
		goto out;
	login = json_object_get(s.state, "login");
	/* Remembered: the session cookie; not remembered: none. */
	if (!json_is_true(json_object_get(s.state, "skip"))) {
		if (json_is_true(json_object_get(login, "remember"))) {
			ocookies_session_set(req, ojson_str(s.state, "sid"),
			    ojson_int(login, "remember_for"));
			osession_browser_state(req, ojson_str(s.state, "sid"));
		} else {
			ocookies_session_clear(req);
			osession_browser_state(req, NULL);
		}
	} else
		/* A reused session: bring the browser state back. */
		osession_browser_state(req, ojson_str(s.state, "sid"));
	prompt = json_string_value(json_object_get(a.r, "prompt"));
	if (has_word(prompt, "none") &&
	    !json_is_true(json_object_get(s.out, "skip"))) {
		oerr_set(&err, OERR_CONSENT_REQUIRED, "The end-user has not "
		    "consented (prompt=none).");
		error_to_client(req, &a, &err);
		goto out;
	}
	ch = oflow_seal(OFLOW_CONSENT, s.out);
	csrf_cookie(req, "consent", ojson_str(a.r, "client_id"), ojson_str(s.out,
	    "csrf"));
	to_ui(req, oconf->url_consent, "consent_challenge", ch);
	free(ch);
out:
	json_decref(s.state);
	json_decref(s.out);
	areq_free(&a);
}

/* The grant of a completed consent (see tokens.h). */
static json_t *
grant_of(const json_t *st)
{
	json_t	*r = json_object_get(st, "req");
	json_t	*login = json_object_get(st, "login");
	json_t	*c = json_object_get(st, "consent");
	json_t	*g, *v;
	size_t	 i;
	static const char *const from_req[] = { "nonce", "redirect_uri",
	    "code_challenge", "code_challenge_method" };

	g = json_pack("{s:s,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O}",
	    "request_id", ojson_str(st, "id"), "client_id",
	    json_object_get(r, "client_id"), "sub",
	    json_object_get(login, "subject"), "sid",
	    json_object_get(st, "sid"), "scope",
	    json_object_get(c, "grant_scope"), "aud",
	    json_object_get(c, "grant_access_token_audience"), "auth_time",
	    json_object_get(login, "auth_time"), "acr",
	    json_object_get(login, "acr"), "amr",
	    json_object_get(login, "amr"), "requested_at",
	    json_object_get(st, "requested_at"), "session",
	    json_object_get(c, "session"));
	for (i = 0; i < sizeof(from_req) / sizeof(from_req[0]); i++)
		if ((v = json_object_get(r, from_req[i])) != NULL)
			json_object_set(g, from_req[i], v);
	return g;
}

/* Write function of step 3 (the consent verifier): grant and issue. */
static int
consent_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct step	*s = arg;
	json_t		*c = json_object_get(s->state, "consent");
	json_t		*grant = NULL, *rec = NULL, *tok = NULL, *out;
	char		 code[OTOKEN_MAX];
	int64_t		 now = onow(), rf, until, exp, fexp;
	unsigned	 what = 0;
	int		 ok = 0;

	json_decref(s->out);
	s->out = NULL;
	s->used = 0;
	/*
	 * The flow is done: its login challenge is marked (the id every
	 * consent challenge of the flow names), so no other consent
	 * verifier of it counts, its login verifier leads nowhere, and
	 * the admin API answers 410 for its challenges.
	 */
	if ((fexp = json_integer_value(json_object_get(s->state,
	    "flow_exp"))) == 0)
		fexp = json_integer_value(json_object_get(s->state, "exp"));
	switch (oflow_use(t, OFLOW_LOGIN, ojson_str(s->state, "login_challenge"),
	    fexp, NULL)) {
	case OSTORE_OK:
		break;
	case OSTORE_EXISTS:
		s->used = 1;
		return 1;
	default:
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return 0;
	}
	if (json_object_get(s->state, "error") != NULL)
		return 1;
	grant = grant_of(s->state);
	/* Every grant is recorded, remembered or not, to revoke it later. */
	rf = json_integer_value(json_object_get(c, "remember_for"));
	until = json_is_true(json_object_get(c, "remember")) && rf > 0 ?
	    now + rf : 0;
	exp = json_is_true(json_object_get(c, "remember")) ? until : now;
	if (exp != 0 && oconf->ttl_refresh_token > 0 &&
	    exp < now + oconf->ttl_refresh_token)
		exp = now + oconf->ttl_refresh_token;
	else if (exp != 0 && oconf->ttl_refresh_token < 0)
		exp = 0;
	rec = json_pack("{s:s,s:O,s:O,s:O,s:O,s:O,s:O,s:b,s:I,s:I,s:I,s:I,"
	    "s:O,s:O,s:O,s:O}",
	    "request_id", ojson_str(s->state, "id"), "sub",
	    json_object_get(grant, "sub"), "client_id",
	    json_object_get(grant, "client_id"), "scope",
	    json_object_get(grant, "scope"), "aud",
	    json_object_get(grant, "aud"), "session",
	    json_object_get(grant, "session"), "sid",
	    json_object_get(s->state, "sid"), "remember",
	    json_is_true(json_object_get(c, "remember")), "remember_for",
	    (json_int_t)rf, "remember_until", (json_int_t)until, "handled_at",
	    (json_int_t)now, "exp", (json_int_t)exp, "requested_scope",
	    json_object_get(json_object_get(s->state, "req"), "scope"),
	    "requested_audience",
	    json_object_get(json_object_get(s->state, "req"), "audience"),
	    "login", json_object_get(s->state, "login"), "request_url",
	    json_object_get(s->state, "request_url"));
	/* A consent the app accepted without asking (skip) is not listed. */
	json_object_set_new(rec, "skip", json_boolean(json_is_true(
	    json_object_get(s->state, "skip"))));
	if (!oflow_consent_put(t, rec, err))
		goto out;
	osessions_add_client(t, ojson_str(s->state, "sid"),
	    ojson_str(grant, "client_id"), err);
	out = json_object();
	s->out = out;
	if (s->a->rt & RT_CODE) {
		if (!ogrant_code(t, grant, code, err))
			goto out;
		json_object_set_new(out, "code", json_string(code));
	}
	if (s->a->rt & RT_TOKEN)
		what |= OISSUE_ACCESS;
	if (s->a->rt & RT_IDTOKEN)
		what |= OISSUE_IDTOKEN;
	if (what != 0) {
		if ((tok = ogrant_issue(t, grant, s->a->client, what,
		    (s->a->rt & RT_CODE) ? code : NULL, "implicit", err)) ==
		    NULL)
			goto out;
		json_object_update(out, tok);
	}
	ok = 1;
out:
	ocrypto_wipe(code, sizeof(code));
	json_decref(grant);
	json_decref(rec);
	json_decref(tok);
	return ok;
}

/* 1 if the request's scope list holds scope. */
static int
has_word_json(const json_t *r, const char *scope)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(json_object_get(r, "scope"), i, e)
		if (strcmp(json_string_value(e), scope) == 0)
			return 1;
	return 0;
}

/* Step 3: back from the consent app with a consent verifier. */
static void
after_consent(struct oreq *req, const char *verifier)
{
	struct oerr	 err;
	struct areq	 a;
	struct step	 s;
	char		*ss;

	oerr_clear(&err);
	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	if (!step_open(req, OFLOW_CONSENT_VERIFIER, "consent", verifier, &s,
	    &a))
		goto out;
	/* Signing keys load outside the write transaction. */
	if (!ogrant_prepare(&err) || !ostore_write(consent_fn, &s, &err)) {
		error_to_client(req, &a, &err);
		goto out;
	}
	if (step_refused(req, &s, &a, "The consent verifier's flow has been "
	    "completed already."))
		goto out;
	if (a.state != NULL)
		json_object_set_new(s.out, "state", json_string(a.state));
	/* OpenID Connect Session Management §3. */
	if (has_word_json(a.r, "openid") && (ss = osession_state(req,
	    ojson_str(a.r, "client_id"), a.redirect_uri)) != NULL) {
		json_object_set_new(s.out, "session_state", json_string(ss));
	}
	ometrics_tokens("implicit", s.out);	/* implicit and hybrid */
	to_client(req, &a, s.out);
out:
	json_decref(s.state);
	json_decref(s.out);
	areq_free(&a);
}

/* GET or POST /oauth2/auth */
static void
authorize(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*p;
	const char		*v;

	oerr_clear(&err);
	p = req->method == OHTTP_POST ? ohttp_form(req, &err) :
	    ohttp_query(req, &err);
	if (p == NULL) {
		ohttp_error_page(req, &err);
		return;
	}
	if (oparams_count(p, "login_verifier") > 1 ||
	    oparams_count(p, "consent_verifier") > 1) {
		oerr_set(&err, OERR_INVALID_REQUEST, "A verifier must not be "
		    "included more than once.");
		ohttp_error_page(req, &err);
	} else if ((v = oparams_get(p, "consent_verifier")) != NULL)
		after_consent(req, v);
	else if ((v = oparams_get(p, "login_verifier")) != NULL)
		after_login(req, v);
	else
		start(req, p);
}

const struct oroute auth_routes[] = {
	{ OHTTP_M(GET) | OHTTP_M(POST), OLISTEN_PUBLIC, "/oauth2/auth",
	    authorize },
};
const size_t auth_nroutes = sizeof(auth_routes) / sizeof(auth_routes[0]);
