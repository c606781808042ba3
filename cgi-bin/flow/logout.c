/*
 * logout.c: Hydra's logout requests on the admin API (1.x at the root,
 * 2.x under /admin):
 *
 *   GET /oauth2/auth/requests/logout?logout_challenge=   (or challenge=)
 *	{challenge, subject, sid, request_url, rp_initiated, client,
 *	expires_at, requested_at}
 *   PUT /oauth2/auth/requests/logout/accept?logout_challenge=
 *	{"redirect_to": <issuer>oauth2/sessions/logout?logout_verifier=...}
 *   PUT /oauth2/auth/requests/logout/reject?logout_challenge=
 *	204, as Hydra 1.x and 2.x answer: the session stays, and the
 *	logout app decides where the user goes (a second answer is the
 *	410 with the post-logout redirect).
 *
 * The challenge is sealed by /oauth2/sessions/logout (lib/records/flow.h).
 * Answering it records it as handled with its redirect_to; a second
 * answer is a 410 with the first one's {"redirect_to"}.  An unknown or
 * expired challenge is a 404.  The work is lib/protocol/flowapi.c's; the HTTP
 * side is requests.c's.
 */
#include "protocol/flowapi.h"
#include "web/http.h"
#include "api.h"

static void
get_logout(struct oreq *req)
{
	flow_get(req, OFLOWAPI_LOGOUT);
}

static void
accept_logout(struct oreq *req)
{
	flow_answer(req, OFLOWAPI_LOGOUT, 1);
}

static void
reject_logout(struct oreq *req)
{
	flow_answer(req, OFLOWAPI_LOGOUT, 0);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/oauth2/auth/requests/logout",
	    get_logout },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/oauth2/auth/requests/logout/accept",
	    accept_logout },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/oauth2/auth/requests/logout/reject",
	    reject_logout },
};
const struct oroute_table logout_table = OROUTE_TABLE(routes);
