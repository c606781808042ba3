/*
 * par.c: pushed authorization requests (see par.h).
 */
#include <stdlib.h>
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
#include "records/pushed.h"
#include "protocol/authorize.h"
#include "protocol/clientauth.h"
#include "protocol/par.h"
#include "protocol/reqobj.h"

/* Expired records flushed by each push, as the token endpoint does. */

/* Client authentication's parameters: not part of the pushed request. */
static const char *const auth_params[] = {
	"client_secret", "client_assertion", "client_assertion_type", NULL
};

/* Parameters of the endpoints' steps, never of a request. */
static const char *const not_params[] = {
	"login_verifier", "consent_verifier", NULL
};

static int
listed(const char *s, const char *const *l)
{
	for (; *l != NULL; l++)
		if (strcmp(s, *l) == 0)
			return 1;
	return 0;
}

/* What the push's write transaction does (ostore_write()). */
struct push {
	const struct oclientauth *auth;
	const char	*ref;
	json_t		*params;
	int64_t		 exp;
};

static int
push_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct push	*op = arg;

	if (!oclientauth_txn_begin(t, op->auth, err))
		return 0;
	return opushed_put(t, op->ref, op->auth->id, op->params, op->exp,
	    err);
}

/*
 * The request's parameters of the form p, client authentication's left
 * out and client_id added when only the Basic header named it, into
 * out.  Returns 1, or 0 with invalid_request.
 */
static int
request_params(struct oarena *ar, const struct oparams *p, const char *id,
    struct oparams *out, struct oerr *err)
{
	size_t	 i;

	if (oparams_get(p, "request_uri") != NULL) {
		/* RFC 9126 §2.1 */
		oerr_set(err, OERR_INVALID_REQUEST, "A pushed authorization "
		    "request must not have a 'request_uri'.");
		return 0;
	}
	out->n = 0;
	out->v = oarena_alloc(ar, (p->n + 1) * sizeof(*out->v));
	for (i = 0; i < p->n; i++) {
		if (listed(p->v[i].name, not_params)) {
			oerr_set(err, OERR_INVALID_REQUEST, "The parameter "
			    "'%s' is not one of an authorization request.",
			    p->v[i].name);
			return 0;
		}
		if (!listed(p->v[i].name, auth_params))
			out->v[out->n++] = p->v[i];
	}
	if (oparams_get(out, "client_id") == NULL) {
		out->v[out->n].name = "client_id";
		out->v[out->n].value = id;
		out->v[out->n++].vlen = strlen(id);
	}
	return 1;
}

json_t *
opar_push(struct oarena *ar, const struct oclientauth_in *in,
    struct oerr *err)
{
	struct oclientauth	 auth;
	struct oauthorize	 a;
	struct oparams		 q, m;
	struct push		 op;
	json_t			*pairs = NULL, *out = NULL;
	char			 ref[44];
	size_t			 i;

	memset(&a, 0, sizeof(a));
	if (!oclientauth_check(ar, in, &auth, err))
		return NULL;
	if (!request_params(ar, in->p, auth.id, &q, err) ||
	    !oreqobj_merge(ar, auth.client, &q, &m, err))
		goto bad;
	if (strcmp(oparams_get(&m, "client_id"), auth.id) != 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The client_id of the "
		    "request is not the authenticated client's.");
		goto bad;
	}
	/* As /oauth2/auth would validate it (RFC 9126 §2.1). */
	if (!oauthorize_validate(&m, &a, err))
		goto bad;
	pairs = json_array();
	for (i = 0; i < m.n; i++)
		json_array_append_new(pairs, json_pack("[ss]", m.v[i].name,
		    m.v[i].value));
	ocrypto_token(ref, sizeof(ref), 32);
	memset(&op, 0, sizeof(op));
	op.auth = &auth;
	op.ref = ref;
	op.params = pairs;
	op.exp = onow() + oconf->par_ttl;
	if (!ostore_write(push_fn, &op, err))
		goto out;
	out = json_pack("{s:s+,s:I}", "request_uri", OREQOBJ_URN, ref,
	    "expires_in", (json_int_t)oconf->par_ttl);
	goto out;
bad:
	/* RFC 9126 §2.3: the authorization endpoint's errors, as 400. */
	if (err->status < 500)
		oerr_status(err, 400);
out:
	oauthorize_free(&a);
	json_decref(pairs);
	oclientauth_free(&auth);
	return out;
}
