/*
 * token.c: the token endpoint, token revocation and userinfo, on the
 * public listener.
 *
 *   POST /oauth2/token     RFC 6749 §3.2; grants authorization_code
 *                          (§4.1.3, RFC 7636 §4.6), refresh_token (§6),
 *                          client_credentials (§4.4) and RFC 8628's
 *                          device_code (§3.4)
 *   POST /token            the same, as Authentiq Connect serves it:
 *                          its Token schema adds expires_at
 *   POST /oauth2/revoke    RFC 7009
 *   POST /oauth2/par       RFC 9126: a pushed authorization request
 *   GET, POST /userinfo    OpenID Connect Core §5.3
 *   POST /oauth2/device/auth   RFC 8628 §3.1 (lib/protocol/device.h)
 *
 * Each handler parses the request, calls one function of
 * lib/protocol/grants.h (which authenticates the client,
 * lib/protocol/clientauth.h, and applies the rules) and answers.
 *
 * Every answer carries Cache-Control: no-store and Pragma: no-cache
 * (RFC 6749 §5.1), which the library adds on the public listener.
 */
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"
#include "jose/jose.h"
#include "records/clients.h"
#include "records/tokens.h"
#include "protocol/authentiq.h"
#include "protocol/clientauth.h"
#include "protocol/device.h"
#include "protocol/dpop.h"
#include "protocol/grants.h"
#include "protocol/par.h"
#include "protocol/reqobj.h"
#include "web/http.h"
#include "web/metrics.h"
#include "api.h"

/* Parameters of client authentication (RFC 6749 §2.3.1, RFC 7521 §4.2). */
#define AUTH_FIELDS \
	{ "client_id", OCLIENT_ID_MAX, OFIELD_ANY, OFIELD_ONCE }, \
	{ "client_secret", OCLIENT_SECRET_MAX, OFIELD_ANY, OFIELD_ONCE }, \
	{ "client_assertion", OJWS_MAX, OFIELD_VSCHAR, OFIELD_ONCE }, \
	{ "client_assertion_type", 256, OFIELD_VSCHAR, OFIELD_ONCE }

static const struct ofield token_fields[] = {
	{ "grant_type", 256, OFIELD_VSCHAR, OFIELD_REQUIRED | OFIELD_ONCE },
	{ "code", OCODE_MAX, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "redirect_uri", 2048, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "code_verifier", 128, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "refresh_token", OTOKEN_MAX, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "device_code", 128, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "scope", 4096, OFIELD_NQSCHAR, OFIELD_ONCE },
	{ "audience", 2048, OFIELD_VSCHAR, 0 },
	AUTH_FIELDS,
};

static const struct ofield device_fields[] = {
	{ "scope", 4096, OFIELD_NQSCHAR, OFIELD_ONCE },
	{ "audience", 2048, OFIELD_VSCHAR, 0 },
	{ "assertion", OJWS_MAX, OFIELD_VSCHAR, OFIELD_ONCE },	/* RFC 7523 */
	/* RFC 8693 §2.1 (lib/protocol/exchange.h) */
	{ "subject_token", OJWS_MAX, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "subject_token_type", 256, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "actor_token", OJWS_MAX, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "actor_token_type", 256, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "requested_token_type", 256, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "resource", 2048, OFIELD_VSCHAR, 0 },
	AUTH_FIELDS,
};
/*
 * RFC 9449 §8: a fresh DPoP-Nonce on every answer when nonces are
 * required (so a client has one before it is refused), and on a
 * use_dpop_nonce refusal.
 */
static void
dpop_nonce(struct oreq *req, const struct oerr *err)
{
	char	 nonce[ODPOP_NONCE_LEN + 1];

	if ((oconf->dpop_nonce || (err != NULL && err->code ==
	    OERR_USE_DPOP_NONCE)) && odpop_nonce(onow(), nonce))
		ohttp_header(req, "DPoP-Nonce", nonce);
}

static const struct ofield revoke_fields[] = {
	{ "token", OJWS_MAX, OFIELD_VSCHAR, OFIELD_REQUIRED | OFIELD_ONCE },
	{ "token_type_hint", 64, OFIELD_VSCHAR, OFIELD_ONCE },
	AUTH_FIELDS,
};

/* A pushed request: its own parameters are opar_push()'s to check. */
static const struct ofield par_fields[] = {
	{ "request", OREQOBJ_MAX, OFIELD_VSCHAR, OFIELD_ONCE },
	AUTH_FIELDS,
};

/*
 * Parse the form of a token or revocation request against fields and
 * its Basic credentials into in.  *basic says whether the request had
 * an Authorization header of that scheme (for the 401's
 * WWW-Authenticate).  Returns 1, or 0 with err set: a malformed Basic
 * header is invalid_client.
 */
static int
client_request(struct oreq *req, const struct ofield *fields,
    size_t nfields, struct oclientauth_in *in, int *basic,
    struct oerr *err)
{
	struct oerr	 e;

	memset(in, 0, sizeof(*in));
	*basic = 0;
	oerr_clear(&e);
	if ((in->p = ohttp_form(req, err)) == NULL ||
	    !oform_check(in->p, fields, nfields, err))
		return 0;
	switch (ohttp_basic(req, &in->basic_id, &in->basic_secret, &e)) {
	case OHTTP_AUTH_BAD:
		*basic = 1;
		oerr_set(err, OERR_INVALID_CLIENT, "%s", e.description);
		return 0;
	case OHTTP_AUTH_OK:
		*basic = 1;
		break;
	default:
		in->basic_id = in->basic_secret = NULL;
		break;
	}
	return 1;
}

/* Answer an error; 401s of Basic clients say how to authenticate. */
static void
send_error(struct oreq *req, int basic, const struct oerr *err)
{
	if (err->code == OERR_INVALID_CLIENT && basic)
		ohttp_header(req, "WWW-Authenticate", "Basic realm=\"oidcgi\"");
	ohttp_send_error(req, err);
}

/*
 * A token request to the endpoint at path (under the issuer) answered by
 * fn: ogrants_token() or an equivalent of the same contract.
 */
static void
token_by(struct oreq *req, const char *path, json_t *(*fn)(struct oarena *,
    const struct oclientauth_in *, struct oerr *))
{
	struct oerr		 err;
	struct oclientauth_in	 in;
	json_t			*resp;
	int			 basic;

	oerr_clear(&err);
	if (client_request(req, token_fields, sizeof(token_fields) /
	    sizeof(token_fields[0]), &in, &basic, &err)) {
		in.dpop = ohttp_env(req, "HTTP_DPOP");
		in.dpop_htu = oarena_printf(&req->arena, "%s%s",
		    oconf->issuer, path);
	}
	if (oerr_isset(&err) || (resp = fn(&req->arena, &in, &err)) ==
	    NULL) {
		dpop_nonce(req, &err);
		send_error(req, basic, &err);
		return;
	}
	dpop_nonce(req, NULL);
	ometrics_tokens(oparams_get(in.p, "grant_type"), resp);
	ohttp_send_json(req, 200, resp);
	ogrants_response_free(resp);
}

/* POST /oauth2/token */
static void
token(struct oreq *req)
{
	token_by(req, "oauth2/token", ogrants_token);
}

/* POST /oauth2/device/auth (RFC 8628 §3.1) */
static void
device_auth(struct oreq *req)
{
	struct oerr		 err;
	struct oclientauth_in	 in;
	json_t			*resp;
	int			 basic;

	oerr_clear(&err);
	if (!client_request(req, device_fields, sizeof(device_fields) /
	    sizeof(device_fields[0]), &in, &basic, &err) ||
	    (resp = odevice_authorize(&req->arena, &in, &err)) == NULL) {
		send_error(req, basic, &err);
		return;
	}
	ohttp_send_json(req, 200, resp);
	json_decref(resp);
}

/* POST /token (Authentiq Connect) */
static void
aq_token(struct oreq *req)
{
	token_by(req, "token", oauthentiq_token);
}

/* POST /oauth2/revoke (RFC 7009 §2.1) */
static void
revoke(struct oreq *req)
{
	struct oerr		 err;
	struct oclientauth_in	 in;
	int			 basic;

	oerr_clear(&err);
	if (!client_request(req, revoke_fields, sizeof(revoke_fields) /
	    sizeof(revoke_fields[0]), &in, &basic, &err) ||
	    !ogrants_revoke(&req->arena, &in, &err)) {
		send_error(req, basic, &err);
		return;
	}
	ohttp_send(req, 200, NULL, NULL, 0);
}

/* POST /oauth2/par (RFC 9126 §2): 201 with the request_uri */
static void
par(struct oreq *req)
{
	struct oerr		 err;
	struct oclientauth_in	 in;
	json_t			*resp;
	int			 basic;

	oerr_clear(&err);
	if (!client_request(req, par_fields, sizeof(par_fields) /
	    sizeof(par_fields[0]), &in, &basic, &err) ||
	    (resp = opar_push(&req->arena, &in, &err)) == NULL) {
		send_error(req, basic, &err);
		return;
	}
	ohttp_send_json(req, 201, resp);
	json_decref(resp);
}

/*
 * Answer a userinfo error with RFC 6750 §3's WWW-Authenticate: no error
 * code when the request had no token at all (§3.1).  RFC 9449 §7.1: a
 * request of the DPoP scheme or with a DPoP-bound token, or refused for
 * its proof, gets the DPoP challenge instead.
 */
static void
bearer_error(struct oreq *req, const struct oerr *err, int no_token,
    int dpop)
{
	const char	*algs = "";
	size_t		 i;

	for (i = 0; odpop_algs[i] != NULL; i++)
		algs = oarena_printf(&req->arena, "%s%s%s", algs, i > 0 ?
		    " " : "", odpop_algs[i]);
	dpop_nonce(req, err);
	if (dpop || err->code == OERR_INVALID_DPOP_PROOF ||
	    err->code == OERR_USE_DPOP_NONCE) {
		ohttp_header(req, "WWW-Authenticate", oarena_printf(
		    &req->arena, "DPoP error=\"%s\", error_description="
		    "\"%s\", algs=\"%s\"", oerr_name(err->code),
		    err->description, algs));
		ohttp_send_error(req, err);
		return;
	}
	if (no_token)
		ohttp_header(req, "WWW-Authenticate",
		    "Bearer realm=\"oidcgi\"");
	else
		ohttp_header(req, "WWW-Authenticate", oarena_printf(
		    &req->arena, "Bearer realm=\"oidcgi\", error=\"%s\", "
		    "error_description=\"%s\"", oerr_name(err->code),
		    err->description));
	ohttp_send_error(req, err);
}

/*
 * GET, POST /userinfo (OpenID Connect Core §5.3).  The access token
 * comes in the Authorization header (RFC 6750 §2.1) or, on POST, in
 * the form (§2.2).
 */
static void
userinfo(struct oreq *req)
{
	struct oerr		 err;
	struct odpop_req	 dp;
	const struct oparams	*p;
	const char		*tok = NULL, *ftok = NULL;
	enum ohttp_auth		 b;
	json_t			*claims = NULL;
	char			*jws = NULL;
	int			 no_token = 0;

	oerr_clear(&err);
	memset(&dp, 0, sizeof(dp));
	dp.proof = ohttp_env(req, "HTTP_DPOP");
	dp.htm = req->method == OHTTP_POST ? "POST" : "GET";
	dp.htu = oarena_printf(&req->arena, "%suserinfo", oconf->issuer);
	if ((b = ohttp_bearer(req, &tok, &err)) == OHTTP_AUTH_NONE &&
	    (b = ohttp_token_auth(req, "DPoP", &tok, &err)) != OHTTP_AUTH_NONE)
		dp.scheme = 1;
	if (b == OHTTP_AUTH_BAD)
		goto fail;
	if (req->method == OHTTP_POST) {
		if ((p = ohttp_form(req, &err)) == NULL)
			goto fail;
		ftok = oclientauth_param(p, "access_token");
	}
	if (b == OHTTP_AUTH_OK && ftok != NULL) {
		oerr_set(&err, OERR_INVALID_REQUEST, "The request sends the "
		    "access token in more than one way.");
		goto fail;
	}
	if (tok == NULL && (tok = ftok) == NULL) {
		no_token = 1;
		oerr_set(&err, OERR_INVALID_REQUEST, "The request has no "
		    "access token.");
		oerr_status(&err, 401);
		goto fail;
	}
	if (!ogrants_userinfo(&req->arena, tok, &dp, &claims, &jws, &err))
		goto fail;
	if (jws != NULL) {
		ohttp_send(req, 200, "application/jwt", jws, strlen(jws));
		ojose_free(jws);
	} else {
		ohttp_send_json(req, 200, claims);
		json_decref(claims);
	}
	return;
fail:
	if (err.code == OERR_INVALID_TOKEN || no_token ||
	    (err.code == OERR_INVALID_REQUEST && err.status == 400) ||
	    err.code == OERR_INVALID_DPOP_PROOF ||
	    err.code == OERR_USE_DPOP_NONCE)
		bearer_error(req, &err, no_token, dp.scheme || dp.bound);
	else
		ohttp_send_error(req, &err);
}

static const struct oroute routes[] = {
	{ OHTTP_M(POST), OLISTEN_PUBLIC, "/oauth2/token", token,
	    OROUTE_CORS },
	{ OHTTP_M(POST), OLISTEN_PUBLIC, "/token", aq_token, OROUTE_CORS },
	{ OHTTP_M(POST), OLISTEN_PUBLIC, "/oauth2/revoke", revoke,
	    OROUTE_CORS },
	{ OHTTP_M(POST), OLISTEN_PUBLIC, "/oauth2/par", par, OROUTE_CORS },
	{ OHTTP_M(POST), OLISTEN_PUBLIC, "/oauth2/device/auth", device_auth,
	    OROUTE_CORS },
	{ OHTTP_M(GET) | OHTTP_M(POST), OLISTEN_PUBLIC, "/userinfo",
	    userinfo, OROUTE_CORS },
};
const struct oroute_table token_table = OROUTE_TABLE(routes);
