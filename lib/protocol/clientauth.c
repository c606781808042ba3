/*
 * clientauth.c: client authentication at the token and revocation
 * endpoints (see clientauth.h).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/form.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/jti.h"
#include "records/lifecycle.h"
#include "protocol/clientauth.h"
#include "protocol/clientkeys.h"
#include "protocol/introspect.h"

#define ASSERTION_TYPE	"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#define ASSERTION_SKEW	30	/* seconds of clock difference allowed */

/* The method a request uses. */
#define M_NONE	OCLIENT_AUTH_NONE
#define M_BASIC	OCLIENT_AUTH_BASIC
#define M_POST	OCLIENT_AUTH_POST
#define M_JWT	OCLIENT_AUTH_JWT

#define M_SJWT	OCLIENT_AUTH_SECRET_JWT

/*
 * Signature algorithms of private_key_jwt assertions (never HS*, as
 * Hydra), and of client_secret_jwt ones (only HS*, RFC 7523 §2.2).
 */
static const char *const assertion_algs[] = {
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
	"ES384", "ES512", "EdDSA", NULL
};
static const char *const hmac_algs[] = { "HS256", "HS384", "HS512", NULL };

/*
 * A parameter's value, or NULL when absent or empty (RFC 6749 §3.1).
 */
const char *
oclientauth_param(const struct oparams *p, const char *name)
{
	const char	*v = oparams_get(p, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

json_t *
oclientauth_cors_origins(struct oarena *arena, const char *client_id,
    const char *tok)
{
	struct oerr	 err;
	json_t		*in = NULL, *rec = NULL, *o = NULL;
	const char	*id = client_id;

	oerr_clear(&err);
	if (id == NULL && tok != NULL &&
	    (in = ointrospect(arena, tok, NULL, &err)) != NULL &&
	    json_is_true(json_object_get(in, "active")) &&
	    ojson_str(in, "token_use") != NULL &&
	    strcmp(ojson_str(in, "token_use"), "access_token") == 0)
		id = ojson_str(in, "client_id");
	if (id == NULL || (rec = oclient_get_cached(id, &err)) == NULL)
		goto out;
	if (json_is_array(o = json_object_get(rec, "allowed_cors_origins")))
		json_incref(o);
	else
		o = NULL;
out:
	json_decref(rec);
	json_decref(in);
	return o;
}

/*
 * The "sub" (else "iss") of a JWT's payload, not yet verified: only to
 * know whose keys to verify it with (RFC 7523 §3: client_id is
 * optional with an assertion).  An arena string, or NULL.
 */
static const char *
assertion_subject(struct oarena *arena, const char *jwt)
{
	json_t		*j;
	const char	*s, *out = NULL;

	if ((j = ojws_peek(jwt, 1)) == NULL)
		return NULL;
	if ((s = json_string_value(json_object_get(j, "sub"))) != NULL ||
	    (s = json_string_value(json_object_get(j, "iss"))) != NULL)
		out = oarena_strdup(arena, s);
	json_decref(j);
	return out;
}

/*
 * The "kid" of a JWS's protected header, not yet verified, or NULL:
 * to know whether a client's fetched keys are out of date.  An arena
 * string.
 */
static const char *
assertion_kid(struct oarena *arena, const char *jwt)
{
	json_t		*j;
	const char	*s, *out = NULL;

	if ((j = ojws_peek(jwt, 0)) == NULL)
		return NULL;
	if ((s = json_string_value(json_object_get(j, "kid"))) != NULL)
		out = oarena_strdup(arena, s);
	json_decref(j);
	return out;
}

const char *
oclientauth_aud(struct oarena *arena, const json_t *claims)
{
	const char	*cand[3];
	const json_t	*aud = json_object_get(claims, "aud");
	size_t		 i, n = strlen(oconf->issuer);

	cand[0] = oarena_printf(arena, "%soauth2/token", oconf->issuer);
	cand[1] = oconf->issuer;
	cand[2] = oarena_strndup(arena, oconf->issuer, n > 1 ? n - 1 : n);
	for (i = 0; i < 3; i++)
		if (ojson_has(aud, cand[i]))
			return cand[i];
	return NULL;
}

/*
 * The HMAC key of a client_secret_jwt client: its secret, opened from
 * the record, as an oct JWK (RFC 7523 §2.2, OpenID Connect Core §9).
 * A new set (ojwks_free()), or NULL with invalid_client in err.
 */
static struct ojwks *
secret_key(const struct oclient *c, struct oerr *err)
{
	char		 sec[OCLIENT_SECRET_MAX + 1];
	char		 k[OCLIENT_SEALED_MAX + 1];
	size_t		 len, klen;
	json_t		*jwk = NULL;
	struct ojwk	*key = NULL;
	struct ojwks	*set = NULL;
	struct oerr	 e;

	oerr_clear(&e);
	if (!oclient_secret_open(c, sec, sizeof(sec), &len)) {
		oerr_set(err, OERR_INVALID_CLIENT, "The OAuth 2.0 Client's "
		    "secret cannot be used to verify its assertion.");
		return NULL;
	}
	if (ocrypto_b64url_encode(k, sizeof(k), &klen, sec, len)) {
		jwk = json_pack("{s:s, s:s}", "kty", "oct", "k", k);
		key = ojwk_import(jwk, 1, &e);
	}
	if (key != NULL) {
		set = ojwks_new();
		ojwks_add(set, key);
	} else
		oerr_set(err, OERR_INVALID_CLIENT, "The OAuth 2.0 Client's "
		    "secret cannot be used as an HMAC key.");
	json_decref(jwk);
	ocrypto_wipe(sec, sizeof(sec));
	ocrypto_wipe(k, sizeof(k));
	return set;
}

/*
 * Verify a private_key_jwt assertion against the client's keys
 * (oclientkeys_get(): registered jwks, else its jwks_uri) or a
 * client_secret_jwt one against its secret (RFC 7523 §3, OpenID
 * Connect Core §9), and note its jti for single use.  Returns 1, or 0
 * with invalid_client in err.
 */
static int
assertion_ok(struct oarena *arena, const char *jwt, struct oclientauth *a,
    struct oerr *err)
{
	const char	*algs1[2], *const *algs = assertion_algs, *aud, *jti;
	const char	*pin;
	const struct ojwks *keys;
	struct ojwks	*hmac = NULL;
	json_t		*claims = NULL;
	struct ojws	*jws = NULL;
	struct oerr	 e;
	int		 rc = 0;

	oerr_clear(&e);
	pin = a->client->auth_alg;
	if (a->client->auth == M_SJWT) {
		algs = hmac_algs;
		if ((keys = hmac = secret_key(a->client, err)) == NULL)
			goto out;
	} else if ((keys = oclientkeys_get(a->client,
	    assertion_kid(arena, jwt), &e)) == NULL) {
		oerr_set(err, OERR_INVALID_CLIENT, "%s", e.description);
		goto out;
	}
	if (*pin != '\0') {
		algs1[0] = pin;
		algs1[1] = NULL;
		algs = algs1;
	}
	if ((jws = ojws_verify(jwt, strlen(jwt), keys->keys, keys->nkeys,
	    algs, &e)) == NULL ||
	    (claims = ojwt_claims(jws, &e)) == NULL) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client assertion could "
		    "not be verified: %s", e.description);
		goto out;
	}
	if ((aud = oclientauth_aud(arena, claims)) == NULL) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client assertion's "
		    "'aud' must name the token endpoint %soauth2/token.",
		    oconf->issuer);
		goto out;
	}
	/* RFC 7523 §3: iss and sub are the client_id; exp is required. */
	if (!ojwt_check(claims, a->id, aud, onow(), ASSERTION_SKEW,
	    OJWT_REQUIRE_EXP, &e)) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client assertion is "
		    "not valid: %s", e.description);
		goto out;
	}
	if (strcmp(ojson_str(claims, "sub"), a->id) != 0) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client assertion's "
		    "'sub' must be the client_id.");
		goto out;
	}
	if ((jti = json_string_value(json_object_get(claims, "jti"))) ==
	    NULL || *jti == '\0' || strlen(jti) > 1024) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client assertion must "
		    "have a 'jti' claim.");
		goto out;
	}
	ojti_key(a->id, jti, a->jti);
	a->jti_exp = (int64_t)json_integer_value(json_object_get(claims,
	    "exp")) + ASSERTION_SKEW;
	a->has_jti = 1;
	rc = 1;
out:
	json_decref(claims);
	ojws_free(jws);
	ojwks_free(hmac);
	return rc;
}

/*
 * A client that failed to authenticate: one answer whether the client
 * is unknown, registered for another method or given a wrong secret,
 * so that the token endpoint does not tell which client ids exist
 * (RFC 9700 §4.16; Hydra's hints say which).  The reason is logged,
 * never the secret.
 */
static void
client_failed(struct oerr *err, const char *id, const char *why)
{
	oerr_set(err, OERR_INVALID_CLIENT, "Client authentication failed "
	    "(e.g., unknown client, no client authentication included, or "
	    "unsupported authentication method).");
	oerr_hint(err, "The client is unknown, or does not authenticate "
	    "with this method or these credentials.");
	olog_info("token: client \"%.64s\" not authenticated: %s", id, why);
}

/*
 * Check secret against a hash of the kind a generated client secret
 * has, and throw the answer away: an unknown client then costs what a
 * wrong secret costs.
 */
static void
dummy_secret_check(const char *secret)
{
	static char	 dummy[OHASH_MAX];

	if (dummy[0] == '\0' && !ohash_keyed("oidcgi-no-such-client",
	    "client_secret", dummy, sizeof(dummy)))
		return;
	(void)ohash_verify(secret != NULL ? secret : "", "client_secret",
	    dummy);
}

/*
 * Authenticate the client of a request exactly by its registered
 * method, as Hydra's fosite does; see clientauth.h.
 */
int
oclientauth_check(struct oarena *arena, const struct oclientauth_in *in,
    struct oclientauth *a, struct oerr *err)
{
	const struct oparams	*p = in->p;
	const char		*id, *secret, *assertion, *type;
	const char		*registered;
	enum oclient_auth	 m;
	struct oerr		 e;
	long long		 expires;
	int			 basic = in->basic_id != NULL;

	memset(a, 0, sizeof(*a));
	oerr_clear(&e);
	id = oclientauth_param(p, "client_id");
	secret = oclientauth_param(p, "client_secret");
	assertion = oclientauth_param(p, "client_assertion");

	/* RFC 6749 §2.3: one method per request. */
	if (basic + (secret != NULL) + (assertion != NULL) > 1) {
		oerr_set(err, OERR_INVALID_REQUEST, "The request uses more "
		    "than one client authentication method.");
		return 0;
	}
	if (basic) {
		m = M_BASIC;
		if (id != NULL && strcmp(id, in->basic_id) != 0) {
			oerr_set(err, OERR_INVALID_REQUEST, "The client_id in "
			    "the body differs from the one in the "
			    "Authorization header.");
			return 0;
		}
		id = in->basic_id;
		secret = in->basic_secret != NULL ? in->basic_secret : "";
	} else if (assertion != NULL) {
		m = M_JWT;
		type = oparams_get(p, "client_assertion_type");
		if (strcmp(type != NULL ? type : "", ASSERTION_TYPE) != 0) {
			oerr_set(err, OERR_INVALID_REQUEST, "The parameter "
			    "'client_assertion_type' must be '%s'.",
			    ASSERTION_TYPE);
			return 0;
		}
		if (id == NULL)
			id = assertion_subject(arena, assertion);
	} else
		m = secret != NULL ? M_POST : M_NONE;

	if (id == NULL) {
		oerr_set(err, OERR_INVALID_CLIENT, "Client authentication "
		    "failed (e.g., unknown client, no client authentication "
		    "included, or unsupported authentication method).");
		oerr_hint(err, "The request names no client.");
		return 0;
	}
	a->id = oarena_strdup(arena, id);
	if ((a->client = oclient_fetch(id, &e)) == NULL) {
		if (e.code != OERR_NOT_FOUND) {
			oerr_set(err, e.code, "%s", e.description);
			return 0;
		}
		/* As long as a wrong secret takes (timing). */
		dummy_secret_check(secret);
		client_failed(err, id, "no such client");
		return 0;
	}
	registered = oclient_auth_name(a->client->auth);
	/* A public client's Basic "id:" is no secret (fosite agrees). */
	if (m == M_BASIC && *secret == '\0' &&
	    a->client->auth == OCLIENT_AUTH_NONE)
		m = M_NONE;
	/* An assertion is either kind: the client's method says which. */
	if (m == M_JWT && a->client->auth == M_SJWT)
		m = M_SJWT;
	if (a->client->auth != m) {
		if (secret != NULL)
			dummy_secret_check(secret);
		olog_info("client %s: registered for %s, authenticated with "
		    "%s", id, registered, oclient_auth_name(m));
		client_failed(err, id, "wrong method");
		goto fail;
	}
	switch (m) {
	case M_BASIC:
	case M_POST:
		if (!oclient_secret_ok(a->client, secret)) {
			client_failed(err, id, "wrong secret");
			goto fail;
		}
		expires = a->client->secret_expires_at;
		if (expires > 0 && expires <= onow()) {
			oerr_set(err, OERR_INVALID_CLIENT, "The client secret "
			    "has expired.");
			goto fail;
		}
		break;
	case M_JWT:
	case M_SJWT:
		if (!assertion_ok(arena, assertion, a, err))
			goto fail;
		break;
	default:
		break;
	}
	return 1;
fail:
	oclient_release(a->client);
	a->client = NULL;
	return 0;
}

/* Release the client record of an authentication. */
void
oclientauth_free(struct oclientauth *a)
{
	oclient_release(a->client);
	a->client = NULL;
}

int
oclientauth_txn_begin(struct ostore_txn *t, const struct oclientauth *a,
    struct oerr *err)
{
	if (!olife_flush(t, onow(), OCLIENTAUTH_FLUSH, NULL)) {
		oerr_set(err, OERR_SERVER_ERROR, "Expired records could not "
		    "be flushed.");
		return 0;
	}
	return !a->has_jti || ojti_use(t, a->jti, a->jti_exp, err);
}
