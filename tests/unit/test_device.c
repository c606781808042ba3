/*
 * test_device.c: unit tests of lib/protocol/device.c and
 * lib/records/device.c without a web server: the device authorization
 * request (grant, scope and audience checks, the response), the device
 * challenge and its accept (wrong user codes counted and throttled,
 * a claimed code single use, a second accept 410), the device_code
 * grant (pending, slow_down, denied, approved, used, expired, another
 * client's code) and the flush of expired authorizations, against a
 * real LMDB store in a fresh directory with the default signing keys.
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
#include "base/url.h"
#include "base/util.h"
#include "store/store.h"
#include "records/device.h"
#include "records/lifecycle.h"
#include "records/tokens.h"
#include "protocol/authorize.h"
#include "protocol/clientauth.h"
#include "protocol/device.h"
#include "protocol/flowapi.h"
#include "protocol/grants.h"
#include "t.h"
#include "tfix.h"

static char		 secret_a[] = "device-secret-aaaaaaaaaaaaaaaaaa";
static char		 issuer[] = "https://op.example/";
static char		 verification[] = "https://op.example/ui/device";
static char		 success[] = "https://op.example/ui/device/done";
static char		 login_url[] = "https://op.example/ui/login";
static char		 consent_url[] = "https://op.example/ui/consent";
static struct oconf	 conf;
static struct oarena	 arena;

/* A device authorization for client cid with scope; NULL on refusal. */
static json_t *
device_auth(const char *cid, const char *scope, struct oerr *err)
{
	struct oclientauth_in	 in;

	tform_set("client_id", cid, "scope", scope, NULL);
	memset(&in, 0, sizeof(in));
	in.p = &tform;
	oerr_clear(err);
	return odevice_authorize(&arena, &in, err);
}

/* A token request of the device grant; NULL with err on refusal. */
static json_t *
poll(const char *cid, const char *dc, struct oerr *err)
{
	struct oclientauth_in	 in;

	tform_set("grant_type", ODEVICE_GRANT, "client_id", cid,
	    "device_code", dc, NULL);
	memset(&in, 0, sizeof(in));
	in.p = &tform;
	oerr_clear(err);
	return ogrants_token(&arena, &in, err);
}

/* The device_challenge of a verification URL (static). */
static const char *
challenge_of(const char *url)
{
	static char	 buf[4096];
	const char	*s = strstr(url, "device_challenge=");
	size_t		 n;

	if (s == NULL)
		return "";
	s += strlen("device_challenge=");
	n = strcspn(s, "&");
	snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
	return buf;
}

/* A new device challenge (static). */
static const char *
new_challenge(void)
{
	char		*u = odevice_verify_url(NULL);
	const char	*c = challenge_of(u);

	free(u);
	return c;
}

/* Accept challenge ch with user code uc. */
static enum oflowapi_rc
accept(const char *ch, const char *uc, json_t **out, struct oerr *err)
{
	json_t			*body;
	enum oflowapi_rc	 rc;

	body = json_pack("{s:s}", "user_code", uc);
	oerr_clear(err);
	*out = NULL;
	rc = odevice_accept(ch, body, NULL, out, err);
	json_decref(body);
	return rc;
}

/* Change the stored authorization of dc: its status and grant. */
struct change_op {
	const char		*dc;
	enum odevice_status	 status;
	int64_t			 exp;		/* 0: unchanged */
	int			 approve;
};

static int
change_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct change_op	*op = arg;
	struct odevice_rec	 r;
	char			 hex[ODEVICE_KEY_HEX];
	unsigned char		 key[ODEVICE_KEY_LEN];
	int			 ok;

	odevice_key(op->dc, key);
	if (odevice_load(t, key, &r, err) != OSTORE_OK)
		return 0;
	odevice_key_hex(key, hex);
	if (op->exp != 0)
		r.exp = op->exp;
	r.status = op->status;
	ok = odevice_save(t, &r, err);
	if (ok && op->approve) {
		struct ogrant	 g;

		memset(&g, 0, sizeof(g));
		g.request_id = oxstrdup("req-1");
		g.client_id = oxstrdup(r.client_id);
		g.sub = oxstrdup("alice");
		ojson_strs_add(&g.scope, "openid");
		ojson_strs_add(&g.scope, "offline_access");
		g.requested_at = onow();
		g.auth_time = onow();
		g.has = OGRANT_HAS_AUTH_TIME | OGRANT_HAS_REQUESTED_AT;
		ok = odevice_approve(t, hex, &g, err);
		ogrant_free(&g);
	}
	odevice_rec_free(&r);
	return ok;
}

static void
change(const char *dc, enum odevice_status status, int64_t exp,
    int approve)
{
	struct change_op	 op = { dc, status, exp, approve };

	CHECK(twrite(change_fn, &op));
}

static void
authorize_request(void)
{
	struct oerr	 err;
	json_t		*r;
	const char	*uc;
	size_t		 i;

	CHECK(device_auth("web", "openid", &err) == NULL &&
	    err.code == OERR_UNAUTHORIZED_CLIENT);
	CHECK(device_auth("tv", "openid admin", &err) == NULL &&
	    err.code == OERR_INVALID_SCOPE && strstr(err.hint, "admin"));
	CHECK(device_auth("nobody", "openid", &err) == NULL &&
	    err.code == OERR_INVALID_CLIENT);
	r = device_auth("tv", "openid offline_access", &err);
	CHECK(r != NULL);
	uc = sget(r, "user_code");
	CHECK(strlen(uc) == ODEVICE_USER_CODE_LEN);
	for (i = 0; uc[i] != '\0'; i++)
		CHECK(strchr("BCDFGHJKLMNPQRSTVWXZ", uc[i]) != NULL);
	CHECK_STR(sget(r, "verification_uri"),
	    "https://op.example/oauth2/device/verify");
	CHECK(strstr(sget(r, "verification_uri_complete"), uc) != NULL);
	CHECK(ojson_int(r, "expires_in") == 600);
	CHECK(ojson_int(r, "interval") == ODEVICE_INTERVAL);
	CHECK(strncmp(sget(r, "device_code"), "ory_dc_", 7) == 0);
	json_decref(r);
}

static void
poll_states(void)
{
	struct oerr	 err;
	json_t		*r, *tok;
	char		 dc[128];

	r = device_auth("tv", "openid offline_access", &err);
	snprintf(dc, sizeof(dc), "%s", sget(r, "device_code"));
	json_decref(r);
	CHECK(poll("tv", dc, &err) == NULL &&
	    err.code == OERR_AUTHORIZATION_PENDING && err.status == 400);
	CHECK(poll("tv", dc, &err) == NULL && err.code == OERR_SLOW_DOWN);
	CHECK(poll("tv2", dc, &err) == NULL &&
	    err.code == OERR_INVALID_GRANT);
	CHECK(poll("tv", "ory_dc_unknown", &err) == NULL &&
	    err.code == OERR_INVALID_GRANT);
	tform_set("grant_type", ODEVICE_GRANT, "client_id", "tv", NULL);
	{
		struct oclientauth_in in = { &tform, NULL, NULL, NULL, NULL };

		oerr_clear(&err);
		CHECK(ogrants_token(&arena, &in, &err) == NULL &&
		    named(&err, "device_code"));
	}
	/* Approved (as the consent step does): the tokens, once. */
	change(dc, ODEVICE_CLAIMED, 0, 1);
	tok = poll("tv", dc, &err);
	CHECK(tok != NULL && *sget(tok, "access_token") != '\0' &&
	    *sget(tok, "refresh_token") != '\0' &&
	    *sget(tok, "id_token") != '\0');
	ogrants_response_free(tok);
	CHECK(poll("tv", dc, &err) == NULL &&
	    err.code == OERR_INVALID_GRANT);

	/* Denied. */
	r = device_auth("tv", "openid", &err);
	snprintf(dc, sizeof(dc), "%s", sget(r, "device_code"));
	json_decref(r);
	change(dc, ODEVICE_DENIED, 0, 0);
	CHECK(poll("tv", dc, &err) == NULL &&
	    err.code == OERR_ACCESS_DENIED && err.status == 400);

	/* Expired; kept ODEVICE_KEEP to say so, then flushed. */
	r = device_auth("tv", "openid", &err);
	snprintf(dc, sizeof(dc), "%s", sget(r, "device_code"));
	json_decref(r);
	change(dc, ODEVICE_PENDING, onow() - 1, 0);
	CHECK(poll("tv", dc, &err) == NULL &&
	    err.code == OERR_EXPIRED_TOKEN);
	{
		unsigned char	 key[ODEVICE_KEY_LEN];

		odevice_key(dc, key);
		CHECK(tpresent(OSTORE_DEVICE, key, sizeof(key)));
		oerr_clear(&err);
		CHECK(ogrants_flush(onow() + ODEVICE_KEEP + 1, &err));
		CHECK(!tpresent(OSTORE_DEVICE, key, sizeof(key)));
	}
}

static void
accept_and_throttle(void)
{
	struct oerr		 err;
	json_t			*r, *out, *first;
	char			 uc[16], lower[16];
	const char		*ch;
	size_t			 i;
	int			 n;

	r = device_auth("tv", "openid", &err);
	snprintf(uc, sizeof(uc), "%s", sget(r, "user_code"));
	json_decref(r);
	ch = new_challenge();
	CHECK(*ch != '\0');
	CHECK(odevice_get(ch, &out, &err) == OFLOWAPI_OK &&
	    strcmp(sget(out, "challenge"), ch) == 0);
	json_decref(out);
	oerr_clear(&err);
	CHECK(odevice_get("forged", &out, &err) == OFLOWAPI_ERR &&
	    err.status == 404);
	oerr_clear(&err);
	CHECK(odevice_get("", &out, &err) == OFLOWAPI_ERR &&
	    named(&err, "device_challenge"));
	/* Missing and malformed bodies name user_code. */
	{
		json_t *b = J("{}");

		oerr_clear(&err);
		CHECK(odevice_accept(ch, b, NULL, &out, &err) ==
		    OFLOWAPI_ERR && named(&err, "user_code"));
		json_decref(b);
	}
	/* Wrong codes are counted; the sixth try is refused. */
	for (n = 0; n < ODEVICE_TRIES; n++)
		CHECK(accept(ch, "BBBBBBBB", &out, &err) == OFLOWAPI_ERR &&
		    named(&err, "user_code"));
	CHECK(accept(ch, uc, &out, &err) == OFLOWAPI_ERR &&
	    err.status == 429);
	/* A new challenge; the code as typed: lower case, a dash. */
	ch = new_challenge();
	for (i = 0; uc[i] != '\0'; i++)
		lower[i] = (char)(uc[i] | 0x20);
	lower[i] = '\0';
	{
		char typed[20];

		snprintf(typed, sizeof(typed), "%.4s-%s", lower, lower + 4);
		CHECK(accept(ch, typed, &out, &err) == OFLOWAPI_OK);
	}
	first = out;
	CHECK(strstr(sget(first, "redirect_to"),
	    "https://op.example/oauth2/device/verify?device_verifier=") ==
	    sget(first, "redirect_to") &&
	    strstr(sget(first, "redirect_to"), "&client_id=tv") != NULL);
	CHECK(accept(ch, uc, &out, &err) == OFLOWAPI_HANDLED &&
	    json_equal(out, first));
	json_decref(out);
	json_decref(first);
	/* Claimed: no other challenge takes the code. */
	ch = new_challenge();
	CHECK(accept(ch, uc, &out, &err) == OFLOWAPI_ERR &&
	    named(&err, "user_code"));
}

/* The query parameter name of url (static), or "". */
static const char *
param(const char *url, const char *name)
{
	static char	 buf[8192];
	char		 k[64];
	const char	*s;
	size_t		 n;

	snprintf(k, sizeof(k), "%s=", name);
	if ((s = strstr(url, k)) == NULL)
		return "";
	s += strlen(k);
	n = strcspn(s, "&");
	snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
	return buf;
}

/* The browser always holds the right CSRF cookie here. */
static int
csrf_yes(void *arg, const char *kind, const char *client_id,
    const char *want)
{
	return 1;
}

/*
 * A device flow through the login and consent steps (authorize.h),
 * the apps answering as the admin API does: allowed (1) or the consent
 * rejected (0).  Returns the device code's poll.
 */
static json_t *
whole_flow(int allow, struct oerr *err)
{
	struct oauthorize_outcome	 o;
	json_t				*r, *out, *body;
	char				 dc[128], uc[16], v[8192];

	r = device_auth("tv", "openid offline_access", err);
	snprintf(dc, sizeof(dc), "%s", sget(r, "device_code"));
	snprintf(uc, sizeof(uc), "%s", sget(r, "user_code"));
	json_decref(r);
	CHECK(accept(new_challenge(), uc, &out, err) == OFLOWAPI_OK);
	snprintf(v, sizeof(v), "%s", param(sget(out, "redirect_to"),
	    "device_verifier"));
	json_decref(out);
	/* The verifier starts the login step. */
	CHECK(odevice_begin(v, NULL, &o) == 1 &&
	    o.answer == OAUTHORIZE_TO_UI);
	body = J("{\"subject\":\"alice\"}");
	oerr_clear(err);
	CHECK(oflowapi_answer(OFLOWAPI_LOGIN, o.challenge, 1, body, NULL,
	    &out, err) == OFLOWAPI_OK);
	json_decref(body);
	oauthorize_outcome_free(&o);
	snprintf(v, sizeof(v), "%s", param(sget(out, "redirect_to"),
	    "login_verifier"));
	CHECK(strncmp(sget(out, "redirect_to"),
	    "https://op.example/oauth2/device/verify?", 40) == 0);
	json_decref(out);
	CHECK(oauthorize_after_login(v, csrf_yes, NULL, &o) == 1 &&
	    o.answer == OAUTHORIZE_TO_UI);
	body = allow ? J("{\"grant_scope\":[\"openid\","
	    "\"offline_access\"]}") : J("{\"error\":\"access_denied\"}");
	oerr_clear(err);
	CHECK(oflowapi_answer(OFLOWAPI_CONSENT, o.challenge, allow, body,
	    NULL, &out, err) == OFLOWAPI_OK);
	json_decref(body);
	oauthorize_outcome_free(&o);
	snprintf(v, sizeof(v), "%s", param(sget(out, "redirect_to"),
	    "consent_verifier"));
	json_decref(out);
	if (allow)
		CHECK(oauthorize_after_consent(v, csrf_yes, NULL, &o) == 1 &&
		    o.answer == OAUTHORIZE_TO_URL &&
		    strcmp(o.ui_url, "https://op.example/ui/device/done") == 0);
	else
		CHECK(oauthorize_after_consent(v, csrf_yes, NULL, &o) == 0 &&
		    o.answer == OAUTHORIZE_SHOW_ERROR);
	oauthorize_outcome_free(&o);
	/* A second consent verifier of the flow changes nothing. */
	CHECK(oauthorize_after_consent(v, csrf_yes, NULL, &o) == 0);
	oauthorize_outcome_free(&o);
	return poll("tv", dc, err);
}

static void
steps(void)
{
	struct oerr	 err;
	json_t		*tok;

	tok = whole_flow(1, &err);
	CHECK(tok != NULL && *sget(tok, "id_token") != '\0' &&
	    *sget(tok, "refresh_token") != '\0');
	ogrants_response_free(tok);
	CHECK(whole_flow(0, &err) == NULL && err.code == OERR_ACCESS_DENIED);
}

/* Deleting a client deletes its device authorizations. */
static void
client_deleted(void)
{
	struct oerr		 err;
	json_t			*r, *out;
	unsigned char		 key[ODEVICE_KEY_LEN], other[ODEVICE_KEY_LEN];
	char			 uc[16];

	r = device_auth("tv2", "openid", &err);
	odevice_key(sget(r, "device_code"), key);
	snprintf(uc, sizeof(uc), "%s", sget(r, "user_code"));
	json_decref(r);
	r = device_auth("tv", "openid", &err);
	odevice_key(sget(r, "device_code"), other);
	json_decref(r);
	CHECK(tpresent(OSTORE_DEVICE, key, sizeof(key)));
	oerr_clear(&err);
	CHECK(olife_client_delete("tv2", &err));
	CHECK(!tpresent(OSTORE_DEVICE, key, sizeof(key)));
	CHECK(tpresent(OSTORE_DEVICE, other, sizeof(other)));
	CHECK(accept(new_challenge(), uc, &out, &err) == OFLOWAPI_ERR &&
	    named(&err, "user_code"));
}

/* Fill the server-wide window of wrong user codes. */
static int
fill_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	char	 win[64];
	int	 i;

	snprintf(win, sizeof(win), "window:%lld",
	    (long long)(onow() / ODEVICE_WINDOW));
	for (i = 0; i < ODEVICE_WINDOW_FAILS; i++)
		if (!odevice_fail_add(t, win, onow() + ODEVICE_WINDOW, err))
			return 0;
	return 1;
}

/* Last: it leaves the window full. */
static void
server_window(void)
{
	struct oerr	 err;
	json_t		*r, *out;
	char		 uc[16];

	r = device_auth("tv", "openid", &err);
	snprintf(uc, sizeof(uc), "%s", sget(r, "user_code"));
	json_decref(r);
	CHECK(twrite(fill_fn, NULL));
	/* Even the right code, on a fresh challenge, waits for the hour. */
	CHECK(accept(new_challenge(), uc, &out, &err) == OFLOWAPI_ERR &&
	    err.status == 429 && strstr(err.description, "server") != NULL);
}

static void
verify_url(void)
{
	char	*u;

	u = odevice_verify_url("bcdf-ghjk");
	CHECK(strncmp(u, "https://op.example/ui/device?device_challenge=",
	    46) == 0 && strstr(u, "&user_code=BCDFGHJK") != NULL);
	free(u);
	/* Not a code: not passed on. */
	u = odevice_verify_url("<script>");
	CHECK(strstr(u, "user_code") == NULL);
	free(u);
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(authorize_request),
		T(poll_states),
		T(accept_and_throttle),
		T(verify_url),
		T(steps),
		T(client_deleted),
		T(server_window),
	};
	struct tfix_store	 st;
	int			 rc;

	conf.issuer = issuer;
	conf.url_device_verification = verification;
	conf.url_device_success = success;
	conf.url_login = login_url;
	conf.url_consent = consent_url;
	conf.secrets[0] = secret_a;
	conf.nsecrets = 1;
	conf.ttl_access_token = 3600;
	conf.ttl_refresh_token = 720 * 3600;
	conf.ttl_id_token = 3600;
	conf.ttl_auth_code = 600;
	conf.ttl_login_consent = 1800;
	conf.ttl_device_user_code = 600;
	conf.access_token_strategy = OCONF_TOKEN_OPAQUE;
	oconf = &conf;
	if (!tfix_store_keys(&st, "test_device"))
		return 1;
	tclient("{\"client_id\":\"tv\",\"token_endpoint_auth_method\":"
	    "\"none\",\"grant_types\":[\"" ODEVICE_GRANT "\","
	    "\"refresh_token\"],\"response_types\":[],"
	    "\"scope\":\"openid offline_access profile\"}");
	tclient("{\"client_id\":\"tv2\",\"token_endpoint_auth_method\":"
	    "\"none\",\"grant_types\":[\"" ODEVICE_GRANT "\"],"
	    "\"response_types\":[],\"scope\":\"openid\"}");
	tclient("{\"client_id\":\"web\",\"token_endpoint_auth_method\":"
	    "\"none\",\"grant_types\":[\"authorization_code\"],"
	    "\"response_types\":[\"code\"],\"scope\":\"openid\","
	    "\"redirect_uris\":[\"https://app.example/cb\"]}");
	oarena_init(&arena);
	rc = t_run(tests, NTESTS);
	oarena_free(&arena);
	if (!tfix_store_close(&st))
		rc = 1;
	return rc;
}
