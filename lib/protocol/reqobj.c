/*
 * reqobj.c: request objects and pushed requests' request_uri (see
 * reqobj.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/curl.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/url.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/pushed.h"
#include "protocol/clientkeys.h"
#include "protocol/reqobj.h"

/* Clock skew allowed on a request object's exp, nbf and iat. */
#define SKEW	60

/* The claims of a JWT that are not authorization request parameters. */
static const char *const jwt_claims[] = {
	"iss", "aud", "exp", "nbf", "iat", "jti", "sub", NULL
};

static int
in_list(const char *s, const char *const *l)
{
	for (; *l != NULL; l++)
		if (strcmp(s, *l) == 0)
			return 1;
	return 0;
}

/* Append name=value to out (arena copies); out->v has room. */
static void
add(struct oarena *ar, struct oparams *out, const char *name,
    const char *value)
{
	struct oparam	*v = &out->v[out->n++];

	v->name = oarena_strdup(ar, name);
	v->value = oarena_strdup(ar, value);
	v->vlen = strlen(value);
}

/*
 * The claims of an unsigned request object (alg "none"), for a client
 * that registered request_object_signing_alg "none" (OpenID Connect
 * Core §6.1: iss and aud checked when present).  NULL with
 * invalid_request_object in err otherwise.
 */
static json_t *
unsigned_claims(const struct oclient *c, const char *jwt, struct oerr *err)
{
	json_t		*h, *claims = NULL;
	struct oerr	 e;
	int		 ok;

	oerr_clear(&e);
	/* The signature segment empty (RFC 7519 §6.1). */
	h = ojws_peek(jwt, 0);
	ok = h != NULL && jwt[strlen(jwt) - 1] == '.' &&
	    strcmp(ojson_str(h, "alg"), "none") == 0 &&
	    json_object_get(h, "crit") == NULL;
	json_decref(h);
	if (!ok || (claims = ojws_peek(jwt, 1)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST_OBJECT, "The client "
		    "registered request_object_signing_alg 'none': the "
		    "request object must be an unsigned JWT (alg none, no "
		    "signature).");
		return NULL;
	}
	if (!ojwt_check(claims, json_object_get(claims, "iss") != NULL ?
	    c->id : NULL, json_object_get(claims, "aud") != NULL ?
	    oconf->issuer : NULL, onow(), SKEW, 0, &e)) {
		oerr_set(err, OERR_INVALID_REQUEST_OBJECT, "The request object "
		    "is not valid: %s", e.description);
		json_decref(claims);
		return NULL;
	}
	return claims;
}

/*
 * The verified claims of client c's request object jwt, iss, aud and
 * the times checked.  Returns a new reference, or NULL with
 * invalid_request_object in err.
 */
static json_t *
object_claims(const struct oclient *c, const char *jwt, struct oerr *err)
{
	const char	*algs1[2], *const *algs = NULL;
	const struct ojwks *keys;
	struct ojws	*jws;
	json_t		*claims = NULL, *h;
	struct oerr	 e;

	oerr_clear(&e);
	if (c->request_object_alg != NULL &&
	    strcmp(c->request_object_alg, "none") == 0)
		return unsigned_claims(c, jwt, err);
	if ((h = ojws_peek(jwt, 0)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST_OBJECT, "The request object "
		    "is not a JWS: its header cannot be read.");
		return NULL;
	}
	keys = oclientkeys_get(c, json_string_value(json_object_get(h,
	    "kid")), &e);
	json_decref(h);
	if (keys == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST_OBJECT, "%s",
		    e.description);
		return NULL;
	}
	oerr_clear(&e);
	if (c->request_object_alg != NULL && *c->request_object_alg != '\0') {
		algs1[0] = c->request_object_alg;
		algs1[1] = NULL;
		algs = algs1;
	}
	if (strlen(jwt) > OREQOBJ_MAX ||
	    (jws = ojws_verify(jwt, strlen(jwt), keys->keys, keys->nkeys,
	    algs, &e)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST_OBJECT, "The request object "
		    "could not be verified: %s", e.description[0] != '\0' ?
		    e.description : "it is too long.");
		return NULL;
	}
	claims = ojwt_claims(jws, &e);
	ojws_free(jws);
	if (claims == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST_OBJECT, "The request "
		    "object's payload is not a JSON object: %s",
		    e.description);
		return NULL;
	}
	/* OpenID Connect Core §6.1: iss the client, aud the issuer. */
	if (!ojwt_check(claims, c->id, oconf->issuer, onow(), SKEW, 0, &e)) {
		oerr_set(err, OERR_INVALID_REQUEST_OBJECT, "The request object "
		    "is not valid: %s", e.description);
		json_decref(claims);
		return NULL;
	}
	return claims;
}

/*
 * A claim's value as a parameter's (an arena string): strings as they
 * are, integers in decimal, objects ("claims") as compact JSON.  NULL
 * for any other type.
 */
static const char *
claim_value(struct oarena *ar, const json_t *v)
{
	char		*s, *r;

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		return oarena_printf(ar, "%lld",
		    (long long)json_integer_value(v));
	if (json_is_object(v)) {
		s = json_dumps(v, JSON_COMPACT);
		r = oarena_strdup(ar, s);
		free(s);
		return r;
	}
	return NULL;
}

/*
 * Merge the claims of a request object over p into out.  Returns 1, or
 * 0 with invalid_request_object naming the claim.
 */
static int
merge(struct oarena *ar, const json_t *claims, const struct oparams *p,
    struct oparams *out, struct oerr *err)
{
	const char	*k, *s, *q;
	json_t		*v;
	size_t		 i;

	out->n = 0;
	out->v = oarena_alloc(ar, (p->n + json_object_size(claims) + 1) *
	    sizeof(*out->v));
	json_object_foreach((json_t *)claims, k, v) {
		if (in_list(k, jwt_claims))
			continue;
		if (strcmp(k, "request") == 0 ||
		    strcmp(k, "request_uri") == 0) {
			oerr_set(err, OERR_INVALID_REQUEST_OBJECT, "A request "
			    "object must not hold '%s'.", k);
			return 0;
		}
		if ((s = claim_value(ar, v)) == NULL) {
			oerr_set(err, OERR_INVALID_REQUEST_OBJECT, "The "
			    "request object's claim '%.64s' must be a string.",
			    k);
			return 0;
		}
		/* OpenID Connect Core §6.1: these must agree. */
		if ((strcmp(k, "client_id") == 0 ||
		    strcmp(k, "response_type") == 0) &&
		    (q = oparams_get(p, k)) != NULL && strcmp(q, s) != 0) {
			oerr_set(err, OERR_INVALID_REQUEST_OBJECT, "The "
			    "request object's '%s' differs from the "
			    "request's.", k);
			return 0;
		}
		add(ar, out, k, s);
	}
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, "request") != 0 &&
		    json_object_get(claims, p->v[i].name) == NULL)
			out->v[out->n++] = p->v[i];
	return 1;
}

int
oreqobj_merge(struct oarena *ar, const struct oclient *c,
    const struct oparams *p, struct oparams *out, struct oerr *err)
{
	const char	*jwt;
	json_t		*claims;
	int		 ok;

	if (oparams_count(p, "request") > 1) {
		oerr_set(err, OERR_INVALID_REQUEST, "The parameter 'request' "
		    "must not be included more than once.");
		return 0;
	}
	if ((jwt = oparams_get(p, "request")) == NULL || *jwt == '\0') {
		*out = *p;
		return 1;
	}
	if ((claims = object_claims(c, jwt, err)) == NULL)
		return 0;
	ok = merge(ar, claims, p, out, err);
	json_decref(claims);
	return ok;
}

/* A pushed request's taking (ostore_write()). */
struct take {
	const char	*ref;
	const char	*client_id;
	struct opushed	 rec;
};

static int
take_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct take	*tk = arg;

	opushed_free(&tk->rec);
	switch (opushed_take(t, tk->ref, &tk->rec, err)) {
	case OPUSHED_OK:
		break;
	case OPUSHED_UNKNOWN:
		oerr_set(err, OERR_INVALID_REQUEST_URI, "The request_uri is "
		    "unknown, or was used already.");
		return 0;
	case OPUSHED_EXPIRED:
		oerr_set(err, OERR_INVALID_REQUEST_URI, "The request_uri has "
		    "expired.");
		return 1;	/* gone, and the request is refused */
	default:
		return 0;
	}
	if (strcmp(tk->rec.client_id, tk->client_id) != 0) {
		/* Left in place: another client cannot spend it. */
		oerr_set(err, OERR_INVALID_REQUEST_URI, "The request_uri was "
		    "pushed by another client.");
		return 0;
	}
	return 1;
}

/* The parameters of a taken pushed request into out. */
static int
pushed_params(struct oarena *ar, const json_t *pairs, struct oparams *out,
    struct oerr *err)
{
	const json_t	*e;
	const char	*n, *v;
	size_t		 i;

	out->n = 0;
	out->v = oarena_alloc(ar, (json_array_size(pairs) + 1) *
	    sizeof(*out->v));
	json_array_foreach((json_t *)pairs, i, e) {
		n = json_string_value(json_array_get(e, 0));
		v = json_string_value(json_array_get(e, 1));
		if (n == NULL || v == NULL) {
			oerr_set(err, OERR_SERVER_ERROR, "The pushed "
			    "authorization request is damaged.");
			return 0;
		}
		add(ar, out, n, v);
	}
	return 1;
}

/* The request_uri uri of client_id's request into out. */
static int
from_pushed(struct oarena *ar, const char *uri, const char *client_id,
    struct oparams *out, struct oerr *err)
{
	struct take	 tk;
	int		 ok = 0;

	memset(&tk, 0, sizeof(tk));
	tk.ref = uri + strlen(OREQOBJ_URN);
	tk.client_id = client_id;
	if (*tk.ref == '\0' || strlen(tk.ref) > 128) {
		oerr_set(err, OERR_INVALID_REQUEST_URI, "The request_uri is "
		    "unknown, or was used already.");
		return 0;
	}
	if (ostore_write(take_fn, &tk, err) && err->code == OERR_NONE)
		ok = pushed_params(ar, tk.rec.params, out, err);
	opushed_free(&tk.rec);
	return ok;
}

/*
 * GET the request object at uri (OpenID Connect Core §6.2) with
 * ocurl_get(): http or https, at most OREQOBJ_MAX bytes within
 * OREQOBJ_TIMEOUT_MS.  Returns it (an arena string, surrounding white
 * space trimmed), or NULL with invalid_request_uri in err.
 */
static char *
fetch(struct oarena *ar, const char *uri, struct oerr *err)
{
	struct oerr	 e;
	char		*body, *s, *end, *out;
	size_t		 len;

	oerr_clear(&e);
	if ((body = ocurl_get(uri, OREQOBJ_MAX, OREQOBJ_TIMEOUT_MS,
	    OCURL_HTTP, &len, &e)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST_URI, "The request_uri %s",
		    e.description);
		return NULL;
	}
	for (s = body; *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n';
	    s++)
		;
	for (end = body + len; end > s && (end[-1] == ' ' ||
	    end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'); end--)
		;
	out = oarena_strndup(ar, s, (size_t)(end - s));
	free(body);
	return out;
}

/*
 * The request object of client c at uri, a URL of its request_uris
 * (the fragment aside, OpenID Connect Core §6.2), merged over p
 * without its request_uri, into out.
 */
static int
from_reference(struct oarena *ar, const struct oclient *c, const char *uri,
    const struct oparams *p, struct oparams *out, struct oerr *err)
{
	struct oparams	 q;
	char		*base, *jwt;
	size_t		 i;

	base = oarena_strndup(ar, uri, strcspn(uri, "#"));
	for (i = 0; i < c->nrequest_uris; i++)
		if (strcmp(c->request_uris[i], base) == 0)
			break;
	if (i == c->nrequest_uris) {
		oerr_set(err, OERR_INVALID_REQUEST_URI, "The request_uri is "
		    "not one the client registered in its request_uris.");
		return 0;
	}
	if ((jwt = fetch(ar, base, err)) == NULL)
		return 0;
	q.n = 0;
	q.v = oarena_alloc(ar, (p->n + 1) * sizeof(*q.v));
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, "request_uri") != 0)
			q.v[q.n++] = p->v[i];
	add(ar, &q, "request", jwt);
	return oreqobj_merge(ar, c, &q, out, err);
}

int
oreqobj_resolve(struct oarena *ar, const struct oparams *p,
    struct oparams *out, int *pushed, struct oerr *err)
{
	const char		*uri, *req, *cid;
	const struct oclient	*c;
	struct oerr		 e;
	int			 ok;

	*pushed = 0;
	*out = *p;
	uri = oparams_get(p, "request_uri");
	req = oparams_get(p, "request");
	if (uri == NULL && req == NULL)
		return 1;
	if (oparams_count(p, "request_uri") > 1 ||
	    oparams_count(p, "request") > 1 ||
	    oparams_count(p, "client_id") > 1) {
		oerr_set(err, OERR_INVALID_REQUEST, "The parameters "
		    "'request', 'request_uri' and 'client_id' must not be "
		    "included more than once.");
		return 0;
	}
	if (uri != NULL && req != NULL) {
		oerr_set(err, OERR_INVALID_REQUEST, "The request has both "
		    "'request' and 'request_uri'; send one.");
		return 0;
	}
	if ((cid = oparams_get(p, "client_id")) == NULL || *cid == '\0') {
		oerr_set(err, OERR_INVALID_REQUEST, "The request is missing "
		    "the parameter 'client_id'.");
		return 0;
	}
	if (uri != NULL && strncmp(uri, OREQOBJ_URN,
	    strlen(OREQOBJ_URN)) == 0) {
		if (!from_pushed(ar, uri, cid, out, err))
			return 0;
		*pushed = 1;
		return 1;
	}
	oerr_clear(&e);
	if ((c = oclient_fetch(cid, &e)) == NULL) {
		if (e.code != OERR_NOT_FOUND) {
			*err = e;
			return 0;
		}
		return 1;	/* the caller's validation says so */
	}
	if (uri != NULL)
		ok = from_reference(ar, c, uri, p, out, err);
	else
		ok = oreqobj_merge(ar, c, p, out, err);
	oclient_release(c);
	return ok;
}
