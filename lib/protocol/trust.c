/*
 * trust.c: the JWT Bearer grant and the admin API of its trust
 * relationships (see trust.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/jti.h"
#include "records/trust.h"
#include "protocol/clientauth.h"
#include "protocol/trust.h"

#define FIELD_MAX	1024	/* bytes of issuer, subject */
#define SCOPES_MAX	64
#define SKEW		30	/* seconds of clock difference allowed */
#define MAX_TTL_DEFAULT	(720 * 3600)
/* The jti marks of assertions are kept apart from client ids. */
#define JTI_PREFIX	"urn:oidcgi:jwt-bearer:"

static const char *const assertion_algs[] = {
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
	"ES384", "ES512", "EdDSA", NULL
};

/* A record as Hydra's trustedOAuth2JwtGrantIssuer.  A new reference. */
static json_t *
view(const json_t *rec)
{
	char	 c[32], e[32];

	otime_rfc3339(ojson_int(rec, "created_at"), c, sizeof(c));
	otime_rfc3339(ojson_int(rec, "expires_at"), e, sizeof(e));
	return json_pack("{s:s, s:s, s:s, s:b, s:O, s:{s:s, s:s}, s:s, s:s}",
	    "id", ojson_str(rec, "id"),
	    "issuer", ojson_str(rec, "issuer"),
	    "subject", ojson_str(rec, "subject"),
	    "allow_any_subject", json_is_true(json_object_get(rec,
	    "allow_any_subject")),
	    "scope", json_object_get(rec, "scope"),
	    "public_key", "set", ojson_str(rec, "issuer"),
	    "kid", ojson_str(rec, "kid"),
	    "created_at", c, "expires_at", e);
}

/*
 * The record of a create request, checked as Hydra's validator does.
 * A new reference, or NULL with a 400 naming the field.
 */
static json_t *
build(const json_t *in, struct oerr *err)
{
	const char	*iss = NULL, *sub = NULL, *exp = NULL;
	json_t		*scope = NULL, *jwk = NULL, *pub = NULL, *rec = NULL;
	struct ojwk	*k = NULL;
	struct oerr	 e;
	int		 any = 0;
	int64_t		 expires;
	char		 id[37];

	oerr_clear(&e);
	if (!json_is_object(in)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The body must be a JSON "
		    "object.");
		return NULL;
	}
	if (!ojson_get_str(in, "issuer", FIELD_MAX, OJSON_REQUIRED |
	    OJSON_NONEMPTY, &iss, err) ||
	    !ojson_get_str(in, "subject", FIELD_MAX, 0, &sub, err) ||
	    !ojson_get_bool(in, "allow_any_subject", 0, &any, err) ||
	    !ojson_get_strarray(in, "scope", SCOPES_MAX, 256, 0, &scope,
	    err) ||
	    !ojson_get_object(in, "jwk", OJSON_REQUIRED, &jwk, err) ||
	    !ojson_get_str(in, "expires_at", 64, OJSON_REQUIRED |
	    OJSON_NONEMPTY, &exp, err))
		goto out;
	if (sub != NULL && *sub == '\0')
		sub = NULL;
	if (sub != NULL && any) {
		oerr_set(err, OERR_INVALID_REQUEST, "The fields 'subject' and "
		    "'allow_any_subject' are mutually exclusive: set one.");
		goto out;
	}
	if (sub == NULL && !any) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'subject' is "
		    "required unless 'allow_any_subject' is true.");
		goto out;
	}
	if (!otime_parse_rfc3339(exp, &expires)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'expires_at' "
		    "must be an RFC 3339 date-time.");
		goto out;
	}
	if (expires <= onow()) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'expires_at' "
		    "must be in the future.");
		goto out;
	}
	if (!json_is_string(json_object_get(jwk, "kid")) ||
	    *json_string_value(json_object_get(jwk, "kid")) == '\0') {
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'jwk' must "
		    "contain a JWK with a 'kid'.");
		goto out;
	}
	if ((k = ojwk_import(jwk, 0, &e)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'jwk' is not a "
		    "usable JSON Web Key: %s", e.description);
		goto out;
	}
	if (strcmp(ojwk_kty(k), "oct") == 0 ||
	    (pub = ojwk_export(k, 0, &e)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'jwk' must be "
		    "a public key (RSA, EC or OKP).");
		goto out;
	}
	/* scope is borrowed from in (ojson_get_strarray()). */
	scope = scope != NULL ? json_incref(scope) : json_array();
	ocrypto_uuid4(id);
	rec = json_pack("{s:i, s:s, s:s, s:s, s:b, s:O, s:O, s:s, s:I, s:I}",
	    "_v", 1, "id", id, "issuer", iss, "subject", sub != NULL ? sub :
	    "", "allow_any_subject", any, "scope", scope, "jwk", pub,
	    "kid", ojwk_kid(k), "created_at", (json_int_t)onow(),
	    "expires_at", (json_int_t)expires);
out:
	json_decref(scope);
	json_decref(pub);
	ojwk_free(k);
	return rec;
}

/* The write of a create. */
static int
create_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return otrust_insert(t, arg, err);
}

json_t *
otrust_api_create(const json_t *in, struct oerr *err)
{
	json_t	*rec, *out = NULL;

	if ((rec = build(in, err)) == NULL)
		return NULL;
	if (ostore_write(create_fn, rec, err))
		out = view(rec);
	json_decref(rec);
	return out;
}

json_t *
otrust_api_get(const char *id, struct oerr *err)
{
	struct ostore_txn	*t;
	json_t			*rec, *out = NULL;

	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	if ((rec = otrust_load(t, id, err)) != NULL)
		out = view(rec);
	ostore_read_end(t);
	json_decref(rec);
	return out;
}

json_t *
otrust_api_list(const char *issuer, size_t offset, size_t limit,
    size_t *total, struct oerr *err)
{
	struct ostore_txn	*t;
	json_t			*recs, *out = NULL, *v;
	size_t			 i;

	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	recs = otrust_list(t, issuer, offset, limit, total, err);
	ostore_read_end(t);
	if (recs == NULL)
		return NULL;
	out = json_array();
	json_array_foreach(recs, i, v)
		json_array_append_new(out, view(v));
	json_decref(recs);
	return out;
}

/* The write of a delete. */
static int
delete_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	return otrust_erase(t, arg, err);
}

int
otrust_api_delete(const char *id, struct oerr *err)
{
	return ostore_write(delete_fn, (void *)id, err);
}

/* 1 if the array of strings arr has s. */
static int
has(const json_t *arr, const char *s)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(arr, i, v)
		if (ojson_is(v, s))
			return 1;
	return 0;
}

void
otrust_jwt_free(struct otrust_jwt *j)
{
	json_decref(j->claims);
	json_decref(j->scope);
	memset(j, 0, sizeof(*j));
}

int
otrust_jwt_verify(struct oarena *arena, const char *jwt, const char *name,
    unsigned flags, struct otrust_jwt *out, struct oerr *err)
{
	struct ostore_txn	*t;
	struct ojwks		*keys = NULL;
	struct ojws		*jws = NULL;
	struct ojwk		*k;
	struct oerr		 e;
	json_t			*un = NULL, *trusts = NULL, *claims = NULL;
	json_t			*v, *trust = NULL;
	const char		*iss, *sub, *aud = NULL, *jti;
	int64_t			 now = onow(), maxttl, exp;
	size_t			 i;
	int			 assertion = (flags & OTRUST_ASSERTION) != 0;
	int			 rc = 0;

	memset(out, 0, sizeof(*out));
	oerr_clear(&e);
	if ((un = ojws_peek(jwt, 1)) == NULL ||
	    (iss = json_string_value(json_object_get(un, "iss"))) == NULL ||
	    (sub = json_string_value(json_object_get(un, "sub"))) == NULL ||
	    *iss == '\0' || *sub == '\0') {
		oerr_set(err, OERR_INVALID_GRANT, "The %s must be a JWT with "
		    "the claims 'iss' and 'sub' (RFC 7523 §3).", name);
		goto out;
	}
	if ((t = ostore_read_begin(err)) == NULL)
		goto out;
	trusts = otrust_match(t, iss, sub, now, err);
	ostore_read_end(t);
	if (trusts == NULL)
		goto out;
	if (json_array_size(trusts) == 0) {
		oerr_set(err, OERR_INVALID_GRANT, "No trust relationship "
		    "allows the issuer '%.200s' to assert the subject "
		    "'%.200s'.", iss, sub);
		goto out;
	}
	keys = ojwks_new();
	json_array_foreach(trusts, i, v)
		if ((k = ojwk_import(json_object_get(v, "jwk"), 0, &e)) !=
		    NULL)
			ojwks_add(keys, k);
	oerr_clear(&e);
	if ((jws = ojws_verify(jwt, strlen(jwt), keys->keys, keys->nkeys,
	    assertion_algs, &e)) == NULL ||
	    (claims = ojwt_claims(jws, &e)) == NULL) {
		oerr_set(err, OERR_INVALID_GRANT, "The %s could not be "
		    "verified with the key of the trusted issuer: %s", name,
		    e.description);
		goto out;
	}
	/* The relationship whose key verified it. */
	json_array_foreach(trusts, i, v)
		if (strcmp(ojson_str(v, "kid"), ojwk_kid(jws->key)) == 0) {
			trust = v;
			break;
		}
	if (trust == NULL)
		trust = json_array_get(trusts, 0);
	/*
	 * An assertion must name us (RFC 7523 §3 item 3); another JWT
	 * may have no aud, but one it has must name us.
	 */
	if ((assertion || json_object_get(claims, "aud") != NULL) &&
	    (aud = oclientauth_aud(arena, claims)) == NULL) {
		oerr_set(err, OERR_INVALID_GRANT, "The %s's 'aud' must name "
		    "the token endpoint %soauth2/token or the issuer.", name,
		    oconf->issuer);
		goto out;
	}
	if (!ojwt_check(claims, iss, aud, now, SKEW, OJWT_REQUIRE_EXP |
	    (assertion ? OJWT_REQUIRE_IAT : 0), &e)) {
		oerr_set(err, OERR_INVALID_GRANT, "The %s is not valid: %s",
		    name, e.description);
		goto out;
	}
	if (!ojson_is(json_object_get(claims, "sub"), sub)) {
		oerr_set(err, OERR_INVALID_GRANT, "The %s's 'sub' changed.",
		    name);
		goto out;
	}
	maxttl = oconf->jwt_max_ttl > 0 ? oconf->jwt_max_ttl :
	    MAX_TTL_DEFAULT;
	exp = (int64_t)json_integer_value(json_object_get(claims, "exp"));
	if (exp - now > maxttl) {
		oerr_set(err, OERR_INVALID_GRANT, "The %s's 'exp' is more "
		    "than %lld seconds away (oauth2.grant.jwt.max_ttl).", name,
		    (long long)maxttl);
		goto out;
	}
	v = json_object_get(claims, "jti");
	jti = json_string_value(v);
	if ((v != NULL || assertion) && (jti == NULL || *jti == '\0' ||
	    strlen(jti) > 1024)) {
		oerr_set(err, OERR_INVALID_GRANT, "The %s must have a%s "
		    "'jti' claim (a non-empty string).", name, assertion ? "" :
		    " valid");
		goto out;
	}
	out->iss = oarena_strdup(arena, iss);
	out->sub = oarena_strdup(arena, sub);
	out->scope = json_incref(json_object_get(trust, "scope"));
	if (out->scope == NULL)
		out->scope = json_array();
	if (jti != NULL) {
		ojti_key(oarena_printf(arena, "%s%s", JTI_PREFIX, iss), jti,
		    out->jti);
		out->jti_exp = exp + SKEW;
		out->has_jti = 1;
	}
	out->claims = claims;
	claims = NULL;
	rc = 1;
out:
	json_decref(claims);
	ojws_free(jws);
	ojwks_free(keys);
	json_decref(trusts);
	json_decref(un);
	return rc;
}

int
otrust_assertion_check(struct oarena *arena, const char *assertion,
    const json_t *scope, const struct oclient *client,
    struct otrust_grant *g, struct oerr *err)
{
	struct otrust_jwt	 j;
	json_t			*v;
	const char		*w;
	size_t			 i;
	int			 rc = 0;

	memset(g, 0, sizeof(*g));
	if (!otrust_jwt_verify(arena, assertion, "assertion",
	    OTRUST_ASSERTION, &j, err))
		return 0;
	json_array_foreach(scope, i, v) {
		w = json_string_value(v);
		if (!has(j.scope, w)) {
			oerr_set(err, OERR_INVALID_SCOPE, "The requested scope "
			    "is invalid, unknown, or malformed.");
			oerr_hint(err, "The trust relationship of issuer "
			    "'%.200s' does not allow scope '%.200s'.", j.iss,
			    w);
			goto out;
		}
		if (!oclient_has_scope(client, w)) {
			oerr_set(err, OERR_INVALID_SCOPE, "The requested scope "
			    "is invalid, unknown, or malformed.");
			oerr_hint(err, "The OAuth 2.0 Client is not allowed to "
			    "request scope '%.200s'.", w);
			goto out;
		}
	}
	g->sub = j.sub;
	memcpy(g->jti, j.jti, sizeof(g->jti));
	g->jti_exp = j.jti_exp;
	rc = 1;
out:
	otrust_jwt_free(&j);
	return rc;
}
