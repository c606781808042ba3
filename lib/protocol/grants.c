/*
 * grants.c: the rules of the token endpoint, token revocation, userinfo
 * and token housekeeping (see grants.h).
 */
#include <ctype.h>
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
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/flow.h"
#include "records/jti.h"
#include "records/keys.h"
#include "records/lifecycle.h"
#include "records/subject.h"
#include "records/tokens.h"
#include "protocol/clientauth.h"
#include "protocol/device.h"
#include "protocol/exchange.h"
#include "protocol/dpop.h"
#include "protocol/grants.h"
#include "protocol/trust.h"

#define FLUSH_BATCH	4096	/* records deleted per flush transaction */

/* A token request, carried into its write transaction. */
struct grant_op {
	const char		*type;		/* grant_type */
	struct oclientauth	*auth;
	const struct oparams	*p;
	unsigned char		 id[OTOKEN_ID_LEN]; /* code, refresh token */
	const char		*code;
	struct ocode		 sealed;	/* a sealed code, opened */
	int			 is_sealed;
	json_t			*scope;		/* requested, or NULL */
	struct ogrant		 grant;		/* client_credentials,
						   jwt-bearer */
	struct otrust_grant	 jb;		/* jwt-bearer's assertion */
	const struct odpop	*dpop;		/* its proof, or NULL */
	json_t			*resp;		/* the answer */
	/*
	 * A refusal that must still commit (a replay's revocation, the
	 * flush, the jti): answered after the transaction.
	 */
	struct oerr		 fail;
};

/* The default description of invalid_grant (RFC 6749 §5.2). */
#define BAD_GRANT	"The provided authorization grant (e.g., " \
	"authorization code, resource owner credentials) or refresh token " \
	"is invalid, expired, revoked, does not match the redirection URI " \
	"used in the authorization request, or was issued to another client."

/*
 * PKCE (RFC 7636 §4.6): the verifier against the code's challenge.
 * Returns 1, or 0 with invalid_grant in err.
 */
static int
pkce_ok(const struct ogrant *g, const char *verifier, struct oerr *err)
{
	const char	*challenge = g->code_challenge != NULL ?
			    g->code_challenge : "";
	unsigned char	 h[OCRYPTO_SHA256_LEN];
	char		 enc[64];
	size_t		 i, n;

	if (*challenge == '\0') {
		if (verifier != NULL) {
			oerr_set(err, OERR_INVALID_GRANT, BAD_GRANT);
			oerr_hint(err, "The PKCE code verifier was provided "
			    "but the authorization request had no code "
			    "challenge.");
			return 0;
		}
		return 1;
	}
	if (verifier == NULL) {
		oerr_set(err, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(err, "The PKCE code challenge was used in the "
		    "authorization request, so the code verifier is "
		    "required.");
		return 0;
	}
	/* RFC 7636 §4.1: 43 to 128 unreserved characters. */
	n = strlen(verifier);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)verifier[i]) &&
		    strchr("-._~", verifier[i]) == NULL)
			break;
	if (n < 43 || n > 128 || i != n) {
		oerr_set(err, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(err, "The PKCE code verifier must be 43 to 128 "
		    "characters of [A-Za-z0-9-._~].");
		return 0;
	}
	if (g->code_challenge_method == OGRANT_PKCE_S256) {
		ocrypto_sha256(verifier, n, h);
		if (!ocrypto_b64url_encode(enc, sizeof(enc), &n, h, sizeof(h)))
			n = 0;
		if (n > 0 && ocrypto_streq(enc, challenge))
			return 1;
	} else if (g->code_challenge_method != OGRANT_PKCE_S256 &&
	    ocrypto_streq(verifier, challenge))
		return 1;	/* RFC 7636 §4.3: plain is the default */
	oerr_set(err, OERR_INVALID_GRANT, BAD_GRANT);
	oerr_hint(err, "The PKCE code verifier does not match the code "
	    "challenge.");
	return 0;
}

/*
 * 1 if what would have deleted a stored code has voided the sealed code
 * c (tokens.h, SEALED CODES): its client deleted or its tokens voided
 * since (a new "_epoch"), its login session ended when logout revokes
 * tokens, or its consent revoked.
 */
static int
code_voided(struct ostore_txn *t, const struct ocode *c,
    const struct oclient *client)
{
	const struct ogrant	*g = &c->rec.grant;

	/* Another client's code is refused as such (code_grant()). */
	if (strcmp(g->client_id, client->id) != 0)
		return 0;
	if (strcmp(c->epoch, client->epoch) != 0)
		return 1;
	if (oconf != NULL && oconf->logout_revoke && g->sid != NULL &&
	    *g->sid != '\0' && oflow_session_ended(t, g->sid))
		return 1;
	return oflow_used(t, OFLOW_REVOKED_GRANT, g->request_id, NULL);
}

/*
 * authorization_code (RFC 6749 §4.1.3).  Returns 1 to commit (with the
 * response, or a refusal in op->fail), 0 to abort with err set.
 */
static int
code_grant(struct ostore_txn *t, struct grant_op *op,
    const struct oclient *client, struct oerr *err)
{
	struct otoken_rec	 rec;
	struct ogrant		 grant;
	struct oerr		 e;
	const char		*redirect = oclientauth_param(op->p,
				    "redirect_uri");
	int			 rc = 1, spend_sealed = 0;

	memset(&grant, 0, sizeof(grant));
	memset(&rec, 0, sizeof(rec));
	oerr_clear(&e);
	/*
	 * A stored code, or a spent sealed one's tombstone; else a sealed
	 * one not spent yet, as long as nothing voided it.
	 */
	if (otoken_load(t, op->id, &rec, &e)) {
		if (rec.kind != OTOKEN_CODE) {
			oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
			oerr_hint(&op->fail, "The authorization code is not "
			    "known.");
			goto out;
		}
	} else if (!op->is_sealed || e.code != OERR_NOT_FOUND) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The authorization code is not known.");
		goto out;
	} else if (code_voided(t, &op->sealed, client)) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The authorization code has been "
		    "revoked.");
		goto out;
	} else {
		/* A copy: the transaction may run again (store.h). */
		spend_sealed = 1;
		memcpy(rec.id, op->sealed.rec.id, OTOKEN_ID_LEN);
		rec.kind = OTOKEN_CODE;
		rec.active = 1;
		rec.iat = op->sealed.rec.iat;
		rec.exp = op->sealed.rec.exp;
		ogrant_copy(&rec.grant, &op->sealed.rec.grant);
	}
	/* Replay: the whole grant is revoked (RFC 6749 §4.1.2, §10.5). */
	if (!rec.active) {
		if (!otoken_revoke_request(t, rec.grant.request_id)) {
			oerr_set(err, OERR_SERVER_ERROR, "The grant could not "
			    "be revoked.");
			rc = 0;
			goto out;
		}
		oerr_set(&op->fail, OERR_INVALID_GRANT, "The authorization "
		    "code has already been used.");
		goto out;
	}
	if (!otoken_live(&rec, OTOKEN_CODE, onow())) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The authorization code has expired.");
		goto out;
	}
	if (strcmp(rec.grant.client_id, client->id) != 0) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The OAuth 2.0 Client ID from this "
		    "request does not match the one from the authorize "
		    "request.");
		goto out;
	}
	/* RFC 6749 §4.1.3: the same redirect_uri, if one was sent. */
	if (rec.grant.redirect_uri != NULL && *rec.grant.redirect_uri !=
	    '\0' && (redirect == NULL || strcmp(redirect,
	    rec.grant.redirect_uri) != 0)) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The 'redirect_uri' from this request "
		    "does not match the one from the authorize request.");
		goto out;
	}
	if (!pkce_ok(&rec.grant, oclientauth_param(op->p, "code_verifier"),
	    &op->fail))
		goto out;
	otoken_grant(&rec, &grant);
	/* RFC 9449 §10: a code bound by dpop_jkt wants a proof by its key. */
	if (grant.jkt != NULL && (op->dpop == NULL ||
	    strcmp(grant.jkt, op->dpop->jkt) != 0)) {
		oerr_set(&op->fail, OERR_INVALID_DPOP_PROOF, "The "
		    "authorization code is bound to a DPoP key (dpop_jkt) and "
		    "the request %s.", op->dpop == NULL ? "has no DPoP proof" :
		    "is proven with another key");
		goto out;
	}
	free(grant.jkt);
	grant.jkt = op->dpop != NULL ? oxstrdup(op->dpop->jkt) : NULL;
	if (!(spend_sealed ? ocode_spend(t, &rec, err) :
	    otoken_use(t, &rec, err)) ||
	    (op->resp = ogrant_issue(t, &grant, client, OISSUE_ACCESS |
	    OISSUE_REFRESH | OISSUE_IDTOKEN | OISSUE_DEFER, op->code,
	    "authorization_code", err)) == NULL)
		rc = 0;
out:
	otoken_rec_free(&rec);
	ogrant_free(&grant);
	return rc;
}

/* The bytes of a hex store id.  Returns 1, or 0 when malformed. */
static int
unhex_id(const char *hex, unsigned char id[OTOKEN_ID_LEN])
{
	size_t		 i;
	unsigned int	 hi, lo;

	if (strlen(hex) != 2 * OTOKEN_ID_LEN)
		return 0;
	for (i = 0; i < OTOKEN_ID_LEN; i++) {
		hi = (unsigned char)hex[2 * i];
		lo = (unsigned char)hex[2 * i + 1];
		if (!isxdigit(hi) || !isxdigit(lo))
			return 0;
		hi = isdigit(hi) ? hi - '0' : (unsigned)tolower(hi) - 'a' + 10;
		lo = isdigit(lo) ? lo - '0' : (unsigned)tolower(lo) - 'a' + 10;
		id[i] = (unsigned char)(hi << 4 | lo);
	}
	return 1;
}

/*
 * refresh_token (RFC 6749 §6, §10.4): single use with rotation, reuse
 * detection and Hydra 2.3's optional grace period
 * (fosite's flow_refresh.go).  Returns 1 to commit (with the response,
 * or a refusal in op->fail), 0 to abort with err set.
 */
static int
refresh_grant(struct ostore_txn *t, struct grant_op *op,
    const struct oclient *client, struct oerr *err)
{
	unsigned char		 aid[OTOKEN_ID_LEN];
	struct otoken_rec	 rec;
	struct ogrant		 rt_grant, grant;
	struct oerr		 e;
	json_t			*v;
	int64_t			 now = onow(), exp;
	size_t			 i;
	int			 rc = 1, grace = 0, same;

	memset(&rt_grant, 0, sizeof(rt_grant));
	memset(&grant, 0, sizeof(grant));
	oerr_clear(&e);
	if (!otoken_load(t, op->id, &rec, &e) ||
	    rec.kind != OTOKEN_REFRESH) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The refresh token is not known.");
		goto out;
	}
	same = strcmp(rec.grant.client_id, client->id) == 0;
	if (!rec.active) {
		/*
		 * Within the grace period a retry (a lost response) gets
		 * a new pair; otherwise this is a stolen token being
		 * replayed, and the whole chain goes.
		 */
		grace = same && oconf->refresh_grace > 0 && now <
		    rec.used_at + oconf->refresh_grace;
		if (!grace) {
			if (!otoken_revoke_request(t, rec.grant.request_id)) {
				oerr_set(err, OERR_SERVER_ERROR, "The grant "
				    "could not be revoked.");
				rc = 0;
				goto out;
			}
			oerr_set(&op->fail, OERR_INVALID_GRANT, "The refresh "
			    "token was already used.");
			goto out;
		}
	}
	/* A tombstone kept for its chain has its own exp in token_exp. */
	exp = rec.token_exp != 0 ? rec.token_exp : rec.exp;
	if (exp != 0 && now >= exp) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The refresh token has expired.");
		goto out;
	}
	if (!same) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The OAuth 2.0 Client ID from this "
		    "request does not match the ID during the initial token "
		    "issuance.");
		goto out;
	}
	/*
	 * OpenID Connect Core §12.2: a refreshed ID token SHOULD NOT
	 * have a nonce.  The refresh token keeps the scope first granted;
	 * the new access and ID tokens get the narrowed one (RFC 6749 §6).
	 */
	otoken_grant(&rec, &rt_grant);
	free(rt_grant.nonce);
	rt_grant.nonce = NULL;
	/*
	 * RFC 9449 §5: a bound refresh token (a public client's) needs a
	 * proof by the same key; the new tokens are bound to the proof's.
	 */
	if (rt_grant.jkt != NULL && (op->dpop == NULL ||
	    strcmp(rt_grant.jkt, op->dpop->jkt) != 0)) {
		oerr_set(&op->fail, OERR_INVALID_DPOP_PROOF, "The refresh "
		    "token is bound to a DPoP key and the request %s.",
		    op->dpop == NULL ? "has no DPoP proof" : "is proven with "
		    "another key");
		goto out;
	}
	free(rt_grant.jkt);
	rt_grant.jkt = op->dpop != NULL ? oxstrdup(op->dpop->jkt) : NULL;
	ogrant_copy(&grant, &rt_grant);
	if (op->scope != NULL) {
		json_array_foreach(op->scope, i, v)
			if (!ojson_strs_has(&rt_grant.scope,
			    json_string_value(v))) {
				oerr_set(&op->fail, OERR_INVALID_SCOPE, "The "
				    "requested scope is invalid, unknown, or "
				    "malformed.");
				oerr_hint(&op->fail, "The requested scope '%s' "
				    "was not granted to this refresh token.",
				    json_string_value(v));
				goto out;
			}
		ojson_strs_set(&grant.scope, op->scope);
	}
	/* The access token issued with this refresh token goes. */
	if (rec.access_id != NULL && unhex_id(rec.access_id, aid) &&
	    !otoken_delete(t, aid)) {
		oerr_set(err, OERR_SERVER_ERROR, "The old access token could "
		    "not be revoked.");
		rc = 0;
		goto out;
	}
	if ((!grace && !otoken_use(t, &rec, err)) ||
	    (op->resp = ogrant_issue_refresh(t, &grant, &rt_grant, client,
	    OISSUE_ACCESS | OISSUE_REFRESH | OISSUE_IDTOKEN | OISSUE_DEFER,
	    "refresh_token", err)) == NULL)
		rc = 0;
out:
	otoken_rec_free(&rec);
	ogrant_free(&rt_grant);
	ogrant_free(&grant);
	return rc;
}

/*
 * Check a client_credentials request (RFC 6749 §4.4) in fosite's order
 * and build its grant into op->grant: requested scope within the
 * client's scope, requested audience within its audience (both by
 * exact match), confidential clients only; sub is the client_id and
 * the grant a chain of its own.  For a jwt-bearer grant (RFC 7523
 * §2.1) sub is the assertion's, and public clients may use it.
 * Returns 1, or 0 with err set.
 */
static int
cc_prepare(const struct oparams *p, struct grant_op *op,
    const struct oclient *client, const char *sub, struct oerr *err)
{
	json_t		*aud = json_array(), *v;
	char		 rid[37];
	size_t		 i;
	int		 rc = 0;

	json_array_foreach(op->scope, i, v)
		if (!oclient_has_scope(client, json_string_value(v))) {
			oerr_set(err, OERR_INVALID_SCOPE, "The requested scope "
			    "is invalid, unknown, or malformed.");
			oerr_hint(err, "The OAuth 2.0 Client is not allowed to "
			    "request scope '%s'.", json_string_value(v));
			goto out;
		}
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, "audience") == 0 &&
		    !ojson_add_words(aud, p->v[i].value,
		    OGRANTS_AUDIENCES_MAX)) {
			oerr_set(err, OERR_INVALID_REQUEST, "The request has "
			    "more than %d audiences.", OGRANTS_AUDIENCES_MAX);
			goto out;
		}
	json_array_foreach(aud, i, v)
		if (!oclient_has_audience(client, json_string_value(v))) {
			oerr_set(err, OERR_INVALID_REQUEST, "The request is "
			    "missing a required parameter, includes an invalid "
			    "parameter value, includes a parameter more than "
			    "once, or is otherwise malformed.");
			oerr_hint(err, "Requested audience '%s' has not been "
			    "whitelisted by the OAuth 2.0 Client.",
			    json_string_value(v));
			goto out;
		}
	/* RFC 6749 §4.4.2: the client MUST authenticate. */
	if (sub == NULL && client->auth == OCLIENT_AUTH_NONE) {
		oerr_set(err, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(err, "The client is public and thus not allowed to "
		    "use grant type client_credentials.");
		goto out;
	}
	ocrypto_uuid4(rid);
	ogrant_free(&op->grant);
	op->grant.request_id = oxstrdup(rid);
	op->grant.client_id = oxstrdup(client->id);
	op->grant.sub = oxstrdup(sub != NULL ? sub : client->id);
	ojson_strs_set(&op->grant.scope, op->scope);
	ojson_strs_set(&op->grant.aud, aud);
	op->grant.requested_at = onow();
	op->grant.has = OGRANT_HAS_REQUESTED_AT;
	op->grant.session = json_pack("{s:{},s:{}}", "id_token",
	    "access_token");
	rc = 1;
out:
	json_decref(aud);
	return rc;
}

/*
 * Wipe the credentials of a token response, then free it: jansson owns
 * the strings and frees them unwiped otherwise.
 */
void
ogrants_response_free(json_t *resp)
{
	static const char *const creds[] = { "access_token",
	    "refresh_token", "id_token" };
	json_t	*v;
	size_t	 i;

	for (i = 0; i < sizeof(creds) / sizeof(creds[0]); i++)
		if ((v = json_object_get(resp, creds[i])) != NULL &&
		    json_is_string(v))
			ocrypto_wipe((char *)json_string_value(v),
			    json_string_length(v));
	json_decref(resp);
}

/* The write transaction of a token request. */
static int
token_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct grant_op	*op = arg;
	const struct oclient *client;
	struct oerr	 e;
	int		 rc;

	/* Run again from the start when the map grew. */
	ogrants_response_free(op->resp);
	op->resp = NULL;
	oerr_clear(&op->fail);
	oerr_clear(&e);
	if (!oclientauth_txn_begin(t, op->auth, err))
		return 0;
	if (op->dpop != NULL && !odpop_spend(t, op->dpop, err))
		return 0;
	/* Loaded again here: a client deleted meanwhile gets nothing. */
	if ((client = oclient_find(t, op->auth->id, &e)) == NULL) {
		oerr_set(err, e.code == OERR_NOT_FOUND ? OERR_INVALID_CLIENT :
		    e.code, "%s", e.description);
		return 0;
	}
	if (strcmp(op->type, OTRUST_GRANT_TYPE) == 0) {
		/* RFC 7523 §3 item 7: the assertion's jti, once. */
		if (!ojti_use(t, op->jb.jti, op->jb.jti_exp, &e)) {
			oerr_set(err, e.code == OERR_INVALID_CLIENT ?
			    OERR_INVALID_GRANT : e.code, "%s", e.code ==
			    OERR_INVALID_CLIENT ? "The assertion's 'jti' was "
			    "used already." : e.description);
			rc = 0;
		} else
			rc = (op->resp = ogrant_issue(t, &op->grant, client,
			    OISSUE_ACCESS, NULL, "jwt_bearer", err)) != NULL;
	} else if (strcmp(op->type, "authorization_code") == 0)
		rc = code_grant(t, op, client, err);
	else if (strcmp(op->type, "refresh_token") == 0)
		rc = refresh_grant(t, op, client, err);
	else if (strcmp(op->type, ODEVICE_GRANT) == 0)
		rc = odevice_token(t, op->code, client, op->dpop != NULL ?
		    op->dpop->jkt : NULL, &op->resp, &op->fail, err);
	else {
		/* Stateless when it can be (tokens.h). */
		switch (ogrant_issue_stateless(t, 1, &op->grant, client,
		    "client_credentials", &op->resp, err)) {
		case OGRANT_OK:
			rc = 1;
			break;
		case OGRANT_STORE:
			rc = (op->resp = ogrant_issue(t, &op->grant, client,
			    OISSUE_ACCESS, NULL, "client_credentials",
			    err)) != NULL;
			break;
		default:
			rc = 0;
			break;
		}
	}
	oclient_release(client);
	return rc;
}

/*
 * A token request (see grants.h): authenticate the client, check the
 * grant type and its parameters, then run the grant in one write
 * transaction (or none, for a stateless client_credentials token).
 */
json_t *
ogrants_token(struct oarena *arena, const struct oclientauth_in *in,
    struct oerr *err)
{
	static const char *const types[] = { "authorization_code",
	    "refresh_token", "client_credentials", OTRUST_GRANT_TYPE,
	    OEXCHANGE_GRANT, ODEVICE_GRANT, NULL };
	const struct oparams	*p = in->p;
	struct oclientauth	 auth;
	struct grant_op		 op;
	struct odpop		 dpop;
	struct ostore_txn	*t;
	const char		*type, *tok;
	json_t			*resp = NULL;
	enum ogrant_rc		 sl;
	size_t			 i;

	memset(&op, 0, sizeof(op));
	if (!oclientauth_check(arena, in, &auth, err))
		return NULL;
	if ((type = oclientauth_param(p, "grant_type")) == NULL)
		type = "";
	for (i = 0; types[i] != NULL && strcmp(types[i], type) != 0; i++)
		continue;
	if (types[i] == NULL) {
		oerr_set(err, OERR_UNSUPPORTED_GRANT_TYPE, "The authorization "
		    "grant type is not supported by the authorization "
		    "server.");
		oerr_hint(err, "The grant type '%.64s' is not supported.",
		    type);
		goto out;
	}
	if (!(auth.client->grant_types & oclient_grant_bit(type))) {
		oerr_set(err, OERR_UNAUTHORIZED_CLIENT, "The client is not "
		    "authorized to request a token using this method.");
		oerr_hint(err, "The OAuth 2.0 Client is not allowed to use "
		    "authorization grant '%s'.", type);
		goto out;
	}
	/* RFC 9449 §5: a proof, when sent, binds what is issued. */
	if (in->dpop != NULL) {
		if (!odpop_verify(in->dpop, "POST", in->dpop_htu != NULL ?
		    in->dpop_htu : "", NULL, onow(), &dpop, err))
			goto out;
		op.dpop = &dpop;
	} else if (auth.client->dpop_bound) {
		oerr_set(err, OERR_INVALID_DPOP_PROOF, "The OAuth 2.0 Client "
		    "is registered with dpop_bound_access_tokens, so the "
		    "request needs a DPoP proof.");
		goto out;
	}
	op.type = type;
	op.auth = &auth;
	op.p = p;
	if (oclientauth_param(p, "scope") != NULL) {
		op.scope = json_array();
		if (!ojson_add_words(op.scope, oclientauth_param(p, "scope"),
		    OGRANTS_SCOPES_MAX)) {
			oerr_set(err, OERR_INVALID_SCOPE, "The request has "
			    "more than %d scopes.", OGRANTS_SCOPES_MAX);
			goto out;
		}
	}
	/* RFC 8693: exchange.h. */
	if (strcmp(type, OEXCHANGE_GRANT) == 0) {
		resp = oexchange_token(arena, p, &auth, op.scope, op.dpop,
		    err);
		goto out;
	}
	if (strcmp(type, "authorization_code") == 0) {
		if ((tok = oclientauth_param(p, "code")) == NULL) {
			oerr_set(err, OERR_INVALID_REQUEST, "The request is "
			    "missing the required parameter 'code'.");
			goto out;
		}
		/* Sealed, or stored by an earlier version (tokens.h). */
		if ((op.is_sealed = ocode_open(tok, &op.sealed)))
			memcpy(op.id, op.sealed.rec.id, OTOKEN_ID_LEN);
		else if (!otoken_check(tok, OTOKEN_CODE, op.id)) {
			oerr_set(err, OERR_INVALID_GRANT, BAD_GRANT);
			oerr_hint(err, "The authorization code is malformed "
			    "or was not issued by this server.");
			goto out;
		}
		op.code = tok;
	} else if (strcmp(type, "refresh_token") == 0) {
		if ((tok = oclientauth_param(p, "refresh_token")) == NULL) {
			oerr_set(err, OERR_INVALID_REQUEST, "The request is "
			    "missing the required parameter 'refresh_token'.");
			goto out;
		}
		if (!otoken_check(tok, OTOKEN_REFRESH, op.id)) {
			oerr_set(err, OERR_INVALID_GRANT, BAD_GRANT);
			oerr_hint(err, "The refresh token is malformed or was "
			    "not issued by this server.");
			goto out;
		}
	} else if (strcmp(type, OTRUST_GRANT_TYPE) == 0) {
		if ((tok = oclientauth_param(p, "assertion")) == NULL) {
			oerr_set(err, OERR_INVALID_REQUEST, "The request is "
			    "missing the required parameter 'assertion'.");
			goto out;
		}
		if (op.scope == NULL)
			op.scope = json_array();
		if (!otrust_assertion_check(arena, tok, op.scope, auth.client,
		    &op.jb, err) ||
		    !cc_prepare(p, &op, auth.client, op.jb.sub, err))
			goto out;
		if (op.dpop != NULL)
			op.grant.jkt = oxstrdup(op.dpop->jkt);
	} else if (strcmp(type, ODEVICE_GRANT) == 0) {
		/* RFC 8628 §3.4 */
		if ((op.code = oclientauth_param(p, "device_code")) == NULL) {
			oerr_set(err, OERR_INVALID_REQUEST, "The request is "
			    "missing the required parameter 'device_code'.");
			goto out;
		}
	} else {
		if (op.scope == NULL)
			op.scope = json_array();
		if (!cc_prepare(p, &op, auth.client, NULL, err))
			goto out;
		if (op.dpop != NULL)
			op.grant.jkt = oxstrdup(op.dpop->jkt);
		/*
		 * No write at all for a stateless token (tokens.h) whose
		 * shared grant is stored: the client is as it authenticated,
		 * and a client deleted since voids the token anyway.  A jti
		 * to spend needs the write transaction below.
		 */
		if (!auth.has_jti && op.dpop == NULL) {
			/* Keys first when a JWT is signed here. */
			if (ogrant_jwt_access(auth.client) &&
			    !ogrant_prepare(err))
				goto out;
			if ((t = ostore_read_begin(err)) == NULL)
				goto out;
			sl = ogrant_issue_stateless(t, 0, &op.grant,
			    auth.client, "client_credentials", &op.resp, err);
			ostore_read_end(t);
			if (sl == OGRANT_ERR)
				goto out;
			if (sl == OGRANT_OK) {
				resp = op.resp;
				op.resp = NULL;
				goto out;
			}
		}
	}
	/*
	 * NOTE: KEYS ARE LOADED BEFORE THE WRITE TRANSACTION, and the ID
	 * token is signed after it (OISSUE_DEFER).
	 */
	if (!ogrant_prepare(err) || !ostore_write(token_fn, &op, err))
		goto out;
	if (oerr_isset(&op.fail)) {
		if (!oerr_isset(err))
			*err = op.fail;
		goto out;
	}
	if (!ogrant_finish(op.resp, err))
		goto out;
	resp = op.resp;
	op.resp = NULL;
out:
	oclientauth_free(&auth);
	json_decref(op.scope);
	ocode_free(&op.sealed);
	ogrant_free(&op.grant);
	ogrants_response_free(op.resp);
	return resp;
}

/* A revocation request, carried into its write transaction. */
struct revoke_op {
	struct oclientauth	*auth;
	const char		*tok;		/* as presented */
	unsigned char		 id[OTOKEN_ID_LEN];
	struct oerr		 fail;
};

/* The write transaction of a revocation request. */
static int
revoke_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct revoke_op	*op = arg;
	struct otoken_rec	 rec;
	struct oerr		 e;
	int			 rc = 1;

	oerr_clear(&op->fail);
	if (!oclientauth_txn_begin(t, op->auth, err))
		return 0;
	/* RFC 7009 §2.2: an unknown token is not an error. */
	oerr_clear(&e);
	if (!otoken_lookup(t, op->tok, op->id, &rec, &e))
		return 1;
	if (strcmp(rec.grant.client_id, op->auth->id) != 0) {
		oerr_set(&op->fail, OERR_UNAUTHORIZED_CLIENT, "The client is "
		    "not authorized to request a token using this method.");
		oerr_hint(&op->fail, "The OAuth 2.0 Client is not allowed to "
		    "revoke a token that was issued to another client.");
	} else if (!otoken_revoke(t, &rec)) {
		/* Both kinds, whichever was presented (Hydra). */
		oerr_set(err, OERR_SERVER_ERROR, "The token could not be "
		    "revoked.");
		rc = 0;
	}
	otoken_rec_free(&rec);
	return rc;
}

/*
 * The userinfo claims (OpenID Connect Core §5.3.2): sub, and the
 * consent's session.id_token claims that are not registered ID token
 * claims (Hydra leaves out nonce, at_hash, c_hash, exp, sid and jti;
 * here every registered claim is left out, sub comes from the grant).
 * A new object.
 */
static json_t *
userinfo_claims(const struct ogrant *g)
{
	static const char *const reserved[] = { "iss", "sub", "aud", "exp",
	    "iat", "nbf", "jti", "auth_time", "nonce", "at_hash", "c_hash",
	    "acr", "amr", "sid", "rat", "azp", NULL };
	json_t		*c, *v;
	const char	*k;
	size_t		 i;
	int		 skip;

	c = json_pack("{s:s}", "sub", g->sub);
	json_object_foreach(json_object_get(g->session, "id_token"), k, v) {
		for (skip = 0, i = 0; reserved[i] != NULL; i++)
			skip |= strcmp(k, reserved[i]) == 0;
		if (!skip)
			json_object_set(c, k, v);
	}
	return c;
}

/*
 * A revocation request (see grants.h).  token_type_hint is only a hint
 * (RFC 7009 §2.1): the prefix (or the JWT shape) tells the kind anyway.
 * Anything not ours is answered as revoked; an assertion's jti is spent
 * all the same.
 */
int
ogrants_revoke(struct oarena *arena, const struct oclientauth_in *in,
    struct oerr *err)
{
	struct oclientauth	 auth;
	struct revoke_op	 op;
	enum otoken_kind	 kind;
	int			 rc = 0;

	memset(&op, 0, sizeof(op));
	if (!oclientauth_check(arena, in, &auth, err))
		return 0;
	op.auth = &auth;
	if ((op.tok = oclientauth_param(in->p, "token")) == NULL)
		op.tok = "";
	if (otoken_identify(op.tok, &kind, op.id)) {
		if (!ostore_write(revoke_fn, &op, err))
			goto out;
		if (oerr_isset(&op.fail)) {
			if (!oerr_isset(err))
				*err = op.fail;
			goto out;
		}
	} else if (auth.has_jti && !ostore_write(revoke_fn, &op, err))
		goto out;
	rc = 1;
out:
	oclientauth_free(&auth);
	return rc;
}

/*
 * RFC 9449 §7.1 at a resource: the access token tok, bound to jkt (NULL:
 * a Bearer token), as the request dp presents it.  The proof's jti is
 * spent here.  Returns 1, or 0 with a 401 in err.
 */
static int
resource_dpop(const char *tok, const char *jkt, const struct odpop_req *dp,
    struct oerr *err)
{
	struct odpop	 d;

	if (jkt == NULL) {
		if (!dp->scheme)
			return 1;
		oerr_set(err, OERR_INVALID_TOKEN, "The access token is not "
		    "DPoP-bound, so it cannot be sent with the DPoP "
		    "authentication scheme.");
		return 0;
	}
	if (!dp->scheme) {
		oerr_set(err, OERR_INVALID_TOKEN, "The access token is "
		    "DPoP-bound: it must be sent with the DPoP authentication "
		    "scheme and a DPoP proof.");
		return 0;
	}
	if (!odpop_verify(dp->proof, dp->htm, dp->htu, tok, onow(), &d,
	    err))
		goto fail;
	if (strcmp(d.jkt, jkt) != 0) {
		oerr_set(err, OERR_INVALID_DPOP_PROOF, "The DPoP proof is "
		    "signed with another key than the one the access token "
		    "is bound to.");
		goto fail;
	}
	if (odpop_spend_now(&d, err))
		return 1;
fail:
	if (err->code == OERR_INVALID_DPOP_PROOF ||
	    err->code == OERR_USE_DPOP_NONCE)
		oerr_status(err, 401);
	return 0;
}

/*
 * The userinfo answer of an access token (see grants.h): the token
 * must be live, presented as its binding says, and its client must
 * still exist.
 */
int
ogrants_userinfo(struct oarena *arena, const char *tok,
    struct odpop_req *dp, json_t **claimsp, char **jwtp,
    struct oerr *err)
{
	struct ostore_txn	*t;
	const struct ojwk	*key;
	enum otoken_kind	 kind;
	unsigned char		 id[OTOKEN_ID_LEN];
	const struct oclient	*client = NULL;
	struct otoken_rec	 rec;
	json_t			*claims = NULL;
	struct oerr		 e;
	char			*payload, *psub;
	int			 rc = 0;

	*claimsp = NULL;
	*jwtp = NULL;
	memset(&rec, 0, sizeof(rec));
	oerr_clear(&e);
	if (!otoken_identify(tok, &kind, id)) {
		oerr_set(err, OERR_INVALID_TOKEN, "The access token is "
		    "malformed or was not issued by this server.");
		goto out;
	}
	if (kind != OTOKEN_ACCESS) {
		oerr_set(err, OERR_INVALID_TOKEN, "Only an access token can "
		    "be used here.");
		goto out;
	}
	if ((t = ostore_read_begin(err)) == NULL)
		goto out;
	if (!otoken_lookup(t, tok, id, &rec, &e) ||
	    !otoken_live(&rec, OTOKEN_ACCESS, onow())) {
		ostore_read_end(t);
		oerr_set(err, OERR_INVALID_TOKEN, "The access token has "
		    "expired or was revoked.");
		goto out;
	}
	oerr_clear(&e);
	client = oclient_find(t, rec.grant.client_id, &e);
	ostore_read_end(t);
	if (client == NULL) {
		oerr_set(err, OERR_INVALID_TOKEN, "The access token's client "
		    "no longer exists.");
		goto out;
	}
	dp->bound = rec.grant.jkt != NULL;
	if (!resource_dpop(tok, rec.grant.jkt, dp, err))
		goto out;
	claims = userinfo_claims(&rec.grant);
	/* The subject the client sees (OpenID Connect Core §8). */
	if ((psub = osubject_of(client, rec.grant.sub,
	    rec.grant.forced_sub)) == NULL) {
		oerr_set(err, OERR_SERVER_ERROR, "The pairwise subject cannot "
		    "be made: the client has no sector identifier.");
		goto out;
	}
	json_object_set_new(claims, "sub", json_string(psub));
	free(psub);
	if (client->userinfo_alg != OCLIENT_USERINFO_RS256) {
		*claimsp = claims;
		claims = NULL;
		rc = 1;
		goto out;
	}
	/* OpenID Connect Core §5.3.2: signed, with iss and aud. */
	json_object_set_new(claims, "iss", json_string(oconf->issuer));
	json_object_set_new(claims, "aud", json_pack("[s]", client->id));
	if ((key = okeys_signer(OKEYS_ID_TOKEN, err)) == NULL)
		goto out;
	payload = ojson_dump(arena, claims, NULL);
	if ((*jwtp = ojws_sign(key, "RS256", NULL, payload, strlen(payload),
	    err)) == NULL) {
		oerr_status(err, 500);
		goto out;
	}
	rc = 1;
out:
	otoken_rec_free(&rec);
	oclient_release(client);
	json_decref(claims);
	return rc;
}

/* One flush transaction: at most FLUSH_BATCH records. */
struct flush_op {
	int64_t	 not_after;
	size_t	 done;
};

static int
flush_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct flush_op	*op = arg;

	if (!olife_flush(t, op->not_after, FLUSH_BATCH, &op->done)) {
		oerr_set(err, OERR_SERVER_ERROR, "Expired records could not "
		    "be flushed.");
		return 0;
	}
	return 1;
}

/*
 * Flush what expired before not_after, FLUSH_BATCH records per write
 * transaction, until a batch is not full.
 */
int
ogrants_flush(int64_t not_after, struct oerr *err)
{
	struct flush_op	 op;

	op.not_after = not_after;
	op.done = 0;
	do {
		if (!ostore_write(flush_fn, &op, err))
			return 0;
	} while (op.done == FLUSH_BATCH);
	return 1;
}

/*
 * Delete the client's stored tokens and void its stateless ones
 * (tokens.h), in one transaction.
 */
static int
revoke_client_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct oerr	 e;

	oerr_clear(&e);
	if (!otoken_revoke_client(t, arg) ||
	    (!oclient_void_tokens(t, arg, &e) && e.code != OERR_NOT_FOUND)) {
		oerr_set(err, OERR_SERVER_ERROR, "The tokens could not be "
		    "deleted.");
		return 0;
	}
	return 1;
}

/* Every token of a client, revoked in one write transaction. */
int
ogrants_revoke_client(const char *client_id, struct oerr *err)
{
	return ostore_write(revoke_client_fn, (void *)client_id, err);
}
