/*
 * dcr.c: Dynamic Client Registration (RFC 7591, RFC 7592) on client
 * records: the operator's policy and the registration access token
 * (dcr.h).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/form.h"
#include "base/util.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/lifecycle.h"
#include "protocol/dcr.h"

/* One registration operation, the argument of its write function. */
struct reg {
	const char	*id;		/* the client, NULL on create */
	const char	*token;		/* registration access token sent */
	struct oarena	*arena;		/* the request's */
	json_t		*in;		/* metadata (borrowed), or NULL */
	struct oerr	 inerr;		/* why in is NULL */
	json_t		*rec;		/* the record written */
	char		 secret[OCLIENT_SECRET_MAX + 1];
	char		 rat[OCLIENT_SECRET_LEN];	/* new token or "" */
};

/*
 * The seconds since the epoch of an RFC 3339 time as records hold them
 * ("2024-01-02T03:04:05Z"), or 0 if s is not one.
 */
static long long
epoch_of(const char *s)
{
	int64_t	 t;

	return s != NULL && otime_parse_rfc3339(s, &t) ? (long long)t : 0;
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
view(struct oarena *a, const json_t *rec, const char *secret,
    const char *rat)
{
	json_t		*out;
	const char	*id;

	id = json_string_value(json_object_get(rec, "client_id"));
	out = oclient_view_hydra(rec, secret);
	json_object_del(out, "metadata");
	/* RFC 9449 §5.2's member, not Hydra's: echoed when set. */
	if (json_is_true(json_object_get(rec, "dpop_bound_access_tokens")))
		json_object_set_new(out, "dpop_bound_access_tokens",
		    json_true());
	if (rat != NULL && *rat != '\0')
		json_object_set_new(out, "registration_access_token",
		    json_string(rat));
	json_object_set_new(out, "registration_client_uri", json_string(
	    oarena_printf(a, "%soauth2/register/%s", oconf->issuer,
	    oform_encode(a, id))));
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
 * The members of a client information response that the server manages
 * (RFC 7591 §3.2.1, RFC 7592 §3) or only the operator sets (dcr.h):
 * what a GET answers, and a registrant echoes back in a read-modify-write
 * replacement (RFC 7592 §2.2), but may not change.  client_id is checked
 * on its own, client_secret and registration_access_token too (both
 * secrets, compared in constant time); the lifespans
 * (oclient_lifespan_names) follow these.
 */
static const char *const managed[] = {
	"client_id_issued_at", "client_secret_expires_at",
	"registration_client_uri", "created_at", "updated_at",
	"owner", "metadata", "app_id", "access_token_strategy",
	"skip_consent", "skip_logout_consent",
};

#define NMANAGED	(sizeof(managed) / sizeof(managed[0]))

/* The i-th server-managed member: managed[], then the lifespans. */
static const char *
managed_name(size_t i)
{
	return i < NMANAGED ? managed[i] :
	    oclient_lifespan_names[i - NMANAGED];
}

/*
 * 1 if v is empty: null, "", false, 0, {} or [] (the zero value of its
 * type, which clients that always send every member send for "none").
 */
static int
empty(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return 1;
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_INTEGER:
		return json_integer_value(v) == 0;
	case JSON_REAL:
		return json_real_value(v) == 0;
	case JSON_OBJECT:
		return json_object_size(v) == 0;
	case JSON_ARRAY:
		return json_array_size(v) == 0;
	default:
		return 0;
	}
}

/*
 * RFC 7592 §2.2 read-modify-write: the members of in that the server
 * manages (managed_name()) are accepted when empty or equal to what a read
 * of the record old answers (view()), refused with a 400
 * invalid_client_metadata naming the member when changed, and then
 * taken out of in: the record keeps its own values.
 *
 * A registration_access_token in the body must be the one the request
 * was authorized with (token).  A client_secret that is not empty is
 * refused with a 403 request_forbidden whatever its value: RFC 7592
 * §2.2 would accept the current secret, but Hydra (client/handler.go,
 * setOidcDynamicClient) refuses any "It is not allowed to choose your
 * own OAuth2 Client secret.", and this follows Hydra.  A read never
 * answers the secret, so a read-modify-write never sends it.
 * Returns 1, or 0 with err set and in unchanged.
 */
static int
managed_ok(struct oarena *a, json_t *in, const json_t *old,
    const char *token, struct oerr *err)
{
	json_t		*cur, *v;
	const char	*s;
	size_t		 i;
	int		 rc = 0;

	cur = view(a, old, NULL, NULL);
	v = json_object_get(in, "client_secret");
	if (v != NULL && !empty(v)) {
		oerr_set(err, OERR_REQUEST_FORBIDDEN, "The field "
		    "'client_secret' cannot be set through dynamic client "
		    "registration: the server issues secrets (RFC 7592 "
		    "§2.2).");
		goto out;
	}
	v = json_object_get(in, "registration_access_token");
	if (v != NULL && !empty(v) && (!json_is_string(v) || token == NULL ||
	    !ocrypto_eq(json_string_value(v), json_string_length(v), token,
	    strlen(token)))) {
		oerr_set(err, OERR_INVALID_CLIENT_METADATA, "The field "
		    "'registration_access_token' is managed by the server "
		    "and must be the one this request is authorized with "
		    "(RFC 7592 §2.2).");
		goto out;
	}
	for (i = 0; i < NMANAGED + OCLIENT_LS_N; i++) {
		v = json_object_get(in, managed_name(i));
		if (v == NULL || empty(v) ||
		    json_equal(v, json_object_get(cur, managed_name(i))))
			continue;
		s = managed_name(i);
		oerr_set(err, OERR_INVALID_CLIENT_METADATA, "The field '%s' "
		    "is managed by the server and cannot be changed through "
		    "dynamic client registration (RFC 7592 §2.2); send it "
		    "as read, or leave it out.", s);
		goto out;
	}
	for (i = 0; i < NMANAGED + OCLIENT_LS_N; i++)
		json_object_del(in, managed_name(i));
	json_object_del(in, "client_secret");
	json_object_del(in, "registration_access_token");
	rc = 1;
out:
	json_decref(cur);
	return rc;
}

/*
 * Write function of a replacement (RFC 7592 §2.2): authorize, check
 * what the server manages (managed_ok()), then replace every member the
 * registrant may set (absent ones take their defaults), keep the secret
 * and what only the operator sets, and rotate the registration access
 * token.
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
	} else if (!managed_ok(r->arena, r->in, old, r->token, err))
		goto out;
	else if ((r->rec = oclient_build(r->in, old, OCLIENT_DCR |
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
	return olife_client_remove(t, r->id, err);
}

/* Wipe the credentials of r and release what it holds. */
static void
reg_free(struct reg *r)
{
	ocrypto_wipe(r->secret, sizeof(r->secret));
	ocrypto_wipe(r->rat, sizeof(r->rat));
	json_decref(r->rec);
}


/*
 * Start r for client id (NULL on create) with the registration access
 * token sent (NULL when there was none), the metadata in and the arena
 * a.
 */
static void
reg_init(struct reg *r, struct oarena *a, const char *id,
    const char *token, json_t *in)
{
	memset(r, 0, sizeof(*r));
	oerr_clear(&r->inerr);
	r->arena = a;
	r->id = id;
	r->token = token;
	r->in = in;
}

/*
 * What the server alone decides, in the metadata in of a registration.
 * A client_secret that is not empty is refused, as Hydra does
 * (client/handler.go, CreateClient: "It is not allowed to choose your
 * own OAuth2 Client secret."): the server issues secrets.  Returns 1
 * with client_secret and client_secret_expires_at (secrets here do not
 * expire) taken out of in, or 0 with a 400 invalid_client_metadata in
 * err.  A replacement checks them instead (managed_ok()).
 */
static int
strip(json_t *in, struct oerr *err)
{
	json_t	*v = json_object_get(in, "client_secret");

	if (v != NULL && !empty(v)) {
		oerr_set(err, OERR_INVALID_CLIENT_METADATA, "The field "
		    "'client_secret' cannot be chosen by the client: the "
		    "server issues secrets.");
		oerr_hint(err, "It is not allowed to choose your own "
		    "OAuth2 Client secret.");
		return 0;
	}
	json_object_del(in, "client_secret");
	json_object_del(in, "client_secret_expires_at");
	return 1;
}

json_t *
odcr_register(struct oarena *a, json_t *in, struct oerr *err)
{
	struct reg	 r;
	json_t		*out = NULL;

	reg_init(&r, a, NULL, NULL, in);
	if (strip(in, err) && oclient_uris_check(in, OCLIENT_DCR, err) &&
	    ostore_write(create_fn, &r, err))
		out = view(a, r.rec, r.secret, r.rat);
	reg_free(&r);
	return out;
}

json_t *
odcr_read(struct oarena *a, const char *id, const char *token,
    struct oerr *err)
{
	struct reg		 r;
	struct ostore_txn	*t;
	json_t			*rec, *out = NULL;

	reg_init(&r, a, id, token, NULL);
	if ((t = ostore_read_begin(err)) == NULL)
		goto out;
	rec = authorize(t, &r, err);
	ostore_read_end(t);
	if (rec != NULL)
		out = view(a, rec, NULL, NULL);
	json_decref(rec);
out:
	reg_free(&r);
	return out;
}

json_t *
odcr_replace(struct oarena *a, const char *id, const char *token,
    json_t *in, const struct oerr *inerr, struct oerr *err)
{
	struct reg	 r;
	json_t		*out = NULL;

	reg_init(&r, a, id, token, in);
	if (in == NULL && inerr != NULL)
		r.inerr = *inerr;
	if (in != NULL) {
		/* Names resolve outside the transaction; told after
		   authorizing. */
		if (!oclient_uris_check(in, OCLIENT_DCR, &r.inerr))
			r.in = NULL;
	}
	if (ostore_write(update_fn, &r, err))
		out = view(a, r.rec, r.secret, r.rat);
	reg_free(&r);
	return out;
}

int
odcr_delete(const char *id, const char *token, struct oerr *err)
{
	struct reg	 r;
	int		 rc;

	reg_init(&r, NULL, id, token, NULL);
	rc = ostore_write(delete_fn, &r, err);
	reg_free(&r);
	return rc;
}
