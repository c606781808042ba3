/*
 * authorize.c: the authorization endpoint's protocol (see authorize.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/url.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/consents.h"
#include "records/device.h"
#include "records/flow.h"
#include "records/keys.h"
#include "records/sessions.h"
#include "records/subject.h"
#include "records/tokens.h"
#include "protocol/authorize.h"
#include "protocol/reqobj.h"

#define RT_CODE		OAUTHORIZE_CODE
#define RT_TOKEN	OAUTHORIZE_TOKEN
#define RT_IDTOKEN	OAUTHORIZE_IDTOKEN

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
	{ "dpop_jkt", 64, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "login_verifier", 32768, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "consent_verifier", 32768, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "claims", 2048, OFIELD_ANY, OFIELD_ONCE },
};
#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

/*
 * Every parameter travels sealed in the login challenge (the request
 * URL is in it), so those outside the table, ignored otherwise (RFC
 * 6749 §3.1), are bounded too: their names and values.
 */
#define OTHER_NAME_MAX	64
#define OTHER_MAX	1024

void
oauthorize_free(struct oauthorize *a)
{
	oclient_release(a->client);
	ofstate_req_free(&a->r);
	memset(a, 0, sizeof(*a));
}

int
oauthorize_has_word(const char *s, const char *word)
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

/* Split a space-separated list (NULL: empty) into l, no duplicates. */
static void
words(const char *s, struct ojson_strs *l)
{
	char	*copy, *w, *save;

	ojson_strs_free(l);
	if (s == NULL)
		return;
	copy = oxstrdup(s);
	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		if (!ojson_strs_has(l, w))
			ojson_strs_add(l, w);
	free(copy);
}

unsigned
oauthorize_response_bits(const char *rt)
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

/*
 * Check the parameters outside the field table: a name of at most
 * OTHER_NAME_MAX bytes and a value of at most OTHER_MAX.  Returns 1, or
 * 0 with an invalid_request naming the parameter.
 */
static int
others_ok(const struct oparams *p, struct oerr *err)
{
	size_t	 i, j;

	for (i = 0; i < p->n; i++) {
		for (j = 0; j < NFIELDS; j++)
			if (strcmp(p->v[i].name, fields[j].name) == 0)
				break;
		if (j < NFIELDS)
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
	json_t			*claims = NULL, *c;
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
		c = json_deep_copy(claims);
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
 * The client and its redirect URI (RFC 6749 §3.1.2.3: the one
 * registered URI may be left out).  Returns 1 with a->client and
 * a->r.client_id and redirect_uri set, or 0 with err set (an error
 * for the user, not the client).
 */
static int
client_redirect(const struct oparams *p, struct oauthorize *a,
    struct oerr *err)
{
	const char	*cid, *uri;
	struct oerr	 e;

	if ((cid = oparams_get(p, "client_id")) == NULL || *cid == '\0') {
		oerr_set(err, OERR_INVALID_REQUEST, "The request is missing "
		    "the parameter 'client_id'.");
		return 0;
	}
	oerr_clear(&e);
	if ((a->client = oclient_fetch(cid, &e)) == NULL) {
		if (e.code != OERR_NOT_FOUND)
			*err = e;	/* a 500 naming the client */
		else
			oerr_set(err, OERR_INVALID_CLIENT, "The client "
			    "'%.64s' does not exist.", cid);
		return 0;
	}
	uri = oparams_get(p, "redirect_uri");
	if (uri == NULL || *uri == '\0') {
		if (a->client->nredirect_uris != 1) {
			oerr_set(err, OERR_INVALID_REQUEST, "The request is "
			    "missing 'redirect_uri', and the client has not "
			    "exactly one registered.");
			return 0;
		}
		uri = a->client->redirect_uris[0];
	} else if (!oclient_redirect_allowed(a->client, uri)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The 'redirect_uri' is "
		    "not one the client registered.");
		return 0;
	}
	a->r.client_id = oxstrdup(cid);
	a->r.redirect_uri = oxstrdup(uri);
	a->redirect_uri = a->r.redirect_uri;
	return 1;
}

/*
 * Once the redirect URI is trusted: state, the response type's bits and
 * the response mode errors are delivered in.  Sets a->trusted.
 */
static void
response_mode(const struct oparams *p, struct oauthorize *a)
{
	const char	*s, *rt, *mode;

	if ((s = oparams_get(p, "state")) != NULL)
		a->r.state = oxstrdup(s);
	a->state = a->r.state;
	rt = oparams_get(p, "response_type");
	a->rt = rt != NULL ? oauthorize_response_bits(rt) : 0;
	a->mode = a->rt == RT_CODE ? OAUTHORIZE_QUERY : OAUTHORIZE_FRAGMENT;
	mode = oparams_get(p, "response_mode");
	if (mode != NULL && strcmp(mode, "form_post") == 0)
		a->mode = OAUTHORIZE_FORM_POST;
	else if (mode != NULL && strcmp(mode, "fragment") == 0)
		a->mode = OAUTHORIZE_FRAGMENT;
	else if (mode != NULL && strcmp(mode, "query") == 0 &&
	    a->rt == RT_CODE)
		a->mode = OAUTHORIZE_QUERY;
	a->trusted = 1;
}

/*
 * The response mode and type: supported, and allowed to the client.
 * Returns 1, or 0 with err set.
 */
static int
response_ok(const struct oparams *p, struct oauthorize *a, struct oerr *err)
{
	const char	*rt = oparams_get(p, "response_type");
	const char	*mode = oparams_get(p, "response_mode");

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
	return 1;
}

/* The client may use the response type.  Returns 1, or 0 with err. */
static int
response_allowed(const struct oparams *p, struct oauthorize *a,
    struct oerr *err)
{
	const char	*rt = oparams_get(p, "response_type");

	if (!oclient_has_rt(a->client, a->rt) ||
	    ((a->rt & RT_CODE) &&
	    !(a->client->grant_types & OCLIENT_GT_CODE)) ||
	    ((a->rt & (RT_TOKEN | RT_IDTOKEN)) &&
	    !(a->client->grant_types & OCLIENT_GT_IMPLICIT))) {
		oerr_set(err, OERR_UNAUTHORIZED_CLIENT, "The client is not "
		    "allowed the response_type '%.64s'.", rt);
		return 0;
	}
	a->r.response_type = oxstrdup(rt);
	a->r.response_mode = a->mode;
	return 1;
}

/*
 * State (fosite requires at least 8 characters), scope (the client's),
 * and the nonce the implicit and hybrid flows need.  Returns 1, or 0
 * with err set.
 */
static int
state_scope_nonce(const struct oparams *p, struct oauthorize *a,
    struct oerr *err)
{
	const char	*scope, *s;
	size_t		 i;

	if (a->state == NULL || strlen(a->state) < 8) {
		oerr_set(err, OERR_INVALID_STATE, "The state is missing or has "
		    "fewer than 8 characters.");
		return 0;
	}
	scope = oparams_get(p, "scope");
	words(scope, &a->r.scope);
	for (i = 0; i < a->r.scope.n; i++)
		if (!oclient_has_scope(a->client, a->r.scope.v[i])) {
			oerr_set(err, OERR_INVALID_SCOPE, "The client is not "
			    "allowed the scope '%.64s'.", a->r.scope.v[i]);
			return 0;
		}
	if ((a->rt & RT_IDTOKEN) && !oauthorize_has_word(scope, "openid")) {
		oerr_set(err, OERR_INVALID_SCOPE, "The response_type id_token "
		    "needs the scope 'openid'.");
		return 0;
	}
	if ((s = oparams_get(p, "nonce")) != NULL && *s != '\0')
		a->r.nonce = oxstrdup(s);
	else if (a->rt != RT_CODE && oauthorize_has_word(scope, "openid")) {
		/* OpenID Connect Core §3.2.2.1, §3.3.2.11. */
		oerr_set(err, OERR_INVALID_REQUEST, "The implicit and hybrid "
		    "flows need a 'nonce'.");
		return 0;
	}
	return 1;
}

/*
 * prompt (OpenID Connect Core §3.1.2.1: none alone, or any of login,
 * consent, select_account) and max_age (when absent, the client's
 * default_max_age if above 0, else -1).  Returns 1,
 * or 0 with err set.
 */
static int
prompt_max_age(const struct oparams *p, struct oauthorize *a,
    struct oerr *err)
{
	const char	*prompt = oparams_get(p, "prompt"), *max_age;
	struct ojson_strs pw;
	long long	 ma = -1;
	unsigned	 b, bits = 0;
	size_t		 i;
	int		 ok = 1;

	memset(&pw, 0, sizeof(pw));
	words(prompt, &pw);
	for (i = 0; ok && i < pw.n; i++) {
		if ((b = ofstate_prompt_bit(pw.v[i])) == 0) {
			oerr_set(err, OERR_INVALID_REQUEST, "The prompt "
			    "'%.32s' is not supported.", pw.v[i]);
			ok = 0;
		}
		bits |= b;
	}
	if (ok && (bits & OFSTATE_PROMPT_NONE) && pw.n > 1) {
		oerr_set(err, OERR_INVALID_REQUEST, "The prompt 'none' "
		    "cannot be combined with another.");
		ok = 0;
	}
	ojson_strs_free(&pw);
	if (!ok)
		return 0;
	a->r.prompt = bits;
	if ((max_age = oparams_get(p, "max_age")) != NULL &&
	    !ostrtonum(max_age, strlen(max_age), 0, 0x7fffffffLL, &ma)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The max_age must be a "
		    "number of seconds.");
		return 0;
	}
	/* The client's default_max_age (OpenID Connect Registration §2). */
	if (max_age == NULL && a->client->default_max_age > 0)
		ma = a->client->default_max_age > 0x7fffffffLL ?
		    0x7fffffffLL : a->client->default_max_age;
	a->r.max_age = ma;
	return 1;
}

/*
 * The audiences (the client's) and PKCE (RFC 7636; required for public
 * clients, OAuth 2.0 BCP §2.1.1, and those that ask for it).  Returns
 * 1, or 0 with err set.
 */
static int
audience_pkce(const struct oparams *p, struct oauthorize *a,
    struct oerr *err)
{
	const char	*cc, *ccm, *jkt;
	unsigned char	 raw[OCRYPTO_SHA256_LEN];
	size_t		 i, n;

	/*
	 * RFC 9449 §10: dpop_jkt binds the code to a DPoP key, the
	 * thumbprint (base64url SHA-256) of the one its redemption must be
	 * proven with; only the code flow issues nothing before that.
	 */
	if ((jkt = oparams_get(p, "dpop_jkt")) != NULL && *jkt != '\0') {
		if (a->rt != RT_CODE) {
			oerr_set(err, OERR_INVALID_REQUEST, "The parameter "
			    "'dpop_jkt' is only taken with response_type "
			    "code.");
			return 0;
		}
		if (strlen(jkt) != OJWK_THUMBPRINT_LEN ||
		    !ocrypto_b64url_decode(raw, sizeof(raw), &n, jkt,
		    strlen(jkt)) || n != sizeof(raw)) {
			oerr_set(err, OERR_INVALID_REQUEST, "The parameter "
			    "'dpop_jkt' is not a base64url SHA-256 JWK "
			    "thumbprint.");
			return 0;
		}
		a->r.dpop_jkt = oxstrdup(jkt);
	}
	words(oparams_get(p, "audience"), &a->r.audience);
	for (i = 0; i < a->r.audience.n; i++)
		if (!oclient_has_audience(a->client, a->r.audience.v[i])) {
			oerr_set(err, OERR_INVALID_REQUEST, "The client is not "
			    "allowed the audience '%.64s'.",
			    a->r.audience.v[i]);
			return 0;
		}
	cc = oparams_get(p, "code_challenge");
	ccm = oparams_get(p, "code_challenge_method");
	if (cc == NULL || *cc == '\0') {
		if ((a->rt & RT_CODE) &&
		    (a->client->auth == OCLIENT_AUTH_NONE ||
		    a->client->require_pkce)) {
			oerr_set(err, OERR_INVALID_REQUEST, "This client must "
			    "use PKCE (RFC 7636): send code_challenge with "
			    "method S256.");
			return 0;
		}
		return 1;
	}
	if (ccm == NULL || *ccm == '\0')
		ccm = "plain";
	if (strcmp(ccm, "S256") != 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The code_challenge_method "
		    "must be S256 ('%.16s' is not enabled).", ccm);
		return 0;
	}
	if (strlen(cc) != 43) {
		oerr_set(err, OERR_INVALID_REQUEST, "The code_challenge must "
		    "be the 43-character base64url SHA-256 of the verifier.");
		return 0;
	}
	a->r.code_challenge = oxstrdup(cc);
	a->r.code_challenge_method = oxstrdup(ccm);
	return 1;
}

/*
 * The id_token_hint (its claims kept as id_token_hint_claims) and the
 * parameters passed on to the login app as they are.  Returns 1, or 0
 * with err set.
 */
static int
hint_and_rest(const struct oparams *p, struct oauthorize *a,
    struct oerr *err)
{
	static const char *const pass[] = { "login_hint", "acr_values",
	    "ui_locales", "display" };
	const char	*hint = oparams_get(p, "id_token_hint"), *s;
	char		**to[4];
	size_t		 i;

	if (hint != NULL && *hint != '\0' &&
	    (a->r.id_token_hint_claims = hint_claims(hint, a->r.client_id,
	    err)) == NULL)
		return 0;
	to[0] = &a->r.login_hint;
	to[1] = &a->r.acr_values;
	to[2] = &a->r.ui_locales;
	to[3] = &a->r.display;
	for (i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		if ((s = oparams_get(p, pass[i])) != NULL)
			*to[i] = oxstrdup(s);
	return 1;
}

int
oauthorize_validate(const struct oparams *p, struct oauthorize *a,
    struct oerr *err)
{
	memset(a, 0, sizeof(*a));
	if (!oform_check(p, fields, NFIELDS, err) || !others_ok(p, err) ||
	    !client_redirect(p, a, err))
		return 0;
	/* From here on errors go to the client. */
	response_mode(p, a);
	return response_ok(p, a, err) && response_allowed(p, a, err) &&
	    state_scope_nonce(p, a, err) && prompt_max_age(p, a, err) &&
	    audience_pkce(p, a, err) && hint_and_rest(p, a, err);
}

/*
 * Whether the browser's session must not be reused: prompt=login or
 * select_account, an authentication older than max_age, or an
 * id_token_hint of another subject.
 */
static int
forces_login(const struct oauthorize *a, const struct osessions_rec *session)
{
	const char	*hsub;
	char		*seen;
	long long	 ma = a->r.max_age;
	int		 other;

	if (a->r.prompt & (OFSTATE_PROMPT_LOGIN | OFSTATE_PROMPT_SELECT))
		return 1;
	if (session != NULL && ma >= 0 && onow() - session->auth_time > ma)
		return 1;
	hsub = json_string_value(json_object_get(a->r.id_token_hint_claims,
	    "sub"));
	if (session == NULL || hsub == NULL ||
	    strcmp(hsub, session->sub) == 0)
		return 0;
	/* The hint may carry the client's pairwise subject (subject.h). */
	seen = osubject_of(a->client, session->sub, NULL);
	other = seen == NULL || strcmp(hsub, seen) != 0;
	free(seen);
	return other;
}

char *
oauthorize_start(const struct oauthorize *a,
    const struct osessions_rec *session, const char *request_url,
    char csrf[44], struct oerr *err)
{
	struct ofstate_login	 st;
	char			 id[37], sid[37], *ch;
	int			 skip;

	skip = session != NULL && !forces_login(a, session);
	if ((a->r.prompt & OFSTATE_PROMPT_NONE) && !skip) {
		oerr_set(err, OERR_LOGIN_REQUIRED, "The end-user is not "
		    "logged in (prompt=none).");
		return NULL;
	}
	ocrypto_uuid4(id);
	ocrypto_token(csrf, 44, 32);
	if (session != NULL)
		snprintf(sid, sizeof(sid), "%s", session->sid);
	else
		ocrypto_uuid4(sid);
	/* Borrowed members only: st is sealed, never freed. */
	memset(&st, 0, sizeof(st));
	st.id = id;
	st.exp = onow() + oconf->ttl_login_consent;
	st.requested_at = onow();
	st.csrf = csrf;
	st.req = a->r;
	st.request_url = (char *)request_url;
	st.skip = skip;
	st.sid = sid;
	if (skip) {
		st.subject = session->sub;
		st.auth_time = session->auth_time;
	}
	ch = ofstate_login_seal(OFLOW_LOGIN, &st);
	if (strlen(oconf->url_login) + strlen(ch) + 32 >
	    OAUTHORIZE_LOGIN_URL_MAX) {
		oerr_set(err, OERR_INVALID_REQUEST, "The authorization "
		    "request is too large: its parameters together make a "
		    "login challenge longer than %d bytes.",
		    OAUTHORIZE_LOGIN_URL_MAX);
		free(ch);
		return NULL;
	}
	return ch;
}

int
oauthorize_is_device(const struct ofstate_req *r)
{
	return r->response_type != NULL &&
	    strcmp(r->response_type, OAUTHORIZE_DEVICE_RT) == 0;
}

int
oauthorize_restore(const struct ofstate_req *req, struct oauthorize *a,
    struct oerr *err)
{
	memset(a, 0, sizeof(*a));
	ofstate_req_copy(&a->r, req);
	a->rt = oauthorize_response_bits(a->r.response_type);
	a->mode = (enum oauthorize_mode)a->r.response_mode;
	a->redirect_uri = a->r.redirect_uri;
	a->state = a->r.state;
	a->trusted = !oauthorize_is_device(&a->r);
	if ((a->client = oclient_fetch(a->r.client_id, err)) == NULL) {
		ofstate_req_free(&a->r);
		return 0;
	}
	/* The client's redirect URIs may have changed since the request. */
	if (a->trusted &&
	    !oclient_redirect_allowed(a->client, a->redirect_uri)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The 'redirect_uri' of "
		    "this flow is no longer one the client registered.");
		return 0;
	}
	return 1;
}

/* Does a remembered consent cover the requested scopes? */
static int
covers(const struct oconsent *consent, const struct ofstate_req *r)
{
	size_t	 i;

	for (i = 0; i < r->scope.n; i++)
		if (!ojson_strs_has(&consent->scope, r->scope.v[i]))
			return 0;
	return 1;
}

/*
 * A public client may skip consent only when its redirect is https or
 * loopback http (a native app's custom scheme can be claimed by any app:
 * Hydra #866).
 */
static int
may_skip(const struct oauthorize *a)
{
	struct ourl	 u;

	/* A device flow always asks (Hydra: device flows never skip). */
	if (oauthorize_is_device(&a->r))
		return 0;
	if (a->client->auth != OCLIENT_AUTH_NONE)
		return 1;
	return ourl_parse(a->redirect_uri, &u) == NULL &&
	    (strcmp(u.scheme, "https") == 0 || ourl_loopback(&u));
}

int
oauthorize_starts_session(const struct ofstate_login *state)
{
	return !state->has_error && !state->skip && state->has_login &&
	    state->login.remember;
}

/* Store the login session the login verifier of s starts. */
static int
store_session(struct ostore_txn *t, const struct oauthorize_step *s,
    struct oerr *err)
{
	struct osessions_rec	 rec;
	const struct ofstate_login_result *login = &s->login->login;
	int64_t			 rf = login->remember_for;

	memset(&rec, 0, sizeof(rec));
	rec.sid = s->login->sid;
	rec.sub = login->subject;
	rec.auth_time = login->auth_time;
	rec.exp = onow() + (rf > 0 ? rf : OFLOW_SESSION_LIFESPAN);
	rec.remember_for = rf;
	return oflow_session_put(t, &rec, err);
}

/*
 * The consent challenge's state for the login verifier of s into
 * s->next, skip when consent (a remembered one, or NULL) covers the
 * request.  Every consent challenge of this flow expires by flow_exp:
 * the login verifier's expiry plus as long again, the same for every
 * consent challenge it leads to, which is how long the flow's
 * done-mark must be kept (consent_fn()).
 */
static void
consent_state(struct oauthorize_step *s, const struct oconsent *consent)
{
	const struct ofstate_login *l = s->login;
	struct ofstate_consent	*st = &s->next;
	char			 id[37], csrf[44];
	int64_t			 exp, fexp;

	ocrypto_uuid4(id);
	ocrypto_token(csrf, sizeof(csrf), 32);
	exp = l->exp;
	fexp = exp + (exp - l->requested_at);
	exp = onow() + oconf->ttl_login_consent;
	if (exp > fexp)
		exp = fexp;
	memset(st, 0, sizeof(*st));
	st->id = oxstrdup(id);
	st->exp = exp;
	st->flow_exp = fexp;
	st->requested_at = l->requested_at;
	st->csrf = oxstrdup(csrf);
	ofstate_req_copy(&st->req, &s->a->r);
	st->request_url = oxstrdup(l->request_url);
	ofstate_login_result_copy(&st->login, &l->login);
	st->sid = oxstrdup(l->sid);
	st->skip = consent != NULL && covers(consent, &s->a->r);
	st->login_challenge = oxstrdup(l->id);
	if (st->skip)
		st->previous = json_pack("{s:o,s:o,s:O?}",
		    "scope", ojson_strs_json(&consent->scope), "aud",
		    ojson_strs_json(&consent->aud), "session",
		    consent->session);
}

/*
 * Step 2 in a transaction.  A login verifier is not spent: it may lead
 * to a consent challenge more than once until its flow is done
 * (consent_fn()), as Hydra's stateless flows do; the CSRF cookie ties
 * it to the browser.
 */
static int
login_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct oauthorize_step	*s = arg;
	struct oconsent		 consent;
	struct oerr		 e;
	int			 found = 0;

	ofstate_consent_free(&s->next);
	s->used = 0;
	if (oflow_used(t, OFLOW_LOGIN, s->login->id, NULL)) {
		s->used = 1;
		return 1;
	}
	/* Its login session was logged out: the flow is void (flow.h). */
	if (oflow_session_ended(t, s->login->sid)) {
		oerr_set(err, OERR_ACCESS_DENIED, "The login session of this "
		    "login verifier has been logged out; sign in again.");
		return 0;
	}
	if (s->login->has_error)
		return 1;
	/* A remembered login becomes a session (Hydra verifyAuthentication). */
	if (oauthorize_starts_session(s->login) && !store_session(t, s, err))
		return 0;
	/* Without a remembered consent (or on a store failure): ask. */
	memset(&consent, 0, sizeof(consent));
	oerr_clear(&e);
	if (!(s->a->r.prompt & OFSTATE_PROMPT_CONSENT) && may_skip(s->a))
		found = oconsents_find(t, s->login->login.subject,
		    s->a->r.client_id, &consent, &e);
	consent_state(s, found ? &consent : NULL);
	oconsents_free(&consent);
	return 1;
}

int
oauthorize_login(struct oauthorize_step *s, struct oerr *err)
{
	struct ostore_txn	*t;
	int			 ok;

	if (oauthorize_starts_session(s->login))
		return ostore_write(login_fn, s, err);
	if ((t = ostore_read_begin(err)) == NULL)
		return 0;
	ok = login_fn(t, s, err);
	ostore_read_end(t);
	return ok;
}

int
oauthorize_consent_ok(const struct oauthorize_step *s, struct oerr *err)
{
	if ((s->a->r.prompt & OFSTATE_PROMPT_NONE) &&
	    !s->next.skip) {
		oerr_set(err, OERR_CONSENT_REQUIRED, "The end-user has not "
		    "consented (prompt=none).");
		return 0;
	}
	return 1;
}

void
oauthorize_grant(const struct ofstate_consent *st, struct ogrant *g)
{
	const struct ofstate_req *r = &st->req;
	const struct ofstate_login_result *login = &st->login;
	const struct ofstate_consent_result *c = &st->consent;
	size_t	 i;

	memset(g, 0, sizeof(*g));
	g->request_id = oxstrdup(st->id);
	g->client_id = oxstrdup(r->client_id);
	g->sub = oxstrdup(login->subject);
	if (login->force_subject_identifier != NULL &&
	    *login->force_subject_identifier != '\0')
		g->forced_sub = oxstrdup(login->force_subject_identifier);
	g->sid = oxstrdup(st->sid);
	for (i = 0; i < c->grant_scope.n; i++)
		ojson_strs_add(&g->scope, c->grant_scope.v[i]);
	for (i = 0; i < c->grant_access_token_audience.n; i++)
		ojson_strs_add(&g->aud, c->grant_access_token_audience.v[i]);
	g->auth_time = login->auth_time;
	g->acr = oxstrdup(login->acr != NULL ? login->acr : "");
	for (i = 0; i < login->amr.n; i++)
		ojson_strs_add(&g->amr, login->amr.v[i]);
	g->requested_at = st->requested_at;
	g->has = OGRANT_HAS_AUTH_TIME | OGRANT_HAS_AMR |
	    OGRANT_HAS_REQUESTED_AT;
	if (c->session != NULL)
		g->session = json_incref(c->session);
	if (r->nonce != NULL)
		g->nonce = oxstrdup(r->nonce);
	if (r->redirect_uri != NULL)
		g->redirect_uri = oxstrdup(r->redirect_uri);
	if (r->code_challenge != NULL)
		g->code_challenge = oxstrdup(r->code_challenge);
	if (r->dpop_jkt != NULL)
		g->jkt = oxstrdup(r->dpop_jkt);
	/* Only S256 passes the request checks (audience_pkce()). */
	if (r->code_challenge_method != NULL &&
	    !ogrant_pkce_method(r->code_challenge_method,
	    &g->code_challenge_method))
		g->code_challenge_method = OGRANT_PKCE_S256;
}

/*
 * The consent record of a grant into c (schema/store.md, consents):
 * every grant is recorded, remembered or not, to revoke it later.
 */
static void
consent_record(const struct ofstate_consent *st,
    const struct ogrant *grant, struct oconsent *c)
{
	json_t		*scope, *aud;
	int64_t		 now = onow(), rf, until, exp;
	int		 remember = st->consent.remember;

	rf = st->consent.remember_for;
	until = remember && rf > 0 ? now + rf : 0;
	exp = remember ? until : now;
	if (exp != 0 && oconf->ttl_refresh_token > 0 &&
	    exp < now + oconf->ttl_refresh_token)
		exp = now + oconf->ttl_refresh_token;
	else if (exp != 0 && oconf->ttl_refresh_token < 0)
		exp = 0;
	memset(c, 0, sizeof(*c));
	c->request_id = oxstrdup(st->id);
	c->sub = oxstrdup(grant->sub);
	c->client_id = oxstrdup(grant->client_id);
	scope = ojson_strs_json(&grant->scope);
	aud = ojson_strs_json(&grant->aud);
	ojson_strs_set(&c->scope, scope);
	ojson_strs_set(&c->aud, aud);
	json_decref(scope);
	json_decref(aud);
	if ((c->session = grant->session) != NULL)
		json_incref(c->session);
	c->sid = oxstrdup(st->sid);
	c->remember = remember;
	c->remember_for = rf;
	c->remember_until = until;
	c->handled_at = now;
	c->exp = exp;
	scope = ojson_strs_json(&st->req.scope);
	aud = ojson_strs_json(&st->req.audience);
	ojson_strs_set(&c->requested_scope, scope);
	ojson_strs_set(&c->requested_audience, aud);
	json_decref(scope);
	json_decref(aud);
	c->login = ofstate_login_result_json(&st->login);
	c->request_url = oxstrdup(st->request_url);
	/* A consent the app accepted without asking (skip) is not listed. */
	c->skip = st->skip;
}

/* Issue what the response type asks for into s->out. */
static int
issue(struct ostore_txn *t, struct oauthorize_step *s,
    const struct ogrant *grant, struct oerr *err)
{
	json_t		*tok;
	char		*code = NULL;
	unsigned	 what = 0;
	int		 ok = 0;

	/* Sealed, not stored (tokens.h): only the consent is written. */
	if (s->a->rt & RT_CODE) {
		if ((code = ogrant_code(t, grant, s->a->client->epoch,
		    err)) == NULL)
			goto out;
		json_object_set_new(s->out, "code", json_string(code));
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
		json_object_update(s->out, tok);
		json_decref(tok);
	}
	ok = 1;
out:
	if (code != NULL) {
		ocrypto_wipe(code, strlen(code));
		free(code);
	}
	return ok;
}

/* Write function of step 3 (the consent verifier): grant and issue. */
static int
consent_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct oauthorize_step	*s = arg;
	struct oconsent		 rec;
	struct ogrant		 grant;
	int64_t			 fexp;
	int			 ok;

	json_decref(s->out);
	s->out = NULL;
	s->used = 0;
	/*
	 * The flow is done: its login challenge is marked (the id every
	 * consent challenge of the flow names), so no other consent
	 * verifier of it counts, its login verifier leads nowhere, and
	 * the admin API answers 410 for its challenges.
	 */
	if ((fexp = s->consent->flow_exp) == 0)
		fexp = s->consent->exp;
	switch (oflow_use(t, OFLOW_LOGIN, s->consent->login_challenge, fexp,
	    NULL)) {
	case OSTORE_OK:
		break;
	case OSTORE_EXISTS:
		s->used = 1;
		return 1;
	default:
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return 0;
	}
	if (s->consent->has_error) {
		if (oauthorize_is_device(&s->consent->req))
			return odevice_deny(t, s->consent->req.state,
			    s->consent->error.error,
			    s->consent->error.error_description, err);
		return 1;
	}
	oauthorize_grant(s->consent, &grant);
	consent_record(s->consent, &grant, &rec);
	ok = oconsents_put(t, &rec, err);
	if (ok) {
		osessions_add_client(t, s->consent->sid,
		    grant.client_id, err);
		s->out = json_object();
		/* A device flow's grant waits for the device's poll. */
		if (oauthorize_is_device(&s->consent->req))
			ok = odevice_approve(t, s->consent->req.state, &grant,
			    err);
		else
			ok = issue(t, s, &grant, err);
	}
	ogrant_free(&grant);
	oconsents_free(&rec);
	return ok;
}

int
oauthorize_consent(struct oauthorize_step *s, struct oerr *err)
{
	/* Signing keys load outside the write transaction. */
	return ogrant_prepare(err) && ostore_write(consent_fn, s, err);
}

int
oauthorize_refused(const struct oauthorize_step *s, const char *used,
    struct oerr *err, const char **name)
{
	const struct ofstate_error *e;

	if (s->used) {
		oerr_set(err, OERR_INVALID_REQUEST, "%s", used);
		*name = oerr_name(err->code);
		return 1;
	}
	if (s->login != NULL && s->login->has_error)
		e = &s->login->error;
	else if (s->consent != NULL && s->consent->has_error)
		e = &s->consent->error;
	else
		return 0;
	oerr_set(err, OERR_ACCESS_DENIED, "%s", e->error_description != NULL ?
	    e->error_description : "");
	snprintf(err->hint, sizeof(err->hint), "%s", e->error_hint != NULL ?
	    e->error_hint : "");
	*name = e->error;
	return 1;
}

void
oauthorize_outcome_free(struct oauthorize_outcome *o)
{
	oauthorize_free(&o->a);
	free(o->challenge);
	json_decref(o->params);
	ofstate_login_free(&o->login);
	ofstate_consent_free(&o->consent);
	memset(o, 0, sizeof(*o));
}

/*
 * Answer with an error: to the client when its redirect URI is
 * trusted, with state (RFC 6749 §4.1.2.1, §4.2.2.1), else on a page.
 * name is the error code (a login or consent app may choose its own
 * when it rejects); the hint, when any, follows the description, as
 * Hydra 2.x sends it.  Returns 0.
 */
static int
fail(struct oauthorize_outcome *o, const char *name)
{
	struct oerr	*err = &o->err;
	char		 d[sizeof(err->description) + sizeof(err->hint)];

	if (!o->a.trusted) {
		o->answer = OAUTHORIZE_SHOW_ERROR;
		return 0;
	}
	if (name == NULL)
		name = oerr_name(err->code);
	if (err->hint[0] != '\0')
		snprintf(d, sizeof(d), "%s %s", err->description, err->hint);
	else
		snprintf(d, sizeof(d), "%s", err->description);
	o->answer = OAUTHORIZE_TO_CLIENT;
	json_decref(o->params);
	o->params = json_object();
	json_object_set_new(o->params, "error", ojson_string_lossy(name,
	    strlen(name)));
	json_object_set_new(o->params, "error_description",
	    ojson_string_lossy(d, strlen(d)));
	if (o->a.state != NULL && *o->a.state != '\0')
		json_object_set_new(o->params, "state",
		    json_string(o->a.state));
	return 0;
}

/* Go on to the UI at url with the challenge ch (owned) as param. */
static int
to_ui(struct oauthorize_outcome *o, const char *url, const char *param,
    char *ch, const char *kind, const char *csrf)
{
	o->answer = OAUTHORIZE_TO_UI;
	o->ui_url = url;
	o->param = param;
	o->challenge = ch;
	o->csrf_kind = kind;
	snprintf(o->csrf, sizeof(o->csrf), "%s", csrf);
	return 1;
}

/* The live login session sid names into s: 1, or 0 (none). */
static int
live_session(const char *sid, struct osessions_rec *s)
{
	struct ostore_txn	*t;
	struct oerr		 err;
	int			 ok;

	memset(s, 0, sizeof(*s));
	oerr_clear(&err);
	if (sid == NULL || (t = ostore_read_begin(NULL)) == NULL)
		return 0;
	ok = osessions_live(t, sid, s, &err);
	ostore_read_end(t);
	return ok;
}

/*
 * After a request object or request_uri was refused: whether the
 * error may go to the client, by the query's client_id and
 * redirect_uri as oauthorize_validate() would decide.
 */
static void
outer_trust(const struct oparams *p, struct oauthorize *a)
{
	struct oerr	 e;

	oauthorize_free(a);
	oerr_clear(&e);
	if (oform_check(p, fields, NFIELDS, &e) && client_redirect(p, a, &e))
		response_mode(p, a);
}

/*
 * The parameters of p, its request object or pushed request resolved
 * (reqobj.h), validated into o->a; a client or a configuration that
 * requires pushed requests (RFC 9126 §5, §6) gets nothing else.
 * Returns 1, or 0 with o->err set.
 */
static int
begin_validate(const struct oparams *p, struct oauthorize_outcome *o)
{
	struct oarena	 ar;
	struct oparams	 q;
	int		 pushed, ok = 0;

	oarena_init(&ar);
	if (!oreqobj_resolve(&ar, p, &q, &pushed, &o->err)) {
		outer_trust(p, &o->a);
		goto out;
	}
	if (!oauthorize_validate(&q, &o->a, &o->err))
		goto out;
	if (!pushed && (oconf->par_enforced || o->a.client->require_par)) {
		oerr_set(&o->err, OERR_INVALID_REQUEST, "%s requires pushed "
		    "authorization requests (RFC 9126): push the request to "
		    "/oauth2/par and send its request_uri.",
		    oconf->par_enforced ? "This server" : "This client");
		goto out;
	}
	ok = 1;
out:
	oarena_free(&ar);
	return ok;
}

/*
 * Step 1's end, for the validated request in o->a: a login challenge
 * (given the live login session of cookie_sid, if any), and the
 * browser sent to the login app with it.
 */
static int
to_login(const char *cookie_sid, const char *request_url,
    struct oauthorize_outcome *o)
{
	struct osessions_rec	 session;
	char			 csrf[44], *ch;
	int			 ok;

	ok = live_session(cookie_sid, &session);
	ch = oauthorize_start(&o->a, ok ? &session : NULL, request_url,
	    csrf, &o->err);
	osessions_free(&session);
	if (ch == NULL)
		return fail(o, NULL);
	return to_ui(o, oconf->url_login, "login_challenge", ch, "login",
	    csrf);
}

int
oauthorize_begin(const struct oparams *p, const char *cookie_sid,
    const char *request_url, struct oauthorize_outcome *o)
{
	memset(o, 0, sizeof(*o));
	oerr_clear(&o->err);
	if (!begin_validate(p, o))
		return fail(o, NULL);
	return to_login(cookie_sid, request_url, o);
}

/*
 * Open a login verifier (OFLOW_LOGIN_VERIFIER, into o->login) or a
 * consent verifier (OFLOW_CONSENT_VERIFIER, into o->consent) from the
 * app of kind, its request into o->a, and s: sealed by us, unexpired,
 * whole, for a client that still exists (else a 400 page), and
 * brought by the browser whose CSRF cookie it names (else forbidden,
 * to the client).
 */
static int
step_open(enum oflow_purpose p, const char *kind, const char *verifier,
    oauthorize_csrf_fn csrf_ok, void *arg, struct oauthorize_step *s,
    struct oauthorize_outcome *o)
{
	const struct ofstate_req *req;
	const char		*csrf;
	int			 ok;

	memset(o, 0, sizeof(*o));
	memset(s, 0, sizeof(*s));
	oerr_clear(&o->err);
	if (p == OFLOW_LOGIN_VERIFIER) {
		ok = ofstate_login_open(p, verifier, &o->login, &o->err);
		req = &o->login.req;
		csrf = o->login.csrf;
		s->login = &o->login;
	} else {
		ok = ofstate_consent_open(p, verifier, &o->consent, &o->err);
		req = &o->consent.req;
		csrf = o->consent.csrf;
		s->consent = &o->consent;
	}
	if (!ok || !oauthorize_restore(req, &o->a, &o->err)) {
		oerr_status(&o->err, 400);
		o->a.trusted = 0;
		return fail(o, NULL);
	}
	if (!csrf_ok(arg, kind, o->a.r.client_id, csrf)) {
		oerr_set(&o->err, OERR_REQUEST_FORBIDDEN, "The %s verifier "
		    "came without this browser's CSRF cookie.", kind);
		return fail(o, NULL);
	}
	s->a = &o->a;
	return 1;
}

/* After a step: the error when the flow was done or the app rejected. */
static int
step_refused(struct oauthorize_step *s, const char *used,
    struct oauthorize_outcome *o)
{
	const char	*name;

	if (!oauthorize_refused(s, used, &o->err, &name))
		return 0;
	fail(o, name);
	return 1;
}

/*
 * The login session cookie after a login: set when the login was
 * remembered, deleted when not, kept when it reused a session.
 */
static void
login_session(const struct ofstate_login *state,
    struct oauthorize_outcome *o)
{
	o->sid = state->sid;
	if (state->skip)
		o->session = OAUTHORIZE_SESSION_REUSED;
	else if (state->has_login && state->login.remember) {
		o->session = OAUTHORIZE_SESSION_SET;
		o->remember_for = state->login.remember_for;
	} else
		o->session = OAUTHORIZE_SESSION_CLEAR;
}

/* A device flow's login was rejected: its device is told (denied). */
static int
device_deny_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	const struct oauthorize_step *s = arg;

	return odevice_deny(t, s->a->r.state, s->login->error.error,
	    s->login->error.error_description, err);
}

int
oauthorize_begin_req(const struct ofstate_req *req, const char *cookie_sid,
    const char *request_url, struct oauthorize_outcome *o)
{
	memset(o, 0, sizeof(*o));
	oerr_clear(&o->err);
	if (!oauthorize_restore(req, &o->a, &o->err)) {
		o->a.trusted = 0;
		return fail(o, NULL);
	}
	return to_login(cookie_sid, request_url, o);
}

int
oauthorize_after_login(const char *verifier, oauthorize_csrf_fn csrf_ok,
    void *arg, struct oauthorize_outcome *o)
{
	struct oauthorize_step	 s;
	int			 ok = 0;

	if (!step_open(OFLOW_LOGIN_VERIFIER, "login", verifier, csrf_ok,
	    arg, &s, o))
		return 0;
	if (!oauthorize_login(&s, &o->err)) {
		fail(o, NULL);
		goto out;
	}
	if (!s.used && s.login->has_error &&
	    oauthorize_is_device(&s.a->r) &&
	    !ostore_write(device_deny_fn, &s, &o->err)) {
		fail(o, NULL);
		goto out;
	}
	if (step_refused(&s, "The login verifier's flow has been "
	    "completed already.", o))
		goto out;
	login_session(s.login, o);
	if (!oauthorize_consent_ok(&s, &o->err)) {
		fail(o, NULL);
		goto out;
	}
	ok = to_ui(o, oconf->url_consent, "consent_challenge",
	    ofstate_consent_seal(OFLOW_CONSENT, &s.next), "consent",
	    s.next.csrf);
out:
	ofstate_consent_free(&s.next);
	return ok;
}

int
oauthorize_after_consent(const char *verifier, oauthorize_csrf_fn csrf_ok,
    void *arg, struct oauthorize_outcome *o)
{
	struct oauthorize_step	 s;

	if (!step_open(OFLOW_CONSENT_VERIFIER, "consent", verifier, csrf_ok,
	    arg, &s, o))
		return 0;
	if (!oauthorize_consent(&s, &o->err)) {
		json_decref(s.out);
		return fail(o, NULL);
	}
	if (step_refused(&s, "The consent verifier's flow has been "
	    "completed already.", o)) {
		json_decref(s.out);
		return 0;
	}
	if (oauthorize_is_device(&o->a.r)) {
		/* RFC 8628 §3.3: the person is done; the device polls. */
		json_decref(s.out);
		o->answer = OAUTHORIZE_TO_URL;
		o->ui_url = oconf->url_device_success;
		return 1;
	}
	o->answer = OAUTHORIZE_TO_CLIENT;
	o->params = s.out;
	o->issued = 1;
	if (o->a.state != NULL)
		json_object_set_new(o->params, "state",
		    json_string(o->a.state));
	/* OpenID Connect Session Management §3. */
	o->session_state = ojson_strs_has(&o->a.r.scope, "openid");
	return 1;
}
