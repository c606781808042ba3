/*
 * exchange.c: OAuth 2.0 Token Exchange, RFC 8693 (see exchange.h).
 */
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
#include "records/flow.h"
#include "records/jti.h"
#include "records/keys.h"
#include "records/tokens.h"
#include "protocol/clientauth.h"
#include "protocol/dpop.h"
#include "protocol/exchange.h"
#include "protocol/trust.h"

#define TARGETS_MAX	32	/* audience and resource values */

/*
 * Wipe the token of a response, then free it (the one ogrant_issue()
 * made holds one: an access or a refresh token).  NULL is fine.
 */
static void
resp_free(json_t *resp)
{
	static const char *const creds[] = { "access_token",
	    "refresh_token" };
	json_t	*v;
	size_t	 i;

	for (i = 0; i < sizeof(creds) / sizeof(creds[0]); i++)
		if (json_is_string(v = json_object_get(resp, creds[i])))
			ocrypto_wipe((char *)json_string_value(v),
			    json_string_length(v));
	json_decref(resp);
}

/* What a presented token is. */
enum tx_kind {
	TX_ACCESS,		/* an access token of ours (opaque or JWT) */
	TX_REFRESH,		/* a refresh token of ours */
	TX_IDTOKEN,		/* an ID token we signed */
	TX_TRUSTED		/* a JWT of a trusted issuer (trust.h) */
};

/* A subject or actor token, identified before the transaction. */
struct tx_token {
	const char	*name;		/* "subject_token", "actor_token" */
	const char	*tok;		/* as presented */
	enum tx_kind	 kind;
	unsigned char	 id[OTOKEN_ID_LEN];	/* TX_ACCESS, TX_REFRESH */
	json_t		*claims;	/* TX_IDTOKEN: verified claims */
	const char	*cid;		/* TX_IDTOKEN: its client */
	struct otrust_jwt trusted;	/* TX_TRUSTED: as verified */
	struct ogrant	 grant;		/* in the transaction: its grant */
};

/* A token exchange, carried into its write transaction. */
struct tx_op {
	const struct oclientauth *auth;
	const struct odpop *dpop;	/* the request's proof, or NULL */
	const json_t	*scope;		/* requested, or NULL */
	json_t		*targets;	/* audience and resource values */
	int		 refresh;	/* requested_token_type refresh_token */
	struct tx_token	 subject;
	struct tx_token	 actor;
	int		 has_actor;
	json_t		*resp;
	struct oerr	 fail;		/* a refusal, answered after the
					   transaction committed */
};

/*
 * The claims of an ID token this server signed and that is still
 * valid (signature with the ID-token keys, iss ours, exp required and
 * not passed, iat not in the future), its client (azp, else the first
 * audience) into *cid (borrowed from the claims).  Returns a new
 * reference, or NULL (not one, err untouched; *ours set when its
 * signature verified, so it is ours but no longer valid).
 */
static json_t *
idtoken_claims(const char *tok, const char **cid, int *ours)
{
	const struct ojwks	*keys;
	struct ojws		*jws;
	json_t			*claims = NULL, *aud;
	struct oerr		 e;

	oerr_clear(&e);
	*cid = NULL;
	*ours = 0;
	if ((keys = okeys_verifiers(OKEYS_ID_TOKEN, &e)) == NULL ||
	    (jws = ojws_verify(tok, strlen(tok), keys->keys, keys->nkeys,
	    NULL, &e)) == NULL)
		return NULL;
	*ours = 1;
	claims = ojwt_claims(jws, &e);
	ojws_free(jws);
	if (claims == NULL)
		return NULL;
	aud = json_object_get(claims, "aud");
	if (json_is_string(json_object_get(claims, "azp")))
		*cid = ojson_str(claims, "azp");
	else if (json_is_string(aud))
		*cid = json_string_value(aud);
	else
		*cid = json_string_value(json_array_get(aud, 0));
	if (*cid == NULL || **cid == '\0' || !ojson_has(aud, *cid) ||
	    !json_is_string(json_object_get(claims, "sub")) ||
	    !ojwt_check(claims, oconf->issuer, *cid, onow(), 0,
	    OJWT_REQUIRE_EXP, &e)) {
		*cid = NULL;
		json_decref(claims);
		return NULL;
	}
	return claims;
}

/* 1 if tok has the shape of a compact JWS: three parts. */
static int
jws_shaped(const char *tok)
{
	const char	*a, *b;

	return (a = strchr(tok, '.')) != NULL &&
	    (b = strchr(a + 1, '.')) != NULL && strchr(b + 1, '.') == NULL;
}

/*
 * Identify the token tx->tok of type type (the text after
 * OEXCHANGE_TT), outside any transaction: a jwt not of ours is
 * verified as a JWT of a trusted issuer (trust.h).  Returns 1, or 0
 * with err set: invalid_request for an unknown type or a jwt that is
 * no JWT, invalid_grant for a token that is not one of ours of that
 * type, an ID token of ours that expired, or a JWT no trust
 * relationship verifies.
 */
static int
identify(struct oarena *arena, struct tx_token *tx, const char *type,
    struct oerr *err)
{
	enum otoken_kind	 k;
	int			 jwt, ours;

	if (strncmp(type, OEXCHANGE_TT, strlen(OEXCHANGE_TT)) != 0)
		goto badtype;
	type += strlen(OEXCHANGE_TT);
	jwt = strcmp(type, "jwt") == 0;
	if (strcmp(type, "access_token") == 0 ||
	    strcmp(type, "refresh_token") == 0 || jwt) {
		/* A jwt is no opaque token ("ory_at_..."). */
		if ((!jwt || strncmp(tx->tok, "ory_", 4) != 0) &&
		    otoken_identify(tx->tok, &k, tx->id) &&
		    ((k == OTOKEN_ACCESS && *type != 'r') ||
		    (k == OTOKEN_REFRESH && *type == 'r'))) {
			tx->kind = k == OTOKEN_ACCESS ? TX_ACCESS : TX_REFRESH;
			return 1;
		}
		if (!jwt) {
			oerr_set(err, OERR_INVALID_GRANT, "The %s is not %s "
			    "issued by this server.", tx->name, *type == 'r' ?
			    "a refresh token" : "an access token");
			return 0;
		}
	} else if (strcmp(type, "id_token") != 0)
		goto badtype;
	if ((tx->claims = idtoken_claims(tx->tok, &tx->cid, &ours)) !=
	    NULL) {
		tx->kind = TX_IDTOKEN;
		return 1;
	}
	if (jwt && !ours && !jws_shaped(tx->tok)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The %s is not a JWT.",
		    tx->name);
		return 0;
	}
	if (jwt && !ours) {
		if (!otrust_jwt_verify(arena, tx->tok, tx->name, 0,
		    &tx->trusted, err))
			return 0;
		tx->kind = TX_TRUSTED;
		return 1;
	}
	oerr_set(err, OERR_INVALID_GRANT, "The %s is not a valid ID token "
	    "issued by this server (or it has expired).", tx->name);
	return 0;
badtype:
	oerr_set(err, OERR_INVALID_REQUEST, "The %s_type '%.128s' is not "
	    "supported: use %saccess_token, refresh_token, id_token or jwt.",
	    tx->name, type, OEXCHANGE_TT);
	return 0;
}

/*
 * The grant of an identified token into tx->grant, inside the
 * transaction: a stored (or stateless) token's must be live, an ID
 * token's login session must not have ended.  Returns 1; 0 with
 * invalid_grant in fail (the token is not live), or with a store
 * failure in err (*fatal set).
 */
static int
load_grant(struct ostore_txn *t, struct tx_token *tx, struct oerr *fail,
    struct oerr *err, int *fatal)
{
	struct otoken_rec	 rec;
	struct oerr		 e;
	json_t			*v;
	const char		*sid;

	ogrant_free(&tx->grant);
	if (tx->kind == TX_TRUSTED) {
		/*
		 * Its sub, within its trust relationship's scope; no client
		 * of ours, no audience, no login session.
		 */
		tx->grant.sub = oxstrdup(tx->trusted.sub);
		ojson_strs_set(&tx->grant.scope, tx->trusted.scope);
		return 1;
	}
	if (tx->kind == TX_IDTOKEN) {
		sid = ojson_str(tx->claims, "sid");
		if (oflow_session_ended(t, sid)) {
			oerr_set(fail, OERR_INVALID_GRANT, "The %s belongs to "
			    "a login session that has ended.", tx->name);
			return 0;
		}
		tx->grant.client_id = oxstrdup(tx->cid);
		tx->grant.sub = oxstrdup(ojson_str(tx->claims, "sub"));
		if (*sid != '\0')
			tx->grant.sid = oxstrdup(sid);
		ojson_strs_add(&tx->grant.scope, "openid");
		if (json_is_integer(v = json_object_get(tx->claims,
		    "auth_time"))) {
			tx->grant.auth_time = json_integer_value(v);
			tx->grant.has |= OGRANT_HAS_AUTH_TIME;
		}
		if (json_is_string(v = json_object_get(tx->claims, "acr")))
			tx->grant.acr = oxstrdup(json_string_value(v));
		if (json_is_array(v = json_object_get(tx->claims, "amr"))) {
			ojson_strs_set(&tx->grant.amr, v);
			tx->grant.has |= OGRANT_HAS_AMR;
		}
		return 1;
	}
	oerr_clear(&e);
	if (!otoken_lookup(t, tx->tok, tx->id, &rec, &e)) {
		if (e.code != OERR_NOT_FOUND) {
			oerr_set(err, OERR_SERVER_ERROR, "%s", e.description);
			*fatal = 1;
			return 0;
		}
		oerr_set(fail, OERR_INVALID_GRANT, "The %s is not known: it "
		    "was revoked or has expired.", tx->name);
		return 0;
	}
	if (!otoken_live(&rec, tx->kind == TX_ACCESS ? OTOKEN_ACCESS :
	    OTOKEN_REFRESH, onow())) {
		otoken_rec_free(&rec);
		oerr_set(fail, OERR_INVALID_GRANT, "The %s has expired, was "
		    "revoked or was already used.", tx->name);
		return 0;
	}
	otoken_grant(&rec, &tx->grant);
	otoken_rec_free(&rec);
	/* A refresh token's grant has a nonce; the new tokens none. */
	free(tx->grant.nonce);
	tx->grant.nonce = NULL;
	return 1;
}

/*
 * The client's policy (clients.h) on a presented token: one issued to
 * a client of ours needs that client to be the requesting one or in its
 * token_exchange.subject_clients; a JWT of a trusted issuer needs the
 * issuer in its token_exchange.subject_issuers.  Returns 1, or 0 with
 * unauthorized_client in fail.
 */
static int
allowed(const struct oclient *client, const struct tx_token *tx,
    struct oerr *fail)
{
	if (tx->kind == TX_TRUSTED) {
		if (oclient_exchange_issuer(client, tx->trusted.iss))
			return 1;
		oerr_set(fail, OERR_UNAUTHORIZED_CLIENT, "The client is not "
		    "allowed to exchange a %s of the issuer '%.200s' (its "
		    "token_exchange.subject_issuers does not list it).",
		    tx->name, tx->trusted.iss);
		return 0;
	}
	if (oclient_exchange_from(client, tx->grant.client_id))
		return 1;
	oerr_set(fail, OERR_UNAUTHORIZED_CLIENT, "The client is not allowed "
	    "to exchange a %s issued to the client '%.64s' (its "
	    "token_exchange.subject_clients does not list it).", tx->name,
	    tx->grant.client_id);
	return 0;
}

/*
 * Spend the jti of a trusted issuer's JWT (RFC 7523 §3 item 7, with
 * the jwt-bearer grant's marks), inside the transaction.  Returns 1, or
 * 0 with err set: invalid_grant on a replay, or the store's error.
 */
static int
spend(struct ostore_txn *t, const struct tx_token *tx, struct oerr *err)
{
	struct oerr	 e;

	if (tx->kind != TX_TRUSTED || !tx->trusted.has_jti)
		return 1;
	oerr_clear(&e);
	if (ojti_use(t, tx->trusted.jti, tx->trusted.jti_exp, &e))
		return 1;
	if (e.code == OERR_INVALID_CLIENT)
		oerr_set(err, OERR_INVALID_GRANT, "The %s's 'jti' was used "
		    "already.", tx->name);
	else
		oerr_set(err, e.code, "%s", e.description);
	return 0;
}

/*
 * Build the new grant into g from the subject's (and the actor's), the
 * client's policy and the request.  Returns 1, or 0 with the refusal in
 * fail.
 */
static int
new_grant(struct tx_op *op, const struct oclient *client, struct ogrant *g,
    struct oerr *fail)
{
	const struct ogrant	*s = &op->subject.grant;
	json_t			*scope, *v;
	const char		*w;
	char			 rid[37];
	size_t			 i;
	int			 rc = 0;

	if (!allowed(client, &op->subject, fail) || (op->has_actor &&
	    !allowed(client, &op->actor, fail)))
		return 0;
	scope = json_array();
	if (op->scope != NULL) {
		json_array_foreach(op->scope, i, v) {
			w = json_string_value(v);
			if (!ojson_strs_has(&s->scope, w) ||
			    !oclient_has_scope(client, w)) {
				oerr_set(fail, OERR_INVALID_SCOPE, "The "
				    "requested scope '%.64s' was not granted "
				    "to the subject_token or is not allowed "
				    "for the client.", w);
				goto out;
			}
			json_array_append(scope, v);
		}
	} else
		for (i = 0; i < s->scope.n; i++)
			if (oclient_has_scope(client, s->scope.v[i]))
				json_array_append_new(scope,
				    json_string(s->scope.v[i]));
	json_array_foreach(op->targets, i, v) {
		w = json_string_value(v);
		if (!oclient_exchange_target(client, w) &&
		    !ojson_strs_has(&s->aud, w)) {
			oerr_set(fail, OERR_INVALID_TARGET, "The target "
			    "'%.128s' (audience or resource) is not allowed: "
			    "it is not "
			    "in the client's audience or token_exchange."
			    "audiences, nor an audience of the subject_token.",
			    w);
			goto out;
		}
	}
	if (op->refresh && (!(client->grant_types & OCLIENT_GT_REFRESH) ||
	    (!ojson_has(scope, "offline") &&
	    !ojson_has(scope, "offline_access")))) {
		oerr_set(fail, OERR_INVALID_REQUEST, "The requested_token_type "
		    "refresh_token needs a client with the grant type "
		    "refresh_token and the scope offline_access (or offline) "
		    "in the new token's scope.");
		goto out;
	}
	ogrant_copy(g, s);
	free(g->request_id);
	free(g->client_id);
	ocrypto_uuid4(rid);
	g->request_id = oxstrdup(rid);
	g->client_id = oxstrdup(client->id);
	ojson_strs_set(&g->scope, scope);
	if (json_array_size(op->targets) > 0)
		ojson_strs_set(&g->aud, op->targets);
	g->requested_at = onow();
	g->has |= OGRANT_HAS_REQUESTED_AT;
	if (g->session == NULL)
		g->session = json_pack("{s:{},s:{}}", "id_token",
		    "access_token");
	/* RFC 8693 §4.1: the newest actor outermost. */
	if (op->has_actor) {
		v = json_pack("{s:s}", "sub", op->actor.grant.sub);
		if (op->actor.kind == TX_TRUSTED)
			json_object_set_new(v, "iss",
			    json_string(op->actor.trusted.iss));
		if (s->act != NULL)
			json_object_set(v, "act", s->act);
		json_decref(g->act);
		g->act = v;
	}
	rc = 1;
out:
	json_decref(scope);
	return rc;
}

/* The write transaction of a token exchange. */
static int
exchange_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct tx_op		*op = arg;
	const struct oclient	*client;
	struct ogrant		 g;
	struct oerr		 e;
	int			 fatal = 0, rc = 0;

	/* Run again from the start when the map grew. */
	resp_free(op->resp);
	op->resp = NULL;
	memset(&g, 0, sizeof(g));
	if (!oclientauth_txn_begin(t, op->auth, err))
		return 0;
	if (op->dpop != NULL && !odpop_spend(t, op->dpop, err))
		return 0;
	oerr_clear(&e);
	if ((client = oclient_find(t, op->auth->id, &e)) == NULL) {
		oerr_set(err, e.code == OERR_NOT_FOUND ? OERR_INVALID_CLIENT :
		    e.code, "%s", e.description);
		return 0;
	}
	/*
	 * A refusal commits (the flush and the assertion's jti, nothing
	 * else was written) and is answered after the transaction.
	 */
	oerr_clear(&op->fail);
	if (!load_grant(t, &op->subject, &op->fail, err, &fatal) ||
	    (op->has_actor && !load_grant(t, &op->actor, &op->fail, err,
	    &fatal)) || !new_grant(op, client, &g, &op->fail)) {
		rc = !fatal;
		goto out;
	}
	/*
	 * A trusted JWT's jti is spent with the new token only; a replay
	 * aborts the whole transaction (nothing half spent).
	 */
	if (!spend(t, &op->subject, err) || (op->has_actor &&
	    !spend(t, &op->actor, err)))
		goto out;
	if (op->dpop != NULL)
		g.jkt = oxstrdup(op->dpop->jkt);
	if ((op->resp = ogrant_issue(t, &g, client, op->refresh ?
	    OISSUE_REFRESH : OISSUE_ACCESS, NULL, "token_exchange", err)) ==
	    NULL)
		goto out;
	rc = 1;
out:
	ogrant_free(&g);
	oclient_release(client);
	return rc;
}

/*
 * The targets of the request (audience, space-separated as Hydra's,
 * and resource, absolute URIs without a fragment, RFC 8707 §2) into a
 * new array in *out.  Returns 1, or 0 with err set.
 */
static int
targets(const struct oparams *p, json_t **out, struct oerr *err)
{
	const char	*s, *e;
	json_t		*a = json_array(), *v;
	struct ourl	 u;
	size_t		 i;

	*out = NULL;
	for (i = 0; i < p->n; i++) {
		s = p->v[i].value;
		if (strcmp(p->v[i].name, "resource") == 0) {
			if (ourl_parse(s, &u) != NULL || u.has_fragment) {
				oerr_set(err, OERR_INVALID_TARGET, "The "
				    "resource '%.128s' is not an absolute URI "
				    "without a fragment (RFC 8707 §2).", s);
				goto fail;
			}
			if (!ojson_has(a, s))
				json_array_append_new(a, json_string(s));
		} else if (strcmp(p->v[i].name, "audience") == 0) {
			while (*s != '\0') {
				if (*s == ' ') {
					s++;
					continue;
				}
				for (e = s; *e != '\0' && *e != ' '; e++)
					continue;
				v = json_stringn(s, (size_t)(e - s));
				if (v != NULL && !ojson_has(a,
				    json_string_value(v)))
					json_array_append(a, v);
				json_decref(v);
				s = e;
			}
		}
		if (json_array_size(a) > TARGETS_MAX) {
			oerr_set(err, OERR_INVALID_REQUEST, "The request has "
			    "more than %d audiences and resources.",
			    TARGETS_MAX);
			goto fail;
		}
	}
	*out = a;
	return 1;
fail:
	json_decref(a);
	return 0;
}

/*
 * RFC 8693 §2.2.1: the response of the tokens ogrant_issue() made,
 * rewritten in place: issued_token_type, and for a refresh token the
 * token itself as access_token with token_type N_A.
 */
static void
shape(json_t *resp, int refresh)
{
	json_t	*rt;

	if (!refresh) {
		json_object_set_new(resp, "issued_token_type",
		    json_string(OEXCHANGE_TT "access_token"));
		return;
	}
	rt = json_object_get(resp, "refresh_token");
	json_object_set(resp, "access_token", rt);
	json_object_del(resp, "refresh_token");
	json_object_set_new(resp, "issued_token_type",
	    json_string(OEXCHANGE_TT "refresh_token"));
	json_object_set_new(resp, "token_type", json_string("N_A"));
	if (oconf->ttl_refresh_token > 0)
		json_object_set_new(resp, "expires_in",
		    json_integer(oconf->ttl_refresh_token));
}

json_t *
oexchange_token(struct oarena *arena, const struct oparams *p,
    const struct oclientauth *auth, const json_t *scope,
    const struct odpop *dpop, struct oerr *err)
{
	struct tx_op	 op;
	const char	*st, *at, *rt;
	json_t		*resp = NULL;

	memset(&op, 0, sizeof(op));
	op.auth = auth;
	op.dpop = dpop;
	op.scope = scope;
	op.subject.name = "subject_token";
	op.actor.name = "actor_token";
	/* RFC 8693 §2.1: subject_token and its type are required. */
	if ((op.subject.tok = oclientauth_param(p, "subject_token")) ==
	    NULL || (st = oclientauth_param(p, "subject_token_type")) ==
	    NULL) {
		oerr_set(err, OERR_INVALID_REQUEST, "The request is missing "
		    "the required parameter '%s'.", op.subject.tok == NULL ?
		    "subject_token" : "subject_token_type");
		goto out;
	}
	op.actor.tok = oclientauth_param(p, "actor_token");
	at = oclientauth_param(p, "actor_token_type");
	if ((op.actor.tok == NULL) != (at == NULL)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The parameter '%s' is "
		    "required with '%s'.", at == NULL ? "actor_token_type" :
		    "actor_token", at == NULL ? "actor_token" :
		    "actor_token_type");
		goto out;
	}
	op.has_actor = op.actor.tok != NULL;
	rt = oclientauth_param(p, "requested_token_type");
	if (rt != NULL && strcmp(rt, OEXCHANGE_TT "refresh_token") == 0)
		op.refresh = 1;
	else if (rt != NULL && strcmp(rt, OEXCHANGE_TT "access_token") !=
	    0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The requested_token_type "
		    "'%.128s' is not supported: use %saccess_token or "
		    "%srefresh_token.", rt, OEXCHANGE_TT, OEXCHANGE_TT);
		goto out;
	}
	if (!targets(p, &op.targets, err) ||
	    !identify(arena, &op.subject, st, err) ||
	    (op.has_actor && !identify(arena, &op.actor, at, err)))
		goto out;
	/* Keys before the write transaction (tokens.h). */
	if (!ogrant_prepare(err) || !ostore_write(exchange_fn, &op, err))
		goto out;
	if (oerr_isset(&op.fail)) {
		*err = op.fail;
		goto out;
	}
	shape(op.resp, op.refresh);
	resp = op.resp;
	op.resp = NULL;
out:
	json_decref(op.targets);
	json_decref(op.subject.claims);
	json_decref(op.actor.claims);
	otrust_jwt_free(&op.subject.trusted);
	otrust_jwt_free(&op.actor.trusted);
	ogrant_free(&op.subject.grant);
	ogrant_free(&op.actor.grant);
	resp_free(op.resp);
	return resp;
}
