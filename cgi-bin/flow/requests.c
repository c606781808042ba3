/*
 * requests.c: Hydra's login, consent and logout requests on the admin
 * API (1.x at the root, 2.x under /admin):
 *
 *   GET /oauth2/auth/requests/login?login_challenge=       (or challenge=)
 *   PUT /oauth2/auth/requests/login/accept?login_challenge=
 *   PUT /oauth2/auth/requests/login/reject?login_challenge=
 *   GET /oauth2/auth/requests/consent?consent_challenge=   (or challenge=)
 *   PUT /oauth2/auth/requests/consent/accept?consent_challenge=
 *   PUT /oauth2/auth/requests/consent/reject?consent_challenge=
 *
 * and the logout requests' (logout.c) HTTP side.  Thin wrappers over
 * lib/protocol/flowapi.h, which the bundled UI calls directly: a challenge that
 * was handled already is a 410 with that {"redirect_to"}, never a second
 * grant; an unknown or expired challenge is a 404.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "protocol/flowapi.h"
#include "web/http.h"
#include "api.h"

/*
 * The challenge of a request: ?<kind>_challenge= or ?challenge=.  NULL
 * with a 400 when missing.
 */
static const char *
challenge_param(struct oreq *req, enum oflowapi_kind k, struct oerr *err)
{
	const struct oparams	*q;
	const char		*c;
	char			 name[32];

	if ((q = ohttp_query(req, err)) == NULL)
		return NULL;
	snprintf(name, sizeof(name), "%s_challenge", oflowapi_name(k));
	if ((c = oparams_get(q, name)) == NULL)
		c = oparams_get(q, "challenge");
	if (c == NULL || *c == '\0') {
		oerr_set(err, OERR_INVALID_REQUEST, "The query parameter "
		    "'%s' is required.", name);
		return NULL;
	}
	return c;
}

/* Send the outcome of a call: 200 or 410 with out, or err. */
static void
send_answer(struct oreq *req, enum oflowapi_rc rc, const json_t *out,
    const struct oerr *err)
{
	if (rc == OFLOWAPI_ERR)
		ohttp_send_error(req, err);
	else
		ohttp_send_json(req, rc == OFLOWAPI_HANDLED ? 410 : 200, out);
}

void
flow_get(struct oreq *req, enum oflowapi_kind k)
{
	struct oerr		 err;
	const char		*c;
	json_t			*out = NULL;
	enum oflowapi_rc	 rc = OFLOWAPI_ERR;

	oerr_clear(&err);
	if ((c = challenge_param(req, k, &err)) != NULL)
		rc = oflowapi_get(k, c, &out, &err);
	send_answer(req, rc, out, &err);
	json_decref(out);
}

void
flow_answer(struct oreq *req, enum oflowapi_kind k, int accept)
{
	struct oerr		 err, berr;
	const char		*c;
	json_t			*body = NULL, *out = NULL;
	enum oflowapi_rc	 rc = OFLOWAPI_ERR;

	oerr_clear(&err);
	oerr_clear(&berr);
	if ((c = challenge_param(req, k, &err)) != NULL) {
		/* Logout answers take no body. */
		if (k != OFLOWAPI_LOGOUT)
			body = ohttp_json(req, 1, &berr);
		rc = oflowapi_answer(k, c, accept, body, &berr, &out, &err);
	}
	/*
	 * A rejected logout is a 204 without a body, in Hydra 1.x and
	 * 2.x alike (consent/handler.go): the logout app decides where
	 * the user goes next.  A second answer is still the 410.
	 */
	if (rc == OFLOWAPI_OK && k == OFLOWAPI_LOGOUT && !accept)
		ohttp_send(req, 204, NULL, NULL, 0);
	else
		send_answer(req, rc, out, &err);
	json_decref(out);
	json_decref(body);
}

static void
get_login(struct oreq *req)
{
	flow_get(req, OFLOWAPI_LOGIN);
}

static void
accept_login(struct oreq *req)
{
	flow_answer(req, OFLOWAPI_LOGIN, 1);
}

static void
reject_login(struct oreq *req)
{
	flow_answer(req, OFLOWAPI_LOGIN, 0);
}

static void
get_consent(struct oreq *req)
{
	flow_get(req, OFLOWAPI_CONSENT);
}

static void
accept_consent(struct oreq *req)
{
	flow_answer(req, OFLOWAPI_CONSENT, 1);
}

static void
reject_consent(struct oreq *req)
{
	flow_answer(req, OFLOWAPI_CONSENT, 0);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/oauth2/auth/requests/login",
	    get_login },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/oauth2/auth/requests/login/accept",
	    accept_login },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/oauth2/auth/requests/login/reject",
	    reject_login },
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/oauth2/auth/requests/consent",
	    get_consent },
	{ OHTTP_M(PUT), OLISTEN_ADMIN,
	    "/oauth2/auth/requests/consent/accept", accept_consent },
	{ OHTTP_M(PUT), OLISTEN_ADMIN,
	    "/oauth2/auth/requests/consent/reject", reject_consent },
};
const struct oroute_table requests_table = OROUTE_TABLE(routes);
