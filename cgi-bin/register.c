/*
 * register: OpenID Connect Dynamic Client Registration (RFC 7591,
 * RFC 7592, OpenID Connect Dynamic Registration 1.0) on the public
 * listener, at /oauth2/register (Hydra) and /connect/register (the
 * path of Hydra 1.11's SDK).
 *
 * Anyone may register a client; the server chooses its client_id and
 * secret and returns, once, a registration access token, which alone
 * lets the client read, replace and delete its registration
 * afterwards.  Off unless oidc.dynamic_client_registration.enabled is
 * set: then every path here is a 404.
 *
 * What a registrant may ask for is the operator's policy, as Hydra's
 * oidc.dynamic_client_registration.default_scope is, made safe by
 * default: grant types among .allowed_grant_types (authorization_code,
 * refresh_token and implicit: no client_credentials), a scope within
 * .default_scope (which it gets when it asks for none), audiences among
 * .allowed_audience (none), and no URI the server would request on an
 * internal address (oclient_uris_check()).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "records/clients.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "web/http.h"
#include "web/serve.h"
#include "store/store.h"
#include "base/util.h"

/* One registration operation, the argument of its write function. */
struct reg {
	const char	*id;		/* the client, NULL on create */
	const char	*token;		/* registration access token sent */
	struct oarena	*arena;		/* the request's */
	json_t		*in;		/* request body, or NULL */
	struct oerr	 inerr;		/* why in is NULL */
	json_t		*rec;		/* the record written */
	char		 secret[OCLIENT_SECRET_MAX + 1];
	char		 rat[OCLIENT_SECRET_LEN];	/* new token or "" */
};

/*
 * Answer 404 as Hydra does when registration is off, so that nothing
 * tells whether the endpoint exists.
 */
static void
disabled(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	oerr_set(&err, OERR_NOT_FOUND, "Dynamic client registration is not "
	    "enabled.");
	ohttp_send_error(req, &err);
}

/*
 * Send err; a token failure carries the challenge of RFC 6750 §3
 * (RFC 7592 §3: an invalid registration access token is answered as
 * RFC 6750 describes).
 */
static void
fail(struct oreq *req, const struct oerr *err)
{
	if (err->code == OERR_INVALID_TOKEN)
		ohttp_header(req, "WWW-Authenticate",
		    "Bearer error=\"invalid_token\"");
	ohttp_send_error(req, err);
}

/*
 * The seconds since the epoch of an RFC 3339 UTC time as records hold
 * them ("2024-01-02T03:04:05Z"), or 0 if s is not one.
 */
static long long
epoch_of(const char *s)
{
	struct tm	 tm;
	int		 n = -1;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &n) != 6 || n < 0 || s[n] != '\0')
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm);
}

/*
 * The client information response (RFC 7591 §3.2.1, RFC 7592 §3) for
 * rec: Hydra's view without metadata (the operator's, never the
 * registrant's), the secret and the registration access token when
 * they are new (not NULL and not ""), registration_client_uri,
 * client_id_issued_at and client_secret_expires_at (0: never).
 * Returns a new reference.
 */
static json_t *
view(struct oreq *req, const json_t *rec, const char *secret,
    const char *rat)
{
	json_t		*out;
	const char	*id;

	id = json_string_value(json_object_get(rec, "client_id"));
	out = oclient_view_hydra(rec, secret);
	json_object_del(out, "metadata");
	if (rat != NULL && *rat != '\0')
		json_object_set_new(out, "registration_access_token",
		    json_string(rat));
	json_object_set_new(out, "registration_client_uri", json_string(
	    oarena_printf(&req->arena, "%soauth2/register/%s", oconf->issuer,
	    oform_encode(&req->arena, id))));
	json_object_set_new(out, "client_id_issued_at", json_integer(
	    epoch_of(json_string_value(json_object_get(rec, "created_at")))));
	json_object_set_new(out, "client_secret_expires_at", json_integer(0));
	return out;
}

/*
 * OpenID Connect Dynamic Registration 1.0 §2: redirect_uris is
 * REQUIRED; it is needed whenever a grant type redirects (the
 * authorization code and implicit grants).  Returns 1, or 0 with
 * invalid_redirect_uri (RFC 7591 §3.2.2) in err.
 */
static int
redirects_present(const json_t *rec, struct oerr *err)
{
	json_t		*g;
	const char	*s;
	size_t		 i;

	if (json_array_size(json_object_get(rec, "redirect_uris")) > 0)
		return 1;
	json_array_foreach(json_object_get(rec, "grant_types"), i, g) {
		s = json_string_value(g);
		if (strcmp(s, "authorization_code") == 0 ||
		    strcmp(s, "implicit") == 0) {
			oerr_set(err, OERR_INVALID_REDIRECT_URI, "The field "
			    "'redirect_uris' is required for the grant type "
			    "'%s'.", s);
			return 0;
		}
	}
	return 1;
}

/* 1 if s is one of the entries of l. */
static int
listed(const struct oconf_list *l, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == len && memcmp(l->v[i], s, len) == 0)
			return 1;
	return 0;
}

/* The entries of l separated by sep, in the arena. */
static const char *
joined(struct oarena *a, const struct oconf_list *l, const char *sep)
{
	const char	*out = "";
	size_t		 i;

	for (i = 0; i < l->n; i++)
		out = oarena_printf(a, "%s%s%s", out, i > 0 ? sep : "",
		    l->v[i]);
	return out;
}

/*
 * The operator's policy for self-registered clients (see the top of
 * this file) on the record rec built from the input in: a missing
 * scope becomes oidc.dynamic_client_registration.default_scope.
 * Returns 1, or 0 with invalid_client_metadata naming the field.
 */
static int
policy_ok(struct oarena *a, const json_t *in, json_t *rec, struct oerr *err)
{
	const struct oconf_list	*scopes = &oconf->dcr_scope;
	json_t			*v, *e;
	const char		*s, *p;
	size_t			 i, n;

	json_array_foreach(json_object_get(rec, "grant_types"), i, e) {
		s = json_string_value(e);
		if (listed(&oconf->dcr_grant_types, s, strlen(s)))
			continue;
		oerr_set(err, OERR_INVALID_CLIENT_METADATA, "The field "
		    "'grant_types': '%.64s' is not allowed for dynamically "
		    "registered clients (allowed: %.128s).", s,
		    joined(a, &oconf->dcr_grant_types, ", "));
		return 0;
	}
	json_array_foreach(json_object_get(rec, "audience"), i, e) {
		s = json_string_value(e);
		if (listed(&oconf->dcr_audience, s, strlen(s)))
			continue;
		oerr_set(err, OERR_INVALID_CLIENT_METADATA, "The field "
		    "'audience': '%.64s' is not allowed for dynamically "
		    "registered clients (allowed: %.128s).", s,
		    oconf->dcr_audience.n > 0 ?
		    joined(a, &oconf->dcr_audience, ", ") : "none");
		return 0;
	}
	v = json_object_get(in, "scope");
	if (v == NULL || json_is_null(v) || (json_is_string(v) &&
	    *json_string_value(v) == '\0')) {
		json_object_set_new(rec, "scope",
		    json_string(joined(a, scopes, " ")));
		return 1;
	}
	s = json_string_value(json_object_get(rec, "scope"));
	for (p = s; *p != '\0'; p += n) {
		p += strspn(p, " ");
		if ((n = strcspn(p, " ")) == 0)
			break;
		if (listed(scopes, p, n))
			continue;
		oerr_set(err, OERR_INVALID_CLIENT_METADATA, "The field "
		    "'scope': '%.*s' is not allowed for dynamically "
		    "registered clients (allowed: %.128s).",
		    (int)(n > 64 ? 64 : n), p, joined(a, scopes, " "));
		return 0;
	}
	return 1;
}

/*
 * Load the client of r and check the registration access token sent
 * against it in constant time (RFC 7592 §3).  An unknown client and a
 * wrong token get the same 401 invalid_token (RFC 7592 §3: "If the
 * client does not exist on this server, the server MUST respond with
 * HTTP 401"), after the same work, so neither tells the other apart.
 * Returns the record (a new reference), or NULL with err set.
 */
static json_t *
authorize(struct ostore_txn *t, const struct reg *r, struct oerr *err)
{
	static json_t	*decoy;
	struct oerr	 lerr;
	json_t		*rec;
	char		 tok[OCLIENT_SECRET_LEN];

	if (decoy == NULL) {
		decoy = json_object();
		oclient_rat_new(decoy, tok);
		ocrypto_wipe(tok, sizeof(tok));
	}
	oerr_clear(&lerr);
	rec = oclient_load(t, r->id, &lerr);
	if (rec == NULL && lerr.code != OERR_NOT_FOUND) {
		oerr_set(err, lerr.code, "%s", lerr.description);
		return NULL;
	}
	if (oclient_rat_ok(rec != NULL ? rec : decoy, r->token) &&
	    rec != NULL)
		return rec;
	json_decref(rec);
	oerr_set(err, OERR_INVALID_TOKEN, "The registration access token is "
	    "missing or not valid for this client.");
	return NULL;
}

/*
 * Write function of a registration (RFC 7591 §3.1): build the record
 * with a server-chosen id and secret, give it a registration access
 * token and insert it.
 */
static int
create_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct reg	*r = arg;

	json_decref(r->rec);
	if ((r->rec = oclient_build(r->in, NULL, OCLIENT_DCR |
	    OCLIENT_GEN_ID | OCLIENT_GEN_SECRET, r->secret, err)) == NULL)
		return 0;
	else if (!policy_ok(r->arena, r->in, r->rec, err))
		return 0;
	else if (!redirects_present(r->rec, err))
		return 0;
	oclient_rat_new(r->rec, r->rat);
	return oclient_insert(t, r->rec, err);
}

/*
 * Write function of a replacement (RFC 7592 §2.2): authorize, then
 * replace every member the registrant may set (absent ones take their
 * defaults), keep the secret and what only the operator sets, and
 * rotate the registration access token.
 */
static int
update_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct reg	*r = arg;
	json_t		*old = NULL, *v;
	int		 rc = 0;

	json_decref(r->rec);
	r->rec = NULL;
	v = r->in != NULL ? json_object_get(r->in, "client_id") : NULL;
	if ((old = authorize(t, r, err)) == NULL)
		goto out;
	else if (r->in == NULL) {
		oerr_set(err, r->inerr.code, "%s", r->inerr.description);
		oerr_status(err, r->inerr.status);
		goto out;
	} else if (v != NULL && !json_is_null(v) && (!json_is_string(v) ||
	    strcmp(json_string_value(v), r->id) != 0)) {
		oerr_set(err, OERR_INVALID_CLIENT_METADATA, "The field "
		    "'client_id' must be the client's own (RFC 7592 §2.2).");
		goto out;
	} else if ((r->rec = oclient_build(r->in, old, OCLIENT_DCR |
	    OCLIENT_KEEP_SECRET, r->secret, err)) == NULL)
		goto out;
	else if (!policy_ok(r->arena, r->in, r->rec, err))
		goto out;
	else if (!redirects_present(r->rec, err))
		goto out;
	oclient_rat_new(r->rec, r->rat);
	rc = oclient_replace(t, r->rec, err);
out:
	json_decref(old);
	return rc;
}

/* Write function of a deregistration (RFC 7592 §2.3). */
static int
delete_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct reg	*r = arg;
	json_t		*rec;

	if ((rec = authorize(t, r, err)) == NULL)
		return 0;
	json_decref(rec);
	return oclient_remove(t, r->id, err);
}

/*
 * Fill r from the request: the path's client_id and the Bearer token
 * (RFC 6750 §2.1).  A missing or malformed token leaves r->token NULL,
 * which authorize() refuses like a wrong one.
 */
static void
reg_init(struct oreq *req, struct reg *r)
{
	struct oerr	 err;

	memset(r, 0, sizeof(*r));
	r->arena = &req->arena;
	oerr_clear(&err);
	r->id = req->nparams > 0 ? req->params[0] : NULL;
	if (ohttp_bearer(req, &r->token, &err) != OHTTP_AUTH_OK)
		r->token = NULL;
}

/* Wipe the credentials of r and release what it holds. */
static void
reg_free(struct reg *r)
{
	ocrypto_wipe(r->secret, sizeof(r->secret));
	ocrypto_wipe(r->rat, sizeof(r->rat));
	json_decref(r->in);
	json_decref(r->rec);
}

/*
 * The body as client metadata (RFC 7591 §2), with what the server
 * alone decides taken out: a client_secret (the server chooses it;
 * on a replacement the secret is kept) and client_secret_expires_at
 * (secrets here do not expire).  NULL with err set on a bad body.
 */
static json_t *
metadata(struct oreq *req, struct oerr *err)
{
	json_t	*in;

	if ((in = ohttp_json(req, 1, err)) == NULL)
		return NULL;
	json_object_del(in, "client_secret");
	json_object_del(in, "client_secret_expires_at");
	return in;
}

/*
 * POST /oauth2/register: register a client (RFC 7591 §3.1).  201 with
 * the client information response (RFC 7591 §3.2.1), or 400 with
 * invalid_client_metadata or invalid_redirect_uri (RFC 7591 §3.2.2).
 */
static void
create(struct oreq *req)
{
	struct oerr	 err;
	struct reg	 r;
	json_t		*out = NULL;

	oerr_clear(&err);
	reg_init(req, &r);
	if (!oconf->dcr_enabled)
		disabled(req);
	else if ((r.in = metadata(req, &err)) == NULL)
		fail(req, &err);
	else if (!oclient_uris_check(r.in, OCLIENT_DCR, &err))
		fail(req, &err);
	else if (!ostore_write(create_fn, &r, &err))
		fail(req, &err);
	else {
		out = view(req, r.rec, r.secret, r.rat);
		ohttp_send_json(req, 201, out);
	}
	json_decref(out);
	reg_free(&r);
}

/*
 * GET /oauth2/register/{id}: read a registration (RFC 7592 §2.1), with
 * neither the secret nor the token.
 */
static void
read_one(struct oreq *req)
{
	struct oerr		 err;
	struct reg		 r;
	struct ostore_txn	*t;
	json_t			*rec = NULL, *out = NULL;

	oerr_clear(&err);
	reg_init(req, &r);
	if (!oconf->dcr_enabled) {
		disabled(req);
		goto out;
	}
	if ((t = ostore_read_begin(&err)) == NULL) {
		fail(req, &err);
		goto out;
	}
	rec = authorize(t, &r, &err);
	ostore_read_end(t);
	if (rec == NULL) {
		fail(req, &err);
		goto out;
	}
	out = view(req, rec, NULL, NULL);
	ohttp_send_json(req, 200, out);
out:
	json_decref(rec);
	json_decref(out);
	reg_free(&r);
}

/*
 * PUT /oauth2/register/{id}: replace a registration (RFC 7592 §2.2).
 * 200 with the client information response, which carries the new
 * registration access token (the old one stops working) and a secret
 * only when a new one was issued.
 */
static void
update(struct oreq *req)
{
	struct oerr	 err;
	struct reg	 r;
	json_t		*out = NULL;

	oerr_clear(&err);
	reg_init(req, &r);
	if (!oconf->dcr_enabled) {
		disabled(req);
		goto out;
	}
	/* Authorize first: a bad body is told only to the token's holder. */
	oerr_clear(&r.inerr);
	r.in = metadata(req, &r.inerr);
	/* Names resolve outside the transaction; told after authorizing. */
	if (r.in != NULL && !oclient_uris_check(r.in, OCLIENT_DCR,
	    &r.inerr)) {
		json_decref(r.in);
		r.in = NULL;
	}
	if (!ostore_write(update_fn, &r, &err)) {
		fail(req, &err);
		goto out;
	}
	out = view(req, r.rec, r.secret, r.rat);
	ohttp_send_json(req, 200, out);
out:
	json_decref(out);
	reg_free(&r);
}

/*
 * DELETE /oauth2/register/{id}: deregister (RFC 7592 §2.3): 204, and
 * the client and its registration access token are gone.
 */
static void
delete(struct oreq *req)
{
	struct oerr	 err;
	struct reg	 r;

	oerr_clear(&err);
	reg_init(req, &r);
	if (!oconf->dcr_enabled)
		disabled(req);
	else if (!ostore_write(delete_fn, &r, &err))
		fail(req, &err);
	else
		ohttp_send(req, 204, NULL, NULL, 0);
	reg_free(&r);
}

/*
 * Any other method on these paths: 404 while registration is off (as
 * for the methods it serves), else 405 with Allow (RFC 9110 §15.5.6).
 */
static void
other(struct oreq *req)
{
	struct oerr	 err;
	const char	*allow;

	if (!oconf->dcr_enabled) {
		disabled(req);
		return;
	}
	allow = req->nparams > 0 ? "GET, HEAD, PUT, DELETE" : "POST";
	oerr_clear(&err);
	oerr_set(&err, OERR_METHOD_NOT_ALLOWED, "The method %s is not "
	    "allowed here; allowed: %s.", req->method_name, allow);
	ohttp_header(req, "Allow", allow);
	ohttp_send_error(req, &err);
}

#define ANY	((1u << OHTTP__MAX) - 1)

static const struct oroute routes[] = {
	{ OHTTP_M(POST), OLISTEN_PUBLIC, "/oauth2/register", create },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/oauth2/register/{id}", read_one },
	{ OHTTP_M(PUT), OLISTEN_PUBLIC, "/oauth2/register/{id}", update },
	{ OHTTP_M(DELETE), OLISTEN_PUBLIC, "/oauth2/register/{id}", delete },
	{ OHTTP_M(POST), OLISTEN_PUBLIC, "/connect/register", create },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/connect/register/{id}", read_one },
	{ OHTTP_M(PUT), OLISTEN_PUBLIC, "/connect/register/{id}", update },
	{ OHTTP_M(DELETE), OLISTEN_PUBLIC, "/connect/register/{id}", delete },
	/* Last: whatever method the ones above do not serve. */
	{ ANY, OLISTEN_PUBLIC, "/oauth2/register", other },
	{ ANY, OLISTEN_PUBLIC, "/oauth2/register/{id}", other },
	{ ANY, OLISTEN_PUBLIC, "/connect/register", other },
	{ ANY, OLISTEN_PUBLIC, "/connect/register/{id}", other },
};

int
main(int argc, char *argv[])
{
	return omain(argc, argv, routes, sizeof(routes) / sizeof(routes[0]));
}
