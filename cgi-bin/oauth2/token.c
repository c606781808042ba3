/*
 * token.c: the token endpoint, token revocation and userinfo, on the
 * public listener.
 *
 *   POST /oauth2/token     RFC 6749 §3.2; grants authorization_code
 *                          (§4.1.3, RFC 7636 §4.6), refresh_token (§6)
 *                          and client_credentials (§4.4)
 *   POST /oauth2/revoke    RFC 7009
 *   GET, POST /userinfo    OpenID Connect Core §5.3
 *
 * Clients authenticate exactly by their registered
 * token_endpoint_auth_method (RFC 6749 §2.3, RFC 7523 §2.2), as Hydra
 * insists.  Everything a grant changes (the code or refresh token
 * spent, the tokens issued, a replay's revocation) happens in one write
 * transaction, so two processes racing the same code or refresh token
 * can never both succeed.  Each of those transactions also flushes a
 * few expired records, so the store needs no janitor.
 *
 * Every answer carries Cache-Control: no-store and Pragma: no-cache
 * (RFC 6749 §5.1), which the library adds on the public listener.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "records/clients.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/hash.h"
#include "web/http.h"
#include "jose/jose.h"
#include "base/json.h"
#include "records/keys.h"
#include "web/metrics.h"
#include "store/store.h"
#include "records/tokens.h"
#include "base/util.h"
#include "records/lifecycle.h"

#define ASSERTION_TYPE	"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#define FLUSH_MAX	16	/* expired records removed per request */
#define ASSERTION_SKEW	30	/* seconds of clock difference allowed */
#define SCOPES_MAX	64	/* scope tokens in a request */
#define AUDIENCES_MAX	32	/* audience values in a request */

enum method {
	M_NONE,
	M_BASIC,
	M_POST,
	M_JWT,
	M__MAX
};

static const char *const methods[M__MAX] = {
	"none",			/* M_NONE */
	"client_secret_basic",	/* M_BASIC */
	"client_secret_post",	/* M_POST */
	"private_key_jwt",	/* M_JWT */
};

/* Signature algorithms of client assertions: never HS* (Hydra). */
static const char *const assertion_algs[] = {
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
	"ES384", "ES512", "EdDSA", NULL
};

/* Parameters of client authentication (RFC 6749 §2.3.1, RFC 7521 §4.2). */
#define AUTH_FIELDS \
	{ "client_id", OCLIENT_ID_MAX, OFIELD_ANY, OFIELD_ONCE }, \
	{ "client_secret", OCLIENT_SECRET_MAX, OFIELD_ANY, OFIELD_ONCE }, \
	{ "client_assertion", OJWS_MAX, OFIELD_VSCHAR, OFIELD_ONCE }, \
	{ "client_assertion_type", 256, OFIELD_VSCHAR, OFIELD_ONCE }

static const struct ofield token_fields[] = {
	{ "grant_type", 256, OFIELD_VSCHAR, OFIELD_REQUIRED | OFIELD_ONCE },
	{ "code", OTOKEN_MAX, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "redirect_uri", 2048, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "code_verifier", 128, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "refresh_token", OTOKEN_MAX, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "scope", 4096, OFIELD_NQSCHAR, OFIELD_ONCE },
	{ "audience", 2048, OFIELD_VSCHAR, 0 },
	AUTH_FIELDS,
};

static const struct ofield revoke_fields[] = {
	{ "token", OJWS_MAX, OFIELD_VSCHAR, OFIELD_REQUIRED | OFIELD_ONCE },
	{ "token_type_hint", 64, OFIELD_VSCHAR, OFIELD_ONCE },
	AUTH_FIELDS,
};

/* An authenticated client. */
struct client_auth {
	const char	*id;		/* arena string */
	json_t		*client;	/* its record, as authenticated */
	int		 basic;		/* HTTP Basic was used */
	int		 has_jti;	/* private_key_jwt: spend jti */
	unsigned char	 jti[OCRYPTO_SHA256_LEN];
	int64_t		 jti_exp;
};

/*
 * A parameter's value, or NULL when absent or empty (RFC 6749 §3.1:
 * "Parameters sent without a value MUST be treated as if they were
 * omitted").
 */
static const char *
param(const struct oparams *p, const char *name)
{
	const char	*v = oparams_get(p, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* 1 if the array arr holds the string s. */
static int
has_str(const json_t *arr, const char *s)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/*
 * Append the space-separated tokens of s to the array arr, without
 * repeats (RFC 6749 §3.3).  Returns 0 when there are more than max.
 */
static int
split_into(json_t *arr, const char *s, size_t max)
{
	const char	*e;
	json_t		*v;

	while (*s != '\0') {
		if (*s == ' ') {
			s++;
			continue;
		}
		for (e = s; *e != '\0' && *e != ' '; e++)
			continue;
		v = json_stringn(s, (size_t)(e - s));
		if (v == NULL)
			return 0;
		if (has_str(arr, json_string_value(v)))
			json_decref(v);
		else
			json_array_append_new(arr, v);
		if (json_array_size(arr) > max)
			return 0;
		s = e;
	}
	return 1;
}

/*
 * The client record by id in a read transaction of its own: shared
 * with the process cache, so never modified (oclient_load_cached()).
 */
static json_t *
client_get(const char *id, struct oerr *err)
{
	struct ostore_txn	*t;
	json_t			*c;

	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	c = oclient_load_cached(t, id, err);
	ostore_read_end(t);
	return c;
}

/*
 * The "sub" (else "iss") of a JWT's payload, not yet verified: only to
 * know whose keys to verify it with (RFC 7523 §3: client_id is
 * optional with an assertion).  An arena string, or NULL.
 */
static const char *
assertion_subject(struct oreq *req, const char *jwt)
{
	const char	*a, *b;
	char		*buf;
	size_t		 len, n;
	json_t		*j;
	const char	*s, *out = NULL;

	if ((a = strchr(jwt, '.')) == NULL || (b = strchr(a + 1, '.')) ==
	    NULL)
		return NULL;
	len = (size_t)(b - a - 1);
	buf = oarena_alloc(&req->arena, len + 1);
	if (!ocrypto_b64url_decode(buf, len + 1, &n, a + 1, len))
		return NULL;
	if ((j = json_loadb(buf, n, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return NULL;
	if ((s = json_string_value(json_object_get(j, "sub"))) != NULL ||
	    (s = json_string_value(json_object_get(j, "iss"))) != NULL)
		out = oarena_strdup(&req->arena, s);
	json_decref(j);
	return out;
}

/*
 * 1 if the assertion's aud (a string, or an array of strings) names
 * this server: the token endpoint URL (RFC 7523 §3 item 3), or the
 * issuer (with or without its trailing '/'), which many clients send.
 * The name matched goes to *which.
 */
static int
assertion_aud(struct oreq *req, const json_t *claims, const char **which)
{
	const char	*cand[3];
	json_t		*aud = json_object_get(claims, "aud"), *v;
	size_t		 i, j, n;

	cand[0] = oarena_printf(&req->arena, "%soauth2/token",
	    oconf->issuer);
	cand[1] = oconf->issuer;
	n = strlen(oconf->issuer);
	cand[2] = oarena_strndup(&req->arena, oconf->issuer, n > 1 ?
	    n - 1 : n);
	for (i = 0; i < 3; i++) {
		if (json_is_string(aud) && strcmp(json_string_value(aud),
		    cand[i]) == 0) {
			*which = cand[i];
			return 1;
		}
		json_array_foreach(aud, j, v)
			if (json_is_string(v) && strcmp(json_string_value(v),
			    cand[i]) == 0) {
				*which = cand[i];
				return 1;
			}
	}
	return 0;
}

/*
 * Verify a private_key_jwt assertion (RFC 7523 §3, OpenID Connect Core
 * §9) against the client's registered jwks, and note its jti for
 * single use.  Returns 1, or 0 with invalid_client in err.
 */
static int
assertion_ok(struct oreq *req, const char *jwt, struct client_auth *a,
    struct oerr *err)
{
	const char	*algs1[2], *const *algs = assertion_algs, *aud, *jti;
	const char	*pin = ojson_str(a->client, "token_endpoint_auth_signing_alg");
	json_t		*jwks = json_object_get(a->client, "jwks");
	json_t		*claims = NULL;
	struct ojwks	*keys = NULL;
	struct ojws	*jws = NULL;
	struct oerr	 e;
	char		*buf;
	int		 rc = 0;

	oerr_clear(&e);
	if (!json_is_object(jwks)) {
		if (*ojson_str(a->client, "jwks_uri") != '\0')
			oerr_set(err, OERR_INVALID_CLIENT, "jwks_uri is not "
			    "supported; register jwks.");
		else
			oerr_set(err, OERR_INVALID_CLIENT, "The OAuth 2.0 "
			    "Client has no JSON Web Keys to verify its "
			    "assertion with.");
		goto out;
	}
	if (*pin != '\0') {
		algs1[0] = pin;
		algs1[1] = NULL;
		algs = algs1;
	}
	if ((keys = ojwks_import(jwks, 0, &e)) == NULL) {
		oerr_set(err, OERR_INVALID_CLIENT, "The OAuth 2.0 Client's "
		    "JSON Web Keys cannot be used: %s", e.description);
		goto out;
	}
	if ((jws = ojws_verify(jwt, strlen(jwt), keys->keys, keys->nkeys,
	    algs, &e)) == NULL ||
	    (claims = ojwt_claims(jws, &e)) == NULL) {
		oerr_set(err, OERR_INVALID_CLIENT, "The client assertion could "
		    "not be verified: %s", e.description);
		goto out;
	}
	if (!assertion_aud(req, claims, &aud)) {
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
	/* The replay key: SHA-256 of "jti:" client_id NUL jti. */
	buf = oarena_printf(&req->arena, "jti:%s%c%s", a->id, '\0', jti);
	ocrypto_sha256(buf, 4 + strlen(a->id) + 1 + strlen(jti), a->jti);
	a->jti_exp = (int64_t)json_integer_value(json_object_get(claims,
	    "exp")) + ASSERTION_SKEW;
	a->has_jti = 1;
	rc = 1;
out:
	json_decref(claims);
	ojws_free(jws);
	ojwks_free(keys);
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
 * Authenticate the client of a token or revocation request, exactly by
 * its registered method (hydra-behaviour.md 1.6).  On success a->client
 * is its record (the caller releases it).  Returns 1, or 0 with err set:
 * invalid_client (401) or invalid_request.
 */
static int
authenticate(struct oreq *req, const struct oparams *p,
    struct client_auth *a, struct oerr *err)
{
	const char	*bid = NULL, *bsecret = NULL, *id, *secret, *assertion;
	const char	*registered;
	enum ohttp_auth	 b;
	enum method	 m;
	struct oerr	 e;
	long long	 expires;

	memset(a, 0, sizeof(*a));
	oerr_clear(&e);
	id = param(p, "client_id");
	secret = param(p, "client_secret");
	assertion = param(p, "client_assertion");

	if ((b = ohttp_basic(req, &bid, &bsecret, &e)) == OHTTP_AUTH_BAD) {
		a->basic = 1;
		oerr_set(err, OERR_INVALID_CLIENT, "%s", e.description);
		return 0;
	}
	/* RFC 6749 §2.3: one method per request. */
	if ((b == OHTTP_AUTH_OK) + (secret != NULL) + (assertion != NULL) >
	    1) {
		oerr_set(err, OERR_INVALID_REQUEST, "The request uses more "
		    "than one client authentication method.");
		return 0;
	}
	if (b == OHTTP_AUTH_OK) {
		m = M_BASIC;
		a->basic = 1;
		if (id != NULL && strcmp(id, bid) != 0) {
			oerr_set(err, OERR_INVALID_REQUEST, "The client_id in "
			    "the body differs from the one in the "
			    "Authorization header.");
			return 0;
		}
		id = bid;
		secret = bsecret;
	} else if (assertion != NULL) {
		m = M_JWT;
		if (strcmp(oparams_get(p, "client_assertion_type") != NULL ?
		    oparams_get(p, "client_assertion_type") : "",
		    ASSERTION_TYPE) != 0) {
			oerr_set(err, OERR_INVALID_REQUEST, "The parameter "
			    "'client_assertion_type' must be '%s'.",
			    ASSERTION_TYPE);
			return 0;
		}
		if (id == NULL)
			id = assertion_subject(req, assertion);
	} else
		m = secret != NULL ? M_POST : M_NONE;

	if (id == NULL) {
		oerr_set(err, OERR_INVALID_CLIENT, "Client authentication "
		    "failed (e.g., unknown client, no client authentication "
		    "included, or unsupported authentication method).");
		oerr_hint(err, "The request names no client.");
		return 0;
	}
	a->id = id;
	if ((a->client = client_get(id, &e)) == NULL) {
		if (e.code != OERR_NOT_FOUND) {
			oerr_set(err, e.code, "%s", e.description);
			return 0;
		}
		/* As long as a wrong secret takes (timing). */
		dummy_secret_check(secret);
		client_failed(err, id, "no such client");
		return 0;
	}
	registered = ojson_str(a->client, "token_endpoint_auth_method");
	/* A public client's Basic "id:" is no secret (fosite agrees). */
	if (m == M_BASIC && *secret == '\0' &&
	    strcmp(registered, "none") == 0)
		m = M_NONE;
	if (strcmp(registered, methods[m]) != 0) {
		if (secret != NULL)
			dummy_secret_check(secret);
		olog_info("client %s: registered for %s, authenticated with "
		    "%s", id, registered, methods[m]);
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
		expires = json_integer_value(json_object_get(a->client,
		    "client_secret_expires_at"));
		if (expires > 0 && expires <= onow()) {
			oerr_set(err, OERR_INVALID_CLIENT, "The client secret "
			    "has expired.");
			goto fail;
		}
		break;
	case M_JWT:
		if (!assertion_ok(req, assertion, a, err))
			goto fail;
		break;
	default:
		break;
	}
	return 1;
fail:
	json_decref(a->client);
	a->client = NULL;
	return 0;
}

/*
 * Spend a private_key_jwt assertion's jti (RFC 7523 §3 item 7): kept in
 * "flows" until the assertion expires.  Returns 1, or 0 with err set
 * (invalid_client for a replay).
 */
static int
jti_use(struct ostore_txn *t, const struct client_auth *a, struct oerr *err)
{
	const void	*v;
	size_t		 vl;
	json_t		*old, *rec;
	char		*buf;
	int64_t		 oexp;
	enum ostore_rc	 rc;

	if (!a->has_jti)
		return 1;
	rc = ostore_get(t, OSTORE_FLOWS, a->jti, sizeof(a->jti), &v, &vl);
	if (rc == OSTORE_OK) {
		old = json_loadb(v, vl, 0, NULL);
		oexp = (int64_t)json_integer_value(json_object_get(old,
		    "exp"));
		json_decref(old);
		if (oexp > onow()) {
			oerr_set(err, OERR_INVALID_CLIENT, "The client "
			    "assertion's 'jti' has been used before.");
			return 0;
		}
		/* An old use not flushed yet: replaced. */
		if (ostore_expiry_del(t, OSTORE_FLOWS, a->jti, sizeof(a->jti),
		    oexp) != OSTORE_OK)
			goto store;
	} else if (rc != OSTORE_NOTFOUND)
		goto store;
	rec = json_pack("{s:i,s:s,s:I}", "v", 1, "kind", "client_assertion",
	    "exp", (json_int_t)a->jti_exp);
	buf = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	rc = ostore_put(t, OSTORE_FLOWS, a->jti, sizeof(a->jti), buf,
	    strlen(buf), 0);
	free(buf);
	if (rc != OSTORE_OK || ostore_expiry_put(t, OSTORE_FLOWS, a->jti,
	    sizeof(a->jti), a->jti_exp) != OSTORE_OK)
		goto store;
	return 1;
store:
	oerr_set(err, OERR_SERVER_ERROR, "The client assertion could not be "
	    "recorded.");
	return 0;
}

/* Answer an error; 401s of Basic clients say how to authenticate. */
static void
send_error(struct oreq *req, const struct client_auth *a,
    const struct oerr *err)
{
	if (err->code == OERR_INVALID_CLIENT && a->basic)
		ohttp_header(req, "WWW-Authenticate", "Basic realm=\"oidcgi\"");
	ohttp_send_error(req, err);
}

/* A token request, carried into its write transaction. */
struct grant_op {
	const char		*type;		/* grant_type */
	struct client_auth	*auth;
	const struct oparams	*p;
	unsigned char		 id[OTOKEN_ID_LEN]; /* code, refresh token */
	const char		*code;
	json_t			*scope;		/* requested, or NULL */
	json_t			*grant;		/* client_credentials */
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
pkce_ok(const json_t *rec, const char *verifier, struct oerr *err)
{
	const char	*challenge = ojson_str(rec, "code_challenge");
	const char	*method = ojson_str(rec, "code_challenge_method");
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
	if (strcmp(method, "S256") == 0) {
		ocrypto_sha256(verifier, n, h);
		if (!ocrypto_b64url_encode(enc, sizeof(enc), &n, h, sizeof(h)))
			n = 0;
		if (n > 0 && ocrypto_streq(enc, challenge))
			return 1;
	} else if ((*method == '\0' || strcmp(method, "plain") == 0) &&
	    ocrypto_streq(verifier, challenge))
		return 1;	/* RFC 7636 §4.3: plain is the default */
	oerr_set(err, OERR_INVALID_GRANT, BAD_GRANT);
	oerr_hint(err, "The PKCE code verifier does not match the code "
	    "challenge.");
	return 0;
}

/*
 * authorization_code (RFC 6749 §4.1.3).  Returns 1 to commit (with the
 * response, or a refusal in op->fail), 0 to abort with err set.
 */
static int
code_grant(struct ostore_txn *t, struct grant_op *op, const json_t *client,
    struct oerr *err)
{
	json_t		*rec, *grant = NULL;
	const char	*redirect = param(op->p, "redirect_uri");
	int		 rc = 1;

	if ((rec = otoken_load(t, op->id)) == NULL ||
	    strcmp(ojson_str(rec, "kind"), "code") != 0) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The authorization code is not known.");
		goto out;
	}
	/* Replay: the whole grant is revoked (RFC 6749 §4.1.2, §10.5). */
	if (!json_is_true(json_object_get(rec, "active"))) {
		if (!otoken_revoke_request(t, ojson_str(rec, "request_id"))) {
			oerr_set(err, OERR_SERVER_ERROR, "The grant could not "
			    "be revoked.");
			rc = 0;
			goto out;
		}
		oerr_set(&op->fail, OERR_INVALID_GRANT, "The authorization "
		    "code has already been used.");
		goto out;
	}
	if (!otoken_live(rec, OTOKEN_CODE, onow())) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The authorization code has expired.");
		goto out;
	}
	if (strcmp(ojson_str(rec, "client_id"), ojson_str(client, "client_id")) != 0) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The OAuth 2.0 Client ID from this request "
		    "does not match the one from the authorize request.");
		goto out;
	}
	/* RFC 6749 §4.1.3: the same redirect_uri, if one was sent. */
	if (*ojson_str(rec, "redirect_uri") != '\0' && (redirect == NULL ||
	    strcmp(redirect, ojson_str(rec, "redirect_uri")) != 0)) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The 'redirect_uri' from this request "
		    "does not match the one from the authorize request.");
		goto out;
	}
	if (!pkce_ok(rec, param(op->p, "code_verifier"), &op->fail))
		goto out;
	grant = otoken_grant(rec);
	if (!otoken_use(t, op->id, rec, err) ||
	    (op->resp = ogrant_issue(t, grant, client, OISSUE_ACCESS |
	    OISSUE_REFRESH | OISSUE_IDTOKEN | OISSUE_DEFER, op->code,
	    "authorization_code", err)) == NULL)
		rc = 0;
out:
	json_decref(rec);
	json_decref(grant);
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
 * (hydra-behaviour.md 1.13).  Returns 1 to commit (with the response,
 * or a refusal in op->fail), 0 to abort with err set.
 */
static int
refresh_grant(struct ostore_txn *t, struct grant_op *op,
    const json_t *client, struct oerr *err)
{
	unsigned char	 aid[OTOKEN_ID_LEN];
	json_t		*rec, *rt_grant = NULL, *grant = NULL, *v;
	int64_t		 now = onow(), exp;
	size_t		 i;
	int		 rc = 1, grace = 0, same;

	if ((rec = otoken_load(t, op->id)) == NULL ||
	    strcmp(ojson_str(rec, "kind"), "refresh_token") != 0) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The refresh token is not known.");
		goto out;
	}
	same = strcmp(ojson_str(rec, "client_id"), ojson_str(client, "client_id")) == 0;
	if (!json_is_true(json_object_get(rec, "active"))) {
		/*
		 * Within the grace period a retry (a lost response) gets
		 * a new pair; otherwise this is a stolen token being
		 * replayed, and the whole chain goes.
		 */
		grace = same && oconf->refresh_grace > 0 && now <
		    json_integer_value(json_object_get(rec, "used_at")) +
		    oconf->refresh_grace;
		if (!grace) {
			if (!otoken_revoke_request(t, ojson_str(rec,
			    "request_id"))) {
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
	if ((v = json_object_get(rec, "token_exp")) == NULL)
		v = json_object_get(rec, "exp");
	exp = json_integer_value(v);
	if (exp != 0 && now >= exp) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The refresh token has expired.");
		goto out;
	}
	if (!same) {
		oerr_set(&op->fail, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(&op->fail, "The OAuth 2.0 Client ID from this request "
		    "does not match the ID during the initial token "
		    "issuance.");
		goto out;
	}
	/*
	 * OpenID Connect Core §12.2: a refreshed ID token SHOULD NOT
	 * have a nonce.  The refresh token keeps the scope first granted;
	 * the new access and ID tokens get the narrowed one (RFC 6749 §6).
	 */
	rt_grant = otoken_grant(rec);
	json_object_del(rt_grant, "nonce");
	grant = json_deep_copy(rt_grant);
	if (op->scope != NULL) {
		json_array_foreach(op->scope, i, v)
			if (!has_str(json_object_get(rt_grant, "scope"),
			    json_string_value(v))) {
				oerr_set(&op->fail, OERR_INVALID_SCOPE, "The "
				    "requested scope is invalid, unknown, or "
				    "malformed.");
				oerr_hint(&op->fail, "The requested scope '%s' "
				    "was not granted to this refresh token.",
				    json_string_value(v));
				goto out;
			}
		json_object_set(grant, "scope", op->scope);
	}
	/* The access token issued with this refresh token goes. */
	if (unhex_id(ojson_str(rec, "access_id"), aid) && !otoken_delete(t, aid)) {
		oerr_set(err, OERR_SERVER_ERROR, "The old access token could "
		    "not be revoked.");
		rc = 0;
		goto out;
	}
	if ((!grace && !otoken_use(t, op->id, rec, err)) ||
	    (op->resp = ogrant_issue_refresh(t, grant, rt_grant, client,
	    OISSUE_ACCESS | OISSUE_REFRESH | OISSUE_IDTOKEN | OISSUE_DEFER,
	    "refresh_token", err)) == NULL)
		rc = 0;
out:
	json_decref(rec);
	json_decref(rt_grant);
	json_decref(grant);
	return rc;
}

/*
 * Check a client_credentials request (RFC 6749 §4.4) in fosite's order
 * and build its grant into op->grant: requested scope within the
 * client's scope, requested audience within its audience (both by
 * exact match), confidential clients only; sub is the client_id and
 * the grant a chain of its own.  Returns 1, or 0 with err set.
 */
static int
cc_prepare(const struct oparams *p, struct grant_op *op,
    const json_t *client, struct oerr *err)
{
	json_t		*allowed = json_array(), *aud = json_array(), *v;
	char		 rid[37];
	size_t		 i;
	int		 rc = 0;

	split_into(allowed, ojson_str(client, "scope"), 1024);
	json_array_foreach(op->scope, i, v)
		if (!has_str(allowed, json_string_value(v))) {
			oerr_set(err, OERR_INVALID_SCOPE, "The requested scope "
			    "is invalid, unknown, or malformed.");
			oerr_hint(err, "The OAuth 2.0 Client is not allowed to "
			    "request scope '%s'.", json_string_value(v));
			goto out;
		}
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, "audience") == 0 &&
		    !split_into(aud, p->v[i].value, AUDIENCES_MAX)) {
			oerr_set(err, OERR_INVALID_REQUEST, "The request has "
			    "more than %d audiences.", AUDIENCES_MAX);
			goto out;
		}
	json_array_foreach(aud, i, v)
		if (!has_str(json_object_get(client, "audience"),
		    json_string_value(v))) {
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
	if (strcmp(ojson_str(client, "token_endpoint_auth_method"), "none") == 0) {
		oerr_set(err, OERR_INVALID_GRANT, BAD_GRANT);
		oerr_hint(err, "The client is public and thus not allowed to "
		    "use grant type client_credentials.");
		goto out;
	}
	ocrypto_uuid4(rid);
	op->grant = json_pack("{s:s,s:s,s:s,s:O,s:O,s:I,s:{s:{},s:{}}}",
	    "request_id", rid, "client_id", ojson_str(client, "client_id"),
	    "sub", ojson_str(client, "client_id"), "scope", op->scope,
	    "aud", aud, "requested_at", (json_int_t)onow(),
	    "session", "id_token", "access_token");
	if (op->grant == NULL)
		abort();
	rc = 1;
out:
	json_decref(allowed);
	json_decref(aud);
	return rc;
}

/*
 * Wipe the credentials of a token response before it is freed: jansson
 * owns the strings and frees them unwiped otherwise.
 */
static void
wipe_response(json_t *resp)
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
}

/* The write transaction of a token request. */
static int
token_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct grant_op	*op = arg;
	json_t		*client;
	struct oerr	 e;
	int		 rc;

	/* Run again from the start when the map grew. */
	wipe_response(op->resp);
	json_decref(op->resp);
	op->resp = NULL;
	oerr_clear(&op->fail);
	oerr_clear(&e);
	if (!olife_flush(t, onow(), FLUSH_MAX, NULL)) {
		oerr_set(err, OERR_SERVER_ERROR, "Expired records could not "
		    "be flushed.");
		return 0;
	}
	if (!jti_use(t, op->auth, err))
		return 0;
	/* Loaded again here: a client deleted meanwhile gets nothing. */
	if ((client = oclient_load_cached(t, op->auth->id, &e)) == NULL) {
		oerr_set(err, e.code == OERR_NOT_FOUND ? OERR_INVALID_CLIENT :
		    e.code, "%s", e.description);
		return 0;
	}
	if (strcmp(op->type, "authorization_code") == 0)
		rc = code_grant(t, op, client, err);
	else if (strcmp(op->type, "refresh_token") == 0)
		rc = refresh_grant(t, op, client, err);
	else {
		/* Stateless when it can be (tokens.h). */
		switch (ogrant_issue_stateless(t, 1, op->grant, client,
		    "client_credentials", &op->resp, err)) {
		case OGRANT_OK:
			rc = 1;
			break;
		case OGRANT_STORE:
			rc = (op->resp = ogrant_issue(t, op->grant, client,
			    OISSUE_ACCESS, NULL, "client_credentials",
			    err)) != NULL;
			break;
		default:
			rc = 0;
			break;
		}
	}
	json_decref(client);
	return rc;
}

/* POST /oauth2/token */
static void
token(struct oreq *req)
{
	static const char *const types[] = { "authorization_code",
	    "refresh_token", "client_credentials", NULL };
	struct oerr		 err;
	struct client_auth	 auth;
	struct grant_op		 op;
	struct ostore_txn	*t;
	const struct oparams	*p;
	const char		*type, *tok;
	enum ogrant_rc		 sl;
	size_t			 i;

	oerr_clear(&err);
	memset(&auth, 0, sizeof(auth));
	memset(&op, 0, sizeof(op));
	if ((p = ohttp_form(req, &err)) == NULL ||
	    !oform_check(p, token_fields, sizeof(token_fields) /
	    sizeof(token_fields[0]), &err) ||
	    !authenticate(req, p, &auth, &err))
		goto fail;
	type = param(p, "grant_type");
	for (i = 0; types[i] != NULL && strcmp(types[i], type) != 0; i++)
		continue;
	if (types[i] == NULL) {
		oerr_set(&err, OERR_UNSUPPORTED_GRANT_TYPE, "The authorization "
		    "grant type is not supported by the authorization "
		    "server.");
		oerr_hint(&err, "The grant type '%.64s' is not supported.",
		    type);
		goto fail;
	}
	if (!has_str(json_object_get(auth.client, "grant_types"), type)) {
		oerr_set(&err, OERR_UNAUTHORIZED_CLIENT, "The client is not "
		    "authorized to request a token using this method.");
		oerr_hint(&err, "The OAuth 2.0 Client is not allowed to use "
		    "authorization grant '%s'.", type);
		goto fail;
	}
	op.type = type;
	op.auth = &auth;
	op.p = p;
	if (param(p, "scope") != NULL) {
		op.scope = json_array();
		if (!split_into(op.scope, param(p, "scope"), SCOPES_MAX)) {
			oerr_set(&err, OERR_INVALID_SCOPE, "The request has "
			    "more than %d scopes.", SCOPES_MAX);
			goto fail;
		}
	}
	if (strcmp(type, "authorization_code") == 0) {
		if ((tok = param(p, "code")) == NULL) {
			oerr_set(&err, OERR_INVALID_REQUEST, "The request is "
			    "missing the required parameter 'code'.");
			goto fail;
		}
		if (!otoken_check(tok, OTOKEN_CODE, op.id)) {
			oerr_set(&err, OERR_INVALID_GRANT, BAD_GRANT);
			oerr_hint(&err, "The authorization code is malformed "
			    "or was not issued by this server.");
			goto fail;
		}
		op.code = tok;
	} else if (strcmp(type, "refresh_token") == 0) {
		if ((tok = param(p, "refresh_token")) == NULL) {
			oerr_set(&err, OERR_INVALID_REQUEST, "The request is "
			    "missing the required parameter 'refresh_token'.");
			goto fail;
		}
		if (!otoken_check(tok, OTOKEN_REFRESH, op.id)) {
			oerr_set(&err, OERR_INVALID_GRANT, BAD_GRANT);
			oerr_hint(&err, "The refresh token is malformed or was "
			    "not issued by this server.");
			goto fail;
		}
	} else {
		if (op.scope == NULL)
			op.scope = json_array();
		if (!cc_prepare(p, &op, auth.client, &err))
			goto fail;
		/*
		 * No write at all for a stateless token (tokens.h) whose
		 * shared grant is stored: the client is as it authenticated,
		 * and a client deleted since voids the token anyway.  A jti
		 * to spend needs the write transaction below.
		 */
		if (!auth.has_jti) {
			/* Keys first when a JWT is signed here. */
			if (ogrant_jwt_access(auth.client) &&
			    !ogrant_prepare(&err))
				goto fail;
			if ((t = ostore_read_begin(&err)) == NULL)
				goto fail;
			sl = ogrant_issue_stateless(t, 0, op.grant,
			    auth.client, "client_credentials", &op.resp,
			    &err);
			ostore_read_end(t);
			if (sl == OGRANT_ERR)
				goto fail;
			if (sl == OGRANT_OK) {
				ometrics_tokens(type, op.resp);
				ohttp_send_json(req, 200, op.resp);
				goto out;
			}
		}
	}
	/*
	 * NOTE: KEYS ARE LOADED BEFORE THE WRITE TRANSACTION, and the ID
	 * token is signed after it (OISSUE_DEFER).
	 */
	if (!ogrant_prepare(&err) || !ostore_write(token_fn, &op, &err))
		goto fail;
	if (oerr_isset(&op.fail))
		send_error(req, &auth, &op.fail);
	else if (!ogrant_finish(op.resp, &err))
		goto fail;
	else {
		ometrics_tokens(type, op.resp);
		ohttp_send_json(req, 200, op.resp);
	}
	goto out;
fail:
	send_error(req, &auth, &err);
out:
	json_decref(auth.client);
	json_decref(op.scope);
	json_decref(op.grant);
	wipe_response(op.resp);
	json_decref(op.resp);
}

/* A revocation request, carried into its write transaction. */
struct revoke_op {
	struct client_auth	*auth;
	const char		*tok;		/* as presented */
	unsigned char		 id[OTOKEN_ID_LEN];
	struct oerr		 fail;
};

/* The write transaction of a revocation request. */
static int
revoke_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct revoke_op	*op = arg;
	json_t			*rec;
	int			 rc = 1;

	oerr_clear(&op->fail);
	if (!olife_flush(t, onow(), FLUSH_MAX, NULL)) {
		oerr_set(err, OERR_SERVER_ERROR, "Expired records could not "
		    "be flushed.");
		return 0;
	}
	if (!jti_use(t, op->auth, err))
		return 0;
	/* RFC 7009 §2.2: an unknown token is not an error. */
	if ((rec = otoken_lookup(t, op->tok, op->id)) == NULL)
		return 1;
	if (strcmp(ojson_str(rec, "client_id"), op->auth->id) != 0) {
		oerr_set(&op->fail, OERR_UNAUTHORIZED_CLIENT, "The client is "
		    "not authorized to request a token using this method.");
		oerr_hint(&op->fail, "The OAuth 2.0 Client is not allowed to "
		    "revoke a token that was issued to another client.");
	} else if (!otoken_revoke(t, op->id, rec)) {
		/* Both kinds, whichever was presented (Hydra). */
		oerr_set(err, OERR_SERVER_ERROR, "The token could not be "
		    "revoked.");
		rc = 0;
	}
	json_decref(rec);
	return rc;
}

/* POST /oauth2/revoke (RFC 7009 §2.1) */
static void
revoke(struct oreq *req)
{
	struct oerr		 err;
	struct client_auth	 auth;
	struct revoke_op	 op;
	const struct oparams	*p;
	enum otoken_kind	 kind;

	oerr_clear(&err);
	memset(&auth, 0, sizeof(auth));
	memset(&op, 0, sizeof(op));
	op.auth = &auth;
	if ((p = ohttp_form(req, &err)) == NULL ||
	    !oform_check(p, revoke_fields, sizeof(revoke_fields) /
	    sizeof(revoke_fields[0]), &err) ||
	    !authenticate(req, p, &auth, &err))
		goto fail;
	/*
	 * token_type_hint is only a hint (RFC 7009 §2.1): the prefix (or
	 * the JWT shape) tells the kind anyway.  Anything not ours is
	 * answered 200, as if revoked.
	 */
	op.tok = param(p, "token");
	if (otoken_identify(op.tok, &kind, op.id)) {
		if (!ostore_write(revoke_fn, &op, &err))
			goto fail;
		if (oerr_isset(&op.fail)) {
			send_error(req, &auth, &op.fail);
			goto out;
		}
	} else if (auth.has_jti && !ostore_write(revoke_fn, &op, &err))
		goto fail;	/* the assertion is spent all the same */
	ohttp_send(req, 200, NULL, NULL, 0);
	goto out;
fail:
	send_error(req, &auth, &err);
out:
	json_decref(auth.client);
}

/*
 * Answer a userinfo error with RFC 6750 §3's WWW-Authenticate: no error
 * code when the request had no token at all (§3.1).
 */
static void
bearer_error(struct oreq *req, const struct oerr *err, int no_token)
{
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
 * The userinfo claims (OpenID Connect Core §5.3.2): sub, and the
 * consent's session.id_token claims that are not registered ID token
 * claims (Hydra leaves out nonce, at_hash, c_hash, exp, sid and jti;
 * here every registered claim is left out, sub comes from the grant).
 * A new object.
 */
static json_t *
userinfo_claims(const json_t *rec)
{
	static const char *const reserved[] = { "iss", "sub", "aud", "exp",
	    "iat", "nbf", "jti", "auth_time", "nonce", "at_hash", "c_hash",
	    "acr", "amr", "sid", "rat", "azp", NULL };
	json_t		*c, *v;
	const char	*k;
	size_t		 i;
	int		 skip;

	c = json_pack("{s:s}", "sub", ojson_str(rec, "sub"));
	json_object_foreach(json_object_get(json_object_get(rec, "session"),
	    "id_token"), k, v) {
		for (skip = 0, i = 0; reserved[i] != NULL; i++)
			skip |= strcmp(k, reserved[i]) == 0;
		if (!skip)
			json_object_set(c, k, v);
	}
	return c;
}

/*
 * GET, POST /userinfo (OpenID Connect Core §5.3).  The access token
 * comes in the Authorization header (RFC 6750 §2.1) or, on POST, in
 * the form (§2.2).  As Hydra, the token need not carry scope openid:
 * a client_credentials token gets {"sub": <client_id>}.
 */
static void
userinfo(struct oreq *req)
{
	struct oerr		 err;
	struct ostore_txn	*t = NULL;
	const struct oparams	*p;
	const struct ojwk	*key;
	const char		*tok = NULL, *ftok = NULL;
	enum ohttp_auth		 b;
	enum otoken_kind	 kind;
	unsigned char		 id[OTOKEN_ID_LEN];
	json_t			*rec = NULL, *client = NULL, *claims = NULL;
	char			*payload, *jws;
	int			 no_token = 0;

	oerr_clear(&err);
	if ((b = ohttp_bearer(req, &tok, &err)) == OHTTP_AUTH_BAD)
		goto fail;
	if (req->method == OHTTP_POST) {
		if ((p = ohttp_form(req, &err)) == NULL)
			goto fail;
		ftok = param(p, "access_token");
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
	if (!otoken_identify(tok, &kind, id)) {
		oerr_set(&err, OERR_INVALID_TOKEN, "The access token is "
		    "malformed or was not issued by this server.");
		goto fail;
	}
	if (kind != OTOKEN_ACCESS) {
		oerr_set(&err, OERR_INVALID_TOKEN, "Only an access token can "
		    "be used here.");
		goto fail;
	}
	if ((t = ostore_read_begin(&err)) == NULL)
		goto fail;
	rec = otoken_lookup(t, tok, id);
	if (!otoken_live(rec, OTOKEN_ACCESS, onow())) {
		ostore_read_end(t);
		oerr_set(&err, OERR_INVALID_TOKEN, "The access token has "
		    "expired or was revoked.");
		goto fail;
	}
	client = oclient_load_cached(t, ojson_str(rec, "client_id"), &err);
	ostore_read_end(t);
	if (client == NULL) {
		oerr_clear(&err);
		oerr_set(&err, OERR_INVALID_TOKEN, "The access token's client "
		    "no longer exists.");
		goto fail;
	}
	claims = userinfo_claims(rec);
	if (strcmp(ojson_str(client, "userinfo_signed_response_alg"), "RS256") !=
	    0) {
		ohttp_send_json(req, 200, claims);
		goto out;
	}
	/* OpenID Connect Core §5.3.2: signed, with iss and aud. */
	json_object_set_new(claims, "iss", json_string(oconf->issuer));
	json_object_set_new(claims, "aud", json_pack("[s]", ojson_str(client,
	    "client_id")));
	if ((key = okeys_signer(OKEYS_ID_TOKEN, &err)) == NULL)
		goto fail;
	payload = ojson_dump(&req->arena, claims, NULL);
	if ((jws = ojws_sign(key, "RS256", NULL, payload, strlen(payload),
	    &err)) == NULL) {
		oerr_status(&err, 500);
		goto fail;
	}
	ohttp_send(req, 200, "application/jwt", jws, strlen(jws));
	ojose_free(jws);
	goto out;
fail:
	if (err.code == OERR_INVALID_TOKEN || no_token ||
	    (err.code == OERR_INVALID_REQUEST && err.status == 400))
		bearer_error(req, &err, no_token);
	else
		ohttp_send_error(req, &err);
out:
	json_decref(rec);
	json_decref(client);
	json_decref(claims);
}

const struct oroute token_routes[] = {
	{ OHTTP_M(POST), OLISTEN_PUBLIC, "/oauth2/token", token },
	{ OHTTP_M(POST), OLISTEN_PUBLIC, "/oauth2/revoke", revoke },
	{ OHTTP_M(GET) | OHTTP_M(POST), OLISTEN_PUBLIC, "/userinfo",
	    userinfo },
};
const size_t token_nroutes = sizeof(token_routes) / sizeof(token_routes[0]);
