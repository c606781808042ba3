/*
 * Unit tests for lib/protocol/authorize.c: validating an authorization
 * request and the login challenge it leads to, without a web server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/flow.h"
#include "records/keys.h"
#include "records/sessions.h"
#include "protocol/authorize.h"
#include "protocol/flowapi.h"
#include "protocol/flowstate.h"
#include "t.h"
#include "tfix.h"

static char		 secret[] = "authorize-secret-aaaaaaaaaaaaaaaa";
static struct oconf	 conf;
static struct tfix_store	 store;
static struct oarena	 arena;

#define STATE	"&state=abcdefgh"

static void
add_client(const char *json)
{
	struct oerr	 err;
	json_t		*in, *rec;
	char		 sec[128];

	oerr_clear(&err);
	in = json_loads(json, 0, NULL);
	rec = oclient_create(in, 0, sec, &err);
	if (rec == NULL)
		fprintf(stderr, "oclient_create: %s\n", err.description);
	CHECK(rec != NULL);
	json_decref(rec);
	json_decref(in);
}

static void
up(void)
{
	if (!tfix_store_open(&store, "test_authorize"))
		abort();
	add_client("{\"client_id\": \"web\", \"redirect_uris\": "
	    "[\"https://rp.example/cb\", \"http://127.0.0.1/cb\"], "
	    "\"grant_types\": [\"authorization_code\", \"implicit\"], "
	    "\"response_types\": [\"code\", \"id_token\", \"token id_token\", "
	    "\"code id_token\"], \"scope\": \"openid offline\", "
	    "\"token_endpoint_auth_method\": \"client_secret_basic\"}");
	add_client("{\"client_id\": \"one\", \"redirect_uris\": "
	    "[\"https://one.example/cb\"], \"grant_types\": "
	    "[\"authorization_code\"], \"response_types\": [\"code\"], "
	    "\"scope\": \"openid\", "
	    "\"token_endpoint_auth_method\": \"client_secret_basic\"}");
	add_client("{\"client_id\": \"pub\", \"redirect_uris\": "
	    "[\"https://pub.example/cb\"], \"grant_types\": "
	    "[\"authorization_code\"], \"response_types\": [\"code\"], "
	    "\"scope\": \"openid\", "
	    "\"token_endpoint_auth_method\": \"none\"}");
}

static void
down(void)
{
	CHECK(tfix_store_close(&store));
}

/* Validate the query qs into a; err cleared first.  Returns the result. */
static int
validate(const char *qs, struct oauthorize *a, struct oerr *err)
{
	struct oparams	 p;

	oerr_clear(err);
	memset(a, 0, sizeof(*a));
	if (!oform_parse(&arena, qs, strlen(qs), &p, err))
		return 0;
	return oauthorize_validate(&p, a, err);
}

/* validate() expecting failure with code, delivered to the client or not. */
static int
refused(const char *qs, enum oerr_code code, int trusted)
{
	struct oauthorize	 a;
	struct oerr		 err;
	int			 ok;

	ok = !validate(qs, &a, &err) && err.code == code &&
	    a.trusted == trusted;
	if (!ok)
		fprintf(stderr, "%s: code %d trusted %d: %s\n", qs,
		    (int)err.code, a.trusted, err.description);
	oauthorize_free(&a);
	return ok;
}

static int
accepted(const char *qs)
{
	struct oauthorize	 a;
	struct oerr		 err;
	int			 ok;

	if (!(ok = validate(qs, &a, &err)))
		fprintf(stderr, "%s: %s\n", qs, err.description);
	oauthorize_free(&a);
	return ok;
}

static void
response_bits(void)
{
	CHECK(oauthorize_response_bits("code") == OAUTHORIZE_CODE);
	CHECK(oauthorize_response_bits("id_token code") ==
	    (OAUTHORIZE_CODE | OAUTHORIZE_IDTOKEN));
	CHECK(oauthorize_response_bits("token  id_token") ==
	    (OAUTHORIZE_TOKEN | OAUTHORIZE_IDTOKEN));
	CHECK(oauthorize_response_bits("code code") == 0);
	CHECK(oauthorize_response_bits("codes") == 0);
	CHECK(oauthorize_response_bits("none") == 0);
	CHECK(oauthorize_response_bits("") == 0);
	CHECK(oauthorize_has_word("openid offline", "offline"));
	CHECK(!oauthorize_has_word("openid offline", "open"));
	CHECK(!oauthorize_has_word(NULL, "openid"));
}

/* Errors before the redirect URI is verified are not redirected. */
static void
untrusted(void)
{
	up();
	CHECK(refused("response_type=code" STATE, OERR_INVALID_REQUEST, 0));
	CHECK(refused("client_id=nobody&response_type=code" STATE,
	    OERR_INVALID_CLIENT, 0));
	CHECK(refused("client_id=web&response_type=code&redirect_uri="
	    "https%3A%2F%2Fevil.example%2Fcb" STATE, OERR_INVALID_REQUEST,
	    0));
	CHECK(refused("client_id=web&response_type=code&redirect_uri="
	    "https%3A%2F%2Frp.example%2Fcb%2Fmore" STATE,
	    OERR_INVALID_REQUEST, 0));
	/* Two registered: the redirect_uri must be given. */
	CHECK(refused("client_id=web&response_type=code" STATE,
	    OERR_INVALID_REQUEST, 0));
	/* A parameter twice. */
	CHECK(refused("client_id=one&client_id=one&response_type=code"
	    STATE, OERR_INVALID_REQUEST, 0));
	down();
}

/* RFC 6749 §3.1.2.3; RFC 8252 §7.3: any port on a loopback redirect. */
static void
redirect_uris(void)
{
	up();
	CHECK(accepted("client_id=one&response_type=code" STATE));
	CHECK(accepted("client_id=web&response_type=code&redirect_uri="
	    "https%3A%2F%2Frp.example%2Fcb" STATE));
	CHECK(accepted("client_id=web&response_type=code&redirect_uri="
	    "http%3A%2F%2F127.0.0.1%3A5555%2Fcb" STATE));
	CHECK(refused("client_id=web&response_type=code&redirect_uri="
	    "https%3A%2F%2Frp.example%3A444%2Fcb" STATE,
	    OERR_INVALID_REQUEST, 0));
	down();
}

/* Response types and modes. */
static void
types_modes(void)
{
	struct oauthorize	 a;
	struct oerr		 err;

	up();
	CHECK(validate("client_id=one&response_type=code" STATE, &a, &err));
	CHECK(a.rt == OAUTHORIZE_CODE && a.mode == OAUTHORIZE_QUERY);
	CHECK_STR(a.redirect_uri, "https://one.example/cb");
	CHECK_STR(a.state, "abcdefgh");
	oauthorize_free(&a);
	CHECK(validate("client_id=one&response_type=code&response_mode="
	    "form_post" STATE, &a, &err));
	CHECK(a.mode == OAUTHORIZE_FORM_POST);
	CHECK(a.r.response_mode == OAUTHORIZE_FORM_POST);
	oauthorize_free(&a);
	CHECK(validate("client_id=web&response_type=id_token&redirect_uri="
	    "https%3A%2F%2Frp.example%2Fcb&scope=openid&nonce=n-1" STATE, &a,
	    &err));
	CHECK(a.rt == OAUTHORIZE_IDTOKEN && a.mode == OAUTHORIZE_FRAGMENT);
	oauthorize_free(&a);
	/* Tokens never in a query; an unknown mode; unknown types. */
	CHECK(refused("client_id=web&response_type=id_token&redirect_uri="
	    "https%3A%2F%2Frp.example%2Fcb&scope=openid&nonce=n-1"
	    "&response_mode=query" STATE, OERR_INVALID_REQUEST, 1));
	CHECK(refused("client_id=one&response_type=code&response_mode=jwt"
	    STATE, OERR_INVALID_REQUEST, 1));
	CHECK(refused("client_id=one&response_type=device" STATE,
	    OERR_UNSUPPORTED_RESPONSE_TYPE, 1));
	CHECK(refused("client_id=one" STATE, OERR_INVALID_REQUEST, 1));
	/* Not registered for the client. */
	CHECK(refused("client_id=one&response_type=id_token&scope=openid"
	    "&nonce=n-1" STATE, OERR_UNAUTHORIZED_CLIENT, 1));
	CHECK(refused("client_id=one&response_type=code&request=x" STATE,
	    OERR_REQUEST_NOT_SUPPORTED, 1));
	down();
}

/* state, scope and nonce. */
static void
state_scope_nonce(void)
{
	up();
	CHECK(refused("client_id=one&response_type=code",
	    OERR_INVALID_STATE, 1));
	CHECK(refused("client_id=one&response_type=code&state=1234567",
	    OERR_INVALID_STATE, 1));
	CHECK(refused("client_id=one&response_type=code&scope=openid+admin"
	    STATE, OERR_INVALID_SCOPE, 1));
	/* Implicit and hybrid flows need a nonce (Core §3.2.2.1). */
	CHECK(refused("client_id=web&response_type=id_token&redirect_uri="
	    "https%3A%2F%2Frp.example%2Fcb&scope=openid" STATE,
	    OERR_INVALID_REQUEST, 1));
	CHECK(refused("client_id=web&response_type=code+id_token&"
	    "redirect_uri=https%3A%2F%2Frp.example%2Fcb&scope=openid" STATE,
	    OERR_INVALID_REQUEST, 1));
	CHECK(refused("client_id=web&response_type=id_token&redirect_uri="
	    "https%3A%2F%2Frp.example%2Fcb&nonce=n-1" STATE,
	    OERR_INVALID_SCOPE, 1));
	/* The code flow does without. */
	CHECK(accepted("client_id=one&response_type=code&scope=openid"
	    STATE));
	/* PKCE: public clients must; only S256. */
	CHECK(refused("client_id=pub&response_type=code" STATE,
	    OERR_INVALID_REQUEST, 1));
	CHECK(refused("client_id=pub&response_type=code&code_challenge="
	    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" STATE,
	    OERR_INVALID_REQUEST, 1));
	CHECK(accepted("client_id=pub&response_type=code&code_challenge="
	    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&"
	    "code_challenge_method=S256" STATE));
	down();
}

/* prompt and max_age values. */
static void
prompt_max_age(void)
{
	struct oauthorize	 a;
	struct oerr		 err;

	up();
	CHECK(refused("client_id=one&response_type=code&prompt=none+login"
	    STATE, OERR_INVALID_REQUEST, 1));
	CHECK(refused("client_id=one&response_type=code&prompt=maybe"
	    STATE, OERR_INVALID_REQUEST, 1));
	CHECK(refused("client_id=one&response_type=code&max_age=soon"
	    STATE, OERR_INVALID_REQUEST, 1));
	CHECK(refused("client_id=one&response_type=code&max_age=-1"
	    STATE, OERR_INVALID_REQUEST, 1));
	CHECK(validate("client_id=one&response_type=code&max_age=60&"
	    "prompt=login+consent" STATE, &a, &err));
	CHECK(a.r.max_age == 60);
	CHECK(a.r.prompt == (OFSTATE_PROMPT_LOGIN | OFSTATE_PROMPT_CONSENT));
	oauthorize_free(&a);
	CHECK(validate("client_id=one&response_type=code" STATE, &a, &err));
	CHECK(a.r.max_age == -1 && a.r.prompt == 0);
	oauthorize_free(&a);
	down();
}

/*
 * A client's default_max_age is the max_age of its requests that carry
 * none (OpenID Connect Registration §2); a request's own wins; 0 is none.
 */
static void
default_max_age(void)
{
	struct oauthorize	 a;
	struct oerr		 err;

	up();
	add_client("{\"client_id\": \"aged\", \"redirect_uris\": "
	    "[\"https://aged.example/cb\"], \"scope\": \"openid\", "
	    "\"default_max_age\": 300}");
	add_client("{\"client_id\": \"huge\", \"redirect_uris\": "
	    "[\"https://huge.example/cb\"], \"scope\": \"openid\", "
	    "\"default_max_age\": 99999999999}");
	CHECK(validate("client_id=aged&response_type=code" STATE, &a, &err));
	CHECK(a.r.max_age == 300);
	oauthorize_free(&a);
	CHECK(validate("client_id=aged&response_type=code&max_age=5" STATE,
	    &a, &err));
	CHECK(a.r.max_age == 5);
	oauthorize_free(&a);
	CHECK(validate("client_id=aged&response_type=code&max_age=0" STATE,
	    &a, &err));
	CHECK(a.r.max_age == 0);
	oauthorize_free(&a);
	/* Capped to what a sealed request holds. */
	CHECK(validate("client_id=huge&response_type=code" STATE, &a, &err));
	CHECK(a.r.max_age == 0x7fffffffLL);
	oauthorize_free(&a);
	/* The record's default, 0: none. */
	CHECK(validate("client_id=one&response_type=code" STATE, &a, &err));
	CHECK(a.r.max_age == -1);
	oauthorize_free(&a);
	down();
}

/* The login challenge: prompt=none needs a session that will do. */
static void
start(void)
{
	struct oauthorize	 a;
	struct osessions_rec	 s;
	struct oerr		 err;
	char			 csrf[44], *ch;
	json_t			*st;

	up();
	memset(&s, 0, sizeof(s));
	s.sid = "sid-1";
	s.sub = "alice";
	s.auth_time = onow() - 120;
	s.exp = onow() + 3600;
	CHECK(validate("client_id=one&response_type=code&prompt=none" STATE,
	    &a, &err));
	CHECK(oauthorize_start(&a, NULL, "https://x/", csrf, &err) == NULL);
	CHECK(err.code == OERR_LOGIN_REQUIRED);
	oerr_clear(&err);
	CHECK((ch = oauthorize_start(&a, &s, "https://x/", csrf, &err)) !=
	    NULL);
	st = ch != NULL ? oflow_open(OFLOW_LOGIN, ch, &err) : NULL;
	CHECK(json_is_true(json_object_get(st, "skip")));
	CHECK_STR(ojson_str(st, "sid"), "sid-1");
	CHECK_STR(ojson_str(st, "subject"), "alice");
	CHECK_STR(ojson_str(st, "csrf"), csrf);
	json_decref(st);
	free(ch);
	oauthorize_free(&a);
	/* max_age: a login two minutes old is too old for 60 seconds. */
	CHECK(validate("client_id=one&response_type=code&prompt=none&"
	    "max_age=60" STATE, &a, &err));
	CHECK(oauthorize_start(&a, &s, "https://x/", csrf, &err) == NULL);
	CHECK(err.code == OERR_LOGIN_REQUIRED);
	oauthorize_free(&a);
	/* Without prompt=none: a fresh login, a new sid kept. */
	CHECK(validate("client_id=one&response_type=code&max_age=60" STATE,
	    &a, &err));
	CHECK((ch = oauthorize_start(&a, &s, "https://x/", csrf, &err)) !=
	    NULL);
	st = ch != NULL ? oflow_open(OFLOW_LOGIN, ch, &err) : NULL;
	CHECK(json_is_false(json_object_get(st, "skip")));
	CHECK_STR(ojson_str(st, "sid"), "sid-1");
	CHECK(json_object_get(st, "subject") == NULL);
	json_decref(st);
	free(ch);
	oauthorize_free(&a);
	down();
}

/* The browser's CSRF cookie in the tests: this value or none. */
static const char	*cookie_csrf;

static int
csrf_ok(void *arg, const char *kind, const char *client_id,
    const char *want)
{
	CHECK_STR(client_id, "web");
	return cookie_csrf != NULL && want != NULL &&
	    strcmp(cookie_csrf, want) == 0;
}

/* Begin with the query qs and the session cookie's sid. */
static int
begin(const char *qs, const char *sid, struct oauthorize_outcome *o)
{
	struct oparams	 p;
	struct oerr	 err;

	oerr_clear(&err);
	memset(o, 0, sizeof(*o));
	if (!oform_parse(&arena, qs, strlen(qs), &p, &err))
		return -1;
	return oauthorize_begin(&p, sid, "https://op/auth?x", o);
}

/* The value of name in the query of url (an arena string), or NULL. */
static const char *
query_param(const char *url, const char *name)
{
	struct oparams	 p;
	struct oerr	 err;
	const char	*q = strchr(url, '?');

	oerr_clear(&err);
	if (q == NULL || !oform_parse(&arena, q + 1, strlen(q + 1), &p,
	    &err))
		return NULL;
	return oparams_get(&p, name);
}

/* Answer the app's challenge ch of kind with body: the verifier. */
static const char *
app_accept(enum oflowapi_kind k, const char *ch, json_t *body,
    const char *name)
{
	struct oerr	 err;
	json_t		*st = NULL, *out = NULL;
	const char	*v = NULL;

	oerr_clear(&err);
	if (oflowapi_open(k, ch, &st, &out, &err) == OFLOWAPI_OK &&
	    oflowapi_accept(k, st, body, &out, &err) == OFLOWAPI_OK)
		v = query_param(ojson_str(out, "redirect_to"), name);
	json_decref(st);
	json_decref(out);
	json_decref(body);
	return v;
}

/* A new request: an error page, an error for the client, or login. */
static void
begin_outcome(void)
{
	struct oauthorize_outcome	 o;
	struct oerr			 err;
	json_t				*st;

	up();
	CHECK(begin("client_id=nobody&response_type=code", NULL, &o) == 0);
	CHECK(o.answer == OAUTHORIZE_SHOW_ERROR && o.params == NULL);
	oauthorize_outcome_free(&o);
	CHECK(begin("client_id=one&response_type=code&prompt=none" STATE,
	    NULL, &o) == 0);
	CHECK(o.answer == OAUTHORIZE_TO_CLIENT);
	CHECK_STR(ojson_str(o.params, "error"), "login_required");
	CHECK_STR(ojson_str(o.params, "state"), "abcdefgh");
	CHECK_STR(o.a.redirect_uri, "https://one.example/cb");
	oauthorize_outcome_free(&o);
	CHECK(begin("client_id=one&response_type=code" STATE, "sid-gone",
	    &o) == 1);
	CHECK(o.answer == OAUTHORIZE_TO_UI);
	CHECK_STR(o.ui_url, conf.url_login);
	CHECK_STR(o.param, "login_challenge");
	CHECK_STR(o.csrf_kind, "login");
	CHECK(o.session == OAUTHORIZE_SESSION_KEEP);
	oerr_clear(&err);
	st = o.challenge != NULL ? oflow_open(OFLOW_LOGIN, o.challenge,
	    &err) : NULL;
	CHECK_STR(ojson_str(st, "csrf"), o.csrf);
	CHECK_STR(ojson_str(st, "request_url"), "https://op/auth?x");
	CHECK(json_is_false(json_object_get(st, "skip")));
	json_decref(st);
	oauthorize_outcome_free(&o);
	down();
}

/* Login and consent verifiers: checked, then on to consent, then code. */
static void
steps(void)
{
	struct oauthorize_outcome	 o;
	struct oerr			 err;
	const char			*v;
	char				 csrf[44];

	up();
	oerr_clear(&err);
	CHECK(okeys_ensure_defaults(&err));
	CHECK(begin("client_id=web&response_type=code&scope=openid&"
	    "redirect_uri=https%3A%2F%2Frp.example%2Fcb" STATE, NULL,
	    &o) == 1);
	snprintf(csrf, sizeof(csrf), "%s", o.csrf);
	v = app_accept(OFLOWAPI_LOGIN, o.challenge, json_pack("{s:s,s:b,"
	    "s:i}", "subject", "alice", "remember", 1, "remember_for", 3600),
	    "login_verifier");
	CHECK(v != NULL);
	oauthorize_outcome_free(&o);
	/* A bad verifier is a page; another browser's, the client's error. */
	CHECK(oauthorize_after_login("junk", csrf_ok, NULL, &o) == 0);
	CHECK(o.answer == OAUTHORIZE_SHOW_ERROR && o.err.status == 400);
	oauthorize_outcome_free(&o);
	cookie_csrf = "other";
	CHECK(oauthorize_after_login(v, csrf_ok, NULL, &o) == 0);
	CHECK(o.answer == OAUTHORIZE_TO_CLIENT);
	CHECK(o.err.code == OERR_REQUEST_FORBIDDEN);
	CHECK_STR(ojson_str(o.params, "state"), "abcdefgh");
	CHECK(o.session == OAUTHORIZE_SESSION_KEEP);
	oauthorize_outcome_free(&o);
	cookie_csrf = csrf;
	CHECK(oauthorize_after_login(v, csrf_ok, NULL, &o) == 1);
	CHECK(o.answer == OAUTHORIZE_TO_UI);
	CHECK_STR(o.param, "consent_challenge");
	CHECK_STR(o.csrf_kind, "consent");
	CHECK(o.session == OAUTHORIZE_SESSION_SET && o.remember_for == 3600);
	CHECK(o.sid != NULL && *o.sid != '\0');
	snprintf(csrf, sizeof(csrf), "%s", o.csrf);
	v = app_accept(OFLOWAPI_CONSENT, o.challenge, json_pack("{s:[s]}",
	    "grant_scope", "openid"), "consent_verifier");
	CHECK(v != NULL);
	oauthorize_outcome_free(&o);
	CHECK(oauthorize_after_consent(v, csrf_ok, NULL, &o) == 1);
	CHECK(o.answer == OAUTHORIZE_TO_CLIENT && o.issued);
	CHECK(o.session_state);
	CHECK(ojson_str(o.params, "code")[0] != '\0');
	CHECK_STR(ojson_str(o.params, "state"), "abcdefgh");
	CHECK(json_object_get(o.params, "error") == NULL);
	oauthorize_outcome_free(&o);
	/* Once only. */
	CHECK(oauthorize_after_consent(v, csrf_ok, NULL, &o) == 0);
	CHECK(o.answer == OAUTHORIZE_TO_CLIENT && !o.issued);
	CHECK_STR(ojson_str(o.params, "error"), "invalid_request");
	oauthorize_outcome_free(&o);
	cookie_csrf = NULL;
	down();
}

/* A request as the previous build sealed it (json_t, its members). */
#define OLD_REQ "{\"client_id\": \"web\", \"redirect_uri\": " \
	"\"https://rp.example/cb\", \"state\": \"abcdefgh\", " \
	"\"response_type\": \"code id_token\", \"response_mode\": 2, " \
	"\"scope\": [\"openid\", \"offline\"], \"nonce\": \"n-1\", " \
	"\"prompt\": \"login consent\", \"max_age\": 60, \"audience\": " \
	"[\"api\"], \"code_challenge\": \"cc\", \"code_challenge_method\": " \
	"\"S256\", \"id_token_hint_claims\": {\"sub\": \"alice\"}, " \
	"\"login_hint\": \"al\", \"acr_values\": \"a b\", \"ui_locales\": " \
	"\"de\", \"display\": \"page\"}"

/* The request as a struct: every member decoded, encoded, refused. */
static void
req_codec(void)
{
	struct ofstate_req	 r, r2;
	struct oerr		 err;
	json_t			*j, *j2;
	static const char *const bad[] = {
	    "{\"client_id\": 1, \"redirect_uri\": \"u\", "
	    "\"response_type\": \"code\"}",
	    "{\"redirect_uri\": \"u\", \"response_type\": \"code\"}",
	    "{\"client_id\": \"c\", \"redirect_uri\": \"u\", "
	    "\"response_type\": \"code\", \"scope\": \"openid\"}",
	    "{\"client_id\": \"c\", \"redirect_uri\": \"u\", "
	    "\"response_type\": \"code\", \"max_age\": \"60\"}",
	    "{\"client_id\": \"c\", \"redirect_uri\": \"u\", "
	    "\"response_type\": \"code\", \"prompt\": \"maybe\"}",
	    "{\"client_id\": \"c\", \"redirect_uri\": \"u\", "
	    "\"response_type\": \"code\", \"response_mode\": 7}",
	    "{\"client_id\": \"c\", \"redirect_uri\": \"u\", "
	    "\"response_type\": \"code\", \"id_token_hint_claims\": []}",
	};
	static const char *const named[] = { "client_id", "client_id",
	    "scope", "max_age", "prompt", "response_mode",
	    "id_token_hint_claims" };
	size_t			 i;

	oerr_clear(&err);
	j = json_loads(OLD_REQ, 0, NULL);
	CHECK(ofstate_req_decode(j, &r, &err));
	CHECK_STR(r.client_id, "web");
	CHECK_STR(r.redirect_uri, "https://rp.example/cb");
	CHECK_STR(r.state, "abcdefgh");
	CHECK_STR(r.response_type, "code id_token");
	CHECK(r.response_mode == OAUTHORIZE_FORM_POST);
	CHECK(r.scope.n == 2 && strcmp(r.scope.v[1], "offline") == 0);
	CHECK_STR(r.nonce, "n-1");
	CHECK(r.prompt == (OFSTATE_PROMPT_LOGIN | OFSTATE_PROMPT_CONSENT));
	CHECK(r.max_age == 60);
	CHECK(r.audience.n == 1 && strcmp(r.audience.v[0], "api") == 0);
	CHECK_STR(r.code_challenge, "cc");
	CHECK_STR(r.code_challenge_method, "S256");
	CHECK_STR(ojson_str(r.id_token_hint_claims, "sub"), "alice");
	CHECK_STR(r.login_hint, "al");
	CHECK_STR(r.acr_values, "a b");
	CHECK_STR(r.ui_locales, "de");
	CHECK_STR(r.display, "page");
	/* Encoded, it is the JSON it came from. */
	j2 = ofstate_req_json(&r);
	CHECK(json_equal(j, j2));
	CHECK(ofstate_req_decode(j2, &r2, &err));
	CHECK(r2.prompt == r.prompt && r2.max_age == 60);
	ofstate_req_free(&r2);
	json_decref(j2);
	ofstate_req_free(&r);
	json_decref(j);
	/* The least: no state, no prompt, max_age none. */
	j = json_loads("{\"client_id\": \"c\", \"redirect_uri\": \"u\", "
	    "\"response_type\": \"code\"}", 0, NULL);
	CHECK(ofstate_req_decode(j, &r, &err));
	CHECK(r.state == NULL && r.prompt == 0 && r.max_age == -1 &&
	    r.scope.n == 0 && r.id_token_hint_claims == NULL);
	ofstate_req_free(&r);
	json_decref(j);
	/* Damaged: refused, naming the member. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		oerr_clear(&err);
		j = json_loads(bad[i], 0, NULL);
		CHECK(!ofstate_req_decode(j, &r, &err));
		CHECK(err.code == OERR_INVALID_REQUEST);
		CHECK(strstr(err.description, named[i]) != NULL);
		ofstate_req_free(&r);
		json_decref(j);
	}
	oerr_clear(&err);
	CHECK(!ofstate_req_decode(NULL, &r, &err));
	CHECK(strstr(err.description, "req") != NULL);
	ofstate_req_free(&r);
}

/* A login verifier sealed by the previous build restores. */
static void
restore_old(void)
{
	struct ofstate_login	 l;
	struct oauthorize	 a;
	struct oerr		 err;
	json_t			*st;
	char			*v;

	up();
	oerr_clear(&err);
	st = json_pack("{s:s,s:I,s:I,s:s,s:o,s:s,s:b,s:s,s:s,s:{s:s,s:b,"
	    "s:i,s:s,s:i,s:[s],s:{}}}", "id", "id-1", "exp",
	    (json_int_t)(onow() + 60), "requested_at", (json_int_t)onow(),
	    "csrf", "c-1", "req", json_loads(OLD_REQ, 0, NULL),
	    "request_url", "https://op/auth?x", "skip", 0, "sid", "sid-1",
	    "app", "http://127.0.0.1:4444/ui/login", "login", "subject",
	    "alice", "remember", 1, "remember_for", 60, "acr", "1",
	    "auth_time", 5, "amr", "pwd", "context");
	v = oflow_seal(OFLOW_LOGIN_VERIFIER, st);
	CHECK(ofstate_login_open(OFLOW_LOGIN_VERIFIER, v, &l, &err));
	CHECK(l.has_login && !l.has_error && l.login.remember);
	CHECK_STR(l.login.subject, "alice");
	CHECK(oauthorize_starts_session(&l));
	CHECK(oauthorize_restore(&l.req, &a, &err));
	CHECK(a.rt == (OAUTHORIZE_CODE | OAUTHORIZE_IDTOKEN));
	CHECK(a.mode == OAUTHORIZE_FORM_POST);
	CHECK_STR(a.redirect_uri, "https://rp.example/cb");
	CHECK_STR(a.state, "abcdefgh");
	CHECK(a.client != NULL && a.r.max_age == 60);
	oauthorize_free(&a);
	ofstate_login_free(&l);
	free(v);
	/* A damaged request is an error, not a crash. */
	json_object_set_new(json_object_get(st, "req"), "scope",
	    json_integer(1));
	v = oflow_seal(OFLOW_LOGIN_VERIFIER, st);
	CHECK(!ofstate_login_open(OFLOW_LOGIN_VERIFIER, v, &l, &err));
	CHECK(strstr(err.description, "'scope'") != NULL);
	ofstate_login_free(&l);
	free(v);
	json_decref(st);
	down();
}

static const struct t_case tests[] = {
	T(response_bits), T(untrusted), T(redirect_uris), T(types_modes),
	T(state_scope_nonce), T(prompt_max_age), T(default_max_age),
	T(start), T(begin_outcome),
	T(steps), T(req_codec), T(restore_old),
};

int
main(void)
{
	int	 rc;

	oarena_init(&arena);
	conf.issuer = "http://127.0.0.1:4444/";
	conf.url_login = "http://127.0.0.1:4444/ui/login";
	conf.url_consent = "http://127.0.0.1:4444/ui/consent";
	conf.ttl_access_token = 3600;
	conf.ttl_id_token = 3600;
	conf.ttl_auth_code = 600;
	conf.secrets[0] = secret;
	conf.nsecrets = 1;
	conf.ttl_login_consent = 600;
	oconf = &conf;
	rc = t_run(tests, NTESTS);
	oconf = NULL;
	oarena_free(&arena);
	return rc;
}
