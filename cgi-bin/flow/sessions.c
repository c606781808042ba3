/*
 * sessions.c: Hydra's login and consent sessions on the admin API:
 *
 *   GET    /oauth2/auth/sessions/consent?subject=[&login_session_id=]
 *          the subject's grants, newest first, paginated, each with its
 *          consent request
 *   DELETE /oauth2/auth/sessions/consent?subject=[&client=]
 *          (1.x, at the root: without client, every client's) or under
 *          /admin ?subject=&client= | ?subject=&all=true (2.x: one of
 *          the two, not both; 2.x's ?consent_request_id= is a 400);
 *          revoke those grants and every token issued under them
 *   DELETE /oauth2/auth/sessions/login?subject= | ?sid=
 *          end the login sessions (the browser must log in again); by
 *          sid a headless logout with back-channel notifications (204
 *          also for a sid that names no remembered session, as Hydra);
 *          with oauth2.logout.revoke_tokens the sessions' tokens go too
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/form.h"
#include "base/util.h"
#include "protocol/flowapi.h"
#include "web/http.h"
#include "web/page.h"
#include "api.h"

/* GET /oauth2/auth/sessions/consent */
static void
list_consent(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*q;
	const char		*sub, *sid;
	struct opage		 pg;
	json_t			*out;
	size_t			 n;
	char			*filters;

	oerr_clear(&err);
	if ((q = ohttp_query(req, &err)) == NULL ||
	    (sub = ohttp_need(q, "subject", &err)) == NULL ||
	    !opage_parse(q, &pg, &err)) {
		ohttp_send_error(req, &err);
		return;
	}
	sid = oparams_get(q, "login_session_id");
	if ((out = oflowapi_consent_sessions(sub, sid, pg.offset, pg.size,
	    &n, &err)) == NULL) {
		ohttp_send_error(req, &err);
		return;
	}
	filters = oarena_printf(&req->arena, "&subject=%s",
	    oform_encode(&req->arena, sub));
	if (sid != NULL)
		filters = oarena_printf(&req->arena, "%s&login_session_id=%s",
		    filters, oform_encode(&req->arena, sid));
	opage_headers(req, oarena_printf(&req->arena,
	    "%s/oauth2/auth/sessions/consent", opage_prefix(req)), &pg, n,
	    filters);
	ohttp_send_json(req, 200, out);
	json_decref(out);
}

/* DELETE /oauth2/auth/sessions/consent */
static void
revoke_consent(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*q;
	const char		*subject, *client, *all;

	oerr_clear(&err);
	if ((q = ohttp_query(req, &err)) == NULL)
		goto fail;
	/* Hydra 2's revocation of one consent by its id is not built. */
	if (req->v2 && oparams_get(q, "consent_request_id") != NULL) {
		oerr_set(&err, OERR_INVALID_REQUEST, "The query parameter "
		    "'consent_request_id' is not supported: name the "
		    "'subject' and the 'client'.");
		goto fail;
	}
	if ((subject = ohttp_need(q, "subject", &err)) == NULL)
		goto fail;
	if ((client = oparams_get(q, "client")) != NULL && *client == '\0')
		client = NULL;
	all = oparams_get(q, "all");
	/*
	 * Hydra 1.x revokes every client's grants when client is not
	 * given (its REST API document); 2.x wants client or all=true,
	 * and not both (consent/handler.go).
	 */
	if (req->v2 && (client == NULL) !=
	    (all != NULL && strcmp(all, "true") == 0)) {
		oerr_set(&err, OERR_INVALID_REQUEST, "Name the 'client' whose "
		    "consents to revoke, or set 'all=true', not both.");
		goto fail;
	}
	if (!oflowapi_revoke_consent(subject, client, &err))
		goto fail;
	ohttp_send(req, 204, NULL, NULL, 0);
	return;
fail:
	ohttp_send_error(req, &err);
}

/* DELETE /oauth2/auth/sessions/login */
static void
revoke_login(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*q;
	const char		*subject, *sid;

	oerr_clear(&err);
	if ((q = ohttp_query(req, &err)) == NULL)
		goto fail;
	subject = oparams_get(q, "subject");
	sid = oparams_get(q, "sid");
	if ((subject == NULL || *subject == '\0') &&
	    (sid == NULL || *sid == '\0')) {
		oerr_set(&err, OERR_INVALID_REQUEST, "The query parameter "
		    "'subject' or 'sid' is required.");
		goto fail;
	}
	if (sid != NULL && *sid == '\0')
		sid = NULL;
	if (!oflowapi_revoke_login(subject, sid, &err))
		goto fail;
	ohttp_send(req, 204, NULL, NULL, 0);
	return;
fail:
	ohttp_send_error(req, &err);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/oauth2/auth/sessions/consent",
	    list_consent },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, "/oauth2/auth/sessions/consent",
	    revoke_consent },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, "/oauth2/auth/sessions/login",
	    revoke_login },
};
const struct oroute_table sessions_table = OROUTE_TABLE(routes);
