/*
 * device.c: the Device Authorization Grant (RFC 8628; see device.h).
 * The device authorization is a record (records/device.h); the device
 * challenge and its verifier are sealed flow state (records/flow.h:
 * OFLOW_DEVICE, OFLOW_DEVICE_VERIFIER); the login and consent steps
 * in between are authorize.h's.
 */
#include <ctype.h>
#include <stdarg.h>
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
#include "base/util.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/device.h"
#include "records/flow.h"
#include "records/tokens.h"
#include "protocol/authorize.h"
#include "protocol/clientauth.h"
#include "protocol/device.h"
#include "protocol/flowapi.h"

/* RFC 8628 §6.1: no vowels, no look-alikes. */
static const char	alphabet[] = "BCDFGHJKLMNPQRSTVWXZ";
#define NALPHA		(sizeof(alphabet) - 1)

#define SCOPES_MAX	64
#define AUDIENCES_MAX	32
#define CREATE_TRIES	8

/* A new string formatted as printf(3) does. */
static char *
fmt(const char *f, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0)
		abort();
	s = oxmalloc((size_t)n + 1);
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

/* A new user code into uc (ODEVICE_USER_CODE_LEN letters, NUL). */
static void
user_code(char uc[ODEVICE_USER_CODE_LEN + 1])
{
	unsigned char	 b;
	size_t		 n = 0;

	/* Bytes of 240 and up are dropped: every letter equally likely. */
	while (n < ODEVICE_USER_CODE_LEN) {
		ocrypto_random(&b, 1);
		if (b >= 256 - 256 % NALPHA)
			continue;
		uc[n++] = alphabet[b % NALPHA];
	}
	uc[n] = '\0';
}

/*
 * A user code as typed, normalized (RFC 8628 §6.1: case and dashes and
 * spaces do not count) into uc.  Returns 1, or 0 when it cannot be one.
 */
static int
normalize(const char *in, char uc[ODEVICE_USER_CODE_LEN + 1])
{
	size_t	 n = 0;
	int	 ch;

	for (; *in != '\0'; in++) {
		if (*in == '-' || *in == ' ')
			continue;
		ch = toupper((unsigned char)*in);
		if (n == ODEVICE_USER_CODE_LEN || ch == '\0' ||
		    strchr(alphabet, ch) == NULL)
			return 0;
		uc[n++] = (char)ch;
	}
	uc[n] = '\0';
	return n == ODEVICE_USER_CODE_LEN;
}

/* The URL of a configured page, or the bundled one (issuer + def). */
static char *
page_url(const char *configured, const char *def)
{
	char	*u;

	if (configured != NULL)
		return oxstrdup(configured);
	u = fmt("%s%s", oconf != NULL ? oconf->issuer : "/",
	    def);
	return u;
}

/* The scope and audience a device authorization asks for, checked. */
static int
requested(const struct oparams *p, const struct oclient *client,
    json_t *scope, json_t *aud, struct oerr *err)
{
	json_t		*v;
	size_t		 i;

	if (!ojson_add_words(scope, oclientauth_param(p, "scope"),
	    SCOPES_MAX)) {
		oerr_set(err, OERR_INVALID_SCOPE, "The request has more than "
		    "%d scopes.", SCOPES_MAX);
		return 0;
	}
	json_array_foreach(scope, i, v)
		if (!oclient_has_scope(client, json_string_value(v))) {
			oerr_set(err, OERR_INVALID_SCOPE, "The requested scope "
			    "is invalid, unknown, or malformed.");
			oerr_hint(err, "The OAuth 2.0 Client is not allowed to "
			    "request scope '%.200s'.", json_string_value(v));
			return 0;
		}
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, "audience") == 0 &&
		    !ojson_add_words(aud, p->v[i].value, AUDIENCES_MAX)) {
			oerr_set(err, OERR_INVALID_REQUEST, "The request has "
			    "more than %d audiences.", AUDIENCES_MAX);
			return 0;
		}
	json_array_foreach(aud, i, v)
		if (!oclient_has_audience(client, json_string_value(v))) {
			oerr_set(err, OERR_INVALID_REQUEST, "The requested "
			    "audience '%.200s' has not been whitelisted by the "
			    "OAuth 2.0 Client.", json_string_value(v));
			return 0;
		}
	return 1;
}

/* A new device authorization, carried into its write transaction. */
struct create_op {
	const struct oclientauth *auth;
	struct odevice_rec	*rec;
};

static int
create_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct create_op	*op = arg;
	enum ostore_rc		 rc;
	int			 i;

	if (!oclientauth_txn_begin(t, op->auth, err))
		return 0;
	for (i = 0; i < CREATE_TRIES; i++) {
		user_code(op->rec->user_code);
		if ((rc = odevice_create(t, op->rec, err)) != OSTORE_EXISTS)
			return rc == OSTORE_OK;
	}
	oerr_set(err, OERR_SERVER_ERROR, "No free user code was found.");
	return 0;
}

json_t *
odevice_authorize(struct oarena *arena, const struct oclientauth_in *in,
    struct oerr *err)
{
	struct oclientauth	 auth;
	struct odevice_rec	 rec;
	struct create_op	 op;
	json_t			*scope = json_array();
	json_t			*aud = json_array();
	json_t			*resp = NULL;
	char			 dc[64], *verify = NULL;

	memset(&rec, 0, sizeof(rec));
	memset(&auth, 0, sizeof(auth));
	if (!oclientauth_check(arena, in, &auth, err))
		goto out;
	if (!(auth.client->grant_types & oclient_grant_bit(ODEVICE_GRANT))) {
		oerr_set(err, OERR_UNAUTHORIZED_CLIENT, "The client is not "
		    "authorized to request a token using this method.");
		oerr_hint(err, "The OAuth 2.0 Client is not allowed to use "
		    "authorization grant '%s'.", ODEVICE_GRANT);
		goto out;
	}
	if (!requested(in->p, auth.client, scope, aud, err))
		goto out;
	memcpy(dc, "ory_dc_", 7);
	ocrypto_token(dc + 7, sizeof(dc) - 7, 32);
	odevice_key(dc, rec.key);
	rec.client_id = oxstrdup(auth.client->id);
	ojson_strs_set(&rec.scope, scope);
	ojson_strs_set(&rec.aud, aud);
	rec.requested_at = onow();
	rec.exp = rec.requested_at + oconf->ttl_device_user_code;
	rec.interval = ODEVICE_INTERVAL;
	rec.status = ODEVICE_PENDING;
	op.auth = &auth;
	op.rec = &rec;
	if (!ostore_write(create_fn, &op, err))
		goto out;
	verify = fmt("%soauth2/device/verify", oconf->issuer);
	resp = json_pack("{s:s,s:s,s:s,s:s++,s:I,s:i}",
	    "device_code", dc, "user_code", rec.user_code,
	    "verification_uri", verify,
	    "verification_uri_complete", verify, "?user_code=",
	    rec.user_code,
	    "expires_in", (json_int_t)oconf->ttl_device_user_code,
	    "interval", ODEVICE_INTERVAL);
out:
	ocrypto_wipe(dc, sizeof(dc));
	free(verify);
	json_decref(scope);
	json_decref(aud);
	odevice_rec_free(&rec);
	oclientauth_free(&auth);
	return resp;
}

char *
odevice_verify_url(const char *typed)
{
	char		 id[37], uc[ODEVICE_USER_CODE_LEN + 1];
	char		*ch, *base, *u;
	json_t		*st;
	int64_t		 now = onow();

	ocrypto_uuid4(id);
	st = json_pack("{s:s,s:I,s:I}", "id", id, "exp",
	    (json_int_t)(now + oconf->ttl_login_consent), "requested_at",
	    (json_int_t)now);
	ch = oflow_seal(OFLOW_DEVICE, st);
	json_decref(st);
	base = page_url(oconf->url_device_verification, "ui/device");
	/* Only a code that can be one is passed on, for the page to show. */
	if (typed == NULL || !normalize(typed, uc))
		uc[0] = '\0';
	u = fmt("%s%sdevice_challenge=%s%s%s", base,
	    strchr(base, '?') != NULL ? "&" : "?", ch,
	    uc[0] != '\0' ? "&user_code=" : "", uc);
	free(base);
	free(ch);
	return u;
}

/*
 * Open a device challenge: its id into id (37 bytes) and expiry.  On
 * OFLOWAPI_HANDLED *out is {redirect_to} of its first answer.
 */
static enum oflowapi_rc
open_challenge(const char *challenge, char id[37], int64_t *exp,
    int64_t *requested_at, json_t **out, struct oerr *err)
{
	struct ostore_txn	*t;
	struct oflow_mark	 m;
	json_t			*st;
	const char		*s;
	int			 used = 0;

	*out = NULL;
	if (challenge == NULL || *challenge == '\0') {
		oerr_set(err, OERR_INVALID_REQUEST, "The query parameter "
		    "'device_challenge' is required.");
		return OFLOWAPI_ERR;
	}
	if ((st = oflow_open(OFLOW_DEVICE, challenge, err)) == NULL)
		return OFLOWAPI_ERR;
	if (strlen(s = ojson_str(st, "id")) != 36) {
		json_decref(st);
		oerr_set(err, OERR_INVALID_REQUEST, "The device challenge has "
		    "no 'id'.");
		return OFLOWAPI_ERR;
	}
	memcpy(id, s, 37);
	*exp = ojson_int(st, "exp");
	*requested_at = ojson_int(st, "requested_at");
	json_decref(st);
	memset(&m, 0, sizeof(m));
	if ((t = ostore_read_begin(err)) == NULL)
		return OFLOWAPI_ERR;
	used = oflow_used(t, OFLOW_DEVICE, id, &m);
	ostore_read_end(t);
	if (used) {
		*out = m.redirect_to != NULL ? json_pack("{s:s}",
		    "redirect_to", m.redirect_to) : json_object();
		oflow_mark_free(&m);
		return OFLOWAPI_HANDLED;
	}
	return OFLOWAPI_OK;
}

enum oflowapi_rc
odevice_get(const char *challenge, json_t **out, struct oerr *err)
{
	enum oflowapi_rc	 rc;
	char			 id[37], *url = NULL;
	int64_t			 exp, at;

	if ((rc = open_challenge(challenge, id, &exp, &at, out, err)) !=
	    OFLOWAPI_OK)
		return rc;
	url = fmt("%soauth2/device/verify", oconf->issuer);
	*out = json_pack("{s:s,s:s,s:[],s:[],s:n,s:n}",
	    "challenge", challenge, "request_url", url,
	    "requested_scope", "requested_access_token_audience",
	    "client", "handled_at");
	free(url);
	return OFLOWAPI_OK;
}

/* An accepted user code, carried into its write transaction. */
struct accept_op {
	const char	*id;		/* the challenge's */
	int64_t		 exp;		/* the challenge's */
	const char	*uc;		/* normalized */
	char		*redirect_to;	/* the answer (owned) */
	int		 handled;	/* answered already: redirect_to */
	struct oerr	 fail;		/* a refusal that commits */
};

/* The device verifier of rec (a new string). */
static char *
verifier(const struct odevice_rec *rec)
{
	char		 id[37], hex[ODEVICE_KEY_HEX], *v;
	json_t		*st;

	ocrypto_uuid4(id);
	odevice_key_hex(rec->key, hex);
	st = json_pack("{s:s,s:I,s:s,s:s,s:o,s:o}", "id", id,
	    "exp", (json_int_t)rec->exp, "device", hex,
	    "client_id", rec->client_id,
	    "scope", ojson_strs_json(&rec->scope),
	    "aud", ojson_strs_json(&rec->aud));
	v = oflow_seal(OFLOW_DEVICE_VERIFIER, st);
	json_decref(st);
	return v;
}

static int
accept_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct accept_op	*op = arg;
	struct odevice_rec	 rec;
	struct oflow_mark	 m;
	struct oarena		 a;
	unsigned char		 key[ODEVICE_KEY_LEN];
	enum ostore_rc		 rc;
	int64_t			 fails;
	char			*v, win[64];
	int			 ok = 0;

	free(op->redirect_to);
	op->redirect_to = NULL;
	op->handled = 0;
	oerr_clear(&op->fail);
	memset(&rec, 0, sizeof(rec));
	memset(&m, 0, sizeof(m));
	if (oflow_used(t, OFLOW_DEVICE, op->id, &m)) {
		op->handled = 1;
		op->redirect_to = m.redirect_to;
		return 1;
	}
	if (!odevice_fails(t, op->id, &fails, err))
		return 0;
	if (fails >= ODEVICE_TRIES) {
		oerr_set(err, OERR_INVALID_REQUEST, "Too many wrong user "
		    "codes were tried with this device challenge; start "
		    "again at /oauth2/device/verify.");
		oerr_status(err, 429);
		return 0;
	}
	/* New challenges are free: the server-wide window bounds them. */
	snprintf(win, sizeof(win), "window:%lld",
	    (long long)(onow() / ODEVICE_WINDOW));
	if (!odevice_fails(t, win, &fails, err))
		return 0;
	if (fails >= ODEVICE_WINDOW_FAILS) {
		oerr_set(err, OERR_INVALID_REQUEST, "Too many wrong user "
		    "codes were tried on this server in the last hour; try "
		    "again later.");
		oerr_status(err, 429);
		return 0;
	}
	rc = odevice_by_user_code(t, op->uc, key);
	if (rc == OSTORE_ERR) {
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return 0;
	}
	if (rc == OSTORE_OK && (rc = odevice_load(t, key, &rec, err)) ==
	    OSTORE_ERR)
		goto out;
	if (rc == OSTORE_NOTFOUND || rec.status != ODEVICE_PENDING ||
	    rec.exp <= onow()) {
		if (!odevice_fail_add(t, op->id, op->exp, err) ||
		    !odevice_fail_add(t, win, (onow() / ODEVICE_WINDOW + 1) *
		    ODEVICE_WINDOW + 60, err))
			goto out;
		/* As Hydra: a 400 invalid_request. */
		oerr_set(&op->fail, OERR_INVALID_REQUEST, "The 'user_code' is "
		    "not known, was used already or has expired.");
		oerr_hint(&op->fail, "The 'user_code' session could not be "
		    "found or has expired or is otherwise malformed.");
		ok = 1;
		goto out;
	}
	rec.status = ODEVICE_CLAIMED;
	v = verifier(&rec);
	/* As Hydra, the client_id beside the verifier. */
	oarena_init(&a);
	op->redirect_to = fmt("%soauth2/device/verify?"
	    "device_verifier=%s&client_id=%s", oconf->issuer, v,
	    oform_encode(&a, rec.client_id));
	oarena_free(&a);
	free(v);
	if (!odevice_save(t, &rec, err))
		goto out;
	if (oflow_use(t, OFLOW_DEVICE, op->id, op->exp, op->redirect_to) !=
	    OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		goto out;
	}
	ok = 1;
out:
	odevice_rec_free(&rec);
	return ok;
}

enum oflowapi_rc
odevice_accept(const char *challenge, const json_t *body,
    const struct oerr *body_err, json_t **out, struct oerr *err)
{
	struct accept_op	 op;
	enum oflowapi_rc	 rc;
	const char		*typed = NULL;
	char			 id[37], uc[ODEVICE_USER_CODE_LEN + 1];
	int64_t			 exp, at;

	memset(&op, 0, sizeof(op));
	if ((rc = open_challenge(challenge, id, &exp, &at, out, err)) !=
	    OFLOWAPI_OK)
		return rc;
	rc = OFLOWAPI_ERR;
	if (body == NULL) {
		if (body_err != NULL)
			*err = *body_err;
		else
			oerr_set(err, OERR_INVALID_REQUEST, "The request body "
			    "must be a JSON object.");
		goto out;
	}
	if (!json_is_object(body)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The request body must be "
		    "a JSON object.");
		goto out;
	}
	if (!ojson_get_str(body, "user_code", 64, OJSON_REQUIRED |
	    OJSON_NONEMPTY, &typed, err))
		goto out;
	op.id = id;
	op.exp = exp;
	op.uc = uc;
	if (!normalize(typed, uc))
		uc[0] = '\0';	/* no such code: counted as a failure */
	if (!ostore_write(accept_fn, &op, err))
		goto out;
	if (oerr_isset(&op.fail)) {
		*err = op.fail;
		goto out;
	}
	*out = op.redirect_to != NULL ? json_pack("{s:s}", "redirect_to",
	    op.redirect_to) : json_object();
	rc = op.handled ? OFLOWAPI_HANDLED : OFLOWAPI_OK;
out:
	free(op.redirect_to);
	return rc;
}

int
odevice_begin(const char *v, const char *cookie_sid,
    struct oauthorize_outcome *o)
{
	struct ofstate_req	 req;
	json_t			*st;
	const char		*hex, *cid;
	char			*url;
	int			 ok;

	memset(o, 0, sizeof(*o));
	oerr_clear(&o->err);
	if ((st = oflow_open(OFLOW_DEVICE_VERIFIER, v, &o->err)) == NULL) {
		oerr_status(&o->err, 400);
		o->answer = OAUTHORIZE_SHOW_ERROR;
		return 0;
	}
	if (*(hex = ojson_str(st, "device")) == '\0' ||
	    *(cid = ojson_str(st, "client_id")) == '\0') {
		json_decref(st);
		oerr_set(&o->err, OERR_INVALID_REQUEST, "The device verifier "
		    "is damaged.");
		o->answer = OAUTHORIZE_SHOW_ERROR;
		return 0;
	}
	memset(&req, 0, sizeof(req));
	req.client_id = oxstrdup(cid);
	req.redirect_uri = oxstrdup("");	/* none: authorize.h */
	req.response_type = oxstrdup(OAUTHORIZE_DEVICE_RT);
	req.state = oxstrdup(hex);
	req.max_age = -1;
	ojson_strs_set(&req.scope, json_object_get(st, "scope"));
	ojson_strs_set(&req.audience, json_object_get(st, "aud"));
	json_decref(st);
	url = fmt("%soauth2/device/verify?device_verifier=%s",
	    oconf->issuer, v);
	ok = oauthorize_begin_req(&req, cookie_sid, url, o);
	free(url);
	ofstate_req_free(&req);
	return ok;
}

int
odevice_token(struct ostore_txn *t, const char *device_code,
    const struct oclient *client, const char *jkt, json_t **resp,
    struct oerr *fail, struct oerr *err)
{
	struct odevice_rec	 rec;
	unsigned char		 key[ODEVICE_KEY_LEN];
	enum ostore_rc		 rc;
	int64_t			 now = onow();
	int			 ok = 1;

	odevice_key(device_code, key);
	if ((rc = odevice_load(t, key, &rec, err)) == OSTORE_ERR)
		return 0;
	if (rc == OSTORE_NOTFOUND ||
	    strcmp(rec.client_id, client->id) != 0) {
		oerr_set(fail, OERR_INVALID_GRANT, "The device code is not "
		    "known, or was issued to another client.");
		goto out;
	}
	if (rec.exp <= now) {
		oerr_set(fail, OERR_EXPIRED_TOKEN, "The device code has "
		    "expired; start a new device authorization.");
		goto out;
	}
	switch (rec.status) {
	case ODEVICE_USED:
		/* A replay: what it gave is revoked, as for a code (fosite). */
		if (rec.has_grant &&
		    !otoken_revoke_request(t, rec.grant.request_id)) {
			oerr_set(err, OERR_SERVER_ERROR, "The grant could not "
			    "be revoked.");
			ok = 0;
			break;
		}
		oerr_set(fail, OERR_INVALID_GRANT, "The device code has been "
		    "used already; the tokens it gave are revoked.");
		break;
	case ODEVICE_DENIED:
		oerr_set(fail, OERR_ACCESS_DENIED, "The end-user denied the "
		    "authorization request.");
		if (rec.error_description != NULL &&
		    *rec.error_description != '\0')
			oerr_hint(fail, "%s", rec.error_description);
		oerr_status(fail, 400);
		break;
	case ODEVICE_PENDING:
	case ODEVICE_CLAIMED:
		/* §3.5: polling faster than interval slows the device. */
		if (rec.last_poll != 0 && now - rec.last_poll < rec.interval) {
			rec.interval += ODEVICE_INTERVAL;
			oerr_set(fail, OERR_SLOW_DOWN, "The device is polling "
			    "too fast; wait %lld seconds between requests.",
			    (long long)rec.interval);
		} else
			oerr_set(fail, OERR_AUTHORIZATION_PENDING, "The "
			    "end-user has not answered the authorization "
			    "request yet.");
		rec.last_poll = now;
		ok = odevice_save(t, &rec, err);
		break;
	case ODEVICE_APPROVED:
		rec.status = ODEVICE_USED;
		rec.last_poll = now;
		if (jkt != NULL)
			rec.grant.jkt = oxstrdup(jkt);
		if (!odevice_save(t, &rec, err) ||
		    (*resp = ogrant_issue(t, &rec.grant, client,
		    OISSUE_ACCESS | OISSUE_REFRESH | OISSUE_IDTOKEN |
		    OISSUE_DEFER, NULL, "device_authorization", err)) == NULL)
			ok = 0;
		break;
	}
out:
	odevice_rec_free(&rec);
	return ok;
}
