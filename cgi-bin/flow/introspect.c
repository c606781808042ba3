/*
 * introspect.c: token introspection and housekeeping on the admin
 * listener (1.x paths at the root, 2.x under /admin).
 *
 *   POST   /oauth2/introspect          RFC 7662 §2, Hydra's answer (at
 *                                      the root token_type is the use,
 *                                      as 1.x documents it)
 *   POST   /oauth2/flush               Hydra 1.x: {"notAfter": RFC 3339},
 *                                      204
 *   DELETE /oauth2/tokens?client_id=   every token of a client, 204
 *
 * As in Hydra, the caller of introspection is not authenticated: the
 * admin listener (and secrets.admin, when set) is the fence.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"
#include "protocol/grants.h"
#include "protocol/introspect.h"
#include "web/http.h"
#include "api.h"

static const struct ofield introspect_fields[] = {
	{ "token", 256 * 1024, OFIELD_VSCHAR, OFIELD_REQUIRED | OFIELD_ONCE },
	{ "token_type_hint", 64, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "scope", 4096, OFIELD_NQSCHAR, OFIELD_ONCE },
};

/* POST /oauth2/introspect (RFC 7662 §2.1, §2.2) */
static void
introspect(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*p;
	json_t			*out;

	oerr_clear(&err);
	if ((p = ohttp_form(req, &err)) == NULL ||
	    !oform_check(p, introspect_fields, sizeof(introspect_fields) /
	    sizeof(introspect_fields[0]), &err) ||
	    (out = (req->v2 ? ointrospect : ointrospect_v1)(&req->arena,
	    oparams_get(p, "token"), oparams_get(p, "scope"), &err)) ==
	    NULL) {
		/* fosite's introspection error: no error_code. */
		ohttp_send_oauth_error(req, &err);
		return;
	}
	ohttp_send_json(req, 200, out);
	json_decref(out);
}

/*
 * POST /oauth2/flush (Hydra 1.x FlushInactiveOAuth2Tokens): delete
 * what expired before notAfter (default now).  A notAfter in the
 * future counts as now: as in Hydra, a live token is never flushed.
 * Batches of one write transaction each (ogrants_flush()).
 */
static void
flush(struct oreq *req)
{
	struct oerr		 err;
	const char		*body, *na = NULL;
	size_t			 len;
	json_t			*j = NULL;
	int64_t			 now = onow(), not_after = now;

	oerr_clear(&err);
	if ((body = ohttp_body(req, &len, &err)) == NULL)
		goto fail;
	if (len > 0 && ((j = ohttp_json(req, 1, &err)) == NULL ||
	    !ojson_get_str(j, "notAfter", 64, 0, &na, &err)))
		goto fail;
	if (na != NULL && *na != '\0' && !otime_parse_rfc3339(na, &not_after)) {
		oerr_set(&err, OERR_INVALID_REQUEST, "The field 'notAfter' "
		    "must be an RFC 3339 date-time.");
		goto fail;
	}
	if (not_after > now)
		not_after = now;
	if (!ogrants_flush(not_after, &err))
		goto fail;
	ohttp_send(req, 204, NULL, NULL, 0);
	goto out;
fail:
	ohttp_send_error(req, &err);
out:
	json_decref(j);
}

/*
 * DELETE /oauth2/tokens?client_id= (Hydra's deleteOAuth2Token): every
 * code, access and refresh token of the client.  An unknown client has
 * none, which is no error.
 */
static void
delete_tokens(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*q;
	const char		*id;

	oerr_clear(&err);
	if ((q = ohttp_query(req, &err)) == NULL ||
	    (id = ohttp_need(q, "client_id", &err)) == NULL ||
	    !ogrants_revoke_client(id, &err))
		goto fail;
	ohttp_send(req, 204, NULL, NULL, 0);
	return;
fail:
	ohttp_send_error(req, &err);
}

static const struct oroute routes[] = {
	{ OHTTP_M(POST), OLISTEN_ADMIN, "/oauth2/introspect", introspect },
	{ OHTTP_M(POST), OLISTEN_ADMIN, "/oauth2/flush", flush },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, "/oauth2/tokens", delete_tokens },
};
const struct oroute_table introspect_table = OROUTE_TABLE(routes);
